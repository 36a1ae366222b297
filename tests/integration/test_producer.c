/*
 * bf-producer against the real RabbitMQ and PostgreSQL of ops/dev/services and
 * the fake Sofascore (tests/fakes): what is published and recorded for a match
 * day, a crash between the broker's confirm and the record, two producers, the
 * 403 challenge, the shared request budget, and bad input.
 *
 * Each case has its own world (tests/support/world.h: vhost, database, the
 * fake Sofascore, processes); the scenarios are tests/data/scenarios/producer-*
 * (written by tests/data/scenarios/producer-matchday/generate.py: the expected
 * sets below are computed by hand from its tables).  The fake shifts BASE to the time the
 * case starts (--shift-to), so "BASE + 45 min" in a scenario is 45 minutes
 * from now.
 *
 * A case body may stop early (REQUIRE); its wrapper always cleans up: every
 * process it started is killed, the vhost and the database are dropped.
 */
#include <curl/curl.h>
#include <inttypes.h>
#include <libpq-fe.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "lib/config.h"
#include "lib/log.h"
#include "lib/signals.h"
#include "protocol/broker.h"
#include "protocol/message.h"
#include "protocol/source.h"
#include "protocol/source_pg.h"
#include "tests/support/hold.h"
#include "tests/support/query.h"
#include "tests/support/t.h"
#include "tests/support/testenv.h"
#include "tests/support/world.h"

#define BASE 1790000000LL /* base_time of the producer-* scenarios */
#define MIN 60LL
#define HOUR 3600LL
#define DAY 86400LL
#define MAX_MSGS 256

/* ---- a world: vhost, database, fake Sofascore, processes ------------------ */

/* Creates the world tag (vhost + migrated database) and starts the fake on
 * scenario (its base_time moved to now) with a request log.  0 or -1 (the
 * caller still calls world_close). */
static int world_up(struct world *w, const char *tag, const char *scenario)
{
	const struct world_opts o = { .prefix = "t-prod", .scenario = scenario, .shift = true };

	return world_open(w, tag, &o);
}

/* var/log/<world>-<suffix>.log, emptied. */
static void logpath(const struct world *w, const char *suffix, char *out, size_t n)
{
	world_log(w, suffix, out, n);
	unlink(out);
}

/*
 * Starts bin/bf-producer -c <world conf> [--once].  The BF_* variables of
 * the test environment are removed (they override the file: BF_DATABASE_URL
 * would point it at the shared database); envset ("NAME=value") is added.
 */
static pid_t producer_start(struct world *w, const char *log, bool once, const char *envset)
{
	char bin[512];
	char *argv[] = { bin, "-c", w->conf, once ? "--once" : NULL, NULL };
	const char *set[] = { envset, NULL };

	snprintf(bin, sizeof(bin), "%s/bin/bf-producer", tenv_root());
	return world_spawn(w, argv, false, set, log, NULL);
}

/* Runs bf-producer --once; returns its exit status (128+signal when killed),
 * or -1 when it did not finish within 30 s (it is then killed). */
static int producer_once(struct world *w, const char *log, const char *envset)
{
	pid_t pid = producer_start(w, log, true, envset);

	if (pid <= 0)
		return -1;
	return world_reap(w, pid, 30000, "bf-producer --once");
}

/* Prints the lines of path containing needle (for the report). */
static void print_lines(const char *path, const char *needle, int max)
{
	FILE *f = fopen(path, "r");
	char line[4096];

	if (f == NULL)
		return;
	while (max > 0 && fgets(line, sizeof(line), f) != NULL)
		if (strstr(line, needle) != NULL) {
			printf("#     | %s", line);
			max--;
		}
	fclose(f);
}

/* UTC date of now + days*86400 as YYYY-MM-DD (what {today} etc. stand for). */
static void utc_date(int days, char *out, size_t n)
{
	time_t t = time(NULL) + (time_t)days * 86400;
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(out, n, "%Y-%m-%d", &tm);
}

/* ---- the fake: control endpoints and request log ------------------------------ */

static void print_reqs(const struct world *w, size_t from, const char *label)
{
	struct sofa_req *r;
	size_t n = world_sofa_requests(w, &r);

	printf("#   %s: %zu Sofascore requests\n", label, n > from ? n - from : 0);
	for (size_t i = from; i < n; i++)
		printf("#     %d %s\n", r[i].status, r[i].path);
	free(r);
}

/* ---- PostgreSQL ------------------------------------------------------------- */

/* Everything the producer stores about events, teams and tournaments. */
static void events_digest(const struct world *w, char *out, size_t n)
{
	sql_text(w->db,
		 "SELECT md5(COALESCE((SELECT string_agg(e::text, '|' ORDER BY id) FROM events e), '')"
		 " || COALESCE((SELECT string_agg(t::text, '|' ORDER BY id) FROM teams t), '')"
		 " || COALESCE((SELECT string_agg(u::text, '|' ORDER BY unique_tournament_id)"
		 "              FROM tournaments u), ''))",
		 NULL, out, n);
}

/* One event row as stored (-1 for NULL). */
struct ev_expect {
	int64_t id;
	const char *status_type;
	int status_code;
	int home, away, home_pen, away_pen, winner;
	int round;
	long long start_off; /* startTimestamp - BASE in the scenario */
};

static void check_event(const struct world *w, const struct ev_expect *x)
{
	char id[32];
	const char *p[1] = { id };
	PGresult *r;

	snprintf(id, sizeof(id), "%" PRId64, x->id);
	r = sql_query(
		w->db,
		"SELECT status_type, status_code, COALESCE(home_score, -1), COALESCE(away_score, -1),"
		" COALESCE(home_penalties, -1), COALESCE(away_penalties, -1), COALESCE(winner_code, -1),"
		" COALESCE(round, -1), EXTRACT(EPOCH FROM start_time)::bigint"
		" FROM events WHERE id = $1::bigint",
		1, p);
	if (r == NULL || PQntuples(r) != 1) {
		t_fail(__FILE__, __LINE__, "event %" PRId64 " is not stored", x->id);
		PQclear(r);
		return;
	}
	const char *st = PQgetvalue(r, 0, 0);
	int got[7];
	for (int i = 0; i < 7; i++)
		got[i] = (int)strtol(PQgetvalue(r, 0, i + 1), NULL, 10);
	long long start = strtoll(PQgetvalue(r, 0, 8), NULL, 10);
	int want[7] = { x->status_code, x->home,   x->away, x->home_pen,
			x->away_pen,	x->winner, x->round };
	static const char *const names[7] = { "status_code",	"home_score",	  "away_score",
					      "home_penalties", "away_penalties", "winner_code",
					      "round" };
	if (strcmp(st, x->status_type) != 0)
		t_fail(__FILE__, __LINE__, "event %" PRId64 ": status_type %s, expected %s", x->id,
		       st, x->status_type);
	for (int i = 0; i < 7; i++)
		if (got[i] != want[i])
			t_fail(__FILE__, __LINE__, "event %" PRId64 ": %s %d, expected %d", x->id,
			       names[i], got[i], want[i]);
	if (start != w->shift + x->start_off)
		t_fail(__FILE__, __LINE__,
		       "event %" PRId64 ": start_time %lld, expected %lld (%+lld s)", x->id, start,
		       w->shift + x->start_off, start - (w->shift + x->start_off));
	PQclear(r);
}

/* ---- RabbitMQ: read what the producer published ----------------------------------- */

struct msgset {
	int n, total;
	struct {
		char key[MSG_KEY_MAX];
		int count;
	} m[MAX_MSGS];
};

static void set_add(struct msgset *s, const char *key)
{
	s->total++;
	for (int i = 0; i < s->n; i++)
		if (strcmp(s->m[i].key, key) == 0) {
			s->m[i].count++;
			return;
		}
	if (s->n < MAX_MSGS) {
		snprintf(s->m[s->n].key, sizeof(s->m[s->n].key), "%s", key);
		s->m[s->n++].count = 1;
	}
}

static int set_count(const struct msgset *s, const char *key)
{
	for (int i = 0; i < s->n; i++)
		if (strcmp(s->m[i].key, key) == 0)
			return s->m[i].count;
	return 0;
}

static struct broker *open_broker(const struct world *w)
{
	struct broker *b = NULL;
	struct broker_opts o = {
		.urls = w->amqp,
		.conn_name = "test_producer",
		.heartbeat = 10,
		.op_timeout = 20,
		.confirm_window = 10,
		.topo = NULL,
		.stop = &signals_stop,
		.max_connect_tries = 3,
	};

	return broker_open(&b, &o) == 0 ? b : NULL;
}

/*
 * Takes every message of bf.<type> (basic.get + ack), checks the message
 * contract of DESIGN section 3 on each, and adds their keys to s.  Returns
 * the number taken, -1 on a broker error.
 */
static int drain(const struct world *w, enum msg_type type, struct msgset *s)
{
	const char *tname = msg_type_name(type);
	char queue[64];
	struct broker *b = open_broker(w);
	int taken = 0;
	uint64_t now = (uint64_t)time(NULL);

	snprintf(queue, sizeof(queue), "bf.%s", tname);
	if (b == NULL) {
		printf("#   cannot open the broker on %s\n", w->amqp);
		return -1;
	}
	for (;;) {
		struct broker_delivery d;
		struct work_msg m;
		char err[160], key[MSG_KEY_MAX];
		int rc = broker_get(b, queue, &d);

		if (rc == 0)
			break;
		if (rc < 0) {
			printf("#   basic.get on %s failed\n", queue);
			taken = -1;
			break;
		}
		taken++;
		if (msg_decode(d.body, d.len, &m, err, sizeof(err)) != 0 ||
		    msg_key(&m, key, sizeof(key)) < 0) {
			t_fail(__FILE__, __LINE__, "%s: undecodable body %.*s (%s)", queue,
			       (int)d.len, d.body, err);
			snprintf(key, sizeof(key), "undecodable:%.60s", d.body);
		} else {
			CHECK_INT(m.type, type);
		}
		set_add(s, key);
		CHECK_STR(d.message_id, key);
		CHECK_STR(d.type, tname);
		CHECK_STR(d.routing_key, tname);
		CHECK_STR(d.exchange, "bf.work");
		CHECK_STR(d.content_type, "application/json");
		CHECK_STR(d.app_id, "bf-producer");
		CHECK(d.has_attempt);
		CHECK_INT(d.attempt, 0);
		CHECK(d.timestamp + 120 >= now && d.timestamp <= now + 5);
		CHECK(d.first_published == d.timestamp);
		CHECK(broker_ack(b, &d) == 0);
		broker_delivery_free(&d);
	}
	broker_close(b);
	return taken;
}

/* Checks that s holds exactly the keys of want (each count times; 0 = at least once). */
static void expect_set(const struct msgset *s, const char *const *want, size_t nwant, int count,
		       const char *label)
{
	for (size_t i = 0; i < nwant; i++) {
		int c = set_count(s, want[i]);
		if (c == 0 || (count > 0 && c != count))
			t_fail(__FILE__, __LINE__, "%s: %s published %d times, expected %d", label,
			       want[i], c, count > 0 ? count : 1);
	}
	for (int i = 0; i < s->n; i++) {
		bool known = false;
		for (size_t j = 0; j < nwant && !known; j++)
			known = strcmp(s->m[i].key, want[j]) == 0;
		if (!known)
			t_fail(__FILE__, __LINE__, "%s: unexpected message %s (x%d)", label,
			       s->m[i].key, s->m[i].count);
	}
}

/* Checks the jobs table: exactly the subjects of want, each in state. */
static void expect_jobs(const struct world *w, const char *const *want, size_t nwant,
			const char *state)
{
	PGresult *r = sql_query(w->db, "SELECT subject, state FROM jobs ORDER BY subject", 0, NULL);
	int n;

	if (r == NULL) {
		t_fail(__FILE__, __LINE__, "cannot read jobs");
		return;
	}
	n = PQntuples(r);
	if ((size_t)n != nwant)
		t_fail(__FILE__, __LINE__, "jobs: %d rows, expected %zu", n, nwant);
	for (int i = 0; i < n; i++) {
		const char *subj = PQgetvalue(r, i, 0), *st = PQgetvalue(r, i, 1);
		bool known = false;
		for (size_t j = 0; j < nwant && !known; j++)
			known = strcmp(subj, want[j]) == 0;
		if (!known)
			t_fail(__FILE__, __LINE__, "jobs: unexpected row %s (%s)", subj, st);
		if (strcmp(st, state) != 0)
			t_fail(__FILE__, __LINE__, "jobs: %s is %s, expected %s", subj, st, state);
	}
	for (size_t j = 0; j < nwant; j++) {
		bool found = false;
		for (int i = 0; i < n && !found; i++)
			found = strcmp(PQgetvalue(r, i, 0), want[j]) == 0;
		if (!found)
			t_fail(__FILE__, __LINE__, "jobs: no row for %s", want[j]);
	}
	PQclear(r);
}

/* All three work queues are empty (nothing new was published). */
static void expect_nothing_new(const struct world *w, const char *label)
{
	static const enum msg_type types[] = { MSG_LINEUP, MSG_RESULT, MSG_TSTATS };

	for (size_t i = 0; i < 3; i++) {
		struct msgset s;
		memset(&s, 0, sizeof(s));
		int n = drain(w, types[i], &s);
		if (n != 0) {
			t_fail(__FILE__, __LINE__, "%s: %d new messages in bf.%s", label, n,
			       msg_type_name(types[i]));
			for (int k = 0; k < s.n; k++)
				printf("#     %s x%d\n", s.m[k].key, s.m[k].count);
		}
	}
}

/* ---- the match day (tests/data/scenarios/producer-matchday) ------------------------------ */

#define MATCHDAY "tests/data/scenarios/producer-matchday"
#define MATCHDAY_CONF                                                             \
	"producer = { unique_tournaments = [17, 8]; schedule_interval = \"10m\";" \
	" live_interval = \"2s\"; lineup_lead = \"75m\"; };"

/* kick-off in 30, 45, 60, 50 (rescheduled, old job expired) and 35 minutes */
static const char *const MD_LINEUPS[] = {
	"line-up:14025201", "line-up:14025202", "line-up:14025203",
	"line-up:14025207", "line-up:14031201",
};
/* ut 17 round 12: 8 finished; ut 8 round 7: AET, penalties, 100, and the two
 * that only /event/{id} knows are finished */
static const char *const MD_RESULTS[] = {
	"result:14025101", "result:14025102", "result:14025103", "result:14025104",
	"result:14025105", "result:14025106", "result:14025107", "result:14025108",
	"result:14031101", "result:14031102", "result:14031103", "result:14031104",
	"result:14031105",
};
static const char *const MD_TSTATS[] = { "tournament-stats:17:96668:12" };
#define N_MD_LINEUPS (sizeof(MD_LINEUPS) / sizeof(MD_LINEUPS[0]))
#define N_MD_RESULTS (sizeof(MD_RESULTS) / sizeof(MD_RESULTS[0]))

static size_t md_jobs(const char **out, bool with_tstats)
{
	size_t n = 0;

	for (size_t i = 0; i < N_MD_LINEUPS; i++)
		out[n++] = MD_LINEUPS[i];
	for (size_t i = 0; i < N_MD_RESULTS; i++)
		out[n++] = MD_RESULTS[i];
	if (with_tstats)
		out[n++] = MD_TSTATS[0];
	return n;
}

/*
 * What earlier cycles left behind: 14025109 was stored at its old time (4 h
 * ago, not started; the feed now says postponed to next week), 14025207 was
 * postponed two days ago and its line-up job expired (the feed now has it
 * rescheduled to kick off in 50 minutes: the job is re-armed).
 */
static int seed_matchday(const struct world *w)
{
	char old1[32], old2[32];
	const char *p[2] = { old1, old2 };

	snprintf(old1, sizeof(old1), "%lld", w->shift - 4 * HOUR);
	snprintf(old2, sizeof(old2), "%lld", w->shift - 2 * DAY);
	if (sql_cmd(w->db,
		    "INSERT INTO events (id, unique_tournament_id, tournament_name, season_id, round,"
		    " home_team_id, away_team_id, home_name, away_name, start_time, status_code,"
		    " status_type, created_at, updated_at) VALUES"
		    " (14025109, 17, 'Premier League', 96668, 12, 14, 34, 'Nottingham Forest',"
		    "  'Leeds United', to_timestamp($1::bigint), 0, 'notstarted', now() - interval '5 days',"
		    "  now() - interval '1 day'),"
		    " (14025207, 17, 'Premier League', 96668, 13, 7, 48, 'Crystal Palace', 'Everton',"
		    "  to_timestamp($2::bigint), 60, 'postponed', now() - interval '9 days',"
		    "  now() - interval '2 days')",
		    2, p) != 0)
		return -1;
	return sql_cmd(
		w->db,
		"INSERT INTO jobs (kind, subject, event_id, kickoff, state, attempts, created_at,"
		" enqueued_at, updated_at, finished_at) VALUES ('line-up', 'line-up:14025207',"
		" 14025207, to_timestamp($1::bigint), 'expired', 31, now() - interval '3 days',"
		" now() - interval '3 days', now() - interval '2 days', now() - interval '2 days')",
		1, p + 1);
}

static const struct ev_expect MD_EVENTS[] = {
	/* id, type, code, home, away, home pen, away pen, winner, round, start - BASE */
	{ 14025101, "finished", 100, 2, 1, -1, -1, 1, 12, -27 * HOUR },
	{ 14025102, "finished", 100, 1, 1, -1, -1, 3, 12, -27 * HOUR },
	{ 14025108, "finished", 100, 0, 0, -1, -1, 3, 12, -3 * HOUR },
	/* postponed, and moved: the new time, not the stored old one */
	{ 14025109, "postponed", 60, -1, -1, -1, -1, -1, 12, 7 * DAY },
	{ 14025110, "canceled", 70, -1, -1, -1, -1, -1, 12, -2 * HOUR },
	{ 14025201, "notstarted", 0, -1, -1, -1, -1, -1, 13, 30 * MIN },
	{ 14025204, "notstarted", 0, -1, -1, -1, -1, -1, 13, 80 * MIN },
	{ 14025206, "inprogress", 6, 0, 1, -1, -1, -1, 13, -20 * MIN },
	{ 14025207, "notstarted", 0, -1, -1, -1, -1, -1, 13, 50 * MIN },
	{ 14025209, "notstarted", 0, -1, -1, -1, -1, -1, 13, 28 * HOUR },
	/* AET: display 2-1 */
	{ 14031101, "finished", 110, 2, 1, -1, -1, 1, 7, -22 * HOUR },
	/* penalties: display 1-1 (current is 6-5), shoot-out 5-4 */
	{ 14031102, "finished", 120, 1, 1, 5, 4, 1, 7, -20 * HOUR },
	/* past kick-off + 150 min, the list still says 2nd half / not started;
	 * /event/{id} says finished */
	{ 14031104, "finished", 100, 2, 1, -1, -1, 1, 7, -155 * MIN },
	{ 14031105, "finished", 100, 1, 0, -1, -1, 1, 7, -4 * HOUR },
	{ 14031203, "inprogress", 31, 1, 0, -1, -1, -1, 8, -50 * MIN },
	{ 14031205, "notstarted", 0, -1, -1, -1, -1, -1, 8, 27 * HOUR },
};

static void matchday_body(struct world *w)
{
	char log[512], path[200], y[16], t[16], tm[16];
	const char *jobs[32];
	size_t njobs, r0;
	struct msgset lu, re, ts;

	REQUIRE(world_up(w, "matchday", MATCHDAY) == 0);
	REQUIRE(world_conf(w, MATCHDAY_CONF) == 0);
	REQUIRE(seed_matchday(w) == 0);
	utc_date(-1, y, sizeof(y));
	utc_date(0, t, sizeof(t));
	utc_date(1, tm, sizeof(tm));

	/* 1st cycle */
	logpath(w, "run1", log, sizeof(log));
	CHECK_INT(producer_once(w, log, NULL), 0);
	print_lines(log, "cycle requests=", 2);
	print_reqs(w, 0, "1st --once");
	memset(&lu, 0, sizeof(lu));
	memset(&re, 0, sizeof(re));
	memset(&ts, 0, sizeof(ts));
	CHECK_INT(drain(w, MSG_LINEUP, &lu), (int)N_MD_LINEUPS);
	CHECK_INT(drain(w, MSG_RESULT, &re), (int)N_MD_RESULTS);
	CHECK_INT(drain(w, MSG_TSTATS, &ts), 0);
	expect_set(&lu, MD_LINEUPS, N_MD_LINEUPS, 1, "bf.line-up");
	expect_set(&re, MD_RESULTS, N_MD_RESULTS, 1, "bf.result");
	njobs = md_jobs(jobs, false);
	expect_jobs(w, jobs, njobs, "enqueued");
	/* the re-armed job kept its row and took the new kick-off */
	CHECK_INT(sql_long(w->db,
			   "SELECT EXTRACT(EPOCH FROM kickoff)::bigint FROM jobs"
			   " WHERE subject = 'line-up:14025207'",
			   NULL),
		  w->shift + 50 * MIN);
	CHECK_INT(sql_long(w->db, "SELECT count(*) FROM jobs WHERE subject = 'line-up:14025207'",
			   NULL),
		  1);

	/* events: followed tournaments only, statuses, scores, times */
	CHECK_INT(sql_long(w->db, "SELECT count(*) FROM events", NULL), 29);
	CHECK_INT(sql_long(w->db, "SELECT count(*) FROM events WHERE unique_tournament_id = 17",
			   NULL),
		  19);
	CHECK_INT(sql_long(w->db, "SELECT count(*) FROM events WHERE unique_tournament_id = 8",
			   NULL),
		  10);
	CHECK_INT(sql_long(w->db,
			   "SELECT count(*) FROM events WHERE id IN (14040101, 14040102, 14040103,"
			   " 14040201, 14050101)",
			   NULL),
		  0);
	CHECK_INT(
		sql_long(w->db,
			 "SELECT count(*) FROM tournaments WHERE unique_tournament_id NOT IN (17, 8)",
			 NULL),
		0);
	CHECK_INT(
		sql_long(w->db,
			 "SELECT count(*) FROM teams WHERE id IN (2672, 2673, 2681, 36360, 2697, 2692)",
			 NULL),
		0);
	for (size_t i = 0; i < sizeof(MD_EVENTS) / sizeof(MD_EVENTS[0]); i++)
		check_event(w, &MD_EVENTS[i]);

	/* what was asked: 3 days x 2 tournaments and the two events the lists are
	 * wrong about; no live list, no day list twice (the matches watched for
	 * their final whistle are in today's lists, asked this cycle); never the
	 * tournament that is not followed */
	CHECK_INT(world_sofa_matching(w, 0, NULL, -1), 8);
	CHECK_INT(world_sofa_matching(w, 0, "/sport/football/events/live", -1), 0);
	CHECK_INT(world_sofa_matching(w, 0, "/event/14031104", 200), 1);
	CHECK_INT(world_sofa_matching(w, 0, "/event/14031105", 200), 1);
	snprintf(path, sizeof(path), "/unique-tournament/35/scheduled-events/%s", t);
	CHECK_INT(world_sofa_matching(w, 0, path, -1), 0);
	snprintf(path, sizeof(path), "/unique-tournament/8/scheduled-events/%s", y);
	CHECK_INT(world_sofa_matching(w, 0, path, 200), 1);
	snprintf(path, sizeof(path), "/unique-tournament/17/scheduled-events/%s", tm);
	CHECK_INT(world_sofa_matching(w, 0, path, 200), 1);

	/* 2nd cycle: nothing new; the ETag of the ut 17 list is revalidated (304) */
	r0 = world_sofa_count(w);
	logpath(w, "run2", log, sizeof(log));
	CHECK_INT(producer_once(w, log, NULL), 0);
	print_lines(log, "cycle requests=", 2);
	print_reqs(w, r0, "2nd --once");
	expect_nothing_new(w, "2nd --once");
	expect_jobs(w, jobs, njobs, "enqueued");
	snprintf(path, sizeof(path), "/unique-tournament/17/scheduled-events/%s", t);
	CHECK_INT(world_sofa_matching(w, r0, path, 304), 1);
	CHECK_INT(sql_long(w->db, "SELECT count(*) FROM events", NULL), 29);

	/* bf-results stored the results of ut 17 round 12 and of ut 8 round 7 */
	CHECK(sql_cmd(w->db,
		      "UPDATE events SET result_stored_at = now() WHERE status_type = 'finished' AND"
		      " ((unique_tournament_id = 17 AND round = 12) OR"
		      "  (unique_tournament_id = 8 AND round = 7))",
		      0, NULL) == 0);
	CHECK_INT(sql_long(w->db, "SELECT count(*) FROM events WHERE result_stored_at IS NOT NULL",
			   NULL),
		  13);

	/* 3rd cycle: ut 17 round 12 is complete (its round list agrees); ut 8
	 * round 7 looked complete, but its round list has one more match */
	r0 = world_sofa_count(w);
	logpath(w, "run3", log, sizeof(log));
	CHECK_INT(producer_once(w, log, NULL), 0);
	print_lines(log, "cycle requests=", 2);
	print_reqs(w, r0, "3rd --once");
	memset(&lu, 0, sizeof(lu));
	memset(&re, 0, sizeof(re));
	memset(&ts, 0, sizeof(ts));
	CHECK_INT(drain(w, MSG_TSTATS, &ts), 1);
	expect_set(&ts, MD_TSTATS, 1, 1, "bf.tournament-stats");
	CHECK_INT(drain(w, MSG_LINEUP, &lu), 0);
	CHECK_INT(drain(w, MSG_RESULT, &re), 0);
	CHECK_INT(world_sofa_matching(w, r0, "/unique-tournament/17/season/96668/events/round/12",
				      200),
		  1);
	CHECK_INT(world_sofa_matching(w, r0, "/unique-tournament/8/season/97012/events/round/7",
				      200),
		  1);
	static const struct ev_expect hidden = { 14031106, "notstarted", 0,  -1, -1,
						 -1,	   -1,		 -1, 7,	 5 * DAY };
	check_event(w, &hidden);
	njobs = md_jobs(jobs, true);
	expect_jobs(w, jobs, njobs, "enqueued");

	/* 4th cycle: nothing new */
	r0 = world_sofa_count(w);
	logpath(w, "run4", log, sizeof(log));
	CHECK_INT(producer_once(w, log, NULL), 0);
	expect_nothing_new(w, "4th --once");
	expect_jobs(w, jobs, njobs, "enqueued");
	CHECK_INT(world_sofa_matching(w, r0, "/unique-tournament/17/season/96668/events/round/12",
				      -1),
		  0);
}

static void matchday_publishes_exactly_what_is_due(void)
{
	struct world w;

	matchday_body(&w);
	world_close(&w);
}

/* ---- round list 404: the local view is trusted ------------------------------------- */

static void round404_body(struct world *w)
{
	char log[512];
	size_t r0;
	struct msgset re, ts;
	static const char *const results[] = { "result:14026001", "result:14026002" };
	static const char *const tstats[] = { "tournament-stats:17:96668:20" };

	REQUIRE(world_up(w, "round404", "tests/data/scenarios/producer-round404") == 0);
	REQUIRE(world_conf(w,
			   "producer = { unique_tournaments = [17]; live_interval = \"2s\"; };") ==
		0);
	logpath(w, "run1", log, sizeof(log));
	CHECK_INT(producer_once(w, log, NULL), 0);
	memset(&re, 0, sizeof(re));
	CHECK_INT(drain(w, MSG_RESULT, &re), 2);
	expect_set(&re, results, 2, 1, "bf.result");
	CHECK_INT(
		sql_cmd(w->db,
			"UPDATE events SET result_stored_at = now() WHERE status_type = 'finished'",
			0, NULL),
		0);
	r0 = world_sofa_count(w);
	logpath(w, "run2", log, sizeof(log));
	CHECK_INT(producer_once(w, log, NULL), 0);
	print_reqs(w, r0, "2nd --once");
	CHECK_INT(world_sofa_matching(w, r0, "/unique-tournament/17/season/96668/events/round/20",
				      404),
		  1);
	memset(&ts, 0, sizeof(ts));
	CHECK_INT(drain(w, MSG_TSTATS, &ts), 1);
	expect_set(&ts, tstats, 1, 1, "bf.tournament-stats");
	static const char *const jobs[] = { "result:14026001", "result:14026002",
					    "tournament-stats:17:96668:20" };
	expect_jobs(w, jobs, 3, "enqueued");
}

static void round_list_404_trusts_local_view(void)
{
	struct world w;

	round404_body(&w);
	world_close(&w);
}

/* ---- crash between the broker's confirm and the record ------------------------------- */

static void crash_body(struct world *w)
{
	char log[512];
	const char *jobs[32];
	size_t njobs = md_jobs(jobs, false);
	struct msgset lu, re;
	struct hold hold;
	char held[256];
	int dups = 0;

	REQUIRE(world_up(w, "crash", MATCHDAY) == 0);
	REQUIRE(world_conf(w, MATCHDAY_CONF) == 0);
	REQUIRE(seed_matchday(w) == 0);

	/* the producer stops in the record of what the broker confirmed (jobs
	 * becoming 'enqueued') and is killed there: that statement never runs */
	REQUIRE(hold_arm(&hold, w->db, "jobs",
			 "BEFORE UPDATE ON jobs FOR EACH ROW WHEN (NEW.state = 'enqueued')") == 0);
	logpath(w, "crash", log, sizeof(log));
	pid_t pid = producer_start(w, log, true, NULL);
	REQUIRE(pid > 0);
	CHECK_INT(hold_wait(&hold, 30000, held, sizeof(held)), 0);
	if (strncmp(held, "UPDATE jobs", 11) != 0)
		t_fail(__FILE__, __LINE__, "held in \"%.80s\", want the UPDATE of jobs", held);
	kill(pid, SIGKILL);
	int rc = world_reap(w, pid, 30000, "bf-producer --once");
	hold_release(&hold, HOLD_CANCEL);
	CHECK_INT(rc, 128 + SIGKILL);
	/* confirmed by the broker, never recorded */
	expect_jobs(w, jobs, njobs, "pending");

	logpath(w, "restart", log, sizeof(log));
	CHECK_INT(producer_once(w, log, NULL), 0);
	expect_jobs(w, jobs, njobs, "enqueued");
	memset(&lu, 0, sizeof(lu));
	memset(&re, 0, sizeof(re));
	CHECK(drain(w, MSG_LINEUP, &lu) >= (int)N_MD_LINEUPS);
	CHECK(drain(w, MSG_RESULT, &re) >= (int)N_MD_RESULTS);
	expect_set(&lu, MD_LINEUPS, N_MD_LINEUPS, 0, "bf.line-up");
	expect_set(&re, MD_RESULTS, N_MD_RESULTS, 0, "bf.result");
	for (int i = 0; i < lu.n; i++)
		dups += lu.m[i].count - 1;
	for (int i = 0; i < re.n; i++)
		dups += re.m[i].count - 1;
	printf("#   after the crash and a restart: %d messages for %d subjects, %d duplicates"
	       " (allowed), 0 lost\n",
	       lu.total + re.total, lu.n + re.n, dups);
}

static void crash_after_publish_loses_nothing(void)
{
	struct world w;

	crash_body(&w);
	world_close(&w);
}

/* ---- a job whose message never came back is published again --------------------------- */

/*
 * producer.requeue_after: a job left 'enqueued' with no news from a consumer
 * for that long is set back to pending and published again (what a message
 * stuck in RabbitMQ 3.10.8's at-least-once dead-letter worker after a node
 * loss needs, tests/system/chaos/cluster.sh).  Only 'enqueued' jobs, only old ones.
 */
static void requeue_body(struct world *w)
{
	char log[512];
	const char *jobs[32];
	size_t njobs = md_jobs(jobs, false);
	struct msgset lu, re;
	static const char *const lu_stale[] = { "line-up:14025201" };
	static const char *const re_stale[] = { "result:14025101", "result:14031105" };

	REQUIRE(world_up(w, "requeue", MATCHDAY) == 0);
	REQUIRE(world_conf(w,
			   "producer = { unique_tournaments = [17, 8]; schedule_interval = \"10m\";"
			   " live_interval = \"2s\"; lineup_lead = \"75m\";"
			   " requeue_after = \"15m\"; };") == 0);
	REQUIRE(seed_matchday(w) == 0);
	logpath(w, "run1", log, sizeof(log));
	CHECK_INT(producer_once(w, log, NULL), 0);
	expect_jobs(w, jobs, njobs, "enqueued");
	/* the messages are gone (as if stuck for good in the broker) */
	memset(&lu, 0, sizeof(lu));
	memset(&re, 0, sizeof(re));
	CHECK_INT(drain(w, MSG_LINEUP, &lu), (int)N_MD_LINEUPS);
	CHECK_INT(drain(w, MSG_RESULT, &re), (int)N_MD_RESULTS);
	/* threshold: the longest wait tier (2 s in the test configuration) +
	 * requeue_after (15m).  Three enqueued jobs without news for 20 minutes,
	 * one finished long ago (never requeued), one retried by a consumer 14
	 * minutes ago */
	REQUIRE(sql_exec(w->db, "UPDATE jobs SET updated_at = now() - interval '20 minutes'"
				" WHERE subject IN ('line-up:14025201', 'result:14025101',"
				" 'result:14031105')") == 0);
	REQUIRE(sql_exec(
			w->db,
			"UPDATE jobs SET state = 'done', finished_at = now(),"
			" updated_at = now() - interval '2 hours' WHERE subject = 'result:14025102'") ==
		0);
	REQUIRE(sql_exec(w->db, "UPDATE jobs SET attempts = 4, last_error = 'statistics not yet',"
				" updated_at = now() - interval '14 minutes'"
				" WHERE subject = 'result:14025103'") == 0);

	logpath(w, "run2", log, sizeof(log));
	CHECK_INT(producer_once(w, log, NULL), 0);
	print_lines(log, "job requeued", 3);
	print_lines(log, "cycle requests=", 1);
	CHECK_INT(tenv_count_lines(log, "job requeued"), 3);
	CHECK_INT(tenv_count_lines(log, "requeued=3"), 1);
	CHECK_INT(tenv_count_lines(log, "job requeued: enqueued with no news, published again"
					" subject=line-up:14025201 attempts=0 no_news_s=120"),
		  1);
	memset(&lu, 0, sizeof(lu));
	memset(&re, 0, sizeof(re));
	CHECK_INT(drain(w, MSG_LINEUP, &lu), 1);
	CHECK_INT(drain(w, MSG_RESULT, &re), 2);
	expect_set(&lu, lu_stale, 1, 1, "bf.line-up (requeued)");
	expect_set(&re, re_stale, 2, 1, "bf.result (requeued)");
	CHECK_INT(sql_long(w->db, "SELECT count(*) FROM jobs WHERE state = 'enqueued'", NULL),
		  (long)njobs - 1);
	CHECK_INT(sql_long(w->db,
			   "SELECT count(*) FROM jobs WHERE state = 'enqueued'"
			   " AND updated_at > now() - interval '1 minute'",
			   NULL),
		  (long)njobs - 2); /* all but the done one and the one retried 14 minutes ago */
	CHECK_INT(sql_long(w->db,
			   "SELECT count(*) FROM jobs WHERE subject = 'result:14025102'"
			   " AND state = 'done'",
			   NULL),
		  1);
	CHECK_INT(sql_long(w->db, "SELECT attempts FROM jobs WHERE subject = 'result:14025103'",
			   NULL),
		  4);

	/* published again once: the next cycle has nothing to send */
	logpath(w, "run3", log, sizeof(log));
	CHECK_INT(producer_once(w, log, NULL), 0);
	CHECK_INT(tenv_count_lines(log, "job requeued"), 0);
	expect_nothing_new(w, "3rd --once");
}

static void stale_enqueued_job_published_again(void)
{
	struct world w;

	requeue_body(&w);
	world_close(&w);
}

/* ---- watching for the final whistle (tests/data/scenarios/producer-watch) -------------- */

#define WATCH "tests/data/scenarios/producer-watch"
#define WATCH_KEY "testkey"

static int watch_up(struct world *w, const char *tag, const char *live_interval)
{
	const struct world_opts o = { .prefix = "t-prod",
				      .scenario = WATCH,
				      .shift = true,
				      .plainly = true,
				      .plainly_key = WATCH_KEY };
	char conf[256];

	if (world_open(w, tag, &o) != 0)
		return -1;
	snprintf(conf, sizeof(conf),
		 "producer = { competitions = [17]; schedule_interval = \"10m\";"
		 " live_interval = \"%s\"; lineup_lead = \"75m\"; };",
		 live_interval);
	return world_conf(w, conf);
}

/* Waits until the fake has seen at least want requests for path. */
static bool wait_requests(const struct world *w, const char *path, int want, int timeout_ms)
{
	long long end = tenv_now_ms() + timeout_ms;

	while (world_sofa_matching(w, 0, path, -1) < want) {
		if (tenv_now_ms() > end)
			return false;
		tenv_sleep_ms(50);
	}
	return true;
}

/*
 * Two matches past kick-off + finish_watch_after (110 min), still in the 2nd
 * half: today's list is asked every live_interval (never the live list,
 * never the events one by one); once it says they finished, their results
 * are published, bf-results makes them from the list's events kept by the
 * producer (3 requests each, no /event/{id}), and nothing is watched any
 * more.
 */
static void watch_body(struct world *w)
{
	static const char *const set[] = { "BF_PLAINLY_API_KEY=" WATCH_KEY, NULL };
	static const char *const args[] = { "--idle-exit", "4", NULL };
	static const int64_t ids[] = { 14029001, 14029002 };
	char log[512], today[200], t[16], path[200];
	pid_t pid, res;

	REQUIRE(watch_up(w, "watch", "1s") == 0);
	/* the list of the watched matches' kick-off day (2 h ago: yesterday's
	 * until about 02:00 UTC) */
	time_t kickoff = time(NULL) - 7200;
	struct tm tm;
	gmtime_r(&kickoff, &tm);
	strftime(t, sizeof(t), "%Y-%m-%d", &tm);
	snprintf(today, sizeof(today), "/unique-tournament/17/scheduled-events/%s", t);
	logpath(w, "producer", log, sizeof(log));
	pid = producer_start(w, log, false, NULL);
	REQUIRE(pid > 0);
	/* the 1st cycle asks the three days; then today's list every second */
	REQUIRE(wait_requests(w, today, 4, 15000));
	CHECK_INT(world_sofa_matching(w, 0, NULL, -1), world_sofa_matching(w, 0, today, -1) + 2);
	CHECK_INT(world_sofa_matching(w, 0, "/sport/football/events/live", -1), 0);
	CHECK_INT(tenv_count_lines(log, "published type=result"), 0);

	/* the list says finished: both results published */
	CHECK_INT(world_fake_post(w, "/_fake/advance", "{\"seconds\": 3600}"), 200);
	CHECK(tenv_wait_lines(log, "published type=result event_id=14029001", 1, 10000));
	CHECK(tenv_wait_lines(log, "published type=result event_id=14029002", 1, 10000));
	/* the match later today: its line-up job when kick-off is 75 min away */
	CHECK(tenv_wait_lines(log, "published type=line-up event_id=14029003", 1, 20000));

	/* nothing left to watch: today's list is not asked again */
	int asked = world_sofa_matching(w, 0, today, -1);
	tenv_sleep_ms(2500); /* two and a half live_intervals */
	CHECK_INT(world_sofa_matching(w, 0, today, -1), asked);

	res = world_start(w, "bf-results", "results", true, set, args);
	REQUIRE(res > 0);
	CHECK_INT(world_reap(w, res, 30000, "bf-results"), 0);
	CHECK_INT(sql_long(w->db,
			   "SELECT count(*) FROM jobs WHERE kind = 'result' AND state = 'rendering'"
			   " AND event_id IN (14029001, 14029002)",
			   NULL),
		  2);
	for (size_t i = 0; i < 2; i++) {
		snprintf(path, sizeof(path), "/event/%lld", (long long)ids[i]);
		CHECK_INT(world_sofa_matching(w, 0, path, -1), 0);
		snprintf(path, sizeof(path), "/event/%lld/lineups", (long long)ids[i]);
		CHECK_INT(world_sofa_matching(w, 0, path, 200), 1);
		snprintf(path, sizeof(path), "/event/%lld/statistics", (long long)ids[i]);
		CHECK_INT(world_sofa_matching(w, 0, path, 200), 1);
		snprintf(path, sizeof(path), "/event/%lld/incidents", (long long)ids[i]);
		CHECK_INT(world_sofa_matching(w, 0, path, 200), 1);
	}
	/* the scores the list said */
	CHECK_INT(sql_long(w->db, "SELECT home_score FROM events WHERE id = 14029001", NULL), 2);
	CHECK_INT(sql_long(w->db,
			   "SELECT count(*) FROM events WHERE id IN (14029001, 14029002)"
			   " AND result_stored_at IS NOT NULL",
			   NULL),
		  2);

	CHECK(kill(pid, SIGTERM) == 0);
	CHECK_INT(world_reap(w, pid, 15000, "bf-producer"), 0);
}

static void watch_asks_the_day_list_only_while_a_match_is_due(void)
{
	struct world w;

	watch_body(&w);
	world_close(&w);
}

/*
 * With live_interval 30 s the loop still wakes when a line-up job becomes due
 * (kick-off - lineup_lead, from the stored kick-off times): published about 6 s
 * after the start, with no request beyond the 1st cycle's.
 */
static void lineup_wake_body(struct world *w)
{
	char log[512];
	pid_t pid;

	REQUIRE(watch_up(w, "wake", "30s") == 0);
	logpath(w, "producer", log, sizeof(log));
	pid = producer_start(w, log, false, NULL);
	REQUIRE(pid > 0);
	CHECK(tenv_wait_lines(log, "published type=line-up event_id=14029003", 1, 20000));
	/* the 1st cycle's three day lists; the watched matches are in today's */
	CHECK_INT(world_sofa_matching(w, 0, NULL, -1), 3);
	CHECK(kill(pid, SIGTERM) == 0);
	CHECK_INT(world_reap(w, pid, 15000, "bf-producer"), 0);
}

static void lineup_published_at_its_moment_without_polling(void)
{
	struct world w;

	lineup_wake_body(&w);
	world_close(&w);
}

/* ---- two producers: one active, the other takes over ----------------------------- */

static void standby_body(struct world *w)
{
	char log1[512], log2[512];
	pid_t p1, p2;
	struct msgset lu, re;
	long long t_kill, t_active;
	static const char *const lineups[] = { "line-up:14027001" };
	static const char *const results1[] = { "result:14027002" };
	static const char *const results2[] = { "result:14027003" };

	REQUIRE(world_up(w, "standby", "tests/data/scenarios/producer-standby") == 0);
	REQUIRE(world_conf(w, "producer = { unique_tournaments = [17]; schedule_interval = \"10m\";"
			      " live_interval = \"1s\"; lineup_lead = \"75m\"; };") == 0);
	logpath(w, "p1", log1, sizeof(log1));
	logpath(w, "p2", log2, sizeof(log2));

	p1 = producer_start(w, log1, false, NULL);
	REQUIRE(p1 > 0);
	REQUIRE(tenv_wait_lines(log1, "active: this producer", 1, 10000));
	REQUIRE(tenv_wait_lines(log1, "published type=", 2, 10000));
	p2 = producer_start(w, log2, false, NULL);
	REQUIRE(p2 > 0);
	REQUIRE(tenv_wait_lines(log2, "standby: another producer is active", 1, 10000));
	tenv_sleep_ms(1500); /* a few cycles of p1 while p2 waits */
	CHECK_INT(tenv_count_lines(log2, "active: this producer"), 0);
	CHECK_INT(tenv_count_lines(log2, "published type="), 0);
	CHECK_INT(tenv_count_lines(log1, "standby: another"), 0);
	memset(&lu, 0, sizeof(lu));
	memset(&re, 0, sizeof(re));
	CHECK_INT(drain(w, MSG_LINEUP, &lu), 1);
	CHECK_INT(drain(w, MSG_RESULT, &re), 1);
	expect_set(&lu, lineups, 1, 1, "bf.line-up (p1)");
	expect_set(&re, results1, 1, 1, "bf.result (p1)");

	/* freeze p1 (it keeps the lock), let the live match end (today's list
	 * says so), kill p1 */
	CHECK(kill(p1, SIGSTOP) == 0);
	CHECK_INT(world_fake_post(w, "/_fake/advance", "{\"seconds\": 3600}"), 200);
	CHECK(kill(p1, SIGKILL) == 0);
	t_kill = tenv_now_ms();
	CHECK_INT(tenv_wait(p1, 5000), 128 + SIGKILL);
	world_untrack(w, p1);
	bool took = tenv_wait_lines(log2, "active: this producer", 1, 5000);
	t_active = tenv_now_ms();
	CHECK(took);
	printf("#   standby took over %lld ms after the kill (live_interval 1 s)\n",
	       t_active - t_kill);
	CHECK(t_active - t_kill <= 2000); /* two live_intervals */
	/* the match that ended is due now: published by p2, and only that */
	CHECK(tenv_wait_lines(log2, "published type=result event_id=14027003", 1, 10000));
	tenv_sleep_ms(1200); /* one more cycle: nothing else must come */
	memset(&lu, 0, sizeof(lu));
	memset(&re, 0, sizeof(re));
	CHECK_INT(drain(w, MSG_LINEUP, &lu), 0);
	CHECK_INT(drain(w, MSG_RESULT, &re), 1);
	expect_set(&re, results2, 1, 1, "bf.result (p2)");
	CHECK_INT(tenv_count_lines(log2, "published type="), 1);
	static const char *const jobs[] = { "line-up:14027001", "result:14027002",
					    "result:14027003" };
	expect_jobs(w, jobs, 3, "enqueued");

	/* SIGTERM: finishes the cycle in hand, exits 0 */
	CHECK(kill(p2, SIGTERM) == 0);
	CHECK_INT(tenv_wait(p2, 15000), 0);
	world_untrack(w, p2);
}

static void two_producers_one_active_standby_takes_over(void)
{
	struct world w;

	standby_body(&w);
	world_close(&w);
}

/* ---- the 403 challenge ---------------------------------------------------------------- */

static void challenge_body(struct world *w)
{
	char log1[512], log2[512], extra[1024];

	REQUIRE(world_up(w, "challenge", MATCHDAY) == 0);
	snprintf(extra, sizeof(extra),
		 "sofascore = { base_url = \"%s\"; timeout = \"5s\"; max_requests_per_second = 200.0;"
		 " challenge_pause = \"10m\"; };\n" MATCHDAY_CONF,
		 w->sofa.url);
	REQUIRE(world_conf(w, extra) == 0);
	/* every request from now on is challenged */
	REQUIRE(world_fake_post(w, "/_fake/fault",
				"{\"path\": \"*\", \"fault\": \"challenge\", \"count\": -1}") ==
		200);

	logpath(w, "run1", log1, sizeof(log1));
	/* nothing could be fetched: --once exits 1 */
	CHECK_INT(producer_once(w, log1, NULL), 1);
	print_reqs(w, 0, "1st --once under the challenge");
	CHECK_INT(world_sofa_count(w), 1);
	CHECK_INT(world_sofa_matching(w, 0, NULL, 403), 1);
	CHECK_INT(tenv_count_lines(log1, "sofascore refused access (403 challenge)"), 1);
	CHECK_INT(tenv_count_lines(log1, "sofascore.base_url must point at an access"), 1);
	long left = sql_long(
		w->db,
		"SELECT EXTRACT(EPOCH FROM open_until - now())::bigint FROM sofascore_breaker"
		" WHERE id = 1 AND reason LIKE '%403 challenge%' AND opened_by = 'bf-producer'",
		NULL);
	printf("#   sofascore_breaker: open_until - now = %ld s (challenge_pause 600 s; -1 = not open)\n",
	       left);
	CHECK(left >= 590 && left <= 600);
	/* "the log says so once": no other line repeats that access was refused */
	int said = tenv_count_lines(log1, "refused access");
	if (said != 1) {
		t_fail(__FILE__, __LINE__,
		       "1st run: %d lines say Sofascore refused access, expected 1", said);
		print_lines(log1, "refused access", 10);
	}

	logpath(w, "run2", log2, sizeof(log2));
	/* breaker open: no request at all; still "nothing could be fetched" */
	CHECK_INT(producer_once(w, log2, NULL), 1);
	CHECK_INT(world_sofa_count(w), 1);
	CHECK_INT(tenv_count_lines(log2, "sofascore refused access (403 challenge)"), 0);
	print_lines(log2, "circuit breaker open:", 2);
	said = tenv_count_lines(log2, "refused access");
	if (said != 0) {
		t_fail(__FILE__, __LINE__,
		       "2nd run: %d lines say Sofascore refused access, expected 0", said);
		print_lines(log2, "refused access", 3);
	}
}

static void challenge_opens_breaker_no_requests(void)
{
	struct world w;

	challenge_body(&w);
	world_close(&w);
}

/* ---- one request budget for every process ------------------------------------------- */

#define BUDGET_RPS 2.0
#define BUDGET_PER_CHILD 8

/* A child: its own client (own database connection), 8 GETs as fast as allowed. */
static void budget_child(const struct world *w, int k)
{
	struct bf_config cfg;
	struct source *s;
	int ok = 0;

	world_child_config(w, k, &cfg);
	cfg.sofa_max_rps = BUDGET_RPS;
	if (source_pg_open(&s, &cfg, w->db, 0) != 0)
		_exit(101);
	for (int i = 0; i < BUDGET_PER_CHILD; i++) {
		struct source_resp r;
		struct match_event *evs;
		size_t n, skipped;
		if (source_get_round(s, 17, 96668, 12, 0, &evs, &n, &skipped, &r) == SOURCE_OK)
			ok++;
		else
			fprintf(stderr, "GET failed: %s\n", r.error);
		free(evs);
	}
	source_close(s);
	cfg_free(&cfg);
	_exit(ok);
}

static int cmp_ll(const void *a, const void *b)
{
	long long x = *(const long long *)a, y = *(const long long *)b;

	return x < y ? -1 : x > y;
}

static void budget_body(struct world *w)
{
	pid_t kids[2];
	struct sofa_req *r = NULL;
	size_t n;
	long long ts[64];
	int maxwin = 0;

	REQUIRE(world_up(w, "budget", MATCHDAY) == 0);
	fflush(stdout);
	for (int k = 0; k < 2; k++) {
		kids[k] = fork();
		if (kids[k] == 0)
			budget_child(w, k);
		REQUIRE(kids[k] > 0);
		world_track(w, kids[k]);
	}
	for (int k = 0; k < 2; k++) {
		CHECK_INT(tenv_wait(kids[k], 30000), BUDGET_PER_CHILD);
		world_untrack(w, kids[k]);
	}
	n = world_sofa_requests(w, &r);
	CHECK_INT(n, 2 * BUDGET_PER_CHILD);
	if (n > 64)
		n = 64;
	for (size_t i = 0; i < n; i++)
		ts[i] = r[i].ms;
	free(r);
	REQUIRE(n >= 2);
	qsort(ts, n, sizeof(ts[0]), cmp_ll);
	/* the most requests in any closed 1 s window [t, t + 1000 ms] */
	for (size_t i = 0; i < n; i++) {
		int c = 0;
		for (size_t j = i; j < n && ts[j] - ts[i] <= 1000; j++)
			c++;
		if (c > maxwin)
			maxwin = c;
	}
	long long span = ts[n - 1] - ts[0];
	printf("#   budget %.0f/s shared by 2 processes: %zu requests in %lld ms (%.2f/s), at most %d"
	       " in any 1 s window\n",
	       BUDGET_RPS, n, span, span > 0 ? (double)(n - 1) * 1000.0 / (double)span : 0.0,
	       maxwin);
	/* a bucket of burst 1: rps + 1 can fall in a closed 1 s window */
	CHECK(maxwin <= (int)BUDGET_RPS + 1);
	CHECK(span >= (long long)((double)(2 * BUDGET_PER_CHILD - 1) / BUDGET_RPS * 1000.0) - 200);
}

static void budget_shared_by_two_processes(void)
{
	struct world w;

	budget_body(&w);
	world_close(&w);
}

/* ---- bad input -------------------------------------------------------------------------- */

static void badinput_body(struct world *w)
{
	char log[512], before[64], after[64], y[16], t[16], tm[16], needle[512];
	struct msgset lu, re;
	static const char *const lineups[] = { "line-up:14028001" };
	static const char *const results[] = { "result:14028002" };

	REQUIRE(world_up(w, "badinput", "tests/data/scenarios/producer-badinput") == 0);
	REQUIRE(world_conf(w, "producer = { unique_tournaments = [17]; live_interval = \"2s\";"
			      " lineup_lead = \"75m\"; };") == 0);
	utc_date(-1, y, sizeof(y));
	utc_date(0, t, sizeof(t));
	utc_date(1, tm, sizeof(tm));

	/* 1: yesterday malformed, tomorrow truncated, today good with bad events among
	 * the good ones: the good ones are stored, the cycle goes on */
	logpath(w, "run1", log, sizeof(log));
	CHECK_INT(producer_once(w, log, NULL), 0);
	print_lines(log, "url=", 6);
	CHECK_INT(sql_long(w->db, "SELECT count(*) FROM events", NULL), 4);
	CHECK_INT(sql_long(w->db,
			   "SELECT count(*) FROM events WHERE id IN (14028001, 14028002, 14028003,"
			   " 14028009)",
			   NULL),
		  4);
	static const struct ev_expect good[] = {
		{ 14028001, "notstarted", 0, -1, -1, -1, -1, -1, 22, 40 * MIN },
		{ 14028002, "finished", 100, 2, 0, -1, -1, 1, 22, -3 * HOUR },
		{ 14028009, "inprogress", 6, 0, 0, -1, -1, -1, 22, -30 * MIN },
	};
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		check_event(w, &good[i]);
	snprintf(needle, sizeof(needle),
		 "bad response url=%s/unique-tournament/17/scheduled-events/%s error=\"invalid JSON",
		 w->sofa.url, y);
	CHECK_INT(tenv_count_lines(log, needle), 1);
	snprintf(needle, sizeof(needle),
		 "bad response url=%s/unique-tournament/17/scheduled-events/%s error=\"invalid JSON",
		 w->sofa.url, tm);
	CHECK_INT(tenv_count_lines(log, needle), 1);
	/* one line for the response: the URL, how many, the (first) reason */
	snprintf(needle, sizeof(needle),
		 "skipped 5 events url=%s/unique-tournament/17/scheduled-events/%s first_error=\"event",
		 w->sofa.url, t);
	CHECK_INT(tenv_count_lines(log, needle), 1);
	/* the cycle went on: what is due was published */
	memset(&lu, 0, sizeof(lu));
	memset(&re, 0, sizeof(re));
	CHECK_INT(drain(w, MSG_LINEUP, &lu), 1);
	CHECK_INT(drain(w, MSG_RESULT, &re), 1);
	expect_set(&lu, lineups, 1, 1, "bf.line-up");
	expect_set(&re, results, 1, 1, "bf.result");
	events_digest(w, before, sizeof(before));
	REQUIRE(before[0] != '\0');

	/* 2-5: the same list now answers malformed, truncated, without "events",
	 * a JSON array: logged with the URL and the reason, nothing stored changes;
	 * --once exits 1 (nothing it asked for could be read); the reasons as
	 * logged, their quotes escaped (log_quote) */
	static const char *const reasons[] = { "invalid JSON", "invalid JSON",
					       "no \\\"events\\\" array",
					       "expected a JSON object" };
	for (int run = 0; run < 4; run++) {
		char suffix[16];
		snprintf(suffix, sizeof(suffix), "run%d", run + 2);
		logpath(w, suffix, log, sizeof(log));
		CHECK_INT(producer_once(w, log, NULL), 1);
		snprintf(needle, sizeof(needle),
			 "bad response url=%s/unique-tournament/17/scheduled-events/%s",
			 w->sofa.url, t);
		if (tenv_count_lines(log, needle) != 1) {
			t_fail(__FILE__, __LINE__,
			       "run %d: no single \"bad response\" line for today's list", run + 2);
			print_lines(log, "url=", 6);
		}
		snprintf(needle, sizeof(needle),
			 "bad response url=%s/unique-tournament/17/scheduled-events/%s error=\"%s",
			 w->sofa.url, t, reasons[run]);
		if (tenv_count_lines(log, needle) != 1) {
			t_fail(__FILE__, __LINE__, "run %d: reason \"%s\" not logged", run + 2,
			       reasons[run]);
			print_lines(log, "bad response", 6);
		}
		events_digest(w, after, sizeof(after));
		CHECK_STR(after, before);
		expect_nothing_new(w, suffix);
	}
	CHECK_INT(sql_long(w->db, "SELECT count(*) FROM events", NULL), 4);
}

static void bad_input_skipped_nothing_damaged(void)
{
	struct world w;

	badinput_body(&w);
	world_close(&w);
}

/* ---------------------------------------------------------------------------------------- */

/* ---- 5xx and 429: exponential backoff with jitter ------------------------------------- */

static void backoff_body(struct world *w)
{
	char log1[512], log2[512], extra[1024];

	REQUIRE(world_up(w, "backoff", MATCHDAY) == 0);
	snprintf(
		extra, sizeof(extra),
		"sofascore = { base_url = \"%s\"; timeout = \"5s\"; max_requests_per_second = 200.0; };\n" MATCHDAY_CONF,
		w->sofa.url);
	REQUIRE(world_conf(w, extra) == 0);
	/* the first three requests answer 500, the rest are fine */
	REQUIRE(world_fake_post(w, "/_fake/fault",
				"{\"path\": \"*\", \"fault\": \"500\", \"count\": 3}") == 200);
	logpath(w, "run1", log1, sizeof(log1));
	(void)producer_once(w, log1, NULL);
	/* one 500, then the cycle backs off: no further request in this run */
	CHECK_INT(world_sofa_count(w), 1);
	CHECK_INT(world_sofa_matching(w, 0, NULL, 500), 1);
	CHECK_INT(tenv_count_lines(log1, "sofascore backing off ms="), 1);
	print_lines(log1, "backing off", 2);
	/* a new process starts without the backoff: the next 500 then the rest */
	logpath(w, "run2", log2, sizeof(log2));
	(void)producer_once(w, log2, NULL);
	CHECK_INT(world_sofa_count(w), 2);
}

static void errors_back_off_exponentially(void)
{
	struct world w;

	backoff_body(&w);
	world_close(&w);
}

/* test_producer [CASE...]: only the named cases (all by default). */
static int g_argc;
static char **g_argv;

static bool wanted(const char *name)
{
	if (g_argc < 2)
		return true;
	for (int i = 1; i < g_argc; i++)
		if (strcmp(g_argv[i], name) == 0)
			return true;
	return false;
}

#define RUN(fn)                    \
	do {                       \
		if (wanted(#fn))   \
			T_RUN(fn); \
	} while (0)

int main(int argc, char **argv)
{
	tenv_require();
	g_argc = argc;
	g_argv = argv;
	log_init("test_producer");
	signals_install();
	RUN(matchday_publishes_exactly_what_is_due);
	RUN(round_list_404_trusts_local_view);
	RUN(crash_after_publish_loses_nothing);
	RUN(stale_enqueued_job_published_again);
	RUN(watch_asks_the_day_list_only_while_a_match_is_due);
	RUN(lineup_published_at_its_moment_without_polling);
	RUN(two_producers_one_active_standby_takes_over);
	RUN(challenge_opens_breaker_no_requests);
	RUN(budget_shared_by_two_processes);
	RUN(bad_input_skipped_nothing_damaged);
	RUN(errors_back_off_exponentially);
	return t_done();
}
