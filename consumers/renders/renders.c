#include "consumers/renders/renders.h"

#include "consumers/renders/archive.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/clock.h"
#include "lib/db.h"
#include "lib/log.h"
#include "lib/metrics.h"
#include "protocol/plainly.h"

/* The renders row of a subject. */
struct row {
	char state[16];
	char render_id[96];
	int attempt;
	char plainly_state[32];
	char output[1024];
	int64_t expires_at; /* -1 = none */
	char error[512];
};

/* 1 found, 0 no row, -1 database error. */
static int load_row(PGconn *db, const char *kind, const char *subject, struct row *w)
{
	const char *p[2] = { kind, subject };
	PGresult *r;

	memset(w, 0, sizeof(*w));
	r = db_exec(db, "render row",
		    "SELECT state, COALESCE(plainly_render_id, ''), attempt,"
		    " COALESCE(plainly_state, ''), COALESCE(output_url, ''),"
		    " COALESCE(EXTRACT(EPOCH FROM expires_at)::bigint, -1), COALESCE(error, '')"
		    " FROM renders WHERE kind = $1 AND subject = $2",
		    2, p);
	if (r == NULL)
		return -1;
	if (PQntuples(r) != 1) {
		PQclear(r);
		return 0;
	}
	snprintf(w->state, sizeof(w->state), "%s", PQgetvalue(r, 0, 0));
	snprintf(w->render_id, sizeof(w->render_id), "%s", PQgetvalue(r, 0, 1));
	w->attempt = (int)strtol(PQgetvalue(r, 0, 2), NULL, 10);
	snprintf(w->plainly_state, sizeof(w->plainly_state), "%s", PQgetvalue(r, 0, 3));
	snprintf(w->output, sizeof(w->output), "%s", PQgetvalue(r, 0, 4));
	w->expires_at = strtoll(PQgetvalue(r, 0, 5), NULL, 10);
	snprintf(w->error, sizeof(w->error), "%s", PQgetvalue(r, 0, 6));
	PQclear(r);
	return 1;
}

cJSON *renders_video_event(const struct work_msg *work, const char *subject, const char *render_id,
			   const char *state, const char *output, int64_t expires_at,
			   const char *error)
{
	cJSON *o = cJSON_CreateObject();
	char lower[32], iso[32];
	size_t i;

	for (i = 0; state[i] != '\0' && i + 1 < sizeof(lower); i++)
		lower[i] = (char)(state[i] >= 'A' && state[i] <= 'Z' ? state[i] - 'A' + 'a'
								     : state[i]);
	lower[i] = '\0';
	cJSON_AddStringToObject(o, "kind", msg_type_name(work->type));
	cJSON_AddStringToObject(o, "subject", subject);
	if (work->type == MSG_TSTATS)
		cJSON_AddNullToObject(o, "event_id");
	else
		cJSON_AddNumberToObject(o, "event_id", (double)work->event_id);
	cJSON_AddStringToObject(o, "render_id", render_id);
	cJSON_AddStringToObject(o, "state", lower);
	if (output != NULL && output[0] != '\0')
		cJSON_AddStringToObject(o, "output", output);
	else
		cJSON_AddNullToObject(o, "output");
	if (expires_at >= 0) {
		clock_iso_utc(expires_at, iso, sizeof(iso));
		cJSON_AddStringToObject(o, "expires_at", iso);
	} else {
		cJSON_AddNullToObject(o, "expires_at");
	}
	if (error != NULL && error[0] != '\0')
		cJSON_AddStringToObject(o, "error", error);
	else
		cJSON_AddNullToObject(o, "error");
	return o;
}

int renders_tier(const struct consumer_ctx *ctx, int attempt)
{
	const struct topo_queue *tiers[CFG_MAX_TIERS];
	size_t n = topo_wait_tiers(&ctx->topo, MSG_RENDER, tiers, CFG_MAX_TIERS);
	size_t i = attempt < 10 ? 0 : attempt < 25 ? 1 : n - 1;

	if (n == 0)
		return 0;
	return tiers[i < n ? i : n - 1]->ttl;
}

/* Publishes m and waits for the confirm: 0 when confirmed. */
static int publish(struct consumer_ctx *ctx, struct broker_msg *m)
{
	m->app_id = ctx->prog;
	return broker_publish_confirmed(ctx->out, m, ctx->cfg->amqp_op_timeout * 1000);
}

/* The video event of a final render, to bf.videos (video.<kind>.<state>),
 * with a message_id that is the same every time it is published again. */
static int publish_event(struct consumer_ctx *ctx, const struct work_msg *work, const char *subject,
			 const char *render_id, const char *state, const char *output,
			 int64_t expires_at, const char *error)
{
	cJSON *ev = renders_video_event(work, subject, render_id, state, output, expires_at, error);
	const char *lower = cJSON_GetStringValue(cJSON_GetObjectItem(ev, "state"));
	char rkey[64], id[256], *body = cJSON_PrintUnformatted(ev);
	struct broker_msg m;
	int rc = -1;

	snprintf(rkey, sizeof(rkey), "video.%s.%s", msg_type_name(work->type), lower);
	snprintf(id, sizeof(id), "video:%s:%s:%s", subject, render_id, lower);
	if (body != NULL) {
		memset(&m, 0, sizeof(m));
		m.exchange = TOPO_VIDEOS_EXCHANGE;
		m.routing_key = rkey;
		m.body = body;
		m.len = strlen(body);
		m.message_id = id;
		m.type = "video";
		m.optional = true; /* for whoever listens: none bound is fine */
		rc = publish(ctx, &m);
	}
	free(body);
	cJSON_Delete(ev);
	return rc;
}

/* The work message to its dead queue, as bfctl replay expects it. */
static int dead_letter_work(struct consumer_ctx *ctx, const struct work_msg *work,
			    const char *subject, const char *error)
{
	char body[256];
	int len = msg_encode(work, body, sizeof(body));
	struct broker_msg m;

	if (len < 0)
		return -1;
	memset(&m, 0, sizeof(m));
	m.exchange = TOPO_DEAD_EXCHANGE;
	m.routing_key = msg_type_name(work->type);
	m.body = body;
	m.len = (size_t)len;
	m.message_id = subject;
	m.type = msg_type_name(work->type);
	m.attempt = ctx->attempt;
	m.reason = "render-failed";
	m.error = error;
	return publish(ctx, &m);
}

/*
 * The final state of the row's render, in one statement: the renders row,
 * the attempt's history row, the work job (done, or dead with the error).
 */
static int record_final(struct consumer_ctx *ctx, const char *kind, const char *subject,
			const struct row *w, const struct plainly_render *pr, const char *error,
			const struct archived *a)
{
	bool done = strcmp(pr->state, "DONE") == 0;
	char attempt[16], expires[32], bytes[32];
	const char *p[12] = { kind,
			      subject,
			      done ? "done" : "failed",
			      pr->state,
			      pr->output[0] ? pr->output : NULL,
			      pr->expires_at >= 0 ? expires : NULL,
			      error[0] ? error : NULL,
			      w->render_id,
			      attempt,
			      a != NULL ? a->path : NULL,
			      a != NULL ? a->sha256 : NULL,
			      a != NULL ? bytes : NULL };

	snprintf(attempt, sizeof(attempt), "%d", w->attempt);
	snprintf(expires, sizeof(expires), "%lld", pr->expires_at);
	snprintf(bytes, sizeof(bytes), "%lld", a != NULL ? a->bytes : 0LL);
	return db_cmd(
		ctx->db, "render final",
		"WITH r AS (UPDATE renders SET state = $3, plainly_state = $4, output_url = $5,"
		"  expires_at = to_timestamp($6::bigint), error = $7, finished_at = now(),"
		"  archive_path = $10, archive_sha256 = $11, archive_bytes = $12::bigint,"
		"  updated_at = now()"
		"  WHERE kind = $1 AND subject = $2 AND plainly_render_id = $8 RETURNING 1),"
		" a AS (INSERT INTO render_attempts (kind, subject, attempt, plainly_render_id, state,"
		"  error, output_url, expires_at) SELECT $1, $2, $9::int, $8, $4, $7, $5,"
		"  to_timestamp($6::bigint) FROM r"
		"  ON CONFLICT (kind, subject, attempt) DO NOTHING RETURNING 1)"
		" UPDATE jobs SET state = CASE WHEN $3 = 'done' THEN 'done' ELSE 'dead' END,"
		"  last_error = $7, finished_at = now(), updated_at = now()"
		" WHERE kind = $1 AND subject = $2 AND EXISTS (SELECT 1 FROM r)",
		12, p);
}

/* The render's final state from Plainly: recorded, announced, and a failed
 * one's work message dead-lettered. */
static void finish(struct consumer_ctx *ctx, const struct work_msg *work, const char *subject,
		   const struct row *w, const struct plainly_render *pr, struct outcome *out)
{
	const char *kind = msg_type_name(work->type);
	bool done = strcmp(pr->state, "DONE") == 0;
	bool archive = done && ctx->cfg->renders_archive_dir[0] != '\0';
	struct archived a;
	char error[700] = "";

	if (archive && pr->output[0] == '\0') {
		outcome_retry(out, renders_tier(ctx, ctx->attempt), "archive",
			      "render %s is DONE without an output URL", w->render_id);
		return;
	}
	if (archive) {
		log_info("archiving subject=%s render_id=%s url=%s into %s", subject, w->render_id,
			 pr->output, ctx->cfg->renders_archive_dir);
		if (archive_video(ctx->cfg, subject, w->render_id, pr->output, &a, error,
				  sizeof(error)) != 0) {
			outcome_retry(out, renders_tier(ctx, ctx->attempt), "archive", "%s", error);
			return;
		}
	}
	if (!done) {
		snprintf(error, sizeof(error), "Plainly render %s: %s%s%s", pr->state,
			 pr->error_code, pr->error_code[0] && pr->error[0] ? ": " : "",
			 pr->error[0] ? pr->error : (pr->error_code[0] ? "" : "no error given"));
		if (dead_letter_work(ctx, work, subject, error) != 0) {
			outcome_retry(out, 0, "broker", "dead-lettering %s not confirmed", subject);
			return;
		}
	}
	if (record_final(ctx, kind, subject, w, pr, error, archive ? &a : NULL) != 0) {
		outcome_retry(out, 0, "database", "recording the render's final state failed");
		return;
	}
	if (publish_event(ctx, work, subject, w->render_id, pr->state, pr->output, pr->expires_at,
			  error) != 0) {
		outcome_retry(out, 0, "broker", "video event not confirmed");
		return;
	}
	/* recorded and announced: counted once per render and redelivery-proof
	 * enough (a redelivery finds it final already and is not counted) */
	metrics_add(M_RENDERS, 1, "state", pr->state, METRICS_END);
	if (done && archive)
		outcome_done(out,
			     "video ready render_id=%s url=%s archived=%s bytes=%lld sha256=%s",
			     w->render_id, pr->output, a.path, a.bytes, a.sha256);
	else if (done)
		outcome_done(out, "video ready render_id=%s url=%s", w->render_id, pr->output);
	else
		outcome_done(out,
			     "render %s render_id=%s: %s dead-lettered (render-failed): %.300s",
			     pr->state, w->render_id, subject, error);
}

void renders_branch(struct consumer_ctx *ctx, const struct work_msg *m, struct outcome *out)
{
	struct work_msg work;
	struct plainly_render pr;
	struct row w;
	char subject[MSG_KEY_MAX];
	const char *kind;
	int found;

	memset(out, 0, sizeof(*out));
	if (msg_followed(m, &work) != 0 || msg_subject(m, subject, sizeof(subject)) < 0) {
		outcome_dead(out, "poison", "not a render message");
		return;
	}
	kind = msg_type_name(work.type);
	if (db_broken(ctx->db) && db_reconnect(ctx->db) != 0) {
		outcome_retry(out, 0, "database", "database unavailable");
		return;
	}
	found = load_row(ctx->db, kind, subject, &w);
	if (found < 0) {
		outcome_retry(out, 0, "database", "cannot read the renders row");
		return;
	}
	if (found == 0) {
		outcome_dead(out, "unknown-render", "no render was requested for %s", subject);
		return;
	}
	if (strcmp(w.state, "dry-run") == 0) {
		outcome_done(out, "dry-run: no render to follow");
		return;
	}
	if (strcmp(w.state, "pending") == 0 || w.render_id[0] == '\0') {
		/* the POST's answer is not recorded yet (or was lost: the branch
		 * consumer reconciles it) */
		outcome_retry(out, renders_tier(ctx, 0), "not-submitted",
			      "the render of %s is not recorded as accepted yet (%s)", subject,
			      w.state);
		return;
	}
	if ((strcmp(w.state, "done") == 0 || strcmp(w.state, "failed") == 0) &&
	    w.plainly_state[0] != '\0') {
		/* final already: say it again (same message_id); a job still
		 * "rendering" (a branch consumer's redelivery recorded it after
		 * the end) gets the end again */
		const char *jp[3] = { kind, subject, w.state };
		if (db_cmd(ctx->db, "render job end",
			   "UPDATE jobs SET state = CASE WHEN $3 = 'done' THEN 'done' ELSE 'dead' END,"
			   " finished_at = now(), updated_at = now()"
			   " WHERE kind = $1 AND subject = $2 AND state = 'rendering'",
			   3, jp) != 0)
			outcome_retry(out, 0, "database", "recording the job's end failed");
		else if (publish_event(ctx, &work, subject, w.render_id, w.plainly_state, w.output,
				       w.expires_at, w.error) != 0)
			outcome_retry(out, 0, "broker", "video event not confirmed");
		else
			outcome_done(out, "render already %s render_id=%s", w.plainly_state,
				     w.render_id);
		return;
	}
	switch (plainly_render_get(ctx->http, ctx->cfg, w.render_id, &pr)) {
	case PLAINLY_OK:
		if (plainly_state_final(pr.state))
			finish(ctx, &work, subject, &w, &pr, out);
		else
			outcome_retry(out, renders_tier(ctx, ctx->attempt), "rendering",
				      "render %s is %s", w.render_id, pr.state);
		break;
	case PLAINLY_NOT_FOUND:
		outcome_dead(out, "render-unknown", "Plainly has no render %s for %s: %s",
			     w.render_id, subject, pr.error);
		break;
	case PLAINLY_REJECTED:
		outcome_dead(out, "plainly-rejected", "GET /renders/%s: HTTP %ld %s", w.render_id,
			     pr.status, pr.error);
		break;
	default:
		outcome_retry(out, consumer_backoff_tier(ctx, ctx->attempt), "plainly-transient",
			      "GET /renders/%s: %s", w.render_id, pr.error);
		break;
	}
	plainly_render_free(&pr);
}
