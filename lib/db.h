/*
 * db: PostgreSQL through libpq.  Every query goes through PQexecParams
 * (db_exec); SQL is never built from strings.
 */
#ifndef BF_DB_H
#define BF_DB_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stddef.h>

#include <libpq-fe.h>

#include "strbuf.h"

/* schema/NNN_*.sql, embedded by the build (build/gen/schema_gen.c) */
struct db_migration {
	const char *name;
	const char *sql;
};
extern const struct db_migration db_migrations[];
extern const size_t db_nmigrations;

/* pg_advisory_lock key held by the active producer (bfctl status asks
 * whether one holds it) */
#define DB_PRODUCER_LOCK_KEY "4242002"

/* url read by libpq's own parser (PQconninfoParse), as a connect would:
 * 0, or -1 with libpq's reason in err. */
int db_url_check(const char *url, char *err, size_t n) __attribute__((warn_unused_result));

/*
 * conninfo (a libpq URI or keyword/value string) fit for a log, into out
 * (size n, always NUL-terminated): read by libpq's own parser
 * (PQconninfoParse), and when it holds a value libpq hides (password,
 * sslpassword) written back as keyword/value pairs with that value "***";
 * without one, as it is.  What libpq cannot parse goes through log_redact().
 */
void db_url_safe(const char *conninfo, char *out, size_t n);

/*
 * Connects, retrying up to tries times (0 = until *stop) with backoff.
 * Returns 0 with *out, or -1.  Caller frees with PQfinish.
 */
int db_connect(PGconn **out, const char *url, int tries, volatile sig_atomic_t *stop)
	__attribute__((warn_unused_result));

/*
 * Checks that every embedded migration has been applied.  Returns 0, or
 * -1 with a message naming `bfctl migrate` in err.
 */
int db_check_schema(PGconn *c, char *err, size_t errlen) __attribute__((warn_unused_result));

/* Applies pending migrations under an advisory lock, each in its own
 * transaction.  *applied = how many.  Returns 0 or -1 (logged). */
int db_migrate(PGconn *c, int *applied) __attribute__((warn_unused_result));

/*
 * Runs one parameterised statement (text parameters, NULL = SQL NULL).
 * Returns the result (caller PQclear()s it) or NULL on error, logged with
 * what (a short name of the query).
 */
PGresult *db_exec(PGconn *c, const char *what, const char *sql, int nparams,
		  const char *const *params);
/* Same, calling wait(arg, the connection's socket) until the result is
 * there: the caller gets other work done meanwhile (wait returns when the
 * socket is readable, or earlier).  wait NULL: db_exec. */
PGresult *db_exec_while(PGconn *c, const char *what, const char *sql, int nparams,
			const char *const *params, void (*wait)(void *arg, int fd), void *arg);
/* Same, for statements whose result is not needed: 0 or -1. */
int db_cmd(PGconn *c, const char *what, const char *sql, int nparams, const char *const *params)
	__attribute__((warn_unused_result));

/* One statement of db_pipeline. */
struct db_stmt {
	const char *what; /* short name for the log */
	const char *sql;
	int nparams;
	const char *const *params;
};

/*
 * Sends the statements in one round trip (libpq pipeline mode) and reads
 * every result.  Returns 0 when all succeeded, or -1 (the first error is
 * logged; the statements after it did not run; an open transaction is
 * rolled back).  Results are not returned: for writes.
 */
int db_pipeline(PGconn *c, const struct db_stmt *st, size_t n) __attribute__((warn_unused_result));

/*
 * db_pipeline in two halves, so that the server works while the caller
 * does something else: db_send_many sends the statements (nothing is
 * waited for) and returns 0, or -1 (logged; nothing is left pending);
 * after a 0, db_take_many must read their answers, in order, into
 * out[0..n-1] (out may be NULL: read and dropped) and returns 0 when all
 * succeeded, or -1 (logged; every out[i] NULL).  The connection serves
 * nothing else in between.
 */
int db_send_many(PGconn *c, const struct db_stmt *st, size_t n) __attribute__((warn_unused_result));
int db_take_many(PGconn *c, const struct db_stmt *st, size_t n, PGresult **out);

/*
 * Like db_cmd, in one round trip, committed without waiting for the WAL flush
 * (synchronous_commit off for this one statement): for writes a server
 * crash may lose without harm (a state that a redelivery recomputes).
 */
int db_cmd_async(PGconn *c, const char *what, const char *sql, int nparams,
		 const char *const *params) __attribute__((warn_unused_result));

/* The array literal of v[0..n-1] for a bigint[] or int[] parameter
 * ("{1,2,3}"), or of bools for a bool[] one ("{t,f}"), into b (emptied
 * first; out of memory: b->oom). */
void db_array_int(struct strbuf *b, const int64_t *v, size_t n);
void db_array_bool(struct strbuf *b, const bool *v, size_t n);

/*
 * Rows for COPY ... FROM STDIN in its text format, built in memory: fields
 * added in order, each row ended with db_copy_row().  Out of memory is
 * remembered (db_copy then fails).  Free with db_copy_free().
 */
struct db_copy {
	struct strbuf b;
	bool first; /* the next field starts a row */
};
void db_copy_text(struct db_copy *b, const char *s); /* NULL: SQL NULL */
void db_copy_null(struct db_copy *b);
void db_copy_int(struct db_copy *b, long long v);
void db_copy_double(struct db_copy *b, double v); /* as cJSON prints a number */
void db_copy_bool(struct db_copy *b, bool v);
/* v, or SQL NULL when not have */
void db_copy_opt_int(struct db_copy *b, bool have, long long v);
void db_copy_opt_double(struct db_copy *b, bool have, double v);
void db_copy_row(struct db_copy *b);
void db_copy_free(struct db_copy *b);
/* Runs sql (COPY table (columns) FROM STDIN) with the rows of b: 0, or -1
 * (logged with what).  Rows none: nothing is sent, 0. */
int db_copy(PGconn *c, const char *what, const char *sql, const struct db_copy *b)
	__attribute__((warn_unused_result));

int db_begin(PGconn *c) __attribute__((warn_unused_result));
int db_commit(PGconn *c) __attribute__((warn_unused_result));
void db_rollback(PGconn *c);

/* True when the connection is gone; db_reconnect() tries once to reset it. */
bool db_broken(PGconn *c);
int db_reconnect(PGconn *c) __attribute__((warn_unused_result));

#endif
