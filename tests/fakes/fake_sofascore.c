/*
 * fake-sofascore: a scripted stand-in for the Sofascore JSON API, for tests and the demo.
 *
 * Serves the responses listed in DIR/scenario.json (see tests/fakes/README.md), shifts
 * timestamps so a recorded match day happens "now", injects faults (challenge, 429, 5xx,
 * timeouts, resets, broken bodies) and logs every request. Binds 127.0.0.1 only.
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

#define MAX_UPLOAD (1024u * 1024u)
#define MAX_HEADERS 16
#define PATH_MAX_LEN 1024

const char fake_name[] = "fake-sofascore";

static const char BODY_NOT_FOUND[] = "{\"error\":{\"code\":404,\"message\":\"Not Found\"}}";
static const char BODY_CHALLENGE[] = "{\"error\":{\"code\":403,\"reason\":\"challenge\"}}";
static const char BODY_MALFORMED[] = "{\"event\": [1,2,";
static const char BODY_500[] = "{\"error\":{\"code\":500,\"message\":\"Internal Server Error\"}}";
static const char BODY_429[] = "{\"error\":{\"code\":429,\"message\":\"Too Many Requests\"}}";
static const char BODY_405[] = "{\"error\":{\"code\":405,\"message\":\"Method Not Allowed\"}}";
static const char BODY_TRUNC_DEFAULT[] =
	"{\"event\":{\"id\":0,\"status\":{\"type\":\"notstarted\"}}}";

/* Keys whose positive numeric values are moved by the time shift. */
static const char *const SHIFT_KEYS[] = {
	"startTimestamp",	  "endTimestamp",	  "timestamp",
	"changedTimestamp",	  "changeTimestamp",	  "currentPeriodStartTimestamp",
	"lastPeriodEndTimestamp", "lastUpdatedTimestamp", "updatedAtTimestamp",
};

enum fault {
	F_NONE,
	F_CHALLENGE,
	F_TRUNCATE,
	F_MALFORMED,
	F_TIMEOUT,
	F_RESET,
	F_500,
	F_429
};

static const struct {
	const char *name;
	enum fault f;
} FAULT_NAMES[] = {
	{ "none", F_NONE },	    { "challenge", F_CHALLENGE },
	{ "truncate", F_TRUNCATE }, { "malformed", F_MALFORMED },
	{ "timeout", F_TIMEOUT },   { "reset", F_RESET },
	{ "500", F_500 },	    { "429", F_429 },
};

struct hdr {
	char *name;
	char *value;
};

struct entry {
	unsigned status;
	enum fault fault;
	long long after; /* time-based sequences: seconds since start */
	long repeat; /* count-based sequences */
	long delay_ms;
	char *etag_q; /* quoted ETag value, or NULL */
	char *body; /* response body (already shifted), or NULL */
	size_t body_len;
	struct hdr hdrs[MAX_HEADERS];
	size_t nhdrs;
};

struct route {
	char *key;
	int has_placeholder;
	int timed;
	struct entry *e;
	size_t n;
	unsigned long step; /* guarded by g.mu */
};

struct injected {
	char *path;
	enum fault f;
	long remaining; /* -1 = until cleared */
};

static struct {
	pthread_mutex_t mu;
	/* configuration */
	const char *prefix;
	struct fake_flags flags; /* the flags both fakes take */
	long long offset;
	/* scenario */
	struct route *routes;
	size_t nroutes;
	struct hmap route_ix; /* routes without placeholders, by key */
	size_t *ph; /* indices of the routes with placeholders, ascending */
	size_t nph;
	/* runtime state (mu) */
	double start_mono;
	double advanced;
	unsigned long requests;
	struct fake_counters by_path;
	struct injected *inj;
	size_t ninj;
	uint64_t rng;
	FILE *log;
	pthread_mutex_t log_mu;
} g = { .mu = PTHREAD_MUTEX_INITIALIZER, .log_mu = PTHREAD_MUTEX_INITIALIZER };

/* ---------------------------------------------------------------- small helpers */

static int fault_by_name(const char *s, size_t len, enum fault *out)
{
	for (size_t i = 0; i < sizeof FAULT_NAMES / sizeof FAULT_NAMES[0]; i++) {
		if (strlen(FAULT_NAMES[i].name) == len &&
		    memcmp(FAULT_NAMES[i].name, s, len) == 0) {
			*out = FAULT_NAMES[i].f;
			return 0;
		}
	}
	return -1;
}

static int is_shift_key(const char *k)
{
	for (size_t i = 0; i < sizeof SHIFT_KEYS / sizeof SHIFT_KEYS[0]; i++)
		if (strcmp(k, SHIFT_KEYS[i]) == 0)
			return 1;
	return 0;
}

static void shift_tree(cJSON *node, long long off)
{
	for (cJSON *c = node->child; c; c = c->next) {
		if (c->string && cJSON_IsNumber(c) && c->valuedouble > 0 && is_shift_key(c->string))
			cJSON_SetNumberValue(c, c->valuedouble + (double)off);
		if (cJSON_IsObject(c) || cJSON_IsArray(c))
			shift_tree(c, off);
	}
}

/* Prints j (shifted by g.offset) into e->body. Consumes nothing; mutates j. */
static void entry_set_json_body(struct entry *e, cJSON *j)
{
	if (g.offset)
		shift_tree(j, g.offset);
	e->body = xprint(j);
	e->body_len = strlen(e->body);
}

/* ---------------------------------------------------------------- scenario loading */

static int key_allowed(const char *k)
{
	static const char *const keys[] = { "status", "body",	"inline", "headers", "delay_ms",
					    "fault",  "repeat", "after",  "etag",    "comment" };
	if (k[0] == '_')
		return 1;
	for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
		if (strcmp(k, keys[i]) == 0)
			return 1;
	return 0;
}

static void load_entry(const char *dir, const char *rkey, size_t idx, const cJSON *je,
		       struct entry *e)
{
	const cJSON *it;
	char where[PATH_MAX_LEN + 64];
	snprintf(where, sizeof where, "route %s entry %zu", rkey, idx);
	memset(e, 0, sizeof *e);
	e->status = 200;
	e->repeat = 1;
	e->after = -1;
	if (!cJSON_IsObject(je))
		die("%s: not an object", where);
	for (it = je->child; it; it = it->next)
		if (!key_allowed(it->string))
			die("%s: unknown field \"%s\"", where, it->string);
	if ((it = cJSON_GetObjectItemCaseSensitive(je, "status"))) {
		if (!cJSON_IsNumber(it) || it->valuedouble < 100 || it->valuedouble > 599)
			die("%s: status must be a number 100..599", where);
		e->status = (unsigned)it->valueint;
	}
	if ((it = cJSON_GetObjectItemCaseSensitive(je, "repeat"))) {
		if (!cJSON_IsNumber(it) || it->valuedouble < 1 || it->valuedouble > 1e9)
			die("%s: repeat must be a number 1..1000000000", where);
		e->repeat = (long)it->valuedouble;
	}
	if ((it = cJSON_GetObjectItemCaseSensitive(je, "after"))) {
		if (!cJSON_IsNumber(it) || it->valuedouble < 0)
			die("%s: after must be a number >= 0", where);
		e->after = (long long)it->valuedouble;
	}
	if ((it = cJSON_GetObjectItemCaseSensitive(je, "delay_ms"))) {
		if (!cJSON_IsNumber(it) || it->valuedouble < 0 || it->valuedouble > 3600000)
			die("%s: delay_ms must be a number 0..3600000", where);
		e->delay_ms = (long)it->valuedouble;
	}
	if ((it = cJSON_GetObjectItemCaseSensitive(je, "fault"))) {
		if (!cJSON_IsString(it) ||
		    fault_by_name(it->valuestring, strlen(it->valuestring), &e->fault) != 0)
			die("%s: fault must be one of challenge, truncate, malformed, timeout, reset, "
			    "500, 429",
			    where);
	}
	if ((it = cJSON_GetObjectItemCaseSensitive(je, "etag"))) {
		size_t n;
		if (!cJSON_IsString(it) || !it->valuestring[0] || strchr(it->valuestring, '"'))
			die("%s: etag must be a non-empty string without quotes", where);
		n = strlen(it->valuestring) + 3;
		e->etag_q = xmalloc(n);
		snprintf(e->etag_q, n, "\"%s\"", it->valuestring);
	}
	if ((it = cJSON_GetObjectItemCaseSensitive(je, "headers"))) {
		if (!cJSON_IsObject(it))
			die("%s: headers must be an object", where);
		for (const cJSON *h = it->child; h; h = h->next) {
			if (!cJSON_IsString(h))
				die("%s: header %s must be a string", where, h->string);
			if (e->nhdrs == MAX_HEADERS)
				die("%s: more than %d headers", where, MAX_HEADERS);
			e->hdrs[e->nhdrs].name = xstrdup(h->string);
			e->hdrs[e->nhdrs].value = xstrdup(h->valuestring);
			e->nhdrs++;
		}
	}
	{
		const cJSON *body = cJSON_GetObjectItemCaseSensitive(je, "body");
		const cJSON *inl = cJSON_GetObjectItemCaseSensitive(je, "inline");
		if (body && inl)
			die("%s: body and inline are exclusive", where);
		if (inl) {
			cJSON *dup = cJSON_Duplicate(inl, 1);
			if (!dup)
				die("out of memory");
			entry_set_json_body(e, dup);
			cJSON_Delete(dup);
		} else if (body) {
			char path[PATH_MAX_LEN];
			size_t len = 0;
			char *raw;
			cJSON *j;
			if (!cJSON_IsString(body) || !body->valuestring[0])
				die("%s: body must be a file name", where);
			if (snprintf(path, sizeof path, "%s/%s", dir, body->valuestring) >=
			    (int)sizeof path)
				die("%s: body path too long", where);
			raw = fake_read_file(path, &len);
			if (!raw)
				die("%s: cannot read body file %s: %s", where, path,
				    strerror(errno));
			j = cJSON_ParseWithLength(raw, len);
			if (j) {
				entry_set_json_body(e, j);
				cJSON_Delete(j);
				free(raw);
			} else if (e->fault != F_NONE) {
				e->body = raw; /* broken on purpose: served as is */
				e->body_len = len;
			} else {
				free(raw);
				die("%s: body file %s is not valid JSON", where, path);
			}
		}
	}
}

static void load_scenario(const char *dir, long long shift_to)
{
	char path[PATH_MAX_LEN];
	size_t len;
	char *raw;
	cJSON *root;
	const cJSON *routes, *bt, *r;
	if (snprintf(path, sizeof path, "%s/scenario.json", dir) >= (int)sizeof path)
		die("scenario path too long");
	raw = fake_read_file(path, &len);
	if (!raw)
		die("cannot read %s: %s", path, strerror(errno));
	root = cJSON_ParseWithLength(raw, len);
	free(raw);
	if (!root)
		die("%s is not valid JSON", path);
	if (!cJSON_IsObject(root))
		die("%s: top level must be an object", path);
	bt = cJSON_GetObjectItemCaseSensitive(root, "base_time");
	if (bt && !cJSON_IsNumber(bt))
		die("%s: base_time must be a number", path);
	g.offset = (bt && shift_to != 0 && bt->valuedouble > 0)
			   ? shift_to - (long long)bt->valuedouble
			   : 0;
	routes = cJSON_GetObjectItemCaseSensitive(root, "routes");
	if (!cJSON_IsObject(routes))
		die("%s: routes must be an object", path);
	g.nroutes = (size_t)cJSON_GetArraySize(routes);
	g.routes = xmalloc(sizeof *g.routes * (g.nroutes ? g.nroutes : 1));
	memset(g.routes, 0, sizeof *g.routes * (g.nroutes ? g.nroutes : 1));
	size_t i = 0;
	for (r = routes->child; r; r = r->next, i++) {
		struct route *rt = &g.routes[i];
		size_t n = 0, timed = 0;
		const cJSON *je;
		if (r->string[0] != '/')
			die("%s: route \"%s\" must start with /", path, r->string);
		if (!cJSON_IsArray(r) || cJSON_GetArraySize(r) < 1)
			die("%s: route %s must be a non-empty array of entries", path, r->string);
		rt->key = xstrdup(r->string);
		rt->has_placeholder = strchr(rt->key, '{') != NULL;
		rt->n = (size_t)cJSON_GetArraySize(r);
		rt->e = xmalloc(sizeof *rt->e * rt->n);
		for (je = r->child; je; je = je->next, n++) {
			load_entry(dir, rt->key, n, je, &rt->e[n]);
			if (rt->e[n].after >= 0)
				timed++;
		}
		if (timed && timed != rt->n)
			die("%s: route %s mixes time-based (\"after\") and count-based entries",
			    path, rt->key);
		rt->timed = timed > 0;
		if (rt->has_placeholder) {
			g.ph = xrealloc(g.ph, sizeof *g.ph * (g.nph + 1));
			g.ph[g.nph++] = i;
		} else {
			hmap_put(&g.route_ix, rt->key,
				 i); /* a duplicate key keeps the first route */
		}
	}
	cJSON_Delete(root);
}

static void free_scenario(void)
{
	for (size_t i = 0; i < g.nroutes; i++) {
		struct route *rt = &g.routes[i];
		for (size_t k = 0; k < rt->n; k++) {
			struct entry *e = &rt->e[k];
			free(e->etag_q);
			free(e->body);
			for (size_t h = 0; h < e->nhdrs; h++) {
				free(e->hdrs[h].name);
				free(e->hdrs[h].value);
			}
		}
		free(rt->e);
		free(rt->key);
	}
	free(g.routes);
	g.routes = NULL;
	g.nroutes = 0;
	hmap_free(&g.route_ix);
	free(g.ph);
	g.ph = NULL;
	g.nph = 0;
}

/* ---------------------------------------------------------------- runtime state (g.mu held) */

static void clear_counters(void)
{
	fake_counters_clear(&g.by_path);
	g.requests = 0;
}

static void remove_injected(size_t i)
{
	free(g.inj[i].path);
	memmove(&g.inj[i], &g.inj[i + 1], sizeof *g.inj * (g.ninj - i - 1));
	g.ninj--;
}

static void clear_injected(const char *path)
{
	size_t i = 0;
	while (i < g.ninj) {
		if (!path || strcmp(path, "*") == 0 || strcmp(g.inj[i].path, path) == 0)
			remove_injected(i);
		else
			i++;
	}
	if (g.ninj == 0) {
		free(g.inj);
		g.inj = NULL;
	}
}

/* The first pending injected fault for this request, consumed; F_NONE if none. */
static enum fault take_injected(const char *path, const struct route *rt)
{
	for (size_t i = 0; i < g.ninj; i++) {
		struct injected *in = &g.inj[i];
		if (strcmp(in->path, "*") == 0 || strcmp(in->path, path) == 0 ||
		    (rt && strcmp(in->path, rt->key) == 0)) {
			enum fault f = in->f;
			if (in->remaining > 0 && --in->remaining == 0)
				remove_injected(i);
			return f;
		}
	}
	return F_NONE;
}

static enum fault roll_fault(void)
{
	return (enum fault)fake_roll(&g.flags.rates, &g.rng, F_NONE);
}

static const struct entry *pick_entry(struct route *rt)
{
	if (rt->timed) {
		double elapsed = fake_mono_s() - g.start_mono + g.advanced;
		const struct entry *best = NULL;
		for (size_t i = 0; i < rt->n; i++)
			if ((double)rt->e[i].after <= elapsed &&
			    (!best || rt->e[i].after >= best->after))
				best = &rt->e[i];
		rt->step++;
		return best;
	} else {
		unsigned long s = rt->step++;
		for (size_t i = 0; i + 1 < rt->n; i++) {
			if (s < (unsigned long)rt->e[i].repeat)
				return &rt->e[i];
			s -= (unsigned long)rt->e[i].repeat;
		}
		return &rt->e[rt->n - 1];
	}
}

/* ---------------------------------------------------------------- HTTP plumbing */

/*
 * One line of the --log, written and flushed before the client can see the answer: some
 * callers log after MHD_queue_response, but MHD sends a queued response only once the
 * handler has returned (on the connection's own thread), and closes a connection the
 * handler refused (MHD_NO: a reset) only then too. A client that got its answer or its
 * reset finds its request here: tests may read the log once, right after the call (not
 * a client that gave up first: its own timeout shorter than a delay or a timeout fault).
 */
static void log_request(const char *method, const char *path, unsigned status)
{
	if (!g.log)
		return;
	pthread_mutex_lock(&g.log_mu);
	fprintf(g.log, "%lld %s %s %u\n", fake_now_ms(), method, path, status);
	fflush(g.log);
	pthread_mutex_unlock(&g.log_mu);
}

/* mode: MHD_RESPMEM_PERSISTENT for the scenario's bodies (loaded once, freed only after the
 * daemon stops: no copy of tens of KB per request), MHD_RESPMEM_MUST_COPY for the rest. */
static enum MHD_Result respond_mode(struct MHD_Connection *c, unsigned status, const char *body,
				    size_t len, const struct entry *e, const char *xname,
				    const char *xvalue, enum MHD_ResponseMemoryMode mode)
{
	struct MHD_Response *resp;
	enum MHD_Result ret;
	resp = MHD_create_response_from_buffer(len, (void *)(uintptr_t)(body ? body : ""), mode);
	if (!resp)
		return MHD_NO;
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, "application/json");
	if (e) {
		for (size_t i = 0; i < e->nhdrs; i++)
			MHD_add_response_header(resp, e->hdrs[i].name, e->hdrs[i].value);
		if (e->etag_q)
			MHD_add_response_header(resp, MHD_HTTP_HEADER_ETAG, e->etag_q);
	}
	if (xname)
		MHD_add_response_header(resp, xname, xvalue);
	ret = MHD_queue_response(c, status, resp);
	MHD_destroy_response(resp);
	return ret;
}

static enum MHD_Result respond(struct MHD_Connection *c, unsigned status, const char *body,
			       size_t len, const struct entry *e, const char *xname,
			       const char *xvalue)
{
	return respond_mode(c, status, body, len, e, xname, xvalue, MHD_RESPMEM_MUST_COPY);
}

static enum MHD_Result respond_str(struct MHD_Connection *c, unsigned status, const char *s)
{
	return respond(c, status, s, strlen(s), NULL, NULL, NULL);
}

static enum MHD_Result respond_json(struct MHD_Connection *c, unsigned status, cJSON *j)
{
	char *s = xprint(j);
	enum MHD_Result r = respond_str(c, status, s);
	free(s);
	cJSON_Delete(j);
	return r;
}

static int etag_matches(const char *inm, const char *etag_q)
{
	const char *p = inm;
	size_t elen = strlen(etag_q);
	while (*p) {
		const char *end;
		size_t n;
		while (*p == ' ' || *p == '\t' || *p == ',')
			p++;
		if (!*p)
			break;
		end = strchr(p, ',');
		if (!end)
			end = p + strlen(p);
		n = (size_t)(end - p);
		while (n && (p[n - 1] == ' ' || p[n - 1] == '\t'))
			n--;
		if (n == 1 && p[0] == '*')
			return 1;
		if (n > 2 && p[0] == 'W' && p[1] == '/') {
			p += 2;
			n -= 2;
		}
		if (n == elen && memcmp(p, etag_q, n) == 0)
			return 1;
		p = end;
	}
	return 0;
}

static void utc_date(time_t t, char out[16])
{
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(out, 16, "%Y-%m-%d", &tm);
}

/* Expands {today}, {yesterday}, {tomorrow}; returns -1 when it does not fit. */
static int expand_key(const char *key, char *out, size_t outsz, char dates[3][16])
{
	static const char *const names[3] = { "{yesterday}", "{today}", "{tomorrow}" };
	size_t o = 0;
	const char *p = key;
	while (*p) {
		const char *piece = p;
		size_t plen = 1, adv = 1;
		if (*p == '{') {
			for (int k = 0; k < 3; k++) {
				size_t nl = strlen(names[k]);
				if (strncmp(p, names[k], nl) == 0) {
					piece = dates[k];
					plen = strlen(dates[k]);
					adv = nl;
					break;
				}
			}
		}
		if (o + plen >= outsz)
			return -1;
		memcpy(out + o, piece, plen);
		o += plen;
		p += adv;
	}
	out[o] = '\0';
	return 0;
}

/* The first route in scenario order that matches path: the exact match from the hash, unless
 * a placeholder route before it matches once expanded. */
static struct route *find_route(const char *path)
{
	size_t exact = hmap_get(&g.route_ix, path);
	if (g.nph && g.ph[0] < exact) {
		char dates[3][16];
		char buf[PATH_MAX_LEN];
		time_t now = time(NULL);
		utc_date(now - 86400, dates[0]);
		utc_date(now, dates[1]);
		utc_date(now + 86400, dates[2]);
		for (size_t k = 0; k < g.nph && g.ph[k] < exact; k++) {
			struct route *rt = &g.routes[g.ph[k]];
			if (expand_key(rt->key, buf, sizeof buf, dates) == 0 &&
			    strcmp(buf, path) == 0)
				return rt;
		}
	}
	return exact == NO_INDEX ? NULL : &g.routes[exact];
}

/* ---------------------------------------------------------------- control endpoints */

static enum MHD_Result control(struct MHD_Connection *c, const char *method, const char *path,
			       const struct fake_req *r)
{
	cJSON *out, *body = NULL;
	int is_get = strcmp(method, "GET") == 0, is_post = strcmp(method, "POST") == 0;
	if (is_get && strcmp(path, "/_fake/stats") == 0) {
		cJSON *bp;
		out = cJSON_CreateObject();
		pthread_mutex_lock(&g.mu);
		cJSON_AddNumberToObject(out, "requests", (double)g.requests);
		bp = fake_counters_json(&g.by_path);
		cJSON_AddNumberToObject(out, "elapsed", fake_mono_s() - g.start_mono + g.advanced);
		cJSON_AddNumberToObject(out, "offset", (double)g.offset);
		pthread_mutex_unlock(&g.mu);
		cJSON_AddItemToObject(out, "by_path", bp);
		return respond_json(c, 200, out);
	}
	if (is_post && strcmp(path, "/_fake/reset") == 0) {
		pthread_mutex_lock(&g.mu);
		for (size_t i = 0; i < g.nroutes; i++)
			g.routes[i].step = 0;
		clear_counters();
		clear_injected(NULL);
		g.start_mono = fake_mono_s();
		g.advanced = 0;
		pthread_mutex_unlock(&g.mu);
		return respond_str(c, 200, "{\"ok\":true}");
	}
	if (is_post && (strcmp(path, "/_fake/fault") == 0 || strcmp(path, "/_fake/advance") == 0)) {
		if (r->too_big || !(body = cJSON_ParseWithLength(r->body ? r->body : "", r->len)) ||
		    !cJSON_IsObject(body)) {
			cJSON_Delete(body);
			return respond_str(c, 400, "{\"error\":\"body must be a JSON object\"}");
		}
	}
	if (body && strcmp(path, "/_fake/advance") == 0) {
		const cJSON *s = cJSON_GetObjectItemCaseSensitive(body, "seconds");
		double el;
		if (!cJSON_IsNumber(s)) {
			cJSON_Delete(body);
			return respond_str(c, 400, "{\"error\":\"seconds must be a number\"}");
		}
		pthread_mutex_lock(&g.mu);
		g.advanced += s->valuedouble;
		el = fake_mono_s() - g.start_mono + g.advanced;
		pthread_mutex_unlock(&g.mu);
		cJSON_Delete(body);
		out = cJSON_CreateObject();
		cJSON_AddNumberToObject(out, "elapsed", el);
		return respond_json(c, 200, out);
	}
	if (body) { /* /_fake/fault */
		const cJSON *p = cJSON_GetObjectItemCaseSensitive(body, "path");
		const cJSON *f = cJSON_GetObjectItemCaseSensitive(body, "fault");
		const cJSON *n = cJSON_GetObjectItemCaseSensitive(body, "count");
		enum fault fv;
		long count = 1;
		if (!cJSON_IsString(p) || !p->valuestring[0] || !cJSON_IsString(f) ||
		    fault_by_name(f->valuestring, strlen(f->valuestring), &fv) != 0) {
			cJSON_Delete(body);
			return respond_str(
				c, 400,
				"{\"error\":\"need path (string) and fault (none, challenge, "
				"truncate, malformed, timeout, reset, 500, 429)\"}");
		}
		if (n) {
			if (!cJSON_IsNumber(n) || (n->valuedouble < 1 && n->valuedouble != -1)) {
				cJSON_Delete(body);
				return respond_str(c, 400,
						   "{\"error\":\"count must be >= 1 or -1\"}");
			}
			count = (long)n->valuedouble;
		}
		pthread_mutex_lock(&g.mu);
		if (fv == F_NONE) {
			clear_injected(p->valuestring);
		} else {
			g.inj = xrealloc(g.inj, sizeof *g.inj * (g.ninj + 1));
			g.inj[g.ninj].path = xstrdup(p->valuestring);
			g.inj[g.ninj].f = fv;
			g.inj[g.ninj].remaining = count;
			g.ninj++;
		}
		pthread_mutex_unlock(&g.mu);
		cJSON_Delete(body);
		return respond_str(c, 200, "{\"ok\":true}");
	}
	return respond_str(c, 404, BODY_NOT_FOUND);
}

/* ---------------------------------------------------------------- the API */

static enum MHD_Result serve(struct MHD_Connection *c, const char *method, const char *path)
{
	struct route *rt;
	const struct entry *e = NULL;
	enum fault f;
	unsigned status;
	enum MHD_Result ret;
	const char *body;
	size_t len;
	int is_read = strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0;

	pthread_mutex_lock(&g.mu);
	g.requests++;
	fake_counters_add(&g.by_path, path);
	rt = find_route(path);
	f = take_injected(path, rt);
	if (f == F_NONE)
		f = roll_fault();
	if (rt && is_read) {
		/* A failed request does not advance the sequence; a broken body (truncate,
         * malformed) is cut from what the request would have got. */
		unsigned long step = rt->step;
		e = pick_entry(rt);
		if (f != F_NONE)
			rt->step = step;
	}
	pthread_mutex_unlock(&g.mu);

	if (!is_read && f == F_NONE) {
		log_request(method, path, 405);
		return respond_str(c, 405, BODY_405);
	}

	if (e && f == F_NONE) {
		fake_sleep_ms(e->delay_ms);
		f = e->fault;
	}
	switch (f) {
	case F_RESET:
		log_request(method, path, 0);
		return MHD_NO;
	case F_CHALLENGE:
		log_request(method, path, 403);
		return respond_str(c, 403, BODY_CHALLENGE);
	case F_TIMEOUT:
		fake_sleep_ms(g.flags.timeout_delay_ms);
		log_request(method, path, 500);
		return respond_str(c, 500, BODY_500);
	case F_500:
		log_request(method, path, 500);
		return respond_str(c, 500, BODY_500);
	case F_429:
		log_request(method, path, 429);
		return respond(c, 429, BODY_429, strlen(BODY_429), NULL, "Retry-After", "2");
	case F_MALFORMED:
		status = e ? e->status : 200;
		log_request(method, path, status);
		return respond(c, status, BODY_MALFORMED, strlen(BODY_MALFORMED), e, NULL, NULL);
	case F_TRUNCATE:
		status = e ? e->status : 200;
		body = (e && e->body && e->body_len > 1) ? e->body : BODY_TRUNC_DEFAULT;
		len = (e && e->body && e->body_len > 1) ? e->body_len : strlen(BODY_TRUNC_DEFAULT);
		log_request(method, path, status);
		return respond_mode(c, status, body, len / 2, e, NULL, NULL,
				    MHD_RESPMEM_PERSISTENT);
	case F_NONE:
		break;
	}
	if (!e) {
		log_request(method, path, 404);
		return respond_str(c, 404, BODY_NOT_FOUND);
	}
	if (e->etag_q) {
		const char *inm = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
							      MHD_HTTP_HEADER_IF_NONE_MATCH);
		if (inm && etag_matches(inm, e->etag_q)) {
			log_request(method, path, 304);
			return respond(c, 304, "", 0, e, NULL, NULL);
		}
	}
	status = e->status;
	if (e->body) {
		body = e->body;
		len = e->body_len;
		ret = respond_mode(c, status, body, len, e, NULL, NULL, MHD_RESPMEM_PERSISTENT);
	} else if (status >= 400) {
		cJSON *j = cJSON_CreateObject(), *er = cJSON_AddObjectToObject(j, "error");
		const char *phrase = MHD_get_reason_phrase_for(status);
		char *s;
		cJSON_AddNumberToObject(er, "code", status);
		cJSON_AddStringToObject(er, "message", phrase && *phrase ? phrase : "Error");
		s = xprint(j);
		cJSON_Delete(j);
		ret = respond(c, status, s, strlen(s), e, NULL, NULL);
		free(s);
	} else {
		ret = respond(c, status, "", 0, e, NULL, NULL);
	}
	log_request(method, path, status);
	return ret;
}

static enum MHD_Result handler(void *cls, struct MHD_Connection *c, const char *url,
			       const char *method, const char *version, const char *upload_data,
			       size_t *upload_data_size, void **con_cls)
{
	struct fake_req *r = *con_cls;
	const char *path;
	(void)cls;
	(void)version;
	if (!r)
		return MHD_NO;
	if (fake_req_arriving(r, upload_data, upload_data_size, MAX_UPLOAD))
		return MHD_YES;
	path = fake_strip_prefix(url, g.prefix);
	if (strncmp(path, "/_fake/", 7) == 0)
		return control(c, method, path, r);
	return serve(c, method, path);
}

/* ---------------------------------------------------------------- main */

/* A fault that --fault-rate may name: any but "none". */
static int fault_code(const char *name, size_t len)
{
	enum fault f;
	if (fault_by_name(name, len, &f) != 0 || f == F_NONE)
		return -1;
	return (int)f;
}

static void usage(FILE *f)
{
	fputs("usage: fake-sofascore --port N --scenario DIR [--log FILE] [--shift-to EPOCH]\n"
	      "         [--fault-rate 500=0.05,timeout=0.02,429=0.01,challenge=0.01]\n"
	      "         [--timeout-delay-ms MS] [--seed N] [--pidfile F] [--port-file F]\n"
	      "         [--prefix /api/v1] [--threads N]\n"
	      "--threads N: serve with a pool of N threads (default 0: one thread per connection);\n"
	      "  in a pool a delay_ms or timeout fault holds up the other connections of its thread.\n"
	      "Prints \"listening on 127.0.0.1:PORT\" first; see tests/fakes/README.md.\n",
	      f);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "scenario", required_argument, NULL, 's' },
		{ "log", required_argument, NULL, 'l' },
		{ "shift-to", required_argument, NULL, 't' },
		FAKE_FLAG_OPTIONS,
		{ "prefix", required_argument, NULL, 'x' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	long long shift_to = (long long)time(NULL);
	const char *scenario = NULL, *log_path = NULL;
	struct MHD_Daemon *d;
	unsigned bound;
	int opt;

	fake_init();
	g.flags = (struct fake_flags)FAKE_FLAGS_INIT;
	g.prefix = "/api/v1";
	while ((opt = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (opt) {
		case 's':
			scenario = optarg;
			break;
		case 'l':
			log_path = optarg;
			break;
		case 't':
			if (fake_parse_ll(optarg, &shift_to) != 0 || shift_to < 0)
				die("--shift-to: expected an epoch in seconds (0 disables)");
			break;
		case 'x':
			g.prefix = optarg;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			if (fake_flag(&g.flags, opt, optarg, fault_code, ""))
				break;
			usage(stderr);
			return 2;
		}
	}
	if (optind != argc || g.flags.port < 0 || !scenario) {
		usage(stderr);
		return 2;
	}
	g.rng = (uint64_t)g.flags.seed;
	load_scenario(scenario, shift_to);
	if (log_path) {
		g.log = fopen(log_path, "a");
		if (!g.log)
			die("cannot open log %s: %s", log_path, strerror(errno));
	}
	g.start_mono = fake_mono_s();
	d = fake_listen(g.flags.port, g.flags.threads, handler, &bound);
	fprintf(stderr, "fake-sofascore: scenario %s, %zu routes, time shift %+lld s\n", scenario,
		g.nroutes, g.offset);
	fake_announce(bound, g.flags.port_file, g.flags.pidfile);
	fake_serve_until_signal(d, g.flags.pidfile);

	if (g.log)
		fclose(g.log);
	clear_counters();
	clear_injected(NULL);
	free_scenario();
	return 0;
}
