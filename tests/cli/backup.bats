#!/usr/bin/env bats
# liaison store backup and restore: a consistent copy while a daemon serves
# and writes, which restores into a node that verifies and opens its items.
load helpers

setup() {
	export LIAISON_PASSPHRASE="test passphrase"
	export LIAISON_NOW=2019-09-01
	unset LIAISON_HOME
	cd "$BATS_TEST_TMPDIR"
	"$L" --home jpn init --replay --party JPN >/dev/null
	"$L" --home jpn config apply "$EXAMPLE" >/dev/null
	echo "launch at 06:00" >report.txt
	PIDS=()
}

teardown() {
	for p in "${PIDS[@]}"; do kill -9 "$p" 2>/dev/null || true; done
}

@test "a backup while the daemon serves and writes: consistent, restorable, every item in it opens" {
	ID=$("$L" --home jpn item share report.txt --by sato --level GOKUHI --title First \
		--releasable KOR --ntk MISSILE-WARNING --purpose warning 2>/dev/null)
	SATO=$("$L" --home jpn person token sato 2>/dev/null)
	up jpn
	share_through "$JPN_URL" "$SATO" 30 &
	writer=$!
	sleep 0.3
	run "$L" --home jpn --json store backup bk
	[ "$status" -eq 0 ]
	wait "$writer"
	entries=$(jq .entries <<<"$output")
	blobs=$(jq .blobs <<<"$output")
	[ "$blobs" -ge 1 ]
	[ "$(stat -c %a bk)" = 700 ]
	[ -f bk/backup.json ] && [ ! -e bk.partial ]
	[ "$(stat -c %a bk/node.db)" = 600 ]
	# the copy holds a moment of the node: each item it names has its payload
	n=$(sqlite3 bk/node.db "SELECT count(*) FROM items")
	[ "$n" -ge 1 ] && [ "$n" -le 31 ]
	[ "$(sqlite3 bk/node.db "SELECT count(*) FROM log_entries")" -eq "$entries" ]
	for b in $(sqlite3 bk/node.db "SELECT blob FROM items"); do [ -f "bk/blobs/$b.lsn" ]; done
	# nothing of a payload in plaintext
	! grep -rq "launch at 06:00" bk || false
	# restored into a new folder: the log verifies, an item opens with the node's passphrase
	run "$L" --home jpn2 --json store restore bk
	[ "$status" -eq 0 ]
	[ "$(jq .entries <<<"$output")" -eq "$entries" ]
	[ ! -e jpn2.partial ]
	"$L" --home jpn2 log verify >/dev/null
	"$L" --home jpn2 item get "$ID" --by sato --purpose warning -o - 2>/dev/null | cmp - report.txt
	[ "$(sqlite3 jpn2/node.db "SELECT count(*) FROM items")" -eq "$n" ]
}

@test "backup and restore refuse what they cannot do, naming it, and change nothing" {
	mkdir taken
	run "$L" --home jpn store backup taken
	[ "$status" -eq 1 ]
	[[ "$output" == *"taken: it exists (a backup goes into a new folder)"* ]]
	[ -z "$(ls taken)" ]
	run "$L" --home jpn2 store restore nowhere
	[ "$status" -eq 1 ]
	[[ "$output" == *"nowhere: not a backup made by liaison store backup (no backup.json)"* ]]
	[ ! -e jpn2 ]
	# a node's own folder is not a backup (a live store is not copied as files)
	run "$L" --home jpn2 store restore jpn
	[ "$status" -eq 1 ]
	[[ "$output" == *"a node's own folder is not one"* ]]
	# a destination SQLite would read as a URI is only a name here
	run "$L" --home jpn store backup 'file:zz?vfs=unix-none&x='
	[ "$status" -eq 0 ]
	[ ! -e zz ]
	# one that did not finish (killed) left its .partial folder: named, with what to do
	mkdir half.partial
	run "$L" --home jpn store backup half
	[ "$status" -eq 1 ]
	[[ "$output" == *"half.partial: it exists: a backup that did not finish"*"remove it, then back up again"* ]]
	[ ! -e half ]
	[ "$(stat -c %a 'file:zz?vfs=unix-none&x=/node.db')" = 600 ]
	"$L" --home jpn item share report.txt --by sato --level GOKUHI --title Kept \
		--releasable KOR --ntk MISSILE-WARNING --purpose warning >/dev/null 2>&1
	"$L" --home jpn store backup bk >/dev/null
	run "$L" --home jpn store restore bk
	[ "$status" -eq 1 ]
	[[ "$output" == *"jpn: File exists (a node is restored into a new folder)"* ]]
	# a link, even one to nothing, and written with a slash, is there too
	ln -s nowhere dang
	run "$L" --home dang/ store restore bk
	[ "$status" -eq 1 ]
	[[ "$output" == *"dang/: File exists (a node is restored into a new folder)"* ]]
	[ ! -e nowhere ] && [ ! -e dang.partial ]
	# a backup that lost a blob: not restored as whole
	cp -r bk bk-lost
	blob=$(find bk-lost/blobs -type f | head -1)
	[ -n "$blob" ]
	rm "$blob"
	run "$L" --home jpn4 store restore bk-lost
	[ "$status" -ne 0 ]
	[[ "$output" == *"the backup lacks 1 payload(s) its store names (blobs/$(basename "$blob") first): not whole"* ]]
	[ ! -e jpn4 ] && [ ! -e jpn4.partial ]
	# a backup whose folder is a link: refused, never the linked folder's files
	cp -r bk bk-link
	mkdir elsewhere && echo secret >elsewhere/secret.txt
	rm -rf bk-link/reports && ln -s "$PWD/elsewhere" bk-link/reports
	run "$L" --home jpn6 store restore bk-link
	[ "$status" -ne 0 ]
	[[ "$output" == *"bk-link/reports: a link or not a folder (refused: its files are not copied)"* ]]
	[ ! -e jpn6 ] && [ ! -e jpn6.partial ]
	# a file in one that is a link is left out
	rm bk-link/reports && mkdir bk-link/reports
	ln -s "$PWD/elsewhere/secret.txt" bk-link/reports/planted.json
	"$L" --home jpn6 store restore bk-link >/dev/null
	[ -d jpn6/reports ] && [ ! -e jpn6/reports/planted.json ]
	# a store that is a pipe (or a device) is refused, never read without end
	cp -r bk bk-fifo
	rm bk-fifo/node.db && mkfifo bk-fifo/node.db
	run timeout 20 "$L" --home jpn7 store restore bk-fifo
	[ "$status" -eq 1 ]
	[[ "$output" == *"bk-fifo/node.db: not a regular file (refused)"* ]]
	[ ! -e jpn7 ] && [ ! -e jpn7.partial ]
	# a damaged backup: its log does not verify, and the restore says so
	sqlite3 bk/node.db "UPDATE log_entries SET data = CAST(replace(CAST(data AS TEXT), 'JPN', 'KOR') AS BLOB) WHERE idx = 1"
	run "$L" --home jpn3 store restore bk
	[ "$status" -ne 0 ]
	[[ "$output" == *"the backup's log"* ]]
	[ ! -e jpn3 ] && [ ! -e jpn3.partial ] # nothing half restored
	# one that did not finish (killed) left its .partial folder: named, with what to do
	mkdir jpn5.partial
	run "$L" --home jpn5/ store restore bk-lost
	[ "$status" -eq 1 ]
	[[ "$output" == *"jpn5.partial: it exists: a restore that did not finish"*"remove it, then restore again"* ]]
	[ ! -e jpn5 ] && [ -z "$(ls jpn5.partial)" ]
	run "$L" --home jpn store --help
	[[ "$output" == *"liaison store backup DEST"* && "$output" == *"liaison store restore SRC"* ]]
}

@test "a backup that meets a destroy or a delivery while it runs fails whole, leaving nothing" {
	ID=$("$L" --home jpn item share report.txt --by sato --level GOKUHI --title Gone \
		--releasable KOR --ntk MISSILE-WARNING --purpose warning 2>/dev/null)
	# the payload gone after the store's copy: as a destroy between the two
	blob=$(sqlite3 jpn/node.db "SELECT blob FROM items WHERE id = '$ID'")
	mv "jpn/blobs/$blob.lsn" away.lsn
	run "$L" --home jpn store backup bk
	mv away.lsn "jpn/blobs/$blob.lsn"
	[ "$status" -ne 0 ]
	[[ "$output" == *"went while the backup ran"*"run it again"* ]]
	[ ! -e bk ] && [ ! -e bk.partial ]
	"$L" --home jpn store backup bk >/dev/null
	[ -f bk/backup.json ]
}

@test "a restore only reads its backup: an older release's is brought up to date in the copy, its write-ahead log replayed there" {
	"$L" --home jpn item share report.txt --by sato --level GOKUHI --title Kept \
		--releasable KOR --ntk MISSILE-WARNING --purpose warning >/dev/null 2>&1
	"$L" --home jpn store backup bk >/dev/null
	now=$(sqlite3 bk/node.db "PRAGMA user_version")
	# as a release of schema 19 made it (20 gave reports their message)
	sqlite3 bk/node.db "ALTER TABLE reports DROP COLUMN message; PRAGMA user_version=19"
	# and opened as a node since, killed with a commit still in its
	# write-ahead log only
	mkfifo feed
	sqlite3 bk/node.db <feed >fed &
	writer=$!
	exec 8>feed
	echo "PRAGMA wal_autocheckpoint=0; CREATE TABLE walled(x); INSERT INTO walled VALUES (7); SELECT 'committed';" >&8
	for _ in $(seq 100); do
		grep -q committed fed && break
		sleep 0.05
	done
	kill -9 "$writer"
	exec 8>&-
	[ -s bk/node.db-wal ]
	rm -f bk/node.db-shm
	sums=$(find bk -type f | sort | xargs sha256sum)
	run "$L" --home jpn2 store restore bk
	[ "$status" -eq 0 ] || { echo "$output"; false; }
	# the backup as it was, byte for byte, file for file
	[ "$(find bk -type f | sort | xargs sha256sum)" = "$sums" ]
	[ "$(sqlite3 jpn2/node.db "PRAGMA user_version")" -eq "$now" ]
	[ "$(sqlite3 jpn2/node.db "SELECT x FROM walled")" -eq 7 ]
	"$L" --home jpn2 log verify >/dev/null
	[ "$(sqlite3 jpn2/node.db "SELECT count(*) FROM items")" -eq 1 ]
}
