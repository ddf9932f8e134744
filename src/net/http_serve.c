/* http_serve.c - the daemon's start and stop: its options, the listening socket, TLS, the node and
 * its keys, the lanes to the peers, and a clean stop on SIGTERM (see http.h, internal.h). */
#define _GNU_SOURCE /* pipe2 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <netdb.h>
#include <netinet/in.h>
#include <signal.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "../core/text.h"
#include "../crypto/fio.h"
#include "../node/encode.h"
#include "../node/acts.h"
#include "../node/views.h"
#include "internal.h"
#include "json_out.h"
#include "peer_client.h"
#include "../sys/lazy_systemd.h"

/* ---- start and stop ---- */

static int parse_listen(const char *l, struct sockaddr_storage *ss, socklen_t *len, bool *v6,
			struct lerr *e)
{
	char host[128];
	const char *colon = strrchr(l, ':');
	if (!colon || colon == l || strlen(l) >= sizeof host)
		return lerr_set(e, LERR_INVAL, "--listen: \"%.64s\" is not HOST:PORT", l);
	size_t hl = (size_t)(colon - l);
	memcpy(host, l, hl);
	host[hl] = '\0';
	if (host[0] == '[' && host[hl - 1] == ']') {
		memmove(host, host + 1, hl - 2);
		host[hl - 2] = '\0';
	}
	/* a name (localhost, a host's own) is looked up: its first address */
	struct addrinfo hints = {.ai_flags = AI_NUMERICSERV | AI_ADDRCONFIG,
				 .ai_socktype = SOCK_STREAM},
			*ai;
	int g = getaddrinfo(host, colon + 1, &hints, &ai);
	if (g != 0)
		return lerr_set(e, LERR_INVAL, "--listen: \"%.64s\": %s", l,
				g == EAI_SERVICE ? "the port is not a number" : gai_strerror(g));
	memcpy(ss, ai->ai_addr, ai->ai_addrlen);
	*len = ai->ai_addrlen;
	*v6 = ai->ai_family == AF_INET6;
	freeaddrinfo(ai);
	return 0;
}

/*
 * home/tmp/serve-PID: this daemon's uploads and outgoing files. Folders of
 * daemons that are gone (killed with SIGKILL, or the machine lost power)
 * are removed: what they held was never stored. Nothing under tmp is
 * followed if it is a link (node_folder_check refused a folder others can
 * write; this holds even so).
 */
static int make_tmpdir(struct server *s, struct lerr *e)
{
	char base[NODE_PATH_MAX + 8], name[32];
	snprintf(base, sizeof base, "%s/tmp", s->home);
	if (mkdir(base, 0700) != 0 && errno != EEXIST)
		return lerr_set(e, LERR_IO, "%s: %s", base, strerror(errno));
	int bfd = open(base, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (bfd < 0)
		return lerr_set(e, LERR_IO, "%s: not a folder of the node's own: %s", base,
				strerror(errno));
	int dfd = dup(bfd);
	DIR *d = dfd >= 0 ? fdopendir(dfd) : NULL;
	struct dirent *de;
	long pid;
	snprintf(name, sizeof name, "serve-%ld", (long)getpid());
	while (d && (de = readdir(d)) != NULL)
		if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0 &&
		    (node_serve_dir(de->d_name, &pid) < 0 || strcmp(de->d_name, name) == 0))
			/* a gone daemon's, or a stale one of this pid */
			fio_remove_tree_at(bfd, de->d_name, 1);
	if (d)
		closedir(d);
	else if (dfd >= 0)
		close(dfd);
	int r = 0;
	if (mkdirat(bfd, name, 0700) != 0)
		r = lerr_set(e, LERR_IO, "%s/%s: %s", base, name, strerror(errno));
	else
		snprintf(s->tmpdir, sizeof s->tmpdir, "%s/%s", base, name);
	close(bfd);
	return r;
}

/*
 * How many connections may be open at once: what was asked (default 4096),
 * within the open files the process may have, its soft limit raised to the
 * hard one, less 128 for the store, uploads and peers.
 */
static unsigned connection_budget(unsigned asked)
{
	rlim_t want = asked ? asked : 4096;
	struct rlimit rl;
	if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
		return (unsigned)(want < 896 ? want : 896);
	if (rl.rlim_cur < rl.rlim_max && rl.rlim_cur < want + 128) {
		rlim_t cur = rl.rlim_cur;
		rl.rlim_cur = rl.rlim_max == RLIM_INFINITY || rl.rlim_max > 65536 + 128
				  ? 65536 + 128
				  : rl.rlim_max;
		if (rl.rlim_cur < cur || setrlimit(RLIMIT_NOFILE, &rl) != 0)
			rl.rlim_cur = cur;
	}
	if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < want + 128)
		want = rl.rlim_cur > 256 ? rl.rlim_cur - 128 : 128;
	return (unsigned)(want < 65536 ? want : 65536);
}

/* The options given, their zeros the defaults (SERVE_* in http.h). */
static void server_defaults(struct server *s, const struct server_opts *o)
{
	s->o = *o;
	if (!s->o.threads)
		s->o.threads = SERVE_THREADS;
	if (!s->o.max_upload)
		s->o.max_upload = SERVE_MAX_UPLOAD;
	if (!s->o.max_peer_upload)
		s->o.max_peer_upload = s->o.max_upload;
	if (!s->o.retry_max)
		s->o.retry_max = SERVE_RETRY_MAX;
	if (!s->o.max_per_address)
		s->o.max_per_address = SERVE_MAX_PER_ADDRESS;
	if (!s->o.header_timeout)
		s->o.header_timeout = SERVE_HEADER_TIMEOUT;
	if (!s->o.min_rate)
		s->o.min_rate = SERVE_MIN_RATE;
	s->o.max_connections = connection_budget(s->o.max_connections);
	if (!s->o.max_acts)
		s->o.max_acts = SERVE_MAX_ACTS;
	limit_init(&s->acts, s->o.unbounded_acts ? 0 : s->o.max_acts);
	s->observer = (struct node_observer){metrics_decision, &s->metrics};
	if (!s->o.witness_every)
		s->o.witness_every = SERVE_WITNESS_EVERY;
	if (!s->o.session_idle)
		s->o.session_idle = SERVE_SESSION_IDLE;
	if (!s->o.session_max)
		s->o.session_max = SERVE_SESSION_MAX;
}

/* The access log: its own buffered stream on stderr's file; *own to close. */
static void access_log_open(struct server *s, FILE **own)
{
	*own = NULL;
	if (s->o.access_log && s->o.access_log != stderr)
		return;
	int fd = dup(STDERR_FILENO);
	*own = fd >= 0 ? fdopen(fd, "w") : NULL;
	if (!*own && fd >= 0)
		close(fd);
	if (*own)
		setvbuf(*own, NULL, _IOFBF, 1 << 16);
	s->o.access_log = *own ? *own : stderr;
}

/* Whether o is an origin as a browser says it: http(s)://HOST[:PORT]. */
static bool origin_ok(const char *o)
{
	const char *h = strncmp(o, "https://", 8) == 0	? o + 8
			: strncmp(o, "http://", 7) == 0 ? o + 7
							: NULL;
	return h && *h && strlen(o) < 256 && !strpbrk(h, "/?#@ \\\"");
}

/* Starts libmicrohttpd on the address (TLS when cert is given). */
/* Whether the address can be bound: errno's reason, said plainly, if not
 * (libmicrohttpd itself would say only "Failed to bind to port"). */
static int can_bind(const struct server *s, const struct sockaddr_storage *ss, struct lerr *e)
{
	int fd = socket(ss->ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0), one = 1;
	if (fd < 0)
		return lerr_set(e, LERR_IO, "--listen %s: %s", s->o.listen, strerror(errno));
	(void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	if (ss->ss_family == AF_INET6) /* as libmicrohttpd binds it: IPv6 alone */
		(void)setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one);
	socklen_t len =
	    ss->ss_family == AF_INET6 ? sizeof(struct sockaddr_in6) : sizeof(struct sockaddr_in);
	int r = bind(fd, (const struct sockaddr *)ss, len) == 0 ? 0 : errno;
	close(fd);
	if (r == EADDRINUSE)
		return lerr_set(e, LERR_IO,
				"--listen %s: the address is in use (another daemon serves there? "
				"choose another with --listen HOST:PORT)",
				s->o.listen);
	if (r == EACCES)
		return lerr_set(e, LERR_IO,
				"--listen %s: a port under 1024 needs the capability "
				"CAP_NET_BIND_SERVICE (or a port of 1024 or more)",
				s->o.listen);
	return r ? lerr_set(e, LERR_IO, "--listen %s: %s", s->o.listen, strerror(r)) : 0;
}

/* Starts a daemon on ss, or on the socket `fd` already listening (fd >= 0:
 * a TLS reload's); s->d is the new one. */
static int daemon_start(struct server *s, const struct sockaddr_storage *ss, bool v6,
			const char *cert, const char *key, MHD_socket fd, struct lerr *e)
{
	if (fd == MHD_INVALID_SOCKET && can_bind(s, ss, e) < 0)
		return LERR_IO;
	/* suspend and resume: a download waits for its decision's commit
	 * without holding its worker thread (http_wait) */
	unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ITC |
			 MHD_ALLOW_SUSPEND_RESUME | MHD_USE_TURBO | MHD_USE_ERROR_LOG |
			 (v6 ? MHD_USE_IPv6 : 0) | (cert ? MHD_USE_TLS : 0);
	struct MHD_OptionItem ops[] = {
	    {MHD_OPTION_THREAD_POOL_SIZE, (intptr_t)s->o.threads, NULL},
	    fd == MHD_INVALID_SOCKET ? (struct MHD_OptionItem){MHD_OPTION_SOCK_ADDR, 0, (void *)ss}
				     : (struct MHD_OptionItem){MHD_OPTION_LISTEN_SOCKET, fd, NULL},
	    {MHD_OPTION_NOTIFY_COMPLETED, (intptr_t)http_on_done, s},
	    {MHD_OPTION_CONNECTION_TIMEOUT, 120, NULL},
	    {MHD_OPTION_NOTIFY_CONNECTION, (intptr_t)guard_notify, &s->guard},
	    {MHD_OPTION_UNESCAPE_CALLBACK, (intptr_t)guard_unescape, NULL},
	    {MHD_OPTION_PER_IP_CONNECTION_LIMIT, (intptr_t)s->o.max_per_address, NULL},
	    {MHD_OPTION_CONNECTION_LIMIT, (intptr_t)s->o.max_connections, NULL},
	    /* each request's pool is cleared: keep it to what headers need */
	    {MHD_OPTION_CONNECTION_MEMORY_LIMIT, 8 * 1024, NULL},
	    {cert ? MHD_OPTION_HTTPS_MEM_CERT : MHD_OPTION_END, 0, (void *)cert},
	    {cert ? MHD_OPTION_HTTPS_MEM_KEY : MHD_OPTION_END, 0, (void *)key},
	    {MHD_OPTION_END, 0, NULL}};
	struct MHD_Daemon *d =
	    MHD_start_daemon(flags, 0, NULL, NULL, http_on_request, s, MHD_OPTION_EXTERNAL_LOGGER,
			     http_mhd_log, NULL, MHD_OPTION_ARRAY, ops, MHD_OPTION_END);
	if (!d)
		return lerr_set(e, LERR_IO, "cannot %s on %s",
				fd == MHD_INVALID_SOCKET ? "listen" : "serve the new certificate",
				s->o.listen);
	s->d = d;
	return 0;
}

/* The TLS certificate and key, read from their files (*cert, *key: free
 * them; the key wiped first). */
static int tls_read(const struct server *s, char **cert, size_t *cl, char **key, size_t *kl,
		    struct lerr *e)
{
	*cert = *key = NULL;
	int r = fio_read_file(s->o.tls_cert, 1 << 20, cert, cl, e);
	if (r == 0)
		r = fio_read_file(s->o.tls_key, 1 << 20, key, kl, e);
	return r < 0 ? lerr_prefix(e, "TLS") : 0;
}

static void tls_free(char *cert, char *key, size_t kl)
{
	if (key)
		sodium_memzero(key, kl);
	free(key);
	free(cert);
}

/* The daemon a reload replaced, stopped once its connections are gone or
 * its time is up (now), its socket descriptor closed after it (libmicrohttpd
 * wants it open until the stop) and its pair freed. */
static void retire(struct server *s, bool now)
{
	struct retired *o = &s->retired;
	if (!o->d)
		return;
	const union MHD_DaemonInfo *ci =
	    MHD_get_daemon_info(o->d, MHD_DAEMON_INFO_CURRENT_CONNECTIONS);
	if (!now && ci && ci->num_connections > 0 && http_now() < o->by)
		return;
	/* libmicrohttpd must find none of its connections waiting for a
	 * commit: the entries queued are seen done first, and the next ones
	 * recorded by their workers themselves until the old daemon is gone */
	bool held = log_batch_hold(s->batch, true);
	bool gate_held = gen_gate_hold(s->gate, true); /* nor one waiting for the generation */
	MHD_stop_daemon(o->d);
	if (!held)
		log_batch_hold(s->batch, false);
	if (!gate_held)
		gen_gate_hold(s->gate, false);
	if (o->fd != MHD_INVALID_SOCKET)
		close(o->fd);
	tls_free(o->pem, o->key_pem, o->key_len);
	memset(o, 0, sizeof *o);
}

/*
 * SIGHUP under TLS: the certificate and key read again from their files
 * and served by a new daemon on the same listening socket (a descriptor of
 * its own); the old one takes no new connection and is stopped by the
 * serving loop once its connections are gone, at most drain_seconds later.
 * A pair that does not load is refused, said, and the old one serves on.
 * No connection is refused meanwhile.
 */
static void tls_reload(struct server *s, const struct sockaddr_storage *ss, bool v6)
{
	char *cert = NULL, *key = NULL;
	size_t cl, kl = 0;
	struct lerr e = {0};
	retire(s, true); /* a reload before the last one's daemon was done */
	struct MHD_Daemon *old = s->d;
	const union MHD_DaemonInfo *li = MHD_get_daemon_info(old, MHD_DAEMON_INFO_LISTEN_FD);
	/* the new daemon gets its own descriptor of the socket: one that fails
	 * to start closes it, and the old one's serves on */
	MHD_socket fd = li ? fcntl(li->listen_fd, F_DUPFD_CLOEXEC, 0) : MHD_INVALID_SOCKET;
	if (fd < 0)
		lerr_set(&e, LERR_IO, "the listening socket: %s", strerror(errno));
	else if (tls_read(s, &cert, &cl, &key, &kl, &e) < 0)
		close(fd);
	else if (daemon_start(s, ss, v6, cert, key, fd, &e) == 0) {
		/* the old daemon takes no new connection; quiesced, it leaves the
		 * socket alone when it stops (else it would shut the new one's) */
		MHD_socket ls = MHD_quiesce_daemon(old);
		s->retired = (struct retired){.d = ls != MHD_INVALID_SOCKET ? old : NULL,
					      .fd = ls,
					      .by = http_now() + (double)s->o.drain_seconds,
					      .pem = s->tls_pem,
					      .key_pem = s->tls_key_pem,
					      .key_len = s->tls_key_len};
		s->tls_pem = cert;
		s->tls_key_pem = key;
		s->tls_key_len = kl;
		cert = key = NULL;
		if (ls == MHD_INVALID_SOCKET) /* never seen: then it serves on beside */
			fprintf(stderr,
				"liaison serve: SIGHUP: the old daemon could not be quiesced; "
				"it serves on beside the new one\n");
		fprintf(stderr,
			"liaison serve: SIGHUP: the TLS certificate %s read again and served\n",
			s->o.tls_cert);
	}
	if (e.msg[0])
		fprintf(stderr,
			"liaison serve: SIGHUP: %s; the certificate served before is kept\n",
			e.msg);
	tls_free(cert, key, kl);
}

/* Serving: says where, starts the lanes to the peers, waits for a stop
 * signal, then lets requests in flight finish (up to drain_seconds). */
static void serve_until_stopped(struct server *s, const struct node *n, bool tls, sigset_t *stop,
				const struct sockaddr_storage *ss, bool v6)
{
	const union MHD_DaemonInfo *di = MHD_get_daemon_info(s->d, MHD_DAEMON_INFO_BIND_PORT);
	char host[128];
	size_t hl = (size_t)(strrchr(s->o.listen, ':') - s->o.listen);
	memcpy(host, s->o.listen, hl < sizeof host ? hl : sizeof host - 1);
	host[hl < sizeof host ? hl : sizeof host - 1] = '\0';
	fprintf(stderr, "liaison serve: %s node on %s://%s:%u (%u threads)%s\n", n->party,
		tls ? "https" : "http", host, di ? di->port : 0, s->o.threads,
		n->clock.simulated ? ", clock set by LIAISON_NOW" : "");
	fflush(stderr);
	/* under systemd (Type=notify): ready now; nothing when not under it */
	if (s->notify)
		(void)sd_notifyf(0, "READY=1\nSTATUS=serving %s on port %u", n->party,
				 di ? di->port : 0);
	struct lanes *lanes = NULL;
	struct lerr le = {0};
	if (lanes_start(s, &lanes, &le) < 0)
		fprintf(stderr, "liaison serve: %s\n", le.msg);
	int sig = 0;
	/* the access log is written at least every 200 ms; SIGHUP (a log
	 * rotation's, an operator's reflex) is not a stop: the access log is
	 * flushed, the TLS certificate read again, and the daemon says what it
	 * does not reload */
	for (;;) {
		struct timespec tick = {0, 200 * 1000 * 1000};
		sig = sigtimedwait(stop, NULL, &tick);
		fflush(s->o.access_log);
		retire(s, false);
		if (sig < 0 && (errno == EAGAIN || errno == EINTR))
			continue;
		if (sig != SIGHUP)
			break; /* SIGTERM, SIGINT, or sigtimedwait failed: stop, cleanly */
		fprintf(stderr, "liaison serve: SIGHUP: the access log flushed; the settings are "
				"read at start (restart to change them)\n");
		if (tls)
			tls_reload(s, ss, v6);
		fflush(stderr);
	}
	if (sig < 0)
		sig = SIGTERM;
	if (s->notify)
		(void)sd_notify(0, "STOPPING=1");
	fprintf(stderr, "liaison serve: %s: stopping (requests in flight may finish)\n",
		sig == SIGTERM ? "SIGTERM" : "SIGINT");
	MHD_socket ls = MHD_quiesce_daemon(s->d); /* closed after the stop */
	double t0 = http_now();
	while (atomic_load(&s->active) > 0 && http_now() - t0 < (double)s->o.drain_seconds) {
		struct timespec ts = {0, 20 * 1000 * 1000};
		nanosleep(&ts, NULL);
	}
	unsigned left = atomic_load(&s->active);
	(void)log_batch_hold(s->batch, true); /* no connection left waiting for a commit */
	(void)gen_gate_hold(s->gate, true);   /* nor for the generation */
	MHD_stop_daemon(s->d);
	if (ls != MHD_INVALID_SOCKET)
		close(ls);
	retire(s, true);
	lanes_stop(lanes); /* transfers to peers in flight are cancelled */
	unsigned long cut = atomic_load(&s->guard.cut);
	if (cut)
		fprintf(stderr, "liaison serve: %lu connections cut for being too slow\n", cut);
	fflush(s->o.access_log);
	fprintf(stderr, "liaison serve: stopped%s\n",
		left ? " (requests still in flight were cut; nothing half stored)" : "");
}

int server_run(const struct server_opts *o, const char *pass, size_t passlen, struct lerr *e)
{
	struct server *s = calloc(1, sizeof *s);
	if (!s)
		return lerr_set(e, LERR_NOMEM, "out of memory");
	server_defaults(s, o);
	FILE *own_log;
	access_log_open(s, &own_log);
	size_t cl;
	struct sockaddr_storage ss;
	socklen_t sl = 0;
	bool v6 = false;
	struct node *n = NULL;
	int r = parse_listen(o->listen, &ss, &sl, &v6, e);
	if (r == 0)
		r = lazy_mhd_load(e);
	/* a service manager waiting for READY=1 (systemd's Type=notify) that
	 * would never get it would kill the daemon at its start timeout, and
	 * start it again, and again: better not start, and say why */
	s->notify = getenv("NOTIFY_SOCKET") != NULL;
	if (r == 0 && s->notify && lazy_systemd_load(e) < 0)
		r = lerr_prefix(e, "NOTIFY_SOCKET is set (systemd's Type=notify), but the daemon "
				   "cannot notify");
	/* the memory a request frees at its end: glibc gave it back to the
	 * kernel each time, 4 and 64 KiB at once (madvise from free, trimming
	 * each worker's arena past 128 KiB free), and each give-back flushed
	 * the TLBs of every core (3.4% of a download's time in bench/http).
	 * An arena now keeps up to 1 MiB free; the mmap threshold fixed at
	 * 1 MiB as well, since setting the trim threshold alone would pin it at
	 * 128 KiB (an mmap and a munmap for every larger buffer) */
	mallopt(M_TRIM_THRESHOLD, 1 << 20);
	mallopt(M_MMAP_THRESHOLD, 1 << 20);
	if (r == 0 && !!o->tls_cert != !!o->tls_key)
		r = lerr_set(e, LERR_INVAL, "--tls-cert and --tls-key go together");
	if (r == 0 && o->public_origin && !origin_ok(o->public_origin))
		r = lerr_set(
		    e, LERR_INVAL,
		    "--public-origin: \"%.128s\" is not http(s)://HOST[:PORT] (no path, no "
		    "final /)",
		    o->public_origin);
	if (r == 0 && o->tls_cert)
		r = tls_read(s, &s->tls_pem, &cl, &s->tls_key_pem, &s->tls_key_len, e);
	if (r == 0 && o->tls_cert && MHD_is_feature_supported(MHD_FEATURE_TLS) != MHD_YES)
		r = lerr_set(e, LERR_INVAL, "this libmicrohttpd has no TLS");
	/* the node: its folder, and its keys unsealed once for the daemon's life */
	if (r == 0 && (r = node_home(o->home, s->home, sizeof s->home, e)) == 0 &&
	    (r = node_folder_check(s->home, e)) == 0 && (r = node_open(s->home, &n, e)) == 0 &&
	    (r = node_clock_act(&n->clock, e)) == 0)
		r = node_secret_key(n, pass, passlen, &s->key, e);
	char pub[NODE_PATH_MAX + 64];
	if (r == 0 && node_key_path(s->home, n->party, "pub", pub, sizeof pub, e) == 0 &&
	    stat(pub, &s->key_file) != 0)
		memset(&s->key_file, 0, sizeof s->key_file);
	if (r == 0)
		node_reports_import(n); /* reports kept as files by an older liaison */
	if (r == 0)
		r = make_tmpdir(s, e);
	if (r == 0 && !(s->batch = log_batch_new()))
		r = lerr_set(e, LERR_NOMEM, "out of memory");
	bool have_key = false;
	if (r == 0 && !(have_key = pthread_key_create(&s->worker_key, http_close_worker) == 0))
		r = lerr_set(e, LERR_NOMEM, "no thread key");
	/* SIGTERM, SIGINT and SIGHUP wait for sigwait below; the workers inherit the mask */
	sigset_t stop;
	sigemptyset(&stop);
	sigaddset(&stop, SIGTERM);
	sigaddset(&stop, SIGINT);
	sigaddset(&stop, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &stop, NULL);
	signal(SIGPIPE, SIG_IGN);
	/* after the mask: a thread that does not block them would take the
	 * stop signals meant for the serving loop (and die of them) */
	if (r == 0)
		r = log_batch_start(s->batch, s->home, e);
	/* PostgreSQL: light questions' generation read once for many */
	if (r == 0 && store_generation_shared(n->store)) {
		if (!(s->gate = gen_gate_new()))
			r = lerr_set(e, LERR_NOMEM, "out of memory");
		else if ((r = gen_gate_start(s->gate, s->home, e)) < 0)
			lerr_prefix(e, "the generation gate (a connection of its own)");
	}
	if (r == 0)
		r = sessions_init(
		    &s->sessions, s->o.session_idle, s->o.session_max, n->party,
		    s->tls_pem != NULL ||
			(s->o.public_origin && strncmp(s->o.public_origin, "https://", 8) == 0),
		    e);
	if (r == 0)
		r = guard_start(&s->guard, s->o.header_timeout, s->o.min_rate, e);
	if (r == 0)
		r = daemon_start(s, &ss, v6, s->tls_pem, s->tls_key_pem, MHD_INVALID_SOCKET, e);
	if (r == 0)
		serve_until_stopped(s, n, s->tls_pem != NULL, &stop, &ss, v6);
	/* a signal that came during the stop (a second SIGTERM, a log
	 * rotation's SIGHUP) is taken here, not left to kill the process */
	struct timespec none = {0, 0};
	while (sigtimedwait(&stop, NULL, &none) > 0)
		;
	pthread_sigmask(SIG_UNBLOCK, &stop, NULL);
	if (have_key) {
		/* destructors run at the workers' exits, never for this thread */
		struct worker *w = pthread_getspecific(s->worker_key);
		if (w)
			http_close_worker(w);
		pthread_key_delete(s->worker_key);
	}
	guard_stop(&s->guard);
	log_batch_free(s->batch); /* the workers are gone */
	gen_gate_free(s->gate);
	sessions_free(&s->sessions);
	limit_destroy(&s->acts);
	key_secret_free(&s->key);
	node_close(n);
	if (own_log)
		fclose(own_log);
	if (s->tmpdir[0])
		fio_remove_tree(s->tmpdir, 1);
	tls_free(s->tls_pem, s->tls_key_pem, s->tls_key_len);
	free(s);
	return r;
}
