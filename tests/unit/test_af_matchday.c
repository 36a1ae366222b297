/*
 * test_af_matchday: the match day of `make demo` in API-Football shapes
 * (tests/data/scenarios/matchday-apifootball/) read through the adapter
 * (protocol/apifootball.c) as the producer and the consumers would: what
 * its README promises, file by file.  No servers.  Run from the project
 * root.
 *
 * The requests our client sends (af_path) must all be routes of its
 * scenario.json, whose keys are the path, then the decoded query parameters
 * sorted by name.
 */
#include <cjson/cJSON.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "protocol/apifootball.h"
#include "tests/support/parsers.h"
#include "tests/support/t.h"

#define DIR "tests/data/scenarios/matchday-apifootball/"

/* players of the match day (the Sofascore ids) */
#define HAALAND 839956
#define DOKU 934235
#define BERNARDO 331209
#define ODEGAARD 795222
#define DONNARUMMA 190150
#define OREILLY 1402912
#define RAYA 581316
#define SAKA 934236
#define KONATE 181537
#define SALAH 159665
#define VAN_DIJK 151545
#define REECE_JAMES 1308739
#define CURTIS_JONES 1152097
#define ODOBERT 483192
#define TEL 1165596
#define BARNES 343777
#define MURPHY 1417863
#define WILSON 895035

static const struct parsers AF = {
	.events = af_parse_events,
	.event = af_parse_event,
	.lineups = af_parse_lineups,
	.statistics = af_parse_statistics,
	.incidents = af_parse_incidents,
	.standings = af_parse_standings,
};

/* ---- helpers ---------------------------------------------------------- */

static char *slurp(const char *file, size_t *len)
{
	char *body = parsers_slurp(DIR, file, len);

	if (body == NULL)
		t_fail(__FILE__, __LINE__, "cannot read %s%s", DIR, file);
	return body;
}

static bool events_of(const char *file, struct match_event **evs, size_t *n)
{
	size_t len, skipped = 0;
	char err[256] = "";
	char *body = slurp(file, &len);
	int rc;

	*evs = NULL;
	*n = 0;
	if (body == NULL)
		return false;
	rc = af_parse_events(body, len, evs, n, &skipped, err, sizeof(err));
	free(body);
	if (rc != 0 || skipped != 0) {
		t_fail(__FILE__, __LINE__, "%s: rc %d, %zu skipped: %s", file, rc, skipped, err);
		free(*evs);
		*evs = NULL;
		return false;
	}
	return true;
}

static bool event_of(const char *file, struct match_event *ev)
{
	size_t len;
	char err[256] = "";
	char *body = slurp(file, &len);
	int rc;

	if (body == NULL)
		return false;
	rc = af_parse_event(body, len, ev, err, sizeof(err));
	free(body);
	if (rc != 0)
		t_fail(__FILE__, __LINE__, "%s: %s", file, err);
	return rc == 0;
}

/* want_rc: 0, or 1 (not published) */
static bool lineups_of(const char *file, struct match_lineups *l, int want_rc)
{
	size_t len;
	char err[256] = "";
	char *body = slurp(file, &len);
	int rc;

	memset(l, 0, sizeof(*l));
	if (body == NULL)
		return false;
	rc = af_parse_lineups(body, len, l, true, err, sizeof(err));
	free(body);
	if (rc != want_rc)
		t_fail(__FILE__, __LINE__, "%s: rc %d, want %d: %s", file, rc, want_rc, err);
	return rc == 0 && want_rc == 0;
}

static bool incidents_of(const char *file, struct match_incident **inc, size_t *n)
{
	size_t len;
	char err[256] = "";
	char *body = slurp(file, &len);
	int rc;

	*inc = NULL;
	*n = 0;
	if (body == NULL)
		return false;
	rc = af_parse_incidents(body, len, inc, n, err, sizeof(err));
	free(body);
	if (rc != 0)
		t_fail(__FILE__, __LINE__, "%s: %s", file, err);
	return rc == 0;
}

static bool stats_of(const char *file, struct match_stat **st, size_t *n)
{
	size_t len;
	char err[256] = "";
	char *body = slurp(file, &len);
	int rc;

	*st = NULL;
	*n = 0;
	if (body == NULL)
		return false;
	rc = af_parse_statistics(body, len, st, n, err, sizeof(err));
	free(body);
	if (rc != 0)
		t_fail(__FILE__, __LINE__, "%s: %s", file, err);
	return rc == 0;
}

static bool standings_of(const char *file, struct match_standing **st, size_t *n)
{
	size_t len;
	char err[256] = "";
	char *body = slurp(file, &len);
	int rc;

	*st = NULL;
	*n = 0;
	if (body == NULL)
		return false;
	rc = af_parse_standings(body, len, st, n, err, sizeof(err));
	free(body);
	if (rc != 0)
		t_fail(__FILE__, __LINE__, "%s: %s", file, err);
	return rc == 0;
}

static const struct match_standing *find_row(const struct match_standing *st, size_t n,
					     int64_t team)
{
	for (size_t i = 0; i < n; i++)
		if (st[i].team_id == team)
			return &st[i];
	return NULL;
}

static size_t count_type(const struct match_incident *inc, size_t n, const char *type)
{
	size_t c = 0;

	for (size_t i = 0; i < n; i++)
		c += strcmp(inc[i].type, type) == 0;
	return c;
}

static int starters(const struct match_side *s)
{
	int c = 0;

	for (size_t i = 0; i < s->nplayers; i++)
		c += !s->players[i].substitute;
	return c;
}

static int captains(const struct match_side *s)
{
	int c = 0;

	for (size_t i = 0; i < s->nplayers; i++)
		c += s->players[i].captain;
	return c;
}

static int rated(const struct match_side *s)
{
	int c = 0;

	for (size_t i = 0; i < s->nplayers; i++)
		c += s->players[i].has_rating;
	return c;
}

/* One status of a fixture: its code, status and score (-1: no score). */
static void check_status(const struct match_event *ev, int code, enum match_status st, int home,
			 int away)
{
	if (ev->status_code != code || ev->status != st ||
	    (home < 0 ? ev->has_score
		      : !ev->has_score || ev->home_score != home || ev->away_score != away))
		t_fail(__FILE__, __LINE__,
		       "fixture %lld: code %d status %s score %d %d-%d, want %d %s %d-%d",
		       (long long)ev->id, ev->status_code, match_status_name(ev->status),
		       ev->has_score, ev->home_score, ev->away_score, code, match_status_name(st),
		       home, away);
}

/* ---- the scenario and the client's requests --------------------------------- */

/* scenario.json, parsed (NULL on failure). */
static cJSON *scenario(void)
{
	size_t len;
	char *body = slurp("scenario.json", &len);
	cJSON *root;

	if (body == NULL)
		return NULL;
	root = cJSON_ParseWithLength(body, len);
	free(body);
	if (root == NULL)
		t_fail(__FILE__, __LINE__, "scenario.json is not JSON");
	return root;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The route key of a request path: the path, then its query parameters
 * decoded and sorted by name, joined with "&". */
static void route_key(const char *path, char *out, size_t n)
{
	char buf[512], *params[16], *q, *save = NULL, *tok;
	size_t np = 0, o = 0;
	const char *qm = strchr(path, '?');

	if (qm == NULL) {
		snprintf(out, n, "%s", path);
		return;
	}
	/* decode */
	for (const char *p = qm + 1; *p != '\0' && o + 1 < sizeof(buf); p++) {
		if (*p == '%' && hexval(p[1]) >= 0 && hexval(p[2]) >= 0) {
			buf[o++] = (char)(hexval(p[1]) * 16 + hexval(p[2]));
			p += 2;
		} else {
			buf[o++] = *p == '+' ? ' ' : *p;
		}
	}
	buf[o] = '\0';
	for (q = buf; (tok = strtok_r(q, "&", &save)) != NULL && np < 16; q = NULL)
		params[np++] = tok;
	qsort(params, np, sizeof(params[0]), cmp_str);
	o = (size_t)snprintf(out, n, "%.*s?", (int)(qm - path), path);
	for (size_t i = 0; i < np && o < n; i++)
		o += (size_t)snprintf(out + o, n - o, "%s%s", i ? "&" : "", params[i]);
}

static void request_is_routed(const cJSON *routes, const struct match_query *q,
			      const char *date_placeholder)
{
	char path[256], key[512];

	if (af_path(q, path, sizeof(path)) != 0) {
		t_fail(__FILE__, __LINE__, "af_path refused request %d", (int)q->what);
		return;
	}
	route_key(path, key, sizeof(key));
	if (date_placeholder != NULL) {
		/* the fake's {today}... stand for the date */
		char *d = strstr(key, q->date);
		if (d == NULL) {
			t_fail(__FILE__, __LINE__, "%s: no date", key);
			return;
		}
		char tmp[512];
		snprintf(tmp, sizeof(tmp), "%.*s%s%s", (int)(d - key), key, date_placeholder,
			 d + strlen(q->date));
		snprintf(key, sizeof(key), "%s", tmp);
	}
	if (cJSON_GetObjectItemCaseSensitive(routes, key) == NULL)
		t_fail(__FILE__, __LINE__, "request %s (route %s) is not in scenario.json", path,
		       key);
}

static void routes_cover_the_client(void)
{
	cJSON *root = scenario();
	const cJSON *routes;
	struct match_query q;
	static const char *const days[] = { "{yesterday}", "{today}", "{tomorrow}" };
	static const int64_t ids[] = { 9101, 9102, 9103, 9104, 9201, 9202 };

	REQUIRE(root != NULL);
	CHECK_INT(cJSON_GetObjectItemCaseSensitive(root, "base_time")->valuedouble, 1790000000);
	routes = cJSON_GetObjectItemCaseSensitive(root, "routes");
	REQUIRE(cJSON_IsObject(routes));

	/* the producer asks per day, every league (no competition in the query) */
	for (size_t i = 0; i < 3; i++) {
		memset(&q, 0, sizeof(q));
		q.what = MATCH_REQ_SCHEDULE;
		snprintf(q.date, sizeof(q.date), "2026-09-2%zu", i);
		request_is_routed(routes, &q, days[i]);
	}
	memset(&q, 0, sizeof(q));
	q.what = MATCH_REQ_LIVE;
	request_is_routed(routes, &q, NULL);
	for (int r = 12; r <= 13; r++) {
		memset(&q, 0, sizeof(q));
		q.what = MATCH_REQ_ROUND;
		q.competition = 39;
		q.season = 2026;
		q.round = r;
		request_is_routed(routes, &q, NULL);
	}
	for (size_t i = 0; i < sizeof(ids) / sizeof(ids[0]); i++) {
		static const enum match_request per_event[] = { MATCH_REQ_EVENT, MATCH_REQ_LINEUPS,
								MATCH_REQ_STATISTICS,
								MATCH_REQ_INCIDENTS };
		for (size_t k = 0; k < sizeof(per_event) / sizeof(per_event[0]); k++) {
			memset(&q, 0, sizeof(q));
			q.what = per_event[k];
			q.event = ids[i];
			request_is_routed(routes, &q, NULL);
		}
	}
	memset(&q, 0, sizeof(q));
	q.what = MATCH_REQ_STANDINGS;
	q.competition = 39;
	q.season = 2026;
	q.round = 12;
	request_is_routed(routes, &q, NULL);
	cJSON_Delete(root);
}

/* Every body of scenario.json: the full envelope with errors [], results the
 * size of response, time-based entries in order, and the parsers' contract. */
static void bodies_are_api_answers(void)
{
	cJSON *root = scenario();
	const cJSON *routes, *route, *entry;
	int nbodies = 0;

	REQUIRE(root != NULL);
	routes = cJSON_GetObjectItemCaseSensitive(root, "routes");
	cJSON_ArrayForEach (route, routes) {
		double last = -1;
		CHECK(cJSON_IsArray(route) && cJSON_GetArraySize(route) > 0);
		cJSON_ArrayForEach (entry, route) {
			const cJSON *after = cJSON_GetObjectItemCaseSensitive(entry, "after");
			const cJSON *file = cJSON_GetObjectItemCaseSensitive(entry, "body");
			static const char *const keys[] = { "get",     "parameters", "errors",
							    "results", "paging",     "response" };
			size_t len;
			char *body, msg[128];
			cJSON *b;
			bool ok[PARSER_N];

			if (!cJSON_IsNumber(after) || after->valuedouble <= last ||
			    !cJSON_IsString(file)) {
				t_fail(__FILE__, __LINE__, "route %s: bad entry", route->string);
				continue;
			}
			last = after->valuedouble;
			body = slurp(file->valuestring, &len);
			if (body == NULL)
				continue;
			nbodies++;
			CHECK_INT(af_classify_errors(body, len, msg, sizeof(msg)), AF_ERR_NONE);
			b = cJSON_ParseWithLength(body, len);
			if (b == NULL) {
				t_fail(__FILE__, __LINE__, "%s: not JSON", file->valuestring);
				free(body);
				continue;
			}
			for (size_t k = 0; k < sizeof(keys) / sizeof(keys[0]); k++)
				if (cJSON_GetObjectItemCaseSensitive(b, keys[k]) == NULL)
					t_fail(__FILE__, __LINE__, "%s: no \"%s\"",
					       file->valuestring, keys[k]);
			{
				const cJSON *errs = cJSON_GetObjectItemCaseSensitive(b, "errors");
				const cJSON *res = cJSON_GetObjectItemCaseSensitive(b, "results");
				const cJSON *resp = cJSON_GetObjectItemCaseSensitive(b, "response");
				CHECK(cJSON_IsArray(errs) && cJSON_GetArraySize(errs) == 0);
				if (!cJSON_IsNumber(res) || !cJSON_IsArray(resp) ||
				    res->valueint != cJSON_GetArraySize(resp))
					t_fail(__FILE__, __LINE__, "%s: results",
					       file->valuestring);
			}
			cJSON_Delete(b);
			parsers_run_all(&AF, body, len, ok);
			/* a list of fixtures or one fixture parses as events; standings
			 * as standings */
			if (strncmp(file->valuestring, "standings", 9) == 0)
				CHECK(ok[PARSER_STANDINGS]);
			else
				CHECK(ok[PARSER_EVENTS]);
			free(body);
		}
	}
	CHECK_INT(nbodies, 25);
	cJSON_Delete(root);
}

/* ---- lists ------------------------------------------------------------------- */

/* the day's list at t=0, 15, 25: the league's fixtures plus other leagues' */
static void day_lists(void)
{
	static const char *const files[] = { "fixtures_today_t00.json", "fixtures_today_t15.json",
					     "fixtures_today_t25.json" };

	for (int t = 0; t < 3; t++) {
		struct match_event *evs;
		size_t n, in39 = 0;
		const struct match_event *e;

		if (!events_of(files[t], &evs, &n))
			continue;
		CHECK_INT(n, 10);
		for (size_t i = 0; i < n; i++) {
			if (evs[i].unique_tournament_id == 39) {
				in39++;
				CHECK_INT(evs[i].season_id, 2026);
			}
			/* the list comes in kick-off order */
			if (i > 0)
				CHECK(evs[i - 1].start_ts <= evs[i].start_ts);
		}
		CHECK_INT(in39, 7);
		e = parsers_find_event(evs, n, 9101);
		if (e != NULL)
			check_status(e, t == 0 ? 7 : 100,
				     t == 0 ? MATCH_ST_INPROGRESS : MATCH_ST_FINISHED, 2, 1);
		else
			t_fail(__FILE__, __LINE__, "no 9101");
		e = parsers_find_event(evs, n, 9102);
		if (e != NULL) {
			check_status(e, t < 2 ? 50 : 120,
				     t < 2 ? MATCH_ST_INPROGRESS : MATCH_ST_FINISHED, 1, 1);
			CHECK(e->has_penalties);
			CHECK_INT(e->home_penalties, t < 2 ? 2 : 5);
			CHECK_INT(e->away_penalties, t < 2 ? 2 : 4);
		} else {
			t_fail(__FILE__, __LINE__, "no 9102");
		}
		e = parsers_find_event(evs, n, 9103);
		if (e != NULL)
			check_status(e, 60, MATCH_ST_POSTPONED, -1, -1);
		e = parsers_find_event(evs, n, 9104);
		if (e != NULL)
			check_status(e, 100, MATCH_ST_FINISHED, 0, 0);
		for (int64_t id = 9201; id <= 9203; id++) {
			e = parsers_find_event(evs, n, id);
			if (e == NULL) {
				t_fail(__FILE__, __LINE__, "no %lld", (long long)id);
				continue;
			}
			check_status(e, 0, MATCH_ST_NOTSTARTED, -1, -1);
			CHECK_INT(e->round, 13);
		}
		/* 9203 four hours after B, the last of the league's */
		e = parsers_find_event(evs, n, 9203);
		if (e != NULL)
			CHECK_INT(e->start_ts, 1790000000 + 14400);
		/* other leagues, to be ignored */
		e = parsers_find_event(evs, n, 9901);
		if (e != NULL) {
			CHECK_INT(e->unique_tournament_id, 140);
			check_status(e, 6, MATCH_ST_INPROGRESS, 0, 1);
		} else {
			t_fail(__FILE__, __LINE__, "no 9901");
		}
		e = parsers_find_event(evs, n, 9902);
		CHECK(e != NULL && e->unique_tournament_id == 135);
		e = parsers_find_event(evs, n, 9903);
		CHECK(e != NULL && e->unique_tournament_id == 78);
		free(evs);
	}
	/* yesterday and tomorrow: other leagues only */
	{
		static const char *const others[] = { "fixtures_yesterday.json",
						      "fixtures_tomorrow.json" };
		for (int i = 0; i < 2; i++) {
			struct match_event *evs;
			size_t n;
			if (!events_of(others[i], &evs, &n))
				continue;
			CHECK_INT(n, 2);
			for (size_t k = 0; k < n; k++)
				CHECK(evs[k].unique_tournament_id != 39);
			free(evs);
		}
	}
}

static void live_lists(void)
{
	static const struct {
		const char *file;
		size_t n;
		int64_t ids[3];
	} want[] = {
		{ "live_t00.json", 3, { 9901, 9102, 9101 } },
		{ "live_t15.json", 2, { 9901, 9102 } },
		{ "live_t25.json", 1, { 9901 } },
	};

	for (size_t w = 0; w < sizeof(want) / sizeof(want[0]); w++) {
		struct match_event *evs;
		size_t n;
		if (!events_of(want[w].file, &evs, &n))
			continue;
		CHECK_INT(n, want[w].n);
		for (size_t i = 0; i < n && i < want[w].n; i++) {
			CHECK_INT(evs[i].id, want[w].ids[i]);
			CHECK_INT(evs[i].status, MATCH_ST_INPROGRESS);
		}
		free(evs);
	}
}

static void round_lists(void)
{
	static const char *const files[] = { "round12_t00.json", "round12_t15.json",
					     "round12_t25.json" };
	struct match_event *evs;
	size_t n;

	for (int t = 0; t < 3; t++) {
		size_t done = 0;
		if (!events_of(files[t], &evs, &n))
			continue;
		CHECK_INT(n, 4);
		for (size_t i = 0; i < n; i++) {
			CHECK_INT(evs[i].unique_tournament_id, 39);
			CHECK_INT(evs[i].season_id, 2026);
			CHECK_INT(evs[i].round, 12);
			CHECK_STR(evs[i].round_name, "Regular Season - 12");
			done += evs[i].status == MATCH_ST_FINISHED ||
				evs[i].status == MATCH_ST_POSTPONED;
		}
		/* the round is complete at t=25 only (9103 is postponed) */
		CHECK_INT(done, (size_t)(t + 2));
		free(evs);
	}
	if (events_of("round13.json", &evs, &n)) {
		CHECK_INT(n, 3);
		for (size_t i = 0; i < n; i++) {
			CHECK_INT(evs[i].id, 9201 + (int64_t)i);
			CHECK_INT(evs[i].round, 13);
			CHECK_STR(evs[i].round_name, "Regular Season - 13");
			CHECK_INT(evs[i].status, MATCH_ST_NOTSTARTED);
		}
		free(evs);
	}
}

/* ---- 9101 Manchester City 2-1 Arsenal ------------------------------------------ */

static void fixture_9101(void)
{
	struct match_event ev;
	struct match_incident *inc;
	size_t n;

	if (event_of("fixture_9101_2h.json", &ev)) {
		check_status(&ev, 7, MATCH_ST_INPROGRESS, 2, 1);
		CHECK_STR(ev.status_type, "2H");
		CHECK_STR(ev.home.name, "Manchester City");
		CHECK_STR(ev.away.name, "Arsenal");
		CHECK_INT(ev.home.id, 17);
		CHECK_INT(ev.away.id, 42);
		CHECK_STR(ev.venue, "Etihad Stadium");
		CHECK(!ev.has_penalties);
	}
	if (event_of("fixture_9101_ft.json", &ev)) {
		check_status(&ev, 100, MATCH_ST_FINISHED, 2, 1);
		CHECK_STR(ev.status_type, "FT");
		CHECK_STR(ev.status_desc, "Match Finished");
		CHECK_INT(ev.winner_code, 1);
		CHECK_INT(ev.start_ts, 1790000000 - 7200);
	}
	/* at 90+2 the last card is still to come */
	if (incidents_of("fixture_9101_2h.json", &inc, &n)) {
		CHECK_INT(count_type(inc, n, "card"), 4);
		free(inc);
	}
	if (!incidents_of("fixture_9101_ft.json", &inc, &n))
		return;
	CHECK_INT(n, 16);
	CHECK_INT(count_type(inc, n, "goal"), 3);
	CHECK_INT(count_type(inc, n, "card"), 5);
	CHECK_INT(count_type(inc, n, "substitution"), 7);
	CHECK_INT(count_type(inc, n, "varDecision"), 1);
	REQUIRE(n == 16);
	/* 23' Haaland (Doku) 1-0 */
	CHECK_STR(inc[1].type, "goal");
	CHECK_STR(inc[1].klass, "regular");
	CHECK_INT(inc[1].minute, 23);
	CHECK_INT(inc[1].player_id, HAALAND);
	CHECK_STR(inc[1].player, "E. Haaland");
	CHECK_STR(inc[1].assist, "J. Doku");
	CHECK_STR(inc[1].side, "home");
	CHECK_INT(inc[1].home_score, 1);
	CHECK_INT(inc[1].away_score, 0);
	/* 51' Saka, penalty: 1-1 */
	CHECK_STR(inc[3].klass, "penalty");
	CHECK_INT(inc[3].player_id, SAKA);
	CHECK_STR(inc[3].side, "away");
	CHECK_INT(inc[3].home_score, 1);
	CHECK_INT(inc[3].away_score, 1);
	/* 60' Merino on for Ødegaard: the model's player comes on */
	CHECK_STR(inc[4].type, "substitution");
	CHECK_STR(inc[4].player, "M. Merino");
	CHECK_STR(inc[4].assist, "M. Ødegaard");
	CHECK_STR(inc[4].side, "away");
	/* 77' VAR, 78' Haaland penalty 2-1 */
	CHECK_STR(inc[10].type, "varDecision");
	CHECK_STR(inc[10].klass, "penaltyConfirmed");
	CHECK_STR(inc[11].klass, "penalty");
	CHECK_INT(inc[11].home_score, 2);
	CHECK_INT(inc[11].away_score, 1);
	/* 90+3 Bernardo Silva */
	CHECK_STR(inc[15].type, "card");
	CHECK_STR(inc[15].klass, "yellow");
	CHECK_INT(inc[15].minute, 90);
	CHECK_INT(inc[15].added_time, 3);
	CHECK_INT(inc[15].player_id, BERNARDO);
	free(inc);
}

static void lineups_9101(void)
{
	struct match_lineups l;
	const struct match_player *p;

	if (!lineups_of("fixture_9101_ft.json", &l, 0))
		return;
	CHECK(l.confirmed);
	CHECK_STR(l.home.formation, "4-3-3");
	CHECK_STR(l.away.formation, "4-2-3-1");
	CHECK_INT(l.home.nplayers, 18);
	CHECK_INT(l.away.nplayers, 18);
	CHECK_INT(starters(&l.home), 11);
	CHECK_INT(starters(&l.away), 11);
	/* 15 and 14 played, each rated */
	CHECK_INT(rated(&l.home), 15);
	CHECK_INT(rated(&l.away), 14);
	CHECK_INT(captains(&l.home), 1);
	CHECK_INT(captains(&l.away), 1);
	p = parsers_find_player(&l.home, BERNARDO);
	CHECK(p != NULL && p->captain);
	p = parsers_find_player(&l.away, ODEGAARD);
	CHECK(p != NULL && p->captain && p->minutes == 60);
	p = parsers_find_player(&l.home, HAALAND);
	REQUIRE(p != NULL);
	CHECK_STR(p->name, "Erling Haaland"); /* players[]'s full name */
	CHECK_STR(p->short_name, "E. Haaland");
	CHECK_STR(p->position, "F");
	CHECK_INT(p->shirt, 9);
	CHECK(p->has_rating && parsers_near(p->rating, 8.9));
	CHECK_INT(p->minutes, 90);
	REQUIRE(p->stats_json != NULL);
	CHECK(strstr(p->stats_json, "\"rating\":\"8.9\"") != NULL);
	p = parsers_find_player(&l.home, DOKU);
	CHECK(p != NULL && parsers_near(p->rating, 7.8) && p->minutes == 79);
	/* the shirt worn, not the profile's number */
	p = parsers_find_player(&l.home, OREILLY);
	CHECK(p != NULL && p->shirt == 33);
	p = parsers_find_player(&l.away, RAYA);
	CHECK(p != NULL && p->shirt == 1);
	/* an unused substitute: no rating, no minutes */
	p = parsers_find_player(&l.home, DONNARUMMA);
	REQUIRE(p != NULL);
	CHECK(p->substitute);
	CHECK(!p->has_rating);
	CHECK_INT(p->minutes, -1);
	match_lineups_free(&l);
}

static void statistics_9101(void)
{
	struct match_stat *st;
	const struct match_stat *s;
	size_t n;

	if (!stats_of("fixture_9101_ft.json", &st, &n))
		return;
	CHECK_INT(n, 18);
	for (size_t i = 0; i < n; i++) {
		CHECK_STR(st[i].period, "ALL");
		CHECK(st[i].has_values);
	}
	s = parsers_find_stat(st, n, "ballPossession");
	REQUIRE(s != NULL);
	CHECK_STR(s->home, "55%");
	CHECK_STR(s->away, "45%");
	CHECK(parsers_near(s->home_value, 55) && parsers_near(s->away_value, 45));
	s = parsers_find_stat(st, n, "expectedGoals");
	CHECK(s != NULL && parsers_near(s->home_value, 2.31) && parsers_near(s->away_value, 1.42));
	s = parsers_find_stat(st, n, "shotsOnGoal");
	CHECK(s != NULL && s->home_value == 6 && s->away_value == 4);
	s = parsers_find_stat(st, n, "totalShotsOnGoal");
	CHECK(s != NULL && s->home_value == 15 && s->away_value == 10);
	s = parsers_find_stat(st, n, "passes");
	CHECK(s != NULL && s->home_value == 539 && s->away_value == 451);
	s = parsers_find_stat(st, n, "accuratePasses");
	CHECK(s != NULL && s->home_value == 470 && s->away_value == 378);
	s = parsers_find_stat(st, n, "accuratePassesPercentage");
	CHECK(s != NULL && s->home_value == 87 && s->away_value == 84);
	s = parsers_find_stat(st, n, "goalkeeperSaves");
	CHECK(s != NULL && s->home_value == 3 && s->away_value == 4);
	s = parsers_find_stat(st, n, "goalsPrevented");
	CHECK(s != NULL && parsers_near(s->home_value, -0.09) && parsers_near(s->away_value, 0.75));
	/* counted from the events: Gvardiol and Bernardo Silva; Gabriel, Rice, Saliba */
	s = parsers_find_stat(st, n, "yellowCards");
	CHECK(s != NULL && s->home_value == 2 && s->away_value == 3);
	/* null: none */
	s = parsers_find_stat(st, n, "redCards");
	REQUIRE(s != NULL);
	CHECK_STR(s->home, "0");
	CHECK(s->has_values && s->home_value == 0 && s->away_value == 0);
	CHECK(parsers_find_stat(st, n, "cornerKicks") != NULL);
	CHECK(parsers_find_stat(st, n, "fouls") != NULL);
	CHECK(parsers_find_stat(st, n, "offsides") != NULL);
	free(st);
	/* at 90+2 the yellow cards are those so far */
	if (stats_of("fixture_9101_2h.json", &st, &n)) {
		s = parsers_find_stat(st, n, "yellowCards");
		CHECK(s != NULL && s->home_value == 1 && s->away_value == 3);
		free(st);
	}
}

/* ---- 9102 Liverpool 1-1 Chelsea, 5-4 on penalties ------------------------------- */

static void fixture_9102(void)
{
	struct match_event ev;

	if (event_of("fixture_9102_p.json", &ev)) {
		check_status(&ev, 50, MATCH_ST_INPROGRESS, 1, 1);
		CHECK_STR(ev.status_type, "P");
		CHECK_STR(ev.status_desc, "Penalty in progress");
		/* score.penalty counts the kicks so far */
		CHECK(ev.has_penalties);
		CHECK_INT(ev.home_penalties, 2);
		CHECK_INT(ev.away_penalties, 2);
		CHECK_INT(ev.winner_code, 0);
	}
	if (event_of("fixture_9102_pen.json", &ev)) {
		check_status(&ev, 120, MATCH_ST_FINISHED, 1, 1);
		CHECK_STR(ev.status_type, "PEN");
		/* long is "Match Finished" as for FT: the short code decides */
		CHECK_STR(ev.status_desc, "Match Finished");
		CHECK(ev.has_penalties);
		CHECK_INT(ev.home_penalties, 5);
		CHECK_INT(ev.away_penalties, 4);
		CHECK_INT(ev.winner_code, 1);
		CHECK_STR(ev.home.name, "Liverpool");
		CHECK_STR(ev.away.name, "Chelsea");
	}
}

static void incidents_9102(void)
{
	static const char *const files[] = { "fixture_9102_p.json", "fixture_9102_pen.json" };

	for (int f = 0; f < 2; f++) {
		struct match_incident *inc;
		size_t n, goals = 0;
		if (!incidents_of(files[f], &inc, &n))
			continue;
		CHECK_INT(n, 13);
		/* no shoot-out events: none counted, no kick taken for a goal */
		CHECK_INT(count_type(inc, n, "penaltyShootout"), 0);
		CHECK_INT(count_type(inc, n, "substitution"), 8);
		CHECK_INT(count_type(inc, n, "card"), 3);
		for (size_t i = 0; i < n; i++) {
			if (strcmp(inc[i].type, "goal") != 0)
				continue;
			goals++;
			CHECK(inc[i].minute < 120);
		}
		CHECK_INT(goals, 2);
		REQUIRE(n == 13);
		/* 34': Konaté's own goal, credited to Chelsea */
		CHECK_STR(inc[1].type, "goal");
		CHECK_STR(inc[1].klass, "ownGoal");
		CHECK_INT(inc[1].minute, 34);
		CHECK_STR(inc[1].side, "away");
		CHECK_INT(inc[1].player_id, KONATE);
		CHECK_STR(inc[1].player, "I. Konaté");
		CHECK_STR(inc[1].assist, "");
		CHECK(inc[1].has_score);
		CHECK_INT(inc[1].home_score, 0);
		CHECK_INT(inc[1].away_score, 1);
		/* 71': Salah (Wirtz) 1-1 */
		CHECK_STR(inc[4].klass, "regular");
		CHECK_INT(inc[4].player_id, SALAH);
		CHECK_STR(inc[4].assist, "F. Wirtz");
		CHECK_STR(inc[4].side, "home");
		CHECK_INT(inc[4].home_score, 1);
		CHECK_INT(inc[4].away_score, 1);
		/* extra-time minutes are plain */
		CHECK_INT(inc[12].minute, 110);
		CHECK_INT(inc[12].added_time, 0);
		free(inc);
	}
}

static void lineups_9102(void)
{
	struct match_lineups l;
	const struct match_player *p;

	if (!lineups_of("fixture_9102_pen.json", &l, 0))
		return;
	CHECK(l.confirmed);
	CHECK_STR(l.home.formation, "4-2-3-1");
	CHECK_STR(l.away.formation, "4-2-3-1");
	CHECK_INT(rated(&l.home), 15);
	CHECK_INT(rated(&l.away), 15);
	p = parsers_find_player(&l.home, VAN_DIJK);
	CHECK(p != NULL && p->captain && p->minutes == 120);
	p = parsers_find_player(&l.away, REECE_JAMES);
	CHECK(p != NULL && p->captain && p->minutes == 99);
	CHECK_INT(captains(&l.home), 1);
	CHECK_INT(captains(&l.away), 1);
	/* Konaté plays for Liverpool: his own goal went to Chelsea */
	p = parsers_find_player(&l.home, KONATE);
	CHECK(p != NULL && !p->substitute && parsers_near(p->rating, 6.2));
	p = parsers_find_player(&l.home, SALAH);
	CHECK(p != NULL && parsers_near(p->rating, 7.9) && p->minutes == 106);
	p = parsers_find_player(&l.home, CURTIS_JONES);
	CHECK(p != NULL && p->substitute && !p->has_rating && p->minutes == -1);
	match_lineups_free(&l);
}

static void statistics_9102(void)
{
	struct match_stat *st;
	const struct match_stat *s;
	size_t n;

	if (!stats_of("fixture_9102_pen.json", &st, &n))
		return;
	CHECK_INT(n, 18);
	s = parsers_find_stat(st, n, "ballPossession");
	CHECK(s != NULL && s->home_value == 62 && s->away_value == 38);
	s = parsers_find_stat(st, n, "expectedGoals");
	CHECK(s != NULL && parsers_near(s->home_value, 2.19) && parsers_near(s->away_value, 1.02));
	s = parsers_find_stat(st, n, "totalShotsOnGoal");
	CHECK(s != NULL && s->home_value == 21 && s->away_value == 10);
	s = parsers_find_stat(st, n, "yellowCards");
	CHECK(s != NULL && s->home_value == 1 && s->away_value == 2);
	free(st);
}

/* ---- 9103 postponed, 9104 low coverage ---------------------------------------- */

static void fixture_9103(void)
{
	struct match_event ev;
	struct match_lineups l;
	struct match_incident *inc;
	struct match_stat *st;
	size_t n;

	if (event_of("fixture_9103_pst.json", &ev)) {
		check_status(&ev, 60, MATCH_ST_POSTPONED, -1, -1);
		CHECK_STR(ev.status_type, "PST");
		CHECK(!ev.has_penalties);
		CHECK_INT(ev.winner_code, 0);
		CHECK_INT(ev.round, 12);
	}
	lineups_of("fixture_9103_pst.json", &l, 1);
	if (incidents_of("fixture_9103_pst.json", &inc, &n)) {
		CHECK_INT(n, 0);
		free(inc);
	}
	if (stats_of("fixture_9103_pst.json", &st, &n)) {
		CHECK_INT(n, 0);
		free(st);
	}
}

static void fixture_9104(void)
{
	struct match_event ev;
	struct match_lineups l;
	struct match_incident *inc;
	struct match_stat *st;
	size_t n;

	if (event_of("fixture_9104_ft.json", &ev)) {
		check_status(&ev, 100, MATCH_ST_FINISHED, 0, 0);
		CHECK_INT(ev.winner_code, 3);
		CHECK(!ev.has_penalties);
	}
	/* low coverage: line-ups without players[] (no ratings, no captains) */
	if (lineups_of("fixture_9104_ft.json", &l, 0)) {
		CHECK(l.confirmed);
		CHECK_STR(l.away.formation, "3-4-2-1");
		CHECK_INT(l.home.nplayers, 18);
		CHECK_INT(rated(&l.home), 0);
		CHECK_INT(rated(&l.away), 0);
		CHECK_INT(captains(&l.home), 0);
		CHECK_INT(captains(&l.away), 0);
		for (size_t i = 0; i < l.home.nplayers; i++) {
			CHECK_INT(l.home.players[i].minutes, -1);
			CHECK(l.home.players[i].stats_json == NULL);
		}
		match_lineups_free(&l);
	}
	/* statistics: [] is no statistics, not an error */
	if (stats_of("fixture_9104_ft.json", &st, &n)) {
		CHECK_INT(n, 0);
		free(st);
	}
	if (incidents_of("fixture_9104_ft.json", &inc, &n)) {
		CHECK_INT(n, 2);
		CHECK_INT(count_type(inc, n, "card"), 2);
		if (n == 2) {
			CHECK_STR(inc[0].side, "away");
			CHECK_STR(inc[1].side, "home");
		}
		free(inc);
	}
}

/* ---- round 13: line-ups before kick-off ---------------------------------------- */

static void lineups_9201(void)
{
	struct match_event ev;
	struct match_lineups l;
	const struct match_player *p;

	if (event_of("fixture_9201_ns.json", &ev)) {
		check_status(&ev, 0, MATCH_ST_NOTSTARTED, -1, -1);
		CHECK_INT(ev.start_ts, 1790000000 + 1800);
	}
	/* t=0 (and t=10): lineups [] is "not published" */
	lineups_of("fixture_9201_ns.json", &l, 1);
	/* t=25: both sides with 11, official */
	if (!lineups_of("fixture_9201_lineups.json", &l, 0))
		return;
	CHECK(l.confirmed);
	CHECK_INT(starters(&l.home), 11);
	CHECK_INT(starters(&l.away), 11);
	CHECK_INT(l.home.nplayers, 18);
	CHECK_INT(l.away.nplayers, 18);
	CHECK_STR(l.home.formation, "4-2-3-1");
	CHECK_STR(l.away.formation, "4-3-3");
	/* the Sofascore confirmed XI: Odobert and Barnes start */
	p = parsers_find_player(&l.home, ODOBERT);
	CHECK(p != NULL && !p->substitute);
	p = parsers_find_player(&l.home, TEL);
	CHECK(p != NULL && p->substitute);
	p = parsers_find_player(&l.away, BARNES);
	CHECK(p != NULL && !p->substitute);
	p = parsers_find_player(&l.away, MURPHY);
	CHECK(p != NULL && p->substitute);
	/* before kick-off: players [] (no captain, no rating, the line-up's names) */
	CHECK_INT(captains(&l.home) + captains(&l.away), 0);
	CHECK_INT(rated(&l.home) + rated(&l.away), 0);
	CHECK_STR(l.home.players[0].name, "G. Vicario");
	CHECK_INT(l.home.players[0].shirt, 1);
	match_lineups_free(&l);
}

static void lineups_9202(void)
{
	struct match_lineups l;
	const struct match_player *p;

	/* t=0: West Ham with 10 in startXI (a made-up shape): not official */
	if (lineups_of("fixture_9202_lineups_10.json", &l, 0)) {
		CHECK(!l.confirmed);
		CHECK_INT(starters(&l.home), 11);
		CHECK_INT(starters(&l.away), 10);
		CHECK(parsers_find_player(&l.away, WILSON) == NULL);
		match_lineups_free(&l);
	}
	/* t=35: both complete */
	if (lineups_of("fixture_9202_lineups.json", &l, 0)) {
		CHECK(l.confirmed);
		CHECK_INT(starters(&l.away), 11);
		p = parsers_find_player(&l.away, WILSON);
		CHECK(p != NULL && !p->substitute && p->shirt == 9);
		CHECK_INT(captains(&l.home) + captains(&l.away), 0);
		match_lineups_free(&l);
	}
}

/* ---- standings ------------------------------------------------------------------- */

/* One table: 20 rows ranked 1..20, sums that hold for any table, and
 * played games as the replay has them. */
static void check_table(const char *file, int matches, struct match_standing **out, size_t *nout)
{
	struct match_standing *st;
	size_t n;
	long won = 0, lost = 0, drawn = 0, gf = 0, ga = 0, played = 0;

	*out = NULL;
	*nout = 0;
	if (!standings_of(file, &st, &n))
		return;
	CHECK_INT(n, 20);
	for (size_t i = 0; i < n; i++) {
		CHECK_INT(st[i].position, (int)i + 1);
		CHECK_STR(st[i].group, ""); /* one table */
		CHECK_INT(st[i].points, 3 * st[i].won + st[i].drawn);
		CHECK_INT(st[i].played, st[i].won + st[i].drawn + st[i].lost);
		if (i > 0)
			CHECK(st[i - 1].points >= st[i].points);
		won += st[i].won;
		lost += st[i].lost;
		drawn += st[i].drawn;
		gf += st[i].goals_for;
		ga += st[i].goals_against;
		played += st[i].played;
	}
	CHECK_INT(won, lost);
	CHECK_INT(drawn % 2, 0);
	CHECK_INT(gf, ga);
	CHECK_INT(played, 2 * matches);
	*out = st;
	*nout = n;
}

static void standings(void)
{
	struct match_standing *t0, *t15, *t25;
	size_t n0, n15, n25;
	const struct match_standing *a, *b;

	/* rounds 1-11 (110 fixtures), then 9104, 9101, 9102 once final */
	check_table("standings_t00.json", 111, &t0, &n0);
	check_table("standings_t15.json", 112, &t15, &n15);
	check_table("standings_t25.json", 113, &t25, &n25);
	if (t0 == NULL || t15 == NULL || t25 == NULL)
		goto out;
	/* 9104 Brighton 0-0 Wolves already counted at t=0 */
	a = find_row(t0, n0, 30);
	CHECK(a != NULL && a->played == 12);
	a = find_row(t0, n0, 3);
	CHECK(a != NULL && a->played == 12);
	/* 9101 City 2-1 Arsenal from t=15 */
	a = find_row(t0, n0, 17);
	b = find_row(t15, n15, 17);
	REQUIRE(a != NULL && b != NULL);
	CHECK_INT(a->played, 11);
	CHECK_INT(b->played, 12);
	CHECK_INT(b->won - a->won, 1);
	CHECK_INT(b->goals_for - a->goals_for, 2);
	CHECK_INT(b->goals_against - a->goals_against, 1);
	a = find_row(t0, n0, 42);
	b = find_row(t15, n15, 42);
	REQUIRE(a != NULL && b != NULL);
	CHECK_INT(b->lost - a->lost, 1);
	/* 9102 Liverpool 1-1 Chelsea (a draw in the table, whatever the shoot-out)
	 * from t=25 */
	for (int64_t team = 44; team >= 38; team -= 6) {
		a = find_row(t15, n15, team);
		b = find_row(t25, n25, team);
		REQUIRE(a != NULL && b != NULL);
		CHECK_INT(a->played, 11);
		CHECK_INT(b->played, 12);
		CHECK_INT(b->drawn - a->drawn, 1);
		CHECK_INT(b->points - a->points, 1);
		CHECK_INT(b->goals_for - a->goals_for, 1);
	}
	/* 9103 postponed: Everton and Fulham stay at 11 */
	a = find_row(t25, n25, 48);
	CHECK(a != NULL && a->played == 11);
	a = find_row(t25, n25, 43);
	CHECK(a != NULL && a->played == 11);
	/* City top once they beat Arsenal */
	CHECK_INT(t0[0].team_id, 44);
	CHECK_INT(t15[0].team_id, 17);
	CHECK_INT(t25[0].team_id, 17);
	CHECK_STR(t25[0].team, "Manchester City");
	CHECK_INT(t25[0].points, 30);
out:
	free(t0);
	free(t15);
	free(t25);
}

int main(void)
{
	T_RUN(routes_cover_the_client);
	T_RUN(bodies_are_api_answers);
	T_RUN(day_lists);
	T_RUN(live_lists);
	T_RUN(round_lists);
	T_RUN(fixture_9101);
	T_RUN(lineups_9101);
	T_RUN(statistics_9101);
	T_RUN(fixture_9102);
	T_RUN(incidents_9102);
	T_RUN(lineups_9102);
	T_RUN(statistics_9102);
	T_RUN(fixture_9103);
	T_RUN(fixture_9104);
	T_RUN(lineups_9201);
	T_RUN(lineups_9202);
	T_RUN(standings);
	return t_done();
}
