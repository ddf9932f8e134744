/* cmd_serve.c - liaison serve: the node daemon (net/http.h). */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../net/http.h"
#include "cli.h"

/* The numbers serve takes: each option's text, its range, and its value
 * (the default until given). */
enum {
	N_THREADS,
	N_UPLOAD,
	N_DRAIN,
	N_RETRY,
	N_WITNESS,
	N_PEER_UPLOAD,
	N_CONNS,
	N_PER_ADDRESS,
	N_HEADER,
	N_RATE,
	N_ACTS,
	N_SESSION_IDLE,
	N_SESSION_MAX,
	N__COUNT
};

static const struct {
	const char *name;
	uint64_t lo, hi, dflt;
} numbers[N__COUNT] = {
    [N_THREADS] = {"threads", 1, 256, SERVE_THREADS},
    [N_UPLOAD] = {"max-upload", 1, UINT64_MAX, SERVE_MAX_UPLOAD},
    [N_DRAIN] = {"drain", 0, 3600, SERVE_DRAIN},
    [N_RETRY] = {"retry-max", 1, 86400, SERVE_RETRY_MAX},
    [N_WITNESS] = {"witness-every", 1, 86400, SERVE_WITNESS_EVERY},
    [N_PEER_UPLOAD] = {"max-peer-upload", 1, UINT64_MAX, 0},
    [N_CONNS] = {"max-connections", 16, 65536, 0},
    [N_PER_ADDRESS] = {"max-per-address", 1, 65536, SERVE_MAX_PER_ADDRESS},
    [N_HEADER] = {"header-timeout", 1, 3600, SERVE_HEADER_TIMEOUT},
    [N_RATE] = {"min-rate", 1, UINT64_MAX, SERVE_MIN_RATE},
    [N_ACTS] = {"max-acts", 0, 1000000, SERVE_MAX_ACTS},
    [N_SESSION_IDLE] = {"session-idle", 1, 86400, SERVE_SESSION_IDLE},
    [N_SESSION_MAX] = {"session-max", 1, 604800, SERVE_SESSION_MAX},
};

static int run_serve(struct cli *c)
{
	const char *listen = "127.0.0.1:7400", *cert = NULL, *key = NULL, *text[N__COUNT] = {0},
		   *origin = NULL, *pos[1];
	bool routes = false;
	int np;
	struct cli_opt opts[N__COUNT + 6] = {OPT_VAL("listen", &listen), OPT_VAL("tls-cert", &cert),
					     OPT_VAL("tls-key", &key), OPT_FLAG("routes", &routes),
					     OPT_VAL("public-origin", &origin)};
	for (int k = 0; k < N__COUNT; k++)
		opts[5 + k] = (struct cli_opt)OPT_VAL(numbers[k].name, &text[k]);
	int r = cli_parse(c, c->argc, c->argv, opts, pos, 0, 0, &np);
	if (r != EXIT_OK)
		return r;
	if (routes) {
		server_print_routes(stdout);
		return EXIT_OK;
	}
	uint64_t v[N__COUNT];
	for (int k = 0; k < N__COUNT; k++) {
		char opt[40];
		v[k] = numbers[k].dflt;
		snprintf(opt, sizeof opt, "--%s", numbers[k].name);
		if (text[k] && (r = cli_count(c, opt, text[k], numbers[k].lo, numbers[k].hi,
					      &v[k])) != EXIT_OK)
			return r;
	}
	char *pass;
	size_t len;
	if ((r = cli_passphrase(c, "passphrase for the node's keys: ", false, &pass, &len)) !=
	    EXIT_OK)
		return r;
	const struct server_opts o = {.home = c->home,
				      .listen = listen,
				      .tls_cert = cert,
				      .tls_key = key,
				      .threads = (unsigned)v[N_THREADS],
				      .max_upload = v[N_UPLOAD],
				      .max_peer_upload = v[N_PEER_UPLOAD],
				      .max_connections = (unsigned)v[N_CONNS],
				      .max_per_address = (unsigned)v[N_PER_ADDRESS],
				      .header_timeout = (unsigned)v[N_HEADER],
				      .min_rate = v[N_RATE],
				      .max_acts = (unsigned)v[N_ACTS],
				      .unbounded_acts = v[N_ACTS] == 0,
				      .drain_seconds = (unsigned)v[N_DRAIN],
				      .retry_max = (int64_t)v[N_RETRY],
				      .witness_every = (int64_t)v[N_WITNESS],
				      .session_idle = (unsigned)v[N_SESSION_IDLE],
				      .session_max = (unsigned)v[N_SESSION_MAX],
				      .public_origin = origin,
				      .access_log = stderr};
	struct lerr e = {0};
	r = server_run(&o, pass, len, &e);
	sodium_free(pass);
	return r < 0 ? (r == LERR_INVAL ? cli_bad_usage(c, &e) : cli_error(c, &e)) : EXIT_OK;
}

const struct cli_command cmd_serve = {
    "serve",
    run_serve,
    "the node daemon: the HTTP API over everything the CLI does",
    "usage: liaison serve [--listen HOST:PORT] [--tls-cert FILE --tls-key FILE]\n"
    "                     [--threads N] [--max-upload BYTES] [--drain SECONDS]\n"
    "                     [--retry-max SECONDS] [--witness-every SECONDS]\n"
    "                     [--max-peer-upload BYTES] [--max-connections N]\n"
    "                     [--max-per-address N] [--header-timeout SECONDS]\n"
    "                     [--min-rate BYTES] [--max-acts N]\n"
    "                     [--session-idle SECONDS] [--session-max SECONDS]\n"
    "                     [--public-origin URL]\n"
    "       liaison serve --routes\n\n"
    "Serves the node's JSON API (docs/api.md, docs/openapi.yaml) on HOST:PORT\n"
    "(default 127.0.0.1:7400; port 0 picks a free one, printed when ready), over\n"
    "TLS when given a PEM certificate and key. Every /v1/ request carries a\n"
    "person's bearer token (liaison person token ID) and acts as that person.\n"
    "The node's keys are unsealed once, at start (--passphrase-file,\n"
    "LIAISON_PASSPHRASE_FILE, systemd's credential liaison-passphrase,\n"
    "LIAISON_PASSPHRASE, or the terminal). SIGTERM or SIGINT stop it: no new\n"
    "connection is taken, requests in flight get --drain seconds (default 30)\n"
    "to finish, an upload cut short stores nothing; SIGHUP flushes the access\n"
    "log, reads the TLS certificate and key again (a pair that does not load\n"
    "is refused and the old one kept) and stops nothing. One JSON line per\n"
    "request goes to standard error (time, client, method, path, status,\n"
    "person, us; never a token or a payload). Under systemd it says READY=1\n"
    "once serving (Type=notify; contrib/liaison.service). GET /healthz:\n"
    "alive; GET /readyz: ready.\n"
    "The daemon also delivers the outbox to the node's peers (liaison peer),\n"
    "every half second, retrying a peer that does not answer after 1, 2, 4...\n"
    "seconds, at most --retry-max (default 300); and it takes the peers'\n"
    "signed messages on POST /v1/peer/messages. Every --witness-every seconds\n"
    "(default 60) it fetches each peer's signed checkpoint with the proof that\n"
    "it extends the last one kept; one that does not, or is badly signed,\n"
    "raises an alarm: logged, shown by liaison peer status and log alarms\n"
    "(exit 1) and in /metrics, until an operator clears it (liaison peer\n"
    "clear-alarm); /readyz stays 200 (a peer cannot take the node out of\n"
    "service) and does not name it (anyone may ask it);\n"
    "/healthz says only that the daemon is alive.\n"
    "Against a hostile network: a request's headers must come within\n"
    "--header-timeout seconds, its body at --min-rate bytes a second; a\n"
    "connection that does not keep up is cut, however it trickles (the same\n"
    "rate bounds what it sends to peers: lower it on slow links). At most\n"
    "--max-connections are open at once, --max-per-address from one address.\n"
    "A peer's message is checked (signature, nonce, length) before its body is\n"
    "read; a body longer than it said, or than --max-peer-upload, is refused.\n"
    "Requests that add to the log are bounded: --max-acts a minute for each\n"
    "token and each peer (a burst of a minute's worth, then that rate); more\n"
    "are answered 429 with Retry-After, and change nothing.\n"
    "GET / is the web console (docs/console.md), built into the binary: a\n"
    "person signs in with a token and gets a session cookie (HttpOnly,\n"
    "SameSite=Strict, Secure under TLS) that ends after --session-idle seconds\n"
    "unused or --session-max seconds in all; every request it makes carries\n"
    "the session's CSRF value. Sessions live in the daemon's memory: a restart\n"
    "signs everyone out; behind a load balancer, send a browser to one daemon.\n"
    "Behind a proxy that terminates TLS, --public-origin names the origin the\n"
    "browsers see (https://liaison.example): changes must come from it, and\n"
    "the cookie is Secure.\n\n"
    "options:\n"
    "  --threads N         worker threads on epoll (default 4)\n"
    "  --max-upload BYTES  the largest item or envelope accepted (default 4 GiB)\n"
    "  --max-peer-upload BYTES  the largest message from a peer (--max-upload)\n"
    "  --max-connections N open at once (default 4096, less when the open-file\n"
    "                      limit is lower: it is raised to its hard limit first)\n"
    "  --max-per-address N open at once from one address (default 128)\n"
    "  --header-timeout SECONDS  for a request's headers (default 20)\n"
    "  --min-rate BYTES    a second, that a request's body must keep to (16384)\n"
    "  --max-acts N        requests adding to the log, a minute, per token and per\n"
    "                      peer (default 6000; 0: no bound)\n"
    "  --drain SECONDS     on SIGTERM, for requests in flight (default 30)\n"
    "  --retry-max SECONDS the longest wait between deliveries (default 300)\n"
    "  --witness-every SECONDS  between fetches of the peers' checkpoints (60)\n"
    "  --session-idle SECONDS  a console session unused this long ends (1800)\n"
    "  --session-max SECONDS   a console session ends this long after sign-in\n"
    "                      in any case (43200: 12 hours)\n"
    "  --public-origin URL the console's origin as browsers see it, behind a\n"
    "                      proxy (http(s)://HOST[:PORT])\n"
    "  --routes            print every endpoint and exit\n",
    NULL,
    0,
    NULL,
};
