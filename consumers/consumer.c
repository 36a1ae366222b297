#include "consumers/consumer.h"

#include <getopt.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lib/db.h"
#include "lib/log.h"
#include "lib/proc.h"

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void outcome_retry(struct outcome *o, int tier, const char *reason, const char *fmt, ...)
{
	va_list ap;

	o->kind = OUT_RETRY;
	o->tier = tier;
	snprintf(o->reason, sizeof(o->reason), "%s", reason);
	va_start(ap, fmt);
	vsnprintf(o->error, sizeof(o->error), fmt, ap);
	va_end(ap);
}

void outcome_dead(struct outcome *o, const char *reason, const char *fmt, ...)
{
	va_list ap;

	o->kind = OUT_DEAD;
	o->tier = 0;
	snprintf(o->reason, sizeof(o->reason), "%s", reason);
	va_start(ap, fmt);
	vsnprintf(o->error, sizeof(o->error), fmt, ap);
	va_end(ap);
}

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

void consumer_sofa_failure(const struct consumer_ctx *ctx, const struct sofa_resp *r,
			   const char *what, struct outcome *o)
{
	const struct topo_queue *tiers[CFG_MAX_TIERS];
	size_t n = topo_wait_tiers(&ctx->topo, ctx->type, tiers, CFG_MAX_TIERS);

	switch (r->result) {
	case SOFA_CHALLENGE:
		/* access refused: wait on the longest tier, never dead-letter for it */
		outcome_retry(o, n > 0 ? tiers[n - 1]->ttl : 0, "sofascore-challenge",
			      "%s: %s", what, r->error);
		break;
	case SOFA_FAILED:
		outcome_dead(o, "sofascore-failed", "%s: %s", what, r->error);
		break;
	default:
		outcome_retry(o, consumer_backoff_tier(ctx, ctx->attempt), "sofascore-transient",
			      "%s: %s", what, r->error);
		break;
	}
}

/* ---- job records ------------------------------------------------------- */

static void job_record(struct consumer_ctx *ctx, const struct work_msg *m, const char *state,
		       int attempts, const char *error)
{
	char subject[MSG_KEY_MAX], ev[32], att[16];
	const char *p[6];

	if (msg_key(m, subject, sizeof(subject)) < 0)
		return;
	snprintf(ev, sizeof(ev), "%" PRId64, m->event_id);
	snprintf(att, sizeof(att), "%d", attempts);
	p[0] = msg_type_name(m->type);
	p[1] = subject;
	p[2] = m->type == MSG_TSTATS ? NULL : ev;
	p[3] = state;
	p[4] = att;
	p[5] = error;
	if (db_broken(ctx->db) && db_reconnect(ctx->db) != 0) {
		log_warn("job not recorded (database down) subject=%s state=%s", subject, state);
		return;
	}
	/* async: a lost state update is recomputed by the next delivery */
	if (db_cmd_async(ctx->db, "job record",
		   "INSERT INTO jobs (kind, subject, event_id, state, attempts, last_error, finished_at)"
		   " VALUES ($1, $2, $3::bigint, $4, $5::int, $6,"
		   "  CASE WHEN $4 IN ('done', 'expired', 'dead') THEN now() END)"
		   " ON CONFLICT (kind, subject) DO UPDATE SET state = EXCLUDED.state,"
		   "  attempts = EXCLUDED.attempts, last_error = EXCLUDED.last_error,"
		   "  finished_at = EXCLUDED.finished_at, updated_at = now()",
		   6, p) != 0)
		log_warn("job not recorded subject=%s state=%s", subject, state);
}

/* ---- republish ----------------------------------------------------------- */

/* Republishes the delivery (same body and identity) and waits for the
 * confirm.  0 when confirmed. */
static int republish(struct consumer_ctx *ctx, const struct broker_delivery *d,
		     const char *exchange, const char *rkey, int attempt, const char *reason,
		     const char *error)
{
	struct broker_msg bm;
	int rc;

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
	if (broker_publish(ctx->out, &bm) != 0) {
		broker_discard_unconfirmed(ctx->out);
		return -1;
	}
	rc = broker_flush(ctx->out, ctx->cfg->amqp_op_timeout * 1000);
	if (rc != 0)
		broker_discard_unconfirmed(ctx->out);
	return rc;
}

/* ---- one delivery --------------------------------------------------------- */

static const char *const outcome_names[] = { "done", "retry", "expired", "dead" };

static void settle(struct consumer_ctx *ctx, const struct broker_delivery *d, bool ok)
{
	int rc = ok ? broker_ack(ctx->in, d) : broker_nack(ctx->in, d, true);

	if (rc == 1)
		log_warn("delivery from a lost connection: the broker redelivers it message_id=%s",
			 d->message_id);
	else if (rc < 0)
		log_warn("ack failed: the broker redelivers message_id=%s", d->message_id);
}

static void handle(struct consumer_ctx *ctx, const struct broker_delivery *d)
{
	struct work_msg m;
	struct outcome o;
	char err[256], ids[160], wq[TOPO_NAME_MAX];
	bool valid;
	int64_t t0 = now_ms();
	int attempt = d->has_attempt ? d->attempt : 0;

	memset(&o, 0, sizeof(o));
	ctx->attempt = attempt;
	valid = msg_decode(d->body, d->len, &m, err, sizeof(err)) == 0;
	if (!valid) {
		outcome_dead(&o, "poison", "%s", err);
	} else if (m.type != ctx->type) {
		valid = false;
		outcome_dead(&o, "poison", "processing_type %s on the %s queue",
			     msg_type_name(m.type), msg_type_name(ctx->type));
	} else {
		ctx->sofa.requests = 0;
		ctx->def_branch(ctx, &m, &o);
	}
	if (valid && m.type == MSG_TSTATS)
		snprintf(ids, sizeof(ids), "unique_tournament_id=%" PRId64 " season_id=%" PRId64
			 " round=%d", m.unique_tournament_id, m.season_id, m.round);
	else if (valid)
		snprintf(ids, sizeof(ids), "event_id=%" PRId64, m.event_id);
	else
		snprintf(ids, sizeof(ids), "message_id=%.80s", d->message_id[0] ? d->message_id : "-");

	if (o.kind == OUT_RETRY && attempt + 1 > ctx->max_attempts) {
		char last[sizeof(o.error)];
		snprintf(last, sizeof(last), "%s", o.error);
		outcome_dead(&o, "attempts-exhausted", "%d attempts; last: %.400s", attempt + 1, last);
	}
	switch (o.kind) {
	case OUT_DONE:
	case OUT_EXPIRED:
		job_record(ctx, &m, o.kind == OUT_DONE ? "done" : "expired", attempt, NULL);
		settle(ctx, d, true);
		break;
	case OUT_RETRY: {
		int tier = o.tier > 0 ? o.tier : consumer_backoff_tier(ctx, attempt);
		const struct topo_queue *w = topo_wait_queue(&ctx->topo, ctx->type, tier);
		if (w == NULL) {
			/* no wait tier for this type: back to the queue after a pause */
			for (int i = 0; i < 50 && !proc_stop; i++) {
				struct timespec ts = { 0, 100000000L };
				nanosleep(&ts, NULL);
			}
			settle(ctx, d, false);
			snprintf(wq, sizeof(wq), "requeue");
		} else if (republish(ctx, d, "", w->name, attempt + 1, NULL, NULL) == 0) {
			snprintf(wq, sizeof(wq), "%s", w->name);
			job_record(ctx, &m, "enqueued", attempt + 1, o.error);
			settle(ctx, d, true);
		} else {
			log_warn("republish to %s not confirmed: message requeued %s", w->name, ids);
			settle(ctx, d, false);
		}
		log_info("message %s type=%s attempt=%d outcome=retry wait=%s reason=%s error=\"%s\" duration_ms=%" PRId64,
			 ids, msg_type_name(ctx->type), attempt, wq, o.reason, o.error, now_ms() - t0);
		return;
	}
	case OUT_DEAD: {
		char dq[TOPO_NAME_MAX];
		topo_dead_queue(ctx->type, dq, sizeof(dq));
		if (republish(ctx, d, TOPO_DEAD_EXCHANGE, msg_type_name(ctx->type), attempt, o.reason,
			      o.error) == 0) {
			if (valid)
				job_record(ctx, &m, "dead", attempt, o.error);
			settle(ctx, d, true);
		} else {
			log_warn("dead-letter to %s not confirmed: message requeued %s", dq, ids);
			settle(ctx, d, false);
		}
		log_warn("message %s type=%s attempt=%d outcome=dead queue=%s reason=%s error=\"%s\" duration_ms=%" PRId64,
			 ids, msg_type_name(ctx->type), attempt, dq, o.reason, o.error, now_ms() - t0);
		return;
	}
	}
	log_info("message %s type=%s attempt=%d outcome=%s%s%s duration_ms=%" PRId64, ids,
		 msg_type_name(ctx->type), attempt, outcome_names[o.kind], o.error[0] ? " note=" : "",
		 o.error[0] ? o.error : "", now_ms() - t0);
}

/* ---- main ------------------------------------------------------------------ */

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
		"SIGTERM/SIGINT: finish the message in hand, close cleanly, exit 0.\n",
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
	const struct cfg_template *tpl;
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
				fprintf(stderr, "%s: --idle-exit takes seconds (1..86400)\n", def->prog);
				return 2;
			}
			idle_exit = (int)v;
			break;
		}
		case 'h':
			usage(def, stdout);
			return 0;
		case 'V':
			proc_print_version();
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
	proc_signals_install();
	proc_config_load(&cfg, path, check);
	memset(&ctx, 0, sizeof(ctx));
	ctx.cfg = &cfg;
	ctx.prog = def->prog;
	ctx.type = def->type;
	ctx.def_branch = def->branch;
	switch (def->type) {
	case MSG_LINEUP:
		ctx.max_attempts = cfg.lineups_max_attempts;
		ctx.prefetch = cfg.lineups_prefetch;
		tpl = &cfg.tpl_lineup;
		break;
	case MSG_RESULT:
		ctx.max_attempts = cfg.results_max_attempts;
		ctx.prefetch = cfg.results_prefetch;
		tpl = &cfg.tpl_result;
		break;
	default:
		ctx.max_attempts = cfg.tstats_max_attempts;
		ctx.prefetch = cfg.tstats_prefetch;
		tpl = &cfg.tpl_tstats;
		break;
	}
	topo_work_queue(def->type, queue, sizeof(queue));
	log_info("starting version=%s queue=%s prefetch=%d config=%s %s", BF_VERSION, queue,
		 ctx.prefetch, cfg.path ? cfg.path : "(defaults)", proc_versions());
	if (cfg.plainly_api_key[0] != '\0' && (tpl->project_id == NULL || tpl->project_id[0] == '\0')) {
		log_err("plainly.templates.%s.project_id must be set when plainly.api_key is set",
			msg_type_name(def->type));
		goto out_cfg;
	}
	if (cfg.plainly_api_key[0] == '\0')
		log_info("plainly.api_key is empty: dry-run, requests are written to %s",
			 cfg.plainly_dry_run_dir);
	if (topo_build(&ctx.topo, &cfg) != 0)
		goto out_cfg;
	if (db_connect(&ctx.db, cfg.database_url, 0, &proc_stop) != 0)
		goto out_cfg;
	if (db_check_schema(ctx.db, err, sizeof(err)) != 0) {
		log_err("%s", err);
		goto out_db;
	}
	if (sofa_client_init(&ctx.sofa, &cfg, cfg.database_url) != 0) {
		log_err("cannot set up the Sofascore client");
		goto out_db;
	}
	if (http_client_new(&ctx.http) != 0)
		goto out_sofa;
	proc_conn_name(name, sizeof(name));
	struct broker_opts bo = {
		.urls = cfg.amqp_url, .conn_name = name, .heartbeat = cfg.amqp_heartbeat,
		.op_timeout = cfg.amqp_op_timeout, .ca_cert = cfg.amqp_ca_cert,
		.client_cert = cfg.amqp_client_cert, .client_key = cfg.amqp_client_key,
		.verify_hostname = cfg.amqp_verify_hostname, .confirm_window = cfg.amqp_confirm_window,
		.topo = &ctx.topo, .stop = &proc_stop,
	};
	if (broker_open(&ctx.out, &bo) != 0)
		goto out_http;
	bo.topo = NULL; /* declared once is enough */
	if (broker_open(&ctx.in, &bo) != 0)
		goto out_out;
	if (broker_consume(ctx.in, queue, ctx.prefetch, name) != 0)
		goto out_in;
	log_info("ready queue=%s broker=%s", queue, broker_peer(ctx.in));

	int64_t last = now_ms(), last_idle = now_ms();
	while (!proc_stop) {
		struct broker_delivery d;
		int r = broker_next(ctx.in, &d, 1000);

		if (r == 1) {
			handle(&ctx, &d);
			broker_delivery_free(&d);
			handled++;
			last = now_ms();
		} else if (r == -2) {
			break;
		} else if (r == 0 && idle_exit > 0 && now_ms() - last >= (int64_t)idle_exit * 1000) {
			log_info("idle for %ds: exiting", idle_exit);
			break;
		}
		/* the publishing connection idles between republishes */
		if (now_ms() - last_idle >= 1000) {
			last_idle = now_ms();
			if (broker_idle(ctx.out) != 0)
				log_warn("publishing connection lost: reconnects at the next republish");
		}
	}
	rc = 0;
out_in:
	broker_close(ctx.in);
out_out:
	broker_close(ctx.out);
out_http:
	http_client_free(ctx.http);
out_sofa:
	sofa_client_free(&ctx.sofa);
out_db:
	PQfinish(ctx.db);
out_cfg:
	log_info("stopped messages=%lu", handled);
	cfg_free(&cfg);
	return rc;
}
