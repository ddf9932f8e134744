#!/usr/bin/env bats
# README.md's tour, run as written: every ```sh block after "## A short
# tour", in order, in one shell. The first block (build, PATH, a scratch
# folder) is done here for the binary under test. A command whose comment
# says "exit N" must exit N; every other must succeed.
load helpers

# The tour's blocks as one script on stdout, each expected failure checked.
tour_script() {
	awk '
		/^## A short tour/ { tour = 1 }
		/^## Documentation/ { tour = 0 }
		tour && /^```sh$/ { block++; on = 1; next }
		on && /^```$/ { on = 0; next }
		on && block > 1 {
			if (match($0, /  # [^#]*exit [0-9]/)) {
				cmd = substr($0, 1, RSTART - 1)
				code = substr($0, RSTART + RLENGTH - 1, 1)
				printf "__s=0; %s || __s=$?\n", cmd
				printf "[ \"$__s\" -eq %s ] || { echo \"README line %d: exit $__s, not %s\" >&2; exit 1; }\n", code, NR, code
			} else
				print
		}' "$BATS_TEST_DIRNAME/../../README.md"
}

teardown() {
	[ -z "${SERVE_PID:-}" ] || kill "$SERVE_PID" 2>/dev/null || true
}

@test "the README's tour runs as written, each command with the exit its comment gives" {
	tour_script >"$BATS_TEST_TMPDIR/tour.sh"
	# enough of it to be the tour, not an empty extraction
	[ "$(grep -c '^liaison\|^ID=\|^TOKEN=' "$BATS_TEST_TMPDIR/tour.sh")" -gt 40 ]
	bin=$(mktemp -d)
	ln -s "$(cd "$(dirname "$L")" && pwd)/$(basename "$L")" "$bin/liaison"
	cp -r "$BATS_TEST_DIRNAME/../../examples" "$BATS_TEST_TMPDIR/"
	cd "$BATS_TEST_TMPDIR"
	unset LIAISON_HOME LIAISON_PASSPHRASE LIAISON_NOW LIAISON_URL LIAISON_TOKEN
	run env PATH="$bin:$PATH" bash -euo pipefail -c 'trap "kill \$(jobs -p) 2>/dev/null || true" EXIT; . ./tour.sh'
	echo "$output" | tail -n 30
	[ "$status" -eq 0 ]
	# what the tour made is there: an item received on KOR's node, the same bytes
	cmp report.txt received.txt
	cmp report.txt again.txt
	cmp report.txt opened.txt
	[[ "$output" == *"in-force-under-notice"* ]]
	[[ "$output" == *"DENY: kim may not read item"* ]]
}
