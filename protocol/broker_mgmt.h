/*
 * broker_mgmt: the RabbitMQ management HTTP API (amqp.management_url), for
 * what AMQP cannot do or tell: set policies, and a queue's unacknowledged
 * messages and consumers.
 *
 * One handle = one lib/http client (libcurl), the base URL without its
 * userinfo, the credentials (the management URL's userinfo, else the first
 * amqp.url's) and the vhost of the first amqp.url.  The management API's
 * figures come from its statistics, which lag by up to the statistics
 * interval (5 s by default); AMQP's passive declare (broker_queue_info)
 * gives the ready count at once.
 *
 * Not thread-safe: one handle per thread.
 */
#ifndef BF_BROKER_MGMT_H
#define BF_BROKER_MGMT_H

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>

#include "../lib/config.h"
#include "topology.h"

/* Largest answer read (the queue list of a big vhost is large). */
#define MGMT_MAX_BODY (16L * 1024 * 1024)

struct mgmt;

/*
 * A handle for c's amqp.management_url ("http[s]://[user:password@]host:port[/prefix]").
 * Requests time out after amqp.op_timeout.  Returns 0 with *out; 1 when
 * amqp.management_url is "" (not configured: *out is NULL); -1 with the
 * reason in err (a URL that does not parse).  Sends nothing yet.  Free with
 * mgmt_close().
 */
int mgmt_open(struct mgmt **out, const struct bf_config *c, char *err, size_t errlen)
	__attribute__((warn_unused_result));
void mgmt_close(struct mgmt *m);

/* The base URL without userinfo (safe to print), e.g. "http://127.0.0.1:15672". */
const char *mgmt_base(const struct mgmt *m);
/* The vhost of amqp.url as it is ("/"), and percent-encoded for a path ("%2F"). */
const char *mgmt_vhost(const struct mgmt *m);
const char *mgmt_vhost_path(const struct mgmt *m);
/* The reason of the last failure (transport error, or "HTTP 401: ..."). */
const char *mgmt_error(const struct mgmt *m);

/*
 * METHOD base + path (path starts with "/api/"; escape names with
 * mgmt_escape), with body (JSON, or NULL).  Returns the HTTP status, or 0
 * when no answer came (mgmt_error says why).  *out (out may be NULL): the
 * answer's body, NUL-terminated, malloc'd (caller frees), "" when none.
 * A status other than 2xx also sets mgmt_error.
 */
long mgmt_request(struct mgmt *m, const char *method, const char *path, const char *body,
		  char **out);

/* GET path: the parsed body of a 200 (cJSON_Delete it), else NULL; *status
 * (may be NULL) the HTTP status, 0 when no answer came. */
cJSON *mgmt_get_json(struct mgmt *m, const char *path, long *status);

/* A name percent-encoded for a path segment ("bf.line-up", "%2F");
 * caller frees.  NULL when out of memory. */
char *mgmt_escape(const char *s);

/* A queue of the vhost, as the management API's statistics last saw it. */
struct mgmt_queue {
	long messages; /* ready + unacknowledged */
	long ready;
	long unacked; /* delivered to consumers, not yet acked */
	long consumers;
	char policy[64]; /* the policy applied, "" when none */
	char state[32]; /* "running", ...; "" when the API does not say */
};

/*
 * GET /api/queues/{vhost}/{queue}.  0 with *q; 1 when the queue does not
 * exist (404); -1 when the API could not be asked or refused (mgmt_error).
 * A queue too new for the statistics has its counts at 0.
 */
int mgmt_queue_stats(struct mgmt *m, const char *queue, struct mgmt_queue *q)
	__attribute__((warn_unused_result));

/* GET /api/policies/{vhost}/{name}: 1 when the vhost has that policy, 0
 * when it has not, -1 when the API could not be asked (mgmt_error). */
int mgmt_policy_exists(struct mgmt *m, const char *name) __attribute__((warn_unused_result));

/* PUT /api/policies/{vhost}/{p->name} with topo_policy_json(p) (replacing
 * one of that name): 0, or -1 (mgmt_error names the policy and the
 * answer).  The user needs the management tag "policymaker" or
 * "administrator". */
int mgmt_policy_set(struct mgmt *m, const struct topo_policy *p)
	__attribute__((warn_unused_result));

#endif
