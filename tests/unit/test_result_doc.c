/*
 * test_result_doc: the result video data document (DESIGN section 6) built
 * by result_document(), and result_score_display().  No servers.
 *
 * Most cases build struct result_data by hand (the shapes the parsers
 * produce); two go through the parsers with the fixtures of
 * tests/data/fixtures/sofascore/ (the penalty event: current 6-5, display 1-1;
 * the incidents: an own goal in added time, a penalty).  Run from the
 * project root.
 */
#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "consumers/results/result.h"
#include "lib/log.h"
#include "protocol/sofascore.h"
#include "tests/support/t.h"
#include "tests/support/testenv.h"

#define FIX "tests/data/fixtures/sofascore/"

static const cJSON *jget(const cJSON *o, const char *k)
{
	return cJSON_IsObject(o) ? cJSON_GetObjectItemCaseSensitive(o, k) : NULL;
}

static const char *jstr(const cJSON *o, const char *k)
{
	const cJSON *v = jget(o, k);

	return cJSON_IsString(v) ? v->valuestring : "";
}

static double jnum(const cJSON *o, const char *k)
{
	const cJSON *v = jget(o, k);

	return cJSON_IsNumber(v) ? v->valuedouble : -1;
}

/* Manchester City 2-1 Arsenal, Ended, round 12, at the Etihad. */
static void event_of(struct match_event *ev)
{
	memset(ev, 0, sizeof(*ev));
	ev->id = 14025001;
	ev->unique_tournament_id = 17;
	snprintf(ev->tournament_name, sizeof(ev->tournament_name), "Premier League");
	ev->season_id = 76986;
	snprintf(ev->season_name, sizeof(ev->season_name), "Premier League 26/27");
	ev->round = 12;
	ev->home.id = 17;
	snprintf(ev->home.name, sizeof(ev->home.name), "Manchester City");
	snprintf(ev->home.short_name, sizeof(ev->home.short_name), "Man City");
	ev->away.id = 42;
	snprintf(ev->away.name, sizeof(ev->away.name), "Arsenal");
	snprintf(ev->away.short_name, sizeof(ev->away.short_name), "Arsenal");
	/* the branch fills the crests from the provider (source_crest_url) */
	sofa_crest_url(ev->home.id, ev->home.crest_url, sizeof(ev->home.crest_url));
	sofa_crest_url(ev->away.id, ev->away.crest_url, sizeof(ev->away.crest_url));
	ev->start_ts = 1789989200; /* 2026-09-21T11:13:20Z */
	ev->status_code = 100;
	snprintf(ev->status_type, sizeof(ev->status_type), "finished");
	ev->status = MATCH_ST_FINISHED;
	ev->has_score = true;
	ev->home_score = 2;
	ev->away_score = 1;
	ev->winner_code = 1;
	snprintf(ev->venue, sizeof(ev->venue), "Etihad Stadium");
}

static struct match_incident goal(int minute, int added, const char *side, const char *klass,
				  const char *player, int hs, int as)
{
	struct match_incident x;

	memset(&x, 0, sizeof(x));
	snprintf(x.type, sizeof(x.type), "goal");
	snprintf(x.klass, sizeof(x.klass), "%s", klass);
	x.minute = minute;
	x.added_time = added;
	snprintf(x.side, sizeof(x.side), "%s", side);
	snprintf(x.player, sizeof(x.player), "%s", player);
	x.has_score = true;
	x.home_score = hs;
	x.away_score = as;
	return x;
}

static struct match_stat stat(const char *period, const char *key, const char *name, double h,
			      double a, bool has)
{
	struct match_stat s;

	memset(&s, 0, sizeof(s));
	snprintf(s.period, sizeof(s.period), "%s", period);
	snprintf(s.key, sizeof(s.key), "%s", key);
	snprintf(s.name, sizeof(s.name), "%s", name);
	snprintf(s.home, sizeof(s.home), "%g", h);
	snprintf(s.away, sizeof(s.away), "%g", a);
	s.has_values = has;
	s.home_value = h;
	s.away_value = a;
	return s;
}

static struct match_player player(int64_t id, const char *name, bool rated, double rating,
				  int minutes)
{
	struct match_player p;

	memset(&p, 0, sizeof(p));
	p.id = id;
	snprintf(p.name, sizeof(p.name), "%s", name);
	snprintf(p.short_name, sizeof(p.short_name), "%s", name);
	snprintf(p.position, sizeof(p.position), "M");
	p.has_rating = rated;
	p.rating = rating;
	p.minutes = minutes;
	return p;
}

struct scorer_want {
	const char *name, *minute, *type;
};

static void check_scorers(const cJSON *doc, const char *side, const struct scorer_want *w, int n)
{
	const cJSON *sc = jget(jget(doc, side), "scorers"), *s;
	int i = 0;

	if (!cJSON_IsArray(sc)) {
		t_fail(__FILE__, __LINE__, "%s.scorers is not an array", side);
		return;
	}
	if (cJSON_GetArraySize(sc) != n)
		t_fail(__FILE__, __LINE__, "%s.scorers: %d entries, want %d", side,
		       cJSON_GetArraySize(sc), n);
	cJSON_ArrayForEach (s, sc) {
		if (i < n && (strcmp(jstr(s, "name"), w[i].name) != 0 ||
			      strcmp(jstr(s, "minute"), w[i].minute) != 0 ||
			      strcmp(jstr(s, "type"), w[i].type) != 0))
			t_fail(__FILE__, __LINE__,
			       "%s.scorers[%d] = {%s, %s, %s}, want {%s, %s, %s}", side, i,
			       jstr(s, "name"), jstr(s, "minute"), jstr(s, "type"), w[i].name,
			       w[i].minute, w[i].type);
		/* minutes are strings ("45+2"), never numbers */
		CHECK(cJSON_IsString(jget(s, "minute")));
		i++;
	}
}

/* ---- score_display ------------------------------------------------------------ */

static void score_display_by_status(void)
{
	struct match_event ev;
	char buf[64];

	event_of(&ev);
	result_score_display(&ev, buf, sizeof(buf));
	CHECK_STR(buf, "2-1");

	ev.status_code = 110;
	result_score_display(&ev, buf, sizeof(buf));
	CHECK_STR(buf, "2-1 (AET)");

	ev.status_code = 120;
	ev.home_score = ev.away_score = 1;
	ev.has_penalties = true;
	ev.home_penalties = 5;
	ev.away_penalties = 4;
	result_score_display(&ev, buf, sizeof(buf));
	CHECK_STR(buf, "1-1 (5-4 pens)");

	/* no score ({} before kick-off, postponed, canceled) */
	event_of(&ev);
	ev.has_score = false;
	ev.home_score = ev.away_score = 0;
	result_score_display(&ev, buf, sizeof(buf));
	CHECK_STR(buf, "-");

	/* a small buffer is cut, never overrun */
	char small[4];
	event_of(&ev);
	ev.home_score = 10;
	ev.away_score = 11;
	result_score_display(&ev, small, sizeof(small));
	CHECK_STR(small, "10-");
}

/* The fixtures through the parser: display, never current (6-5), for 120. */
static void score_display_of_fixture_events(void)
{
	static const struct {
		const char *file, *want;
	} cases[] = {
		{ FIX "event_finished_120.json", "1-1 (5-4 pens)" },
		{ FIX "event_finished_110.json", "2-1 (AET)" },
		{ FIX "event_postponed_60.json", "-" },
		{ FIX "event_inprogress_31.json", "1-0" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct match_event ev;
		char err[256] = "", buf[64];
		size_t len = 0;
		char *body = tenv_slurp(cases[i].file, &len);

		if (body == NULL) {
			t_fail(__FILE__, __LINE__, "cannot read %s (run from the project root)",
			       cases[i].file);
			continue;
		}
		if (sofa_parse_event(body, len, &ev, err, sizeof(err)) != 0) {
			t_fail(__FILE__, __LINE__, "%s: %s", cases[i].file, err);
		} else {
			result_score_display(&ev, buf, sizeof(buf));
			if (strcmp(buf, cases[i].want) != 0)
				t_fail(__FILE__, __LINE__, "%s: \"%s\", want \"%s\"", cases[i].file,
				       buf, cases[i].want);
		}
		free(body);
	}
}

/* ---- the document ---------------------------------------------------------------- */

static void document_event_sides_and_scorers(void)
{
	struct result_data d;
	struct match_incident inc[10];
	size_t n = 0;
	cJSON *doc;

	memset(&d, 0, sizeof(d));
	event_of(&d.ev);
	d.ev.home_score = 5;
	d.ev.away_score = 2;
	/* Sofascore's order: newest first */
	inc[n++] = goal(90, 1, "home", "regular", "Late Winner", 5, 2);
	inc[n++] = goal(67, 0, "home", "penalty", "Phil Foden", 4, 2);
	memset(&inc[n], 0, sizeof(inc[n]));
	snprintf(inc[n].type, sizeof(inc[n].type), "card");
	snprintf(inc[n].klass, sizeof(inc[n].klass), "red");
	snprintf(inc[n].side, sizeof(inc[n].side), "home");
	snprintf(inc[n].player, sizeof(inc[n].player), "Joško Gvardiol");
	inc[n++].minute = 81;
	/* Rúben Dias (City) puts it in his own net: Arsenal's goal */
	inc[n++] = goal(45, 2, "away", "ownGoal", "Rúben Dias", 3, 2);
	inc[n++] = goal(45, 0, "home", "regular", "Before Half-time", 3, 1);
	/* two in the same minute: the running score orders them */
	inc[n++] = goal(30, 0, "home", "regular", "Second At 30", 2, 1);
	inc[n++] = goal(30, 0, "home", "regular", "First At 30", 1, 1);
	inc[n++] = goal(12, 0, "away", "regular", "Bukayo Saka", 0, 1);
	/* a goal the parser could not place (no side): left out */
	inc[n] = goal(5, 0, "", "regular", "Nobody", 0, 0);
	inc[n++].has_score = false;
	d.inc = inc;
	d.ninc = n;

	doc = result_document(&d);
	REQUIRE(doc != NULL);
	const cJSON *ev = jget(doc, "event");
	CHECK_STR(jstr(doc, "kind"), "result");
	CHECK_INT((long long)jnum(ev, "id"), 14025001);
	CHECK_STR(jstr(ev, "start_time"), "2026-09-21T11:13:20Z");
	CHECK_STR(jstr(ev, "tournament"), "Premier League");
	CHECK_STR(jstr(ev, "season"), "Premier League 26/27");
	CHECK_INT((long)jnum(ev, "round"), 12);
	CHECK_STR(jstr(ev, "venue"), "Etihad Stadium");
	CHECK_INT((long)jnum(doc, "status_code"), 100);
	CHECK_STR(jstr(doc, "score_display"), "5-2");
	CHECK(cJSON_IsFalse(jget(doc, "after_extra_time")));

	const cJSON *home = jget(doc, "home"), *away = jget(doc, "away");
	CHECK_INT((long)jnum(home, "id"), 17);
	CHECK_STR(jstr(home, "name"), "Manchester City");
	CHECK_STR(jstr(home, "short_name"), "Man City");
	CHECK_STR(jstr(home, "crest_url"), "https://img.sofascore.com/api/v1/team/17/image");
	CHECK_INT((long)jnum(home, "score"), 5);
	CHECK(jget(home, "penalties") == NULL);
	CHECK_INT((long)jnum(away, "id"), 42);
	CHECK_STR(jstr(away, "crest_url"), "https://img.sofascore.com/api/v1/team/42/image");
	CHECK_INT((long)jnum(away, "score"), 2);
	CHECK(jget(away, "penalties") == NULL);

	static const struct scorer_want h[] = {
		{ "First At 30", "30", "regular" },	 { "Second At 30", "30", "regular" },
		{ "Before Half-time", "45", "regular" }, { "Phil Foden", "67", "penalty" },
		{ "Late Winner", "90+1", "regular" },
	};
	static const struct scorer_want a[] = {
		{ "Bukayo Saka", "12", "regular" },
		{ "Rúben Dias", "45+2", "own-goal" },
	};
	check_scorers(doc, "home", h, 5);
	check_scorers(doc, "away", a, 2);
	/* no statistics, no line-ups */
	CHECK(cJSON_IsArray(jget(doc, "statistics")));
	CHECK_INT(cJSON_GetArraySize(jget(doc, "statistics")), 0);
	CHECK(jget(doc, "player_of_the_match") == NULL);
	cJSON_Delete(doc);
}

static void document_optional_event_fields_and_penalties(void)
{
	struct result_data d;
	cJSON *doc;

	memset(&d, 0, sizeof(d));
	event_of(&d.ev);
	d.ev.round = 0; /* a friendly: no roundInfo */
	d.ev.venue[0] = '\0';
	d.ev.status_code = 120;
	d.ev.home_score = d.ev.away_score = 1;
	d.ev.has_penalties = true;
	d.ev.home_penalties = 5;
	d.ev.away_penalties = 4;
	doc = result_document(&d);
	REQUIRE(doc != NULL);
	CHECK(cJSON_IsNull(jget(jget(doc, "event"), "round")));
	CHECK(jget(jget(doc, "event"), "venue") == NULL);
	CHECK_STR(jstr(doc, "score_display"), "1-1 (5-4 pens)");
	CHECK(cJSON_IsTrue(jget(doc, "after_extra_time")));
	CHECK_INT((long)jnum(jget(doc, "home"), "score"), 1);
	CHECK_INT((long)jnum(jget(doc, "home"), "penalties"), 5);
	CHECK_INT((long)jnum(jget(doc, "away"), "penalties"), 4);
	check_scorers(doc, "home", NULL, 0);
	check_scorers(doc, "away", NULL, 0);
	cJSON_Delete(doc);

	event_of(&d.ev);
	d.ev.status_code = 110;
	doc = result_document(&d);
	REQUIRE(doc != NULL);
	CHECK_STR(jstr(doc, "score_display"), "2-1 (AET)");
	CHECK(cJSON_IsTrue(jget(doc, "after_extra_time")));
	CHECK(jget(jget(doc, "home"), "penalties") == NULL);
	cJSON_Delete(doc);
}

static void document_statistics_by_key(void)
{
	struct result_data d;
	struct match_stat st[12];
	size_t n = 0;
	cJSON *doc;

	memset(&d, 0, sizeof(d));
	event_of(&d.ev);
	/* in no useful order, with other periods, an unknown key and one without numbers */
	st[n++] = stat("ALL", "fouls", "Fouls", 11, 13, true);
	st[n++] = stat("1ST", "ballPossession", "Ball possession", 61, 39, true);
	st[n++] = stat("ALL", "touchesInOppBox", "Touches in penalty area", 33, 19, true);
	st[n++] = stat("ALL", "goalkeeperSaves", "Goalkeeper saves", 2, 5, true);
	st[n++] = stat("ALL", "expectedGoals", "Expected goals", 1.84, 1.17, true);
	st[n++] = stat("ALL", "cornerKicks", "Corner kicks", 0, 0, false);
	st[n++] = stat("2ND", "expectedGoals", "Expected goals", 0.72, 0.96, true);
	st[n++] = stat("ALL", "shotsOnGoal", "Shots on target", 6, 3, true);
	st[n++] = stat("ALL", "ballPossession", "Ball possession", 58, 42, true);
	st[n++] = stat("ALL", "totalShotsOnGoal", "Total shots", 15, 9, true);
	d.stats = st;
	d.nstats = n;
	doc = result_document(&d);
	REQUIRE(doc != NULL);

	static const struct {
		const char *key, *name;
		double home, away;
	} want[] = {
		{ "ballPossession", "Ball possession", 58, 42 },
		{ "expectedGoals", "Expected goals", 1.84, 1.17 },
		{ "totalShotsOnGoal", "Total shots", 15, 9 },
		{ "shotsOnGoal", "Shots on target", 6, 3 },
		{ "fouls", "Fouls", 11, 13 },
		{ "goalkeeperSaves", "Goalkeeper saves", 2, 5 },
	};
	const cJSON *arr = jget(doc, "statistics"), *s;
	size_t i = 0, nw = sizeof(want) / sizeof(want[0]);
	CHECK_INT(cJSON_GetArraySize(arr), (long)nw);
	cJSON_ArrayForEach (s, arr) {
		if (i < nw && (strcmp(jstr(s, "key"), want[i].key) != 0 ||
			       strcmp(jstr(s, "name"), want[i].name) != 0 ||
			       fabs(jnum(s, "home") - want[i].home) > 1e-9 ||
			       fabs(jnum(s, "away") - want[i].away) > 1e-9))
			t_fail(__FILE__, __LINE__,
			       "statistics[%zu] = {%s, %s, %g, %g}, want {%s, %s, %g, %g}", i,
			       jstr(s, "key"), jstr(s, "name"), jnum(s, "home"), jnum(s, "away"),
			       want[i].key, want[i].name, want[i].home, want[i].away);
		i++;
	}
	cJSON_Delete(doc);
}

static void player_of_the_match_tie_breaks(void)
{
	struct result_data d;
	struct match_player hp[4], ap[4];
	cJSON *doc;
	const cJSON *p;

	memset(&d, 0, sizeof(d));
	event_of(&d.ev);
	d.have_lineups = true;
	d.lineups.confirmed = true;
	d.lineups.home.players = hp;
	d.lineups.away.players = ap;

	/* 8.0 twice: more minutes wins (the away one), whatever the ids */
	hp[0] = player(10, "Home Eighty-five", true, 8.0, 85);
	hp[1] = player(11, "Home Seven-nine", true, 7.9, 90);
	hp[2] = player(12, "Home Unrated", false, 0, 90);
	ap[0] = player(20, "Away Ninety", true, 8.0, 90);
	ap[1] = player(21, "Away Six", true, 6.0, 90);
	d.lineups.home.nplayers = 3;
	d.lineups.away.nplayers = 2;
	doc = result_document(&d);
	REQUIRE(doc != NULL);
	p = jget(doc, "player_of_the_match");
	CHECK(cJSON_IsObject(p));
	CHECK_STR(jstr(p, "name"), "Away Ninety");
	CHECK_STR(jstr(p, "team"), "Arsenal");
	CHECK(fabs(jnum(p, "rating") - 8.0) < 1e-9);
	cJSON_Delete(doc);

	/* same rating, same minutes: the lower id, on either side */
	hp[0] = player(30, "Home Thirty", true, 7.5, 90);
	ap[0] = player(25, "Away Twenty-five", true, 7.5, 90);
	ap[1] = player(40, "Away Forty", true, 7.5, 90);
	d.lineups.home.nplayers = 1;
	d.lineups.away.nplayers = 2;
	doc = result_document(&d);
	REQUIRE(doc != NULL);
	p = jget(doc, "player_of_the_match");
	CHECK_STR(jstr(p, "name"), "Away Twenty-five");
	CHECK_STR(jstr(p, "team"), "Arsenal");
	cJSON_Delete(doc);
	ap[0] = player(35, "Away Thirty-five", true, 7.5, 90);
	doc = result_document(&d);
	REQUIRE(doc != NULL);
	p = jget(doc, "player_of_the_match");
	CHECK_STR(jstr(p, "name"), "Home Thirty");
	CHECK_STR(jstr(p, "team"), "Manchester City");
	cJSON_Delete(doc);

	/* the highest rating wins over minutes and ids */
	hp[0] = player(99, "Home Sub", true, 8.7, 20);
	doc = result_document(&d);
	REQUIRE(doc != NULL);
	CHECK_STR(jstr(jget(doc, "player_of_the_match"), "name"), "Home Sub");
	cJSON_Delete(doc);

	/* line-ups without ratings (lower leagues): no player of the match */
	hp[0] = player(1, "A", false, 0, 90);
	ap[0] = player(2, "B", false, 0, 90);
	d.lineups.home.nplayers = 1;
	d.lineups.away.nplayers = 1;
	doc = result_document(&d);
	REQUIRE(doc != NULL);
	CHECK(jget(doc, "player_of_the_match") == NULL);
	cJSON_Delete(doc);

	/* no line-ups at all */
	hp[0] = player(1, "A", true, 9.0, 90);
	d.have_lineups = false;
	doc = result_document(&d);
	REQUIRE(doc != NULL);
	CHECK(jget(doc, "player_of_the_match") == NULL);
	cJSON_Delete(doc);
}

/* The incidents and statistics fixtures through the parsers: the own goal
 * in added time counts for the side whose score went up. */
static void document_from_fixture_incidents_and_statistics(void)
{
	struct result_data d;
	char err[256] = "";
	size_t len = 0;
	char *body;
	cJSON *doc;

	memset(&d, 0, sizeof(d));
	event_of(&d.ev);
	body = tenv_slurp(FIX "incidents_goals.json", &len);
	REQUIRE(body != NULL);
	if (sofa_parse_incidents(body, len, &d.inc, &d.ninc, err, sizeof(err)) != 0)
		t_fail(__FILE__, __LINE__, "incidents_goals.json: %s", err);
	free(body);
	body = tenv_slurp(FIX "statistics.json", &len);
	REQUIRE(body != NULL);
	if (sofa_parse_statistics(body, len, &d.stats, &d.nstats, err, sizeof(err)) != 0)
		t_fail(__FILE__, __LINE__, "statistics.json: %s", err);
	free(body);

	doc = result_document(&d);
	REQUIRE(doc != NULL);
	/* Haaland 23'; Gabriel (Arsenal) into his own net 45+2' (1-0 -> 2-0); Saka 67' pen */
	static const struct scorer_want h[] = {
		{ "Erling Haaland", "23", "regular" },
		{ "Gabriel", "45+2", "own-goal" },
	};
	static const struct scorer_want a[] = { { "Bukayo Saka", "67", "penalty" } };
	check_scorers(doc, "home", h, 2);
	check_scorers(doc, "away", a, 1);
	const cJSON *st = jget(doc, "statistics");
	CHECK_INT(cJSON_GetArraySize(st), 13);
	static const char *const keys[] = { "ballPossession",
					    "expectedGoals",
					    "bigChanceCreated",
					    "totalShotsOnGoal",
					    "shotsOnGoal",
					    "cornerKicks",
					    "fouls",
					    "goalkeeperSaves" };
	for (int i = 0; i < 8; i++)
		CHECK_STR(jstr(cJSON_GetArrayItem(st, i), "key"), keys[i]);
	CHECK(fabs(jnum(cJSON_GetArrayItem(st, 0), "home") - 58) < 1e-9);
	CHECK(fabs(jnum(cJSON_GetArrayItem(st, 1), "away") - 1.17) < 1e-9);
	CHECK(fabs(jnum(cJSON_GetArrayItem(st, 7), "away") - 5) < 1e-9);
	cJSON_Delete(doc);
	result_data_free(&d);
}

int main(void)
{
	log_init("test_result_doc");
	T_RUN(score_display_by_status);
	T_RUN(score_display_of_fixture_events);
	T_RUN(document_event_sides_and_scorers);
	T_RUN(document_optional_event_fields_and_penalties);
	T_RUN(document_statistics_by_key);
	T_RUN(player_of_the_match_tie_breaks);
	T_RUN(document_from_fixture_incidents_and_statistics);
	return t_done();
}
