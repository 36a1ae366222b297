/*
 * bfctl migrate and the schema check, and db_exec_while, against the real
 * PostgreSQL.
 */
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/db.h"
#include "lib/log.h"
#include "tests/support/t.h"
#include "tests/support/testenv.h"

static char dbname[64], dburl[512];

static int count(PGconn *c, const char *sql)
{
	PGresult *r = db_exec(c, "count", sql, 0, NULL);
	int n = -1;

	if (r != NULL && PQntuples(r) == 1)
		n = (int)strtol(PQgetvalue(r, 0, 0), NULL, 10);
	PQclear(r);
	return n;
}

static void check_fails_before_migrate_then_migrate_twice(void)
{
	PGconn *c = NULL;
	char err[512] = "", cmd[1024];

	snprintf(dbname, sizeof(dbname), "t_migrate_%ld", (long)getpid());
	REQUIRE(tenv_db_create(dbname, dburl, sizeof(dburl)) == 0);
	REQUIRE(db_connect(&c, dburl, 3, NULL) == 0);
	CHECK(db_check_schema(c, err, sizeof(err)) != 0);
	CHECK(strstr(err, "bfctl migrate") != NULL);

	/* through the real binary, from another folder: the SQL is embedded */
	snprintf(cmd, sizeof(cmd),
		 "cd /tmp && BF_DATABASE_URL='%s' %s/bin/bfctl -c /dev/null migrate > /tmp/bf-migrate-%ld.out 2>&1",
		 dburl, tenv_root()[0] == '/' ? tenv_root() : getenv("PWD"), (long)getpid());
	CHECK_INT(tenv_sh(cmd), 0);
	CHECK(db_check_schema(c, err, sizeof(err)) == 0);
	CHECK_INT(count(c, "SELECT count(*) FROM schema_migrations"), (int)db_nmigrations);
	CHECK_INT(count(c, "SELECT count(*) FROM information_schema.tables WHERE table_name IN "
			   "('events','teams','tournaments','jobs','renders','lineups',"
			   "'team_statistics','incidents','standings_snapshots')"),
		  9);

	/* second run: nothing applied, nothing changed */
	int applied = -1;
	CHECK(db_migrate(c, &applied) == 0);
	CHECK_INT(applied, 0);
	CHECK_INT(count(c, "SELECT count(*) FROM schema_migrations"), (int)db_nmigrations);

	/* the unique (kind, subject) of jobs holds */
	const char *p[2] = { "line-up", "line-up:1" };
	CHECK(db_cmd(c, "job", "INSERT INTO jobs (kind, subject) VALUES ($1, $2)", 2, p) == 0);
	PGresult *r = PQexecParams(c, "INSERT INTO jobs (kind, subject) VALUES ($1, $2)", 2, NULL,
				   p, NULL, NULL, 0);
	CHECK(PQresultStatus(r) == PGRES_FATAL_ERROR);
	PQclear(r);
	PQfinish(c);
	tenv_db_drop(dbname);
}

struct waits {
	int calls, fd;
	bool other_fd;
};

static void count_waits(void *arg, int fd)
{
	struct waits *w = arg;
	struct pollfd p = { .fd = fd, .events = POLLIN };

	w->calls++;
	w->other_fd |= fd != w->fd;
	poll(&p, 1, 1000);
}

/* The caller's wait runs while the statement does; results and errors are
 * what db_exec gives, and the connection stays usable. */
static void exec_while_calls_the_wait_until_the_result(void)
{
	PGconn *c = NULL;
	char name[64], url[512];
	struct waits w = { 0 };
	const char *p[1] = { "41" };
	PGresult *r;

	snprintf(name, sizeof(name), "t_exec_while_%ld", (long)getpid());
	REQUIRE(tenv_db_create(name, url, sizeof(url)) == 0);
	REQUIRE(db_connect(&c, url, 3, NULL) == 0);
	w.fd = PQsocket(c);
	r = db_exec_while(c, "sleep", "SELECT pg_sleep(0.3), $1::int + 1", 1, p, count_waits, &w);
	REQUIRE(r != NULL);
	CHECK_INT(PQntuples(r), 1);
	CHECK_STR(PQgetvalue(r, 0, 1), "42");
	PQclear(r);
	CHECK(w.calls >= 1);
	CHECK(!w.other_fd);

	w.calls = 0;
	r = db_exec_while(c, "division", "SELECT 1 / (0 * $1::int)", 1, p, count_waits, &w);
	CHECK(r == NULL);
	CHECK_INT(count(c, "SELECT 7"), 7); /* usable after the error */
	r = db_exec_while(c, "no wait", "SELECT $1::int + 1", 1, p, NULL, NULL);
	REQUIRE(r != NULL);
	CHECK_STR(PQgetvalue(r, 0, 0), "42");
	PQclear(r);
	PQfinish(c);
	tenv_db_drop(name);
}

/* db_send_many returns before the answers: its first statement waits for
 * an advisory lock another connection holds, and the server is seen
 * waiting on it while the caller goes on; released, db_take_many gives
 * each statement its result in order.  A failing statement: -1, no result
 * handed out, the ones after it not run, the connection usable; out NULL
 * drops them. */
static void send_many_then_take_many(void)
{
	PGconn *c = NULL, *holder = NULL;
	char name[64], url[512];
	const char *p[1] = { "41" };
	const struct db_stmt ok[3] = {
		{ "lock", "SELECT pg_advisory_xact_lock(4242)", 0, NULL },
		{ "add", "SELECT $1::int + 1", 1, p },
		{ "series", "SELECT g FROM generate_series(1, 3) g", 0, NULL },
	};
	const struct db_stmt bad[3] = {
		{ "add", "SELECT $1::int + 1", 1, p },
		{ "division", "SELECT 1 / (0 * $1::int)", 1, p },
		{ "insert", "INSERT INTO sent_after (x) VALUES (1)", 0, NULL },
	};
	PGresult *r[3];

	snprintf(name, sizeof(name), "t_send_many_%ld", (long)getpid());
	REQUIRE(tenv_db_create(name, url, sizeof(url)) == 0);
	REQUIRE(db_connect(&c, url, 3, NULL) == 0);
	REQUIRE(db_connect(&holder, url, 3, NULL) == 0);
	REQUIRE(db_cmd(c, "table", "CREATE TABLE sent_after (x int)", 0, NULL) == 0);
	/* a db_send_many that waited would fail here, not hang */
	REQUIRE(db_cmd(c, "timeout", "SET statement_timeout = '20s'", 0, NULL) == 0);
	REQUIRE(db_cmd(holder, "hold", "SELECT pg_advisory_lock(4242)", 0, NULL) == 0);

	REQUIRE(db_send_many(c, ok, 3) == 0);
	int waiting = 0;
	for (int i = 0; i < 200 && waiting == 0; i++) {
		waiting = count(
			holder,
			"SELECT count(*) FROM pg_stat_activity"
			" WHERE wait_event_type = 'Lock' AND query LIKE '%pg_advisory_xact_lock%'");
		if (waiting == 0)
			usleep(50 * 1000);
	}
	CHECK_INT(waiting, 1);
	REQUIRE(db_cmd(holder, "release", "SELECT pg_advisory_unlock(4242)", 0, NULL) == 0);
	CHECK_INT(db_take_many(c, ok, 3, r), 0);
	REQUIRE(r[0] != NULL && r[1] != NULL && r[2] != NULL);
	CHECK_STR(PQgetvalue(r[1], 0, 0), "42");
	CHECK_INT(PQntuples(r[2]), 3);
	CHECK_STR(PQgetvalue(r[2], 2, 0), "3");
	for (int i = 0; i < 3; i++)
		PQclear(r[i]);

	REQUIRE(db_send_many(c, bad, 3) == 0);
	CHECK_INT(db_take_many(c, bad, 3, r), -1);
	CHECK(r[0] == NULL && r[1] == NULL && r[2] == NULL);
	CHECK_INT(count(c, "SELECT count(*) FROM sent_after"), 0);
	CHECK_INT(count(c, "SELECT 7"), 7); /* usable after the error */

	REQUIRE(db_send_many(c, ok + 1, 2) == 0);
	CHECK_INT(db_take_many(c, ok + 1, 2, NULL), 0);
	CHECK(db_pipeline(c, bad, 3) != 0);
	CHECK_INT(count(c, "SELECT 8"), 8);
	PQfinish(holder);
	PQfinish(c);
	tenv_db_drop(name);
}

int main(void)
{
	log_init("test_migrate");
	tenv_require();
	T_RUN(check_fails_before_migrate_then_migrate_twice);
	T_RUN(exec_while_calls_the_wait_until_the_result);
	T_RUN(send_many_then_take_many);
	return t_done();
}
