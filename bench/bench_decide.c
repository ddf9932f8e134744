/*
 * bench_decide.c - liaison's decision engine on a million random requests,
 * and the same requests written out for Cedar (bench/decide/cedar.mjs).
 *
 * The world: JPN and KOR with their schemes, the Japan-ROK agreement with
 * its real events (and, for half the people's party, as if the suspension
 * had not happened), 200 people and 200 items. A request: a person reading
 * an item on a date in 2016-2026 with a purpose. Cedar gets the same facts
 * as entity attributes and context: the levels each party must hold (the
 * equivalence table, worked out), and the agreement's state on the day of
 * receipt and on the day (the lifecycle arithmetic, which Cedar cannot do).
 * liaison's time includes all of that; Cedar's does not.
 *
 * usage: bench_decide OUT.json   (prints liaison's time in seconds last)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/decide.h"

#define N      1000000
#define NP     200
#define NI     200
#define NCEDAR 200000

static uint64_t rng = 0x9E3779B97F4A7C15ull;
static uint64_t next(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void level(struct party *p, const char *code, int rank)
{
	struct scheme_level *l = &p->levels[p->nlevels++];
	snprintf(l->code, sizeof l->code, "%s", code);
	snprintf(l->name, sizeof l->name, "%s", code);
	l->rank = rank;
}

static void event(struct agreement *a, const char *d, enum agr_event_kind k, const char *by)
{
	struct agr_event *e = &a->events[a->nevents];
	if (date_parse(d, &e->date, NULL) < 0)
		exit(1);
	e->kind = k;
	snprintf(e->by, sizeof e->by, "%s", by);
	e->seq = (int64_t)a->nevents++;
}

static void row(struct agreement *a, const char *common, const char *party, const char *lv)
{
	struct agr_equiv *r = NULL;
	for (size_t i = 0; i < a->nequiv; i++)
		if (!strcmp(a->equiv[i].common, common))
			r = &a->equiv[i];
	if (!r) {
		r = &a->equiv[a->nequiv++];
		snprintf(r->common, sizeof r->common, "%s", common);
	}
	snprintf(r->levels[r->n].party, PARTY_CODE_MAX, "%s", party);
	snprintf(r->levels[r->n].level, LEVEL_CODE_MAX, "%s", lv);
	r->n++;
}

static const char *const purposes[] = {"warning", "analysis", "targeting"};
static const char *const groups[] = {"MISSILE-WARNING", "NAVAL", ""};
static const char *const role_names_[] = {"analyst", "originator", "security-officer", "registrar",
					  "auditor"};

struct req {
	int p, i, purpose;
	date_t date;
};

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: bench_decide OUT.json\n");
		return 2;
	}
	static struct party sch[2];
	snprintf(sch[0].code, PARTY_CODE_MAX, "JPN");
	level(&sch[0], "HI", 1);
	level(&sch[0], "GOKUHI", 2);
	level(&sch[0], "TOKUTEI", 2);
	snprintf(sch[1].code, PARTY_CODE_MAX, "KOR");
	level(&sch[1], "III", 1);
	level(&sch[1], "II", 2);
	level(&sch[1], "I", 3);
	static struct agreement g;
	snprintf(g.id, sizeof g.id, "JPN-KOR-GSOMIA");
	g.nparties = 2;
	snprintf(g.parties[0], PARTY_CODE_MAX, "JPN");
	snprintf(g.parties[1], PARTY_CODE_MAX, "KOR");
	g.term_years = g.renewal_years = 1;
	g.notice_days = 90;
	row(&g, "SECRET", "JPN", "GOKUHI");
	row(&g, "SECRET", "JPN", "TOKUTEI");
	row(&g, "SECRET", "KOR", "II");
	row(&g, "CONFIDENTIAL", "JPN", "HI");
	row(&g, "CONFIDENTIAL", "KOR", "III");
	event(&g, "2016-11-23", AGR_EV_IN_FORCE, "");
	event(&g, "2019-08-23", AGR_EV_NOTICE, "KOR");
	event(&g, "2019-11-22", AGR_EV_SUSPENDED, "KOR");
	static struct person ps[NP];
	static struct item_view its[NI];
	date_t base;
	if (date_parse("2016-01-01", &base, NULL) < 0)
		return 1;
	for (int k = 0; k < NP; k++) {
		struct person *p = &ps[k];
		const struct party *s = &sch[next() % 2];
		snprintf(p->id, sizeof p->id, "p%d", k);
		snprintf(p->party, sizeof p->party, "%s", s->code);
		snprintf(p->name, sizeof p->name, "P%d", k);
		p->roles = (unsigned)(next() % 31) + 1;
		p->nclear = next() % 10 != 0;
		snprintf(p->clear[0].level, sizeof p->clear[0].level, "%s",
			 s->levels[next() % s->nlevels].code);
		p->clear[0].from = base + (date_t)(next() % 1500);
		p->clear[0].to = p->clear[0].from + (date_t)(next() % 3000);
		for (int j = 0; j < 2; j++)
			if (next() % 2)
				snprintf(p->ntk[p->nntk++], LABEL_WORD_MAX, "%s", groups[j]);
	}
	for (int k = 0; k < NI; k++) {
		struct item_view *it = &its[k];
		const struct party *s = &sch[next() % 2];
		struct label *l = &it->label;
		snprintf(l->item, sizeof l->item, "i%d", k);
		snprintf(l->originator, sizeof l->originator, "%s", s->code);
		snprintf(l->level, sizeof l->level, "%s", s->levels[next() % s->nlevels].code);
		snprintf(l->title, sizeof l->title, "item %d", k);
		if (next() % 4)
			snprintf(l->releasable[l->nreleasable++], PARTY_CODE_MAX, "%s",
				 sch[(s - sch) ^ 1].code);
		snprintf(l->ntk, sizeof l->ntk, "%s", groups[next() % 3]);
		for (int j = 0; j < 2; j++)
			if (next() % 2)
				snprintf(l->purposes[l->npurposes++], LABEL_WORD_MAX, "%s",
					 purposes[j]);
		l->revocable = next() % 3 == 0;
		it->received = base + (date_t)(next() % 3650);
	}
	/* each item as its own party's people see it and as the other's: the
	 * view a node's store gives, made once here, not per request */
	static struct item_view views[2][NI];
	for (int k = 0; k < NI; k++)
		for (int s = 0; s < 2; s++) {
			views[s][k] = its[k];
			views[s][k].foreign = strcmp(its[k].label.originator, sch[s].code) != 0;
		}
	struct req *rq = malloc(N * sizeof *rq);
	unsigned char *dec = malloc(N);
	if (!rq || !dec)
		return 1;
	for (int k = 0; k < N; k++) {
		rq[k].p = (int)(next() % NP);
		rq[k].i = (int)(next() % NI);
		rq[k].purpose = (int)(next() % 3);
		rq[k].date = base + (date_t)(next() % 3650);
	}
	/* twice: with every rule's words (what an access check answers and the
	 * log keeps), and outcomes only (what a list's filter asks) */
	double elapsed = 0, brief = 0;
	size_t permits = 0, brief_permits = 0;
	for (int pass = 0; pass < 2; pass++) {
		double t0 = now();
		size_t *count = pass ? &brief_permits : &permits;
		for (int k = 0; k < N; k++) {
			const struct person *p = &ps[rq[k].p];
			int s = p->party[0] == 'J' ? 0 : 1;
			struct decide_request r = {.action = ACT_READ,
						   .date = rq[k].date,
						   .person = p,
						   .scheme = &sch[s],
						   .item = &views[s][rq[k].i],
						   .agreement = &g,
						   .purpose = purposes[rq[k].purpose],
						   .outcome_only = pass == 1};
			struct decision d;
			decide(&r, &d);
			if (pass && dec[k] != d.permit) {
				fprintf(stderr, "request %d: the outcome alone differs\n", k);
				return 1;
			}
			dec[k] = d.permit;
			*count += d.permit;
		}
		*(pass ? &brief : &elapsed) = now() - t0;
	}

	FILE *f = fopen(argv[1], "w");
	if (!f)
		return 1;
	fprintf(f, "{\"people\":[");
	for (int k = 0; k < NP; k++) {
		const struct person *p = &ps[k];
		const struct party *s = p->party[0] == 'J' ? &sch[0] : &sch[1];
		const struct scheme_level *lv = party_level(s, p->clear[0].level);
		fprintf(f,
			"%s{\"party\":\"%s\",\"rank\":%d,\"cleared\":%s,\"from\":%d,\"to\":%d,"
			"\"roles\":[",
			k ? "," : "", p->party, lv ? lv->rank : 0, p->nclear ? "true" : "false",
			p->clear[0].from, p->clear[0].to);
		int first = 1;
		for (int b = 0; b < 5; b++)
			if (p->roles & (1u << b)) {
				fprintf(f, "%s\"%s\"", first ? "" : ",", role_names_[b]);
				first = 0;
			}
		fprintf(f, "],\"ntk\":[");
		for (size_t j = 0; j < p->nntk; j++)
			fprintf(f, "%s\"%s\"", j ? "," : "", p->ntk[j]);
		fprintf(f, "]}");
	}
	fprintf(f, "],\"items\":[");
	for (int k = 0; k < NI; k++) {
		const struct label *l = &its[k].label;
		fprintf(f, "%s{\"originator\":\"%s\",\"ntk\":\"%s\",\"revocable\":%s", k ? "," : "",
			l->originator, l->ntk, l->revocable ? "true" : "false");
		for (int s = 0; s < 2; s++) {
			const struct scheme_level *need =
			    decide_required_level(l, &sch[s], &g, NULL);
			if (need)
				fprintf(f, ",\"required%s\":%d", sch[s].code, need->rank);
		}
		fprintf(f, ",\"releasable\":[");
		for (size_t j = 0; j < l->nreleasable; j++)
			fprintf(f, "%s\"%s\"", j ? "," : "", l->releasable[j]);
		fprintf(f, "],\"purposes\":[");
		for (size_t j = 0; j < l->npurposes; j++)
			fprintf(f, "%s\"%s\"", j ? "," : "", l->purposes[j]);
		fprintf(f, "]}");
	}
	fprintf(f, "],\"requests\":[");
	for (int k = 0; k < NCEDAR; k++) {
		struct agr_state then, today;
		agreement_state(&g, its[rq[k].i].received, AGR_NONE, &then);
		agreement_state(&g, rq[k].date, AGR_NONE, &today);
		bool in_then = then.state == AGR_IN_FORCE || then.state == AGR_UNDER_NOTICE;
		bool in_now = today.state == AGR_IN_FORCE || today.state == AGR_UNDER_NOTICE;
		fprintf(f, "%s[%d,%d,%d,\"%s\",%d,%d,%d,%d]", k ? "," : "", rq[k].p, rq[k].i,
			rq[k].date, purposes[rq[k].purpose], in_then, in_now,
			today.state == AGR_TERMINATED, dec[k]);
	}
	fprintf(f, "]}\n");
	if (fclose(f) != 0)
		return 1;
	printf("liaison decide(): %d decisions in %.3f s: %.0f decisions/s (%zu PERMIT)\n", N,
	       elapsed, N / elapsed, permits);
	printf("liaison decide(), outcomes only (a list's filter): %d decisions in %.3f s: %.0f "
	       "decisions/s (%zu PERMIT)\n",
	       N, brief, N / brief, brief_permits);
	printf("%.6f %.6f\n", elapsed, brief);
	free(rq);
	free(dec);
	return 0;
}
