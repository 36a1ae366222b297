/*
 * test_source: the client engine of protocol/source.c with an in-memory
 * store (no PostgreSQL) and a tiny scripted HTTP server on a loopback
 * port (a thread of this test): typed results, ETag revalidation, the
 * breaker opened by a challenge, the shared budget's pacing and refusal,
 * the producer's backoff, and line-ups fetched ahead; with API-Football:
 * its key header, errors inside 200 and one answer for an event's parts.
 * Run from the project root (fixtures are read from tests/data/fixtures/).
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "lib/config.h"
#include "lib/clock.h"
#include "protocol/source.h"
#include "tests/support/t.h"
#include "tests/support/testenv.h"

#define FIX "tests/data/fixtures/sofascore/"
#define AFIX "tests/data/fixtures/apifootball/"

/* ---- a scripted HTTP server ------------------------------------------------ */

struct reply {
	int status;
	const char *etag; /* NULL = none */
	char *body; /* malloc'd or NULL */
};

#define MAX_SCRIPT 16

static struct {
	int fd;
	int port;
	pthread_t th;
	pthread_mutex_t mu;
	struct reply script[MAX_SCRIPT];
	size_t nscript, next;
	unsigned requests;
	char last_path[256];
	char last_inm[256]; /* If-None-Match of the last request */
	char last_key[256]; /* x-apisports-key of the last request */
	char extra[512]; /* more response headers ("Name: value\r\n"...) */
} srv = { .mu = PTHREAD_MUTEX_INITIALIZER };

static void header_value(const char *req, const char *name, char *out, size_t n)
{
	const char *p = strstr(req, name);

	out[0] = '\0';
	if (p == NULL)
		return;
	p += strlen(name);
	while (*p == ' ')
		p++;
	size_t len = strcspn(p, "\r\n");
	snprintf(out, n, "%.*s", (int)len, p);
}

static void *serve(void *arg)
{
	(void)arg;
	for (;;) {
		char req[4096];
		size_t got = 0;
		int c = accept(srv.fd, NULL, NULL);

		if (c < 0)
			return NULL;
		while (got < sizeof(req) - 1) {
			ssize_t k = read(c, req + got, sizeof(req) - 1 - got);
			if (k <= 0)
				break;
			got += (size_t)k;
			req[got] = '\0';
			if (strstr(req, "\r\n\r\n") != NULL)
				break;
		}
		req[got] = '\0';
		pthread_mutex_lock(&srv.mu);
		struct reply r = { 500, NULL, NULL };
		char etag[256] = "";
		if (srv.next < srv.nscript)
			r = srv.script[srv.next++];
		/* copies: the test may reset the script (and free them) while this
		 * answer is still being written, after a client that gave up */
		if (r.etag != NULL) {
			snprintf(etag, sizeof(etag), "%s", r.etag);
			r.etag = etag;
		}
		r.body = r.body != NULL ? strdup(r.body) : NULL;
		srv.requests++;
		sscanf(req, "GET %255s", srv.last_path);
		header_value(req, "If-None-Match:", srv.last_inm, sizeof(srv.last_inm));
		header_value(req, "x-apisports-key:", srv.last_key, sizeof(srv.last_key));
		pthread_mutex_unlock(&srv.mu);
		size_t blen = r.body != NULL ? strlen(r.body) : 0;
		char extra[512];
		pthread_mutex_lock(&srv.mu);
		snprintf(extra, sizeof(extra), "%s", srv.extra);
		pthread_mutex_unlock(&srv.mu);
		char head[1024];
		int hl = snprintf(head, sizeof(head),
				  "HTTP/1.1 %d X\r\nContent-Type: application/json\r\n%s%s%s%s"
				  "Content-Length: %zu\r\nConnection: close\r\n\r\n",
				  r.status, r.etag ? "ETag: " : "", r.etag ? r.etag : "",
				  r.etag ? "\r\n" : "", extra, blen);
		if (write(c, head, (size_t)hl) < 0 || (blen > 0 && write(c, r.body, blen) < 0))
			fprintf(stderr, "# fake server: write failed\n");
		free(r.body);
		close(c);
	}
}

static int srv_start(void)
{
	srv.fd = tenv_listen_loopback(&srv.port);
	if (srv.fd < 0)
		return -1;
	return pthread_create(&srv.th, NULL, serve, NULL) == 0 ? 0 : -1;
}

static void script(int status, const char *etag, const char *body)
{
	pthread_mutex_lock(&srv.mu);
	if (srv.nscript < MAX_SCRIPT)
		srv.script[srv.nscript++] =
			(struct reply){ status, etag, body != NULL ? strdup(body) : NULL };
	pthread_mutex_unlock(&srv.mu);
}

static void script_reset(void)
{
	pthread_mutex_lock(&srv.mu);
	for (size_t i = 0; i < srv.nscript; i++)
		free(srv.script[i].body);
	srv.nscript = srv.next = 0;
	srv.requests = 0;
	srv.last_path[0] = srv.last_inm[0] = srv.last_key[0] = srv.extra[0] = '\0';
	pthread_mutex_unlock(&srv.mu);
}

static unsigned requests(void)
{
	pthread_mutex_lock(&srv.mu);
	unsigned n = srv.requests;
	pthread_mutex_unlock(&srv.mu);
	return n;
}

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	long n;

	if (f == NULL)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0 &&
	    (buf = malloc((size_t)n + 1)) != NULL) {
		size_t got = fread(buf, 1, (size_t)n, f);
		buf[got] = '\0';
	}
	fclose(f);
	return buf;
}

/* ---- an in-memory store ----------------------------------------------------- */

struct mem {
	double tokens; /* the bucket, refilled at rps since at_ms */
	int64_t at_ms;
	bool fixed_tokens; /* tokens as set, no refill (to force a refusal) */
	int64_t open_until;
	unsigned breaker_opens, given_back, takes, quota_seen;
	int used_day, used_minute, day_limit_seen;
	int64_t minute;
	char why[200]; /* of the breaker */
	char url[512], etag[256], *body; /* one cached answer */
};

static bool mem_ready(void *ctx)
{
	(void)ctx;
	return true;
}

static int mem_breaker_read(void *ctx, int64_t *open_until, char *why, size_t whylen)
{
	snprintf(why, whylen, "%s", ((struct mem *)ctx)->why);
	*open_until = ((struct mem *)ctx)->open_until;
	return 0;
}

static int mem_breaker_open(void *ctx, int secs, const char *by, const char *why)
{
	struct mem *m = ctx;
	int64_t now = (int64_t)time(NULL);

	(void)by;
	if (why == NULL || why[0] == '\0')
		t_fail(__FILE__, __LINE__, "the breaker opened without a reason");
	else if (m->open_until <= now)
		snprintf(m->why, sizeof(m->why), "%s", why);
	if (m->open_until > now)
		return 0;
	m->open_until = now + secs;
	m->breaker_opens++;
	return 1;
}

static int mem_budget_take(void *ctx, double rps, const struct source_quota *q,
			   const char *const *urls, size_t n, double *tokens, int64_t *until,
			   struct source_cached *cached, int left[2])
{
	struct mem *m = ctx;
	int64_t now = clock_mono_ms(), minute = (int64_t)time(NULL) / 60;
	int per_day = q->per_day > 0 ? q->per_day : m->day_limit_seen;

	m->takes++;
	*until = 0;
	if (m->minute != minute)
		m->used_minute = 0;
	m->minute = minute;
	if (per_day > 0 && m->used_day + (int)n > per_day - q->reserve) {
		*until = ((int64_t)time(NULL) / 86400 + 1) * 86400;
		return 1;
	}
	if (q->per_minute > 0 && m->used_minute + (int)n > q->per_minute) {
		*until = (minute + 1) * 60;
		return 1;
	}
	m->used_day += (int)n;
	m->used_minute += (int)n;
	left[0] = per_day > 0 ? per_day - m->used_day : -1;
	left[1] = q->per_minute > 0 ? q->per_minute - m->used_minute : -1;
	if (!m->fixed_tokens) {
		m->tokens += (double)(now - m->at_ms) / 1000.0 * rps;
		if (m->tokens > 1.0)
			m->tokens = 1.0;
		m->at_ms = now;
	}
	m->tokens -= (double)n;
	*tokens = m->tokens;
	for (size_t i = 0; i < n; i++)
		if (m->body != NULL && strcmp(urls[i], m->url) == 0) {
			snprintf(cached[i].etag, sizeof(cached[i].etag), "%s", m->etag);
			cached[i].body = strdup(m->body);
			cached[i].len = strlen(m->body);
		}
	return 0;
}

static void mem_quota_seen(void *ctx, int day_limit, int day_left, int minute_limit,
			   int minute_left)
{
	struct mem *m = ctx;

	(void)minute_limit;
	(void)minute_left;
	m->quota_seen++;
	if (day_limit >= 0)
		m->day_limit_seen = day_limit;
	if (day_limit >= 0 && day_left >= 0 && day_limit - day_left > m->used_day)
		m->used_day = day_limit - day_left;
}

static void mem_give_back(void *ctx, size_t n)
{
	struct mem *m = ctx;

	m->given_back += (unsigned)n;
	m->used_day -= (int)n;
	m->used_minute -= (int)n;
	m->tokens += (double)n;
	if (m->tokens > 1.0)
		m->tokens = 1.0;
}

static void mem_cache_put(void *ctx, const char *url, const char *etag, const char *body,
			  size_t len)
{
	struct mem *m = ctx;

	snprintf(m->url, sizeof(m->url), "%s", url);
	snprintf(m->etag, sizeof(m->etag), "%s", etag);
	free(m->body);
	m->body = strndup(body, len);
}

static void mem_close(void *ctx)
{
	struct mem *m = ctx;

	free(m->body);
	m->body = NULL;
}

static struct source_store mem_store(struct mem *m)
{
	struct source_store st = {
		.ctx = m,
		.ready = mem_ready,
		.breaker_read = mem_breaker_read,
		.breaker_open = mem_breaker_open,
		.budget_take = mem_budget_take,
		.budget_give_back = mem_give_back,
		.quota_seen = mem_quota_seen,
		.cache_put = mem_cache_put,
		.close = mem_close,
	};

	memset(m, 0, sizeof(*m));
	m->tokens = 1.0;
	m->at_ms = clock_mono_ms();
	return st;
}

/* ---- helpers -------------------------------------------------------------- */

static char base_url[64];

static struct bf_config config(double rps)
{
	struct bf_config c;

	memset(&c, 0, sizeof(c));
	c.source_provider = "sofascore";
	snprintf(base_url, sizeof(base_url), "http://127.0.0.1:%d/api/v1", srv.port);
	c.sofa_base_url = base_url;
	c.sofa_timeout = 5;
	c.sofa_max_rps = rps;
	c.sofa_challenge_pause = 900;
	c.sofa_max_body = 1 << 20;
	return c;
}

static char af_url[64];

static struct bf_config af_config(void)
{
	struct bf_config c;

	memset(&c, 0, sizeof(c));
	c.source_provider = "api-football";
	snprintf(af_url, sizeof(af_url), "http://127.0.0.1:%d", srv.port);
	c.af_base_url = af_url;
	c.af_api_key = "k-0123456789";
	c.af_timeout = 5;
	c.af_max_rps = 1000;
	c.af_refusal_pause = 600;
	c.af_max_body = 1 << 20;
	/* Sofascore's, to show they are not used */
	c.sofa_base_url = "http://127.0.0.1:1/api/v1";
	c.sofa_max_rps = 0.001;
	return c;
}

static enum source_result lineups(struct source *s, int64_t id, struct source_resp *r,
				  bool *confirmed)
{
	struct match_lineups l;
	enum source_result res = source_get_lineups(s, id, false, &l, r);

	if (confirmed != NULL)
		*confirmed = l.confirmed;
	match_lineups_free(&l);
	return res;
}

/* ---- cases ---------------------------------------------------------------- */

static void typed_results(void)
{
	struct bf_config cfg = config(1000);
	struct source *s;
	struct source_resp r;
	struct match_event ev;

	script_reset();
	REQUIRE(source_open(&s, &cfg, NULL, 0) == 0);
	script(404, NULL, "{\"error\":{\"code\":404}}");
	CHECK_INT(source_get_event(s, 11, 0, &ev, &r), SOURCE_NOT_FOUND);
	CHECK_STR(srv.last_path, "/api/v1/event/11");
	CHECK_INT(r.status, 404);
	script(200, NULL, "{");
	CHECK_INT(source_get_event(s, 11, 0, &ev, &r), SOURCE_BAD);
	CHECK_INT(r.reason, SOURCE_R_UNREADABLE);
	CHECK_INT(r.status, 200);
	script(429, NULL, "{}");
	CHECK_INT(source_get_event(s, 11, 0, &ev, &r), SOURCE_TRANSIENT);
	CHECK_INT(r.reason, SOURCE_R_TOO_MANY);
	script(503, NULL, "{}");
	CHECK_INT(source_get_event(s, 11, 0, &ev, &r), SOURCE_TRANSIENT);
	CHECK_INT(r.reason, SOURCE_R_SERVER);
	script(403, NULL, "{\"error\":{\"code\":403}}");
	CHECK_INT(source_get_event(s, 11, 0, &ev, &r), SOURCE_TRANSIENT);
	CHECK_INT(r.reason, SOURCE_R_FORBIDDEN);
	script(410, NULL, "{}");
	CHECK_INT(source_get_event(s, 11, 0, &ev, &r), SOURCE_FAILED);
	CHECK_INT(r.reason, SOURCE_R_CLIENT);
	CHECK_STR(r.error, "HTTP 410");
	CHECK_INT(requests(), 6);
	/* no backoff unless asked for: every call went out */
	source_close(s);

	/* a body past max_body: failed, not transient, and said by a flag */
	cfg.sofa_max_body = 64;
	REQUIRE(source_open(&s, &cfg, NULL, 0) == 0);
	char *big = slurp(FIX "event_finished_120.json");
	REQUIRE(big != NULL);
	script(200, NULL, big);
	free(big);
	CHECK_INT(source_get_event(s, 12, 0, &ev, &r), SOURCE_FAILED);
	CHECK_INT(r.reason, SOURCE_R_TOO_LARGE);
	CHECK_INT(r.status, 0);
	source_close(s);
}

static void lists_and_parts(void)
{
	struct bf_config cfg = config(1000);
	struct source *s;
	struct source_resp r;
	struct match_event *evs = NULL;
	struct match_stat *st = NULL;
	struct match_incident *inc = NULL;
	struct match_standing *tab = NULL;
	size_t n = 0, skipped = 0;
	char *body;

	script_reset();
	REQUIRE(source_open(&s, &cfg, NULL, 0) == 0);
	body = slurp(FIX "scheduled_ut17_round.json");
	REQUIRE(body != NULL);
	script(200, NULL, body);
	script(200, NULL, body);
	script(200, NULL, body);
	free(body);
	CHECK_INT(source_get_schedule(s, 17, "2026-12-06", 0, &evs, &n, &skipped, &r), SOURCE_OK);
	CHECK_STR(srv.last_path, "/api/v1/unique-tournament/17/scheduled-events/2026-12-06");
	CHECK(n > 0);
	free(evs);
	CHECK_INT(source_get_live(s, 0, &evs, &n, &skipped, &r), SOURCE_OK);
	CHECK_STR(srv.last_path, "/api/v1/sport/football/events/live");
	CHECK(strncmp(r.url, base_url, strlen(base_url)) == 0);
	free(evs);
	CHECK_INT(source_get_round(s, 17, 76986, 12, 0, &evs, &n, &skipped, &r), SOURCE_OK);
	CHECK_STR(srv.last_path, "/api/v1/unique-tournament/17/season/76986/events/round/12");
	free(evs);

	body = slurp(FIX "statistics.json");
	REQUIRE(body != NULL);
	script(200, NULL, body);
	free(body);
	CHECK_INT(source_get_statistics(s, 5, &st, &n, &r), SOURCE_OK);
	CHECK_STR(srv.last_path, "/api/v1/event/5/statistics");
	CHECK(n > 0);
	free(st);
	body = slurp(FIX "incidents_goals.json");
	REQUIRE(body != NULL);
	script(200, NULL, body);
	free(body);
	CHECK_INT(source_get_incidents(s, 5, &inc, &n, &r), SOURCE_OK);
	CHECK_STR(srv.last_path, "/api/v1/event/5/incidents");
	free(inc);
	body = slurp(FIX "standings_total.json");
	REQUIRE(body != NULL);
	script(200, NULL, body);
	free(body);
	CHECK_INT(source_get_standings(s, 17, 76986, &tab, &n, &r), SOURCE_OK);
	CHECK_STR(srv.last_path, "/api/v1/unique-tournament/17/season/76986/standings/total");
	CHECK(n > 0);
	free(tab);
	source_close(s);
}

static void etag_304_reuses_the_cached_answer(void)
{
	struct bf_config cfg = config(1000);
	struct mem m;
	struct source_store st = mem_store(&m);
	struct source *s;
	struct source_resp r;
	struct match_event ev;
	bool confirmed = false;
	char *body = slurp(FIX "lineups_confirmed.json");

	script_reset();
	REQUIRE(body != NULL);
	REQUIRE(source_open(&s, &cfg, &st, 0) == 0);
	script(200, "\"v1\"", body);
	script(304, "\"v1\"", NULL);
	free(body);
	CHECK_INT(lineups(s, 7, &r, &confirmed), SOURCE_OK);
	CHECK(confirmed);
	CHECK_STR(m.etag, "\"v1\"");
	CHECK_STR(srv.last_inm, "");
	confirmed = false;
	CHECK_INT(lineups(s, 7, &r, &confirmed), SOURCE_NOT_MODIFIED);
	CHECK_STR(srv.last_inm, "\"v1\"");
	CHECK_INT(r.status, 304);
	CHECK(confirmed); /* parsed from the cached body */
	/* a 304 the caller does not want parsed */
	script(200, "\"e1\"", "{\"event\":{}}");
	script(304, "\"e1\"", NULL);
	CHECK_INT(source_get_event(s, 8, 0, &ev, &r), SOURCE_BAD);
	CHECK_INT(source_get_event(s, 8, SOURCE_SKIP_UNCHANGED, &ev, &r), SOURCE_NOT_MODIFIED);
	CHECK_INT(requests(), 4);
	source_close(s);
}

static void challenge_opens_the_breaker(void)
{
	struct bf_config cfg = config(1000);
	struct mem m;
	struct source_store st = mem_store(&m);
	struct source *s;
	struct source_resp r;
	char *body = slurp(FIX "challenge403.json");

	script_reset();
	REQUIRE(body != NULL);
	REQUIRE(source_open(&s, &cfg, &st, 0) == 0);
	script(403, NULL, body);
	free(body);
	CHECK_INT(lineups(s, 7, &r, NULL), SOURCE_REFUSED);
	CHECK_INT(r.reason, SOURCE_R_CHALLENGE);
	CHECK_INT(r.retry_after, 900);
	CHECK_INT(m.breaker_opens, 1);
	CHECK(m.open_until > (int64_t)time(NULL));
	CHECK(source_breaker_remaining(s) > 800);
	/* no request while it is open */
	CHECK_INT(lineups(s, 8, &r, NULL), SOURCE_REFUSED);
	CHECK_INT(r.reason, SOURCE_R_BREAKER);
	CHECK_INT(requests(), 1);
	source_close(s);
}

static void shared_breaker_is_obeyed(void)
{
	struct bf_config cfg = config(1000);
	struct mem m;
	struct source_store st = mem_store(&m);
	struct source *s;
	struct source_resp r;

	script_reset();
	m.open_until = (int64_t)time(NULL) + 60; /* opened by another process */
	REQUIRE(source_open(&s, &cfg, &st, 0) == 0);
	CHECK_INT(lineups(s, 7, &r, NULL), SOURCE_REFUSED);
	CHECK_INT(r.reason, SOURCE_R_BREAKER);
	CHECK(r.retry_after > 0 && r.retry_after <= 60);
	CHECK_INT(requests(), 0);
	source_close(s);
}

static void budget_paces_and_refuses(void)
{
	struct bf_config cfg = config(20.0); /* one request every 50 ms */
	struct mem m;
	struct source_store st = mem_store(&m);
	struct source *s;
	struct source_resp r;
	int64_t t0;

	script_reset();
	REQUIRE(source_open(&s, &cfg, &st, 0) == 0);
	for (int i = 0; i < 5; i++)
		script(404, NULL, "{}");
	t0 = clock_mono_ms();
	for (int i = 0; i < 5; i++)
		CHECK_INT(lineups(s, 7, &r, NULL), SOURCE_NOT_FOUND);
	/* the first slot is free, the next four 50 ms apart */
	CHECK(clock_mono_ms() - t0 >= 190);
	CHECK_INT(m.takes, 5);
	/* a queue ahead longer than 5 s: no request, the slot given back */
	m.fixed_tokens = true;
	m.tokens = -200.0;
	CHECK_INT(lineups(s, 7, &r, NULL), SOURCE_TRANSIENT);
	CHECK_INT(r.reason, SOURCE_R_BUDGET);
	CHECK_INT(m.given_back, 1);
	CHECK_INT(requests(), 5);
	source_close(s);
}

static void backoff_after_errors(void)
{
	struct bf_config cfg = config(1000);
	struct source *s;
	struct source_resp r;
	struct match_event ev;

	script_reset();
	REQUIRE(source_open(&s, &cfg, NULL, SOURCE_BACKOFF) == 0);
	script(500, NULL, "{}");
	CHECK_INT(source_get_event(s, 1, 0, &ev, &r), SOURCE_TRANSIENT);
	CHECK_INT(r.reason, SOURCE_R_SERVER);
	CHECK_INT(source_get_event(s, 1, 0, &ev, &r), SOURCE_TRANSIENT);
	CHECK_INT(r.reason, SOURCE_R_BACKING_OFF);
	CHECK_INT(r.status, 0);
	CHECK_INT(requests(), 1);
	source_close(s);

	/* a refused connection is transient too */
	cfg.sofa_base_url = "http://127.0.0.1:1";
	REQUIRE(source_open(&s, &cfg, NULL, SOURCE_BACKOFF) == 0);
	CHECK_INT(source_get_event(s, 1, 0, &ev, &r), SOURCE_TRANSIENT);
	CHECK_INT(r.reason, SOURCE_R_TRANSPORT);
	CHECK_INT(source_get_event(s, 1, 0, &ev, &r), SOURCE_TRANSIENT);
	CHECK_INT(r.reason, SOURCE_R_BACKING_OFF);
	source_close(s);
}

static void lineups_fetched_ahead(void)
{
	struct bf_config cfg = config(1000);
	struct mem m;
	struct source_store st = mem_store(&m);
	struct source *s;
	struct source_resp r;
	const int64_t ids[3] = { 21, 22, 23 };
	bool confirmed = false;
	char *body = slurp(FIX "lineups_confirmed.json");

	script_reset();
	REQUIRE(body != NULL);
	REQUIRE(source_open(&s, &cfg, &st, 0) == 0);
	for (int i = 0; i < 3; i++)
		script(200, NULL, body);
	free(body);
	source_prefetch_lineups(s, ids, 3);
	CHECK_INT(m.takes, 1); /* one reservation for the batch */
	source_prefetch_end(s);
	CHECK_INT(requests(), 3);
	CHECK_INT(m.given_back, 0);

	script_reset();
	body = slurp(FIX "lineups_confirmed.json");
	REQUIRE(body != NULL);
	for (int i = 0; i < 3; i++)
		script(200, NULL, body);
	free(body);
	m.takes = 0;
	source_prefetch_lineups(s, ids, 3);
	CHECK_INT(lineups(s, 22, &r, &confirmed), SOURCE_OK);
	CHECK(confirmed);
	CHECK_INT(lineups(s, 21, &r, NULL), SOURCE_OK);
	CHECK_INT(lineups(s, 23, &r, NULL), SOURCE_OK);
	CHECK_INT(m.takes, 1); /* the answers were there: no slot taken one by one */
	CHECK_INT(requests(), 3);
	source_prefetch_end(s);
	source_close(s);
}

/* ---- API-Football ---------------------------------------------------------- */

static void af_key_header_and_no_etag(void)
{
	struct bf_config cfg = af_config();
	struct mem m;
	struct source_store st = mem_store(&m);
	struct source *s;
	struct source_resp r;
	struct match_event ev;
	char *body = slurp(AFIX "fixture_id_ft_own_goal.json");

	script_reset();
	REQUIRE(body != NULL);
	REQUIRE(source_open(&s, &cfg, &st, 0) == 0);
	CHECK_STR(source_provider(s), "api-football");
	CHECK(source_schedule_by_day(s));
	script(200, "\"af1\"", body);
	script(200, "\"af1\"", body);
	free(body);
	CHECK_INT(source_get_event(s, 871293, 0, &ev, &r), SOURCE_OK);
	CHECK_STR(srv.last_path, "/fixtures?id=871293");
	CHECK_STR(srv.last_key, "k-0123456789");
	CHECK_STR(ev.status_type, "FT");
	CHECK(strstr(ev.home.crest_url, "api-sports.io") != NULL);
	/* an ETag (the API sends none) is neither kept nor sent back */
	CHECK(m.body == NULL);
	clock_sleep_ms(2100); /* past the one-answer window */
	CHECK_INT(source_get_event(s, 871293, 0, &ev, &r), SOURCE_OK);
	CHECK_STR(srv.last_inm, "");
	CHECK_INT(requests(), 2);
	source_close(s);
}

/* One fixtures?id answer holds the event, its line-ups, statistics and
 * incidents: a result's four parts cost one request. */
static void af_one_answer_for_the_parts(void)
{
	struct bf_config cfg = af_config();
	struct source *s;
	struct source_resp r;
	struct match_event ev;
	struct match_lineups l;
	struct match_stat *st;
	struct match_incident *inc;
	size_t n;
	char *body = slurp(AFIX "fixture_id_ft_own_goal.json");

	script_reset();
	REQUIRE(body != NULL);
	REQUIRE(source_open(&s, &cfg, NULL, 0) == 0);
	script(200, NULL, body);
	script(200, NULL, body);
	free(body);
	CHECK_INT(source_get_event(s, 871293, 0, &ev, &r), SOURCE_OK);
	CHECK_INT(source_get_lineups(s, 871293, true, &l, &r), SOURCE_OK);
	CHECK(l.confirmed);
	match_lineups_free(&l);
	CHECK_INT(source_get_statistics(s, 871293, &st, &n, &r), SOURCE_OK);
	free(st);
	CHECK_INT(source_get_incidents(s, 871293, &inc, &n, &r), SOURCE_OK);
	CHECK(n > 0);
	free(inc);
	CHECK_INT(requests(), 1);
	/* another fixture is another request */
	CHECK_INT(source_get_event(s, 871294, 0, &ev, &r), SOURCE_OK);
	CHECK_INT(requests(), 2);
	source_close(s);
}

/* errors inside 200: each one's result, and the breaker for key and quota */
static void af_errors_inside_200(void)
{
	static const struct {
		const char *file;
		int status;
		enum source_result res;
		enum source_reason why;
		bool breaker;
		const char *says;
	} cases[] = {
		{ "error_token.json", 200, SOURCE_REFUSED, SOURCE_R_CHALLENGE, true,
		  "refused the key" },
		{ "error_token_403.json", 403, SOURCE_REFUSED, SOURCE_R_CHALLENGE, true,
		  "refused the key" },
		{ "error_requests.json", 200, SOURCE_REFUSED, SOURCE_R_QUOTA, true, "daily quota" },
		{ "error_ratelimit.json", 200, SOURCE_REFUSED, SOURCE_R_QUOTA, true,
		  "per-minute quota" },
		{ "error_plan.json", 200, SOURCE_FAILED, SOURCE_R_PLAN, false, "plan" },
		{ "error_param.json", 200, SOURCE_FAILED, SOURCE_R_CLIENT, false,
		  "refused the request" },
		{ "error_server.json", 200, SOURCE_TRANSIENT, SOURCE_R_SERVER, false, "trouble" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct bf_config cfg = af_config();
		struct mem m;
		struct source_store st = mem_store(&m);
		struct source *s;
		struct source_resp r;
		struct match_event ev;
		char path[256], *body;

		snprintf(path, sizeof(path), AFIX "%s", cases[i].file);
		body = slurp(path);
		script_reset();
		REQUIRE(body != NULL);
		REQUIRE(source_open(&s, &cfg, &st, 0) == 0);
		script(cases[i].status, NULL, body);
		script(200, NULL, "{\"errors\":[],\"response\":[]}");
		free(body);
		if (source_get_event(s, 5, 0, &ev, &r) != cases[i].res || r.reason != cases[i].why)
			t_fail(__FILE__, __LINE__, "%s: result %d reason %d", cases[i].file,
			       (int)r.result, (int)r.reason);
		if (strstr(r.error, cases[i].says) == NULL)
			t_fail(__FILE__, __LINE__, "%s: error \"%s\"", cases[i].file, r.error);
		/* a plan error names what was asked (league, season, date) */
		if (cases[i].why == SOURCE_R_PLAN &&
		    strstr(r.error, "asked: /fixtures?id=5") == NULL)
			t_fail(__FILE__, __LINE__, "plan error without the request: %s", r.error);
		CHECK_INT(m.breaker_opens, cases[i].breaker ? 1 : 0);
		if (cases[i].breaker) {
			/* nothing asked until it closes, however long that is; a
			 * quota stays the reason while it waits */
			CHECK(r.retry_after > 0);
			CHECK_INT(source_get_event(s, 6, 0, &ev, &r), SOURCE_REFUSED);
			CHECK_INT(r.reason, cases[i].why == SOURCE_R_QUOTA ? SOURCE_R_QUOTA
									   : SOURCE_R_BREAKER);
			CHECK_INT(requests(), 1);
		}
		source_close(s);
	}
}

/* the quota's pauses: a minute, or until the next 00:00 UTC */
static void af_quota_pauses(void)
{
	struct bf_config cfg = af_config();
	struct source *s;
	struct source_resp r;
	struct match_event ev;
	char *body = slurp(AFIX "error_ratelimit.json");
	int64_t now = (int64_t)time(NULL), midnight = now - now % 86400 + 86400;

	script_reset();
	REQUIRE(body != NULL);
	REQUIRE(source_open(&s, &cfg, NULL, 0) == 0);
	script(200, NULL, body);
	free(body);
	CHECK_INT(source_get_event(s, 5, 0, &ev, &r), SOURCE_REFUSED);
	CHECK_INT(r.retry_after, 60);
	source_close(s);

	body = slurp(AFIX "error_requests.json");
	script_reset();
	REQUIRE(body != NULL);
	REQUIRE(source_open(&s, &cfg, NULL, 0) == 0);
	script(200, NULL, body);
	free(body);
	CHECK_INT(source_get_event(s, 5, 0, &ev, &r), SOURCE_REFUSED);
	CHECK(r.retry_after >= midnight - now && r.retry_after <= midnight - now + 10);
	CHECK(source_breaker_remaining(s) >= midnight - (int64_t)time(NULL));
	source_close(s);
}

/* an unknown fixture (an empty response) and unpublished line-ups are "not
 * there", as Sofascore's 404; 499 is worth another try */
static void af_not_found_and_499(void)
{
	struct bf_config cfg = af_config();
	struct source *s;
	struct source_resp r;
	struct match_event ev;
	char *none = slurp(AFIX "fixture_id_not_found.json");
	char *nolu = slurp(AFIX "fixture_id_ns_no_lineups.json");
	bool confirmed = true;

	script_reset();
	REQUIRE(none != NULL && nolu != NULL);
	REQUIRE(source_open(&s, &cfg, NULL, 0) == 0);
	script(200, NULL, none);
	script(200, NULL, nolu);
	script(499, NULL, "{\"message\":\"Something went wrong\"}");
	free(none);
	free(nolu);
	CHECK_INT(source_get_event(s, 5, 0, &ev, &r), SOURCE_NOT_FOUND);
	CHECK(strstr(r.error, "no such fixture") != NULL);
	CHECK_INT(lineups(s, 6, &r, &confirmed), SOURCE_NOT_FOUND);
	CHECK(strstr(r.error, "not published") != NULL);
	CHECK_INT(source_get_event(s, 7, 0, &ev, &r), SOURCE_TRANSIENT);
	CHECK_INT(r.reason, SOURCE_R_SERVER);
	source_close(s);
}

/* ---- the quota ------------------------------------------------------------- */

static void script_n(int n, const char *file)
{
	char *body = slurp(file);

	for (int i = 0; i < n; i++)
		script(200, NULL, body);
	free(body);
}

/* The day's quota counted here: the request past it is not made; one
 * loud line, the breaker until 00:00 UTC; nothing else is asked. */
static void quota_day_counted_here(void)
{
	struct bf_config cfg = af_config();
	struct mem m;
	struct source_store st = mem_store(&m);
	struct source *s;
	struct source_resp r;
	struct match_event ev;
	int64_t now = (int64_t)time(NULL), midnight = now - now % 86400 + 86400;

	cfg.af_per_day = 3;
	script_reset();
	script_n(5, AFIX "fixture_id_ft_own_goal.json");
	REQUIRE(source_open(&s, &cfg, &st, 0) == 0);
	for (int64_t id = 1; id <= 3; id++)
		CHECK_INT(source_get_event(s, id, 0, &ev, &r), SOURCE_OK);
	CHECK_INT(source_get_event(s, 4, 0, &ev, &r), SOURCE_REFUSED);
	CHECK_INT(r.reason, SOURCE_R_QUOTA);
	CHECK(strstr(r.error, "daily quota spent (3 requests)") != NULL);
	CHECK(r.retry_after >= midnight - now - 2 && r.retry_after <= midnight - now + 2);
	CHECK_INT(m.breaker_opens, 1);
	CHECK_INT(source_get_event(s, 5, 0, &ev, &r), SOURCE_REFUSED);
	CHECK_INT(r.reason, SOURCE_R_QUOTA); /* still the quota, through the breaker */
	CHECK_INT(requests(), 3);
	source_close(s);
}

/* The API's headers say less is left than we counted: theirs is trusted. */
static void quota_headers_lower_the_count(void)
{
	struct bf_config cfg = af_config();
	struct mem m;
	struct source_store st = mem_store(&m);
	struct source *s;
	struct source_resp r;
	struct match_event ev;

	cfg.af_per_day = 100;
	script_reset();
	script_n(3, AFIX "fixture_id_ft_own_goal.json");
	snprintf(srv.extra, sizeof(srv.extra),
		 "x-ratelimit-requests-limit: 100\r\nx-ratelimit-requests-remaining: 1\r\n"
		 "X-RateLimit-Limit: 10\r\nX-RateLimit-Remaining: 9\r\n");
	REQUIRE(source_open(&s, &cfg, &st, 0) == 0);
	CHECK_INT(source_get_event(s, 1, 0, &ev, &r), SOURCE_OK);
	CHECK_INT(m.quota_seen, 1);
	CHECK_INT(m.used_day, 99);
	CHECK_INT(source_get_event(s, 2, 0, &ev, &r), SOURCE_OK); /* the 100th */
	CHECK_INT(source_get_event(s, 3, 0, &ev, &r), SOURCE_REFUSED);
	CHECK_INT(r.reason, SOURCE_R_QUOTA);
	CHECK_INT(requests(), 2);
	source_close(s);

	/* without a limit of ours, the one the headers reported */
	cfg.af_per_day = 0;
	st = mem_store(&m);
	script_reset();
	script_n(2, AFIX "fixture_id_ft_own_goal.json");
	snprintf(srv.extra, sizeof(srv.extra),
		 "x-ratelimit-requests-limit: 7500\r\nx-ratelimit-requests-remaining: 0\r\n");
	REQUIRE(source_open(&s, &cfg, &st, 0) == 0);
	CHECK_INT(source_get_event(s, 1, 0, &ev, &r), SOURCE_OK);
	CHECK_INT(m.day_limit_seen, 7500);
	CHECK_INT(source_get_event(s, 2, 0, &ev, &r), SOURCE_REFUSED);
	CHECK_INT(requests(), 1);
	source_close(s);
}

/* A low-priority request leaves a fifth of the day; it opens no breaker. */
static void quota_reserve_for_videos(void)
{
	struct bf_config cfg = af_config();
	struct mem m;
	struct source_store st = mem_store(&m);
	struct source *s;
	struct source_resp r;
	struct match_event *evs;
	struct match_event ev;
	size_t n, skipped;

	cfg.af_per_day = 10;
	script_reset();
	script_n(3, AFIX "fixture_id_ft_own_goal.json");
	REQUIRE(source_open(&s, &cfg, &st, 0) == 0);
	m.used_day = 8;
	CHECK_INT(source_get_schedule(s, 0, "2026-12-06", SOURCE_LOW, &evs, &n, &skipped, &r),
		  SOURCE_REFUSED);
	CHECK_INT(r.reason, SOURCE_R_QUOTA);
	CHECK(strstr(r.error, "less the reserve") != NULL);
	CHECK_INT(m.breaker_opens, 0);
	CHECK_INT(source_get_event(s, 1, 0, &ev, &r), SOURCE_OK);
	CHECK_INT(source_get_event(s, 2, 0, &ev, &r), SOURCE_OK);
	CHECK_INT(source_get_event(s, 3, 0, &ev, &r), SOURCE_REFUSED);
	CHECK_INT(requests(), 2);
	source_close(s);
}

/* The minute's quota: a wait of less than a minute, counted without a
 * store too. */
static void quota_minute_and_local(void)
{
	struct bf_config cfg = af_config();
	struct source *s;
	struct source_resp r;
	struct match_event ev;

	cfg.af_per_minute = 2;
	script_reset();
	script_n(3, AFIX "fixture_id_ft_own_goal.json");
	REQUIRE(source_open(&s, &cfg, NULL, 0) == 0);
	CHECK_INT(source_get_event(s, 1, 0, &ev, &r), SOURCE_OK);
	CHECK_INT(source_get_event(s, 2, 0, &ev, &r), SOURCE_OK);
	/* (a minute may turn in between: then the third is made) */
	enum source_result third = source_get_event(s, 3, 0, &ev, &r);
	if (third == SOURCE_REFUSED) {
		CHECK_INT(r.reason, SOURCE_R_QUOTA);
		CHECK(r.retry_after >= 1 && r.retry_after <= 60);
		CHECK(strstr(r.error, "per-minute quota spent (2 requests)") != NULL);
		CHECK_INT(requests(), 2);
	} else {
		CHECK_INT(third, SOURCE_OK);
	}
	source_close(s);
}

/* ---- API-Football: many fixtures in one request ------------------------------ */

/* A batch's line-ups come from one fixtures?ids= request; a fixture the
 * answer does not hold is not found. */
static void af_lineups_of_a_batch_in_one_request(void)
{
	struct bf_config cfg = af_config();
	struct mem m;
	struct source_store st = mem_store(&m);
	struct source *s;
	struct source_resp r;
	const int64_t ids[3] = { 1400001, 1400201, 1400999 };
	bool confirmed = false;

	script_reset();
	script_n(1, AFIX "fixtures_ids.json");
	REQUIRE(source_open(&s, &cfg, &st, 0) == 0);
	CHECK_INT((long)source_batch_max(s), 20);
	source_prefetch_lineups(s, ids, 3);
	CHECK_STR(srv.last_path, "/fixtures?ids=1400001-1400201-1400999");
	CHECK_INT(lineups(s, 1400201, &r, &confirmed), SOURCE_OK);
	CHECK(confirmed);
	CHECK_INT(lineups(s, 1400001, &r, NULL), SOURCE_OK);
	CHECK_INT(lineups(s, 1400999, &r, NULL), SOURCE_NOT_FOUND);
	CHECK(strstr(r.error, "no such fixture") != NULL);
	source_prefetch_end(s);
	CHECK_INT(requests(), 1);
	CHECK_INT(m.given_back, 0);
	source_close(s);
}

/* A refused batch stands for every fixture of the batch: one request. */
static void af_batch_refused_asks_nothing_more(void)
{
	struct bf_config cfg = af_config();
	struct mem m;
	struct source_store st = mem_store(&m);
	struct source *s;
	struct source_resp r;
	int64_t ids[25];

	for (int i = 0; i < 25; i++)
		ids[i] = 1000 + i;
	script_reset();
	script_n(2, AFIX "error_token.json");
	REQUIRE(source_open(&s, &cfg, &st, 0) == 0);
	source_prefetch_lineups(s, ids, 25);
	for (int i = 0; i < 25; i++)
		CHECK_INT(lineups(s, ids[i], &r, NULL), SOURCE_REFUSED);
	source_prefetch_end(s);
	CHECK_INT(requests(), 1);
	source_close(s);
}

/* The producer's batch keeps the finished fixtures' answers: a result's
 * parts then cost no request. */
static void af_batch_keeps_finished_fixtures(void)
{
	struct bf_config cfg = af_config();
	struct mem m;
	struct source_store st = mem_store(&m);
	struct source *s;
	struct source_resp r;
	struct match_event *evs, ev;
	struct match_lineups l;
	size_t n, skipped;
	const int64_t ids[2] = { 1400001, 1400201 };

	script_reset();
	script_n(1, AFIX "fixtures_ids.json");
	REQUIRE(source_open(&s, &cfg, &st, 0) == 0);
	CHECK_INT(source_get_events_batch(s, ids, 2, &evs, &n, &skipped, &r), SOURCE_OK);
	CHECK_INT(n, 2);
	free(evs);
	CHECK_STR(srv.last_path, "/fixtures?ids=1400001-1400201");
	/* both finished; the store of this test keeps the last one */
	REQUIRE(m.body != NULL);
	CHECK(strstr(m.url, "/fixtures?id=1400201") != NULL);
	CHECK_INT(source_get_event(s, 1400201, 0, &ev, &r), SOURCE_OK);
	CHECK_STR(ev.status_type, "PEN");
	CHECK_INT(source_get_lineups(s, 1400201, true, &l, &r), SOURCE_OK);
	match_lineups_free(&l);
	CHECK_INT(requests(), 1);
	CHECK_INT(m.given_back, 1); /* the slot taken for the kept answer */
	/* Sofascore has no such request */
	source_close(s);
	cfg = config(1000);
	st = mem_store(&m);
	REQUIRE(source_open(&s, &cfg, &st, 0) == 0);
	CHECK_INT(source_batch_max(s), 0);
	CHECK_INT(source_get_events_batch(s, ids, 2, &evs, &n, &skipped, &r), SOURCE_FAILED);
	CHECK_INT(requests(), 1);
	source_close(s);
}

/* A results batch on Sofascore: an event whose answer a list kept (it
 * finished) costs no request when the batch's events are fetched ahead;
 * the others are asked, then their parts. */
static void results_batch_kept_event_costs_nothing(void)
{
	struct bf_config cfg = config(1000);
	struct mem m;
	struct source_store st = mem_store(&m);
	struct source *s;
	struct source_resp r;
	struct match_event *evs = NULL, ev;
	size_t n = 0, skipped = 0;
	int64_t kept_id, batch[2];
	char *body = slurp(FIX "scheduled_ut17_round.json"), *ev_body;

	script_reset();
	REQUIRE(body != NULL);
	script(200, NULL, body);
	free(body);
	REQUIRE(source_open(&s, &cfg, &st, 0) == 0);
	CHECK_INT(source_get_schedule(s, 17, "2026-12-06", 0, &evs, &n, &skipped, &r), SOURCE_OK);
	free(evs);
	/* the store of this test keeps the last finished event's answer */
	REQUIRE(m.body != NULL && strcmp(m.etag, "kept") == 0);
	const char *slash = strrchr(m.url, '/');
	REQUIRE(slash != NULL);
	kept_id = strtoll(slash + 1, NULL, 10);
	batch[0] = 5;
	batch[1] = kept_id;
	ev_body = slurp(FIX "event_finished_120.json");
	REQUIRE(ev_body != NULL);
	script(200, NULL, ev_body);
	free(ev_body);
	m.given_back = 0;
	source_prefetch_events(s, batch, 2);
	CHECK_INT(m.takes, 2); /* the list's, then one reservation for the batch */
	CHECK_INT(source_get_event(s, kept_id, 0, &ev, &r), SOURCE_OK);
	CHECK_INT(ev.id, kept_id);
	CHECK_INT(source_get_event(s, 5, 0, &ev, &r), SOURCE_OK);
	CHECK_STR(srv.last_path, "/api/v1/event/5");
	source_prefetch_end(s);
	CHECK_INT(requests(), 2); /* the list and event 5: none for the kept one */
	CHECK_INT(m.given_back, 1); /* the kept one's slot */
	source_close(s);
}

/* A results batch on API-Football: the events' kept answers first (no
 * request), one request for the others; their parts come with them. */
static void af_results_batch_kept_first(void)
{
	struct bf_config cfg = af_config();
	struct mem m;
	struct source_store st = mem_store(&m);
	struct source *s;
	struct source_resp r;
	struct match_event *evs, ev;
	struct match_lineups l;
	size_t n, skipped;
	const int64_t ids[2] = { 1400001, 1400201 }, batch[2] = { 1400201, 1400001 };

	script_reset();
	script_n(2, AFIX "fixtures_ids.json");
	REQUIRE(source_open(&s, &cfg, &st, 0) == 0);
	CHECK_INT(source_get_events_batch(s, ids, 2, &evs, &n, &skipped, &r), SOURCE_OK);
	free(evs);
	/* the store of this test keeps the last finished one: 1400201 */
	REQUIRE(m.body != NULL && strstr(m.url, "/fixtures?id=1400201") != NULL);
	m.given_back = 0;
	source_prefetch_events(s, batch, 2);
	CHECK_INT(requests(), 2);
	CHECK_STR(srv.last_path, "/fixtures?id=1400001"); /* one fixture: its own request */
	CHECK_INT(m.given_back, 2); /* the reservation that read the kept answers */
	CHECK_INT(source_get_event(s, 1400201, 0, &ev, &r), SOURCE_OK);
	CHECK_STR(ev.status_type, "PEN");
	CHECK_INT(source_get_lineups(s, 1400201, true, &l, &r), SOURCE_OK);
	match_lineups_free(&l);
	CHECK_INT(source_get_event(s, 1400001, 0, &ev, &r), SOURCE_OK);
	CHECK_INT(source_get_lineups(s, 1400001, true, &l, &r), SOURCE_OK);
	match_lineups_free(&l);
	source_prefetch_event_parts(s, ids, 2); /* nothing: the parts came with the events */
	source_prefetch_end(s);
	CHECK_INT(requests(), 2);
	source_close(s);
}

int main(int argc, char **argv)
{
	static const struct t_case cases[] = {
		T_CASE(typed_results),
		T_CASE(lists_and_parts),
		T_CASE(etag_304_reuses_the_cached_answer),
		T_CASE(challenge_opens_the_breaker),
		T_CASE(shared_breaker_is_obeyed),
		T_CASE(budget_paces_and_refuses),
		T_CASE(backoff_after_errors),
		T_CASE(lineups_fetched_ahead),
		T_CASE(af_key_header_and_no_etag),
		T_CASE(af_one_answer_for_the_parts),
		T_CASE(af_errors_inside_200),
		T_CASE(af_quota_pauses),
		T_CASE(af_not_found_and_499),
		T_CASE(quota_day_counted_here),
		T_CASE(quota_headers_lower_the_count),
		T_CASE(quota_reserve_for_videos),
		T_CASE(quota_minute_and_local),
		T_CASE(af_lineups_of_a_batch_in_one_request),
		T_CASE(af_batch_refused_asks_nothing_more),
		T_CASE(af_batch_keeps_finished_fixtures),
		T_CASE(af_results_batch_kept_first),
		T_CASE(results_batch_kept_event_costs_nothing),
	};

	if (srv_start() != 0) {
		fprintf(stderr, "cannot start the fake server\n");
		return 1;
	}
	t_run_matching(cases, sizeof(cases) / sizeof(cases[0]), argc, argv);
	script_reset();
	return t_done();
}
