#!/usr/bin/env bats
# Need to know for everything: a person of another party on this node acts
# under the agreement between the two parties; who sees an item at all.
load helpers

setup() {
	export LIAISON_HOME="$BATS_TEST_TMPDIR/node"
	export LIAISON_PASSPHRASE="test passphrase"
	unset LIAISON_NOW
	cd "$BATS_TEST_TMPDIR"
	echo "launch at 06:00" >report.txt
}

# A JPN replay node with the example as if Seoul had not suspended its
# notice: the agreement ends at the start of 2019-11-23.
ended_node() {
	jq '.agreements[0].events |= map(select(.kind != "notice-suspended" and .kind != "notice-withdrawn"))' \
		"$EXAMPLE" >ended.json
	"$L" init --replay --party JPN >/dev/null
	"$L" config apply ended.json >/dev/null
}

share_on() { # DATE -> the id of a JPN GOKUHI item releasable to KOR
	LIAISON_NOW=$1 "$L" item share report.txt --by sato --level GOKUHI --title "Launch $1" \
		--releasable KOR --ntk MISSILE-WARNING --purpose warning 2>/dev/null
}

@test "a person of KOR on JPN's node reads JPN's items only while the agreement is in force" {
	ended_node
	before=$(share_on 2019-10-01)
	after=$(share_on 2019-12-01)
	export LIAISON_NOW=2019-10-01
	run "$L" item get "$before" --by kim --purpose warning -o got.txt
	[ "$status" -eq 0 ]
	rm got.txt
	export LIAISON_NOW=2019-12-01
	for id in "$before" "$after"; do
		run "$L" item get "$id" --by kim --purpose warning -o got.txt
		[ "$status" -eq 3 ]
		[[ "$output" == *"NO R-IN-FORCE"*"kim is of KOR: JPN-KOR-GSOMIA ended on 2019-11-23, and nothing of JPN passes to KOR after it"* ]]
		[ ! -e got.txt ]
	done
	run "$L" --json access check --person kim --item "$after" --action read --purpose warning
	[ "$status" -eq 3 ]
	[ "$(echo "$output" | jq -r '[.rules[] | select(.ok | not) | .id] | join(",")')" = R-IN-FORCE ]
	# JPN's own people still read it
	run "$L" item get "$after" --by sato --purpose warning -o got.txt
	[ "$status" -eq 0 ]
}

@test "a person of another party may not act on this node's copy: release, destroy" {
	ended_node
	id=$(share_on 2019-10-01)
	export LIAISON_NOW=2019-10-02
	run "$L" item destroy "$id" --by park
	[ "$status" -eq 3 ]
	[[ "$output" == *"park is of KOR; only people of JPN, whose node holds the item, may destroy it"* ]]
	[ -z "$(sqlite3 "$LIAISON_HOME/node.db" "SELECT destroyed_on FROM items WHERE id = '$id'")" ]
}

@test "every act names who entered it: the operator for --by, or the person's token" {
	"$L" init --replay --party JPN >/dev/null
	"$L" config apply "$EXAMPLE" >/dev/null
	export LIAISON_NOW=2019-09-01
	id=$("$L" item share report.txt --by sato --level GOKUHI --title t --releasable KOR 2>/dev/null)
	"$L" log entries | jq -s -e --arg id "$id" \
		'any(.[]; .kind == "item-share" and .item == $id and .by == "sato" and .entered_by == "operator")' 
	T=$("$L" person token sato 2>/dev/null)
	TID=$("$L" --json person tokens sato | jq -r '.tokens[0].id')
	daemon "$LIAISON_HOME"
	curl -s -o share.json -H "Authorization: Bearer $T" --data-binary @report.txt \
		"$DAEMON_URL/v1/items?level=GOKUHI&title=t2&releasable=KOR"
	kill -TERM "$DAEMON_PID"; wait "$DAEMON_PID" || true
	id2=$(jq -r .id share.json)
	"$L" log entries | jq -s -e --arg id "$id2" --arg t "$TID" \
		'any(.[]; .kind == "item-share" and .item == $id and .by == "sato" and .by_token == $t and (has("entered_by") | not))' 
}

@test "a node can refuse acts its operator enters for a person, leaving them to tokens" {
	jq '.parties[0].operator_acts = false' "$EXAMPLE" >strict.json
	"$L" init --replay --party JPN >/dev/null
	"$L" config apply strict.json >/dev/null
	export LIAISON_NOW=2019-09-01
	size=$(rows log_entries)
	run "$L" item share report.txt --by sato --level GOKUHI --title t --releasable KOR
	[ "$status" -eq 3 ]
	[[ "$output" == *"takes acts from its people's own tokens only"* ]]
	[ "$(rows items)" -eq 0 ]
	[ "$(rows log_entries)" -eq "$size" ]
	run "$L" report acknowledge 0123456789abcdef0123456789abcdef --by suzuki --note seen
	[ "$status" -ne 0 ]
	[[ "$output" == *"takes acts from its people's own tokens only"* ]]
	# the operator's own acts stay: a person, a token
	"$L" person add lo --party JPN --name Lo --role analyst >/dev/null
	T=$("$L" person token sato 2>/dev/null)
	daemon "$LIAISON_HOME"
	code=$(curl -s -o share.json -w '%{http_code}' -H "Authorization: Bearer $T" \
		--data-binary @report.txt "$DAEMON_URL/v1/items?level=GOKUHI&title=t&releasable=KOR")
	kill -TERM "$DAEMON_PID"; wait "$DAEMON_PID" || true
	[ "$code" = 201 ]
	id=$(jq -r .id share.json)
	run "$L" item get "$id" --by sato -o got.txt
	[ "$status" -eq 3 ]
	[ ! -e got.txt ]
}

# A JPN replay node on 2019-09-01 with the example, low (an analyst cleared
# HI) and lowaud (an auditor cleared HI), a GOKUHI item and a HI item.
seen_node() {
	"$L" init --replay --party JPN >/dev/null
	"$L" config apply "$EXAMPLE" >/dev/null
	export LIAISON_NOW=2019-09-01
	"$L" person add low --party JPN --name Low --role analyst --clearance HI \
		--from 2015-01-01 --ntk MISSILE-WARNING >/dev/null
	"$L" person add lowaud --party JPN --name Lowaud --role auditor --clearance HI \
		--from 2015-01-01 >/dev/null
	HIGH=$("$L" item share report.txt --by sato --level GOKUHI --title "Secret launch" \
		--releasable KOR --ntk MISSILE-WARNING --purpose warning 2>/dev/null)
	LOWI=$("$L" item share report.txt --by sato --level HI --title "Routine note" \
		--releasable KOR --ntk MISSILE-WARNING 2>/dev/null)
	LOW=$("$L" person token low 2>/dev/null)
	LOWAUD=$("$L" person token lowaud 2>/dev/null)
	SATO=$("$L" person token sato 2>/dev/null)
	MORI=$("$L" person token mori 2>/dev/null)
	daemon "$LIAISON_HOME"
}

# req TOKEN METHOD PATH [CURL ARGS...]: status, headers and body in $1.* files
req() {
	local t=$1 m=$2 p=$3
	shift 3
	local code
	code=$(curl -s -D hdr.txt -o body.txt -w '%{http_code}' -X "$m" \
		-H "Authorization: Bearer $t" "$@" "$DAEMON_URL$p")
	api_record "$m" "$p" "$code" body.txt
	echo "$code"
}

teardown() {
	api_check
}

@test "a low-clearance analyst finds no trace of a higher item: lists, show, questions, acts" {
	seen_node
	# the list: the HI item only, and nothing of the other anywhere in it
	[ "$(req "$LOW" GET /v1/items)" = 200 ]
	[ "$(jq -r '[.items[].id] | join(",")' body.txt)" = "$LOWI" ]
	! grep -q -e "$HIGH" -e "Secret launch" body.txt || false
	[ "$(req "$SATO" GET /v1/items)" = 200 ]
	[ "$(jq '.items | length' body.txt)" = 2 ]
	# the item itself: byte for byte the answer for an id never used (the id aside)
	NONE=$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')
	for path in "/v1/items/%s" "/v1/items/%s/content?purpose=warning"; do
		# shellcheck disable=SC2059
		a=$(req "$LOW" GET "$(printf "$path" "$HIGH")"); sed "s/$HIGH/ID/" body.txt >high.txt
		b=$(req "$LOW" GET "$(printf "$path" "$NONE")"); sed "s/$NONE/ID/" body.txt >none.txt
		[ "$a" = 404 ] && [ "$b" = 404 ]
		cmp high.txt none.txt
	done
	for act in release reproduce; do
		a=$(req "$LOW" POST "/v1/items/$HIGH/$act" -d '{"to": "KOR"}'); sed "s/$HIGH/ID/" body.txt >high.txt
		b=$(req "$LOW" POST "/v1/items/$NONE/$act" -d '{"to": "KOR"}'); sed "s/$NONE/ID/" body.txt >none.txt
		[ "$a" = "$b" ]
		cmp high.txt none.txt
	done
	a=$(req "$LOW" POST /v1/access-checks -d "{\"item\": \"$HIGH\", \"action\": \"read\"}"); sed "s/$HIGH/ID/" body.txt >high.txt
	b=$(req "$LOW" POST /v1/access-checks -d "{\"item\": \"$NONE\", \"action\": \"read\"}"); sed "s/$NONE/ID/" body.txt >none.txt
	[ "$a" = 404 ] && cmp high.txt none.txt
	# as a cursor too
	[ "$(req "$LOW" GET "/v1/items?after=$HIGH")" = 404 ]
	[ "$(jq -r .error.message body.txt)" = "after: no item $HIGH" ]
	# the log and the outbox are not for analysts at all
	[ "$(req "$LOW" GET /v1/log/entries)" = 403 ]
	[ "$(req "$LOW" GET /v1/outbox)" = 403 ]
	# people: only themselves
	[ "$(req "$LOW" GET /v1/people)" = 200 ]
	[ "$(jq -r '[.people[].id] | join(",")' body.txt)" = low ]
	[ "$(req "$LOW" GET /v1/people/sato)" = 404 ]
	kill -TERM "$DAEMON_PID"; wait "$DAEMON_PID" || true
}

@test "an auditor reads the log, with the entries about an item beyond them withheld" {
	seen_node
	[ "$(req "$LOWAUD" GET /v1/log/entries)" = 200 ]
	! grep -q -e "$HIGH" body.txt || false
	! (jq -r '.entries[].data // empty | @base64d' body.txt | grep -q -e "$HIGH" -e "Secret launch") || false
	jq -e '[.entries[] | select(.withheld)] | length >= 1' body.txt
	jq -e '[.entries[] | select(.withheld) | .leaf_hash | length == 44] | all' body.txt
	# what it sees of the lower item is there
	jq -r '.entries[].data // empty | @base64d' body.txt | grep -q "$LOWI"
	# the withheld entry's leaf hash is the one the tree holds: its proof checks
	idx=$(jq '[.entries[] | select(.withheld)][0].index' body.txt)
	leaf=$(jq -r "[.entries[] | select(.withheld)][0].leaf_hash" body.txt)
	[ "$(req "$LOWAUD" GET "/v1/log/proof?index=$idx")" = 200 ]
	[ "$(jq -r .leaf_hash body.txt)" = "$leaf" ]
	# an auditor cleared for it sees everything
	[ "$(req "$MORI" GET /v1/log/entries)" = 200 ]
	[ "$(jq '[.entries[] | select(.withheld)] | length' body.txt)" = 0 ]
	kill -TERM "$DAEMON_PID"; wait "$DAEMON_PID" || true
}
