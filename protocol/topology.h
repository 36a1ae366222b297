/*
 * topology: exchanges, queues, routing keys and their arguments, from one
 * table (DESIGN section 4).  Plain data: the broker module declares the
 * same table on a channel (broker_declare), and bfctl renders it as
 * RabbitMQ definitions JSON.  No AMQP library here.
 */
#ifndef BF_TOPOLOGY_H
#define BF_TOPOLOGY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../lib/config.h"
#include "message.h"

#define TOPO_WORK_EXCHANGE "bf.work"
#define TOPO_DEAD_EXCHANGE "bf.dead"
#define TOPO_VIDEOS_EXCHANGE "bf.videos" /* topic: video.<kind>.<state> */
/* Crash-loop guard of the work queues: declared as x-delivery-limit and
 * set again by the policy bf-work-queues.  The broker applies the smaller
 * of the two, so the policy can lower the limit, never raise it (README,
 * "Replaying dead letters"). */
#define TOPO_DELIVERY_LIMIT 20
#define TOPO_MAX_LENGTH 1000000 /* policy default, tunable live */
/* Retention of the dead queues (policy bf-dead-queues, tunable live): the
 * oldest dead letters beyond this many are dropped, and each is dropped
 * once it has been this long in its dead queue. */
#define TOPO_DEAD_MAX_LENGTH 100000
#define TOPO_DEAD_TTL_DAYS 30
#define TOPO_NPOLICIES 2
#define TOPO_POLICY_MAX_DEF 4
#define TOPO_MAX_QUEUES 32
#define TOPO_NAME_MAX 64
#define TOPO_MAX_ARGS 8
#define TOPO_NEXCHANGES 3

/* An exchange of the table: durable, not auto-deleted, not internal. */
struct topo_exchange {
	const char *name;
	const char *type; /* "direct", "topic" */
};

/* The exchanges, in declaration order (before the queues). */
extern const struct topo_exchange topo_exchanges[TOPO_NEXCHANGES];

enum topo_kind {
	TOPO_WORK,
	TOPO_WAIT,
	TOPO_DEAD
};

struct topo_arg {
	const char *key;
	bool is_int;
	int64_t i;
	char s[TOPO_NAME_MAX];
};

struct topo_queue {
	char name[TOPO_NAME_MAX];
	enum topo_kind kind;
	enum msg_type type;
	int ttl; /* seconds, wait queues only */
};

struct topology {
	size_t nqueues;
	struct topo_queue queues[TOPO_MAX_QUEUES];
};

/* Builds the table from the wait tiers of the configuration. */
int topo_build(struct topology *t, const struct bf_config *c) __attribute__((warn_unused_result));

/* "bf.line-up", "bf.line-up.dead" */
void topo_work_queue(enum msg_type type, char *buf, size_t n);
void topo_dead_queue(enum msg_type type, char *buf, size_t n);
/* Wait queue for type with the given tier (seconds); NULL when there is
 * no such tier. */
const struct topo_queue *topo_wait_queue(const struct topology *t, enum msg_type type, int ttl);
/* Wait tiers of a type, ascending: returns how many, fills queues[]. */
size_t topo_wait_tiers(const struct topology *t, enum msg_type type, const struct topo_queue **out,
		       size_t max);

/* Arguments of a queue; returns how many were written to args. */
size_t topo_queue_args(const struct topo_queue *q, struct topo_arg *args, size_t max);

/* The binding of a queue: true with the exchange and routing key (static
 * strings); false for a wait queue, reached through the default exchange. */
bool topo_queue_binding(const struct topo_queue *q, const char **exchange,
			const char **routing_key);

/*
 * A policy of the table: what operators tune live, since a queue argument
 * cannot change once declared.  Set by `bfctl topology declare` through the
 * management API (amqp.management_url) and in the definitions JSON.
 */
struct topo_policy {
	const char *name; /* "bf-work-queues", "bf-dead-queues" */
	const char *pattern; /* regular expression on queue names */
	const char *apply_to; /* "queues" */
	int priority;
	size_t ndef;
	struct topo_arg def[TOPO_POLICY_MAX_DEF]; /* "delivery-limit", "max-length", ... */
};

extern const struct topo_policy topo_policies[TOPO_NPOLICIES];

/* The body of PUT /api/policies/{vhost}/{name} of the management API:
 * {"pattern", "apply-to", "priority", "definition"}.  Caller frees. */
char *topo_policy_json(const struct topo_policy *p);

/* RabbitMQ definitions JSON (exchanges, queues, bindings, policies) for
 * vhost "/".  Caller frees. */
char *topo_definitions_json(const struct topology *t);
/* The same for vhost (its name as it is, not URL-encoded).  Caller frees. */
char *topo_definitions_json_vhost(const struct topology *t, const char *vhost);

#endif
