/*
 * producer_bench: the producer's work on a 1,000-event day, for `make bench`.
 *
 *   producer_bench DATABASE_URL FIXTURE [N]
 *
 * Builds one scheduled-events body of N (default 1000) events of unique
 * tournament 17, shaped like FIXTURE (tests/data/fixtures/sofascore/
 * scheduled_ut17_round.json: its events are reused round-robin with new
 * event ids and teams from a pool of 400), then on DATABASE_URL (a freshly
 * migrated database) times:
 *   first:     sofa_parse_events, then store_upsert_events inserting everything;
 *   unchanged: the same body parsed and upserted again (nothing changes).
 * Prints one line of key=value (milliseconds, wall clock).  Exit 1 on error.
 */
#include <cjson/cJSON.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libpq-fe.h>

#include "lib/log.h"
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

int main(int argc, char **argv)
{
	long n = argc > 3 ? strtol(argv[3], NULL, 10) : 1000;
	double p1, u1, t1, p2, u2, t2;
	size_t k1, c1, k2, c2, len;
	char *body;
	PGconn *db;

	if (argc < 3 || n < 1 || n > SOFA_MAX_EVENTS) {
		fprintf(stderr, "usage: producer_bench DATABASE_URL FIXTURE [N]\n");
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
