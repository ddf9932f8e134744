#!/usr/bin/env bats
# A full disk, injected without root: the file size limit (ulimit -f, with
# SIGXFSZ ignored, so a write past it fails with EFBIG as on a full disk);
# and, where mounting is allowed (root), a whole small filesystem (tmpfs)
# filled up (ENOSPC). Every act that cannot write says so, stores nothing,
# and leaves a store that verifies; once there is room again the same act
# works.
load helpers

setup() {
	two_nodes
	head -c 2000000 /dev/urandom >big.bin
	PID=
}

teardown() {
	[ -z "$PID" ] || kill -9 "$PID" 2>/dev/null || true
	! mountpoint -q "$BATS_TEST_TMPDIR/fs" || umount -l "$BATS_TEST_TMPDIR/fs"
}

# limited KB CMD...: CMD with writes capped at KB kilobytes per file
limited() {
	local kb=$1
	shift
	(
		trap '' XFSZ
		ulimit -f "$kb"
		"$@"
	)
}

state() { # what a failed act must leave as it was
	echo "$(sqlite3 jpn/node.db 'SELECT count(*) FROM items') $(ls jpn/blobs 2>/dev/null | wc -l)" \
		"$("$L" --home jpn --json log entries | jq '.entries | length')"
}

@test "a payload that does not fit: a clear error, nothing stored, the store still whole" {
	before=$(state)
	run limited 512 "$L" --home jpn item share big.bin --by sato --level GOKUHI --title Big \
		--releasable KOR --ntk MISSILE-WARNING --purpose warning
	[ "$status" -eq 1 ]
	[[ "$output" == *"File too large"* ]]
	[ "$(state)" = "$before" ]
	[ -z "$(ls jpn/blobs | grep -v '\.lsn$')" ] # no temporary file left behind
	"$L" --home jpn log verify >/dev/null
	[ "$(sqlite3 jpn/node.db 'PRAGMA integrity_check')" = ok ]
	# room again: the same act works
	"$L" --home jpn item share big.bin --by sato --level GOKUHI --title Big \
		--releasable KOR --ntk MISSILE-WARNING --purpose warning >/dev/null 2>&1
	[ "$(sqlite3 jpn/node.db 'SELECT count(*) FROM items')" = 1 ]
}

@test "the store itself full: acts fail cleanly at any point of their write, nothing half done" {
	echo "a short report" >small.txt
	# limits from 4 KiB up: the write-ahead log of an act is cut at each
	# point in turn (the database file only grows when it is checkpointed)
	failed=0 done=0
	for kb in $(seq 4 4 160); do
		before=$(state)
		if limited "$kb" "$L" --home jpn item share small.txt --by sato --level GOKUHI \
			--title "at $kb" --releasable KOR --ntk MISSILE-WARNING --purpose warning \
			>out.txt 2>&1; then
			done=$((done + 1))
		else
			failed=$((failed + 1))
			grep -qiE "store|disk|full|large|I/O" out.txt || { cat out.txt; false; }
			[ "$(state)" = "$before" ] || { echo "a failed act at $kb KiB left a trace"; false; }
		fi
	done
	[ "$failed" -ge 1 ] && [ "$done" -ge 1 ]
	echo "# $failed acts refused, $done stored" >&3
	"$L" --home jpn log verify >/dev/null
	[ "$(sqlite3 jpn/node.db 'PRAGMA integrity_check')" = ok ]
	# every item stored opens
	for id in $(sqlite3 jpn/node.db 'SELECT id FROM items'); do
		"$L" --home jpn item get "$id" --by sato --purpose warning -o got.txt --force >/dev/null 2>&1
		cmp got.txt small.txt
	done
	"$L" --home jpn item share small.txt --by sato --level GOKUHI --title after \
		--releasable KOR --ntk MISSILE-WARNING --purpose warning >/dev/null 2>&1
}

@test "the daemon with a full disk: an upload is answered 507, nothing stored, the next one works" {
	SATO=$("$L" --home jpn person token sato 2>/dev/null)
	(
		trap '' XFSZ
		ulimit -f 512
		exec "$L" --home jpn serve --listen 127.0.0.1:0 2>jpn.log
	) &
	PID=$!
	for _ in $(seq 200); do grep -q "node on http" jpn.log 2>/dev/null && break; sleep 0.05; done
	url=http://127.0.0.1:$(sed -n 's/.*127\.0\.0\.1:\([0-9]*\).*/\1/p' jpn.log | head -1)
	before=$(state)
	code=$(curl -s -o out.json -w '%{http_code}' -H "Authorization: Bearer $SATO" --data-binary @big.bin \
		"$url/v1/items?level=GOKUHI&title=Big&releasable=KOR&ntk=MISSILE-WARNING&purpose=warning" || true)
	[ "$code" = 507 ]
	[[ "$(jq -r .error.message out.json)" == *"could not be written"*"File too large"* ]]
	[ "$(state)" = "$before" ]
	head -c 100000 /dev/urandom >small.bin
	code=$(curl -s -o out.json -w '%{http_code}' -H "Authorization: Bearer $SATO" --data-binary @small.bin \
		"$url/v1/items?level=GOKUHI&title=Small&releasable=KOR&ntk=MISSILE-WARNING&purpose=warning")
	[ "$code" = 201 ]
	kill -TERM "$PID"
	wait "$PID" || true
	PID=
	"$L" --home jpn log verify >/dev/null
}

@test "a whole filesystem full (tmpfs): acts refused cleanly, acknowledged ones kept, room again works" {
	mkdir fs
	mount -t tmpfs -o size=4m,mode=0700 tmpfs fs 2>/dev/null ||
		skip "mounting a tmpfs needs root with CAP_SYS_ADMIN"
	cp -a jpn fs/jpn
	H=fs/jpn
	SATO=$("$L" --home $H person token sato 2>/dev/null)
	fstate() {
		echo "$(sqlite3 $H/node.db 'SELECT count(*) FROM items') $(ls $H/blobs 2>/dev/null | wc -l)" \
			"$("$L" --home $H --json log entries | jq '.entries | length')"
	}
	head -c 300000 /dev/urandom >part.bin
	acked=() refused=0
	for i in $(seq 40); do
		before=$(fstate)
		if id=$("$L" --home $H item share part.bin --by sato --level GOKUHI --title "part $i" \
			--releasable KOR --ntk MISSILE-WARNING --purpose warning 2>err.txt); then
			acked+=("$id")
		else
			refused=$((refused + 1))
			grep -qiE "no space|full" err.txt || { cat err.txt; false; }
			[ "$(fstate)" = "$before" ] || { echo "a refused act left a trace"; false; }
			[ "$refused" -lt 3 ] || break
		fi
	done
	echo "# ${#acked[@]} shares acknowledged, then $refused refused: $(df -k fs | awk 'NR == 2 { print $4 }') KiB free" >&3
	[ "${#acked[@]}" -ge 3 ] && [ "$refused" -ge 1 ]
	[ -z "$(ls $H/blobs | grep -v '\.lsn$')" ] # no temporary file left behind
	[ "$(sqlite3 $H/node.db 'PRAGMA integrity_check')" = ok ]
	"$L" --home $H log verify >/dev/null
	# the daemon on the full disk: an upload that cannot be written is 507
	"$L" --home $H serve --listen 127.0.0.1:0 2>serve.log &
	PID=$!
	for _ in $(seq 200); do grep -q "node on http" serve.log 2>/dev/null && break; sleep 0.05; done
	url=http://127.0.0.1:$(sed -n 's/.*127\.0\.0\.1:\([0-9]*\).*/\1/p' serve.log | head -1)
	before=$(fstate)
	code=$(curl -s -o out.json -w '%{http_code}' -H "Authorization: Bearer $SATO" \
		--data-binary @part.bin \
		"$url/v1/items?level=GOKUHI&title=Big&releasable=KOR&ntk=MISSILE-WARNING&purpose=warning" || true)
	[ "$code" = 507 ] || { echo "upload on a full disk: $code"; cat out.json; false; }
	[[ "$(jq -r .error.message out.json)" == *"No space left"* ]]
	[ "$(fstate)" = "$before" ]
	kill -TERM "$PID"
	wait "$PID" || true
	PID=
	# every acknowledged item is there and opens
	for id in "${acked[@]}"; do
		"$L" --home $H item get "$id" --by sato --purpose warning -o got.bin --force >/dev/null 2>&1
		cmp got.bin part.bin
	done
	# room again: the same act works
	mount -o remount,size=16m fs
	"$L" --home $H item share part.bin --by sato --level GOKUHI --title after \
		--releasable KOR --ntk MISSILE-WARNING --purpose warning >/dev/null 2>&1
	[ "$(sqlite3 $H/node.db 'SELECT count(*) FROM items')" = $((${#acked[@]} + 1)) ]
	"$L" --home $H log verify >/dev/null
}
