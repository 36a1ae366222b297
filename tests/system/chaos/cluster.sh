#!/usr/bin/env bash
# tests/system/chaos/cluster.sh [short|long]: the pipeline on a three-node RabbitMQ cluster, one
# node stopped in the middle.
#
# Three nodes on loopback, each started by ops/dev/services with its own BF_VAR_DIR
# (var/chaos-cluster/n1..n3), node name (bf-chaos-1..3@localhost), AMQP port
# (39672/39682/39692), management port (39673/39683/39693) and distribution port
# (39674/39684/39694), one shared epmd port (39675) and one Erlang cookie; n2 and n3 join
# n1 (rabbitmqctl stop_app, join_cluster bf-chaos-1@localhost, start_app). One PostgreSQL
# (var/chaos-cluster/pg, port 39676). The programs get BF_AMQP_URL with the three nodes,
# comma-separated; the topology is declared (quorum queues: each must have 3 members).
# A generated scenario (short 60 events, long 300) runs with the fakes injecting 5% 500s
# and 2% timeouts; in the middle the node holding most connections (from /api/connections)
# is stopped. Checks: every program that had a connection there logs "broker reconnected
# peer=127.0.0.1:<a surviving node>" and its connections are on surviving nodes; every
# due job completes while the node is down; the node is started again and rejoins (3
# running nodes, every queue with 3 online members); dead letters that RabbitMQ 3.10.8
# still holds in a wait queue 30 s later are released by moving the queue's leader
# (rabbitmq-upgrade drain + revive on its node, as README "Chaos and cluster" tells
# operators); then nothing is lost, no render is duplicated, no message is left in any
# queue; then everything is stopped (KEEP=1 leaves the cluster and PostgreSQL up).
#   CHAOS_SEED=N, CHAOS_BIN=DIR, CHAOS_EVENTS=N, CHAOS_PROVIDER as for tests/system/chaos/run.sh;
#   CHAOS_REQUEUE_AFTER=S (producer.requeue_after, default 12), CHAOS_DRAIN_WAIT=S (30).
# Prints "ok - ..." / "not ok - ...", the figures, and "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/../../.." || exit 1
ROOT=$(pwd)
MODE=${1:-short}
T_START=$(date +%s)
SEED=${CHAOS_SEED:-$((RANDOM * 32768 + RANDOM))}

case $MODE in
short) EVENTS=60 SPAN=40 PHASE=10 PER_ROUND=8 EXPIRE_AT=40 GIVE_UP=20 ACCEPT_STEPS=2 STOP_AT=20 BUDGET=420 ;;
long) EVENTS=300 SPAN=150 PHASE=15 PER_ROUND=15 EXPIRE_AT=60 GIVE_UP=20 ACCEPT_STEPS=6 STOP_AT=70 BUDGET=720 ;;
*)
	echo "usage: tests/system/chaos/cluster.sh [short|long]" >&2
	exit 2
	;;
esac
EVENTS=${CHAOS_EVENTS:-$EVENTS}
# producer.requeue_after (s): with wait tiers 1s,3s a job is published again after 3 + this
# seconds without news from a consumer
REQUEUE_AFTER=${CHAOS_REQUEUE_AFTER:-12}
# seconds to wait, once the node is back, for the wait queues to release held dead letters
# on their own before the operator's remedy (drain + revive of the node leading them)
DRAIN_WAIT=${CHAOS_DRAIN_WAIT:-30}

while read -r v; do unset "$v"; done < <(compgen -v BF_DEV_ || true)
unset BF_VAR_DIR BF_AMQP_URL BF_DATABASE_URL BF_SOFASCORE_URL BF_APIFOOTBALL_URL BF_APIFOOTBALL_KEY BF_PLAINLY_URL BF_PLAINLY_API_KEY BF_LOG_LEVEL
SERVICES=$ROOT/ops/dev/services
CL=$ROOT/var/chaos-cluster
RUN=$CL/run-$MODE
VHOST=bf-chaos
DB=bf_chaos
EPMD_PORT=39675
PG_PORT=39676
amqp_port() { echo $((39672 + 10 * ($1 - 1))); }
mgmt_port() { echo $((39673 + 10 * ($1 - 1))); }
node_name() { echo "bf-chaos-$1@localhost"; }
# svc N COMMAND...: ops/dev/services for node N (0 = the PostgreSQL folder)
svc() {
	local i=$1 base
	shift
	base=$((i > 0 ? i : 1))
	env BF_VAR_DIR="$CL/$([[ $i == 0 ]] && echo pg || echo "n$i")" \
		BF_DEV_AMQP_PORT="$(amqp_port "$base")" BF_DEV_MGMT_PORT="$(mgmt_port "$base")" \
		BF_DEV_DIST_PORT=$((39674 + 10 * (base - 1))) BF_DEV_EPMD_PORT=$EPMD_PORT \
		BF_DEV_PG_PORT=$PG_PORT BF_DEV_RMQ_NODE="$([[ $i == 0 ]] && echo bf-chaos-pg@localhost || node_name "$i")" \
		"$SERVICES" "$@"
}
# shellcheck source=tests/system/chaos/common.sh
. tests/system/chaos/common.sh

stop_cluster() {
	local i p pids=()
	for i in 1 2 3; do
		svc "$i" stop-rabbitmq >>"$RUN/logs/services-stop.log" 2>&1 &
		pids+=($!)
	done
	for p in "${pids[@]}"; do wait "$p"; done
	svc 0 stop-postgres >>"$RUN/logs/services-stop.log" 2>&1
	# the nodes stopped together: none saw the shared epmd idle; stop it when it is
	if epmd -port "$EPMD_PORT" -names >/dev/null 2>&1 && ! epmd -port "$EPMD_PORT" -names | grep -q '^name '; then
		epmd -port "$EPMD_PORT" -kill >/dev/null 2>&1
	fi
}
cleanup() {
	stop_programs
	stop_fakes
	if [[ ${KEEP:-0} != 1 ]]; then
		stop_cluster
	fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

mkdir -p "$CL"
rm -rf "$RUN"
mkdir -p "$RUN/logs"
say "# chaos cluster $MODE: $EVENTS events, 3 RabbitMQ nodes, seed $SEED ($(nproc) cores, load $(cut -d' ' -f1 /proc/loadavg))"
chaos_build || { finish; exit 1; }
# --- the cluster ----------------------------------------------------------------------------------
# a fresh cluster every run: stop what a KEEP=1 run left, drop the nodes' databases
for i in 1 2 3; do svc "$i" stop-rabbitmq >>"$RUN/logs/services-start.log" 2>&1; done
for i in 1 2 3; do rm -rf "$CL/n$i/rabbitmq/mnesia"; done
# one Erlang cookie for the three nodes and their CLI calls (HOME of each node)
cookie_src=$CL/n1/rabbitmq/home/.erlang.cookie
if [[ ! -s $cookie_src ]]; then
	mkdir -p "$CL/n1/rabbitmq/home"
	(umask 077 && head -c 200 /dev/urandom | tr -dc 'A-Z' | head -c 20 >"$cookie_src")
fi
chmod 400 "$cookie_src"
for i in 2 3; do
	mkdir -p "$CL/n$i/rabbitmq/home"
	rm -f "$CL/n$i/rabbitmq/home/.erlang.cookie"
	install -m 400 "$cookie_src" "$CL/n$i/rabbitmq/home/.erlang.cookie"
done
t=$(date +%s)
pids=()
svc 0 start-postgres >"$RUN/logs/start-pg.log" 2>&1 &
pids+=($!)
for i in 1 2 3; do
	svc "$i" start-rabbitmq >"$RUN/logs/start-n$i.log" 2>&1 &
	pids+=($!)
done
start_ok=1
for p in "${pids[@]}"; do wait "$p" || start_ok=0; done
if ((!start_ok)); then
	not_ok "servers start (see $RUN/logs/start-*.log)"
	tail -n 5 "$RUN"/logs/start-*.log | sed 's/^/#   /'
	finish
	exit 1
fi
join_ok=1
for i in 2 3; do
	{
		svc "$i" rabbitmqctl -q stop_app &&
			svc "$i" rabbitmqctl -q join_cluster "$(node_name 1)" &&
			svc "$i" rabbitmqctl -q start_app &&
			svc "$i" rabbitmqctl -q await_startup
	} >"$RUN/logs/join-n$i.log" 2>&1 || join_ok=0
done
MGMT_URLS=("http://127.0.0.1:$(mgmt_port 1)" "http://127.0.0.1:$(mgmt_port 2)" "http://127.0.0.1:$(mgmt_port 3)")
MGMT_USER=bf MGMT_PASSWORD=bf
running_nodes() { mgmt "/api/nodes?columns=name,running" | jq -r '[.[] | select(.running) | .name] | sort | join(" ")'; }
nodes=$(running_nodes)
if ((join_ok)) && [[ $nodes == "$(node_name 1) $(node_name 2) $(node_name 3)" ]]; then
	ok "three-node cluster on loopback: $nodes (ready in $(($(date +%s) - t))s)"
else
	not_ok "cluster: running nodes '$nodes' (see $RUN/logs/join-n*.log)"
	tail -n 5 "$RUN"/logs/join-n*.log | sed 's/^/#   /'
	finish
	exit 1
fi

chaos_vhost_db "postgresql://postgres@127.0.0.1:$PG_PORT/postgres" || { finish; exit 1; }
export BF_DATABASE_URL=postgresql://postgres@127.0.0.1:$PG_PORT/$DB
BF_AMQP_URL=
for i in 1 2 3; do BF_AMQP_URL+="${BF_AMQP_URL:+,}amqp://bf:bf@127.0.0.1:$(amqp_port "$i")/$VHOST"; done
export BF_AMQP_URL
say "# BF_AMQP_URL=$BF_AMQP_URL"

chaos_scenario --events "$EVENTS" --span "$SPAN" --phase "$PHASE" --per-round "$PER_ROUND" \
	--expire-at "$EXPIRE_AT" || { finish; exit 1; }
chaos_fakes "$ACCEPT_STEPS" || { finish; exit 1; }
chaos_config "$GIVE_UP" "$REQUEUE_AFTER" || { finish; exit 1; }

# quorum queues replicate on the three nodes
members=$(mgmt "/api/queues/$VHOST?columns=name,type,members" | jq -r '.[] | "\(.name) \(.type) \(.members | length)"')
bad=$(awk '$2 != "quorum" || $3 != 3' <<<"$members")
if [[ -n $members && -z $bad ]]; then
	ok "topology declared: $(wc -l <<<"$members") quorum queues, each with 3 members ($(mgmt "/api/queues/$VHOST/bf.line-up" | jq -r '.members | join(", ")'))"
else
	not_ok "quorum queue members: ${bad:-no queues}"
fi

chaos_programs

# --- stop the busiest node in the middle -----------------------------------------------------------
conns() { # "node name" lines of the vhost's connections
	mgmt "/api/connections?columns=name,node,vhost,user_provided_name" |
		jq -r --arg v "$VHOST" '.[] | select(.vhost == $v) | "\(.node) \(.user_provided_name // .name)"'
}
while (($(now10) < STOP_AT * 10)); do
	reap_crashes
	sleep 0.5
done
conns >"$RUN/connections-before.txt"
busiest=$(awk '{print $1}' "$RUN/connections-before.txt" | sort | uniq -c | sort -rn | awk 'NR==1 {print $2}')
victim=${busiest#bf-chaos-}
victim=${victim%@*}
say "# connections by node before the stop: $(awk '{print $1}' "$RUN/connections-before.txt" | sort | uniq -c | awk '{printf "%s%s %s", sep, $2, $1; sep=", "}')"
if [[ ! $victim =~ ^[123]$ ]]; then
	not_ok "no connection found on any node (/api/connections)"
	finish
	exit 1
fi
t_stop=$(date +%s)
T_STOP_ISO=$(date -u +%FT%T)
echo "$(elapsed)s t=$(($(now10) / 10)) stop-rabbitmq $(node_name "$victim")" >"$RUN/logs/driver.log"
svc "$victim" stop-rabbitmq >"$RUN/logs/stop-n$victim.log" 2>&1 &&
	ok "stopped $(node_name "$victim") (AMQP $(amqp_port "$victim"), $(grep -c "^$busiest " "$RUN/connections-before.txt") of $(wc -l <"$RUN/connections-before.txt") connections) at t=$(($(now10) / 10))s, in $(($(date +%s) - t_stop))s" ||
	not_ok "stop $(node_name "$victim") (see $RUN/logs/stop-n$victim.log)"
MGMT_URLS=()
for i in 1 2 3; do [[ $i != "$victim" ]] && MGMT_URLS+=("http://127.0.0.1:$(mgmt_port "$i")"); done
survivors_re=$(for i in 1 2 3; do [[ $i != "$victim" ]] && printf '%s|' "$(amqp_port "$i")"; done)
survivors_re=${survivors_re%|}

# every program that was connected to it reconnects to a surviving node
had=$(awk -v n="$busiest" '$1 == n {print $2}' "$RUN/connections-before.txt" | sed -n 's/.*:\([0-9]*\)$/\1/p' | sort -u)
deadline=$(($(date +%s) + 60))
missing=
while (($(date +%s) < deadline)); do
	reap_crashes
	conns >"$RUN/connections-after.txt"
	missing=
	n_had=0
	for p in $had; do
		slot=
		for s in "${CONSUMERS[@]}"; do [[ ${PID[$s]} == "$p" ]] && slot=$s; done
		[[ -n $slot ]] || continue
		n_had=$((n_had + 1))
		if ! grep -q " .*:$p\$" "$RUN/connections-after.txt" ||
			! grep -qE "broker reconnected peer=127\.0\.0\.1:($survivors_re)" "$RUN/logs/$slot.log"; then
			missing+=" $slot"
		fi
	done
	[[ -z $missing ]] && break
	sleep 1
done
if [[ -z $missing && $n_had -gt 0 ]] && ! grep -q "^$busiest " "$RUN/connections-after.txt"; then
	ok "the $n_had consumers connected to $(node_name "$victim") reconnected to surviving nodes within $(($(date +%s) - t_stop))s (their logs: $(grep -ahoE "broker reconnected peer=127\.0\.0\.1:($survivors_re)" "$RUN"/logs/*.log | sort | uniq -c | awk '{printf "%s\"%s\" x%s", sep, $2" "$3, $1; sep=", "}'))"
else
	not_ok "reconnection to surviving nodes: not reconnected:${missing:- (none was connected?)}; connections now: $(awk '{print $1}' "$RUN/connections-after.txt" | sort | uniq -c | tr '\n' ' ')"
fi
# what only publishes (the producers, a consumer's publishing connection) reconnects at
# its next publish: the standby producer stays away until it becomes active
say "# connections by node after the stop: $(awk '{print $1}' "$RUN/connections-after.txt" | sort | uniq -c | awk '{printf "%s%s %s", sep, $2, $1; sep=", "}')"

# --- every job done with the node down? ------------------------------------------------------------
# Stuck dead letters (RabbitMQ 3.10.8: after a node stops, messages that expire in an
# at-least-once wait queue can stay in its dead-letter worker, never reaching bf.work) are
# the producer's to repair: a job with no news for the longest wait tier + requeue_after
# is published again. So the jobs must all end while the node is still down; the queues
# are checked once it is back (below).
diag() { # label: evidence of a run that does not finish
	mgmt "/api/queues/$VHOST" >"$RUN/diag-$1-queues.json"
	for i in 1 2 3; do
		[[ $i == "$victim" && $1 == down ]] && continue
		svc "$i" rabbitmqctl -q list_queues -p "$VHOST" name type leader online messages messages_ready \
			messages_unacknowledged consumers >"$RUN/diag-$1-list_queues-n$i.txt" 2>&1
		# each quorum queue's state machine as its local member sees it (num_discarded /
		# num_discard_checked_out: dead-lettered messages waiting for the at-least-once
		# dead-letter worker), and the dead-letter workers running on the node
		svc "$i" rabbitmqctl eval "[{Q, catch ra:local_query({binary_to_atom(<<\"${VHOST}_\", Q/binary>>, utf8), node()}, fun rabbit_fifo:overview/1)} || Q <- [<<\"bf.line-up\">>, <<\"bf.result\">>, <<\"bf.tournament-stats\">>, <<\"bf.line-up.wait.1s\">>, <<\"bf.line-up.wait.3s\">>, <<\"bf.result.wait.1s\">>, <<\"bf.result.wait.3s\">>]]." \
			>"$RUN/diag-$1-ra-overview-n$i.txt" 2>&1
		svc "$i" rabbitmqctl eval "[{W, catch sys:get_state(W, 2000)} || {_, W, _, _} <- supervisor:which_children(rabbit_fifo_dlx_sup)]." \
			>"$RUN/diag-$1-dlx-workers-n$i.txt" 2>&1
	done
	say "#   Ra overviews and dead-letter workers: $RUN/diag-$1-ra-overview-n*.txt, $RUN/diag-$1-dlx-workers-n*.txt"
	say "#   queues (messages/ready/unacked leader): $(jq -r '[.[] | "\(.name) \(.messages // "?")/\(.messages_ready // "?")/\(.messages_unacknowledged // "?") \(.leader // "?")"] | join("; ")' "$RUN/diag-$1-queues.json")"
}
# dead letters held by the wait queues: messages neither ready nor unacknowledged
held() {
	mgmt "/api/queues/$VHOST?columns=name,messages,messages_ready,messages_unacknowledged" |
		jq -r '[.[] | select(.name | test("\\.wait\\.")) | (.messages // 0) - (.messages_ready // 0) - (.messages_unacknowledged // 0)] | add // 0'
}
if ! wait_done $((T_START + BUDGET - 150)) jobs; then
	diag down
fi
T_JOBS=$T_DONE
HELD_DOWN=$(held)
REQUEUED=$(cat "$RUN"/logs/producer-*.log | grep -ac 'job requeued')
say "# with $(node_name "$victim") down: $REQUEUED jobs published again by the producer (no news for the longest wait tier + requeue_after), $HELD_DOWN dead letters held by the wait queues"

# --- the node comes back (the programs still run); then every queue must drain ------------------------
t=$(date +%s)
if svc "$victim" start-rabbitmq >"$RUN/logs/restart-n$victim.log" 2>&1; then
	MGMT_URLS=("http://127.0.0.1:$(mgmt_port 1)" "http://127.0.0.1:$(mgmt_port 2)" "http://127.0.0.1:$(mgmt_port 3)")
	online=
	for ((k = 0; k < 30; k++)); do
		reap_crashes
		nodes=$(running_nodes)
		online=$(mgmt "/api/queues/$VHOST?columns=name,online" | jq -r '[.[] | select((.online | length) != 3) | .name] | join(" ")')
		[[ $nodes == "$(node_name 1) $(node_name 2) $(node_name 3)" && -z $online ]] && break
		sleep 1
	done
	if [[ $nodes == "$(node_name 1) $(node_name 2) $(node_name 3)" && -z $online ]]; then
		ok "$(node_name "$victim") started again and rejoined in $(($(date +%s) - t))s: 3 running nodes, every queue with 3 online members"
	else
		not_ok "after restarting $(node_name "$victim"): running '$nodes', queues without 3 online members: $online"
	fi
else
	not_ok "restart $(node_name "$victim") (see $RUN/logs/restart-n$victim.log)"
fi
t_back=$(date +%s)
# Does the node's return release the held dead letters? (On 3.10.8 it did not: the stuck
# dead-letter worker runs on the wait queue's leader, which is a surviving node.)
HELD_BACK=$HELD_DOWN
for ((k = 0; k < DRAIN_WAIT && HELD_BACK > 0; k += 2)); do
	reap_crashes
	sleep 2
	HELD_BACK=$(held)
done
REMEDY=none
if ((HELD_BACK > 0)); then
	# the operator's remedy (README "Chaos and cluster"): move the stuck wait queues'
	# leaders away (maintenance mode on their node, then back); a new dead-letter worker
	# starts on the new leader and sends the held messages on to bf.work
	stuck=$(mgmt "/api/queues/$VHOST?columns=name,leader,messages,messages_ready,messages_unacknowledged" |
		jq -r '.[] | select(.name | test("\\.wait\\.")) | select(((.messages // 0) - (.messages_ready // 0) - (.messages_unacknowledged // 0)) > 0) | "\(.name) \(.leader)"')
	say "# $HELD_BACK dead letters still held $(($(date +%s) - t_back))s after $(node_name "$victim") was back (RabbitMQ 3.10.8 dead-letter worker): $(tr '\n' ';' <<<"$stuck")"
	REMEDY=
	for n in $(awk '{print $2}' <<<"$stuck" | sort -u); do
		i=${n#bf-chaos-}
		i=${i%@*}
		[[ $i =~ ^[123]$ ]] || continue
		echo "$(elapsed)s drain/revive $n" >>"$RUN/logs/driver.log"
		if svc "$i" rabbitmq-upgrade drain >"$RUN/logs/drain-n$i.log" 2>&1 &&
			svc "$i" rabbitmq-upgrade revive >>"$RUN/logs/drain-n$i.log" 2>&1; then
			REMEDY+="${REMEDY:+, }rabbitmq-upgrade drain + revive on $n"
		else
			not_ok "rabbitmq-upgrade drain/revive on $n (see $RUN/logs/drain-n$i.log)"
		fi
	done
fi
if wait_done $((T_START + BUDGET - 30)); then
	say "# the queues drained $(($(date +%s) - t_back))s after $(node_name "$victim") was back (remedy: $REMEDY)"
else
	diag back
fi
stop_programs
for s in producer-1 producer-2; do
	say "# $s: $(grep -m1 -oE "broker reconnected peer=[0-9.:]+" "$RUN/logs/$s.log" || echo "no reconnect logged") ($(grep -q 'active: this producer' "$RUN/logs/$s.log" && echo active || echo standby))"
done
chaos_collect_and_check
chaos_figures
say "#   stopped node: $(node_name "$victim") at t=$STOP_AT s ($T_STOP_ISO); reconnects logged after it: $(cat "$RUN"/logs/*.log | awk -v t="$T_STOP_ISO" '$1 >= t && /broker reconnected/' | wc -l)"
say "#   jobs published again by the producer: $REQUEUED; dead letters held by the wait queues: $HELD_DOWN with the node down, $HELD_BACK ${DRAIN_WAIT}s after it was back; remedy: $REMEDY"
say "#   elapsed: ${T_JOBS}s to every job final (node down), ${T_DONE}s to every queue empty (node back), $(elapsed)s before stopping the cluster"
finish
