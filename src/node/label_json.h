/*
 * label_json.h - labels as JSON: read from a file, and the canonical form
 * that envelopes carry and sign.
 *
 * The canonical form is jansson's compact output with keys sorted, lists
 * sorted without repeats, UTF-8 unescaped, and absent optional fields
 * left out. A label read from an envelope must be byte for byte its own
 * canonical form.
 */
#ifndef LIAISON_NODE_LABEL_JSON_H
#define LIAISON_NODE_LABEL_JSON_H

#include <jansson.h>

#include "../core/label.h"

#define LABEL_JSON_MAX 65536

/*
 * Parses a label (name is used in messages: "label.json: releasable_to[0]:
 * ..."), normalises and checks it. Unknown fields are refused. When the
 * text has no "item", item is left "" for the caller to fill.
 */
int label_parse(const char *text, size_t n, const char *name, struct label *l, struct lerr *e)
    __attribute__((warn_unused_result, nonnull(1, 3, 4)));

/*
 * Gives l a new item id that names its originator (set first): the
 * originator's code, '-' and 24 random hex digits (JPN-3f9c...; see
 * label_id_party).
 */
void label_new_id(struct label *l) __attribute__((nonnull));

/* The label as a JSON object (the caller owns it); NULL when out of memory. */
json_t *label_json(const struct label *l) __attribute__((nonnull));

/* The canonical text of l; *out (free() it) holds *n bytes, no NUL counted. */
int label_canonical(const struct label *l, char **out, size_t *n, struct lerr *e)
    __attribute__((warn_unused_result, nonnull(1, 2, 3)));

/*
 * Reads a label that must be in canonical form (from an envelope). Returns
 * 0, or LERR_INVAL saying what is wrong.
 */
int label_parse_canonical(const char *text, size_t n, struct label *l, struct lerr *e)
    __attribute__((warn_unused_result, nonnull(1, 3)));

#endif
