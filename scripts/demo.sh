#!/bin/bash
# demo.sh - the main job: two nodes, JPN and KOR, as real daemons on
# loopback (SQLite), replaying 2019 with LIAISON_NOW. Each scene restarts
# both daemons on that day's date. JPN shares a report on a missile launch;
# KOR receives and reads it; KOR's notice of termination and its suspension
# travel as signed notes; Tokyo's export control changes; a release to the
# USA is refused, then allowed with JPN's consent; each node witnesses the
# other's log; both logs are verified at the end.
set -eu
L=$(realpath "${1:-build/liaison}")
ROOT=$(pwd)
G=JPN-KOR-GSOMIA
W=$(mktemp -d)
export LIAISON_PASSPHRASE="${LIAISON_PASSPHRASE:-demo passphrase}"
unset LIAISON_HOME LIAISON_NOW
JPN_PID= KOR_PID= JPN_PORT=0 KOR_PORT=0
stop_all() {
	for p in $JPN_PID $KOR_PID; do kill -TERM "$p" 2>/dev/null || true; done
	for p in $JPN_PID $KOR_PID; do wait "$p" 2>/dev/null || true; done
	JPN_PID= KOR_PID=
}
trap 'stop_all; rm -rf "$W"' EXIT
cd "$W"

say() { printf '\n== %s\n' "$*"; }
note() { printf -- '-- %s\n' "$*"; }
# on NODE ARGS...: liaison on that node's folder, shown as typed
on() {
	local node=$1
	shift
	printf '%s$ liaison %s\n' "${node^^}" "$*"
	"$L" --home "$node" "$@" 2>/dev/null
}
# up NODE: its daemon on today's date, on the port it had (the peers know it)
up() {
	local node=$1 port_var=${1^^}_PORT
	# its log emptied here first: the background shell opens it later, and
	# the wait below would take the last daemon's line for this one's
	# (tests/cli/helpers.bash's daemon() had the same race)
	: >"$node.log"
	"$L" --home "$node" serve --listen "127.0.0.1:${!port_var}" --threads 2 \
		--retry-max 1 --witness-every 1 2>"$node.log" &
	eval "${node^^}_PID=$!"
	local deadline=$((SECONDS + 30))
	until grep -q "node on http" "$node.log" 2>/dev/null || ((SECONDS >= deadline)); do
		sleep 0.05
	done
	eval "${node^^}_PORT=$(sed -n 's/.*127\.0\.0\.1:\([0-9]*\).*/\1/p' "$node.log" | head -1)"
}
# day DATE TITLE: both daemons restarted on DATE
day() {
	stop_all
	export LIAISON_NOW=$1
	say "$1: $2"
	up jpn
	up kor
}
# settle: until neither outbox holds a queued message (at most 20 s)
settle() {
	for _ in $(seq 200); do
		q=0
		for node in jpn kor; do
			n=$("$L" --home $node --json peer outbox 2>/dev/null |
				jq '[.messages[] | select(.state == "queued")] | length')
			q=$((q + n))
		done
		[ "$q" = 0 ] && return 0
		sleep 0.1
	done
	echo "messages still queued after 20 s" >&2
	return 1
}
# http NODE TOKEN METHOD PATH [CURL ARGS...]: the API as a person would call it
http() {
	local node=$1 token=$2 method=$3 path=$4 port_var=${1^^}_PORT
	shift 4
	printf '%s$ curl -X %s %s\n' "${node^^}" "$method" "$path" >&2
	curl -s -H "Authorization: Bearer $token" -X "$method" "$@" "http://127.0.0.1:${!port_var}$path"
}
state() { # NODE: the agreement's state, one line
	"$L" --home "$1" --json agreement status "$G" 2>/dev/null |
		jq -r '"\(.state)" + (if .ends then ", would end at the start of \(.ends)" else "" end)
			+ (if .notice then "; notice by \(.notice.by): \(.notice.status)" else "" end)'
}

say "two governments, two nodes: the agreement as in force since 2016"
export LIAISON_NOW=2019-07-01
# the example's parties and people, its events up to 2016 only (2019 is
# played below), and a third party, the USA, for the release at the end
jq '.agreements[0].events |= map(select(.date < "2017-01-01"))
    | .parties += [{"code": "USA", "name": "United States", "levels": [
        {"code": "C", "name": "CONFIDENTIAL", "rank": 1}, {"code": "S", "name": "SECRET", "rank": 2}]}]
    | .agreements += [{"id": "KOR-USA", "title": "ROK-US", "parties": ["KOR", "USA"],
        "term_years": 1, "renewal_years": 1, "notice_days": 90,
        "equivalence": [{"common": "SECRET", "KOR": ["II"], "USA": ["S"]}],
        "events": [{"date": "1987-01-01", "kind": "in-force"}]}]' \
	"$ROOT/examples/gsomia-2019.json" >config.json
for node in jpn kor; do
	on $node init --replay --party "${node^^}"
	on $node config apply config.json
done
"$L" keygen --party USA >/dev/null 2>&1 # the USA's public key: KOR seals to it, and
on jpn party key KOR kor/keys/KOR.pub >/dev/null # JPN's consent seals the content's digest to it
on jpn party key USA USA.pub >/dev/null
on kor party key JPN jpn/keys/JPN.pub >/dev/null
on kor party key USA USA.pub >/dev/null
up jpn
up kor
on jpn peer add KOR --url "http://127.0.0.1:$KOR_PORT"
on kor peer add JPN --url "http://127.0.0.1:$JPN_PORT"
SATO=$("$L" --home jpn person token sato 2>/dev/null)
KIM=$("$L" --home kor person token kim 2>/dev/null)
echo "JPN's node on port $JPN_PORT, KOR's on $KOR_PORT; each holds the other's key and address"
echo "JPN: $(state jpn)"

say "Tokyo's export control in 2019 (JPN's node)"
note "2019-07-03: Korea is on the white list (group A): hydrogen fluoride needs no individual licence"
on jpn export check --entry HF --to KOR --at 2019-07-03
note "2019-07-04: the three chemicals need an individual licence per contract"
on jpn export check --entry HF --to KOR --at 2019-07-04 || true

note "2019-08-22: Seoul announces it will end the agreement; the deadline for a notice that year:"
on jpn agreement status "$G" --at 2019-08-22 | grep -E '^JPN[$]|a notice given by'

day 2019-08-23 "Seoul's written notice of termination is delivered"
on kor agreement event "$G" notice --date 2019-08-23 --by KOR
settle
note "the note travelled, signed by KOR; both nodes now hold the same state"
echo "JPN: $(state jpn)"
echo "KOR: $(state kor)"

day 2019-08-24 "a missile launch: JPN shares its report with KOR, still under the agreement"
echo "2019-08-24 06:45 KST: two short-range missiles launched eastward" >report.txt
id=$(http jpn "$SATO" POST "/v1/items?level=GOKUHI&title=Missile%20launch&releasable=KOR&releasable=USA&ntk=MISSILE-WARNING&purpose=warning" \
	--data-binary @report.txt | jq -r .id)
echo "shared item $id (GOKUHI, releasable to KOR and USA, need to know MISSILE-WARNING)"
http jpn "$SATO" POST "/v1/items/$id/release" -d '{"to": "KOR", "send": true}' | jq -c .
settle
note "KOR's node answered with its signed receipt:"
"$L" --home jpn --json peer outbox 2>/dev/null | jq -c '.messages[] | select(.kind == "item") | .receipt.receipt'
note "kim (KOR analyst) reads it, marked with KOR's equivalent level"
on kor item show "$id" | head -3
http kor "$KIM" GET "/v1/items/$id/content?purpose=warning"

day 2019-08-28 "Korea moves from group A to group B of Tokyo's export control"
on jpn export check --entry NC-TOOLS --to KOR --at 2019-08-28

day 2019-11-22 "hours before the end, Seoul suspends its notice"
on kor agreement event "$G" notice-suspended --date 2019-11-22 --by KOR
settle
echo "JPN: $(state jpn)"
echo "KOR: $(state kor)"

day 2019-11-23 "the day the agreement would have ended"
echo "JPN: $(state jpn)"
note "kim still reads the report: the agreement is in force"
KIM=$("$L" --home kor person token kim 2>/dev/null) # the first expired after 30 days
http kor "$KIM" POST /v1/access-checks \
	-d "{\"item\": \"$id\", \"action\": \"read\", \"purpose\": \"warning\"}" |
	jq -r '.decision // "error: \(.error.message)"'
note "without the suspension (event 4), it would have ended, and so would the sharing:"
on jpn agreement status "$G" --without 4 | head -2 # the command, then its first line

day 2019-12-01 "KOR wants to pass the report to the USA"
echo "KOR\$ liaison item release $id --to USA --by park -o to-usa.lsn"
"$L" --home kor item release "$id" --to USA --by park -o to-usa.lsn 2>&1 | grep -E "^DENY|NO R-" || true
note "JPN, the originator, consents in writing; the consent travels to KOR's node"
on jpn consent grant "$id" --to USA --by sato --send KOR
settle
on kor item release "$id" --to USA --by park -o to-usa.lsn
"$L" inspect to-usa.lsn 2>/dev/null | head -4

say "every change of the agreement's state, as both nodes now hold it"
on kor agreement timeline "$G" --from 2016-11-01 --to 2019-12-31

say "each node witnesses the other's log"
sleep 2
on jpn peer status || true
on kor peer status || true

say "both logs verified, every act in them"
stop_all
on jpn log verify
on kor log verify
echo
echo "JPN's log, last entries:"
"$L" --home jpn log entries 2>/dev/null | tail -4 | cut -c1-150
