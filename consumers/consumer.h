/*
 * consumer: the consume loop shared by bf-lineups, bf-results and
 * bf-tournament-stats.
 *
 * The loop decodes each delivery (a poison message goes to the dead queue
 * with x-bf-reason=poison), hands the work message to the branch, and
 * carries out the outcome the branch returns: done / expired -> record the
 * job, ack; retry-later -> republish to a wait tier with x-bf-attempt + 1
 * (dead-letter with attempts-exhausted past max_attempts), confirm, ack;
 * dead -> republish to bf.dead with x-bf-reason and x-bf-error, confirm,
 * ack.  Nothing is acked before what replaces it is confirmed.
 */
#ifndef BF_CONSUMER_H
#define BF_CONSUMER_H

#include <stdbool.h>
#include <stdint.h>

#include <libpq-fe.h>

#include "lib/config.h"
#include "lib/http.h"
#include "protocol/broker.h"
#include "protocol/message.h"
#include "protocol/source.h"
#include "protocol/topology.h"

enum outcome_kind {
	OUT_DONE = 0,
	OUT_RETRY, /* retry later, from a wait tier */
	OUT_EXPIRED, /* nothing to do any more (recorded, acked) */
	OUT_DEAD, /* an operator must look: dead queue with the reason */
	OUT_RENDER, /* internal: render queued, render_flush() sets the outcome */
	OUT_REQUEUE, /* internal: not handled (stopping): back to the queue as it is */
};

struct outcome {
	enum outcome_kind kind;
	int tier; /* OUT_RETRY: wait tier in seconds; 0 = by attempt */
	char reason[32]; /* OUT_DEAD: poison, plainly-rejected, ...; OUT_RETRY: short cause */
	char error[512]; /* human text */
};

/* Most deliveries handled as one batch (one lock, one durable INSERT, one
 * state statement, one job statement); the batch is at most the prefetch. */
#define CONSUMER_BATCH_MAX 64

/* A render queued by render_request(), carried out by render_flush(). */
struct render_job {
	const struct cfg_template *tpl;
	const char *kind; /* "line-up", ... */
	char subject[MSG_KEY_MAX];
	char *body; /* the POST /renders request (malloc'd) */
	struct outcome *out;
};

/* Everything a branch may use; owned by the loop. */
struct consumer_ctx {
	const struct bf_config *cfg;
	const char *prog;
	enum msg_type type;
	struct topology topo;
	PGconn *db;
	struct source *src; /* match data */
	struct http_client *http; /* Plainly */
	struct broker *in; /* consuming connection */
	struct broker *out; /* publishing connection (wait, dead) */
	int max_attempts;
	int prefetch;
	int attempt; /* of the message in hand */
	struct render_job renders[CONSUMER_BATCH_MAX];
	size_t nrenders;
	void (*def_branch)(struct consumer_ctx *, const struct work_msg *, struct outcome *);
	void (*def_prefetch)(struct consumer_ctx *, const struct work_msg *const *, size_t);
	void *branch_data; /* the branch's own (freed with free() at exit) */
};

typedef void (*branch_fn)(struct consumer_ctx *ctx, const struct work_msg *m,
			  struct outcome *out);

struct consumer_def {
	const char *prog; /* "bf-lineups" */
	enum msg_type type;
	branch_fn branch;
	/* optional: once per batch, before the branches, with the valid
	 * messages (read rows, reserve requests in a few round trips) */
	void (*prefetch)(struct consumer_ctx *ctx, const struct work_msg *const *msgs, size_t n);
	const char *what; /* one line for --help */
};

/* Runs a consumer program: flags, config, connections, loop, teardown. */
int consumer_main(const struct consumer_def *def, int argc, char **argv);

/* Helpers for branches. */
void outcome_retry(struct outcome *o, int tier, const char *reason, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
void outcome_dead(struct outcome *o, const char *reason, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Wait tier (seconds) for a transient failure at this attempt: the
 * shortest first, longer ones as attempts add up. */
int consumer_backoff_tier(const struct consumer_ctx *ctx, int attempt);

/* Outcome for a Sofascore result that is not OK/NOT_MODIFIED/NOT_FOUND. */
void consumer_sofa_failure(const struct consumer_ctx *ctx, const struct source_resp *r,
			   const char *what, struct outcome *o);

#endif
