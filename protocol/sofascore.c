#include "sofascore.h"

#include <cjson/cJSON.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../lib/jarena.h"
#include "adapter.h"

#define TS_MIN 946684800LL /* 2000-01-01: older start times are absurd */
#define TS_MAX 4102444800LL /* 2100-01-01 */

/* ---- JSON helpers ------------------------------------------------------ */

static bool jtrue(const cJSON *o, const char *key)
{
	return cJSON_IsTrue(adapter_get(o, key));
}

/* ---- status ------------------------------------------------------------- */

enum match_status sofa_status_from(int code, const char *type)
{
	switch (code) {
	case 0:
		return MATCH_ST_NOTSTARTED;
	case 6:
	case 7:
	case 31:
	case 32:
	case 33:
	case 34:
	case 41:
	case 42:
	case 50:
		return MATCH_ST_INPROGRESS;
	case 60:
		return MATCH_ST_POSTPONED;
	case 70:
		return MATCH_ST_CANCELED;
	case 80:
		return MATCH_ST_INTERRUPTED;
	case 100:
	case 110:
	case 120:
		return MATCH_ST_FINISHED;
	default:
		break;
	}
	return match_status_parse(type);
}

/* ---- events ------------------------------------------------------------- */

static int parse_team(const cJSON *t, struct match_team *out, const char *which, char *err,
		      size_t errlen)
{
	memset(out, 0, sizeof(*out));
	if (!adapter_int(t, "id", 1, INT64_MAX / 2, &out->id) ||
	    !adapter_str(t, "name", out->name, sizeof(out->name))) {
		snprintf(err, errlen, "%s: missing id or name", which);
		return -1;
	}
	if (!adapter_str(t, "shortName", out->short_name, sizeof(out->short_name)))
		snprintf(out->short_name, sizeof(out->short_name), "%s", out->name);
	adapter_str(t, "nameCode", out->name_code, sizeof(out->name_code));
	adapter_str(t, "slug", out->slug, sizeof(out->slug));
	return 0;
}

/* homeScore/awayScore: {} before kick-off; display excludes a shoot-out. */
static bool parse_score(const cJSON *s, int *score, bool *has_pen, int *pen)
{
	int cur;

	if (adapter_int32(s, "penalties", pen))
		*has_pen = true;
	if (adapter_int32(s, "display", score))
		return true;
	if (adapter_int32(s, "current", &cur)) {
		*score = *has_pen ? cur - *pen : cur;
		return true;
	}
	return false;
}

static int parse_event_obj(const cJSON *e, struct match_event *ev, char *err, size_t errlen)
{
	const cJSON *t, *ut, *st;
	int64_t v;
	bool hp = false, ap = false;

	memset(ev, 0, sizeof(*ev));
	if (!cJSON_IsObject(e)) {
		snprintf(err, errlen, "event is not an object");
		return -1;
	}
	if (!adapter_int(e, "id", 1, INT64_MAX / 2, &ev->id)) {
		snprintf(err, errlen, "event without a valid id");
		return -1;
	}
	t = adapter_get(e, "tournament");
	ut = adapter_get(t, "uniqueTournament");
	if (adapter_int(ut, "id", 1, INT64_MAX / 2, &v))
		ev->unique_tournament_id = v;
	if (!adapter_str(ut, "name", ev->tournament_name, sizeof(ev->tournament_name)))
		adapter_str(t, "name", ev->tournament_name, sizeof(ev->tournament_name));
	adapter_str(ut, "slug", ev->tournament_slug, sizeof(ev->tournament_slug));
	adapter_str(adapter_get(t, "category"), "name", ev->category, sizeof(ev->category));
	if (adapter_int(adapter_get(e, "season"), "id", 1, INT64_MAX / 2, &v))
		ev->season_id = v;
	adapter_str(adapter_get(e, "season"), "name", ev->season_name, sizeof(ev->season_name));
	adapter_int32(adapter_get(e, "roundInfo"), "round", &ev->round);
	if (ev->round < 0)
		ev->round = 0;
	adapter_str(adapter_get(e, "roundInfo"), "name", ev->round_name, sizeof(ev->round_name));
	if (parse_team(adapter_get(e, "homeTeam"), &ev->home, "homeTeam", err, errlen) != 0 ||
	    parse_team(adapter_get(e, "awayTeam"), &ev->away, "awayTeam", err, errlen) != 0) {
		char tmp[200];
		snprintf(tmp, sizeof(tmp), "event %" PRId64 ": %s", ev->id, err);
		snprintf(err, errlen, "%s", tmp);
		return -1;
	}
	if (!adapter_int(e, "startTimestamp", TS_MIN, TS_MAX, &ev->start_ts)) {
		snprintf(err, errlen, "event %" PRId64 ": missing or absurd startTimestamp",
			 ev->id);
		return -1;
	}
	st = adapter_get(e, "status");
	bool has_code = adapter_int32(st, "code", &ev->status_code);
	bool has_type = adapter_str(st, "type", ev->status_type, sizeof(ev->status_type));
	if (!has_code && !has_type) {
		snprintf(err, errlen, "event %" PRId64 ": no status", ev->id);
		return -1;
	}
	if (!has_code)
		ev->status_code = -1;
	adapter_str(st, "description", ev->status_desc, sizeof(ev->status_desc));
	ev->status = sofa_status_from(has_code ? ev->status_code : -1,
				      has_type ? ev->status_type : NULL);
	if (!has_type)
		snprintf(ev->status_type, sizeof(ev->status_type), "%s",
			 match_status_name(ev->status));
	bool hs =
		parse_score(adapter_get(e, "homeScore"), &ev->home_score, &hp, &ev->home_penalties);
	bool as =
		parse_score(adapter_get(e, "awayScore"), &ev->away_score, &ap, &ev->away_penalties);
	ev->has_score = hs && as;
	ev->has_penalties = hp && ap;
	if (!adapter_int32(e, "winnerCode", &ev->winner_code))
		ev->winner_code = 0;
	if (!adapter_str(adapter_get(e, "venue"), "name", ev->venue, sizeof(ev->venue)))
		adapter_str(adapter_get(adapter_get(e, "venue"), "stadium"), "name", ev->venue,
			    sizeof(ev->venue));
	if (adapter_int(adapter_get(e, "changes"), "changeTimestamp", 0, TS_MAX, &v))
		ev->changed_ts = v;
	return 0;
}

/*
 * The events of a list read one at a time: a day of 1,000 events is 3.8 MB
 * of JSON, and its whole tree (36 MB of cJSON nodes, malloc'd one by one,
 * then freed) cost more than reading the events out of it.  Here each
 * member of the root object and each event is parsed on its own by cJSON
 * (the same parser, so the same values) into the arena and dropped before
 * the next: the memory stays small and in cache.
 *
 * Only for what the whole parse would accept with the same result: the
 * first "events" member, an array; every other member and the end of the
 * root object parsed as the whole parse would (so invalid JSON anywhere
 * is noticed), nesting within cJSON's limit as the whole document counts
 * it.  Anything else (invalid JSON, an escaped key, no "events" array, an
 * unusual layout) returns 0 having kept nothing, and the caller parses the
 * whole body as before, with its errors.  1 when done (the result in out,
 * n, skipped and err as adapter_parse_event_list gives them).
 */

/* cJSON's whitespace: every byte up to the space. */
static size_t skip_ws(const char *b, size_t len, size_t p)
{
	while (p < len && (unsigned char)b[p] <= 32)
		p++;
	return p;
}

/* Objects and arrays nested in v, v included (cJSON counts them against
 * CJSON_NESTING_LIMIT). */
static int nesting(const cJSON *v)
{
	int deepest = 0;
	const cJSON *c;

	if (!cJSON_IsObject(v) && !cJSON_IsArray(v))
		return 0;
	for (c = v->child; c != NULL; c = c->next) {
		int d = nesting(c);
		if (d > deepest)
			deepest = d;
	}
	return deepest + 1;
}

/* One value at b + *p, parsed alone into the arena (the caller's scope):
 * NULL when invalid or nested deeper than the whole document allows at
 * depth (the objects and arrays around it). */
static cJSON *parse_one(const char *b, size_t len, size_t *p, int depth)
{
	const char *end = NULL;
	cJSON *v;

	/* cJSON would skip a byte order mark here too: not inside a document */
	if (*p >= len || (unsigned char)b[*p] == 0xEF)
		return NULL;
	v = cJSON_ParseWithLengthOpts(b + *p, len - *p, &end, 0);
	if (v == NULL || end == NULL || end <= b + *p || end > b + len ||
	    nesting(v) > CJSON_NESTING_LIMIT - depth) {
		cJSON_Delete(v);
		return NULL;
	}
	*p = (size_t)(end - b);
	return v;
}

static int parse_events_stream(const char *b, size_t len, struct match_event **out, size_t *n,
			       size_t *skipped, char *err, size_t errlen)
{
	struct match_event *evs = NULL;
	size_t cnt = 0, cap = 0, skip = 0, p = 0;
	bool seen = false, done = false;
	char why[256], first_why[256] = "";

	if (b == NULL || len == 0)
		return 0;
	if (len >= 3 && memcmp(b, "\xEF\xBB\xBF", 3) == 0)
		p = 3; /* cJSON skips a byte order mark at the start */
	p = skip_ws(b, len, p);
	if (p >= len || b[p] != '{')
		return 0;
	p = skip_ws(b, len, p + 1);
	while (!done) {
		/* a key without escapes (or a NUL, that would end it), as cJSON reads it */
		if (p >= len || b[p] != '"')
			goto fallback;
		size_t k = p + 1;
		while (k < len && b[k] != '"' && b[k] != '\\' && b[k] != '\0')
			k++;
		if (k >= len || b[k] != '"')
			goto fallback;
		bool events = !seen && k - p - 1 == 6 && memcmp(b + p + 1, "events", 6) == 0;
		p = skip_ws(b, len, k + 1);
		if (p >= len || b[p] != ':')
			goto fallback;
		p = skip_ws(b, len, p + 1);
		if (events) {
			if (p >= len || b[p] != '[')
				goto fallback;
			seen = true;
			p = skip_ws(b, len, p + 1);
			if (p < len && b[p] == ']')
				p++;
			else
				for (;;) {
					jarena_begin();
					cJSON *e = parse_one(b, len, &p, 2);
					if (e == NULL) {
						jarena_end();
						goto fallback;
					}
					if (cnt >= SOFA_MAX_EVENTS) {
						skip++;
					} else {
						if (cnt == cap) {
							size_t nc = cap ? cap * 2 : 64;
							struct match_event *ne;
							if (nc > SOFA_MAX_EVENTS)
								nc = SOFA_MAX_EVENTS;
							ne = realloc(evs, nc * sizeof(*evs));
							if (ne == NULL) {
								jarena_end();
								goto fallback;
							}
							evs = ne;
							cap = nc;
						}
						if (parse_event_obj(e, &evs[cnt], why,
								    sizeof(why)) != 0) {
							if (skip++ == 0)
								snprintf(first_why,
									 sizeof(first_why), "%s",
									 why);
						} else {
							cnt++;
						}
					}
					cJSON_Delete(e);
					jarena_end();
					p = skip_ws(b, len, p);
					if (p < len && b[p] == ',') {
						p = skip_ws(b, len, p + 1);
						continue;
					}
					if (p < len && b[p] == ']') {
						p++;
						break;
					}
					goto fallback;
				}
		} else {
			jarena_begin();
			cJSON *v = parse_one(b, len, &p, 1);
			cJSON_Delete(v);
			jarena_end();
			if (v == NULL)
				goto fallback;
		}
		p = skip_ws(b, len, p);
		if (p < len && b[p] == ',')
			p = skip_ws(b, len, p + 1);
		else if (p < len && b[p] == '}')
			done = true; /* what follows the root is not read, as by cJSON */
		else
			goto fallback;
	}
	if (!seen)
		goto fallback;
	if (evs == NULL) {
		evs = calloc(1, sizeof(*evs));
		if (evs == NULL)
			goto fallback;
	}
	snprintf(err, errlen, "%s", first_why);
	*out = evs;
	*n = cnt;
	*skipped = skip;
	return 1;
fallback:
	free(evs);
	return 0;
}

int sofa_parse_events(const char *body, size_t len, struct match_event **out, size_t *n,
		      size_t *skipped, char *err, size_t errlen)
{
	cJSON *root;
	const cJSON *list;
	int rc;

	*out = NULL;
	*n = 0;
	*skipped = 0;
	if (parse_events_stream(body, len, out, n, skipped, err, errlen) == 1)
		return 0;
	root = adapter_parse_root(body, len, err, errlen);
	if (root == NULL)
		return -1;
	list = adapter_get(root, "events");
	if (!cJSON_IsArray(list)) {
		snprintf(err, errlen, "no \"events\" array");
		cJSON_Delete(root);
		return -1;
	}
	rc = adapter_parse_event_list(list, SOFA_MAX_EVENTS, parse_event_obj, out, n, skipped, err,
				      errlen);
	cJSON_Delete(root);
	return rc;
}

int sofa_split_list(const char *body, size_t len, const int64_t *ids, size_t n, char **out,
		    char *err, size_t errlen)
{
	cJSON *root;
	const cJSON *e;
	int rc = -1;

	for (size_t i = 0; i < n; i++)
		out[i] = NULL;
	jarena_begin(); /* the tree dies here; the answers are copied out */
	root = adapter_parse_root(body, len, err, errlen);
	if (root == NULL)
		goto out;
	cJSON_ArrayForEach (e, adapter_get(root, "events")) {
		int64_t id;
		if (!adapter_int(e, "id", 1, INT64_MAX / 2, &id))
			continue;
		for (size_t i = 0; i < n; i++) {
			if (ids[i] != id || out[i] != NULL)
				continue;
			cJSON *env = cJSON_CreateObject();
			cJSON_AddItemReferenceToObject(env, "event", (cJSON *)e);
			out[i] = jarena_own(cJSON_PrintUnformatted(env));
			cJSON_Delete(env);
			if (out[i] == NULL) {
				snprintf(err, errlen, "out of memory");
				for (size_t k = 0; k < n; k++) {
					free(out[k]);
					out[k] = NULL;
				}
				goto out;
			}
		}
	}
	rc = 0;
out:
	cJSON_Delete(root);
	jarena_end();
	return rc;
}

static int tree_event(const char *body, size_t len, struct match_event *out, char *err,
		      size_t errlen)
{
	cJSON *root = adapter_parse_root(body, len, err, errlen);
	int rc;

	if (root == NULL)
		return -1;
	if (!cJSON_IsObject(adapter_get(root, "event"))) {
		snprintf(err, errlen, "no \"event\" object");
		cJSON_Delete(root);
		return -1;
	}
	rc = parse_event_obj(adapter_get(root, "event"), out, err, errlen);
	cJSON_Delete(root);
	return rc;
}

int sofa_parse_event(const char *body, size_t len, struct match_event *out, char *err,
		     size_t errlen)
{
	int rc;

	jarena_begin(); /* the tree dies here; the answers are copied out */
	rc = tree_event(body, len, out, err, errlen);
	jarena_end();
	return rc;
}

/* ---- line-ups ------------------------------------------------------------ */

static const char *missing_reason(const cJSON *m, char *buf, size_t n)
{
	int code;

	if (adapter_str(m, "description", buf, n) && buf[0] != '\0')
		return buf;
	/* reason codes seen: 1 injury, 3 suspension, 0/other: other */
	if (adapter_int32(m, "reason", &code))
		snprintf(buf, n, "%s", code == 1 ? "injured" : code == 3 ? "suspended" : "other");
	else
		snprintf(buf, n, "%s", "unknown");
	return buf;
}

static int parse_side(const cJSON *s, struct match_side *out, const char *which, bool with_stats,
		      char *err, size_t errlen)
{
	const cJSON *players = adapter_get(s, "players"), *p,
		    *missing = adapter_get(s, "missingPlayers");
	size_t cap;

	memset(out, 0, sizeof(*out));
	if (!cJSON_IsObject(s) || !cJSON_IsArray(players)) {
		snprintf(err, errlen, "%s: no players array", which);
		return -1;
	}
	adapter_str(s, "formation", out->formation, sizeof(out->formation));
	cap = (size_t)cJSON_GetArraySize(players);
	if (cap > MATCH_MAX_PLAYERS)
		cap = MATCH_MAX_PLAYERS;
	out->players = calloc(cap ? cap : 1, sizeof(*out->players));
	if (out->players == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	cJSON_ArrayForEach (p, players) {
		const cJSON *pl = adapter_get(p, "player"), *stats = adapter_get(p, "statistics");
		struct match_player *x;
		int64_t shirt;
		char jersey[16];

		if (out->nplayers >= cap || !cJSON_IsObject(pl))
			continue; /* trimmed markers, junk */
		x = &out->players[out->nplayers];
		memset(x, 0, sizeof(*x));
		if (!adapter_int(pl, "id", 1, INT64_MAX / 2, &x->id) ||
		    !adapter_str(pl, "name", x->name, sizeof(x->name)))
			continue;
		if (!adapter_str(pl, "shortName", x->short_name, sizeof(x->short_name)))
			snprintf(x->short_name, sizeof(x->short_name), "%s", x->name);
		/* the position of this match first, the player's usual one else */
		if (!adapter_str(p, "position", x->position, sizeof(x->position)))
			adapter_str(pl, "position", x->position, sizeof(x->position));
		/* shirtNumber is the number worn in this match; never player.jerseyNumber */
		if (adapter_int(p, "shirtNumber", 0, 999, &shirt))
			x->shirt = (int)shirt;
		else if (adapter_str(p, "jerseyNumber", jersey, sizeof(jersey)))
			x->shirt = (int)strtol(jersey, NULL, 10);
		x->substitute = jtrue(p, "substitute");
		x->captain = jtrue(p, "captain");
		x->minutes = -1;
		if (cJSON_IsObject(stats)) {
			const cJSON *r = adapter_get(stats, "rating");
			if (cJSON_IsNumber(r) && isfinite(r->valuedouble) && r->valuedouble > 0 &&
			    r->valuedouble <= 10) {
				x->has_rating = true;
				x->rating = r->valuedouble;
			}
			adapter_int32(stats, "minutesPlayed", &x->minutes);
			if (with_stats) /* outlives the tree: out of the arena */
				x->stats_json = adapter_print(stats);
		}
		out->nplayers++;
	}
	if (cJSON_IsArray(missing)) {
		size_t mcap = (size_t)cJSON_GetArraySize(missing);
		const cJSON *m;
		char why[32];
		if (mcap > MATCH_MAX_PLAYERS)
			mcap = MATCH_MAX_PLAYERS;
		out->missing = calloc(mcap ? mcap : 1, sizeof(*out->missing));
		if (out->missing == NULL) {
			snprintf(err, errlen, "out of memory");
			return -1;
		}
		cJSON_ArrayForEach (m, missing) {
			struct match_missing *x;
			if (out->nmissing >= mcap)
				break;
			x = &out->missing[out->nmissing];
			if (!adapter_str(adapter_get(m, "player"), "name", x->name,
					 sizeof(x->name)))
				continue;
			adapter_int(adapter_get(m, "player"), "id", 1, INT64_MAX / 2, &x->id);
			missing_reason(m, x->reason, sizeof(x->reason));
			if (adapter_str(m, "type", why, sizeof(why)) &&
			    strcmp(why, "doubtful") == 0) {
				/* not ruled out: say so rather than list them as missing */
				char tmp[MATCH_MAX_STR];
				snprintf(tmp, sizeof(tmp), "doubtful: %.140s", x->reason);
				snprintf(x->reason, sizeof(x->reason), "%s", tmp);
			}
			out->nmissing++;
		}
	}
	return 0;
}

int sofa_parse_lineups(const char *body, size_t len, struct match_lineups *out, bool with_stats,
		       char *err, size_t errlen)
{
	cJSON *root;
	int rc = -1;

	memset(out, 0, sizeof(*out));
	jarena_begin(); /* the tree dies here; what is kept is copied out */
	root = adapter_parse_root(body, len, err, errlen);
	if (root == NULL) {
		jarena_end();
		return -1;
	}
	out->confirmed = jtrue(root, "confirmed");
	if (parse_side(adapter_get(root, "home"), &out->home, "home", with_stats, err, errlen) !=
		    0 ||
	    parse_side(adapter_get(root, "away"), &out->away, "away", with_stats, err, errlen) !=
		    0) {
		match_lineups_free(out);
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

static int tree_statistics(const char *body, size_t len, struct match_stat **out, size_t *n,
			   char *err, size_t errlen)
{
	cJSON *root = adapter_parse_root(body, len, err, errlen);
	const cJSON *periods, *per, *grp, *it;
	struct match_stat *st = NULL;
	size_t cnt = 0, cap = 0;

	*out = NULL;
	*n = 0;
	if (root == NULL)
		return -1;
	periods = adapter_get(root, "statistics");
	if (!cJSON_IsArray(periods)) {
		snprintf(err, errlen, "no \"statistics\" array");
		cJSON_Delete(root);
		return -1;
	}
	cJSON_ArrayForEach (per, periods) {
		char period[8];
		if (!adapter_str(per, "period", period, sizeof(period)))
			continue;
		cJSON_ArrayForEach (grp, adapter_get(per, "groups")) {
			char group[96] = "";
			adapter_str(grp, "groupName", group, sizeof(group));
			cJSON_ArrayForEach (it, adapter_get(grp, "statisticsItems")) {
				struct match_stat s;
				bool dup = false;

				memset(&s, 0, sizeof(s));
				if (!adapter_str(it, "key", s.key, sizeof(s.key)))
					continue;
				for (size_t i = 0; i < cnt && !dup; i++)
					dup = strcmp(st[i].key, s.key) == 0 &&
					      strcmp(st[i].period, period) == 0;
				if (dup)
					continue;
				snprintf(s.period, sizeof(s.period), "%s", period);
				snprintf(s.group, sizeof(s.group), "%s", group);
				adapter_str(it, "name", s.name, sizeof(s.name));
				adapter_str(it, "home", s.home, sizeof(s.home));
				adapter_str(it, "away", s.away, sizeof(s.away));
				s.has_values =
					number_of(adapter_get(it, "homeValue"), &s.home_value) &&
					number_of(adapter_get(it, "awayValue"), &s.away_value);
				if (cnt == cap) {
					size_t ncap = cap ? cap * 2 : 64;
					struct match_stat *ns;
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

int sofa_parse_statistics(const char *body, size_t len, struct match_stat **out, size_t *n,
			  char *err, size_t errlen)
{
	int rc;

	jarena_begin(); /* the tree dies here; the answers are copied out */
	rc = tree_statistics(body, len, out, n, err, errlen);
	jarena_end();
	return rc;
}

/* ---- incidents ----------------------------------------------------------- */

static int tree_incidents(const char *body, size_t len, struct match_incident **out, size_t *n,
			  char *err, size_t errlen)
{
	cJSON *root = adapter_parse_root(body, len, err, errlen);
	const cJSON *list, *it;
	struct match_incident *inc;
	size_t cap, cnt = 0;
	int prev_home = 0, prev_away = 0;

	*out = NULL;
	*n = 0;
	if (root == NULL)
		return -1;
	list = adapter_get(root, "incidents");
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
	cJSON_ArrayForEach (it, list) {
		struct match_incident *x;
		const cJSON *who;
		if (cnt >= cap)
			break;
		x = &inc[cnt];
		memset(x, 0, sizeof(*x));
		if (!adapter_str(it, "incidentType", x->type, sizeof(x->type)))
			continue;
		adapter_str(it, "incidentClass", x->klass, sizeof(x->klass));
		adapter_int(it, "id", 0, INT64_MAX / 2, &x->id);
		adapter_int32(it, "time", &x->minute);
		if (!adapter_int32(it, "addedTime", &x->added_time) || x->added_time >= 999)
			x->added_time = 0;
		who = adapter_get(it, "player");
		if (strcmp(x->type, "substitution") == 0) {
			who = adapter_get(it, "playerIn");
			adapter_str(adapter_get(it, "playerOut"), "name", x->assist,
				    sizeof(x->assist));
		} else {
			adapter_str(adapter_get(it, "assist1"), "name", x->assist,
				    sizeof(x->assist));
		}
		if (!adapter_str(who, "name", x->player, sizeof(x->player)))
			adapter_str(it, "playerName", x->player, sizeof(x->player));
		adapter_int(who, "id", 0, INT64_MAX / 2, &x->player_id);
		if (cJSON_IsBool(adapter_get(it, "isHome")))
			snprintf(x->side, sizeof(x->side), "%s",
				 jtrue(it, "isHome") ? "home" : "away");
		x->has_score = adapter_int32(it, "homeScore", &x->home_score) &&
			       adapter_int32(it, "awayScore", &x->away_score);
		cnt++;
	}
	/* The side of a goal is the side whose score went up: walk oldest first
	 * (Sofascore lists newest first), which also credits own goals right. */
	for (size_t i = cnt; i-- > 0;) {
		struct match_incident *x = &inc[i];
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

int sofa_parse_incidents(const char *body, size_t len, struct match_incident **out, size_t *n,
			 char *err, size_t errlen)
{
	int rc;

	jarena_begin(); /* the tree dies here; the answers are copied out */
	rc = tree_incidents(body, len, out, n, err, errlen);
	jarena_end();
	return rc;
}

/* ---- standings ------------------------------------------------------------ */

static int tree_standings(const char *body, size_t len, struct match_standing **out, size_t *n,
			  char *err, size_t errlen)
{
	cJSON *root = adapter_parse_root(body, len, err, errlen);
	const cJSON *tables, *table, *r;
	struct match_standing *st;
	size_t cap = 0, cnt = 0;
	int ntables;

	*out = NULL;
	*n = 0;
	if (root == NULL)
		return -1;
	tables = adapter_get(root, "standings");
	if (!cJSON_IsArray(tables) ||
	    !cJSON_IsArray(adapter_get(cJSON_GetArrayItem(tables, 0), "rows"))) {
		snprintf(err, errlen, "no standings table");
		cJSON_Delete(root);
		return -1;
	}
	ntables = cJSON_GetArraySize(tables);
	cJSON_ArrayForEach (table, tables)
		cap += (size_t)cJSON_GetArraySize(adapter_get(table, "rows"));
	if (cap > 400)
		cap = 400;
	st = calloc(cap ? cap : 1, sizeof(*st));
	if (st == NULL) {
		cJSON_Delete(root);
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	cJSON_ArrayForEach (table, tables) {
		char group[MATCH_MAX_STR] = "";
		if (ntables > 1 && !adapter_str(table, "name", group, sizeof(group)))
			snprintf(group, sizeof(group), "table %zu", cnt);
		cJSON_ArrayForEach (r, adapter_get(table, "rows")) {
			struct match_standing *x;
			if (cnt >= cap)
				break;
			x = &st[cnt];
			memset(x, 0, sizeof(*x));
			if (!adapter_int(adapter_get(r, "team"), "id", 1, INT64_MAX / 2,
					 &x->team_id) ||
			    !adapter_str(adapter_get(r, "team"), "name", x->team,
					 sizeof(x->team)) ||
			    !adapter_int32(r, "position", &x->position))
				continue;
			snprintf(x->group, sizeof(x->group), "%s", group);
			adapter_int32(r, "matches", &x->played);
			adapter_int32(r, "wins", &x->won);
			adapter_int32(r, "draws", &x->drawn);
			adapter_int32(r, "losses", &x->lost);
			adapter_int32(r, "scoresFor", &x->goals_for);
			adapter_int32(r, "scoresAgainst", &x->goals_against);
			adapter_int32(r, "points", &x->points);
			cnt++;
		}
	}
	cJSON_Delete(root);
	*out = st;
	*n = cnt;
	return 0;
}

int sofa_parse_standings(const char *body, size_t len, struct match_standing **out, size_t *n,
			 char *err, size_t errlen)
{
	int rc;

	jarena_begin(); /* the tree dies here; the answers are copied out */
	rc = tree_standings(body, len, out, n, err, errlen);
	jarena_end();
	return rc;
}

/* ---- requests -------------------------------------------------------------- */

int sofa_path(const struct match_query *q, char *buf, size_t n)
{
	int w;

	switch (q->what) {
	case MATCH_REQ_SCHEDULE:
		w = snprintf(buf, n, "/unique-tournament/%" PRId64 "/scheduled-events/%s",
			     q->competition, q->date);
		break;
	case MATCH_REQ_LIVE:
		w = snprintf(buf, n, "/sport/football/events/live");
		break;
	case MATCH_REQ_ROUND:
		w = snprintf(buf, n,
			     "/unique-tournament/%" PRId64 "/season/%" PRId64 "/events/round/%d",
			     q->competition, q->season, q->round);
		break;
	case MATCH_REQ_EVENT:
		w = snprintf(buf, n, "/event/%" PRId64, q->event);
		break;
	case MATCH_REQ_LINEUPS:
		w = snprintf(buf, n, "/event/%" PRId64 "/lineups", q->event);
		break;
	case MATCH_REQ_STATISTICS:
		w = snprintf(buf, n, "/event/%" PRId64 "/statistics", q->event);
		break;
	case MATCH_REQ_INCIDENTS:
		w = snprintf(buf, n, "/event/%" PRId64 "/incidents", q->event);
		break;
	case MATCH_REQ_STANDINGS:
		w = snprintf(buf, n,
			     "/unique-tournament/%" PRId64 "/season/%" PRId64 "/standings/total",
			     q->competition, q->season);
		break;
	default:
		return -1;
	}
	return w < 0 || (size_t)w >= n ? -1 : 0;
}

void sofa_crest_url(int64_t team_id, char *buf, size_t n)
{
	snprintf(buf, n, "https://img.sofascore.com/api/v1/team/%" PRId64 "/image", team_id);
}

bool sofa_is_challenge(const char *body, size_t len)
{
	cJSON *root = cJSON_ParseWithLength(body, len);
	const cJSON *reason = adapter_get(adapter_get(root, "error"), "reason");
	bool yes = cJSON_IsString(reason) && strcmp(reason->valuestring, "challenge") == 0;

	cJSON_Delete(root);
	return yes;
}
