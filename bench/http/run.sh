#!/bin/sh
# bench/http/run.sh - the daemon's access-check and item-download endpoints
# under wrk, against nginx serving a static file of the same size on the
# same machine in the same run. Prints requests per second, p99 latency and
# the ratio to nginx. usage: run.sh LIAISON [SECONDS] [CONNECTIONS]
set -eu
L=$(realpath "$1")
SECS=${2:-${BENCH_HTTP_SECONDS:-10}}
CONNS=${3:-${BENCH_HTTP_CONNS:-64}}
WARMUP=${BENCH_HTTP_WARMUP:-2}
ROUNDS=${BENCH_HTTP_ROUNDS:-3}
[ "$ROUNDS" -ge 1 ] || { echo "run.sh: BENCH_HTTP_ROUNDS must be at least 1" >&2; exit 2; }
HERE=$(dirname "$(realpath "$0")")
W=$(mktemp -d "${BENCH_DIR:-/tmp}/liaison-http.XXXXXX")
trap 'kill $LPID $NPID 2>/dev/null || true; rm -rf "$W"' EXIT
LPID= NPID=
cd "$W"
export LIAISON_PASSPHRASE=bench LIAISON_NOW=2019-09-01
"$L" --home node init --replay --party JPN >/dev/null
"$L" --home node config apply "$HERE/../../examples/gsomia-2019.json" >/dev/null
echo "2019-08-24 06:45 KST: two short-range missiles launched eastward" >report.txt
ID=$("$L" --home node item share report.txt --by sato --level GOKUHI --title Launch \
	--releasable KOR --ntk MISSILE-WARNING --purpose warning 2>/dev/null)
TOKEN=$("$L" --home node person token sato 2>/dev/null)
AUDITOR=$("$L" --home node person token mori 2>/dev/null) # the example's auditor: /metrics
# BENCH_HTTP_PIN=1: the load generator on the last core, both servers on the
# others (the default shares every core among the three, as on one machine)
CORES=$(nproc)
PIN_SERVER= PIN_WRK=
if [ "${BENCH_HTTP_PIN:-0}" = 1 ] && [ "$CORES" -ge 2 ] && command -v taskset >/dev/null; then
	PIN_SERVER="taskset -c 0-$((CORES - 2))"
	PIN_WRK="taskset -c $((CORES - 1))"
	THREADS=${BENCH_HTTP_THREADS:-$((CORES - 1))}
else
	THREADS=${BENCH_HTTP_THREADS:-$CORES}
fi
# --max-acts 0: one token downloads here at the rate of a whole pact's people,
# past the default bound of 6,000 logged acts a minute per token (a 429)
$PIN_SERVER "$L" --home node serve --listen 127.0.0.1:0 --threads "$THREADS" --max-acts 0 2>serve.log &
LPID=$!
for _ in $(seq 100); do grep -q "node on http" serve.log && break; sleep 0.05; done
LURL=http://127.0.0.1:$(sed -n 's/.*127\.0\.0\.1:\([0-9]*\).*/\1/p' serve.log | head -1)

# the same bytes for nginx to serve
BODY="{\"item\": \"$ID\", \"action\": \"read\", \"purpose\": \"warning\"}"
curl -s -H "Authorization: Bearer $TOKEN" -d "$BODY" "$LURL/v1/access-checks" >check.json
curl -s -H "Authorization: Bearer $TOKEN" "$LURL/v1/items/$ID/content?purpose=warning" >content.bin
jq -e '.decision == "PERMIT"' check.json >/dev/null
cmp content.bin report.txt
mkdir -p www
cp check.json www/check.json
cp content.bin www/content.bin
NPORT=$(( 20000 + $$ % 20000 ))
cat >nginx.conf <<CONF
worker_processes $THREADS;
pid $W/nginx.pid;
error_log $W/nginx-error.log;
daemon off;
events { worker_connections 4096; }
http {
    # both servers log every request, buffered (liaison: its JSON lines)
    access_log $W/nginx-access.log combined buffer=64k flush=1s;
    client_body_temp_path $W/ngx-body;
    proxy_temp_path $W/ngx-proxy;
    fastcgi_temp_path $W/ngx-fcgi;
    uwsgi_temp_path $W/ngx-uwsgi;
    scgi_temp_path $W/ngx-scgi;
    server {
        listen 127.0.0.1:$NPORT;
        root $W/www;
        location / { default_type application/json; }
    }
}
CONF
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
$PIN_SERVER "$NGINX" -c "$W/nginx.conf" -e "$W/nginx-error.log" 2>/dev/null &
NPID=$!
for _ in $(seq 100); do curl -s -o /dev/null "http://127.0.0.1:$NPORT/check.json" && break; sleep 0.05; done

cat >post.lua <<'LUA'
wrk.method = "POST"
wrk.body = os.getenv("BODY")
wrk.headers["Authorization"] = "Bearer " .. os.getenv("TOKEN")
wrk.headers["Content-Type"] = "application/json"
LUA
cat >get.lua <<'LUA'
wrk.headers["Authorization"] = "Bearer " .. os.getenv("TOKEN")
LUA
export BODY TOKEN

# run URL [SCRIPT]: prints "rps p99_ms non2xx", measured after a warm-up
# of its own (BENCH_HTTP_WARMUP seconds, unmeasured)
run() {
	[ "$WARMUP" = 0 ] ||
		$PIN_WRK wrk -t2 -c"$CONNS" -d"${WARMUP}s" ${2:+-s "$2"} "$1" >/dev/null
	out=$($PIN_WRK wrk -t2 -c"$CONNS" -d"${SECS}s" --latency ${2:+-s "$2"} "$1")
	rps=$(echo "$out" | awk '/^Requests\/sec/ { print $2 }')
	p99=$(echo "$out" | awk '$1 == "99%" { v = $2; if (v ~ /us$/) { sub(/us/, "", v); v = v / 1000 }
		else if (v ~ /ms$/) sub(/ms/, "", v); else if (v ~ /s$/) { sub(/s/, "", v); v = v * 1000 }
		print v }')
	bad=$(echo "$out" | awk '/Non-2xx/ { print $NF }')
	echo "${rps:-0} ${p99:-0} ${bad:-0}"
}

. "$HERE/../lib.sh"
# col FILE N: the median of column N of FILE's lines (one a round), in
# plain decimals for bc
col() { awk -v n="$2" '{ print $n }' "$1" | median | awk '{ printf "%.3f\n", $1 }'; }
# range FILE N [DIGITS]: its least and greatest, "a-b"
range() {
	awk -v n="$2" '{ print $n }' "$1" | sort -n |
		awk -v d="${3:-0}" 'NR == 1 { a = $1 } { b = $1 } END { printf "%.*f-%.*f", d, a, d, b }'
}

# Interleaved rounds, the medians kept: a transient of the machine (this
# VM's first seconds after a benchmark that churned gigabytes of page
# cache, bench/seal.sh, put both servers' p99 at 11-30 ms where it is
# 4-6 ms otherwise) falls on one round, not on one server
echo "wrk -t2 -c$CONNS -d${SECS}s${PIN_WRK:+ on core $((CORES - 1))}," \
	"liaison serve with $THREADS threads, nginx with $THREADS workers${PIN_SERVER:+, both on cores 0-$((CORES - 2))}," \
	"each logging every request (buffered); medians of $ROUNDS interleaved rounds (nginx first in even ones)," \
	"each run after a warm-up of ${WARMUP}s"
: >check.txt
: >nginx-check.txt
: >content.txt
: >nginx-content.txt
for round in $(seq "$ROUNDS"); do # nginx first in even rounds
	if [ $((round % 2)) = 1 ]; then
		run "$LURL/v1/access-checks" post.lua >>check.txt
		run "http://127.0.0.1:$NPORT/check.json" >>nginx-check.txt
		run "$LURL/v1/items/$ID/content?purpose=warning" get.lua >>content.txt
		run "http://127.0.0.1:$NPORT/content.bin" >>nginx-content.txt
	else
		run "http://127.0.0.1:$NPORT/check.json" >>nginx-check.txt
		run "$LURL/v1/access-checks" post.lua >>check.txt
		run "http://127.0.0.1:$NPORT/content.bin" >>nginx-content.txt
		run "$LURL/v1/items/$ID/content?purpose=warning" get.lua >>content.txt
	fi
done
c_rps=$(col check.txt 1) c_p99=$(col check.txt 2)
c_bad=$(awk '{ s += $3 } END { print s + 0 }' check.txt)
n1_rps=$(col nginx-check.txt 1) n1_p99=$(col nginx-check.txt 2)
g_rps=$(col content.txt 1) g_p99=$(col content.txt 2)
g_bad=$(awk '{ s += $3 } END { print s + 0 }' content.txt)
n2_rps=$(col nginx-content.txt 1) n2_p99=$(col nginx-content.txt 2)
echo "rounds, requests/s and p99 ms: access checks $(range check.txt 1) / $(range check.txt 2 1)," \
	"nginx $(range nginx-check.txt 1) / $(range nginx-check.txt 2 1);" \
	"downloads $(range content.txt 1) / $(range content.txt 2 1)," \
	"nginx $(range nginx-content.txt 1) / $(range nginx-content.txt 2 1)"

printf '%-38s %12s %10s %8s\n' "" "requests/s" "p99 ms" "ratio"
printf '%-38s %12.0f %10.2f %8s\n' "nginx, static $(wc -c <check.json) bytes" "$n1_rps" "$n1_p99" ""
printf '%-38s %12.0f %10.2f %8.2f\n' "liaison POST /v1/access-checks" "$c_rps" "$c_p99" \
	"$(echo "$c_rps / $n1_rps" | bc -l)"
printf '%-38s %12.0f %10.2f %8s\n' "nginx, static $(wc -c <content.bin) bytes" "$n2_rps" "$n2_p99" ""
printf '%-38s %12.0f %10.2f %8.2f\n' "liaison GET /v1/items/{id}/content" "$g_rps" "$g_p99" \
	"$(echo "$g_rps / $n2_rps" | bc -l)"
echo "(non-2xx answers: access-checks $c_bad, content $g_bad)"
echo "goal: access checks at least 0.6 of nginx's rate, p99 under 10 ms at $CONNS connections:" \
	"$(echo "$c_rps >= 0.6 * $n1_rps && $c_p99 < 10" | bc -l | sed 's/1/met/; s/0/NOT met/')"
curl -s -H "Authorization: Bearer $AUDITOR" "$LURL/metrics" >metrics.txt
commits=$(awk '/^liaison_log_group_commits_total/ { print $2 }' metrics.txt)
entries=$(awk '/^liaison_log_group_entries_total/ { print $2 }' metrics.txt)
commits=${commits:-0} entries=${entries:-0} # (a build without group commit)
echo "each download is a decision logged durably before the payload goes; the worker threads'" \
	"decisions share commits: $entries decisions in $commits commits" \
	"($(echo "scale=1; $entries / ($commits + ($commits == 0))" | bc -l) a commit)"
echo "goal: downloads at least 2,000 a second:" \
	"$(echo "$g_rps >= 2000" | bc -l | sed 's/1/met/; s/0/NOT met/')"
[ "$c_bad" = 0 ] && [ "$g_bad" = 0 ]
