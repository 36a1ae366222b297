# shellcheck shell=bash
# tests/support/steps.sh: the named steps of make demo and make bench (sourced).
#
#   STEP_PREFIX=demo                       what the failure lines start with
#   run_step NAME LOG CMD...               run CMD with its output in LOG; when it fails:
#                                          step_fail NAME "exit N" LOG
#   step_fail NAME REASON [LOG...]         print which step failed, why, and the last
#                                          lines of each LOG on the terminal (stderr);
#                                          exit 1 (the caller's EXIT trap cleans up)
#   wait_until SECONDS CMD...              (tests/support/wait.sh)
STEP_PREFIX=${STEP_PREFIX:-make}

step_fail() {
	local name=$1 reason=$2 log
	shift 2
	printf '%s: step "%s" failed: %s\n' "$STEP_PREFIX" "$name" "$reason" >&2
	for log in "$@"; do
		if [[ -s $log ]]; then
			printf '%s: last lines of %s:\n' "$STEP_PREFIX" "${log#"${ROOT:-}"/}" >&2
			tail -n 20 "$log" | sed 's/^/    /' >&2
		else
			printf '%s: %s is empty or missing\n' "$STEP_PREFIX" "${log#"${ROOT:-}"/}" >&2
		fi
	done
	exit 1
}

run_step() {
	local name=$1 log=$2 rc=0
	shift 2
	"$@" >>"$log" 2>&1 || rc=$?
	((rc == 0)) || step_fail "$name" "exit $rc: $*" "$log"
}

# shellcheck source=tests/support/wait.sh
. "$(dirname "${BASH_SOURCE[0]}")/wait.sh"
