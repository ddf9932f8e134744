/*
 * metrics.c - GET /metrics: the daemon's counters and the node's state in
 * Prometheus's text format (0.0.4), for an auditor's token.
 *
 * Counted as requests end (http.c): requests by route and status, and their
 * latency; decisions enforced, by action, outcome and failed rule (node/'s
 * observer, from each worker's node). Read at each scrape: the log's size, each peer's outbox by
 * state, its witnessing (size, age, alarm), the compromise reports received, the connections cut
 * for being too slow.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../node/log.h"
#include "../node/peer.h"
#include "../node/views.h"
#include "internal.h"

/* The statuses counted by name; any other is "other". */
static const unsigned statuses[METRICS_STATUSES - 1] = {200, 201, 204, 400, 401, 403, 404,
							405, 409, 413, 429, 500, 503, 507};
/* Latency buckets' upper bounds, in seconds (+Inf last). */
static const double bounds[METRICS_BUCKETS - 1] = {0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5};

/* The rules a denial is counted by: its first failed one (the last: any other). */
static const char *const rules[METRICS_RULES - 1] = {
    "R-ROLE",	    "R-IN-FORCE", "R-CLEARANCE",   "R-NTK",    "R-RELEASABLE", "R-RECEIVED",
    "R-CONTINUING", "R-PURPOSE",  "R-THIRD-PARTY", "R-EXPORT", "R-MARKING",    "R-DOWNGRADE"};

void metrics_decision(void *cls, const struct decision *d)
{
	struct metrics *m = cls;
	size_t k = 0;
	if (!d->permit) {
		const char *failed = NULL;
		for (size_t i = 0; i < d->nrules && !failed; i++)
			if (!d->rules[i].ok)
				failed = d->rules[i].id;
		while (k < METRICS_RULES - 1 && (!failed || strcmp(rules[k], failed) != 0))
			k++;
		k++; /* [0] is PERMIT */
	}
	if ((unsigned)d->action < ACT__COUNT)
		atomic_fetch_add(&m->decisions[d->action][k], 1);
}

static void decisions(FILE *f, struct metrics *m)
{
	fputs("# HELP liaison_decisions_total Decisions enforced (logged), by action and outcome; "
	      "a denial by its first failed rule.\n"
	      "# TYPE liaison_decisions_total counter\n",
	      f);
	for (int a = 0; a < ACT__COUNT; a++)
		for (size_t k = 0; k <= METRICS_RULES; k++) {
			unsigned long long v = atomic_load(&m->decisions[a][k]);
			if (!v)
				continue;
			fprintf(f,
				"liaison_decisions_total{action=\"%s\",outcome=\"%s\",rule=\"%s\"} "
				"%llu\n",
				action_name((enum action)a), k ? "DENY" : "PERMIT",
				!k			 ? ""
				: k <= METRICS_RULES - 1 ? rules[k - 1]
							 : "other",
				v);
		}
}

void metrics_observe(struct metrics *m, size_t route, unsigned status, double seconds)
{
	size_t k = 0;
	while (k < METRICS_STATUSES - 1 && statuses[k] != status)
		k++;
	atomic_fetch_add(&m->requests[route < METRICS_ROUTES ? route : METRICS_ROUTES][k], 1);
	size_t b = 0;
	while (b < METRICS_BUCKETS - 1 && seconds > bounds[b])
		b++;
	atomic_fetch_add(&m->latency[b], 1);
	atomic_fetch_add(&m->latency_us, (unsigned long long)(seconds * 1e6));
}

/* A label value as Prometheus reads it: \, " and newline escaped. */
static void label(FILE *f, const char *v)
{
	for (; *v; v++)
		*v == '\\' || *v == '"' ? fprintf(f, "\\%c", *v)
		: *v == '\n'		? fputs("\\n", f)
					: (void)fputc(*v, f);
}

static void requests(FILE *f, struct metrics *m, const char *(*name)(size_t, char *, size_t))
{
	fputs("# HELP liaison_requests_total Requests answered, by route and status.\n"
	      "# TYPE liaison_requests_total counter\n",
	      f);
	for (size_t r = 0; r <= METRICS_ROUTES; r++)
		for (size_t k = 0; k < METRICS_STATUSES; k++) {
			unsigned long long v = atomic_load(&m->requests[r][k]);
			char route[160];
			if (!v)
				continue;
			fputs("liaison_requests_total{route=\"", f);
			label(f, r < METRICS_ROUTES ? name(r, route, sizeof route) : "(no route)");
			if (k < METRICS_STATUSES - 1)
				fprintf(f, "\",status=\"%u\"} %llu\n", statuses[k], v);
			else
				fprintf(f, "\",status=\"other\"} %llu\n", v);
		}
	fputs("# HELP liaison_request_duration_seconds Time from a request's first byte to its "
	      "answer's last.\n# TYPE liaison_request_duration_seconds histogram\n",
	      f);
	unsigned long long sum = 0;
	for (size_t b = 0; b < METRICS_BUCKETS; b++) {
		sum += atomic_load(&m->latency[b]);
		if (b < METRICS_BUCKETS - 1)
			fprintf(f, "liaison_request_duration_seconds_bucket{le=\"%g\"} %llu\n",
				bounds[b], sum);
		else
			fprintf(f, "liaison_request_duration_seconds_bucket{le=\"+Inf\"} %llu\n",
				sum);
	}
	fprintf(f, "liaison_request_duration_seconds_sum %.6f\n",
		(double)atomic_load(&m->latency_us) / 1e6);
	fprintf(f, "liaison_request_duration_seconds_count %llu\n", sum);
	fprintf(f,
		"# HELP liaison_questions_asked_again_total Questions answered in a light read "
		"(their store's generation read outside any transaction: one statement on "
		"PostgreSQL, none on SQLite when nothing was committed since) and asked again "
		"in a transaction because the store moved while they were read.\n"
		"# TYPE liaison_questions_asked_again_total counter\n"
		"liaison_questions_asked_again_total %llu\n"
		"# HELP liaison_generation_known_total Light questions that read no generation "
		"(SQLite: nothing committed to the store since their worker last read it).\n"
		"# TYPE liaison_generation_known_total counter\n"
		"liaison_generation_known_total %llu\n",
		(unsigned long long)atomic_load(&m->asked_again),
		(unsigned long long)atomic_load(&m->generation_known));
}

/* The compromise reports received, all and those not acknowledged. */
static int reports(FILE *f, struct node *n, struct lerr *e)
{
	uint64_t all, open;
	int r = view_report_counts(n, NULL, &all, &open, e);
	if (r < 0)
		return r;
	fprintf(f,
		"# HELP liaison_compromise_reports_received Compromise reports peers sent "
		"this node.\n"
		"# TYPE liaison_compromise_reports_received gauge\n"
		"liaison_compromise_reports_received %llu\n"
		"# HELP liaison_compromise_reports_open Compromise reports no security officer "
		"has acknowledged (the node's alarm while above 0).\n"
		"# TYPE liaison_compromise_reports_open gauge\n"
		"liaison_compromise_reports_open %lld\n",
		(unsigned long long)all, (long long)open);
	return 0;
}

/* Each peer: its outbox by state, its log as last witnessed, its alarm. */
static int peers(FILE *f, struct node *n, struct lerr *e)
{
	json_t *o = NULL, *p;
	struct store_peer *list = NULL;
	size_t np = 0, i;
	int r = view_peers(n, &o, e);
	if (r == 0)
		r = node_peer_list(n, &list, &np, e);
	if (r < 0) {
		json_decref(o);
		return r;
	}
	fputs("# HELP liaison_outbox_messages Messages to each peer, by state.\n"
	      "# TYPE liaison_outbox_messages gauge\n",
	      f);
	json_array_foreach (json_object_get(o, "peers"), i, p) {
		static const char *const states[] = {"queued", "delivered", "refused"};
		for (size_t k = 0; k < 3; k++) {
			fputs("liaison_outbox_messages{peer=\"", f);
			label(f, json_string_value(json_object_get(p, "party")));
			fprintf(f, "\",state=\"%s\"} %lld\n", states[k],
				(long long)json_integer_value(
				    json_object_get(json_object_get(p, "outbox"), states[k])));
		}
	}
	fputs("# HELP liaison_peer_log_witnessed_size The size of each peer's log as last "
	      "witnessed.\n# TYPE liaison_peer_log_witnessed_size gauge\n"
	      "# HELP liaison_peer_log_witnessed_age_seconds Since each peer's log was last "
	      "witnessed.\n# TYPE liaison_peer_log_witnessed_age_seconds gauge\n"
	      "# HELP liaison_peer_alarm 1 while a peer's log has raised an alarm.\n"
	      "# TYPE liaison_peer_alarm gauge\n",
	      f);
	const long long now = (long long)time(NULL);
	for (size_t k = 0; k < np; k++) {
		const struct store_peer *q = &list[k];
		if (q->witnessed) {
			fputs("liaison_peer_log_witnessed_size{peer=\"", f);
			label(f, q->party);
			fprintf(f, "\"} %llu\nliaison_peer_log_witnessed_age_seconds{peer=\"",
				(unsigned long long)q->witnessed_size);
			label(f, q->party);
			fprintf(f, "\"} %lld\n", now - (long long)q->witnessed_at);
		}
		fputs("liaison_peer_alarm{peer=\"", f);
		label(f, q->party);
		fprintf(f, "\"} %d\n", q->alarm[0] != '\0');
	}
	free(list);
	json_decref(o);
	return 0;
}

int metrics_render(struct server *s, struct node *n,
		   const char *(*route_name)(size_t, char *, size_t), char **text, size_t *len,
		   struct lerr *e)
{
	uint64_t size = 0;
	*text = NULL;
	*len = 0;
	FILE *f = open_memstream(text, len);
	if (!f)
		return lerr_set(e, LERR_NOMEM, "out of memory");
	requests(f, &s->metrics, route_name);
	decisions(f, &s->metrics);
	if (s->batch) {
		uint64_t commits, entries;
		log_batch_counts(s->batch, &commits, &entries);
		fprintf(f,
			"# HELP liaison_log_group_commits_total Commits of decisions logged in "
			"transactions of their own (several threads' at once share one).\n"
			"# TYPE liaison_log_group_commits_total counter\n"
			"liaison_log_group_commits_total %llu\n"
			"# HELP liaison_log_group_entries_total Entries those commits carried.\n"
			"# TYPE liaison_log_group_entries_total counter\n"
			"liaison_log_group_entries_total %llu\n",
			(unsigned long long)commits, (unsigned long long)entries);
	}
	if (s->gate) {
		uint64_t reads, asks, failed;
		gen_gate_counts(s->gate, &reads, &asks, &failed);
		fprintf(
		    f,
		    "# HELP liaison_generation_reads_total Reads of the store's generation "
		    "made for light questions waiting (PostgreSQL: one for many), that answered.\n"
		    "# TYPE liaison_generation_reads_total counter\n"
		    "liaison_generation_reads_total %llu\n"
		    "# HELP liaison_generation_asks_total Light questions those reads "
		    "answered.\n"
		    "# TYPE liaison_generation_asks_total counter\n"
		    "liaison_generation_asks_total %llu\n"
		    "# HELP liaison_generation_read_errors_total Those reads that failed (their "
		    "questions read the generation themselves).\n"
		    "# TYPE liaison_generation_read_errors_total counter\n"
		    "liaison_generation_read_errors_total %llu\n",
		    (unsigned long long)reads, (unsigned long long)asks,
		    (unsigned long long)failed);
	}
	int r = node_log_size(n, &size, e);
	if (r == 0) {
		fprintf(f,
			"# HELP liaison_log_entries Entries in the node's transparency log.\n"
			"# TYPE liaison_log_entries gauge\nliaison_log_entries %llu\n",
			(unsigned long long)size);
		fprintf(f,
			"# HELP liaison_connections_cut_total Connections cut for sending too "
			"slowly.\n# TYPE liaison_connections_cut_total counter\n"
			"liaison_connections_cut_total %lu\n",
			(unsigned long)atomic_load(&s->guard.cut));
		r = peers(f, n, e);
	}
	if (r == 0)
		r = reports(f, n, e);
	if (fclose(f) != 0 && r == 0)
		r = lerr_set(e, LERR_NOMEM, "out of memory");
	if (r < 0) {
		free(*text);
		*text = NULL;
	}
	return r;
}
