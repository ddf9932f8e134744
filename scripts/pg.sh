#!/bin/sh
# scripts/pg.sh - a throwaway PostgreSQL server for the tests: initdb in a
# folder of its own, a loopback port, trust authentication for one user
# (liaison), run by a user that is not root (PostgreSQL refuses root; as
# root the server runs as the postgres user Debian's package made).
#
#   pg.sh start DIR   makes DIR, starts the server, prints its URL
#                     (postgresql://liaison@127.0.0.1:PORT), also in DIR/url
#   pg.sh stop DIR    stops it and removes DIR
#   pg.sh standby DIR PRIMARY_DIR
#                     a streaming standby of the server started in
#                     PRIMARY_DIR (pg_basebackup -R), started on a port of
#                     its own, named "standby" to the primary; prints its URL
#                     (the failover test of tests/cli/postgres.bats)
#   pg.sh crash DIR   stops the server at once (immediate: as a power cut
#                     would), keeping DIR
#   pg.sh promote DIR makes the standby in DIR the primary
set -eu
cmd=${1:-}
dir=${2:-}
[ -n "$cmd" ] && [ -n "$dir" ] || { echo "usage: pg.sh start|stop|crash|promote DIR, or pg.sh standby DIR PRIMARY_DIR" >&2; exit 2; }

bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
[ -x "$bin/initdb" ] || { echo "pg.sh: PostgreSQL's server is not installed (make deps)" >&2; exit 1; }

as_owner() {
	if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

# serve [-c SETTING...]: the server in $dir/data started on a free loopback
# port (the server says when the one tried is taken); its URL printed and
# kept in $dir/url
serve() {
	for _ in 1 2 3 4 5 6 7 8; do
		port=$((20000 + $(od -An -N2 -tu2 /dev/urandom | tr -d ' ') % 40000))
		if as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 30 \
			-o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=on -c synchronous_commit=on -c max_connections=200 $*" \
			start >/dev/null 2>&1; then
			echo "postgresql://liaison@127.0.0.1:$port" >"$dir/url"
			cat "$dir/url"
			exit 0
		fi
	done
	cat "$dir/server.log" >&2
	exit 1
}

case $cmd in
start)
	mkdir -p "$dir"
	[ "$(id -u)" = 0 ] && chown postgres "$dir"
	as_owner "$bin/initdb" -D "$dir/data" -U liaison --auth=trust -E UTF8 --no-sync \
		>"$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log" >&2; exit 1; }
	serve
	;;
standby)
	primary=${3:-}
	[ -f "$primary/url" ] || { echo "pg.sh standby: no server started in ${primary:-PRIMARY_DIR}" >&2; exit 2; }
	pport=$(sed 's/.*://' "$primary/url")
	mkdir -p "$dir"
	[ "$(id -u)" = 0 ] && chown postgres "$dir"
	as_owner "$bin/pg_basebackup" -h 127.0.0.1 -p "$pport" -U liaison -D "$dir/data" -R \
		-X stream --no-sync >"$dir/basebackup.log" 2>&1 || { cat "$dir/basebackup.log" >&2; exit 1; }
	serve -c cluster_name=standby
	;;
crash)
	as_owner "$bin/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null
	;;
promote)
	as_owner "$bin/pg_ctl" -D "$dir/data" -w promote >/dev/null
	;;
stop)
	[ -d "$dir/data" ] && as_owner "$bin/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 || true
	rm -rf "$dir"
	;;
*)
	echo "usage: pg.sh start|stop|crash|promote DIR, or pg.sh standby DIR PRIMARY_DIR" >&2
	exit 2
	;;
esac
