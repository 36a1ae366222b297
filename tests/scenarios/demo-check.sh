#!/usr/bin/env bash
# make test runs make demo and checks its summary: every video of the match
# day requested once, nothing dead, every job ended.
set -uo pipefail
cd "$(dirname "$0")/../.."
out=var/log/test-demo-output.log
DEMO_SECONDS=${DEMO_SECONDS:-80} bash tests/scenarios/demo.sh >"$out" 2>&1
rc=$?
pass=0 fail=0
expect() { # description, fixed string
	if grep -qF -- "$2" "$out"; then pass=$((pass + 1)); echo "ok - demo: $1"
	else fail=$((fail + 1)); echo "not ok - demo: $1 (expected \"$2\" in $out)"; fi
}
[ $rc -eq 0 ] && { pass=$((pass + 1)); echo "ok - demo: exits 0"; } || { fail=$((fail + 1)); echo "not ok - demo: exit $rc"; }
expect "two line-up videos" "videos requested (line-up): 2"
expect "three result videos" "videos requested (result): 3"
expect "one round video" "videos requested (tournament-stats): 1"
expect "penalties shown from display + penalties" "result:9102  1-1 (5-4 pens)"
expect "result 2-1" "result:9101  2-1"
expect "no dead letters" "dead letters: 0"
expect "six POSTs to Plainly, no duplicate" "POSTs to Plainly: 6"
expect "every job ended" "jobs: line-up done 2, result done 3, tournament-stats done 1"
expect "re-checks went through the wait queues" "line-up retry (unconfirmed) -> bf.line-up.wait.8s"
expect "management UI shown" "management UI"
# everything the demo started is gone (the fakes once leaked from a subshell)
left=$(pgrep -af "$(pwd)/var/demo" || true)
if [ -z "$left" ]; then pass=$((pass + 1)); echo "ok - demo: leaves nothing running"
else fail=$((fail + 1)); echo "not ok - demo: left running:"; printf '%s\n' "$left" | sed 's/^/#   /'; fi
echo "# demo: $pass passed, $fail failed"
[ $fail -eq 0 ]
