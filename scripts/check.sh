#!/bin/sh
# check.sh - builds liaison and runs every test, three ways: gcc, a clang
# build, and the whole suite again under AddressSanitizer and UBSan. The
# store's suite runs on SQLite and again on a throwaway PostgreSQL server
# started here (scripts/pg.sh), where the CLI tests of a node on
# PostgreSQL run too (tests/cli/postgres.bats).
# The web console's pages run in Chromium against the gcc build's daemons.
# Each suite speaks TAP; the last line printed is "N passed, N failed".
set -u
MAKE=${MAKE:-make}
passed=0
failed=0
since=$(date +%s)
log=$(mktemp)
pgdir=/tmp/liaison-check-pg-$$
trap 'rm -f "$log" "$log".*; sh scripts/pg.sh stop "$pgdir"' EXIT
# the server is stopped when the check is stopped too, and the builds
# running beside the gcc suite (a background list ignores SIGINT),
# and the CLI suite's workers (cli below)
trap 'for p in ${builds:-}; do pkill -TERM -P "$p"; kill "$p"; done 2>/dev/null
	for p in ${workers:-}; do kill -TERM -- -"$p"; done 2>/dev/null; exit 143' INT TERM

# tally NAME: counts the TAP lines in $log, prints them on failure. A
# sanitizer report anywhere in the log counts as one more failure.
tally() {
	if grep -qE 'ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:' "$log"; then
		echo "not ok - sanitizer report:" >>"$log"
		grep -E -A12 'ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:' "$log" |
			head -60 >>"$log"
	fi
	ok=$(grep -c '^ok' "$log")
	bad=$(grep -c '^not ok' "$log")
	if [ "$1" != "${1#build}" ] && [ "$ok" -eq 0 ] && [ "$bad" -eq 0 ]; then bad=1; fi
	passed=$((passed + ok))
	failed=$((failed + bad))
	# with the seconds since the last line: the check must stay under 30 minutes
	now=$(date +%s)
	printf '%-40s %4d passed, %d failed  %5ss\n' "$1" "$ok" "$bad" "$((now - since))"
	since=$now
	[ "$bad" -eq 0 ] || grep -v '^ok' "$log" | head -200
}

# build NAME MAKEARGS...: one TAP line for a build.
build() {
	name=$1
	shift
	$MAKE --no-print-directory -j2 "$@" build-all >"$log.out" 2>&1
	built "$name" $?
}

# built NAME STATUS: the TAP line of a build whose output is in $log.out
built() {
	if [ "$2" -eq 0 ]; then
		echo "ok - $1" >"$log"
	else
		echo "not ok - $1" >"$log"
		tail -40 "$log.out" >>"$log"
	fi
	rm -f "$log.out"
	tally "build: $1"
}

# cli: the CLI tests (tests/cli/*.bats), two files at a time: bats waits on
# its daemons and their fsyncs more than it computes, and a lone suite leaves
# the second core idle (a third of the check's time). Two workers take the
# files from one queue (sed -i renames it: the lock is a file of its own),
# largest first, so that the last to end ends soon after the other; each
# file its own bats run (its own TAP plan: tally counts the lines). Every
# test has its own folder and its daemons a free port, so no two tests
# share anything. Each worker is a session of its own (setsid), so that a
# stopped check ends it whole, its tests' daemons included. A file whose
# run did not give its plan's count of tests is one more failure.
cli() {
	ls -S tests/cli/*.bats >"$log.queue"
	files=$(wc -l <"$log.queue")
	workers=
	for w in 1 2; do
		# shellcheck disable=SC2016
		setsid sh -c 'while f=$(flock "$1.lock" sh -c '\''f=$(head -1 "$1") && [ -n "$f" ] && sed -i 1d "$1" && echo "$f"'\'' - "$1.queue"); do
			bats --tap --timing "$f"
		done' - "$log" >"$log.cli$w" 2>&1 &
		workers="$workers $!"
	done
	# these two only: the builds run in the background beside the gcc suite
	# shellcheck disable=SC2086
	wait $workers
	workers=
	cat "$log.cli1" "$log.cli2"
	plans=$(cat "$log.cli1" "$log.cli2" | grep -c '^1\.\.')
	planned=$(cat "$log.cli1" "$log.cli2" | sed -n 's/^1\.\.\([0-9]*\)$/\1/p' | awk '{n += $1} END {print n + 0}')
	ran=$(cat "$log.cli1" "$log.cli2" | grep -cE '^(not )?ok ')
	[ "$plans" -eq "$files" ] && [ "$planned" -eq "$ran" ] ||
		echo "not ok - the CLI suite: $plans plans of $files files, $ran tests of $planned planned"
	rm -f "$log.queue" "$log.lock" "$log.cli1" "$log.cli2"
}

# suite NAME BUILD: the unit tests and the CLI tests of one build.
suite() {
	name=$1
	dir=$2
	for t in "$dir"/tests/test_*; do
		[ -x "$t" ] || continue
		# TAP to a file: with --tap=- Criterion hides the tests' stderr,
		# where the sanitizers report
		env -u LIAISON_TEST_PG "$t" -j2 --tap="$log.tap" >"$log.out" 2>&1
		cat "$log.tap" "$log.out" >"$log" 2>/dev/null
		rm -f "$log.tap" "$log.out"
		tally "$name unit $(basename "$t")"
	done
	if [ -n "${LIAISON_TEST_PG:-}" ]; then
		"$dir/tests/test_store" -j2 --tap="$log.tap" >"$log.out" 2>&1
		cat "$log.tap" "$log.out" >"$log" 2>/dev/null
		rm -f "$log.tap" "$log.out"
		tally "$name unit test_store on PostgreSQL"
	fi
	LIAISON_TOOLS="$PWD/$dir/tests/tools" LIAISON_BIN="${CLI_BIN:-$PWD/$dir/liaison}" cli >"$log" 2>&1
	# each test's time, slowest first, for whoever keeps the check under its 30 minutes
	grep -E '^(not )?ok [0-9]+ .* in [0-9]+ms$' "$log" |
		sed -E 's/^(not )?ok [0-9]+ (.*) in ([0-9]+)ms$/\3\t\2/' | sort -rn >"$dir/check-times.tsv"
	tally "$name cli (bats)"
}

# lint: clang-format and the banned functions
if make --no-print-directory lint >"$log.out" 2>&1; then echo "ok - lint" >"$log"; else
	{ echo "not ok - lint"; tail -20 "$log.out"; } >"$log"; fi
rm -f "$log.out"
tally "lint (clang-format, banned functions)"
# docs/openapi.yaml, linted by Redocly CLI (from the npm registry, pinned in
# tools/openapi-lint/package-lock.json): every warning of its strict set fails
if { [ -x tools/openapi-lint/node_modules/.bin/redocly ] ||
	npm ci --prefix tools/openapi-lint --no-audit --no-fund; } >"$log.out" 2>&1 &&
	tools/openapi-lint/node_modules/.bin/redocly lint \
		--config tools/openapi-lint/redocly.yaml docs/openapi.yaml >>"$log.out" 2>&1; then
	echo "ok - docs/openapi.yaml lints clean (Redocly CLI, recommended-strict)" >"$log"
else
	{ echo "not ok - docs/openapi.yaml (Redocly CLI)"; grep -v '[║╔╚]' "$log.out" | tail -40; } >"$log"
fi
rm -f "$log.out"
tally "OpenAPI lint (Redocly CLI)"
# the PostgreSQL server for the store's suite and postgres.bats
if LIAISON_TEST_PG=$(sh scripts/pg.sh start "$pgdir" 2>"$log.out"); then
	export LIAISON_TEST_PG
	echo "ok - a PostgreSQL server at $LIAISON_TEST_PG" >"$log"
else
	{ echo "not ok - no PostgreSQL server"; tail -20 "$log.out"; } >"$log"
	unset LIAISON_TEST_PG
fi
rm -f "$log.out"
tally "PostgreSQL server (scripts/pg.sh)"
build gcc CC=gcc BUILD=build
# the clang, sanitizer and fuzz builds, one after another on one core, beside
# the gcc suite, which leaves the other mostly idle (one process at a time);
# tallied after it. The fuzz targets are clang's, with libFuzzer.
SAN="-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all"
(
	for b in clang asan fuzz; do
		case $b in
		clang) set -- CC=clang BUILD=build/clang build-all ;;
		asan) set -- CC=gcc BUILD=build/asan OPT="-O1 -g" SAN="$SAN" build-all ;;
		fuzz) set -- fuzz-build ;;
		esac
		$MAKE --no-print-directory -j1 "$@" >"$log.$b" 2>&1
		echo $? >"$log.$b.rc"
	done
) &
builds=$!
[ -x build/liaison ] && suite gcc build
# the web console in a real browser (tests/console: Playwright from the npm
# registry, pinned in tools/console-test/package-lock.json, driving
# Debian's Chromium) against the gcc build's daemons
if [ -x build/liaison ]; then
	if { [ -d tools/console-test/node_modules/playwright-core ] ||
		npm ci --prefix tools/console-test --no-audit --no-fund; } >"$log.out" 2>&1; then
		sh tests/console/run.sh build/liaison >"$log" 2>&1
	else
		{ echo "not ok - npm ci --prefix tools/console-test"; tail -20 "$log.out"; } >"$log"
	fi
	rm -f "$log.out"
	tally "console (browser, tests/console)"
fi
wait "$builds"
for b in clang asan; do
	mv "$log.$b" "$log.out"
	built "$([ $b = asan ] && echo asan+ubsan || echo $b)" "$(cat "$log.$b.rc")"
	rm -f "$log.$b.rc"
done
# the CLI tests through tests/cli/lsan-sample.sh: LeakSanitizer on every
# daemon and on the first run of each shape of command line, ASan and UBSan
# on every run (the unit tests: LeakSanitizer on all)
if [ -x build/asan/liaison ]; then
	lsan=$(mktemp -d)
	cp tests/cli/lsan-sample.sh "$lsan/liaison"
	# the shapes of command line already leak-checked, one folder for both
	# workers of cli()
	mkdir "$lsan/shapes"
	# crash.bats: 25 SIGKILLs in the gcc run, 12 here (the recovery's
	# memory checked; the count is the gcc run's to prove); postgres.bats'
	# item through the database: 1 GiB in the gcc run, 64 MiB here
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
		LIAISON_ASAN_BIN="$PWD/build/asan/liaison" CLI_BIN="$lsan/liaison" LSAN_SHAPES="$lsan/shapes" CRASH_RUNS=12 \
		LIAISON_BIG_MIB=64 suite asan build/asan
	rm -rf "$lsan"
fi
# every fuzz target over its checked-in corpus (make fuzz runs them for longer)
if [ "$(cat "$log.fuzz.rc")" -eq 0 ]; then
	for f in build/fuzz/fuzz_*; do
		[ -x "$f" ] || continue
		n=${f#build/fuzz/fuzz_}
		if "$f" -runs=0 "fuzz/corpus/$n" >"$log.out" 2>&1; then
			echo "ok - fuzz_$n: its corpus ($(ls "fuzz/corpus/$n" | wc -l) inputs)" >"$log"
		else
			{ echo "not ok - fuzz_$n"; tail -30 "$log.out"; } >"$log"
		fi
		tally "fuzz corpus fuzz_$n"
	done
else
	{ echo "not ok - fuzz targets do not build"; tail -40 "$log.fuzz"; } >"$log"
	tally "build: fuzz targets"
fi
rm -f "$log.out" "$log.fuzz" "$log.fuzz.rc"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
