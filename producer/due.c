#include "producer/due.h"

#include <stdlib.h>
#include <string.h>

enum due_job_state due_state_parse(const char *s)
{
	if (strcmp(s, "enqueued") == 0)
		return DUE_ENQUEUED;
	if (strcmp(s, "rendering") == 0)
		return DUE_RENDERING;
	if (strcmp(s, "done") == 0)
		return DUE_DONE;
	if (strcmp(s, "expired") == 0)
		return DUE_EXPIRED;
	if (strcmp(s, "dead") == 0)
		return DUE_DEAD;
	return DUE_PENDING;
}

/* Total order of work messages: kind, then ids. */
static int msg_cmp(const struct work_msg *a, const struct work_msg *b)
{
#define CMP(x, y)                                  \
	do {                                       \
		if ((x) != (y))                    \
			return (x) < (y) ? -1 : 1; \
	} while (0)
	CMP(a->type, b->type);
	CMP(a->event_id, b->event_id);
	CMP(a->unique_tournament_id, b->unique_tournament_id);
	CMP(a->season_id, b->season_id);
	CMP(a->round, b->round);
#undef CMP
	return 0;
}

static int job_cmp(const void *a, const void *b)
{
	return msg_cmp(&((const struct due_job *)a)->msg, &((const struct due_job *)b)->msg);
}

static const struct due_job *job_find(const struct due_job *sorted, size_t n,
				      const struct work_msg *m)
{
	struct due_job key;

	if (n == 0)
		return NULL; /* bsearch wants a valid base even for zero items */
	memset(&key, 0, sizeof(key));
	key.msg = *m;
	return bsearch(&key, sorted, n, sizeof(*sorted), job_cmp);
}

static int round_cmp(const void *a, const void *b)
{
	const struct due_event *x = *(const struct due_event *const *)a;
	const struct due_event *y = *(const struct due_event *const *)b;

	if (x->ut != y->ut)
		return x->ut < y->ut ? -1 : 1;
	if (x->season != y->season)
		return x->season < y->season ? -1 : 1;
	if (x->round != y->round)
		return x->round < y->round ? -1 : 1;
	return x->id < y->id ? -1 : x->id > y->id;
}

static bool push(struct due_item *out, size_t max, size_t *n, const struct work_msg *m,
		 int64_t kickoff, bool rearm)
{
	if (*n >= max)
		return false;
	out[*n].msg = *m;
	out[*n].kickoff = kickoff;
	out[*n].rearm = rearm;
	(*n)++;
	return true;
}

size_t due_compute(const struct due_event *events, size_t nevents, const struct due_job *jobs,
		   size_t njobs, const struct due_params *p, struct due_item *out, size_t max)
{
	struct due_job *sorted = NULL;
	const struct due_event **byround = NULL;
	size_t n = 0;

	if (njobs > 0) {
		sorted = malloc(njobs * sizeof(*sorted));
		if (sorted == NULL)
			return 0;
		memcpy(sorted, jobs, njobs * sizeof(*sorted));
		qsort(sorted, njobs, sizeof(*sorted), job_cmp);
	}

	/* line-ups */
	for (size_t i = 0; i < nevents; i++) {
		const struct due_event *e = &events[i];
		struct work_msg m = { .type = MSG_LINEUP, .event_id = e->id };
		int64_t left = e->start_ts - p->now;
		const struct due_job *j;

		if (e->status != MATCH_ST_NOTSTARTED || left <= 0 || left > p->lineup_lead)
			continue;
		j = job_find(sorted, njobs, &m);
		if (j == NULL)
			push(out, max, &n, &m, e->start_ts, false);
		else if (j->state == DUE_EXPIRED && j->kickoff != e->start_ts)
			push(out, max, &n, &m, e->start_ts, true);
	}
	/* results */
	for (size_t i = 0; i < nevents; i++) {
		const struct due_event *e = &events[i];
		struct work_msg m = { .type = MSG_RESULT, .event_id = e->id };

		if (e->status == MATCH_ST_FINISHED && job_find(sorted, njobs, &m) == NULL)
			push(out, max, &n, &m, 0, false);
	}
	/* rounds */
	if (nevents > 0) {
		byround = malloc(nevents * sizeof(*byround));
		if (byround == NULL)
			goto out;
		for (size_t i = 0; i < nevents; i++)
			byround[i] = &events[i];
		qsort(byround, nevents, sizeof(*byround), round_cmp);
	}
	for (size_t i = 0; i < nevents;) {
		const struct due_event *first = byround[i];
		bool complete = true;
		size_t k = i, finished = 0;

		for (; k < nevents && byround[k]->ut == first->ut &&
		       byround[k]->season == first->season && byround[k]->round == first->round;
		     k++) {
			const struct due_event *e = byround[k];
			if (e->status == MATCH_ST_FINISHED) {
				finished++;
				if (!e->result_stored)
					complete = false;
			} else if (e->status != MATCH_ST_POSTPONED &&
				   e->status != MATCH_ST_CANCELED) {
				complete = false;
			}
		}
		i = k;
		/* a round of only postponed/canceled matches has nothing to show */
		if (!complete || finished == 0 || first->round <= 0 || first->season <= 0 ||
		    first->ut <= 0)
			continue;
		struct work_msg m = { .type = MSG_TSTATS,
				      .unique_tournament_id = first->ut,
				      .season_id = first->season,
				      .round = first->round };
		if (job_find(sorted, njobs, &m) == NULL)
			push(out, max, &n, &m, 0, false);
	}
out:
	free(byround);
	free(sorted);
	return n;
}
