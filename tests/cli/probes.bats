#!/usr/bin/env bats
# Attacks tried on a running daemon, kept as tests: each states what the
# documents promise (need to know, roles, whole downloads, clean titles, an
# honest clock) against a person who tries to get around it.
load helpers

setup() {
	export LIAISON_HOME="$BATS_TEST_TMPDIR/node"
	export LIAISON_PASSPHRASE="test passphrase"
	export LIAISON_NOW=2019-09-01
	cd "$BATS_TEST_TMPDIR"
	echo "launch at 06:00" >report.txt
	PIDS=()
}

teardown() {
	for p in "${PIDS[@]}"; do kill -9 "$p" 2>/dev/null || true; done
	api_check
}

up() { # HOME [OPTIONS...]
	daemon "$@"
	PIDS+=("$DAEMON_PID")
}

# A JPN node with a GOKUHI item (HIGH) and low, an analyst cleared HI.
node_with_high() {
	example_node
	"$L" person add low --party JPN --name Low --role analyst --clearance HI \
		--from 2015-01-01 --ntk MISSILE-WARNING >/dev/null
	HIGH=$("$L" item share report.txt --by sato --level GOKUHI --title "Secret launch" \
		--releasable KOR --ntk MISSILE-WARNING --purpose warning 2>/dev/null)
	NONE=$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')
}

req() { # TOKEN METHOD PATH [CURL ARGS...]: the status; the body in body.txt
	local t=$1 m=$2 p=$3
	shift 3
	local code
	code=$(curl -s -o body.txt -w '%{http_code}' -X "$m" -H "Authorization: Bearer $t" "$@" \
		"$DAEMON_URL$p")
	api_record "$m" "$p" "$code" body.txt
	echo "$code"
}

@test "report-compromise with send: an item the person does not see answers as an id never used" {
	node_with_high
	LOW=$("$L" person token low 2>/dev/null)
	up "$LIAISON_HOME"
	[ "$(req "$LOW" GET "/v1/items/$HIGH")" = 404 ]
	a=$(req "$LOW" POST "/v1/items/$HIGH/report-compromise" -d '{"details":"x","send":true}')
	sed "s/$HIGH/ID/g" body.txt >high.txt
	b=$(req "$LOW" POST "/v1/items/$NONE/report-compromise" -d '{"details":"x","send":true}')
	sed "s/$NONE/ID/g" body.txt >none.txt
	cat high.txt none.txt
	[ "$a" = "$b" ]
	cmp high.txt none.txt
}

@test "an access check at another date does not show an item the person does not see today" {
	node_with_high
	"$L" person add old --party JPN --name Old --role analyst --clearance GOKUHI \
		--from 2015-01-01 --to 2019-08-31 --ntk MISSILE-WARNING >/dev/null
	OLD=$("$L" person token old 2>/dev/null)
	up "$LIAISON_HOME"
	[ "$(req "$OLD" GET "/v1/items/$HIGH")" = 404 ]
	code=$(req "$OLD" POST /v1/access-checks \
		-d "{\"item\":\"$HIGH\",\"action\":\"read\",\"purpose\":\"warning\",\"at\":\"2019-08-01\"}")
	cat body.txt
	[ "$code" = 404 ]
	! grep -q GOKUHI body.txt || false
}

@test "a registrar cannot grant themself a clearance and roles and then read what it opens" {
	# nor replace a person by adding them again
	node_with_high
	ITO=$("$L" person token ito 2>/dev/null) # registrar, cleared HI
	up "$LIAISON_HOME"
	[ "$(req "$ITO" GET "/v1/items/$HIGH/content?purpose=warning")" = 404 ]
	req "$ITO" POST /v1/people -d '{"id":"ito","party":"JPN","name":"Ito Kenji",
		"roles":["registrar","analyst"],"clearance":{"level":"TOKUTEI","from":"2015-04-01"},
		"ntk":["MISSILE-WARNING"]}' >/dev/null || true
	[ "$(jq -r .error.code body.txt)" = forbidden ]
	code=$(req "$ITO" GET "/v1/items/$HIGH/content?purpose=warning")
	[ "$code" != 200 ]
	! grep -q "launch at 06:00" body.txt || false
	[ "$("$L" --json person show ito | jq -r ".clearance[0].level")" = HI ]
	# another person: an existing id is refused unless ?replace=true
	[ "$(req "$ITO" POST /v1/people -d '{"id":"sato","party":"JPN","name":"S","roles":["analyst"]}')" = 409 ]
	[[ "$(jq -r .error.message body.txt)" == *"person sato already exists (replace it with ?replace=true)"* ]]
	[ "$(req "$ITO" POST "/v1/people?replace=true" -d '{"id":"sato","party":"JPN","name":"S","roles":["analyst"],"ntk":["MISSILE-WARNING"],"clearance":{"level":"TOKUTEI","from":"2015-04-01"}}')" = 201 ]
}

@test "a registrar cannot grant themself a clearance through a configuration file either" {
	node_with_high
	ITO=$("$L" person token ito 2>/dev/null) # registrar, cleared HI
	up "$LIAISON_HOME"
	cat >self.json <<'JSON'
{"people": [{"id": "ito", "party": "JPN", "name": "Ito Kenji", "roles": ["registrar", "analyst"],
  "clearance": {"level": "TOKUTEI", "from": "2015-04-01"}, "ntk": ["MISSILE-WARNING"]}]}
JSON
	before=$("$L" log entries | wc -l)
	for q in "" "?dry_run=true"; do
		[ "$(req "$ITO" POST "/v1/config$q" --data-binary @self.json)" = 403 ]
		[ "$(jq -r .error.message body.txt)" = "request body: people[0]: ito may not change their own record: another registrar, or the node's operator, does" ]
	done
	[ "$(req "$ITO" GET "/v1/items/$HIGH/content?purpose=warning")" = 404 ]
	[ "$("$L" --json person show ito | jq -r ".clearance[0].level")" = HI ]
	# nor by raising the level they hold to GOKUHI's rank
	jq '{parties: [.parties[0] | .levels[0].rank = 2]}' "$EXAMPLE" >ranks.json
	[ "$(req "$ITO" POST /v1/config --data-binary @ranks.json)" = 403 ]
	[[ "$(jq -r .error.message body.txt)" == *"parties[0]: ito may not change party JPN's levels"* ]]
	[ "$(req "$ITO" GET "/v1/items/$HIGH/content?purpose=warning")" = 404 ]
	[ "$(req "$ITO" GET /v1/parties/JPN)" = 200 ]
	[ "$(jq '.levels[] | select(.code == "HI") | .rank' body.txt)" = 1 ]
	# the parties as they are: taken
	jq '{parties: .parties}' "$EXAMPLE" >same.json
	[ "$(req "$ITO" POST "/v1/config?dry_run=true" --data-binary @same.json)" = 200 ]
	[ "$("$L" log entries | wc -l)" = "$before" ]
	# another person's record through a file: applied, and the log says by whom and whose
	sed 's/"ito"/"noda"/' self.json >other.json
	[ "$(req "$ITO" POST /v1/config --data-binary @other.json)" = 200 ]
	tok=$("$L" --json person tokens ito | jq -r '.tokens[0].id')
	"$L" log entries | tail -1 | jq -e --arg t "$tok" '.kind == "config-apply" and .by_token == $t and .people_ids == ["noda"]'
}

@test "a registrar cannot change what a clearance reads through an agreement's terms, nor add an agreement to govern instead" {
	# KOR's node holds JPN's GOKUHI item; lee, a KOR registrar who also
	# analyses, is cleared III (CONFIDENTIAL): not enough for it
	two_nodes
	launch_item
	"$L" --home jpn item release "$ID" --to KOR --by sato -o to-kor.lsn >/dev/null
	"$L" --home kor item import to-kor.lsn >/dev/null
	"$L" --home kor person add lee --party KOR --name Lee --role registrar --role analyst \
		--clearance III --from 2018-01-01 --ntk MISSILE-WARNING >/dev/null
	LEE=$("$L" --home kor person token lee 2>/dev/null)
	up kor
	[ "$(req "$LEE" GET "/v1/items/$ID/content?purpose=warning")" = 404 ]
	before=$("$L" --home kor --json agreement show $G | jq -c .equivalence)
	entries=$("$L" --home kor log entries | wc -l)
	# the same agreement, JPN's GOKUHI and TOKUTEI mapped down to CONFIDENTIAL
	jq '{agreements: [.agreements[0] | .equivalence = [
	      {"common":"SECRET","JPN":["HI"],"KOR":["II"]},
	      {"common":"CONFIDENTIAL","JPN":["GOKUHI","TOKUTEI"],"KOR":["III"]}]]}' "$EXAMPLE" >remap.json
	for q in "" "?dry_run=true"; do
		[ "$(req "$LEE" POST "/v1/config$q" --data-binary @remap.json)" = 403 ]
		[[ "$(jq -r .error.message body.txt)" == *"agreements[0]: lee may not change the terms of agreement $G: its terms"*"the node's operator applies them"* ]]
	done
	# a second JPN-KOR agreement, first by id, with that table
	jq '{agreements: [.agreements[0] | .id = "A-JPN-KOR" |
	      .events = [{"date":"2019-08-01","kind":"signed"},{"date":"2019-08-01","kind":"in-force"}] |
	      .equivalence = [{"common":"SECRET","JPN":["HI"],"KOR":["II"]},
	                      {"common":"CONFIDENTIAL","JPN":["GOKUHI","TOKUTEI"],"KOR":["III"]}]]}' "$EXAMPLE" >extra.json
	[ "$(req "$LEE" POST /v1/config --data-binary @extra.json)" = 403 ]
	[[ "$(jq -r .error.message body.txt)" == *"lee may not add agreement A-JPN-KOR"* ]]
	[ "$(req "$LEE" GET "/v1/items/$ID/content?purpose=warning")" = 404 ]
	[ "$("$L" --home kor --json agreement show $G | jq -c .equivalence)" = "$before" ]
	[ "$(sqlite3 -cmd ".timeout 10000" kor/node.db "SELECT count(*) FROM agreements")" = 1 ]
	[ "$("$L" --home kor log entries | wc -l)" = "$entries" ]
	# the agreement as it is, with its events: taken
	jq '{agreements: [.agreements[0]]}' "$EXAMPLE" >same.json
	[ "$(req "$LEE" POST /v1/config --data-binary @same.json)" = 200 ]
	"$L" --home kor log entries | tail -1 | jq -e --arg g "$G" \
		'.kind == "config-apply" and .agreement_ids == [$g] and .party_codes == []'
}

@test "a copy is seen as its original is: not by a copier whose clearance has lapsed" {
	node_with_high
	"$L" person add exp --party JPN --name Exp --role analyst --clearance GOKUHI \
		--from 2015-01-01 --to 2019-09-01 --ntk MISSILE-WARNING >/dev/null
	COPY=$("$L" item reproduce "$HIGH" --by exp --purpose warning 2>/dev/null)
	EXP=$("$L" person token exp 2>/dev/null)
	LIAISON_NOW=2019-09-02 up "$LIAISON_HOME"
	[ "$(req "$EXP" GET /v1/items)" = 200 ]
	! grep -q -e "$COPY" -e "$HIGH" -e "Secret launch" body.txt || false
	[ "$(req "$EXP" GET "/v1/items/$COPY")" = 404 ]
}

@test "the log and the outbox name no item the auditor or officer does not see" {
	two_nodes
	third_party jpn kor
	for p in lowaud:auditor lowso:security-officer; do
		"$L" --home jpn person add "${p%%:*}" --party JPN --name X --role "${p#*:}" \
			--clearance HI --from 2015-01-01 >/dev/null
	done
	HIGH=$("$L" --home jpn item share report.txt --by sato --level GOKUHI --title "Secret launch" \
		--releasable KOR --ntk MISSILE-WARNING --purpose warning 2>/dev/null)
	KEPT=$("$L" --home jpn item share report.txt --by sato --level GOKUHI --title "Kept" \
		--releasable KOR --ntk MISSILE-WARNING 2>/dev/null)
	AUD=$("$L" --home jpn person token lowaud 2>/dev/null)
	SO=$("$L" --home jpn person token lowso 2>/dev/null)
	up kor
	KOR_URL=$DAEMON_URL
	up jpn --retry-max 1
	JPN_URL=$DAEMON_URL
	"$L" --home jpn peer add KOR --url "$KOR_URL" >/dev/null
	"$L" --home kor peer add JPN --url "$JPN_URL" >/dev/null
	"$L" --home jpn item release "$HIGH" --to KOR --by sato >/dev/null
	# a consent for an item KOR never got (released to a file it never
	# imported): KOR answers 404 naming it
	"$L" --home jpn item release "$KEPT" --to KOR --by sato -o kept.lsn >/dev/null
	"$L" --home jpn consent grant "$KEPT" --to USA --send KOR --by sato >/dev/null
	for _ in $(seq 100); do
		"$L" --home jpn --json peer outbox | jq -e \
			'(.messages | map(select(.kind == "item" and .state == "delivered")) | length == 1) and
			 (.messages | map(select(.kind == "consent" and .attempts >= 1)) | length == 1)' \
			>/dev/null && break
		sleep 0.1
	done
	DAEMON_URL=$JPN_URL
	[ "$(req "$AUD" GET /v1/log/entries)" = 200 ]
	jq -r '.entries[] | .data // empty | @base64d' body.txt >entries.txt
	grep "$HIGH" entries.txt || true
	! grep -q -e "$HIGH" -e "$KEPT" entries.txt || false
	[ "$(req "$SO" GET /v1/outbox)" = 200 ]
	cat body.txt
	! grep -q -e "$HIGH" -e "$KEPT" body.txt || false
}

@test "a download cut short by a damaged envelope is not a whole file through the daemon" {
	example_node
	head -c 5000000 /dev/urandom >big.bin
	ID=$("$L" item share big.bin --by sato --level HI --title big --releasable KOR 2>/dev/null)
	blob=$(sqlite3 "$LIAISON_HOME/node.db" "SELECT blob FROM items WHERE id = '$ID'")
	truncate -s 2500000 "$LIAISON_HOME/blobs/$blob.lsn"
	# the node's folder refuses it
	run "$L" item get "$ID" --by sato -o local.bin
	[ "$status" -ne 0 ]
	[ ! -e local.bin ]
	T=$("$L" person token sato 2>/dev/null)
	up "$LIAISON_HOME"
	run env -u LIAISON_HOME LIAISON_URL="$DAEMON_URL" LIAISON_TOKEN="$T" "$L" item get "$ID" -o remote.bin
	echo "$output"
	[ "$status" -ne 0 ]
	[ ! -e remote.bin ]
}

@test "a title cannot put control characters on another person's terminal" {
	example_node
	T=$("$L" person token sato 2>/dev/null)
	up "$LIAISON_HOME"
	req "$T" POST "/v1/items?level=HI&title=a%0Afake%20line%1B%5B2J&releasable=KOR" \
		--data-binary @report.txt >/dev/null
	"$L" item list >list.txt
	! grep -q $'\x1b' list.txt || false
	[ "$(wc -l <list.txt)" -le 1 ]
}

@test "log checkpoint on a node not made for replays does not store a day from LIAISON_NOW" {
	unset LIAISON_NOW
	"$L" init --party JPN >/dev/null
	LIAISON_NOW=2030-01-01 "$L" log checkpoint >/dev/null 2>&1 || true
	[ "$(sqlite3 "$LIAISON_HOME/node.db" "SELECT count(*) FROM log_witnessed WHERE seen_on = '2030-01-01'")" = 0 ]
}
