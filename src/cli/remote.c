/*
 * remote.c - the CLI through a node's daemon (see remote.h): where the
 * commands go, the login kept for a user, and one request with libcurl.
 */
#include "remote.h"

#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../crypto/fio.h"
#include "../node/peer.h"
#include "../node/views.h"
#include "../sys/lazy_curl.h"

#define ANSWER_MAX (256u << 20) /* a JSON answer: a page of log entries at most */
#define LOGIN_MAX  4096
#define LOGIN_FILE "login"

struct remote {
	char url[REMOTE_URL_MAX]; /* no trailing slash */
	char *token;		  /* sodium_malloc'd */
	char cacert[NODE_PATH_MAX];
	char person[PERSON_ID_MAX]; /* the token's, once asked */
	CURL *curl;
};

/* The folder of the login: $XDG_CONFIG_HOME/liaison or ~/.config/liaison. */
static int login_dir(char *buf, size_t n, struct lerr *e)
{
	const char *x = getenv("XDG_CONFIG_HOME"), *home = getenv("HOME");
	int w = x && x[0]	  ? snprintf(buf, n, "%s/liaison", x)
		: home && home[0] ? snprintf(buf, n, "%s/.config/liaison", home)
				  : -1;
	if (w < 0 || (size_t)w >= n)
		return lerr_set(e, LERR_IO, "no folder for the login: set HOME or XDG_CONFIG_HOME");
	return 0;
}

static int login_path(char *buf, size_t n, struct lerr *e)
{
	char dir[NODE_PATH_MAX];
	int r = login_dir(dir, sizeof dir, e);
	if (r == 0 && snprintf(buf, n, "%s/%s", dir, LOGIN_FILE) >= (int)n)
		r = lerr_set(e, LERR_LIMIT, "the login's path is too long");
	return r;
}

void remote_free(struct remote *r)
{
	if (!r)
		return;
	if (r->curl)
		curl_easy_cleanup(r->curl);
	if (r->token)
		sodium_free(r->token);
	sodium_memzero(r, sizeof *r);
	free(r);
}

/* A remote for url with token (copied into guarded memory). */
static struct remote *remote_new(const char *url, const char *token, const char *cacert,
				 struct lerr *e)
{
	if (lazy_curl_load(e) < 0) /* every request of this remote goes through libcurl */
		return NULL;
	struct remote *r = calloc(1, sizeof *r);
	size_t tl = strlen(token);
	if (!r || !(r->token = sodium_malloc(tl + 1))) {
		free(r);
		lerr_set(e, LERR_NOMEM, "out of memory");
		return NULL;
	}
	memcpy(r->token, token, tl + 1);
	if (!str_copy(r->url, sizeof r->url, url) ||
	    !str_copy(r->cacert, sizeof r->cacert, cacert ? cacert : "")) {
		remote_free(r);
		lerr_set(e, LERR_LIMIT, "the URL is too long");
		return NULL;
	}
	size_t ul = strlen(r->url);
	while (ul && r->url[ul - 1] == '/')
		r->url[--ul] = '\0';
	if (strncmp(r->url, "http://", 7) != 0 && strncmp(r->url, "https://", 8) != 0) {
		lerr_set(e, LERR_USAGE, "\"%.64s\" is not an http:// or https:// URL", url);
		remote_free(r);
		return NULL;
	}
	return r;
}

/*
 * The login kept: its URL, token (guarded memory) and CA file, when there
 * is one (LERR_NOTFOUND otherwise). Refused when others may read it.
 */
static int login_read(char *url, size_t un, char **token, char *cacert, size_t cn, struct lerr *e)
{
	char path[NODE_PATH_MAX + 16], *text = NULL;
	size_t len;
	struct stat sb;
	*token = NULL;
	int r = login_path(path, sizeof path, e);
	if (r < 0)
		return r;
	if (lstat(path, &sb) != 0)
		return errno == ENOENT ? LERR_NOTFOUND
				       : lerr_set(e, LERR_IO, "%s: %s", path, strerror(errno));
	if (!S_ISREG(sb.st_mode) || sb.st_uid != getuid() || (sb.st_mode & 077))
		return lerr_set(e, LERR_USAGE,
				"%s: the login must be a file of yours that only you may read "
				"(chmod 600 %s, or liaison logout)",
				path, path);
	if ((r = fio_read_file(path, LOGIN_MAX, &text, &len, e)) < 0)
		return r;
	json_t *o = json_loadb(text, len, 0, NULL);
	const char *u = NULL, *t = NULL, *ca = NULL;
	if (!o || json_unpack(o, "{s:s, s:s, s?s}", "url", &u, "token", &t, "cacert", &ca) != 0)
		r = lerr_set(e, LERR_INVAL, "%s: not a login liaison wrote (liaison login URL)",
			     path);
	else if (!str_copy(url, un, u) || !str_copy(cacert, cn, ca ? ca : "") ||
		 !(*token = sodium_malloc(strlen(t) + 1)))
		r = lerr_set(e, LERR_LIMIT, "%s: too long", path);
	else
		memcpy(*token, t, strlen(t) + 1);
	sodium_memzero(text, len);
	free(text);
	if (o) { /* the token's copy in the parsed tree */
		json_t *tv = json_object_get(o, "token");
		if (json_is_string(tv))
			sodium_memzero((char *)json_string_value(tv), json_string_length(tv));
	}
	json_decref(o);
	return r;
}

int remote_setup(struct cli *c)
{
	const char *url = getenv("LIAISON_URL"), *token = getenv("LIAISON_TOKEN"),
		   *ca = getenv("LIAISON_CACERT");
	char kept_url[REMOTE_URL_MAX] = "", kept_ca[NODE_PATH_MAX] = "", *kept = NULL;
	struct lerr e = {0};
	c->remote = NULL;
	if (c->home) /* the folder named: the node itself */
		return EXIT_OK;
	if (!(url && url[0]) && getenv("LIAISON_HOME") && getenv("LIAISON_HOME")[0])
		return EXIT_OK;
	int r = login_read(kept_url, sizeof kept_url, &kept, kept_ca, sizeof kept_ca, &e);
	if (r < 0 && r != LERR_NOTFOUND)
		return cli_error(c, &e);
	if (!(url && url[0])) {
		if (r == LERR_NOTFOUND) /* no daemon named: the folder ./.liaison */
			return EXIT_OK;
		url = kept_url;
	}
	if (!(token && token[0])) {
		if (!kept || strcmp(kept_url, url) != 0) {
			if (kept)
				sodium_free(kept);
			return cli_bad_usagef(c,
					      "LIAISON_URL is %s but there is no token for it: set "
					      "LIAISON_TOKEN, or liaison login %s",
					      url, url);
		}
		token = kept;
	}
	c->remote = remote_new(url, token, ca && ca[0] ? ca : kept_ca, &e);
	if (kept)
		sodium_free(kept);
	return c->remote ? EXIT_OK : cli_error(c, &e);
}

/* ---- a request ---- */

static void append(struct remote_req *rq, const char *s)
{
	size_t len = strlen(rq->path);
	if ((size_t)snprintf(rq->path + len, sizeof rq->path - len, "%s", s) >=
	    sizeof rq->path - len)
		rq->cut = true;
}

/*
 * s escaped for a URL, appended: every byte but RFC 3986's unreserved ones
 * (letters, digits, '-', '.', '_', '~') as %XX, as curl_easy_escape does.
 * Written here because a local command builds its request's path too (and
 * then answers from the folder): it should not load libcurl for that.
 */
static void append_escaped(struct remote_req *rq, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t len = strlen(rq->path);
	for (; *s && len + 4 <= sizeof rq->path; s++) {
		unsigned char b = (unsigned char)*s;
		if ((b >= 'A' && b <= 'Z') || (b >= 'a' && b <= 'z') || (b >= '0' && b <= '9') ||
		    b == '-' || b == '.' || b == '_' || b == '~') {
			rq->path[len++] = (char)b;
		} else {
			rq->path[len++] = '%';
			rq->path[len++] = hex[b >> 4];
			rq->path[len++] = hex[b & 15];
		}
	}
	rq->path[len] = '\0';
	if (*s)
		rq->cut = true;
}

void remote_path(struct remote_req *rq, const char *base, const char *param, const char *rest)
{
	rq->path[0] = '\0';
	rq->cut = false;
	append(rq, base);
	if (param)
		append_escaped(rq, param);
	if (rest)
		append(rq, rest);
}

void remote_query(struct remote_req *rq, const char *name, const char *value)
{
	if (!value)
		return;
	append(rq, strchr(rq->path, '?') ? "&" : "?");
	append_escaped(rq, name);
	append(rq, "=");
	append_escaped(rq, value);
}

/* Where an answer goes: a file (a download that succeeds) or memory. */
struct sink {
	CURL *curl;
	long status;
	struct fio_out *file; /* the download, or NULL */
	uint64_t bytes;
	int write_errno;
	char *buf;
	size_t len;
	bool too_big;
};

static size_t on_data(char *data, size_t size, size_t nmemb, void *cls)
{
	struct sink *s = cls;
	size_t n = size * nmemb;
	if (!s->status)
		curl_easy_getinfo(s->curl, CURLINFO_RESPONSE_CODE, &s->status);
	if (s->file && s->status / 100 == 2) {
		if (fio_write_full(s->file->fd, data, n) != 0) {
			s->write_errno = errno ? errno : EIO;
			return 0;
		}
		s->bytes += n;
		return n;
	}
	if (s->len + n > ANSWER_MAX) {
		s->too_big = true;
		return 0;
	}
	char *p = realloc(s->buf, s->len + n + 1);
	if (!p)
		return 0;
	memcpy(p + s->len, data, n);
	s->len += n;
	p[s->len] = '\0';
	s->buf = p;
	return n;
}

static size_t on_read(char *buf, size_t size, size_t nmemb, void *cls)
{
	int fd = *(int *)cls;
	ssize_t got = fio_read_full(fd, buf, size * nmemb);
	return got < 0 ? CURL_READFUNC_ABORT : (size_t)got;
}

/* An error answer, shown as the node's own: a denial with its decision, or
 * the error (its exit code from its kind). */
static int answer_error(const struct cli *c, long status, const struct sink *s)
{
	json_t *o = s->buf ? json_loadb(s->buf, s->len, 0, NULL) : NULL, *err;
	const char *code = NULL, *msg = NULL, *field = NULL;
	if (o && (err = json_object_get(o, "error")) && json_object_get(err, "decision"))
		return cli_denied(c, o);
	struct lerr e = {0};
	if (o && json_unpack(o, "{s:{s:s, s:s, s?s}}", "error", "code", &code, "message", &msg,
			     "field", &field) == 0) {
		lerr_set(&e, lerr_code(code), "%s", msg);
		if (field)
			lerr_field(&e, field);
	} else
		lerr_set(&e, LERR_IO, "the daemon answered %ld, not with an error object", status);
	json_decref(o);
	return cli_error(c, &e);
}

/* The request's body: a file streamed from rq->upload (*up its fd), JSON
 * (*body, freed by the caller), or an empty POST. */
static int request_body(const struct cli *c, CURL *cu, const struct remote_req *rq,
			struct curl_slist **h, int *up, char **body)
{
	if (rq->upload) {
		struct stat sb;
		struct lerr e = {0};
		if ((*up = fio_open_in(rq->upload, &e)) < 0)
			return cli_error(c, &e);
		if (fstat(*up, &sb) != 0)
			return cli_failf(c, LERR_IO, "%s: %s", rq->upload, strerror(errno));
		*h = curl_slist_append(*h, "Content-Type: application/octet-stream");
		curl_easy_setopt(cu, CURLOPT_POST, 1L);
		curl_easy_setopt(cu, CURLOPT_READFUNCTION, on_read);
		curl_easy_setopt(cu, CURLOPT_READDATA, up);
		if (S_ISREG(sb.st_mode)) /* from where it stands now to its end */
			curl_easy_setopt(cu, CURLOPT_POSTFIELDSIZE_LARGE,
					 (curl_off_t)(sb.st_size - lseek(*up, 0, SEEK_CUR)));
		else /* a pipe: its length is not known before its end */
			*h = curl_slist_append(*h, "Transfer-Encoding: chunked");
	} else if (rq->body) {
		if (!(*body = json_dumps(rq->body, JSON_COMPACT)))
			return cli_failf(c, LERR_NOMEM, "out of memory");
		*h = curl_slist_append(*h, "Content-Type: application/json");
		curl_easy_setopt(cu, CURLOPT_POSTFIELDS, *body);
	} else if (strcmp(rq->method, "POST") == 0)
		curl_easy_setopt(cu, CURLOPT_POSTFIELDS, "");
	return EXIT_OK;
}

/* What the exchange came to: the answer's JSON in *out, or the error printed. */
static int outcome(const struct cli *c, const struct remote_req *rq, CURLcode cc, long status,
		   const struct sink *s, json_t **out)
{
	if (cc != CURLE_OK && !(s->too_big || s->write_errno))
		return cli_failf(c, LERR_IO, "cannot reach %s: %s", c->remote->url,
				 curl_easy_strerror(cc));
	if (s->write_errno)
		return cli_failf(c, LERR_IO, "%s: %s", rq->download, strerror(s->write_errno));
	if (s->too_big)
		return cli_failf(c, LERR_LIMIT, "the daemon's answer is larger than %u bytes",
				 ANSWER_MAX);
	if (status / 100 != 2)
		return answer_error(c, status, s);
	if (!rq->download && s->len &&
	    !(*out = json_loadb(s->buf, s->len, JSON_REJECT_DUPLICATES, NULL)))
		return cli_failf(c, LERR_IO, "the daemon's answer is not JSON");
	return EXIT_OK;
}

int remote_call(const struct cli *c, struct remote_req *rq, json_t **out, long *status)
{
	struct remote *r = c->remote;
	struct lerr e = {0};
	struct fio_out file;
	struct sink s = {0};
	struct curl_slist *h = NULL;
	char *body = NULL, url[REMOTE_URL_MAX + REMOTE_PATH_MAX], *auth = NULL;
	int up = -1, res = EXIT_OK;
	*out = NULL;
	*status = 0;
	rq->bytes = 0;
	if (rq->cut) /* never a request for a shorter name than the one given */
		return cli_bad_usagef(c,
				      "an argument is too long: escaped for the URL, the path and "
				      "query would pass %d bytes",
				      REMOTE_PATH_MAX - 1);
	if (!r->curl &&
	    (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK || !(r->curl = curl_easy_init())))
		return cli_failf(c, LERR_IO, "libcurl cannot start");
	CURL *cu = r->curl;
	curl_easy_reset(cu);
	snprintf(url, sizeof url, "%s%s", r->url, rq->path);
	size_t al = strlen(r->token) + 32;
	if (!(auth = sodium_malloc(al)))
		return cli_failf(c, LERR_NOMEM, "out of memory");
	snprintf(auth, al, "Authorization: Bearer %s", r->token);
	struct curl_slist *h2 = curl_slist_append(h, auth);
	sodium_free(auth);
	h = h2;
	if (rq->download && fio_begin(&file, rq->download, 0600, rq->force, &e) < 0) {
		curl_slist_free_all(h);
		return cli_error(c, &e);
	}
	if ((res = request_body(c, cu, rq, &h, &up, &body)) != EXIT_OK)
		goto out;
	h = curl_slist_append(h, "Expect:"); /* no 100-continue round trip */
	if (rq->consent) {		     /* the originator's consent, with an item passed on */
		char *v = peer_consent_value(rq->consent, rq->consent_len);
		size_t n = v ? sizeof PEER_H_CONSENT + 2 + strlen(v) : 0;
		char *line = v ? malloc(n) : NULL;
		const bool made = line != NULL;
		if (made) {
			snprintf(line, n, "%s: %s", PEER_H_CONSENT, v);
			h = curl_slist_append(h, line);
		}
		free(v);
		free(line);
		if (!made) {
			res = cli_failf(c, LERR_NOMEM, "out of memory");
			goto out;
		}
	}
	s.curl = cu;
	s.file = rq->download ? &file : NULL;
	curl_easy_setopt(cu, CURLOPT_URL, url);
	curl_easy_setopt(cu, CURLOPT_CUSTOMREQUEST, rq->method);
	curl_easy_setopt(cu, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(cu, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(cu, CURLOPT_WRITEDATA, &s);
	curl_easy_setopt(cu, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(cu, CURLOPT_CONNECTTIMEOUT, 30L);
	curl_easy_setopt(cu, CURLOPT_PROTOCOLS_STR, "http,https");
	if (r->cacert[0])
		curl_easy_setopt(cu, CURLOPT_CAINFO, r->cacert);
	CURLcode cc = curl_easy_perform(cu);
	curl_easy_getinfo(cu, CURLINFO_RESPONSE_CODE, status);
	res = outcome(c, rq, cc, *status, &s, out);
	struct curl_header *ch = NULL;
	rq->consent_back = NULL;
	if (rq->download && res == EXIT_OK &&
	    curl_easy_header(cu, PEER_H_CONSENT, 0, CURLH_HEADER, -1, &ch) == CURLHE_OK &&
	    !(rq->consent_back = strdup(ch->value)))
		res = cli_failf(c, LERR_NOMEM, "out of memory");
out:
	if (rq->download && res == EXIT_OK && fio_commit(&file, &e) < 0)
		res = cli_error(c, &e);
	else if (rq->download && res != EXIT_OK)
		fio_abort(&file);
	rq->bytes = s.bytes;
	if (up >= 0)
		close(up);
	curl_slist_free_all(h);
	free(body);
	free(s.buf);
	return res;
}

int remote_answer(const struct cli *c, int local, const struct lerr *e, struct remote_req *rq,
		  json_t **o)
{
	long status;
	if (c->remote)
		return remote_call(c, rq, o, &status);
	return local < 0 ? cli_error(c, e) : EXIT_OK;
}

int remote_list(const struct cli *c, int local, struct lerr *e, struct remote_req *rq,
		const struct cli_list *l, json_t **o)
{
	uint64_t limit = 0;
	int r = l->limit ? cli_count(c, "--limit", l->limit, 1, ITEMS_PAGE_MAX, &limit) : EXIT_OK;
	if (r != EXIT_OK) {
		json_decref(*o);
		*o = NULL;
		return r;
	}
	remote_query(rq, "after", l->after);
	remote_query(rq, "limit", l->limit);
	if ((r = remote_answer(c, local, e, rq, o)) != EXIT_OK)
		return r;
	if (!c->remote && view_page(*o, l->key, l->id_key, l->after, (size_t)limit, e) < 0) {
		json_decref(*o);
		*o = NULL;
		return cli_error(c, e);
	}
	if (!c->json && json_is_string(json_object_get(*o, "next")))
		fprintf(stderr, "more: the next page starts with --after %s\n",
			cli_str(*o, "next"));
	return EXIT_OK;
}

int remote_get(const struct cli *c, int local, const struct lerr *e, const char *base,
	       const char *id, json_t **o)
{
	struct remote_req rq = {.method = "GET"};
	remote_path(&rq, base, id, NULL);
	return remote_answer(c, local, e, &rq, o);
}

int remote_person(const struct cli *c, const char **id)
{
	struct remote *r = c->remote;
	if (!r->person[0]) {
		struct remote_req rq = {.method = "GET"};
		json_t *o;
		long st;
		remote_path(&rq, "/v1/me", NULL, NULL);
		int res = remote_call(c, &rq, &o, &st);
		if (res != EXIT_OK)
			return res;
		str_copy(r->person, sizeof r->person, json_string_value(json_object_get(o, "id")));
		json_decref(o);
	}
	*id = r->person;
	return EXIT_OK;
}

int remote_same_person(const struct cli *c, const char *opt, const char *given)
{
	const char *me;
	int r = remote_person(c, &me);
	if (r != EXIT_OK || !given || strcmp(given, me) == 0)
		return r;
	return cli_bad_usagef(c,
			      "%s %s: through the daemon (LIAISON_URL) every act is the token's "
			      "person's, %s's",
			      opt, given, me);
}

int remote_acting(const struct cli *c, const char *cmd, const char *opt, const char **who)
{
	if (c->remote)
		return remote_same_person(c, opt, *who) != EXIT_OK ? EXIT_USAGE
								   : remote_person(c, who);
	if (!*who)
		return cli_bad_usagef(
		    c,
		    "%s: %s PERSON is required (the person the operator acts for; "
		    "or act through a daemon: liaison login)",
		    cmd, opt);
	return EXIT_OK;
}

/* ---- login, logout, whoami ---- */

/* The token to log in with: LIAISON_TOKEN, else a line of standard input. */
static int read_token(const struct cli *c, char **token)
{
	const char *env = getenv("LIAISON_TOKEN");
	*token = sodium_malloc(NODE_TOKEN_MAX + 2);
	if (!*token)
		return cli_failf(c, LERR_NOMEM, "out of memory");
	if (env && env[0]) {
		if (!str_copy(*token, NODE_TOKEN_MAX, env))
			goto bad;
		return EXIT_OK;
	}
	if (isatty(STDIN_FILENO)) { /* typed: never echoed */
		int fd = open("/dev/tty", O_RDWR | O_CLOEXEC);
		int r = fd < 0 ? -1
			       : cli_read_secret(fd, "token (liaison person token, on the node): ",
						 *token, NODE_TOKEN_MAX + 2);
		if (fd >= 0)
			close(fd);
		if (r != 0)
			goto bad;
	} else if (!fgets(*token, NODE_TOKEN_MAX + 2, stdin))
		goto bad;
	(*token)[strcspn(*token, "\r\n")] = '\0';
	if (strlen(*token) >= NODE_TOKEN_MAX || !(*token)[0])
		goto bad;
	return EXIT_OK;
bad:
	sodium_free(*token);
	*token = NULL;
	return cli_bad_usagef(
	    c, "login: give the token in LIAISON_TOKEN or on standard input, one line");
}

static int run_login(struct cli *c)
{
	const char *pos[1], *cacert = NULL;
	int np;
	const struct cli_opt opts[] = {OPT_VAL("cacert", &cacert), {0}};
	int r = cli_parse(c, c->argc, c->argv, opts, pos, 1, 1, &np);
	if (r != EXIT_OK)
		return r;
	char *token, dir[NODE_PATH_MAX], path[NODE_PATH_MAX + 16];
	if ((r = read_token(c, &token)) != EXIT_OK)
		return r;
	struct lerr e = {0};
	struct cli lc = *c;
	lc.remote = remote_new(pos[0], token, cacert, &e);
	if (!lc.remote) {
		sodium_free(token);
		return cli_error(c, &e);
	}
	const char *me;
	r = remote_person(&lc, &me); /* the token works: it names its person */
	json_t *o = r == EXIT_OK ? json_pack("{s:s, s:s, s:s}", "url", lc.remote->url, "token",
					     token, "person", me)
				 : NULL;
	if (o && cacert)
		json_object_set_new(o, "cacert", json_string(cacert));
	char *text = o ? json_dumps(o, JSON_INDENT(2)) : NULL;
	json_decref(o);
	sodium_free(token);
	if (r == EXIT_OK &&
	    (!text || login_dir(dir, sizeof dir, &e) < 0 || login_path(path, sizeof path, &e) < 0))
		r = cli_error(c, &e);
	/* the folder and the one above it (~/.config), private when made here */
	char *slash = r == EXIT_OK ? strrchr(dir, '/') : NULL;
	if (slash && slash != dir) {
		*slash = '\0';
		(void)mkdir(dir, 0700);
		*slash = '/';
	}
	if (r == EXIT_OK && mkdir(dir, 0700) != 0 && errno != EEXIST)
		r = cli_failf(c, LERR_IO, "%s: cannot create: %s", dir, strerror(errno));
	if (r == EXIT_OK && fio_write_file(path, text, strlen(text), 0600, true, &e) < 0)
		r = cli_error(c, &e);
	if (r == EXIT_OK) {
		if (c->json)
			r = cli_emit(json_pack("{s:s, s:s, s:s}", "url", lc.remote->url, "person",
					       lc.remote->person, "login", path));
		else
			printf("logged in to %s as %s (the token kept in %s, mode 0600)\n",
			       lc.remote->url, lc.remote->person, path);
	}
	if (text) {
		sodium_memzero(text, strlen(text));
		free(text);
	}
	remote_free(lc.remote);
	return r;
}

const struct cli_command cmd_login = {
    "login",
    run_login,
    "talk to a node's daemon as a person: keep its URL and a token",
    "usage: liaison login URL [--cacert FILE]\n\n"
    "Checks a token with the daemon at URL (liaison serve) and keeps both in\n"
    "$XDG_CONFIG_HOME/liaison/login (else ~/.config/liaison/login), mode 0600.\n"
    "The token (from `liaison person token`, given by the node's operator)\n"
    "is read from LIAISON_TOKEN, else from standard input.\n\n"
    "From then on, without --home or LIAISON_HOME, the commands that ask or\n"
    "act for a person (item, access, consent, agreement, export, log, person\n"
    "show and list, whoami) go to that daemon as the token's person: no node\n"
    "passphrase and no --by, the same answers as on the node. LIAISON_URL\n"
    "(with LIAISON_TOKEN) does the same for one command or shell.\n\n"
    "options:\n"
    "  --cacert FILE  the CA certificate to check an https:// daemon with\n"
    "                 (also LIAISON_CACERT)\n",
    NULL,
    0,
    NULL,
};

static int run_logout(struct cli *c)
{
	const char *pos[1];
	int r = cli_words(c, c->argc, c->argv, pos, 0);
	char path[NODE_PATH_MAX + 16];
	struct lerr e = {0};
	if (r != EXIT_OK)
		return r;
	if (login_path(path, sizeof path, &e) < 0)
		return cli_error(c, &e);
	bool was = unlink(path) == 0;
	if (!was && errno != ENOENT)
		return cli_failf(c, LERR_IO, "%s: %s", path, strerror(errno));
	if (c->json)
		return cli_emit(json_pack("{s:b}", "logged_out", was));
	printf(was ? "logged out: %s removed\n" : "not logged in (no %s)\n", path);
	return EXIT_OK;
}

const struct cli_command cmd_logout = {
    "logout",
    run_logout,
    "forget the daemon and token liaison login kept",
    "usage: liaison logout\n\n"
    "Removes the login file liaison login wrote. The token itself stays valid\n"
    "until it expires or the node's operator revokes it (liaison person\n"
    "revoke-token).\n",
    NULL,
    0,
    NULL,
};

static int run_whoami(struct cli *c)
{
	const char *pos[1];
	int r = cli_words(c, c->argc, c->argv, pos, 0);
	if (r != EXIT_OK)
		return r;
	if (!c->remote) {
		char home[NODE_PATH_MAX];
		struct lerr e = {0};
		if (node_home(c->home, home, sizeof home, &e) < 0)
			return cli_error(c, &e);
		if (c->json)
			return cli_emit(json_pack("{s:s, s:s}", "operator", "local", "home", home));
		printf("the operator of the node in %s (acts name a person with --by)\n", home);
		return EXIT_OK;
	}
	struct remote_req rq = {.method = "GET"};
	json_t *o;
	long st;
	remote_path(&rq, "/v1/me", NULL, NULL);
	if ((r = remote_call(c, &rq, &o, &st)) != EXIT_OK)
		return r;
	if (c->json)
		return cli_emit(o);
	printf("%s (%s) at %s\n", json_string_value(json_object_get(o, "id")),
	       json_string_value(json_object_get(o, "party")), c->remote->url);
	json_decref(o);
	return EXIT_OK;
}

const struct cli_command cmd_whoami = {
    "whoami",
    run_whoami,
    "who the commands act as: a token's person, or the node's operator",
    "usage: liaison whoami\n\n"
    "Through a daemon (liaison login, LIAISON_URL): the token's person (GET\n"
    "/v1/me). On a node's folder: its operator, who enters acts for people\n"
    "with --by.\n\n"
    "options:\n"
    "  --json  the person object, or {\"operator\", \"home\"}\n",
    NULL,
    0,
    NULL,
};
