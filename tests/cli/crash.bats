#!/usr/bin/env bats
# Crash consistency: JPN's daemon is killed with SIGKILL at a random moment
# while a client shares, releases (through the outbox) and imports, over
# and over (CRASH_RUNS, default 25; run it with CRASH_RUNS=300 for more).
# After each crash: every acknowledged act is there and its item opens,
# every item and message stored is whole, the log verifies; at the end the
# restarted daemon delivers every release that was acknowledged.
load helpers

setup() {
	two_nodes
	PIDS=()
}

teardown() {
	for p in "${PIDS[@]}"; do kill -9 "$p" 2>/dev/null || true; done
}

@test "SIGKILL at random moments during shares, releases and imports: nothing acknowledged lost, nothing half stored" {
	runs=${CRASH_RUNS:-25}
	daemon kor
	PIDS+=("$DAEMON_PID")
	KOR_URL=$DAEMON_URL
	"$L" --home kor peer add JPN --url http://127.0.0.1:1
	"$L" --home jpn peer add KOR --url "$KOR_URL"
	SATO=$("$L" --home jpn person token sato 2>/dev/null)
	SUZUKI=$("$L" --home jpn person token suzuki 2>/dev/null) # imports: a security officer
	# envelopes from KOR for JPN to import, one per run
	echo "KOR's report" >kor.txt
	for i in $(seq "$runs"); do
		id=$("$L" --home kor item share kor.txt --by kim --level II --title "KOR $i" \
			--releasable JPN --ntk MISSILE-WARNING --purpose warning 2>/dev/null)
		"$L" --home kor item release "$id" --to JPN --by park -o "in-$i.lsn" 2>/dev/null
	done
	head -c 200000 /dev/urandom >payload.bin
	: >acked.txt
	port=
	for run in $(seq "$runs"); do
		seen=$(wc -l <acked.txt)
		last=$(sqlite3 jpn/node.db 'SELECT coalesce(max(rowid), 0) FROM items')
		DAEMON_LISTEN=127.0.0.1:${port:-0} daemon jpn --retry-max 1
		PIDS+=("$DAEMON_PID")
		port=${DAEMON_URL##*:}
		# the client: acts in a row, each written down once acknowledged
		(
			for k in 1 2 3 4 5 6; do
				code=$(curl -s -o share.json -w '%{http_code}' -H "Authorization: Bearer $SATO" \
					--data-binary @payload.bin \
					"$DAEMON_URL/v1/items?level=GOKUHI&title=R$run-$k&releasable=KOR&ntk=MISSILE-WARNING&purpose=warning")
				[ "$code" = 201 ] || exit 0
				id=$(jq -r .id share.json)
				echo "share $id" >>acked.txt
				code=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $SATO" \
					-d '{"to": "KOR", "send": true}' "$DAEMON_URL/v1/items/$id/release")
				[ "$code" = 202 ] || exit 0
				echo "release $id" >>acked.txt
			done
		) &
		client=$!
		code=$(curl -s -o imp.json -w '%{http_code}' -H "Authorization: Bearer $SUZUKI" \
			--data-binary @"in-$run.lsn" "$DAEMON_URL/v1/items/import")
		[ "$code" = 201 ] && echo "import $(jq -r .id imp.json)" >>acked.txt
		sleep "0.$(printf '%03d' $((RANDOM % 400)))"
		kill -9 "$DAEMON_PID"
		wait "$DAEMON_PID" 2>/dev/null || true
		wait "$client" 2>/dev/null || true
		# every act acknowledged in this run is there: items, and releases in the outbox
		tail -n +$((seen + 1)) acked.txt >run.txt
		while read -r act id; do
			table=items col=id
			[ "$act" = release ] && table=outbox col=ref
			[ "$(sqlite3 jpn/node.db "SELECT count(*) FROM $table WHERE $col = '$id'")" = 1 ] ||
				{ echo "run $run: acknowledged $act $id is not there"; false; }
		done <run.txt
		# nothing half there: every item stored in this run opens (the acknowledged
		# ones among them), every queued message has its envelope
		for id in $(sqlite3 jpn/node.db "SELECT id FROM items WHERE rowid > $last"); do
			"$L" --home jpn item get "$id" --by sato --purpose warning -o got.bin --force >/dev/null 2>&1 ||
				{ echo "run $run: stored item $id does not open"; false; }
		done
		for m in $(sqlite3 jpn/node.db "SELECT id FROM outbox WHERE state = 0"); do
			[ -s "jpn/outbox/$m" ] || { echo "run $run: queued message $m has no envelope"; false; }
		done
		"$L" --home jpn log verify >/dev/null
	done
	# the outbox resumes: every acknowledged release arrives, once
	DAEMON_LISTEN=127.0.0.1:$port daemon jpn --retry-max 1
	PIDS+=("$DAEMON_PID")
	released=$(grep -c '^release' acked.txt)
	for _ in $(seq 300); do
		[ "$(sqlite3 jpn/node.db 'SELECT count(*) FROM outbox WHERE state = 0')" = 0 ] && break
		sleep 0.1
	done
	[ "$(sqlite3 jpn/node.db 'SELECT count(*) FROM outbox WHERE state = 0')" = 0 ]
	[ "$(sqlite3 jpn/node.db 'SELECT count(*) FROM outbox WHERE state = 2')" = 0 ]
	[ "$(sqlite3 kor/node.db 'SELECT count(*) FROM inbox')" -ge "$released" ]
	[ "$(sqlite3 kor/node.db 'SELECT count(*) FROM inbox')" = "$(sqlite3 jpn/node.db 'SELECT count(*) FROM outbox')" ]
	[ "$(sqlite3 kor/node.db "SELECT count(*) FROM items WHERE foreign_item = 1")" = "$(sqlite3 kor/node.db 'SELECT count(*) FROM inbox')" ]
	"$L" --home jpn log verify >/dev/null
	"$L" --home kor log verify >/dev/null
	[ "$(grep -c '^import' acked.txt)" -gt 0 ]
	echo "# $runs crashes; $(grep -c '^share' acked.txt) shares, $released releases, $(grep -c '^import' acked.txt) imports acknowledged" >&3
}
