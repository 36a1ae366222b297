/*
 * plainly: the Plainly render API (POST /renders, GET /renders?projectId=,
 * GET /renders/{id}).
 *
 * A 200 is not acceptance: its state may be INVALID (a permanent failure,
 * like a 4xx) or THROTTLED (fine, it runs later).  Plainly has no
 * idempotency key: requests carry attributes.bfSubject, and
 * plainly_render_find() looks a subject up after a crash or a lost answer.
 */
#ifndef BF_PLAINLY_H
#define BF_PLAINLY_H

#include <stdbool.h>
#include <stddef.h>

#include <cjson/cJSON.h>

#include "../lib/config.h"
#include "../lib/http.h"

enum plainly_result {
	PLAINLY_OK = 0, /* render created (PENDING, THROTTLED, QUEUED, ...) */
	PLAINLY_REJECTED, /* 4xx or state INVALID: fix the config, then replay */
	PLAINLY_TRANSIENT, /* timeout, 5xx, 429: try again later */
	PLAINLY_NOT_FOUND, /* plainly_render_find: no render for the subject */
};

struct plainly_render {
	char id[96];
	char state[32];
	long status; /* HTTP status, 0 = none */
	char error_code[128]; /* X-PlainlyErrorCode or error.code */
	char error[512]; /* Plainly's message, one line */
	long retry_after; /* seconds, -1 = none */
	char output[1024]; /* DONE: the video's URL, "" otherwise */
	long long expires_at; /* DONE: epoch seconds of expirationDate (Plainly deletes the file
			       * then), -1 = none */
	/* the answer as renders.response keeps it: its JSON without the
	 * echoed parameters (malloc'd), or NULL when it is not JSON */
	char *response;
};

/*
 * Builds the POST /renders body for a video data document: parameters
 * mapped by the template (or the whole document), attributes.bfSubject and
 * bfKind, the webhook when configured.  Returns malloc'd JSON or NULL.
 */
char *plainly_request_json(const struct cfg_template *tpl, const char *kind, const char *subject,
			   const cJSON *doc, const char *webhook_url);

/* Value of a dotted path ("home.starters.0.name") in doc, or NULL. */
const cJSON *plainly_path(const cJSON *doc, const char *path);

/* POST {base}/renders with body.  Free out with plainly_render_free. */
enum plainly_result plainly_render_create(struct http_client *h, const struct bf_config *cfg,
					  const char *body, struct plainly_render *out);

/*
 * Looks for a render whose attributes.bfSubject is subject among the
 * project's renders, newest first, page after page, until one created
 * before since (epoch seconds; our request was recorded after it) shows
 * up, or PLAINLY_LIST_MAX renders were read (then PLAINLY_TRANSIENT: we
 * cannot say it is not there).
 */
#define PLAINLY_LIST_MAX 20000
/* plainly_render_create() of n bodies side by side (one connection each);
 * res[i] and out[i] are each one's result. */
void plainly_render_create_many(struct http_client *h, const struct bf_config *cfg,
				const char *const *bodies, size_t n, struct plainly_render *out,
				enum plainly_result *res);

enum plainly_result plainly_render_find(struct http_client *h, const struct bf_config *cfg,
					const char *project_id, const char *subject,
					long long since, struct plainly_render *out);

/*
 * GET {base}/renders/{id}: the render's state now (a webhook is only a
 * hint: this is the truth).  PLAINLY_OK with out's state, output and
 * expiry; PLAINLY_NOT_FOUND on 404 (no such render: Plainly deleted it or
 * it never existed); PLAINLY_TRANSIENT on timeouts, 5xx, 429 and
 * unreadable answers; PLAINLY_REJECTED on another 4xx (the key).  Free
 * out with plainly_render_free.
 */
enum plainly_result plainly_render_get(struct http_client *h, const struct bf_config *cfg,
				       const char *render_id, struct plainly_render *out);

/* DONE, FAILED, INVALID and CANCELLED are final; the others still run. */
bool plainly_state_final(const char *state);

/* Epoch seconds of an ISO-8601 date with its zone ("2026-11-26T09:00:00.000Z",
 * "...+01:00", "...-0530"); -1 when it is not one (also without a zone). */
long long plainly_parse_date(const char *s);

/* Parses a render object (state, id, error) from a response body. */
int plainly_parse_render(const char *body, size_t len, struct plainly_render *out)
	__attribute__((warn_unused_result));

void plainly_render_free(struct plainly_render *r);

/* Writes a dry-run request to dir/<kind>-<subject ids>.json atomically;
 * path receives the file name.  0 or -1. */
int plainly_dry_run_write(const char *dir, const char *subject, const char *body, char *path,
			  size_t n) __attribute__((warn_unused_result));

#endif
