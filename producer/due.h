/*
 * due: what work is due, decided from events, existing jobs and the time.
 * Pure: no I/O, unit-tested with a table of cases.
 *
 *  - line-up: 0 < start - now <= lineup_lead and the event has not started;
 *    no job yet, or the job expired and kick-off has moved since (a
 *    postponed match gets a new job for its new time);
 *  - result: status finished (100, 110, 120, or an unknown code whose type
 *    is finished) and no job yet;
 *  - tournament-stats: every event of a (unique tournament, season, round)
 *    is finished, postponed or canceled, every finished one has its result
 *    stored, and no job yet.
 */
#ifndef BF_DUE_H
#define BF_DUE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "protocol/message.h"
#include "protocol/match.h"

struct due_event {
	int64_t id;
	int64_t ut; /* unique tournament */
	int64_t season;
	int round; /* 0 = none */
	int64_t start_ts;
	enum match_status status;
	bool result_stored;
};

enum due_job_state {
	DUE_PENDING,
	DUE_ENQUEUED,
	DUE_RENDERING, /* its render accepted, bf-renders follows it */
	DUE_DONE,
	DUE_EXPIRED,
	DUE_DEAD
};

struct due_job {
	struct work_msg msg; /* kind and subject */
	int64_t kickoff; /* line-up jobs: the start time they were made for */
	enum due_job_state state;
};

struct due_params {
	int64_t now;
	int lineup_lead; /* seconds */
};

struct due_item {
	struct work_msg msg;
	int64_t kickoff; /* line-up: start time; 0 otherwise */
	bool rearm; /* an existing job is made due again */
};

/*
 * Fills out (at most max) with the due work, in a stable order: line-ups,
 * results, then rounds.  events and jobs are not modified.  Returns the
 * number of items (capped at max).
 */
size_t due_compute(const struct due_event *events, size_t nevents, const struct due_job *jobs,
		   size_t njobs, const struct due_params *p, struct due_item *out, size_t max);

/* Parses a jobs.state string. */
enum due_job_state due_state_parse(const char *s);

#endif
