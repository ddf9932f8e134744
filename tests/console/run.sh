#!/bin/sh
# run.sh LIAISON - the web console's browser tests (tests/console/*.test.mjs)
# against real daemons of the binary LIAISON: two nodes, JPN and KOR, with
# examples/gsomia-2019.json on 2023-06-01 (the whole 2019 story in the
# past), an item JPN shared and released to KOR, KOR as JPN's peer; then
# Playwright (tools/console-test, pinned) drives Debian's Chromium headless.
# Prints TAP (node --test). Screenshots go to $CONSOLE_SHOTS (default: a
# folder in the run's temporary one, removed at the end).
# Everything started here is stopped at the end, whatever happens.
set -eu
if [ ! -x "${1:-}" ]; then
	echo "not ok - usage: run.sh LIAISON_BINARY (no binary at '${1:-}')"
	exit 2
fi
L=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
TMP=$(mktemp -d /tmp/liaison-console.XXXXXX)
PIDS=""
STARTED=0
cleanup() {
	rc=$?
	[ "$rc" -eq 0 ] || [ "$STARTED" -eq 1 ] || echo "not ok - the console tests' nodes could not be prepared (exit $rc)"
	for p in $PIDS; do kill -TERM "$p" 2>/dev/null || true; done
	for p in $PIDS; do wait "$p" 2>/dev/null || true; done
	rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 143' INT TERM

CHROMIUM=${CHROMIUM:-/usr/bin/chromium}
if [ ! -x "$CHROMIUM" ]; then
	echo "not ok - no Chromium at $CHROMIUM (scripts/deps.sh installs Debian's chromium)"
	exit 1
fi
if [ ! -d "$ROOT/tools/console-test/node_modules/playwright-core" ]; then
	npm ci --prefix "$ROOT/tools/console-test" --no-audit --no-fund >"$TMP/npm.log" 2>&1 || {
		echo "not ok - npm ci --prefix tools/console-test"
		sed 's/^/# /' "$TMP/npm.log" | tail -20
		exit 1
	}
fi

export LIAISON_PASSPHRASE="console test passphrase"
export LIAISON_NOW=2023-06-01
unset LIAISON_HOME LIAISON_URL LIAISON_TOKEN
cd "$TMP"
for p in jpn kor; do
	"$L" --home $p init --replay --party "$(echo $p | tr a-z A-Z)" >/dev/null
	"$L" --home $p config apply "$ROOT/examples/gsomia-2019.json" >/dev/null
done
"$L" --home jpn party key KOR kor/keys/KOR.pub >/dev/null
"$L" --home kor party key JPN jpn/keys/JPN.pub >/dev/null

# JPN's items: one released to KOR (so KOR holds one under both markings), one lower
printf 'launch at 06:00 from the west coast\n' >report.txt
ITEM=$("$L" --home jpn item share report.txt --by sato --level GOKUHI \
	--title "弾道ミサイル発射 / 탄도미사일 발사 (Missile launch)" --releasable KOR \
	--ntk MISSILE-WARNING --purpose warning 2>/dev/null)
printf 'exercise schedule\n' >naval.txt
"$L" --home jpn item share naval.txt --by sato --level HI --title "Naval exercise schedule" \
	--releasable KOR --purpose training >/dev/null 2>&1
"$L" --home jpn item release "$ITEM" --to KOR --by sato -o to-kor.lsn >/dev/null 2>&1
"$L" --home kor item import to-kor.lsn >/dev/null

token() { "$L" --home "$1" person token "$2" 2>/dev/null; }

# serve HOME: a daemon on a free port; sets URL
serve() {
	"$L" --home "$1" serve --listen 127.0.0.1:0 --witness-every 2 >/dev/null 2>"$1.log" &
	PIDS="$PIDS $!"
	i=0
	while ! grep -q "node on http" "$1.log" 2>/dev/null; do
		i=$((i + 1))
		if [ $i -gt 200 ]; then
			echo "not ok - the $1 daemon did not start"
			sed 's/^/# /' "$1.log" | tail -20
			exit 1
		fi
		sleep 0.05
	done
	URL="http://127.0.0.1:$(sed -n 's/.*127\.0\.0\.1:\([0-9]*\).*/\1/p' "$1.log" | head -1)"
}
serve kor
KOR_URL=$URL
"$L" --home jpn peer add KOR --url "$KOR_URL" >/dev/null
# the USA as JPN's peer too (nobody answers for it), whose log raised an
# alarm: the auditor's log page shows it (it is not in /readyz, anyone's)
echo '{"parties": [{"code": "USA", "name": "United States", "levels": [
        {"code": "C", "name": "CONFIDENTIAL", "rank": 1}]}]}' >usa.json
"$L" --home jpn config apply usa.json >/dev/null
"$L" keygen --party USA --out . >/dev/null
"$L" --home jpn party key USA USA.pub >/dev/null
"$L" --home jpn peer add USA --url http://127.0.0.1:9 >/dev/null
sqlite3 jpn/node.db "UPDATE peers SET alarm = 'ALARM: liaison/USA signed two different trees of 3 entries' WHERE party = 'USA'"
serve jpn
JPN_URL=$URL
"$L" --home kor peer add JPN --url "$JPN_URL" >/dev/null
# KOR's security officer reports the item compromised: KOR's daemon
# delivers the report to JPN's node, where it stands open
"$L" --home kor item report-compromise "$ITEM" --by park --details "laptop lost in Busan" >/dev/null 2>&1
i=0
until "$L" --home jpn --json report list 2>/dev/null | jq -e '.open == 1' >/dev/null; do
	i=$((i + 1))
	if [ $i -gt 200 ]; then
		echo "not ok - KOR's compromise report did not reach JPN's node"
		exit 1
	fi
	sleep 0.05
done

cat >env.json <<EOF
{
  "jpn": {"url": "$JPN_URL",
          "keyline": "$(cat jpn/keys/JPN.pub)",
          "tokens": {"sato": "$(token jpn sato)", "ito": "$(token jpn ito)",
                     "mori": "$(token jpn mori)", "suzuki": "$(token jpn suzuki)"}},
  "kor": {"url": "$KOR_URL",
          "keyline": "$(cat kor/keys/KOR.pub)",
          "tokens": {"kim": "$(token kor kim)"}},
  "item": "$ITEM",
  "shots": "${CONSOLE_SHOTS:-$TMP/shots}"
}
EOF
mkdir -p "${CONSOLE_SHOTS:-$TMP/shots}"

cd "$ROOT"
STARTED=1
CONSOLE_ENV="$TMP/env.json" CHROMIUM="$CHROMIUM" \
	node --test --test-reporter=tap --test-concurrency=2 tests/console/*.test.mjs
