# tests/support/tap.sh: what the shell tests that start their own node share
# (tests/integration/tls.sh, tests/integration/broker-hang.sh). Source it after
# setting NODE (the node's folder) and ROOT; define cleanup() before tap_finish.
#   ok TEXT / not_ok TEXT / note LINE...   counted "ok - " / "not ok - " lines
#   tap_finish                             stop (cleanup), check that nothing under
#                                          $NODE is left running, print the counts;
#                                          its status is the test's
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
