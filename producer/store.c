#include "producer/store.h"

#include <cjson/cJSON.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/db.h"
#include "lib/log.h"
#include "lib/metrics.h"
#include "lib/strbuf.h"

static bool followed_has(const int64_t *f, size_t n, int64_t ut)
{
	for (size_t i = 0; i < n; i++)
		if (f[i] == ut)
			return true;
	return false;
}

static void add_opt_int(cJSON *o, const char *k, bool have, double v)
{
	if (have)
		cJSON_AddNumberToObject(o, k, v);
	else
		cJSON_AddNullToObject(o, k);
}

/*
 * The batch of store_upsert_events as JSON text, written directly: a tree
 * of cJSON objects printed (every number through printf and sscanf) cost
 * as much as the statements themselves for a 1,000-event day.  Strings are
 * escaped as cJSON escapes them (", \ and control characters; UTF-8 as
 * is), integers printed exactly.
 */
/* "key": (after a comma unless it is the object's first) */
static void jb_key(struct strbuf *b, const char *key)
{
	if (b->len > 0 && b->p[b->len - 1] != '{')
		strbuf_put(b, ",", 1);
	strbuf_json_str(b, key);
	strbuf_put(b, ":", 1);
}

static void jb_str(struct strbuf *b, const char *key, const char *s)
{
	jb_key(b, key);
	strbuf_json_str(b, s);
}

static void jb_int(struct strbuf *b, const char *key, int64_t v)
{
	jb_key(b, key);
	strbuf_int(b, v);
}

static void jb_opt_int(struct strbuf *b, const char *key, bool have, int64_t v)
{
	if (have) {
		jb_int(b, key, v);
	} else {
		jb_key(b, key);
		strbuf_put(b, "null", 4);
	}
}

/* A team or a tournament named in a list, and where (for stable sorting). */
struct named {
	const void *p;
	size_t at;
};

static int team_cmp(const void *a, const void *b)
{
	const struct named *na = a, *nb = b;
	const struct match_team *x = na->p, *y = nb->p;
	int c;

	if (x->id != y->id)
		return x->id < y->id ? -1 : 1;
	if ((c = strcmp(x->name, y->name)) != 0 ||
	    (c = strcmp(x->short_name, y->short_name)) != 0 ||
	    (c = strcmp(x->slug, y->slug)) != 0 || (c = strcmp(x->name_code, y->name_code)) != 0)
		return c;
	return na->at < nb->at ? -1 : na->at > nb->at;
}

static int tour_cmp(const void *a, const void *b)
{
	const struct named *na = a, *nb = b;
	const struct match_event *x = na->p, *y = nb->p;
	int c;

	if (x->unique_tournament_id != y->unique_tournament_id)
		return x->unique_tournament_id < y->unique_tournament_id ? -1 : 1;
	if ((c = strcmp(x->tournament_name, y->tournament_name)) != 0 ||
	    (c = strcmp(x->tournament_slug, y->tournament_slug)) != 0 ||
	    (c = strcmp(x->category, y->category)) != 0)
		return c;
	return na->at < nb->at ? -1 : na->at > nb->at;
}

/*
 * A list names each team and tournament many times: keeps (keep[at]) the
 * first of each set of identical rows, in their order; rows that differ
 * all stay (DISTINCT ON picks one of them, as before).  sorted is v
 * (n items) in any order; cmp orders by content, then position.
 */
static void keep_first(struct named *sorted, size_t n, int (*cmp)(const void *, const void *),
		       bool *keep)
{
	qsort(sorted, n, sizeof(*sorted), cmp);
	for (size_t i = 0; i < n; i++) {
		struct named a = sorted[i - (i > 0)], b = sorted[i];

		a.at = b.at = 0; /* content only */
		keep[sorted[i].at] = i == 0 || cmp(&a, &b) != 0;
	}
}

int store_upsert_events(PGconn *db, const struct match_event *evs, size_t n,
			const int64_t *followed, size_t nfollowed, size_t *kept, size_t *changed)
{
	struct strbuf je = { 0 }, jt = { 0 }, jtour = { 0 };
	const struct match_team **teams = NULL;
	const struct match_event **tours = NULL;
	struct named *sorted = NULL;
	bool *keep = NULL;
	size_t nteams = 0, ntours = 0;
	PGresult *r;
	int rc = -1;

	*kept = *changed = 0;
	if (n > 0) {
		teams = malloc(2 * n * sizeof(*teams));
		tours = malloc(n * sizeof(*tours));
		sorted = malloc(2 * n * sizeof(*sorted));
		keep = malloc(2 * n * sizeof(*keep));
		if (teams == NULL || tours == NULL || sorted == NULL || keep == NULL)
			goto out;
	}
	strbuf_put(&je, "[", 1);
	for (size_t i = 0; i < n; i++) {
		const struct match_event *e = &evs[i];

		if (!followed_has(followed, nfollowed, e->unique_tournament_id))
			continue;
		(*kept)++;
		strbuf_put(&je, *kept == 1 ? "{" : ",{", *kept == 1 ? 1 : 2);
		jb_int(&je, "id", e->id);
		jb_int(&je, "ut", e->unique_tournament_id);
		jb_str(&je, "tournament_name", e->tournament_name);
		jb_opt_int(&je, "season_id", e->season_id > 0, e->season_id);
		jb_str(&je, "season_name", e->season_name);
		jb_opt_int(&je, "round", e->round > 0, e->round);
		jb_str(&je, "round_name", e->round_name);
		jb_int(&je, "home_team_id", e->home.id);
		jb_int(&je, "away_team_id", e->away.id);
		jb_str(&je, "home_name", e->home.name);
		jb_str(&je, "away_name", e->away.name);
		jb_int(&je, "start_ts", e->start_ts);
		jb_int(&je, "status_code", e->status_code);
		jb_str(&je, "status_type", match_status_name(e->status));
		jb_str(&je, "status_description", e->status_desc);
		jb_opt_int(&je, "home_score", e->has_score, e->home_score);
		jb_opt_int(&je, "away_score", e->has_score, e->away_score);
		jb_opt_int(&je, "home_penalties", e->has_penalties, e->home_penalties);
		jb_opt_int(&je, "away_penalties", e->has_penalties, e->away_penalties);
		jb_opt_int(&je, "winner_code", e->winner_code > 0, e->winner_code);
		jb_str(&je, "venue", e->venue);
		jb_opt_int(&je, "changed_ts", e->changed_ts > 0, e->changed_ts);
		strbuf_put(&je, "}", 1);
		teams[nteams++] = &e->home;
		teams[nteams++] = &e->away;
		tours[ntours++] = e;
	}
	strbuf_put(&je, "]", 1);
	if (*kept == 0) {
		rc = 0;
		goto out;
	}
	for (size_t i = 0; i < nteams; i++)
		sorted[i] = (struct named){ teams[i], i };
	keep_first(sorted, nteams, team_cmp, keep);
	strbuf_put(&jt, "[", 1);
	for (size_t i = 0; i < nteams; i++) {
		const struct match_team *t = teams[i];

		if (!keep[i])
			continue;
		strbuf_put(&jt, jt.len == 1 ? "{" : ",{", jt.len == 1 ? 1 : 2);
		jb_int(&jt, "id", t->id);
		jb_str(&jt, "name", t->name);
		jb_str(&jt, "short_name", t->short_name);
		jb_str(&jt, "slug", t->slug);
		jb_str(&jt, "name_code", t->name_code);
		strbuf_put(&jt, "}", 1);
	}
	strbuf_put(&jt, "]", 1);
	for (size_t i = 0; i < ntours; i++)
		sorted[i] = (struct named){ tours[i], i };
	keep_first(sorted, ntours, tour_cmp, keep);
	strbuf_put(&jtour, "[", 1);
	for (size_t i = 0; i < ntours; i++) {
		const struct match_event *e = tours[i];

		if (!keep[i])
			continue;
		strbuf_put(&jtour, jtour.len == 1 ? "{" : ",{", jtour.len == 1 ? 1 : 2);
		jb_int(&jtour, "id", e->unique_tournament_id);
		jb_str(&jtour, "name", e->tournament_name);
		jb_str(&jtour, "slug", e->tournament_slug);
		jb_str(&jtour, "category", e->category);
		strbuf_put(&jtour, "}", 1);
	}
	strbuf_put(&jtour, "]", 1);
	if (je.oom || jt.oom || jtour.oom)
		goto out;
	/*
	 * One statement, so one round trip and its own transaction: the
	 * tournaments and teams in data-modifying CTEs (no table here refers
	 * to another: nothing reads what the others write), then the events.
	 * json, not jsonb: read once by json_to_recordset, never stored, and
	 * jsonb's input (a tree built, then walked) took twice as long.
	 */
	const char *p[3] = { jtour.p, jt.p, je.p };
	r = db_exec(
		db, "upsert events",
		"WITH up_tournaments AS (INSERT INTO tournaments (unique_tournament_id, name, slug, category)"
		" SELECT DISTINCT ON (id) id, name, slug, category FROM json_to_recordset($1::json)"
		"  AS x(id bigint, name text, slug text, category text)"
		" ON CONFLICT (unique_tournament_id) DO UPDATE SET name = EXCLUDED.name,"
		"  slug = EXCLUDED.slug, category = EXCLUDED.category, updated_at = now()"
		" WHERE (tournaments.name, tournaments.slug, tournaments.category)"
		"  IS DISTINCT FROM (EXCLUDED.name, EXCLUDED.slug, EXCLUDED.category)),"
		" up_teams AS (INSERT INTO teams (id, name, short_name, slug, name_code)"
		" SELECT DISTINCT ON (id) id, name, short_name, slug, name_code"
		"  FROM json_to_recordset($2::json)"
		"  AS x(id bigint, name text, short_name text, slug text, name_code text)"
		" ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, short_name = EXCLUDED.short_name,"
		"  slug = EXCLUDED.slug, name_code = EXCLUDED.name_code, updated_at = now()"
		" WHERE (teams.name, teams.short_name, teams.slug, teams.name_code)"
		"  IS DISTINCT FROM (EXCLUDED.name, EXCLUDED.short_name, EXCLUDED.slug, EXCLUDED.name_code))"
		" INSERT INTO events (id, unique_tournament_id, tournament_name, season_id, season_name,"
		"  round, round_name, home_team_id, away_team_id, home_name, away_name, start_time,"
		"  status_code, status_type, status_description, home_score, away_score,"
		"  home_penalties, away_penalties, winner_code, venue, changed_at)"
		" SELECT DISTINCT ON (id) id, ut, tournament_name, season_id, season_name, round,"
		"  round_name, home_team_id, away_team_id, home_name, away_name, to_timestamp(start_ts),"
		"  status_code, status_type, status_description, home_score, away_score,"
		"  home_penalties, away_penalties, winner_code, NULLIF(venue, ''),"
		"  to_timestamp(changed_ts)"
		" FROM json_to_recordset($3::json) AS x(id bigint, ut bigint, tournament_name text,"
		"  season_id bigint, season_name text, round int, round_name text, home_team_id bigint,"
		"  away_team_id bigint, home_name text, away_name text, start_ts bigint,"
		"  status_code int, status_type text, status_description text, home_score int,"
		"  away_score int, home_penalties int, away_penalties int, winner_code int,"
		"  venue text, changed_ts bigint)"
		" ON CONFLICT (id) DO UPDATE SET unique_tournament_id = EXCLUDED.unique_tournament_id,"
		"  tournament_name = EXCLUDED.tournament_name, season_id = EXCLUDED.season_id,"
		"  season_name = EXCLUDED.season_name, round = EXCLUDED.round,"
		"  round_name = EXCLUDED.round_name, home_team_id = EXCLUDED.home_team_id,"
		"  away_team_id = EXCLUDED.away_team_id, home_name = EXCLUDED.home_name,"
		"  away_name = EXCLUDED.away_name, start_time = EXCLUDED.start_time,"
		"  status_code = EXCLUDED.status_code, status_type = EXCLUDED.status_type,"
		"  status_description = EXCLUDED.status_description,"
		"  home_score = EXCLUDED.home_score, away_score = EXCLUDED.away_score,"
		"  home_penalties = EXCLUDED.home_penalties, away_penalties = EXCLUDED.away_penalties,"
		"  winner_code = EXCLUDED.winner_code, venue = COALESCE(EXCLUDED.venue, events.venue),"
		"  changed_at = EXCLUDED.changed_at, updated_at = now()"
		" WHERE (events.start_time, events.status_code, events.status_type, events.home_score,"
		"  events.away_score, events.home_penalties, events.away_penalties, events.winner_code,"
		"  events.round, events.season_id, events.home_name, events.away_name)"
		" IS DISTINCT FROM (EXCLUDED.start_time, EXCLUDED.status_code, EXCLUDED.status_type,"
		"  EXCLUDED.home_score, EXCLUDED.away_score, EXCLUDED.home_penalties,"
		"  EXCLUDED.away_penalties, EXCLUDED.winner_code, EXCLUDED.round, EXCLUDED.season_id,"
		"  EXCLUDED.home_name, EXCLUDED.away_name)"
		/* a lagging list must not undo a final status: only a newer
		     * change (changeTimestamp) may move an event out of one */
		" AND NOT (events.status_type IN ('finished', 'canceled')"
		"  AND EXCLUDED.status_type NOT IN ('finished', 'canceled')"
		"  AND COALESCE(EXCLUDED.changed_at > events.changed_at, false) = false)"
		" RETURNING id",
		3, p);
	if (r == NULL)
		goto out;
	*changed = (size_t)PQntuples(r);
	PQclear(r);
	rc = 0;
out:
	strbuf_free(&je);
	strbuf_free(&jt);
	strbuf_free(&jtour);
	free(teams);
	free(tours);
	free(sorted);
	free(keep);
	return rc;
}

int store_load_due(PGconn *db, struct due_event **ev, size_t *nev, struct due_job **jobs,
		   size_t *njobs)
{
	PGresult *r;
	int n;

	*ev = NULL;
	*jobs = NULL;
	*nev = *njobs = 0;
	r = db_exec(
		db, "due events",
		"WITH recent AS (SELECT * FROM events WHERE start_time > now() - interval '14 days')"
		" SELECT id, unique_tournament_id, COALESCE(season_id, 0), COALESCE(round, 0),"
		"  EXTRACT(EPOCH FROM start_time)::bigint, status_code, status_type,"
		"  result_stored_at IS NOT NULL"
		" FROM events e WHERE e.start_time > now() - interval '14 days'"
		"  OR (e.unique_tournament_id, e.season_id, e.round) IN"
		"   (SELECT unique_tournament_id, season_id, round FROM recent WHERE round IS NOT NULL)",
		0, NULL);
	if (r == NULL)
		return -1;
	n = PQntuples(r);
	*ev = calloc((size_t)n + 1, sizeof(**ev));
	if (*ev == NULL) {
		PQclear(r);
		return -1;
	}
	for (int i = 0; i < n; i++) {
		struct due_event *e = &(*ev)[i];
		e->id = strtoll(PQgetvalue(r, i, 0), NULL, 10);
		e->ut = strtoll(PQgetvalue(r, i, 1), NULL, 10);
		e->season = strtoll(PQgetvalue(r, i, 2), NULL, 10);
		e->round = (int)strtol(PQgetvalue(r, i, 3), NULL, 10);
		e->start_ts = strtoll(PQgetvalue(r, i, 4), NULL, 10);
		/* status_type holds match_status_name() (store_upsert_events) */
		e->status = match_status_parse(PQgetvalue(r, i, 6));
		e->result_stored = PQgetvalue(r, i, 7)[0] == 't';
	}
	*nev = (size_t)n;
	PQclear(r);

	r = db_exec(db, "due jobs",
		    "SELECT kind, subject, COALESCE(EXTRACT(EPOCH FROM kickoff)::bigint, 0), state"
		    " FROM jobs WHERE created_at > now() - interval '120 days'",
		    0, NULL);
	if (r == NULL)
		goto fail;
	n = PQntuples(r);
	*jobs = calloc((size_t)n + 1, sizeof(**jobs));
	if (*jobs == NULL) {
		PQclear(r);
		goto fail;
	}
	for (int i = 0; i < n; i++) {
		struct due_job *j = &(*jobs)[*njobs];
		const char *kind = PQgetvalue(r, i, 0), *subject = PQgetvalue(r, i, 1);
		int64_t a = 0, b = 0;
		int round = 0;

		memset(j, 0, sizeof(*j));
		j->msg.type = msg_type_parse(kind, strlen(kind));
		if (j->msg.type == MSG_TSTATS) {
			if (sscanf(subject, "tournament-stats:%" SCNd64 ":%" SCNd64 ":%d", &a, &b,
				   &round) != 3)
				continue;
			j->msg.unique_tournament_id = a;
			j->msg.season_id = b;
			j->msg.round = round;
		} else {
			const char *colon = strchr(subject, ':');
			if (colon == NULL || sscanf(colon + 1, "%" SCNd64, &a) != 1)
				continue;
			j->msg.event_id = a;
		}
		j->kickoff = strtoll(PQgetvalue(r, i, 2), NULL, 10);
		j->state = due_state_parse(PQgetvalue(r, i, 3));
		(*njobs)++;
	}
	PQclear(r);
	return 0;
fail:
	free(*ev);
	*ev = NULL;
	*nev = 0;
	return -1;
}

static cJSON *item_json(const struct work_msg *m, int64_t kickoff)
{
	cJSON *o = cJSON_CreateObject();
	char subject[MSG_KEY_MAX];

	if (msg_key(m, subject, sizeof(subject)) < 0) {
		cJSON_Delete(o);
		return NULL;
	}
	cJSON_AddStringToObject(o, "kind", msg_type_name(m->type));
	cJSON_AddStringToObject(o, "subject", subject);
	add_opt_int(o, "event_id", m->type != MSG_TSTATS, (double)m->event_id);
	add_opt_int(o, "kickoff", kickoff > 0, (double)kickoff);
	return o;
}

int store_record_jobs(PGconn *db, const struct due_item *items, size_t n, size_t *recorded)
{
	cJSON *fresh = cJSON_CreateArray(), *rearm = cJSON_CreateArray();
	char *jf = NULL, *jr = NULL;
	PGresult *r;
	int rc = -1;

	*recorded = 0;
	for (size_t i = 0; i < n; i++) {
		cJSON *o = item_json(&items[i].msg, items[i].kickoff);
		if (o != NULL)
			cJSON_AddItemToArray(items[i].rearm ? rearm : fresh, o);
	}
	jf = cJSON_PrintUnformatted(fresh);
	jr = cJSON_PrintUnformatted(rearm);
	if (jf == NULL || jr == NULL || db_begin(db) != 0)
		goto out;
	const char *p1[1] = { jf };
	r = db_exec(
		db, "record jobs",
		"INSERT INTO jobs (kind, subject, event_id, kickoff, state)"
		" SELECT kind, subject, event_id, to_timestamp(kickoff), 'pending'"
		" FROM jsonb_to_recordset($1::jsonb) AS x(kind text, subject text, event_id bigint,"
		"  kickoff bigint)"
		" ON CONFLICT (kind, subject) DO NOTHING RETURNING id",
		1, p1);
	if (r == NULL)
		goto fail;
	*recorded += (size_t)PQntuples(r);
	PQclear(r);
	const char *p2[1] = { jr };
	r = db_exec(
		db, "re-arm jobs",
		"UPDATE jobs j SET state = 'pending', kickoff = to_timestamp(x.kickoff), attempts = 0,"
		"  last_error = NULL, finished_at = NULL, updated_at = now()"
		" FROM jsonb_to_recordset($1::jsonb) AS x(kind text, subject text, kickoff bigint)"
		" WHERE j.kind = x.kind AND j.subject = x.subject AND j.state = 'expired'"
		" RETURNING j.id",
		1, p2);
	if (r == NULL)
		goto fail;
	*recorded += (size_t)PQntuples(r);
	PQclear(r);
	if (db_commit(db) != 0)
		goto fail;
	rc = 0;
	goto out;
fail:
	db_rollback(db);
out:
	free(jf);
	free(jr);
	cJSON_Delete(fresh);
	cJSON_Delete(rearm);
	return rc;
}

int store_pending_jobs(PGconn *db, struct work_msg **out, size_t *n, size_t max)
{
	char lim[32];
	const char *p[1] = { lim };
	PGresult *r;
	int rows;

	*out = NULL;
	*n = 0;
	snprintf(lim, sizeof(lim), "%zu", max);
	r = db_exec(
		db, "pending jobs",
		"SELECT kind, subject FROM jobs WHERE state = 'pending' ORDER BY id LIMIT $1::int",
		1, p);
	if (r == NULL)
		return -1;
	rows = PQntuples(r);
	*out = calloc((size_t)rows + 1, sizeof(**out));
	if (*out == NULL) {
		PQclear(r);
		return -1;
	}
	for (int i = 0; i < rows; i++) {
		struct work_msg *m = &(*out)[*n];
		const char *kind = PQgetvalue(r, i, 0), *subject = PQgetvalue(r, i, 1);
		int64_t a = 0, b = 0;
		int round = 0;

		memset(m, 0, sizeof(*m));
		m->type = msg_type_parse(kind, strlen(kind));
		if (m->type == MSG_TSTATS &&
		    sscanf(subject, "tournament-stats:%" SCNd64 ":%" SCNd64 ":%d", &a, &b,
			   &round) == 3) {
			m->unique_tournament_id = a;
			m->season_id = b;
			m->round = round;
		} else if (m->type != MSG_TSTATS && strchr(subject, ':') != NULL &&
			   sscanf(strchr(subject, ':') + 1, "%" SCNd64, &a) == 1) {
			m->event_id = a;
		} else {
			continue;
		}
		(*n)++;
	}
	PQclear(r);
	return 0;
}

int store_mark_enqueued(PGconn *db, const struct work_msg *msgs, size_t n)
{
	cJSON *arr = cJSON_CreateArray();
	char *js;
	int rc;

	for (size_t i = 0; i < n; i++) {
		cJSON *o = item_json(&msgs[i], 0);
		if (o != NULL)
			cJSON_AddItemToArray(arr, o);
	}
	js = cJSON_PrintUnformatted(arr);
	cJSON_Delete(arr);
	if (js == NULL)
		return -1;
	const char *p[1] = { js };
	rc = db_cmd(db, "mark enqueued",
		    "UPDATE jobs j SET state = 'enqueued', enqueued_at = now(), updated_at = now()"
		    " FROM jsonb_to_recordset($1::jsonb) AS x(kind text, subject text)"
		    " WHERE j.kind = x.kind AND j.subject = x.subject AND j.state = 'pending'",
		    1, p);
	free(js);
	return rc;
}

int store_requeue_stale(PGconn *db, int after, size_t *n)
{
	char secs[32];
	const char *p[1] = { secs };
	PGresult *r;

	*n = 0;
	snprintf(secs, sizeof(secs), "%d", after);
	r = db_exec(
		db, "requeue stale jobs",
		"WITH s AS (SELECT id, updated_at FROM jobs WHERE state = 'enqueued'"
		"  AND updated_at < now() - make_interval(secs => $1::int) FOR UPDATE)"
		" UPDATE jobs j SET state = 'pending', updated_at = now() FROM s"
		" WHERE j.id = s.id AND j.state = 'enqueued'"
		" RETURNING j.subject, j.attempts, EXTRACT(EPOCH FROM now() - s.updated_at)::bigint,"
		"  COALESCE(j.last_error, '')",
		1, p);
	if (r == NULL)
		return -1;
	for (int i = 0; i < PQntuples(r); i++) {
		char last[201]; /* the start of it is enough here */

		snprintf(last, sizeof(last), "%s", PQgetvalue(r, i, 3));
		log_warn("job requeued: enqueued with no news, published again subject=%s attempts=%s"
			 " no_news_s=%s last_error=%s",
			 PQgetvalue(r, i, 0), PQgetvalue(r, i, 1), PQgetvalue(r, i, 2),
			 log_quote(last));
	}
	*n = (size_t)PQntuples(r);
	PQclear(r);
	return 0;
}

int store_watch_candidates(PGconn *db, int after, struct store_watch **w, size_t *n)
{
	char secs[32];
	const char *p[1] = { secs };
	PGresult *r;
	int rows;

	*w = NULL;
	*n = 0;
	snprintf(secs, sizeof(secs), "%d", after);
	r = db_exec(db, "watch candidates",
		    "SELECT id, unique_tournament_id, EXTRACT(EPOCH FROM start_time)::bigint"
		    " FROM events WHERE status_type NOT IN ('finished', 'canceled', 'postponed')"
		    " AND start_time > now() - interval '3 days'"
		    " AND start_time <= now() - make_interval(secs => $1::int)"
		    " ORDER BY start_time, id LIMIT 200",
		    1, p);
	if (r == NULL)
		return -1;
	rows = PQntuples(r);
	*w = calloc((size_t)rows + 1, sizeof(**w));
	if (*w == NULL) {
		PQclear(r);
		return -1;
	}
	for (int i = 0; i < rows; i++) {
		(*w)[i].id = strtoll(PQgetvalue(r, i, 0), NULL, 10);
		(*w)[i].competition = strtoll(PQgetvalue(r, i, 1), NULL, 10);
		(*w)[i].start_ts = strtoll(PQgetvalue(r, i, 2), NULL, 10);
	}
	*n = (size_t)rows;
	PQclear(r);
	return 0;
}

int store_next_moments(PGconn *db, int lineup_lead, int watch_after, int64_t *lineup,
		       int64_t *watch)
{
	char lead[32], after[32];
	const char *p[2] = { lead, after };
	PGresult *r;

	*lineup = *watch = 0;
	snprintf(lead, sizeof(lead), "%d", lineup_lead);
	snprintf(after, sizeof(after), "%d", watch_after);
	r = db_exec(
		db, "next moments",
		"SELECT COALESCE(EXTRACT(EPOCH FROM min(start_time - make_interval(secs => $1::int))"
		"  FILTER (WHERE status_type = 'notstarted'"
		"  AND start_time - make_interval(secs => $1::int) > now())), 0)::bigint,"
		" COALESCE(EXTRACT(EPOCH FROM min(start_time + make_interval(secs => $2::int))"
		"  FILTER (WHERE status_type NOT IN ('finished', 'canceled', 'postponed')"
		"  AND start_time + make_interval(secs => $2::int) > now())), 0)::bigint"
		" FROM events WHERE start_time > now() - interval '3 days'"
		" AND start_time < now() + interval '3 days'",
		2, p);
	if (r == NULL)
		return -1;
	if (PQntuples(r) == 1) {
		*lineup = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
		*watch = strtoll(PQgetvalue(r, 0, 1), NULL, 10);
	}
	PQclear(r);
	return 0;
}

int store_job_gauges(PGconn *db)
{
	static const char *const kinds[] = { "line-up", "result", "tournament-stats" };
	static const char *const states[] = { "pending", "enqueued", "rendering" };
	PGresult *r = db_exec(db, "job gauges",
			      "SELECT kind, state, count(*)::text,"
			      " EXTRACT(EPOCH FROM now() - min(updated_at))::bigint::text FROM jobs"
			      " WHERE state IN ('pending', 'enqueued', 'rendering') GROUP BY 1, 2",
			      0, NULL);

	if (r == NULL)
		return -1;
	for (size_t k = 0; k < 3; k++)
		for (size_t s = 0; s < 3; s++) {
			metrics_set(M_JOBS, 0, "kind", kinds[k], "state", states[s], METRICS_END);
			metrics_set(M_JOBS_OLDEST, 0, "kind", kinds[k], "state", states[s],
				    METRICS_END);
		}
	for (int i = 0; i < PQntuples(r); i++) {
		const char *kind = PQgetvalue(r, i, 0), *state = PQgetvalue(r, i, 1);
		metrics_set(M_JOBS, strtod(PQgetvalue(r, i, 2), NULL), "kind", kind, "state", state,
			    METRICS_END);
		metrics_set(M_JOBS_OLDEST, strtod(PQgetvalue(r, i, 3), NULL), "kind", kind, "state",
			    state, METRICS_END);
	}
	PQclear(r);
	return 0;
}

int store_producer_seen(PGconn *db, const char *name, bool active, bool cycled)
{
	const char *p[3] = { name, active ? "active" : "standby", cycled ? "t" : "f" };

	return db_cmd(db, "producer seen",
		      "WITH gone AS (DELETE FROM producers WHERE seen_at < now() - interval '1 day')"
		      " INSERT INTO producers (name, role, last_cycle_at)"
		      " VALUES ($1, $2, CASE WHEN $3::boolean THEN now() END)"
		      " ON CONFLICT (name) DO UPDATE SET role = EXCLUDED.role, seen_at = now(),"
		      "  last_cycle_at = COALESCE(EXCLUDED.last_cycle_at, producers.last_cycle_at)",
		      3, p);
}
