/* access.c - the roles each operation needs (see access.h). */
#include "access.h"

#include <string.h>

static const struct {
	const char *name;
	unsigned roles; /* 0: any person */
	bool writes;
} ops[OP__COUNT] = {
    [OP_READ] = {"read", 0, false},
    [OP_ITEM_USE] = {"use an item", 0, false},
    [OP_ITEM_SHARE] = {"share", ROLE_ANALYST | ROLE_ORIGINATOR, true},
    [OP_ITEM_ACT] = {"act on an item", 0, true},
    [OP_CONSENT] = {"consent", ROLE_ORIGINATOR, true},
    [OP_RECEIVE] = {"receive", ROLE_SECURITY_OFFICER | ROLE_REGISTRAR, true},
    [OP_ADMIN] = {"administer", ROLE_REGISTRAR, true},
    [OP_AUDIT] = {"audit", ROLE_AUDITOR, false},
    [OP_WITNESS] = {"witness", ROLE_REGISTRAR, true},
    [OP_FEDERATION] = {"run federation", ROLE_SECURITY_OFFICER | ROLE_REGISTRAR, false},
    [OP_REPORTS] = {"see compromise reports", ROLE_SECURITY_OFFICER | ROLE_AUDITOR, false},
    [OP_REPORT_ACK] = {"acknowledge a compromise report", ROLE_SECURITY_OFFICER, true},
};

unsigned node_op_roles(enum node_op op)
{
	return (unsigned)op < OP__COUNT ? ops[op].roles : ~0u;
}

bool node_op_writes(enum node_op op)
{
	return (unsigned)op >= OP__COUNT || ops[op].writes;
}

const char *node_op_name(enum node_op op)
{
	return (unsigned)op < OP__COUNT ? ops[op].name : "?";
}

int node_may(const struct node *n, const struct actor *a, enum node_op op, struct lerr *e)
{
	const struct person *p = a->person;
	if ((unsigned)op >= OP__COUNT)
		return lerr_set(e, LERR_FORBIDDEN, "unknown operation");
	if (!p) /* the operator */
		return 0;
	if (a->read_only && ops[op].writes)
		return lerr_set(e, LERR_FORBIDDEN,
				"a read-only token may ask, not %s (liaison person token --help)",
				ops[op].name);
	unsigned need = ops[op].roles;
	if (!need)
		return 0;
	char names[96];
	role_names(need, names, sizeof names);
	if (!(p->roles & need))
		return lerr_set(e, LERR_FORBIDDEN, "R-ROLE: to %s needs the role %s; %s has not",
				ops[op].name, names, p->id);
	if (strcmp(p->party, n->party) != 0)
		return lerr_set(e, LERR_FORBIDDEN,
				"R-ROLE: %s is of %s; on this node of %s, a %s of %s may %s", p->id,
				p->party, n->party, names, n->party, ops[op].name);
	return 0;
}
