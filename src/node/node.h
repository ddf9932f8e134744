/*
 * node.h - a liaison node: its folder, its store, its clock, its use cases.
 *
 * node/ is the only part that combines the store with the rules of core/.
 * The faces (CLI, HTTP) call these functions and encode what they return.
 * Every function returns 0 or a negative LERR_* code with a message in e.
 */
#ifndef LIAISON_NODE_H
#define LIAISON_NODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "../core/agreement.h"
#include "../core/date.h"
#include "../core/err.h"
#include "../core/export.h"
#include "../core/person.h"
#include "../core/scheme.h"
#include "../crypto/keys.h"
#include "../store/records.h"

#define NODE_PATH_MAX	   4096
#define NODE_DB_FILE	   "node.db"
#define NODE_STORE_FILE	   "store.url" /* the PostgreSQL URL of a node that keeps its store there */
#define NODE_STORE_URL_MAX 512
#define NODE_KEYS_DIR	   "keys"
#define NODE_BLOBS_DIR	   "blobs"

/*
 * The node's clock: the system's, or LIAISON_NOW=YYYY-MM-DD. LIAISON_NOW
 * dates the acts only of a node made for replays (liaison init --replay);
 * on any other node it sets the date of questions, and an act is refused.
 */
struct node_clock {
	date_t today;
	bool simulated; /* set by LIAISON_NOW */
	bool replay;	/* the node was made with --replay (node_open sets it) */
	bool local;	/* today is the date in its party's time zone (node_open sets it) */
};

/* Checks a time zone name: one of the tz database's, installed (tzdata). */
int node_zone_check(const char *zone, struct lerr *e) __attribute__((nonnull(1)));

struct node_cache;
struct log_batch;

struct node {
	struct store *store;
	struct node_cache *cache; /* reads, valid while the store does not move */
	void *scratch;		  /* node_decide's working space, kept */
	char home[NODE_PATH_MAX];
	char party[PARTY_CODE_MAX];
	struct node_clock clock;
	/* a peer's message being taken (peer.c): node_log_commit records it in
	 * the inbox in the transaction of the act named receiving_act, whose log
	 * entry's field receiving_subject must be the message's ref (NULL: the
	 * act checks it) */
	const struct store_msg *receiving;
	const char *receiving_act;
	const char *receiving_subject;
	/*
	 * Who enters the acts made through this handle, for the log: the
	 * node's operator (the local CLI sets `operator`: an act for a person
	 * is "entered by the operator"), or a person's bearer token (the
	 * daemon sets its id for each request's acts).
	 */
	bool operator;
	char token[24];
	/* told of every decision the node enforces, once it is in the log's
	 * transaction (the daemon counts them for /metrics); NULL: nobody */
	const struct node_observer *observer;
	/* group commit of entries recorded in transactions of their own, shared
	 * by the handles of one process (log.h), or NULL */
	struct log_batch *batch;
};

struct decision;
struct node_observer {
	void (*decision)(void *cls, const struct decision *d);
	void *cls;
};

/*
 * 0 when an act for person `who` may be entered through this handle;
 * LERR_FORBIDDEN when the operator enters it and this node's party refuses
 * that (configuration: "operator_acts": false): its people act with their
 * own tokens.
 */
int node_person_act(struct node *n, const char *who, struct lerr *e) __attribute__((nonnull(1, 2)));

/*
 * Reads the clock: LIAISON_NOW when set (a day, or an instant
 * YYYY-MM-DDTHH:MM:SSZ; LERR_INVAL when it is neither), else the system's;
 * an instant is dated in the process's zone when c->local (node_open sets
 * it from the party's time_zone), else in UTC. c->replay and c->local are
 * left as they are.
 */
int node_clock_read(struct node_clock *c, struct lerr *e) __attribute__((nonnull(1)));

/*
 * 0 when the clock may date an act; LERR_USAGE, saying why, when
 * LIAISON_NOW is set on a node not made with --replay.
 */
int node_clock_act(const struct node_clock *c, struct lerr *e) __attribute__((nonnull(1)));

/*
 * The node's folder: `home` if not NULL, else $LIAISON_HOME, else
 * ./.liaison. Writes it into buf; LERR_LIMIT when too long.
 */
int node_home(const char *home, char *buf, size_t n, struct lerr *e);

/*
 * Refuses (LERR_INVAL, saying how to fix it) a node folder that someone
 * else could plant files or links in: the folder, or its tmp, keys or
 * blobs folder, writable by group or others, owned by another user (root
 * aside), or (the subfolders) a symbolic link.
 */
int node_folder_check(const char *home, struct lerr *e) __attribute__((nonnull(1)));

/* What liaison init makes. */
struct node_init_args {
	const char *home, *party;
	const char *store; /* a postgresql:// URL, or NULL for SQLite in the folder */
	bool replay;	   /* a node for replays: LIAISON_NOW dates its acts */
};

/*
 * Makes a node for a->party in folder a->home (created with mode 0700; it
 * may exist but must not hold a node): its store, and the party's keys in
 * home/keys (PARTY.key sealed with the passphrase, PARTY.pub). The store is
 * SQLite's home/node.db, or with a->store a postgresql:// URL: its database
 * (which must exist) gets the schema, and home/store.url names it. A
 * replay node keeps that in its settings ("replay"). LERR_EXISTS when the
 * folder or the database already holds a node.
 */
int node_init(const struct node_init_args *a, const char *pass, size_t len, struct lerr *e)
    __attribute__((warn_unused_result, nonnull(1, 2)));

/*
 * A folder for another daemon of the node that the PostgreSQL database at
 * url holds (liaison init --store URL --join): home/store.url names it, and
 * the node's sealed keys come from the database into home/keys, checked
 * with the passphrase. party: the party the node must be of ("" for any;
 * another: LERR_REFUSED); set to the node's. Refused for a folder that
 * holds a node; nothing it made is left behind when it fails.
 */
int node_join(const char *home, const char *url, const char *pass, size_t len,
	      char party[PARTY_CODE_MAX], struct lerr *e)
    __attribute__((warn_unused_result, nonnull(1, 2, 3, 5)));

/*
 * Where the node's store is: home/store.url when the node keeps it in
 * PostgreSQL (the URL, written by init --store), else the SQLite file
 * home/node.db.
 */
int node_store_location(const char *home, char *buf, size_t n, struct lerr *e)
    __attribute__((warn_unused_result, nonnull(1, 2)));

/*
 * Moves the node in home from its SQLite store to the empty PostgreSQL
 * database at url (liaison store migrate): every row copied in one
 * transaction, the log verified there, home/store.url written (the node
 * uses the database from then on), node.db kept as node.db.migrated, and
 * the move logged (store-migrated). Refused while a daemon serves the node
 * (the message names its pid), for a node already on PostgreSQL, and for a
 * database that holds a node. Then the payloads its rows need (sealed
 * payloads, queued envelopes) move from its folder into the database
 * (node_payloads_move).
 */
struct node_migrated {
	uint64_t rows;	/* rows copied */
	uint64_t files; /* payloads moved into the database */
	uint64_t bytes; /* their bytes */
};
int node_store_migrate(const char *home, const char *url, struct node_migrated *m, struct lerr *e)
    __attribute__((warn_unused_result, nonnull(1, 2, 3)));

/* What a backup or a restore copied, and the log it checked. */
struct node_backup {
	uint64_t bytes;	     /* copied in all */
	size_t keys;	     /* files of the keys folder */
	size_t blobs;	     /* sealed payloads */
	size_t outbox;	     /* envelopes still to deliver */
	size_t reports;	     /* compromise reports received */
	uint64_t entries;    /* the copy's log, verified */
	uint64_t checkpoint; /* the size of its latest checkpoint (0: none) */
};

/*
 * Backs the node in home up into dest, a new folder (0700), while its
 * daemons serve: a consistent copy of its SQLite store (store_backup), the
 * sealed payloads and queued envelopes that copy names, its sealed keys
 * and its reports; then the copy's log is verified. A node on PostgreSQL
 * is refused (LERR_USAGE: the database's own tools back it up).
 */
int node_store_backup(const char *home, const char *dest, struct node_backup *b, struct lerr *e)
    __attribute__((warn_unused_result, nonnull(1, 2, 3)));

/*
 * Restores the backup in src into home, a new folder: its store, keys,
 * payloads, envelopes and reports copied, then its log verified (b says
 * its size and latest checkpoint: peers that witnessed a larger tree of
 * this node will say it was cut short).
 */
int node_store_restore(const char *src, const char *home, struct node_backup *b, struct lerr *e)
    __attribute__((warn_unused_result, nonnull(1, 2, 3)));

/* A store's location as it may be shown: a URL's password hidden. */
void node_store_shown(const char *where, char *out, size_t n) __attribute__((nonnull));

/*
 * A folder of home/tmp: 1 when it is a living daemon's (serve-PID, *pid
 * set), -1 when it is a daemon's that is gone (or a malformed serve-...),
 * 0 when it is no daemon's. liaison serve clears the gone ones at start;
 * store migrate refuses while a living one is there.
 */
int node_serve_dir(const char *name, long *pid) __attribute__((nonnull));

/* home/keys/PARTY.EXT into buf. */
int node_key_path(const char *home, const char *party, const char *ext, char *buf, size_t n,
		  struct lerr *e);

/*
 * The node's sealed secret keys sealed anew under a new passphrase (at the
 * Argon2id cost they had), replacing the file atomically (owned as it
 * was), and logged (node-passphrase-changed). `old` must open them.
 */
int node_passphrase_change(struct node *n, const char *old, size_t oldlen, const char *pass,
			   size_t len, struct lerr *e)
    __attribute__((warn_unused_result, nonnull(1, 2, 4)));

/*
 * A node on PostgreSQL: home/keys brought up to date from the database,
 * which holds the node's key files (none there yet: the folder's are
 * written there), under the keys' lock and from one snapshot. Opening the
 * node for the CLI and unsealing the keys do it; nothing on SQLite.
 */
int node_keys_fetch(struct node *n, struct lerr *e) __attribute__((warn_unused_result, nonnull(1)));
/* The same, unless a rotation or a passphrase change holds the keys now
 * (then nothing, 0): for a daemon, which fetches again soon. */
int node_keys_fetch_now(struct node *n, struct lerr *e)
    __attribute__((warn_unused_result, nonnull(1)));

/*
 * Unseals the node's own secret keys, with the pairs it retired (release
 * with key_secret_free). A rotation a crash interrupted is finished or
 * undone first (rekey.c).
 */
int node_secret_key(struct node *n, const char *pass, size_t len, struct key_secret *k,
		    struct lerr *e) __attribute__((warn_unused_result, nonnull(1, 2, 4)));

/*
 * The folder home/keys locked (flock, on this machine) against any
 * rotation, settling or passphrase change, and backups, of any process;
 * close() the answer to let go. Returns the descriptor or a LERR code.
 */
int node_keys_lock(const char *home, struct lerr *e) __attribute__((nonnull(1)));
/* The same, or at once LERR_REFUSED when another holds it (wait false). */
int node_keys_lock_if(const char *home, bool wait, struct lerr *e) __attribute__((nonnull(1)));

/* How long after a routine rotation what the old key signed still arrives. */
#define NODE_ROTATED_GRACE_DAYS 30

/* A key rotation, made or taken; its note is at most KEY_NOTE_MAX bytes. */
#define KEY_NOTE_MAX 4096
struct node_rotation {
	char old_fingerprint[KEY_FINGERPRINT_MAX];
	char fingerprint[KEY_FINGERPRINT_MAX];
	uint64_t log_size; /* the party's log when the old key retired */
	size_t peers;	   /* notes queued (made) */
	char *note;	   /* the signed note (made; node_rotation_free) */
	size_t note_len;
};

/*
 * Rotates the node's keys: a new pair, sealed under the same passphrase at
 * the same cost; the old one retired (kept to open what was sealed to it,
 * and in the store to check what it signed while the log was at most its
 * size) and vouching for the new in a note queued to every peer (kind
 * "key"), logged (key-rotated). compromised says so in the note, and peers
 * then take nothing new signed by the old key. Safe against a crash at any
 * point (rekey.c). *res is released with node_rotation_free.
 */
int node_key_rotate(struct node *n, const char *pass, size_t len, bool compromised,
		    struct node_rotation *res, struct lerr *e)
    __attribute__((warn_unused_result, nonnull(1, 2, 5)));
void node_rotation_free(struct node_rotation *res) __attribute__((nonnull));

/* The message ref of a key note: the first 16 bytes of the retired signing key, in hex. */
void node_key_ref(const struct key_public *p, char out[33]) __attribute__((nonnull));

/*
 * A peer's key note (text, of len bytes, sent by `from`): checked (the key
 * it retires is the one held for from, which signed it; the new key's
 * proof), then the new key replaces it, the old kept as retired, logged
 * (party-key-rotated, the note as evidence). A note taken before changes
 * nothing and returns 1. *res says which keys.
 */
int node_key_note_take(struct node *n, const char *from, const char *text, size_t len,
		       struct node_rotation *res, struct lerr *e)
    __attribute__((warn_unused_result, nonnull(1, 2, 3, 5)));

/* What a signature with a retired key is checked for (node_signer_key). */
enum signer_use {
	SIGNER_STORED,	 /* what was checked when it came: any key retired since */
	SIGNER_ARRIVING, /* what arrives now: a key rotated in the routine way, for
			  * NODE_ROTATED_GRACE_DAYS; one replaced or compromised
			  * signs nothing new */
	SIGNER_HELD,	 /* a document kept to act on (a consent): a key rotated in
			  * the routine way, however long ago; not one replaced or
			  * compromised (it may have signed it) */
};

/*
 * The key to check party's signature made with signing key sign_pk: the
 * party's current key, or a retired one with that signing key as `use`
 * allows (else LERR_AUTH). Neither: the current key, so that the check
 * says it is not the party's.
 */
int node_signer_key(struct node *n, const char *party, const uint8_t sign_pk[KEY_SIGN_PK],
		    enum signer_use use, struct key_public *p, struct lerr *e)
    __attribute__((warn_unused_result, nonnull(1, 2, 3, 5)));

/*
 * Checks party's signature sig64 over ctx and text (node_signed_check)
 * with its current key, or a key it retired as `use` allows
 * (node_signer_key): what it signed before the rotation.
 */
int node_party_signed_check(struct node *n, const char *party, enum signer_use use, const char *ctx,
			    const char *text, const char *sig64, struct lerr *e)
    __attribute__((warn_unused_result, nonnull(1, 2, 4, 5, 6)));

/* A party's current key (zeroed when there is none) and its retired ones,
 * the last retired first; *retired (free() it) holds *count. */
int node_party_keys(struct node *n, const char *party, struct key_public *cur,
		    struct store_retired_key **retired, size_t *count, struct lerr *e)
    __attribute__((warn_unused_result, nonnull(1, 2, 3, 4, 5)));

/* A party's public keys: the node's own, or a peer's added with party key. */
int node_public_key(struct node *n, const char *party, struct key_public *p, struct lerr *e)
    __attribute__((warn_unused_result, nonnull(1, 2, 3)));

/*
 * Adds the public keys of party_code, a known party, from text, a .pub
 * file's line (file names it in errors) that must name that party. Keys on
 * file already: the same ones again change nothing; others are refused
 * (LERR_EXISTS, both fingerprints named) unless replace, when *old gets
 * the keys replaced (logged with their fingerprint, kept as retired).
 * *old is zeroed when no keys were replaced. compromised (with replace):
 * the keys replaced and every key the party retired before are kept as
 * compromised, so that nothing new they sign is taken.
 */
int node_party_key_add(struct node *n, const char *party_code, const char *file, const char *text,
		       bool replace, bool compromised, struct key_public *p, struct key_public *old,
		       struct lerr *e)
    __attribute__((warn_unused_result, nonnull(1, 2, 3, 4, 7, 8)));

/*
 * A stretch of reads (questions that change nothing) on one snapshot of the
 * store, taking its lock once: the daemon wraps read-only requests in it.
 */
int node_read_begin(struct node *n, struct lerr *e) __attribute__((nonnull(1)));
void node_read_end(struct node *n) __attribute__((nonnull));
/*
 * A light stretch (store_read_begin_light), for a question that can be
 * asked again: a warm cache's answer costs one statement on PostgreSQL,
 * outside any transaction, and none on SQLite when nothing was committed
 * since this handle's last (node_generation_known). When node_read_moved says the store moved
 * while it was read, what was read is not one snapshot: the caller ends
 * the stretch and asks again in one of node_read_begin's.
 */
int node_read_begin_light(struct node *n, struct lerr *e) __attribute__((nonnull(1)));
struct store_gen;
/* The same, its generation g read for it by the generation gate
 * (gengate.h, store_generation_given): a warm cache's answer then costs no
 * statement at all. */
int node_read_begin_light_at(struct node *n, const struct store_gen *g, struct lerr *e)
    __attribute__((nonnull(1, 2)));
bool node_read_moved(const struct node *n) __attribute__((nonnull));
/* Whether this stretch's generation was known without a read (SQLite). */
bool node_generation_known(const struct node *n) __attribute__((nonnull));

/* Opens the node in `home`; *out is released with node_close(). */
int node_open(const char *home, struct node **out, struct lerr *e)
    __attribute__((warn_unused_result, nonnull(1, 2)));
void node_close(struct node *n);

/* ---- configuration (config.c) ---- */

#define CONFIG_ANNOUNCEMENTS_MAX 64 /* of one agreement or regime */
#define CONFIG_OWNER_MAX	 (AGR_ID_MAX + 16)

/* An announcement of the file, with its owner ("agreement|ID", "export|PARTY"). */
struct config_announcement {
	char owner[CONFIG_OWNER_MAX];
	struct announcement a;
};

struct config {
	struct party *parties;
	size_t nparties;
	struct agreement *agreements;
	size_t nagreements;
	struct person *people;
	size_t npeople;
	struct export_regime *regimes;
	size_t nregimes;
	struct store_source *sources; /* of events, group memberships, measures, licences */
	size_t nsources;
	struct config_announcement *announcements;
	size_t nannouncements;
};

struct config_summary {
	size_t parties, agreements, people, regimes;
	size_t events_added, events_known;
	size_t events_awaiting; /* joint acts one party recorded: no effect until all have */
};

/*
 * Parses a configuration file's text (name is used in messages). Errors
 * name the file and the JSON path or line ("f.json: agreements[0].events[2]
 * .date: ..."). *c is released with config_free().
 */
int config_parse(const char *text, size_t len, const char *name, struct config *c, struct lerr *e)
    __attribute__((warn_unused_result, nonnull(1, 3, 4)));
/* Parses one person in the configuration file's form (the HTTP API's body). */
int config_parse_person(const char *text, size_t len, struct person *p, struct lerr *e)
    __attribute__((warn_unused_result, nonnull(1, 3)));
/* Reads and parses a configuration file. */
int config_load(const char *path, struct config *c, struct lerr *e)
    __attribute__((warn_unused_result, nonnull(1, 2)));
void config_free(struct config *c);

/*
 * Applies c to the node's store, all or nothing; applying the same file
 * again changes nothing. With n NULL, or dry_run, it checks the file (against
 * a scratch store or the node's) and stores nothing. Events already stored
 * are kept; the file's events not yet stored are added. who: the person
 * applying it (a registrar, through the API: never their own record, as
 * node_person_put), NULL for the node's operator.
 */
int node_config_apply(struct node *n, const struct person *who, const struct config *c,
		      const char *name, bool dry_run, struct config_summary *sum, struct lerr *e)
    __attribute__((warn_unused_result, nonnull(3, 4, 6)));

/* ---- agreements (agreements.c) ---- */

/* Reads an agreement with its events in applying order (numbered from 1). */
int node_agreement_get(struct node *n, const char *id, struct agreement *a, struct lerr *e)
    __attribute__((warn_unused_result, nonnull(1, 2, 3)));
/* Every agreement id (free() *ids). */
int node_agreement_ids(struct node *n, char (**ids)[AGR_ID_MAX], size_t *count, struct lerr *e)
    __attribute__((warn_unused_result, nonnull(1, 2, 3)));
/* Every party with its scheme, by code; *out (free() it) holds *count. */
int node_party_list(struct node *n, struct party **out, size_t *count, struct lerr *e)
    __attribute__((warn_unused_result, nonnull(1, 2, 3)));
/* One party with its scheme. */
int node_party_get(struct node *n, const char *code, struct party *p, struct lerr *e)
    __attribute__((warn_unused_result, nonnull(1, 2, 3)));

/*
 * 0 when code names a party this node knows; else LERR_INVAL with `field`
 * (the argument, "releasable") named, the parties known and the nearest.
 */
int node_party_known(struct node *n, const char *code, const char *field, struct lerr *e)
    __attribute__((warn_unused_result, nonnull(1, 2, 3)));

/*
 * Records an event of agreement id: refused (LERR_REFUSED, with the reason)
 * when it is dated after the node's today or cannot happen after the events
 * already recorded, or when a later recorded event could no longer happen.
 * *a receives the agreement with the event added; *number its number.
 */
int node_agreement_record(struct node *n, const char *id, const struct agr_event *ev,
			  struct agreement *a, size_t *number, struct lerr *e)
    __attribute__((warn_unused_result, nonnull(1, 2, 3, 4, 5)));

/* How an event came to be recorded. */
struct event_how {
	const char *source; /* "cli", "api", or "note" (a peer's) */
	json_t *evidence;   /* a peer's note: into the log entry (taken); NULL otherwise */
	size_t *notes;	    /* when not NULL: how many notes were queued */
	bool dry_run;	    /* the same checks, then nothing stored, logged or queued */
};

/* How far back a peer's note may be dated from the day it is taken (days). */
#define NOTE_LATE_DAYS 1
/* The last events of an agreement's record that peers' notes may not take. */
#define NOTE_ROOM 16
/* The events of one party other than this node's that an agreement's record
 * may hold when a note of that party's comes (a treaty's life has a few):
 * one peer cannot fill the record with notes. */
#define NOTE_PARTY_MAX 32

/*
 * node_agreement_record, saying how. An event by this node's own party
 * that is not a peer's note is sent, as a note, to each other party of the
 * agreement whose node is a peer (queued in the event's transaction,
 * docs/federation.md). A peer's note (evidence) is dated by its delivery:
 * more than NOTE_LATE_DAYS before the node's date, or before the
 * agreement's last recorded event, or earlier than today where that date
 * changes what the node acted on (the agreement in force or not on a day
 * gone by; its state from today, against the note dated today), it is
 * refused (LERR_REFUSED). The node's
 * own record of an older date is taken, and logged as a late entry. A dry
 * run (how->dry_run) makes every check, then stores, logs and queues
 * nothing: *a holds the agreement as the event would make it, *number the
 * number it would have, *how->notes the notes that would be queued.
 */
int node_agreement_record_as(struct node *n, const char *id, const struct agr_event *ev,
			     const struct event_how *how, struct agreement *a, size_t *number,
			     struct lerr *e)
    __attribute__((warn_unused_result, nonnull(1, 2, 3, 4, 5, 6)));

/* ---- people (people.c) ---- */

/*
 * Stores a person, checked against their party's scheme as the store holds
 * it (a clearance level whatever its case). An existing id is LERR_EXISTS
 * unless `replace`. Asked by `who` (a registrar's token; NULL: the node's
 * operator): nobody changes their own record (LERR_FORBIDDEN).
 */
int node_person_put(struct node *n, const struct person *who, const struct person *p, bool replace,
		    struct lerr *e) __attribute__((warn_unused_result, nonnull(1, 3)));
int node_person_get(struct node *n, const char *id, struct person *p, struct lerr *e)
    __attribute__((warn_unused_result, nonnull(1, 2, 3)));
/*
 * Whether `who` (NULL: the node's operator) sees person p: themselves; a
 * registrar of this node's party, everyone defined on it; a security
 * officer of this node's party, its people.
 */
bool node_person_visible(struct node *n, const struct person *who, const struct person *p)
    __attribute__((nonnull(1, 3)));
/* node_person_get as `who` asks it: "unknown person ID" for one they may not see. */
int node_person_get_as(struct node *n, const struct person *who, const char *id, struct person *p,
		       struct lerr *e) __attribute__((warn_unused_result, nonnull(1, 3, 4)));
/* Every person id (free() *ids). */
int node_person_ids(struct node *n, char (**ids)[PERSON_ID_MAX], size_t *count, struct lerr *e)
    __attribute__((warn_unused_result, nonnull(1, 2, 3)));

/* ---- export control (export.c) ---- */

/*
 * A party's export regime (party NULL: the node's own) with every licence
 * on file; release it with export_regime_free(). LERR_NOTFOUND when none.
 */
int node_export_regime(struct node *n, const char *party, struct export_regime *r, struct lerr *e)
    __attribute__((warn_unused_result, nonnull(1, 3)));

/*
 * Adds an individual licence to a party's regime (party NULL: the node's
 * own), checked as part of it: a listed entry, a country code, from <= to.
 * LERR_EXISTS when its id is on file.
 */
int node_export_licence_add(struct node *n, const char *party, const struct export_licence *l,
			    struct lerr *e) __attribute__((warn_unused_result, nonnull(1, 3)));

/* ---- people's bearer tokens (tokens.c) ---- */

#define NODE_TOKEN_MAX	    64	 /* "lsn_" and 43 characters, with NUL */
#define NODE_TOKEN_DAYS	    90	 /* how long a token is valid unless told */
#define NODE_TOKEN_DAYS_MAX 3660 /* at most ten years */
#define NODE_TOKEN_DIGEST   32	 /* a token's SHA-256: what the store keeps */

struct store_token;

/* What a token is issued for. */
struct token_request {
	const char *person;
	date_t expires; /* its last valid day; 0: NODE_TOKEN_DAYS from today */
	bool read_only; /* it may only ask (node_may) */
};

/*
 * Issues a token: *t describes it (its id is public), token receives the
 * secret, to be shown once; only its SHA-256 is stored. LERR_INVAL for an
 * expiry before today or more than NODE_TOKEN_DAYS_MAX days away.
 */
int node_token_issue(struct node *n, const struct token_request *rq, struct store_token *t,
		     char token[NODE_TOKEN_MAX], struct lerr *e)
    __attribute__((warn_unused_result, nonnull(1, 2, 3, 4)));
/*
 * The person a valid token names, and the token (*t); LERR_AUTH when it is
 * unknown, revoked or past its last valid day.
 */
int node_token_check(struct node *n, const char *token, struct person *p, struct store_token *t,
		     struct lerr *e) __attribute__((warn_unused_result, nonnull(1, 2, 3, 4)));
/* The same, for a token known by its digest (a console session keeps that). */
int node_token_check_digest(struct node *n, const uint8_t h[NODE_TOKEN_DIGEST], struct person *p,
			    struct store_token *t, struct lerr *e)
    __attribute__((warn_unused_result, nonnull(1, 2, 3, 4)));
/*
 * Whether this handle last saw token valid (node_token_check), with its
 * person: from what the handle keeps, however old, the store not asked. A
 * gate only (a daemon reads a question's body for such a token), never the
 * check: a token revoked since still passes it. 0, else LERR_NOTFOUND.
 */
int node_token_seen(struct node *n, const char *token, struct person *p, struct store_token *t)
    __attribute__((warn_unused_result, nonnull(1, 2, 3, 4)));
/* A token's digest, as the store keeps it; LERR_AUTH for what is not a token. */
int node_token_digest(const char *token, uint8_t h[NODE_TOKEN_DIGEST], struct lerr *e)
    __attribute__((warn_unused_result, nonnull(1, 2)));
/* Records that a request carried t today, once a day (a write: outside a read stretch). */
int node_token_touch(struct node *n, const struct store_token *t, struct lerr *e)
    __attribute__((nonnull(1, 2)));
/* A person's tokens (free() *out). */
int node_token_list(struct node *n, const char *person, struct store_token **out, size_t *count,
		    struct lerr *e) __attribute__((warn_unused_result, nonnull(1, 2, 3, 4)));
/* Whether the token of this handle's acts (n->token; none: 0) is not
 * revoked, nor past its last valid day: else LERR_FORBIDDEN. */
int node_token_in_force(struct node *n, struct lerr *e)
    __attribute__((warn_unused_result, nonnull(1)));
/* Revokes a token by id. */
int node_token_revoke(struct node *n, const char *id, struct lerr *e)
    __attribute__((warn_unused_result, nonnull(1, 2)));

#endif
