#!/usr/bin/env bats
# The command line itself: help, version, usage errors and exit codes.
load helpers

@test "--help lists every command and exits 0" {
	run "$L" --help
	[ "$status" -eq 0 ]
	[[ "$output" == *"init"* && "$output" == *"config"* && "$output" == *"agreement"* ]]
	[[ "$output" == *"exit codes: 0 success, 1 failure, 2 usage error, 3 denied"* ]]
}

@test "no command is a usage error (exit 2)" {
	run "$L"
	[ "$status" -eq 2 ]
	[[ "$output" == *"usage: liaison"* ]]
}

@test "an unknown command is a usage error that names it" {
	run "$L" frobnicate
	[ "$status" -eq 2 ]
	[[ "$output" == *'unknown command "frobnicate"'* ]]
}

@test "every command has --help, and help COMMAND says the same" {
	for c in init config agreement person party keygen seal open inspect; do
		run "$L" "$c" --help
		[ "$status" -eq 0 ]
		[[ "$output" == "usage: liaison"* ]]
		help_out="$output"
		run "$L" help "$c"
		[ "$status" -eq 0 ]
		[ "$output" = "$help_out" ]
	done
	run "$L" agreement status --help
	[ "$status" -eq 0 ]
	[[ "$output" == *"--without N"* ]]
}

@test "--version prints the version" {
	run "$L" --version
	[ "$status" -eq 0 ]
	[[ "$output" =~ ^liaison\ [0-9]+\.[0-9]+\.[0-9]+$ ]]
}

@test "an unknown option is a usage error that names it" {
	example_node
	run "$L" agreement status "$G" --att 2019-01-01
	[ "$status" -eq 2 ]
	[[ "$output" == *"unknown option --att"* ]]
}

@test "an option without its value is a usage error" {
	example_node
	run "$L" agreement status "$G" --at
	[ "$status" -eq 2 ]
	[[ "$output" == *"--at needs a value"* ]]
}

@test "errors come as JSON objects with --json" {
	example_node
	run "$L" --json agreement status NOPE
	[ "$status" -eq 1 ]
	[ "$(echo "$output" | jq -r .error.code)" = "not-found" ]
	[[ "$(echo "$output" | jq -r .error.message)" == *"unknown agreement NOPE"* ]]
}

@test "global options may stand after the command" {
	"$L" --home "$BATS_TEST_TMPDIR/other" init --replay --party KOR
	run "$L" agreement list --home "$BATS_TEST_TMPDIR/other" --json
	[ "$status" -eq 0 ]
	[ "$(echo "$output" | jq '.agreements | length')" -eq 0 ]
}

# The commands and, for those with actions, each action, as `liaison --help`
# lists them: "COMMAND ACTION" or "COMMAND" a line.
commands_and_actions() {
	"$L" --help | awk '
		/^commands:/ { on = 1; next }
		/^$/ { on = 0 }
		on && /^  [a-z]/ { cmd = $1; if (cmd != "help") print cmd; next }
		on && /^             / { gsub(/,/, ""); for (i = 1; i <= NF; i++) print cmd " " $i }'
}

@test "liaison --help lists every action, and each has its own help: help CMD ACTION = CMD ACTION --help" {
	n=0
	declare -A cmdhelp
	while read -r cmd action; do
		[ -n "$action" ] || continue
		run "$L" help "$cmd" "$action"
		[ "$status" -eq 0 ]
		[[ "${lines[0]}" == "usage: liaison $cmd $action"* ]]
		one="$output"
		run "$L" "$cmd" "$action" --help
		[ "$status" -eq 0 ]
		[ "$output" = "$one" ]
		# the action's own help: no other action's synopsis
		[ "$(grep -c "liaison $cmd " <<<"$one")" -le 2 ]
		# and the command's help has the same synopsis (asked once a command)
		[ -n "${cmdhelp[$cmd]:-}" ] || cmdhelp[$cmd]=$("$L" help "$cmd")
		grep -qF -- "${lines[0]#usage: }" <<<"${cmdhelp[$cmd]}"
		n=$((n + 1))
	done < <(commands_and_actions)
	# agreement 5, export 5, item 11, log 7, party 3, peer 8, person 6, report 3, store 7
	[ "$n" -eq 55 ]
	run "$L" help item share
	[[ "$output" == *"--releasable PARTY"* && "$output" != *"report-compromise"* ]]
	run "$L" person token --help
	[[ "$output" == *"--read-only"* && "$output" != *"--clearance"* ]]
}

@test "every command in the code is in liaison --help, and every one has help" {
	n=0
	while read -r cmd action; do
		[ -z "$action" ] || continue
		run "$L" "$cmd" --help
		[ "$status" -eq 0 ]
		[[ "$output" == "usage: liaison"* ]]
		n=$((n + 1))
	done < <(commands_and_actions)
	# as many as main.c's table holds
	[ "$n" -eq "$(grep -o '&cmd_[a-z]*' "$BATS_TEST_DIRNAME/../../src/cli/main.c" | sort -u | wc -l)" ]
}

@test "did you mean: a mistyped command, action, option, agreement id or person is named with the nearest" {
	run "$L" itme list
	[ "$status" -eq 2 ]
	[[ "$output" == *'unknown command "itme"'*'did you mean "item"?'* ]]
	run "$L" help agreemnt
	[ "$status" -eq 2 ]
	[[ "$output" == *'did you mean "agreement"?'* ]]
	example_node
	run "$L" agreement stauts "$G"
	[ "$status" -eq 2 ]
	[[ "$output" == *'unknown action "stauts"'*'did you mean "status"?'* ]]
	run "$L" help item sahre
	[ "$status" -eq 2 ]
	[[ "$output" == *'did you mean "share"?'* ]]
	run "$L" item list --limt 2
	[ "$status" -eq 2 ]
	[[ "$output" == *"unknown option --limt"*'did you mean "--limit"?'* ]]
	run "$L" agreement status JPN-KOR-GSOMA
	[ "$status" -eq 1 ]
	[[ "$output" == *'unknown agreement JPN-KOR-GSOMA; did you mean "JPN-KOR-GSOMIA"?'* ]]
	run "$L" person show sauto
	[ "$status" -eq 1 ]
	[[ "$output" == *'unknown person sauto; did you mean "sato"?'* ]]
	# nothing near: no guess
	run "$L" agreement status NOTHING-LIKE-IT
	[[ "$output" != *"did you mean"* ]]
}

@test "--version --json is an object; the version matches the text one" {
	run "$L" --json --version
	[ "$status" -eq 0 ]
	[ "$(jq -r .name <<<"$output")" = liaison ]
	v=$(jq -r .version <<<"$output")
	[ "$("$L" --version)" = "liaison $v" ]
}

@test "the manual: liaison(1) and a page a command render with man -l, each action and option in it" {
	cd "$BATS_TEST_TMPDIR"
	"$L" help --man >liaison.1
	run env MANWIDTH=100 man -l --warnings=w liaison.1
	[ "$status" -eq 0 ]
	[[ "$output" == *"LIAISON(1)"* && "$output" == *"liaison-item(1)"* ]]
	while read -r cmd action; do
		[ -n "$action" ] && continue
		"$L" help --man "$cmd" >"liaison-$cmd.1"
		out=$(MANWIDTH=100 man -l --warnings=w "liaison-$cmd.1" 2>warn.txt)
		[ ! -s warn.txt ] || { cat warn.txt; false; }
		[[ "$out" == *"LIAISON-${cmd^^}(1)"* && "$out" == *"SYNOPSIS"* ]]
		# every action of the command, and every option its help names
		for a in $("$L" __complete "$cmd" -- "") $("$L" __complete "$cmd" -- --); do
			[ "$a" = :files ] || [ "$a" = --help ] || [ "$a" = --json ] ||
				[[ "$out" == *"$a"* ]] || { echo "$cmd: no $a"; false; }
		done
	done < <(commands_and_actions)
	run "$L" help --man nothing
	[ "$status" -eq 2 ]
}

# complete WORD...: the candidates bash completion offers for the last word
complete_words() {
	COMP_WORDS=(liaison "$@")
	COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
	_liaison
	echo "${COMPREPLY[*]}"
}

@test "bash completion: commands, actions, options, and ids from the node" {
	example_node
	export PATH="$(cd "$(dirname "$L")" && pwd):$PATH"
	[ "$(basename "$L")" = liaison ] || skip "completion calls the binary as liaison"
	source "$BATS_TEST_DIRNAME/../../completions/liaison.bash"
	[ "$(complete_words it)" = item ]
	[[ "$(complete_words item "")" == "share list show get release import"* ]]
	[ "$(complete_words agreement st)" = status ]
	[ "$(complete_words agreement status "")" = JPN-KOR-GSOMIA ]
	[ "$(complete_words item share --rel)" = --releasable ]
	[ "$(complete_words item share x --level GO)" = GOKUHI ]
	[ "$(complete_words item share x --purpose w)" = warning ]
	[ "$(complete_words item get x --by s)" = "sato suzuki" ]
	[ "$(complete_words person show k)" = kim ]
	[ "$(complete_words item release x --to K)" = KOR ]
	id=$(echo hello | "$L" item share - --by sato --level GOKUHI --title T 2>/dev/null)
	[ "$(complete_words item show "${id:0:6}")" = "$id" ]
	# an id a shell would act on is not offered
	sqlite3 "$LIAISON_HOME/node.db" "UPDATE people SET id = 'x\$(touch pwned)' WHERE id = 'mori'" 2>/dev/null ||
		"$L" person add 'x$(touch pwned)' --party JPN --name X --role auditor >/dev/null 2>&1 || true
	[ "$(complete_words person show x)" = "" ]
	# a file where a file goes
	touch "$BATS_TEST_TMPDIR/report-x.txt"
	cd "$BATS_TEST_TMPDIR"
	[ "$(complete_words item share report-)" = report-x.txt ]
}

@test "zsh completion loads through compinit; its candidates are __complete's, as for bash" {
	command -v zsh >/dev/null || skip "zsh is not installed"
	bin="$(cd "$(dirname "$L")" && pwd)"
	example_node
	run zsh -fc "
		fpath=($BATS_TEST_DIRNAME/../../completions \$fpath); PATH=$bin:\$PATH
		autoload -U compinit && compinit -u
		whence -w _liaison | grep -q function && print ok"
	[ "$output" = ok ]
	# the candidates come from the binary, as for bash
	[ "$(PATH="$bin:$PATH" liaison __complete agreement status -- J)" = JPN-KOR-GSOMIA ]
}

@test "make install puts the binary, the manual and both completion scripts in place" {
	repo=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)
	bin=$(cd "$(dirname "$L")" && pwd)
	[[ "$bin" == "$repo"/* ]] || skip "the binary is not one of the repository's builds"
	make -s -C "$repo" install BUILD="${bin#"$repo"/}" DESTDIR="$BATS_TEST_TMPDIR/root" \
		PREFIX=/usr/local >/dev/null
	p="$BATS_TEST_TMPDIR/root/usr/local"
	[ -x "$p/bin/liaison" ]
	[ -f "$p/share/man/man1/liaison.1" ]
	[ "$(ls "$p"/share/man/man1/liaison-*.1 | wc -l)" -eq "$(grep -o '&cmd_[a-z]*' "$repo/src/cli/main.c" | sort -u | wc -l)" ]
	MANPATH="$p/share/man" man -w liaison-item | grep -q "liaison-item.1"
	[ -f "$p/share/bash-completion/completions/liaison" ]
	[ -f "$p/share/zsh/site-functions/_liaison" ]
	grep -qx 'ExecStart=/usr/local/bin/liaison serve --listen 127.0.0.1:7400' \
		"$p/lib/systemd/system/liaison.service"
	[ -f "$p/share/doc/liaison/openapi.yaml" ]
	# the library, its headers and its pkg-config file: a program built on them runs
	cat >"$BATS_TEST_TMPDIR/use.c" <<'C'
#include <liaison/core/date.h>
#include <stdio.h>
int main(void)
{
	date_t d;
	char buf[DATE_BUF_SIZE];
	if (date_parse("2019-11-23", &d, NULL) < 0)
		return 1;
	printf("%s\n", date_format(d + 1, buf));
	return 0;
}
C
	sed -i "s|^prefix=.*|prefix=$p|" "$p/lib/pkgconfig/liaison.pc"
	flags=$(PKG_CONFIG_PATH="$p/lib/pkgconfig" pkg-config --cflags --libs liaison)
	# a library built with the sanitizers links with them
	san=
	! nm "$p/lib/libliaison.a" 2>/dev/null | grep -q __asan_ || san="-fsanitize=address,undefined"
	cc -std=c17 $san -o "$BATS_TEST_TMPDIR/use" "$BATS_TEST_TMPDIR/use.c" $flags
	[ "$("$BATS_TEST_TMPDIR/use")" = 2019-11-24 ]
}
