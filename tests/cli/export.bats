#!/usr/bin/env bats
# Export control on the example: Japan's regime with the 2019 and 2023 dates
# (docs/record.md), licences, the configuration, and R-EXPORT on releases.
load helpers

setup() {
	export LIAISON_HOME="$BATS_TEST_TMPDIR/node"
	export LIAISON_PASSPHRASE="test passphrase"
	unset LIAISON_NOW
	cd "$BATS_TEST_TMPDIR"
	example_node
}

decision() { # entry to at -> the decision (the exit code is checked apart)
	"$L" --json export check --entry "$1" --to "$2" --at "$3" | jq -r .decision
}

@test "hydrogen fluoride to Korea: general-bulk on 2019-07-03, individual-required on 2019-07-04" {
	run "$L" export check --entry HF --to KOR --at 2019-07-03
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" == "general-bulk: HF to KOR (South Korea) on 2019-07-03" ]]
	run "$L" --json export check --entry HF --to KOR --at 2019-07-04
	[ "$status" -eq 3 ]
	[ "$(echo "$output" | jq -r .decision)" = individual-required ]
	[ "$(echo "$output" | jq -r .group)" = A ]
	[ "$(echo "$output" | jq -r .licence)" = null ]
	[ "$(echo "$output" | jq -r .special_measure.from)" = 2019-07-04 ]
	[ "$(echo "$output" | jq -r .allowed)" = false ]
	echo "$output" | jq -r '.reasons[]' | grep -q "IL-2019-HF-1 is valid from 2019-08-29"
}

@test "a valid individual licence on file makes it licensed" {
	run "$L" export licence add IL-2019-0000 --entry HF --to KOR --valid-from 2019-07-04 \
		--valid-to 2019-07-31
	[ "$status" -eq 0 ]
	run "$L" --json export check --entry HF --to KOR --at 2019-07-04
	[ "$status" -eq 0 ]
	[ "$(echo "$output" | jq -r .decision)" = licensed ]
	[ "$(echo "$output" | jq -r .licence.id)" = IL-2019-0000 ]
	[ "$(decision HF KOR 2019-08-01)" = individual-required ]
	[ "$(decision HF KOR 2019-08-28)" = individual-required ]
	[ "$(decision HF KOR 2019-08-29)" = licensed ]
	[ "$(decision HF KOR 2020-02-28)" = licensed ]
	[ "$(decision HF KOR 2020-02-29)" = individual-required ]
	# the entry taken off the list while the licence is added: refused
	hold_lock "$LIAISON_HOME/node.db" "DELETE FROM export_entries WHERE code = 'FPI';"
	run "$L" export licence add IL-2019-0009 --entry FPI --to KOR --valid-from 2019-07-04 \
		--valid-to 2019-07-31
	[ "$status" -ne 0 ]
	[[ "$output" == *"FPI"*"not an entry"* ]]
	[ "$(sqlite3 "$LIAISON_HOME/node.db" "SELECT count(*) FROM export_licences WHERE id = 'IL-2019-0009'")" = 0 ]
}

@test "a list item 2-14 entry follows Korea from group A to B and back" {
	[ "$(decision NC-TOOLS KOR 2019-08-27)" = general-bulk ]
	[ "$(decision NC-TOOLS KOR 2019-08-28)" = special-general-bulk ]
	[ "$(decision NC-TOOLS KOR 2023-07-20)" = special-general-bulk ]
	[ "$(decision NC-TOOLS KOR 2023-07-21)" = general-bulk ]
	# the three chemicals return to special general bulk licences on 2023-03-23
	# (docs/record.md; group B then)
	[ "$(decision RESIST KOR 2023-03-22)" = individual-required ]
	[ "$(decision RESIST KOR 2023-03-23)" = special-general-bulk ]
	[ "$(decision HF KOR 2023-03-23)" = special-general-bulk ]
	[ "$(decision FPI KOR 2023-03-23)" = special-general-bulk ]
}

@test "every other kind: no-licence, catch-all-review, prohibited" {
	run "$L" --json export check --to USA --at 2019-09-01
	[ "$status" -eq 0 ]
	[ "$(echo "$output" | jq -r '.decision + " " + (.entry|tostring)')" = "no-licence null" ]
	run "$L" --json export check --to KOR --at 2019-09-01
	[ "$status" -eq 3 ]
	[ "$(echo "$output" | jq -r .decision)" = catch-all-review ]
	run "$L" --json export check --entry ARMS --to PRK --at 2019-09-01
	[ "$status" -eq 3 ]
	[ "$(echo "$output" | jq -r .decision)" = prohibited ]
	[ "$(decision ARMS USA 2019-09-01)" = individual-required ]
	# a real country with no interval on file is in the default group
	run "$L" --json export check --entry NC-TOOLS --to BRA --at 2019-09-01
	[ "$(echo "$output" | jq -r '.decision + " " + .group + " " + (.group_since|tostring)')" = \
		"individual-required C null" ]
}

@test "bad countries, entries and dates are errors, not defaults" {
	run "$L" export check --entry HF --to KR --at 2019-09-01
	[ "$status" -eq 2 ]
	[[ "$output" == *'--to: "KR" is not an ISO 3166-1 alpha-3 country code (it looks like alpha-2'* ]]
	run "$L" export check --entry HF --to XYZ
	[ "$status" -eq 2 ]
	run "$L" export check --entry SARIN --to KOR
	[ "$status" -eq 1 ]
	[[ "$output" == *"SARIN is not an entry of JPN's control list"* ]]
	run "$L" export check --entry HF --to KOR --at 2019-02-30
	[ "$status" -eq 2 ]
	[[ "$output" == *"--at"*"February 2019 has 28 days"* ]]
	run "$L" export check --entry HF
	[ "$status" -eq 2 ]
	[[ "$output" == *"--to COUNTRY is required"* ]]
	run "$L" export check --entry RESIST --to USA --from KOR
	[ "$status" -eq 1 ]
	[[ "$output" == *"RESIST is not an entry of KOR's control list"* ]]
	sqlite3 "$LIAISON_HOME/node.db" "PRAGMA foreign_keys=ON; DELETE FROM export_regimes WHERE party = 'KOR'"
	run "$L" export check --entry HF --to JPN --from KOR
	[ "$status" -eq 1 ]
	[[ "$output" == *"no export regime of KOR is on file"* ]]
	run "$L" --json export check --to KR
	[ "$(echo "$output" | jq -r .error)" != null ]
}

@test "export group: the group on a date and the history" {
	run "$L" --json export group KOR --at 2019-08-27
	[ "$status" -eq 0 ]
	[ "$(echo "$output" | jq -r '.group + " " + (.default|tostring)')" = "A false" ]
	[ "$(echo "$output" | jq '.history | length')" = 3 ]
	[ "$(echo "$output" | jq -r '.history[1] | .group + .from + .to')" = B2019-08-282023-07-20 ]
	[ "$(echo "$output" | jq -r '.history[2].to')" = null ]
	run "$L" export group KOR --at 2019-08-28
	[[ "${lines[0]}" == "KOR (South Korea) is in JPN's group B on 2019-08-28 (2019-08-28 to 2023-07-20)" ]]
	run "$L" --json export group CHN --at 2019-08-28
	[ "$(echo "$output" | jq -r '.group + " " + (.default|tostring)')" = "C true" ]
	run "$L" export group ROK
	[ "$status" -eq 2 ]
}

@test "export timeline: every change for Korea, in order" {
	run "$L" --json export timeline KOR
	[ "$status" -eq 0 ]
	[ "$(echo "$output" | jq -r .initial.group)" = C ]
	[ "$(echo "$output" | jq -r '[.changes[] | select(.kind == "group") | .date + ":" + .from + ">" + .to] | join(" ")')" = \
		"2004-04-01:C>A 2019-08-28:A>B 2023-07-21:B>A" ]
	[ "$(echo "$output" | jq -r '[.changes[] | select(.entry == "HF") | .date + ":" + .to] | join(" ")')" = \
		"2004-04-01:general-bulk 2019-07-04:individual-required 2019-08-29:licensed 2020-02-29:individual-required 2023-03-23:special-general-bulk 2023-07-21:general-bulk" ]
	[ "$(echo "$output" | jq -r '.changes[] | select(.entry == "HF" and .date == "2019-08-29") | .licence')" = IL-2019-HF-1 ]
	# dates are in order
	[ "$(echo "$output" | jq -r '[.changes[].date] == ([.changes[].date] | sort)')" = true ]
	run "$L" export timeline KOR
	[[ "$output" == *"2019-08-28  group A -> B"* ]]
	[[ "$output" == *"2019-07-04  HF           general-bulk -> individual-required (special measure)"* ]]
}

@test "licences: add, list with status, refusals change nothing" {
	run "$L" export licence add IL-2019-0002 --entry FPI --to KOR --valid-from 2019-09-30 \
		--valid-to 2020-03-29
	[ "$status" -eq 0 ]
	[ "$(rows export_licences)" = 4 ]
	run "$L" --json export licence list --at 2019-09-01
	[ "$(echo "$output" | jq -r '[.licences[] | .id + ":" + .status] | sort | join(" ")')" = \
		"CB-2019-RESIST-1:future IL-2019-0002:future IL-2019-HF-1:valid IL-2019-RESIST-1:valid" ]
	run "$L" --json export licence list --entry HF --at 2020-02-29
	[ "$(echo "$output" | jq -r '[.licences[] | .id + ":" + .status] | join(" ")')" = "IL-2019-HF-1:expired" ]
	run "$L" export licence add IL-2019-0002 --entry HF --to KOR --valid-from 2019-08-08 --valid-to 2019-09-01
	[ "$status" -eq 1 ]
	[[ "$output" == *"licence IL-2019-0002 is already on file"* ]]
	run "$L" export licence add IL-X --entry GOLD --to KOR --valid-from 2019-08-08 --valid-to 2019-09-01
	[ "$status" -eq 2 ]
	[[ "$output" == *"licence IL-X: entry: GOLD is not an entry of JPN's control list"* ]]
	run "$L" export licence add IL-X --entry HF --to KR --valid-from 2019-08-08 --valid-to 2019-09-01
	[ "$status" -eq 2 ]
	[[ "$output" == *"licence IL-X: country:"* ]]
	run "$L" export licence add IL-X --entry HF --to KOR --valid-from 2019-09-02 --valid-to 2019-09-01
	[ "$status" -eq 2 ]
	[[ "$output" == *"from 2019-09-02 is after to 2019-09-01"* ]]
	run "$L" export licence add IL-X --entry HF --to KOR --valid-from 2019-08-08
	[ "$status" -eq 2 ]
	[ "$(rows export_licences)" = 4 ]
}

@test "the configuration: reapplying changes nothing, errors name the field and store nothing" {
	"$L" export licence add IL-CLI --entry FPI --to KOR --valid-from 2019-08-08 --valid-to 2020-02-07
	before=$(sqlite3 "$LIAISON_HOME/node.db" 'SELECT count(*) FROM export_groups' \
		'SELECT count(*) FROM export_entries' 'SELECT count(*) FROM export_measure_entries' \
		'SELECT count(*) FROM export_licences')
	run "$L" config apply "$EXAMPLE"
	[ "$status" -eq 0 ]
	[[ "$output" == *"export regimes: 2"* ]]
	[ "$(sqlite3 "$LIAISON_HOME/node.db" 'SELECT count(*) FROM export_groups' \
		'SELECT count(*) FROM export_entries' 'SELECT count(*) FROM export_measure_entries' \
		'SELECT count(*) FROM export_licences')" = "$before" ]
	jq '.export_regimes[0].groups[0].country = "ROK"' "$EXAMPLE" >bad.json
	run "$L" config apply bad.json
	[ "$status" -eq 1 ]
	[[ "$output" == *'export_regimes[0].groups[0].country: "ROK" is not an ISO 3166-1 alpha-3'* ]]
	jq '.export_regimes[0].groups += [{"country": "KOR", "group": "C", "from": "2019-08-01", "to": "2019-08-31"}]' \
		"$EXAMPLE" >bad.json
	run "$L" config apply bad.json
	[[ "$output" == *"export_regimes[0].groups[32]: KOR is already in group A on 2019-08-01 (groups[0])"* ]]
	jq '.export_regimes[0].special_measures[0].requires = "prohibited"' "$EXAMPLE" >bad.json
	run "$L" config apply bad.json
	[[ "$output" == *'special_measures[0].requires: "prohibited" is not known'* ]]
	jq '.export_regimes[0].party = "CHN"' "$EXAMPLE" >bad.json
	run "$L" config apply bad.json
	[[ "$output" == *"export_regimes[0].party: unknown party CHN"* ]]
	# dropping FPI from the list would strand the licence added by hand
	jq '.export_regimes[0].entries |= map(select(.code != "FPI"))
	    | .export_regimes[0].special_measures[0].entries = ["HF", "RESIST"]' "$EXAMPLE" >bad.json
	run "$L" config apply bad.json
	[ "$status" -eq 1 ]
	[[ "$output" == *"with the licences on file"*"FPI is not an entry"* ]]
	[ "$(sqlite3 "$LIAISON_HOME/node.db" 'SELECT count(*) FROM export_groups' \
		'SELECT count(*) FROM export_entries' 'SELECT count(*) FROM export_measure_entries' \
		'SELECT count(*) FROM export_licences')" = "$before" ]
}

@test "export regime --json is a configuration that checks and applies back" {
	"$L" --json export regime | jq '{export_regimes: [.]}' >regime.json
	[ "$(jq '.export_regimes[0].groups | length' regime.json)" = 32 ]
	jq -s '.[0] * {export_regimes: .[1].export_regimes}' "$EXAMPLE" regime.json >again.json
	run "$L" config apply again.json
	[ "$status" -eq 0 ]
	[ "$("$L" --json export regime)" = "$(jq '.export_regimes[0]' regime.json)" ]
}

@test "R-EXPORT: a release of an item under an entry needs a licence for that day" {
	"$L" --home kor init --replay --party KOR >/dev/null
	"$L" party key KOR kor/keys/KOR.pub >/dev/null
	echo "etching gas shipment schedule" >f.txt
	ID=$(LIAISON_NOW=2019-07-10 "$L" item share f.txt --by sato --level GOKUHI --title "HF" \
		--releasable KOR --ntk MISSILE-WARNING --export-entry HF 2>/dev/null)
	run env LIAISON_NOW=2019-07-10 "$L" --json access check --person sato --item "$ID" \
		--action release --to KOR
	[ "$status" -eq 3 ]
	[ "$(echo "$output" | jq -r '.rules[] | select(.id == "R-EXPORT") | .ok')" = false ]
	[[ "$(echo "$output" | jq -r '.rules[] | select(.id == "R-EXPORT") | .detail')" == \
		"HF to KOR (group A): individual-required; no valid individual licence yet: IL-2019-HF-1 is valid from 2019-08-29" ]]
	run env LIAISON_NOW=2019-07-10 "$L" item release "$ID" --to KOR --by sato -o out.lsn
	[ "$status" -eq 3 ]
	[ ! -e out.lsn ]
	[ "$(rows releases)" = 0 ]
	run env LIAISON_NOW=2019-08-29 "$L" item release "$ID" --to KOR --by sato -o out.lsn
	[ "$status" -eq 0 ]
	[ "$(rows releases)" = 1 ]
	run env LIAISON_NOW=2019-08-29 "$L" --json access check --person sato --item "$ID" \
		--action release --to KOR
	[ "$(echo "$output" | jq -r '.rules[] | select(.id == "R-EXPORT") | .detail')" = \
		"HF to KOR (group B): licensed under IL-2019-HF-1" ]
}

@test "R-EXPORT: no entry passes; an unlisted entry is refused at share" {
	echo "x" >f.txt
	ID=$(LIAISON_NOW=2019-07-10 "$L" item share f.txt --by sato --level GOKUHI --title "plain" \
		--releasable KOR --ntk MISSILE-WARNING 2>/dev/null)
	run env LIAISON_NOW=2019-07-10 "$L" --json access check --person sato --item "$ID" \
		--action release --to KOR
	[ "$status" -eq 0 ]
	[ "$(echo "$output" | jq -r '.rules[] | select(.id == "R-EXPORT") | .detail')" = \
		"the item has no export-control entry" ]
	run "$L" item share f.txt --by sato --level GOKUHI --title "x" --releasable KOR --export-entry SARIN
	[ "$status" -ne 0 ]
	[[ "$output" == *"export_entry: SARIN is not an entry of JPN's control list"* ]]
	[ "$(rows items)" = 1 ]
}

@test "each real licence's first day: the first EUV resist licence (2019-08-07), hydrogen fluoride (about 2019-08-29)" {
	[ "$(decision RESIST KOR 2019-08-06)" = individual-required ]
	[ "$(decision RESIST KOR 2019-08-07)" = licensed ]
	[ "$("$L" --json export check --entry RESIST --to KOR --at 2019-08-07 | jq -r .licence.id)" = IL-2019-RESIST-1 ]
	[ "$(decision HF KOR 2019-08-28)" = individual-required ]
	[ "$(decision HF KOR 2019-08-29)" = licensed ]
	# no licence for fluorinated polyimide before September 2019 (docs/record.md)
	[ "$(decision FPI KOR 2019-08-29)" = individual-required ]
	[ "$("$L" --json export check --entry FPI --to KOR --at 2019-08-29 | jq -r .list_item)" = 5 ]
}

@test "licence kinds, country groups and sources: bad ones are refused by name, nothing stored" {
	bad() { # JQ-FILTER EXPECTED-MESSAGE
		jq "$1" "$EXAMPLE" >"$BATS_TEST_TMPDIR/bad.json"
		run "$L" config apply "$BATS_TEST_TMPDIR/bad.json"
		[ "$status" -eq 1 ]
		[[ "$output" == *"$2"* ]] || { echo "got: $output"; false; }
	}
	before=$(rows "export_licences")
	bad '.export_regimes[0].licences[2].consignee = ""' \
		'licences[2].consignee: a company-specific bulk licence names its exporter and its consignee'
	bad '.export_regimes[0].licences[0].kind = "general"' 'licences[0].kind: unknown licence kind "general"'
	bad '.export_regimes[1].groups[0].group = "B"' 'export_regimes[1].groups[0].group: unknown country group "B" (GA, GA2, NA)'
	bad '.export_regimes[1].country_groups[0].rules = "E"' 'country_groups[0].rules: unknown country group "E" (A, B, C or D)'
	bad '.export_regimes[0].special_measures[0].source = {"url": "https://example.org"}' 'special_measures[0].source.title: missing (a string is required)'
	bad '.agreements[0].events[0].source.url = "javascript:alert(1)"' 'agreements[0].events[0].source: url: an http(s) address'
	bad '.agreements[0].announcements[0].date = "2019-02-30"' 'agreements[0].announcements[0].date'
	bad '.agreements[0].announcements[0].title = "two\nlines"' 'announcements[0].title: a control character'
	[ "$(rows "export_licences")" -eq "$before" ]
}

@test "export licence add: a company-specific bulk licence names its companies" {
	run "$L" export licence add CB-TEST --entry HF --to KOR --valid-from 2020-01-01 --valid-to 2022-12-31 \
		--kind company-bulk --exporter "Stella Chemifa"
	[ "$status" -eq 2 ]
	[[ "$output" == *"consignee: a company-specific bulk licence names its exporter and its consignee"* ]]
	run "$L" export licence add CB-TEST --entry HF --to KOR --valid-from 2020-01-01 --valid-to 2022-12-31 \
		--kind bulk --exporter X --consignee Y
	[ "$status" -eq 2 ]
	[[ "$output" == *'--kind: unknown licence kind "bulk"'* ]]
	run "$L" export licence add CB-TEST --entry HF --to KOR --valid-from 2020-01-01 --valid-to 2022-12-31 \
		--kind company-bulk --exporter "Stella Chemifa" --consignee "Samsung Electronics"
	[ "$status" -eq 0 ]
	[[ "$output" == *"company-bulk: Stella Chemifa -> Samsung Electronics"* ]]
	run "$L" --json export check --entry HF --to KOR --at 2020-03-02 --exporter "Stella Chemifa" --consignee "Samsung Electronics"
	[ "$status" -eq 0 ]
	echo "$output" | jq -e '.decision == "licensed" and .licence.id == "CB-TEST"'
	run "$L" --json export check --entry HF --to KOR --at 2020-03-02
	[ "$status" -eq 3 ]
	echo "$output" | jq -e '.reasons[-1] | contains("covers only deals of Stella Chemifa with Samsung Electronics")'
	run "$L" export licence list --exporter X
	[ "$status" -eq 2 ]
}
