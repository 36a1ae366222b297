#include "consumers/consumer.h"

#include <getopt.h>
#include <inttypes.h>
#include <malloc.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sys/resource.h>

#include "lib/db.h"
#include "lib/log.h"
#include "lib/metrics.h"
#include "lib/notify.h"
#include "lib/proc.h"
#include "consumers/render.h"
#include "lib/clock.h"
#include "lib/signals.h"
#include "lib/version.h"
#include "protocol/follow.h"
#include "protocol/source_pg.h"

/* How long a batch waits for one more delivery when the provider answers
 * many events in one request (API-Football fixtures?ids=). */
#define BATCH_LINGER_MS 100

_Static_assert(CONSUMER_BATCH_MAX <= RENDER_BATCH_MAX, "a batch's renders fit in one render batch");

int consumer_backoff_tier(const struct consumer_ctx *ctx, int attempt)
{
	const struct topo_queue *tiers[CFG_MAX_TIERS];
	size_t n = topo_wait_tiers(&ctx->topo, ctx->type, tiers, CFG_MAX_TIERS);
	size_t i;

	if (n == 0)
		return 0;
	/* three tries per tier, then the next longer one */
	i = (size_t)(attempt / 3);
	if (i >= n)
		i = n - 1;
	return tiers[i]->ttl;
}

void consumer_source_failure(const struct consumer_ctx *ctx, const struct source_resp *r,
			     const char *what, struct outcome *o)
{
	const struct topo_queue *tiers[CFG_MAX_TIERS];
	size_t n = topo_wait_tiers(&ctx->topo, ctx->type, tiers, CFG_MAX_TIERS);
	const char *prov = source_provider(ctx->src);
	char reason[sizeof(o->reason)];
	int tier = n > 0 ? tiers[n - 1]->ttl : 0;

	switch (r->result) {
	case SOURCE_REFUSED:
		/* access refused or quota spent: wait, never dead-letter for it;
		 * the first tier that outlasts the pause, else the longest */
		for (size_t i = 0; r->retry_after > 0 && i < n; i++)
			if (tiers[i]->ttl >= r->retry_after) {
				tier = tiers[i]->ttl;
				break;
			}
		if (r->reason == SOURCE_R_QUOTA)
			snprintf(reason, sizeof(reason), "quota-spent");
		else if (strcmp(prov, "sofascore") == 0)
			snprintf(reason, sizeof(reason), "sofascore-challenge");
		else
			snprintf(reason, sizeof(reason), "%s-refused", prov);
		outcome_wait(o, tier, reason, "%s: %s", what, r->error);
		break;
	case SOURCE_FAILED:
		snprintf(reason, sizeof(reason), "%s-%s", prov,
			 r->reason == SOURCE_R_PLAN ? "plan" : "failed");
		outcome_dead(o, reason, "%s: %s", what, r->error);
		break;
	default:
		snprintf(reason, sizeof(reason), "%s-transient", prov);
		outcome_retry(o, consumer_backoff_tier(ctx, ctx->attempt), reason, "%s: %s", what,
			      r->error);
		break;
	}
}

size_t consumer_write_batch(struct consumer_ctx *ctx, size_t n,
			    int (*write)(PGconn *db, void *arg, const size_t *idx, size_t k),
			    void *arg, bool *ok)
{
	size_t idx[CONSUMER_BATCH_MAX], done = 0;

	for (size_t i = 0; i < n; i++)
		ok[i] = false;
	if (n == 0 || n > CONSUMER_BATCH_MAX || (db_broken(ctx->db) && db_reconnect(ctx->db) != 0))
		return 0;
	for (size_t i = 0; i < n; i++)
		idx[i] = i;
	if (write(ctx->db, arg, idx, n) == 0) {
		for (size_t i = 0; i < n; i++)
			ok[i] = true;
		return n;
	}
	/* the connection is gone: every item waits for the next delivery */
	if (n == 1 || db_broken(ctx->db))
		return 0;
	log_warn("the batch's %zu writes failed together: writing each alone", n);
	for (size_t i = 0; i < n; i++)
		if (write(ctx->db, arg, &idx[i], 1) == 0) {
			ok[i] = true;
			done++;
		}
	return done;
}

/* ---- republish ----------------------------------------------------------- */

/* Republishes the delivery (same body and identity) and waits for the
 * confirm.  0 when confirmed. */
static int republish(struct consumer_ctx *ctx, const struct broker_delivery *d,
		     const char *exchange, const char *rkey, int attempt, const char *reason,
		     const char *error)
{
	struct broker_msg bm;

	memset(&bm, 0, sizeof(bm));
	bm.exchange = exchange;
	bm.routing_key = rkey;
	bm.body = d->body;
	bm.len = d->len;
	bm.message_id = d->message_id[0] ? d->message_id : NULL;
	bm.type = d->type[0] ? d->type : msg_type_name(ctx->type);
	bm.app_id = ctx->prog;
	bm.attempt = attempt;
	bm.first_published = d->first_published ? d->first_published : d->timestamp;
	bm.reason = reason;
	bm.error = error;
	bm.replayed_at = d->replayed_at;
	return broker_publish_confirmed(ctx->out, &bm, ctx->cfg->amqp_op_timeout * 1000);
}

/* ---- a batch of deliveries ------------------------------------------------- */

/*
 * The loop takes what the broker has already sent (up to the prefetch),
 * runs the branch on each (a render is only queued), carries out the
 * queued renders together (render_flush), republishes what must wait or
 * die, records every job in one statement, then acks.  Nothing is acked
 * before what replaces it is confirmed, and a final state (done, expired)
 * is acked only once it is recorded: if the record fails, the message is
 * requeued and its redelivery finds the render done.
 */
struct item {
	struct broker_delivery d;
	struct work_msg m;
	struct outcome o;
	bool valid;
	int attempt;
	int64_t t0;
	const char *job_state; /* to record, or NULL */
	int job_attempts;
	bool ack; /* else nack with requeue */
	char ids[160];
	char where[TOPO_NAME_MAX]; /* retry: wait queue; dead: dead queue */
};

static void settle(struct consumer_ctx *ctx, const struct broker_delivery *d, bool ok)
{
	int rc = ok ? broker_ack(ctx->in, d) : broker_nack(ctx->in, d, true);

	if (!ok)
		metrics_add(M_BROKER_REQUEUES, 1, METRICS_END);

	if (rc == 1)
		log_warn("delivery from a lost connection: the broker redelivers it message_id=%s",
			 d->message_id);
	else if (rc < 0)
		log_warn("ack failed: the broker redelivers message_id=%s", d->message_id);
}

/* Decodes the delivery; a poison message gets its outcome here. */
static void decode(struct consumer_ctx *ctx, struct item *it)
{
	char err[256];

	memset(&it->o, 0, sizeof(it->o));
	it->t0 = clock_mono_ms();
	it->attempt = it->d.has_attempt ? it->d.attempt : 0;
	it->valid = msg_decode(it->d.body, it->d.len, &it->m, err, sizeof(err)) == 0;
	if (!it->valid) {
		outcome_dead(&it->o, "poison", "%s", err);
	} else if (it->m.type != ctx->type) {
		it->valid = false;
		outcome_dead(&it->o, "poison", "processing_type %s on the %s queue",
			     msg_type_name(it->m.type), msg_type_name(ctx->type));
	}
	if (it->valid && it->m.type == MSG_RENDER) {
		char subject[MSG_KEY_MAX];
		if (msg_subject(&it->m, subject, sizeof(subject)) < 0)
			subject[0] = '\0';
		snprintf(it->ids, sizeof(it->ids), "subject=%s", subject);
	} else if (it->valid && it->m.type == MSG_TSTATS)
		snprintf(it->ids, sizeof(it->ids),
			 "unique_tournament_id=%" PRId64 " season_id=%" PRId64 " round=%d",
			 it->m.unique_tournament_id, it->m.season_id, it->m.round);
	else if (it->valid)
		snprintf(it->ids, sizeof(it->ids), "event_id=%" PRId64, it->m.event_id);
	else
		snprintf(it->ids, sizeof(it->ids), "message_id=%.80s",
			 it->d.message_id[0] ? it->d.message_id : "-");
}

/* Hands a valid message to the branch (a render is only queued). */
static void run_branch(struct consumer_ctx *ctx, struct item *it)
{
	if (!it->valid)
		return;
	if (signals_stop) {
		/* stopping: what was not started goes back untouched */
		it->o.kind = OUT_REQUEUE;
		return;
	}
	it->t0 = clock_mono_ms();
	ctx->attempt = it->attempt;
	ctx->def_branch(ctx, &it->m, &it->o);
}

/* Carries out the outcome up to the job record: republish, what to record,
 * ack or requeue.  Returns true when the delivery waits for a pause
 * before its requeue (no wait tier for this type). */
static bool carry_out(struct consumer_ctx *ctx, struct item *it)
{
	struct outcome *o = &it->o;

	it->ack = true;
	it->job_state = NULL;
	it->where[0] = '\0';
	if (o->kind == OUT_RETRY && !o->waits && it->attempt + 1 > ctx->max_attempts) {
		char last[sizeof(o->error)];
		snprintf(last, sizeof(last), "%s", o->error);
		outcome_dead(o, "attempts-exhausted", "%d attempts; last: %.400s", it->attempt + 1,
			     last);
	}
	switch (o->kind) {
	case OUT_DONE:
	case OUT_EXPIRED:
		/* an accepted render: the job is done when its video is */
		it->job_state = o->kind == OUT_EXPIRED ? "expired"
				: o->follow	       ? "rendering"
						       : "done";
		it->job_attempts = it->attempt;
		return false;
	case OUT_RETRY: {
		int tier = o->tier > 0 ? o->tier : consumer_backoff_tier(ctx, it->attempt);
		const struct topo_queue *w = topo_wait_queue(&ctx->topo, ctx->type, tier);
		if (w == NULL) {
			/* no wait tier for this type: back to the queue after a pause */
			snprintf(it->where, sizeof(it->where), "requeue");
			it->ack = false;
			return true;
		}
		/* a wait is not an attempt: the count goes on unchanged */
		int next = o->waits ? it->attempt : it->attempt + 1;
		if (republish(ctx, &it->d, "", w->name, next, NULL, NULL) == 0) {
			snprintf(it->where, sizeof(it->where), "%s", w->name);
			it->job_state = "enqueued";
			it->job_attempts = next;
		} else {
			log_warn("republish to %s not confirmed: message requeued %s", w->name,
				 it->ids);
			snprintf(it->where, sizeof(it->where), "requeue");
			it->ack = false;
		}
		return false;
	}
	case OUT_DEAD:
		topo_dead_queue(ctx->type, it->where, sizeof(it->where));
		if (republish(ctx, &it->d, TOPO_DEAD_EXCHANGE, msg_type_name(ctx->type),
			      it->attempt, o->reason, o->error) == 0) {
			if (it->valid) {
				it->job_state = "dead";
				it->job_attempts = it->attempt;
			}
		} else {
			log_warn("dead-letter to %s not confirmed: message requeued %s", it->where,
				 it->ids);
			it->ack = false;
		}
		return false;
	default: /* OUT_REQUEUE; OUT_RENDER cannot be left after render_flush */
		it->ack = false;
		return false;
	}
}

/*
 * The render messages of the batch's accepted renders (bf-renders follows
 * each to its end), published after their jobs are recorded as rendering
 * (bf-renders records the end after that), with one wait for all the
 * confirms.  A delivery whose render message is not confirmed goes back to
 * the queue: its redelivery finds the render submitted and publishes again.
 */
/* A delivery to be acked whose render Plainly accepted: it needs a render
 * message. */
static bool follows(const struct item *it)
{
	return it->ack && it->o.kind == OUT_DONE && it->o.follow;
}

static void follow_renders(struct consumer_ctx *ctx, struct item *its, size_t n)
{
	size_t want = 0;
	bool failed = false;

	for (size_t i = 0; i < n; i++) {
		if (!follows(&its[i]))
			continue;
		want++;
		/* -1 cannot happen with a valid work message */
		if (follow_publish(ctx->out, &its[i].m, ctx->prog) != 0)
			failed = true;
	}
	if (want == 0)
		return;
	if (failed || broker_flush(ctx->out, ctx->cfg->amqp_op_timeout * 1000) != 0) {
		broker_discard_unconfirmed(ctx->out);
		for (size_t i = 0; i < n; i++)
			if (follows(&its[i])) {
				log_warn("render message not confirmed: message requeued %s",
					 its[i].ids);
				its[i].ack = false;
			}
	}
}

/* Records the jobs of the batch in one asynchronous statement (a state
 * lost with a server crash is recomputed by the next delivery; the
 * producer re-sends a job left enqueued).  0, or -1. */
static int jobs_record(struct consumer_ctx *ctx, struct item *its, size_t n)
{
	cJSON *a = cJSON_CreateArray();
	char subj[MSG_KEY_MAX], subj2[MSG_KEY_MAX];
	char *json;
	size_t rows = 0;
	int rc;

	for (size_t i = 0; i < n; i++) {
		bool later = false;
		cJSON *o;

		/* a render message has no job of its own: bf-renders writes its
		 * work message's */
		if (its[i].job_state == NULL || its[i].m.type == MSG_RENDER ||
		    msg_key(&its[i].m, subj, sizeof(subj)) < 0)
			continue;
		/* one row per subject and statement: the last delivery wins */
		for (size_t j = i + 1; j < n && !later; j++)
			later = its[j].job_state != NULL &&
				msg_key(&its[j].m, subj2, sizeof(subj2)) >= 0 &&
				strcmp(subj, subj2) == 0;
		if (later)
			continue;
		o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "kind", msg_type_name(its[i].m.type));
		cJSON_AddStringToObject(o, "subject", subj);
		if (its[i].m.type == MSG_TSTATS)
			cJSON_AddNullToObject(o, "event_id");
		else
			cJSON_AddNumberToObject(o, "event_id", (double)its[i].m.event_id);
		cJSON_AddStringToObject(o, "state", its[i].job_state);
		cJSON_AddNumberToObject(o, "attempts", its[i].job_attempts);
		if (its[i].o.kind == OUT_RETRY || its[i].o.kind == OUT_DEAD)
			cJSON_AddStringToObject(o, "error", its[i].o.error);
		else
			cJSON_AddNullToObject(o, "error");
		cJSON_AddItemToArray(a, o);
		rows++;
	}
	if (rows == 0) {
		cJSON_Delete(a);
		return 0;
	}
	json = cJSON_PrintUnformatted(a);
	cJSON_Delete(a);
	if (json == NULL)
		return -1;
	if (db_broken(ctx->db) && db_reconnect(ctx->db) != 0) {
		free(json);
		return -1;
	}
	const char *p[1] = { json };
	rc = db_cmd_async(
		ctx->db, "job record",
		"INSERT INTO jobs (kind, subject, event_id, state, attempts, last_error, finished_at)"
		" SELECT x.kind, x.subject, x.event_id, x.state, x.attempts, x.error,"
		"  CASE WHEN x.state IN ('done', 'expired', 'dead') THEN now() END"
		" FROM jsonb_to_recordset($1::jsonb) AS x(kind text, subject text,"
		"  event_id bigint, state text, attempts int, error text)"
		" ON CONFLICT (kind, subject) DO UPDATE SET state = EXCLUDED.state,"
		"  attempts = EXCLUDED.attempts, last_error = EXCLUDED.last_error,"
		"  finished_at = EXCLUDED.finished_at, updated_at = now()",
		1, p);
	free(json);
	return rc;
}

/* The message in the metrics: its outcome as carried out (a delivery not
 * acked went back to its queue), a dead letter's reason. */
static void count_outcome(const struct consumer_ctx *ctx, const struct item *it)
{
	const char *type = msg_type_name(ctx->type);
	const char *outcome = !it->ack	    ? "requeue"
			      : follows(it) ? "rendering"
					    : outcome_name(it->o.kind);

	metrics_add(M_MESSAGES, 1, "type", type, "outcome", outcome, METRICS_END);
	if (it->ack && it->o.kind == OUT_DEAD)
		metrics_add(M_DEAD_LETTERS, 1, "type", type, "reason", it->o.reason, METRICS_END);
}

static void log_outcome(const struct consumer_ctx *ctx, const struct item *it)
{
	const struct outcome *o = &it->o;
	const char *type = msg_type_name(ctx->type);
	int64_t ms = clock_mono_ms() - it->t0;

	switch (o->kind) {
	case OUT_RETRY:
		log_info(
			"message %s type=%s attempt=%d outcome=retry wait=%s reason=%s error=%s duration_ms=%" PRId64,
			it->ids, type, it->attempt, it->where, o->reason, log_quote(o->error), ms);
		break;
	case OUT_DEAD:
		log_warn(
			"message %s type=%s attempt=%d outcome=dead queue=%s reason=%s error=%s duration_ms=%" PRId64,
			it->ids, type, it->attempt, it->where, o->reason, log_quote(o->error), ms);
		break;
	default:
		log_info("message %s type=%s attempt=%d outcome=%s%s%s duration_ms=%" PRId64,
			 it->ids, type, it->attempt, outcome_name(o->kind),
			 o->error[0] ? " note=" : "", o->error[0] ? log_quote(o->error) : "", ms);
		break;
	}
}

/* Decodes a batch and lets the type start what its branches will fetch
 * (the requests are in flight when this returns). */
static void prepare(struct consumer_ctx *ctx, struct item *its, size_t n)
{
	for (size_t i = 0; i < n; i++)
		decode(ctx, &its[i]);
	if (ctx->def_prefetch != NULL && !signals_stop) {
		const struct work_msg *msgs[CONSUMER_BATCH_MAX];
		size_t nm = 0;
		for (size_t i = 0; i < n; i++)
			if (its[i].valid)
				msgs[nm++] = &its[i].m;
		ctx->def_prefetch(ctx, msgs, nm);
	}
}

/*
 * Up to max deliveries into its: the first within first_ms, the others as
 * they come within more_ms each.  Sets *n; returns what the last
 * broker_next() returned.
 */
static int collect(struct consumer_ctx *ctx, struct item *its, size_t max, int first_ms,
		   int more_ms, size_t *n)
{
	int r = broker_next(ctx->in, &its[0].d, first_ms);

	*n = 0;
	if (r != 1)
		return r;
	for (*n = 1; *n < max; (*n)++)
		if ((r = broker_next(ctx->in, &its[*n].d, more_ms)) != 1)
			break;
	return r;
}

PGconn *consumer_db_ahead(struct consumer_ctx *ctx)
{
	if (ctx->db_ahead != NULL && db_broken(ctx->db_ahead) && db_reconnect(ctx->db_ahead) != 0) {
		log_warn("second database connection lost: reading on the first");
		return NULL;
	}
	if (ctx->db_ahead == NULL &&
	    db_connect(&ctx->db_ahead, ctx->cfg->database_url, 1, &signals_stop) != 0)
		return NULL; /* logged; the next batch tries again */
	return ctx->db_ahead;
}

/* ---- the look-ahead -------------------------------------------------------- */

/*
 * A type that prefetches looks ahead: once a batch's answers are in hand
 * (its branches ran), the loop takes the deliveries the broker has already
 * sent as the next batch and prepares it (look_ahead: decoded, its rows
 * read, its requests started); then, while render_flush() waits on the
 * database for the batch in hand, the loop's wait (ahead_wait) takes in
 * the answers to those requests.  So the next batch's fetching overlaps
 * this batch's writes and POSTs; only the loop moves from one batch to the
 * next, and render knows nothing of it.  (Preparing needs the database
 * connection that render_flush() is waiting on: it is done before.)
 */

/* Up to max deliveries already sent, into next (*nn of them), prepared.
 * Returns what the last broker_next() returned. */
static int look_ahead(struct consumer_ctx *ctx, struct item *next, size_t max, size_t *nn)
{
	int r = collect(ctx, next, max, 0, 0, nn);

	if (*nn > 0)
		prepare(ctx, next, *nn);
	return r;
}

/* render_flush()'s wait on the database's socket: meanwhile the answers
 * to the requests of the batch received ahead come in (with none in
 * flight, it only waits). */
static void ahead_wait(void *arg, int fd)
{
	struct consumer_ctx *ctx = arg;
	struct pollfd p = { .fd = fd, .events = POLLIN };

	if (ctx->src != NULL)
		source_prefetch_poll(ctx->src, fd, 1000);
	else
		(void)poll(&p, 1, 1000);
}

/* The batch's time and its steps' (t: handle_batch's marks) in the
 * metrics. */
static void observe_batch(const struct consumer_ctx *ctx, const int64_t t[8])
{
	static const char *const steps[] = { "prepare",	  "branches", "ahead", "renders",
					     "republish", "jobs",     "settle" };
	const char *type = msg_type_name(ctx->type);

	metrics_observe(M_BATCH_SECONDS, (double)(t[7] - t[0]) / 1000.0, "type", type, METRICS_END);
	for (int k = 0; k < 7; k++)
		metrics_observe(M_STEP_SECONDS, (double)(t[k + 1] - t[k]) / 1000.0, "type", type,
				"step", steps[k], METRICS_END);
}

/*
 * Handles the batch its[0..n-1] (prepared already when ready), in this
 * order: prepare it, run its branches (their renders are queued), look
 * ahead (into next: up to max deliveries, *nn of them), flush its renders
 * while the look-ahead's answers come in, republish, record the jobs, ack.
 * *r: what the look-ahead's broker_next() returned (0 when there was none).
 */
static void handle_batch(struct consumer_ctx *ctx, struct item *its, size_t n, bool ready,
			 struct item *next, size_t max, size_t *nn, int *r)
{
	bool pause = false;
	size_t i;
	int64_t t[8];

	*nn = 0;
	*r = 0;
	t[0] = clock_mono_ms();
	if (!ready)
		prepare(ctx, its, n);
	t[1] = clock_mono_ms();
	for (i = 0; i < n; i++)
		run_branch(ctx, &its[i]);
	if (ctx->src != NULL)
		source_prefetch_end(ctx->src);
	if (ctx->def_flush != NULL)
		ctx->def_flush(ctx);
	t[2] = clock_mono_ms();
	if (next != NULL && ctx->def_prefetch != NULL && !signals_stop)
		*r = look_ahead(ctx, next, max, nn);
	t[3] = clock_mono_ms();
	render_flush(ctx->render, ahead_wait, ctx);
	for (i = 0; i < n; i++)
		render_outcome(ctx->render, &its[i].o);
	render_reset(ctx->render);
	t[4] = clock_mono_ms();
	for (i = 0; i < n; i++)
		pause |= carry_out(ctx, &its[i]);
	t[5] = clock_mono_ms();
	if (jobs_record(ctx, its, n) != 0) {
		for (i = 0; i < n; i++) {
			if (its[i].job_state == NULL)
				continue;
			if (its[i].o.kind == OUT_DONE || its[i].o.kind == OUT_EXPIRED) {
				/* unrecorded final state: the redelivery records it */
				log_warn("job not recorded: message requeued %s state=%s",
					 its[i].ids, its[i].job_state);
				its[i].ack = false;
			} else {
				/* its replacement is confirmed: the next delivery records it */
				log_warn("job not recorded %s state=%s", its[i].ids,
					 its[i].job_state);
			}
		}
	} else
		follow_renders(ctx, its, n);
	t[6] = clock_mono_ms();
	/* a type without wait tiers: redelivered after a pause */
	for (int k = 0; pause && k < 50 && !signals_stop; k++)
		clock_sleep_ms(100);
	for (i = 0; i < n; i++) {
		settle(ctx, &its[i].d, its[i].ack);
		count_outcome(ctx, &its[i]);
		log_outcome(ctx, &its[i]);
	}
	t[7] = clock_mono_ms();
	observe_batch(ctx, t);
	log_debug("batch messages=%zu prefetch_ms=%" PRId64 " branches_ms=%" PRId64
		  " renders_ms=%" PRId64 " republish_ms=%" PRId64 " jobs_ms=%" PRId64
		  " settle_ms=%" PRId64 " ahead=%zu ahead_ms=%" PRId64,
		  n, t[1] - t[0], t[2] - t[1], t[4] - t[3], t[5] - t[4], t[6] - t[5], t[7] - t[6],
		  *nn, t[3] - t[2]);
}

/* ---- main ------------------------------------------------------------------ */

/* The Plainly template of a branch type, NULL for bf-renders. */
static const struct cfg_template *template_of(const struct bf_config *c, enum msg_type type)
{
	switch (type) {
	case MSG_LINEUP:
		return &c->tpl_lineup;
	case MSG_RESULT:
		return &c->tpl_result;
	case MSG_TSTATS:
		return &c->tpl_tstats;
	default:
		return NULL;
	}
}

/*
 * What a start refuses, checked before anything connects (and all that
 * -n checks): URLs read by the libraries' own parsers, videos or an
 * explicit dry run, the template of the type, the type's own.
 */
static int consumer_check(const struct bf_config *c, const void *arg, char *err, size_t n)
{
	const struct consumer_def *def = arg;
	const struct cfg_template *tpl = template_of(c, def->type);
	bool key = c->plainly_api_key[0] != '\0';

	if (broker_urls_check(c->amqp_url, err, n) != 0 ||
	    db_url_check(c->database_url, err, n) != 0)
		return -1;
	if (key && c->plainly_dry_run) {
		snprintf(err, n,
			 "plainly.dry_run is true and plainly.api_key is set: one or the other"
			 " (a dry run makes no video)");
		return -1;
	}
	if (!key && !c->plainly_dry_run) {
		snprintf(err, n,
			 "plainly.api_key is empty: set BF_PLAINLY_API_KEY (for the systemd units in"
			 " /etc/bf/env), or plainly.dry_run = true to write the render requests to"
			 " plainly.dry_run_dir instead of making videos");
		return -1;
	}
	if (key && tpl != NULL && (tpl->project_id == NULL || tpl->project_id[0] == '\0')) {
		snprintf(err, n,
			 "plainly.templates.%s.project_id must be set when plainly.api_key is set",
			 msg_type_name(def->type));
		return -1;
	}
	return def->check != NULL ? def->check(c, err, n) : 0;
}

/* The series an alert looks at exist from the start at 0: increase() of a
 * series that appears with its first event misses that event. */
static void count_from_zero(enum msg_type type)
{
	static const char *const outcomes[] = { "done",	 "rendering", "expired",
						"retry", "dead",      "requeue" };
	static const char *const finals[] = { "DONE", "FAILED", "INVALID", "CANCELLED" };

	for (size_t i = 0; i < sizeof(outcomes) / sizeof(outcomes[0]); i++)
		metrics_add(M_MESSAGES, 0, "type", msg_type_name(type), "outcome", outcomes[i],
			    METRICS_END);
	for (size_t i = 0; type == MSG_RENDER && i < sizeof(finals) / sizeof(finals[0]); i++)
		metrics_add(M_RENDERS, 0, "state", finals[i], METRICS_END);
}

static void usage(const struct consumer_def *def, FILE *f)
{
	fprintf(f,
		"usage: %s [-c FILE] [-n] [--idle-exit SECONDS] [-h] [-V]\n"
		"\n"
		"%s\n"
		"Consumes bf.%s; any number of processes may run side by side.\n"
		"\n"
		"  -c FILE              configuration file (default ./bf.conf, then /etc/bf/bf.conf)\n"
		"  -n                   check the configuration, print \"configuration OK\", exit\n"
		"  --idle-exit SECONDS  exit 0 once no message arrived for that long\n"
		"  -h                   this help\n"
		"  -V                   version\n"
		"\n"
		"SIGTERM/SIGINT: finish the batch in hand (the deliveries received ahead go back\n"
		"to the queue), close cleanly, exit 0.\n",
		def->prog, def->what, msg_type_name(def->type));
}

int consumer_main(const struct consumer_def *def, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "idle-exit", required_argument, NULL, 'i' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	struct bf_config cfg;
	struct consumer_ctx ctx;
	const char *path = NULL;
	int check = 0, ch, idle_exit = 0, rc = 1;
	char name[300], err[512], queue[TOPO_NAME_MAX];
	unsigned long handled = 0;

	log_init(def->prog);
	while ((ch = getopt_long(argc, argv, "c:nhVi:", longopts, NULL)) != -1) {
		switch (ch) {
		case 'c':
			path = optarg;
			break;
		case 'n':
			check = 1;
			break;
		case 'i': {
			char *end;
			long v = strtol(optarg, &end, 10);
			if (*end != '\0' || v < 1 || v > 86400) {
				fprintf(stderr, "%s: --idle-exit takes seconds (1..86400)\n",
					def->prog);
				return 2;
			}
			idle_exit = (int)v;
			break;
		}
		case 'h':
			usage(def, stdout);
			return 0;
		case 'V':
			version_print();
			return 0;
		default:
			usage(def, stderr);
			return 2;
		}
	}
	if (optind < argc) {
		usage(def, stderr);
		return 2;
	}
	signals_install();
	proc_config_load(&cfg, path, check, consumer_check, def);
	notify_init();
	metrics_init(def->prog, BF_VERSION);
	count_from_zero(def->type);
	memset(&ctx, 0, sizeof(ctx));
	ctx.cfg = &cfg;
	ctx.prog = def->prog;
	ctx.type = def->type;
	ctx.def_branch = def->branch;
	ctx.def_prefetch = def->prefetch;
	ctx.def_flush = def->flush;
	switch (def->type) {
	case MSG_LINEUP:
		ctx.max_attempts = cfg.lineups_max_attempts;
		ctx.prefetch = cfg.lineups_prefetch;
		break;
	case MSG_RESULT:
		ctx.max_attempts = cfg.results_max_attempts;
		ctx.prefetch = cfg.results_prefetch;
		break;
	case MSG_TSTATS:
		ctx.max_attempts = cfg.tstats_max_attempts;
		ctx.prefetch = cfg.tstats_prefetch;
		break;
	default: /* bf-renders: follows renders, posts none, asks no data source */
		ctx.max_attempts = cfg.renders_max_attempts;
		ctx.prefetch = cfg.renders_prefetch;
		break;
	}
	topo_work_queue(def->type, queue, sizeof(queue));
	log_info("starting version=%s queue=%s prefetch=%d config=%s %s", BF_VERSION, queue,
		 ctx.prefetch, cfg.path ? cfg.path : "(defaults)", version_libs());
	if (cfg.plainly_dry_run)
		log_warn("plainly.dry_run: no video will be made, render requests are written to %s",
			 cfg.plainly_dry_run_dir);
	if (topo_build(&ctx.topo, &cfg) != 0)
		goto out_cfg;
	/* before connecting: /healthz says what it waits for */
	if (metrics_serve(cfg.metrics_listen) != 0)
		goto out_cfg;
	notify_status("connecting to the database");
	if (db_connect(&ctx.db, cfg.database_url, 0, &signals_stop) != 0)
		goto out_cfg;
	if (db_check_schema(ctx.db, err, sizeof(err)) != 0) {
		log_err("%s", err);
		goto out_db;
	}
	/* before the start-up's library pages are dropped (proc_trim_memory):
	 * opened later, it would map them again */
	if (def->db_ahead && db_connect(&ctx.db_ahead, cfg.database_url, 0, &signals_stop) != 0)
		goto out_db;
	if (def->type != MSG_RENDER && source_pg_open(&ctx.src, &cfg, cfg.database_url, 0) != 0) {
		log_err("cannot set up the %s client", cfg.source_provider);
		goto out_db;
	}
	if (http_client_new(&ctx.http) != 0)
		goto out_sofa;
	if (render_new(&ctx.render, &cfg, ctx.db, ctx.http, &ctx.topo, def->type) != 0) {
		log_err("out of memory");
		goto out_http;
	}
	proc_conn_name(name, sizeof(name));
	struct broker_opts bo = broker_opts_from_config(&cfg, name, &ctx.topo, &signals_stop);
	notify_status("connecting to the broker");
	if (broker_open(&ctx.out, &bo) != 0)
		goto out_render;
	bo.topo = NULL; /* declared once is enough */
	if (broker_open(&ctx.in, &bo) != 0)
		goto out_out;
	if (broker_consume(ctx.in, queue, ctx.prefetch, name) != 0)
		goto out_in;
	if (def->start != NULL && def->start(&ctx, name) != 0)
		goto out_in;
	proc_trim_memory();
	/* a batch's answers (32 line-ups of 56 KB) are freed and allocated
	 * again for every batch: keep the heap's top rather than give it back
	 * and fault it in again, page by page */
	mallopt(M_TRIM_THRESHOLD, 4 * 1024 * 1024);
	log_info("ready queue=%s broker=%s", queue, broker_peer(ctx.in));
	notify_ready("consuming %s from %s", queue, broker_peer(ctx.in));

	/* half the prefetch: the broker sends the next half while this one
	 * is handled, so a batch never waits for the acks of the last */
	size_t batch_max = ctx.prefetch >= 2 ? (size_t)ctx.prefetch / 2 : 1;
	if (batch_max > CONSUMER_BATCH_MAX)
		batch_max = CONSUMER_BATCH_MAX;
	struct item *its = calloc(batch_max, sizeof(*its));
	struct item *ahead = calloc(batch_max, sizeof(*ahead));
	size_t n = 0; /* deliveries in its, prepared by the look-ahead */
	int64_t last = clock_mono_ms(), last_idle = clock_mono_ms(), last_status = last;
	int linger_ms = def->prefetch != NULL && ctx.src != NULL && source_batch_max(ctx.src) > 0
				? BATCH_LINGER_MS
				: 1;

	/* the loop turns at least this often: a second, or a quarter of the
	 * watchdog interval systemd asked for */
	int wait_ms = 1000;
	if (notify_watchdog_usec() > 0 && notify_watchdog_usec() / 4000 < 1000)
		wait_ms = notify_watchdog_usec() / 4000 < 50 ? 50
							     : (int)(notify_watchdog_usec() / 4000);
	if (its == NULL || ahead == NULL) {
		log_err("out of memory");
		free(its);
		free(ahead);
		goto out_in;
	}
	while (!signals_stop) {
		int r = 0;
		bool ready = n > 0;

		notify_watchdog();
		if (clock_mono_ms() - last_status >= 10000) {
			last_status = clock_mono_ms();
			notify_status("consuming %s from %s: %lu messages handled", queue,
				      broker_peer(ctx.in), handled);
		}

		/* and whatever else the broker sends within a millisecond
		 * (after a batch's acks, the next deliveries trickle in), or
		 * within BATCH_LINGER_MS when the provider answers many events
		 * in one request: the messages a wait tier sends back together
		 * arrive a few milliseconds apart, and one request then serves
		 * them all */
		if (n == 0)
			r = collect(&ctx, its, batch_max, wait_ms, linger_ms, &n);
		if (n > 0) {
			struct item *swap;
			size_t nn;
			int ra;

			/* a connection lost while looking ahead: what was taken is
			 * handled, its acks are no-ops, the broker redelivers it */
			handle_batch(&ctx, its, n, ready, r == -2 ? NULL : ahead, batch_max, &nn,
				     &ra);
			if (ra == -2)
				r = -2;
			for (size_t i = 0; i < n; i++)
				broker_delivery_free(&its[i].d);
			handled += n;
			last = clock_mono_ms();
			swap = its;
			its = ahead;
			ahead = swap;
			n = nn;
		}
		if (r == -2) {
			break;
		} else if (n == 0 && r == 0 && idle_exit > 0 &&
			   clock_mono_ms() - last >= (int64_t)idle_exit * 1000) {
			log_info("idle for %ds: exiting", idle_exit);
			break;
		}
		/* the publishing connection idles between republishes */
		if (clock_mono_ms() - last_idle >= 1000) {
			last_idle = clock_mono_ms();
			if (broker_idle(ctx.out) != 0)
				log_warn(
					"publishing connection lost: reconnects at the next republish");
		}
	}
	notify_stopping();
	if (n > 0) {
		/* looked ahead at but not handled: unacked, the broker redelivers them */
		if (ctx.src != NULL)
			source_prefetch_end(ctx.src);
		log_info("stopping: %zu messages received ahead go back to the queue", n);
		for (size_t i = 0; i < n; i++)
			broker_delivery_free(&its[i].d);
	}
	free(ahead);
	free(its);
	free(ctx.branch_data);
	rc = 0;
out_in:
	if (def->stop != NULL)
		def->stop();
	broker_close(ctx.in);
out_out:
	broker_close(ctx.out);
out_render:
	render_free(ctx.render);
out_http:
	http_client_free(ctx.http);
out_sofa:
	source_close(ctx.src);
out_db:
	PQfinish(ctx.db_ahead);
	PQfinish(ctx.db);
out_cfg:
	metrics_serve_stop();
	/* stopped while starting (a connect that waited): a clean stop */
	if (signals_stop)
		rc = 0;
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	log_info("stopped messages=%lu cpu_ms=%ld page_faults=%ld", handled,
		 (long)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000 +
			 (long)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1000,
		 ru.ru_minflt + ru.ru_majflt);
	cfg_free(&cfg);
	return rc;
}
