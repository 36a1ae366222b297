/*
 * bfctl render again SUBJECT: a subject never gets a second video by
 * itself (a redelivery, a replay find it rendered).  After a template was
 * corrected, an operator asks for one on purpose: the renders row is
 * marked failed ("a new render asked by an operator"), the job enqueued,
 * and the work message published to bf.work (confirmed); the branch
 * consumer then posts a new render, the row's attempt counter goes up, and
 * render_attempts keeps the earlier ones.
 */
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/db.h"
#include "lib/log.h"
#include "lib/signals.h"
#include "ops/bfctl/common.h"
#include "ops/bfctl/render.h"
#include "protocol/message.h"

/* The work message of subject ("result:9101"), through the render message
 * codec (which checks the subject against its kind).  0 or -1. */
static int work_of(const char *subject, struct work_msg *work)
{
	char kind[32], err[160];
	const char *colon = strchr(subject, ':');
	struct work_msg r;
	cJSON *o;
	char *text;
	int rc;

	if (colon == NULL || (size_t)(colon - subject) >= sizeof(kind))
		return -1;
	snprintf(kind, sizeof(kind), "%.*s", (int)(colon - subject), subject);
	o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "processing_type", "render");
	cJSON_AddStringToObject(o, "kind", kind);
	cJSON_AddStringToObject(o, "subject", subject);
	text = cJSON_PrintUnformatted(o);
	cJSON_Delete(o);
	rc = text != NULL && msg_decode(text, strlen(text), &r, err, sizeof(err)) == 0 &&
			     msg_followed(&r, work) == 0
		     ? 0
		     : -1;
	free(text);
	return rc;
}

int cmd_render(const struct bf_config *c, int argc, char **argv)
{
	struct work_msg work;
	struct broker *b = NULL;
	PGconn *db = NULL;
	PGresult *r;
	char body[256], state[32] = "", attempt[16] = "";
	const char *subject, *kind;
	int len, rc = 1;

	if (argc != 3 || strcmp(argv[1], "again") != 0) {
		fprintf(stderr, "usage: bfctl render again SUBJECT   (e.g. result:9101)\n");
		return 2;
	}
	subject = argv[2];
	if (work_of(subject, &work) != 0 || (len = msg_encode(&work, body, sizeof(body))) < 0) {
		fprintf(stderr,
			"bfctl render again: %s is not a subject (line-up:ID, result:ID,"
			" tournament-stats:UT:SEASON:ROUND)\n",
			subject);
		return 2;
	}
	kind = msg_type_name(work.type);
	if (db_connect(&db, c->database_url, 3, &signals_stop) != 0)
		return 1;
	const char *p[2] = { kind, subject };
	r = db_exec(db, "render row",
		    "SELECT state, attempt FROM renders WHERE kind = $1 AND subject = $2", 2, p);
	if (r != NULL && PQntuples(r) == 1) {
		snprintf(state, sizeof(state), "%s", PQgetvalue(r, 0, 0));
		snprintf(attempt, sizeof(attempt), "%s", PQgetvalue(r, 0, 1));
	}
	PQclear(r);
	if (state[0] == '\0') {
		fprintf(stderr, "bfctl render again: %s has no render yet: nothing to do again\n",
			subject);
		goto out;
	}
	if (strcmp(state, "pending") == 0) {
		fprintf(stderr,
			"bfctl render again: %s is being posted right now (pending): try again in a"
			" minute\n",
			subject);
		goto out;
	}
	/* the row first: if the publish fails, running the command again is enough */
	if (db_cmd(db, "render again",
		   "WITH r AS (UPDATE renders SET state = 'failed', error = 'a new render asked by"
		   " an operator (bfctl render again)', updated_at = now()"
		   " WHERE kind = $1 AND subject = $2 AND state <> 'pending' RETURNING 1)"
		   " UPDATE jobs SET state = 'enqueued', last_error = NULL, finished_at = NULL,"
		   " enqueued_at = now(), updated_at = now()"
		   " WHERE kind = $1 AND subject = $2 AND EXISTS (SELECT 1 FROM r)",
		   2, p) != 0)
		goto out;
	struct broker_msg m = {
		.exchange = TOPO_WORK_EXCHANGE,
		.routing_key = kind,
		.body = body,
		.len = (size_t)len,
		.message_id = subject,
		.type = kind,
		.app_id = "bfctl",
	};
	if (bfctl_broker(c, NULL, &b) != 0 || broker_publish(b, &m) != 0 ||
	    broker_flush(b, c->amqp_op_timeout * 1000) != 0) {
		fprintf(stderr,
			"bfctl render again: %s: publishing to bf.work not confirmed: run the command"
			" again\n",
			subject);
		goto out;
	}
	log_info("render again subject=%s was=%s attempt=%s: work message published", subject,
		 state, attempt);
	printf("%s: was %s (attempt %s); published to bf.work: the %s consumer renders it again\n",
	       subject, state, attempt, kind);
	rc = 0;
out:
	broker_close(b);
	PQfinish(db);
	return rc;
}
