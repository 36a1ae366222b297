#include "sofascore.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../lib/clock.h"
#include "../lib/db.h"
#include "../lib/jarena.h"
#include "../lib/log.h"

#define TS_MIN 946684800LL /* 2000-01-01: older start times are absurd */
#define TS_MAX 4102444800LL /* 2100-01-01 */
#define BUDGET_MAX_WAIT 5.0 /* seconds a caller may sleep for its slot */

/* ---- JSON helpers ------------------------------------------------------ */

static const cJSON *jget(const cJSON *o, const char *key)
{
	return cJSON_IsObject(o) ? cJSON_GetObjectItemCaseSensitive(o, key) : NULL;
}

/* Copies a string member (cut to n-1 bytes).  false when absent/not a string. */
static bool jstr(const cJSON *o, const char *key, char *buf, size_t n)
{
	const cJSON *v = jget(o, key);

	size_t len;

	if (!cJSON_IsString(v) || v->valuestring == NULL)
		return false;
	len = strlen(v->valuestring);
	if (len >= n) {
		/* cut on a character boundary: PostgreSQL rejects broken UTF-8 */
		len = n - 1;
		while (len > 0 && ((unsigned char)v->valuestring[len] & 0xC0) == 0x80)
			len--;
	}
	memcpy(buf, v->valuestring, len);
	buf[len] = '\0';
	return true;
}

/* An integral number member within [lo, hi]. */
static bool jint(const cJSON *o, const char *key, int64_t lo, int64_t hi, int64_t *out)
{
	const cJSON *v = jget(o, key);

	if (!cJSON_IsNumber(v) || !isfinite(v->valuedouble) ||
	    v->valuedouble != floor(v->valuedouble) || v->valuedouble < (double)lo ||
	    v->valuedouble > (double)hi)
		return false;
	*out = (int64_t)v->valuedouble;
	return true;
}

static bool jint32(const cJSON *o, const char *key, int *out)
{
	int64_t v;

	if (!jint(o, key, -1000000, 1000000, &v))
		return false;
	*out = (int)v;
	return true;
}

static bool jtrue(const cJSON *o, const char *key)
{
	return cJSON_IsTrue(jget(o, key));
}

static cJSON *parse_root(const char *body, size_t len, char *err, size_t errlen)
{
	cJSON *root;

	if (body == NULL || len == 0) {
		snprintf(err, errlen, "empty body");
		return NULL;
	}
	root = cJSON_ParseWithLength(body, len);
	if (root == NULL) {
		const char *at = cJSON_GetErrorPtr();
		long off = (at != NULL && at >= body && at <= body + len) ? (long)(at - body) : -1;
		snprintf(err, errlen, "invalid JSON near byte %ld of %zu", off, len);
		return NULL;
	}
	if (!cJSON_IsObject(root)) {
		snprintf(err, errlen, "expected a JSON object");
		cJSON_Delete(root);
		return NULL;
	}
	return root;
}

/* ---- status ------------------------------------------------------------- */

static const char *const status_names[] = {
	"unknown", "notstarted", "inprogress", "finished", "postponed", "canceled",
	"interrupted", "suspended",
};

const char *sofa_status_name(enum sofa_status s)
{
	return (unsigned)s < sizeof(status_names) / sizeof(status_names[0]) ? status_names[s]
									     : "unknown";
}

enum sofa_status sofa_status_from(int code, const char *type)
{
	switch (code) {
	case 0:
		return SOFA_ST_NOTSTARTED;
	case 6: case 7: case 31: case 32: case 33: case 34: case 41: case 42: case 50:
		return SOFA_ST_INPROGRESS;
	case 60:
		return SOFA_ST_POSTPONED;
	case 70:
		return SOFA_ST_CANCELED;
	case 80:
		return SOFA_ST_INTERRUPTED;
	case 100: case 110: case 120:
		return SOFA_ST_FINISHED;
	default:
		break;
	}
	if (type != NULL) {
		/* "cancelled" is seen in some feeds */
		if (strcmp(type, "cancelled") == 0)
			return SOFA_ST_CANCELED;
		for (size_t i = 1; i < sizeof(status_names) / sizeof(status_names[0]); i++)
			if (strcmp(type, status_names[i]) == 0)
				return (enum sofa_status)i;
	}
	return SOFA_ST_UNKNOWN;
}

/* ---- events ------------------------------------------------------------- */

static int parse_team(const cJSON *t, struct sofa_team *out, const char *which, char *err,
		      size_t errlen)
{
	memset(out, 0, sizeof(*out));
	if (!jint(t, "id", 1, INT64_MAX / 2, &out->id) || !jstr(t, "name", out->name, sizeof(out->name))) {
		snprintf(err, errlen, "%s: missing id or name", which);
		return -1;
	}
	if (!jstr(t, "shortName", out->short_name, sizeof(out->short_name)))
		snprintf(out->short_name, sizeof(out->short_name), "%s", out->name);
	jstr(t, "nameCode", out->name_code, sizeof(out->name_code));
	jstr(t, "slug", out->slug, sizeof(out->slug));
	return 0;
}

/* homeScore/awayScore: {} before kick-off; display excludes a shoot-out. */
static bool parse_score(const cJSON *s, int *score, bool *has_pen, int *pen)
{
	int cur;

	if (jint32(s, "penalties", pen))
		*has_pen = true;
	if (jint32(s, "display", score))
		return true;
	if (jint32(s, "current", &cur)) {
		*score = *has_pen ? cur - *pen : cur;
		return true;
	}
	return false;
}

static int parse_event_obj(const cJSON *e, struct sofa_event *ev, char *err, size_t errlen)
{
	const cJSON *t, *ut, *st;
	int64_t v;
	bool hp = false, ap = false;

	memset(ev, 0, sizeof(*ev));
	if (!cJSON_IsObject(e)) {
		snprintf(err, errlen, "event is not an object");
		return -1;
	}
	if (!jint(e, "id", 1, INT64_MAX / 2, &ev->id)) {
		snprintf(err, errlen, "event without a valid id");
		return -1;
	}
	t = jget(e, "tournament");
	ut = jget(t, "uniqueTournament");
	if (jint(ut, "id", 1, INT64_MAX / 2, &v))
		ev->unique_tournament_id = v;
	if (!jstr(ut, "name", ev->tournament_name, sizeof(ev->tournament_name)))
		jstr(t, "name", ev->tournament_name, sizeof(ev->tournament_name));
	jstr(ut, "slug", ev->tournament_slug, sizeof(ev->tournament_slug));
	jstr(jget(t, "category"), "name", ev->category, sizeof(ev->category));
	if (jint(jget(e, "season"), "id", 1, INT64_MAX / 2, &v))
		ev->season_id = v;
	jstr(jget(e, "season"), "name", ev->season_name, sizeof(ev->season_name));
	jint32(jget(e, "roundInfo"), "round", &ev->round);
	if (ev->round < 0)
		ev->round = 0;
	jstr(jget(e, "roundInfo"), "name", ev->round_name, sizeof(ev->round_name));
	if (parse_team(jget(e, "homeTeam"), &ev->home, "homeTeam", err, errlen) != 0 ||
	    parse_team(jget(e, "awayTeam"), &ev->away, "awayTeam", err, errlen) != 0) {
		char tmp[200];
		snprintf(tmp, sizeof(tmp), "event %" PRId64 ": %s", ev->id, err);
		snprintf(err, errlen, "%s", tmp);
		return -1;
	}
	if (!jint(e, "startTimestamp", TS_MIN, TS_MAX, &ev->start_ts)) {
		snprintf(err, errlen, "event %" PRId64 ": missing or absurd startTimestamp", ev->id);
		return -1;
	}
	st = jget(e, "status");
	bool has_code = jint32(st, "code", &ev->status_code);
	bool has_type = jstr(st, "type", ev->status_type, sizeof(ev->status_type));
	if (!has_code && !has_type) {
		snprintf(err, errlen, "event %" PRId64 ": no status", ev->id);
		return -1;
	}
	if (!has_code)
		ev->status_code = -1;
	jstr(st, "description", ev->status_desc, sizeof(ev->status_desc));
	ev->status = sofa_status_from(has_code ? ev->status_code : -1,
				      has_type ? ev->status_type : NULL);
	if (!has_type)
		snprintf(ev->status_type, sizeof(ev->status_type), "%s", sofa_status_name(ev->status));
	bool hs = parse_score(jget(e, "homeScore"), &ev->home_score, &hp, &ev->home_penalties);
	bool as = parse_score(jget(e, "awayScore"), &ev->away_score, &ap, &ev->away_penalties);
	ev->has_score = hs && as;
	ev->has_penalties = hp && ap;
	if (!jint32(e, "winnerCode", &ev->winner_code))
		ev->winner_code = 0;
	if (!jstr(jget(e, "venue"), "name", ev->venue, sizeof(ev->venue)))
		jstr(jget(jget(e, "venue"), "stadium"), "name", ev->venue, sizeof(ev->venue));
	if (jint(jget(e, "changes"), "changeTimestamp", 0, TS_MAX, &v))
		ev->changed_ts = v;
	return 0;
}

int sofa_parse_events(const char *body, size_t len, struct sofa_event **out, size_t *n,
		      size_t *skipped, char *err, size_t errlen)
{
	cJSON *root = parse_root(body, len, err, errlen);
	const cJSON *list, *e;
	struct sofa_event *evs = NULL;
	size_t cnt = 0, cap;
	char why[256];

	*out = NULL;
	*n = 0;
	*skipped = 0;
	if (root == NULL)
		return -1;
	list = jget(root, "events");
	if (!cJSON_IsArray(list)) {
		snprintf(err, errlen, "no \"events\" array");
		cJSON_Delete(root);
		return -1;
	}
	cap = (size_t)cJSON_GetArraySize(list);
	if (cap > SOFA_MAX_EVENTS)
		cap = SOFA_MAX_EVENTS;
	evs = calloc(cap ? cap : 1, sizeof(*evs));
	if (evs == NULL) {
		cJSON_Delete(root);
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	err[0] = '\0';
	cJSON_ArrayForEach(e, list) {
		if (cnt >= cap) {
			(*skipped)++;
			continue;
		}
		if (parse_event_obj(e, &evs[cnt], why, sizeof(why)) != 0) {
			if ((*skipped)++ == 0)
				snprintf(err, errlen, "%s", why);
			continue;
		}
		cnt++;
	}
	cJSON_Delete(root);
	*out = evs;
	*n = cnt;
	return 0;
}

int sofa_parse_event(const char *body, size_t len, struct sofa_event *out, char *err,
		     size_t errlen)
{
	cJSON *root = parse_root(body, len, err, errlen);
	int rc;

	if (root == NULL)
		return -1;
	if (!cJSON_IsObject(jget(root, "event"))) {
		snprintf(err, errlen, "no \"event\" object");
		cJSON_Delete(root);
		return -1;
	}
	rc = parse_event_obj(jget(root, "event"), out, err, errlen);
	cJSON_Delete(root);
	return rc;
}

/* ---- line-ups ------------------------------------------------------------ */

static const char *missing_reason(const cJSON *m, char *buf, size_t n)
{
	int code;

	if (jstr(m, "description", buf, n) && buf[0] != '\0')
		return buf;
	/* reason codes seen: 1 injury, 3 suspension, 0/other: other */
	if (jint32(m, "reason", &code))
		snprintf(buf, n, "%s", code == 1 ? "injured" : code == 3 ? "suspended" : "other");
	else
		snprintf(buf, n, "%s", "unknown");
	return buf;
}

static int parse_side(const cJSON *s, struct sofa_side *out, const char *which, bool with_stats,
		      char *err, size_t errlen)
{
	const cJSON *players = jget(s, "players"), *p, *missing = jget(s, "missingPlayers");
	size_t cap;

	memset(out, 0, sizeof(*out));
	if (!cJSON_IsObject(s) || !cJSON_IsArray(players)) {
		snprintf(err, errlen, "%s: no players array", which);
		return -1;
	}
	jstr(s, "formation", out->formation, sizeof(out->formation));
	cap = (size_t)cJSON_GetArraySize(players);
	if (cap > SOFA_MAX_PLAYERS)
		cap = SOFA_MAX_PLAYERS;
	out->players = calloc(cap ? cap : 1, sizeof(*out->players));
	if (out->players == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	cJSON_ArrayForEach(p, players) {
		const cJSON *pl = jget(p, "player"), *stats = jget(p, "statistics");
		struct sofa_player *x;
		int64_t shirt;
		char jersey[16];

		if (out->nplayers >= cap || !cJSON_IsObject(pl))
			continue; /* trimmed markers, junk */
		x = &out->players[out->nplayers];
		memset(x, 0, sizeof(*x));
		if (!jint(pl, "id", 1, INT64_MAX / 2, &x->id) ||
		    !jstr(pl, "name", x->name, sizeof(x->name)))
			continue;
		if (!jstr(pl, "shortName", x->short_name, sizeof(x->short_name)))
			snprintf(x->short_name, sizeof(x->short_name), "%s", x->name);
		/* the position of this match first, the player's usual one else */
		if (!jstr(p, "position", x->position, sizeof(x->position)))
			jstr(pl, "position", x->position, sizeof(x->position));
		/* shirtNumber is the number worn in this match; never player.jerseyNumber */
		if (jint(p, "shirtNumber", 0, 999, &shirt))
			x->shirt = (int)shirt;
		else if (jstr(p, "jerseyNumber", jersey, sizeof(jersey)))
			x->shirt = (int)strtol(jersey, NULL, 10);
		x->substitute = jtrue(p, "substitute");
		x->captain = jtrue(p, "captain");
		x->minutes = -1;
		if (cJSON_IsObject(stats)) {
			const cJSON *r = jget(stats, "rating");
			if (cJSON_IsNumber(r) && isfinite(r->valuedouble) && r->valuedouble > 0 &&
			    r->valuedouble <= 10) {
				x->has_rating = true;
				x->rating = r->valuedouble;
			}
			jint32(stats, "minutesPlayed", &x->minutes);
			if (with_stats) /* outlives the tree: out of the arena */
				x->stats_json = jarena_own(cJSON_PrintUnformatted(stats));
		}
		out->nplayers++;
	}
	if (cJSON_IsArray(missing)) {
		size_t mcap = (size_t)cJSON_GetArraySize(missing);
		const cJSON *m;
		char why[32];
		if (mcap > SOFA_MAX_PLAYERS)
			mcap = SOFA_MAX_PLAYERS;
		out->missing = calloc(mcap ? mcap : 1, sizeof(*out->missing));
		if (out->missing == NULL) {
			snprintf(err, errlen, "out of memory");
			return -1;
		}
		cJSON_ArrayForEach(m, missing) {
			struct sofa_missing *x;
			if (out->nmissing >= mcap)
				break;
			x = &out->missing[out->nmissing];
			if (!jstr(jget(m, "player"), "name", x->name, sizeof(x->name)))
				continue;
			jint(jget(m, "player"), "id", 1, INT64_MAX / 2, &x->id);
			missing_reason(m, x->reason, sizeof(x->reason));
			if (jstr(m, "type", why, sizeof(why)) && strcmp(why, "doubtful") == 0) {
				/* not ruled out: say so rather than list them as missing */
				char tmp[SOFA_MAX_STR];
				snprintf(tmp, sizeof(tmp), "doubtful: %.140s", x->reason);
				snprintf(x->reason, sizeof(x->reason), "%s", tmp);
			}
			out->nmissing++;
		}
	}
	return 0;
}

static void side_free(struct sofa_side *s)
{
	for (size_t i = 0; i < s->nplayers; i++)
		free(s->players[i].stats_json);
	free(s->players);
	free(s->missing);
	memset(s, 0, sizeof(*s));
}

void sofa_lineups_free(struct sofa_lineups *l)
{
	side_free(&l->home);
	side_free(&l->away);
}

int sofa_parse_lineups(const char *body, size_t len, struct sofa_lineups *out, bool with_stats,
		       char *err, size_t errlen)
{
	cJSON *root;
	int rc = -1;

	memset(out, 0, sizeof(*out));
	jarena_begin(); /* the tree dies here; what is kept is copied out */
	root = parse_root(body, len, err, errlen);
	if (root == NULL) {
		jarena_end();
		return -1;
	}
	out->confirmed = jtrue(root, "confirmed");
	if (parse_side(jget(root, "home"), &out->home, "home", with_stats, err, errlen) != 0 ||
	    parse_side(jget(root, "away"), &out->away, "away", with_stats, err, errlen) != 0) {
		sofa_lineups_free(out);
		goto out;
	}
	rc = 0;
out:
	cJSON_Delete(root);
	jarena_end();
	return rc;
}

/* ---- statistics ---------------------------------------------------------- */

static bool number_of(const cJSON *v, double *out)
{
	if (!cJSON_IsNumber(v) || !isfinite(v->valuedouble))
		return false;
	*out = v->valuedouble;
	return true;
}

int sofa_parse_statistics(const char *body, size_t len, struct sofa_stat **out, size_t *n,
			  char *err, size_t errlen)
{
	cJSON *root = parse_root(body, len, err, errlen);
	const cJSON *periods, *per, *grp, *it;
	struct sofa_stat *st = NULL;
	size_t cnt = 0, cap = 0;

	*out = NULL;
	*n = 0;
	if (root == NULL)
		return -1;
	periods = jget(root, "statistics");
	if (!cJSON_IsArray(periods)) {
		snprintf(err, errlen, "no \"statistics\" array");
		cJSON_Delete(root);
		return -1;
	}
	cJSON_ArrayForEach(per, periods) {
		char period[8];
		if (!jstr(per, "period", period, sizeof(period)))
			continue;
		cJSON_ArrayForEach(grp, jget(per, "groups")) {
			char group[96] = "";
			jstr(grp, "groupName", group, sizeof(group));
			cJSON_ArrayForEach(it, jget(grp, "statisticsItems")) {
				struct sofa_stat s;
				bool dup = false;

				memset(&s, 0, sizeof(s));
				if (!jstr(it, "key", s.key, sizeof(s.key)))
					continue;
				for (size_t i = 0; i < cnt && !dup; i++)
					dup = strcmp(st[i].key, s.key) == 0 &&
					      strcmp(st[i].period, period) == 0;
				if (dup)
					continue;
				snprintf(s.period, sizeof(s.period), "%s", period);
				snprintf(s.group, sizeof(s.group), "%s", group);
				jstr(it, "name", s.name, sizeof(s.name));
				jstr(it, "home", s.home, sizeof(s.home));
				jstr(it, "away", s.away, sizeof(s.away));
				s.has_values = number_of(jget(it, "homeValue"), &s.home_value) &&
					       number_of(jget(it, "awayValue"), &s.away_value);
				if (cnt == cap) {
					size_t ncap = cap ? cap * 2 : 64;
					struct sofa_stat *ns;
					if (ncap > 4096)
						break;
					ns = realloc(st, ncap * sizeof(*ns));
					if (ns == NULL)
						break;
					st = ns;
					cap = ncap;
				}
				st[cnt++] = s;
			}
		}
	}
	cJSON_Delete(root);
	*out = st;
	*n = cnt;
	return 0;
}

/* ---- incidents ----------------------------------------------------------- */

int sofa_parse_incidents(const char *body, size_t len, struct sofa_incident **out, size_t *n,
			 char *err, size_t errlen)
{
	cJSON *root = parse_root(body, len, err, errlen);
	const cJSON *list, *it;
	struct sofa_incident *inc;
	size_t cap, cnt = 0;
	int prev_home = 0, prev_away = 0;

	*out = NULL;
	*n = 0;
	if (root == NULL)
		return -1;
	list = jget(root, "incidents");
	if (!cJSON_IsArray(list)) {
		snprintf(err, errlen, "no \"incidents\" array");
		cJSON_Delete(root);
		return -1;
	}
	cap = (size_t)cJSON_GetArraySize(list);
	if (cap > 2000)
		cap = 2000;
	inc = calloc(cap ? cap : 1, sizeof(*inc));
	if (inc == NULL) {
		cJSON_Delete(root);
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	cJSON_ArrayForEach(it, list) {
		struct sofa_incident *x;
		const cJSON *who;
		if (cnt >= cap)
			break;
		x = &inc[cnt];
		memset(x, 0, sizeof(*x));
		if (!jstr(it, "incidentType", x->type, sizeof(x->type)))
			continue;
		jstr(it, "incidentClass", x->klass, sizeof(x->klass));
		jint(it, "id", 0, INT64_MAX / 2, &x->id);
		jint32(it, "time", &x->minute);
		if (!jint32(it, "addedTime", &x->added_time) || x->added_time >= 999)
			x->added_time = 0;
		who = jget(it, "player");
		if (strcmp(x->type, "substitution") == 0) {
			who = jget(it, "playerIn");
			jstr(jget(it, "playerOut"), "name", x->assist, sizeof(x->assist));
		} else {
			jstr(jget(it, "assist1"), "name", x->assist, sizeof(x->assist));
		}
		if (!jstr(who, "name", x->player, sizeof(x->player)))
			jstr(it, "playerName", x->player, sizeof(x->player));
		jint(who, "id", 0, INT64_MAX / 2, &x->player_id);
		if (cJSON_IsBool(jget(it, "isHome")))
			snprintf(x->side, sizeof(x->side), "%s", jtrue(it, "isHome") ? "home" : "away");
		x->has_score = jint32(it, "homeScore", &x->home_score) &&
			       jint32(it, "awayScore", &x->away_score);
		cnt++;
	}
	/* The side of a goal is the side whose score went up: walk oldest first
	 * (Sofascore lists newest first), which also credits own goals right. */
	for (size_t i = cnt; i-- > 0;) {
		struct sofa_incident *x = &inc[i];
		if (strcmp(x->type, "goal") != 0 || !x->has_score)
			continue;
		if (x->home_score > prev_home && x->away_score == prev_away)
			snprintf(x->side, sizeof(x->side), "home");
		else if (x->away_score > prev_away && x->home_score == prev_home)
			snprintf(x->side, sizeof(x->side), "away");
		prev_home = x->home_score;
		prev_away = x->away_score;
	}
	cJSON_Delete(root);
	*out = inc;
	*n = cnt;
	return 0;
}

/* ---- standings ------------------------------------------------------------ */

int sofa_parse_standings(const char *body, size_t len, struct sofa_standing **out, size_t *n,
			 char *err, size_t errlen)
{
	cJSON *root = parse_root(body, len, err, errlen);
	const cJSON *tables, *table, *r;
	struct sofa_standing *st;
	size_t cap = 0, cnt = 0;
	int ntables;

	*out = NULL;
	*n = 0;
	if (root == NULL)
		return -1;
	tables = jget(root, "standings");
	if (!cJSON_IsArray(tables) || !cJSON_IsArray(jget(cJSON_GetArrayItem(tables, 0), "rows"))) {
		snprintf(err, errlen, "no standings table");
		cJSON_Delete(root);
		return -1;
	}
	ntables = cJSON_GetArraySize(tables);
	cJSON_ArrayForEach(table, tables)
		cap += (size_t)cJSON_GetArraySize(jget(table, "rows"));
	if (cap > 400)
		cap = 400;
	st = calloc(cap ? cap : 1, sizeof(*st));
	if (st == NULL) {
		cJSON_Delete(root);
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	cJSON_ArrayForEach(table, tables) {
		char group[SOFA_MAX_STR] = "";
		if (ntables > 1 && !jstr(table, "name", group, sizeof(group)))
			snprintf(group, sizeof(group), "table %zu", cnt);
		cJSON_ArrayForEach(r, jget(table, "rows")) {
			struct sofa_standing *x;
			if (cnt >= cap)
				break;
			x = &st[cnt];
			memset(x, 0, sizeof(*x));
			if (!jint(jget(r, "team"), "id", 1, INT64_MAX / 2, &x->team_id) ||
			    !jstr(jget(r, "team"), "name", x->team, sizeof(x->team)) ||
			    !jint32(r, "position", &x->position))
				continue;
			snprintf(x->group, sizeof(x->group), "%s", group);
			jint32(r, "matches", &x->played);
			jint32(r, "wins", &x->won);
			jint32(r, "draws", &x->drawn);
			jint32(r, "losses", &x->lost);
			jint32(r, "scoresFor", &x->goals_for);
			jint32(r, "scoresAgainst", &x->goals_against);
			jint32(r, "points", &x->points);
			cnt++;
		}
	}
	cJSON_Delete(root);
	*out = st;
	*n = cnt;
	return 0;
}

/* ---- client -------------------------------------------------------------- */

int sofa_client_init(struct sofa_client *s, const struct bf_config *cfg, const char *db_url)
{
	memset(s, 0, sizeof(*s));
	s->cfg = cfg;
	if (http_client_new(&s->http) != 0)
		return -1;
	if (db_url != NULL && db_connect(&s->db, db_url, 5, NULL) != 0) {
		http_client_free(s->http);
		s->http = NULL;
		return -1;
	}
	/* budget, breaker and ETags: nothing here is worth waiting for a flush */
	if (s->db != NULL &&
	    db_cmd(s->db, "async session", "SET synchronous_commit TO off", 0, NULL) != 0)
		log_warn("sofascore client: cannot turn off synchronous commits");
	return 0;
}

void sofa_client_free(struct sofa_client *s)
{
	sofa_prefetch_end(s);
	free(s->fly);
	http_client_free(s->http);
	if (s->db != NULL)
		PQfinish(s->db);
	memset(s, 0, sizeof(*s));
}

void sofa_resp_free(struct sofa_resp *r)
{
	free(r->body);
	r->body = NULL;
	r->len = 0;
}

static bool db_ok(struct sofa_client *s)
{
	if (s->db == NULL)
		return false;
	if (PQstatus(s->db) != CONNECTION_OK && db_reconnect(s->db) != 0)
		return false;
	return true;
}

long sofa_breaker_remaining(struct sofa_client *s)
{
	int64_t now = (int64_t)time(NULL);

	if (db_ok(s) && clock_mono_ms() - s->breaker_checked_ms >= 1000) {
		PGresult *r = db_exec(s->db, "breaker check",
				      "SELECT COALESCE(EXTRACT(EPOCH FROM open_until)::bigint, 0) "
				      "FROM sofascore_breaker WHERE id = 1",
				      0, NULL);
		if (r != NULL && PQntuples(r) == 1) {
			int64_t shared = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
			/* an operator may close it early (open_until = NULL) */
			s->breaker_open_until = shared;
		}
		PQclear(r);
		s->breaker_checked_ms = clock_mono_ms();
	}
	return s->breaker_open_until > now ? (long)(s->breaker_open_until - now) : 0;
}

static void breaker_open(struct sofa_client *s, const char *url)
{
	char secs[32];
	const char *p[2] = { secs, log_prog() };
	bool opened_here = true;

	snprintf(secs, sizeof(secs), "%d", s->cfg->sofa_challenge_pause);
	if (db_ok(s)) {
		PGresult *r = db_exec(s->db, "breaker open",
				      "UPDATE sofascore_breaker SET open_until = now() + make_interval(secs => $1::int),"
				      " reason = 'challenge', opened_at = now(), opened_by = $2"
				      " WHERE id = 1 AND (open_until IS NULL OR open_until <= now())"
				      " RETURNING 1",
				      2, p);
		opened_here = r != NULL && PQntuples(r) == 1;
		/* re-read the shared row soon, but only once it was written: a
		 * failed write must not close the breaker we hold locally */
		if (r != NULL)
			s->breaker_checked_ms = 0;
		PQclear(r);
	}
	s->breaker_open_until = (int64_t)time(NULL) + s->cfg->sofa_challenge_pause;
	if (opened_here)
		log_err("sofascore refused access (403 challenge) url=%s: circuit breaker open, no "
			"Sofascore calls for %ds; sofascore.base_url must point at an access you are "
			"entitled to; we never try to get around the challenge",
			url, s->cfg->sofa_challenge_pause);
}

/* Takes a slot of the shared budget; sleeps until it comes.  -1 = none soon. */
/* The cached answer in a result row: its ETag and body (binary result
 * columns col and col + 1). */
static void cache_take(PGresult *r, int row, int col, char *etag, size_t n, char **body,
		       size_t *len)
{
	size_t blen;

	if (PQgetisnull(r, row, col) || PQgetisnull(r, row, col + 1))
		return;
	blen = (size_t)PQgetlength(r, row, col + 1);
	*body = malloc(blen + 1);
	if (*body == NULL)
		return;
	memcpy(*body, PQgetvalue(r, row, col + 1), blen);
	(*body)[blen] = '\0';
	*len = blen;
	snprintf(etag, n, "%.*s", PQgetlength(r, row, col), PQgetvalue(r, row, col));
}

/*
 * Takes n slots of the shared request budget and, in the same statement,
 * reads the cached answers of urls (a JSON array of strings).  A
 * reservation token bucket of burst 1: tokens below zero are the queue of
 * callers ahead; each sleeps until its own slot.  Rows: the tokens left
 * (text), then url, etag, body of each cached URL (binary; one row with
 * NULLs when none is cached).  NULL on error (logged).
 */
static PGresult *budget_reserve(struct sofa_client *s, const char *urls, size_t n)
{
	char rps[32], nbuf[32];
	const char *p[3] = { rps, urls, nbuf };
	PGresult *r;

	snprintf(rps, sizeof(rps), "%.6f", s->cfg->sofa_max_rps);
	snprintf(nbuf, sizeof(nbuf), "%zu", n);
	r = PQexecParams(s->db,
			 "WITH b AS (UPDATE sofascore_budget SET tokens = LEAST(1.0, tokens + "
			 "EXTRACT(EPOCH FROM (clock_timestamp() - updated_at)) * $1::float8) - $3::float8,"
			 " updated_at = clock_timestamp() WHERE id = 1 RETURNING tokens)"
			 " SELECT b.tokens::text, c.url, c.etag, c.body FROM b"
			 " LEFT JOIN http_cache c ON c.url IN (SELECT jsonb_array_elements_text($2::jsonb))",
			 3, NULL, p, NULL, NULL, 1 /* binary: body as bytes */);
	if (PQresultStatus(r) != PGRES_TUPLES_OK || PQntuples(r) < 1) {
		char msg[300];
		snprintf(msg, sizeof(msg), "%s", PQresultErrorMessage(r));
		msg[strcspn(msg, "\n")] = '\0';
		log_err("database query failed query=budget take error=\"%s\"", msg);
		PQclear(r);
		return NULL;
	}
	return r;
}

/* Gives n unused slots back to the budget. */
static void budget_give_back(struct sofa_client *s, size_t n)
{
	char nbuf[32];
	const char *p[1] = { nbuf };

	snprintf(nbuf, sizeof(nbuf), "%zu", n);
	if (db_cmd(s->db, "budget give back",
		   "UPDATE sofascore_budget SET tokens = LEAST(1.0, tokens + $1::float8) WHERE id = 1",
		   1, p) != 0)
		log_warn("unused request slots not given back n=%zu", n);
}

/*
 * Takes a slot of the shared request budget (sleeping until it comes)
 * and, in the same round trip, reads the cached answer of url (ETag and
 * body, for If-None-Match).  0, or -1 when the wait would be too long.
 */
static int budget_take(struct sofa_client *s, const char *url, char *etag, size_t n, char **body,
		       size_t *len)
{
	double rps = s->cfg->sofa_max_rps, tokens, wait;
	cJSON *a;
	char *urls;
	PGresult *r;

	etag[0] = '\0';
	*body = NULL;
	*len = 0;
	if (!db_ok(s)) {
		int64_t gap = (int64_t)(1000.0 / rps), now = clock_mono_ms();
		if (s->last_request_ms != 0 && now - s->last_request_ms < gap)
			clock_sleep_ms(gap - (now - s->last_request_ms));
		s->last_request_ms = clock_mono_ms();
		return 0;
	}
	a = cJSON_CreateArray();
	cJSON_AddItemToArray(a, cJSON_CreateString(url));
	urls = cJSON_PrintUnformatted(a);
	cJSON_Delete(a);
	r = urls != NULL ? budget_reserve(s, urls, 1) : NULL;
	free(urls);
	if (r == NULL)
		return -1;
	tokens = strtod(PQgetvalue(r, 0, 0), NULL);
	wait = tokens < 0 ? -tokens / rps : 0;
	if (wait > BUDGET_MAX_WAIT) {
		PQclear(r);
		budget_give_back(s, 1);
		return -1;
	}
	cache_take(r, 0, 2, etag, n, body, len);
	PQclear(r);
	clock_sleep_ms((int64_t)(wait * 1000.0));
	return 0;
}

static bool is_challenge(const char *body, size_t len)
{
	cJSON *root = cJSON_ParseWithLength(body, len);
	const cJSON *reason = jget(jget(root, "error"), "reason");
	bool yes = cJSON_IsString(reason) && strcmp(reason->valuestring, "challenge") == 0;

	cJSON_Delete(root);
	return yes;
}

static void cache_store(struct sofa_client *s, const char *url, const char *etag,
			const char *body, size_t len)
{
	const char *p[3] = { url, etag, body };
	int lens[3] = { 0, 0, (int)len };
	int fmts[3] = { 0, 0, 1 };
	PGresult *r;

	if (!db_ok(s) || etag[0] == '\0' || len > 4u * 1024 * 1024)
		return;
	r = PQexecParams(s->db,
			 "INSERT INTO http_cache (url, etag, body, fetched_at) VALUES ($1, $2, $3, now())"
			 " ON CONFLICT (url) DO UPDATE SET etag = EXCLUDED.etag, body = EXCLUDED.body,"
			 " fetched_at = now()",
			 3, NULL, p, lens, fmts, 0);
	if (PQresultStatus(r) != PGRES_COMMAND_OK)
		log_warn("http cache store failed url=%s", url);
	PQclear(r);
}

#define BACKOFF_FIRST_MS 2000
#define BACKOFF_MAX_MS (10 * 60 * 1000)

/* Exponential backoff with jitter after 429, 5xx and transport errors. */
static void backoff_update(struct sofa_client *s, const struct sofa_resp *r)
{
	int64_t wait;

	if (r->result != SOFA_TRANSIENT) {
		if (s->backoff_ms != 0)
			log_info("sofascore answering again: backoff over");
		s->backoff_ms = 0;
		return;
	}
	s->backoff_ms = s->backoff_ms == 0 ? BACKOFF_FIRST_MS
			: (s->backoff_ms * 2 > BACKOFF_MAX_MS ? BACKOFF_MAX_MS : s->backoff_ms * 2);
	/* 50..150% of the step, and never less than Retry-After */
	wait = s->backoff_ms / 2 + (int64_t)(random() % (s->backoff_ms + 1));
	if (r->retry_after > 0 && r->retry_after * 1000 > wait)
		wait = r->retry_after * 1000;
	s->backoff_until_ms = clock_mono_ms() + wait;
	log_warn("sofascore backing off ms=%" PRId64 " after status=%ld error=\"%s\"", wait, r->status,
		 r->error);
}

static void pre_free(struct sofa_client *s)
{
	for (size_t i = 0; i < s->npre; i++) {
		free(s->pre[i].url);
		free(s->pre[i].body);
		sofa_resp_free(&s->pre[i].resp);
	}
	free(s->pre);
	s->pre = NULL;
	s->npre = s->pre_used = 0;
}

/* When slot i of the reservation is free (CLOCK_MONOTONIC ms): once the
 * bucket has refilled to i + 1 - n below where the reservation left it. */
static int64_t pre_slot_ms(const struct sofa_client *s, size_t i)
{
	double at = ((double)i + 1.0 - (double)s->npre - s->pre_tokens) / s->cfg->sofa_max_rps;

	return s->pre_at_ms + (at > 0 ? (int64_t)(at * 1000.0) : 0);
}

/* What an answer (or a transport error) means; frees hr and cached. */
static enum sofa_result sofa_finish(struct sofa_client *s, const char *url, int rc,
				    struct http_response *hr, char *cached, size_t cached_len,
				    struct sofa_resp *r)
{
	memset(r, 0, sizeof(*r));
	r->retry_after = -1;
	if (rc != 0) {
		snprintf(r->error, sizeof(r->error), "%s", hr->error);
		r->result = strstr(hr->error, "larger than") ? SOFA_FAILED : SOFA_TRANSIENT;
		goto out;
	}
	r->status = hr->status;
	r->retry_after = hr->retry_after;
	switch (hr->status) {
	case 200:
		if (hr->etag[0] != '\0')
			cache_store(s, url, hr->etag, hr->body, hr->len);
		r->body = hr->body;
		r->len = hr->len;
		hr->body = NULL;
		r->result = SOFA_OK;
		break;
	case 304:
		s->not_modified++;
		r->body = cached;
		r->len = cached_len;
		cached = NULL;
		r->result = SOFA_NOT_MODIFIED;
		break;
	case 404:
		snprintf(r->error, sizeof(r->error), "404 not found");
		r->result = SOFA_NOT_FOUND;
		break;
	case 403:
		if (is_challenge(hr->body, hr->len)) {
			breaker_open(s, url);
			snprintf(r->error, sizeof(r->error), "403 challenge: Sofascore refused access");
			r->retry_after = s->cfg->sofa_challenge_pause;
			r->result = SOFA_CHALLENGE;
		} else {
			snprintf(r->error, sizeof(r->error), "403 forbidden");
			r->result = SOFA_TRANSIENT;
		}
		break;
	case 429:
		snprintf(r->error, sizeof(r->error), "429 too many requests");
		r->result = SOFA_TRANSIENT;
		break;
	default:
		snprintf(r->error, sizeof(r->error), "HTTP %ld", hr->status);
		r->result = hr->status >= 500 ? SOFA_TRANSIENT : SOFA_FAILED;
		break;
	}
out:
	if (s->backoff)
		backoff_update(s, r);
	free(cached);
	http_response_free(hr);
	return r->result;
}

static void sofa_request(const struct sofa_client *s, const char *url, const char *etag,
			 struct http_request *req)
{
	memset(req, 0, sizeof(*req));
	req->url = url;
	req->if_none_match = etag[0] ? etag : NULL;
	req->timeout_ms = (long)s->cfg->sofa_timeout * 1000;
	req->max_body = (size_t)s->cfg->sofa_max_body;
}

/* Requests from..to-1 of the reservation in flight (pre_fetch_start). */
struct sofa_fly {
	size_t from, n;
	bool pending;
	struct http_request req[HTTP_MANY_MAX];
	struct http_response resp[HTTP_MANY_MAX];
	int64_t at[HTTP_MANY_MAX];
	int rc[HTTP_MANY_MAX];
};

/* Sends the reserved requests from..to-1 that are due, side by side, and
 * returns; pre_fetch_wait() takes their answers. */
static void pre_fetch_start(struct sofa_client *s, size_t from, size_t to)
{
	struct sofa_fly *f;
	size_t n = to - from;

	if (to <= from || n > HTTP_MANY_MAX)
		return;
	if (s->fly == NULL && (s->fly = calloc(1, sizeof(*s->fly))) == NULL)
		return; /* the branches ask one by one */
	f = s->fly;
	memset(f->req, 0, n * sizeof(f->req[0]));
	for (size_t i = 0; i < n; i++) {
		sofa_request(s, s->pre[from + i].url, s->pre[from + i].etag, &f->req[i]);
		f->at[i] = pre_slot_ms(s, from + i);
	}
	f->from = from;
	f->n = n;
	f->pending = true;
	http_many_start(s->http, f->req, f->resp, f->rc, n, f->at);
}

static void pre_fetch_wait(struct sofa_client *s)
{
	struct sofa_fly *f = s->fly;

	if (f == NULL || !f->pending)
		return;
	f->pending = false;
	http_many_wait(s->http);
	for (size_t i = 0; i < f->n; i++) {
		struct sofa_pre *p = &s->pre[f->from + i];
		char *cached = p->body;

		p->body = NULL;
		s->requests++;
		sofa_finish(s, p->url, f->rc[i], &f->resp[i], cached, p->len, &p->resp);
		p->fetched = p->used = true;
		s->pre_used++;
	}
}

void sofa_prefetch_start(struct sofa_client *s, const char *const *paths, size_t n)
{
	double rps = s->cfg->sofa_max_rps;
	char *urls = NULL;
	cJSON *a;
	PGresult *r;

	sofa_prefetch_end(s);
	if (n == 0 || n > HTTP_MANY_MAX || !db_ok(s) || sofa_breaker_remaining(s) > 0 ||
	    (s->backoff && s->backoff_until_ms > clock_mono_ms()))
		return;
	s->pre = calloc(n, sizeof(*s->pre));
	a = cJSON_CreateArray();
	if (s->pre == NULL || a == NULL)
		goto fail;
	for (size_t i = 0; i < n; i++) {
		size_t len = strlen(s->cfg->sofa_base_url) + strlen(paths[i]) + 1;
		s->pre[i].url = malloc(len);
		if (s->pre[i].url == NULL) {
			s->npre = i;
			goto fail;
		}
		snprintf(s->pre[i].url, len, "%s%s", s->cfg->sofa_base_url, paths[i]);
		cJSON_AddItemToArray(a, cJSON_CreateString(s->pre[i].url));
	}
	s->npre = n;
	urls = cJSON_PrintUnformatted(a);
	if (urls == NULL)
		goto fail;
	r = budget_reserve(s, urls, n);
	if (r == NULL)
		goto fail;
	s->pre_tokens = strtod(PQgetvalue(r, 0, 0), NULL);
	s->pre_at_ms = clock_mono_ms();
	for (int t = 0; t < PQntuples(r); t++) {
		if (PQgetisnull(r, t, 1))
			continue;
		for (size_t i = 0; i < n; i++)
			if (s->pre[i].body == NULL && PQgetlength(r, t, 1) == (int)strlen(s->pre[i].url) &&
			    memcmp(PQgetvalue(r, t, 1), s->pre[i].url, strlen(s->pre[i].url)) == 0)
				cache_take(r, t, 2, s->pre[i].etag, sizeof(s->pre[i].etag), &s->pre[i].body,
					   &s->pre[i].len);
	}
	PQclear(r);
	free(urls);
	cJSON_Delete(a);
	/* the last slot too far away: give them back, one by one as usual */
	if (-s->pre_tokens / rps > BUDGET_MAX_WAIT) {
		sofa_prefetch_end(s);
		return;
	}
	/* the first alone: a challenge opens the breaker and stops the rest */
	pre_fetch_start(s, 0, 1);
	pre_fetch_wait(s);
	if (s->pre[0].resp.result != SOFA_CHALLENGE)
		pre_fetch_start(s, 1, n);
	return;
fail:
	free(urls);
	cJSON_Delete(a);
	pre_free(s);
}

void sofa_prefetch_poll(struct sofa_client *s, int fd, int timeout_ms)
{
	http_many_poll(s->http, fd, timeout_ms);
}

void sofa_prefetch_end(struct sofa_client *s)
{
	size_t unused;

	pre_fetch_wait(s); /* nothing left in flight */
	unused = s->npre - s->pre_used;

	if (s->npre > 0 && unused > 0 && s->pre_at_ms != 0 && db_ok(s))
		budget_give_back(s, unused);
	s->pre_at_ms = 0;
	pre_free(s);
}

/* The answer fetched ahead for url, handed over.  0, or -1 when there is
 * none. */
static int pre_fetched(struct sofa_client *s, const char *url, struct sofa_resp *r)
{
	pre_fetch_wait(s);
	for (size_t i = 0; i < s->npre; i++) {
		struct sofa_pre *p = &s->pre[i];

		if (!p->fetched || p->handed || strcmp(p->url, url) != 0)
			continue;
		p->handed = true;
		*r = p->resp;
		memset(&p->resp, 0, sizeof(p->resp));
		return 0;
	}
	return -1;
}

/* A reserved slot for url not fetched ahead: waits for it and hands over
 * the cached answer.  0, or -1 when url is not reserved. */
static int pre_take(struct sofa_client *s, const char *url, char *etag, size_t n, char **body,
		    size_t *len)
{
	for (size_t i = 0; i < s->npre; i++) {
		struct sofa_pre *p = &s->pre[i];
		int64_t wait;

		if (p->used || strcmp(p->url, url) != 0)
			continue;
		p->used = true;
		s->pre_used++;
		wait = pre_slot_ms(s, i) - clock_mono_ms();
		if (wait > 0)
			clock_sleep_ms(wait);
		snprintf(etag, n, "%s", p->etag);
		*body = p->body;
		*len = p->len;
		p->body = NULL;
		return 0;
	}
	return -1;
}

enum sofa_result sofa_get(struct sofa_client *s, const char *path, struct sofa_resp *r)
{
	char url[1024], etag[256];
	char *cached = NULL;
	size_t cached_len = 0;
	struct http_response hr;
	struct http_request req;
	long left;
	int rc;

	memset(r, 0, sizeof(*r));
	r->retry_after = -1;
	snprintf(url, sizeof(url), "%s%s", s->cfg->sofa_base_url, path);
	/* fetched ahead by sofa_prefetch_start */
	if (pre_fetched(s, url, r) == 0)
		return r->result;
	if ((left = sofa_breaker_remaining(s)) > 0) {
		snprintf(r->error, sizeof(r->error),
			 "circuit breaker open for %lds more: Sofascore refused access", left);
		r->retry_after = left;
		return r->result = SOFA_CHALLENGE;
	}
	if (s->backoff && s->backoff_until_ms > clock_mono_ms()) {
		snprintf(r->error, sizeof(r->error), "backing off for %" PRId64 " ms after errors",
			 s->backoff_until_ms - clock_mono_ms());
		return r->result = SOFA_TRANSIENT;
	}
	if (pre_take(s, url, etag, sizeof(etag), &cached, &cached_len) != 0 &&
	    budget_take(s, url, etag, sizeof(etag), &cached, &cached_len) != 0) {
		snprintf(r->error, sizeof(r->error), "request budget exhausted (%.2f/s shared)",
			 s->cfg->sofa_max_rps);
		return r->result = SOFA_TRANSIENT;
	}
	sofa_request(s, url, etag, &req);
	s->requests++;
	rc = http_do(s->http, &req, &hr);
	return sofa_finish(s, url, rc, &hr, cached, cached_len, r);
}
