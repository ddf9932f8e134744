#!/usr/bin/env bats
# liaison init: a node folder with its store.
load helpers

@test "init makes a private folder and store" {
	run "$L" init --party JPN
	[ "$status" -eq 0 ]
	[[ "$output" == "made a node for JPN in $LIAISON_HOME; its public key"*": $LIAISON_HOME/keys/JPN.pub (fingerprint SHA256:"* ]]
	[ "$(stat -c %a "$LIAISON_HOME/keys/JPN.key")" = 600 ]
	grep -q '^liaison-public-key/v1 JPN ' "$LIAISON_HOME/keys/JPN.pub"
	[ "$(stat -c %a "$LIAISON_HOME")" = 700 ]
	[ "$(stat -c %a "$LIAISON_HOME/node.db")" = 600 ]
	[ "$(sqlite3 "$LIAISON_HOME/node.db" "SELECT value FROM meta WHERE key = 'party'")" = JPN ]
	[ "$(sqlite3 "$LIAISON_HOME/node.db" 'PRAGMA journal_mode')" = wal ]
}

@test "init refuses a folder that already holds a node, and keeps it" {
	example_node
	run "$L" init --party KOR
	[ "$status" -eq 1 ]
	[[ "$output" == *"already holds a node"* ]]
	[ "$(rows agreements)" -eq 1 ]
}

@test "init needs a valid party code" {
	run "$L" init
	[ "$status" -eq 2 ]
	[[ "$output" == *"--party CODE is required"* ]]
	run "$L" init --party jp
	[ "$status" -eq 2 ]
	[[ "$output" == *'party code "jp" is not 2-8 capital letters'* ]]
	[ ! -e "$LIAISON_HOME/node.db" ]
}

@test "init --json answers with the folder and the party" {
	run "$L" --json init --party KOR
	[ "$status" -eq 0 ]
	[ "$(echo "$output" | jq -r .party)" = KOR ]
	[ "$(echo "$output" | jq -r .home)" = "$LIAISON_HOME" ]
}

@test "commands on a folder without a node say how to make one" {
	run "$L" agreement list
	[ "$status" -eq 1 ]
	[[ "$output" == *"no node in $LIAISON_HOME (make one with: liaison init --party CODE)"* ]]
}

@test "--home beats LIAISON_HOME" {
	"$L" init --party JPN
	run "$L" --home "$BATS_TEST_TMPDIR/two" init --party KOR
	[ "$status" -eq 0 ]
	[ -e "$BATS_TEST_TMPDIR/two/node.db" ]
}

@test "init needs a passphrase for the node's keys, and leaves no node without one" {
	unset LIAISON_PASSPHRASE
	run setsid "$L" init --party JPN </dev/null
	[ "$status" -eq 2 ]
	[[ "$output" == *"no passphrase"* ]]
	[ ! -e "$LIAISON_HOME/node.db" ]
}

@test "party key stores a peer's public key; a wrong file is refused" {
	example_node
	"$L" --home "$BATS_TEST_TMPDIR/kor" init --party KOR
	run "$L" party key KOR "$BATS_TEST_TMPDIR/kor/keys/KOR.pub"
	[ "$status" -eq 0 ]
	[[ "$output" == "stored the public key of KOR:"* ]]
	[ "$(rows party_keys)" -eq 1 ]
	run "$L" party key USA "$BATS_TEST_TMPDIR/kor/keys/KOR.pub"
	[ "$status" -eq 1 ]
	[[ "$output" == *"KOR.pub holds the key of KOR, not of USA"* ]]
	run "$L" party key JPN "$LIAISON_HOME/keys/JPN.pub"
	[ "$status" -eq 1 ]
	[[ "$output" == *"this node's own party"* ]]
	echo junk >"$BATS_TEST_TMPDIR/junk.pub"
	run "$L" party key KOR "$BATS_TEST_TMPDIR/junk.pub"
	[ "$status" -eq 1 ]
	[[ "$output" == *"junk.pub: not a liaison public key"* ]]
}

@test "party key replaces a known key only with --replace, naming both fingerprints; the same key again changes nothing" {
	example_node
	"$L" --home "$BATS_TEST_TMPDIR/kor" --json init --party KOR >"$BATS_TEST_TMPDIR/kor.json"
	"$L" --home "$BATS_TEST_TMPDIR/kor2" init --party KOR >/dev/null
	first=$("$L" --json party key KOR "$BATS_TEST_TMPDIR/kor/keys/KOR.pub" | jq -r .fingerprint)
	[[ "$first" =~ ^SHA256:[A-Za-z0-9+/]{43}$ ]]
	# the fingerprint KOR's operator read from its own init is the one shown here
	[ "$first" = "$(jq -r .fingerprint "$BATS_TEST_TMPDIR/kor.json")" ]
	entries=$("$L" log entries | wc -l)
	# the same again: nothing stored, nothing logged
	run "$L" --json party key KOR "$BATS_TEST_TMPDIR/kor/keys/KOR.pub"
	[ "$status" -eq 0 ]
	[ "$(jq .replaced <<<"$output")" = null ]
	[ "$("$L" log entries | wc -l)" -eq "$entries" ]
	# another key: refused, both named; the key on file unchanged
	second=$("$L" --home "$BATS_TEST_TMPDIR/kor2" --json party key JPN "$LIAISON_HOME/keys/JPN.pub" >/dev/null; \
		"$L" --home "$BATS_TEST_TMPDIR/kor2" --json whoami >/dev/null 2>&1; echo)
	run "$L" party key KOR "$BATS_TEST_TMPDIR/kor2/keys/KOR.pub"
	[ "$status" -eq 1 ]
	[[ "$output" == *"KOR's keys are on file already ($first)"*"--replace"* ]]
	[ "$("$L" --json party key KOR "$BATS_TEST_TMPDIR/kor/keys/KOR.pub" | jq -r .fingerprint)" = "$first" ]
	# with --replace: replaced, logged with the old fingerprint
	run "$L" --json party key KOR "$BATS_TEST_TMPDIR/kor2/keys/KOR.pub" --replace
	[ "$status" -eq 0 ]
	[ "$(jq -r .replaced <<<"$output")" = "$first" ]
	[ "$(jq -r .fingerprint <<<"$output")" != "$first" ]
	"$L" log entries | tail -1 | jq -e --arg f "$first" '.kind == "party-key" and .replaced == $f'
}

@test "store passphrase: the keys sealed anew, the old passphrase refused after, the change logged" {
	cd "$BATS_TEST_TMPDIR"
	"$L" init --party JPN >/dev/null
	cp "$LIAISON_HOME/keys/JPN.key" before.key
	umask 077
	printf 'a much longer new passphrase\n' >new.txt
	run "$L" store passphrase --new-passphrase-file new.txt
	[ "$status" -eq 0 ]
	[[ "$output" == *"sealed under the new passphrase"* ]]
	[ "$(stat -c %a "$LIAISON_HOME/keys/JPN.key")" = 600 ]
	! cmp -s before.key "$LIAISON_HOME/keys/JPN.key"
	# the old passphrase opens them no more; the new one does
	run "$L" log checkpoint
	[ "$status" -ne 0 ]
	LIAISON_PASSPHRASE="a much longer new passphrase" "$L" log checkpoint >/dev/null
	[ "$("$L" --json log entries | jq -r '.entries[-1].data | @base64d | fromjson | .kind')" = \
		node-passphrase-changed ]
	! "$L" --json log entries | jq -r '.entries[].data | @base64d' | grep -q "longer" || false
	export LIAISON_PASSPHRASE="a much longer new passphrase"
	cp "$LIAISON_HOME/keys/JPN.key" now.key
	# refused, the file untouched: a wrong present one, the same again, a file
	# others may read, an empty one
	run env LIAISON_PASSPHRASE=wrong "$L" store passphrase --new-passphrase-file new.txt
	[ "$status" -eq 1 ]
	run "$L" store passphrase --new-passphrase-file new.txt
	[ "$status" -eq 2 ]
	[[ "$output" == *"is the one the keys have"* ]]
	printf 'another\n' >open.txt
	chmod 644 open.txt
	run "$L" store passphrase --new-passphrase-file open.txt
	[ "$status" -ne 0 ]
	[[ "$output" == *"can be read by others"* ]]
	: >empty.txt
	run "$L" store passphrase --new-passphrase-file empty.txt
	[ "$status" -eq 2 ]
	[[ "$output" == *"empty passphrase"* ]]
	cmp now.key "$LIAISON_HOME/keys/JPN.key"
	# sealed anew at the cost it had (keys made with a dearer Argon2id)
	"$L" keygen --party JPN --out "$LIAISON_HOME/keys" --force --kdf-memory 16 --kdf-passes 3 >/dev/null 2>&1
	printf 'a third passphrase\n' >third.txt
	"$L" store passphrase --new-passphrase-file third.txt >/dev/null
	grep -q '^argon2id ops=3 mem=16777216 ' "$LIAISON_HOME/keys/JPN.key"
}
