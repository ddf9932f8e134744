/*
 * records.h - the records the store keeps and hands back (an item's row, a
 * message to or from a peer, a peer, a token, a source, an announcement):
 * plain data, and how to free what a read allocated. The layers above the
 * store see these; only node/ includes store.h and calls the store.
 */
#ifndef LIAISON_STORE_RECORDS_H
#define LIAISON_STORE_RECORDS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../core/date.h"
#include "../core/label.h"
#include "../core/person.h"
#include "../core/scheme.h"
#include "../crypto/keys.h"

struct store; /* the store's handle (store.h) */

#define STORE_META_MAX 256 /* longest meta value, with NUL */

/* What an agreement event record adds to the event itself. */
struct store_event_info {
	const char *source;	 /* "config" or "cli" */
	const char *recorded_on; /* the node's date when recorded */
};

#define STORE_BLOB_NAME 65 /* hex BLAKE2b-256 and NUL */

/* An item as the store holds it. */
struct store_item {
	char id[LABEL_WORD_MAX];
	char *label; /* canonical JSON; malloc'd by store_item_get, freed by store_item_free */
	char originator[PARTY_CODE_MAX];
	char level[LEVEL_CODE_MAX];	  /* the originator's marking */
	char local_level[LEVEL_CODE_MAX]; /* this party's equivalent marking */
	bool foreign;
	char received[DATE_BUF_SIZE]; /* foreign: the day it came, else "" */
	char sender[PARTY_CODE_MAX];  /* foreign: who sent it, else "" */
	char blob[STORE_BLOB_NAME];   /* the sealed payload's file name in blobs/ */
	int64_t size;		      /* the payload's bytes */
	char stored_on[DATE_BUF_SIZE];
	char destroyed_on[DATE_BUF_SIZE]; /* "" while it exists */
	char shared_by[PERSON_ID_MAX];	  /* the person who made it here, "" for a received one */
};

void store_item_free(struct store_item *it);

#define SOURCE_TITLE_MAX   256 /* UTF-8 bytes, with NUL */
#define SOURCE_URL_MAX	   512
#define SOURCE_REF_MAX	   160
#define ANNOUNCE_TITLE_MAX 256

/* Where a fact of the record comes from: a title ("METI, 1 July 2019"), an
 * address ("" when none is given). */
struct source {
	char title[SOURCE_TITLE_MAX];
	char url[SOURCE_URL_MAX];
};

/* The source of one fact: scope "event", "group", "measure" or "licence",
 * and the fact's key within it ("JPN-KOR-GSOMIA|2019-08-23|notice|KOR"). */
struct store_source {
	char scope[16];
	char ref[SOURCE_REF_MAX];
	struct source src;
};

/* A dated announcement that changes no state (a cabinet decision, a
 * promulgation), of an agreement or a regime. */
struct announcement {
	date_t date;
	char title[ANNOUNCE_TITLE_MAX];
	char by[PARTY_CODE_MAX]; /* "" when no party is named */
	struct source src;	 /* title "" when none */
};

#define STORE_TOKEN_ID_MAX 24

struct store_token {
	char id[STORE_TOKEN_ID_MAX]; /* public: names the token in lists and revocations */
	char person[PERSON_ID_MAX];
	char issued_on[DATE_BUF_SIZE];
	char revoked_on[DATE_BUF_SIZE]; /* "" while valid */
	char expires_on[DATE_BUF_SIZE]; /* its last valid day; "" for a token that never expires */
	char last_used[DATE_BUF_SIZE];	/* the last day a request carried it, "" before */
	bool read_only;			/* it may only ask */
};

#define PEER_URL_MAX   256
#define MSG_ID_MAX     33 /* 32 hex digits */
#define MSG_KIND_MAX   16
#define MSG_REF_MAX    64
#define DIGEST_B64_MAX 48 /* base64 of a SHA-256 */

struct store_peer {
	char party[PARTY_CODE_MAX];
	char url[PEER_URL_MAX];
	char added_on[DATE_BUF_SIZE];
	/* witnessing its log: the last checkpoint kept, the last error, an alarm */
	bool witnessed;
	uint64_t witnessed_size;
	int64_t witnessed_at; /* Unix seconds */
	char witness_error[256];
	char alarm[256];      /* "" when none */
	int envelope_version; /* the envelope format its node reads; 0: the newest */
};

#define REPORT_NOTE_MAX 512

/* A compromise report a peer sent about an item this party made, and its
 * acknowledgement by a security officer of this node. */
/* A report's id here: FROM-MESSAGE, its party and its message's id (a
 * report stored before schema 20: the message's id alone). */
#define REPORT_ID_MAX (PARTY_CODE_MAX + MSG_ID_MAX)

struct store_report {
	char id[REPORT_ID_MAX];
	char message[MSG_ID_MAX]; /* the peer's message id (an imported file's name) */
	char item[LABEL_WORD_MAX];
	char from[PARTY_CODE_MAX]; /* the reporting party, which signed it */
	char by[PERSON_ID_MAX];	   /* its person, as the report says */
	char reported_on[DATE_BUF_SIZE];
	char received_on[DATE_BUF_SIZE];
	char sha256[65];		     /* of the report as received, hex */
	char acknowledged_by[PERSON_ID_MAX]; /* "" until acknowledged */
	char acknowledged_on[DATE_BUF_SIZE];
	char note[REPORT_NOTE_MAX]; /* the officer's words with the acknowledgement */
	char *body;		    /* the report as received (store_report_get; free()) */
};

enum msg_state { MSG_QUEUED, MSG_DELIVERED, MSG_REFUSED };

/* A message to a peer (outbox) or from one (inbox: id, peer, kind, digest, done_on). */
struct store_msg {
	char id[MSG_ID_MAX];
	char peer[PARTY_CODE_MAX];
	char kind[MSG_KIND_MAX]; /* item, consent, note */
	char ref[MSG_REF_MAX];	 /* what it carries: an item id, an agreement id */
	char *body;		 /* inline (consent, note), or NULL: the file outbox/ID */
	size_t body_len;
	char digest[DIGEST_B64_MAX]; /* SHA-256 of what is sent, base64 */
	char created_on[DATE_BUF_SIZE];
	int64_t attempts, next_try; /* next_try: Unix seconds */
	enum msg_state state;
	char done_on[DATE_BUF_SIZE]; /* delivered, refused, or received on */
	char last_error[256];
	char *receipt; /* the peer's signed receipt, once delivered */
	char *consent; /* an item passed on: its originator's consent, sent with it; or NULL */
};

void store_msg_free(struct store_msg *m, size_t n);

/* A key a party no longer uses: replaced by hand, rotated (the party's note
 * says so, signed by it and the next), or rotated as compromised. */
struct store_retired_key {
	struct key_public pub;
	char added_on[DATE_BUF_SIZE];
	char retired_on[DATE_BUF_SIZE];
	uint64_t log_size; /* the party's log when retired: its checkpoints go no further */
	char how[16];	   /* "replaced", "rotated", "compromised" */
};

/* A payload kept in the store (store.h): its name, as its file in the
 * node's folder, its size, and when it was made (Unix seconds). */
#define STORE_CHUNK	   (1 << 20)
#define STORE_PAYLOAD_NAME 96

struct store_payload {
	char name[STORE_PAYLOAD_NAME];
	uint64_t size;
	int64_t made;
};

#endif
