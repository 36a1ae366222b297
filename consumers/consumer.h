/*
 * consumer: the consume loop shared by bf-lineups, bf-results and
 * bf-tournament-stats.
 *
 * The loop decodes each delivery (a poison message goes to the dead queue
 * with x-bf-reason=poison), hands the work message to the branch, flushes
 * the renders the branches queued (render.h) once per batch, and carries
 * out the outcome of each (outcome.h): done / expired -> record the
 * job, ack; a render Plainly accepted -> record the job "rendering",
 * publish its render message to bf.render (bf-renders follows it and
 * ends the job), confirm, ack; retry-later -> republish to a wait tier with x-bf-attempt + 1
 * (dead-letter with attempts-exhausted past max_attempts), confirm, ack;
 * dead -> republish to bf.dead with x-bf-reason and x-bf-error, confirm,
 * ack.  Nothing is acked before what replaces it is confirmed.
 */
#ifndef BF_CONSUMER_H
#define BF_CONSUMER_H

#include <stdbool.h>
#include <stdint.h>

#include <libpq-fe.h>

#include "consumers/outcome.h"
#include "lib/config.h"
#include "lib/http.h"
#include "protocol/broker.h"
#include "protocol/message.h"
#include "protocol/source.h"
#include "protocol/topology.h"

struct render; /* render.h */

/* Most deliveries handled as one batch (one lock, one durable INSERT, one
 * state statement, one job statement); the batch is at most the prefetch. */
#define CONSUMER_BATCH_MAX 64

/* Everything a branch may use; owned by the loop. */
struct consumer_ctx {
	const struct bf_config *cfg;
	const char *prog;
	enum msg_type type;
	struct topology topo;
	PGconn *db;
	PGconn *db_ahead; /* consumer_db_ahead(): NULL until a type asks for it */
	struct source *src; /* match data */
	struct http_client *http; /* Plainly */
	struct broker *in; /* consuming connection */
	struct broker *out; /* publishing connection (wait, dead) */
	int max_attempts;
	int prefetch;
	int attempt; /* of the message in hand */
	struct render *render; /* the batch's renders: render_request(ctx->render, ...) */
	void (*def_branch)(struct consumer_ctx *, const struct work_msg *, struct outcome *);
	void (*def_prefetch)(struct consumer_ctx *, const struct work_msg *const *, size_t);
	void (*def_flush)(struct consumer_ctx *);
	void *branch_data; /* the branch's own (freed with free() at exit) */
};

/*
 * A second database connection, for statements a type sends ahead
 * (db_send_many in its prefetch) so that the server answers them while the
 * loop still uses ctx->db for the batch in hand; the type takes the answers
 * in its flush.  Opened at start (consumer_def.db_ahead) or at the first
 * call, reopened once when broken; NULL when it cannot be (logged): the
 * caller reads on ctx->db.
 */
PGconn *consumer_db_ahead(struct consumer_ctx *ctx);

typedef void (*branch_fn)(struct consumer_ctx *ctx, const struct work_msg *m, struct outcome *out);

struct consumer_def {
	const char *prog; /* "bf-lineups" */
	enum msg_type type;
	branch_fn branch;
	/* optional: once per batch, before the branches, with the valid
	 * messages (read rows, reserve requests in a few round trips) */
	void (*prefetch)(struct consumer_ctx *ctx, const struct work_msg *const *msgs, size_t n);
	/* optional: once per batch, after the branches and before its renders
	 * are carried out: writes what the branches deferred (their outcome
	 * OUT_DEFERRED) in one transaction (consumer_write_batch), queues their
	 * renders and gives each deferred outcome */
	void (*flush)(struct consumer_ctx *ctx);
	/* optional: the type sends statements ahead (consumer_db_ahead): the
	 * second connection is opened at start, with the first */
	bool db_ahead;
	const char *what; /* one line for --help */
	/* optional: the type's own configuration checks (a start and -n run
	 * them): 0, or -1 with why in err */
	int (*check)(const struct bf_config *cfg, char *err, size_t n);
	/* optional: once connected, before the first delivery (0 or -1: the
	 * program exits 1), and at the end */
	int (*start)(const struct consumer_ctx *ctx, const char *conn_name);
	void (*stop)(void);
};

/* Runs a consumer program: flags, config, connections, loop, teardown. */
int consumer_main(const struct consumer_def *def, int argc, char **argv);

/* Helpers for branches, beside outcome.h's. */

/* Wait tier (seconds) for a transient failure at this attempt: the
 * shortest first, longer ones as attempts add up. */
int consumer_backoff_tier(const struct consumer_ctx *ctx, int attempt);

/*
 * The batch's writes in one transaction: write(db, arg, idx, k) writes the
 * items idx[0..k-1] of the caller's batch in one transaction of its own (0,
 * or -1 rolled back).  When the batch's transaction fails, each item is
 * written again alone, so that one bad item holds back only itself.
 * ok[i]: item i is written.  Returns how many are.
 */
size_t consumer_write_batch(struct consumer_ctx *ctx, size_t n,
			    int (*write)(PGconn *db, void *arg, const size_t *idx, size_t k),
			    void *arg, bool *ok);

/* Outcome for a Sofascore result that is not OK/NOT_MODIFIED/NOT_FOUND. */
void consumer_source_failure(const struct consumer_ctx *ctx, const struct source_resp *r,
			     const char *what, struct outcome *o);

#endif
