/* err.c - the error record (see err.h). */
#include "err.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

const struct lerr_kind *lerr_kind(int code)
{
	/* exit codes: 1 a failure, 2 a usage error, 3 a denial (cli.h) */
	static const struct lerr_kind kinds[LERR__COUNT] = {
	    [0] = {"ok", 200, 0},
	    [-LERR_INVAL] = {"invalid", 400, 1},
	    [-LERR_NOTFOUND] = {"not-found", 404, 1},
	    [-LERR_REFUSED] = {"refused", 409, 1},
	    [-LERR_IO] = {"io", 500, 1},
	    [-LERR_STORE] = {"store", 503, 1}, /* the store did not answer now: try again */
	    [-LERR_NOMEM] = {"no-memory", 500, 1},
	    [-LERR_LIMIT] = {"limit", 413, 1},
	    [-LERR_EXISTS] = {"exists", 409, 1},
	    [-LERR_AUTH] = {"auth", 400, 1}, /* a signature in the input did not check */
	    [-LERR_FORBIDDEN] = {"forbidden", 403, 3},
	    [-LERR_DENIED] = {"denied", 403, 3},
	    [-LERR_USAGE] = {"usage", 400, 2},
	};
	static const struct lerr_kind internal = {"internal", 500, 1};
	return code <= 0 && code > -LERR__COUNT ? &kinds[-code] : &internal;
}

int lerr_code(const char *name)
{
	for (int c = 0; c > -LERR__COUNT; c--)
		if (strcmp(lerr_kind(c)->name, name) == 0)
			return c;
	return LERR_IO;
}

int lerr_field(struct lerr *e, const char *field)
{
	if (!e)
		return LERR_INVAL;
	snprintf(e->field, sizeof e->field, "%s", field);
	return e->code;
}

int lerr_vset(struct lerr *e, int code, const char *fmt, va_list ap)
{
	if (!e)
		return code;
	e->field[0] = '\0';
	vsnprintf(e->msg, sizeof e->msg, fmt, ap);
	e->code = code;
	return code;
}

int lerr_set(struct lerr *e, int code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	lerr_vset(e, code, fmt, ap);
	va_end(ap);
	return code;
}

/* True when msg starts with a field name or path and ": ". */
static bool starts_with_field(const char *msg)
{
	size_t n = strcspn(msg, " :");
	if (n == 0 || msg[n] != ':')
		return false;
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)msg[i]) && !strchr("_[].", msg[i]))
			return false;
	return true;
}

/* Prefixes e's message with the formatted text; path: join fields with ".". */
static int vprefix(struct lerr *e, bool path, const char *fmt, va_list ap)
{
	if (!e)
		return LERR_INVAL;
	char pre[LERR_MSG_MAX], old[LERR_MSG_MAX];
	vsnprintf(pre, sizeof pre, fmt, ap);
	const char *sep = path && starts_with_field(e->msg) ? "." : ": ";
	memcpy(old, e->msg, sizeof old);
	if (snprintf(e->msg, sizeof e->msg, "%s%s%s", pre, sep, old) >= (int)sizeof e->msg)
		memcpy(e->msg + sizeof e->msg - 4, "...", 4); /* say it was cut */
	return e->code;
}

int lerr_prefix(struct lerr *e, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int r = vprefix(e, false, fmt, ap);
	va_end(ap);
	return r;
}

int lerr_prefix_path(struct lerr *e, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int r = vprefix(e, true, fmt, ap);
	va_end(ap);
	return r;
}

void lerr_clear(struct lerr *e)
{
	if (e) {
		e->code = 0;
		e->msg[0] = '\0';
		e->field[0] = '\0';
	}
}
