/*
 * session.c - the web console's sessions (see internal.h).
 *
 * A person signs in once with a bearer token; the daemon keeps, in guarded
 * memory, the token's digest under the SHA-256 of a random cookie, and
 * answers the cookie as it would the token: every request checks the token
 * again (a revoked token ends its sessions at once). Neither the cookie nor
 * the token is kept: a dump of this table gives neither. Sessions live in
 * this daemon's memory: a restart signs everyone out.
 */
#include <sodium.h>
#include <string.h>
#include <time.h>

#include "internal.h"

static void digest(const char *cookie, uint8_t out[32])
{
	crypto_hash_sha256(out, (const uint8_t *)cookie, strlen(cookie));
}

double session_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_BOOTTIME, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int sessions_init(struct sessions *t, unsigned idle_s, unsigned whole_s, const char *party,
		  bool tls, struct lerr *e)
{
	memset(t, 0, sizeof *t);
	/* under TLS, __Host-: only this origin may set it (no Domain, Path=/,
	 * Secure); the party in the name keeps two nodes on one host apart */
	snprintf(t->name, sizeof t->name, "%s" SESSION_COOKIE "%s", tls ? "__Host-" : "", party);
	t->s = sodium_allocarray(SESSIONS_MAX, sizeof *t->s);
	if (!t->s)
		return lerr_set(e, LERR_NOMEM, "out of memory for the console's sessions");
	sodium_memzero(t->s, SESSIONS_MAX * sizeof *t->s);
	if (pthread_mutex_init(&t->mu, NULL) != 0) {
		sodium_free(t->s);
		t->s = NULL;
		return lerr_set(e, LERR_NOMEM, "cannot make the sessions' lock");
	}
	t->idle_s = idle_s;
	t->whole_s = whole_s;
	return 0;
}

void sessions_free(struct sessions *t)
{
	if (!t->s)
		return;
	pthread_mutex_destroy(&t->mu);
	sodium_free(t->s); /* wiped by sodium_free */
	t->s = NULL;
}

static bool live(const struct sessions *t, const struct session *s, double now)
{
	return s->used && now - s->last < t->idle_s && now - s->born < t->whole_s;
}

/* When s ends unless used again: the earlier of its idle and its whole bound. */
static double ends(const struct sessions *t, const struct session *s)
{
	double idle = s->last + t->idle_s, whole = s->born + t->whole_s;
	return idle < whole ? idle : whole;
}

int session_open(struct sessions *t, const uint8_t token[NODE_TOKEN_DIGEST], double now,
		 struct session_ticket *out, struct lerr *e)
{
	uint8_t raw[32];
	struct session *free_slot = NULL, *oldest_own = NULL;
	unsigned own = 0;
	pthread_mutex_lock(&t->mu);
	for (size_t i = 0; i < SESSIONS_MAX; i++) {
		struct session *s = &t->s[i];
		if (s->used && !live(t, s, now))
			sodium_memzero(s, sizeof *s); /* ended: its slot is free */
		if (!s->used) {
			if (!free_slot)
				free_slot = s;
			continue;
		}
		if (sodium_memcmp(s->token, token, NODE_TOKEN_DIGEST) == 0) {
			own++;
			if (!oldest_own || s->last < oldest_own->last)
				oldest_own = s;
		}
	}
	/* one token's sessions are bounded: its least recently used one ends */
	struct session *s = own >= SESSIONS_PER_TOKEN ? oldest_own : free_slot;
	if (!s) {
		pthread_mutex_unlock(&t->mu);
		return lerr_set(e, LERR_LIMIT,
				"too many console sessions at once (%d): try again when some end",
				SESSIONS_MAX);
	}
	sodium_memzero(s, sizeof *s);
	randombytes_buf(raw, sizeof raw);
	sodium_bin2base64(out->cookie, sizeof out->cookie, raw, sizeof raw,
			  sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	randombytes_buf(raw, sizeof raw);
	sodium_bin2base64(s->csrf, sizeof s->csrf, raw, sizeof raw,
			  sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	sodium_memzero(raw, sizeof raw);
	digest(out->cookie, s->id);
	memcpy(s->token, token, NODE_TOKEN_DIGEST);
	s->born = s->last = now;
	s->used = true;
	memcpy(out->csrf, s->csrf, sizeof out->csrf);
	memcpy(out->token, s->token, sizeof out->token);
	out->left = ends(t, s) - now;
	pthread_mutex_unlock(&t->mu);
	return 0;
}

/* The live session of cookie (t->mu held), or NULL. */
static struct session *find(struct sessions *t, const char *cookie, double now)
{
	uint8_t id[32];
	struct session *found = NULL;
	digest(cookie, id);
	for (size_t i = 0; i < SESSIONS_MAX; i++) {
		struct session *s = &t->s[i];
		/* every slot compared, in constant time: no early exit */
		if (s->used && sodium_memcmp(s->id, id, sizeof id) == 0)
			found = s;
	}
	if (found && !live(t, found, now)) {
		sodium_memzero(found, sizeof *found);
		found = NULL;
	}
	return found;
}

bool session_find(struct sessions *t, const char *cookie, const char *csrf, double now,
		  struct session_ticket *out)
{
	if (!t->s || strlen(cookie) >= SESSION_COOKIE_MAX)
		return false;
	pthread_mutex_lock(&t->mu);
	struct session *s = find(t, cookie, now);
	/* its own value, else as none: a request without it neither uses the
	 * session (its idle time) nor learns whether it is live, by the answer
	 * or by its time (the same comparison, of whole NUL-padded buffers,
	 * against zeros when there is no session) */
	static const char none[sizeof s->csrf];
	char given[sizeof s->csrf] = {0};
	size_t gl = strlen(csrf);
	const bool fits = gl > 0 && gl < sizeof given;
	if (fits)
		memcpy(given, csrf, gl);
	const int same = sodium_memcmp(s ? s->csrf : none, given, sizeof given) == 0;
	sodium_memzero(given, sizeof given);
	if (!(fits && same))
		s = NULL;
	if (s) {
		s->last = now;
		str_copy(out->cookie, sizeof out->cookie, cookie);
		memcpy(out->csrf, s->csrf, sizeof out->csrf);
		memcpy(out->token, s->token, sizeof out->token);
		out->left = ends(t, s) - now;
	}
	pthread_mutex_unlock(&t->mu);
	return s != NULL;
}

void session_close(struct sessions *t, const char *cookie)
{
	if (!t->s || strlen(cookie) >= SESSION_COOKIE_MAX)
		return;
	uint8_t id[32];
	digest(cookie, id);
	pthread_mutex_lock(&t->mu);
	for (size_t i = 0; i < SESSIONS_MAX; i++)
		if (t->s[i].used && sodium_memcmp(t->s[i].id, id, sizeof id) == 0)
			sodium_memzero(&t->s[i], sizeof t->s[i]);
	pthread_mutex_unlock(&t->mu);
}
