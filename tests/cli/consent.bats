#!/usr/bin/env bats
# Who may consent to passing an item on, and to whom: an originator of the
# originating party, cleared at the item's level; a known third party.
load helpers

setup() {
	two_nodes
	third_party jpn kor
	echo "launch at 06:00" >report.txt
	ID=$("$L" --home jpn item share report.txt --by sato --level GOKUHI --title Launch \
		--releasable KOR --ntk MISSILE-WARNING --purpose warning 2>/dev/null)
	"$L" --home jpn item release "$ID" --to KOR --by sato -o to-kor.lsn >/dev/null
	consents() { sqlite3 jpn/node.db 'SELECT count(*) FROM consents'; }
}

@test "an originator without a clearance at the item's level may not consent" {
	"$L" --home jpn person add nocl --party JPN --name Nocl --role originator >/dev/null
	"$L" --home jpn person add low --party JPN --name Low --role originator \
		--clearance HI --from 2015-01-01 >/dev/null
	"$L" --home jpn person add old --party JPN --name Old --role originator \
		--clearance TOKUTEI --from 2010-01-01 --to 2018-12-31 >/dev/null
	# for them the item is not there at all: the answer for an id never used
	for who in nocl low old; do
		run "$L" --home jpn consent grant "$ID" --to USA --by $who --holder KOR -o c.json
		[ "$status" -eq 1 ]
		[ "$output" = "liaison: unknown item $ID" ]
	done
	# its maker sees it, but once the clearance has lapsed may not consent
	"$L" --home jpn person add lapse --party JPN --name Lapse --role originator --role analyst \
		--clearance TOKUTEI --from 2010-01-01 --to 2019-09-30 --ntk MISSILE-WARNING >/dev/null
	MINE=$("$L" --home jpn item share report.txt --by lapse --level GOKUHI --title Mine \
		--releasable KOR 2>/dev/null)
	run env LIAISON_NOW=2019-10-01 "$L" --home jpn consent grant "$MINE" --to USA --by lapse --holder KOR -o c.json
	[ "$status" -eq 3 ]
	[[ "$output" == *"R-CLEARANCE: lapse may not consent to passing on an item of JPN GOKUHI"* ]]
	# nor a role other than originator
	run "$L" --home jpn consent grant "$ID" --to USA --by suzuki --holder KOR -o c.json
	[ "$status" -eq 3 ]
	[[ "$output" == *"R-ROLE: consent needs an originator of JPN; suzuki is not"* ]]
	[ "$(consents)" -eq 0 ]
	[ ! -e c.json ]
	run "$L" --home jpn consent grant "$ID" --to USA --by sato --holder KOR -o c.json
	[ "$status" -eq 0 ]
	[ "$(consents)" -eq 1 ]
}

@test "a consent must be to a known party other than the originator and the holder" {
	run "$L" --home jpn --json consent grant "$ID" --to "not a party!" --by sato --holder KOR -o c.json
	[ "$status" -ne 0 ]
	[ "$(echo "$output" | jq -r .error.field)" = to ]
	run "$L" --home jpn consent grant "$ID" --to USB --by sato --holder KOR -o c.json
	[[ "$output" == *'to: "USB" is not a party known on this node (JPN, KOR, USA); did you mean USA?'* ]]
	run "$L" --home jpn consent grant "$ID" --to JPN --by sato --holder KOR -o c.json
	[[ "$output" == *"to: JPN made the item: its consent is for another party"* ]]
	# and it names the holder that may pass the item on: a known party,
	# not the originator, not the third party
	run "$L" --home jpn consent grant "$ID" --to USA --by sato -o c.json
	[ "$status" -eq 2 ]
	[[ "$output" == *"--holder PARTY (the party that holds the item and may pass it on) is required with -o FILE"* ]]
	run "$L" --home jpn --json consent grant "$ID" --to USA --by sato --holder JPN -o c.json
	[ "$(echo "$output" | jq -r '.error.field + " " + .error.message')" = "holder holder: JPN made the item: it needs no consent" ]
	run "$L" --home jpn consent grant "$ID" --to USA --by sato --holder USA -o c.json
	[[ "$output" == *"to: USA holds the item already: a consent is for a third party"* ]]
	run "$L" --home jpn consent grant "$ID" --to USA --by sato --holder KOX -o c.json
	[[ "$output" == *'"KOX" is not a party known on this node'* ]]
	# ... that holds the item: released to it from here (or passed on to
	# it with a consent): a mistyped holder is caught at the grant
	NEW=$("$L" --home jpn item share report.txt --by sato --level GOKUHI --title New \
		--releasable KOR --releasable USA 2>/dev/null)
	run "$L" --home jpn --json consent grant "$NEW" --to USA --by sato --holder KOR -o c.json
	[ "$status" -eq 2 ]
	[ "$(echo "$output" | jq -r '.error.code + " " + .error.field')" = "invalid holder" ]
	[[ "$(echo "$output" | jq -r .error.message)" == *"item $NEW was never released to KOR here, nor passed on to it with JPN's consent: KOR holds nothing to pass on"* ]]
	"$L" --home jpn item release "$NEW" --to KOR --by sato -o new.lsn >/dev/null
	run "$L" --home jpn consent grant "$NEW" --to USA --by sato --holder KOR -o new.json
	[ "$status" -eq 0 ]
	rm new.json
	sqlite3 jpn/node.db "DELETE FROM consents"
	# a party whose key is not here: the consent seals the content's digest to it
	echo '{"parties": [{"code": "GBR", "name": "United Kingdom", "levels": [
	        {"code": "S", "name": "SECRET", "rank": 1}]}]}' >gbr.json
	"$L" --home jpn config apply gbr.json >/dev/null
	run "$L" --home jpn --json consent grant "$ID" --to GBR --by sato --holder KOR -o c.json
	[ "$status" -eq 2 ]
	[ "$(echo "$output" | jq -r '.error.code + " " + .error.field')" = "invalid to" ]
	[[ "$(echo "$output" | jq -r .error.message)" == *"GBR's public key is not on this node (liaison party key GBR FILE): the consent seals the content's digest to it"* ]]
	[ "$(consents)" -eq 0 ]
	[ ! -e c.json ]
}

@test "over HTTP: 400 naming the field, 403 for a person who may not" {
	SATO=$("$L" --home jpn person token sato 2>/dev/null)
	ITO=$("$L" --home jpn person token ito 2>/dev/null)
	daemon jpn
	post() { # TOKEN BODY
		code=$(curl -s -o ans.json -w '%{http_code}' -H "Authorization: Bearer $1" -d "$2" \
			"$DAEMON_URL/v1/items/$ID/consents")
	}
	post "$SATO" '{"to": "not a party!"}'
	[ "$code" = 400 ]
	[ "$(jq -r '.error.code + " " + .error.field' ans.json)" = "invalid to" ]
	post "$SATO" '{"to": "KOR", "send": "KOR"}'
	[ "$code" = 400 ]
	[[ "$(jq -r .error.message ans.json)" == *"KOR holds the item already"* ]]
	post "$SATO" '{"to": "USA"}'
	[ "$code" = 400 ]
	[ "$(jq -r '.error.code + " " + .error.field' ans.json)" = "invalid holder" ]
	post "$SATO" '{"to": "USA", "holder": "KOR", "send": "CHN"}'
	[ "$code" = 400 ]
	[[ "$(jq -r .error.message ans.json)" == *"the consent goes to the holder's node: KOR, not CHN"* ]]
	post "$ITO" '{"to": "USA", "holder": "KOR"}'
	[ "$code" = 403 ]
	[ "$(jq -r .error.code ans.json)" = forbidden ]
	kill -TERM "$DAEMON_PID"
	wait "$DAEMON_PID" || true
	[ "$(consents)" -eq 0 ]
}
