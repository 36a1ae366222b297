#!/usr/bin/env bash
# tests/system/readme-keys.sh: the README's configuration table is what `bfctl config keys`
# prints (the program's own table of keys), line for line.
#   --write   replace the README's table with it (after adding or changing a key)
# Prints "ok - ..." or "not ok - ..." with the difference.
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 1
BIN=${BF_TEST_BIN:-bin}
want=$("$BIN/bfctl" config keys) || { echo "not ok - readme-keys: bfctl config keys failed"; exit 1; }
# the table: from its header line to the first line that is not a table row
have=$(awk '/^\| key \| type \| default \| environment \| meaning \|$/ { on = 1 }
	on && !/^\|/ { exit } on { print }' README.md)
if [[ ${1:-} == --write ]]; then
	tmp=$(mktemp)
	awk -v table="$want" '/^\| key \| type \| default \| environment \| meaning \|$/ { print table; skip = 1; next }
		skip && /^\|/ { next } { skip = 0; print }' README.md >"$tmp" && mv "$tmp" README.md
	echo "README.md: configuration table written ($(wc -l <<<"$want") lines)"
	exit 0
fi
if [[ $have == "$want" ]]; then
	echo "ok - readme-keys: the README's configuration table is bfctl config keys ($(wc -l <<<"$want") lines)"
else
	echo "not ok - readme-keys: the README's configuration table differs from bfctl config keys (run tests/system/readme-keys.sh --write):"
	diff <(printf '%s\n' "$have") <(printf '%s\n' "$want") | sed 's/^/#   /' | head -n 40
	exit 1
fi
