/*
 * tstats: the tournament-stats branch.  When a round is complete, the
 * stored results are aggregated in SQL (schema/002_tournament_views.sql):
 * round results and goals, season top scorers, team of the round (4-3-3 by
 * rating), player of the round; the table comes from Sofascore's standings
 * or, when it has none, is computed from the stored results.  The snapshot
 * is stored, then a video is requested.
 */
#ifndef BF_TSTATS_H
#define BF_TSTATS_H

#include <cjson/cJSON.h>
#include <libpq-fe.h>

#include "consumers/consumer.h"
#include "protocol/match.h"

/*
 * Builds the document from the database (and the standings given, taken
 * from the provider named source, or computed ones when standings is
 * NULL).  Returns NULL with err set when
 * the round is unknown (then *unknown_round, when not NULL, is true) or a
 * query fails.  cJSON_Delete the result.
 */
cJSON *tstats_document(PGconn *db, const struct work_msg *m, const struct match_standing *standings,
		       size_t nstandings, const char *source, bool *unknown_round, char *err,
		       size_t errlen);

/* The batch's standings requests started side by side, one per season
 * (consumer_def.prefetch). */
void tstats_prefetch(struct consumer_ctx *ctx, const struct work_msg *const *msgs, size_t n);
/* Takes the round's standings from the provider (asked once per season
 * and batch) and defers the rest to tstats_flush(). */
void tstats_branch(struct consumer_ctx *ctx, const struct work_msg *m, struct outcome *out);
/* The batch's rounds: their aggregates read together (one statement per
 * query), their snapshots stored in one statement (each alone when that
 * fails), then their videos asked for (consumer_def.flush). */
void tstats_flush(struct consumer_ctx *ctx);

#endif
