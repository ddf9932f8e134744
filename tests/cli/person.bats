#!/usr/bin/env bats
# liaison person add / show / list, and people from the configuration file.
load helpers

@test "the example's people are stored with their clearances" {
	example_node
	run "$L" --json person list
	[ "$status" -eq 0 ]
	[ "$(echo "$output" | jq -r '[.people[].id] | join(",")')" = "ito,mori,sato,suzuki,kim,park" ]
	run "$L" --json person show kim
	[ "$(echo "$output" | jq -r ".clearance[0].level")" = II ]
	[ "$(echo "$output" | jq -r ".clearance[0].to")" = 2025-12-31 ]
	[ "$(echo "$output" | jq -r '.ntk[0]')" = MISSILE-WARNING ]
	run "$L" person show sato
	[[ "$output" == *"roles: analyst originator"* ]]
	[[ "$output" == *"clearance: TOKUTEI from 2015-04-01"* ]]
}

@test "person add stores a person; a second add of the id needs --replace" {
	example_node
	run "$L" person add lee --party KOR --name "Lee Seo-yeon" --role analyst \
		--clearance III --from 2019-01-01 --to 2024-12-31 --ntk MISSILE-WARNING --ntk NAVAL
	[ "$status" -eq 0 ]
	[[ "$output" == "added lee (KOR): Lee Seo-yeon"* ]]
	[ "$(rows person_ntk)" -eq 5 ]
	run "$L" person add lee --party KOR --name "Lee" --role analyst
	[ "$status" -eq 1 ]
	[[ "$output" == *"person lee already exists (replace it with --replace)"* ]]
	# two adding one id at once: the second refused (asked under the lock)
	hold_lock "$LIAISON_HOME/node.db" "INSERT INTO people(id, party, name, roles) VALUES('choi', 'KOR', 'Choi', 1);"
	run "$L" person add choi --party KOR --name "Choi Min" --role analyst
	[ "$status" -eq 1 ]
	[[ "$output" == *"person choi already exists"* ]]
	[ "$(sqlite3 "$LIAISON_HOME/node.db" "SELECT name FROM people WHERE id = 'choi'")" = Choi ]
	"$L" person add lee --party KOR --name "Lee" --role security-officer --replace
	run "$L" --json person show lee
	[ "$(echo "$output" | jq -r '.roles[0]')" = security-officer ]
	[ "$(echo "$output" | jq -r '.clearance | length')" -eq 0 ]
}

@test "a person may hold several clearances: a renewed assessment, another level" {
	example_node
	# the example's TOKUTEI assessments lapse after five years
	jq '.parties[0].levels[2].valid_years = 5' "$EXAMPLE" > "$BATS_TEST_TMPDIR/v.json"
	"$L" config apply "$BATS_TEST_TMPDIR/v.json" >/dev/null
	run "$L" person add abe --party JPN --name "Abe Rin" --role analyst \
		--clearance TOKUTEI:2015-04-01 --clearance tokutei:2020-03-15 --clearance GOKUHI:2010-01-01:2029-12-31
	[ "$status" -eq 0 ]
	[[ "$output" == *"clearance: TOKUTEI from 2015-04-01 (lapses after 2020-03-31 unless renewed)"* ]]
	[[ "$output" == *"clearance: TOKUTEI from 2020-03-15 (lapses after 2025-03-14 unless renewed)"* ]]
	[[ "$output" == *"clearance: GOKUHI from 2010-01-01 to 2029-12-31"* ]]
	run "$L" --json person show abe
	echo "$output" | jq -e '[.clearance[].level] == ["TOKUTEI", "TOKUTEI", "GOKUHI"]'
	echo "$output" | jq -e '.clearance[0].lapses == "2020-03-31" and (.clearance[2] | has("lapses") | not)'
	run "$L" person list
	[[ "$output" == *"abe"*"JPN"*"TOKUTEI,TOKUTEI,GOKUHI"* ]]
	# the same from the configuration file, where "clearance" takes an array
	jq '.people += [{"id": "ono", "party": "JPN", "name": "Ono", "roles": ["analyst"],
		"clearance": [{"level": "TOKUTEI", "from": "2015-04-01"}, {"level": "HI", "from": "2015-04-01"}]}]' \
		"$BATS_TEST_TMPDIR/v.json" > "$BATS_TEST_TMPDIR/c.json"
	"$L" config apply "$BATS_TEST_TMPDIR/c.json"
	[ "$("$L" --json person show ono | jq -r '[.clearance[].level] | join(",")')" = TOKUTEI,HI ]
	# a bad one is named by its place, and nothing is stored
	before=$(rows clearances)
	run "$L" person add bad --party JPN --name Bad --role analyst --clearance HI:2015-04-01 --clearance SECRET:2015-04-01
	[ "$status" -eq 2 ]
	[[ "$output" == *'clearance[1].level: JPN has no level "SECRET"'* ]]
	run "$L" person add bad --party JPN --name Bad --role analyst --clearance HI:2015-04-01 --clearance GOKUHI
	[ "$status" -eq 2 ]
	[[ "$output" == *"--clearance GOKUHI needs its first day"* ]]
	run "$L" person add bad --party JPN --name Bad --role analyst --clearance HI:2015-02-30
	[ "$status" -eq 2 ]
	[[ "$output" == *"2015-02-30"* ]]
	[ "$(rows clearances)" -eq "$before" ]
}

@test "person add refuses what does not fit, storing nothing" {
	example_node
	before=$(rows people)
	run "$L" person add lee --party KOR --name Lee --role analyst --clearance GOKUHI --from 2019-01-01
	[ "$status" -eq 2 ]
	[[ "$output" == *'clearance.level: KOR has no level "GOKUHI"'* ]]
	run "$L" person add lee --party KOR --name Lee --role spy
	[ "$status" -eq 2 ]
	[[ "$output" == *'role "spy" is unknown'* ]]
	run "$L" person add lee --party USA --name Lee --role analyst
	[ "$status" -eq 2 ]
	[[ "$output" == *'party: "USA" is not a party known on this node (JPN, KOR)'* ]]
	run "$L" person add Lee --party KOR --name Lee --role analyst
	[ "$status" -eq 2 ]
	[[ "$output" == *'person id "Lee"'* ]]
	run "$L" person add lee --party KOR --name Lee --role analyst --clearance II --from 2019-02-30
	[ "$status" -eq 2 ]
	[ "$(rows people)" -eq "$before" ]
}

@test "person show of an unknown id fails and names it" {
	example_node
	run "$L" person show nobody
	[ "$status" -eq 1 ]
	[[ "$output" == *"unknown person nobody"* ]]
}

@test "a level people hold cannot leave the scheme under them" {
	example_node
	# ito holds HI: a file without HI is refused, and nothing changes
	jq '.parties[0].levels |= map(select(.code != "HI")) | .agreements[0].equivalence |= map(select(.common != "CONFIDENTIAL"))' \
		"$EXAMPLE" >"$BATS_TEST_TMPDIR/nohi.json"
	before=$(rows levels)
	run "$L" config apply "$BATS_TEST_TMPDIR/nohi.json"
	[ "$status" -eq 1 ]
	[[ "$output" == *'people[2].clearance.level: JPN has no level "HI"'* ]]
	# nor one that leaves ito out: the store holds his clearance to its level
	jq '.people |= map(select(.id != "ito"))' "$BATS_TEST_TMPDIR/nohi.json" >"$BATS_TEST_TMPDIR/nohi2.json"
	run "$L" config apply "$BATS_TEST_TMPDIR/nohi2.json"
	[ "$status" -eq 1 ]
	[[ "$output" == *"FOREIGN KEY"* ]]
	[ "$(rows levels)" -eq "$before" ]
	[ "$("$L" --json person show ito | jq -r '.clearance[0].level')" = HI ]
}
