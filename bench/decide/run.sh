#!/bin/sh
# bench/decide/run.sh - liaison's decide() against Cedar on the same requests.
# Installs @cedar-policy/cedar-wasm (4.x) from the npm registry into build/.
set -eu
B=${1:-build/bench/bench_decide}
mods=build/bench/cedar
if [ ! -d "$mods/node_modules/@cedar-policy/cedar-wasm" ]; then
	command -v npm >/dev/null || { echo "bench/decide: npm is missing (apt-get install npm)"; exit 1; }
	mkdir -p "$mods"
	npm install --silent --prefix "$mods" @cedar-policy/cedar-wasm@4.13.0 >/dev/null
fi
req=$(mktemp)
trap 'rm -f "$req"' EXIT
out=$("$B" "$req")
echo "$out" | sed '$d'
secs=$(echo "$out" | tail -1 | cut -d' ' -f1)
brief=$(echo "$out" | tail -1 | cut -d' ' -f2)
CEDAR_MODULES="$PWD/$mods/node_modules" node bench/decide/cedar.mjs "$req" "$secs" 1000000 "$brief"
