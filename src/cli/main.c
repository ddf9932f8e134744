/*
 * main.c - the liaison command: global options, then one subcommand.
 *
 * Global options (--home DIR, --json) may stand anywhere on the line; the
 * rest goes to the subcommand, which parses its own options.
 */
#include <getopt.h>
#include <signal.h>
#include <sodium.h>
#include <stdarg.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/text.h"
#include "../crypto/fio.h"
#include "../crypto/keys.h"
#include "../node/acts.h"
#include "../node/views.h"
#include "cli.h"
#include "remote.h"

#define LIAISON_VERSION "0.1.0"

const struct cli_command *const cli_commands[] = {
    &cmd_init,	  &cmd_config, &cmd_agreement, &cmd_person, &cmd_party, &cmd_item,   &cmd_access,
    &cmd_consent, &cmd_export, &cmd_log,       &cmd_serve,  &cmd_peer,	&cmd_report, &cmd_store,
    &cmd_login,	  &cmd_logout, &cmd_whoami,    &cmd_keygen, &cmd_seal,	&cmd_open,   &cmd_inspect,
};
#define NCOMMANDS (sizeof cli_commands / sizeof cli_commands[0])
const size_t cli_ncommands = NCOMMANDS;

/* ", did you mean \"NEAR\"?" when near, else "". */
static const char *did_you_mean(const char *near, char *buf, size_t n)
{
	if (!near)
		return "";
	snprintf(buf, n, "; did you mean \"%s\"?", near);
	return buf;
}

/* The commands that also work through a node's daemon (remote.h). */
static bool through_daemon(const char *name)
{
	static const char *const names[] = {"item",   "access", "consent", "agreement",
					    "export", "log",	"person",  "whoami"};
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
		if (strcmp(names[i], name) == 0)
			return true;
	return false;
}

static void overview(FILE *f)
{
	fprintf(f, "usage: liaison [--home DIR] [--json] COMMAND [ARGS...]\n\n"
		   "liaison keeps a government's side of a security-of-information\n"
		   "agreement: parties, schemes, agreements and their lifecycle.\n\n"
		   "commands:\n");
	for (size_t i = 0; i < NCOMMANDS; i++) {
		const struct cli_command *cmd = cli_commands[i];
		fprintf(f, "  %-10s %s\n", cmd->name, cmd->summary);
		int col = 0; /* its actions, on lines of at most 79 columns */
		for (size_t k = 0; k < cmd->nsubs; k++) {
			const char *w = cmd->subs[k].name;
			if (col && col + 2 + (int)strlen(w) <= 79)
				col += fprintf(f, ", %s", w);
			else
				col =
				    fprintf(f, "%s%13s%s", col ? ",\n" : "", "", w) - (col ? 2 : 0);
		}
		if (col)
			fprintf(f, "\n");
	}
	fprintf(f, "  %-10s %s\n", "help",
		"help COMMAND [ACTION]: a command's or an action's usage");
	fprintf(f, "\nglobal options:\n"
		   "  --home DIR   the node's folder (default $LIAISON_HOME, else ./.liaison)\n"
		   "  --json       machine-readable answers (the objects of the HTTP API)\n"
		   "  --passphrase-file FILE  the node's passphrase, from a file of mode 0600\n"
		   "  --version    print the version\n"
		   "environment:\n"
		   "  LIAISON_PASSPHRASE, LIAISON_PASSPHRASE_FILE, $CREDENTIALS_DIRECTORY/\n"
		   "  liaison-passphrase: the node's passphrase (else asked on the terminal)\n"
		   "  LIAISON_NOW=YYYY-MM-DD  replaces the system clock: the date of acts on a\n"
		   "                          node made with init --replay, else of questions\n\n"
		   "exit codes: 0 success, 1 failure, 2 usage error, 3 denied\n");
}

/* Prints e: text on stderr, or the error object on stdout with --json. */
static void print_error(const struct cli *c, const struct lerr *e)
{
	if (c->json)
		(void)cli_emit(view_error(e));
	else
		fprintf(stderr, "liaison: %s\n", e->msg);
}

int cli_error(const struct cli *c, const struct lerr *e)
{
	print_error(c, e);
	/* an invalid argument, named: a usage error, whichever side found it */
	if (e->code == LERR_INVAL && e->field[0])
		return EXIT_USAGE;
	return lerr_kind(e->code)->exit;
}

int cli_bad_usage(const struct cli *c, const struct lerr *e)
{
	print_error(c, e);
	return EXIT_USAGE;
}

int cli_number(const struct cli *c, const char *opt, const char *s, long lo, long hi, long *out)
{
	if (!s)
		return EXIT_OK;
	uint64_t v; /* digits only: not " 1", "+1" or "0x10", which strtol takes */
	if (!count_parse(s, &v) || lo < 0 || v < (uint64_t)lo || v > (uint64_t)hi)
		return cli_bad_usagef(c, "--%s: \"%s\" is not in %ld..%ld", opt, s, lo, hi);
	*out = (long)v;
	return EXIT_OK;
}

int cli_failf(const struct cli *c, int code, const char *fmt, ...)
{
	struct lerr e = {0};
	va_list ap;
	va_start(ap, fmt);
	lerr_vset(&e, code, fmt, ap);
	va_end(ap);
	return code == LERR_INVAL ? cli_bad_usage(c, &e) : cli_error(c, &e);
}

int cli_emit_to(FILE *f, json_t *obj)
{
	if (!obj) {
		fprintf(stderr, "liaison: out of memory\n");
		return EXIT_FAIL;
	}
	int r = json_dumpf(obj, f, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	json_decref(obj);
	if (r != 0 || fputc('\n', f) == EOF)
		return EXIT_FAIL;
	return EXIT_OK;
}

int cli_emit(json_t *obj)
{
	return cli_emit_to(stdout, obj);
}

FILE *cli_answers(const char *out)
{
	return out && fio_is_std(out) ? stderr : stdout;
}

const char *cli_str(const json_t *o, const char *key)
{
	/* text shown on a terminal: a control or an override in it (a peer's
	 * error message, a title from elsewhere) is escaped, never acted on */
	static _Thread_local char bufs[8][1024];
	static _Thread_local unsigned next;
	const char *s = json_string_value(json_object_get(o, key));
	if (!s)
		return "";
	if (!text_needs_escape(s))
		return s;
	char *b = bufs[next++ % 8];
	return text_escape(s, b, sizeof bufs[0]);
}

void cli_print_source(const json_t *x, const char *indent)
{
	const json_t *src = json_object_get(x, "source");
	if (!json_is_object(src))
		return;
	printf("%ssource: %s", indent, cli_str(src, "title"));
	if (json_object_get(src, "url"))
		printf(" <%s>", cli_str(src, "url"));
	printf("\n");
}

void cli_print_announcement(const json_t *a, const char *indent)
{
	printf("%s%s  announcement%s%s: %s\n", indent, cli_str(a, "date"),
	       json_object_get(a, "by") ? " by " : "", cli_str(a, "by"), cli_str(a, "title"));
	char deeper[32];
	snprintf(deeper, sizeof deeper, "%s    ", indent);
	cli_print_source(a, deeper);
}

void cli_print_decision(FILE *f, const json_t *d)
{
	const json_t *rule;
	size_t i;
	bool permit = strcmp(cli_str(d, "decision"), "PERMIT") == 0;
	fprintf(f, "%s: %s %s %s item %s on %s\n", permit ? "PERMIT" : "DENY", cli_str(d, "person"),
		permit ? "may" : "may not", cli_str(d, "action"), cli_str(d, "item"),
		cli_str(d, "date"));
	/* the rules that failed first, each with what would change it */
	for (int pass = 0; pass < 2; pass++)
		json_array_foreach (json_object_get(d, "rules"), i, rule) {
			bool ok = json_is_true(json_object_get(rule, "ok"));
			if (ok != (pass == 1))
				continue;
			fprintf(f, "  %s %-13s %s (%s)\n", ok ? "ok" : "NO", cli_str(rule, "id"),
				cli_str(rule, "detail"), cli_str(rule, "clause"));
			if (json_object_get(rule, "hint"))
				fprintf(f, "     %-13s to change it: %s\n", "",
					cli_str(rule, "hint"));
		}
}

int cli_denied(const struct cli *c, json_t *err)
{
	if (c->json) {
		(void)cli_emit(err);
		return EXIT_DENY;
	}
	fflush(stdout);
	cli_print_decision(stderr, json_object_get(json_object_get(err, "error"), "decision"));
	json_decref(err);
	return EXIT_DENY;
}

/* "liaison NAME SYNOPSIS" after lead (the first line's), its lines as they are. */
static void print_synopsis(const char *lead, const struct cli_command *cmd, const struct cli_sub *s)
{
	printf("%sliaison %s %s\n", lead, cmd->name, s->synopsis);
}

/* text, each line after indent. */
static void print_indented(const char *indent, const char *text)
{
	while (*text) {
		size_t n = strcspn(text, "\n");
		printf("%s%.*s\n", n ? indent : "", (int)n, text);
		text += n + (text[n] == '\n');
	}
}

int cli_usage(const struct cli_command *cmd)
{
	if (!cmd->subs) {
		fputs(cmd->usage, stdout);
		return EXIT_OK;
	}
	for (size_t i = 0; i < cmd->nsubs; i++)
		print_synopsis(i ? "       " : "usage: ", cmd, &cmd->subs[i]);
	if (cmd->usage)
		printf("\n%s", cmd->usage);
	printf("\nactions (liaison help %s ACTION: one of them):\n", cmd->name);
	for (size_t i = 0; i < cmd->nsubs; i++) {
		printf("  %s\n", cmd->subs[i].name);
		print_indented("      ", cmd->subs[i].help);
	}
	if (cmd->notes)
		printf("\n%s", cmd->notes);
	return EXIT_OK;
}

int cli_sub_usage(const struct cli_command *cmd, const struct cli_sub *s)
{
	print_synopsis("usage: ", cmd, s);
	printf("\n%s", s->help);
	if (s->remote)
		printf("\nAlso through a node's daemon (liaison login), as the token's person.\n");
	printf("\nliaison help %s: the command's other actions, its options.\n", cmd->name);
	return EXIT_OK;
}

bool cli_wants_help(const struct cli *c)
{
	for (int i = 1; i < c->argc; i++) {
		if (strcmp(c->argv[i], "--") == 0)
			return false;
		if (strcmp(c->argv[i], "--help") == 0 || strcmp(c->argv[i], "-h") == 0)
			return true;
	}
	return false;
}

/* An unknown option: a usage error naming it, and the nearest known one. */
static int unknown_option(const struct cli *c, const char *cmd, const char *a,
			  const struct cli_opt *opts)
{
	const char *names[64];
	size_t n = 0;
	for (; opts->name && n < sizeof names / sizeof names[0]; opts++)
		names[n++] = opts->name;
	char word[64], hint[96];
	snprintf(word, sizeof word, "%.*s", (int)strcspn(a + strspn(a, "-"), "="),
		 a + strspn(a, "-"));
	const char *near = text_nearest(word, names, n);
	char dashed[72];
	if (near)
		snprintf(dashed, sizeof dashed, "--%s", near);
	return cli_bad_usagef(c, "%s: unknown option %s (see --help)%s", cmd, a,
			      did_you_mean(near ? dashed : NULL, hint, sizeof hint));
}

int cli_parse(const struct cli *c, int argc, char **argv, const struct cli_opt *opts,
	      const char **pos, int minpos, int maxpos, int *npos)
{
	bool only_pos = false;
	*npos = 0;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (!only_pos && strcmp(a, "--") == 0) {
			only_pos = true;
			continue;
		}
		if (only_pos || a[0] != '-' || a[1] == '\0') {
			if (*npos == maxpos)
				return cli_bad_usagef(
				    c, "%s: unexpected argument \"%s\" (see --help)", argv[0], a);
			pos[(*npos)++] = a;
			continue;
		}
		const struct cli_opt *o = opts;
		const char *eq = NULL;
		if (a[1] != '-' && a[2] == '\0') { /* -o */
			while (o->name && o->letter != a[1])
				o++;
		} else if (a[1] == '-') {
			eq = strchr(a, '=');
			size_t len = eq ? (size_t)(eq - a - 2) : strlen(a + 2);
			while (o->name &&
			       (strlen(o->name) != len || strncmp(o->name, a + 2, len) != 0))
				o++;
		} else
			o = NULL;
		if (!o || !o->name)
			return unknown_option(c, argv[0], a, opts);
		const char *name = o->name;
		if (!o->val && !o->many) {
			if (eq)
				return cli_bad_usagef(c, "%s: --%s takes no value", argv[0], name);
			*o->flag = true;
			continue;
		}
		const char *v = eq ? eq + 1 : i + 1 < argc ? argv[++i] : NULL;
		if (!v)
			return cli_bad_usagef(c, "%s: --%s needs a value", argv[0], name);
		if (o->val)
			*o->val = v;
		else if (*o->count == o->max)
			return cli_bad_usagef(c, "%s: --%s at most %zu times", argv[0], name,
					      o->max);
		else
			o->many[(*o->count)++] = v;
	}
	if (*npos < minpos)
		return cli_bad_usagef(c, "%s: missing argument (see --help)", argv[0]);
	return EXIT_OK;
}

const struct cli_sub *cli_sub_find(const struct cli_command *cmd, const char *name)
{
	for (size_t i = 0; i < cmd->nsubs; i++)
		if (strcmp(cmd->subs[i].name, name) == 0)
			return &cmd->subs[i];
	return NULL;
}

/* An action that only asks (its answer dated by --at, or today): no note
 * of the clock, which matters for the date of acts. */
static bool asks_only(const char *action)
{
	static const char *const questions[] = {
	    "list",    "show",	"status",      "timeline", "check",  "group", "regime",
	    "entries", "prove", "consistency", "verify",   "outbox", "tokens"};
	for (size_t i = 0; i < sizeof questions / sizeof questions[0]; i++)
		if (strcmp(questions[i], action) == 0)
			return true;
	return false;
}

int cli_dispatch(const struct cli *c, const struct cli_command *cmd)
{
	char names[512] = "";
	const char *words[32];
	size_t len = 0, nw = 0;
	for (size_t i = 0; i < cmd->nsubs && len < sizeof names; i++) {
		len += (size_t)snprintf(names + len, sizeof names - len, "%s%s", i ? ", " : "",
					cmd->subs[i].name);
		if (nw < sizeof words / sizeof words[0])
			words[nw++] = cmd->subs[i].name;
	}
	if (c->argc < 2)
		return cli_bad_usagef(c, "%s: which? %s (see --help)", cmd->name, names);
	const struct cli_sub *s = cli_sub_find(cmd, c->argv[1]);
	char hint[96];
	if (!s)
		return cli_bad_usagef(
		    c, "%s: unknown action \"%s\" (one of: %s)%s", cmd->name, c->argv[1], names,
		    did_you_mean(text_nearest(c->argv[1], words, nw), hint, sizeof hint));
	if (c->remote && !s->remote)
		return cli_bad_usagef(c,
				      "%s %s works on the node's own folder (--home DIR), not "
				      "through its daemon (LIAISON_URL, liaison login)",
				      cmd->name, s->name);
	if (c->remote)
		return s->fn(c, NULL, c->argc - 1, c->argv + 1);
	struct node *node;
	int r = cli_open_node(c, &node);
	if (r != EXIT_OK)
		return r;
	if (!asks_only(s->name))
		cli_clock_note(c, node);
	r = s->fn(c, node, c->argc - 1, c->argv + 1);
	node_close(node);
	return r;
}

int cli_open_node(const struct cli *c, struct node **n)
{
	char home[NODE_PATH_MAX];
	struct lerr e = {0};
	if (node_home(c->home, home, sizeof home, &e) < 0 || node_open(home, n, &e) < 0)
		return cli_error(c, &e);
	if (node_keys_fetch(*n, &e) < 0) { /* the node's own key as its database has it */
		node_close(*n);
		*n = NULL;
		return cli_error(c, &e);
	}
	(*n)->operator= true; /* the local CLI on the node's folder */
	/* reports kept as files by an older liaison */
	node_reports_import(*n);
	return EXIT_OK;
}

int cli_count(const struct cli *c, const char *opt, const char *s, uint64_t lo, uint64_t hi,
	      uint64_t *v)
{
	if (count_parse(s, v) && *v >= lo && *v <= hi)
		return EXIT_OK;
	if (lo == 0 && hi == UINT64_MAX)
		return cli_bad_usagef(c, "%s: \"%.40s\" is not a whole number", opt, s);
	return cli_bad_usagef(c, "%s: \"%.40s\" is not a whole number from %llu to %llu", opt, s,
			      (unsigned long long)lo, (unsigned long long)hi);
}

int cli_node_key(const struct cli *c, struct node *n, struct key_secret *k)
{
	char *pass;
	size_t len;
	int r = cli_passphrase(c, "passphrase for the node's keys: ", false, &pass, &len);
	if (r != EXIT_OK)
		return r;
	struct lerr e = {0};
	r = node_secret_key(n, pass, len, k, &e);
	sodium_free(pass);
	return r < 0 ? cli_error(c, &e) : EXIT_OK;
}

int cli_date(const struct cli *c, const char *opt, const char *s, date_t *d)
{
	struct lerr e = {0};
	if (date_parse(s, d, &e) < 0) {
		lerr_prefix(&e, "%s", opt);
		return cli_bad_usage(c, &e);
	}
	return EXIT_OK;
}

void cli_clock_note(const struct cli *c, const struct node *n)
{
	char d[DATE_BUF_SIZE];
	if (!c->json && n->clock.simulated)
		fprintf(stderr, "note: the clock is set by LIAISON_NOW to %s%s\n",
			date_format(n->clock.today, d),
			n->clock.replay ? "" : ", which dates no act here (not a replay node)");
}

/* The command called name; else NULL, the usage error printed, *r its exit code. */
static const struct cli_command *find(const struct cli *c, const char *name, int *r)
{
	const char *names[NCOMMANDS];
	for (size_t i = 0; i < NCOMMANDS; i++) {
		if (strcmp(cli_commands[i]->name, name) == 0)
			return cli_commands[i];
		names[i] = cli_commands[i]->name;
	}
	char hint[64];
	*r = cli_bad_usagef(c, "unknown command \"%s\" (liaison --help lists them)%s", name,
			    did_you_mean(text_nearest(name, names, NCOMMANDS), hint, sizeof hint));
	return NULL;
}

/* liaison help COMMAND [ACTION]. */
static int help(const struct cli *c, const char *name, const char *action)
{
	int r;
	const struct cli_command *cmd = find(c, name, &r);
	if (!cmd)
		return r;
	if (!action)
		return cli_usage(cmd);
	const struct cli_sub *s = cli_sub_find(cmd, action);
	if (s)
		return cli_sub_usage(cmd, s);
	const char *names[32];
	size_t n = 0;
	for (size_t i = 0; i < cmd->nsubs && n < sizeof names / sizeof names[0]; i++)
		names[n++] = cmd->subs[i].name;
	char hint[64];
	if (!cmd->nsubs)
		return cli_bad_usagef(c, "help: %s has no actions of its own (liaison help %s)",
				      name, name);
	return cli_bad_usagef(c, "help: %s has no action \"%s\"%s", name, action,
			      did_you_mean(text_nearest(action, names, n), hint, sizeof hint));
}

/* Takes the global options out of argv (they may stand anywhere). */
static int globals(struct cli *c, int *argc, char **argv)
{
	int out = 1;
	for (int i = 1; i < *argc; i++) {
		const char *a = argv[i];
		if (strcmp(a, "--") == 0) {
			while (i < *argc)
				argv[out++] = argv[i++];
			break;
		}
		if (strcmp(a, "--json") == 0)
			c->json = true;
		else if (strcmp(a, "--passphrase-file") == 0) {
			if (i + 1 >= *argc)
				return cli_bad_usagef(c, "--passphrase-file needs a file");
			c->pass_file = argv[++i];
		} else if (strncmp(a, "--passphrase-file=", 18) == 0)
			c->pass_file = a + 18;
		else if (strcmp(a, "--home") == 0) {
			if (i + 1 >= *argc)
				return cli_bad_usagef(c, "--home needs a folder");
			c->home = argv[++i];
		} else if (strncmp(a, "--home=", 7) == 0)
			c->home = a + 7;
		else
			argv[out++] = argv[i];
	}
	*argc = out;
	argv[out] = NULL;
	return EXIT_OK;
}

int main(int argc, char **argv)
{
	struct cli c = {0};
	struct lerr e = {0};
	signal(SIGPIPE, SIG_IGN); /* a closed pipe is an error to report, not a death */
	if (key_crypto_init(&e) < 0)
		return cli_error(&c, &e);
	int r = globals(&c, &argc, argv);
	if (r != EXIT_OK)
		return r;
	if (argc < 2) {
		overview(stderr);
		return EXIT_USAGE;
	}
	const char *name = argv[1];
	if (strcmp(name, "--help") == 0 || strcmp(name, "-h") == 0) {
		overview(stdout);
		return EXIT_OK;
	}
	if (strcmp(name, "--version") == 0 || strcmp(name, "version") == 0) {
		if (c.json)
			return cli_emit(
			    json_pack("{s:s, s:s}", "name", "liaison", "version", LIAISON_VERSION));
		printf("liaison %s\n", LIAISON_VERSION);
		return EXIT_OK;
	}
	if (strcmp(name, "help") == 0) {
		if (argc < 3) {
			overview(stdout);
			return EXIT_OK;
		}
		if (strcmp(argv[2], "--man") == 0)
			return argc > 4 ? cli_bad_usagef(&c, "help --man: at most a command")
					: cli_man(&c, argc > 3 ? argv[3] : NULL);
		if (argc > 4)
			return cli_bad_usagef(&c, "help: at most a command and an action");
		return help(&c, argv[2], argc > 3 ? argv[3] : NULL);
	}
	if (strcmp(name, "__complete") == 0) { /* for the completion scripts */
		c.argc = argc - 1;
		c.argv = argv + 1;
		return cli_complete(&c);
	}
	const struct cli_command *cmd = find(&c, name, &r);
	if (!cmd)
		return r;
	c.argc = argc - 1;
	c.argv = argv + 1;
	if (cli_wants_help(&c)) {
		const struct cli_sub *s = c.argc > 1 ? cli_sub_find(cmd, c.argv[1]) : NULL;
		return s ? cli_sub_usage(cmd, s) : cli_usage(cmd);
	}
	if (through_daemon(cmd->name) && (r = remote_setup(&c)) != EXIT_OK)
		return r;
	r = cmd->run(&c);
	remote_free(c.remote);
	return r;
}

int cli_words(const struct cli *c, int argc, char **argv, const char **pos, int n)
{
	const struct cli_opt none[] = {{0}};
	int np;
	return cli_parse(c, argc, argv, none, pos, n, n, &np);
}

int cli_show(const struct cli *c, json_t *o, void (*print)(const json_t *))
{
	if (c->json)
		return cli_emit(o);
	print(o);
	json_decref(o);
	return EXIT_OK;
}
