#!/bin/sh
# bench/store/run.sh - the same workload on each store engine, with one and
# with two daemons of the node: access checks (reads), then shares (writes:
# a sealed payload, a row and a log entry each, durably), each for SECONDS
# under wrk from CONNS connections split over the daemons. SQLite and
# PostgreSQL (a throwaway server, scripts/pg.sh) in one run, interleaved:
# BENCH_STORE_ROUNDS rounds (default 3), each running the four cases (SQLite
# and PostgreSQL, one and two daemons) once, in the opposite order in even
# rounds, so that the machine's drift falls on all alike, and the writes'
# after-work (PostgreSQL's vacuum and checkpoint, the disk's writeback)
# done between cases, untimed; prints the median rate of each, the range of
# its access checks over the rounds, and its ratio to SQLite with one daemon. Then large items'
# share and read throughput, payloads in the database against files. BENCH_STORE_THREADS
# sets each daemon's worker threads (default: the machine's cores).
# usage: run.sh LIAISON [SECONDS] [CONNS]
set -eu
L=$(realpath "$1")
SECS=${2:-${BENCH_STORE_SECONDS:-10}}
CONNS=${3:-${BENCH_STORE_CONNS:-32}}
THREADS=${BENCH_STORE_THREADS:-$(nproc)} # each daemon's worker threads
HERE=$(dirname "$(realpath "$0")")
ROOT=$HERE/../..
. "$HERE/../lib.sh" # median
W=$(mktemp -d "${BENCH_DIR:-/tmp}/liaison-store.XXXXXX")
chmod 755 "$W"
PIDS=
trap 'for p in $PIDS; do kill $p 2>/dev/null; done; sh "$ROOT/scripts/pg.sh" stop "$W/pg"; rm -rf "$W"' EXIT
cd "$W"
export LIAISON_PASSPHRASE=bench LIAISON_NOW=2019-09-01
PG=$(sh "$ROOT/scripts/pg.sh" start "$W/pg")
echo "2019-08-24 06:45 KST: two short-range missiles launched eastward" >report.txt

cat >check.lua <<'LUA'
wrk.method = "POST"
wrk.body = os.getenv("BODY")
wrk.headers["Authorization"] = "Bearer " .. os.getenv("TOKEN")
wrk.headers["Content-Type"] = "application/json"
LUA
cat >share.lua <<'LUA'
wrk.method = "POST"
wrk.path = "/v1/items?level=GOKUHI&title=Bench&releasable=KOR&ntk=MISSILE-WARNING&purpose=warning"
wrk.body = "2019-08-24 06:45 KST: two short-range missiles launched eastward"
wrk.headers["Authorization"] = "Bearer " .. os.getenv("TOKEN")
LUA

# node ENGINE: a fresh node in folder ENGINE-N; sets HOME_ ID TOKEN
n=0
node() {
	n=$((n + 1))
	HOME_=$W/node-$n
	if [ "$1" = postgresql ]; then
		psql -q "$PG/postgres" -c "CREATE DATABASE bench_$n"
		"$L" --home "$HOME_" init --replay --party JPN --store "$PG/bench_$n" >/dev/null
	else
		"$L" --home "$HOME_" init --replay --party JPN >/dev/null
	fi
	"$L" --home "$HOME_" config apply "$ROOT/examples/gsomia-2019.json" >/dev/null
	ID=$("$L" --home "$HOME_" item share report.txt --by sato --level GOKUHI --title Launch \
		--releasable KOR --ntk MISSILE-WARNING --purpose warning 2>/dev/null)
	TOKEN=$("$L" --home "$HOME_" person token sato 2>/dev/null)
}

# daemons K: K daemons of the node; sets URLS
daemons() {
	URLS=
	for i in $(seq "$1"); do
		# --max-acts 0: one token shares here at the rate of many people
		# (the limit, 6,000 a minute, refused the shares past 700 a second)
		"$L" --home "$HOME_" serve --listen 127.0.0.1:0 --threads "$THREADS" --max-acts 0 \
			2>"$HOME_.d$i.log" &
		PIDS="$PIDS $!"
		for _ in $(seq 200); do grep -q "node on http" "$HOME_.d$i.log" 2>/dev/null && break; sleep 0.05; done
		URLS="$URLS http://127.0.0.1:$(sed -n 's/.*127\.0\.0\.1:\([0-9]*\).*/\1/p' "$HOME_.d$i.log" | head -1)"
	done
}

stop() {
	for p in $PIDS; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null || true; done
	PIDS=
}

# load SCRIPT PATH: wrk on every daemon at once (CONNS split); the summed rate
load() {
	k=$(echo $URLS | wc -w)
	c=$((CONNS / k))
	i=0 wrks=
	for u in $URLS; do
		i=$((i + 1))
		BODY="{\"item\": \"$ID\", \"action\": \"read\", \"purpose\": \"warning\"}" TOKEN=$TOKEN \
			wrk -t1 -c"$c" -d"${SECS}s" -s "$1" "$u$2" >"wrk.$i" 2>&1 &
		wrks="$wrks $!"
	done
	for p in $wrks; do wait "$p"; done
	total=0
	for j in $(seq "$k"); do
		bad=$(awk '/Non-2xx/ { print $NF }' "wrk.$j")
		[ -z "$bad" ] || { echo "bench/store: $bad failed requests" >&2; cat "wrk.$j" >&2; exit 1; }
		r=$(awk '/^Requests\/sec/ { print $2 }' "wrk.$j")
		total=$(echo "$total + $r" | bc)
	done
	echo "$total"
}

# the four cases: a node each (its folder, item and token kept in case.CASE)
CASES="sqlite:1 sqlite:2 postgresql:1 postgresql:2"
for kase in $CASES; do
	node "${kase%:*}"
	db=
	[ "${kase%:*}" = sqlite ] || db=bench_$n
	printf "HOME_='%s' ID='%s' TOKEN='%s' DB='%s'\n" "$HOME_" "$ID" "$TOKEN" "$db" >"case.$kase"
	: >"checks.$kase"
	: >"shares.$kase"
done
ROUNDS=${BENCH_STORE_ROUNDS:-3}
for round in $(seq "$ROUNDS"); do
	order=$CASES
	[ $((round % 2)) -eq 1 ] || order=$(echo $CASES | tr ' ' '\n' | tac | tr '\n' ' ')
	for kase in $order; do
		. "./case.$kase"
		daemons "${kase#*:}"
		load check.lua /v1/access-checks >>"checks.$kase"
		load share.lua /v1/items >>"shares.$kase"
		stop
		# the writes' after-work done before the next case is timed, not
		# in it: PostgreSQL's vacuum and checkpoint, the disk's writeback
		[ -z "$DB" ] || psql -q "$PG/$DB" -c VACUUM -c CHECKPOINT
		sync
	done
done
printf '%-11s %7s %16s %8s %16s %12s %8s\n' store daemons "access checks/s" ratio "(rounds' range)" "shares/s" ratio
base_c= base_s=
for kase in $CASES; do
	. "./case.$kase"
	"$L" --home "$HOME_" log verify >/dev/null
	checks=$(median <"checks.$kase")
	shares=$(median <"shares.$kase")
	[ -n "$base_c" ] || { base_c=$checks; base_s=$shares; }
	range=$(sort -n "checks.$kase" | awk 'NR == 1 { lo = $1 } { hi = $1 } END { printf "%.0f-%.0f", lo, hi }')
	printf '%-11s %7s %16.0f %8.2f %16s %12.0f %8.2f\n' "${kase%:*}" "${kase#*:}" "$checks" \
		"$(echo "$checks / $base_c" | bc -l)" "$range" "$shares" "$(echo "$shares / $base_s" | bc -l)"
done
echo "(medians of $ROUNDS interleaved rounds of $SECS s each, $CONNS connections split over the daemons," \
	"$THREADS worker threads in each; $(nproc) cores shared by wrk, the daemons and PostgreSQL;" \
	"the peer: SQLite with one daemon)"

# Large payloads: where a node on PostgreSQL keeps them (the database, in
# chunks of 1 MiB) against a node on SQLite (files in its folder). BIG MiB
# shared (sealed and kept) and read back (opened and sent) through one
# daemon, RUNS times each with curl; MB/s of the medians.
BIG=${BENCH_STORE_BIG_MIB:-256}
RUNS=${BENCH_STORE_BIG_RUNS:-3}
head -c "${BIG}M" /dev/urandom >big.bin
printf '\n%-22s %11s %8s %10s %8s\n' payloads "share MB/s" ratio "read MB/s" ratio
base_w= base_r=
for engine in sqlite postgresql; do
	node "$engine"
	daemons 1
	u=${URLS# }
	: >w.times
	: >r.times
	for _ in $(seq "$RUNS"); do
		curl -sf -o big.id -w '%{time_total}\n' -H "Authorization: Bearer $TOKEN" --data-binary @big.bin \
			"$u/v1/items?level=GOKUHI&title=Big&releasable=KOR&ntk=MISSILE-WARNING&purpose=warning" >>w.times
		id=$(jq -r .id big.id)
		curl -sf -o got.bin -w '%{time_total}\n' -H "Authorization: Bearer $TOKEN" \
			"$u/v1/items/$id/content?purpose=warning" >>r.times
		cmp -s got.bin big.bin || { echo "bench/store: the item read back differs" >&2; exit 1; }
	done
	rm -f got.bin
	stop
	w=$(echo "$BIG * 1.048576 / $(median <w.times)" | bc -l)
	r=$(echo "$BIG * 1.048576 / $(median <r.times)" | bc -l)
	[ -n "$base_w" ] || { base_w=$w; base_r=$r; }
	where=files
	[ "$engine" = postgresql ] && where=database
	printf '%-22s %11.0f %8.2f %10.0f %8.2f\n' "$engine ($where)" "$w" "$(echo "$w / $base_w" | bc -l)" \
		"$r" "$(echo "$r / $base_r" | bc -l)"
done
echo "(an item of $BIG MiB, medians of $RUNS; the peer: SQLite, its payloads in files)"
