#include "consumers/lineups/lineup.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "consumers/render.h"
#include "lib/clock.h"
#include "lib/jarena.h"
#include "lib/db.h"
#include "lib/log.h"
#include "protocol/source.h"

static int by_shirt(const void *a, const void *b)
{
	const struct match_player *x = *(const struct match_player *const *)a;
	const struct match_player *y = *(const struct match_player *const *)b;
	int sx = x->shirt > 0 ? x->shirt : 1000, sy = y->shirt > 0 ? y->shirt : 1000;

	if (sx != sy)
		return sx < sy ? -1 : 1;
	return x->id < y->id ? -1 : x->id > y->id;
}

/* captain: null when the provider does not say (API-Football before
 * kick-off), never a false "not captain". */
static cJSON *player_json(const struct match_player *p, bool captain_unknown)
{
	cJSON *o = cJSON_CreateObject();

	cJSON_AddNumberToObject(o, "id", (double)p->id);
	cJSON_AddStringToObject(o, "name", p->name);
	cJSON_AddStringToObject(o, "short_name", p->short_name);
	if (p->shirt > 0)
		cJSON_AddNumberToObject(o, "shirt_number", p->shirt);
	else
		cJSON_AddNullToObject(o, "shirt_number");
	cJSON_AddStringToObject(o, "position", p->position);
	if (captain_unknown)
		cJSON_AddNullToObject(o, "captain");
	else
		cJSON_AddBoolToObject(o, "captain", p->captain);
	return o;
}

static cJSON *side_json(const struct match_team *t, const struct match_side *s)
{
	cJSON *o = cJSON_CreateObject();
	const struct match_player *sorted[MATCH_MAX_PLAYERS] = { NULL };
	cJSON *starters, *subs, *missing;
	size_t n = s->nplayers < MATCH_MAX_PLAYERS ? s->nplayers : MATCH_MAX_PLAYERS;

	cJSON_AddNumberToObject(o, "id", (double)t->id);
	cJSON_AddStringToObject(o, "name", t->name);
	cJSON_AddStringToObject(o, "short_name", t->short_name[0] ? t->short_name : t->name);
	cJSON_AddStringToObject(o, "crest_url", t->crest_url);
	cJSON_AddStringToObject(o, "formation", s->formation);
	for (size_t i = 0; i < n; i++)
		sorted[i] = &s->players[i];
	qsort(sorted, n, sizeof(sorted[0]), by_shirt);
	starters = cJSON_AddArrayToObject(o, "starters");
	subs = cJSON_AddArrayToObject(o, "substitutes");
	for (size_t i = 0; i < n; i++)
		cJSON_AddItemToArray(sorted[i]->substitute ? subs : starters,
				     player_json(sorted[i], s->captain_unknown));
	missing = cJSON_AddArrayToObject(o, "missing");
	for (size_t i = 0; i < s->nmissing; i++) {
		cJSON *m = cJSON_CreateObject();
		cJSON_AddStringToObject(m, "name", s->missing[i].name);
		cJSON_AddStringToObject(m, "reason", s->missing[i].reason);
		cJSON_AddItemToArray(missing, m);
	}
	return o;
}

cJSON *lineup_document(const struct lineup_event *ev, const struct match_lineups *l)
{
	cJSON *doc = cJSON_CreateObject();
	cJSON *e;
	char iso[32];

	cJSON_AddStringToObject(doc, "kind", "line-up");
	e = cJSON_AddObjectToObject(doc, "event");
	cJSON_AddNumberToObject(e, "id", (double)ev->id);
	clock_iso_utc(ev->start_ts, iso, sizeof(iso));
	cJSON_AddStringToObject(e, "start_time", iso);
	cJSON_AddStringToObject(e, "tournament", ev->tournament);
	cJSON_AddStringToObject(e, "season", ev->season);
	if (ev->round > 0)
		cJSON_AddNumberToObject(e, "round", ev->round);
	else
		cJSON_AddNullToObject(e, "round");
	if (ev->venue[0] != '\0')
		cJSON_AddStringToObject(e, "venue", ev->venue);
	cJSON_AddItemToObject(doc, "home", side_json(&ev->home, &l->home));
	cJSON_AddItemToObject(doc, "away", side_json(&ev->away, &l->away));
	return doc;
}

int lineup_recheck_tier(const struct consumer_ctx *ctx, int64_t start_ts, int64_t now)
{
	const struct topo_queue *tiers[CFG_MAX_TIERS];
	size_t n = topo_wait_tiers(&ctx->topo, MSG_LINEUP, tiers, CFG_MAX_TIERS);

	if (n == 0)
		return 0;
	if (start_ts - now > ctx->cfg->lineups_near_kickoff)
		return tiers[n - 1]->ttl;
	return tiers[0]->ttl;
}

#define EVENT_COLUMNS                                                                               \
	"SELECT e.id, EXTRACT(EPOCH FROM e.start_time)::bigint, e.status_type,"                     \
	" COALESCE(e.tournament_name, ''), COALESCE(e.season_name, ''), COALESCE(e.round, 0),"      \
	" COALESCE(e.venue, ''), e.home_team_id, e.home_name, COALESCE(h.short_name, e.home_name)," \
	" e.away_team_id, e.away_name, COALESCE(a.short_name, e.away_name)"                         \
	" FROM events e LEFT JOIN teams h ON h.id = e.home_team_id"                                 \
	" LEFT JOIN teams a ON a.id = e.away_team_id"

static void event_from_row(const PGresult *r, int t, struct lineup_event *ev)
{
	memset(ev, 0, sizeof(*ev));
	ev->id = strtoll(PQgetvalue(r, t, 0), NULL, 10);
	ev->start_ts = strtoll(PQgetvalue(r, t, 1), NULL, 10);
	snprintf(ev->status_type, sizeof(ev->status_type), "%s", PQgetvalue(r, t, 2));
	snprintf(ev->tournament, sizeof(ev->tournament), "%s", PQgetvalue(r, t, 3));
	snprintf(ev->season, sizeof(ev->season), "%s", PQgetvalue(r, t, 4));
	ev->round = (int)strtol(PQgetvalue(r, t, 5), NULL, 10);
	snprintf(ev->venue, sizeof(ev->venue), "%s", PQgetvalue(r, t, 6));
	ev->home.id = strtoll(PQgetvalue(r, t, 7), NULL, 10);
	snprintf(ev->home.name, sizeof(ev->home.name), "%s", PQgetvalue(r, t, 8));
	snprintf(ev->home.short_name, sizeof(ev->home.short_name), "%s", PQgetvalue(r, t, 9));
	ev->away.id = strtoll(PQgetvalue(r, t, 10), NULL, 10);
	snprintf(ev->away.name, sizeof(ev->away.name), "%s", PQgetvalue(r, t, 11));
	snprintf(ev->away.short_name, sizeof(ev->away.short_name), "%s", PQgetvalue(r, t, 12));
}

/* The events row; 1 found, 0 unknown, -1 database error. */
static int load_event(PGconn *db, int64_t id, struct lineup_event *ev)
{
	char ids[32];
	const char *p[1] = { ids };
	PGresult *r;

	memset(ev, 0, sizeof(*ev));
	snprintf(ids, sizeof(ids), "%" PRId64, id);
	r = db_exec(db, "line-up event", EVENT_COLUMNS " WHERE e.id = $1::bigint", 1, p);
	if (r == NULL)
		return -1;
	if (PQntuples(r) != 1) {
		PQclear(r);
		return 0;
	}
	event_from_row(r, 0, ev);
	PQclear(r);
	return 1;
}

/* The events rows of a batch, read by lineup_prefetch(). */
struct lineup_batch {
	size_t n;
	int64_t ids[CONSUMER_BATCH_MAX];
	bool found[CONSUMER_BATCH_MAX];
	struct lineup_event ev[CONSUMER_BATCH_MAX];
};

/* The batch's row for id: 1 found, 0 unknown, -1 not in the batch. */
static int batch_event(const struct consumer_ctx *ctx, int64_t id, struct lineup_event *ev)
{
	const struct lineup_batch *b = ctx->branch_data;

	for (size_t i = 0; b != NULL && i < b->n; i++)
		if (b->ids[i] == id) {
			if (!b->found[i])
				return 0;
			*ev = b->ev[i];
			return 1;
		}
	return -1;
}

static bool gives_up(const struct consumer_ctx *ctx, const struct lineup_event *ev, int64_t now,
		     struct outcome *out)
{
	if (strcmp(ev->status_type, "postponed") == 0 || strcmp(ev->status_type, "canceled") == 0) {
		if (out != NULL)
			outcome_expired(out, "event %s", ev->status_type);
		return true;
	}
	if (now > ev->start_ts + ctx->cfg->lineups_give_up_after) {
		if (out != NULL)
			outcome_expired(out,
					"kick-off passed %" PRId64
					"s ago without confirmed line-ups",
					now - ev->start_ts);
		return true;
	}
	return false;
}

void lineup_prefetch(struct consumer_ctx *ctx, const struct work_msg *const *msgs, size_t n)
{
	struct lineup_batch *b = ctx->branch_data;
	struct strbuf ids = { 0 };
	int64_t want[CONSUMER_BATCH_MAX];
	size_t nwant = 0;
	int64_t now = (int64_t)time(NULL);
	PGresult *r;

	if (b == NULL && (b = ctx->branch_data = calloc(1, sizeof(*b))) == NULL)
		return;
	b->n = 0;
	if (n == 0 || n > CONSUMER_BATCH_MAX || (db_broken(ctx->db) && db_reconnect(ctx->db) != 0))
		return;
	for (size_t i = 0; i < n; i++)
		want[i] = msgs[i]->event_id;
	db_array_int(&ids, want, n);
	const char *p[1] = { ids.p };
	r = ids.oom ? NULL
		    : db_exec(ctx->db, "line-up events",
			      EVENT_COLUMNS " WHERE e.id = ANY($1::bigint[])", 1, p);
	strbuf_free(&ids);
	if (r == NULL)
		return; /* each branch reads its own row */
	for (size_t i = 0; i < n; i++) {
		b->ids[i] = msgs[i]->event_id;
		b->found[i] = false;
		for (int t = 0; t < PQntuples(r); t++)
			if (strtoll(PQgetvalue(r, t, 0), NULL, 10) == msgs[i]->event_id) {
				event_from_row(r, t, &b->ev[i]);
				b->found[i] = true;
				break;
			}
		/* the line-ups the branch will ask for */
		if (b->found[i] && !gives_up(ctx, &b->ev[i], now, NULL))
			want[nwant++] = msgs[i]->event_id;
	}
	b->n = n;
	PQclear(r);
	source_prefetch_lineups(ctx->src, want, nwant); /* answers taken by the branches */
}

void lineup_branch(struct consumer_ctx *ctx, const struct work_msg *m, struct outcome *out)
{
	struct lineup_event ev;
	struct source_resp resp;
	struct match_lineups l;
	char subject[MSG_KEY_MAX];
	int64_t now = (int64_t)time(NULL);
	int found;

	memset(out, 0, sizeof(*out));
	if (db_broken(ctx->db) && db_reconnect(ctx->db) != 0) {
		outcome_retry(out, 0, "database", "database unavailable");
		return;
	}
	found = batch_event(ctx, m->event_id, &ev);
	if (found < 0)
		found = load_event(ctx->db, m->event_id, &ev);
	if (found < 0) {
		outcome_retry(out, 0, "database", "cannot read the event");
		return;
	}
	if (found == 0) {
		outcome_dead(
			out, "unknown-event",
			"event %" PRId64
			" is not in the events table (not followed, or the producer has not stored it)",
			m->event_id);
		return;
	}
	if (gives_up(ctx, &ev, now, out))
		return;
	source_crest_url(ctx->src, ev.home.id, ev.home.crest_url, sizeof(ev.home.crest_url));
	source_crest_url(ctx->src, ev.away.id, ev.away.crest_url, sizeof(ev.away.crest_url));
	switch (source_get_lineups(ctx->src, m->event_id, false, &l, &resp)) {
	case SOURCE_OK:
	case SOURCE_NOT_MODIFIED:
		break;
	case SOURCE_NOT_FOUND:
		outcome_retry(out, lineup_recheck_tier(ctx, ev.start_ts, now), "not-published",
			      "line-ups not published yet: %s", resp.error);
		return;
	case SOURCE_BAD:
		outcome_retry(out, consumer_backoff_tier(ctx, ctx->attempt), "bad-response",
			      "line-ups: %s", resp.error);
		return;
	default:
		consumer_source_failure(ctx, &resp, "line-ups", out);
		return;
	}
	if (!l.confirmed) {
		outcome_retry(out, lineup_recheck_tier(ctx, ev.start_ts, now), "unconfirmed",
			      "line-ups not confirmed yet");
		match_lineups_free(&l);
		return;
	}
	jarena_begin(); /* the document dies once the request is printed from it */
	cJSON *doc = lineup_document(&ev, &l);
	match_lineups_free(&l);
	if (msg_key(m, subject, sizeof(subject)) < 0 || doc == NULL) {
		cJSON_Delete(doc);
		jarena_end();
		outcome_dead(out, "poison", "invalid event id");
		return;
	}
	render_request(ctx->render, &ctx->cfg->tpl_lineup, "line-up", subject, doc, out);
	cJSON_Delete(doc);
	jarena_end();
}
