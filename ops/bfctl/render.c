/*
 * bfctl render follow --submitted | SUBJECT...: a render message for each
 * render Plainly accepted that is not followed to its end (renders row
 * 'submitted'), its job 'rendering': renders accepted by a version without
 * bf-renders, or whose render messages were purged by hand.  bf-renders
 * then follows them as any other.
 *
 * bfctl render again SUBJECT: a subject never gets a second video by
 * itself (a redelivery, a replay find it rendered).  After a template was
 * corrected, an operator asks for one on purpose: the renders row is
 * marked failed ("a new render asked by an operator"), the job enqueued,
 * and the work message published to bf.work (confirmed); the branch
 * consumer then posts a new render, the row's attempt counter goes up, and
 * render_attempts keeps the earlier ones.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/db.h"
#include "lib/log.h"
#include "lib/signals.h"
#include "ops/bfctl/common.h"
#include "ops/bfctl/render.h"
#include "protocol/follow.h"
#include "protocol/message.h"

/* "{\"result:9101\",...}": the subjects (checked: ids and colons only) as
 * a text[] literal, or NULL when one is not a subject. */
static char *subjects_array(int n, char **subjects)
{
	size_t len = 3;
	char *a, *p;

	for (int i = 0; i < n; i++) {
		struct work_msg w;
		char err[200];
		if (msg_parse_subject(subjects[i], &w, err, sizeof(err)) != 0) {
			fprintf(stderr, "bfctl render follow: %s: %s\n", subjects[i], err);
			return NULL;
		}
		len += strlen(subjects[i]) + 3;
	}
	a = malloc(len);
	if (a == NULL)
		return NULL;
	p = a;
	*p++ = '{';
	for (int i = 0; i < n; i++)
		p += snprintf(p, len - (size_t)(p - a), "%s\"%s\"", i > 0 ? "," : "", subjects[i]);
	*p++ = '}';
	*p = '\0';
	return a;
}

static int render_follow(const struct bf_config *c, int argc, char **argv)
{
	bool all = argc == 3 && strcmp(argv[2], "--submitted") == 0;
	struct broker *b = NULL;
	PGconn *db = NULL;
	PGresult *r = NULL;
	char *subjects;
	int n = 0, rc = 1;

	if (argc < 3 || (!all && argv[2][0] == '-')) {
		fprintf(stderr, "usage: bfctl render follow --submitted | SUBJECT...\n");
		return 2;
	}
	subjects = all ? strdup("{}") : subjects_array(argc - 2, argv + 2);
	if (subjects == NULL)
		return 2;
	if (db_connect(&db, c->database_url, 3, &signals_stop) != 0)
		goto out;
	const char *p[1] = { subjects };
	/* the jobs first: bf-renders ends them after this */
	r = db_exec(
		db, "render follow",
		"WITH r AS (SELECT kind, subject FROM renders WHERE state = 'submitted'"
		"  AND (cardinality($1::text[]) = 0 OR subject = ANY($1::text[]))),"
		" j AS (UPDATE jobs SET state = 'rendering', finished_at = NULL, updated_at = now()"
		"  FROM r WHERE jobs.kind = r.kind AND jobs.subject = r.subject"
		"  AND jobs.state <> 'rendering')"
		" SELECT subject FROM r ORDER BY kind, subject",
		1, p);
	if (r == NULL)
		goto out;
	n = PQntuples(r);
	if (n > 0 && bfctl_broker(c, NULL, &b) != 0)
		goto out;
	for (int i = 0; i < n; i++) {
		const char *subject = PQgetvalue(r, i, 0);
		struct work_msg work;
		char err[200] = "not a video's subject";
		int res = msg_parse_subject(subject, &work, err, sizeof(err)) != 0
				  ? -1
				  : follow_publish(b, &work, "bfctl");
		if (res < 0) {
			fprintf(stderr, "bfctl render follow: %s: %s\n", subject, err);
			goto out;
		}
		/* unreachable broker: kept, and sent again (or reported) by the flush */
		if (res > 0)
			log_warn("render follow %s: broker unreachable, trying again", subject);
	}
	if (n > 0 && broker_flush(b, c->amqp_op_timeout * 1000) != 0) {
		fprintf(stderr, "bfctl render follow: publishing to bf.work not confirmed: run the"
				" command again\n");
		goto out;
	}
	log_info("render follow: %d render messages published", n);
	printf("%d render%s followed (render messages published to bf.work for bf-renders)\n", n,
	       n == 1 ? "" : "s");
	if (!all && n < argc - 2) {
		fprintf(stderr,
			"bfctl render follow: %d of the %d subjects have no accepted render"
			" waiting (no renders row, or not 'submitted'): see bfctl status --event\n",
			argc - 2 - n, argc - 2);
		goto out;
	}
	rc = 0;
out:
	PQclear(r);
	free(subjects);
	broker_close(b);
	PQfinish(db);
	return rc;
}

int cmd_render(const struct bf_config *c, int argc, char **argv)
{
	struct work_msg work;
	struct broker *b = NULL;
	PGconn *db = NULL;
	PGresult *r;
	char body[256], state[32] = "", attempt[16] = "", err[200] = "";
	const char *subject, *kind;
	int len, rc = 1;

	if (argc >= 2 && strcmp(argv[1], "follow") == 0)
		return render_follow(c, argc, argv);
	if (argc != 3 || strcmp(argv[1], "again") != 0) {
		fprintf(stderr, "usage: bfctl render again SUBJECT   (e.g. result:9101)\n"
				"       bfctl render follow --submitted | SUBJECT...\n");
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
