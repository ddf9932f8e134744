/* store.c - the store interface's parts that are not SQL: where a store is,
 * opening one, and freeing what it returned. */
#include "store_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int store_open(const char *where, bool create, struct store **out, struct lerr *e)
{
	return store_sql_open(where, create, out, e);
}

bool store_is_url(const char *where)
{
	return strncmp(where, "postgresql://", 13) == 0 || strncmp(where, "postgres://", 11) == 0;
}

void store_location_shown(const char *where, char *out, size_t n)
{
	const char *scheme = strstr(where, "://"), *at = strchr(where, '@');
	const char *colon = scheme ? strchr(scheme + 3, ':') : NULL;
	if (scheme && at && colon && colon < at)
		snprintf(out, n, "%.*s:***%s", (int)(colon - where), where, at);
	else
		snprintf(out, n, "%s", where);
}

int store_open_scratch(struct store **out, struct lerr *e)
{
	return store_sql_open(":memory:", true, out, e);
}

void store_item_free(struct store_item *it)
{
	if (it) {
		free(it->label);
		it->label = NULL;
	}
}

void store_msg_free(struct store_msg *m, size_t n)
{
	for (size_t i = 0; m && i < n; i++) {
		free(m[i].body);
		free(m[i].receipt);
		free(m[i].consent);
		m[i].body = m[i].receipt = m[i].consent = NULL;
	}
}

int store_item_unknown(struct lerr *e, const char *id)
{
	return lerr_set(e, LERR_NOTFOUND, "unknown item %.80s", id);
}
