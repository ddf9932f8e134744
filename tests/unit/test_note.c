/* test_note.c - signed checkpoints: the key ID of the Go note package's
 * test key, signing and verifying, every changed byte refused, foreign
 * signatures ignored, malformed notes named by line. */
#include <sodium.h>
#include <stdio.h>

#include "helpers.h"
#include "log/note.h"

TestSuite(note, .fini = leak_check);

static uint8_t pk[32], sk[64], pk2[32], sk2[64];
static struct checkpoint cp;

static void setup(void)
{
	cr_assert_eq(sodium_init() < 0, 0);
	crypto_sign_keypair(pk, sk);
	crypto_sign_keypair(pk2, sk2);
	memset(&cp, 0, sizeof cp);
	strcpy(cp.origin, "liaison/JPN");
	cp.size = 1234;
	for (int i = 0; i < MERKLE_HASH; i++)
		cp.root[i] = (uint8_t)(i * 7);
}

Test(note, key_id_of_a_known_key)
{
	/* golang.org/x/mod/sumdb/note's test key "PeterNeumann+c74f20a3+ARpc2Qc..." */
	uint8_t k[33];
	size_t n;
	const char *b64 = "ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW";
	cr_assert_eq(sodium_base642bin(k, sizeof k, b64, strlen(b64), NULL, &n, NULL,
				       sodium_base64_VARIANT_ORIGINAL),
		     0);
	cr_assert_eq(n, 33);
	cr_assert_eq(k[0], 0x01);
	cr_assert_eq(note_key_id("PeterNeumann", k + 1), 0xc74f20a3u);
}

Test(note, signs_and_verifies, .init = setup)
{
	char text[NOTE_MAX];
	struct lerr e = {0};
	struct checkpoint got;
	cr_assert_eq(checkpoint_sign(&cp, sk, pk, text, &e), 0, "%s", e.msg);
	cr_assert(strncmp(text, "liaison/JPN\n1234\n", 17) == 0, "%s", text);
	cr_assert(strstr(text, "\n\n\xe2\x80\x94 liaison/JPN "), "%s", text);
	cr_assert_eq(checkpoint_verify(text, strlen(text), "liaison/JPN", pk, &got, &e), 0, "%s",
		     e.msg);
	cr_assert_str_eq(got.origin, "liaison/JPN");
	cr_assert_eq(got.size, 1234);
	cr_assert(memcmp(got.root, cp.root, MERKLE_HASH) == 0);
	/* another key, or another name, is not this log's signature */
	cr_assert_eq(checkpoint_verify(text, strlen(text), "liaison/JPN", pk2, &got, &e),
		     LERR_AUTH);
	cr_assert(strstr(e.msg, "not signed by liaison/JPN's key"), "%s", e.msg);
	cr_assert_eq(checkpoint_verify(text, strlen(text), "liaison/KOR", pk, &got, &e), LERR_AUTH);
}

Test(note, every_changed_byte_is_refused, .init = setup)
{
	char text[NOTE_MAX];
	struct lerr e = {0};
	struct checkpoint got;
	cr_assert_eq(checkpoint_sign(&cp, sk, pk, text, &e), 0);
	size_t len = strlen(text);
	for (size_t i = 0; i < len; i++) {
		char saved = text[i];
		text[i] = (char)(saved == 'A' ? 'B' : 'A');
		cr_assert_lt(checkpoint_verify(text, len, "liaison/JPN", pk, &got, &e), 0,
			     "byte %zu changed and accepted", i);
		text[i] = saved;
	}
	for (size_t cut = 0; cut < len; cut++)
		cr_assert_lt(checkpoint_verify(text, cut, "liaison/JPN", pk, &got, &e), 0,
			     "cut at %zu and accepted", cut);
}

Test(note, foreign_signatures_are_ignored, .init = setup)
{
	char text[NOTE_MAX], other[NOTE_MAX];
	struct lerr e = {0};
	struct checkpoint got;
	cr_assert_eq(checkpoint_sign(&cp, sk, pk, text, &e), 0);
	/* a witness's cosignature under another name, added after ours */
	struct checkpoint w = cp;
	strcpy(w.origin, "witness.example/w1");
	cr_assert_eq(checkpoint_sign(&w, sk2, pk2, other, &e), 0);
	strcat(text, strstr(other, "\xe2\x80\x94"));
	cr_assert_eq(checkpoint_verify(text, strlen(text), "liaison/JPN", pk, &got, &e), 0, "%s",
		     e.msg);
}

static void refused(const char *text, const char *want)
{
	struct lerr e = {0};
	struct checkpoint got;
	cr_assert_lt(checkpoint_verify(text, strlen(text), "liaison/JPN", pk, &got, &e), 0,
		     "accepted: %s", text);
	cr_assert(strstr(e.msg, want), "\"%s\" does not say \"%s\"", e.msg, want);
}

Test(note, malformed_notes_are_named, .init = setup)
{
	refused("liaison/JPN\n012\nAAAA\n\n\xe2\x80\x94 liaison/JPN AAAA\n", "line 2");
	refused("liaison/JPN\n12\nAAAA\n\n\xe2\x80\x94 liaison/JPN AAAA\n", "line 3");
	refused("liaison/JPN\n12\n\n\xe2\x80\x94 liaison/JPN AAAA\n",
		"needs origin, size and root");
	refused("lia son/JPN\n12\nAAAA\n\n", "line 1");
	refused("liaison/JPN\n12\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n", "needs origin");
	refused("liaison/JPN\n1\tx\n", "control character");
	/* an extension line a terminal would act on: NEL, a bidi override; a byte not UTF-8 */
	refused("liaison/JPN\n12\nAAAA\nALARM cleared\xc2\x85\n\n", "control character at byte 33");
	refused("liaison/JPN\n12\nAAAA\n\xe2\x80\xae ALARM\n\n", "control character at byte 20");
	refused("liaison/JPN\n12\nAAAA\nx\xff\n\n", "not UTF-8 at 21");
	char text[NOTE_MAX];
	struct lerr e = {0};
	cr_assert_eq(checkpoint_sign(&cp, sk, pk, text, &e), 0);
	text[strlen(text) - 1] = '\0'; /* no final newline */
	refused(text, "no newline at the end");
	strcpy(cp.origin, "a+b");
	cr_assert_eq(checkpoint_sign(&cp, sk, pk, text, &e), LERR_INVAL);
}
