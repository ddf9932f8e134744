/* cmd_serve.c - liaison serve: the node daemon (net/http.h). */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../net/http.h"
#include "cli.h"

static int run_serve(struct cli *c)
{
	const char *listen = "127.0.0.1:7400", *cert = NULL, *key = NULL, *threads = NULL,
		   *max_upload = NULL, *drain = NULL, *retry = NULL, *witness = NULL,
		   *max_peer = NULL, *max_conn = NULL, *per_addr = NULL, *header_t = NULL,
		   *min_rate = NULL, *max_acts = NULL, *pos[1];
	bool routes = false;
	int np;
	const struct cli_opt opts[] = {OPT_VAL("listen", &listen),
				       OPT_VAL("tls-cert", &cert),
				       OPT_VAL("tls-key", &key),
				       OPT_VAL("threads", &threads),
				       OPT_VAL("max-upload", &max_upload),
				       OPT_VAL("drain", &drain),
				       OPT_VAL("retry-max", &retry),
				       OPT_VAL("witness-every", &witness),
				       OPT_VAL("max-peer-upload", &max_peer),
				       OPT_VAL("max-connections", &max_conn),
				       OPT_VAL("max-per-address", &per_addr),
				       OPT_VAL("header-timeout", &header_t),
				       OPT_VAL("min-rate", &min_rate),
				       OPT_VAL("max-acts", &max_acts),
				       OPT_FLAG("routes", &routes),
				       {0}};
	int r = cli_parse(c, c->argc, c->argv, opts, pos, 0, 0, &np);
	if (r != EXIT_OK)
		return r;
	if (routes) {
		server_print_routes(stdout);
		return EXIT_OK;
	}
	uint64_t nthreads = SERVE_THREADS, upload = SERVE_MAX_UPLOAD, drain_s = SERVE_DRAIN,
		 retry_s = SERVE_RETRY_MAX, witness_s = SERVE_WITNESS_EVERY, peer_upload = 0,
		 conns = 0, per_address = SERVE_MAX_PER_ADDRESS, header_s = SERVE_HEADER_TIMEOUT,
		 rate = SERVE_MIN_RATE, acts = SERVE_MAX_ACTS;
	if ((threads && (r = cli_count(c, "--threads", threads, 1, 256, &nthreads)) != EXIT_OK) ||
	    (max_upload &&
	     (r = cli_count(c, "--max-upload", max_upload, 1, UINT64_MAX, &upload)) != EXIT_OK) ||
	    (drain && (r = cli_count(c, "--drain", drain, 0, 3600, &drain_s)) != EXIT_OK) ||
	    (retry && (r = cli_count(c, "--retry-max", retry, 1, 86400, &retry_s)) != EXIT_OK) ||
	    (witness &&
	     (r = cli_count(c, "--witness-every", witness, 1, 86400, &witness_s)) != EXIT_OK) ||
	    (max_peer && (r = cli_count(c, "--max-peer-upload", max_peer, 1, UINT64_MAX,
					&peer_upload)) != EXIT_OK) ||
	    (max_conn &&
	     (r = cli_count(c, "--max-connections", max_conn, 16, 65536, &conns)) != EXIT_OK) ||
	    (per_addr && (r = cli_count(c, "--max-per-address", per_addr, 1, 65536,
					&per_address)) != EXIT_OK) ||
	    (header_t &&
	     (r = cli_count(c, "--header-timeout", header_t, 1, 3600, &header_s)) != EXIT_OK) ||
	    (min_rate &&
	     (r = cli_count(c, "--min-rate", min_rate, 1, UINT64_MAX, &rate)) != EXIT_OK) ||
	    (max_acts && (r = cli_count(c, "--max-acts", max_acts, 0, 1000000, &acts)) != EXIT_OK))
		return r;
	char *pass;
	size_t len;
	if ((r = cli_passphrase(c, "passphrase for the node's keys: ", false, &pass, &len)) !=
	    EXIT_OK)
		return r;
	const struct server_opts o = {.home = c->home,
				      .listen = listen,
				      .tls_cert = cert,
				      .tls_key = key,
				      .threads = (unsigned)nthreads,
				      .max_upload = upload,
				      .max_peer_upload = peer_upload,
				      .max_connections = (unsigned)conns,
				      .max_per_address = (unsigned)per_address,
				      .header_timeout = (unsigned)header_s,
				      .min_rate = rate,
				      .max_acts = (unsigned)acts,
				      .unbounded_acts = acts == 0,
				      .drain_seconds = (unsigned)drain_s,
				      .retry_max = (int64_t)retry_s,
				      .witness_every = (int64_t)witness_s,
				      .access_log = stderr};
	struct lerr e = {0};
	r = server_run(&o, pass, len, &e);
	sodium_free(pass);
	return r < 0 ? cli_error(c, &e, r == LERR_INVAL) : EXIT_OK;
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
    "       liaison serve --routes\n\n"
    "Serves the node's JSON API (docs/api.md, docs/openapi.yaml) on HOST:PORT\n"
    "(default 127.0.0.1:7400; port 0 picks a free one, printed when ready), over\n"
    "TLS when given a PEM certificate and key. Every /v1/ request carries a\n"
    "person's bearer token (liaison person token ID) and acts as that person.\n"
    "The node's keys are unsealed once, at start (LIAISON_PASSPHRASE or the\n"
    "terminal). SIGTERM or SIGINT stop it: no new connection is taken, requests\n"
    "in flight get --drain seconds (default 30) to finish, an upload cut short\n"
    "stores nothing. One JSON line per request goes to standard error (time,\n"
    "method, path, status, person, us; never a token or a payload).\n"
    "The daemon also delivers the outbox to the node's peers (liaison peer),\n"
    "every half second, retrying a peer that does not answer after 1, 2, 4...\n"
    "seconds, at most --retry-max (default 300); and it takes the peers'\n"
    "signed messages on POST /v1/peer/messages. Every --witness-every seconds\n"
    "(default 60) it fetches each peer's signed checkpoint with the proof that\n"
    "it extends the last one kept; one that does not, or is badly signed,\n"
    "raises an alarm: logged, shown by liaison peer status, and /healthz\n"
    "answers 503 until an operator clears it (liaison peer clear-alarm).\n"
    "Against a hostile network: a request's headers must come within\n"
    "--header-timeout seconds, its body at --min-rate bytes a second; a\n"
    "connection that does not keep up is cut, however it trickles (the same\n"
    "rate bounds what it sends to peers: lower it on slow links). At most\n"
    "--max-connections are open at once, --max-per-address from one address.\n"
    "A peer's message is checked (signature, nonce, length) before its body is\n"
    "read; a body longer than it said, or than --max-peer-upload, is refused.\n"
    "Requests that add to the log are bounded: --max-acts a minute for each\n"
    "token and each peer (a burst of a minute's worth, then that rate); more\n"
    "are answered 429 with Retry-After, and change nothing.\n\n"
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
    "  --routes            print every endpoint and exit\n",
};
