/*
 * remote.h - the CLI talking to a node's daemon as a person: LIAISON_URL
 * and LIAISON_TOKEN, or what `liaison login` kept. The same commands, the
 * same answers as on the node's folder; the daemon decides as the token's
 * person (docs/cli.md, "A node through its daemon").
 */
#ifndef LIAISON_CLI_REMOTE_H
#define LIAISON_CLI_REMOTE_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "cli.h"

#define REMOTE_URL_MAX	512
#define REMOTE_PATH_MAX 2048

/*
 * Decides where the commands go (c->remote): --home, then LIAISON_URL
 * (with LIAISON_TOKEN, or the login kept for that URL), then LIAISON_HOME,
 * then a login kept by `liaison login`; else the folder ./.liaison. Prints
 * the error and returns its exit code when the login file is unsafe or a
 * token is missing.
 */
int remote_setup(struct cli *c) __attribute__((nonnull));

/* Releases c->remote (the token wiped). */
void remote_free(struct remote *r);

/* A request to the daemon. */
struct remote_req {
	const char *method; /* "GET", "POST" */
	char path[REMOTE_PATH_MAX];
	bool cut;	      /* the path did not fit: remote_call refuses to send it */
	json_t *body;	      /* a JSON body (the caller's), or NULL */
	const char *upload;   /* a file to send as the body, or NULL */
	const char *download; /* a successful answer's bytes go to this file */
	bool force;	      /* download: replace a file there */
	const char *consent;  /* upload: a consent document sent with it (PEER_H_CONSENT) */
	size_t consent_len;
	uint64_t bytes;	    /* download: how many were written */
	char *consent_back; /* download: the answer's PEER_H_CONSENT, or NULL (free() it) */
};

/* rq's path: base, then param escaped (NULL: none), then rest (NULL: none). */
void remote_path(struct remote_req *rq, const char *base, const char *param, const char *rest)
    __attribute__((nonnull(1, 2)));

/* Appends name=value (escaped) to rq's query; value NULL: nothing. */
void remote_query(struct remote_req *rq, const char *name, const char *value)
    __attribute__((nonnull(1, 2)));

/*
 * Sends rq. On a 2xx answer: EXIT_OK, *out its JSON (NULL for a download
 * or an empty answer; json_decref() it) and *status the status. On an
 * error answer it is shown as the node's own would be (a denial with its
 * decision) and its exit code returned.
 */
int remote_call(const struct cli *c, struct remote_req *rq, json_t **out, long *status)
    __attribute__((nonnull(1, 2, 3)));

/*
 * A command's answer, asked of the node or of its daemon: through the
 * daemon, remote_call(rq) into *o; on the node, `local` (what the view
 * returned, *o already set) with its error e shown when it failed.
 */
int remote_answer(const struct cli *c, int local, const struct lerr *e, struct remote_req *rq,
		  json_t **o) __attribute__((nonnull(1, 5)));

/* A list command's page: --after ID and --limit N (1 to 1000), as given. */
struct cli_list {
	const char *key, *id_key; /* the list in the answer, its elements' id */
	const char *after, *limit;
};
#define CLI_PAGE_OPTS(l) OPT_VAL("after", &(l).after), OPT_VAL("limit", &(l).limit)

/*
 * remote_answer of a list, cut to the page l asks for: the query's after
 * and limit through a daemon, view_page on the node (*o always gets "next").
 * In text mode, where the next page starts is said on stderr.
 */
int remote_list(const struct cli *c, int local, struct lerr *e, struct remote_req *rq,
		const struct cli_list *l, json_t **o) __attribute__((nonnull(1, 3, 4, 5, 6)));

/* remote_answer of GET base (then id, when not NULL, escaped). */
int remote_get(const struct cli *c, int local, const struct lerr *e, const char *base,
	       const char *id, json_t **o) __attribute__((nonnull(1, 4, 6)));

/* The token's person (GET /v1/me, asked once); prints the error. */
int remote_person(const struct cli *c, const char **id) __attribute__((nonnull));

/*
 * Who acts: on the node's folder, the person opt (--by) names (the
 * operator enters the act for them), required; through a daemon the
 * token's person, whom opt may only name. *who is theirs. cmd names the
 * action in the error.
 */
int remote_acting(const struct cli *c, const char *cmd, const char *opt, const char **who)
    __attribute__((nonnull));

/*
 * In remote mode an act is the token's person's: --by (or --person) may
 * only name them. EXIT_OK, or a usage error naming both.
 */
int remote_same_person(const struct cli *c, const char *opt, const char *given)
    __attribute__((nonnull(1, 2)));

#endif
