#!/usr/bin/env bats
# People's tokens: an expiry (90 days unless told), read-only tokens, and
# the last day each was used.
load helpers

setup() {
	export LIAISON_HOME="$BATS_TEST_TMPDIR/node"
	export LIAISON_PASSPHRASE="test passphrase"
	export LIAISON_NOW=2019-09-01
	cd "$BATS_TEST_TMPDIR"
	example_node
	echo "launch at 06:00" >report.txt
}

# get TOKEN PATH: the status of a GET
get() {
	local code
	code=$(curl -s -o out.json -w '%{http_code}' -H "Authorization: Bearer $1" "$DAEMON_URL$2")
	api_record GET "$2" "$code" out.json
	echo "$code"
}

teardown() {
	api_check
}

@test "a token is valid for 90 days unless told, and refused after its last day" {
	T=$("$L" person token sato 2>err.txt)
	grep -q "valid to 2019-11-30" err.txt
	run "$L" --json person tokens sato
	[ "$(echo "$output" | jq -r '.tokens[0] | .expires_on + " " + (.last_used // "never") + " " + (.read_only | tostring)')" = "2019-11-30 never false" ]
	LIAISON_NOW=2019-11-30 daemon "$LIAISON_HOME"
	[ "$(get "$T" /v1/me)" = 200 ]
	kill -TERM "$DAEMON_PID"; wait "$DAEMON_PID" || true
	# its last use is recorded, once a day
	"$L" --json person tokens sato | jq -e '.tokens[0].last_used == "2019-11-30"'
	LIAISON_NOW=2019-12-01 daemon "$LIAISON_HOME"
	[ "$(get "$T" /v1/me)" = 401 ]
	[[ "$(jq -r .error.message out.json)" == *"bearer token is required"*"the token expired after 2019-11-30" ]]
	kill -TERM "$DAEMON_PID"; wait "$DAEMON_PID" || true
}

@test "--expires takes days or a last day, within ten years from today" {
	"$L" person token sato --expires 7d 2>err.txt >/dev/null
	grep -q "valid to 2019-09-08" err.txt
	"$L" person token sato --expires 2020-01-31 2>err.txt >/dev/null
	grep -q "valid to 2020-01-31" err.txt
	run "$L" person token sato --expires 2019-08-31
	[ "$status" -eq 2 ]
	[[ "$output" == *"expires: 2019-08-31 is not from today (2019-09-01)"* ]]
	run "$L" person token sato --expires soon
	[ "$status" -eq 2 ]
	[[ "$output" == *'--expires: "soon" is neither a number of days'* ]]
	run "$L" person token sato --expires 99999d
	[ "$status" -eq 2 ]
	[ "$("$L" --json person tokens sato | jq '.tokens | length')" -eq 2 ]
}

@test "a read-only token asks but does not act" {
	RO=$("$L" person token sato --read-only 2>/dev/null)
	daemon "$LIAISON_HOME"
	[ "$(get "$RO" /v1/items)" = 200 ]
	[ "$(get "$RO" /v1/agreements)" = 200 ]
	code=$(curl -s -o out.json -w '%{http_code}' -H "Authorization: Bearer $RO" --data-binary @report.txt \
		"$DAEMON_URL/v1/items?level=GOKUHI&title=t&releasable=KOR")
	[ "$code" = 403 ]
	[ "$(jq -r .error.code out.json)" = forbidden ]
	[[ "$(jq -r .error.message out.json)" == *"read-only token may ask, not share"* ]]
	kill -TERM "$DAEMON_PID"; wait "$DAEMON_PID" || true
	[ "$(rows items)" -eq 0 ]
	"$L" --json person tokens sato | jq -e '.tokens[0].read_only == true'
}
