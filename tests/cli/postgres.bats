#!/usr/bin/env bats
# A node whose store is PostgreSQL: the CLI on it, and two daemons of one
# node on one database under concurrent shares and releases (each act
# once, one log, each message delivered once). Needs a server:
# LIAISON_TEST_PG=postgresql://USER@HOST:PORT, which make check starts
# (scripts/pg.sh); each test makes its own database.
load helpers

setup() {
	[ -n "${LIAISON_TEST_PG:-}" ] || skip "no PostgreSQL server (LIAISON_TEST_PG; make check starts one)"
	export LIAISON_PASSPHRASE="test passphrase" LIAISON_NOW=2019-09-01
	unset LIAISON_HOME
	cd "$BATS_TEST_TMPDIR"
	DB=liaison_bats_$(od -An -N6 -tx1 /dev/urandom | tr -d ' \n')
	psql -q "$LIAISON_TEST_PG/postgres" -c "CREATE DATABASE $DB"
	STORE=$LIAISON_TEST_PG/$DB
	PGSH=$BATS_TEST_DIRNAME/../../scripts/pg.sh
	PIDS=()
	echo "2019-08-24 06:45 KST: two short-range missiles launched eastward" >report.txt
}

teardown() {
	[ -n "${LIAISON_TEST_PG:-}" ] || return 0
	for p in "${PIDS[@]}"; do kill -9 "$p" 2>/dev/null || true; done
	for d in ${SERVERS:-}; do sh "$PGSH" stop "$d"; done
	[ -z "${SERVERS_IN:-}" ] || rmdir "$SERVERS_IN" 2>/dev/null || true
	psql -q "$LIAISON_TEST_PG/postgres" -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" || true
}

pg() { # SQL: the first column of the answer, from JPN's database
	psql -qtA "$STORE" -c "$1"
}

# jpn on PostgreSQL, kor on SQLite, the example applied, each with the other's key
nodes() {
	"$L" --home jpn init --replay --party JPN --store "$STORE" >/dev/null
	"$L" --home kor init --replay --party KOR >/dev/null
	for p in jpn kor; do "$L" --home $p config apply "$EXAMPLE" >/dev/null; done
	"$L" --home jpn party key KOR kor/keys/KOR.pub >/dev/null
	"$L" --home kor party key JPN jpn/keys/JPN.pub >/dev/null
}

# hold_generation: from now, the daemon's reads of the generation (its
# connections have no application_name) wait until release_generation, or
# 10 s: a view over its table whose rows wait until a sequence says go
hold_generation() {
	if [ "$(pg "SELECT count(*) FROM pg_class WHERE relname = 'gate'")" = 1 ]; then
		pg "SELECT setval('gate', 1)" >/dev/null # held anew
		return
	fi
	pg "CREATE SEQUENCE gate;
		CREATE FUNCTION held() RETURNS boolean LANGUAGE plpgsql AS \$\$ BEGIN
			IF current_setting('application_name') = '' THEN
				FOR i IN 1..100 LOOP
					EXIT WHEN (SELECT last_value FROM gate) >= 2;
					PERFORM pg_sleep(0.1);
				END LOOP;
			END IF;
			RETURN true; END \$\$;
		ALTER TABLE store_generation RENAME TO store_generation_held;
		CREATE VIEW store_generation AS SELECT n, xmin AS xmin FROM store_generation_held WHERE held();"
}

# wait_held: until one of those reads waits (fails after 10 s)
wait_held() {
	for _ in $(seq 100); do
		[ "$(pg "SELECT count(*) FROM pg_stat_activity WHERE wait_event = 'PgSleep'
			AND datname = current_database()")" -ge 1 ] && return 0
		sleep 0.1
	done
	return 1
}

release_generation() {
	pg "SELECT setval('gate', 2)" >/dev/null
}

# established URL N: until N connections to URL's port are established (10 s)
established() {
	local port
	port=$(printf '%04X' "${1##*:}")
	for _ in $(seq 100); do
		# /proc/net/tcp: local address HEX:PORT, state 01 (established)
		[ "$(awk -v p=":$port" '$2 ~ p"$" && $4 == "01"' /proc/net/tcp | wc -l)" -ge "$2" ] && return 0
		sleep 0.1
	done
	return 1
}

# serve NAME HOME [OPTIONS...]: a daemon logging to NAME.log; sets NAME_URL
serve() {
	local name=$1 home=$2
	shift 2
	: >"$name.log" # emptied first, as helpers.bash's daemon() does
	"$L" --home "$home" serve --listen "${LISTEN:-127.0.0.1:0}" "$@" 2>"$name.log" &
	PIDS+=($!)
	local deadline=$((SECONDS + 30)) # by the clock, as helpers.bash's daemon()
	until grep -q "node on http" "$name.log" 2>/dev/null || ((SECONDS >= deadline)); do sleep 0.05; done
	eval "${name}_URL=http://127.0.0.1:$(sed -n 's/.*127\.0\.0\.1:\([0-9]*\).*/\1/p' "$name.log" | head -1)"
}

@test "a node on PostgreSQL: init --store, the same acts as on SQLite, nothing in its folder but keys" {
	nodes
	[ -f jpn/store.url ] && [ ! -e jpn/node.db ]
	[ "$(stat -c %a jpn/store.url)" = 600 ]
	[ "$(pg 'SELECT value FROM meta WHERE key = $$party$$')" = JPN ]
	id=$("$L" --home jpn item share report.txt --by sato --level GOKUHI --title Launch \
		--releasable KOR --ntk MISSILE-WARNING --purpose warning 2>/dev/null)
	"$L" --home jpn item get "$id" --by sato --purpose warning -o got.txt 2>/dev/null
	cmp got.txt report.txt
	# its sealed payload and keys in the database; the folder keeps no payload
	[ -z "$(ls jpn/blobs 2>/dev/null)" ]
	[ "$(pg 'SELECT count(*) FROM payloads WHERE name LIKE $$blobs/%$$')" = 1 ]
	run "$L" --home jpn item get "$id" --by suzuki --purpose warning -o no.txt
	[ "$status" -eq 3 ] # DENY: the rules are the same whatever the store
	"$L" --home jpn item release "$id" --to KOR --by sato -o env.lsn 2>/dev/null
	"$L" --home kor item import env.lsn >/dev/null 2>&1
	[ "$("$L" --home kor --json item show "$id" | jq -r .local_marking.level)" = II ]
	[ "$(pg 'SELECT count(*) FROM releases')" = 1 ]
	# the same configuration gives the same answers on either store
	for d in 2019-08-22 2019-08-23 2019-11-22 2019-11-23; do
		diff <("$L" --home jpn --json agreement status JPN-KOR-GSOMIA --at $d 2>/dev/null | jq -S 'del(.today)') \
			<("$L" --home kor --json agreement status JPN-KOR-GSOMIA --at $d 2>/dev/null | jq -S 'del(.today)')
	done
	"$L" --home jpn log verify >/dev/null
	[ "$(pg 'SELECT count(*) FROM log_entries')" = "$("$L" --home jpn --json log entries | jq '.entries | length')" ]
	# the levels' banner colours, stored and given back as on SQLite
	[ "$(pg 'SELECT string_agg(code || $$=$$ || colour, $$ $$ ORDER BY position) FROM levels WHERE party = $$KOR$$')" = \
		"III=#0033A0 II=#C8102E I=#FF8C00" ]
	diff <("$L" --home jpn --json agreement show JPN-KOR-GSOMIA | jq -S .parties) \
		<("$L" --home kor --json agreement show JPN-KOR-GSOMIA | jq -S .parties)
	[ "$("$L" --home jpn --json agreement show JPN-KOR-GSOMIA | jq -r '.parties[1].levels[2].colour')" = "#FF8C00" ]
	# the item list's filters, the same on either store
	[ "$("$L" --home jpn --json item list --level gokuhi --title LAUNCH --originator JPN | jq -r '[.items[].id] | join(" ")')" = "$id" ]
	[ "$("$L" --home jpn --json item list --level HI | jq -c .)" = '{"items":[],"next":null}' ]
	# one database, one node: a second init on it is refused and leaves nothing
	run "$L" --home other init --replay --party KOR --store "$STORE"
	[ "$status" -ne 0 ]
	[[ "$output" == *"already holds the node of JPN"* ]]
	[ ! -e other/store.url ]
	[ "$(pg 'SELECT value FROM meta WHERE key = $$party$$')" = JPN ]
	# what --store refuses, clearly, leaving no node behind
	run "$L" --home x init --replay --party JPN --store mysql://x/y
	[ "$status" -ne 0 ] && [[ "$output" == *"not a postgresql:// URL"* ]]
	run "$L" --home y init --replay --party JPN --store "postgresql://liaison:secret@127.0.0.1:1/none"
	[ "$status" -ne 0 ]
	[[ "$output" == *"store postgresql://liaison:***@127.0.0.1:1/none"* ]] # no password shown
	[ ! -e y/store.url ]
	run "$L" --home jpn init --replay --party JPN --store "$STORE"
	[ "$status" -ne 0 ] && [[ "$output" == *"already holds a node"* ]]
}

@test "two daemons of one node on one database: concurrent shares and releases, each once, one log" {
	nodes
	SATO=$("$L" --home jpn person token sato 2>/dev/null)
	serve kor kor
	serve a jpn --witness-every 86400
	serve b jpn --witness-every 86400
	"$L" --home jpn peer add KOR --url "$kor_URL" >/dev/null
	"$L" --home kor peer add JPN --url "$a_URL" >/dev/null
	# four clients, ten items each, half on each daemon: share, then release to KOR's node
	clients=()
	for c in 1 2 3 4; do
		(
			for i in $(seq 10); do
				url=$a_URL
				[ $(((c + i) % 2)) = 0 ] && url=$b_URL
				id=$(curl -sf -H "Authorization: Bearer $SATO" --data-binary @report.txt \
					"$url/v1/items?level=GOKUHI&title=c$c-$i&releasable=KOR&ntk=MISSILE-WARNING&purpose=warning" |
					jq -r .id) || exit 1
				code=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $SATO" \
					-d '{"to": "KOR", "send": true}' "$url/v1/items/$id/release")
				[ "$code" = 202 ] || exit 1
				echo "$id"
			done >"client$c.ids"
		) &
		clients+=($!)
	done
	for p in "${clients[@]}"; do wait "$p"; done
	cat client*.ids >ids
	[ "$(wc -l <ids)" = 40 ] && [ "$(sort -u ids | wc -l)" = 40 ]
	# every act once, in one store
	[ "$(pg 'SELECT count(*) FROM items')" = 40 ]
	[ "$(pg 'SELECT count(*) FROM releases')" = 40 ]
	[ "$(pg 'SELECT count(DISTINCT seq) FROM items')" = 40 ]
	# each message delivered once: both deliverers ran, never on the same message
	for _ in $(seq 300); do
		[ "$(pg 'SELECT count(*) FROM outbox WHERE state = 1')" = 40 ] && break
		sleep 0.1
	done
	[ "$(pg 'SELECT count(*) FROM outbox WHERE state = 1')" = 40 ]
	[ "$(pg 'SELECT max(attempts) FROM outbox')" = 1 ]
	# checkpoints from either daemon agree
	ca=$(curl -sf -H "Authorization: Bearer $SATO" "$a_URL/v1/log/checkpoint")
	cb=$(curl -sf -H "Authorization: Bearer $SATO" "$b_URL/v1/log/checkpoint")
	[ "$(echo "$ca" | jq -r '.size, .root')" = "$(echo "$cb" | jq -r '.size, .root')" ]
	[ "$(echo "$ca" | jq -r .size)" = "$(pg 'SELECT count(*) FROM log_entries')" ]
	[ "$(sqlite3 kor/node.db 'SELECT count(*) FROM items')" = 40 ]
	[ "$(sqlite3 kor/node.db 'SELECT count(*) FROM inbox')" = 40 ]
	# no second copy ever sent; both daemons took requests (the access logs, whole once stopped)
	kill -TERM "${PIDS[@]}"
	wait "${PIDS[@]}" || true
	PIDS=()
	[ "$(grep -c '"path":"/v1/peer/messages"' kor.log)" = 40 ]
	[ "$(grep -c '"method":"POST","path":"/v1/items","status":201' a.log)" = 20 ]
	[ "$(grep -c '"method":"POST","path":"/v1/items","status":201' b.log)" = 20 ]
	# one log: every act and every delivery an entry, the tree whole
	kinds=$("$L" --home jpn --json log entries --from 0 | jq -r '.entries[].data | @base64d | fromjson | .kind')
	[ "$(echo "$kinds" | grep -cx item-share)" = 40 ]
	[ "$(echo "$kinds" | grep -cx item-release)" = 40 ]
	[ "$(echo "$kinds" | grep -cx message-delivered)" = 40 ]
	"$L" --home jpn log verify >/dev/null
	[ "$(pg 'SELECT count(*) FROM log_entries')" = "$(pg 'SELECT max(idx) + 1 FROM log_entries')" ]
	"$L" --home kor log verify >/dev/null
}

@test "store migrate moves a SQLite node to PostgreSQL whole: the same log, items, tokens, outbox" {
	"$L" --home jpn init --replay --party JPN >/dev/null
	"$L" --home kor init --replay --party KOR >/dev/null
	for p in jpn kor; do "$L" --home $p config apply "$EXAMPLE" >/dev/null; done
	"$L" --home jpn party key KOR kor/keys/KOR.pub >/dev/null
	ids=()
	for i in 1 2 3; do
		ids+=("$("$L" --home jpn item share report.txt --by sato --level GOKUHI --title "t$i" \
			--releasable KOR --ntk MISSILE-WARNING --purpose warning 2>/dev/null)")
	done
	SATO=$("$L" --home jpn person token sato 2>/dev/null)
	"$L" --home jpn peer add KOR --url http://127.0.0.1:1 >/dev/null
	"$L" --home jpn item release "${ids[0]}" --to KOR --by sato >/dev/null 2>&1 # queued: KOR is down
	"$L" --home jpn log checkpoint >/dev/null 2>&1
	before=$("$L" --home jpn --json log entries | jq -c .entries)
	size=$(echo "$before" | jq length)
	items=$("$L" --home jpn --json item list | jq -c .)
	parties=$("$L" --home jpn --json agreement show JPN-KOR-GSOMIA | jq -c .parties)
	# refused: not a URL, a daemon serving the node, a database holding a node
	run "$L" --home jpn store migrate --to /tmp/x.db
	[ "$status" -eq 2 ] && [[ "$output" == *"not a postgresql:// URL"* ]]
	serve d jpn
	run "$L" --home jpn store migrate --to "$STORE"
	[ "$status" -eq 1 ] && [[ "$output" == *"a daemon (pid "*"serves this node"* ]]
	kill -TERM "${PIDS[0]}"
	wait "${PIDS[0]}" || true
	PIDS=()
	[ "$(pg 'SELECT count(*) FROM information_schema.tables WHERE table_name = $$meta$$')" = 0 ]
	# the move
	[ "$(ls jpn/blobs | wc -l)" = 3 ] && [ "$(ls jpn/outbox | wc -l)" = 1 ]
	run "$L" --home jpn --json store migrate --to "$STORE"
	[ "$status" -eq 0 ]
	rows=$(echo "$output" | jq .rows)
	[ "$rows" -gt 50 ]
	# the payloads and the queued envelope moved into the database, the keys copied there
	[ "$(echo "$output" | jq .payloads)" = 4 ]
	[ -z "$(find jpn/blobs jpn/outbox -type f)" ]
	[ "$(pg 'SELECT count(*) FROM payloads')" = 6 ]
	[ "$(pg 'SELECT string_agg(name, $$ $$ ORDER BY name) FROM payloads WHERE name LIKE $$keys/%$$')" = "keys/JPN.key keys/JPN.pub" ]
	[ -f jpn/store.url ] && [ -f jpn/node.db.migrated ] && [ ! -e jpn/node.db ]
	[ "$("$L" --home jpn --json store info | jq -r .engine)" = postgresql ]
	[ "$("$L" --home jpn --json store info | jq -r .schema)" = 20 ]
	# the same log, then the move itself; the checkpoint signed before still verifies
	after=$("$L" --home jpn --json log entries | jq -c .entries)
	[ "$(echo "$after" | jq -c ".[:$size]")" = "$before" ]
	[ "$(echo "$after" | jq -r '.[-1].data | @base64d | fromjson | .kind')" = store-migrated ]
	"$L" --home jpn log verify >/dev/null
	# every item, token and message came: the node goes on where it was
	[ "$("$L" --home jpn --json item list | jq -c '.items')" = "$(echo "$items" | jq -c '.items')" ]
	[ "$("$L" --home jpn --json agreement show JPN-KOR-GSOMIA | jq -c .parties)" = "$parties" ] # colours too
	"$L" --home jpn item get "${ids[2]}" --by sato --purpose warning -o got.txt 2>/dev/null
	cmp got.txt report.txt
	[ "$("$L" --home jpn --json peer outbox | jq -r '.messages[0].state')" = queued ]
	new=$("$L" --home jpn item share report.txt --by sato --level GOKUHI --title after \
		--releasable KOR --ntk MISSILE-WARNING --purpose warning 2>/dev/null)
	[ "$("$L" --home jpn --json item list | jq -r '.items[-1].id')" = "$new" ]
	serve d2 jpn
	[ "$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $SATO" "$d2_URL/v1/me")" = 200 ]
	"$L" --home jpn log verify >/dev/null
	# and only once
	run "$L" --home jpn store migrate --to "$STORE"
	[ "$status" -ne 0 ] && [[ "$output" == *"in PostgreSQL already"* ]]
}

@test "a daemon whose database connections are dropped connects again: a request may fail, the next works" {
	nodes
	SATO=$("$L" --home jpn person token sato 2>/dev/null)
	serve d jpn --threads 2
	code() { curl -s -o out.json -w '%{http_code}' -H "Authorization: Bearer $SATO" "$@"; }
	[ "$(code "$d_URL/v1/me")" = 200 ]
	# the server ends every connection of the node's database (as a restart or failover does)
	[ "$(pg "SELECT count(*) FROM (SELECT pg_terminate_backend(pid) FROM pg_stat_activity
		WHERE datname = current_database() AND pid <> pg_backend_pid()) t")" -ge 1 ]
	ok=0 failed=0
	for i in $(seq 10); do
		c=$(code --data-binary @report.txt \
			"$d_URL/v1/items?level=GOKUHI&title=after-$i&releasable=KOR&ntk=MISSILE-WARNING&purpose=warning")
		if [ "$c" = 201 ]; then ok=$((ok + 1)); else failed=$((failed + 1)); fi
	done
	echo "# after the drop: $failed failed, then $ok stored" >&3
	[ "$ok" -ge 8 ] # at most one failure per worker thread
	[ "$(pg 'SELECT count(*) FROM items')" = "$ok" ]
	[ "$(code "$d_URL/v1/me")" = 200 ]
	# a read's BEGIN goes with its first statement: one that finds its
	# connection ended runs again on a new one, so no read fails
	ID=$(pg "SELECT id FROM items LIMIT 1")
	[ "$(pg "SELECT count(*) FROM (SELECT pg_terminate_backend(pid) FROM pg_stat_activity
		WHERE datname = current_database() AND pid <> pg_backend_pid()) t")" -ge 1 ]
	for i in $(seq 6); do
		[ "$(code "$d_URL/v1/me")" = 200 ]
		[ "$(code -d "{\"item\": \"$ID\", \"action\": \"read\", \"purpose\": \"warning\"}" \
			"$d_URL/v1/access-checks")" = 200 ]
		[ "$(jq -r .decision out.json)" = PERMIT ]
	done
	"$L" --home jpn log verify >/dev/null
}

@test "access checks on PostgreSQL: one the store moved under while it read is asked again, and answered from one state" {
	nodes
	SATO=$("$L" --home jpn person token sato 2>/dev/null)
	MORI=$("$L" --home jpn person token mori 2>/dev/null)
	for t in A B; do
		"$L" --home jpn item share report.txt --by sato --level GOKUHI --title "$t" \
			--releasable KOR --ntk MISSILE-WARNING --purpose warning >"$t.id" 2>/dev/null
	done
	serve d jpn --threads 1
	check() { # ITEM: the status; the answer in out.json
		curl -s -o out.json -w '%{http_code}' -H "Authorization: Bearer $SATO" \
			-d "{\"item\": \"$1\", \"action\": \"read\", \"purpose\": \"warning\"}" \
			"$d_URL/v1/access-checks"
	}
	again() { curl -sf -H "Authorization: Bearer $MORI" "$d_URL/metrics" |
		sed -n 's/^liaison_questions_asked_again_total //p'; }
	# A's check, its cache warm: the generation read alone, nothing asked again
	# (each token's first use a day is a write: MORI's made here)
	[ "$(again)" = 0 ]
	for _ in 1 2 3; do [ "$(check "$(cat A.id)")" = 200 ] && [ "$(jq -r .decision out.json)" = PERMIT ]; done
	[ "$(again)" = 0 ]
	# B's check reads the generation (as cached: A's), then B, which it has
	# not cached. Between the two, an administrator's write commits: the
	# generation is held (a view over its table whose rows wait, for the
	# daemon's connection alone, until a sequence says go) until the write
	# is in, and B is read after it: the two reads are not one snapshot
	hold_generation
	check "$(cat B.id)" >b.code &
	checker=$!
	wait_held
	pg "UPDATE parties SET name = name WHERE code = 'JPN'" >/dev/null
	release_generation
	wait "$checker"
	[ "$(cat b.code)" = 200 ]
	[ "$(jq -r .decision out.json)" = PERMIT ]
	[ "$(again)" = 1 ]
	# its cache cold (the generation moved): one snapshot from the first read, nothing asked again
	[ "$(check "$(cat B.id)")" = 200 ]
	[ "$(again)" = 1 ]
	# revoked: the next check refused, whatever the cache held
	"$L" --home jpn person revoke-token "$("$L" --home jpn --json person tokens sato | jq -r '.tokens[0].id')" >/dev/null
	[ "$(check "$(cat A.id)")" = 401 ]
}

@test "access checks on PostgreSQL share one read of the generation: one that came while a read was under way waits for the next, and a revocation committed before it is seen" {
	nodes
	SATO=$("$L" --home jpn person token sato 2>/dev/null)
	MORI=$("$L" --home jpn person token mori 2>/dev/null)
	TOKEN_ID=$("$L" --home jpn --json person tokens sato | jq -r '.tokens[0].id')
	ID=$("$L" --home jpn item share report.txt --by sato --level GOKUHI --title A \
		--releasable KOR --ntk MISSILE-WARNING --purpose warning 2>/dev/null)
	# one worker: the token it saw valid lets each question in unchecked,
	# to be checked with the answer (another thread would check it at once);
	# no drain at the stop (below)
	serve d jpn --threads 1 --drain 0
	check() { # OUT: the status, the answer in OUT.json
		curl -s -o "$1.json" -w '%{http_code}' -H "Authorization: Bearer $SATO" \
			-d "{\"item\": \"$ID\", \"action\": \"read\", \"purpose\": \"warning\"}" \
			"$d_URL/v1/access-checks"
	}
	counter() { curl -sf -H "Authorization: Bearer $MORI" "$d_URL/metrics" | sed -n "s/^liaison_generation_$1_total //p"; }
	# a token's first use of the day is a write, which empties the daemon's
	# cache: MORI's made first, then the cache warmed with SATO's token and
	# the item (twice: the first empties it)
	counter reads >/dev/null
	for _ in 1 2; do
		[ "$(check warm)" = 200 ]
		[ "$(jq -r .decision warm.json)" = PERMIT ]
	done
	reads=$(counter reads) asks=$(counter asks)
	[ "$reads" -ge 1 ]
	[ "$reads" -le "$asks" ]
	# strangers, with no token or one the node never issued, are refused
	# at their headers: they never reach the gate, nor make it read
	stranger() {
		curl -s -o /dev/null -w '%{http_code}' "$@" \
			-d "{\"item\": \"$ID\", \"action\": \"read\", \"purpose\": \"warning\"}" \
			"$d_URL/v1/access-checks"
	}
	[ "$(stranger)" = 401 ]
	[ "$(stranger -H "Authorization: Bearer ${SATO%?}x")" = 401 ]
	[ "$(counter asks)" = "$asks" ]
	[ "$(counter reads)" = "$reads" ]
	# the daemon's reads of the generation held until a sequence says go
	# (hold_generation; the CLI below, named by PGAPPNAME, is not held)
	hold_generation
	# the first check's read begins, and is held
	check first >first.code &
	first=$!
	wait_held
	# then the token is revoked, and four checks come: the held read's
	# snapshot is older than the revocation, and must answer none of them
	PGAPPNAME=revoker "$L" --home jpn person revoke-token "$TOKEN_ID" >/dev/null
	laters=()
	for i in 1 2 3 4; do
		check "later$i" >"later$i.code" &
		laters+=($!)
	done
	# their questions in, waiting for the next read: five connections
	# (the held one and these four), and a moment for their requests
	established "$d_URL" 5
	sleep 1
	# meanwhile the one worker answers what needs no store: no question holds it
	[ "$(curl -s -m 5 -o /dev/null -w '%{http_code}' "$d_URL/no-such-route")" = 404 ]
	release_generation
	wait "$first"
	for p in "${laters[@]}"; do wait "$p"; done
	# the first came before the revocation: its read, and the warm cache, answer it
	[ "$(cat first.code)" = 200 ]
	[ "$(jq -r .decision first.json)" = PERMIT ]
	for i in 1 2 3 4; do
		[ "$(cat "later$i.code")" = 401 ]
		jq -e '.error.message | contains("revoked")' "later$i.json"
	done
	# five asks, two reads: the held one, and one for the four that waited
	# (three if one came late, on a machine slow beyond the second given)
	[ "$(counter asks)" -eq $((asks + 5)) ]
	more=$(($(counter reads) - reads))
	[ "$more" -ge 2 ]
	[ "$more" -le 3 ]
	[ "$(counter read_errors)" = 0 ]
	"$L" --home jpn log verify >/dev/null
	# stopped, with no drain, while a check waits on the gate's held read
	# (MORI's: the token the worker saw valid last, let in unchecked;
	# SATO's is revoked): the stop holds the gate, which waits for the
	# read and wakes the check, before the server stops (libmicrohttpd
	# aborts on a connection left suspended); the daemon ends cleanly
	hold_generation
	SATO=$MORI check stopping >stopping.code &
	stopping=$!
	wait_held
	kill -TERM "${PIDS[0]}"
	sleep 0.5
	release_generation
	wait "${PIDS[0]}"
	wait "$stopping" || true # answered or cut: the stop does not wait for it
	grep -q "liaison serve: stopped" d.log
}

@test "an access check the store cannot answer is 503 'try again', never a refused token; the gate says when its reads fail and work again" {
	nodes
	SATO=$("$L" --home jpn person token sato 2>/dev/null)
	MORI=$("$L" --home jpn person token mori 2>/dev/null)
	ID=$("$L" --home jpn item share report.txt --by sato --level GOKUHI --title A \
		--releasable KOR --ntk MISSILE-WARNING --purpose warning 2>/dev/null)
	# one worker: the token it saw valid lets the checks in to the gate (a
	# thread that had not seen it would check it at the headers, and answer
	# the same 503 there, before the gate)
	serve d jpn --threads 1
	check() {
		curl -s -o out.json -w '%{http_code}' -H "Authorization: Bearer $SATO" \
			-d "{\"item\": \"$ID\", \"action\": \"read\", \"purpose\": \"warning\"}" \
			"$d_URL/v1/access-checks"
	}
	[ "$(check)" = 200 ]
	[ "$(check)" = 200 ]
	# the generation's table gone (an operator's mistake, a broken migration)
	pg "ALTER TABLE store_generation RENAME TO store_generation_away"
	for _ in 1 2 3; do
		[ "$(check)" = 503 ]
		[ "$(jq -r .error.code out.json)" = store ]
		jq -e '.error.message | contains("try again")' out.json
	done
	pg "ALTER TABLE store_generation_away RENAME TO store_generation"
	[ "$(check)" = 200 ]
	[ "$(jq -r .decision out.json)" = PERMIT ]
	grep -q "the generation gate cannot read the store (.*store_generation.*): each access check reads its own" d.log
	grep -q "the generation gate reads the store again" d.log
	[ "$(grep -c "the generation gate cannot read" d.log)" = 1 ] # said once, not per check
	errors=$(curl -sf -H "Authorization: Bearer $MORI" "$d_URL/metrics" |
		sed -n 's/^liaison_generation_read_errors_total //p')
	[ "$errors" -ge 3 ]
}

@test "a node on PostgreSQL backed up while its daemon shares: one snapshot, restorable, every item in it opens" {
	nodes
	ID=$("$L" --home jpn item share report.txt --by sato --level GOKUHI --title First \
		--releasable KOR --ntk MISSILE-WARNING --purpose warning 2>/dev/null)
	SATO=$("$L" --home jpn person token sato 2>/dev/null)
	serve jpn jpn
	share_through "$jpn_URL" "$SATO" 30 &
	writer=$!
	sleep 0.3
	run "$L" --home jpn --json store backup bk
	[ "$status" -eq 0 ]
	wait "$writer"
	entries=$(jq .entries <<<"$output")
	# a SQLite store of one moment of the database: its items and its log agree
	n=$(sqlite3 bk/node.db "SELECT count(*) FROM items")
	[ "$n" -ge 1 ] && [ "$n" -le 31 ]
	[ "$(sqlite3 bk/node.db "SELECT count(*) FROM log_entries")" -eq "$entries" ]
	[ "$(stat -c %a bk/node.db)" = 600 ]
	for b in $(sqlite3 bk/node.db "SELECT blob FROM items"); do [ -f "bk/blobs/$b.lsn" ]; done
	# the writer was never refused: all 31 are in the database
	[ "$(pg 'SELECT count(*) FROM items')" = 31 ]
	# restored: a node on SQLite whose log verifies and whose items open
	run "$L" --home jpn2 --json store restore bk
	[ "$status" -eq 0 ]
	"$L" --home jpn2 log verify >/dev/null
	"$L" --home jpn2 item get "$ID" --by sato --purpose warning -o - 2>/dev/null | cmp - report.txt
	# and back to PostgreSQL, in a new database
	psql -q "$LIAISON_TEST_PG/postgres" -c "CREATE DATABASE ${DB}_r"
	"$L" --home jpn2 store migrate --to "$LIAISON_TEST_PG/${DB}_r" >/dev/null
	[ "$(psql -qtA "$LIAISON_TEST_PG/${DB}_r" -c 'SELECT count(*) FROM items')" -eq "$n" ]
	"$L" --home jpn2 log verify >/dev/null
	psql -q "$LIAISON_TEST_PG/postgres" -c "DROP DATABASE ${DB}_r WITH (FORCE)"
}

# payload NAME: the bytes of a one-chunk payload in JPN's database
payload() {
	pg "SELECT encode(data, \$\$base64\$\$) FROM payload_chunks WHERE name = \$\$$1\$\$" | base64 -d
}

@test "payloads in the database: store check and gc, a lost one named, one left in the folder moved by store migrate" {
	nodes
	ids=()
	for i in 1 2 3; do
		ids+=("$("$L" --home jpn item share report.txt --by sato --level GOKUHI --title "t$i" \
			--releasable KOR --ntk MISSILE-WARNING --purpose warning 2>/dev/null)")
	done
	"$L" --home jpn peer add KOR --url http://127.0.0.1:1 >/dev/null
	"$L" --home jpn item release "${ids[0]}" --to KOR --by sato >/dev/null 2>&1 # queued: KOR is down
	[ "$(pg 'SELECT count(*) FROM payloads WHERE name LIKE $$outbox/%$$')" = 1 ]
	[ -z "$(find jpn/blobs jpn/outbox -type f 2>/dev/null)" ]
	# a destroyed item's payload goes with it
	"$L" --home jpn item destroy "${ids[2]}" --by suzuki >/dev/null 2>&1
	[ "$(pg 'SELECT count(*) FROM payloads WHERE name LIKE $$blobs/%$$')" = 2 ]
	run "$L" --home jpn --json store check
	[ "$status" -eq 0 ]
	[ "$(echo "$output" | jq -c '[.kept_in, .kept, (.missing | length), (.orphans | length)]')" = '["store",3,0,0]' ]
	# orphans: one in the database, one in the folder, both old; a young one is an act under way
	old=blobs/$(printf 'a%.0s' $(seq 64)).lsn
	pg "INSERT INTO payloads VALUES(\$\$$old\$\$, 3, 0); INSERT INTO payload_chunks VALUES(\$\$$old\$\$, 0, \$\$\\x010203\$\$)" >/dev/null
	mkdir -p jpn/blobs jpn/outbox
	head -c 100 /dev/urandom >"jpn/blobs/$(printf 'b%.0s' $(seq 64)).lsn"
	touch -d '2 hours ago' jpn/blobs/*.lsn
	head -c 100 /dev/urandom >"jpn/outbox/$(printf 'c%.0s' $(seq 32))"
	run "$L" --home jpn store check
	[ "$status" -eq 0 ]
	[[ "$output" == *"3 payloads kept in the store"*"2 orphans"* ]]
	[[ "$output" == *"orphan $old (3 bytes, in the store)"* ]]
	[[ "$output" == *"(100 bytes, in the folder)"*"1 more made in the last 3600 seconds"*"store gc removes the orphans"* ]]
	[ "$("$L" --home jpn --json store check --older-than 0 | jq '.orphans | length')" = 3 ]
	run "$L" --home jpn --json store gc
	[ "$status" -eq 0 ] && [ "$(echo "$output" | jq '[.removed, (.orphans | length)]' | tr -d ' \n')" = "[true,2]" ]
	[ "$(pg "SELECT count(*) FROM payloads WHERE name = \$\$$old\$\$")" = 0 ]
	[ "$(pg "SELECT count(*) FROM payload_chunks WHERE name = \$\$$old\$\$")" = 0 ]
	[ -z "$(ls jpn/blobs)" ] && [ "$(ls jpn/outbox | wc -l)" = 1 ] # the young one stays
	run "$L" --home jpn store gc --older-than soon
	[ "$status" -eq 2 ] && [[ "$output" == *"--older-than"* ]]
	# a payload left in the folder (a node moved by an older liaison) is read there...
	name=$(pg "SELECT 'blobs/' || blob || '.lsn' FROM items WHERE id = \$\$${ids[1]}\$\$")
	payload "$name" >"jpn/$name"
	pg "DELETE FROM payload_chunks WHERE name = \$\$$name\$\$; DELETE FROM payloads WHERE name = \$\$$name\$\$" >/dev/null
	"$L" --home jpn item get "${ids[1]}" --by sato --purpose warning -o got1.txt 2>/dev/null
	cmp got1.txt report.txt
	run "$L" --home jpn store check
	[ "$status" -eq 0 ] && [[ "$output" == *"in this folder only: $name (other daemons cannot read it"* ]]
	# ...and moved into the database by store migrate
	run "$L" --home jpn --json store migrate
	[ "$status" -eq 0 ] && [ "$(echo "$output" | jq .payloads)" = 1 ]
	[ ! -e "jpn/$name" ] && [ "$(pg "SELECT count(*) FROM payloads WHERE name = \$\$$name\$\$")" = 1 ]
	"$L" --home jpn item get "${ids[1]}" --by sato --purpose warning -o got2.txt 2>/dev/null
	cmp got2.txt report.txt
	# a payload lost: store check names it and fails; reading the item says what is missing
	pg "DELETE FROM payloads WHERE name = \$\$$name\$\$" >/dev/null
	run "$L" --home jpn store check
	[ "$status" -eq 1 ] && [[ "$output" == *"missing $name (a row names it)"* ]]
	run "$L" --home jpn item get "${ids[1]}" --by sato --purpose warning -o got3.txt
	[ "$status" -eq 1 ] && [[ "$output" == *"$name"* ]]
	"$L" --home jpn log verify >/dev/null
}

@test "daemons of one node on separate folders, nothing shared but the database: one node, each message once, keys followed" {
	nodes
	SATO=$("$L" --home jpn person token sato 2>/dev/null)
	# --join: what it refuses leaves nothing behind
	run env LIAISON_PASSPHRASE=wrong "$L" --home b init --store "$STORE" --join
	[ "$status" -eq 1 ] && [[ "$output" == *"the passphrase does not open the keys of JPN's node (from the database postgresql://"*"/$DB)"* ]]
	[ ! -e b ]
	mkdir b && echo mine >b/notes.txt # a folder that was there stays, with what it held
	run "$L" --home b init --store "$STORE" --join --party KOR
	[ "$status" -eq 1 ] && [[ "$output" == *"holds the node of JPN, not of KOR"* ]]
	[ "$(ls b)" = notes.txt ]
	run "$L" --home b init --store b.db --join
	[ "$status" -eq 2 ] && [[ "$output" == *"not a postgresql:// URL"* ]]
	run "$L" --home jpn init --store "$STORE" --join
	[ "$status" -eq 1 ] && [[ "$output" == *"already holds a node"* ]]
	psql -q "$LIAISON_TEST_PG/postgres" -c "CREATE DATABASE ${DB}_empty"
	run "$L" --home b init --store "$LIAISON_TEST_PG/${DB}_empty" --join
	psql -q "$LIAISON_TEST_PG/postgres" -c "DROP DATABASE ${DB}_empty WITH (FORCE)"
	[ "$status" -eq 1 ] && [[ "$output" == *"holds no node"* ]]
	[ ! -e b/store.url ]
	# the second folder: the database's URL and the passphrase, nothing else
	run "$L" --home b --json init --store "$STORE" --join
	[ "$status" -eq 0 ] && [ "$(echo "$output" | jq -r .party)" = JPN ]
	[ "$(echo "$output" | jq -r .fingerprint)" = "$("$L" --home jpn --json party keys JPN | jq -r .current.fingerprint)" ]
	cmp b/keys/JPN.pub jpn/keys/JPN.pub && cmp b/keys/JPN.key jpn/keys/JPN.key
	[ "$(stat -c %a b/keys/JPN.key)" = 600 ]
	port=$((20000 + RANDOM % 20000))
	LISTEN=127.0.0.1:$port serve kor kor
	serve a jpn --retry-max 1
	serve b b --retry-max 1
	"$L" --home jpn peer add KOR --url "$kor_URL" >/dev/null
	"$L" --home kor peer add JPN --url "$a_URL" >/dev/null
	# shared through one, read through the other; released through the other, delivered once
	id=$(curl -sf -H "Authorization: Bearer $SATO" --data-binary @report.txt \
		"$a_URL/v1/items?level=GOKUHI&title=across&releasable=KOR&ntk=MISSILE-WARNING&purpose=warning" | jq -r .id)
	curl -sf -H "Authorization: Bearer $SATO" "$b_URL/v1/items/$id/content?purpose=warning" -o got.txt
	cmp got.txt report.txt
	[ "$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $SATO" \
		-d '{"to": "KOR", "send": true}' "$b_URL/v1/items/$id/release")" = 202 ]
	for _ in $(seq 100); do [ "$(pg 'SELECT count(*) FROM outbox WHERE state = 1')" = 1 ] && break; sleep 0.1; done
	[ "$(sqlite3 kor/node.db "SELECT count(*) FROM items WHERE id = '$id'")" = 1 ]
	# KOR down: six releases of 3 MB queued through both daemons
	kill -9 "${PIDS[0]}"
	wait "${PIDS[0]}" 2>/dev/null || true
	head -c 3000000 /dev/urandom >big.bin
	for i in 1 2 3 4 5 6; do
		url=$a_URL
		[ $((i % 2)) = 0 ] && url=$b_URL
		id=$(curl -sf -H "Authorization: Bearer $SATO" --data-binary @big.bin \
			"$url/v1/items?level=GOKUHI&title=q$i&releasable=KOR&ntk=MISSILE-WARNING&purpose=warning" | jq -r .id)
		[ "$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $SATO" \
			-d '{"to": "KOR", "send": true}' "$url/v1/items/$id/release")" = 202 ]
	done
	[ "$(pg 'SELECT count(*) FROM payloads WHERE name LIKE $$outbox/%$$')" = 6 ]
	[ -z "$(find jpn/outbox b/outbox jpn/blobs b/blobs -type f 2>/dev/null)" ]
	# both stopped, KOR back; a daemon killed with SIGKILL as soon as its first
	# delivery lands, the others in flight; the other folder's daemon delivers
	# the rest: nothing lost, each item stored once
	kill -9 "${PIDS[1]}" "${PIDS[2]}"
	wait "${PIDS[1]}" "${PIDS[2]}" 2>/dev/null || true
	LISTEN=127.0.0.1:$port serve kor2 kor
	serve a2 jpn --retry-max 1
	for _ in $(seq 400); do
		[ "$(sqlite3 kor/node.db 'SELECT count(*) FROM inbox')" -ge 2 ] && break
		sleep 0.01
	done
	kill -9 "${PIDS[4]}"
	wait "${PIDS[4]}" 2>/dev/null || true
	[ "$(pg 'SELECT count(*) FROM outbox WHERE state = 1')" -lt 7 ]
	serve b3 b --retry-max 1
	for _ in $(seq 300); do [ "$(pg 'SELECT count(*) FROM outbox WHERE state = 1')" = 7 ] && break; sleep 0.1; done
	[ "$(pg 'SELECT count(*) FROM outbox WHERE state = 1')" = 7 ]
	[ "$(sqlite3 kor/node.db 'SELECT count(*) FROM inbox')" = 7 ]
	[ "$(sqlite3 kor/node.db 'SELECT count(*) FROM items')" = 7 ]
	[ "$(log_kinds kor | grep -c item-import)" = 7 ]
	[ "$(pg 'SELECT count(*) FROM payloads WHERE name LIKE $$outbox/%$$')" = 0 ] # delivered: gone
	# a rotation on one machine (the others stopped) reaches the other's folder
	kill -TERM "${PIDS[5]}"
	wait "${PIDS[5]}" || true
	"$L" --home jpn party rotate-key >/dev/null 2>&1
	! cmp -s b/keys/JPN.pub jpn/keys/JPN.pub
	serve b2 b
	cmp b/keys/JPN.pub jpn/keys/JPN.pub && cmp b/keys/JPN-1.key jpn/keys/JPN-1.key
	curl -sf -H "Authorization: Bearer $SATO" "$b2_URL/v1/items/$id/content?purpose=warning" -o got2.txt
	cmp got2.txt big.bin # sealed to the retired key, opened by it
	[ "$(curl -sf "$b2_URL/readyz" -o /dev/null -w '%{http_code}')" = 200 ]
	# one rotated while it runs: within seconds it says it is stale
	"$L" --home jpn party rotate-key >/dev/null 2>&1
	for _ in $(seq 100); do
		[ "$(curl -s "$b2_URL/readyz" -o /dev/null -w '%{http_code}')" = 503 ] && break
		sleep 0.1
	done
	[ "$(curl -s "$b2_URL/readyz" -o /dev/null -w '%{http_code}')" = 503 ]
	kill -TERM "${PIDS[6]}"
	wait "${PIDS[6]}" || true
	# a key change from a folder that missed one made elsewhere meanwhile is
	# refused and changes nothing: b takes its keys, then waits for a new
	# passphrase while jpn rotates
	mkfifo np.fifo
	chmod 600 np.fifo
	exec 7<>np.fifo # held open here: b's open returns, and its read waits
	"$L" --home b store passphrase --new-passphrase-file np.fifo >pp.out 2>&1 7>&- &
	pp=$!
	for _ in $(seq 100); do ls -l /proc/[0-9]*/fd 2>/dev/null | grep -q "np.fifo" && break; sleep 0.1; done
	before=$(cat b/keys/JPN.key b/keys/JPN-*.key | sha256sum)
	"$L" --home jpn party rotate-key >/dev/null 2>&1
	echo "a stale passphrase" >&7
	exec 7>&-
	status=0
	wait "$pp" || status=$?
	[ "$status" -ne 0 ]
	grep -q "the node's keys in the database changed since this folder took them (JPN-3.key: a rotation or a new passphrase made on another machine" pp.out
	# nothing changed: b's keys as they were (under the passphrase it had), the database's jpn's
	[ "$(cat b/keys/JPN.key b/keys/JPN-*.key | sha256sum)" = "$before" ]
	cmp <(payload keys/JPN.key) jpn/keys/JPN.key
	"$L" --home b log checkpoint >/dev/null 2>&1 # takes the database's keys
	cmp b/keys/JPN.pub jpn/keys/JPN.pub && cmp b/keys/JPN-3.pub jpn/keys/JPN-3.pub
	# a new passphrase on one machine: the other's keys open with it alone
	echo "a new passphrase" >new.pass
	chmod 600 new.pass
	"$L" --home jpn store passphrase --new-passphrase-file new.pass >/dev/null 2>&1
	run "$L" --home b log checkpoint
	[ "$status" -ne 0 ]
	export LIAISON_PASSPHRASE="a new passphrase"
	"$L" --home b log checkpoint >/dev/null 2>&1
	"$L" --home jpn log verify >/dev/null
	# a retired pair put back in use by whoever can write the database is refused
	for x in key pub; do
		pg "UPDATE payload_chunks SET data = (SELECT data FROM payload_chunks WHERE name = \$\$keys/JPN-1.$x\$\$) WHERE name = \$\$keys/JPN.$x\$\$" >/dev/null
		pg "UPDATE payloads SET size = (SELECT size FROM payloads WHERE name = \$\$keys/JPN-1.$x\$\$) WHERE name = \$\$keys/JPN.$x\$\$" >/dev/null
	done
	run "$L" --home b log checkpoint
	[ "$status" -eq 2 ] || [ "$status" -eq 1 ]
	[[ "$output" == *"keys/JPN.key holds a key this node retired on 2019-09-01 (rotated)"* ]]
}

@test "an item of ${LIAISON_BIG_MIB:-1024} MiB through the database, in and out with flat memory" {
	nodes
	mib=${LIAISON_BIG_MIB:-1024}
	truncate -s "${mib}M" big.bin
	/usr/bin/time -f %M -o share.kib "$L" --home jpn item share big.bin --by sato --level GOKUHI \
		--title big --releasable KOR --ntk MISSILE-WARNING --purpose warning >id 2>/dev/null
	"$L" --home b init --store "$STORE" --join >/dev/null
	/usr/bin/time -f %M -o get.kib "$L" --home b item get "$(cat id)" --by sato --purpose warning -o got.bin 2>/dev/null
	cmp got.bin big.bin
	rm -f got.bin
	[ -z "$(find jpn/blobs b/blobs -type f 2>/dev/null)" ]
	size=$(pg 'SELECT size FROM payloads WHERE name LIKE $$blobs/%$$')
	[ "$size" -gt $((mib << 20)) ]
	[ "$(pg 'SELECT count(*) FROM payload_chunks WHERE name LIKE $$blobs/%$$')" = $(((size + 1048575) >> 20)) ]
	# peak memory (KiB) of each process, whatever the size (the sanitizer build's shadow aside)
	echo "share: $(tail -1 share.kib) KiB, get: $(tail -1 get.kib) KiB"
	if [ -z "${LIAISON_ASAN_BIN:-}" ]; then
		[ "$(tail -1 share.kib)" -lt 40960 ] && [ "$(tail -1 get.kib)" -lt 40960 ]
	fi
}

@test "failover: the primary cut off, its synchronous standby promoted; the daemon goes on there and nothing it acknowledged is lost" {
	# two servers of their own (outside the test's folder: the postgres user runs them)
	fo=/tmp/liaison-failover-$$-$BATS_TEST_NUMBER
	SERVERS="$fo/p $fo/s" SERVERS_IN=$fo
	P=$(sh "$PGSH" start "$fo/p")
	S=$(sh "$PGSH" standby "$fo/s" "$fo/p")
	psql -q "$P/postgres" -c "ALTER SYSTEM SET synchronous_standby_names = '*'" -c "SELECT pg_reload_conf()" >/dev/null
	for _ in $(seq 100); do
		[ "$(psql -qtA "$P/postgres" -c 'SELECT sync_state FROM pg_stat_replication')" = sync ] && break
		sleep 0.1
	done
	[ "$(psql -qtA "$P/postgres" -c 'SELECT sync_state FROM pg_stat_replication')" = sync ]
	psql -q "$P/postgres" -c "CREATE DATABASE node"
	# both servers in the node's URL: libpq takes the one that takes writes
	url="postgresql://liaison@127.0.0.1:${P##*:},127.0.0.1:${S##*:}/node?target_session_attrs=read-write"
	"$L" --home jpn init --replay --party JPN --store "$url" >/dev/null
	"$L" --home jpn config apply "$EXAMPLE" >/dev/null
	SATO=$("$L" --home jpn person token sato 2>/dev/null)
	serve a jpn
	share() { # N: the item's id once the daemon acknowledged it (201), retrying what it did not
		for _ in $(seq 50); do
			out=$(curl -s -w '\n%{http_code}' -H "Authorization: Bearer $SATO" --data-binary @report.txt \
				"$a_URL/v1/items?level=GOKUHI&title=fo$1&releasable=KOR&ntk=MISSILE-WARNING&purpose=warning")
			[ "$(echo "$out" | tail -1)" = 201 ] && { echo "$out" | head -1 | jq -r .id; return 0; }
			echo "$out" | tail -1 >>refused
			sleep 0.2
		done
		return 1
	}
	for i in 1 2 3 4 5 6; do share "$i" >>acked; done
	# the primary cut off as by a power cut, the standby promoted
	sh "$PGSH" crash "$fo/p"
	sh "$PGSH" promote "$fo/s"
	for i in 7 8 9 10 11 12; do share "$i" >>acked; done
	[ "$(sort -u acked | wc -l)" = 12 ]
	# what failed meanwhile failed as unavailable, never as a refusal of the token
	[ ! -e refused ] || ! grep -qv -e 503 -e 500 refused
	# every item it acknowledged, before and after, is on the new primary and
	# opens (a worker whose connection the failover broke fails the request
	# that finds it broken, and connects again for the next)
	[ "$(psql -qtA "$S/node" -c 'SELECT count(*) FROM items')" = 12 ]
	while read -r id; do
		rm -f got.txt
		for _ in 1 2 3 4 5; do
			curl -sf -H "Authorization: Bearer $SATO" "$a_URL/v1/items/$id/content?purpose=warning" \
				-o got.txt && break
			sleep 0.2
		done
		cmp got.txt report.txt
	done <acked
	"$L" --home jpn log verify >/dev/null
	[ "$(log_kinds jpn | grep -cx item-share)" = 12 ]
}
