/*
 * decide.h - access decisions: may this person do this with this item on
 * this date? One pure function; every rule it applies is listed with its
 * outcome, a detail and the clause of the agreement it comes from, so that
 * no denial comes without its reason.
 *
 * Rules (docs/decisions.md): R-ROLE, R-CLEARANCE, R-NTK, R-RELEASABLE, R-RECEIVED,
 * R-CONTINUING, R-PURPOSE, R-THIRD-PARTY, R-IN-FORCE, R-EXPORT, R-DOWNGRADE,
 * R-MARKING. A rule that does not concern the action is left out.
 */
#ifndef LIAISON_CORE_DECIDE_H
#define LIAISON_CORE_DECIDE_H

#include <stdbool.h>
#include <stddef.h>

#include "agreement.h"
#include "export.h"
#include "label.h"
#include "person.h"
#include "scheme.h"

enum action {
	ACT_READ,
	ACT_DOWNLOAD,
	ACT_REPRODUCE,
	ACT_TRANSLATE,
	ACT_RELEASE,
	ACT_DOWNGRADE,
	ACT_DESTROY,
	ACT_REPORT_COMPROMISE,
	ACT__COUNT
};

#define DECIDE_RULES_MAX  12
#define DECIDE_DETAIL_MAX 200
#define DECIDE_HINT_MAX	  160

struct rule_outcome {
	const char *id;	    /* "R-CLEARANCE" */
	const char *clause; /* "Art. 4, 7" */
	bool ok;
	char detail[DECIDE_DETAIL_MAX];
	char hint[DECIDE_HINT_MAX]; /* a failed rule: what would change it, or "" */
};

struct decision {
	bool permit;
	bool outcome_only; /* decide_request's */
	enum action action;
	date_t date;
	size_t nrules;
	struct rule_outcome rules[DECIDE_RULES_MAX];
};

/* An item as the holder's node knows it. */
struct item_view {
	struct label label;
	bool foreign;	 /* received from another party */
	date_t received; /* foreign: the day it was received */
};

/* Everything a decision looks at; the node gathers it, decide() judges it. */
struct decide_request {
	enum action action;
	date_t date;
	const struct person *person;
	const struct party *scheme; /* the person's party, with its levels */
	const struct item_view *item;
	const struct agreement *agreement;	/* person's party <-> originator (foreign items) */
	const struct agreement *received_under; /* <-> the sender, when not the originator */
	const char *purpose;			/* stated purpose, "" or NULL for none */
	const char *to;				/* release: the destination party */
	const struct agreement *release_agreement; /* person's party <-> `to` */
	bool consent;				   /* the originator's consent for `to` */
	/* a consent held that cannot serve: why (after "the one here"), or NULL */
	const char *consent_flaw;
	const struct export_regime *export_regime; /* release: the person's party's, or NULL */
	/*
	 * The party whose node holds the item and decides (NULL: the
	 * person's own). A person of another party defined there acts under
	 * the agreement between the two: holder_agreement (NULL when there is
	 * none), and, for an item the holder did not make, the originator's
	 * consent to that party (reader_consent).
	 */
	const char *holder;
	const struct agreement *holder_agreement;
	bool reader_consent;
	/* only the outcomes are wanted (a list's filter): each rule's id,
	 * clause and ok, its detail and hint left "" (not formatted at all) */
	bool outcome_only;
};

/* "read", "release"...; NULL for an unknown action. */
const char *action_name(enum action a);

/* Whether the action uses the item's content as a reader does (read,
 * download, reproduce, translate): a PERMIT means every rule of a read passed. */
bool action_reads(enum action a);

/* Parses an action name. Returns 0 or LERR_INVAL listing them. */
int action_parse(const char *s, enum action *out, struct lerr *e) __attribute__((nonnull(1, 2)));

/*
 * The level of `scheme` a reader must hold to read the item: its own level
 * when the item is the reader's party's, else the highest-ranked
 * equivalent through the agreement. Returns the level or NULL when there is
 * none (no agreement, or no equivalent, as for Korea's level I); *why
 * (if not NULL) then says which.
 */
const struct scheme_level *decide_required_level(const struct label *l, const struct party *scheme,
						 const struct agreement *agreement,
						 const char **why) __attribute__((nonnull(1, 2)));

/*
 * The failing rules of a denial in one line ("R-PURPOSE: the item is for
 * stated purposes only; none given; R-NTK: ..."), into buf of n bytes
 * (cut with "..." when longer); "" for a PERMIT. Returns buf.
 */
char *decide_why(const struct decision *d, char *buf, size_t n) __attribute__((nonnull));

/* Decides a request. Never fails: missing context is a denial with its reason. */
void decide(const struct decide_request *rq, struct decision *d) __attribute__((nonnull));

#endif
