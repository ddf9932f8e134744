/*
 * date.c - civil dates as day counts (see date.h).
 *
 * The conversions use the era arithmetic of the proleptic Gregorian
 * calendar: 400-year eras of 146097 days, years counted from March so that
 * the leap day ends the year.
 */
#include "date.h"

#include <stdint.h>
#include <string.h>

bool date_is_leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

int date_days_in_month(int y, int m)
{
	static const int days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	if (m < 1 || m > 12)
		return 0;
	return m == 2 && date_is_leap(y) ? 29 : days[m - 1];
}

int date_days_in_year(int y)
{
	return date_is_leap(y) ? 366 : 365;
}

static const char *const month_names[12] = {"January",	 "February", "March",	 "April",
					    "May",	 "June",     "July",	 "August",
					    "September", "October",  "November", "December"};

/* Days from 1970-01-01 to y-m-d, for valid y-m-d. */
static date_t days_from_civil(int y, int m, int d)
{
	y -= m <= 2;
	const int era = (y >= 0 ? y : y - 399) / 400;
	const int yoe = y - era * 400;					/* 0..399 */
	const int doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1; /* 0..365 */
	const int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;		/* 0..146096 */
	return (date_t)(era * 146097 + doe - 719468);
}

/*
 * Neri and Schneider's conversion ("Euclidean affine functions and their
 * application to calendar algorithms", 2022): the inverse of
 * days_from_civil above in unsigned multiplications and shifts (a decision
 * converts several dates). The day is moved by 82 eras so that every date
 * of the range counts from a positive day; no value passes 2^32.
 */
static void ymd_fast(date_t t, int *y, int *m, int *d)
{
	const uint32_t n = (uint32_t)(t + 719468 + 82 * 146097);
	const uint32_t n1 = 4 * n + 3;
	const uint32_t c = n1 / 146097;	     /* the century */
	const uint32_t nc = n1 % 146097 / 4; /* the day in it */
	const uint64_t p2 = (uint64_t)2939745 * (4 * nc + 3);
	const uint32_t z = (uint32_t)(p2 >> 32);	/* the year in the century */
	const uint32_t ny = (uint32_t)p2 / 2939745 / 4; /* the day in the year, from 1 March */
	const uint32_t n3 = 2141 * ny + 197913;
	const uint32_t jan = ny >= 306; /* January or February: the next year */
	*y = (int)(100 * c + z + jan) - 82 * 400;
	*m = (int)(n3 >> 16) - (jan ? 12 : 0);
	*d = (int)((n3 & 0xffff) / 2141) + 1;
}

void date_to_ymd(date_t t, int *y, int *m, int *d)
{
	ymd_fast(t < DATE_MIN ? DATE_MIN : t > DATE_MAX ? DATE_MAX : t, y, m, d);
}

int date_from_ymd(int y, int m, int d, date_t *out, struct lerr *e)
{
	*out = 0;
	if (y < DATE_YEAR_MIN || y > DATE_YEAR_MAX)
		return lerr_set(e, LERR_INVAL, "year %d is out of range (%04d-%04d)", y,
				DATE_YEAR_MIN, DATE_YEAR_MAX);
	if (m < 1 || m > 12)
		return lerr_set(e, LERR_INVAL, "month %d does not exist (01-12)", m);
	const int dim = date_days_in_month(y, m);
	if (d < 1 || d > dim)
		return lerr_set(e, LERR_INVAL, "day %d does not exist: %s %04d has %d days", d,
				month_names[m - 1], y, dim);
	*out = days_from_civil(y, m, d);
	return 0;
}

/* Reads n ASCII digits at s into *v; returns false on a non-digit. */
static bool digits(const char *s, int n, int *v)
{
	int x = 0;
	for (int i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		x = x * 10 + (s[i] - '0');
	}
	*v = x;
	return true;
}

int date_parse(const char *s, date_t *out, struct lerr *e)
{
	int y, m, d;
	*out = 0;
	if (strlen(s) != DATE_TEXT_LEN || s[4] != '-' || s[7] != '-' || !digits(s, 4, &y) ||
	    !digits(s + 5, 2, &m) || !digits(s + 8, 2, &d))
		return lerr_set(e, LERR_INVAL, "date \"%.40s\" is not in the form YYYY-MM-DD", s);
	if (date_from_ymd(y, m, d, out, e) < 0)
		return lerr_prefix(e, "date \"%s\"", s);
	return 0;
}

char *date_format(date_t t, char buf[DATE_BUF_SIZE])
{
	int y, m, d;
	date_to_ymd(t, &y, &m, &d); /* out of range: the nearest day in it */
	buf[0] = (char)('0' + y / 1000);
	buf[1] = (char)('0' + y / 100 % 10);
	buf[2] = (char)('0' + y / 10 % 10);
	buf[3] = (char)('0' + y % 10);
	buf[4] = '-';
	buf[5] = (char)('0' + m / 10);
	buf[6] = (char)('0' + m % 10);
	buf[7] = '-';
	buf[8] = (char)('0' + d / 10);
	buf[9] = (char)('0' + d % 10);
	buf[10] = '\0';
	return buf;
}

int date_add_years(date_t t, int n, date_t *out)
{
	int y, m, d;
	*out = 0;
	if (t < DATE_MIN || t > DATE_MAX || n > DATE_YEAR_MAX || n < -DATE_YEAR_MAX)
		return LERR_INVAL;
	date_to_ymd(t, &y, &m, &d);
	return date_in_year((long)y + n, m, d, out);
}

int date_in_year(long y, int m, int d, date_t *out)
{
	*out = 0;
	if (y < DATE_YEAR_MIN || y > DATE_YEAR_MAX)
		return LERR_INVAL;
	if (m == 2 && d == 29 && !date_is_leap((int)y)) {
		m = 3;
		d = 1;
	}
	*out = days_from_civil((int)y, m, d);
	return 0;
}

int date_weekday(date_t t)
{
	/* 1970-01-01 was a Thursday (3). */
	int w = (int)((t % 7 + 7 + 3) % 7);
	return w;
}
