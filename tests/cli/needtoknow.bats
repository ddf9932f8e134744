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
	"$L" log entries | jq -e "select(.kind == \"item-share\" and .item == \"$id\") | .by == \"sato\" and .entered_by == \"operator\""
	T=$("$L" person token sato 2>/dev/null)
	TID=$("$L" --json person tokens sato | jq -r '.tokens[0].id')
	daemon "$LIAISON_HOME"
	curl -s -o share.json -H "Authorization: Bearer $T" --data-binary @report.txt \
		"$DAEMON_URL/v1/items?level=GOKUHI&title=t2&releasable=KOR"
	kill -TERM "$DAEMON_PID"; wait "$DAEMON_PID" || true
	id2=$(jq -r .id share.json)
	"$L" log entries | jq -e "select(.kind == \"item-share\" and .item == \"$id2\") | .by == \"sato\" and .token == \"$TID\" and (has(\"entered_by\") | not)"
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
