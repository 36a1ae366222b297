# shellcheck shell=bash
# tests/support/wait.sh: waiting with a deadline, for the shell tests, the demo and the
# bench (sourced by tap.sh and steps.sh): never read a log, a count or a queue once
# right after an action.
# wait_until SECONDS COMMAND...: COMMAND is run at once, then every 0.2 s until it succeeds
# (status 0) or SECONDS (whole seconds) have passed (status 1, after a last try at the
# deadline). COMMAND may set variables for the caller's message (it is not run in a subshell).
wait_until() {
	local deadline=$(($(date +%s%3N) + $1 * 1000)) last=0
	shift
	until "$@"; do
		((last)) && return 1
		sleep 0.2
		(($(date +%s%3N) < deadline)) || last=1
	done
}
