# tests/support/tap.sh: what the shell tests share: the counted "ok - " / "not ok - "
# lines (tests/system/tls.sh and broker-hang.sh, tests/system/chaos/). tap_finish is for
# the tests that start their own node: set NODE (the node's folder) and ROOT, and define
# cleanup() before calling it.
#   ok TEXT / not_ok TEXT / note LINE...   counted "ok - " / "not ok - " lines
#   tap_finish                             stop (cleanup), check that nothing under
#                                          $NODE is left running, print the counts;
#                                          its status is the test's
#   wait_until SECONDS COMMAND...          run COMMAND every 0.2 s until it succeeds (0)
#                                          or SECONDS have passed (1)
# What a server or a running program writes a moment after an action (the broker's log, a
# management API count, a log line, a row) is never read once right after the action:
# wait_until it shows up, then say what was awaited and what was last seen.
passed=0
failed=0
ok() {
	passed=$((passed + 1))
	printf 'ok - %s\n' "$*"
}
not_ok() {
	failed=$((failed + 1))
	printf 'not ok - %s\n' "$*"
}
note() { printf '#   %s\n' "$@"; }

# wait_until SECONDS COMMAND... (tests/support/wait.sh)
# shellcheck source=tests/support/wait.sh
. "$(dirname "${BASH_SOURCE[0]}")/wait.sh"

tap_finish() {
	local left
	cleanup
	if [[ ${KEEP:-0} != 1 ]]; then
		sleep 0.5
		if left=$(pgrep -af -- "$NODE/" | grep -v "^$$ "); then
			not_ok "processes left running:"
			printf '%s\n' "$left" | sed 's/^/#   /'
		else
			ok "nothing of ours left running (node stopped)"
		fi
	fi
	echo "$passed passed, $failed failed"
	((failed == 0))
}
