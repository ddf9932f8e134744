/* country.c - ISO 3166-1 alpha-3 codes (see country.h). */
#include "country.h"

#include <stdlib.h>
#include <string.h>

struct country {
	const char *code, *name;
};

static const struct country countries[] = {
#include "country_table.inc"
};

static int cmp(const void *k, const void *c)
{
	return strcmp(k, ((const struct country *)c)->code);
}

const char *country_name(const char *code)
{
	if (strlen(code) != 3)
		return NULL;
	const struct country *c = bsearch(code, countries, sizeof countries / sizeof countries[0],
					  sizeof countries[0], cmp);
	return c ? c->name : NULL;
}

int country_check(const char *code, struct lerr *e)
{
	if (country_name(code))
		return 0;
	return lerr_set(
	    e, LERR_INVAL, "\"%.16s\" is not an ISO 3166-1 alpha-3 country code%s", code,
	    strlen(code) == 2 ? " (it looks like alpha-2: use three letters, as KOR)" : "");
}
