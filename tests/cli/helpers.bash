# helpers.bash - shared by the CLI tests: a fresh node folder per test.
L="${LIAISON_BIN:-$BATS_TEST_DIRNAME/../../build/liaison}"
# tests/tools/*.c, built beside the unit tests (a hostile peer's own software)
TOOLS="${LIAISON_TOOLS:-$(dirname "$L")/tests/tools}"
EXAMPLE="$BATS_TEST_DIRNAME/../../examples/gsomia-2019.json"
G=JPN-KOR-GSOMIA

setup() {
	export LIAISON_HOME="$BATS_TEST_TMPDIR/node"
	export LIAISON_PASSPHRASE="test passphrase"
	unset LIAISON_NOW
}

# A node of JPN with the example applied.
example_node() {
	"$L" init --replay --party JPN >/dev/null
	"$L" config apply "$EXAMPLE" >/dev/null
}

# The example without its events after 2016 (for recording them one by one).
early_config() {
	jq '.agreements[0].events |= map(select(.date < "2017-01-01"))' "$EXAMPLE" \
		>"$BATS_TEST_TMPDIR/early.json"
	echo "$BATS_TEST_TMPDIR/early.json"
}

# Counts the rows of a table in the node's store.
rows() {
	sqlite3 "$LIAISON_HOME/node.db" "SELECT count(*) FROM $1"
}

# Two nodes in the test's folder, jpn and kor, on 2019-09-01 with the
# example applied, each holding the other's public key.
two_nodes() {
	export LIAISON_PASSPHRASE="test passphrase"
	export LIAISON_NOW=2019-09-01
	unset LIAISON_HOME
	cd "$BATS_TEST_TMPDIR"
	for p in jpn kor; do
		"$L" --home $p init --replay --party "${p^^}" >/dev/null
		"$L" --home $p config apply "$EXAMPLE" >/dev/null
	done
	"$L" --home jpn party key KOR kor/keys/KOR.pub >/dev/null
	"$L" --home kor party key JPN jpn/keys/JPN.pub >/dev/null
}

# launch_item: JPN's item of 2019-08-24 (report.txt) shared on jpn by sato,
# releasable to KOR; sets ID
launch_item() {
	echo "2019-08-24 06:45 KST: two short-range missiles launched eastward" >report.txt
	ID=$("$L" --home jpn item share report.txt --by sato --level GOKUHI --title Launch \
		--releasable KOR --ntk MISSILE-WARNING --purpose warning 2>/dev/null)
}

# outbox_until JQ: waits (at most 10 s) until the jq filter holds on the outbox of OUTBOX (jpn)
outbox_until() {
	for _ in $(seq 100); do
		"$L" --home "${OUTBOX:-jpn}" --json peer outbox | jq -e "$1" >/dev/null && return 0
		sleep 0.1
	done
	"$L" --home "${OUTBOX:-jpn}" --json peer outbox >&2
	return 1
}

# flip_byte FILE OFFSET: one bit of FILE's byte at OFFSET changed in place,
# so that the file always differs (writing a fixed byte over random
# ciphertext leaves it as it was once in 256 runs)
flip_byte() {
	perl -e 'open(my $f, "+<", $ARGV[0]) or die; seek($f, $ARGV[1], 0); read($f, my $c, 1) == 1 or die;
		seek($f, $ARGV[1], 0); print $f chr(ord($c) ^ 1); close($f) or die' "$1" "$2"
}

log_kinds() { # HOME: the kinds of its log's entries, one a line
	"$L" --home "$1" --json log entries | jq -r '.entries[].data | @base64d | fromjson | .kind'
}

# daemon HOME [OPTIONS...]: `liaison serve` of node HOME on DAEMON_LISTEN
# (default a free port), its log in HOME.log; sets DAEMON_URL, DAEMON_PID
daemon() {
	local home=$1
	shift
	# emptied first: the server's shell opens it in the background, and a
	# line of the last server's there (crash.bats restarts one) passed for
	# this one's, its connections then refused
	: >"$home.log"
	"$L" --home "$home" serve --listen "${DAEMON_LISTEN:-127.0.0.1:0}" "$@" 2>"$home.log" &
	DAEMON_PID=$!
	# until it listens or exits: 30 s by the clock, not a count of sleeps
	# (a loaded machine made 200 sleeps of 0.05 s too short, and the test
	# failed later as a refused connection to a URL without a port)
	local deadline=$((SECONDS + 30))
	until grep -q "node on http" "$home.log" 2>/dev/null; do
		if ! kill -0 "$DAEMON_PID" 2>/dev/null; then
			# exited: the caller may expect that; its log shows if the test fails
			echo "daemon: $home's server exited before listening:" >&2
			cat "$home.log" >&2
			break
		fi
		if ((SECONDS >= deadline)); then
			echo "daemon: $home's server is not listening after 30 s:" >&2
			cat "$home.log" >&2
			# no caller keeps its pid now: killed here, not left holding the suite
			kill -9 "$DAEMON_PID" 2>/dev/null
			wait "$DAEMON_PID" 2>/dev/null || true
			return 1
		fi
		sleep 0.05
	done
	local scheme=http
	grep -q "node on https" "$home.log" && scheme=https
	DAEMON_URL=$scheme://127.0.0.1:$(sed -n 's/.*127\.0\.0\.1:\([0-9]*\).*/\1/p' "$home.log" | head -1)
}

# third_party HOME...: the USA as a party (no agreement) and its public key
# on each node, for consents and releases beyond the pact
third_party() {
	echo '{"parties": [{"code": "USA", "name": "United States", "levels": [
	        {"code": "C", "name": "CONFIDENTIAL", "rank": 1},
	        {"code": "S", "name": "SECRET", "rank": 2}]}]}' >"$BATS_TEST_TMPDIR/usa.json"
	# and its key: a consent to pass an item on to the USA is sealed to it
	local keys=$BATS_TEST_TMPDIR/third-party-keys
	[ -e "$keys/USA.pub" ] || { mkdir -p "$keys" && "$L" keygen --party USA --out "$keys" >/dev/null; }
	for h in "$@"; do
		"$L" --home "$h" config apply "$BATS_TEST_TMPDIR/usa.json" >/dev/null
		"$L" --home "$h" party key USA "$keys/USA.pub" >/dev/null
	done
}

# up HOME [OPTIONS...]: a daemon of HOME (daemon above) that the test's
# teardown kills (its pid in PIDS); sets ${HOME^^}_URL and ${HOME^^}_PID
up() { # HOME [OPTIONS...]: a daemon; sets ${HOME}_URL and keeps its pid
	daemon "$@"
	PIDS+=("$DAEMON_PID")
	eval "${1^^}_URL=$DAEMON_URL ${1^^}_PID=$DAEMON_PID"
}

down() { # HOME
	local pid=${1^^}_PID
	kill -TERM "${!pid}"
	wait "${!pid}" || true
}

# share_through URL TOKEN N: N items (report.txt) shared through the daemon
# at URL as the token's person, JPN's example sato
share_through() {
	for i in $(seq "$3"); do
		curl -sf -o /dev/null -H "Authorization: Bearer $2" --data-binary @report.txt \
			"$1/v1/items?level=GOKUHI&title=T$i&releasable=KOR&ntk=MISSILE-WARNING&purpose=warning" ||
			return 1
	done
}

# eventually CMD...: CMD succeeds within $WITHIN seconds (10 unless set),
# tried every tenth of a second, and at least 100 times (a loaded machine
# slows each try); its last try's output shown
eventually() {
	local end=$((SECONDS + ${WITHIN:-10})) tries=0
	while [ "$SECONDS" -lt "$end" ] || [ "$tries" -lt 100 ]; do
		"$@" 2>/dev/null && return 0
		tries=$((tries + 1))
		sleep 0.1
	done
	"$@"
}

# api_record METHOD PATH STATUS FILE: keeps a daemon's answer (its body in
# FILE) for api_check, which checks it against docs/openapi.yaml
api_record() { # one process (cp) per answer: the suites ask thousands
	local dir="$BATS_TEST_TMPDIR/answers"
	[ -d "$dir" ] || mkdir -p "$dir"
	# a name no other call takes, in this shell or a subshell of it
	local body="$dir/$BASHPID.${EPOCHREALTIME/./}.$RANDOM.body"
	cp "$4" "$body" 2>/dev/null || : >"$body"
	printf '%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$body" >>"$BATS_TEST_TMPDIR/answers.tsv"
}

# api_check: every answer api_record kept is one docs/openapi.yaml declares
# for its operation and status, its JSON body valid against the schema
# (check_responses.py keeps the parsed document in $BATS_RUN_TMPDIR for the
# next calls of the run)
api_check() {
	[ -s "$BATS_TEST_TMPDIR/answers.tsv" ] || return 0
	python3 "$BATS_TEST_DIRNAME/../openapi/check_responses.py" \
		"$BATS_TEST_DIRNAME/../../docs/openapi.yaml" "$BATS_TEST_TMPDIR/answers.tsv" >&2
}

# peer_post HEADERS BODY URL: BODY posted to URL with the header lines of the
# file HEADERS (a peer's signed request, as forge or a capture gives them);
# the status in $code, the answer in ans.json
peer_post() {
	local args=()
	while IFS= read -r h; do args+=(-H "$h"); done <"$1"
	code=$(curl -s -o ans.json -w '%{http_code}' -X POST "${args[@]}" \
		-H 'Content-Type: application/octet-stream' --data-binary @"$2" "$3")
}

# hold_lock DB SQL: another writer (a daemon's lane, another process) holds
# DB's write lock for 3 s, doing SQL in its transaction; returns once it
# holds it. A command run then reads the store as it was (3 s: time to get
# there under a sanitizer on a loaded machine), and writes after.
hold_lock() {
	local flag
	flag=$(mktemp -u "$BATS_TEST_TMPDIR/held.XXXXXX")
	sqlite3 "$1" >/dev/null 2>&1 <<-SQL &
		BEGIN IMMEDIATE;
		$2
		.shell touch $flag && sleep 3
		COMMIT;
	SQL
	for _ in $(seq 100); do [ -e "$flag" ] && break; sleep 0.05; done
	[ -e "$flag" ]
}
