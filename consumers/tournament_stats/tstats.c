#include "consumers/tournament_stats/tstats.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "consumers/render.h"
#include "lib/clock.h"
#include "lib/db.h"
#include "lib/log.h"
#include "protocol/source.h"

#define TOP_SCORERS 10

/*
 * A batch's rounds are read together: each query takes the rounds as
 * three arrays ($1 competitions, $2 seasons, $3 rounds) and answers for
 * all of them, each row led by the round's number in the batch (k.i, from
 * 1), in the batch's order.  One statement (and one plan) per query for
 * the batch, not per round.
 */
#define KEYS                                                                                      \
	"WITH k(ut, season, round, need, i) AS (SELECT * FROM unnest($1::bigint[], $2::bigint[]," \
	" $3::int[], $4::bool[]) WITH ORDINALITY) "

static const char *const SQL_ROUND_INFO = KEYS
	"SELECT k.i, max(e.tournament_name), max(e.season_name), count(e.id),"
	" count(e.id) FILTER (WHERE e.status_type = 'finished')"
	" FROM k LEFT JOIN events e ON e.unique_tournament_id = k.ut AND e.season_id = k.season"
	" AND e.round = k.round GROUP BY k.i ORDER BY k.i";

static const char *const SQL_ROUND_RESULTS = KEYS
	"SELECT k.i, v.home_name, v.away_name, v.home_score, v.away_score"
	" FROM k JOIN v_results v ON v.unique_tournament_id = k.ut AND v.season_id = k.season"
	" AND v.round = k.round ORDER BY k.i, v.start_time, v.event_id";

static const char *const SQL_ROUND_GOALS = KEYS
	"SELECT k.i, g.player_name, g.player_team, g.minute, COALESCE(g.added_time, 0),"
	" COALESCE(g.class, 'regular')"
	" FROM k JOIN v_goals g ON g.unique_tournament_id = k.ut AND g.season_id = k.season"
	" AND g.round = k.round ORDER BY k.i, g.event_id, g.minute, g.added_time NULLS FIRST";

/* Season top scorers up to this round: own goals excluded, penalties
 * counted; a player's team is the one of his latest goal.  The goals of the
 * batch's seasons are counted once per player and round (g), then summed
 * up to each round. */
static const char *const SQL_TOP_SCORERS = KEYS
	", g AS MATERIALIZED ("
	" SELECT v.unique_tournament_id AS ut, v.season_id AS season, v.round, v.player_id,"
	"  v.player_name, v.player_team, count(*) AS n"
	" FROM v_goals v JOIN (SELECT DISTINCT ut, season FROM k) s"
	"  ON v.unique_tournament_id = s.ut AND v.season_id = s.season"
	" WHERE v.class IS DISTINCT FROM 'ownGoal'"
	" GROUP BY 1, 2, 3, 4, 5, 6)"
	" SELECT k.i, s.player_name, s.team, s.goals FROM k, LATERAL ("
	" SELECT player_name, (array_agg(player_team ORDER BY round DESC NULLS LAST))[1] AS team,"
	"  sum(n) AS goals"
	" FROM g WHERE g.ut = k.ut AND g.season = k.season AND (g.round IS NULL OR g.round <= k.round)"
	" GROUP BY player_id, player_name"
	" ORDER BY sum(n) DESC, player_name LIMIT 10) s"
	" ORDER BY k.i, s.goals DESC, s.player_name";

/* The best-rated player per slot of a 4-3-3; ties: minutes played, then id. */
static const char *const SQL_TEAM_OF_ROUND = KEYS
	", slots(position, n, ord) AS (VALUES ('G', 1, 1), ('D', 4, 2), ('M', 3, 3), ('F', 3, 4))"
	" SELECT k.i, t.player_name, t.team, t.position, t.rating FROM k, LATERAL ("
	"  SELECT ranked.player_name, ranked.team, ranked.position, ranked.rating, slots.ord,"
	"   ranked.rn"
	"  FROM (SELECT r.*, row_number() OVER (PARTITION BY r.position"
	"    ORDER BY r.rating DESC, r.minutes DESC, r.player_id) AS rn"
	"   FROM v_ratings r"
	"   WHERE r.unique_tournament_id = k.ut AND r.season_id = k.season AND r.round = k.round)"
	"   ranked JOIN slots ON slots.position = ranked.position"
	"  WHERE ranked.rn <= slots.n) t"
	" ORDER BY k.i, t.ord, t.rn";

static const char *const SQL_PLAYER_OF_ROUND = KEYS
	"SELECT k.i, p.player_name, p.team, p.rating FROM k, LATERAL ("
	" SELECT player_name, team, rating FROM v_ratings"
	" WHERE unique_tournament_id = k.ut AND season_id = k.season AND round = k.round"
	" ORDER BY rating DESC, minutes DESC, player_id LIMIT 1) p ORDER BY k.i";

/* The table computed from the stored results, for the rounds that need it. */
static const char *const SQL_STANDINGS = KEYS
	"SELECT k.i, s.pos, s.team, s.played, s.won, s.drawn, s.lost, s.goals_for,"
	" s.goals_against, s.points"
	" FROM k, LATERAL standings_computed(k.ut, k.season, k.round) s WHERE k.need"
	" ORDER BY k.i, s.pos";

/* The batch's rows of each query. */
enum {
	R_INFO,
	R_STANDINGS,
	R_RESULTS,
	R_GOALS,
	R_SCORERS,
	R_TEAM,
	R_PLAYER,
	R_N
};

struct tstats_rows {
	PGresult *r[R_N];
};

static void rows_free(struct tstats_rows *rows)
{
	for (int i = 0; i < R_N; i++)
		PQclear(rows->r[i]);
	memset(rows, 0, sizeof(*rows));
}

/* Reads the aggregates of the rounds m[0..n-1] (need[i]: round i's table
 * is computed).  0, or -1 (a query failed, logged). */
static int rows_read(PGconn *db, const struct work_msg *const *m, const bool *need, size_t n,
		     struct tstats_rows *rows)
{
	static const struct {
		const char *what, *sql;
	} qs[R_N] = {
		[R_INFO] = { "round info", SQL_ROUND_INFO },
		[R_STANDINGS] = { "computed standings", SQL_STANDINGS },
		[R_RESULTS] = { "round results", SQL_ROUND_RESULTS },
		[R_GOALS] = { "round goals", SQL_ROUND_GOALS },
		[R_SCORERS] = { "top scorers", SQL_TOP_SCORERS },
		[R_TEAM] = { "team of the round", SQL_TEAM_OF_ROUND },
		[R_PLAYER] = { "player of the round", SQL_PLAYER_OF_ROUND },
	};
	size_t cap = n * 24 + 4;
	char *ut = malloc(cap), *season = malloc(cap), *round = malloc(cap), *needs = malloc(cap);
	size_t ou = 0, os = 0, orr = 0, on = 0;
	bool any_need = false;
	int rc = -1;

	memset(rows, 0, sizeof(*rows));
	if (ut == NULL || season == NULL || round == NULL || needs == NULL)
		goto out;
	ou += (size_t)snprintf(ut + ou, cap - ou, "{");
	os += (size_t)snprintf(season + os, cap - os, "{");
	orr += (size_t)snprintf(round + orr, cap - orr, "{");
	on += (size_t)snprintf(needs + on, cap - on, "{");
	for (size_t i = 0; i < n; i++) {
		const char *sep = i ? "," : "";
		ou += (size_t)snprintf(ut + ou, cap - ou, "%s%" PRId64, sep,
				       m[i]->unique_tournament_id);
		os += (size_t)snprintf(season + os, cap - os, "%s%" PRId64, sep, m[i]->season_id);
		orr += (size_t)snprintf(round + orr, cap - orr, "%s%d", sep, m[i]->round);
		on += (size_t)snprintf(needs + on, cap - on, "%s%s", sep, need[i] ? "t" : "f");
		any_need = any_need || need[i];
	}
	snprintf(ut + ou, cap - ou, "}");
	snprintf(season + os, cap - os, "}");
	snprintf(round + orr, cap - orr, "}");
	snprintf(needs + on, cap - on, "}");
	const char *p[4] = { ut, season, round, needs };
	for (int k = 0; k < R_N; k++) {
		if (k == R_STANDINGS && !any_need)
			continue;
		if ((rows->r[k] = db_exec(db, qs[k].what, qs[k].sql, 4, p)) == NULL)
			goto out;
	}
	rc = 0;
out:
	if (rc != 0)
		rows_free(rows);
	free(ut);
	free(season);
	free(round);
	free(needs);
	return rc;
}

/* The rows [*from, *to) of r for the batch's round i (from 0). */
static void rows_of(const PGresult *r, size_t i, int *from, int *to)
{
	long want = (long)i + 1;
	int t = 0, n = r != NULL ? PQntuples(r) : 0;

	while (t < n && strtol(PQgetvalue(r, t, 0), NULL, 10) < want)
		t++;
	*from = t;
	while (t < n && strtol(PQgetvalue(r, t, 0), NULL, 10) == want)
		t++;
	*to = t;
}

static double num(const PGresult *r, int row, int col)
{
	return strtod(PQgetvalue(r, row, col), NULL);
}

static cJSON *standing_json(int pos, const char *team, double played, double won, double drawn,
			    double lost, double gf, double ga, double pts)
{
	cJSON *o = cJSON_CreateObject();

	cJSON_AddNumberToObject(o, "position", pos);
	cJSON_AddStringToObject(o, "team", team);
	cJSON_AddNumberToObject(o, "played", played);
	cJSON_AddNumberToObject(o, "won", won);
	cJSON_AddNumberToObject(o, "drawn", drawn);
	cJSON_AddNumberToObject(o, "lost", lost);
	cJSON_AddNumberToObject(o, "goals_for", gf);
	cJSON_AddNumberToObject(o, "goals_against", ga);
	cJSON_AddNumberToObject(o, "points", pts);
	return o;
}

/* The document of the batch's round i from its rows (st: the provider's
 * table, NULL: the computed one).  NULL when the round is unknown. */
static cJSON *doc_build(const struct tstats_rows *rows, size_t i, const struct work_msg *m,
			const struct match_standing *st, size_t nst, const char *source)
{
	const PGresult *r;
	cJSON *doc, *t, *arr;
	int a, b;

	r = rows->r[R_INFO];
	rows_of(r, i, &a, &b);
	if (a == b || strtol(PQgetvalue(r, a, 3), NULL, 10) == 0)
		return NULL;
	doc = cJSON_CreateObject();
	cJSON_AddStringToObject(doc, "kind", "tournament-stats");
	t = cJSON_AddObjectToObject(doc, "tournament");
	cJSON_AddNumberToObject(t, "id", (double)m->unique_tournament_id);
	cJSON_AddStringToObject(t, "name", PQgetvalue(r, a, 1));
	cJSON_AddNumberToObject(t, "season_id", (double)m->season_id);
	cJSON_AddStringToObject(t, "season", PQgetvalue(r, a, 2));
	cJSON_AddNumberToObject(t, "round", m->round);

	arr = cJSON_CreateArray();
	if (st != NULL) {
		/* the provider's table now (API-Football has no per-round table:
		 * the one taken when the round completed) */
		cJSON_AddStringToObject(doc, "standings_source", source);
		for (size_t k = 0; k < nst; k++) {
			cJSON *row = standing_json(st[k].position, st[k].team, st[k].played,
						   st[k].won, st[k].drawn, st[k].lost,
						   st[k].goals_for, st[k].goals_against,
						   st[k].points);
			/* competitions with groups: one table per group */
			if (st[k].group[0] != '\0')
				cJSON_AddStringToObject(row, "group", st[k].group);
			cJSON_AddItemToArray(arr, row);
		}
	} else {
		cJSON_AddStringToObject(doc, "standings_source", "computed");
		r = rows->r[R_STANDINGS];
		rows_of(r, i, &a, &b);
		for (int k = a; k < b; k++)
			cJSON_AddItemToArray(arr,
					     standing_json((int)num(r, k, 1), PQgetvalue(r, k, 2),
							   num(r, k, 3), num(r, k, 4), num(r, k, 5),
							   num(r, k, 6), num(r, k, 7), num(r, k, 8),
							   num(r, k, 9)));
	}
	cJSON_AddItemToObject(doc, "standings", arr);

	r = rows->r[R_RESULTS];
	rows_of(r, i, &a, &b);
	arr = cJSON_AddArrayToObject(doc, "round_results");
	for (int k = a; k < b; k++) {
		cJSON *o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "home", PQgetvalue(r, k, 1));
		cJSON_AddStringToObject(o, "away", PQgetvalue(r, k, 2));
		cJSON_AddNumberToObject(o, "home_score", num(r, k, 3));
		cJSON_AddNumberToObject(o, "away_score", num(r, k, 4));
		cJSON_AddItemToArray(arr, o);
	}

	r = rows->r[R_GOALS];
	rows_of(r, i, &a, &b);
	arr = cJSON_AddArrayToObject(doc, "round_goals");
	for (int k = a; k < b; k++) {
		cJSON *o = cJSON_CreateObject();
		const char *klass = PQgetvalue(r, k, 5);
		char minute[16];
		int added = (int)num(r, k, 4);
		cJSON_AddStringToObject(o, "name", PQgetvalue(r, k, 1));
		cJSON_AddStringToObject(o, "team", PQgetvalue(r, k, 2));
		if (added > 0)
			snprintf(minute, sizeof(minute), "%d+%d", (int)num(r, k, 3), added);
		else
			snprintf(minute, sizeof(minute), "%d", (int)num(r, k, 3));
		cJSON_AddStringToObject(o, "minute", minute);
		cJSON_AddStringToObject(o, "type",
					strcmp(klass, "ownGoal") == 0	? "own-goal"
					: strcmp(klass, "penalty") == 0 ? "penalty"
									: "regular");
		cJSON_AddItemToArray(arr, o);
	}

	r = rows->r[R_SCORERS];
	rows_of(r, i, &a, &b);
	arr = cJSON_AddArrayToObject(doc, "top_scorers");
	for (int k = a; k < b && k - a < TOP_SCORERS; k++) {
		cJSON *o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "name", PQgetvalue(r, k, 1));
		cJSON_AddStringToObject(o, "team", PQgetvalue(r, k, 2));
		cJSON_AddNumberToObject(o, "goals", num(r, k, 3));
		cJSON_AddItemToArray(arr, o);
	}

	r = rows->r[R_TEAM];
	rows_of(r, i, &a, &b);
	arr = cJSON_AddArrayToObject(doc, "team_of_the_round");
	for (int k = a; k < b; k++) {
		cJSON *o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "name", PQgetvalue(r, k, 1));
		cJSON_AddStringToObject(o, "team", PQgetvalue(r, k, 2));
		cJSON_AddStringToObject(o, "position", PQgetvalue(r, k, 3));
		cJSON_AddNumberToObject(o, "rating", num(r, k, 4));
		cJSON_AddItemToArray(arr, o);
	}

	r = rows->r[R_PLAYER];
	rows_of(r, i, &a, &b);
	if (b > a) {
		cJSON *o = cJSON_AddObjectToObject(doc, "player_of_the_round");
		cJSON_AddStringToObject(o, "name", PQgetvalue(r, a, 1));
		cJSON_AddStringToObject(o, "team", PQgetvalue(r, a, 2));
		cJSON_AddNumberToObject(o, "rating", num(r, a, 3));
	}
	return doc;
}

cJSON *tstats_document(PGconn *db, const struct work_msg *m, const struct match_standing *st,
		       size_t nst, const char *source, bool *unknown_round, char *err,
		       size_t errlen)
{
	struct tstats_rows rows;
	const struct work_msg *ms[1] = { m };
	bool need[1] = { st == NULL };
	cJSON *doc;

	if (unknown_round != NULL)
		*unknown_round = false;
	if (rows_read(db, ms, need, 1, &rows) != 0) {
		snprintf(err, errlen, "aggregate query failed");
		return NULL;
	}
	doc = doc_build(&rows, 0, m, st, nst, source);
	rows_free(&rows);
	if (doc == NULL) {
		snprintf(err, errlen, "no stored events for this round");
		if (unknown_round != NULL)
			*unknown_round = true;
	}
	return doc;
}

/* ---- the batch ------------------------------------------------------------ */

/* A season's standings at the provider, asked once per batch. */
struct season_table {
	int64_t ut, season;
	bool usable; /* from the provider: else computed */
	struct match_standing *st;
	size_t nst;
};

/* A round the branch deferred to tstats_flush(). */
struct deferred {
	const struct work_msg *m;
	struct outcome *out;
	const struct season_table *table; /* NULL: computed */
	cJSON *doc; /* built by the flush */
};

struct tstats_batch {
	size_t ntables;
	struct season_table tables[CONSUMER_BATCH_MAX];
	size_t n;
	struct deferred q[CONSUMER_BATCH_MAX];
};

static struct tstats_batch *batch_of(struct consumer_ctx *ctx)
{
	if (ctx->branch_data == NULL)
		ctx->branch_data = calloc(1, sizeof(struct tstats_batch));
	return ctx->branch_data;
}

void tstats_prefetch(struct consumer_ctx *ctx, const struct work_msg *const *msgs, size_t n)
{
	int64_t ut[CONSUMER_BATCH_MAX], season[CONSUMER_BATCH_MAX];

	if (n == 0 || n > CONSUMER_BATCH_MAX)
		return;
	for (size_t i = 0; i < n; i++) {
		ut[i] = msgs[i]->unique_tournament_id;
		season[i] = msgs[i]->season_id;
	}
	source_prefetch_standings(ctx->src, ut, season, n); /* taken by the branches */
}

/* The provider's standings of m's season: asked by the batch's first round
 * of it, kept for the others.  NULL when out of memory. */
static const struct season_table *season_table(struct consumer_ctx *ctx, struct tstats_batch *b,
					       const struct work_msg *m)
{
	struct season_table *t;
	struct source_resp r;

	for (size_t i = 0; i < b->ntables; i++)
		if (b->tables[i].ut == m->unique_tournament_id &&
		    b->tables[i].season == m->season_id)
			return &b->tables[i];
	if (b->ntables >= CONSUMER_BATCH_MAX)
		return NULL;
	t = &b->tables[b->ntables++];
	memset(t, 0, sizeof(*t));
	t->ut = m->unique_tournament_id;
	t->season = m->season_id;
	enum source_result res =
		source_get_standings(ctx->src, t->ut, t->season, &t->st, &t->nst, &r);
	if (res == SOURCE_OK || res == SOURCE_NOT_MODIFIED ||
	    (res == SOURCE_BAD && r.reason == SOURCE_R_UNREADABLE)) {
		if (res != SOURCE_BAD && t->nst > 0)
			t->usable = true;
		else
			log_warn("standings unreadable, computing them unique_tournament_id=%" PRId64
				 " season_id=%" PRId64 " error=%s",
				 t->ut, t->season, log_quote(r.error));
	} else {
		/* 404 (no table), challenge, failure: the stored results will do */
		log_info("standings from %s unavailable (%s): computing them unique_tournament_id=%" PRId64
			 " season_id=%" PRId64,
			 source_provider(ctx->src),
			 r.reason == SOURCE_R_EMPTY ? "no body" : r.error, t->ut, t->season);
	}
	return t;
}

/* Stores the snapshots of the deferred rounds q[idx[0..k-1]] (their docs
 * built) in one statement.  0, or -1. */
static int store_snapshots(PGconn *db, void *arg, const size_t *idx, size_t k)
{
	const struct tstats_batch *b = arg;
	cJSON *rows = cJSON_CreateArray();
	char *json;
	int rc = -1;

	for (size_t i = 0; i < k; i++) {
		const struct deferred *x = &b->q[idx[i]];
		const cJSON *src = cJSON_GetObjectItemCaseSensitive(x->doc, "standings_source");
		cJSON *o = cJSON_CreateObject();
		cJSON_AddNumberToObject(o, "i", (double)i);
		cJSON_AddNumberToObject(o, "ut", (double)x->m->unique_tournament_id);
		cJSON_AddNumberToObject(o, "season", (double)x->m->season_id);
		cJSON_AddNumberToObject(o, "round", x->m->round);
		cJSON_AddStringToObject(o, "source",
					cJSON_IsString(src) ? src->valuestring : "computed");
		cJSON_AddItemToObject(o, "data",
				      cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(x->doc,
										       "standings"),
						      1));
		cJSON_AddItemToArray(rows, o);
	}
	json = cJSON_PrintUnformatted(rows);
	cJSON_Delete(rows);
	if (json == NULL)
		return -1;
	const char *p[1] = { json };
	/* a round twice in the batch: its last snapshot */
	rc = db_cmd(db, "standings snapshots",
		    "INSERT INTO standings_snapshots (unique_tournament_id, season_id, round, source,"
		    " data)"
		    " SELECT DISTINCT ON (ut, season, round) ut, season, round, source, data"
		    " FROM jsonb_to_recordset($1::jsonb)"
		    "  AS x(i int, ut bigint, season bigint, round int, source text, data jsonb)"
		    " ORDER BY ut, season, round, i DESC"
		    " ON CONFLICT (unique_tournament_id, season_id, round) DO UPDATE SET"
		    " source = EXCLUDED.source, data = EXCLUDED.data, taken_at = now()",
		    1, p);
	free(json);
	return rc;
}

void tstats_flush(struct consumer_ctx *ctx)
{
	struct tstats_batch *b = ctx->branch_data;
	const struct work_msg *ms[CONSUMER_BATCH_MAX];
	bool need[CONSUMER_BATCH_MAX], ok[CONSUMER_BATCH_MAX];
	size_t idx[CONSUMER_BATCH_MAX], nd = 0, nok;
	struct tstats_rows rows;
	struct tstats_batch done;

	if (b == NULL)
		return;
	if (b->n == 0)
		goto out;
	for (size_t i = 0; i < b->n; i++) {
		ms[i] = b->q[i].m;
		need[i] = b->q[i].table == NULL;
	}
	int64_t t0 = clock_mono_ms(), t1, t2;
	if ((db_broken(ctx->db) && db_reconnect(ctx->db) != 0) ||
	    rows_read(ctx->db, ms, need, b->n, &rows) != 0) {
		for (size_t i = 0; i < b->n; i++)
			outcome_retry(b->q[i].out, 0, "database", "aggregate query failed");
		goto out;
	}
	for (size_t i = 0; i < b->n; i++) {
		struct deferred *x = &b->q[i];
		x->doc = doc_build(&rows, i, x->m, x->table ? x->table->st : NULL,
				   x->table ? x->table->nst : 0, source_provider(ctx->src));
		if (x->doc == NULL)
			outcome_dead(x->out, "unknown-round", "no stored events for this round");
		else
			idx[nd++] = i;
	}
	rows_free(&rows);
	t1 = clock_mono_ms();
	/* the snapshots of the rounds with a document, one statement */
	memset(&done, 0, sizeof(done));
	for (size_t j = 0; j < nd; j++)
		done.q[j] = b->q[idx[j]];
	nok = consumer_write_batch(ctx, nd, store_snapshots, &done, ok);
	t2 = clock_mono_ms();
	log_debug("rounds batch rounds=%zu read_ms=%" PRId64 " snapshots=%zu snapshots_ms=%" PRId64,
		  b->n, t1 - t0, nok, t2 - t1);
	for (size_t j = 0; j < nd; j++) {
		struct deferred *x = &done.q[j];
		char subject[MSG_KEY_MAX];
		if (!ok[j])
			outcome_retry(x->out, 0, "database",
				      "storing the standings snapshot failed");
		else if (msg_key(x->m, subject, sizeof(subject)) < 0)
			outcome_dead(x->out, "poison", "invalid round");
		else
			render_request(ctx->render, &ctx->cfg->tpl_tstats, "tournament-stats",
				       subject, x->doc, x->out);
		cJSON_Delete(x->doc);
	}
out:
	for (size_t i = 0; i < b->ntables; i++)
		free(b->tables[i].st);
	b->ntables = 0;
	b->n = 0;
}

void tstats_branch(struct consumer_ctx *ctx, const struct work_msg *m, struct outcome *out)
{
	struct tstats_batch *b = batch_of(ctx);
	const struct season_table *t;

	memset(out, 0, sizeof(*out));
	if (db_broken(ctx->db) && db_reconnect(ctx->db) != 0) {
		outcome_retry(out, 0, "database", "database unavailable");
		return;
	}
	if (b == NULL || b->n >= CONSUMER_BATCH_MAX || (t = season_table(ctx, b, m)) == NULL) {
		outcome_retry(out, 0, "internal", "out of memory");
		return;
	}
	/* the aggregates, the snapshot and the video: tstats_flush(), with the
	 * batch's other rounds */
	b->q[b->n].m = m;
	b->q[b->n].out = out;
	b->q[b->n].table = t->usable ? t : NULL;
	b->q[b->n].doc = NULL;
	b->n++;
	out->kind = OUT_DEFERRED;
}
