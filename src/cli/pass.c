/* pass.c - the passphrase: from $LIAISON_PASSPHRASE or the terminal, never echoed. */
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

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

int cli_passphrase(const struct cli *c, const char *prompt, bool confirm, char **out, size_t *len)
{
	*out = NULL;
	*len = 0;
	char *pass = sodium_malloc(KEY_PASS_MAX), *again = sodium_malloc(KEY_PASS_MAX);
	if (!pass || !again) {
		sodium_free(pass);
		sodium_free(again);
		return cli_failf(c, LERR_NOMEM, "out of guarded memory");
	}
	const char *env = getenv("LIAISON_PASSPHRASE");
	int r = EXIT_OK;
	if (env) {
		if (!str_copy(pass, KEY_PASS_MAX, env))
			r = cli_bad_usagef(c, "LIAISON_PASSPHRASE is longer than %d bytes",
					   KEY_PASS_MAX - 1);
	} else {
		int fd = open("/dev/tty", O_RDWR | O_CLOEXEC);
		if (fd < 0)
			r = cli_bad_usagef(c, "no passphrase: set LIAISON_PASSPHRASE (there is no "
					      "terminal to ask on)");
		else if (cli_read_secret(fd, prompt, pass, KEY_PASS_MAX) != 0 ||
			 (confirm &&
			  cli_read_secret(fd, "the same again: ", again, KEY_PASS_MAX) != 0))
			r = cli_failf(c, LERR_IO, "cannot read the passphrase from the terminal");
		else if (confirm && strcmp(pass, again) != 0)
			r = cli_bad_usagef(c, "the two passphrases differ");
		if (fd >= 0)
			close(fd);
	}
	if (r == EXIT_OK && confirm && pass[0] == '\0')
		r = cli_bad_usagef(c, "an empty passphrase protects nothing");
	sodium_free(again);
	if (r != EXIT_OK) {
		sodium_free(pass);
		return r;
	}
	*out = pass;
	*len = strlen(pass);
	return EXIT_OK;
}
