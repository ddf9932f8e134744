#!/usr/bin/env bats
# liaison init: a node folder with its store.
load helpers

@test "init makes a private folder and store" {
	run "$L" init --party JPN
	[ "$status" -eq 0 ]
	[[ "$output" == "made a node for JPN in $LIAISON_HOME" ]]
	[ "$(stat -c %a "$LIAISON_HOME")" = 700 ]
	[ "$(stat -c %a "$LIAISON_HOME/node.db")" = 600 ]
	[ "$(sqlite3 "$LIAISON_HOME/node.db" "SELECT value FROM meta WHERE key = 'party'")" = JPN ]
	[ "$(sqlite3 "$LIAISON_HOME/node.db" 'PRAGMA journal_mode')" = wal ]
}

@test "init refuses a folder that already holds a node, and keeps it" {
	example_node
	run "$L" init --party KOR
	[ "$status" -eq 1 ]
	[[ "$output" == *"already holds a node"* ]]
	[ "$(rows agreements)" -eq 1 ]
}

@test "init needs a valid party code" {
	run "$L" init
	[ "$status" -eq 2 ]
	[[ "$output" == *"--party CODE is required"* ]]
	run "$L" init --party jp
	[ "$status" -eq 2 ]
	[[ "$output" == *'party code "jp" is not 2-8 capital letters'* ]]
	[ ! -e "$LIAISON_HOME/node.db" ]
}

@test "init --json answers with the folder and the party" {
	run "$L" --json init --party KOR
	[ "$status" -eq 0 ]
	[ "$(echo "$output" | jq -r .party)" = KOR ]
	[ "$(echo "$output" | jq -r .home)" = "$LIAISON_HOME" ]
}

@test "commands on a folder without a node say how to make one" {
	run "$L" agreement list
	[ "$status" -eq 1 ]
	[[ "$output" == *"no node in $LIAISON_HOME (make one with: liaison init --party CODE)"* ]]
}

@test "--home beats LIAISON_HOME" {
	"$L" init --party JPN
	run "$L" --home "$BATS_TEST_TMPDIR/two" init --party KOR
	[ "$status" -eq 0 ]
	[ -e "$BATS_TEST_TMPDIR/two/node.db" ]
}
