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
 * Requests are batched in a struct render, which owns them: a branch's
 * render_request() only queues one (its outcome becomes OUT_RENDER, with
 * the request's number); the consume loop calls render_flush() once per
 * batch of deliveries, which carries out every queued one with one lock
 * statement, one durable INSERT, the POSTs, and one asynchronous statement
 * for the states; render_outcome() then gives each message its outcome
 * (done, retry or dead), and render_reset() starts the next batch.
 */
#ifndef BF_RENDER_H
#define BF_RENDER_H

#include <cjson/cJSON.h>
#include <libpq-fe.h>

#include "consumers/outcome.h"
#include "lib/config.h"
#include "lib/http.h"
#include "protocol/message.h"
#include "protocol/topology.h"

/* Most requests one batch holds. */
#define RENDER_BATCH_MAX 64

struct render;

/* A batch of renders using db, http (Plainly) and the wait tiers of type
 * in topo, which the caller owns and which outlive it.  Caller frees with
 * render_free().  0, or -1 when out of memory. */
int render_new(struct render **r, const struct bf_config *cfg, PGconn *db, struct http_client *http,
	       const struct topology *topo, enum msg_type type) __attribute__((warn_unused_result));
void render_free(struct render *r);

/* Queues the video of doc (out becomes OUT_RENDER, or a retry when the
 * request cannot be built).  kind is a string constant. */
void render_request(struct render *r, const struct cfg_template *tpl, const char *kind,
		    const char *subject, const cJSON *doc, struct outcome *out);

/* Carries out the requests queued since the last flush, calling
 * wait(arg, the database's socket) while a statement runs (wait returns
 * when the socket is readable, or earlier).  A subject asked for twice is
 * carried out after its first request, and finds it done. */
void render_flush(struct render *r, void (*wait)(void *arg, int fd), void *arg);

/* o, an OUT_RENDER outcome of render_request(), becomes what the flush
 * made of its request. */
void render_outcome(const struct render *r, struct outcome *o);

/* Forgets the batch: the next request starts a new one. */
void render_reset(struct render *r);

#endif
