#!/usr/bin/env bats
# liaison item share/list/show/get and access check on one node.
load helpers

share() {
	LIAISON_NOW=2019-09-01 "$L" item share "$BATS_TEST_TMPDIR/report.txt" --by sato \
		--level GOKUHI --title "Missile launch" --releasable KOR --ntk MISSILE-WARNING \
		--purpose warning "$@" 2>/dev/null
}

# the USA as a party of this node (no agreement)
third_party_here() {
	echo '{"parties": [{"code": "USA", "name": "United States", "levels": [
	        {"code": "S", "name": "SECRET", "rank": 2}]}]}' >"$BATS_TEST_TMPDIR/usa.json"
	"$L" config apply "$BATS_TEST_TMPDIR/usa.json" >/dev/null
}

setup() {
	export LIAISON_HOME="$BATS_TEST_TMPDIR/node"
	export LIAISON_PASSPHRASE="test passphrase"
	unset LIAISON_NOW
	echo "launch at 06:00 from the west coast" >"$BATS_TEST_TMPDIR/report.txt"
	example_node
}

@test "share stores the item sealed and prints its id; get gives it back on PERMIT" {
	id=$(share)
	[[ "$id" =~ ^JPN-[0-9a-f]{24}$ ]]
	[ "$(rows items)" -eq 1 ]
	# only sealed bytes in the blob store
	! grep -rq "west coast" "$LIAISON_HOME/blobs" || false
	blob=$(sqlite3 "$LIAISON_HOME/node.db" "SELECT blob FROM items")
	[ -f "$LIAISON_HOME/blobs/$blob.lsn" ]
	[ "$(b2sum -l 256 "$LIAISON_HOME/blobs/$blob.lsn" | cut -d' ' -f1)" = "$blob" ]
	run "$L" item get "$id" --by sato --purpose warning -o "$BATS_TEST_TMPDIR/out.txt"
	[ "$status" -eq 0 ]
	cmp "$BATS_TEST_TMPDIR/report.txt" "$BATS_TEST_TMPDIR/out.txt"
}

@test "get on DENY exits 3 with every rule and reason, and writes nothing" {
	id=$(share)
	run "$L" item get "$id" --by suzuki -o "$BATS_TEST_TMPDIR/out.txt"
	[ "$status" -eq 3 ]
	[[ "$output" == *"DENY: suzuki may not download item $id"* ]]
	[[ "$output" == *"NO R-NTK"*"the item needs the group MISSILE-WARNING; suzuki does not hold it (Art. 7)"* ]]
	[[ "$output" == *"NO R-PURPOSE"* ]]
	[[ "$output" == *"ok R-CLEARANCE"* ]]
	[ ! -e "$BATS_TEST_TMPDIR/out.txt" ]
}

@test "access check answers PERMIT (0) and DENY (3), in JSON too" {
	id=$(share)
	run "$L" access check --person sato --item "$id" --action read --purpose warning
	[ "$status" -eq 0 ]
	[[ "$output" == "PERMIT: sato may read item $id"* ]]
	run "$L" --json access check --person sato --item "$id" --action destroy
	[ "$status" -eq 3 ]
	[ "$(echo "$output" | jq -r .decision)" = DENY ]
	[ "$(echo "$output" | jq -r '.rules[] | select(.ok == false) | .id')" = R-ROLE ]
	[ "$(echo "$output" | jq -r .action)" = destroy ]
	run "$L" access check --person suzuki --item "$id" --action destroy
	[ "$status" -eq 0 ]
}

@test "a denial helps: the rules that failed first, each with what would change it (text and --json hint)" {
	id=$(share --purpose training)
	run "$L" access check --person ito --item "$id" --action read
	[ "$status" -eq 3 ]
	# the failed rules before any that passed
	first_ok=$(grep -n '^  ok ' <<<"$output" | head -1 | cut -d: -f1)
	last_no=$(grep -n '^  NO ' <<<"$output" | tail -1 | cut -d: -f1)
	[ "$last_no" -lt "$first_ok" ]
	[[ "$output" == *"NO R-PURPOSE"*"to change it: give a purpose (--purpose) the item allows: training, warning"* ]]
	[[ "$output" == *"NO R-NTK"*"to change it: membership of the group MISSILE-WARNING"* ]]
	[[ "$output" == *"NO R-CLEARANCE"*"to change it: a clearance at JPN GOKUHI or higher"* ]]
	[[ "$output" == *"NO R-ROLE"*"to change it: ask a person with the role analyst or originator or security-officer"* ]]
	# JSON: the rules in the order applied, a hint on each that failed, none on those that passed
	run "$L" --json access check --person ito --item "$id" --action read
	[ "$status" -eq 3 ]
	[ "$(jq '[.rules[] | select(.ok == false and (.hint | type) != "string")] | length' <<<"$output")" -eq 0 ]
	[ "$(jq '[.rules[] | select(.ok and has("hint"))] | length' <<<"$output")" -eq 0 ]
	[ "$(jq -r '.rules[0].id' <<<"$output")" = R-ROLE ]
	# the log keeps the decisions the node enforced, without the advice
	run "$L" item get "$id" --by sato -o "$BATS_TEST_TMPDIR/no.txt" # no purpose: DENY, logged
	[ "$status" -eq 3 ]
	[[ "$output" == *"to change it: give a purpose"* ]]
	[ "$("$L" log entries | grep -c '"decision"')" -ge 1 ]
	[ "$("$L" log entries | grep -c '"hint"')" -eq 0 ]
	# a purpose that is not the item's: the hint names those that are
	run "$L" access check --person sato --item "$id" --action read --purpose sightseeing
	[ "$status" -eq 3 ]
	[[ "$output" == *"the purpose sightseeing is not among the item's purposes"*"allows: training, warning"* ]]
	# releasing to a party the item is not releasable to: the originator's own can share anew
	third_party_here
	run "$L" access check --person sato --item "$id" --action release --to USA
	[[ "$output" == *"NO R-RELEASABLE"*"share it anew with --releasable USA (it is releasable to KOR)"* ]]
}

@test "access check refuses bad input clearly" {
	id=$(share)
	run "$L" access check --person sato --item "$id" --action burn
	[ "$status" -eq 2 ]
	[[ "$output" == *'action "burn" is unknown'* ]]
	run "$L" access check --person nobody --item "$id" --action read
	[ "$status" -eq 1 ]
	[[ "$output" == *"unknown person nobody"* ]]
	run "$L" access check --person sato --item nope --action read
	[ "$status" -eq 1 ]
	[[ "$output" == *"unknown item nope"* ]]
	run "$L" access check --person sato --item "$id" --action read --at 2019-02-30
	[ "$status" -eq 2 ]
}

@test "share refuses a level above the sharer's clearance, or a stranger, storing nothing" {
	run "$L" person add lo --party JPN --name Lo --role originator --clearance HI --from 2019-01-01
	run share --by lo
	[ "$status" -eq 3 ]
	[ "$(rows items)" -eq 0 ]
	LIAISON_NOW=2019-09-01 run "$L" item share "$BATS_TEST_TMPDIR/report.txt" --by lo --level GOKUHI --title t
	[[ "$output" == *"lo may not mark an item GOKUHI"* ]]
	LIAISON_NOW=2019-09-01 run "$L" item share "$BATS_TEST_TMPDIR/report.txt" --by kim --level GOKUHI --title t
	[ "$status" -eq 3 ]
	[[ "$output" == *"kim is of KOR; this node shares for JPN"* ]]
	LIAISON_NOW=2019-09-01 run "$L" item share "$BATS_TEST_TMPDIR/report.txt" --by sato --level SECRET --title t
	[ "$status" -eq 2 ]
	[[ "$output" == *'JPN has no level "SECRET"'* ]]
	[ "$(rows items)" -eq 0 ]
	[ -z "$(ls "$LIAISON_HOME/blobs" 2>/dev/null)" ]
	# a row the store itself refuses: its sealed payload not left behind
	sqlite3 "$LIAISON_HOME/node.db" "CREATE TRIGGER refused BEFORE INSERT ON items BEGIN SELECT RAISE(ABORT, 'refused here'); END"
	LIAISON_NOW=2019-09-01 run "$L" item share "$BATS_TEST_TMPDIR/report.txt" --by sato --level GOKUHI --title t
	[ "$status" -ne 0 ]
	[[ "$output" == *"refused here"* ]]
	[ "$(rows items)" -eq 0 ]
	[ -z "$(ls "$LIAISON_HOME/blobs" 2>/dev/null)" ]
}

@test "list and show give both markings" {
	id=$(share)
	run "$L" --json item show "$id"
	[ "$(echo "$output" | jq -r .marking.level)" = GOKUHI ]
	[ "$(echo "$output" | jq -r .local_marking.party)" = JPN ]
	[ "$(echo "$output" | jq -r .label.ntk)" = MISSILE-WARNING ]
	run "$L" item list
	[[ "$output" == "$id JPN GOKUHI"*"Missile launch" ]]
}

@test "list: every item in the order stored, or a page at a time with --limit and --after" {
	cd "$BATS_TEST_TMPDIR"
	ids=()
	for i in 1 2 3 4 5; do ids+=("$(share --caveat "C$i")"); done
	# every item, in the order shared (ids are random: not their sort order)
	[ "$("$L" item list | cut -d' ' -f1 | tr '\n' ' ')" = "${ids[*]} " ]
	[ "$("$L" --json item list | jq -r '[.items[].id] | join(" ")')" = "${ids[*]}" ]
	[ "$("$L" --json item list | jq -r .next)" = null ]
	# pages of two: the next page's start is printed (stderr; "next" in JSON)
	"$L" item list --limit 2 >page1 2>more
	[ "$(cut -d' ' -f1 page1 | tr '\n' ' ')" = "${ids[0]} ${ids[1]} " ]
	[ "$(cat more)" = "more: liaison item list --after ${ids[1]} --limit 2" ]
	page=$("$L" --json item list --after "${ids[1]}" --limit 2)
	[ "$(echo "$page" | jq -r '[.items[].id] | join(" ")')" = "${ids[2]} ${ids[3]}" ]
	[ "$(echo "$page" | jq -r .next)" = "${ids[3]}" ]
	page=$("$L" --json item list --after "${ids[3]}" --limit 2)
	[ "$(echo "$page" | jq -r '[.items[].id] | join(" ")')" = "${ids[4]}" ]
	[ "$(echo "$page" | jq -r .next)" = null ]
	"$L" item list --after "${ids[3]}" --limit 1 >last 2>more
	[ "$(wc -l <last)" -eq 1 ] && [ ! -s more ]
	# without --limit, --after lists the rest
	[ "$("$L" item list --after "${ids[2]}" | wc -l)" -eq 2 ]
	run "$L" item list --after 0123456789abcdef01234567
	[ "$status" -ne 0 ]
	[[ "$output" == *"after: no item 0123456789abcdef01234567"* ]]
	for bad in 0 1001 x -1; do
		run "$L" item list --limit "$bad"
		[ "$status" -eq 2 ]
		[[ "$output" == *"--limit"* ]]
	done
}

@test "clearances that match the law: TOKUTEI needs its own, and lapses after five years unless renewed" {
	# the law's five years (the example leaves them out: its people, assessed in
	# 2015, also serve the tests at today's date)
	jq '.parties[0].levels[2].valid_years = 5' "$EXAMPLE" >"$BATS_TEST_TMPDIR/five.json"
	"$L" config apply "$BATS_TEST_TMPDIR/five.json" >/dev/null
	"$L" person add gokuhi-only --party JPN --name "Goku Hi" --role analyst \
		--clearance GOKUHI --from 2015-04-01 --ntk MISSILE-WARNING >/dev/null
	echo "a specially designated secret" >"$BATS_TEST_TMPDIR/s.txt"
	id=$(LIAISON_NOW=2019-09-01 "$L" item share "$BATS_TEST_TMPDIR/s.txt" --by sato --level TOKUTEI --title "Designated" \
		--releasable KOR --ntk MISSILE-WARNING --purpose warning 2>/dev/null)
	# a 極秘 clearance does not read a 特定秘密 item, though their ranks are equal
	run "$L" --json access check --person gokuhi-only --item "$id" --action read --purpose warning --at 2019-09-01
	[ "$status" -eq 3 ]
	echo "$output" | jq -e '[.rules[] | select(.id == "R-CLEARANCE")][0] | .ok == false and
		(.detail | contains("requires JPN TOKUTEI, which needs a clearance of its own; gokuhi-only holds GOKUHI"))'
	# sato's assessment of 2015-04-01 covers 2020-03-31, not 2020-04-01
	run "$L" --json access check --person sato --item "$id" --action read --purpose warning --at 2020-03-31
	[ "$status" -eq 0 ]
	run "$L" --json access check --person sato --item "$id" --action read --purpose warning --at 2020-04-01
	[ "$status" -eq 3 ]
	echo "$output" | jq -e '[.rules[] | select(.id == "R-CLEARANCE")][0].detail |
		contains("TOKUTEI clearance of 2015-04-01 lapsed after 2020-03-31 (a TOKUTEI clearance is valid 5 years unless renewed)")'
	# what would change it: a renewal, from the day after the last one
	echo "$output" | jq -e '[.rules[] | select(.id == "R-CLEARANCE")][0].hint |
		contains("a renewed TOKUTEI clearance (person add --clearance TOKUTEI:FROM), from 2020-04-01 on")'
	# renewed: a new assessment from 2020-03-15 covers it again, the first its own years
	"$L" person add sato --party JPN --name "Sato Hiroshi" --role originator --role analyst \
		--clearance TOKUTEI:2015-04-01 --clearance TOKUTEI:2020-03-15 --ntk MISSILE-WARNING --replace >/dev/null
	run "$L" --json access check --person sato --item "$id" --action read --purpose warning --at 2020-04-01
	[ "$status" -eq 0 ]
	echo "$output" | jq -e '[.rules[] | select(.id == "R-CLEARANCE")][0].detail | contains("sato holds TOKUTEI")'
	run "$L" --json access check --person sato --item "$id" --action read --purpose warning --at 2019-09-01
	[ "$status" -eq 0 ]
	run "$L" --json access check --person sato --item "$id" --action read --purpose warning --at 2025-03-15
	[ "$status" -eq 3 ]
	# the scheme, as stored
	[ "$(rows "levels WHERE code = 'TOKUTEI' AND separate = 1 AND valid_years = 5")" = 1 ]
}
