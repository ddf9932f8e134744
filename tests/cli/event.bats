#!/usr/bin/env bats
# liaison agreement event: replaying 2019 as it happened, and refusals.
load helpers

event() {
	"$L" agreement event "$G" "$@"
}

@test "replaying 2019 day by day records each event and its effect" {
	"$L" init --replay --party JPN
	"$L" config apply "$(early_config)"
	LIAISON_NOW=2019-08-23 run event notice --date 2019-08-23 --by KOR
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" == "note: the clock is set by LIAISON_NOW to 2019-08-23" ]]
	[[ "${lines[1]}" == "recorded event 3  2019-08-23  notice"*"by KOR" ]]
	[[ "$output" == *"in-force-under-notice, ends 2019-11-23"* ]]
	LIAISON_NOW=2019-11-22 run "$L" --json agreement event "$G" notice-suspended --date 2019-11-22 --by KOR
	[ "$status" -eq 0 ]
	[ "$(echo "$output" | jq .event.number)" -eq 4 ]
	[ "$(echo "$output" | jq -r .status.state)" = in-force ]
	[ "$(echo "$output" | jq -r .status.notice.status)" = suspended ]
	LIAISON_NOW=2023-03-21 run event notice-withdrawn --date 2023-03-21 --by KOR
	[ "$status" -eq 0 ]
	[ "$(rows agreement_events)" -eq 5 ]
	# the same history as the example file
	run "$L" config apply "$EXAMPLE"
	[[ "$output" == *"events added: 0, already stored: 5"* ]]
}

@test "a suspension with no pending notice is refused and stores nothing" {
	example_node
	run event notice-suspended --date 2024-01-10 --by KOR
	[ "$status" -eq 1 ]
	[[ "$output" == *"refused: notice-suspended on 2024-01-10: there is no pending notice to suspend"* ]]
	[ "$(rows agreement_events)" -eq 5 ]
}

@test "a notice by a non-party is refused" {
	example_node
	run event notice --date 2024-01-10 --by USA
	[ "$status" -eq 1 ]
	[[ "$output" == *"USA is not a party to $G"* ]]
	[ "$(rows agreement_events)" -eq 5 ]
}

@test "an event dated before entry into force is refused" {
	example_node
	run event amended --date 2015-01-01
	[ "$status" -eq 1 ]
	[[ "$output" == *"dated before the agreement's entry into force"* ]]
}

@test "a second notice while one is pending is refused" {
	"$L" init --replay --party JPN
	"$L" config apply "$(early_config)"
	event notice --date 2019-08-23 --by KOR
	run event notice --date 2019-09-01 --by JPN
	[ "$status" -eq 1 ]
	[[ "$output" == *"a notice by KOR given 2019-08-23 is already pending"* ]]
	[ "$(rows agreement_events)" -eq 3 ]
}

@test "an event after termination is refused" {
	"$L" init --replay --party JPN
	"$L" config apply "$(early_config)"
	event notice --date 2019-08-23 --by KOR
	run event notice-suspended --date 2019-11-23 --by KOR
	[ "$status" -eq 1 ]
	[[ "$output" == *"the agreement is terminated since 2019-11-23"* ]]
	run "$L" --json agreement status "$G" --at 2019-11-23
	[ "$(echo "$output" | jq -r .state)" = terminated ]
}

@test "an event that would make a recorded one impossible is refused" {
	example_node
	# a withdrawal before the recorded suspension leaves it nothing to suspend
	run event notice-withdrawn --date 2019-10-01 --by KOR
	[ "$status" -eq 1 ]
	[[ "$output" == *"refused: it would make event 4 impossible: notice-suspended on 2019-11-22"* ]]
	[ "$(rows agreement_events)" -eq 5 ]
}

@test "an event dated after the node's today is refused" {
	example_node
	LIAISON_NOW=2019-08-22 run event notice --date 2019-08-23 --by KOR
	[ "$status" -eq 1 ]
	[[ "$output" == *"dated 2019-08-23, after the node's today (2019-08-22, set by LIAISON_NOW)"* ]]
}

@test "bad kind, date or party are usage errors" {
	example_node
	run event expired --date 2019-01-01
	[ "$status" -eq 2 ]
	[[ "$output" == *'event kind "expired" is unknown'* ]]
	run event notice --date 2019-13-01 --by KOR
	[ "$status" -eq 2 ]
	[[ "$output" == *"month 13 does not exist"* ]]
	run event notice --by KOR
	[ "$status" -eq 2 ]
	[[ "$output" == *"--date YYYY-MM-DD is required"* ]]
	run event notice --date 2019-01-01 --by korea
	[ "$status" -eq 2 ]
	[ "$(rows agreement_events)" -eq 5 ]
}
