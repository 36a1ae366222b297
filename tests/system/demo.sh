#!/usr/bin/env bash
# make demo: the whole pipeline on the built-in match day (tests/data/scenarios/matchday).
#
# Installs what is missing, builds, starts RabbitMQ and PostgreSQL under var/,
# creates a fresh vhost (bf-demo-DATE-TIME) and database (bf_demo), starts the fake
# Sofascore (the match day, timestamps shifted to now) and the fake Plainly,
# runs bf-producer and two processes of each consumer until every job has ended
# (at most DEMO_SECONDS), prints a timeline and a summary, and stops everything it
# started. A step that fails says which, why, and the end of its log, and the demo
# exits 1.
#   KEEP=1 make demo        leave the servers (and the demo's data) up; then
#                           var/demo/bfctl status   shows the demo's vhost and database
#   DEMO_SECONDS=90         the longest it runs (it stops earlier once done)
#   PROVIDER=api-football   the same match day from a fake API-Football
#                           (tests/data/scenarios/matchday-apifootball) instead of
#                           the fake Sofascore
#
# Every run gets a new vhost: RabbitMQ 3.10.8 breaks when at-least-once quorum queues
# are deleted while a node is booting (README, "Chaos and cluster"), so the demo never
# deletes a vhost on a node that has been up for less than BROKER_SETTLE seconds. Old
# demo vhosts are deleted once the node has been up that long: at the start of a run,
# and at its end (waiting for it when the demo is about to stop the node, so that a
# stopped node never keeps a demo vhost that its next boot would have to recover).
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$(pwd)
KEEP=${KEEP:-0}
LIMIT=${DEMO_SECONDS:-90}
BROKER_SETTLE=60
DEMO=$ROOT/var/demo
LOGS=$DEMO/logs
PROVIDER=${PROVIDER:-sofascore}
case $PROVIDER in
sofascore)
	SCENARIO=$ROOT/tests/data/scenarios/matchday FAKE=sofascore TITLE=Sofascore COMPETITION=17 ;;
api-football)
	SCENARIO=$ROOT/tests/data/scenarios/matchday-apifootball FAKE=apifootball
	TITLE=API-Football COMPETITION=39 ;;
*)
	echo "demo: PROVIDER must be sofascore or api-football, not \"$PROVIDER\"" >&2
	exit 2 ;;
esac
STEP_PREFIX=demo
# shellcheck source=tests/support/steps.sh
. tests/support/steps.sh

say() { printf '%s\n' "$*"; }

rm -rf "$DEMO"
mkdir -p "$LOGS" "$DEMO/renders"

say "== bf-datavideos demo: a match day of the Premier League, replayed from a fake $TITLE"
run_step packages "$LOGS/deps.log" ops/dev/deps
run_step build "$LOGS/build.log" make -s -j2 all fakes
started=0
ops/dev/services status >/dev/null 2>&1 || started=1
run_step services "$LOGS/services.log" ops/dev/services start
eval "$(ops/dev/services env)"

pids=()
VHOST=
cleanup() {
	local rc=$?
	for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
	for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
	if [ "$started" = 1 ] && [ "$KEEP" != 1 ]; then
		# the node stops: no demo vhost stays in it for its next boot to recover
		drop_old_vhosts wait >>"$LOGS/setup.log" 2>&1 || true
		ops/dev/services stop >>"$LOGS/services.log" 2>&1 || true
	fi
	exit "$rc"
}
trap cleanup EXIT

mgmt() { curl -fsS --max-time 10 -u "$BF_MGMT_USER:$BF_MGMT_PASSWORD" -H 'content-type: application/json' "$@"; }
# seconds the broker node has been up (0 when unknown: nothing is deleted then)
node_uptime() {
	local up
	up=$(ops/dev/services rabbitmq-uptime 2>/dev/null) || up=0
	[[ $up =~ ^[0-9]+$ ]] || up=0
	echo "$up"
}
# drop_old_vhosts [wait]: delete the demo vhosts other than this run's (every one when the
# node is about to stop) once the node has been up BROKER_SETTLE seconds; with "wait",
# wait for that moment, else leave them for a later run.
drop_old_vhosts() {
	local keep=$VHOST up v
	if [ "${1:-}" = wait ]; then keep=; fi
	mapfile -t old < <(mgmt "$BF_MGMT_URL/api/vhosts?columns=name" |
		jq -r --arg keep "$keep" '.[].name | select(startswith("bf-demo") and . != $keep)')
	[ "${#old[@]}" -gt 0 ] || return 0
	up=$(node_uptime)
	if [ "$up" -lt "$BROKER_SETTLE" ]; then
		if [ "${1:-}" != wait ]; then
			echo "node up ${up}s: old demo vhosts kept for now: ${old[*]}"
			return 0
		fi
		echo "node up ${up}s: waiting until ${BROKER_SETTLE}s to delete ${old[*]}"
		sleep $((BROKER_SETTLE - up))
	fi
	for v in "${old[@]}"; do
		echo "deleting old demo vhost $v"
		mgmt -X DELETE "$BF_MGMT_URL/api/vhosts/$v" || return 1
	done
}

# A fresh vhost and database, so the demo starts clean every time.
VHOST=bf-demo-$(date -u +%Y%m%d-%H%M%S)
setup_broker() {
	drop_old_vhosts || return 1
	mgmt -X PUT "$BF_MGMT_URL/api/vhosts/$VHOST" -d '{}' || return 1
	mgmt -X PUT "$BF_MGMT_URL/api/permissions/$VHOST/$BF_MGMT_USER" \
		-d '{"configure":".*","write":".*","read":".*"}'
}
run_step "broker vhost $VHOST" "$LOGS/setup.log" setup_broker
run_step "database bf_demo" "$LOGS/setup.log" psql -X -q -v ON_ERROR_STOP=1 "$BF_PG_ADMIN_URL" \
	-c 'DROP DATABASE IF EXISTS bf_demo WITH (FORCE)' -c 'CREATE DATABASE bf_demo'
export BF_AMQP_URL="${BF_AMQP_URL%/*}/$VHOST"
export BF_DATABASE_URL="${BF_DATABASE_URL%/*}/bf_demo"

# The fakes: Sofascore plays the match day, Plainly records the renders.
# (not in a $(...) subshell: the pid must reach the cleanup's list)
start_fake() { # kind logname args...
	local kind=$1 name=$2; shift 2
	build/fakes/fake-"$kind" --port 0 --port-file "$DEMO/$name.port" "$@" \
		>"$LOGS/$name.log" 2>&1 &
	pids+=($!)
	wait_until 10 test -s "$DEMO/$name.port" ||
		step_fail "$name" "no port file after 10 s" "$LOGS/$name.log"
}
# The demo's own API-Football key: the fake accepts only this one.
AF_KEY=demo-apifootball-key
fake_args=(--scenario "$SCENARIO" --log "$DEMO/$FAKE-requests.log")
[ "$PROVIDER" = api-football ] && fake_args+=(--api-key "$AF_KEY")
start_fake "$FAKE" fake-$FAKE "${fake_args[@]}"
# renders finish 3 s after they are accepted, and Plainly's webhook says so (to bf-renders)
start_fake plainly fake-plainly --record "$DEMO/plainly-requests.jsonl" --lifecycle 1000,2000,3000
source_port=$(cat "$DEMO/fake-$FAKE.port")
plainly_port=$(cat "$DEMO/fake-plainly.port")
export BF_SOFASCORE_URL="http://127.0.0.1:$source_port/api/v1"
if [ "$PROVIDER" = api-football ]; then
	export BF_APIFOOTBALL_URL="http://127.0.0.1:$source_port" BF_APIFOOTBALL_KEY=$AF_KEY
	unset BF_SOFASCORE_URL
fi
export BF_PLAINLY_URL="http://127.0.0.1:$plainly_port/api/v2"
export BF_PLAINLY_API_KEY=demo-key
# bf-renders takes Plainly's webhooks on a free port, with the demo's own secret
hook_port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
export BF_RENDERS_WEBHOOK_SECRET=demo-webhook-secret

# The time scale is compressed: re-checks every few seconds instead of minutes.
cat >"$DEMO/bf.conf" <<CONF
# make demo's configuration (URLs and the API key come from the environment:
# var/demo/bfctl sets them)
source = { provider = "$PROVIDER"; };
sofascore = { max_requests_per_second = 20.0; timeout = "5s"; };
apifootball = { max_requests_per_second = 20.0; timeout = "5s"; requests_per_day = 7500;
                requests_per_minute = 300; };
plainly = { timeout = "5s"; dry_run_dir = "$DEMO/renders";
  webhook_url = "http://127.0.0.1:$hook_port/plainly?secret=demo-webhook-secret"; templates = {
  line-up = { project_id = "demo-lineups"; template_id = "lineup-16x9"; };
  result = { project_id = "demo-results"; template_id = "result-16x9"; };
  tournament-stats = { project_id = "demo-rounds"; template_id = "round-16x9"; }; }; };
producer = { competitions = [ $COMPETITION ]; schedule_interval = "5s"; live_interval = "2s";
             lineup_lead = "75m"; };
lineups = { wait_tiers = [ "3s", "8s" ]; near_kickoff = "15m"; give_up_after = "10m"; };
results = { wait_tiers = [ "3s", "8s" ]; };
renders = { wait_tiers = [ "2s", "5s", "10s" ]; webhook_listen = "127.0.0.1:$hook_port"; };
CONF
# bfctl on the demo's vhost and database, whatever the caller's environment says
cat >"$DEMO/bfctl" <<SH
#!/bin/sh
# var/demo/bfctl: bin/bfctl with make demo's configuration, vhost ($VHOST) and database
export BF_AMQP_URL='$BF_AMQP_URL' BF_DATABASE_URL='$BF_DATABASE_URL'
export BF_AMQP_MANAGEMENT_URL='$BF_MGMT_URL'
export BF_SOFASCORE_URL='${BF_SOFASCORE_URL:-}' BF_PLAINLY_URL='$BF_PLAINLY_URL'
export BF_APIFOOTBALL_URL='${BF_APIFOOTBALL_URL:-}' BF_APIFOOTBALL_KEY='${BF_APIFOOTBALL_KEY:-}'
[ -n "\$BF_SOFASCORE_URL" ] || unset BF_SOFASCORE_URL
[ -n "\$BF_APIFOOTBALL_URL" ] || unset BF_APIFOOTBALL_URL BF_APIFOOTBALL_KEY
exec '$ROOT/bin/bfctl' -c '$DEMO/bf.conf' "\$@"
SH
chmod +x "$DEMO/bfctl"
run_step migrate "$LOGS/bfctl.log" bin/bfctl -c "$DEMO/bf.conf" migrate
run_step "topology declare" "$LOGS/bfctl.log" bin/bfctl -c "$DEMO/bf.conf" topology declare

t0=$(date +%s.%N)
run() { # name program args...
	local name=$1; shift
	"$@" >"$DEMO/logs/$name.log" 2>&1 &
	pids+=($!)
}
run producer bin/bf-producer -c "$DEMO/bf.conf"
for i in 1 2; do
	run lineups-$i bin/bf-lineups -c "$DEMO/bf.conf"
	run results-$i bin/bf-results -c "$DEMO/bf.conf"
	run tstats-$i bin/bf-tournament-stats -c "$DEMO/bf.conf"
done
run renders-1 bin/bf-renders -c "$DEMO/bf.conf"
say "== running: bf-producer, 2 x bf-lineups, 2 x bf-results, 2 x bf-tournament-stats, bf-renders"
say "   (logs in var/demo/logs/, management UI $BF_MGMT_URL  user $BF_MGMT_USER  password $BF_MGMT_PASSWORD, vhost $VHOST)"

sql() { psql -X -qtA "$BF_DATABASE_URL" -c "$1" 2>/dev/null || echo 0; }
# done: the round video is requested, every job has ended and every render is final
all_done() {
	local done_jobs all_jobs tstats running
	done_jobs=$(sql "SELECT count(*) FROM jobs WHERE state IN ('done','expired','dead')")
	all_jobs=$(sql "SELECT count(*) FROM jobs")
	tstats=$(sql "SELECT count(*) FROM renders WHERE kind = 'tournament-stats'")
	running=$(sql "SELECT count(*) FROM renders WHERE state IN ('pending','submitted')")
	[ "${tstats:-0}" -ge 1 ] && [ "${all_jobs:-0}" -gt 0 ] && [ "$done_jobs" = "$all_jobs" ] &&
		[ "${running:-1}" = 0 ]
}
# every program still runs (a program that exits early fails the demo with its log)
names=(fake-$FAKE fake-plainly producer lineups-1 results-1 tstats-1 lineups-2 results-2 tstats-2
	renders-1)
all_running() {
	local i
	for i in "${!pids[@]}"; do
		if ! kill -0 "${pids[$i]}" 2>/dev/null; then
			wait "${pids[$i]}" && rc=0 || rc=$?
			step_fail "run the pipeline" "${names[$i]} exited (status $rc) while the match day was playing" \
				"$LOGS/${names[$i]}.log"
		fi
	done
}
finished=0
for _ in $(seq "$LIMIT"); do
	sleep 1
	all_running
	if all_done; then finished=1; break; fi
done
sleep 1
for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
pids=()

# The timeline: what happened to which event, from the programs' own logs.
say ""
say "== timeline (seconds since start)"
cat "$DEMO"/logs/producer.log "$DEMO"/logs/lineups-*.log "$DEMO"/logs/results-*.log \
	"$DEMO"/logs/tstats-*.log "$DEMO"/logs/renders-*.log |
	grep -E ' (published|message) | refused (access|the key)' | sort |
	awk -v t0="$t0" '
	function secs(ts,   h, m, s) {
		h = substr(ts, 12, 2); m = substr(ts, 15, 2); s = substr(ts, 18, 6)
		return h * 3600 + m * 60 + s
	}
	# the value of key= (a word of it: note="a b" gives a, and url= inside it its URL)
	function kv(key,   i, n, f, v) {
		n = split($0, f, " ")
		for (i = 1; i <= n; i++) if (index(f[i], key "=") == 1) {
			v = substr(f[i], length(key) + 2); sub(/^"/, "", v); sub(/"$/, "", v)
			return v
		}
		return ""
	}
	BEGIN { split(t0, a, "."); base = -1 }
	{
		t = secs($1); if (base < 0) base = t
		prog = $3; sub(/\[.*/, "", prog)
		what = kv("event_id") != "" ? "event " kv("event_id") : \
		       kv("subject") != "" ? kv("subject") : "round " kv("round")
		if ($4 == "published") {
			line = sprintf("published %s job", kv("type"))
		} else if ($4 == "message") {
			out = kv("outcome"); line = kv("type") " " out
			if (out == "retry") line = line " (" kv("reason") ") -> " kv("wait")
			if (out == "dead") line = line " (" kv("reason") ")"
			if (out == "done") { n = kv("note"); if (n != "") line = line ": " n }
			if (kv("type") == "render" && index($0, "note=\"video ready") > 0)
				line = "video ready " kv("url")
			# the render message and the webhook both ask: the second finds it final
			if (kv("type") == "render" && index($0, "note=\"render already") > 0)
				line = "render checked again (webhook or redelivery): final already"
		} else { line = "the data source refused access: circuit breaker open" }
		printf "  +%5.1fs  %-20s %-12s %s\n", t - base, prog, what, line
	}'

say ""
say "== summary"
for kind in line-up result tournament-stats; do
	n=$(sql "SELECT count(*) FROM renders WHERE kind = '$kind' AND state IN ('submitted','dry-run','done')")
	say "  videos requested ($kind): $n"
done
say "  videos ready (Plainly said DONE, bf-renders followed them): $(sql "SELECT count(*) FROM renders WHERE state = 'done'")"
sql "SELECT '    ' || subject || '  ' || COALESCE(request->'parameters'->>'score_display', '') FROM renders WHERE kind = 'result' ORDER BY subject"
rechecks=$(cat "$DEMO"/logs/lineups-*.log "$DEMO"/logs/results-*.log | grep -c 'outcome=retry' || true)
say "  re-checks through wait queues: $rechecks"
# from the broker itself (AMQP), not the management API's statistics, which lag
dead=$("$DEMO/bfctl" status --json 2>>"$LOGS/bfctl.log" |
	jq '[.queues[] | select(.kind == "dead") | .messages // 0] | add') || dead="unknown (see var/demo/logs/bfctl.log)"
say "  dead letters: $dead"
say "  requests to $TITLE: $(wc -l <"$DEMO/$FAKE-requests.log")"
say "  POSTs to Plainly: $(grep -c '"method":"POST"' "$DEMO/plainly-requests.jsonl" || true)"
say "  jobs: $(sql "SELECT string_agg(kind || ' ' || state || ' ' || n, ', ') FROM (SELECT kind, state, count(*) n FROM jobs GROUP BY 1, 2 ORDER BY 1, 2) x")"
say ""
if [ "$KEEP" = 1 ]; then
	say "== servers left running (KEEP=1): management UI $BF_MGMT_URL  user $BF_MGMT_USER  password $BF_MGMT_PASSWORD  (vhost $VHOST)"
	say "   status of the demo: var/demo/bfctl status    database: psql $BF_DATABASE_URL"
	say "   stop with: ops/dev/services stop"
else
	say "== management UI was at $BF_MGMT_URL (user $BF_MGMT_USER, password $BF_MGMT_PASSWORD, vhost $VHOST);"
	say "   run KEEP=1 make demo to keep the servers up and look around"
fi
if [ "$finished" != 1 ]; then
	step_fail "run the pipeline" "not every job ended within $LIMIT s (DEMO_SECONDS); jobs: $(sql "SELECT string_agg(kind || ' ' || state || ' ' || n, ', ') FROM (SELECT kind, state, count(*) n FROM jobs GROUP BY 1, 2 ORDER BY 1, 2) x")" \
		"$LOGS/producer.log" "$LOGS/lineups-1.log" "$LOGS/results-1.log" "$LOGS/tstats-1.log"
fi
