/*
 * lineup: the line-up branch.  Confirmed line-ups become a video; predicted
 * (or not yet published) ones are checked again from a wait tier until
 * kick-off + lineups.give_up_after.
 */
#ifndef BF_LINEUP_H
#define BF_LINEUP_H

#include <stdint.h>

#include <cjson/cJSON.h>

#include "consumers/consumer.h"
#include "protocol/match.h"

/* What the video needs of the event, from the events row. */
struct lineup_event {
	int64_t id;
	int64_t start_ts;
	char status_type[32];
	char tournament[MATCH_MAX_STR];
	char season[MATCH_MAX_STR];
	int round;
	char venue[MATCH_MAX_STR];
	struct match_team home, away;
};

/* The line-up video data document (DESIGN section 6).  Caller frees with
 * cJSON_Delete. */
cJSON *lineup_document(const struct lineup_event *ev, const struct match_lineups *l);

/* Wait tier (seconds) for a re-check: the longest while kick-off is more
 * than near_kickoff away, the shortest near it. */
int lineup_recheck_tier(const struct consumer_ctx *ctx, int64_t start_ts, int64_t now);

void lineup_branch(struct consumer_ctx *ctx, const struct work_msg *m, struct outcome *out);

/* Before a batch's branches: reads every events row of the batch and
 * reserves the line-ups requests (two round trips), then starts them
 * (source_prefetch_lineups). */
void lineup_prefetch(struct consumer_ctx *ctx, const struct work_msg *const *msgs, size_t n);

#endif
