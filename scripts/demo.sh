#!/bin/sh
# demo.sh - a fresh JPN node, the 2019 example applied, and a replay of the
# year the Japan-ROK agreement nearly ended.
set -eu
L=${1:-build/liaison}
G=JPN-KOR-GSOMIA
LIAISON_HOME=$(mktemp -d)/jpn
export LIAISON_HOME
export LIAISON_PASSPHRASE="${LIAISON_PASSPHRASE:-demo passphrase}"
unset LIAISON_NOW
trap 'rm -rf "$(dirname "$LIAISON_HOME")"' EXIT

say() { printf '\n== %s\n' "$*"; }
run() { printf '$ liaison %s\n' "$*"; "$L" "$@"; }

say "a fresh node for Japan, and the agreement as configured"
run init --party JPN
run config apply examples/gsomia-2019.json
run agreement show "$G"

say "2019, as it happened"
for d in 2019-08-22 2019-08-23 2019-11-22 2019-11-23; do
	case $d in
	2019-08-22) echo "-- Seoul announces it will end the agreement" ;;
	2019-08-23) echo "-- Seoul's written notice is delivered" ;;
	2019-11-22) echo "-- hours before the end, Seoul suspends the notice" ;;
	2019-11-23) echo "-- the day the agreement would have ended" ;;
	esac
	run agreement status "$G" --at "$d"
done

say "what would have happened on 2019-11-23 without the suspension (event 4)"
run agreement status "$G" --at 2019-11-23 --without 4

say "every change of state, 2016 to 2023, and without the suspension"
run agreement timeline "$G" --from 2016-11-01 --to 2023-12-31
run agreement timeline "$G" --from 2019-01-01 --to 2023-12-31 --without 4

say "Tokyo's export control in 2019: hydrogen fluoride to Korea, and Korea's group"
echo "-- 2019-07-03: Korea is on the white list (group A)"
run export check --entry HF --to KOR --at 2019-07-03
echo "-- 2019-07-04: the three chemicals need an individual licence per contract"
run export check --entry HF --to KOR --at 2019-07-04 || true
echo "-- 2019-08-08: the first licence for hydrogen fluoride"
run export check --entry HF --to KOR --at 2019-08-08
echo "-- 2019-08-28: Korea moves to group B"
run export check --entry NC-TOOLS --to KOR --at 2019-08-28
run export timeline KOR

say "the node refuses what cannot happen"
LIAISON_NOW=2024-01-10
export LIAISON_NOW
run agreement event "$G" notice-suspended --date 2024-01-10 --by KOR || true
run agreement event "$G" notice --date 2024-01-10 --by USA || true
run agreement event "$G" notice --date 2024-02-01 --by KOR || true
unset LIAISON_NOW

say "two nodes, 2019-09-01: JPN shares a report on a missile launch with KOR"
KOR_HOME=$(dirname "$LIAISON_HOME")/kor
export LIAISON_NOW=2019-09-01
"$L" --home "$KOR_HOME" init --party KOR >/dev/null
"$L" --home "$KOR_HOME" config apply examples/gsomia-2019.json >/dev/null
run party key KOR "$KOR_HOME/keys/KOR.pub" >/dev/null
"$L" --home "$KOR_HOME" party key JPN "$LIAISON_HOME/keys/JPN.pub" >/dev/null
report=$(dirname "$LIAISON_HOME")/report.txt
echo "2019-08-24 06:45 KST: two short-range missiles launched eastward" >"$report"
id=$("$L" item share "$report" --by sato --level GOKUHI --title "Missile launch, 2019-08-24" \
	--releasable KOR --ntk MISSILE-WARNING --purpose warning 2>/dev/null)
echo "shared item $id"
run item release "$id" --to KOR --by sato -o "$report.lsn" 2>/dev/null
"$L" --home "$KOR_HOME" item import "$report.lsn" 2>/dev/null
"$L" --home "$KOR_HOME" item get "$id" --by kim --purpose warning -o "$report.kor" 2>/dev/null
echo "kim (KOR) reads: $(cat "$report.kor")"

say "on 2019-12-01 kim may still read it: the suspension kept the agreement in force"
export LIAISON_NOW=2019-12-01
"$L" --home "$KOR_HOME" access check --person kim --item "$id" --action read --purpose warning 2>/dev/null || true
say "and JPN's security officer, without the need to know, may not"
run access check --person suzuki --item "$id" --action read --purpose warning 2>/dev/null || true
unset LIAISON_NOW

say "every act is in each node's log; KOR keeps and checks JPN's signed checkpoint"
run log entries 2>/dev/null | cut -c1-150
run log checkpoint -o "$report.cp" 2>/dev/null
cat "$report.cp"
"$L" --home "$KOR_HOME" log witness "$report.cp" 2>/dev/null
run log verify 2>/dev/null
"$L" --home "$KOR_HOME" log verify 2>/dev/null

say "the same answers for machines (--json)"
run --json agreement status "$G" --at 2019-08-23
