#include "db.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "log.h"
#include "metrics.h"
#include "notify.h"

#define MIGRATE_LOCK_KEY "4242001" /* pg_advisory_lock key of bfctl migrate */

/* libpq's message ends with a newline; keep logs on one line */
static const char *one_line(const char *s, char *buf, size_t n)
{
	size_t i;

	snprintf(buf, n, "%s", s != NULL ? s : "");
	for (i = 0; buf[i] != '\0'; i++)
		if (buf[i] == '\n' || buf[i] == '\r')
			buf[i] = ' ';
	while (i > 0 && buf[i - 1] == ' ')
		buf[--i] = '\0';
	return buf;
}

/* Server notices ("relation already exists, skipping") go to the debug log. */
static void on_notice(void *arg, const char *msg)
{
	char buf[512];

	(void)arg;
	log_debug("database notice: %s", one_line(msg, buf, sizeof(buf)));
}

/* What a statement or connect told of the database, for the metrics: an
 * error counts; connected is what libpq says of the connection now. */
static void seen(PGconn *c, bool failed)
{
	if (failed)
		metrics_add(M_DATABASE_ERRORS, 1, METRICS_END);
	metrics_set(M_DATABASE_CONNECTED, c != NULL && PQstatus(c) == CONNECTION_OK ? 1 : 0,
		    METRICS_END);
}

/* s to out[*pos..n), cut (and always NUL-terminated) where it does not fit. */
static void put(char *out, size_t n, size_t *pos, const char *s)
{
	size_t len = strlen(s);

	if (*pos + 1 >= n)
		return;
	if (len > n - 1 - *pos)
		len = n - 1 - *pos;
	memcpy(out + *pos, s, len);
	*pos += len;
	out[*pos] = '\0';
}

/* v as libpq's keyword/value syntax reads it back: bare when it is plain,
 * else in single quotes with ' and \ escaped. */
static void put_value(char *out, size_t n, size_t *pos, const char *v)
{
	char c[2] = { 0, 0 };

	if (v[0] != '\0' && strpbrk(v, " \t\n\r\f\v'\\") == NULL) {
		put(out, n, pos, v);
		return;
	}
	put(out, n, pos, "'");
	for (; *v != '\0'; v++) {
		if (*v == '\'' || *v == '\\')
			put(out, n, pos, "\\");
		c[0] = *v;
		put(out, n, pos, c);
	}
	put(out, n, pos, "'");
}

void db_url_safe(const char *conninfo, char *out, size_t n)
{
	PQconninfoOption *opts, *o;
	char *why = NULL;
	bool hidden = false;
	size_t pos = 0;

	if (n == 0)
		return;
	out[0] = '\0';
	if (conninfo == NULL)
		return;
	opts = PQconninfoParse(conninfo, &why);
	if (opts == NULL) {
		PQfreemem(why);
		log_redact(conninfo, out, n);
		return;
	}
	/* only the options the string gives have a value (no defaults) */
	for (o = opts; o->keyword != NULL; o++)
		if (o->val != NULL && o->dispchar != NULL && o->dispchar[0] == '*')
			hidden = true;
	if (!hidden) {
		snprintf(out, n, "%s", conninfo);
	} else {
		for (o = opts; o->keyword != NULL; o++) {
			if (o->val == NULL)
				continue;
			if (pos > 0)
				put(out, n, &pos, " ");
			put(out, n, &pos, o->keyword);
			put(out, n, &pos, "=");
			if (o->dispchar != NULL && o->dispchar[0] == '*')
				put(out, n, &pos, "***");
			else
				put_value(out, n, &pos, o->val);
		}
	}
	PQconninfoFree(opts);
}

int db_connect(PGconn **out, const char *url, int tries, volatile sig_atomic_t *stop)
{
	int backoff = 250;
	char msg[512], shown[512];

	*out = NULL;
	db_url_safe(url, shown, sizeof(shown));
	for (int i = 1;; i++) {
		PGconn *c = PQconnectdb(url);

		seen(c, PQstatus(c) != CONNECTION_OK);
		if (PQstatus(c) == CONNECTION_OK) {
			PQsetNoticeProcessor(c, on_notice, NULL);
			*out = c;
			return 0;
		}
		log_warn("database connect failed url=%s error=%s try=%d", log_quote(shown),
			 log_quote(one_line(PQerrorMessage(c), msg, sizeof(msg))), i);
		PQfinish(c);
		if ((tries > 0 && i >= tries) || (stop != NULL && *stop))
			return -1;
		for (int slept = 0; slept < backoff; slept += 100) {
			if (stop != NULL && *stop)
				return -1;
			notify_watchdog(); /* a loop that waits for the database is alive */
			clock_sleep_ms(100);
		}
		backoff = backoff * 2 > 10000 ? 10000 : backoff * 2;
	}
}

/* r when it succeeded; else logged, cleared, NULL. */
static PGresult *checked(PGconn *c, const char *what, PGresult *r)
{
	ExecStatusType st = PQresultStatus(r);
	char msg[512];

	if (r != NULL && (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK)) {
		seen(c, false);
		return r;
	}
	seen(c, true);
	log_err("database query failed query=%s error=%s", what,
		log_quote(one_line(r != NULL ? PQresultErrorMessage(r) : PQerrorMessage(c), msg,
				   sizeof(msg))));
	PQclear(r);
	return NULL;
}

PGresult *db_exec(PGconn *c, const char *what, const char *sql, int nparams,
		  const char *const *params)
{
	return checked(c, what, PQexecParams(c, sql, nparams, NULL, params, NULL, NULL, 0));
}

PGresult *db_exec_while(PGconn *c, const char *what, const char *sql, int nparams,
			const char *const *params, void (*wait)(void *arg, int fd), void *arg)
{
	PGresult *r, *last = NULL;

	if (wait == NULL)
		return db_exec(c, what, sql, nparams, params);
	if (PQsendQueryParams(c, sql, nparams, NULL, params, NULL, NULL, 0) != 1)
		return checked(c, what, NULL); /* logs the connection's error */
	while (PQisBusy(c)) {
		wait(arg, PQsocket(c));
		if (PQconsumeInput(c) != 1)
			break; /* PQgetResult says what went wrong */
	}
	while ((r = PQgetResult(c)) != NULL) {
		PQclear(last);
		last = r;
	}
	return checked(c, what, last);
}

int db_cmd(PGconn *c, const char *what, const char *sql, int nparams, const char *const *params)
{
	PGresult *r = db_exec(c, what, sql, nparams, params);

	if (r == NULL)
		return -1;
	PQclear(r);
	return 0;
}

void db_array_int(struct strbuf *b, const int64_t *v, size_t n)
{
	b->len = 0;
	strbuf_put(b, "{", 1);
	for (size_t i = 0; i < n; i++) {
		if (i > 0)
			strbuf_put(b, ",", 1);
		strbuf_int(b, (long long)v[i]);
	}
	strbuf_put(b, "}", 1);
}

void db_array_bool(struct strbuf *b, const bool *v, size_t n)
{
	b->len = 0;
	strbuf_put(b, "{", 1);
	for (size_t i = 0; i < n; i++) {
		if (i > 0)
			strbuf_put(b, ",", 1);
		strbuf_put(b, v[i] ? "t" : "f", 1);
	}
	strbuf_put(b, "}", 1);
}

/* ---- COPY ------------------------------------------------------------------ */

static void copy_put(struct db_copy *b, const char *s, size_t n)
{
	strbuf_put(&b->b, s, n);
}

static void copy_sep(struct db_copy *b)
{
	if (b->b.len > 0 && !b->first)
		copy_put(b, "\t", 1);
	b->first = false;
}

void db_copy_text(struct db_copy *b, const char *s)
{
	const char *run;

	if (s == NULL) {
		db_copy_null(b);
		return;
	}
	copy_sep(b);
	/* backslash, tab, newline and carriage return are escaped */
	for (run = s; *s != '\0'; s++) {
		const char *esc = *s == '\\'   ? "\\\\"
				  : *s == '\t' ? "\\t"
				  : *s == '\n' ? "\\n"
				  : *s == '\r' ? "\\r"
					       : NULL;
		if (esc == NULL)
			continue;
		copy_put(b, run, (size_t)(s - run));
		copy_put(b, esc, 2);
		run = s + 1;
	}
	copy_put(b, run, (size_t)(s - run));
}

void db_copy_null(struct db_copy *b)
{
	copy_sep(b);
	copy_put(b, "\\N", 2);
}

void db_copy_int(struct db_copy *b, long long v)
{
	copy_sep(b);
	strbuf_int(&b->b, v);
}

void db_copy_double(struct db_copy *b, double v)
{
	if (fabs(v) < 1e15 && v == (double)(long long)v && !(v == 0 && signbit(v))) {
		db_copy_int(b, (long long)v);
		return;
	}
	copy_sep(b);
	strbuf_double(&b->b, v); /* as cJSON prints it */
}

void db_copy_opt_int(struct db_copy *b, bool have, long long v)
{
	if (have)
		db_copy_int(b, v);
	else
		db_copy_null(b);
}

void db_copy_opt_double(struct db_copy *b, bool have, double v)
{
	if (have)
		db_copy_double(b, v);
	else
		db_copy_null(b);
}

void db_copy_bool(struct db_copy *b, bool v)
{
	copy_sep(b);
	copy_put(b, v ? "t" : "f", 1);
}

void db_copy_row(struct db_copy *b)
{
	copy_put(b, "\n", 1);
	b->first = true;
}

void db_copy_free(struct db_copy *b)
{
	strbuf_free(&b->b);
	b->first = false;
}

int db_copy(PGconn *c, const char *what, const char *sql, const struct db_copy *b)
{
	PGresult *r;

	if (b->b.oom) {
		log_err("database query failed query=%s error=\"out of memory\"", what);
		return -1;
	}
	if (b->b.len == 0)
		return 0;
	r = PQexec(c, sql);
	if (PQresultStatus(r) != PGRES_COPY_IN) {
		PQclear(checked(c, what, r));
		return -1;
	}
	PQclear(r);
	if (PQputCopyData(c, b->b.p, (int)b->b.len) != 1 || PQputCopyEnd(c, NULL) != 1) {
		while ((r = PQgetResult(c)) != NULL)
			PQclear(r);
		(void)checked(c, what, NULL);
		return -1;
	}
	int rc = 0;
	while ((r = PQgetResult(c)) != NULL) {
		if (PQresultStatus(r) != PGRES_COMMAND_OK) {
			if (rc == 0)
				(void)checked(c, what, r);
			else
				PQclear(r);
			rc = -1;
		} else {
			PQclear(r);
		}
	}
	if (rc == 0)
		seen(c, false);
	return rc;
}

int db_send_many(PGconn *c, const struct db_stmt *st, size_t n)
{
	size_t sent = 0;
	char msg[512];

	if (PQenterPipelineMode(c) != 1) {
		log_err("database pipeline failed error=%s",
			log_quote(one_line(PQerrorMessage(c), msg, sizeof(msg))));
		seen(c, true);
		return -1;
	}
	for (; sent < n; sent++)
		if (PQsendQueryParams(c, st[sent].sql, st[sent].nparams, NULL, st[sent].params,
				      NULL, NULL, 0) != 1)
			break;
	if (sent < n)
		log_err("database query failed query=%s error=%s", st[sent].what,
			log_quote(one_line(PQerrorMessage(c), msg, sizeof(msg))));
	if (PQpipelineSync(c) != 1 || sent < n || PQflush(c) != 0) {
		/* what was sent is answered (or the connection is gone): read it */
		(void)db_take_many(c, st, sent, NULL);
		seen(c, true);
		return -1;
	}
	return 0;
}

int db_take_many(PGconn *c, const struct db_stmt *st, size_t n, PGresult **out)
{
	size_t k = 0;
	int rc = 0, nulls = 0;
	char msg[512];

	for (size_t i = 0; out != NULL && i < n; i++)
		out[i] = NULL;
	/* one result then NULL per statement, then the sync; two NULLs in a
	 * row: nothing more is coming (a broken connection) */
	for (;;) {
		PGresult *r = PQgetResult(c);
		ExecStatusType es;

		if (r == NULL) {
			if (++nulls >= 2)
				break;
			continue;
		}
		nulls = 0;
		es = PQresultStatus(r);
		if (es == PGRES_PIPELINE_SYNC) {
			PQclear(r);
			break;
		}
		if (es != PGRES_COMMAND_OK && es != PGRES_TUPLES_OK) {
			if (rc == 0 && es != PGRES_PIPELINE_ABORTED)
				log_err("database query failed query=%s error=%s",
					k < n ? st[k].what : "pipeline",
					log_quote(one_line(PQresultErrorMessage(r), msg,
							   sizeof(msg))));
			rc = -1;
			PQclear(r);
		} else if (out != NULL && k < n) {
			out[k] = r;
		} else {
			PQclear(r);
		}
		k++;
	}
	if (PQexitPipelineMode(c) != 1)
		rc = -1;
	if (k < n)
		rc = -1;
	/* a statement that failed inside BEGIN leaves the transaction aborted */
	if (PQtransactionStatus(c) == PQTRANS_INERROR || PQtransactionStatus(c) == PQTRANS_INTRANS)
		db_rollback(c);
	seen(c, rc != 0);
	if (rc != 0)
		for (size_t i = 0; out != NULL && i < n; i++) {
			PQclear(out[i]);
			out[i] = NULL;
		}
	return rc;
}

int db_pipeline(PGconn *c, const struct db_stmt *st, size_t n)
{
	if (db_send_many(c, st, n) != 0)
		return -1;
	return db_take_many(c, st, n, NULL);
}

int db_cmd_async(PGconn *c, const char *what, const char *sql, int nparams,
		 const char *const *params)
{
	const struct db_stmt st[4] = {
		{ "begin", "BEGIN", 0, NULL },
		{ "async commit", "SET LOCAL synchronous_commit TO off", 0, NULL },
		{ what, sql, nparams, params },
		{ "commit", "COMMIT", 0, NULL },
	};

	return db_pipeline(c, st, 4);
}

int db_begin(PGconn *c)
{
	return db_cmd(c, "begin", "BEGIN", 0, NULL);
}

int db_commit(PGconn *c)
{
	return db_cmd(c, "commit", "COMMIT", 0, NULL);
}

void db_rollback(PGconn *c)
{
	PGresult *r = PQexec(c, "ROLLBACK");

	PQclear(r);
}

bool db_broken(PGconn *c)
{
	return c == NULL || PQstatus(c) != CONNECTION_OK;
}

int db_reconnect(PGconn *c)
{
	PQreset(c);
	seen(c, PQstatus(c) != CONNECTION_OK);
	return PQstatus(c) == CONNECTION_OK ? 0 : -1;
}

int db_check_schema(PGconn *c, char *err, size_t errlen)
{
	PGresult *r;
	char list[4096];
	size_t pos = 0;
	const char *params[1];
	int found;

	list[pos++] = '{';
	for (size_t i = 0; i < db_nmigrations && pos + 300 < sizeof(list); i++)
		pos += (size_t)snprintf(list + pos, sizeof(list) - pos, "%s\"%s\"", i ? "," : "",
					db_migrations[i].name);
	list[pos++] = '}';
	list[pos] = '\0';
	params[0] = list;
	r = PQexecParams(c, "SELECT count(*) FROM schema_migrations WHERE name = ANY($1::text[])",
			 1, NULL, params, NULL, NULL, 0);
	if (PQresultStatus(r) != PGRES_TUPLES_OK) {
		const char *state = PQresultErrorField(r, PG_DIAG_SQLSTATE);
		if (state != NULL && strcmp(state, "42P01") == 0)
			snprintf(err, errlen,
				 "the database has no schema yet: run `bfctl migrate` first");
		else
			snprintf(err, errlen, "cannot read schema_migrations: %s",
				 PQresultErrorMessage(r));
		PQclear(r);
		return -1;
	}
	found = (int)strtol(PQgetvalue(r, 0, 0), NULL, 10);
	PQclear(r);
	if ((size_t)found != db_nmigrations) {
		snprintf(err, errlen,
			 "the database schema is older than this program (%d of %zu migrations applied): run `bfctl migrate`",
			 found, db_nmigrations);
		return -1;
	}
	return 0;
}

int db_migrate(PGconn *c, int *applied)
{
	PGresult *r;
	int rc = -1;

	*applied = 0;
	if (db_cmd(c, "migrate lock", "SELECT pg_advisory_lock(" MIGRATE_LOCK_KEY ")", 0, NULL) !=
	    0)
		return -1;
	if (db_cmd(c, "schema_migrations",
		   "CREATE TABLE IF NOT EXISTS schema_migrations ("
		   " name text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())",
		   0, NULL) != 0)
		goto out;
	for (size_t i = 0; i < db_nmigrations; i++) {
		const char *p[1] = { db_migrations[i].name };
		bool done;

		r = db_exec(c, "migration applied?",
			    "SELECT 1 FROM schema_migrations WHERE name = $1", 1, p);
		if (r == NULL)
			goto out;
		done = PQntuples(r) > 0;
		PQclear(r);
		if (done)
			continue;
		if (db_begin(c) != 0)
			goto out;
		/* a migration file holds several statements: the simple query
		 * protocol is the only way to run it; its text is ours, not input */
		r = PQexec(c, db_migrations[i].sql);
		if (PQresultStatus(r) != PGRES_COMMAND_OK && PQresultStatus(r) != PGRES_TUPLES_OK) {
			char msg[512];
			log_err("migration failed file=%s error=%s", db_migrations[i].name,
				log_quote(one_line(PQresultErrorMessage(r), msg, sizeof(msg))));
			PQclear(r);
			db_rollback(c);
			goto out;
		}
		PQclear(r);
		if (db_cmd(c, "record migration",
			   "INSERT INTO schema_migrations (name) VALUES ($1)", 1, p) != 0 ||
		    db_commit(c) != 0) {
			db_rollback(c);
			goto out;
		}
		log_info("migration applied file=%s", db_migrations[i].name);
		(*applied)++;
	}
	rc = 0;
out:
	if (db_cmd(c, "migrate unlock", "SELECT pg_advisory_unlock(" MIGRATE_LOCK_KEY ")", 0,
		   NULL) != 0)
		rc = -1;
	return rc;
}

int db_url_check(const char *url, char *err, size_t n)
{
	char *why = NULL;
	PQconninfoOption *o = PQconninfoParse(url, &why);

	if (o == NULL) {
		char line[300];
		snprintf(line, sizeof(line), "%s", why != NULL ? why : "out of memory");
		line[strcspn(line, "\n")] = '\0';
		snprintf(err, n, "database.url: %s", line);
		PQfreemem(why);
		return -1;
	}
	PQconninfoFree(o);
	return 0;
}
