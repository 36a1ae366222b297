/*
 * result: the result branch.  After the final whistle: the final event,
 * line-ups with ratings, statistics and incidents are stored (a batch's in
 * one transaction; re-processing replaces, never duplicates), then a
 * result video is requested.
 */
#ifndef BF_RESULT_H
#define BF_RESULT_H

#include <stdbool.h>
#include <stddef.h>

#include <cjson/cJSON.h>

#include "consumers/consumer.h"
#include "protocol/match.h"

/* What was fetched for one match; any part but the event may be missing. */
struct result_data {
	struct match_event ev;
	bool have_lineups;
	struct match_lineups lineups;
	struct match_stat *stats;
	size_t nstats;
	struct match_incident *inc;
	size_t ninc;
};

/* "2-1", "1-1 (5-4 pens)", "2-1 (AET)". */
void result_score_display(const struct match_event *ev, char *buf, size_t n);

/* The result video data document (DESIGN section 6).  cJSON_Delete it. */
cJSON *result_document(const struct result_data *d);

void result_data_free(struct result_data *d);

/* The batch's events rows (venues) in one read, and its requests started
 * side by side (consumer_def.prefetch). */
void result_prefetch(struct consumer_ctx *ctx, const struct work_msg *const *msgs, size_t n);
/* Fetches a result; a complete one is deferred to result_flush(). */
void result_branch(struct consumer_ctx *ctx, const struct work_msg *m, struct outcome *out);
/* Stores the batch's deferred results in one transaction (each alone
 * when that fails), then asks for their videos (consumer_def.flush). */
void result_flush(struct consumer_ctx *ctx);

#endif
