#include "consumers/render.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/db.h"
#include "lib/log.h"
#include "protocol/plainly.h"

#define RENDER_LOCK_SQL "SELECT pg_advisory_lock(hashtextextended($1, 42))"
#define RENDER_UNLOCK_SQL "SELECT pg_advisory_unlock(hashtextextended($1, 42))"

static int set_state(PGconn *db, const char *kind, const char *subject, const char *state,
		     const struct plainly_render *r, const char *request, const char *error)
{
	const char *p[8] = {
		kind, subject, state, r && r->id[0] ? r->id : NULL,
		r && r->state[0] ? r->state : NULL, request,
		/* the response is stored only when it is JSON */
		r && r->response && (r->response[0] == '{' || r->response[0] == '[') ? r->response : NULL,
		error,
	};

	/* async: a state lost with a server crash stays "pending" with its
	 * request recorded, and the next delivery reconciles it by listing */
	return db_cmd_async(db, "render state",
		      "UPDATE renders SET state = $3, plainly_render_id = COALESCE($4, plainly_render_id),"
		      " plainly_state = COALESCE($5, plainly_state),"
		      " request = COALESCE($6::jsonb, request), response = COALESCE($7::jsonb, response),"
		      " error = $8, updated_at = now() WHERE kind = $1 AND subject = $2",
		      8, p);
}

/* Under the subject's lock: decide, post, record. */
static void render_locked(struct consumer_ctx *ctx, const struct cfg_template *tpl,
			  const char *kind, const char *subject, const cJSON *doc,
			  struct outcome *out)
{
	const struct bf_config *cfg = ctx->cfg;
	struct plainly_render pr;
	enum plainly_result res;
	PGresult *r;
	char state[32] = "";
	char *body = NULL;
	bool dry = cfg->plainly_api_key[0] == '\0', fresh, posted;

	memset(&pr, 0, sizeof(pr));
	body = plainly_request_json(tpl, kind, subject, doc, cfg->plainly_webhook_url);
	if (body == NULL) {
		outcome_retry(out, 0, "internal", "cannot build the render request");
		return;
	}
	/*
	 * One durable statement records the request before anything leaves and
	 * says what was there: a fresh row, or the state of an earlier try
	 * ("posted": a request was recorded, so a POST may have been sent).
	 */
	const char *pa[3] = { kind, subject, body };
	r = db_exec(ctx->db, "render record",
		    "INSERT INTO renders (kind, subject, state, request) VALUES ($1, $2, 'pending', $3::jsonb)"
		    " ON CONFLICT (kind, subject) DO UPDATE SET updated_at = now()"
		    " RETURNING state, xmax = 0, request IS NOT NULL,"
		    "  EXTRACT(EPOCH FROM created_at)::bigint",
		    3, pa);
	if (r == NULL || PQntuples(r) != 1) {
		PQclear(r);
		goto db_fail;
	}
	snprintf(state, sizeof(state), "%s", PQgetvalue(r, 0, 0));
	fresh = PQgetvalue(r, 0, 1)[0] == 't';
	posted = !fresh && PQgetvalue(r, 0, 2)[0] == 't';
	long long since = strtoll(PQgetvalue(r, 0, 3), NULL, 10);
	PQclear(r);
	if (strcmp(state, "submitted") == 0 || strcmp(state, "dry-run") == 0) {
		out->kind = OUT_DONE;
		snprintf(out->error, sizeof(out->error), "render already %s", state);
		goto out;
	}
	if (strcmp(state, "pending") == 0 && posted && !dry) {
		/* a crash or a lost answer may have left a render at Plainly */
		res = plainly_render_find(ctx->http, cfg, tpl->project_id, subject, since, &pr);
		if (res == PLAINLY_OK && (strcmp(pr.state, "INVALID") == 0 ||
					  strcmp(pr.state, "FAILED") == 0 ||
					  strcmp(pr.state, "CANCELLED") == 0)) {
			/* that one will never become a video: post again */
			log_info("render found but %s, posting again subject=%s", pr.state, subject);
			res = PLAINLY_NOT_FOUND;
		}
		if (res == PLAINLY_OK) {
			log_info("render reconciled subject=%s plainly_render_id=%s state=%s", subject,
				 pr.id, pr.state);
			if (set_state(ctx->db, kind, subject, "submitted", &pr, NULL, NULL) != 0)
				goto db_fail;
			out->kind = OUT_DONE;
			snprintf(out->error, sizeof(out->error), "render reconciled %s", pr.id);
			goto out;
		}
		if (res == PLAINLY_TRANSIENT) {
			outcome_retry(out, 0, "plainly-transient", "listing renders: %s", pr.error);
			goto out;
		}
		plainly_render_free(&pr);
		memset(&pr, 0, sizeof(pr));
	}
	if (!fresh) {
		/* an earlier try (failed, or pending): record this request, durably */
		const char *pu[3] = { kind, subject, body };
		if (db_cmd(ctx->db, "render retry",
			   "UPDATE renders SET state = 'pending', request = $3::jsonb, error = NULL,"
			   " updated_at = now() WHERE kind = $1 AND subject = $2",
			   3, pu) != 0)
			goto db_fail;
	}
	if (dry) {
		char path[1200];
		if (plainly_dry_run_write(cfg->plainly_dry_run_dir, subject, body, path,
					  sizeof(path)) != 0) {
			outcome_retry(out, 0, "dry-run", "cannot write to %s", cfg->plainly_dry_run_dir);
			goto out;
		}
		if (set_state(ctx->db, kind, subject, "dry-run", NULL, NULL, NULL) != 0)
			goto db_fail;
		out->kind = OUT_DONE;
		snprintf(out->error, sizeof(out->error), "dry-run %.400s", path);
		goto out;
	}
	res = plainly_render_create(ctx->http, cfg, body, &pr);
	switch (res) {
	case PLAINLY_OK:
		if (set_state(ctx->db, kind, subject, "submitted", &pr, NULL, NULL) != 0)
			goto db_fail; /* stays pending: the retry reconciles, no second POST */
		out->kind = OUT_DONE;
		snprintf(out->error, sizeof(out->error), "plainly_render_id=%s state=%s", pr.id,
			 pr.state);
		break;
	case PLAINLY_REJECTED: {
		char why[600];
		snprintf(why, sizeof(why), "%.100s%s%.400s", pr.error_code, pr.error_code[0] ? ": " : "",
			 pr.error);
		if (set_state(ctx->db, kind, subject, "failed", &pr, NULL, why) != 0)
			goto db_fail;
		outcome_dead(out, "plainly-rejected", "Plainly %s: %s",
			     pr.status == 200 ? "render INVALID" : "rejected the request", why);
		break;
	}
	default: {
		/* stays pending: the next attempt lists renders before posting */
		int tier = 0;
		if (pr.retry_after > 0) {
			const struct topo_queue *tiers[CFG_MAX_TIERS];
			size_t n = topo_wait_tiers(&ctx->topo, ctx->type, tiers, CFG_MAX_TIERS);
			for (size_t i = 0; i < n && tier == 0; i++)
				if (tiers[i]->ttl >= pr.retry_after)
					tier = tiers[i]->ttl;
			if (tier == 0 && n > 0)
				tier = tiers[n - 1]->ttl;
		}
		if (pr.status != 0)
			outcome_retry(out, tier, "plainly-transient", "Plainly HTTP %ld: %s", pr.status,
				      pr.error);
		else
			outcome_retry(out, tier, "plainly-transient", "Plainly: %s", pr.error);
		break;
	}
	}
out:
	free(body);
	plainly_render_free(&pr);
	return;
db_fail:
	outcome_retry(out, 0, "database", "render bookkeeping failed");
	free(body);
	plainly_render_free(&pr);
}

void render_request(struct consumer_ctx *ctx, const struct cfg_template *tpl, const char *kind,
		    const char *subject, const cJSON *doc, struct outcome *out)
{
	const char *p[1] = { subject };

	memset(out, 0, sizeof(*out));
	if (db_broken(ctx->db) && db_reconnect(ctx->db) != 0) {
		outcome_retry(out, 0, "database", "database unavailable");
		return;
	}
	/* one process at a time per subject; a crash releases the lock */
	if (db_cmd(ctx->db, "render lock", RENDER_LOCK_SQL, 1, p) != 0) {
		outcome_retry(out, 0, "database", "render lock failed");
		return;
	}
	render_locked(ctx, tpl, kind, subject, doc, out);
	if (db_cmd(ctx->db, "render unlock", RENDER_UNLOCK_SQL, 1, p) != 0)
		log_warn("render unlock failed subject=%s", subject);
}
