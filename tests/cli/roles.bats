#!/usr/bin/env bats
# Every route of docs/openapi.yaml, asked by every kind of person, answers
# with the status its role table says (docs/decisions.md, node/access.c):
# 2xx when the person may, 403 "forbidden" for a role or token that may not,
# 403 "denied" when the pact's rules refuse it, 404 for an item the person
# may not see, 401 without a token.
load helpers

# The people asking, each with a token: a column of the table each.
PERSONAS="an or so rg au fa ro"

setup() {
	export LIAISON_HOME="$BATS_TEST_TMPDIR/node"
	export LIAISON_PASSPHRASE="test passphrase"
	export LIAISON_NOW=2019-09-01
	cd "$BATS_TEST_TMPDIR"
	example_node
	third_party "$LIAISON_HOME"
	add() { "$L" person add "$@" >/dev/null; }
	add an --party JPN --name An --role analyst --clearance TOKUTEI --from 2015-01-01 \
		--ntk MISSILE-WARNING
	add or --party JPN --name Or --role originator --clearance TOKUTEI --from 2015-01-01 \
		--ntk MISSILE-WARNING
	add so --party JPN --name So --role security-officer --clearance TOKUTEI --from 2015-01-01
	add rg --party JPN --name Rg --role registrar --clearance HI --from 2015-01-01
	add au --party JPN --name Au --role auditor --clearance TOKUTEI --from 2015-01-01
	add ro --party JPN --name Ro --role analyst --role originator --clearance TOKUTEI \
		--from 2015-01-01 --ntk MISSILE-WARNING
	# fa: kim, a KOR analyst defined on JPN's node
	for p in an or so rg au; do
		eval "TOKEN_$p=\$(\"\$L\" person token $p 2>/dev/null)"
	done
	TOKEN_fa=$("$L" person token kim 2>/dev/null)
	TOKEN_ro=$("$L" person token ro --read-only 2>/dev/null)
	SELF_fa=kim
	echo "launch at 06:00" >report.txt
	echo "not an envelope" >bogus.bin
	"$L" keygen --party KOR >/dev/null 2>&1
	"$L" party key KOR KOR.pub >/dev/null
}

teardown() {
	[ -z "${DAEMON_PID:-}" ] || kill -9 "$DAEMON_PID" 2>/dev/null || true
	api_check
}

# The table: METHOD PATH BODY, then the answer for each of $PERSONAS.
# BODY: - (none), json:{...}, file:NAME (an upload). In PATH and bodies,
# ITEM is the persona's own item (shared by `or` just before its row),
# SELF its person, NEW a fresh id. Answers: a status, or f (403 forbidden),
# d (403 denied). The item's destroy comes last.
table() {
	cat <<'EOF'
GET /healthz -                                                  200 200 200 200 200 200 200
GET /readyz -                                                   200 200 200 200 200 200 200
GET / -                                                         200 200 200 200 200 200 200
GET /console/favicon.svg -                                      200 200 200 200 200 200 200
POST /v1/session json:{"token":"x"}                             401 401 401 401 401 401 401
GET /v1/session -                                               400 400 400 400 400 400 400
POST /v1/session/end -                                          400 400 400 400 400 400 400
GET /v1/me -                                                    200 200 200 200 200 200 200
POST /v1/config?dry_run=true file:example.json                  f   f   f   200 f   f   f
GET /v1/parties/KOR -                                           200 200 200 200 200 200 200
POST /v1/parties/KOR/key file:KOR.pub                           f   f   f   200 f   f   f
GET /v1/agreements -                                            200 200 200 200 200 200 200
GET /v1/agreements/JPN-KOR-GSOMIA -                             200 200 200 200 200 200 200
GET /v1/agreements/JPN-KOR-GSOMIA/status -                      200 200 200 200 200 200 200
GET /v1/agreements/JPN-KOR-GSOMIA/timeline -                    200 200 200 200 200 200 200
GET /v1/agreements/JPN-KOR-GSOMIA/timeline.svg -                200 200 200 200 200 200 200
POST /v1/agreements/JPN-KOR-GSOMIA/events?dry_run=true json:{"date":"2019-09-01","kind":"amended"} f f f 200 f f f
POST /v1/agreements/JPN-KOR-GSOMIA/events json:{"date":"2019-09-01","kind":"amended"} f f f 201 f f f
GET /v1/people -                                                200 200 200 200 200 200 200
POST /v1/people json:{"id":"NEW","party":"JPN","name":"N","roles":["analyst"]} f f f 201 f f f
GET /v1/people/SELF -                                           200 200 200 200 200 200 200
GET /v1/people/sato -                                           404 404 200 200 404 404 404
GET /v1/items -                                                 200 200 200 200 200 200 200
POST /v1/items?level=HI&title=t&releasable=KOR file:report.txt  201 201 f   f   f   f   f
POST /v1/items/import file:bogus.bin                            f   f   400 400 f   f   f
GET /v1/items/ITEM -                                            200 200 200 404 200 200 200
GET /v1/items/ITEM/content?purpose=warning -                    200 200 d   404 d   200 200
POST /v1/access-checks json:{"item":"ITEM","action":"read"}     200 200 200 404 200 200 200
POST /v1/items/ITEM/release json:{"to":"KOR"}                   d   200 d   404 d   d   f
POST /v1/items/ITEM/reproduce json:{"purpose":"warning"}        201 201 d   404 d   d   f
POST /v1/items/ITEM/translate?purpose=warning file:report.txt   201 201 d   404 d   d   f
POST /v1/items/ITEM/report-compromise json:{"details":"lost"}   d   d   200 404 d   d   f
POST /v1/items/ITEM/consents json:{"to":"USA","holder":"KOR"}   f   201 f   f   f   f   f
POST /v1/consents file:bogus.bin                                f   f   400 400 f   f   f
GET /v1/export/check?entry=HF&to=KOR -                          200 200 200 200 200 200 200
GET /v1/export/groups/KOR -                                     200 200 200 200 200 200 200
GET /v1/export/timeline/KOR -                                   200 200 200 200 200 200 200
GET /v1/export/licences -                                       200 200 200 200 200 200 200
POST /v1/export/licences json:{"id":"NEW","entry":"HF","to":"KOR","valid_from":"2019-09-01","valid_to":"2019-12-31"} f f f 201 f f f
GET /v1/export/regime -                                         200 200 200 200 200 200 200
GET /v1/log/checkpoint -                                        200 200 200 200 200 200 200
GET /v1/log/entries -                                           f   f   f   f   200 f   f
GET /metrics -                                                  f   f   f   f   200 f   f
GET /v1/log/proof?index=0 -                                     f   f   f   f   200 f   f
GET /v1/log/consistency?from=1 -                                f   f   f   f   200 f   f
GET /v1/log/verify -                                            f   f   f   f   200 f   f
GET /v1/log/alarms -                                            f   f   f   f   200 f   f
POST /v1/log/witness json:{"checkpoint":"x"}                    f   f   f   400 f   f   f
GET /v1/peers -                                                 f   f   200 200 f   f   f
GET /v1/outbox -                                                f   f   200 200 f   f   f
GET /v1/reports -                                               f   f   200 f   200 f   f
GET /v1/reports/0123456789abcdef0123456789abcdef -              f   f   404 f   404 f   f
POST /v1/reports/0123456789abcdef0123456789abcdef/acknowledge json:{"note":"x"} f f 404 f f f f
POST /v1/peer/messages file:bogus.bin                           401 401 401 401 401 401 401
POST /v1/peer/checkpoint file:bogus.bin                         401 401 401 401 401 401 401
POST /v1/items/ITEM/downgrade json:{"level":"HI"}               d   200 d   404 d   d   f
POST /v1/items/ITEM/destroy -                                   d   d   200 404 d   d   f
EOF
}

# ask TOKEN METHOD PATH BODY: the status in $got, the answer in out.json
# (no subshell: some 400 requests are asked)
ask() {
	local args=(-s -o out.json -w '%{http_code}' -X "$2")
	[ -z "$1" ] || args+=(-H "Authorization: Bearer $1")
	case $4 in
	json:*) args+=(-H 'Content-Type: application/json' -d "${4#json:}") ;;
	file:*) args+=(--data-binary "@${4#file:}") ;;
	esac
	got=$(curl "${args[@]}" "$DAEMON_URL$3")
	api_record "$2" "$3" "$got" out.json
}

@test "the table covers every route of docs/openapi.yaml" {
	awk '/^  \/[^ ]*:$/ { p = substr($1, 1, length($1) - 1) }
	     /^    (get|post|put|delete):$/ { print toupper(substr($1, 1, length($1) - 1)) " " p }' \
		"$BATS_TEST_DIRNAME/../../docs/openapi.yaml" | sort >doc.txt
	# the table's paths with their parameters named as the document names them
	table | awk '{ print $1 " " $2 }' | sed -E 's/\?.*//; s#/items/ITEM#/items/{id}#;
		s#/people/(SELF|sato)#/people/{id}#; s#/parties/KOR#/parties/{code}#;
		s#/agreements/JPN-KOR-GSOMIA#/agreements/{id}#; s#/(groups|timeline)/KOR#/\1/{country}#;
		s#/console/favicon.svg#/console/{file}#; s#/reports/[0-9a-f]{32}#/reports/{id}#' |
		sort -u >table.txt
	diff doc.txt table.txt
}

@test "every route answers every kind of person as the role table says" {
	cp "$EXAMPLE" example.json
	daemon "$LIAISON_HOME"
	set -- $PERSONAS
	# every persona's rows, each with its own item shared by `or` (through the
	# CLI, another process, while the daemon's caches are warm) just before
	# them, then every row without a token; each block asked in one go, on a
	# connection of its own (tests/tools/ask.py)
	: >asks.tsv
	: >wants.txt
	: >gots.txt
	ask_block() { # the rows in block.tsv
		cat block.tsv >>asks.tsv
		python3 "$BATS_TEST_DIRNAME/../tools/ask.py" "$DAEMON_URL" <block.tsv >>gots.txt
	}
	col=0
	for p in "$@"; do
		col=$((col + 1))
		token_var=TOKEN_$p
		token=${!token_var}
		self_var=SELF_$p
		self=${!self_var:-$p}
		item=$("$L" item share report.txt --by or --level GOKUHI --title "for $p" --releasable KOR \
			--ntk MISSILE-WARNING --purpose warning 2>/dev/null)
		: >block.tsv
		while read -r method path body rest; do
			[ -n "$method" ] || continue
			read -ra cols <<<"$rest"
			path=${path//ITEM/$item}
			path=${path//SELF/$self}
			body=${body//ITEM/$item}
			body=${body//NEW/new-$p}
			printf '%s\t%s\t%s\t%s\n' "$token" "$method" "$path" "$body" >>block.tsv
			echo "$p $method $path ${cols[col - 1]}" >>wants.txt
		done < <(table)
		ask_block
	done
	# without a token: 401 everywhere but the probes and the console's files
	: >block.tsv
	while read -r method path body rest; do
		path=${path//ITEM/0123}
		path=${path//SELF/an}
		printf '\t%s\t%s\t%s\n' "$method" "$path" "$body" >>block.tsv
		case $path in /healthz | /readyz | / | /console/*) want=200 ;; *) want=401 ;; esac
		echo "- $method $path $want" >>wants.txt
	done < <(table)
	ask_block
	fails=0 asked=0
	while read -r p method path want got code; do
		asked=$((asked + 1))
		case $want in
		f) expect="403 forbidden" ;;
		d) expect="403 denied" ;;
		*) expect=$want ;;
		esac
		# every error, whatever the route, has one shape (its code read with it)
		if [ "$code" = '!shape' ]; then
			echo "$p: $method $path: $got is not the one error shape" >&2
			fails=$((fails + 1))
		fi
		seen=$got
		[ "$got" != 403 ] || seen="403 $code"
		[ "$p" != - ] || [ "$want" != 401 ] || [ "$code" = auth ] ||
			{ echo "no token: $method $path: not the error shape" >&2; fails=$((fails + 1)); }
		if [ "$seen" != "$expect" ]; then
			echo "$p: $method $path: want $want, got $got $code" >&2
			fails=$((fails + 1))
		fi
	done < <(paste -d' ' wants.txt gots.txt)
	# an answer for every request asked
	[ "$asked" = "$(wc -l <asks.tsv)" ] && [ "$(wc -l <gots.txt)" = "$asked" ]
	kill -TERM "$DAEMON_PID"; wait "$DAEMON_PID" || true
	echo "# $asked requests, $fails not as the table says" >&3
	[ "$fails" -eq 0 ]
}
