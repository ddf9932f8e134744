# bench/lib.sh - what the shell benches share; sourced (. bench/lib.sh).

# The middle value of the numbers on standard input, one a line (of an even
# count, the mean of the two in the middle).
median() { sort -n | awk '{ v[NR] = $1 } END { m = int((NR + 1) / 2); print NR % 2 ? v[m] : (v[m] + v[m + 1]) / 2 }'; }
