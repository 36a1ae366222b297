# shellcheck shell=bash
# tests/system/chaos/common.sh: what run.sh and cluster.sh share (sourced, not run).
#
# The caller sets ROOT, RUN (its run folder), MODE, SEED, VHOST, DB, and before
# chaos_programs: BF_AMQP_URL, BF_DATABASE_URL (with vhost and database), MGMT_URLS (one
# or more management base URLs), MGMT_USER, MGMT_PASSWORD.
#
# CHAOS_PROVIDER=api-football (default sofascore): the scenario in API-Football shapes
# (league 39, season 2026) served by fake-apifootball, the programs configured with
# source.provider = "api-football"; the run folder is RUN-apifootball (a Sofascore run's
# evidence stays). Everything else (faults, kills, restarts, checks) is the same.

# the ok/not_ok counters of the shell tests
# shellcheck source=tests/support/tap.sh
. "$ROOT/tests/support/tap.sh"
say() { printf '%s\n' "$*"; }
PROVIDER=${CHAOS_PROVIDER:-sofascore}
case $PROVIDER in
sofascore) SRC_FAKE=sofascore ;;
api-football)
	SRC_FAKE=apifootball
	RUN=$RUN-apifootball
	;;
*)
	echo "CHAOS_PROVIDER: sofascore or api-football, not '$PROVIDER'" >&2
	exit 2
	;;
esac
# the fake data provider's request log: "<ms> <method> <path or route key> <status> ..."
SRC_LOG=$RUN/$SRC_FAKE-requests.log
elapsed() { echo $(($(date +%s) - T_START)); }
# count the "ok - " / "not ok - " lines of a sub-check's output into ours, and show them
absorb() { # file
	grep -E '^(ok|not ok) - |^#   ' "$1"
	passed=$((passed + $(grep -c '^ok - ' "$1")))
	failed=$((failed + $(grep -c '^not ok - ' "$1")))
}
finish() {
	say "$passed passed, $failed failed"
	((failed == 0))
}

declare -A PID=() ARGS=() CRASHES=() NEXT_START=()
SLOTS=()
CONSUMERS=()
fake_pids=()
crashes=0 hangs=0

# management API: the first of MGMT_URLS that answers
mgmt() { # path [curl args...]
	local path=$1 u
	shift
	for u in "${MGMT_URLS[@]}"; do
		if curl -fsS --max-time 10 -u "$MGMT_USER:$MGMT_PASSWORD" -H 'content-type: application/json' \
			"$@" "$u$path" 2>/dev/null; then
			return 0
		fi
	done
	return 1
}
sql() { psql -qtAX "$BF_DATABASE_URL" -c "$1" 2>/dev/null; }

# --- build and the private copy of the programs ---------------------------------------------
chaos_build() {
	if ! make -s -j2 all fakes >"$RUN/logs/build.log" 2>&1; then
		not_ok "build (see $RUN/logs/build.log)"
		return 1
	fi
	# a copy: other work may rebuild bin/ while we run, and restarted consumers must be
	# the same (CHAOS_BIN=DIR: run other builds of the programs, e.g. a patched tree's bin/)
	local src=${CHAOS_BIN:-bin}
	mkdir -p "$RUN/bin"
	cp "$src"/bf-producer "$src"/bf-lineups "$src"/bf-results "$src"/bf-tournament-stats \
		"$src"/bf-renders "$src"/bfctl "$RUN/bin/" || { not_ok "no programs in $src"; return 1; }
}

# --- vhost, database, scenario, fakes, configuration ------------------------------------------
# The broker is a fresh node (its data wiped before the start), so the vhost is new: never
# delete and re-create one with the same queues. RabbitMQ 3.10.8 supervises the dead-letter
# workers of at-least-once quorum queues with a restart intensity of 1 per 5 s
# (rabbit_fifo_dlx_sup): deleting such queues while their workers start (a vhost deleted
# right after a node boot, or the stale Ra servers a node deletes when it recovers) crashes
# two workers, the supervisor gives up, and from then on every at-least-once quorum queue
# of the node fails to become leader: declare and basic.consume get 541 INTERNAL_ERROR.
chaos_vhost_db() { # admin_pg_url
	mgmt "/api/vhosts/$VHOST" -X PUT -d '{}' >/dev/null &&
		mgmt "/api/permissions/$VHOST/$MGMT_USER" -X PUT -d '{"configure":".*","write":".*","read":".*"}' >/dev/null ||
		{ not_ok "vhost $VHOST"; return 1; }
	psql -qX "$1" -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" -c "CREATE DATABASE $DB" >/dev/null 2>&1 ||
		{ not_ok "database $DB"; return 1; }
}

chaos_scenario() { # generate.py args...
	local prov=()
	# API-Football: the day lists are the UTC days of the kick-offs once the fake has moved
	# base_time to SHIFT_TO (its --shift-to), so the scenario and the fake share that time
	if [[ $PROVIDER == api-football ]]; then
		SHIFT_TO=$(date +%s)
		prov=(--provider api-football --start "$SHIFT_TO")
	fi
	if ! python3 tests/system/chaos/generate.py --out "$RUN/scenario" --seed "$SEED" "${prov[@]}" "$@" \
		>"$RUN/logs/generate.log" 2>&1; then
		not_ok "scenario generation"
		cat "$RUN/logs/generate.log"
		return 1
	fi
	say "# scenario: $(cat "$RUN/logs/generate.log")"
	WANT_JOBS=$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["jobs"]))' "$RUN/scenario/expected.json")
	WANT_RENDERS=$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["renders"]))' "$RUN/scenario/expected.json")
}

start_fake() { # kind name args...: sets FAKE_PORT (not in a $(...): the pid must stay ours)
	local kind=$1 name=$2 i
	shift 2
	build/fakes/fake-"$kind" --port 0 --port-file "$RUN/$name.port" "$@" >"$RUN/logs/$name.log" 2>&1 &
	fake_pids+=($!)
	for ((i = 0; i < 200; i++)); do [[ -s $RUN/$name.port ]] && break; sleep 0.05; done
	FAKE_PORT=$(cat "$RUN/$name.port" 2>/dev/null)
}

stop_fakes() {
	local p
	for p in "${fake_pids[@]}"; do kill -TERM "$p" 2>/dev/null; done
	for p in "${fake_pids[@]}"; do wait "$p" 2>/dev/null; done
	fake_pids=()
}

chaos_fakes() { # accept_steps
	local faults=(--fault-rate "500=0.05,timeout=0.02" --timeout-delay-ms 1500 --seed "$SEED")
	if [[ $PROVIDER == api-football ]]; then
		# the programs' key (the fake refuses any other); a quota no run spends (its
		# default 300 a minute would open the programs' breaker for 15 minutes)
		start_fake apifootball fake-apifootball --scenario "$RUN/scenario" --log "$SRC_LOG" \
			--api-key chaos-af-key --quota-day 1000000000 --quota-minute 1000000000 \
			--shift-to "$SHIFT_TO" "${faults[@]}"
	else
		start_fake sofascore fake-sofascore --scenario "$RUN/scenario" --log "$SRC_LOG" "${faults[@]}"
	fi
	SOFA_PORT=$FAKE_PORT
	# renders go PENDING, QUEUED, IN_PROGRESS, DONE within 0.3 s (bf-renders follows them)
	start_fake plainly fake-plainly --record "$RUN/plainly-requests.jsonl" --lifecycle 100,200,300 \
		"${faults[@]}"
	PLAINLY_PORT=$FAKE_PORT
	[[ -n $SOFA_PORT && -n $PLAINLY_PORT ]] || { not_ok "fakes start"; tail "$RUN"/logs/fake-*.log; return 1; }
	# Random faults never store a render (the fake rolls them before routing; a
	# 'timeout' answers 500 after the delay). A lost answer to a POST that did store
	# one is what the consumers reconcile (GET /renders?projectId= before any new POST):
	# the script adds a few, spread over the run (accept-then-500: stored, answered 500;
	# accept-then-reset: stored, connection closed without an answer).
	local steps=$1 gap k j script=
	gap=$((WANT_RENDERS / (steps + 1)))
	for ((k = 1; k <= steps; k++)); do
		for ((j = 0; j < gap; j++)); do script+=ok,; done
		if ((k % 2)); then script+=accept-then-500,; else script+=accept-then-reset,; fi
	done
	script=${script%,}
	printf '%s\n' "$script" >"$RUN/plainly-script.txt"
	if [[ -n $script ]] && ! curl -fsS --max-time 10 -X POST --data "$script" \
		"http://127.0.0.1:$PLAINLY_PORT/_fake/script" >/dev/null; then
		not_ok "fake Plainly script"
		return 1
	fi
	if [[ $PROVIDER == api-football ]]; then
		export BF_APIFOOTBALL_URL="http://127.0.0.1:$SOFA_PORT" BF_APIFOOTBALL_KEY=chaos-af-key
	else
		export BF_SOFASCORE_URL="http://127.0.0.1:$SOFA_PORT/api/v1"
	fi
	export BF_PLAINLY_URL="http://127.0.0.1:$PLAINLY_PORT/api/v2"
	export BF_PLAINLY_API_KEY=chaos-key
}

chaos_config() { # give_up_seconds requeue_after
	local source competitions
	CONF=$RUN/bf.conf
	if [[ $PROVIDER == api-football ]]; then
		source='source = { provider = "api-football"; };
apifootball = { max_requests_per_second = 500.0; timeout = "2s";
                requests_per_day = 0; requests_per_minute = 0; };'
		competitions='competitions = [ 39 ];'
	else
		source='sofascore = { max_requests_per_second = 500.0; timeout = "2s"; };'
		competitions='unique_tournaments = [ 17 ];'
	fi
	cat >"$CONF" <<-CONF
		# tests/system/chaos ($MODE; URLs and the API keys come from the environment)
		amqp = { op_timeout = "10s"; };
		$source
		plainly = { timeout = "2s"; templates = {
		  line-up = { project_id = "chaos-lineups"; template_id = "lineup-16x9"; };
		  result = { project_id = "chaos-results"; template_id = "result-16x9"; };
		  tournament-stats = { project_id = "chaos-rounds"; template_id = "round-16x9"; }; }; };
		producer = { $competitions schedule_interval = "3s"; live_interval = "2s";
		             lineup_lead = "75m"; requeue_after = "${2}s"; };
		lineups = { wait_tiers = [ "1s", "3s" ]; near_kickoff = "15m"; give_up_after = "${1}s";
		            max_attempts = 1000; };
		results = { wait_tiers = [ "1s", "3s" ]; max_attempts = 1000; };
		tournament_stats = { max_attempts = 1000; };
		renders = { wait_tiers = [ "1s", "3s" ]; max_attempts = 1000; };
	CONF
	chmod 600 "$CONF"
	if ! "$RUN/bin/bfctl" -c "$CONF" migrate >"$RUN/logs/bfctl.log" 2>&1 ||
		! "$RUN/bin/bfctl" -c "$CONF" topology declare >>"$RUN/logs/bfctl.log" 2>&1; then
		not_ok "migrate and declare (see $RUN/logs/bfctl.log)"
		return 1
	fi
	# a subscriber of the video events: its own queue bound to bf.videos (a quorum queue:
	# it survives a node of a cluster); drained and checked by chaos_collect_and_check
	if ! mgmt "/api/queues/$VHOST/$VIDEOS_QUEUE" -X PUT \
		-d '{"durable":true,"arguments":{"x-queue-type":"quorum"}}' >/dev/null ||
		! mgmt "/api/bindings/$VHOST/e/bf.videos/q/$VIDEOS_QUEUE" -X POST \
			-d '{"routing_key":"video.#"}' >/dev/null; then
		not_ok "the video events' subscriber queue"
		return 1
	fi
}

VIDEOS_QUEUE=chaos.videos

# drains the subscriber's queue into RUN/videos.json (a list of the management API's messages)
take_videos() {
	local i part
	echo '[]' >"$RUN/videos.json"
	for ((i = 0; i < 100; i++)); do
		part=$(mgmt "/api/queues/$VHOST/$VIDEOS_QUEUE/get" -X POST \
			-d '{"count":1000,"ackmode":"ack_requeue_false","encoding":"auto"}') || return 1
		[[ $part == "[]" ]] && return 0
		python3 -c 'import json,sys
f=sys.argv[1]; a=json.load(open(f)); a+=json.loads(sys.argv[2]); json.dump(a, open(f, "w"))' \
			"$RUN/videos.json" "$part" || return 1
	done
}

# --- the programs ----------------------------------------------------------------------------
launch() { # slot
	"$RUN/bin/${ARGS[$1]}" -c "$CONF" >>"$RUN/logs/$1.log" 2>&1 &
	PID[$1]=$!
}
add_slot() { # slot program is_consumer
	SLOTS+=("$1")
	ARGS[$1]=$2
	[[ $3 == 1 ]] && CONSUMERS+=("$1")
	launch "$1"
}
chaos_programs() {
	T0_NS=$(date +%s%N)
	add_slot producer-1 bf-producer 0
	add_slot producer-2 bf-producer 0
	local i
	for i in 1 2; do
		add_slot lineups-$i bf-lineups 1
		add_slot results-$i bf-results 1
		add_slot tstats-$i bf-tournament-stats 1
		add_slot renders-$i bf-renders 1
	done
	say "# running: 2 x bf-producer, 2 x bf-lineups, 2 x bf-results, 2 x bf-tournament-stats, 2 x bf-renders (logs in $RUN/logs)"
}
now10() { echo $((($(date +%s%N) - T0_NS) / 100000000)); } # tenths of a second since start

# a program that exited without being killed by us crashed: record, restart it after a
# backoff (1 s, doubling to 16 s: a program that cannot start must not spin)
reap_crashes() {
	local s p rc n
	for s in "${SLOTS[@]}"; do
		p=${PID[$s]}
		if [[ -z $p ]]; then
			if [[ -n ${NEXT_START[$s]:-} ]] && (($(date +%s) >= NEXT_START[$s])); then
				NEXT_START[$s]=
				launch "$s"
			fi
			continue
		fi
		if ! kill -0 "$p" 2>/dev/null; then
			wait "$p"
			rc=$?
			crashes=$((crashes + 1))
			n=$((${CRASHES[$s]:-0} + 1))
			CRASHES[$s]=$n
			echo "$(elapsed)s crash: $s pid $p exited with status $rc (exit $n of this slot)" >>"$RUN/logs/driver.log"
			if ((n <= 3)); then
				say "# $s (pid $p) exited on its own with status $rc: $(grep -v '^===' "$RUN/logs/$s.log" | grep -E ' (error|warn) ' | tail -n 1 | cut -c1-200)"
			fi
			PID[$s]=
			NEXT_START[$s]=$(($(date +%s) + (n > 4 ? 16 : 1 << (n - 1))))
		fi
	done
}

stop_programs() { # SIGTERM; what hangs gets a backtrace, then SIGKILL
	local s p t
	for s in "${SLOTS[@]}"; do
		p=${PID[$s]:-}
		[[ -n $p ]] && kill -TERM "$p" 2>/dev/null
	done
	for s in "${SLOTS[@]}"; do
		p=${PID[$s]:-}
		[[ -n $p ]] || continue
		for ((t = 0; t < 150; t++)); do
			kill -0 "$p" 2>/dev/null || break
			sleep 0.1
		done
		if kill -0 "$p" 2>/dev/null; then
			hangs=$((hangs + 1))
			say "# $s (pid $p) did not stop within 15 s of SIGTERM: backtrace in $RUN/logs/$s.hang.txt"
			gdb -p "$p" -batch -ex 'thread apply all bt' >"$RUN/logs/$s.hang.txt" 2>&1
			kill -KILL "$p" 2>/dev/null
		fi
		wait "$p" 2>/dev/null
		PID[$s]=
	done
}

# --- done? ---------------------------------------------------------------------------------------
queue_total() { # messages in every queue of the vhost but the subscriber's, -1 when unknown
	mgmt "/api/queues/$VHOST?columns=name,messages,messages_ready,messages_unacknowledged" |
		python3 -c 'import json,sys
try: q=[x for x in json.load(sys.stdin) if x.get("name") != sys.argv[1]]
except Exception: print(-1); sys.exit()
print(sum((x.get("messages") or 0)+(x.get("messages_unacknowledged") or 0) for x in q) if q else -1)' "$VIDEOS_QUEUE"
}

# writes RUN/queues.json (the management API's queues of the vhost but the subscriber's,
# which take_videos drained and check.py judges by what it got); true when it lists queues
# and every one is empty
queues_json_empty() {
	local all
	all=$(mgmt "/api/queues/$VHOST?columns=name,messages,messages_ready,messages_unacknowledged,consumers,members,online,leader") &&
		python3 -c 'import json,sys
q=[x for x in json.loads(sys.argv[2]) if x.get("name") != sys.argv[3]]
json.dump(q, open(sys.argv[1], "w"))
sys.exit(0 if q and not any((x.get("messages") or 0) or (x.get("messages_ready") or 0) or (x.get("messages_unacknowledged") or 0) for x in q) else 1)' \
			"$RUN/queues.json" "$all" "$VIDEOS_QUEUE" 2>/dev/null
}

# wait_done DEADLINE [jobs]: every due job final and every queue empty (with "jobs": only
# every due job final); sets T_DONE
wait_done() {
	local deadline=$1 what=${2:-all} final open done_ok=0 s
	while (($(date +%s) < deadline)); do
		reap_crashes
		final=$(sql "SELECT count(*) FROM jobs WHERE state IN ('done','expired')")
		open=$(sql "SELECT count(*) FROM jobs WHERE state NOT IN ('done','expired')")
		if [[ ${final:-0} -ge $WANT_JOBS && ${open:-1} == 0 ]] && [[ $what == jobs || $(queue_total) == 0 ]]; then
			# the management API's figures lag by up to 5 s: make sure they stay at zero
			[[ $what == jobs ]] || sleep 6
			open=$(sql "SELECT count(*) FROM jobs WHERE state NOT IN ('done','expired')")
			if [[ ${open:-1} == 0 ]] && [[ $what == jobs || $(queue_total) == 0 ]]; then
				done_ok=1
				break
			fi
		fi
		sleep 1
	done
	T_DONE=$(elapsed)
	if ((done_ok)); then
		if [[ $what == jobs ]]; then
			ok "every due job final after ${T_DONE}s"
		else
			ok "every due job final and every queue empty after ${T_DONE}s"
		fi
		return 0
	fi
	not_ok "not done in time: jobs final $(sql "SELECT count(*) FROM jobs WHERE state IN ('done','expired')")/$WANT_JOBS, open: $(sql "SELECT string_agg(kind || ' ' || state || ' ' || n, ', ') FROM (SELECT kind, state, count(*) n FROM jobs WHERE state NOT IN ('done','expired') GROUP BY 1, 2) x"), messages in queues: $(queue_total)"
	sql "SELECT '#   ' || kind || ' ' || subject || ' ' || state || ' attempts=' || attempts || ' ' || COALESCE(last_error, '') FROM jobs WHERE state NOT IN ('done','expired') ORDER BY 1 LIMIT 20"
	for s in "${CONSUMERS[@]}"; do # evidence: where each consumer is
		[[ -n ${PID[$s]} ]] && gdb -p "${PID[$s]}" -batch -ex 'thread apply all bt' >"$RUN/logs/$s.timeout-bt.txt" 2>&1
	done
	say "#   backtraces of the consumers: $RUN/logs/*.timeout-bt.txt"
	return 1
}

# --- after the run: collect, check, figures ---------------------------------------------------------
chaos_collect_and_check() {
	((hangs == 0)) && ok "every program stopped on SIGTERM" || not_ok "$hangs programs hung on SIGTERM (backtraces in $RUN/logs/*.hang.txt)"
	((crashes == 0)) && ok "no program exited on its own (crash)" || not_ok "$crashes programs exited on their own (see $RUN/logs/driver.log)"
	local bad
	bad=$(grep -lE 'AddressSanitizer|runtime error|Segmentation|Assertion|double free' "$RUN"/logs/*.log 2>/dev/null | tr '\n' ' ')
	[[ -z $bad ]] && ok "no sanitizer or crash message in the logs" || not_ok "sanitizer/crash messages in: $bad"

	# The management API's counts lag (a quorum queue reports them on its 5 s tick, the
	# management database collects every 5 s): what the programs did just before they
	# stopped (a last ack, messages received ahead handed back) may not show yet. Wait until
	# every queue shows empty, at most 30 s; check.py judges the last reading.
	take_videos || not_ok "draining the video events' subscriber queue $VIDEOS_QUEUE"
	wait_until 30 queues_json_empty
	psql -qtAX -F $'\t' "$BF_DATABASE_URL" -c "SELECT kind, subject, state, attempts FROM jobs ORDER BY kind, subject" >"$RUN/jobs.tsv" 2>/dev/null
	psql -qtAX -F $'\t' "$BF_DATABASE_URL" -c "SELECT kind, subject, state, COALESCE(plainly_render_id, ''), COALESCE(plainly_state, '') FROM renders ORDER BY kind, subject" >"$RUN/renders.tsv" 2>/dev/null
	curl -fsS --max-time 10 "http://127.0.0.1:$PLAINLY_PORT/_fake/stats" >"$RUN/plainly-stats.json" 2>/dev/null
	local i
	for ((i = 0; i < 20; i++)); do # the listing itself may meet a random fault
		curl -fsS --max-time 10 -u chaos-key: "$BF_PLAINLY_URL/renders?page=0&size=1000" >"$RUN/plainly-renders.json" 2>/dev/null && break
	done
	stop_fakes
	python3 tests/system/chaos/check.py "$RUN" >"$RUN/check.txt" 2>&1
	absorb "$RUN/check.txt"
}

# (grep -a: a log line with bytes that are not text must not turn a count into "Binary file
# ... matches")
chaos_figures() {
	local logs=("$RUN"/logs/lineups-*.log "$RUN"/logs/results-*.log "$RUN"/logs/tstats-*.log "$RUN"/logs/renders-*.log)
	say "# figures (chaos $MODE, seed $SEED)"
	say "#   jobs: $(sql "SELECT string_agg(kind || ' ' || state || ' ' || n, ', ') FROM (SELECT kind, state, count(*) n FROM jobs GROUP BY 1, 2 ORDER BY 1, 2) x")"
	sed -n 's/^# figure /#   /p' "$RUN/check.txt"
	say "#   retries seen in logs (outcome=retry): $(grep -ah 'outcome=retry' "${logs[@]}" 2>/dev/null | wc -l) (by reason: $(grep -aho 'outcome=retry wait=[^ ]* reason=[^ ]*' "${logs[@]}" 2>/dev/null | sed 's/.*reason=//' | sort | uniq -c | awk '{printf "%s%s %s", sep, $2, $1; sep=", "}'))"
	say "#   renders reconciled from Plainly's list: $(grep -ah ' render reconciled subject=' "${logs[@]}" 2>/dev/null | wc -l); redeliveries of a rendered subject: $(grep -ah 'render already' "${logs[@]}" 2>/dev/null | wc -l)"
	say "#   broker reconnects: $(grep -ah 'broker reconnected' "$RUN"/logs/*.log 2>/dev/null | wc -l); database errors logged: $(grep -ah 'database query failed\|database connect failed' "$RUN"/logs/*.log 2>/dev/null | wc -l); jobs not recorded (database down): $(grep -ah 'job not recorded' "${logs[@]}" 2>/dev/null | wc -l)"
	# the status is the 4th field of fake-sofascore's lines, the one before "key=..." in
	# fake-apifootball's (its route keys hold spaces)
	if [[ $PROVIDER == api-football ]]; then
		say "#   API-Football requests: $(wc -l <"$SRC_LOG") ($(awk '$(NF-1)==500' "$SRC_LOG" | wc -l) answered 500; by route: $(awk '{k=$3; sub(/=.*/, "", k); n[k]++} END {for (k in n) print k, n[k]}' "$SRC_LOG" | sort | paste -sd, - | sed 's/,/, /g'))"
	else
		say "#   Sofascore requests: $(wc -l <"$SRC_LOG") ($(awk '$4==500' "$SRC_LOG" | wc -l) answered 500)"
	fi
	say "#   crashes: $crashes, hangs: $hangs"
}
