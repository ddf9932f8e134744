/*
 * json_out.h - the daemon's JSON writer: jansson's values, written compact.
 *
 * jansson builds and parses every JSON value here; this writes a built
 * value out, byte for byte what json_dumpb(v, JSON_COMPACT) writes (keys in
 * insertion order, "," and ":" without spaces, the same escapes, \u00XX in
 * upper case), and refuses what jansson refuses (bad UTF-8 in a string or a
 * key, nesting deeper than JSON_OUT_DEPTH). jansson's own writer decodes
 * every character through function calls and keeps a table of the
 * containers it is inside (an snprintf and a hash insert for each): about
 * 13 ns a byte, a fifth of an access check's time; this one copies runs of
 * plain characters whole. tests/unit/test_json_out.c and fuzz/fuzz_json_out.c
 * hold it to jansson's bytes.
 */
#ifndef LIAISON_NET_JSON_OUT_H
#define LIAISON_NET_JSON_OUT_H

#include <jansson.h>
#include <stddef.h>

#define JSON_OUT_DEPTH 64

/*
 * Writes v into buf[0..cap) when it fits, else into memory of its own:
 * returns buf or that memory (the caller frees it when it is not buf), the
 * length in *len (no terminating NUL is written), or NULL (bad UTF-8, too
 * deep, a value jansson cannot write, no memory).
 */
char *json_out(const json_t *v, char *buf, size_t cap, size_t *len);

#endif
