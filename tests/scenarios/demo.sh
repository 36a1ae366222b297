#!/usr/bin/env bash
# make demo: the whole pipeline on the built-in match day (tests/scenarios/matchday).
#
# Installs what is missing, builds, starts RabbitMQ and PostgreSQL under var/,
# creates a private vhost (bf-demo) and database (bf_demo), starts the fake
# Sofascore (the match day, timestamps shifted to now) and the fake Plainly,
# runs bf-producer and two processes of each consumer for about a minute,
# prints a timeline and a summary, and stops everything it started.
#   KEEP=1 make demo        leave the servers (and the demo's data) up
#   DEMO_SECONDS=90         the longest it runs (it stops earlier once done)
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$(pwd)
KEEP=${KEEP:-0}
LIMIT=${DEMO_SECONDS:-90}
DEMO=$ROOT/var/demo
SCENARIO=$ROOT/tests/scenarios/matchday

say() { printf '%s\n' "$*"; }

say "== bf-datavideos demo: a match day of the Premier League, replayed"
ops/dev/deps
make -s -j2 all fakes
started=0
ops/dev/services status >/dev/null 2>&1 || started=1
ops/dev/services start >/dev/null
eval "$(ops/dev/services env)"

pids=()
cleanup() {
	for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
	for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
	if [ "$started" = 1 ] && [ "$KEEP" != 1 ]; then ops/dev/services stop >/dev/null 2>&1 || true; fi
}
trap cleanup EXIT

rm -rf "$DEMO"
mkdir -p "$DEMO/logs" "$DEMO/renders"

# A private vhost and database, so the demo starts clean every time.
mgmt() { curl -fsS -u "$BF_MGMT_USER:$BF_MGMT_PASSWORD" -H 'content-type: application/json' "$@"; }
mgmt -X DELETE "$BF_MGMT_URL/api/vhosts/bf-demo" >/dev/null 2>&1 || true
mgmt -X PUT "$BF_MGMT_URL/api/vhosts/bf-demo" -d '{}' >/dev/null
mgmt -X PUT "$BF_MGMT_URL/api/permissions/bf-demo/$BF_MGMT_USER" \
	-d '{"configure":".*","write":".*","read":".*"}' >/dev/null
psql -q "$BF_PG_ADMIN_URL" -c 'DROP DATABASE IF EXISTS bf_demo WITH (FORCE)' \
	-c 'CREATE DATABASE bf_demo' >/dev/null 2>&1
export BF_AMQP_URL="${BF_AMQP_URL%/*}/bf-demo"
export BF_DATABASE_URL="${BF_DATABASE_URL%/*}/bf_demo"

# The fakes: Sofascore plays the match day, Plainly records the renders.
# (not in a $(...) subshell: the pid must reach the cleanup's list)
start_fake() { # kind logname args...
	local kind=$1 name=$2; shift 2
	build/fakes/fake-"$kind" --port 0 --port-file "$DEMO/$name.port" "$@" \
		>"$DEMO/logs/$name.log" 2>&1 &
	pids+=($!)
	for _ in $(seq 100); do [ -s "$DEMO/$name.port" ] && break; sleep 0.05; done
}
start_fake sofascore fake-sofascore --scenario "$SCENARIO" --log "$DEMO/sofascore-requests.log"
start_fake plainly fake-plainly --record "$DEMO/plainly-requests.jsonl"
sofa_port=$(cat "$DEMO/fake-sofascore.port")
plainly_port=$(cat "$DEMO/fake-plainly.port")
export BF_SOFASCORE_URL="http://127.0.0.1:$sofa_port/api/v1"
export BF_PLAINLY_URL="http://127.0.0.1:$plainly_port/api/v2"
export BF_PLAINLY_API_KEY=demo-key

# The time scale is compressed: re-checks every few seconds instead of minutes.
cat >"$DEMO/bf.conf" <<CONF
# make demo's configuration (URLs and the API key come from the environment)
sofascore = { max_requests_per_second = 20.0; timeout = "5s"; };
plainly = { timeout = "5s"; dry_run_dir = "$DEMO/renders"; templates = {
  line-up = { project_id = "demo-lineups"; template_id = "lineup-16x9"; };
  result = { project_id = "demo-results"; template_id = "result-16x9"; };
  tournament-stats = { project_id = "demo-rounds"; template_id = "round-16x9"; }; }; };
producer = { unique_tournaments = [ 17 ]; schedule_interval = "5s"; live_interval = "2s";
             lineup_lead = "75m"; };
lineups = { wait_tiers = [ "3s", "8s" ]; near_kickoff = "15m"; give_up_after = "10m"; };
results = { wait_tiers = [ "3s", "8s" ]; };
CONF
bin/bfctl -c "$DEMO/bf.conf" migrate >"$DEMO/logs/bfctl.log" 2>&1
bin/bfctl -c "$DEMO/bf.conf" topology declare >>"$DEMO/logs/bfctl.log" 2>&1

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
say "== running: bf-producer, 2 x bf-lineups, 2 x bf-results, 2 x bf-tournament-stats"
say "   (logs in var/demo/logs/, management UI $BF_MGMT_URL  user $BF_MGMT_USER  password $BF_MGMT_PASSWORD, vhost bf-demo)"

sql() { psql -qtA "$BF_DATABASE_URL" -c "$1" 2>/dev/null || echo 0; }
for _ in $(seq "$LIMIT"); do
	sleep 1
	done_jobs=$(sql "SELECT count(*) FROM jobs WHERE state IN ('done','expired','dead')")
	all_jobs=$(sql "SELECT count(*) FROM jobs")
	tstats=$(sql "SELECT count(*) FROM renders WHERE kind = 'tournament-stats'")
	# done: the round video is requested and every job has ended
	if [ "${tstats:-0}" -ge 1 ] && [ "${all_jobs:-0}" -gt 0 ] && [ "$done_jobs" = "$all_jobs" ]; then
		break
	fi
done
sleep 1
for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
pids=()

# The timeline: what happened to which event, from the programs' own logs.
say ""
say "== timeline (seconds since start)"
cat "$DEMO"/logs/producer.log "$DEMO"/logs/lineups-*.log "$DEMO"/logs/results-*.log \
	"$DEMO"/logs/tstats-*.log |
	grep -E ' (published|message) | refused access' | sort |
	awk -v t0="$t0" '
	function secs(ts,   h, m, s) {
		h = substr(ts, 12, 2); m = substr(ts, 15, 2); s = substr(ts, 18, 6)
		return h * 3600 + m * 60 + s
	}
	function kv(key,   i, n, f) {
		n = split($0, f, " ")
		for (i = 1; i <= n; i++) if (index(f[i], key "=") == 1) return substr(f[i], length(key) + 2)
		return ""
	}
	BEGIN { split(t0, a, "."); base = -1 }
	{
		t = secs($1); if (base < 0) base = t
		prog = $3; sub(/\[.*/, "", prog)
		what = kv("event_id") != "" ? "event " kv("event_id") : "round " kv("round")
		if ($4 == "published") {
			line = sprintf("published %s job", kv("type"))
		} else if ($4 == "message") {
			out = kv("outcome"); line = kv("type") " " out
			if (out == "retry") line = line " (" kv("reason") ") -> " kv("wait")
			if (out == "dead") line = line " (" kv("reason") ")"
			if (out == "done") { n = kv("note"); if (n != "") line = line ": " n }
		} else { line = "Sofascore refused access: circuit breaker open" }
		printf "  +%5.1fs  %-20s %-12s %s\n", t - base, prog, what, line
	}'

say ""
say "== summary"
for kind in line-up result tournament-stats; do
	n=$(sql "SELECT count(*) FROM renders WHERE kind = '$kind' AND state IN ('submitted','dry-run')")
	say "  videos requested ($kind): $n"
done
sql "SELECT '    ' || subject || '  ' || COALESCE(request->'parameters'->>'score_display', '') FROM renders WHERE kind = 'result' ORDER BY subject"
rechecks=$(cat "$DEMO"/logs/lineups-*.log "$DEMO"/logs/results-*.log | grep -c 'outcome=retry' || true)
say "  re-checks through wait queues: $rechecks"
dead=0
for q in bf.line-up.dead bf.result.dead bf.tournament-stats.dead; do
	n=$(mgmt "$BF_MGMT_URL/api/queues/bf-demo/$q" | sed -n 's/.*"messages":\([0-9]*\).*/\1/p' | head -n1)
	dead=$((dead + ${n:-0}))
done
say "  dead letters: $dead"
say "  requests to Sofascore: $(wc -l <"$DEMO/sofascore-requests.log")"
say "  POSTs to Plainly: $(grep -c '"method":"POST"' "$DEMO/plainly-requests.jsonl" || true)"
say "  jobs: $(sql "SELECT string_agg(kind || ' ' || state || ' ' || n, ', ') FROM (SELECT kind, state, count(*) n FROM jobs GROUP BY 1, 2 ORDER BY 1, 2) x")"
say ""
if [ "$KEEP" = 1 ]; then
	say "== servers left running (KEEP=1): management UI $BF_MGMT_URL  user $BF_MGMT_USER  password $BF_MGMT_PASSWORD  (vhost bf-demo)"
	say "   database: psql $BF_DATABASE_URL ; stop with: ops/dev/services stop"
else
	say "== management UI was at $BF_MGMT_URL (user $BF_MGMT_USER, password $BF_MGMT_PASSWORD, vhost bf-demo);"
	say "   run KEEP=1 make demo to keep the servers up and look around"
fi
