/*
 * jfield.h - strict readers of JSON fields (jansson) for node/'s parsers.
 *
 * Each reader checks a field's presence, type and size, and on failure sets
 * e to "PATH: reason" where PATH is the field's JSON path
 * ("agreements[0].events[2].date"), returning a negative LERR code.
 */
#ifndef LIAISON_NODE_JFIELD_H
#define LIAISON_NODE_JFIELD_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "../core/date.h"
#include "../core/err.h"

#define PATH_TEXT_MAX 128

/* A JSON path being walked, for messages: "agreements[0].events[2]". */
struct jpath {
	char s[PATH_TEXT_MAX];
};

/* out = in + "." + f (out may be in). */
void jf_field(struct jpath *out, const struct jpath *in, const char *f);
/* out = in + "[i]" (out may be in). */
void jf_index(struct jpath *out, const struct jpath *in, size_t i);

/* Sets e to "PATH: message"; returns LERR_INVAL. */
int jf_bad(struct lerr *e, const struct jpath *p, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Refuses any key of obj not in allowed (NULL-terminated). */
int jf_only_keys(json_t *obj, const char *const *allowed, const struct jpath *p, struct lerr *e);

/* obj[f], a string without NUL, copied into dst of size n ("" if absent). */
int jf_str(json_t *obj, const char *f, bool required, char *dst, size_t n, const struct jpath *p,
	   struct lerr *e);

/* obj[f], an integer in lo..hi (required). */
int jf_int(json_t *obj, const char *f, int lo, int hi, int *out, const struct jpath *p,
	   struct lerr *e);

/* obj[f], an array of at most max entries; NULL when absent or bad (*r says). */
json_t *jf_array(json_t *obj, const char *f, bool required, size_t max, const struct jpath *p,
		 struct lerr *e, int *r);

/* v must be an object. */
int jf_object(json_t *v, const struct jpath *p, struct lerr *e);

/*
 * obj[f] as a YYYY-MM-DD date into *out; when absent, *out is unchanged
 * (an error if required).
 */
int jf_date(json_t *obj, const char *f, bool required, date_t *out, const struct jpath *p,
	    struct lerr *e);

/* A small JSON file read whole: its text (kept as evidence) and its value. */
struct jdoc {
	char *text; /* the file's bytes, a NUL after them */
	size_t len;
	const char *json; /* what was parsed: text after a byte-order mark */
	json_t *root;	  /* NULL when the text is not JSON: je says why */
	json_error_t je;
};

/*
 * Reads file (at most max bytes, no symbolic link) into d and parses it
 * (duplicate keys refused); free d with jdoc_free. A file that cannot be
 * read: its error, d empty. Text that is not JSON is not an error here.
 */
int jdoc_read(const char *file, size_t max, struct jdoc *d, struct lerr *e);
void jdoc_free(struct jdoc *d);

#endif
