/*
 * render: one video per subject, whatever the redeliveries.
 *
 * The renders row (unique kind + subject) is committed as "pending" before
 * the POST, under a per-subject advisory lock; a subject already
 * "submitted" or "dry-run" is not posted again; a "pending" row left by a
 * crash or a lost answer is reconciled by listing the project's renders
 * (attributes.bfSubject) before any new POST.  Without an API key the
 * request is written to plainly.dry_run_dir and recorded as "dry-run".
 */
#ifndef BF_RENDER_H
#define BF_RENDER_H

#include <cjson/cJSON.h>

#include "consumers/consumer.h"

/* Requests the video of doc; sets out (done, retry or dead). */
void render_request(struct consumer_ctx *ctx, const struct cfg_template *tpl, const char *kind,
		    const char *subject, const cJSON *doc, struct outcome *out);

#endif
