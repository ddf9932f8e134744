/* fuzz_args.c - what a client sends the daemon besides a payload: a JSON
 * body or a query string, against argument tables like the endpoints'
 * (net/args.h). The first byte chooses the source; a query string is cut
 * at '&' and '=' and decoded by libmicrohttpd's own MHD_http_unescape, as
 * the server does. No crash, no leak; what is taken has the kind asked
 * for; what is refused says why. */
#include <microhttpd.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "net/args.h"

struct vals {
	const char *str[3];
	bool flag, given[8];
	date_t date;
	uint64_t count;
	const char *many[4];
	struct arg_list list;
	uint8_t path[MERKLE_PATH_MAX][MERKLE_HASH];
	struct arg_hashes hashes;
};

static void table(struct vals *v, bool body, struct arg_spec *spec)
{
	memset(v, 0, sizeof *v);
	v->list = (struct arg_list){v->many, 0, 4};
	v->hashes.h = v->path;
	v->date = 1;
	struct arg_spec t[] = {
	    {"to", ARG_STRING, true, .str = &v->str[0], .given = &v->given[0]},
	    {"purpose", ARG_STRING, .str = &v->str[1], .given = &v->given[1]},
	    {"send", ARG_BOOL, .flag = &v->flag, .given = &v->given[2]},
	    {"at", ARG_DATE, .date = &v->date, .str = &v->str[2], .given = &v->given[3]},
	    {"since", ARG_COUNT, .count = &v->count, .given = &v->given[4]},
	    body ? (struct arg_spec){"proof", ARG_HASHES, .hashes = &v->hashes,
				     .given = &v->given[5]}
		 : (struct arg_spec){"releasable", ARG_LIST, .list = &v->list,
				     .given = &v->given[5]},
	    {0}};
	memcpy(spec, t, sizeof t);
}

static void check_taken(const struct vals *v, bool body)
{
	if (!v->given[0] || !v->str[0])
		abort(); /* required */
	if (v->given[1] != (v->str[1] != NULL))
		abort();
	if (v->given[3]) {
		date_t d;
		if (!v->str[2] || date_parse(v->str[2], &d, NULL) != 0 || d != v->date)
			abort();
	} else if (v->date != 1) {
		abort();
	}
	if (body ? v->hashes.n > MERKLE_PATH_MAX : v->list.n > v->list.max)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	bool body = data[0] & 1;
	struct vals v;
	struct arg_spec spec[8];
	struct lerr e = {0};
	table(&v, body, spec);
	if (body) {
		json_t *b = args_body((const char *)data + 1, size - 1, spec, &e);
		if (b) {
			check_taken(&v, true);
			json_decref(b);
		} else if (e.code != LERR_INVAL || !e.msg[0]) {
			abort();
		}
		return 0;
	}
	/* a query string: name=value&name=value..., decoded as the server does */
	char *text = malloc(size);
	if (!text)
		return 0;
	memcpy(text, data + 1, size - 1);
	text[size - 1] = '\0';
	struct arg_pair q[64];
	size_t n = 0;
	for (char *part = text, *next; part && n < 64; part = next) {
		next = strchr(part, '&');
		if (next)
			*next++ = '\0';
		char *eq = strchr(part, '=');
		if (eq)
			*eq++ = '\0';
		MHD_http_unescape(part);
		if (eq)
			MHD_http_unescape(eq);
		q[n++] = (struct arg_pair){part, eq};
	}
	if (args_query(q, n, spec, &e) == 0)
		check_taken(&v, false);
	else if (e.code != LERR_INVAL || !e.msg[0])
		abort();
	free(text);
	return 0;
}
