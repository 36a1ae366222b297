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

static bool followed_has(const int64_t *f, size_t n, int64_t ut)
{
	for (size_t i = 0; i < n; i++)
		if (f[i] == ut)
			return true;
	return false;
}

static void add_team(cJSON *teams, const struct match_team *t)
{
	cJSON *o = cJSON_CreateObject();

	cJSON_AddNumberToObject(o, "id", (double)t->id);
	cJSON_AddStringToObject(o, "name", t->name);
	cJSON_AddStringToObject(o, "short_name", t->short_name);
	cJSON_AddStringToObject(o, "slug", t->slug);
	cJSON_AddStringToObject(o, "name_code", t->name_code);
	cJSON_AddItemToArray(teams, o);
}

static void add_opt_int(cJSON *o, const char *k, bool have, double v)
{
	if (have)
		cJSON_AddNumberToObject(o, k, v);
	else
		cJSON_AddNullToObject(o, k);
}

int store_upsert_events(PGconn *db, const struct match_event *evs, size_t n,
			const int64_t *followed, size_t nfollowed, size_t *kept, size_t *changed)
{
	cJSON *events = cJSON_CreateArray(), *teams = cJSON_CreateArray();
	cJSON *tours = cJSON_CreateArray();
	char *je = NULL, *jt = NULL, *jtour = NULL;
	PGresult *r;
	int rc = -1;

	*kept = *changed = 0;
	for (size_t i = 0; i < n; i++) {
		const struct match_event *e = &evs[i];
		cJSON *o;

		if (!followed_has(followed, nfollowed, e->unique_tournament_id))
			continue;
		(*kept)++;
		o = cJSON_CreateObject();
		cJSON_AddNumberToObject(o, "id", (double)e->id);
		cJSON_AddNumberToObject(o, "ut", (double)e->unique_tournament_id);
		cJSON_AddStringToObject(o, "tournament_name", e->tournament_name);
		add_opt_int(o, "season_id", e->season_id > 0, (double)e->season_id);
		cJSON_AddStringToObject(o, "season_name", e->season_name);
		add_opt_int(o, "round", e->round > 0, e->round);
		cJSON_AddStringToObject(o, "round_name", e->round_name);
		cJSON_AddNumberToObject(o, "home_team_id", (double)e->home.id);
		cJSON_AddNumberToObject(o, "away_team_id", (double)e->away.id);
		cJSON_AddStringToObject(o, "home_name", e->home.name);
		cJSON_AddStringToObject(o, "away_name", e->away.name);
		cJSON_AddNumberToObject(o, "start_ts", (double)e->start_ts);
		cJSON_AddNumberToObject(o, "status_code", e->status_code);
		cJSON_AddStringToObject(o, "status_type", match_status_name(e->status));
		cJSON_AddStringToObject(o, "status_description", e->status_desc);
		add_opt_int(o, "home_score", e->has_score, e->home_score);
		add_opt_int(o, "away_score", e->has_score, e->away_score);
		add_opt_int(o, "home_penalties", e->has_penalties, e->home_penalties);
		add_opt_int(o, "away_penalties", e->has_penalties, e->away_penalties);
		add_opt_int(o, "winner_code", e->winner_code > 0, e->winner_code);
		cJSON_AddStringToObject(o, "venue", e->venue);
		add_opt_int(o, "changed_ts", e->changed_ts > 0, (double)e->changed_ts);
		cJSON_AddItemToArray(events, o);
		add_team(teams, &e->home);
		add_team(teams, &e->away);
		o = cJSON_CreateObject();
		cJSON_AddNumberToObject(o, "id", (double)e->unique_tournament_id);
		cJSON_AddStringToObject(o, "name", e->tournament_name);
		cJSON_AddStringToObject(o, "slug", e->tournament_slug);
		cJSON_AddStringToObject(o, "category", e->category);
		cJSON_AddItemToArray(tours, o);
	}
	if (*kept == 0) {
		rc = 0;
		goto out;
	}
	je = cJSON_PrintUnformatted(events);
	jt = cJSON_PrintUnformatted(teams);
	jtour = cJSON_PrintUnformatted(tours);
	if (je == NULL || jt == NULL || jtour == NULL || db_begin(db) != 0)
		goto out;
	const char *pt[1] = { jtour };
	if (db_cmd(db, "upsert tournaments",
		   "INSERT INTO tournaments (unique_tournament_id, name, slug, category)"
		   " SELECT DISTINCT ON (id) id, name, slug, category FROM jsonb_to_recordset($1::jsonb)"
		   "  AS x(id bigint, name text, slug text, category text)"
		   " ON CONFLICT (unique_tournament_id) DO UPDATE SET name = EXCLUDED.name,"
		   "  slug = EXCLUDED.slug, category = EXCLUDED.category, updated_at = now()"
		   " WHERE (tournaments.name, tournaments.slug, tournaments.category)"
		   "  IS DISTINCT FROM (EXCLUDED.name, EXCLUDED.slug, EXCLUDED.category)",
		   1, pt) != 0)
		goto fail;
	const char *ptm[1] = { jt };
	if (db_cmd(db, "upsert teams",
		   "INSERT INTO teams (id, name, short_name, slug, name_code)"
		   " SELECT DISTINCT ON (id) id, name, short_name, slug, name_code"
		   "  FROM jsonb_to_recordset($1::jsonb)"
		   "  AS x(id bigint, name text, short_name text, slug text, name_code text)"
		   " ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, short_name = EXCLUDED.short_name,"
		   "  slug = EXCLUDED.slug, name_code = EXCLUDED.name_code, updated_at = now()"
		   " WHERE (teams.name, teams.short_name, teams.slug, teams.name_code)"
		   "  IS DISTINCT FROM (EXCLUDED.name, EXCLUDED.short_name, EXCLUDED.slug, EXCLUDED.name_code)",
		   1, ptm) != 0)
		goto fail;
	const char *pe[1] = { je };
	r = db_exec(
		db, "upsert events",
		"INSERT INTO events (id, unique_tournament_id, tournament_name, season_id, season_name,"
		"  round, round_name, home_team_id, away_team_id, home_name, away_name, start_time,"
		"  status_code, status_type, status_description, home_score, away_score,"
		"  home_penalties, away_penalties, winner_code, venue, changed_at)"
		" SELECT DISTINCT ON (id) id, ut, tournament_name, season_id, season_name, round,"
		"  round_name, home_team_id, away_team_id, home_name, away_name, to_timestamp(start_ts),"
		"  status_code, status_type, status_description, home_score, away_score,"
		"  home_penalties, away_penalties, winner_code, NULLIF(venue, ''),"
		"  to_timestamp(changed_ts)"
		" FROM jsonb_to_recordset($1::jsonb) AS x(id bigint, ut bigint, tournament_name text,"
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
		1, pe);
	if (r == NULL)
		goto fail;
	*changed = (size_t)PQntuples(r);
	PQclear(r);
	if (db_commit(db) != 0)
		goto fail;
	rc = 0;
	goto out;
fail:
	db_rollback(db);
out:
	free(je);
	free(jt);
	free(jtour);
	cJSON_Delete(events);
	cJSON_Delete(teams);
	cJSON_Delete(tours);
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
