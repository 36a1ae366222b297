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
	" AND g.round = k.round ORDER BY k.i, g.event_id, g.minute, g.added_time NULLS FIRST,"
	" g.score_after NULLS LAST, g.seq";

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

/* The batch's rounds as the queries' four array parameters. */
struct keys {
	struct strbuf ut, season, round, need;
	const char *p[4];
};

static void keys_free(struct keys *k)
{
	strbuf_free(&k->ut);
	strbuf_free(&k->season);
	strbuf_free(&k->round);
	strbuf_free(&k->need);
}

/* The keys of the rounds m[0..n-1] (need[i]: round i's table is computed;
 * NULL: every round's).  0, or -1 (out of memory). */
static int keys_of(struct keys *k, const struct work_msg *const *m, const bool *need, size_t n)
{
	int64_t ut[CONSUMER_BATCH_MAX], season[CONSUMER_BATCH_MAX], round[CONSUMER_BATCH_MAX];
	bool all[CONSUMER_BATCH_MAX];

	memset(k, 0, sizeof(*k));
	if (n > CONSUMER_BATCH_MAX)
		return -1;
	for (size_t i = 0; i < n; i++) {
		ut[i] = m[i]->unique_tournament_id;
		season[i] = m[i]->season_id;
		round[i] = m[i]->round;
		all[i] = need == NULL || need[i];
	}
	db_array_int(&k->ut, ut, n);
	db_array_int(&k->season, season, n);
	db_array_int(&k->round, round, n);
	db_array_bool(&k->need, all, n);
	if (k->ut.oom || k->season.oom || k->round.oom || k->need.oom) {
		keys_free(k);
		return -1;
	}
	k->p[0] = k->ut.p;
	k->p[1] = k->season.p;
	k->p[2] = k->round.p;
	k->p[3] = k->need.p;
	return 0;
}

/* The aggregate queries with the keys k, into st (those of rows->r[which[j]]);
 * the computed standings only when standings.  Returns how many. */
static size_t stmts_of(const struct keys *k, bool standings, struct db_stmt *st, int *which)
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
	size_t n = 0;

	for (int q = 0; q < R_N; q++) {
		if (q == R_STANDINGS && !standings)
			continue;
		st[n] = (struct db_stmt){ qs[q].what, qs[q].sql, 4, k->p };
		which[n++] = q;
	}
	return n;
}

/* The answers to the statements sent (db_send_many) into rows.  0 or -1. */
static int rows_take(PGconn *db, const struct db_stmt *st, const int *which, size_t n,
		     struct tstats_rows *rows)
{
	PGresult *r[R_N];

	memset(rows, 0, sizeof(*rows));
	if (db_take_many(db, st, n, r) != 0)
		return -1;
	for (size_t j = 0; j < n; j++)
		rows->r[which[j]] = r[j];
	return 0;
}

/* Reads the aggregates of the rounds m[0..n-1] (need[i]: round i's table
 * is computed), in one round trip.  0, or -1 (a query failed, logged). */
static int rows_read(PGconn *db, const struct work_msg *const *m, const bool *need, size_t n,
		     struct tstats_rows *rows)
{
	struct keys k;
	struct db_stmt st[R_N];
	int which[R_N];
	bool any_need = false;
	int rc = -1;

	memset(rows, 0, sizeof(*rows));
	for (size_t i = 0; i < n; i++)
		any_need = any_need || need[i];
	if (keys_of(&k, m, need, n) != 0)
		return -1;
	size_t ns = stmts_of(&k, any_need, st, which);
	if (db_send_many(db, st, ns) == 0)
		rc = rows_take(db, st, which, ns, rows);
	keys_free(&k);
	return rc;
}

/* The rows [*from, *to) of r for the batch's round i (from 0). */
static void rows_of(const PGresult *r, size_t i, int *from, int *to)
{
	long want = (long)i + 1;
	int lo = 0, hi = r != NULL ? PQntuples(r) : 0, n = hi;

	/* the rows are in k.i's order: the first with k.i >= want */
	while (lo < hi) {
		int mid = lo + (hi - lo) / 2;
		if (strtol(PQgetvalue(r, mid, 0), NULL, 10) < want)
			lo = mid + 1;
		else
			hi = mid;
	}
	*from = lo;
	while (lo < n && strtol(PQgetvalue(r, lo, 0), NULL, 10) == want)
		lo++;
	*to = lo;
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
	/* the aggregates sent ahead by tstats_prefetch() on ctx->db_ahead, for
	 * the rounds sent[0..nsent-1] (the batch's order), taken by the flush */
	bool ahead;
	size_t nsent, nst;
	struct work_msg sent[CONSUMER_BATCH_MAX];
	struct db_stmt st[R_N];
	int which[R_N];
	/* the last batch computed no table: the next one is sent ahead
	 * without the computed standings (at first they are sent) */
	bool no_table_before;
};

static struct tstats_batch *batch_of(struct consumer_ctx *ctx)
{
	if (ctx->branch_data == NULL)
		ctx->branch_data = calloc(1, sizeof(struct tstats_batch));
	return ctx->branch_data;
}

/* Reads and drops the answers to aggregates sent ahead and not taken. */
static void ahead_drop(struct consumer_ctx *ctx, struct tstats_batch *b)
{
	if (b->ahead)
		(void)db_take_many(ctx->db_ahead, b->st, b->nst, NULL);
	b->ahead = false;
}

/*
 * Sends the aggregates of the rounds msgs[0..n-1] on the second connection
 * without waiting: the server reads them while the loop still carries out
 * the batch before (its renders, jobs and acks).  The computed standings
 * go with them while the provider had no table for the last batch.
 */
static void ahead_send(struct consumer_ctx *ctx, struct tstats_batch *b,
		       const struct work_msg *const *msgs, size_t n)
{
	PGconn *db = consumer_db_ahead(ctx);
	struct keys k;

	if (db == NULL || keys_of(&k, msgs, NULL, n) != 0)
		return;
	b->nst = stmts_of(&k, !b->no_table_before, b->st, b->which);
	/* the parameters are copied into the connection's buffer as they are sent */
	if (db_send_many(db, b->st, b->nst) == 0) {
		b->ahead = true;
		b->nsent = n;
		for (size_t i = 0; i < n; i++)
			b->sent[i] = *msgs[i];
	}
	keys_free(&k);
	for (size_t j = 0; j < b->nst; j++)
		b->st[j].params = NULL; /* freed: only the names are read from here on */
}

void tstats_prefetch(struct consumer_ctx *ctx, const struct work_msg *const *msgs, size_t n)
{
	struct tstats_batch *b = batch_of(ctx);
	int64_t ut[CONSUMER_BATCH_MAX], season[CONSUMER_BATCH_MAX];

	if (n == 0 || n > CONSUMER_BATCH_MAX)
		return;
	for (size_t i = 0; i < n; i++) {
		ut[i] = msgs[i]->unique_tournament_id;
		season[i] = msgs[i]->season_id;
	}
	source_prefetch_standings(ctx->src, ut, season, n); /* taken by the branches */
	if (b == NULL)
		return;
	ahead_drop(ctx, b); /* a batch whose flush did not come */
	ahead_send(ctx, b, msgs, n);
}

/*
 * The aggregates of the deferred rounds into rows, and at[i]: the index of
 * q[i]'s round in them.  Taken from what the prefetch sent ahead when that
 * has every round and the tables they need; else read now on ctx->db.
 * 0, or -1 (logged).
 */
static int rows_get(struct consumer_ctx *ctx, struct tstats_batch *b, struct tstats_rows *rows,
		    size_t *at, bool *was_ahead)
{
	const struct work_msg *ms[CONSUMER_BATCH_MAX];
	bool need[CONSUMER_BATCH_MAX], any_need = false, usable = b->ahead;

	for (size_t i = 0; i < b->n; i++) {
		need[i] = b->q[i].table == NULL;
		any_need = any_need || need[i];
	}
	b->no_table_before = !any_need;
	if (any_need && b->ahead) {
		usable = false;
		for (size_t j = 0; j < b->nst; j++)
			usable = usable || b->which[j] == R_STANDINGS;
	}
	for (size_t i = 0; usable && i < b->n; i++) {
		const struct work_msg *m = b->q[i].m;
		size_t j = 0;
		while (j < b->nsent &&
		       (b->sent[j].unique_tournament_id != m->unique_tournament_id ||
			b->sent[j].season_id != m->season_id || b->sent[j].round != m->round))
			j++;
		usable = j < b->nsent;
		at[i] = j;
	}
	*was_ahead = false;
	if (usable) {
		b->ahead = false;
		if (rows_take(ctx->db_ahead, b->st, b->which, b->nst, rows) == 0) {
			*was_ahead = true;
			return 0;
		}
		log_warn("aggregates read ahead failed: reading them again");
	}
	ahead_drop(ctx, b);
	for (size_t i = 0; i < b->n; i++) {
		ms[i] = b->q[i].m;
		at[i] = i;
	}
	if (db_broken(ctx->db) && db_reconnect(ctx->db) != 0)
		return -1;
	return rows_read(ctx->db, ms, need, b->n, rows);
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
	bool ok[CONSUMER_BATCH_MAX];
	size_t idx[CONSUMER_BATCH_MAX], at[CONSUMER_BATCH_MAX], nd = 0, nok;
	struct tstats_rows rows;
	struct tstats_batch done;

	if (b == NULL)
		return;
	if (b->n == 0)
		goto out;
	int64_t t0 = clock_mono_ms(), t1, t2;
	bool ahead = false;
	if (rows_get(ctx, b, &rows, at, &ahead) != 0) {
		for (size_t i = 0; i < b->n; i++)
			outcome_retry(b->q[i].out, 0, "database", "aggregate query failed");
		goto out;
	}
	for (size_t i = 0; i < b->n; i++) {
		struct deferred *x = &b->q[i];
		x->doc = doc_build(&rows, at[i], x->m, x->table ? x->table->st : NULL,
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
	log_debug("rounds batch rounds=%zu read=%s read_ms=%" PRId64 " snapshots=%zu"
		  " snapshots_ms=%" PRId64,
		  b->n, ahead ? "ahead" : "now", t1 - t0, nok, t2 - t1);
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
	ahead_drop(ctx, b); /* sent for rounds none of which came here */
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
