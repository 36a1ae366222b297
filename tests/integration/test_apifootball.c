/*
 * The whole pipeline on API-Football: the real binaries (bf-producer,
 * bf-lineups, bf-results, bf-tournament-stats) against the real RabbitMQ
 * and PostgreSQL of ops/dev/services, with fake-apifootball playing the
 * match day of tests/data/scenarios/matchday-apifootball (README there:
 * the same matches as the Sofascore replay of make demo) and fake Plainly.
 * Then, per branch, what the API's own failures do: its quota spent
 * (work waits, nothing dead, resumes), the key refused (the breaker), a
 * plan that does not cover a request and a wrong parameter (dead letters
 * with the reason), and a database that holds the other provider's ids.
 *
 * test_apifootball [NAME...] runs only the cases whose name contains NAME.
 */
#include <cjson/cJSON.h>
#include <curl/curl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "lib/config.h"
#include "lib/log.h"
#include "lib/signals.h"
#include "protocol/message.h"
#include "protocol/source.h"
#include "protocol/source_pg.h"
#include "lib/clock.h"
#include "tests/support/query.h"
#include "tests/support/t.h"
#include "tests/support/testenv.h"
#include "tests/support/world.h"

#define SCENARIO "tests/data/scenarios/matchday-apifootball"
#define API_KEY "testkey"
#define PRODUCER_CONF                                                                             \
	"producer = { competitions = [ 39 ]; schedule_interval = \"3s\"; live_interval = \"1s\";" \
	" lineup_lead = \"75m\"; };"

static void run_in_world(const char *tag, const char *const *af_args, const char *extra,
			 void (*body)(struct world *))
{
	/* renders end DONE a moment after they are accepted */
	static const char *const plainly_args[] = { "--lifecycle", "100,200,300", NULL };
	const struct world_opts o = {
		.prefix = "t-af",
		.plainly_args = plainly_args,
		.scenario = SCENARIO,
		.shift = true,
		.plainly = true,
		.plainly_key = API_KEY,
		.provider = "api-football",
		.af_args = af_args,
		.extra_conf = extra,
		.broker = "test_apifootball",
	};

	world_case(tag, &o, NULL, body);
}

/* bin/<prog> with the Plainly key; consumers with this world's URLs. */
static pid_t start(struct world *w, const char *prog, const char *tag, const char *const *args)
{
	static const char *const set[] = { "BF_PLAINLY_API_KEY=" API_KEY, NULL };

	return world_start(w, prog, tag, strcmp(prog, "bf-producer") != 0, set, args);
}

/* SIGTERM, then the exit status (0 = a clean stop). */
static int stop(struct world *w, pid_t pid)
{
	if (pid > 0)
		kill(pid, SIGTERM);
	return world_wait(w, pid, 15000);
}

static long count(const struct world *w, const char *q)
{
	return sql_long(w->db, q, NULL);
}

/* Requests the fake logged for path (a route key), any status. */
static int requests_for(const struct world *w, const char *path)
{
	return world_sofa_matching(w, 0, path, -1);
}

/* Every key of want[] is in o. */
static void has_keys(const cJSON *o, const char *what, const char *const *want)
{
	for (size_t i = 0; want[i] != NULL; i++)
		if (cJSON_GetObjectItemCaseSensitive(o, want[i]) == NULL)
			t_fail(__FILE__, __LINE__, "%s: no \"%s\"", what, want[i]);
}

/* A scorer of side named name at minute ("23", "90+2") with type. */
static bool has_scorer(const cJSON *side, const char *name, const char *minute, const char *type)
{
	const cJSON *s;

	cJSON_ArrayForEach (s, jget(side, "scorers"))
		if (strcmp(jstr(s, "name"), name) == 0 && strcmp(jstr(s, "minute"), minute) == 0 &&
		    strcmp(jstr(s, "type"), type) == 0)
			return true;
	return false;
}

/* ---- the match day ----------------------------------------------------------- */

static void check_lineup_doc(const cJSON *doc, long long id)
{
	static const char *const top[] = { "kind", "event", "home", "away", NULL };
	static const char *const side[] = { "id",	   "name",	"short_name",
					    "crest_url",   "formation", "starters",
					    "substitutes", "missing",	NULL };
	static const char *const player[] = { "id",	  "name",    "short_name", "shirt_number",
					      "position", "captain", NULL };
	char what[64];

	snprintf(what, sizeof(what), "line-up %lld", id);
	REQUIRE(doc != NULL);
	has_keys(doc, what, top);
	CHECK_INT((long long)jnum(jget(doc, "event"), "id"), id);
	for (int s = 0; s < 2; s++) {
		const cJSON *sd = jget(doc, s ? "away" : "home"), *p;
		int starters = 0;

		has_keys(sd, what, side);
		CHECK(strstr(jstr(sd, "crest_url"), "api-sports.io") != NULL);
		cJSON_ArrayForEach (p, jget(sd, "starters")) {
			has_keys(p, what, player);
			/* before kick-off API-Football does not say who captains */
			CHECK(cJSON_IsNull(jget(p, "captain")));
			CHECK(jnum(p, "shirt_number") > 0);
			starters++;
		}
		CHECK_INT(starters, 11);
	}
}

static void check_result_docs(const cJSON *rec)
{
	static const char *const top[] = { "kind", "event", "status_code", "score_display",
					   "home", "away",  "statistics",  NULL };
	const cJSON *d;

	/* 9101 City 2-1 Arsenal: ratings, a player of the match, statistics */
	d = rec_post_doc(rec, "result:9101");
	REQUIRE(d != NULL);
	has_keys(d, "result 9101", top);
	CHECK_STR(jstr(d, "score_display"), "2-1");
	CHECK_INT((long)jnum(d, "status_code"), 100);
	CHECK_STR(jstr(jget(d, "player_of_the_match"), "name"), "Erling Haaland");
	/* scorers as the events name them */
	CHECK(has_scorer(jget(d, "home"), "E. Haaland", "23", "regular"));
	CHECK(has_scorer(jget(d, "home"), "E. Haaland", "78", "penalty"));
	CHECK(has_scorer(jget(d, "away"), "B. Saka", "51", "penalty"));
	CHECK(cJSON_GetArraySize(jget(d, "statistics")) >= 8);
	/* 9102 Liverpool 1-1 Chelsea, 5-4 on penalties without shoot-out
	 * events; Chelsea's goal is Konaté's own goal, credited to Chelsea */
	d = rec_post_doc(rec, "result:9102");
	REQUIRE(d != NULL);
	CHECK_STR(jstr(d, "score_display"), "1-1 (5-4 pens)");
	CHECK_INT((long)jnum(d, "status_code"), 120);
	CHECK_INT((long)jnum(jget(d, "home"), "penalties"), 5);
	CHECK_INT((long)jnum(jget(d, "away"), "penalties"), 4);
	CHECK(has_scorer(jget(d, "away"), "I. Konaté", "34", "own-goal"));
	CHECK_INT(cJSON_GetArraySize(jget(jget(d, "home"), "scorers")), 1);
	CHECK_INT(cJSON_GetArraySize(jget(jget(d, "away"), "scorers")), 1);
	/* 9104: low coverage, no statistics at all */
	d = rec_post_doc(rec, "result:9104");
	REQUIRE(d != NULL);
	CHECK_STR(jstr(d, "score_display"), "0-0");
	CHECK_INT(cJSON_GetArraySize(jget(d, "statistics")), 0);
}

static void check_round_doc(const cJSON *rec)
{
	static const char *const top[] = {
		"kind",		 "tournament",	"standings_source",  "standings",
		"round_results", "top_scorers", "team_of_the_round", NULL
	};
	const cJSON *d = rec_post_doc(rec, "tournament-stats:39:2026:12");

	REQUIRE(d != NULL);
	has_keys(d, "round", top);
	/* the provider's table of the moment the round completed */
	CHECK_STR(jstr(d, "standings_source"), "api-football");
	CHECK_INT(cJSON_GetArraySize(jget(d, "standings")), 20);
	CHECK_INT(cJSON_GetArraySize(jget(d, "round_results")), 3);
	CHECK_INT((long)jnum(jget(d, "tournament"), "round"), 12);
}

static void matchday_body(struct world *w)
{
	static const char *const none[] = { NULL };
	pid_t prod, lu, res, ts, rnd;
	char log[600];

	prod = start(w, "bf-producer", "producer", none);
	lu = start(w, "bf-lineups", "lineups", none);
	res = start(w, "bf-results", "results", none);
	ts = start(w, "bf-tournament-stats", "tstats", none);
	rnd = start(w, "bf-renders", "renders", none);
	REQUIRE(prod > 0 && lu > 0 && res > 0 && ts > 0 && rnd > 0);
	/* 2 line-ups (9202 only at t=35), 3 results, the round: each video
	 * followed to DONE by bf-renders, which ends its job */
	CHECK_INT(world_wait_count(w, "SELECT count(*) FROM renders", 6, 120000), 6);
	CHECK_INT(world_wait_count(w, "SELECT count(*) FROM renders WHERE state = 'done'", 6,
				   20000),
		  6);
	CHECK_INT(world_wait_count(w, "SELECT count(*) FROM jobs WHERE state <> 'done'", 0, 10000),
		  0);
	CHECK_INT(stop(w, rnd), 0);
	CHECK_INT(stop(w, prod), 0);
	CHECK_INT(stop(w, lu), 0);
	CHECK_INT(stop(w, res), 0);
	CHECK_INT(stop(w, ts), 0);

	/* the producer kept league 39 only, with its seasons and rounds */
	CHECK_INT(count(w, "SELECT count(*) FROM events"), 7);
	CHECK_INT(count(w, "SELECT count(*) FROM events WHERE unique_tournament_id <> 39"), 0);
	CHECK_INT(count(w, "SELECT count(*) FROM events WHERE season_id <> 2026"), 0);
	CHECK_INT(count(w, "SELECT count(*) FROM events WHERE round = 12"), 4);
	CHECK_INT(count(w, "SELECT count(*) FROM events WHERE id = 9103 AND status_type = "
			   "'postponed'"),
		  1);
	CHECK_INT(count(w, "SELECT count(*) FROM data_provider WHERE provider = 'api-football'"),
		  1);
	/* each of the six videos once, nothing dead */
	cJSON *rec = rec_read(w);
	CHECK_INT(rec_count(rec, "POST", "/renders"), 6);
	check_lineup_doc(rec_post_doc(rec, "line-up:9201"), 9201);
	check_lineup_doc(rec_post_doc(rec, "line-up:9202"), 9202);
	check_result_docs(rec);
	check_round_doc(rec);
	cJSON_Delete(rec);
	world_check_queues_empty(w, "line-up");
	world_check_queues_empty(w, "result");
	/* 9202 waited while West Ham had 10 starters */
	world_log(w, "lineups", log, sizeof(log));
	CHECK(tenv_count_lines(log, "event_id=9202") >= 2);
	CHECK(tenv_count_lines(log, "reason=unconfirmed") >= 1);

	/* what it cost: the finished matches came in the producer's batched
	 * answers (fixtures?ids=), which bf-results used: no request of its own
	 * for any result; line-up checks batched too */
	printf("#   requests to API-Football: %zu\n", world_sofa_count(w));
	CHECK_INT(world_sofa_matching(w, 0, NULL, 200), (int)world_sofa_count(w));
	CHECK_INT(requests_for(w, "/fixtures?ids=9104"), 1);
	for (long long id = 9101; id <= 9104; id++) {
		char path[64];
		snprintf(path, sizeof(path), "/fixtures?id=%lld", id);
		CHECK_INT(requests_for(w, path), 0);
	}
	CHECK_INT(requests_for(w, "/fixtures?league=39&round=Regular Season - 12&season=2026"), 1);
	CHECK_INT(requests_for(w, "/standings?league=39&season=2026"), 1);
	/* the key was sent every time and never written to a log */
	CHECK_INT(tenv_count_lines(w->sofa_log, " key=present"), (int)world_sofa_count(w));
	static const char *const tags[] = { "producer", "lineups", "results", "tstats" };
	for (size_t i = 0; i < 4; i++) {
		world_log(w, tags[i], log, sizeof(log));
		CHECK_INT(tenv_count_lines(log, WORLD_AF_KEY), 0);
	}
}

static void matchday_whole_pipeline(void)
{
	run_in_world("matchday", NULL, PRODUCER_CONF, matchday_body);
}

/* ---- the API's own failures, per branch ------------------------------------- */

/* An events row as the producer stores a finished fixture of the replay. */
static int insert_finished(const struct world *w, long long id)
{
	char a[32];
	const char *p[1] = { a };

	snprintf(a, sizeof(a), "%lld", id);
	return sql_cmd(w->db,
		       "INSERT INTO events (id, unique_tournament_id, tournament_name, season_id,"
		       " season_name, round, home_team_id, away_team_id, home_name, away_name,"
		       " start_time, status_code, status_type)"
		       " VALUES ($1::bigint, 39, 'Premier League', 2026, '2026', 12, 30, 39,"
		       "  'Brighton & Hove Albion', 'Wolverhampton', now() - interval '3 hours',"
		       "  100, 'finished')",
		       1, p);
}

static int publish_result(struct world *w, long long id)
{
	struct work_msg m = { .type = MSG_RESULT, .event_id = id };

	return world_publish(w, &m, "test_apifootball");
}

static long attempts(const struct world *w, const char *subject)
{
	return sql_long(w->db, "SELECT attempts FROM jobs WHERE subject = $1", subject);
}

/* The day's quota spent: the result waits (no attempt counted, nothing
 * dead), the breaker says until 00:00 UTC; once the day starts again (the
 * operator closes the breaker early here) the result is made. */
static void quota_body(struct world *w)
{
	static const char *const none[] = { NULL };
	char log[600], why[600];
	pid_t res;

	REQUIRE(insert_finished(w, 9104) == 0);
	CHECK_INT(world_fake_post(w, "/_fake/quota", "{\"day_remaining\": 0}"), 200);
	REQUIRE(publish_result(w, 9104) == 0);
	res = start(w, "bf-results", "results", none);
	REQUIRE(res > 0);
	world_log(w, "results", log, sizeof(log));
	CHECK(tenv_wait_lines(log, "reason=quota-spent", 3, 20000));
	/* said loudly once, with until when */
	CHECK_INT(tenv_count_lines(log, " error bf-results"), 1);
	CHECK_INT(tenv_count_lines(log, "circuit breaker open, no API-Football calls"), 1);
	CHECK_INT(tenv_count_lines(log, "outcome=dead"), 0);
	CHECK_INT(attempts(w, "result:9104"), 0);
	CHECK_INT(world_depth(w, "bf.result.dead", 0, 500), 0);
	sql_text(w->db, "SELECT reason FROM sofascore_breaker WHERE open_until > now()", NULL, why,
		 sizeof(why));
	CHECK(strstr(why, "daily quota") != NULL);
	CHECK(count(w, "SELECT EXTRACT(EPOCH FROM open_until - now())::bigint FROM "
		       "sofascore_breaker") >= (86400 - (long)(time(NULL) % 86400)) - 5);
	/* one request found the quota spent; the waits asked nothing */
	CHECK_INT(requests_for(w, "/fixtures?id=9104"), 1);

	/* 00:00 UTC: the API's day and ours start again (the breaker, which
	 * would close by itself then, is closed early here) */
	CHECK_INT(world_fake_post(w, "/_fake/quota", "{\"day_remaining\": 100}"), 200);
	REQUIRE(sql_exec(w->db, "UPDATE sofascore_budget SET day = day - 1;"
				"UPDATE sofascore_breaker SET open_until = NULL") == 0);
	CHECK_INT(world_wait_count(w,
				   "SELECT count(*) FROM jobs WHERE subject = 'result:9104' AND "
				   "state = 'rendering'",
				   1, 20000),
		  1);
	CHECK_INT(stop(w, res), 0);
	cJSON *rec = rec_read(w);
	CHECK_INT(rec_count(rec, "POST", "/renders"), 1);
	cJSON_Delete(rec);
	world_check_queues_empty(w, "result");
}

static void quota_spent_waits_then_resumes(void)
{
	run_in_world("quota", NULL, NULL, quota_body);
}

/* The key refused inside a 200: one loud line, the breaker opens, the work
 * waits and is never dead. */
static void token_body(struct world *w)
{
	static const char *const none[] = { NULL };
	char log[600];
	pid_t res;

	REQUIRE(insert_finished(w, 9104) == 0);
	REQUIRE(publish_result(w, 9104) == 0);
	res = start(w, "bf-results", "results", none);
	REQUIRE(res > 0);
	world_log(w, "results", log, sizeof(log));
	CHECK(tenv_wait_lines(log, "reason=api-football-refused", 3, 20000));
	CHECK_INT(tenv_count_lines(log, " error bf-results"), 1);
	CHECK_INT(tenv_count_lines(log, "circuit breaker open, no API-Football calls"), 1);
	CHECK_INT(tenv_count_lines(log, "outcome=dead"), 0);
	CHECK_INT(requests_for(w, "/fixtures?id=9104"), 1);
	CHECK_INT(stop(w, res), 0);
	CHECK_INT(world_depth(w, "bf.result.dead", 0, 500), 0);
	CHECK_INT(count(w, "SELECT count(*) FROM sofascore_breaker WHERE open_until > now() + "
			   "interval '14 minutes'"),
		  1);
}

static void wrong_key_opens_the_breaker(void)
{
	run_in_world("token", NULL,
		     "apifootball = { base_url = \"{sofa}\"; api_key = \"not-the-key\";"
		     " timeout = \"5s\"; };",
		     token_body);
}

/* fault: a plan or a parameter error on the fixture; the message is dead
 * with a reason that says which. */
static void dead_body(struct world *w, const char *fault, const char *reason, const char *says)
{
	static const char *const none[] = { NULL };
	char body[200], err[600], log[600];
	pid_t res;

	REQUIRE(insert_finished(w, 9104) == 0);
	snprintf(body, sizeof(body),
		 "{\"path\": \"/fixtures?id=9104\", \"fault\": \"%s\", "
		 "\"count\": -1}",
		 fault);
	CHECK_INT(world_fake_post(w, "/_fake/fault", body), 200);
	REQUIRE(publish_result(w, 9104) == 0);
	res = start(w, "bf-results", "results", none);
	REQUIRE(res > 0);
	CHECK_INT(world_depth(w, "bf.result.dead", 1, 20000), 1);
	CHECK_INT(stop(w, res), 0);
	world_log(w, "results", log, sizeof(log));
	snprintf(body, sizeof(body), "outcome=dead queue=bf.result.dead reason=%s", reason);
	CHECK_INT(tenv_count_lines(log, body), 1);
	sql_text(w->db, "SELECT last_error FROM jobs WHERE subject = $1", "result:9104", err,
		 sizeof(err));
	CHECK(strstr(err, says) != NULL);
	/* not retried: one request */
	CHECK_INT(requests_for(w, "/fixtures?id=9104"), 1);
}

static void plan_body(struct world *w)
{
	dead_body(w, "plan", "api-football-plan", "plan does not cover");
}

static void param_body(struct world *w)
{
	dead_body(w, "param", "api-football-failed", "refused the request: league");
}

static void plan_error_is_a_dead_letter(void)
{
	run_in_world("plan", NULL, NULL, plan_body);
}

static void parameter_error_is_a_dead_letter(void)
{
	run_in_world("param", NULL, NULL, param_body);
}

/* A database that holds Sofascore's ids: a program on API-Football refuses
 * to start and says why; one on Sofascore starts. */
static void mismatch_body(struct world *w)
{
	static const char *const once[] = { "--once", NULL };
	char log[600];
	pid_t p;

	REQUIRE(sql_exec(w->db, "INSERT INTO data_provider (provider) VALUES ('sofascore')") == 0);
	p = start(w, "bf-producer", "producer", once);
	REQUIRE(p > 0);
	CHECK(world_wait(w, p, 20000) != 0);
	world_log(w, "producer", log, sizeof(log));
	CHECK_INT(tenv_count_lines(log, "this database holds sofascore data"), 1);
	CHECK_INT(tenv_count_lines(log, "source.provider is api-football"), 1);
	CHECK_INT(world_sofa_count(w), 0);
	CHECK_INT(count(w, "SELECT count(*) FROM events"), 0);
}

static void database_of_the_other_provider_refused(void)
{
	run_in_world("mismatch", NULL, PRODUCER_CONF, mismatch_body);
}

/* The season: each fixture's own (found, not configured); apifootball.seasons
 * pins a league to another one, whose fixtures alone are then kept. */
static void season_body(struct world *w)
{
	static const char *const once[] = { "--once", NULL };
	pid_t p;

	REQUIRE(world_conf(
			w, PRODUCER_CONF
			"\napifootball = { base_url = \"{sofa}\"; api_key = \"" WORLD_AF_KEY
			"\"; requests_per_day = 0; requests_per_minute = 0; seasons = [ 39, 2025 ]; };") ==
		0);
	p = start(w, "bf-producer", "producer-pinned", once);
	REQUIRE(p > 0);
	CHECK_INT(world_wait(w, p, 30000), 0);
	CHECK_INT(count(w, "SELECT count(*) FROM events"), 0); /* the replay's are 2026's */
	REQUIRE(world_conf(w, PRODUCER_CONF) == 0);
	p = start(w, "bf-producer", "producer-found", once);
	REQUIRE(p > 0);
	CHECK_INT(world_wait(w, p, 30000), 0);
	CHECK_INT(count(w, "SELECT count(*) FROM events WHERE season_id = 2026"), 7);
	CHECK_INT(count(w, "SELECT count(*) FROM events"), 7);
}

static void season_found_or_pinned_per_league(void)
{
	run_in_world("season", NULL, PRODUCER_CONF, season_body);
}

/* ---- the quota shared by every process -------------------------------------- */

#define SHARED_DAY 8
#define PER_CHILD 10

/* A child: its own client on the world's database, PER_CHILD fixtures
 * asked as fast as allowed; exits with how many got an answer. */
static void quota_child(const struct world *w, int k)
{
	struct bf_config cfg;
	struct source *s;
	int ok = 0;

	world_child_config(w, k, &cfg);
	cfg.af_max_rps = 50;
	cfg.af_per_day = SHARED_DAY;
	cfg.af_per_minute = 0;
	if (source_pg_open(&s, &cfg, w->db, 0) != 0)
		_exit(101);
	for (int i = 0; i < PER_CHILD; i++) {
		struct source_resp r;
		struct match_event ev;
		/* each fixture once (an answer of the last 2 s is not asked again):
		 * unknown ones are answered too, with nothing */
		enum source_result res = source_get_event(s, 9101 + k * 1000 + i, 0, &ev, &r);
		if (res == SOURCE_OK || res == SOURCE_NOT_FOUND)
			ok++;
		else if (res != SOURCE_REFUSED || r.reason != SOURCE_R_QUOTA)
			fprintf(stderr, "GET failed unexpectedly: %s\n", r.error);
		clock_sleep_ms(5);
	}
	source_close(s);
	cfg_free(&cfg);
	_exit(ok);
}

/* Two processes sharing a day of SHARED_DAY requests: the fake counts
 * exactly that many, none refused by it, and both got some. */
static void shared_quota_body(struct world *w)
{
	pid_t kids[2];
	int got[2];

	fflush(stdout);
	for (int k = 0; k < 2; k++) {
		kids[k] = fork();
		if (kids[k] == 0)
			quota_child(w, k);
		REQUIRE(kids[k] > 0);
		world_track(w, kids[k]);
	}
	for (int k = 0; k < 2; k++) {
		got[k] = tenv_wait(kids[k], 30000);
		world_untrack(w, kids[k]);
	}
	printf("#   answered: %d and %d of %d each; the fake counted %zu\n", got[0], got[1],
	       PER_CHILD, world_sofa_count(w));
	CHECK_INT(got[0] + got[1], SHARED_DAY);
	CHECK_INT(world_sofa_count(w), SHARED_DAY);
	CHECK_INT(world_sofa_matching(w, 0, NULL, 200), SHARED_DAY);
	CHECK_INT(count(w, "SELECT used_day FROM sofascore_budget"), SHARED_DAY);
}

static void two_processes_share_the_day(void)
{
	run_in_world("shared", NULL, NULL, shared_quota_body);
}

/* The day's quota (ours) spent in the middle of the work: the rest waits
 * (quota-spent, no attempt, nothing dead) and is made once the day starts
 * again.  Two results waiting together cost one request (fixtures?ids=). */
static void midday_body(struct world *w)
{
	static const char *const none[] = { NULL };
	char log[600];
	pid_t res;

	for (long long id = 9101; id <= 9104; id++)
		if (id != 9103)
			REQUIRE(insert_finished(w, id) == 0);
	/* past the replay's last change: 9101 and 9102 have finished too */
	CHECK_INT(world_fake_post(w, "/_fake/advance", "{\"seconds\": 40}"), 200);
	REQUIRE(publish_result(w, 9104) == 0);
	REQUIRE(publish_result(w, 9101) == 0);
	REQUIRE(broker_flush(w->b, 10000) == 0);
	res = start(w, "bf-results", "results", none);
	REQUIRE(res > 0);
	CHECK_INT(world_wait_count(w, "SELECT count(*) FROM jobs WHERE state = 'rendering'", 2,
				   20000),
		  2);
	CHECK_INT(requests_for(w, "/fixtures?ids=9104-9101"), 1);
	REQUIRE(publish_result(w, 9102) == 0);
	world_log(w, "results", log, sizeof(log));
	CHECK(tenv_wait_lines(log, "reason=quota-spent", 2, 20000));
	CHECK_INT(tenv_count_lines(log, "daily quota spent (1 requests)"), 3);
	CHECK_INT(attempts(w, "result:9102"), 0);
	CHECK_INT(world_sofa_count(w), 1);
	/* 00:00 UTC: the count is of yesterday; the breaker is closed early here
	 * (it would close by itself at midnight) */
	REQUIRE(sql_exec(w->db, "UPDATE sofascore_budget SET day = day - 1;"
				"UPDATE sofascore_breaker SET open_until = NULL") == 0);
	CHECK_INT(world_wait_count(w, "SELECT count(*) FROM jobs WHERE state = 'rendering'", 3,
				   20000),
		  3);
	CHECK_INT(stop(w, res), 0);
	CHECK_INT(world_depth(w, "bf.result.dead", 0, 500), 0);
	cJSON *rec = rec_read(w);
	CHECK_INT(rec_count(rec, "POST", "/renders"), 3);
	cJSON_Delete(rec);
	CHECK_INT(world_sofa_count(w), 2);
	world_check_queues_empty(w, "result");
}

static void quota_of_ours_spent_midday_resumes(void)
{
	run_in_world("midday", NULL,
		     "apifootball = { base_url = \"{sofa}\"; api_key = \"" WORLD_AF_KEY
		     "\"; requests_per_day = 1; max_requests_per_second = 50.0; };",
		     midday_body);
}

int main(int argc, char **argv)
{
	static const struct t_case cases[] = {
		T_CASE(matchday_whole_pipeline),
		T_CASE(quota_spent_waits_then_resumes),
		T_CASE(wrong_key_opens_the_breaker),
		T_CASE(plan_error_is_a_dead_letter),
		T_CASE(parameter_error_is_a_dead_letter),
		T_CASE(database_of_the_other_provider_refused),
		T_CASE(season_found_or_pinned_per_league),
		T_CASE(two_processes_share_the_day),
		T_CASE(quota_of_ours_spent_midday_resumes),
	};

	log_init("test_apifootball");
	tenv_require();
	signals_install();
	curl_global_init(CURL_GLOBAL_DEFAULT);
	t_run_matching(cases, sizeof(cases) / sizeof(cases[0]), argc, argv);
	return t_done();
}
