#!/usr/bin/env bats
# liaison keygen, seal, open, inspect: envelopes as files.
load helpers

setup() {
	export LIAISON_PASSPHRASE="correct horse"
	cd "$BATS_TEST_TMPDIR"
	for p in JPN KOR USA; do "$L" keygen --party $p >/dev/null; done
	printf '{"originator": "JPN", "level": "GOKUHI", "title": "Missile launch",\n "releasable_to": ["KOR"], "ntk": "MISSILE-WARNING"}\n' >label.json
	head -c 300000 /dev/urandom >plain.bin
}

seal() {
	"$L" seal --sign JPN.key --to KOR.pub --label label.json "$@"
}

@test "keygen writes a 0600 secret key and a one-line public key" {
	[ "$(stat -c %a JPN.key)" = 600 ]
	[ "$(wc -l <JPN.pub)" -eq 1 ]
	grep -Eq '^liaison-public-key/v1 JPN ed25519=[A-Za-z0-9+/=]{44} x25519=[A-Za-z0-9+/=]{44}$' JPN.pub
	! grep -q "correct horse" JPN.key || false
	head -1 JPN.key | grep -q '^liaison-secret-key/v1 JPN$'
}

@test "keygen keeps existing keys unless --force" {
	before="$(cat JPN.pub)"
	run "$L" keygen --party JPN
	[ "$status" -eq 1 ]
	[[ "$output" == *"JPN.pub already exists (--force replaces it)"* ]]
	[ "$(cat JPN.pub)" = "$before" ]
	"$L" keygen --party JPN --force
	[ "$(cat JPN.pub)" != "$before" ]
}

@test "keygen without a passphrase or terminal says how to give one" {
	unset LIAISON_PASSPHRASE
	run setsid "$L" keygen --party NATO </dev/null
	[ "$status" -eq 2 ]
	[[ "$output" == *"no passphrase: set LIAISON_PASSPHRASE"* ]]
	[ ! -e NATO.key ]
}

@test "keygen's Argon2id cost: what it was given, in range, digits alone" {
	"$L" keygen --party NATO --kdf-memory 16 --kdf-passes 3 >/dev/null
	grep -q '^argon2id ops=3 mem=16777216 ' NATO.key
	for bad in "--kdf-memory 0" "--kdf-memory 1025" "--kdf-passes 65" "--kdf-passes +3" \
		"--kdf-passes 0x3" "--kdf-memory -16"; do
		set -- $bad
		run "$L" keygen --party EU --kdf-memory 8 "$@"
		[ "$status" -eq 2 ] || { echo "$bad: $output"; false; }
		[[ "$output" == *"$1: \"$2\" is not in 1.."* ]] || { echo "$bad: $output"; false; }
		[ ! -e EU.key ]
	done
	run "$L" keygen --party EU --kdf-passes " 3"
	[ "$status" -eq 2 ]
	[[ "$output" == *'--kdf-passes: " 3" is not in 1..64'* ]]
}

@test "keygen --json names the files and the public key" {
	run "$L" --json keygen --party NATO --out "$BATS_TEST_TMPDIR"
	[ "$status" -eq 0 ]
	[ "$(echo "$output" | jq -r .public_key)" = "$(cat NATO.pub)" ]
	[ "$(echo "$output" | jq -r .party)" = NATO ]
}

@test "seal then open gives back the same bytes, through files" {
	run seal -o env.lsn plain.bin
	[ "$status" -eq 0 ]
	[[ "$output" == "sealed item "* ]]
	run "$L" open --key KOR.key --verify JPN.pub -o out.bin env.lsn
	[ "$status" -eq 0 ]
	[[ "$output" == "opened item "*"from JPN (Missile launch, level GOKUHI): 300000 bytes in out.bin" ]]
	cmp plain.bin out.bin
	[ "$(stat -c %a out.bin)" = 600 ]
}

@test "seal and open stream through standard input and output" {
	seal <plain.bin >env.lsn
	"$L" open --key KOR.key --verify JPN.pub <env.lsn >out.bin
	cmp plain.bin out.bin
	: >empty
	seal <empty | "$L" open --key KOR.key --verify JPN.pub >out0
	[ ! -s out0 ]
}

@test "several recipients each open it; others cannot" {
	"$L" seal --sign JPN.key --to KOR.pub --to USA.pub --label label.json -o env.lsn plain.bin
	"$L" open --key USA.key --verify JPN.pub -o usa.bin env.lsn
	cmp plain.bin usa.bin
	run "$L" open --key JPN.key --verify JPN.pub -o jpn.bin env.lsn
	[ "$status" -eq 1 ]
	[[ "$output" == *"not for you: sealed to KOR, USA; not to the key of JPN"* ]]
	[ ! -e jpn.bin ]
}

@test "a wrong sender is refused and nothing is written" {
	seal -o env.lsn plain.bin
	run "$L" open --key KOR.key --verify USA.pub -o out.bin env.lsn
	[ "$status" -eq 1 ]
	[[ "$output" == *"wrong sender: sealed by JPN, not by USA"* ]]
	[ ! -e out.bin ]
	[ -z "$(ls | grep tmp-)" ]
}

@test "a changed label is named, and nothing is written" {
	seal -o env.lsn plain.bin
	# change one letter of the title inside the envelope
	perl -pi -e 's/Missile launch/Missile lunch!/' env.lsn
	run "$L" open --key KOR.key --verify JPN.pub -o out.bin env.lsn
	[ "$status" -eq 1 ]
	[[ "$output" == *"changed label: the label is not the one JPN signed"* ]]
	[ ! -e out.bin ]
	run "$L" inspect --verify JPN.pub env.lsn
	[ "$status" -eq 1 ]
	[[ "$output" == *"changed label"* ]]
}

@test "a corrupted chunk and a truncated envelope are named, and nothing is written" {
	seal -o env.lsn plain.bin
	size=$(stat -c %s env.lsn)
	cp env.lsn bad.lsn
	flip_byte bad.lsn $((size / 2))
	run "$L" open --key KOR.key --verify JPN.pub -o out.bin bad.lsn
	[ "$status" -eq 1 ]
	[[ "$output" == *"corrupted chunk: chunk 3 does not authenticate"* ]]
	[ ! -e out.bin ]
	head -c $((size - 100)) env.lsn >cut.lsn
	run "$L" open --key KOR.key --verify JPN.pub -o out.bin cut.lsn
	[ "$status" -eq 1 ]
	[[ "$output" == *"truncated"* ]]
	[ ! -e out.bin ]
	# cut exactly after the fourth chunk (header, 24-byte stream header, 4 x 65553)
	header=$("$L" --json inspect env.lsn | jq .header_size)
	head -c $((header + 24 + 4 * 65553)) env.lsn >cut4.lsn
	run "$L" open --key KOR.key --verify JPN.pub -o out.bin cut4.lsn
	[ "$status" -eq 1 ]
	[[ "$output" == *"truncated: the envelope ends after chunk 4, not at its final chunk"* ]]
}

@test "a wrong passphrase is refused" {
	seal -o env.lsn plain.bin
	LIAISON_PASSPHRASE=wrong run "$L" open --key KOR.key --verify JPN.pub -o out.bin env.lsn
	[ "$status" -eq 1 ]
	[[ "$output" == *"KOR.key: secret key file of KOR: wrong passphrase, or the file was changed"* ]]
	[ ! -e out.bin ]
}

@test "seal with a wrong passphrase writes nothing, though it seals while the key opens" {
	# large enough that the payload is under way before Argon2id is done
	# (tests/unit/test_vectors.c times it exactly)
	head -c $((8 << 20)) /dev/urandom >big.bin
	LIAISON_PASSPHRASE=wrong run "$L" seal --sign JPN.key --to KOR.pub --label label.json -o env.lsn big.bin
	[ "$status" -eq 1 ]
	[[ "$output" == *"JPN.key: secret key file of JPN: wrong passphrase, or the file was changed"* ]]
	[ ! -e env.lsn ]
	ls -A | grep -v -e '^big.bin$' -e '^plain.bin$' -e '^label.json$' -e '^[A-Z]*\.\(key\|pub\)$' && false
	# to standard output: a file is cut back to what it held before
	printf 'kept\n' >out.lsn
	LIAISON_PASSPHRASE=wrong "$L" seal --sign JPN.key --to KOR.pub --label label.json big.bin >>out.lsn 2>err.txt && false
	grep -q "wrong passphrase" err.txt
	[ "$(cat out.lsn)" = kept ]
	{ printf 'kept\n'; LIAISON_PASSPHRASE=wrong "$L" seal --sign JPN.key --to KOR.pub --label label.json big.bin || true; } >out.lsn 2>/dev/null
	[ "$(cat out.lsn)" = kept ]
	# the right one: the envelope follows what the file held, its header first
	{ printf 'kept\n'; seal big.bin; } >out.lsn
	[ "$(head -1 out.lsn)" = kept ]
	tail -c +6 out.lsn >env.lsn
	"$L" inspect env.lsn | grep -q "^envelope v4 from JPN"
	"$L" open --key KOR.key --verify JPN.pub -o big.out env.lsn
	cmp big.out big.bin
	# through a pipe, written in order
	seal big.bin | "$L" open --key KOR.key --verify JPN.pub | cmp - big.bin
}

@test "seal with a key file whose public keys were swapped for another party's writes nothing" {
	# the header is built from line 3 before the key opens: a changed line 3
	# must not leave an envelope that names keys JPN never held
	head -c $((8 << 20)) /dev/urandom >big.bin
	awk -v l="$(sed -n 3p KOR.key)" 'NR == 3 { print l; next } { print }' JPN.key >swapped.key
	chmod 600 swapped.key
	{ printf 'kept\n'; "$L" seal --sign swapped.key --to KOR.pub --label label.json big.bin 2>err.txt || true; } >out.lsn
	grep -q "swapped.key: secret key file of JPN: wrong passphrase, or the file was changed" err.txt
	[ "$(cat out.lsn)" = kept ]
	run "$L" seal --sign swapped.key --to KOR.pub --label label.json -o env.lsn big.bin
	[ "$status" -eq 1 ]
	[ ! -e env.lsn ]
}

@test "inspect shows sender, recipients, label and sizes without keys" {
	seal -o env.lsn plain.bin
	run "$L" inspect env.lsn
	[ "$status" -eq 0 ]
	[[ "$output" == *"from JPN"*"signature not checked"* ]]
	[[ "$output" == *"to: KOR"* ]]
	[[ "$output" == *"payload 300000 bytes"* ]]
	run "$L" --json inspect --verify JPN.pub env.lsn
	[ "$(echo "$output" | jq -r .label.title)" = "Missile launch" ]
	[ "$(echo "$output" | jq -r .label.releasable_to[0])" = KOR ]
	[ "$(echo "$output" | jq .payload_size)" -eq 300000 ]
	[ "$(echo "$output" | jq .verified)" = true ]
	[ "$(echo "$output" | jq -r .recipients[0].party)" = KOR ]
	[ "$(echo "$output" | jq .version)" -eq 4 ]
	# the help of seal, and of peer add, names that default, and no other
	run "$L" seal --help
	[ "$status" -eq 0 ]
	[[ "$output" == *'--envelope-version N  the format: 4 (the default), or 1, 2 or 3 for a'* ]]
	run "$L" peer --help
	[ "$status" -eq 0 ]
	[[ "$(echo "$output" | tr -s ' \n' ' ')" == *'(a new peer gets the newest, 4)'* ]]
	# the known-answer envelope of version 1 (docs/envelope.md) is still read
	run "$L" --json inspect "$BATS_TEST_DIRNAME/../vectors/envelope-v1.bin"
	[ "$status" -eq 0 ]
	[ "$(echo "$output" | jq .version)" -eq 1 ]
	[ "$(echo "$output" | jq .payload_size)" -eq 2500 ]
	# sealed for an older reader: version 1, which opens
	seal --envelope-version 1 -o v1.lsn plain.bin
	[ "$("$L" --json inspect v1.lsn | jq .version)" -eq 1 ]
	"$L" open --key KOR.key --verify JPN.pub -o v1.out v1.lsn
	cmp v1.out plain.bin
	for v in 2 3; do
		seal --envelope-version $v -o v$v.lsn plain.bin
		[ "$("$L" --json inspect v$v.lsn | jq .version)" -eq $v ]
		"$L" open --key KOR.key --verify JPN.pub -o v$v.out v$v.lsn
		cmp v$v.out plain.bin
	done
	run "$L" seal --sign JPN.key --to KOR.pub --label label.json --envelope-version 5 -o v5.lsn plain.bin
	[ "$status" -eq 2 ]
	[[ "$output" == *'--envelope-version: "5" is not in 1..4'* ]]
	[ ! -e v5.lsn ]
	# digits alone: no sign, no space, no other base
	for v in " 3" +3 3.0 0x3 ""; do
		run "$L" seal --sign JPN.key --to KOR.pub --label label.json --envelope-version "$v" -o v5.lsn plain.bin
		[ "$status" -eq 2 ]
		[[ "$output" == *"--envelope-version: \"$v\" is not in 1..4"* ]]
		[ ! -e v5.lsn ]
	done
	# a version this liaison does not know is malformed, named
	head -c 8 env.lsn >v9.lsn
	printf '\011' >>v9.lsn
	tail -c +10 env.lsn >>v9.lsn
	run "$L" inspect v9.lsn
	[ "$status" -eq 1 ]
	[[ "$output" == *"envelope version 9 is not supported (only 1 to 4)"* ]]
}

@test "a libcrypto without ChaCha20-Poly1305: a version 4 envelope fails as this host's fault, never as a forgery" {
	seal -o env.lsn plain.bin
	# OpenSSL with its base provider alone: no ciphers, no digests
	printf 'openssl_conf = init\n[init]\nproviders = prov\n[prov]\nbase = base\n[base]\nactivate = 1\n' >base-only.cnf
	OPENSSL_CONF=$PWD/base-only.cnf run "$L" --json open --key KOR.key --verify JPN.pub -o out.bin env.lsn
	[ "$status" -eq 1 ]
	[ "$(echo "$output" | jq -r .error.code)" = io ]
	[[ "$(echo "$output" | jq -r .error.message)" == *"i/o error: the cipher cannot start (out of memory, or a libcrypto without ChaCha20-Poly1305)"* ]]
	[ ! -e out.bin ]
	# the same file opens where the library has it
	"$L" open --key KOR.key --verify JPN.pub -o out.bin env.lsn
	cmp out.bin plain.bin
}

@test "seal refuses a label that is not the sender's, and bad labels" {
	sed 's/"JPN"/"KOR"/' label.json >kor-label.json
	run "$L" seal --sign JPN.key --to KOR.pub --label kor-label.json -o env.lsn plain.bin
	[ "$status" -eq 1 ]
	[[ "$output" == *"originator KOR is not the sender JPN"* ]]
	[ ! -e env.lsn ]
	echo '{"originator": "JPN", "level": "GOKUHI"}' >bad.json
	run "$L" seal --sign JPN.key --to KOR.pub --label bad.json -o env.lsn plain.bin
	[ "$status" -eq 1 ]
	[[ "$output" == *"bad.json: title: missing"* ]]
	[ ! -e env.lsn ]
	# an id that names another party is that party's, never JPN's to sign
	echo '{"item": "USA-1", "originator": "JPN", "level": "GOKUHI", "title": "t"}' >usa-id.json
	run "$L" seal --sign JPN.key --to KOR.pub --label usa-id.json -o env.lsn plain.bin
	[ "$status" -eq 1 ]
	[[ "$output" == *'usa-id.json: item: "USA-1" does not name JPN, its originator'*'(JPN-USA-1)'* ]]
	[ ! -e env.lsn ]
	# nor one that names no party: a new one would be anyone's to take first
	for id in usa-1 SITREP-7 JPNX-1; do
		echo '{"item": "'$id'", "originator": "JPN", "level": "GOKUHI", "title": "t"}' >own.json
		run "$L" seal --sign JPN.key --to KOR.pub --label own.json -o env.lsn plain.bin
		[ "$status" -eq 1 ]
		[[ "$output" == *"own.json: item: \"$id\" does not name JPN"* ]]
		[ ! -e env.lsn ]
	done
	# one that names JPN is sealed; without one, a new id names JPN
	echo '{"item": "JPN-SITREP-7", "originator": "JPN", "level": "GOKUHI", "title": "t"}' >own.json
	"$L" --json seal --sign JPN.key --to KOR.pub --label own.json -o env.lsn plain.bin >out.json
	[ "$(jq -r .item out.json)" = JPN-SITREP-7 ]
	echo '{"originator": "JPN", "level": "GOKUHI", "title": "t"}' >none.json
	"$L" --json seal --sign JPN.key --to KOR.pub --label none.json -o env.lsn --force plain.bin >out.json
	[[ "$(jq -r .item out.json)" =~ ^JPN-[0-9a-f]{24}$ ]]
}

@test "seal keeps an existing output unless --force" {
	echo keep >env.lsn
	run seal -o env.lsn plain.bin
	[ "$status" -eq 1 ]
	[[ "$output" == *"env.lsn already exists"* ]]
	[ "$(cat env.lsn)" = keep ]
	seal -o env.lsn --force plain.bin
	"$L" open --key KOR.key --verify JPN.pub -o out.bin env.lsn
	cmp plain.bin out.bin
}

@test "seal and open need their keys; a bad public key file is named" {
	run "$L" seal --to KOR.pub --label label.json plain.bin
	[ "$status" -eq 2 ]
	[[ "$output" == *"--sign KEY, --to PUB and --label FILE are required"* ]]
	echo "not a key" >bad.pub
	run "$L" seal --sign JPN.key --to bad.pub --label label.json -o env.lsn plain.bin
	[ "$status" -eq 1 ]
	[[ "$output" == *"bad.pub: not a liaison public key"* ]]
	run "$L" open --key KOR.key -o out.bin plain.bin
	[ "$status" -eq 2 ]
}

@test "opening something that is not an envelope says so" {
	run "$L" open --key KOR.key --verify JPN.pub -o out.bin plain.bin
	[ "$status" -eq 1 ]
	[[ "$output" == *"malformed: not a liaison envelope"* ]]
	[ ! -e out.bin ]
}

@test "memory stays flat: 96 MiB seal and open take no more memory than 4 MiB" {
	head -c $((4 << 20)) /dev/zero >small.bin
	head -c $((96 << 20)) /dev/zero >large.bin
	rss() { /usr/bin/time -f %M "$@" 2>&1 >/dev/null | tail -1; }
	s_small=$(rss "$L" seal --sign JPN.key --to KOR.pub --label label.json -o s.lsn small.bin)
	s_large=$(rss "$L" seal --sign JPN.key --to KOR.pub --label label.json -o l.lsn large.bin)
	o_small=$(rss "$L" open --key KOR.key --verify JPN.pub -o s.out s.lsn)
	o_large=$(rss "$L" open --key KOR.key --verify JPN.pub -o l.out l.lsn)
	echo "seal $s_small / $s_large KiB, open $o_small / $o_large KiB"
	# within 2 MiB of each other (allocator noise), whatever the size
	[ "$s_large" -le $((s_small + 2048)) ]
	[ "$o_large" -le $((o_small + 2048)) ]
	cmp large.bin l.out
}

@test "a progress line shows on a terminal for large files, and not with --quiet" {
	head -c $((70 << 20)) /dev/zero >big.bin
	run script -qec "'$L' seal --sign JPN.key --to KOR.pub --label label.json -o big.lsn big.bin" /dev/null
	[ "$status" -eq 0 ]
	[[ "$output" == *"sealing "*"% "*" / 70 MiB"* ]]
	run script -qec "'$L' open --quiet --key KOR.key --verify JPN.pub -o big.out big.lsn" /dev/null
	[ "$status" -eq 0 ]
	[[ "$output" != *"opening "* ]]
	cmp big.bin big.out
}
