/* pass.c - the passphrase: from a file, the environment or the terminal, never echoed. */
#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include "../crypto/fio.h"
#include "../crypto/keys.h"
#include "cli.h"

int cli_read_secret(int fd, const char *prompt, char *buf, size_t n)
{
	struct termios old, quiet;
	if (write(fd, prompt, strlen(prompt)) < 0 || tcgetattr(fd, &old) != 0)
		return -1;
	quiet = old;
	quiet.c_lflag &= ~(tcflag_t)(ECHO | ECHONL);
	quiet.c_lflag |= ICANON;
	if (tcsetattr(fd, TCSAFLUSH, &quiet) != 0)
		return -1;
	size_t len = 0;
	int r = 0;
	for (;;) {
		char ch;
		ssize_t got = read(fd, &ch, 1);
		if (got <= 0) {
			r = -1;
			break;
		}
		if (ch == '\n' || ch == '\r')
			break;
		if (len + 1 < n)
			buf[len++] = ch;
	}
	buf[len] = '\0';
	(void)tcsetattr(fd, TCSAFLUSH, &old);
	if (write(fd, "\n", 1) < 0)
		r = -1;
	return r;
}

/*
 * The passphrase from the file path into pass (KEY_PASS_MAX bytes): the
 * file's bytes up to a newline; a file that others can read is refused
 * (what protects the keys must not be readable by more than they are).
 */
static int from_file(const struct cli *c, const char *what, const char *path, bool systemd,
		     char *pass)
{
	struct stat sb;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &sb) != 0) {
		int r =
		    cli_failf(c, LERR_IO, "%s %s: cannot open: %s", what, path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return r;
	}
	/* systemd's credentials folder is the service's alone (its file 0400, its
	 * group bits the mask of an ACL for the service's user) */
	if (!systemd && ((sb.st_mode & 077) || sb.st_uid != geteuid())) {
		close(fd);
		if (sb.st_uid != geteuid())
			return cli_failf(c, LERR_REFUSED,
					 "%s %s belongs to another user (uid %u): it must be the "
					 "node's user's own, mode 600",
					 what, path, (unsigned)sb.st_uid);
		return cli_failf(c, LERR_REFUSED,
				 "%s %s can be read by others (mode %03o): chmod 600 %s", what,
				 path, (unsigned)(sb.st_mode & 0777), path);
	}
	ssize_t got = fio_read_full(fd, pass, KEY_PASS_MAX);
	close(fd);
	if (got < 0 || got == KEY_PASS_MAX)
		return got < 0 ? cli_failf(c, LERR_IO, "%s %s: %s", what, path, strerror(errno))
			       : cli_bad_usagef(c, "%s %s: longer than %d bytes", what, path,
						KEY_PASS_MAX - 1);
	pass[got] = '\0';
	pass[strcspn(pass, "\r\n")] = '\0';
	return EXIT_OK;
}

/* The passphrase given without a terminal, into pass: 1 when one was found. */
static int given(const struct cli *c, char *pass, int *r)
{
	static const char cred_name[] = "liaison-passphrase";
	const char *file = c->pass_file ? c->pass_file : getenv("LIAISON_PASSPHRASE_FILE");
	const char *creds = getenv("CREDENTIALS_DIRECTORY"); /* systemd's LoadCredential= */
	char *env = getenv("LIAISON_PASSPHRASE"), path[4096];
	bool found = true;
	if (file)
		*r = from_file(c, c->pass_file ? "--passphrase-file" : "LIAISON_PASSPHRASE_FILE",
			       file, false, pass);
	else if (creds &&
		 (size_t)snprintf(path, sizeof path, "%s/%s", creds, cred_name) < sizeof path &&
		 access(path, F_OK) == 0)
		*r = from_file(c, "the credential", path, true, pass);
	else if (env && !str_copy(pass, KEY_PASS_MAX, env))
		*r = cli_bad_usagef(c, "LIAISON_PASSPHRASE is longer than %d bytes",
				    KEY_PASS_MAX - 1);
	else
		found = env != NULL;
	/* whichever source served: LIAISON_PASSPHRASE gone from the process,
	 * wiped where the environment keeps it (what /proc/PID/environ shows) */
	if (env) {
		sodium_memzero(env, strlen(env));
		unsetenv("LIAISON_PASSPHRASE");
	}
	return found;
}

/* Asks on the terminal, twice when confirm (the answers compared); none
 * says what to do when there is no terminal. */
static int ask(const struct cli *c, const char *prompt, bool confirm, const char *none, char *pass)
{
	char *again = confirm ? sodium_malloc(KEY_PASS_MAX) : NULL;
	if (confirm && !again)
		return cli_failf(c, LERR_NOMEM, "out of guarded memory");
	int r = EXIT_OK, fd = open("/dev/tty", O_RDWR | O_CLOEXEC);
	if (fd < 0)
		r = cli_bad_usagef(c, "%s", none);
	else if (cli_read_secret(fd, prompt, pass, KEY_PASS_MAX) != 0 ||
		 (confirm && cli_read_secret(fd, "the same again: ", again, KEY_PASS_MAX) != 0))
		r = cli_failf(c, LERR_IO, "cannot read the passphrase from the terminal");
	else if (confirm && strcmp(pass, again) != 0)
		r = cli_bad_usagef(c, "the two passphrases differ");
	if (fd >= 0)
		close(fd);
	sodium_free(again);
	return r;
}

/* The answer in pass (guarded memory) as *out, unless r failed or it is
 * empty where a new one is made. */
static int hand_over(const struct cli *c, int r, bool confirm, char *pass, char **out, size_t *len)
{
	if (r == EXIT_OK && confirm && pass[0] == '\0')
		r = cli_bad_usagef(c, "an empty passphrase protects nothing");
	if (r != EXIT_OK) {
		sodium_free(pass);
		return r;
	}
	*out = pass;
	*len = strlen(pass);
	return EXIT_OK;
}

int cli_passphrase(const struct cli *c, const char *prompt, bool confirm, char **out, size_t *len)
{
	/* a command may ask twice (the environment is wiped at the first): the
	 * first answer is kept, in guarded memory, until the process ends */
	static char *kept;
	*out = NULL;
	*len = 0;
	char *pass = sodium_malloc(KEY_PASS_MAX);
	if (!pass)
		return cli_failf(c, LERR_NOMEM, "out of guarded memory");
	int r = EXIT_OK;
	if (kept && !confirm)
		memcpy(pass, kept, KEY_PASS_MAX);
	else if (!given(c, pass, &r))
		r = ask(c, prompt, confirm,
			"no passphrase: set LIAISON_PASSPHRASE or LIAISON_PASSPHRASE_FILE (there "
			"is no terminal to ask on)",
			pass);
	if ((r = hand_over(c, r, confirm, pass, out, len)) == EXIT_OK && !kept &&
	    (kept = sodium_malloc(KEY_PASS_MAX)) != NULL)
		memcpy(kept, *out, KEY_PASS_MAX);
	return r;
}

int cli_new_passphrase(const struct cli *c, const char *file, char **out, size_t *len)
{
	*out = NULL;
	*len = 0;
	char *pass = sodium_malloc(KEY_PASS_MAX);
	if (!pass)
		return cli_failf(c, LERR_NOMEM, "out of guarded memory");
	const char *what = file ? "--new-passphrase-file" : "LIAISON_NEW_PASSPHRASE_FILE";
	int r;
	if (!file)
		file = getenv("LIAISON_NEW_PASSPHRASE_FILE");
	if (file)
		r = from_file(c, what, file, false, pass);
	else
		r = ask(c, "the new passphrase: ", true,
			"no new passphrase: give --new-passphrase-file FILE (mode 600), or run on "
			"a terminal",
			pass);
	return hand_over(c, r, true, pass, out, len);
}
