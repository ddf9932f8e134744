#!/usr/bin/env bats
# The node's clock: LIAISON_NOW dates acts only on a node made with
# `init --replay`; on any other node an act with it set is refused.
load helpers

echo_report() { echo "launch at 06:00" >"$BATS_TEST_TMPDIR/report.txt"; }

# A node of JPN without --replay, the example applied.
plain_node() {
	"$L" init --party JPN >/dev/null
	"$L" config apply "$EXAMPLE" >/dev/null
	echo_report
}

@test "LIAISON_NOW cannot backdate an act on a node not made for replays" {
	plain_node
	size=$(rows log_entries)
	run env LIAISON_NOW=2018-01-01 "$L" item share "$BATS_TEST_TMPDIR/report.txt" --by sato \
		--level GOKUHI --title "Backdated" --releasable KOR
	[ "$status" -eq 2 ]
	[[ "$output" == *"LIAISON_NOW is set (2018-01-01), but this node was not made for replays (liaison init --replay)"* ]]
	# nothing stored: no item, no log entry, no blob
	[ "$(rows items)" -eq 0 ]
	[ "$(rows log_entries)" -eq "$size" ]
	[ -z "$(ls "$LIAISON_HOME/blobs" 2>/dev/null | grep -v pending)" ]
	# the same for an agreement event and for a token
	run env LIAISON_NOW=2018-01-01 "$L" agreement event "$G" amended --date 2018-01-01
	[ "$status" -eq 2 ]
	run env LIAISON_NOW=2018-01-01 "$L" person token sato
	[ "$status" -eq 2 ]
	[ "$(rows log_entries)" -eq "$size" ]
	# without LIAISON_NOW the act takes the system's date, in its party's zone (Tokyo's)
	run "$L" item share "$BATS_TEST_TMPDIR/report.txt" --by sato --level GOKUHI \
		--title "Today" --releasable KOR
	[ "$status" -eq 0 ]
	[ "$(sqlite3 "$LIAISON_HOME/node.db" 'SELECT stored_on FROM items')" = "$(TZ=Asia/Tokyo date +%F)" ]
}

@test "questions still take a date: --at, and LIAISON_NOW as their default" {
	plain_node
	run "$L" agreement status "$G" --at 2019-08-23
	[ "$status" -eq 0 ]
	[[ "$output" == *"in-force-under-notice"* ]]
	run env LIAISON_NOW=2019-11-23 "$L" --json agreement status "$G" --without 4
	[ "$status" -eq 0 ]
	[ "$(echo "$output" | jq -r '.state + " " + .date')" = "terminated 2019-11-23" ]
}

@test "init --replay: LIAISON_NOW dates acts, and store info says which clock a node has" {
	"$L" init --replay --party JPN >/dev/null
	"$L" config apply "$EXAMPLE" >/dev/null
	echo_report
	run "$L" --json store info
	[ "$(echo "$output" | jq -r .clock)" = replay ]
	id=$(LIAISON_NOW=2019-09-01 "$L" item share "$BATS_TEST_TMPDIR/report.txt" --by sato \
		--level GOKUHI --title "Replayed" --releasable KOR 2>/dev/null)
	[ "$(sqlite3 "$LIAISON_HOME/node.db" "SELECT stored_on FROM items WHERE id = '$id'")" = 2019-09-01 ]
	"$L" log entries | jq -s -e 'any(.[]; .kind == "item-share" and .clock == "LIAISON_NOW" and .date == "2019-09-01")'
	# a node made without it says so
	run "$L" --home "$BATS_TEST_TMPDIR/plain" init --party KOR
	run "$L" --home "$BATS_TEST_TMPDIR/plain" store info
	[[ "$output" == *"clock: the system's"* ]]
	# init itself is an act: LIAISON_NOW without --replay is refused, and no node is made
	run env LIAISON_NOW=2019-01-01 "$L" --home "$BATS_TEST_TMPDIR/third" init --party KOR
	[ "$status" -eq 2 ]
	[ ! -e "$BATS_TEST_TMPDIR/third" ]
}

@test "serve refuses to start with LIAISON_NOW on a node not made for replays" {
	plain_node
	run env LIAISON_NOW=2019-09-01 timeout 10 "$L" serve --listen 127.0.0.1:0
	[ "$status" -eq 2 ]
	[[ "$output" == *"not made for replays"* ]]
}

@test "local dates: a node's today is its party's date, not UTC's; a zone that is not one is refused" {
	export LIAISON_NOW=2019-08-22
	"$L" init --replay --party KOR >/dev/null
	early=$(early_config)
	"$L" config apply "$early" >/dev/null
	# 2019-08-22 16:00 UTC is 01:00 on the 23rd in Seoul: the notice is dated the 23rd there
	LIAISON_NOW=2019-08-22T16:00:00Z "$L" --json agreement status "$G" | jq -e '.date == "2019-08-23"'
	run env LIAISON_NOW=2019-08-22T16:00:00Z "$L" agreement event "$G" notice --date 2019-08-23 --by KOR
	[ "$status" -eq 0 ]
	# one second before 15:00 UTC it is still the 22nd in Seoul
	LIAISON_NOW=2019-08-22T14:59:59Z "$L" --json agreement status "$G" | jq -e '.date == "2019-08-22"'
	# a party without a zone: UTC's date, and the 23rd is still in the future
	jq '.parties[1] |= del(.time_zone)' "$early" >"$BATS_TEST_TMPDIR/utc.json"
	"$L" config apply "$BATS_TEST_TMPDIR/utc.json" >/dev/null
	run env LIAISON_NOW=2019-08-22T16:00:00Z "$L" agreement event "$G" notice-suspended --date 2019-08-23 --by KOR
	[ "$status" -ne 0 ]
	[[ "$output" == *"dated 2019-08-23, after the node's today (2019-08-22"* ]]
	# refused: a zone the tz database does not have, or a path; an instant that is not one
	for z in "Asia/Tokio" "Asia" "Asia/" "../../etc/passwd" "/etc/localtime"; do
		jq --arg z "$z" '.parties[1].time_zone = $z' "$early" >"$BATS_TEST_TMPDIR/tz.json"
		run "$L" config apply "$BATS_TEST_TMPDIR/tz.json"
		[ "$status" -ne 0 ]
		[[ "$output" == *"parties[1].time_zone"* ]]
	done
	for t in 2019-08-22T24:00:00Z 2019-08-22T+1:00:00Z "2019-08-22T 9:00:00Z" 2019-08-22T1:2:3456Z; do
		run env LIAISON_NOW="$t" "$L" agreement status "$G"
		[ "$status" -ne 0 ]
		[[ "$output" == *"YYYY-MM-DDTHH:MM:SSZ"* ]]
	done
}

@test "the clock note stands before acts, not before questions" {
	"$L" init --replay --party JPN >/dev/null
	"$L" config apply "$(early_config)" >/dev/null
	LIAISON_NOW=2019-08-23 run "$L" agreement status "$G"
	[ "$status" -eq 0 ]
	[[ "$output" != *"note: the clock"* ]]
	LIAISON_NOW=2019-08-23 run "$L" agreement event "$G" notice --date 2019-08-23 --by KOR
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" == "note: the clock is set by LIAISON_NOW to 2019-08-23" ]]
	# the term's last day and the day it ends, alike in text and JSON
	LIAISON_NOW=2019-03-01 run "$L" agreement status "$G"
	[[ "$output" == *"term 3 runs 2018-11-23 to 2019-11-22, its last day (it ends at the start of 2019-11-23)"* ]]
	j=$(LIAISON_NOW=2019-03-01 "$L" --json agreement status "$G")
	[ "$(jq -r .term.last_day <<<"$j")" = 2019-11-22 ]
	[ "$(jq -r .term.ends <<<"$j")" = 2019-11-23 ]
}
