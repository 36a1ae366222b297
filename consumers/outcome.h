/*
 * outcome: what became of one work message, as a branch or a render says
 * it and the consume loop carries it out (consumer.h says how).
 */
#ifndef BF_OUTCOME_H
#define BF_OUTCOME_H

#include <stdbool.h>

enum outcome_kind {
	OUT_DONE = 0,
	OUT_RETRY, /* retry later, from a wait tier */
	OUT_EXPIRED, /* nothing to do any more (recorded, acked) */
	OUT_DEAD, /* an operator must look: dead queue with the reason */
	OUT_RENDER, /* internal: render queued, render_flush() gives the outcome */
	OUT_REQUEUE, /* internal: not handled (stopping): back to the queue as it is */
	OUT_DEFERRED, /* internal: the type's flush writes the batch and gives the outcome */
};

struct outcome {
	enum outcome_kind kind;
	int tier; /* OUT_RETRY: wait tier in seconds; 0 = by attempt */
	int render; /* OUT_RENDER: the request's number in its render batch */
	bool waits; /* OUT_RETRY: a wait that is not an attempt (access refused, quota spent) */
	bool follow; /* OUT_DONE: Plainly accepted a render, bf-renders follows it to its end */
	char reason[32]; /* OUT_DEAD: poison, plainly-rejected, ...; OUT_RETRY: short cause */
	char error[512]; /* human text (OUT_DONE, OUT_EXPIRED: an optional note) */
};

/* Retry later from the wait tier of tier seconds (0: by attempt). */
void outcome_retry(struct outcome *o, int tier, const char *reason, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* Retry from the wait tier of tier seconds, without counting an attempt:
 * nothing is wrong with the message, the data source makes everyone wait
 * (a message never goes dead for it). */
void outcome_wait(struct outcome *o, int tier, const char *reason, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* Dead-letter with reason (a short code) and the human text. */
void outcome_dead(struct outcome *o, const char *reason, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Done, with a note for the log line. */
void outcome_done(struct outcome *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Nothing to do any more (recorded, acked), with a note for the log line. */
void outcome_expired(struct outcome *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* "done", "retry", ...: the name the log line gives the kind. */
const char *outcome_name(enum outcome_kind kind);

#endif
