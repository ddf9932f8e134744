#!/bin/sh
# deps.sh - installs the Debian packages liaison needs, when missing.
# As root it runs apt-get; otherwise it prints the command to run.
set -eu
PKGS="gcc clang libclang-rt-dev clang-format make pkg-config libsqlite3-dev libjansson-dev libsodium-dev libssl-dev librust-blake3-dev libmicrohttpd-dev libcurl4-openssl-dev libpq-dev libsystemd-dev postgresql libcriterion-dev bats jq sqlite3 age time bc python3 openssl curl tzdata man-db zsh python3-yaml python3-jsonschema chromium fonts-ipafont-gothic fonts-nanum nodejs npm"
# librust-blake3-dev: the BLAKE3 team's C code (its c/ folder), which the
# Makefile compiles in: envelopes' content hash from version 4
# chromium: the web console's browser tests (tests/console) drive it; the
# two fonts draw Japanese and Korean in its screenshots
# make bench also needs its peers: wrk and nginx for the HTTP benchmark
if [ "${1:-}" = bench ]; then PKGS="$PKGS wrk nginx-light"; fi
# make deb: Debian's packaging tools and lintian
if [ "${1:-}" = deb ]; then PKGS="$PKGS dpkg-dev debhelper fakeroot lintian groff-base pkgconf"; fi
missing=""
# Node.js from elsewhere (nodesource bundles npm) serves as well as Debian's
if command -v npm >/dev/null 2>&1 && command -v node >/dev/null 2>&1; then
	PKGS=$(echo "$PKGS" | sed 's/ nodejs npm//')
fi
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
		missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
	echo "liaison needs these Debian packages:$missing" >&2
	echo "install them with: sudo apt-get install -y$missing" >&2
	exit 1
fi
echo "installing:$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing >/dev/null
