/*
 * args.h - a request's arguments, parsed against a table: the JSON body and
 * the query string's (name, value) pairs. Pure (no libmicrohttpd, no I/O):
 * the handlers of api.c and fuzz/fuzz_args.c call the same code.
 *
 * A table is an array of struct arg_spec ended by {0}. Each names an
 * argument, its kind and where its value goes; an argument absent leaves
 * its destination as the caller set it (the default). Anything the table
 * does not name is refused, as is a value of the wrong kind, a single
 * value given twice, and a missing required one: LERR_INVAL (400) with
 * the argument's name first in the message.
 */
#ifndef LIAISON_NET_ARGS_H
#define LIAISON_NET_ARGS_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../core/date.h"
#include "../core/err.h"
#include "../log/merkle.h"

#define ARGS_MAX 32 /* arguments in one table (the rest are never matched) */

enum arg_kind {
	ARG_STRING, /* body: a JSON string; query: the text */
	ARG_BOOL,   /* body: true or false; query: "true" or "false" */
	ARG_DATE,   /* YYYY-MM-DD, a real day (date_parse) */
	ARG_COUNT,  /* body: an integer >= 0; query: decimal digits */
	ARG_LIST,   /* query only: every value of a repeated argument */
	ARG_HASHES, /* body only: an array of base64 SHA-256 hashes (a proof) */
};

struct arg_list {
	const char **v;
	size_t n, max;
};

struct arg_hashes {
	uint8_t (*h)[MERKLE_HASH]; /* room for MERKLE_PATH_MAX */
	size_t n;
};

struct arg_spec {
	const char *name;
	enum arg_kind kind;
	bool required;
	/* the one destination of the kind */
	const char **str;	   /* ARG_STRING; also the text of ARG_DATE when set */
	bool *flag;		   /* ARG_BOOL */
	date_t *date;		   /* ARG_DATE */
	uint64_t *count;	   /* ARG_COUNT */
	struct arg_list *list;	   /* ARG_LIST */
	struct arg_hashes *hashes; /* ARG_HASHES */
	bool *given;		   /* optional: set when the argument is present */
};

/* One query argument as the server decoded it (value NULL for "?name"). */
struct arg_pair {
	const char *name, *value;
};

/*
 * The body (len bytes, need not end in NUL; NULL for none) as a JSON object against spec.
 * Returns the parsed tree, which owns the strings the destinations point
 * to (json_decref() it when done), or NULL with e set.
 */
json_t *args_body(const char *buf, size_t len, const struct arg_spec *spec, struct lerr *e)
    __attribute__((nonnull(3)));

/* The n query pairs against spec; 0, or LERR_INVAL with e set. Strings
 * point into the pairs. */
int args_query(const struct arg_pair *q, size_t n, const struct arg_spec *spec, struct lerr *e)
    __attribute__((nonnull(3)));

#endif
