#!/usr/bin/env bats
# Running a node: the passphrase from a file or systemd's credentials and
# gone from the daemon's environment, the probes, --listen with a name, an
# address in use said plainly, the client's address in the access log.
load helpers

setup() {
	cd "$BATS_TEST_TMPDIR"
	export LIAISON_HOME="$BATS_TEST_TMPDIR/node" LIAISON_NOW=2019-09-01
	export LIAISON_PASSPHRASE="a passphrase in a file"
	"$L" init --replay --party JPN >/dev/null
	"$L" config apply "$EXAMPLE" >/dev/null
	unset LIAISON_PASSPHRASE
	printf 'a passphrase in a file\n' >pass.txt
	chmod 600 pass.txt
	echo "launch at 06:00" >report.txt
	PIDS=()
}

teardown() {
	for p in "${PIDS[@]}"; do kill -9 "$p" 2>/dev/null || true; done
}

share() { "$L" "$@" item share report.txt --by sato --level HI --title T; }

@test "the passphrase from a file (0600 only), LIAISON_PASSPHRASE_FILE, or systemd's credentials" {
	run share --passphrase-file pass.txt
	[ "$status" -eq 0 ]
	chmod 640 pass.txt
	run share --passphrase-file pass.txt
	[ "$status" -eq 1 ]
	[[ "$output" == *"pass.txt can be read by others (mode 640): chmod 600 pass.txt"* ]]
	chmod 600 pass.txt
	LIAISON_PASSPHRASE_FILE=pass.txt run share
	[ "$status" -eq 0 ]
	mkdir creds && cp pass.txt creds/liaison-passphrase
	chmod 440 creds/liaison-passphrase # as systemd's ACL shows it: the folder is the service's
	CREDENTIALS_DIRECTORY="$PWD/creds" run share
	[ "$status" -eq 0 ]
	printf 'not it\n' >wrong.txt && chmod 600 wrong.txt
	run share --passphrase-file wrong.txt
	[ "$status" -ne 0 ]
	[[ "$output" == *"wrong passphrase"* ]]
	run share --passphrase-file missing.txt
	[ "$status" -eq 1 ]
	[[ "$output" == *"missing.txt: cannot open"* ]]
}

@test "the daemon: no passphrase left in its environment; alive and ready; a name to listen on; the client in its log" {
	# the environment's passphrase is wiped even when a file gives it
	LIAISON_PASSPHRASE="a passphrase in a file" LIAISON_PASSPHRASE_FILE=pass.txt \
		"$L" serve --listen localhost:0 2>serve.log &
	pid=$!
	PIDS+=("$pid")
	for _ in $(seq 100); do grep -q "node on http" serve.log && break; sleep 0.05; done
	port=$(sed -n 's/.*:\([0-9]*\) (.*/\1/p' serve.log | head -1)
	[ -n "$port" ]
	! tr '\0' '\n' </proc/$pid/environ | grep -q "a passphrase in a file" || false
	[ "$(curl -s -o h.json -w '%{http_code}' "http://localhost:$port/healthz")" = 200 ]
	[ "$(jq -r .ok h.json)" = true ]
	[ "$(curl -s -o r.json -w '%{http_code}' "http://localhost:$port/readyz")" = 200 ]
	[ "$(jq -c .problems r.json)" = "[]" ]
	# the same address again: said plainly, and nothing else starts
	run env LIAISON_PASSPHRASE_FILE=pass.txt "$L" serve --listen "127.0.0.1:$port"
	[ "$status" -eq 1 ]
	[[ "$output" == *"--listen 127.0.0.1:$port: the address is in use"* ]]
	run "$L" serve --listen "nowhere.invalid:7400" --passphrase-file pass.txt
	[ "$status" -ne 0 ]
	[[ "$output" == *"--listen: \"nowhere.invalid:7400\""* ]]
	# SIGHUP does not stop it
	kill -HUP "$pid"
	for _ in $(seq 100); do grep -q "SIGHUP" serve.log && break; sleep 0.05; done
	grep -q "SIGHUP: the access log flushed" serve.log
	[ "$(curl -s -o /dev/null -w '%{http_code}' "http://localhost:$port/healthz")" = 200 ]
	# a path's characters kept (percent-decoded: UTF-8 whole), a byte that
	# is no character as U+FFFD, a quote and a control character escaped
	curl -s -o /dev/null "http://localhost:$port/v1/items/%E8%A8%B3%FF%22%01x"
	# ... and what would act rather than show (a line separator, NEL, a
	# direction override) escaped: one record a line, whatever reads lines
	curl -s -o /dev/null "http://localhost:$port/v1/people/a%E2%80%A8b%C2%85c%E2%80%AEd"
	kill -TERM "$pid"
	wait "$pid"
	grep -q '"client":"127.0.0.1","method":"GET","path":"/healthz"' serve.log
	grep '"path":"/v1/items/' serve.log | jq -e '.path == "/v1/items/訳\ufffd\"\u0001x"'
	grep -F '"path":"/v1/people/a\u2028b\u0085c\u202ed"' serve.log
	python3 -c 'import sys; t = open(sys.argv[1], encoding="utf-8").read(); assert len(t.splitlines()) == t.count("\n")' serve.log
}

@test "under systemd: READY=1 once serving and STOPPING=1 at SIGTERM (sd_notify); the unit in contrib/ verifies" {
	python3 - "$PWD/notify.sock" >notes.txt <<'PY' &
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
s.settimeout(20)
for _ in range(2):
    print(s.recv(4096).decode().replace("\n", " "), flush=True)
PY
	listener=$!
	for _ in $(seq 100); do [ -S notify.sock ] && break; sleep 0.05; done
	NOTIFY_SOCKET="$PWD/notify.sock" LIAISON_PASSPHRASE_FILE=pass.txt "$L" serve --listen 127.0.0.1:0 2>serve.log &
	pid=$!
	PIDS+=("$pid")
	for _ in $(seq 200); do grep -q READY=1 notes.txt && break; sleep 0.05; done
	grep -q "READY=1 STATUS=serving JPN on port" notes.txt
	kill -TERM "$pid"
	wait "$pid" || true
	wait "$listener" || true
	grep -q "STOPPING=1" notes.txt
	command -v systemd-analyze >/dev/null || skip "no systemd-analyze"
	bin=$(cd "$(dirname "$L")" && pwd)/$(basename "$L")
	sed -e "s|/usr/local/bin/liaison|$bin|" -e '/^Documentation=/d' \
		"$BATS_TEST_DIRNAME/../../contrib/liaison.service" >liaison.service
	run systemd-analyze verify liaison.service
	[ "$status" -eq 0 ] || { echo "$output"; false; }
	[ -z "$output" ] || { echo "$output"; false; }
}

@test "GET /metrics: requests by route and status, latency, decisions, the log, peers' outboxes and alarms, for auditors" {
	LIAISON_PASSPHRASE=k "$L" --home kor init --replay --party KOR >/dev/null 2>&1
	"$L" party key KOR kor/keys/KOR.pub >/dev/null
	"$L" peer add KOR --url http://127.0.0.1:9 >/dev/null
	MORI=$("$L" person token mori 2>/dev/null)  # the example's auditor
	SATO=$("$L" person token sato 2>/dev/null)
	LIAISON_PASSPHRASE_FILE=pass.txt "$L" serve --listen 127.0.0.1:0 2>serve.log &
	PIDS+=($!)
	for _ in $(seq 100); do grep -q "node on http" serve.log && break; sleep 0.05; done
	url=http://127.0.0.1:$(sed -n 's/.*127\.0\.0\.1:\([0-9]*\).*/\1/p' serve.log | head -1)
	curl -s -o /dev/null -H "Authorization: Bearer $SATO" "$url/v1/agreements"
	curl -s -o /dev/null -H "Authorization: Bearer $SATO" "$url/v1/items/nothing"
	# decisions: sato reads his item twice, and with a purpose it does not name once
	echo "launch at 06:00" >report.txt
	id=$("$L" --passphrase-file pass.txt item share report.txt --by sato --level GOKUHI --title t --releasable KOR \
		--ntk MISSILE-WARNING --purpose warning 2>/dev/null)
	for p in warning warning training; do
		curl -s -o /dev/null -H "Authorization: Bearer $SATO" "$url/v1/items/$id/content?purpose=$p"
	done
	[ "$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $SATO" "$url/metrics")" = 403 ]
	curl -sf -D h.txt -o m.txt -H "Authorization: Bearer $MORI" "$url/metrics"
	grep -qi "^Content-Type: text/plain; version=0.0.4" h.txt
	grep -qx 'liaison_requests_total{route="GET /v1/agreements",status="200"} 1' m.txt
	grep -qx 'liaison_requests_total{route="GET /v1/items/{id}",status="404"} 1' m.txt
	grep -qx 'liaison_requests_total{route="GET /metrics",status="403"} 1' m.txt
	grep -q '^liaison_request_duration_seconds_bucket{le="+Inf"} [3-9]' m.txt
	[ "$(sed -n 's/^liaison_log_entries //p' m.txt)" = "$("$L" log entries | wc -l)" ]
	grep -qx 'liaison_outbox_messages{peer="KOR",state="queued"} 0' m.txt
	grep -qx 'liaison_peer_alarm{peer="KOR"} 0' m.txt
	grep -qx 'liaison_compromise_reports_received 0' m.txt
	grep -qx 'liaison_decisions_total{action="download",outcome="PERMIT",rule=""} 2' m.txt
	grep -qx 'liaison_decisions_total{action="download",outcome="DENY",rule="R-PURPOSE"} 1' m.txt
	# every line a comment or NAME{labels} VALUE, as Prometheus reads them
	! grep -vE '^(# (HELP|TYPE) .*|[a-z_]+(\{([a-z_]+="([^"\\]|\\.)*",?)*\})? [0-9.e+-]+)$' m.txt || false
}
