#!/usr/bin/env bats
# The node daemon against a real server on loopback: every endpoint's
# answers and failures, authentication on every endpoint, the same objects
# as the CLI's --json, concurrent clients, TLS, and stopping mid-upload.
load helpers

setup() {
	two_nodes
	third_party jpn kor
	"$L" --home jpn person add reg --party JPN --name Registrar --role registrar >/dev/null
	SATO=$("$L" --home jpn person token sato 2>/dev/null)
	SUZUKI=$("$L" --home jpn person token suzuki 2>/dev/null)
	REG=$("$L" --home jpn person token reg 2>/dev/null)
	AUD=$("$L" --home jpn person token mori 2>/dev/null) # the example's auditor
	echo "launch at 06:00 from the west coast" >report.txt
	SERVER_PID=
}

teardown() {
	[ -z "$SERVER_PID" ] || kill -9 "$SERVER_PID" 2>/dev/null || true
	api_check
}

# start HOME [OPTIONS...]: a server on a free port; sets URL and SERVER_PID
start() {
	daemon "$@"
	SERVER_PID=$DAEMON_PID
	URL=$DAEMON_URL
}

# clients_ok: waits for the test's background clients (not the server); fails if one did
clients_ok() {
	local fails=0
	for job in $(jobs -p); do
		[ "$job" = "$SERVER_PID" ] && continue
		wait "$job" || fails=$((fails + 1))
	done
	[ "$fails" = 0 ]
}

stop() {
	kill -TERM "$SERVER_PID"
	wait "$SERVER_PID"
	SERVER_PID=
}

# call TOKEN METHOD PATH [CURL ARGS...]: the status in $status_code, the body in out.json
call() {
	local token=$1 method=$2 path=$3
	shift 3
	status_code=$(curl -s -o out.json -w '%{http_code}' -X "$method" \
		${token:+-H "Authorization: Bearer $token"} "$@" "$URL$path")
	api_record "$method" "$path" "$status_code" out.json
}

share() { # TOKEN -> the new item's id
	call "$1" POST "/v1/items?level=GOKUHI&title=Launch&releasable=KOR&releasable=USA&ntk=MISSILE-WARNING&purpose=warning" \
		--data-binary @report.txt
	[ "$status_code" = 201 ]
	jq -r .id out.json
}

@test "the server and docs/openapi.yaml list the same endpoints" {
	"$L" serve --routes | sort >server.txt
	awk '/^  \/[^ ]*:$/ { p = substr($1, 1, length($1) - 1) }
	     /^    (get|post|put|delete):$/ { print toupper(substr($1, 1, length($1) - 1)) " " p }' \
		"$BATS_TEST_DIRNAME/../../docs/openapi.yaml" | sort >doc.txt
	diff server.txt doc.txt
	[ "$(wc -l <server.txt)" -ge 39 ]
}

@test "methods: 405 says Allow, OPTIONS lists a path's methods, HEAD answers a read's headers only" {
	start jpn
	# a method the path does not take: 405 naming them, nothing done
	curl -s -D h.txt -o out.json -X DELETE -H "Authorization: Bearer $REG" "$URL/v1/people"
	grep -q "^HTTP/1.1 405" h.txt
	grep -qi "^Allow: GET, HEAD, POST, OPTIONS" h.txt
	[[ "$(jq -r .error.message out.json)" == *"does not take DELETE (Allow: GET, HEAD, POST, OPTIONS)"* ]]
	# OPTIONS: 204 and Allow, no token needed (the table is docs/openapi.yaml)
	curl -s -D h.txt -o out.json -X OPTIONS "$URL/v1/items/abc"
	grep -q "^HTTP/1.1 204" h.txt
	grep -qi "^Allow: GET, HEAD, OPTIONS" h.txt
	[ ! -s out.json ]
	curl -s -D h.txt -o /dev/null -X OPTIONS "$URL/v1/nothing"
	grep -q "^HTTP/1.1 404" h.txt
	# an id longer than any the node keeps: said so, naming it (it once
	# read "no such endpoint"), before the token is asked for
	long=$(printf 'x%.0s' $(seq 200))
	call "" GET "/v1/items/$long"
	[ "$status_code" = 400 ]
	[ "$(jq -r '.error.code + " " + .error.field' out.json)" = "invalid id" ]
	[[ "$(jq -r .error.message out.json)" == *"id: longer than 127 bytes"* ]]
	call "$SATO" POST "/v1/items/$long/release" -d '{"to": "KOR"}'
	[ "$status_code" = 400 ]
	call "" DELETE "/v1/items/$long"
	[ "$status_code" = 405 ]
	# HEAD: the GET's status and length, no body; still needs the token
	curl -s -o get.json -D g.txt -H "Authorization: Bearer $SATO" "$URL/v1/agreements"
	curl -s -I -H "Authorization: Bearer $SATO" "$URL/v1/agreements" >h.txt
	grep -q "^HTTP/1.1 200" h.txt
	[ "$(grep -i '^Content-Length' h.txt)" = "$(grep -i '^Content-Length' g.txt)" ]
	[ -s get.json ]
	[ "$(curl -s -o /dev/null -w '%{http_code}' -I "$URL/v1/agreements")" = 401 ]
	# a download or a checkpoint is an act: GET only
	curl -s -I -H "Authorization: Bearer $SATO" "$URL/v1/log/checkpoint" >h.txt
	grep -q "^HTTP/1.1 405" h.txt
	grep -qi "^Allow: GET, OPTIONS" h.txt
}

@test "every /v1/ endpoint refuses a missing, unknown or revoked token with 401" {
	start jpn
	call "" GET /healthz
	[ "$status_code" = 200 ]
	[ "$(jq -r .party out.json)" = JPN ]
	issued=$("$L" --home jpn --json person token sato)
	REVOKED=$(echo "$issued" | jq -r .token)
	rid=$(echo "$issued" | jq -r .id)
	"$L" --home jpn person revoke-token "$rid" >/dev/null
	[ "$("$L" --home jpn --json person tokens sato | jq -r "[.tokens[] | select(.id == \"$rid\") | .revoked_on] | .[0]")" = 2019-09-01 ]
	# every route of /v1/ but the console's sign-in (which takes a token:
	# console.bats), with each bad token, in one go (tests/tools/ask.py)
	while read -r method path; do
		[[ "$path" == /v1/* ]] && [ "$method $path" != "POST /v1/session" ] || continue
		for t in "" "lsn_nottherealtoken" "$REVOKED"; do
			printf '%s\t%s\t%s\tjson:{}\n' "$t" "$method" "$path"
		done
	done < <("$L" serve --routes | sed 's/{[a-z]*}/X/g') >asks.tsv
	python3 "$BATS_TEST_DIRNAME/../tools/ask.py" "$URL" <asks.tsv >gots.txt
	[ "$(wc -l <gots.txt)" = "$(wc -l <asks.tsv)" ] && [ "$(wc -l <asks.tsv)" -gt 100 ]
	if grep -vxP '401\tauth' gots.txt; then
		paste asks.tsv gots.txt | grep -vP '\t401\tauth$' | cut -f2- >&2
		false
	fi
	grep -q 'WWW-Authenticate' <(curl -s -i "$URL/v1/me")
	call "$SATO" GET /v1/me
	[ "$status_code" = 200 ]
	[ "$(jq -r .id out.json)" = sato ]
	stop
}

@test "a question's body comes in for a token a thread saw valid, and the token is checked with the answer: revoked, refused at once" {
	start jpn
	id=$(share "$SATO")
	issued=$("$L" --home jpn --json person token sato)
	T=$(echo "$issued" | jq -r .token)
	rid=$(echo "$issued" | jq -r .id)
	body="{\"item\": \"$id\", \"action\": \"read\", \"purpose\": \"warning\"}"
	# every worker thread has seen the token valid (and keeps it)
	for _ in $(seq 12); do
		call "$T" POST /v1/access-checks -d "$body"
		[ "$status_code" = 200 ] && [ "$(jq -r .decision out.json)" = PERMIT ]
	done
	"$L" --home jpn person revoke-token "$rid" >/dev/null
	for _ in $(seq 12); do
		call "$T" POST /v1/access-checks -d "$body"
		[ "$status_code" = 401 ]
		[[ "$(jq -r .error.message out.json)" == *"unknown or revoked token"* ]]
	done
	# a person whose clearance ends: the answer of the same snapshot says so
	call "$SATO" POST /v1/access-checks -d "$body"
	[ "$(jq -r .decision out.json)" = PERMIT ]
	"$L" --home jpn person add sato --party JPN --name "Sato Hiroshi" --role originator \
		--role analyst --clearance TOKUTEI --from 2015-04-01 --to 2019-08-31 \
		--ntk MISSILE-WARNING --replace >/dev/null
	call "$SATO" POST /v1/access-checks -d "$body"
	[ "$status_code" = 200 ]
	[ "$(jq -r .decision out.json)" = DENY ]
	stop
}

# known: liaison_generation_known_total, as the auditor reads /metrics
known() {
	curl -s -H "Authorization: Bearer $AUD" "$URL/metrics" |
		sed -n 's/^liaison_generation_known_total //p'
}

@test "SQLite: warm access checks read no generation while nothing is committed; a revoke by another process is refused at the next check" {
	start jpn --threads 1
	id=$(share "$SATO")
	issued=$("$L" --home jpn --json person token sato)
	T=$(echo "$issued" | jq -r .token)
	rid=$(echo "$issued" | jq -r .id)
	body="{\"item\": \"$id\", \"action\": \"read\", \"purpose\": \"warning\"}"
	k0=$(known)
	[ -n "$k0" ]
	for _ in $(seq 10); do
		call "$T" POST /v1/access-checks -d "$body"
		[ "$status_code" = 200 ] && [ "$(jq -r .decision out.json)" = PERMIT ]
	done
	# the first read it (and the token's first use today is a commit: the
	# second too); the rest knew it, nothing committed since (8 here; an
	# answer is kept a second at most, and under valgrind a check is slow)
	k1=$(known)
	echo "known: $k0 -> $k1" >&2
	((k1 - k0 >= 2))
	# a commit by the CLI, another process: read at once, and refused
	"$L" --home jpn person revoke-token "$rid" >/dev/null
	call "$T" POST /v1/access-checks -d "$body"
	[ "$status_code" = 401 ]
	[[ "$(jq -r .error.message out.json)" == *"unknown or revoked token"* ]]
	for _ in $(seq 5); do
		call "$T" POST /v1/access-checks -d "$body"
		[ "$status_code" = 401 ]
	done
	# another token's checks: known again once read since the revoke
	for _ in $(seq 3); do
		call "$SATO" POST /v1/access-checks -d "$body"
		[ "$(jq -r .decision out.json)" = PERMIT ]
	done
	k2=$(known)
	echo "known: $k1 -> $k2" >&2
	((k2 - k1 >= 1))
	stop
}

@test "items: share by upload, show, download, deny, release, import on the peer" {
	start jpn
	id=$(share "$SATO")
	call "$SATO" GET "/v1/items/$id"
	[ "$status_code" = 200 ]
	[ "$(jq -r '.marking.level' out.json)" = GOKUHI ]
	diff <(jq -S . out.json) <("$L" --home jpn --json item show "$id" | jq -S .)
	call "$SATO" GET /v1/items
	[ "$(jq '.items | length' out.json)" = 1 ]
	# the payload, for the stated purpose
	call "$SATO" GET "/v1/items/$id/content?purpose=warning"
	[ "$status_code" = 200 ]
	cmp out.json report.txt
	# no purpose: DENY, 403: the error with the decision inside
	call "$SATO" GET "/v1/items/$id/content"
	[ "$status_code" = 403 ]
	[ "$(jq -r '.error.code' out.json)" = denied ]
	[[ "$(jq -r '.error.message' out.json)" == "DENY: sato may not download item $id: R-PURPOSE: "* ]]
	[ "$(jq -r '.error.decision | .decision + " " + ([.rules[] | select(.ok | not) | .id] | join(","))' out.json)" = "DENY R-PURPOSE" ]
	# suzuki lacks the need to know
	call "$SUZUKI" GET "/v1/items/$id/content?purpose=warning"
	[ "$status_code" = 403 ]
	# a payload over 1 MiB: streamed from a thread of its own, whole
	head -c 1500000 /dev/urandom >big.bin
	call "$SATO" POST "/v1/items?level=GOKUHI&title=big&releasable=KOR&ntk=MISSILE-WARNING&purpose=warning" \
		--data-binary @big.bin
	big=$(jq -r .id out.json)
	call "$SATO" GET "/v1/items/$big/content?purpose=warning"
	[ "$status_code" = 200 ]
	cmp out.json big.bin
	# a small one spoilt on disk: 500, the item named, the daemon's log says why
	small=$(share "$SATO")
	blob=jpn/blobs/$(sqlite3 jpn/node.db "SELECT blob FROM items WHERE id = '$small'").lsn
	flip_byte "$blob" $(($(stat -c %s "$blob") - 20))
	call "$SATO" GET "/v1/items/$small/content?purpose=warning"
	[ "$status_code" = 500 ]
	[ "$(jq -r .error.code out.json)" = io ]
	[[ "$(jq -r .error.message out.json)" == *"item $small could not be opened"* ]]
	grep -q "download of $small: item $small: " jpn.log
	# and gone from the disk: the same, the item named in the log too
	rm "$blob"
	call "$SATO" GET "/v1/items/$small/content?purpose=warning"
	[ "$status_code" = 500 ]
	[ "$(grep -c "download of $small: item $small: " jpn.log)" = 2 ]
	# release to KOR: the envelope comes back; KOR imports it over its own API
	call "$SATO" POST "/v1/items/$id/release" -d '{"to": "KOR"}'
	[ "$status_code" = 200 ]
	cp out.json env.lsn
	"$L" inspect env.lsn | grep -q "^envelope v4 from JPN"
	call "$SUZUKI" POST "/v1/items/$id/release" -d '{"to": "KOR"}'
	[ "$status_code" = 403 ]
	[ "$(sqlite3 jpn/node.db 'SELECT count(*) FROM releases')" = 1 ]
	stop
	KIM=$("$L" --home kor person token kim 2>/dev/null)
	PARK=$("$L" --home kor person token park 2>/dev/null)
	start kor
	# an analyst does not take envelopes in; a security officer does
	call "$KIM" POST /v1/items/import --data-binary @env.lsn
	[ "$status_code" = 403 ]
	[ "$(jq -r .error.code out.json)" = forbidden ]
	call "$PARK" POST /v1/items/import --data-binary @env.lsn
	[ "$status_code" = 201 ]
	[ "$(jq -r '.local_marking.level' out.json)" = II ]
	call "$PARK" POST /v1/items/import --data-binary @env.lsn
	[ "$status_code" = 409 ]
	call "$KIM" GET "/v1/items/$id/content?purpose=warning"
	cmp out.json report.txt
	stop
}

@test "acts on items: reproduce, translate, downgrade, report, destroy, consents" {
	start jpn
	id=$(share "$SATO")
	# released to KOR, which a consent's holder must have been
	"$L" --home jpn item release "$id" --to KOR --by sato -o env.lsn 2>/dev/null
	call "$SATO" POST "/v1/items/$id/reproduce" -d '{"purpose": "warning"}'
	[ "$status_code" = 201 ]
	copy=$(jq -r .id out.json)
	echo "訳文" >ja.txt
	call "$SATO" POST "/v1/items/$id/translate?purpose=warning" --data-binary @ja.txt
	[ "$status_code" = 201 ]
	call "$SATO" POST "/v1/items/$copy/downgrade" -d '{"level": "HI"}'
	[ "$status_code" = 200 ]
	[ "$(jq -r .marking.level out.json)" = HI ]
	call "$SATO" POST "/v1/items/$copy/destroy"
	[ "$status_code" = 403 ]
	call "$SUZUKI" POST "/v1/items/$copy/report-compromise" -d '{"details": "laptop lost"}'
	[ "$status_code" = 200 ]
	[ "$(jq -r .compromise_report.item out.json 2>/dev/null || jq -r .item out.json)" != null ]
	call "$SUZUKI" POST "/v1/items/$copy/destroy"
	[ "$status_code" = 200 ]
	[ "$(jq -r .destroyed out.json)" = true ]
	call "$SATO" GET "/v1/items/$copy/content"
	[ "$status_code" = 404 ]
	call "$SATO" POST "/v1/items/$id/consents" -d '{"to": "USA", "holder": "KOR"}'
	[ "$status_code" = 201 ]
	cp out.json consent.json
	call "$SUZUKI" POST "/v1/items/$id/consents" -d '{"to": "USA", "holder": "KOR"}'
	[ "$status_code" = 403 ]
	[ "$(jq -r .error.code out.json)" = forbidden ]
	stop
	"$L" --home kor item import env.lsn >/dev/null 2>&1
	PARK=$("$L" --home kor person token park 2>/dev/null)
	start kor
	call "$PARK" POST /v1/consents --data-binary @consent.json
	[ "$status_code" = 201 ]
	[ "$(jq -r '.item + " " + .to' out.json)" = "$id USA" ]
	stop
}

@test "the same objects as the CLI's --json: agreements, decisions, export, log" {
	start jpn
	id=$(share "$SATO")
	call "$SATO" GET "/v1/agreements/JPN-KOR-GSOMIA/status?at=2019-11-23&without=4"
	diff <(jq -S . out.json) <("$L" --home jpn --json agreement status JPN-KOR-GSOMIA --at 2019-11-23 --without 4 | jq -S .)
	[ "$(jq -r .state out.json)" = terminated ]
	call "$SATO" GET "/v1/agreements/JPN-KOR-GSOMIA/timeline?from=2019-01-01&to=2023-12-31"
	diff <(jq -S . out.json) <("$L" --home jpn --json agreement timeline JPN-KOR-GSOMIA --from 2019-01-01 --to 2023-12-31 | jq -S .)
	call "$SATO" GET "/v1/agreements?at=2019-08-23"
	diff <(jq -S . out.json) <("$L" --home jpn --json agreement list --at 2019-08-23 | jq -S .)
	call "$SATO" GET /v1/agreements/JPN-KOR-GSOMIA
	diff <(jq -S . out.json) <("$L" --home jpn --json agreement show JPN-KOR-GSOMIA | jq -S .)
	call "$SATO" POST /v1/access-checks -d "{\"item\": \"$id\", \"action\": \"read\", \"purpose\": \"warning\"}"
	[ "$status_code" = 200 ]
	diff <(jq -S . out.json) <("$L" --home jpn --json access check --person sato --item "$id" --action read --purpose warning | jq -S .)
	call "$SATO" GET "/v1/export/check?entry=HF&to=KOR&at=2019-07-04"
	diff <(jq -S . out.json) <("$L" --home jpn --json export check --entry HF --to KOR --at 2019-07-04 | jq -S .)
	call "$SATO" GET "/v1/export/groups/KOR?at=2019-08-28"
	diff <(jq -S . out.json) <("$L" --home jpn --json export group KOR --at 2019-08-28 | jq -S .)
	call "$SATO" GET /v1/export/timeline/KOR
	diff <(jq -S . out.json) <("$L" --home jpn --json export timeline KOR | jq -S .)
	call "$SATO" GET "/v1/export/licences?at=2019-09-01"
	diff <(jq -S . out.json) <("$L" --home jpn --json export licence list --at 2019-09-01 | jq -S .)
	call "$SATO" GET /v1/export/regime
	diff <(jq -S . out.json) <("$L" --home jpn --json export regime | jq -S .)
	call "$REG" GET /v1/people # a registrar sees everyone the node defines
	diff <(jq -S . out.json) <("$L" --home jpn --json person list | jq -S .)
	call "$AUD" GET "/v1/log/proof?index=2&size=5"
	diff <(jq -S . out.json) <("$L" --home jpn --json log prove --index 2 --size 5 | jq -S .)
	call "$AUD" GET "/v1/log/consistency?from=3&to=6"
	diff <(jq -S . out.json) <("$L" --home jpn --json log consistency --from 3 --to 6 | jq -S .)
	call "$AUD" GET "/v1/log/entries?from=0&to=4"
	diff <(jq -S . out.json) <("$L" --home jpn --json log entries --from 0 --to 4 | jq -S .)
	# an enforced decision over HTTP is in the log, as the token's person
	call "$SATO" GET "/v1/items/$id/content?purpose=warning"
	"$L" --home jpn log entries | jq -r 'select(.kind == "decision") | .decision.person' | grep -qx sato
	stop
}

@test "administration needs a registrar; bad input is 400 naming the field and stores nothing" {
	start jpn
	before=$("$L" --home jpn log entries | wc -l)
	person='{"id": "tanaka", "party": "JPN", "name": "Tanaka", "roles": ["analyst"]}'
	call "$SATO" POST /v1/people -d "$person"
	[ "$status_code" = 403 ]
	[[ "$(jq -r .error.message out.json)" == *"registrar"* ]]
	call "$REG" POST /v1/people -d '{"id": "tanaka", "party": "JPN", "name": "Tanaka", "roles": ["pilot"]}'
	[ "$status_code" = 400 ]
	[[ "$(jq -r .error.message out.json)" == *"roles[0]"* ]]
	call "$REG" POST /v1/people -d '{"id": "tanaka",'
	[ "$status_code" = 400 ]
	[[ "$(jq -r .error.message out.json)" == *"line 1"* ]]
	call "$SATO" POST /v1/access-checks -d '{"item": "x", "action": "fly"}'
	[ "$status_code" = 400 ]
	[[ "$(jq -r .error.message out.json)" == action:* ]]
	call "$SATO" POST /v1/access-checks -d '{"item": "x", "action": "read", "colour": 1}'
	[ "$status_code" = 400 ]
	[ "$(jq -r .error.message out.json)" = "colour: unknown field" ]
	call "$SATO" GET "/v1/export/check?entry=HF&to=KR"
	[ "$status_code" = 400 ]
	call "$SATO" GET "/v1/agreements?at=2019-02-30"
	[ "$status_code" = 400 ]
	[[ "$(jq -r .error.message out.json)" == at:*"28 days"* ]]
	call "$AUD" GET "/v1/log/proof?index=-1"
	[ "$status_code" = 400 ]
	call "$SATO" GET /v1/agreements/NOPE
	[ "$status_code" = 404 ]
	call "$SATO" GET /v1/nothing
	[ "$status_code" = 404 ]
	call "$SATO" DELETE /v1/items
	[ "$status_code" = 405 ]
	head -c 1100000 /dev/zero | tr '\0' ' ' >big.json
	call "$SATO" POST /v1/access-checks --data-binary @big.json
	[ "$status_code" = 413 ]
	call "$SATO" POST "/v1/items?level=GOKUHI" --data-binary @report.txt
	[ "$status_code" = 400 ]
	[[ "$(jq -r .error.message out.json)" == title:* ]]
	call "$SATO" POST "/v1/items?level=NOPE&title=T" --data-binary @report.txt
	[ "$status_code" = 400 ]
	[ "$(sqlite3 jpn/node.db 'SELECT count(*) FROM items')" = 0 ]
	[ "$(ls jpn/blobs | wc -l)" = 0 ]
	[ "$("$L" --home jpn log entries | wc -l)" = "$before" ]
	# a registrar may
	call "$REG" POST /v1/people -d "$person"
	[ "$status_code" = 201 ]
	call "$REG" POST /v1/agreements/JPN-KOR-GSOMIA/events -d '{"date": "2019-09-01", "kind": "amended"}'
	[ "$status_code" = 201 ]
	[ "$(jq -r .event.kind out.json)" = amended ]
	call "$REG" POST /v1/export/licences -d '{"id": "IL-9", "entry": "HF", "to": "KOR", "valid_from": "2019-09-01", "valid_to": "2019-12-31"}'
	[ "$status_code" = 201 ]
	call "$REG" POST /v1/export/licences -d '{"id": "IL-9", "entry": "HF", "to": "KOR", "valid_from": "2019-09-01", "valid_to": "2019-12-31"}'
	[ "$status_code" = 409 ]
	stop
	[ "$(ls jpn/tmp | wc -l)" = 0 ]
}

@test "query arguments: unknown, repeated or mistyped ones are 400 naming them; items in pages" {
	start jpn
	ids=()
	for i in 1 2 3; do ids+=("$(share "$SATO")"); done
	# a typo must not pass silently (a misspelt releasable would share an item unreleasable)
	call "$SATO" POST "/v1/items?level=GOKUHI&title=T&realeasable=KOR" --data-binary @report.txt
	[ "$status_code" = 400 ]
	[ "$(jq -r .error.message out.json)" = "realeasable: unknown query argument" ]
	call "$SATO" POST "/v1/items?level=GOKUHI&title=T&revocable=yes" --data-binary @report.txt
	[ "$status_code" = 400 ]
	[ "$(jq -r .error.message out.json)" = 'revocable: "yes" is not true or false' ]
	call "$SATO" POST "/v1/items?level=GOKUHI&level=HI&title=T" --data-binary @report.txt
	[ "$status_code" = 400 ]
	[ "$(jq -r .error.message out.json)" = "level: given more than once" ]
	[ "$(sqlite3 jpn/node.db 'SELECT count(*) FROM items')" = 3 ]
	call "$SATO" GET "/v1/agreements?at=2019-11-22&at=2019-11-23"
	[ "$status_code" = 400 ]
	call "$AUD" GET "/v1/log/entries?from=1&colour=red"
	[ "$status_code" = 400 ]
	[ "$(jq -r .error.message out.json)" = "colour: unknown query argument" ]
	call "$SATO" GET "/v1/me?x=1"
	[ "$status_code" = 400 ]
	[ "$(jq -r .error.message out.json)" = "x: unknown query argument (GET /v1/me takes none)" ]
	call "$SATO" POST "/v1/access-checks?item=${ids[0]}" -d "{\"item\": \"${ids[0]}\", \"action\": \"read\"}"
	[ "$status_code" = 400 ]
	q=$(for i in $(seq 65); do printf 'a%d=1&' "$i"; done)
	call "$SATO" GET "/v1/items?$q"
	[ "$status_code" = 400 ]
	[[ "$(jq -r .error.message out.json)" == *"at most 64 arguments"* ]]
	# the items, two a page, in the order shared
	call "$SATO" GET "/v1/items?limit=2"
	[ "$status_code" = 200 ]
	[ "$(jq -r '[.items[].id] | join(" ")' out.json)" = "${ids[0]} ${ids[1]}" ]
	[ "$(jq -r .next out.json)" = "${ids[1]}" ]
	call "$SATO" GET "/v1/items?limit=2&after=${ids[1]}"
	[ "$(jq -r '[.items[].id] | join(" ")' out.json)" = "${ids[2]}" ]
	[ "$(jq -r .next out.json)" = null ]
	call "$SATO" GET /v1/items
	[ "$(jq '.items | length' out.json)" = 3 ]
	diff <(jq -S . out.json) <("$L" --home jpn --json item list | jq -S .)
	call "$SATO" GET "/v1/items?after=0123456789abcdef01234567"
	[ "$status_code" = 404 ]
	[[ "$(jq -r .error.message out.json)" == "after: no item"* ]]
	for bad in 0 1001 -1 x; do
		call "$SATO" GET "/v1/items?limit=$bad"
		[ "$status_code" = 400 ] || { echo "limit=$bad: $status_code"; false; }
		[[ "$(jq -r .error.message out.json)" == limit:* ]]
	done
	stop
}

@test "the log over HTTP: a checkpoint the peer witnesses with a proof" {
	start jpn
	call "$SATO" GET /v1/log/checkpoint
	[ "$status_code" = 200 ]
	jq -j .note out.json >cp1.txt
	size1=$(jq -r .size out.json)
	share "$SATO" >/dev/null
	call "$SATO" GET /v1/log/checkpoint
	jq -j .note out.json >cp2.txt
	call "$AUD" GET "/v1/log/consistency?from=$size1"
	cp out.json proof.json
	call "$AUD" GET /v1/log/verify
	[ "$(jq -r '.ok' out.json)" = true ]
	[ "$(jq -r '.checkpoint.size' out.json)" = "$(sed -n 2p cp2.txt)" ]
	stop
	"$L" --home kor log witness cp1.txt >/dev/null
	run "$L" --home kor log witness cp2.txt --proof proof.json
	[ "$status" -eq 0 ]
	[[ "$output" == *"consistent with size $size1"* ]]
}

@test "concurrent clients: shares, reads and checks at once, nothing lost" {
	start jpn --threads 4
	for i in $(seq 8); do
		(
			for j in $(seq 5); do
				curl -sf -o /dev/null -H "Authorization: Bearer $SATO" --data-binary @report.txt \
					"$URL/v1/items?level=GOKUHI&title=c$i-$j&releasable=KOR&ntk=MISSILE-WARNING&purpose=warning" || exit 1
				curl -sf -o /dev/null -H "Authorization: Bearer $SATO" "$URL/v1/agreements" || exit 1
			done
		) &
	done
	clients_ok
	call "$SATO" GET /v1/items
	[ "$(jq '.items | length' out.json)" = 40 ]
	stop
	[ "$(sqlite3 jpn/node.db 'SELECT count(*) FROM items')" = 40 ]
	"$L" --home jpn log verify
	[ "$("$L" --home jpn log entries | grep -c '"item-share"')" = 40 ]
}

@test "concurrent downloads: their decisions share commits, each logged before its first byte" {
	ID=$("$L" --home jpn item share report.txt --by sato --level GOKUHI --title Launch \
		--releasable KOR --ntk MISSILE-WARNING --purpose warning 2>/dev/null)
	before=$("$L" --home jpn log entries | grep -c '"decision"' || true)
	start jpn --threads 8
	for i in $(seq 8); do
		(
			for j in $(seq 6); do
				c=$(curl -s -o "got-$i-$j" -w '%{http_code}' -H "Authorization: Bearer $SATO" \
					"$URL/v1/items/$ID/content?purpose=warning")
				[ "$c" = 200 ] && cmp "got-$i-$j" report.txt ||
					{ echo "# download $i-$j: $c $(cat "got-$i-$j")" >&3; exit 1; }
			done
		) &
	done
	# and a refused one among them: a DENY is logged all the same
	code=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $SATO" \
		"$URL/v1/items/$ID/content?purpose=training")
	clients_ok || { grep -v '"status":200' jpn.log | tail -5 >&3; false; }
	[ "$code" = 403 ]
	curl -sf -H "Authorization: Bearer $AUD" "$URL/metrics" >metrics.txt
	commits=$(awk '/^liaison_log_group_commits_total/ { print $2 }' metrics.txt)
	entries=$(awk '/^liaison_log_group_entries_total/ { print $2 }' metrics.txt)
	echo "# 49 decisions in $commits commits" >&3
	[ "$entries" = 49 ] && [ "$commits" -ge 1 ] && [ "$commits" -le 49 ]
	# the store's write lock held elsewhere for 2.5 s: the first download
	# to log waits for it, the seven that come meanwhile queue behind it, and
	# all eight are in at most four commits (two, unless one came late)
	python3 -c 'import sqlite3, sys, time
c = sqlite3.connect("jpn/node.db", isolation_level=None)
c.execute("BEGIN IMMEDIATE"); print("locked", flush=True); time.sleep(2.5); c.execute("COMMIT")' >lock.out 2>lock.err &
	for _ in $(seq 100); do grep -q locked lock.out && break; sleep 0.05; done
	for i in $(seq 8); do
		curl -s -o "held-$i.bin" -w '%{http_code}\n' -H "Authorization: Bearer $SATO" \
			"$URL/v1/items/$ID/content?purpose=warning" >"held-$i.code" &
	done
	clients_ok || { cat lock.err held-*.code >&3; false; }
	for i in $(seq 8); do
		[ "$(cat "held-$i.code")" = 200 ] && cmp "held-$i.bin" report.txt ||
			{ echo "# held $i: $(cat "held-$i.code") $(cat "held-$i.bin")" >&3; tail -5 jpn.log >&3; false; }
	done
	curl -sf -H "Authorization: Bearer $AUD" "$URL/metrics" >metrics.txt
	c2=$(awk '/^liaison_log_group_commits_total/ { print $2 }' metrics.txt)
	e2=$(awk '/^liaison_log_group_entries_total/ { print $2 }' metrics.txt)
	echo "# behind a held lock: 8 decisions in $((c2 - commits)) commits" >&3
	[ "$((e2 - entries))" = 8 ]
	[ "$((c2 - commits))" -le 4 ]
	# held past the store's busy timeout (5 s): the decision cannot be
	# logged, so not a byte of the item goes, and the log has no entry for it
	python3 -c 'import sqlite3, sys, time
c = sqlite3.connect("jpn/node.db", isolation_level=None)
c.execute("BEGIN IMMEDIATE"); print("locked", flush=True); time.sleep(6.5); c.execute("COMMIT")' >lock2.out &
	for _ in $(seq 100); do grep -q locked lock2.out && break; sleep 0.05; done
	code=$(curl -s -o late.bin -w '%{http_code}' -H "Authorization: Bearer $SATO" \
		"$URL/v1/items/$ID/content?purpose=warning")
	clients_ok
	echo "# the store locked past its timeout: $code, $(wc -c <late.bin) bytes" >&3
	[ "$code" = 503 ] # the store did not answer in time: try again
	if grep -q "west coast" late.bin; then false; fi # not a byte of the item
	stop
	"$L" --home jpn log verify
	[ $(("$("$L" --home jpn log entries | grep -c '"decision"')" - before)) = 57 ]
	[ "$("$L" --home jpn --json log entries | jq '[.entries[].data | @base64d | fromjson |
		select(.kind == "decision" and .decision.decision == "DENY")] | length')" -ge 1 ]
}

# lock_store SECONDS: the store's write lock held by another process for
# that long, from when this returns
lock_store() {
	python3 -c 'import sqlite3, sys, time
c = sqlite3.connect("jpn/node.db", isolation_level=None)
c.execute("BEGIN IMMEDIATE"); print("locked", flush=True); time.sleep(float(sys.argv[1])); c.execute("COMMIT")' "$1" >lock.out &
	for _ in $(seq 100); do grep -q locked lock.out && break; sleep 0.05; done
	grep -q locked lock.out
}

# got_whole_or_nothing FILE: a download's answer is the whole item, or none of it
got_whole_or_nothing() {
	cmp -s "$1" report.txt && return 0
	if grep -q "west coast" "$1"; then return 1; fi
}

@test "SIGTERM while downloads wait for their decisions' commit: a clean stop, each logged, a SIGHUP meanwhile harmless" {
	ID=$("$L" --home jpn item share report.txt --by sato --level GOKUHI --title Launch \
		--releasable KOR --ntk MISSILE-WARNING --purpose warning 2>/dev/null)
	before=$("$L" --home jpn log entries | grep -c '"decision"' || true)
	start jpn --drain 1
	# the store locked for 3 s: the four downloads' decisions wait for their
	# commit, their connections suspended, past the 1 s drain
	# the token's use today already recorded: nothing of the requests but
	# their decisions waits for the store
	curl -sf -H "Authorization: Bearer $SATO" "$URL/v1/me" >/dev/null
	lock_store 3
	for i in 1 2 3 4; do
		curl -s -o "w-$i.bin" -w '%{http_code}\n' -H "Authorization: Bearer $SATO" \
			"$URL/v1/items/$ID/content?purpose=warning" >"w-$i.code" &
	done
	sleep 0.5
	kill -TERM "$SERVER_PID"
	# a log rotation's SIGHUP during the drain, while the stop waits for the
	# commit: taken by the serving loop's mask, not a kill
	sleep 0.5
	kill -HUP "$SERVER_PID"
	wait "$SERVER_PID" # a clean exit: libmicrohttpd found no connection still suspended
	SERVER_PID=
	clients_ok || true
	grep -q "stopped" jpn.log
	if grep -qi "fatal\|panic\|abort" jpn.log; then false; fi
	for i in 1 2 3 4; do
		got_whole_or_nothing "w-$i.bin" || { echo "# download $i: $(cat "w-$i.code")" >&3; false; }
	done
	# the daemon waited for their commit before it stopped: all four in the log
	"$L" --home jpn log verify
	[ $(("$("$L" --home jpn log entries | grep -c '"decision"')" - before)) = 4 ]
}

@test "a TLS reload retires its old daemon while a download waits for its commit" {
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
		-subj /CN=localhost -addext "subjectAltName=IP:127.0.0.1" \
		-keyout key.pem -out cert.pem 2>/dev/null
	ID=$("$L" --home jpn item share report.txt --by sato --level GOKUHI --title Launch \
		--releasable KOR --ntk MISSILE-WARNING --purpose warning 2>/dev/null)
	start jpn --tls-cert cert.pem --tls-key key.pem --drain 1
	curl -sf --cacert cert.pem -H "Authorization: Bearer $SATO" "$URL/v1/me" >/dev/null
	lock_store 3
	curl -s --cacert cert.pem -o w.bin -w '%{http_code}\n' -H "Authorization: Bearer $SATO" \
		"$URL/v1/items/$ID/content?purpose=warning" >w.code &
	sleep 0.5
	# the old daemon's connection waits for its commit past the 1 s drain:
	# it is stopped only once the commit is done (else libmicrohttpd aborts)
	kill -HUP "$SERVER_PID"
	clients_ok || true
	got_whole_or_nothing w.bin
	sleep 2
	kill -0 "$SERVER_PID"
	if grep -qi "fatal\|panic\|abort" jpn.log; then false; fi
	# and the new daemon serves downloads
	code=$(curl -s --cacert cert.pem -o after.bin -w '%{http_code}' \
		-H "Authorization: Bearer $SATO" "$URL/v1/items/$ID/content?purpose=warning")
	[ "$code" = 200 ]
	cmp after.bin report.txt
	# both decisions counted for /metrics, the retired daemon's too (its
	# connection may have been closed once woken, its handler not called again)
	curl -sf --cacert cert.pem -H "Authorization: Bearer $AUD" "$URL/metrics" >m.txt
	grep -qx 'liaison_decisions_total{action="download",outcome="PERMIT",rule=""} 2' m.txt ||
		{ grep decisions_total m.txt >&3; cat w.code >&3; false; }
	stop
	"$L" --home jpn log verify
}

@test "SIGTERM: requests in flight finish; an upload cut short stores nothing" {
	head -c 3000000 /dev/urandom >big.bin
	# finishes within the drain time: stored
	start jpn --drain 20
	curl -s -o slow.json -H "Authorization: Bearer $SATO" --limit-rate 2M --data-binary @big.bin \
		"$URL/v1/items?level=GOKUHI&title=slow&releasable=KOR&ntk=MISSILE-WARNING" &
	client=$!
	sleep 0.5
	kill -TERM "$SERVER_PID"
	wait "$client"
	wait "$SERVER_PID"
	SERVER_PID=
	[ "$(jq -r .label.title slow.json)" = slow ]
	[ "$(sqlite3 jpn/node.db 'SELECT count(*) FROM items')" = 1 ]
	grep -q "stopped" jpn.log
	cp jpn.log first.log
	# too slow for the drain: cut, nothing stored, no temporary file left
	start jpn --drain 1
	curl -s -o cut.json -H "Authorization: Bearer $SATO" --limit-rate 200k --data-binary @big.bin \
		"$URL/v1/items?level=GOKUHI&title=cut&releasable=KOR&ntk=MISSILE-WARNING" &
	client=$!
	sleep 0.5
	kill -TERM "$SERVER_PID"
	wait "$SERVER_PID"
	SERVER_PID=
	wait "$client" || true
	[ "$(sqlite3 jpn/node.db 'SELECT count(*) FROM items')" = 1 ]
	[ "$(ls jpn/tmp | wc -l)" = 0 ]
	grep -q "were cut; nothing half stored" jpn.log
	"$L" --home jpn log verify
	# the access log names no token and no payload
	! grep -q "$SATO" jpn.log first.log || false
	grep '"path":"/v1/items"' first.log | jq -e '.person == "sato" and .status == 201 and .bytes_in == 3000000'
}

@test "TLS: the same API over HTTPS with a certificate" {
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
		-subj /CN=localhost -addext "subjectAltName=IP:127.0.0.1" \
		-keyout key.pem -out cert.pem 2>/dev/null
	start jpn --tls-cert cert.pem --tls-key key.pem
	[[ "$URL" == https://* ]]
	run curl -s --cacert cert.pem -H "Authorization: Bearer $SATO" "$URL/v1/me"
	[ "$(echo "$output" | jq -r .id)" = sato ]
	run curl -s "http${URL#https}/healthz"
	[ "$status" -ne 0 ] || [[ "$output" != *'"ok"'* ]]
	# SIGHUP: a renewed certificate served without a restart, on the same port
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
		-subj /CN=renewed -addext "subjectAltName=IP:127.0.0.1" \
		-keyout key2.pem -out cert2.pem 2>/dev/null
	cp cert.pem old.pem
	mv key2.pem key.pem
	mv cert2.pem cert.pem
	kill -HUP "$SERVER_PID"
	reloaded() { [ "$(grep -c 'read again and served' jpn.log)" -ge "$1" ]; }
	eventually reloaded 1
	run curl -s --cacert cert.pem -H "Authorization: Bearer $SATO" "$URL/v1/me"
	[ "$(echo "$output" | jq -r .id)" = sato ]
	run curl -s --cacert old.pem "$URL/healthz" # the old certificate is no longer served
	[ "$status" -ne 0 ]
	# a broken pair is refused, said, and the renewed one served on
	cp cert.pem good.pem
	echo "not a certificate" >cert.pem
	kill -HUP "$SERVER_PID"
	refused() { grep -q 'the certificate served before is kept' jpn.log; }
	eventually refused
	run curl -s --cacert good.pem "$URL/healthz"
	[ "$(echo "$output" | jq -r .ok)" = true ]
	kill -0 "$SERVER_PID"
	stop
	run "$L" --home jpn serve --listen 127.0.0.1:0 --tls-cert cert.pem
	[ "$status" -eq 2 ]
	[[ "$output" == *"--tls-cert and --tls-key go together"* ]]
	run "$L" --home jpn serve --listen nowhere
	[ "$status" -eq 2 ]
	[[ "$output" == *"is not HOST:PORT"* ]]
}

@test "configuration, parties and witnessing over HTTP, with their failures" {
	start jpn
	call "$REG" POST "/v1/config?dry_run=true" --data-binary @"$EXAMPLE"
	[ "$status_code" = 200 ]
	[ "$(jq -r '.result + " " + (.export_regimes|tostring)' out.json)" = "would apply 2" ]
	echo '{"parties": [{"code": "JPN"}]}' >bad.json
	call "$REG" POST /v1/config --data-binary @bad.json
	[ "$status_code" = 400 ]
	[[ "$(jq -r .error.message out.json)" == *"parties[0].name: missing"* ]]
	call "$SATO" POST /v1/config --data-binary @"$EXAMPLE"
	[ "$status_code" = 403 ]
	call "$SATO" GET /v1/parties/KOR
	[ "$status_code" = 200 ]
	[ "$(jq -r '.levels | length' out.json)" = 3 ]
	call "$SATO" GET /v1/parties/ZZZ
	[ "$status_code" = 404 ]
	call "$REG" POST /v1/parties/KOR/key --data-binary @jpn/keys/JPN.pub
	[ "$status_code" = 400 ]
	[[ "$(jq -r .error.message out.json)" == *"holds the key of JPN, not of KOR"* ]]
	call "$REG" POST /v1/parties/KOR/key --data-binary @kor/keys/KOR.pub
	[ "$status_code" = 200 ]
	[ "$(jq -r .party out.json)" = KOR ]
	# the same answer as the CLI's
	"$L" --home jpn --json party key KOR kor/keys/KOR.pub | jq -S . >cli.json
	jq -S . out.json | diff cli.json -
	"$L" --home kor log checkpoint -o kor-cp.txt 2>/dev/null
	call "$REG" POST /v1/log/witness -d "$(jq -n --rawfile c kor-cp.txt '{checkpoint: $c}')"
	[ "$status_code" = 200 ]
	[ "$(jq -r .origin out.json)" = liaison/KOR ]
	sed '2s/.*/999/' kor-cp.txt >forged.txt
	call "$REG" POST /v1/log/witness -d "$(jq -n --rawfile c forged.txt '{checkpoint: $c}')"
	[ "$status_code" = 400 ]
	[[ "$(jq -r .error.message out.json)" == *"does not verify"* ]]
	call "$REG" POST /v1/log/witness -d '{"checkpoint": "x", "proof": ["not base64!"]}'
	[ "$status_code" = 400 ]
	[[ "$(jq -r .error.message out.json)" == "proof[0]: not a base64 SHA-256 hash" ]]
	call "$AUD" GET "/v1/log/entries?from=5&to=2"
	[ "$status_code" = 400 ]
	stop
}

@test "SIGKILL mid-upload: nothing stored, and the next start clears what was left" {
	head -c 2000000 /dev/urandom >big.bin
	start jpn
	# an envelope (ciphertext already) is spooled to a file as it comes
	curl -s -o /dev/null -H "Authorization: Bearer $SUZUKI" --limit-rate 200k --data-binary @big.bin \
		"$URL/v1/items/import" &
	client=$!
	sleep 0.5
	[ "$(find jpn/tmp -type f | wc -l)" = 1 ]
	kill -9 "$SERVER_PID"
	wait "$SERVER_PID" || true
	SERVER_PID=
	wait "$client" || true
	[ "$(sqlite3 jpn/node.db 'SELECT count(*) FROM items')" = 0 ]
	[ "$(find jpn/tmp -type f | wc -l)" = 1 ]
	start jpn
	[ "$(find jpn/tmp -type f | wc -l)" = 0 ]
	call "$SATO" GET /v1/items
	[ "$(jq '.items | length' out.json)" = 0 ]
	stop
	"$L" --home jpn log verify
}

@test "uploaded plaintext on disk: a share is sealed as it streams in, and a crash leaves nothing" {
	yes "TOP SECRET: the launch site is at 39.0N 125.7E" | head -c 2000000 >plain.txt
	start jpn
	curl -s -o /dev/null -H "Authorization: Bearer $SATO" --limit-rate 200k --data-binary @plain.txt \
		"$URL/v1/items?level=GOKUHI&title=killed&releasable=KOR&ntk=MISSILE-WARNING" &
	client=$!
	sleep 1
	# no file has a name under the node's folder; the daemon holds one, nameless
	[ "$(find jpn -path '*/tmp/*' -type f | wc -l)" = 0 ]
	spool=$(find "/proc/$SERVER_PID/fd" -lname '*upload* (deleted)' | head -1)
	[ -n "$spool" ]
	[ "$(stat -L -c %s "$spool")" -gt 100000 ]
	# what it holds is not the plaintext
	! grep -q "launch site" "$spool" || false
	kill -9 "$SERVER_PID"
	wait "$SERVER_PID" || true
	SERVER_PID=
	wait "$client" || true
	[ "$(sqlite3 jpn/node.db 'SELECT count(*) FROM items')" = 0 ]
	[ "$(find jpn -path '*/tmp/*' -type f | wc -l)" = 0 ]
	! grep -rq "launch site" jpn || false
	# a whole share through the same spool opens to the same bytes
	start jpn
	call "$SATO" POST "/v1/items?level=GOKUHI&title=whole&releasable=KOR&ntk=MISSILE-WARNING" --data-binary @plain.txt
	[ "$status_code" = 201 ]
	id=$(jq -r .id out.json)
	curl -s -H "Authorization: Bearer $SATO" -o back.txt "$URL/v1/items/$id/content?purpose=warning"
	cmp plain.txt back.txt
	# and an empty one
	: >empty.txt
	call "$SATO" POST "/v1/items?level=GOKUHI&title=empty&releasable=KOR&ntk=MISSILE-WARNING" --data-binary @empty.txt
	[ "$status_code" = 201 ]
	[ "$(jq .size out.json)" = 0 ]
	stop
}

@test "the peers: peer list --json, peer status --json and GET /v1/peers are one answer" {
	"$L" --home jpn peer add KOR --url http://127.0.0.1:9 >/dev/null
	start jpn
	same_answer() { # the daemon may witness between two reads: the three agree at once
		call "$REG" GET /v1/peers
		[ "$status_code" = 200 ] || return 1
		jq -S . out.json >http.json
		"$L" --home jpn --json peer list | jq -S . >list.json
		"$L" --home jpn --json peer status | jq -S . >status.json || true
		diff list.json http.json && diff status.json http.json
	}
	eventually same_answer
	jq -e '.peers[0] | .party == "KOR" and .outbox == {"queued": 0, "delivered": 0, "refused": 0}
		and .alarm == null' http.json
	jq -e '.alarm == false' http.json
}

@test "a registrar cannot slip a line break or a reversing override into a licence's company names" {
	start jpn
	before=$(sqlite3 jpn/node.db 'SELECT count(*) FROM export_licences')
	for name in $'Good Co\nFAKE: licensed' $'Good Co \u202eoC liveD'; do
		body=$(jq -n --arg n "$name" '{id: "CB-X", kind: "company-bulk", entry: "HF", to: "KOR",
			valid_from: "2020-01-01", valid_to: "2020-12-31", exporter: $n, consignee: "Samsung"}')
		call "$REG" POST /v1/export/licences -d "$body"
		[ "$status_code" = 400 ]
		[ "$(jq -r .error.field out.json)" = exporter ]
		[[ "$(jq -r .error.message out.json)" == *"exporter: a control character"* ]]
	done
	# a company-specific bulk licence without its consignee: 400 naming it
	call "$REG" POST /v1/export/licences -d '{"id": "CB-X", "kind": "company-bulk", "entry": "HF",
		"to": "KOR", "valid_from": "2020-01-01", "valid_to": "2020-12-31", "exporter": "Good Co"}'
	[ "$status_code" = 400 ]
	[ "$(jq -r .error.field out.json)" = consignee ]
	[ "$(sqlite3 jpn/node.db 'SELECT count(*) FROM export_licences')" = "$before" ]
}

@test "one paging scheme on every list: limit, after, next; times in RFC 3339" {
	start jpn
	# people: two a page, each page's next the after of the following one
	call "$REG" GET "/v1/people?limit=2"
	[ "$status_code" = 200 ]
	[ "$(jq '.people | length' out.json)" -eq 2 ]
	seen=$(jq -r '.people[].id' out.json)
	next=$(jq -r .next out.json)
	while [ "$next" != null ]; do
		call "$REG" GET "/v1/people?limit=2&after=$next"
		[ "$status_code" = 200 ]
		seen="$seen $(jq -r '.people[].id' out.json)"
		next=$(jq -r .next out.json)
	done
	call "$REG" GET "/v1/people"
	[ "$(echo $seen)" = "$(jq -r '.people[].id' out.json | xargs)" ]
	[ "$(jq .next out.json)" = null ]
	# the same on the CLI, through the daemon and on the folder
	[ "$(LIAISON_URL=$URL LIAISON_TOKEN=$REG "$L" --json person list --limit 2 | jq -c .)" = \
		"$("$L" --home jpn --json person list --limit 2 2>/dev/null | jq -c .)" ]
	# agreements, licences: the same shape
	call "$SATO" GET "/v1/agreements?limit=1"
	[ "$(jq -r .next out.json)" = null ]
	call "$SATO" GET "/v1/export/licences?limit=1"
	[ "$(jq '.licences | length' out.json)" -eq 1 ]
	[ "$(jq -r .next out.json)" = "$(jq -r '.licences[0].id' out.json)" ]
	# an after the list does not hold, a limit out of range: named
	call "$REG" GET "/v1/people?after=nobody"
	[ "$status_code" = 404 ]
	[ "$(jq -r .error.field out.json)" = after ]
	call "$REG" GET "/v1/people?limit=5000"
	[ "$status_code" = 400 ]
	[ "$(jq -r .error.field out.json)" = limit ]
	call "$REG" GET "/v1/people?limit=0"
	[ "$status_code" = 400 ]
	# the log's entries page by index the same way
	call "$AUD" GET "/v1/log/entries?limit=2"
	[ "$(jq '.entries | length' out.json)" -eq 2 ]
	[ "$(jq -r .next out.json)" = 1 ]
	call "$AUD" GET "/v1/log/entries?limit=2&after=1"
	[ "$(jq -r '.entries[0].index' out.json)" = 2 ]
	call "$AUD" GET "/v1/log/entries?after=1&from=3"
	[ "$status_code" = 400 ]
	call "$AUD" GET "/v1/log/entries?after=999999"
	[ "$status_code" = 404 ]
	[ "$(jq -r .error.field out.json)" = after ]
	# a peer's witnessing time is an RFC 3339 instant
	"$L" --home jpn peer add KOR --url "http://127.0.0.1:9" >/dev/null 2>&1
	"$L" --home jpn person add op --party JPN --name Op --role security-officer >/dev/null 2>&1
	OP=$("$L" --home jpn person token op 2>/dev/null)
	sqlite3 -cmd ".timeout 10000" jpn/node.db "UPDATE peers SET witnessed_size = 3, witnessed_at = 1567314000"
	call "$OP" GET "/v1/peers"
	[ "$status_code" = 200 ]
	[ "$(jq -r '.peers[0].witnessed_at' out.json)" = 2019-09-01T05:00:00Z ]
}

@test "an act through the daemon whose token is revoked while it reseals is not done" {
	start jpn
	id=$(share "$SATO")
	items=$(sqlite3 jpn/node.db "SELECT count(*) FROM items")
	# a registrar revokes sato's token while the copy is made
	hold_lock jpn/node.db "UPDATE tokens SET revoked_on = '2019-09-01' WHERE person = 'sato';"
	call "$SATO" POST "/v1/items/$id/reproduce" -d '{"purpose": "warning"}'
	[ "$status_code" = 403 ]
	[[ "$(jq -r .error.message out.json)" == *"token "*" was revoked meanwhile"* ]]
	[ "$(sqlite3 jpn/node.db "SELECT count(*) FROM items")" = "$items" ]
	call "$SATO" GET "/v1/items/$id"
	[ "$status_code" = 401 ]
}

@test "a share uploaded slowly by a token revoked meanwhile is not stored" {
	start jpn --min-rate 1000
	head -c 60000 /dev/urandom | base64 -w 76 >big.txt
	tid=$("$L" --home jpn --json person tokens sato | jq -r '.tokens[0].id')
	items=$(sqlite3 jpn/node.db "SELECT count(*) FROM items")
	blobs=$(find jpn/blobs -type f | wc -l)
	curl -s -o slow.json -w '%{http_code}' --limit-rate 20k -X POST -H "Authorization: Bearer $SATO" \
		--data-binary @big.txt \
		"$URL/v1/items?level=GOKUHI&title=Slow&releasable=KOR&ntk=MISSILE-WARNING&purpose=warning" >slow.code &
	uploading=$!
	sleep 1
	"$L" --home jpn person revoke-token "$tid" >/dev/null
	wait "$uploading"
	[ "$(cat slow.code)" = 403 ]
	[[ "$(jq -r .error.message slow.json)" == *"token $tid was revoked meanwhile"* ]]
	[ "$(sqlite3 jpn/node.db "SELECT count(*) FROM items")" = "$items" ]
	[ "$(find jpn/blobs -type f | wc -l)" = "$blobs" ]
	! "$L" --home jpn log entries | grep -q '"kind":"item-share".*"title":"Slow"' || false
}
