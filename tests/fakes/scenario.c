/*
 * scenario.c: the scenario engine of fake-sofascore and fake-apifootball (see scenario.h and
 * tests/fakes/README.md).
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "scenario.h"

#define PATH_MAX_LEN 1024
#define FAULT_LIST_LEN 512

/* ---------------------------------------------------------------- flags and fault names */

/* clang-format off */
/* The flags every scenario fake takes: FAKE_FLAG_OPTIONS, --scenario DIR, --log FILE,
 * --shift-to EPOCH, --help. */
#define SCEN_FLAG_OPTIONS \
	FAKE_FLAG_OPTIONS, \
	{ "scenario", required_argument, NULL, 's' }, \
	{ "log", required_argument, NULL, 'l' }, \
	{ "shift-to", required_argument, NULL, 't' }, \
	{ "help", no_argument, NULL, 'h' }
/* clang-format on */

/* fake_parse_rates takes a function without context: the scenario whose flags are parsed. */
static const struct scen *parsing;

static int fault_by_name(const struct scen *s, const char *name, size_t len, int *out)
{
	for (size_t i = 0; i < s->hooks->nfaults; i++) {
		const char *n = s->hooks->faults[i].name;
		if (strlen(n) == len && memcmp(n, name, len) == 0) {
			*out = s->hooks->faults[i].code;
			return 0;
		}
	}
	return -1;
}

/* The code of a fault that --fault-rate may name (any but "none"), or -1. */
static int rate_code(const char *name, size_t len)
{
	int f;
	if (fault_by_name(parsing, name, len, &f) != 0 || f == SCEN_F_NONE)
		return -1;
	return f;
}

/* Takes getopt_long's opt when it is one of SCEN_FLAG_OPTIONS but --help, dying on a bad
 * value; false for any other. */
static bool take_flag(struct scen *s, int opt, const char *arg)
{
	switch (opt) {
	case 's':
		s->dir = arg;
		return true;
	case 'l':
		s->log_path = arg;
		return true;
	case 't':
		if (fake_parse_ll(arg, &s->shift_to) != 0 || s->shift_to < 0)
			die("--shift-to: expected an epoch in seconds (0 disables)");
		return true;
	default:
		parsing = s;
		return fake_flag(&s->flags, opt, arg, rate_code, "");
	}
}

/* The fault names joined with ", " (from index first), into out. */
static void fault_list(const struct scen *s, size_t first, char *out, size_t outsz)
{
	size_t o = 0;
	out[0] = '\0';
	for (size_t i = first; i < s->hooks->nfaults && o < outsz; i++) {
		int n = snprintf(out + o, outsz - o, "%s%s", i > first ? ", " : "",
				 s->hooks->faults[i].name);
		if (n < 0)
			break;
		o += (size_t)n;
	}
}

/* ---------------------------------------------------------------- scenario loading */

/* Prints j (shifted by s->offset) into e->body. Consumes nothing; mutates j. */
static void entry_set_json_body(const struct scen *s, struct scen_entry *e, cJSON *j)
{
	if (s->offset)
		s->hooks->shift(j, s->offset);
	e->body = xprint(j);
	e->body_len = strlen(e->body);
}

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

/* The body or inline of je into e (after e->fault is known). */
static void load_body(const struct scen *s, const char *dir, const char *where, const cJSON *je,
		      struct scen_entry *e)
{
	const cJSON *body = cJSON_GetObjectItemCaseSensitive(je, "body");
	const cJSON *inl = cJSON_GetObjectItemCaseSensitive(je, "inline");
	char path[PATH_MAX_LEN];
	size_t len = 0;
	char *raw;
	cJSON *j;
	if (body && inl)
		die("%s: body and inline are exclusive", where);
	if (inl) {
		cJSON *dup = cJSON_Duplicate(inl, 1);
		if (!dup)
			die("out of memory");
		entry_set_json_body(s, e, dup);
		cJSON_Delete(dup);
		return;
	}
	if (!body)
		return;
	if (!cJSON_IsString(body) || !body->valuestring[0])
		die("%s: body must be a file name", where);
	if (snprintf(path, sizeof path, "%s/%s", dir, body->valuestring) >= (int)sizeof path)
		die("%s: body path too long", where);
	raw = fake_read_file(path, &len);
	if (!raw)
		die("%s: cannot read body file %s: %s", where, path, strerror(errno));
	j = cJSON_ParseWithLength(raw, len);
	if (j) {
		entry_set_json_body(s, e, j);
		cJSON_Delete(j);
		free(raw);
	} else if (e->fault != SCEN_F_NONE) {
		e->body = raw; /* broken on purpose: served as is */
		e->body_len = len;
	} else {
		free(raw);
		die("%s: body file %s is not valid JSON", where, path);
	}
}

static void load_entry(const struct scen *s, const char *dir, const char *rkey, size_t idx,
		       const cJSON *je, struct scen_entry *e)
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
		    fault_by_name(s, it->valuestring, strlen(it->valuestring), &e->fault) != 0) {
			char names[FAULT_LIST_LEN];
			fault_list(s, 1, names, sizeof names);
			die("%s: fault must be one of %s", where, names);
		}
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
			if (e->nhdrs == SCEN_MAX_HEADERS)
				die("%s: more than %d headers", where, SCEN_MAX_HEADERS);
			e->hdrs[e->nhdrs].name = xstrdup(h->string);
			e->hdrs[e->nhdrs].value = xstrdup(h->valuestring);
			e->nhdrs++;
		}
	}
	load_body(s, dir, where, je, e);
}

static void load_route(struct scen *s, const char *dir, const char *path, const cJSON *r, size_t i)
{
	struct scen_route *rt = &s->routes[i];
	size_t n = 0, timed = 0;
	const char *why;
	if (r->string[0] != '/')
		die("%s: route \"%s\" must start with /", path, r->string);
	if (s->hooks->bad_key && (why = s->hooks->bad_key(r->string)))
		die("%s: route \"%s\": %s", path, r->string, why);
	if (!cJSON_IsArray(r) || cJSON_GetArraySize(r) < 1)
		die("%s: route %s must be a non-empty array of entries", path, r->string);
	rt->key = xstrdup(r->string);
	rt->has_placeholder = strchr(rt->key, '{') != NULL;
	rt->n = (size_t)cJSON_GetArraySize(r);
	rt->e = xmalloc(sizeof *rt->e * rt->n);
	for (const cJSON *je = r->child; je; je = je->next, n++) {
		load_entry(s, dir, rt->key, n, je, &rt->e[n]);
		if (rt->e[n].after >= 0)
			timed++;
	}
	if (timed && timed != rt->n)
		die("%s: route %s mixes time-based (\"after\") and count-based entries", path,
		    rt->key);
	rt->timed = timed > 0;
	if (rt->has_placeholder) {
		s->ph = xrealloc(s->ph, sizeof *s->ph * (s->nph + 1));
		s->ph[s->nph++] = i;
	} else {
		hmap_put(&s->route_ix, rt->key, i); /* a duplicate key keeps the first route */
	}
}

static void load_scenario(struct scen *s, const char *dir, long long shift_to)
{
	char path[PATH_MAX_LEN];
	size_t len, i = 0;
	char *raw;
	cJSON *root;
	const cJSON *routes, *bt;
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
	s->offset = (bt && shift_to != 0 && bt->valuedouble > 0)
			    ? shift_to - (long long)bt->valuedouble
			    : 0;
	routes = cJSON_GetObjectItemCaseSensitive(root, "routes");
	if (!cJSON_IsObject(routes))
		die("%s: routes must be an object", path);
	s->nroutes = (size_t)cJSON_GetArraySize(routes);
	s->routes = xmalloc(sizeof *s->routes * (s->nroutes ? s->nroutes : 1));
	memset(s->routes, 0, sizeof *s->routes * (s->nroutes ? s->nroutes : 1));
	for (const cJSON *r = routes->child; r; r = r->next, i++)
		load_route(s, dir, path, r, i);
	cJSON_Delete(root);
}

static void free_scenario(struct scen *s)
{
	for (size_t i = 0; i < s->nroutes; i++) {
		struct scen_route *rt = &s->routes[i];
		for (size_t k = 0; k < rt->n; k++) {
			struct scen_entry *e = &rt->e[k];
			free(e->etag_q);
			free(e->body);
			for (size_t h = 0; h < e->nhdrs; h++) {
				free((char *)e->hdrs[h].name);
				free((char *)e->hdrs[h].value);
			}
		}
		free(rt->e);
		free(rt->key);
	}
	free(s->routes);
	s->routes = NULL;
	s->nroutes = 0;
	hmap_free(&s->route_ix);
	free(s->ph);
	s->ph = NULL;
	s->nph = 0;
}

/* ---------------------------------------------------------------- runtime state (s->mu held) */

static void clear_counters(struct scen *s)
{
	fake_counters_clear(&s->by_path);
	s->requests = 0;
}

static void remove_injected(struct scen *s, size_t i)
{
	free(s->inj[i].path);
	memmove(&s->inj[i], &s->inj[i + 1], sizeof *s->inj * (s->ninj - i - 1));
	s->ninj--;
}

static void clear_injected(struct scen *s, const char *path)
{
	size_t i = 0;
	while (i < s->ninj) {
		if (!path || strcmp(path, "*") == 0 || strcmp(s->inj[i].path, path) == 0)
			remove_injected(s, i);
		else
			i++;
	}
	if (s->ninj == 0) {
		free(s->inj);
		s->inj = NULL;
	}
}

/* The first pending injected fault for this request, consumed; SCEN_F_NONE if none. */
static int take_injected(struct scen *s, const char *key, const struct scen_route *rt)
{
	for (size_t i = 0; i < s->ninj; i++) {
		struct scen_injected *in = &s->inj[i];
		if (strcmp(in->path, "*") == 0 || strcmp(in->path, key) == 0 ||
		    (rt && strcmp(in->path, rt->key) == 0)) {
			int f = in->fault;
			if (in->remaining > 0 && --in->remaining == 0)
				remove_injected(s, i);
			return f;
		}
	}
	return SCEN_F_NONE;
}

static double elapsed(const struct scen *s)
{
	return fake_mono_s() - s->start_mono + s->advanced;
}

static const struct scen_entry *pick_entry(const struct scen *s, struct scen_route *rt)
{
	if (rt->timed) {
		double el = elapsed(s);
		const struct scen_entry *best = NULL;
		for (size_t i = 0; i < rt->n; i++)
			if ((double)rt->e[i].after <= el &&
			    (!best || rt->e[i].after >= best->after))
				best = &rt->e[i];
		rt->step++;
		return best;
	} else {
		unsigned long st = rt->step++;
		for (size_t i = 0; i + 1 < rt->n; i++) {
			if (st < (unsigned long)rt->e[i].repeat)
				return &rt->e[i];
			st -= (unsigned long)rt->e[i].repeat;
		}
		return &rt->e[rt->n - 1];
	}
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

/* The first route in scenario order that matches key: the exact match from the hash, unless
 * a placeholder route before it matches once expanded. */
static struct scen_route *find_route(struct scen *s, const char *key)
{
	size_t exact = hmap_get(&s->route_ix, key);
	if (s->nph && s->ph[0] < exact) {
		char dates[3][16];
		char buf[PATH_MAX_LEN];
		time_t now = time(NULL);
		utc_date(now - 86400, dates[0]);
		utc_date(now, dates[1]);
		utc_date(now + 86400, dates[2]);
		for (size_t k = 0; k < s->nph && s->ph[k] < exact; k++) {
			struct scen_route *rt = &s->routes[s->ph[k]];
			if (expand_key(rt->key, buf, sizeof buf, dates) == 0 &&
			    strcmp(buf, key) == 0)
				return rt;
		}
	}
	return exact == NO_INDEX ? NULL : &s->routes[exact];
}

/* ---------------------------------------------------------------- answers */

/*
 * One line of the --log, written and flushed before the client can see the answer: some
 * callers log after MHD_queue_response, but MHD sends a queued response only once the
 * handler has returned (on the connection's own thread), and closes a connection the
 * handler refused (MHD_NO: a reset) only then too. A client that got its answer or its
 * reset finds its request here: tests may read the log once, right after the call (not
 * a client that gave up first: its own timeout shorter than a delay or a timeout fault).
 */
static void log_line(struct scen *s, const struct scen_req *q, unsigned status)
{
	if (!s->log)
		return;
	pthread_mutex_lock(&s->log_mu);
	fprintf(s->log, "%lld %s %s %u%s%s\n", fake_now_ms(), q->method, q->key, status,
		q->log_extra ? " " : "", q->log_extra ? q->log_extra : "");
	fflush(s->log);
	pthread_mutex_unlock(&s->log_mu);
}

/* Writes q's log line with status and sends the answer, with q's headers and e's (when not
 * NULL). PERSISTENT mode for bodies that outlive the daemon, MUST_COPY otherwise. */
static enum MHD_Result reply(struct scen *s, const struct scen_req *q, unsigned status,
			     const char *body, size_t len, const struct scen_entry *e,
			     enum MHD_ResponseMemoryMode mode)
{
	struct fake_hdr h[SCEN_MAX_HEADERS + 1 + SCEN_MAX_XHDRS];
	size_t nh = 0;
	if (e) {
		for (size_t i = 0; i < e->nhdrs; i++)
			h[nh++] = e->hdrs[i];
		if (e->etag_q)
			h[nh++] = (struct fake_hdr){ MHD_HTTP_HEADER_ETAG, e->etag_q };
	}
	for (size_t i = 0; i < q->nxh; i++)
		h[nh++] = q->xh[i];
	log_line(s, q, status);
	return fake_respond(q->c, status, "application/json", body, len, mode, h, nh);
}

enum MHD_Result scen_reply_str(struct scen *s, const struct scen_req *q, unsigned status,
			       const char *body)
{
	return reply(s, q, status, body, strlen(body), NULL, MHD_RESPMEM_MUST_COPY);
}

enum MHD_Result scen_reply_json(struct scen *s, const struct scen_req *q, unsigned status, cJSON *j)
{
	char *b = xprint(j);
	enum MHD_Result r = scen_reply_str(s, q, status, b);
	free(b);
	cJSON_Delete(j);
	return r;
}

char *scen_due_body(struct scen *s, const char *key)
{
	struct scen_route *rt;
	const struct scen_entry *e = NULL;
	char *b = NULL;

	pthread_mutex_lock(&s->mu);
	rt = find_route(s, key);
	if (rt != NULL) {
		/* what the route would answer now, its sequence left where it is */
		unsigned long step = rt->step;
		e = pick_entry(s, rt);
		rt->step = step;
	}
	if (e != NULL && e->body != NULL && e->status == 200 && e->fault == SCEN_F_NONE)
		b = xstrdup(e->body);
	pthread_mutex_unlock(&s->mu);
	return b;
}

void scen_count(struct scen *s, const char *key)
{
	pthread_mutex_lock(&s->mu);
	s->requests++;
	fake_counters_add(&s->by_path, key);
	pthread_mutex_unlock(&s->mu);
}

/* Counts the request, finds its route and its fault, picks its entry into q->e (a fault
 * keeps the sequence where it was). */
static int pick(struct scen *s, struct scen_req *q, bool is_read)
{
	struct scen_route *rt;
	int f;
	pthread_mutex_lock(&s->mu);
	s->requests++;
	fake_counters_add(&s->by_path, q->key);
	rt = find_route(s, q->key);
	f = take_injected(s, q->key, rt);
	if (f == SCEN_F_NONE)
		f = fake_roll(&s->flags.rates, &s->rng, SCEN_F_NONE);
	q->e = NULL;
	if (rt && is_read) {
		/* A failed request does not advance the sequence; a broken body (truncate,
		 * malformed) is cut from what the request would have got. */
		unsigned long step = rt->step;
		q->e = pick_entry(s, rt);
		if (f != SCEN_F_NONE)
			rt->step = step;
	}
	pthread_mutex_unlock(&s->mu);
	return f;
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

/* The entry e as it stands: 304 on a matching If-None-Match, its body, or the hook's. */
static enum MHD_Result serve_entry(struct scen *s, const struct scen_req *q,
				   const struct scen_entry *e)
{
	enum MHD_Result ret;
	char *b;
	if (e->etag_q) {
		const char *inm = MHD_lookup_connection_value(q->c, MHD_HEADER_KIND,
							      MHD_HTTP_HEADER_IF_NONE_MATCH);
		if (inm && etag_matches(inm, e->etag_q))
			return reply(s, q, 304, "", 0, e, MHD_RESPMEM_PERSISTENT);
	}
	if (e->body)
		return reply(s, q, e->status, e->body, e->body_len, e, MHD_RESPMEM_PERSISTENT);
	b = s->hooks->bodyless(q, e->status);
	ret = reply(s, q, e->status, b ? b : "", b ? strlen(b) : 0, e, MHD_RESPMEM_MUST_COPY);
	free(b);
	return ret;
}

enum MHD_Result scen_serve(struct scen *s, struct scen_req *q)
{
	bool is_read = strcmp(q->method, "GET") == 0 || strcmp(q->method, "HEAD") == 0;
	const struct scen_entry *e;
	const char *body;
	size_t len;
	int f = pick(s, q, is_read);

	e = q->e;
	if (!is_read && f == SCEN_F_NONE)
		return s->hooks->not_allowed(s, q);
	if (e && f == SCEN_F_NONE) {
		fake_sleep_ms(e->delay_ms);
		f = e->fault;
	}
	switch (f) {
	case SCEN_F_NONE:
		break;
	case SCEN_F_RESET:
		log_line(s, q, 0);
		return MHD_NO;
	case SCEN_F_TIMEOUT:
		fake_sleep_ms(s->flags.timeout_delay_ms);
		return s->hooks->fault(s, q, s->hooks->timeout_fault);
	case SCEN_F_MALFORMED:
		return reply(s, q, e ? e->status : 200, s->hooks->malformed,
			     strlen(s->hooks->malformed), e, MHD_RESPMEM_PERSISTENT);
	case SCEN_F_TRUNCATE:
		body = (e && e->body && e->body_len > 1) ? e->body : s->hooks->truncated;
		len = (e && e->body && e->body_len > 1) ? e->body_len : strlen(body);
		return reply(s, q, e ? e->status : 200, body, len / 2, e, MHD_RESPMEM_PERSISTENT);
	default:
		return s->hooks->fault(s, q, f);
	}
	if (!e)
		return s->hooks->not_found(s, q);
	return serve_entry(s, q, e);
}

/* ---------------------------------------------------------------- control endpoints */

enum MHD_Result scen_control_str(struct MHD_Connection *c, unsigned status, const char *s)
{
	return fake_respond(c, status, "application/json", s, strlen(s), MHD_RESPMEM_MUST_COPY,
			    NULL, 0);
}

enum MHD_Result scen_control_json(struct MHD_Connection *c, unsigned status, cJSON *j)
{
	char *b = xprint(j);
	enum MHD_Result r = scen_control_str(c, status, b);
	free(b);
	cJSON_Delete(j);
	return r;
}

cJSON *scen_control_body(struct MHD_Connection *c, const struct fake_req *r, enum MHD_Result *ret)
{
	cJSON *body = NULL;
	if (r->too_big || !(body = cJSON_ParseWithLength(r->body ? r->body : "", r->len)) ||
	    !cJSON_IsObject(body)) {
		cJSON_Delete(body);
		*ret = scen_control_str(c, 400, "{\"error\":\"body must be a JSON object\"}");
		return NULL;
	}
	return body;
}

static enum MHD_Result control_stats(struct scen *s, struct MHD_Connection *c)
{
	cJSON *out = cJSON_CreateObject(), *bp;
	pthread_mutex_lock(&s->mu);
	cJSON_AddNumberToObject(out, "requests", (double)s->requests);
	bp = fake_counters_json(&s->by_path);
	cJSON_AddNumberToObject(out, "elapsed", elapsed(s));
	cJSON_AddNumberToObject(out, "offset", (double)s->offset);
	pthread_mutex_unlock(&s->mu);
	cJSON_AddItemToObject(out, "by_path", bp);
	if (s->hooks->stats)
		s->hooks->stats(out);
	return scen_control_json(c, 200, out);
}

static enum MHD_Result control_reset(struct scen *s, struct MHD_Connection *c)
{
	pthread_mutex_lock(&s->mu);
	for (size_t i = 0; i < s->nroutes; i++)
		s->routes[i].step = 0;
	clear_counters(s);
	clear_injected(s, NULL);
	s->start_mono = fake_mono_s();
	s->advanced = 0;
	pthread_mutex_unlock(&s->mu);
	if (s->hooks->reset)
		s->hooks->reset();
	return scen_control_str(c, 200, "{\"ok\":true}");
}

static enum MHD_Result control_advance(struct scen *s, struct MHD_Connection *c, cJSON *body)
{
	const cJSON *sec = cJSON_GetObjectItemCaseSensitive(body, "seconds");
	cJSON *out;
	double el;
	if (!cJSON_IsNumber(sec))
		return scen_control_str(c, 400, "{\"error\":\"seconds must be a number\"}");
	pthread_mutex_lock(&s->mu);
	s->advanced += sec->valuedouble;
	el = elapsed(s);
	pthread_mutex_unlock(&s->mu);
	out = cJSON_CreateObject();
	cJSON_AddNumberToObject(out, "elapsed", el);
	return scen_control_json(c, 200, out);
}

static enum MHD_Result control_fault(struct scen *s, struct MHD_Connection *c, cJSON *body)
{
	const cJSON *p = cJSON_GetObjectItemCaseSensitive(body, "path");
	const cJSON *f = cJSON_GetObjectItemCaseSensitive(body, "fault");
	const cJSON *n = cJSON_GetObjectItemCaseSensitive(body, "count");
	int fv;
	long count = 1;
	if (!cJSON_IsString(p) || !p->valuestring[0] || !cJSON_IsString(f) ||
	    fault_by_name(s, f->valuestring, strlen(f->valuestring), &fv) != 0) {
		char names[FAULT_LIST_LEN], msg[FAULT_LIST_LEN + 64];
		fault_list(s, 0, names, sizeof names);
		snprintf(msg, sizeof msg, "{\"error\":\"need path (string) and fault (%s)\"}",
			 names);
		return scen_control_str(c, 400, msg);
	}
	if (n) {
		if (!cJSON_IsNumber(n) || (n->valuedouble < 1 && n->valuedouble != -1))
			return scen_control_str(c, 400, "{\"error\":\"count must be >= 1 or -1\"}");
		count = (long)n->valuedouble;
	}
	pthread_mutex_lock(&s->mu);
	if (fv == SCEN_F_NONE) {
		clear_injected(s, p->valuestring);
	} else {
		s->inj = xrealloc(s->inj, sizeof *s->inj * (s->ninj + 1));
		s->inj[s->ninj].path = xstrdup(p->valuestring);
		s->inj[s->ninj].fault = fv;
		s->inj[s->ninj].remaining = count;
		s->ninj++;
	}
	pthread_mutex_unlock(&s->mu);
	return scen_control_str(c, 200, "{\"ok\":true}");
}

/* Answers GET /_fake/stats, POST /_fake/reset, /_fake/fault and /_fake/advance into *ret;
 * false (nothing sent) for any other method and path. */
static bool control(struct scen *s, struct MHD_Connection *c, const char *method, const char *path,
		    const struct fake_req *r, enum MHD_Result *ret)
{
	bool is_get = strcmp(method, "GET") == 0, is_post = strcmp(method, "POST") == 0;
	bool is_fault = strcmp(path, "/_fake/fault") == 0;
	cJSON *body;
	if (is_get && strcmp(path, "/_fake/stats") == 0) {
		*ret = control_stats(s, c);
		return true;
	}
	if (is_post && strcmp(path, "/_fake/reset") == 0) {
		*ret = control_reset(s, c);
		return true;
	}
	if (!is_post || (!is_fault && strcmp(path, "/_fake/advance") != 0))
		return false;
	body = scen_control_body(c, r, ret);
	if (body) {
		*ret = is_fault ? control_fault(s, c, body) : control_advance(s, c, body);
		cJSON_Delete(body);
	}
	return true;
}

/* ---------------------------------------------------------------- HTTP */

#define MAX_UPLOAD (1024u * 1024u)

/* MHD's access handler; cls is the struct scen. */
static enum MHD_Result handler(void *cls, struct MHD_Connection *c, const char *url,
			       const char *method, const char *version, const char *upload_data,
			       size_t *upload_data_size, void **con_cls)
{
	struct scen *s = cls;
	struct fake_req *r = *con_cls;
	struct scen_req q;
	enum MHD_Result ret;
	const char *path;
	(void)version;
	if (!r)
		return MHD_NO;
	if (fake_req_arriving(r, upload_data, upload_data_size, MAX_UPLOAD))
		return MHD_YES;
	path = fake_strip_prefix(url, s->prefix);
	if (strncmp(path, "/_fake/", 7) == 0) {
		if (control(s, c, method, path, r, &ret))
			return ret;
		if (s->hooks->control && s->hooks->control(c, method, path, r, &ret))
			return ret;
		return scen_control_str(c, 404, s->hooks->control_not_found);
	}
	memset(&q, 0, sizeof q);
	q.c = c;
	q.method = method;
	q.key = path;
	return s->hooks->api ? s->hooks->api(s, &q, r) : scen_serve(s, &q);
}

/* ---------------------------------------------------------------- start and stop */

/* The SCEN_FLAG_OPTIONS and own's, terminated. Caller frees. */
static struct option *options(const struct option *own)
{
	static const struct option common[] = { SCEN_FLAG_OPTIONS };
	size_t nc = sizeof common / sizeof common[0], no = 0;
	struct option *all;
	while (own && own[no].name)
		no++;
	all = xmalloc(sizeof *all * (nc + no + 1));
	memcpy(all, common, sizeof common);
	if (no)
		memcpy(all + nc, own, sizeof *own * no);
	memset(&all[nc + no], 0, sizeof all[0]);
	return all;
}

static void run(struct scen *s)
{
	struct MHD_Daemon *d;
	unsigned bound;

	s->rng = (uint64_t)s->flags.seed;
	load_scenario(s, s->dir, s->shift_to < 0 ? (long long)time(NULL) : s->shift_to);
	if (s->log_path) {
		s->log = fopen(s->log_path, "a");
		if (!s->log)
			die("cannot open log %s: %s", s->log_path, strerror(errno));
	}
	s->start_mono = fake_mono_s();
	if (s->hooks->reset)
		s->hooks->reset();
	d = fake_listen(s->flags.port, s->flags.threads, handler, s, &bound);
	fprintf(stderr, "%s: scenario %s, %zu routes, time shift %+lld s\n", fake_name, s->dir,
		s->nroutes, s->offset);
	fake_announce(bound, s->flags.port_file, s->flags.pidfile);
	fake_serve_until_signal(d, s->flags.pidfile);

	if (s->log)
		fclose(s->log);
	s->log = NULL;
	clear_counters(s);
	clear_injected(s, NULL);
	free_scenario(s);
}

int scen_main(struct scen *s, int argc, char **argv, const struct option *own,
	      bool (*own_flag)(int opt, const char *arg), void (*usage)(FILE *f))
{
	struct option *opts = options(own);
	int opt;
	while ((opt = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (opt == 'h') {
			free(opts);
			usage(stdout);
			return 0;
		}
		if (!take_flag(s, opt, optarg) && !(own_flag && own_flag(opt, optarg))) {
			free(opts);
			usage(stderr);
			return 2;
		}
	}
	free(opts);
	if (optind != argc || s->flags.port < 0 || !s->dir) {
		usage(stderr);
		return 2;
	}
	run(s);
	return 0;
}
