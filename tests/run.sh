#!/usr/bin/env bash
# make test: installs what is missing, builds (normal and ASan/UBSan), lints,
# runs the unit tests, starts RabbitMQ and PostgreSQL under var/, runs the
# integration tests against them and the fakes, runs valgrind on one
# integration binary, stops what it started, and ends with
# "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
export BF_ROOT=$ROOT
mkdir -p var/log var/test
LOG=var/log
t_start=$(date +%s)
passed=0
failed=0
failures=()
# the "not ok" lines (and their first detail lines), said again at the very end: the
# summary's tail is often all a CI log shows
FAILED_LINES=$LOG/test-failures.txt
: >"$FAILED_LINES"

say() { printf '%s\n' "$*"; }

# A step is one test: a command that must exit 0.
step() {
	local name=$1; shift
	local t0=$(date +%s)
	if "$@" >"$LOG/test-$name.log" 2>&1; then
		passed=$((passed + 1)); say "ok - $name ($(( $(date +%s) - t0 ))s)"
	else
		failed=$((failed + 1)); failures+=("$name"); say "not ok - $name (log: $LOG/test-$name.log)"
		tail -n 25 "$LOG/test-$name.log" | sed 's/^/#   /'
		{ echo "[$name] not ok (log: $LOG/test-$name.log)"; tail -n 8 "$LOG/test-$name.log"; } >>"$FAILED_LINES"
	fi
}

# A test binary prints "ok - case" / "not ok - case" lines: count those.
cases() {
	local name=$1; shift
	local out="$LOG/test-$name.log" rc
	local t0=$(date +%s)
	"$@" >"$out" 2>&1; rc=$?
	collect "$name" "$rc" "$t0"
}

# The count of a cases run that ended with status rc (started at t0).
collect() {
	local name=$1 rc=$2 t0=$3
	local out="$LOG/test-$name.log" ok nok
	ok=$(grep -cE '^ok +- ' "$out"); nok=$(grep -cE '^not ok +- ' "$out")
	if [ "$rc" -ne 0 ] && [ "$nok" -eq 0 ]; then nok=1; say "not ok - $name exited $rc"; fi
	passed=$((passed + ok)); failed=$((failed + nok))
	grep -E '^(not ok +- |#   )' "$out" | sed "s/^/[$name] /" | head -n 40
	if [ "$nok" -gt 0 ]; then
		failures+=("$name")
		{ grep -E -A5 '^not ok +- ' "$out" | head -n 40; [ "$rc" -ne 0 ] && tail -n 5 "$out"; } |
			sed "s/^/[$name] /" >>"$FAILED_LINES"
	fi
	say "# $name: $ok passed, $nok failed ($(( $(date +%s) - t0 ))s)"
}

say "# bf-datavideos test run, $(date -u +%Y-%m-%dT%H:%M:%SZ), $(nproc) cores"

# 1. Packages, build, lint ----------------------------------------------------
step deps ops/dev/deps
step build make -j2 WERROR=1 tests-build
step build-asan make -j2 WERROR=1 BUILD=build/asan BIN=build/asan/bin \
	SANITIZE=address,undefined tests-build
step lint make lint
cases lint-cycles bash tests/system/lint-cycles.sh
step install bash ops/dev/check-install
# ops/: the systemd units, the Prometheus exposition checker and the alert rules and
# dashboard against the metrics the programs serve (test_lineups checks live output)
cases units bash ops/dev/check-units
cases readme-keys bash tests/system/readme-keys.sh
cases promcheck python3 tests/support/promcheck.py --self-test
cases check-ops python3 tests/support/check_ops.py --self-test
step ops-metrics python3 tests/support/check_ops.py tests/data/fixtures/metrics-sample.txt

# 2. Unit tests, normal and sanitized ------------------------------------------
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:strict_string_checks=1
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
for t in build/tests/unit/test_*; do
	[ -x "$t" ] || continue
	n=$(basename "$t")
	cases "$n" "$t"
	cases "$n-asan" "build/asan/tests/unit/$n"
done

# 2b. Fuzzing, a few seconds per harness (make fuzz runs longer), beside the
# integration tests: it keeps one core busy while they mostly wait on timers
fuzz_t0=$(date +%s)
# (niced: the integration tests' timers come first)
nice -n 19 env FUZZ_SECONDS=${FUZZ_SECONDS:-4} bash tests/fuzz/run.sh >"$LOG/test-fuzz.log" 2>&1 &
fuzz_pid=$!

# 3. Servers ------------------------------------------------------------------
started_services=0
if ! ops/dev/services status >/dev/null 2>&1; then started_services=1; fi
stop_services() {
	kill "$fuzz_pid" 2>/dev/null || true
	if [ "$started_services" = 1 ] && [ "${KEEP:-0}" != 1 ]; then
		ops/dev/services stop >"$LOG/test-services-stop.log" 2>&1 || true
	fi
}
trap stop_services EXIT
step services-start ops/dev/services start
eval "$(ops/dev/services env)"

# 4. Integration tests, fakes, valgrind ---------------------------------------
if [ -x tests/fakes/selftest.sh ] || [ -f tests/fakes/selftest.sh ]; then
	cases fakes-selftest bash tests/fakes/selftest.sh build/fakes/fake-sofascore build/fakes/fake-plainly \
		build/fakes/fake-apifootball
fi
# The integration tests in two lanes side by side: each case has its own vhost and
# database, and they mostly wait on timers (wait tiers, idle exits). A lane runs its
# binaries one after the other; the counts are collected once both are done. A test
# not named in a lane (a new one) runs in the second; test_broker restarts the broker
# that the others use: it runs alone, after them.
lane1="test_lineups test_bfctl test_observe test_start test_migrate"
alone="test_broker"
lane_run() { # BINARY...: each writes var/log/test-NAME.log and .rc ("status start end")
	local t n t0
	for t in "$@"; do
		[ -x "$t" ] || continue
		n=$(basename "$t")
		t0=$(date +%s)
		"$t" >"$LOG/test-$n.log" 2>&1
		echo "$? $t0 $(date +%s)" >"$LOG/test-$n.rc"
	done
}
lane_a=() lane_b=() lane_c=()
for t in build/tests/integration/test_*; do
	[ -x "$t" ] || continue
	n=$(basename "$t")
	if [[ " $alone " == *" $n "* ]]; then
		lane_c+=("$t")
	elif [[ " $lane1 " == *" $n "* ]]; then
		lane_a+=("$t")
	else
		lane_b+=("$t")
	fi
done
# and beside them, the system tests that run their own RabbitMQ/PostgreSQL nodes
# (var/tls-node, ports 3767x): amqps and sslmode=verify-full, then the broker frozen
# with SIGSTOP while programs run; they wait on their own timers too
sys_run() { # NAME COMMAND...: writes var/log/test-NAME.log and .rc, as lane_run
	local name=$1 t0
	shift
	t0=$(date +%s)
	"$@" >"$LOG/test-$name.log" 2>&1
	echo "$? $t0 $(date +%s)" >"$LOG/test-$name.rc"
}
sys_tests="tls broker-hang"
(sys_run tls bash tests/system/tls.sh; sys_run broker-hang bash tests/system/broker-hang.sh) &
lane_sys_pid=$!
lane_run "${lane_a[@]}" &
lane_a_pid=$!
lane_run "${lane_b[@]}"
wait "$lane_a_pid"
lane_run "${lane_c[@]}"
wait "$lane_sys_pid"
for t in "${lane_a[@]}" "${lane_b[@]}" "${lane_c[@]}"; do
	n=$(basename "$t")
	read -r rc t0 t1 <"$LOG/test-$n.rc" || { rc=1 t0=$(date +%s) t1=$t0; }
	# collect says the time from t0 to now: give it the test's own
	collect "$n" "$rc" $(($(date +%s) - (t1 - t0)))
done
for n in $sys_tests; do
	read -r rc t0 t1 <"$LOG/test-$n.rc" || { rc=1 t0=$(date +%s) t1=$t0; }
	collect "$n" "$rc" $(($(date +%s) - (t1 - t0)))
done
cases demo bash tests/system/demo-check.sh demo
# make demo again in the same checkout, on a node that has just restarted with the first
# run's vhost in it (RabbitMQ 3.10.8 breaks when it is deleted then: the demo must not)
step broker-restart ops/dev/services restart-rabbitmq
cases demo-again bash tests/system/demo-check.sh demo-again
# the same match day from the fake API-Football (make demo PROVIDER=api-football)
cases demo-apifootball env PROVIDER=api-football bash tests/system/demo-check.sh demo-apifootball
# a demo that cannot finish says which step failed, why, and the end of its log
cases demo-failing bash tests/system/demo-check.sh --failing
cases post-once bash tests/system/chaos/post-once.sh
# its own RabbitMQ/PostgreSQL (var/chaos, ports 3867x): 40 events, 3 consumers SIGKILLed,
# RabbitMQ and PostgreSQL restarted once, no duplicate, nothing lost (about 80 s; the long
# runs are make chaos)
cases chaos-quick bash tests/system/chaos/run.sh quick
# the same with the data provider switched to API-Football (fake-apifootball, league 39)
cases chaos-quick-apifootball env CHAOS_PROVIDER=api-football bash tests/system/chaos/run.sh quick
cases test_broker-asan build/asan/tests/integration/test_broker quick
step valgrind-test_broker valgrind --error-exitcode=1 --leak-check=full \
	--errors-for-leak-kinds=definite,indirect build/tests/integration/test_broker quick

wait "$fuzz_pid"
collect fuzz $? "$fuzz_t0"

step secrets-in-logs bash tests/check-log-secrets.sh

# 5. Stop and report ------------------------------------------------------------
stop_services
trap - EXIT
if [ "$started_services" = 1 ] && [ "${KEEP:-0}" != 1 ]; then
	if pgrep -f "$ROOT/var" >/dev/null 2>&1; then
		failed=$((failed + 1)); failures+=("leftover-processes"); say "not ok - leftover processes"
		pgrep -af "$ROOT/var" | sed 's/^/#   /'
	else
		passed=$((passed + 1)); say "ok - nothing left running"
	fi
fi
say "# took $(( $(date +%s) - t_start ))s"
if [ ${#failures[@]} -gt 0 ]; then
	say "# what failed (again, from the logs in $LOG):"
	head -n 80 "$FAILED_LINES" | sed 's/^/#   /'
	say "# failed: ${failures[*]}"
fi
say "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
