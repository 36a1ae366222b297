/*
 * bf-results end to end: the real binary against the real RabbitMQ and
 * PostgreSQL of ops/dev/services, with fake Sofascore and fake Plainly.
 * Each case has its own world (tests/support/world.h: vhost, database,
 * fakes, processes), all cleaned up even when a check fails (and at exit).
 *
 * Sofascore routes: tests/data/scenarios/results-cases/ (written by its
 * generate.py; line-ups, statistics, the AET and penalty events are the
 * fixtures of tests/data/fixtures/sofascore/).  The events rows are inserted
 * as bf-producer would have stored them (finished, no score yet).  Wait
 * tiers are 1 s and 2 s (tests/support/testenv.c); Plainly templates have
 * no parameter mapping, so a POST's parameters are the whole document.
 *
 * test_results [NAME...] runs only the cases whose name contains NAME.
 */
#include <cjson/cJSON.h>
#include <curl/curl.h>
#include <inttypes.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "lib/clock.h"
#include "lib/log.h"
#include "lib/signals.h"
#include "protocol/broker.h"
#include "protocol/message.h"
#include "tests/support/hold.h"
#include "tests/support/query.h"
#include "tests/support/t.h"
#include "tests/support/testenv.h"
#include "tests/support/world.h"

#define SCENARIO "tests/data/scenarios/results-cases"
#define API_KEY "testkey"
#define IDLE_EXIT "4"
#define BASE 1790000000LL /* the generator's BASE: start times are BASE - n hours */

#define CHECK_NEAR(a, b)                                                                    \
	do {                                                                                \
		double t_a = (a), t_b = (b);                                                \
		if (!(fabs(t_a - t_b) < 1e-6))                                              \
			t_fail(__FILE__, __LINE__, "%s == %s: %g != %g", #a, #b, t_a, t_b); \
	} while (0)

/* ---- rows and requests ------------------------------------------------------ */

/* An events row as bf-producer stores a finished match before its result:
 * ut 17, season 76986 (Premier League 26/27), round 12, no score yet. */
static int insert_event(const struct world *w, long long id, int home, const char *hname, int away,
			const char *aname, long long start)
{
	char a[32], h[16], aw[16], s[32];
	const char *p[6] = { a, h, aw, hname, aname, s };

	snprintf(a, sizeof(a), "%lld", id);
	snprintf(h, sizeof(h), "%d", home);
	snprintf(aw, sizeof(aw), "%d", away);
	snprintf(s, sizeof(s), "%lld", start);
	return sql_cmd(
		w->db,
		"INSERT INTO events (id, unique_tournament_id, tournament_name, season_id,"
		" season_name, round, home_team_id, away_team_id, home_name, away_name,"
		" start_time, status_code, status_type)"
		" VALUES ($1::bigint, 17, 'Premier League', 76986, 'Premier League 26/27', 12,"
		"  $2::bigint, $3::bigint, $4, $5, to_timestamp($6::bigint), 100, 'finished')",
		6, p);
}

/* The request of a result POST: auth, template, subject. */
static void check_post(const cJSON *post, const char *subject)
{
	const cJSON *body = jget(post, "body");
	const cJSON *attrs = jget(body, "attributes");

	CHECK_STR(jstr(post, "auth"), "Basic dGVzdGtleTo="); /* base64("testkey:") */
	CHECK_STR(jstr(body, "projectId"), "proj-result");
	CHECK_STR(jstr(body, "templateId"), "tpl-result");
	CHECK_STR(jstr(attrs, "bfSubject"), subject);
	CHECK_STR(jstr(attrs, "bfKind"), "result");
	CHECK_INT((long)jnum(post, "status"), 200);
}

/* ---- world ----------------------------------------------------------------- */

/* 0 or -1; the caller always calls world_close. */
static void run_in_world(const char *tag, const char *plainly_script, const char *extra_conf,
			 void (*body)(struct world *))
{
	const struct world_opts o = {
		.prefix = "t-res",
		.scenario = SCENARIO,
		.plainly = true,
		.plainly_key = API_KEY,
		.plainly_script = plainly_script,
		.extra_conf = extra_conf,
		.broker = "test_results",
	};

	world_case(tag, &o, NULL, body);
}

/*
 * Starts bin/bf-results -c CONF --idle-exit 4 with this world's broker and
 * database (the BF_AMQP_URL / BF_DATABASE_URL of ops/dev/services would
 * override the file), the Plainly API key, and envset ("NAME=value", may be
 * NULL).  Log: var/log/<world>-<tag>.log (emptied).
 */
static pid_t spawn_results(struct world *w, const char *tag, const char *envset)
{
	const char *set[] = { "BF_PLAINLY_API_KEY=" API_KEY, envset, NULL };
	static const char *const idle[] = { "--idle-exit", IDLE_EXIT, NULL };

	return world_start(w, "bf-results", tag, true, set, idle);
}

static int publish_result(struct world *w, int64_t event_id)
{
	struct work_msg m = { .type = MSG_RESULT, .event_id = event_id };

	return world_publish(w, &m, "test_results");
}

static void job_state(const struct world *w, const char *subject, char *buf, size_t n)
{
	world_job_state(w, "result", subject, buf, n);
}

/* job rendering (bf-renders ends it), render submitted with a Plainly id */
static void check_done(const struct world *w, const char *subject)
{
	char state[64];

	job_state(w, subject, state, sizeof(state));
	CHECK_STR(state, "rendering");
	sql_text(w->db, "SELECT state FROM renders WHERE kind = 'result' AND subject = $1", subject,
		 state, sizeof(state));
	CHECK_STR(state, "submitted");
	CHECK(!sql_null(
		w->db,
		"SELECT plainly_render_id FROM renders WHERE kind = 'result' AND subject = $1",
		subject));
}

/* ---- document checks ----------------------------------------------------- */

struct scorer_want {
	const char *name, *minute, *type;
};

static void check_scorers(const cJSON *side, const char *which, const struct scorer_want *w, int n)
{
	const cJSON *sc = jget(side, "scorers"), *s;
	int i = 0;

	if (!cJSON_IsArray(sc)) {
		t_fail(__FILE__, __LINE__, "%s.scorers is not an array", which);
		return;
	}
	if (cJSON_GetArraySize(sc) != n)
		t_fail(__FILE__, __LINE__, "%s.scorers: %d, want %d", which, cJSON_GetArraySize(sc),
		       n);
	cJSON_ArrayForEach (s, sc) {
		if (i < n && (strcmp(jstr(s, "name"), w[i].name) != 0 ||
			      strcmp(jstr(s, "minute"), w[i].minute) != 0 ||
			      strcmp(jstr(s, "type"), w[i].type) != 0))
			t_fail(__FILE__, __LINE__,
			       "%s.scorers[%d] = {%s, %s, %s}, want {%s, %s, %s}", which, i,
			       jstr(s, "name"), jstr(s, "minute"), jstr(s, "type"), w[i].name,
			       w[i].minute, w[i].type);
		i++;
	}
}

static void check_side(const cJSON *doc, const char *which, long id, const char *name,
		       const char *short_name, int score)
{
	const cJSON *s = jget(doc, which);
	char crest[128];

	CHECK_INT((long)jnum(s, "id"), id);
	CHECK_STR(jstr(s, "name"), name);
	CHECK_STR(jstr(s, "short_name"), short_name);
	snprintf(crest, sizeof(crest), "https://img.sofascore.com/api/v1/team/%ld/image", id);
	CHECK_STR(jstr(s, "crest_url"), crest);
	CHECK_INT((long)jnum(s, "score"), score);
}

struct stat_want {
	const char *key, *name;
	double home, away;
};

/* statistics of the fixture statistics.json, in the document's order */
static const struct stat_want fixture_stats[] = {
	{ "ballPossession", "Ball possession", 58, 42 },
	{ "expectedGoals", "Expected goals", 1.84, 1.17 },
	{ "bigChanceCreated", "Big chances", 3, 2 },
	{ "totalShotsOnGoal", "Total shots", 15, 9 },
	{ "shotsOnGoal", "Shots on target", 6, 3 },
	{ "cornerKicks", "Corner kicks", 7, 3 },
	{ "fouls", "Fouls", 11, 13 },
	{ "goalkeeperSaves", "Goalkeeper saves", 2, 5 },
	{ "offsides", "Offsides", 1, 3 },
	{ "yellowCards", "Yellow cards", 1, 1 },
	{ "redCards", "Red cards", 1, 0 },
	{ "passes", "Passes", 563, 412 },
	{ "accuratePasses", "Accurate passes", 493, 350 },
};

static void check_fixture_statistics(const cJSON *doc)
{
	const cJSON *st = jget(doc, "statistics"), *s;
	size_t n = sizeof(fixture_stats) / sizeof(fixture_stats[0]), i = 0;

	REQUIRE(cJSON_IsArray(st));
	CHECK_INT(cJSON_GetArraySize(st), (long)n);
	cJSON_ArrayForEach (s, st) {
		if (i < n) {
			const struct stat_want *x = &fixture_stats[i];
			if (strcmp(jstr(s, "key"), x->key) != 0 ||
			    strcmp(jstr(s, "name"), x->name) != 0 ||
			    fabs(jnum(s, "home") - x->home) > 1e-9 ||
			    fabs(jnum(s, "away") - x->away) > 1e-9)
				t_fail(__FILE__, __LINE__,
				       "statistics[%zu] = {%s, %s, %g, %g}, want {%s, %s, %g, %g}",
				       i, jstr(s, "key"), jstr(s, "name"), jnum(s, "home"),
				       jnum(s, "away"), x->key, x->name, x->home, x->away);
			/* numbers are numbers, from homeValue/awayValue, never the display */
			CHECK(cJSON_IsNumber(jget(s, "home")) && cJSON_IsNumber(jget(s, "away")));
		}
		i++;
	}
	/* the display text is kept next to the numbers */
	CHECK_STR(jstr(cJSON_GetArrayItem(st, 0), "home_display"), "58%");
	CHECK_STR(jstr(cJSON_GetArrayItem(st, 12), "home_display"), "493/563 (88%)");
}

/* ---- 1. a finished match: rows and document --------------------------------- */

#define EV_FULL 14025001LL
#define EV_AET 14025003LL
#define EV_PENS 14025004LL
#define EV_NOSTATS 14025011LL

static int insert_full(struct world *w)
{
	return insert_event(w, EV_FULL, 17, "Manchester City", 42, "Arsenal", BASE - 3 * 3600);
}

/* The stored rows of 14025001 (line-ups and statistics fixtures, generated incidents). */
static void check_full_rows(struct world *w)
{
	const char *url = w->db;

	/* events: final status and score, stored */
	CHECK_INT(sql_long(url, "SELECT status_code FROM events WHERE id = 14025001", NULL), 100);
	char s[128];
	sql_text(url,
		 "SELECT status_type || ' ' || home_score || '-' || away_score || ' w'"
		 " || winner_code FROM events WHERE id = 14025001",
		 NULL, s, sizeof(s));
	CHECK_STR(s, "finished 2-1 w1");
	CHECK(sql_null(url, "SELECT home_penalties FROM events WHERE id = 14025001", NULL));
	CHECK(!sql_null(url, "SELECT result_stored_at FROM events WHERE id = 14025001", NULL));

	/* line-ups: 18 a side, minutes, ratings, the statistics object */
	CHECK_INT(sql_long(url, "SELECT count(*) FROM lineups WHERE event_id = 14025001", NULL),
		  36);
	CHECK_INT(sql_long(url,
			   "SELECT count(*) FROM lineups WHERE event_id = 14025001"
			   " AND side = 'home'",
			   NULL),
		  18);
	sql_text(url,
		 "SELECT side || ' ' || position || ' ' || shirt || ' ' || substitute || ' '"
		 " || minutes || ' ' || rating || ' ' || (stats->>'touches') || ' '"
		 " || (stats->>'expectedGoals') FROM lineups WHERE event_id = 14025001"
		 " AND player_id = 839956",
		 NULL, s, sizeof(s));
	CHECK_STR(s, "home F 9 false 90 8.10 77 0.87");
	sql_text(url,
		 "SELECT player_name FROM lineups WHERE event_id = 14025001 AND player_id = 839956",
		 NULL, s, sizeof(s));
	CHECK_STR(s, "Erling Haaland");
	/* Rodri: 8 minutes, no rating */
	CHECK_INT(sql_long(url,
			   "SELECT minutes FROM lineups WHERE event_id = 14025001"
			   " AND player_id = 581310",
			   NULL),
		  8);
	CHECK(sql_null(url,
		       "SELECT rating FROM lineups WHERE event_id = 14025001"
		       " AND player_id = 581310",
		       NULL));
	/* an unused substitute: no statistics at all */
	CHECK(sql_null(url,
		       "SELECT coalesce(minutes::text, stats::text, rating::text) FROM lineups"
		       " WHERE event_id = 14025001 AND player_id = 190150",
		       NULL));
	CHECK_INT(sql_long(url,
			   "SELECT count(*) FROM lineups WHERE event_id = 14025001"
			   " AND player_id = 190150 AND substitute",
			   NULL),
		  1);
	sql_text(url,
		 "SELECT string_agg(player_name, ',' ORDER BY side) FROM lineups"
		 " WHERE event_id = 14025001 AND captain",
		 NULL, s, sizeof(s));
	CHECK_STR(s, "Martin Ødegaard,Bernardo Silva");
	CHECK_INT(sql_long(url,
			   "SELECT count(*) FROM lineups WHERE event_id = 14025001"
			   " AND rating IS NOT NULL",
			   NULL),
		  26);
	sql_text(url,
		 "SELECT string_agg(side || ':' || formation || ':' || confirmed, ' ' ORDER BY side)"
		 " FROM lineup_sides WHERE event_id = 14025001",
		 NULL, s, sizeof(s));
	CHECK_STR(s, "away:4-2-3-1:true home:4-3-3:true");

	/* team statistics: every period and key of the fixture (29 + 28 + 29) */
	CHECK_INT(sql_long(url, "SELECT count(*) FROM team_statistics WHERE event_id = 14025001",
			   NULL),
		  86);
	sql_text(url,
		 "SELECT string_agg(period || '=' || n, ' ' ORDER BY period) FROM"
		 " (SELECT period, count(*) AS n FROM team_statistics WHERE event_id = 14025001"
		 "  GROUP BY period) x",
		 NULL, s, sizeof(s));
	CHECK_STR(s, "1ST=28 2ND=29 ALL=29");
	sql_text(url,
		 "SELECT home || ' ' || away || ' ' || home_value || ' ' || away_value"
		 " FROM team_statistics WHERE event_id = 14025001 AND period = 'ALL'"
		 " AND key = 'ballPossession'",
		 NULL, s, sizeof(s));
	CHECK_STR(s, "58% 42% 58 42");
	sql_text(url,
		 "SELECT home_value || ' ' || away_value FROM team_statistics"
		 " WHERE event_id = 14025001 AND period = '1ST' AND key = 'expectedGoals'",
		 NULL, s, sizeof(s));
	CHECK_STR(s, "1.12 0.21");
	sql_text(url,
		 "SELECT home || ' ' || home_value || ' ' || group_name FROM team_statistics"
		 " WHERE event_id = 14025001 AND period = 'ALL' AND key = 'accuratePasses'",
		 NULL, s, sizeof(s));
	CHECK_STR(s, "493/563 (88%) 493 Passes");

	/* incidents: 3 goals, 3 cards, 6 substitutions, 2 periods, 2 injury-time markers */
	CHECK_INT(sql_long(url, "SELECT count(*) FROM incidents WHERE event_id = 14025001", NULL),
		  16);
	sql_text(url,
		 "SELECT string_agg(type || '=' || n, ' ' ORDER BY type) FROM"
		 " (SELECT type, count(*) AS n FROM incidents WHERE event_id = 14025001"
		 "  GROUP BY type) x",
		 NULL, s, sizeof(s));
	CHECK_STR(s, "card=3 goal=3 injuryTime=2 period=2 substitution=6");
	char goals[512];
	sql_text(url,
		 "SELECT string_agg(minute || '+' || coalesce(added_time::text, '-') || ' '"
		 " || class || ' ' || side || ' ' || player_name || ' ' || player_id || ' '"
		 " || home_score || '-' || away_score, '; ' ORDER BY minute)"
		 " FROM incidents WHERE event_id = 14025001 AND type = 'goal'",
		 NULL, goals, sizeof(goals));
	CHECK_STR(goals, "23+- regular home Erling Haaland 839956 1-0; "
			 "45+2 ownGoal away Rúben Dias 794839 1-1; "
			 "67+- penalty home Phil Foden 859025 2-1");
	sql_text(url,
		 "SELECT string_agg(minute || ' ' || class || ' ' || side || ' ' || player_name,"
		 " '; ' ORDER BY minute) FROM incidents WHERE event_id = 14025001 AND type = 'card'",
		 NULL, goals, sizeof(goals));
	CHECK_STR(goals, "34 yellow away Declan Rice; 55 yellow home Tijjani Reijnders; "
			 "81 red home Joško Gvardiol");
	sql_text(url,
		 "SELECT string_agg(minute || ' ' || side || ' ' || player_name || ' for '"
		 " || assist_name, '; ' ORDER BY minute) FROM incidents WHERE event_id = 14025001"
		 " AND type = 'substitution'",
		 NULL, goals, sizeof(goals));
	CHECK_STR(
		goals,
		"8 home Mateo Kovačić for Rodri; 62 away Mikel Merino for Martin Ødegaard; "
		"70 home Rayan Cherki for Phil Foden; 75 away Gabriel Martinelli for Eberechi Eze; "
		"80 home Omar Marmoush for Jérémy Doku; 88 away Leandro Trossard for Bukayo Saka");
}

static const struct scorer_want full_home[] = {
	{ "Erling Haaland", "23", "regular" },
	{ "Phil Foden", "67", "penalty" },
};
/* Rúben Dias plays for City; his own goal counts for Arsenal */
static const struct scorer_want full_away[] = {
	{ "Rúben Dias", "45+2", "own-goal" },
};

static void check_full_document(const cJSON *doc)
{
	const cJSON *ev = jget(doc, "event"), *potm = jget(doc, "player_of_the_match");
	char iso[32];

	CHECK_STR(jstr(doc, "kind"), "result");
	CHECK_INT((long long)jnum(ev, "id"), EV_FULL);
	clock_iso_utc(BASE - 3 * 3600, iso, sizeof(iso));
	CHECK_STR(jstr(ev, "start_time"), iso);
	CHECK_STR(jstr(ev, "tournament"), "Premier League");
	CHECK_STR(jstr(ev, "season"), "Premier League 26/27");
	CHECK_INT((long)jnum(ev, "round"), 12);
	CHECK_STR(jstr(ev, "venue"), "Etihad Stadium");
	CHECK_INT((long)jnum(doc, "status_code"), 100);
	CHECK_STR(jstr(doc, "score_display"), "2-1");
	CHECK(cJSON_IsFalse(jget(doc, "after_extra_time")));
	check_side(doc, "home", 17, "Manchester City", "Man City", 2);
	check_side(doc, "away", 42, "Arsenal", "Arsenal", 1);
	CHECK(jget(jget(doc, "home"), "penalties") == NULL);
	CHECK(jget(jget(doc, "away"), "penalties") == NULL);
	check_scorers(jget(doc, "home"), "home", full_home, 2);
	check_scorers(jget(doc, "away"), "away", full_away, 1);
	check_fixture_statistics(doc);
	/* the best rating of the line-ups fixture: Haaland 8.1 */
	CHECK(cJSON_IsObject(potm));
	CHECK_STR(jstr(potm, "name"), "Erling Haaland");
	CHECK_STR(jstr(potm, "team"), "Manchester City");
	CHECK_NEAR(jnum(potm, "rating"), 8.1);
}

static void full_body(struct world *w)
{
	pid_t pid;

	REQUIRE(insert_full(w) == 0);
	REQUIRE(publish_result(w, EV_FULL) == 0);
	REQUIRE(broker_flush(w->b, 10000) == 0);
	pid = spawn_results(w, "results", NULL);
	REQUIRE(pid > 0);
	CHECK_INT(world_wait(w, pid, 30000), 0);

	check_full_rows(w);
	cJSON *rec = rec_read(w);
	CHECK_INT(rec_posts(rec, NULL, NULL), 1);
	const cJSON *post = rec_post(rec, "result:14025001");
	CHECK(post != NULL);
	if (post != NULL) {
		check_post(post, "result:14025001");
		check_full_document(jget(jget(post, "body"), "parameters"));
	}
	cJSON_Delete(rec);
	/* each part fetched once */
	CHECK_INT(tenv_count_lines(w->sofa_log, " GET /event/14025001 200"), 1);
	CHECK_INT(tenv_count_lines(w->sofa_log, " GET /event/14025001/lineups 200"), 1);
	CHECK_INT(tenv_count_lines(w->sofa_log, " GET /event/14025001/statistics 200"), 1);
	CHECK_INT(tenv_count_lines(w->sofa_log, " GET /event/14025001/incidents 200"), 1);
	check_done(w, "result:14025001");
	CHECK_INT(sql_long(w->db, "SELECT attempts FROM jobs WHERE subject = 'result:14025001'",
			   NULL),
		  0);
	world_check_queues_empty(w, "result");
}

static void finished_match_rows_and_document(void)
{
	run_in_world("full", NULL, NULL, full_body);
}

/* ---- 2. penalties and extra time ------------------------------------------------ */

static void pens_body(struct world *w)
{
	pid_t pid;
	char s[128];

	/* the fixtures: Aston Villa 1-1 Tottenham (5-4 pens), Brighton 2-1 Newcastle (AET) */
	REQUIRE(insert_event(w, EV_PENS, 40, "Aston Villa", 33, "Tottenham Hotspur", 1789835400) ==
		0);
	REQUIRE(insert_event(w, EV_AET, 30, "Brighton & Hove Albion", 39, "Newcastle United",
			     1789826400) == 0);
	REQUIRE(publish_result(w, EV_PENS) == 0);
	REQUIRE(publish_result(w, EV_AET) == 0);
	REQUIRE(broker_flush(w->b, 10000) == 0);
	pid = spawn_results(w, "results", NULL);
	REQUIRE(pid > 0);
	CHECK_INT(world_wait(w, pid, 30000), 0);

	cJSON *rec = rec_read(w);
	CHECK_INT(rec_posts(rec, NULL, NULL), 2);
	const cJSON *p = rec_post(rec, "result:14025004");
	const cJSON *doc = jget(jget(p, "body"), "parameters");
	CHECK(doc != NULL);
	/* current is 6-5 (shoot-out included), display 1-1 */
	CHECK_STR(jstr(doc, "score_display"), "1-1 (5-4 pens)");
	CHECK_INT((long)jnum(doc, "status_code"), 120);
	CHECK(cJSON_IsTrue(jget(doc, "after_extra_time")));
	check_side(doc, "home", 40, "Aston Villa", "Aston Villa", 1);
	check_side(doc, "away", 33, "Tottenham Hotspur", "Tottenham", 1);
	CHECK_INT((long)jnum(jget(doc, "home"), "penalties"), 5);
	CHECK_INT((long)jnum(jget(doc, "away"), "penalties"), 4);
	/* shoot-out kicks are not goals */
	static const struct scorer_want ph[] = { { "Ollie Watkins", "71", "regular" } };
	static const struct scorer_want pa[] = { { "Richarlison", "35", "regular" } };
	check_scorers(jget(doc, "home"), "home", ph, 1);
	check_scorers(jget(doc, "away"), "away", pa, 1);
	CHECK_INT(cJSON_GetArraySize(jget(doc, "statistics")), 0);
	CHECK_STR(jstr(jget(doc, "player_of_the_match"), "name"), "Ollie Watkins");

	p = rec_post(rec, "result:14025003");
	doc = jget(jget(p, "body"), "parameters");
	CHECK(doc != NULL);
	CHECK_STR(jstr(doc, "score_display"), "2-1 (AET)");
	CHECK_INT((long)jnum(doc, "status_code"), 110);
	CHECK(cJSON_IsTrue(jget(doc, "after_extra_time")));
	check_side(doc, "home", 30, "Brighton & Hove Albion", "Brighton", 2);
	check_side(doc, "away", 39, "Newcastle United", "Newcastle", 1);
	CHECK(jget(jget(doc, "home"), "penalties") == NULL);
	static const struct scorer_want ah[] = { { "Danny Welbeck", "20", "regular" },
						 { "Kaoru Mitoma", "105", "regular" } };
	static const struct scorer_want aa[] = { { "Anthony Gordon", "65", "regular" } };
	check_scorers(jget(doc, "home"), "home", ah, 2);
	check_scorers(jget(doc, "away"), "away", aa, 1);
	check_fixture_statistics(doc);
	cJSON_Delete(rec);

	sql_text(w->db,
		 "SELECT status_code || ' ' || home_score || '-' || away_score || ' '"
		 " || home_penalties || '-' || away_penalties || ' w' || winner_code"
		 " FROM events WHERE id = 14025004",
		 NULL, s, sizeof(s));
	CHECK_STR(s, "120 1-1 5-4 w1");
	sql_text(w->db,
		 "SELECT status_code || ' ' || home_score || '-' || away_score || ' '"
		 " || coalesce(home_penalties::text, 'none') || ' w' || winner_code"
		 " FROM events WHERE id = 14025003",
		 NULL, s, sizeof(s));
	CHECK_STR(s, "110 2-1 none w1");
	check_done(w, "result:14025004");
	check_done(w, "result:14025003");
	world_check_queues_empty(w, "result");
}

static void penalties_and_aet_score_display(void)
{
	run_in_world("pens", NULL, NULL, pens_body);
}

/* ---- 3. statistics 404 ---------------------------------------------------------- */

static void nostats_body(struct world *w)
{
	char logf[600];
	pid_t pid;

	REQUIRE(insert_event(w, EV_NOSTATS, 44, "Liverpool", 34, "Leeds United", BASE - 5 * 3600) ==
		0);
	REQUIRE(publish_result(w, EV_NOSTATS) == 0);
	REQUIRE(broker_flush(w->b, 10000) == 0);
	pid = spawn_results(w, "results", NULL);
	REQUIRE(pid > 0);
	CHECK_INT(world_wait(w, pid, 30000), 0);

	CHECK_INT(tenv_count_lines(w->sofa_log, " GET /event/14025011/statistics 404"), 1);
	world_log(w, "results", logf, sizeof(logf));
	CHECK_INT(tenv_count_lines(logf, "event_id=14025011 type=result attempt=0 outcome=done"),
		  1);
	CHECK_INT(tenv_count_lines(logf, "outcome=retry"), 0);
	CHECK_INT(tenv_count_lines(logf, "outcome=dead"), 0);
	CHECK_INT(tenv_count_lines(logf, " error bf-results["), 0);
	CHECK_INT(tenv_count_lines(logf, " warn bf-results["), 0);

	cJSON *rec = rec_read(w);
	CHECK_INT(rec_posts(rec, NULL, NULL), 1);
	const cJSON *doc = jget(jget(rec_post(rec, "result:14025011"), "body"), "parameters");
	const cJSON *st = jget(doc, "statistics");
	CHECK(cJSON_IsArray(st));
	CHECK_INT(cJSON_GetArraySize(st), 0);
	CHECK_STR(jstr(doc, "score_display"), "1-0");
	static const struct scorer_want h[] = { { "Mohamed Salah", "30", "penalty" } };
	check_scorers(jget(doc, "home"), "home", h, 1);
	check_scorers(jget(doc, "away"), "away", NULL, 0);
	CHECK_STR(jstr(jget(doc, "player_of_the_match"), "name"), "Mohamed Salah");
	CHECK_NEAR(jnum(jget(doc, "player_of_the_match"), "rating"), 8.3);
	cJSON_Delete(rec);

	CHECK_INT(sql_long(w->db, "SELECT count(*) FROM team_statistics", NULL), 0);
	CHECK_INT(sql_long(w->db, "SELECT count(*) FROM lineups WHERE event_id = 14025011", NULL),
		  26);
	CHECK_INT(sql_long(w->db,
			   "SELECT count(*) FROM incidents WHERE event_id = 14025011"
			   " AND type = 'goal'",
			   NULL),
		  1);
	check_done(w, "result:14025011");
	world_check_queues_empty(w, "result");
}

static void statistics_404_rendered_without(void)
{
	run_in_world("nostats", NULL, NULL, nostats_body);
}

/* ---- 4. delivered twice --------------------------------------------------------- */

static void twice_body(struct world *w)
{
	char logf[600];
	pid_t pid;

	REQUIRE(insert_full(w) == 0);
	REQUIRE(publish_result(w, EV_FULL) == 0);
	REQUIRE(publish_result(w, EV_FULL) == 0);
	REQUIRE(broker_flush(w->b, 10000) == 0);
	pid = spawn_results(w, "results", NULL);
	REQUIRE(pid > 0);
	CHECK_INT(world_wait(w, pid, 30000), 0);

	world_log(w, "results", logf, sizeof(logf));
	/* both were handled: the second fetched and stored again, and rendered nothing */
	CHECK_INT(tenv_count_lines(logf, "event_id=14025001 type=result attempt=0 outcome=done"),
		  2);
	CHECK_INT(tenv_count_lines(logf, "render already submitted"), 1);
	CHECK_INT(tenv_count_lines(w->sofa_log, " GET /event/14025001 200"), 2);
	cJSON *rec = rec_read(w);
	CHECK_INT(rec_posts(rec, NULL, NULL), 1);
	CHECK_INT(world_plainly_stat(w, "accepted"), 1);
	cJSON_Delete(rec);
	/* one set of rows */
	check_full_rows(w);
	CHECK_INT(sql_long(w->db, "SELECT count(*) FROM renders", NULL), 1);
	CHECK_INT(sql_long(w->db, "SELECT count(*) FROM jobs", NULL), 1);
	check_done(w, "result:14025001");
	world_check_queues_empty(w, "result");
}

static void delivered_twice_one_render_one_set_of_rows(void)
{
	run_in_world("twice", NULL, NULL, twice_body);
}

/* ---- 5. kill -9 inside the transaction ------------------------------------------ */

static void crash_body(struct world *w)
{
	char logf[600], held[256];
	struct hold hold;
	pid_t pid;

	REQUIRE(insert_full(w) == 0);
	REQUIRE(publish_result(w, EV_FULL) == 0);
	REQUIRE(broker_flush(w->b, 10000) == 0);
	/* bf-results stops at the last statement of its transaction (the
	 * incidents) and is killed there: every statement sent, no COMMIT */
	REQUIRE(hold_arm(&hold, w->db, "incidents",
			 "BEFORE INSERT ON incidents FOR EACH STATEMENT") == 0);
	pid = spawn_results(w, "crash", NULL);
	REQUIRE(pid > 0);
	CHECK_INT(hold_wait(&hold, 30000, held, sizeof(held)), 0);
	if (strncmp(held, "COPY incidents", 14) != 0)
		t_fail(__FILE__, __LINE__, "held in \"%.80s\", want the COPY of incidents", held);
	kill(pid, SIGKILL);
	CHECK_INT(world_wait(w, pid, 30000), 128 + SIGKILL);
	/* the statement runs; PostgreSQL finds its client gone and rolls back */
	hold_release(&hold, HOLD_LET_GO);
	CHECK_INT(tenv_count_lines(w->sofa_log, " GET /event/14025001/incidents 200"), 1);

	/* nothing half-written: the COMMIT was never sent */
	static const char *const tables[] = {
		"SELECT count(*) FROM lineups",
		"SELECT count(*) FROM lineup_sides",
		"SELECT count(*) FROM team_statistics",
		"SELECT count(*) FROM incidents",
		"SELECT count(*) FROM events WHERE result_stored_at IS NOT NULL"
		" OR home_score IS NOT NULL",
	};
	for (size_t i = 0; i < sizeof(tables) / sizeof(tables[0]); i++) {
		long n = sql_long(w->db, tables[i], NULL);
		if (n != 0)
			t_fail(__FILE__, __LINE__, "after the crash: %s = %ld, want 0", tables[i],
			       n);
	}
	CHECK_INT(sql_long(w->db, "SELECT count(*) FROM renders", NULL), 0);
	CHECK(world_plainly_stat(w, "posts") == 0);
	/* never acked: the broker holds it for the next consumer */
	CHECK_INT(world_depth(w, "bf.result", 1, 5000), 1);

	pid = spawn_results(w, "results", NULL);
	REQUIRE(pid > 0);
	CHECK_INT(world_wait(w, pid, 30000), 0);
	world_log(w, "results", logf, sizeof(logf));
	CHECK_INT(tenv_count_lines(logf, "event_id=14025001 type=result attempt=0 outcome=done"),
		  1);
	check_full_rows(w);
	cJSON *rec = rec_read(w);
	CHECK_INT(rec_posts(rec, NULL, NULL), 1);
	const cJSON *post = rec_post(rec, "result:14025001");
	if (post != NULL)
		check_full_document(jget(jget(post, "body"), "parameters"));
	cJSON_Delete(rec);
	check_done(w, "result:14025001");
	world_check_queues_empty(w, "result");
}

static void killed_mid_transaction_nothing_half_written(void)
{
	run_in_world("crash", NULL, NULL, crash_body);
}

/* ---- 6. not final yet; parts missing after the whistle --------------------------- */

static void retry_body(struct world *w)
{
	char logf[600], s[256];
	pid_t pid;

	REQUIRE(insert_event(w, 14025021, 38, "Chelsea", 48, "Everton", BASE - 2 * 3600) == 0);
	REQUIRE(insert_event(w, 14025022, 43, "Fulham", 50, "Brentford", BASE - 2 * 3600) == 0);
	REQUIRE(insert_event(w, 14025023, 60, "Bournemouth", 3, "Wolverhampton", BASE - 2 * 3600) ==
		0);
	REQUIRE(insert_event(w, 14025024, 41, "Sunderland", 6, "Burnley", BASE - 2 * 3600) == 0);
	for (int64_t id = 14025021; id <= 14025024; id++)
		REQUIRE(publish_result(w, id) == 0);
	REQUIRE(broker_flush(w->b, 10000) == 0);
	long long t0 = tenv_now_ms();
	pid = spawn_results(w, "results", NULL);
	REQUIRE(pid > 0);
	CHECK_INT(world_wait(w, pid, 45000), 0);
	printf("#   retries through the 1 s tier: %lld ms (idle exit included)\n",
	       tenv_now_ms() - t0);
	world_log(w, "results", logf, sizeof(logf));

	/* 14025021: 2nd half twice (the producer was early), then finished */
	CHECK_INT(tenv_count_lines(w->sofa_log, " GET /event/14025021 200"), 3);
	CHECK_INT(tenv_count_lines(w->sofa_log, " GET /event/14025021/lineups "), 1);
	CHECK_INT(tenv_count_lines(logf, "event_id=14025021 type=result attempt=0 outcome=retry"
					 " wait=bf.result.wait.1s reason=not-final"),
		  1);
	CHECK_INT(tenv_count_lines(logf, "event_id=14025021 type=result attempt=1 outcome=retry"
					 " wait=bf.result.wait.1s reason=not-final"),
		  1);
	CHECK_INT(tenv_count_lines(logf, "event_id=14025021 type=result attempt=2 outcome=done"),
		  1);
	sql_text(w->db,
		 "SELECT status_code || ' ' || home_score || '-' || away_score FROM events"
		 " WHERE id = 14025021",
		 NULL, s, sizeof(s));
	CHECK_STR(s, "100 2-0");

	/* 14025022: line-ups 404 twice, then there: rendered with them on attempt 2 */
	CHECK_INT(tenv_count_lines(w->sofa_log, " GET /event/14025022/lineups 404"), 2);
	CHECK_INT(tenv_count_lines(w->sofa_log, " GET /event/14025022/lineups 200"), 1);
	CHECK_INT(tenv_count_lines(logf, "event_id=14025022 type=result attempt=0 outcome=retry"
					 " wait=bf.result.wait.1s reason=partial"),
		  1);
	CHECK_INT(tenv_count_lines(logf, "event_id=14025022 type=result attempt=1 outcome=retry"
					 " wait=bf.result.wait.1s reason=partial"),
		  1);
	CHECK_INT(tenv_count_lines(logf, "event_id=14025022 type=result attempt=2 outcome=done"),
		  1);
	CHECK_INT(sql_long(w->db, "SELECT count(*) FROM lineups WHERE event_id = 14025022", NULL),
		  26);

	/* 14025023: line-ups never come: 3 retries on the short tier, then rendered
	 * with what exists (PARTIAL_RETRIES in consumers/results/result.c) */
	CHECK_INT(tenv_count_lines(w->sofa_log, " GET /event/14025023/lineups 404"), 4);
	CHECK_INT(tenv_count_lines(logf, "event_id=14025023 type=result attempt="), 4);
	CHECK_INT(tenv_count_lines(logf, "event_id=14025023 type=result attempt=2 outcome=retry"
					 " wait=bf.result.wait.1s reason=partial"),
		  1);
	CHECK_INT(tenv_count_lines(logf, "event_id=14025023 type=result attempt=3 outcome=done"),
		  1);
	CHECK_INT(sql_long(w->db, "SELECT count(*) FROM lineups WHERE event_id = 14025023", NULL),
		  0);
	CHECK_INT(sql_long(w->db, "SELECT count(*) FROM lineup_sides WHERE event_id = 14025023",
			   NULL),
		  0);
	CHECK_INT(sql_long(w->db,
			   "SELECT count(*) FROM incidents WHERE event_id = 14025023"
			   " AND type = 'goal'",
			   NULL),
		  2);
	CHECK(!sql_null(w->db, "SELECT result_stored_at FROM events WHERE id = 14025023", NULL));

	/* 14025024: incidents 404 once */
	CHECK_INT(tenv_count_lines(w->sofa_log, " GET /event/14025024/incidents 404"), 1);
	CHECK_INT(tenv_count_lines(logf, "event_id=14025024 type=result attempt=1 outcome=done"),
		  1);
	CHECK_INT(sql_long(w->db,
			   "SELECT count(*) FROM incidents WHERE event_id = 14025024"
			   " AND type = 'goal'",
			   NULL),
		  1);

	cJSON *rec = rec_read(w);
	CHECK_INT(rec_posts(rec, NULL, NULL), 4);
	for (int64_t id = 14025021; id <= 14025024; id++) {
		char subject[64];
		snprintf(subject, sizeof(subject), "result:%" PRId64, id);
		CHECK_INT(rec_posts(rec, subject, NULL), 1);
		check_done(w, subject);
	}
	const cJSON *doc = jget(jget(rec_post(rec, "result:14025022"), "body"), "parameters");
	CHECK_STR(jstr(jget(doc, "player_of_the_match"), "name"), "Igor Thiago");
	static const struct scorer_want a22[] = { { "Igor Thiago", "61", "regular" } };
	check_scorers(jget(doc, "away"), "away", a22, 1);
	doc = jget(jget(rec_post(rec, "result:14025023"), "body"), "parameters");
	CHECK(doc != NULL);
	CHECK(jget(doc, "player_of_the_match") == NULL); /* no line-ups, no ratings */
	CHECK_STR(jstr(doc, "score_display"), "1-1");
	static const struct scorer_want h23[] = { { "Bournemouth F10", "77", "regular" } };
	static const struct scorer_want a23[] = { { "Wolves F9", "12", "regular" } };
	check_scorers(jget(doc, "home"), "home", h23, 1);
	check_scorers(jget(doc, "away"), "away", a23, 1);
	doc = jget(jget(rec_post(rec, "result:14025021"), "body"), "parameters");
	CHECK_STR(jstr(doc, "score_display"), "2-0");
	cJSON_Delete(rec);
	CHECK_INT(sql_long(w->db, "SELECT attempts FROM jobs WHERE subject = 'result:14025023'",
			   NULL),
		  3);
	world_check_queues_empty(w, "result");
}

static void not_final_and_missing_parts_retried(void)
{
	run_in_world("retry", NULL, NULL, retry_body);
}

/* ---- 7. Plainly INVALID, poison ------------------------------------------------------ */

static void dead_body(struct world *w)
{
	static const struct {
		const char *body, *error_has;
	} poison[] = {
		{ "{\"event_id\": 14025011, \"processing_type\": \"result\"", "JSON" },
		{ "{\"processing_type\":\"result\"}", "event_id" },
		{ "{\"event_id\":14025011,\"processing_type\":\"line-up\"}", "line-up" },
	};
	bool seen[3] = { false, false, false };
	int rejected = 0;
	char state[64], err[600];
	pid_t pid;

	REQUIRE(insert_event(w, EV_NOSTATS, 44, "Liverpool", 34, "Leeds United", BASE - 5 * 3600) ==
		0);
	REQUIRE(insert_event(w, 14025024, 41, "Sunderland", 6, "Burnley", BASE - 2 * 3600) == 0);
	/* the first POST is answered INVALID (script), later ones are accepted */
	REQUIRE(publish_result(w, EV_NOSTATS) == 0);
	for (size_t i = 0; i < 3; i++)
		REQUIRE(world_publish_raw(w, "result", "result", poison[i].body, "test_results") ==
			0);
	/* the consumer goes on after them: a good message is rendered */
	REQUIRE(publish_result(w, 14025024) == 0);
	REQUIRE(broker_flush(w->b, 10000) == 0);
	pid = spawn_results(w, "results", NULL);
	REQUIRE(pid > 0);
	CHECK_INT(world_wait(w, pid, 30000), 0);

	CHECK_INT(world_depth(w, "bf.result.dead", 4, 3000), 4);
	for (int i = 0; i < 4; i++) {
		struct broker_delivery d;
		if (broker_get(w->b, "bf.result.dead", &d) != 1) {
			t_fail(__FILE__, __LINE__, "dead letter %d missing", i);
			break;
		}
		if (strcmp(d.reason, "plainly-rejected") == 0) {
			rejected++;
			CHECK_STR(d.message_id, "result:14025011");
			CHECK_STR(d.type, "result");
			CHECK(strstr(d.error, "Mandatory parameter homeName is missing") != NULL);
			printf("#   plainly-rejected: x-bf-error: %s\n", d.error);
		} else {
			CHECK_STR(d.reason, "poison");
			for (size_t k = 0; k < 3; k++) {
				if (d.len == strlen(poison[k].body) &&
				    memcmp(d.body, poison[k].body, d.len) == 0) {
					seen[k] = true;
					if (strstr(d.error, poison[k].error_has) == NULL)
						t_fail(__FILE__, __LINE__,
						       "x-bf-error \"%s\" does not mention %s",
						       d.error, poison[k].error_has);
				}
			}
			printf("#   poison %.60s -> x-bf-error: %s\n", d.body, d.error);
		}
		broker_delivery_free(&d);
	}
	CHECK_INT(rejected, 1);
	for (size_t k = 0; k < 3; k++)
		if (!seen[k])
			t_fail(__FILE__, __LINE__, "poison body %s not dead-lettered as is",
			       poison[k].body);

	/* INVALID is not retried: one POST; recorded as failed/dead; the match data stays */
	cJSON *rec = rec_read(w);
	CHECK_INT(rec_posts(rec, "result:14025011", NULL), 1);
	CHECK_INT(rec_posts(rec, "result:14025024", NULL), 1);
	CHECK_INT(rec_posts(rec, NULL, NULL), 2);
	cJSON_Delete(rec);
	job_state(w, "result:14025011", state, sizeof(state));
	CHECK_STR(state, "dead");
	sql_text(w->db, "SELECT last_error FROM jobs WHERE subject = $1", "result:14025011", err,
		 sizeof(err));
	CHECK(strstr(err, "Mandatory parameter homeName is missing") != NULL);
	sql_text(w->db, "SELECT state FROM renders WHERE subject = $1", "result:14025011", state,
		 sizeof(state));
	CHECK_STR(state, "failed");
	sql_text(w->db, "SELECT error FROM renders WHERE subject = $1", "result:14025011", err,
		 sizeof(err));
	CHECK(strstr(err, "RENDER_PARAMETERS_INVALID") != NULL);
	CHECK(!sql_null(w->db, "SELECT result_stored_at FROM events WHERE id = 14025011", NULL));
	check_done(w, "result:14025024");
	/* poison has no subject: only the two real jobs */
	CHECK_INT(sql_long(w->db, "SELECT count(*) FROM jobs", NULL), 2);
	CHECK_INT(world_depth(w, "bf.result", 0, 3000), 0);
	CHECK_INT(world_depth(w, "bf.result.wait.1s", 0, 3000), 0);
	CHECK_INT(world_depth(w, "bf.result.wait.2s", 0, 3000), 0);
}

static void plainly_invalid_and_poison_dead_lettered(void)
{
	run_in_world("dead", "invalid", NULL, dead_body);
}

/* ---- 8. measure: 50 result messages, one process -------------------------------- */

enum {
	BATCH_N = 50,
	BATCH_FIRST = 14026001
};

static long vm_hwm_kb(pid_t pid)
{
	char path[64], line[256];
	long kb = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%ld/status", (long)pid);
	f = fopen(path, "r");
	if (f == NULL)
		return -1;
	while (fgets(line, sizeof(line), f) != NULL)
		if (sscanf(line, "VmHWM: %ld kB", &kb) == 1)
			break;
	fclose(f);
	return kb;
}

/* The events rows first..last, finished 3 hours ago (what the producer stored). */
static int insert_finished_range(struct world *w, long long first, long long last)
{
	char f[24], l[24];
	const char *p[2] = { f, l };

	snprintf(f, sizeof(f), "%lld", first);
	snprintf(l, sizeof(l), "%lld", last);
	return sql_cmd(w->db,
		       "INSERT INTO events (id, unique_tournament_id, tournament_name, season_id,"
		       " season_name, round, home_team_id, away_team_id, home_name, away_name,"
		       " start_time, status_code, status_type)"
		       " SELECT g, 17, 'Premier League', 76986, 'Premier League 26/27', 13, 17, 42,"
		       "  'Manchester City', 'Arsenal', now() - interval '3 hours', 100, 'finished'"
		       " FROM generate_series($1::bigint, $2::bigint) AS g",
		       2, p);
}

static void batch_body(struct world *w)
{
	char logf[600];
	pid_t pid;
	int st = 0;
	struct rusage ru;
	long hwm;

	REQUIRE(insert_finished_range(w, 14026001, 14026050) == 0);
	long long t_spawn = tenv_now_ms();
	pid = spawn_results(w, "results", NULL);
	REQUIRE(pid > 0);
	world_log(w, "results", logf, sizeof(logf));
	tenv_wait_lines(logf, "ready queue=", 1, 15000);
	REQUIRE(tenv_count_lines(logf, "ready queue=") == 1);
	long long t_ready = tenv_now_ms();

	long long t0 = tenv_now_ms();
	for (int i = 0; i < BATCH_N; i++)
		REQUIRE(publish_result(w, BATCH_FIRST + i) == 0);
	REQUIRE(broker_flush(w->b, 20000) == 0);
	long done = 0;
	long long end = t0 + 60000;
	while (tenv_now_ms() < end) {
		done = sql_long(w->db, "SELECT count(*) FROM jobs WHERE state = 'rendering'", NULL);
		if (done >= BATCH_N)
			break;
		tenv_sleep_ms(10);
	}
	long long t1 = tenv_now_ms();
	hwm = vm_hwm_kb(pid); /* still running: idle until --idle-exit */
	CHECK_INT(done, BATCH_N);

	/* wait4 for the rusage of this child */
	memset(&ru, 0, sizeof(ru));
	end = tenv_now_ms() + 20000;
	pid_t r = 0;
	while (tenv_now_ms() < end) {
		r = wait4(pid, &st, WNOHANG, &ru);
		if (r == pid || r < 0)
			break;
		tenv_sleep_ms(20);
	}
	CHECK(r == pid && WIFEXITED(st) && WEXITSTATUS(st) == 0);
	if (r == pid)
		world_untrack(w, pid);

	double secs = (double)(t1 - t0) / 1000.0;
	printf("#   bf-results, %d result messages (4 GETs, one transaction of ~120 rows and one"
	       " POST each; sofascore budget 1000/s): start to ready %lld ms; first publish to"
	       " last job done %lld ms: %.1f msg/s\n",
	       BATCH_N, t_ready - t_spawn, t1 - t0, secs > 0 ? BATCH_N / secs : 0.0);
	/* ru_maxrss also counts the forked copy of this test process before the exec:
	 * VmHWM (read after the exec) is the consumer's own peak */
	printf("#   bf-results RSS: VmHWM %ld kB (/proc/<pid>/status before exit); ru_maxrss %ld kB"
	       " (wait4; includes the pre-exec fork of the test binary)\n",
	       hwm, ru.ru_maxrss);

	cJSON *rec = rec_read(w);
	CHECK_INT(rec_posts(rec, NULL, NULL), BATCH_N);
	cJSON_Delete(rec);
	CHECK_INT(sql_long(w->db, "SELECT count(*) FROM lineups", NULL), 36 * BATCH_N);
	CHECK_INT(sql_long(w->db, "SELECT count(*) FROM team_statistics", NULL), 86 * BATCH_N);
	CHECK_INT(sql_long(w->db, "SELECT count(*) FROM incidents", NULL), 16 * BATCH_N);
	CHECK_INT(sql_long(w->db, "SELECT count(*) FROM events WHERE result_stored_at IS NOT NULL",
			   NULL),
		  BATCH_N);
	world_check_queues_empty(w, "result");
}

/* ---- one bad row in a batch --------------------------------------------------- */

/* A batch whose transaction fails for one message's rows (the database refuses
 * them: a trigger here) writes every message again alone: the others are stored
 * and rendered, the bad one alone retries and ends dead-lettered. */
static void bad_row_body(struct world *w)
{
	char logf[600], subject[64];
	pid_t pid;

	REQUIRE(insert_finished_range(w, 14026001, 14026006) == 0);
	REQUIRE(sql_cmd(w->db,
			"CREATE FUNCTION t_refuse() RETURNS trigger LANGUAGE plpgsql AS $$"
			" BEGIN IF NEW.event_id = 14026003 THEN"
			"  RAISE EXCEPTION 'test: the rows of 14026003 are refused'; END IF;"
			" RETURN NEW; END $$",
			0, NULL) == 0);
	REQUIRE(sql_cmd(w->db,
			"CREATE TRIGGER t_refuse BEFORE INSERT ON lineup_sides FOR EACH ROW"
			" EXECUTE FUNCTION t_refuse()",
			0, NULL) == 0);
	for (int64_t id = 14026001; id <= 14026006; id++)
		REQUIRE(publish_result(w, id) == 0);
	REQUIRE(broker_flush(w->b, 10000) == 0);
	pid = spawn_results(w, "results", NULL);
	REQUIRE(pid > 0);
	CHECK_INT(world_wait(w, pid, 45000), 0);
	world_log(w, "results", logf, sizeof(logf));

	CHECK(tenv_count_lines(logf, "writes failed together: writing each alone") >= 1);
	CHECK_INT(tenv_count_lines(logf, "event_id=14026003 type=result attempt=0 outcome=retry"
					 " wait=bf.result.wait.1s reason=database"),
		  1);
	CHECK_INT(tenv_count_lines(logf, "event_id=14026003 type=result attempt=2 outcome=dead"
					 " queue=bf.result.dead reason=attempts-exhausted"),
		  1);
	CHECK_INT(world_depth(w, "bf.result.dead", 1, 5000), 1);
	CHECK_INT(sql_long(w->db, "SELECT count(*) FROM lineups WHERE event_id = 14026003", NULL),
		  0);
	CHECK_INT(sql_long(w->db, "SELECT count(*) FROM renders WHERE subject = 'result:14026003'",
			   NULL),
		  0);
	cJSON *rec = rec_read(w);
	CHECK_INT(rec_posts(rec, NULL, NULL), 5);
	cJSON_Delete(rec);
	for (int64_t id = 14026001; id <= 14026006; id++) {
		if (id == 14026003)
			continue;
		snprintf(subject, sizeof(subject), "result:%" PRId64, id);
		check_done(w, subject);
		char q[160];
		snprintf(q, sizeof(q),
			 "SELECT count(*) FROM lineups WHERE event_id = %" PRId64
			 " HAVING count(*) > 20",
			 id);
		if (sql_long(w->db, q, NULL) <= 20)
			t_fail(__FILE__, __LINE__, "%s: its line-up rows are missing", subject);
	}
	/* nothing else left anywhere */
	REQUIRE(broker_purge(w->b, "bf.result.dead") >= 0);
	CHECK_INT(world_depth(w, "bf.result.dead", 0, 5000), 0);
	world_check_queues_empty(w, "result");
}

static void one_bad_row_holds_back_only_itself(void)
{
	run_in_world(
		"badrow", NULL,
		"results = { wait_tiers = [\"1s\", \"2s\"]; max_attempts = 2; prefetch = 10; };",
		bad_row_body);
}

static void measure_50_results_one_process(void)
{
	/* the Sofascore budget at its maximum: measure the consumer, not the pacing */
	run_in_world(
		"batch", NULL,
		"sofascore = { base_url = \"{sofa}\"; timeout = \"5s\"; max_requests_per_second = 1000.0;"
		" challenge_pause = \"15m\"; };",
		batch_body);
}

int main(int argc, char **argv)
{
	long long t0;
	static const struct t_case cases[] = {
		T_CASE(finished_match_rows_and_document),
		T_CASE(penalties_and_aet_score_display),
		T_CASE(statistics_404_rendered_without),
		T_CASE(delivered_twice_one_render_one_set_of_rows),
		T_CASE(killed_mid_transaction_nothing_half_written),
		T_CASE(not_final_and_missing_parts_retried),
		T_CASE(plainly_invalid_and_poison_dead_lettered),
		T_CASE(one_bad_row_holds_back_only_itself),
		T_CASE(measure_50_results_one_process),
	};

	log_init("test_results");
	tenv_require();
	signals_install();
	curl_global_init(CURL_GLOBAL_DEFAULT);
	t0 = tenv_now_ms();
	t_run_matching(cases, sizeof(cases) / sizeof(cases[0]), argc, argv);
	printf("# test_results: %.1f s\n", (double)(tenv_now_ms() - t0) / 1000.0);
	curl_global_cleanup();
	return t_done();
}
