#!/usr/bin/env bats
# make demo's story (scripts/demo.sh) runs to its end and tells it: two
# daemons replaying 2019, the notes, the report read, the third-party
# release refused then allowed, both logs verified.
load helpers

@test "the demo: two daemons replay 2019 and both logs verify" {
	cd "$BATS_TEST_DIRNAME/../.."
	run bash scripts/demo.sh "$L"
	[ "$status" -eq 0 ]
	# the notice travelled: both nodes under notice, then both in force after the suspension
	[ "$(grep -c '^JPN: in-force-under-notice, would end at the start of 2019-11-23' <<<"$output")" -eq 1 ]
	[ "$(grep -c '^KOR: in-force-under-notice, would end at the start of 2019-11-23' <<<"$output")" -eq 1 ]
	[ "$(grep -c '^[JK][PO][NR]: in-force; notice by KOR: suspended' <<<"$output")" -ge 2 ]
	# the counterfactual on 2019-11-23: without the suspension, it ended that day
	grep -A2 'without the suspension (event 4)' <<<"$output" | grep -q '^JPN-KOR-GSOMIA on 2019-11-23: terminated since 2019-11-23$'
	# the 2019 deadline, as both governments said: 24 August
	grep -q 'a notice given by 2019-08-24 ends it at the end of this term' <<<"$output"
	[[ "$output" == *'"result":"stored"'* ]]
	[[ "$output" == *"two short-range missiles launched eastward"* ]]
	# kim still reads the report on 2019-11-23 (a fresh token: the first one expired)
	grep -A2 'kim still reads the report' <<<"$output" | grep -qx PERMIT
	[[ "$output" == *"NO R-THIRD-PARTY"* ]]
	[[ "$output" == *"to USA: to-usa.lsn"* ]]
	[ "$(grep -c '^log verified:' <<<"$output")" -eq 2 ]
	[ "$(grep -c 'its log: [0-9]* entries, witnessed' <<<"$output")" -eq 2 ]
}
