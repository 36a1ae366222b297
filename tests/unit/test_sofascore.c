/*
 * test_sofascore: the parsers of protocol/sofascore.c against fixtures that
 * follow the real API shapes (../shared/sofascore-samples/, DESIGN section 9),
 * noise keys included, plus malformed and hostile input.  No servers.  Run
 * from the project root (fixtures are read from tests/data/fixtures/sofascore/).
 *
 * The scenario: Premier League (unique tournament 17, season 76986), round
 * 12, the weekend of 2026-09-19/20.  Event 14025001 is Manchester City 2-1
 * Arsenal: its line-ups, statistics and incidents are the other fixtures.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "protocol/adapter.h"
#include "protocol/sofascore.h"
#include "tests/support/parsers.h"
#include "tests/support/t.h"

#define FIX "tests/data/fixtures/sofascore/"
#define LIT(s) s, strlen(s) /* a literal and its length */

static const char *const fixtures[] = {
	"scheduled_ut17_round.json",
	"scheduled_bad.json",
	"live.json",
	"event_finished_120.json",
	"event_finished_110.json",
	"event_inprogress_31.json",
	"event_postponed_60.json",
	"lineups_confirmed.json",
	"lineups_unconfirmed.json",
	"statistics.json",
	"incidents_goals.json",
	"standings_total.json",
	"error404.json",
	"challenge403.json",
};
#define NFIXTURES (sizeof(fixtures) / sizeof(fixtures[0]))

/* ---- helpers ---------------------------------------------------------- */

static const struct match_player *find_player(const struct match_side *s, const char *name)
{
	for (size_t i = 0; i < s->nplayers; i++)
		if (strcmp(s->players[i].name, name) == 0)
			return &s->players[i];
	return NULL;
}

static const struct match_stat *find_stat(const struct match_stat *st, size_t n, const char *period,
					  const char *key)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(st[i].period, period) == 0 && strcmp(st[i].key, key) == 0)
			return &st[i];
	return NULL;
}

static size_t count_stat(const struct match_stat *st, size_t n, const char *period, const char *key)
{
	size_t c = 0;

	for (size_t i = 0; i < n; i++)
		if (strcmp(st[i].period, period) == 0 &&
		    (key == NULL || strcmp(st[i].key, key) == 0))
			c++;
	return c;
}

/* The adapter's parsers, checked by tests/support/parsers.c. */
static const struct parsers SOFA = {
	.events = sofa_parse_events,
	.event = sofa_parse_event,
	.lineups = sofa_parse_lineups,
	.statistics = sofa_parse_statistics,
	.incidents = sofa_parse_incidents,
	.standings = sofa_parse_standings,
};

/* ---- status --------------------------------------------------------------- */

static void status_from_table(void)
{
	CHECK_INT(sofa_status_from(0, "notstarted"), MATCH_ST_NOTSTARTED);
	CHECK_INT(sofa_status_from(6, "inprogress"), MATCH_ST_INPROGRESS);
	CHECK_INT(sofa_status_from(7, "inprogress"), MATCH_ST_INPROGRESS);
	CHECK_INT(sofa_status_from(31, "inprogress"), MATCH_ST_INPROGRESS);
	CHECK_INT(sofa_status_from(60, "postponed"), MATCH_ST_POSTPONED);
	CHECK_INT(sofa_status_from(70, "canceled"), MATCH_ST_CANCELED);
	CHECK_INT(sofa_status_from(80, "interrupted"), MATCH_ST_INTERRUPTED);
	CHECK_INT(sofa_status_from(100, "finished"), MATCH_ST_FINISHED);
	CHECK_INT(sofa_status_from(110, "finished"), MATCH_ST_FINISHED);
	CHECK_INT(sofa_status_from(120, "finished"), MATCH_ST_FINISHED);
	/* a known code wins over the type */
	CHECK_INT(sofa_status_from(100, NULL), MATCH_ST_FINISHED);
	CHECK_INT(sofa_status_from(60, NULL), MATCH_ST_POSTPONED);
	/* unknown codes fall back to the type */
	CHECK_INT(sofa_status_from(999, "finished"), MATCH_ST_FINISHED);
	CHECK_INT(sofa_status_from(999, "inprogress"), MATCH_ST_INPROGRESS);
	CHECK_INT(sofa_status_from(999, "suspended"), MATCH_ST_SUSPENDED);
	CHECK_INT(sofa_status_from(999, "interrupted"), MATCH_ST_INTERRUPTED);
	CHECK_INT(sofa_status_from(999, "garbage"), MATCH_ST_UNKNOWN);
	CHECK_INT(sofa_status_from(999, ""), MATCH_ST_UNKNOWN);
	CHECK_INT(sofa_status_from(999, NULL), MATCH_ST_UNKNOWN);
	CHECK_INT(sofa_status_from(-1, "postponed"), MATCH_ST_POSTPONED);
	CHECK_INT(sofa_status_from(-1, "canceled"), MATCH_ST_CANCELED);
	CHECK_INT(sofa_status_from(-1, NULL), MATCH_ST_UNKNOWN);

	CHECK_STR(match_status_name(MATCH_ST_FINISHED), "finished");
	CHECK_STR(match_status_name(MATCH_ST_NOTSTARTED), "notstarted");
	CHECK_STR(match_status_name(MATCH_ST_UNKNOWN), "unknown");
	CHECK_STR(match_status_name((enum match_status)42), "unknown");
}

/* ---- events ---------------------------------------------------------------- */

static void check_pl_event(const struct match_event *e)
{
	CHECK_INT(e->unique_tournament_id, 17);
	CHECK_STR(e->tournament_name, "Premier League");
	CHECK_STR(e->tournament_slug, "premier-league");
	CHECK_STR(e->category, "England");
	CHECK_INT(e->season_id, 76986);
	CHECK_STR(e->season_name, "Premier League 26/27");
}

static void events_round(void)
{
	size_t len, n = 0, skipped = 99;
	char *body = parsers_slurp(FIX, "scheduled_ut17_round.json", &len);
	struct match_event *evs = NULL;
	const struct match_event *e;
	char err[256] = "";
	static const int64_t ids[] = { 14025001, 14025002, 14025003, 14025004, 14025005,
				       14025006, 14025007, 14025008, 14025009, 14025010 };

	REQUIRE(body != NULL);
	CHECK_INT(sofa_parse_events(body, len, &evs, &n, &skipped, err, sizeof(err)), 0);
	free(body);
	REQUIRE(evs != NULL);
	CHECK_INT(n, 10);
	CHECK_INT(skipped, 0);
	for (size_t i = 0; i < n && i < 10; i++) {
		CHECK_INT(evs[i].id, ids[i]); /* order kept */
		check_pl_event(&evs[i]);
	}

	/* 1: finished, code 100, every field */
	e = parsers_find_event(evs, n, 14025001);
	REQUIRE(e != NULL);
	CHECK_INT(e->round, 12);
	CHECK_STR(e->round_name, "");
	CHECK_INT(e->home.id, 17);
	CHECK_STR(e->home.name, "Manchester City");
	CHECK_STR(e->home.short_name, "Man City");
	CHECK_STR(e->home.name_code, "MCI");
	CHECK_STR(e->home.slug, "manchester-city");
	CHECK_INT(e->away.id, 42);
	CHECK_STR(e->away.name, "Arsenal");
	CHECK_STR(e->away.short_name, "Arsenal");
	CHECK_STR(e->away.name_code, "ARS");
	CHECK_INT(e->start_ts, 1789817400);
	CHECK_INT(e->status_code, 100);
	CHECK_STR(e->status_type, "finished");
	CHECK_STR(e->status_desc, "Ended");
	CHECK_INT(e->status, MATCH_ST_FINISHED);
	CHECK(e->has_score);
	CHECK_INT(e->home_score, 2);
	CHECK_INT(e->away_score, 1);
	CHECK(!e->has_penalties);
	CHECK_INT(e->winner_code, 1);
	CHECK_STR(e->venue, "Etihad Stadium");
	CHECK_INT(e->changed_ts, 1789817400 + 6720);

	/* 2: a draw */
	e = parsers_find_event(evs, n, 14025002);
	REQUIRE(e != NULL);
	CHECK_STR(e->home.name, "Liverpool");
	CHECK_STR(e->away.name, "Chelsea");
	CHECK_INT(e->start_ts, 1789826400);
	CHECK_INT(e->status, MATCH_ST_FINISHED);
	CHECK(e->has_score);
	CHECK_INT(e->home_score, 1);
	CHECK_INT(e->away_score, 1);
	CHECK_INT(e->winner_code, 3);

	/* 3: AET, code 110 */
	e = parsers_find_event(evs, n, 14025003);
	REQUIRE(e != NULL);
	CHECK_STR(e->home.name, "Brighton & Hove Albion");
	CHECK_STR(e->home.short_name, "Brighton");
	CHECK_INT(e->status_code, 110);
	CHECK_STR(e->status_desc, "AET");
	CHECK_INT(e->status, MATCH_ST_FINISHED);
	CHECK_INT(e->home_score, 2);
	CHECK_INT(e->away_score, 1);
	CHECK(!e->has_penalties);
	CHECK_INT(e->winner_code, 1);

	/* 4: penalties, code 120: current 6-5 includes the shoot-out, display 1-1 */
	e = parsers_find_event(evs, n, 14025004);
	REQUIRE(e != NULL);
	CHECK_STR(e->home.name, "Aston Villa");
	CHECK_STR(e->away.name, "Tottenham Hotspur");
	CHECK_INT(e->start_ts, 1789835400);
	CHECK_INT(e->status_code, 120);
	CHECK_STR(e->status_desc, "AP");
	CHECK_INT(e->status, MATCH_ST_FINISHED);
	CHECK(e->has_score);
	CHECK_INT(e->home_score, 1);
	CHECK_INT(e->away_score, 1);
	CHECK(e->has_penalties);
	CHECK_INT(e->home_penalties, 5);
	CHECK_INT(e->away_penalties, 4);
	CHECK_INT(e->winner_code, 1);

	/* 5: postponed, {} scores; the light list shape (no venue) */
	e = parsers_find_event(evs, n, 14025005);
	REQUIRE(e != NULL);
	CHECK_INT(e->status_code, 60);
	CHECK_STR(e->status_type, "postponed");
	CHECK_INT(e->status, MATCH_ST_POSTPONED);
	CHECK(!e->has_score);
	CHECK(!e->has_penalties);
	CHECK_INT(e->winner_code, 0);
	CHECK_STR(e->venue, "");
	CHECK_INT(e->start_ts, 1789909200);
	CHECK_INT(e->changed_ts, 1789903412);

	/* 6: canceled */
	e = parsers_find_event(evs, n, 14025006);
	REQUIRE(e != NULL);
	CHECK_INT(e->status_code, 70);
	CHECK_STR(e->status_type, "canceled");
	CHECK_INT(e->status, MATCH_ST_CANCELED);
	CHECK(!e->has_score);
	CHECK_INT(e->winner_code, 0);

	/* 7: half-time */
	e = parsers_find_event(evs, n, 14025007);
	REQUIRE(e != NULL);
	CHECK_STR(e->home.name, "Manchester United");
	CHECK_STR(e->home.short_name, "Man Utd");
	CHECK_INT(e->status_code, 31);
	CHECK_STR(e->status_desc, "Halftime");
	CHECK_INT(e->status, MATCH_ST_INPROGRESS);
	CHECK(e->has_score);
	CHECK_INT(e->home_score, 1);
	CHECK_INT(e->away_score, 0);
	CHECK_INT(e->winner_code, 0);
	CHECK_STR(e->venue, "Old Trafford");

	/* 8: unknown code 999 falls back to the type */
	e = parsers_find_event(evs, n, 14025008);
	REQUIRE(e != NULL);
	CHECK_INT(e->status_code, 999);
	CHECK_STR(e->status_type, "finished");
	CHECK_STR(e->status_desc, "Awarded");
	CHECK_INT(e->status, MATCH_ST_FINISHED);
	CHECK_INT(e->home_score, 3);
	CHECK_INT(e->away_score, 0);

	/* 9: no roundInfo */
	e = parsers_find_event(evs, n, 14025009);
	REQUIRE(e != NULL);
	CHECK_INT(e->round, 0);
	CHECK_STR(e->round_name, "");
	CHECK_STR(e->home.name, "Bournemouth");
	CHECK_STR(e->away.name, "Leeds United");
	CHECK_INT(e->status_code, 0);
	CHECK_INT(e->status, MATCH_ST_NOTSTARTED);
	CHECK(!e->has_score);
	CHECK_INT(e->start_ts, 1789918200);

	/* 10: status with only "type" */
	e = parsers_find_event(evs, n, 14025010);
	REQUIRE(e != NULL);
	CHECK_INT(e->round, 12);
	CHECK_INT(e->status_code, -1);
	CHECK_STR(e->status_type, "notstarted");
	CHECK_STR(e->status_desc, "");
	CHECK_INT(e->status, MATCH_ST_NOTSTARTED);
	CHECK(!e->has_score);
	CHECK_INT(e->changed_ts, 0);
	free(evs);
}

static void events_bad_skipped(void)
{
	size_t len, n = 0, skipped = 0;
	char *body = parsers_slurp(FIX, "scheduled_bad.json", &len);
	struct match_event *evs = NULL;
	char err[256] = "";

	REQUIRE(body != NULL);
	CHECK_INT(sofa_parse_events(body, len, &evs, &n, &skipped, err, sizeof(err)), 0);
	free(body);
	REQUIRE(evs != NULL);
	CHECK_INT(skipped, 4); /* no id, id as a string, absurd startTimestamp, no homeTeam */
	CHECK_INT(n, 3);
	if (n == 3) {
		CHECK_INT(evs[0].id, 14025001);
		CHECK_INT(evs[1].id, 14025007);
		CHECK_INT(evs[2].id, 14025009);
		CHECK_INT(evs[0].home_score, 2);
		CHECK_INT(evs[0].away_score, 1);
		CHECK_INT(evs[1].status, MATCH_ST_INPROGRESS);
		CHECK_INT(evs[2].status, MATCH_ST_NOTSTARTED);
		CHECK_INT(evs[2].round, 0);
		check_pl_event(&evs[0]);
	}
	/* the first reason is reported */
	CHECK(err[0] != '\0');
	CHECK(strstr(err, "id") != NULL);
	free(evs);
}

/* Small inline bodies for the edges of one event. */
static int one_event(const char *json, struct match_event *out)
{
	char err[256];
	size_t n = 0, skipped = 0;
	struct match_event *evs = NULL;
	char *b = parsers_dup(json, strlen(json));
	int rc = sofa_parse_events(b, strlen(json), &evs, &n, &skipped, err, sizeof(err));

	free(b);
	if (rc == 0 && n == 1)
		*out = evs[0];
	else
		rc = -1;
	free(evs);
	return rc;
}

#define TEAMS_TS                                                                         \
	"\"homeTeam\":{\"id\":1,\"name\":\"A\"},\"awayTeam\":{\"id\":2,\"name\":\"B\"}," \
	"\"startTimestamp\":1790000000"

static void events_edges(void)
{
	struct match_event e;
	char err[256];
	size_t n = 9, skipped = 9;
	struct match_event *evs = NULL;

	/* only "current" and a shoot-out: the display is current minus penalties */
	CHECK_INT(one_event("{\"events\":[{\"id\":5," TEAMS_TS ",\"status\":{\"code\":120,\"type\":"
			    "\"finished\"},\"homeScore\":{\"current\":4,\"penalties\":3},"
			    "\"awayScore\":{\"current\":3,\"penalties\":2}}]}",
			    &e),
		  0);
	CHECK_INT(e.home_score, 1);
	CHECK_INT(e.away_score, 1);
	CHECK(e.has_penalties);
	CHECK_INT(e.home_penalties, 3);
	CHECK_INT(e.away_penalties, 2);
	/* one side {} only: no score */
	CHECK_INT(one_event("{\"events\":[{\"id\":5," TEAMS_TS ",\"status\":{\"code\":6,\"type\":"
			    "\"inprogress\"},\"homeScore\":{\"current\":1,\"display\":1},"
			    "\"awayScore\":{}}]}",
			    &e),
		  0);
	CHECK(!e.has_score);
	/* a status with neither code nor type is refused */
	CHECK_INT(one_event("{\"events\":[{\"id\":5," TEAMS_TS ",\"status\":{}}]}", &e), -1);
	/* start times out of [2000, 2100) are refused */
	CHECK_INT(one_event("{\"events\":[{\"id\":5,\"homeTeam\":{\"id\":1,\"name\":\"A\"},"
			    "\"awayTeam\":{\"id\":2,\"name\":\"B\"},\"startTimestamp\":12,"
			    "\"status\":{\"code\":0}}]}",
			    &e),
		  -1);
	CHECK_INT(one_event("{\"events\":[{\"id\":5,\"homeTeam\":{\"id\":1,\"name\":\"A\"},"
			    "\"awayTeam\":{\"id\":2,\"name\":\"B\"},\"startTimestamp\":1790000000.5,"
			    "\"status\":{\"code\":0}}]}",
			    &e),
		  -1);
	/* ids: zero, negative, fractional, beyond 2^53 */
	CHECK_INT(one_event("{\"events\":[{\"id\":0," TEAMS_TS ",\"status\":{\"code\":0}}]}", &e),
		  -1);
	CHECK_INT(one_event("{\"events\":[{\"id\":-3," TEAMS_TS ",\"status\":{\"code\":0}}]}", &e),
		  -1);
	CHECK_INT(one_event("{\"events\":[{\"id\":3.5," TEAMS_TS ",\"status\":{\"code\":0}}]}", &e),
		  -1);
	CHECK_INT(one_event("{\"events\":[{\"id\":1e300," TEAMS_TS ",\"status\":{\"code\":0}}]}",
			    &e),
		  -1);
	/* a team without a name */
	CHECK_INT(
		one_event("{\"events\":[{\"id\":5,\"homeTeam\":{\"id\":1},\"awayTeam\":{\"id\":2,"
			  "\"name\":\"B\"},\"startTimestamp\":1790000000,\"status\":{\"code\":0}}]}",
			  &e),
		-1);
	/* shortName missing: the name stands in */
	CHECK_INT(one_event("{\"events\":[{\"id\":5," TEAMS_TS ",\"status\":{\"code\":0}}]}", &e),
		  0);
	CHECK_STR(e.home.short_name, "A");
	CHECK(!e.has_score);

	/* an empty list is fine */
	CHECK_INT(sofa_parse_events(LIT("{\"events\":[]}"), &evs, &n, &skipped, err, sizeof(err)),
		  0);
	CHECK_INT(n, 0);
	CHECK_INT(skipped, 0);
	free(evs);
	/* non-objects in the list are skipped */
	evs = NULL;
	CHECK_INT(sofa_parse_events(LIT("{\"events\":[1,null,\"x\",[]]}"), &evs, &n, &skipped, err,
				    sizeof(err)),
		  0);
	CHECK_INT(n, 0);
	CHECK_INT(skipped, 4);
	free(evs);
}

/* A list is read one event at a time (parse_events_stream) only where the
 * whole parse gives the same answer: the first "events" member, other
 * members read and checked, invalid JSON anywhere still refused with the
 * whole parse's error, what follows the root ignored, an escaped key or
 * nesting near cJSON's limit left to the whole parse. */
static void events_one_at_a_time(void)
{
#define EV1 "{\"id\":5," TEAMS_TS ",\"status\":{\"code\":0}}"
	static const struct {
		const char *body;
		int rc;
		size_t n, skipped;
	} cases[] = {
		{ "{\"events\":[" EV1 "]}", 0, 1, 0 },
		{ " \n{ \"events\" : [ " EV1 " , " EV1 " ] } ", 0, 2, 0 },
		{ "\xEF\xBB\xBF{\"events\":[" EV1 "]}", 0, 1, 0 },
		{ "{\"x\":{\"a\":[1,{\"b\":null}]},\"y\":\"}\",\"events\":[" EV1 "],\"z\":false}",
		  0, 1, 0 },
		/* the first "events" counts */
		{ "{\"events\":[],\"events\":[" EV1 "]}", 0, 0, 0 },
		{ "{\"events\":[" EV1 "],\"events\":7}", 0, 1, 0 },
		/* an escaped key is the same key */
		{ "{\"ev\\u0065nts\":[" EV1 "]}", 0, 1, 0 },
		/* what follows the root object is not read */
		{ "{\"events\":[" EV1 "]} trailing", 0, 1, 0 },
		{ "{\"events\":[1,\"x\"," EV1 "]}", 0, 1, 2 },
		/* invalid JSON after the list, in another member, in the list */
		{ "{\"events\":[" EV1 "],\"x\":tru}", -1, 0, 0 },
		{ "{\"x\":[1,],\"events\":[" EV1 "]}", -1, 0, 0 },
		{ "{\"events\":[" EV1 ",]}", -1, 0, 0 },
		{ "{\"events\":[" EV1 "]", -1, 0, 0 },
		{ "{\"events\":[" EV1 "],}", -1, 0, 0 },
		{ "{\"events\":{}}", -1, 0, 0 },
		{ "{}", -1, 0, 0 },
		/* a byte order mark is skipped at the start only */
		{ "{\"events\":[\xEF\xBB\xBF" EV1 "]}", -1, 0, 0 },
		{ "{\"x\":\xEF\xBB\xBF{},\"events\":[" EV1 "]}", -1, 0, 0 },
	};
	char err[256], whole[256];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct match_event *evs = NULL;
		size_t n = 9, skipped = 9;
		int rc =
			sofa_parse_events(LIT(cases[i].body), &evs, &n, &skipped, err, sizeof(err));

		CHECK_INT(rc, cases[i].rc);
		if (rc == 0) {
			CHECK_INT(n, cases[i].n);
			CHECK_INT(skipped, cases[i].skipped);
			if (n > 0)
				CHECK_INT(evs[0].id, 5);
		}
		free(evs);
	}
	/* the whole parse's error, byte offset and all */
	struct match_event *evs = NULL;
	size_t n, skipped;
	const char *bad = "{\"events\":[" EV1 "],\"x\":tru}";
	CHECK_INT(sofa_parse_events(LIT(bad), &evs, &n, &skipped, err, sizeof(err)), -1);
	snprintf(whole, sizeof(whole), "invalid JSON near byte %zu of %zu", strlen(bad) - 4,
		 strlen(bad));
	CHECK_STR(err, whole);
	/* a NUL in a key ends it for cJSON: "events\0x" is "events" */
	static const char nul[] = "{\"events\0x\":[" EV1 "]}";
	evs = NULL;
	CHECK_INT(sofa_parse_events(nul, sizeof(nul) - 1, &evs, &n, &skipped, err, sizeof(err)), 0);
	CHECK_INT(n, 1);
	free(evs);
	/* nesting: cJSON allows 1000 levels in the whole document (root and list
	 * included): 998 in an event are read, 999 are refused */
	for (int d = 997; d <= 1000; d++) {
		char *b = malloc(64 + 2 * (size_t)d);
		size_t k = 0;

		REQUIRE(b != NULL);
		memcpy(b, "{\"events\":[", 11);
		k = 11;
		for (int j = 0; j < d; j++)
			b[k++] = '[';
		for (int j = 0; j < d; j++)
			b[k++] = ']';
		memcpy(b + k, "]}", 2);
		k += 2;
		evs = NULL;
		CHECK_INT(sofa_parse_events(b, k, &evs, &n, &skipped, err, sizeof(err)),
			  d <= 998 ? 0 : -1);
		if (d <= 998)
			CHECK_INT(skipped, 1);
		free(evs);
		free(b);
	}
#undef EV1
}

static void events_live(void)
{
	size_t len, n = 0, skipped = 9;
	char *body = parsers_slurp(FIX, "live.json", &len);
	struct match_event *evs = NULL;
	char err[256];

	REQUIRE(body != NULL);
	CHECK_INT(sofa_parse_events(body, len, &evs, &n, &skipped, err, sizeof(err)), 0);
	free(body);
	REQUIRE(evs != NULL);
	CHECK_INT(n, 3);
	CHECK_INT(skipped, 0);
	if (n == 3) {
		CHECK_INT(evs[0].id, 15050001);
		CHECK_INT(evs[0].unique_tournament_id, 8);
		CHECK_STR(evs[0].tournament_name, "LaLiga");
		CHECK_STR(evs[0].category, "Spain");
		CHECK_INT(evs[0].season_id, 77559);
		CHECK_INT(evs[0].round, 6);
		CHECK_INT(evs[0].home.id, 2829);
		CHECK_STR(evs[0].home.name, "Real Madrid");
		CHECK_INT(evs[0].away.id, 2817);
		CHECK_STR(evs[0].venue, "Santiago Bernabéu");
		CHECK_INT(evs[0].status_code, 6);
		CHECK_STR(evs[0].status_desc, "1st half");
		CHECK_INT(evs[0].status, MATCH_ST_INPROGRESS);
		CHECK(evs[0].has_score);
		CHECK_INT(evs[0].home_score, 0);
		CHECK_INT(evs[0].away_score, 1);
		CHECK_INT(evs[0].start_ts, 1789911000);

		CHECK_INT(evs[1].id, 14025007);
		CHECK_INT(evs[1].status_code, 31);
		CHECK_INT(evs[1].status, MATCH_ST_INPROGRESS);
		check_pl_event(&evs[1]);

		CHECK_INT(evs[2].id, 14025011);
		CHECK_INT(evs[2].status_code, 7);
		CHECK_STR(evs[2].status_desc, "2nd half");
		CHECK_INT(evs[2].status, MATCH_ST_INPROGRESS);
		CHECK_INT(evs[2].round, 11);
		CHECK_STR(evs[2].home.name, "Newcastle United");
		CHECK_STR(evs[2].away.name, "Aston Villa");
		CHECK_INT(evs[2].home_score, 2);
		CHECK_INT(evs[2].away_score, 2);
		CHECK_INT(evs[2].winner_code, 0);
	}
	free(evs);
}

static int load_event(const char *name, struct match_event *ev)
{
	size_t len;
	char err[256] = "";
	char *body = parsers_slurp(FIX, name, &len);
	int rc;

	if (body == NULL)
		return -2;
	rc = sofa_parse_event(body, len, ev, err, sizeof(err));
	free(body);
	if (rc != 0)
		t_fail(__FILE__, __LINE__, "%s: %s", name, err);
	return rc;
}

static void event_finished_120(void)
{
	struct match_event e;

	REQUIRE(load_event("event_finished_120.json", &e) == 0);
	CHECK_INT(e.id, 14025004);
	check_pl_event(&e);
	CHECK_INT(e.round, 12);
	CHECK_INT(e.home.id, 40);
	CHECK_STR(e.home.name, "Aston Villa");
	CHECK_STR(e.home.name_code, "AVL");
	CHECK_INT(e.away.id, 33);
	CHECK_STR(e.away.short_name, "Tottenham");
	CHECK_INT(e.start_ts, 1789835400);
	CHECK_INT(e.status_code, 120);
	CHECK_INT(e.status, MATCH_ST_FINISHED);
	CHECK(e.has_score);
	CHECK_INT(e.home_score, 1); /* display, never current (6) */
	CHECK_INT(e.away_score, 1);
	CHECK(e.has_penalties);
	CHECK_INT(e.home_penalties, 5);
	CHECK_INT(e.away_penalties, 4);
	CHECK_INT(e.winner_code, 1);
	CHECK_INT(e.changed_ts, 1789835400 + 6720);
}

static void event_finished_110(void)
{
	struct match_event e;

	REQUIRE(load_event("event_finished_110.json", &e) == 0);
	CHECK_INT(e.id, 14025003);
	check_pl_event(&e);
	CHECK_INT(e.home.id, 30);
	CHECK_INT(e.away.id, 39);
	CHECK_INT(e.status_code, 110);
	CHECK_STR(e.status_desc, "AET");
	CHECK_INT(e.status, MATCH_ST_FINISHED);
	CHECK(e.has_score);
	CHECK_INT(e.home_score, 2);
	CHECK_INT(e.away_score, 1);
	CHECK(!e.has_penalties);
	CHECK_INT(e.winner_code, 1);
	CHECK_INT(e.start_ts, 1789826400);
}

static void event_inprogress_31(void)
{
	struct match_event e;

	REQUIRE(load_event("event_inprogress_31.json", &e) == 0);
	CHECK_INT(e.id, 14025007);
	check_pl_event(&e);
	CHECK_STR(e.home.name, "Manchester United");
	CHECK_STR(e.away.name, "West Ham United");
	CHECK_INT(e.status_code, 31);
	CHECK_STR(e.status_type, "inprogress");
	CHECK_INT(e.status, MATCH_ST_INPROGRESS);
	CHECK(e.has_score);
	CHECK_INT(e.home_score, 1);
	CHECK_INT(e.away_score, 0);
	CHECK_INT(e.winner_code, 0);
	CHECK_INT(e.changed_ts, 1789909200 + 2970);
}

static void event_postponed_60(void)
{
	struct match_event e;

	REQUIRE(load_event("event_postponed_60.json", &e) == 0);
	CHECK_INT(e.id, 14025005);
	check_pl_event(&e);
	CHECK_STR(e.home.name, "Everton");
	CHECK_STR(e.away.name, "Fulham");
	CHECK_INT(e.status_code, 60);
	CHECK_INT(e.status, MATCH_ST_POSTPONED);
	CHECK(!e.has_score);
	CHECK(!e.has_penalties);
	CHECK_INT(e.winner_code, 0);
	CHECK_INT(e.changed_ts, 1789903412);
}

/* A list is not an event, an event is not a list. */
static void event_wrong_wrapper(void)
{
	size_t len, n = 0, skipped = 0;
	char err[256];
	struct match_event e, *evs = NULL;
	char *list = parsers_slurp(FIX, "scheduled_ut17_round.json", &len);

	REQUIRE(list != NULL);
	CHECK_INT(sofa_parse_event(list, len, &e, err, sizeof(err)), -1);
	free(list);
	list = parsers_slurp(FIX, "event_finished_120.json", &len);
	REQUIRE(list != NULL);
	CHECK_INT(sofa_parse_events(list, len, &evs, &n, &skipped, err, sizeof(err)), -1);
	CHECK(evs == NULL);
	free(list);
	CHECK_INT(sofa_parse_event(LIT("{\"event\":[]}"), &e, err, sizeof(err)), -1);
	CHECK_INT(sofa_parse_event(LIT("{\"event\":{\"id\":\"1\"}}"), &e, err, sizeof(err)), -1);
}

/* ---- line-ups -------------------------------------------------------------- */

static size_t count_if(const struct match_side *s, bool (*pred)(const struct match_player *))
{
	size_t c = 0;

	for (size_t i = 0; i < s->nplayers; i++)
		c += pred(&s->players[i]) ? 1 : 0;
	return c;
}

static bool is_sub(const struct match_player *p)
{
	return p->substitute;
}
static bool is_captain(const struct match_player *p)
{
	return p->captain;
}
static bool has_rating(const struct match_player *p)
{
	return p->has_rating;
}
static bool has_stats(const struct match_player *p)
{
	return p->stats_json != NULL;
}

static void lineups_confirmed(void)
{
	size_t len;
	char err[256] = "";
	char *body = parsers_slurp(FIX, "lineups_confirmed.json", &len);
	struct match_lineups l;
	const struct match_player *p;

	REQUIRE(body != NULL);
	CHECK_INT(sofa_parse_lineups(body, len, &l, true, err, sizeof(err)), 0);
	free(body);
	CHECK(l.confirmed);
	CHECK_STR(l.home.formation, "4-3-3");
	CHECK_STR(l.away.formation, "4-2-3-1");
	CHECK_INT(l.home.nplayers, 18);
	CHECK_INT(l.away.nplayers, 18);
	CHECK_INT(count_if(&l.home, is_sub), 7);
	CHECK_INT(count_if(&l.away, is_sub), 7);
	/* starters first, as sent */
	for (size_t i = 0; i < l.home.nplayers; i++)
		CHECK(l.home.players[i].substitute == (i >= 11));
	CHECK_INT(count_if(&l.home, is_captain), 1);
	CHECK_INT(count_if(&l.away, is_captain), 1);
	CHECK_INT(count_if(&l.home, has_rating), 13);
	CHECK_INT(count_if(&l.away, has_rating), 13);
	CHECK_INT(count_if(&l.home, has_stats), 14);
	CHECK_INT(count_if(&l.away, has_stats), 14);

	/* the captain, and only him */
	p = find_player(&l.home, "Bernardo Silva");
	REQUIRE(p != NULL);
	CHECK(p->captain);
	CHECK(!p->substitute);
	CHECK_INT(p->shirt, 20);
	p = find_player(&l.away, "Martin Ødegaard"); /* \u00d8 in the body */
	REQUIRE(p != NULL);
	CHECK(p->captain);
	CHECK_INT(p->minutes, 62);
	CHECK(parsers_near(p->rating, 6.6));
	p = find_player(&l.home, "Erling Haaland");
	REQUIRE(p != NULL);
	CHECK(!p->captain);
	CHECK_INT(p->id, 839956);
	CHECK_STR(p->short_name, "E. Haaland");
	CHECK_STR(p->position, "F");
	CHECK_INT(p->shirt, 9);
	CHECK(p->has_rating);
	CHECK(parsers_near(p->rating, 8.1));
	CHECK_INT(p->minutes, 90);
	REQUIRE(p->stats_json != NULL);
	CHECK(p->stats_json[0] == '{');
	CHECK(strstr(p->stats_json, "\"goals\":1") != NULL);
	CHECK(strstr(p->stats_json, "\"minutesPlayed\":90") != NULL);
	CHECK(strstr(p->stats_json, "\"rating\":8.1") != NULL);

	/* shirtNumber is the number worn; player.jerseyNumber differs */
	p = find_player(&l.home, "Nico O'Reilly");
	REQUIRE(p != NULL);
	CHECK_INT(p->shirt, 33); /* player.jerseyNumber "75" */
	p = find_player(&l.away, "David Raya");
	REQUIRE(p != NULL);
	CHECK_INT(p->shirt, 1); /* player.jerseyNumber "22" */
	CHECK_STR(p->position, "G");
	p = find_player(&l.away, "Viktor Gyökeres");
	REQUIRE(p != NULL);
	CHECK_INT(p->shirt, 14); /* player.jerseyNumber "17" */

	/* escaped UTF-8 decoded */
	p = find_player(&l.home, "Rúben Dias");
	REQUIRE(p != NULL);
	CHECK_STR(p->short_name, "R. Dias");
	CHECK_INT(p->id, 794839);

	/* a starter without a rating (8 minutes, injured) */
	p = find_player(&l.home, "Rodri");
	REQUIRE(p != NULL);
	CHECK(!p->substitute);
	CHECK(!p->has_rating);
	CHECK_INT(p->minutes, 8);
	REQUIRE(p->stats_json != NULL);
	CHECK(strstr(p->stats_json, "\"rating\"") == NULL);
	/* a bench player with no statistics at all */
	p = find_player(&l.home, "Gianluigi Donnarumma");
	REQUIRE(p != NULL);
	CHECK(p->substitute);
	CHECK(!p->captain);
	CHECK(!p->has_rating);
	CHECK_INT(p->minutes, -1);
	CHECK(p->stats_json == NULL);
	CHECK_INT(p->shirt, 25);
	/* subs who came on */
	p = find_player(&l.home, "Mateo Kovačić");
	REQUIRE(p != NULL);
	CHECK(p->substitute);
	CHECK(parsers_near(p->rating, 6.9));
	CHECK_INT(p->minutes, 82);
	p = find_player(&l.away, "Leandro Trossard");
	REQUIRE(p != NULL);
	CHECK(p->substitute);
	CHECK(!p->has_rating);
	CHECK_INT(p->minutes, 5);
	CHECK(p->stats_json != NULL);
	p = find_player(&l.home, "Joško Gvardiol");
	REQUIRE(p != NULL);
	CHECK(parsers_near(p->rating, 5.9));
	CHECK_INT(p->minutes, 81);

	/* missing players: the description, else a text for the reason code */
	CHECK_INT(l.home.nmissing, 2);
	CHECK_INT(l.away.nmissing, 1);
	if (l.home.nmissing == 2) {
		CHECK_INT(l.home.missing[0].id, 1097354);
		CHECK_STR(l.home.missing[0].name, "Oscar Bobb");
		CHECK_STR(l.home.missing[0].reason, "Muscle Injury");
		CHECK_INT(l.home.missing[1].id, 1035621);
		CHECK_STR(l.home.missing[1].name, "Abdukodir Khusanov");
		CHECK_STR(l.home.missing[1].reason, "suspended"); /* reason 3, no description */
	}
	if (l.away.nmissing == 1) {
		CHECK_STR(l.away.missing[0].name, "Kai Havertz");
		CHECK_STR(l.away.missing[0].reason, "Knee Injury");
	}
	match_lineups_free(&l);
	CHECK(l.home.players == NULL && l.home.nplayers == 0);
	match_lineups_free(&l); /* twice is harmless */
}

/* without statistics: the same players and ratings, no stats_json printed */
static void lineups_without_stats(void)
{
	size_t len;
	char err[256] = "";
	char *body = parsers_slurp(FIX, "lineups_confirmed.json", &len);
	struct match_lineups l;
	const struct match_player *p;
	size_t with = 0;

	REQUIRE(body != NULL);
	CHECK_INT(sofa_parse_lineups(body, len, &l, false, err, sizeof(err)), 0);
	free(body);
	CHECK(l.confirmed);
	CHECK_INT(l.home.nplayers, 18);
	for (size_t i = 0; i < l.home.nplayers; i++)
		with += l.home.players[i].stats_json != NULL;
	for (size_t i = 0; i < l.away.nplayers; i++)
		with += l.away.players[i].stats_json != NULL;
	CHECK_INT(with, 0);
	p = find_player(&l.home, "Erling Haaland");
	REQUIRE(p != NULL);
	CHECK(p->has_rating);
	CHECK(parsers_near(p->rating, 8.1));
	CHECK_INT(p->minutes, 90);
	match_lineups_free(&l);
}

static void lineups_unconfirmed(void)
{
	size_t len;
	char err[256] = "";
	char *body = parsers_slurp(FIX, "lineups_unconfirmed.json", &len);
	struct match_lineups l;
	const struct match_player *p;

	REQUIRE(body != NULL);
	CHECK_INT(sofa_parse_lineups(body, len, &l, true, err, sizeof(err)), 0);
	free(body);
	CHECK(!l.confirmed);
	CHECK_STR(l.home.formation, "4-2-3-1");
	CHECK_STR(l.away.formation, "4-3-3");
	CHECK_INT(l.home.nplayers, 15);
	CHECK_INT(l.away.nplayers, 15);
	CHECK_INT(count_if(&l.home, is_sub), 4);
	CHECK_INT(count_if(&l.away, is_sub), 4);
	CHECK_INT(count_if(&l.home, is_captain) + count_if(&l.away, is_captain), 0);
	CHECK_INT(count_if(&l.home, has_stats) + count_if(&l.away, has_stats), 0);
	CHECK_INT(count_if(&l.home, has_rating) + count_if(&l.away, has_rating), 0);
	p = find_player(&l.home, "Đorđe Petrović");
	REQUIRE(p != NULL);
	CHECK_INT(p->shirt, 1);
	CHECK_STR(p->position, "G");
	CHECK_INT(p->minutes, -1);
	p = find_player(&l.away, "Dominic Calvert-Lewin");
	REQUIRE(p != NULL);
	CHECK_INT(p->shirt, 9);
	CHECK(!p->substitute);
	CHECK_INT(l.home.nmissing, 1);
	CHECK_INT(l.away.nmissing, 0);
	if (l.home.nmissing == 1)
		CHECK_STR(l.home.missing[0].reason, "Hamstring Injury");
	match_lineups_free(&l);
}

static void lineups_edges(void)
{
	struct match_lineups l;
	char err[256];
	static const char no_away[] = "{\"confirmed\":true,\"home\":{\"players\":[]}}";
	static const char junk[] =
		"{\"confirmed\":true,\"home\":{\"players\":[{\"__trimmed__\":2},7,{\"player\":{"
		"\"name\":\"X\"}},{\"player\":{\"id\":9,\"name\":\"Y\"},\"jerseyNumber\":\"12\","
		"\"statistics\":{\"rating\":11}}],\"missingPlayers\":[{\"player\":{}},{\"player\":"
		"{\"id\":3,\"name\":\"Z\"},\"reason\":0}]},\"away\":{\"players\":[],"
		"\"missingPlayers\":{}}}";

	/* a side missing: refused, nothing left allocated */
	CHECK_INT(sofa_parse_lineups(no_away, sizeof(no_away) - 1, &l, true, err, sizeof(err)), -1);
	CHECK(l.home.players == NULL);
	match_lineups_free(&l);
	/* junk entries are skipped; jerseyNumber is the fallback shirt; ratings out
	 * of (0, 10] are not ratings; reason 0 without description: "other" */
	CHECK_INT(sofa_parse_lineups(junk, sizeof(junk) - 1, &l, true, err, sizeof(err)), 0);
	CHECK_INT(l.home.nplayers, 1);
	if (l.home.nplayers == 1) {
		CHECK_INT(l.home.players[0].id, 9);
		CHECK_INT(l.home.players[0].shirt, 12);
		CHECK(!l.home.players[0].has_rating);
		CHECK(l.home.players[0].stats_json != NULL);
	}
	CHECK_INT(l.home.nmissing, 1);
	if (l.home.nmissing == 1)
		CHECK_STR(l.home.missing[0].reason, "other");
	CHECK_INT(l.away.nplayers, 0);
	CHECK_INT(l.away.nmissing, 0);
	match_lineups_free(&l);
}

/* ---- statistics -------------------------------------------------------------- */

static void statistics(void)
{
	size_t len, n = 0;
	char err[256] = "";
	char *body = parsers_slurp(FIX, "statistics.json", &len);
	struct match_stat *st = NULL;
	const struct match_stat *s;
	static const char *const periods[] = { "ALL", "1ST", "2ND" };

	REQUIRE(body != NULL);
	CHECK_INT(sofa_parse_statistics(body, len, &st, &n, err, sizeof(err)), 0);
	free(body);
	REQUIRE(st != NULL);
	/* 31 items per period in the body, 2 keys repeated in a second group;
	 * "redCards" is absent from 1ST */
	CHECK_INT(n, 86);
	CHECK_INT(count_stat(st, n, "ALL", NULL), 29);
	CHECK_INT(count_stat(st, n, "1ST", NULL), 28);
	CHECK_INT(count_stat(st, n, "2ND", NULL), 29);
	CHECK_STR(st[0].period, "ALL");
	CHECK_STR(st[0].key, "ballPossession");
	for (size_t i = 0; i < 3; i++) {
		CHECK_INT(count_stat(st, n, periods[i], "totalShotsOnGoal"), 1);
		CHECK_INT(count_stat(st, n, periods[i], "goalkeeperSaves"), 1);
		CHECK_INT(count_stat(st, n, periods[i], "ballPossession"), 1);
	}
	/* every key at most once per period */
	for (size_t i = 0; i < n; i++)
		for (size_t j = i + 1; j < n; j++)
			if (strcmp(st[i].period, st[j].period) == 0 &&
			    strcmp(st[i].key, st[j].key) == 0)
				t_fail(__FILE__, __LINE__, "%s %s twice", st[i].period, st[i].key);

	s = find_stat(st, n, "ALL", "ballPossession");
	REQUIRE(s != NULL);
	CHECK_STR(s->name, "Ball possession");
	CHECK_STR(s->group, "Match overview");
	CHECK_STR(s->home, "58%");
	CHECK_STR(s->away, "42%");
	CHECK(s->has_values);
	CHECK(parsers_near(s->home_value, 58));
	CHECK(parsers_near(s->away_value, 42));
	s = find_stat(st, n, "1ST", "ballPossession");
	REQUIRE(s != NULL);
	CHECK_STR(s->home, "61%");
	CHECK(parsers_near(s->home_value, 61));
	CHECK(parsers_near(s->away_value, 39));

	s = find_stat(st, n, "ALL", "expectedGoals");
	REQUIRE(s != NULL);
	CHECK_STR(s->home, "1.84");
	CHECK_STR(s->away, "1.17");
	CHECK(parsers_near(s->home_value, 1.84));
	CHECK(parsers_near(s->away_value, 1.17));
	s = find_stat(st, n, "2ND", "expectedGoals");
	REQUIRE(s != NULL);
	CHECK(parsers_near(s->home_value, 0.72));
	CHECK(parsers_near(s->away_value, 0.96));

	/* the repeated key is kept once, from the first group it appears in */
	s = find_stat(st, n, "ALL", "totalShotsOnGoal");
	REQUIRE(s != NULL);
	CHECK_STR(s->group, "Match overview");
	CHECK_STR(s->name, "Total shots");
	CHECK_STR(s->home, "15");
	CHECK_STR(s->away, "9");
	CHECK(parsers_near(s->home_value, 15));
	CHECK(parsers_near(s->away_value, 9));
	s = find_stat(st, n, "1ST", "totalShotsOnGoal");
	REQUIRE(s != NULL);
	CHECK(parsers_near(s->home_value, 9));
	CHECK(parsers_near(s->away_value, 3));
	s = find_stat(st, n, "2ND", "totalShotsOnGoal");
	REQUIRE(s != NULL);
	CHECK(parsers_near(s->home_value, 6));
	CHECK(parsers_near(s->away_value, 6));
	s = find_stat(st, n, "ALL", "goalkeeperSaves");
	REQUIRE(s != NULL);
	CHECK_STR(s->name, "Goalkeeper saves");
	CHECK_STR(s->group, "Match overview");
	CHECK(parsers_near(s->home_value, 2));
	CHECK(parsers_near(s->away_value, 5));

	s = find_stat(st, n, "ALL", "shotsOnGoal");
	REQUIRE(s != NULL);
	CHECK_STR(s->group, "Shots");
	CHECK(parsers_near(s->home_value, 6));
	CHECK(parsers_near(s->away_value, 3));
	s = find_stat(st, n, "ALL", "cornerKicks");
	REQUIRE(s != NULL);
	CHECK_STR(s->home, "7");
	CHECK(parsers_near(s->home_value, 7));
	CHECK(parsers_near(s->away_value, 3));
	s = find_stat(st, n, "ALL", "fouls");
	REQUIRE(s != NULL);
	CHECK(parsers_near(s->home_value, 11));
	CHECK(parsers_near(s->away_value, 13));
	s = find_stat(st, n, "ALL", "yellowCards");
	REQUIRE(s != NULL);
	CHECK(parsers_near(s->home_value, 1));
	CHECK(parsers_near(s->away_value, 1));
	s = find_stat(st, n, "1ST", "yellowCards");
	REQUIRE(s != NULL);
	CHECK(parsers_near(s->home_value, 0));
	CHECK(parsers_near(s->away_value, 1));
	CHECK(find_stat(st, n, "1ST", "redCards") == NULL);
	s = find_stat(st, n, "2ND", "redCards");
	REQUIRE(s != NULL);
	CHECK(parsers_near(s->home_value, 1));

	/* "team" values: the displayed string carries the ratio */
	s = find_stat(st, n, "ALL", "accuratePasses");
	REQUIRE(s != NULL);
	CHECK_STR(s->group, "Passes");
	CHECK_STR(s->home, "493/563 (88%)");
	CHECK_STR(s->away, "350/412 (85%)");
	CHECK(parsers_near(s->home_value, 493));
	CHECK(parsers_near(s->away_value, 350));
	s = find_stat(st, n, "ALL", "goalsPrevented");
	REQUIRE(s != NULL);
	CHECK_STR(s->group, "Goalkeeping");
	CHECK_STR(s->home, "-0.16");
	CHECK(parsers_near(s->home_value, -0.16));
	CHECK(parsers_near(s->away_value, 0.75));
	free(st);
}

static void statistics_edges(void)
{
	struct match_stat *st = NULL;
	size_t n = 9;
	char err[256];
	static const char odd[] =
		"{\"statistics\":[{\"period\":\"ALL\",\"groups\":[{\"groupName\":\"G\",\"statisticsItems\":["
		"{\"name\":\"no key\",\"home\":\"1\",\"away\":\"2\"},"
		"{\"key\":\"k\",\"home\":\"1\",\"away\":\"2\",\"homeValue\":\"1\",\"awayValue\":2},"
		"{\"__trimmed__\":3}]},{\"__trimmed__\":4}]},{\"groups\":[]},7]}";

	CHECK_INT(sofa_parse_statistics(LIT("{\"statistics\":[]}"), &st, &n, err, sizeof(err)), 0);
	CHECK_INT(n, 0);
	free(st);
	st = NULL;
	/* items without a key are dropped; a string value is no value */
	CHECK_INT(sofa_parse_statistics(odd, sizeof(odd) - 1, &st, &n, err, sizeof(err)), 0);
	CHECK_INT(n, 1);
	if (n == 1) {
		CHECK_STR(st[0].key, "k");
		CHECK_STR(st[0].home, "1");
		CHECK(!st[0].has_values);
	}
	free(st);
}

/* ---- incidents ---------------------------------------------------------------- */

static void incidents(void)
{
	size_t len, n = 0;
	char err[256] = "";
	char *body = parsers_slurp(FIX, "incidents_goals.json", &len);
	struct match_incident *inc = NULL;
	const struct match_incident *x;

	REQUIRE(body != NULL);
	CHECK_INT(sofa_parse_incidents(body, len, &inc, &n, err, sizeof(err)), 0);
	free(body);
	REQUIRE(inc != NULL);
	CHECK_INT(n, 17);
	REQUIRE(n == 17);

	/* newest first, as sent */
	x = &inc[0];
	CHECK_STR(x->type, "period");
	CHECK_INT(x->minute, 90);
	CHECK_INT(x->added_time, 0); /* 999 */
	CHECK(x->has_score);
	CHECK_INT(x->home_score, 2);
	CHECK_INT(x->away_score, 1);
	CHECK_STR(x->side, "");
	CHECK_STR(inc[1].type, "injuryTime");
	CHECK_INT(inc[1].minute, 90);
	CHECK_INT(inc[1].added_time, 0);
	CHECK_STR(inc[16].type, "substitution");
	CHECK_INT(inc[16].minute, 8);

	/* the red card */
	x = &inc[3];
	CHECK_STR(x->type, "card");
	CHECK_STR(x->klass, "red");
	CHECK_INT(x->minute, 81);
	CHECK_STR(x->player, "Joško Gvardiol");
	CHECK_INT(x->player_id, 873560);
	CHECK_STR(x->side, "home");
	CHECK_INT(x->id, 128300112);
	/* yellow cards */
	CHECK_STR(inc[10].klass, "yellow");
	CHECK_STR(inc[10].player, "Tijjani Reijnders");
	CHECK_STR(inc[10].side, "home");
	CHECK_STR(inc[14].klass, "yellow");
	CHECK_STR(inc[14].player, "Declan Rice");
	CHECK_STR(inc[14].side, "away");
	CHECK_INT(inc[14].minute, 34);

	/* the penalty goal: 1-0... 2-0 -> 2-1, away */
	x = &inc[7];
	CHECK_STR(x->type, "goal");
	CHECK_STR(x->klass, "penalty");
	CHECK_INT(x->minute, 67);
	CHECK_STR(x->player, "Bukayo Saka");
	CHECK_STR(x->assist, "");
	CHECK(x->has_score);
	CHECK_INT(x->home_score, 2);
	CHECK_INT(x->away_score, 1);
	CHECK_STR(x->side, "away");
	/* the VAR decision before it */
	x = &inc[8];
	CHECK_STR(x->type, "varDecision");
	CHECK_STR(x->klass, "penaltyAwarded");
	CHECK_STR(x->side, "away");
	CHECK_STR(x->player, "Bukayo Saka");
	CHECK(!x->has_score);

	/* half-time marker */
	x = &inc[11];
	CHECK_STR(x->type, "period");
	CHECK_INT(x->minute, 45);
	CHECK_INT(x->added_time, 0);
	CHECK_INT(x->home_score, 2);
	CHECK_INT(x->away_score, 0);

	/* the own goal by Arsenal's Gabriel, 45+2: 1-0 -> 2-0, credited to home */
	x = &inc[12];
	CHECK_STR(x->type, "goal");
	CHECK_STR(x->klass, "ownGoal");
	CHECK_INT(x->minute, 45);
	CHECK_INT(x->added_time, 2);
	CHECK_STR(x->player, "Gabriel");
	CHECK_INT(x->player_id, 869792);
	CHECK_INT(x->home_score, 2);
	CHECK_INT(x->away_score, 0);
	CHECK_STR(x->side, "home");
	CHECK_STR(inc[13].type, "injuryTime");
	CHECK_INT(inc[13].minute, 45);

	/* the first goal with its assist */
	x = &inc[15];
	CHECK_STR(x->type, "goal");
	CHECK_STR(x->klass, "regular");
	CHECK_INT(x->minute, 23);
	CHECK_INT(x->added_time, 0);
	CHECK_STR(x->player, "Erling Haaland");
	CHECK_INT(x->player_id, 839956);
	CHECK_STR(x->assist, "Jérémy Doku");
	CHECK_INT(x->home_score, 1);
	CHECK_INT(x->away_score, 0);
	CHECK_STR(x->side, "home");

	/* substitutions: player = in, assist = out */
	x = &inc[16];
	CHECK_STR(x->player, "Mateo Kovačić");
	CHECK_INT(x->player_id, 143811);
	CHECK_STR(x->assist, "Rodri");
	CHECK_STR(x->side, "home");
	CHECK_STR(x->klass, "regular");
	x = &inc[2];
	CHECK_STR(x->player, "Leandro Trossard");
	CHECK_STR(x->assist, "Bukayo Saka");
	CHECK_STR(x->side, "away");
	CHECK_INT(x->minute, 88);
	x = &inc[9];
	CHECK_STR(x->player, "Mikel Merino");
	CHECK_STR(x->assist, "Martin Ødegaard");
	free(inc);
}

/* The side of a goal comes from the score, not from isHome. */
static void incidents_side_from_score(void)
{
	struct match_incident *inc = NULL;
	size_t n = 0;
	char err[256];
	/* newest first: 1-1 (own goal, isHome naming the scorer's side), 1-0 */
	static const char body[] =
		"{\"incidents\":[{\"incidentType\":\"goal\",\"incidentClass\":\"ownGoal\",\"time\":70,"
		"\"isHome\":true,\"homeScore\":1,\"awayScore\":1,\"player\":{\"id\":4,\"name\":\"D\"}},"
		"{\"incidentType\":\"goal\",\"incidentClass\":\"regular\",\"time\":10,\"isHome\":false,"
		"\"homeScore\":1,\"awayScore\":0,\"playerName\":\"F\"},{\"time\":5},7]}";

	CHECK_INT(sofa_parse_incidents(body, sizeof(body) - 1, &inc, &n, err, sizeof(err)), 0);
	CHECK_INT(n, 2);
	if (n == 2) {
		CHECK_STR(inc[0].side, "away");
		CHECK_STR(inc[1].side, "home");
		CHECK_STR(inc[1].player, "F"); /* playerName when there is no player object */
	}
	free(inc);
	inc = NULL;
	CHECK_INT(sofa_parse_incidents(LIT("{\"incidents\":[]}"), &inc, &n, err, sizeof(err)), 0);
	CHECK_INT(n, 0);
	free(inc);
}

/* ---- standings ------------------------------------------------------------------ */

static void standings(void)
{
	size_t len, n = 0;
	char err[256] = "";
	char *body = parsers_slurp(FIX, "standings_total.json", &len);
	struct match_standing *st = NULL;
	long played = 0, won = 0, lost = 0, gf = 0, ga = 0;

	REQUIRE(body != NULL);
	CHECK_INT(sofa_parse_standings(body, len, &st, &n, err, sizeof(err)), 0);
	free(body);
	REQUIRE(st != NULL);
	CHECK_INT(n, 20);
	REQUIRE(n == 20);
	for (size_t i = 0; i < n; i++) {
		CHECK_INT(st[i].position, (long long)i + 1);
		CHECK_INT(st[i].won + st[i].drawn + st[i].lost, st[i].played);
		CHECK_INT(st[i].points, 3 * st[i].won + st[i].drawn);
		CHECK(i == 0 || st[i].points <= st[i - 1].points);
		played += st[i].played;
		won += st[i].won;
		lost += st[i].lost;
		gf += st[i].goals_for;
		ga += st[i].goals_against;
	}
	CHECK_INT(played, 220);
	CHECK_INT(won, lost);
	CHECK_INT(gf, ga);

	CHECK_INT(st[0].team_id, 17);
	CHECK_STR(st[0].team, "Manchester City");
	CHECK_INT(st[0].played, 11);
	CHECK_INT(st[0].won, 9);
	CHECK_INT(st[0].drawn, 1);
	CHECK_INT(st[0].lost, 1);
	CHECK_INT(st[0].goals_for, 27);
	CHECK_INT(st[0].goals_against, 7);
	CHECK_INT(st[0].points, 28);

	CHECK_INT(st[9].team_id, 48);
	CHECK_STR(st[9].team, "Everton");
	CHECK_INT(st[9].won, 3);
	CHECK_INT(st[9].drawn, 5);
	CHECK_INT(st[9].lost, 3);
	CHECK_INT(st[9].goals_for, 10);
	CHECK_INT(st[9].goals_against, 8);
	CHECK_INT(st[9].points, 14);

	CHECK_INT(st[19].team_id, 3);
	CHECK_STR(st[19].team, "Wolverhampton");
	CHECK_INT(st[19].position, 20);
	CHECK_INT(st[19].won, 0);
	CHECK_INT(st[19].drawn, 5);
	CHECK_INT(st[19].lost, 6);
	CHECK_INT(st[19].goals_for, 9);
	CHECK_INT(st[19].goals_against, 20);
	CHECK_INT(st[19].points, 5);
	free(st);
}

/* ---- refusals and robustness ---------------------------------------------------- */

/* Each fixture is accepted by its own parser, and by no parser of another kind. */
static void fixtures_by_kind(void)
{
	static const struct {
		const char *file;
		int parser; /* -1: none */
	} want[] = {
		{ "scheduled_ut17_round.json", PARSER_EVENTS },
		{ "scheduled_bad.json", PARSER_EVENTS },
		{ "live.json", PARSER_EVENTS },
		{ "event_finished_120.json", PARSER_EVENT },
		{ "event_finished_110.json", PARSER_EVENT },
		{ "event_inprogress_31.json", PARSER_EVENT },
		{ "event_postponed_60.json", PARSER_EVENT },
		{ "lineups_confirmed.json", PARSER_LINEUPS },
		{ "lineups_unconfirmed.json", PARSER_LINEUPS },
		{ "statistics.json", PARSER_STATS },
		{ "incidents_goals.json", PARSER_INCIDENTS },
		{ "standings_total.json", PARSER_STANDINGS },
		{ "error404.json", -1 },
		{ "challenge403.json", -1 },
	};

	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		size_t len;
		bool ok[PARSER_N];
		char *body = parsers_slurp(FIX, want[i].file, &len);

		if (body == NULL) {
			t_fail(__FILE__, __LINE__, "cannot read %s", want[i].file);
			continue;
		}
		parsers_run_all(&SOFA, body, len, ok);
		for (int p = 0; p < PARSER_N; p++)
			if (ok[p] != (p == want[i].parser))
				t_fail(__FILE__, __LINE__, "%s: parser %d %s it", want[i].file, p,
				       ok[p] ? "accepted" : "refused");
		free(body);
	}
}

static void error_bodies(void)
{
	static const char e404[] = "{\"error\":{\"code\":404,\"message\":\"Not Found\"}}";
	static const char e403[] = "{\"error\":{\"code\":403,\"reason\":\"challenge\"}}";
	char *b = parsers_dup(e404, sizeof(e404) - 1);

	parsers_all_refuse(&SOFA, b, sizeof(e404) - 1, "the 404 body");
	free(b);
	b = parsers_dup(e403, sizeof(e403) - 1);
	parsers_all_refuse(&SOFA, b, sizeof(e403) - 1, "the 403 challenge");
	free(b);
}

/* The first half of each fixture, and a spread of shorter prefixes. */
static void truncated(void)
{
	for (size_t f = 0; f < NFIXTURES; f++) {
		size_t len;
		char *body = parsers_slurp(FIX, fixtures[f], &len);

		if (body == NULL) {
			t_fail(__FILE__, __LINE__, "cannot read %s", fixtures[f]);
			continue;
		}
		for (size_t k = 1; k <= 16; k++) {
			size_t cut = len / 2 * k / 16; /* ... up to exactly the first half */
			char *part = parsers_dup(body, cut);
			parsers_all_refuse(&SOFA, part, cut, fixtures[f]);
			free(part);
		}
		free(body);
	}
}

static void hostile_shapes(void)
{
	static const char *const bodies[] = {
		"",
		" ",
		"[]",
		"{}",
		"null",
		"0",
		"\"events\"",
		"{\"events\": 5}",
		"{\"events\":{}}",
		"{\"events\":null}",
		"{\"event\":5}",
		"{\"event\":null}",
		"{\"statistics\":{}}",
		"{\"statistics\":5}",
		"{\"incidents\":\"x\"}",
		"{\"standings\":[]}",
		"{\"standings\":[{}]}",
		"{\"standings\":[{\"rows\":{}}]}",
		"{\"standings\":{\"rows\":[]}}",
		"{\"home\":[],\"away\":[]}",
		"{\"home\":{\"players\":5},\"away\":{\"players\":[]}}",
	};
	/* answered either way (cJSON stops after the first value, skips a BOM):
	 * only no crash, no leak */
	static const char *const tolerated[] = {
		"{\"events\":[]} x",
		"{\"events\":[]}{\"events\":[]}",
		"\xef\xbb\xbf{\"events\":[]}",
	};

	for (size_t i = 0; i < sizeof(bodies) / sizeof(bodies[0]); i++) {
		size_t len = strlen(bodies[i]);
		char *b = parsers_dup(bodies[i], len);
		parsers_all_refuse(&SOFA, b, len, bodies[i]);
		free(b);
	}
	for (size_t i = 0; i < sizeof(tolerated) / sizeof(tolerated[0]); i++) {
		size_t len = strlen(tolerated[i]);
		bool ok[PARSER_N];
		char *b = parsers_dup(tolerated[i], len);
		parsers_run_all(&SOFA, b, len, ok);
		free(b);
	}
	/* NULL body */
	parsers_all_refuse(&SOFA, NULL, 0, "NULL");
	/* an embedded NUL cuts nothing open */
	{
		static const char nul[] = "{\"events\":[]}\0{\"x\":1}";
		bool ok[PARSER_N];
		char *b = parsers_dup(nul, sizeof(nul) - 1);
		parsers_run_all(&SOFA, b, sizeof(nul) - 1, ok);
		free(b);
	}
}

static void deep_nesting(void)
{
	const size_t depth = 100000;
	char *b = malloc(depth + 16);

	REQUIRE(b != NULL);
	memset(b, '[', depth);
	parsers_all_refuse(&SOFA, b, depth, "100k [");
	memcpy(b, "{\"events\":", 10);
	parsers_all_refuse(&SOFA, b, depth, "{\"events\": + 100k [");
	for (size_t i = 0; i + 5 <= depth; i += 5)
		memcpy(b + i, "{\"a\":", 5);
	parsers_all_refuse(&SOFA, b, depth - depth % 5, "100k/5 nested objects");
	free(b);
}

static uint64_t rng_state = 0x9e3779b97f4a7c15ULL;

static uint32_t rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return (uint32_t)(rng_state >> 11);
}

static void random_bytes(void)
{
	static const char alphabet[] = "{}[]\":,0123456789.-eE truefalsnl\\u\"events\"id";
	bool ok[PARSER_N];

	for (int round = 0; round < 300; round++) {
		size_t len = 1 + rng() % 2048;
		char *b = malloc(len);

		REQUIRE(b != NULL);
		for (size_t i = 0; i < len; i++)
			b[i] = round % 2 ? (char)(rng() & 0xff)
					 : alphabet[rng() % (sizeof(alphabet) - 1)];
		parsers_run_all(&SOFA, b, len, ok);
		free(b);
	}
}

/* Real-shaped bodies with a few bytes changed: whatever the parser answers,
 * it answers 0 or -1, and leaks nothing. */
static void mutated_fixtures(void)
{
	bool ok[PARSER_N];

	for (size_t f = 0; f < NFIXTURES; f++) {
		size_t len;
		char *body = parsers_slurp(FIX, fixtures[f], &len);

		if (body == NULL) {
			t_fail(__FILE__, __LINE__, "cannot read %s", fixtures[f]);
			continue;
		}
		for (int round = 0; round < 12; round++) {
			char *b = parsers_dup(body, len);
			static const char subst[] = "{}[]\":,0-9.aeZ\\";
			REQUIRE(b != NULL);
			for (int k = 0; k < 1 + round % 3; k++)
				b[rng() % len] = subst[rng() % (sizeof(subst) - 1)];
			parsers_run_all(&SOFA, b, len, ok);
			free(b);
		}
		free(body);
	}
}

/* A name longer than the field is cut on a UTF-8 character boundary. */
static void long_names_cut_on_character_boundary(void)
{
	char body[2048], name[400];
	struct match_event ev;
	char err[256];
	size_t pos = 0;

	/* "ab" then 100 two-byte characters: a cut at 159 bytes falls inside one */
	name[pos++] = 'a';
	name[pos++] = 'b';
	for (int i = 0; i < 100; i++) {
		name[pos++] = (char)0xC3;
		name[pos++] = (char)0xA9; /* e-acute */
	}
	name[pos] = '\0';
	snprintf(body, sizeof(body),
		 "{\"event\":{\"id\":5,\"startTimestamp\":1790000000,"
		 "\"status\":{\"code\":0,\"type\":\"notstarted\"},"
		 "\"homeTeam\":{\"id\":1,\"name\":\"%s\"},\"awayTeam\":{\"id\":2,\"name\":\"B\"}}}",
		 name);
	REQUIRE(sofa_parse_event(body, strlen(body), &ev, err, sizeof(err)) == 0);
	size_t len = strlen(ev.home.name);
	CHECK(len < MATCH_MAX_STR);
	CHECK(len % 2 == 0); /* "ab" plus whole two-byte characters */
	CHECK(((unsigned char)ev.home.name[len - 1] & 0xC0) == 0x80); /* ends on a full char */
}

/* Group competitions: one table per group, each row says its group. */
static void standings_groups(void)
{
	static const char body[] =
		"{\"standings\":["
		"{\"type\":\"total\",\"name\":\"Group A\",\"rows\":["
		"{\"team\":{\"id\":1,\"name\":\"A1\"},\"position\":1,\"matches\":2,\"wins\":2,\"draws\":0,"
		"\"losses\":0,\"scoresFor\":5,\"scoresAgainst\":1,\"points\":6},"
		"{\"team\":{\"id\":2,\"name\":\"A2\"},\"position\":2,\"matches\":2,\"wins\":0,\"draws\":0,"
		"\"losses\":2,\"scoresFor\":1,\"scoresAgainst\":5,\"points\":0}]},"
		"{\"type\":\"total\",\"name\":\"Group B\",\"rows\":["
		"{\"team\":{\"id\":3,\"name\":\"B1\"},\"position\":1,\"matches\":2,\"wins\":1,\"draws\":1,"
		"\"losses\":0,\"scoresFor\":3,\"scoresAgainst\":2,\"points\":4}]}]}";
	struct match_standing *st = NULL;
	size_t n = 0;
	char err[256];

	REQUIRE(sofa_parse_standings(body, sizeof(body) - 1, &st, &n, err, sizeof(err)) == 0);
	CHECK_INT(n, 3);
	if (n == 3) {
		CHECK_STR(st[0].group, "Group A");
		CHECK_STR(st[1].team, "A2");
		CHECK_STR(st[2].group, "Group B");
		CHECK_INT(st[2].position, 1);
		CHECK_INT(st[2].points, 4);
	}
	free(st);
	/* one table: no group name */
	REQUIRE(sofa_parse_standings(body, 0, &st, &n, err, sizeof(err)) == -1);
}

/* adapter_print() prints what cJSON_PrintUnformatted() prints, byte for
 * byte: every fixture of both providers, and numbers and strings at the
 * edges (whole and not, beyond int, negative zero, control characters,
 * UTF-8, escapes) */
static void print_same_as_cjson(void)
{
	static const char *const af[] = { "fixture_id_ft_own_goal.json", "standings.json",
					  "fixtures_date_league39.json" };
	static const char *const edges =
		"{\"a\":[0,-0,1,-1,2147483647,2147483648,-2147483648,-2147483649,1e15,1e300,"
		"0.1,7.3,6.95,-0.0453,1.7976931348623157e308,4.9e-324,123456789.123456789],"
		"\"s\":\"\\u0001\\u001f \\t\\n\\r\\b\\f \\\" \\\\ / \\u00e9 \\ud83d\\ude00 \\u007f\","
		"\"e\":{},\"l\":[],\"n\":null,\"t\":true,\"f\":false,\"\\u0002k\":[[{}]]}";
	size_t checked = 0;

	for (size_t i = 0; i < NFIXTURES + 3 + 1; i++) {
		size_t len = 0;
		char *body = i < NFIXTURES	 ? parsers_slurp(FIX, fixtures[i], &len)
			     : i < NFIXTURES + 3 ? parsers_slurp("tests/data/fixtures/apifootball/",
								 af[i - NFIXTURES], &len)
						 : parsers_dup(edges, len = strlen(edges));
		cJSON *j = body != NULL ? cJSON_ParseWithLength(body, len) : NULL;
		char *want = j != NULL ? cJSON_PrintUnformatted(j) : NULL, *got = adapter_print(j);
		if (j == NULL) {
			t_fail(__FILE__, __LINE__, "input %zu does not parse", i);
		} else if (want == NULL || got == NULL || strcmp(want, got) != 0) {
			size_t k = 0;
			while (want != NULL && got != NULL && want[k] == got[k] && want[k] != '\0')
				k++;
			t_fail(__FILE__, __LINE__,
			       "input %zu: differs at byte %zu: cJSON \"%.40s\", ours \"%.40s\"", i,
			       k, want ? want + k : "(null)", got ? got + k : "(null)");
		} else {
			checked++;
		}
		free(want);
		free(got);
		cJSON_Delete(j);
		free(body);
	}
	CHECK_INT(checked, NFIXTURES + 4);
}

int main(void)
{
	T_RUN(status_from_table);
	T_RUN(events_round);
	T_RUN(events_bad_skipped);
	T_RUN(events_edges);
	T_RUN(events_one_at_a_time);
	T_RUN(events_live);
	T_RUN(event_finished_120);
	T_RUN(event_finished_110);
	T_RUN(event_inprogress_31);
	T_RUN(event_postponed_60);
	T_RUN(event_wrong_wrapper);
	T_RUN(lineups_confirmed);
	T_RUN(lineups_without_stats);
	T_RUN(lineups_unconfirmed);
	T_RUN(lineups_edges);
	T_RUN(statistics);
	T_RUN(statistics_edges);
	T_RUN(incidents);
	T_RUN(incidents_side_from_score);
	T_RUN(standings);
	T_RUN(fixtures_by_kind);
	T_RUN(error_bodies);
	T_RUN(truncated);
	T_RUN(hostile_shapes);
	T_RUN(deep_nesting);
	T_RUN(random_bytes);
	T_RUN(mutated_fixtures);
	T_RUN(long_names_cut_on_character_boundary);
	T_RUN(standings_groups);
	T_RUN(print_same_as_cjson);
	return t_done();
}
