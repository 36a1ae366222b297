/*
 * producer_bench: the producer's work on a 1,000-event day, and one cycle
 * of a producer following many competitions, for `make bench`.
 *
 *   producer_bench DATABASE_URL FIXTURE [N]
 *   producer_bench --competitions C DATABASE_URL FIXTURE
 *
 * Builds one scheduled-events body of N (default 1000) events of unique
 * tournament 17, shaped like FIXTURE (tests/data/fixtures/sofascore/
 * scheduled_ut17_round.json: its events are reused round-robin with new
 * event ids and teams from a pool of 400), then on DATABASE_URL (a freshly
 * migrated database) times:
 *   first:     sofa_parse_events, then store_upsert_events inserting everything;
 *   unchanged: the same body parsed and upserted again (nothing changes).
 * Prints one line of key=value (milliseconds, wall clock).  Exit 1 on error.
 *
 * --competitions C: C generated competitions (unique tournaments 1001..),
 * each a round of 10 matches shaped like FIXTURE's events, with its own
 * event ids, teams (20), season and round: 3 played yesterday, 4 today
 * (one finished, one in progress, one kicking off in 30 minutes, one
 * tonight) and 3 tomorrow, relative to the clock.  Before the timing (not
 * timed) the previous round, a week ago, is stored with its results and
 * its jobs done, as a running producer would have it.  Then one cycle of
 * bf-producer's own work with the real functions: the 3 day lists of
 * every competition (yesterday, today, tomorrow) parsed (sofa_parse_events)
 * and upserted list by list (store_upsert_events, one transaction each),
 * then what is due (store_load_due + due_compute); the due items are then
 * recorded (store_record_jobs, timed apart).  The same cycle again with the
 * same lists (nothing changed, the jobs recorded: a steady cycle when a
 * provider answers without an ETag).  Prints one line of key=value with the
 * prefix compC_ (milliseconds, wall clock).
 */
#include <cjson/cJSON.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libpq-fe.h>

#include "lib/log.h"
#include "producer/due.h"
#include "producer/store.h"
#include "protocol/sofascore.h"

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static char *read_all(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	long n;

	if (f == NULL)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) > 0 && fseek(f, 0, SEEK_SET) == 0 &&
	    (buf = malloc((size_t)n + 1)) != NULL) {
		*len = fread(buf, 1, (size_t)n, f);
		buf[*len] = '\0';
	}
	fclose(f);
	return buf;
}

static void set_num(cJSON *o, const char *k, double v)
{
	cJSON *it = cJSON_GetObjectItemCaseSensitive(o, k);

	if (it != NULL)
		cJSON_SetNumberValue(it, v);
	else
		cJSON_AddNumberToObject(o, k, v);
}

static void set_str(cJSON *o, const char *k, const char *v)
{
	cJSON_DeleteItemFromObjectCaseSensitive(o, k);
	cJSON_AddStringToObject(o, k, v);
}

static void set_team(cJSON *t, int64_t id)
{
	char buf[64];

	set_num(t, "id", (double)id);
	snprintf(buf, sizeof(buf), "Team %" PRId64, id);
	set_str(t, "name", buf);
	set_str(t, "shortName", buf);
	snprintf(buf, sizeof(buf), "team-%" PRId64, id);
	set_str(t, "slug", buf);
	snprintf(buf, sizeof(buf), "T%03d", (int)(id % 1000));
	set_str(t, "nameCode", buf);
}

/* The N-event body. */
static char *make_body(const char *fixture, int n)
{
	size_t len = 0;
	char *raw = read_all(fixture, &len);
	cJSON *root = raw ? cJSON_ParseWithLength(raw, len) : NULL;
	const cJSON *tpl = cJSON_GetObjectItemCaseSensitive(root, "events");
	int ntpl = cJSON_GetArraySize(tpl);
	cJSON *out = cJSON_CreateObject(), *arr = cJSON_AddArrayToObject(out, "events");
	char *body;

	free(raw);
	if (ntpl <= 0) {
		fprintf(stderr, "producer_bench: %s has no events\n", fixture);
		exit(1);
	}
	for (int i = 0; i < n; i++) {
		cJSON *e = cJSON_Duplicate(cJSON_GetArrayItem(tpl, i % ntpl), 1);
		cJSON *start = cJSON_GetObjectItemCaseSensitive(e, "startTimestamp");

		set_num(e, "id", 30000000.0 + i);
		set_team(cJSON_GetObjectItemCaseSensitive(e, "homeTeam"), 500000 + (2 * i) % 400);
		set_team(cJSON_GetObjectItemCaseSensitive(e, "awayTeam"),
			 500000 + (2 * i + 1) % 400);
		if (cJSON_IsNumber(start))
			cJSON_SetNumberValue(start, start->valuedouble + (double)(i / ntpl) * 600);
		cJSON_AddItemToArray(arr, e);
	}
	body = cJSON_PrintUnformatted(out);
	cJSON_Delete(out);
	cJSON_Delete(root);
	return body;
}

/* parse + upsert once; times in ms. */
static void pass(PGconn *db, const char *body, size_t len, double *parse, double *upsert,
		 double *total, size_t *kept, size_t *changed)
{
	static const int64_t followed[] = { 17 };
	struct match_event *evs = NULL;
	size_t n = 0, skipped = 0;
	char err[256];
	double t0 = now_ms(), t1, t2;

	if (sofa_parse_events(body, len, &evs, &n, &skipped, err, sizeof(err)) != 0) {
		fprintf(stderr, "producer_bench: parse: %s\n", err);
		exit(1);
	}
	t1 = now_ms();
	if (store_upsert_events(db, evs, n, followed, 1, kept, changed) != 0) {
		fprintf(stderr, "producer_bench: upsert failed\n");
		exit(1);
	}
	t2 = now_ms();
	free(evs);
	*parse = t1 - t0;
	*upsert = t2 - t1;
	*total = t2 - t0;
	if (skipped > 0)
		fprintf(stderr, "producer_bench: %zu events skipped (%s)\n", skipped, err);
}

/* ---- --competitions: one producer cycle for many competitions ---------- */

#define COMP_MATCHES 10 /* a round */
#define COMP_LINEUP_LEAD 3600 /* producer.lineup_lead's default */
#define COMP_MAX_DUE 20000 /* bf-producer's MAX_DUE */

static void set_obj(cJSON *o, const char *k, cJSON *v)
{
	cJSON_DeleteItemFromObjectCaseSensitive(o, k);
	cJSON_AddItemToObject(o, k, v);
}

static cJSON *score(int goals)
{
	cJSON *s = cJSON_CreateObject();

	if (goals >= 0) {
		cJSON_AddNumberToObject(s, "current", goals);
		cJSON_AddNumberToObject(s, "display", goals);
		cJSON_AddNumberToObject(s, "period1", goals / 2);
	}
	return s;
}

/* status code 0 (not started), 7 (second half) or 100 (ended) and the
 * scores that go with it */
static void set_state(cJSON *e, int code, int home, int away)
{
	cJSON *st = cJSON_CreateObject();

	cJSON_AddNumberToObject(st, "code", code);
	cJSON_AddStringToObject(st, "description",
				code == 0   ? "Not started"
				: code == 7 ? "2nd half"
					    : "Ended");
	cJSON_AddStringToObject(st, "type",
				code == 0   ? "notstarted"
				: code == 7 ? "inprogress"
					    : "finished");
	set_obj(e, "status", st);
	set_obj(e, "homeScore", score(code == 0 ? -1 : home));
	set_obj(e, "awayScore", score(code == 0 ? -1 : away));
	cJSON_DeleteItemFromObjectCaseSensitive(e, "winnerCode");
	cJSON_DeleteItemFromObjectCaseSensitive(e, "changes");
	if (code == 100)
		cJSON_AddNumberToObject(e, "winnerCode", home > away ? 1 : home < away ? 2 : 3);
}

/* Competition c's match k of round (0: the previous one, a week ago; 1:
 * this one, around now), from template tpl. */
static cJSON *comp_event(const cJSON *tpl, int c, int round, int k, int64_t now)
{
	static const int64_t at[COMP_MATCHES] = {
		/* yesterday */ -26 * 3600, -24 * 3600, -22 * 3600,
		/* today */ -3 * 3600,	    -40 * 60,	30 * 60,    5 * 3600,
		/* tomorrow */ 22 * 3600,   24 * 3600,	26 * 3600,
	};
	cJSON *e = cJSON_Duplicate(tpl, 1);
	cJSON *t = cJSON_GetObjectItemCaseSensitive(e, "tournament");
	cJSON *ut = cJSON_GetObjectItemCaseSensitive(t, "uniqueTournament");
	cJSON *season = cJSON_GetObjectItemCaseSensitive(e, "season");
	cJSON *ri = cJSON_CreateObject();
	int64_t ut_id = 1001 + c, team0 = 700000 + (int64_t)c * 20;
	int64_t start = round == 0 ? now - 7 * 86400 + at[k] : now + at[k];
	int home = (k * 7) % 4, away = (k * 3) % 3;
	char name[64];

	snprintf(name, sizeof(name), "Competition %d", c + 1);
	set_num(e, "id", 60000000.0 + c * 100.0 + round * COMP_MATCHES + k);
	set_num(ut, "id", (double)ut_id);
	set_str(ut, "name", name);
	set_str(t, "name", name);
	snprintf(name, sizeof(name), "competition-%d", c + 1);
	set_str(ut, "slug", name);
	set_str(t, "slug", name);
	set_num(season, "id", 800000.0 + c);
	cJSON_AddNumberToObject(ri, "round", 20 + round);
	set_obj(e, "roundInfo", ri);
	set_num(e, "startTimestamp", (double)start);
	set_team(cJSON_GetObjectItemCaseSensitive(e, "homeTeam"), team0 + (2 * k + round) % 20);
	set_team(cJSON_GetObjectItemCaseSensitive(e, "awayTeam"), team0 + (2 * k + 1 + round) % 20);
	if (round == 0 || at[k] < -2 * 3600)
		set_state(e, 100, home, away);
	else if (at[k] < 0)
		set_state(e, 7, home, away);
	else
		set_state(e, 0, 0, 0);
	return e;
}

/* The day list (day 0 yesterday, 1 today, 2 tomorrow) of competition c, or
 * (day -1) its previous round. */
static char *comp_body(const cJSON *tpl, int ntpl, int c, int day, int64_t now)
{
	static const int first[4] = { 0, 3, 7, COMP_MATCHES };
	cJSON *out = cJSON_CreateObject(), *arr = cJSON_AddArrayToObject(out, "events");
	int from = day < 0 ? 0 : first[day], to = day < 0 ? COMP_MATCHES : first[day + 1];
	char *body;

	for (int k = from; k < to; k++)
		cJSON_AddItemToArray(arr, comp_event(cJSON_GetArrayItem(tpl, k % ntpl), c,
						     day < 0 ? 0 : 1, k, now));
	body = cJSON_PrintUnformatted(out);
	cJSON_Delete(out);
	if (body == NULL) {
		fprintf(stderr, "producer_bench: out of memory\n");
		exit(1);
	}
	return body;
}

struct comp_cycle {
	double parse, upsert, due, record;
	size_t events, changed, due_items, recorded;
};

/* One cycle over the lists: parse and upsert each, then what is due (and,
 * with record, its recording).  Exits on an error. */
static void comp_cycle(PGconn *db, char *const *bodies, size_t nbodies, const int64_t *followed,
		       size_t nfollowed, bool record, struct comp_cycle *cy)
{
	struct due_item *items = calloc(COMP_MAX_DUE, sizeof(*items));
	struct due_event *ev = NULL;
	struct due_job *jobs = NULL;
	size_t nev = 0, njobs = 0;
	char err[256];
	double t0, t1;

	memset(cy, 0, sizeof(*cy));
	if (items == NULL) {
		fprintf(stderr, "producer_bench: out of memory\n");
		exit(1);
	}
	for (size_t i = 0; i < nbodies; i++) {
		struct match_event *evs = NULL;
		size_t n = 0, skipped = 0, kept = 0, changed = 0;

		t0 = now_ms();
		if (sofa_parse_events(bodies[i], strlen(bodies[i]), &evs, &n, &skipped, err,
				      sizeof(err)) != 0 ||
		    skipped > 0) {
			fprintf(stderr, "producer_bench: parse: %s\n", err);
			exit(1);
		}
		t1 = now_ms();
		cy->parse += t1 - t0;
		if (store_upsert_events(db, evs, n, followed, nfollowed, &kept, &changed) != 0) {
			fprintf(stderr, "producer_bench: upsert failed\n");
			exit(1);
		}
		cy->upsert += now_ms() - t1;
		cy->events += kept;
		cy->changed += changed;
		free(evs);
	}
	/* bf-producer's compute_due */
	t0 = now_ms();
	struct due_params dp = { .now = (int64_t)time(NULL), .lineup_lead = COMP_LINEUP_LEAD };
	if (store_load_due(db, &ev, &nev, &jobs, &njobs) != 0) {
		fprintf(stderr, "producer_bench: store_load_due failed\n");
		exit(1);
	}
	cy->due_items = due_compute(ev, nev, jobs, njobs, &dp, items, COMP_MAX_DUE);
	cy->due = now_ms() - t0;
	free(ev);
	free(jobs);
	if (record && cy->due_items > 0) {
		t0 = now_ms();
		if (store_record_jobs(db, items, cy->due_items, &cy->recorded) != 0) {
			fprintf(stderr, "producer_bench: store_record_jobs failed\n");
			exit(1);
		}
		cy->record = now_ms() - t0;
	}
	free(items);
}

static void sql(PGconn *db, const char *q)
{
	PGresult *r = PQexec(db, q);

	if (PQresultStatus(r) != PGRES_COMMAND_OK) {
		fprintf(stderr, "producer_bench: %s: %s", q, PQerrorMessage(db));
		exit(1);
	}
	PQclear(r);
}

static int run_competitions(PGconn *db, const char *fixture, int ncomp)
{
	size_t len = 0, nbodies = (size_t)ncomp * 3, bytes = 0;
	char *raw = read_all(fixture, &len);
	cJSON *root = raw ? cJSON_ParseWithLength(raw, len) : NULL;
	const cJSON *tpl = cJSON_GetObjectItemCaseSensitive(root, "events");
	int ntpl = cJSON_GetArraySize(tpl);
	char **bodies = calloc(nbodies, sizeof(*bodies)),
	     **prev = calloc((size_t)ncomp, sizeof(*prev));
	int64_t *followed = calloc((size_t)ncomp, sizeof(*followed));
	int64_t now = (int64_t)time(NULL);
	struct comp_cycle setup, first, again;

	free(raw);
	if (ntpl <= 0 || bodies == NULL || prev == NULL || followed == NULL) {
		fprintf(stderr, "producer_bench: %s has no events\n", fixture);
		return 1;
	}
	for (int c = 0; c < ncomp; c++) {
		followed[c] = 1001 + c;
		prev[c] = comp_body(tpl, ntpl, c, -1, now);
		for (int d = 0; d < 3; d++) {
			bodies[(size_t)c * 3 + (size_t)d] = comp_body(tpl, ntpl, c, d, now);
			bytes += strlen(bodies[(size_t)c * 3 + (size_t)d]);
		}
	}
	cJSON_Delete(root);
	/* the previous round: stored, its results in, its jobs done */
	comp_cycle(db, prev, (size_t)ncomp, followed, (size_t)ncomp, true, &setup);
	sql(db, "UPDATE events SET result_stored_at = now()");
	comp_cycle(db, NULL, 0, followed, (size_t)ncomp, true, &first); /* its round */
	sql(db, "UPDATE jobs SET state = 'done', finished_at = now()");
	comp_cycle(db, bodies, nbodies, followed, (size_t)ncomp, true, &first);
	comp_cycle(db, bodies, nbodies, followed, (size_t)ncomp, false, &again);
	printf("comp%d_lists=%zu comp%d_events=%zu comp%d_body_bytes=%zu comp%d_stored_before=%zu"
	       " comp%d_parse_ms=%.2f comp%d_upsert_ms=%.2f comp%d_due_ms=%.2f comp%d_cycle_ms=%.2f"
	       " comp%d_changed=%zu comp%d_due_items=%zu comp%d_record_ms=%.2f"
	       " comp%d_again_parse_ms=%.2f comp%d_again_upsert_ms=%.2f comp%d_again_due_ms=%.2f"
	       " comp%d_again_cycle_ms=%.2f comp%d_again_changed=%zu comp%d_again_due_items=%zu\n",
	       ncomp, nbodies, ncomp, first.events, ncomp, bytes, ncomp, setup.events, ncomp,
	       first.parse, ncomp, first.upsert, ncomp, first.due, ncomp,
	       first.parse + first.upsert + first.due, ncomp, first.changed, ncomp, first.due_items,
	       ncomp, first.record, ncomp, again.parse, ncomp, again.upsert, ncomp, again.due,
	       ncomp, again.parse + again.upsert + again.due, ncomp, again.changed, ncomp,
	       again.due_items);
	for (size_t i = 0; i < nbodies; i++)
		free(bodies[i]);
	for (int c = 0; c < ncomp; c++)
		free(prev[c]);
	free(bodies);
	free(prev);
	free(followed);
	/* everything new stored, then nothing changed and nothing due again */
	return first.changed == first.events && first.events == (size_t)ncomp * COMP_MATCHES &&
			       first.due_items > 0 && again.changed == 0 && again.due_items == 0
		       ? 0
		       : 1;
}

int main(int argc, char **argv)
{
	long n;
	double p1, u1, t1, p2, u2, t2;
	size_t k1, c1, k2, c2, len;
	char *body;
	PGconn *db;

	if (argc == 5 && strcmp(argv[1], "--competitions") == 0) {
		long c = strtol(argv[2], NULL, 10);
		int rc;

		if (c < 1 || c > 10000) {
			fprintf(stderr, "producer_bench: --competitions 1..10000\n");
			return 2;
		}
		log_init("producer_bench");
		db = PQconnectdb(argv[3]);
		if (PQstatus(db) != CONNECTION_OK) {
			fprintf(stderr, "producer_bench: %s", PQerrorMessage(db));
			return 1;
		}
		rc = run_competitions(db, argv[4], (int)c);
		PQfinish(db);
		return rc;
	}
	n = argc > 3 ? strtol(argv[3], NULL, 10) : 1000;
	if (argc < 3 || n < 1 || n > SOFA_MAX_EVENTS) {
		fprintf(stderr, "usage: producer_bench DATABASE_URL FIXTURE [N]\n"
				"       producer_bench --competitions C DATABASE_URL FIXTURE\n");
		return 2;
	}
	log_init("producer_bench");
	body = make_body(argv[2], (int)n);
	len = strlen(body);
	db = PQconnectdb(argv[1]);
	if (PQstatus(db) != CONNECTION_OK) {
		fprintf(stderr, "producer_bench: %s", PQerrorMessage(db));
		return 1;
	}
	pass(db, body, len, &p1, &u1, &t1, &k1, &c1);
	pass(db, body, len, &p2, &u2, &t2, &k2, &c2);
	printf("events=%ld body_bytes=%zu parse_ms=%.2f insert_ms=%.2f first_total_ms=%.2f "
	       "first_changed=%zu reparse_ms=%.2f unchanged_upsert_ms=%.2f unchanged_total_ms=%.2f "
	       "unchanged_changed=%zu\n",
	       n, len, p1, u1, t1, c1, p2, u2, t2, c2);
	PQfinish(db);
	free(body);
	return (c1 == (size_t)n && c2 == 0) ? 0 : 1;
}
