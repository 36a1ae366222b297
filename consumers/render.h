/*
 * render: one video per subject, whatever the redeliveries.
 *
 * The renders row (unique kind + subject) is committed as "pending" before
 * the POST, under a per-subject advisory lock; a subject already
 * "submitted" or "dry-run" is not posted again; a "pending" row left by a
 * crash or a lost answer is reconciled by listing the project's renders
 * (attributes.bfSubject) before any new POST.  Without an API key the
 * request is written to plainly.dry_run_dir and recorded as "dry-run".
 *
 * Requests are batched: render_request() queues one (the branch's outcome
 * becomes OUT_RENDER), render_flush() carries out every queued one with one
 * lock statement, one durable INSERT, the POSTs, and one asynchronous
 * statement for the states, then sets each outcome (done, retry or dead).
 * The consume loop flushes once per batch of deliveries.
 */
#ifndef BF_RENDER_H
#define BF_RENDER_H

#include <cjson/cJSON.h>

#include "consumers/consumer.h"

/* Queues the video of doc; out is set by render_flush().  kind is a
 * string constant. */
void render_request(struct consumer_ctx *ctx, const struct cfg_template *tpl, const char *kind,
		    const char *subject, const cJSON *doc, struct outcome *out);

/* Carries out the queued requests and sets their outcomes. */
void render_flush(struct consumer_ctx *ctx);

#endif
