/*
 * hold: stops a program under test at one SQL statement, so that a test
 * can kill it exactly there (a crash between two steps) without any hook
 * in the program.  hold_arm() puts a trigger on a table that waits for an
 * advisory lock this test holds; the program's statement blocks in it;
 * hold_wait() sees it blocked; the test kills the program; hold_release()
 * either lets the statement go on (PostgreSQL then finds its client gone
 * and rolls an open transaction back, as after any crash) or cancels it
 * with its session (the program died before it sent the statement), and
 * drops the trigger.
 */
#ifndef BF_TEST_HOLD_H
#define BF_TEST_HOLD_H

#include <libpq-fe.h>
#include <stddef.h>

enum hold_end {
	HOLD_LET_GO, /* the held statement runs (a statement of a transaction) */
	HOLD_CANCEL, /* its session ends first (a statement that would commit) */
};

struct hold {
	PGconn *conn; /* holds the advisory lock */
	char table[64];
};

/*
 * Arms the hold on db_url: when is the trigger's timing and event, e.g.
 * "BEFORE INSERT ON incidents FOR EACH STATEMENT" or "BEFORE UPDATE ON jobs
 * FOR EACH ROW WHEN (NEW.state = 'enqueued')"; table names the table of it.
 * 0 or -1 (said as a "#" line).
 */
int hold_arm(struct hold *h, const char *db_url, const char *table, const char *when);

/* Waits until a backend is blocked in the hold; its statement (the start
 * of it) into query.  0, or -1 after timeout_ms. */
int hold_wait(struct hold *h, int timeout_ms, char *query, size_t n);

/* Ends the held statement as end says, unlocks, drops the trigger, closes.
 * Harmless on an unarmed hold. */
void hold_release(struct hold *h, enum hold_end end);

#endif
