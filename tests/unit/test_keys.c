/* test_keys.c - party keys: public lines, sealed secret key files, labels. */
#include "crypto/keys.h"
#include "helpers.h"
#include "node/label_json.h"

TestSuite(keys, .fini = leak_check);
TestSuite(label, .fini = leak_check);

static const struct key_kdf quick = {.ops = 1, .mem = 1 << 16}; /* tests only */

Test(keys, a_public_line_round_trips)
{
	struct key_secret k;
	struct key_public p;
	char line[KEY_PUB_LINE_MAX];
	struct lerr e = {0};
	cr_assert_eq(key_generate("JPN", &k, &e), 0, "%s", e.msg);
	cr_assert_eq(key_public_format(&k.pub, line, sizeof line, &e), 0);
	cr_assert(strncmp(line, "liaison-public-key/v1 JPN ed25519=", 34) == 0, "%s", line);
	cr_assert_eq(line[strlen(line) - 1], '\n');
	cr_assert_eq(key_public_parse(line, &p, &e), 0, "%s", e.msg);
	cr_assert(key_public_equal(&p, &k.pub));
	key_secret_free(&k);
}

Test(keys, a_bad_public_line_says_what_is_wrong)
{
	struct key_secret k;
	struct key_public p;
	char line[KEY_PUB_LINE_MAX], bad[KEY_PUB_LINE_MAX + 8];
	struct lerr e = {0};
	cr_assert_eq(key_generate("KOR", &k, &e), 0);
	cr_assert_eq(key_public_format(&k.pub, line, sizeof line, &e), 0);
	cr_assert_lt(key_public_parse("ssh-ed25519 AAAA", &p, &e), 0);
	cr_assert(strstr(e.msg, "not a liaison public key"), "%s", e.msg);
	snprintf(bad, sizeof bad, "%s", line);
	memcpy(bad + 22, "kor", 3);
	cr_assert_lt(key_public_parse(bad, &p, &e), 0);
	cr_assert(strstr(e.msg, "party code \"kor\""), "%s", e.msg);
	snprintf(bad, sizeof bad, "%s", line);
	bad[40] = '!'; /* not base64 */
	cr_assert_lt(key_public_parse(bad, &p, &e), 0);
	cr_assert(strstr(e.msg, "ed25519= is missing or not 32 bytes"), "%s", e.msg);
	snprintf(bad, sizeof bad, "%s", line);
	bad[strlen(bad) - 1] = ' ';
	strcat(bad, "x");
	cr_assert_lt(key_public_parse(bad, &p, &e), 0);
	cr_assert(strstr(e.msg, "not 32 bytes") || strstr(e.msg, "text after"), "%s", e.msg);
	key_secret_free(&k);
}

Test(keys, a_sealed_key_file_opens_with_its_passphrase_only)
{
	struct key_secret k, back;
	struct lerr e = {0};
	char *text;
	size_t n;
	cr_assert_eq(key_generate("JPN", &k, &e), 0);
	cr_assert_eq(key_secret_seal(&k, "hunter2", 7, &quick, &text, &n, &e), 0, "%s", e.msg);
	cr_assert_null(strstr(text, "hunter2"));
	cr_assert_eq(key_secret_open(text, n, "hunter2", 7, &back, &e), 0, "%s", e.msg);
	cr_assert(key_public_equal(&back.pub, &k.pub));
	cr_assert_eq(sodium_memcmp(back.sign_sk, k.sign_sk, KEY_SIGN_SK), 0);
	cr_assert_eq(sodium_memcmp(back.box_sk, k.box_sk, KEY_BOX_SK), 0);
	key_secret_free(&back);
	cr_assert_eq(key_secret_open(text, n, "hunter3", 7, &back, &e), LERR_AUTH);
	cr_assert(strstr(e.msg, "wrong passphrase"), "%s", e.msg);
	cr_assert_null(back.sign_sk, "no secret left on failure");
	free(text);
	key_secret_free(&k);
}

Test(keys, a_changed_key_file_does_not_open)
{
	struct key_secret k, back;
	struct lerr e = {0};
	char *text;
	size_t n;
	cr_assert_eq(key_generate("JPN", &k, &e), 0);
	cr_assert_eq(key_secret_seal(&k, "pw", 2, &quick, &text, &n, &e), 0);
	/* every character of the file, changed, must stop it */
	for (size_t i = 0; i < n; i++) {
		char c = text[i];
		text[i] = c == 'A' ? 'B' : c == '\n' ? ' ' : 'A';
		int r = key_secret_open(text, n, "pw", 2, &back, &e);
		cr_assert_lt(r, 0, "changed character %zu (%c) went unnoticed", i, c);
		text[i] = c;
	}
	free(text);
	key_secret_free(&k);
}

Test(keys, unreasonable_kdf_parameters_are_refused)
{
	struct key_secret k;
	struct lerr e = {0};
	char *text;
	size_t n;
	cr_assert_eq(key_generate("JPN", &k, &e), 0);
	struct key_kdf huge = {.ops = 1, .mem = (size_t)4 << 30};
	cr_assert_eq(key_secret_seal(&k, "pw", 2, &huge, &text, &n, &e), LERR_INVAL);
	cr_assert(strstr(e.msg, "Argon2id parameters out of range"), "%s", e.msg);
	key_secret_free(&k);
}

Test(label, parses_normalises_and_writes_canonical_json)
{
	const char *in =
	    "{\"title\": \"Missile launch\", \"originator\": \"JPN\", \"level\": \"GOKUHI\","
	    " \"releasable_to\": [\"USA\", \"KOR\", \"USA\"], \"purposes\": [\"warning\"],"
	    " \"item\": \"i-1\", \"revocable\": true}";
	struct label l;
	struct lerr e = {0};
	cr_assert_eq(label_parse(in, strlen(in), "l.json", &l, &e), 0, "%s", e.msg);
	cr_assert_eq(l.nreleasable, 2, "repeats dropped");
	cr_assert_str_eq(l.releasable[0], "KOR", "sorted");
	char *c;
	size_t n;
	cr_assert_eq(label_canonical(&l, &c, &n, &e), 0);
	cr_assert_str_eq(c, "{\"item\":\"i-1\",\"level\":\"GOKUHI\",\"originator\":\"JPN\","
			    "\"purposes\":[\"warning\"],\"releasable_to\":[\"KOR\",\"USA\"],"
			    "\"revocable\":true,\"title\":\"Missile launch\"}");
	struct label back;
	cr_assert_eq(label_parse_canonical(c, n, &back, &e), 0, "%s", e.msg);
	cr_assert_lt(label_parse_canonical(in, strlen(in), &back, &e), 0);
	cr_assert(strstr(e.msg, "not in canonical form"), "%s", e.msg);
	free(c);
}

Test(label, errors_name_the_field)
{
	struct {
		const char *text, *want;
	} cases[] = {
	    {"{\"originator\": \"JPN\", \"level\": \"GOKUHI\"}", "title: missing"},
	    {"{\"originator\": \"jpn\", \"level\": \"X\", \"title\": \"t\"}",
	     "originator: party code"},
	    {"{\"originator\": \"JPN\", \"level\": \"X\", \"title\": \"t\", \"releasable_to\": "
	     "[\"KOREA!\"]}",
	     "releasable_to[0]"},
	    {"{\"originator\": \"JPN\", \"level\": \"X\", \"title\": \"t\", \"colour\": \"red\"}",
	     "colour: unknown field"},
	    {"{\"originator\": \"JPN\", \"level\": \"X\", \"title\": \"t\", \"ntk\": \"a b\"}",
	     "ntk"},
	    {"{\"originator\": \"JPN\", \"level\": \"X\", \"title\": \"t\", \"revocable\": 1}",
	     "revocable: must be true or false"},
	    {"[1]", "must be an object"},
	    {"{", "l.json:1:"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct label l;
		struct lerr e = {0};
		cr_assert_lt(label_parse(cases[i].text, strlen(cases[i].text), "l.json", &l, &e), 0,
			     "accepted %s", cases[i].text);
		cr_assert(strstr(e.msg, cases[i].want), "expected \"%s\" in: %s", cases[i].want,
			  e.msg);
	}
}
