#include "consumers/results/result.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "consumers/render.h"
#include "lib/clock.h"
#include "lib/db.h"
#include "lib/log.h"
#include "protocol/source.h"

/* Retries on the short tier while parts published right after the final
 * whistle (line-ups, incidents) are still missing; then render without. */
#define PARTIAL_RETRIES 3

/* Statistics shown in the video, in this order, when Sofascore has them. */
static const char *const stat_keys[] = {
	"ballPossession", "expectedGoals", "bigChanceCreated", "totalShotsOnGoal", "shotsOnGoal",
	"cornerKicks",	  "fouls",	   "goalkeeperSaves",  "offsides",	   "yellowCards",
	"redCards",	  "passes",	   "accuratePasses",
};

void result_score_display(const struct match_event *ev, char *buf, size_t n)
{
	if (!ev->has_score) {
		snprintf(buf, n, "-");
		return;
	}
	/* "display" never includes a penalty shoot-out; "current" does */
	if (ev->status_code == 120 && ev->has_penalties)
		snprintf(buf, n, "%d-%d (%d-%d pens)", ev->home_score, ev->away_score,
			 ev->home_penalties, ev->away_penalties);
	else if (ev->status_code == 110)
		snprintf(buf, n, "%d-%d (AET)", ev->home_score, ev->away_score);
	else
		snprintf(buf, n, "%d-%d", ev->home_score, ev->away_score);
}

static int by_minute(const void *a, const void *b)
{
	const struct match_incident *x = *(const struct match_incident *const *)a;
	const struct match_incident *y = *(const struct match_incident *const *)b;

	if (x->minute != y->minute)
		return x->minute < y->minute ? -1 : 1;
	if (x->added_time != y->added_time)
		return x->added_time < y->added_time ? -1 : 1;
	/* same minute: the lower running score came first */
	return (x->home_score + x->away_score) - (y->home_score + y->away_score);
}

static const char *goal_type(const char *klass)
{
	if (strcmp(klass, "penalty") == 0)
		return "penalty";
	if (strcmp(klass, "ownGoal") == 0)
		return "own-goal";
	return "regular";
}

static cJSON *side_json(const struct result_data *d, const struct match_team *t, bool home,
			const struct match_incident *const *goals, size_t ngoals)
{
	const struct match_event *ev = &d->ev;
	cJSON *o = cJSON_CreateObject(), *sc;

	cJSON_AddNumberToObject(o, "id", (double)t->id);
	cJSON_AddStringToObject(o, "name", t->name);
	cJSON_AddStringToObject(o, "short_name", t->short_name[0] ? t->short_name : t->name);
	cJSON_AddStringToObject(o, "crest_url", t->crest_url);
	cJSON_AddNumberToObject(o, "score", home ? ev->home_score : ev->away_score);
	if (ev->has_penalties)
		cJSON_AddNumberToObject(o, "penalties",
					home ? ev->home_penalties : ev->away_penalties);
	sc = cJSON_AddArrayToObject(o, "scorers");
	for (size_t i = 0; i < ngoals; i++) {
		const struct match_incident *g = goals[i];
		cJSON *s;
		char minute[16];

		if (strcmp(g->side, home ? "home" : "away") != 0)
			continue;
		s = cJSON_CreateObject();
		cJSON_AddStringToObject(s, "name", g->player);
		if (g->added_time > 0)
			snprintf(minute, sizeof(minute), "%d+%d", g->minute, g->added_time);
		else
			snprintf(minute, sizeof(minute), "%d", g->minute);
		cJSON_AddStringToObject(s, "minute", minute);
		cJSON_AddStringToObject(s, "type", goal_type(g->klass));
		cJSON_AddItemToArray(sc, s);
	}
	return o;
}

static double stat_number(const struct match_stat *s, bool home)
{
	return home ? s->home_value : s->away_value;
}

cJSON *result_document(const struct result_data *d)
{
	const struct match_event *ev = &d->ev;
	const struct match_incident *goals[256];
	size_t ngoals = 0;
	cJSON *doc = cJSON_CreateObject(), *e, *st;
	char iso[32], disp[64];

	cJSON_AddStringToObject(doc, "kind", "result");
	e = cJSON_AddObjectToObject(doc, "event");
	cJSON_AddNumberToObject(e, "id", (double)ev->id);
	clock_iso_utc(ev->start_ts, iso, sizeof(iso));
	cJSON_AddStringToObject(e, "start_time", iso);
	cJSON_AddStringToObject(e, "tournament", ev->tournament_name);
	cJSON_AddStringToObject(e, "season", ev->season_name);
	if (ev->round > 0)
		cJSON_AddNumberToObject(e, "round", ev->round);
	else
		cJSON_AddNullToObject(e, "round");
	if (ev->venue[0] != '\0')
		cJSON_AddStringToObject(e, "venue", ev->venue);
	cJSON_AddNumberToObject(doc, "status_code", ev->status_code);
	result_score_display(ev, disp, sizeof(disp));
	cJSON_AddStringToObject(doc, "score_display", disp);
	cJSON_AddBoolToObject(doc, "after_extra_time",
			      ev->status_code == 110 || ev->status_code == 120);

	for (size_t i = 0; i < d->ninc && ngoals < 256; i++)
		if (strcmp(d->inc[i].type, "goal") == 0 && d->inc[i].side[0] != '\0')
			goals[ngoals++] = &d->inc[i];
	qsort(goals, ngoals, sizeof(goals[0]), by_minute);
	cJSON_AddItemToObject(doc, "home", side_json(d, &ev->home, true, goals, ngoals));
	cJSON_AddItemToObject(doc, "away", side_json(d, &ev->away, false, goals, ngoals));

	st = cJSON_AddArrayToObject(doc, "statistics");
	for (size_t k = 0; k < sizeof(stat_keys) / sizeof(stat_keys[0]); k++) {
		for (size_t i = 0; i < d->nstats; i++) {
			const struct match_stat *s = &d->stats[i];
			cJSON *o;
			if (strcmp(s->period, "ALL") != 0 || strcmp(s->key, stat_keys[k]) != 0 ||
			    !s->has_values)
				continue;
			o = cJSON_CreateObject();
			cJSON_AddStringToObject(o, "key", s->key);
			cJSON_AddStringToObject(o, "name", s->name);
			cJSON_AddNumberToObject(o, "home", stat_number(s, true));
			cJSON_AddNumberToObject(o, "away", stat_number(s, false));
			cJSON_AddStringToObject(o, "home_display", s->home);
			cJSON_AddStringToObject(o, "away_display", s->away);
			cJSON_AddItemToArray(st, o);
			break;
		}
	}

	/* player of the match: the best rating; ties by minutes, then id */
	const struct match_player *best = NULL;
	const char *best_team = NULL;
	if (d->have_lineups) {
		const struct match_side *sides[2] = { &d->lineups.home, &d->lineups.away };
		const char *teams[2] = { ev->home.name, ev->away.name };
		for (int s = 0; s < 2; s++) {
			for (size_t i = 0; i < sides[s]->nplayers; i++) {
				const struct match_player *p = &sides[s]->players[i];
				if (!p->has_rating)
					continue;
				if (best == NULL || p->rating > best->rating ||
				    (p->rating == best->rating &&
				     (p->minutes > best->minutes ||
				      (p->minutes == best->minutes && p->id < best->id)))) {
					best = p;
					best_team = teams[s];
				}
			}
		}
	}
	if (best != NULL) {
		cJSON *p = cJSON_AddObjectToObject(doc, "player_of_the_match");
		cJSON_AddStringToObject(p, "name", best->name);
		cJSON_AddStringToObject(p, "team", best_team);
		cJSON_AddNumberToObject(p, "rating", best->rating);
	}
	return doc;
}

void result_data_free(struct result_data *d)
{
	if (d->have_lineups)
		match_lineups_free(&d->lineups);
	free(d->stats);
	free(d->inc);
	memset(d, 0, sizeof(*d));
}

/* ---- storage --------------------------------------------------------------- */

static void add_num_or_null(cJSON *o, const char *k, bool have, double v)
{
	if (have)
		cJSON_AddNumberToObject(o, k, v);
	else
		cJSON_AddNullToObject(o, k);
}

/* A result a branch deferred: result_flush() stores it with the batch's,
 * then asks for its video. */
struct deferred {
	struct result_data d;
	const struct work_msg *m;
	struct outcome *out;
};

/* bf-results' batch (ctx->branch_data). */
struct result_batch {
	/* result_prefetch(): the events rows' venues (/event has none) */
	size_t nrows;
	int64_t ids[CONSUMER_BATCH_MAX];
	bool found[CONSUMER_BATCH_MAX];
	char venue[CONSUMER_BATCH_MAX][MATCH_MAX_STR];
	/* the events of the batch, taken together by its first branch (then
	 * the parts of the finished ones are asked side by side) */
	size_t nev;
	bool events_taken;
	int64_t ev_ids[CONSUMER_BATCH_MAX];
	enum source_result ev_res[CONSUMER_BATCH_MAX];
	struct source_resp ev_r[CONSUMER_BATCH_MAX];
	struct match_event ev[CONSUMER_BATCH_MAX];
	/* the branches' results, stored by result_flush() */
	size_t n;
	struct deferred q[CONSUMER_BATCH_MAX];
};

static struct result_batch *batch_of(struct consumer_ctx *ctx)
{
	if (ctx->branch_data == NULL)
		ctx->branch_data = calloc(1, sizeof(struct result_batch));
	return ctx->branch_data;
}

/* The batch's rows, in COPY's text format. */
struct rows {
	struct db_copy sides, players, stats, inc;
};

static void copy_text_or_null(struct db_copy *b, const char *s)
{
	db_copy_text(b, s != NULL && s[0] != '\0' ? s : NULL);
}

/* The rows of one result (its events row in events), added to the batch's:
 * a player or a statistic twice in an answer is stored once. */
static void rows_of(const struct result_data *d, cJSON *events, struct rows *w)
{
	const struct match_event *ev = &d->ev;
	cJSON *e = cJSON_CreateObject();

	cJSON_AddNumberToObject(e, "id", (double)ev->id);
	cJSON_AddNumberToObject(e, "code", ev->status_code);
	cJSON_AddStringToObject(e, "status", match_status_name(ev->status));
	add_num_or_null(e, "hs", ev->has_score, ev->home_score);
	add_num_or_null(e, "as", ev->has_score, ev->away_score);
	add_num_or_null(e, "hp", ev->has_penalties, ev->home_penalties);
	add_num_or_null(e, "ap", ev->has_penalties, ev->away_penalties);
	add_num_or_null(e, "wc", ev->winner_code > 0, ev->winner_code);
	cJSON_AddStringToObject(e, "descr", ev->status_desc);
	cJSON_AddItemToArray(events, e);
	if (d->have_lineups) {
		const struct match_side *ss[2] = { &d->lineups.home, &d->lineups.away };
		const struct match_team *tt[2] = { &ev->home, &ev->away };
		for (int s = 0; s < 2; s++) {
			const char *side = s == 0 ? "home" : "away";
			db_copy_int(&w->sides, ev->id);
			db_copy_text(&w->sides, side);
			db_copy_int(&w->sides, tt[s]->id);
			copy_text_or_null(&w->sides, ss[s]->formation);
			db_copy_bool(&w->sides, d->lineups.confirmed);
			db_copy_row(&w->sides);
			for (size_t i = 0; i < ss[s]->nplayers; i++) {
				const struct match_player *p = &ss[s]->players[i];
				bool twice = false;
				for (size_t j = 0; j < i && !twice; j++)
					twice = ss[s]->players[j].id == p->id;
				if (twice)
					continue;
				db_copy_int(&w->players, ev->id);
				db_copy_text(&w->players, side);
				db_copy_int(&w->players, p->id);
				db_copy_text(&w->players, p->name);
				db_copy_text(&w->players, p->short_name);
				copy_text_or_null(&w->players, p->position);
				db_copy_opt_int(&w->players, p->shirt > 0, p->shirt);
				db_copy_bool(&w->players, p->substitute);
				db_copy_bool(&w->players, p->captain);
				db_copy_opt_int(&w->players, p->minutes >= 0, p->minutes);
				db_copy_opt_double(&w->players, p->has_rating, p->rating);
				db_copy_text(&w->players, p->stats_json); /* NULL: none */
				db_copy_row(&w->players);
			}
		}
	}
	for (size_t i = 0; i < d->nstats; i++) {
		const struct match_stat *s = &d->stats[i];
		bool twice = false;
		for (size_t j = 0; j < i && !twice; j++)
			twice = strcmp(d->stats[j].period, s->period) == 0 &&
				strcmp(d->stats[j].key, s->key) == 0;
		if (twice)
			continue;
		db_copy_int(&w->stats, ev->id);
		db_copy_text(&w->stats, s->period);
		db_copy_text(&w->stats, s->key);
		db_copy_text(&w->stats, s->name);
		db_copy_text(&w->stats, s->group);
		db_copy_text(&w->stats, s->home);
		db_copy_text(&w->stats, s->away);
		db_copy_opt_double(&w->stats, s->has_values, s->home_value);
		db_copy_opt_double(&w->stats, s->has_values, s->away_value);
		db_copy_row(&w->stats);
	}
	for (size_t i = 0; i < d->ninc; i++) {
		const struct match_incident *x = &d->inc[i];
		db_copy_int(&w->inc, ev->id);
		db_copy_int(&w->inc, (long long)i);
		db_copy_opt_int(&w->inc, x->id > 0, x->id);
		db_copy_text(&w->inc, x->type);
		copy_text_or_null(&w->inc, x->klass);
		db_copy_int(&w->inc, x->minute);
		db_copy_opt_int(&w->inc, x->added_time > 0, x->added_time);
		db_copy_opt_int(&w->inc, x->player_id > 0, x->player_id);
		copy_text_or_null(&w->inc, x->player);
		copy_text_or_null(&w->inc, x->assist);
		copy_text_or_null(&w->inc, x->side);
		db_copy_opt_int(&w->inc, x->has_score, x->home_score);
		db_copy_opt_int(&w->inc, x->has_score, x->away_score);
		db_copy_row(&w->inc);
	}
}

/*
 * Stores the results q[idx[0..k-1]] in one transaction: the events rows
 * updated and their old line-ups, sides, statistics and incidents deleted
 * in one statement, the new ones copied in (COPY, one per table for all of
 * them): re-processing replaces, never duplicates.  An event twice in the
 * batch is stored once (its later answer).  0, or -1 (rolled back).
 */
static int store_many(PGconn *db, void *arg, const size_t *idx, size_t k)
{
	const struct result_batch *b = arg;
	cJSON *events = cJSON_CreateArray();
	struct rows w;
	struct strbuf ids = { 0 };
	int64_t stored[CONSUMER_BATCH_MAX];
	size_t nstored = 0;
	char *je = NULL;
	int rc = -1;

	memset(&w, 0, sizeof(w));
	for (size_t i = 0; i < k; i++) {
		const struct result_data *d = &b->q[idx[i]].d;
		bool later = false;
		for (size_t j = i + 1; j < k && !later; j++)
			later = b->q[idx[j]].d.ev.id == d->ev.id;
		if (later)
			continue;
		rows_of(d, events, &w);
		stored[nstored++] = d->ev.id;
	}
	db_array_int(&ids, stored, nstored);
	if ((je = cJSON_PrintUnformatted(events)) == NULL || ids.oom)
		goto out;
	const char *p[2] = { je, ids.p };
	if (db_begin(db) != 0)
		goto out;
	if (db_cmd(db, "result events",
		   "WITH l AS (DELETE FROM lineups WHERE event_id = ANY($2::bigint[])),"
		   " s AS (DELETE FROM lineup_sides WHERE event_id = ANY($2::bigint[])),"
		   " t AS (DELETE FROM team_statistics WHERE event_id = ANY($2::bigint[])),"
		   " i AS (DELETE FROM incidents WHERE event_id = ANY($2::bigint[]))"
		   " UPDATE events SET status_code = x.code, status_type = x.status,"
		   " home_score = x.hs, away_score = x.as, home_penalties = x.hp,"
		   " away_penalties = x.ap, winner_code = x.wc, status_description = x.descr,"
		   " result_stored_at = now(), updated_at = now()"
		   " FROM jsonb_to_recordset($1::jsonb) AS x(id bigint, code int, status text, hs int,"
		   "  \"as\" int, hp int, ap int, wc int, descr text)"
		   " WHERE events.id = x.id",
		   2, p) != 0 ||
	    db_copy(db, "store sides",
		    "COPY lineup_sides (event_id, side, team_id, formation, confirmed) FROM STDIN",
		    &w.sides) != 0 ||
	    db_copy(db, "store lineups",
		    "COPY lineups (event_id, side, player_id, player_name, short_name, position,"
		    " shirt, substitute, captain, minutes, rating, stats) FROM STDIN",
		    &w.players) != 0 ||
	    db_copy(db, "store statistics",
		    "COPY team_statistics (event_id, period, key, name, group_name, home, away,"
		    " home_value, away_value) FROM STDIN",
		    &w.stats) != 0 ||
	    db_copy(db, "store incidents",
		    "COPY incidents (event_id, seq, incident_id, type, class, minute, added_time,"
		    " player_id, player_name, assist_name, side, home_score, away_score) FROM STDIN",
		    &w.inc) != 0 ||
	    db_commit(db) != 0) {
		db_rollback(db);
		goto out;
	}
	rc = 0;
out:
	free(je);
	strbuf_free(&ids);
	cJSON_Delete(events);
	db_copy_free(&w.sides);
	db_copy_free(&w.players);
	db_copy_free(&w.stats);
	db_copy_free(&w.inc);
	return rc;
}

/* Asks for the video of a stored result. */
static void render_result(struct consumer_ctx *ctx, const struct work_msg *m,
			  const struct result_data *d, struct outcome *out)
{
	char subject[MSG_KEY_MAX];
	cJSON *doc = result_document(d);

	if (msg_key(m, subject, sizeof(subject)) < 0 || doc == NULL) {
		cJSON_Delete(doc);
		outcome_dead(out, "poison", "invalid event id");
		return;
	}
	render_request(ctx->render, &ctx->cfg->tpl_result, "result", subject, doc, out);
	cJSON_Delete(doc);
}

void result_flush(struct consumer_ctx *ctx)
{
	struct result_batch *b = ctx->branch_data;
	bool ok[CONSUMER_BATCH_MAX];

	if (b == NULL)
		return;
	int64_t t0 = clock_mono_ms();
	if (b->n > 0)
		consumer_write_batch(ctx, b->n, store_many, b, ok);
	if (b->n > 0)
		log_debug("results batch stored=%zu store_ms=%" PRId64, b->n, clock_mono_ms() - t0);
	for (size_t i = 0; i < b->n; i++) {
		struct deferred *x = &b->q[i];
		if (ok[i])
			render_result(ctx, x->m, &x->d, x->out);
		else
			outcome_retry(x->out, 0, "database", "storing the result failed");
		result_data_free(&x->d);
	}
	/* the next batch's prefetch reads its own */
	b->n = b->nrows = b->nev = 0;
}

void result_prefetch(struct consumer_ctx *ctx, const struct work_msg *const *msgs, size_t n)
{
	struct result_batch *b = batch_of(ctx);
	struct strbuf ids = { 0 };
	int64_t want[CONSUMER_BATCH_MAX];
	PGresult *r;

	if (b == NULL || n == 0 || n > CONSUMER_BATCH_MAX)
		return;
	b->nrows = 0;
	for (size_t i = 0; i < n; i++)
		want[i] = msgs[i]->event_id;
	db_array_int(&ids, want, n);
	if (!ids.oom && (!db_broken(ctx->db) || db_reconnect(ctx->db) == 0)) {
		const char *p[1] = { ids.p };
		r = db_exec(
			ctx->db, "result venues",
			"SELECT id, COALESCE(venue, '') FROM events WHERE id = ANY($1::bigint[])",
			1, p);
		for (size_t i = 0; r != NULL && i < n; i++) {
			b->ids[i] = want[i];
			b->found[i] = false;
			for (int t = 0; t < PQntuples(r); t++)
				if (strtoll(PQgetvalue(r, t, 0), NULL, 10) == want[i]) {
					snprintf(b->venue[i], sizeof(b->venue[i]), "%s",
						 PQgetvalue(r, t, 1));
					b->found[i] = true;
					break;
				}
		}
		if (r != NULL)
			b->nrows = n;
		PQclear(r);
	}
	strbuf_free(&ids);
	/* the parts are asked once the events say which are finished */
	b->nev = n;
	b->events_taken = false;
	memcpy(b->ev_ids, want, n * sizeof(want[0]));
	source_prefetch_events(ctx->src, want, n);
}

/*
 * The event m asks for: the batch's events are taken together (answers
 * fetched ahead by result_prefetch), then the line-ups, statistics and
 * incidents of the finished ones are started side by side, so that a
 * batch costs two rounds of requests and an event that is not final
 * costs no part.  A provider that answers an event's parts with it (one
 * answer per event, kept for its parts only while it is the last one
 * asked) is asked event by event.
 */
static enum source_result take_event(struct consumer_ctx *ctx, int64_t id, struct match_event *ev,
				     struct source_resp *r)
{
	struct result_batch *b = ctx->branch_data;
	int64_t fin[CONSUMER_BATCH_MAX];
	size_t nfin = 0;

	if (b == NULL || b->nev == 0 || source_batch_max(ctx->src) > 0)
		return source_get_event(ctx->src, id, 0, ev, r);
	if (!b->events_taken) {
		int64_t t0 = clock_mono_ms();
		b->events_taken = true;
		for (size_t i = 0; i < b->nev; i++) {
			size_t j = 0;
			while (j < i && b->ev_ids[j] != b->ev_ids[i])
				j++;
			if (j < i) { /* twice in the batch: asked once */
				b->ev_res[i] = b->ev_res[j];
				b->ev_r[i] = b->ev_r[j];
				b->ev[i] = b->ev[j];
				continue;
			}
			b->ev_res[i] =
				source_get_event(ctx->src, b->ev_ids[i], 0, &b->ev[i], &b->ev_r[i]);
			if ((b->ev_res[i] == SOURCE_OK || b->ev_res[i] == SOURCE_NOT_MODIFIED) &&
			    b->ev[i].status == MATCH_ST_FINISHED)
				fin[nfin++] = b->ev_ids[i];
		}
		int64_t t1 = clock_mono_ms();
		source_prefetch_event_parts(ctx->src, fin, nfin);
		log_debug("results batch events=%zu events_ms=%" PRId64
			  " final=%zu parts_start_ms=%" PRId64,
			  b->nev, t1 - t0, nfin, clock_mono_ms() - t1);
	}
	for (size_t i = 0; i < b->nev; i++)
		if (b->ev_ids[i] == id) {
			*ev = b->ev[i];
			*r = b->ev_r[i];
			return b->ev_res[i];
		}
	return source_get_event(ctx->src, id, 0, ev, r);
}

/* The venue the events row has for id (the schedule had one); "" when none. */
static void venue_of(struct consumer_ctx *ctx, int64_t id, char *venue, size_t n)
{
	const struct result_batch *b = ctx->branch_data;
	char ids[32];
	const char *p[1] = { ids };
	PGresult *vr;

	for (size_t i = 0; b != NULL && i < b->nrows; i++)
		if (b->ids[i] == id) {
			snprintf(venue, n, "%s", b->found[i] ? b->venue[i] : "");
			return;
		}
	if (db_broken(ctx->db))
		return;
	snprintf(ids, sizeof(ids), "%" PRId64, id);
	vr = db_exec(ctx->db, "event venue",
		     "SELECT COALESCE(venue, '') FROM events WHERE id = $1::bigint", 1, p);
	if (vr != NULL && PQntuples(vr) == 1)
		snprintf(venue, n, "%s", PQgetvalue(vr, 0, 0));
	PQclear(vr);
}

/* ---- branch ------------------------------------------------------------------ */

/* What came of asking for a part: 1 = it is there, 0 = not found, 2 = it
 * came unreadable (r->error says why), -1 = failure (out is set). */
static int got(const struct consumer_ctx *ctx, enum source_result res, const struct source_resp *r,
	       const char *what, struct outcome *out)
{
	switch (res) {
	case SOURCE_OK:
	case SOURCE_NOT_MODIFIED:
		return 1;
	case SOURCE_NOT_FOUND:
		return 0;
	case SOURCE_BAD:
		if (r->reason == SOURCE_R_UNREADABLE)
			return 2;
		outcome_retry(out, 0, "bad-response", "%s: %s", what, r->error);
		return -1;
	default:
		consumer_source_failure(ctx, r, what, out);
		return -1;
	}
}

static int shortest_tier(const struct consumer_ctx *ctx)
{
	const struct topo_queue *tiers[CFG_MAX_TIERS];
	size_t n = topo_wait_tiers(&ctx->topo, ctx->type, tiers, CFG_MAX_TIERS);

	return n > 0 ? tiers[0]->ttl : 0;
}

void result_branch(struct consumer_ctx *ctx, const struct work_msg *m, struct outcome *out)
{
	struct result_data d;
	struct source_resp r;
	int part;

	memset(&d, 0, sizeof(d));
	memset(out, 0, sizeof(*out));
	part = got(ctx, take_event(ctx, m->event_id, &d.ev, &r), &r, "event", out);
	if (part < 0)
		return;
	if (part == 0) {
		outcome_dead(out, "unknown-event", "%s has no event %" PRId64 " (%s)",
			     source_provider(ctx->src), m->event_id, r.error);
		return;
	}
	if (part == 2) {
		outcome_retry(out, 0, "bad-response", "event: %s", r.error);
		return;
	}
	/* the provider's own crest URL when it sent one */
	if (d.ev.home.crest_url[0] == '\0')
		source_crest_url(ctx->src, d.ev.home.id, d.ev.home.crest_url,
				 sizeof(d.ev.home.crest_url));
	if (d.ev.away.crest_url[0] == '\0')
		source_crest_url(ctx->src, d.ev.away.id, d.ev.away.crest_url,
				 sizeof(d.ev.away.crest_url));
	if (d.ev.venue[0] == '\0') /* /event/{id} has no top-level venue; the schedule had one */
		venue_of(ctx, m->event_id, d.ev.venue, sizeof(d.ev.venue));
	if (d.ev.status != MATCH_ST_FINISHED) {
		/* the producer was early, or Sofascore corrected the status */
		outcome_retry(out, 0, "not-final", "status %s (code %d) is not final yet",
			      d.ev.status_type, d.ev.status_code);
		return;
	}

	bool partial = false;
	part = got(ctx, source_get_lineups(ctx->src, m->event_id, true, &d.lineups, &r), &r,
		   "line-ups", out);
	if (part < 0)
		goto out;
	if (part == 1)
		d.have_lineups = true;
	else if (part == 2)
		log_warn("line-ups unreadable event_id=%" PRId64 " error=%s", m->event_id,
			 log_quote(r.error));
	else
		partial = true;
	/* lower leagues have no statistics (404): not an error */
	part = got(ctx, source_get_statistics(ctx->src, m->event_id, &d.stats, &d.nstats, &r), &r,
		   "statistics", out);
	if (part < 0)
		goto out;
	if (part == 2)
		log_warn("statistics unreadable event_id=%" PRId64 " error=%s", m->event_id,
			 log_quote(r.error));
	part = got(ctx, source_get_incidents(ctx->src, m->event_id, &d.inc, &d.ninc, &r), &r,
		   "incidents", out);
	if (part < 0)
		goto out;
	if (part == 2) {
		log_warn("incidents unreadable event_id=%" PRId64 " error=%s", m->event_id,
			 log_quote(r.error));
		partial = true;
	} else if (part == 0) {
		partial = true;
	}
	if (partial && ctx->attempt < PARTIAL_RETRIES) {
		outcome_retry(out, shortest_tier(ctx), "partial",
			      "line-ups or incidents not published yet");
		goto out;
	}
	if (db_broken(ctx->db) && db_reconnect(ctx->db) != 0) {
		outcome_retry(out, 0, "database", "database unavailable");
		goto out;
	}
	/* stored with the batch's results by result_flush(), which then asks
	 * for the video */
	struct result_batch *b = batch_of(ctx);
	if (b != NULL && b->n < CONSUMER_BATCH_MAX) {
		struct deferred *x = &b->q[b->n++];
		x->d = d;
		x->m = m;
		x->out = out;
		out->kind = OUT_DEFERRED;
		return;
	}
	outcome_retry(out, 0, "internal", "out of memory");
out:
	result_data_free(&d);
}
