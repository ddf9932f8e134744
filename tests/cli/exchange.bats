#!/usr/bin/env bats
# Two (and three) nodes exchanging items as files: release, import, consent.
load helpers

setup() {
	export LIAISON_PASSPHRASE="test passphrase"
	export LIAISON_NOW=2019-09-01
	unset LIAISON_HOME
	cd "$BATS_TEST_TMPDIR"
	jq '.parties += [{"code": "USA", "name": "United States", "levels": [
	      {"code": "C", "name": "CONFIDENTIAL", "rank": 1}, {"code": "S", "name": "SECRET", "rank": 2},
	      {"code": "TS", "name": "TOP SECRET", "rank": 3}]}]
	    | .agreements += [
	      {"id": "KOR-USA", "title": "ROK-US", "parties": ["KOR", "USA"], "term_years": 1,
	       "renewal_years": 1, "notice_days": 90,
	       "equivalence": [{"common": "SECRET", "KOR": ["II"], "USA": ["S"]}],
	       "events": [{"date": "1987-01-01", "kind": "in-force"}]},
	      {"id": "JPN-USA", "title": "JP-US", "parties": ["JPN", "USA"], "term_years": 1,
	       "renewal_years": 1, "notice_days": 90,
	       "equivalence": [{"common": "SECRET", "JPN": ["GOKUHI", "TOKUTEI"], "USA": ["S"]}],
	       "events": [{"date": "2007-08-10", "kind": "in-force"}]}]
	    | .people += [{"id": "smith", "party": "USA", "name": "Smith", "roles": ["analyst"],
	       "clearance": {"level": "S", "from": "2010-01-01"}, "ntk": ["MISSILE-WARNING"]}]' \
		"$EXAMPLE" >cfg.json
	for p in jpn kor usa; do
		"$L" --home $p init --replay --party "${p^^}" >/dev/null
		"$L" --home $p config apply cfg.json >/dev/null
	done
	"$L" --home jpn party key KOR kor/keys/KOR.pub >/dev/null
	"$L" --home jpn party key USA usa/keys/USA.pub >/dev/null
	"$L" --home kor party key JPN jpn/keys/JPN.pub >/dev/null
	"$L" --home kor party key USA usa/keys/USA.pub >/dev/null
	"$L" --home usa party key KOR kor/keys/KOR.pub >/dev/null
	"$L" --home usa party key JPN jpn/keys/JPN.pub >/dev/null
	echo "launch at 06:00 from the west coast" >report.txt
	ID=$("$L" --home jpn item share report.txt --by sato --level GOKUHI --title "Missile launch" \
		--releasable KOR --releasable USA --ntk MISSILE-WARNING --purpose warning 2>/dev/null)
}

# capture_usa: KOR's peer USA, a stand-in that keeps what it is sent
# (cap/N.headers, cap/N.body) and answers 503; its pid in CAP_PID
capture_usa() {
	mkdir cap
	python3 "$BATS_TEST_DIRNAME/../tools/capture_peer.py" cap >cap.port &
	CAP_PID=$!
	for _ in $(seq 100); do [ -s cap.port ] && break; sleep 0.05; done
	"$L" --home kor peer add USA --url "http://127.0.0.1:$(head -1 cap.port)" >/dev/null
}

# a test's daemon, whatever became of the test (a trap on EXIT would take
# bats' own, and with it the test's result)
teardown() {
	[ -z "${DAEMON_PID:-}" ] || kill -9 "$DAEMON_PID" 2>/dev/null || true
	[ -z "${CAP_PID:-}" ] || kill -9 "$CAP_PID" 2>/dev/null || true
}

@test "JPN shares and releases to KOR; KOR imports, re-marks and reads" {
	run "$L" --home jpn item release "$ID" --to KOR --by sato -o to-kor.lsn
	[ "$status" -eq 0 ]
	[ "$(sqlite3 jpn/node.db 'SELECT to_party || by_person || date FROM releases')" = KORsato2019-09-01 ]
	run "$L" --home kor item import to-kor.lsn
	[ "$status" -eq 0 ]
	[[ "$output" == *"imported item $ID from JPN: JPN GOKUHI, marked KOR II here"* ]]
	run "$L" --home kor --json item show "$ID"
	[ "$(echo "$output" | jq -r '.marking.level + " " + .local_marking.level')" = "GOKUHI II" ]
	[ "$(echo "$output" | jq -r .received)" = 2019-09-01 ]
	"$L" --home kor item get "$ID" --by kim --purpose warning -o kim.txt
	cmp report.txt kim.txt
	run "$L" --home kor item import to-kor.lsn
	[ "$status" -eq 1 ]
	[[ "$output" == *"already stored here"* ]]
}

@test "a third-party release is denied until the originator's consent is imported" {
	"$L" --home jpn item release "$ID" --to KOR --by sato -o to-kor.lsn
	"$L" --home kor item import to-kor.lsn
	run "$L" --home kor item release "$ID" --to USA --by park -o to-usa.lsn
	[ "$status" -eq 3 ]
	[[ "$output" == *"NO R-THIRD-PARTY JPN made the item; releasing it to USA needs its written consent, which there is not (Art. 5)"* ]]
	[ ! -e to-usa.lsn ]
	run "$L" --home jpn consent grant "$ID" --to USA --by sato --holder KOR -o consent.json
	[ "$status" -eq 0 ]
	run "$L" --home kor consent import consent.json
	[ "$status" -eq 0 ]
	[[ "$output" == *"JPN consents (sato, 2019-09-01) to the release of item $ID to USA"* ]]
	# a consent file in the way: no release, no envelope, nothing recorded
	touch to-usa.lsn.consent.json
	run "$L" --home kor item release "$ID" --to USA --by park -o to-usa.lsn
	[ "$status" -eq 1 ]
	[[ "$output" == *"already exists"* ]]
	[ ! -e to-usa.lsn ]
	[ "$(sqlite3 kor/node.db "SELECT count(*) FROM releases WHERE to_party = 'USA'")" -eq 0 ]
	rm to-usa.lsn.consent.json
	run "$L" --home kor item release "$ID" --to USA --by park -o to-usa.lsn
	[ "$status" -eq 0 ]
	[ "$(stat -c %a to-usa.lsn.consent.json)" = 600 ]
	# with the file, the consent that must go with it (KOR's, as it came)
	[[ "$output" == *"released item $ID to USA: to-usa.lsn, with its originator's consent in to-usa.lsn.consent.json (item import to-usa.lsn --consent to-usa.lsn.consent.json)"* ]]
	cmp to-usa.lsn.consent.json consent.json
	# the USA's node sees JPN's item from KOR: JPN's consent must come with
	# it, signed by JPN, for this item and the USA
	run "$L" --home usa item import to-usa.lsn
	[ "$status" -eq 1 ]
	[[ "$output" == *"R-THIRD-PARTY: JPN made item $ID, not KOR who sent it: JPN's consent to its release to USA must come with it"* ]]
	ID2=$("$L" --home jpn item share report.txt --by sato --level GOKUHI --title Other \
		--releasable KOR --releasable USA --ntk MISSILE-WARNING --purpose warning 2>/dev/null)
	"$L" --home jpn item release "$ID2" --to KOR --by sato -o other.lsn >/dev/null
	"$L" --home jpn consent grant "$ID2" --to USA --by sato --holder KOR -o other.json
	run "$L" --home usa item import to-usa.lsn --consent other.json
	[ "$status" -eq 1 ]
	[[ "$output" == *"the consent that came with item $ID is JPN's for item $ID2 to USA"* ]]
	sed 's/"sato"/"suzuki"/' consent.json >changed.json
	run "$L" --home usa item import to-usa.lsn --consent changed.json
	[ "$status" -eq 1 ]
	[[ "$output" == *"bad signature"* ]]
	[ "$(sqlite3 usa/node.db 'SELECT count(*) FROM items')" -eq 0 ]
	# the consent names the label JPN gave the item: KOR may not pass it on
	# as another level, title or limits (here by software of its own)
	jq -c '.consent.label_sha256' consent.json | grep -q '"'
	"$L" --home kor --json item show "$ID" | jq -c '.label | .level = "TOKUTEI" | .title = "Changed"' >changed-label.json
	"$TOOLS/forge" envelope kor/keys/KOR.key usa/keys/USA.pub changed-label.json <report.txt >changed.lsn
	run "$L" --home usa item import changed.lsn --consent consent.json
	[ "$status" -eq 1 ]
	[[ "$output" == *"R-THIRD-PARTY: JPN's consent for item $ID is for another label than the one that came with it"* ]]
	# and the content JPN holds (the SHA-256 of its plaintext, sealed to the
	# USA: to anyone else, the path included, it would confirm a guess of
	# the content): KOR may not send other content under the label and id
	# it has consent for
	[ "$(jq -r '.consent.content_sealed' consent.json | base64 -d | wc -c)" -eq 80 ]
	! grep -q "$(python3 -c 'import base64, hashlib, sys
print(base64.b64encode(hashlib.sha256(open(sys.argv[1], "rb").read()).digest()).decode())' report.txt)" consent.json
	"$L" --home kor --json item show "$ID" | jq -c '.label' >same-label.json
	echo "other words" | "$TOOLS/forge" envelope kor/keys/KOR.key usa/keys/USA.pub same-label.json >other.lsn
	run "$L" --home usa item import other.lsn --consent consent.json
	[ "$status" -eq 1 ]
	[[ "$output" == *"R-THIRD-PARTY: JPN's consent for item $ID is for other content than what came with it"* ]]
	# a digest sealed to another key than the USA's does not open there
	jq -c --arg s "$(head -c 80 /dev/urandom | base64 -w0)" '.consent | .content_sealed = $s' \
		consent.json >resealed.txt
	"$TOOLS/forge" signed jpn/keys/JPN.key liaison-consent/v1 consent "$(cat resealed.txt)" >resealed.json
	run "$L" --home usa item import to-usa.lsn --consent resealed.json
	[ "$status" -eq 1 ]
	[[ "$output" == *"R-THIRD-PARTY: JPN's consent for item $ID names its content sealed to another key than USA's"* ]]
	# nor one JPN gave another holder: only the party it names may pass it
	# on (else any partner of the USA's could try contents under it); JPN's
	# node grants only to a holder it released the item to, so JPN's key
	# signs this one by hand
	jq -c '.consent | .holder = "GBR"' consent.json >gbr.txt
	"$TOOLS/forge" signed jpn/keys/JPN.key liaison-consent/v1 consent "$(cat gbr.txt)" >gbr-consent.json
	run "$L" --home usa item import to-usa.lsn --consent gbr-consent.json
	[ "$status" -eq 1 ]
	[[ "$output" == *"R-THIRD-PARTY: JPN's consent for item $ID lets GBR pass it on, not KOR"* ]]
	run "$L" --home kor consent import gbr-consent.json
	[ "$status" -eq 1 ]
	[[ "$output" == *"lets GBR pass it on, not KOR"* ]]
	run "$L" --home usa item import to-usa.lsn --consent consent.json
	[ "$status" -eq 0 ]
	[[ "$output" == *"from KOR: JPN GOKUHI, marked USA S here"* ]]
	"$L" --home usa item get "$ID" --by smith --purpose warning -o smith.txt
	cmp report.txt smith.txt
	# the import's log entry says whose consent it came with
	[ "$("$L" --home usa --json log entries | jq -r '[.entries[].data | @base64d | fromjson
		| select(.kind == "item-import")] | last | .consent.granted_by')" = sato ]
	# KOR's node checks the consent it holds as a receiver would, before
	# anything goes: one for another label than KOR holds (JPN lowered the
	# level after KOR had the item, then consented again) ...
	"$L" --home jpn item downgrade "$ID" --by sato --level HI >/dev/null
	"$L" --home jpn consent grant "$ID" --to USA --by sato --holder KOR -o lowered.json >/dev/null
	"$L" --home kor consent import lowered.json >/dev/null
	# (the decision itself is a denial, and the log keeps it as one: a
	# PERMIT logged for a release then refused once misled the record)
	released() { sqlite3 kor/node.db "SELECT count(*) FROM releases WHERE to_party = 'USA'"; }
	last_decision() {
		"$L" --home kor log entries | jq -r 'select(.kind == "decision" and .decision.action == "release")
			| .decision.decision + " " + ([.decision.rules[] | select(.ok | not) | .detail] | join("; "))' | tail -1
	}
	before=$(released)
	run "$L" --home kor item release "$ID" --to USA --by park -o again.lsn
	[ "$status" -eq 3 ]
	[[ "$output" == *"NO R-THIRD-PARTY JPN made the item; releasing it to USA needs its written consent, and the one here is for another label than the one that this node holds (Art. 5)"* ]]
	[[ "$output" == *"JPN's consent for USA again, naming KOR as holder and the item's label now"* ]]
	[ ! -e again.lsn ] && [ ! -e again.lsn.consent.json ]
	[[ "$(last_decision)" == "DENY JPN made the item; releasing it to USA needs its written consent, and the one here is for another label"* ]]
	# ... or one an older release granted, naming no label or content
	"$TOOLS/forge" signed jpn/keys/JPN.key liaison-consent/v1 consent \
		"{\"date\":\"2019-09-01\",\"granted_by\":\"sato\",\"item\":\"$ID\",\"originator\":\"JPN\",\"to\":\"USA\"}" >old.json
	sqlite3 kor/node.db "UPDATE consents SET evidence = CAST(readfile('old.json') AS TEXT)"
	run "$L" --home kor item release "$ID" --to USA --by park -o again.lsn
	[ "$status" -eq 3 ]
	[[ "$output" == *"and the one here names no label (one granted by an older release): JPN must grant it again (Art. 5)"* ]]
	[ ! -e again.lsn ] && [ ! -e again.lsn.consent.json ]
	[ "$(released)" = "$before" ]
	[[ "$(last_decision)" == "DENY "*"names no label (one granted by an older release)"* ]]
	# an access check asks the same question and gets the same answer
	run "$L" --home kor --json access check --person park --item "$ID" --action release --to USA
	[ "$status" -eq 3 ]
	[ "$(jq -r '.decision' <<<"$output")" = DENY ]
}

@test "a consent held that no longer verifies (its originator's key retired as compromised) is a denial that says so, and tells no one who may not see the item" {
	"$L" --home jpn item release "$ID" --to KOR --by sato -o to-kor.lsn
	"$L" --home kor item import to-kor.lsn >/dev/null
	"$L" --home jpn consent grant "$ID" --to USA --by sato --holder KOR -o consent.json >/dev/null
	"$L" --home kor consent import consent.json >/dev/null
	"$L" --home kor person add lee --party KOR --name Lee --role analyst \
		--clearance II --from 2010-01-01 >/dev/null
	"$L" --home jpn party rotate-key --compromised --note c.json >/dev/null
	"$L" --home kor party key JPN c.json >/dev/null
	run "$L" --home kor item release "$ID" --to USA --by park -o again.lsn
	[ "$status" -eq 3 ]
	[[ "$output" == *"NO R-THIRD-PARTY JPN made the item; releasing it to USA needs its written consent, and the one here cannot be verified against JPN's keys here (Art. 5)"* ]]
	[[ "$output" != *SHA256* ]]
	[ ! -e again.lsn ]
	"$L" --home kor log entries | jq -e -s 'map(select(.kind == "decision" and .decision.action == "release")) | last
		| .decision.decision == "DENY"' >/dev/null
	# lee, without the item's need-to-know, learns nothing of it
	run "$L" --home kor item release "$ID" --to USA --by lee -o again.lsn
	[ "$status" -eq 1 ]
	[ "$(grep -v '^note: ' <<<"$output")" = "liaison: unknown item $ID" ]
}

@test "a passed-on item's queued release is withdrawn at delivery once its consent no longer verifies (the originator's key retired as compromised meanwhile)" {
	"$L" --home jpn item release "$ID" --to KOR --by sato -o to-kor.lsn
	"$L" --home kor item import to-kor.lsn >/dev/null
	"$L" --home jpn consent grant "$ID" --to USA --by sato --holder KOR -o consent.json >/dev/null
	"$L" --home kor consent import consent.json >/dev/null
	capture_usa
	"$L" --home kor item release "$ID" --to USA --by park >/dev/null
	msg=$("$L" --home kor --json peer outbox | jq -r '.messages[0].id')
	"$L" --home kor peer deliver --all || true
	[ -n "$(ls cap)" ] # with its consent in force: it goes (503 here)
	"$L" --home jpn party rotate-key --compromised --note c.json >/dev/null
	"$L" --home kor party key JPN c.json >/dev/null
	rm -f cap/*
	run "$L" --home kor peer deliver --all
	[ "$status" -eq 1 ]
	[ -z "$(ls cap)" ]
	"$L" --home kor --json peer outbox | jq -e --arg m "$msg" '.messages[] | select(.id == $m) |
		.state == "refused" and (.last_error | startswith("withdrawn: R-THIRD-PARTY: JPN made the item; releasing it to USA needs its written consent, and the one here cannot be verified against JPN'"'"'s keys here"))'
	[ ! -e "kor/outbox/$msg" ]
}

@test "a consent its originator signed before a routine rotation of its key still serves, however long after" {
	"$L" --home jpn item release "$ID" --to KOR --by sato -o to-kor.lsn
	"$L" --home kor item import to-kor.lsn >/dev/null
	"$L" --home jpn consent grant "$ID" --to USA --by sato --holder KOR -o consent.json >/dev/null
	"$L" --home jpn party rotate-key --note r.json >/dev/null
	"$L" --home kor party key JPN r.json >/dev/null
	"$L" --home usa party key JPN r.json >/dev/null
	# imported 40 days after the rotation (past the 30 a message signed by
	# the old key is taken for), and passed on
	export LIAISON_NOW=2019-10-11
	"$L" --home kor consent import consent.json >/dev/null
	run "$L" --home kor item release "$ID" --to USA --by park -o to-usa.lsn
	[ "$status" -eq 0 ]
	run "$L" --home usa item import to-usa.lsn --consent to-usa.lsn.consent.json
	[ "$status" -eq 0 ]
	[[ "$output" == *"from KOR: JPN GOKUHI, marked USA S here"* ]]
}

@test "a holder passes another party's item on, as a file through a daemon or through its peer: the originator's consent goes with it" {
	"$L" --home jpn item release "$ID" --to KOR --by sato -o to-kor.lsn
	"$L" --home kor item import to-kor.lsn >/dev/null
	"$L" --home jpn consent grant "$ID" --to USA --by sato --holder KOR -o consent.json
	# KOR keeps the document as it came, here indented and padded (its
	# header to the USA then passes 512 bytes, which a fixed buffer once cut),
	# less the byte-order mark an editor put before it (which a consent
	# kept and sent on once kept, unusable)
	{ printf '\xef\xbb\xbf'; jq --indent 7 . consent.json; printf '%300s\n' ''; } >indented.json
	[ "$(wc -c <indented.json)" -gt 600 ]
	"$L" --home kor consent import indented.json >/dev/null
	"$L" --home usa party key KOR kor/keys/KOR.pub >/dev/null
	"$L" --home usa peer add KOR --url http://127.0.0.1:9 >/dev/null
	daemon usa
	"$L" --home kor peer add USA --url "$DAEMON_URL" >/dev/null
	# as a file, through the USA's daemon: the consent goes as a header
	"$L" --home usa person add jones --party USA --name Jones --role security-officer >/dev/null
	JONES=$("$L" --home usa person token jones 2>/dev/null)
	"$L" --home kor item release "$ID" --to USA --by park -o to-usa.lsn >/dev/null
	via_usa() { env -u LIAISON_HOME LIAISON_URL="$DAEMON_URL" LIAISON_TOKEN="$JONES" "$L" "$@"; }
	run via_usa item import to-usa.lsn
	[ "$status" -eq 1 ]
	[[ "$output" == *"R-THIRD-PARTY: JPN made item $ID, not KOR who sent it"* ]]
	code=$(curl -s -o ans.json -w '%{http_code}' -H "Authorization: Bearer $JONES" \
		-H 'Liaison-Consent: not base64!' --data-binary @to-usa.lsn "$DAEMON_URL/v1/items/import")
	[ "$code" = 400 ]
	[[ "$(jq -r .error.message ans.json)" == "Liaison-Consent: not base64 of a consent"* ]]
	run via_usa item import to-usa.lsn --consent consent.json
	[ "$status" -eq 0 ]
	[[ "$output" == *"imported item $ID from KOR: JPN GOKUHI, marked USA S here"* ]]
	sqlite3 -cmd ".timeout 10000" usa/node.db "DELETE FROM items" # taken again below, through the peers
	# through the peers: the consent's digest is in the request's signed text,
	# so that no one on the path can take the consent away (the USA would
	# then refuse the item, signed, for good) or change it. KOR's request is
	# caught on its way (a stand-in answers 503), then sent on
	capture_usa
	"$L" --home kor item release "$ID" --to USA --by park >/dev/null
	# the consent KOR holds changes before the delivery (JPN lowered the
	# level and consented again, and KOR took it): the message goes with the
	# consent its release was checked and queued with, for its envelope
	"$L" --home jpn item downgrade "$ID" --by sato --level HI >/dev/null
	"$L" --home jpn consent grant "$ID" --to USA --by sato --holder KOR -o lowered.json >/dev/null
	"$L" --home kor consent import lowered.json >/dev/null
	run "$L" --home kor peer deliver
	[[ "$output" == *"0 delivered, 0 refused, 1 to retry"* ]]
	kill "$CAP_PID"
	sed -n 's/^Liaison-Consent: //p' cap/0.headers | base64 -d >sent.json
	tail -c +4 indented.json | cmp - sent.json
	send_on() { # HEADERS: cap/0's body sent to the USA with them; the status in $code
		peer_post "$1" cap/0.body "$DAEMON_URL/v1/peer/messages"
	}
	grep -v '^Liaison-Consent: ' cap/0.headers >stripped.headers
	send_on stripped.headers
	[ "$code" = 401 ]
	[ "$(jq 'has("receipt")' ans.json)" = false ] # no refusal signed
	sed 's/^\(Liaison-Consent: \)\(.\)/\1A\2/' cap/0.headers >changed.headers
	send_on changed.headers
	[ "$code" = 401 ]
	send_on cap/0.headers
	[ "$code" = 200 ]
	[ "$(jq -r .receipt.result ans.json)" = stored ]
	# a consent comes through the peers from its originator's node alone:
	# KOR may not send the USA one of JPN's (an older one, say, in place of
	# a newer)
	"$TOOLS/forge" peer kor/keys/KOR.key USA consent "$ID" consent.json >c.headers
	peer_post c.headers consent.json "$DAEMON_URL/v1/peer/messages"
	[ "$code" = 409 ]
	[[ "$(jq -r .error.message ans.json)" == *"a consent of JPN's comes from JPN's node, not from KOR"* ]]
	# KOR's own consent about an item the USA holds from JPN, and about an id
	# never used: answered alike (KOR learns nothing of what the USA holds)
	for id in "$ID" 000000000000000000000000; do
		"$TOOLS/forge" signed kor/keys/KOR.key liaison-consent/v1 consent \
			'{"content_sealed":"'"$(head -c 80 /dev/zero | base64 -w0)"'","date":"2019-09-01","granted_by":"kim","holder":"USA","item":"'$id'","label_sha256":"x","originator":"KOR","to":"JPN"}' >probe.json
		"$TOOLS/forge" peer kor/keys/KOR.key USA consent "$id" probe.json >probe.headers
		peer_post probe.headers probe.json "$DAEMON_URL/v1/peer/messages"
		echo "$code $(jq -r .error.message ans.json)" | sed "s/$id/ID/" >>probes.txt
	done
	[ "$(sort -u probes.txt | wc -l)" -eq 1 ]
	[ "$(head -1 probes.txt)" = "404 no item ID of KOR's is held here" ]
	kill -9 "$DAEMON_PID"
	wait "$DAEMON_PID" 2>/dev/null || true
	[ "$(sqlite3 usa/node.db "SELECT originator || ' ' || sender FROM items WHERE id = '$ID'")" = "JPN KOR" ]
	[ "$("$L" --home usa --json log entries | jq -r '[.entries[].data | @base64d | fromjson
		| select(.kind == "item-import")] | last | [.sender, .consent.granted_by, .consent.date] | join(" ")')" = \
		"KOR sato 2019-09-01" ]
}

@test "a passed-on item refused through the peers gets one answer, whether the originator has an agreement here or not" {
	"$L" --home usa peer add KOR --url http://127.0.0.1:9 >/dev/null
	daemon usa
	# KOR passes on, without consent, an item it says JPN made (an agreement
	# with the USA maps JPN's levels) and one it says TWN made (none does)
	for p in JPN TWN; do
		echo '{"item":"'$p'-0123456789abcdef01234567","originator":"'$p'","level":"GOKUHI","title":"t","releasable_to":["USA"]}' >label.json
		"$TOOLS/forge" envelope kor/keys/KOR.key usa/keys/USA.pub label.json <report.txt >m.lsn
		"$TOOLS/forge" peer kor/keys/KOR.key USA item $p-0123456789abcdef01234567 m.lsn >m.headers
		peer_post m.headers m.lsn "$DAEMON_URL/v1/peer/messages"
		[ "$code" = 409 ]
		[ "$(jq -r .receipt.result ans.json)" = refused ]
		echo "$(jq -r .error.message ans.json)" | sed "s/$p/P/g" >>answers.txt
	done
	[ "$(sort -u answers.txt | wc -l)" -eq 1 ]
	[[ "$(head -1 answers.txt)" == *"R-THIRD-PARTY: item P-0123456789abcdef01234567, P's, is not taken from KOR: it needs P's consent to its release to USA"* ]]
	# the USA's operator is told which failed
	grep -q "item JPN-0123456789abcdef01234567 passed on by KOR refused: R-THIRD-PARTY: JPN made item" usa.log
	grep -q "item TWN-0123456789abcdef01234567 passed on by KOR refused: R-CLEARANCE: no agreement with TWN" usa.log
	[ "$(sqlite3 -cmd ".timeout 5000" usa/node.db "SELECT count(*) FROM items")" -eq 0 ]
}

@test "a passed-on item whose originator's key the receiver does not hold yet is tried again, and taken once it does" {
	"$L" --home jpn item release "$ID" --to KOR --by sato -o to-kor.lsn >/dev/null
	"$L" --home kor item import to-kor.lsn >/dev/null
	"$L" --home jpn consent grant "$ID" --to USA --by sato --holder KOR -o consent.json >/dev/null
	"$L" --home kor consent import consent.json >/dev/null
	sqlite3 usa/node.db "DELETE FROM party_keys WHERE party = 'JPN'" # not yet added
	"$L" --home usa peer add KOR --url http://127.0.0.1:9 >/dev/null
	daemon usa
	"$L" --home kor peer add USA --url "$DAEMON_URL" >/dev/null
	"$L" --home kor item release "$ID" --to USA --by park >/dev/null
	run "$L" --home kor peer deliver
	[[ "$output" == *"0 delivered, 0 refused, 1 to retry"* ]]
	"$L" --home kor --json peer outbox | jq -e '.messages[0].state == "queued" and (.messages[0].last_error | contains("no public key for JPN"))'
	"$L" --home usa party key JPN jpn/keys/JPN.pub >/dev/null
	run "$L" --home kor peer deliver --all
	[[ "$output" == *"1 delivered, 0 refused, 0 to retry"* ]]
	[ "$(sqlite3 -cmd ".timeout 5000" usa/node.db "SELECT originator || ' ' || sender FROM items WHERE id = '$ID'")" = "JPN KOR" ]
}

@test "through a daemon, a holder's release to a file comes with the originator's consent beside it" {
	"$L" --home jpn item release "$ID" --to KOR --by sato -o to-kor.lsn >/dev/null
	"$L" --home kor item import to-kor.lsn >/dev/null
	"$L" --home jpn consent grant "$ID" --to USA --by sato --holder KOR -o consent.json >/dev/null
	"$L" --home kor consent import consent.json >/dev/null
	echo "a report from Seoul" >kr.txt
	kid=$("$L" --home kor item share kr.txt --by kim --level II --title "From Seoul" \
		--releasable JPN --ntk MISSILE-WARNING --purpose warning 2>/dev/null)
	PARK=$("$L" --home kor person token park 2>/dev/null)
	daemon kor
	via_kor() { env -u LIAISON_HOME LIAISON_URL="$DAEMON_URL" LIAISON_TOKEN="$PARK" "$L" "$@"; }
	released() { sqlite3 -cmd ".timeout 10000" kor/node.db "SELECT count(*) FROM releases WHERE to_party = 'USA'"; }
	# a file in the consent's way: nothing asked, nothing recorded
	touch via.lsn.consent.json
	run via_kor item release "$ID" --to USA -o via.lsn
	[ "$status" -eq 1 ]
	[[ "$output" == *"via.lsn.consent.json already exists (--force replaces it)"* ]]
	[ ! -e via.lsn ]
	[ "$(released)" -eq 0 ]
	rm via.lsn.consent.json
	run via_kor item release "$ID" --to USA -o via.lsn
	[ "$status" -eq 0 ]
	[[ "$output" == *"released item $ID to USA: via.lsn, with its originator's consent in via.lsn.consent.json"* ]]
	[ "$(stat -c %a via.lsn.consent.json)" = 600 ]
	cmp via.lsn.consent.json consent.json
	[ "$(released)" -eq 1 ]
	run "$L" --home usa item import via.lsn --consent via.lsn.consent.json
	[ "$status" -eq 0 ]
	[[ "$output" == *"imported item $ID from KOR"* ]]
	# KOR's own item needs none: no file beside it
	run via_kor --json item release "$kid" --to JPN -o own.lsn
	[ "$status" -eq 0 ]
	[ "$(echo "$output" | jq -r 'has("consent")')" = false ]
	[ ! -e own.lsn.consent.json ]
	run "$L" --home jpn item import own.lsn
	[ "$status" -eq 0 ]
	kill -9 "$DAEMON_PID"
}

@test "a forged or changed consent is refused" {
	"$L" --home jpn item release "$ID" --to KOR --by sato -o to-kor.lsn
	"$L" --home kor item import to-kor.lsn
	"$L" --home jpn consent grant "$ID" --to USA --by sato --holder KOR -o consent.json
	sed 's/"USA"/"RUS"/' consent.json >forged.json
	run "$L" --home kor consent import forged.json
	[ "$status" -eq 1 ]
	[[ "$output" == *"bad signature: not signed by JPN"* ]]
	[ "$(sqlite3 kor/node.db 'SELECT count(*) FROM consents')" -eq 0 ]
	run "$L" --home kor consent grant "$ID" --to USA --by park --holder KOR -o mine.json
	[ "$status" -eq 3 ]
	[[ "$output" == *"only JPN, the originator, can consent"* ]]
}

@test "a consent or a report signed by its party must still say what a grant or a holder would" {
	"$L" --home jpn item release "$ID" --to KOR --by sato -o to-kor.lsn
	"$L" --home kor item import to-kor.lsn >/dev/null
	ID2=$("$L" --home jpn item share report.txt --by sato --level GOKUHI --title "Never released" \
		--releasable KOR --ntk MISSILE-WARNING --purpose warning 2>/dev/null)
	# JPN's node signs what its own commands check first; a JPN that runs
	# software of its own (tests/tools/forge.c) signs anything
	b64sha() { python3 -c 'import base64, hashlib, sys
print(base64.b64encode(hashlib.sha256(sys.stdin.buffer.read()).digest()).decode())'; }
	CONTENT="\"content_sealed\":\"$(head -c 80 /dev/urandom | base64 -w0)\","
	LABEL="\"label_sha256\":\"$(echo any label | b64sha)\","
	C=$CONTENT L_=$LABEL H='"holder":"KOR",'
	consent() { # DATE GRANTED_BY TO: JPN's signed consent for $ID in c.json (keys sorted)
		"$TOOLS/forge" signed jpn/keys/JPN.key liaison-consent/v1 consent \
			"{$C\"date\":\"$1\",\"granted_by\":\"$2\",$H\"item\":\"$ID\",$L_\"originator\":\"JPN\",\"to\":\"$3\"}" >c.json
	}
	consent 2019-02-30 sato USA
	run "$L" --home kor consent import c.json
	[ "$status" -ne 0 ]
	[[ "$output" == *"c.json: date: "*"2019-02-30"* ]]
	consent 2019-09-01 "no such person!" USA
	run "$L" --home kor consent import c.json
	[ "$status" -ne 0 ]
	[[ "$output" == *"c.json: granted_by: person id \"no such person!\" is not"* ]]
	consent 2019-09-01 sato KOR
	run "$L" --home kor consent import c.json
	[ "$status" -ne 0 ]
	[[ "$output" == *"KOR holds the item already: a consent is for a third party"* ]]
	consent 2019-09-01 sato RUS
	run "$L" --home kor consent import c.json
	[ "$status" -ne 0 ]
	[[ "$output" == *"RUS"* ]]
	# one granted by an older release, naming no content (or no label): it
	# could not pass the item on, the holder being free to send another
	C=""
	consent 2019-09-01 sato USA
	run "$L" --home kor consent import c.json
	[ "$status" -eq 1 ]
	[[ "$output" == *"c.json: R-THIRD-PARTY: JPN's consent for item $ID names no content (one granted by an older release): JPN must grant it again"* ]]
	C=$CONTENT L_=""
	consent 2019-09-01 sato USA
	run "$L" --home kor consent import c.json
	[ "$status" -eq 1 ]
	[[ "$output" == *"names no label (one granted by an older release)"* ]]
	L_=$LABEL H=""
	consent 2019-09-01 sato USA
	run "$L" --home kor consent import c.json
	[ "$status" -eq 1 ]
	[[ "$output" == *"names no holder (one granted by an older release)"* ]]
	H='"holder":"KOR",'
	# a content that is not a sealed SHA-256
	C="\"content_sealed\":\"$(head -c 79 /dev/urandom | base64 -w0)\"," L_=$LABEL
	consent 2019-09-01 sato USA
	run "$L" --home kor consent import c.json
	[ "$status" -eq 1 ]
	[[ "$output" == *"c.json: content_sealed: not 80 bytes of base64 (a SHA-256 sealed to USA)"* ]]
	[ "$(sqlite3 kor/node.db 'SELECT count(*) FROM consents')" -eq 0 ]
	C=$CONTENT
	consent 2019-09-01 sato USA
	"$L" --home kor consent import c.json
	[ "$(sqlite3 kor/node.db 'SELECT to_party FROM consents')" = USA ]
	# a compromise report is about an item its party holds: one released to
	# it; one never released to it, or an id never used, is refused alike
	# (here as files an older node kept: refused ones are set aside)
	mkdir -p jpn/reports
	n=0
	for item in "$ID" "$ID2" 00000000000000000000000000000000; do
		n=$((n + 1))
		"$TOOLS/forge" signed kor/keys/KOR.key liaison-compromise-report/v1 compromise_report \
			"{\"by\":\"park\",\"date\":\"2019-09-01\",\"details\":\"lost\",\"item\":\"$item\",\"originator\":\"JPN\",\"reporter\":\"KOR\"}" \
			>"jpn/reports/${n}0000000000000000000000000000000.json"
	done
	run "$L" --home jpn --json report list
	[ "$(echo "$output" | jq -r '[.reports[].item] | join(" ")')" = "$ID" ]
	[ -e jpn/reports/rejected/20000000000000000000000000000000.json ]
	[ -e jpn/reports/rejected/30000000000000000000000000000000.json ]
}

@test "import refuses a changed envelope, an unknown sender, and a level with no equivalent" {
	"$L" --home jpn item release "$ID" --to KOR --by sato -o to-kor.lsn
	cp to-kor.lsn bad.lsn
	flip_byte bad.lsn $(($(stat -c %s bad.lsn) / 2))
	run "$L" --home kor item import bad.lsn
	[ "$status" -eq 1 ]
	[ "$(sqlite3 kor/node.db 'SELECT count(*) FROM items')" -eq 0 ]
	run "$L" --home usa item import to-kor.lsn
	[ "$status" -eq 1 ]
	[[ "$output" == *"not for you"* ]]
	# a KOR level I item, sealed by KOR's own key outside the node's rules
	echo '{"originator": "KOR", "level": "I", "title": "Level I", "releasable_to": ["JPN"]}' >l1.json
	"$L" seal --sign kor/keys/KOR.key --to jpn/keys/JPN.pub --label l1.json -o l1.lsn report.txt
	run "$L" --home jpn item import l1.lsn
	[ "$status" -eq 1 ]
	[[ "$output" == *"KOR I cannot be received: the item's level has no equivalent under the agreement"* ]]
	[ "$(sqlite3 jpn/node.db 'SELECT count(*) FROM items')" -eq 1 ]
	# and the node itself will not release such an item
	"$L" --home kor person add lee --party KOR --name Lee --role originator --clearance I --from 2019-01-01
	id1=$("$L" --home kor item share report.txt --by lee --level I --title "Level I" --releasable JPN 2>/dev/null)
	run "$L" --home kor item release "$id1" --to JPN --by lee -o x.lsn
	[ "$status" -eq 3 ]
	[[ "$output" == *"KOR I has no equivalent under JPN-KOR-GSOMIA"* ]]
}

@test "nothing is released after the agreement ends (without the suspension)" {
	# KOR's node never records the suspension: the agreement ends 2019-11-23
	"$L" --home kor2 init --replay --party KOR >/dev/null
	jq '.agreements[0].events |= map(select(.date < "2019-11-01"))' cfg.json >cfg2.json
	"$L" --home kor2 config apply cfg2.json >/dev/null
	"$L" --home kor2 party key JPN jpn/keys/JPN.pub >/dev/null
	"$L" --home jpn party key KOR kor2/keys/KOR.pub --replace >/dev/null # KOR's new node
	"$L" --home jpn item release "$ID" --to KOR --by sato -o to-kor.lsn
	LIAISON_NOW=2019-11-25 run "$L" --home kor2 item import to-kor.lsn
	[ "$status" -eq 1 ]
	[[ "$output" == *"R-RECEIVED: JPN-KOR-GSOMIA is terminated on 2019-11-25"* ]]
	"$L" --home kor2 item import to-kor.lsn
	LIAISON_NOW=2019-12-01 run "$L" --home kor2 item get "$ID" --by kim --purpose warning -o k.txt
	[ "$status" -eq 0 ]
	LIAISON_NOW=2019-12-01 run "$L" --home kor2 access check --person kim --item "$ID" --action read --purpose warning
	[[ "$output" == *"ended on 2019-11-23; items received before stay readable"* ]]
}

@test "an incoming level is marked with the first of the receiver's levels in its row: KOR II as 極秘, or as 特定秘密" {
	"$L" --home jpn person add goku --party JPN --name "Goku" --role analyst \
		--clearance GOKUHI --from 2015-04-01 --ntk MISSILE-WARNING >/dev/null
	echo "a report from Seoul" >kr.txt
	kid=$("$L" --home kor item share kr.txt --by kim --level II --title "From Seoul" \
		--releasable JPN --ntk MISSILE-WARNING --purpose warning 2>/dev/null)
	"$L" --home kor item release "$kid" --to JPN --by park -o to-jpn.lsn >/dev/null
	cp -r jpn jpn2
	# the example lists GOKUHI first: marked 極秘, and a 極秘 clearance reads it
	run "$L" --home jpn item import to-jpn.lsn
	[ "$status" -eq 0 ]
	[[ "$output" == *"KOR II, marked JPN GOKUHI here"* ]]
	run "$L" --home jpn --json access check --person goku --item "$kid" --action read --purpose warning
	[ "$status" -eq 0 ]
	# an agreement that lists TOKUTEI first marks it 特定秘密 (as Kyodo expected in 2016),
	# which needs a clearance of its own
	# (a copy of JPN's node from before the import: the same keys)
	jq '.agreements[0].equivalence[0].JPN = ["TOKUTEI", "GOKUHI"]' cfg.json >tokutei-first.json
	"$L" --home jpn2 config apply tokutei-first.json >/dev/null
	run "$L" --home jpn2 item import to-jpn.lsn
	[ "$status" -eq 0 ]
	[[ "$output" == *"KOR II, marked JPN TOKUTEI here"* ]]
	run "$L" --home jpn2 --json access check --person goku --item "$kid" --action read --purpose warning
	[ "$status" -eq 3 ]
	echo "$output" | jq -e '[.rules[] | select(.id == "R-CLEARANCE")][0].detail | contains("needs a clearance of its own")'
	run "$L" --home jpn2 --json access check --person sato --item "$kid" --action read --purpose warning
	[ "$status" -eq 0 ]
}

@test "- is standard input and output: share from a pipe, get and release to stdout, import and config from stdin" {
	echo "launch at 06:00" >report.txt
	id=$(cat report.txt | "$L" --home jpn item share - --by sato --level GOKUHI --title T \
		--releasable KOR --ntk MISSILE-WARNING --purpose warning 2>/dev/null)
	[[ "$id" =~ ^JPN-[0-9a-f]{24}$ ]]
	# the payload alone on stdout; the answer on stderr (text or JSON)
	"$L" --home jpn item get "$id" --by sato --purpose warning -o - >out.txt 2>err.txt
	cmp report.txt out.txt
	grep -q "$(wc -c <report.txt) bytes in -" err.txt
	"$L" --home jpn --json item get "$id" --by sato --purpose warning -o - >out.txt 2>err.json
	cmp report.txt out.txt
	[ "$(jq -r .bytes err.json)" = "$(wc -c <report.txt)" ]
	# an envelope to stdout, imported from a pipe; stored as checked
	"$L" --home jpn item release "$id" --to KOR --by sato -o - >rel.lsn 2>/dev/null
	cat rel.lsn | "$L" --home kor item import - >/dev/null 2>&1
	[ "$(sqlite3 kor/node.db "SELECT count(*) FROM items WHERE id = '$id'")" -eq 1 ]
	blob=$(sqlite3 kor/node.db "SELECT blob FROM items WHERE id = '$id'")
	cmp rel.lsn "kor/blobs/$blob.lsn"
	"$L" --home kor item get "$id" --by kim --purpose warning -o - 2>/dev/null | cmp - report.txt
	# standard input where it stands: what is checked is what is stored
	id2=$("$L" --home jpn item share report.txt --by sato --level GOKUHI --title T2 \
		--releasable KOR --ntk MISSILE-WARNING --purpose warning 2>/dev/null)
	"$L" --home jpn item release "$id2" --to KOR --by sato -o rel2.lsn >/dev/null 2>&1
	{ printf XXXXXXXXXX; cat rel2.lsn; } >shifted.lsn
	{ head -c 10 >/dev/null; "$L" --home kor item import - >/dev/null 2>&1; } <shifted.lsn
	blob=$(sqlite3 kor/node.db "SELECT blob FROM items WHERE id = '$id2'")
	cmp rel2.lsn "kor/blobs/$blob.lsn"
	# a configuration, a key and a checkpoint through - too
	"$L" --home usa config check - <cfg.json | grep -q "valid"
	"$L" --home usa party key JPN - <jpn/keys/JPN.pub >/dev/null
	[ "$(sqlite3 usa/node.db "SELECT count(*) FROM party_keys WHERE party = 'JPN'")" -eq 1 ]
	"$L" --home jpn log checkpoint -o - >cp.txt 2>/dev/null
	[ "$(head -1 cp.txt)" = "liaison/JPN" ]
	"$L" --home kor log witness cp.txt >/dev/null
	# a missing file and a missing stdin are named as such
	run "$L" --home jpn item share nothing.txt --by sato --level GOKUHI --title T
	[ "$status" -eq 1 ]
	[[ "$output" == *"nothing.txt: cannot open"* ]]
}
