#!/usr/bin/env bash
# tests/system/chaos/run.sh [quick|short|long]: the whole pipeline under chaos, on one broker node.
#
# A generated scenario (tests/system/chaos/generate.py: short 120 events, long 500, across the
# rounds of one followed tournament) served by the fake Sofascore (fake-apifootball with
# CHAOS_PROVIDER=api-football), and the fake Plainly,
# both injecting 5% 500s and 2% timeouts (the fake Plainly also stores a few renders and
# then loses its answer: accept-then-500/-reset); two bf-producer (one active, one
# standby) and two processes of each consumer. Meanwhile a driver SIGKILLs a random
# consumer 6 (short) or 20 (long) times at random moments and restarts it, restarts
# RabbitMQ once and PostgreSQL once. Then it waits until every due job is final and every
# queue is empty, stops everything and checks (tests/system/chaos/check.py): every due job done
# (or expired where the scenario says so), no message left in any queue (work, wait,
# dead), one render per subject at Plainly (0 duplicates, 0 lost), repeated POSTs
# explained by 500s and timeouts, lost answers reconciled without a second POST.
# tests/system/chaos/post-once.sh runs first (no server needed).
#
# Its own servers under var/chaos (ops/dev/services with BF_VAR_DIR, ports 38672-38676,
# node bf-chaos@localhost), its own vhost and database; everything it starts is stopped
# at the end (KEEP=1 leaves the two servers up for a look).
#   CHAOS_SEED=N   replay a run (scenario, faults and driver use it; printed at the start)
#   CHAOS_BIN=DIR  run the programs of another build (e.g. a patched tree's bin/)
#   CHAOS_PROVIDER=api-football  the same run with the data provider switched: the scenario
#                  in API-Football shapes (league 39, season 2026) served by
#                  fake-apifootball, source.provider = "api-football" (run folder
#                  var/chaos/run-MODE-apifootball)
# Prints "ok - ..." / "not ok - ...", the figures, and "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/../../.." || exit 1
ROOT=$(pwd)
MODE=${1:-short}
T_START=$(date +%s)
SEED=${CHAOS_SEED:-$((RANDOM * 32768 + RANDOM))}

case $MODE in
quick) # the smallest run that still has every kind of chaos (a candidate for make test)
	EVENTS=40 SPAN=20 PHASE=5 PER_ROUND=10 EXPIRE_AT=20 GIVE_UP=10 ACCEPT_STEPS=2
	KILLS=3 KILL_FROM=3 KILL_TO=24 RMQ_AT=7 PG_AT=16 BUDGET=150
	;;
short)
	EVENTS=120 SPAN=60 PHASE=10 PER_ROUND=12 EXPIRE_AT=45 GIVE_UP=20 ACCEPT_STEPS=4
	KILLS=6 KILL_FROM=4 KILL_TO=75 RMQ_AT=18 PG_AT=50 BUDGET=180
	;;
long)
	EVENTS=500 SPAN=240 PHASE=20 PER_ROUND=20 EXPIRE_AT=60 GIVE_UP=20 ACCEPT_STEPS=10
	KILLS=20 KILL_FROM=4 KILL_TO=280 RMQ_AT=90 PG_AT=170 BUDGET=600
	;;
*)
	echo "usage: tests/system/chaos/run.sh [quick|short|long]" >&2
	exit 2
	;;
esac
EVENTS=${CHAOS_EVENTS:-$EVENTS}
# producer.requeue_after (s): a job with no news for 3 (longest wait tier) + this seconds is
# published again; here it also puts duplicate messages through the consumers
REQUEUE_AFTER=${CHAOS_REQUEUE_AFTER:-30}

# --- our own servers, never the shared ones ---------------------------------------------------
while read -r v; do unset "$v"; done < <(compgen -v BF_DEV_ || true)
unset BF_AMQP_URL BF_DATABASE_URL BF_SOFASCORE_URL BF_APIFOOTBALL_URL BF_APIFOOTBALL_KEY BF_PLAINLY_URL BF_PLAINLY_API_KEY BF_LOG_LEVEL
export BF_VAR_DIR=$ROOT/var/chaos
export BF_DEV_AMQP_PORT=38672 BF_DEV_MGMT_PORT=38673 BF_DEV_DIST_PORT=38674
export BF_DEV_EPMD_PORT=38675 BF_DEV_PG_PORT=38676 BF_DEV_RMQ_NODE=bf-chaos@localhost
SERVICES=$ROOT/ops/dev/services
RUN=$BF_VAR_DIR/run-$MODE
VHOST=bf-chaos
DB=bf_chaos
# shellcheck source=tests/system/chaos/common.sh
. tests/system/chaos/common.sh

bg_jobs=()
kills=0 restarts_rmq=0 restarts_pg=0
cleanup() {
	local p
	stop_programs
	stop_fakes
	# a restart in progress must finish before the stop (the script takes a lock)
	for p in "${bg_jobs[@]}"; do wait "$p" 2>/dev/null; done
	bg_jobs=()
	if [[ ${KEEP:-0} != 1 ]]; then
		"$SERVICES" stop >"$RUN/logs/services-stop.log" 2>&1 || say "# services stop failed: $RUN/logs/services-stop.log"
	fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

rm -rf "$RUN"
mkdir -p "$RUN/logs"
say "# chaos $MODE ($PROVIDER): $EVENTS events, $KILLS kills, seed $SEED ($(nproc) cores, load $(cut -d' ' -f1 /proc/loadavg))"
chaos_build || { finish; exit 1; }

# a POST must be sent once even when the connection dies after the server stored it
POST_ONCE_DIR=$RUN/post-once bash tests/system/chaos/post-once.sh >"$RUN/logs/post-once.log" 2>&1
absorb "$RUN/logs/post-once.log"

# a fresh broker node every run (see chaos_vhost_db): stop a node a KEEP=1 run left, wipe
# its data; PostgreSQL keeps its cluster (the database is dropped and created)
"$SERVICES" stop-rabbitmq >"$RUN/logs/services-start.log" 2>&1
rm -rf "$BF_VAR_DIR/rabbitmq/mnesia"
if ! "$SERVICES" start >>"$RUN/logs/services-start.log" 2>&1; then
	not_ok "servers start (see $RUN/logs/services-start.log)"
	tail -n 20 "$RUN/logs/services-start.log" | sed 's/^/#   /'
	finish
	exit 1
fi
eval "$("$SERVICES" env)"
MGMT_URLS=("$BF_MGMT_URL") MGMT_USER=$BF_MGMT_USER MGMT_PASSWORD=$BF_MGMT_PASSWORD
chaos_vhost_db "$BF_PG_ADMIN_URL" || { finish; exit 1; }
export BF_AMQP_URL="${BF_AMQP_URL%/*}/$VHOST"
export BF_DATABASE_URL="${BF_DATABASE_URL%/*}/$DB"

chaos_scenario --events "$EVENTS" --span "$SPAN" --phase "$PHASE" --per-round "$PER_ROUND" \
	--expire-at "$EXPIRE_AT" || { finish; exit 1; }
chaos_fakes "$ACCEPT_STEPS" || { finish; exit 1; }
chaos_config "$GIVE_UP" "$REQUEUE_AFTER" || { finish; exit 1; }
chaos_programs

# --- the driver ----------------------------------------------------------------------------------
RANDOM=$SEED
kill_at=()
for ((i = 0; i < KILLS; i++)); do
	kill_at+=($((KILL_FROM * 10 + RANDOM % ((KILL_TO - KILL_FROM) * 10)))) # tenths of a second
done
mapfile -t kill_at < <(printf '%s\n' "${kill_at[@]}" | sort -n)
rmq_job="" pg_job="" rmq_done=0 pg_done=0 ki=0
DRIVE_END=$((KILL_TO > PG_AT ? KILL_TO : PG_AT))
# counted from the programs' start: a slow first start of the servers (a fresh database
# cluster, a fresh broker node) does not eat the run's time; 25 s are left to stop them
T_PROGRAMS=$(elapsed)
DEADLINE=$(($(date +%s) + BUDGET - 25))
DRIVER_LOG=$RUN/logs/driver.log
: >"$DRIVER_LOG"

check_bg() {
	if [[ -n $rmq_job ]] && ! kill -0 "$rmq_job" 2>/dev/null; then
		if wait "$rmq_job"; then restarts_rmq=1; else not_ok "restart-rabbitmq failed (see $RUN/logs/restart-rabbitmq.log)"; fi
		echo "$(elapsed)s rabbitmq back" >>"$DRIVER_LOG"
		rmq_job=
	fi
	if [[ -n $pg_job ]] && ! kill -0 "$pg_job" 2>/dev/null; then
		if wait "$pg_job"; then restarts_pg=1; else not_ok "restart-postgres failed (see $RUN/logs/restart-postgres.log)"; fi
		echo "$(elapsed)s postgres back" >>"$DRIVER_LOG"
		pg_job=
	fi
}

while :; do
	t=$(now10)
	if ((ki < ${#kill_at[@]} && t >= kill_at[ki])); then
		victim=${CONSUMERS[RANDOM % ${#CONSUMERS[@]}]}
		p=${PID[$victim]}
		if [[ -n $p ]] && kill -0 "$p" 2>/dev/null; then
			kill -KILL "$p"
			wait "$p" 2>/dev/null
			kills=$((kills + 1))
			echo "$(elapsed)s t=$((t / 10)).$((t % 10)) SIGKILL $victim pid $p" >>"$DRIVER_LOG"
			echo "=== $(date -u +%FT%T) SIGKILLed by the chaos driver; restarting" >>"$RUN/logs/$victim.log"
			sleep 0.$((RANDOM % 10))
			launch "$victim"
		fi
		ki=$((ki + 1))
	fi
	if ((rmq_done == 0 && t >= RMQ_AT * 10)); then
		rmq_done=1
		echo "$(elapsed)s t=$((t / 10)) restart-rabbitmq" >>"$DRIVER_LOG"
		"$SERVICES" restart-rabbitmq >"$RUN/logs/restart-rabbitmq.log" 2>&1 &
		rmq_job=$!
		bg_jobs+=("$rmq_job")
	fi
	if ((pg_done == 0 && t >= PG_AT * 10)); then
		pg_done=1
		echo "$(elapsed)s t=$((t / 10)) restart-postgres" >>"$DRIVER_LOG"
		"$SERVICES" restart-postgres >"$RUN/logs/restart-postgres.log" 2>&1 &
		pg_job=$!
		bg_jobs+=("$pg_job")
	fi
	check_bg
	reap_crashes
	if ((ki >= ${#kill_at[@]} && rmq_done && pg_done && t >= DRIVE_END * 10)) && [[ -z $rmq_job && -z $pg_job ]]; then
		break
	fi
	if (($(date +%s) >= DEADLINE)); then
		say "# the driver ran out of time"
		break
	fi
	sleep 0.2
done
check_bg

# --- done? then stop, collect, check ------------------------------------------------------------
wait_done "$DEADLINE"
stop_programs
((kills == KILLS)) && ok "the driver SIGKILLed $kills consumers at random moments and restarted them" || not_ok "only $kills of $KILLS kills happened"
((restarts_rmq == 1)) && ok "RabbitMQ restarted once (ops/dev/services restart-rabbitmq)" || not_ok "RabbitMQ restart"
((restarts_pg == 1)) && ok "PostgreSQL restarted once (ops/dev/services restart-postgres)" || not_ok "PostgreSQL restart"
chaos_collect_and_check

chaos_figures
say "#   kills: $kills (SIGKILL, each consumer restarted); restarts: RabbitMQ $restarts_rmq, PostgreSQL $restarts_pg"
say "#   driver: $(tr '\n' ';' <"$DRIVER_LOG" | sed 's/;/; /g')"
say "#   elapsed: ${T_PROGRAMS}s to start the servers and programs, ${T_DONE}s to done, $(elapsed)s before stopping the servers"
finish
