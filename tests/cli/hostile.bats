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
}

up() { # HOME [OPTIONS...]: a daemon; sets ${HOME}_URL and keeps its pid
	daemon "$@"
	PIDS+=("$DAEMON_PID")
	eval "${1^^}_URL=$DAEMON_URL ${1^^}_PID=$DAEMON_PID"
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

@test "slow connections: one address holds at most --max-per-address" {
	up kor --max-per-address 20
	port=${KOR_URL##*:}
	python3 "$BATS_TEST_DIRNAME/../tools/slow_clients.py" "$port" 50 1 0.5 2 >slow.json
	cat slow.json
	# 30 were closed as soon as they came (the ones beyond 20), the 20 kept
	jq -e '.closed == 30' slow.json
	[ "$(curl -s -o /dev/null -w '%{http_code}' "$KOR_URL/healthz")" = 200 ]
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
