/*
 * fake-apifootball: a scripted stand-in for API-Football v3 (https://v3.football.api-sports.io),
 * for tests.
 *
 * Serves the envelopes listed in DIR/scenario.json by route key (the path and the query
 * parameters sorted by name; see tests/fakes/README.md), checks the x-apisports-key header,
 * counts the daily and per-minute quota and sends its headers, shifts fixture times so a
 * recorded day happens "now", injects the API's errors (token, requests, rateLimit, plan, ...)
 * and transport faults, and logs every request. Binds 127.0.0.1 only.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <cjson/cJSON.h>
#include <microhttpd.h>

#include "fake.h"
#include "scenario.h"

#define MAX_QUOTA 1000000000LL

const char fake_name[] = "fake-apifootball";

static const char BODY_5XX[] =
	"{\"message\":\"Something went wrong while fetching details. Try again later.\"}";
static const char BODY_MALFORMED[] = "{\"errors\":[],\"results\":1,\"response\":[1,2,";
static const char BODY_TRUNC_DEFAULT[] =
	"{\"get\":\"fixtures\",\"parameters\":[],\"errors\":[],\"results\":0,"
	"\"paging\":{\"current\":1,\"total\":1},\"response\":[]}";

static const char MSG_NOKEY[] =
	"Missing application key, you must add your application key in the headers.";
static const char MSG_TOKEN[] =
	"Error/Missing application key. Go to https://www.api-football.com/documentation-v3 to "
	"learn how to get your API application key.";
static const char MSG_REQUESTS[] = "You have reached the request limit for the day, Go to "
				   "https://dashboard.api-football.com to upgrade your plan.";
static const char MSG_PLAN[] = "Free plans do not have access to this season, try from 2022 to "
			       "2024.";

/* The endpoints whose unknown routes answer an empty result (like an unknown fixture id). */
static const char *const ENDPOINTS[] = {
	"/fixtures",	    "/fixtures/rounds",	 "/fixtures/lineups", "/fixtures/statistics",
	"/fixtures/events", "/fixtures/players", "/standings",	      "/leagues",
	"/teams",
};

/* API-Football's own faults, after the engine's (reset, timeout, truncate, malformed). */
enum {
	F_TOKEN = SCEN_F_OWN,
	F_NOKEY,
	F_REQUESTS,
	F_RATELIMIT,
	F_PLAN,
	F_PARAM,
	F_SERVER,
	F_500,
	F_499
};

static const struct scen_fault_name FAULT_NAMES[] = {
	{ "none", SCEN_F_NONE },
	{ "token", F_TOKEN },
	{ "nokey", F_NOKEY },
	{ "requests", F_REQUESTS },
	{ "rateLimit", F_RATELIMIT },
	{ "plan", F_PLAN },
	{ "param", F_PARAM },
	{ "server", F_SERVER },
	{ "500", F_500 },
	{ "499", F_499 },
	{ "timeout", SCEN_F_TIMEOUT },
	{ "reset", SCEN_F_RESET },
	{ "truncate", SCEN_F_TRUNCATE },
	{ "malformed", SCEN_F_MALFORMED },
};

/* The quota: requests left today and in the current wall-clock minute. */
struct quota {
	long long day_limit, minute_limit;
	long long day_left, minute_left;
	long long minute; /* the wall-clock minute (epoch / 60) minute_left is for */
};

static struct {
	struct scen s;
	const char *api_key; /* --api-key, or NULL: any non-empty key */
	bool strict_headers; /* --strict-headers */
	pthread_mutex_t mu; /* guards q and refused_headers */
	struct quota q;
	unsigned long refused_headers;
} g = { .mu = PTHREAD_MUTEX_INITIALIZER };

/* A query parameter, decoded; order is its place in the request. */
struct param {
	const char *name;
	const char *value;
	size_t order;
};

/* What the fake knows of an API request besides struct scen_req (its ctx). */
struct af_req {
	const char *path; /* decoded, without the query */
	char *query; /* the decoded copy of the query that params point into */
	struct param *params; /* in request order */
	size_t nparams, cap;
	char *key; /* the route key */
	long long minute; /* the quota minute it was counted in, -1: not counted */
	char hv[4][24]; /* the values of the quota headers */
	char log_extra[160];
};

/* ---------------------------------------------------------------- the route key */

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Decodes %XX and '+' (a space) in place, as a form-encoded query value. */
static void query_decode(char *s)
{
	char *o = s;
	for (const char *p = s; *p; p++) {
		int hi, lo;
		if (*p == '+') {
			*o++ = ' ';
		} else if (*p == '%' && (hi = hexval(p[1])) >= 0 && (lo = hexval(p[2])) >= 0) {
			*o++ = (char)(hi * 16 + lo);
			p += 2;
		} else {
			*o++ = *p;
		}
	}
	*o = '\0';
}

/* Splits the query of uri (after '?') into a->params: "a=1&b" gives a=1 and b= (empty). */
static void parse_query(struct af_req *a, const char *uri)
{
	const char *q = strchr(uri, '?');
	char *p;
	if (!q)
		return;
	a->query = xstrdup(q + 1);
	p = a->query;
	while (p) {
		char *amp = strchr(p, '&'), *eq;
		if (amp)
			*amp = '\0';
		if (*p) {
			eq = strchr(p, '=');
			if (eq)
				*eq = '\0';
			query_decode(p);
			if (eq)
				query_decode(eq + 1);
			a->params = fake_grow(a->params, a->nparams, &a->cap, sizeof *a->params);
			a->params[a->nparams] = (struct param){ p, eq ? eq + 1 : "", a->nparams };
			a->nparams++;
		}
		p = amp ? amp + 1 : NULL;
	}
}

static int param_cmp(const void *x, const void *y)
{
	const struct param *a = x, *b = y;
	int c = strcmp(a->name, b->name);
	if (c)
		return c;
	return a->order < b->order ? -1 : a->order > b->order;
}

/* The route key: the path, then '?' and the parameters sorted by name (a name given twice
 * keeps its order), joined with '&'; just the path without parameters. Caller frees. */
static char *route_key(const char *path, const struct param *params, size_t n)
{
	struct param *sorted = xmalloc(sizeof *sorted * (n ? n : 1));
	size_t len = strlen(path) + 1, o;
	char *key;
	for (size_t i = 0; i < n; i++)
		len += strlen(params[i].name) + strlen(params[i].value) + 2;
	memcpy(sorted, params, sizeof *sorted * n);
	qsort(sorted, n, sizeof *sorted, param_cmp);
	key = xmalloc(len);
	o = (size_t)snprintf(key, len, "%s", path);
	for (size_t i = 0; i < n; i++)
		o += (size_t)snprintf(key + o, len - o, "%c%s=%s", i ? '&' : '?', sorted[i].name,
				      sorted[i].value);
	free(sorted);
	return key;
}

/* A scenario route key must be in that form: its parameters sorted by name. */
static const char *bad_key(const char *key)
{
	const char *q = strchr(key, '?'), *prev = NULL;
	size_t prevlen = 0;
	while (q) {
		const char *name = q + 1, *end = name + strcspn(name, "=&");
		size_t len = (size_t)(end - name);
		if (prev) {
			int c = strncmp(prev, name, len < prevlen ? len : prevlen);
			if (c > 0 || (c == 0 && prevlen > len))
				return "query parameters must be sorted by name";
		}
		prev = name;
		prevlen = len;
		q = strchr(end, '&');
	}
	return NULL;
}

/* ---------------------------------------------------------------- answers */

/* {get, parameters, errors, results: 0, paging, response: []}; errors (consumed) NULL = []. */
static cJSON *envelope(const struct af_req *a, cJSON *errors)
{
	cJSON *j = cJSON_CreateObject(), *params, *paging;
	cJSON_AddStringToObject(j, "get", a->path[0] == '/' ? a->path + 1 : a->path);
	if (a->nparams) {
		params = cJSON_AddObjectToObject(j, "parameters");
		for (size_t i = 0; i < a->nparams; i++) {
			cJSON *v = cJSON_CreateString(a->params[i].value);
			if (cJSON_GetObjectItemCaseSensitive(params, a->params[i].name))
				cJSON_ReplaceItemInObjectCaseSensitive(params, a->params[i].name,
								       v);
			else
				cJSON_AddItemToObject(params, a->params[i].name, v);
		}
	} else {
		cJSON_AddArrayToObject(j, "parameters");
	}
	cJSON_AddItemToObject(j, "errors", errors ? errors : cJSON_CreateArray());
	cJSON_AddNumberToObject(j, "results", 0);
	paging = cJSON_AddObjectToObject(j, "paging");
	cJSON_AddNumberToObject(paging, "current", 1);
	cJSON_AddNumberToObject(paging, "total", 1);
	cJSON_AddArrayToObject(j, "response");
	return j;
}

/* {"name": "message"} */
static cJSON *error1(const char *name, const char *message)
{
	cJSON *e = cJSON_CreateObject();
	cJSON_AddStringToObject(e, name, message);
	return e;
}

static enum MHD_Result reply_error(struct scen *s, const struct scen_req *q, unsigned status,
				   cJSON *errors)
{
	return scen_reply_json(s, q, status, envelope(q->ctx, errors));
}

/* Takes the minute to now when it has passed: a fixed window on the wall-clock minute. */
static void quota_roll(struct quota *qt)
{
	long long m = (long long)time(NULL) / 60;
	if (m != qt->minute) {
		qt->minute = m;
		qt->minute_left = qt->minute_limit;
	}
}

/* The four quota headers of q, as they stand (g.mu held). */
static void quota_headers(struct scen_req *q)
{
	struct af_req *a = q->ctx;
	static const char *const names[4] = { "x-ratelimit-requests-limit",
					      "x-ratelimit-requests-remaining", "X-RateLimit-Limit",
					      "X-RateLimit-Remaining" };
	long long v[4] = { g.q.day_limit, g.q.day_left, g.q.minute_limit, g.q.minute_left };
	for (size_t i = 0; i < 4; i++) {
		snprintf(a->hv[i], sizeof a->hv[i], "%lld", v[i]);
		q->xh[i] = (struct fake_hdr){ names[i], a->hv[i] };
	}
	q->nxh = 4;
}

/* A refused quota (spent, or a requests/rateLimit fault) gives back what the request took:
 * a refusal is not counted. Then q's headers again. */
static void quota_give_back(struct scen_req *q)
{
	struct af_req *a = q->ctx;
	pthread_mutex_lock(&g.mu);
	if (a->minute >= 0) {
		g.q.day_left++;
		if (a->minute == g.q.minute)
			g.q.minute_left++;
		a->minute = -1;
	}
	quota_roll(&g.q);
	quota_headers(q);
	pthread_mutex_unlock(&g.mu);
}

static enum MHD_Result answer_fault(struct scen *s, const struct scen_req *cq, int fault)
{
	struct scen_req q = *cq;
	char msg[96];
	cJSON *e;
	switch (fault) {
	case F_NOKEY:
		e = error1("token", MSG_NOKEY);
		cJSON_AddStringToObject(e, "error", "4xHe");
		return reply_error(s, &q, 403, e);
	case F_TOKEN:
		return reply_error(s, &q, 200, error1("token", MSG_TOKEN));
	case F_REQUESTS:
		quota_give_back(&q);
		return reply_error(s, &q, 200, error1("requests", MSG_REQUESTS));
	case F_RATELIMIT:
		quota_give_back(&q);
		snprintf(msg, sizeof msg,
			 "Too many requests. Your rate limit is %lld requests per minute.",
			 g.q.minute_limit);
		return reply_error(s, &q, 200, error1("rateLimit", msg));
	case F_PLAN:
		return reply_error(s, &q, 200, error1("plan", MSG_PLAN));
	case F_PARAM:
		return reply_error(s, &q, 200,
				   error1("league", "The League field must contain an integer."));
	case F_SERVER:
		e = error1("time", "2026-12-06T10:00:00+00:00");
		cJSON_AddStringToObject(e, "bug",
					"Something went wrong, our team is working on it.");
		cJSON_AddStringToObject(e, "report", "Please report this to support.");
		return reply_error(s, &q, 200, e);
	case F_499:
		return scen_reply_str(s, &q, 499, BODY_5XX);
	default: /* 500, and a timeout after its wait */
		return scen_reply_str(s, &q, 500, BODY_5XX);
	}
}

static bool known_endpoint(const char *path)
{
	for (size_t i = 0; i < sizeof ENDPOINTS / sizeof ENDPOINTS[0]; i++)
		if (strcmp(path, ENDPOINTS[i]) == 0)
			return true;
	return false;
}

/* GET /status: the account, the plan and today's requests. */
static enum MHD_Result answer_status(struct scen *s, const struct scen_req *q)
{
	cJSON *j = envelope(q->ctx, NULL), *r, *o;
	long long used, limit;
	pthread_mutex_lock(&g.mu);
	limit = g.q.day_limit;
	used = limit - g.q.day_left;
	pthread_mutex_unlock(&g.mu);
	cJSON_ReplaceItemInObjectCaseSensitive(j, "results", cJSON_CreateNumber(1));
	r = cJSON_CreateObject();
	o = cJSON_AddObjectToObject(r, "account");
	cJSON_AddStringToObject(o, "firstname", "fake");
	cJSON_AddStringToObject(o, "lastname", "fake");
	cJSON_AddStringToObject(o, "email", "fake@example.invalid");
	o = cJSON_AddObjectToObject(r, "subscription");
	cJSON_AddStringToObject(o, "plan", "Free");
	cJSON_AddStringToObject(o, "end", "2030-01-01T00:00:00+00:00");
	cJSON_AddBoolToObject(o, "active", 1);
	o = cJSON_AddObjectToObject(r, "requests");
	cJSON_AddNumberToObject(o, "current", (double)(used > 0 ? used : 0));
	cJSON_AddNumberToObject(o, "limit_day", (double)limit);
	cJSON_ReplaceItemInObjectCaseSensitive(j, "response", r);
	return scen_reply_json(s, q, 200, j);
}

/* No entry: /status, an empty result on a known endpoint, else 404. */
/* fixtures?ids=a-b-c with no route of its own: what the routes /fixtures?id=a, ...
 * answer now, in one response (the real API takes any 20 ids in one request); an id
 * without a route is left out, as the API leaves out an unknown one. */
static enum MHD_Result answer_ids(struct scen *s, const struct scen_req *q, const char *ids)
{
	cJSON *env = envelope(q->ctx, NULL);
	cJSON *resp = cJSON_GetObjectItemCaseSensitive(env, "response");
	char *list = xstrdup(ids), *save = NULL;
	int n = 0;

	for (char *id = strtok_r(list, "-", &save); id != NULL; id = strtok_r(NULL, "-", &save)) {
		char key[64], *body;
		cJSON *j, *f;
		snprintf(key, sizeof key, "/fixtures?id=%s", id);
		body = scen_due_body(s, key);
		j = body ? cJSON_Parse(body) : NULL;
		cJSON_ArrayForEach (f, cJSON_GetObjectItemCaseSensitive(j, "response")) {
			cJSON_AddItemToArray(resp, cJSON_Duplicate(f, 1));
			n++;
		}
		cJSON_Delete(j);
		free(body);
	}
	free(list);
	cJSON_ReplaceItemInObjectCaseSensitive(env, "results", cJSON_CreateNumber(n));
	return scen_reply_json(s, q, 200, env);
}

static enum MHD_Result answer_not_found(struct scen *s, const struct scen_req *q)
{
	const struct af_req *a = q->ctx;
	if (strcmp(a->path, "/status") == 0)
		return answer_status(s, q);
	if (strcmp(a->path, "/fixtures") == 0 && a->nparams == 1 &&
	    strcmp(a->params[0].name, "ids") == 0)
		return answer_ids(s, q, a->params[0].value);
	if (known_endpoint(a->path))
		return reply_error(s, q, 200, NULL);
	return reply_error(s, q, 404, error1("endpoint", "This endpoint does not exist."));
}

static enum MHD_Result answer_not_allowed(struct scen *s, const struct scen_req *q)
{
	return reply_error(s, q, 405, error1("method", "Only GET requests are accepted."));
}

/* An entry without a body: the empty envelope of the request, under the entry's status. */
static char *bodyless(const struct scen_req *q, unsigned status)
{
	cJSON *j = envelope(q->ctx, NULL);
	char *b = xprint(j);
	(void)status;
	cJSON_Delete(j);
	return b;
}

/* ---------------------------------------------------------------- the time shift */

static int digits(const char *s, size_t n, int *out)
{
	int v = 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return 0;
}

/* Moves a full ISO-8601 date-time "YYYY-MM-DDTHH:MM:SS" + "Z" or "+HH:MM"/"-HH:MM" by off
 * seconds, written again in its own offset; anything else is left alone. */
static void shift_iso(cJSON *c, long long off)
{
	const char *s = c->valuestring;
	size_t n = strlen(s);
	struct tm tm;
	int y, mo, d, h, mi, se, oh, om;
	time_t t;
	char out[40];
	if ((n != 20 && n != 25) || s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':' ||
	    s[16] != ':' || digits(s, 4, &y) || digits(s + 5, 2, &mo) || digits(s + 8, 2, &d) ||
	    digits(s + 11, 2, &h) || digits(s + 14, 2, &mi) || digits(s + 17, 2, &se))
		return;
	if (n == 20 && s[19] != 'Z')
		return;
	if (n == 25) {
		if ((s[19] != '+' && s[19] != '-') || s[22] != ':' || digits(s + 20, 2, &oh) ||
		    digits(s + 23, 2, &om) || oh > 23 || om > 59)
			return;
	}
	if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || se > 60)
		return;
	memset(&tm, 0, sizeof tm);
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = se;
	/* the offset stays as written: moving the wall time moves the instant as much */
	t = (time_t)((long long)timegm(&tm) + off);
	if (!gmtime_r(&t, &tm) || strftime(out, sizeof out, "%Y-%m-%dT%H:%M:%S", &tm) != 19)
		return;
	memcpy(out + 19, s + 19, n - 19 + 1);
	cJSON_SetValuestring(c, out);
}

/* timestamp numbers, periods.first/second numbers (positive ones), date and update strings. */
static void shift_tree_in(cJSON *node, long long off, const char *parent)
{
	for (cJSON *c = node->child; c; c = c->next) {
		const char *k = c->string;
		if (k && cJSON_IsNumber(c) && c->valuedouble > 0 &&
		    (strcmp(k, "timestamp") == 0 ||
		     (parent && strcmp(parent, "periods") == 0 &&
		      (strcmp(k, "first") == 0 || strcmp(k, "second") == 0))))
			cJSON_SetNumberValue(c, c->valuedouble + (double)off);
		else if (k && cJSON_IsString(c) &&
			 (strcmp(k, "date") == 0 || strcmp(k, "update") == 0))
			shift_iso(c, off);
		if (cJSON_IsObject(c) || cJSON_IsArray(c))
			shift_tree_in(c, off, k);
	}
}

static void shift_tree(cJSON *body, long long off)
{
	shift_tree_in(body, off, NULL);
}

/* ---------------------------------------------------------------- stats, reset, quota */

static cJSON *quota_json(void)
{
	cJSON *o = cJSON_CreateObject();
	pthread_mutex_lock(&g.mu);
	quota_roll(&g.q);
	cJSON_AddNumberToObject(o, "day_limit", (double)g.q.day_limit);
	cJSON_AddNumberToObject(o, "day_remaining", (double)g.q.day_left);
	cJSON_AddNumberToObject(o, "minute_limit", (double)g.q.minute_limit);
	cJSON_AddNumberToObject(o, "minute_remaining", (double)g.q.minute_left);
	pthread_mutex_unlock(&g.mu);
	return o;
}

static void stats(cJSON *out)
{
	unsigned long refused;
	cJSON_AddItemToObject(out, "quota", quota_json());
	pthread_mutex_lock(&g.mu);
	refused = g.refused_headers;
	pthread_mutex_unlock(&g.mu);
	cJSON_AddNumberToObject(out, "refused_headers", (double)refused);
}

static void reset(void)
{
	pthread_mutex_lock(&g.mu);
	g.q.day_left = g.q.day_limit;
	g.q.minute_left = g.q.minute_limit;
	g.q.minute = (long long)time(NULL) / 60;
	g.refused_headers = 0;
	pthread_mutex_unlock(&g.mu);
}

/* POST /_fake/quota {"day_remaining": N, "minute_remaining": M}: either or both. */
static enum MHD_Result set_quota(struct MHD_Connection *c, const struct fake_req *r)
{
	static const char *const names[2] = { "day_remaining", "minute_remaining" };
	enum MHD_Result ret;
	const cJSON *v[2];
	cJSON *body = scen_control_body(c, r, &ret);
	if (!body)
		return ret;
	for (int i = 0; i < 2; i++) {
		v[i] = cJSON_GetObjectItemCaseSensitive(body, names[i]);
		if (v[i] && (!cJSON_IsNumber(v[i]) || v[i]->valuedouble < 0 ||
			     v[i]->valuedouble > (double)MAX_QUOTA)) {
			cJSON_Delete(body);
			return scen_control_str(c, 400,
						"{\"error\":\"day_remaining and minute_remaining "
						"must be numbers >= 0\"}");
		}
	}
	pthread_mutex_lock(&g.mu);
	quota_roll(&g.q);
	if (v[0])
		g.q.day_left = (long long)v[0]->valuedouble;
	if (v[1])
		g.q.minute_left = (long long)v[1]->valuedouble;
	pthread_mutex_unlock(&g.mu);
	cJSON_Delete(body);
	return scen_control_json(c, 200, quota_json());
}

/* hooks.control: POST /_fake/quota. */
static bool control_quota(struct MHD_Connection *c, const char *method, const char *path,
			  const struct fake_req *r, enum MHD_Result *ret)
{
	if (strcmp(method, "POST") != 0 || strcmp(path, "/_fake/quota") != 0)
		return false;
	*ret = set_quota(c, r);
	return true;
}

/* ---------------------------------------------------------------- HTTP */

/* MHD_KeyValueIterator: stops at the first header --strict-headers refuses, kept in *cls. */
static enum MHD_Result find_refused(void *cls, enum MHD_ValueKind kind, const char *key,
				    const char *value)
{
	const char **found = cls;
	(void)kind;
	(void)value;
	if (strcasecmp(key, "If-None-Match") == 0 || strcasecmp(key, "If-Modified-Since") == 0 ||
	    ((key[0] == 'x' || key[0] == 'X') && key[1] == '-' &&
	     strcasecmp(key, "x-apisports-key") != 0)) {
		*found = key;
		return MHD_NO;
	}
	return MHD_YES;
}

enum refusal {
	R_NONE,
	R_NOKEY,
	R_TOKEN,
	R_METHOD,
	R_HEADER,
	R_DAY,
	R_MINUTE
};

/* Why the request is refused before routing, checking the key, the method, the headers
 * (--strict-headers) and the quota in that order; R_NONE takes one request from the day and
 * the minute (but /status, which the API does not count). g.mu held. */
static enum refusal admit(const struct scen_req *q, struct af_req *a, const char *key,
			  const char *refused)
{
	quota_roll(&g.q);
	if (!key)
		return R_NOKEY;
	if (!key[0] || (g.api_key && strcmp(key, g.api_key) != 0))
		return R_TOKEN;
	if (strcmp(q->method, "GET") != 0 && strcmp(q->method, "HEAD") != 0)
		return R_METHOD;
	if (refused) {
		g.refused_headers++;
		return R_HEADER;
	}
	if (strcmp(a->path, "/status") == 0)
		return R_NONE;
	if (g.q.day_left <= 0)
		return R_DAY;
	if (g.q.minute_left <= 0)
		return R_MINUTE;
	g.q.day_left--;
	g.q.minute_left--;
	a->minute = g.q.minute;
	return R_NONE;
}

/* The answer to an API request: served from the scenario, or refused (then counted and
 * logged, but nothing taken from the quota). */
static enum MHD_Result api(struct scen_req *q, struct af_req *a)
{
	const char *key = MHD_lookup_connection_value(q->c, MHD_HEADER_KIND, "x-apisports-key");
	const char *refused = NULL;
	enum refusal why;
	char msg[160];

	snprintf(a->log_extra, sizeof a->log_extra, "key=%s", key ? "present" : "absent");
	if (g.strict_headers && key)
		MHD_get_connection_values(q->c, MHD_HEADER_KIND, find_refused, &refused);
	pthread_mutex_lock(&g.mu);
	why = admit(q, a, key, refused);
	quota_headers(q);
	pthread_mutex_unlock(&g.mu);

	if (why == R_NONE)
		return scen_serve(&g.s, q);
	scen_count(&g.s, q->key);
	switch (why) {
	case R_NOKEY:
		return answer_fault(&g.s, q, F_NOKEY);
	case R_TOKEN:
		return answer_fault(&g.s, q, F_TOKEN);
	case R_METHOD:
		return answer_not_allowed(&g.s, q);
	case R_DAY:
		return answer_fault(&g.s, q, F_REQUESTS);
	case R_MINUTE:
		return answer_fault(&g.s, q, F_RATELIMIT);
	default: /* R_HEADER */
		snprintf(a->log_extra, sizeof a->log_extra, "key=present refused=%.100s", refused);
		snprintf(msg, sizeof msg,
			 "Only the x-apisports-key header is accepted, got %.100s.", refused);
		return reply_error(&g.s, q, 200, error1("headers", msg));
	}
}

/* hooks.api: the route key, the quota headers and the context of an API request, then
 * api(). */
static enum MHD_Result api_request(struct scen *s, struct scen_req *q, const struct fake_req *r)
{
	struct scen_req rq = *q;
	struct af_req a;
	enum MHD_Result ret;
	(void)s;
	memset(&a, 0, sizeof a);
	a.path = q->key;
	a.minute = -1;
	parse_query(&a, r->uri);
	a.key = route_key(a.path, a.params, a.nparams);
	rq.key = a.key;
	rq.log_extra = a.log_extra;
	rq.ctx = &a;
	ret = api(&rq, &a);
	free(a.key);
	free(a.params);
	free(a.query);
	return ret;
}

static const struct scen_hooks HOOKS = {
	.faults = FAULT_NAMES,
	.nfaults = sizeof FAULT_NAMES / sizeof FAULT_NAMES[0],
	.shift = shift_tree,
	.bad_key = bad_key,
	.fault = answer_fault,
	.not_found = answer_not_found,
	.not_allowed = answer_not_allowed,
	.bodyless = bodyless,
	.timeout_fault = F_500,
	.malformed = BODY_MALFORMED,
	.truncated = BODY_TRUNC_DEFAULT,
	.stats = stats,
	.reset = reset,
	.api = api_request,
	.control = control_quota,
	.control_not_found = "{\"error\":\"unknown control endpoint\"}",
};

/* ---------------------------------------------------------------- main */

static long long quota_flag(const char *name, const char *arg)
{
	long long v;
	if (fake_parse_ll(arg, &v) != 0 || v < 0 || v > MAX_QUOTA)
		die("--%s: expected 0..%lld", name, MAX_QUOTA);
	return v;
}

static void usage(FILE *f)
{
	fputs("usage: fake-apifootball --port N --scenario DIR [--log FILE] [--shift-to EPOCH]\n"
	      "         [--api-key KEY] [--quota-day N] [--quota-minute N] [--strict-headers]\n"
	      "         [--fault-rate 500=0.05,timeout=0.02,rateLimit=0.01,token=0.01]\n"
	      "         [--timeout-delay-ms MS] [--seed N] [--pidfile F] [--port-file F]\n"
	      "         [--threads N]\n"
	      "--api-key KEY: the key accepted in x-apisports-key (default: any non-empty key);\n"
	      "--quota-day N (7500), --quota-minute N (300): requests allowed per day, per minute.\n"
	      "Prints \"listening on 127.0.0.1:PORT\" first; see tests/fakes/README.md.\n",
	      f);
}

static bool own_flag(int opt, const char *arg)
{
	switch (opt) {
	case 'k':
		if (!arg[0])
			die("--api-key: expected a non-empty key");
		g.api_key = arg;
		return true;
	case 'D':
		g.q.day_limit = quota_flag("quota-day", arg);
		return true;
	case 'M':
		g.q.minute_limit = quota_flag("quota-minute", arg);
		return true;
	case 'H':
		g.strict_headers = true;
		return true;
	default:
		return false;
	}
}

int main(int argc, char **argv)
{
	static const struct option own[] = {
		{ "api-key", required_argument, NULL, 'k' },
		{ "quota-day", required_argument, NULL, 'D' },
		{ "quota-minute", required_argument, NULL, 'M' },
		{ "strict-headers", no_argument, NULL, 'H' },
		{ NULL, 0, NULL, 0 },
	};

	fake_init();
	g.s = (struct scen)SCEN_INIT(&HOOKS);
	g.q.day_limit = 7500;
	g.q.minute_limit = 300;
	return scen_main(&g.s, argc, argv, own, own_flag, usage);
}
