#!/usr/bin/env bash
# tests/system/broker-hang.sh: the broker stops answering (SIGSTOP), then comes back.
#
# rabbitmq-c 0.11's amqp_basic_publish can block forever on a silent broker; the code
# guards with heartbeats, TCP keepalive, rpc timeouts and a watchdog that shuts the socket
# down after amqp.op_timeout. This test shows that bf-producer and two bf-lineups notice a
# frozen broker within a bounded time, reconnect once it resumes, and lose nothing (with
# bf-renders, which follows each accepted render to DONE):
#   - a private node (ops/dev/services, BF_VAR_DIR=var/tls-node, ports 37672-37676), a
#     fresh vhost bf-hang and database bf_hang;
#   - a generated fake Sofascore scenario (var/tls-node/hang-scenario): 40 events of unique
#     tournament 17 kicking off in 30 min, confirmed line-ups; 30 are listed at first, the
#     other 10 appear while the broker is frozen (the fake's clock is advanced), so the
#     producer publishes into a silent broker; fake Plainly records every request and
#     finishes each render 0.9 s after its POST;
#   - as soon as the first line-up jobs are published, the broker's beam.smp (ours, from
#     the node's pid file) gets SIGSTOP for HANG_PAUSE (25) seconds, then SIGCONT.
# Checks: each program logs the lost connection within 2 heartbeats + op_timeout + 5 s of
# the SIGSTOP; `bfctl status` (op_timeout 2s) returns during the pause; each program logs
# "broker reconnected" after the SIGCONT; in the end every event has exactly one render
# POST at Plainly, every render DONE and every line-up job done (bf-renders), every queue is
# empty, and each program stops
# on SIGTERM within 10 s (a third bf-lineups, sent SIGTERM during the pause, within
# 2 heartbeats + op_timeout). A program that hangs gets its threads' backtraces (gdb) in the
# run folder. Each program also serves /healthz and /metrics (metrics.listen, ports 37680..):
# /healthz answers 503 during the pause (within the same bound) and 200 again after the
# SIGCONT; at the end each /metrics passes tests/support/promcheck.py and counts a reconnect.
# Prints "ok - ..." / "not ok - ..." and "N passed, N failed".
#   KEEP=1  leave the node running      HANG_PAUSE=N  seconds of SIGSTOP (default 25)
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 1
ROOT=$(pwd)
NODE=$ROOT/var/tls-node
RUN=$NODE/hang-run
SCEN=$NODE/hang-scenario
BIN=$ROOT/bin
FAKES=$ROOT/build/fakes

export BF_VAR_DIR=$NODE BF_DEV_AMQP_PORT=37672 BF_DEV_MGMT_PORT=37673 BF_DEV_DIST_PORT=37674 \
	BF_DEV_EPMD_PORT=37675 BF_DEV_PG_PORT=37676
unset BF_DEV_TLS_DIR BF_DEV_AMQPS_PORT BF_DEV_TLS_REQUIRE_CLIENT_CERT BF_DEV_PG_FAST
unset BF_AMQP_URL BF_DATABASE_URL BF_SOFASCORE_URL BF_PLAINLY_URL BF_PLAINLY_API_KEY BF_LOG_LEVEL

N_FIRST=30 # events listed from the start
N_ALL=40   # events once the fake's clock is advanced (during the pause)
EV0=9170001
HEARTBEAT=5
OP_TIMEOUT=8
PAUSE=${HANG_PAUSE:-25}
BOUND=$((2 * HEARTBEAT + OP_TIMEOUT + 5)) # seconds from SIGSTOP to a logged loss
STATUS_OP_TIMEOUT=2
# bfctl status: 3 connect tries, each at most the connect timeout (5 s) + op_timeout,
# plus backoff (< 2 s)
STATUS_BOUND=$((3 * (5 + STATUS_OP_TIMEOUT) + 2))
PROGS=(producer lineups-1 lineups-2 renders)

# shellcheck source=tests/support/tap.sh
. "$ROOT/tests/support/tap.sh"
now_ms() { date +%s%3N; }
secs() { awk -v ms="$1" 'BEGIN { printf "%.1f", ms / 1000 }'; }

declare -A pid=()
beam=''
paused=0
fakes=()
status_pid=''

# backtraces NAME PID: every thread's stack, for the report.
backtraces() {
	local out=$RUN/gdb-$1-$2.txt
	gdb -batch -ex 'set pagination off' -ex 'thread apply all bt' -p "$2" >"$out" 2>&1
	note "backtraces of $1 (pid $2): ${out#"$ROOT"/}"
	grep -E '^(Thread|#[0-9]+ )' "$out" | head -n 30 | sed 's/^/#     /'
}

cleaned=0
cleanup() {
	((cleaned)) && return
	cleaned=1
	local p
	# Never leave the broker frozen.
	if ((paused)) && [[ -n $beam ]]; then
		kill -CONT "$beam" 2>/dev/null
	fi
	[[ -n $status_pid ]] && kill -TERM "$status_pid" 2>/dev/null
	for p in "${pid[@]}" "${fakes[@]}"; do
		kill -TERM "$p" 2>/dev/null
	done
	for p in "${pid[@]}" "${fakes[@]}"; do
		for _ in $(seq 50); do
			kill -0 "$p" 2>/dev/null || break
			sleep 0.1
		done
		kill -KILL "$p" 2>/dev/null
		wait "$p" 2>/dev/null
	done
	if [[ ${KEEP:-0} == 1 ]]; then
		note "KEEP=1: node left running (BF_VAR_DIR=$NODE, ports 37672-37676)"
	else
		ops/dev/services stop 2>>"$RUN/services.log" >/dev/null ||
			printf '# services stop failed: see %s\n' "$RUN/services.log"
	fi
}

bail() {
	not_ok "$*"
	echo "$passed passed, $failed failed"
	exit 1
}

# log_ms LINE: the epoch milliseconds of a log record ("2026-11-26T09:57:48.886Z ...").
log_ms() {
	date -u -d "${1%% *}" +%s%3N 2>/dev/null
}

# first_after FILE SINCE_MS REGEX: "MS LINE" of the first record at or after SINCE_MS
# matching REGEX; false when none.
first_after() {
	local line ms
	while IFS= read -r line; do
		ms=$(log_ms "$line") || continue
		if ((ms >= $2)); then
			printf '%s %s\n' "$ms" "$line"
			return 0
		fi
	done < <(grep -E "$3" "$1" 2>/dev/null)
	return 1
}

t_start=$SECONDS
for tool in curl jq psql gdb ss; do
	command -v "$tool" >/dev/null || bail "$tool is needed"
done
if [[ ! -x $BIN/bfctl || ! -x $BIN/bf-producer || ! -x $BIN/bf-lineups || ! -x $BIN/bf-renders ||
	! -x $FAKES/fake-sofascore || ! -x $FAKES/fake-plainly ]]; then
	make -s all fakes >/dev/null || bail "build (make all fakes)"
fi

rm -rf "$RUN" "$SCEN"
mkdir -p "$RUN" "$SCEN"

# --- the scenario ---------------------------------------------------------------------
# Events shaped like tests/data/fixtures/sofascore/scheduled_ut17_round.json's, not started,
# kicking off at base_time + 30 min (the fake shifts base_time to its own start).
BASE=1790000000
events_json() { # N: the first N events
	jq --argjson n "$1" --argjson base "$BASE" --argjson ev0 "$EV0" '
		.events[0] as $e
		| { events: [ range(0; $n) as $i | $e
			| .id = ($ev0 + $i) | .customId = "bfHang\($i)" | .slug = "bf-hang-\($i)"
			| .status = { code: 0, description: "Not started", type: "notstarted" }
			| .winnerCode = null | .homeScore = {} | .awayScore = {} | .time = {}
			| .changes = { changeTimestamp: 0 } | del(.homeRedCards)
			| .startTimestamp = ($base + 1800) ] }' \
		tests/data/fixtures/sofascore/scheduled_ut17_round.json
}
if ! {
	events_json "$N_FIRST" >"$SCEN/ut17_first.json" &&
		events_json "$N_ALL" >"$SCEN/ut17_all.json" &&
		cp tests/data/fixtures/sofascore/lineups_confirmed.json "$SCEN/" &&
		jq -n --argjson n "$N_ALL" --argjson base "$BASE" --argjson ev0 "$EV0" '{
			comment: "Written by tests/system/broker-hang.sh. The {today} list grows from 30 to 40 events when the test advances the clock by 100000 s (during the broker pause). Line-ups are confirmed at once; a 400 ms delay keeps the consumers busy across the pause.",
			base_time: $base,
			routes: ({
				"/unique-tournament/17/scheduled-events/{today}": [
					{ after: 0, body: "ut17_first.json" },
					{ after: 100000, body: "ut17_all.json" } ],
				"/sport/football/events/live": [ { inline: { events: [] } } ]
			} + ([ range(0; $n) as $i | { key: "/event/\($ev0 + $i)/lineups",
				value: [ { body: "lineups_confirmed.json", delay_ms: 400 } ] } ] | from_entries))
		}' >"$SCEN/scenario.json"
} 2>"$RUN/scenario.log"; then
	bail "scenario generation (see $RUN/scenario.log)"
fi

# --- the node, vhost, database ----------------------------------------------------------
trap cleanup EXIT
trap 'exit 130' INT TERM
t0=$SECONDS
# A fresh broker database, as tls.sh makes (it runs first in make test): vhost bf-hang
# deleted and its quorum queues declared again at once race (541 INTERNAL_ERROR), which a
# second run of this script alone met. (not a pipe: status exits 3 when stopped)
ops/dev/services stop >>"$RUN/services.log" 2>&1 || true
st=$(ops/dev/services status 2>/dev/null)
if grep -qx 'rabbitmq: stopped' <<<"$st"; then
	rm -rf "$NODE/rabbitmq/mnesia"
fi
# (stdout, the URLs with the development password, is not kept)
ops/dev/services start 2>>"$RUN/services.log" >/dev/null || {
	tail -n 20 "$RUN/services.log" | sed 's/^/#   /'
	bail "node start (see $RUN/services.log)"
}
eval "$(ops/dev/services env)"
ok "node running ($((SECONDS - t0))s): amqp 127.0.0.1:37672, postgres 127.0.0.1:37676"

mgmt() { curl -fsS --max-time 10 -u "$BF_MGMT_USER:$BF_MGMT_PASSWORD" -H 'content-type: application/json' "$@"; }
mgmt -X DELETE "$BF_MGMT_URL/api/vhosts/bf-hang" >/dev/null 2>&1
if ! mgmt -X PUT "$BF_MGMT_URL/api/vhosts/bf-hang" -d '{}' >/dev/null ||
	! mgmt -X PUT "$BF_MGMT_URL/api/permissions/bf-hang/$BF_MGMT_USER" \
		-d '{"configure":".*","write":".*","read":".*"}' >/dev/null; then
	bail "vhost bf-hang"
fi
psql -Xq "$BF_PG_ADMIN_URL" -c 'DROP DATABASE IF EXISTS bf_hang WITH (FORCE)' \
	-c 'CREATE DATABASE bf_hang' >>"$RUN/services.log" 2>&1 || bail "database bf_hang"
export BF_AMQP_URL="${BF_AMQP_URL%/*}/bf-hang"
export BF_DATABASE_URL="${BF_DATABASE_URL%/*}/bf_hang"

# --- the fakes ----------------------------------------------------------------------------
# start_fake KIND ARGS...: starts fake-KIND (its pid joins fakes), sets fake_port.
start_fake() {
	local kind=$1
	shift
	fake_port=''
	"$FAKES/fake-$kind" --port 0 --port-file "$RUN/fake-$kind.port" "$@" \
		>"$RUN/fake-$kind.log" 2>&1 &
	fakes+=($!)
	for _ in $(seq 100); do
		[[ -s $RUN/fake-$kind.port ]] && break
		sleep 0.05
	done
	read -r fake_port <"$RUN/fake-$kind.port" 2>/dev/null && [[ $fake_port =~ ^[0-9]+$ ]]
}
start_fake sofascore --scenario "$SCEN" --log "$RUN/sofascore-requests.log" ||
	bail "fake-sofascore did not start (see $RUN/fake-sofascore.log)"
sofa_port=$fake_port
start_fake plainly --record "$RUN/plainly-requests.jsonl" --lifecycle 300,600,900 ||
	bail "fake-plainly did not start (see $RUN/fake-plainly.log)"
plainly_port=$fake_port
export BF_SOFASCORE_URL=http://127.0.0.1:$sofa_port/api/v1
export BF_PLAINLY_URL=http://127.0.0.1:$plainly_port/api/v2
export BF_PLAINLY_API_KEY=k

# --- configuration, schema, topology --------------------------------------------------------
conf() { # NAME OP_TIMEOUT
	cat >"$RUN/$1.conf" <<-CONF
		# tests/system/broker-hang.sh (URLs and the API key come from the environment)
		amqp = { heartbeat = "${HEARTBEAT}s"; op_timeout = "$2"; };
		sofascore = { timeout = "3s"; max_requests_per_second = 50.0; };
		plainly = { timeout = "3s"; templates = {
		  line-up = { project_id = "hang-lineups"; template_id = "lineup-16x9"; }; }; };
		producer = { unique_tournaments = [ 17 ]; schedule_interval = "2s"; live_interval = "1s";
		             lineup_lead = "75m"; };
		lineups = { wait_tiers = [ "1s", "2s" ]; prefetch = 5; };
		renders = { wait_tiers = [ "1s", "2s" ]; };
	CONF
	chmod 600 "$RUN/$1.conf"
}
conf bf "${OP_TIMEOUT}s"
conf status "${STATUS_OP_TIMEOUT}s"
if "$BIN/bfctl" -c "$RUN/bf.conf" migrate >"$RUN/bfctl.log" 2>&1 &&
	"$BIN/bfctl" -c "$RUN/bf.conf" topology declare >>"$RUN/bfctl.log" 2>&1; then
	ok "bfctl migrate and topology declare (vhost bf-hang, database bf_hang)"
else
	sed 's/^/#   /' "$RUN/bfctl.log" | tail -n 5
	bail "bfctl migrate / topology declare (see $RUN/bfctl.log)"
fi

# --- the programs ---------------------------------------------------------------------------
declare -A mport=() # metrics.listen of each program
next_mport=37680
run() { # NAME PROGRAM
	mport[$1]=$next_mport
	next_mport=$((next_mport + 1))
	BF_METRICS_LISTEN=127.0.0.1:${mport[$1]} "$BIN/$2" -c "$RUN/bf.conf" >"$RUN/$1.log" 2>&1 &
	pid[$1]=$!
}
# healthz NAME: the HTTP status of its /healthz (000 when none came)
healthz() { curl -s -o /dev/null -w '%{http_code}' --max-time 2 "http://127.0.0.1:${mport[$1]}/healthz"; }
run producer bf-producer
run lineups-1 bf-lineups
run lineups-2 bf-lineups
run renders bf-renders
# a third consumer, asked to stop while the broker is frozen
run lineups-3 bf-lineups
ready() {
	local p
	for p in "${PROGS[@]}" lineups-3; do
		grep -q ' ready ' "$RUN/$p.log" || return 1
	done
}
wait_until 30 ready || bail "the programs did not get ready (see $RUN/*.log)"
published() { grep -q 'published type=line-up' "$RUN/producer.log"; }
wait_until 60 published || bail "no line-up job published within 60 s (see $RUN/producer.log)"

# --- freeze the broker ------------------------------------------------------------------------
# Our node's beam.smp: the pid file of BF_VAR_DIR, a beam.smp started by ops/dev/services for
# this folder (its environment carries the marker), listening on our port.
read -r beam <"$NODE/rabbitmq/rabbitmq.pid" || [[ -n $beam ]]
if [[ ! $beam =~ ^[0-9]+$ ]] || [[ $(cat "/proc/$beam/comm" 2>/dev/null) != beam.smp ]] ||
	! grep -qzxF "BF_DEV_SERVICES=$NODE" "/proc/$beam/environ" 2>/dev/null ||
	! grep -q "pid=$beam," <<<"$(ss -ltnpH 'sport = :37672')"; then
	beam=''
	bail "cannot identify our node's beam.smp from $NODE/rabbitmq/rabbitmq.pid"
fi
n_before=$(grep -c 'published type=line-up' "$RUN/producer.log")
t_stop=$(now_ms) # before the signal: delays measured from here are not flattered
kill -STOP "$beam" && paused=1
note "SIGSTOP beam.smp pid $beam after $n_before line-up jobs were published; paused for ${PAUSE}s"

# While frozen: the 10 more events appear (the producer must publish into the silence), and
# `bfctl status` must come back on its own.
sleep 2
curl -fsS --max-time 5 -X POST -d '{"seconds": 100000}' \
	"http://127.0.0.1:$sofa_port/_fake/advance" >/dev/null || note "could not advance the fake's clock"
sleep 1
status_t0=$(now_ms)
kill -TERM "${pid[lineups-3]}"
term3_t0=$status_t0
term3_ms='' term3_rc=''

timeout 120 "$BIN/bfctl" -c "$RUN/status.conf" status >"$RUN/status-during-pause.log" 2>&1 &
status_pid=$!

loss_re='broker (connection lost|publish failed|closed the connection|channel closed)|publishing connection lost'
declare -A lost=() unhealthy=()
status_rc='' status_ms=''
evidence=0
while (($(now_ms) < t_stop + PAUSE * 1000)); do
	for p in "${PROGS[@]}"; do
		if [[ -z ${lost[$p]:-} ]] && hit=$(first_after "$RUN/$p.log" "$t_stop" "$loss_re"); then
			lost[$p]=$hit
		fi
		if [[ -z ${unhealthy[$p]:-} && $(healthz "$p") == 503 ]]; then
			unhealthy[$p]=$(now_ms)
		fi
	done
	if [[ -z $status_rc ]] && ! kill -0 "$status_pid" 2>/dev/null; then
		wait "$status_pid"
		status_rc=$?
		status_ms=$(($(now_ms) - status_t0))
		status_pid=''
	fi
	if [[ -z $term3_ms ]] && ! kill -0 "${pid[lineups-3]}" 2>/dev/null; then
		term3_ms=$(($(now_ms) - term3_t0))
		wait "${pid[lineups-3]}"
		term3_rc=$?
		unset "pid[lineups-3]"
	fi
	# Past the bound, a program that has not noticed is stuck somewhere: where?
	if ((!evidence && $(now_ms) > t_stop + BOUND * 1000)); then
		evidence=1
		for p in "${PROGS[@]}"; do
			[[ -n ${lost[$p]:-} ]] || backtraces "$p" "${pid[$p]}"
		done
	fi
	sleep 0.25
done
t_cont=$(now_ms) # before the signal: a reconnect may be logged within a millisecond
kill -CONT "$beam" && paused=0
note "SIGCONT after $(secs $((t_cont - t_stop)))s"

# --- noticed within the bound ----------------------------------------------------------------
for p in "${PROGS[@]}"; do
	if [[ -n ${lost[$p]:-} ]]; then
		ms=${lost[$p]%% *}
		what=$(sed -E 's/^[0-9]+ [^ ]+ [a-z]+ [^ ]+ //' <<<"${lost[$p]#* }")
		if ((ms - t_stop <= BOUND * 1000)); then
			ok "$p noticed the frozen broker after $(secs $((ms - t_stop)))s (bound ${BOUND}s): $what"
		else
			not_ok "$p noticed the frozen broker only after $(secs $((ms - t_stop)))s (bound ${BOUND}s): $what"
		fi
	else
		not_ok "$p logged no lost connection during the ${PAUSE}s pause"
	fi
done
# The producer's publishes during the pause (the 0.11 publish-hang path).
if hit=$(first_after "$RUN/producer.log" "$t_stop" 'publish not confirmed|broker publish failed'); then
	note "producer, publishing into the frozen broker: ${hit#* }"
fi

# --- /healthz during the pause ------------------------------------------------------------------
for p in "${PROGS[@]}"; do
	if [[ -z ${unhealthy[$p]:-} ]]; then
		not_ok "$p: /healthz never answered 503 during the ${PAUSE}s pause"
	elif ((unhealthy[$p] - t_stop <= BOUND * 1000)); then
		ok "$p: /healthz 503 $(secs $((unhealthy[$p] - t_stop)))s into the pause (bound ${BOUND}s)"
	else
		not_ok "$p: /healthz 503 only $(secs $((unhealthy[$p] - t_stop)))s into the pause (bound ${BOUND}s)"
	fi
done

# --- SIGTERM during the pause -----------------------------------------------------------------
# It finishes the message in hand and closes its two connections; each close waits at most
# until the heartbeat deadline or op_timeout, whichever comes first.
TERM_BOUND=$((2 * HEARTBEAT + OP_TIMEOUT))
if [[ -z $term3_ms ]]; then
	backtraces lineups-3 "${pid[lineups-3]}"
	not_ok "lineups-3 still running $(secs $((t_cont - term3_t0)))s after a SIGTERM sent during the pause"
elif ((term3_ms <= TERM_BOUND * 1000)); then
	ok "lineups-3, sent SIGTERM $(secs $((term3_t0 - t_stop)))s into the pause, stopped after $(secs "$term3_ms")s (exit $term3_rc, bound ${TERM_BOUND}s)"
else
	not_ok "lineups-3, sent SIGTERM during the pause, took $(secs "$term3_ms")s to stop (exit $term3_rc, bound ${TERM_BOUND}s)"
fi

# --- bfctl status during the pause -------------------------------------------------------------
if [[ -z $status_rc ]]; then
	backtraces bfctl-status "$(pgrep -P "$status_pid" | head -n 1)"
	not_ok "bfctl status (op_timeout ${STATUS_OP_TIMEOUT}s) still running $(secs $((t_cont - status_t0)))s into the pause"
elif ((status_ms <= STATUS_BOUND * 1000)); then
	ok "bfctl status (op_timeout ${STATUS_OP_TIMEOUT}s) returned during the pause after $(secs "$status_ms")s (exit $status_rc, bound ${STATUS_BOUND}s): $(tail -n 1 "$RUN/status-during-pause.log" | sed -E 's/^[^ ]+ [a-z]+ [^ ]+ //')"
else
	not_ok "bfctl status took $(secs "$status_ms")s during the pause (exit $status_rc, bound ${STATUS_BOUND}s)"
fi

# --- reconnected after the SIGCONT ---------------------------------------------------------------
reconnected() {
	local p
	for p in "${PROGS[@]}"; do
		first_after "$RUN/$p.log" "$t_cont" 'broker reconnected' >/dev/null || return 1
	done
}
wait_until 60 reconnected
for p in "${PROGS[@]}"; do
	if hit=$(first_after "$RUN/$p.log" "$t_cont" 'broker reconnected'); then
		ok "$p: broker reconnected $(secs $((${hit%% *} - t_cont)))s after the SIGCONT"
	else
		not_ok "$p: no \"broker reconnected\" within 60 s of the SIGCONT"
		backtraces "$p" "${pid[$p]}"
	fi
done

# --- nothing lost -------------------------------------------------------------------------------
sql() { psql -XtA "$BF_DATABASE_URL" -c "$1" 2>/dev/null; }
all_done() {
	[[ $(sql "SELECT count(*) FROM jobs WHERE kind = 'line-up' AND state = 'done'") == "$N_ALL" ]]
}
t0=$(now_ms)
if wait_until 120 all_done; then
	ok "all $N_ALL line-up jobs done $(secs $(($(now_ms) - t_cont)))s after the SIGCONT"
else
	not_ok "line-up jobs after 120 s: $(sql "SELECT string_agg(state || ' ' || n, ', ') FROM (SELECT state, count(*) n FROM jobs WHERE kind = 'line-up' GROUP BY 1 ORDER BY 1) x")"
fi
jobs=$(sql "SELECT count(*) FROM jobs")
[[ $jobs == "$N_ALL" ]] || note "jobs table: $jobs rows ($(sql "SELECT string_agg(kind || ' ' || state || ' ' || n, ', ') FROM (SELECT kind, state, count(*) n FROM jobs GROUP BY 1, 2) x"))"

# Queues: nothing ready, nothing unacked, no dead letter. The management API's figures lag
# a few seconds behind.
queues_empty() {
	local left
	left=$(mgmt "$BF_MGMT_URL/api/queues/bf-hang?columns=name,messages" |
		jq -r '.[] | select((.messages // 0) > 0) | "\(.name)=\(.messages)"' | tr '\n' ' ')
	queue_left=$left
	[[ -z $left ]]
}
queue_left='?'
if wait_until 30 queues_empty; then
	ok "every queue of vhost bf-hang is empty (work, wait and dead queues)"
else
	not_ok "queues not empty after 30 s: $queue_left"
fi

# The producer's connection since the reconnect: one basic.publish per message. After a
# reconnect, broker_publish() used to send the message that triggered it twice (once in
# reconnect()'s republish of the window, once more itself).
# count_since FILE MS REGEX: records matching REGEX at or after MS.
count_since() {
	local n=0 l ms
	while IFS= read -r l; do
		ms=$(log_ms "$l") || continue
		((ms >= $2)) && n=$((n + 1))
	done < <(grep -E "$3" "$1")
	echo "$n"
}
# producer_publishes: sets frames (basic.publish frames on the producer's live channel,
# management API) and after (messages it logged as published since its last reconnect).
producer_publishes() {
	local conns conn last
	conns=$(mgmt "$BF_MGMT_URL/api/connections") || return 1
	printf '%s\n' "$conns" >"$RUN/mgmt-connections.json"
	# the newest connection the producer opened (an old one may linger a moment)
	conn=$(jq -r --arg n "bf-producer@" '[.[] | select(.vhost == "bf-hang" and
		((.client_properties.connection_name // "") | startswith($n)))]
		| sort_by(.connected_at) | last | .name // empty' <<<"$conns")
	[[ -n $conn ]] || return 1
	mgmt "$BF_MGMT_URL/api/connections/$(jq -rn --arg c "$conn" '$c | @uri')/channels" \
		>"$RUN/mgmt-channels.json" || return 1
	frames=$(jq -r '[.[].message_stats.publish // 0] | add // 0' "$RUN/mgmt-channels.json")
	last=$(grep 'broker reconnected' "$RUN/producer.log" | tail -n 1)
	[[ -n $last ]] || return 1
	after=$(count_since "$RUN/producer.log" "$(log_ms "$last")" 'published type=')
	((after > 0 && frames >= after))
}
frames=0 after=0
# the management API's counters are refreshed every 5 s
wait_until 15 producer_publishes
if ((after > 0 && frames == after)); then
	ok "producer: $frames basic.publish frames on its new connection for $after confirmed messages"
elif ((after > 0)); then
	not_ok "producer: $frames basic.publish frames on its new connection for $after confirmed messages (a message sent twice after the reconnect)"
else
	not_ok "producer: no publish seen on its new connection (frames=$frames, published=$after)"
fi

# --- /healthz and /metrics after the pause -----------------------------------------------------
all_healthy() {
	local p
	for p in "${PROGS[@]}"; do
		[[ $(healthz "$p") == 200 ]] || return 1
	done
}
if wait_until 60 all_healthy; then
	ok "every program's /healthz answers 200 again after the SIGCONT"
else
	for p in "${PROGS[@]}"; do
		[[ $(healthz "$p") == 200 ]] ||
			not_ok "$p: /healthz $(healthz "$p") 60 s after the SIGCONT: $(curl -s --max-time 2 "http://127.0.0.1:${mport[$p]}/healthz")"
	done
fi
for p in "${PROGS[@]}"; do
	curl -s --max-time 5 "http://127.0.0.1:${mport[$p]}/metrics" >"$RUN/$p.metrics"
	reconnects=$(awk '$1 == "bf_broker_reconnects_total" { print $2 }' "$RUN/$p.metrics")
	if ! python3 "$ROOT/tests/support/promcheck.py" "$RUN/$p.metrics" >"$RUN/$p.promcheck" 2>&1; then
		not_ok "$p: /metrics is not valid exposition format: $(head -n 3 "$RUN/$p.promcheck" | tr '\n' ' ')"
	elif [[ ${reconnects:-0} -ge 1 ]]; then
		ok "$p: /metrics valid, bf_broker_reconnects_total $reconnects"
	else
		not_ok "$p: /metrics counts no broker reconnect (bf_broker_reconnects_total ${reconnects:-absent})"
	fi
done
# metric PROG SERIES: its value in PROG's last /metrics ("" when absent)
metric() { awk -v s="$2" '$1 == s { print $2 }' "$RUN/$1.metrics"; }
act=$(metric producer bf_producer_active) cyc=$(metric producer bf_producer_cycles_total)
last=$(metric producer bf_producer_last_cycle_timestamp_seconds)
dq=$(metric producer 'bf_queue_messages{queue="bf.line-up.dead"}')
if [[ $act == 1 && ${cyc:-0} -ge 1 && -n $last ]] && (($(date +%s) - ${last%.*} < 120)) && [[ $dq == 0 ]]; then
	ok "producer: /metrics says active, $cyc cycles, the last $(($(date +%s) - ${last%.*}))s ago, dead queue bf.line-up.dead 0"
else
	not_ok "producer: /metrics active=${act:-absent} cycles=${cyc:-absent} last_cycle=${last:-absent} bf.line-up.dead=${dq:-absent}"
fi
done_n=$(metric renders 'bf_renders_total{state="DONE"}') failed_n=$(metric renders 'bf_renders_total{state="FAILED"}')
if [[ ${done_n:-0} -ge $N_ALL && $failed_n == 0 ]]; then
	ok "renders: /metrics counts $done_n renders DONE (of $N_ALL), 0 FAILED"
else
	not_ok "renders: /metrics counts ${done_n:-absent} renders DONE (want at least $N_ALL), ${failed_n:-absent} FAILED"
fi

# --- everyone stops on SIGTERM ------------------------------------------------------------------
for p in "${PROGS[@]}"; do
	kill -TERM "${pid[$p]}" 2>/dev/null
done
t_term=$(now_ms)
for p in "${PROGS[@]}"; do
	gone=0
	while (($(now_ms) < t_term + 10000)); do
		if ! kill -0 "${pid[$p]}" 2>/dev/null; then
			gone=1
			break
		fi
		sleep 0.1
	done
	if ((gone)); then
		wait "${pid[$p]}"
		rc=$?
		ok "$p stopped on SIGTERM in $(secs $(($(now_ms) - t_term)))s (exit $rc)"
	else
		backtraces "$p" "${pid[$p]}"
		not_ok "$p still running 10 s after SIGTERM"
		kill -KILL "${pid[$p]}" 2>/dev/null
		wait "${pid[$p]}" 2>/dev/null
	fi
	unset "pid[$p]"
done

# --- nothing twice ------------------------------------------------------------------------------
# Renders: one POST per event at Plainly, counted once every program has stopped (a POST
# sent twice after all_done, by a redelivery say, counts too). The fake writes a request
# to its record before it answers: every POST a program saw answered is in it.
mapfile -t subjects < <(jq -r 'select(.method == "POST" and (.path == "/renders" or .path == "/api/v2/renders"))
	| .body.attributes.bfSubject // "?"' "$RUN/plainly-requests.jsonl" 2>/dev/null | sort)
declare -A posts=()
for subj in "${subjects[@]}"; do
	posts[$subj]=$((${posts[$subj]:-0} + 1))
done
dups=0 missing=0 distinct=${#posts[@]}
for subj in "${!posts[@]}"; do
	((posts[$subj] > 1)) && dups=$((dups + 1))
done
for ((i = 0; i < N_ALL; i++)); do
	[[ -n ${posts[line-up:$((EV0 + i))]:-} ]] || missing=$((missing + 1))
done
if ((${#subjects[@]} == N_ALL && dups == 0 && missing == 0 && distinct == N_ALL)); then
	ok "fake Plainly: exactly one render POST per event ($N_ALL POSTs, 0 duplicates, 0 missing)"
else
	not_ok "fake Plainly: ${#subjects[@]} POSTs for $distinct subjects, $dups duplicated, $missing events without a render"
	printf '%s\n' "${subjects[@]}" | uniq -c | awk '$1 > 1' | head -n 10 | sed 's/^/#   twice: /'
fi
done_n=$(sql "SELECT count(*) FROM renders WHERE kind = 'line-up' AND state = 'done' AND plainly_state = 'DONE'")
if [[ $done_n == "$N_ALL" ]]; then
	ok "renders table: $N_ALL line-up renders done (followed by bf-renders)"
else
	not_ok "renders table: $done_n line-up renders done, expected $N_ALL ($(sql "SELECT string_agg(state || ' ' || n, ', ') FROM (SELECT state, count(*) n FROM renders GROUP BY 1) x"))"
fi

# --- counts, and no password in the logs --------------------------------------------------------
note "published line-up messages: $(grep -c 'published type=line-up' "$RUN/producer.log") (jobs: $N_ALL)" \
	"deliveries handled: $(cat "$RUN"/lineups-*.log | grep -c ' outcome=')" \
	"duplicate deliveries (render already submitted, no POST): $(cat "$RUN"/lineups-*.log | grep -c 'render already submitted')" \
	"reconnects: $(for p in "${PROGS[@]}"; do printf '%s=%s ' "$p" "$(grep -c 'broker reconnected' "$RUN/$p.log")"; done)"
hits=$(grep -l ':bf@' "$RUN"/*.log 2>/dev/null)
if [[ -z $hits ]]; then
	ok "no ':bf@' in the programs' logs ($(cat "$RUN"/*.log | grep -c ':\*\*\*@') redacted URLs)"
else
	not_ok "the broker password appears in: $hits"
fi

note "took $((SECONDS - t_start))s; logs in ${RUN#"$ROOT"/}/"
# Stop everything now, and make sure nothing of ours is left.
tap_finish
