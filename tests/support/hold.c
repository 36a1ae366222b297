#include "hold.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "tests/support/testenv.h"

#define HOLD_KEY "4242999" /* the advisory lock the trigger waits for */
#define BLOCKED                                                     \
	" FROM pg_stat_activity WHERE datname = current_database()" \
	" AND wait_event_type = 'Lock' AND wait_event = 'advisory'" \
	" AND pid <> pg_backend_pid()"

static int exec_ok(PGconn *c, const char *sql)
{
	PGresult *r = PQexec(c, sql);
	int rc = 0;

	if (PQresultStatus(r) != PGRES_COMMAND_OK && PQresultStatus(r) != PGRES_TUPLES_OK) {
		printf("#   hold: %s#   in: %.300s\n", PQresultErrorMessage(r), sql);
		rc = -1;
	}
	PQclear(r);
	return rc;
}

int hold_arm(struct hold *h, const char *db_url, const char *table, const char *when)
{
	char sql[1024];

	memset(h, 0, sizeof(*h));
	snprintf(h->table, sizeof(h->table), "%s", table);
	h->conn = PQconnectdb(db_url);
	if (PQstatus(h->conn) != CONNECTION_OK) {
		printf("#   hold: cannot connect: %s", PQerrorMessage(h->conn));
		PQfinish(h->conn);
		h->conn = NULL;
		return -1;
	}
	snprintf(sql, sizeof(sql),
		 "SELECT pg_advisory_lock(" HOLD_KEY ");"
		 "CREATE FUNCTION bf_test_hold() RETURNS trigger LANGUAGE plpgsql AS"
		 " $$BEGIN PERFORM pg_advisory_xact_lock_shared(" HOLD_KEY "); RETURN NEW; END$$;"
		 "CREATE TRIGGER bf_test_hold %s EXECUTE FUNCTION bf_test_hold()",
		 when);
	if (exec_ok(h->conn, sql) != 0) {
		hold_release(h, HOLD_LET_GO);
		return -1;
	}
	return 0;
}

int hold_wait(struct hold *h, int timeout_ms, char *query, size_t n)
{
	long long until = tenv_now_ms() + timeout_ms;

	query[0] = '\0';
	while (h->conn != NULL) {
		PGresult *r = PQexec(h->conn, "SELECT query" BLOCKED);
		bool blocked = PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) > 0;

		if (blocked)
			snprintf(query, n, "%s", PQgetvalue(r, 0, 0));
		PQclear(r);
		if (blocked)
			return 0;
		if (tenv_now_ms() >= until)
			break;
		tenv_sleep_ms(20);
	}
	printf("#   hold: nothing blocked in the %s trigger within %d ms\n", h->table, timeout_ms);
	return -1;
}

void hold_release(struct hold *h, enum hold_end end)
{
	char sql[256];

	if (h->conn == NULL)
		return;
	if (end == HOLD_CANCEL)
		(void)exec_ok(h->conn, "SELECT pg_terminate_backend(pid, 10000)" BLOCKED);
	/* HOLD_LET_GO: the held statement goes on; its backend then finds the
	 * client gone */
	(void)exec_ok(h->conn, "SELECT pg_advisory_unlock(" HOLD_KEY ")");
	snprintf(sql, sizeof(sql),
		 "DROP TRIGGER IF EXISTS bf_test_hold ON %s; DROP FUNCTION IF EXISTS bf_test_hold()",
		 h->table);
	(void)exec_ok(h->conn, sql);
	PQfinish(h->conn);
	h->conn = NULL;
}
