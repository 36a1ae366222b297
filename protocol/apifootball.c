#include "apifootball.h"

#include <cjson/cJSON.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../lib/jarena.h"
#include "adapter.h"

#define TS_MIN 946684800LL /* 2000-01-01: older start times are absurd */
#define TS_MAX 4102444800LL /* 2100-01-01 */
#define ID_MAX (INT64_MAX / 2)

/* ---- JSON helpers ------------------------------------------------------ */

static bool jstr_eq(const cJSON *o, const char *key, const char *want)
{
	const cJSON *v = adapter_get(o, key);

	return cJSON_IsString(v) && v->valuestring != NULL && strcmp(v->valuestring, want) == 0;
}

/* ---- errors inside HTTP 200 -------------------------------------------- */

static enum af_error error_kind(const char *field)
{
	if (strcmp(field, "token") == 0)
		return AF_ERR_TOKEN;
	if (strcmp(field, "requests") == 0)
		return AF_ERR_QUOTA_DAY;
	if (strcmp(field, "rateLimit") == 0)
		return AF_ERR_QUOTA_MINUTE;
	if (strcmp(field, "plan") == 0)
		return AF_ERR_PLAN;
	if (strcmp(field, "time") == 0 || strcmp(field, "bug") == 0 || strcmp(field, "report") == 0)
		return AF_ERR_SERVER;
	return AF_ERR_REQUEST; /* a parameter's name: "league", "season", "required" */
}

/* Which error decides when several are given: the lower, the stronger. */
static int error_rank(enum af_error e)
{
	switch (e) {
	case AF_ERR_TOKEN:
		return 0;
	case AF_ERR_QUOTA_DAY:
		return 1;
	case AF_ERR_QUOTA_MINUTE:
		return 2;
	case AF_ERR_PLAN:
		return 3;
	case AF_ERR_SERVER:
		return 4;
	case AF_ERR_REQUEST:
		return 5;
	default:
		return 6;
	}
}

/* One error (field, value): kept in *best/msg when it ranks higher. */
static void error_take(const char *field, const cJSON *v, enum af_error *best, char *msg,
		       size_t msglen)
{
	enum af_error e = error_kind(field);
	const char *text = cJSON_IsString(v) && v->valuestring != NULL ? v->valuestring : "";

	if (*best != AF_ERR_NONE && error_rank(e) >= error_rank(*best))
		return;
	*best = e;
	if (msg != NULL && msglen > 0) {
		char tmp[512];
		snprintf(tmp, sizeof(tmp), "%s: %s", field, text);
		adapter_copy(tmp, msg, msglen);
	}
}

/* errors is [] when fine, an object when not; an array of objects or of
 * strings, or a bare string, is taken as failing too. */
static enum af_error errors_of(const cJSON *root, char *msg, size_t msglen)
{
	const cJSON *errs = adapter_get(root, "errors"), *it, *kv;
	enum af_error best = AF_ERR_NONE;

	if (msg != NULL && msglen > 0)
		msg[0] = '\0';
	if (cJSON_IsString(errs) && errs->valuestring != NULL && errs->valuestring[0] != '\0') {
		error_take("errors", errs, &best, msg, msglen);
	} else if (cJSON_IsObject(errs)) {
		cJSON_ArrayForEach (kv, errs)
			if (kv->string != NULL)
				error_take(kv->string, kv, &best, msg, msglen);
	} else if (cJSON_IsArray(errs)) {
		cJSON_ArrayForEach (it, errs) {
			if (cJSON_IsObject(it)) {
				cJSON_ArrayForEach (kv, it)
					if (kv->string != NULL)
						error_take(kv->string, kv, &best, msg, msglen);
			} else if (cJSON_IsString(it)) {
				error_take("errors", it, &best, msg, msglen);
			}
		}
	}
	return best;
}

enum af_error af_classify_errors(const char *body, size_t len, char *msg, size_t msglen)
{
	cJSON *root;
	enum af_error e;

	if (msg != NULL && msglen > 0)
		msg[0] = '\0';
	if (body == NULL || len == 0)
		return AF_ERR_NONE;
	root = cJSON_ParseWithLength(body, len);
	e = errors_of(root, msg, msglen);
	cJSON_Delete(root);
	return e;
}

const char *af_error_name(enum af_error e)
{
	switch (e) {
	case AF_ERR_NONE:
		return "none";
	case AF_ERR_TOKEN:
		return "token";
	case AF_ERR_QUOTA_DAY:
		return "requests";
	case AF_ERR_QUOTA_MINUTE:
		return "rateLimit";
	case AF_ERR_PLAN:
		return "plan";
	case AF_ERR_REQUEST:
		return "request";
	case AF_ERR_SERVER:
		return "server";
	}
	return "none";
}

/* The root's response array, or NULL with a reason (errors in the body
 * first). */
static const cJSON *response_of(const cJSON *root, char *err, size_t errlen)
{
	char msg[256];
	const cJSON *resp;

	if (errors_of(root, msg, sizeof(msg)) != AF_ERR_NONE) {
		snprintf(err, errlen, "API error: %s", msg);
		return NULL;
	}
	resp = adapter_get(root, "response");
	if (!cJSON_IsArray(resp)) {
		snprintf(err, errlen, "no \"response\" array");
		return NULL;
	}
	return resp;
}

/* ---- status ------------------------------------------------------------- */

enum match_status af_status_from(const char *s, int elapsed, int *code)
{
	static const struct {
		const char *short_code;
		int code;
		enum match_status st;
	} map[] = {
		{ "TBD", 0, MATCH_ST_NOTSTARTED },  { "NS", 0, MATCH_ST_NOTSTARTED },
		{ "1H", 6, MATCH_ST_INPROGRESS },   { "2H", 7, MATCH_ST_INPROGRESS },
		{ "HT", 31, MATCH_ST_INPROGRESS },  { "BT", 32, MATCH_ST_INPROGRESS },
		{ "ET", 41, MATCH_ST_INPROGRESS },  { "P", 50, MATCH_ST_INPROGRESS },
		{ "LIVE", 6, MATCH_ST_INPROGRESS }, { "INT", 80, MATCH_ST_INTERRUPTED },
		{ "SUSP", 80, MATCH_ST_SUSPENDED }, { "FT", 100, MATCH_ST_FINISHED },
		{ "AET", 110, MATCH_ST_FINISHED },  { "PEN", 120, MATCH_ST_FINISHED },
		{ "AWD", 100, MATCH_ST_FINISHED },  { "WO", 100, MATCH_ST_FINISHED },
		{ "PST", 60, MATCH_ST_POSTPONED },  { "CANC", 70, MATCH_ST_CANCELED },
		{ "ABD", 90, MATCH_ST_CANCELED },
	};

	if (code != NULL)
		*code = -1;
	if (s == NULL)
		return MATCH_ST_UNKNOWN;
	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++) {
		if (strcmp(s, map[i].short_code) != 0)
			continue;
		if (code != NULL) {
			*code = map[i].code;
			if (*code == 41 && elapsed > 105)
				*code = 42; /* the second half of extra time */
		}
		return map[i].st;
	}
	return MATCH_ST_UNKNOWN;
}

/* ---- fixtures -------------------------------------------------------------- */

static int parse_team(const cJSON *t, struct match_team *out, const char *which, char *err,
		      size_t errlen)
{
	memset(out, 0, sizeof(*out));
	if (!adapter_int(t, "id", 1, ID_MAX, &out->id) ||
	    !adapter_str(t, "name", out->name, sizeof(out->name))) {
		snprintf(err, errlen, "teams.%s: missing id or name", which);
		return -1;
	}
	/* API-Football has one name per team */
	snprintf(out->short_name, sizeof(out->short_name), "%s", out->name);
	(void)adapter_str(t, "logo", out->crest_url, sizeof(out->crest_url));
	return 0;
}

/* {home, away} both integers. */
static bool pair(const cJSON *o, int *home, int *away)
{
	int h, a;

	if (!adapter_int32(o, "home", &h) || !adapter_int32(o, "away", &a) || h < 0 || a < 0)
		return false;
	*home = h;
	*away = a;
	return true;
}

/* "Regular Season - 27" -> 27; any other round name -> 0.  Only a league's
 * regular season numbers its rounds in one series: "Apertura - 5" and
 * "Clausura - 5" of one season would be the same round 5, and a round is
 * asked for again as "Regular Season - N" (af_path). */
static int round_number(const char *name)
{
	static const char prefix[] = "Regular Season - ";
	const char *p;
	long v = 0;

	if (strncmp(name, prefix, sizeof(prefix) - 1) != 0)
		return 0;
	p = name + sizeof(prefix) - 1;
	if (*p < '0' || *p > '9')
		return 0;
	for (; *p != '\0'; p++) {
		if (*p < '0' || *p > '9' || v > 100000)
			return 0;
		v = v * 10 + (*p - '0');
	}
	return (int)v;
}

static int parse_fixture_obj(const cJSON *f, struct match_event *ev, char *err, size_t errlen)
{
	const cJSON *fx = adapter_get(f, "fixture"), *lg = adapter_get(f, "league"),
		    *teams = adapter_get(f, "teams");
	const cJSON *st = adapter_get(fx, "status"), *score = adapter_get(f, "score"), *v;
	int64_t x;
	int elapsed = -1;

	memset(ev, 0, sizeof(*ev));
	if (!cJSON_IsObject(f) || !cJSON_IsObject(fx)) {
		snprintf(err, errlen, "fixture is not an object");
		return -1;
	}
	if (!adapter_int(fx, "id", 1, ID_MAX, &ev->id)) {
		snprintf(err, errlen, "fixture without a valid id");
		return -1;
	}
	if (adapter_int(lg, "id", 1, ID_MAX, &x))
		ev->unique_tournament_id = x;
	adapter_str(lg, "name", ev->tournament_name, sizeof(ev->tournament_name));
	adapter_str(lg, "country", ev->category, sizeof(ev->category));
	/* the season is its first year: 2025 is 2025/26 in a European league */
	if (adapter_int(lg, "season", 1900, 3000, &x)) {
		ev->season_id = x;
		snprintf(ev->season_name, sizeof(ev->season_name), "%" PRId64, x);
	}
	if (adapter_str(lg, "round", ev->round_name, sizeof(ev->round_name)))
		ev->round = round_number(ev->round_name);
	if (parse_team(adapter_get(teams, "home"), &ev->home, "home", err, errlen) != 0 ||
	    parse_team(adapter_get(teams, "away"), &ev->away, "away", err, errlen) != 0) {
		char tmp[200];
		snprintf(tmp, sizeof(tmp), "fixture %" PRId64 ": %s", ev->id, err);
		snprintf(err, errlen, "%s", tmp);
		return -1;
	}
	if (!adapter_int(fx, "timestamp", TS_MIN, TS_MAX, &ev->start_ts)) {
		snprintf(err, errlen, "fixture %" PRId64 ": missing or absurd timestamp", ev->id);
		return -1;
	}
	/* status.short, never long: FT, AET and PEN all say "Match Finished" */
	if (!adapter_str(st, "short", ev->status_type, sizeof(ev->status_type)) ||
	    ev->status_type[0] == '\0') {
		snprintf(err, errlen, "fixture %" PRId64 ": no status.short", ev->id);
		return -1;
	}
	adapter_str(st, "long", ev->status_desc, sizeof(ev->status_desc));
	adapter_int32(st, "elapsed", &elapsed);
	ev->status = af_status_from(ev->status_type, elapsed, &ev->status_code);
	/* goals: the score with extra time, without the shoot-out (null before
	 * kick-off and for postponed/canceled); score.fulltime + extratime when
	 * goals is missing */
	if (pair(adapter_get(f, "goals"), &ev->home_score, &ev->away_score)) {
		ev->has_score = true;
	} else {
		int fh, fa, eh = 0, ea = 0;
		if (pair(adapter_get(score, "fulltime"), &fh, &fa)) {
			pair(adapter_get(score, "extratime"), &eh, &ea);
			ev->home_score = fh + eh;
			ev->away_score = fa + ea;
			ev->has_score = true;
		}
	}
	/* the shoot-out from score.penalty, whether its events exist or not */
	ev->has_penalties =
		pair(adapter_get(score, "penalty"), &ev->home_penalties, &ev->away_penalties);
	if (!ev->has_penalties)
		ev->home_penalties = ev->away_penalties = 0;
	/* winner: true/false/null per side; null both = a draw once finished.
	 * During play the API fills it from the running score: not a result
	 * (Sofascore has no winnerCode until the end either). */
	if (ev->status != MATCH_ST_FINISHED)
		ev->winner_code = 0;
	else if (cJSON_IsTrue(adapter_get(adapter_get(teams, "home"), "winner")))
		ev->winner_code = 1;
	else if (cJSON_IsTrue(adapter_get(adapter_get(teams, "away"), "winner")))
		ev->winner_code = 2;
	else if (ev->has_score && ev->home_score == ev->away_score && !ev->has_penalties)
		ev->winner_code = 3;
	v = adapter_get(fx, "venue");
	adapter_str(v, "name", ev->venue, sizeof(ev->venue));
	return 0;
}

int af_parse_events(const char *body, size_t len, struct match_event **out, size_t *n,
		    size_t *skipped, char *err, size_t errlen)
{
	cJSON *root;
	const cJSON *list;
	int rc;

	*out = NULL;
	*n = 0;
	*skipped = 0;
	jarena_begin();
	root = adapter_parse_root(body, len, err, errlen);
	if (root == NULL) {
		jarena_end();
		return -1;
	}
	list = response_of(root, err, errlen);
	if (list == NULL) {
		cJSON_Delete(root);
		jarena_end();
		return -1;
	}
	rc = adapter_parse_event_list(list, AF_MAX_EVENTS, parse_fixture_obj, out, n, skipped, err,
				      errlen);
	cJSON_Delete(root);
	jarena_end();
	return rc;
}

/* Parses a fixtures?id=N answer (in the caller's jarena) and finds its
 * response[0] in *f.  0; 1 when the response is empty (the API's answer
 * for an unknown fixture); -1.  A reason in err unless 0; *root (NULL when
 * the body is not JSON) is the caller's to delete in every case. */
static int open_fixture(const char *body, size_t len, cJSON **root, const cJSON **f, char *err,
			size_t errlen)
{
	const cJSON *resp;

	*f = NULL;
	*root = adapter_parse_root(body, len, err, errlen);
	if (*root == NULL || (resp = response_of(*root, err, errlen)) == NULL)
		return -1;
	if (cJSON_GetArraySize(resp) == 0) {
		snprintf(err, errlen, "no such fixture (empty \"response\")");
		return 1;
	}
	*f = cJSON_GetArrayItem(resp, 0);
	if (!cJSON_IsObject(*f) || !cJSON_IsObject(adapter_get(*f, "fixture"))) {
		snprintf(err, errlen, "no fixture in \"response\"");
		return -1;
	}
	return 0;
}

int af_parse_event(const char *body, size_t len, struct match_event *out, char *err, size_t errlen)
{
	cJSON *root;
	const cJSON *f;
	int rc;

	memset(out, 0, sizeof(*out));
	jarena_begin();
	rc = open_fixture(body, len, &root, &f, err, errlen);
	if (rc == 0)
		rc = parse_fixture_obj(f, out, err, errlen);
	cJSON_Delete(root);
	jarena_end();
	return rc;
}

/* teams.home.id / teams.away.id of a fixture (0 when absent). */
static void team_ids(const cJSON *f, int64_t *home, int64_t *away)
{
	const cJSON *teams = adapter_get(f, "teams");

	*home = *away = 0;
	adapter_int(adapter_get(teams, "home"), "id", 1, ID_MAX, home);
	adapter_int(adapter_get(teams, "away"), "id", 1, ID_MAX, away);
}

/* The entry of list (line-ups, statistics, players: one per team) whose
 * team.id is id; else the idx-th entry (they come home first). */
static const cJSON *team_entry(const cJSON *list, int64_t id, int idx)
{
	const cJSON *it;
	int64_t tid;

	if (!cJSON_IsArray(list))
		return NULL;
	if (id > 0) {
		cJSON_ArrayForEach (it, list)
			if (adapter_int(adapter_get(it, "team"), "id", 1, ID_MAX, &tid) &&
			    tid == id)
				return it;
	}
	it = cJSON_GetArrayItem(list, idx);
	if (!cJSON_IsObject(it))
		return NULL;
	/* by position only when the entry names no team, or no id is known */
	if (id > 0 && adapter_int(adapter_get(it, "team"), "id", 1, ID_MAX, &tid))
		return NULL;
	return it;
}

/* ---- line-ups ------------------------------------------------------------ */

/* players[].players[] entry of player id in a team's block, or NULL. */
static const cJSON *player_stats(const cJSON *block, int64_t id)
{
	const cJSON *p;
	int64_t pid;

	cJSON_ArrayForEach (p, adapter_get(block, "players"))
		if (adapter_int(adapter_get(p, "player"), "id", 1, ID_MAX, &pid) && pid == id)
			return cJSON_GetArrayItem(adapter_get(p, "statistics"), 0);
	return NULL;
}

/* players[].players[].player of player id (for the full name). */
static const cJSON *player_info(const cJSON *block, int64_t id)
{
	const cJSON *p;
	int64_t pid;

	cJSON_ArrayForEach (p, adapter_get(block, "players"))
		if (adapter_int(adapter_get(p, "player"), "id", 1, ID_MAX, &pid) && pid == id)
			return adapter_get(p, "player");
	return NULL;
}

/* rating: a string ("7.2", "8"), null for unused substitutes. */
static bool rating_of(const cJSON *v, double *out)
{
	double r;
	char *end;

	if (cJSON_IsNumber(v)) {
		r = v->valuedouble;
	} else if (cJSON_IsString(v) && v->valuestring != NULL && v->valuestring[0] != '\0') {
		r = strtod(v->valuestring, &end);
		if (end == v->valuestring || *end != '\0')
			return false;
	} else {
		return false;
	}
	if (!isfinite(r) || r <= 0 || r > 10)
		return false;
	*out = r;
	return true;
}

static void add_players(const cJSON *list, bool substitute, const cJSON *block,
			struct match_side *out, size_t cap, bool with_stats, int *starters)
{
	const cJSON *it;

	cJSON_ArrayForEach (it, list) {
		const cJSON *pl = adapter_get(it, "player"), *stats, *games, *info;
		struct match_player *x;
		int64_t shirt;

		if (out->nplayers >= cap || !cJSON_IsObject(pl))
			continue; /* trimmed markers, junk */
		x = &out->players[out->nplayers];
		memset(x, 0, sizeof(*x));
		if (!adapter_int(pl, "id", 1, ID_MAX, &x->id) ||
		    !adapter_str(pl, "name", x->name, sizeof(x->name)))
			continue;
		snprintf(x->short_name, sizeof(x->short_name), "%s", x->name);
		/* players[] has the full name ("Jan Oblak" for "J. Oblak") */
		info = player_info(block, x->id);
		adapter_str(info, "name", x->name, sizeof(x->name));
		adapter_str(pl, "pos", x->position, sizeof(x->position));
		stats = player_stats(block, x->id);
		games = adapter_get(stats, "games");
		if (adapter_int(pl, "number", 0, 999, &shirt) ||
		    adapter_int(games, "number", 0, 999, &shirt))
			x->shirt = (int)shirt;
		if (x->position[0] == '\0')
			adapter_str(games, "position", x->position, sizeof(x->position));
		x->substitute = substitute;
		x->captain = cJSON_IsTrue(adapter_get(games, "captain"));
		x->has_rating = rating_of(adapter_get(games, "rating"), &x->rating);
		x->minutes = -1;
		adapter_int32(games, "minutes", &x->minutes);
		if (with_stats && cJSON_IsObject(stats)) /* outlives the tree */
			x->stats_json = adapter_print(stats);
		if (!substitute)
			(*starters)++;
		out->nplayers++;
	}
}

static int parse_side(const cJSON *lu, const cJSON *block, struct match_side *out,
		      const char *which, bool with_stats, int *starters, char *err, size_t errlen)
{
	const cJSON *xi = adapter_get(lu, "startXI"), *subs = adapter_get(lu, "substitutes");
	size_t cap;

	memset(out, 0, sizeof(*out));
	*starters = 0;
	if (!cJSON_IsObject(lu) || !cJSON_IsArray(xi)) {
		snprintf(err, errlen, "%s: no startXI array", which);
		return -1;
	}
	adapter_str(lu, "formation", out->formation, sizeof(out->formation));
	/* the captain is only in the player statistics, which come at kick-off */
	out->captain_unknown = !cJSON_IsObject(block);
	cap = (size_t)cJSON_GetArraySize(xi) + (size_t)cJSON_GetArraySize(subs);
	if (cap > MATCH_MAX_PLAYERS)
		cap = MATCH_MAX_PLAYERS;
	out->players = calloc(cap ? cap : 1, sizeof(*out->players));
	if (out->players == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	add_players(xi, false, block, out, cap, with_stats, starters);
	if (cJSON_IsArray(subs))
		add_players(subs, true, block, out, cap, with_stats, starters);
	return 0;
}

int af_parse_lineups(const char *body, size_t len, struct match_lineups *out, bool with_stats,
		     char *err, size_t errlen)
{
	cJSON *root;
	const cJSON *f, *lus, *pls, *hl, *al;
	int64_t home_id, away_id;
	int hs = 0, as = 0, rc = -1;

	memset(out, 0, sizeof(*out));
	jarena_begin(); /* the tree dies here; what is kept is copied out */
	rc = open_fixture(body, len, &root, &f, err, errlen);
	if (rc != 0)
		goto out;
	rc = -1;
	team_ids(f, &home_id, &away_id);
	lus = adapter_get(f, "lineups");
	pls = adapter_get(f, "players");
	hl = team_entry(lus, home_id, 0);
	al = team_entry(lus, away_id, 1);
	if (hl == NULL || al == NULL || hl == al) {
		/* none, or one team's so far: not yet; two that are not the
		 * fixture's teams: wrong */
		bool some = cJSON_GetArraySize(lus) >= 2;
		snprintf(err, errlen, "%s",
			 some ? "line-ups are not of the fixture's two teams"
			      : "line-ups not published");
		rc = some ? -1 : 1;
		goto out;
	}
	if (parse_side(hl, team_entry(pls, home_id, 0), &out->home, "home", with_stats, &hs, err,
		       errlen) != 0 ||
	    parse_side(al, team_entry(pls, away_id, 1), &out->away, "away", with_stats, &as, err,
		       errlen) != 0) {
		match_lineups_free(out);
		goto out;
	}
	/* no confirmed flag: both sides with 11 in startXI count as official */
	out->confirmed = hs == 11 && as == 11;
	rc = 0;
out:
	cJSON_Delete(root);
	jarena_end();
	return rc;
}

/* ---- statistics ---------------------------------------------------------- */

/* API-Football's type -> Sofascore's key, name and group. */
static const struct {
	const char *type;
	const char *key;
	const char *name;
	const char *group;
} stat_map[] = {
	{ "Ball Possession", "ballPossession", "Ball possession", "Match overview" },
	{ "expected_goals", "expectedGoals", "Expected goals", "Match overview" },
	{ "Total Shots", "totalShotsOnGoal", "Total shots", "Match overview" },
	{ "Goalkeeper Saves", "goalkeeperSaves", "Goalkeeper saves", "Match overview" },
	{ "Corner Kicks", "cornerKicks", "Corner kicks", "Match overview" },
	{ "Fouls", "fouls", "Fouls", "Match overview" },
	{ "Total passes", "passes", "Passes", "Match overview" },
	{ "Yellow Cards", "yellowCards", "Yellow cards", "Match overview" },
	{ "Red Cards", "redCards", "Red cards", "Match overview" },
	{ "Shots on Goal", "shotsOnGoal", "Shots on target", "Shots" },
	{ "Shots off Goal", "shotsOffGoal", "Shots off target", "Shots" },
	{ "Blocked Shots", "blockedScoringAttempt", "Blocked shots", "Shots" },
	{ "Shots insidebox", "totalShotsInsideBox", "Shots inside box", "Shots" },
	{ "Shots outsidebox", "totalShotsOutsideBox", "Shots outside box", "Shots" },
	{ "Offsides", "offsides", "Offsides", "Attack" },
	{ "Passes accurate", "accuratePasses", "Accurate passes", "Passes" },
	{ "Passes %", "accuratePassesPercentage", "Accurate passes %", "Passes" },
	{ "goals_prevented", "goalsPrevented", "Goals prevented", "Goalkeeping" },
};

/* A type not in the table: its words in lowerCamelCase ("Big Chances" ->
 * bigChances), so it is kept under a stable key. */
static void camel_key(const char *type, char *buf, size_t n)
{
	size_t o = 0;
	bool up = false;

	for (const char *p = type; *p != '\0' && o + 1 < n; p++) {
		char c = *p;
		bool alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			     (c >= '0' && c <= '9');
		if (!alnum) {
			up = o > 0;
			continue;
		}
		if (c >= 'A' && c <= 'Z' && (o == 0 || !up))
			c = (char)(c - 'A' + 'a');
		else if (c >= 'a' && c <= 'z' && up)
			c = (char)(c - 'a' + 'A');
		buf[o++] = c;
		up = false;
	}
	buf[o] = '\0';
}

/* value: an integer, "47%", "2.73", or null (zero, or unknown).  The text
 * as displayed and the number; false when it is no number. */
static bool stat_value(const cJSON *v, char *disp, size_t n, double *out)
{
	char *end;
	double d;

	if (v == NULL || cJSON_IsNull(v)) {
		snprintf(disp, n, "0");
		*out = 0;
		return true;
	}
	if (cJSON_IsNumber(v) && isfinite(v->valuedouble)) {
		if (v->valuedouble == floor(v->valuedouble) && fabs(v->valuedouble) < 1e15)
			snprintf(disp, n, "%.0f", v->valuedouble);
		else
			snprintf(disp, n, "%g", v->valuedouble);
		*out = v->valuedouble;
		return true;
	}
	if (!cJSON_IsString(v) || v->valuestring == NULL) {
		disp[0] = '\0';
		return false;
	}
	adapter_copy(v->valuestring, disp, n);
	d = strtod(v->valuestring, &end);
	if (end == v->valuestring || !isfinite(d))
		return false;
	if (*end == '%')
		end++;
	if (*end != '\0')
		return false;
	*out = d;
	return true;
}

/* The value of type in one team's statistics list; NULL when absent. */
static const cJSON *stat_of(const cJSON *team, const char *type, bool *found)
{
	const cJSON *it;

	*found = false;
	cJSON_ArrayForEach (it, adapter_get(team, "statistics"))
		if (jstr_eq(it, "type", type)) {
			*found = true;
			return adapter_get(it, "value");
		}
	return NULL;
}

int af_parse_statistics(const char *body, size_t len, struct match_stat **out, size_t *n, char *err,
			size_t errlen)
{
	cJSON *root;
	const cJSON *f, *list, *home, *away, *it;
	struct match_stat *st = NULL;
	size_t cnt = 0, cap = 0;
	int64_t home_id, away_id;
	int rc = -1;

	*out = NULL;
	*n = 0;
	jarena_begin();
	rc = open_fixture(body, len, &root, &f, err, errlen);
	if (rc != 0)
		goto out;
	rc = -1;
	list = adapter_get(f, "statistics");
	if (!cJSON_IsArray(list)) {
		snprintf(err, errlen, "no \"statistics\" array");
		goto out;
	}
	team_ids(f, &home_id, &away_id);
	home = team_entry(list, home_id, 0);
	away = team_entry(list, away_id, 1);
	if (home != NULL && away != NULL && home != away) {
		/* the home side's types in its order, then any only the away side has */
		const cJSON *sides[2] = { home, away };
		cap = (size_t)cJSON_GetArraySize(adapter_get(home, "statistics")) +
		      (size_t)cJSON_GetArraySize(adapter_get(away, "statistics"));
		if (cap > 512)
			cap = 512;
		st = calloc(cap ? cap : 1, sizeof(*st));
		if (st == NULL) {
			snprintf(err, errlen, "out of memory");
			goto out;
		}
		for (int s = 0; s < 2; s++) {
			cJSON_ArrayForEach (it, adapter_get(sides[s], "statistics")) {
				struct match_stat x;
				char type[96];
				const cJSON *hv, *av;
				bool hf, af, hok, aok, dup = false;

				if (cnt >= cap || !adapter_str(it, "type", type, sizeof(type)) ||
				    type[0] == '\0')
					continue;
				memset(&x, 0, sizeof(x));
				snprintf(x.period, sizeof(x.period), "ALL");
				camel_key(type, x.key, sizeof(x.key));
				snprintf(x.name, sizeof(x.name), "%s", type);
				for (size_t k = 0; k < sizeof(stat_map) / sizeof(stat_map[0]); k++)
					if (strcasecmp(stat_map[k].type, type) == 0) {
						snprintf(x.key, sizeof(x.key), "%s",
							 stat_map[k].key);
						snprintf(x.name, sizeof(x.name), "%s",
							 stat_map[k].name);
						snprintf(x.group, sizeof(x.group), "%s",
							 stat_map[k].group);
						break;
					}
				if (x.key[0] == '\0')
					continue;
				for (size_t i = 0; i < cnt && !dup; i++)
					dup = strcmp(st[i].key, x.key) == 0;
				if (dup)
					continue;
				hv = stat_of(home, type, &hf);
				av = stat_of(away, type, &af);
				/* a side without the type has it unknown, not zero */
				hok = hf && stat_value(hv, x.home, sizeof(x.home), &x.home_value);
				aok = af && stat_value(av, x.away, sizeof(x.away), &x.away_value);
				x.has_values = hok && aok;
				if (!x.has_values)
					x.home_value = x.away_value = 0;
				st[cnt++] = x;
			}
		}
	} else if (cJSON_GetArraySize(list) > 0) {
		snprintf(err, errlen, "statistics without both teams");
		goto out;
	}
	*out = st;
	*n = cnt;
	st = NULL;
	rc = 0;
out:
	free(st);
	cJSON_Delete(root);
	jarena_end();
	if (rc == 0 && *out == NULL) {
		*out = calloc(1, sizeof(**out)); /* no statistics: an empty list, not NULL */
		if (*out == NULL) {
			snprintf(err, errlen, "out of memory");
			return -1;
		}
	}
	return rc;
}

/* ---- incidents ----------------------------------------------------------- */

static bool shootout_comment(const cJSON *e)
{
	const cJSON *c = adapter_get(e, "comments");

	return cJSON_IsString(c) && c->valuestring != NULL &&
	       strcmp(c->valuestring, "Penalty Shootout") == 0;
}

int af_parse_incidents(const char *body, size_t len, struct match_incident **out, size_t *n,
		       char *err, size_t errlen)
{
	cJSON *root;
	const cJSON *f, *list, *it;
	struct match_incident *inc = NULL;
	size_t cap, cnt = 0;
	int64_t home_id, away_id;
	int rc = -1, home = 0, away = 0, goals_home = -1, goals_away = -1;
	bool in_shootout;
	char stshort[8] = "";

	*out = NULL;
	*n = 0;
	jarena_begin();
	rc = open_fixture(body, len, &root, &f, err, errlen);
	if (rc != 0)
		goto out;
	rc = -1;
	list = adapter_get(f, "events");
	if (!cJSON_IsArray(list)) {
		snprintf(err, errlen, "no \"events\" array");
		goto out;
	}
	team_ids(f, &home_id, &away_id);
	adapter_str(adapter_get(adapter_get(f, "fixture"), "status"), "short", stshort,
		    sizeof(stshort));
	/* a fixture that went to (or is in) a shoot-out */
	in_shootout = strcmp(stshort, "PEN") == 0 || strcmp(stshort, "P") == 0;
	if (!pair(adapter_get(f, "goals"), &goals_home, &goals_away))
		goals_home = goals_away = -1;
	cap = (size_t)cJSON_GetArraySize(list);
	if (cap > 2000)
		cap = 2000;
	inc = calloc(cap ? cap : 1, sizeof(*inc));
	if (inc == NULL) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	cJSON_ArrayForEach (it, list) {
		struct match_incident *x;
		const cJSON *tm = adapter_get(it, "time"), *pl = adapter_get(it, "player"),
			    *as = adapter_get(it, "assist");
		char type[32], detail[64] = "";
		int64_t tid = 0;
		bool is_home, is_away;

		if (cnt >= cap)
			break;
		if (!adapter_str(it, "type", type, sizeof(type)) || type[0] == '\0')
			continue;
		x = &inc[cnt];
		memset(x, 0, sizeof(*x));
		adapter_str(it, "detail", detail, sizeof(detail));
		adapter_int32(tm, "elapsed", &x->minute);
		if (!adapter_int32(tm, "extra", &x->added_time) || x->added_time < 0 ||
		    x->added_time >= 999)
			x->added_time = 0;
		adapter_int(adapter_get(it, "team"), "id", 1, ID_MAX, &tid);
		is_home = tid != 0 && tid == home_id;
		is_away = tid != 0 && tid == away_id && !is_home;
		/* the event's team: for a goal the side credited (an own goal too) */
		if (is_home || is_away)
			snprintf(x->side, sizeof(x->side), "%s", is_home ? "home" : "away");
		adapter_str(pl, "name", x->player, sizeof(x->player));
		adapter_int(pl, "id", 0, ID_MAX, &x->player_id);
		adapter_str(as, "name", x->assist, sizeof(x->assist));

		if (strcasecmp(type, "Goal") == 0) {
			bool pen = strcasecmp(detail, "Penalty") == 0;
			bool missed = strcasecmp(detail, "Missed Penalty") == 0;
			bool kick = shootout_comment(it);
			/* without the comment: a penalty from the 120th minute on in a
			 * fixture decided by a shoot-out, once its side has all the goals
			 * that goals says it scored */
			if (!kick && in_shootout && (pen || missed) && x->minute >= 120 &&
			    goals_home >= 0 &&
			    (missed || (is_home && home >= goals_home) ||
			     (is_away && away >= goals_away)))
				kick = true;
			if (kick) {
				snprintf(x->type, sizeof(x->type), "penaltyShootout");
				snprintf(x->klass, sizeof(x->klass), "%s",
					 missed ? "missed" : "scored");
				x->added_time = 0; /* extra is a kick counter here, unreliable */
			} else if (missed) {
				snprintf(x->type, sizeof(x->type), "inGamePenalty");
				snprintf(x->klass, sizeof(x->klass), "missed");
			} else {
				snprintf(x->type, sizeof(x->type), "goal");
				snprintf(x->klass, sizeof(x->klass), "%s",
					 pen				       ? "penalty"
					 : strcasecmp(detail, "Own Goal") == 0 ? "ownGoal"
									       : "regular");
				if (is_home)
					home++;
				else if (is_away)
					away++;
				x->has_score = is_home || is_away;
				x->home_score = home;
				x->away_score = away;
			}
		} else if (strcasecmp(type, "Card") == 0) {
			snprintf(x->type, sizeof(x->type), "card");
			if (strcasecmp(detail, "Yellow Card") == 0) {
				snprintf(x->klass, sizeof(x->klass), "yellow");
			} else if (strcasecmp(detail, "Second Yellow card") == 0) {
				snprintf(x->klass, sizeof(x->klass), "yellowRed");
			} else if (strcasecmp(detail, "Red Card") == 0) { /* the spec: "Red card" */
				/* a second yellow: Yellow Card then Red Card, same player
				 * and minute */
				const struct match_incident *prev = cnt > 0 ? &inc[cnt - 1] : NULL;
				bool second = prev != NULL && strcmp(prev->type, "card") == 0 &&
					      strcmp(prev->klass, "yellow") == 0 &&
					      prev->minute == x->minute &&
					      prev->added_time == x->added_time &&
					      prev->player_id != 0 &&
					      prev->player_id == x->player_id;
				snprintf(x->klass, sizeof(x->klass), "%s",
					 second ? "yellowRed" : "red");
			} else {
				camel_key(detail, x->klass, sizeof(x->klass));
			}
		} else if (strcasecmp(type, "subst") == 0) {
			/* player goes off, assist comes on: the model's player is the one
			 * coming on, assist the one going off (as Sofascore's) */
			snprintf(x->type, sizeof(x->type), "substitution");
			x->player[0] = x->assist[0] = '\0';
			x->player_id = 0;
			adapter_str(as, "name", x->player, sizeof(x->player));
			adapter_int(as, "id", 0, ID_MAX, &x->player_id);
			adapter_str(pl, "name", x->assist, sizeof(x->assist));
		} else if (strcasecmp(type, "Var") == 0) {
			snprintf(x->type, sizeof(x->type), "varDecision");
			camel_key(detail, x->klass, sizeof(x->klass));
		} else {
			camel_key(type, x->type, sizeof(x->type));
			camel_key(detail, x->klass, sizeof(x->klass));
			if (x->type[0] == '\0')
				continue;
		}
		cnt++;
	}
	*out = inc;
	*n = cnt;
	inc = NULL;
	rc = 0;
out:
	free(inc);
	cJSON_Delete(root);
	jarena_end();
	return rc;
}

/* ---- standings ------------------------------------------------------------ */

int af_parse_standings(const char *body, size_t len, struct match_standing **out, size_t *n,
		       char *err, size_t errlen)
{
	cJSON *root;
	const cJSON *resp, *tables, *table, *r;
	struct match_standing *st = NULL;
	size_t cap = 0, cnt = 0;
	int ntables, ti = 0, rc = -1;

	*out = NULL;
	*n = 0;
	jarena_begin();
	root = adapter_parse_root(body, len, err, errlen);
	if (root == NULL)
		goto out;
	resp = response_of(root, err, errlen);
	if (resp == NULL)
		goto out;
	tables = adapter_get(adapter_get(cJSON_GetArrayItem(resp, 0), "league"), "standings");
	if (!cJSON_IsArray(tables) || !cJSON_IsArray(cJSON_GetArrayItem(tables, 0))) {
		snprintf(err, errlen, "no standings table");
		goto out;
	}
	ntables = cJSON_GetArraySize(tables);
	cJSON_ArrayForEach (table, tables)
		cap += (size_t)cJSON_GetArraySize(table);
	if (cap > 400)
		cap = 400;
	st = calloc(cap ? cap : 1, sizeof(*st));
	if (st == NULL) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	cJSON_ArrayForEach (table, tables) {
		ti++;
		if (!cJSON_IsArray(table))
			continue;
		cJSON_ArrayForEach (r, table) {
			struct match_standing *x;
			const cJSON *all = adapter_get(r, "all");
			if (cnt >= cap)
				break;
			x = &st[cnt];
			memset(x, 0, sizeof(*x));
			if (!adapter_int(adapter_get(r, "team"), "id", 1, ID_MAX, &x->team_id) ||
			    !adapter_str(adapter_get(r, "team"), "name", x->team,
					 sizeof(x->team)) ||
			    !adapter_int32(r, "rank", &x->position))
				continue;
			/* one table: no group name (its "group" is the league's name) */
			if (ntables > 1 && !adapter_str(r, "group", x->group, sizeof(x->group)))
				snprintf(x->group, sizeof(x->group), "table %d", ti);
			adapter_int32(all, "played", &x->played);
			adapter_int32(all, "win", &x->won);
			adapter_int32(all, "draw", &x->drawn);
			adapter_int32(all, "lose", &x->lost);
			adapter_int32(adapter_get(all, "goals"), "for", &x->goals_for);
			adapter_int32(adapter_get(all, "goals"), "against", &x->goals_against);
			adapter_int32(r, "points", &x->points);
			cnt++;
		}
	}
	*out = st;
	*n = cnt;
	st = NULL;
	rc = 0;
out:
	free(st);
	cJSON_Delete(root);
	jarena_end();
	return rc;
}

/* ---- requests -------------------------------------------------------------- */

static bool valid_date(const char *d)
{
	for (int i = 0; i < 10; i++) {
		bool dash = i == 4 || i == 7;
		if (dash ? d[i] != '-' : (d[i] < '0' || d[i] > '9'))
			return false;
	}
	return d[10] == '\0';
}

int af_path(const struct match_query *q, char *buf, size_t n)
{
	int w;

	switch (q->what) {
	case MATCH_REQ_SCHEDULE:
		if (!valid_date(q->date))
			return -1;
		if (q->competition <= 0) /* every league's fixtures that day */
			w = snprintf(buf, n, "/fixtures?date=%s", q->date);
		else if (q->season > 0)
			w = snprintf(buf, n, "/fixtures?date=%s&league=%" PRId64 "&season=%" PRId64,
				     q->date, q->competition, q->season);
		else /* league with date wants a season: "The Season field is required." */
			return -1;
		break;
	case MATCH_REQ_LIVE:
		w = snprintf(buf, n, "/fixtures?live=all");
		break;
	case MATCH_REQ_ROUND:
		/* round is a text ("Regular Season - 27"); the model's round number
		 * can name only a league's regular-season rounds (a cup's "Round of
		 * 16" has no number: not askable this way) */
		if (q->competition <= 0 || q->season <= 0 || q->round <= 0)
			return -1;
		w = snprintf(buf, n,
			     "/fixtures?league=%" PRId64 "&season=%" PRId64
			     "&round=Regular%%20Season%%20-%%20%d",
			     q->competition, q->season, q->round);
		break;
	case MATCH_REQ_EVENT:
	case MATCH_REQ_LINEUPS:
	case MATCH_REQ_STATISTICS:
	case MATCH_REQ_INCIDENTS:
		/* one answer embeds events, line-ups, statistics and players */
		if (q->event <= 0)
			return -1;
		w = snprintf(buf, n, "/fixtures?id=%" PRId64, q->event);
		break;
	case MATCH_REQ_STANDINGS:
		/* no round parameter: the table as it is now */
		if (q->competition <= 0 || q->season <= 0)
			return -1;
		w = snprintf(buf, n, "/standings?league=%" PRId64 "&season=%" PRId64,
			     q->competition, q->season);
		break;
	default:
		return -1;
	}
	return w < 0 || (size_t)w >= n ? -1 : 0;
}

int af_split_fixtures(const char *body, size_t len, const int64_t *ids, size_t n, char **out,
		      char *err, size_t errlen)
{
	static const char none[] = "{\"get\":\"fixtures\",\"errors\":[],\"results\":0,"
				   "\"response\":[]}";
	cJSON *root;
	const cJSON *resp, *f;
	int rc = -1;

	for (size_t i = 0; i < n; i++)
		out[i] = NULL;
	jarena_begin(); /* the tree dies here; the answers are copied out */
	root = adapter_parse_root(body, len, err, errlen);
	resp = root != NULL ? response_of(root, err, errlen) : NULL;
	if (resp == NULL)
		goto out;
	cJSON_ArrayForEach (f, resp) {
		int64_t id;
		if (!adapter_int(adapter_get(f, "fixture"), "id", 1, ID_MAX, &id))
			continue;
		for (size_t i = 0; i < n; i++) {
			if (ids[i] != id || out[i] != NULL)
				continue;
			cJSON *env = cJSON_CreateObject(), *arr;
			cJSON_AddStringToObject(env, "get", "fixtures");
			cJSON_AddArrayToObject(env, "errors");
			cJSON_AddNumberToObject(env, "results", 1);
			arr = cJSON_AddArrayToObject(env, "response");
			cJSON_AddItemReferenceToArray(arr, (cJSON *)f);
			out[i] = jarena_own(cJSON_PrintUnformatted(env));
			cJSON_Delete(env);
			if (out[i] == NULL)
				goto fail;
		}
	}
	for (size_t i = 0; i < n; i++)
		if (out[i] == NULL && (out[i] = strdup(none)) == NULL)
			goto fail;
	rc = 0;
	goto out;
fail:
	snprintf(err, errlen, "out of memory");
	for (size_t i = 0; i < n; i++) {
		free(out[i]);
		out[i] = NULL;
	}
out:
	cJSON_Delete(root);
	jarena_end();
	return rc;
}

int af_path_ids(const int64_t *ids, size_t nids, char *buf, size_t n)
{
	size_t o;
	int w;

	if (ids == NULL || nids == 0 || nids > AF_MAX_IDS || n == 0)
		return -1;
	w = snprintf(buf, n, "/fixtures?ids=");
	if (w < 0 || (size_t)w >= n)
		return -1;
	o = (size_t)w;
	for (size_t i = 0; i < nids; i++) {
		if (ids[i] <= 0)
			return -1;
		w = snprintf(buf + o, n - o, "%s%" PRId64, i ? "-" : "", ids[i]);
		if (w < 0 || (size_t)w >= n - o)
			return -1;
		o += (size_t)w;
	}
	return 0;
}

void af_crest_url(int64_t team_id, char *buf, size_t n)
{
	snprintf(buf, n, "https://media.api-sports.io/football/teams/%" PRId64 ".png", team_id);
}
