/*
 * err.h - error codes and the error record every liaison function fills.
 *
 * The library never prints or exits: a failing function returns a negative
 * LERR_* code and writes a message into the caller's struct lerr, which the
 * face (CLI, HTTP) shows as it sees fit.
 */
#ifndef LIAISON_CORE_ERR_H
#define LIAISON_CORE_ERR_H

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
	LERR_AUTH = -9, /* a signature, a MAC or a passphrase did not check */
};

#define LERR_MSG_MAX 512

struct lerr {
	int code;
	char msg[LERR_MSG_MAX];
};

/* Sets e (if not NULL) to code and the formatted message; returns code. */
int lerr_set(struct lerr *e, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

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
