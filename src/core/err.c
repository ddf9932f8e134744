/* err.c - the error record (see err.h). */
#include "err.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

int lerr_set(struct lerr *e, int code, const char *fmt, ...)
{
	if (!e)
		return code;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof e->msg, fmt, ap);
	va_end(ap);
	e->code = code;
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
	}
}
