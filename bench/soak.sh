#!/bin/sh
# bench/soak.sh - a soak test of the daemon on loopback: mixed requests
# (access checks, reads of items and of pages of the item list, agreements,
# people, export answers, log pages, and 2% durable writes: reproductions) from 64 connections for
# SOAK_SECONDS (default 300), in slices of SOAK_SLICE seconds (default 30),
# while a slow-connection attack runs alongside: 1000 connections from ten
# addresses that trickle a header byte a second, opened again as the daemon
# cuts them (tests/tools/slow_clients.py).
# Each slice prints its requests per second, p99 latency, errors and the
# daemon's resident memory; the run fails on any error, on memory that
# keeps growing after the first slice (more than 20%), on a last slice's
# p99 more than twice the first's, or when the attack's connections were
# not cut.
# usage: soak.sh LIAISON
set -eu
L=$(realpath "$1")
SECS=${SOAK_SECONDS:-300}
SLICE=${SOAK_SLICE:-30}
HERE=$(dirname "$(realpath "$0")")
W=$(mktemp -d "${BENCH_DIR:-/tmp}/liaison-soak.XXXXXX")
trap '[ -z "$SPID" ] || kill $SPID 2>/dev/null || true; kill $LPID 2>/dev/null && wait $LPID 2>/dev/null; rm -rf "$W"' EXIT
LPID= SPID=
cd "$W"
export LIAISON_PASSPHRASE=bench LIAISON_NOW=2019-09-01
"$L" --home node init --replay --party JPN >/dev/null
"$L" --home node config apply "$HERE/../examples/gsomia-2019.json" >/dev/null
echo "2019-08-24 06:45 KST: two short-range missiles launched eastward" >report.txt
ID=$("$L" --home node item share report.txt --by sato --level GOKUHI --title Launch \
	--releasable KOR --ntk MISSILE-WARNING --purpose warning 2>/dev/null)
# one person for the whole mix: an analyst who also audits (the log's entries)
"$L" --home node person add soak --party JPN --name Soak --role analyst --role auditor \
	--clearance TOKUTEI --from 2015-04-01 --ntk MISSILE-WARNING >/dev/null
TOKEN=$("$L" --home node person token soak 2>/dev/null)
# the mix makes hundreds of reproductions a second with one token: no bound on acts
"$L" --home node serve --listen 127.0.0.1:0 --threads "$(nproc)" --max-acts 0 2>serve.log &
LPID=$!
for _ in $(seq 100); do grep -q "node on http" serve.log 2>/dev/null && break; sleep 0.05; done
PORT=$(sed -n 's/.*127\.0\.0\.1:\([0-9]*\).*/\1/p' serve.log | head -1)
URL=http://127.0.0.1:$PORT
# the attack alongside, renewed every 25 s (the daemon cuts a trickle after 20)
(while :; do
	python3 "$HERE/../tests/tools/slow_clients.py" "$PORT" 1000 10 1 25 >>slow.json || break
done) &
SPID=$!

cat >mix.lua <<LUA
local h = {["Authorization"] = "Bearer $TOKEN", ["Content-Type"] = "application/json"}
local reads = {
  "/v1/items/$ID", "/v1/agreements/JPN-KOR-GSOMIA/status",
  "/v1/people/soak", "/v1/export/check?entry=HF&to=KOR", "/v1/log/entries?from=0&to=3",
  "/v1/agreements/JPN-KOR-GSOMIA/timeline?from=2016-01-01&to=2020-01-01",
  "/v1/items?limit=100",
}
local check = '{"item": "$ID", "action": "read", "purpose": "warning"}'
local n = 0
request = function()
  n = n + 1
  if n % 50 == 0 then
    return wrk.format("POST", "/v1/items/$ID/reproduce", h, '{"purpose": "warning"}')
  elseif n % 2 == 0 then
    return wrk.format("POST", "/v1/access-checks", h, check)
  end
  return wrk.format("GET", reads[math.floor(n / 2) % #reads + 1], h)
end
LUA

rss() { awk '/^VmRSS/ { print $2 }' "/proc/$LPID/status"; }
printf '%-6s %12s %10s %8s %10s\n' slice "requests/s" "p99 ms" errors "RSS KiB"
first_rss= first_p99= last_p99= errors=0 max_rss=0 i=0
while [ $((i * SLICE)) -lt "$SECS" ]; do
	i=$((i + 1))
	out=$(wrk -t2 -c64 -d"${SLICE}s" --latency -s mix.lua "$URL")
	rps=$(echo "$out" | awk '/^Requests\/sec/ { print $2 }')
	p99=$(echo "$out" | awk '$1 == "99%" { v = $2; if (v ~ /us$/) { sub(/us/, "", v); v = v / 1000 }
		else if (v ~ /ms$/) sub(/ms/, "", v); else if (v ~ /s$/) { sub(/s/, "", v); v = v * 1000 }
		print v }')
	bad=$(echo "$out" | awk '/Non-2xx/ { print $NF } /Socket errors/ { print 1 }' | head -1)
	bad=${bad:-0}
	errors=$((errors + bad))
	mem=$(rss)
	[ -n "$first_rss" ] || first_rss=$mem
	[ -n "$first_p99" ] || first_p99=$p99
	last_p99=$p99
	[ "$mem" -gt "$max_rss" ] && max_rss=$mem
	printf '%-6s %12.0f %10.2f %8s %10s\n' "$i" "$rps" "$p99" "$bad" "$mem"
done
pkill -P $SPID 2>/dev/null || true
kill $SPID 2>/dev/null || true
wait $SPID 2>/dev/null || true
SPID=
slow=$(jq -s '{rounds: length, opened: (map(.opened) | add), cut: (map(.closed) | add)}' slow.json 2>/dev/null \
	|| echo '{"rounds": 0, "opened": 0, "cut": 0}')
echo "slow-connection attack: $(echo "$slow" | jq -c .)"
items=$(sqlite3 node/node.db 'SELECT count(*) FROM items')
echo "$((i * SLICE)) s, 64 connections; $items items at the end (2% of requests were reproductions)"
growth=$(echo "$max_rss * 100 / $first_rss - 100" | bc)
echo "errors: $errors; memory: $first_rss KiB after the first slice, at most $max_rss KiB (+$growth%);" \
	"p99: $first_p99 ms first, $last_p99 ms last"
[ "$errors" = 0 ] && [ "$growth" -le 20 ] && [ "$(echo "$last_p99 <= 2 * $first_p99" | bc)" = 1 ] &&
	[ "$(echo "$slow" | jq '.rounds > 0 and .cut >= .opened / 2')" = true ]
