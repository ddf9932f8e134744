/*
 * lazy.h - the libraries a command may not need, loaded when first needed.
 *
 * libmicrohttpd, libcurl, libpq and libsystemd bring some forty shared
 * libraries with them (GnuTLS, Kerberos, LDAP, SASL, ...). Named in the
 * binary, the loader maps them all at every start: about 12 ms and 5 MB of
 * every run of `liaison`, though most commands (seal, open, item, log...)
 * use none of them. Instead, each is opened by its soname the first time a
 * command needs it (the daemon's start, a PostgreSQL store's connection, a
 * request to a daemon or to a peer) and its functions read into a table;
 * the lazy_*.h headers make the library's own names call through that
 * table, so the code that uses a library reads as if it were linked.
 *
 * Each lazy_*_load() is cheap once it succeeded, safe from any thread, and
 * must run before the first call into its library; a library that is not
 * installed fails with an error that names it and its Debian package.
 */
#ifndef LIAISON_SYS_LAZY_H
#define LIAISON_SYS_LAZY_H

#include <stdatomic.h>
#include <stddef.h>

#include "../core/err.h"

/* one function of a library: its name and its slot's place in the table */
struct lazy_fn {
	const char *name;
	size_t at;
};

struct lazy_lib {
	const char *soname;  /* "libpq.so.5" */
	const char *package; /* the Debian package that ships it */
	void *table;	     /* a struct of typed function pointers */
	const struct lazy_fn *fn;
	size_t n;
	atomic_int state; /* 0 not tried, 1 loaded, -1 failed (why says why) */
	char why[256];
};

/* Loads l once; 0, or LERR_IO naming the library, its package and why. */
int lazy_load(struct lazy_lib *l, struct lerr *e);

/* a table's member for the library function f, of f's own type */
#define LAZY_SLOT(f) __typeof__(f) *f;
/* the entry of lazy_fn[] for f in the table type T */
#define LAZY_FN(T, f) {#f, offsetof(T, f)},

#endif
