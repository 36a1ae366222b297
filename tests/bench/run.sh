#!/usr/bin/env bash
# make bench: the figures that say how fast, in one run (issue 8).
#
# Runs on its OWN RabbitMQ and PostgreSQL (ops/dev/services under var/bench-servers, ports
# 36672-36676), never on the shared development servers, against loopback fakes, and
# stops them at the end. Prints one table and writes var/bench/results.json and
# var/bench/throughput.png (gnuplot). Every figure is the median of BENCH_REPS runs (3)
# with min and max; the broker is restarted between repetitions. Speed is never asserted.
#
#   BENCH_REPS=3            repetitions
#   BENCH_CEILING_N=50000   messages of the raw rabbitmq-c ceiling
#   BENCH_LINEUPS_N=3000    line-up messages per run with the fake Plainly
#   BENCH_LINEUPS_DRY_N=3000  line-up messages per dry-run run
#   BENCH_RESULTS_N=300     result messages per consumer run
#   BENCH_TSTATS_SEASONS=4  seasons of 38 rounds (one message per round)
#   BENCH_LATENCY_N=200     line-up events of the latency run
#   BENCH_RENDERS_N=2000    render messages per bf-renders run (a backlog bf-lineups leaves)
#   BENCH_RENDER_LATENCY_N=50  renders of each DONE -> video event latency run
#   BENCH_PRODUCER_COMPS="10 50 200"  competitions of the producer's one-cycle runs
#   BENCH_KEEP=1            leave the bench servers running
#   BENCH_ONLY=a,b          only these parts: ceiling, lineups, lineups-dry, results, tstats,
#                           renders, latency, render-latency, producer, matchday,
#                           matchday-requests (default: all; for
#                           working on one figure)
#   BENCH_MDREQ_SCALE=60    matchday-requests: the replayed day's time scale (a divisor of 60)
#   BENCH_SERVERS_DIR=DIR   the bench servers' folder (default var/bench-servers)
#   BENCH_PORT_BASE=36672   their ports: AMQP, management, distribution, epmd, PostgreSQL from here
#   BENCH_PROCS="1 2"       consumer process counts
#   BENCH_CONF_EXTRA='lineups = { prefetch = 64; };'  added to the consumers' configuration
#   BENCH_WRAP="strace -f -tt -T -o var/bench/strace"  run each consumer under this (profiling)
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$(pwd)
OUT=$ROOT/var/bench
WORK=$OUT/work
LOGS=$OUT/logs
BB=$ROOT/build/bench
BIN=$BB/bin # a snapshot of the programs: a rebuild during the bench cannot change them

REPS=${BENCH_REPS:-3}
N_CEIL=${BENCH_CEILING_N:-50000}
N_LINEUPS=${BENCH_LINEUPS_N:-3000}
N_LINEUPS_DRY=${BENCH_LINEUPS_DRY_N:-3000}
N_LU_EVENTS=$((N_LINEUPS > N_LINEUPS_DRY ? N_LINEUPS : N_LINEUPS_DRY))
N_RESULTS=${BENCH_RESULTS_N:-300}
TSTATS_SEASONS=${BENCH_TSTATS_SEASONS:-4}
N_TSTATS=$((TSTATS_SEASONS * 38))
N_LAT=${BENCH_LATENCY_N:-200}
N_RENDERS=${BENCH_RENDERS_N:-2000}
PRODUCER_COMPS=${BENCH_PRODUCER_COMPS:-10 50 200}
N_RLAT=${BENCH_RENDER_LATENCY_N:-50}
RLAT_DONE_MS=5000 # the render latency runs: a render is DONE this long after its POST
LAT_AFTER=6 # seconds after the fake's start when the latency run's line-ups get confirmed
RUN_TIMEOUT=${BENCH_RUN_TIMEOUT:-150}

# The bench's own servers (ops/dev/services honours these).
export BF_VAR_DIR=${BENCH_SERVERS_DIR:-$ROOT/var/bench-servers}
PORT_BASE=${BENCH_PORT_BASE:-36672}
export BF_DEV_AMQP_PORT=$PORT_BASE BF_DEV_MGMT_PORT=$((PORT_BASE + 1)) BF_DEV_DIST_PORT=$((PORT_BASE + 2))
export BF_DEV_EPMD_PORT=$((PORT_BASE + 3)) BF_DEV_PG_PORT=$((PORT_BASE + 4))
AMQP_BASE=amqp://bf:bf@127.0.0.1:$BF_DEV_AMQP_PORT
PG_BASE=postgresql://postgres@127.0.0.1:$BF_DEV_PG_PORT
MGMT=http://127.0.0.1:$BF_DEV_MGMT_PORT
# Settings of the caller must not reach our servers or programs (they override the
# configuration file): plain servers, fsync on, no TLS.
unset BF_DEV_TLS_DIR BF_DEV_AMQPS_PORT BF_DEV_TLS_REQUIRE_CLIENT_CERT BF_DEV_PG_FAST
unset BF_AMQP_URL BF_DATABASE_URL BF_SOFASCORE_URL BF_PLAINLY_URL BF_PLAINLY_API_KEY BF_LOG_LEVEL
unset BF_APIFOOTBALL_URL BF_APIFOOTBALL_KEY

say() { printf '%s\n' "$*" >&2; }
want() { [[ -z ${BENCH_ONLY:-} || ,$BENCH_ONLY, == *,$1,* ]]; }
CEIL_CONS=0
STEP_PREFIX=bench
CUR_STEP="setting up"
# shellcheck source=tests/support/steps.sh
. tests/support/steps.sh
step() { CUR_STEP=$*; printf '[%4ss] %s\n' "$((SECONDS - T0))" "$*" >&2; }
T0=$SECONDS

# --- processes we start ------------------------------------------------------------------
PIDS=()
services_up=0
cleanup() {
	local p
	for p in "${PIDS[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
	for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
	PIDS=()
	if [ "$services_up" = 1 ] && [ "${BENCH_KEEP:-0}" != 1 ]; then
		ops/dev/services stop >>"$LOGS/services.log" 2>&1 || say "bench: stopping the bench servers failed (see $LOGS/services.log)"
	fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM
set -E
# A command that fails ends the bench: which step, the command, and the end of the log
# written last (the failing step's)
bench_failed() { # line command
	local newest
	newest=$(ls -t "$LOGS"/*.log 2>/dev/null | head -n 1)
	trap - ERR
	step_fail "${CUR_STEP#"${CUR_STEP%%[! ]*}"}" "line $1: $2" ${newest:+"$newest"}
}
trap 'bench_failed $LINENO "$BASH_COMMAND"' ERR

forget_pid() { # drop $1 from PIDS
	local keep=() p
	for p in "${PIDS[@]}"; do [ "$p" = "$1" ] || keep+=("$p"); done
	PIDS=("${keep[@]}")
}

stop_pid() { # SIGTERM, wait, forget
	kill -TERM "$1" 2>/dev/null || true
	wait "$1" 2>/dev/null || true
	forget_pid "$1"
}

# --- helpers -----------------------------------------------------------------------------
sql() { psql -XqtA -v ON_ERROR_STOP=1 "$@"; }
admin_sql() { sql "$PG_BASE/postgres" -c "$1"; }
mgmt() { curl -fsS -u bf:bf -H 'content-type: application/json' "$@"; }
now_ms() { date +%s%3N; }

# raw KEY REP VALUE: one measured value (median/min/max are computed at the end)
raw() { printf '%s\t%s\t%s\n' "$1" "$2" "$3" >>"$OUT/raw.tsv"; }

world_create() { # name: fresh vhost and database (from the migrated template)
	local name=$1 tpl=${2:-bench_tpl}
	mgmt -X DELETE "$MGMT/api/vhosts/$name" >/dev/null 2>&1 || true
	mgmt -X PUT "$MGMT/api/vhosts/$name" -d '{}' >/dev/null
	mgmt -X PUT "$MGMT/api/permissions/$name/bf" -d '{"configure":".*","write":".*","read":".*"}' >/dev/null
	admin_sql "DROP DATABASE IF EXISTS $name WITH (FORCE)" >/dev/null 2>&1
	admin_sql "CREATE DATABASE $name TEMPLATE $tpl" >/dev/null
}

world_drop() {
	mgmt -X DELETE "$MGMT/api/vhosts/$1" >/dev/null 2>&1 || true
	admin_sql "DROP DATABASE IF EXISTS $1 WITH (FORCE)" >/dev/null 2>&1 || true
}

start_fake() { # kind name args...: sets FAKE_PORT and FAKE_PID (also added to PIDS)
	# a pool of 2 threads (epoll): no thread start per connection; no fault here sleeps
	local kind=$1 name=$2 i
	shift 2
	rm -f "$WORK/$name.port"
	"$BIN"/fake-"$kind" --port 0 --port-file "$WORK/$name.port" --threads 2 "$@" >"$LOGS/$name.log" 2>&1 &
	FAKE_PID=$!
	PIDS+=("$FAKE_PID")
	for i in $(seq 600); do
		[ -s "$WORK/$name.port" ] && break
		if ! kill -0 "$FAKE_PID" 2>/dev/null; then
			step_fail "fake-$kind $name" "it exited during start-up" "$LOGS/$name.log"
		fi
		sleep 0.05
	done
	[ -s "$WORK/$name.port" ] || step_fail "fake-$kind $name" "no port file after 30 s" "$LOGS/$name.log"
	FAKE_PORT=$(cat "$WORK/$name.port")
}

write_conf() { # file vhost db sofa_port plainly_port [extra libconfig text [extra plainly settings]]
	: >"$1"
	chmod 600 "$1" # it holds the broker password
	cat >"$1" <<-CONF
		# generated by tests/bench/run.sh
		amqp = { url = "$AMQP_BASE/$2"; };
		database = { url = "$PG_BASE/$3"; };
		sofascore = { base_url = "http://127.0.0.1:$4/api/v1"; timeout = "5s";
		              max_requests_per_second = 100000.0; };
		plainly = { base_url = "http://127.0.0.1:$5/api/v2"; timeout = "5s";
		            dry_run_dir = "$WORK/renders-$2";
		            templates = {
		              line-up = { project_id = "bench-lineups"; template_id = "lineup-16x9"; };
		              result = { project_id = "bench-results"; template_id = "result-16x9"; };
		              tournament-stats = { project_id = "bench-rounds"; template_id = "round-16x9"; }; };
		            ${7:-} };
		${6:-}
	CONF
}

# Read from /proc/PID/status every half second (bash builtins only: no fork), kB:
# RSSMAX[pid] = the largest VmRSS seen while it ran; HWM[pid] = VmHWM, the peak including
# start-up (before the program drops its mappings of the library pages start-up touched,
# proc_trim_memory); ANON[pid] = the largest RssAnon (its own memory: RSS less the shared
# library pages)
declare -A HWM=() ANON=() RSSMAX=()
read_hwm() {
	local k v _
	[ -r "/proc/$1/status" ] || return 0
	while read -r k v _; do
		case $k in
		VmHWM:) HWM[$1]=$v ;;
		VmRSS:) [ "${v:-0}" -gt "${RSSMAX[$1]:-0}" ] && RSSMAX[$1]=$v ;;
		RssAnon:) [ "${v:-0}" -gt "${ANON[$1]:-0}" ] && ANON[$1]=$v ;;
		esac
	done <"/proc/$1/status" 2>/dev/null || true
}

median_of() { # values... -> "median min max"
	printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END {
		if (NR == 0) { print "nan nan nan"; exit }
		m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
		print m, v[1], v[NR] }'
}

# --- 0. set-up ---------------------------------------------------------------------------
mkdir -p "$OUT" "$LOGS" "$WORK" "$BB"
rm -rf "${WORK:?}"/* "$LOGS"/*.log "$OUT/raw.tsv" "$OUT/results.json" "$OUT/throughput.png"
: >"$OUT/raw.tsv"
: >"$WORK/matchday-detail"
: >"$WORK/latency-tier-names"

step "packages and build"
ops/dev/deps >"$LOGS/deps.log" 2>&1 || say "bench: ops/dev/deps failed (see $LOGS/deps.log); going on with what is installed"
# what the bench runs and links: the programs, the fakes, the library and the producer's
# store/due objects (not the test programs: a test being edited must not stop the bench)
make -s all fakes build/producer/store.o build/producer/due.o >"$LOGS/build.log" 2>&1 || step_fail build "make failed" "$LOGS/build.log"
# the Makefile's flags
CFLAGS_BENCH=(-std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -O2 -g -Wall -Wextra -Wshadow
	-Wformat=2 -Wundef -Wmissing-prototypes -Wstrict-prototypes -Wpointer-arith -Wvla -I.)
read -ra LIBS_BENCH <<<"$(pkg-config --cflags --libs librabbitmq libcurl libcjson libpq libconfig libcrypto) -lpthread -lm"
# the programs under test, copied once
rm -rf "$BIN"
mkdir -p "$BIN"
cp bin/bfctl bin/bf-producer bin/bf-lineups bin/bf-results bin/bf-tournament-stats bin/bf-renders \
	build/fakes/fake-sofascore build/fakes/fake-apifootball build/fakes/fake-plainly "$BIN/"
COMMIT=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
if [ -n "$(git status --porcelain -- lib protocol producer consumers schema ops/bfctl 2>/dev/null)" ]; then
	COMMIT="$COMMIT+local changes"
fi
cc "${CFLAGS_BENCH[@]}" -o "$BB/ceiling" tests/bench/ceiling.c "${LIBS_BENCH[@]}"
cc "${CFLAGS_BENCH[@]}" -o "$BB/prefill" tests/bench/prefill.c build/libbf.a "${LIBS_BENCH[@]}"
cc "${CFLAGS_BENCH[@]}" -o "$BB/producer_bench" tests/bench/producer_bench.c build/producer/store.o \
	build/producer/due.o build/libbf.a "${LIBS_BENCH[@]}"

# machine and versions
CORES=$(nproc)
LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg)
CPU=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)
DATE=$(date -u +%Y-%m-%dT%H:%MZ)
RMQ_VERSION=$(dpkg-query -W -f='${Version}' rabbitmq-server 2>/dev/null || echo unknown)
LIBRMQ_VERSION=$(pkg-config --modversion librabbitmq 2>/dev/null || echo unknown)

step "starting the bench servers (${BF_VAR_DIR#"$ROOT"/}, ports $BF_DEV_AMQP_PORT-$BF_DEV_PG_PORT)"
services_up=1
ops/dev/services start >>"$LOGS/services.log" 2>&1 || step_fail "bench servers" "ops/dev/services start failed" "$LOGS/services.log"
PG_SERVER_VERSION=$(admin_sql "SHOW server_version")

# A migrated template database: every run gets a fresh copy.
admin_sql "DROP DATABASE IF EXISTS bench_tpl WITH (FORCE)" >/dev/null 2>&1
admin_sql "CREATE DATABASE bench_tpl" >/dev/null
BF_DATABASE_URL=$PG_BASE/bench_tpl "$BIN"/bfctl -c /dev/null migrate >>"$LOGS/bfctl.log" 2>&1
unset BF_DATABASE_URL

# --- 1. scenarios and data (once) ----------------------------------------------------------
FIX=tests/data/fixtures/sofascore
MD=tests/data/scenarios/matchday
LU_BASE=40000000 RS_BASE=41000000 LAT_BASE=42000000

gen_routes() { # base n template... : one route per event, "%d" in a template = event id
	awk -v base="$1" -v n="$2" -v tpls="$3" 'BEGIN {
		split(tpls, t, "|")
		printf "{\"comment\": \"generated by tests/bench/run.sh\", \"routes\": {\n"
		for (i = 1; i <= n; i++)
			for (k = 1; k in t; k++) {
				line = t[k]; gsub(/%d/, base + i, line)
				printf "%s%s\n", line, (i == n && !((k + 1) in t)) ? "" : ","
			}
		printf "}}\n" }'
}

step "generating scenarios: $N_LU_EVENTS line-up events, $N_RESULTS result events, $TSTATS_SEASONS x 38 rounds, $N_LAT latency events"
S_LU=$WORK/scen-lineups
mkdir -p "$S_LU"
cp "$FIX/lineups_confirmed.json" "$S_LU/"
gen_routes $LU_BASE "$N_LU_EVENTS" '"/event/%d/lineups": [{"body": "lineups_confirmed.json"}]' >"$S_LU/scenario.json"

S_RS=$WORK/scen-results
mkdir -p "$S_RS"
cp "$MD/lineups_9101.json" "$MD/statistics_9101.json" "$MD/incidents_9101.json" "$S_RS/"
# /event/{id} names its own id: one body per event (the rest is shared)
awk -v base=$RS_BASE -v n="$N_RESULTS" -v dir="$S_RS" '{ l[NR] = $0 } END {
	for (i = 1; i <= n; i++) {
		f = dir "/event_" (base + i) ".json"
		for (j = 1; j <= NR; j++) { s = l[j]; sub(/"id": 9101,/, "\"id\": " (base + i) ",", s); print s > f }
		close(f) } }' "$MD/event_9101_finished.json"
gen_routes $RS_BASE "$N_RESULTS" '"/event/%d": [{"body": "event_%d.json"}]|"/event/%d/lineups": [{"body": "lineups_9101.json"}]|"/event/%d/statistics": [{"body": "statistics_9101.json"}]|"/event/%d/incidents": [{"body": "incidents_9101.json"}]' >"$S_RS/scenario.json"

S_TS=$WORK/scen-tstats # no standings route: 404, the consumer computes the table
mkdir -p "$S_TS"
echo '{"comment": "no routes: standings answer 404", "routes": {}}' >"$S_TS/scenario.json"

S_LAT=$WORK/scen-latency
mkdir -p "$S_LAT"
cp "$FIX/lineups_confirmed.json" "$FIX/lineups_unconfirmed.json" "$S_LAT/"
gen_routes $LAT_BASE "$N_LAT" "\"/event/%d/lineups\": [{\"after\": 0, \"body\": \"lineups_unconfirmed.json\"}, {\"after\": $LAT_AFTER, \"body\": \"lineups_confirmed.json\"}]" >"$S_LAT/scenario.json"

# message files
seq $((LU_BASE + 1)) $((LU_BASE + N_LU_EVENTS)) | awk '{ printf "{\"event_id\":%s,\"processing_type\":\"line-up\"}\n", $1 }' >"$WORK/msgs-lineups-all"
head -n "$N_LINEUPS" "$WORK/msgs-lineups-all" >"$WORK/msgs-lineups"
head -n "$N_LINEUPS_DRY" "$WORK/msgs-lineups-all" >"$WORK/msgs-lineups-dry"
head -n "$N_RENDERS" "$WORK/msgs-lineups-all" >"$WORK/msgs-renders"
seq $((RS_BASE + 1)) $((RS_BASE + N_RESULTS)) | awk '{ printf "{\"event_id\":%s,\"processing_type\":\"result\"}\n", $1 }' >"$WORK/msgs-results"
seq $((LAT_BASE + 1)) $((LAT_BASE + N_LAT)) | awk '{ printf "{\"event_id\":%s,\"processing_type\":\"line-up\"}\n", $1 }' >"$WORK/msgs-latency"
for s in $(seq "$TSTATS_SEASONS"); do
	for r in $(seq 38); do
		printf '{"processing_type":"tournament-stats","unique_tournament_id":17,"season_id":%d,"round":%d}\n' $((900000 + s)) "$r"
	done
done >"$WORK/msgs-tstats"

# events rows: what the producer would have stored
events_sql() { # base n kickoff-expression status_code status_type
	cat <<-SQL
		INSERT INTO teams (id, name, short_name) VALUES (17, 'Manchester City', 'Man City'), (42, 'Arsenal', 'Arsenal')
		  ON CONFLICT DO NOTHING;
		INSERT INTO events (id, unique_tournament_id, tournament_name, season_id, season_name, round, round_name,
		  home_team_id, away_team_id, home_name, away_name, start_time, status_code, status_type, venue)
		SELECT $1 + g, 17, 'Premier League', 76986, 'Premier League 26/27', 12, 'Round 12', 17, 42,
		  'Manchester City', 'Arsenal', $3, $4, '$5', 'Etihad Stadium' FROM generate_series(1, $2) g;
	SQL
}

# The tournament-stats template: seasons of 38 rounds of 10 finished matches between 20
# teams, each with goals (incidents) and 14 rated players a side (lineups).
step "building the tournament-stats database ($((N_TSTATS * 10)) stored results)"
admin_sql "DROP DATABASE IF EXISTS bench_tpl_tstats WITH (FORCE)" >/dev/null 2>&1
admin_sql "CREATE DATABASE bench_tpl_tstats TEMPLATE bench_tpl" >/dev/null
sql "$PG_BASE/bench_tpl_tstats" >/dev/null <<-SQL
	CREATE TEMP TABLE m AS
	SELECT (50000000 + s * 1000 + r * 10 + k)::bigint AS id, 900000 + s AS season, r AS round,
	       700001 + (2 * k + r) % 20 AS home, 700001 + (2 * k + 1 + r) % 20 AS away
	FROM generate_series(1, $TSTATS_SEASONS) s, generate_series(1, 38) r, generate_series(0, 9) k;
	INSERT INTO teams (id, name, short_name) SELECT t, 'Team ' || t, 'T' || t FROM generate_series(700001, 700020) t;
	INSERT INTO events (id, unique_tournament_id, tournament_name, season_id, season_name, round, round_name,
	  home_team_id, away_team_id, home_name, away_name, start_time, status_code, status_type,
	  status_description, home_score, away_score, winner_code, result_stored_at)
	SELECT id, 17, 'Premier League', season, 'Season ' || season, round, 'Round ' || round, home, away,
	  'Team ' || home, 'Team ' || away, now() - interval '1 day' * (40 - round), 100, 'finished', 'Ended',
	  (id * 7) % 4, (id * 3) % 3, 1, now()
	FROM m;
	INSERT INTO incidents (event_id, seq, incident_id, type, class, minute, added_time, player_id,
	  player_name, side, home_score, away_score)
	SELECT m.id, g.n, m.id * 100 + g.n, 'goal', CASE WHEN g.n = 2 THEN 'penalty' ELSE 'regular' END,
	  10 + g.n * 20, NULL, CASE WHEN g.n % 2 = 0 THEN m.home ELSE m.away END * 100 + 9 + (m.round % 3),
	  'Player ' || (CASE WHEN g.n % 2 = 0 THEN m.home ELSE m.away END * 100 + 9 + (m.round % 3)),
	  CASE WHEN g.n % 2 = 0 THEN 'home' ELSE 'away' END, 0, 0
	FROM m, generate_series(0, 2) g(n);
	INSERT INTO lineups (event_id, side, player_id, player_name, short_name, position, shirt, substitute,
	  captain, minutes, rating)
	SELECT m.id, sd.side, t.team * 100 + p, 'Player ' || (t.team * 100 + p), 'P' || p,
	  CASE WHEN p = 1 THEN 'G' WHEN p <= 5 THEN 'D' WHEN p <= 8 THEN 'M' WHEN p <= 11 THEN 'F' ELSE 'M' END,
	  p, p > 11, p = 4, CASE WHEN p > 11 THEN 20 ELSE 90 END, 6.0 + ((m.id + p * 7) % 35) / 10.0
	FROM m, (VALUES ('home'), ('away')) sd(side),
	  LATERAL (SELECT CASE sd.side WHEN 'home' THEN m.home ELSE m.away END AS team) t,
	  generate_series(1, 14) p;
	ANALYZE;
SQL

# --- 2. the fakes that live for the whole bench ------------------------------------------------
step "starting the fakes (loading the scenarios)"
start_fake sofascore sofa-lineups --scenario "$S_LU"; SOFA_LU=$FAKE_PORT
start_fake sofascore sofa-results --scenario "$S_RS"; SOFA_RS=$FAKE_PORT
start_fake sofascore sofa-tstats --scenario "$S_TS"; SOFA_TS=$FAKE_PORT
start_fake plainly plainly; PLAINLY=$FAKE_PORT # no --record: printing every request again was a third of its CPU
# the bf-renders runs: renders DONE at once
start_fake plainly plainly-done --lifecycle 1,1,1; PLAINLY_DONE=$FAKE_PORT

# --- 3. the measurements -------------------------------------------------------------------------
run_ceiling() { # rep
	local out
	out=$("$BB/ceiling" "$AMQP_BASE/%2f" bench.ceiling "$N_CEIL" 61 100 100 2>>"$LOGS/ceiling.log")
	echo "rep $1: $out" >>"$LOGS/ceiling.log"
	CEIL_PUB=$(sed -n 's/.*publish_msgs_per_s=\([0-9.]*\).*/\1/p' <<<"$out")
	CEIL_CONS=$(sed -n 's/.*consume_msgs_per_s=\([0-9.]*\).*/\1/p' <<<"$out")
	raw ceiling.publish "$1" "$CEIL_PUB"
	raw ceiling.consume "$1" "$CEIL_CONS"
	step "  ceiling: publish $CEIL_PUB msg/s, consume $CEIL_CONS msg/s"
}

# run_consumer rep key program procs msgfile n sofa_port data-sql|TEMPLATE:name apikey(0|1)
run_consumer() {
	local rep=$1 key=$2 prog=$3 procs=$4 msgs=$5 n=$6 sport=$7 data=$8 plainly=$9
	local name="b_${key//-/_}_${procs}p_r$rep" conf pids=() i p done_n=0 deadline rate
	local tpl=bench_tpl rkey
	[[ $data == TEMPLATE:* ]] && tpl=${data#TEMPLATE:}
	world_create "$name" "$tpl"
	[[ $data == TEMPLATE:* ]] || sql "$PG_BASE/$name" >/dev/null <<<"$data"
	# a job ends where the program ends it: bf-renders at the render's end (done), a branch
	# consumer with an API key once Plainly accepted the render (rendering; bf-renders ends
	# it), a dry run at once (done)
	local pport=$PLAINLY end="finished_at IS NOT NULL" want_state=done
	case $prog in
	bf-lineups) rkey=line-up ;;
	bf-results) rkey=result ;;
	bf-renders) rkey=line-up pport=$PLAINLY_DONE ;;
	*) rkey=tournament-stats ;;
	esac
	if [ "$plainly" = 1 ] && [ "$prog" != bf-renders ]; then
		end="(finished_at IS NOT NULL OR state = 'rendering')" want_state=rendering
	fi
	conf=$WORK/$name.conf
	write_conf "$conf" "$name" "$name" "$sport" "$pport" "${BENCH_CONF_EXTRA:-}"
	"$BIN"/bfctl -c "$conf" topology declare >>"$LOGS/bfctl.log" 2>&1 || step_fail "topology declare ($name)" "bfctl topology declare failed" "$LOGS/bfctl.log"
	"$BB/prefill" "$AMQP_BASE/$name" bf.work "$rkey" "$msgs" >>"$LOGS/prefill.log" 2>&1 ||
		step_fail "prefill ($name)" "publishing the messages failed" "$LOGS/prefill.log"
	mgmt -X POST "http://127.0.0.1:$pport/_fake/reset" >/dev/null 2>&1 || true
	if [ "$prog" = bf-renders ]; then
		# the backlog: bf-lineups posts every line-up (renders DONE at once at this fake)
		# and leaves a render message each in bf.render
		local bpid backlog=0
		BF_PLAINLY_API_KEY=bench-key "$BIN/bf-lineups" -c "$conf" >"$LOGS/$name-backlog.log" 2>&1 &
		bpid=$!
		PIDS+=($bpid)
		deadline=$((SECONDS + RUN_TIMEOUT))
		while [ "${backlog:-0}" -lt "$n" ] && [ $SECONDS -lt $deadline ]; do
			sleep 0.5
			backlog=$(sql "$PG_BASE/$name" -c "SELECT count(*) FROM jobs WHERE state = 'rendering'" || echo 0)
		done
		stop_pid "$bpid"
		[ "${backlog:-0}" -ge "$n" ] || say "bench: $name: bf-lineups left $backlog of $n renders to follow"
	fi
	HWM=()
	ANON=()
	RSSMAX=()
	# --idle-exit 10, not less: a quorum queue frees prefetch credit only once the acks are
	# committed to its log, and on a busy disk that can stall for seconds
	for i in $(seq "$procs"); do
		if [ "$plainly" = 1 ]; then
			BF_PLAINLY_API_KEY=bench-key ${BENCH_WRAP:-} "$BIN/$prog" -c "$conf" --idle-exit 10 >"$LOGS/$name-$i.log" 2>&1 &
		else
			BF_PLAINLY_DRY_RUN=true ${BENCH_WRAP:-} "$BIN/$prog" -c "$conf" --idle-exit 10 >"$LOGS/$name-$i.log" 2>&1 &
		fi
		pids+=($!)
		PIDS+=($!)
	done
	deadline=$((SECONDS + RUN_TIMEOUT))
	# one psql session polls the whole run: a psql and a server backend started every
	# half second took more CPU than some of what is measured
	coproc POLL { exec psql -XqtA "$PG_BASE/$name" 2>/dev/null; }
	local poll_pid=$POLL_PID poll_in=${POLL[1]} poll_out=${POLL[0]}
	while :; do
		for p in "${pids[@]}"; do read_hwm "$p"; done
		done_n=0
		if echo "SELECT count(*) FROM jobs WHERE $end;" >&"$poll_in" 2>/dev/null; then
			read -r -t 10 done_n <&"$poll_out" || done_n=0
		fi
		[ "${done_n:-0}" -ge "$n" ] && break
		local alive=0
		for p in "${pids[@]}"; do kill -0 "$p" 2>/dev/null && alive=1; done
		[ $alive = 1 ] || break
		if [ $SECONDS -ge $deadline ]; then
			say "bench: $name: only $done_n of $n done after ${RUN_TIMEOUT}s; stopping it"
			break
		fi
		sleep 0.5
	done
	for p in "${pids[@]}"; do read_hwm "$p"; done # just before SIGTERM
	exec {poll_in}>&-
	wait "$poll_pid" 2>/dev/null || true
	for p in "${pids[@]}"; do stop_pid "$p"; done
	rate=$(sql "$PG_BASE/$name" -c "SELECT round((count(*) / NULLIF(EXTRACT(EPOCH FROM max(t) - min(t)), 0))::numeric, 1)
		FROM (SELECT COALESCE(finished_at, updated_at) AS t FROM jobs WHERE $end) x")
	local states
	states=$(sql "$PG_BASE/$name" -c "SELECT string_agg(state || ' ' || n, ', ') FROM (SELECT state, count(*) n FROM jobs GROUP BY 1 ORDER BY 1) x")
	raw "$key.${procs}p.rate" "$rep" "${rate:-0}"
	raw "$key.${procs}p.ratio" "$rep" "$(awk -v a="${rate:-0}" -v b="$CEIL_CONS" 'BEGIN { printf "%.4f", (b > 0 ? a / b : 0) }')"
	i=0
	local rss_text=""
	for p in "${pids[@]}"; do
		i=$((i + 1))
		raw "$key.${procs}p.rss$i" "$rep" "$(awk -v k="${RSSMAX[$p]:-0}" 'BEGIN { printf "%.1f", k / 1024 }')"
		raw "$key.${procs}p.hwm$i" "$rep" "$(awk -v k="${HWM[$p]:-0}" 'BEGIN { printf "%.1f", k / 1024 }')"
		raw "$key.${procs}p.anon$i" "$rep" "$(awk -v k="${ANON[$p]:-0}" 'BEGIN { printf "%.1f", k / 1024 }')"
		rss_text+=" $(awk -v k="${RSSMAX[$p]:-0}" -v h="${HWM[$p]:-0}" -v a="${ANON[$p]:-0}" 'BEGIN { printf "%.1fMB (start-up peak %.1f, own %.1f)", k / 1024, h / 1024, a / 1024 }')"
	done
	[ "$states" = "$want_state $n" ] || { say "bench: $name: jobs: $states (expected $want_state $n)"; raw "$key.${procs}p.incomplete" "$rep" 1; }
	step "  $key x$procs: $rate msg/s, RSS$rss_text, jobs: $states"
	world_drop "$name"
	rm -rf "$WORK/renders-$name"
}

run_latency() { # rep
	local rep=$1 name="b_latency_r$1" conf pids=() i p el t_start deadline posts=0
	world_create "$name"
	sql "$PG_BASE/$name" >/dev/null <<<"$(events_sql $LAT_BASE "$N_LAT" "now() + interval '10 min'" 0 notstarted)"
	start_fake plainly "plainly-lat-r$rep" --record "$WORK/latency-r$rep.jsonl"
	local pport=$FAKE_PORT ppid=$FAKE_PID
	conf=$WORK/$name.conf
	write_conf "$conf" "$name" "$name" 0 "$pport" \
		'lineups = { wait_tiers = [ "1s", "5s" ]; near_kickoff = "15m"; give_up_after = "10m"; };'
	"$BIN"/bfctl -c "$conf" topology declare >>"$LOGS/bfctl.log" 2>&1 || step_fail "topology declare ($name)" "bfctl topology declare failed" "$LOGS/bfctl.log"
	"$BB/prefill" "$AMQP_BASE/$name" bf.work line-up "$WORK/msgs-latency" >>"$LOGS/prefill.log" 2>&1
	# the fake's clock starts now: line-ups are unconfirmed until LAT_AFTER s
	start_fake sofascore "sofa-lat-r$rep" --scenario "$S_LAT"
	local sport=$FAKE_PORT spid=$FAKE_PID
	local t1 t2
	t1=$(now_ms)
	el=$(curl -fsS "http://127.0.0.1:$sport/_fake/stats" | jq '.elapsed')
	t2=$(now_ms)
	t_start=$(awk -v a="$t1" -v b="$t2" -v e="$el" 'BEGIN { printf "%.0f", (a + b) / 2 - e * 1000 }')
	sed -i "s|http://127.0.0.1:0/api/v1|http://127.0.0.1:$sport/api/v1|" "$conf"
	for i in 1 2; do
		BF_PLAINLY_API_KEY=bench-key "$BIN"/bf-lineups -c "$conf" --idle-exit 10 >"$LOGS/$name-$i.log" 2>&1 &
		pids+=($!)
		PIDS+=($!)
	done
	deadline=$((SECONDS + LAT_AFTER + 60))
	while [ $SECONDS -lt $deadline ]; do
		posts=$(grep -c '"method":"POST"' "$WORK/latency-r$rep.jsonl" 2>/dev/null || true)
		[ "${posts:-0}" -ge "$N_LAT" ] && break
		sleep 0.5
	done
	for p in "${pids[@]}"; do stop_pid "$p"; done
	stop_pid "$spid"
	stop_pid "$ppid"
	local confirmed_at=$((t_start + LAT_AFTER * 1000))
	# first POST per subject, minus the confirmation time
	jq -r 'select(.method == "POST" and .path == "/renders") | [.body.attributes.bfSubject, .t] | @tsv' \
		"$WORK/latency-r$rep.jsonl" |
		awk -v c="$confirmed_at" '!($1 in first) { first[$1] = $2 } END { for (s in first) print first[s] - c }' |
		sort -g >"$WORK/latency-r$rep.ms"
	local stats
	stats=$(awk '{ v[NR] = $1 } END {
		if (NR == 0) { print "nan nan nan 0"; exit }
		p50 = v[int((NR - 1) * 0.50) + 1]; p95 = v[int((NR - 1) * 0.95) + 1]
		print p50, p95, v[NR], NR }' "$WORK/latency-r$rep.ms")
	read -r l50 l95 lmax lcount <<<"$stats"
	[ "$lcount" = "$N_LAT" ] || say "bench: latency run $rep: $lcount of $N_LAT line-ups reached the fake Plainly"
	raw latency.p50 "$rep" "$l50"
	raw latency.p95 "$rep" "$l95"
	raw latency.max "$rep" "$lmax"
	raw latency.count "$rep" "$lcount"
	local tiers
	tiers=$(cat "$LOGS/$name"-*.log | grep -o 'wait=bf\.line-up\.wait\.[0-9a-z]*' | sort | uniq -c |
		awk '{ sub("wait=", "", $2); printf "%s%s x%d", (NR > 1 ? ", " : ""), $2, $1 }')
	echo "$rep	$tiers" >>"$WORK/latency-tiers"
	local rechecks
	rechecks=$(cat "$LOGS/$name"-*.log | grep -c 'outcome=retry' || true)
	raw latency.rechecks_per_event "$rep" "$(awk -v r="${rechecks:-0}" -v n="$N_LAT" 'BEGIN { printf "%.2f", r / n }')"
	cat "$LOGS/$name"-*.log | grep -o 'wait=bf\.line-up\.wait\.[0-9a-z]*' | sed 's/^wait=//' >>"$WORK/latency-tier-names" || true
	step "  latency: p50 ${l50} ms, p95 ${l95} ms, max ${lmax} ms over $lcount events; re-checks: $tiers"
	world_drop "$name"
}

# run_render_latency rep webhook|polling: DONE at Plainly -> the render's end recorded by
# bf-renders (its video event is published right after, confirmed). N_RLAT line-ups, one
# bf-lineups and one bf-renders at the default wait tiers (30s, 2m, 10m); the fake finishes
# each render RLAT_DONE_MS after its POST and, with "webhook", calls bf-renders' listener.
run_render_latency() {
	local rep=$1 mode=$2 name="b_rlat_${2}_r$1" conf pids=() p deadline done_n=0 hook="" extra="" pextra=""
	world_create "$name"
	sql "$PG_BASE/$name" >/dev/null <<<"$LU_DATA"
	start_fake plainly "plainly-rlat-$mode-r$rep" --record "$WORK/rlat-$mode-r$rep.jsonl" \
		--lifecycle "1000,2000,$RLAT_DONE_MS"
	local pport=$FAKE_PORT ppid=$FAKE_PID
	if [ "$mode" = webhook ]; then
		hook=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
		extra="renders = { webhook_listen = \"127.0.0.1:$hook\"; };"
		pextra="webhook_url = \"http://127.0.0.1:$hook/plainly?secret=bench-hook\";"
	fi
	conf=$WORK/$name.conf
	write_conf "$conf" "$name" "$name" "$SOFA_LU" "$pport" "$extra" "$pextra"
	"$BIN"/bfctl -c "$conf" topology declare >>"$LOGS/bfctl.log" 2>&1 || step_fail "topology declare ($name)" "bfctl topology declare failed" "$LOGS/bfctl.log"
	head -n "$N_RLAT" "$WORK/msgs-lineups-all" >"$WORK/msgs-rlat"
	"$BB/prefill" "$AMQP_BASE/$name" bf.work line-up "$WORK/msgs-rlat" >>"$LOGS/prefill.log" 2>&1
	for p in bf-lineups bf-renders; do
		BF_PLAINLY_API_KEY=bench-key BF_RENDERS_WEBHOOK_SECRET=bench-hook "$BIN/$p" -c "$conf" \
			>"$LOGS/$name-$p.log" 2>&1 &
		pids+=($!)
		PIDS+=($!)
	done
	deadline=$((SECONDS + 90))
	while [ "${done_n:-0}" -lt "$N_RLAT" ] && [ $SECONDS -lt $deadline ]; do
		sleep 0.5
		done_n=$(sql "$PG_BASE/$name" -c "SELECT count(*) FROM renders WHERE state = 'done'" || echo 0)
	done
	for p in "${pids[@]}"; do stop_pid "$p"; done
	stop_pid "$ppid"
	# per render: its end recorded (ms) less the moment the fake made it DONE (POST + RLAT_DONE_MS)
	sql "$PG_BASE/$name" -F $'\t' -c "SELECT subject, round(EXTRACT(EPOCH FROM finished_at) * 1000) FROM renders WHERE state = 'done'" \
		>"$WORK/rlat-$mode-r$rep.ends"
	jq -r 'select(.method == "POST" and .path == "/renders" and .status == 200) | [.body.attributes.bfSubject, .t] | @tsv' \
		"$WORK/rlat-$mode-r$rep.jsonl" |
		awk -F'\t' -v d="$RLAT_DONE_MS" -v ends="$WORK/rlat-$mode-r$rep.ends" '
			BEGIN { while ((getline l < ends) > 0) { split(l, f, "\t"); e[f[1]] = f[2] } }
			($1 in e) && !($1 in seen) { seen[$1] = 1; print e[$1] - ($2 + d) }' |
		sort -g >"$WORK/rlat-$mode-r$rep.ms"
	local l50 l95 lmax lcount
	read -r l50 l95 lmax lcount < <(awk '{ v[NR] = $1 } END {
		if (NR == 0) { print "nan nan nan 0"; exit }
		print v[int((NR - 1) * 0.50) + 1], v[int((NR - 1) * 0.95) + 1], v[NR], NR }' "$WORK/rlat-$mode-r$rep.ms")
	[ "$lcount" = "$N_RLAT" ] || say "bench: render latency ($mode) run $rep: $lcount of $N_RLAT renders followed to DONE"
	raw "rlat.$mode.p50" "$rep" "$l50"
	raw "rlat.$mode.p95" "$rep" "$l95"
	raw "rlat.$mode.max" "$rep" "$lmax"
	raw "rlat.$mode.count" "$rep" "$lcount"
	step "  render DONE -> recorded ($mode): p50 ${l50} ms, p95 ${l95} ms, max ${lmax} ms over $lcount renders"
	world_drop "$name"
}

run_producer() { # rep
	local name="b_producer_r$1" out
	world_create "$name"
	out=$("$BB/producer_bench" "$PG_BASE/$name" "$FIX/scheduled_ut17_round.json" 1000 2>>"$LOGS/producer_bench.log")
	echo "rep $1: $out" >>"$LOGS/producer_bench.log"
	for k in parse_ms insert_ms first_total_ms reparse_ms unchanged_upsert_ms unchanged_total_ms; do
		raw "producer.$k" "$1" "$(sed -n "s/.* $k=\([0-9.]*\).*/\1/p" <<<" $out")"
	done
	step "  producer: $out"
	world_drop "$name"
	# one producer cycle following 10, 50 and 200 generated competitions (each in its own database)
	local c k
	for c in $PRODUCER_COMPS; do
		name="b_producer_c${c}_r$1"
		world_create "$name"
		out=$("$BB/producer_bench" --competitions "$c" "$PG_BASE/$name" "$FIX/scheduled_ut17_round.json" 2>>"$LOGS/producer_bench.log")
		echo "rep $1: $out" >>"$LOGS/producer_bench.log"
		for k in lists events stored_before parse_ms upsert_ms due_ms cycle_ms due_items record_ms \
			again_parse_ms again_upsert_ms again_due_ms again_cycle_ms; do
			raw "producer.comp$c.$k" "$1" "$(sed -n "s/.* comp${c}_$k=\([0-9.]*\).*/\1/p" <<<" $out")"
		done
		step "  producer, $c competitions: $out"
		world_drop "$name"
	done
}

LU_DATA=$(events_sql $LU_BASE "$N_LU_EVENTS" "now() + interval '30 min'" 0 notstarted)
RS_DATA=$(events_sql $RS_BASE "$N_RESULTS" "now() - interval '2 hours'" 7 inprogress)

for rep in $(seq "$REPS"); do
	if [ "$rep" -gt 1 ]; then
		step "restarting the bench broker"
		ops/dev/services restart-rabbitmq >>"$LOGS/services.log" 2>&1
	fi
	step "repetition $rep of $REPS (load average $(cut -d' ' -f1-3 /proc/loadavg))"
	raw load.average_1min "$rep" "$(cut -d' ' -f1 /proc/loadavg)"
	! want ceiling || run_ceiling "$rep"
	for procs in ${BENCH_PROCS:-1 2}; do
		! want lineups || run_consumer "$rep" lineups bf-lineups "$procs" "$WORK/msgs-lineups" "$N_LINEUPS" "$SOFA_LU" "$LU_DATA" 1
		! want lineups-dry || run_consumer "$rep" lineups-dry bf-lineups "$procs" "$WORK/msgs-lineups-dry" "$N_LINEUPS_DRY" "$SOFA_LU" "$LU_DATA" 0
		! want results || run_consumer "$rep" results bf-results "$procs" "$WORK/msgs-results" "$N_RESULTS" "$SOFA_RS" "$RS_DATA" 1
		! want tstats || run_consumer "$rep" tstats bf-tournament-stats "$procs" "$WORK/msgs-tstats" "$N_TSTATS" "$SOFA_TS" TEMPLATE:bench_tpl_tstats 1
		! want renders || run_consumer "$rep" renders bf-renders "$procs" "$WORK/msgs-renders" "$N_RENDERS" "$SOFA_LU" "$LU_DATA" 1
	done
	! want latency || run_latency "$rep"
	! want render-latency || run_render_latency "$rep" webhook
	! want render-latency || run_render_latency "$rep" polling
	! want producer || run_producer "$rep"
done

# --- 4. Sofascore requests per tracked match: the match-day demo, three at once ------------------
# Counting requests is not a speed: the three runs share the machine.
step "match-day scenario (tests/data/scenarios/matchday) x$REPS, side by side"
md_pids=()
want matchday || REPS_MD=0
md_run() { # rep: like tests/system/demo.sh, on the bench servers
	local rep=$1 name="b_matchday_r$1" dir="$WORK/matchday-r$1" pids=() p i
	mkdir -p "$dir"
	world_create "$name"
	start_fake sofascore "md-sofa-r$rep" --scenario "$MD" --log "$dir/sofascore-requests.log"
	local sport=$FAKE_PORT
	start_fake plainly "md-plainly-r$rep" --record "$dir/plainly-requests.jsonl" --lifecycle 200,400,600
	local pport=$FAKE_PORT
	: >"$dir/bf.conf"
	chmod 600 "$dir/bf.conf"
	cat >"$dir/bf.conf" <<-CONF
		amqp = { url = "$AMQP_BASE/$name"; };
		database = { url = "$PG_BASE/$name"; };
		sofascore = { base_url = "http://127.0.0.1:$sport/api/v1"; max_requests_per_second = 20.0; timeout = "5s"; };
		plainly = { base_url = "http://127.0.0.1:$pport/api/v2"; timeout = "5s"; dry_run_dir = "$dir/renders"; templates = {
		  line-up = { project_id = "demo-lineups"; template_id = "lineup-16x9"; };
		  result = { project_id = "demo-results"; template_id = "result-16x9"; };
		  tournament-stats = { project_id = "demo-rounds"; template_id = "round-16x9"; }; }; };
		producer = { unique_tournaments = [ 17 ]; schedule_interval = "5s"; live_interval = "2s";
		             lineup_lead = "75m"; };
		lineups = { wait_tiers = [ "3s", "8s" ]; near_kickoff = "15m"; give_up_after = "10m"; };
		results = { wait_tiers = [ "3s", "8s" ]; };
		renders = { wait_tiers = [ "1s", "3s", "8s" ]; };
	CONF
	"$BIN"/bfctl -c "$dir/bf.conf" topology declare >>"$LOGS/bfctl.log" 2>&1
	export BF_PLAINLY_API_KEY=demo-key
	"$BIN"/bf-producer -c "$dir/bf.conf" >"$LOGS/$name-producer.log" 2>&1 &
	pids+=($!)
	for i in 1 2; do
		"$BIN"/bf-lineups -c "$dir/bf.conf" >"$LOGS/$name-lineups-$i.log" 2>&1 &
		pids+=($!)
		"$BIN"/bf-results -c "$dir/bf.conf" >"$LOGS/$name-results-$i.log" 2>&1 &
		pids+=($!)
		"$BIN"/bf-tournament-stats -c "$dir/bf.conf" >"$LOGS/$name-tstats-$i.log" 2>&1 &
		pids+=($!)
	done
	"$BIN"/bf-renders -c "$dir/bf.conf" >"$LOGS/$name-renders.log" 2>&1 &
	pids+=($!)
	unset BF_PLAINLY_API_KEY
	local url="$PG_BASE/$name" t0=$SECONDS
	while [ $((SECONDS - t0)) -lt 90 ]; do
		sleep 1
		# done: the round video is requested and every job has ended (one snapshot)
		local finished
		finished=$(sql "$url" -c "SELECT count(*) > 0 AND count(*) = count(*) FILTER (WHERE state IN ('done', 'expired', 'dead'))
			AND EXISTS (SELECT 1 FROM renders WHERE kind = 'tournament-stats') FROM jobs" 2>/dev/null || echo f)
		[ "$finished" = t ] && break
	done
	echo $((SECONDS - t0)) >"$dir/seconds"
	for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
	for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
	sql "$url" -c "SELECT id FROM events WHERE unique_tournament_id = 17 ORDER BY id" >"$dir/tracked"
	sql "$url" -c "SELECT kind || ' ' || state || ' ' || count(*) FROM jobs GROUP BY kind, state ORDER BY 1" >"$dir/jobs"
	world_drop "$name"
}
for rep in $(seq "${REPS_MD:-$REPS}"); do
	# shellcheck disable=SC2030,SC2031 # the subshell's own PIDS: it stops what it started
	(PIDS=(); md_run "$rep"; for p in "${PIDS[@]}"; do kill -TERM "$p" 2>/dev/null || true; done; wait) \
		>>"$LOGS/matchday.log" 2>&1 &
	md_pids+=($!)
	# shellcheck disable=SC2031 # this PIDS is the main shell's
	PIDS+=($!)
done
for p in "${md_pids[@]}"; do wait "$p" || say "bench: a match-day run failed (see $LOGS/matchday.log)"; forget_pid "$p"; done
for rep in $(seq "${REPS_MD:-$REPS}"); do
	dir="$WORK/matchday-r$rep"
	[ -s "$dir/sofascore-requests.log" ] || continue
	# per-event paths go to their match; every other path (lists) is shared by the tracked matches
	awk -v tracked="$dir/tracked" -v rep="$rep" -v out="$WORK/matchday-detail" '
		BEGIN { while ((getline id < tracked) > 0) { t[id] = 1; nt++ } }
		{ path = $3
		  if (match(path, /^\/event\/[0-9]+/)) {
			id = substr(path, 8, RLENGTH - 7); rest = substr(path, RLENGTH + 1)
			kind = rest == "" ? "event" : substr(rest, 2)
			per[id]++; perk[id, kind]++; nev++
			if (!(id in t)) untracked++
		  } else { shared++ } }
		END {
			total = nev + shared
			printf "%.2f %.2f %.2f %d %d %d %d\n", total / nt, nev / nt, shared / nt, nt, total, shared, untracked + 0
			for (id in t) printf "{\"run\":%d,\"event_id\":%s,\"event\":%d,\"lineups\":%d,\"statistics\":%d,\"incidents\":%d,\"total\":%d,\"lists_share\":%.2f}\n",
				rep, id, perk[id, "event"], perk[id, "lineups"], perk[id, "statistics"], perk[id, "incidents"], per[id], shared / nt >> out
		}' "$dir/sofascore-requests.log" >"$dir/summary"
	read -r per_match per_event shared_per nt total shared untracked <"$dir/summary"
	raw matchday.requests_per_match "$rep" "$per_match"
	raw matchday.event_requests_per_match "$rep" "$per_event"
	raw matchday.list_requests_per_match "$rep" "$shared_per"
	raw matchday.requests "$rep" "$total"
	raw matchday.list_requests "$rep" "$shared"
	[ "$untracked" = 0 ] || say "bench: match day $rep: $untracked requests for events that are not tracked"
	raw matchday.tracked "$rep" "$nt"
	raw matchday.seconds "$rep" "$(cat "$dir/seconds")"
	step "  match day $rep: $total requests in $(cat "$dir/seconds") s, $nt tracked matches -> $per_match per match ($per_event own + $shared_per lists); jobs: $(tr '\n' ',' <"$dir/jobs")"
done

# --- 4b. the data requests of a replayed match day, per provider and per video (issue 18) ---------
# tests/bench/matchday/run.sh: 10 matches in 3 kick-off slots, 21 videos, the default settings
# divided by the scale (60: about 8.5 minutes); both providers at once, each on its own vhost
# and database of the bench servers. Counting requests is not a speed: one run each.
MDREQ_SCALE=${BENCH_MDREQ_SCALE:-60}
MDREQ_TAGS=()
if want matchday-requests; then
	step "replayed match day, Sofascore and API-Football side by side (scale $MDREQ_SCALE: the 8.5-hour day in about $((30600 / MDREQ_SCALE)) s)"
	mdreq_pids=()
	for prov in sofascore api-football; do
		tag=${prov//-/}
		MD_BIN=$BIN MD_OUT=$WORK/mdreq-$tag MD_SCALE=$MDREQ_SCALE MD_NAME=b_mdreq_$tag \
			bash tests/bench/matchday/run.sh "$prov" >"$LOGS/matchday-requests-$tag.log" 2>&1 &
		mdreq_pids+=($!)
		PIDS+=($!)
		MDREQ_TAGS+=("$tag")
	done
	for i in "${!mdreq_pids[@]}"; do
		wait "${mdreq_pids[$i]}" || say "bench: the replayed match day (${MDREQ_TAGS[$i]}) failed (see $LOGS/matchday-requests-${MDREQ_TAGS[$i]}.log)"
		forget_pid "${mdreq_pids[$i]}"
	done
	for tag in "${MDREQ_TAGS[@]}"; do
		sum=$WORK/mdreq-$tag/summary.json
		[ -s "$sum" ] || continue
		while IFS=$'\t' read -r k v; do
			if [ -n "$v" ] && [ "$v" != null ]; then raw "mdreq.$tag.$k" 1 "$v"; fi
		done < <(jq -r '[["requests", .requests], ["per_video", .requests_per_video],
			["per_match", .requests_per_match], ["videos", .videos_made],
			["live_idle", .live_polls_while_no_followed_match_in_progress],
			["day_hours", .day_hours], ["seconds", .replay_seconds],
			["latency_max", .lineup_latency.max_s], ["latency_p50", .lineup_latency.p50_s],
			["latency_bound", .lineup_latency.bound_s]]
			+ (.requests_by_kind | to_entries | map(["kind." + (.key | gsub("[^a-z]+"; "_") | sub("_$"; "")), .value]))
			| .[] | @tsv' "$sum")
		step "  match day ($tag): $(jq -r '"\(.requests) requests, \(.requests_per_video) per video, \(.requests_per_match) per match, \(.videos_made) of \(.videos_expected) videos; line-up latency max \(.lineup_latency.max_s) s (bound \(.lineup_latency.bound_s) s)"' "$sum")"
	done
fi

# --- 5. the table, results.json, the chart ----------------------------------------------------------
LOAD_END=$(cut -d' ' -f1-3 /proc/loadavg)
step "done measuring; stopping the bench servers"
cleanup
services_up=0
trap - EXIT

# STATS[key] = "median min max"
declare -A STATS=()
while read -r key; do
	mapfile -t vals < <(awk -F'\t' -v k="$key" '$1 == k { print $3 }' "$OUT/raw.tsv")
	STATS[$key]=$(median_of "${vals[@]}")
done < <(cut -f1 "$OUT/raw.tsv" | sort -u)

fmt_rate() { # key -> "12.3k (11.0-13.1k)" or "456 (420-470)"
	[ -n "${STATS[$1]:-}" ] || { echo "-"; return; }
	awk -v s="${STATS[$1]}" 'function f(x) { return x >= 10000 ? sprintf("%.1fk", x / 1000) : (x >= 100 ? sprintf("%.0f", x) : sprintf("%.1f", x)) }
		BEGIN { split(s, v, " "); printf "%s (%s-%s)", f(v[1]), f(v[2]), f(v[3]) }'
}
fmt_num() { # key decimals [suffix]
	[ -n "${STATS[$1]:-}" ] || { echo "-"; return; }
	awk -v s="${STATS[$1]}" -v d="$2" -v u="${3:-}" 'BEGIN { split(s, v, " "); f = "%." d "f"
		printf f "%s (" f "-" f ")", v[1], u, v[2], v[3] }'
}
fmt_pct() {
	[ -n "${STATS[$1]:-}" ] || { echo "-"; return; }
	awk -v s="${STATS[$1]}" 'BEGIN { split(s, v, " "); d = v[1] < 0.1 ? 2 : 1; f = "%." d "f"
		printf f "%% (" f "-" f ")", v[1] * 100, v[2] * 100, v[3] * 100 }'
}
fmt_rss() { # key procs [rss|hwm|anon]: "12.3 / 12.5 (12.1-12.9)": median per process, range over all
	local out="" i lo="" hi="" what=${3:-rss}
	for i in $(seq "$2"); do
		[ -n "${STATS[$1.$what$i]:-}" ] || continue
		read -r m a b <<<"${STATS[$1.$what$i]}"
		printf -v m '%.1f' "$m"
		out+="${out:+ / }$m"
		lo=$(awk -v x="$a" -v y="${lo:-$a}" 'BEGIN { print (x < y ? x : y) }')
		hi=$(awk -v x="$b" -v y="${hi:-$b}" 'BEGIN { print (x > y ? x : y) }')
	done
	[ -n "$out" ] && echo "$out ($lo-$hi)" || echo "-"
}

TABLE=$OUT/table.md
BODY_MB=$(sed -n 's/.*body_bytes=\([0-9]*\).*/\1/p' "$LOGS/producer_bench.log" 2>/dev/null | head -n 1 |
	awk '{ printf "%.1f", $1 / 1e6 }' || true)
{
	echo "make bench, $DATE, code $COMMIT: $CORES cores ($CPU), load average $LOAD_START at the start and $LOAD_END at the end; RabbitMQ $RMQ_VERSION (quorum queues), PostgreSQL $PG_SERVER_VERSION, librabbitmq $LIBRMQ_VERSION."
	echo "Median of $REPS runs (min-max); the broker is restarted between runs; client, fakes, broker and database share the machine."
	echo "Persistent messages, PostgreSQL with fsync on. Queue sizes: ceiling $N_CEIL x 61 B; bf-lineups $N_LINEUPS (fake Plainly) and $N_LINEUPS_DRY (dry-run), bf-results $N_RESULTS, bf-tournament-stats $N_TSTATS (rounds, $((N_TSTATS * 10)) stored results), bf-renders $N_RENDERS messages per run; consumers at their default prefetch (64, 32, 64, 32)${BENCH_CONF_EXTRA:+; with \"$BENCH_CONF_EXTRA\"}."
	echo "Consumer msg/s = jobs ended / (last end - first end): a branch consumer with the fake Plainly ends its job when Plainly accepted the render (state rendering), a dry run and bf-renders when it is done; RSS = the largest VmRSS sampled every 0.5 s while it ran, MB per process; start-up peak = VmHWM, which includes the ~10 MB of shared library pages that loading and initialising the libraries maps before the program drops them (proc_trim_memory)."
	echo
	echo "| what | msg/s | of the consume ceiling | RSS MB per process | start-up peak MB (VmHWM) | own memory MB (RssAnon: RSS less shared library pages) |"
	echo "|---|---|---|---|---|---|"
	echo "| ceiling: raw rabbitmq-c publish, persistent, confirms (window 100) | $(fmt_rate ceiling.publish) | | | | |"
	echo "| ceiling: raw rabbitmq-c consume, prefetch 100, ack each | $(fmt_rate ceiling.consume) | 100% | | | |"
	for spec in "lineups|bf-lineups, confirmed line-ups -> fake Plainly" \
		"lineups-dry|bf-lineups, confirmed line-ups, dry-run (no API key)" \
		"results|bf-results, full database writes -> fake Plainly" \
		"tstats|bf-tournament-stats, rounds from stored results -> fake Plainly" \
		"renders|bf-renders, a backlog of accepted renders: GET /renders/{id} (DONE), the end recorded, a confirmed video event each"; do
		k=${spec%%|*}
		label=${spec#*|}
		for procs in 1 2; do
			[ "$procs" = 1 ] && pl="1 process" || pl="2 processes"
			inc=""
			[ -n "${STATS[$k.${procs}p.incomplete]:-}" ] && inc=" (incomplete run: see var/bench/logs)"
			echo "| $label, $pl$inc | $(fmt_rate "$k.${procs}p.rate") | $(fmt_pct "$k.${procs}p.ratio") | $(fmt_rss "$k.${procs}p" "$procs") | $(fmt_rss "$k.${procs}p" "$procs" hwm) | $(fmt_rss "$k.${procs}p" "$procs" anon) |"
		done
	done
	tiers=$(sort -u "$WORK/latency-tier-names" 2>/dev/null | paste -sd, -)
	echo "| **latency**, line-up confirmed at the fake Sofascore ${LAT_AFTER} s after its start -> first POST at the fake Plainly, $N_LAT events, 2 bf-lineups, wait tiers 1s,5s (the defaults 1m,5m scaled down), kick-off in 10 min, near_kickoff 15m: re-checks went to ${tiers:-?} only, $(fmt_num latency.rechecks_per_event 1) per event | p50 $(fmt_num latency.p50 0 " ms"), p95 $(fmt_num latency.p95 0 " ms"), max $(fmt_num latency.max 0 " ms") | | | | |"
	for mode in webhook polling; do
		[ "$mode" = webhook ] && ml="Plainly's webhook to bf-renders (renders.webhook_listen)" || ml="polling only (no webhook): the first wait tier, 30s"
		echo "| **render latency**, DONE at the fake Plainly (${RLAT_DONE_MS} ms after the POST) -> its end recorded by bf-renders, the video event published right after; $N_RLAT renders, $ml | p50 $(fmt_num "rlat.$mode.p50" 0 " ms"), p95 $(fmt_num "rlat.$mode.p95" 0 " ms"), max $(fmt_num "rlat.$mode.max" 0 " ms") | | | | |"
	done
	echo "| **producer**, 1,000-event day ($BODY_MB MB of JSON, ut 17): sofa_parse_events | $(fmt_num producer.parse_ms 1 " ms") | | | | |"
	echo "| producer: store_upsert_events, first insert | $(fmt_num producer.insert_ms 1 " ms") | | | | |"
	echo "| producer: parse + first insert | $(fmt_num producer.first_total_ms 1 " ms") | | | | |"
	echo "| producer: parse + unchanged re-upsert | $(fmt_num producer.unchanged_total_ms 1 " ms") (upsert $(fmt_num producer.unchanged_upsert_ms 1 " ms")) | | | | |"
	for c in $PRODUCER_COMPS; do
		[ -n "${STATS[producer.comp$c.cycle_ms]:-}" ] || continue
		echo "| **producer, one cycle following $c competitions** (generated from ut 17's round: 10 matches each, $(awk '{printf "%.0f", $1}' <<<"${STATS[producer.comp$c.lists]}") day lists (yesterday, today, tomorrow) with $(awk '{printf "%.0f", $1}' <<<"${STATS[producer.comp$c.events]}") events, $(awk '{printf "%.0f", $1}' <<<"${STATS[producer.comp$c.stored_before]}") events of the previous round stored): parse + upsert (one transaction per list) + what is due (store_load_due + due_compute, $(awk '{printf "%.0f", $1}' <<<"${STATS[producer.comp$c.due_items]}") items) | $(fmt_num "producer.comp$c.cycle_ms" 1 " ms") = parse $(fmt_num "producer.comp$c.parse_ms" 1 " ms") + upsert $(fmt_num "producer.comp$c.upsert_ms" 1 " ms") + due $(fmt_num "producer.comp$c.due_ms" 1 " ms"); recording the due jobs $(fmt_num "producer.comp$c.record_ms" 1 " ms") | | | | |"
		echo "| producer, the same cycle again, $c competitions (the same lists: nothing changed, nothing due) | $(fmt_num "producer.comp$c.again_cycle_ms" 1 " ms") = parse $(fmt_num "producer.comp$c.again_parse_ms" 1 " ms") + upsert $(fmt_num "producer.comp$c.again_upsert_ms" 1 " ms") + due $(fmt_num "producer.comp$c.again_due_ms" 1 " ms") | | | | |"
	done
	echo "| **Sofascore requests per tracked match**, match-day demo (tests/data/scenarios/matchday, $(awk '{print $1}' <<<"${STATS[matchday.tracked]:-?}") matches of ut 17, compressed time: schedule 5s, live 2s, tiers 3s,8s; $(awk '{printf "%.0f", $1}' <<<"${STATS[matchday.seconds]:-0}") s) | $(fmt_num matchday.requests_per_match 1) = own $(fmt_num matchday.event_requests_per_match 1) + lists $(fmt_num matchday.list_requests_per_match 1) | | | | |"
	for tag in "${MDREQ_TAGS[@]}"; do
		[ -s "$WORK/mdreq-$tag/summary.json" ] || { echo "| **requests of a replayed match day**, $tag: the run failed (see var/bench/logs/matchday-requests-$tag.log) | - | | | | |"; continue; }
		jq -r '"| **requests of a replayed match day**, \(if .provider == "sofascore" then "Sofascore" else "API-Football" end) (tests/bench/matchday: \(.matches) matches of one round in \(.slots) kick-off slots, \(.videos_expected) videos; the default settings with every duration divided by \(.scale): \(.day_hours) h of the day in \(.replay_seconds | floor) s); by kind: \(.requests_by_kind | to_entries | map("\(.key) \(.value)") | join(", ")); live polls while no followed match was in progress: \(.live_polls_while_no_followed_match_in_progress) | \(.requests) requests for \(.videos_made) videos: \(.requests_per_video) per video, \(.requests_per_match) per match (goal: \(.goal.what): \(if .goal.met then "met" else "not met" end)); line-up latency p50 \(.lineup_latency.p50_s) s, max \(.lineup_latency.max_s) s (goal: within the shortest tier + 2 s = \(.lineup_latency.bound_s) s: \(if .lineup_latency.met then "met" else "not met" end)) | | | | |"' "$WORK/mdreq-$tag/summary.json"
	done
} >"$TABLE"
cat "$TABLE"

# results.json: the machine, the settings, every figure (median, min, max, the raw runs)
touch "$WORK/matchday-detail" "$WORK/latency-tiers" # empty when BENCH_ONLY left them out
for tag in "${MDREQ_TAGS[@]}"; do
	if [ -s "$WORK/mdreq-$tag/summary.json" ]; then jq -c '{(.provider): .}' "$WORK/mdreq-$tag/summary.json"; fi
done | jq -s 'add // {}' >"$WORK/mdreq.json"
{
	for key in "${!STATS[@]}"; do
		read -r med mn mx <<<"${STATS[$key]}"
		runs=$(awk -F'\t' -v k="$key" '$1 == k { printf "%s%s", (n++ ? "," : ""), $3 }' "$OUT/raw.tsv")
		printf '{"key":"%s","median":%s,"min":%s,"max":%s,"runs":[%s]}\n' "$key" "$med" "$mn" "$mx" "$runs"
	done
} | jq -s --arg date "$DATE" --arg commit "$COMMIT" --argjson cores "$CORES" --arg cpu "$CPU" --arg rmq "$RMQ_VERSION" \
	--arg pg "$PG_SERVER_VERSION" --arg load0 "$LOAD_START" --arg load1 "$LOAD_END" --arg librmq "$LIBRMQ_VERSION" --argjson reps "$REPS" \
	--argjson n_ceil "$N_CEIL" --argjson n_lu "$N_LINEUPS" --argjson n_lud "$N_LINEUPS_DRY" --argjson n_rs "$N_RESULTS" \
	--argjson n_ts "$N_TSTATS" --argjson n_lat "$N_LAT" --argjson lat_after "$LAT_AFTER" \
	--argjson n_rend "$N_RENDERS" --argjson n_rlat "$N_RLAT" --argjson rlat_done "$RLAT_DONE_MS" \
	--arg tiers "$(cut -f2 "$WORK/latency-tiers" 2>/dev/null | paste -sd';')" --arg comps "$PRODUCER_COMPS" \
	--slurpfile detail "$WORK/matchday-detail" --slurpfile mdreq "$WORK/mdreq.json" '
	{ date: $date, commit: $commit, cores: $cores, cpu: $cpu, rabbitmq_server: $rmq, postgresql: $pg,
	  librabbitmq: $librmq, repetitions: $reps, load_average_start: $load0, load_average_end: $load1,
	  settings: { ceiling_messages: $n_ceil, ceiling_message_bytes: 61, ceiling_confirm_window: 100,
	    ceiling_prefetch: 100, queue_type: "quorum", lineups_messages: $n_lu, lineups_dry_run_messages: $n_lud, results_messages: $n_rs,
	    tstats_messages: $n_ts, renders_messages: $n_rend, render_latency_renders: $n_rlat,
	    render_latency_done_after_post_ms: $rlat_done, render_latency_wait_tiers: ["30s", "2m", "10m"],
	    latency_events: $n_lat, latency_confirmed_after_s: $lat_after,
	    latency_wait_tiers: ["1s", "5s"], latency_near_kickoff: "15m", latency_kickoff_in: "10m",
	    latency_consumers: 2, sofascore_max_requests_per_second: 1000,
	    producer_competitions: ($comps | split(" ") | map(select(. != "") | tonumber)),
	    producer_matches_per_competition: 10, producer_lineup_lead_s: 3600,
	    consumer_prefetch: { "bf-lineups": 64, "bf-results": 32, "bf-tournament-stats": 64, "bf-renders": 32 } },
	  latency_rechecks_per_run: ($tiers | split(";")),
	  figures: (sort_by(.key) | map({ key: .key, value: (del(.key)) }) | from_entries),
	  matchday_requests_per_match: ($detail | sort_by(.run, .event_id)),
	  matchday_requests_of_a_day: $mdreq[0] }' \
	>"$OUT/results.json"

# the chart: throughput rows, median with min-max
if command -v gnuplot >/dev/null 2>&1; then
	dat=$WORK/throughput.dat
	{
		for spec in "ceiling.publish|ceiling publish" "ceiling.consume|ceiling consume" \
			"lineups.1p.rate|lineups x1" "lineups.2p.rate|lineups x2" \
			"lineups-dry.1p.rate|lineups dry x1" "lineups-dry.2p.rate|lineups dry x2" \
			"results.1p.rate|results x1" "results.2p.rate|results x2" \
			"tstats.1p.rate|tstats x1" "tstats.2p.rate|tstats x2" \
			"renders.1p.rate|renders x1" "renders.2p.rate|renders x2"; do
			k=${spec%%|*}
			[ -n "${STATS[$k]:-}" ] || continue
			printf '"%s" %s\n' "${spec#*|}" "${STATS[$k]}"
		done
	} >"$dat"
	gnuplot <<-GP 2>>"$LOGS/gnuplot.log" || say "bench: gnuplot failed (see $LOGS/gnuplot.log)"
		set terminal png size 1000,560
		set output "$OUT/throughput.png"
		set title "make bench $DATE, $CORES cores: messages/s (median of $REPS, bars min-max; log scale)"
		set style data histogram
		set style histogram errorbars gap 1 lw 1
		set style fill solid 0.6 border -1
		set logscale y
		set yrange [1:*]
		set ylabel "messages/s"
		set grid ytics
		set xtics rotate by -30
		unset key
		plot "$dat" using 2:3:4:xtic(1) lc rgb "#3070b0", \
		     "" using (\$0):(\$4 * 1.25):(\$2 >= 1000 ? sprintf("%.1fk", \$2 / 1000) : sprintf("%.0f", \$2)) with labels font ",10"
	GP
	[ -s "$OUT/throughput.png" ] && say "chart: var/bench/throughput.png"
else
	say "bench: gnuplot is not installed (package gnuplot-nox, see ops/dev/deps): no chart"
fi
say "results: var/bench/results.json, table: var/bench/table.md, logs: var/bench/logs/ ($((SECONDS - T0)) s)"
