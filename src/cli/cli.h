/*
 * cli.h - what the liaison command's parts share.
 *
 * The CLI is a thin face: it parses arguments, calls node/, and prints the
 * answer as text or (--json) as the objects of node/encode.h. Exit codes:
 * 0 success, 1 runtime failure, 2 usage error, 3 DENY.
 */
#ifndef LIAISON_CLI_H
#define LIAISON_CLI_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "../core/err.h"
#include "../node/node.h"

enum { EXIT_OK = 0, EXIT_FAIL = 1, EXIT_USAGE = 2, EXIT_DENY = 3 };

struct remote;

struct cli {
	const char *home;      /* --home, or NULL */
	const char *pass_file; /* --passphrase-file, or NULL */
	bool json;	       /* --json */
	int argc;	       /* the command's own arguments, argv[0] its name */
	char **argv;
	struct remote *remote; /* a node's daemon, asked as a person (remote.h), or NULL */
};

struct cli_sub;

/*
 * A command. Its help (--help, liaison help NAME) is usage; for a command
 * of actions (subs), the actions' synopses, usage (NULL: none) as an
 * introduction, each action's help, then notes (options...).
 */
struct cli_command {
	const char *name;
	int (*run)(struct cli *c);
	const char *summary;
	const char *usage;
	const struct cli_sub *subs;
	size_t nsubs;
	const char *notes;
};

/*
 * Prints an error (text on stderr, or a JSON object on stdout); returns the
 * exit code its code calls for, from the one table (lerr_kind: 3 for a
 * denial, 2 for LERR_USAGE, 1 for the rest), or EXIT_USAGE for an invalid
 * argument the error names (e->field).
 */
int cli_error(const struct cli *c, const struct lerr *e);

/* The same, for an error in how the command was given: EXIT_USAGE. */
int cli_bad_usage(const struct cli *c, const struct lerr *e);

/*
 * cli_error of a formatted message with code (an LERR_*); LERR_INVAL is an
 * error in how the command was given (cli_bad_usage).
 */
int cli_failf(const struct cli *c, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
#define cli_bad_usagef(c, ...) cli_failf((c), LERR_INVAL, __VA_ARGS__)

/*
 * Option opt's value s as a whole number in lo..hi (0 <= lo), decimal
 * digits alone, into *out (left as it is when s is NULL): EXIT_OK, else a
 * usage error naming the option.
 */
int cli_number(const struct cli *c, const char *opt, const char *s, long lo, long hi, long *out)
    __attribute__((nonnull(1, 2, 6)));

/* Prints obj as indented JSON on stdout and releases it; EXIT_OK or
 * EXIT_FAIL when it could not be written. */
int cli_emit(json_t *obj);
/* The same on f. */
int cli_emit_to(FILE *f, json_t *obj);

/* Where a command that writes to out (-o) answers: stderr when out is "-"
 * (standard output carries what it writes), else stdout. */
FILE *cli_answers(const char *out);

/*
 * A denial: err is the error with its decision (view_denied's shape),
 * taken. Emitted as it is with --json; else the decision is printed on
 * stderr, rule by rule. Returns EXIT_DENY.
 */
int cli_denied(const struct cli *c, json_t *err) __attribute__((nonnull));

/* Prints a decision (encode_decision's object): the headline, each rule. */
void cli_print_decision(FILE *f, const json_t *d) __attribute__((nonnull));

/* A string member of o, or "" (never NULL: for printing on a terminal: one
 * with a control character, an override or a byte not UTF-8 comes back
 * escaped, text_escape, in one of 8 buffers of this thread, 1 KiB each). */
const char *cli_str(const json_t *o, const char *key) __attribute__((nonnull));

/* "INDENTsource: TITLE <URL>" when x has a "source"; nothing otherwise. */
void cli_print_source(const json_t *x, const char *indent) __attribute__((nonnull));

/* "INDENTDATE  announcement by PARTY: TITLE", and its source below. */
void cli_print_announcement(const json_t *a, const char *indent) __attribute__((nonnull));

/* Prints a command's help (on stdout); returns EXIT_OK. */
int cli_usage(const struct cli_command *cmd);

/* Prints one action's help (on stdout); returns EXIT_OK. */
int cli_sub_usage(const struct cli_command *cmd, const struct cli_sub *s);

/* True when the command's arguments ask for --help (-h). */
bool cli_wants_help(const struct cli *c);

/*
 * A command's option: --name VALUE (or --name=VALUE) sets *val; a flag
 * (val NULL) sets *flag; an option that may repeat (many not NULL) appends
 * to many[0..max), counting in *count.
 */
struct cli_opt {
	const char *name;
	const char **val;
	bool *flag;
	const char **many;
	size_t *count;
	size_t max;
	char letter; /* a one-letter alias (-o), or 0 */
};

#define OPT_VAL(n, v)                                                                              \
	{                                                                                          \
		.name = (n), .val = (v)                                                            \
	}
#define OPT_FLAG(n, f)                                                                             \
	{                                                                                          \
		.name = (n), .flag = (f)                                                           \
	}
#define OPT_MANY(n, v, c, m)                                                                       \
	{                                                                                          \
		.name = (n), .many = (v), .count = (c), .max = (m)                                 \
	}

/*
 * Parses argv[1..argc) (argv[0] is the command's name): options from opts
 * (NULL-name terminated) anywhere, "--" ending them, and between minpos and
 * maxpos positional arguments into pos[] (count in *npos). Prints a usage
 * error naming the command and returns EXIT_USAGE, or EXIT_OK.
 */
int cli_parse(const struct cli *c, int argc, char **argv, const struct cli_opt *opts,
	      const char **pos, int minpos, int maxpos, int *npos);

/* An action of a command that works on the node (agreement status, item get...). */
struct cli_sub {
	const char *name;
	int (*fn)(const struct cli *c, struct node *n, int argc, char **argv);
	bool remote; /* it also works through a daemon: fn gets n NULL and asks c->remote */
	const char *synopsis; /* its usage after "liaison COMMAND ", lines as the help shows them */
	const char *help;     /* what it does, lines of at most 72 columns */
};

/*
 * Runs the action of cmd named by c->argv[1] on the opened node (argv from
 * the action's name on), with the LIAISON_NOW note, or through the daemon
 * (c->remote) when it can; a missing or unknown one is a usage error
 * listing them (and the nearest), as is one that needs the node's folder
 * in remote mode.
 */
int cli_dispatch(const struct cli *c, const struct cli_command *cmd);

/* The action of cmd named name, or NULL. */
const struct cli_sub *cli_sub_find(const struct cli_command *cmd, const char *name);

/* Opens the node (--home, $LIAISON_HOME, ./.liaison); prints the error. */
int cli_open_node(const struct cli *c, struct node **n);

/*
 * Parses a whole number option value from lo to hi; on error prints it
 * naming the option (and the range, when it is not every number).
 */
int cli_count(const struct cli *c, const char *opt, const char *s, uint64_t lo, uint64_t hi,
	      uint64_t *v);

/* Unseals the node's own secret keys with the passphrase; prints the error. */
int cli_node_key(const struct cli *c, struct node *n, struct key_secret *k);

/* Parses a YYYY-MM-DD option value; on error prints it naming the option. */
int cli_date(const struct cli *c, const char *opt, const char *s, date_t *d);

/* An answer: o as JSON with --json, else in words by print; o is released. */
int cli_show(const struct cli *c, json_t *o, void (*print)(const json_t *));

/* cli_parse for a command that takes no option and exactly n words (pos). */
int cli_words(const struct cli *c, int argc, char **argv, const char **pos, int n);

/* A line on stderr when the clock is simulated, in text mode. */
void cli_clock_note(const struct cli *c, const struct node *n);

/*
 * The passphrase: $LIAISON_PASSPHRASE, else asked on the terminal without
 * echo (twice when confirm). *out is guarded memory (sodium_free() it),
 * NUL-terminated, *len bytes. Prints the error and returns its exit code.
 */
int cli_passphrase(const struct cli *c, const char *prompt, bool confirm, char **out, size_t *len);

/* A new passphrase (guarded memory: sodium_free it): from file (mode 600),
 * else LIAISON_NEW_PASSPHRASE_FILE, else asked twice on the terminal. */
int cli_new_passphrase(const struct cli *c, const char *file, char **out, size_t *len);

/* Reads a line from the terminal fd, after prompt, with echo off, into buf
 * (n bytes, NUL-terminated, cut if longer); 0 or -1. */
int cli_read_secret(int fd, const char *prompt, char *buf, size_t n) __attribute__((nonnull));

/* A progress line on stderr for long transfers (see progress.c). */
struct cli_progress {
	bool on;
	const char *verb;
	uint64_t total; /* 0 when unknown */
	double start, last;
};

/* Starts a progress line when stderr is a terminal, !quiet, and the input
 * (path, or NULL for stdin) is large or of unknown size. */
void cli_progress_start(struct cli_progress *p, const char *verb, const char *in, bool quiet);
/* The callback for env_progress. */
void cli_progress_update(void *arg, uint64_t bytes);
/* Clears the line. */
void cli_progress_end(struct cli_progress *p);

/* Every command, in the order liaison --help lists them (main.c). */
extern const struct cli_command *const cli_commands[];
extern const size_t cli_ncommands;

/* liaison help --man [COMMAND]: the manual page, mdoc, on stdout (help.c). */
int cli_man(const struct cli *c, const char *name);

/* liaison __complete WORD... -- CURRENT: completion candidates (help.c). */
int cli_complete(const struct cli *c);

extern const struct cli_command cmd_init, cmd_config, cmd_agreement, cmd_keygen, cmd_seal, cmd_open,
    cmd_inspect, cmd_person, cmd_party, cmd_item, cmd_access, cmd_consent, cmd_export, cmd_log,
    cmd_serve, cmd_peer, cmd_store, cmd_login, cmd_logout, cmd_whoami, cmd_report;

#endif
