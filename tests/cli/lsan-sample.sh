#!/bin/sh
# lsan-sample.sh - the CLI suite's `liaison` under AddressSanitizer and UBSan
# (check.sh installs it as `liaison` outside the repository, with
# LIAISON_ASAN_BIN the sanitizer build), with LeakSanitizer where it pays:
#  - every daemon (a command line with the word serve), and
#  - the first run in the suite of each shape of command line: its
#    lower-case words (the command, the action, person and folder names)
#    and its option names; values with other characters (ids, dates,
#    files, levels) do not make a new shape.
# Later runs of a shape skip the leak check at exit, which costs some
# 40 ms a process on a small machine: the suite runs some 8000 of them.
# Memory errors and undefined behaviour are checked in every run.
key=
n=0
leaks=0
for a; do
	n=$((n + 1))
	[ "$n" -le 12 ] || break
	case $a in
	serve) leaks=1 ;;
	--*=*) key=${key}_${a%%=*} ;;
	'' | *[!a-z-]*) ;;
	*) [ "${#a}" -gt 20 ] || key=${key}_$a ;;
	esac
done
# the shape's marker (in LSAN_SHAPES, else the suite's folder), made at
# most once (O_EXCL: set -C; true, not the special builtin :, whose failed
# redirection would end the script); a marker that cannot be made (no such
# folder, a name too long) checks too
marker=${LSAN_SHAPES:-${BATS_SUITE_TMPDIR:-/nonexistent}}/lsan$key
if [ "$leaks" = 0 ] && { { set -C && true >"$marker"; } 2>/dev/null || [ ! -e "$marker" ]; }; then
	leaks=1
fi
ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=$leaks" exec "$LIAISON_ASAN_BIN" "$@"
