/*
 * acts.h - reproduce, translate, destroy and report a compromise: each
 * decided first (R-ROLE, R-CLEARANCE, R-MARKING...), refused with the
 * decision on DENY.
 */
#ifndef LIAISON_NODE_ACTS_H
#define LIAISON_NODE_ACTS_H

#include "exchange.h"

struct act_args {
	const char *item, *by;
	const char *purpose;		 /* reproduce, translate */
	const char *file;		 /* translate: the translation; NULL: reproduce */
	const struct env_source *source; /* translate: or, when set, the translation from here */
	const char *details;		 /* report-compromise */
	const char *out;		 /* report-compromise: the report file */
	const char *level;		 /* downgrade: the new, lower level */
	bool force;
};

/*
 * A new item from item a->item: a reproduction (a->file NULL: the same
 * payload) or a translation (a->file). It carries the original's label and
 * markings with a caveat naming the original (R-MARKING). *copy describes it.
 */
int node_item_copy(struct node *n, const struct act_args *a, const struct key_secret *k,
		   struct store_item *copy, struct decision *d, struct lerr *e)
    __attribute__((warn_unused_result, nonnull(1, 2, 3, 4, 5)));

/*
 * Destroys an item: marks it destroyed (the record stays) and removes its
 * sealed blob. Security officers only (R-ROLE).
 */
int node_item_destroy(struct node *n, const struct act_args *a, struct decision *d, struct lerr *e)
    __attribute__((warn_unused_result, nonnull(1, 2, 3)));

/*
 * Writes a report of a compromise of the item for its originator (Art.
 * 17), signed with the node's key, to a->out, or (a->out NULL) queues it
 * for the originator's node, a peer, with the report's log entry.
 * Security officers only.
 */
int node_item_report(struct node *n, const struct act_args *a, const struct key_secret *k,
		     struct decision *d, struct lerr *e)
    __attribute__((warn_unused_result, nonnull(1, 2, 3, 4)));

/*
 * Lowers the level of one of this party's items (R-DOWNGRADE: the
 * originator only): the payload is resealed under the new label, and the
 * item's record and blob replaced.
 */
int node_item_downgrade(struct node *n, const struct act_args *a, const struct key_secret *k,
			struct decision *d, struct lerr *e)
    __attribute__((warn_unused_result, nonnull(1, 2, 3, 4)));

/*
 * Takes a compromise report a peer (`from`) sent as message `id` (its
 * signed line in file): it must be signed by `from`, for an item this
 * party made, its person and date well formed. Kept whole in the store
 * (view_reports), open until acknowledged; logged without its details
 * (compromise-report-received).
 */
int node_report_receive(struct node *n, const char *from, const char *id, const char *file,
			struct lerr *e) __attribute__((warn_unused_result, nonnull(1, 2, 3, 4)));

/*
 * Reports a node kept as files (home/reports/ID.json) before they were
 * kept in the store: each moved into it, received on the day its file last
 * changed, and the file removed; one that is not a well-formed report is
 * left where it is. Run by the CLI when it opens the node and by serve as
 * it starts (not by each worker): nothing to do on a newer node.
 */
void node_reports_import(struct node *n) __attribute__((nonnull));

#endif
