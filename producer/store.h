/*
 * store: the producer's PostgreSQL side.  Upserts write only rows that
 * changed; every statement is parameterised (batches travel as one json or
 * jsonb parameter expanded by json_to_recordset or jsonb_to_recordset).
 */
#ifndef BF_STORE_H
#define BF_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <libpq-fe.h>

#include "producer/due.h"
#include "protocol/match.h"

/*
 * Upserts the events of followed tournaments (and their teams and
 * tournaments) in one statement (one round trip, one transaction).
 * *kept = events of followed tournaments, *changed = event rows inserted
 * or changed.  0 or -1.
 */
int store_upsert_events(PGconn *db, const struct match_event *evs, size_t n,
			const int64_t *followed, size_t nfollowed, size_t *kept, size_t *changed)
	__attribute__((warn_unused_result));

/* Events of the last 14 days and beyond (and all events of their rounds),
 * and the jobs that concern them.  Arrays are malloc'd (free()). */
int store_load_due(PGconn *db, struct due_event **ev, size_t *nev, struct due_job **jobs,
		   size_t *njobs) __attribute__((warn_unused_result));

/* Records due items as pending jobs (re-armed ones back to pending).
 * *recorded = rows written. */
int store_record_jobs(PGconn *db, const struct due_item *items, size_t n, size_t *recorded)
	__attribute__((warn_unused_result));

/* Jobs recorded but not yet confirmed by the broker (at most max). */
int store_pending_jobs(PGconn *db, struct work_msg **out, size_t *n, size_t max)
	__attribute__((warn_unused_result));

/* pending -> enqueued for these (never touches a job a consumer finished). */
int store_mark_enqueued(PGconn *db, const struct work_msg *msgs, size_t n)
	__attribute__((warn_unused_result));

/*
 * enqueued -> pending for jobs with no news (no state written by a consumer)
 * for after seconds: their message may be stuck in the broker (RabbitMQ
 * 3.10's at-least-once dead-letter worker after a node loss) or lost; the
 * next publish_pending sends them again.  A consumer that still gets the old
 * message handles it twice, which renders once (consumers/render.c).  Logs
 * each one; *n = jobs requeued.
 */
int store_requeue_stale(PGconn *db, int after, size_t *n) __attribute__((warn_unused_result));

/* This producer (name: bf-producer@host:pid) in the producers table, for
 * bfctl status: its role now, and (cycled) that it just completed a cycle;
 * rows not seen for a day are dropped.  0 or -1. */
int store_producer_seen(PGconn *db, const char *name, bool active, bool cycled)
	__attribute__((warn_unused_result));

/* The unfinished jobs (pending, enqueued, rendering) by kind and state,
 * with the age of the oldest news of each, into the metrics (bf_jobs,
 * bf_jobs_oldest_age_seconds; 0 for a state with none).  0 or -1. */
int store_job_gauges(PGconn *db) __attribute__((warn_unused_result));

/* A followed match watched for its final whistle. */
struct store_watch {
	int64_t id;
	int64_t competition; /* the provider's (unique tournament, league) */
	int64_t start_ts;
};

/*
 * Matches to watch for their final whistle: not final, kick-off at least
 * after seconds ago and at most 3 days ago, oldest first (at most 200).
 * *w is malloc'd (free()).
 */
int store_watch_candidates(PGconn *db, int after, struct store_watch **w, size_t *n)
	__attribute__((warn_unused_result));

/*
 * The next moments (epoch seconds, 0 = none in the next 3 days) when
 * something becomes due without any news: *lineup, a line-up job
 * lineup_lead before a kick-off; *watch, a match to watch from kick-off +
 * watch_after.
 */
int store_next_moments(PGconn *db, int lineup_lead, int watch_after, int64_t *lineup,
		       int64_t *watch) __attribute__((warn_unused_result));

#endif
