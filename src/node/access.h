/*
 * access.h - who may do what on a node, for every face: the roles each
 * operation needs (docs/decisions.md has the table), read-only tokens,
 * and the node's operator. What a person may do with an item is decided
 * item by item (node_decide, node_item_visible); this is the rest.
 */
#ifndef LIAISON_NODE_ACCESS_H
#define LIAISON_NODE_ACCESS_H

#include <stdbool.h>

#include "node.h"

/* Who asks: a person (a token's), or the node's operator (person NULL): the
 * local CLI on the node's folder, who may do whatever the node may. */
struct actor {
	const struct person *person;
	bool read_only; /* the token may only ask, never act */
};

/* What is asked; each with the roles it needs (access.c's table). */
enum node_op {
	OP_READ,       /* any person: themselves, agreements, parties, export control,
			* checkpoints, and the items and people they see */
	OP_ITEM_USE,   /* any person, decided item by item: an access check, a download */
	OP_ITEM_SHARE, /* analysts and originators */
	OP_ITEM_ACT,   /* any person, decided item by item: release, copies, downgrade,
			* destroy, report a compromise */
	OP_CONSENT,    /* originators (with a clearance at the item's level) */
	OP_RECEIVE,    /* security officers and registrars: envelopes and consent files */
	OP_ADMIN,      /* registrars: configuration, people, keys, events, licences */
	OP_AUDIT,      /* auditors: log entries, proofs, verification */
	OP_WITNESS,    /* registrars: a peer's checkpoint witnessed by hand */
	OP_FEDERATION, /* security officers and registrars: peers, the outbox */
	OP_REPORTS,    /* security officers and auditors: compromise reports received */
	OP_REPORT_ACK, /* security officers: a compromise report acknowledged */
	OP__COUNT
};

/* The roles op needs (0: any person); roles count on their own party's node only. */
unsigned node_op_roles(enum node_op op);

/* Whether op changes something (a read-only token may not). */
bool node_op_writes(enum node_op op);

/* The op's name in messages and docs ("admin", "audit"...). */
const char *node_op_name(enum node_op op);

/*
 * 0 when actor a may ask op of node n; LERR_FORBIDDEN (R-ROLE) saying
 * what is missing otherwise: a role, the node's party (a registrar of
 * another party administers nothing here), or a token that may act.
 */
int node_may(const struct node *n, const struct actor *a, enum node_op op, struct lerr *e)
    __attribute__((warn_unused_result, nonnull(1, 2)));

#endif
