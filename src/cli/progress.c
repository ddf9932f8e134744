/* progress.c - a progress line on stderr for long seals and opens. */
#include <stdio.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"

#define PROGRESS_MIN_BYTES (64u << 20) /* smaller inputs finish too fast to watch */

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void cli_progress_start(struct cli_progress *p, const char *verb, const char *in, bool quiet)
{
	struct stat sb;
	p->on = false;
	p->verb = verb;
	p->total = 0;
	if (quiet || !isatty(STDERR_FILENO))
		return;
	if (in && stat(in, &sb) == 0 && S_ISREG(sb.st_mode)) {
		if ((uint64_t)sb.st_size < PROGRESS_MIN_BYTES)
			return;
		p->total = (uint64_t)sb.st_size;
	}
	p->on = true;
	p->start = p->last = now();
}

void cli_progress_update(void *arg, uint64_t bytes)
{
	struct cli_progress *p = arg;
	if (!p || !p->on)
		return;
	double t = now();
	if (t - p->last < 0.2 && p->last > p->start)
		return; /* at most five lines a second, after the first */
	p->last = t;
	double mib = (double)bytes / (1 << 20), rate = mib / (t - p->start + 1e-9);
	if (p->total)
		fprintf(stderr, "\r%s %3.0f%%  %.0f / %.0f MiB  %.0f MiB/s ", p->verb,
			100.0 * (double)bytes / (double)p->total, mib, (double)p->total / (1 << 20),
			rate);
	else
		fprintf(stderr, "\r%s %.0f MiB  %.0f MiB/s ", p->verb, mib, rate);
}

void cli_progress_end(struct cli_progress *p)
{
	if (p->on)
		fprintf(stderr, "\r\033[K");
	p->on = false;
}
