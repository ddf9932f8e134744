#!/usr/bin/env bats
# The CLI through a node's daemon, as a person: liaison login (or
# LIAISON_URL and LIAISON_TOKEN), the README tour's item steps with no
# passphrase and no --by, and the same answers as on the node's folder.
load helpers

setup() {
	two_nodes
	third_party jpn kor
	echo "launch at 06:00 from the west coast" >report.txt
	SATO=$("$L" --home jpn person token sato 2>/dev/null)
	KIM=$("$L" --home kor person token kim 2>/dev/null)
	PARK=$("$L" --home kor person token park 2>/dev/null)
	daemon jpn
	JPN_URL=$DAEMON_URL JPN_PID=$DAEMON_PID
	daemon kor
	KOR_URL=$DAEMON_URL KOR_PID=$DAEMON_PID
	export XDG_CONFIG_HOME="$BATS_TEST_TMPDIR/config"
}

teardown() {
	kill -9 "${JPN_PID:-}" "${KOR_PID:-}" 2>/dev/null || true
}

# as URL TOKEN CMD...: liaison through that daemon, without the node's
# folder or its passphrase
as() {
	local url=$1 token=$2
	shift 2
	env -u LIAISON_HOME -u LIAISON_PASSPHRASE LIAISON_URL="$url" LIAISON_TOKEN="$token" \
		"$L" "$@" </dev/null
}

@test "the README tour's item steps through the daemons, as their people" {
	ID=$(as "$JPN_URL" "$SATO" item share report.txt --level GOKUHI --title "Missile launch" \
		--releasable KOR --ntk MISSILE-WARNING --purpose warning)
	[[ "$ID" =~ ^JPN-[0-9a-f]{24}$ ]]
	run as "$JPN_URL" "$SATO" item release "$ID" --to KOR -o to-kor.lsn
	[ "$status" -eq 0 ]
	[ "$output" = "released item $ID to KOR: to-kor.lsn" ]
	"$L" inspect to-kor.lsn | grep -q "^envelope v4 from JPN"
	run as "$KOR_URL" "$PARK" item import to-kor.lsn
	[ "$status" -eq 0 ]
	[ "$output" = "imported item $ID from JPN: JPN GOKUHI, marked KOR II here" ]
	run as "$KOR_URL" "$KIM" item get "$ID" --purpose warning -o got.txt
	[ "$status" -eq 0 ]
	[ "$output" = "item $ID: 36 bytes in got.txt" ]
	cmp got.txt report.txt
	run as "$KOR_URL" "$KIM" access check --item "$ID" --action read
	[ "$status" -eq 3 ]
	[[ "$output" == "DENY: kim may not read item $ID on 2019-09-01"*"NO R-PURPOSE"* ]]
	run as "$JPN_URL" "$SATO" consent grant "$ID" --to USA --holder KOR -o consent.json
	[ "$status" -eq 0 ]
	[ "$output" = "consent to release item $ID to USA, signed: consent.json" ]
	run as "$KOR_URL" "$PARK" consent import consent.json
	[ "$status" -eq 0 ]
	[ "$output" = "JPN consents (sato, 2019-09-01) to the release of item $ID to USA" ]
	# each act is the token's person's, in each node's log
	"$L" --home jpn log entries | jq -s -e --arg id "$ID" \
		'any(.[]; .kind == "item-share" and .item == $id and .by == "sato" and has("by_token"))'
	"$L" --home kor log entries | jq -s -e \
		'any(.[]; .kind == "decision" and .decision.action == "download" and .decision.person == "kim")' 
}

@test "questions through the daemon answer as the node itself does, text and JSON" {
	ID=$("$L" --home kor item share report.txt --by kim --level II --title "KOR note" \
		--releasable JPN --ntk MISSILE-WARNING --purpose warning 2>/dev/null)
	for cmd in "item show $ID" "item list" "access check --person kim --item $ID --action read --purpose warning" \
		"access check --person kim --item $ID --action destroy" "agreement status $G --at 2019-11-23 --without 4" \
		"agreement show $G" "agreement list --at 2019-08-23" "agreement timeline $G" "person show kim"; do
		# shellcheck disable=SC2086
		local_out=$("$L" --home kor $cmd 2>/dev/null || true)
		# shellcheck disable=SC2086
		remote_out=$(as "$KOR_URL" "$KIM" $cmd 2>/dev/null || true)
		[ "$local_out" = "$remote_out" ] || { echo "differs: $cmd" >&2; diff <(echo "$local_out") <(echo "$remote_out") >&2; false; }
		# shellcheck disable=SC2086
		local_json=$("$L" --home kor --json $cmd 2>/dev/null | jq -S 'del(.today)' || true)
		# shellcheck disable=SC2086
		remote_json=$(as "$KOR_URL" "$KIM" --json $cmd 2>/dev/null | jq -S 'del(.today)' || true)
		[ "$local_json" = "$remote_json" ] || { echo "JSON differs: $cmd" >&2; false; }
	done
	# and the same exit codes: a DENY is 3, an unknown item 1, a bad argument 2
	run as "$KOR_URL" "$KIM" access check --item "$ID" --action destroy
	[ "$status" -eq 3 ]
	run "$L" --home kor access check --person kim --item "$ID" --action destroy
	[ "$status" -eq 3 ]
	run as "$KOR_URL" "$KIM" item show 000000000000000000000000
	[ "$status" -eq 1 ]
	[ "$output" = "liaison: unknown item 000000000000000000000000" ]
	run as "$KOR_URL" "$KIM" agreement status "$G" --without 99
	[ "$status" -eq 2 ]
}

@test "liaison login keeps the daemon and the token (0600); logout forgets them" {
	run env -u LIAISON_HOME "$L" login "$JPN_URL" <<<"$SATO"
	[ "$status" -eq 0 ]
	[[ "$output" == "logged in to $JPN_URL as sato (the token kept in $XDG_CONFIG_HOME/liaison/login, mode 0600)" ]]
	[ "$(stat -c %a "$XDG_CONFIG_HOME/liaison/login")" = 600 ]
	[ "$(stat -c %a "$XDG_CONFIG_HOME/liaison")" = 700 ]
	run env -u LIAISON_HOME -u LIAISON_PASSPHRASE "$L" whoami
	[ "$output" = "sato (JPN) at $JPN_URL" ]
	run env -u LIAISON_HOME -u LIAISON_PASSPHRASE "$L" item share report.txt --level HI --title t \
		--releasable KOR
	[ "$status" -eq 0 ]
	# a login others may read is refused, as ssh refuses such a key
	chmod 644 "$XDG_CONFIG_HOME/liaison/login"
	run env -u LIAISON_HOME "$L" item list
	[ "$status" -eq 2 ]
	[[ "$output" == *"only you may read"* ]]
	chmod 600 "$XDG_CONFIG_HOME/liaison/login"
	# --home still means the node itself
	run "$L" --home jpn whoami
	[[ "$output" == "the operator of the node in jpn"* ]]
	run env -u LIAISON_HOME "$L" logout
	[[ "$output" == "logged out: "* ]]
	[ ! -e "$XDG_CONFIG_HOME/liaison/login" ]
	# a token the daemon does not take is not kept
	run env -u LIAISON_HOME "$L" login "$JPN_URL" <<<"lsn_not-a-token"
	[ "$status" -eq 1 ]
	[[ "$output" == *"a valid bearer token is required"* ]]
	[ ! -e "$XDG_CONFIG_HOME/liaison/login" ]
}

@test "through a daemon, --by names only the token's person, and the node's own commands stay local" {
	run as "$JPN_URL" "$SATO" item share report.txt --by suzuki --level HI --title t
	[ "$status" -eq 2 ]
	[[ "$output" == *"--by suzuki: through the daemon (LIAISON_URL) every act is the token's person's, sato's"* ]]
	run as "$JPN_URL" "$SATO" person token sato
	[ "$status" -eq 2 ]
	[[ "$output" == *"person token works on the node's own folder"* ]]
	run env -u LIAISON_HOME LIAISON_URL="$JPN_URL" "$L" item list
	[ "$status" -eq 2 ]
	[[ "$output" == *"there is no token for it"* ]]
	# a revoked token: refused, and said why
	TID=$("$L" --home jpn --json person tokens sato | jq -r '.tokens[0].id')
	"$L" --home jpn person revoke-token "$TID" >/dev/null
	run as "$JPN_URL" "$SATO" item list
	[ "$status" -eq 1 ]
	[[ "$output" == *"unknown or revoked token"* ]]
}

@test "through the daemon, - is standard input and output too: a pipe uploads chunked, a download goes to stdout" {
	ID=$(cat report.txt | env -u LIAISON_HOME -u LIAISON_PASSPHRASE LIAISON_URL="$JPN_URL" \
		LIAISON_TOKEN="$SATO" "$L" item share - --level GOKUHI --title Piped \
		--releasable KOR --ntk MISSILE-WARNING --purpose warning)
	[[ "$ID" =~ ^JPN-[0-9a-f]{24}$ ]]
	as "$JPN_URL" "$SATO" item get "$ID" --purpose warning -o - >out.txt 2>err.txt
	cmp report.txt out.txt
	grep -q "bytes in -" err.txt
	as "$JPN_URL" "$SATO" item release "$ID" --to KOR -o - >rel.lsn 2>/dev/null
	"$L" --home kor item import - <rel.lsn >/dev/null 2>&1
	[ "$(sqlite3 kor/node.db "SELECT count(*) FROM items WHERE id = '$ID'")" -eq 1 ]
}

@test "a name with ?, #, %, /, .. or spaces in it reaches the daemon escaped: no query added, no other route" {
	# every byte but letters, digits and -._~ goes as %XX (RFC 3986): the
	# daemon answers about exactly that name, as the node itself does (the
	# node alone adds a suggestion: "did you mean")
	for name in 'kim?person=park' 'kim#x' 'kim%2Fpark' 'ki m' '金' 'kim&x=1'; do
		local_out=$("$L" --home kor person show "$name" 2>&1 || true)
		run as "$KOR_URL" "$KIM" person show "$name"
		[ "$status" -ne 0 ]
		[ "$output" = "liaison: unknown person $name" ] || { echo "for $name: $output"; false; }
		[[ "$local_out" == "$output"* ]] || { echo "for $name, the node: $local_out"; false; }
	done
	# a / is unescaped by the daemon before routing: the path then matches
	# no route (dot segments are not resolved), so nothing else answers
	run as "$KOR_URL" "$KIM" person show 'kim/../../v1/items'
	[ "$status" -ne 0 ]
	[ "$output" = "liaison: no such endpoint: /v1/people/kim/../../v1/items" ]
	# the daemon's access log shows each request as one path, no query
	# (written at least every 200 ms)
	eventually grep -q '"path":"/v1/people/kim?person=park"' kor.log
	eventually grep -q '"path":"/v1/people/kim&x=1"' kor.log
}

@test "a name too long for the request's path is refused whole, never sent cut" {
	# 700 Korean syllables: 2,100 bytes, 6,300 escaped; before, the path was
	# cut at 2,047 bytes and the daemon was asked about a shorter name
	run as "$KOR_URL" "$KIM" person show "$(printf '金%.0s' $(seq 700))"
	[ "$status" -eq 2 ]
	[ "$output" = "liaison: an argument is too long: escaped for the URL, the path and query would pass 2047 bytes" ]
	# one of 20 (60 bytes, 180 escaped) goes whole, and is the only one the
	# daemon saw (its access log writes the name as it is)
	short=$(printf '金%.0s' $(seq 20))
	run as "$KOR_URL" "$KIM" person show "$short"
	[ "$status" -ne 0 ]
	[ "$output" = "liaison: unknown person $short" ]
	eventually grep -q "\"path\":\"/v1/people/$short\"" kor.log
	[ "$(grep -c '"path":"/v1/people/金' kor.log)" -eq 1 ]
}
