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

int main(void)
{
	log_init("test_migrate");
	tenv_require();
	T_RUN(check_fails_before_migrate_then_migrate_twice);
	T_RUN(exec_while_calls_the_wait_until_the_result);
	return t_done();
}
