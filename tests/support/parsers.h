/*
 * parsers: the contract every provider adapter's parsers keep (protocol/
 * sofascore.h, protocol/apifootball.h), checked the same way for each: a
 * parser answers 0, 1 (not there) or -1; on 1 and -1 its outputs are empty (NULL, 0) and err
 * says why, so a caller never frees or leaks anything; whatever was parsed
 * is freed here.
 */
#ifndef BF_TEST_PARSERS_H
#define BF_TEST_PARSERS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "protocol/match.h"

enum {
	PARSER_EVENTS,
	PARSER_EVENT,
	PARSER_LINEUPS,
	PARSER_STATS,
	PARSER_INCIDENTS,
	PARSER_STANDINGS,
	PARSER_N
};

/* One adapter's six parsers (the signatures of sofascore.h). */
struct parsers {
	int (*events)(const char *body, size_t len, struct match_event **out, size_t *n,
		      size_t *skipped, char *err, size_t errlen);
	int (*event)(const char *body, size_t len, struct match_event *out, char *err,
		     size_t errlen);
	int (*lineups)(const char *body, size_t len, struct match_lineups *out, bool with_stats,
		       char *err, size_t errlen);
	int (*statistics)(const char *body, size_t len, struct match_stat **out, size_t *n,
			  char *err, size_t errlen);
	int (*incidents)(const char *body, size_t len, struct match_incident **out, size_t *n,
			 char *err, size_t errlen);
	int (*standings)(const char *body, size_t len, struct match_standing **out, size_t *n,
			 char *err, size_t errlen);
};

/* Every parser of p on one body, checked as above; ok[] says which
 * accepted it. */
void parsers_run_all(const struct parsers *p, const char *buf, size_t len, bool ok[PARSER_N]);
/* Every parser of p must refuse this body (what names it in a failure). */
void parsers_all_refuse(const struct parsers *p, const char *buf, size_t len, const char *what);

/* The file dir+name in a buffer of exactly its size (no NUL terminator, so
 * a parser reading past len is caught by ASan/valgrind).  NULL on error;
 * free(). */
char *parsers_slurp(const char *dir, const char *name, size_t *len);
/* An exact-size copy of n bytes of s (no NUL); free(). */
char *parsers_dup(const char *s, size_t n);
/* a == b within 1e-9. */
bool parsers_near(double a, double b);
/* The event of evs with that id, or NULL. */
const struct match_event *parsers_find_event(const struct match_event *evs, size_t n, int64_t id);
/* The player of side s with that id, or NULL. */
const struct match_player *parsers_find_player(const struct match_side *s, int64_t id);
/* The first statistic of st with that key (any period), or NULL. */
const struct match_stat *parsers_find_stat(const struct match_stat *st, size_t n, const char *key);

#endif
