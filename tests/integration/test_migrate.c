/*
 * bfctl migrate and the schema check, against the real PostgreSQL.
 */
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

int main(void)
{
	log_init("test_migrate");
	tenv_require();
	T_RUN(check_fails_before_migrate_then_migrate_twice);
	return t_done();
}
