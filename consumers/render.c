#include "consumers/render.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lib/clock.h"
#include "lib/db.h"
#include "lib/jarena.h"
#include "lib/log.h"
#include "protocol/plainly.h"

/* Per-subject session locks, taken in key order so that two processes
 * locking overlapping batches cannot deadlock. */
#define RENDER_LOCK_SQL                                                            \
	"SELECT count(pg_advisory_lock(k)) FROM (SELECT hashtextextended(s, 42) k" \
	" FROM jsonb_array_elements_text($1::jsonb) s ORDER BY k) x"
#define RENDER_UNLOCK_SQL                                           \
	"SELECT count(pg_advisory_unlock(hashtextextended(s, 42)))" \
	" FROM jsonb_array_elements_text($1::jsonb) s"

/* One durable statement records every request before anything leaves and
 * says what was there: a fresh row, or the state of an earlier try
 * ("posted": a request was recorded, so a POST may have been sent).  json,
 * not jsonb: the requests are only checked and kept as sent (migration 004). */
#define RENDER_RECORD_SQL                                               \
	"INSERT INTO renders (kind, subject, state, request)"           \
	" SELECT e->>'kind', e->>'subject', 'pending', e->'request'"    \
	" FROM json_array_elements($1::json) e"                         \
	" ON CONFLICT (kind, subject) DO UPDATE SET updated_at = now()" \
	" RETURNING subject, state, xmax = 0, request IS NOT NULL,"     \
	"  EXTRACT(EPOCH FROM created_at)::bigint"

/* The states after the POSTs.  Asynchronous: a state lost with a server
 * crash stays "pending" with its request recorded, and the next delivery
 * reconciles it by listing.  (jsonb_array_elements and ->: the documents
 * are not converted to text and parsed again as jsonb_to_recordset does.) */
#define RENDER_STATE_SQL                                                                                                                 \
	"UPDATE renders r SET state = e->>'state',"                                                                                      \
	" plainly_render_id = COALESCE(e->>'id', r.plainly_render_id),"                                                                  \
	" plainly_state = COALESCE(e->>'pstate', r.plainly_state),"                                                                      \
	" response = COALESCE(NULLIF(e->'response', 'null'::jsonb), r.response),"                                                        \
	" error = e->>'error', updated_at = now()"                                                                                       \
	" FROM jsonb_array_elements($1::jsonb) e"                                                                                        \
	" WHERE r.kind = e->>'kind' AND r.subject = e->>'subject'" /* the rows by the unique index, whatever the planner guesses of e */ \
	" AND r.kind = $2 AND r.subject = ANY (ARRAY(SELECT jsonb_array_elements_text($3::jsonb)))"

/* A request queued by render_request(), carried out by render_flush(). */
struct render_job {
	const struct cfg_template *tpl;
	const char *kind; /* "line-up", ... */
	char subject[MSG_KEY_MAX];
	char *body; /* the POST /renders request (malloc'd) */
	struct outcome out; /* OUT_RENDER until carried out */
};

struct render {
	const struct bf_config *cfg;
	PGconn *db;
	struct http_client *http; /* Plainly */
	const struct topology *topo;
	enum msg_type type;
	struct render_job jobs[RENDER_BATCH_MAX];
	size_t n; /* requests in the batch */
	size_t flushed; /* of which carried out */
};

/* What a flush found in the renders row, and what it writes back. */
struct slot {
	struct render_job *job;
	bool recorded; /* a row came back from the INSERT */
	char state[32];
	bool fresh, posted;
	long long since;
	/* the state to write (NULL: nothing) */
	const char *new_state;
	struct plainly_render pr;
	char error[600];
};

static char *json_strings(struct render_job *jobs, size_t n)
{
	cJSON *a = cJSON_CreateArray();
	char *s;

	for (size_t i = 0; i < n; i++)
		cJSON_AddItemToArray(a, cJSON_CreateString(jobs[i].subject));
	s = cJSON_PrintUnformatted(a);
	cJSON_Delete(a);
	return s;
}

static char *json_records(struct render_job *jobs, size_t n)
{
	cJSON *a = cJSON_CreateArray();
	char *s;

	for (size_t i = 0; i < n; i++) {
		cJSON *o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "kind", jobs[i].kind);
		cJSON_AddStringToObject(o, "subject", jobs[i].subject);
		/* the body is JSON already (plainly_request_json) */
		cJSON_AddItemToObject(o, "request", cJSON_CreateRaw(jobs[i].body));
		cJSON_AddItemToArray(a, o);
	}
	s = cJSON_PrintUnformatted(a);
	cJSON_Delete(a);
	return s;
}

static void add_str(cJSON *o, const char *k, const char *v)
{
	if (v != NULL && v[0] != '\0')
		cJSON_AddStringToObject(o, k, v);
	else
		cJSON_AddNullToObject(o, k);
}

static char *json_states(struct slot *sl, size_t n)
{
	cJSON *a = cJSON_CreateArray();
	char *s;

	for (size_t i = 0; i < n; i++) {
		const struct plainly_render *r = &sl[i].pr;
		cJSON *o;

		if (sl[i].new_state == NULL)
			continue;
		o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "kind", sl[i].job->kind);
		cJSON_AddStringToObject(o, "subject", sl[i].job->subject);
		cJSON_AddStringToObject(o, "state", sl[i].new_state);
		add_str(o, "id", r->id);
		add_str(o, "pstate", r->state);
		/* JSON without the echoed parameters, printed once (plainly.c) */
		if (r->response != NULL)
			cJSON_AddItemToObject(o, "response", cJSON_CreateRaw(r->response));
		else
			cJSON_AddNullToObject(o, "response");
		add_str(o, "error", sl[i].error);
		cJSON_AddItemToArray(a, o);
	}
	s = cJSON_PrintUnformatted(a);
	cJSON_Delete(a);
	return s;
}

/* The tier honouring Plainly's Retry-After (0: by attempt). */
static int retry_after_tier(const struct render *rd, long retry_after)
{
	const struct topo_queue *tiers[CFG_MAX_TIERS];
	size_t n;
	int tier = 0;

	if (retry_after <= 0)
		return 0;
	n = topo_wait_tiers(rd->topo, rd->type, tiers, CFG_MAX_TIERS);
	for (size_t i = 0; i < n && tier == 0; i++)
		if (tiers[i]->ttl >= retry_after)
			tier = tiers[i]->ttl;
	if (tier == 0 && n > 0)
		tier = tiers[n - 1]->ttl;
	return tier;
}

/* Under the subject's lock, its row recorded: decide, and say what to
 * write back (sl->new_state).  Sets the outcome, or returns true when the
 * request must be posted (render_posted then sets it). */
static bool render_decide(struct render *rd, struct slot *sl)
{
	const struct bf_config *cfg = rd->cfg;
	struct render_job *job = sl->job;
	struct outcome *out = &job->out;
	struct plainly_render *pr = &sl->pr;
	enum plainly_result res;
	bool dry = cfg->plainly_dry_run;

	/* accepted by Plainly (followed by bf-renders), a finished video, or
	 * written by a dry run while dry: never a second video (a dry run's
	 * row does not keep a real run from making the video) */
	if (strcmp(sl->state, "submitted") == 0 || (dry && strcmp(sl->state, "dry-run") == 0) ||
	    strcmp(sl->state, "done") == 0) {
		outcome_done(out, "render already %s", sl->state);
		/* a redelivery: the render message may not have been confirmed */
		out->follow = strcmp(sl->state, "submitted") == 0;
		return false;
	}
	if (strcmp(sl->state, "pending") == 0 && sl->posted && !dry) {
		/* a crash or a lost answer may have left a render at Plainly */
		res = plainly_render_find(rd->http, cfg, job->tpl->project_id, job->subject,
					  sl->since, pr);
		if (res == PLAINLY_OK &&
		    (strcmp(pr->state, "INVALID") == 0 || strcmp(pr->state, "FAILED") == 0 ||
		     strcmp(pr->state, "CANCELLED") == 0)) {
			/* that one will never become a video: post again */
			log_info("render found but %s, posting again subject=%s", pr->state,
				 job->subject);
			res = PLAINLY_NOT_FOUND;
		}
		if (res == PLAINLY_OK) {
			log_info("render reconciled subject=%s plainly_render_id=%s state=%s",
				 job->subject, pr->id, pr->state);
			sl->new_state = "submitted";
			outcome_done(out, "render reconciled %s", pr->id);
			out->follow = true;
			return false;
		}
		if (res == PLAINLY_TRANSIENT) {
			outcome_retry(out, 0, "plainly-transient", "listing renders: %s",
				      pr->error);
			return false;
		}
		plainly_render_free(pr);
		memset(pr, 0, sizeof(*pr));
	}
	if (!sl->fresh) {
		/* an earlier try (failed, or pending): record this request, durably */
		const char *pu[3] = { job->kind, job->subject, job->body };
		if (db_cmd(rd->db, "render retry",
			   "UPDATE renders SET state = 'pending', request = $3::json, error = NULL,"
			   " attempt = attempt + (state = 'failed')::int, plainly_render_id = NULL,"
			   " plainly_state = NULL, output_url = NULL, expires_at = NULL,"
			   " finished_at = NULL, updated_at = now() WHERE kind = $1 AND subject = $2",
			   3, pu) != 0) {
			outcome_retry(out, 0, "database", "render bookkeeping failed");
			return false;
		}
	}
	if (dry) {
		char path[1200];
		if (plainly_dry_run_write(cfg->plainly_dry_run_dir, job->subject, job->body, path,
					  sizeof(path)) != 0) {
			outcome_retry(out, 0, "dry-run", "cannot write to %s",
				      cfg->plainly_dry_run_dir);
			return false;
		}
		sl->new_state = "dry-run";
		outcome_done(out, "dry-run %.400s", path);
		return false;
	}
	return true;
}

/* The answer to the POST: the state to write back and the outcome. */
static void render_posted(const struct render *rd, struct slot *sl, enum plainly_result res)
{
	struct outcome *out = &sl->job->out;
	struct plainly_render *pr = &sl->pr;

	switch (res) {
	case PLAINLY_OK:
		/* if the state is lost, the row stays pending: the retry reconciles */
		sl->new_state = "submitted";
		outcome_done(out, "plainly_render_id=%s state=%s", pr->id, pr->state);
		out->follow = true;
		break;
	case PLAINLY_REJECTED:
		snprintf(sl->error, sizeof(sl->error), "%.100s%s%.400s", pr->error_code,
			 pr->error_code[0] ? ": " : "", pr->error);
		sl->new_state = "failed";
		outcome_dead(out, "plainly-rejected", "Plainly %s: %s",
			     pr->status == 200 ? "render INVALID" : "rejected the request",
			     sl->error);
		break;
	default:
		/* stays pending: the next attempt lists renders before posting */
		if (pr->status != 0)
			outcome_retry(out, retry_after_tier(rd, pr->retry_after),
				      "plainly-transient", "Plainly HTTP %ld: %s", pr->status,
				      pr->error);
		else
			outcome_retry(out, retry_after_tier(rd, pr->retry_after),
				      "plainly-transient", "Plainly: %s", pr->error);
		break;
	}
}

static void all_retry(struct render_job *jobs, size_t n, const char *why)
{
	for (size_t i = 0; i < n; i++)
		outcome_retry(&jobs[i].out, 0, "database", "%s", why);
}

static void jobs_free(struct render_job *jobs, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(jobs[i].body);
		jobs[i].body = NULL;
	}
}

/* Carries out jobs[0..n-1], n > 0, which name n different subjects. */
static void flush_round(struct render *rd, struct render_job *jobs, size_t n,
			void (*wait)(void *arg, int fd), void *arg)
{
	size_t i;
	struct slot *sl = NULL;
	char *subjects = NULL, *records = NULL, *states = NULL;
	PGresult *r = NULL;
	int64_t t0 = clock_mono_ms(), t1 = 0, t2 = 0, t3 = 0;

	/* the JSON built here dies here (cJSON_free, not free) */
	jarena_begin();
	if (db_broken(rd->db) && db_reconnect(rd->db) != 0) {
		all_retry(jobs, n, "database unavailable");
		goto out;
	}
	sl = calloc(n, sizeof(*sl));
	subjects = json_strings(jobs, n);
	records = json_records(jobs, n);
	if (sl == NULL || subjects == NULL || records == NULL) {
		for (i = 0; i < n; i++)
			outcome_retry(&jobs[i].out, 0, "internal", "out of memory");
		goto out;
	}
	/* one process at a time per subject; a crash releases the locks */
	const char *pl[1] = { subjects };
	if (db_cmd(rd->db, "render lock", RENDER_LOCK_SQL, 1, pl) != 0) {
		/* session locks survive an error: drop any it took */
		all_retry(jobs, n, "render lock failed");
		goto unlock;
	}
	t1 = clock_mono_ms();
	const char *pr[1] = { records };
	/* the durable statement takes a while: meanwhile the caller's wait
	 * gets other work done */
	r = db_exec_while(rd->db, "render record", RENDER_RECORD_SQL, 1, pr, wait, arg);
	if (r == NULL) {
		all_retry(jobs, n, "render bookkeeping failed");
		goto unlock;
	}
	for (i = 0; i < n; i++)
		sl[i].job = &jobs[i];
	for (int t = 0; t < PQntuples(r); t++)
		for (i = 0; i < n; i++)
			if (!sl[i].recorded && strcmp(jobs[i].subject, PQgetvalue(r, t, 0)) == 0) {
				sl[i].recorded = true;
				snprintf(sl[i].state, sizeof(sl[i].state), "%s",
					 PQgetvalue(r, t, 1));
				sl[i].fresh = PQgetvalue(r, t, 2)[0] == 't';
				sl[i].posted = !sl[i].fresh && PQgetvalue(r, t, 3)[0] == 't';
				sl[i].since = strtoll(PQgetvalue(r, t, 4), NULL, 10);
				break;
			}
	PQclear(r);
	t2 = clock_mono_ms();
	/* the POSTs side by side, each on its own connection */
	size_t np = 0, post[RENDER_BATCH_MAX];
	const char *bodies[RENDER_BATCH_MAX];
	struct plainly_render prs[RENDER_BATCH_MAX];
	enum plainly_result res[RENDER_BATCH_MAX];
	for (i = 0; i < n; i++) {
		if (!sl[i].recorded) {
			outcome_retry(&jobs[i].out, 0, "database", "render row not recorded");
			continue;
		}
		if (render_decide(rd, &sl[i])) {
			post[np] = i;
			bodies[np++] = jobs[i].body;
		}
	}
	plainly_render_create_many(rd->http, rd->cfg, bodies, np, prs, res);
	for (size_t k = 0; k < np; k++) {
		plainly_render_free(&sl[post[k]].pr);
		sl[post[k]].pr = prs[k];
		render_posted(rd, &sl[post[k]], res[k]);
	}
	t3 = clock_mono_ms();
	/* the states, then the locks: another process sees the state first */
	states = json_states(sl, n);
	if (states != NULL && strcmp(states, "[]") != 0) {
		const char *ps[3] = { states, jobs[0].kind, subjects };
		const struct db_stmt st[5] = {
			{ "begin", "BEGIN", 0, NULL },
			{ "async commit", "SET LOCAL synchronous_commit TO off", 0, NULL },
			{ "render state", RENDER_STATE_SQL, 3, ps },
			{ "commit", "COMMIT", 0, NULL },
			{ "render unlock", RENDER_UNLOCK_SQL, 1, pl },
		};
		if (db_pipeline(rd->db, st, 5) == 0)
			goto out;
		/* posted but not recorded as such: stays pending, the retry
		 * reconciles by listing (no second POST) */
		for (i = 0; i < n; i++)
			if (sl[i].new_state != NULL)
				outcome_retry(&jobs[i].out, 0, "database",
					      "render bookkeeping failed");
	} else if (states == NULL) {
		for (i = 0; i < n; i++)
			if (sl[i].new_state != NULL)
				outcome_retry(&jobs[i].out, 0, "internal", "out of memory");
	}
unlock:
	if (db_cmd(rd->db, "render unlock", RENDER_UNLOCK_SQL, 1, pl) != 0)
		log_warn("render unlock failed (released with the session)");
out:
	if (t3 != 0)
		log_debug("renders n=%zu lock_ms=%" PRId64 " record_ms=%" PRId64
			  " posts_ms=%" PRId64 " state_ms=%" PRId64,
			  n, t1 - t0, t2 - t1, t3 - t2, clock_mono_ms() - t3);
	if (sl != NULL)
		for (i = 0; i < n; i++)
			plainly_render_free(&sl[i].pr);
	free(sl);
	cJSON_free(subjects);
	cJSON_free(records);
	cJSON_free(states);
	jarena_end();
	jobs_free(jobs, n);
}

/* Whether jobs[k]'s subject is among jobs[from..k-1]. */
static bool asked_before(const struct render *rd, size_t from, size_t k)
{
	for (size_t j = from; j < k; j++)
		if (strcmp(rd->jobs[j].subject, rd->jobs[k].subject) == 0)
			return true;
	return false;
}

void render_flush(struct render *rd, void (*wait)(void *arg, int fd), void *arg)
{
	/* in rounds that name a subject once: a subject asked for twice is
	 * carried out once the first request is, and finds it done */
	while (rd->flushed < rd->n) {
		size_t end = rd->flushed + 1;

		while (end < rd->n && !asked_before(rd, rd->flushed, end))
			end++;
		flush_round(rd, &rd->jobs[rd->flushed], end - rd->flushed, wait, arg);
		rd->flushed = end;
	}
}

void render_outcome(const struct render *rd, struct outcome *o)
{
	/* a request not carried out stays OUT_RENDER (back to the queue) */
	if (o->kind == OUT_RENDER && o->render >= 0 && (size_t)o->render < rd->flushed)
		*o = rd->jobs[o->render].out;
}

void render_reset(struct render *rd)
{
	jobs_free(rd->jobs, rd->n);
	rd->n = 0;
	rd->flushed = 0;
}

void render_request(struct render *rd, const struct cfg_template *tpl, const char *kind,
		    const char *subject, const cJSON *doc, struct outcome *out)
{
	struct render_job *job;
	char *body;

	memset(out, 0, sizeof(*out));
	body = plainly_request_json(tpl, kind, subject, doc, rd->cfg->plainly_webhook_url);
	if (body == NULL) {
		outcome_retry(out, 0, "internal", "cannot build the render request");
		return;
	}
	if (rd->n == RENDER_BATCH_MAX) {
		/* never with one request per message of a batch */
		free(body);
		outcome_retry(out, 0, "internal", "more renders than a batch holds");
		return;
	}
	job = &rd->jobs[rd->n];
	job->tpl = tpl;
	job->kind = kind;
	snprintf(job->subject, sizeof(job->subject), "%s", subject);
	job->body = body;
	memset(&job->out, 0, sizeof(job->out));
	job->out.kind = OUT_RENDER;
	out->kind = OUT_RENDER;
	out->render = (int)rd->n++;
}

int render_new(struct render **r, const struct bf_config *cfg, PGconn *db, struct http_client *http,
	       const struct topology *topo, enum msg_type type)
{
	struct render *rd = calloc(1, sizeof(*rd));

	*r = rd;
	if (rd == NULL)
		return -1;
	rd->cfg = cfg;
	rd->db = db;
	rd->http = http;
	rd->topo = topo;
	rd->type = type;
	return 0;
}

void render_free(struct render *r)
{
	if (r == NULL)
		return;
	render_reset(r);
	free(r);
}
