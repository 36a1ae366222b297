/*
 * bfctl status: what an operator looks at first.  Queue depths and
 * consumers of the whole topology, jobs and renders by state, the oldest
 * dead letter of each type with its reason, the Sofascore circuit breaker.
 * --event ID: that event's history.  --json for scripts.
 */
#include <cjson/cJSON.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lib/db.h"
#include "protocol/broker_mgmt.h"
#include "lib/log.h"
#include "lib/signals.h"
#include "lib/proc.h"
#include "ops/bfctl/common.h"
#include "ops/bfctl/status.h"
#include "protocol/message.h"

static cJSON *rows_json(PGconn *db, const char *what, const char *sql, int n, const char *const *p)
{
	PGresult *r = db_exec(db, what, sql, n, p);
	cJSON *arr = cJSON_CreateArray();

	if (r == NULL)
		return arr;
	for (int i = 0; i < PQntuples(r); i++) {
		cJSON *o = cJSON_CreateObject();
		for (int j = 0; j < PQnfields(r); j++) {
			if (PQgetisnull(r, i, j))
				cJSON_AddNullToObject(o, PQfname(r, j));
			else if (PQftype(r, j) == 20 || PQftype(r, j) == 23) /* int8, int4 */
				cJSON_AddNumberToObject(o, PQfname(r, j),
							strtod(PQgetvalue(r, i, j), NULL));
			else
				cJSON_AddStringToObject(o, PQfname(r, j), PQgetvalue(r, i, j));
		}
		cJSON_AddItemToArray(arr, o);
	}
	PQclear(r);
	return arr;
}

static cJSON *dead_json(const struct broker_delivery *d)
{
	cJSON *o = cJSON_CreateObject();
	struct work_msg m;
	char err[128];
	uint64_t ts = d->first_published ? d->first_published : d->timestamp;

	cJSON_AddStringToObject(o, "message_id", d->message_id);
	if (msg_decode(d->body, d->len, &m, err, sizeof(err)) == 0 && m.type != MSG_TSTATS)
		cJSON_AddNumberToObject(o, "event_id", (double)m.event_id);
	cJSON_AddStringToObject(o, "reason", bfctl_reason(d));
	cJSON_AddStringToObject(o, "error", d->error);
	cJSON_AddNumberToObject(o, "attempt", d->attempt);
	cJSON_AddNumberToObject(o, "age_seconds", ts ? (double)((uint64_t)time(NULL) - ts) : -1);
	return o;
}

/* Queues (ready and consumers over AMQP; unacknowledged too from the
 * management API when mg), plus each dead queue's oldest message (peeked
 * and put back). */
static cJSON *queues_json(struct broker *b, struct mgmt *mg, const struct topology *t,
			  int64_t event, cJSON **event_dead)
{
	cJSON *arr = cJSON_CreateArray();

	for (size_t i = 0; i < t->nqueues; i++) {
		const struct topo_queue *q = &t->queues[i];
		cJSON *o = cJSON_CreateObject();
		long msgs = -1, cons = -1;
		int info;

		cJSON_AddStringToObject(o, "name", q->name);
		cJSON_AddStringToObject(o, "kind",
					q->kind == TOPO_WORK   ? "work"
					: q->kind == TOPO_WAIT ? "wait"
							       : "dead");
		info = broker_queue_info(b, q->name, &msgs, &cons);
		cJSON_AddStringToObject(o, "state",
					info == 0   ? "ok"
					: info == 1 ? "missing"
						    : "unknown");
		if (info == 0) {
			struct mgmt_queue mq;
			cJSON_AddNumberToObject(o, "messages", msgs);
			cJSON_AddNumberToObject(o, "consumers", cons);
			/* the statistics lag a few seconds: ready stays AMQP's own */
			if (mg != NULL && mgmt_queue_stats(mg, q->name, &mq) == 0)
				cJSON_AddNumberToObject(o, "unacked", mq.unacked);
			else
				cJSON_AddNullToObject(o, "unacked");
		} else {
			cJSON_AddNullToObject(o, "messages");
			cJSON_AddNullToObject(o, "consumers");
		}
		if (q->kind == TOPO_DEAD && msgs > 0) {
			/* read (held unacked) the oldest, or all with --event */
			long n = event != 0 ? (msgs > 10000 ? 10000 : msgs) : 1;
			struct broker_delivery *d = calloc((size_t)n, sizeof(*d));
			long got = 0;
			for (; d != NULL && got < n; got++)
				if (broker_get(b, q->name, &d[got]) != 1)
					break;
			for (long k = 0; k < got; k++) {
				struct work_msg m;
				char err[64];
				if (k == 0)
					cJSON_AddItemToObject(o, "oldest", dead_json(&d[0]));
				if (event != 0 &&
				    msg_decode(d[k].body, d[k].len, &m, err, sizeof(err)) == 0 &&
				    m.type != MSG_TSTATS && m.event_id == event)
					cJSON_AddItemToArray(*event_dead, dead_json(&d[k]));
			}
			/* no nack (it would move each to the tail): they return to the
			 * head, in order, when the connection closes */
			for (long k = 0; k < got; k++)
				broker_delivery_free(&d[k]);
			free(d);
		}
		cJSON_AddItemToArray(arr, o);
	}
	return arr;
}

static void print_text(const cJSON *root)
{
	const cJSON *q, *it;

	const char *unacked = cJSON_GetStringValue(cJSON_GetObjectItem(root, "unacked_from"));
	printf("queues                                    ready  unacked consumers\n");
	cJSON_ArrayForEach (q, cJSON_GetObjectItem(root, "queues")) {
		const cJSON *m = cJSON_GetObjectItem(q, "messages");
		const cJSON *c = cJSON_GetObjectItem(q, "consumers");
		const cJSON *u = cJSON_GetObjectItem(q, "unacked");
		const cJSON *old = cJSON_GetObjectItem(q, "oldest");
		const char *state = cJSON_GetStringValue(cJSON_GetObjectItem(q, "state"));
		char ua[16] = "?";
		if (cJSON_IsNumber(u))
			snprintf(ua, sizeof(ua), "%.0f", u->valuedouble);
		if (cJSON_IsNumber(m) && cJSON_IsNumber(c))
			printf("  %-36s %8.0f %8s %9.0f",
			       cJSON_GetObjectItem(q, "name")->valuestring, m->valuedouble, ua,
			       c->valuedouble);
		else /* missing: not declared (bfctl topology declare); unknown: broker lost */
			printf("  %-36s %27s", cJSON_GetObjectItem(q, "name")->valuestring,
			       state != NULL ? state : "unknown");
		if (old != NULL)
			printf("   oldest: %s reason=%s age=%.0fs error=\"%.100s\"",
			       cJSON_GetObjectItem(old, "message_id")->valuestring,
			       cJSON_GetObjectItem(old, "reason")->valuestring,
			       cJSON_GetObjectItem(old, "age_seconds")->valuedouble,
			       cJSON_GetObjectItem(old, "error")->valuestring);
		printf("\n");
	}
	printf("  (ready and consumers: the broker over AMQP; unacked: %s)\n",
	       unacked != NULL ? unacked : "?");
	const cJSON *prods = cJSON_GetObjectItem(root, "producers");
	printf("producers (active lock %s)\n",
	       cJSON_IsTrue(cJSON_GetObjectItem(root, "active_producer_lock_held"))
		       ? "held"
		       : "NOT held: nothing polls");
	if (cJSON_GetArraySize(prods) == 0)
		printf("  none seen in the last 10 minutes\n");
	cJSON_ArrayForEach (it, prods) {
		const cJSON *ago = cJSON_GetObjectItem(it, "last_cycle_seconds_ago");
		printf("  %-36s %-8s seen %.0fs ago", cJSON_GetObjectItem(it, "name")->valuestring,
		       cJSON_GetObjectItem(it, "role")->valuestring,
		       cJSON_GetNumberValue(cJSON_GetObjectItem(it, "seen_seconds_ago")));
		if (cJSON_IsNumber(ago))
			printf(", last cycle %.0fs ago", ago->valuedouble);
		printf("\n");
	}
	printf("jobs\n");
	cJSON_ArrayForEach (it, cJSON_GetObjectItem(root, "jobs"))
		printf("  %-18s %-10s %6.0f\n", cJSON_GetObjectItem(it, "kind")->valuestring,
		       cJSON_GetObjectItem(it, "state")->valuestring,
		       cJSON_GetObjectItem(it, "count")->valuedouble);
	printf("renders\n");
	cJSON_ArrayForEach (it, cJSON_GetObjectItem(root, "renders"))
		printf("  %-18s %-10s %6.0f\n", cJSON_GetObjectItem(it, "kind")->valuestring,
		       cJSON_GetObjectItem(it, "state")->valuestring,
		       cJSON_GetObjectItem(it, "count")->valuedouble);
	const cJSON *rq = cJSON_GetObjectItem(root, "requests");
	if (rq != NULL) {
		double used = cJSON_GetNumberValue(cJSON_GetObjectItem(rq, "used_today"));
		double lim = cJSON_GetNumberValue(cJSON_GetObjectItem(rq, "day_limit"));
		double um = cJSON_GetNumberValue(cJSON_GetObjectItem(rq, "used_minute"));
		double ml = cJSON_GetNumberValue(cJSON_GetObjectItem(rq, "minute_limit"));
		printf("requests to %s: %.0f today",
		       cJSON_GetStringValue(cJSON_GetObjectItem(rq, "provider")), used);
		if (lim > 0)
			printf(" of %.0f (%.0f left until 00:00 UTC)", lim,
			       lim > used ? lim - used : 0);
		printf(", %.0f this minute", um);
		if (ml > 0)
			printf(" of %.0f", ml);
		printf("\n");
	}
	const cJSON *br = cJSON_GetObjectItem(root, "sofascore_breaker");
	const cJSON *left = cJSON_GetObjectItem(br, "open_seconds_left");
	if (cJSON_IsNumber(left) && left->valuedouble > 0)
		printf("data source circuit breaker: OPEN for %.0fs more (opened by %s: %s)\n",
		       left->valuedouble,
		       cJSON_GetStringValue(cJSON_GetObjectItem(br, "opened_by")),
		       cJSON_GetStringValue(cJSON_GetObjectItem(br, "reason")));
	else
		printf("data source circuit breaker: closed\n");
	const cJSON *ev = cJSON_GetObjectItem(root, "event");
	/* each video of the event: its state, where it is and until when */
	cJSON_ArrayForEach (it, cJSON_GetObjectItem(ev, "renders")) {
		const char *url = cJSON_GetStringValue(cJSON_GetObjectItem(it, "output_url"));
		const char *exp = cJSON_GetStringValue(cJSON_GetObjectItem(it, "expires_at"));
		const char *arc = cJSON_GetStringValue(cJSON_GetObjectItem(it, "archive_path"));
		const char *err = cJSON_GetStringValue(cJSON_GetObjectItem(it, "error"));
		printf("video %-22s %-9s attempt %.0f%s%s%s%s%s%s%s%s\n",
		       cJSON_GetStringValue(cJSON_GetObjectItem(it, "subject")),
		       cJSON_GetStringValue(cJSON_GetObjectItem(it, "state")),
		       cJSON_GetNumberValue(cJSON_GetObjectItem(it, "attempt")),
		       url != NULL ? " " : "", url != NULL ? url : "",
		       exp != NULL ? " expires " : "", exp != NULL ? exp : "",
		       arc != NULL ? " archived " : "", arc != NULL ? arc : "",
		       err != NULL ? " error: " : "", err != NULL ? err : "");
	}
	if (ev != NULL) {
		char *s = cJSON_Print(ev);
		printf("event\n%s\n", s);
		free(s);
	}
}

int cmd_status(const struct bf_config *c, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "event", required_argument, NULL, 'e' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct topology topo;
	struct broker *b = NULL;
	PGconn *db = NULL;
	bool json = false;
	int64_t event = 0;
	int ch;
	cJSON *root, *event_dead = cJSON_CreateArray();
	char evs[32];

	optind = 1;
	while ((ch = getopt_long(argc, argv, "je:h", longopts, NULL)) != -1) {
		char *end;
		switch (ch) {
		case 'j':
			json = true;
			break;
		case 'e':
			event = strtoll(optarg, &end, 10);
			if (*end != '\0' || event <= 0) {
				fprintf(stderr, "bfctl status: --event takes an event id\n");
				cJSON_Delete(event_dead);
				return 2;
			}
			break;
		default:
			fprintf(ch == 'h' ? stdout : stderr,
				"usage: bfctl status [--json] [--event ID]\n");
			cJSON_Delete(event_dead);
			return ch == 'h' ? 0 : 2;
		}
	}
	if (topo_build(&topo, c) != 0 || db_connect(&db, c->database_url, 3, &signals_stop) != 0 ||
	    bfctl_broker(c, NULL, &b) != 0) {
		log_err("status: cannot reach the broker or the database");
		PQfinish(db);
		cJSON_Delete(event_dead);
		return 1;
	}
	root = cJSON_CreateObject();
	{
		/* unacknowledged messages: only the management API knows them */
		struct mgmt *m = NULL;
		char merr[300];
		int mo = mgmt_open(&m, c, merr, sizeof(merr));
		if (mo < 0)
			log_warn("status: amqp.management_url: %s", merr);
		cJSON_AddItemToObject(root, "queues", queues_json(b, m, &topo, event, &event_dead));
		cJSON_AddStringToObject(root, "unacked_from",
					m != NULL ? mgmt_base(m)
						  : "not known (no amqp.management_url)");
		mgmt_close(m);
	}
	cJSON_AddItemToObject(
		root, "jobs",
		rows_json(
			db, "jobs by state",
			"SELECT kind, state, count(*) AS count FROM jobs GROUP BY 1, 2 ORDER BY 1, 2",
			0, NULL));
	cJSON_AddItemToObject(
		root, "renders",
		rows_json(
			db, "renders by state",
			"SELECT kind, state, count(*) AS count FROM renders GROUP BY 1, 2 ORDER BY 1, 2",
			0, NULL));
	{
		/* the request quota: counted today (UTC) and this minute, and the
		 * limits (ours, else the provider's headers) */
		bool af = strcmp(c->source_provider, "api-football") == 0;
		char dl[16], ml[16];
		const char *qp[2] = { dl, ml };
		snprintf(dl, sizeof(dl), "%d", af ? c->af_per_day : c->sofa_per_day);
		snprintf(ml, sizeof(ml), "%d", af ? c->af_per_minute : c->sofa_per_minute);
		cJSON *rq = rows_json(
			db, "requests",
			"SELECT CASE WHEN day = (now() AT TIME ZONE 'UTC')::date THEN used_day ELSE 0"
			" END AS used_today, COALESCE(NULLIF($1::int, 0), day_limit_seen, 0) AS day_limit,"
			" CASE WHEN minute = date_trunc('minute', clock_timestamp()) THEN used_minute"
			" ELSE 0 END AS used_minute,"
			" COALESCE(NULLIF($2::int, 0), minute_limit_seen, 0) AS minute_limit"
			" FROM sofascore_budget WHERE id = 1",
			2, qp);
		cJSON *row = cJSON_DetachItemFromArray(rq, 0);
		cJSON_Delete(rq);
		if (row != NULL) {
			cJSON_AddStringToObject(row, "provider", c->source_provider);
			cJSON_AddItemToObject(root, "requests", row);
		}
	}
	/* the producers seen in the last 10 minutes, and whether the active
	 * one's lock is held now (a row that says active without it: gone) */
	cJSON_AddItemToObject(
		root, "producers",
		rows_json(db, "producers",
			  "SELECT name, role, started_at::text,"
			  " EXTRACT(EPOCH FROM now() - seen_at)::int AS seen_seconds_ago,"
			  " last_cycle_at::text,"
			  " EXTRACT(EPOCH FROM now() - last_cycle_at)::int AS last_cycle_seconds_ago"
			  " FROM producers WHERE seen_at > now() - interval '10 minutes'"
			  " ORDER BY role, name",
			  0, NULL));
	cJSON *lk = rows_json(
		db, "producer lock",
		"SELECT count(*) > 0 AS held FROM pg_locks WHERE locktype = 'advisory'"
		" AND granted AND classid = 0 AND objsubid = 1 AND objid = " DB_PRODUCER_LOCK_KEY,
		0, NULL);
	cJSON_AddBoolToObject(root, "active_producer_lock_held",
			      cJSON_IsTrue(cJSON_GetObjectItem(cJSON_GetArrayItem(lk, 0), "held")));
	cJSON_Delete(lk);
	cJSON *br = rows_json(
		db, "breaker",
		"SELECT GREATEST(0, EXTRACT(EPOCH FROM open_until - now()))::int AS open_seconds_left,"
		" reason, opened_by, opened_at::text FROM sofascore_breaker WHERE id = 1",
		0, NULL);
	cJSON *brow = cJSON_DetachItemFromArray(br, 0);
	cJSON_AddItemToObject(root, "sofascore_breaker",
			      brow != NULL ? brow : cJSON_CreateObject());
	cJSON_Delete(br);
	if (event != 0) {
		const char *p[1] = { evs };
		cJSON *e = cJSON_AddObjectToObject(root, "event");
		snprintf(evs, sizeof(evs), "%" PRId64, event);
		cJSON *row = rows_json(
			db, "event",
			"SELECT id, home_name, away_name, start_time::text, status_code, status_type,"
			" home_score, away_score, result_stored_at::text FROM events WHERE id = $1::bigint",
			1, p);
		cJSON *erow = cJSON_DetachItemFromArray(row, 0);
		cJSON_AddItemToObject(e, "event", erow != NULL ? erow : cJSON_CreateNull());
		cJSON_Delete(row);
		cJSON_AddItemToObject(
			e, "jobs",
			rows_json(
				db, "event jobs",
				"SELECT kind, subject, state, attempts, last_error, created_at::text,"
				" finished_at::text FROM jobs WHERE event_id = $1::bigint ORDER BY id",
				1, p));
		cJSON_AddItemToObject(
			e, "renders",
			rows_json(
				db, "event renders",
				"SELECT kind, subject, state, plainly_render_id, plainly_state, error,"
				" output_url, expires_at::text, finished_at::text, attempt, archive_path,"
				" archive_sha256, archive_bytes, updated_at::text FROM renders"
				" WHERE subject IN ('line-up:' || $1, 'result:' || $1) ORDER BY id",
				1, p));
		cJSON_AddItemToObject(
			e, "render_attempts",
			rows_json(db, "event render attempts",
				  "SELECT kind, subject, attempt, plainly_render_id, state, error,"
				  " output_url, finished_at::text FROM render_attempts"
				  " WHERE subject IN ('line-up:' || $1, 'result:' || $1)"
				  " ORDER BY subject, attempt",
				  1, p));
		cJSON_AddItemToObject(e, "dead_letters", event_dead);
		event_dead = NULL;
	}
	if (json) {
		char *s = cJSON_Print(root);
		printf("%s\n", s);
		free(s);
	} else {
		print_text(root);
	}
	cJSON_Delete(root);
	cJSON_Delete(event_dead);
	broker_close(b);
	PQfinish(db);
	return 0;
}
