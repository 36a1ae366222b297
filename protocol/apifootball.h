/*
 * apifootball: the API-Football v3 adapter.  Request paths of its API and
 * parsers of its answers into the match model, in the shape of
 * protocol/sofascore.[ch]; the quirks are listed in
 * ../shared/apifootball-samples/README.md (DESIGN section 9).  Pure: no
 * database, no HTTP, so the parsers are fuzzed on their own.
 *
 * Every answer is the envelope {get, parameters, errors, results, paging,
 * response}; errors come inside HTTP 200 (af_classify_errors).  One
 * fixtures?id=N answer embeds the fixture, its events, line-ups, team
 * statistics and player statistics: af_parse_event, af_parse_lineups,
 * af_parse_statistics and af_parse_incidents each read their part of that
 * same body.
 *
 * Status codes (match_event.status_code): API-Football has no numeric
 * status, so the short code (kept in status_type, the long text in
 * status_desc) is given the Sofascore code the rest of the code knows:
 *   TBD NS -> 0 notstarted          1H -> 6, 2H -> 7, HT -> 31, BT -> 32,
 *   ET -> 41 (42 after the 105th minute), P -> 50, LIVE -> 6 (inprogress)
 *   INT -> 80 interrupted           SUSP -> 80 suspended
 *   FT -> 100, AET -> 110, PEN -> 120, AWD WO -> 100 (finished: awarded,
 *   walkover; the short code tells them apart)
 *   PST -> 60 postponed, CANC -> 70 canceled, ABD -> 90 canceled
 *   (abandoned: no result; a later AWD makes it finished)
 *   anything else -> -1 unknown.
 */
#ifndef BF_APIFOOTBALL_H
#define BF_APIFOOTBALL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "match.h"

#define AF_MAX_EVENTS 5000 /* fixtures kept from one list response */
#define AF_MAX_IDS 20 /* fixtures?ids= takes at most this many */

/* ---- requests -------------------------------------------------------------- */

/* The API path (after the base URL) that answers q.  0, or -1 when q asks
 * for nothing API-Football has (see the comments in af_path) or the path
 * does not fit in n bytes.  MATCH_REQ_EVENT, _LINEUPS, _STATISTICS and
 * _INCIDENTS all give fixtures?id=N: one answer holds them all. */
int af_path(const struct match_query *q, char *buf, size_t n) __attribute__((warn_unused_result));
/* fixtures?ids=a-b-c: 1 to AF_MAX_IDS fixtures with everything embedded
 * (af_parse_events reads it).  0, or -1. */
int af_path_ids(const int64_t *ids, size_t nids, char *buf, size_t n)
	__attribute__((warn_unused_result));
/* The URL of a team's crest (team.logo's canonical host). */
void af_crest_url(int64_t team_id, char *buf, size_t n);

/* ---- errors inside HTTP 200 ------------------------------------------------ */

enum af_error {
	AF_ERR_NONE = 0, /* errors is [] or {} (or absent) */
	AF_ERR_TOKEN, /* "token": access refused (no, wrong or suspended key) */
	AF_ERR_QUOTA_DAY, /* "requests": the day's quota is spent */
	AF_ERR_QUOTA_MINUTE, /* "rateLimit": the minute's quota is spent */
	AF_ERR_PLAN, /* "plan": this league/season/date is not in the plan */
	AF_ERR_REQUEST, /* a parameter name: the request is wrong, not worth retrying */
	AF_ERR_SERVER, /* "time"/"bug"/"report" (the 204 body): the API's trouble */
};

/* What the answer's "errors" says, whatever the HTTP status.  msg gets
 * "field: text" of the error that decides (token before requests before
 * rateLimit before plan before the API's trouble before a parameter), ""
 * with AF_ERR_NONE.  A body that is not a JSON object is AF_ERR_NONE: the
 * parser says what is wrong with it. */
enum af_error af_classify_errors(const char *body, size_t len, char *msg, size_t msglen)
	__attribute__((warn_unused_result));
/* "none", "token", "requests", "rateLimit", "plan", "request", "server". */
const char *af_error_name(enum af_error e);

/* ---- parsers: 0, 1 or -1 -------------------------------------------------- */
/* 0: parsed.  1: the answer is good but what was asked is not there (an
 * empty response for fixtures?id=N: no such fixture; line-ups not
 * published): the reason in err, like Sofascore's 404.  -1: the answer
 * cannot be read, the reason in err.  Every parser refuses (-1) an answer
 * whose errors is not empty (its response is [] and must not read as "no
 * fixtures"). */

/* response[] of fixtures?date|live|league&season&round|ids.  Malformed
 * fixtures are skipped (counted in *skipped, the first reason in err).
 * *out is malloc'd (free()). */
int af_parse_events(const char *body, size_t len, struct match_event **out, size_t *n,
		    size_t *skipped, char *err, size_t errlen) __attribute__((warn_unused_result));
/* response[0] of fixtures?id=N (1 when response is empty: no such fixture). */
int af_parse_event(const char *body, size_t len, struct match_event *out, char *err, size_t errlen)
	__attribute__((warn_unused_result));
/* The line-ups of fixtures?id=N: startXI then substitutes per side, with
 * captain, rating and minutes from its players[] when present (absent
 * before kick-off).  confirmed: both sides have 11 in startXI (there is no
 * flag).  1 when the line-ups are not published.  with_stats: keep each
 * player's statistics object as compact JSON.  Free with
 * match_lineups_free(). */
int af_parse_lineups(const char *body, size_t len, struct match_lineups *out, bool with_stats,
		     char *err, size_t errlen) __attribute__((warn_unused_result));
/* Team statistics of fixtures?id=N under Sofascore's keys, period "ALL"
 * (0 statistics when none are published). */
int af_parse_statistics(const char *body, size_t len, struct match_stat **out, size_t *n, char *err,
			size_t errlen) __attribute__((warn_unused_result));
/* The events of fixtures?id=N as incidents, in API-Football's order (oldest
 * first).  Goals carry the side credited (own goals too, class ownGoal) and
 * the running score; shoot-out kicks are type penaltyShootout, never goal. */
int af_parse_incidents(const char *body, size_t len, struct match_incident **out, size_t *n,
		       char *err, size_t errlen) __attribute__((warn_unused_result));
/* Every table of standings?league&season (an array of groups, each an array
 * of rows); group is set only when there are several tables. */
int af_parse_standings(const char *body, size_t len, struct match_standing **out, size_t *n,
		       char *err, size_t errlen) __attribute__((warn_unused_result));

/* The answer of fixtures?ids=a-b-c cut into one fixtures?id=N answer per
 * id: out[i] (malloc'd, NUL-terminated, free()) holds ids[i]'s fixture,
 * or an empty response when the answer has none (no such fixture).  0,
 * or -1 with a reason (then out is all NULL). */
int af_split_fixtures(const char *body, size_t len, const int64_t *ids, size_t n, char **out,
		      char *err, size_t errlen) __attribute__((warn_unused_result));

/* Status from fixture.status.short (never long); *code gets the code above
 * (NULL: not wanted).  elapsed: the minute, -1 when unknown. */
enum match_status af_status_from(const char *short_code, int elapsed, int *code);

#endif
