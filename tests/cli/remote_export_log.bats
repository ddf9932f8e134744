#!/usr/bin/env bats
# export and log through a daemon (LIAISON_URL, LIAISON_TOKEN): the same
# answers as on the node's folder, byte for byte, text and --json, and the
# same exit status, errors included.
load helpers

setup() {
	export LIAISON_PASSPHRASE="test passphrase"
	export LIAISON_NOW=2019-09-01
	unset LIAISON_HOME LIAISON_URL LIAISON_TOKEN
	cd "$BATS_TEST_TMPDIR"
	DAEMON_PID=
	"$L" --home node init --replay --party JPN >/dev/null
	"$L" --home node config apply "$EXAMPLE" >/dev/null
	SATO=$("$L" --home node person token sato 2>/dev/null) # an analyst and originator
	ITO=$("$L" --home node person token ito 2>/dev/null)   # the registrar
	MORI=$("$L" --home node person token mori 2>/dev/null) # the auditor
	daemon node
	[ -n "$DAEMON_URL" ]
}

teardown() {
	[ -z "${DAEMON_PID:-}" ] || kill -9 "$DAEMON_PID" 2>/dev/null || true
	[ -z "${DAEMON_PID:-}" ] || wait "$DAEMON_PID" 2>/dev/null || true
	api_check
}

# here ARGS...: the command on the node's folder; out in here.out, here.err
# (without the LIAISON_NOW note), its status in HERE
here() {
	HERE=0
	"$L" --home node "$@" >here.out 2>here.all || HERE=$?
	grep -v '^note: the clock is set by LIAISON_NOW' here.all >here.err || true
}

# there TOKEN ARGS...: the command through the daemon as TOKEN's person;
# out in there.out, there.err, its status in THERE
there() {
	local token=$1
	shift
	THERE=0
	LIAISON_URL=$DAEMON_URL LIAISON_TOKEN=$token "$L" "$@" >there.out 2>there.err || THERE=$?
}

# same TOKEN ARGS...: the command, as text and with --json, answers the same
# on the folder and through the daemon (stdout, stderr and status); the
# status in STATUS, the text's stderr in text.err, the --json answers left
# in here.out and there.out
same() {
	local token=$1 j
	shift
	for j in "" --json; do
		here $j "$@"
		there "$token" $j "$@"
		diff here.out there.out || { echo "stdout differs: $j $*"; return 1; }
		diff here.err there.err || { echo "stderr differs: $j $*"; return 1; }
		[ "$HERE" = "$THERE" ] || { echo "$j $*: exit $HERE here, $THERE there"; return 1; }
		[ -n "$j" ] || cp there.err text.err
		STATUS=$HERE
	done
}

@test "export check, group, timeline, licence list and regime: the same both ways" {
	same "$SATO" export check --entry HF --to KOR --at 2019-07-03
	[ "$STATUS" -eq 0 ]
	same "$SATO" export check --entry HF --to KOR --at 2019-07-04
	[ "$STATUS" -eq 3 ] # individual-required: exit 3 both ways
	jq -e '.allowed == false' there.out
	same "$SATO" export check --entry HF --to KOR --at 2019-08-29 # its first licence
	[ "$STATUS" -eq 0 ]
	same "$SATO" export check --to KOR
	[ "$STATUS" -eq 3 ]
	same "$SATO" export check --to USA
	same "$SATO" export check --entry ARMS --to PRK
	[ "$STATUS" -eq 3 ]
	same "$SATO" export check --entry NC-TOOLS --to BRA
	for at in 2000-01-01 2019-08-27 2019-08-28 2024-01-01; do
		same "$SATO" export group KOR --at "$at"
	done
	same "$SATO" export group CHN
	same "$SATO" export group USA
	same "$SATO" export timeline KOR
	same "$SATO" export timeline BRA
	same "$SATO" export licence list
	same "$SATO" export licence list --entry HF --to KOR --at 2019-01-01
	same "$SATO" export regime
	# the text is the folder's of before: spot checks
	there "$SATO" export group KOR --at 2019-08-28
	[ "$(head -1 there.out)" = "KOR (South Korea) is in JPN's group B on 2019-08-28 (2019-08-28 to 2023-07-20)" ]
	there "$SATO" export timeline KOR
	grep -qx "2019-07-04  HF           general-bulk -> individual-required (special measure)" there.out
	there "$SATO" export check --entry HF --to KOR --at 2019-07-03
	[ "$(head -1 there.out)" = "general-bulk: HF to KOR (South Korea) on 2019-07-03" ]
}

@test "export licence add: the same answer both ways; a registrar's through the daemon" {
	here export licence add IL-T --entry HF --to KOR --valid-from 2019-10-01 --valid-to 2019-12-31
	[ "$HERE" -eq 0 ]
	there "$ITO" export licence add IL-T2 --entry HF --to KOR --valid-from 2019-10-01 --valid-to 2019-12-31
	[ "$THERE" -eq 0 ]
	[ "$(cat here.out)" = "added IL-T             HF           KOR  2019-10-01 to 2019-12-31  not yet valid" ]
	diff here.out <(sed 's/IL-T2/IL-T /' there.out)
	here --json export licence add IL-J --entry RESIST --to KOR --valid-from 2019-08-01 --valid-to 2020-01-31
	there "$ITO" --json export licence add IL-J2 --entry RESIST --to KOR --valid-from 2019-08-01 --valid-to 2020-01-31
	[ "$HERE$THERE" = 00 ]
	diff here.out <(jq '.id = "IL-J"' there.out)
	[ "$(jq -r .status there.out)" = valid ]
	# an analyst may not add one: forbidden, exit 3
	there "$SATO" export licence add IL-S --entry HF --to KOR --valid-from 2019-10-01 --valid-to 2019-12-31
	[ "$THERE" -eq 3 ]
	# the same refusals: one on file (1), an entry not on the list (2, naming it)
	same "$ITO" export licence add IL-T --entry HF --to KOR --valid-from 2019-10-01 --valid-to 2019-12-31
	[ "$STATUS" -eq 1 ]
	grep -q "licence IL-T is already on file" text.err
	same "$ITO" export licence add IL-X --entry GOLD --to KOR --valid-from 2019-08-08 --valid-to 2019-09-01
	[ "$STATUS" -eq 2 ]
	[ "$(jq -r .error.field there.out)" = entry ]
	same "$ITO" export licence add IL-X --entry HF --to KOR --valid-from 2019-09-02 --valid-to 2019-09-01
	[ "$STATUS" -eq 2 ]
	same "$ITO" export licence add IL-X --entry HF --to KOR --valid-from 2019-08-08
	[ "$STATUS" -eq 2 ]
	# every licence added either way is listed the same both ways
	same "$SATO" export licence list
	[ "$(jq '.licences | length' there.out)" -eq 7 ] # the example's three, and four
}

@test "export errors: the same message and status both ways" {
	same "$SATO" export group XXX
	[ "$STATUS" -eq 2 ]
	same "$SATO" export group KR
	[ "$STATUS" -eq 2 ]
	grep -q 'COUNTRY: "KR" is not an ISO 3166-1 alpha-3' text.err
	same "$SATO" export check --entry SARIN --to KOR
	[ "$STATUS" -eq 1 ]
	grep -q "SARIN is not an entry of JPN's control list" text.err
	[ "$(jq -r .error.code there.out)" = not-found ]
	same "$SATO" export check --entry RESIST --to USA --from KOR
	[ "$STATUS" -eq 1 ]
	grep -q "RESIST is not an entry of KOR's control list" text.err
	same "$SATO" export check --entry HF
	[ "$STATUS" -eq 2 ]
	same "$SATO" export check --entry HF --to KOR --at 2019-02-30
	[ "$STATUS" -eq 2 ]
	same "$SATO" export timeline ROK
	[ "$STATUS" -eq 2 ]
	same "$SATO" export regime --from USA
	[ "$STATUS" -eq 1 ]
	grep -q "no export regime of USA is on file" text.err
	same "$SATO" export licence frobnicate
	[ "$STATUS" -eq 2 ]
}

@test "log entries, prove, consistency and verify: the same both ways, for the auditor" {
	"$L" --home node person add tanaka --party JPN --name Tanaka --role analyst >/dev/null 2>&1
	same "$MORI" log entries
	there "$MORI" log entries
	[ "$(wc -l <there.out)" -ge 5 ]
	head -1 there.out | jq -e '.kind == "node-init"'
	tail -1 there.out | jq -e '.kind == "person-put" and .person.id == "tanaka"'
	same "$MORI" log entries --from 1 --to 3
	[ "$(jq -c '[.entries[].index]' there.out)" = "[1,2]" ]
	same "$MORI" log entries --from 2
	same "$MORI" log prove --index 2
	same "$MORI" log prove --index 1 --size 3
	jq -e '.index == 1 and .size == 3' here.out
	there "$MORI" log prove --index 1 --size 3
	[ "$(head -1 there.out)" = "entry 1 in the tree of 3 entries" ]
	same "$MORI" log consistency --from 2
	same "$MORI" log consistency --from 2 --to 4
	same "$MORI" log consistency --from 0 --to 4
	same "$MORI" log verify
	[ "$STATUS" -eq 0 ]
	jq -e '.ok and .checkpoint == null' there.out
	"$L" --home node log checkpoint >/dev/null 2>&1
	same "$MORI" log verify
	jq -e '.ok and .checkpoint.origin == "liaison/JPN" and (.checkpoint.root | length) == 44' there.out
	there "$MORI" log verify
	grep -q "is signed by liaison/JPN and matches the tree" there.out
}

@test "log errors: ranges are usage errors both ways; the log is the auditor's; witness is local" {
	same "$MORI" log prove --index 99
	[ "$STATUS" -eq 2 ]
	[ "$(jq -r .error.field there.out)" = index ]
	same "$MORI" log prove --index 1 --size 99
	[ "$STATUS" -eq 2 ]
	[ "$(jq -r .error.field there.out)" = size ]
	same "$MORI" log prove --index -1
	[ "$STATUS" -eq 2 ]
	same "$MORI" log prove
	[ "$STATUS" -eq 2 ]
	same "$MORI" log consistency --from 5 --to 3
	[ "$STATUS" -eq 2 ]
	same "$MORI" log consistency --from 1 --to 99
	[ "$STATUS" -eq 2 ]
	same "$MORI" log entries --from 2 --to 99
	[ "$STATUS" -eq 2 ]
	same "$MORI" log entries --from 3 --to 2
	[ "$STATUS" -eq 2 ]
	# an analyst does not read the log
	there "$SATO" log entries
	[ "$THERE" -eq 3 ]
	# witness needs the node's folder
	there "$MORI" log witness cp.txt
	[ "$THERE" -eq 2 ]
	grep -q "log witness works on the node's own folder" there.err
}

@test "log verify: a tampered log is exit 1 with the same problem both ways" {
	sqlite3 node/node.db "UPDATE log_entries SET data = CAST(replace(CAST(data AS TEXT), 'JPN', 'KOR') AS BLOB) WHERE idx = 1"
	same "$MORI" log verify
	[ "$STATUS" -eq 1 ]
	grep -q "log entry 1 does not match the tree" text.err
	there "$MORI" --json log verify
	jq -e '.ok == false and (.problem | test("log entry 1"))' there.out
}

@test "log checkpoint: signed by the node here, by its daemon there, the same shape" {
	here log checkpoint
	there "$SATO" log checkpoint
	[ "$HERE$THERE" = 00 ]
	[ "$(wc -l <here.out)" = "$(wc -l <there.out)" ]
	[ "$(head -2 here.out)" = "$(head -2 there.out)" ]
	[ "$(sed -n 1p there.out)" = liaison/JPN ]
	grep -q '^— liaison/JPN ' there.out
	here --json log checkpoint
	there "$SATO" --json log checkpoint
	[ "$(jq -c 'keys' here.out)" = "$(jq -c 'keys' there.out)" ]
	[ "$(jq -c '[.origin, .size, .root]' here.out)" = "$(jq -c '[.origin, .size, .root]' there.out)" ]
	there "$SATO" log checkpoint -o cp.txt
	[ "$THERE" -eq 0 ]
	[ "$(cat there.out)" = "checkpoint of liaison/JPN at size $(sed -n 2p cp.txt) written to cp.txt" ]
	there "$SATO" log checkpoint -o cp.txt
	[ "$THERE" -eq 1 ]
	there "$SATO" log checkpoint -o cp.txt --force
	[ "$THERE" -eq 0 ]
	# the daemon's checkpoint is the node's: a peer witnesses it
	"$L" --home kor init --replay --party KOR >/dev/null
	"$L" --home kor config apply "$EXAMPLE" >/dev/null
	"$L" --home kor party key JPN node/keys/JPN.pub >/dev/null
	run "$L" --home kor log witness cp.txt
	[ "$status" -eq 0 ]
	[[ "$output" == *"liaison/JPN at size"*"signature ok"* ]]
}

@test "log entries: more than a page through the daemon; withheld entries as one line" {
	# 1100 people: entries beyond the daemon's page of 1000
	for i in $(seq 1100); do
		[ "$i" = 1 ] || echo next
		printf 'url = "%s/v1/people"\nheader = "Authorization: Bearer %s"\nheader = "Content-Type: application/json"\ndata = "{\\"id\\": \\"p%d\\", \\"party\\": \\"JPN\\", \\"name\\": \\"P\\", \\"roles\\": [\\"analyst\\"]}"\noutput = "/dev/null"\n' \
			"$DAEMON_URL" "$ITO" "$i"
	done >people.curl
	curl -s -K people.curl
	[ "$("$L" --home node --json log entries | jq '.entries | length')" -gt 1100 ]
	same "$MORI" log entries
	[ "$(jq '.entries | length' there.out)" -gt 1100 ]
	same "$MORI" log entries --from 50 --to 1060
	[ "$(jq '.entries | length' there.out)" -eq 1010 ]
	[ "$(jq -r '.from, .to' there.out | paste -sd' ')" = "50 1060" ]
	same "$MORI" log entries --from 1000
	same "$MORI" log entries --from 7 --to 7
	[ "$(jq '.entries | length' there.out)" -eq 0 ]
	# an item an auditor cleared HI may not see: its entries withheld through
	# the daemon, each one line, its leaf hash still there
	"$L" --home node person add lowaud --party JPN --name Lowaud --role auditor --clearance HI \
		--from 2015-01-01 >/dev/null 2>&1
	LOWAUD=$("$L" --home node person token lowaud 2>/dev/null)
	echo "launch at 06:00" >report.txt
	"$L" --home node item share report.txt --by sato --level GOKUHI --title Launch \
		--releasable KOR --ntk MISSILE-WARNING >/dev/null 2>&1
	here log entries
	there "$LOWAUD" log entries
	[ "$THERE" -eq 0 ]
	[ "$(wc -l <here.out)" = "$(wc -l <there.out)" ]
	last=$(tail -1 there.out)
	echo "$last" | jq -e '.withheld == true and (.leaf_hash | length) == 44'
	[ "$last" = "$(echo "$last" | jq -c .)" ]
	tail -1 here.out | jq -e '.kind == "item-share"'
}

@test "every read route: the CLI's --json on the node and the daemon's answer are one object" {
	G=JPN-KOR-GSOMIA
	echo "launch at 06:00" >r.txt
	ID=$("$L" --home node item share r.txt --by sato --level GOKUHI --title Launch --releasable KOR \
		--ntk MISSILE-WARNING --purpose warning 2>/dev/null)
	"$L" --home node log checkpoint >/dev/null 2>&1
	json_same() { # TOKEN ARGS...: --json here and there, the same bytes and status
		local token=$1
		shift
		here --json "$@"
		there "$token" --json "$@"
		# the daemon's body, as the CLI printed it, for the schema check
		[ "$THERE" != 0 ] || api_record GET "${covered[-1]#GET }" 200 there.out
		diff here.out there.out && [ "$HERE" = "$THERE" ] && jq -e . there.out >/dev/null
	}
	# http ROUTE TOKEN PATH -- CLI ARGS...: the body of GET PATH is the CLI's --json on the node
	http() {
		local token=$2 path=$3
		shift 4
		code=$(curl -s -o http.raw -w '%{http_code}' -H "Authorization: Bearer $token" "$DAEMON_URL$path")
		api_record GET "$path" "$code" http.raw
		jq -S . http.raw >http.json
		"$L" --home node --json "$@" 2>/dev/null | jq -S . >cli.json
		diff cli.json http.json
	}
	covered=()
	cover() { covered+=("GET $1"); }
	cover /v1/agreements;                 json_same "$SATO" agreement list
	cover "/v1/agreements/{id}";          json_same "$SATO" agreement show "$G"
	cover "/v1/agreements/{id}/status";   json_same "$SATO" agreement status "$G" --at 2019-11-23
	cover "/v1/agreements/{id}/timeline"; json_same "$SATO" agreement timeline "$G"
	# the picture: the same bytes both ways (not JSON)
	cover "/v1/agreements/{id}/timeline.svg"
	here agreement timeline "$G" --svg --without 4
	there "$SATO" agreement timeline "$G" --svg --without 4
	cmp here.out there.out && [ "$HERE" = 0 ] && [ "$THERE" = 0 ]
	grep -q 'without event 4' there.out
	cover /v1/people;                     json_same "$ITO" person list
	cover "/v1/people/{id}";              json_same "$ITO" person show kim
	cover /v1/items;                      json_same "$SATO" item list
	cover "/v1/items/{id}";               json_same "$SATO" item show "$ID"
	cover /v1/export/check;               json_same "$SATO" export check --entry RESIST --to KOR --at 2020-03-02
	cover "/v1/export/groups/{country}";  json_same "$SATO" export group JPN --from KOR --at 2019-09-18
	cover "/v1/export/timeline/{country}"; json_same "$SATO" export timeline KOR
	cover /v1/export/licences;            json_same "$SATO" export licence list --to KOR
	cover /v1/export/regime;              json_same "$SATO" export regime
	cover /v1/log/entries;                json_same "$MORI" log entries
	cover /v1/log/proof;                  json_same "$MORI" log prove --index 1
	cover /v1/log/consistency;            json_same "$MORI" log consistency --from 2
	cover /v1/log/verify;                 json_same "$MORI" log verify
	cover /v1/log/alarms;                 json_same "$MORI" log alarms
	# the node's own commands (no remote form): the body against the CLI's
	"$L" --home node person add ops --party JPN --name Ops --role security-officer >/dev/null
	OPS=$("$L" --home node person token ops 2>/dev/null)
	cover /v1/peers;  http x "$OPS" /v1/peers -- peer list
	cover /v1/outbox; http x "$OPS" /v1/outbox -- peer outbox
	cover /v1/reports; http x "$OPS" /v1/reports -- report list
	cover "/v1/reports/{id}"
	[ "$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $OPS" \
		"$DAEMON_URL/v1/reports/0123456789abcdef0123456789abcdef")" = 404 ]
	# signed anew on each ask: the same fields, not the same bytes (log.bats)
	cover /v1/log/checkpoint
	# no CLI twin: the health probe, the token's person (whoami prints it), a
	# party's scheme, an item's bytes (item download: remote.bats compares them)
	cover /healthz; cover /readyz; cover /metrics; cover /v1/me; cover "/v1/parties/{code}"; cover "/v1/items/{id}/content"
	# the web console's page, files and session (console.bats, tests/console)
	cover /; cover "/console/{file}"; cover /v1/session
	printf '%s\n' "${covered[@]}" | sort >covered.txt
	"$L" serve --routes | grep '^GET ' | sort >routes.txt
	diff routes.txt covered.txt
}
