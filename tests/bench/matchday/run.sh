#!/usr/bin/env bash
# tests/bench/matchday/run.sh PROVIDER: the data requests of a replayed match day (issue 18).
#
# PROVIDER is sofascore or api-football. Plays the match day of generate.py (10 matches of one
# round in 3 kick-off slots: 21 videos) against the fake data server and the fake Plainly,
# with bf-producer, bf-lineups, bf-results, bf-tournament-stats and bf-renders (one process each) at the
# DEFAULT settings with every duration divided by the scale F (so the count of requests is
# the one of a real day at the defaults); the API-Football quota is off (the fake's is huge)
# and the request budgets are high. Waits until every job of the 21 videos is final (or a
# deadline), then prints the requests by kind, per video and per match, and the line-up
# latency (report.py), and writes OUT/summary.json; exits 1 when the deadline came first.
# Counting requests is not a speed: the figures do not depend on the machine, but for the
# latency.
#
# Servers: its own vhost and database (MD_NAME) on the RabbitMQ and PostgreSQL of
# ops/dev/services as the environment names them (BF_VAR_DIR, BF_DEV_AMQP_PORT,
# BF_DEV_MGMT_PORT, BF_DEV_DIST_PORT, BF_DEV_EPMD_PORT, BF_DEV_PG_PORT; default: the bench
# servers, var/bench-servers on 36672-36676). Started here when they do not run (and then
# stopped at the end); make bench runs it on its own servers, both providers at once.
#
#   MD_SCALE=60       F: a divisor of 60 (every default duration a whole number of seconds);
#                     60 replays the ~8 h 20 min day in ~8 min 20 s
#   MD_OUT=DIR        run folder (default var/bench/matchday-PROVIDER): scenario, logs, the
#                     fakes' records, summary.json
#   MD_BIN=DIR        the programs and fakes to run (bfctl bf-producer bf-lineups bf-results
#                     bf-tournament-stats bf-renders fake-sofascore fake-apifootball fake-plainly);
#                     default: built here (make all fakes) and copied into MD_OUT/bin
#   MD_MARGIN=150     seconds after the last final whistle (scaled) before giving up
#   MD_NAME=...       vhost and database (default b_mdreq_sofascore / b_mdreq_apifootball)
#   MD_KEEP=1         keep the vhost and the database
set -euo pipefail
cd "$(dirname "$0")/../../.."
ROOT=$(pwd)

PROVIDER=${1:-}
case $PROVIDER in
sofascore) TAG=sofascore ;;
api-football) TAG=apifootball ;;
*)
	echo "usage: tests/bench/matchday/run.sh sofascore|api-football" >&2
	exit 2
	;;
esac
SCALE=${MD_SCALE:-60}
OUT=${MD_OUT:-$ROOT/var/bench/matchday-$TAG}
MARGIN=${MD_MARGIN:-150}
NAME=${MD_NAME:-b_mdreq_$TAG}
LOGS=$OUT/logs

export BF_VAR_DIR=${BF_VAR_DIR:-$ROOT/var/bench-servers}
export BF_DEV_AMQP_PORT=${BF_DEV_AMQP_PORT:-36672} BF_DEV_MGMT_PORT=${BF_DEV_MGMT_PORT:-36673}
export BF_DEV_DIST_PORT=${BF_DEV_DIST_PORT:-36674} BF_DEV_EPMD_PORT=${BF_DEV_EPMD_PORT:-36675}
export BF_DEV_PG_PORT=${BF_DEV_PG_PORT:-36676}
AMQP_BASE=amqp://bf:bf@127.0.0.1:$BF_DEV_AMQP_PORT
PG_BASE=postgresql://postgres@127.0.0.1:$BF_DEV_PG_PORT
MGMT=http://127.0.0.1:$BF_DEV_MGMT_PORT
# the caller's settings must not reach our programs (they override the configuration file)
unset BF_DEV_TLS_DIR BF_DEV_AMQPS_PORT BF_DEV_TLS_REQUIRE_CLIENT_CERT
unset BF_AMQP_URL BF_DATABASE_URL BF_SOFASCORE_URL BF_APIFOOTBALL_URL BF_APIFOOTBALL_KEY
unset BF_PLAINLY_URL BF_PLAINLY_API_KEY BF_LOG_LEVEL

say() { printf 'matchday %s: %s\n' "$PROVIDER" "$*" >&2; }
die() {
	say "$1"
	[[ -n ${2:-} && -s ${2:-} ]] && tail -n 20 "$2" | sed 's/^/    /' >&2
	exit 1
}
sql() { psql -XqtA -v ON_ERROR_STOP=1 "$@"; }
admin_sql() { sql "$PG_BASE/postgres" -c "$1"; }
mgmt() { curl -fsS -u bf:bf -H 'content-type: application/json' "$@"; }
now_ms() { date +%s%3N; }

PIDS=()
services_started=0
world=0
cleanup() {
	local p
	for p in "${PIDS[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
	for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
	PIDS=()
	if [[ $world == 1 && ${MD_KEEP:-0} != 1 ]]; then
		mgmt -X DELETE "$MGMT/api/vhosts/$NAME" >/dev/null 2>&1 || true
		admin_sql "DROP DATABASE IF EXISTS $NAME WITH (FORCE)" >/dev/null 2>&1 || true
	fi
	if [[ $services_started == 1 ]]; then
		ops/dev/services stop >>"$LOGS/services.log" 2>&1 || say "stopping the servers failed (see $LOGS/services.log)"
	fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

rm -rf "$OUT"
mkdir -p "$OUT" "$LOGS"

# --- programs --------------------------------------------------------------------------------
if [[ -z ${MD_BIN:-} ]]; then
	make -s all fakes >"$LOGS/build.log" 2>&1 || die "make all fakes failed" "$LOGS/build.log"
	MD_BIN=$OUT/bin
	mkdir -p "$MD_BIN"
	cp bin/bfctl bin/bf-producer bin/bf-lineups bin/bf-results bin/bf-tournament-stats bin/bf-renders \
		build/fakes/fake-sofascore build/fakes/fake-apifootball build/fakes/fake-plainly "$MD_BIN/"
fi
BIN=$MD_BIN

# --- servers, vhost, database ------------------------------------------------------------------
if ! ops/dev/services status >/dev/null 2>&1; then
	say "starting the servers ($BF_VAR_DIR, ports $BF_DEV_AMQP_PORT-$BF_DEV_PG_PORT)"
	services_started=1
	ops/dev/services start >>"$LOGS/services.log" 2>&1 || die "ops/dev/services start failed" "$LOGS/services.log"
fi
world=1
mgmt -X DELETE "$MGMT/api/vhosts/$NAME" >/dev/null 2>&1 || true
mgmt -X PUT "$MGMT/api/vhosts/$NAME" -d '{}' >/dev/null
mgmt -X PUT "$MGMT/api/permissions/$NAME/bf" -d '{"configure":".*","write":".*","read":".*"}' >/dev/null
admin_sql "DROP DATABASE IF EXISTS $NAME WITH (FORCE)" >/dev/null 2>&1
admin_sql "CREATE DATABASE $NAME" >/dev/null

# --- the scenario ----------------------------------------------------------------------------------
# API-Football's day lists are routed by date: the UTC days around now (the fake moves the
# bodies' times to its own start, a moment later)
python3 tests/bench/matchday/generate.py --provider "$PROVIDER" --scale "$SCALE" \
	--out "$OUT/scenario" --start "$(date +%s)" --defaults-from "$BIN/bfctl" >"$LOGS/generate.log" 2>&1 ||
	die "generate.py failed" "$LOGS/generate.log"
EXP=$OUT/scenario/expected.json
# the settings: the defaults divided by F (generate.py computed them)
read -r SCHED LIVE LEAD WATCH FINISH REQUEUE LU_T1 LU_T2 NEAR GIVEUP RS_T1 RS_T2 VIDEOS LAST < <(
	python3 -c 'import json, sys
e = json.load(open(sys.argv[1])); s = e["settings_s"]
print(s["producer.schedule_interval"], s["producer.live_interval"], s["producer.lineup_lead"],
      s["producer.finish_watch_after"], s["producer.finish_check_after"], s["producer.requeue_after"], *s["lineups.wait_tiers"],
      s["lineups.near_kickoff"], s["lineups.give_up_after"], *s["results.wait_tiers"],
      e["videos"], e["last_finish_s"])' "$EXP")
if [[ $PROVIDER == api-football ]]; then
	COMP=39
else
	COMP=17
fi

# --- the fakes (the data fake's clock starts the day) ------------------------------------------------
start_fake() { # kind name args...: sets FAKE_PORT (its pid is in PIDS)
	local kind=$1 name=$2 pid
	shift 2
	rm -f "$OUT/$name.port"
	"$BIN/fake-$kind" --port 0 --port-file "$OUT/$name.port" "$@" >"$LOGS/$name.log" 2>&1 &
	pid=$!
	PIDS+=("$pid")
	for _ in $(seq 200); do
		[[ -s $OUT/$name.port ]] && break
		kill -0 "$pid" 2>/dev/null || die "fake-$kind exited during start-up" "$LOGS/$name.log"
		sleep 0.05
	done
	[[ -s $OUT/$name.port ]] || die "fake-$kind wrote no port file" "$LOGS/$name.log"
	FAKE_PORT=$(cat "$OUT/$name.port")
}
# renders end DONE 3 s after their POST (bf-renders follows them; not a data request)
start_fake plainly plainly --record "$OUT/plainly-requests.jsonl" --lifecycle 1000,2000,3000
PLAINLY_PORT=$FAKE_PORT

CONF=$OUT/bf.conf
: >"$CONF"
chmod 600 "$CONF" # it holds the broker password
write_conf() { # data fake port
	cat >"$CONF" <<-CONF
		# generated by tests/bench/matchday/run.sh: the defaults with every duration divided by $SCALE
		amqp = { url = "$AMQP_BASE/$NAME"; };
		database = { url = "$PG_BASE/$NAME"; };
		source = { provider = "$PROVIDER"; };
		sofascore = { base_url = "http://127.0.0.1:$1/api/v1"; timeout = "5s";
		              max_requests_per_second = 1000.0; };
		apifootball = { base_url = "http://127.0.0.1:$1"; timeout = "5s";
		                max_requests_per_second = 1000.0; requests_per_day = 0; requests_per_minute = 0; };
		plainly = { base_url = "http://127.0.0.1:$PLAINLY_PORT/api/v2"; timeout = "5s";
		            dry_run_dir = "$OUT/renders"; templates = {
		  line-up = { project_id = "md-lineups"; template_id = "lineup-16x9"; };
		  result = { project_id = "md-results"; template_id = "result-16x9"; };
		  tournament-stats = { project_id = "md-rounds"; template_id = "round-16x9"; }; }; };
		producer = { competitions = [ $COMP ]; schedule_interval = "${SCHED}s"; live_interval = "${LIVE}s";
		             lineup_lead = "${LEAD}s"; finish_watch_after = "${WATCH}s"; finish_check_after = "${FINISH}s"; requeue_after = "${REQUEUE}s"; };
		lineups = { wait_tiers = [ "${LU_T1}s", "${LU_T2}s" ]; near_kickoff = "${NEAR}s"; give_up_after = "${GIVEUP}s"; };
		results = { wait_tiers = [ "${RS_T1}s", "${RS_T2}s" ]; };
		renders = { wait_tiers = [ "1s", "2s", "10s" ]; };
	CONF
}
write_conf 0
# the API keys (the programs' environment): any for the fake Plainly, the fake API-Football's own
export BF_PLAINLY_API_KEY=bench-key
[[ $PROVIDER != api-football ]] || export BF_APIFOOTBALL_KEY=bench-af-key
"$BIN/bfctl" -c "$CONF" migrate >>"$LOGS/bfctl.log" 2>&1 || die "bfctl migrate failed" "$LOGS/bfctl.log"
"$BIN/bfctl" -c "$CONF" topology declare >>"$LOGS/bfctl.log" 2>&1 || die "bfctl topology declare failed" "$LOGS/bfctl.log"

if [[ $PROVIDER == api-football ]]; then
	# the programs' key; quota on neither side (the fake's is never spent, ours is 0)
	start_fake apifootball data --scenario "$OUT/scenario" --log "$OUT/requests.log" \
		--api-key bench-af-key --quota-day 1000000000 --quota-minute 1000000000
else
	start_fake sofascore data --scenario "$OUT/scenario" --log "$OUT/requests.log"
fi
DATA_PORT=$FAKE_PORT
# when the fake's clock started (route `after` 0): now less its elapsed, halfway through the ask
t1=$(now_ms)
el=$(curl -fsS "http://127.0.0.1:$DATA_PORT/_fake/stats" | python3 -c 'import json, sys; print(json.load(sys.stdin)["elapsed"])')
t2=$(now_ms)
START_MS=$(awk -v a="$t1" -v b="$t2" -v e="$el" 'BEGIN { printf "%.0f", (a + b) / 2 - e * 1000 }')
write_conf "$DATA_PORT"

PROGS=(bf-producer bf-lineups bf-results bf-tournament-stats bf-renders)
PROG_PIDS=()
for p in "${PROGS[@]}"; do
	"$BIN/$p" -c "$CONF" >"$LOGS/$p.log" 2>&1 &
	PROG_PIDS+=($!)
	PIDS+=($!)
done
say "day started: $VIDEOS videos, last final whistle at ${LAST}s (scale $SCALE); waiting (deadline $((LAST + MARGIN))s)"

# --- until every job is final ----------------------------------------------------------------------
URL=$PG_BASE/$NAME
state="" final=0 total=0
while :; do
	sleep 1
	el=$(( ($(now_ms) - START_MS) / 1000 ))
	read -r final total < <(sql "$URL" -F ' ' -c "SELECT count(*) FILTER (WHERE state IN ('done', 'expired', 'dead')), count(*) FROM jobs" 2>/dev/null || echo "0 0")
	if [[ "$final $total" != "$state" ]]; then
		state="$final $total"
		say "t=${el}s: $final of $total jobs final"
	fi
	[[ ${total:-0} -ge $VIDEOS && $final == "$total" ]] && break
	for p in "${PROG_PIDS[@]}"; do
		kill -0 "$p" 2>/dev/null || die "a program exited (pid $p; see $LOGS)"
	done
	if [[ $el -ge $((LAST + MARGIN)) ]]; then
		say "deadline: $final of $total jobs final after ${el}s"
		break
	fi
done
END_MS=$(now_ms)
for p in "${PIDS[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
PIDS=()
sql "$URL" -F $'\t' -c "SELECT kind, subject, state FROM jobs ORDER BY kind, subject" >"$OUT/jobs.tsv"

python3 tests/bench/matchday/report.py --expected "$EXP" --requests "$OUT/requests.log" \
	--plainly "$OUT/plainly-requests.jsonl" --start-ms "$START_MS" --end-ms "$END_MS" \
	--jobs "$OUT/jobs.tsv" --json "$OUT/summary.json" | tee "$OUT/report.txt"
say "summary: ${OUT#"$ROOT"/}/summary.json"
# not every job final by the deadline: the figures above are those of an incomplete day
[[ ${total:-0} -ge $VIDEOS && $final == "$total" ]] || exit 1
