#!/usr/bin/env bash
# make fuzz (FUZZ_SECONDS=60 per target by default), and a short run in make
# test (FUZZ_SECONDS=5).  Each harness is built with clang -fsanitize=fuzzer
# plus ASan/UBSan, seeded from tests/data/fixtures; a crash leaves its input in
# var/fuzz/<target>/ and fails the run (turn it into a regular test).
set -uo pipefail
cd "$(dirname "$0")/../.."
SECS=${FUZZ_SECONDS:-60}
CC=${FUZZ_CC:-clang}
out=var/fuzz
mkdir -p "$out"
if ! command -v "$CC" >/dev/null; then echo "fuzz: $CC not installed"; exit 1; fi
make -s build/gen/schema_gen.c
# the parsers are pure: the message, Sofascore and API-Football targets link only these
# plainly's target also needs http (and what http and config pull in)
pure="lib/jarena.c lib/strbuf.c protocol/message.c protocol/match.c protocol/adapter.c protocol/sofascore.c protocol/apifootball.c"
more="protocol/plainly.c lib/log.c lib/http.c lib/db.c lib/config.c lib/clock.c lib/version.c lib/metrics.c lib/notify.c build/gen/schema_gen.c"
srcs="$pure $more"
base="-std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -g -O1 -I. -fno-sanitize-recover=undefined $(pkg-config --cflags libcjson libcurl libpq libconfig librabbitmq)"
flags="$base -fsanitize=fuzzer,address,undefined"
libs="$(pkg-config --libs libcjson libcurl libpq libconfig librabbitmq) -lm -lpthread"
fail=0
# the library once (instrumented, no fuzzer main), then one link per target
mkdir -p "$out/obj"
objs=""
pure_objs=""
for src in $srcs; do
	o=$out/obj/$(printf '%s' "$src" | tr '/' '_').o
	# shellcheck disable=SC2086
	if ! $CC $base -fsanitize=fuzzer-no-link,address,undefined -c "$src" -o "$o" 2>>"$out/lib.build.log"; then
		echo "not ok - fuzz (library build failed: $out/lib.build.log)"; exit 1
	fi
	objs="$objs $o"
	case " $pure " in *" $src "*) pure_objs="$pure_objs $o" ;; esac
done
pure_libs="$(pkg-config --libs libcjson) -lm"
# target:seed files
af=tests/data/fixtures/apifootball
targets="message:tests/data/fixtures/messages
events:tests/data/fixtures/sofascore/scheduled_ut17_round.json tests/data/fixtures/sofascore/live.json tests/data/fixtures/sofascore/scheduled_bad.json
event:tests/data/fixtures/sofascore/event_finished_120.json tests/data/fixtures/sofascore/event_inprogress_31.json
lineups:tests/data/fixtures/sofascore/lineups_confirmed.json tests/data/fixtures/sofascore/lineups_unconfirmed.json
statistics:tests/data/fixtures/sofascore/statistics.json
incidents:tests/data/fixtures/sofascore/incidents_goals.json
standings:tests/data/fixtures/sofascore/standings_total.json
af_errors:$af/error_token.json $af/error_token_403.json $af/error_requests.json $af/error_ratelimit.json $af/error_plan.json $af/error_param.json $af/error_required.json $af/error_server.json
af_events:$af/fixtures_date_league39.json $af/fixtures_live.json $af/fixtures_ids.json
af_event:$af/fixture_id_pen_no_shootout_events.json $af/fixture_id_awd.json $af/fixture_id_tbd.json $af/fixture_id_not_found.json
af_lineups:$af/fixture_id_ft_own_goal.json $af/fixture_id_ns_lineups.json $af/fixture_id_ns_lineups_incomplete.json
af_statistics:$af/fixture_id_ft_own_goal.json $af/fixture_id_pen_no_shootout_events.json
af_incidents:$af/fixture_id_ft_own_goal.json $af/fixture_id_p_shootout_live.json $af/fixture_id_aet.json
af_standings:$af/standings.json $af/standings_groups.json
plainly:tests/data/fixtures/plainly"
while IFS=: read -r t seeds; do
	T=$(printf '%s' "$t" | tr a-z A-Z)
	bin=$out/fuzz-$t
	# shellcheck disable=SC2086
	if [ "$t" = plainly ]; then tobjs=$objs; tlibs=$libs; else tobjs=$pure_objs; tlibs=$pure_libs; fi
	# shellcheck disable=SC2086
	if ! $CC $flags -DFUZZ_$T tests/fuzz/fuzz.c $tobjs -o "$bin" $tlibs 2>"$out/$t.build.log"; then
		echo "not ok - fuzz-$t (build failed: $out/$t.build.log)"; fail=1; continue
	fi
	corpus=$out/$t/corpus
	mkdir -p "$corpus" "$out/$t"
	for s in $seeds; do
		if [ -d "$s" ]; then cp "$s"/* "$corpus"/ 2>/dev/null || true; elif [ -f "$s" ]; then cp "$s" "$corpus"/; fi
	done
	log=$out/$t.log
	if "$bin" -max_total_time="$SECS" -max_len=65536 -rss_limit_mb=1024 -timeout=10 \
		-artifact_prefix="$out/$t/" -print_final_stats=1 "$corpus" >"$log" 2>&1; then
		execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$')
		echo "ok - fuzz-$t (${SECS}s, ${execs:-?} executions)"
	else
		echo "not ok - fuzz-$t (crash: see $log and $out/$t/crash-*)"; tail -n 30 "$log" | sed 's/^/#   /'
		fail=1
	fi
done <<<"$targets"
exit $fail
