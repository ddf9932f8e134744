#!/usr/bin/env bats
# liaison item reproduce / translate / destroy / report-compromise.
load helpers

setup() {
	export LIAISON_HOME="$BATS_TEST_TMPDIR/node"
	export LIAISON_PASSPHRASE="test passphrase"
	export LIAISON_NOW=2019-09-01
	echo "launch at 06:00" >"$BATS_TEST_TMPDIR/report.txt"
	example_node
	ID=$("$L" item share "$BATS_TEST_TMPDIR/report.txt" --by sato --level GOKUHI \
		--title "Missile launch" --releasable KOR --ntk MISSILE-WARNING --purpose warning 2>/dev/null)
}

@test "reproduce makes a new item with the original's markings and a caveat naming it" {
	run "$L" item reproduce "$ID" --by sato --purpose warning
	[ "$status" -eq 0 ]
	copy=$(echo "$output" | tail -1)
	[ "$copy" != "$ID" ]
	run "$L" --json item show "$copy"
	[ "$(echo "$output" | jq -r .label.level)" = GOKUHI ]
	[ "$(echo "$output" | jq -r .label.ntk)" = MISSILE-WARNING ]
	[ "$(echo "$output" | jq -r '.label.caveats[0]')" = "copy-of:$ID" ]
	"$L" item get "$copy" --by sato --purpose warning -o "$BATS_TEST_TMPDIR/copy.txt"
	cmp "$BATS_TEST_TMPDIR/report.txt" "$BATS_TEST_TMPDIR/copy.txt"
	# the copy inherits every restriction: suzuki, without the group, still cannot
	run "$L" item get "$copy" --by suzuki --purpose warning -o "$BATS_TEST_TMPDIR/x"
	[ "$status" -eq 3 ]
	# an item whose label is full of caveats: no copy that does not say it is one
	full=$("$L" item share "$BATS_TEST_TMPDIR/report.txt" --by sato --level GOKUHI --title Full \
		$(for i in $(seq 16); do echo --caveat "C$i"; done) 2>/dev/null)
	before=$(rows items)
	run "$L" item reproduce "$full" --by sato
	[ "$status" -ne 0 ]
	[[ "$output" == *"item $full carries 16 caveats, the most a label holds: a copy has no room for its copy-of caveat; not copied"* ]]
	[ "$(rows items)" -eq "$before" ]
}

@test "translate stores the translation under the original's markings" {
	echo "午前6時に発射" >"$BATS_TEST_TMPDIR/ja.txt"
	run "$L" item translate "$ID" --by sato --file "$BATS_TEST_TMPDIR/ja.txt" --purpose warning
	[ "$status" -eq 0 ]
	tr=$(echo "$output" | tail -1)
	run "$L" --json item show "$tr"
	[ "$(echo "$output" | jq -r '.label.caveats[0]')" = "translation-of:$ID" ]
	"$L" item get "$tr" --by sato --purpose warning -o "$BATS_TEST_TMPDIR/out.txt"
	cmp "$BATS_TEST_TMPDIR/ja.txt" "$BATS_TEST_TMPDIR/out.txt"
	run "$L" item translate "$ID" --by sato --purpose warning
	[ "$status" -eq 2 ]
}

@test "destroy is for security officers; it erases the payload and keeps the record" {
	run "$L" item destroy "$ID" --by sato
	[ "$status" -eq 3 ]
	[[ "$output" == *"NO R-ROLE"*"destroy needs the role security-officer"* ]]
	blob=$(sqlite3 "$LIAISON_HOME/node.db" "SELECT blob FROM items")
	[ -f "$LIAISON_HOME/blobs/$blob.lsn" ]
	run "$L" item destroy "$ID" --by suzuki
	[ "$status" -eq 0 ]
	[ ! -e "$LIAISON_HOME/blobs/$blob.lsn" ]
	[ "$(sqlite3 "$LIAISON_HOME/node.db" "SELECT destroyed_on FROM items")" = 2019-09-01 ]
	run "$L" item get "$ID" --by sato --purpose warning -o "$BATS_TEST_TMPDIR/x"
	[ "$status" -eq 1 ]
	[[ "$output" == *"was destroyed on 2019-09-01"* ]]
}

@test "report-compromise writes a report signed by the node" {
	run "$L" item report-compromise "$ID" --by suzuki --details "laptop lost" -o "$BATS_TEST_TMPDIR/rep.json"
	[ "$status" -eq 0 ]
	[ "$(jq -r .compromise_report.details "$BATS_TEST_TMPDIR/rep.json")" = "laptop lost" ]
	[ "$(jq -r .compromise_report.originator "$BATS_TEST_TMPDIR/rep.json")" = JPN ]
	[ "$(jq -r .signature "$BATS_TEST_TMPDIR/rep.json" | base64 -d | wc -c)" -eq 64 ]
	run "$L" item report-compromise "$ID" --by sato --details x -o "$BATS_TEST_TMPDIR/r2.json"
	[ "$status" -eq 3 ]
	[ ! -e "$BATS_TEST_TMPDIR/r2.json" ]
}

@test "downgrade: the originator lowers the level; the envelope follows; others may not" {
	run "$L" item downgrade "$ID" --by sato --level HI
	[ "$status" -eq 0 ]
	[[ "$output" == *"item $ID is now HI"* ]]
	run "$L" --json item show "$ID"
	[ "$(echo "$output" | jq -r '.label.level + .marking.level')" = HIHI ]
	# the stored envelope carries the new label
	blob=$(sqlite3 "$LIAISON_HOME/node.db" "SELECT blob FROM items")
	run "$L" --json inspect --verify "$LIAISON_HOME/keys/JPN.pub" "$LIAISON_HOME/blobs/$blob.lsn"
	[ "$(echo "$output" | jq -r .label.level)" = HI ]
	[ "$(ls "$LIAISON_HOME/blobs" | wc -l)" -eq 1 ]
	"$L" item get "$ID" --by sato --purpose warning -o "$BATS_TEST_TMPDIR/out.txt"
	cmp "$BATS_TEST_TMPDIR/report.txt" "$BATS_TEST_TMPDIR/out.txt"
	run "$L" item downgrade "$ID" --by sato --level GOKUHI
	[ "$status" -eq 1 ]
	[[ "$output" == *"GOKUHI is not below HI"* ]]
	run "$L" item downgrade "$ID" --by suzuki --level HI
	[ "$status" -eq 3 ]
	[[ "$output" == *"NO R-ROLE"* ]]
}

@test "an act whose item is destroyed while it reseals is not done: decided again under the lock, nothing left" {
	db=$LIAISON_HOME/node.db
	blobs() { find "$LIAISON_HOME/blobs" -type f | wc -l; }
	mkdir "$BATS_TEST_TMPDIR/kor" && "$L" keygen --party KOR --out "$BATS_TEST_TMPDIR/kor" >/dev/null
	"$L" party key KOR "$BATS_TEST_TMPDIR/kor/KOR.pub" >/dev/null
	for act in "reproduce --purpose warning" "downgrade --level HI" \
		"release --to KOR -o $BATS_TEST_TMPDIR/out.lsn"; do
		id=$("$L" item share "$BATS_TEST_TMPDIR/report.txt" --by sato --level GOKUHI \
			--title "Missile launch" --releasable KOR --ntk MISSILE-WARNING --purpose warning 2>/dev/null)
		items=$(sqlite3 "$db" "SELECT count(*) FROM items")
		before=$(blobs)
		entries=$("$L" log entries | wc -l)
		# another writer destroys it, holding the lock a while
		hold_lock "$db" "UPDATE items SET destroyed_on = '2019-09-01' WHERE id = '$id';"
		# the decision is made on the item as it was (then logged, once the lock is freed)
		run "$L" item $act "$id" --by sato
		echo "$act: $output"
		[ "$status" -ne 0 ]
		[[ "$output" == *"item $id was destroyed on 2019-09-01"* ]]
		# no copy, no new label, no release, no file, no blob made for it
		[ "$(sqlite3 "$db" "SELECT count(*) FROM items")" = "$items" ]
		[ "$(sqlite3 "$db" "SELECT level FROM items WHERE id = '$id'")" = GOKUHI ]
		[ "$(sqlite3 "$db" "SELECT count(*) FROM releases WHERE item = '$id'")" = 0 ]
		[ ! -e "$BATS_TEST_TMPDIR/out.lsn" ]
		[ "$(blobs)" = "$before" ]
		# the log: the decision it made first, and nothing done
		[ "$("$L" log entries | tail -n +$((entries + 1)) | jq -r .kind | xargs)" = decision ]
	done
	# sato's clearance ended while a copy was resealed: the DENY logged after the PERMIT
	entries=$("$L" log entries | wc -l)
	hold_lock "$db" "UPDATE clearances SET valid_to = '2019-08-31' WHERE person = 'sato';"
	run "$L" item reproduce "$ID" --by sato --purpose warning
	[ "$status" -eq 3 ]
	[[ "$output" == *"DENY: sato may not reproduce item $ID"*"R-CLEARANCE"* ]]
	[ "$("$L" log entries | tail -n +$((entries + 1)) | jq -r '.kind + " " + (.decision.decision // "")' | xargs)" = \
		"decision PERMIT decision DENY" ]
	[ "$(sqlite3 "$db" "SELECT count(*) FROM items")" = "$items" ]
}
