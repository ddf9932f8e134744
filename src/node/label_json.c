/* label_json.c - labels as JSON, and their canonical form (see label_json.h). */
#include "label_json.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jfield.h"

/* Reads obj[f], an array of words (or party codes), into v[max][w]. */
static int words(json_t *obj, const char *f, char *v, size_t w, size_t *n, const struct jpath *p,
		 struct lerr *e)
{
	int r;
	*n = 0;
	json_t *a = jf_array(obj, f, false, LABEL_LIST_MAX, p, e, &r);
	if (!a)
		return r;
	struct jpath q;
	jf_field(&q, p, f);
	for (size_t i = 0; i < json_array_size(a); i++) {
		json_t *s = json_array_get(a, i);
		struct jpath qi;
		jf_index(&qi, &q, i);
		if (!json_is_string(s) || json_string_length(s) >= w ||
		    json_string_length(s) != strlen(json_string_value(s)))
			return jf_bad(e, &qi, "must be a string of at most %zu bytes", w - 1);
		memcpy(v + i * w, json_string_value(s), json_string_length(s) + 1);
		(*n)++;
	}
	return 0;
}

static int parse_object(json_t *o, struct label *l, struct lerr *e)
{
	static const char *const keys[] = {"item",	    "originator", "level",     "title",
					   "releasable_to", "ntk",	  "purposes",  "caveats",
					   "export_entry",  "agreement",  "revocable", NULL};
	struct jpath top = {{0}};
	if (jf_object(o, &top, e) < 0 || jf_only_keys(o, keys, &top, e) < 0 ||
	    jf_str(o, "item", false, l->item, sizeof l->item, &top, e) < 0 ||
	    jf_str(o, "originator", true, l->originator, sizeof l->originator, &top, e) < 0 ||
	    jf_str(o, "level", true, l->level, sizeof l->level, &top, e) < 0 ||
	    jf_str(o, "title", true, l->title, sizeof l->title, &top, e) < 0 ||
	    words(o, "releasable_to", &l->releasable[0][0], PARTY_CODE_MAX, &l->nreleasable, &top,
		  e) < 0 ||
	    jf_str(o, "ntk", false, l->ntk, sizeof l->ntk, &top, e) < 0 ||
	    words(o, "purposes", &l->purposes[0][0], LABEL_WORD_MAX, &l->npurposes, &top, e) < 0 ||
	    words(o, "caveats", &l->caveats[0][0], LABEL_WORD_MAX, &l->ncaveats, &top, e) < 0 ||
	    jf_str(o, "export_entry", false, l->export_entry, sizeof l->export_entry, &top, e) <
		0 ||
	    jf_str(o, "agreement", false, l->agreement, sizeof l->agreement, &top, e) < 0)
		return LERR_INVAL;
	json_t *rv = json_object_get(o, "revocable");
	if (rv && !json_is_boolean(rv))
		return lerr_set(e, LERR_INVAL, "revocable: must be true or false");
	l->revocable = rv && json_is_true(rv);
	return 0;
}

int label_parse(const char *text, size_t n, const char *name, struct label *l, struct lerr *e)
{
	memset(l, 0, sizeof *l);
	json_error_t je;
	if (n > LABEL_JSON_MAX)
		return lerr_set(e, LERR_LIMIT, "%s: a label is at most %d bytes", name,
				LABEL_JSON_MAX);
	json_t *o = json_loadb(text, n, JSON_REJECT_DUPLICATES, &je);
	if (!o)
		return lerr_set(e, LERR_INVAL, "%s:%d:%d: %s", name, je.line, je.column, je.text);
	int r = parse_object(o, l, e);
	json_decref(o);
	if (r == 0)
		r = label_normalise(l, e);
	if (r < 0) {
		memset(l, 0, sizeof *l);
		return lerr_prefix(e, "%s", name);
	}
	return 0;
}

static json_t *string_list(const char *v, size_t n, size_t w)
{
	json_t *a = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(a, json_string(v + i * w));
	return a;
}

json_t *label_json(const struct label *l)
{
	json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:o}", "item", l->item, "originator",
			      l->originator, "level", l->level, "title", l->title, "releasable_to",
			      string_list(&l->releasable[0][0], l->nreleasable, PARTY_CODE_MAX));
	if (!o)
		return NULL;
	if (l->ntk[0])
		json_object_set_new(o, "ntk", json_string(l->ntk));
	if (l->npurposes)
		json_object_set_new(o, "purposes",
				    string_list(&l->purposes[0][0], l->npurposes, LABEL_WORD_MAX));
	if (l->ncaveats)
		json_object_set_new(o, "caveats",
				    string_list(&l->caveats[0][0], l->ncaveats, LABEL_WORD_MAX));
	if (l->export_entry[0])
		json_object_set_new(o, "export_entry", json_string(l->export_entry));
	if (l->agreement[0])
		json_object_set_new(o, "agreement", json_string(l->agreement));
	if (l->revocable)
		json_object_set_new(o, "revocable", json_true());
	return o;
}

int label_canonical(const struct label *l, char **out, size_t *n, struct lerr *e)
{
	*out = NULL;
	*n = 0;
	json_t *o = label_json(l);
	char *s = o ? json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
	json_decref(o);
	if (!s)
		return lerr_set(e, LERR_NOMEM, "out of memory");
	*out = s;
	*n = strlen(s);
	return 0;
}

int label_parse_canonical(const char *text, size_t n, struct label *l, struct lerr *e)
{
	char *canon;
	size_t cn;
	int r = label_parse(text, n, "label", l, e);
	if (r == 0 && !l->item[0])
		r = lerr_set(e, LERR_INVAL, "label: item: missing");
	if (r == 0 && (r = label_canonical(l, &canon, &cn, e)) == 0) {
		if (cn != n || memcmp(canon, text, n) != 0)
			r = lerr_set(e, LERR_INVAL, "label: not in canonical form");
		free(canon);
	}
	if (r < 0)
		memset(l, 0, sizeof *l);
	return r;
}

void label_new_id(struct label *l)
{
	uint8_t id[12];
	char hex[2 * sizeof id + 1];
	randombytes_buf(id, sizeof id);
	sodium_bin2hex(hex, sizeof hex, id, sizeof id);
	snprintf(l->item, sizeof l->item, "%s-%s", l->originator, hex);
}
