/* export.c - export regimes and licences of a node (see node.h). */
#include "node.h"

#include <stdlib.h>
#include <string.h>

#include "../store/store.h"
#include "encode.h"
#include "log.h"

int node_export_regime(struct node *n, const char *party, struct export_regime *r, struct lerr *e)
{
	return store_export_regime_get(n->store, party ? party : n->party, r, e);
}

int node_export_licence_add(struct node *n, const char *party, const struct export_licence *l,
			    struct lerr *e)
{
	struct export_regime r;
	char day[DATE_BUF_SIZE];
	/* the regime read under the lock: a configuration that drops the
	 * licence's entry meanwhile cannot leave it a licence */
	int res = store_begin(n->store, e);
	if (res < 0)
		return res;
	if ((res = node_export_regime(n, party, &r, e)) < 0) {
		store_rollback(n->store);
		return res;
	}
	res = export_licence_check(&r, l, e);
	if (res == LERR_EXISTS)
		lerr_set(e, res, "licence %s is already on file", l->id);
	else if (res < 0)
		lerr_prefix(e, "licence %s", l->id);
	if (res == 0)
		res = store_export_licence_add(n->store, r.party, l, "cli",
					       date_format(n->clock.today, day), e);
	if (res < 0)
		store_rollback(n->store);
	else
		res = node_log_commit(n, "export-licence",
				      json_pack("{s:s, s:o}", "exporter", r.party, "licence",
						encode_export_licence(l)),
				      e);
	export_regime_free(&r);
	return res;
}
