#!/usr/bin/env bash
# make lint refuses modules that include each other: on a copy of the tree, one include
# that closes a cycle (consumers/outcome.h -> consumers/render.h -> consumers/outcome.h)
# must fail it, and the copy as it is must pass.
set -uo pipefail
cd "$(dirname "$0")/../.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cp -r lib protocol producer consumers ops .clang-format "$tmp"/
mkdir -p "$tmp/tests" && cp -r tests/fakes "$tmp/tests/"
pass=0 fail=0
if (cd "$tmp" && bash ops/dev/lint >lint.out 2>&1); then
	pass=$((pass + 1)); echo "ok - lint-cycles: the tree as it is passes"
else
	fail=$((fail + 1)); echo "not ok - lint-cycles: the tree as it is fails:"; sed 's/^/#   /' "$tmp/lint.out" | tail -n 5
fi
printf '#include "consumers/render.h"\n' >>"$tmp/consumers/outcome.h"
if (cd "$tmp" && bash ops/dev/lint >lint.out 2>&1); then
	fail=$((fail + 1)); echo "not ok - lint-cycles: a cycle outcome -> render -> outcome passed lint"
elif grep -q 'consumers/outcome -> consumers/render -> consumers/outcome\|consumers/render -> consumers/outcome -> consumers/render' "$tmp/lint.out"; then
	pass=$((pass + 1)); echo "ok - lint-cycles: the cycle fails lint and is named"
else
	fail=$((fail + 1)); echo "not ok - lint-cycles: lint failed without naming the cycle:"; sed 's/^/#   /' "$tmp/lint.out" | tail -n 5
fi
echo "# lint-cycles: $pass passed, $fail failed"
[ $fail -eq 0 ]
