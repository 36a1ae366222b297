#include "source_pg.h"

#include <cjson/cJSON.h>
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../lib/db.h"
#include "../lib/log.h"

static bool pg_ready(void *ctx)
{
	PGconn *db = ctx;

	if (PQstatus(db) != CONNECTION_OK && db_reconnect(db) != 0)
		return false;
	return true;
}

static int pg_breaker_read(void *ctx, int64_t *open_until, char *why, size_t whylen)
{
	PGresult *r = db_exec(ctx, "breaker check",
			      "SELECT COALESCE(EXTRACT(EPOCH FROM open_until)::bigint, 0),"
			      " COALESCE(reason, '') FROM sofascore_breaker WHERE id = 1",
			      0, NULL);
	int rc = -1;

	if (r != NULL && PQntuples(r) == 1) {
		*open_until = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
		snprintf(why, whylen, "%s", PQgetvalue(r, 0, 1));
		rc = 0;
	}
	PQclear(r);
	return rc;
}

static int pg_breaker_open(void *ctx, int secs, const char *by, const char *why)
{
	char sbuf[32];
	const char *p[3] = { sbuf, by, why };
	PGresult *r;
	int rc;

	snprintf(sbuf, sizeof(sbuf), "%d", secs);
	r = db_exec(
		ctx, "breaker open",
		"UPDATE sofascore_breaker SET open_until = now() + make_interval(secs => $1::int),"
		" reason = $3, opened_at = now(), opened_by = $2"
		" WHERE id = 1 AND (open_until IS NULL OR open_until <= now())"
		" RETURNING 1",
		3, p);
	if (r == NULL)
		return -1;
	rc = PQntuples(r) == 1 ? 1 : 0;
	PQclear(r);
	return rc;
}

/* The cached answer in a result row: its ETag and body (binary result
 * columns col and col + 1). */
static void cache_take(PGresult *r, int row, int col, struct source_cached *c)
{
	size_t blen;

	if (PQgetisnull(r, row, col) || PQgetisnull(r, row, col + 1))
		return;
	blen = (size_t)PQgetlength(r, row, col + 1);
	c->body = malloc(blen + 1);
	if (c->body == NULL)
		return;
	memcpy(c->body, PQgetvalue(r, row, col + 1), blen);
	c->body[blen] = '\0';
	c->len = blen;
	snprintf(c->etag, sizeof(c->etag), "%.*s", PQgetlength(r, row, col),
		 PQgetvalue(r, row, col));
	/* binary int8, network order */
	if (!PQgetisnull(r, row, col + 2) && PQgetlength(r, row, col + 2) == 8) {
		const unsigned char *b = (const unsigned char *)PQgetvalue(r, row, col + 2);
		uint64_t v = 0;
		for (int i = 0; i < 8; i++)
			v = v << 8 | b[i];
		c->age_s = (int64_t)v;
	}
}

/* The column of the count used now: 0 once the day (minute) has turned. */
#define USED_DAY "(CASE WHEN s.day = (now() AT TIME ZONE 'UTC')::date THEN s.used_day ELSE 0 END)"
#define USED_MIN                                                                           \
	"(CASE WHEN s.minute = date_trunc('minute', clock_timestamp()) THEN s.used_minute" \
	" ELSE 0 END)"
/* The limits: ours, else what the provider's headers reported (0 = none). */
#define DAY_LIMIT "COALESCE(NULLIF($4::int, 0), s.day_limit_seen, 0)"
#define MIN_LIMIT "COALESCE(NULLIF($5::int, 0), s.minute_limit_seen, 0)"

/* When a refused take would have room: the next 00:00 UTC when the day
 * has none, else the next minute.  p: the take's parameters. */
static int quota_until(PGconn *db, const char *const *p, int64_t *until)
{
	const char *q[3] = { p[2], p[3], p[5] }; /* n, per_day, reserve */
	PGresult *r = db_exec(
		db, "quota until",
		"SELECT CASE WHEN COALESCE(NULLIF($2::int, 0), s.day_limit_seen, 0) > 0 AND " USED_DAY
		" + $1::int > COALESCE(NULLIF($2::int, 0), s.day_limit_seen, 0) - $3::int"
		" THEN EXTRACT(EPOCH FROM ((now() AT TIME ZONE 'UTC')::date + 1)::timestamp"
		"  AT TIME ZONE 'UTC')::bigint"
		" ELSE EXTRACT(EPOCH FROM date_trunc('minute', clock_timestamp())"
		"  + interval '1 minute')::bigint END"
		" FROM sofascore_budget s WHERE id = 1",
		3, q);
	int rc = -1;

	if (r != NULL && PQntuples(r) == 1) {
		*until = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
		rc = 1;
	}
	PQclear(r);
	return rc;
}

/*
 * Takes n slots of the shared request budget and of the quota and, in the
 * same statement, reads the cached answers of urls.  A reservation token
 * bucket of burst 1: tokens below zero are the queue of callers ahead;
 * each sleeps until its own slot.  The quota is counted per UTC day and
 * per minute; a take that does not fit changes nothing.  Rows: the tokens
 * left (text), then url, etag, body of each cached URL (binary; one row
 * with NULLs when none is cached); no row: the quota has no room.
 */
static int pg_budget_take(void *ctx, double rps, const struct source_quota *q,
			  const char *const *urls, size_t n, double *tokens, int64_t *until,
			  struct source_cached *cached, int left[2])
{
	char rbuf[32], nbuf[32], dbuf[32], mbuf[32], resbuf[32];
	const char *p[6] = { rbuf, NULL, nbuf, dbuf, mbuf, resbuf };
	cJSON *a = cJSON_CreateArray();
	char *list = NULL;
	PGresult *r;

	*until = 0;
	for (size_t i = 0; a != NULL && i < n; i++)
		cJSON_AddItemToArray(a, cJSON_CreateString(urls[i]));
	if (a != NULL)
		list = cJSON_PrintUnformatted(a);
	cJSON_Delete(a);
	if (list == NULL)
		return -1;
	snprintf(rbuf, sizeof(rbuf), "%.6f", rps);
	snprintf(nbuf, sizeof(nbuf), "%zu", n);
	snprintf(dbuf, sizeof(dbuf), "%d", q->per_day);
	snprintf(mbuf, sizeof(mbuf), "%d", q->per_minute);
	snprintf(resbuf, sizeof(resbuf), "%d", q->reserve);
	p[1] = list;
	r = PQexecParams(
		ctx,
		"WITH b AS (UPDATE sofascore_budget s SET tokens = LEAST(1.0, tokens + "
		"EXTRACT(EPOCH FROM (clock_timestamp() - updated_at)) * $1::float8) - $3::float8,"
		" updated_at = clock_timestamp(),"
		" used_day = " USED_DAY " + $3::int, day = (now() AT TIME ZONE 'UTC')::date,"
		" used_minute = " USED_MIN " + $3::int,"
		" minute = date_trunc('minute', clock_timestamp())"
		" WHERE id = 1"
		" AND (" DAY_LIMIT " = 0 OR " USED_DAY " + $3::int <= " DAY_LIMIT " - $6::int)"
		" AND (" MIN_LIMIT " = 0 OR " USED_MIN " + $3::int <= " MIN_LIMIT ")"
		" RETURNING tokens,"
		"  CASE WHEN " DAY_LIMIT " = 0 THEN -1 ELSE " DAY_LIMIT
		" - s.used_day END AS day_left,"
		"  CASE WHEN " MIN_LIMIT " = 0 THEN -1 ELSE " MIN_LIMIT " - s.used_minute END"
		"   AS minute_left)"
		" SELECT b.tokens::text, c.url, c.etag, c.body,"
		"  EXTRACT(EPOCH FROM now() - c.fetched_at)::bigint,"
		"  b.day_left::text, b.minute_left::text FROM b"
		" LEFT JOIN http_cache c ON c.url IN (SELECT jsonb_array_elements_text($2::jsonb))",
		6, NULL, p, NULL, NULL, 1 /* binary: body as bytes */);
	free(list);
	if (PQresultStatus(r) != PGRES_TUPLES_OK) {
		char msg[300];
		snprintf(msg, sizeof(msg), "%s", PQresultErrorMessage(r));
		msg[strcspn(msg, "\n")] = '\0';
		log_err("database query failed query=budget take error=%s", log_quote(msg));
		PQclear(r);
		return -1;
	}
	if (PQntuples(r) < 1) {
		PQclear(r);
		return quota_until(ctx, p, until);
	}
	*tokens = strtod(PQgetvalue(r, 0, 0), NULL);
	left[0] = (int)strtol(PQgetvalue(r, 0, 5), NULL, 10);
	left[1] = (int)strtol(PQgetvalue(r, 0, 6), NULL, 10);
	for (int t = 0; t < PQntuples(r); t++) {
		if (PQgetisnull(r, t, 1))
			continue;
		for (size_t i = 0; i < n; i++)
			if (cached[i].body == NULL &&
			    PQgetlength(r, t, 1) == (int)strlen(urls[i]) &&
			    memcmp(PQgetvalue(r, t, 1), urls[i], strlen(urls[i])) == 0)
				cache_take(r, t, 2, &cached[i]);
	}
	PQclear(r);
	return 0;
}

static void pg_budget_give_back(void *ctx, size_t n)
{
	char nbuf[32];
	const char *p[1] = { nbuf };

	snprintf(nbuf, sizeof(nbuf), "%zu", n);
	if (db_cmd(ctx, "budget give back",
		   "UPDATE sofascore_budget s SET tokens = LEAST(1.0, tokens + $1::float8),"
		   " used_day = GREATEST(0, " USED_DAY " - $1::int),"
		   " used_minute = GREATEST(0, " USED_MIN " - $1::int),"
		   " day = (now() AT TIME ZONE 'UTC')::date,"
		   " minute = date_trunc('minute', clock_timestamp()) WHERE id = 1",
		   1, p) != 0)
		log_warn("unused request slots not given back n=%zu", n);
}

static void pg_quota_seen(void *ctx, int day_limit, int day_left, int minute_limit, int minute_left)
{
	char b[4][16];
	const char *p[4];
	int v[4] = { day_limit, day_left, minute_limit, minute_left };

	for (int i = 0; i < 4; i++) {
		snprintf(b[i], sizeof(b[i]), "%d", v[i]);
		p[i] = v[i] >= 0 ? b[i] : NULL;
	}
	if (db_cmd(ctx, "quota seen",
		   "UPDATE sofascore_budget s SET"
		   " day_limit_seen = COALESCE($1::int, s.day_limit_seen),"
		   " used_day = GREATEST(" USED_DAY ", COALESCE($1::int - $2::int, 0)),"
		   " day = (now() AT TIME ZONE 'UTC')::date,"
		   " minute_limit_seen = COALESCE($3::int, s.minute_limit_seen),"
		   " used_minute = GREATEST(" USED_MIN ", COALESCE($3::int - $4::int, 0)),"
		   " minute = date_trunc('minute', clock_timestamp()) WHERE id = 1",
		   4, p) != 0)
		log_warn("the provider's quota headers not kept");
}

static void pg_cache_put(void *ctx, const char *url, const char *etag, const char *body, size_t len)
{
	const char *p[3] = { url, etag, body };
	int lens[3] = { 0, 0, (int)len };
	int fmts[3] = { 0, 0, 1 };
	PGresult *r = PQexecParams(
		ctx,
		"INSERT INTO http_cache (url, etag, body, fetched_at) VALUES ($1, $2, $3, now())"
		" ON CONFLICT (url) DO UPDATE SET etag = EXCLUDED.etag, body = EXCLUDED.body,"
		" fetched_at = now()",
		3, NULL, p, lens, fmts, 0);

	if (PQresultStatus(r) != PGRES_COMMAND_OK)
		log_warn("http cache store failed url=%s", url);
	PQclear(r);
}

static void pg_close(void *ctx)
{
	PQfinish(ctx);
}

static PGresult *claim_query(PGconn *db, const char *const *p)
{
	return db_exec(
		db, "data provider",
		"WITH ins AS (INSERT INTO data_provider (id, provider) VALUES (1, $1)"
		"  ON CONFLICT (id) DO NOTHING RETURNING provider, since)"
		" SELECT provider, to_char(since AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI') FROM ins"
		" UNION ALL SELECT provider, to_char(since AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI')"
		"  FROM data_provider WHERE id = 1",
		1, p);
}

/* The database holds cfg's provider's ids (recorded here when it holds
 * none yet).  0, or -1 (said why). */
static int claim_provider(PGconn *db, const char *provider)
{
	const char *p[1] = { provider };
	PGresult *r = NULL;
	int rc = -1;

	/* a program claiming it at the same moment makes this statement see
	 * no row (its snapshot predates that insert): the next one sees it */
	for (int i = 0; i < 3 && (r == NULL || PQntuples(r) < 1); i++) {
		PQclear(r);
		r = claim_query(db, p);
	}
	if (r == NULL || PQntuples(r) < 1) {
		log_err("cannot read which data provider this database holds (run bfctl migrate?)");
	} else if (strcmp(PQgetvalue(r, 0, 0), provider) != 0) {
		log_err("this database holds %s data (since %s UTC) but source.provider is %s: the "
			"two providers' ids name different matches. Point database.url at a database "
			"of its own for %s, or set source.provider back to %s",
			PQgetvalue(r, 0, 0), PQgetvalue(r, 0, 1), provider, provider,
			PQgetvalue(r, 0, 0));
	} else {
		rc = 0;
	}
	PQclear(r);
	return rc;
}

int source_pg_open(struct source **out, const struct bf_config *cfg, const char *db_url,
		   unsigned flags)
{
	struct source_store st = {
		.ready = pg_ready,
		.breaker_read = pg_breaker_read,
		.breaker_open = pg_breaker_open,
		.budget_take = pg_budget_take,
		.budget_give_back = pg_budget_give_back,
		.quota_seen = pg_quota_seen,
		.cache_put = pg_cache_put,
		.close = pg_close,
	};
	PGconn *db = NULL;

	*out = NULL;
	if (db_url == NULL)
		return source_open(out, cfg, NULL, flags);
	if (db_connect(&db, db_url, 5, NULL) != 0)
		return -1;
	if (claim_provider(db, cfg->source_provider) != 0) {
		PQfinish(db);
		return -1;
	}
	/* budget, breaker and ETags: nothing here is worth waiting for a flush */
	if (db_cmd(db, "async session", "SET synchronous_commit TO off", 0, NULL) != 0)
		log_warn("data source client: cannot turn off synchronous commits");
	st.ctx = db;
	return source_open(out, cfg, &st, flags);
}
