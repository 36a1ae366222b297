/*
 * bfctl render again SUBJECT: a subject never gets a second video by
 * itself (a redelivery, a replay find it rendered).  After a template was
 * corrected, an operator asks for one on purpose: the renders row is
 * marked failed ("a new render asked by an operator"), the job enqueued,
 * and the work message published to bf.work (confirmed); the branch
 * consumer then posts a new render, the row's attempt counter goes up, and
 * render_attempts keeps the earlier ones.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/db.h"
#include "lib/log.h"
#include "lib/signals.h"
#include "ops/bfctl/common.h"
#include "ops/bfctl/render.h"
#include "protocol/message.h"

int cmd_render(const struct bf_config *c, int argc, char **argv)
{
	struct work_msg work;
	struct broker *b = NULL;
	PGconn *db = NULL;
	PGresult *r;
	char body[256], state[32] = "", attempt[16] = "", err[200] = "";
	const char *subject, *kind;
	int len, rc = 1;

	if (argc != 3 || strcmp(argv[1], "again") != 0) {
		fprintf(stderr, "usage: bfctl render again SUBJECT   (e.g. result:9101)\n");
		return 2;
	}
	subject = argv[2];
	if (msg_parse_subject(subject, &work, err, sizeof(err)) != 0 ||
	    (len = msg_encode(&work, body, sizeof(body))) < 0) {
		fprintf(stderr, "bfctl render again: %s: %s\n", subject, err);
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
	if (bfctl_broker(c, NULL, &b) != 0 ||
	    broker_publish_confirmed(b, &m, c->amqp_op_timeout * 1000) != 0) {
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
