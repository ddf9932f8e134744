#!/bin/sh
# embed.sh FILE... - the web console's files as C (net/assets.h): each
# file's name and bytes, so the daemon serves them from the binary (no
# files to install, nothing fetched: the console works on an air-gapped
# network). Written on stdout; the Makefile runs it when a file changes.
set -eu
for f in "$@"; do
	case $(basename "$f") in
	*[!A-Za-z0-9._-]* | .*) echo "embed.sh: $f: a console file's name is [A-Za-z0-9._-]" >&2; exit 1 ;;
	esac
done
echo '/* Made by scripts/embed.sh from console/: do not edit. */'
echo '#include "net/assets.h"'
i=0
for f in "$@"; do
	echo "static const unsigned char a$i[] = {"
	od -An -v -tx1 "$f" | sed -e 's/ *$//' -e 's/^ */0x/' -e 's/  */,0x/g' -e 's/$/,/' -e 's/^0x,$//'
	echo "0};"
	i=$((i + 1))
done
echo "const struct asset console_assets[] = {"
i=0
for f in "$@"; do
	echo "	{\"$(basename "$f")\", a$i, sizeof a$i - 1},"
	i=$((i + 1))
done
echo "	{0}};"
echo "const size_t console_nassets = $i;"
