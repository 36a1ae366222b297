#!/usr/bin/env bash
# make test runs make demo and checks its summary: every video of the match day
# requested once, nothing dead, every job ended.
#   demo-check.sh [NAME]     NAME names the output file (var/log/test-NAME-output.log);
#                            make test runs it twice in the same checkout (demo,
#                            demo-again), the second time on a node that has just
#                            restarted with the first run's vhost in it
#   PROVIDER=api-football demo-check.sh NAME   the same match day from the fake
#                            API-Football (make demo PROVIDER=api-football)
#   demo-check.sh --failing  a demo that cannot finish in time (DEMO_SECONDS=3): it
#                            must exit non-zero and say on the terminal which step
#                            failed, why, and the end of that step's log
set -uo pipefail
cd "$(dirname "$0")/../.."
pass=0 fail=0
ok() { pass=$((pass + 1)); echo "ok - $*"; }
not_ok() { fail=$((fail + 1)); echo "not ok - $*"; }

if [ "${1:-}" = --failing ]; then
	out=var/log/test-demo-failing-output.log
	DEMO_SECONDS=3 bash tests/system/demo.sh >"$out" 2>&1
	rc=$?
	[ $rc -ne 0 ] && ok "demo-failing: exits $rc" || not_ok "demo-failing: exit 0 although nothing could finish in 3 s"
	if grep -q '^demo: step "run the pipeline" failed: not every job ended within 3 s' "$out"; then
		ok "demo-failing: says which step failed and why"
	else
		not_ok "demo-failing: no 'demo: step \"run the pipeline\" failed: ...' line in $out"
	fi
	if grep -q '^demo: last lines of var/demo/logs/producer.log:' "$out" &&
		grep -q '^    .* bf-producer\[' "$out"; then
		ok "demo-failing: shows the last lines of the step's log"
	else
		not_ok "demo-failing: no log lines of the producer in $out"
	fi
	left=$(pgrep -af "$(pwd)/var/demo" || true)
	[ -z "$left" ] && ok "demo-failing: leaves nothing running" || not_ok "demo-failing: left running: $left"
	echo "# demo-failing: $pass passed, $fail failed"
	[ $fail -eq 0 ]
	exit
fi

name=${1:-demo}
out=var/log/test-$name-output.log
DEMO_SECONDS=${DEMO_SECONDS:-80} bash tests/system/demo.sh >"$out" 2>&1
rc=$?
expect() { # description, fixed string
	if grep -qF -- "$2" "$out"; then ok "$name: $1"
	else not_ok "$name: $1 (expected \"$2\" in $out)"; fi
}
[ $rc -eq 0 ] && ok "$name: exits 0" || { not_ok "$name: exit $rc"; grep '^demo: \|^    ' "$out" | head -n 30 | sed 's/^/#   /'; }
expect "two line-up videos" "videos requested (line-up): 2"
expect "three result videos" "videos requested (result): 3"
expect "one round video" "videos requested (tournament-stats): 1"
expect "penalties shown from display + penalties" "result:9102  1-1 (5-4 pens)"
expect "result 2-1" "result:9101  2-1"
expect "no dead letters" "dead letters: 0"
expect "six POSTs to Plainly, no duplicate" "POSTs to Plainly: 6"
expect "six videos ready (bf-renders)" "videos ready (Plainly said DONE, bf-renders followed them): 6"
expect "a video ready line with its URL" "bf-renders           result:9101  video ready http://127.0.0.1:"
expect "every job ended" "jobs: line-up done 2, result done 3, tournament-stats done 1"
expect "re-checks went through the wait queues" "line-up retry (unconfirmed) -> bf.line-up.wait.8s"
expect "management UI shown" "management UI"
if [ "${PROVIDER:-sofascore}" = api-football ]; then
	expect "played from the fake API-Football" "replayed from a fake API-Football"
	expect "requests counted at the fake API-Football" "requests to API-Football: "
fi
# var/demo/bfctl: status of the demo's vhost and database, whatever the environment says
st=$(BF_AMQP_URL=amqp://nobody:x@127.0.0.1:1/%2f BF_DATABASE_URL=postgresql://nobody@127.0.0.1:1/x \
	var/demo/bfctl status 2>&1)
# (ready, unacked from the management API, consumers)
if grep -qE '^  bf\.line-up\.wait\.8s +0 +0 +0$' <<<"$st" && grep -qE '^  line-up +done +2$' <<<"$st"; then
	ok "$name: var/demo/bfctl status shows the demo's queues and jobs"
else
	not_ok "$name: var/demo/bfctl status:"; printf '%s\n' "$st" | head -n 30 | sed 's/^/#   /'
fi
grep -q 'reconnect' <<<"$st" && not_ok "$name: bfctl status reconnected: $st" || ok "$name: bfctl status without reconnects"
# everything the demo started is gone (the fakes once leaked from a subshell)
left=$(pgrep -af "$(pwd)/var/demo" || true)
if [ -z "$left" ]; then ok "$name: leaves nothing running"
else not_ok "$name: left running:"; printf '%s\n' "$left" | sed 's/^/#   /'; fi
echo "# $name: $pass passed, $fail failed"
[ $fail -eq 0 ]
