/* people.c - the people of a node (see node.h). */
#include "node.h"

#include <string.h>

#include "../store/store.h"
#include "encode.h"
#include "internal.h"
#include "log.h"

int node_person_not_self(const struct person *who, const char *id, struct lerr *e)
{
	if (who && strcmp(who->id, id) == 0) /* a registrar would grant themself anything */
		return lerr_set(e, LERR_FORBIDDEN,
				"%s may not change their own record: another registrar, or the "
				"node's operator, does",
				who->id);
	return 0;
}

int node_person_put(struct node *n, const struct person *who, const struct person *given,
		    bool replace, struct lerr *e)
{
	struct party party;
	struct person pc = *given, *p = &pc, old;
	if (node_person_not_self(who, p->id, e) < 0)
		return LERR_FORBIDDEN;
	int r = node_party_known(n, p->party, "party", e);
	if (r == 0)
		r = node_party_get(n, p->party, &party, e);
	if (r < 0)
		return r;
	/* a clearance level as the person means it: its case aside */
	for (size_t i = 0; i < p->nclear && i < PERSON_CLEARANCES_MAX; i++) {
		const struct scheme_level *lv = party_level_match(&party, p->clear[i].level, NULL);
		if (lv)
			str_copy(p->clear[i].level, sizeof p->clear[i].level, lv->code);
	}
	if ((r = person_check(p, &party, e)) < 0)
		return r;
	if ((r = store_begin(n->store, e)) < 0)
		return r;
	/* asked under the lock: two adding one id at once, the second refused */
	if (!replace && node_person_get(n, p->id, &old, NULL) == 0)
		r = lerr_set(e, LERR_EXISTS, "person %s already exists (replace it with %s)", p->id,
			     who ? "?replace=true" : "--replace");
	if (r < 0 || (r = store_person_put(n->store, p, e)) < 0) {
		store_rollback(n->store);
		return r;
	}
	return node_log_commit(n, "person-put", json_pack("{s:o}", "person", encode_person(p)), e);
}

int node_person_get(struct node *n, const char *id, struct person *p, struct lerr *e)
{
	return node_cached_person(n, id, p, e);
}

int node_person_ids(struct node *n, char (**ids)[PERSON_ID_MAX], size_t *count, struct lerr *e)
{
	return store_person_ids(n->store, ids, count, e);
}

bool node_person_visible(struct node *n, const struct person *who, const struct person *p)
{
	if (!who || strcmp(who->id, p->id) == 0)
		return true;
	if (strcmp(who->party, n->party) != 0) /* roles count on their own party's node */
		return false;
	return (who->roles & ROLE_REGISTRAR) ||
	       ((who->roles & ROLE_SECURITY_OFFICER) && strcmp(p->party, who->party) == 0);
}

int node_person_get_as(struct node *n, const struct person *who, const char *id, struct person *p,
		       struct lerr *e)
{
	int r = node_person_get(n, id, p, e);
	if (r == 0 && !node_person_visible(n, who, p)) {
		memset(p, 0, sizeof *p);
		r = lerr_set(e, LERR_NOTFOUND, "unknown person %.80s", id);
	}
	return r;
}
