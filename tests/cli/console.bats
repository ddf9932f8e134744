#!/usr/bin/env bats
# The web console's server side: its files from the binary under a strict
# policy, and its sessions: sign-in with a token, the cookie's attributes,
# the session answered as its token, CSRF on every change, sign-out, and a
# revoked token ending its sessions. (The pages themselves: tests/console,
# in a real browser.)
load helpers

setup() {
	two_nodes
	SATO=$("$L" --home jpn person token sato 2>/dev/null)
	MORI=$("$L" --home jpn person token mori 2>/dev/null)
	daemon jpn
	PID=$DAEMON_PID
	URL=$DAEMON_URL
}

teardown() {
	kill -9 "$PID" 2>/dev/null || true
	api_check
}

# signin TOKEN [JAR]: a session in cookie jar JAR (jar.txt), its CSRF value
# in JAR.csrf; the answer in in.json
signin() {
	code=$(curl -s -c "${2:-jar.txt}" -D head.txt -o in.json -w '%{http_code}' \
		-H 'Content-Type: application/json' -d "{\"token\": \"$1\"}" "$URL/v1/session")
	api_record POST /v1/session "$code" in.json
	jq -r '.csrf // empty' in.json >"${2:-jar.txt}.csrf"
}

# with JAR METHOD PATH [CURL ARGS...]: a request with the session's cookie
# and, as the console sends it, its CSRF value (unless NO_CSRF=1, or the
# arguments give an X-CSRF-Token); status in $code, body in out.json,
# headers in head.txt
with() {
	local jar=$1 method=$2 path=$3 csrf=()
	shift 3
	if [ -z "${NO_CSRF:-}" ] && [ -s "$jar.csrf" ] && [[ "$*" != *X-CSRF-Token:* ]]; then
		csrf=(-H "X-CSRF-Token: $(cat "$jar.csrf")")
	fi
	code=$(curl -s -b "$jar" -c "$jar" -D head.txt -o out.json -w '%{http_code}' -X "$method" \
		"${csrf[@]}" "$@" "$URL$path")
	api_record "$method" "$path" "$code" out.json
}

@test "sign-in: a session cookie HttpOnly and SameSite=Strict, the person, a CSRF value, when it ends" {
	signin "$SATO"
	[ "$code" = 201 ]
	[ "$(jq -r .person.id in.json)" = sato ]
	[ "$(jq -r '.csrf | length' in.json)" -ge 40 ]
	[ "$(jq -r .idle_seconds in.json)" = 1800 ]
	jq -e '.expires | test("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}Z$")' in.json
	grep -i '^set-cookie: liaison_session_JPN=' head.txt >cookie.txt
	grep -q 'HttpOnly' cookie.txt
	grep -q 'SameSite=Strict' cookie.txt
	grep -q 'Path=/;' cookie.txt
	! grep -q 'Secure' cookie.txt # plain HTTP on loopback: no Secure (TLS: see below)
	! grep -qi 'Max-Age\|Expires' cookie.txt # kept in the browser's memory, not on its disk
	# the cookie is neither the token nor the CSRF value
	! grep -q "$SATO" cookie.txt
	! grep -q "$(jq -r .csrf in.json)" cookie.txt
	# the session answers as the token does
	with jar.txt GET /v1/me
	[ "$code" = 200 ]
	[ "$(jq -r .id out.json)" = sato ]
	with jar.txt GET /v1/session
	[ "$code" = 200 ]
	[ "$(jq -r .person.id out.json)" = sato ]
	[ "$(jq 'has("csrf")' out.json)" = false ] # the sign-in's answer alone has it
	# the cookie alone is nothing: a browser sends it to every port of the
	# host, where another service may take it (or set one: it would not match)
	for path in /v1/me /v1/session /v1/items; do
		NO_CSRF=1 with jar.txt GET "$path"
		[ "$code" = 403 ]
		[ "$(jq -r .error.code out.json)" = csrf ]
		[[ "$(jq -r .error.message out.json)" == *"needs its X-CSRF-Token"* ]]
	done
	# another's session set in its place (mori's cookie, sato's page): as
	# if it had ended (the page asks for a sign-in)
	signin "$MORI" planted.txt
	with planted.txt GET /v1/me -H "X-CSRF-Token: $(cat jar.txt.csrf)"
	[ "$code" = 401 ]
	jq -e '.error.message | test("session ended, or this X-CSRF-Token is not its own")' out.json
	# an auditor's session reads the log; an analyst's may not
	with jar.txt GET /v1/log/entries
	[ "$code" = 403 ]
	signin "$MORI" mori.txt
	with mori.txt GET /v1/log/entries
	[ "$code" = 200 ]
}

@test "sign-in refused: a wrong token, a revoked one, not a token, no token, bad JSON; no cookie" {
	for body in '{"token": "lsn_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"}' '{"token": "hunter2"}' \
		'{}' '{"token": 7}' 'not json' '{"token": "x", "extra": 1}'; do
		code=$(curl -s -D head.txt -o in.json -w '%{http_code}' -H 'Content-Type: application/json' \
			-d "$body" "$URL/v1/session")
		api_record POST /v1/session "$code" in.json
		[ "$code" = 401 ] || [ "$code" = 400 ]
		! grep -qi '^set-cookie' head.txt
	done
	"$L" --home jpn person revoke-token "$("$L" --home jpn --json person tokens sato | jq -r '.tokens[0].id')"
	signin "$SATO"
	[ "$code" = 401 ]
	jq -e '.error.message | test("unknown or revoked")' in.json
}

@test "a session's request needs its X-CSRF-Token from the console's origin; nothing is stored without" {
	signin "$SATO"
	csrf=$(jq -r .csrf in.json)
	echo "launch at 06:00" >report.txt
	share='/v1/items?level=GOKUHI&title=Launch&releasable=KOR&ntk=MISSILE-WARNING&purpose=warning'
	before=$(sqlite3 jpn/node.db 'SELECT count(*) FROM log_entries')
	NO_CSRF=1 with jar.txt POST "$share" --data-binary @report.txt
	[ "$code" = 403 ]
	[ "$(jq -r .error.code out.json)" = csrf ]
	with jar.txt POST "$share" --data-binary @report.txt -H 'X-CSRF-Token: wrong'
	[ "$code" = 401 ] # another session's value, or none's
	# the right value from another site (a browser says so) is refused too
	with jar.txt POST "$share" --data-binary @report.txt -H "X-CSRF-Token: $csrf" \
		-H 'Sec-Fetch-Site: cross-site'
	[ "$code" = 403 ]
	with jar.txt POST "$share" --data-binary @report.txt -H "X-CSRF-Token: $csrf" \
		-H 'Origin: http://evil.example'
	[ "$code" = 403 ]
	[ "$(sqlite3 jpn/node.db 'SELECT count(*) FROM log_entries')" = "$before" ]
	[ "$(sqlite3 jpn/node.db 'SELECT count(*) FROM items')" = 0 ]
	# from the console itself: stored
	host=${URL#http://}
	with jar.txt POST "$share" --data-binary @report.txt -H "X-CSRF-Token: $csrf" \
		-H 'Sec-Fetch-Site: same-origin' -H "Origin: http://$host"
	[ "$code" = 201 ]
	[ "$(sqlite3 jpn/node.db 'SELECT count(*) FROM items')" = 1 ]
	# reads need the CSRF value too (above); with it:
	with jar.txt GET /v1/items
	[ "$code" = 200 ]
	[ "$(jq '.items | length' out.json)" = 1 ]
	# a bearer token needs none either: no cookie, no cross-site forgery
	code=$(curl -s -o out.json -w '%{http_code}' -H "Authorization: Bearer $SATO" \
		--data-binary @report.txt "$URL$share")
	[ "$code" = 201 ]
}

@test "sign-out ends the session here and in the browser; the old cookie then gets 401" {
	signin "$SATO"
	csrf=$(jq -r .csrf in.json)
	cp jar.txt old.txt
	cp jar.txt.csrf old.txt.csrf
	NO_CSRF=1 with jar.txt POST /v1/session/end
	[ "$code" = 403 ] # sign-out needs the CSRF value
	with jar.txt POST /v1/session/end -H "X-CSRF-Token: $csrf"
	[ "$code" = 204 ]
	grep -i '^set-cookie: liaison_session_JPN=;' head.txt | grep -q 'Max-Age=0'
	with old.txt GET /v1/me
	[ "$code" = 401 ]
	jq -e '.error.message | test("session ended")' out.json
	# a session without the bearer's rights: GET /v1/session with a token is no session
	code=$(curl -s -o out.json -w '%{http_code}' -H "Authorization: Bearer $SATO" "$URL/v1/session")
	[ "$code" = 400 ]
}

@test "a revoked token ends its sessions at their next request; a forged cookie is no session" {
	signin "$SATO"
	with jar.txt GET /v1/me
	[ "$code" = 200 ]
	id=$("$L" --home jpn --json person tokens sato | jq -r '.tokens[0].id')
	"$L" --home jpn person revoke-token "$id"
	refused() {
		[ "$(curl -s -b jar.txt -H "X-CSRF-Token: $(cat jar.txt.csrf)" -o /dev/null \
			-w '%{http_code}' "$URL/v1/me")" = 401 ]
	}
	eventually refused
	code=$(curl -s -o out.json -w '%{http_code}' -b 'liaison_session_JPN=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' \
		-H "X-CSRF-Token: $(cat jar.txt.csrf)" "$URL/v1/me")
	[ "$code" = 401 ]
	jq -e '.error.message | test("session ended")' out.json
}

@test "every answer carries the strict policy: CSP without inline script, no framing, no sniffing" {
	for path in / /v1/me /healthz /console/nothing.js; do
		curl -s -D head.txt -o /dev/null "$URL$path"
		grep -i "^content-security-policy: default-src 'none'; script-src 'self';" head.txt
		grep -i "^content-security-policy:.*frame-ancestors 'none'" head.txt
		! grep -i "^content-security-policy:.*unsafe-inline" head.txt
		grep -qi '^x-content-type-options: nosniff' head.txt
		grep -qi '^x-frame-options: DENY' head.txt
	done
}

@test "the console's files come from the binary, with their types; others are 404" {
	code=$(curl -s -D head.txt -o index.html -w '%{http_code}' "$URL/")
	[ "$code" = 200 ]
	grep -qi '^content-type: text/html; charset=utf-8' head.txt
	grep -q '<script type="module" src="/console/' index.html
	! grep -q '<script>' index.html # nothing inline (the policy would refuse it)
	js=$(sed -n 's|.*<script type="module" src="/console/\([^"]*\)".*|\1|p' index.html | head -1)
	code=$(curl -s -D head.txt -o app.js -w '%{http_code}' "$URL/console/$js")
	[ "$code" = 200 ]
	grep -qi '^content-type: text/javascript' head.txt
	cmp app.js "$BATS_TEST_DIRNAME/../../console/$js"
	for bad in /console/nothing.js /console/../node.db /console/%2e%2e%2fnode.db /console/; do
		code=$(curl -s --path-as-is -o out.json -w '%{http_code}' "$URL$bad")
		[ "$code" = 404 ]
	done
	# HEAD like GET, without a body; other methods: 405
	[ "$(curl -s -I -o /dev/null -w '%{http_code}' "$URL/")" = 200 ]
	[ "$(curl -s -X POST -o /dev/null -w '%{http_code}' "$URL/")" = 405 ]
}

@test "TLS: the session cookie is Secure" {
	kill -9 "$PID"
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
		-subj /CN=localhost -addext "subjectAltName=IP:127.0.0.1" \
		-keyout key.pem -out cert.pem 2>/dev/null
	daemon jpn --tls-cert cert.pem --tls-key key.pem
	PID=$DAEMON_PID
	code=$(curl -s --cacert cert.pem -D head.txt -o in.json -w '%{http_code}' \
		-H 'Content-Type: application/json' -d "{\"token\": \"$SATO\"}" "$DAEMON_URL/v1/session")
	[ "$code" = 201 ]
	# __Host-: no other origin (another port, a parent domain) may set or shadow it
	grep -i '^set-cookie: __Host-liaison_session_JPN=' head.txt | grep -q '; Secure'
	# the origin a browser there says is https://
	csrf=$(jq -r .csrf in.json)
	cookie=$(sed -n 's/^[Ss]et-[Cc]ookie: \([^;]*\);.*/\1/p' head.txt)
	for origin in "http://127.0.0.1:${DAEMON_URL##*:}" "https://127.0.0.1:${DAEMON_URL##*:}"; do
		curl -s --cacert cert.pem -o out.json -w '%{http_code}' -b "$cookie" -H "X-CSRF-Token: $csrf" \
			-H "Origin: $origin" -X POST "$DAEMON_URL/v1/session/end" >code.txt
		echo "$origin $(cat code.txt)" >>codes.txt
	done
	grep -qx "http://127.0.0.1:${DAEMON_URL##*:} 403" codes.txt
	grep -qx "https://127.0.0.1:${DAEMON_URL##*:} 204" codes.txt
}

@test "a session ends after --session-idle unused, and after --session-max however used" {
	kill -9 "$PID"
	daemon jpn --session-idle 2 --session-max 5
	PID=$DAEMON_PID
	URL=$DAEMON_URL
	signin "$SATO"
	[ "$code" = 201 ]
	# the cookie without its CSRF value, or with another, does not keep it
	# alive (a page on another port could make the browser send it)
	t0=$(date +%s.%N)
	while [ "$(echo "$(date +%s.%N) - $t0 < 2.5" | bc)" = 1 ]; do
		NO_CSRF=1 with jar.txt GET /v1/me
		[ "$code" = 403 ]
		with jar.txt GET /v1/me -H 'X-CSRF-Token: wrong'
		[ "$code" = 401 ]
		sleep 0.4
	done
	with jar.txt GET /v1/me
	[ "$code" = 401 ]
	jq -e '.error.message | test("session ended")' out.json
	# used every 0.7 s, it still ends 5 s after sign-in (the cookie sent as
	# it is, whatever the browser would do at its Max-Age)
	signin "$SATO"
	t0=$(date +%s.%N)
	cookie=$(sed -n 's/^[Ss]et-[Cc]ookie: \([^;]*\);.*/\1/p' head.txt)
	me() { curl -s -o out.json -w '%{http_code}' -b "$cookie" -H "X-CSRF-Token: $(cat jar.txt.csrf)" "$URL/v1/me"; }
	while [ "$(echo "$(date +%s.%N) - $t0 < 3.5" | bc)" = 1 ]; do
		[ "$(me)" = 200 ]
		sleep 0.7
	done
	[ "$(me)" = 200 ]
	sleep "$(echo "$t0 + 5.5 - $(date +%s.%N)" | bc)" # under 2 s unused
	[ "$(me)" = 401 ]
	jq -e '.error.message | test("session ended")' out.json
	run "$L" --home jpn serve --session-idle 0
	[ "$status" -eq 2 ]
	[[ "$output" == *"--session-idle"* ]]
}

@test "a sign-in from another site's page is refused (login CSRF): no cookie" {
	for h in 'Sec-Fetch-Site: cross-site' 'Origin: http://evil.example' 'Sec-Fetch-Site: same-site'; do
		code=$(curl -s -D head.txt -o in.json -w '%{http_code}' -H "$h" \
			-H 'Content-Type: application/json' -d "{\"token\": \"$SATO\"}" "$URL/v1/session")
		api_record POST /v1/session "$code" in.json
		[ "$code" = 403 ]
		[ "$(jq -r .error.code in.json)" = csrf ]
		! grep -qi '^set-cookie' head.txt
	done
	# typed in the address bar or from the console itself: fine
	code=$(curl -s -o in.json -w '%{http_code}' -H 'Sec-Fetch-Site: none' \
		-H 'Content-Type: application/json' -d "{\"token\": \"$SATO\"}" "$URL/v1/session")
	[ "$code" = 201 ]
	# a form's body (not JSON) or one larger than a token needs: refused before it is read
	code=$(curl -s -D head.txt -o in.json -w '%{http_code}' -H 'Content-Type: text/plain' \
		-d "{\"token\": \"$SATO\"}" "$URL/v1/session")
	api_record POST /v1/session "$code" in.json
	[ "$code" = 403 ]
	jq -e '.error.message | test("JSON")' in.json
	head -c 1000000 /dev/zero | tr '\0' ' ' >big.json
	# (Expect: 100-continue: curl waits for the answer before it sends the
	# body, which the daemon refuses unread; without it, curl may still be
	# sending when the daemon closes, and fail with "failed sending data")
	code=$(curl -s -o in.json -w '%{http_code}' -H 'Content-Type: application/json' \
		-H 'Expect: 100-continue' --data-binary @big.json "$URL/v1/session")
	api_record POST /v1/session "$code" in.json
	[ "$code" = 403 ]
	# the access log is written at least every 200 ms: six sign-ins so far
	logged() { [ "$(grep -c '"path":"/v1/session"' jpn.log)" -ge 6 ]; }
	eventually logged
	[ "$(grep '"path":"/v1/session"' jpn.log | tail -1 | jq .bytes_in)" = 0 ]
}

@test "a download by a session needs the CSRF value, as every request; a second cookie of the name is refused" {
	signin "$SATO"
	csrf=$(jq -r .csrf in.json)
	echo "launch at 06:00" >report.txt
	id=$("$L" --home jpn item share report.txt --by sato --level GOKUHI --title t --releasable KOR \
		--ntk MISSILE-WARNING --purpose warning 2>/dev/null)
	before=$(sqlite3 jpn/node.db 'SELECT count(*) FROM log_entries')
	# an <img> of a page of the same site (another port) carries the cookie: no act
	NO_CSRF=1 with jar.txt GET "/v1/items/$id/content?purpose=warning" -H 'Sec-Fetch-Site: same-site'
	[ "$code" = 403 ]
	[ "$(jq -r .error.code out.json)" = csrf ]
	[ "$(sqlite3 jpn/node.db 'SELECT count(*) FROM log_entries')" = "$before" ]
	with jar.txt GET "/v1/items/$id/content?purpose=warning" -H "X-CSRF-Token: $csrf"
	[ "$code" = 200 ]
	[ "$(cat out.json)" = "launch at 06:00" ]
	# a cookie of the same name set for a longer path shadows nothing: both refused
	cookie=$(sed -n 's/^[Ss]et-[Cc]ookie: \([^;]*\);.*/\1/p' head.txt)
	signin "$SATO"
	cookie=$(sed -n 's/^[Ss]et-[Cc]ookie: \([^;]*\);.*/\1/p' head.txt)
	code=$(curl -s -o out.json -w '%{http_code}' -H "Cookie: liaison_session_JPN=bogus; $cookie" "$URL/v1/me")
	[ "$code" = 401 ]
	jq -e '.error.message | test("more than one")' out.json
	code=$(curl -s -o out.json -w '%{http_code}' -H "Cookie: $cookie" -H "X-CSRF-Token: $(cat jar.txt.csrf)" "$URL/v1/me")
	[ "$code" = 200 ]
	# a sign-in with the cookie alone (taken elsewhere, with another's
	# token) leaves the session it names alone
	code=$(curl -s -o in.json -w '%{http_code}' -H "Cookie: $cookie" -H 'Content-Type: application/json' \
		-d "{\"token\": \"$MORI\"}" "$URL/v1/session")
	[ "$code" = 201 ]
	code=$(curl -s -o out.json -w '%{http_code}' -H "Cookie: $cookie" -H "X-CSRF-Token: $(cat jar.txt.csrf)" "$URL/v1/me")
	[ "$code" = 200 ]
	# a sign-in from the browser that held it (its page sends its value) ends it
	code=$(curl -s -o in.json -w '%{http_code}' -H "Cookie: $cookie" -H "X-CSRF-Token: $(cat jar.txt.csrf)" \
		-H 'Content-Type: application/json' -d "{\"token\": \"$SATO\"}" "$URL/v1/session")
	[ "$code" = 201 ]
	code=$(curl -s -o out.json -w '%{http_code}' -H "Cookie: $cookie" -H "X-CSRF-Token: $(cat jar.txt.csrf)" "$URL/v1/me")
	[ "$code" = 401 ]
}

@test "--public-origin: behind a proxy, changes come from the origin browsers see; the cookie is Secure" {
	kill -9 "$PID"
	run "$L" --home jpn serve --public-origin https://liaison.example/
	[ "$status" -eq 2 ]
	[[ "$output" == *"--public-origin"* ]]
	daemon jpn --public-origin https://liaison.example
	PID=$DAEMON_PID
	URL=$DAEMON_URL
	code=$(curl -s -D head.txt -o in.json -w '%{http_code}' -H 'Origin: http://127.0.0.1' \
		-H 'Content-Type: application/json' -d "{\"token\": \"$SATO\"}" "$URL/v1/session")
	[ "$code" = 403 ]
	code=$(curl -s -D head.txt -o in.json -w '%{http_code}' -H 'Origin: https://liaison.example' \
		-H 'Content-Type: application/json' -d "{\"token\": \"$SATO\"}" "$URL/v1/session")
	[ "$code" = 201 ]
	grep -i '^set-cookie: __Host-liaison_session_JPN=' head.txt | grep -q '; Secure'
}
