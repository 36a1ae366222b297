/*
 * producer/due: what is due, as a table of cases (issue 3).
 */
#include <stdlib.h>
#include <string.h>

#include "producer/due.h"
#include "protocol/sofascore.h"
#include "tests/support/t.h"

#define NOW 1790000000LL
#define LEAD 4500 /* 75 min */
#define MIN 60

static struct due_params P = { .now = NOW, .lineup_lead = LEAD };

static struct due_event ev(int64_t id, int64_t start, enum match_status st)
{
	struct due_event e = { .id = id,
			       .ut = 17,
			       .season = 76986,
			       .round = 12,
			       .start_ts = start,
			       .status = st,
			       .result_stored = false };
	return e;
}

static struct due_job job(enum msg_type t, int64_t id, int64_t kickoff, enum due_job_state s)
{
	struct due_job j;

	memset(&j, 0, sizeof(j));
	j.msg.type = t;
	j.msg.event_id = id;
	j.kickoff = kickoff;
	j.state = s;
	return j;
}

static size_t run(const struct due_event *e, size_t ne, const struct due_job *j, size_t nj,
		  struct due_item *out)
{
	return due_compute(e, ne, j, nj, &P, out, 64);
}

static bool has(const struct due_item *it, size_t n, enum msg_type t, int64_t id)
{
	for (size_t i = 0; i < n; i++)
		if (it[i].msg.type == t && (t == MSG_TSTATS || it[i].msg.event_id == id))
			return true;
	return false;
}

static void lineup_window(void)
{
	/* table: start offset, status, expected line-up due */
	static const struct {
		int64_t off;
		enum match_status st;
		bool due;
	} cases[] = {
		{ 30 * MIN, MATCH_ST_NOTSTARTED, true }, /* inside the lead */
		{ LEAD, MATCH_ST_NOTSTARTED, true }, /* exactly at the lead */
		{ LEAD + 1, MATCH_ST_NOTSTARTED, false }, /* just outside */
		{ 24 * 3600, MATCH_ST_NOTSTARTED, false }, /* tomorrow */
		{ 0, MATCH_ST_NOTSTARTED, false }, /* kick-off now */
		{ -10 * MIN, MATCH_ST_NOTSTARTED, false }, /* late, not started */
		{ 10 * MIN, MATCH_ST_INPROGRESS, false }, /* already started (early?) */
		{ 10 * MIN, MATCH_ST_POSTPONED, false }, /* postponed */
		{ 10 * MIN, MATCH_ST_CANCELED, false }, /* canceled */
		{ 10 * MIN, MATCH_ST_UNKNOWN, false }, /* unknown status */
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct due_event e = ev(100 + (int64_t)i, NOW + cases[i].off, cases[i].st);
		struct due_item out[8];
		size_t n = run(&e, 1, NULL, 0, out);
		if (has(out, n, MSG_LINEUP, e.id) != cases[i].due)
			t_fail(__FILE__, __LINE__, "case %zu: line-up due should be %d", i,
			       cases[i].due);
		if (cases[i].due)
			CHECK_INT(out[0].kickoff, e.start_ts);
	}
}

static void lineup_not_twice(void)
{
	struct due_event e = ev(1, NOW + 30 * MIN, MATCH_ST_NOTSTARTED);
	static const enum due_job_state states[] = { DUE_PENDING, DUE_ENQUEUED, DUE_RENDERING,
						     DUE_DONE,	  DUE_EXPIRED,	DUE_DEAD };
	struct due_item out[8];

	for (size_t i = 0; i < sizeof(states) / sizeof(states[0]); i++) {
		struct due_job j = job(MSG_LINEUP, 1, e.start_ts, states[i]);
		CHECK_INT(run(&e, 1, &j, 1, out), 0);
	}
}

static void postponed_and_moved_gets_new_lineup_job(void)
{
	/* the job expired for the old time; the match now starts in 40 min */
	struct due_event e = ev(1, NOW + 40 * MIN, MATCH_ST_NOTSTARTED);
	struct due_job j = job(MSG_LINEUP, 1, NOW - 3 * 86400, DUE_EXPIRED);
	struct due_item out[8];
	size_t n = run(&e, 1, &j, 1, out);

	CHECK_INT(n, 1);
	CHECK(out[0].rearm);
	CHECK_INT(out[0].kickoff, NOW + 40 * MIN);
	/* still postponed: nothing */
	e.status = MATCH_ST_POSTPONED;
	CHECK_INT(run(&e, 1, &j, 1, out), 0);
	/* moved, but the job is still being worked on: the consumer reads the
	 * new kick-off itself, no second message */
	e.status = MATCH_ST_NOTSTARTED;
	j.state = DUE_ENQUEUED;
	CHECK_INT(run(&e, 1, &j, 1, out), 0);
}

static void results_by_status(void)
{
	static const struct {
		int code;
		const char *type;
		bool due;
	} cases[] = {
		{ 100, "finished", true },
		{ 110, "finished", true },
		{ 120, "finished", true },
		{ 999, "finished", true }, /* unknown code: falls back to the type */
		{ 70, "canceled", false },
		{ 60, "postponed", false },
		{ 80, "interrupted", false },
		{ 31, "inprogress", false },
		{ 999, "whatever", false },
		{ 0, "notstarted", false },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct due_event e = ev(500 + (int64_t)i, NOW - 3 * 3600,
					sofa_status_from(cases[i].code, cases[i].type));
		struct due_item out[8];
		size_t n = run(&e, 1, NULL, 0, out);
		if (has(out, n, MSG_RESULT, e.id) != cases[i].due)
			t_fail(__FILE__, __LINE__, "case %zu (code %d): result due should be %d", i,
			       cases[i].code, cases[i].due);
	}
	/* not twice */
	struct due_event e = ev(7, NOW - 3 * 3600, MATCH_ST_FINISHED);
	struct due_job j = job(MSG_RESULT, 7, 0, DUE_DONE);
	struct due_item out[8];
	CHECK_INT(run(&e, 1, &j, 1, out), 0);
}

static void round_completion(void)
{
	struct due_event e[4];
	struct due_item out[16];
	size_t n;

	for (int i = 0; i < 4; i++) {
		e[i] = ev(10 + i, NOW - 5 * 3600, MATCH_ST_FINISHED);
		e[i].result_stored = true;
	}
	e[2].status = MATCH_ST_POSTPONED;
	e[3].status = MATCH_ST_CANCELED;
	/* complete: all finished/postponed/canceled, finished ones stored */
	struct due_job jr[2] = { job(MSG_RESULT, 10, 0, DUE_DONE),
				 job(MSG_RESULT, 11, 0, DUE_DONE) };
	n = run(e, 4, jr, 2, out);
	CHECK_INT(n, 1);
	CHECK(out[0].msg.type == MSG_TSTATS);
	CHECK_INT(out[0].msg.unique_tournament_id, 17);
	CHECK_INT(out[0].msg.season_id, 76986);
	CHECK_INT(out[0].msg.round, 12);

	/* a finished match whose result is not stored yet: not complete */
	e[1].result_stored = false;
	CHECK(!has(out, run(e, 4, jr, 2, out), MSG_TSTATS, 0));
	e[1].result_stored = true;

	/* one match still in progress: not complete */
	e[0].status = MATCH_ST_INPROGRESS;
	CHECK(!has(out, run(e, 4, jr, 2, out), MSG_TSTATS, 0));
	e[0].status = MATCH_ST_FINISHED;

	/* a match of another round does not matter */
	struct due_event other[5];
	memcpy(other, e, sizeof(e));
	other[4] = ev(99, NOW + 3600, MATCH_ST_NOTSTARTED);
	other[4].round = 13;
	CHECK(has(out, run(other, 5, jr, 2, out), MSG_TSTATS, 0));

	/* already published: not again (a late result of the postponed match) */
	struct due_job jt[3] = { jr[0], jr[1], job(MSG_TSTATS, 0, 0, DUE_DONE) };
	jt[2].msg.unique_tournament_id = 17;
	jt[2].msg.season_id = 76986;
	jt[2].msg.round = 12;
	e[2].status = MATCH_ST_FINISHED;
	e[2].result_stored = true;
	n = run(e, 4, jt, 3, out);
	CHECK(!has(out, n, MSG_TSTATS, 0));

	/* a round with only postponed/canceled matches has nothing to show */
	struct due_event z[2] = { ev(30, NOW - 3600, MATCH_ST_POSTPONED),
				  ev(31, NOW - 3600, MATCH_ST_CANCELED) };
	CHECK_INT(run(z, 2, NULL, 0, out), 0);

	/* events without a round (friendlies) never make a round */
	struct due_event f = ev(40, NOW - 5 * 3600, MATCH_ST_FINISHED);
	f.round = 0;
	f.result_stored = true;
	struct due_job fj = job(MSG_RESULT, 40, 0, DUE_DONE);
	CHECK_INT(run(&f, 1, &fj, 1, out), 0);
}

static void order_and_cap(void)
{
	struct due_event e[3] = { ev(1, NOW - 3 * 3600, MATCH_ST_FINISHED),
				  ev(2, NOW + 10 * MIN, MATCH_ST_NOTSTARTED),
				  ev(3, NOW - 3 * 3600, MATCH_ST_FINISHED) };
	struct due_item out[8];
	size_t n = run(e, 3, NULL, 0, out);

	CHECK_INT(n, 3);
	CHECK(out[0].msg.type == MSG_LINEUP && out[0].msg.event_id == 2);
	CHECK(out[1].msg.type == MSG_RESULT);
	CHECK_INT(due_compute(e, 3, NULL, 0, &P, out, 1), 1);
}

/* the jobs table's states, as the producer reads them back */
static void job_states_parsed(void)
{
	CHECK_INT(due_state_parse("pending"), DUE_PENDING);
	CHECK_INT(due_state_parse("enqueued"), DUE_ENQUEUED);
	CHECK_INT(due_state_parse("rendering"), DUE_RENDERING);
	CHECK_INT(due_state_parse("done"), DUE_DONE);
	CHECK_INT(due_state_parse("expired"), DUE_EXPIRED);
	CHECK_INT(due_state_parse("dead"), DUE_DEAD);
}

int main(void)
{
	T_RUN(job_states_parsed);
	T_RUN(lineup_window);
	T_RUN(lineup_not_twice);
	T_RUN(postponed_and_moved_gets_new_lineup_job);
	T_RUN(results_by_status);
	T_RUN(round_completion);
	T_RUN(order_and_cap);
	return t_done();
}
