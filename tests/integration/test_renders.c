/*
 * test_renders: bf-renders against a real RabbitMQ and PostgreSQL and
 * fake-plainly moving renders through PENDING, QUEUED, IN_PROGRESS to a
 * final state (--lifecycle, --final-script).  Each case has its own vhost
 * and database (tests/support/world); the renders rows are those a branch
 * consumer leaves after Plainly accepted its POST (submitted, with the
 * render's id), the render messages those it publishes.  Video events are
 * read from a queue of the test's own bound to bf.videos (video.#).
 */
#include <cjson/cJSON.h>
#include <curl/curl.h>
#include <arpa/inet.h>
#include <dirent.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "lib/http.h"
#include "lib/log.h"
#include "lib/signals.h"
#include "protocol/broker.h"
#include "protocol/message.h"
#include "protocol/plainly.h"
#include "tests/support/query.h"
#include "tests/support/t.h"
#include "tests/support/testenv.h"
#include "tests/support/world.h"

#define API_KEY "testkey"
#define IDLE_EXIT "3"
#define VIDEOS "t.videos"
#define CONF \
	"renders = { wait_tiers = [\"1s\", \"2s\", \"3s\"]; max_attempts = 30; prefetch = 10; };"

/* The world: fake-plainly with its plainly_args (NULL-terminated), conf
 * for the programs; the topology declared; a queue bound to bf.videos. */
static int up(struct world *w, const char *tag, const char *const *plainly_args, const char *conf)
{
	const struct world_opts o = { .prefix = "t-rend",
				      .scenario = "tests/data/scenarios/fake-selftest",
				      .plainly = true,
				      .plainly_key = API_KEY,
				      .plainly_args = plainly_args,
				      .extra_conf = conf,
				      .broker = "test_renders" };
	static const char *const declare[] = { "topology", "declare", NULL };
	char path[300];
	pid_t pid;

	if (world_open(w, tag, &o) != 0)
		return -1;
	pid = world_start(w, "bfctl", "declare", true, NULL, declare);
	if (pid <= 0 || world_reap(w, pid, 30000, "bfctl topology declare") != 0)
		return -1;
	snprintf(path, sizeof(path), "/api/queues/%s/" VIDEOS, w->name);
	if (tenv_mgmt("PUT", path, "{\"durable\": true}", NULL) / 100 != 2)
		return -1;
	snprintf(path, sizeof(path), "/api/bindings/%s/e/bf.videos/q/" VIDEOS, w->name);
	return tenv_mgmt("POST", path, "{\"routing_key\": \"video.#\"}", NULL) / 100 == 2 ? 0 : -1;
}

/* A render accepted by the fake (POST /renders), recorded as the branch
 * consumer records it: renders row submitted, job rendering.  id gets the
 * render's id. */
static int submitted_hook(struct world *w, const struct work_msg *work, const char *hook,
			  const char *state, char *id, size_t n);

static int submitted(struct world *w, const struct work_msg *work, char *id, size_t n)
{
	return submitted_hook(w, work, NULL, "submitted", id, n);
}

/* The same with a webhook (hook: its URL, NULL: none), and the row in
 * state (a "pending" row has no render id yet: the POST's answer is not
 * recorded). */
static int submitted_hook(struct world *w, const struct work_msg *work, const char *hook,
			  const char *state, char *id, size_t n)
{
	struct http_client *h = NULL;
	struct bf_config c;
	struct plainly_render pr;
	char url[200], subject[MSG_KEY_MAX], body[600];
	enum plainly_result res;

	if (msg_key(work, subject, sizeof(subject)) < 0 || http_client_new(&h) != 0)
		return -1;
	memset(&c, 0, sizeof(c));
	snprintf(url, sizeof(url), "%s/api/v2", w->plainly.url);
	c.plainly_base_url = url;
	c.plainly_api_key = (char *)API_KEY;
	c.plainly_timeout = 5;
	if (hook != NULL)
		snprintf(body, sizeof(body),
			 "{\"projectId\":\"proj\",\"templateId\":\"tpl\",\"attributes\":{\"bfSubject\":"
			 "\"%s\"},\"webhook\":{\"url\":\"%s\",\"passthrough\":\"%s\"}}",
			 subject, hook, subject);
	else
		snprintf(body, sizeof(body),
			 "{\"projectId\":\"proj\",\"templateId\":\"tpl\",\"attributes\":{\"bfSubject\":"
			 "\"%s\"}}",
			 subject);
	res = plainly_render_create(h, &c, body, &pr);
	http_client_free(h);
	if (res != PLAINLY_OK) {
		plainly_render_free(&pr);
		return -1;
	}
	snprintf(id, n, "%s", pr.id);
	plainly_render_free(&pr);
	bool pending = strcmp(state, "pending") == 0;
	const char *p[4] = { msg_type_name(work->type), subject, pending ? NULL : id, NULL };
	char ev[32];
	snprintf(ev, sizeof(ev), "%" PRId64, work->event_id);
	p[3] = work->type == MSG_TSTATS ? NULL : ev;
	if (sql_cmd(w->db,
		    pending ? "INSERT INTO renders (kind, subject, state, plainly_render_id)"
			      " VALUES ($1, $2, 'pending', $3)"
			    : "INSERT INTO renders (kind, subject, state, plainly_render_id, plainly_state)"
			      " VALUES ($1, $2, 'submitted', $3, 'PENDING')",
		    3, p) != 0)
		return -1;
	const char *j[3] = { p[0], p[1], p[3] };
	return sql_cmd(w->db,
		       "INSERT INTO jobs (kind, subject, event_id, state, attempts)"
		       " VALUES ($1, $2, $3::bigint, 'rendering', 0)",
		       3, j);
}

/* Publishes the render message of work, confirmed. */
static int follow(struct world *w, const struct work_msg *work)
{
	struct work_msg r;

	if (msg_follow(work, &r) != 0 || world_publish(w, &r, "test_renders") != 0)
		return -1;
	return broker_flush(w->b, 10000);
}

/* Runs bf-renders until it has been idle for IDLE_EXIT seconds. */
static int run_renders(struct world *w, const char *tag)
{
	static const char *const set[] = { "BF_PLAINLY_API_KEY=" API_KEY, NULL };
	static const char *const args[] = { "--idle-exit", IDLE_EXIT, NULL };
	pid_t pid = world_start(w, "bf-renders", tag, true, set, args);

	return pid > 0 ? world_reap(w, pid, 60000, "bf-renders") : -1;
}

/* The video events in the test's queue (taken), as parsed bodies in an
 * array, each with its "_message_id" and "_routing_key". */
static cJSON *take_events(struct world *w)
{
	cJSON *all = cJSON_CreateArray();
	struct broker_delivery d;

	while (broker_get(w->b, VIDEOS, &d) == 1) {
		cJSON *o = cJSON_ParseWithLength(d.body, d.len);
		if (o == NULL)
			o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "_message_id", d.message_id);
		cJSON_AddStringToObject(o, "_routing_key", d.routing_key);
		cJSON_AddItemToArray(all, o);
		broker_ack(w->b, &d);
		broker_delivery_free(&d);
	}
	return all;
}

static const cJSON *event_of(const cJSON *evs, const char *subject)
{
	const cJSON *e;

	cJSON_ArrayForEach (e, evs)
		if (strcmp(cJSON_GetStringValue(cJSON_GetObjectItem(e, "subject")), subject) == 0)
			return e;
	return NULL;
}

static void col(struct world *w, const char *sql, const char *subject, char *buf, size_t n)
{
	sql_text(w->db, sql, subject, buf, n);
}

/*
 * Two renders: one ends DONE, one FAILED after it was accepted.  The DONE
 * one: renders row done with the video's URL and expiry, its attempt in
 * render_attempts, job done, one video.result.done event.  The FAILED one:
 * its work message in bf.line-up.dead with reason render-failed and
 * Plainly's error, row failed, job dead, a video.line-up.failed event.
 * Redelivered render messages then publish the same events again (same
 * message_id) and change nothing.
 */
static void done_and_failed_body(struct world *w)
{
	const struct work_msg res = { .type = MSG_RESULT, .event_id = 9101 };
	const struct work_msg lu = { .type = MSG_LINEUP, .event_id = 9201 };
	char id_res[96], id_lu[96], buf[1200];
	struct broker_delivery d;
	cJSON *evs;
	const cJSON *e;

	static const char *const args[] = { "--lifecycle", "100,200,300", "--final-script",
					    "done,failed", NULL };

	REQUIRE(up(w, "final", args, CONF) == 0);
	REQUIRE(submitted(w, &res, id_res, sizeof(id_res)) == 0);
	REQUIRE(submitted(w, &lu, id_lu, sizeof(id_lu)) == 0);
	REQUIRE(follow(w, &res) == 0 && follow(w, &lu) == 0);
	CHECK_INT(run_renders(w, "run1"), 0);

	/* DONE */
	col(w, "SELECT state FROM renders WHERE subject = $1", "result:9101", buf, sizeof(buf));
	CHECK_STR(buf, "done");
	col(w, "SELECT output_url FROM renders WHERE subject = $1", "result:9101", buf,
	    sizeof(buf));
	CHECK(strstr(buf, id_res) != NULL);
	CHECK(sql_long(w->db,
		       "SELECT count(*) FROM renders WHERE subject = 'result:9101'"
		       " AND expires_at > now() + interval '6 days' AND finished_at IS NOT NULL",
		       NULL) == 1);
	col(w, "SELECT state FROM jobs WHERE subject = $1", "result:9101", buf, sizeof(buf));
	CHECK_STR(buf, "done");
	CHECK_INT(sql_long(w->db,
			   "SELECT count(*) FROM render_attempts WHERE subject = 'result:9101'"
			   " AND state = 'DONE' AND attempt = 1",
			   NULL),
		  1);
	/* FAILED: the work message dead-lettered for a replay */
	col(w, "SELECT state FROM renders WHERE subject = $1", "line-up:9201", buf, sizeof(buf));
	CHECK_STR(buf, "failed");
	col(w, "SELECT state FROM jobs WHERE subject = $1", "line-up:9201", buf, sizeof(buf));
	CHECK_STR(buf, "dead");
	col(w, "SELECT last_error FROM jobs WHERE subject = $1", "line-up:9201", buf, sizeof(buf));
	CHECK(strstr(buf, "After Effects render failed") != NULL);
	CHECK_INT(world_depth(w, "bf.line-up.dead", 1, 5000), 1);
	REQUIRE(broker_get(w->b, "bf.line-up.dead", &d) == 1);
	CHECK_STR(d.reason, "render-failed");
	CHECK(strstr(d.error, "FAILED") != NULL && strstr(d.error, "After Effects") != NULL);
	CHECK_STR(d.message_id, "line-up:9201");
	CHECK_STR(d.type, "line-up");
	CHECK(strstr(d.body, "\"event_id\":9201") != NULL);
	printf("#   dead letter: x-bf-reason=%s x-bf-error=%s\n", d.reason, d.error);
	broker_delivery_free(&d);

	/* one event each */
	CHECK_INT(world_depth(w, VIDEOS, 2, 5000), 2);
	evs = take_events(w);
	CHECK_INT(cJSON_GetArraySize(evs), 2);
	e = event_of(evs, "result:9101");
	REQUIRE(e != NULL);
	CHECK_STR(cJSON_GetStringValue(cJSON_GetObjectItem(e, "state")), "done");
	CHECK_STR(cJSON_GetStringValue(cJSON_GetObjectItem(e, "kind")), "result");
	CHECK_INT((long long)cJSON_GetNumberValue(cJSON_GetObjectItem(e, "event_id")), 9101);
	CHECK_STR(cJSON_GetStringValue(cJSON_GetObjectItem(e, "render_id")), id_res);
	CHECK(strstr(cJSON_GetStringValue(cJSON_GetObjectItem(e, "output")), id_res) != NULL);
	CHECK(cJSON_IsString(cJSON_GetObjectItem(e, "expires_at")));
	CHECK(cJSON_IsNull(cJSON_GetObjectItem(e, "error")));
	CHECK_STR(cJSON_GetStringValue(cJSON_GetObjectItem(e, "_routing_key")),
		  "video.result.done");
	snprintf(buf, sizeof(buf), "video:result:9101:%s:done", id_res);
	CHECK_STR(cJSON_GetStringValue(cJSON_GetObjectItem(e, "_message_id")), buf);
	e = event_of(evs, "line-up:9201");
	REQUIRE(e != NULL);
	CHECK_STR(cJSON_GetStringValue(cJSON_GetObjectItem(e, "state")), "failed");
	CHECK(cJSON_IsNull(cJSON_GetObjectItem(e, "output")));
	CHECK(strstr(cJSON_GetStringValue(cJSON_GetObjectItem(e, "error")), "After Effects") !=
	      NULL);
	CHECK_STR(cJSON_GetStringValue(cJSON_GetObjectItem(e, "_routing_key")),
		  "video.line-up.failed");
	cJSON_Delete(evs);

	/* redelivered: the same events again, nothing else; a job a branch
	 * consumer's redelivery recorded as rendering after the end is ended
	 * again */
	REQUIRE(sql_cmd(w->db, "UPDATE jobs SET state = 'rendering', finished_at = NULL", 0,
			NULL) == 0);
	REQUIRE(follow(w, &res) == 0 && follow(w, &lu) == 0);
	CHECK_INT(run_renders(w, "run2"), 0);
	CHECK_INT(world_depth(w, VIDEOS, 2, 5000), 2);
	evs = take_events(w);
	e = event_of(evs, "result:9101");
	REQUIRE(e != NULL);
	snprintf(buf, sizeof(buf), "video:result:9101:%s:done", id_res);
	CHECK_STR(cJSON_GetStringValue(cJSON_GetObjectItem(e, "_message_id")), buf);
	cJSON_Delete(evs);
	CHECK_INT(world_depth(w, "bf.line-up.dead", 0, 3000), 0);
	CHECK_INT(sql_long(w->db, "SELECT count(*) FROM render_attempts", NULL), 2);
	CHECK_INT(sql_long(w->db,
			   "SELECT count(*) FROM jobs WHERE finished_at IS NOT NULL AND"
			   " ((subject = 'result:9101' AND state = 'done') OR"
			   "  (subject = 'line-up:9201' AND state = 'dead'))",
			   NULL),
		  2);
	CHECK_INT(world_depth(w, "bf.render", 0, 3000), 0);
	CHECK_INT(world_depth(w, "bf.render.dead", 0, 3000), 0);

	/* bfctl status --event: each video's state, URL and expiry */
	static const char *const st[] = { "status", "--event", "9101", NULL };
	pid_t pid = world_start(w, "bfctl", "status", true, NULL, st);
	char log[512];
	REQUIRE(pid > 0);
	CHECK_INT(world_reap(w, pid, 30000, "bfctl status"), 0);
	world_log(w, "status", log, sizeof(log));
	snprintf(buf, sizeof(buf), "video result:9101            done      attempt 1 http");
	CHECK_INT(tenv_count_lines(log, buf), 1);
	snprintf(buf, sizeof(buf), "/files/%s.mp4 expires 20", id_res);
	CHECK_INT(tenv_count_lines(log, buf), 1);

	/* bfctl render again: on purpose, a new video for a subject that has one */
	static const char *const again[] = { "render", "again", "result:9101", NULL };
	static const char *const none[] = { "render", "again", "result:424242", NULL };
	static const char *const bad[] = { "render", "again", "result:x", NULL };
	CHECK_INT(world_reap(w, world_start(w, "bfctl", "again", true, NULL, again), 30000,
			     "bfctl render again"),
		  0);
	CHECK_INT(world_reap(w, world_start(w, "bfctl", "none", true, NULL, none), 30000,
			     "bfctl render again (none)"),
		  1);
	CHECK_INT(world_reap(w, world_start(w, "bfctl", "bad", true, NULL, bad), 30000,
			     "bfctl render again (bad)"),
		  2);
	col(w, "SELECT state FROM renders WHERE subject = $1", "result:9101", buf, sizeof(buf));
	CHECK_STR(buf, "failed");
	col(w, "SELECT error FROM renders WHERE subject = $1", "result:9101", buf, sizeof(buf));
	CHECK(strstr(buf, "bfctl render again") != NULL);
	col(w, "SELECT state FROM jobs WHERE subject = $1", "result:9101", buf, sizeof(buf));
	CHECK_STR(buf, "enqueued");
	CHECK_INT(world_depth(w, "bf.result", 1, 5000), 1);
	REQUIRE(broker_get(w->b, "bf.result", &d) == 1);
	CHECK_STR(d.message_id, "result:9101");
	CHECK_STR(d.body, "{\"event_id\":9101,\"processing_type\":\"result\"}");
	broker_delivery_free(&d);
}

static void done_and_failed(void)
{
	struct world w;

	done_and_failed_body(&w);
	world_close(&w);
}

/*
 * What cannot be followed: no renders row (dead: unknown-render), a row
 * still pending (the POST's answer not recorded: checked again from a wait
 * tier, dead with attempts-exhausted after max_attempts, 3 here), a dry run
 * (nothing to follow: done), a render Plainly does not know (dead:
 * render-unknown), Plainly down (checked again, the row untouched).
 */
static void cannot_follow_body(struct world *w)
{
	const struct work_msg none = { .type = MSG_RESULT, .event_id = 1 };
	const struct work_msg pending = { .type = MSG_RESULT, .event_id = 2 };
	const struct work_msg dry = { .type = MSG_RESULT, .event_id = 3 };
	const struct work_msg gone = { .type = MSG_RESULT, .event_id = 4 };
	struct broker_delivery d;
	char log[512];

	REQUIRE(up(w, "cannot", NULL,
		   "renders = { wait_tiers = [\"1s\", \"2s\", \"3s\"]; max_attempts = 3; };") == 0);
	REQUIRE(sql_cmd(w->db,
			"INSERT INTO renders (kind, subject, state, plainly_render_id) VALUES"
			" ('result', 'result:2', 'pending', NULL),"
			" ('result', 'result:3', 'dry-run', NULL),"
			" ('result', 'result:4', 'submitted', '00000000-0000-0000-0000-00000000dead')",
			0, NULL) == 0);
	REQUIRE(follow(w, &none) == 0 && follow(w, &pending) == 0 && follow(w, &dry) == 0 &&
		follow(w, &gone) == 0);
	CHECK_INT(run_renders(w, "run1"), 0);
	CHECK_INT(world_depth(w, "bf.render.dead", 3, 5000), 3);
	for (int i = 0; i < 3; i++) {
		REQUIRE(broker_get(w->b, "bf.render.dead", &d) == 1);
		if (strcmp(d.message_id, "render:result:1") == 0)
			CHECK_STR(d.reason, "unknown-render");
		else if (strcmp(d.message_id, "render:result:4") == 0)
			CHECK_STR(d.reason, "render-unknown");
		else if (strcmp(d.message_id, "render:result:2") == 0)
			CHECK_STR(d.reason, "attempts-exhausted");
		else
			t_fail(__FILE__, __LINE__, "unexpected dead letter %s", d.message_id);
		broker_ack(w->b, &d);
		broker_delivery_free(&d);
	}
	world_log(w, "run1", log, sizeof(log));
	CHECK_INT(tenv_count_lines(log, "reason=not-submitted"), 3);
	CHECK(tenv_count_lines(log, "subject=result:3 type=render attempt=0 outcome=done") == 1);
	CHECK_INT(world_depth(w, VIDEOS, 0, 2000), 0);

	/* Plainly down: checked again later, nothing recorded */
	const struct work_msg later = { .type = MSG_RESULT, .event_id = 5 };
	char id[96];
	REQUIRE(submitted(w, &later, id, sizeof(id)) == 0);
	tenv_fake_stop(&w->plainly);
	REQUIRE(follow(w, &later) == 0);
	CHECK_INT(run_renders(w, "down"), 0);
	world_log(w, "down", log, sizeof(log));
	CHECK(tenv_count_lines(log, "reason=plainly-transient") >= 1);
	char buf[64];
	col(w, "SELECT state FROM renders WHERE subject = $1", "result:5", buf, sizeof(buf));
	CHECK_STR(buf, "submitted");
	col(w, "SELECT state FROM jobs WHERE subject = $1", "result:5", buf, sizeof(buf));
	CHECK_STR(buf, "rendering");
}

static void cannot_follow(void)
{
	struct world w;

	cannot_follow_body(&w);
	world_close(&w);
}

/*
 * Nobody listens on bf.videos (no queue bound): the video event is dropped
 * by the broker, which is fine; the render is done all the same (it was
 * retried for ever while events were published as mandatory).
 */
static void no_subscriber_body(struct world *w)
{
	static const char *const args[] = { "--lifecycle", "50,100,150", NULL };
	const struct work_msg res = { .type = MSG_RESULT, .event_id = 9501 };
	char id[96], buf[64], path[300], log[512];

	REQUIRE(up(w, "nosub", args, CONF) == 0);
	snprintf(path, sizeof(path), "/api/queues/%s/" VIDEOS, w->name);
	REQUIRE(tenv_mgmt("DELETE", path, NULL, NULL) / 100 == 2);
	REQUIRE(submitted(w, &res, id, sizeof(id)) == 0);
	REQUIRE(follow(w, &res) == 0);
	CHECK_INT(run_renders(w, "run"), 0);
	col(w, "SELECT state FROM renders WHERE subject = $1", "result:9501", buf, sizeof(buf));
	CHECK_STR(buf, "done");
	world_log(w, "run", log, sizeof(log));
	CHECK_INT(tenv_count_lines(log, "video event not confirmed"), 0);
	CHECK_INT(tenv_count_lines(log, "outcome=done note=\"video ready"), 1);
}

static void no_subscriber_still_done(void)
{
	struct world w;

	no_subscriber_body(&w);
	world_close(&w);
}

/*
 * bfctl render follow: renders a version without bf-renders accepted (rows
 * 'submitted', jobs 'done', no render message) are followed once asked:
 * their jobs 'rendering', a render message each, then DONE by bf-renders.
 * A final render is not followed again; a subject without an accepted
 * render is refused (exit 1), a malformed one is a usage error (exit 2).
 */
static void follow_body(struct world *w)
{
	static const char *const args[] = { "--lifecycle", "50,100,150", NULL };
	static const char *const all[] = { "render", "follow", "--submitted", NULL };
	static const char *const done[] = { "render", "follow", "line-up:9603", NULL };
	static const char *const bad[] = { "render", "follow", "line-up:x", NULL };
	const struct work_msg a = { .type = MSG_RESULT, .event_id = 9601 };
	const struct work_msg b = { .type = MSG_LINEUP, .event_id = 9602 };
	const struct work_msg c = { .type = MSG_LINEUP, .event_id = 9603 };
	char id[96], log[512];

	REQUIRE(up(w, "follow", args, CONF) == 0);
	REQUIRE(submitted(w, &a, id, sizeof(id)) == 0 && submitted(w, &b, id, sizeof(id)) == 0 &&
		submitted(w, &c, id, sizeof(id)) == 0);
	/* what the version before bf-renders left; line-up:9603 has its video */
	REQUIRE(sql_exec(w->db, "UPDATE jobs SET state = 'done', finished_at = now();"
				"UPDATE renders SET state = 'done', plainly_state = 'DONE'"
				" WHERE subject = 'line-up:9603'") == 0);
	CHECK_INT(world_reap(w, world_start(w, "bfctl", "follow", true, NULL, all), 30000,
			     "bfctl render follow --submitted"),
		  0);
	world_log(w, "follow", log, sizeof(log));
	CHECK_INT(tenv_count_lines(log, "2 renders followed"), 1);
	CHECK_INT(sql_long(w->db,
			   "SELECT count(*) FROM jobs WHERE state = 'rendering' AND finished_at IS NULL"
			   " AND subject IN ('result:9601', 'line-up:9602')",
			   NULL),
		  2);
	CHECK_INT(world_depth(w, "bf.render", 2, 5000), 2);
	CHECK_INT(run_renders(w, "run"), 0);
	CHECK_INT(sql_long(w->db, "SELECT count(*) FROM renders WHERE state = 'done'", NULL), 3);
	CHECK_INT(sql_long(w->db, "SELECT count(*) FROM jobs WHERE state = 'done'", NULL), 3);
	CHECK_INT(world_depth(w, VIDEOS, 2, 5000), 2);
	CHECK_INT(world_reap(w, world_start(w, "bfctl", "follow-done", true, NULL, done), 30000,
			     "bfctl render follow (final)"),
		  1);
	CHECK_INT(world_reap(w, world_start(w, "bfctl", "follow-bad", true, NULL, bad), 30000,
			     "bfctl render follow (bad)"),
		  2);
	CHECK_INT(world_depth(w, "bf.render", 0, 3000), 0);
}

static void follow_what_an_older_version_left(void)
{
	struct world w;

	follow_body(&w);
	world_close(&w);
}

/* Entries of dir other than . and .. (hidden ones too); -1 when it cannot
 * be read.  The one file's name in name (when there is one). */
static int dir_entries(const char *dir, char *name, size_t n)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int count = 0;

	if (d == NULL)
		return -1;
	while ((e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		snprintf(name, n, "%s", e->d_name);
		count++;
	}
	closedir(d);
	return count;
}

/* SHA-256 of a file, hex; "" when it cannot be read. */
static void file_sha256(const char *path, char *hex, size_t n, long long *bytes)
{
	unsigned char buf[65536], md[EVP_MAX_MD_SIZE];
	unsigned int len = 0;
	EVP_MD_CTX *c = EVP_MD_CTX_new();
	FILE *f = fopen(path, "rb");
	size_t got;

	hex[0] = '\0';
	*bytes = 0;
	if (f == NULL || c == NULL || EVP_DigestInit_ex(c, EVP_sha256(), NULL) != 1)
		goto out;
	while ((got = fread(buf, 1, sizeof(buf), f)) > 0) {
		EVP_DigestUpdate(c, buf, got);
		*bytes += (long long)got;
	}
	EVP_DigestFinal_ex(c, md, &len);
	for (unsigned int i = 0; i < len && 2 * i + 2 < n; i++)
		snprintf(hex + 2 * i, n - 2 * i, "%02x", md[i]);
out:
	if (f != NULL)
		fclose(f);
	EVP_MD_CTX_free(c);
}

/*
 * renders.archive_dir: a DONE video is downloaded before the render is
 * recorded.  A bf-renders killed (SIGKILL) in the middle of the download
 * leaves nothing in the archive and the render unrecorded; the next one
 * (the message is redelivered) downloads it whole: the bytes are the
 * video's, its SHA-256 and size are recorded with the render.
 */
static void archive_body(struct world *w)
{
	static const char *const args[] = { "--lifecycle", "50,100,150",	"--output-bytes",
					    "4000000",	   "--output-delay-ms", "15",
					    NULL };
	const struct work_msg res = { .type = MSG_RESULT, .event_id = 9301 };
	char conf[1200], dir[700], id[96], name[400], path[1200], log[512], buf[1400], want[300],
		sha[80];
	long long bytes = 0;
	pid_t pid;

	snprintf(dir, sizeof(dir), "%s/var/test/archive-%d", tenv_root(), (int)getpid());
	REQUIRE(tenv_mkdirs(dir) == 0);
	snprintf(conf, sizeof(conf),
		 "renders = { wait_tiers = [\"1s\", \"2s\", \"3s\"]; max_attempts = 30;"
		 " archive_dir = \"%s\"; };",
		 dir);
	REQUIRE(up(w, "archive", args, conf) == 0);
	REQUIRE(submitted(w, &res, id, sizeof(id)) == 0);
	REQUIRE(follow(w, &res) == 0);

	/* killed while the 4 MB arrive (about 7 s at 8 KiB every 15 ms) */
	static const char *const set[] = { "BF_PLAINLY_API_KEY=" API_KEY, NULL };
	pid = world_start(w, "bf-renders", "killed", true, set, NULL);
	REQUIRE(pid > 0);
	world_log(w, "killed", log, sizeof(log));
	CHECK(tenv_wait_lines(log, "archiving subject=result:9301", 1, 15000));
	tenv_sleep_ms(1000);
	CHECK(kill(pid, SIGKILL) == 0);
	CHECK_INT(world_reap(w, pid, 5000, "bf-renders (killed)"), 128 + SIGKILL);
	CHECK_INT(dir_entries(dir, name, sizeof(name)), 0);
	col(w, "SELECT state FROM renders WHERE subject = $1", "result:9301", buf, sizeof(buf));
	CHECK_STR(buf, "submitted");

	/* the next one: the whole video, once */
	CHECK_INT(run_renders(w, "again"), 0);
	CHECK_INT(dir_entries(dir, name, sizeof(name)), 1);
	snprintf(want, sizeof(want), "result-9301-%s.mp4", id);
	CHECK_STR(name, want);
	snprintf(path, sizeof(path), "%s/%s", dir, want);
	file_sha256(path, sha, sizeof(sha), &bytes);
	CHECK_INT(bytes, 4000000);
	FILE *f = fopen(path, "r");
	REQUIRE(f != NULL);
	CHECK(fgets(buf, sizeof(buf), f) != NULL);
	fclose(f);
	snprintf(want, sizeof(want), "fake-plainly render %s\n", id);
	CHECK_STR(buf, want);
	col(w, "SELECT state FROM renders WHERE subject = $1", "result:9301", buf, sizeof(buf));
	CHECK_STR(buf, "done");
	col(w, "SELECT archive_sha256 FROM renders WHERE subject = $1", "result:9301", buf,
	    sizeof(buf));
	CHECK_STR(buf, sha);
	col(w, "SELECT archive_path FROM renders WHERE subject = $1", "result:9301", buf,
	    sizeof(buf));
	CHECK_STR(buf, path);
	CHECK_INT(sql_long(w->db, "SELECT archive_bytes FROM renders WHERE subject = 'result:9301'",
			   NULL),
		  4000000);
	printf("#   archived %s: %lld bytes, sha256 %s\n", path, bytes, sha);
	CHECK_INT(world_depth(w, VIDEOS, 1, 5000), 1);
}

static void archive_killed_leaves_nothing(void)
{
	struct world w;

	archive_body(&w);
	world_close(&w);
}

/* A free TCP port of 127.0.0.1 (bound, read, closed). */
static unsigned free_port(void)
{
	struct sockaddr_in sa = { .sin_family = AF_INET,
				  .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(sa);
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	unsigned port = 0;

	if (fd >= 0 && bind(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0 &&
	    getsockname(fd, (struct sockaddr *)&sa, &len) == 0)
		port = ntohs(sa.sin_port);
	if (fd >= 0)
		close(fd);
	return port;
}

/*
 * renders.webhook_listen: Plainly's webhook (fake-plainly calls it at the
 * final state, twice: --webhook-duplicates 2) makes bf-renders check the
 * render at once (no render message published by anyone else); a
 * duplicate finds it final and only repeats its event (same message_id); a
 * call without the secret, or with a wrong one, is refused with 403 and
 * publishes nothing; a webhook that arrives before the POST's answer is
 * recorded (row pending) is checked again until the row says submitted.
 */
static void webhook_body(struct world *w)
{
	static const char *const args[] = { "--lifecycle", "300,600,900", "--webhook-duplicates",
					    "2", NULL };
	static const char *const set[] = { "BF_PLAINLY_API_KEY=" API_KEY,
					   "BF_RENDERS_WEBHOOK_SECRET=s3cret", NULL };
	static const char *const idle[] = { "--idle-exit", "20", NULL };
	const struct work_msg a = { .type = MSG_RESULT, .event_id = 9401 };
	const struct work_msg b = { .type = MSG_RESULT, .event_id = 9402 };
	unsigned port = free_port();
	char conf[600], hook[200], bad[200], log[512], id_a[96], id_b[96], buf[200];
	pid_t pid;

	REQUIRE(port > 0);
	snprintf(conf, sizeof(conf),
		 "renders = { wait_tiers = [\"2s\", \"3s\", \"4s\"]; max_attempts = 30;"
		 " webhook_listen = \"127.0.0.1:%u\"; };",
		 port);
	REQUIRE(up(w, "webhook", args, conf) == 0);
	pid = world_start(w, "bf-renders", "hook", true, set, idle);
	REQUIRE(pid > 0);
	world_log(w, "hook", log, sizeof(log));
	REQUIRE(tenv_wait_lines(log, "webhook listening on 127.0.0.1:", 1, 10000));

	/* no secret, a wrong one: 403, nothing published */
	snprintf(bad, sizeof(bad), "http://127.0.0.1:%u/plainly", port);
	CHECK_INT(world_http_post(bad, "{\"id\":\"x\",\"passthrough\":\"result:9401\"}"), 403);
	snprintf(bad, sizeof(bad), "http://127.0.0.1:%u/plainly?secret=s3cre", port);
	CHECK_INT(world_http_post(bad, "{\"id\":\"x\",\"passthrough\":\"result:9401\"}"), 403);
	CHECK_INT(tenv_count_lines(log, "webhook refused"), 2);

	/* the webhook alone: checked at once, twice (the duplicate), one video */
	snprintf(hook, sizeof(hook), "http://127.0.0.1:%u/plainly?secret=s3cret", port);
	REQUIRE(submitted_hook(w, &a, hook, "submitted", id_a, sizeof(id_a)) == 0);
	CHECK(tenv_wait_lines(log, "subject=result:9401 type=render attempt=0 outcome=done", 2,
			      10000));
	col(w, "SELECT state FROM renders WHERE subject = $1", "result:9401", buf, sizeof(buf));
	CHECK_STR(buf, "done");
	CHECK_INT(tenv_count_lines(log, "webhook render_id="), 2);
	CHECK_INT(world_depth(w, VIDEOS, 2, 5000), 2);
	cJSON *evs = take_events(w);
	const cJSON *e;
	snprintf(buf, sizeof(buf), "video:result:9401:%s:done", id_a);
	cJSON_ArrayForEach (e, evs)
		CHECK_STR(cJSON_GetStringValue(cJSON_GetObjectItem(e, "_message_id")), buf);
	cJSON_Delete(evs);
	CHECK_INT(sql_long(w->db, "SELECT count(*) FROM render_attempts", NULL), 1);

	/* before the POST's answer is recorded: checked again until it is */
	REQUIRE(submitted_hook(w, &b, hook, "pending", id_b, sizeof(id_b)) == 0);
	CHECK(tenv_wait_lines(log, "subject=result:9402 type=render attempt=0 outcome=retry", 1,
			      10000));
	CHECK(tenv_count_lines(log, "reason=not-submitted") >= 1);
	const char *p[2] = { "result:9402", id_b };
	REQUIRE(sql_cmd(w->db,
			"UPDATE renders SET state = 'submitted', plainly_render_id = $2"
			" WHERE subject = $1",
			2, p) == 0);
	CHECK(tenv_wait_lines(log, "subject=result:9402 type=render attempt=1 outcome=done", 1,
			      15000) ||
	      tenv_wait_lines(log, "subject=result:9402 type=render attempt=2 outcome=done", 1,
			      5000));
	col(w, "SELECT state FROM renders WHERE subject = $1", "result:9402", buf, sizeof(buf));
	CHECK_STR(buf, "done");

	CHECK(kill(pid, SIGTERM) == 0);
	CHECK_INT(world_reap(w, pid, 15000, "bf-renders"), 0);
}

static void webhook_checks_at_once(void)
{
	struct world w;

	webhook_body(&w);
	world_close(&w);
}

int main(int argc, char **argv)
{
	log_init("test_renders");
	tenv_require();
	signals_install();
	curl_global_init(CURL_GLOBAL_DEFAULT);
	/* test_renders NAME... runs only the cases whose name contains NAME */
	static const struct t_case cases[] = {
		T_CASE(done_and_failed),
		T_CASE(cannot_follow),
		T_CASE(archive_killed_leaves_nothing),
		T_CASE(webhook_checks_at_once),
		T_CASE(no_subscriber_still_done),
		T_CASE(follow_what_an_older_version_left),
	};
	t_run_matching(cases, sizeof(cases) / sizeof(cases[0]), argc, argv);
	curl_global_cleanup();
	return t_done();
}
