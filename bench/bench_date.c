/*
 * bench_date.c - civil dates and agreement states, against glibc.
 *
 * The peer: glibc's strptime + timegm + strftime, the usual C way to read a
 * YYYY-MM-DD, count days and print it back. Both sides parse the same
 * dates, add 90 days and format the result; the ratio is glibc's time over
 * liaison's. Then agreement_state() on the 2019 example, every day of
 * 2016-2024, for scale (no peer does the lifecycle arithmetic).
 */
#define _XOPEN_SOURCE 700
#define _DEFAULT_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/agreement.h"
#include "core/date.h"

#define N 1000000

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(void)
{
	static char in[N][DATE_BUF_SIZE];
	srand(20191123);
	for (int i = 0; i < N; i++)
		date_format((date_t)(rand() % 40000) - 5000, in[i]);

	unsigned long sink = 0;
	double t0 = now();
	for (int i = 0; i < N; i++) {
		date_t d;
		char out[DATE_BUF_SIZE];
		if (date_parse(in[i], &d, NULL) < 0)
			return 1;
		sink += (unsigned char)date_format(d + 90, out)[9];
	}
	double ours = now() - t0;

	t0 = now();
	for (int i = 0; i < N; i++) {
		struct tm tm;
		memset(&tm, 0, sizeof tm);
		if (!strptime(in[i], "%Y-%m-%d", &tm))
			return 1;
		time_t t = timegm(&tm) + 90 * 86400;
		char out[DATE_BUF_SIZE + 8];
		gmtime_r(&t, &tm);
		strftime(out, sizeof out, "%Y-%m-%d", &tm);
		sink += (unsigned char)out[9];
	}
	double glibc = now() - t0;
	printf("dates: parse + 90 days + format, %d dates\n", N);
	printf("  liaison  %7.1f ns/date\n", ours / N * 1e9);
	printf("  glibc    %7.1f ns/date (strptime + timegm + strftime)\n", glibc / N * 1e9);
	printf("  ratio    %.2fx (glibc time / liaison time)\n", glibc / ours);

	struct agreement *a = calloc(1, sizeof *a);
	if (!a)
		return 1;
	snprintf(a->id, sizeof a->id, "JPN-KOR-GSOMIA");
	a->nparties = 2;
	a->term_years = a->renewal_years = 1;
	a->notice_days = 90;
	const char *evs[][3] = {{"2016-11-23", "signed", ""}, {"2016-11-23", "in-force", ""},
				{"2019-08-23", "notice", "KOR"}, {"2019-11-22", "notice-suspended", "KOR"},
				{"2023-03-21", "notice-withdrawn", "KOR"}};
	for (size_t i = 0; i < 5; i++) {
		struct agr_event *ev = &a->events[a->nevents++];
		if (date_parse(evs[i][0], &ev->date, NULL) < 0 ||
		    agr_event_kind_parse(evs[i][1], &ev->kind, NULL) < 0)
			return 1;
		snprintf(ev->by, sizeof ev->by, "%s", evs[i][2]);
	}
	date_t from, to;
	if (date_parse("2016-01-01", &from, NULL) < 0 || date_parse("2024-12-31", &to, NULL) < 0)
		return 1;
	int rounds = 100;
	t0 = now();
	for (int r = 0; r < rounds; r++)
		for (date_t d = from; d <= to; d++) {
			struct agr_state st;
			agreement_state(a, d, AGR_NONE, &st);
			sink += st.state;
		}
	double states = now() - t0;
	long n = (long)rounds * (to - from + 1);
	printf("agreement_state: the 2019 example, %ld days\n", n);
	printf("  liaison  %7.1f ns/state (%.2f M states/s)\n", states / n * 1e9, n / states / 1e6);
	free(a);
	return sink == 42 ? 2 : 0;
}
