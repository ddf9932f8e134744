#!/usr/bin/env bats
# Labels checked at entry: parties the node knows, need-to-know groups and
# purposes its party declares, levels whatever their case; an unknown value
# is a usage error (exit 2, 400 over HTTP) naming the field and the nearest
# known value, and nothing is stored.
load helpers

setup() {
	export LIAISON_HOME="$BATS_TEST_TMPDIR/node"
	export LIAISON_PASSPHRASE="test passphrase"
	export LIAISON_NOW=2019-09-01
	cd "$BATS_TEST_TMPDIR"
	echo "launch at 06:00" >"$BATS_TEST_TMPDIR/report.txt"
	example_node
}

share() {
	"$L" item share "$BATS_TEST_TMPDIR/report.txt" --by sato --title "Launch" "$@"
}

@test "an unknown releasable party is refused with the nearest known one, storing nothing" {
	size=$(rows log_entries)
	run share --level GOKUHI --releasable XYZ
	[ "$status" -eq 2 ]
	[[ "$output" == *'releasable: "XYZ" is not a party known on this node (JPN, KOR)'* ]]
	run share --level GOKUHI --releasable KRO
	[ "$status" -eq 2 ]
	[[ "$output" == *"did you mean KOR?"* ]]
	[ "$(rows items)" -eq 0 ]
	[ "$(rows log_entries)" -eq "$size" ]
	[ -z "$(ls "$LIAISON_HOME/blobs" 2>/dev/null | grep -v pending)" ]
}

@test "a need-to-know group must be one the party declares" {
	run share --level GOKUHI --releasable KOR --ntk NO-SUCH-GROUP
	[ "$status" -eq 2 ]
	[[ "$output" == *'ntk: "NO-SUCH-GROUP" is not a need-to-know group declared by JPN'*'(MISSILE-WARNING, NAVAL)'* ]]
	run share --level GOKUHI --ntk MISSILE-WARNIGN
	[ "$status" -eq 2 ]
	[[ "$output" == *"did you mean MISSILE-WARNING?"* ]]
	[ "$(rows items)" -eq 0 ]
	# a party that declares none takes none
	jq 'del(.parties[0].ntk_groups) | del(.people[] | select(.party == "JPN") | .ntk)' "$EXAMPLE" \
		>"$BATS_TEST_TMPDIR/none.json"
	"$L" --home "$BATS_TEST_TMPDIR/n2" init --replay --party JPN >/dev/null
	"$L" --home "$BATS_TEST_TMPDIR/n2" config apply "$BATS_TEST_TMPDIR/none.json" >/dev/null
	run "$L" --home "$BATS_TEST_TMPDIR/n2" item share "$BATS_TEST_TMPDIR/report.txt" --by sato \
		--title t --level GOKUHI --ntk MISSILE-WARNING
	[ "$status" -eq 2 ]
	[[ "$output" == *"none are declared"* ]]
}

@test "purposes must be declared ones when the party declares them" {
	run share --level GOKUHI --purpose warnign
	[ "$status" -eq 2 ]
	[[ "$output" == *'purpose: "warnign" is not a purpose declared by JPN'*"did you mean warning?"* ]]
	run share --level GOKUHI --purpose warning --purpose analysis
	[ "$status" -eq 0 ]
}

@test "levels are taken whatever their case when that names one level; others are refused with the nearest" {
	id=$(share --level gokuhi --releasable KOR)
	[ "$("$L" --json item show "$id" | jq -r .marking.level)" = GOKUHI ]
	run share --level GOKUHl
	[ "$status" -eq 2 ]
	[[ "$output" == *'level: JPN has no level "GOKUHl" (HI, GOKUHI, TOKUTEI); did you mean GOKUHI?'* ]]
	# the same for a downgrade, logged with the level it had and the one it has
	run "$L" item downgrade "$id" --by sato --level hi
	[ "$status" -eq 0 ]
	"$L" log entries | jq -s -e 'any(.[]; .kind == "item-downgrade" and .from == "GOKUHI" and .to == "HI")'
	# and a clearance
	run "$L" person add lo --party JPN --name Lo --role analyst --clearance gokuhi --from 2019-01-01
	[ "$status" -eq 0 ]
	[ "$("$L" --json person show lo | jq -r ".clearance[0].level")" = GOKUHI ]
}

@test "people's groups must be declared by their party, in a file or one by one" {
	run "$L" person add lo --party JPN --name Lo --role analyst --ntk SIGINT
	[ "$status" -eq 2 ]
	[[ "$output" == *'ntk[0]: "SIGINT" is not a need-to-know group of JPN (MISSILE-WARNING, NAVAL)'* ]]
	jq '.people[0].ntk = ["MISSILE-WARNING", "SIGNIT"]' "$EXAMPLE" >"$BATS_TEST_TMPDIR/bad.json"
	run "$L" config check "$BATS_TEST_TMPDIR/bad.json"
	[ "$status" -ne 0 ]
	[[ "$output" == *"people[0].ntk[1]"*"SIGNIT"* ]]
	run "$L" person add lo --party XYZ --name Lo --role analyst
	[ "$status" -eq 2 ]
	[[ "$output" == *'party: "XYZ" is not a party known on this node'* ]]
}

@test "over HTTP: 400 with the field named, nothing stored" {
	TOKEN=$("$L" person token sato 2>/dev/null)
	daemon "$LIAISON_HOME"
	code=$(curl -s -o out.json -w '%{http_code}' -H "Authorization: Bearer $TOKEN" \
		--data-binary @"$BATS_TEST_TMPDIR/report.txt" \
		"$DAEMON_URL/v1/items?level=GOKUHI&title=t&releasable=XYZ")
	kill -TERM "$DAEMON_PID"
	wait "$DAEMON_PID" || true
	[ "$code" = 400 ]
	[ "$(jq -r .error.code out.json)" = invalid ]
	[ "$(jq -r .error.field out.json)" = releasable ]
	[ "$(rows items)" -eq 0 ]
}
