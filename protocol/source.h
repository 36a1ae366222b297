/*
 * source: the client engine every program asks for match data.  Callers
 * ask for data (the line-ups of an event, a competition's schedule on a
 * day...), never for a path; the provider's adapter (protocol/sofascore.h,
 * protocol/apifootball.h), picked by source.provider, builds the request
 * and parses the answer into the match model.  The
 * engine keeps one request budget shared by all processes, a circuit
 * breaker opened by a refusal ("challenge"), ETag revalidation, an
 * optional backoff, and batches of requests sent ahead.  Budget, breaker
 * and cached answers live in a store behind struct source_store
 * (PostgreSQL: protocol/source_pg.h), so that the engine is tested
 * without a database.
 */
#ifndef BF_SOURCE_H
#define BF_SOURCE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../lib/config.h"
#include "match.h"

struct source;

/* What came of a request. */
enum source_result {
	SOURCE_OK = 0, /* answered: the data is in the out parameters */
	SOURCE_NOT_MODIFIED, /* 304: the cached answer (not parsed with SOURCE_SKIP_UNCHANGED) */
	SOURCE_NOT_FOUND, /* 404: the provider has nothing (yet) */
	SOURCE_REFUSED, /* access refused (challenge, key), quota spent, or the breaker is open:
			 * wait (retry_after), nothing is wrong with the request */
	SOURCE_TRANSIENT, /* try later: see reason */
	SOURCE_FAILED, /* not worth retrying: see reason */
	SOURCE_BAD, /* an answer (status 200 or 304) that cannot be read: see reason */
};

/* Why, for SOURCE_REFUSED, SOURCE_TRANSIENT, SOURCE_FAILED and SOURCE_BAD. */
enum source_reason {
	SOURCE_R_NONE = 0,
	SOURCE_R_CHALLENGE, /* refused by the provider just now (challenge, key refused) */
	SOURCE_R_BREAKER, /* the breaker is open: no request made */
	SOURCE_R_QUOTA, /* the provider says its quota is spent (the breaker opens until it resets) */
	SOURCE_R_PLAN, /* the provider's plan does not cover the request (configuration) */
	SOURCE_R_BUDGET, /* the shared budget has no slot soon: no request made */
	SOURCE_R_BACKING_OFF, /* after errors (SOURCE_BACKOFF): no request made */
	SOURCE_R_TRANSPORT, /* no answer: connection failed, timeout (timed_out) */
	SOURCE_R_SERVER, /* 5xx */
	SOURCE_R_TOO_MANY, /* 429 */
	SOURCE_R_FORBIDDEN, /* 403 without a challenge */
	SOURCE_R_CLIENT, /* another 4xx */
	SOURCE_R_TOO_LARGE, /* the body passed sofascore.max_body */
	SOURCE_R_EMPTY, /* no body */
	SOURCE_R_UNREADABLE, /* the adapter could not parse it: error says why */
};

struct source_resp {
	enum source_result result;
	enum source_reason reason;
	long status; /* HTTP status, 0 = none */
	bool timed_out;
	long retry_after; /* seconds, -1 = none */
	char url[1024]; /* what was asked (for logs) */
	/* one line: what went wrong; after a list parsed with skipped events,
	 * the first skip's reason */
	char error[256];
};

/*
 * Where budget, breaker and cached answers are kept (shared by every
 * process).  ctx is the implementation's; every call but close is made
 * only after ready() said true.
 */
struct source_cached {
	char etag[256]; /* "" = none */
	char *body; /* malloc'd, or NULL */
	size_t len;
	int64_t age_s; /* since it was kept */
};

/* A provider's request quota: at most per_minute a minute and per_day a
 * UTC day (0 = no limit of ours; then the limit the provider's headers
 * reported, if any), across all processes.  reserve: requests of the day
 * a take must leave (a low-priority request: the schedule of days away). */
struct source_quota {
	int per_minute, per_day;
	int reserve;
};

struct source_store {
	void *ctx;
	/* Usable now (a broken connection is re-made here). */
	bool (*ready)(void *ctx);
	/* Until when (epoch seconds, 0 = closed) the shared breaker is open,
	 * and why (why[0] = '\0' when unknown).  0, or -1 when it cannot be
	 * read. */
	int (*breaker_read)(void *ctx, int64_t *open_until, char *why, size_t whylen);
	/* Opens the shared breaker for secs unless it is open, saying who
	 * and why: 1 opened here, 0 it was open already, -1 cannot be
	 * written. */
	int (*breaker_open)(void *ctx, int secs, const char *by, const char *why);
	/* Takes n slots of a token bucket refilled at rps (burst 1) and of the
	 * quota q, and reads the cached answers of urls into cached[0..n-1]
	 * (zeroed by the caller) in one go.  *tokens: the bucket after the
	 * take (below zero: the queue ahead).  0; 1 when q has no room for n:
	 * nothing taken, *until = when it has (epoch seconds: the next minute,
	 * or the next 00:00 UTC); -1 (logged).  left[0], left[1]: the requests
	 * left this UTC day and this minute after a take (-1: no limit). */
	int (*budget_take)(void *ctx, double rps, const struct source_quota *q,
			   const char *const *urls, size_t n, double *tokens, int64_t *until,
			   struct source_cached *cached, int left[2]);
	/* Gives n unused slots (and their quota) back (logged when it cannot). */
	void (*budget_give_back)(void *ctx, size_t n);
	/* What the provider's headers said of its quota (-1 = not said): the
	 * count used is raised to limit - left when that is more (the lower
	 * of theirs and ours is trusted) and the limits kept. */
	void (*quota_seen)(void *ctx, int day_limit, int day_left, int minute_limit,
			   int minute_left);
	/* Keeps an answer for revalidation (logged when it cannot). */
	void (*cache_put)(void *ctx, const char *url, const char *etag, const char *body,
			  size_t len);
	void (*close)(void *ctx);
};

/* Opt-in (the producer): after a 429, a 5xx or a timeout, no request
 * for an exponentially growing, jittered pause (Retry-After honoured).
 * The consumers back off through their wait tiers instead. */
#define SOURCE_BACKOFF 1u

/*
 * A source for cfg's provider.  store: budget, breaker and cache shared
 * with other processes (the source owns it from here on, closed by
 * source_close, even when this fails); NULL keeps budget and breaker in
 * this process only.  0, or -1.
 */
int source_open(struct source **out, const struct bf_config *cfg, const struct source_store *store,
		unsigned flags) __attribute__((warn_unused_result));
void source_close(struct source *s);

/* A 304 of these is not parsed (nothing changed since the last answer). */
#define SOURCE_SKIP_UNCHANGED 1u
/* Low priority (the schedule of days away): refused while the day's quota
 * is down to its reserve, kept for the checks of videos about to be made. */
#define SOURCE_LOW 2u

/*
 * The getters: each asks the provider, classifies the answer in r (always
 * set) and, on SOURCE_OK or SOURCE_NOT_MODIFIED, parses it into its out
 * parameters (free them as each says).  A list's malformed events are
 * skipped and counted in *skipped.
 */
/* A competition's events on a UTC day (date: YYYY-MM-DD); competition 0:
 * every competition's (source_schedule_by_day); *evs: free(). */
enum source_result source_get_schedule(struct source *s, int64_t competition, const char *date,
				       unsigned flags, struct match_event **evs, size_t *n,
				       size_t *skipped, struct source_resp *r);
/* Every football event in progress; *evs: free(). */
enum source_result source_get_live(struct source *s, unsigned flags, struct match_event **evs,
				   size_t *n, size_t *skipped, struct source_resp *r);
/* The events of a round of a competition's season; *evs: free(). */
enum source_result source_get_round(struct source *s, int64_t competition, int64_t season,
				    int round, unsigned flags, struct match_event **evs, size_t *n,
				    size_t *skipped, struct source_resp *r);
enum source_result source_get_event(struct source *s, int64_t event_id, unsigned flags,
				    struct match_event *ev, struct source_resp *r);
/* with_stats: keep each player's statistics (stats_json).  Free with
 * match_lineups_free(). */
enum source_result source_get_lineups(struct source *s, int64_t event_id, bool with_stats,
				      struct match_lineups *l, struct source_resp *r);
/* *st: free(). */
enum source_result source_get_statistics(struct source *s, int64_t event_id, struct match_stat **st,
					 size_t *n, struct source_resp *r);
/* *inc: free(). */
enum source_result source_get_incidents(struct source *s, int64_t event_id,
					struct match_incident **inc, size_t *n,
					struct source_resp *r);
/* *st: free(). */
enum source_result source_get_standings(struct source *s, int64_t competition, int64_t season,
					struct match_standing **st, size_t *n,
					struct source_resp *r);

/*
 * For a batch that will ask for these events' line-ups: reserves their
 * slots of the shared budget and reads their cached answers in one round
 * trip, then sends the first request and (unless it was refused) starts
 * the others, each at its slot, and returns with them in flight.
 * source_get_lineups() of those events takes their answers without a
 * round trip.  Without a store, or when the wait would be too long,
 * nothing is reserved and the getters work as usual.
 * source_prefetch_end() gives unused slots back.
 */
void source_prefetch_lineups(struct source *s, const int64_t *event_ids, size_t n);
/* The same for a batch that will ask for these events (their /event: as
 * many as fit in one batch of requests, the others are asked as usual).  A
 * provider that answers many events at once: their kept answers first
 * (source_get_events_batch), one request per source_batch_max() events for
 * the others; their parts come with them. */
void source_prefetch_events(struct source *s, const int64_t *event_ids, size_t n);
/* The same for these events' line-ups, statistics and incidents (nothing
 * for a provider that answers them with the event). */
void source_prefetch_event_parts(struct source *s, const int64_t *event_ids, size_t n);
/* The same for the standings of these competitions' seasons (each asked
 * once: a batch's getter of a season's standings takes the answer once). */
void source_prefetch_standings(struct source *s, const int64_t *competitions,
			       const int64_t *seasons, size_t n);
/* While waiting for fd (readable) up to timeout_ms: the answers of the
 * requests in flight are taken in meanwhile. */
void source_prefetch_poll(struct source *s, int fd, int timeout_ms);
void source_prefetch_end(struct source *s);

/* How many events source_get_events_batch() takes in one request; 0:
 * the provider has no such request (Sofascore: ask each event). */
size_t source_batch_max(const struct source *s);
/* The events ids[0..n-1] (n <= source_batch_max) in one request with
 * everything a result needs (API-Football fixtures?ids=).  The finished
 * ones' answers are kept a while (shared), so that a consumer's request
 * for one of their parts is answered without asking again.  *evs: free(). */
enum source_result source_get_events_batch(struct source *s, const int64_t *ids, size_t n,
					   struct match_event **evs, size_t *nevs, size_t *skipped,
					   struct source_resp *r);

/* Seconds the breaker stays open (0 = closed). */
long source_breaker_remaining(struct source *s);
/* The URL of a team's crest image at the provider. */
void source_crest_url(const struct source *s, int64_t team_id, char *buf, size_t n);
/* source.provider of s: "sofascore", "api-football". */
const char *source_provider(const struct source *s);
/* A day's schedule comes for every competition at once: ask
 * source_get_schedule() with competition 0 (API-Football), not once per
 * competition (Sofascore). */
bool source_schedule_by_day(const struct source *s);

#endif
