/* test_date.c - strict civil dates: parsing, formatting, arithmetic. */
#include "helpers.h"

TestSuite(date, .fini = leak_check);

Test(date, parses_and_formats_a_valid_date)
{
	date_t d;
	char buf[DATE_BUF_SIZE];
	cr_assert_eq(date_parse("2019-11-23", &d, NULL), 0);
	cr_assert_str_eq(date_format(d, buf), "2019-11-23");
	cr_assert_eq(date_parse("1970-01-01", &d, NULL), 0);
	cr_assert_eq(d, 0, "1970-01-01 is day 0, got %d", d);
	cr_assert_eq(date_parse("0001-01-01", &d, NULL), 0);
	cr_assert_eq(d, DATE_MIN);
	cr_assert_eq(date_parse("9999-12-31", &d, NULL), 0);
	cr_assert_eq(d, DATE_MAX);
}

Test(date, refuses_a_day_that_does_not_exist)
{
	date_t d = 42;
	struct lerr e = {0};
	cr_assert_eq(date_parse("2019-02-30", &d, &e), LERR_INVAL);
	cr_assert_eq(d, 0, "output cleared on failure");
	cr_assert(strstr(e.msg, "2019-02-30") && strstr(e.msg, "February 2019 has 28 days"),
		  "message names the date and why: %s", e.msg);
	cr_assert_eq(date_parse("2019-04-31", &d, &e), LERR_INVAL);
	cr_assert_eq(date_parse("2019-01-00", &d, &e), LERR_INVAL);
}

Test(date, refuses_a_month_that_does_not_exist)
{
	date_t d;
	struct lerr e = {0};
	cr_assert_eq(date_parse("2019-13-01", &d, &e), LERR_INVAL);
	cr_assert(strstr(e.msg, "month 13"), "got: %s", e.msg);
	cr_assert_eq(date_parse("2019-00-10", &d, &e), LERR_INVAL);
}

Test(date, refuses_text_not_in_the_form)
{
	static const char *const bad[] = {
	    "19-1-1", "2019-1-1", "2019-01-1",	"2019/01/01", "2019-01-01x", " 2019-01-01",
	    "",	      "20190101", "2019-0a-01", "+019-01-01", "2019-01-01 ", "0000-01-01"};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		date_t d;
		struct lerr e = {0};
		cr_assert_eq(date_parse(bad[i], &d, &e), LERR_INVAL, "\"%s\" accepted", bad[i]);
		cr_assert_neq(e.msg[0], '\0', "no message for \"%s\"", bad[i]);
	}
	struct lerr e = {0};
	date_t d;
	cr_assert_eq(date_parse("19-1-1", &d, &e), LERR_INVAL);
	cr_assert(strstr(e.msg, "YYYY-MM-DD"), "says the form: %s", e.msg);
}

Test(date, knows_leap_years)
{
	cr_assert(date_is_leap(2020));
	cr_assert(date_is_leap(2000));
	cr_assert_not(date_is_leap(1900));
	cr_assert_not(date_is_leap(2019));
	date_t d;
	cr_assert_eq(date_parse("2020-02-29", &d, NULL), 0);
	cr_assert_eq(date_parse("2000-02-29", &d, NULL), 0);
	cr_assert_eq(date_parse("1900-02-29", &d, NULL), LERR_INVAL);
	cr_assert_eq(date_parse("2019-02-29", &d, NULL), LERR_INVAL);
}

Test(date, years_have_365_or_366_days)
{
	for (int y = 1; y < 9999; y++) {
		date_t a, b;
		cr_assert_eq(date_from_ymd(y, 1, 1, &a, NULL), 0);
		cr_assert_eq(date_from_ymd(y + 1, 1, 1, &b, NULL), 0);
		cr_assert_eq(b - a, date_days_in_year(y), "year %d: %d days", y, b - a);
		cr_assert_eq(date_days_in_year(y), date_is_leap(y) ? 366 : 365);
	}
}

Test(date, every_day_round_trips_through_text)
{
	char buf[DATE_BUF_SIZE];
	int py = 1, pm = 1, pd = 0;
	for (date_t t = DATE_MIN; t <= DATE_MAX; t++) {
		int y, m, d;
		date_to_ymd(t, &y, &m, &d);
		/* each day follows the one before */
		bool next =
		    (y == py && m == pm && d == pd + 1) ||
		    (y == py && m == pm + 1 && d == 1 && pd == date_days_in_month(py, pm)) ||
		    (y == py + 1 && m == 1 && d == 1 && pm == 12 && pd == 31);
		cr_assert(next || t == DATE_MIN, "day %d (%d-%d-%d) does not follow %d-%d-%d", t, y,
			  m, d, py, pm, pd);
		py = y, pm = m, pd = d;
		date_t back;
		cr_assert_eq(date_from_ymd(y, m, d, &back, NULL), 0);
		cr_assert_eq(back, t, "day %d is %d-%d-%d, which is day %d", t, y, m, d, back);
		if (t % 997 == 0) {
			cr_assert_eq(date_parse(date_format(t, buf), &back, NULL), 0, "%s", buf);
			cr_assert_eq(back, t);
		}
	}
}

Test(date, day_arithmetic_crosses_months_and_years)
{
	cr_assert_eq(D("2019-11-23") - D("2019-08-25"), 90);
	cr_assert_eq(D("2019-08-23") + 90, D("2019-11-21"));
	cr_assert_eq(D("2020-03-01") - D("2020-02-28"), 2);
	cr_assert_eq(D("2019-03-01") - D("2019-02-28"), 1);
	cr_assert_eq(D("2020-01-01") - D("2019-12-31"), 1);
}

Test(date, adding_years_moves_29_february_to_1_march)
{
	date_t out;
	cr_assert_eq(date_add_years(D("2020-02-29"), 1, &out), 0);
	cr_assert_eq(out, D("2021-03-01"), "got %s", T(out));
	cr_assert_eq(date_add_years(D("2020-02-29"), 4, &out), 0);
	cr_assert_eq(out, D("2024-02-29"), "got %s", T(out));
	cr_assert_eq(date_add_years(D("2016-11-23"), 3, &out), 0);
	cr_assert_eq(out, D("2019-11-23"));
	cr_assert_eq(date_add_years(D("9999-01-01"), 1, &out), LERR_INVAL);
	/* the same rule from a month and day */
	cr_assert_eq(date_in_year(2021, 2, 29, &out), 0);
	cr_assert_eq(out, D("2021-03-01"), "got %s", T(out));
	cr_assert_eq(date_in_year(2024, 2, 29, &out), 0);
	cr_assert_eq(out, D("2024-02-29"), "got %s", T(out));
	cr_assert_eq(date_in_year(9999, 12, 31, &out), 0);
	cr_assert_eq(out, DATE_MAX);
	cr_assert_eq(date_in_year(10000, 1, 1, &out), LERR_INVAL);
	cr_assert_eq(date_in_year(0, 12, 31, &out), LERR_INVAL);
	cr_assert_eq(date_in_year(1L << 40, 1, 1, &out), LERR_INVAL);
}

Test(date, weekdays)
{
	cr_assert_eq(date_weekday(D("2019-11-22")), 4, "a Friday");
	cr_assert_eq(date_weekday(D("1970-01-01")), 3, "a Thursday");
	cr_assert_eq(date_weekday(D("1969-12-29")), 0, "a Monday");
}

Test(date, a_day_outside_the_range_splits_as_the_nearest_in_it)
{
	int y, m, d;
	date_to_ymd(DATE_MAX + 1, &y, &m, &d);
	cr_assert(y == 9999 && m == 12 && d == 31, "%d-%d-%d", y, m, d);
	date_to_ymd(INT32_MAX, &y, &m, &d);
	cr_assert(y == 9999 && m == 12 && d == 31, "%d-%d-%d", y, m, d);
	date_to_ymd(INT32_MIN, &y, &m, &d);
	cr_assert(y == 1 && m == 1 && d == 1, "%d-%d-%d", y, m, d);
}
