#!/usr/bin/env bats
# The libraries of the network and of PostgreSQL (libmicrohttpd, libcurl,
# libpq, libsystemd) are loaded when a command first needs them
# (src/sys/lazy.h), not at every start: local commands run without them,
# and a command that needs one it cannot load says which, and its package.
load helpers

# fakes DIR: a library of each of the four sonames that has none of their
# functions, in DIR (put first in LD_LIBRARY_PATH, the loader takes them)
fakes() {
	mkdir -p "$1"
	echo 'int liaison_fake_library;' >"$1/fake.c"
	for so in libmicrohttpd.so.12 libcurl.so.4 libpq.so.5 libsystemd.so.0; do
		cc -shared -fPIC -o "$1/$so" "$1/fake.c"
	done
}

@test "the binary names none of the four libraries: they are not loaded at start" {
	cd "$BATS_TEST_TMPDIR"
	[ "$(head -c 4 "$L" | od -An -c | tr -d ' ')" = '177ELF' ] || skip "$L is not the binary itself"
	run readelf -d "$L"
	[ "$status" -eq 0 ]
	echo "$output" | grep -q 'NEEDED.*libsodium'
	! echo "$output" | grep -E 'NEEDED.*(libmicrohttpd|libcurl|libpq|libsystemd)'
}

@test "local commands run with all four libraries broken" {
	cd "$BATS_TEST_TMPDIR"
	fakes fakes
	export LD_LIBRARY_PATH="$PWD/fakes"
	example_node
	echo "launch at 06:00" >report.txt
	ID=$("$L" item share report.txt --by sato --level GOKUHI --title Launch --releasable KOR \
		--ntk MISSILE-WARNING --purpose warning 2>/dev/null)
	run "$L" item get "$ID" --by sato --purpose warning -o got.txt
	[ "$status" -eq 0 ]
	cmp got.txt report.txt
	run "$L" agreement status "$G" --at 2019-11-23
	[ "$status" -eq 0 ]
	[[ "$output" == "$G on 2019-11-23: "* ]]
	run "$L" log verify
	[ "$status" -eq 0 ]
}

@test "serve, with a broken libmicrohttpd, says which library and package, and does not start" {
	cd "$BATS_TEST_TMPDIR"
	example_node
	fakes fakes
	LD_LIBRARY_PATH="$PWD/fakes" run "$L" serve --listen 127.0.0.1:0
	[ "$status" -eq 1 ]
	[[ "$output" == *"libmicrohttpd.so.12 cannot be loaded (Debian package libmicrohttpd12): it has no function MHD_"* ]]
	! [[ "$output" == *"node on http"* ]]
}

@test "serve under systemd with a broken libsystemd does not start, and says why" {
	cd "$BATS_TEST_TMPDIR"
	example_node
	mkdir fakes
	echo 'int liaison_fake_library;' >fakes/fake.c
	cc -shared -fPIC -o fakes/libsystemd.so.0 fakes/fake.c
	NOTIFY_SOCKET="$PWD/none.sock" LD_LIBRARY_PATH="$PWD/fakes" run "$L" serve --listen 127.0.0.1:0
	[ "$status" -eq 1 ]
	[[ "$output" == *"NOTIFY_SOCKET is set (systemd's Type=notify), but the daemon cannot notify: libsystemd.so.0 cannot be loaded (Debian package libsystemd0): it has no function sd_notify"* ]]
	! [[ "$output" == *"node on http"* ]]
	# without NOTIFY_SOCKET, libsystemd is not needed
	LD_LIBRARY_PATH="$PWD/fakes" "$L" serve --listen 127.0.0.1:0 2>serve.log &
	pid=$!
	for _ in $(seq 200); do grep -q "node on http" serve.log && break; sleep 0.05; done
	kill -TERM "$pid"
	wait "$pid" || true
	grep -q "node on http" serve.log
}

@test "a daemon with a broken libcurl serves, and says once that it cannot deliver to peers" {
	cd "$BATS_TEST_TMPDIR"
	example_node
	"$L" keygen --party KOR --out . >/dev/null 2>&1
	"$L" party key KOR KOR.pub >/dev/null
	"$L" peer add KOR --url http://127.0.0.1:9 >/dev/null
	fakes fakes
	# only libcurl broken: the daemon itself starts
	rm fakes/libmicrohttpd.so.12 fakes/libsystemd.so.0 fakes/libpq.so.5
	LD_LIBRARY_PATH="$PWD/fakes" "$L" serve --listen 127.0.0.1:0 2>serve.log &
	pid=$!
	for _ in $(seq 200); do grep -q "no deliveries to peers" serve.log && break; sleep 0.05; done
	sleep 1
	kill -TERM "$pid"
	wait "$pid" || true
	grep -q "node on http" serve.log
	[ "$(grep -c "no deliveries to peers: libcurl.so.4 cannot be loaded (Debian package libcurl4): it has no function curl_" serve.log)" -eq 1 ]
}

@test "a command through a daemon, with a broken libcurl, says which library and package" {
	cd "$BATS_TEST_TMPDIR"
	fakes fakes
	LIAISON_URL=http://127.0.0.1:9 LIAISON_TOKEN=t LD_LIBRARY_PATH="$PWD/fakes" run "$L" item list
	[ "$status" -eq 1 ]
	[[ "$output" == *"libcurl.so.4 cannot be loaded (Debian package libcurl4): it has no function curl_"* ]]
}

@test "a PostgreSQL store, with a broken libpq, says which library and package, and nothing is made" {
	cd "$BATS_TEST_TMPDIR"
	fakes fakes
	LD_LIBRARY_PATH="$PWD/fakes" run "$L" --home pg init --party JPN --store postgresql://127.0.0.1:9/none
	[ "$status" -ne 0 ]
	[[ "$output" == *"store postgresql://127.0.0.1:9/none: libpq.so.5 cannot be loaded (Debian package libpq5): it has no function PQ"* ]]
	[ ! -e pg/store.url ]
}
