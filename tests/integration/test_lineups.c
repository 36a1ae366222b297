/*
 * bf-lineups end to end: the real binary against the real RabbitMQ and
 * PostgreSQL of ops/dev/services, with fake Sofascore and fake Plainly.
 * Each case has its own world (tests/support/world.h: vhost, database,
 * fakes, processes), all cleaned up even when a check fails.
 *
 * Sofascore routes: tests/data/scenarios/lineups-cases/ (bodies from
 * tests/data/fixtures/lineups/); the 200-event case generates its scenario under
 * var/test/.  Wait tiers are 1 s and 2 s, near_kickoff 15 min,
 * give_up_after 10 min (tests/support/testenv.c).
 */
#include <cjson/cJSON.h>
#include <curl/curl.h>
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "lib/log.h"
#include "lib/signals.h"
#include "protocol/broker.h"
#include "protocol/message.h"
#include "tests/support/query.h"
#include "tests/support/scrape.h"
#include "tests/support/t.h"
#include "tests/support/testenv.h"
#include "tests/support/world.h"

#define SCENARIO "tests/data/scenarios/lineups-cases"
#define FIXTURE_CONFIRMED "tests/data/fixtures/lineups/lineups_confirmed.json"
#define API_KEY "testkey"
/* longer than the longest test wait tier (2s): a message waiting there is
 * not left behind */
#define IDLE_EXIT "3"
#define HOME_ID 4701
#define AWAY_ID 4702

/* ---- small helpers ------------------------------------------------------- */

static void sleep_us(long us)
{
	struct timespec ts = { us / 1000000, (us % 1000000) * 1000 };

	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

static int insert_teams(const struct world *w)
{
	return sql_cmd(w->db,
		       "INSERT INTO teams (id, name, short_name) VALUES"
		       " (4701, 'Northbridge United', 'Northbridge'),"
		       " (4702, 'Southport Rovers', 'Southport')",
		       0, NULL);
}

/* Events first..first+count-1 kicking off at start (epoch seconds). */
static int insert_events(const struct world *w, long long first, int count, long long start)
{
	char a[32], b[32], c[32];
	const char *p[3] = { a, b, c };

	snprintf(a, sizeof(a), "%lld", first);
	snprintf(b, sizeof(b), "%d", count);
	snprintf(c, sizeof(c), "%lld", start);
	return sql_cmd(w->db,
		       "INSERT INTO events (id, unique_tournament_id, tournament_name, season_id,"
		       " season_name, round, home_team_id, away_team_id, home_name, away_name,"
		       " start_time, status_code, status_type)"
		       " SELECT g, 17, 'Premier League', 96668, 'Premier League 26/27', 12,"
		       "  4701, 4702, 'Northbridge United', 'Southport Rovers',"
		       "  to_timestamp($3::bigint), 0, 'notstarted'"
		       " FROM generate_series($1::bigint, $1::bigint + $2::int - 1) AS g",
		       3, p);
}

/* ---- the fake Plainly's statistics ------------------------------------------ */

static int stats_int(const cJSON *stats, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(stats, key);

	return cJSON_IsNumber(v) ? v->valueint : -1;
}

static int stats_subject(const cJSON *stats, const char *group, const char *subject)
{
	const cJSON *g = cJSON_GetObjectItemCaseSensitive(stats, group);
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(g, subject);

	return cJSON_IsNumber(v) ? v->valueint : 0;
}

/* ---- world ----------------------------------------------------------------- */

/* One case: its world (teams inserted), the body, the world closed. */
static void run_in_world(const char *tag, const char *scenario_dir, const char *plainly_script,
			 const char *extra_conf, void (*body)(struct world *))
{
	const struct world_opts o = {
		.prefix = "t-lu",
		.scenario = scenario_dir,
		.plainly = true,
		.plainly_script = plainly_script,
		.extra_conf = extra_conf,
		.broker = "test_lineups",
	};

	world_case(tag, &o, insert_teams, body);
}

/*
 * Starts bin/bf-lineups -c CONF [--idle-exit 4] with the API key (renders go
 * to the fake Plainly) and this world's broker and database: the
 * BF_AMQP_URL / BF_DATABASE_URL that ops/dev/services exports would
 * otherwise override the file.  Log: var/log/<world>-<tag>.log.
 */
static pid_t spawn_lineups(struct world *w, const char *tag, bool idle_exit)
{
	static const char *const set[] = { "BF_PLAINLY_API_KEY=" API_KEY, NULL };
	static const char *const idle[] = { "--idle-exit", IDLE_EXIT, NULL };

	return world_start(w, "bf-lineups", tag, true, set, idle_exit ? idle : NULL);
}

static int publish_lineup(struct world *w, int64_t event_id)
{
	struct work_msg m = { .type = MSG_LINEUP, .event_id = event_id };

	return world_publish(w, &m, "test_lineups");
}

static long job_long(const struct world *w, const char *col, const char *subject)
{
	char sql[256];

	snprintf(sql, sizeof(sql), "SELECT %s FROM jobs WHERE kind = 'line-up' AND subject = $1",
		 col);
	return sql_long(w->db, sql, subject);
}

static void job_state(const struct world *w, const char *subject, char *buf, size_t n)
{
	world_job_state(w, "line-up", subject, buf, n);
}

static void render_col(const struct world *w, const char *col, const char *subject, char *buf,
		       size_t n)
{
	char sql[256];

	snprintf(sql, sizeof(sql), "SELECT %s FROM renders WHERE kind = 'line-up' AND subject = $1",
		 col);
	sql_text(w->db, sql, subject, buf, n);
}

/* The render at the fake Plainly: GET /renders/{id}; its bfSubject must
 * be subject.  Call after counting recorded requests (this one is
 * recorded too). */
static void check_render_at_plainly(const struct world *w, const char *render_id,
				    const char *subject)
{
	char url[512];
	long st;
	cJSON *r;

	if (render_id[0] == '\0') {
		t_fail(__FILE__, __LINE__, "no plainly_render_id recorded for %s", subject);
		return;
	}
	snprintf(url, sizeof(url), "%s/api/v2/renders/%s", w->plainly.url, render_id);
	r = tenv_http_get_json(url, API_KEY ":", &st);
	if (st != 200 || r == NULL) {
		t_fail(__FILE__, __LINE__, "GET /renders/%s at the fake: HTTP %ld", render_id, st);
	} else {
		const cJSON *a = cJSON_GetObjectItemCaseSensitive(r, "attributes");
		const cJSON *s = cJSON_GetObjectItemCaseSensitive(a, "bfSubject");
		const cJSON *pid = cJSON_GetObjectItemCaseSensitive(r, "projectId");
		CHECK(cJSON_IsString(s) && strcmp(s->valuestring, subject) == 0);
		CHECK(cJSON_IsString(pid) && strcmp(pid->valuestring, "proj-lineup") == 0);
	}
	cJSON_Delete(r);
}

/* The state of a subject whose render was accepted: job rendering (bf-renders
 * ends it), render submitted with the id of a render the fake Plainly holds
 * for the subject. */
static void check_rendered(struct world *w, const char *subject)
{
	char state[64], rid[128], pstate[64];

	job_state(w, subject, state, sizeof(state));
	CHECK_STR(state, "rendering");
	render_col(w, "state", subject, state, sizeof(state));
	CHECK_STR(state, "submitted");
	render_col(w, "plainly_render_id", subject, rid, sizeof(rid));
	render_col(w, "plainly_state", subject, pstate, sizeof(pstate));
	CHECK(strcmp(pstate, "PENDING") == 0 || strcmp(pstate, "THROTTLED") == 0);
	/* Plainly's answer is kept, without the parameters it echoes */
	char kept[256];
	render_col(w, "response->>'id'", subject, kept, sizeof(kept));
	CHECK_STR(kept, rid);
	render_col(w, "response->'attributes'->>'bfSubject'", subject, kept, sizeof(kept));
	CHECK_STR(kept, subject);
	render_col(w, "(response ? 'parameters')::text", subject, kept, sizeof(kept));
	CHECK_STR(kept, "false");
	check_render_at_plainly(w, rid, subject);
}

/* ---- document checks (the line-up fixture) ------------------------------ */

struct side_want {
	const char *key;
	long long id;
	const char *name, *short_name, *formation;
	long long starters[11];
	int shirts[11];
	long long captain;
	long long subs[4];
	int sub_shirts[4]; /* 0 = null */
	const char *missing[2][2];
	int nmissing;
};

static const struct side_want sides_want[2] = {
	{ "home",
	  HOME_ID,
	  "Northbridge United",
	  "Northbridge",
	  "4-2-3-1",
	  { 810002, 810005, 810004, 810003, 810007, 810008, 810006, 810011, 810009, 810010,
	    810001 },
	  { 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 13 },
	  810004,
	  { 810012, 810013, 810015, 810014 },
	  { 1, 14, 17, 20 },
	  { { "Pedro Santos", "Hamstring Injury" }, { "Nils Berg", "suspended" } },
	  2 },
	{ "away",
	  AWAY_ID,
	  "Southport Rovers",
	  "Southport",
	  "3-5-2",
	  { 820001, 820003, 820004, 820006, 820010, 820008, 820009, 820005, 820007, 820011,
	    820002 },
	  { 1, 4, 6, 8, 9, 10, 12, 14, 16, 19, 23 },
	  820006,
	  { 820013, 820015, 820012, 820014 },
	  { 2, 11, 30, 0 },
	  { { "Victor Lindqvist", "Knee Injury" }, { NULL, NULL } },
	  1 },
};

/* parameters = the whole document (no mapping configured). */
static void check_lineup_document(const cJSON *doc, long long event_id, long long start)
{
	char iso[32];
	time_t t = (time_t)start;
	struct tm tm;
	const cJSON *ev = cJSON_GetObjectItemCaseSensitive(doc, "event");

	gmtime_r(&t, &tm);
	strftime(iso, sizeof(iso), "%Y-%m-%dT%H:%M:%SZ", &tm);
	CHECK_STR(jstr(doc, "kind"), "line-up");
	CHECK_INT((long long)jnum(ev, "id"), event_id);
	CHECK_STR(jstr(ev, "start_time"), iso);
	CHECK_STR(jstr(ev, "tournament"), "Premier League");
	CHECK_STR(jstr(ev, "season"), "Premier League 26/27");
	CHECK_INT((long long)jnum(ev, "round"), 12);
	for (int s = 0; s < 2; s++) {
		const struct side_want *w = &sides_want[s];
		const cJSON *side = cJSON_GetObjectItemCaseSensitive(doc, w->key);
		const cJSON *st = cJSON_GetObjectItemCaseSensitive(side, "starters");
		const cJSON *sub = cJSON_GetObjectItemCaseSensitive(side, "substitutes");
		const cJSON *mis = cJSON_GetObjectItemCaseSensitive(side, "missing");
		char crest[128];
		int i = 0, captains = 0;
		const cJSON *p;

		CHECK_INT((long long)jnum(side, "id"), w->id);
		CHECK_STR(jstr(side, "name"), w->name);
		CHECK_STR(jstr(side, "short_name"), w->short_name);
		CHECK_STR(jstr(side, "formation"), w->formation);
		snprintf(crest, sizeof(crest), "https://img.sofascore.com/api/v1/team/%lld/image",
			 w->id);
		CHECK_STR(jstr(side, "crest_url"), crest);
		CHECK_INT(cJSON_GetArraySize(st), 11);
		cJSON_ArrayForEach (p, st) {
			const cJSON *cap = cJSON_GetObjectItemCaseSensitive(p, "captain");
			if (i < 11) {
				if ((long long)jnum(p, "id") != w->starters[i] ||
				    (int)jnum(p, "shirt_number") != w->shirts[i])
					t_fail(__FILE__, __LINE__,
					       "%s.starters[%d]: id %.0f shirt %.0f, want %lld shirt %d",
					       w->key, i, jnum(p, "id"), jnum(p, "shirt_number"),
					       w->starters[i], w->shirts[i]);
			}
			CHECK(cJSON_IsBool(cap));
			if (cJSON_IsTrue(cap)) {
				captains++;
				CHECK_INT((long long)jnum(p, "id"), w->captain);
			}
			CHECK(jstr(p, "name")[0] != '\0' && jstr(p, "short_name")[0] != '\0' &&
			      jstr(p, "position")[0] != '\0');
			i++;
		}
		CHECK_INT(captains, 1);
		CHECK_INT(cJSON_GetArraySize(sub), 4);
		i = 0;
		cJSON_ArrayForEach (p, sub) {
			const cJSON *sh = cJSON_GetObjectItemCaseSensitive(p, "shirt_number");
			if (i < 4) {
				CHECK_INT((long long)jnum(p, "id"), w->subs[i]);
				if (w->sub_shirts[i] == 0)
					CHECK(cJSON_IsNull(sh));
				else
					CHECK_INT((int)jnum(p, "shirt_number"), w->sub_shirts[i]);
			}
			CHECK(cJSON_IsFalse(cJSON_GetObjectItemCaseSensitive(p, "captain")));
			i++;
		}
		CHECK_INT(cJSON_GetArraySize(mis), w->nmissing);
		i = 0;
		cJSON_ArrayForEach (p, mis) {
			if (i < w->nmissing) {
				CHECK_STR(jstr(p, "name"), w->missing[i][0]);
				CHECK_STR(jstr(p, "reason"), w->missing[i][1]);
			}
			i++;
		}
	}
}

/* The request body of a POST /renders: template, subject, auth. */
static void check_post(const cJSON *rec, const char *subject)
{
	const cJSON *body = cJSON_GetObjectItemCaseSensitive(rec, "body");
	const cJSON *attrs = cJSON_GetObjectItemCaseSensitive(body, "attributes");

	/* base64("testkey:") = dGVzdGtleTo= */
	CHECK_STR(jstr(rec, "auth"), "Basic dGVzdGtleTo=");
	CHECK_STR(jstr(body, "projectId"), "proj-lineup");
	CHECK_STR(jstr(body, "templateId"), "tpl-lineup");
	CHECK_STR(jstr(attrs, "bfSubject"), subject);
	CHECK(cJSON_IsObject(cJSON_GetObjectItemCaseSensitive(body, "parameters")));
}

/* ---- 1. re-checks until confirmed ------------------------------------------ */

static void retry_body(struct world *w)
{
	long long start = (long long)time(NULL) + 30 * 60;
	pid_t pid;
	int st;

	REQUIRE(insert_events(w, 7001, 1, start) == 0);
	REQUIRE(publish_lineup(w, 7001) == 0);
	REQUIRE(broker_flush(w->b, 10000) == 0);
	long long t0 = tenv_now_ms();
	pid = spawn_lineups(w, "lineups", true);
	REQUIRE(pid > 0);
	st = world_wait(w, pid, 40000);
	CHECK_INT(st, 0);
	printf("#   404, 404, predicted, predicted, confirmed: %lld ms (idle exit included)\n",
	       tenv_now_ms() - t0);

	CHECK_INT(tenv_count_lines(w->sofa_log, " GET /event/7001/lineups "), 5);
	CHECK_INT(tenv_count_lines(w->sofa_log, " GET /event/7001/lineups 404"), 2);
	cJSON *rec = rec_read(w);
	CHECK_INT(rec_count(rec, "POST", "/renders"), 1);
	const cJSON *post = rec_nth(rec, "POST", "/renders", 0);
	if (post != NULL) {
		check_post(post, "line-up:7001");
		check_lineup_document(cJSON_GetObjectItemCaseSensitive(
					      cJSON_GetObjectItemCaseSensitive(post, "body"),
					      "parameters"),
				      7001, start);
	}
	/* nothing was ever posted for the subject: no reason to list renders first
	 * (Plainly allows ~400 requests a minute) */
	if (rec_count(rec, "GET", "/renders") != 0)
		t_fail(__FILE__, __LINE__,
		       "%d GET /renders before the first POST of a subject never posted "
		       "(reconciliation is for a pending row left by a crash or a lost answer)",
		       rec_count(rec, "GET", "/renders"));
	cJSON_Delete(rec);

	check_rendered(w, "line-up:7001");
	CHECK_INT(job_long(w, "attempts", "line-up:7001"), 4);
	/* kick-off 30 min ahead (> near_kickoff): the long tier every time */
	char logf[600];
	world_log(w, "lineups", logf, sizeof(logf));
	CHECK_INT(tenv_count_lines(logf, "outcome=retry wait=bf.line-up.wait.2s"), 4);
	CHECK_INT(tenv_count_lines(logf, "reason=not-published"), 2);
	CHECK_INT(tenv_count_lines(logf, "reason=unconfirmed"), 2);
	world_check_queues_empty(w, "line-up");
}

static void confirmed_after_404s_and_predicted_one_post(void)
{
	run_in_world("retry", SCENARIO, NULL, NULL, retry_body);
}

/* ---- 2. killed between the POST and the ack -------------------------------- */

static void kill_body(struct world *w)
{
	long long start = (long long)time(NULL) + 30 * 60;
	char state_at_kill[64], state[64], logf[600];
	pid_t pid;
	int posts = 0;

	REQUIRE(insert_events(w, 7002, 1, start) == 0);
	REQUIRE(publish_lineup(w, 7002) == 0);
	REQUIRE(broker_flush(w->b, 10000) == 0);
	pid = spawn_lineups(w, "lineups-1", true);
	REQUIRE(pid > 0);
	/* SIGKILL the moment the fake records the POST */
	long long end = tenv_now_ms() + 20000;
	while (tenv_now_ms() < end) {
		posts = tenv_count_lines(w->record, "\"method\":\"POST\"");
		if (posts > 0)
			break;
		sleep_us(200);
	}
	kill(pid, SIGKILL);
	REQUIRE(posts == 1);
	CHECK_INT(world_wait(w, pid, 5000), 128 + SIGKILL);
	render_col(w, "state", "line-up:7002", state_at_kill, sizeof(state_at_kill));
	job_state(w, "line-up:7002", state, sizeof(state));
	printf("#   killed: renders row %s, jobs row '%s'\n", state_at_kill, state);
	CHECK(strcmp(state_at_kill, "pending") == 0 || strcmp(state_at_kill, "submitted") == 0);
	/* not acked: the broker hands it out again */
	CHECK_INT(world_depth(w, "bf.line-up", 1, 5000), 1);

	pid = spawn_lineups(w, "lineups-2", true);
	REQUIRE(pid > 0);
	CHECK_INT(world_wait(w, pid, 30000), 0);
	world_log(w, "lineups-2", logf, sizeof(logf));
	CHECK_INT(tenv_count_lines(logf, "event_id=7002 type=line-up attempt=0 outcome=done"), 1);
	if (strcmp(state_at_kill, "pending") == 0)
		CHECK_INT(tenv_count_lines(logf, "render reconciled subject=line-up:7002"), 1);
	else
		CHECK_INT(tenv_count_lines(logf, "render already submitted"), 1);

	cJSON *rec = rec_read(w);
	CHECK_INT(rec_count(rec, "POST", "/renders"), 1);
	cJSON_Delete(rec);
	cJSON *stats = world_plainly_stats(w);
	CHECK_INT(stats_int(stats, "posts"), 1);
	CHECK_INT(stats_int(stats, "accepted"), 1);
	CHECK_INT(stats_subject(stats, "by_subject", "line-up:7002"), 1);
	cJSON_Delete(stats);
	check_rendered(w, "line-up:7002");
	world_check_queues_empty(w, "line-up");
}

static void killed_after_post_redelivered_no_second_post(void)
{
	run_in_world("kill", SCENARIO, NULL, NULL, kill_body);
}

static void lost_answer_body(struct world *w)
{
	long long start = (long long)time(NULL) + 30 * 60;
	char logf[600];
	pid_t pid;

	REQUIRE(insert_events(w, 7002, 1, start) == 0);
	REQUIRE(publish_lineup(w, 7002) == 0);
	REQUIRE(broker_flush(w->b, 10000) == 0);
	pid = spawn_lineups(w, "lineups", true);
	REQUIRE(pid > 0);
	CHECK_INT(world_wait(w, pid, 30000), 0);

	cJSON *rec = rec_read(w);
	CHECK_INT(rec_count(rec, "POST", "/renders"), 1);
	/* the render was looked up after the lost answer */
	const cJSON *post = rec_nth(rec, "POST", "/renders", 0);
	const cJSON *list = NULL, *r;
	bool after = false;
	cJSON_ArrayForEach (r, rec) {
		if (r == post)
			after = true;
		else if (after && rec_is(r, "GET", "/renders"))
			list = r;
	}
	CHECK(list != NULL);
	if (list != NULL)
		CHECK(strstr(jstr(list, "query"), "projectId=proj-lineup") != NULL);
	cJSON_Delete(rec);
	cJSON *stats = world_plainly_stats(w);
	CHECK_INT(stats_int(stats, "accepted"), 1);
	CHECK_INT(stats_subject(stats, "posts_by_subject", "line-up:7002"), 1);
	cJSON_Delete(stats);
	world_log(w, "lineups", logf, sizeof(logf));
	CHECK_INT(tenv_count_lines(logf, "render reconciled subject=line-up:7002"), 1);
	CHECK_INT(tenv_count_lines(logf, "reason=plainly-transient"), 1);
	check_rendered(w, "line-up:7002");
	CHECK_INT(job_long(w, "attempts", "line-up:7002"), 1);
	world_check_queues_empty(w, "line-up");
}

static void accepted_then_500_reconciled_one_render(void)
{
	run_in_world("lost", SCENARIO, "accept-then-500", NULL, lost_answer_body);
}

/* ---- 3. Plainly 500 then 200; Plainly INVALID ------------------------------- */

static void p500_body(struct world *w)
{
	long long start = (long long)time(NULL) + 30 * 60;
	pid_t pid;

	REQUIRE(insert_events(w, 7002, 1, start) == 0);
	REQUIRE(publish_lineup(w, 7002) == 0);
	REQUIRE(broker_flush(w->b, 10000) == 0);
	pid = spawn_lineups(w, "lineups", true);
	REQUIRE(pid > 0);
	CHECK_INT(world_wait(w, pid, 30000), 0);
	cJSON *rec = rec_read(w);
	CHECK_INT(rec_count(rec, "POST", "/renders"), 2); /* the 500, then the accepted one */
	const cJSON *p2 = rec_nth(rec, "POST", "/renders", 1);
	CHECK(p2 != NULL && jnum(p2, "status") == 200);
	cJSON_Delete(rec);
	cJSON *stats = world_plainly_stats(w);
	CHECK_INT(stats_int(stats, "accepted"), 1);
	CHECK_INT(stats_subject(stats, "by_subject", "line-up:7002"), 1);
	CHECK_INT(stats_int(stats, "script_left"), 0);
	cJSON_Delete(stats);
	check_rendered(w, "line-up:7002");
	world_check_queues_empty(w, "line-up");
}

static void plainly_500_then_ok_one_render(void)
{
	run_in_world("p500", SCENARIO, "500,ok", NULL, p500_body);
}

/* ---- 3a. one subject twice in one batch: posted once ----------------------------- */

static void twice_body(struct world *w)
{
	long long start = (long long)time(NULL) + 30 * 60;
	char logf[600];
	pid_t pid;

	REQUIRE(insert_events(w, 7002, 1, start) == 0);
	REQUIRE(publish_lineup(w, 7002) == 0);
	REQUIRE(publish_lineup(w, 7002) == 0);
	REQUIRE(broker_flush(w->b, 10000) == 0);
	pid = spawn_lineups(w, "lineups", true);
	REQUIRE(pid > 0);
	CHECK_INT(world_wait(w, pid, 30000), 0);
	world_log(w, "lineups", logf, sizeof(logf));
	/* the second request is carried out after the first, and finds it */
	CHECK_INT(tenv_count_lines(logf, "event_id=7002 type=line-up attempt=0 outcome=done"), 2);
	CHECK_INT(tenv_count_lines(logf, "render already submitted"), 1);
	cJSON *rec = rec_read(w);
	CHECK_INT(rec_count(rec, "POST", "/renders"), 1);
	cJSON_Delete(rec);
	check_rendered(w, "line-up:7002");
	world_check_queues_empty(w, "line-up");
}

static void same_subject_twice_in_a_batch_one_post(void)
{
	run_in_world("twice", SCENARIO, NULL, NULL, twice_body);
}

/* ---- 3b. the job record of a final state fails: requeued, not acked ------------ */

static void jobfail_body(struct world *w)
{
	long long start = (long long)time(NULL) + 30 * 60;
	char logf[600], st[32];
	pid_t pid;

	REQUIRE(insert_events(w, 7002, 1, start) == 0);
	/* the first two writes of a "done" job fail (a sequence: not rolled back) */
	REQUIRE(sql_exec(w->db,
			 "CREATE SEQUENCE t_jobfail_seq;"
			 "CREATE FUNCTION t_jobfail() RETURNS trigger LANGUAGE plpgsql AS $$"
			 " BEGIN IF NEW.state = 'rendering' AND nextval('t_jobfail_seq') <= 2 THEN"
			 "  RAISE EXCEPTION 'test: jobs write refused'; END IF; RETURN NEW; END $$;"
			 "CREATE TRIGGER t_jobfail BEFORE INSERT ON jobs FOR EACH ROW"
			 " EXECUTE FUNCTION t_jobfail()") == 0);
	REQUIRE(publish_lineup(w, 7002) == 0);
	REQUIRE(broker_flush(w->b, 10000) == 0);
	pid = spawn_lineups(w, "lineups", true);
	REQUIRE(pid > 0);
	CHECK_INT(world_wait(w, pid, 30000), 0);
	world_log(w, "lineups", logf, sizeof(logf));
	/* requeued twice, then recorded on the third delivery */
	CHECK_INT(tenv_count_lines(
			  logf, "job not recorded: message requeued event_id=7002 state=rendering"),
		  2);
	CHECK_INT(tenv_count_lines(logf, "event_id=7002 type=line-up attempt=0 outcome=done"), 3);
	CHECK_INT(tenv_count_lines(logf, "render already submitted"), 2);
	/* one video */
	cJSON *stats = world_plainly_stats(w);
	CHECK_INT(stats_int(stats, "accepted"), 1);
	CHECK_INT(stats_subject(stats, "by_subject", "line-up:7002"), 1);
	cJSON_Delete(stats);
	job_state(w, "line-up:7002", st, sizeof(st));
	CHECK_STR(st, "rendering");
	check_rendered(w, "line-up:7002");
	world_check_queues_empty(w, "line-up");
}

static void job_record_failure_requeued_not_acked(void)
{
	run_in_world("jobfail", SCENARIO, NULL, NULL, jobfail_body);
}

static void invalid_body(struct world *w)
{
	long long start = (long long)time(NULL) + 30 * 60;
	struct broker_delivery d;
	char state[64];
	pid_t pid;

	REQUIRE(insert_events(w, 7002, 1, start) == 0);
	REQUIRE(publish_lineup(w, 7002) == 0);
	REQUIRE(broker_flush(w->b, 10000) == 0);
	pid = spawn_lineups(w, "lineups", true);
	REQUIRE(pid > 0);
	CHECK_INT(world_wait(w, pid, 30000), 0);

	cJSON *rec = rec_read(w);
	CHECK_INT(rec_count(rec, "POST", "/renders"), 1); /* INVALID is not retried */
	cJSON_Delete(rec);
	CHECK_INT(world_depth(w, "bf.line-up.dead", 1, 3000), 1);
	CHECK_INT(world_depth(w, "bf.line-up", 0, 3000), 0);
	CHECK_INT(world_depth(w, "bf.line-up.wait.1s", 0, 3000), 0);
	CHECK_INT(world_depth(w, "bf.line-up.wait.2s", 0, 3000), 0);
	REQUIRE(broker_get(w->b, "bf.line-up.dead", &d) == 1);
	CHECK_STR(d.reason, "plainly-rejected");
	CHECK(strstr(d.error, "Mandatory parameter homeName is missing") != NULL);
	CHECK_STR(d.message_id, "line-up:7002");
	CHECK_STR(d.type, "line-up");
	printf("#   x-bf-error: %s\n", d.error);
	broker_delivery_free(&d);

	job_state(w, "line-up:7002", state, sizeof(state));
	CHECK_STR(state, "dead");
	char err[600];
	sql_text(w->db, "SELECT last_error FROM jobs WHERE subject = $1", "line-up:7002", err,
		 sizeof(err));
	CHECK(strstr(err, "Mandatory parameter homeName is missing") != NULL);
	render_col(w, "state", "line-up:7002", state, sizeof(state));
	CHECK_STR(state, "failed");
	render_col(w, "error", "line-up:7002", err, sizeof(err));
	CHECK(strstr(err, "RENDER_PARAMETERS_INVALID") != NULL);
}

static void plainly_invalid_dead_lettered(void)
{
	run_in_world("invalid", SCENARIO, "invalid", NULL, invalid_body);
}

/*
 * A subject whose video is DONE (bf-renders wrote it) is never posted again
 * by a redelivery or a replay; `bfctl render again` asks for a new one on
 * purpose: one more POST, the row's attempt counter at 2.
 */
static void again_body(struct world *w)
{
	static const char *const again[] = { "render", "again", "line-up:7002", NULL };
	long long start = (long long)time(NULL) + 30 * 60;
	char state[64], log[512];
	cJSON *rec;

	REQUIRE(insert_events(w, 7002, 1, start) == 0);
	REQUIRE(publish_lineup(w, 7002) == 0);
	REQUIRE(broker_flush(w->b, 10000) == 0);
	CHECK_INT(world_wait(w, spawn_lineups(w, "first", true), 30000), 0);
	rec = rec_read(w);
	CHECK_INT(rec_count(rec, "POST", "/renders"), 1);
	cJSON_Delete(rec);
	/* what bf-renders writes once Plainly says DONE */
	REQUIRE(sql_cmd(w->db,
			"UPDATE renders SET state = 'done', plainly_state = 'DONE',"
			" output_url = 'http://cdn/x.mp4' WHERE subject = 'line-up:7002'",
			0, NULL) == 0);
	REQUIRE(publish_lineup(w, 7002) == 0);
	REQUIRE(broker_flush(w->b, 10000) == 0);
	CHECK_INT(world_wait(w, spawn_lineups(w, "again", true), 30000), 0);
	world_log(w, "again", log, sizeof(log));
	CHECK_INT(tenv_count_lines(log, "render already done"), 1);
	rec = rec_read(w);
	CHECK_INT(rec_count(rec, "POST", "/renders"), 1);
	cJSON_Delete(rec);

	CHECK_INT(world_reap(w, world_start(w, "bfctl", "render-again", true, NULL, again), 30000,
			     "bfctl render again"),
		  0);
	CHECK_INT(world_wait(w, spawn_lineups(w, "asked", true), 30000), 0);
	rec = rec_read(w);
	CHECK_INT(rec_count(rec, "POST", "/renders"), 2);
	cJSON_Delete(rec);
	render_col(w, "state", "line-up:7002", state, sizeof(state));
	CHECK_STR(state, "submitted");
	CHECK_INT(sql_long(w->db, "SELECT attempt FROM renders WHERE subject = 'line-up:7002'",
			   NULL),
		  2);
}

static void done_render_never_again_until_asked(void)
{
	run_in_world("again", SCENARIO, NULL, NULL, again_body);
}

/*
 * A video that fails after Plainly accepted it, the whole way: bf-lineups
 * posts and publishes the render message, bf-renders follows the render
 * to FAILED and dead-letters the work message (render-failed); after
 * `bfctl replay` bf-lineups posts exactly once more and bf-renders follows
 * that render to DONE.  Two renders at Plainly, the job done, the row at
 * attempt 2 with both attempts in its history, one failed and one done
 * video event.
 */
static void failed_replay_body(struct world *w)
{
	static const char *const set[] = { "BF_PLAINLY_API_KEY=" API_KEY, NULL };
	static const char *const replay[] = { "replay", "--type", "line-up", NULL };
	long long start = (long long)time(NULL) + 30 * 60;
	struct broker_delivery d;
	char path[300], st[64];
	pid_t lu, rnd;

	snprintf(path, sizeof(path), "/api/queues/%s/t.videos", w->name);
	REQUIRE(tenv_mgmt("PUT", path, "{\"durable\": true}", NULL) / 100 == 2);
	snprintf(path, sizeof(path), "/api/bindings/%s/e/bf.videos/q/t.videos", w->name);
	REQUIRE(tenv_mgmt("POST", path, "{\"routing_key\": \"video.#\"}", NULL) / 100 == 2);
	REQUIRE(insert_events(w, 7002, 1, start) == 0);
	lu = spawn_lineups(w, "lineups", false);
	rnd = world_start(w, "bf-renders", "renders", true, set, NULL);
	REQUIRE(lu > 0 && rnd > 0);
	REQUIRE(publish_lineup(w, 7002) == 0);
	REQUIRE(broker_flush(w->b, 10000) == 0);

	/* the first render ends FAILED: the work message is dead */
	CHECK_INT(world_depth(w, "bf.line-up.dead", 1, 20000), 1);
	REQUIRE(broker_get(w->b, "bf.line-up.dead", &d) == 1);
	CHECK_STR(d.reason, "render-failed");
	CHECK(strstr(d.error, "FAILED") != NULL);
	CHECK_STR(d.message_id, "line-up:7002");
	REQUIRE(broker_nack(w->b, &d, true) == 0);
	broker_delivery_free(&d);
	CHECK_INT(world_wait_count(w,
				   "SELECT count(*) FROM jobs WHERE subject = 'line-up:7002'"
				   " AND state = 'dead'",
				   1, 10000),
		  1);
	render_col(w, "state", "line-up:7002", st, sizeof(st));
	CHECK_STR(st, "failed");

	/* the operator replays it: one new render, followed to DONE */
	CHECK_INT(world_reap(w, world_start(w, "bfctl", "replay", true, NULL, replay), 30000,
			     "bfctl replay"),
		  0);
	CHECK_INT(world_wait_count(w,
				   "SELECT count(*) FROM jobs WHERE subject = 'line-up:7002'"
				   " AND state = 'done'",
				   1, 20000),
		  1);
	render_col(w, "state", "line-up:7002", st, sizeof(st));
	CHECK_STR(st, "done");
	CHECK_INT(sql_long(w->db, "SELECT attempt FROM renders WHERE subject = 'line-up:7002'",
			   NULL),
		  2);
	CHECK_INT(
		sql_long(w->db,
			 "SELECT count(*) FROM render_attempts WHERE subject = 'line-up:7002'"
			 " AND ((attempt = 1 AND state = 'FAILED') OR (attempt = 2 AND state = 'DONE'))",
			 NULL),
		2);
	cJSON *stats = world_plainly_stats(w);
	CHECK_INT(stats_int(stats, "accepted"), 2);
	CHECK_INT(stats_subject(stats, "posts_by_subject", "line-up:7002"), 2);
	cJSON_Delete(stats);
	/* one event per render: failed, then done */
	CHECK_INT(world_depth(w, "t.videos", 2, 10000), 2);
	const char *want[2] = { "video.line-up.failed", "video.line-up.done" };
	for (int i = 0; i < 2; i++) {
		REQUIRE(broker_get(w->b, "t.videos", &d) == 1);
		CHECK_STR(d.routing_key, want[i]);
		CHECK(strstr(d.body, "\"subject\":\"line-up:7002\"") != NULL);
		broker_delivery_free(&d);
	}
	CHECK_INT(world_wait(w, lu, 0), -1); /* still running */
	kill(lu, SIGTERM);
	kill(rnd, SIGTERM);
	CHECK_INT(world_wait(w, lu, 15000), 0);
	CHECK_INT(world_wait(w, rnd, 15000), 0);
	world_check_queues_empty(w, "line-up");
	CHECK_INT(world_depth(w, "bf.render", 0, 3000), 0);
	CHECK_INT(world_depth(w, "bf.render.dead", 0, 3000), 0);
}

static void failed_render_replayed_one_new_render_done(void)
{
	static const char *const args[] = { "--lifecycle", "100,200,300", "--final-script",
					    "failed,done", NULL };
	const struct world_opts o = {
		.prefix = "t-lu",
		.scenario = SCENARIO,
		.plainly = true,
		.plainly_args = args,
		.broker = "test_lineups",
	};

	world_case("replay", &o, insert_teams, failed_replay_body);
}

/* ---- 4. kick-off long past, never confirmed ------------------------------ */

static void expired_body(struct world *w)
{
	long long start = (long long)time(NULL) - 3600;
	char state[64];
	pid_t pid;

	REQUIRE(insert_events(w, 7004, 1, start) == 0);
	REQUIRE(publish_lineup(w, 7004) == 0);
	REQUIRE(broker_flush(w->b, 10000) == 0);
	pid = spawn_lineups(w, "lineups", true);
	REQUIRE(pid > 0);
	CHECK_INT(world_wait(w, pid, 30000), 0);
	job_state(w, "line-up:7004", state, sizeof(state));
	CHECK_STR(state, "expired");
	cJSON *rec = rec_read(w);
	CHECK_INT(cJSON_GetArraySize(rec), 0); /* Plainly never called */
	cJSON_Delete(rec);
	CHECK_INT(sql_long(w->db, "SELECT count(*) FROM renders", NULL), 0);
	world_check_queues_empty(w, "line-up");
}

static void kickoff_passed_expired_no_post(void)
{
	run_in_world("expired", SCENARIO, NULL, NULL, expired_body);
}

/* ---- 5. poison messages ------------------------------------------------------ */

static void poison_body(struct world *w)
{
	static const struct {
		const char *body;
		const char *error_has; /* the x-bf-error must say what is wrong */
	} poison[] = {
		{ "{\"event_id\": 7002, \"processing_type\": \"line-up\"", "JSON" },
		{ "{\"processing_type\":\"line-up\"}", "event_id" },
		{ "{\"event_id\":1,\"processing_type\":\"result\"}", "result" },
	};
	long long start = (long long)time(NULL) + 30 * 60;
	bool seen[3] = { false, false, false };
	pid_t pid;

	REQUIRE(insert_events(w, 7002, 1, start) == 0);
	for (size_t i = 0; i < 3; i++)
		REQUIRE(world_publish_raw(w, "line-up", NULL, poison[i].body, "test_lineups") == 0);
	REQUIRE(publish_lineup(w, 7002) == 0);
	REQUIRE(broker_flush(w->b, 10000) == 0);
	pid = spawn_lineups(w, "lineups", true);
	REQUIRE(pid > 0);
	CHECK_INT(world_wait(w, pid, 30000), 0);

	CHECK_INT(world_depth(w, "bf.line-up.dead", 3, 3000), 3);
	for (int i = 0; i < 3; i++) {
		struct broker_delivery d;
		if (broker_get(w->b, "bf.line-up.dead", &d) != 1) {
			t_fail(__FILE__, __LINE__, "dead letter %d missing", i);
			break;
		}
		CHECK_STR(d.reason, "poison");
		printf("#   poison %.60s -> x-bf-error: %s\n", d.body, d.error);
		for (size_t k = 0; k < 3; k++) {
			if (d.len == strlen(poison[k].body) &&
			    memcmp(d.body, poison[k].body, d.len) == 0) {
				seen[k] = true;
				if (strstr(d.error, poison[k].error_has) == NULL)
					t_fail(__FILE__, __LINE__,
					       "x-bf-error \"%s\" does not mention %s", d.error,
					       poison[k].error_has);
			}
		}
		broker_delivery_free(&d);
	}
	for (size_t k = 0; k < 3; k++)
		if (!seen[k])
			t_fail(__FILE__, __LINE__, "poison body %s not dead-lettered as is",
			       poison[k].body);
	/* the consumer kept going: the good message after them was rendered */
	cJSON *rec = rec_read(w);
	CHECK_INT(rec_count(rec, "POST", "/renders"), 1);
	cJSON_Delete(rec);
	check_rendered(w, "line-up:7002");
	CHECK_INT(sql_long(w->db, "SELECT count(*) FROM jobs", NULL), 1);
	CHECK_INT(world_depth(w, "bf.line-up", 0, 3000), 0);
}

static void poison_messages_dead_lettered_consumer_goes_on(void)
{
	run_in_world("poison", SCENARIO, NULL, NULL, poison_body);
}

/* ---- 6. two processes, 200 events --------------------------------------------- */

enum {
	BULK_N = 200,
	BULK_FIRST = 100001
};

/* scenario.json with one route per event, all serving one confirmed body */
static int write_bulk_scenario(const char *dir)
{
	char path[700], *body;
	size_t len = 0;
	FILE *f;

	body = tenv_slurp(FIXTURE_CONFIRMED, &len);
	if (body == NULL)
		return -1;
	snprintf(path, sizeof(path), "%s/confirmed.json", dir);
	f = fopen(path, "w");
	if (f == NULL || fwrite(body, 1, len, f) != len) {
		free(body);
		if (f)
			fclose(f);
		return -1;
	}
	free(body);
	if (fclose(f) != 0)
		return -1;
	snprintf(path, sizeof(path), "%s/scenario.json", dir);
	f = fopen(path, "w");
	if (f == NULL)
		return -1;
	fprintf(f,
		"{\"comment\": \"generated by tests/integration/test_lineups.c\",\n \"routes\": {\n");
	for (int i = 0; i < BULK_N; i++)
		fprintf(f, "  \"/event/%d/lineups\": [{\"body\": \"confirmed.json\"}]%s\n",
			BULK_FIRST + i, i + 1 < BULK_N ? "," : "");
	fprintf(f, " }\n}\n");
	return fclose(f) == 0 ? 0 : -1;
}

static void bulk_body(struct world *w)
{
	long long start = (long long)time(NULL) + 30 * 60;
	char log1[600], log2[600];
	pid_t p1, p2;

	REQUIRE(insert_events(w, BULK_FIRST, BULK_N, start) == 0);
	p1 = spawn_lineups(w, "lineups-a", true);
	p2 = spawn_lineups(w, "lineups-b", true);
	REQUIRE(p1 > 0 && p2 > 0);
	world_log(w, "lineups-a", log1, sizeof(log1));
	world_log(w, "lineups-b", log2, sizeof(log2));
	REQUIRE(tenv_wait_lines(log1, "ready queue=", 1, 15000) &&
		tenv_wait_lines(log2, "ready queue=", 1, 15000));

	long long t0 = tenv_now_ms();
	for (int i = 0; i < BULK_N; i++)
		REQUIRE(publish_lineup(w, BULK_FIRST + i) == 0);
	REQUIRE(broker_flush(w->b, 20000) == 0);
	long long t_pub = tenv_now_ms();
	long done = 0;
	long long end = t0 + 60000;
	while (tenv_now_ms() < end) {
		done = sql_long(w->db, "SELECT count(*) FROM jobs WHERE state = 'rendering'", NULL);
		if (done >= BULK_N)
			break;
		tenv_sleep_ms(20);
	}
	long long t1 = tenv_now_ms();
	CHECK_INT(done, BULK_N);
	printf("#   %d line-ups, 2 processes: published in %lld ms, all done after %lld ms: %.0f msg/s\n",
	       BULK_N, t_pub - t0, t1 - t0, BULK_N * 1000.0 / (double)(t1 - t0 > 0 ? t1 - t0 : 1));
	CHECK_INT(world_wait(w, p1, 20000), 0);
	CHECK_INT(world_wait(w, p2, 20000), 0);

	cJSON *stats = world_plainly_stats(w);
	CHECK_INT(stats_int(stats, "posts"), BULK_N);
	CHECK_INT(stats_int(stats, "accepted"), BULK_N);
	const cJSON *pbs = cJSON_GetObjectItemCaseSensitive(stats, "posts_by_subject"), *it;
	int subjects = 0, dups = 0;
	cJSON_ArrayForEach (it, pbs) {
		subjects++;
		if (!cJSON_IsNumber(it) || it->valueint != 1) {
			dups++;
			printf("#   %s posted %d times\n", it->string, it->valueint);
		}
	}
	CHECK_INT(subjects, BULK_N);
	CHECK_INT(dups, 0);
	cJSON_Delete(stats);
	cJSON *rec = rec_read(w);
	printf("#   Plainly requests: %d POST /renders, %d GET /renders\n",
	       rec_count(rec, "POST", "/renders"), rec_count(rec, "GET", "/renders"));
	cJSON_Delete(rec);
	CHECK_INT(sql_long(w->db,
			   "SELECT count(*) FROM renders WHERE state = 'submitted'"
			   " AND plainly_render_id IS NOT NULL",
			   NULL),
		  BULK_N);
	CHECK_INT(sql_long(w->db, "SELECT count(DISTINCT plainly_render_id) FROM renders", NULL),
		  BULK_N);
	/* both processes took a share */
	int n1 = tenv_count_lines(log1, "outcome=done"),
	    n2 = tenv_count_lines(log2, "outcome=done");
	printf("#   shares: %d + %d\n", n1, n2);
	CHECK_INT(n1 + n2, BULK_N);
	CHECK(n1 > 0 && n2 > 0);
	world_check_queues_empty(w, "line-up");
}

/* A case on the generated scenario of BULK_N confirmed line-ups (written
 * to its own folder, removed afterwards). */
static void run_in_bulk_world(const char *tag, const char *plainly_script, const char *extra_conf,
			      void (*body)(struct world *))
{
	char dir[600], path[700];

	snprintf(dir, sizeof(dir), "%s/var/test/t-lu-%s-%ld-scenario", tenv_root(), tag,
		 (long)getpid());
	if (tenv_mkdirs(dir) != 0 || write_bulk_scenario(dir) != 0) {
		t_fail(__FILE__, __LINE__, "cannot write the scenario in %s", dir);
		return;
	}
	run_in_world(tag, dir, plainly_script, extra_conf, body);
	snprintf(path, sizeof(path), "%s/scenario.json", dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/confirmed.json", dir);
	unlink(path);
	rmdir(dir);
}

static void two_processes_200_events_no_duplicate(void)
{
	/* the Sofascore budget at its maximum: measure the consumer, not the pacing */
	run_in_bulk_world(
		"bulk", NULL,
		"sofascore = { base_url = \"{sofa}\"; timeout = \"5s\"; max_requests_per_second = 1000.0;"
		" challenge_pause = \"15m\"; };",
		bulk_body);
}

/* ---- 6b. SIGTERM with the next batch received ahead ------------------------------ */

/*
 * While a batch is recorded and posted, the consumer has already taken the
 * next one and started its line-ups requests.  Stopped then, it finishes
 * the batch in hand and hands the one taken ahead back untouched: nothing
 * of it posted, nothing acked, nothing lost; a new process does it.  The
 * first POST hangs at the fake Plainly for 3 s (then 500): the window for
 * the SIGTERM.
 */
static void ahead_body(struct world *w)
{
	long long start = (long long)time(NULL) + 30 * 60, end;
	char logf[600], logf2[600], subj[64];
	long posts = 0, first = 0, ahead = 0, total = -1;
	const char *line;
	char *text;
	size_t len;
	pid_t pid;

	REQUIRE(insert_events(w, BULK_FIRST, BULK_N, start) == 0);
	for (int i = 0; i < BULK_N; i++)
		REQUIRE(publish_lineup(w, BULK_FIRST + i) == 0);
	REQUIRE(broker_flush(w->b, 20000) == 0);
	pid = spawn_lineups(w, "lineups", false);
	REQUIRE(pid > 0);
	world_log(w, "lineups", logf, sizeof(logf));
	end = tenv_now_ms() + 20000;
	while (tenv_now_ms() < end && posts == 0) {
		cJSON *st = world_plainly_stats(w);
		posts = stats_int(st, "posts");
		cJSON_Delete(st);
		if (posts == 0)
			tenv_sleep_ms(20);
	}
	REQUIRE(posts > 0);
	tenv_sleep_ms(500); /* the rest of the first batch's POSTs, side by side */
	kill(pid, SIGTERM);
	CHECK_INT(world_wait(w, pid, 15000), 0);

	cJSON *st = world_plainly_stats(w);
	first = stats_int(st, "posts"); /* the first batch, and nothing after it */
	cJSON_Delete(st);
	text = tenv_slurp(logf, &len);
	REQUIRE(text != NULL);
	line = strstr(text, "stopping: ");
	if (line != NULL)
		ahead = strtol(line + strlen("stopping: "), NULL, 10);
	free(text);
	printf("#   first batch %ld messages, %ld received ahead when stopped\n", first, ahead);
	CHECK(ahead > 0);
	CHECK_INT(tenv_count_lines(logf, "messages received ahead go back to the queue"), 1);
	CHECK_INT(tenv_count_lines(logf, "outcome=done"), first - 1);
	CHECK_INT(sql_long(w->db, "SELECT count(*) FROM jobs WHERE state = 'rendering'", NULL),
		  first - 1);
	/* every other message is in the queue or (the 500) a wait tier */
	end = tenv_now_ms() + 5000;
	while (tenv_now_ms() < end) {
		total = broker_queue_depth(w->b, "bf.line-up") +
			broker_queue_depth(w->b, "bf.line-up.wait.1s") +
			broker_queue_depth(w->b, "bf.line-up.wait.2s");
		if (total == BULK_N - (first - 1))
			break;
		tenv_sleep_ms(100);
	}
	CHECK_INT(total, BULK_N - (first - 1));

	/* a new process does the rest: one render per event */
	pid = spawn_lineups(w, "lineups-2", true);
	REQUIRE(pid > 0);
	CHECK_INT(world_wait(w, pid, 60000), 0);
	world_log(w, "lineups-2", logf2, sizeof(logf2));
	CHECK_INT(tenv_count_lines(logf2, "outcome=done"), BULK_N - (first - 1));
	st = world_plainly_stats(w);
	CHECK_INT(stats_int(st, "accepted"), BULK_N);
	CHECK_INT(stats_int(st, "posts"), BULK_N + 1); /* the hung one twice */
	int twice = 0;
	for (int i = 0; i < BULK_N; i++) {
		snprintf(subj, sizeof(subj), "line-up:%d", BULK_FIRST + i);
		CHECK_INT(stats_subject(st, "by_subject", subj), 1);
		twice += stats_subject(st, "posts_by_subject", subj) == 2;
	}
	CHECK_INT(twice, 1);
	cJSON_Delete(st);
	CHECK_INT(sql_long(w->db, "SELECT count(*) FROM jobs WHERE state = 'rendering'", NULL),
		  BULK_N);
	world_check_queues_empty(w, "line-up");
}

static void sigterm_hands_back_the_batch_received_ahead(void)
{
	run_in_bulk_world("ahead", "timeout", NULL, ahead_body);
}

/* ---- 7. Sofascore failures ------------------------------------------------------- */

/* ---- 4b. one batch, mixed answers: each outcome is its own message's ---------- */

enum {
	MIX_N = 6
};

static void mixed_body(struct world *w)
{
	long long start = (long long)time(NULL) + 30 * 60;
	char subj[MIX_N][64], st[64], rid[128], err[600], logf[600];
	int dead = -1, twice = -1;
	pid_t pid;

	REQUIRE(insert_events(w, BULK_FIRST, MIX_N, start) == 0);
	for (int i = 0; i < MIX_N; i++) {
		snprintf(subj[i], sizeof(subj[i]), "line-up:%d", BULK_FIRST + i);
		REQUIRE(publish_lineup(w, BULK_FIRST + i) == 0);
	}
	REQUIRE(broker_flush(w->b, 10000) == 0);
	pid = spawn_lineups(w, "lineups", true);
	REQUIRE(pid > 0);
	CHECK_INT(world_wait(w, pid, 30000), 0);
	world_log(w, "lineups", logf, sizeof(logf));
	/* published before the consumer started: one batch, POSTs side by side */
	CHECK_INT(tenv_count_lines(logf, "outcome=done note=\"plainly_render_id="), MIX_N - 1);

	cJSON *rec = rec_read(w);
	CHECK_INT(rec_count(rec, "POST", "/renders"), MIX_N + 1); /* the 500 one twice */
	cJSON_Delete(rec);
	cJSON *stats = world_plainly_stats(w);
	CHECK_INT(stats_int(stats, "accepted"), MIX_N); /* 5 PENDING + 1 INVALID */
	for (int i = 0; i < MIX_N; i++) {
		CHECK_INT(stats_subject(stats, "by_subject", subj[i]), 1);
		if (stats_subject(stats, "posts_by_subject", subj[i]) == 2)
			twice = i;
	}
	cJSON_Delete(stats);
	for (int i = 0; i < MIX_N; i++) {
		job_state(w, subj[i], st, sizeof(st));
		if (strcmp(st, "dead") == 0) {
			CHECK(dead < 0);
			dead = i;
		}
	}
	REQUIRE(dead >= 0 && twice >= 0 && dead != twice);
	printf("#   INVALID: %s (dead), 500 then ok: %s (done on attempt 1)\n", subj[dead],
	       subj[twice]);
	/* the rejected one: its own render row and its own render at Plainly */
	render_col(w, "state", subj[dead], st, sizeof(st));
	CHECK_STR(st, "failed");
	render_col(w, "error", subj[dead], err, sizeof(err));
	CHECK(strstr(err, "RENDER_PARAMETERS_INVALID") != NULL);
	render_col(w, "plainly_render_id", subj[dead], rid, sizeof(rid));
	check_render_at_plainly(w, rid, subj[dead]);
	CHECK_INT(sql_long(w->db, "SELECT attempts FROM jobs WHERE subject = $1", subj[twice]), 1);
	for (int i = 0; i < MIX_N; i++)
		if (i != dead)
			check_rendered(w, subj[i]);
	/* each accepted render is followed: one render message per subject,
	 * none for the rejected one */
	CHECK_INT(world_depth(w, "bf.render", MIX_N - 1, 3000), MIX_N - 1);
	for (int k = 0; k < MIX_N - 1; k++) {
		struct broker_delivery rd;
		struct work_msg rm;
		char subject[MSG_KEY_MAX], key[MSG_KEY_MAX + 8];

		REQUIRE(broker_get(w->b, "bf.render", &rd) == 1);
		CHECK_INT(msg_decode(rd.body, rd.len, &rm, err, sizeof(err)), 0);
		CHECK_INT((long)rm.type, (long)MSG_RENDER);
		CHECK(msg_subject(&rm, subject, sizeof(subject)) > 0);
		snprintf(key, sizeof(key), "render:%s", subject);
		CHECK_STR(rd.message_id, key);
		CHECK_STR(rd.type, "render");
		CHECK(strncmp(subject, "line-up:", 8) == 0 && strcmp(subject, subj[dead]) != 0);
		broker_delivery_free(&rd);
	}
	CHECK_INT(world_depth(w, "bf.line-up.dead", 1, 3000), 1);
	CHECK_INT(world_depth(w, "bf.line-up", 0, 3000), 0);
}

static void one_batch_mixed_plainly_answers(void)
{
	run_in_bulk_world("mixed", "ok,invalid,500,ok,ok,ok", NULL, mixed_body);
}

static void sofa_transient_body(struct world *w)
{
	long long start = (long long)time(NULL) + 30 * 60;
	char logf[600];
	pid_t pid;

	REQUIRE(insert_events(w, 7007, 1, start) == 0);
	REQUIRE(publish_lineup(w, 7007) == 0);
	REQUIRE(broker_flush(w->b, 10000) == 0);
	pid = spawn_lineups(w, "lineups", true);
	REQUIRE(pid > 0);
	CHECK_INT(world_wait(w, pid, 30000), 0);
	CHECK_INT(tenv_count_lines(w->sofa_log, " GET /event/7007/lineups "), 4);
	CHECK_INT(tenv_count_lines(w->sofa_log, " GET /event/7007/lineups 429"), 2);
	CHECK_INT(tenv_count_lines(w->sofa_log, " GET /event/7007/lineups 500"), 1);
	world_log(w, "lineups", logf, sizeof(logf));
	CHECK_INT(tenv_count_lines(logf, "reason=sofascore-transient"), 3);
	cJSON *rec = rec_read(w);
	CHECK_INT(rec_count(rec, "POST", "/renders"), 1);
	cJSON_Delete(rec);
	check_rendered(w, "line-up:7007");
	CHECK_INT(job_long(w, "attempts", "line-up:7007"), 3);
	CHECK_INT(sql_long(w->db, "SELECT count(*) FROM sofascore_breaker WHERE open_until > now()",
			   NULL),
		  0);
	world_check_queues_empty(w, "line-up");
}

static void sofascore_429_500_then_confirmed_one_post(void)
{
	run_in_world("sofa5xx", SCENARIO, NULL, NULL, sofa_transient_body);
}

static void challenge_body(struct world *w)
{
	long long start = (long long)time(NULL) + 30 * 60;
	char logf[600], state[64], err[600];
	pid_t pid;
	long open = 0;

	REQUIRE(insert_events(w, 7008, 1, start) == 0);
	REQUIRE(publish_lineup(w, 7008) == 0);
	REQUIRE(broker_flush(w->b, 10000) == 0);
	pid = spawn_lineups(w, "lineups", true);
	REQUIRE(pid > 0);
	world_log(w, "lineups", logf, sizeof(logf));
	/* the first outcome */
	long long end = tenv_now_ms() + 10000;
	state[0] = '\0';
	while (tenv_now_ms() < end && state[0] == '\0') {
		job_state(w, "line-up:7008", state, sizeof(state));
		if (state[0] == '\0')
			tenv_sleep_ms(50);
	}
	open = sql_long(w->db,
			"SELECT count(*) FROM sofascore_breaker WHERE reason LIKE '%403 challenge%'"
			" AND open_until > now() + interval '14 minutes'",
			NULL);
	CHECK_INT(open, 1);
	CHECK_STR(state, "enqueued");
	/* said loudly, once */
	CHECK_INT(tenv_count_lines(logf, " error bf-lineups"), 1);
	CHECK_INT(tenv_count_lines(logf, "circuit breaker open"), 1);
	/* one more round from the 2 s tier: the breaker holds, Sofascore is not called */
	end = tenv_now_ms() + 6000;
	while (tenv_now_ms() < end && tenv_count_lines(logf, "reason=sofascore-challenge") < 2 &&
	       tenv_count_lines(logf, "outcome=done") == 0)
		tenv_sleep_ms(50);
	CHECK(tenv_count_lines(logf,
			       "outcome=retry wait=bf.line-up.wait.2s reason=sofascore-challenge") >=
	      2);
	CHECK_INT(tenv_count_lines(w->sofa_log, " GET /event/7008/lineups "), 1);
	CHECK_INT(tenv_count_lines(w->sofa_log, " GET /event/7008/lineups 403"), 1);

	kill(pid, SIGTERM);
	CHECK_INT(world_wait(w, pid, 15000), 0);
	CHECK_INT(tenv_count_lines(logf, "outcome=dead"), 0);
	/* waiting for access is not an attempt: it never adds up to a dead letter */
	CHECK_INT(job_long(w, "attempts", "line-up:7008"), 0);
	sql_text(w->db, "SELECT last_error FROM jobs WHERE subject = $1", "line-up:7008", err,
		 sizeof(err));
	CHECK(strstr(err, "challenge") != NULL || strstr(err, "breaker") != NULL);
	/* the message waits (work queue or a wait tier), it is not dead */
	CHECK_INT(world_depth(w, "bf.line-up.dead", 0, 1000), 0);
	long total = -1;
	end = tenv_now_ms() + 5000;
	while (tenv_now_ms() < end) {
		total = broker_queue_depth(w->b, "bf.line-up") +
			broker_queue_depth(w->b, "bf.line-up.wait.1s") +
			broker_queue_depth(w->b, "bf.line-up.wait.2s");
		if (total == 1)
			break;
		tenv_sleep_ms(100);
	}
	CHECK_INT(total, 1);
	cJSON *rec = rec_read(w);
	CHECK_INT(rec_count(rec, "POST", "/renders"), 0);
	cJSON_Delete(rec);
}

static void sofascore_challenge_opens_breaker_waits(void)
{
	run_in_world("challenge", SCENARIO, NULL, NULL, challenge_body);
}

/* ---- a dry run, then the real one ----------------------------------------------- */

/* A dry run (plainly.dry_run) writes the request and makes no video; the
 * same subject sent again to a consumer with the API key makes the video:
 * the dry run's row does not count as one. */
static void dry_body(struct world *w)
{
	static const char *const idle[] = { "--idle-exit", IDLE_EXIT, NULL };
	long long start = (long long)time(NULL) + 30 * 60;
	char state[64];
	pid_t pid;

	REQUIRE(insert_events(w, 7002, 1, start) == 0);
	REQUIRE(publish_lineup(w, 7002) == 0);
	REQUIRE(broker_flush(w->b, 10000) == 0);
	/* no key given: world_spawn says BF_PLAINLY_DRY_RUN=true */
	pid = world_start(w, "bf-lineups", "dry", true, NULL, idle);
	REQUIRE(pid > 0);
	CHECK_INT(world_wait(w, pid, 30000), 0);
	render_col(w, "state", "line-up:7002", state, sizeof(state));
	CHECK_STR(state, "dry-run");
	job_state(w, "line-up:7002", state, sizeof(state));
	CHECK_STR(state, "done");
	cJSON *rec = rec_read(w);
	CHECK_INT(rec_posts(rec, "line-up:7002", NULL), 0);
	cJSON_Delete(rec);

	/* replayed to the real consumer */
	REQUIRE(publish_lineup(w, 7002) == 0);
	REQUIRE(broker_flush(w->b, 10000) == 0);
	pid = spawn_lineups(w, "real", true);
	REQUIRE(pid > 0);
	CHECK_INT(world_wait(w, pid, 30000), 0);
	rec = rec_read(w);
	CHECK_INT(rec_posts(rec, "line-up:7002", NULL), 1);
	cJSON_Delete(rec);
	check_rendered(w, "line-up:7002");
}

static void dry_run_row_does_not_block_the_real_render(void)
{
	run_in_world("dry", SCENARIO, NULL, NULL, dry_body);
}

/* ---- metrics ------------------------------------------------------------------ */

/*
 * GET /metrics after real work: 7001 (404 twice, predicted twice, then
 * confirmed), 7002 (confirmed) and a poison message.  The text passes the
 * strict format check and the alert rules' and dashboard's names are
 * served; the counts are what the fakes saw: every data-source request by
 * status (the fake's own log), every Plainly request (the fake's record),
 * one retry or wait per unconfirmed answer, two renders, one dead letter.
 */
static void metrics_body(struct world *w)
{
	static const char *const bad = "{\"processing_type\":\"line-up\"}";
	long long start = (long long)time(NULL) + 30 * 60;
	int port = tenv_free_port();
	char listen[64], base[96], url[128], file[700], cmd[1600], series[200];
	const char *set[] = { "BF_PLAINLY_API_KEY=" API_KEY, listen, NULL };
	char *text;
	pid_t pid;

	REQUIRE(port > 0);
	snprintf(listen, sizeof(listen), "BF_METRICS_LISTEN=127.0.0.1:%d", port);
	snprintf(base, sizeof(base), "http://127.0.0.1:%d", port);
	REQUIRE(insert_events(w, 7001, 2, start) == 0);
	REQUIRE(world_publish_raw(w, "line-up", NULL, bad, "test_lineups") == 0);
	REQUIRE(publish_lineup(w, 7001) == 0);
	REQUIRE(publish_lineup(w, 7002) == 0);
	REQUIRE(broker_flush(w->b, 10000) == 0);
	pid = world_start(w, "bf-lineups", "lineups", true, set, NULL);
	REQUIRE(pid > 0);

	snprintf(url, sizeof(url), "%s/healthz", base);
	CHECK_INT((int)scrape_wait_status(url, 200, 30000), 200);
	CHECK_INT((int)world_wait_count(w, "SELECT count(*) FROM jobs WHERE state = 'rendering'", 2,
					60000),
		  2);
	snprintf(url, sizeof(url), "%s/metrics", base);
	text = scrape_wait(url, "bf_messages_total{type=\"line-up\",outcome=\"rendering\"}", 2,
			   10000);
	REQUIRE(text != NULL);
	snprintf(file, sizeof(file), "%s/metrics.txt", w->dir);
	FILE *f = fopen(file, "w");
	REQUIRE(f != NULL);
	fputs(text, f);
	fclose(f);
	snprintf(cmd, sizeof(cmd), "python3 tests/support/promcheck.py %s", file);
	CHECK_INT(tenv_sh(cmd), 0);
	snprintf(cmd, sizeof(cmd), "python3 tests/support/check_ops.py %s", file);
	CHECK_INT(tenv_sh(cmd), 0);

	int asked_7001 = world_sofa_matching(w, 0, "/event/7001/lineups", -1);
	CHECK(asked_7001 == 5);
	CHECK_INT((int)scrape_value(text,
				    "bf_messages_total{type=\"line-up\",outcome=\"rendering\"}"),
		  2);
	/* each unconfirmed answer of 7001 (404, predicted) went to a wait tier */
	CHECK_INT((int)scrape_value(text, "bf_messages_total{type=\"line-up\",outcome=\"retry\"}"),
		  asked_7001 - 1);
	CHECK_INT((int)scrape_value(text, "bf_messages_total{type=\"line-up\",outcome=\"dead\"}"),
		  1);
	CHECK_INT((int)scrape_value(text,
				    "bf_dead_letters_total{type=\"line-up\",reason=\"poison\"}"),
		  1);
	CHECK_INT((int)scrape_sum(text, "bf_source_requests_total{"), (int)world_sofa_count(w));
	for (int st = 200; st <= 404; st += 204) {
		snprintf(series, sizeof(series),
			 "bf_source_requests_total{provider=\"sofascore\",status=\"%d\"}", st);
		CHECK_INT((int)scrape_value(text, series), world_sofa_matching(w, 0, NULL, st));
	}
	cJSON *rec = rec_read(w);
	CHECK_INT((int)scrape_sum(text, "bf_plainly_requests_total{"), cJSON_GetArraySize(rec));
	/* all of them answered 2xx: the fake accepted both renders at once */
	CHECK_INT((int)scrape_sum(text, "bf_plainly_requests_total{status=\"2"),
		  cJSON_GetArraySize(rec));
	CHECK_INT(rec_count(rec, "POST", "/renders"), 2);
	cJSON_Delete(rec);
	double batches = scrape_value(text, "bf_batch_duration_seconds_count{type=\"line-up\"}");
	CHECK(batches >= 1);
	CHECK(scrape_value(text,
			   "bf_step_duration_seconds_count{type=\"line-up\",step=\"branches\"}") ==
	      batches);
	CHECK_INT((int)scrape_value(text, "bf_broker_connected"), 1);
	CHECK_INT((int)scrape_value(text, "bf_database_connected"), 1);
	CHECK(scrape_value(text, "process_resident_memory_bytes") > 1e6);
	free(text);
	snprintf(url, sizeof(url), "%s/nothing", base);
	CHECK_INT((int)scrape_status(url, NULL, 0), 404);

	kill(pid, SIGTERM);
	CHECK_INT(world_wait(w, pid, 15000), 0);
	/* gone with the process */
	snprintf(url, sizeof(url), "%s/healthz", base);
	CHECK_INT((int)scrape_status(url, NULL, 0), 0);
}

static void metrics_count_what_happened_format_strict(void)
{
	run_in_world("metrics", SCENARIO, NULL, NULL, metrics_body);
}

int main(int argc, char **argv)
{
	long long t0;

	log_init("test_lineups");
	tenv_require();
	signals_install();
	curl_global_init(CURL_GLOBAL_DEFAULT);
	t0 = tenv_now_ms();
	/* test_lineups NAME... runs only the cases whose name contains NAME */
	static const struct t_case cases[] = {
		T_CASE(confirmed_after_404s_and_predicted_one_post),
		T_CASE(killed_after_post_redelivered_no_second_post),
		T_CASE(accepted_then_500_reconciled_one_render),
		T_CASE(plainly_500_then_ok_one_render),
		T_CASE(same_subject_twice_in_a_batch_one_post),
		T_CASE(job_record_failure_requeued_not_acked),
		T_CASE(plainly_invalid_dead_lettered),
		T_CASE(done_render_never_again_until_asked),
		T_CASE(failed_render_replayed_one_new_render_done),
		T_CASE(kickoff_passed_expired_no_post),
		T_CASE(poison_messages_dead_lettered_consumer_goes_on),
		T_CASE(two_processes_200_events_no_duplicate),
		T_CASE(one_batch_mixed_plainly_answers),
		T_CASE(sigterm_hands_back_the_batch_received_ahead),
		T_CASE(sofascore_429_500_then_confirmed_one_post),
		T_CASE(sofascore_challenge_opens_breaker_waits),
		T_CASE(metrics_count_what_happened_format_strict),
		T_CASE(dry_run_row_does_not_block_the_real_render),
	};
	t_run_matching(cases, sizeof(cases) / sizeof(cases[0]), argc, argv);
	printf("# test_lineups took %.1f s\n", (double)(tenv_now_ms() - t0) / 1000.0);
	curl_global_cleanup();
	return t_done();
}
