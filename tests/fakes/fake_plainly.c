/*
 * fake-plainly: a scripted stand-in for the Plainly render API (v2), for tests and the demo.
 *
 * Accepts POST /renders like Plainly (HTTP Basic with the API key as user, 200 with a render
 * object, INVALID/THROTTLED states, JSON errors with X-PlainlyErrorCode, a non-JSON 429),
 * keeps accepted renders in memory for GET /renders and GET /renders/{id}, and records every
 * request as one JSON line. With --lifecycle renders move on through QUEUED and IN_PROGRESS to
 * a final state (scripted or drawn), a DONE one with a video the fake serves itself, and the
 * request's webhook is called at the final state. Binds 127.0.0.1 only. See
 * tests/fakes/README.md.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <malloc.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>
#include <microhttpd.h>

#include "fake.h"

#define MAX_UPLOAD (4u * 1024u * 1024u)
#define FILE_BLOCK 8192 /* a video file is sent in blocks of this size, paused between */
#define HOOK_TIMEOUT_MS 5000 /* a webhook call without an answer by then failed */
#define PATH_MAX_LEN 1024
#define API_PREFIX "/api/v2"

const char fake_name[] = "fake-plainly";

enum outcome {
	O_OK,
	O_INVALID,
	O_THROTTLED,
	O_400,
	O_404,
	O_429,
	O_QUEUEFULL,
	O_500,
	O_TIMEOUT,
	O_ACCEPT_500,
	O_ACCEPT_RESET,
	O_RESET,
};

static const struct {
	const char *name;
	enum outcome o;
} OUTCOME_NAMES[] = {
	{ "ok", O_OK },
	{ "invalid", O_INVALID },
	{ "throttled", O_THROTTLED },
	{ "400", O_400 },
	{ "404", O_404 },
	{ "429", O_429 },
	{ "queuefull", O_QUEUEFULL },
	{ "500", O_500 },
	{ "timeout", O_TIMEOUT },
	{ "accept-then-500", O_ACCEPT_500 },
	{ "accept-then-reset", O_ACCEPT_RESET },
	{ "reset", O_RESET },
};

/* Plainly's render states; DONE and after are final. */
enum rstate {
	S_PENDING,
	S_THROTTLED,
	S_QUEUED,
	S_IN_PROGRESS,
	S_DONE,
	S_FAILED,
	S_INVALID,
	S_CANCELLED,
	S_COUNT
};

static const char *const STATE_NAMES[S_COUNT] = {
	"PENDING", "THROTTLED", "QUEUED", "IN_PROGRESS", "DONE", "FAILED", "INVALID", "CANCELLED",
};

#define IS_FINAL(s) ((s) >= S_DONE)

struct render {
	char *id;
	char *project;
	char *json; /* the render as answered, printed: a parsed tree of every render would be
                   tens of KB each, most of a long run's memory and CPU */
	enum rstate state; /* the state json holds */
	enum rstate final; /* the final state its lifecycle ends in (--lifecycle) */
	long long accepted_ms; /* when the POST stored it */
	long long final_ms; /* when it became final */
	bool forced; /* a state set by /_fake/renders/{id}/state: the lifecycle leaves it */
	bool active; /* in g.active: the lifecycle thread has something to do with it */
	/* its webhook call, pending while hook_body is set */
	char *hook_url;
	char *hook_body; /* {id, success, output, expirationDate, passthrough, error}, printed */
	long long hook_due_ms; /* the next try */
	unsigned hook_send; /* which of the --webhook-duplicates sends, from 1 */
	unsigned hook_attempt; /* tries of this send that failed */
	unsigned hook_seq; /* one more for every call scheduled: tells a stale answer */
};

/* The renders of one project, as indices into g.renders, oldest first. */
struct project {
	char *name;
	size_t *idx;
	size_t n, cap;
};

static struct {
	pthread_mutex_t mu;
	/* configuration */
	const char *api_key; /* required key, or NULL for any non-empty key */
	struct fake_flags flags; /* the flags both fakes take */
	bool lifecycle; /* --lifecycle given: renders move on their own */
	long long q_ms, p_ms, d_ms; /* --lifecycle Q,P,D */
	long long output_bytes; /* --output-bytes N: the size of a DONE render's video */
	long output_delay_ms; /* --output-delay-ms MS: the pause between blocks of the video */
	long long retention_s; /* --retention SECONDS: expirationDate - the time it was DONE */
	double fail_rate; /* --render-fail-rate X: the share of renders left to chance that fail */
	long hook_retry_ms; /* --webhook-retry-ms MS */
	unsigned hook_retries; /* --webhook-retries N */
	unsigned hook_duplicates; /* --webhook-duplicates N */
	long hook_delay_ms; /* --webhook-delay-ms MS */
	/* state (mu) */
	enum outcome *script;
	size_t nscript, script_pos;
	enum rstate *final_script; /* --final-script: the final states of the next renders */
	size_t nfinal, final_pos;
	uint64_t fail_rng; /* --render-fail-rate's draws (not g.rng: render ids stay the same) */
	struct render *renders; /* oldest first */
	size_t nrenders, cap_renders;
	struct hmap render_ix; /* by id */
	struct project *projects;
	size_t nprojects, cap_projects;
	struct hmap project_ix; /* by name */
	unsigned long posts;
	struct fake_counters by_subject; /* stored renders per attributes.bfSubject */
	struct fake_counters posts_by_subject; /* POST /renders per attributes.bfSubject */
	uint64_t rng;
	unsigned port; /* the port bound, for output URLs */
	unsigned long by_state[S_COUNT]; /* stored renders by the state they hold */
	size_t *active; /* renders the lifecycle thread looks after, as indices into renders */
	size_t nactive, cap_active;
	struct {
		unsigned long calls, delivered, failed, given_up, not_called;
	} hooks; /* webhook calls: made, answered 2xx, not, abandoned, not made */
	bool stop; /* the lifecycle thread ends */
	pthread_cond_t cv; /* wakes the lifecycle thread (CLOCK_MONOTONIC) */
	FILE *record;
	pthread_mutex_t rec_mu;
} g = { .mu = PTHREAD_MUTEX_INITIALIZER, .rec_mu = PTHREAD_MUTEX_INITIALIZER };

/* ---------------------------------------------------------------- small helpers */

/* ISO-8601 UTC with milliseconds; zulu: "...Z" (render dates) or "...+00:00" (errors). */
static void iso_ms(long long ms, char out[40], int zulu)
{
	time_t t = (time_t)(ms / 1000);
	struct tm tm;
	char base[24];
	gmtime_r(&t, &tm);
	strftime(base, sizeof base, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(out, 40, "%s.%03d%s", base, (int)(ms % 1000), zulu ? "Z" : "+00:00");
}

static void iso_now(char out[40], int zulu)
{
	iso_ms(fake_now_ms(), out, zulu);
}

/* callers hold g.mu */
static void make_uuid(char out[37])
{
	unsigned char b[16];
	uint64_t a = fake_rng_u64(&g.rng), c = fake_rng_u64(&g.rng);
	memcpy(b, &a, 8);
	memcpy(b + 8, &c, 8);
	b[6] = (unsigned char)((b[6] & 0x0f) | 0x40);
	b[8] = (unsigned char)((b[8] & 0x3f) | 0x80);
	snprintf(out, 37, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
		 b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12],
		 b[13], b[14], b[15]);
}

static int outcome_by_name(const char *s, size_t len, enum outcome *out)
{
	for (size_t i = 0; i < sizeof OUTCOME_NAMES / sizeof OUTCOME_NAMES[0]; i++) {
		if (strlen(OUTCOME_NAMES[i].name) == len &&
		    memcmp(OUTCOME_NAMES[i].name, s, len) == 0) {
			*out = OUTCOME_NAMES[i].o;
			return 0;
		}
	}
	return -1;
}

/* The next comma-separated token of [*p, end), blanks trimmed, in [*ts, *te); false at the end.
 * Empty tokens are skipped. */
static bool next_token(const char **p, const char *end, const char **ts, const char **te)
{
	while (*p < end) {
		const char *comma = memchr(*p, ',', (size_t)(end - *p));
		const char *s = *p, *e = comma ? comma : end;
		*p = comma ? comma + 1 : end;
		while (s < e && (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r'))
			s++;
		while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\n' || e[-1] == '\r'))
			e--;
		if (e > s) {
			*ts = s;
			*te = e;
			return true;
		}
	}
	return false;
}

/* Parses "ok, invalid,429" into a new array; returns -1 (and names the bad token) on error. */
static int parse_script(const char *spec, size_t speclen, enum outcome **out, size_t *n, char *err,
			size_t errsz)
{
	const char *p = spec, *end = spec + speclen, *ts, *te;
	enum outcome *v = NULL;
	size_t k = 0;
	while (next_token(&p, end, &ts, &te)) {
		enum outcome o;
		if (outcome_by_name(ts, (size_t)(te - ts), &o) != 0) {
			snprintf(err, errsz, "unknown script step \"%.*s\"", (int)(te - ts), ts);
			free(v);
			return -1;
		}
		v = xrealloc(v, sizeof *v * (k + 1));
		v[k++] = o;
	}
	*out = v;
	*n = k;
	return 0;
}

/* The state named s (any case), or -1. */
static int state_by_name(const char *s, size_t len)
{
	for (int k = 0; k < S_COUNT; k++)
		if (strlen(STATE_NAMES[k]) == len && strncasecmp(STATE_NAMES[k], s, len) == 0)
			return k;
	return -1;
}

/* Parses "done, failed,invalid" (final states, any case) into a new array; -1 on error. */
static int parse_final_script(const char *spec, size_t speclen, enum rstate **out, size_t *n,
			      char *err, size_t errsz)
{
	const char *p = spec, *end = spec + speclen, *ts, *te;
	enum rstate *v = NULL;
	size_t k = 0;
	while (next_token(&p, end, &ts, &te)) {
		int st = state_by_name(ts, (size_t)(te - ts));
		if (st < 0 || !IS_FINAL(st)) {
			snprintf(err, errsz,
				 "unknown final state \"%.*s\" (done, failed, invalid, cancelled)",
				 (int)(te - ts), ts);
			free(v);
			return -1;
		}
		v = xrealloc(v, sizeof *v * (k + 1));
		v[k++] = (enum rstate)st;
	}
	*out = v;
	*n = k;
	return 0;
}

/* ---------------------------------------------------------------- HTTP plumbing */

static enum MHD_Result respond(struct MHD_Connection *c, unsigned status, const char *ctype,
			       const char *body, const struct fake_hdr *h, size_t nh)
{
	return fake_respond(c, status, ctype, body, strlen(body), MHD_RESPMEM_MUST_COPY, h, nh);
}

/* Answers with j (consumed) as JSON. */
static enum MHD_Result respond_json(struct MHD_Connection *c, unsigned status, cJSON *j,
				    const struct fake_hdr *h, size_t nh)
{
	char *s = xprint(j);
	enum MHD_Result r = respond(c, status, "application/json", s, h, nh);
	free(s);
	cJSON_Delete(j);
	return r;
}

/* Plainly's (Spring) error body: {timestamp, status, error, message, path}. */
static enum MHD_Result respond_error(struct MHD_Connection *c, unsigned status, const char *error,
				     const char *message, const char *path, const char *code)
{
	char ts[40], full[PATH_MAX_LEN + 16];
	struct fake_hdr h = { "X-PlainlyErrorCode", code };
	cJSON *j = cJSON_CreateObject();
	iso_now(ts, 0);
	snprintf(full, sizeof full, "%s%s", API_PREFIX, path);
	cJSON_AddStringToObject(j, "timestamp", ts);
	cJSON_AddNumberToObject(j, "status", status);
	cJSON_AddStringToObject(j, "error", error);
	cJSON_AddStringToObject(j, "message", message);
	cJSON_AddStringToObject(j, "path", full);
	return respond_json(c, status, j, &h, code ? 1 : 0);
}

/*
 * One line of the record, written and flushed before the client can see the answer: the
 * handler calls this after MHD_queue_response, but MHD sends a queued response only once
 * the handler has returned (on the connection's own thread), and closes a connection the
 * handler refused (MHD_NO: a reset) only then too. A client that got its answer or its
 * reset finds its request here: tests may read the record once, right after the call (not
 * a client that gave up first: its own timeout shorter than a delay or a timeout fault).
 */
static void record(const char *method, const char *path, const struct fake_req *r, const char *auth,
		   unsigned status)
{
	cJSON *j;
	const char *q;
	char *line;
	if (!g.record)
		return;
	q = strchr(r->uri, '?');
	j = cJSON_CreateObject();
	cJSON_AddNumberToObject(j, "t", (double)fake_now_ms());
	cJSON_AddStringToObject(j, "method", method);
	cJSON_AddStringToObject(j, "path", path);
	cJSON_AddStringToObject(j, "query", q ? q + 1 : "");
	if (auth)
		cJSON_AddStringToObject(j, "auth", auth);
	else
		cJSON_AddNullToObject(j, "auth");
	cJSON_AddNumberToObject(j, "status", status);
	if (r->len == 0) {
		cJSON_AddNullToObject(j, "body");
	} else {
		cJSON *b = cJSON_ParseWithLength(r->body, r->len);
		if (b)
			cJSON_AddItemToObject(j, "body", b);
		else
			cJSON_AddStringToObject(j, "body",
						r->body); /* NUL-terminated by the reader */
	}
	line = xprint(j);
	cJSON_Delete(j);
	pthread_mutex_lock(&g.rec_mu);
	fputs(line, g.record);
	fputc('\n', g.record);
	fflush(g.record);
	pthread_mutex_unlock(&g.rec_mu);
	free(line);
}

/* One line of the record for a webhook call (status 0: no answer) or one not made (-1). */
static void record_hook(const char *id, const char *url, unsigned send, unsigned attempt,
			int status, const char *error, const char *body)
{
	cJSON *j, *b;
	char *line;
	if (!g.record)
		return;
	j = cJSON_CreateObject();
	cJSON_AddTrueToObject(j, "webhook");
	cJSON_AddNumberToObject(j, "t", (double)fake_now_ms());
	cJSON_AddStringToObject(j, "id", id);
	cJSON_AddStringToObject(j, "url", url);
	cJSON_AddNumberToObject(j, "send", send);
	cJSON_AddNumberToObject(j, "attempt", attempt);
	if (status >= 0)
		cJSON_AddNumberToObject(j, "status", status);
	else
		cJSON_AddNullToObject(j, "status");
	if (error)
		cJSON_AddStringToObject(j, "error", error);
	else
		cJSON_AddNullToObject(j, "error");
	b = cJSON_Parse(body);
	cJSON_AddItemToObject(j, "body", b ? b : cJSON_CreateNull());
	line = xprint(j);
	cJSON_Delete(j);
	pthread_mutex_lock(&g.rec_mu);
	fputs(line, g.record);
	fputc('\n', g.record);
	fflush(g.record);
	pthread_mutex_unlock(&g.rec_mu);
	free(line);
}

static int b64val(int ch)
{
	if (ch >= 'A' && ch <= 'Z')
		return ch - 'A';
	if (ch >= 'a' && ch <= 'z')
		return ch - 'a' + 26;
	if (ch >= '0' && ch <= '9')
		return ch - '0' + 52;
	if (ch == '+')
		return 62;
	if (ch == '/')
		return 63;
	return -1;
}

/* Checks "Basic base64(KEY:PASSWORD)" with a non-empty KEY (and the configured one, if any). */
static int auth_ok(const char *auth)
{
	unsigned char out[512];
	size_t o = 0, i, len;
	unsigned acc = 0;
	int bits = 0, ok;
	const char *p, *colon;
	if (!auth || strncmp(auth, "Basic ", 6) != 0)
		return 0;
	p = auth + 6;
	while (*p == ' ')
		p++;
	len = strlen(p);
	while (len && p[len - 1] == ' ')
		len--;
	if (len == 0 || len % 4 != 0)
		return 0;
	for (i = 0; i < len; i++) {
		int v;
		if (p[i] == '=') {
			if (i < len - 2 || (i == len - 2 && p[len - 1] != '='))
				return 0;
			break;
		}
		v = b64val((unsigned char)p[i]);
		if (v < 0)
			return 0;
		acc = (acc << 6) | (unsigned)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			if (o == sizeof out - 1)
				return 0;
			out[o++] = (unsigned char)((acc >> bits) & 0xff);
		}
	}
	out[o] = '\0';
	if (memchr(out, '\0', o))
		return 0;
	colon = strchr((const char *)out, ':');
	if (!colon || colon == (const char *)out)
		return 0;
	if (!g.api_key)
		return 1;
	ok = strlen(g.api_key) == (size_t)(colon - (const char *)out) &&
	     memcmp(g.api_key, out, (size_t)(colon - (const char *)out)) == 0;
	return ok;
}

/* ---------------------------------------------------------------- renders */

static const char *subject_of(const cJSON *body)
{
	const cJSON *a = cJSON_GetObjectItemCaseSensitive(body, "attributes");
	const cJSON *s = cJSON_GetObjectItemCaseSensitive(a, "bfSubject");
	return cJSON_IsString(s) ? s->valuestring : NULL;
}

static int keys_have_dot(const cJSON *j)
{
	for (const cJSON *c = j ? j->child : NULL; c; c = c->next) {
		if (c->string && strchr(c->string, '.'))
			return 1;
		if ((cJSON_IsObject(c) || cJSON_IsArray(c)) && keys_have_dot(c))
			return 1;
	}
	return 0;
}

/* NULL when the body can become a render, else the reason (for a 400). */
static const char *validate_render_request(const cJSON *b)
{
	const cJSON *it;
	if (!cJSON_IsObject(b))
		return "Request body must be a JSON object";
	it = cJSON_GetObjectItemCaseSensitive(b, "projectId");
	if (!cJSON_IsString(it) || !it->valuestring[0])
		return "projectId must not be blank";
	it = cJSON_GetObjectItemCaseSensitive(b, "templateId");
	if (it && !cJSON_IsString(it) && !cJSON_IsNull(it))
		return "templateId must be a string";
	it = cJSON_GetObjectItemCaseSensitive(b, "parameters");
	if (it && !cJSON_IsObject(it) && !cJSON_IsNull(it))
		return "parameters must be an object";
	if (keys_have_dot(it))
		return "Parameter keys must not contain dots";
	it = cJSON_GetObjectItemCaseSensitive(b, "attributes");
	if (it && !cJSON_IsObject(it) && !cJSON_IsNull(it))
		return "attributes must be an object";
	if (keys_have_dot(it))
		return "Attribute keys must not contain dots";
	it = cJSON_GetObjectItemCaseSensitive(b, "webhook");
	if (it && !cJSON_IsNull(it) &&
	    (!cJSON_IsObject(it) || !cJSON_IsString(cJSON_GetObjectItemCaseSensitive(it, "url"))))
		return "webhook.url must not be blank";
	return NULL;
}

static void add_echo(cJSON *dst, const cJSON *src, const char *key, int empty_object)
{
	const cJSON *it = cJSON_GetObjectItemCaseSensitive(src, key);
	cJSON *dup = (it && !cJSON_IsNull(it)) ? cJSON_Duplicate(it, 1) : NULL;
	if (dup)
		cJSON_AddItemToObject(dst, key, dup);
	else if (empty_object)
		cJSON_AddItemToObject(dst, key, cJSON_CreateObject());
	else
		cJSON_AddNullToObject(dst, key);
}

/* ---------------------------------------------------------------- the lifecycle */

/* Sets key of j to item (consumed), replacing one that is there. */
static void set_item(cJSON *j, const char *key, cJSON *item)
{
	if (cJSON_GetObjectItemCaseSensitive(j, key))
		cJSON_ReplaceItemInObjectCaseSensitive(j, key, item);
	else
		cJSON_AddItemToObject(j, key, item);
}

/* The error object of a render that ends in st without being told one (NULL: none). */
static cJSON *default_error(enum rstate st)
{
	cJSON *e;
	if (st != S_FAILED && st != S_INVALID)
		return NULL;
	e = cJSON_CreateObject();
	if (st == S_INVALID) {
		cJSON_AddStringToObject(e, "code", "RENDER_PARAMETERS_INVALID");
		cJSON_AddStringToObject(e, "message", "Mandatory parameter homeName is missing");
	} else {
		cJSON_AddStringToObject(e, "code", "RENDER_FAILED");
		cJSON_AddStringToObject(e, "message", "After Effects render failed");
	}
	return e;
}

/* Puts renders[i] in the lifecycle thread's care and wakes it. Callers hold g.mu. */
static void activate(size_t i)
{
	if (!g.renders[i].active) {
		g.active = fake_grow(g.active, g.nactive, &g.cap_active, sizeof *g.active);
		g.active[g.nactive++] = i;
		g.renders[i].active = true;
	}
	pthread_cond_signal(&g.cv);
}

/* ---------------------------------------------------------------- webhooks */

/*
 * Splits a webhook URL the fake calls: http://127.0.0.1 or http://localhost, an optional port
 * (default 80), then the target (path and query, "" for "/"). -1 for any other URL.
 */
static int hook_target(const char *url, unsigned *port, size_t *hostlen, const char **target)
{
	const char *h, *p;
	if (strncmp(url, "http://", 7) != 0)
		return -1;
	h = url + 7;
	if (strncmp(h, "127.0.0.1", 9) != 0 && strncasecmp(h, "localhost", 9) != 0)
		return -1;
	p = h + 9;
	*port = 80;
	if (*p == ':') {
		const char *q = ++p;
		unsigned long v = 0;
		while (*p >= '0' && *p <= '9' && p - q < 5)
			v = v * 10 + (unsigned long)(*p++ - '0');
		if (p == q || v == 0 || v > 65535)
			return -1;
		*port = (unsigned)v;
	}
	if (*p && *p != '/' && *p != '?')
		return -1;
	for (const char *c = p; *c; c++)
		if ((unsigned char)*c <= ' ' || *c == 0x7f)
			return -1;
	*hostlen = (size_t)(p - h);
	*target = p;
	return 0;
}

static void hook_drop(struct render *r)
{
	free(r->hook_url);
	free(r->hook_body);
	r->hook_url = r->hook_body = NULL;
	r->hook_seq++;
}

/*
 * Schedules the webhook call of renders[i], final in st at at_ms (j: the render's tree), if
 * its request had a webhook whose onFailure/onInvalid do not rule it out, replacing any call
 * still pending. Callers hold g.mu.
 */
static void hook_schedule(size_t i, const cJSON *j, enum rstate st, long long at_ms)
{
	struct render *r = &g.renders[i];
	const cJSON *wh = cJSON_GetObjectItemCaseSensitive(j, "webhook");
	const cJSON *url = cJSON_GetObjectItemCaseSensitive(wh, "url"), *it;
	cJSON *b;
	char *body;
	const char *target;
	unsigned port;
	size_t hostlen;
	hook_drop(r);
	if (!cJSON_IsString(url))
		return;
	if (((st == S_FAILED || st == S_CANCELLED) &&
	     cJSON_IsFalse(cJSON_GetObjectItemCaseSensitive(wh, "onFailure"))) ||
	    (st == S_INVALID && cJSON_IsFalse(cJSON_GetObjectItemCaseSensitive(wh, "onInvalid")))) {
		g.hooks.not_called++;
		return;
	}
	b = cJSON_CreateObject();
	cJSON_AddStringToObject(b, "id", r->id);
	cJSON_AddBoolToObject(b, "success", st == S_DONE);
	it = cJSON_GetObjectItemCaseSensitive(j, "output");
	cJSON_AddItemToObject(b, "output", it ? cJSON_Duplicate(it, 1) : cJSON_CreateNull());
	it = cJSON_GetObjectItemCaseSensitive(j, "expirationDate");
	cJSON_AddItemToObject(b, "expirationDate",
			      it ? cJSON_Duplicate(it, 1) : cJSON_CreateNull());
	it = cJSON_GetObjectItemCaseSensitive(wh, "passthrough");
	cJSON_AddItemToObject(b, "passthrough", it ? cJSON_Duplicate(it, 1) : cJSON_CreateNull());
	it = cJSON_GetObjectItemCaseSensitive(j, "error");
	cJSON_AddItemToObject(b, "error", it ? cJSON_Duplicate(it, 1) : cJSON_CreateNull());
	body = xprint(b);
	cJSON_Delete(b);
	if (hook_target(url->valuestring, &port, &hostlen, &target) != 0) {
		g.hooks.not_called++;
		record_hook(
			r->id, url->valuestring, 0, 0, -1,
			"not called: the fake calls only http://127.0.0.1 and http://localhost URLs",
			body);
		free(body);
		return;
	}
	r->hook_url = xstrdup(url->valuestring);
	r->hook_body = body;
	r->hook_due_ms = at_ms + g.hook_delay_ms;
	r->hook_send = 1;
	r->hook_attempt = 0;
	activate(i);
}

/* Until fd is ready for events: 1; 0 when deadline (fake_mono_s) passes, -1 when the fake
 * stops or poll fails. */
static int hook_wait(int fd, short events, double deadline)
{
	for (;;) {
		struct pollfd pfd = { fd, events, 0 };
		double left = deadline - fake_mono_s();
		bool stop;
		int n;
		pthread_mutex_lock(&g.mu);
		stop = g.stop;
		pthread_mutex_unlock(&g.mu);
		if (stop)
			return -1;
		if (left <= 0)
			return 0;
		n = poll(&pfd, 1, left < 0.1 ? (int)(left * 1000) + 1 : 100);
		if (n > 0)
			return 1;
		if (n < 0 && errno != EINTR)
			return -1;
	}
}

/* err for a hook_wait that returned rc <= 0 while doing what */
static void hook_wait_err(int rc, const char *what, char *err, size_t errsz)
{
	snprintf(err, errsz, "%s: %s", what,
		 rc < 0 ? "interrupted (the fake is stopping)" : "no answer in time");
}

/*
 * POSTs body to url (one hook_target accepts) and returns the answer's status, or 0 with err
 * set when there is none (refused, reset, HOOK_TIMEOUT_MS, the fake stopping). Reads only the
 * status line.
 */
static int hook_call(const char *url, const char *body, char *err, size_t errsz)
{
	struct sockaddr_in sa;
	double deadline = fake_mono_s() + HOOK_TIMEOUT_MS / 1000.0;
	const char *target = "";
	unsigned port = 0;
	size_t hostlen = 0, len, off = 0, blen = strlen(body), got = 0;
	char *req = NULL, buf[256];
	int fd, rc, status = 0, soerr = 0;
	socklen_t sl = sizeof soerr;

	if (hook_target(url, &port, &hostlen, &target) != 0) {
		snprintf(err, errsz, "not a URL the fake calls");
		return 0;
	}
	fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		snprintf(err, errsz, "socket: %s", strerror(errno));
		return 0;
	}
	memset(&sa, 0, sizeof sa);
	sa.sin_family = AF_INET;
	sa.sin_port = htons((uint16_t)port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (connect(fd, (struct sockaddr *)&sa, sizeof sa) != 0) {
		if (errno != EINPROGRESS) {
			snprintf(err, errsz, "connect: %s", strerror(errno));
			goto out;
		}
		if ((rc = hook_wait(fd, POLLOUT, deadline)) <= 0) {
			hook_wait_err(rc, "connect", err, errsz);
			goto out;
		}
		if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &sl) != 0 || soerr) {
			snprintf(err, errsz, "connect: %s", strerror(soerr ? soerr : errno));
			goto out;
		}
	}
	len = (size_t)
		snprintf(NULL, 0,
			 "POST %s%s HTTP/1.1\r\nHost: %.*s\r\nContent-Type: application/json\r\n"
			 "Content-Length: %zu\r\nUser-Agent: fake-plainly\r\n"
			 "Connection: close\r\n\r\n",
			 *target == '/' ? "" : "/", target, (int)hostlen, url + 7, blen);
	req = xmalloc(len + blen + 1);
	snprintf(req, len + 1,
		 "POST %s%s HTTP/1.1\r\nHost: %.*s\r\nContent-Type: application/json\r\n"
		 "Content-Length: %zu\r\nUser-Agent: fake-plainly\r\nConnection: close\r\n\r\n",
		 *target == '/' ? "" : "/", target, (int)hostlen, url + 7, blen);
	memcpy(req + len, body, blen);
	len += blen;
	while (off < len) {
		ssize_t n = send(fd, req + off, len - off, MSG_NOSIGNAL);
		if (n > 0) {
			off += (size_t)n;
		} else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) {
			if ((rc = hook_wait(fd, POLLOUT, deadline)) <= 0) {
				hook_wait_err(rc, "send", err, errsz);
				goto out;
			}
		} else {
			snprintf(err, errsz, "send: %s", strerror(errno));
			goto out;
		}
	}
	while (got < sizeof buf - 1 && !memchr(buf, '\n', got)) {
		ssize_t n = recv(fd, buf + got, sizeof buf - 1 - got, 0);
		if (n > 0) {
			got += (size_t)n;
		} else if (n == 0) {
			break;
		} else if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) {
			if ((rc = hook_wait(fd, POLLIN, deadline)) <= 0) {
				hook_wait_err(rc, "answer", err, errsz);
				goto out;
			}
		} else {
			snprintf(err, errsz, "recv: %s", strerror(errno));
			goto out;
		}
	}
	buf[got] = '\0';
	if (sscanf(buf, "HTTP/%*d.%*d %3d", &status) != 1 || status < 100) {
		status = 0;
		snprintf(err, errsz, "no HTTP status line in the answer");
	}
out:
	close(fd);
	free(req);
	return status;
}

/* The webhook call the lifecycle thread makes, copied out of its render. */
struct hook_job {
	char *id, *url, *body;
	unsigned seq, send, attempt;
};

/* Takes the answer to job: the next send, a retry, or the end. Callers hold g.mu. */
static void hook_answered(const struct hook_job *job, int status)
{
	bool ok = status >= 200 && status < 300;
	size_t i = hmap_get(&g.render_ix, job->id);
	struct render *r;
	if (ok)
		g.hooks.delivered++;
	else
		g.hooks.failed++;
	if (i == NO_INDEX)
		return; /* reset meanwhile */
	r = &g.renders[i];
	if (!r->hook_body || r->hook_seq != job->seq)
		return; /* replaced meanwhile */
	if (ok && r->hook_send >= g.hook_duplicates) {
		hook_drop(r);
	} else if (ok) {
		r->hook_send++;
		r->hook_attempt = 0;
		r->hook_due_ms = fake_now_ms();
	} else if (++r->hook_attempt > g.hook_retries) {
		g.hooks.given_up++;
		hook_drop(r);
	} else {
		r->hook_due_ms = fake_now_ms() + g.hook_retry_ms;
	}
}

/* ---------------------------------------------------------------- state changes */

/*
 * Moves r to st as of at_ms: its state and lastModified, and the error of a render that
 * failed (error, or the state's default when NULL). Callers hold g.mu.
 */
static void set_state(struct render *r, enum rstate st, long long at_ms, const cJSON *error)
{
	cJSON *j = cJSON_Parse(r->json), *e = NULL;
	char ts[40];
	if (!j)
		die("out of memory (JSON parse)");
	iso_ms(at_ms, ts, 1);
	set_item(j, "state", cJSON_CreateString(STATE_NAMES[st]));
	set_item(j, "lastModified", cJSON_CreateString(ts));
	if (st == S_FAILED || st == S_INVALID || st == S_CANCELLED)
		e = error ? cJSON_Duplicate(error, 1) : default_error(st);
	set_item(j, "error", e ? e : cJSON_CreateNull());
	cJSON_DeleteItemFromObjectCaseSensitive(j, "expirationDate");
	if (st == S_DONE) {
		char url[128];
		snprintf(url, sizeof url, "http://127.0.0.1:%u/files/%s.mp4", g.port, r->id);
		set_item(j, "output", cJSON_CreateString(url));
		iso_ms(at_ms + g.retention_s * 1000, ts, 1);
		cJSON_AddStringToObject(j, "expirationDate", ts);
	} else {
		set_item(j, "output", cJSON_CreateNull());
	}
	free(r->json);
	r->json = xprint(j);
	g.by_state[r->state]--;
	g.by_state[st]++;
	r->state = st;
	if (IS_FINAL(st)) {
		r->final_ms = at_ms;
		hook_schedule((size_t)(r - g.renders), j, st, at_ms);
	} else if (r->hook_body) {
		hook_drop(r); /* forced out of a final state */
	}
	cJSON_Delete(j);
}

/* When the lifecycle next has something to do with r; LLONG_MAX for never. */
static long long next_event_ms(const struct render *r)
{
	long long t = LLONG_MAX;
	if (g.lifecycle && !r->forced && !IS_FINAL(r->state))
		t = r->accepted_ms + (r->state == S_QUEUED	  ? g.p_ms
				      : r->state == S_IN_PROGRESS ? g.d_ms
								  : g.q_ms);
	if (r->hook_body && r->hook_due_ms < t)
		t = r->hook_due_ms;
	return t;
}

/* Brings r to the state its lifecycle gives it at now. Callers hold g.mu. */
static void advance(struct render *r, long long now)
{
	long long e = now - r->accepted_ms;
	if (!g.lifecycle || r->forced || IS_FINAL(r->state) || e < g.q_ms)
		return;
	if (e >= g.d_ms)
		set_state(r, r->final, r->accepted_ms + g.d_ms, NULL);
	else if (e >= g.p_ms && r->state != S_IN_PROGRESS)
		set_state(r, S_IN_PROGRESS, r->accepted_ms + g.p_ms, NULL);
	else if (e < g.p_ms && r->state != S_QUEUED)
		set_state(r, S_QUEUED, r->accepted_ms + g.q_ms, NULL);
}

/* Waits on g.cv until ms (wall clock), or a signal; LLONG_MAX waits for a signal only. */
static void wait_until(long long ms)
{
	struct timespec ts;
	long long rel;
	if (ms == LLONG_MAX) {
		pthread_cond_wait(&g.cv, &g.mu);
		return;
	}
	rel = ms - fake_now_ms();
	if (rel <= 0)
		return;
	if (rel > 60000)
		rel = 60000;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	ts.tv_sec += (time_t)(rel / 1000);
	ts.tv_nsec += (long)(rel % 1000) * 1000000L;
	if (ts.tv_nsec >= 1000000000L) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000L;
	}
	pthread_cond_timedwait(&g.cv, &g.mu, &ts);
}

/*
 * The lifecycle thread: moves the renders in its care through their states when their time
 * comes (a GET moves a render itself too, so answers never lag behind this thread), makes
 * their webhook calls one at a time, and lets go of those with nothing left to do.
 */
static void *lifecycle_main(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&g.mu);
	while (!g.stop) {
		long long now = fake_now_ms(), next = LLONG_MAX;
		struct hook_job job = { 0 };
		for (size_t k = 0; k < g.nactive;) {
			struct render *r = &g.renders[g.active[k]];
			long long t;
			advance(r, now);
			if (!job.id && r->hook_body && r->hook_due_ms <= now) {
				job.id = xstrdup(r->id);
				job.url = xstrdup(r->hook_url);
				job.body = xstrdup(r->hook_body);
				job.seq = r->hook_seq;
				job.send = r->hook_send;
				job.attempt = r->hook_attempt + 1;
			}
			t = next_event_ms(r);
			if (t == LLONG_MAX) {
				r->active = false;
				g.active[k] = g.active[--g.nactive];
				continue;
			}
			if (t < next)
				next = t;
			k++;
		}
		if (job.id) {
			char err[160] = "";
			int status;
			g.hooks.calls++;
			pthread_mutex_unlock(&g.mu);
			status = hook_call(job.url, job.body, err, sizeof err);
			record_hook(job.id, job.url, job.send, job.attempt, status,
				    status ? NULL : err, job.body);
			pthread_mutex_lock(&g.mu);
			hook_answered(&job, status);
			free(job.id);
			free(job.url);
			free(job.body);
			continue;
		}
		wait_until(next);
	}
	pthread_mutex_unlock(&g.mu);
	return NULL;
}

/* Brings every render in the lifecycle thread's care up to now. Callers hold g.mu. */
static void advance_all(long long now)
{
	for (size_t k = 0; k < g.nactive; k++)
		advance(&g.renders[g.active[k]], now);
}

/* ---------------------------------------------------------------- renders (continued) */

/* Builds the render object for a valid request, stores it, and returns a printed copy. */
static char *store_render(const cJSON *b, enum rstate state, char id_out[37])
{
	char ts[40];
	cJSON *r = cJSON_CreateObject();
	const char *subject = subject_of(b);
	char *printed;
	long long now = fake_now_ms();
	struct render *nr;
	iso_ms(now, ts, 1);
	pthread_mutex_lock(&g.mu);
	make_uuid(id_out);
	pthread_mutex_unlock(&g.mu);
	cJSON_AddStringToObject(r, "id", id_out);
	cJSON_AddStringToObject(r, "state", STATE_NAMES[state]);
	add_echo(r, b, "projectId", 0);
	add_echo(r, b, "templateId", 0);
	add_echo(r, b, "parameters", 1);
	add_echo(r, b, "attributes", 1);
	add_echo(r, b, "outputFormat", 0);
	cJSON_AddStringToObject(r, "createdDate", ts);
	cJSON_AddStringToObject(r, "lastModified", ts);
	if (state == S_INVALID)
		cJSON_AddItemToObject(r, "error", default_error(S_INVALID));
	else
		cJSON_AddNullToObject(r, "error");
	cJSON_AddNullToObject(r, "output");
	add_echo(r, b, "options", 1);
	add_echo(r, b, "webhook", 0);
	printed = xprint(r);
	pthread_mutex_lock(&g.mu);
	g.renders = fake_grow(g.renders, g.nrenders, &g.cap_renders, sizeof *g.renders);
	nr = &g.renders[g.nrenders];
	memset(nr, 0, sizeof *nr);
	nr->id = xstrdup(id_out);
	nr->project = xstrdup(cJSON_GetObjectItemCaseSensitive(b, "projectId")->valuestring);
	nr->json = xstrdup(printed);
	nr->state = state;
	nr->final = S_DONE;
	nr->accepted_ms = now;
	if (g.lifecycle && !IS_FINAL(state)) {
		if (g.final_pos < g.nfinal)
			nr->final = g.final_script[g.final_pos++];
		else if (g.fail_rate > 0 && fake_rng_unit(&g.fail_rng) < g.fail_rate)
			nr->final = S_FAILED;
	}
	g.by_state[state]++;
	hmap_put(&g.render_ix, nr->id, g.nrenders);
	{
		const char *name = nr->project;
		size_t p = hmap_get(&g.project_ix, name);
		struct project *pr;
		if (p == NO_INDEX) {
			p = g.nprojects++;
			g.projects = fake_grow(g.projects, p, &g.cap_projects, sizeof *g.projects);
			memset(&g.projects[p], 0, sizeof g.projects[p]);
			g.projects[p].name = xstrdup(name);
			hmap_put(&g.project_ix, g.projects[p].name, p);
		}
		pr = &g.projects[p];
		pr->idx = fake_grow(pr->idx, pr->n, &pr->cap, sizeof *pr->idx);
		pr->idx[pr->n++] = g.nrenders;
	}
	if (g.lifecycle && !IS_FINAL(state))
		activate(g.nrenders);
	else if (g.lifecycle)
		hook_schedule(g.nrenders, r, state, now);
	g.nrenders++;
	if (subject)
		fake_counters_add(&g.by_subject, subject);
	pthread_mutex_unlock(&g.mu);
	cJSON_Delete(r);
	return printed;
}

static void clear_renders(void)
{
	for (size_t i = 0; i < g.nrenders; i++) {
		free(g.renders[i].id);
		free(g.renders[i].project);
		free(g.renders[i].json);
		free(g.renders[i].hook_url);
		free(g.renders[i].hook_body);
	}
	free(g.renders);
	g.renders = NULL;
	g.nrenders = g.cap_renders = 0;
	hmap_free(&g.render_ix);
	for (size_t i = 0; i < g.nprojects; i++) {
		free(g.projects[i].name);
		free(g.projects[i].idx);
	}
	free(g.projects);
	g.projects = NULL;
	g.nprojects = g.cap_projects = 0;
	hmap_free(&g.project_ix);
	free(g.active);
	g.active = NULL;
	g.nactive = g.cap_active = 0;
	memset(g.by_state, 0, sizeof g.by_state);
}

/* Status answered for the request, after answering it; 0 means the connection was reset. */
struct answer {
	enum MHD_Result ret;
	unsigned status;
};

static struct answer fail_with(struct MHD_Connection *c, enum outcome o, const char *path,
			       const cJSON *b)
{
	struct answer a = { MHD_YES, 0 };
	char msg[512];
	const cJSON *it;
	switch (o) {
	case O_400:
		it = cJSON_GetObjectItemCaseSensitive(b, "templateId");
		snprintf(msg, sizeof msg, "Template %s does not exist",
			 cJSON_IsString(it) ? it->valuestring : "null");
		a.status = 400;
		a.ret = respond_error(c, 400, "Bad Request", msg, path, "TEMPLATE_DOES_NOT_EXIST");
		break;
	case O_404:
		it = cJSON_GetObjectItemCaseSensitive(b, "projectId");
		snprintf(msg, sizeof msg, "Project %s does not exist",
			 cJSON_IsString(it) ? it->valuestring : "null");
		a.status = 404;
		a.ret = respond_error(c, 404, "Not Found", msg, path, "PROJECT_DOES_NOT_EXIST");
		break;
	case O_429: {
		static const struct fake_hdr h[] = { { "Retry-After", "1" },
						     { "X-Retry-In", "1000" } };
		a.status = 429;
		a.ret = respond(c, 429, "text/plain", "Too Many Requests", h, 2);
		break;
	}
	case O_QUEUEFULL:
		a.status = 429;
		a.ret = respond_error(
			c, 429, "Too Many Requests",
			"The render queue of your organization is full, try again later", path,
			"RENDER_ORGANIZATION_QUEUE_FULL");
		break;
	case O_TIMEOUT:
		fake_sleep_ms(g.flags.timeout_delay_ms);
		a.status = 500;
		a.ret = respond_error(c, 500, "Internal Server Error", "Internal server error",
				      path, NULL);
		break;
	case O_RESET:
		a.status = 0;
		a.ret = MHD_NO;
		break;
	case O_500:
	default:
		a.status = 500;
		a.ret = respond_error(c, 500, "Internal Server Error", "Internal server error",
				      path, NULL);
		break;
	}
	return a;
}

static struct answer post_render(struct MHD_Connection *c, const char *path,
				 const struct fake_req *r)
{
	struct answer a = { MHD_YES, 0 };
	cJSON *b = (r->len && !r->too_big) ? cJSON_ParseWithLength(r->body, r->len) : NULL;
	const char *why = b ? validate_render_request(b) : "Request body is not valid JSON";
	const char *subject = b ? subject_of(b) : NULL;
	enum outcome o = O_OK;
	char id[37];
	char *printed;

	pthread_mutex_lock(&g.mu);
	g.posts++;
	if (subject)
		fake_counters_add(&g.posts_by_subject, subject);
	if (!why && g.script_pos < g.nscript)
		o = g.script[g.script_pos++];
	pthread_mutex_unlock(&g.mu);

	if (why) {
		a.status = 400;
		a.ret = respond_error(c, 400, "Bad Request", why, path, "BAD_REQUEST");
		cJSON_Delete(b);
		return a;
	}
	switch (o) {
	case O_OK:
	case O_INVALID:
	case O_THROTTLED:
	case O_ACCEPT_500:
	case O_ACCEPT_RESET:
		printed = store_render(b,
				       o == O_INVALID	  ? S_INVALID
				       : o == O_THROTTLED ? S_THROTTLED
							  : S_PENDING,
				       id);
		if (o == O_ACCEPT_500) {
			a = fail_with(c, O_500, path, b);
		} else if (o == O_ACCEPT_RESET) {
			a = fail_with(c, O_RESET, path, b);
		} else {
			a.status = 200;
			a.ret = respond(c, 200, "application/json", printed, NULL, 0);
		}
		free(printed);
		break;
	default:
		a = fail_with(c, o, path, b);
		break;
	}
	cJSON_Delete(b);
	return a;
}

static long query_long(struct MHD_Connection *c, const char *name, long def, long lo, long hi)
{
	const char *v = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, name);
	long long x;
	if (!v || fake_parse_ll(v, &x) != 0 || x < lo || x > hi)
		return def;
	return (long)x;
}

static struct answer list_renders(struct MHD_Connection *c)
{
	struct answer a = { MHD_YES, 200 };
	const char *project = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "projectId");
	long page = query_long(c, "page", 0, 0, 1000000);
	long size = query_long(c, "size", 20, 1, 1000);
	size_t skip = (size_t)(page * size), n, k;
	const size_t *idx = NULL; /* the project's renders, or NULL for all renders */
	cJSON *arr = cJSON_CreateArray();
	long long now = fake_now_ms();
	pthread_mutex_lock(&g.mu);
	n = g.nrenders;
	if (project) {
		size_t p = hmap_get(&g.project_ix, project);
		n = p == NO_INDEX ? 0 : g.projects[p].n;
		idx = p == NO_INDEX ? NULL : g.projects[p].idx;
	}
	/* newest first: the j-th newest is at n - 1 - j */
	for (k = skip; k < n && k - skip < (size_t)size; k++) {
		size_t i = idx ? idx[n - 1 - k] : n - 1 - k;
		advance(&g.renders[i], now);
		cJSON_AddItemToArray(arr, cJSON_Parse(g.renders[i].json));
	}
	pthread_mutex_unlock(&g.mu);
	a.ret = respond_json(c, 200, arr, NULL, 0);
	return a;
}

static struct answer get_render(struct MHD_Connection *c, const char *path, const char *id)
{
	struct answer a = { MHD_YES, 200 };
	cJSON *found = NULL;
	size_t i;
	pthread_mutex_lock(&g.mu);
	i = hmap_get(&g.render_ix, id);
	if (i != NO_INDEX) {
		advance(&g.renders[i], fake_now_ms());
		found = cJSON_Parse(g.renders[i].json);
	}
	pthread_mutex_unlock(&g.mu);
	if (found) {
		a.ret = respond_json(c, 200, found, NULL, 0);
	} else {
		char msg[256];
		snprintf(msg, sizeof msg, "Render %.200s does not exist", id);
		a.status = 404;
		a.ret = respond_error(c, 404, "Not Found", msg, path, "RENDER_DOES_NOT_EXIST");
	}
	return a;
}

/* ---------------------------------------------------------------- output files */

/* A video being sent: the pattern its bytes repeat, its size, where the next pause is. */
struct video {
	char pattern[80];
	size_t plen;
	uint64_t size;
	uint64_t next_pause;
};

static ssize_t video_read(void *cls, uint64_t pos, char *buf, size_t max)
{
	struct video *v = cls;
	size_t n;
	if (pos >= v->size)
		return MHD_CONTENT_READER_END_OF_STREAM;
	if (pos >= v->next_pause) {
		if (pos > 0)
			fake_sleep_ms(g.output_delay_ms);
		v->next_pause = pos + FILE_BLOCK;
	}
	n = max;
	if (n > v->next_pause - pos)
		n = (size_t)(v->next_pause - pos);
	if (n > v->size - pos)
		n = (size_t)(v->size - pos);
	for (size_t k = 0; k < n; k++)
		buf[k] = v->pattern[(pos + k) % v->plen];
	return (ssize_t)n;
}

/*
 * GET /files/{id}.mp4: the video of a DONE render until its expirationDate (404 before, after,
 * and for an unknown id), --output-bytes of the line "fake-plainly render {id}" repeated.
 */
static struct answer get_file(struct MHD_Connection *c, const char *method, const char *name)
{
	struct answer a = { MHD_YES, 404 };
	size_t len = strlen(name), i;
	long long now = fake_now_ms();
	char id[64];
	bool found = false;
	if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0) {
		a.status = 405;
		a.ret = respond(c, 405, "text/plain", "Method Not Allowed", NULL, 0);
		return a;
	}
	if (len > 4 && len - 4 < sizeof id && strcmp(name + len - 4, ".mp4") == 0) {
		memcpy(id, name, len - 4);
		id[len - 4] = '\0';
		pthread_mutex_lock(&g.mu);
		i = hmap_get(&g.render_ix, id);
		if (i != NO_INDEX) {
			struct render *r = &g.renders[i];
			advance(r, now);
			found = r->state == S_DONE && now < r->final_ms + g.retention_s * 1000;
		}
		pthread_mutex_unlock(&g.mu);
	}
	if (found) {
		struct video *v = xmalloc(sizeof *v);
		struct MHD_Response *resp;
		memset(v, 0, sizeof *v);
		v->plen = (size_t)snprintf(v->pattern, sizeof v->pattern,
					   "fake-plainly render %s\n", id);
		v->size = (uint64_t)g.output_bytes;
		resp = MHD_create_response_from_callback(v->size, FILE_BLOCK, video_read, v, free);
		if (!resp) {
			free(v);
			a.status = 0;
			a.ret = MHD_NO;
			return a;
		}
		MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, "video/mp4");
		a.status = 200;
		a.ret = MHD_queue_response(c, 200, resp);
		MHD_destroy_response(resp);
		return a;
	}
	a.ret = respond(c, 404, "text/plain", "Not Found", NULL, 0);
	return a;
}

static enum outcome roll_fault(void)
{
	enum outcome o;
	pthread_mutex_lock(&g.mu);
	o = (enum outcome)fake_roll(&g.flags.rates, &g.rng, O_OK);
	pthread_mutex_unlock(&g.mu);
	return o;
}

/* ---------------------------------------------------------------- control endpoints */

/*
 * POST /_fake/renders/{id}/state {"state": "FAILED", "error": "..." or {...}}: puts the render
 * in that state at once, for good (the lifecycle no longer moves it). Answers the render.
 */
static enum MHD_Result force_state(struct MHD_Connection *c, const char *id, size_t idlen,
				   const struct fake_req *r)
{
	cJSON *b = (r->len && !r->too_big) ? cJSON_ParseWithLength(r->body, r->len) : NULL;
	const cJSON *sv = cJSON_GetObjectItemCaseSensitive(b, "state");
	const cJSON *ev = cJSON_GetObjectItemCaseSensitive(b, "error");
	cJSON *err = NULL, *found = NULL;
	char key[64];
	int st = cJSON_IsString(sv) ? state_by_name(sv->valuestring, strlen(sv->valuestring)) : -1;
	size_t i;
	if (st < 0 || (ev && !cJSON_IsString(ev) && !cJSON_IsObject(ev) && !cJSON_IsNull(ev))) {
		cJSON *j = cJSON_CreateObject();
		cJSON_AddStringToObject(j, "error",
					"need state (PENDING, THROTTLED, QUEUED, IN_PROGRESS, DONE, "
					"FAILED, INVALID, CANCELLED) and optionally error (a string "
					"or an object)");
		cJSON_Delete(b);
		return respond_json(c, 400, j, NULL, 0);
	}
	if (cJSON_IsString(ev)) {
		err = cJSON_CreateObject();
		cJSON_AddStringToObject(err, "code",
					st == S_INVALID	    ? "RENDER_PARAMETERS_INVALID"
					: st == S_CANCELLED ? "RENDER_CANCELLED"
							    : "RENDER_FAILED");
		cJSON_AddStringToObject(err, "message", ev->valuestring);
	} else if (cJSON_IsObject(ev)) {
		err = cJSON_Duplicate(ev, 1);
	}
	snprintf(key, sizeof key, "%.*s", (int)(idlen < 63 ? idlen : 63), id);
	pthread_mutex_lock(&g.mu);
	i = idlen < sizeof key ? hmap_get(&g.render_ix, key) : NO_INDEX;
	if (i != NO_INDEX) {
		struct render *rd = &g.renders[i];
		rd->forced = true;
		set_state(rd, (enum rstate)st, fake_now_ms(), err);
		found = cJSON_Parse(rd->json);
	}
	pthread_mutex_unlock(&g.mu);
	cJSON_Delete(err);
	cJSON_Delete(b);
	if (!found)
		return respond(c, 404, "application/json", "{\"error\":\"unknown render\"}", NULL,
			       0);
	return respond_json(c, 200, found, NULL, 0);
}

static enum MHD_Result control(struct MHD_Connection *c, const char *method, const char *path,
			       const struct fake_req *r)
{
	int is_get = strcmp(method, "GET") == 0, is_post = strcmp(method, "POST") == 0;
	if (is_get && strcmp(path, "/_fake/stats") == 0) {
		cJSON *j = cJSON_CreateObject(), *st, *wh;
		unsigned long pending = 0;
		pthread_mutex_lock(&g.mu);
		advance_all(fake_now_ms());
		cJSON_AddNumberToObject(j, "posts", (double)g.posts);
		cJSON_AddNumberToObject(j, "accepted", (double)g.nrenders);
		cJSON_AddItemToObject(j, "by_subject", fake_counters_json(&g.by_subject));
		cJSON_AddItemToObject(j, "posts_by_subject",
				      fake_counters_json(&g.posts_by_subject));
		cJSON_AddNumberToObject(j, "script_left", (double)(g.nscript - g.script_pos));
		cJSON_AddNumberToObject(j, "final_script_left", (double)(g.nfinal - g.final_pos));
		st = cJSON_AddObjectToObject(j, "states");
		for (int k = 0; k < S_COUNT; k++)
			cJSON_AddNumberToObject(st, STATE_NAMES[k], (double)g.by_state[k]);
		for (size_t k = 0; k < g.nactive; k++)
			pending += g.renders[g.active[k]].hook_body != NULL;
		wh = cJSON_AddObjectToObject(j, "webhooks");
		cJSON_AddNumberToObject(wh, "calls", (double)g.hooks.calls);
		cJSON_AddNumberToObject(wh, "delivered", (double)g.hooks.delivered);
		cJSON_AddNumberToObject(wh, "failed", (double)g.hooks.failed);
		cJSON_AddNumberToObject(wh, "given_up", (double)g.hooks.given_up);
		cJSON_AddNumberToObject(wh, "not_called", (double)g.hooks.not_called);
		cJSON_AddNumberToObject(wh, "pending", (double)pending);
		pthread_mutex_unlock(&g.mu);
		return respond_json(c, 200, j, NULL, 0);
	}
	if (is_post && strcmp(path, "/_fake/reset") == 0) {
		pthread_mutex_lock(&g.mu);
		clear_renders();
		free(g.script);
		g.script = NULL;
		g.nscript = g.script_pos = 0;
		free(g.final_script);
		g.final_script = NULL;
		g.nfinal = g.final_pos = 0;
		g.posts = 0;
		memset(&g.hooks, 0, sizeof g.hooks);
		fake_counters_clear(&g.by_subject);
		fake_counters_clear(&g.posts_by_subject);
		pthread_mutex_unlock(&g.mu);
		return respond(c, 200, "application/json", "{\"ok\":true}", NULL, 0);
	}
	if (is_post && strcmp(path, "/_fake/script") == 0) {
		enum outcome *v;
		size_t n;
		char err[160];
		if (r->too_big ||
		    parse_script(r->body ? r->body : "", r->len, &v, &n, err, sizeof err) != 0) {
			cJSON *j = cJSON_CreateObject();
			cJSON_AddStringToObject(j, "error", r->too_big ? "body too large" : err);
			return respond_json(c, 400, j, NULL, 0);
		}
		pthread_mutex_lock(&g.mu);
		free(g.script);
		g.script = v;
		g.nscript = n;
		g.script_pos = 0;
		pthread_mutex_unlock(&g.mu);
		return respond(c, 200, "application/json", "{\"ok\":true}", NULL, 0);
	}
	if (is_post && strcmp(path, "/_fake/final-script") == 0) {
		enum rstate *v;
		size_t n;
		char err[160];
		if (r->too_big || parse_final_script(r->body ? r->body : "", r->len, &v, &n, err,
						     sizeof err) != 0) {
			cJSON *j = cJSON_CreateObject();
			cJSON_AddStringToObject(j, "error", r->too_big ? "body too large" : err);
			return respond_json(c, 400, j, NULL, 0);
		}
		pthread_mutex_lock(&g.mu);
		free(g.final_script);
		g.final_script = v;
		g.nfinal = n;
		g.final_pos = 0;
		pthread_mutex_unlock(&g.mu);
		return respond(c, 200, "application/json", "{\"ok\":true}", NULL, 0);
	}
	if (is_post && strncmp(path, "/_fake/renders/", 15) == 0) {
		const char *id = path + 15, *slash = strchr(id, '/');
		if (slash && slash > id && strcmp(slash, "/state") == 0)
			return force_state(c, id, (size_t)(slash - id), r);
	}
	return respond(c, 404, "application/json", "{\"error\":\"unknown control endpoint\"}", NULL,
		       0);
}

/* ---------------------------------------------------------------- dispatch */

static enum MHD_Result handler(void *cls, struct MHD_Connection *c, const char *url,
			       const char *method, const char *version, const char *upload_data,
			       size_t *upload_data_size, void **con_cls)
{
	struct fake_req *r = *con_cls;
	const char *path, *auth;
	struct answer a = { MHD_YES, 0 };
	enum outcome fault;
	int is_get, is_post;
	(void)cls;
	(void)version;
	if (!r)
		return MHD_NO;
	if (fake_req_arriving(r, upload_data, upload_data_size, MAX_UPLOAD))
		return MHD_YES;

	path = fake_strip_prefix(url, API_PREFIX);
	if (strncmp(path, "/_fake/", 7) == 0)
		return control(c, method, path, r);

	is_get = strcmp(method, "GET") == 0;
	is_post = strcmp(method, "POST") == 0;
	auth = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_AUTHORIZATION);
	if (strncmp(path, "/files/", 7) == 0) {
		/* a render's video: public like Plainly's output URLs, no fault */
		a = get_file(c, method, path + 7);
	} else if (!auth_ok(auth)) {
		a.status = 401;
		a.ret = respond_error(c, 401, "Unauthorized",
				      "Full authentication is required to access this resource",
				      path, NULL);
	} else if ((fault = roll_fault()) != O_OK) {
		a = fail_with(c, fault, path, NULL);
	} else if (strcmp(path, "/renders") == 0 && is_post) {
		a = post_render(c, path, r);
	} else if (strcmp(path, "/renders") == 0 && is_get) {
		a = list_renders(c);
	} else if (strncmp(path, "/renders/", 9) == 0 && path[9] && !strchr(path + 9, '/') &&
		   is_get) {
		a = get_render(c, path, path + 9);
	} else if (strcmp(path, "/me") == 0 && is_get) {
		a.status = 200;
		a.ret = respond(c, 200, "application/json",
				"{\"id\":\"00000000-0000-4000-8000-00000000fa4e\",\"name\":\"fake\","
				"\"email\":\"fake@example.invalid\"}",
				NULL, 0);
	} else if (strcmp(path, "/renders") == 0 || strncmp(path, "/renders/", 9) == 0 ||
		   strcmp(path, "/me") == 0) {
		a.status = 405;
		a.ret = respond_error(c, 405, "Method Not Allowed", "Request method not supported",
				      path, NULL);
	} else {
		a.status = 404;
		a.ret = respond_error(c, 404, "Not Found", "No endpoint for this path", path, NULL);
	}
	record(method, path, r, auth, a.status);
	return a.ret;
}

/* ---------------------------------------------------------------- main */

/* An outcome that --fault-rate may name. */
static int fault_code(const char *name, size_t len)
{
	enum outcome o;
	if (outcome_by_name(name, len, &o) != 0 ||
	    !(o == O_500 || o == O_429 || o == O_TIMEOUT || o == O_QUEUEFULL || o == O_RESET))
		return -1;
	return (int)o;
}

/* "Q,P,D": three whole numbers of milliseconds, 0 <= Q <= P <= D <= one day. */
static void parse_lifecycle(const char *spec)
{
	long long v[3];
	const char *p = spec;
	for (int k = 0; k < 3; k++) {
		char num[32];
		const char *end = k < 2 ? strchr(p, ',') : p + strlen(p);
		if (!end || (size_t)(end - p) >= sizeof num)
			die("--lifecycle: expected Q,P,D (milliseconds), got \"%s\"", spec);
		memcpy(num, p, (size_t)(end - p));
		num[end - p] = '\0';
		if (fake_parse_ll(num, &v[k]) != 0 || v[k] < 0 || v[k] > 86400000)
			die("--lifecycle: \"%s\" is not 0..86400000 milliseconds", num);
		p = end + 1;
	}
	if (v[0] > v[1] || v[1] > v[2])
		die("--lifecycle: expected Q <= P <= D, got \"%s\"", spec);
	g.lifecycle = true;
	g.q_ms = v[0];
	g.p_ms = v[1];
	g.d_ms = v[2];
}

static void usage(FILE *f)
{
	fputs("usage: fake-plainly --port N [--record FILE] [--script \"500,ok,invalid\"]\n"
	      "         [--fault-rate 500=0.05,timeout=0.02,429=0.01] [--timeout-delay-ms MS]\n"
	      "         [--seed N] [--port-file F] [--pidfile F] [--api-key KEY] [--threads N]\n"
	      "         [--lifecycle Q,P,D] [--output-bytes N] [--output-delay-ms MS]\n"
	      "         [--retention SECONDS] [--final-script \"done,failed\"] [--render-fail-rate X]\n"
	      "         [--webhook-retry-ms MS] [--webhook-retries N] [--webhook-duplicates N]\n"
	      "         [--webhook-delay-ms MS]\n"
	      "--record FILE: append every request to FILE as a JSON line (none without it).\n"
	      "--threads N: serve with a pool of N threads (default 0: one thread per connection);\n"
	      "  in a pool a timeout step or fault holds up the other connections of its thread.\n"
	      "--lifecycle Q,P,D: a render becomes QUEUED Q ms after the POST, IN_PROGRESS at P ms\n"
	      "  and final at D ms (without it renders keep the state the POST gave them).\n"
	      "A DONE render's output is served at /files/ID.mp4: --output-bytes N (default 65536)\n"
	      "  bytes, a pause of --output-delay-ms MS (default 0) between blocks of 8192 bytes,\n"
	      "  until its expirationDate, --retention SECONDS (default 604800) after DONE.\n"
	      "--final-script: the final states (done, failed, invalid, cancelled) of the 1st, 2nd...\n"
	      "  render accepted; then DONE, or FAILED with the chance --render-fail-rate X (0..1).\n"
	      "Webhooks (with --lifecycle, or a final state set by /_fake/renders/ID/state) are\n"
	      "  called --webhook-delay-ms MS (default 0) after the final state, retried every\n"
	      "  --webhook-retry-ms MS (default 1000) up to --webhook-retries N times (default 5);\n"
	      "  --webhook-duplicates N (default 1) sends each delivered one N times in all.\n"
	      "Prints \"listening on 127.0.0.1:PORT\" first; see tests/fakes/README.md.\n",
	      f);
}

/* getopt_long codes of fake-plainly's own long-only flags */
enum {
	OPT_LIFECYCLE = 256,
	OPT_OUTPUT_BYTES,
	OPT_OUTPUT_DELAY,
	OPT_RETENTION,
	OPT_FINAL_SCRIPT,
	OPT_FAIL_RATE,
	OPT_HOOK_RETRY_MS,
	OPT_HOOK_RETRIES,
	OPT_HOOK_DUPLICATES,
	OPT_HOOK_DELAY_MS,
};

/* arg as a whole number in lo..hi, else dies naming the flag */
static long long flag_ll(const char *flag, const char *arg, long long lo, long long hi)
{
	long long v;
	if (fake_parse_ll(arg, &v) != 0 || v < lo || v > hi)
		die("--%s: expected %lld..%lld, got \"%s\"", flag, lo, hi, arg);
	return v;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "record", required_argument, NULL, 'r' },
		{ "script", required_argument, NULL, 's' },
		{ "api-key", required_argument, NULL, 'k' },
		{ "lifecycle", required_argument, NULL, OPT_LIFECYCLE },
		{ "output-bytes", required_argument, NULL, OPT_OUTPUT_BYTES },
		{ "output-delay-ms", required_argument, NULL, OPT_OUTPUT_DELAY },
		{ "retention", required_argument, NULL, OPT_RETENTION },
		{ "final-script", required_argument, NULL, OPT_FINAL_SCRIPT },
		{ "render-fail-rate", required_argument, NULL, OPT_FAIL_RATE },
		{ "webhook-retry-ms", required_argument, NULL, OPT_HOOK_RETRY_MS },
		{ "webhook-retries", required_argument, NULL, OPT_HOOK_RETRIES },
		{ "webhook-duplicates", required_argument, NULL, OPT_HOOK_DUPLICATES },
		{ "webhook-delay-ms", required_argument, NULL, OPT_HOOK_DELAY_MS },
		FAKE_FLAG_OPTIONS,
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *record_path = NULL;
	struct MHD_Daemon *d;
	unsigned bound;
	int opt;
	char err[160];
	pthread_condattr_t ca;
	pthread_t lifecycle_thread;

	fake_init();
	g.flags = (struct fake_flags)FAKE_FLAGS_INIT;
	g.output_bytes = 65536;
	g.retention_s = 604800;
	g.hook_retry_ms = 1000;
	g.hook_retries = 5;
	g.hook_duplicates = 1;
	while ((opt = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (opt) {
		case 'r':
			record_path = optarg;
			break;
		case 's':
			free(g.script);
			if (parse_script(optarg, strlen(optarg), &g.script, &g.nscript, err,
					 sizeof err))
				die("--script: %s", err);
			break;
		case 'k':
			if (!optarg[0] || strchr(optarg, ':'))
				die("--api-key: must be non-empty and without ':'");
			g.api_key = optarg;
			break;
		case OPT_LIFECYCLE:
			parse_lifecycle(optarg);
			break;
		case OPT_OUTPUT_BYTES:
			g.output_bytes = flag_ll("output-bytes", optarg, 0, 1LL << 32);
			break;
		case OPT_OUTPUT_DELAY:
			g.output_delay_ms = (long)flag_ll("output-delay-ms", optarg, 0, 3600000);
			break;
		case OPT_RETENTION:
			g.retention_s = flag_ll("retention", optarg, 0, 10LL * 365 * 86400);
			break;
		case OPT_FINAL_SCRIPT:
			free(g.final_script);
			if (parse_final_script(optarg, strlen(optarg), &g.final_script, &g.nfinal,
					       err, sizeof err))
				die("--final-script: %s", err);
			break;
		case OPT_FAIL_RATE: {
			char *end;
			errno = 0;
			g.fail_rate = strtod(optarg, &end);
			if (errno || end == optarg || *end ||
			    !(g.fail_rate >= 0 && g.fail_rate <= 1))
				die("--render-fail-rate: expected 0..1, got \"%s\"", optarg);
			break;
		}
		case OPT_HOOK_RETRY_MS:
			g.hook_retry_ms = (long)flag_ll("webhook-retry-ms", optarg, 0, 3600000);
			break;
		case OPT_HOOK_RETRIES:
			g.hook_retries = (unsigned)flag_ll("webhook-retries", optarg, 0, 1000);
			break;
		case OPT_HOOK_DUPLICATES:
			g.hook_duplicates = (unsigned)flag_ll("webhook-duplicates", optarg, 1, 100);
			break;
		case OPT_HOOK_DELAY_MS:
			g.hook_delay_ms = (long)flag_ll("webhook-delay-ms", optarg, 0, 3600000);
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			if (fake_flag(&g.flags, opt, optarg, fault_code,
				      " (500, 429, timeout, queuefull, reset)"))
				break;
			usage(stderr);
			return 2;
		}
	}
	if (optind != argc || g.flags.port < 0) {
		usage(stderr);
		return 2;
	}
	if ((g.nfinal || g.fail_rate > 0) && !g.lifecycle)
		die("--final-script and --render-fail-rate need --lifecycle");
	g.rng = (uint64_t)g.flags.seed;
	g.fail_rng = (uint64_t)g.flags.seed ^ 0x6661696c72617465ull; /* "failrate" */
	g.record = record_path ? fopen(record_path, "a") : NULL;
	if (record_path && !g.record)
		die("cannot open record file %s: %s", record_path, strerror(errno));
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&g.cv, &ca);
	pthread_condattr_destroy(&ca);
	g.port = (unsigned)g.flags.port;
	d = fake_listen(g.flags.port, g.flags.threads, handler, NULL, &bound);
	pthread_mutex_lock(&g.mu);
	g.port = bound; /* --port 0: no request can come before the port is announced */
	pthread_mutex_unlock(&g.mu);
	/* after fake_listen: the thread inherits the blocked SIGTERM and SIGINT */
	if (pthread_create(&lifecycle_thread, NULL, lifecycle_main, NULL) != 0)
		die("cannot start the lifecycle thread");
	fake_announce(bound, g.flags.port_file, g.flags.pidfile);
	fake_serve_until_signal(d, g.flags.pidfile);

	pthread_mutex_lock(&g.mu);
	g.stop = true;
	pthread_cond_signal(&g.cv);
	pthread_mutex_unlock(&g.mu);
	pthread_join(lifecycle_thread, NULL);
	pthread_cond_destroy(&g.cv);
	if (g.record)
		fclose(g.record);
	clear_renders();
	free(g.script);
	free(g.final_script);
	fake_counters_clear(&g.by_subject);
	fake_counters_clear(&g.posts_by_subject);
	return 0;
}
