/*
 * bin/bfctl against the real RabbitMQ and PostgreSQL of ops/dev/services:
 * replay (filters, dry run, attempt reset, order of what stays, a
 * connection dropped mid-replay), a replayed message whose job is done,
 * status --json against a known state, definitions import == declare,
 * migrate and the command line; dead list/show/discard (nothing else moves,
 * the order stays, a terminal is asked), wait flush (attempt unchanged,
 * then consumed), definitions --vhost imported as it is, topology declare
 * setting the policies through the management API (and that API for
 * bfctl status; the dead queues' retention acting on quorum queues), and
 * what the broker does with x-delivery-limit as argument and policy.
 *
 * Each case has its own world (tests/support/world.h: vhost and database)
 * and runs bfctl as a child with BF_AMQP_URL / BF_DATABASE_URL set to its
 * world's; its stdout goes to var/test/<world>-<tag>.out, its stderr to
 * var/log/<world>-<tag>.err.  Every case cleans up its processes, fakes and
 * world even when a check fails.
 * `test_bfctl WORD` runs only the cases whose name contains WORD.
 *
 * Order on quorum queues (RabbitMQ 3.10): a message returned with
 * basic.nack(requeue) goes to the TAIL of the queue, not back to its place.
 * Reading every message and returning them all in order therefore keeps the
 * order (bfctl replay, and read_queue() here); peeking at the head and
 * returning it rotates the queue by one.
 *
 * The management API lists a new connection only with its next statistics
 * round (up to ~5 s here), so the mid-replay case may need 5000 messages to
 * keep the replay busy long enough to be interrupted.
 */
#define _XOPEN_SOURCE 700 /* posix_openpt */
#include <amqp.h>
#include <amqp_tcp_socket.h>
#include <cjson/cJSON.h>
#include <curl/curl.h>
#include <fcntl.h>
#include <inttypes.h>
#include <regex.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "lib/db.h"
#include "lib/log.h"
#include "lib/signals.h"
#include "protocol/broker.h"
#include "protocol/broker_mgmt.h"
#include "protocol/message.h"
#include "protocol/topology.h"
#include "tests/support/query.h"
#include "tests/support/t.h"
#include "tests/support/testenv.h"
#include "tests/support/world.h"

#define API_KEY "testkey"
#define REPLAY_SCENARIO "tests/data/scenarios/bfctl-replay"
#define REPLAY_EVENT 9100001LL /* the route of tests/data/scenarios/bfctl-replay */

/* ---- small helpers ------------------------------------------------------- */

static cJSON *mgmt_json(const char *path, long *status)
{
	char *body = NULL;
	cJSON *j;

	*status = tenv_mgmt("GET", path, NULL, &body);
	j = cJSON_Parse(body != NULL ? body : "");
	free(body);
	return j;
}

/* Member k of o as a string; NULL (not "") when absent or not a string. */
static const char *jstr_null(const cJSON *o, const char *k)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* ---- child processes with the world's URLs ---------------------------------- */

/* The path of program prog: bin/, or $BF_TEST_BIN (another build's) as
 * world_start has it. */
static void prog_path(const char *prog, char *buf, size_t n)
{
	const char *dir = getenv("BF_TEST_BIN");

	if (dir != NULL && dir[0] != '\0')
		snprintf(buf, n, "%s%s%s/%s", dir[0] == '/' ? "" : tenv_root(),
			 dir[0] == '/' ? "" : "/", dir, prog);
	else
		snprintf(buf, n, "%s/bin/%s", tenv_root(), prog);
}

/* Starts bfctl ARGS with the world's URLs and set ("NAME=value", may be
 * NULL); stdout into out (var/test/<world>-<tag>.out), stderr into
 * var/log/<world>-<tag>.err.  The pid, or -1. */
static pid_t bfctl_start(struct world *w, const char *tag, const char *const *args,
			 const char *const *set, char *out, size_t outn)
{
	char bin[512], err[700];
	const char *argv[24];
	int n = 0;

	prog_path("bfctl", bin, sizeof(bin));
	snprintf(out, outn, "%s/var/test/%s-%s.out", tenv_root(), w->name, tag);
	snprintf(err, sizeof(err), "%s/var/log/%s-%s.err", tenv_root(), w->name, tag);
	unlink(err);
	argv[n++] = bin;
	for (size_t i = 0; args[i] != NULL && n < 23; i++)
		argv[n++] = args[i];
	argv[n] = NULL;
	return world_spawn(w, (char *const *)argv, true, set, err, out);
}

/* bfctl_start, then its exit status, or -1 on timeout. */
static int bfctl_run_env(struct world *w, const char *tag, const char *const *args,
			 const char *const *set, char *out, size_t outn, int timeout_ms)
{
	pid_t pid = bfctl_start(w, tag, args, set, out, outn);

	if (pid < 0)
		return -1;
	return world_reap(w, pid, timeout_ms, NULL);
}

/*
 * Runs bfctl ARGS (args: NULL-terminated, starting with "-c") with the
 * world's URLs; stdout into out (var/test/<world>-<tag>.out).  Exit status,
 * or -1 on timeout.  Its stdin is not a terminal (main() sees to it).
 */
static int bfctl_run(struct world *w, const char *tag, const char *const *args, char *out,
		     size_t outn, int timeout_ms)
{
	return bfctl_run_env(w, tag, args, NULL, out, outn, timeout_ms);
}

/* var/log/<world>-<tag>.err of a bfctl_run */
static char *bfctl_err(const struct world *w, const char *tag)
{
	char err[700];

	snprintf(err, sizeof(err), "%s/var/log/%s-%s.err", tenv_root(), w->name, tag);
	return tenv_slurp(err, NULL);
}

/* ---- worlds -------------------------------------------------------------- */

/* A world whose programs get -c /dev/null (built-in defaults and the
 * world's URLs). */
static int world_create(struct world *w, const char *tag)
{
	static const struct world_opts o = { .prefix = "t-ctl" };

	if (world_open(w, tag, &o) != 0)
		return -1;
	snprintf(w->conf, sizeof(w->conf), "/dev/null");
	return 0;
}

/* ---- messages ------------------------------------------------------------ */

/* A dead letter exactly as consumers/consumer.c publishes one: exchange
 * bf.dead, routing key = type, same body and identity, x-bf-reason,
 * x-bf-error, x-bf-attempt. */
static int publish_dead(struct world *w, enum msg_type type, const char *body, const char *mid,
			const char *reason, const char *error, int attempt, uint64_t first)
{
	struct broker_msg bm = {
		.exchange = TOPO_DEAD_EXCHANGE,
		.routing_key = msg_type_name(type),
		.body = body,
		.len = strlen(body),
		.message_id = mid,
		.type = msg_type_name(type),
		.app_id = type == MSG_LINEUP ? "bf-lineups" : "bf-results",
		.attempt = attempt,
		.first_published = first,
		.reason = reason,
		.error = error,
	};

	return broker_publish(w->b, &bm);
}

static int publish_work(struct world *w, enum msg_type type, int64_t event_id)
{
	struct work_msg m = { .type = type, .event_id = event_id };

	return world_publish(w, &m, "bf-producer");
}

/* Depth once it stopped changing for quiet_ms. */
static long depth_stable(struct world *w, const char *queue, int quiet_ms, int timeout_ms)
{
	long long end = tenv_now_ms() + timeout_ms, since = tenv_now_ms();
	long last = broker_queue_depth(w->b, queue);

	while (tenv_now_ms() < end) {
		tenv_sleep_ms(50);
		long d = broker_queue_depth(w->b, queue);
		if (d != last) {
			last = d;
			since = tenv_now_ms();
		} else if (tenv_now_ms() - since >= quiet_ms) {
			break;
		}
	}
	return last;
}

/*
 * basic.get every message of queue into d[] (at most max), in queue order.
 * ack: settle each; otherwise all are held and then returned in order with
 * nack(requeue), as bfctl replay does (returned messages go to the tail of
 * a quorum queue: returning all of them in order keeps the order).
 * Returns how many.
 */
static int read_queue(struct world *w, const char *queue, struct broker_delivery *d, int max,
		      bool ack)
{
	int n = 0;

	while (n < max) {
		int g = broker_get(w->b, queue, &d[n]);
		if (g != 1) {
			if (g < 0)
				printf("#   basic.get on %s failed\n", queue);
			break;
		}
		if (ack && broker_ack(w->b, &d[n]) != 0)
			printf("#   ack on %s failed\n", queue);
		n++;
	}
	if (!ack)
		for (int i = 0; i < n; i++)
			if (broker_nack(w->b, &d[i], true) != 0)
				printf("#   nack on %s failed\n", queue);
	return n;
}

/*
 * Every message of queue through a consumer of its own (basic.get costs a
 * Raft round on a quorum queue: too slow for thousands), until want have
 * come and then 300 ms of quiet, or 2 s of quiet.  ack: settle them;
 * otherwise the consumer's connection is closed with all of them unacked,
 * so the broker puts them back (in no promised order).  Returns how many.
 */
static int consume_all(struct world *w, const char *queue, struct broker_delivery *d, int max,
		       long want, bool ack)
{
	struct broker *c = NULL;
	struct broker_opts o = {
		.urls = w->amqp,
		.conn_name = "test_bfctl-reader",
		.heartbeat = 30,
		.op_timeout = 20,
		.confirm_window = 100,
		.stop = &signals_stop,
		.max_connect_tries = 3,
	};
	long long quiet_since = tenv_now_ms();
	int n = 0;

	if (broker_open(&c, &o) != 0 || broker_consume(c, queue, 5000, "test_bfctl") != 0) {
		printf("#   cannot consume %s\n", queue);
		broker_close(c);
		return 0;
	}
	while (n < max) {
		int r = broker_next(c, &d[n], 100);
		if (r == 1) {
			if (ack && broker_ack(c, &d[n]) != 0)
				printf("#   ack on %s failed\n", queue);
			n++;
			quiet_since = tenv_now_ms();
			continue;
		}
		if (r < 0) {
			printf("#   consumer of %s lost its connection after %d\n", queue, n);
			break;
		}
		long long quiet = tenv_now_ms() - quiet_since;
		if ((n >= want && quiet >= 300) || quiet >= 2000)
			break;
	}
	broker_close(c);
	return n;
}

static void free_deliveries(struct broker_delivery *d, int n)
{
	for (int i = 0; i < n; i++)
		broker_delivery_free(&d[i]);
}

/* "a, b, c" of the message ids */
static void ids_text(const struct broker_delivery *d, int n, char *buf, size_t len)
{
	size_t o = 0;

	buf[0] = '\0';
	for (int i = 0; i < n && o < len; i++)
		o += (size_t)snprintf(buf + o, len - o, "%s%s", i ? ", " : "", d[i].message_id);
}

/* ==== 1. replay filters ========================================================= */

struct dl {
	const char *mid, *body, *reason, *error, *event_col;
	int attempt;
	uint64_t first;
};

static struct dl dls[6] = {
	{ "line-up:8101", "{\"event_id\":8101,\"processing_type\":\"line-up\"}",
	  "attempts-exhausted", "61 attempts; last: line-ups not confirmed yet", "8101", 61, 0 },
	{ "line-up:8102", "{\"event_id\":8102,\"processing_type\":\"line-up\"}", "plainly-rejected",
	  "Plainly rejected the request: TEMPLATE_DOES_NOT_EXIST: Template tpl-x does not exist",
	  "8102", 0, 0 },
	{ "bad-8103", "{\"event_id\":\"8103\",\"processing_type\":\"line-up\"}", "poison",
	  "event_id: must be a positive integer", "(poison)", 0, 0 },
	{ "line-up:8104", "{\"event_id\":8104,\"processing_type\":\"line-up\"}",
	  "attempts-exhausted", "61 attempts; last: Plainly HTTP 500", "8104", 61, 0 },
	{ "line-up:8105", "{\"event_id\":8105,\"processing_type\":\"line-up\"}", "plainly-rejected",
	  "Plainly render INVALID: RENDER_PARAMETERS_INVALID: Mandatory parameter homeName is missing",
	  "8105", 2, 0 },
	{ "line-up:8106", "{\"event_id\":8106,\"processing_type\":\"line-up\"}",
	  "attempts-exhausted", "61 attempts; last: sofascore-transient", "8106", 61, 0 },
};

static const struct dl *dl_by_mid(const char *mid)
{
	for (size_t i = 0; i < 6; i++)
		if (strcmp(dls[i].mid, mid) == 0)
			return &dls[i];
	return NULL;
}

/* bf.line-up must now hold exactly the moved messages want[] (in that
 * order), each with attempt 0, x-bf-replayed-at, no x-bf-reason/x-bf-error,
 * the same message_id, body and first-published time. */
static void check_moved(struct world *w, const char *step, const int *want, int nwant,
			uint64_t t_before)
{
	struct broker_delivery d[16];
	char got[512];
	int n;
	uint64_t t_after;

	world_depth(w, "bf.line-up", nwant, 3000);
	n = read_queue(w, "bf.line-up", d, 16, true);
	t_after = (uint64_t)time(NULL);
	ids_text(d, n, got, sizeof(got));
	printf("#   %s: bf.line-up received [%s]\n", step, got);
	if (n != nwant)
		t_fail(__FILE__, __LINE__, "%s: %d messages in bf.line-up, want %d", step, n,
		       nwant);
	for (int i = 0; i < n && i < nwant; i++) {
		const struct dl *x = &dls[want[i]];
		CHECK_STR(d[i].message_id, x->mid);
		if (d[i].len != strlen(x->body) || memcmp(d[i].body, x->body, d[i].len) != 0)
			t_fail(__FILE__, __LINE__, "%s: body of %s changed: %s", step, x->mid,
			       d[i].body);
		CHECK(d[i].has_attempt);
		CHECK_INT(d[i].attempt, 0);
		if (d[i].replayed_at < t_before || d[i].replayed_at > t_after)
			t_fail(__FILE__, __LINE__,
			       "%s: %s x-bf-replayed-at=%" PRIu64 " not in [%" PRIu64 ", %" PRIu64
			       "]",
			       step, x->mid, d[i].replayed_at, t_before, t_after);
		CHECK_STR(d[i].reason, "");
		CHECK_STR(d[i].error, "");
		CHECK(d[i].first_published == x->first);
		CHECK_STR(d[i].type, "line-up");
		CHECK_STR(d[i].routing_key, "line-up");
		CHECK_STR(d[i].exchange, TOPO_WORK_EXCHANGE);
		CHECK_STR(d[i].content_type, "application/json");
	}
	free_deliveries(d, n);
}

/* bf.line-up.dead holds exactly want[] in that order (read, then returned). */
static void check_dead_order(struct world *w, const char *step, const int *want, int nwant,
			     bool consume)
{
	struct broker_delivery d[16];
	char got[512], exp[512];
	size_t o = 0;
	int n;

	exp[0] = '\0';
	for (int i = 0; i < nwant; i++)
		o += (size_t)snprintf(exp + o, sizeof(exp) - o, "%s%s", i ? ", " : "",
				      dls[want[i]].mid);
	world_depth(w, "bf.line-up.dead", nwant, 3000);
	n = read_queue(w, "bf.line-up.dead", d, 16, consume);
	ids_text(d, n, got, sizeof(got));
	printf("#   %s: bf.line-up.dead holds [%s]\n", step, got);
	if (strcmp(got, exp) != 0)
		t_fail(__FILE__, __LINE__, "%s: bf.line-up.dead holds [%s], want [%s] (in order)",
		       step, got, exp);
	/* what stays keeps its dead-letter headers */
	for (int i = 0; i < n; i++) {
		const struct dl *x = dl_by_mid(d[i].message_id);
		if (x == NULL)
			continue;
		CHECK_STR(d[i].reason, x->reason);
		CHECK_STR(d[i].error, x->error);
		CHECK_INT(d[i].attempt, x->attempt);
	}
	free_deliveries(d, n);
	if (!consume)
		world_depth(w, "bf.line-up.dead", n, 3000);
}

/* The output line of the event column ev (first token), or NULL. */
static const char *out_line(const char *text, const char *ev, char *line, size_t n)
{
	for (const char *p = text; p != NULL && *p != '\0';) {
		const char *e = strchr(p, '\n');
		size_t len = e ? (size_t)(e - p) : strlen(p);
		char first[64];
		snprintf(line, n, "%.*s", (int)len, p);
		if (sscanf(line, "%63s", first) == 1 && strcmp(first, ev) == 0)
			return line;
		p = e ? e + 1 : NULL;
	}
	return NULL;
}

static void replay_body(struct world *w)
{
	char out[700], *text;
	uint64_t now = (uint64_t)time(NULL), t0;
	int st;

	REQUIRE(world_broker(w, "test_bfctl") == 0);
	for (int i = 0; i < 6; i++) {
		dls[i].first = now - (uint64_t)(i + 2) * 3600 - 100; /* ages 2h .. 7h */
		REQUIRE(publish_dead(w, MSG_LINEUP, dls[i].body, dls[i].mid, dls[i].reason,
				     dls[i].error, dls[i].attempt, dls[i].first) == 0);
	}
	REQUIRE(broker_flush(w->b, 10000) == 0);
	REQUIRE(world_depth(w, "bf.line-up.dead", 6, 3000) == 6);

	/* --dry-run: lists all six (event, reason, age, error), moves nothing */
	const char *dry[] = { "-c", w->conf, "replay", "--type", "line-up", "--dry-run", NULL };
	st = bfctl_run(w, "dry", dry, out, sizeof(out), 20000);
	CHECK_INT(st, 0);
	text = tenv_slurp(out, NULL);
	REQUIRE(text != NULL);
	printf("#   dry run output:\n");
	for (char *p = text, *e; p != NULL && *p != '\0'; p = e ? e + 1 : NULL) {
		e = strchr(p, '\n');
		printf("#     %.*s\n", (int)(e ? e - p : (long)strlen(p)), p);
	}
	for (int i = 0; i < 6; i++) {
		char line[512], ev[64], reason[64], age[16], want_age[16];
		int pos = 0;
		if (out_line(text, dls[i].event_col, line, sizeof(line)) == NULL) {
			t_fail(__FILE__, __LINE__, "dry run does not list %s", dls[i].mid);
			continue;
		}
		snprintf(want_age, sizeof(want_age), "%dh", i + 2);
		if (sscanf(line, "%63s %63s %15s %n", ev, reason, age, &pos) != 3) {
			t_fail(__FILE__, __LINE__, "dry run line unreadable: %s", line);
			continue;
		}
		CHECK_STR(reason, dls[i].reason);
		CHECK_STR(age, want_age);
		CHECK_STR(line + pos, dls[i].error);
	}
	CHECK(strstr(text, "6 of 6 messages in bf.line-up.dead would move") != NULL);
	free(text);
	CHECK_INT(world_depth(w, "bf.line-up.dead", 6, 3000), 6);
	CHECK_INT(broker_queue_depth(w->b, "bf.line-up"), 0);
	static const int all6[] = { 0, 1, 2, 3, 4, 5 };
	check_dead_order(w, "after --dry-run", all6, 6, false);

	/* --reason plainly-rejected: 8102 and 8105 move */
	const char *byreason[] = { "-c",      w->conf,	  "replay",	      "--type",
				   "line-up", "--reason", "plainly-rejected", NULL };
	t0 = (uint64_t)time(NULL);
	st = bfctl_run(w, "reason", byreason, out, sizeof(out), 20000);
	CHECK_INT(st, 0);
	text = tenv_slurp(out, NULL);
	CHECK(text != NULL &&
	      strstr(text, "2 of 6 messages moved from bf.line-up.dead to bf.work") != NULL);
	if (text != NULL)
		printf("#   --reason: %s", text);
	free(text);
	static const int moved_r[] = { 1, 4 }, left_r[] = { 0, 2, 3, 5 };
	check_moved(w, "--reason plainly-rejected", moved_r, 2, t0);
	check_dead_order(w, "after --reason", left_r, 4, false);

	/* --event 8104: only that one */
	const char *byevent[] = { "-c",	     w->conf,	"replay", "--type",
				  "line-up", "--event", "8104",	  NULL };
	t0 = (uint64_t)time(NULL);
	st = bfctl_run(w, "event", byevent, out, sizeof(out), 20000);
	CHECK_INT(st, 0);
	text = tenv_slurp(out, NULL);
	CHECK(text != NULL && strstr(text, "1 of 4 messages moved") != NULL);
	if (text != NULL)
		printf("#   --event: %s", text);
	free(text);
	static const int moved_e[] = { 3 }, left_e[] = { 0, 2, 5 };
	check_moved(w, "--event 8104", moved_e, 1, t0);
	check_dead_order(w, "after --event", left_e, 3, false);

	/* --limit 1: the first one (the oldest in the queue) */
	const char *bylimit[] = {
		"-c", w->conf, "replay", "--type", "line-up", "--limit", "1", NULL
	};
	t0 = (uint64_t)time(NULL);
	st = bfctl_run(w, "limit", bylimit, out, sizeof(out), 20000);
	CHECK_INT(st, 0);
	text = tenv_slurp(out, NULL);
	CHECK(text != NULL && strstr(text, "1 of 3 messages moved") != NULL);
	if (text != NULL)
		printf("#   --limit: %s", text);
	free(text);
	static const int moved_l[] = { 0 }, left_l[] = { 2, 5 };
	check_moved(w, "--limit 1", moved_l, 1, t0);
	/* the final read consumes them */
	check_dead_order(w, "after --limit", left_l, 2, true);
	CHECK_INT(world_depth(w, "bf.line-up.dead", 0, 3000), 0);
}

static void replay_filters_dry_run_attempt_reset_order_kept(void)
{
	struct world w;

	if (world_create(&w, "replay") == 0)
		replay_body(&w);
	else
		t_fail(__FILE__, __LINE__, "world");
	world_close(&w);
}

/* ==== 2. a replayed message whose job is done is not rendered again =========== */

/* The event of REPLAY_SCENARIO in w's database (kick-off in an hour), the
 * render Plainly accepted for its line-up, and its line-up job in state
 * (with attempts).  0 or -1. */
static int insert_replay_event(struct world *w, const char *state, int attempts)
{
	char ev[32], subject[64], att[16];

	snprintf(ev, sizeof(ev), "%lld", REPLAY_EVENT);
	snprintf(subject, sizeof(subject), "line-up:%lld", REPLAY_EVENT);
	snprintf(att, sizeof(att), "%d", attempts);
	const char *pe[1] = { ev };
	const char *pr[1] = { subject };
	const char *pj[4] = { subject, ev, state, att };
	if (sql_cmd(w->db,
		    "INSERT INTO events (id, unique_tournament_id, tournament_name, season_id,"
		    " season_name, round, home_team_id, away_team_id, home_name, away_name,"
		    " start_time, status_code, status_type) VALUES ($1::bigint, 17,"
		    " 'Premier League', 76986, 'Premier League 25/26', 12, 35, 42,"
		    " 'Manchester United', 'Arsenal', now() + interval '1 hour', 0, 'notstarted')",
		    1, pe) != 0 ||
	    sql_cmd(w->db,
		    "INSERT INTO renders (kind, subject, state, plainly_render_id, plainly_state)"
		    " VALUES ('line-up', $1, 'submitted', 'c0ffee00-0000-4000-8000-000000000001',"
		    " 'PENDING')",
		    1, pr) != 0)
		return -1;
	return sql_cmd(w->db,
		       "INSERT INTO jobs (kind, subject, event_id, state, attempts, finished_at)"
		       " VALUES ('line-up', $1, $2::bigint, $3, $4::int,"
		       " CASE WHEN $3 = 'done' THEN now() END)",
		       4, pj);
}

static void done_body(struct world *w)
{
	char out[700], logf[700], bin[512], ev[32], subject[64], state[64];
	static const char *const set[] = { "BF_PLAINLY_API_KEY=" API_KEY, NULL };
	static const struct world_opts fakes = { .scenario = REPLAY_SCENARIO, .plainly = true };
	pid_t pid;
	int st;

	snprintf(ev, sizeof(ev), "%lld", REPLAY_EVENT);
	snprintf(subject, sizeof(subject), "line-up:%lld", REPLAY_EVENT);
	REQUIRE(world_fakes(w, &fakes) == 0);
	REQUIRE(world_conf(w, NULL) == 0);
	REQUIRE(world_broker(w, "test_bfctl") == 0);

	/* the event (kick-off in an hour), its rendered video and its finished job */
	REQUIRE(insert_replay_event(w, "done", 0) == 0);

	/* its message in the dead queue (say a duplicate that Plainly then refused) */
	char body[128];
	snprintf(body, sizeof(body), "{\"event_id\":%lld,\"processing_type\":\"line-up\"}",
		 REPLAY_EVENT);
	REQUIRE(publish_dead(w, MSG_LINEUP, body, subject, "plainly-rejected",
			     "Plainly rejected the request: 400", 0,
			     (uint64_t)time(NULL) - 600) == 0);
	REQUIRE(broker_flush(w->b, 10000) == 0);
	REQUIRE(world_depth(w, "bf.line-up.dead", 1, 3000) == 1);

	const char *replay[] = { "-c", w->conf, "replay", "--type", "line-up", NULL };
	st = bfctl_run(w, "replay", replay, out, sizeof(out), 20000);
	CHECK_INT(st, 0);
	char *text = tenv_slurp(out, NULL);
	CHECK(text != NULL && strstr(text, "1 of 1 messages moved") != NULL);
	free(text);

	/* bf-lineups takes it: the render is recorded, so no POST */
	prog_path("bf-lineups", bin, sizeof(bin));
	world_log(w, "lineups", logf, sizeof(logf));
	snprintf(out, sizeof(out), "%s/var/test/%s-lineups.out", tenv_root(), w->name);
	unlink(logf);
	char *argv[] = { bin, "-c", w->conf, "--idle-exit", "3", NULL };
	pid = world_spawn(w, argv, true, set, logf, out);
	REQUIRE(pid > 0);
	st = world_reap(w, pid, 25000, NULL);
	CHECK_INT(st, 0);

	/* the consumer did take the message (it asked Sofascore) ... */
	char route[64];
	snprintf(route, sizeof(route), "/event/%lld/lineups", REPLAY_EVENT);
	CHECK_INT(tenv_count_lines(w->sofa_log, route), 1);
	CHECK(tenv_count_lines(logf, "render already submitted") >= 1);
	/* ... and rendered nothing */
	CHECK_INT(tenv_count_lines(w->record, "\"POST\""), 0);
	CHECK_INT(tenv_count_lines(w->record, "/renders"), 0);
	sql_text(w->db, "SELECT state FROM jobs WHERE kind = 'line-up' AND subject = $1", subject,
		 state, sizeof(state));
	/* the render Plainly accepted is not a video yet: bf-renders follows it */
	CHECK_STR(state, "rendering");
	CHECK_INT(world_depth(w, "bf.render", 1, 5000), 1);
	sql_text(w->db, "SELECT state FROM renders WHERE kind = 'line-up' AND subject = $1",
		 subject, state, sizeof(state));
	CHECK_STR(state, "submitted");
	CHECK_INT(sql_long(w->db, "SELECT count(*) FROM renders", NULL), 1);
	world_check_queues_empty(w, "line-up");
}

static void replayed_done_job_is_not_rendered_again(void)
{
	struct world w;

	if (world_create(&w, "done") == 0)
		done_body(&w);
	else
		t_fail(__FILE__, __LINE__, "world");
	world_close(&w);
}

/* ==== 3. connection dropped mid-replay ========================================= */

/* Force-closes the bfctl connections of this world's vhost (only those);
 * returns how many were closed, *seen how many were listed. */
static int close_bfctl_connections(struct world *w, int *seen)
{
	long st;
	cJSON *list = mgmt_json("/api/connections?columns=name,vhost,client_properties", &st);
	const cJSON *c;
	int closed = 0;

	*seen = 0;
	cJSON_ArrayForEach (c, list) {
		const char *vh = jstr_null(c, "vhost"), *name = jstr_null(c, "name");
		const char *cn = jstr_null(cJSON_GetObjectItemCaseSensitive(c, "client_properties"),
					   "connection_name");
		if (vh == NULL || name == NULL || cn == NULL || strcmp(vh, w->name) != 0 ||
		    strncmp(cn, "bfctl@", 6) != 0)
			continue;
		(*seen)++;
		CURL *cu = curl_easy_init();
		char *esc = curl_easy_escape(cu, name, 0);
		char path[512];
		snprintf(path, sizeof(path), "/api/connections/%s", esc);
		curl_free(esc);
		curl_easy_cleanup(cu);
		if (tenv_mgmt("DELETE", path, NULL, NULL) / 100 == 2)
			closed++;
	}
	cJSON_Delete(list);
	return closed;
}

/* times each event id (base .. base+total-1) was seen in d[] */
static void count_ids(const struct broker_delivery *d, int n, int base, int total,
		      unsigned short *seen)
{
	for (int i = 0; i < n; i++) {
		struct work_msg m;
		char err[128];
		if (msg_decode(d[i].body, d[i].len, &m, err, sizeof(err)) == 0 &&
		    m.event_id >= base && m.event_id < base + total)
			seen[m.event_id - base]++;
		else
			printf("#   unexpected message %s\n", d[i].message_id);
	}
}

/*
 * One round: total dead letters in bf.result.dead, `bfctl replay --type
 * result`, and while it runs its connections force-closed through the
 * management API, again and again.  Then every message must be in
 * bf.result or bf.result.dead (or both), and a second replay must move the
 * rest.  Returns the number of connections closed (0: the replay was done
 * before one could be), or -1 when the round could not run.
 */
static int drop_round(struct world *w, int total, int base)
{
	char out[700], body[128], mid[64], tag[32];
	struct broker_delivery *dead = NULL, *res = NULL, *res2 = NULL;
	unsigned short *in_res = NULL, *in_dead = NULL, *in_res2 = NULL;
	int nres = 0, ndead = 0, nres2 = 0, closes = 0, rounds = 0, seen = 0;
	long long t0, first_seen = -1;
	long moved_at_close = -1;
	pid_t pid;
	int st = -1;

	for (int i = 0; i < total; i++) {
		snprintf(body, sizeof(body), "{\"event_id\":%d,\"processing_type\":\"result\"}",
			 base + i);
		snprintf(mid, sizeof(mid), "result:%d", base + i);
		if (publish_dead(w, MSG_RESULT, body, mid, "attempts-exhausted",
				 "11 attempts; last: Plainly HTTP 500", 11,
				 (uint64_t)time(NULL) - 60) != 0)
			return -1;
	}
	if (broker_flush(w->b, 30000) != 0 ||
	    world_depth(w, "bf.result.dead", total, 5000) != total) {
		printf("#   could not fill bf.result.dead with %d\n", total);
		return -1;
	}

	/* the replay, and while it runs, its connections closed by the broker */
	char bin[512], err[700];
	prog_path("bfctl", bin, sizeof(bin));
	snprintf(out, sizeof(out), "%s/var/test/%s-replay%d.out", tenv_root(), w->name, total);
	snprintf(err, sizeof(err), "%s/var/log/%s-replay%d.err", tenv_root(), w->name, total);
	unlink(err);
	char *argv[] = { bin, "-c", w->conf, "replay", "--type", "result", NULL };
	t0 = tenv_now_ms();
	pid = world_spawn(w, argv, true, NULL, err, out);
	if (pid <= 0)
		return -1;
	while (tenv_now_ms() - t0 < 40000) {
		st = tenv_wait(pid, 0);
		if (st >= 0)
			break;
		long moved = broker_queue_depth(w->b, "bf.result");
		if (moved < 10) { /* mid-replay: once some have moved */
			tenv_sleep_ms(5);
			continue;
		}
		int c = close_bfctl_connections(w, &seen);
		if (seen > 0 && first_seen < 0)
			first_seen = tenv_now_ms() - t0;
		if (c > 0 && moved_at_close < 0)
			moved_at_close = moved;
		closes += c;
		rounds++;
		tenv_sleep_ms(20);
	}
	world_untrack(w, pid);
	if (st < 0) {
		kill(pid, SIGKILL);
		tenv_wait(pid, 5000);
		t_fail(__FILE__, __LINE__, "bfctl replay still running after 40 s");
	}
	char *text = tenv_slurp(out, NULL), *etext = tenv_slurp(err, NULL);
	printf("#   replay of %d: exit %d after %lld ms; bfctl connections first listed by the"
	       " management API after %lld ms; %d force-closed (the first when %ld had moved),"
	       " %d listing rounds\n",
	       total, st, tenv_now_ms() - t0, first_seen, closes, moved_at_close, rounds);
	printf("#   bfctl stdout: %s", text != NULL && text[0] ? text : "(nothing)\n");
	if (etext != NULL)
		for (char *p = etext, *e; *p != '\0'; p = e + 1) {
			char line[512];
			e = strchr(p, '\n');
			if (e == NULL)
				break;
			snprintf(line, sizeof(line), "%.*s", (int)(e - p), p);
			if (strstr(line, " info ") == NULL)
				printf("#   bfctl stderr: %s\n", line);
		}

	/* every message is in bf.result or bf.result.dead (or both) */
	long dres = depth_stable(w, "bf.result", 300, 5000);
	long ddead = depth_stable(w, "bf.result.dead", 300, 5000);
	printf("#   after: bf.result %ld, bf.result.dead %ld\n", dres, ddead);
	int cap = total * 2 + 10;
	in_res = calloc((size_t)total, sizeof(*in_res));
	in_dead = calloc((size_t)total, sizeof(*in_dead));
	in_res2 = calloc((size_t)total, sizeof(*in_res2));
	res = calloc((size_t)cap, sizeof(*res));
	dead = calloc((size_t)cap, sizeof(*dead));
	res2 = calloc((size_t)cap, sizeof(*res2));
	if (in_res == NULL || in_dead == NULL || in_res2 == NULL || res == NULL || dead == NULL ||
	    res2 == NULL) {
		t_fail(__FILE__, __LINE__, "out of memory");
		goto out;
	}
	nres = consume_all(w, "bf.result", res, cap, dres, true);
	ndead = consume_all(w, "bf.result.dead", dead, cap, ddead, false); /* held, put back */
	count_ids(res, nres, base, total, in_res);
	count_ids(dead, ndead, base, total, in_dead);
	int missing = 0, both = 0, dup_res = 0, dup_dead = 0;
	for (int i = 0; i < total; i++) {
		if (in_res[i] == 0 && in_dead[i] == 0) {
			if (missing < 10)
				printf("#   missing: result:%d\n", base + i);
			missing++;
		}
		if (in_res[i] > 0 && in_dead[i] > 0)
			both++;
		if (in_res[i] > 1)
			dup_res += in_res[i] - 1;
		if (in_dead[i] > 1)
			dup_dead += in_dead[i] - 1;
	}
	printf("#   %d in bf.result, %d in bf.result.dead: %d missing; duplicates: %d in both"
	       " queues, %d extra copies in bf.result, %d in bf.result.dead\n",
	       nres, ndead, missing, both, dup_res, dup_dead);
	CHECK_INT(missing, 0);
	/* observation only: is what stayed behind still in its original order? */
	int inversions = 0;
	for (int i = 1; i < ndead; i++)
		if (strcmp(dead[i - 1].message_id, dead[i].message_id) > 0)
			inversions++;
	if (ndead > 0)
		printf("#   bf.result.dead after the drop: %s (first %s, last %s)\n",
		       inversions == 0 ? "in the original order" : "order changed",
		       dead[0].message_id, dead[ndead - 1].message_id);
	/* what the operator is told: a replay cut short must not report success */
	if (ndead > 0 && st == 0)
		t_fail(__FILE__, __LINE__,
		       "bfctl replay exited 0 although %d of %d messages were left in"
		       " bf.result.dead (its connection was closed); it printed: %s",
		       ndead, total, text != NULL ? text : "");

	/* a second replay works on what is left: nothing is stuck.  At most 200
	 * moved, and only after a small round: bfctl reads every dead letter
	 * with basic.get, a Raft round each on a quorum queue (seconds for
	 * thousands). */
	if (ndead > 600) {
		printf("#   (no second replay after the %d-message round: %d left)\n", total,
		       ndead);
		goto purge;
	}
	int limit = ndead < 200 ? ndead : 200;
	char lim[16];
	snprintf(lim, sizeof(lim), "%d", limit > 0 ? limit : 1);
	const char *again[] = { "-c", w->conf, "replay", "--type", "result", "--limit", lim, NULL };
	CHECK(world_depth(w, "bf.result.dead", ndead, 3000) == ndead);
	snprintf(tag, sizeof(tag), "again%d", total);
	st = bfctl_run(w, tag, again, out, sizeof(out), 40000);
	CHECK_INT(st, 0);
	CHECK_INT(world_depth(w, "bf.result.dead", ndead - limit, 3000), ndead - limit);
	world_depth(w, "bf.result", limit, 3000);
	nres2 = consume_all(w, "bf.result", res2, cap, limit, true);
	count_ids(res2, nres2, base, total, in_res2);
	int wrong = 0;
	for (int i = 0; i < total; i++)
		if (in_res2[i] > 0 && in_dead[i] == 0)
			wrong++; /* moved now, but was not in the dead queue */
	printf("#   second replay (--limit %d) moved %d; %d of them were not dead letters\n", limit,
	       nres2, wrong);
	CHECK_INT(nres2, limit);
	CHECK_INT(wrong, 0);
purge:
	/* empty for the next round */
	broker_purge(w->b, "bf.result.dead");
	world_depth(w, "bf.result.dead", 0, 3000);
out:
	free(text);
	free(etext);
	free_deliveries(res, nres);
	free_deliveries(dead, ndead);
	free_deliveries(res2, nres2);
	free(res);
	free(dead);
	free(res2);
	free(in_res);
	free(in_dead);
	free(in_res2);
	return closes;
}

static void connection_dropped_mid_replay_loses_nothing(void)
{
	struct world w;
	int closes = -1;

	if (world_create(&w, "drop") == 0 && world_broker(&w, "test_bfctl") == 0) {
		/* 500 first; the management API may list the connection too late
		 * to close it, then 5000 keep the replay busy long enough */
		closes = drop_round(&w, 500, 500000);
		if (closes == 0) {
			printf("#   500: the replay was done before its connection could be closed;"
			       " again with 5000\n");
			closes = drop_round(&w, 5000, 600000);
		}
		if (closes <= 0)
			t_fail(__FILE__, __LINE__,
			       "no bfctl connection could be closed mid-replay");
	} else {
		t_fail(__FILE__, __LINE__, "world");
	}
	world_close(&w);
}

/* ==== 4. status --json against a known state ==================================== */

static const cJSON *queue_of(const cJSON *root, const char *name)
{
	const cJSON *q;

	cJSON_ArrayForEach (q, cJSON_GetObjectItemCaseSensitive(root, "queues")) {
		const char *n = jstr_null(q, "name");
		if (n != NULL && strcmp(n, name) == 0)
			return q;
	}
	return NULL;
}

/* count of (kind, state) in an array of {kind, state, count}; -1 if absent */
static double count_of(const cJSON *arr, const char *kind, const char *state)
{
	const cJSON *it;

	cJSON_ArrayForEach (it, arr) {
		const char *k = jstr_null(it, "kind"), *s = jstr_null(it, "state");
		if (k != NULL && s != NULL && strcmp(k, kind) == 0 && strcmp(s, state) == 0)
			return jnum(it, "count");
	}
	return -1;
}

static cJSON *run_json(struct world *w, const char *tag, const char *const *args)
{
	char out[700];
	int st = bfctl_run(w, tag, args, out, sizeof(out), 20000);
	char *text = tenv_slurp(out, NULL);
	cJSON *j;

	if (st != 0)
		t_fail(__FILE__, __LINE__, "bfctl %s exited %d", tag, st);
	j = cJSON_Parse(text != NULL ? text : "");
	if (j == NULL)
		t_fail(__FILE__, __LINE__, "bfctl %s: not JSON: %.300s", tag, text ? text : "");
	free(text);
	return j;
}

/* bf.result.dead: result:8401 (attempts-exhausted, 2 h old), then
 * result:8402 (plainly-rejected, a minute old); emptied first. */
static int refill_result_dead(struct world *w, uint64_t now)
{
	if (broker_purge(w->b, "bf.result.dead") < 0 ||
	    world_depth(w, "bf.result.dead", 0, 3000) != 0)
		return -1;
	if (publish_dead(w, MSG_RESULT, "{\"event_id\":8401,\"processing_type\":\"result\"}",
			 "result:8401", "attempts-exhausted", "11 attempts; last: Plainly HTTP 503",
			 11, now - 7200) != 0 ||
	    publish_dead(w, MSG_RESULT, "{\"event_id\":8402,\"processing_type\":\"result\"}",
			 "result:8402", "plainly-rejected", "Plainly render INVALID", 0,
			 now - 60) != 0 ||
	    broker_flush(w->b, 10000) != 0)
		return -1;
	return world_depth(w, "bf.result.dead", 2, 3000) == 2 ? 0 : -1;
}

/* bf.result.dead holds result:8401 then result:8402 (read all, put back) */
static void check_result_dead_order(struct world *w, const char *step)
{
	struct broker_delivery d[4];
	char got[256];
	int n;

	world_depth(w, "bf.result.dead", 2, 3000);
	n = read_queue(w, "bf.result.dead", d, 4, false);
	ids_text(d, n, got, sizeof(got));
	printf("#   %s: bf.result.dead holds [%s]\n", step, got);
	if (strcmp(got, "result:8401, result:8402") != 0)
		t_fail(__FILE__, __LINE__,
		       "%s: bf.result.dead holds [%s], want [result:8401,"
		       " result:8402]: bfctl status changed the order of a dead queue",
		       step, got);
	free_deliveries(d, n);
	world_depth(w, "bf.result.dead", 2, 3000);
}

static void status_body(struct world *w)
{
	enum {
		EV = 8401
	};
	cJSON *root = NULL, *evj = NULL;
	char out[700];

	REQUIRE(world_broker(w, "test_bfctl") == 0);
	/* queues: 3 in bf.line-up, 2 in bf.result.dead (the oldest: attempts-exhausted) */
	for (int i = 0; i < 3; i++)
		REQUIRE(publish_work(w, MSG_LINEUP, 8300 + i) == 0);
	uint64_t now = (uint64_t)time(NULL);
	REQUIRE(broker_flush(w->b, 10000) == 0);
	REQUIRE(refill_result_dead(w, now) == 0);
	REQUIRE(world_depth(w, "bf.line-up", 3, 3000) == 3);

	/* the database: events, jobs, renders, the breaker */
	REQUIRE(sql_cmd(w->db,
			"INSERT INTO events (id, unique_tournament_id, season_id, round,"
			" home_team_id, away_team_id, home_name, away_name, start_time, status_code,"
			" status_type, home_score, away_score) VALUES (8401, 17, 76986, 12, 35, 42,"
			" 'Manchester United', 'Arsenal', now() - interval '3 hours', 100,"
			" 'finished', 2, 1)",
			0, NULL) == 0);
	REQUIRE(sql_cmd(w->db,
			"INSERT INTO jobs (kind, subject, event_id, state, attempts, last_error) VALUES"
			" ('line-up', 'line-up:8300', 8300, 'enqueued', 0, NULL),"
			" ('line-up', 'line-up:8301', 8301, 'enqueued', 2, NULL),"
			" ('line-up', 'line-up:8302', 8302, 'enqueued', 0, NULL),"
			" ('line-up', 'line-up:8401', 8401, 'done', 3, NULL),"
			" ('line-up', 'line-up:8299', 8299, 'expired', 40, NULL),"
			" ('result', 'result:8401', 8401, 'dead', 11, 'Plainly HTTP 503'),"
			" ('result', 'result:8402', 8402, 'dead', 0, 'Plainly render INVALID'),"
			" ('result', 'result:8200', 8200, 'done', 0, NULL),"
			" ('result', 'result:8201', 8201, 'done', 1, NULL),"
			" ('tournament-stats', 'tournament-stats:17:76986:11', NULL, 'done', 0, NULL)",
			0, NULL) == 0);
	REQUIRE(sql_cmd(w->db,
			"INSERT INTO renders (kind, subject, state, error) VALUES"
			" ('line-up', 'line-up:8401', 'submitted', NULL),"
			" ('result', 'result:8401', 'failed', 'Plainly HTTP 503'),"
			" ('result', 'result:8402', 'failed', 'render INVALID'),"
			" ('result', 'result:8200', 'submitted', NULL),"
			" ('result', 'result:8201', 'submitted', NULL),"
			" ('tournament-stats', 'tournament-stats:17:76986:11', 'dry-run', NULL)",
			0, NULL) == 0);
	REQUIRE(sql_cmd(w->db,
			"UPDATE sofascore_breaker SET open_until = now() + interval '10 minutes',"
			" opened_by = 'test', opened_at = now(), reason = 'challenge' WHERE id = 1",
			0, NULL) == 0);

	const char *json[] = { "-c", w->conf, "status", "--json", NULL };
	root = run_json(w, "status-json", json);
	REQUIRE(root != NULL);
	/* every queue of the topology, with its depth and consumers */
	REQUIRE(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(root, "queues")) ==
		(int)w->topo.nqueues);
	for (size_t i = 0; i < w->topo.nqueues; i++) {
		const char *name = w->topo.queues[i].name;
		const cJSON *q = queue_of(root, name);
		long want = strcmp(name, "bf.line-up") == 0	  ? 3
			    : strcmp(name, "bf.result.dead") == 0 ? 2
								  : 0;
		if (q == NULL) {
			t_fail(__FILE__, __LINE__, "status has no queue %s", name);
			continue;
		}
		if ((long)jnum(q, "messages") != want)
			t_fail(__FILE__, __LINE__, "%s: messages %.0f, want %ld", name,
			       jnum(q, "messages"), want);
		if ((long)jnum(q, "consumers") != 0)
			t_fail(__FILE__, __LINE__, "%s: consumers %.0f, want 0", name,
			       jnum(q, "consumers"));
		const cJSON *old = cJSON_GetObjectItemCaseSensitive(q, "oldest");
		if (strcmp(name, "bf.result.dead") == 0) {
			CHECK(old != NULL);
			CHECK_STR(jstr_null(old, "reason"), "attempts-exhausted");
			CHECK_STR(jstr_null(old, "message_id"), "result:8401");
			CHECK_STR(jstr_null(old, "error"), "11 attempts; last: Plainly HTTP 503");
			CHECK_INT((long)jnum(old, "event_id"), 8401);
			CHECK(jnum(old, "age_seconds") >= 7200 && jnum(old, "age_seconds") < 7260);
		} else if (old != NULL) {
			t_fail(__FILE__, __LINE__, "%s has an oldest dead letter", name);
		}
	}
	const cJSON *jobs = cJSON_GetObjectItemCaseSensitive(root, "jobs");
	CHECK_INT(cJSON_GetArraySize(jobs), 6);
	CHECK_INT((long)count_of(jobs, "line-up", "enqueued"), 3);
	CHECK_INT((long)count_of(jobs, "line-up", "done"), 1);
	CHECK_INT((long)count_of(jobs, "line-up", "expired"), 1);
	CHECK_INT((long)count_of(jobs, "result", "dead"), 2);
	CHECK_INT((long)count_of(jobs, "result", "done"), 2);
	CHECK_INT((long)count_of(jobs, "tournament-stats", "done"), 1);
	const cJSON *renders = cJSON_GetObjectItemCaseSensitive(root, "renders");
	CHECK_INT(cJSON_GetArraySize(renders), 4);
	CHECK_INT((long)count_of(renders, "line-up", "submitted"), 1);
	CHECK_INT((long)count_of(renders, "result", "failed"), 2);
	CHECK_INT((long)count_of(renders, "result", "submitted"), 2);
	CHECK_INT((long)count_of(renders, "tournament-stats", "dry-run"), 1);
	const cJSON *br = cJSON_GetObjectItemCaseSensitive(root, "sofascore_breaker");
	double left = jnum(br, "open_seconds_left");
	printf("#   breaker open_seconds_left=%.0f\n", left);
	CHECK(left >= 590 && left <= 600);
	CHECK_STR(jstr_null(br, "opened_by"), "test");
	/* status only looked: the queues hold what they held, in their order */
	CHECK_INT(world_depth(w, "bf.line-up", 3, 3000), 3);
	CHECK_INT(world_depth(w, "bf.result.dead", 2, 3000), 2);
	check_result_dead_order(w, "after status --json");
	/* so a second look shows the same oldest dead letter */
	cJSON *again = run_json(w, "status-json2", json);
	const cJSON *old2 =
		cJSON_GetObjectItemCaseSensitive(queue_of(again, "bf.result.dead"), "oldest");
	printf("#   second status --json: oldest of bf.result.dead is %s\n",
	       jstr_null(old2, "message_id") ? jstr_null(old2, "message_id") : "(none)");
	CHECK_STR(jstr_null(old2, "message_id"), "result:8401");
	CHECK_STR(jstr_null(old2, "reason"), "attempts-exhausted");
	cJSON_Delete(again);
	/* the next checks start again from the known order */
	REQUIRE(refill_result_dead(w, now) == 0);

	/* --event: that event's jobs, renders and dead letters */
	const char *evargs[] = { "-c", w->conf, "status", "--json", "--event", "8401", NULL };
	evj = run_json(w, "status-event", evargs);
	if (evj != NULL) {
		const cJSON *e = cJSON_GetObjectItemCaseSensitive(evj, "event");
		const cJSON *erow = cJSON_GetObjectItemCaseSensitive(e, "event");
		const cJSON *ejobs = cJSON_GetObjectItemCaseSensitive(e, "jobs");
		const cJSON *erend = cJSON_GetObjectItemCaseSensitive(e, "renders");
		const cJSON *edead = cJSON_GetObjectItemCaseSensitive(e, "dead_letters");
		CHECK(e != NULL);
		CHECK_INT((long)jnum(erow, "id"), EV);
		CHECK_STR(jstr_null(erow, "status_type"), "finished");
		CHECK_INT(cJSON_GetArraySize(ejobs), 2);
		const cJSON *it;
		int seen_lu = 0, seen_res = 0;
		cJSON_ArrayForEach (it, ejobs) {
			const char *k = jstr_null(it, "kind"), *s = jstr_null(it, "state");
			const char *sub = jstr_null(it, "subject");
			if (k && s && sub && strcmp(k, "line-up") == 0 && strcmp(s, "done") == 0 &&
			    strcmp(sub, "line-up:8401") == 0 && jnum(it, "attempts") == 3)
				seen_lu++;
			if (k && s && sub && strcmp(k, "result") == 0 && strcmp(s, "dead") == 0 &&
			    strcmp(sub, "result:8401") == 0 && jnum(it, "attempts") == 11)
				seen_res++;
		}
		CHECK_INT(seen_lu, 1);
		CHECK_INT(seen_res, 1);
		CHECK_INT(cJSON_GetArraySize(erend), 2);
		int r_lu = 0, r_res = 0;
		cJSON_ArrayForEach (it, erend) {
			const char *sub = jstr_null(it, "subject"), *s = jstr_null(it, "state");
			if (sub && s && strcmp(sub, "line-up:8401") == 0 &&
			    strcmp(s, "submitted") == 0)
				r_lu++;
			if (sub && s && strcmp(sub, "result:8401") == 0 && strcmp(s, "failed") == 0)
				r_res++;
		}
		CHECK_INT(r_lu, 1);
		CHECK_INT(r_res, 1);
		CHECK_INT(cJSON_GetArraySize(edead), 1);
		const cJSON *d0 = cJSON_GetArrayItem(edead, 0);
		CHECK_STR(jstr_null(d0, "message_id"), "result:8401");
		CHECK_INT((long)jnum(d0, "event_id"), EV);
		CHECK_STR(jstr_null(d0, "reason"), "attempts-exhausted");
	}
	check_result_dead_order(w, "after status --event");
	REQUIRE(refill_result_dead(w, now) == 0);

	/* the plain text says the breaker is OPEN */
	const char *plain[] = { "-c", w->conf, "status", NULL };
	CHECK_INT(bfctl_run(w, "status-text", plain, out, sizeof(out), 20000), 0);
	CHECK(tenv_count_lines(out, "OPEN") >= 1);
	CHECK_INT(tenv_count_lines(out, "oldest: result:8401 reason=attempts-exhausted"), 1);

	check_result_dead_order(w, "after status (text)");
	cJSON_Delete(root);
	cJSON_Delete(evj);
}

static void status_json_matches_known_state(void)
{
	struct world w;

	if (world_create(&w, "status") == 0)
		status_body(&w);
	else
		t_fail(__FILE__, __LINE__, "world");
	world_close(&w);
}

/* bfctl status with amqp.management_url: a delivery held unacked by a
 * consumer shows as unacked (the management API's statistics: waited for
 * with a deadline), the ready count stays AMQP's; without the URL it says
 * unacked is not known. The producers seen lately, with their role and
 * last cycle, and whether the active lock is held. */
static void status_unacked_body(struct world *w)
{
	volatile sig_atomic_t stop = 0;
	struct broker *holder = NULL;
	struct broker_delivery d;
	char murl[600], out[700];
	const char *mu = getenv("BF_MGMT_URL");
	const char *const json[] = { "-c", w->conf, "status", "--json", NULL };
	const char *const plain[] = { "-c", w->conf, "status", NULL };
	cJSON *root = NULL;

	REQUIRE(mu != NULL && world_broker(w, "test_bfctl") == 0);
	for (int i = 0; i < 3; i++)
		REQUIRE(publish_work(w, MSG_LINEUP, 8500 + i) == 0);
	REQUIRE(broker_flush(w->b, 10000) == 0);
	REQUIRE(world_depth(w, "bf.line-up", 3, 3000) == 3);
	struct broker_opts bo = broker_opts_from_config(&w->cfg, "test_bfctl holder", NULL, &stop);
	REQUIRE(broker_open(&holder, &bo) == 0);
	REQUIRE(broker_consume(holder, "bf.line-up", 1, "holder") == 0);
	REQUIRE(broker_next(holder, &d, 5000) == 1); /* held, not acked */
	REQUIRE(sql_cmd(w->db,
			"INSERT INTO producers (name, role, last_cycle_at) VALUES"
			" ('bf-producer@test-a:1', 'active', now() - interval '42 seconds'),"
			" ('bf-producer@test-b:2', 'standby', NULL),"
			" ('bf-producer@gone:3', 'standby', NULL)",
			0, NULL) == 0);
	REQUIRE(sql_cmd(w->db,
			"UPDATE producers SET seen_at = now() - interval '1 hour'"
			" WHERE name = 'bf-producer@gone:3'",
			0, NULL) == 0);

	snprintf(murl, sizeof(murl), "BF_AMQP_MANAGEMENT_URL=%s", mu);
	const char *const set[] = { murl, NULL };
	long long end = tenv_now_ms() + 30000;
	double unacked = -1, ready = -1;
	do {
		cJSON_Delete(root);
		root = NULL;
		if (bfctl_run_env(w, "status-mgmt", json, set, out, sizeof(out), 20000) != 0)
			break;
		char *text = tenv_slurp(out, NULL);
		root = cJSON_Parse(text != NULL ? text : "");
		free(text);
		const cJSON *q = queue_of(root, "bf.line-up");
		unacked = jnum(q, "unacked");
		ready = jnum(q, "messages");
		if (unacked != 1)
			tenv_sleep_ms(500);
	} while (unacked != 1 && tenv_now_ms() < end);
	CHECK(unacked == 1);
	CHECK(ready == 2);
	printf("#   bf.line-up: ready %.0f, unacked %.0f (%s)\n", ready, unacked,
	       jstr_null(root, "unacked_from"));
	const cJSON *prods = cJSON_GetObjectItem(root, "producers");
	CHECK_INT(cJSON_GetArraySize(prods), 2); /* gone:3 not seen for an hour */
	CHECK_STR(jstr_null(cJSON_GetArrayItem(prods, 0), "name"), "bf-producer@test-a:1");
	CHECK_STR(jstr_null(cJSON_GetArrayItem(prods, 0), "role"), "active");
	double ago = jnum(cJSON_GetArrayItem(prods, 0), "last_cycle_seconds_ago");
	CHECK(ago >= 42 && ago < 100);
	CHECK(cJSON_IsFalse(cJSON_GetObjectItem(root, "active_producer_lock_held")));
	cJSON_Delete(root);

	/* the text, without the management URL: unacked not known */
	CHECK_INT(bfctl_run(w, "status-plain", plain, out, sizeof(out), 20000), 0);
	CHECK_INT(tenv_count_lines(out, "unacked: not known (no amqp.management_url)"), 1);
	CHECK_INT(tenv_count_lines(out, "active lock NOT held"), 1);
	CHECK_INT(tenv_count_lines(out, "bf-producer@test-a:1"), 1);
	broker_delivery_free(&d);
	broker_close(holder);
}

static void status_unacked_and_producers(void)
{
	struct world w;

	if (world_create(&w, "stunack") == 0)
		status_unacked_body(&w);
	else
		t_fail(__FILE__, __LINE__, "world");
	world_close(&w);
}

/* status on a vhost where nothing is declared yet (a fresh vhost, a typo in
 * the configured vhost, other wait tiers): every queue says "missing", and
 * the passive declares' 404s cost no reconnect (they printed "broker
 * reconnected" once per queue, and -1 -1). */
static void status_missing_body(struct world *w)
{
	char out[700], err[800];
	const char *plain[] = { "-c", w->conf, "status", NULL };
	const char *json[] = { "-c", w->conf, "status", "--json", NULL };
	cJSON *root;
	size_t nq = 0;

	CHECK_INT(bfctl_run(w, "missing-text", plain, out, sizeof(out), 20000), 0);
	snprintf(err, sizeof(err), "%s/var/log/%s-missing-text.err", tenv_root(), w->name);
	CHECK_INT(tenv_count_lines(out, " missing"), 15);
	CHECK_INT(tenv_count_lines(out, "bf.line-up.wait.5m"), 1);
	CHECK_INT(tenv_count_lines(out, "-1"), 0);
	CHECK_INT(tenv_count_lines(err, "reconnect"), 0);
	CHECK_INT(tenv_count_lines(err, "broker connect failed"), 0);

	root = run_json(w, "missing-json", json);
	REQUIRE(root != NULL);
	const cJSON *q;
	cJSON_ArrayForEach (q, cJSON_GetObjectItem(root, "queues")) {
		nq++;
		CHECK_STR(jstr_null(q, "state"), "missing");
		CHECK(cJSON_IsNull(cJSON_GetObjectItem(q, "messages")));
	}
	CHECK_INT((long)nq, 15);
	cJSON_Delete(root);
}

static void status_shows_missing_queues_without_reconnects(void)
{
	struct world w;

	if (world_create(&w, "status-missing") == 0)
		status_missing_body(&w);
	else
		t_fail(__FILE__, __LINE__, "world");
	world_close(&w);
}

/* ==== 5. definitions import == declare ========================================= */

static bool is_work_queue(const char *name)
{
	return strcmp(name, "bf.line-up") == 0 || strcmp(name, "bf.result") == 0 ||
	       strcmp(name, "bf.tournament-stats") == 0 || strcmp(name, "bf.render") == 0;
}

static bool is_dead_queue(const char *name)
{
	size_t n = strlen(name);

	return strncmp(name, "bf.", 3) == 0 && n > 5 && strcmp(name + n - 5, ".dead") == 0;
}

/* The policy a queue of the table gets: bf-work-queues, bf-dead-queues or none. */
static const char *policy_for(const char *queue)
{
	if (is_work_queue(queue))
		return "bf-work-queues";
	if (is_dead_queue(queue))
		return "bf-dead-queues";
	return NULL;
}

/* def (a policy's definition) is p's: the same keys and values. */
static bool same_definition(const struct topo_policy *p, const cJSON *def)
{
	if (cJSON_GetArraySize(def) != (int)p->ndef)
		return false;
	for (size_t j = 0; j < p->ndef; j++) {
		const cJSON *v = cJSON_GetObjectItemCaseSensitive(def, p->def[j].key);
		if (p->def[j].is_int &&
		    !(cJSON_IsNumber(v) && (int64_t)v->valuedouble == p->def[j].i))
			return false;
		if (!p->def[j].is_int &&
		    !(cJSON_IsString(v) && strcmp(v->valuestring, p->def[j].s) == 0))
			return false;
	}
	return true;
}

/*
 * vhost holds both policies of the table as protocol/topology.c defines
 * them (pattern, apply-to, definition); each pattern matches exactly its
 * queues among names (an object keyed by queue name); and the broker
 * applied each to them, and none to a wait queue (the management API shows
 * a queue's policy with its next statistics round, up to ~5 s here).
 */
static void check_policies(const char *vhost, const cJSON *names)
{
	char path[256], listing[2048] = "";
	long st;
	cJSON *pol;
	const cJSON *q;
	int wrong = -1;

	snprintf(path, sizeof(path), "/api/policies/%s", vhost);
	pol = mgmt_json(path, &st);
	CHECK_INT(st, 200);
	for (size_t i = 0; i < TOPO_NPOLICIES; i++) {
		const struct topo_policy *tp = &topo_policies[i];
		const cJSON *p, *mine = NULL, *def;
		regex_t re;

		cJSON_ArrayForEach (p, pol) {
			const char *n = jstr_null(p, "name");
			if (n != NULL && strcmp(n, tp->name) == 0)
				mine = p;
		}
		if (mine == NULL) {
			t_fail(__FILE__, __LINE__, "policy %s is not in vhost %s", tp->name, vhost);
			continue;
		}
		CHECK_STR(jstr_null(mine, "apply-to"), "queues");
		CHECK_STR(jstr_null(mine, "pattern"), tp->pattern);
		def = cJSON_GetObjectItemCaseSensitive(mine, "definition");
		if (!same_definition(tp, def)) {
			char *text = cJSON_PrintUnformatted(def);
			t_fail(__FILE__, __LINE__, "policy %s: definition %s is not the table's",
			       tp->name, text ? text : "?");
			free(text);
		}
		/* the pattern matches its queues and nothing else */
		if (regcomp(&re, tp->pattern, REG_EXTENDED | REG_NOSUB) != 0) {
			t_fail(__FILE__, __LINE__, "policy %s: pattern %s", tp->name, tp->pattern);
			continue;
		}
		cJSON_ArrayForEach (q, names) {
			bool m = regexec(&re, q->string, 0, NULL, 0) == 0;
			const char *want = policy_for(q->string);
			if (m != (want != NULL && strcmp(want, tp->name) == 0))
				t_fail(__FILE__, __LINE__, "policy pattern %s %s queue %s",
				       tp->pattern, m ? "matches" : "misses", q->string);
		}
		regfree(&re);
	}
	cJSON_Delete(pol);

	/* and the broker applied them: each queue's "policy" */
	long long t0 = tenv_now_ms();
	while (wrong != 0 && tenv_now_ms() - t0 < 15000) {
		size_t o = 0;
		if (wrong != -1)
			tenv_sleep_ms(250);
		snprintf(path, sizeof(path), "/api/queues/%s?columns=name,policy", vhost);
		cJSON *list = mgmt_json(path, &st);
		wrong = cJSON_GetArraySize(list) > 0 ? 0 : -2;
		listing[0] = '\0';
		cJSON_ArrayForEach (q, list) {
			const char *name = jstr_null(q, "name"), *pn = jstr_null(q, "policy");
			const char *want;
			if (name == NULL)
				continue;
			want = policy_for(name);
			if (want != NULL ? pn == NULL || strcmp(pn, want) != 0
					 : pn != NULL && pn[0] != '\0')
				wrong++;
			o += (size_t)snprintf(listing + o,
					      o < sizeof(listing) ? sizeof(listing) - o : 0,
					      "%s%s=%s", o ? " " : "", name,
					      pn && pn[0] ? pn : "-");
			if (o >= sizeof(listing))
				o = sizeof(listing) - 1;
		}
		cJSON_Delete(list);
	}
	printf("#   policies effective after %lld ms: %s\n", tenv_now_ms() - t0, listing);
	CHECK_INT(wrong, 0);
}

static void set_vhost(cJSON *arr, const char *vhost)
{
	cJSON *it;

	cJSON_ArrayForEach (it, arr) {
		if (cJSON_GetObjectItemCaseSensitive(it, "vhost") != NULL)
			cJSON_ReplaceItemInObjectCaseSensitive(it, "vhost",
							       cJSON_CreateString(vhost));
	}
}

/* name -> {durable, arguments} of every queue of a vhost */
static cJSON *queues_of(const char *vhost)
{
	char path[256];
	long st;
	cJSON *list, *out = cJSON_CreateObject();
	const cJSON *q;

	snprintf(path, sizeof(path), "/api/queues/%s?columns=name,durable,arguments", vhost);
	list = mgmt_json(path, &st);
	if (st != 200)
		t_fail(__FILE__, __LINE__, "GET %s: HTTP %ld", path, st);
	cJSON_ArrayForEach (q, list) {
		cJSON *o = cJSON_CreateObject();
		cJSON_AddBoolToObject(o, "durable",
				      cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(q, "durable")));
		cJSON_AddItemToObject(o, "arguments",
				      cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(q,
										       "arguments"),
						      1));
		cJSON_AddItemToObject(out, jstr_null(q, "name") ? jstr_null(q, "name") : "?", o);
	}
	cJSON_Delete(list);
	return out;
}

/* name -> {type, durable} of the exchanges bf.* */
static cJSON *exchanges_of(const char *vhost)
{
	char path[256];
	long st;
	cJSON *list, *out = cJSON_CreateObject();
	const cJSON *x;

	snprintf(path, sizeof(path), "/api/exchanges/%s", vhost);
	list = mgmt_json(path, &st);
	if (st != 200)
		t_fail(__FILE__, __LINE__, "GET %s: HTTP %ld", path, st);
	cJSON_ArrayForEach (x, list) {
		const char *name = jstr_null(x, "name");
		if (name == NULL || strncmp(name, "bf.", 3) != 0)
			continue;
		cJSON *o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "type", jstr(x, "type"));
		cJSON_AddBoolToObject(o, "durable",
				      cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(x, "durable")));
		cJSON_AddItemToObject(out, name, o);
	}
	cJSON_Delete(list);
	return out;
}

/* "source|destination|destination_type|routing_key" -> true */
static cJSON *bindings_of(const char *vhost)
{
	char path[256], key[512];
	long st;
	cJSON *list, *out = cJSON_CreateObject();
	const cJSON *b;

	snprintf(path, sizeof(path), "/api/bindings/%s", vhost);
	list = mgmt_json(path, &st);
	if (st != 200)
		t_fail(__FILE__, __LINE__, "GET %s: HTTP %ld", path, st);
	cJSON_ArrayForEach (b, list) {
		snprintf(key, sizeof(key), "%s|%s|%s|%s", jstr(b, "source"), jstr(b, "destination"),
			 jstr(b, "destination_type"), jstr(b, "routing_key"));
		if (cJSON_GetObjectItemCaseSensitive(out, key) == NULL)
			cJSON_AddTrueToObject(out, key);
	}
	cJSON_Delete(list);
	return out;
}

/* Compares two name-keyed objects; reports every difference. */
static void same_sets(const char *what, const cJSON *declared, const cJSON *imported)
{
	const cJSON *it;

	cJSON_ArrayForEach (it, declared) {
		const cJSON *o = cJSON_GetObjectItemCaseSensitive(imported, it->string);
		if (o == NULL) {
			t_fail(__FILE__, __LINE__, "%s %s: declared, not imported", what,
			       it->string);
		} else if (!cJSON_Compare(it, o, 1)) {
			char *a = cJSON_PrintUnformatted(it), *b = cJSON_PrintUnformatted(o);
			t_fail(__FILE__, __LINE__, "%s %s: declared %s, imported %s", what,
			       it->string, a, b);
			free(a);
			free(b);
		}
	}
	cJSON_ArrayForEach (it, imported)
		if (cJSON_GetObjectItemCaseSensitive(declared, it->string) == NULL)
			t_fail(__FILE__, __LINE__, "%s %s: imported, not declared", what,
			       it->string);
}

static void definitions_body(const char *vd, const char *vi)
{
	char url_d[512], url_i[512], out[700], path[512];
	char *file = NULL, *printed = NULL, *posted = NULL;
	cJSON *defs = NULL, *qd = NULL, *qi = NULL, *xd = NULL, *xi = NULL, *bd = NULL, *bi = NULL;
	struct world fake; /* bfctl_run's URLs and file names */
	long st;

	memset(&fake, 0, sizeof(fake));
	REQUIRE(tenv_vhost_create(vd, url_d, sizeof(url_d)) == 0);
	REQUIRE(tenv_vhost_create(vi, url_i, sizeof(url_i)) == 0);

	/* declared by bfctl, with the example configuration (its wait tiers) */
	snprintf(fake.name, sizeof(fake.name), "%s", vd);
	snprintf(fake.amqp, sizeof(fake.amqp), "%s", url_d);
	snprintf(fake.db, sizeof(fake.db), "postgresql:///nonexistent");
	const char *declare[] = { "-c", "ops/bf.conf.example", "topology", "declare", NULL };
	CHECK_INT(bfctl_run(&fake, "declare", declare, out, sizeof(out), 20000), 0);
	CHECK_INT(tenv_count_lines(out, "topology declared: 15 queues"), 1);

	/* the committed file, imported into the other vhost */
	file = tenv_slurp("ops/rabbitmq/definitions.json", NULL);
	REQUIRE(file != NULL);
	defs = cJSON_Parse(file);
	REQUIRE(defs != NULL);
	cJSON_DeleteItemFromObjectCaseSensitive(defs, "vhosts");
	set_vhost(cJSON_GetObjectItemCaseSensitive(defs, "exchanges"), vi);
	set_vhost(cJSON_GetObjectItemCaseSensitive(defs, "queues"), vi);
	set_vhost(cJSON_GetObjectItemCaseSensitive(defs, "bindings"), vi);
	set_vhost(cJSON_GetObjectItemCaseSensitive(defs, "policies"), vi);
	posted = cJSON_PrintUnformatted(defs);
	snprintf(path, sizeof(path), "/api/definitions/%s", vi);
	char *resp = NULL;
	st = tenv_mgmt("POST", path, posted, &resp);
	if (st / 100 != 2)
		t_fail(__FILE__, __LINE__, "POST %s: HTTP %ld %.300s", path, st, resp ? resp : "");
	free(resp);

	qd = queues_of(vd);
	qi = queues_of(vi);
	xd = exchanges_of(vd);
	xi = exchanges_of(vi);
	bd = bindings_of(vd);
	bi = bindings_of(vi);
	CHECK_INT(cJSON_GetArraySize(qd), 15);
	same_sets("queue", qd, qi);
	CHECK_INT(cJSON_GetArraySize(xd), 3);
	CHECK(cJSON_GetObjectItemCaseSensitive(xd, "bf.work") != NULL);
	CHECK(cJSON_GetObjectItemCaseSensitive(xd, "bf.dead") != NULL);
	CHECK_STR(jstr_null(cJSON_GetObjectItemCaseSensitive(xd, "bf.videos"), "type"), "topic");
	CHECK_STR(jstr_null(cJSON_GetObjectItemCaseSensitive(xd, "bf.work"), "type"), "direct");
	CHECK_STR(jstr_null(cJSON_GetObjectItemCaseSensitive(xd, "bf.dead"), "type"), "direct");
	same_sets("exchange", xd, xi);
	same_sets("binding", bd, bi);

	/* both policies: imported, and applied to their queues only */
	check_policies(vi, qi);

	/* bfctl topology definitions prints exactly the committed file */
	const char *defs_args[] = { "-c", "ops/bf.conf.example", "topology", "definitions", NULL };
	CHECK_INT(bfctl_run(&fake, "definitions", defs_args, out, sizeof(out), 20000), 0);
	printed = tenv_slurp(out, NULL);
	CHECK(printed != NULL && strcmp(printed, file) == 0);

	free(file);
	free(printed);
	free(posted);
	cJSON_Delete(defs);
	cJSON_Delete(qd);
	cJSON_Delete(qi);
	cJSON_Delete(xd);
	cJSON_Delete(xi);
	cJSON_Delete(bd);
	cJSON_Delete(bi);
}

static void definitions_import_equals_declare(void)
{
	char vd[64], vi[64];

	snprintf(vd, sizeof(vd), "t-ctl-defdecl-%ld", (long)getpid());
	snprintf(vi, sizeof(vi), "t-ctl-defimp-%ld", (long)getpid());
	definitions_body(vd, vi);
	tenv_vhost_delete(vd);
	tenv_vhost_delete(vi);
}

/* ==== 6. migrate and the command line ============================================ */

static void migrate_body(struct world *w)
{
	char out[700], err[700], want[64];
	char *text;

	snprintf(w->name, sizeof(w->name), "t_ctl_mig_%ld", (long)getpid());
	REQUIRE(tenv_db_create(w->name, w->db, sizeof(w->db)) == 0);
	snprintf(w->amqp, sizeof(w->amqp), "amqp://nobody:nothing@127.0.0.1:9/none");
	const char *mig[] = { "-c", "/dev/null", "migrate", NULL };
	CHECK_INT(bfctl_run(w, "migrate1", mig, out, sizeof(out), 20000), 0);
	text = tenv_slurp(out, NULL);
	snprintf(want, sizeof(want), "migrate: %zu applied, %zu total", db_nmigrations,
		 db_nmigrations);
	CHECK(text != NULL && strstr(text, want) != NULL);
	printf("#   first: %s", text ? text : "(nothing)\n");
	free(text);
	CHECK_INT(bfctl_run(w, "migrate2", mig, out, sizeof(out), 20000), 0);
	text = tenv_slurp(out, NULL);
	snprintf(want, sizeof(want), "migrate: 0 applied, %zu total", db_nmigrations);
	CHECK(text != NULL && strstr(text, want) != NULL);
	printf("#   second: %s", text ? text : "(nothing)\n");
	free(text);
	CHECK_INT(sql_long(w->db, "SELECT count(*) FROM schema_migrations", NULL),
		  (long)db_nmigrations);

	const char *check[] = { "-n", "-c", "ops/bf.conf.example", NULL };
	CHECK_INT(bfctl_run(w, "check", check, out, sizeof(out), 20000), 0);
	CHECK_INT(tenv_count_lines(out, "configuration OK"), 1);

	const char *missing[] = { "-c", "/nonexistent", "migrate", NULL };
	CHECK_INT(bfctl_run(w, "missing", missing, out, sizeof(out), 20000), 1);
	snprintf(err, sizeof(err), "%s/var/log/%s-missing.err", tenv_root(), w->name);
	CHECK(tenv_count_lines(err, "/nonexistent") >= 1);

	const char *unknown[] = { "-c", "/dev/null", "frobnicate", NULL };
	CHECK_INT(bfctl_run(w, "unknown", unknown, out, sizeof(out), 20000), 2);
	snprintf(err, sizeof(err), "%s/var/log/%s-unknown.err", tenv_root(), w->name);
	CHECK(tenv_count_lines(err, "frobnicate") >= 1);
}

static void migrate_twice_and_command_line(void)
{
	struct world w;

	world_init(&w);
	migrate_body(&w);
	world_close(&w); /* the database; there is no vhost */
}

/* ==== 7. dead list, show, discard ================================================ */

/* text on stdout as "#" lines */
static void print_text(const char *what, const char *text)
{
	printf("#   %s:\n", what);
	for (const char *p = text; p != NULL && *p != '\0';) {
		const char *e = strchr(p, '\n');
		printf("#     %.*s\n", (int)(e ? e - p : (long)strlen(p)), p);
		p = e ? e + 1 : NULL;
	}
}

/* The value of `dead show`'s line "KEY   value" into buf; false when none. */
static bool show_value(const char *text, const char *key, char *buf, size_t n)
{
	size_t klen = strlen(key);

	for (const char *p = text; p != NULL && *p != '\0';) {
		const char *e = strchr(p, '\n');
		size_t len = e ? (size_t)(e - p) : strlen(p);
		if (len > klen && strncmp(p, key, klen) == 0 && p[klen] == ' ') {
			const char *v = p + klen;
			while (*v == ' ')
				v++;
			snprintf(buf, n, "%.*s", (int)(len - (size_t)(v - p)), v);
			return true;
		}
		p = e ? e + 1 : NULL;
	}
	buf[0] = '\0';
	return false;
}

/*
 * bfctl ARGS with a terminal (a pseudo-terminal) as its stdin; once its
 * question shows on stderr, answer is typed.  Exit status, or -1.
 */
static int bfctl_tty(struct world *w, const char *tag, const char *const *args, const char *answer,
		     char *out, size_t outn)
{
	char errf[700];
	int master, slave = -1, saved = -1, st = -1;
	pid_t pid = -1;

	master = posix_openpt(O_RDWR | O_NOCTTY);
	if (master < 0 || grantpt(master) != 0 || unlockpt(master) != 0 ||
	    (slave = open(ptsname(master), O_RDWR | O_NOCTTY)) < 0 || (saved = dup(0)) < 0) {
		printf("#   no pseudo-terminal\n");
		goto out;
	}
	/* the child's stdin is the terminal (world_spawn passes fd 0 on) */
	if (dup2(slave, 0) == 0)
		pid = bfctl_start(w, tag, args, NULL, out, outn);
	dup2(saved, 0);
	if (pid < 0)
		goto out;
	snprintf(errf, sizeof(errf), "%s/var/log/%s-%s.err", tenv_root(), w->name, tag);
	if (tenv_wait_lines(errf, "[y/N]", 1, 20000)) {
		if (write(master, answer, strlen(answer)) != (ssize_t)strlen(answer))
			printf("#   could not type the answer\n");
	} else {
		printf("#   bfctl did not ask\n");
	}
	st = world_reap(w, pid, 20000, "bfctl on a terminal");
out:
	if (saved >= 0)
		close(saved);
	if (slave >= 0)
		close(slave);
	if (master >= 0)
		close(master);
	return st;
}

static void dead_list_rows(struct world *w)
{
	char out[700], line[512];
	const char *list[] = { "-c", w->conf, "dead", "list", NULL };
	const char *prev = NULL;
	char *text;

	CHECK_INT(bfctl_run(w, "list", list, out, sizeof(out), 20000), 0);
	text = tenv_slurp(out, NULL);
	REQUIRE(text != NULL);
	print_text("dead list", text);
	for (int i = 0; i < 6; i++) {
		char mid[128], type[64], reason[64], att[16], age[16], want[128];
		int pos = 0;
		const char *at = strstr(text, dls[i].mid);
		if (out_line(text, dls[i].mid, line, sizeof(line)) == NULL || at == NULL) {
			t_fail(__FILE__, __LINE__, "dead list does not list %s", dls[i].mid);
			continue;
		}
		/* in queue order */
		if (prev != NULL && at < prev)
			t_fail(__FILE__, __LINE__, "dead list: %s before %s", dls[i].mid,
			       dls[i - 1].mid);
		prev = at;
		if (sscanf(line, "%127s %63s %63s %15s %15s %n", mid, type, reason, att, age,
			   &pos) != 5) {
			t_fail(__FILE__, __LINE__, "dead list: row unreadable: %s", line);
			continue;
		}
		CHECK_STR(type, "line-up");
		CHECK_STR(reason, dls[i].reason);
		snprintf(want, sizeof(want), "%d", dls[i].attempt);
		CHECK_STR(att, want);
		snprintf(want, sizeof(want), "%dh", i + 2);
		CHECK_STR(age, want);
		/* x-bf-error, cut at 80 bytes */
		snprintf(want, sizeof(want), "%.80s", dls[i].error);
		CHECK_STR(line + pos, want);
	}
	CHECK(out_line(text, "result:8401", line, sizeof(line)) != NULL &&
	      strstr(line, " result ") != NULL && strstr(line, "attempts-exhausted") != NULL);
	CHECK(out_line(text, "result:8402", line, sizeof(line)) != NULL);
	CHECK(strstr(text, "\nbf.line-up.dead: 6 dead letters\n") != NULL);
	CHECK(strstr(text, "\nbf.result.dead: 2 dead letters\n") != NULL);
	CHECK(strstr(text, "\nbf.tournament-stats.dead: 0 dead letters\n") != NULL);
	CHECK(strstr(text, "\nbf.render.dead: 0 dead letters\n") != NULL);
	free(text);
}

static void dead_list_limit_json(struct world *w)
{
	char out[700], line[512];
	const char *lim[] = { "-c",	 w->conf,   "dead", "list", "--type",
			      "line-up", "--limit", "2",    NULL };
	const char *js[] = { "-c", w->conf, "dead", "list", "--type", "result", "--json", NULL };
	const char *bad[] = { "-c", w->conf, "dead", "list", "--type", "nonsense", NULL };
	char *text;
	cJSON *j;

	CHECK_INT(bfctl_run(w, "limit", lim, out, sizeof(out), 20000), 0);
	text = tenv_slurp(out, NULL);
	REQUIRE(text != NULL);
	print_text("dead list --type line-up --limit 2", text);
	CHECK(out_line(text, dls[0].mid, line, sizeof(line)) != NULL);
	CHECK(out_line(text, dls[1].mid, line, sizeof(line)) != NULL);
	CHECK(out_line(text, dls[2].mid, line, sizeof(line)) == NULL);
	CHECK(strstr(text, "bf.line-up.dead: 6 dead letters (2 listed)") != NULL);
	CHECK(strstr(text, "bf.result.dead") == NULL);
	free(text);

	j = run_json(w, "json", js);
	const cJSON *qs = cJSON_GetObjectItemCaseSensitive(j, "queues");
	CHECK_INT(cJSON_GetArraySize(qs), 1);
	const cJSON *q = cJSON_GetArrayItem(qs, 0);
	CHECK_STR(jstr(q, "name"), "bf.result.dead");
	CHECK_STR(jstr(q, "state"), "ok");
	CHECK_INT((long)jnum(q, "messages"), 2);
	CHECK_INT((long)jnum(q, "listed"), 2);
	const cJSON *ls = cJSON_GetObjectItemCaseSensitive(q, "dead_letters");
	CHECK_INT(cJSON_GetArraySize(ls), 2);
	const cJSON *a = cJSON_GetArrayItem(ls, 0), *b = cJSON_GetArrayItem(ls, 1);
	CHECK_STR(jstr(a, "message_id"), "result:8401");
	CHECK_STR(jstr(a, "type"), "result");
	CHECK_STR(jstr(a, "reason"), "attempts-exhausted");
	CHECK_STR(jstr(a, "error"), "11 attempts; last: Plainly HTTP 503");
	CHECK_INT((long)jnum(a, "attempt"), 11);
	CHECK(jnum(a, "age_seconds") >= 7200 && jnum(a, "age_seconds") < 7200 + 120);
	CHECK_STR(jstr(a, "app_id"), "bf-results");
	CHECK_STR(jstr(b, "message_id"), "result:8402");
	CHECK_INT((long)jnum(b, "attempt"), 0);
	cJSON_Delete(j);

	CHECK_INT(bfctl_run(w, "badtype", bad, out, sizeof(out), 20000), 2);
}

static void dead_show_cases(struct world *w)
{
	char out[700], v[256];
	const char *show[] = { "-c", w->conf, "dead", "show", "line-up:8105", NULL };
	const char *poison[] = { "-c",	     w->conf,  "dead",	  "show",
				 "bad-8103", "--type", "line-up", NULL };
	const char *nope[] = { "-c", w->conf, "dead", "show", "line-up:9999", NULL };
	const char *other[] = {
		"-c", w->conf, "dead", "show", "bad-8103", "--type", "result", NULL
	};
	char *text, *err;

	CHECK_INT(bfctl_run(w, "show", show, out, sizeof(out), 20000), 0);
	text = tenv_slurp(out, NULL);
	REQUIRE(text != NULL);
	print_text("dead show line-up:8105", text);
	show_value(text, "queue", v, sizeof(v));
	CHECK_STR(v, "bf.line-up.dead (message 5 of 6)");
	show_value(text, "message_id", v, sizeof(v));
	CHECK_STR(v, "line-up:8105");
	show_value(text, "type", v, sizeof(v));
	CHECK_STR(v, "line-up");
	show_value(text, "app_id", v, sizeof(v));
	CHECK_STR(v, "bf-lineups");
	show_value(text, "content_type", v, sizeof(v));
	CHECK_STR(v, "application/json");
	show_value(text, "exchange", v, sizeof(v));
	CHECK_STR(v, "bf.dead");
	show_value(text, "routing_key", v, sizeof(v));
	CHECK_STR(v, "line-up");
	show_value(text, "x-bf-attempt", v, sizeof(v));
	CHECK_STR(v, "2");
	show_value(text, "x-bf-reason", v, sizeof(v));
	CHECK_STR(v, dls[4].reason);
	show_value(text, "x-bf-error", v, sizeof(v));
	CHECK_STR(v, dls[4].error); /* in full */
	show_value(text, "x-bf-first-published", v, sizeof(v));
	CHECK(strstr(v, " UTC (6h ago)") != NULL);
	show_value(text, "body", v, sizeof(v));
	char bytes[32];
	snprintf(bytes, sizeof(bytes), "%zu bytes", strlen(dls[4].body));
	CHECK_STR(v, bytes);
	const char *body = strstr(text, "\nbody ");
	body = body ? strchr(body + 1, '\n') : NULL;
	CHECK(body != NULL && strncmp(body + 1, dls[4].body, strlen(dls[4].body)) == 0);
	free(text);

	/* a poison message too (its body as it is) */
	CHECK_INT(bfctl_run(w, "poison", poison, out, sizeof(out), 20000), 0);
	text = tenv_slurp(out, NULL);
	CHECK(text != NULL && strstr(text, dls[2].body) != NULL);
	free(text);

	/* not there: exit 1, saying where it looked */
	CHECK_INT(bfctl_run(w, "nope", nope, out, sizeof(out), 20000), 1);
	err = bfctl_err(w, "nope");
	CHECK(err != NULL && strstr(err, "line-up:9999") != NULL &&
	      strstr(err, "bf.render.dead") != NULL);
	free(err);
	CHECK_INT(bfctl_run(w, "other", other, out, sizeof(out), 20000), 1);
}

static void dead_discard_cases(struct world *w)
{
	char out[700];
	const char *no[] = { "-c", w->conf, "dead", "discard", "line-up:8102", "bad-8103", NULL };
	const char *yes[] = { "-c",	      w->conf,	  "dead",  "discard",
			      "line-up:8102", "bad-8103", "--yes", NULL };
	const char *miss[] = { "-c",	  w->conf,	  "dead",	  "discard", "--type",
			       "line-up", "line-up:8104", "line-up:9999", "--yes",   NULL };
	const char *wrongq[] = { "-c",	   w->conf,  "dead",  "discard", "line-up:8101",
				 "--type", "result", "--yes", NULL };
	const char *ask[] = { "-c", w->conf, "dead", "discard", "line-up:8101", NULL };
	char *text, *err;

	/* no terminal, no --yes: refused, nothing read */
	CHECK_INT(bfctl_run(w, "noyes", no, out, sizeof(out), 20000), 2);
	err = bfctl_err(w, "noyes");
	CHECK(err != NULL && strstr(err, "--yes") != NULL);
	free(err);
	static const int all6[] = { 0, 1, 2, 3, 4, 5 };
	check_dead_order(w, "after discard without --yes", all6, 6, false);

	/* --yes: exactly those two, the rest in its order */
	CHECK_INT(bfctl_run(w, "yes", yes, out, sizeof(out), 20000), 0);
	text = tenv_slurp(out, NULL);
	CHECK(text != NULL && strstr(text, "2 dead letters discarded") != NULL);
	if (text != NULL)
		print_text("dead discard line-up:8102 bad-8103 --yes", text);
	free(text);
	static const int left1[] = { 0, 3, 4, 5 };
	check_dead_order(w, "after discard --yes", left1, 4, false);

	/* one of two not found: the other is discarded, exit 1 naming the missing one */
	CHECK_INT(bfctl_run(w, "miss", miss, out, sizeof(out), 20000), 1);
	text = tenv_slurp(out, NULL);
	CHECK(text != NULL && strstr(text, "1 dead letter discarded") != NULL);
	free(text);
	err = bfctl_err(w, "miss");
	CHECK(err != NULL && strstr(err, "line-up:9999") != NULL);
	free(err);
	static const int left2[] = { 0, 4, 5 };
	check_dead_order(w, "after discard of one found, one not", left2, 3, false);

	/* --type: only that dead queue */
	CHECK_INT(bfctl_run(w, "wrongq", wrongq, out, sizeof(out), 20000), 1);
	check_dead_order(w, "after discard in the wrong queue", left2, 3, false);
	check_result_dead_order(w, "after the discards");

	/* on a terminal it shows and asks: "n" discards nothing, "y" does */
	CHECK_INT(bfctl_tty(w, "ask-n", ask, "n\n", out, sizeof(out)), 1);
	text = tenv_slurp(out, NULL);
	CHECK(text != NULL && strstr(text, "nothing discarded") != NULL &&
	      strstr(text, dls[0].mid) != NULL);
	free(text);
	err = bfctl_err(w, "ask-n");
	CHECK(err != NULL && strstr(err, "discard 1 dead letter? [y/N]") != NULL);
	free(err);
	check_dead_order(w, "after answering n", left2, 3, false);
	CHECK_INT(bfctl_tty(w, "ask-y", ask, "y\n", out, sizeof(out)), 0);
	text = tenv_slurp(out, NULL);
	CHECK(text != NULL && strstr(text, "1 dead letter discarded") != NULL);
	if (text != NULL)
		print_text("dead discard line-up:8101, answered y", text);
	free(text);
	static const int left3[] = { 4, 5 };
	check_dead_order(w, "after answering y", left3, 2, false);
	check_result_dead_order(w, "at the end");
}

static void dead_body(struct world *w)
{
	uint64_t now = (uint64_t)time(NULL);

	REQUIRE(world_broker(w, "test_bfctl") == 0);
	for (int i = 0; i < 6; i++) {
		dls[i].first = now - (uint64_t)(i + 2) * 3600 - 100; /* ages 2h .. 7h */
		REQUIRE(publish_dead(w, MSG_LINEUP, dls[i].body, dls[i].mid, dls[i].reason,
				     dls[i].error, dls[i].attempt, dls[i].first) == 0);
	}
	REQUIRE(refill_result_dead(w, now) == 0);
	REQUIRE(world_depth(w, "bf.line-up.dead", 6, 3000) == 6);

	/* list: every dead letter of every dead queue, in queue order; left in place */
	static const int all6[] = { 0, 1, 2, 3, 4, 5 };
	dead_list_rows(w);
	check_dead_order(w, "after dead list", all6, 6, false);
	check_result_dead_order(w, "after dead list");
	dead_list_limit_json(w);
	check_dead_order(w, "after dead list --limit, --json", all6, 6, false);
	check_result_dead_order(w, "after dead list --json");

	/* show: one in full, left in place */
	dead_show_cases(w);
	check_dead_order(w, "after dead show", all6, 6, false);

	/* discard */
	dead_discard_cases(w);
}

static void dead_list_show_discard(void)
{
	struct world w;

	if (world_create(&w, "dead") == 0)
		dead_body(&w);
	else
		t_fail(__FILE__, __LINE__, "world");
	world_close(&w);
}

/* ==== 8. wait flush ================================================================ */

#define WAIT_CONF                                                             \
	"lineups = { wait_tiers = [\"5m\", \"15m\"]; near_kickoff = \"15m\";" \
	" give_up_after = \"10m\"; max_attempts = 30; prefetch = 20; };"

static void wait_body(struct world *w)
{
	static const struct world_opts fakes = { .scenario = REPLAY_SCENARIO, .plainly = true };
	static const char *const set[] = { "BF_PLAINLY_API_KEY=" API_KEY, NULL };
	static const struct {
		const char *queue;
		int attempt;
	} waiting[] = { { "bf.line-up.wait.5m", 2 },
			{ "bf.line-up.wait.5m", 3 },
			{ "bf.line-up.wait.15m", 4 } };
	char out[700], logf[700], ev[32], subject[64], body[128], want[128];
	uint64_t now = (uint64_t)time(NULL);
	struct broker_delivery d[8];
	char *text;
	int n;

	snprintf(ev, sizeof(ev), "%lld", REPLAY_EVENT);
	snprintf(subject, sizeof(subject), "line-up:%lld", REPLAY_EVENT);
	snprintf(body, sizeof(body), "{\"event_id\":%lld,\"processing_type\":\"line-up\"}",
		 REPLAY_EVENT);
	REQUIRE(world_fakes(w, &fakes) == 0);
	REQUIRE(world_conf(w, WAIT_CONF) == 0);
	REQUIRE(world_broker(w, "test_bfctl") == 0);

	/* the event (kick-off in an hour), its accepted render, its job waiting */
	REQUIRE(insert_replay_event(w, "enqueued", 4) == 0);

	/* three waiting, as bf-lineups republishes them: default exchange, the tier's name */
	for (size_t i = 0; i < 3; i++) {
		struct broker_msg bm = {
			.exchange = "",
			.routing_key = waiting[i].queue,
			.body = body,
			.len = strlen(body),
			.message_id = subject,
			.type = "line-up",
			.app_id = "bf-lineups",
			.timestamp = now - 30,
			.attempt = waiting[i].attempt,
			.first_published = now - 900,
		};
		REQUIRE(broker_publish(w->b, &bm) == 0);
	}
	REQUIRE(broker_flush(w->b, 10000) == 0);
	REQUIRE(world_depth(w, "bf.line-up.wait.5m", 2, 3000) == 2);
	REQUIRE(world_depth(w, "bf.line-up.wait.15m", 1, 3000) == 1);

	/* flush: each tier's count, everything in bf.line-up, the tiers empty */
	const char *flush[] = { "-c", w->conf, "wait", "flush", "line-up", NULL };
	CHECK_INT(bfctl_run(w, "flush", flush, out, sizeof(out), 20000), 0);
	text = tenv_slurp(out, NULL);
	REQUIRE(text != NULL);
	print_text("wait flush line-up", text);
	CHECK(strstr(text, "bf.line-up.wait.5m: 2 of 2 moved to bf.work\n") != NULL);
	CHECK(strstr(text, "bf.line-up.wait.15m: 1 of 1 moved to bf.work\n") != NULL);
	CHECK(strstr(text, "3 messages moved from the wait queues of line-up to bf.work\n") !=
	      NULL);
	free(text);
	CHECK_INT(world_depth(w, "bf.line-up.wait.5m", 0, 3000), 0);
	CHECK_INT(world_depth(w, "bf.line-up.wait.15m", 0, 3000), 0);
	CHECK_INT(world_depth(w, "bf.line-up", 3, 3000), 3);

	/* as they were: attempt unchanged, same identity, times and body */
	n = read_queue(w, "bf.line-up", d, 8, false);
	CHECK_INT(n, 3);
	for (int i = 0; i < n && i < 3; i++) {
		CHECK_STR(d[i].exchange, TOPO_WORK_EXCHANGE);
		CHECK_STR(d[i].routing_key, "line-up");
		CHECK_STR(d[i].message_id, subject);
		CHECK_STR(d[i].type, "line-up");
		CHECK_STR(d[i].app_id, "bf-lineups");
		CHECK_STR(d[i].content_type, "application/json");
		CHECK(d[i].has_attempt);
		CHECK_INT(d[i].attempt, waiting[i].attempt);
		CHECK(d[i].first_published == now - 900);
		CHECK(d[i].timestamp == now - 30);
		CHECK(d[i].len == strlen(body) && memcmp(d[i].body, body, d[i].len) == 0);
	}
	free_deliveries(d, n);
	CHECK_INT(world_depth(w, "bf.line-up", 3, 3000), 3);

	/* and bf-lineups takes them, each with its attempt */
	static const char *const idle[] = { "--idle-exit", "3", NULL };
	pid_t pid = world_start(w, "bf-lineups", "lineups", true, set, idle);
	REQUIRE(pid > 0);
	CHECK_INT(world_reap(w, pid, 25000, "bf-lineups"), 0);
	world_log(w, "lineups", logf, sizeof(logf));
	for (size_t i = 0; i < 3; i++) {
		snprintf(want, sizeof(want), "type=line-up attempt=%d outcome=done",
			 waiting[i].attempt);
		if (tenv_count_lines(logf, want) < 1)
			t_fail(__FILE__, __LINE__, "bf-lineups did not log \"%s\"", want);
	}
	CHECK_INT(world_depth(w, "bf.line-up", 0, 5000), 0);
	CHECK_INT(world_depth(w, "bf.line-up.wait.5m", 0, 3000), 0);
	CHECK_INT(world_depth(w, "bf.line-up.wait.15m", 0, 3000), 0);
	CHECK_INT(world_depth(w, "bf.line-up.dead", 0, 3000), 0);

	/* a type without wait queues, and no type */
	const char *tstats[] = { "-c", w->conf, "wait", "flush", "tournament-stats", NULL };
	CHECK_INT(bfctl_run(w, "tstats", tstats, out, sizeof(out), 20000), 2);
	const char *bad[] = { "-c", w->conf, "wait", "flush", "nonsense", NULL };
	CHECK_INT(bfctl_run(w, "badtype", bad, out, sizeof(out), 20000), 2);
	const char *none[] = { "-c", w->conf, "wait", "flush", NULL };
	CHECK_INT(bfctl_run(w, "notype", none, out, sizeof(out), 20000), 2);
}

static void wait_flush_moves_waiting_back(void)
{
	struct world w;

	if (world_create(&w, "wait") == 0)
		wait_body(&w);
	else
		t_fail(__FILE__, __LINE__, "world");
	world_close(&w);
}

/* ==== 9. definitions --vhost ======================================================== */

/* every member "vhost" of the objects of arr is vhost */
static void check_vhosts(const cJSON *arr, const char *what, const char *vhost)
{
	const cJSON *it;

	CHECK(cJSON_GetArraySize(arr) > 0);
	cJSON_ArrayForEach (it, arr)
		if (jstr_null(it, "vhost") == NULL || strcmp(jstr(it, "vhost"), vhost) != 0)
			t_fail(__FILE__, __LINE__, "%s: vhost %s, want %s", what, jstr(it, "vhost"),
			       vhost);
}

static void definitions_vhost_body(const char *vh)
{
	char out[700], *text = NULL, *resp = NULL;
	cJSON *defs = NULL, *qs = NULL;
	struct world fake; /* bfctl_run's file names */
	long st;

	memset(&fake, 0, sizeof(fake));
	snprintf(fake.name, sizeof(fake.name), "%s", vh);
	snprintf(fake.amqp, sizeof(fake.amqp), "amqp://nobody:nothing@127.0.0.1:9/none");
	snprintf(fake.db, sizeof(fake.db), "postgresql:///nonexistent");
	const char *args[] = {
		"-c", "ops/bf.conf.example", "topology", "definitions", "--vhost", vh, NULL
	};
	CHECK_INT(bfctl_run(&fake, "defs", args, out, sizeof(out), 20000), 0);
	text = tenv_slurp(out, NULL);
	defs = cJSON_Parse(text != NULL ? text : "");
	REQUIRE(defs != NULL);
	const cJSON *vhosts = cJSON_GetObjectItemCaseSensitive(defs, "vhosts");
	CHECK_INT(cJSON_GetArraySize(vhosts), 1);
	CHECK_STR(jstr(cJSON_GetArrayItem(vhosts, 0), "name"), vh);
	check_vhosts(cJSON_GetObjectItemCaseSensitive(defs, "exchanges"), "exchange", vh);
	check_vhosts(cJSON_GetObjectItemCaseSensitive(defs, "queues"), "queue", vh);
	check_vhosts(cJSON_GetObjectItemCaseSensitive(defs, "bindings"), "binding", vh);
	check_vhosts(cJSON_GetObjectItemCaseSensitive(defs, "policies"), "policy", vh);
	CHECK_INT(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(defs, "policies")),
		  TOPO_NPOLICIES);

	/* imported as it is (the whole broker's definitions): the vhost, its queues, the
	 * policies applied */
	st = tenv_mgmt("POST", "/api/definitions", text, &resp);
	if (st / 100 != 2)
		t_fail(__FILE__, __LINE__, "POST /api/definitions: HTTP %ld %.300s", st,
		       resp ? resp : "");
	qs = queues_of(vh);
	CHECK_INT(cJSON_GetArraySize(qs), 15);
	check_policies(vh, qs);

	const char *novalue[] = { "-c", "ops/bf.conf.example", "topology", "definitions", "--vhost",
				  NULL };
	CHECK_INT(bfctl_run(&fake, "novalue", novalue, out, sizeof(out), 20000), 2);
	const char *other[] = { "-c",	       "ops/bf.conf.example", "topology",
				"definitions", "--frobnicate",	      "x",
				NULL };
	CHECK_INT(bfctl_run(&fake, "other", other, out, sizeof(out), 20000), 2);
	free(text);
	free(resp);
	cJSON_Delete(defs);
	cJSON_Delete(qs);
}

static void definitions_for_a_vhost(void)
{
	char vh[64];

	snprintf(vh, sizeof(vh), "t-ctl-defvh-%ld", (long)getpid());
	tenv_vhost_delete(vh);
	definitions_vhost_body(vh);
	tenv_vhost_delete(vh);
}

/* ==== 10. declare with amqp.management_url; the management API ======================= */

/* PUT the policy bf-dead-queues of vhost with definition def (JSON) */
static long put_dead_policy(const char *vhost, const char *def)
{
	char path[256], body[512];
	cJSON *pat = cJSON_CreateString(topo_policies[1].pattern);
	char *p = cJSON_PrintUnformatted(pat);

	snprintf(path, sizeof(path), "/api/policies/%s/%s", vhost, topo_policies[1].name);
	snprintf(body, sizeof(body),
		 "{\"pattern\":%s,\"apply-to\":\"queues\",\"priority\":0,\"definition\":%s}",
		 p ? p : "\"\"", def);
	free(p);
	cJSON_Delete(pat);
	return tenv_mgmt("PUT", path, body, NULL);
}

/* Waits until the broker shows queue with key = value in its effective policy. */
static bool policy_effective(const char *vhost, const char *queue, const char *key, double value)
{
	char path[256];
	long long t0 = tenv_now_ms();

	snprintf(path, sizeof(path), "/api/queues/%s/%s", vhost, queue);
	while (tenv_now_ms() - t0 < 15000) {
		long st;
		cJSON *q = mgmt_json(path, &st);
		const cJSON *def =
			cJSON_GetObjectItemCaseSensitive(q, "effective_policy_definition");
		const cJSON *v = cJSON_GetObjectItemCaseSensitive(def, key);
		bool ok = cJSON_IsNumber(v) && v->valuedouble == value;
		cJSON_Delete(q);
		if (ok) {
			tenv_sleep_ms(500); /* the queue's own copy follows at once, say */
			return true;
		}
		tenv_sleep_ms(250);
	}
	printf("#   %s of %s never showed %s = %g\n", vhost, queue, key, value);
	return false;
}

static void mgmt_api_for_status(struct world *w)
{
	struct bf_config c;
	struct mgmt *m = NULL;
	struct mgmt_queue q;
	struct broker *cons = NULL;
	struct broker_delivery d;
	char err[512];
	long long t0;
	int rc = -1;

	memset(&d, 0, sizeof(d));
	tenv_config(&c, w->amqp, w->db);
	free(c.amqp_management_url);
	c.amqp_management_url = strdup(getenv("BF_MGMT_URL"));
	REQUIRE(mgmt_open(&m, &c, err, sizeof(err)) == 0);
	CHECK_STR(mgmt_vhost(m), w->name);
	CHECK(strstr(mgmt_base(m), "@") == NULL);

	/* three in bf.line-up, one of them delivered to a consumer and not acked */
	for (int i = 0; i < 3; i++)
		CHECK(publish_work(w, MSG_LINEUP, 8701 + i) == 0);
	CHECK(broker_flush(w->b, 10000) == 0);
	CHECK_INT(world_depth(w, "bf.line-up", 3, 3000), 3);
	struct broker_opts o = {
		.urls = w->amqp,
		.conn_name = "test_bfctl-consumer",
		.heartbeat = 30,
		.op_timeout = 20,
		.confirm_window = 10,
		.stop = &signals_stop,
		.max_connect_tries = 3,
	};
	REQUIRE(broker_open(&cons, &o) == 0);
	CHECK(broker_consume(cons, "bf.line-up", 1, "test_bfctl") == 0);
	CHECK_INT(broker_next(cons, &d, 5000), 1);

	/* what bfctl status would be told (the statistics lag by up to 5 s) */
	t0 = tenv_now_ms();
	while (tenv_now_ms() - t0 < 15000) {
		rc = mgmt_queue_stats(m, "bf.line-up", &q);
		if (rc == 0 && q.ready == 2 && q.unacked == 1 && q.consumers == 1)
			break;
		tenv_sleep_ms(250);
	}
	printf("#   bf.line-up by the management API after %lld ms: messages %ld, ready %ld,"
	       " unacked %ld, consumers %ld, policy %s, state %s\n",
	       tenv_now_ms() - t0, q.messages, q.ready, q.unacked, q.consumers, q.policy, q.state);
	CHECK_INT(rc, 0);
	CHECK_INT(q.messages, 3);
	CHECK_INT(q.ready, 2);
	CHECK_INT(q.unacked, 1);
	CHECK_INT(q.consumers, 1);
	CHECK_STR(q.policy, "bf-work-queues");
	CHECK_INT(mgmt_queue_stats(m, "bf.no-such-queue", &q), 1);
	char *body = NULL;
	CHECK_INT(mgmt_request(m, "GET", "/api/overview", NULL, &body), 200);
	CHECK(body != NULL && strstr(body, "rabbitmq_version") != NULL);
	free(body);

	broker_delivery_free(&d);
	broker_close(cons);
	broker_purge(w->b, "bf.line-up");
	mgmt_close(m);
	cfg_free(&c);
}

/* The retention of the dead queues acts on RabbitMQ 3.10's quorum queues:
 * max-length drops the oldest, message-ttl drops the old. */
static void dead_retention_acts(struct world *w)
{
	static const char *mids[] = { "line-up:8801", "line-up:8802", "line-up:8803" };
	struct broker_delivery d[4];
	char got[256];
	int n;

	CHECK_INT(put_dead_policy(w->name, "{\"max-length\":2,\"overflow\":\"drop-head\"}") / 100,
		  2);
	CHECK(policy_effective(w->name, "bf.line-up.dead", "max-length", 2));
	for (int i = 0; i < 3; i++) {
		char body[96];
		snprintf(body, sizeof(body), "{\"event_id\":%d,\"processing_type\":\"line-up\"}",
			 8801 + i);
		CHECK(publish_dead(w, MSG_LINEUP, body, mids[i], "poison", "test", 0,
				   (uint64_t)time(NULL)) == 0);
	}
	CHECK(broker_flush(w->b, 10000) == 0);
	CHECK_INT(depth_stable(w, "bf.line-up.dead", 500, 5000), 2);
	n = read_queue(w, "bf.line-up.dead", d, 4, false);
	ids_text(d, n, got, sizeof(got));
	printf("#   max-length 2, three dead letters: bf.line-up.dead holds [%s]\n", got);
	CHECK_STR(got, "line-up:8802, line-up:8803");
	free_deliveries(d, n);

	/* message-ttl: a dead letter that arrives now expires, the two from before
	 * (enqueued without a TTL) stay: a quorum queue sets a message's expiry
	 * when it is enqueued.  An expired one is dropped once it is at the head
	 * and the queue is touched (a read, a new message), not on its own. */
	CHECK_INT(put_dead_policy(w->name, "{\"message-ttl\":1000}") / 100, 2);
	CHECK(policy_effective(w->name, "bf.line-up.dead", "message-ttl", 1000));
	CHECK(publish_dead(w, MSG_LINEUP, "{\"event_id\":8804,\"processing_type\":\"line-up\"}",
			   "line-up:8804", "poison", "test", 0, (uint64_t)time(NULL)) == 0);
	CHECK(broker_flush(w->b, 10000) == 0);
	tenv_sleep_ms(2000);
	printf("#   message-ttl 1 s, 2 s later: bf.line-up.dead counts %ld\n",
	       broker_queue_depth(w->b, "bf.line-up.dead"));
	n = read_queue(w, "bf.line-up.dead", d, 4, false);
	ids_text(d, n, got, sizeof(got));
	printf("#   and a reader gets [%s]\n", got);
	CHECK_STR(got, "line-up:8802, line-up:8803");
	free_deliveries(d, n);
	CHECK_INT(world_depth(w, "bf.line-up.dead", 2, 5000), 2);

	/* an expired one at the head goes when the next dead letter comes */
	broker_purge(w->b, "bf.line-up.dead");
	CHECK_INT(world_depth(w, "bf.line-up.dead", 0, 3000), 0);
	CHECK(publish_dead(w, MSG_LINEUP, "{\"event_id\":8805,\"processing_type\":\"line-up\"}",
			   "line-up:8805", "poison", "test", 0, (uint64_t)time(NULL)) == 0);
	CHECK(broker_flush(w->b, 10000) == 0);
	tenv_sleep_ms(2000);
	CHECK(publish_dead(w, MSG_LINEUP, "{\"event_id\":8806,\"processing_type\":\"line-up\"}",
			   "line-up:8806", "poison", "test", 0, (uint64_t)time(NULL)) == 0);
	CHECK(broker_flush(w->b, 10000) == 0);
	long long t0 = tenv_now_ms();
	long left = world_depth(w, "bf.line-up.dead", 1, 5000);
	printf("#   an expired dead letter at the head, then a new one: the queue counts %ld"
	       " after %lld ms\n",
	       left, tenv_now_ms() - t0);
	CHECK_INT(left, 1);
}

static void mgmt_body(struct world *w)
{
	char out[700], murl[700], bad[700], good[700], want[200], path[256];
	const char *mu = getenv("BF_MGMT_URL");
	const char *user = getenv("BF_MGMT_USER") ? getenv("BF_MGMT_USER") : "bf";
	const char *pw = getenv("BF_MGMT_PASSWORD") ? getenv("BF_MGMT_PASSWORD") : "bf";
	const char *declare[] = { "-c", w->conf, "topology", "declare", NULL };
	const char *sep = NULL;
	char *text, *err;
	long st;
	cJSON *pol, *qs;

	REQUIRE(mu != NULL && (sep = strstr(mu, "://")) != NULL);
	REQUIRE(world_broker(w, "test_bfctl") == 0);

	/* without amqp.management_url: the queues, and a word on the policies */
	CHECK_INT(bfctl_run(w, "plain", declare, out, sizeof(out), 20000), 0);
	CHECK_INT(tenv_count_lines(out, "topology declared: 15 queues"), 1);
	CHECK_INT(tenv_count_lines(out, "policies not set"), 1);
	snprintf(path, sizeof(path), "/api/policies/%s", w->name);
	pol = mgmt_json(path, &st);
	CHECK_INT(st, 200);
	CHECK_INT(cJSON_GetArraySize(pol), 0);
	cJSON_Delete(pol);

	/* with it (user and password from amqp.url): both policies, applied */
	snprintf(murl, sizeof(murl), "BF_AMQP_MANAGEMENT_URL=%s", mu);
	const char *const set[] = { murl, NULL };
	CHECK_INT(bfctl_run_env(w, "mgmt", declare, set, out, sizeof(out), 20000), 0);
	text = tenv_slurp(out, NULL);
	if (text != NULL)
		print_text("topology declare with amqp.management_url", text);
	for (size_t i = 0; i < TOPO_NPOLICIES; i++) {
		snprintf(want, sizeof(want), "policy %s set on vhost %s\n", topo_policies[i].name,
			 w->name);
		CHECK(text != NULL && strstr(text, want) != NULL);
	}
	free(text);
	qs = queues_of(w->name);
	check_policies(w->name, qs);
	cJSON_Delete(qs);

	/* a policy the vhost has is kept as the operator tuned it; a deleted one comes back */
	CHECK_INT(put_dead_policy(w->name, "{\"max-length\":50000,\"overflow\":\"drop-head\"}") /
			  100,
		  2);
	CHECK_INT(bfctl_run_env(w, "kept", declare, set, out, sizeof(out), 20000), 0);
	CHECK_INT(tenv_count_lines(out, "policy bf-dead-queues kept as it is"), 1);
	CHECK_INT(tenv_count_lines(out, "policy bf-work-queues kept as it is"), 1);
	snprintf(path, sizeof(path), "/api/policies/%s/bf-dead-queues", w->name);
	pol = mgmt_json(path, &st);
	CHECK_INT((long)jnum(cJSON_GetObjectItemCaseSensitive(pol, "definition"), "max-length"),
		  50000);
	cJSON_Delete(pol);
	CHECK_INT(tenv_mgmt("DELETE", path, NULL, NULL) / 100, 2);
	CHECK_INT(bfctl_run_env(w, "again", declare, set, out, sizeof(out), 20000), 0);
	CHECK_INT(tenv_count_lines(out, "policy bf-dead-queues set on vhost"), 1);
	pol = mgmt_json(path, &st);
	CHECK(same_definition(&topo_policies[1],
			      cJSON_GetObjectItemCaseSensitive(pol, "definition")));
	cJSON_Delete(pol);

	/* the URL's own user and password come first: a wrong password is refused
	 * (and not written anywhere), the right one works */
	snprintf(bad, sizeof(bad), "BF_AMQP_MANAGEMENT_URL=%.*s://%s:wrong-pw-0815@%s",
		 (int)(sep - mu), mu, user, sep + 3);
	const char *const set_bad[] = { bad, NULL };
	CHECK_INT(bfctl_run_env(w, "badpw", declare, set_bad, out, sizeof(out), 20000), 1);
	err = bfctl_err(w, "badpw");
	CHECK(err != NULL && strstr(err, "HTTP 401") != NULL);
	CHECK(err != NULL && strstr(err, "wrong-pw-0815") == NULL);
	if (err != NULL)
		print_text("with a wrong password, stderr", err);
	free(err);
	CHECK(tenv_count_lines(out, "wrong-pw-0815") == 0);
	snprintf(good, sizeof(good), "BF_AMQP_MANAGEMENT_URL=%.*s://%s:%s@%s/", (int)(sep - mu), mu,
		 user, pw, sep + 3);
	const char *const set_good[] = { good, NULL };
	CHECK_INT(bfctl_run_env(w, "goodpw", declare, set_good, out, sizeof(out), 20000), 0);
	CHECK_INT(tenv_count_lines(out, "policy bf-dead-queues kept"), 1);

	/* not a URL of the management API: a configuration error */
	const char *const set_ftp[] = { "BF_AMQP_MANAGEMENT_URL=ftp://127.0.0.1/", NULL };
	CHECK_INT(bfctl_run_env(w, "ftp", declare, set_ftp, out, sizeof(out), 20000), 1);

	mgmt_api_for_status(w);
	dead_retention_acts(w);
}

static void declare_sets_policies_through_the_management_api(void)
{
	struct world w;

	if (world_create(&w, "mgmt") == 0)
		mgmt_body(&w);
	else
		t_fail(__FILE__, __LINE__, "world");
	world_close(&w);
}

/* ==== 11. x-delivery-limit: argument and policy ====================================== */

/*
 * queue.declare of queue on vhost_url with the arguments of a work queue of
 * the table, with or without x-delivery-limit, on a connection of its own:
 * 0 when the broker accepted it, else the reply code of its channel.close
 * (406 PRECONDITION_FAILED) with its text in why; -1 when it could not be
 * asked.
 */
static int raw_declare(const char *vhost_url, const char *queue, bool with_limit, char *why,
		       size_t n)
{
	char url[512];
	struct amqp_connection_info ci;
	struct topo_queue q = { .kind = TOPO_WORK, .type = MSG_LINEUP };
	struct topo_arg args[TOPO_MAX_ARGS];
	amqp_table_entry_t e[TOPO_MAX_ARGS];
	amqp_connection_state_t conn = amqp_new_connection();
	amqp_socket_t *sock = amqp_tcp_socket_new(conn);
	amqp_rpc_reply_t r;
	size_t na = topo_queue_args(&q, args, TOPO_MAX_ARGS);
	int ne = 0, rc = -1;

	snprintf(why, n, "-");
	snprintf(url, sizeof(url), "%s", vhost_url);
	if (sock == NULL || amqp_parse_url(url, &ci) != AMQP_STATUS_OK ||
	    amqp_socket_open(sock, ci.host, ci.port) != AMQP_STATUS_OK)
		goto out;
	r = amqp_login(conn, ci.vhost[0] ? ci.vhost : "/", 0, 131072, 0, AMQP_SASL_METHOD_PLAIN,
		       ci.user, ci.password);
	if (r.reply_type != AMQP_RESPONSE_NORMAL || amqp_channel_open(conn, 1) == NULL)
		goto out;
	for (size_t i = 0; i < na; i++) {
		if (!with_limit && strcmp(args[i].key, "x-delivery-limit") == 0)
			continue;
		e[ne].key = amqp_cstring_bytes(args[i].key);
		if (args[i].is_int) {
			e[ne].value.kind = AMQP_FIELD_KIND_I64;
			e[ne].value.value.i64 = args[i].i;
		} else {
			e[ne].value.kind = AMQP_FIELD_KIND_UTF8;
			e[ne].value.value.bytes = amqp_cstring_bytes(args[i].s);
		}
		ne++;
	}
	amqp_table_t table = { .num_entries = ne, .entries = e };
	amqp_queue_declare(conn, 1, amqp_cstring_bytes(queue), 0, 1, 0, 0, table);
	r = amqp_get_rpc_reply(conn);
	if (r.reply_type == AMQP_RESPONSE_NORMAL) {
		rc = 0;
		snprintf(why, n, "accepted");
	} else if (r.reply_type == AMQP_RESPONSE_SERVER_EXCEPTION &&
		   r.reply.id == AMQP_CHANNEL_CLOSE_METHOD) {
		const amqp_channel_close_t *c = r.reply.decoded;
		rc = c->reply_code;
		snprintf(why, n, "%.*s", (int)c->reply_text.len, (const char *)c->reply_text.bytes);
	}
out:
	amqp_connection_close(conn, AMQP_REPLY_SUCCESS);
	amqp_destroy_connection(conn);
	return rc;
}

/* One line-up message in bf.line-up, taken and returned (basic.get, nack
 * with requeue) until the broker dead-letters it: how many deliveries. */
static int deliveries_until_dead(struct world *w, int64_t event)
{
	int count = 0;
	long long t0 = tenv_now_ms();

	if (publish_work(w, MSG_LINEUP, event) != 0 || broker_flush(w->b, 10000) != 0 ||
	    world_depth(w, "bf.line-up", 1, 3000) != 1)
		return -1;
	while (count < 200 && tenv_now_ms() - t0 < 30000) {
		struct broker_delivery d;
		int g = broker_get(w->b, "bf.line-up", &d);
		if (g == 1) {
			count++;
			if (broker_nack(w->b, &d, true) != 0)
				printf("#   nack failed\n");
			broker_delivery_free(&d);
			continue;
		}
		if (g < 0)
			return -1;
		if (broker_queue_depth(w->b, "bf.line-up.dead") == 1)
			break;
		tenv_sleep_ms(20);
	}
	world_depth(w, "bf.line-up.dead", 1, 3000);
	broker_purge(w->b, "bf.line-up.dead");
	world_depth(w, "bf.line-up.dead", 0, 3000);
	return count;
}

static void delivery_limit_body(struct world *w)
{
	char why[512], path[256], body[512];
	int rc, count;

	REQUIRE(world_broker(w, "test_bfctl") == 0); /* bf.line-up with x-delivery-limit */

	/* 1. the work queue declared again without x-delivery-limit */
	rc = raw_declare(w->amqp, "bf.line-up", false, why, sizeof(why));
	printf("#   bf.line-up (x-delivery-limit %d) declared again without it: %d %s\n",
	       TOPO_DELIVERY_LIMIT, rc, why);
	CHECK_INT(rc, 406);
	CHECK(strstr(why, "x-delivery-limit") != NULL);
	/* 2. the other way round: a queue declared without, declared with it */
	CHECK_INT(raw_declare(w->amqp, "bf.t-no-limit", false, why, sizeof(why)), 0);
	rc = raw_declare(w->amqp, "bf.t-no-limit", true, why, sizeof(why));
	printf("#   a work queue without x-delivery-limit declared again with it: %d %s\n", rc,
	       why);
	CHECK_INT(rc, 406);

	/* 3. with both, the broker takes the smaller: the policy lowers the limit,
	 * never raises it */
	static const int limits[] = { 50, 5 };
	for (size_t i = 0; i < 2; i++) {
		snprintf(path, sizeof(path), "/api/policies/%s/bf-work-queues", w->name);
		snprintf(body, sizeof(body),
			 "{\"pattern\":\"^bf\\\\.(line-up|result|tournament-stats|render)$\","
			 "\"apply-to\":\"queues\",\"priority\":0,"
			 "\"definition\":{\"delivery-limit\":%d,\"max-length\":%d}}",
			 limits[i], TOPO_MAX_LENGTH);
		CHECK_INT(tenv_mgmt("PUT", path, body, NULL) / 100, 2);
		CHECK(policy_effective(w->name, "bf.line-up", "delivery-limit", limits[i]));
		count = deliveries_until_dead(w, 8900 + (int64_t)i);
		int limit = limits[i] < TOPO_DELIVERY_LIMIT ? limits[i] : TOPO_DELIVERY_LIMIT;
		printf("#   delivery-limit: argument %d, policy %d: dead-lettered after %d"
		       " deliveries\n",
		       TOPO_DELIVERY_LIMIT, limits[i], count);
		CHECK_INT(count, limit + 1);
	}
}

static void delivery_limit_argument_and_policy(void)
{
	struct world w;

	if (world_create(&w, "dlimit") == 0)
		delivery_limit_body(&w);
	else
		t_fail(__FILE__, __LINE__, "world");
	world_close(&w);
}

/* ==== 12. bfctl -h ================================================================== */

/* -h names every command form and every variable of the configuration's key table */
static void help_lists_commands_and_variables(void)
{
	static const char *const forms[] = {
		"dead list [--type T] [--limit N] [--json]",
		"dead show MESSAGE_ID [--type T]",
		"dead discard MESSAGE_ID... [--type T] [--yes]",
		"wait flush TYPE",
		"topology definitions [--vhost NAME]",
		"topology declare",
		"replay --type T",
	};
	struct world fake;
	char out[700];
	char *text;
	const char *help[] = { "-h", NULL };

	memset(&fake, 0, sizeof(fake));
	snprintf(fake.name, sizeof(fake.name), "t-ctl-help-%ld", (long)getpid());
	CHECK_INT(bfctl_run(&fake, "help", help, out, sizeof(out), 20000), 0);
	text = tenv_slurp(out, NULL);
	REQUIRE(text != NULL);
	for (size_t i = 0; i < sizeof(forms) / sizeof(forms[0]); i++)
		if (strstr(text, forms[i]) == NULL)
			t_fail(__FILE__, __LINE__, "bfctl -h does not show \"%s\"", forms[i]);
	for (size_t i = 0; i < cfg_nkeys; i++) {
		char word[80];
		if (cfg_keys[i].env == NULL)
			continue;
		snprintf(word, sizeof(word), " %s", cfg_keys[i].env);
		if (strstr(text, word) == NULL)
			t_fail(__FILE__, __LINE__, "bfctl -h does not name %s (%s)",
			       cfg_keys[i].env, cfg_keys[i].name);
	}
	CHECK(strstr(text, "BF_AMQP_MANAGEMENT_URL") != NULL);
	free(text);
}

/* test_bfctl [WORD]: only the cases whose name contains WORD */
#define RUN(fn)                                                \
	do {                                                   \
		if (only == NULL || strstr(#fn, only) != NULL) \
			T_RUN(fn);                             \
	} while (0)

int main(int argc, char **argv)
{
	const char *only = argc > 1 ? argv[1] : NULL;

	log_init("test_bfctl");
	tenv_require();
	/* bfctl's children never have a terminal, unless a case gives them one */
	if (isatty(STDIN_FILENO) && freopen("/dev/null", "r", stdin) == NULL)
		return 1;
	signals_install();
	curl_global_init(CURL_GLOBAL_DEFAULT);
	RUN(replay_filters_dry_run_attempt_reset_order_kept);
	RUN(replayed_done_job_is_not_rendered_again);
	RUN(connection_dropped_mid_replay_loses_nothing);
	RUN(status_json_matches_known_state);
	RUN(status_unacked_and_producers);
	RUN(status_shows_missing_queues_without_reconnects);
	RUN(definitions_import_equals_declare);
	RUN(migrate_twice_and_command_line);
	RUN(dead_list_show_discard);
	RUN(wait_flush_moves_waiting_back);
	RUN(definitions_for_a_vhost);
	RUN(declare_sets_policies_through_the_management_api);
	RUN(delivery_limit_argument_and_policy);
	RUN(help_lists_commands_and_variables);
	curl_global_cleanup();
	return t_done();
}
