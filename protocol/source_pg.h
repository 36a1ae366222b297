/*
 * source_pg: the PostgreSQL store of a source (protocol/source.h): the
 * shared request budget (table sofascore_budget), the circuit breaker
 * (sofascore_breaker) and the cached answers for ETag revalidation
 * (http_cache), on a connection of its own (never inside a caller's
 * transaction, so the budget row is locked only for a moment).
 */
#ifndef BF_SOURCE_PG_H
#define BF_SOURCE_PG_H

#include "../lib/config.h"
#include "source.h"

/* source_open() with its store in the database at db_url; db_url NULL keeps
 * budget and breaker in this process only.  0, or -1. */
int source_pg_open(struct source **out, const struct bf_config *cfg, const char *db_url,
		   unsigned flags) __attribute__((warn_unused_result));

#endif
