#!/usr/bin/env bats
# A hostile peer and a hostile network: each attack of the issue "A hostile
# peer and a hostile network", tried against real daemons, as a test named
# after it (docs/security.md).
load helpers

setup() {
	two_nodes
	echo "2019-08-24 06:45 KST: two short-range missiles launched eastward" >report.txt
	PIDS=()
}

teardown() {
	for p in "${PIDS[@]}"; do kill -9 "$p" 2>/dev/null || true; done
	# a test that failed: what its daemons said (their standard error)
	if [ -z "${BATS_TEST_COMPLETED:-}" ]; then
		for f in "$BATS_TEST_TMPDIR"/*.log; do
			[ -s "$f" ] && { echo "# ${f##*/}:" && tail -n 20 "$f"; }
		done
	fi
	api_check
}

# truncate HOME K: cuts the node's log to its first K entries, with every
# hash and checkpoint of its own that would tell (an insider's rewrite)
truncate_log() {
	# one transaction, waiting for the daemon's write lock (it may be writing)
	sqlite3 -cmd ".timeout 10000" "$1/node.db" "BEGIN IMMEDIATE;
		DELETE FROM log_entries WHERE idx >= $2;
		DELETE FROM log_hashes WHERE ((idx + 1) << level) > $2;
		DELETE FROM log_witnessed WHERE origin = 'liaison/${1^^}'; COMMIT;"
}

api() { # TOKEN METHOD URL [CURL ARGS...]: the status; the answer in ans.json
	local token=$1 method=$2 url=$3
	shift 3
	local code
	code=$(curl -s -o ans.json -w '%{http_code}' -X "$method" -H "Authorization: Bearer $token" \
		"$@" "$url")
	api_record "$method" "/${url#http*://*/}" "$code" ans.json
	echo "$code"
}

@test "anyone can fill the disk: a forged peer request is refused before its body is read" {
	up kor
	"$L" --home kor peer add JPN --url http://127.0.0.1:1 >/dev/null
	head -c $((48 << 20)) /dev/zero >big.bin
	# JPN's name, a signature that is not JPN's, 48 MiB sent slowly
	curl -s -o ans.json -w '%{http_code}' --limit-rate 2M -X POST \
		-H "Liaison-From: JPN" -H "Liaison-To: KOR" -H "Liaison-Time: $(date +%s)" \
		-H "Liaison-Nonce: AAAAAAAAAAAAAAAAAAAAAA" -H "Liaison-Message: 0123456789abcdef0123456789abcdef" \
		-H "Liaison-Kind: item" -H "Liaison-Ref: x" -H "Liaison-Digest: AAAA" \
		-H "Liaison-Length: $((48 << 20))" -H "Liaison-Signature: $(head -c 64 /dev/zero | base64 -w0)" \
		-H 'Content-Type: application/octet-stream' --data-binary @big.bin \
		"$KOR_URL/v1/peer/messages" >code.txt &
	client=$!
	sleep 1
	# while the bytes come, none of them is on the disk
	[ -z "$(find kor/tmp -type f 2>/dev/null)" ]
	wait "$client" || true
	[ "$(cat code.txt)" = 401 ]
	[[ "$(jq -r .error.message ans.json)" == *"bad signature"* ]]
	# the access log: no byte of it taken
	grep '"path":"/v1/peer/messages"' kor.log | jq -e '.status == 401 and .bytes_in == 0'
	[ "$(sqlite3 kor/node.db 'SELECT count(*) FROM peer_nonces')" = 0 ]
}

@test "a peer speaks for another party: an item it says JPN made, or one not releasable to JPN, is refused; nothing stored" {
	# KOR's node runs software of its own: its envelopes say what it likes
	kor_seals() { # LABEL OUT: sealed by KOR for JPN
		echo "$1" >label.json
		"$TOOLS/forge" envelope kor/keys/KOR.key jpn/keys/JPN.pub label.json <report.txt >"$2"
	}
	kor_seals '{"item":"planted-1","originator":"JPN","level":"GOKUHI","title":"JPN own, forged","releasable_to":["KOR"],"ntk":"MISSILE-WARNING"}' own.lsn
	kor_seals '{"item":"notforyou-1","originator":"KOR","level":"II","title":"for USA alone","releasable_to":["USA"]}' usa.lsn
	kor_seals '{"item":"fine-1","originator":"KOR","level":"II","title":"for JPN","releasable_to":["JPN"]}' fine.lsn
	entries=$("$L" --home jpn log entries | wc -l)
	# an item of JPN's own is made on JPN's node, never received: with it,
	# JPN's originators would downgrade what KOR wrote, and consent for it
	run "$L" --home jpn item import own.lsn
	[ "$status" -eq 1 ]
	[[ "$output" == *"R-RECEIVED: item planted-1 says JPN made it: an item of JPN's own is never received from KOR"* ]]
	# one not releasable to JPN: KOR's release of it would have been denied
	run "$L" --home jpn item import usa.lsn
	[ "$status" -eq 1 ]
	[[ "$output" == *"R-RELEASABLE: item notforyou-1 is not releasable to JPN"* ]]
	[ "$(sqlite3 jpn/node.db "SELECT count(*) FROM items WHERE id IN ('planted-1', 'notforyou-1')")" -eq 0 ]
	[ "$("$L" --home jpn log entries | wc -l)" -eq "$entries" ]
	# KOR's key replaced (declared compromised) while the envelope was checked:
	# not stored, nor its blob kept
	blobs=$(find jpn/blobs -type f | wc -l)
	hold_lock jpn/node.db "UPDATE party_keys SET ed25519 = zeroblob(32) WHERE party = 'KOR';"
	run "$L" --home jpn item import fine.lsn
	[ "$status" -ne 0 ]
	[[ "$output" == *"KOR's key that signed it was replaced while it was checked: nothing stored"* ]]
	[ "$(sqlite3 jpn/node.db "SELECT count(*) FROM items WHERE id = 'fine-1'")" -eq 0 ]
	[ "$(find jpn/blobs -type f | wc -l)" -eq "$blobs" ]
	"$L" --home jpn party key KOR kor/keys/KOR.pub --replace >/dev/null # back
	# the same tool's honest envelope is received
	"$L" --home jpn item import fine.lsn
	[ "$(sqlite3 jpn/node.db "SELECT originator || ' ' || sender FROM items WHERE id = 'fine-1'")" = "KOR KOR" ]
}

@test "a receipt says duplicate only for the same envelope again: not for another item under an old message's ref, nor other content" {
	up jpn
	"$L" --home jpn peer add KOR --url http://127.0.0.1:9 >/dev/null
	ID=$("$L" --home jpn item share report.txt --by sato --level GOKUHI --title Launch \
		--releasable KOR --ntk MISSILE-WARNING --purpose warning 2>/dev/null)
	post() { # m.lsn with m.headers to JPN's daemon; the status in $code
		peer_post m.headers m.lsn "$JPN_URL/v1/peer/messages"
	}
	send() { # LABEL REF: KOR's envelope under LABEL, sent as a message naming REF
		echo "$1" >label.json
		"$TOOLS/forge" envelope kor/keys/KOR.key jpn/keys/JPN.pub label.json <report.txt >m.lsn
		"$TOOLS/forge" peer kor/keys/KOR.key JPN item "$2" m.lsn >m.headers
		post
	}
	send '{"item":"kor-a","originator":"KOR","level":"II","title":"A","releasable_to":["JPN"]}' kor-a
	[ "$code" = 200 ]
	[ "$(jq -r .receipt.result ans.json)" = stored ]
	cp m.lsn first.lsn
	# JPN's own item's id, under the ref of KOR's earlier item: before, JPN
	# signed a receipt calling it a duplicate of kor-a; the id names JPN
	send '{"item":"'"$ID"'","originator":"KOR","level":"II","title":"B","releasable_to":["JPN"]}' kor-a
	[ "$code" = 409 ]
	[[ "$(jq -r .error.message ans.json)" == *"R-RECEIVED: item $ID names JPN, but its label says KOR made it"* ]]
	[ "$(sqlite3 -cmd ".timeout 5000" jpn/node.db "SELECT count(*) FROM inbox")" -eq 1 ]
	# kor-a's first envelope again, as a new message (its inbox row as if
	# lost): the same bytes from its sender, a duplicate, acknowledged
	cp first.lsn m.lsn
	"$TOOLS/forge" peer kor/keys/KOR.key JPN item kor-a m.lsn >m.headers
	post
	[ "$code" = 200 ]
	[ "$(jq -r .receipt.result ans.json)" = duplicate ]
	# a new envelope of kor-a, the same label over other content, or a
	# changed label: not what was stored, never a receipt
	echo "other content" >report.txt
	send '{"item":"kor-a","originator":"KOR","level":"II","title":"A","releasable_to":["JPN"]}' kor-a
	[ "$code" = 409 ]
	send '{"item":"kor-a","originator":"KOR","level":"III","title":"A, lower","releasable_to":["JPN"]}' kor-a
	[ "$code" = 409 ]
	[ "$(sqlite3 -cmd ".timeout 5000" jpn/node.db "SELECT count(*) FROM inbox")" -eq 2 ]
	# a message whose ref is not what it carries: refused (JPN would sign a
	# receipt for kor-b naming a delivery of some-other-ref)
	send '{"item":"kor-b","originator":"KOR","level":"II","title":"B","releasable_to":["JPN"]}' some-other-ref
	[ "$code" = 400 ]
	[[ "$(jq -r .error.message ans.json)" == *"names some-other-ref, not the item it carries (kor-b)"* ]]
	[ "$(jq -r .receipt.result ans.json)" = refused ]
	[ "$(sqlite3 -cmd ".timeout 5000" jpn/node.db "SELECT count(*) FROM items WHERE id = 'kor-b'")" -eq 0 ]
	# a message taken, delivered again as another kind or ref: not a duplicate
	msg=$(sqlite3 -cmd ".timeout 5000" jpn/node.db "SELECT id FROM inbox WHERE ref = 'kor-a' LIMIT 1")
	cp first.lsn m.lsn
	for kr in "consent kor-a" "item JPN-secret-item-that-never-came"; do
		FORGE_MSG=$msg "$TOOLS/forge" peer kor/keys/KOR.key JPN $kr m.lsn >m.headers
		post
		[ "$code" = 409 ]
		[[ "$(jq -r .error.message ans.json)" == *"message $msg was received before with other content"* ]]
	done
	FORGE_MSG=$msg "$TOOLS/forge" peer kor/keys/KOR.key JPN item kor-a m.lsn >m.headers
	post
	[ "$code" = 200 ]
	[ "$(jq -r .receipt.result ans.json)" = duplicate ]
	[ "$(sqlite3 -cmd ".timeout 5000" jpn/node.db "SELECT count(*) FROM inbox")" -eq 2 ]
	# a body cut on the way (its Content-Length no longer the length signed):
	# refused, but not signed, so that the sender tries again
	"$TOOLS/forge" peer kor/keys/KOR.key JPN item kor-b first.lsn >m.headers
	head -c 100 first.lsn >m.lsn
	post
	[ "$code" = 400 ]
	[ "$(jq 'has("receipt")' ans.json)" = false ]
}

@test "slow connections take the daemon down: 1100 that trickle are cut, and /healthz answers meanwhile" {
	up kor --header-timeout 3
	port=${KOR_URL##*:}
	# 1100 connections from ten addresses, a header byte a second, never ending
	python3 "$BATS_TEST_DIRNAME/../tools/slow_clients.py" "$port" 1100 10 1 8 >slow.json &
	attack=$!
	sleep 3
	# from another address, the daemon answers at once
	for _ in 1 2 3; do
		code=$(curl -s -m 1 -o health.json -w '%{http_code}' "$KOR_URL/healthz")
		[ "$code" = 200 ]
		jq -e '.ok == true' health.json
		sleep 1
	done
	wait "$attack"
	cat slow.json
	# every one was opened, then cut by the daemon within the header budget
	jq -e '.opened == 1100 and .closed == 1100 and .longest < 6' slow.json
	kill -TERM "$KOR_PID"
	wait "$KOR_PID" || true
	grep -q '1100 connections cut for being too slow' kor.log
	# libmicrohttpd's messages about them are held to a few lines
	[ "$(grep -c '^liaison serve: Connection' kor.log)" -lt 60 ]
}

@test "slow connections: 1100 from one address are held to --max-per-address, and others are answered" {
	up kor --header-timeout 3
	port=${KOR_URL##*:}
	python3 "$BATS_TEST_DIRNAME/../tools/slow_clients.py" "$port" 1100 1 1 7 >slow.json &
	attack=$!
	sleep 2
	code=$(curl -s -m 1 -o /dev/null -w '%{http_code}' "$KOR_URL/healthz")
	[ "$code" = 200 ]
	wait "$attack"
	cat slow.json
	# beyond 128 from the address, closed as they came; the 128, cut by the deadline
	jq -e '.opened == 1100 and .closed == 1100' slow.json
	kill -TERM "$KOR_PID"
	wait "$KOR_PID" || true
	grep -q '128 connections cut for being too slow' kor.log
}

@test "slow connections: an upload's body must keep to --min-rate, however it trickles" {
	token=$("$L" --home jpn person token sato 2>/dev/null) # an originator: may share
	up jpn --header-timeout 2 --min-rate 1000
	port=${JPN_URL##*:}
	# a byte every half second: far below 1000 bytes a second
	python3 "$BATS_TEST_DIRNAME/../tools/slow_clients.py" "$port" 5 1 0.5 6 body "$token" >slow.json
	cat slow.json
	jq -e '.closed == 5 and .longest < 4' slow.json
	# they were taken as uploads (not refused), then cut; nothing of them kept
	kill -TERM "$JPN_PID"
	wait "$JPN_PID" || true
	grep '"path":"/v1/items"' jpn.log | jq -s -e 'length == 5 and
		all(.person == "sato" and .status == 0 and .ended == "cut: too slow")'
	[ -z "$(find jpn/tmp -type f 2>/dev/null)" ]
	[ "$(sqlite3 jpn/node.db 'SELECT count(*) FROM items')" = 0 ]
}

@test "witnessing can be laundered: a checkpoint is checked from the last one kept, never from one the caller names" {
	"$L" --home kor peer add JPN --url http://127.0.0.1:1 >/dev/null
	"$L" --home kor person add reg --party KOR --name Registrar --role registrar >/dev/null
	REG=$("$L" --home kor person token reg 2>/dev/null)
	KIM=$("$L" --home kor person token kim 2>/dev/null)
	# JPN's log forks: the real one, and a rewrite of its last act
	cp -r jpn fork
	"$L" --home jpn person add kato --party JPN --name Kato --role analyst >/dev/null
	"$L" --home fork person add kato --party JPN --name Kato --role originator >/dev/null
	"$L" --home jpn log checkpoint -o real.txt
	"$L" --home fork log checkpoint -o fork1.txt
	"$L" --home fork person add endo --party JPN --name Endo --role analyst >/dev/null
	"$L" --home fork log checkpoint -o fork2.txt
	n1=$(sed -n 2p fork1.txt)
	"$L" --home fork --json log consistency --from "$n1" >proof.json
	# KOR has witnessed the real log
	"$L" --home kor log witness real.txt
	up kor
	body() { # CHECKPOINT-FILE [PREVIOUS-FILE]
		if [ -n "${2:-}" ]; then
			jq -n --rawfile cp "$1" --slurpfile p proof.json --rawfile prev "$2" \
				'{checkpoint: $cp, previous: $prev, proof: $p[0].proof}'
		else
			jq -n --rawfile cp "$1" --slurpfile p proof.json '{checkpoint: $cp, proof: $p[0].proof}'
		fi
	}
	# an analyst may not witness at all
	[ "$(api "$KIM" POST "$KOR_URL/v1/log/witness" --data-binary "$(body fork2.txt)")" = 403 ]
	# the laundering: the rewrite, "consistent" with a previous of its own
	code=$(api "$REG" POST "$KOR_URL/v1/log/witness" --data-binary "$(body fork2.txt fork1.txt)")
	[ "$code" = 400 ]
	[[ "$(jq -r .error.message ans.json)" == *previous* ]]
	# without it, it is checked from the real one kept: refused, but by hand
	# a proof that fails proves nothing of JPN (whoever gave it may have
	# made it): no alarm
	code=$(api "$REG" POST "$KOR_URL/v1/log/witness" --data-binary "$(body fork2.txt)")
	[ "$code" = 400 ]
	[[ "$(jq -r .error.message ans.json)" == *"liaison/JPN"*"not an extension"*"(refused; no alarm raised: by hand"* ]]
	[ "$(curl -s -o /dev/null -w '%{http_code}' "$KOR_URL/readyz")" = 200 ]
	# the real log goes on, and is witnessed one larger
	"$L" --home jpn person add ono --party JPN --name Ono --role analyst >/dev/null
	"$L" --home jpn log checkpoint -o real2.txt
	"$L" --home jpn --json log consistency --from "$n1" >proof2.json
	code=$(api "$REG" POST "$KOR_URL/v1/log/witness" --data-binary \
		"$(jq -n --rawfile cp real2.txt --slurpfile p proof2.json '{checkpoint: $cp, proof: $p[0].proof}')")
	[ "$code" = 200 ]
	# the rewrite's own checkpoint of a size kept here, older than the
	# latest: two roots JPN signed for one size, the alarm
	code=$(api "$REG" POST "$KOR_URL/v1/log/witness" --data-binary "$(body fork1.txt)")
	[ "$code" = 400 ]
	[[ "$(jq -r .error.message ans.json)" == *"ALARM: liaison/JPN signed two different trees of $n1 entries"* ]]
	# still ready: /readyz, anyone's, says nothing of it; an auditor reads it
	curl -s "$KOR_URL/readyz" | jq -e '.ok and (has("alarms") | not)'
	! curl -s "$KOR_URL/readyz" | grep -q ALARM
	"$L" --home kor person add au --party KOR --name Au --role auditor >/dev/null
	AU=$("$L" --home kor person token au 2>/dev/null)
	[ "$(api "$AU" GET "$KOR_URL/v1/log/alarms")" = 200 ]
	jq -e '(.alarms | length) == 1 and .alarms[0].party == "JPN" and (.alarms[0].alarm | contains("signed two different trees"))' ans.json
	[ "$(api "$REG" GET "$KOR_URL/v1/log/alarms")" = 403 ]
	run env LIAISON_URL="$KOR_URL" LIAISON_TOKEN="$AU" "$L" log alarms
	[ "$status" -eq 1 ]
	[[ "$output" == "JPN: ALARM: liaison/JPN signed two different trees of $n1 entries"* ]]
	down kor
	# the real one is still the one kept, and the alarm is logged
	[ "$(sqlite3 kor/node.db "SELECT max(size) FROM log_witnessed WHERE origin = 'liaison/JPN'")" = "$(sed -n 2p real2.txt)" ]
	"$L" --home kor --json log entries | jq -e -s '[.[].entries[].data | @base64d | fromjson | select(.kind == "checkpoint-alarm")] | length == 1'
	run "$L" --home kor log witness fork2.txt --previous fork1.txt
	[ "$status" -eq 2 ]
	# cleared by a security officer: no alarm, exit 0
	"$L" --home kor peer clear-alarm JPN >/dev/null
	run "$L" --home kor log alarms
	[ "$status" -eq 0 ]
	[[ "$output" == *"no peer's log raised an alarm" ]]
	[[ "$output" != *ALARM* ]]
}

@test "log verify passes a rewritten, truncated log: it says it has nothing to check against, and --checkpoint catches it" {
	"$L" --home jpn log checkpoint -o saved.txt
	n=$(sed -n 2p saved.txt)
	truncate_log jpn $((n - 2))
	# what is left is self-consistent, and log verify says what that is worth
	run "$L" --home jpn log verify
	[ "$status" -eq 0 ]
	[[ "$output" == *"log verified: $((n - 2)) entries"* ]]
	[[ "$output" == *"Nothing to check the log against (no checkpoint kept)"* ]]
	"$L" --home jpn --json log verify | jq -e '.ok and .checkpoint == null and .given == null'
	# against a checkpoint kept elsewhere: cut short
	run "$L" --home jpn log verify --checkpoint saved.txt
	[ "$status" -eq 1 ]
	[[ "$output" == *"the checkpoint given is of $n entries; the log has $((n - 2)): it was cut short"* ]]
	# a checkpoint of another node's log is not one of this log
	"$L" --home kor log checkpoint -o kor.txt
	run "$L" --home jpn log verify --checkpoint kor.txt
	[ "$status" -ne 0 ]
	[[ "$output" == *"the checkpoint given: checkpoint: not signed by liaison/JPN's key"* ]]
	# through the daemon, as an auditor
	up jpn
	MORI=$("$L" --home jpn person token mori 2>/dev/null)
	code=$(api "$MORI" GET "$JPN_URL/v1/log/verify" -G --data-urlencode "checkpoint@saved.txt")
	[ "$code" = 200 ]
	jq -e '.ok == false and (.problem | contains("cut short"))' ans.json
}

@test "log verify: a checkpoint kept elsewhere that the log still holds" {
	"$L" --home jpn log checkpoint -o saved.txt
	"$L" --home jpn person add kato --party JPN --name Kato --role analyst >/dev/null
	run "$L" --home jpn log verify --checkpoint saved.txt
	[ "$status" -eq 0 ]
	[[ "$output" == *"the checkpoint given (size $(sed -n 2p saved.txt)) is signed by liaison/JPN and matches the tree"* ]]
	"$L" --home jpn --json log verify --checkpoint saved.txt | jq -e --argjson n "$(sed -n 2p saved.txt)" '.ok and .given.size == $n'
}

@test "a peer that sees a log shrink: an alarm, not a quiet failure" {
	up kor --witness-every 1
	up jpn --witness-every 1
	"$L" --home jpn peer add KOR --url "$KOR_URL" >/dev/null
	"$L" --home kor peer add JPN --url "$JPN_URL" >/dev/null
	witnessed() {
		"$L" --home kor --json peer status | jq -e '.peers[0].witnessed_size > 0'
	}
	eventually witnessed
	n=$("$L" --home kor --json peer status | jq '.peers[0].witnessed_size')
	truncate_log jpn $((n - 2))
	alarmed() {
		"$L" --home kor --json peer status >st.json
		! jq -e '.peers[0].alarm == null' st.json >/dev/null
	}
	eventually alarmed || true
	"$L" --home kor --json peer status >st.json || true
	jq -e '.peers[0].alarm | contains("ALARM: liaison/JPN signed a tree of") and contains("a log never shrinks")' st.json
	curl -s "$KOR_URL/readyz" | jq -e '.ok' # still ready
	run "$L" --home kor --json log alarms
	[ "$status" -eq 1 ]
	[ "$(echo "$output" | jq -r '.alarms[0].party')" = JPN ]
}

@test "anyone on the path can write a checkpoint of another log: refused as such, no alarm" {
	# not signed by anyone: KOR's key signs liaison/KOR's checkpoints alone,
	# so this says nothing of KOR's node
	printf '{"checkpoint": "liaison/NOBODY\\n1\\n%s\\n\\n", "proof": []}' \
		"$(head -c 32 /dev/zero | base64)" >cp.json
	mkdir cap
	python3 "$BATS_TEST_DIRNAME/../tools/capture_peer.py" cap --checkpoint cp.json >cap.port &
	PIDS+=($!)
	for _ in $(seq 100); do [ -s cap.port ] && break; sleep 0.05; done
	"$L" --home jpn peer add KOR --url "http://127.0.0.1:$(cat cap.port)" >/dev/null
	run "$L" --home jpn peer witness
	[[ "$output" == *"0 witnessed, 0 alarm(s), 1 failed"* ]]
	"$L" --home jpn --json peer status >st.json
	jq -e '.peers[0].alarm == null' st.json
	jq -e '.peers[0].witness_error | contains("a checkpoint of another log (refused; no alarm raised)")' st.json
	[ "$("$L" --home jpn log entries | grep -c checkpoint-alarm)" -eq 0 ]
}

@test "anyone on the path can replay an older checkpoint answer, or change its proof: no alarm without the peer's signature for the request" {
	up jpn
	"$L" --home jpn peer add KOR --url http://127.0.0.1:9 >/dev/null
	ask() { # SINCE OUT: JPN's answer to a witnessing request of KOR's, from SINCE
		printf '{"since": %s}' "$1" >since.json
		"$TOOLS/forge" peer kor/keys/KOR.key JPN checkpoint liaison/JPN since.json >h.txt
		local args=()
		while IFS= read -r h; do args+=(-H "$h"); done <h.txt
		curl -sf -X POST "${args[@]}" -H 'Content-Type: application/octet-stream' \
			--data-binary @since.json "$JPN_URL/v1/peer/checkpoint" >"$2"
	}
	stand=
	stand_in() { # CMD...: KOR's peer JPN is CMD, which prints its port (the one before stopped)
		[ -z "$stand" ] || kill "$stand" 2>/dev/null || true
		rm -rf cap stand.port && mkdir cap
		"$@" >stand.port &
		stand=$!
		PIDS+=("$stand")
		for _ in $(seq 100); do [ -s stand.port ] && break; sleep 0.05; done
		"$L" --home kor peer add JPN --url "http://127.0.0.1:$(cat stand.port)" >/dev/null
	}
	serve() { # FILE: a stand-in answering FILE
		stand_in python3 "$BATS_TEST_DIRNAME/../tools/capture_peer.py" cap --checkpoint "$1"
	}
	no_alarm() { # WHAT [WHY]: the last witnessing failed, said WHAT and WHY, raised nothing
		[[ "$output" == *"0 witnessed, 0 alarm(s), 1 failed"* ]]
		"$L" --home kor --json peer status >st.json
		jq -e '.peers[0].alarm == null' st.json
		jq -e --arg w "$1" --arg why "${2:-answer was not signed for this request}" \
			'.peers[0].witness_error | contains($why) and contains($w) and contains("(no alarm raised")' st.json
		[ "$(curl -s -o /dev/null -w '%{http_code}' "$KOR_URL/readyz")" = 200 ]
	}
	ask 0 old.json
	# the answer is signed for the request's nonce
	[ "$(jq -r .nonce old.json)" = "$(sed -n 's/^Liaison-Nonce: //p' h.txt)" ]
	"$L" --home jpn person add kato --party JPN --name Kato --role analyst >/dev/null
	"$L" --home kor peer add JPN --url "$JPN_URL" >/dev/null
	run "$L" --home kor peer witness
	[[ "$output" == *"1 witnessed"* ]]
	n=$("$L" --home kor --json peer status | jq '.peers[0].witnessed_size')
	[ "$n" -gt "$(jq .size old.json)" ]
	up kor
	# the older answer, replayed: a smaller tree, but not an answer to KOR's request
	serve old.json
	run "$L" --home kor peer witness
	no_alarm "signed a tree of $(jq .size old.json) entries after one of $n"
	# ... even with KOR's nonce and size written in: the signature does not
	# cover them
	jq --argjson n "$n" '.nonce = "@NONCE@" | .since = $n' old.json >nonce.json
	serve nonce.json
	run "$L" --home kor peer witness
	no_alarm "a log never shrinks"
	# another peer of JPN's on the path (the USA) asks JPN itself under the
	# nonce KOR sent, from another size: JPN's answer is signed for the USA
	third_party jpn
	"$L" --home jpn peer add USA --url http://127.0.0.1:9 >/dev/null
	stand_in env FORGE="$TOOLS/forge" python3 "$BATS_TEST_DIRNAME/../tools/relay_peer.py" as \
		"$BATS_TEST_TMPDIR/third-party-keys/USA.key" JPN "$JPN_URL"
	run "$L" --home kor peer witness
	no_alarm "is not an extension of the one of $n"
	# an answer KOR asked for, held on the path while another witnessing
	# kept a larger checkpoint: checked against the one it was asked from
	stand_in python3 "$BATS_TEST_DIRNAME/../tools/relay_peer.py" hold "$JPN_URL" flag
	"$L" --home kor peer witness >held.out 2>&1 &
	held=$!
	for _ in $(seq 200); do [ -e flag.held ] && break; sleep 0.05; done
	[ -e flag.held ]
	"$L" --home jpn person add ono --party JPN --name Ono --role analyst >/dev/null
	run "$L" --home kor peer witness
	[[ "$output" == *"1 witnessed, 0 alarm(s), 0 failed"* ]]
	m=$("$L" --home kor --json peer status | jq '.peers[0].witnessed_size')
	touch flag
	wait "$held" || true
	run cat held.out
	no_alarm "a log never shrinks" "the checkpoint of JPN kept here moved from $n to $m while its answer came"
	n=$m
	# a proof changed on the way
	"$L" --home jpn person add endo --party JPN --name Endo --role analyst >/dev/null
	ask "$n" grown.json
	[ "$(jq '.proof | length' grown.json)" -gt 0 ]
	jq --arg h "$(head -c 32 /dev/zero | base64)" '.proof[0] = $h' grown.json >changed.json
	serve changed.json
	run "$L" --home kor peer witness
	no_alarm "is not an extension of the one of $n"
	# JPN itself signing an answer with no proof (a release that sends
	# none): its tree unproven, a witnessing error, no alarm
	stand_in env FORGE="$TOOLS/forge" python3 "$BATS_TEST_DIRNAME/../tools/relay_peer.py" noproof \
		jpn/keys/JPN.key "$JPN_URL"
	run "$L" --home kor peer witness
	[[ "$output" == *"0 witnessed, 0 alarm(s), 1 failed"* ]]
	"$L" --home kor --json peer status >st.json
	jq -e --arg w "a consistency proof from $n to" '.peers[0].alarm == null and
		(.peers[0].witness_error | contains($w) and contains("is needed"))' st.json
	# the answer as JPN gave it (to another request) is still witnessed: its
	# signed checkpoint and its proof stand on their own
	serve grown.json
	run "$L" --home kor peer witness
	[[ "$output" == *"1 witnessed, 0 alarm(s), 0 failed"* ]]
	[ "$("$L" --home kor log entries | grep -c checkpoint-alarm)" -eq 0 ]
}

@test "anyone on the path can answer 409: an unsigned refusal is tried again, never taken as final" {
	mkdir cap
	python3 "$BATS_TEST_DIRNAME/../tools/capture_peer.py" cap --status 409 >cap.port &
	PIDS+=($!)
	for _ in $(seq 100); do [ -s cap.port ] && break; sleep 0.05; done
	"$L" --home jpn peer add KOR --url "http://127.0.0.1:$(cat cap.port)" >/dev/null
	ID=$("$L" --home jpn item share report.txt --by sato --level GOKUHI --title Launch \
		--releasable KOR --ntk MISSILE-WARNING --purpose warning 2>/dev/null)
	"$L" --home jpn item release "$ID" --to KOR --by sato >/dev/null
	run "$L" --home jpn peer deliver
	[ "$status" -eq 1 ]
	[[ "$output" == *"0 delivered, 0 refused, 1 to retry"* ]]
	m=$("$L" --home jpn --json peer outbox | jq -c '.messages[0]')
	[ "$(echo "$m" | jq -r .state)" = queued ]
	[[ "$(echo "$m" | jq -r .last_error)" == *"R-RECEIVED: not today"*"unsigned, not taken as a refusal: tried again"* ]]
	# and once more: still there to deliver, as it would be to the real KOR
	run "$L" --home jpn peer deliver --all
	[[ "$output" == *"0 delivered, 0 refused, 1 to retry"* ]]
	[ -s cap/1.headers ]
}

# fresh_nodes CONFIG: nodes jn (JPN) and kn (KOR) with CONFIG, each a peer
# of the other through its daemon (JN_URL, KN_URL)
fresh_nodes() {
	for p in jn:JPN kn:KOR; do
		"$L" --home "${p%%:*}" init --replay --party "${p##*:}" >/dev/null
		"$L" --home "${p%%:*}" config apply "$1" >/dev/null
	done
	"$L" --home jn party key KOR kn/keys/KOR.pub >/dev/null
	"$L" --home kn party key JPN jn/keys/JPN.pub >/dev/null
	up jn
	up kn
	"$L" --home jn peer add KOR --url "$KN_URL" >/dev/null
	"$L" --home kn peer add JPN --url "$JN_URL" >/dev/null
}

# delivered HOME N: its outbox's message N is delivered or refused (if
# not, the message on standard error: its attempts and its last error)
delivered() {
	local m
	m=$("$L" --home "$1" --json peer outbox | jq -c ".messages[$2]")
	[ "$(jq -r .state <<<"$m")" != queued ] || { echo "still queued: $m" >&2 && false; }
}

# a delivery the daemon's lane makes: a try that failed (the machine loaded)
# is tried again 1, 2, 4 and 8 s later, so up to 30 s
delivered_soon() { # HOME N
	WITHIN=30 eventually delivered "$@"
}

note_refused() { # PATTERN: kn's first message, once tried, was refused, its error matching PATTERN
	delivered_soon kn 0
	"$L" --home kn --json peer outbox | jq -e '.messages[0].state == "refused"'
	[[ "$("$L" --home kn --json peer outbox | jq -r '.messages[0].last_error')" == $1 ]]
}

@test "a peer's note can be backdated: one dated before the day it comes is refused, and logged" {
	fresh_nodes "$(early_config)"
	before=$("$L" --home jn --json agreement status "$G" | jq -c 'del(.clock)')
	# KOR's registrar enters a notice dated 2016-12-01 on its own node: a late entry
	"$L" --home kn agreement event "$G" notice --date 2016-12-01 --by KOR >/dev/null
	"$L" --home kn --json log entries | jq -e -s '[.[].entries[].data | @base64d | fromjson
		| select(.kind == "agreement-event")] | last | .late == true and .event.date == "2016-12-01"'
	note_refused "*409*dated 2016-12-01, more than 1 day before this node's date (2019-09-01): a note is dated by its delivery*"
	# JPN's node: the agreement as it was (in force, no notice), the refusal on record
	[ "$("$L" --home jn --json agreement status "$G" | jq -c 'del(.clock)')" = "$before" ]
	"$L" --home jn --json agreement status "$G" | jq -e '.state == "in-force"'
	down jn
	"$L" --home jn --json log entries | jq -e -s '[.[].entries[].data | @base64d | fromjson
		| select(.kind == "note-refused")] | length == 1 and (.[0].peer == "KOR") and (.[0].reason | contains("dated by its delivery"))'
}

@test "a peer's note can be backdated: one dated before the agreement's last recorded event is refused" {
	fresh_nodes "$(early_config)"
	# JPN already records KOR's notice of 2019-08-23, withdrawn on 2019-09-01
	"$L" --home jn agreement event "$G" notice --date 2019-08-23 --by KOR >/dev/null
	"$L" --home jn agreement event "$G" notice-withdrawn --date 2019-09-01 --by KOR >/dev/null
	# a note from KOR dated the day before (within a day of JPN's date)
	"$L" --home kn agreement event "$G" notice --date 2019-08-31 --by KOR >/dev/null
	note_refused "*dated 2019-08-31, before the agreement's last recorded event (notice-withdrawn on 2019-09-01)*"
	"$L" --home jn --json agreement status "$G" | jq -e '.state == "in-force" and .notice.status == "withdrawn"'
}

@test "a peer's words in the log show escaped where a terminal would act on them, and read back the same" {
	fresh_nodes "$(early_config)"
	# a note whose words carry a direction override, NEL and a line separator
	printf '{"agreement":"%s","by":"\342\200\256KOR \302\205 forged\342\200\250line","date":"2019-09-01","kind":"notice"}' \
		"$G" >m.json
	"$TOOLS/forge" peer kn/keys/KOR.key JPN note "$G" m.json >m.headers
	peer_post m.headers m.json "$JN_URL/v1/peer/messages"
	[ "$code" = 409 ]
	"$L" --home jn log entries >entries.txt
	grep -q '"kind":"note-refused"' entries.txt
	! grep -q -e $'\u202e' -e $'\u0085' -e $'\u2028' entries.txt || false
	grep -q 'u202eKOR \\u0085 forged\\u2028line' entries.txt
	# the same JSON: a reader gets the peer's words back, byte for byte
	[ "$(jq -r 'select(.kind == "note-refused") | .note' entries.txt)" = "$(cat m.json)" ]
}

@test "a peer cannot fill an agreement's record with notes: 32 events of its party, then no more" {
	# 16 notices by KOR, each withdrawn, in 2017 and 2018: 32 events of KOR's in both records
	jq '.agreements[0].events += [range(16) as $i
		| ("\(2017 + ($i / 12 | floor))-\(if $i % 12 < 9 then "0" else "" end)\($i % 12 + 1)") as $m
		| {"date": ($m + "-01"), "kind": "notice", "by": "KOR"},
		  {"date": ($m + "-02"), "kind": "notice-withdrawn", "by": "KOR"}]' \
		"$(early_config)" >busy.json
	fresh_nodes busy.json
	[ "$("$L" --home jn --json agreement show "$G" | jq '[.events[] | select(.by == "KOR")] | length')" = 32 ]
	"$L" --home kn agreement event "$G" notice --date 2019-09-01 --by KOR >/dev/null
	note_refused "*409*holds 32 events by KOR: more of its notes are not taken*"
	"$L" --home jn --json agreement status "$G" | jq -e '.state == "in-force" and .notice.status == "withdrawn"'
	# its registrar may still record it
	"$L" --home jn agreement event "$G" notice --date 2019-09-01 --by KOR >/dev/null
	"$L" --home jn --json agreement status "$G" | jq -e '.notice.status == "pending"'
}

# jn again with its clock at DATE (a day after kn's), kn's peer pointed at it
jn_on() { # DATE
	down jn
	LIAISON_NOW=$1 up jn
	"$L" --home kn peer remove JPN >/dev/null
	"$L" --home kn peer add JPN --url "$JN_URL" >/dev/null
}

@test "a note dated the day before it comes is not on time for a deadline it missed" {
	# KOR's notice dated 2019-08-24, the last day for it to end the term on
	# 2019-11-23, reaches JPN's node on the 25th: taken then, it would end the
	# pact a year early; dated the 25th it ends it on 2020-11-23
	export LIAISON_NOW=2019-08-24
	fresh_nodes "$(early_config)"
	jn_on 2019-08-25
	"$L" --home kn agreement event "$G" notice --date 2019-08-24 --by KOR >/dev/null
	note_refused "*dated 2019-08-24, a day before it came (2019-08-25), it would leave the agreement in-force-under-notice ending 2019-11-23, not as one of that day*"
	LIAISON_NOW=2019-08-25 "$L" --home jn --json agreement status "$G" | jq -e '.state == "in-force" and .notice == null'
}

@test "a note dated the day before it comes does not bring back an agreement that ended" {
	# JPN's node holds KOR's notice: the pact ends at the start of 2019-11-23.
	# A suspension dated the 22nd reaching it on the 23rd would put the pact
	# back in force on a day the node held it ended (items refused, DENY logged)
	jq '.agreements[0].events |= map(select(.date < "2019-11-01"))' "$EXAMPLE" >noticed.json
	export LIAISON_NOW=2019-11-22
	fresh_nodes noticed.json
	jn_on 2019-11-23
	LIAISON_NOW=2019-11-23 "$L" --home jn --json agreement status "$G" | jq -e '.state == "terminated"'
	"$L" --home kn agreement event "$G" notice-suspended --date 2019-11-22 --by KOR >/dev/null
	note_refused "*dated 2019-11-22, a day before it came (2019-11-23), it would leave the agreement in-force, not as one of that day*"
	LIAISON_NOW=2019-11-23 "$L" --home jn --json agreement status "$G" | jq -e '.state == "terminated" and .since == "2019-11-23"'
	# its registrar may record it, once checked: a late entry of its own
	LIAISON_NOW=2019-11-23 "$L" --home jn agreement event "$G" notice-suspended --date 2019-11-22 --by KOR >/dev/null
	LIAISON_NOW=2019-11-23 "$L" --home jn --json agreement status "$G" | jq -e '.state == "in-force"'
}

@test "a note dated the day before it comes is taken when its date changes nothing the node acted on" {
	export LIAISON_NOW=2019-08-20
	fresh_nodes "$(early_config)"
	jn_on 2019-08-21
	"$L" --home kn agreement event "$G" notice --date 2019-08-20 --by KOR >/dev/null
	delivered_soon kn 0
	"$L" --home kn --json peer outbox | jq -e '.messages[0].state == "delivered"'
	LIAISON_NOW=2019-08-21 "$L" --home jn --json agreement status "$G" | jq -e '.state == "in-force-under-notice" and .ends == "2019-11-23" and .notice.given == "2019-08-20"'
}

@test "an in-force note from one party alone does not put an agreement into force; the other's completes it" {
	jq '.agreements[0].events |= map(select(.date < "2017-01-01" and .kind != "in-force"))' \
		"$EXAMPLE" >signed-only.json
	fresh_nodes signed-only.json
	# KOR alone says it is in force: on both nodes it is not, awaiting JPN's record
	"$L" --home kn agreement event "$G" in-force --date 2019-09-01 --by KOR >out.txt
	grep -q "no effect yet: awaiting JPN's record of it" out.txt
	delivered_soon kn 0
	"$L" --home kn --json peer outbox | jq -e '.messages[0].state == "delivered"'
	for h in jn kn; do
		"$L" --home $h --json agreement status "$G" | jq -e '.state == "not-in-force"'
		"$L" --home $h --json agreement show "$G" | jq -e '[.events[] | select(.kind == "in-force")] == [{"number": 2, "date": "2019-09-01", "kind": "in-force", "by": "KOR", "awaiting": "JPN"}]'
	done
	# the text says so too
	"$L" --home jn agreement show "$G" | grep -q "awaiting JPN's record"
	# JPN's record completes it, on both nodes
	"$L" --home jn agreement event "$G" in-force --date 2019-09-01 --by JPN >/dev/null
	delivered_soon jn 0
	for h in jn kn; do
		"$L" --home $h --json agreement status "$G" | jq -e '.state == "in-force" and .in_force_since == "2019-09-01"'
		"$L" --home $h --json agreement show "$G" | jq -e '[.events[] | select(.awaiting)] == []'
	done
}

@test "symlinks followed: a link planted as tmp/serve-999999 is removed, never what it points to" {
	mkdir -p victim jpn/tmp
	echo "keep me" >victim/precious.txt
	ln -s "$PWD/victim" jpn/tmp/serve-999999
	up jpn
	[ -f victim/precious.txt ]
	[ ! -e jpn/tmp/serve-999999 ] && [ ! -L jpn/tmp/serve-999999 ]
	down jpn
	[ "$(cat victim/precious.txt)" = "keep me" ]
	# tmp itself a link: serve refuses to start, and says why
	rm -rf jpn/tmp
	ln -s "$PWD/victim" jpn/tmp
	run "$L" --home jpn serve --listen 127.0.0.1:0
	[ "$status" -ne 0 ]
	[[ "$output" == *"jpn/tmp is a symbolic link"* ]]
	[ -f victim/precious.txt ]
}

@test "init accepts a world-writable folder: init and serve refuse one others can write, saying how to fix it" {
	mkdir open
	chmod 777 open
	run "$L" --home open init --replay --party JPN
	[ "$status" -ne 0 ]
	[[ "$output" == *"open is writable by group and others (mode 0777)"*"chmod go-w"* ]]
	[ ! -e open/node.db ]
	chmod 755 open
	"$L" --home open init --replay --party JPN >/dev/null
	# made writable later: serve refuses too
	chmod 775 open
	run "$L" --home open serve --listen 127.0.0.1:0
	[ "$status" -ne 0 ]
	[[ "$output" == *"writable by its group (mode 0775)"* ]]
	chmod o+w,g-w open/keys
	chmod 755 open
	run "$L" --home open serve --listen 127.0.0.1:0
	[ "$status" -ne 0 ]
	[[ "$output" == *"open/keys is writable by others"* ]]
}

@test "key files readable by others are used without a word: a secret key others may read is refused" {
	chmod 644 jpn/keys/JPN.key
	run "$L" --home jpn serve --listen 127.0.0.1:0
	[ "$status" -ne 0 ]
	[[ "$output" == *"JPN.key: a secret key readable or writable by group or others (mode 0644) is not used; fix it with: chmod 600"* ]]
	run "$L" --home jpn log checkpoint
	[ "$status" -ne 0 ]
	[[ "$output" == *"chmod 600"* ]]
	chmod 600 jpn/keys/JPN.key
	"$L" --home jpn log checkpoint >/dev/null
}

@test "one slow peer stalls all federation: a peer that trickles holds only its own lane, and SIGTERM does not wait on it" {
	third_party jpn # the USA with its key
	python3 "$BATS_TEST_DIRNAME/../tools/slow_peer.py" 1 >slow.port &
	PIDS+=($!)
	eventually test -s slow.port
	up kor
	"$L" --home kor peer add JPN --url http://127.0.0.1:1 >/dev/null
	"$L" --home jpn peer add USA --url "http://127.0.0.1:$(cat slow.port)" >/dev/null
	"$L" --home jpn peer add KOR --url "$KOR_URL" >/dev/null
	# JPN witnesses every second: the slow peer holds a transfer all along
	up jpn --witness-every 1 --drain 2
	sleep 2
	# twelve items for KOR: all delivered in a few seconds, the slow peer notwithstanding
	for i in $(seq 12); do
		id=$("$L" --home jpn item share report.txt --by sato --level GOKUHI --title "Warning $i" \
			--releasable KOR --ntk MISSILE-WARNING --purpose warning 2>/dev/null)
		"$L" --home jpn item release "$id" --to KOR --by sato >/dev/null 2>&1
	done
	start=$(date +%s)
	all_delivered() {
		[ "$(sqlite3 jpn/node.db "SELECT count(*) FROM outbox WHERE peer = 'KOR' AND state = 1")" = 12 ]
	}
	eventually all_delivered
	[ $(($(date +%s) - start)) -le 8 ]
	# SIGTERM: the daemon stops within its drain, the slow transfer cancelled
	t0=$(date +%s%N)
	kill -TERM "$JPN_PID"
	wait "$JPN_PID" || true
	[ $((($(date +%s%N) - t0) / 1000000)) -lt 4000 ]
	grep -q "liaison serve: stopped" jpn.log
}

@test "lesser: %00 in a path, invalid UTF-8, two Content-Length headers are 400 naming what; no temporary path in a message" {
	up jpn
	SATO=$("$L" --home jpn person token sato 2>/dev/null)
	ITO=$("$L" --home jpn person token ito 2>/dev/null)
	entries=$(sqlite3 jpn/node.db 'SELECT count(*) FROM log_entries')
	# %00 would cut the path at /v1/items
	[ "$(api "$SATO" GET "$JPN_URL/v1/items%00/anything")" = 400 ]
	jq -e '.error.message | contains("escaped NUL (%00)")' ans.json
	[ "$(api "$SATO" GET "$JPN_URL/v1/items?after=a%00b")" = 400 ]
	[ "$(api "$SATO" GET "$JPN_URL/v1/items?after=%ff%fe")" = 400 ]
	jq -e '.error.message == "after: not valid UTF-8" and .error.field == "after"' ans.json
	[ "$(api "$SATO" GET "$JPN_URL/v1/items/%ff%fe")" = 400 ]
	jq -e '.error.message == "the path is not valid UTF-8"' ans.json
	# two lengths, or a length and chunks: refused before anything is read
	port=${JPN_URL##*:}
	python3 - "$port" "$ITO" >smuggle.txt <<'PY'
import socket, sys
for hdrs in [b"Content-Length: 5\r\nContent-Length: 7\r\n", b"Content-Length: 5\r\nTransfer-Encoding: chunked\r\n",
             b"Content-Length : 5\r\n", b"Content-Length:\r\n 5\r\n", b"Transfer-Encoding:\r\n chunked\r\n"]:
    s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
    s.sendall(b"POST /v1/config HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + sys.argv[2].encode() + b"\r\n" + hdrs + b"\r\nhello")
    s.settimeout(5)
    print(s.recv(4096).decode(errors="replace").replace("\r\n", " "))
PY
	grep -q "400 Bad Request.*more than one Content-Length header" smuggle.txt
	grep -q "400 Bad Request.*both Content-Length and Transfer-Encoding" smuggle.txt
	# a length with a space before its colon: a proxy may read it as the length,
	# and the daemon the body as a second request; refused
	grep -q "400 Bad Request.*a header name with a space" smuggle.txt
	# a length or coding folded onto the next line: the same
	[ "$(grep -c "400 Bad Request.*a Content-Length that is not digits" smuggle.txt)" = 2 ]
	# an upload that is not what it should be: "the request body", never where it was kept
	echo garbage >garbage.txt
	[ "$(api "$ITO" POST "$JPN_URL/v1/parties/KOR/key" --data-binary @garbage.txt)" = 400 ]
	jq -e '.error.message | startswith("the request body: not a liaison public key")' ans.json
	! grep -q "tmp/serve" ans.json || false
	# none of it changed anything
	[ "$(sqlite3 jpn/node.db 'SELECT count(*) FROM log_entries')" = "$entries" ]
}

@test "lesser: control characters from a peer are shown escaped, never sent to the terminal" {
	up jpn
	# a hostile peer answers with an error message carrying terminal escapes
	cat >evil.py <<'PY'
import http.server, json, socketserver, sys
class H(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        body = json.dumps({"error": {"code": "refused", "message": "\u001b]0;pwned\u0007\u001b[2J\u202eok"}}).encode()
        self.send_response(409); self.send_header("Content-Length", str(len(body))); self.end_headers(); self.wfile.write(body)
    def log_message(self, *a): pass
s = socketserver.TCPServer(("127.0.0.1", 0), H)
print(s.server_address[1], flush=True)
s.serve_forever()
PY
	python3 evil.py >evil.port &
	PIDS+=($!)
	eventually test -s evil.port
	"$L" --home jpn peer add KOR --url "http://127.0.0.1:$(cat evil.port)" >/dev/null
	id=$("$L" --home jpn item share report.txt --by sato --level GOKUHI --title "Launch" \
		--releasable KOR --ntk MISSILE-WARNING --purpose warning 2>/dev/null)
	"$L" --home jpn item release "$id" --to KOR --by sato >/dev/null 2>&1
	# (an unsigned refusal: the message stays queued, its last error shown)
	answered() { "$L" --home jpn --json peer outbox | jq -e '.messages[0].last_error | contains("409")'; }
	eventually answered
	"$L" --home jpn peer outbox >outbox.txt
	# no escape byte, no BEL, no override reaches the terminal; their escapes do
	! grep -q $'\e' outbox.txt || false
	! grep -q $'\a' outbox.txt || false
	! grep -q $'\u202e' outbox.txt || false
	grep -qF '\u001b]0;pwned' outbox.txt
}

@test "requests that add to the log are bounded per token: 429 with Retry-After, nothing stored" {
	id=$("$L" --home jpn item share report.txt --by sato --level GOKUHI --title "Launch" \
		--releasable KOR --ntk MISSILE-WARNING --purpose warning 2>/dev/null)
	up jpn --max-acts 5
	SATO=$("$L" --home jpn person token sato 2>/dev/null)
	SUZUKI=$("$L" --home jpn person token suzuki 2>/dev/null)
	for i in 1 2 3 4 5; do
		[ "$(api "$SATO" POST "$JPN_URL/v1/items/$id/reproduce" -d '{"purpose": "warning"}')" = 201 ]
	done
	before=$(sqlite3 jpn/node.db 'SELECT count(*) FROM log_entries')
	items=$(sqlite3 jpn/node.db 'SELECT count(*) FROM items')
	code=$(curl -s -D headers.txt -o ans.json -w '%{http_code}' -X POST -H "Authorization: Bearer $SATO" \
		-d '{"purpose": "warning"}' "$JPN_URL/v1/items/$id/reproduce")
	[ "$code" = 429 ]
	jq -e '.error.message | contains("at most 5 a minute for a token")' ans.json
	grep -qi '^Retry-After: [0-9]' headers.txt
	[ "$(sqlite3 jpn/node.db 'SELECT count(*) FROM log_entries')" = "$before" ]
	[ "$(sqlite3 jpn/node.db 'SELECT count(*) FROM items')" = "$items" ]
	# questions are not bounded, nor is another token
	[ "$(api "$SATO" GET "$JPN_URL/v1/items/$id")" = 200 ]
	[ "$(api "$SUZUKI" POST "$JPN_URL/v1/items/$id/reproduce" -d '{"purpose": "warning"}')" != 429 ]
}

@test "a note that completes a joint act the other party recorded may come late; a new act may not" {
	jq '.agreements[0].events |= map(select(.date < "2017-01-01" and .kind != "in-force"))' \
		"$EXAMPLE" >signed-only.json
	fresh_nodes signed-only.json
	"$L" --home jn agreement event "$G" in-force --date 2019-09-01 --by JPN >/dev/null
	delivered_soon jn 0
	# JPN's node runs three days later; KOR's record of the same act comes then
	down jn
	LIAISON_NOW=2019-09-04 up jn
	"$L" --home kn peer remove JPN >/dev/null
	"$L" --home kn peer add JPN --url "$JN_URL" >/dev/null
	"$L" --home kn agreement event "$G" in-force --date 2019-09-01 --by KOR >/dev/null
	"$L" --home kn agreement event "$G" amended --date 2019-09-01 --by KOR >/dev/null
	delivered_soon kn 1
	"$L" --home kn --json peer outbox | jq -e '.messages[0].state == "delivered"'
	LIAISON_NOW=2019-09-04 "$L" --home jn --json agreement status "$G" | jq -e '.state == "in-force" and .in_force_since == "2019-09-01"'
	# a new act dated three days before JPN's date: refused as late
	"$L" --home kn --json peer outbox | jq -e '.messages[1].state == "refused"'
	[[ "$("$L" --home kn --json peer outbox | jq -r '.messages[1].last_error')" == *"more than 1 day before this node's date (2019-09-04)"* ]]
	# a second record of the same act by the same hand is refused
	run "$L" --home kn agreement event "$G" in-force --date 2019-09-01 --by KOR
	[ "$status" -ne 0 ]
	[[ "$output" == *"in-force on 2019-09-01 is recorded already"*"by KOR"* ]]
}

@test "a note from a node a day ahead (its zone) is taken, not refused as from the future" {
	export LIAISON_NOW=2019-08-22T16:00:00Z # the 23rd in Seoul, the 22nd in UTC
	jq '.parties[0] |= del(.time_zone)' "$(early_config)" >zones.json
	fresh_nodes zones.json
	"$L" --home kn --json agreement status "$G" | jq -e '.date == "2019-08-23"'
	"$L" --home jn --json agreement status "$G" | jq -e '.date == "2019-08-22"'
	"$L" --home kn agreement event "$G" notice --date 2019-08-23 --by KOR >/dev/null
	delivered_soon kn 0
	"$L" --home kn --json peer outbox | jq -e '.messages[0].state == "delivered"'
	"$L" --home jn --json agreement status "$G" --at 2019-08-23 | jq -e '.state == "in-force-under-notice"'
	# two days ahead is the future anywhere
	run "$L" --home jn agreement event "$G" notice-suspended --date 2019-08-24 --by KOR
	[ "$status" -ne 0 ]
}

@test "a peer cannot keep another peer's compromise report out by sending one first under its message id" {
	up jpn
	third_party jpn
	"$L" --home jpn peer add KOR --url http://127.0.0.1:9 >/dev/null
	"$L" --home jpn peer add USA --url http://127.0.0.1:9 >/dev/null
	ID=$("$L" --home jpn item share report.txt --by sato --level GOKUHI --title Launch \
		--releasable KOR --ntk MISSILE-WARNING --purpose warning 2>/dev/null)
	"$L" --home jpn item release "$ID" --to KOR --by sato >/dev/null
	# the USA holds the item too (as if released to it): it may report on it
	sqlite3 -cmd ".timeout 10000" jpn/node.db "INSERT INTO releases(item, to_party, by_person, date)
		VALUES('$ID', 'USA', 'sato', '2019-09-01')"
	report() { # PARTY KEY MSG DETAILS: PARTY's signed report of the item, as message MSG
		printf '{"by":"park","date":"2019-09-01","details":"%s","item":"%s","originator":"JPN","reporter":"%s"}' \
			"$4" "$ID" "$1" >r.json
		"$TOOLS/forge" signed "$2" liaison-compromise-report/v1 compromise_report "$(cat r.json)" >m.json
		FORGE_MSG=$3 "$TOOLS/forge" peer "$2" JPN report "$ID" m.json >m.headers
		peer_post m.headers m.json "$JPN_URL/v1/peer/messages"
	}
	msg=0123456789abcdef0123456789abcdef
	# the USA saw KOR's message id on the path, and sends its own first
	report USA "$BATS_TEST_TMPDIR/third-party-keys/USA.key" $msg "nothing happened"
	[ "$code" = 200 ]
	[ "$(jq -r .receipt.result ans.json)" = stored ]
	# KOR's report under that id is stored all the same, and is KOR's
	report KOR kor/keys/KOR.key $msg "laptop lost in Busan"
	[ "$code" = 200 ]
	[ "$(jq -r .receipt.result ans.json)" = stored ]
	"$L" --home jpn --json report list >list.json || true
	[ "$(jq -r '[.reports[] | .id + " " + .message + " " + .from] | sort | join(",")' list.json)" = \
		"KOR-$msg $msg KOR,USA-$msg $msg USA" ]
	"$L" --home jpn --json report show "KOR-$msg" >rep.json
	[ "$(jq -r .document.compromise_report.details rep.json)" = "laptop lost in Busan" ]
	# and KOR's again is a duplicate, not a second report
	report KOR kor/keys/KOR.key $msg "laptop lost in Busan"
	[ "$(jq -r .receipt.result ans.json)" = duplicate ]
	[ "$(sqlite3 -cmd ".timeout 10000" jpn/node.db "SELECT count(*) FROM reports")" = 2 ]
}

@test "a peer cannot take an id another party will use: an item whose id names another party is refused, by the peer route and from a file" {
	up jpn
	third_party jpn
	"$L" --home jpn peer add KOR --url http://127.0.0.1:9 >/dev/null
	# KOR saw the id of the USA's item released to both (ids name their
	# originator now) and sends an item of its own under it first
	usa_id=USA-$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')
	send() { # LABEL REF: KOR's envelope under LABEL, sent as a message naming REF
		echo "$1" >label.json
		"$TOOLS/forge" envelope kor/keys/KOR.key jpn/keys/JPN.pub label.json <report.txt >m.lsn
		"$TOOLS/forge" peer kor/keys/KOR.key JPN item "$2" m.lsn >m.headers
		peer_post m.headers m.lsn "$JPN_URL/v1/peer/messages"
	}
	# and one of JPN's own that JPN holds: the answer is the same whether
	# JPN holds the id or not (no way to learn what JPN holds)
	held=$("$L" --home jpn item share report.txt --by sato --level GOKUHI --title Launch \
		--releasable KOR --ntk MISSILE-WARNING --purpose warning 2>/dev/null)
	entries=$("$L" --home jpn log entries | wc -l)
	# and a party this node does not know: the same answer, that tells
	# nothing of the parties it knows
	for id in "$usa_id" JPN-0123456789abcdef01234567 "$held" TWN-0123456789abcdef01234567 SITREP-7; do
		send '{"item":"'"$id"'","originator":"KOR","level":"II","title":"taken first","releasable_to":["JPN"]}' "$id"
		[ "$code" = 409 ]
		[ "$(jq -r .receipt.result ans.json)" = refused ]
		[ "$(jq -r .error.message ans.json)" = \
			"the request body: R-RECEIVED: item $id names ${id%%-*}, but its label says KOR made it: an id that begins with a party's code is that party's" ]
		# the same from a file
		run "$L" --home jpn item import m.lsn
		[ "$status" -eq 1 ]
		[[ "$output" == *"R-RECEIVED: item $id names ${id%%-*}, but its label says KOR made it"* ]]
	done
	[ "$(sqlite3 -cmd ".timeout 5000" jpn/node.db "SELECT count(*) FROM items WHERE originator = 'KOR'")" -eq 0 ]
	[ "$("$L" --home jpn log entries | wc -l)" -eq "$entries" ]
	# KOR's own id, or one that names no party (ids made before), is KOR's to use
	send '{"item":"KOR-0123456789abcdef01234567","originator":"KOR","level":"II","title":"its own","releasable_to":["JPN"]}' KOR-0123456789abcdef01234567
	[ "$code" = 200 ]
	[ "$(jq -r .receipt.result ans.json)" = stored ]
	send '{"item":"Usa-older","originator":"KOR","level":"II","title":"no party","releasable_to":["JPN"]}' Usa-older
	[ "$code" = 200 ]
	[ "$(sqlite3 -cmd ".timeout 5000" jpn/node.db "SELECT group_concat(id || ' ' || originator, ',') FROM (SELECT * FROM items WHERE originator = 'KOR' ORDER BY seq)")" = \
		"KOR-0123456789abcdef01234567 KOR,Usa-older KOR" ]
}

@test "a peer learns nothing of the parties, keys and peers this node knows from how it is answered" {
	up jpn
	third_party jpn
	"$L" --home jpn peer add KOR --url http://127.0.0.1:9 >/dev/null
	"$L" --home jpn peer add USA --url http://127.0.0.1:9 >/dev/null
	"$L" keygen --party TWN --out . >/dev/null
	hex=0123456789abcdef01234567
	# unsigned, from a peer and from a party that is none: one answer
	for p in USA TWN; do
		curl -s -o ans.json -w '%{http_code}' -X POST -H "Liaison-From: $p" -H "Liaison-To: JPN" \
			-H "Liaison-Time: $(date +%s)" -H "Liaison-Nonce: AAAAAAAAAAAAAAAAAAAAAA" \
			-H "Liaison-Message: 0123456789abcdef0123456789abcdef" -H "Liaison-Kind: item" \
			-H "Liaison-Ref: x" -H "Liaison-Digest: $(printf x | sha256sum | xxd -r -p | base64 -w0)" \
			-H "Liaison-Length: 1" -H "Liaison-Signature: $(head -c 64 /dev/zero | base64 -w0)" \
			-H 'Content-Type: application/octet-stream' --data-binary x "$JPN_URL/v1/peer/messages" >code.txt
		[ "$(cat code.txt)" = 401 ]
		[ "$(jq -r .error.message ans.json)" = "a request between nodes: bad signature: the request is not signed by $p" ]
	done
	grep -q "a request said to be from TWN refused: TWN is not a peer" jpn.log # the operator's
	# an envelope signed by another party than KOR, which sends it: the
	# same answer whether this node holds that party's key (USA) or not
	echo '{"item":"KOR-'$hex'","originator":"KOR","level":"II","title":"t","releasable_to":["JPN"]}' >label.json
	for p in USA TWN; do
		key=$BATS_TEST_TMPDIR/third-party-keys/USA.key
		[ $p = USA ] || key=TWN.key
		"$TOOLS/forge" envelope "$key" jpn/keys/JPN.pub label.json <report.txt >m.lsn
		"$TOOLS/forge" peer kor/keys/KOR.key JPN item KOR-$hex m.lsn >m.headers
		peer_post m.headers m.lsn "$JPN_URL/v1/peer/messages"
		[ "$code" = 401 ] || [ "$code" = 409 ] || [ "$code" = 400 ]
		echo "$code" >>codes.txt
		[[ "$(jq -r .error.message ans.json)" == *"the envelope is from $p, not from KOR who sent it" ]]
	done
	[ "$(sort -u codes.txt | wc -l)" -eq 1 ]
	# KOR's own item, then consents for it from KOR: one said to be another
	# party's is refused before any key is looked up; one to a party this
	# node does not know is kept as one to a party it knows
	echo '{"item":"KOR-'$hex'","originator":"KOR","level":"II","title":"t","releasable_to":["JPN"]}' >label.json
	"$TOOLS/forge" envelope kor/keys/KOR.key jpn/keys/JPN.pub label.json <report.txt >m.lsn
	"$TOOLS/forge" peer kor/keys/KOR.key JPN item KOR-$hex m.lsn >m.headers
	peer_post m.headers m.lsn "$JPN_URL/v1/peer/messages"
	[ "$code" = 200 ]
	consent() { # ORIGINATOR TO: KOR's consent for its item, sent by KOR; the answer in ans.json
		jq -cnS --arg s "$(head -c 80 /dev/zero | base64 -w0)" '{item: "KOR-'$hex'", to: "'$2'",
			originator: "'$1'", granted_by: "park", date: "2019-09-01", holder: "JPN",
			label_sha256: "x", content_sealed: $s}' >c.txt
		"$TOOLS/forge" signed kor/keys/KOR.key liaison-consent/v1 consent "$(cat c.txt)" >c.json
		"$TOOLS/forge" peer kor/keys/KOR.key JPN consent KOR-$hex c.json >m.headers
		peer_post m.headers c.json "$JPN_URL/v1/peer/messages"
	}
	for p in USA TWN; do
		consent $p USA
		[ "$code" = 409 ]
		[[ "$(jq -r .error.message ans.json)" == *"a consent of $p's comes from $p's node, not from KOR" ]]
	done
	for p in USA ZZZ; do
		consent KOR $p
		[ "$code" = 200 ]
		[ "$(jq -r .receipt.result ans.json)" = stored ]
	done
	[ "$(sqlite3 -cmd ".timeout 5000" jpn/node.db "SELECT group_concat(to_party, ',') FROM (SELECT to_party FROM consents ORDER BY to_party)")" = USA,ZZZ ]
}
