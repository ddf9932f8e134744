#!/bin/sh
# bench/seal.sh - liaison seal and open against age and cp, on one file, in
# one run. Each command runs BENCH_RUNS times (default 3); the median counts.
#
#   no sync:  liaison seal/open > FILE    vs  age -o FILE     vs  cp
#   durable:  liaison seal/open -o FILE   vs  age + sync FILE vs  cp + sync FILE
#             (liaison -o syncs and renames its output: a completed file
#             survives a crash; the peers get the same fsync to compare)
#
# Prints MB/s, the ratio of liaison's time to each peer's (below 1: faster),
# and liaison's peak memory for a small and the large file.
set -eu
L=$(realpath "${1:-build/liaison}")
MB=${BENCH_SEAL_MB:-1024}
RUNS=${BENCH_RUNS:-3}
dir=$(mktemp -d "${BENCH_DIR:-/tmp}/liaison-bench.XXXXXX")
trap 'rm -rf "$dir"' EXIT
for t in age age-keygen; do
	command -v $t >/dev/null || { echo "bench/seal.sh: $t is missing (apt-get install age)"; exit 1; }
done
export LIAISON_PASSPHRASE=bench
cd "$dir"
"$L" keygen --party JPN --out . >/dev/null
"$L" keygen --party KOR --out . >/dev/null
age-keygen -o age.key 2>/dev/null
R=$(age-keygen -y age.key)
echo '{"originator": "JPN", "level": "GOKUHI", "title": "bench"}' >label.json
head -c $((MB << 20)) /dev/urandom >in.bin
head -c $((4 << 20)) /dev/urandom >small.bin

# median seconds of a shell command over RUNS runs (the page cache warm, synced before)
t() {
	for i in $(seq "$RUNS"); do
		sync
		s=$(date +%s.%N)
		sh -c "$1" >/dev/null
		e=$(date +%s.%N)
		echo "$e - $s" | bc -l
	done | sort -n | sed -n "$(((RUNS + 1) / 2))p"
}

SEAL="'$L' seal --sign JPN.key --to KOR.pub --label label.json"
OPEN="'$L' open --key KOR.key --verify JPN.pub"
sh -c "$SEAL -o env.lsn in.bin" >/dev/null
age -r "$R" -o in.age in.bin

cp_plain=$(t "cp in.bin out.cp")
cp_sync=$(t "cp in.bin out.cp && sync out.cp")
seal_plain=$(t "$SEAL in.bin > out.lsn")
seal_sync=$(t "$SEAL --force -o out.lsn in.bin")
age_enc=$(t "age -r '$R' -o out.age in.bin")
age_enc_sync=$(t "age -r '$R' -o out.age in.bin && sync out.age")
open_plain=$(t "$OPEN env.lsn > out.bin")
open_sync=$(t "$OPEN --force -o out.bin env.lsn")
age_dec=$(t "age -d -i age.key -o out.dec in.age")
age_dec_sync=$(t "age -d -i age.key -o out.dec in.age && sync out.dec")
cmp in.bin out.bin

rate() { echo "scale=0; $MB * 1.048576 / $1" | bc -l; }
ratio() { echo "scale=2; $1 / $2" | bc -l; }
row() { printf '  %-34s %6.2f s %6s MB/s   liaison/%s %5s   liaison/cp %5s\n' "$1" "$2" "$(rate "$2")" "$3" "$4" "$5"; }

echo "seal and open of $MB MiB, median of $RUNS runs ($(nproc) cores)"
echo "no sync:"
printf '  %-34s %6.2f s %6s MB/s\n' "cp" "$cp_plain" "$(rate "$cp_plain")"
printf '  %-34s %6.2f s %6s MB/s\n' "age -r (encrypt)" "$age_enc" "$(rate "$age_enc")"
row "liaison seal > file" "$seal_plain" age "$(ratio "$seal_plain" "$age_enc")" "$(ratio "$seal_plain" "$cp_plain")"
printf '  %-34s %6.2f s %6s MB/s\n' "age -d (decrypt)" "$age_dec" "$(rate "$age_dec")"
row "liaison open > file" "$open_plain" age "$(ratio "$open_plain" "$age_dec")" "$(ratio "$open_plain" "$cp_plain")"
echo "durable (fsync before done):"
printf '  %-34s %6.2f s %6s MB/s\n' "cp + sync" "$cp_sync" "$(rate "$cp_sync")"
printf '  %-34s %6.2f s %6s MB/s\n' "age -r + sync" "$age_enc_sync" "$(rate "$age_enc_sync")"
row "liaison seal -o (fsync, rename)" "$seal_sync" age "$(ratio "$seal_sync" "$age_enc_sync")" "$(ratio "$seal_sync" "$cp_sync")"
printf '  %-34s %6.2f s %6s MB/s\n' "age -d + sync" "$age_dec_sync" "$(rate "$age_dec_sync")"
row "liaison open -o (fsync, rename)" "$open_sync" age "$(ratio "$open_sync" "$age_dec_sync")" "$(ratio "$open_sync" "$cp_sync")"

if command -v /usr/bin/time >/dev/null; then
	rss() { /usr/bin/time -f %M sh -c "$1" 2>&1 >/dev/null | tail -1; }
	echo "peak memory (max RSS, KiB):"
	echo "  seal 4 MiB: $(rss "$SEAL --force -o s.lsn small.bin")    seal $MB MiB: $(rss "$SEAL --force -o out.lsn in.bin")"
	echo "  open 4 MiB: $(rss "$OPEN --force -o s.out s.lsn")    open $MB MiB: $(rss "$OPEN --force -o out.bin env.lsn")"
fi
