#!/usr/bin/env bats
# The transparency log: every act is an entry, stored with the act or not at
# all; checkpoints, proofs, verify, witness; an outside program agrees.
load helpers

setup() {
	two_nodes
	echo "launch at 06:00" >report.txt
	ID=$("$L" --home jpn item share report.txt --by sato --level GOKUHI --title "Launch" \
		--releasable KOR --ntk MISSILE-WARNING --purpose warning 2>/dev/null)
}

kinds() { "$L" --home "$1" log entries 2>/dev/null | jq -r .kind | paste -sd' '; }

@test "every act of the node is an entry, in order, with its facts" {
	third_party jpn kor # a consent names a party both know
	"$L" --home jpn item get "$ID" --by sato --purpose warning -o got.txt 2>/dev/null
	"$L" --home jpn access check --person suzuki --item "$ID" --action read >/dev/null || true
	"$L" --home jpn item release "$ID" --to KOR --by sato -o to-kor.lsn 2>/dev/null
	"$L" --home jpn item release "$ID" --to KOR --by suzuki -o no.lsn 2>/dev/null || true
	"$L" --home jpn consent grant "$ID" --to USA --by sato --holder KOR -o consent.json 2>/dev/null
	COPY=$("$L" --home jpn item reproduce "$ID" --by sato --purpose warning 2>/dev/null)
	"$L" --home jpn item downgrade "$COPY" --by sato --level HI 2>/dev/null
	"$L" --home jpn item report-compromise "$COPY" --by suzuki --details "laptop lost" -o rep.json 2>/dev/null
	"$L" --home jpn item destroy "$COPY" --by suzuki 2>/dev/null
	"$L" --home jpn person add tanaka --party JPN --name Tanaka --role analyst >/dev/null 2>&1
	"$L" --home jpn export licence add IL-X --entry HF --to KOR --valid-from 2019-09-01 \
		--valid-to 2019-12-31 >/dev/null 2>&1
	LIAISON_NOW=2019-11-22 "$L" --home jpn agreement event JPN-KOR-GSOMIA notice-suspended \
		--date 2019-11-22 --by KOR >/dev/null 2>&1 || true
	# (the refused agreement event is no act: the file already holds the suspension)
	run kinds jpn
	[ "$output" = "node-init config-apply party-key item-share config-apply party-key decision decision item-release decision consent-grant decision item-reproduce decision item-downgrade decision compromise-report decision item-destroy person-put export-licence" ]
	# the DENY of suzuki's release is there with its rules
	output=$("$L" --home jpn log entries 2>/dev/null)
	echo "$output" | jq -s -e 'any(.[]; .kind == "decision" and .decision.action == "release" and .decision.decision == "DENY" and .decision.person == "suzuki" and (.decision.rules | length > 0))'
	echo "$output" | jq -s -e 'any(.[]; .kind == "item-release" and .item == "'"$ID"'" and .to == "KOR" and .by == "sato")'
	# the compromise details stay out of the log
	[[ "$output" != *"laptop lost"* ]]
	# each entry's seq is its index; every entry says the clock was set
	[ "$(echo "$output" | jq -s '[.[].seq] == [range(length)]')" = true ]
	[ "$(echo "$output" | jq -s 'all(.clock == "LIAISON_NOW")')" = true ]
	# KOR's import is in KOR's log
	"$L" --home kor item import to-kor.lsn >/dev/null 2>&1
	[ "$("$L" --home kor log entries | jq -r 'select(.kind == "item-import") | .sender')" = JPN ]
	"$L" --home kor consent import consent.json >/dev/null 2>&1
	[ "$("$L" --home kor log entries | jq -r 'select(.kind == "consent-import") | .to')" = USA ]
}

@test "an act and its entry are stored together or not at all" {
	before=$("$L" --home jpn log entries | wc -l)
	sqlite3 jpn/node.db "CREATE TRIGGER full BEFORE INSERT ON log_entries BEGIN SELECT RAISE(ABORT, 'no room'); END"
	run "$L" --home jpn person add tanaka --party JPN --name Tanaka --role analyst
	[ "$status" -eq 1 ]
	[[ "$output" == *"log"*"no room"* ]]
	run "$L" --home jpn person show tanaka
	[ "$status" -eq 1 ]
	run "$L" --home jpn item share report.txt --by sato --level GOKUHI --title "Again"
	[ "$status" -eq 1 ]
	[ "$(sqlite3 jpn/node.db 'SELECT count(*) FROM items')" = 1 ]
	run "$L" --home jpn item release "$ID" --to KOR --by sato -o out.lsn
	[ "$status" -ne 0 ]
	[ ! -e out.lsn ]
	[ "$(sqlite3 jpn/node.db 'SELECT count(*) FROM releases')" = 0 ]
	run "$L" --home jpn config apply "$EXAMPLE"
	[ "$status" -eq 1 ]
	sqlite3 jpn/node.db "DROP TRIGGER full"
	[ "$("$L" --home jpn log entries | wc -l)" = "$before" ]
	"$L" --home jpn log verify
}

@test "an outside program recomputes the root and checks a proof against the checkpoint" {
	"$L" --home jpn item get "$ID" --by sato --purpose warning -o got.txt 2>/dev/null
	"$L" --home jpn log checkpoint -o cp.txt
	"$L" --home jpn --json log entries >entries.json
	size=$(sed -n 2p cp.txt)
	[ "$size" = "$(jq '.entries | length' entries.json)" ]
	"$L" --home jpn --json log prove --index 3 >proof.json
	run python3 "$BATS_TEST_DIRNAME/../tools/logcheck.py" entries.json cp.txt jpn/keys/JPN.pub proof.json
	[ "$status" -eq 0 ]
	[[ "$output" == *"entry 3 is in the tree of $size entries"* ]]
	# another node's key does not sign it
	run python3 "$BATS_TEST_DIRNAME/../tools/logcheck.py" entries.json cp.txt kor/keys/KOR.pub
	[ "$status" -eq 1 ]
	# a changed entry no longer gives the root
	jq '.entries[3].data |= (@base64d | sub("sato"; "kato") | @base64)' entries.json >forged.json
	! cmp -s entries.json forged.json || false
	run python3 "$BATS_TEST_DIRNAME/../tools/logcheck.py" forged.json cp.txt jpn/keys/JPN.pub
	[ "$status" -eq 1 ]
	[[ "$output" == *"do not give the checkpoint's root"* ]]
}

@test "log verify finds a tampered entry, and a rewritten tree under a checkpoint" {
	"$L" --home jpn log checkpoint >/dev/null
	run "$L" --home jpn log verify
	[ "$status" -eq 0 ]
	[[ "$output" == *"latest checkpoint kept (size 4) is signed by liaison/JPN and matches the tree"* ]]
	[[ "$output" == *"Checked only against this node's own records"*"liaison log verify --checkpoint FILE"* ]]
	cp jpn/node.db saved.db
	sqlite3 jpn/node.db "UPDATE log_entries SET data = CAST(replace(CAST(data AS TEXT), 'sato', 'kato') AS BLOB) WHERE idx = 3"
	run "$L" --home jpn log verify
	[ "$status" -eq 1 ]
	[[ "$output" == *"log entry 3 does not match the tree"* ]]
	# rewrite the entry and every hash consistently: the checkpoint still catches it
	cp saved.db jpn/node.db
	sqlite3 jpn/node.db "DELETE FROM log_entries WHERE idx = 3; DELETE FROM log_hashes WHERE (level = 0 AND idx = 3) OR (level = 1 AND idx = 1) OR (level = 2 AND idx = 0)"
	LIAISON_NOW=2019-09-02 "$L" --home jpn person add kato --party JPN --name Kato --role analyst >/dev/null
	run "$L" --home jpn log verify
	[ "$status" -eq 1 ]
	[[ "$output" == *"no longer has the root of the latest checkpoint kept at size 4: it was rewritten"* ]]
}

@test "proofs and entries: ranges and bad numbers are usage errors" {
	run "$L" --home jpn log prove --index 9
	[ "$status" -eq 2 ]
	[[ "$output" == *"index 9 is not in a tree of 4 entries"* ]]
	run "$L" --home jpn log prove --index 1 --size 99
	[[ "$output" == *"the log has 4 entries, not 99"* ]]
	run "$L" --home jpn log prove --index -1
	[ "$status" -eq 2 ]
	run "$L" --home jpn log consistency --from 5 --to 3
	[ "$status" -ne 0 ]
	run "$L" --home jpn log entries --from 2 --to 9
	[ "$status" -eq 2 ]
	[ "$("$L" --home jpn log entries --from 1 --to 3 2>/dev/null | jq -c -s '[.[].seq]')" = "[1,2]" ]
	run "$L" --home jpn --json log consistency --from 2 --to 4
	[ "$(echo "$output" | jq '.proof | length')" -ge 1 ]
}

@test "witness: a peer's checkpoints are checked, kept, and an inconsistent one raises the alarm" {
	"$L" --home jpn log checkpoint -o cp4.txt
	run "$L" --home kor log witness cp4.txt
	[ "$status" -eq 0 ]
	[[ "$output" == *"liaison/JPN at size 4: signature ok, the first seen of it; kept"* ]]
	"$L" --home jpn item get "$ID" --by sato --purpose warning -o got.txt 2>/dev/null
	"$L" --home jpn log checkpoint -o cp5.txt
	run "$L" --home kor log witness cp5.txt
	[ "$status" -eq 1 ]
	[[ "$output" == *"consistency proof from 4 to 5 is needed"* ]]
	# an empty one proves nothing either way: still needed, no alarm
	echo '{"proof": []}' >empty.json
	run "$L" --home kor log witness cp5.txt --proof empty.json
	[ "$status" -eq 1 ]
	[[ "$output" == *"consistency proof from 4 to 5 is needed"* ]]
	[ "$("$L" --home kor log entries | grep -c checkpoint-alarm)" -eq 0 ]
	"$L" --home jpn --json log consistency --from 4 >proof.json
	run "$L" --home kor log witness cp5.txt --proof proof.json
	[ "$status" -eq 0 ]
	[[ "$output" == *"consistent with size 4 seen before"* ]]
	[ "$("$L" --home kor log entries | jq -r 'select(.kind == "checkpoint-witnessed") | .size' | paste -sd' ')" = "4 5" ]
	# a forged checkpoint: another root under JPN's name
	sed '3s/.*/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=/' cp5.txt >forged.txt
	run "$L" --home kor log witness forged.txt
	[ "$status" -eq 1 ]
	[[ "$output" == *"signature of liaison/JPN does not verify"* ]]
	# JPN rewrites its log (a fresh node with the same keys): two trees of one size
	mv jpn jpn-old
	mkdir jpn && cp -r jpn-old/keys jpn/
	"$L" --home jpn2 init --replay --party JPN >/dev/null
	cp jpn2/node.db jpn/node.db
	"$L" --home jpn config apply "$EXAMPLE" >/dev/null
	"$L" --home jpn person add a --party JPN --name A --role analyst >/dev/null
	"$L" --home jpn log checkpoint -o rewritten3.txt
	"$L" --home jpn person add b --party JPN --name B --role analyst >/dev/null
	"$L" --home jpn person add c --party JPN --name C --role analyst >/dev/null
	"$L" --home jpn log checkpoint -o rewritten.txt
	[ "$(sed -n 2p rewritten.txt)" = 5 ]
	run "$L" --home kor log witness rewritten.txt
	[ "$status" -eq 1 ]
	[[ "$output" == *"ALARM: liaison/JPN signed two different trees of 5 entries"* ]]
	# an older checkpoint again is nothing new; a smaller tree never seen, a shrink
	run "$L" --home kor log witness cp4.txt
	[ "$status" -eq 1 ]
	[[ "$output" == *"liaison/JPN's tree of 4 entries was witnessed here before (the latest is of 5): nothing new"* ]]
	[ "$(sed -n 2p rewritten3.txt)" = 3 ]
	run "$L" --home kor log witness rewritten3.txt
	[ "$status" -eq 1 ]
	[[ "$output" == *"ALARM"*"never shrinks"* ]]
	# a checkpoint of a party whose key is not known
	"$L" --home usa init --replay --party USA >/dev/null
	"$L" --home usa log checkpoint -o usa.txt
	run "$L" --home kor log witness usa.txt
	[ "$status" -eq 1 ]
	[[ "$output" == *"USA"* ]]
}

@test "a recorded agreement event is an entry with its number" {
	"$L" --home ev init --replay --party JPN >/dev/null
	"$L" --home ev config apply "$(early_config)" >/dev/null
	LIAISON_NOW=2019-08-23 "$L" --home ev agreement event "$G" notice --date 2019-08-23 --by KOR >/dev/null
	run "$L" --home ev log entries
	[ "$(echo "$output" | grep agreement-event | jq -r '.agreement + " " + .event.kind + " " + .event.by + " " + (.event.number|tostring)')" = \
		"$G notice KOR 3" ]
}
