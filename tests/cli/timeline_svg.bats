#!/usr/bin/env bats
# The timeline's picture (agreement timeline --svg, GET .../timeline.svg) and
# the dry run of an agreement event (event --dry-run, POST ...?dry_run=true):
# what the registrars' console shows before a registrar confirms (issue 20).
load helpers

setup() {
	export LIAISON_HOME="$BATS_TEST_TMPDIR/node"
	export LIAISON_PASSPHRASE="test passphrase"
	export LIAISON_NOW=2024-01-01
	unset LIAISON_URL LIAISON_TOKEN
	cd "$BATS_TEST_TMPDIR"
	DAEMON_PID=
}

teardown() {
	[ -z "${DAEMON_PID:-}" ] || kill -9 "$DAEMON_PID" 2>/dev/null || true
	api_check
}

# svg_check FILE: well-formed XML, an <svg> 960 wide with a viewBox,
# role=img, a title and a desc first, and nothing that runs or reaches out:
# no script, no foreignObject, no style attribute, no on* handler, no href.
# Prints the title, then the desc.
svg_check() {
	python3 - "$1" <<'EOF'
import sys
import xml.etree.ElementTree as ET
NS = "{http://www.w3.org/2000/svg}"
root = ET.parse(sys.argv[1]).getroot()
assert root.tag == NS + "svg", root.tag
assert root.get("width") == "960" and root.get("viewBox", "").startswith("0 0 960 "), root.attrib
assert root.get("role") == "img"
kids = list(root)
assert kids[0].tag == NS + "title" and kids[1].tag == NS + "desc", [k.tag for k in kids[:2]]
for el in root.iter():
    tag = el.tag.replace(NS, "")
    assert tag not in ("script", "foreignObject", "style", "image", "use", "a"), tag
    for name in el.attrib:
        low = name.lower()
        assert low != "style" and not low.startswith("on") and "href" not in low, (tag, name)
print(kids[0].text)
print(kids[1].text)
EOF
}

# texts FILE: every <text> and <title> of the picture, one a line
texts() {
	python3 -c '
import sys, xml.etree.ElementTree as ET
for el in ET.parse(sys.argv[1]).getroot().iter():
    if el.tag.split("}")[1] in ("text", "title") and el.text:
        print(el.text)' "$1"
}

@test "timeline --svg: a well-formed picture with the 2019 notice and the day it would have ended the agreement" {
	example_node
	run "$L" agreement timeline "$G" --svg
	[ "$status" -eq 0 ]
	printf '%s\n' "$output" | grep -v '^note: the clock' >a.svg
	run svg_check a.svg
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" == "$G: timeline from 2016-11-23 to 2024-01-01; on 2024-01-01: in force" ]]
	[[ "${lines[1]}" == "Agreement between the Government of Japan"*"($G)"* ]]
	texts a.svg >texts.txt
	grep -qx '2019-08-23 notice by KOR' texts.txt
	grep -qx '2019-11-22 notice-suspended by KOR' texts.txt
	grep -qx '2019-11-23 would end (notice by KOR)' texts.txt
	grep -qx 'term 3 ends 2019-11-23' texts.txt
	# the bands: under notice from the notice to the day before the suspension
	grep -qx 'in force, under notice, 2019-08-23 to 2019-11-21' texts.txt
	! grep -q '^terminated,' texts.txt || false
	# the same input, the same bytes
	"$L" agreement timeline "$G" --svg 2>/dev/null | cmp - a.svg
}

@test "timeline --svg --without the suspension: the termination is drawn, and the title says so" {
	example_node
	"$L" agreement timeline "$G" --svg 2>/dev/null >with.svg
	"$L" agreement timeline "$G" --svg --without 4 2>/dev/null >without.svg
	! cmp -s with.svg without.svg || false
	run svg_check without.svg
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" == *"without event 4 (2019-11-22 notice-suspended by KOR); on 2024-01-01: terminated since 2019-11-23" ]]
	[[ "${lines[1]}" == *"without event 4 (2019-11-22 notice-suspended by KOR): the counterfactual"* ]]
	texts without.svg >texts.txt
	grep -qx 'terminated, 2019-11-23 to 2024-01-01' texts.txt
	grep -qx '2019-11-23 ended (notice by KOR)' texts.txt
	grep -qx '2019-11-22 notice-suspended by KOR (left out)' texts.txt
	# no term runs after the end
	! grep -q '^term 4 ends' texts.txt || false
	! grep -q '^terminated,' <(texts with.svg) || false
}

@test "timeline --svg -o FILE writes it, keeps a file there unless --force; bad arguments change nothing" {
	example_node
	run "$L" agreement timeline "$G" --svg -o pic.svg --from 2019-01-01 --to 2019-12-31
	[ "$status" -eq 0 ]
	[[ "$output" == *"the timeline of $G as SVG: pic.svg ("*" bytes)"* ]]
	svg_check pic.svg | head -1 | grep -qx "$G: timeline from 2019-01-01 to 2019-12-31; on 2019-12-31: in force, the notice by KOR suspended"
	cp pic.svg kept.svg
	run "$L" agreement timeline "$G" --svg -o pic.svg
	[ "$status" -eq 1 ]
	[[ "$output" == *"pic.svg already exists (--force replaces it)"* ]]
	cmp pic.svg kept.svg
	"$L" agreement timeline "$G" --svg -o pic.svg --force >/dev/null 2>&1
	! cmp -s pic.svg kept.svg || false
	"$L" --json agreement timeline "$G" --svg -o j.svg 2>/dev/null | jq -e --arg g "$G" \
		'.agreement == $g and .output == "j.svg" and .bytes > 1000'
	# -o and --force go with --svg
	run "$L" agreement timeline "$G" -o x.svg
	[ "$status" -eq 2 ]
	[ ! -e x.svg ]
	# the same refusals as the timeline's
	run "$L" agreement timeline "$G" --svg --without 9 -o x.svg
	[ "$status" -ne 0 ]
	[[ "$output" == *"without: \"9\" is not an event number of $G (1..5)"* ]]
	run "$L" agreement timeline "$G" --svg --from 2020-01-01 --to 2019-01-01 -o x.svg
	[ "$status" -ne 0 ]
	[ ! -e x.svg ]
	run "$L" agreement timeline NOPE --svg -o x.svg
	[ "$status" -ne 0 ]
	[ ! -e x.svg ]
}

@test "a hostile agreement title is escaped: the picture parses and shows it as text" {
	"$L" init --replay --party JPN >/dev/null
	jq '.agreements[0].title = "<script>alert(1)</script> & \"quoted\" '"'"'single'"'"' 極秘 군사"' \
		"$EXAMPLE" >hostile.json
	"$L" config apply hostile.json >/dev/null
	"$L" agreement timeline "$G" --svg 2>/dev/null >h.svg
	run svg_check h.svg
	[ "$status" -eq 0 ]
	[[ "${lines[1]}" == "<script>alert(1)</script> & \"quoted\" 'single' 極秘 군사 ($G)"* ]]
	! grep -q '<script' h.svg || false
	grep -qF '&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;quoted&quot; &#39;single&#39; 極秘 군사' h.svg
}

@test "GET /v1/agreements/{id}/timeline.svg: the CLI's bytes as image/svg+xml, with a token; the JSON timeline still answers" {
	example_node
	SATO=$("$L" person token sato 2>/dev/null)
	daemon "$LIAISON_HOME"
	get() { # TOKEN PATH: the status; the body in body, the headers in head
		code=$(curl -s -D head -o body -w '%{http_code}' ${1:+-H "Authorization: Bearer $1"} "$DAEMON_URL$2")
		api_record GET "$2" "$code" body
		echo "$code"
	}
	[ "$(get "$SATO" "/v1/agreements/$G/timeline.svg?without=4")" = 200 ]
	grep -qi '^content-type: image/svg+xml; charset=utf-8' head
	"$L" agreement timeline "$G" --svg --without 4 2>/dev/null | cmp - body
	svg_check body | head -1 | grep -q 'without event 4'
	# through the daemon, the CLI writes the same bytes
	LIAISON_URL=$DAEMON_URL LIAISON_TOKEN=$SATO "$L" agreement timeline "$G" --svg --without 4 | cmp - body
	LIAISON_URL=$DAEMON_URL LIAISON_TOKEN=$SATO "$L" agreement timeline "$G" --svg -o r.svg >/dev/null
	"$L" agreement timeline "$G" --svg 2>/dev/null | cmp - r.svg
	# the JSON timeline is its own route
	[ "$(get "$SATO" "/v1/agreements/$G/timeline")" = 200 ]
	jq -e --arg g "$G" '.agreement == $g and (.changes | length) == 4' body
	# the timeline's arguments and errors
	[ "$(get "$SATO" "/v1/agreements/$G/timeline.svg?from=2019-01-01&to=2019-12-31")" = 200 ]
	svg_check body | head -1 | grep -q 'from 2019-01-01 to 2019-12-31'
	[ "$(get "" "/v1/agreements/$G/timeline.svg")" = 401 ]
	[ "$(get "$SATO" "/v1/agreements/NOPE/timeline.svg")" = 404 ]
	jq -e '.error.code == "not-found"' body
	[ "$(get "$SATO" "/v1/agreements/$G/timeline.svg?without=9")" = 400 ]
	jq -e '.error.field == "without"' body
	[ "$(get "$SATO" "/v1/agreements/$G/timeline.svg?colour=red")" = 400 ]
	[ "$(get "$SATO" "/v1/agreements/$G/timeline.svgz")" = 404 ]
}

# counts: the log's entries, the agreement's events, the outbox's messages
counts() {
	echo "$(rows log_entries) $(rows agreement_events) $(rows outbox)"
}

# A node of JPN with the events before 2017, on 2019-09-01, KOR a peer.
early_node() {
	export LIAISON_NOW=2019-09-01
	"$L" init --replay --party JPN >/dev/null
	"$L" config apply "$(early_config)" >/dev/null
	"$L" keygen --party KOR >/dev/null 2>&1
	"$L" party key KOR KOR.pub >/dev/null
	"$L" peer add KOR --url http://127.0.0.1:1 >/dev/null
}

@test "event --dry-run: the same checks and answer, the consequence in words, and nothing stored, logged or sent" {
	early_node
	before=$(counts)
	run "$L" --json agreement event "$G" notice --by JPN --date 2019-08-23 --dry-run
	[ "$status" -eq 0 ]
	echo "$output" | grep -v '^note:' >dry.json
	jq -e '.dry_run == true and .event.number == 3 and .event.kind == "notice" and .event.by == "JPN"
	       and .status.state == "in-force-under-notice" and .status.ends == "2019-11-23"
	       and .notes == 1' dry.json
	[[ "$(jq -r .consequence dry.json)" == "this notice would end the agreement at the start of 2019-11-23 (its last day in force: 2019-11-22)"* ]]
	[ "$(counts)" = "$before" ]
	[ "$("$L" --json agreement show "$G" 2>/dev/null | jq '.events | length')" -eq 2 ]
	# in words
	run "$L" agreement event "$G" notice --by JPN --date 2019-08-23 --dry-run
	[ "$status" -eq 0 ]
	[[ "$output" == *"dry run, nothing recorded: event 3  2019-08-23  notice"* ]]
	[[ "$output" == *"this notice would end the agreement at the start of 2019-11-23"* ]]
	[[ "$output" == *"it would be sent as a note to 1 of the other parties' nodes"* ]]
	[ "$(counts)" = "$before" ]
	# the real event: the same answer, 201's, without dry_run
	"$L" --json agreement event "$G" notice --by JPN --date 2019-08-23 2>/dev/null >real.json
	jq -e '.dry_run == null' real.json
	[[ "$(jq -r .consequence real.json)" == "this notice ends the agreement at the start of 2019-11-23"* ]]
	diff <(jq -S 'del(.dry_run, .consequence)' dry.json) <(jq -S 'del(.consequence)' real.json)
	read -r log events outbox <<<"$before"
	[ "$(counts)" = "$((log + 1)) $((events + 1)) $((outbox + 1))" ]
	# a late notice: what it ends, and why not sooner
	run "$L" --json agreement event "$G" notice-withdrawn --by JPN --date 2019-09-01 --dry-run
	[[ "$(echo "$output" | jq -r .consequence)" == "this withdrawal would end the notice by JPN given 2019-08-23 for good: the agreement would stay in force" ]]
}

@test "event --dry-run refuses what the event refuses, with the same error, and keeps nothing" {
	early_node
	before=$(counts)
	for args in "notice-suspended --by KOR --date 2019-08-30" \
		"notice --by USA --date 2019-08-30" "notice --date 2019-08-30" \
		"notice --by KOR --date 2019-09-02" "amended --date 2015-01-01"; do
		run "$L" agreement event "$G" $args --dry-run
		dry_status=$status dry_output=$output
		[ "$dry_status" -ne 0 ]
		run "$L" agreement event "$G" $args
		[ "$status" -eq "$dry_status" ]
		[ "$output" = "$dry_output" ]
	done
	[ "$(counts)" = "$before" ]
}

@test "POST .../events?dry_run=true: 200 with dry_run, nothing kept; the refusals of the real event; a registrar's only" {
	early_node
	ITO=$("$L" person token ito 2>/dev/null) # the registrar
	SATO=$("$L" person token sato 2>/dev/null)
	daemon "$LIAISON_HOME"
	post() { # TOKEN PATH BODY: the status; the body in body
		code=$(curl -s -o body -w '%{http_code}' -H "Authorization: Bearer $1" -d "$3" "$DAEMON_URL$2")
		api_record POST "$2" "$code" body
		echo "$code"
	}
	before=$(counts)
	ev='{"date": "2019-08-23", "kind": "notice", "by": "KOR"}'
	[ "$(post "$ITO" "/v1/agreements/$G/events?dry_run=true" "$ev")" = 200 ]
	jq -e '.dry_run == true and .event.number == 3 and .notes == 0
	       and (.consequence | startswith("this notice would end the agreement at the start of 2019-11-23"))' body
	cp body dry.json
	[ "$(counts)" = "$before" ]
	# the CLI through the daemon: the same
	LIAISON_URL=$DAEMON_URL LIAISON_TOKEN=$ITO "$L" --json agreement event "$G" notice --by KOR \
		--date 2019-08-23 --dry-run >remote.json
	diff <(jq -S 'del(.clock, .today)' dry.json) <(jq -S 'del(.clock, .today)' remote.json)
	[ "$(counts)" = "$before" ]
	# a refusal: the real event's, status and body
	bad='{"date": "2019-08-30", "kind": "notice-suspended", "by": "KOR"}'
	[ "$(post "$ITO" "/v1/agreements/$G/events?dry_run=true" "$bad")" = 409 ]
	cp body dry-refusal.json
	[ "$(post "$ITO" "/v1/agreements/$G/events" "$bad")" = 409 ]
	cmp body dry-refusal.json
	[ "$(post "$ITO" "/v1/agreements/$G/events?dry_run=true" '{"date": "2019-08-30", "kind": "notice"}')" = 400 ]
	jq -e '.error.field == "by"' body
	[ "$(post "$ITO" "/v1/agreements/$G/events?dry_run=maybe" "$ev")" = 400 ]
	jq -e '.error.message | startswith("dry_run:")' body
	# the same rights as the real event: an analyst may not
	[ "$(post "$SATO" "/v1/agreements/$G/events?dry_run=true" "$ev")" = 403 ]
	[ "$(counts)" = "$before" ]
	# and the real one is stored
	[ "$(post "$ITO" "/v1/agreements/$G/events" "$ev")" = 201 ]
	jq -e '.dry_run == null and (.consequence | startswith("this notice ends the agreement"))' body
	read -r log events outbox <<<"$before"
	[ "$(counts)" = "$((log + 1)) $((events + 1)) $outbox" ]
}
