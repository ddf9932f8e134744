# bash completion for liaison: commands, actions, options, and the ids a
# node holds (agreements, people, items, parties, levels, purposes, groups),
# from `liaison __complete`, which reads them from the commands' own help
# and the node (--home, LIAISON_HOME). Installed by make install; or:
#   source completions/liaison.bash
_liaison() {
	local cur=${COMP_WORDS[COMP_CWORD]} out
	out=$(command liaison __complete "${COMP_WORDS[@]:1:COMP_CWORD-1}" -- "$cur" 2>/dev/null)
	if [[ $out == :files ]]; then
		mapfile -t COMPREPLY < <(compgen -f -- "$cur")
	else
		mapfile -t COMPREPLY <<<"$out"
		[[ -n ${COMPREPLY[0]} ]] || COMPREPLY=()
	fi
}
complete -o filenames -F _liaison liaison
