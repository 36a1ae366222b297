#!/usr/bin/env bash
# Greps every log line our programs wrote during the test run for the
# configured secrets: the broker password (in a URL), the Plainly and API-Football
# keys the tests and the demo use.  Any hit fails.
set -uo pipefail
cd "$(dirname "$0")/.."
pw=${BF_MGMT_PASSWORD:-bf}
files=$(ls var/log/*.log var/demo/logs/*.log var/chaos/run-quick/logs/*.log var/chaos/run-quick-apifootball/logs/*.log 2>/dev/null)
[ -n "$files" ] || { echo "no logs to check"; exit 1; }
# only our own records: "ts level prog[pid] ..."
ours=$(grep -ahE '^[0-9T:.-]+Z (debug|info|warn|error) [a-z_-]+\[[0-9]+\] ' $files)
n=$(printf '%s\n' "$ours" | grep -c . )
hits=$(printf '%s\n' "$ours" | grep -nE "://[^/ ]*:${pw}@|password=${pw}( |$)|testkey|demo-key|chaos-key|chaos-af-key|test-af-key-0001|not-the-key|demo-apifootball-key|Basic [A-Za-z0-9+/=]{8,}" || true)
if [ -n "$hits" ]; then
	echo "secrets found in logs:"; printf '%s\n' "$hits" | head -n 20; exit 1
fi
# the check must have seen URLs with a user to mean anything
users=$(printf '%s\n' "$ours" | grep -cE '://[^/ ]*:\*\*\*@' || true)
echo "checked $n log records from $(echo "$files" | wc -l) files: no secret; $users redacted URLs"
