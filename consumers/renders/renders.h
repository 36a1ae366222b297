/*
 * renders: the branch of bf-renders.  A render message follows the video
 * of one work message (its subject) from the render Plainly accepted to a
 * final state, with GET /renders/{id} as the truth:
 *
 *  - still running (PENDING, THROTTLED, QUEUED, IN_PROGRESS): check again
 *    from a wait tier, the shortest for the render's first checks, longer
 *    ones as it runs (renders_tier);
 *  - DONE: the renders row gets the video's URL, its expiry and the time,
 *    the attempt is kept in render_attempts, the work job becomes done, and
 *    one video event goes to bf.videos (video.<kind>.done);
 *  - FAILED, INVALID, CANCELLED: the work message goes to its dead queue
 *    with reason render-failed and Plainly's error (bfctl replay renders it
 *    again), the row and the attempt record the failure, the work job
 *    becomes dead, and the video event says so (video.<kind>.failed, ...).
 *
 * Every step is safe to repeat: a redelivered render message whose row is
 * final publishes its video event again (same message_id: subscribers drop
 * the duplicate) and changes nothing else.
 */
#ifndef BF_RENDERS_H
#define BF_RENDERS_H

#include <cjson/cJSON.h>
#include <stdint.h>

#include "consumers/consumer.h"

/* The video event of DESIGN section 4: {kind, subject, event_id, render_id,
 * state, output, expires_at, error}; state is Plainly's final state in
 * lower case; event_id is null for a round; output and expires_at are null
 * unless done.  A new object (cJSON_Delete). */
cJSON *renders_video_event(const struct work_msg *work, const char *subject, const char *render_id,
			   const char *state, const char *output, int64_t expires_at,
			   const char *error);

/* The wait tier (seconds) of a render still running at this check: the
 * shortest tier for the first 10 checks, the next one up to the 25th,
 * then the longest.  0 when there are no tiers. */
int renders_tier(const struct consumer_ctx *ctx, int attempt);

void renders_branch(struct consumer_ctx *ctx, const struct work_msg *m, struct outcome *out);

#endif
