/*
 * sofascore: the Sofascore adapter.  Request paths of its API and parsers
 * of its answers into the match model (DESIGN section 9 lists the quirks).
 * Pure: no database, no HTTP (protocol/source.[ch] does the requests), so
 * the parsers are fuzzed on their own.
 */
#ifndef BF_SOFASCORE_H
#define BF_SOFASCORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "match.h"

#define SOFA_MAX_EVENTS 5000 /* events kept from one list response */

/* ---- requests -------------------------------------------------------------- */

/* The API path (after the base URL) that answers q.  0, or -1 when q asks
 * for nothing Sofascore has or the path does not fit in n bytes. */
int sofa_path(const struct match_query *q, char *buf, size_t n) __attribute__((warn_unused_result));
/* The URL of a team's crest. */
void sofa_crest_url(int64_t team_id, char *buf, size_t n);
/* A 403 whose body says {"error": {"reason": "challenge"}}: Sofascore
 * refuses this client (never worked around). */
bool sofa_is_challenge(const char *body, size_t len);

/* ---- parsers: 0, or -1 with a reason in err ------------------------------ */

/* {"events": [...]} of scheduled-events and live.  Malformed events are
 * skipped (counted in *skipped, first reason logged by the caller via
 * err).  *out is malloc'd (free()). */
int sofa_parse_events(const char *body, size_t len, struct match_event **out, size_t *n,
		      size_t *skipped, char *err, size_t errlen)
	__attribute__((warn_unused_result));
/* The event objects of a list ({"events": [...]}) as /event/{id} would
 * answer them: out[i] (malloc'd, free()) is {"event": ids[i]'s object},
 * or NULL when the list has no such event.  0, or -1 with a reason (then
 * out is all NULL). */
int sofa_split_list(const char *body, size_t len, const int64_t *ids, size_t n, char **out,
		    char *err, size_t errlen) __attribute__((warn_unused_result));
/* {"event": {...}} of /event/{id}. */
int sofa_parse_event(const char *body, size_t len, struct match_event *out, char *err,
		     size_t errlen) __attribute__((warn_unused_result));
/* with_stats: keep each player's statistics object as compact JSON (stats_json);
 * the line-up branch has no use for it and saves printing it.  Free with
 * match_lineups_free(). */
int sofa_parse_lineups(const char *body, size_t len, struct match_lineups *out, bool with_stats,
		       char *err, size_t errlen) __attribute__((warn_unused_result));
/* Statistics of every period; a key repeated in several groups is kept once. */
int sofa_parse_statistics(const char *body, size_t len, struct match_stat **out, size_t *n,
			  char *err, size_t errlen) __attribute__((warn_unused_result));
/* Incidents in Sofascore's order (newest first). */
int sofa_parse_incidents(const char *body, size_t len, struct match_incident **out, size_t *n,
			 char *err, size_t errlen) __attribute__((warn_unused_result));
/* Every table of standings/total (one per group in group competitions),
 * rows in Sofascore's order; group is set only when there are several. */
int sofa_parse_standings(const char *body, size_t len, struct match_standing **out, size_t *n,
			 char *err, size_t errlen) __attribute__((warn_unused_result));

/* Status from Sofascore's code, falling back to the type string for
 * unknown codes. */
enum match_status sofa_status_from(int code, const char *type);

#endif
