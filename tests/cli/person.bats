#!/usr/bin/env bats
# liaison person add / show / list, and people from the configuration file.
load helpers

@test "the example's people are stored with their clearances" {
	example_node
	run "$L" --json person list
	[ "$status" -eq 0 ]
	[ "$(echo "$output" | jq -r '[.people[].id] | join(",")')" = "ito,mori,sato,suzuki,kim,park" ]
	run "$L" --json person show kim
	[ "$(echo "$output" | jq -r .clearance.level)" = II ]
	[ "$(echo "$output" | jq -r .clearance.to)" = 2025-12-31 ]
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
	"$L" person add lee --party KOR --name "Lee" --role security-officer --replace
	run "$L" --json person show lee
	[ "$(echo "$output" | jq -r '.roles[0]')" = security-officer ]
	[ "$(echo "$output" | jq -r '.clearance // "none"')" = none ]
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
