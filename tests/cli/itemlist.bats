#!/usr/bin/env bats
# The item list narrowed for analysts: by level (either marking), originator,
# the day stored, need-to-know group and a part of the title; before paging,
# on the node and through a daemon, and never past need to know.
load helpers

# Five items on JPN's node, in the order stored:
#   A 2019-09-01 JPN GOKUHI   MISSILE-WARNING "Launch from the west coast"
#   B 2019-09-03 JPN HI       NAVAL           "Routine naval note"
#   C 2019-09-05 JPN HI       (none)          "北朝鮮 ミサイル LAUNCH report"
#   K 2019-09-06 KOR II       MISSILE-WARNING "KN-23 발사 launch" (marked JPN GOKUHI here)
#   D 2019-09-07 JPN TOKUTEI  MISSILE-WARNING "Designated site"
# aoki (JPN, TOKUTEI, both groups) sees them all; low (JPN, HI,
# MISSILE-WARNING) sees C alone.
setup() {
	two_nodes
	echo "launch at 06:00" >report.txt
	"$L" --home jpn person add aoki --party JPN --name "Aoki Ren" --role originator --role analyst \
		--clearance TOKUTEI --from 2015-04-01 --ntk MISSILE-WARNING --ntk NAVAL >/dev/null
	"$L" --home jpn person add low --party JPN --name Low --role analyst --clearance HI \
		--from 2015-01-01 --ntk MISSILE-WARNING >/dev/null
	A=$(share 2019-09-01 GOKUHI "Launch from the west coast" --ntk MISSILE-WARNING)
	B=$(share 2019-09-03 HI "Routine naval note" --ntk NAVAL)
	C=$(share 2019-09-05 HI "北朝鮮 ミサイル LAUNCH report")
	K=$(LIAISON_NOW=2019-09-06 "$L" --home kor item share report.txt --by kim --level II \
		--title "KN-23 발사 launch" --releasable JPN --ntk MISSILE-WARNING --purpose warning 2>/dev/null)
	LIAISON_NOW=2019-09-06 "$L" --home kor item release "$K" --to JPN --by park -o k.lsn >/dev/null 2>&1
	LIAISON_NOW=2019-09-06 "$L" --home jpn item import k.lsn >/dev/null 2>&1
	D=$(share 2019-09-07 TOKUTEI "Designated site" --ntk MISSILE-WARNING)
	export LIAISON_NOW=2019-09-08
	[ "$("$L" --home jpn item list | wc -l)" -eq 5 ]
}

teardown() {
	[ -z "${DAEMON_PID:-}" ] || kill -9 "$DAEMON_PID" 2>/dev/null || true
	api_check
}

share() { # DATE LEVEL TITLE [OPTIONS...] -> the new JPN item's id, shared by aoki
	local d=$1 level=$2 title=$3
	shift 3
	LIAISON_NOW=$d "$L" --home jpn item share report.txt --by aoki --level "$level" --title "$title" \
		--releasable KOR --purpose warning "$@" 2>/dev/null
}

# names [LIST OPTIONS...]: the letters of the items the node's list gives
names() {
	"$L" --home jpn --json item list "$@" | jq -r '[.items[].id] | join(" ")' | letters
}

letters() { # ids on stdin -> A B C K D
	sed -e "s/$A/A/g" -e "s/$B/B/g" -e "s/$C/C/g" -e "s/$K/K/g" -e "s/$D/D/g"
}

# get TOKEN PATH: GET on the daemon, the body in out.json, the status echoed
get() {
	local code
	code=$(curl -s -o out.json -w '%{http_code}' -H "Authorization: Bearer $1" "$DAEMON_URL$2")
	api_record GET "$2" "$code" out.json
	echo "$code"
}

listed() { # the letters of out.json's items
	jq -r '[.items[].id] | join(" ")' out.json | letters
}

@test "each filter selects exactly its items, on the node" {
	[ "$(names)" = "A B C K D" ]
	# a level: the originator's marking or this party's, whatever its case
	[ "$(names --level GOKUHI)" = "A K" ]
	[ "$(names --level gokuhi)" = "A K" ]
	[ "$(names --level II)" = "K" ]
	[ "$(names --level HI)" = "B C" ]
	[ "$(names --level TOKUTEI)" = "D" ]
	[ "$(names --level III)" = "" ]
	[ "$(names --originator KOR)" = "K" ]
	[ "$(names --originator JPN)" = "A B C D" ]
	# the day stored, both ends included
	[ "$(names --from 2019-09-03 --to 2019-09-05)" = "B C" ]
	[ "$(names --from 2019-09-06)" = "K D" ]
	[ "$(names --to 2019-09-01)" = "A" ]
	[ "$(names --from 2019-09-02 --to 2019-09-02)" = "" ]
	[ "$(names --ntk NAVAL)" = "B" ]
	[ "$(names --ntk MISSILE-WARNING)" = "A K D" ]
	# a part of the title: ASCII letters in any case, Japanese and Korean as written
	[ "$(names --title launch)" = "A C K" ]
	[ "$(names --title LAUNCH)" = "A C K" ]
	[ "$(names --title "WEST coast")" = "A" ]
	[ "$(names --title ミサイル)" = "C" ]
	[ "$(names --title 발사)" = "K" ]
	[ "$(names --title "launch report")" = "C" ]
	# together: every one must hold
	[ "$(names --level GOKUHI --originator JPN --title launch)" = "A" ]
	[ "$(names --ntk MISSILE-WARNING --from 2019-09-06 --level gokuhi)" = "K" ]
	# the items as the whole list gives them
	diff <("$L" --home jpn --json item list --title launch | jq -c '.items[]') \
		<("$L" --home jpn --json item list | jq -c '.items[] | select(.label.title | ascii_downcase | contains("launch"))')
	# nothing matches: an empty list, and no line
	[ "$("$L" --home jpn --json item list --title "no such title" | jq -c .)" = '{"items":[],"next":null}' ]
	[ -z "$("$L" --home jpn item list --originator KOR --ntk NAVAL)" ]
}

@test "filters apply before paging: next pages through the filtered list, on the node and through a daemon" {
	run "$L" --home jpn item list --title launch --limit 2
	[ "$status" -eq 0 ]
	[ "$(echo "$output" | grep -cE '^[A-Z]{2,8}-[0-9a-f]{24} ')" -eq 2 ]
	[[ "$output" == *"more: liaison item list --title launch --after $C --limit 2"* ]]
	[ "$("$L" --home jpn --json item list --title launch --limit 2 | jq -r .next | letters)" = C ]
	[ "$(names --title launch --limit 2 --after "$C")" = "K" ]
	[ "$("$L" --home jpn --json item list --title launch --limit 2 --after "$C" | jq .next)" = null ]
	[ "$(names --level HI --limit 1)" = "B" ]
	[ "$(names --level HI --limit 1 --after "$B")" = "C" ]
	# the hint gives every filter, quoted where a shell would split it
	run "$L" --home jpn item list --title "CH " --originator JPN --limit 1
	[ "$status" -eq 0 ]
	[[ "$output" == *"more: liaison item list --originator JPN --title 'CH ' --after $A --limit 1"* ]]
	[ "$(names --title "CH " --originator JPN --limit 1 --after "$A")" = C ]
	run "$L" --home jpn item list --ntk MISSILE-WARNING --from 2019-09-01 --limit 1
	[[ "$output" == *"more: liaison item list --from 2019-09-01 --ntk MISSILE-WARNING --after $A --limit 1"* ]]
	# the same through a daemon, for a person who sees every item
	T=$("$L" --home jpn person token aoki 2>/dev/null)
	daemon jpn
	[ "$(get "$T" "/v1/items?q=LAUNCH&limit=2")" = 200 ]
	[ "$(listed)" = "A C" ]
	[ "$(jq -r .next out.json | letters)" = C ]
	[ "$(get "$T" "/v1/items?q=LAUNCH&limit=2&after=$C")" = 200 ]
	[ "$(listed)" = "K" ]
	[ "$(jq .next out.json)" = null ]
	[ "$(get "$T" "/v1/items?level=GOKUHI&originator=KOR")" = 200 ]
	[ "$(listed)" = "K" ]
	[ "$(get "$T" "/v1/items?from=2019-09-03&to=2019-09-06&ntk=MISSILE-WARNING")" = 200 ]
	[ "$(listed)" = "K" ]
	[ "$(get "$T" "/v1/items?q=%E3%83%9F%E3%82%B5%E3%82%A4%E3%83%AB")" = 200 ]
	[ "$(listed)" = "C" ]
	[ "$(get "$T" "/v1/items?level=I")" = 200 ]
	[ "$(jq -c . out.json)" = '{"items":[],"next":null}' ]
	# the CLI through the daemon: the same filters, the same answers as on the node
	export LIAISON_URL=$DAEMON_URL LIAISON_TOKEN=$T
	for args in "--title launch" "--level gokuhi" "--originator KOR" "--from 2019-09-05 --to 2019-09-06" \
		"--ntk NAVAL" "--title launch --limit 2" "--title launch --limit 2 --after $C"; do
		# shellcheck disable=SC2086
		diff <("$L" --json item list $args) <("$L" --home jpn --json item list $args)
	done
	run "$L" item list --title launch --limit 1
	[[ "$output" == *"more: liaison item list --title launch --after $A --limit 1"* ]]
	kill -TERM "$DAEMON_PID"; wait "$DAEMON_PID" || true
	DAEMON_PID=
}

@test "a bad filter is refused naming the argument: 400 through a daemon, exit 2 on the node" {
	before=$(sqlite3 jpn/node.db 'SELECT count(*) FROM items')
	run "$L" --home jpn item list --level GOKUHl
	[ "$status" -eq 2 ]
	[[ "$output" == *'level: no scheme on this node has a level "GOKUHl" (JPN: HI GOKUHI TOKUTEI; KOR: III II I); did you mean "GOKUHI"?'* ]]
	run "$L" --home jpn item list --originator KRO
	[ "$status" -eq 2 ]
	[[ "$output" == *'originator: "KRO" is not a party known on this node (JPN, KOR); did you mean KOR?'* ]]
	run "$L" --home jpn item list --from 2019-02-30
	[ "$status" -eq 2 ]
	[[ "$output" == *'--from: date "2019-02-30"'* ]]
	run "$L" --home jpn item list --to yesterday
	[ "$status" -eq 2 ]
	[[ "$output" == *'--to: '* ]]
	run "$L" --home jpn item list --from 2019-09-06 --to 2019-09-05
	[ "$status" -eq 2 ]
	[[ "$output" == *"to: 2019-09-05 is before from 2019-09-06"* ]]
	run "$L" --home jpn item list --ntk "MISSILE WARNING"
	[ "$status" -eq 2 ]
	[[ "$output" == *'ntk: "MISSILE WARNING" is not'* ]]
	run "$L" --home jpn item list --title "$(printf 'x%.0s' $(seq 300))"
	[ "$status" -eq 2 ]
	[[ "$output" == *"q: a part of a title: UTF-8, at most 255 bytes"* ]]
	T=$("$L" --home jpn person token aoki 2>/dev/null)
	daemon jpn
	for q in "level=GOKUHl level" "level= level" "originator=KRO originator" "from=2019-02-30 from" \
		"to=2019-9-1 to" "from=2019-09-06&to=2019-09-05 to" "ntk=a%20b ntk" "q=%E3%83 q" \
		"q=$(printf 'y%.0s' $(seq 256)) q"; do
		[ "$(get "$T" "/v1/items?${q% *}")" = 400 ] || { echo "${q% *}"; false; }
		[ "$(jq -r .error.field out.json)" = "${q##* }" ]
		[[ "$(jq -r .error.message out.json)" == "${q##* }: "* ]]
	done
	[ "$(get "$T" "/v1/items?level=GOKUHl")" = 400 ]
	[[ "$(jq -r .error.message out.json)" == *'did you mean "GOKUHI"?' ]]
	[ "$(get "$T" "/v1/items?originator=KRO")" = 400 ]
	[[ "$(jq -r .error.message out.json)" == *"did you mean KOR?" ]]
	# and through the daemon, the CLI's exit is a usage error's too
	run env LIAISON_URL="$DAEMON_URL" LIAISON_TOKEN="$T" "$L" item list --level GOKUHl
	[ "$status" -eq 2 ]
	[[ "$output" == *'did you mean "GOKUHI"?'* ]]
	kill -TERM "$DAEMON_PID"; wait "$DAEMON_PID" || true
	DAEMON_PID=
	[ "$(sqlite3 jpn/node.db 'SELECT count(*) FROM items')" = "$before" ]
}

@test "a person who may not see an item never gets it through any filter, nor a trace of it" {
	LOW=$("$L" --home jpn person token low 2>/dev/null)
	daemon jpn
	[ "$(get "$LOW" /v1/items)" = 200 ]
	[ "$(listed)" = C ]
	# every filter that selects a hidden item gives low an empty list, byte for
	# byte the answer of a filter that matches no item at all
	[ "$(get "$LOW" "/v1/items?level=I")" = 200 ]
	cp out.json none.json
	[ "$(jq -c . none.json)" = '{"items":[],"next":null}' ]
	for q in level=GOKUHI level=TOKUTEI level=II originator=KOR ntk=NAVAL ntk=MISSILE-WARNING \
		q=west q=Designated q=naval q=KN-23 "from=2019-09-06" "to=2019-09-03" \
		"from=2019-09-01&to=2019-09-01" "level=HI&ntk=NAVAL"; do
		[ "$(get "$LOW" "/v1/items?$q")" = 200 ]
		cmp out.json none.json || { echo "$q"; cat out.json; false; }
	done
	# what low sees is still found, and paging past it shows nothing more
	for q in q=launch level=HI originator=JPN "from=2019-09-05&to=2019-09-05" "q=launch&limit=1"; do
		[ "$(get "$LOW" "/v1/items?$q")" = 200 ]
		[ "$(listed)" = C ] || { echo "$q"; cat out.json; false; }
		[ "$(jq .next out.json)" = null ]
	done
	[ "$(get "$LOW" "/v1/items?q=launch&after=$C")" = 200 ]
	cmp out.json none.json
	# a hidden item is no cursor, whatever the filter
	[ "$(get "$LOW" "/v1/items?level=GOKUHI&after=$A")" = 404 ]
	[ "$(jq -r .error.message out.json)" = "after: no item $A" ]
	# the CLI through the daemon, as low
	run env LIAISON_URL="$DAEMON_URL" LIAISON_TOKEN="$LOW" "$L" --json item list --level GOKUHI
	[ "$status" -eq 0 ]
	[ "$(echo "$output" | jq -c .)" = '{"items":[],"next":null}' ]
	kill -TERM "$DAEMON_PID"; wait "$DAEMON_PID" || true
	DAEMON_PID=
}
