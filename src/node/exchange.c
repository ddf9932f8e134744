/*
 * exchange.c - items between parties as files: release, import, consent.
 *
 * A release decrypts the stored payload in one thread and seals it for the
 * recipient in another, through a pipe, so that no plaintext touches the
 * disk and memory stays flat. An import checks the whole envelope (sender,
 * signatures, every chunk) before it stores anything.
 */
#include <errno.h>
#include <jansson.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../core/text.h"
#include "../store/store.h"
#include "../crypto/fio.h"
#include "jfield.h"
#include "exchange.h"
#include "label_json.h"
#include "log.h"
#include "peer.h"

#define CTX_CONSENT "liaison-consent/v1"

struct opener {
	struct node *n;
	const char *id;
	const struct key_secret *k;
	int fd;
	int r;
	struct lerr e;
};

static void *open_into_pipe(void *arg)
{
	struct opener *o = arg;
	o->r = node_item_open(o->n, o->id, o->k, o->fd, false, NULL, &o->e);
	close(o->fd);
	return NULL;
}

int node_reseal(struct node *n, const char *id, const struct key_secret *k,
		const struct key_public *to, const char *label, int version, int out,
		struct lerr *e)
{
	int p[2];
	if (pipe(p) != 0)
		return lerr_set(e, LERR_IO, "pipe: %s", strerror(errno));
	struct opener op = {.n = n, .id = id, .k = k, .fd = p[1]};
	pthread_t t;
	if (pthread_create(&t, NULL, open_into_pipe, &op) != 0) {
		close(p[0]);
		close(p[1]);
		return lerr_set(e, LERR_IO, "cannot start a thread");
	}
	const struct env_seal_args sa = {.from = k,
					 .to = to,
					 .nto = 1,
					 .label = label,
					 .label_len = strlen(label),
					 .version = version};
	int r = envelope_seal(p[0], out, &sa, NULL, e);
	close(p[0]); /* the opener stops with EPIPE if sealing failed */
	pthread_join(t, NULL);
	if (op.r < 0) {
		*e = op.e;
		r = op.r;
	}
	return r;
}

/* The consent's signed text: canonical JSON of its fields (the holder and
 * the digests left out when "", as consents granted before they were
 * named have them). */
static char *consent_text(const struct consent_info *c)
{
	json_t *o =
	    json_pack("{s:s, s:s, s:s, s:s, s:s}", "item", c->item, "to", c->to, "originator",
		      c->originator, "granted_by", c->granted_by, "date", c->date);
	const struct {
		const char *name, *value;
	} more[] = {{"holder", c->holder},
		    {"label_sha256", c->label_sha256},
		    {"content_sealed", c->content_sealed}};
	for (size_t i = 0; o && i < sizeof more / sizeof more[0]; i++)
		if (more[i].value[0] &&
		    json_object_set_new(o, more[i].name, json_string(more[i].value)) != 0) {
			json_decref(o);
			o = NULL;
		}
	char *s = o ? json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
	json_decref(o);
	return s;
}

/*
 * A consent document (root: its JSON, name: where it came from, for the
 * messages): its fields into *ci, the originator's signature checked, and
 * what a grant writes (a person's id, a real day). From a peer (from: its
 * party; else NULL), the originator must be that peer, checked first.
 * LERR_INVAL, LERR_AUTH or LERR_REFUSED.
 */
static int consent_read(struct node *n, json_t *root, const char *name, enum signer_use use,
			const char *from, struct consent_info *ci, struct lerr *e)
{
	json_t *c = NULL;
	const char *sig64 = NULL, *item = NULL, *to = NULL, *orig = NULL, *by = NULL, *date = NULL,
		   *label = "", *content = "", *holder = "";
	memset(ci, 0, sizeof *ci);
	if (json_unpack(root, "{s:o, s:s}", "consent", &c, "signature", &sig64) != 0 ||
	    json_unpack(c, "{s:s, s:s, s:s, s:s, s:s, s?s, s?s, s?s}", "item", &item, "to", &to,
			"originator", &orig, "granted_by", &by, "date", &date, "label_sha256",
			&label, "content_sealed", &content, "holder", &holder) != 0)
		return lerr_set(e, LERR_INVAL, "%s: not a liaison consent (fields missing)", name);
	if (!str_copy(ci->item, sizeof ci->item, item) || !str_copy(ci->to, sizeof ci->to, to) ||
	    !str_copy(ci->originator, sizeof ci->originator, orig) ||
	    !str_copy(ci->granted_by, sizeof ci->granted_by, by) ||
	    !str_copy(ci->date, sizeof ci->date, date) ||
	    !str_copy(ci->label_sha256, sizeof ci->label_sha256, label) ||
	    !str_copy(ci->content_sealed, sizeof ci->content_sealed, content) ||
	    !str_copy(ci->holder, sizeof ci->holder, holder)) {
		memset(ci, 0, sizeof *ci);
		return lerr_set(e, LERR_INVAL, "%s: not a liaison consent (a field too long)",
				name);
	}
	/* whose it must be, before any key is looked up: the answer must not
	 * tell which parties' keys this node holds */
	if (from && strcmp(orig, from) != 0) {
		memset(ci, 0, sizeof *ci);
		return lerr_set(e, LERR_REFUSED,
				"a consent of %.16s's comes from %.16s's node, not from %s", orig,
				orig, from);
	}
	char *text = consent_text(ci);
	int r = text ? node_party_signed_check(n, orig, use, CTX_CONSENT, text, sig64, e)
		     : lerr_set(e, LERR_NOMEM, "out of memory");
	free(text);
	date_t on;
	uint8_t sealed[CONSENT_SEALED];
	size_t sl = 0;
	if (r < 0)
		lerr_prefix(e, "%s", name);
	else if ((r = person_id_check(by, e)) < 0)
		lerr_prefix(e, "%s: granted_by", name);
	else if ((r = date_parse(date, &on, e)) < 0)
		lerr_prefix(e, "%s: date", name);
	else if (holder[0] && (r = party_code_check(holder, e)) < 0)
		lerr_prefix(e, "%s: holder", name);
	else if (content[0] &&
		 (sodium_base642bin(sealed, sizeof sealed, content, strlen(content), NULL, &sl,
				    NULL, sodium_base64_VARIANT_ORIGINAL) != 0 ||
		  sl != sizeof sealed))
		r = lerr_set(e, LERR_INVAL,
			     "%s: content_sealed: not %d bytes of base64 (a SHA-256 sealed to %s)",
			     name, CONSENT_SEALED, to);
	if (r < 0)
		memset(ci, 0, sizeof *ci);
	return r;
}

/*
 * What a consent must name to pass an item on: the holder that may, and
 * the label and the content its originator gave the item, which a consent
 * granted by an older release does not name; then that the holder is
 * `holder` (the party passing it on) and the label label_sha256 (NULL:
 * not compared), that of what `what` ("came with it", "this node holds").
 * The content's digest is sealed to the third party: only its node can
 * compare it (passed_on). Into why (after "the consent"), what differs,
 * or "" when nothing does.
 */
static void consent_flaw(const struct consent_info *ci, const char *holder,
			 const char *label_sha256, const char *what, char *why, size_t n)
{
	why[0] = '\0';
	if (!ci->label_sha256[0] || !ci->content_sealed[0] || !ci->holder[0])
		snprintf(why, n,
			 "names no %s (one granted by an older release): %s must grant it again",
			 !ci->label_sha256[0]	  ? "label"
			 : !ci->content_sealed[0] ? "content"
						  : "holder",
			 ci->originator);
	else if (strcmp(ci->holder, holder) != 0)
		snprintf(why, n, "lets %s pass it on, not %s", ci->holder, holder);
	else if (label_sha256 && strcmp(ci->label_sha256, label_sha256) != 0)
		snprintf(why, n, "is for another label than the one that %s", what);
}

/* consent_flaw as an error: 0, else LERR_REFUSED saying what differs. */
static int consent_names(const struct consent_info *ci, const char *holder,
			 const char *label_sha256, const char *what, struct lerr *e)
{
	char why[CONSENT_FLAW_MAX];
	consent_flaw(ci, holder, label_sha256, what, why, sizeof why);
	if (!why[0])
		return 0;
	return lerr_set(e, LERR_REFUSED, "R-THIRD-PARTY: %s's consent for item %s %s",
			ci->originator, ci->item, why);
}

/*
 * Why consent document doc cannot pass item l on from this node (into why,
 * as consent_flaw; "" when it can): one that no longer verifies (its
 * originator's key since replaced or retired as compromised) is a flaw, not
 * an error (a decision says it to the asker: the key's details stay out);
 * label_sha256: the label it must name, or NULL not to compare it.
 */
static int consent_doc_flaw(struct node *n, const char *doc, const struct label *l,
			    const char *label_sha256, char *why, size_t wn, struct lerr *e)
{
	struct consent_info ci;
	json_t *root = json_loads(doc, JSON_REJECT_DUPLICATES, NULL);
	int r = root ? consent_read(n, root, "the consent held here", SIGNER_HELD, NULL, &ci, e)
		     : lerr_set(e, LERR_INVAL, "the consent held here is not JSON");
	json_decref(root);
	why[0] = '\0';
	if (r == LERR_AUTH || r == LERR_INVAL) {
		snprintf(why, wn, "cannot be verified against %s's keys here", l->originator);
		lerr_clear(e);
		return 0;
	}
	if (r == 0)
		consent_flaw(&ci, n->party, label_sha256, "this node holds", why, wn);
	return r;
}

/*
 * The consent this node holds to pass item it/l on to `to` (*doc, free()
 * it; NULL when the item is this party's own, or goes back to its
 * originator: neither needs one; LERR_NOTFOUND when none is held),
 * checked as the receiver will check it: one that names this node as the holder, the
 * label held here (it, as this node reseals it) and a content; what it
 * does not name into why (see consent_flaw).
 */
static int consent_held(struct node *n, const struct store_item *it, const struct label *l,
			const char *to, char **doc, char *why, size_t wn, struct lerr *e)
{
	char label_sha256[DIGEST_B64_MAX];
	*doc = NULL;
	why[0] = '\0';
	if (strcmp(l->originator, n->party) == 0 || strcmp(to, l->originator) == 0)
		return 0;
	int r = store_consent_evidence(n->store, l->item, to, doc, e);
	if (r == 0) {
		peer_digest(it->label, strlen(it->label), label_sha256);
		r = consent_doc_flaw(n, *doc, l, label_sha256, why, wn, e);
	}
	if (r < 0) {
		free(*doc);
		*doc = NULL;
	}
	return r;
}

int node_consent_flaw(struct node *n, const struct store_item *it, const struct label *l,
		      const char *to, const char *sent, char *why, size_t wn, struct lerr *e)
{
	if (sent) /* checked against its label when queued: its signature now */
		return consent_doc_flaw(n, sent, l, NULL, why, wn, e);
	char *doc = NULL;
	int r = consent_held(n, it, l, to, &doc, why, wn, e);
	free(doc);
	if (r == LERR_NOTFOUND)
		lerr_clear(e);
	return r == LERR_NOTFOUND ? 0 : r;
}

/* consent_held as the release needs it: a consent that can pass the item
 * on (decide() found one: a consent cannot be taken back), else an error. */
static int held_consent(struct node *n, const struct store_item *it, const struct label *l,
			const char *to, char **doc, struct lerr *e)
{
	char why[CONSENT_FLAW_MAX];
	int r = consent_held(n, it, l, to, doc, why, sizeof why, e);
	if (r == 0 && why[0])
		r = lerr_set(e, LERR_REFUSED, "R-THIRD-PARTY: %s's consent for item %s %s",
			     l->originator, l->item, why);
	else if (r == LERR_NOTFOUND)
		r = lerr_set(e, LERR_REFUSED,
			     "R-THIRD-PARTY: %s's consent to release item %s to %s is not here",
			     l->originator, l->item, to);
	if (r < 0) {
		free(*doc);
		*doc = NULL;
	}
	return r;
}

/* What a release was decided and sealed for. */
struct release_made {
	const struct decide_args *decided;
	struct decision *d;
	const struct key_public *to; /* the key it was sealed to */
};

/*
 * The release's record and its log entry (with the message that carries
 * it, if any), after its decision made again under the lock (the item
 * destroyed, the agreement suspended while it was resealed) and the key it
 * was sealed to checked to be still the party's (not replaced meanwhile).
 */
static int release_record(struct node *n, const struct release_args *a,
			  const struct release_made *made, const struct store_msg *m,
			  struct lerr *e)
{
	char day[DATE_BUF_SIZE];
	struct key_public now;
	int r = store_begin(n->store, e);
	if (r < 0 || (r = node_enforce_again(n, made->decided, made->d, e)) < 0)
		return r;
	if ((r = node_public_key(n, a->to, &now, e)) == 0 &&
	    (sodium_memcmp(now.sign_pk, made->to->sign_pk, sizeof now.sign_pk) != 0 ||
	     sodium_memcmp(now.box_pk, made->to->box_pk, sizeof now.box_pk) != 0))
		r = lerr_set(e, LERR_EXISTS,
			     "%s's key was replaced while item %s was sealed to it: nothing "
			     "released (release it again)",
			     a->to, a->item);
	if (r == 0)
		r = store_release_add(n->store, a->item, a->to, a->by,
				      date_format(n->clock.today, day), e);
	if (r == 0 && m)
		r = store_outbox_add(n->store, m, e);
	if (r < 0) {
		store_rollback(n->store);
		return r;
	}
	json_t *facts = json_pack("{s:s, s:s, s:s}", "item", a->item, "to", a->to, "by", a->by);
	if (m && facts)
		json_object_set_new(facts, "message", json_string(m->id));
	return node_log_commit(n, "item-release", facts, e);
}

int node_release_key_held(struct node *n, const struct store_msg *m, int fd, char *why, size_t wn,
			  struct lerr *e)
{
	struct env_header h;
	enum env_check ec;
	struct lerr oe = {0};
	if (strcmp(m->kind, "item") != 0)
		return 0;
	int r = envelope_read_header(fd, &h, &ec, &oe);
	if (lseek(fd, 0, SEEK_SET) != 0) {
		if (r == 0)
			envelope_header_free(&h);
		return lerr_set(e, LERR_IO, "message %s: cannot read it again: %s", m->id,
				strerror(errno));
	}
	if (r < 0)
		return 0;
	const uint8_t *to = NULL;
	for (size_t i = 0; i < h.nstanzas; i++)
		if (strcmp(h.stanzas[i].party, m->peer) == 0)
			to = h.stanzas[i].box_pk;
	struct key_public now;
	struct store_retired_key *ks = NULL;
	size_t nk = 0;
	if (!to || (r = node_public_key(n, m->peer, &now, e)) < 0 ||
	    sodium_memcmp(now.box_pk, to, sizeof now.box_pk) == 0 ||
	    (r = store_retired_keys(n->store, m->peer, &ks, &nk, e)) < 0) {
		envelope_header_free(&h);
		return r < 0 ? r : 0;
	}
	r = 1;
	snprintf(why, wn, "sealed to a key %s no longer holds", m->peer);
	for (size_t i = 0; i < nk && r == 1; i++)
		if (sodium_memcmp(ks[i].pub.box_pk, to, sizeof ks[i].pub.box_pk) == 0) {
			r = strcmp(ks[i].how, "rotated") != 0;
			snprintf(why, wn, "sealed to %s's key retired on %s (%s): release it again",
				 m->peer, ks[i].retired_on, ks[i].how);
		}
	free(ks);
	envelope_header_free(&h);
	return r;
}

/* The rules of a release that judge the releaser, not the day it goes:
 * the act was theirs to make on the day they made it. */
static bool releasers_rule(const char *id)
{
	return strcmp(id, "R-ROLE") == 0 || strcmp(id, "R-CLEARANCE") == 0 ||
	       strcmp(id, "R-NTK") == 0;
}

int node_release_still(struct node *n, const struct store_msg *m, char *why, size_t wn,
		       struct lerr *e)
{
	char by[PERSON_ID_MAX];
	if (strcmp(m->kind, "item") != 0)
		return 0;
	/* the release decided again as its releaser, on the day it would go:
	 * the item not destroyed, the pact with the peer in force (R-IN-FORCE),
	 * a passed-on item still held under its agreement (R-RECEIVED,
	 * R-CONTINUING) with a consent that still verifies (R-THIRD-PARTY), the
	 * export law of that day (R-EXPORT: a special measure or a licence ended
	 * since it was queued) */
	int r = store_release_by(n->store, m->ref, m->peer, by, e);
	if (r == LERR_NOTFOUND) {
		snprintf(why, wn, "no release of item %s to %s is recorded here", m->ref, m->peer);
		lerr_clear(e);
		return 1;
	}
	if (r < 0)
		return r;
	struct decision *d = malloc(sizeof *d);
	if (!d)
		return lerr_set(e, LERR_NOMEM, "out of memory");
	const struct decide_args da = {.person = by,
				       .item = m->ref,
				       .action = ACT_RELEASE,
				       .date = n->clock.today,
				       .to = m->peer,
				       .consent_sent = m->consent,
				       .question = true,
				       .by_operator = true,
				       /* a releaser was of this party (R-ROLE): the
					* release is this node's, whatever their party
					* has become since */
				       .as_holder = true};
	if ((r = node_decide(n, &da, d, e)) == LERR_NOTFOUND) {
		/* its item destroyed ("item ... was destroyed on ..."), or gone */
		snprintf(why, wn, "%s", e ? e->msg : "its item is gone");
		lerr_clear(e);
		r = 1;
	} else if (r == 0) {
		d->permit = true;
		for (size_t i = 0; i < d->nrules; i++) {
			d->rules[i].ok = d->rules[i].ok || releasers_rule(d->rules[i].id);
			d->permit = d->permit && d->rules[i].ok;
		}
		if (!d->permit)
			decide_why(d, why, wn);
		r = !d->permit;
	}
	free(d);
	return r;
}

/* The envelope into the outbox (in place before its row: a file without a
 * row is only an orphan; a row without its file would be a lost message),
 * with the consent it goes with (consent, or NULL), as checked now. */
static int release_queue(struct node *n, const struct release_args *a, const struct key_secret *k,
			 const struct release_made *made, const char *label, int version,
			 char *consent, struct lerr *e)
{
	struct store_msg m = {.consent = consent};
	char name[STORE_PAYLOAD_NAME];
	node_msg_id(m.id);
	str_copy(m.peer, sizeof m.peer, a->to);
	str_copy(m.kind, sizeof m.kind, "item");
	str_copy(m.ref, sizeof m.ref, a->item);
	date_format(n->clock.today, m.created_on);
	node_outbox_name(m.id, name);
	struct fio_out o;
	int r = node_payload_begin(n, "outbox", &o, e);
	if (r == 0)
		r = node_reseal(n, a->item, k, made->to, label, version, o.fd, e);
	if (r == 0)
		r = peer_file_digest(o.fd, m.digest, e);
	if (r < 0) {
		fio_abort(&o);
		return r;
	}
	if ((r = node_payload_keep(n, name, &o, e)) < 0)
		return r;
	if (r == 0)
		r = release_record(n, a, made, &m, e);
	/* its row not there: the envelope goes (a commit said to fail may have
	 * landed, as in a failover: then the message needs it) */
	if (r < 0 && store_payload_in_use(n->store, name, NULL) == 0)
		(void)node_payload_remove(n, name, NULL);
	return r;
}

int node_item_release(struct node *n, const struct release_args *a, const struct key_secret *k,
		      struct decision *d, struct lerr *e)
{
	struct decide_args da = {.person = a->by,
				 .item = a->item,
				 .action = ACT_RELEASE,
				 .date = n->clock.today,
				 .to = a->to};
	struct store_peer peer;
	int r = a->out ? 0 : store_peer_get(n->store, a->to, &peer, e);
	if (r < 0)
		return r;
	if ((r = node_enforce(n, &da, d, e)) < 0)
		return r;
	struct key_public to;
	struct store_item it;
	struct label l;
	if ((r = node_public_key(n, a->to, &to, e)) < 0)
		return r;
	if ((r = node_item_get(n, a->item, &it, &l, e)) < 0)
		return r;
	/* an item passed on: the consent that must go with it */
	char *consent = NULL;
	if ((r = held_consent(n, &it, &l, a->to, &consent, e)) < 0) {
		store_item_free(&it);
		return r;
	}
	const struct release_made made = {.decided = &da, .d = d, .to = &to};
	if (!a->out) { /* the consent goes with the message, to be sent with it */
		r = release_queue(n, a, k, &made, it.label, peer_envelope_version(&peer), consent,
				  e);
		free(consent);
		store_item_free(&it);
		return r;
	}
	int version;
	struct fio_out o;
	if ((r = node_envelope_version_for(n, a->to, &version, e)) < 0) {
		free(consent);
		store_item_free(&it);
		return r;
	}
	if (!a->consent_out) { /* a file alone (through a daemon) */
		free(consent);
		consent = NULL;
	}
	if ((r = fio_begin(&o, a->out, 0600, a->force, e)) == 0)
		r = node_reseal(n, a->item, k, &to, it.label, version, o.fd, e);
	store_item_free(&it);
	const bool with_consent = consent != NULL;
	if (r == 0 && with_consent)
		r = fio_write_file(a->consent_out, consent, strlen(consent), 0600, a->force, e);
	free(consent);
	if (r < 0) {
		fio_abort(&o); /* fio_begin leaves it abortable even when it failed */
		return r;
	}
	/* the record first: a release file never exists without its record */
	if ((r = release_record(n, a, &made, NULL, e)) < 0) {
		fio_abort(&o);
		if (with_consent)
			(void)unlink(a->consent_out);
		return r;
	}
	/* the file not in place (a full disk at its rename): no consent beside
	 * nothing (a daemon's would stay in its temporary folder) */
	if ((r = fio_commit(&o, e)) < 0 && with_consent)
		(void)unlink(a->consent_out);
	if (a->consent_written)
		*a->consent_written = r == 0 && with_consent;
	return r;
}

/* Checks the whole envelope in fd (sender, signatures, every chunk) with my
 * keys; content gets the SHA-256 of its plaintext. */
static int verify_all(struct node *n, int fd, const struct key_secret *k, const char *sender_must,
		      struct env_header *h, struct key_public *sender, uint8_t content[ENV_HASH],
		      struct lerr *e)
{
	enum env_check why;
	int r = envelope_read_header(fd, h, &why, e);
	if (r < 0)
		return r;
	/* the peer that sent it before any key is looked up: the answer must
	 * not tell which parties' keys this node holds */
	if (sender_must && strcmp(h->sender, sender_must) != 0)
		r = lerr_set(e, LERR_AUTH, "the envelope is from %s, not from %s who sent it",
			     h->sender, sender_must);
	if (r == 0 &&
	    (r = node_signer_key(n, h->sender, h->sender_pk, SIGNER_ARRIVING, sender, e)) == 0) {
		int null = open("/dev/null", O_WRONLY | O_CLOEXEC);
		r = null < 0 ? lerr_set(e, LERR_IO, "/dev/null: %s", strerror(errno))
			     : envelope_open_sha256(fd, null, h, k, sender, content, &why, e);
		if (null >= 0)
			close(null);
	}
	if (r < 0)
		envelope_header_free(h);
	return r;
}

/*
 * An item passed on by a holder (its sender is not its originator): the
 * originator's consent to its release to this party must come with it
 * (consent, consent_len: the document, or NULL), signed by the originator,
 * for this item and this party, naming the label that came with it (h's)
 * and the content (content: its plaintext's SHA-256, which the consent
 * holds sealed to this party's key, k or one it retired). The holder's
 * node enforced R-THIRD-PARTY when it released it; this is the receiver's
 * proof that it did, and that the holder, which reseals what it passes
 * on, changed nothing.
 */
static int passed_on(struct node *n, const struct label *l, const struct env_header *h,
		     const uint8_t content[ENV_HASH], const struct key_secret *k,
		     const char *consent, size_t consent_len, struct consent_info *ci,
		     struct lerr *e)
{
	const char *sender = h->sender;
	if (!consent)
		return lerr_set(e, LERR_REFUSED,
				"R-THIRD-PARTY: %s made item %s, not %s who sent it: %s's consent "
				"to its release to %s must come with it",
				l->originator, l->item, sender, l->originator, n->party);
	text_skip_bom(&consent, &consent_len); /* as a file is read (jdoc_read) */
	json_t *root = json_loadb(consent, consent_len, JSON_REJECT_DUPLICATES, NULL);
	int r =
	    root ? consent_read(n, root, "the consent that came with it", SIGNER_HELD, NULL, ci, e)
		 : lerr_set(e, LERR_INVAL, "the consent that came with it is not JSON");
	json_decref(root);
	if (r == 0 && (strcmp(ci->item, l->item) != 0 || strcmp(ci->to, n->party) != 0 ||
		       strcmp(ci->originator, l->originator) != 0))
		r = lerr_set(e, LERR_REFUSED,
			     "R-THIRD-PARTY: the consent that came with item %s is %s's for item "
			     "%s to %s, not %s's for it to %s",
			     l->item, ci->originator, ci->item, ci->to, l->originator, n->party);
	/* the label as the envelope carries it (canonical) */
	char label_sha256[DIGEST_B64_MAX];
	peer_digest(h->label, h->label_len, label_sha256);
	if (r == 0)
		r = consent_names(ci, h->sender, label_sha256, "came with it", e);
	/* the content, sealed to this party (consent_read checked its length) */
	uint8_t sealed[CONSENT_SEALED], named[ENV_HASH];
	size_t sl = 0;
	bool opened = false;
	if (r == 0 &&
	    sodium_base642bin(sealed, sizeof sealed, ci->content_sealed, strlen(ci->content_sealed),
			      NULL, &sl, NULL, sodium_base64_VARIANT_ORIGINAL) == 0 &&
	    sl == sizeof sealed)
		for (size_t j = 0; !opened && j <= k->nretired; j++) {
			const struct key_secret *my = j ? &k->retired[j - 1] : k;
			opened = crypto_box_seal_open(named, sealed, sizeof sealed, my->pub.box_pk,
						      my->box_sk) == 0;
		}
	if (r == 0 && !opened)
		r = lerr_set(e, LERR_REFUSED,
			     "R-THIRD-PARTY: %s's consent for item %s names its content sealed to "
			     "another key than %s's",
			     l->originator, l->item, n->party);
	else if (r == 0 && sodium_memcmp(named, content, ENV_HASH) != 0)
		r = lerr_set(e, LERR_REFUSED,
			     "R-THIRD-PARTY: %s's consent for item %s is for other content than "
			     "what came with it",
			     l->originator, l->item);
	sodium_memzero(named, sizeof named);
	return r;
}

/*
 * R-RECEIVED and the new marking: the local level, or a refusal saying why.
 * From a peer (peer true), a passed-on item refused for what concerns its
 * originator (an agreement with it, its consent, the mapping of its level)
 * gets one answer, whatever failed: which would tell the peer the
 * agreements and keys this node holds with others (the daemon's standard
 * error says which).
 */
static int receive_check(struct node *n, const struct label *l, const struct env_header *h,
			 const uint8_t content[ENV_HASH], const struct key_secret *k,
			 const char *consent, size_t consent_len, bool peer,
			 struct consent_info *ci, struct store_item *it, struct lerr *e)
{
	const char *sender = h->sender;
	/* what no sender may claim: an item of this node's own party (its own
	 * items are never received, only made here), or one not releasable to
	 * this party at all (its sender's release would have been denied) */
	if (strcmp(l->originator, n->party) == 0)
		return lerr_set(e, LERR_REFUSED,
				"R-RECEIVED: item %s says %s made it: an item of %s's own is "
				"never received from %s",
				l->item, n->party, n->party, sender);
	/* ids are one namespace: one that names a party is that party's, so
	 * that no sender takes an id another will use (label_id_party); any
	 * party, known here or not, so that the answer tells a sender nothing
	 * of the parties this node knows */
	char named[PARTY_CODE_MAX];
	if (label_id_party(l->item, named) && strcmp(named, l->originator) != 0)
		return lerr_set(
		    e, LERR_REFUSED,
		    "R-RECEIVED: item %s names %s, but its label says %s made it: an id "
		    "that begins with a party's code is that party's",
		    l->item, named, l->originator);
	if (!label_releasable_to(l, n->party))
		return lerr_set(e, LERR_REFUSED, "R-RELEASABLE: item %s is not releasable to %s",
				l->item, n->party);
	struct agreement *a = malloc(sizeof *a);
	struct party mine;
	struct agr_state st;
	char day[DATE_BUF_SIZE];
	int r = a ? store_party_get(n->store, n->party, &mine, e)
		  : lerr_set(e, LERR_NOMEM, "out of memory");
	if (r == 0 && node_agreement_between(n, n->party, sender, n->clock.today, a, e) < 0)
		r = lerr_set(e, LERR_REFUSED, "R-RECEIVED: no agreement between %s and %s",
			     n->party, sender);
	if (r == 0) {
		agreement_state(a, n->clock.today, AGR_NONE, &st);
		if (st.state != AGR_IN_FORCE && st.state != AGR_UNDER_NOTICE)
			r = lerr_set(e, LERR_REFUSED, "R-RECEIVED: %s is %s on %s", a->id,
				     agr_state_name(st.state), date_format(n->clock.today, day));
	}
	bool passed = strcmp(l->originator, sender) != 0, with_sender = r == 0;
	if (r == 0 && passed &&
	    node_agreement_between(n, n->party, l->originator, n->clock.today, a, e) < 0)
		r = lerr_set(e, LERR_REFUSED,
			     "R-CLEARANCE: no agreement with %s, the originator, maps its levels",
			     l->originator);
	if (r == 0 && passed)
		r = passed_on(n, l, h, content, k, consent, consent_len, ci, e);
	if (r == 0) {
		const char *why = NULL;
		const struct scheme_level *lv = decide_required_level(l, &mine, a, &why);
		if (!lv)
			r = lerr_set(e, LERR_REFUSED, "%s %s cannot be received: %s", l->originator,
				     l->level, why);
		else
			str_copy(it->local_level, sizeof it->local_level, lv->code);
	}
	free(a);
	/* not what may pass (the store, or the originator's key not yet held
	 * here, which its sender is to try again once it is: not final) */
	if (peer && passed && with_sender && r < 0 && r != LERR_IO && r != LERR_STORE &&
	    r != LERR_NOMEM && r != LERR_NOTFOUND) {
		char shown[2 * LERR_MSG_MAX];
		fprintf(stderr, "liaison: item %s passed on by %s refused: %s\n", l->item, sender,
			text_escape(e->msg, shown, sizeof shown));
		r = lerr_set(e, LERR_REFUSED,
			     "R-THIRD-PARTY: item %s, %s's, is not taken from %s: it needs %s's "
			     "consent to its release to %s, for this item and content, and an "
			     "agreement with %s that maps its level (this node's operator is told "
			     "which failed)",
			     l->item, l->originator, sender, l->originator, n->party,
			     l->originator);
	}
	return r;
}

/* An envelope's signer (cls: its header) still taken for what arrives now. */
static int signer_still(struct node *n, const void *cls, struct lerr *e)
{
	const struct env_header *h = cls;
	struct key_public now;
	int r = node_signer_key(n, h->sender, h->sender_pk, SIGNER_ARRIVING, &now, e);
	if (r == 0 && sodium_memcmp(now.sign_pk, h->sender_pk, sizeof now.sign_pk) != 0)
		r = lerr_set(e, LERR_AUTH,
			     "%s's key that signed it was replaced while it was checked: nothing "
			     "stored",
			     h->sender);
	return r < 0 ? r : 0;
}

int node_item_import(struct node *n, const char *file, const char *consent, size_t consent_len,
		     const struct key_secret *k, struct store_item *it, struct label *l,
		     struct lerr *e)
{
	return node_item_import_from(n, file, consent, consent_len, k, NULL, it, l, e);
}

int node_item_import_from(struct node *n, const char *file, const char *consent, size_t consent_len,
			  const struct key_secret *k, const char *sender_must,
			  struct store_item *it, struct label *l, struct lerr *e)
{
	struct consent_info ci = {0};
	struct env_header h;
	struct key_public sender;
	uint8_t content[ENV_HASH];
	memset(it, 0, sizeof *it);
	const char *name = fio_is_std(file) ? "standard input" : file;
	int in = fio_open_in(file, e);
	if (in < 0)
		return in;
	/* copied first into the blob store's own file, then checked there: what
	 * is checked is what is stored (a file changed meanwhile, or read from
	 * where standard input stood, cannot differ), and a pipe serves */
	struct fio_out o;
	uint64_t size = 0;
	int r = node_blob_begin(n, &o, e);
	if (r < 0) {
		close(in);
		return r;
	}
	r = fio_copy(in, o.fd, name, "blob", &size, e);
	close(in);
	if (r == 0 && lseek(o.fd, 0, SEEK_SET) != 0)
		r = lerr_set(e, LERR_IO, "blob: cannot read back: %s", strerror(errno));
	if (r == 0 && (r = verify_all(n, o.fd, k, sender_must, &h, &sender, content, e)) < 0) {
		fio_abort(&o);
		return lerr_prefix(e, "%s", name);
	}
	if (r < 0) {
		fio_abort(&o);
		return r;
	}
	struct store_item old;
	bool held = false, held_from_sender = false;
	if (r == 0 && (r = label_parse_canonical(h.label, h.label_len, l, e)) == 0 &&
	    store_item_get(n->store, l->item, &old, NULL) == 0) {
		held = true;
		held_from_sender = old.foreign && strcmp(old.sender, h.sender) == 0;
		store_item_free(&old);
	}
	/* a sender learns that it delivered an item before; any other learns
	 * that this node holds an id only once the item passes every check
	 * (its own item under another's id is refused alike, held or not) */
	if (r == 0 && !held_from_sender)
		r = receive_check(n, l, &h, content, k, consent, consent_len, sender_must != NULL,
				  &ci, it, e);
	if (r == 0 && held)
		r = lerr_set(e, LERR_EXISTS, "item %s is already stored here", l->item);
	if (r < 0)
		fio_abort(&o);
	else
		r = node_blob_commit(n, &o, it->blob, e);
	if (r == 0) {
		str_copy(it->id, sizeof it->id, l->item);
		it->label = h.label;
		str_copy(it->originator, sizeof it->originator, l->originator);
		str_copy(it->level, sizeof it->level, l->level);
		it->foreign = true;
		date_format(n->clock.today, it->received);
		str_copy(it->sender, sizeof it->sender, h.sender);
		it->size = envelope_plain_size(&h, size);
		date_format(n->clock.today, it->stored_on);
		json_t *facts = json_pack("{s:s}", "sender", h.sender);
		if (facts && ci.granted_by[0]) /* passed on: whose consent it came with */
			json_object_set_new(
			    facts, "consent",
			    json_pack("{s:s, s:s}", "granted_by", ci.granted_by, "date", ci.date));
		/* its signer's key still taken as it is stored: one declared
		 * compromised while a large envelope was verified signs nothing */
		const struct record_check check = {signer_still, &h};
		r = node_item_record(n, it, "item-import", facts, &check, e);
		it->label = NULL;
	}
	envelope_header_free(&h);
	return r < 0 && r != LERR_EXISTS ? lerr_prefix(e, "%s", name) : r;
}

_Static_assert(NODE_SIG_B64 ==
		   sodium_base64_ENCODED_LEN(crypto_sign_BYTES, sodium_base64_VARIANT_ORIGINAL),
	       "NODE_SIG_B64 holds a signature's base64");

_Static_assert(CONSENT_SEALED == crypto_box_SEALBYTES + ENV_HASH &&
		   CONSENT_SEALED_B64 ==
		       sodium_base64_ENCODED_LEN(CONSENT_SEALED, sodium_base64_VARIANT_ORIGINAL),
	       "a consent's content_sealed is a SHA-256 sealed, in base64");

int node_sign_b64(const struct key_secret *k, const char *ctx, const char *text,
		  char sig64[NODE_SIG_B64], struct lerr *e)
{
	size_t tl = strlen(text), cl = strlen(ctx) + 1;
	uint8_t sig[crypto_sign_BYTES], *msg = malloc(cl + tl);
	if (!msg)
		return lerr_set(e, LERR_NOMEM, "out of memory");
	memcpy(msg, ctx, cl);
	memcpy(msg + cl, text, tl);
	crypto_sign_detached(sig, NULL, msg, cl + tl, k->sign_sk);
	free(msg);
	sodium_bin2base64(sig64, NODE_SIG_B64, sig, sizeof sig, sodium_base64_VARIANT_ORIGINAL);
	return 0;
}

int node_signed_json(const struct key_secret *k, const char *ctx, const char *field,
		     const char *text, char **out, size_t *n, struct lerr *e)
{
	char sig64[NODE_SIG_B64];
	*out = NULL;
	*n = 0;
	if (node_sign_b64(k, ctx, text, sig64, e) < 0)
		return LERR_NOMEM;
	json_t *o = json_pack("{s:o, s:s}", field, json_loads(text, 0, NULL), "signature", sig64);
	char *s = o ? json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
	json_decref(o);
	char *line = s ? realloc(s, strlen(s) + 2) : NULL;
	if (!line) {
		free(s);
		return lerr_set(e, LERR_NOMEM, "out of memory");
	}
	*n = strlen(line);
	line[(*n)++] = '\n';
	line[*n] = '\0';
	*out = line;
	return 0;
}

int node_signed_check(const struct key_public *pub, const char *ctx, const char *text,
		      const char *sig64, const char *who, struct lerr *e)
{
	uint8_t sig[crypto_sign_BYTES];
	size_t sl = 0, tl = strlen(text), cl = strlen(ctx) + 1;
	if (sodium_base642bin(sig, sizeof sig, sig64, strlen(sig64), NULL, &sl, NULL,
			      sodium_base64_VARIANT_ORIGINAL) != 0 ||
	    sl != sizeof sig)
		return lerr_set(e, LERR_INVAL, "the signature is not 64 bytes of base64");
	uint8_t *msg = malloc(cl + tl);
	if (!msg)
		return lerr_set(e, LERR_NOMEM, "out of memory");
	memcpy(msg, ctx, cl);
	memcpy(msg + cl, text, tl);
	int r = crypto_sign_verify_detached(sig, msg, cl + tl, pub->sign_pk);
	free(msg);
	return r == 0 ? 0 : lerr_set(e, LERR_AUTH, "bad signature: not signed by %s", who);
}

/* The holder a consent names (a->holder, else the node it is sent to:
 * holder): a known party other than the originator. LERR_INVAL naming
 * "holder" otherwise. */
static int consent_holder_check(struct node *n, const struct release_args *a, const struct label *l,
				const char *holder, struct lerr *e)
{
	int r = 0;
	if (!holder[0])
		r = lerr_set(e, LERR_INVAL,
			     "holder: the party that holds the item and may pass it on is "
			     "required (--holder PARTY, or --send HOLDER)");
	else if (a->holder && a->send && strcmp(a->holder, a->send) != 0)
		r = lerr_set(e, LERR_INVAL,
			     "holder: the consent goes to the holder's node: %s, not %s", a->holder,
			     a->send);
	else if ((r = party_code_check(holder, e)) < 0)
		lerr_prefix(e, "holder");
	else if ((r = node_party_known(n, holder, "holder", e)) == 0 &&
		 strcmp(holder, l->originator) == 0)
		r = lerr_set(e, LERR_INVAL, "holder: %s made the item: it needs no consent",
			     holder);
	return r < 0 ? lerr_field(e, "holder") : 0;
}

/* The holder holds the item: released to it from here, or passed on to it
 * with this party's consent (a mistyped holder is caught here, not by a
 * consent that nobody can use). LERR_INVAL naming "holder" otherwise. */
static int consent_holder_holds(struct node *n, const struct label *l, const char *holder,
				struct lerr *e)
{
	int r = store_release_has(n->store, l->item, holder, e);
	if (r == 0 && (r = store_consent_has(n->store, l->item, holder, e)) == 0) {
		lerr_set(e, LERR_INVAL,
			 "holder: item %s was never released to %s here, nor passed on to it with "
			 "%s's consent: %s holds nothing to pass on",
			 l->item, holder, l->originator, holder);
		return lerr_field(e, "holder");
	}
	return r < 0 ? r : 0;
}

/* The party a consent is for: a party (one known here, when known is
 * true), neither the originator nor the holder. LERR_INVAL naming "to"
 * otherwise. */
static int consent_to_check(struct node *n, const struct release_args *a, const struct label *l,
			    const char *holder, bool known, struct lerr *e)
{
	int r = party_code_check(a->to, e) < 0 ? lerr_prefix(e, "to")
		: known			       ? node_party_known(n, a->to, "to", e)
					       : 0;
	if (r == 0 && strcmp(a->to, l->originator) == 0)
		r = lerr_set(e, LERR_INVAL,
			     "to: %s made the item: its consent is for another party", a->to);
	if (r == 0 && strcmp(a->to, holder) == 0)
		r = lerr_set(e, LERR_INVAL,
			     "to: %s holds the item already: a consent is for a third party",
			     a->to);
	return r < 0 ? lerr_field(e, "to") : 0;
}

int node_consent_grant(struct node *n, const struct release_args *a, const struct key_secret *k,
		       struct lerr *e)
{
	struct store_item it;
	struct label l;
	struct person p;
	char day[DATE_BUF_SIZE];
	struct party scheme;
	/* the person grants it: an item they may not see is not there for them */
	int r = node_person_get(n, a->by, &p, e);
	if (r == 0)
		r = node_person_act(n, p.id, e);
	if (r == 0)
		r = node_item_get_as(n, &p, a->item, &it, &l, e);
	if (r < 0)
		return r;
	/* the label the item goes on with: a holder may not change it */
	char label_sha256[DIGEST_B64_MAX];
	peer_digest(it.label, strlen(it.label), label_sha256);
	store_item_free(&it);
	if (strcmp(l.originator, n->party) != 0)
		return lerr_set(
		    e, LERR_FORBIDDEN,
		    "R-THIRD-PARTY: only %s, the originator, can consent to passing %s on",
		    l.originator, a->item);
	const char *holder = a->holder ? a->holder : a->send ? a->send : "";
	if ((r = consent_to_check(n, a, &l, holder, true, e)) < 0 ||
	    (r = consent_holder_check(n, a, &l, holder, e)) < 0 ||
	    (r = node_party_get(n, n->party, &scheme, e)) < 0)
		return r;
	if (strcmp(p.party, n->party) != 0 || !(p.roles & ROLE_ORIGINATOR))
		return lerr_set(e, LERR_FORBIDDEN,
				"R-ROLE: consent needs an originator of %s; %s is not", n->party,
				p.id);
	if (!person_cleared_for(&p, &scheme, l.level, n->clock.today))
		return lerr_set(e, LERR_FORBIDDEN,
				"R-CLEARANCE: %s may not consent to passing on an item of %s %s: "
				"it needs a valid clearance at that level",
				p.id, n->party, l.level);
	if ((r = consent_holder_holds(n, &l, holder, e)) < 0)
		return r;
	struct store_peer peer;
	if (a->send && (r = store_peer_get(n->store, a->send, &peer, e)) < 0)
		return r;
	/* and the content, that the holder may not send another under the
	 * label: its digest sealed to the third party, the one node that will
	 * compare it (to anyone else, on the path included, a digest would
	 * confirm a guess of the content) */
	struct key_public third;
	if ((r = node_public_key(n, a->to, &third, e)) == LERR_NOTFOUND)
		r = lerr_set(e, LERR_INVAL,
			     "to: %s's public key is not on this node (liaison party key %s FILE): "
			     "the consent seals the content's digest to it",
			     a->to, a->to);
	if (r < 0)
		return lerr_field(e, "to");
	uint8_t sha[ENV_HASH], sealed[CONSENT_SEALED];
	char content_sealed[CONSENT_SEALED_B64];
	if ((r = node_item_content_sha256(n, a->item, k, sha, e)) < 0)
		return r;
	r = crypto_box_seal(sealed, sha, sizeof sha, third.box_pk) == 0
		? 0
		: lerr_set(e, LERR_INVAL, "to: %s's public key cannot be sealed to", a->to);
	sodium_memzero(sha, sizeof sha);
	if (r < 0)
		return lerr_field(e, "to");
	sodium_bin2base64(content_sealed, sizeof content_sealed, sealed, sizeof sealed,
			  sodium_base64_VARIANT_ORIGINAL);
	date_format(n->clock.today, day);
	struct consent_info ci = {0};
	str_copy(ci.item, sizeof ci.item, a->item);
	str_copy(ci.to, sizeof ci.to, a->to);
	str_copy(ci.originator, sizeof ci.originator, n->party);
	str_copy(ci.granted_by, sizeof ci.granted_by, a->by);
	str_copy(ci.date, sizeof ci.date, day);
	str_copy(ci.holder, sizeof ci.holder, holder);
	str_copy(ci.label_sha256, sizeof ci.label_sha256, label_sha256);
	str_copy(ci.content_sealed, sizeof ci.content_sealed, content_sealed);
	char *text = consent_text(&ci);
	if (!text)
		return lerr_set(e, LERR_NOMEM, "out of memory");
	char *out = NULL;
	size_t ol = 0;
	struct store_msg m = {0};
	r = node_signed_json(k, CTX_CONSENT, "consent", text, &out, &ol, e);
	if (r == 0 && a->send) { /* to the holder's node, with the grant */
		node_msg_id(m.id);
		str_copy(m.peer, sizeof m.peer, a->send);
		str_copy(m.kind, sizeof m.kind, "consent");
		str_copy(m.ref, sizeof m.ref, a->item);
		m.body = out;
		m.body_len = ol;
		peer_digest(out, ol, m.digest);
		str_copy(m.created_on, sizeof m.created_on, day);
	}
	if (r == 0 && (r = store_begin(n->store, e)) == 0) {
		if ((r = store_consent_put(n->store, a->item, a->to, a->by, day, out, e)) < 0 ||
		    (a->send && (r = store_outbox_add(n->store, &m, e)) < 0)) {
			store_rollback(n->store);
		} else {
			json_t *facts = json_pack("{s:s, s:s, s:s, s:s}", "item", a->item, "to",
						  a->to, "by", a->by, "holder", holder);
			if (a->send && facts)
				json_object_set_new(facts, "message", json_string(m.id));
			r = node_log_commit(n, "consent-grant", facts, e);
		}
	}
	if (r == 0 && a->out)
		r = fio_write_file(a->out, out, ol, 0644, a->force, e);
	free(out);
	free(text);
	return r;
}

int node_consent_import(struct node *n, const char *file, const char *from, struct consent_info *ci,
			struct lerr *e)
{
	struct jdoc d;
	memset(ci, 0, sizeof *ci);
	int r = jdoc_read(file, NODE_CONSENT_MAX, &d, e);
	if (r < 0)
		return r;
	/* through the peers, from its originator's node alone: no other peer
	 * may put back an older consent in place of the one it gave */
	r = d.root ? consent_read(n, d.root, file, SIGNER_HELD, from, ci, e)
		   : lerr_set(e, LERR_INVAL, "%s: not a liaison consent (%s)", file, d.je.text);
	/* one that lets this node pass the item on (holder, label and content
	 * named) */
	if (r == 0 && (r = consent_names(ci, n->party, NULL, "", e)) < 0)
		lerr_prefix(e, "%s", file);
	struct store_item it;
	struct label l;
	bool unheld = false;
	if (r == 0) {
		if ((r = node_item_get(n, ci->item, &it, &l, e)) == 0) {
			store_item_free(&it);
			if ((unheld = strcmp(l.originator, ci->originator) != 0))
				r = lerr_set(e, LERR_REFUSED,
					     "%s: %s did not make item %s (%s did)", file,
					     ci->originator, ci->item, l.originator);
		} else
			unheld = r == LERR_NOTFOUND;
	}
	/* a peer learns nothing of what this node holds: an item not held and
	 * one another party made answer alike */
	if (from && unheld)
		r = lerr_set(e, LERR_NOTFOUND, "no item %s of %s's is held here", ci->item,
			     ci->originator);
	/* for a third party: not the originator, not this holder; known here
	 * when a file is imported. From a peer, one known or not is kept
	 * alike (it grants nothing until the party is known and an agreement
	 * allows the release): the answer must not tell the peer which
	 * parties this node knows */
	const struct release_args to_check = {.item = ci->item, .to = ci->to};
	if (r == 0 && (r = consent_to_check(n, &to_check, &l, n->party, !from, e)) < 0)
		lerr_prefix(e, "%s", file);
	if (r == 0 && (r = store_begin(n->store, e)) == 0) {
		if ((r = store_consent_put(n->store, ci->item, ci->to, ci->granted_by, ci->date,
					   d.json, e)) < 0)
			store_rollback(n->store);
		else
			r = node_log_commit(n, "consent-import",
					    json_pack("{s:s, s:s, s:s, s:s}", "item", ci->item,
						      "to", ci->to, "by", ci->granted_by,
						      "originator", ci->originator),
					    e);
	}
	if (r < 0)
		memset(ci, 0, sizeof *ci);
	jdoc_free(&d);
	return r;
}

int node_release_consent(struct node *n, const char *item, const char *to, char **out,
			 struct lerr *e)
{
	return store_consent_evidence(n->store, item, to, out, e);
}
