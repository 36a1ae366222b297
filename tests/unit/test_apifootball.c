/*
 * test_apifootball: the API-Football v3 adapter (protocol/apifootball.c)
 * against fixtures written after the real shapes of
 * ../shared/apifootball-samples/ (noise keys, slash escaping and the quirks
 * of its README), plus malformed and hostile input.  No servers.  Run from
 * the project root (fixtures are read from tests/data/fixtures/apifootball/).
 *
 * The scenario: Premier League (league 39, season 2026), round 5 on
 * 2026-09-19.  Fixture 1400001 is Manchester United 2-1 Newcastle with an
 * own goal, a missed penalty, a second yellow and a VAR decision; the
 * other fixture files are one status each.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "protocol/apifootball.h"
#include "tests/support/parsers.h"
#include "tests/support/t.h"

#define FIX "tests/data/fixtures/apifootball/"

static const char *const fixtures[] = {
	"fixtures_date_league39.json",
	"fixtures_live.json",
	"fixtures_ids.json",
	"fixture_id_ft_own_goal.json",
	"fixture_id_pen_no_shootout_events.json",
	"fixture_id_aet.json",
	"fixture_id_p_shootout_live.json",
	"fixture_id_awd.json",
	"fixture_id_abd.json",
	"fixture_id_tbd.json",
	"fixture_id_wo.json",
	"fixture_id_ns_lineups.json",
	"fixture_id_ns_no_lineups.json",
	"fixture_id_ns_lineups_incomplete.json",
	"fixture_id_not_found.json",
	"standings.json",
	"standings_groups.json",
	"error_token.json",
	"error_token_403.json",
	"error_requests.json",
	"error_ratelimit.json",
	"error_plan.json",
	"error_param.json",
	"error_required.json",
	"error_server.json",
};
#define NFIXTURES (sizeof(fixtures) / sizeof(fixtures[0]))

/* ---- helpers ---------------------------------------------------------- */

/* One fixture file parsed as an event (REQUIRE-style: false on failure). */
static bool event_of(const char *file, struct match_event *ev)
{
	size_t len;
	char err[256] = "";
	char *body = parsers_slurp(FIX, file, &len);
	int rc;

	if (body == NULL) {
		t_fail(__FILE__, __LINE__, "cannot read %s", file);
		return false;
	}
	rc = af_parse_event(body, len, ev, err, sizeof(err));
	free(body);
	if (rc != 0)
		t_fail(__FILE__, __LINE__, "%s: %s", file, err);
	return rc == 0;
}

static bool incidents_of(const char *file, struct match_incident **inc, size_t *n)
{
	size_t len;
	char err[256] = "";
	char *body = parsers_slurp(FIX, file, &len);
	int rc;

	*inc = NULL;
	*n = 0;
	if (body == NULL) {
		t_fail(__FILE__, __LINE__, "cannot read %s", file);
		return false;
	}
	rc = af_parse_incidents(body, len, inc, n, err, sizeof(err));
	free(body);
	if (rc != 0)
		t_fail(__FILE__, __LINE__, "%s: %s", file, err);
	return rc == 0;
}

/* The adapter's parsers, checked by tests/support/parsers.c. */
static const struct parsers AF = {
	.events = af_parse_events,
	.event = af_parse_event,
	.lineups = af_parse_lineups,
	.statistics = af_parse_statistics,
	.incidents = af_parse_incidents,
	.standings = af_parse_standings,
};

/* ---- requests ---------------------------------------------------------------- */

static void paths(void)
{
	struct match_query q;
	char buf[256];

	memset(&q, 0, sizeof(q));
	q.what = MATCH_REQ_SCHEDULE;
	snprintf(q.date, sizeof(q.date), "2026-09-19");
	REQUIRE(af_path(&q, buf, sizeof(buf)) == 0);
	CHECK_STR(buf, "/fixtures?date=2026-09-19");
	q.competition = 39;
	/* a league with a date needs its season ("The Season field is required.") */
	CHECK_INT(af_path(&q, buf, sizeof(buf)), -1);
	q.season = 2026;
	REQUIRE(af_path(&q, buf, sizeof(buf)) == 0);
	CHECK_STR(buf, "/fixtures?date=2026-09-19&league=39&season=2026");
	/* nothing but a date goes into the URL */
	snprintf(q.date, sizeof(q.date), "2026-09-1&x");
	CHECK_INT(af_path(&q, buf, sizeof(buf)), -1);
	q.date[0] = '\0';
	CHECK_INT(af_path(&q, buf, sizeof(buf)), -1);

	memset(&q, 0, sizeof(q));
	q.what = MATCH_REQ_LIVE;
	REQUIRE(af_path(&q, buf, sizeof(buf)) == 0);
	CHECK_STR(buf, "/fixtures?live=all");

	memset(&q, 0, sizeof(q));
	q.what = MATCH_REQ_ROUND;
	q.competition = 39;
	q.season = 2026;
	q.round = 27;
	REQUIRE(af_path(&q, buf, sizeof(buf)) == 0);
	CHECK_STR(buf, "/fixtures?league=39&season=2026&round=Regular%20Season%20-%2027");
	q.round = 0;
	CHECK_INT(af_path(&q, buf, sizeof(buf)), -1);

	/* one fixtures?id=N answer holds the event and all its parts */
	static const enum match_request per_event[] = { MATCH_REQ_EVENT, MATCH_REQ_LINEUPS,
							MATCH_REQ_STATISTICS, MATCH_REQ_INCIDENTS };
	for (size_t i = 0; i < sizeof(per_event) / sizeof(per_event[0]); i++) {
		memset(&q, 0, sizeof(q));
		q.what = per_event[i];
		q.event = 1400001;
		REQUIRE(af_path(&q, buf, sizeof(buf)) == 0);
		CHECK_STR(buf, "/fixtures?id=1400001");
		q.event = 0;
		CHECK_INT(af_path(&q, buf, sizeof(buf)), -1);
	}

	memset(&q, 0, sizeof(q));
	q.what = MATCH_REQ_STANDINGS;
	q.competition = 39;
	q.season = 2026;
	q.round = 5; /* no round parameter: the table as it is now */
	REQUIRE(af_path(&q, buf, sizeof(buf)) == 0);
	CHECK_STR(buf, "/standings?league=39&season=2026");
	q.season = 0;
	CHECK_INT(af_path(&q, buf, sizeof(buf)), -1);

	q.what = (enum match_request)99;
	CHECK_INT(af_path(&q, buf, sizeof(buf)), -1);
	/* too small a buffer */
	memset(&q, 0, sizeof(q));
	q.what = MATCH_REQ_LIVE;
	CHECK_INT(af_path(&q, buf, 10), -1);
}

static void paths_ids(void)
{
	int64_t ids[AF_MAX_IDS + 1];
	char buf[512];

	for (int i = 0; i <= AF_MAX_IDS; i++)
		ids[i] = 1400001 + i;
	REQUIRE(af_path_ids(ids, 3, buf, sizeof(buf)) == 0);
	CHECK_STR(buf, "/fixtures?ids=1400001-1400002-1400003");
	REQUIRE(af_path_ids(ids, 1, buf, sizeof(buf)) == 0);
	CHECK_STR(buf, "/fixtures?ids=1400001");
	CHECK_INT(af_path_ids(ids, AF_MAX_IDS, buf, sizeof(buf)), 0);
	CHECK_INT(af_path_ids(ids, AF_MAX_IDS + 1, buf, sizeof(buf)), -1);
	CHECK_INT(af_path_ids(ids, 0, buf, sizeof(buf)), -1);
	CHECK_INT(af_path_ids(NULL, 2, buf, sizeof(buf)), -1);
	CHECK_INT(af_path_ids(ids, 3, buf, 20), -1);
	ids[1] = 0;
	CHECK_INT(af_path_ids(ids, 3, buf, sizeof(buf)), -1);
}

static void crest(void)
{
	char buf[160];

	af_crest_url(33, buf, sizeof(buf));
	CHECK_STR(buf, "https://media.api-sports.io/football/teams/33.png");
}

/* ---- errors inside HTTP 200 ----------------------------------------------------- */

static enum af_error classify_file(const char *file, char *msg, size_t msglen)
{
	size_t len;
	char *body = parsers_slurp(FIX, file, &len);
	enum af_error e;

	if (body == NULL) {
		t_fail(__FILE__, __LINE__, "cannot read %s", file);
		return AF_ERR_NONE;
	}
	e = af_classify_errors(body, len, msg, msglen);
	free(body);
	return e;
}

static void errors_classified(void)
{
	char msg[256];

	CHECK_INT(classify_file("error_token.json", msg, sizeof(msg)), AF_ERR_TOKEN);
	CHECK(strncmp(msg, "token: Error/Missing application key.", 37) == 0);
	/* the 403 without a key: token wins over its "error" code */
	CHECK_INT(classify_file("error_token_403.json", msg, sizeof(msg)), AF_ERR_TOKEN);
	CHECK_STR(msg, "token: Missing application key, please check the documentation.");
	CHECK_INT(classify_file("error_requests.json", msg, sizeof(msg)), AF_ERR_QUOTA_DAY);
	CHECK(strstr(msg, "request limit for the day") != NULL);
	CHECK_INT(classify_file("error_ratelimit.json", msg, sizeof(msg)), AF_ERR_QUOTA_MINUTE);
	CHECK_STR(msg, "rateLimit: Too many requests. Your rate limit is 10 requests per minute.");
	CHECK_INT(classify_file("error_plan.json", msg, sizeof(msg)), AF_ERR_PLAN);
	CHECK_STR(msg,
		  "plan: Free plans do not have access to this season, try from 2022 to 2024.");
	/* a parameter's name: the request is wrong */
	CHECK_INT(classify_file("error_param.json", msg, sizeof(msg)), AF_ERR_REQUEST);
	CHECK_STR(msg, "season: The Season field is required.");
	/* parameters: [] when none was sent */
	CHECK_INT(classify_file("error_required.json", msg, sizeof(msg)), AF_ERR_REQUEST);
	CHECK_STR(msg, "required: At least one parameter is required.");
	CHECK_INT(classify_file("error_server.json", msg, sizeof(msg)), AF_ERR_SERVER);
	CHECK(strncmp(msg, "time: ", 6) == 0 || strncmp(msg, "bug: ", 5) == 0 ||
	      strncmp(msg, "report: ", 8) == 0);
	/* success: errors is [] */
	msg[0] = 'x';
	CHECK_INT(classify_file("fixture_id_ft_own_goal.json", msg, sizeof(msg)), AF_ERR_NONE);
	CHECK_STR(msg, "");
	CHECK_INT(classify_file("standings.json", msg, sizeof(msg)), AF_ERR_NONE);
	/* the parsers refuse an error body rather than read "no fixtures" */
	{
		size_t len, n = 9, skipped = 9;
		struct match_event *evs = NULL;
		char err[256] = "";
		char *body = parsers_slurp(FIX, "error_ratelimit.json", &len);
		REQUIRE(body != NULL);
		CHECK_INT(af_parse_events(body, len, &evs, &n, &skipped, err, sizeof(err)), -1);
		CHECK(evs == NULL);
		CHECK(strstr(err, "rateLimit") != NULL);
		free(body);
	}
}

static void errors_shapes(void)
{
	static const struct {
		const char *body;
		enum af_error want;
		const char *msg;
	} cases[] = {
		{ "{\"errors\":[],\"response\":[]}", AF_ERR_NONE, "" },
		{ "{\"errors\":{},\"response\":[]}", AF_ERR_NONE, "" },
		{ "{\"response\":[]}", AF_ERR_NONE, "" },
		{ "{\"errors\":null}", AF_ERR_NONE, "" },
		{ "{\"errors\":\"\"}", AF_ERR_NONE, "" },
		{ "not json", AF_ERR_NONE, "" },
		{ "[1,2]", AF_ERR_NONE, "" },
		/* an array that is not empty fails too */
		{ "{\"errors\":[{\"requests\":\"limit\"}]}", AF_ERR_QUOTA_DAY, "requests: limit" },
		{ "{\"errors\":[\"something broke\"]}", AF_ERR_REQUEST, "errors: something broke" },
		{ "{\"errors\":\"a string\"}", AF_ERR_REQUEST, "errors: a string" },
		/* several: the strongest decides */
		{ "{\"errors\":{\"league\":\"bad\",\"plan\":\"no\"}}", AF_ERR_PLAN, "plan: no" },
		{ "{\"errors\":{\"rateLimit\":\"m\",\"requests\":\"d\"}}", AF_ERR_QUOTA_DAY,
		  "requests: d" },
		{ "{\"errors\":{\"plan\":\"p\",\"token\":\"t\"}}", AF_ERR_TOKEN, "token: t" },
		/* a value that is no string still fails */
		{ "{\"errors\":{\"token\":5}}", AF_ERR_TOKEN, "token: " },
	};
	char msg[64];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		size_t len = strlen(cases[i].body);
		char *b = parsers_dup(cases[i].body, len);
		enum af_error e = af_classify_errors(b, len, msg, sizeof(msg));
		if (e != cases[i].want || strcmp(msg, cases[i].msg) != 0)
			t_fail(__FILE__, __LINE__, "%s: %s \"%s\"", cases[i].body, af_error_name(e),
			       msg);
		free(b);
	}
	CHECK_INT(af_classify_errors(NULL, 0, msg, sizeof(msg)), AF_ERR_NONE);
	CHECK_INT(af_classify_errors("{}", 0, NULL, 0), AF_ERR_NONE);
	/* a long message is cut on a character boundary */
	{
		char body[1024], small[16];
		snprintf(body, sizeof(body), "{\"errors\":{\"plan\":\"%s\"}}",
			 "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9");
		CHECK_INT(af_classify_errors(body, strlen(body), small, sizeof(small)),
			  AF_ERR_PLAN);
		CHECK(strlen(small) < sizeof(small));
		CHECK(((unsigned char)small[strlen(small) - 1] & 0xC0) == 0x80);
	}
	CHECK_STR(af_error_name(AF_ERR_TOKEN), "token");
	CHECK_STR(af_error_name(AF_ERR_QUOTA_DAY), "requests");
	CHECK_STR(af_error_name(AF_ERR_QUOTA_MINUTE), "rateLimit");
	CHECK_STR(af_error_name(AF_ERR_PLAN), "plan");
	CHECK_STR(af_error_name(AF_ERR_REQUEST), "request");
	CHECK_STR(af_error_name(AF_ERR_SERVER), "server");
	CHECK_STR(af_error_name(AF_ERR_NONE), "none");
}

/* ---- status ---------------------------------------------------------------------- */

static void status_table(void)
{
	static const struct {
		const char *s;
		enum match_status st;
		int code;
	} cases[] = {
		{ "TBD", MATCH_ST_NOTSTARTED, 0 },   { "NS", MATCH_ST_NOTSTARTED, 0 },
		{ "1H", MATCH_ST_INPROGRESS, 6 },    { "HT", MATCH_ST_INPROGRESS, 31 },
		{ "2H", MATCH_ST_INPROGRESS, 7 },    { "ET", MATCH_ST_INPROGRESS, 41 },
		{ "BT", MATCH_ST_INPROGRESS, 32 },   { "P", MATCH_ST_INPROGRESS, 50 },
		{ "LIVE", MATCH_ST_INPROGRESS, 6 },  { "SUSP", MATCH_ST_SUSPENDED, 80 },
		{ "INT", MATCH_ST_INTERRUPTED, 80 }, { "FT", MATCH_ST_FINISHED, 100 },
		{ "AET", MATCH_ST_FINISHED, 110 },   { "PEN", MATCH_ST_FINISHED, 120 },
		{ "AWD", MATCH_ST_FINISHED, 100 },   { "WO", MATCH_ST_FINISHED, 100 },
		{ "PST", MATCH_ST_POSTPONED, 60 },   { "CANC", MATCH_ST_CANCELED, 70 },
		{ "ABD", MATCH_ST_CANCELED, 90 },    { "Match Finished", MATCH_ST_UNKNOWN, -1 },
		{ "ft", MATCH_ST_UNKNOWN, -1 },	     { "", MATCH_ST_UNKNOWN, -1 },
	};
	int code;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		enum match_status st = af_status_from(cases[i].s, -1, &code);
		if (st != cases[i].st || code != cases[i].code)
			t_fail(__FILE__, __LINE__, "%s: %s %d", cases[i].s, match_status_name(st),
			       code);
	}
	CHECK_INT(af_status_from(NULL, -1, &code), MATCH_ST_UNKNOWN);
	CHECK_INT(code, -1);
	CHECK_INT(af_status_from("ET", 112, &code), MATCH_ST_INPROGRESS);
	CHECK_INT(code, 42);
	CHECK_INT(af_status_from("FT", 90, NULL), MATCH_ST_FINISHED);
}

/* ---- fixtures lists ---------------------------------------------------------------- */

static void events_date(void)
{
	size_t len, n = 0, skipped = 0;
	char *body = parsers_slurp(FIX, "fixtures_date_league39.json", &len);
	struct match_event *evs = NULL;
	const struct match_event *e;
	char err[256] = "";

	REQUIRE(body != NULL);
	REQUIRE(af_parse_events(body, len, &evs, &n, &skipped, err, sizeof(err)) == 0);
	free(body);
	CHECK_INT(n, 7);
	/* no away team, an absurd timestamp, a null status.short; the trimmed marker */
	CHECK_INT(skipped, 4);
	CHECK(strstr(err, "1400008") != NULL);

	e = parsers_find_event(evs, n, 1400001);
	REQUIRE(e != NULL);
	CHECK_INT(e->unique_tournament_id, 39);
	CHECK_STR(e->tournament_name, "Premier League");
	CHECK_STR(e->category, "England");
	CHECK_INT(e->season_id, 2026);
	CHECK_STR(e->season_name, "2026");
	CHECK_INT(e->round, 5);
	CHECK_STR(e->round_name, "Regular Season - 5");
	CHECK_INT(e->home.id, 33);
	CHECK_STR(e->home.name, "Manchester United");
	CHECK_STR(e->home.short_name, "Manchester United");
	CHECK_INT(e->away.id, 34);
	CHECK_INT(e->start_ts, 1789822800);
	CHECK_INT(e->status, MATCH_ST_FINISHED);
	CHECK_INT(e->status_code, 100);
	CHECK_STR(e->status_type, "FT");
	CHECK_STR(e->status_desc, "Match Finished");
	CHECK(e->has_score);
	CHECK_INT(e->home_score, 2);
	CHECK_INT(e->away_score, 1);
	CHECK(!e->has_penalties);
	CHECK_INT(e->winner_code, 1);
	CHECK_STR(e->venue, "Old Trafford");

	/* live in the first half: fulltime is null, goals is the running score */
	e = parsers_find_event(evs, n, 1400002);
	REQUIRE(e != NULL);
	CHECK_INT(e->status, MATCH_ST_INPROGRESS);
	CHECK_INT(e->status_code, 6);
	CHECK(e->has_score);
	CHECK_INT(e->home_score, 0);
	CHECK_INT(e->winner_code, 0);
	CHECK_STR(e->venue, "Emirates Stadium"); /* venue.id null */

	e = parsers_find_event(evs, n, 1400003);
	REQUIRE(e != NULL);
	CHECK_INT(e->status_code, 31);
	CHECK_STR(e->venue, "Anfield"); /* venue.id 0 */

	/* not started: goals null */
	e = parsers_find_event(evs, n, 1400004);
	REQUIRE(e != NULL);
	CHECK_INT(e->status, MATCH_ST_NOTSTARTED);
	CHECK_INT(e->status_code, 0);
	CHECK(!e->has_score);
	CHECK_INT(e->winner_code, 0);

	e = parsers_find_event(evs, n, 1400005);
	REQUIRE(e != NULL);
	CHECK_INT(e->status, MATCH_ST_POSTPONED);
	CHECK_INT(e->status_code, 60);
	CHECK(!e->has_score);
	CHECK_STR(e->venue, "");

	e = parsers_find_event(evs, n, 1400006);
	REQUIRE(e != NULL);
	CHECK_INT(e->status, MATCH_ST_CANCELED);
	CHECK_INT(e->status_code, 70);
	CHECK_STR(e->status_desc, "Match Cancelled");

	/* a draw: winner null on both sides */
	e = parsers_find_event(evs, n, 1400007);
	REQUIRE(e != NULL);
	CHECK_INT(e->winner_code, 3);
	free(evs);
}

static void events_live(void)
{
	size_t len, n = 0, skipped = 0;
	char *body = parsers_slurp(FIX, "fixtures_live.json", &len);
	struct match_event *evs = NULL;
	const struct match_event *e;
	char err[256] = "";
	static const struct {
		int64_t id;
		const char *type;
		int code;
		enum match_status st;
	} want[] = {
		{ 1400101, "1H", 6, MATCH_ST_INPROGRESS },
		{ 1400102, "HT", 31, MATCH_ST_INPROGRESS },
		{ 1400103, "2H", 7, MATCH_ST_INPROGRESS },
		{ 1400104, "ET", 41, MATCH_ST_INPROGRESS },
		{ 1400105, "ET", 42, MATCH_ST_INPROGRESS },
		{ 1400106, "BT", 32, MATCH_ST_INPROGRESS },
		{ 1400107, "P", 50, MATCH_ST_INPROGRESS },
		{ 1400108, "LIVE", 6, MATCH_ST_INPROGRESS },
		{ 1400109, "SUSP", 80, MATCH_ST_SUSPENDED },
		{ 1400110, "INT", 80, MATCH_ST_INTERRUPTED },
	};

	REQUIRE(body != NULL);
	/* minified, with the API's own \/ escaping */
	CHECK(memchr(body, '\\', len) != NULL);
	REQUIRE(af_parse_events(body, len, &evs, &n, &skipped, err, sizeof(err)) == 0);
	free(body);
	CHECK_INT(n, 10);
	CHECK_INT(skipped, 0);
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		e = parsers_find_event(evs, n, want[i].id);
		if (e == NULL) {
			t_fail(__FILE__, __LINE__, "no fixture %lld", (long long)want[i].id);
			continue;
		}
		CHECK_STR(e->status_type, want[i].type);
		CHECK_INT(e->status_code, want[i].code);
		CHECK_INT(e->status, want[i].st);
		CHECK_INT(e->winner_code, 0);
	}
	/* a cup round has no number; the text is kept */
	e = parsers_find_event(evs, n, 1400104);
	REQUIRE(e != NULL);
	CHECK_INT(e->round, 0);
	CHECK_STR(e->round_name, "Round of 16");
	CHECK_STR(e->category, "World");
	/* at BT fulltime is still null: the score is goals */
	e = parsers_find_event(evs, n, 1400106);
	REQUIRE(e != NULL);
	CHECK(e->has_score);
	CHECK_INT(e->home_score, 2);
	CHECK_INT(e->away_score, 2);
	/* during the shoot-out: goals 3-3, penalty counts live kicks */
	e = parsers_find_event(evs, n, 1400107);
	REQUIRE(e != NULL);
	CHECK_INT(e->home_score, 3);
	CHECK_INT(e->away_score, 3);
	CHECK(e->has_penalties);
	CHECK_INT(e->home_penalties, 1);
	CHECK_INT(e->away_penalties, 1);
	free(evs);
}

static void events_ids(void)
{
	size_t len, n = 0, skipped = 0;
	char *body = parsers_slurp(FIX, "fixtures_ids.json", &len);
	struct match_event *evs = NULL;
	char err[256] = "";

	REQUIRE(body != NULL);
	REQUIRE(af_parse_events(body, len, &evs, &n, &skipped, err, sizeof(err)) == 0);
	free(body);
	CHECK_INT(n, 2);
	CHECK_INT(skipped, 0);
	CHECK(parsers_find_event(evs, n, 1400001) != NULL);
	CHECK(parsers_find_event(evs, n, 1400201) != NULL);
	free(evs);
}

static void round_numbers(void)
{
	static const struct {
		const char *round;
		int want;
	} cases[] = {
		{ "Regular Season - 27", 27 },
		{ "Regular Season - 1", 1 },
		{ "Group Stage - 3", 0 }, /* numbered, but not the regular season */
		{ "Round of 16", 0 },
		{ "Apertura - Final", 0 },
		{ "Club Friendlies 3", 0 },
		{ "2nd Qualifying Round", 0 },
		{ "Beyaz - 19", 0 },
		{ "Apertura - 5", 0 }, /* would be the same round 5 as Clausura's */
		{ "Regular Season -  5", 0 },
		{ "regular season - 5", 0 },
		{ "- 5", 0 },
		{ "Season - 5x", 0 },
		{ "Season - ", 0 },
		{ "Season - 99999999999999", 0 },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char body[512];
		struct match_event ev;
		char err[256];
		snprintf(body, sizeof(body),
			 "{\"errors\":[],\"response\":[{\"fixture\":{\"id\":5,\"timestamp\":"
			 "1789822800,\"status\":{\"short\":\"NS\"}},\"league\":{\"id\":1,\"round\":"
			 "\"%s\"},\"teams\":{\"home\":{\"id\":1,\"name\":\"A\"},\"away\":{\"id\":2,"
			 "\"name\":\"B\"}},\"goals\":{\"home\":null,\"away\":null}}]}",
			 cases[i].round);
		if (af_parse_event(body, strlen(body), &ev, err, sizeof(err)) != 0) {
			t_fail(__FILE__, __LINE__, "%s: %s", cases[i].round, err);
			continue;
		}
		if (ev.round != cases[i].want)
			t_fail(__FILE__, __LINE__, "%s: round %d", cases[i].round, ev.round);
		CHECK_STR(ev.round_name, cases[i].round);
	}
}

/* ---- one fixture -------------------------------------------------------------- */

static void event_ft(void)
{
	struct match_event ev;

	REQUIRE(event_of("fixture_id_ft_own_goal.json", &ev));
	CHECK_INT(ev.id, 1400001);
	CHECK_STR(ev.status_type, "FT");
	CHECK_INT(ev.status_code, 100);
	CHECK_INT(ev.home_score, 2);
	CHECK_INT(ev.away_score, 1);
	CHECK_INT(ev.winner_code, 1);
}

/* PEN: goals 1-1 (no shoot-out), score.penalty 2-4, and no shoot-out event */
static void event_pen_no_shootout_events(void)
{
	struct match_event ev;
	struct match_incident *inc;
	size_t n;

	REQUIRE(event_of("fixture_id_pen_no_shootout_events.json", &ev));
	CHECK_STR(ev.status_type, "PEN");
	CHECK_STR(ev.status_desc, "Match Finished"); /* as FT's and AET's */
	CHECK_INT(ev.status, MATCH_ST_FINISHED);
	CHECK_INT(ev.status_code, 120);
	CHECK(ev.has_score);
	CHECK_INT(ev.home_score, 1);
	CHECK_INT(ev.away_score, 1);
	CHECK(ev.has_penalties);
	CHECK_INT(ev.home_penalties, 2);
	CHECK_INT(ev.away_penalties, 4);
	CHECK_INT(ev.winner_code, 2);
	CHECK_INT(ev.round, 0);
	CHECK_STR(ev.round_name, "2nd Qualifying Round");

	REQUIRE(incidents_of("fixture_id_pen_no_shootout_events.json", &inc, &n));
	CHECK_INT(n, 3);
	for (size_t i = 0; i < n; i++)
		CHECK(strcmp(inc[i].type, "penaltyShootout") != 0);
	/* the 78th-minute penalty is a goal of the match, comments null */
	REQUIRE(n == 3);
	CHECK_STR(inc[1].type, "goal");
	CHECK_STR(inc[1].klass, "penalty");
	CHECK_STR(inc[1].side, "away");
	CHECK(inc[1].has_score);
	CHECK_INT(inc[1].home_score, 1);
	CHECK_INT(inc[1].away_score, 1);
	free(inc);
}

/* AET 3-1: fulltime 1-1, extratime 2-0 (goals of extra time only); goals 3-1 */
static void event_aet(void)
{
	struct match_event ev;
	struct match_incident *inc;
	size_t n;

	REQUIRE(event_of("fixture_id_aet.json", &ev));
	CHECK_STR(ev.status_type, "AET");
	CHECK_INT(ev.status_code, 110);
	CHECK_INT(ev.status, MATCH_ST_FINISHED);
	CHECK_INT(ev.home_score, 3);
	CHECK_INT(ev.away_score, 1);
	CHECK(!ev.has_penalties);
	CHECK_INT(ev.winner_code, 1);

	/* a penalty at 120+1 without the shoot-out comment in an AET match: a goal */
	REQUIRE(incidents_of("fixture_id_aet.json", &inc, &n));
	REQUIRE(n == 4);
	CHECK_STR(inc[3].type, "goal");
	CHECK_STR(inc[3].klass, "penalty");
	CHECK_INT(inc[3].minute, 120);
	CHECK_INT(inc[3].added_time, 1);
	CHECK_INT(inc[3].home_score, 3);
	CHECK_INT(inc[3].away_score, 1);
	free(inc);
}

/* P: the shoot-out live; kicks are never goals */
static void event_shootout_live(void)
{
	struct match_event ev;
	struct match_incident *inc;
	size_t n, goals = 0, kicks = 0;

	REQUIRE(event_of("fixture_id_p_shootout_live.json", &ev));
	CHECK_STR(ev.status_type, "P");
	CHECK_INT(ev.status_code, 50);
	CHECK_INT(ev.status, MATCH_ST_INPROGRESS);
	CHECK_STR(ev.status_desc, "Penalty in progress");
	CHECK_INT(ev.home_score, 3);
	CHECK_INT(ev.away_score, 3);
	CHECK(ev.has_penalties);
	CHECK_INT(ev.home_penalties, 1);
	CHECK_INT(ev.away_penalties, 1);

	REQUIRE(incidents_of("fixture_id_p_shootout_live.json", &inc, &n));
	CHECK_INT(n, 11);
	for (size_t i = 0; i < n; i++) {
		if (strcmp(inc[i].type, "goal") == 0) {
			goals++;
			CHECK(inc[i].minute < 120);
		}
		if (strcmp(inc[i].type, "penaltyShootout") == 0) {
			kicks++;
			CHECK_INT(inc[i].minute, 120);
			CHECK_INT(inc[i].added_time, 0); /* a kick counter, not added time */
			CHECK(!inc[i].has_score);
		}
	}
	CHECK_INT(goals, 6);
	CHECK_INT(kicks, 4);
	REQUIRE(n == 11);
	/* the 118th-minute penalty is a goal (comments null) */
	CHECK_STR(inc[5].type, "goal");
	CHECK_STR(inc[5].klass, "penalty");
	CHECK_INT(inc[5].home_score, 3);
	CHECK_INT(inc[5].away_score, 3);
	CHECK_STR(inc[7].type, "penaltyShootout");
	CHECK_STR(inc[7].klass, "scored");
	CHECK_STR(inc[7].side, "away");
	CHECK_STR(inc[7].player, "J. Pedro");
	CHECK_STR(inc[9].klass, "missed");
	free(inc);
}

/* Shoot-out kicks without their comment: told from the goals already counted. */
static void shootout_kicks_without_comment(void)
{
	static const char body[] =
		"{\"errors\":[],\"response\":[{\"fixture\":{\"id\":7,\"timestamp\":1789822800,"
		"\"status\":{\"long\":\"Match Finished\",\"short\":\"PEN\",\"elapsed\":120}},"
		"\"teams\":{\"home\":{\"id\":1,\"name\":\"A\"},\"away\":{\"id\":2,\"name\":\"B\"}},"
		"\"goals\":{\"home\":1,\"away\":2},\"score\":{\"penalty\":{\"home\":4,\"away\":3}},"
		"\"events\":["
		"{\"time\":{\"elapsed\":10,\"extra\":null},\"team\":{\"id\":1},\"player\":{\"id\":11,"
		"\"name\":\"a1\"},\"type\":\"Goal\",\"detail\":\"Normal Goal\",\"comments\":null},"
		"{\"time\":{\"elapsed\":50,\"extra\":null},\"team\":{\"id\":2},\"player\":{\"id\":21,"
		"\"name\":\"b1\"},\"type\":\"Goal\",\"detail\":\"Normal Goal\",\"comments\":null},"
		/* a penalty at 120+1 that goals still counts (B's second) */
		"{\"time\":{\"elapsed\":120,\"extra\":1},\"team\":{\"id\":2},\"player\":{\"id\":22,"
		"\"name\":\"b2\"},\"type\":\"Goal\",\"detail\":\"Penalty\",\"comments\":null},"
		/* A has its one goal: this is a kick; so is B's next */
		"{\"time\":{\"elapsed\":120,\"extra\":1},\"team\":{\"id\":1},\"player\":{\"id\":12,"
		"\"name\":\"a2\"},\"type\":\"Goal\",\"detail\":\"Penalty\",\"comments\":null},"
		"{\"time\":{\"elapsed\":120,\"extra\":2},\"team\":{\"id\":2},\"player\":{\"id\":23,"
		"\"name\":\"b3\"},\"type\":\"Goal\",\"detail\":\"Penalty\",\"comments\":null},"
		"{\"time\":{\"elapsed\":120,\"extra\":2},\"team\":{\"id\":1},\"player\":{\"id\":13,"
		"\"name\":\"a3\"},\"type\":\"Goal\",\"detail\":\"Missed Penalty\",\"comments\":null}"
		"]}]}";
	struct match_incident *inc = NULL;
	size_t n = 0;
	char err[256];

	REQUIRE(af_parse_incidents(body, sizeof(body) - 1, &inc, &n, err, sizeof(err)) == 0);
	REQUIRE(n == 6);
	CHECK_STR(inc[2].type, "goal");
	CHECK_STR(inc[2].klass, "penalty");
	CHECK_INT(inc[2].away_score, 2);
	CHECK_STR(inc[3].type, "penaltyShootout");
	CHECK_STR(inc[4].type, "penaltyShootout");
	CHECK_STR(inc[5].type, "penaltyShootout");
	CHECK_STR(inc[5].klass, "missed");
	free(inc);
}

static void event_odd_statuses(void)
{
	struct match_event ev;

	/* AWD: goals 3-0, every score.* null */
	REQUIRE(event_of("fixture_id_awd.json", &ev));
	CHECK_STR(ev.status_type, "AWD");
	CHECK_STR(ev.status_desc, "Technical loss");
	CHECK_INT(ev.status, MATCH_ST_FINISHED);
	CHECK_INT(ev.status_code, 100);
	CHECK(ev.has_score);
	CHECK_INT(ev.home_score, 3);
	CHECK_INT(ev.away_score, 0);
	CHECK(!ev.has_penalties);
	CHECK_INT(ev.winner_code, 1);
	CHECK_STR(ev.away.name, "\xc5\x9e"
				"anl\xc4\xb1urfaspor");

	/* ABD: goals 0-0 although goals were scored; canceled, no draw */
	REQUIRE(event_of("fixture_id_abd.json", &ev));
	CHECK_STR(ev.status_type, "ABD");
	CHECK_INT(ev.status, MATCH_ST_CANCELED);
	CHECK_INT(ev.status_code, 90);
	CHECK(ev.has_score);
	CHECK_INT(ev.home_score, 0);
	CHECK_INT(ev.winner_code, 0);
	CHECK_INT(ev.round, 0); /* not a regular-season round */

	REQUIRE(event_of("fixture_id_tbd.json", &ev));
	CHECK_STR(ev.status_type, "TBD");
	CHECK_INT(ev.status, MATCH_ST_NOTSTARTED);
	CHECK_INT(ev.status_code, 0);
	CHECK(!ev.has_score);
	CHECK_INT(ev.round, 0);
	CHECK_STR(ev.round_name, "Club Friendlies 3");

	/* WO: no goals, a winner */
	REQUIRE(event_of("fixture_id_wo.json", &ev));
	CHECK_STR(ev.status_type, "WO");
	CHECK_INT(ev.status, MATCH_ST_FINISHED);
	CHECK(!ev.has_score);
	CHECK_INT(ev.winner_code, 2);
}

/* during play the API sets winner from the running score: not a result */
static void event_live_has_no_winner(void)
{
	static const char body[] =
		"{\"errors\":[],\"response\":[{\"fixture\":{\"id\":8,\"timestamp\":1789822800,"
		"\"status\":{\"short\":\"2H\",\"elapsed\":70}},\"teams\":{\"home\":{\"id\":1,"
		"\"name\":\"A\",\"winner\":true},\"away\":{\"id\":2,\"name\":\"B\",\"winner\":false}},"
		"\"goals\":{\"home\":2,\"away\":1}}]}";
	struct match_event ev;
	char err[256];

	REQUIRE(af_parse_event(body, sizeof(body) - 1, &ev, err, sizeof(err)) == 0);
	CHECK_INT(ev.status, MATCH_ST_INPROGRESS);
	CHECK(ev.has_score);
	CHECK_INT(ev.home_score, 2);
	CHECK_INT(ev.winner_code, 0);
}

/* goals missing: fulltime + extratime */
static void event_score_fallback(void)
{
	static const char body[] =
		"{\"errors\":[],\"response\":[{\"fixture\":{\"id\":8,\"timestamp\":1789822800,"
		"\"status\":{\"short\":\"AET\"}},\"teams\":{\"home\":{\"id\":1,\"name\":\"A\"},"
		"\"away\":{\"id\":2,\"name\":\"B\"}},\"score\":{\"fulltime\":{\"home\":1,\"away\":1},"
		"\"extratime\":{\"home\":2,\"away\":0}}}]}";
	struct match_event ev;
	char err[256];

	REQUIRE(af_parse_event(body, sizeof(body) - 1, &ev, err, sizeof(err)) == 0);
	CHECK(ev.has_score);
	CHECK_INT(ev.home_score, 3);
	CHECK_INT(ev.away_score, 1);
	CHECK_INT(ev.winner_code, 0); /* no winner flag, not a draw */
}

static void event_not_found(void)
{
	size_t len;
	char *body = parsers_slurp(FIX, "fixture_id_not_found.json", &len);
	struct match_event ev;
	char err[256] = "";

	REQUIRE(body != NULL);
	/* the API answers an unknown id with an empty response: not there */
	CHECK_INT(af_parse_event(body, len, &ev, err, sizeof(err)), 1);
	CHECK(strstr(err, "no such fixture") != NULL);
	free(body);
}

/* ---- incidents --------------------------------------------------------------------- */

static void incidents_ft(void)
{
	struct match_incident *inc;
	size_t n;

	REQUIRE(incidents_of("fixture_id_ft_own_goal.json", &inc, &n));
	REQUIRE(n == 12);
	/* oldest first, as API-Football lists them */
	CHECK_STR(inc[0].type, "goal");
	CHECK_STR(inc[0].klass, "regular");
	CHECK_STR(inc[0].side, "away");
	CHECK_STR(inc[0].player, "A. Isak");
	CHECK_INT(inc[0].player_id, 2864);
	CHECK_STR(inc[0].assist, "A. Gordon");
	CHECK(inc[0].has_score);
	CHECK_INT(inc[0].home_score, 0);
	CHECK_INT(inc[0].away_score, 1);

	CHECK_STR(inc[1].type, "card");
	CHECK_STR(inc[1].klass, "yellow");
	CHECK_STR(inc[1].side, "home");
	CHECK(!inc[1].has_score);

	/* own goal: the event's team is the one credited (home), the player a
	 * Newcastle defender */
	CHECK_STR(inc[2].type, "goal");
	CHECK_STR(inc[2].klass, "ownGoal");
	CHECK_STR(inc[2].side, "home");
	CHECK_STR(inc[2].player, "F. Sch\xc3\xa4r");
	CHECK_INT(inc[2].minute, 45);
	CHECK_INT(inc[2].added_time, 2);
	CHECK_INT(inc[2].home_score, 1);
	CHECK_INT(inc[2].away_score, 1);

	/* substitution: player goes off, assist comes on */
	CHECK_STR(inc[3].type, "substitution");
	CHECK_STR(inc[3].player, "J. Murphy");
	CHECK_INT(inc[3].player_id, 2806);
	CHECK_STR(inc[3].assist, "H. Barnes");
	CHECK_STR(inc[3].side, "away");

	/* a missed penalty is no goal */
	CHECK_STR(inc[4].type, "inGamePenalty");
	CHECK_STR(inc[4].klass, "missed");
	CHECK(!inc[4].has_score);

	CHECK_STR(inc[5].type, "varDecision");
	CHECK_STR(inc[5].klass, "goalCancelled");

	CHECK_STR(inc[7].type, "goal");
	CHECK_STR(inc[7].klass, "penalty");
	CHECK_INT(inc[7].home_score, 2);
	CHECK_INT(inc[7].away_score, 1);

	/* a second yellow: Yellow Card then Red Card, same player and minute */
	CHECK_STR(inc[9].klass, "yellow");
	CHECK_INT(inc[9].added_time, 3);
	CHECK_STR(inc[10].type, "card");
	CHECK_STR(inc[10].klass, "yellowRed");
	CHECK_STR(inc[10].player, "S. Tonali");
	/* "Red card" (the spec's spelling), no player */
	CHECK_STR(inc[11].klass, "red");
	CHECK_STR(inc[11].player, "");
	CHECK_INT(inc[11].player_id, 0);

	/* the goals add up to goals */
	{
		int h = 0, a = 0;
		for (size_t i = 0; i < n; i++)
			if (strcmp(inc[i].type, "goal") == 0)
				*(strcmp(inc[i].side, "home") == 0 ? &h : &a) += 1;
		CHECK_INT(h, 2);
		CHECK_INT(a, 1);
	}
	free(inc);
}

static void incidents_edges(void)
{
	static const char *const ok_bodies[] = {
		/* events [] */
		"{\"errors\":[],\"response\":[{\"fixture\":{\"id\":1},\"events\":[]}]}",
		/* an event of another team, with no type, with junk */
		"{\"errors\":[],\"response\":[{\"fixture\":{\"id\":1},\"teams\":{\"home\":{\"id\":1},"
		"\"away\":{\"id\":2}},\"events\":[{\"type\":\"Goal\",\"detail\":\"Normal Goal\","
		"\"team\":{\"id\":3},\"time\":{\"elapsed\":5}},{\"detail\":\"x\"},5,null,"
		"{\"type\":\"\"},{\"type\":\"Other\",\"detail\":\"Some Thing\"}]}]}",
	};
	struct match_incident *inc;
	size_t n;
	char err[256];

	REQUIRE(af_parse_incidents(ok_bodies[0], strlen(ok_bodies[0]), &inc, &n, err,
				   sizeof(err)) == 0);
	CHECK_INT(n, 0);
	free(inc);
	REQUIRE(af_parse_incidents(ok_bodies[1], strlen(ok_bodies[1]), &inc, &n, err,
				   sizeof(err)) == 0);
	REQUIRE(n == 2);
	CHECK_STR(inc[0].type, "goal");
	CHECK_STR(inc[0].side, ""); /* neither team: no side, no score */
	CHECK(!inc[0].has_score);
	CHECK_STR(inc[1].type, "other");
	CHECK_STR(inc[1].klass, "someThing");
	free(inc);
	/* the type's case varies; "Second Yellow card"; a red a minute after a yellow */
	{
		static const char b[] =
			"{\"errors\":[],\"response\":[{\"fixture\":{\"id\":1},\"teams\":{\"home\":"
			"{\"id\":1},\"away\":{\"id\":2}},\"events\":["
			"{\"type\":\"goal\",\"detail\":\"own goal\",\"team\":{\"id\":2},"
			"\"time\":{\"elapsed\":5}},"
			"{\"type\":\"Subst\",\"detail\":\"Substitution 1\",\"team\":{\"id\":1},"
			"\"player\":{\"id\":7,\"name\":\"off\"},\"assist\":{\"id\":8,\"name\":\"on\"}},"
			"{\"type\":\"Card\",\"detail\":\"Second Yellow card\",\"team\":{\"id\":1},"
			"\"player\":{\"id\":9}},"
			"{\"type\":\"Card\",\"detail\":\"Yellow Card\",\"team\":{\"id\":1},"
			"\"player\":{\"id\":10},\"time\":{\"elapsed\":60}},"
			"{\"type\":\"Card\",\"detail\":\"Red Card\",\"team\":{\"id\":1},"
			"\"player\":{\"id\":10},\"time\":{\"elapsed\":61}}]}]}";
		REQUIRE(af_parse_incidents(b, sizeof(b) - 1, &inc, &n, err, sizeof(err)) == 0);
		REQUIRE(n == 5);
		CHECK_STR(inc[0].type, "goal");
		CHECK_STR(inc[0].klass, "ownGoal");
		CHECK_STR(inc[0].side, "away");
		CHECK_INT(inc[0].away_score, 1);
		CHECK_STR(inc[1].type, "substitution");
		CHECK_STR(inc[1].player, "on");
		CHECK_INT(inc[1].player_id, 8);
		CHECK_STR(inc[1].assist, "off");
		CHECK_STR(inc[2].klass, "yellowRed");
		CHECK_STR(inc[3].klass, "yellow");
		CHECK_STR(inc[4].klass, "red");
		free(inc);
	}
	/* no events key */
	{
		static const char b[] = "{\"errors\":[],\"response\":[{\"fixture\":{\"id\":1}}]}";
		inc = (struct match_incident *)1;
		CHECK_INT(af_parse_incidents(b, sizeof(b) - 1, &inc, &n, err, sizeof(err)), -1);
		CHECK(inc == NULL);
	}
}

/* ---- line-ups ------------------------------------------------------------------------ */

static void lineups_ft(void)
{
	size_t len;
	char *body = parsers_slurp(FIX, "fixture_id_ft_own_goal.json", &len);
	struct match_lineups l;
	const struct match_player *p;
	char err[256] = "";

	REQUIRE(body != NULL);
	REQUIRE(af_parse_lineups(body, len, &l, true, err, sizeof(err)) == 0);
	free(body);
	CHECK(l.confirmed);
	CHECK(!l.home.captain_unknown && !l.away.captain_unknown);
	CHECK_STR(l.home.formation, "4-2-3-1");
	CHECK_STR(l.away.formation, "4-3-3");
	CHECK_INT(l.home.nplayers, 16);
	CHECK_INT(l.away.nplayers, 14);
	CHECK_INT(l.home.nmissing, 0);
	/* startXI first, in order, then substitutes */
	REQUIRE(l.home.nplayers == 16);
	CHECK_INT(l.home.players[0].id, 882);
	CHECK(!l.home.players[10].substitute);
	CHECK(l.home.players[11].substitute);

	/* the captain, rating and minutes come from players[] */
	p = parsers_find_player(&l.home, 1485);
	REQUIRE(p != NULL);
	CHECK_STR(p->name, "Bruno Fernandes"); /* players' full name */
	CHECK_STR(p->short_name, "B. Fernandes"); /* the line-up's */
	CHECK_STR(p->position, "M");
	CHECK_INT(p->shirt, 8);
	CHECK(p->captain);
	CHECK(p->has_rating);
	CHECK(parsers_near(p->rating, 8.1));
	CHECK_INT(p->minutes, 90);
	REQUIRE(p->stats_json != NULL);
	CHECK(strstr(p->stats_json, "\"commited\"") != NULL);

	/* an unused substitute: rating and minutes null */
	p = parsers_find_player(&l.home, 526);
	REQUIRE(p != NULL);
	CHECK(p->substitute);
	CHECK(!p->has_rating);
	CHECK_INT(p->minutes, -1);
	CHECK(!p->captain);
	CHECK_STR(p->position, "G");

	/* a substitute who played */
	p = parsers_find_player(&l.home, 284324);
	REQUIRE(p != NULL);
	CHECK(p->substitute);
	CHECK(parsers_near(p->rating, 6.8));
	CHECK_INT(p->minutes, 19);

	/* not in the (trimmed) players[]: what the line-up says, no more */
	p = parsers_find_player(&l.home, 2935);
	REQUIRE(p != NULL);
	CHECK_STR(p->name, "H. Maguire");
	CHECK_INT(p->shirt, 5);
	CHECK(!p->captain);
	CHECK(!p->has_rating);
	CHECK_INT(p->minutes, -1);
	CHECK(p->stats_json == NULL);

	/* away: rating "7" (no decimals), the captain */
	p = parsers_find_player(&l.away, 18961);
	REQUIRE(p != NULL);
	CHECK(p->captain);
	CHECK(parsers_near(p->rating, 7.0));
	p = parsers_find_player(&l.away, 2864);
	REQUIRE(p != NULL);
	CHECK(parsers_near(p->rating, 8.0));
	CHECK_STR(p->name, "Alexander Isak");
	/* exactly one captain per side */
	{
		int caps = 0;
		for (size_t i = 0; i < l.away.nplayers; i++)
			caps += l.away.players[i].captain;
		CHECK_INT(caps, 1);
	}
	match_lineups_free(&l);
}

static void lineups_without_stats(void)
{
	size_t len;
	char *body = parsers_slurp(FIX, "fixture_id_ft_own_goal.json", &len);
	struct match_lineups l;
	char err[256] = "";

	REQUIRE(body != NULL);
	REQUIRE(af_parse_lineups(body, len, &l, false, err, sizeof(err)) == 0);
	free(body);
	for (size_t i = 0; i < l.home.nplayers; i++)
		CHECK(l.home.players[i].stats_json == NULL);
	CHECK(parsers_find_player(&l.home, 1485) != NULL &&
	      parsers_find_player(&l.home, 1485)->captain);
	match_lineups_free(&l);
}

/* Before kick-off: line-ups without players[] (no captain, no rating). */
static void lineups_before_kickoff(void)
{
	size_t len;
	char *body = parsers_slurp(FIX, "fixture_id_ns_lineups.json", &len);
	struct match_lineups l;
	char err[256] = "";

	REQUIRE(body != NULL);
	REQUIRE(af_parse_lineups(body, len, &l, true, err, sizeof(err)) == 0);
	free(body);
	CHECK(l.confirmed);
	/* no player statistics before kick-off: nobody is known to captain */
	CHECK(l.home.captain_unknown && l.away.captain_unknown);
	CHECK_INT(l.home.nplayers, 12);
	CHECK_INT(l.away.nplayers, 11);
	for (size_t i = 0; i < l.home.nplayers; i++) {
		CHECK(!l.home.players[i].captain);
		CHECK(!l.home.players[i].has_rating);
		CHECK(l.home.players[i].stats_json == NULL);
	}
	CHECK_STR(l.home.players[0].position, "G");
	CHECK_INT(l.home.players[0].shirt, 1);
	match_lineups_free(&l);

	/* not published yet */
	body = parsers_slurp(FIX, "fixture_id_ns_no_lineups.json", &len);
	REQUIRE(body != NULL);
	CHECK_INT(af_parse_lineups(body, len, &l, true, err, sizeof(err)), 1);
	CHECK(strstr(err, "not published") != NULL);
	CHECK(l.home.players == NULL);
	free(body);
}

/* 10 in one startXI: not confirmed; sides by team id, not by order. */
static void lineups_incomplete(void)
{
	size_t len;
	char *body = parsers_slurp(FIX, "fixture_id_ns_lineups_incomplete.json", &len);
	struct match_lineups l;
	char err[256] = "";

	REQUIRE(body != NULL);
	REQUIRE(af_parse_lineups(body, len, &l, true, err, sizeof(err)) == 0);
	free(body);
	CHECK(!l.confirmed);
	CHECK_STR(l.home.formation, "4-3-3");
	CHECK_INT(l.home.nplayers, 12);
	CHECK_INT(l.away.nplayers, 10);
	CHECK_INT(l.away.players[0].id, 200);
	match_lineups_free(&l);
}

static void lineups_pen(void)
{
	size_t len;
	char *body = parsers_slurp(FIX, "fixture_id_pen_no_shootout_events.json", &len);
	struct match_lineups l;
	char err[256] = "";

	REQUIRE(body != NULL);
	REQUIRE(af_parse_lineups(body, len, &l, true, err, sizeof(err)) == 0);
	free(body);
	CHECK(l.confirmed);
	CHECK_INT(l.home.nplayers, 18); /* 11 + 7 */
	CHECK_INT(l.away.nplayers, 18);
	CHECK_STR(l.away.formation, "5-3-2");
	match_lineups_free(&l);
}

static void lineups_edges(void)
{
	/* one team's so far: not published yet */
	static const char one[] =
		"{\"errors\":[],\"response\":[{\"fixture\":{\"id\":1},\"teams\":{\"home\":{\"id\":1},"
		"\"away\":{\"id\":2}},\"lineups\":[{\"team\":{\"id\":1},\"startXI\":[]}]}]}";
	static const char *const refused[] = {
		/* teams that are not the fixture's */
		"{\"errors\":[],\"response\":[{\"fixture\":{\"id\":1},\"teams\":{\"home\":{\"id\":1},"
		"\"away\":{\"id\":2}},\"lineups\":[{\"team\":{\"id\":7},\"startXI\":[]},"
		"{\"team\":{\"id\":8},\"startXI\":[]}]}]}",
		/* startXI not an array */
		"{\"errors\":[],\"response\":[{\"fixture\":{\"id\":1},\"lineups\":[{\"startXI\":{}},"
		"{\"startXI\":[]}]}]}",
	};
	struct match_lineups l;
	char err[256];

	CHECK_INT(af_parse_lineups(one, sizeof(one) - 1, &l, true, err, sizeof(err)), 1);
	CHECK(l.home.players == NULL && l.away.players == NULL);
	for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
		if (af_parse_lineups(refused[i], strlen(refused[i]), &l, true, err, sizeof(err)) !=
		    -1) {
			t_fail(__FILE__, __LINE__, "accepted %s", refused[i]);
			match_lineups_free(&l);
		}
		CHECK(l.home.players == NULL && l.away.players == NULL);
	}
	/* by position when no team ids are known; junk players skipped; rating junk */
	{
		static const char b[] =
			"{\"errors\":[],\"response\":[{\"fixture\":{\"id\":1},\"lineups\":["
			"{\"formation\":\"4-4-2\",\"startXI\":[{\"player\":{\"id\":1,\"name\":\"a\","
			"\"number\":1,\"pos\":\"G\"}},{\"player\":{\"id\":null,\"name\":\"x\"}},5,"
			"{\"player\":{\"id\":2,\"name\":\"b\",\"number\":\"7\",\"pos\":null}}],"
			"\"substitutes\":null},"
			"{\"startXI\":[{\"player\":{\"id\":3,\"name\":\"c\"}}]}],"
			"\"players\":[{\"players\":[{\"player\":{\"id\":1},\"statistics\":[{\"games\":"
			"{\"rating\":\"11\",\"captain\":true,\"minutes\":90}}]},"
			"{\"player\":{\"id\":2},\"statistics\":[{\"games\":{\"rating\":\"7.x\"}}]}]}]}]}";
		REQUIRE(af_parse_lineups(b, sizeof(b) - 1, &l, false, err, sizeof(err)) == 0);
		CHECK_INT(l.home.nplayers, 2);
		CHECK_INT(l.away.nplayers, 1);
		CHECK(!l.confirmed);
		CHECK_STR(l.home.formation, "4-4-2");
		REQUIRE(l.home.nplayers == 2);
		CHECK(l.home.players[0].captain);
		CHECK(!l.home.players[0].has_rating); /* 11 > 10 */
		CHECK(!l.home.players[1].has_rating); /* "7.x" */
		CHECK_INT(l.home.players[1].shirt, 0); /* a string number */
		CHECK_STR(l.home.players[1].position, "");
		match_lineups_free(&l);
	}
}

/* ---- statistics ------------------------------------------------------------------------ */

static void statistics_ft(void)
{
	size_t len, n = 0;
	char *body = parsers_slurp(FIX, "fixture_id_ft_own_goal.json", &len);
	struct match_stat *st = NULL;
	const struct match_stat *s;
	char err[256] = "";

	REQUIRE(body != NULL);
	REQUIRE(af_parse_statistics(body, len, &st, &n, err, sizeof(err)) == 0);
	free(body);
	CHECK_INT(n, 19);
	for (size_t i = 0; i < n; i++)
		CHECK_STR(st[i].period, "ALL");

	s = parsers_find_stat(st, n, "ballPossession");
	REQUIRE(s != NULL);
	CHECK_STR(s->name, "Ball possession");
	CHECK_STR(s->group, "Match overview");
	CHECK_STR(s->home, "53%");
	CHECK_STR(s->away, "47%");
	CHECK(s->has_values);
	CHECK(parsers_near(s->home_value, 53));
	CHECK(parsers_near(s->away_value, 47));

	s = parsers_find_stat(st, n, "expectedGoals");
	REQUIRE(s != NULL);
	CHECK_STR(s->home, "2.73");
	CHECK(parsers_near(s->home_value, 2.73));
	CHECK(parsers_near(s->away_value, 0.91));

	s = parsers_find_stat(st, n, "totalShotsOnGoal");
	REQUIRE(s != NULL);
	CHECK_STR(s->home, "15");
	CHECK(parsers_near(s->home_value, 15));
	CHECK(parsers_near(s->away_value, 9));

	/* null is zero */
	s = parsers_find_stat(st, n, "offsides");
	REQUIRE(s != NULL);
	CHECK(s->has_values);
	CHECK_STR(s->home, "0");
	CHECK(parsers_near(s->home_value, 0));
	CHECK(parsers_near(s->away_value, 3));
	s = parsers_find_stat(st, n, "redCards");
	REQUIRE(s != NULL);
	CHECK(parsers_near(s->home_value, 0));
	CHECK(parsers_near(s->away_value, 1));
	s = parsers_find_stat(st, n, "blockedScoringAttempt");
	REQUIRE(s != NULL);
	CHECK_STR(s->away, "0");

	static const char *const keys[] = {
		"shotsOnGoal",
		"shotsOffGoal",
		"totalShotsInsideBox",
		"totalShotsOutsideBox",
		"fouls",
		"cornerKicks",
		"yellowCards",
		"goalkeeperSaves",
		"passes",
		"accuratePasses",
		"accuratePassesPercentage",
		"goalsPrevented",
	};
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (parsers_find_stat(st, n, keys[i]) == NULL ||
		    !parsers_find_stat(st, n, keys[i])->has_values)
			t_fail(__FILE__, __LINE__, "no %s", keys[i]);
	s = parsers_find_stat(st, n, "goalsPrevented");
	REQUIRE(s != NULL);
	CHECK(parsers_near(s->away_value, -0.35));
	s = parsers_find_stat(st, n, "accuratePassesPercentage");
	REQUIRE(s != NULL);
	CHECK(parsers_near(s->home_value, 88));

	/* a type only one side has: kept, values unknown for the other */
	s = parsers_find_stat(st, n, "bigChances");
	REQUIRE(s != NULL);
	CHECK(!s->has_values);
	CHECK_STR(s->home, "3");
	CHECK_STR(s->away, "");
	free(st);
}

static void statistics_empty(void)
{
	size_t len, n = 99;
	char *body = parsers_slurp(FIX, "fixture_id_pen_no_shootout_events.json", &len);
	struct match_stat *st = NULL;
	char err[256] = "";

	REQUIRE(body != NULL);
	/* a finished match with statistics [] */
	REQUIRE(af_parse_statistics(body, len, &st, &n, err, sizeof(err)) == 0);
	free(body);
	CHECK_INT(n, 0);
	free(st);
}

static void statistics_values(void)
{
	static const struct {
		const char *home, *away;
		bool has;
		double hv, av;
		const char *hd, *ad;
	} cases[] = {
		{ "5", "\"7\"", true, 5, 7, "5", "7" },
		{ "\"47%\"", "\"53%\"", true, 47, 53, "47%", "53%" },
		{ "null", "0", true, 0, 0, "0", "0" },
		{ "\"n/a\"", "1", false, 0, 0, "n/a", "1" },
		{ "\"\"", "1", false, 0, 0, "", "1" },
		{ "true", "1", false, 0, 0, "", "1" },
		{ "1.5", "{}", false, 0, 0, "1.5", "" },
		{ "\"47%%\"", "1", false, 0, 0, "47%%", "1" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char body[1024], err[256];
		struct match_stat *st = NULL;
		size_t n = 0;
		snprintf(body, sizeof(body),
			 "{\"errors\":[],\"response\":[{\"fixture\":{\"id\":1},\"teams\":{\"home\":"
			 "{\"id\":1},\"away\":{\"id\":2}},\"statistics\":[{\"team\":{\"id\":2},"
			 "\"statistics\":[{\"type\":\"Fouls\",\"value\":%s}]},{\"team\":{\"id\":1},"
			 "\"statistics\":[{\"type\":\"Fouls\",\"value\":%s}]}]}]}",
			 cases[i].away, cases[i].home);
		if (af_parse_statistics(body, strlen(body), &st, &n, err, sizeof(err)) != 0 ||
		    n != 1) {
			t_fail(__FILE__, __LINE__, "case %zu: %s", i, err);
			free(st);
			continue;
		}
		if (st[0].has_values != cases[i].has ||
		    !parsers_near(st[0].home_value, cases[i].hv) ||
		    !parsers_near(st[0].away_value, cases[i].av) ||
		    strcmp(st[0].home, cases[i].hd) != 0 || strcmp(st[0].away, cases[i].ad) != 0)
			t_fail(__FILE__, __LINE__, "case %zu: %d %g %g \"%s\" \"%s\"", i,
			       st[0].has_values, st[0].home_value, st[0].away_value, st[0].home,
			       st[0].away);
		free(st);
	}
	/* one team's statistics only: refused (no sides to pair) */
	{
		static const char b[] =
			"{\"errors\":[],\"response\":[{\"fixture\":{\"id\":1},\"teams\":{\"home\":"
			"{\"id\":1},\"away\":{\"id\":2}},\"statistics\":[{\"team\":{\"id\":1},"
			"\"statistics\":[{\"type\":\"Fouls\",\"value\":3}]}]}]}";
		struct match_stat *st = (struct match_stat *)1;
		size_t n = 9;
		char err[256];
		CHECK_INT(af_parse_statistics(b, sizeof(b) - 1, &st, &n, err, sizeof(err)), -1);
		CHECK(st == NULL);
		CHECK_INT(n, 0);
	}
}

/* ---- standings ------------------------------------------------------------------------- */

static void standings(void)
{
	size_t len, n = 0;
	char *body = parsers_slurp(FIX, "standings.json", &len);
	struct match_standing *st = NULL;
	char err[256] = "";

	REQUIRE(body != NULL);
	REQUIRE(af_parse_standings(body, len, &st, &n, err, sizeof(err)) == 0);
	free(body);
	REQUIRE(n == 4);
	/* one table: no group (its "group" is the league's name) */
	CHECK_STR(st[0].group, "");
	CHECK_INT(st[0].position, 1);
	CHECK_INT(st[0].team_id, 40);
	CHECK_STR(st[0].team, "Liverpool");
	CHECK_INT(st[0].played, 5);
	CHECK_INT(st[0].won, 4);
	CHECK_INT(st[0].drawn, 1);
	CHECK_INT(st[0].lost, 0);
	CHECK_INT(st[0].goals_for, 12);
	CHECK_INT(st[0].goals_against, 3);
	CHECK_INT(st[0].points, 13);
	CHECK_INT(st[3].position, 20);
	CHECK_INT(st[3].lost, 5);
	free(st);
}

static void standings_groups(void)
{
	size_t len, n = 0;
	char *body = parsers_slurp(FIX, "standings_groups.json", &len);
	struct match_standing *st = NULL;
	char err[256] = "";

	REQUIRE(body != NULL);
	REQUIRE(af_parse_standings(body, len, &st, &n, err, sizeof(err)) == 0);
	free(body);
	REQUIRE(n == 4);
	CHECK_STR(st[0].group, "Group A");
	CHECK_STR(st[0].team, "Real Madrid");
	CHECK_STR(st[2].group, "Group B");
	CHECK_INT(st[2].position, 1);
	CHECK_STR(st[3].team, "Inter");
	free(st);
	/* no group key with several tables: numbered */
	{
		static const char b[] =
			"{\"errors\":[],\"response\":[{\"league\":{\"standings\":["
			"[{\"rank\":1,\"team\":{\"id\":1,\"name\":\"a\"}}],"
			"[{\"rank\":1,\"team\":{\"id\":2,\"name\":\"b\"}},{\"rank\":2}],5]}}]}";
		REQUIRE(af_parse_standings(b, sizeof(b) - 1, &st, &n, err, sizeof(err)) == 0);
		REQUIRE(n == 2);
		CHECK_STR(st[0].group, "table 1");
		CHECK_STR(st[1].group, "table 2");
		free(st);
	}
}

/* ---- every file, every parser ------------------------------------------------------ */

static void fixtures_by_kind(void)
{
	enum {
		EV = 1 << PARSER_EVENTS,
		E1 = 1 << PARSER_EVENT,
		LU = 1 << PARSER_LINEUPS,
		ST = 1 << PARSER_STATS
	};
	enum {
		IN = 1 << PARSER_INCIDENTS,
		SD = 1 << PARSER_STANDINGS
	};
	static const struct {
		const char *file;
		unsigned parsers;
	} want[] = {
		{ "fixtures_date_league39.json", EV | E1 },
		{ "fixtures_live.json", EV | E1 },
		{ "fixtures_ids.json", EV | E1 | LU | ST | IN },
		{ "fixture_id_ft_own_goal.json", EV | E1 | LU | ST | IN },
		{ "fixture_id_pen_no_shootout_events.json", EV | E1 | LU | ST | IN },
		{ "fixture_id_aet.json", EV | E1 | ST | IN },
		{ "fixture_id_p_shootout_live.json", EV | E1 | ST | IN },
		{ "fixture_id_awd.json", EV | E1 | ST | IN },
		{ "fixture_id_ns_lineups.json", EV | E1 | LU | ST | IN },
		{ "fixture_id_ns_no_lineups.json", EV | E1 | ST | IN },
		{ "fixture_id_not_found.json", EV },
		{ "standings.json", EV | SD },
		{ "standings_groups.json", EV | SD },
		{ "error_token.json", 0 },
		{ "error_token_403.json", 0 },
		{ "error_requests.json", 0 },
		{ "error_ratelimit.json", 0 },
		{ "error_plan.json", 0 },
		{ "error_param.json", 0 },
		{ "error_required.json", 0 },
		{ "error_server.json", 0 },
	};

	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		size_t len;
		bool ok[PARSER_N];
		char *body = parsers_slurp(FIX, want[i].file, &len);

		if (body == NULL) {
			t_fail(__FILE__, __LINE__, "cannot read %s", want[i].file);
			continue;
		}
		parsers_run_all(&AF, body, len, ok);
		for (int p = 0; p < PARSER_N; p++)
			if (ok[p] != ((want[i].parsers >> p) & 1))
				t_fail(__FILE__, __LINE__, "%s: parser %d %s it", want[i].file, p,
				       ok[p] ? "accepted" : "refused");
		free(body);
	}
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
			size_t cut = len / 2 * k / 16;
			char *part = parsers_dup(body, cut);
			parsers_all_refuse(&AF, part, cut, fixtures[f]);
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
		"\"response\"",
		"{\"response\":5}",
		"{\"response\":{}}",
		"{\"response\":null}",
		"{\"errors\":{\"token\":\"x\"},\"response\":[]}",
		"{\"errors\":[\"x\"],\"response\":[]}",
		"{\"response\":[5]}",
		"{\"response\":[{\"fixture\":5}]}",
		"{\"response\":[{\"league\":{\"standings\":[]}}]}",
		"{\"response\":[{\"league\":{\"standings\":[5]}}]}",
		"{\"response\":[{\"league\":{\"standings\":{}}}]}",
	};
	static const char *const tolerated[] = {
		"{\"response\":[]} x",
		"{\"response\":[]}{\"response\":[]}",
		"\xef\xbb\xbf{\"response\":[]}",
		"{\"response\":[{\"fixture\":{\"id\":1},\"lineups\":5,\"statistics\":{},"
		"\"events\":\"x\",\"players\":7}]}",
	};
	bool ok[PARSER_N];

	for (size_t i = 0; i < sizeof(bodies) / sizeof(bodies[0]); i++) {
		size_t len = strlen(bodies[i]);
		char *b = parsers_dup(bodies[i], len);
		parsers_run_all(&AF, b, len, ok);
		for (int p = PARSER_EVENT; p < PARSER_N; p++)
			if (ok[p])
				t_fail(__FILE__, __LINE__, "parser %d accepted %s", p, bodies[i]);
		free(b);
	}
	for (size_t i = 0; i < sizeof(tolerated) / sizeof(tolerated[0]); i++) {
		size_t len = strlen(tolerated[i]);
		char *b = parsers_dup(tolerated[i], len);
		parsers_run_all(&AF, b, len, ok);
		free(b);
	}
	parsers_all_refuse(&AF, NULL, 0, "NULL");
}

static void deep_nesting(void)
{
	const size_t depth = 100000;
	char *b = malloc(depth + 16);

	REQUIRE(b != NULL);
	memset(b, '[', depth);
	parsers_all_refuse(&AF, b, depth, "100k [");
	memcpy(b, "{\"response\":", 12);
	parsers_all_refuse(&AF, b, depth, "{\"response\": + 100k [");
	for (size_t i = 0; i + 5 <= depth; i += 5)
		memcpy(b + i, "{\"a\":", 5);
	parsers_all_refuse(&AF, b, depth - depth % 5, "100k/5 nested objects");
	free(b);
	/* and the classifier */
	b = malloc(depth);
	REQUIRE(b != NULL);
	memset(b, '[', depth);
	CHECK_INT(af_classify_errors(b, depth, NULL, 0), AF_ERR_NONE);
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
	static const char alphabet[] = "{}[]\":,0123456789.-eE truefalsnl\\u\"response\"id";
	bool ok[PARSER_N];
	char msg[64];

	for (int round = 0; round < 300; round++) {
		size_t len = 1 + rng() % 2048;
		char *b = malloc(len);

		REQUIRE(b != NULL);
		for (size_t i = 0; i < len; i++)
			b[i] = round % 2 ? (char)(rng() & 0xff)
					 : alphabet[rng() % (sizeof(alphabet) - 1)];
		parsers_run_all(&AF, b, len, ok);
		CHECK(af_classify_errors(b, len, msg, sizeof(msg)) <= AF_ERR_SERVER);
		free(b);
	}
}

/* Real-shaped bodies with a few bytes changed: whatever the parser answers,
 * it answers 0 or -1, and leaks nothing. */
static void mutated_fixtures(void)
{
	bool ok[PARSER_N];
	char msg[64];

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
			parsers_run_all(&AF, b, len, ok);
			CHECK(af_classify_errors(b, len, msg, sizeof(msg)) <= AF_ERR_SERVER);
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

	name[pos++] = 'a';
	name[pos++] = 'b';
	for (int i = 0; i < 100; i++) {
		name[pos++] = (char)0xC3;
		name[pos++] = (char)0xA9; /* e-acute */
	}
	name[pos] = '\0';
	snprintf(body, sizeof(body),
		 "{\"errors\":[],\"response\":[{\"fixture\":{\"id\":5,\"timestamp\":1789822800,"
		 "\"status\":{\"short\":\"NS\"}},\"teams\":{\"home\":{\"id\":1,\"name\":\"%s\"},"
		 "\"away\":{\"id\":2,\"name\":\"B\"}}}]}",
		 name);
	REQUIRE(af_parse_event(body, strlen(body), &ev, err, sizeof(err)) == 0);
	size_t len = strlen(ev.home.name);
	CHECK(len < MATCH_MAX_STR);
	CHECK(len % 2 == 0);
	CHECK(((unsigned char)ev.home.name[len - 1] & 0xC0) == 0x80);
}

int main(void)
{
	T_RUN(paths);
	T_RUN(paths_ids);
	T_RUN(crest);
	T_RUN(errors_classified);
	T_RUN(errors_shapes);
	T_RUN(status_table);
	T_RUN(events_date);
	T_RUN(events_live);
	T_RUN(events_ids);
	T_RUN(round_numbers);
	T_RUN(event_live_has_no_winner);
	T_RUN(event_ft);
	T_RUN(event_pen_no_shootout_events);
	T_RUN(event_aet);
	T_RUN(event_shootout_live);
	T_RUN(shootout_kicks_without_comment);
	T_RUN(event_odd_statuses);
	T_RUN(event_score_fallback);
	T_RUN(event_not_found);
	T_RUN(incidents_ft);
	T_RUN(incidents_edges);
	T_RUN(lineups_ft);
	T_RUN(lineups_without_stats);
	T_RUN(lineups_before_kickoff);
	T_RUN(lineups_incomplete);
	T_RUN(lineups_pen);
	T_RUN(lineups_edges);
	T_RUN(statistics_ft);
	T_RUN(statistics_empty);
	T_RUN(statistics_values);
	T_RUN(standings);
	T_RUN(standings_groups);
	T_RUN(fixtures_by_kind);
	T_RUN(truncated);
	T_RUN(hostile_shapes);
	T_RUN(deep_nesting);
	T_RUN(random_bytes);
	T_RUN(mutated_fixtures);
	T_RUN(long_names_cut_on_character_boundary);
	return t_done();
}
