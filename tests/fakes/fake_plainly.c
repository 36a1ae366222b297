/*
 * fake-plainly: a scripted stand-in for the Plainly render API (v2), for tests and the demo.
 *
 * Accepts POST /renders like Plainly (HTTP Basic with the API key as user, 200 with a render
 * object, INVALID/THROTTLED states, JSON errors with X-PlainlyErrorCode, a non-JSON 429),
 * keeps accepted renders in memory for GET /renders and GET /renders/{id}, and records every
 * request as one JSON line. Binds 127.0.0.1 only. See tests/fakes/README.md.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <malloc.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>
#include <microhttpd.h>

#include "fake.h"

#define MAX_UPLOAD (4u * 1024u * 1024u)
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

struct render {
	char *id;
	char *project;
	char *json; /* the render as answered, printed: a parsed tree of every render would be
                   tens of KB each, most of a long run's memory and CPU */
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
	/* state (mu) */
	enum outcome *script;
	size_t nscript, script_pos;
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
	FILE *record;
	pthread_mutex_t rec_mu;
} g = { .mu = PTHREAD_MUTEX_INITIALIZER, .rec_mu = PTHREAD_MUTEX_INITIALIZER };

/* ---------------------------------------------------------------- small helpers */

/* ISO-8601 UTC with milliseconds; zulu: "...Z" (render dates) or "...+00:00" (errors). */
static void iso_now(char out[40], int zulu)
{
	long long ms = fake_now_ms();
	time_t t = (time_t)(ms / 1000);
	struct tm tm;
	char base[24];
	gmtime_r(&t, &tm);
	strftime(base, sizeof base, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(out, 40, "%s.%03d%s", base, (int)(ms % 1000), zulu ? "Z" : "+00:00");
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

/* Parses "ok, invalid,429" into a new array; returns -1 (and names the bad token) on error. */
static int parse_script(const char *spec, size_t speclen, enum outcome **out, size_t *n, char *err,
			size_t errsz)
{
	const char *p = spec, *end = spec + speclen;
	enum outcome *v = NULL;
	size_t k = 0;
	while (p < end) {
		const char *comma = memchr(p, ',', (size_t)(end - p));
		const char *te = comma ? comma : end;
		const char *ts = p;
		enum outcome o;
		while (ts < te && (*ts == ' ' || *ts == '\t' || *ts == '\n' || *ts == '\r'))
			ts++;
		while (te > ts &&
		       (te[-1] == ' ' || te[-1] == '\t' || te[-1] == '\n' || te[-1] == '\r'))
			te--;
		if (te > ts) {
			if (outcome_by_name(ts, (size_t)(te - ts), &o) != 0) {
				snprintf(err, errsz, "unknown script step \"%.*s\"", (int)(te - ts),
					 ts);
				free(v);
				return -1;
			}
			v = xrealloc(v, sizeof *v * (k + 1));
			v[k++] = o;
		}
		p = comma ? comma + 1 : end;
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

/* Builds the render object for a valid request, stores it, and returns a printed copy. */
static char *store_render(const cJSON *b, const char *state, int invalid, char id_out[37])
{
	char ts[40];
	cJSON *r = cJSON_CreateObject();
	const char *subject = subject_of(b);
	char *printed;
	iso_now(ts, 1);
	pthread_mutex_lock(&g.mu);
	make_uuid(id_out);
	pthread_mutex_unlock(&g.mu);
	cJSON_AddStringToObject(r, "id", id_out);
	cJSON_AddStringToObject(r, "state", state);
	add_echo(r, b, "projectId", 0);
	add_echo(r, b, "templateId", 0);
	add_echo(r, b, "parameters", 1);
	add_echo(r, b, "attributes", 1);
	add_echo(r, b, "outputFormat", 0);
	cJSON_AddStringToObject(r, "createdDate", ts);
	cJSON_AddStringToObject(r, "lastModified", ts);
	if (invalid) {
		cJSON *e = cJSON_AddObjectToObject(r, "error");
		cJSON_AddStringToObject(e, "code", "RENDER_PARAMETERS_INVALID");
		cJSON_AddStringToObject(e, "message", "Mandatory parameter homeName is missing");
	} else {
		cJSON_AddNullToObject(r, "error");
	}
	cJSON_AddNullToObject(r, "output");
	add_echo(r, b, "options", 1);
	add_echo(r, b, "webhook", 0);
	printed = xprint(r);
	pthread_mutex_lock(&g.mu);
	g.renders = fake_grow(g.renders, g.nrenders, &g.cap_renders, sizeof *g.renders);
	g.renders[g.nrenders].id = xstrdup(id_out);
	g.renders[g.nrenders].project =
		xstrdup(cJSON_GetObjectItemCaseSensitive(b, "projectId")->valuestring);
	g.renders[g.nrenders].json = xstrdup(printed);
	hmap_put(&g.render_ix, g.renders[g.nrenders].id, g.nrenders);
	{
		const char *name = g.renders[g.nrenders].project;
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
				       o == O_INVALID	  ? "INVALID"
				       : o == O_THROTTLED ? "THROTTLED"
							  : "PENDING",
				       o == O_INVALID, id);
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
	if (i != NO_INDEX)
		found = cJSON_Parse(g.renders[i].json);
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

static enum outcome roll_fault(void)
{
	enum outcome o;
	pthread_mutex_lock(&g.mu);
	o = (enum outcome)fake_roll(&g.flags.rates, &g.rng, O_OK);
	pthread_mutex_unlock(&g.mu);
	return o;
}

/* ---------------------------------------------------------------- control endpoints */

static enum MHD_Result control(struct MHD_Connection *c, const char *method, const char *path,
			       const struct fake_req *r)
{
	int is_get = strcmp(method, "GET") == 0, is_post = strcmp(method, "POST") == 0;
	if (is_get && strcmp(path, "/_fake/stats") == 0) {
		cJSON *j = cJSON_CreateObject();
		pthread_mutex_lock(&g.mu);
		cJSON_AddNumberToObject(j, "posts", (double)g.posts);
		cJSON_AddNumberToObject(j, "accepted", (double)g.nrenders);
		cJSON_AddItemToObject(j, "by_subject", fake_counters_json(&g.by_subject));
		cJSON_AddItemToObject(j, "posts_by_subject",
				      fake_counters_json(&g.posts_by_subject));
		cJSON_AddNumberToObject(j, "script_left", (double)(g.nscript - g.script_pos));
		pthread_mutex_unlock(&g.mu);
		return respond_json(c, 200, j, NULL, 0);
	}
	if (is_post && strcmp(path, "/_fake/reset") == 0) {
		pthread_mutex_lock(&g.mu);
		clear_renders();
		free(g.script);
		g.script = NULL;
		g.nscript = g.script_pos = 0;
		g.posts = 0;
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
	if (!auth_ok(auth)) {
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

static void usage(FILE *f)
{
	fputs("usage: fake-plainly --port N [--record FILE] [--script \"500,ok,invalid\"]\n"
	      "         [--fault-rate 500=0.05,timeout=0.02,429=0.01] [--timeout-delay-ms MS]\n"
	      "         [--seed N] [--port-file F] [--pidfile F] [--api-key KEY] [--threads N]\n"
	      "--record FILE: append every request to FILE as a JSON line (none without it).\n"
	      "--threads N: serve with a pool of N threads (default 0: one thread per connection);\n"
	      "  in a pool a timeout step or fault holds up the other connections of its thread.\n"
	      "Prints \"listening on 127.0.0.1:PORT\" first; see tests/fakes/README.md.\n",
	      f);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "record", required_argument, NULL, 'r' },
		{ "script", required_argument, NULL, 's' },
		{ "api-key", required_argument, NULL, 'k' },
		FAKE_FLAG_OPTIONS,
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *record_path = NULL;
	struct MHD_Daemon *d;
	unsigned bound;
	int opt;
	char err[160];

	fake_init();
	g.flags = (struct fake_flags)FAKE_FLAGS_INIT;
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
	g.rng = (uint64_t)g.flags.seed;
	g.record = record_path ? fopen(record_path, "a") : NULL;
	if (record_path && !g.record)
		die("cannot open record file %s: %s", record_path, strerror(errno));
	d = fake_listen(g.flags.port, g.flags.threads, handler, NULL, &bound);
	fake_announce(bound, g.flags.port_file, g.flags.pidfile);
	fake_serve_until_signal(d, g.flags.pidfile);

	if (g.record)
		fclose(g.record);
	clear_renders();
	free(g.script);
	fake_counters_clear(&g.by_subject);
	fake_counters_clear(&g.posts_by_subject);
	return 0;
}
