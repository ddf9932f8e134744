/* keyfile.c - party keys in files (see keyfile.h). */
#include "keyfile.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../crypto/fio.h"

static int path_of(char *buf, size_t n, const char *dir, const char *party, const char *ext,
		   struct lerr *e)
{
	int w = snprintf(buf, n, "%s/%s.%s", dir, party, ext);
	if (w < 0 || (size_t)w >= n)
		return lerr_set(e, LERR_LIMIT, "%s: path too long", dir);
	return 0;
}

int keyfile_generate(const char *dir, const char *party, const char *pass, size_t len,
		     const struct key_kdf *kdf, bool force, char *pub_path, size_t n,
		     struct lerr *e)
{
	char kp[4096], pp[4096], line[KEY_PUB_LINE_MAX];
	struct key_secret k;
	int r = path_of(kp, sizeof kp, dir, party, "key", e);
	if (r == 0)
		r = path_of(pp, sizeof pp, dir, party, "pub", e);
	if (r < 0)
		return r;
	if ((r = key_generate(party, &k, e)) < 0)
		return r;
	char *text = NULL;
	size_t tn = 0;
	r = key_secret_seal(&k, pass, len, kdf, &text, &tn, e);
	if (r == 0)
		r = key_public_format(&k.pub, line, sizeof line, e);
	key_secret_free(&k);
	/* the public file first: a lone .pub is harmless, a lone .key is not found */
	if (r == 0)
		r = fio_write_file(pp, line, strlen(line), 0644, force, e);
	if (r == 0 && (r = fio_write_file(kp, text, tn, 0600, force, e)) < 0)
		(void)remove(pp);
	if (text) {
		sodium_memzero(text, tn);
		free(text);
	}
	if (r == 0 && pub_path && !str_copy(pub_path, n, pp))
		pub_path[0] = '\0';
	return r;
}

int keyfile_public(const char *path, struct key_public *p, struct lerr *e)
{
	char *text;
	size_t n;
	int r = fio_read_file(path, KEY_PUB_LINE_MAX, &text, &n, e);
	if (r < 0)
		return r;
	r = key_public_parse(text, p, e);
	free(text);
	return r < 0 ? lerr_prefix(e, "%s", path) : 0;
}

/* Reads a secret key file's text, refusing one that others may read or write. */
static int secret_text(const char *path, char **text, size_t *n, struct lerr *e)
{
	struct stat sb;
	/* as ssh does: a secret key others may read (or write) is not used */
	if (stat(path, &sb) == 0 && (sb.st_mode & (S_IRWXG | S_IRWXO)))
		return lerr_set(e, LERR_INVAL,
				"%s: a secret key readable or writable by group or others (mode "
				"%04o) is not used; fix it with: chmod 600 %s",
				path, (unsigned)(sb.st_mode & 07777), path);
	return fio_read_file(path, KEY_FILE_MAX, text, n, e);
}

int keyfile_secret(const char *path, const char *pass, size_t len, struct key_secret *k,
		   struct lerr *e)
{
	char *text;
	size_t n;
	memset(k, 0, sizeof *k);
	int r = secret_text(path, &text, &n, e);
	if (r < 0)
		return r;
	r = key_secret_open(text, n, pass, len, k, e);
	sodium_memzero(text, n);
	free(text);
	return r < 0 ? lerr_prefix(e, "%s", path) : 0;
}

/* A secret key file being opened in a thread of its own. */
struct opening {
	struct key_later l; /* first: what the caller holds */
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	bool done;
	int r; /* once done: 0, or the code it failed with, err saying why */
	struct lerr err;
	struct key_secret k;
	char *text, *pass; /* the file's text, the passphrase (sodium_malloc): wiped once used */
	size_t n, len;
	char path[];
};

static void *opening(void *arg)
{
	struct opening *o = arg;
	struct key_secret k;
	struct lerr err = {0};
	int r = key_secret_open(o->text, o->n, o->pass, o->len, &k, &err);
	if (r < 0)
		lerr_prefix(&err, "%s", o->path);
	sodium_memzero(o->text, o->n);
	sodium_memzero(o->pass, o->len);
	pthread_mutex_lock(&o->mu);
	o->k = k;
	o->r = r;
	o->err = err;
	o->done = true;
	pthread_cond_broadcast(&o->cv);
	pthread_mutex_unlock(&o->mu);
	return NULL;
}

static int opening_get(struct key_later *l, bool wait, const struct key_secret **k, struct lerr *e)
{
	struct opening *o = (struct opening *)l;
	pthread_mutex_lock(&o->mu);
	while (wait && !o->done)
		pthread_cond_wait(&o->cv, &o->mu);
	int r = !o->done ? 1 : o->r;
	pthread_mutex_unlock(&o->mu);
	if (r < 0 && e)
		*e = o->err;
	if (r == 0)
		*k = &o->k;
	return r;
}

struct key_later *keyfile_secret_start(const char *path, const char *pass, size_t len,
				       struct lerr *e)
{
	size_t pl = strlen(path) + 1;
	struct opening *o = calloc(1, sizeof *o + pl);
	if (!o) {
		lerr_set(e, LERR_NOMEM, "out of memory");
		return NULL;
	}
	memcpy(o->path, path, pl);
	o->l.get = opening_get;
	o->len = len;
	int r = secret_text(path, &o->text, &o->n, e);
	if (r == 0 && (r = key_secret_public(o->text, o->n, &o->l.pub, e)) < 0)
		lerr_prefix(e, "%s", path);
	if (r == 0 && !(o->pass = sodium_malloc(len + 1)))
		r = lerr_set(e, LERR_NOMEM, "out of guarded memory");
	if (r == 0) {
		memcpy(o->pass, pass, len);
		o->pass[len] = '\0';
		if (pthread_mutex_init(&o->mu, NULL) != 0)
			r = lerr_set(e, LERR_NOMEM, "cannot start a thread");
		else if (pthread_cond_init(&o->cv, NULL) != 0) {
			pthread_mutex_destroy(&o->mu);
			r = lerr_set(e, LERR_NOMEM, "cannot start a thread");
		} else if (pthread_create(&o->thread, NULL, opening, o) != 0) {
			pthread_cond_destroy(&o->cv);
			pthread_mutex_destroy(&o->mu);
			r = lerr_set(e, LERR_NOMEM, "cannot start a thread");
		}
	}
	if (r == 0)
		return &o->l;
	if (o->text)
		sodium_memzero(o->text, o->n);
	free(o->text);
	sodium_free(o->pass);
	free(o);
	return NULL;
}

void keyfile_secret_end(struct key_later *l)
{
	if (!l)
		return;
	struct opening *o = (struct opening *)l;
	pthread_join(o->thread, NULL);
	pthread_cond_destroy(&o->cv);
	pthread_mutex_destroy(&o->mu);
	if (o->r == 0)
		key_secret_free(&o->k);
	free(o->text);
	sodium_free(o->pass);
	free(o);
}

int keyfile_reseal(const char *path, const char *old, size_t oldlen, const char *pass, size_t len,
		   const struct key_kdf *kdf, struct lerr *e)
{
	struct key_secret k;
	struct key_kdf own;
	struct stat sb;
	char *text = NULL;
	size_t tn = 0;
	int r = keyfile_secret(path, old, oldlen, &k, e);
	if (r < 0)
		return r;
	if (stat(path, &sb) != 0)
		r = lerr_set(e, LERR_IO, "%s: %s", path, strerror(errno));
	else if (!kdf && (r = fio_read_file(path, KEY_FILE_MAX, &text, &tn, e)) == 0) {
		r = key_secret_kdf(text, &own, e);
		sodium_memzero(text, tn);
		free(text);
		text = NULL;
		kdf = &own;
	}
	if (r == 0)
		r = key_secret_seal(&k, pass, len, kdf, &text, &tn, e);
	key_secret_free(&k);
	if (r == 0 && (r = fio_write_file(path, text, tn, 0600, true, e)) < 0)
		lerr_prefix(e, "%s", path);
	/* the node's user keeps its key, whoever changed the passphrase (root) */
	if (r == 0 && (sb.st_uid != geteuid() || sb.st_gid != getegid()) &&
	    chown(path, sb.st_uid, sb.st_gid) != 0)
		r = lerr_set(e, LERR_IO, "%s: sealed anew, but cannot give it back to uid %u: %s",
			     path, (unsigned)sb.st_uid, strerror(errno));
	if (text) {
		sodium_memzero(text, tn);
		free(text);
	}
	return r;
}
