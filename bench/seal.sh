#!/bin/sh
# bench/seal.sh - liaison seal and open against age and cp, in one run, on
# each size in BENCH_SEAL_SIZES (MiB; default "256 1024") and in each
# folder of BENCH_SEAL_DIRS (default "${BENCH_DIR:-/tmp} /dev/shm": the disk,
# then memory, which takes the disk out of the measure).
#
#   no sync:  liaison seal/open > FILE    vs  age -o FILE     vs  cp
#   durable:  liaison seal/open -o FILE   vs  age + sync FILE vs  cp + sync FILE
#             (liaison -o syncs and renames its output: a completed file
#             survives a crash; the peers get the same fsync to compare)
#
# The commands run interleaved: each round runs every one once, liaison's
# before age's in odd rounds and after in even ones, BENCH_RUNS rounds
# (default 7), after one round not counted (a warm-up); the medians
# count. Each command's output is removed after its run, so that every run
# starts with the same files (the input and the envelope to open), and a
# durable run writes a new file, as its peers' do: outputs left until the
# round's end had the second group of each round run beside two more
# files of the size (cp beside four). Prints seconds, MB/s, the ratio of
# liaison's time to age's and to cp's (below 1: faster), whether the goal
# (at most age's time) is met, and liaison's peak memory.
set -eu
. "$(dirname "$(realpath "$0")")/lib.sh" # median
L=$(realpath "${1:-build/liaison}")
SIZES=${BENCH_SEAL_SIZES:-${BENCH_SEAL_MB:-256 1024}}
DIRS=${BENCH_SEAL_DIRS:-${BENCH_DIR:-/tmp} /dev/shm}
RUNS=${BENCH_RUNS:-7}
for t in age age-keygen bc; do
	command -v $t >/dev/null || { echo "bench/seal.sh: $t is missing (apt-get install age bc)"; exit 1; }
done
export LIAISON_PASSPHRASE=bench
work=""
trap 'rm -rf $work' EXIT

# one timed run of a shell command, its seconds appended to FILE (synced
# before; its output, any out.*, removed after)
run() { # FILE COMMAND
	sync
	s=$(date +%s.%N)
	sh -c "$2" >/dev/null
	e=$(date +%s.%N)
	echo "$e - $s" | bc -l >>"$1"
	rm -f out.*
}

ratio() { echo "scale=2; $1 / $2" | bc -l; }
# the least and the greatest of the numbers on standard input, "a-b"
span() { sort -n | awk 'NR == 1 { a = $1 } { b = $1 } END { printf "%.2f-%.2f", a, b }'; }
goal=0

for d in $DIRS; do
	[ -d "$d" ] || { echo "bench/seal.sh: no folder $d, skipped"; continue; }
	dir=$(mktemp -d "$d/liaison-bench.XXXXXX")
	work="$work $dir"
	cd "$dir"
	"$L" keygen --party JPN --out . >/dev/null
	"$L" keygen --party KOR --out . >/dev/null
	age-keygen -o age.key 2>/dev/null
	R=$(age-keygen -y age.key)
	echo '{"originator": "JPN", "level": "GOKUHI", "title": "bench"}' >label.json
	SEAL="'$L' seal --sign JPN.key --to KOR.pub --label label.json --quiet"
	OPEN="'$L' open --key KOR.key --verify JPN.pub --quiet"
	for MB in $SIZES; do
		head -c $((MB << 20)) /dev/urandom >in.bin
		sh -c "$SEAL -o env.lsn in.bin" >/dev/null
		age -r "$R" -o in.age in.bin
		# round 0 is a warm-up, not counted: the first command timed after
		# the setup's writes (always liaison's seal) ran more than twice as
		# long as in the rounds after
		for i in $(seq 0 "$RUNS"); do
			[ "$i" -ne 1 ] || rm -f t.*
			# liaison first in odd rounds, age first in even ones
			if [ $((i % 2)) -eq 1 ]; then first=l; else first=a; fi
			for who in $first $([ $first = l ] && echo a || echo l); do
				if [ $who = l ]; then
					run t.seal "$SEAL in.bin > out.lsn"
					run t.open "$OPEN env.lsn > out.bin"
					run t.seal_sync "$SEAL --force -o out.lsn in.bin"
					run t.open_sync "$OPEN --force -o out.bin env.lsn"
				else
					run t.age_enc "age -r '$R' -o out.age in.bin"
					run t.age_dec "age -d -i age.key -o out.dec in.age"
					run t.age_enc_sync "age -r '$R' -o out.age in.bin && sync out.age"
					run t.age_dec_sync "age -d -i age.key -o out.dec in.age && sync out.dec"
				fi
			done
			run t.cp "cp in.bin out.cp"
			run t.cp_sync "cp in.bin out.cp && sync out.cp"
		done
		"$L" open --key KOR.key --verify JPN.pub --quiet env.lsn | cmp - in.bin
		echo "seal and open of $MB MiB in $d, medians of $RUNS interleaved rounds ($(nproc) cores)"
		printf '  %-14s %8s %8s %8s %9s %8s  %-19s  %s\n' "" liaison age cp liaison/age liaison/cp "goal (<= 1.0 x age)" "runs: liaison / age (s)"
		for op in seal open seal_sync open_sync; do
			peer=age_enc
			case $op in open) peer=age_dec ;; seal_sync) peer=age_enc_sync ;; open_sync) peer=age_dec_sync ;; esac
			c=t.cp
			case $op in *_sync) c=t.cp_sync ;; esac
			l=$(median <t.$op) a=$(median <t.$peer) cpt=$(median <$c)
			r=$(ratio "$l" "$a")
			met=met
			[ "$(echo "$r <= 1.00" | bc -l)" -eq 1 ] || { met="NOT met"; goal=1; }
			name=$op
			case $op in *_sync) name="${op%_sync}, durable" ;; esac
			printf '  %-14s %7.2fs %7.2fs %7.2fs %9s %8s   %-19s %s / %s\n' "$name" "$l" "$a" "$cpt" "$r" "$(ratio "$l" "$cpt")" "$met" "$(span <t.$op)" "$(span <t.$peer)"
		done
		if [ -x /usr/bin/time ]; then
			rss() { /usr/bin/time -f %M sh -c "$1" 2>&1 >/dev/null | tail -1; }
			echo "  peak memory (max RSS): seal $(rss "$SEAL --force -o out.lsn in.bin") KiB, open $(rss "$OPEN --force -o out.bin env.lsn") KiB"
		fi
		rm -f in.bin in.age env.lsn out.* t.*
	done
	cd /
done
[ "$goal" -eq 0 ] && echo "seal and open: at most age's time in every case" ||
	echo "seal and open: slower than age in some case (above)"
