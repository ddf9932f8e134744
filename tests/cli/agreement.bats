#!/usr/bin/env bats
# liaison agreement list / show / status / timeline on the 2019 example.
load helpers

status_on() {
	"$L" --json agreement status "$G" --at "$1" "${@:2}"
}

@test "2019-08-22: in force, and a notice by 2019-08-24 would end it on 2019-11-23" {
	example_node
	run status_on 2019-08-22
	[ "$status" -eq 0 ]
	[ "$(echo "$output" | jq -r .state)" = in-force ]
	[ "$(echo "$output" | jq -r .term.ends)" = 2019-11-23 ]
	[ "$(echo "$output" | jq -r .term.notice_deadline)" = 2019-08-24 ]
	[ "$(echo "$output" | jq -r '.notice // "none"')" = none ]
}

@test "2019-08-23: in force under KOR's notice, ending 2019-11-23" {
	example_node
	run status_on 2019-08-23
	[ "$status" -eq 0 ]
	[ "$(echo "$output" | jq -r .state)" = in-force-under-notice ]
	[ "$(echo "$output" | jq -r .ends)" = 2019-11-23 ]
	[ "$(echo "$output" | jq -r .notice.by)" = KOR ]
	[ "$(echo "$output" | jq -r .notice.status)" = pending ]
}

@test "2019-11-23: in force, the notice suspended" {
	example_node
	run status_on 2019-11-23
	[ "$(echo "$output" | jq -r .state)" = in-force ]
	[ "$(echo "$output" | jq -r .notice.status)" = suspended ]
	[ "$(echo "$output" | jq -r .notice.suspended)" = 2019-11-22 ]
}

@test "without the suspension (event 4): terminated since 2019-11-23" {
	example_node
	run status_on 2019-11-23 --without 4
	[ "$status" -eq 0 ]
	[ "$(echo "$output" | jq -r .state)" = terminated ]
	[ "$(echo "$output" | jq -r .since)" = 2019-11-23 ]
	[ "$(echo "$output" | jq -r .without.kind)" = notice-suspended ]
	run status_on 2024-01-01 --without 4
	[ "$(echo "$output" | jq -r '.ignored[0].kind')" = notice-withdrawn ]
	[[ "$(echo "$output" | jq -r '.ignored[0].reason')" == *"terminated since 2019-11-23"* ]]
	run "$L" agreement status "$G" --at 2019-11-23 --without 4
	[[ "${lines[0]}" == "$G on 2019-11-23: terminated since 2019-11-23" ]]
}

@test "2023-03-21 on: in force, the notice withdrawn" {
	example_node
	run status_on 2023-03-21
	[ "$(echo "$output" | jq -r .state)" = in-force ]
	[ "$(echo "$output" | jq -r .notice.status)" = withdrawn ]
}

@test "before 2016-11-23: not in force" {
	example_node
	run status_on 2016-11-22
	[ "$(echo "$output" | jq -r .state)" = not-in-force ]
}

@test "a date that does not exist is a usage error naming --at" {
	example_node
	run "$L" agreement status "$G" --at 2019-02-30
	[ "$status" -eq 2 ]
	[[ "$output" == *'--at: date "2019-02-30": day 30 does not exist'* ]]
	run "$L" agreement status "$G" --at 19-1-1
	[ "$status" -eq 2 ]
	[[ "$output" == *"not in the form YYYY-MM-DD"* ]]
}

@test "--without must be an event number of the agreement" {
	example_node
	for n in 0 6 x 4x " 1" +1 1.0 0x1; do
		run "$L" agreement status "$G" --without "$n"
		[ "$status" -eq 2 ]
		[[ "$output" == *"is not an event number of $G (1..5)"* ]]
	done
}

@test "an unknown agreement fails and names it" {
	example_node
	run "$L" agreement status NOPE
	[ "$status" -eq 1 ]
	[[ "$output" == *"unknown agreement NOPE"* ]]
}

@test "status without --at answers for the node's today (LIAISON_NOW)" {
	example_node
	LIAISON_NOW=2019-09-01 run "$L" --json agreement status "$G"
	[ "$(echo "$output" | jq -r .date)" = 2019-09-01 ]
	[ "$(echo "$output" | jq -r .clock)" = LIAISON_NOW ]
	[ "$(echo "$output" | jq -r .state)" = in-force-under-notice ]
	LIAISON_NOW=2019-02-30 run "$L" agreement status "$G"
	[ "$status" -eq 1 ]
	[[ "$output" == *"LIAISON_NOW (YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ): date \"2019-02-30\""* ]]
}

@test "timeline lists each change of state" {
	example_node
	run "$L" --json agreement timeline "$G" --from 2016-01-01 --to 2024-01-01
	[ "$status" -eq 0 ]
	[ "$(echo "$output" | jq -r '[.changes[] | .date + " " + .state] | join(",")')" = \
	  "2016-01-01 not-in-force,2016-11-23 in-force,2019-08-23 in-force-under-notice,2019-11-22 in-force,2023-03-21 in-force" ]
	run "$L" --json agreement timeline "$G" --from 2019-01-01 --to 2024-01-01 --without 4
	[ "$(echo "$output" | jq -r '[.changes[] | .date + " " + .state] | join(",")')" = \
	  "2019-01-01 in-force,2019-08-23 in-force-under-notice,2019-11-23 terminated" ]
	run "$L" agreement timeline "$G" --from 2020-01-01 --to 2019-01-01
	[ "$status" -eq 2 ]
	[[ "$output" == *"the end 2019-01-01 is before the start 2020-01-01"* ]]
}

@test "show gives terms, equivalences with national names, unmapped levels, events" {
	example_node
	run "$L" agreement show "$G"
	[ "$status" -eq 0 ]
	[[ "$output" == *"notice 90 days"* ]]
	[[ "$output" == *"KOR II 군사II급비밀"* ]]
	[[ "$output" == *"no equivalent: KOR I 군사I급비밀"* ]]
	[[ "$output" == *"4  2019-11-22  notice-suspended by KOR"* ]]
	run "$L" --json agreement show "$G"
	[ "$(echo "$output" | jq -r '.unmapped[0].level')" = I ]
	[ "$(echo "$output" | jq -r '.equivalence[0].JPN | join(",")')" = GOKUHI,TOKUTEI ]
	[ "$(echo "$output" | jq '.events | length')" -eq 5 ]
}

@test "list gives each agreement with its state on a date" {
	example_node
	run "$L" --json agreement list --at 2019-09-01
	[ "$status" -eq 0 ]
	[ "$(echo "$output" | jq -r '.agreements[0].id')" = "$G" ]
	[ "$(echo "$output" | jq -r '.agreements[0].status.state')" = in-force-under-notice ]
	run "$L" agreement list --at 2019-09-01
	[[ "$output" == "$G"*"JPN,KOR"*"in-force-under-notice"* ]]
}

@test "several agreements between the same parties: decisions use the one in force that day" {
	# an older agreement between JPN and KOR, ended by a notice in 1999, whose id sorts first
	jq '.agreements = [(.agreements[0] | .id = "A-JPN-KOR-1990" | .title = "An older agreement"
		| .events = [{"date": "1990-01-01", "kind": "signed"}, {"date": "1990-01-01", "kind": "in-force"},
			{"date": "1999-06-01", "kind": "notice", "by": "KOR"}])] + .agreements' "$EXAMPLE" >"$BATS_TEST_TMPDIR/two.json"
	"$L" init --replay --party JPN >/dev/null
	"$L" config apply "$BATS_TEST_TMPDIR/two.json" >/dev/null
	"$L" --json agreement status A-JPN-KOR-1990 --at 2019-09-01 | jq -e '.state == "terminated"'
	echo "2019-08-24: launch" >"$BATS_TEST_TMPDIR/r.txt"
	id=$("$L" item share "$BATS_TEST_TMPDIR/r.txt" --by sato --level GOKUHI --title Launch --releasable KOR \
		--ntk MISSILE-WARNING --purpose warning 2>/dev/null)
	# a release to KOR on 2019-09-01 comes under the agreement in force, not the ended one
	run "$L" --json access check --person sato --item "$id" --action release --to KOR --purpose warning
	[ "$status" -eq 0 ]
	echo "$output" | jq -e '.decision == "PERMIT"'
	echo "$output" | jq -e '[.rules[] | select(.id == "R-IN-FORCE")][0].detail | contains("JPN-KOR-GSOMIA")'
	# in 1995 only the older one was in force: it governs then
	run "$L" --json access check --person sato --item "$id" --action release --to KOR --purpose warning --at 1995-01-01
	echo "$output" | jq -e '[.rules[] | select(.id == "R-IN-FORCE")][0].detail | contains("A-JPN-KOR-1990")'
}

@test "a deadline that has passed is said to have passed" {
	example_node
	run "$L" agreement status "$G" --at 2019-10-01 --without 3
	[ "$status" -eq 0 ]
	[[ "$output" == *"the deadline to end it at the end of this term passed on 2019-08-24: a notice given now ends a later term"* ]]
	run "$L" agreement status "$G" --at 2019-08-24 --without 3
	[[ "$output" == *"a notice given by 2019-08-24 ends it at the end of this term"* ]]
}
