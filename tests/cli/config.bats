#!/usr/bin/env bats
# liaison config check / apply: strict, all or nothing, repeatable.
load helpers

dump() {
	sqlite3 "$LIAISON_HOME/node.db" \
		"SELECT * FROM parties; SELECT * FROM levels; SELECT * FROM agreements;
		 SELECT * FROM agreement_parties; SELECT * FROM equivalences;
		 SELECT agreement, date, kind, by_party FROM agreement_events;
		 SELECT * FROM people; SELECT * FROM person_ntk;"
}

@test "check accepts the example without a node and stores nothing" {
	run "$L" config check "$EXAMPLE"
	[ "$status" -eq 0 ]
	[[ "$output" == *"valid (parties: 2, agreements: 1, people: 6, export regimes: 2, events new: 5"* ]]
	[ ! -e "$LIAISON_HOME" ]
}

@test "apply stores the example; applying it again changes nothing" {
	"$L" init --replay --party JPN
	run "$L" config apply "$EXAMPLE"
	[ "$status" -eq 0 ]
	[[ "$output" == *"applied (parties: 2, agreements: 1, people: 6, export regimes: 2, events added: 5, already stored: 0)"* ]]
	first="$(dump)"
	[ "$(rows levels)" -eq 6 ]
	[ "$(rows agreement_events)" -eq 5 ]
	run "$L" --json config apply "$EXAMPLE"
	[ "$status" -eq 0 ]
	[ "$(echo "$output" | jq .events_added)" -eq 0 ]
	[ "$(echo "$output" | jq .events_known)" -eq 5 ]
	[ "$(dump)" = "$first" ]
}

@test "a syntax error names the file, line and column, and stores nothing" {
	"$L" init --replay --party JPN
	printf '{\n  "parties": [\n    {"code": "JPN",}\n  ]\n}\n' >"$BATS_TEST_TMPDIR/bad.json"
	run "$L" config apply "$BATS_TEST_TMPDIR/bad.json"
	[ "$status" -eq 1 ]
	[[ "$output" == *"bad.json:3:"* ]]
	[ "$(rows parties)" -eq 0 ]
}

@test "a date that does not exist is named with its JSON path" {
	"$L" init --replay --party JPN
	jq '.agreements[0].events[2].date = "2019-02-30"' "$EXAMPLE" >"$BATS_TEST_TMPDIR/bad.json"
	run "$L" config apply "$BATS_TEST_TMPDIR/bad.json"
	[ "$status" -eq 1 ]
	[[ "$output" == *'bad.json: agreements[0].events[2].date: date "2019-02-30": day 30 does not exist: February 2019 has 28 days'* ]]
	[ "$(rows parties)" -eq 0 ]
	[ "$(rows agreement_events)" -eq 0 ]
}

@test "an impossible event in the file is refused with the reason, nothing stored" {
	"$L" init --replay --party JPN
	jq '.agreements[0].events |= map(select(.kind != "notice"))' "$EXAMPLE" >"$BATS_TEST_TMPDIR/bad.json"
	run "$L" config apply "$BATS_TEST_TMPDIR/bad.json"
	[ "$status" -eq 1 ]
	[[ "$output" == *"agreements[0].events[2]: notice-suspended on 2019-11-22: there is no pending notice to suspend"* ]]
	[ "$(rows parties)" -eq 0 ]
}

@test "an unknown field is refused (a typo must not pass)" {
	jq '.agreements[0].notice_day = 90' "$EXAMPLE" >"$BATS_TEST_TMPDIR/bad.json"
	run "$L" config check "$BATS_TEST_TMPDIR/bad.json"
	[ "$status" -eq 1 ]
	[[ "$output" == *"agreements[0].notice_day: unknown field"* ]]
}

@test "an agreement with an unknown party is refused" {
	jq '.agreements[0].parties = ["JPN", "USA"]' "$EXAMPLE" >"$BATS_TEST_TMPDIR/bad.json"
	run "$L" config check "$BATS_TEST_TMPDIR/bad.json"
	[ "$status" -eq 1 ]
	[[ "$output" == *"agreements[0].parties[1]: unknown party USA"* ]]
}

@test "check of a missing file fails and names it" {
	run "$L" config check "$BATS_TEST_TMPDIR/nope.json"
	[ "$status" -eq 1 ]
	[[ "$output" == *"nope.json: cannot open"* ]]
}

@test "apply needs a node; a wrong action is a usage error" {
	run "$L" config apply "$EXAMPLE"
	[ "$status" -eq 1 ]
	[[ "$output" == *"no node in"* ]]
	run "$L" config load "$EXAMPLE"
	[ "$status" -eq 2 ]
	run "$L" config check
	[ "$status" -eq 2 ]
}

@test "apply --dry-run checks against the node and stores nothing" {
	"$L" init --replay --party JPN
	run "$L" config apply --dry-run "$EXAMPLE"
	[ "$status" -eq 0 ]
	[[ "$output" == *"would apply"* ]]
	[ "$(rows agreements)" -eq 0 ]
}

@test "an older configuration file still applies: one clearance object, licences without a kind, groups A-D" {
	old="$BATS_TEST_DIRNAME/data/gsomia-2019-before-sources.json" # the example before sources and Korea's regime
	"$L" init --replay --party JPN >/dev/null
	run "$L" config apply "$old"
	[ "$status" -eq 0 ]
	[[ "$output" == *"export regimes: 1"* ]]
	[ "$("$L" --json person show kim | jq -r '.clearance | map(.level + " " + .from + " " + .to) | join(",")')" = \
		"II 2018-01-01 2025-12-31" ]
	[ "$("$L" --json export check --entry HF --to KOR --at 2019-08-29 | jq -r '.decision + " " + .licence.kind')" = \
		"licensed individual" ]
	# and the new example on top of it adds what the old one lacked
	run "$L" config apply "$EXAMPLE"
	[ "$status" -eq 0 ]
	[ "$("$L" --json export group JPN --from KOR --at 2019-09-18 | jq -r .group)" = GA2 ]
	# applying the old one again drops the sources it does not give, and keeps KOR's regime
	"$L" config apply "$old" >/dev/null
	"$L" --json agreement show "$G" | jq -e '(.events | all(has("source") | not)) and (.announcements == [])'
	[ "$("$L" --json export group JPN --from KOR --at 2019-09-18 | jq -r .group)" = GA2 ]
}

@test "a configuration file that starts with a UTF-8 byte-order mark is taken (the mark is not JSON)" {
	"$L" init --party JPN >/dev/null
	{ printf '\xef\xbb\xbf'; cat "$EXAMPLE"; } >"$BATS_TEST_TMPDIR/bom.json"
	run "$L" config check "$BATS_TEST_TMPDIR/bom.json"
	[ "$status" -eq 0 ]
	run "$L" config apply "$BATS_TEST_TMPDIR/bom.json"
	[ "$status" -eq 0 ]
	[ "$(rows agreements)" -eq 1 ]
	# a mark anywhere else is still an error, with its place
	{ cat "$EXAMPLE"; printf '\xef\xbb\xbf'; } >"$BATS_TEST_TMPDIR/late.json"
	run "$L" config check "$BATS_TEST_TMPDIR/late.json"
	[ "$status" -ne 0 ]
}

# Each level of party P's scheme as CODE=COLOUR, in the scheme's order.
colours() {
	sqlite3 "$LIAISON_HOME/node.db" \
		"SELECT code || '=' || colour FROM levels WHERE party = '$1' ORDER BY position" | paste -sd' '
}

@test "a level's banner colour: stored, in the schemes' JSON when set, changed by a new file" {
	cd "$BATS_TEST_TMPDIR"
	"$L" init --replay --party JPN >/dev/null
	"$L" config apply "$EXAMPLE" >/dev/null
	[ "$(colours JPN)" = "HI=#0033A0 GOKUHI=#C8102E TOKUTEI=#FF8C00" ]
	[ "$(colours KOR)" = "III=#0033A0 II=#C8102E I=#FF8C00" ]
	# the agreement's parties carry their schemes with the colours, as the file gives them
	"$L" --json agreement show "$G" >shown.json
	[ "$(jq -c '[.parties[] | .code + ":" + ([.levels[].colour] | join(","))]' shown.json)" = \
		'["JPN:#0033A0,#C8102E,#FF8C00","KOR:#0033A0,#C8102E,#FF8C00"]' ]
	diff <(jq -S '.parties[0].levels' shown.json) <(jq -S '.parties[0].levels' "$EXAMPLE")
	# a changed colour is a change; a level left without one has none, and no "colour" in its JSON
	jq '.parties[0].levels[1].colour = "#aa0000" | del(.parties[0].levels[0].colour)' "$EXAMPLE" \
		>"$BATS_TEST_TMPDIR/changed.json"
	run "$L" --json config apply --dry-run "$BATS_TEST_TMPDIR/changed.json"
	[ "$status" -eq 0 ]
	[ "$(colours JPN)" = "HI=#0033A0 GOKUHI=#C8102E TOKUTEI=#FF8C00" ]
	"$L" config apply "$BATS_TEST_TMPDIR/changed.json" >/dev/null
	[ "$(colours JPN)" = "HI= GOKUHI=#aa0000 TOKUTEI=#FF8C00" ]
	"$L" --json agreement show "$G" >shown.json
	jq -e '.parties[0].levels[0] == {"code": "HI", "name": "秘", "rank": 1}' shown.json
	[ "$(jq -r '.parties[0].levels[1].colour' shown.json)" = "#aa0000" ]
	# and through the daemon: GET /v1/parties/{code}
	T=$("$L" person token sato 2>/dev/null)
	daemon "$LIAISON_HOME"
	code=$(curl -s -o party.json -w '%{http_code}' -H "Authorization: Bearer $T" "$DAEMON_URL/v1/parties/JPN")
	api_record GET /v1/parties/JPN "$code" party.json
	kill -TERM "$DAEMON_PID"; wait "$DAEMON_PID" || true
	[ "$code" = 200 ]
	diff <(jq -S .levels party.json) <(jq -S '.parties[0].levels' shown.json)
	api_check
}

@test "a bad banner colour is refused naming the level, and nothing is stored" {
	"$L" init --replay --party JPN >/dev/null
	"$L" config apply "$EXAMPLE" >/dev/null
	first="$(dump)"
	for bad in '"#C8102"' '"C8102E"' '"#C8102G"' '"red"' '"#C8102E0"' '"#C8102E "' '""'; do
		jq ".parties[1].levels[1].colour = $bad | .parties[0].levels[0].colour = \"#000000\"" \
			"$EXAMPLE" >"$BATS_TEST_TMPDIR/bad.json"
		run "$L" config apply "$BATS_TEST_TMPDIR/bad.json"
		[ "$status" -eq 1 ] || { echo "$bad: $status"; false; }
		[[ "$output" == *"bad.json: parties[1].levels[1].colour: level II: $bad is not a colour: '#' and six hex digits, \"#RRGGBB\""* ]]
		[ "$(dump)" = "$first" ]
	done
	jq '.parties[1].levels[1].colour = 13111342' "$EXAMPLE" >"$BATS_TEST_TMPDIR/bad.json"
	run "$L" config check "$BATS_TEST_TMPDIR/bad.json"
	[ "$status" -eq 1 ]
	[[ "$output" == *'parties[1].levels[1].colour: level II: must be a string "#RRGGBB"'* ]]
	[ "$(dump)" = "$first" ]
}
