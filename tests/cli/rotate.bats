#!/usr/bin/env bats
# Key rotation: a node's new pair vouched for by the old one and sent to its
# peers, the old one kept to open and check what it sealed and signed;
# rotation notes forged, tampered with or out of order; a key retired as
# compromised; a retired key's checkpoints capped at the log it had; a
# rotation interrupted by a crash; the passphrase over every pair.
load helpers

setup() {
	two_nodes
	launch_item
	PIDS=()
}

teardown() {
	for p in "${PIDS[@]}"; do kill -9 "$p" 2>/dev/null || true; done
}

fp() { # HOME PARTY: the fingerprint of the key HOME holds for PARTY
	"$L" --home "$1" --json party keys "$2" | jq -r .current.fingerprint
}

@test "a rotated key reaches the peer, which verifies old and new checkpoints; old items still open" {
	up kor
	up jpn --retry-max 1
	"$L" --home jpn peer add KOR --url "$KOR_URL"
	"$L" --home kor peer add JPN --url "$JPN_URL"
	"$L" --home jpn item release "$ID" --to KOR --by sato
	OUTBOX=jpn outbox_until '.messages[0].state == "delivered"'
	# KOR's item for JPN, sealed to JPN's key of now
	echo "KOR's own warning" >kor.txt
	KID=$("$L" --home kor item share kor.txt --by kim --level II --title Warning \
		--releasable JPN --ntk MISSILE-WARNING --purpose warning 2>/dev/null) || {
		"$L" --home kor item share kor.txt --by kim --level II --title Warning \
			--releasable JPN --ntk MISSILE-WARNING --purpose warning
		false
	}
	"$L" --home kor item release "$KID" --to JPN --by park
	OUTBOX=kor outbox_until '.messages[0].state == "delivered"'
	"$L" --home jpn log checkpoint -o old.note
	"$L" --home kor peer witness
	old=$(fp jpn JPN)
	[ "$(fp kor JPN)" = "$old" ]
	size=$("$L" --home jpn --json log entries | jq '.entries | length')

	run "$L" --home jpn --json party rotate-key
	[ "$status" -eq 0 ]
	echo "$output" >rot.json
	[ "$(jq -r .retired rot.json)" = "$old" ]
	[ "$(jq -r .notes_queued rot.json)" = 1 ]
	[ "$(jq -r .log_size rot.json)" = "$size" ]
	new=$(jq -r .current.fingerprint rot.json)
	[ "$new" != "$old" ] && [ "$(fp jpn JPN)" = "$new" ]
	[ -f jpn/keys/JPN-1.key ] && [ -f jpn/keys/JPN-1.pub ]
	[ "$(stat -c %a jpn/keys/JPN-1.key)" = 600 ]
	"$L" --home jpn --json party keys >keys.json
	[ "$(jq -c '.retired | map([.fingerprint, .how, .log_size])' keys.json)" = "[[\"$old\",\"rotated\",$size]]" ]
	log_kinds jpn | grep -qx key-rotated
	# the daemon still signs with the old pair: not ready until restarted
	[ "$(curl -s -o ready.json -w '%{http_code}' "$JPN_URL/readyz")" = 503 ]
	jq -e '.problems[0] | contains("keys were rotated since this daemon started")' ready.json
	# nor does it seal or sign anything with them
	SATO=$("$L" --home jpn person token sato 2>/dev/null)
	code=$(curl -s -o share.json -w '%{http_code}' -H "Authorization: Bearer $SATO" \
		--data-binary @report.txt \
		"$JPN_URL/v1/items?level=GOKUHI&title=Stale&releasable=KOR&ntk=MISSILE-WARNING&purpose=warning")
	[ "$code" = 503 ]
	jq -e '.error.message | contains("seals and signs nothing until it is restarted")' share.json
	[ "$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $SATO" "$JPN_URL/v1/log/checkpoint")" = 503 ]
	# it delivers the note (signed by the old key): KOR then seals to the new
	# one, which this daemon cannot open; it answers 503, and KOR retries
	OUTBOX=jpn outbox_until '[.messages[] | select(.kind == "key")][0].state == "delivered"'
	echo "sent while JPN's daemon is stale" >stale.txt
	KID2=$("$L" --home kor item share stale.txt --by kim --level II --title Stale \
		--releasable JPN --ntk MISSILE-WARNING --purpose warning 2>/dev/null)
	"$L" --home kor item release "$KID2" --to JPN --by park
	OUTBOX=kor outbox_until '[.messages[] | select(.ref == "'"$KID2"'")][0] | .state == "queued" and (.last_error | contains("keys were rotated"))'

	# the daemons sign with the keys they unsealed: restarted, the new ones;
	# the note goes signed by the key it retires, which KOR holds
	down jpn
	up jpn --retry-max 1
	"$L" --home kor peer add JPN --url "$JPN_URL" # on another port now
	[ "$(curl -s -o /dev/null -w '%{http_code}' "$JPN_URL/readyz")" = 200 ]
	"$L" --home kor peer deliver >/dev/null
	OUTBOX=kor outbox_until '[.messages[] | select(.ref == "'"$KID2"'")][0].state == "delivered"'
	"$L" --home jpn item get "$KID2" --by sato --purpose warning -o stale.got
	cmp stale.got stale.txt
	[ "$(fp kor JPN)" = "$new" ]
	"$L" --home kor --json party keys JPN >kk.json
	[ "$(jq -c '.retired | map([.fingerprint, .how, .log_size])' kk.json)" = "[[\"$old\",\"rotated\",$size]]" ]
	log_kinds kor | grep -qx party-key-rotated

	# a checkpoint by the new key, checked against the one kept by the old
	"$L" --home kor peer witness || { "$L" --home kor --json peer status; false; }
	"$L" --home kor --json peer status >st.json
	[ "$(jq '.peers[0].witnessed_size' st.json)" -gt "$size" ]
	[ "$(jq -r '.peers[0].alarm' st.json)" = null ]
	# JPN's log against the checkpoint of its old key, kept elsewhere
	"$L" --home jpn log verify --checkpoint old.note
	"$L" --home jpn log checkpoint -o new.note
	"$L" --home jpn log verify --checkpoint new.note

	# what was sealed to and signed by the old pair still opens
	"$L" --home jpn item get "$ID" --by sato --purpose warning -o mine.txt
	cmp mine.txt report.txt
	"$L" --home jpn item get "$KID" --by sato --purpose warning -o theirs.txt
	cmp theirs.txt kor.txt
	"$L" --home kor item get "$ID" --by kim --purpose warning -o got.txt
	cmp got.txt report.txt
	# and what JPN sends now, signed by the new pair, is taken
	echo "a later report" >later.txt
	ID2=$("$L" --home jpn item share later.txt --by sato --level GOKUHI --title Later \
		--releasable KOR --ntk MISSILE-WARNING --purpose warning 2>/dev/null)
	"$L" --home jpn item release "$ID2" --to KOR --by sato
	OUTBOX=jpn outbox_until '[.messages[] | select(.ref == "'"$ID2"'")][0].state == "delivered"'
	"$L" --home kor item get "$ID2" --by kim --purpose warning -o got2.txt
	cmp got2.txt later.txt
	"$L" --home kor log verify
	"$L" --home jpn log verify
}

@test "key notes: out of order, tampered with, from another party, or taken twice" {
	"$L" --home jpn party rotate-key --note r1.json >/dev/null
	k1=$(fp jpn JPN)
	"$L" --home jpn party rotate-key --note r2.json >/dev/null
	k2=$(fp jpn JPN)
	before=$(fp kor JPN)
	# the second first: it retires a key KOR does not hold
	run "$L" --home kor party key JPN r2.json
	[ "$status" -ne 0 ]
	[[ "$output" == *"not the key this node holds"* ]]
	# changed after it was signed
	jq -c '.key_rotation.log_size += 1' r1.json >bad.json
	run "$L" --home kor party key JPN bad.json
	[ "$status" -ne 0 ]
	[[ "$output" == *"the retired key's signature"*"bad signature"* ]]
	# a new key whose secret the sender does not hold: no proof
	jq -c --arg k "$(cat kor/keys/KOR.pub | sed 's/KOR/JPN/' | tr -d '\n')" \
		'.key_rotation.public_key = $k' r1.json >noproof.json
	run "$L" --home kor party key JPN noproof.json
	[ "$status" -ne 0 ]
	[[ "$output" == *"bad signature"* ]]
	# named for another party
	run "$L" --home kor party key USA r1.json
	[ "$status" -ne 0 ]
	# not a note at all
	echo '{"key_rotation": {}}' >empty.json
	run "$L" --home kor party key JPN empty.json
	[ "$status" -ne 0 ]
	[[ "$output" == *"not a key rotation note"* ]]
	[ "$(fp kor JPN)" = "$before" ]
	[ "$(sqlite3 kor/node.db 'SELECT count(*) FROM retired_keys')" = 0 ]
	# in order, each vouched for by the key held
	run "$L" --home kor party key JPN r1.json
	[ "$status" -eq 0 ]
	[[ "$output" == *"rotated its keys"* ]]
	[ "$(fp kor JPN)" = "$k1" ]
	"$L" --home kor party key JPN r1.json # taken before: nothing changes
	"$L" --home kor party key JPN r2.json
	[ "$(fp kor JPN)" = "$k2" ]
	[ "$("$L" --home kor --json party keys JPN | jq '.retired | length')" = 2 ]
	[ "$(log_kinds kor | grep -c party-key-rotated)" = 2 ]
	# a note file that exists stops a rotation before it starts
	run "$L" --home jpn party rotate-key --note r1.json
	[ "$status" -ne 0 ]
	[ "$(fp jpn JPN)" = "$k2" ]
	[ ! -e jpn/keys/JPN-3.key ]
}

@test "a key retired as compromised signs nothing new; a retired key vouches for no larger tree" {
	# an envelope and a checkpoint JPN signed before, carried by hand
	"$L" --home jpn item release "$ID" --to KOR --by sato -o before.env
	"$L" --home jpn log checkpoint -o before.note
	cp -a jpn jpn-then # JPN's folder as it was: its old key, its log
	up jpn
	"$L" --home jpn peer add KOR --url http://127.0.0.1:1 # it answers KOR's requests
	"$L" --home kor peer add JPN --url "$JPN_URL"
	"$L" --home kor peer witness
	# a routine rotation first: the old key vouches for the log it had, no more
	"$L" --home jpn party rotate-key --note r.json >/dev/null
	"$L" --home kor party key JPN r.json
	for i in 1 2 3 4 5 6 7 8; do # a longer log than JPN had when the key retired
		"$L" --home jpn-then peer add KOR --url "http://127.0.0.1:$i" >/dev/null
	done
	"$L" --home jpn-then log checkpoint -o later.note
	run "$L" --home kor log witness later.note
	[ "$status" -ne 0 ]
	[[ "$output" == *"that key vouches for no more (refused; no alarm raised)"* ]]
	# then one as compromised
	"$L" --home jpn party rotate-key --compromised --note c.json >/dev/null
	"$L" --home kor party key JPN c.json
	"$L" --home kor --json party keys JPN | jq -e '.retired[0].how == "compromised"'
	run "$L" --home kor item import before.env # 30 days have not passed, but it was stolen
	[ "$status" -ne 0 ]
	[[ "$output" == *"retired on 2019-09-01 as compromised"* ]]
	run "$L" --home kor log witness before.note
	[ "$status" -ne 0 ]
	[[ "$output" == *"no checkpoint it signs is taken now (refused; no alarm raised)"* ]]
	# JPN's daemon, not restarted, would sign with a retired key: it answers 503
	run "$L" --home kor peer witness
	[ "$status" -ne 0 ]
	"$L" --home kor --json peer status >st.json || true
	jq -e '.peers[0].witness_error | contains("keys were rotated since this daemon started")' st.json
	jq -e '.peers[0].alarm == null' st.json
	# restarted, it signs with the new, checked against the one kept before
	down jpn
	up jpn
	"$L" --home kor peer add JPN --url "$JPN_URL"
	"$L" --home kor peer witness
	"$L" --home kor --json peer status | jq -e '.peers[0].alarm == null and .peers[0].witness_error == null'
}

@test "a routine rotation: what the old key signed before still arrives, for 30 days; a replaced key is kept" {
	"$L" --home jpn item release "$ID" --to KOR --by sato -o before.env
	"$L" --home jpn party rotate-key --note r.json >/dev/null
	"$L" --home kor party key JPN r.json
	run env LIAISON_NOW=2019-10-02 "$L" --home kor item import before.env
	[ "$status" -ne 0 ]
	[[ "$output" == *"rotated on 2019-09-01: it is taken 30 days after, no longer"* ]]
	LIAISON_NOW=2019-10-01 "$L" --home kor item import before.env
	"$L" --home kor item get "$ID" --by kim --purpose warning -o got.txt
	cmp got.txt report.txt
	# KOR replaced by hand: the old key kept as replaced, its checkpoints
	# vouched for up to the last one witnessed (none here)
	mkdir other
	"$L" keygen --party KOR --out other >/dev/null
	kold=$(fp jpn KOR)
	"$L" --home jpn party key KOR other/KOR.pub --replace
	"$L" --home jpn --json party keys KOR >k.json
	[ "$(jq -r '.retired[0].fingerprint' k.json)" = "$kold" ]
	[ "$(jq -r '.retired[0].how' k.json)" = replaced ]
	[ "$(jq -r '.retired[0].log_size' k.json)" = 0 ]
	# a thief's rotation taken before the party said its key was stolen: the
	# operator replaces what the thief announced, and every key before, as compromised
	mkdir thief
	"$L" keygen --party JPN --out thief >/dev/null
	run "$L" --home kor party key JPN thief/JPN.pub --compromised
	[ "$status" -ne 0 ]
	[[ "$output" == *"--compromised goes with --replace"* ]]
	"$L" --home kor party key JPN thief/JPN.pub --replace
	"$L" --home jpn party rotate-key --compromised --note c.json >/dev/null
	run "$L" --home kor party key JPN c.json # it retires a key KOR no longer holds
	[ "$status" -ne 0 ]
	"$L" --home kor party key JPN jpn/keys/JPN.pub --replace --compromised
	"$L" --home kor --json party keys JPN >kj.json
	[ "$(jq -c '[.retired[].how] | unique' kj.json)" = '["compromised"]' ]
	[ "$(jq '.retired | length' kj.json)" = 3 ]
	run "$L" --home kor item import before.env
	[ "$status" -ne 0 ]
	[[ "$output" == *"as compromised"* ]]
}

@test "a rotation a crash interrupted is undone before it commits, and finished after" {
	k0=$(fp jpn JPN)
	# before the commit: the new pair beside the old, the old linked to its retired name
	mkdir spare
	"$L" keygen --party JPN --out spare >/dev/null
	cp spare/JPN.key jpn/keys/JPN.next.key
	cp spare/JPN.pub jpn/keys/JPN.next.pub
	ln jpn/keys/JPN.key jpn/keys/JPN-1.key
	ln jpn/keys/JPN.pub jpn/keys/JPN-1.pub
	run "$L" --home jpn log checkpoint
	[ "$status" -eq 0 ]
	[[ "$output" == *"uncommitted is undone"* ]]
	[ ! -e jpn/keys/JPN.next.key ] && [ ! -e jpn/keys/JPN.next.pub ] && [ ! -e jpn/keys/JPN-1.key ]
	[ "$(fp jpn JPN)" = "$k0" ]
	# after the commit, before the new pair is in place
	"$L" --home jpn party rotate-key >/dev/null
	k1=$(fp jpn JPN)
	mv jpn/keys/JPN.key jpn/keys/JPN.next.key
	mv jpn/keys/JPN.pub jpn/keys/JPN.next.pub
	cp -p jpn/keys/JPN-1.key jpn/keys/JPN.key
	cp -p jpn/keys/JPN-1.pub jpn/keys/JPN.pub
	[ "$(fp jpn JPN)" = "$k0" ]
	run "$L" --home jpn log checkpoint
	[ "$status" -eq 0 ]
	[[ "$output" == *"is finished"* ]]
	[ "$(fp jpn JPN)" = "$k1" ]
	"$L" --home jpn log verify
	"$L" --home jpn item get "$ID" --by sato --purpose warning -o got.txt
	cmp got.txt report.txt
}

@test "rotations one at a time: two at once both land, one after the other" {
	"$L" --home jpn party rotate-key >a.out 2>&1 &
	p=$!
	"$L" --home jpn party rotate-key >b.out 2>&1
	wait "$p"
	"$L" --home jpn --json party keys >k.json
	[ "$(jq '.retired | length' k.json)" = 2 ]
	[ -f jpn/keys/JPN-1.key ] && [ -f jpn/keys/JPN-2.key ] && [ ! -e jpn/keys/JPN.next.key ]
	# the one in use is the one whose secret is in JPN.key: it opens, and signs
	"$L" --home jpn log checkpoint -o c.note
	"$L" --home jpn log verify --checkpoint c.note
	"$L" --home jpn item get "$ID" --by sato --purpose warning -o got.txt
	cmp got.txt report.txt
	run "$L" --home jpn party rotate-key --note -
	[ "$status" -eq 2 ]
}

@test "a new passphrase seals every pair, the retired ones too, after settling a rotation left half done" {
	"$L" --home jpn party rotate-key >/dev/null
	"$L" --home jpn party rotate-key >/dev/null
	mkdir spare
	"$L" keygen --party JPN --out spare >/dev/null
	cp spare/JPN.key jpn/keys/JPN.next.key
	cp spare/JPN.pub jpn/keys/JPN.next.pub
	echo "another passphrase" >new.pass
	chmod 600 new.pass
	LIAISON_NEW_PASSPHRASE_FILE=new.pass "$L" --home jpn store passphrase
	run "$L" --home jpn item get "$ID" --by sato --purpose warning -o got.txt
	[ "$status" -ne 0 ]
	LIAISON_PASSPHRASE="another passphrase" "$L" --home jpn item get "$ID" --by sato \
		--purpose warning -o got.txt
	cmp got.txt report.txt
	# the wrong passphrase rotates nothing
	run "$L" --home jpn party rotate-key
	[ "$status" -ne 0 ]
	[ ! -e jpn/keys/JPN-3.key ]
}
