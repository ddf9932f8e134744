/*
 * date.h - strict civil dates (proleptic Gregorian, years 0001-9999).
 *
 * A date is a count of days (date_t); day arithmetic is integer arithmetic.
 * Text form is exactly YYYY-MM-DD: "2019-02-30", "2019-13-01", "19-1-1" and
 * "2019-1-1" are all refused with a message that says why.
 */
#ifndef LIAISON_CORE_DATE_H
#define LIAISON_CORE_DATE_H

#include <stdbool.h>
#include <stdint.h>

#include "err.h"

typedef int32_t date_t; /* days since 1970-01-01 (negative before) */

#define DATE_TEXT_LEN 10 /* "YYYY-MM-DD" */
#define DATE_BUF_SIZE 11 /* with its NUL */
#define DATE_YEAR_MIN 1
#define DATE_YEAR_MAX 9999
#define DATE_MIN      ((date_t)-719162) /* 0001-01-01 */
#define DATE_MAX      ((date_t)2932896) /* 9999-12-31 */

/* True when y is a Gregorian leap year. */
bool date_is_leap(int y);

/* Days in month m (1-12) of year y; 0 when m is out of range. */
int date_days_in_month(int y, int m);

/* Days in year y: 365 or 366. */
int date_days_in_year(int y);

/*
 * Builds a date from year, month, day. Returns 0, or LERR_INVAL (out is set
 * to 0) with a message naming the part that does not exist.
 */
int date_from_ymd(int y, int m, int d, date_t *out, struct lerr *e)
    __attribute__((warn_unused_result));

/* Splits a date into year, month, day; one outside DATE_MIN..DATE_MAX as the nearest in it. */
void date_to_ymd(date_t t, int *y, int *m, int *d);

/*
 * Parses exactly "YYYY-MM-DD" (NUL-terminated). Returns 0, or LERR_INVAL with
 * a message that quotes the text and says what is wrong.
 */
int date_parse(const char *s, date_t *out, struct lerr *e)
    __attribute__((warn_unused_result, nonnull(1, 2)));

/* Writes "YYYY-MM-DD" and its NUL into buf; returns buf. */
char *date_format(date_t t, char buf[DATE_BUF_SIZE]);

/*
 * Adds n whole years, keeping month and day; 29 February in a common year
 * becomes 1 March. Returns 0, or LERR_INVAL when the result leaves the range.
 */
int date_add_years(date_t t, int n, date_t *out) __attribute__((warn_unused_result));

/*
 * Month m and day d (as date_to_ymd gives them) in year y, by the same rule:
 * 29 February in a common year is 1 March. Returns 0, or LERR_INVAL for a
 * year outside the range.
 */
int date_in_year(long y, int m, int d, date_t *out) __attribute__((warn_unused_result));

/* Day of week, 0 = Monday .. 6 = Sunday. */
int date_weekday(date_t t);

#endif
