/*
 * sofascore: URLs of the Sofascore API and parsers of its responses into C
 * structs (DESIGN section 9 lists the quirks), plus the client every
 * program uses to call it: one request budget shared by all processes
 * (a token bucket row in PostgreSQL), a circuit breaker opened by the 403
 * "challenge", and ETag revalidation.
 */
#ifndef BF_SOFASCORE_H
#define BF_SOFASCORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <libpq-fe.h>

#include "../lib/config.h"
#include "../lib/http.h"

#define SOFA_CREST_URL "https://img.sofascore.com/api/v1/team/%" PRId64 "/image"
#define SOFA_MAX_EVENTS 5000 /* events kept from one list response */
#define SOFA_MAX_PLAYERS 60 /* per side */
#define SOFA_MAX_STR 160 /* strings are cut to this many bytes */

enum sofa_status {
	SOFA_ST_UNKNOWN = 0,
	SOFA_ST_NOTSTARTED,
	SOFA_ST_INPROGRESS,
	SOFA_ST_FINISHED,
	SOFA_ST_POSTPONED,
	SOFA_ST_CANCELED,
	SOFA_ST_INTERRUPTED,
	SOFA_ST_SUSPENDED,
};

struct sofa_team {
	int64_t id;
	char name[SOFA_MAX_STR];
	char short_name[SOFA_MAX_STR];
	char name_code[16];
	char slug[SOFA_MAX_STR];
};

struct sofa_event {
	int64_t id;
	int64_t unique_tournament_id;
	char tournament_name[SOFA_MAX_STR]; /* the unique tournament's name */
	char tournament_slug[SOFA_MAX_STR];
	char category[SOFA_MAX_STR];
	int64_t season_id; /* 0 = none */
	char season_name[SOFA_MAX_STR];
	int round; /* 0 = none (friendlies have no roundInfo) */
	char round_name[SOFA_MAX_STR];
	struct sofa_team home, away;
	int64_t start_ts;
	int status_code;
	char status_type[32]; /* as sent */
	char status_desc[64];
	enum sofa_status status; /* from the code, else from the type */
	bool has_score; /* false for {} (not started, postponed, canceled) */
	int home_score, away_score; /* "display": never includes a shoot-out */
	bool has_penalties;
	int home_penalties, away_penalties;
	int winner_code; /* 0 = none, 1 home, 2 away, 3 draw */
	char venue[SOFA_MAX_STR];
	int64_t changed_ts; /* changes.changeTimestamp, 0 = none */
};

struct sofa_player {
	int64_t id;
	char name[SOFA_MAX_STR];
	char short_name[SOFA_MAX_STR];
	char position[8]; /* G D M F, "" when unknown */
	int shirt; /* shirtNumber of this match; 0 = unknown */
	bool substitute;
	bool captain;
	bool has_rating;
	double rating;
	int minutes; /* statistics.minutesPlayed, -1 = unknown */
	char *stats_json; /* the statistics object, compact JSON, or NULL */
};

struct sofa_missing {
	int64_t id;
	char name[SOFA_MAX_STR];
	char reason[SOFA_MAX_STR];
};

struct sofa_side {
	char formation[16];
	size_t nplayers;
	struct sofa_player *players;
	size_t nmissing;
	struct sofa_missing *missing;
};

struct sofa_lineups {
	bool confirmed;
	struct sofa_side home, away;
};

struct sofa_stat {
	char period[8]; /* ALL 1ST 2ND ... */
	char key[64];
	char name[96];
	char group[96];
	char home[32]; /* as displayed */
	char away[32];
	bool has_values;
	double home_value, away_value;
};

struct sofa_incident {
	int64_t id;
	char type[32]; /* goal card substitution period varDecision ... */
	char klass[32]; /* regular penalty ownGoal yellow red yellowRed ... */
	int minute;
	int added_time; /* 0 = none */
	int64_t player_id;
	char player[SOFA_MAX_STR];
	char assist[SOFA_MAX_STR];
	char side[8]; /* "home" | "away" | "" ; for goals: the side that scored */
	bool has_score;
	int home_score, away_score; /* after a goal */
};

struct sofa_standing {
	char group[SOFA_MAX_STR]; /* the table's name ("Group A"); one table: "" */
	int position;
	int64_t team_id;
	char team[SOFA_MAX_STR];
	int played, won, drawn, lost, goals_for, goals_against, points;
};

/* ---- parsers: 0, or -1 with a reason in err ------------------------------ */

/* {"events": [...]} of scheduled-events and live.  Malformed events are
 * skipped (counted in *skipped, first reason logged by the caller via
 * err).  *out is malloc'd (free()). */
int sofa_parse_events(const char *body, size_t len, struct sofa_event **out, size_t *n,
		      size_t *skipped, char *err, size_t errlen) __attribute__((warn_unused_result));
/* {"event": {...}} of /event/{id}. */
int sofa_parse_event(const char *body, size_t len, struct sofa_event *out, char *err,
		     size_t errlen) __attribute__((warn_unused_result));
/* with_stats: keep each player's statistics object as compact JSON (stats_json);
 * the line-up branch has no use for it and saves printing it. */
int sofa_parse_lineups(const char *body, size_t len, struct sofa_lineups *out, bool with_stats,
		       char *err, size_t errlen) __attribute__((warn_unused_result));
void sofa_lineups_free(struct sofa_lineups *l);
/* Statistics of every period; a key repeated in several groups is kept once. */
int sofa_parse_statistics(const char *body, size_t len, struct sofa_stat **out, size_t *n,
			  char *err, size_t errlen) __attribute__((warn_unused_result));
/* Incidents in Sofascore's order (newest first). */
int sofa_parse_incidents(const char *body, size_t len, struct sofa_incident **out, size_t *n,
			 char *err, size_t errlen) __attribute__((warn_unused_result));
/* Every table of standings/total (one per group in group competitions),
 * rows in Sofascore's order; group is set only when there are several. */
int sofa_parse_standings(const char *body, size_t len, struct sofa_standing **out, size_t *n,
			 char *err, size_t errlen) __attribute__((warn_unused_result));

const char *sofa_status_name(enum sofa_status s);
/* Status from code, falling back to the type string for unknown codes. */
enum sofa_status sofa_status_from(int code, const char *type);

/* ---- client ---------------------------------------------------------------- */

enum sofa_result {
	SOFA_OK = 0, /* 200, body in resp */
	SOFA_NOT_MODIFIED, /* 304: body is the cached one */
	SOFA_NOT_FOUND, /* 404 */
	SOFA_CHALLENGE, /* 403 challenge, or the breaker is open: do not call */
	SOFA_TRANSIENT, /* timeout, 5xx, 429, budget exhausted: try later */
	SOFA_FAILED, /* other 4xx, body too large: not worth retrying */
};

struct sofa_resp {
	enum sofa_result result;
	long status;
	char *body; /* malloc'd, NUL-terminated; NULL when none */
	size_t len;
	long retry_after; /* seconds, -1 = none */
	char error[256]; /* one line: what went wrong */
};

/* A request reserved by sofa_prefetch_start(): its budget slot and cached answer. */
struct sofa_pre {
	char *url;
	char etag[256];
	char *body; /* cached body, or NULL */
	size_t len;
	bool used; /* its slot is taken */
	bool fetched; /* requested ahead: resp holds the answer */
	bool handed; /* resp given to sofa_get() */
	struct sofa_resp resp;
};

struct sofa_client {
	const struct bf_config *cfg;
	struct http_client *http;
	PGconn *db; /* own connection: budget, breaker, ETags; NULL = local */
	int64_t last_request_ms; /* local pacing when there is no database */
	int64_t breaker_checked_ms; /* breaker state is re-read at most 1/s */
	int64_t breaker_open_until; /* epoch seconds */
	unsigned requests; /* made by this process */
	unsigned not_modified;
	/* Opt-in (the producer): after a 429, a 5xx or a timeout, no request
	 * for an exponentially growing, jittered pause (Retry-After honoured).
	 * The consumers back off through their wait tiers instead. */
	bool backoff;
	int backoff_ms; /* current step, 0 = none */
	int64_t backoff_until_ms;
	/* the batch's reservation (sofa_prefetch_start) */
	struct sofa_pre *pre;
	size_t npre, pre_used;
	struct sofa_fly *fly; /* its requests in flight (sofa_prefetch_start) */
	double pre_tokens; /* the bucket right after the reservation */
	int64_t pre_at_ms; /* when it was made */
};


/*
 * db_url: the client opens its own connection (never inside a caller's
 * transaction, so the budget row is locked only for a moment); NULL keeps
 * budget and breaker in this process only.
 */
int sofa_client_init(struct sofa_client *s, const struct bf_config *cfg, const char *db_url)
	__attribute__((warn_unused_result));
void sofa_client_free(struct sofa_client *s);
/* GET base_url + path.  Never returns an unclassified result. */
enum sofa_result sofa_get(struct sofa_client *s, const char *path, struct sofa_resp *r);

/*
 * For a batch that will ask for these paths: reserves their slots of the
 * shared budget and reads their cached answers, in one round trip, then
 * sends the first request and (unless it met a challenge) starts the
 * others, each at its slot, and returns with them in flight.  The first
 * sofa_get() (or sofa_prefetch_end) takes their answers; sofa_get() of a
 * reserved path needs no database round trip.  Without a database, or when
 * the wait would be too long, nothing is reserved and sofa_get() works as
 * usual.  sofa_prefetch_end() gives unused slots back.
 */
void sofa_prefetch_start(struct sofa_client *s, const char *const *paths, size_t n);
/* While waiting for fd (readable) up to timeout_ms: the answers of the
 * requests in flight are taken in meanwhile (see http_many_poll). */
void sofa_prefetch_poll(struct sofa_client *s, int fd, int timeout_ms);
void sofa_prefetch_end(struct sofa_client *s);
void sofa_resp_free(struct sofa_resp *r);
/* Seconds the breaker stays open (0 = closed). */
long sofa_breaker_remaining(struct sofa_client *s);

#endif
