/*
 * err.h - error codes and the error record every liaison function fills.
 *
 * The library never prints or exits: a failing function returns a negative
 * LERR_* code and writes a message into the caller's struct lerr, which the
 * face (CLI, HTTP) shows as it sees fit.
 */
#ifndef LIAISON_CORE_ERR_H
#define LIAISON_CORE_ERR_H

#include <stdarg.h>
#include <stddef.h>

enum {
	LERR_OK = 0,
	LERR_INVAL = -1,    /* bad input: a value, a field, a file's content */
	LERR_NOTFOUND = -2, /* an unknown party, agreement, event */
	LERR_REFUSED = -3,  /* well formed, but the rules forbid it */
	LERR_IO = -4,	    /* the system failed: file, disk */
	LERR_STORE = -5,    /* the store failed */
	LERR_NOMEM = -6,
	LERR_LIMIT = -7, /* a named size limit was exceeded */
	LERR_EXISTS = -8,
	LERR_AUTH = -9,	      /* a signature, a MAC or a passphrase did not check */
	LERR_FORBIDDEN = -10, /* the person's roles or party do not allow it (R-ROLE) */
	LERR_DENIED = -11,    /* a decision denied it: the caller holds the decision */
	LERR_USAGE = -12,     /* the command cannot be taken as given (a usage error) */
};
#define LERR__COUNT 13 /* codes 0 to -12 */

#define LERR_MSG_MAX   512
#define LERR_FIELD_MAX 64

struct lerr {
	int code;
	char msg[LERR_MSG_MAX];
	char field[LERR_FIELD_MAX]; /* the argument or field at fault, "" when none */
};

/*
 * What each code is to the faces: its name in error objects ("invalid",
 * "not-found"...), the HTTP status it answers with, and the CLI's exit
 * code. One table for every face.
 */
struct lerr_kind {
	const char *name;
	unsigned http;
	int exit;
};

/* The kind of code (an unknown code is an internal error). */
const struct lerr_kind *lerr_kind(int code) __attribute__((returns_nonnull));

/* The code of a kind's name ("not-found": LERR_NOTFOUND); LERR_IO when unknown. */
int lerr_code(const char *name) __attribute__((nonnull));

/* Sets e (if not NULL) to code and the formatted message, no field; returns code. */
int lerr_set(struct lerr *e, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* The same, from a va_list. */
int lerr_vset(struct lerr *e, int code, const char *fmt, va_list ap)
    __attribute__((format(printf, 3, 0)));

/* Names the field (the argument, "to", "releasable[1]") e is about; returns e->code. */
int lerr_field(struct lerr *e, const char *field);

/*
 * Prefixes e's message with the formatted text and ": " (a context such as a
 * file name or a JSON path); returns e->code.
 */
int lerr_prefix(struct lerr *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/*
 * Prefixes e's message with a JSON path and "." when the message itself
 * starts with a field ("levels[1].code: ..." becomes
 * "parties[0].levels[1].code: ..."), else with ": ". Returns e->code.
 */
int lerr_prefix_path(struct lerr *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Clears e. */
void lerr_clear(struct lerr *e);

#endif
