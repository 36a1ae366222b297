#include "source.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../lib/http.h"
#include "../lib/log.h"
#include "../lib/clock.h"
#include "../lib/metrics.h"
#include "apifootball.h"
#include "sofascore.h"

#define BUDGET_MAX_WAIT 5.0 /* seconds a caller may sleep for its slot */
#define CACHE_MAX_BODY (4u * 1024 * 1024) /* larger answers are not kept */
#define BACKOFF_FIRST_MS 2000
#define BACKOFF_MAX_MS (10 * 60 * 1000)
#define MEMO_MS 2000 /* one answer serves every part of an event this long */
#define KEEP_S 900 /* a finished event kept from a batch or a list serves this long */
#define KEPT_TAG "kept" /* the cache row's etag of a kept answer */

/* ---- adapters ---------------------------------------------------------------- */

/* What an answer's body says went wrong although its status is 200 (or
 * 403): set in a, or 0 when nothing. */
struct body_verdict {
	enum source_result result;
	enum source_reason reason;
	int pause; /* seconds no request may be made (the breaker), 0 = none */
	char error[200];
};

/* A provider: its request paths and its parsers into the match model.
 * Parsers answer 0, 1 (what was asked is not there) or -1 (unreadable). */
struct adapter {
	const char *name; /* as in source.provider */
	const char *title; /* for people */
	int (*path)(const struct match_query *q, char *buf, size_t n);
	bool (*refused)(const char *body, size_t len); /* a 403 that refuses this client */
	/* errors inside a 200 body (NULL: the provider has none) */
	int (*body_error)(int refusal_pause, const char *body, size_t len, struct body_verdict *v);
	const char *key_header; /* the API key's request header, or NULL */
	bool etag; /* answers carry ETags worth revalidating */
	bool one_answer; /* one request answers an event's every part */
	bool schedule_by_day; /* a day's schedule comes for every competition at once */
	/* the quota headers: day limit, day left, minute limit, minute left
	 * (NULL: the provider sends none) */
	const char *const *quota_headers;
	/* many events' every part in one request (NULL: the provider has no
	 * such request): its path, at most max_ids, and the answer cut into
	 * one answer per event as path() of MATCH_REQ_EVENT would give */
	int (*path_ids)(const int64_t *ids, size_t nids, char *buf, size_t n);
	size_t max_ids;
	int (*split)(const char *body, size_t len, const int64_t *ids, size_t n, char **out,
		     char *err, size_t errlen);
	/* the events of a list answer cut the same way, when a list's event
	 * is what the event's own request answers (NULL: it is less) */
	int (*split_list)(const char *body, size_t len, const int64_t *ids, size_t n, char **out,
			  char *err, size_t errlen);
	void (*crest_url)(int64_t team_id, char *buf, size_t n);
	int (*parse_events)(const char *body, size_t len, struct match_event **out, size_t *n,
			    size_t *skipped, char *err, size_t errlen);
	int (*parse_event)(const char *body, size_t len, struct match_event *out, char *err,
			   size_t errlen);
	int (*parse_lineups)(const char *body, size_t len, struct match_lineups *out,
			     bool with_stats, char *err, size_t errlen);
	int (*parse_statistics)(const char *body, size_t len, struct match_stat **out, size_t *n,
				char *err, size_t errlen);
	int (*parse_incidents)(const char *body, size_t len, struct match_incident **out, size_t *n,
			       char *err, size_t errlen);
	int (*parse_standings)(const char *body, size_t len, struct match_standing **out, size_t *n,
			       char *err, size_t errlen);
};

static const struct adapter sofascore = {
	.name = "sofascore",
	.title = "Sofascore",
	.path = sofa_path,
	.refused = sofa_is_challenge,
	.etag = true,
	.split_list = sofa_split_list,
	.crest_url = sofa_crest_url,
	.parse_events = sofa_parse_events,
	.parse_event = sofa_parse_event,
	.parse_lineups = sofa_parse_lineups,
	.parse_statistics = sofa_parse_statistics,
	.parse_incidents = sofa_parse_incidents,
	.parse_standings = sofa_parse_standings,
};

static bool af_refused(const char *body, size_t len);
static int af_body_error(int refusal_pause, const char *body, size_t len, struct body_verdict *v);

static const char *const af_quota_headers[] = { "x-ratelimit-requests-limit",
						"x-ratelimit-requests-remaining",
						"X-RateLimit-Limit", "X-RateLimit-Remaining",
						NULL };

static const struct adapter apifootball = {
	.name = "api-football",
	.quota_headers = af_quota_headers,
	.path_ids = af_path_ids,
	.max_ids = AF_MAX_IDS,
	.split = af_split_fixtures,
	.title = "API-Football",
	.path = af_path,
	.refused = af_refused,
	.body_error = af_body_error,
	.key_header = "x-apisports-key",
	.one_answer = true,
	.schedule_by_day = true,
	.crest_url = af_crest_url,
	.parse_events = af_parse_events,
	.parse_event = af_parse_event,
	.parse_lineups = af_parse_lineups,
	.parse_statistics = af_parse_statistics,
	.parse_incidents = af_parse_incidents,
	.parse_standings = af_parse_standings,
};

static const struct adapter *const adapters[] = { &sofascore, &apifootball };

/* ---- API-Football: errors inside 200 ---------------------------------------------- */

static bool af_refused(const char *body, size_t len)
{
	char msg[8];

	return af_classify_errors(body, len, msg, sizeof(msg)) == AF_ERR_TOKEN;
}

/* Seconds until the next 00:00 UTC, when API-Football's day starts again. */
static int until_utc_midnight(void)
{
	time_t now = time(NULL);

	return (int)(86400 - now % 86400) + 5;
}

static int af_body_error(int refusal_pause, const char *body, size_t len, struct body_verdict *v)
{
	char msg[160];

	switch (af_classify_errors(body, len, msg, sizeof(msg))) {
	case AF_ERR_NONE:
		return 0;
	case AF_ERR_TOKEN:
		v->result = SOURCE_REFUSED;
		v->reason = SOURCE_R_CHALLENGE;
		v->pause = refusal_pause;
		snprintf(v->error, sizeof(v->error),
			 "API-Football refused the key (%.100s): check apifootball.api_key", msg);
		break;
	case AF_ERR_QUOTA_DAY:
		v->result = SOURCE_REFUSED;
		v->reason = SOURCE_R_QUOTA;
		v->pause = until_utc_midnight();
		snprintf(v->error, sizeof(v->error),
			 "API-Football daily quota spent (%.80s): waiting for 00:00 UTC", msg);
		break;
	case AF_ERR_QUOTA_MINUTE:
		v->result = SOURCE_REFUSED;
		v->reason = SOURCE_R_QUOTA;
		v->pause = 60;
		snprintf(v->error, sizeof(v->error),
			 "API-Football per-minute quota spent (%.80s): waiting a minute", msg);
		break;
	case AF_ERR_PLAN:
		v->result = SOURCE_FAILED;
		v->reason = SOURCE_R_PLAN;
		snprintf(v->error, sizeof(v->error),
			 "your API-Football plan does not cover this request: %.140s", msg);
		break;
	case AF_ERR_REQUEST:
		v->result = SOURCE_FAILED;
		v->reason = SOURCE_R_CLIENT;
		snprintf(v->error, sizeof(v->error), "API-Football refused the request: %.140s",
			 msg);
		break;
	case AF_ERR_SERVER:
		v->result = SOURCE_TRANSIENT;
		v->reason = SOURCE_R_SERVER;
		snprintf(v->error, sizeof(v->error), "API-Football in trouble: %.150s", msg);
		break;
	}
	return 1;
}

/* ---- the engine --------------------------------------------------------------- */

/* An answer before parsing. */
struct answer {
	struct source_resp r;
	char *body; /* malloc'd, NUL-terminated; NULL when none */
	size_t len;
};

/* A request reserved by prefetch(): its budget slot and cached answer. */
struct pre {
	struct match_query q;
	char url[1024];
	struct source_cached cached;
	bool used; /* its slot is taken */
	bool fetched; /* requested ahead: a holds the answer */
	bool handed; /* a given to a getter */
	struct answer a;
};

/* Requests idx[0..n-1] of the reservation in flight (fly_start). */
struct fly {
	size_t idx[HTTP_MANY_MAX], n;
	bool pending;
	struct http_request req[HTTP_MANY_MAX];
	struct http_response resp[HTTP_MANY_MAX];
	int64_t at[HTTP_MANY_MAX];
	int rc[HTTP_MANY_MAX];
};

struct source {
	const struct adapter *ad;
	const char *base_url;
	char key_header[320]; /* "x-apisports-key: KEY", or "" */
	char breaker_why[160]; /* why this process opened the breaker last */
	double rps; /* shared by all processes */
	int timeout_s;
	long max_body;
	int refusal_pause; /* seconds the breaker stays open */
	struct source_quota quota; /* per minute, per UTC day */
	/* the quota's count without a store: this process only */
	int64_t local_day, local_minute; /* the day (minute) counted */
	int local_used_day, local_used_minute;
	struct http_client *http;
	struct source_store store;
	bool has_store;
	int64_t last_request_ms; /* local pacing when there is no store */
	int64_t breaker_checked_ms; /* breaker state is re-read at most 1/s */
	int64_t breaker_open_until; /* epoch seconds */
	bool backoff; /* SOURCE_BACKOFF */
	int backoff_ms; /* current step, 0 = none */
	int64_t backoff_until_ms;
	/* the batch's reservation (prefetch) */
	struct pre *pre;
	size_t npre, pre_used;
	struct fly *fly; /* its requests in flight */
	double pre_tokens; /* the bucket right after the reservation */
	int64_t pre_at_ms; /* when it was made */
	/* the last answer for an event (adapters with one_answer) */
	char memo_url[1024];
	char *memo_body;
	size_t memo_len;
	int64_t memo_at_ms;
};

static void cached_free(struct source_cached *c)
{
	free(c->body);
	memset(c, 0, sizeof(*c));
}

int source_open(struct source **out, const struct bf_config *cfg, const struct source_store *store,
		unsigned flags)
{
	struct source *s = calloc(1, sizeof(*s));

	*out = NULL;
	if (s == NULL || http_client_new(&s->http) != 0) {
		free(s);
		if (store != NULL && store->close != NULL)
			store->close(store->ctx);
		return -1;
	}
	s->ad = &sofascore;
	for (size_t i = 0; i < sizeof(adapters) / sizeof(adapters[0]); i++)
		if (cfg->source_provider != NULL &&
		    strcmp(adapters[i]->name, cfg->source_provider) == 0)
			s->ad = adapters[i];
	if (s->ad == &apifootball) {
		s->base_url = cfg->af_base_url;
		s->rps = cfg->af_max_rps;
		s->timeout_s = cfg->af_timeout;
		s->max_body = cfg->af_max_body;
		s->refusal_pause = cfg->af_refusal_pause;
		s->quota.per_day = cfg->af_per_day;
		s->quota.per_minute = cfg->af_per_minute;
		/* sent to base_url only: redirects are not followed (lib/http.c) */
		snprintf(s->key_header, sizeof(s->key_header), "%s: %s", s->ad->key_header,
			 cfg->af_api_key);
	} else {
		s->base_url = cfg->sofa_base_url;
		s->rps = cfg->sofa_max_rps;
		s->timeout_s = cfg->sofa_timeout;
		s->max_body = cfg->sofa_max_body;
		s->refusal_pause = cfg->sofa_challenge_pause;
		s->quota.per_day = cfg->sofa_per_day;
		s->quota.per_minute = cfg->sofa_per_minute;
	}
	s->backoff = (flags & SOURCE_BACKOFF) != 0;
	if (store != NULL) {
		s->store = *store;
		s->has_store = true;
	}
	*out = s;
	return 0;
}

void source_close(struct source *s)
{
	if (s == NULL)
		return;
	source_prefetch_end(s);
	free(s->fly);
	free(s->memo_body);
	http_client_free(s->http);
	if (s->has_store && s->store.close != NULL)
		s->store.close(s->store.ctx);
	free(s);
}

void source_crest_url(const struct source *s, int64_t team_id, char *buf, size_t n)
{
	s->ad->crest_url(team_id, buf, n);
}

const char *source_provider(const struct source *s)
{
	return s->ad->name;
}

bool source_schedule_by_day(const struct source *s)
{
	return s->ad->schedule_by_day;
}

static bool store_ready(struct source *s)
{
	return s->has_store && s->store.ready(s->store.ctx);
}

long source_breaker_remaining(struct source *s)
{
	int64_t now = (int64_t)time(NULL);

	if (store_ready(s) && clock_mono_ms() - s->breaker_checked_ms >= 1000) {
		int64_t shared;
		/* an operator may close it early (open_until = NULL) */
		char why[sizeof(s->breaker_why)];
		if (s->store.breaker_read(s->store.ctx, &shared, why, sizeof(why)) == 0) {
			s->breaker_open_until = shared;
			if (why[0] != '\0') /* who opened it said why */
				snprintf(s->breaker_why, sizeof(s->breaker_why), "%s", why);
		}
		s->breaker_checked_ms = clock_mono_ms();
		metrics_set(M_SOURCE_BREAKER, s->breaker_open_until > now ? 1 : 0, "provider",
			    s->ad->name, METRICS_END);
	}
	return s->breaker_open_until > now ? (long)(s->breaker_open_until - now) : 0;
}

/* Opens the shared breaker for secs; the first process to open it says
 * why, once, at error level. */
static void breaker_open(struct source *s, int secs, const char *why)
{
	bool opened_here = true;

	if (store_ready(s)) {
		int rc = s->store.breaker_open(s->store.ctx, secs, log_prog(), why);
		opened_here = rc == 1;
		/* re-read the shared row soon, but only once it was written: a
		 * failed write must not close the breaker we hold locally */
		if (rc >= 0)
			s->breaker_checked_ms = 0;
	}
	s->breaker_open_until = (int64_t)time(NULL) + secs;
	metrics_set(M_SOURCE_BREAKER, 1, "provider", s->ad->name, METRICS_END);
	snprintf(s->breaker_why, sizeof(s->breaker_why), "%s", why);
	if (opened_here) {
		char until[32];
		clock_iso_utc(s->breaker_open_until, until, sizeof(until));
		log_err("%s: circuit breaker open, no %s calls for %ds (until %s)", why,
			s->ad->title, secs, until);
	}
}

/* The quota of a take with flags: a low-priority one leaves a fifth of the
 * day for the checks of videos about to be made. */
static struct source_quota quota_of(const struct source *s, unsigned flags)
{
	struct source_quota q = s->quota;

	q.reserve = (flags & SOURCE_LOW) ? q.per_day / 5 : 0;
	return q;
}

/* The quota without a store (this process counts alone).  0, or 1 with
 * *until when there is no room for n. */
static int local_quota_take(struct source *s, const struct source_quota *q, int n, int64_t *until)
{
	int64_t now = (int64_t)time(NULL), day = now / 86400, minute = now / 60;

	if (s->local_day != day)
		s->local_used_day = 0;
	if (s->local_minute != minute)
		s->local_used_minute = 0;
	s->local_day = day;
	s->local_minute = minute;
	if (q->per_day > 0 && s->local_used_day + n > q->per_day - q->reserve) {
		*until = (day + 1) * 86400;
		return 1;
	}
	if (q->per_minute > 0 && s->local_used_minute + n > q->per_minute) {
		*until = (minute + 1) * 60;
		return 1;
	}
	s->local_used_day += n;
	s->local_used_minute += n;
	return 0;
}

/* What a take left of the budget, in the metrics (a window without a
 * limit is not served). */
static void budget_seen(const struct source *s, const int left[2])
{
	if (left[0] >= 0)
		metrics_set(M_SOURCE_BUDGET, left[0], "provider", s->ad->name, "window", "day",
			    METRICS_END);
	if (left[1] >= 0)
		metrics_set(M_SOURCE_BUDGET, left[1], "provider", s->ad->name, "window", "minute",
			    METRICS_END);
}

/*
 * Takes a slot of the shared request budget and quota (sleeping until
 * its slot comes) and, in the same round trip, reads the cached answer of
 * url (ETag and body, for If-None-Match).  0; 1 when the quota has no
 * room (*until: when it has, epoch seconds); -1 when the wait would be
 * too long.
 */
static int budget_take(struct source *s, const char *url, unsigned flags, struct source_cached *c,
		       int64_t *until)
{
	struct source_quota q = quota_of(s, flags);
	double tokens, wait;
	int rc, left[2];

	memset(c, 0, sizeof(*c));
	*until = 0;
	if (!store_ready(s)) {
		int64_t gap = (int64_t)(1000.0 / s->rps), now = clock_mono_ms();
		if (local_quota_take(s, &q, 1, until) != 0)
			return 1;
		left[0] = q.per_day > 0 ? q.per_day - s->local_used_day : -1;
		left[1] = q.per_minute > 0 ? q.per_minute - s->local_used_minute : -1;
		budget_seen(s, left);
		if (s->last_request_ms != 0 && now - s->last_request_ms < gap)
			clock_sleep_ms(gap - (now - s->last_request_ms));
		s->last_request_ms = clock_mono_ms();
		return 0;
	}
	rc = s->store.budget_take(s->store.ctx, s->rps, &q, &url, 1, &tokens, until, c, left);
	if (rc != 0)
		return rc;
	budget_seen(s, left);
	wait = tokens < 0 ? -tokens / s->rps : 0;
	if (wait > BUDGET_MAX_WAIT) {
		cached_free(c);
		s->store.budget_give_back(s->store.ctx, 1);
		return -1;
	}
	clock_sleep_ms((int64_t)(wait * 1000.0));
	return 0;
}

/* The quota headers of an answer, for the shared count. */
static void quota_headers_seen(struct source *s, const struct http_response *hr)
{
	int v[4];
	bool any = false;

	if (s->ad->quota_headers == NULL)
		return;
	for (int i = 0; i < 4; i++) {
		const char *h = http_header(hr, s->ad->quota_headers[i]);
		char *end;
		long x = h != NULL ? strtol(h, &end, 10) : -1;
		v[i] = h != NULL && end != h && x >= 0 && x < 1000000000 ? (int)x : -1;
		any = any || v[i] >= 0;
	}
	if (!any)
		return;
	if (store_ready(s)) {
		s->store.quota_seen(s->store.ctx, v[0], v[1], v[2], v[3]);
	} else {
		if (v[0] >= 0 && v[1] >= 0 && v[0] - v[1] > s->local_used_day)
			s->local_used_day = v[0] - v[1];
		if (v[2] >= 0 && v[3] >= 0 && v[2] - v[3] > s->local_used_minute)
			s->local_used_minute = v[2] - v[3];
	}
}

static void cache_put(struct source *s, const char *url, const char *etag, const char *body,
		      size_t len)
{
	if (!store_ready(s) || etag[0] == '\0' || len > CACHE_MAX_BODY)
		return;
	s->store.cache_put(s->store.ctx, url, etag, body, len);
}

/* Exponential backoff with jitter after 429, 5xx and transport errors. */
static void backoff_update(struct source *s, const struct source_resp *r)
{
	int64_t wait;

	if (r->result != SOURCE_TRANSIENT) {
		if (s->backoff_ms != 0)
			log_info("%s answering again: backoff over", s->ad->name);
		s->backoff_ms = 0;
		return;
	}
	s->backoff_ms =
		s->backoff_ms == 0
			? BACKOFF_FIRST_MS
			: (s->backoff_ms * 2 > BACKOFF_MAX_MS ? BACKOFF_MAX_MS : s->backoff_ms * 2);
	/* 50..150% of the step, and never less than Retry-After */
	wait = s->backoff_ms / 2 + (int64_t)(random() % (s->backoff_ms + 1));
	if (r->retry_after > 0 && r->retry_after * 1000 > wait)
		wait = r->retry_after * 1000;
	s->backoff_until_ms = clock_mono_ms() + wait;
	log_warn("%s backing off ms=%" PRId64 " after status=%ld error=%s", s->ad->name, wait,
		 r->status, log_quote(r->error));
}

static void answer_free(struct answer *a)
{
	free(a->body);
	a->body = NULL;
	a->len = 0;
}

static void answer_init(struct answer *a, const char *url)
{
	memset(a, 0, sizeof(*a));
	a->r.retry_after = -1;
	snprintf(a->r.url, sizeof(a->r.url), "%s", url);
}

static enum source_result set_result(struct answer *a, enum source_result res,
				     enum source_reason why)
{
	a->r.result = res;
	a->r.reason = why;
	return res;
}

/* A take the quota refused: until when, said once (the breaker) unless
 * only the low-priority reserve is reached. */
static enum source_result quota_refused(struct source *s, unsigned flags, int64_t until,
					struct answer *a)
{
	int64_t now = (int64_t)time(NULL);
	long secs = until > now ? (long)(until - now) : 1;
	bool day = secs > 60;
	char why[200], at[32];

	clock_iso_utc(until, at, sizeof(at));
	snprintf(why, sizeof(why), "%s %s quota spent (%d requests%s): waiting for %s",
		 s->ad->title, day ? "daily" : "per-minute",
		 day ? s->quota.per_day : s->quota.per_minute,
		 (flags & SOURCE_LOW) && day ? ", less the reserve for videos" : "", at);
	snprintf(a->r.error, sizeof(a->r.error), "%s", why);
	a->r.retry_after = secs;
	/* a low-priority request leaves the reserve to the others: no breaker */
	if (!(flags & SOURCE_LOW))
		breaker_open(s, (int)secs, why);
	return set_result(a, SOURCE_REFUSED, SOURCE_R_QUOTA);
}

/* What an answer (or a transport error) means; frees hr and c. */
/* A request in the metrics: by its HTTP status, "error" without one. */
static void count_request(const struct source *s, long status)
{
	char code[24];

	if (status > 0)
		snprintf(code, sizeof(code), "%ld", status);
	else
		snprintf(code, sizeof(code), "error");
	metrics_add(M_SOURCE_REQUESTS, 1, "provider", s->ad->name, "status", code, METRICS_END);
}

static enum source_result finish(struct source *s, const char *url, int rc,
				 struct http_response *hr, struct source_cached *c,
				 struct answer *a)
{
	struct source_resp *r = &a->r;

	answer_init(a, url);
	count_request(s, rc == 0 ? hr->status : 0);
	if (rc != 0) {
		snprintf(r->error, sizeof(r->error), "%s", hr->error);
		r->timed_out = hr->timed_out;
		if (hr->too_large)
			set_result(a, SOURCE_FAILED, SOURCE_R_TOO_LARGE);
		else
			set_result(a, SOURCE_TRANSIENT, SOURCE_R_TRANSPORT);
		goto out;
	}
	r->status = hr->status;
	r->retry_after = hr->retry_after;
	quota_headers_seen(s, hr);
	if ((hr->status == 200 || hr->status == 403) && s->ad->body_error != NULL) {
		struct body_verdict v;
		memset(&v, 0, sizeof(v));
		if (s->ad->body_error(s->refusal_pause, hr->body, hr->len, &v) != 0) {
			snprintf(r->error, sizeof(r->error), "%s", v.error);
			if (v.reason == SOURCE_R_PLAN) {
				/* name what was asked: the league, season or date */
				const char *what = url + strlen(s->base_url);
				snprintf(r->error, sizeof(r->error), "%.180s (asked: %.60s)",
					 v.error, what);
				log_err("%s: change producer.competitions or the plan", r->error);
			}
			if (v.pause > 0) {
				breaker_open(s, v.pause, v.error);
				r->retry_after = v.pause;
			}
			set_result(a, v.result, v.reason);
			goto out;
		}
	}
	switch (hr->status) {
	case 200:
		if (hr->etag[0] != '\0' && s->ad->etag)
			cache_put(s, url, hr->etag, hr->body, hr->len);
		a->body = hr->body;
		a->len = hr->len;
		hr->body = NULL;
		set_result(a, SOURCE_OK, SOURCE_R_NONE);
		break;
	case 304:
		a->body = c->body;
		a->len = c->len;
		c->body = NULL;
		set_result(a, SOURCE_NOT_MODIFIED, SOURCE_R_NONE);
		break;
	case 404:
		snprintf(r->error, sizeof(r->error), "404 not found");
		set_result(a, SOURCE_NOT_FOUND, SOURCE_R_NONE);
		break;
	case 403:
		if (s->ad->refused(hr->body, hr->len)) {
			char why[600];
			snprintf(why, sizeof(why),
				 "sofascore refused access (403 challenge) url=%s; sofascore.base_url "
				 "must point at an access you are entitled to; we never try to get "
				 "around the challenge",
				 url);
			breaker_open(s, s->refusal_pause, why);
			snprintf(r->error, sizeof(r->error),
				 "403 challenge: Sofascore refused access");
			r->retry_after = s->refusal_pause;
			set_result(a, SOURCE_REFUSED, SOURCE_R_CHALLENGE);
		} else {
			snprintf(r->error, sizeof(r->error), "403 forbidden");
			set_result(a, SOURCE_TRANSIENT, SOURCE_R_FORBIDDEN);
		}
		break;
	case 429:
		snprintf(r->error, sizeof(r->error), "429 too many requests");
		set_result(a, SOURCE_TRANSIENT, SOURCE_R_TOO_MANY);
		break;
	case 499: /* API-Football: the request was cut short on its side */
		snprintf(r->error, sizeof(r->error), "HTTP 499");
		set_result(a, SOURCE_TRANSIENT, SOURCE_R_SERVER);
		break;
	default:
		snprintf(r->error, sizeof(r->error), "HTTP %ld", hr->status);
		if (hr->status >= 500)
			set_result(a, SOURCE_TRANSIENT, SOURCE_R_SERVER);
		else
			set_result(a, SOURCE_FAILED, SOURCE_R_CLIENT);
		break;
	}
out:
	if (s->backoff)
		backoff_update(s, r);
	cached_free(c);
	http_response_free(hr);
	return r->result;
}

static void request_init(const struct source *s, const char *url, const char *etag,
			 struct http_request *req)
{
	memset(req, 0, sizeof(*req));
	req->url = url;
	/* API-Football refuses any header but its key */
	req->if_none_match = etag[0] && s->ad->etag && strcmp(etag, KEPT_TAG) != 0 ? etag : NULL;
	req->header = s->key_header[0] ? s->key_header : NULL;
	req->capture = s->ad->quota_headers;
	req->timeout_ms = (long)s->timeout_s * 1000;
	req->max_body = (size_t)s->max_body;
}

static int query_url(const struct source *s, const struct match_query *q, char *url, size_t n)
{
	char path[512];
	int w;

	if (s->ad->path(q, path, sizeof(path)) != 0)
		return -1;
	w = snprintf(url, n, "%s%s", s->base_url, path);
	return w < 0 || (size_t)w >= n ? -1 : 0;
}

/* ---- the batch's reservation ----------------------------------------------------- */

static void pre_free(struct source *s)
{
	for (size_t i = 0; i < s->npre; i++) {
		cached_free(&s->pre[i].cached);
		answer_free(&s->pre[i].a);
	}
	free(s->pre);
	s->pre = NULL;
	s->npre = s->pre_used = 0;
}

/* When slot i of the reservation is free (CLOCK_MONOTONIC ms): once the
 * bucket has refilled to i + 1 - n below where the reservation left it. */
static int64_t pre_slot_ms(const struct source *s, size_t i)
{
	double at = ((double)i + 1.0 - (double)s->npre - s->pre_tokens) / s->rps;

	return s->pre_at_ms + (at > 0 ? (int64_t)(at * 1000.0) : 0);
}

/* Sends the reserved requests idx[0..n-1], each at its slot, side by
 * side, and returns; fly_wait() takes their answers. */
static void fly_start(struct source *s, const size_t *idx, size_t n)
{
	struct fly *f;

	if (n == 0 || n > HTTP_MANY_MAX)
		return;
	if (s->fly == NULL && (s->fly = calloc(1, sizeof(*s->fly))) == NULL)
		return; /* the branches ask one by one */
	f = s->fly;
	memset(f->req, 0, n * sizeof(f->req[0]));
	for (size_t i = 0; i < n; i++) {
		f->idx[i] = idx[i];
		request_init(s, s->pre[idx[i]].url, s->pre[idx[i]].cached.etag, &f->req[i]);
		f->at[i] = pre_slot_ms(s, idx[i]);
	}
	f->n = n;
	f->pending = true;
	http_many_start(s->http, f->req, f->resp, f->rc, n, f->at);
}

static void fly_wait(struct source *s)
{
	struct fly *f = s->fly;

	if (f == NULL || !f->pending)
		return;
	f->pending = false;
	http_many_wait(s->http);
	for (size_t i = 0; i < f->n; i++) {
		struct pre *p = &s->pre[f->idx[i]];

		finish(s, p->url, f->rc[i], &f->resp[i], &p->cached, &p->a);
		p->fetched = p->used = true;
		s->pre_used++;
	}
}

/* p's cached answer is a kept one (a finished event's part of a list or a
 * batch, keep_finished) still fresh: it answers p without a request. */
static bool pre_kept_answer(struct pre *p)
{
	struct source_cached *c = &p->cached;

	if (strcmp(c->etag, KEPT_TAG) != 0 || c->body == NULL || c->age_s > KEEP_S)
		return false;
	answer_init(&p->a, p->url);
	p->a.r.status = 200;
	p->a.body = c->body;
	p->a.len = c->len;
	c->body = NULL;
	cached_free(c);
	set_result(&p->a, SOURCE_OK, SOURCE_R_NONE);
	p->fetched = p->used = true;
	return true;
}

static enum source_result ask_url(struct source *s, const struct match_query *q, const char *url,
				  unsigned flags, struct answer *a);

/* The kept answers of the reservation's events (a finished event's part of
 * a list or a batch, kept a while by keep_finished), handed over without a
 * request: each read as a getter reads it (a slot taken with the cached
 * answer, given back at once), until the quota has no room for one. */
static void pre_kept(struct source *s)
{
	struct source_quota q = quota_of(s, 0);

	if (!store_ready(s))
		return;
	for (size_t i = 0; i < s->npre; i++) {
		const char *url = s->pre[i].url;
		double tokens;
		int64_t until;
		int left[2];

		memset(&s->pre[i].cached, 0, sizeof(s->pre[i].cached));
		if (s->store.budget_take(s->store.ctx, s->rps, &q, &url, 1, &tokens, &until,
					 &s->pre[i].cached, left) != 0)
			return; /* the requests that follow find out */
		s->store.budget_give_back(s->store.ctx, 1);
		pre_kept_answer(&s->pre[i]);
		cached_free(&s->pre[i].cached);
	}
}

/* The batch's answers from one request per max_ids events (a provider
 * with path_ids): each event's part of it, or the request's failure for
 * each.  kept: the events' kept answers first (finished events: results). */
static void prefetch_many(struct source *s, const struct match_query *q, size_t n, bool kept)
{
	size_t todo[HTTP_MANY_MAX], ntodo = 0;

	s->pre = calloc(n, sizeof(*s->pre));
	if (s->pre == NULL)
		return;
	s->npre = n;
	for (size_t i = 0; i < n; i++) {
		s->pre[i].q = q[i];
		if (query_url(s, &q[i], s->pre[i].url, sizeof(s->pre[i].url)) != 0) {
			pre_free(s);
			return;
		}
	}
	if (kept)
		pre_kept(s);
	for (size_t i = 0; i < n; i++)
		if (!s->pre[i].fetched)
			todo[ntodo++] = i;
	for (size_t from = 0; from < ntodo;) {
		size_t k = ntodo - from < s->ad->max_ids ? ntodo - from : s->ad->max_ids;
		int64_t ids[HTTP_MANY_MAX];
		char path[1024], url[1200], err[256], *out[HTTP_MANY_MAX];
		struct answer a;
		bool split = false;

		if (k == 1) {
			/* one event: its own request, as a getter would ask it */
			struct pre *p = &s->pre[todo[from]];
			ask_url(s, NULL, p->url, 0, &p->a);
			p->fetched = p->used = true;
			s->pre_used++;
			from++;
			continue;
		}
		for (size_t j = 0; j < k; j++)
			ids[j] = s->pre[todo[from + j]].q.event;
		if (s->ad->path_ids(ids, k, path, sizeof(path)) != 0) {
			pre_free(s);
			return;
		}
		snprintf(url, sizeof(url), "%s%s", s->base_url, path);
		ask_url(s, NULL, url, 0, &a);
		if (a.r.result == SOURCE_OK && a.body != NULL)
			split = s->ad->split(a.body, a.len, ids, k, out, err, sizeof(err)) == 0;
		if (a.r.result == SOURCE_OK && !split) {
			snprintf(a.r.error, sizeof(a.r.error), "%s", err);
			set_result(&a, SOURCE_BAD, SOURCE_R_UNREADABLE);
		}
		/* a refusal stands for the rest too: nothing more is asked */
		if (a.r.result == SOURCE_REFUSED)
			k = ntodo - from;
		for (size_t j = 0; j < k; j++) {
			struct pre *p = &s->pre[todo[from + j]];
			p->a.r = a.r;
			snprintf(p->a.r.url, sizeof(p->a.r.url), "%s", p->url);
			if (split) {
				p->a.body = out[j];
				p->a.len = strlen(out[j]);
			}
			p->fetched = p->used = true;
		}
		answer_free(&a);
		s->pre_used += k;
		from += k;
	}
}

/* q asks for a part of one event (what a provider with path_ids answers
 * many at once). */
static bool event_part(const struct match_query *q)
{
	return q->what == MATCH_REQ_EVENT || q->what == MATCH_REQ_LINEUPS ||
	       q->what == MATCH_REQ_STATISTICS || q->what == MATCH_REQ_INCIDENTS;
}

static void prefetch(struct source *s, const struct match_query *q, size_t n, bool kept)
{
	const char **urls = NULL;
	struct source_cached *cached = NULL;

	source_prefetch_end(s);
	if (n == 0 || n > HTTP_MANY_MAX || !store_ready(s) || source_breaker_remaining(s) > 0 ||
	    (s->backoff && s->backoff_until_ms > clock_mono_ms()))
		return;
	if (s->ad->path_ids != NULL && event_part(&q[0])) {
		prefetch_many(s, q, n, kept);
		return;
	}
	s->pre = calloc(n, sizeof(*s->pre));
	urls = calloc(n, sizeof(*urls));
	cached = calloc(n, sizeof(*cached));
	if (s->pre == NULL || urls == NULL || cached == NULL)
		goto fail;
	for (size_t i = 0; i < n; i++) {
		s->pre[i].q = q[i];
		if (query_url(s, &q[i], s->pre[i].url, sizeof(s->pre[i].url)) != 0)
			goto fail;
		urls[i] = s->pre[i].url;
	}
	s->npre = n;
	{
		struct source_quota qq = quota_of(s, 0);
		int64_t until;
		/* no room for all of them: one by one as usual */
		int left[2];
		if (s->store.budget_take(s->store.ctx, s->rps, &qq, urls, n, &s->pre_tokens, &until,
					 cached, left) != 0)
			goto fail;
		budget_seen(s, left);
	}
	s->pre_at_ms = clock_mono_ms();
	for (size_t i = 0; i < n; i++)
		s->pre[i].cached = cached[i];
	free(cached);
	free(urls);
	/* the last slot too far away: give them back, one by one as usual */
	if (-s->pre_tokens / s->rps > BUDGET_MAX_WAIT) {
		source_prefetch_end(s);
		return;
	}
	/* the kept answers need no request: their slots go back */
	size_t todo[HTTP_MANY_MAX], ntodo = 0, nkept = 0;
	for (size_t i = 0; i < n; i++) {
		if (pre_kept_answer(&s->pre[i])) {
			s->pre_used++;
			nkept++;
		} else {
			todo[ntodo++] = i;
		}
	}
	if (nkept > 0)
		s->store.budget_give_back(s->store.ctx, nkept);
	/* the first alone: a refusal opens the breaker and stops the rest */
	fly_start(s, todo, ntodo > 0 ? 1 : 0);
	fly_wait(s);
	if (ntodo > 1 && s->pre[todo[0]].a.r.result != SOURCE_REFUSED)
		fly_start(s, todo + 1, ntodo - 1);
	return;
fail:
	free(cached);
	free(urls);
	s->npre = s->pre != NULL ? n : 0;
	pre_free(s);
}

void source_prefetch_lineups(struct source *s, const int64_t *event_ids, size_t n)
{
	struct match_query q[HTTP_MANY_MAX];

	if (n > HTTP_MANY_MAX) {
		source_prefetch_end(s);
		return;
	}
	for (size_t i = 0; i < n; i++) {
		memset(&q[i], 0, sizeof(q[i]));
		q[i].what = MATCH_REQ_LINEUPS;
		q[i].event = event_ids[i];
	}
	prefetch(s, q, n, false);
}

/* Reserves and starts the parts of events (k of parts per event, as
 * many events as fit in a batch of requests). */
static void prefetch_parts(struct source *s, const int64_t *event_ids, size_t n,
			   const enum match_request *parts, size_t k, bool kept)
{
	struct match_query q[HTTP_MANY_MAX];
	size_t nq = 0;

	for (size_t i = 0; i < n && nq + k <= HTTP_MANY_MAX; i++)
		for (size_t j = 0; j < k; j++) {
			memset(&q[nq], 0, sizeof(q[nq]));
			q[nq].what = parts[j];
			q[nq].event = event_ids[i];
			nq++;
		}
	prefetch(s, q, nq, kept);
}

void source_prefetch_events(struct source *s, const int64_t *event_ids, size_t n)
{
	static const enum match_request part[] = { MATCH_REQ_EVENT };

	prefetch_parts(s, event_ids, n, part, 1, true);
}

void source_prefetch_event_parts(struct source *s, const int64_t *event_ids, size_t n)
{
	static const enum match_request parts[] = { MATCH_REQ_LINEUPS, MATCH_REQ_STATISTICS,
						    MATCH_REQ_INCIDENTS };

	/* a provider with path_ids: the parts came with the event */
	if (s->ad->path_ids != NULL) {
		source_prefetch_end(s);
		return;
	}
	prefetch_parts(s, event_ids, n, parts, sizeof(parts) / sizeof(parts[0]), false);
}

void source_prefetch_standings(struct source *s, const int64_t *competitions,
			       const int64_t *seasons, size_t n)
{
	struct match_query q[HTTP_MANY_MAX];
	size_t nq = 0;

	for (size_t i = 0; i < n && nq < HTTP_MANY_MAX; i++) {
		bool seen = false;
		for (size_t j = 0; j < nq && !seen; j++)
			seen = q[j].competition == competitions[i] && q[j].season == seasons[i];
		if (seen)
			continue;
		memset(&q[nq], 0, sizeof(q[nq]));
		q[nq].what = MATCH_REQ_STANDINGS;
		q[nq].competition = competitions[i];
		q[nq].season = seasons[i];
		nq++;
	}
	prefetch(s, q, nq, false);
}

void source_prefetch_poll(struct source *s, int fd, int timeout_ms)
{
	http_many_poll(s->http, fd, timeout_ms);
}

void source_prefetch_end(struct source *s)
{
	size_t unused;

	fly_wait(s); /* nothing left in flight */
	unused = s->npre - s->pre_used;

	if (s->npre > 0 && unused > 0 && s->pre_at_ms != 0 && store_ready(s))
		s->store.budget_give_back(s->store.ctx, unused);
	s->pre_at_ms = 0;
	pre_free(s);
}

/* The answer fetched ahead for q, handed over.  0, or -1 when there is
 * none. */
static int pre_fetched(struct source *s, const struct match_query *q, struct answer *a)
{
	fly_wait(s);
	for (size_t i = 0; i < s->npre; i++) {
		struct pre *p = &s->pre[i];

		if (!p->fetched || p->handed || !match_query_same(&p->q, q))
			continue;
		p->handed = true;
		*a = p->a;
		memset(&p->a, 0, sizeof(p->a));
		return 0;
	}
	return -1;
}

/* A reserved slot for q not fetched ahead: waits for it and hands over
 * the cached answer.  0, or -1 when q is not reserved. */
static int pre_take(struct source *s, const struct match_query *q, struct source_cached *c)
{
	for (size_t i = 0; i < s->npre; i++) {
		struct pre *p = &s->pre[i];
		int64_t wait;

		if (p->used || !match_query_same(&p->q, q))
			continue;
		p->used = true;
		s->pre_used++;
		wait = pre_slot_ms(s, i) - clock_mono_ms();
		if (wait > 0)
			clock_sleep_ms(wait);
		*c = p->cached;
		memset(&p->cached, 0, sizeof(p->cached));
		return 0;
	}
	return -1;
}

/* ---- one answer for an event's parts ------------------------------------------------ */

/* q asks for a part of one event that the adapter answers in one go. */
static bool memo_kind(const struct source *s, const struct match_query *q)
{
	return s->ad->one_answer &&
	       (q->what == MATCH_REQ_EVENT || q->what == MATCH_REQ_LINEUPS ||
		q->what == MATCH_REQ_STATISTICS || q->what == MATCH_REQ_INCIDENTS);
}

/* The answer to url given less than MEMO_MS ago, copied into a.  0, or -1. */
static int memo_get(struct source *s, const struct match_query *q, const char *url,
		    struct answer *a)
{
	char *copy;

	if (!memo_kind(s, q) || s->memo_body == NULL || strcmp(s->memo_url, url) != 0 ||
	    clock_mono_ms() - s->memo_at_ms >= MEMO_MS)
		return -1;
	copy = malloc(s->memo_len + 1);
	if (copy == NULL)
		return -1;
	memcpy(copy, s->memo_body, s->memo_len + 1);
	answer_init(a, url);
	a->r.status = 200;
	a->body = copy;
	a->len = s->memo_len;
	set_result(a, SOURCE_OK, SOURCE_R_NONE);
	return 0;
}

static void memo_put(struct source *s, const struct match_query *q, const struct answer *a)
{
	if (!memo_kind(s, q) || a->r.result != SOURCE_OK || a->body == NULL)
		return;
	free(s->memo_body);
	s->memo_body = malloc(a->len + 1);
	if (s->memo_body == NULL)
		return;
	memcpy(s->memo_body, a->body, a->len + 1);
	s->memo_len = a->len;
	s->memo_at_ms = clock_mono_ms();
	snprintf(s->memo_url, sizeof(s->memo_url), "%s", a->r.url);
}

/* ---- one request ------------------------------------------------------------------- */

/* One request for url (q: what it asks, when the slot may have been
 * reserved by prefetch(); NULL: none).  A kept answer of a provider
 * without ETags (source_get_events_batch) answers it without a request. */
static enum source_result ask_url(struct source *s, const struct match_query *q, const char *url,
				  unsigned flags, struct answer *a)
{
	struct source_cached c;
	struct http_response hr;
	struct http_request req;
	long left;
	int rc;

	answer_init(a, url);
	if ((left = source_breaker_remaining(s)) > 0) {
		snprintf(a->r.error, sizeof(a->r.error), "circuit breaker open for %lds more: %s",
			 left,
			 s->breaker_why[0] ? s->breaker_why
					   : "the provider refused access or its quota is spent");
		a->r.retry_after = left;
		/* a spent quota stays a spent quota while the breaker waits for it */
		return set_result(a, SOURCE_REFUSED,
				  strstr(s->breaker_why, "quota spent") != NULL ? SOURCE_R_QUOTA
										: SOURCE_R_BREAKER);
	}
	if (s->backoff && s->backoff_until_ms > clock_mono_ms()) {
		snprintf(a->r.error, sizeof(a->r.error),
			 "backing off for %" PRId64 " ms after errors",
			 s->backoff_until_ms - clock_mono_ms());
		return set_result(a, SOURCE_TRANSIENT, SOURCE_R_BACKING_OFF);
	}
	if (q == NULL || pre_take(s, q, &c) != 0) {
		int64_t until;
		int took = budget_take(s, url, flags, &c, &until);
		if (took == 1)
			return quota_refused(s, flags, until, a);
		if (took != 0) {
			snprintf(a->r.error, sizeof(a->r.error),
				 "request budget exhausted (%.2f/s shared)", s->rps);
			return set_result(a, SOURCE_TRANSIENT, SOURCE_R_BUDGET);
		}
		bool kept = strcmp(c.etag, KEPT_TAG) == 0;
		if (kept && c.body != NULL && c.age_s <= KEEP_S) {
			/* kept from a batch or a list just now: no request */
			s->store.budget_give_back(s->store.ctx, 1);
			a->r.status = 200;
			a->body = c.body;
			a->len = c.len;
			c.body = NULL;
			cached_free(&c);
			return set_result(a, SOURCE_OK, SOURCE_R_NONE);
		}
	}
	request_init(s, url, c.etag, &req);
	rc = http_do(s->http, &req, &hr);
	return finish(s, url, rc, &hr, &c, a);
}

/* Asks for q; never returns an unclassified result.  a->body: the answer
 * of SOURCE_OK and SOURCE_NOT_MODIFIED (free with answer_free). */
static enum source_result ask(struct source *s, const struct match_query *q, unsigned flags,
			      struct answer *a)
{
	char url[1024];

	if (query_url(s, q, url, sizeof(url)) != 0) {
		answer_init(a, "");
		snprintf(a->r.error, sizeof(a->r.error), "%s has no such request", s->ad->name);
		return set_result(a, SOURCE_FAILED, SOURCE_R_CLIENT);
	}
	/* fetched ahead by prefetch(), or just now for another part */
	if (pre_fetched(s, q, a) == 0) {
		memo_put(s, q, a);
		return a->r.result;
	}
	if (memo_get(s, q, url, a) == 0)
		return SOURCE_OK;
	ask_url(s, q, url, flags, a);
	memo_put(s, q, a);
	return a->r.result;
}

/* ask(), then: 1 = a body to parse in a, 0 = nothing to parse (r says
 * why; a 304 skipped with SOURCE_SKIP_UNCHANGED too). */
static int fetch(struct source *s, const struct match_query *q, unsigned flags, struct answer *a,
		 struct source_resp *r)
{
	enum source_result res = ask(s, q, flags, a);

	if ((res == SOURCE_NOT_MODIFIED && (flags & SOURCE_SKIP_UNCHANGED)) ||
	    (res != SOURCE_OK && res != SOURCE_NOT_MODIFIED)) {
		answer_free(a);
		*r = a->r;
		return 0;
	}
	if (a->body == NULL) {
		snprintf(a->r.error, sizeof(a->r.error), "empty body");
		set_result(a, SOURCE_BAD, SOURCE_R_EMPTY);
		*r = a->r;
		return 0;
	}
	return 1;
}

/* After the parse (rc 0, 1 = not there, or -1; reason in err): the
 * result, in r. */
static enum source_result parsed(struct answer *a, int rc, const char *err, struct source_resp *r)
{
	answer_free(a);
	if (rc == 1) {
		snprintf(a->r.error, sizeof(a->r.error), "%s", err);
		set_result(a, SOURCE_NOT_FOUND, SOURCE_R_NONE);
	} else if (rc != 0) {
		snprintf(a->r.error, sizeof(a->r.error), "%s", err);
		set_result(a, SOURCE_BAD, SOURCE_R_UNREADABLE);
	}
	*r = a->r;
	return r->result;
}

/* The URL of q's answer (as ask() would ask it). */
static int event_url(struct source *s, int64_t id, char *url, size_t n)
{
	struct match_query q = { .what = MATCH_REQ_EVENT, .event = id };

	return query_url(s, &q, url, n);
}

/* Keeps each finished event's own answer, cut from the answer a by split,
 * for the consumers (KEEP_S): bf-results then asks nothing for it. */
static void keep_finished(struct source *s, const struct answer *a,
			  int (*split)(const char *, size_t, const int64_t *, size_t, char **,
				       char *, size_t),
			  const struct match_event *evs, size_t nevs)
{
	int64_t ids[HTTP_MANY_MAX];
	char *out[HTTP_MANY_MAX], err[256];
	size_t n = 0;

	if (split == NULL || !store_ready(s))
		return;
	for (size_t k = 0; k < nevs; k++) {
		if (evs[k].status == MATCH_ST_FINISHED)
			ids[n++] = evs[k].id;
		if (n == HTTP_MANY_MAX || (n > 0 && k + 1 == nevs)) {
			if (split(a->body, a->len, ids, n, out, err, sizeof(err)) != 0)
				return;
			for (size_t i = 0; i < n; i++) {
				char url[1024];
				if (out[i] != NULL && event_url(s, ids[i], url, sizeof(url)) == 0)
					s->store.cache_put(s->store.ctx, url, KEPT_TAG, out[i],
							   strlen(out[i]));
				free(out[i]);
			}
			n = 0;
		}
	}
}

static enum source_result get_events(struct source *s, const struct match_query *q, unsigned flags,
				     struct match_event **evs, size_t *n, size_t *skipped,
				     struct source_resp *r)
{
	struct answer a;
	char err[256] = "";
	int rc;

	*evs = NULL;
	*n = *skipped = 0;
	if (fetch(s, q, flags, &a, r) == 0)
		return r->result;
	rc = s->ad->parse_events(a.body, a.len, evs, n, skipped, err, sizeof(err));
	if (rc == 0)
		keep_finished(s, &a, s->ad->split_list, *evs, *n);
	if (rc == 0 && *skipped > 0)
		snprintf(a.r.error, sizeof(a.r.error), "%s", err);
	return parsed(&a, rc, err, r);
}

enum source_result source_get_schedule(struct source *s, int64_t competition, const char *date,
				       unsigned flags, struct match_event **evs, size_t *n,
				       size_t *skipped, struct source_resp *r)
{
	struct match_query q = { .what = MATCH_REQ_SCHEDULE, .competition = competition };

	snprintf(q.date, sizeof(q.date), "%s", date);
	return get_events(s, &q, flags, evs, n, skipped, r);
}

enum source_result source_get_live(struct source *s, unsigned flags, struct match_event **evs,
				   size_t *n, size_t *skipped, struct source_resp *r)
{
	struct match_query q = { .what = MATCH_REQ_LIVE };

	return get_events(s, &q, flags, evs, n, skipped, r);
}

enum source_result source_get_round(struct source *s, int64_t competition, int64_t season,
				    int round, unsigned flags, struct match_event **evs, size_t *n,
				    size_t *skipped, struct source_resp *r)
{
	struct match_query q = { .what = MATCH_REQ_ROUND,
				 .competition = competition,
				 .season = season,
				 .round = round };

	return get_events(s, &q, flags, evs, n, skipped, r);
}

enum source_result source_get_event(struct source *s, int64_t event_id, unsigned flags,
				    struct match_event *ev, struct source_resp *r)
{
	struct match_query q = { .what = MATCH_REQ_EVENT, .event = event_id };
	struct answer a;
	char err[256] = "";

	memset(ev, 0, sizeof(*ev));
	if (fetch(s, &q, flags, &a, r) == 0)
		return r->result;
	return parsed(&a, s->ad->parse_event(a.body, a.len, ev, err, sizeof(err)), err, r);
}

enum source_result source_get_lineups(struct source *s, int64_t event_id, bool with_stats,
				      struct match_lineups *l, struct source_resp *r)
{
	struct match_query q = { .what = MATCH_REQ_LINEUPS, .event = event_id };
	struct answer a;
	char err[256] = "";

	memset(l, 0, sizeof(*l));
	if (fetch(s, &q, 0, &a, r) == 0)
		return r->result;
	return parsed(&a, s->ad->parse_lineups(a.body, a.len, l, with_stats, err, sizeof(err)), err,
		      r);
}

enum source_result source_get_statistics(struct source *s, int64_t event_id, struct match_stat **st,
					 size_t *n, struct source_resp *r)
{
	struct match_query q = { .what = MATCH_REQ_STATISTICS, .event = event_id };
	struct answer a;
	char err[256] = "";

	*st = NULL;
	*n = 0;
	if (fetch(s, &q, 0, &a, r) == 0)
		return r->result;
	return parsed(&a, s->ad->parse_statistics(a.body, a.len, st, n, err, sizeof(err)), err, r);
}

enum source_result source_get_incidents(struct source *s, int64_t event_id,
					struct match_incident **inc, size_t *n,
					struct source_resp *r)
{
	struct match_query q = { .what = MATCH_REQ_INCIDENTS, .event = event_id };
	struct answer a;
	char err[256] = "";

	*inc = NULL;
	*n = 0;
	if (fetch(s, &q, 0, &a, r) == 0)
		return r->result;
	return parsed(&a, s->ad->parse_incidents(a.body, a.len, inc, n, err, sizeof(err)), err, r);
}

enum source_result source_get_standings(struct source *s, int64_t competition, int64_t season,
					struct match_standing **st, size_t *n,
					struct source_resp *r)
{
	struct match_query q = { .what = MATCH_REQ_STANDINGS,
				 .competition = competition,
				 .season = season };
	struct answer a;
	char err[256] = "";

	*st = NULL;
	*n = 0;
	if (fetch(s, &q, 0, &a, r) == 0)
		return r->result;
	return parsed(&a, s->ad->parse_standings(a.body, a.len, st, n, err, sizeof(err)), err, r);
}

/* ---- many events in one request ---------------------------------------------------- */

size_t source_batch_max(const struct source *s)
{
	return s->ad->path_ids != NULL ? s->ad->max_ids : 0;
}

enum source_result source_get_events_batch(struct source *s, const int64_t *ids, size_t n,
					   struct match_event **evs, size_t *nevs, size_t *skipped,
					   struct source_resp *r)
{
	char path[1024], url[1200], err[256] = "";
	struct answer a;
	int rc;

	*evs = NULL;
	*nevs = *skipped = 0;
	if (s->ad->path_ids == NULL || n == 0 || n > s->ad->max_ids ||
	    s->ad->path_ids(ids, n, path, sizeof(path)) != 0) {
		answer_init(&a, "");
		snprintf(a.r.error, sizeof(a.r.error), "%s has no such request", s->ad->name);
		set_result(&a, SOURCE_FAILED, SOURCE_R_CLIENT);
		*r = a.r;
		return r->result;
	}
	snprintf(url, sizeof(url), "%s%s", s->base_url, path);
	if (ask_url(s, NULL, url, 0, &a) != SOURCE_OK || a.body == NULL) {
		if (a.r.result == SOURCE_OK) {
			snprintf(a.r.error, sizeof(a.r.error), "empty body");
			set_result(&a, SOURCE_BAD, SOURCE_R_EMPTY);
		}
		answer_free(&a);
		*r = a.r;
		return r->result;
	}
	rc = s->ad->parse_events(a.body, a.len, evs, nevs, skipped, err, sizeof(err));
	if (rc == 0)
		keep_finished(s, &a, s->ad->split, *evs, *nevs);
	if (rc == 0 && *skipped > 0)
		snprintf(a.r.error, sizeof(a.r.error), "%s", err);
	return parsed(&a, rc, err, r);
}
