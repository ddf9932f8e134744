#!/usr/bin/env bats
# The command line itself: help, version, usage errors and exit codes.
load helpers

@test "--help lists every command and exits 0" {
	run "$L" --help
	[ "$status" -eq 0 ]
	[[ "$output" == *"init"* && "$output" == *"config"* && "$output" == *"agreement"* ]]
	[[ "$output" == *"exit codes: 0 success, 1 failure, 2 usage error, 3 denied"* ]]
}

@test "no command is a usage error (exit 2)" {
	run "$L"
	[ "$status" -eq 2 ]
	[[ "$output" == *"usage: liaison"* ]]
}

@test "an unknown command is a usage error that names it" {
	run "$L" frobnicate
	[ "$status" -eq 2 ]
	[[ "$output" == *'unknown command "frobnicate"'* ]]
}

@test "every command has --help, and help COMMAND says the same" {
	for c in init config agreement person party keygen seal open inspect; do
		run "$L" "$c" --help
		[ "$status" -eq 0 ]
		[[ "$output" == "usage: liaison"* ]]
		help_out="$output"
		run "$L" help "$c"
		[ "$status" -eq 0 ]
		[ "$output" = "$help_out" ]
	done
	run "$L" agreement status --help
	[ "$status" -eq 0 ]
	[[ "$output" == *"--without N"* ]]
}

@test "--version prints the version" {
	run "$L" --version
	[ "$status" -eq 0 ]
	[[ "$output" =~ ^liaison\ [0-9]+\.[0-9]+\.[0-9]+$ ]]
}

@test "an unknown option is a usage error that names it" {
	example_node
	run "$L" agreement status "$G" --att 2019-01-01
	[ "$status" -eq 2 ]
	[[ "$output" == *"unknown option --att"* ]]
}

@test "an option without its value is a usage error" {
	example_node
	run "$L" agreement status "$G" --at
	[ "$status" -eq 2 ]
	[[ "$output" == *"--at needs a value"* ]]
}

@test "errors come as JSON objects with --json" {
	example_node
	run "$L" --json agreement status NOPE
	[ "$status" -eq 1 ]
	[ "$(echo "$output" | jq -r .error.code)" = "not-found" ]
	[[ "$(echo "$output" | jq -r .error.message)" == *"unknown agreement NOPE"* ]]
}

@test "global options may stand after the command" {
	"$L" --home "$BATS_TEST_TMPDIR/other" init --replay --party KOR
	run "$L" agreement list --home "$BATS_TEST_TMPDIR/other" --json
	[ "$status" -eq 0 ]
	[ "$(echo "$output" | jq '.agreements | length')" -eq 0 ]
}
