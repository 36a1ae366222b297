#include "topology.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const struct topo_exchange topo_exchanges[TOPO_NEXCHANGES] = {
	{ TOPO_WORK_EXCHANGE, "direct" },
	{ TOPO_DEAD_EXCHANGE, "direct" },
	{ TOPO_VIDEOS_EXCHANGE, "topic" },
};

static int add_queue(struct topology *t, enum topo_kind kind, enum msg_type type, int ttl)
{
	struct topo_queue *q;
	char label[16];

	if (t->nqueues >= TOPO_MAX_QUEUES)
		return -1;
	q = &t->queues[t->nqueues++];
	memset(q, 0, sizeof(*q));
	q->kind = kind;
	q->type = type;
	q->ttl = ttl;
	switch (kind) {
	case TOPO_WORK:
		topo_work_queue(type, q->name, sizeof(q->name));
		break;
	case TOPO_DEAD:
		topo_dead_queue(type, q->name, sizeof(q->name));
		break;
	case TOPO_WAIT:
		cfg_duration_label(ttl, label, sizeof(label));
		snprintf(q->name, sizeof(q->name), "bf.%s.wait.%s", msg_type_name(type), label);
		break;
	}
	return 0;
}

int topo_build(struct topology *t, const struct bf_config *c)
{
	memset(t, 0, sizeof(*t));
	for (int ty = MSG_LINEUP; ty <= MSG_RENDER; ty++)
		if (add_queue(t, TOPO_WORK, (enum msg_type)ty, 0) != 0)
			return -1;
	for (size_t i = 0; i < c->lineups_ntiers; i++)
		if (add_queue(t, TOPO_WAIT, MSG_LINEUP, c->lineups_tiers[i]) != 0)
			return -1;
	for (size_t i = 0; i < c->results_ntiers; i++)
		if (add_queue(t, TOPO_WAIT, MSG_RESULT, c->results_tiers[i]) != 0)
			return -1;
	for (size_t i = 0; i < c->renders_ntiers; i++)
		if (add_queue(t, TOPO_WAIT, MSG_RENDER, c->renders_tiers[i]) != 0)
			return -1;
	for (int ty = MSG_LINEUP; ty <= MSG_RENDER; ty++)
		if (add_queue(t, TOPO_DEAD, (enum msg_type)ty, 0) != 0)
			return -1;
	return 0;
}

void topo_work_queue(enum msg_type type, char *buf, size_t n)
{
	snprintf(buf, n, "bf.%s", msg_type_name(type));
}

void topo_dead_queue(enum msg_type type, char *buf, size_t n)
{
	snprintf(buf, n, "bf.%s.dead", msg_type_name(type));
}

const struct topo_queue *topo_wait_queue(const struct topology *t, enum msg_type type, int ttl)
{
	for (size_t i = 0; i < t->nqueues; i++)
		if (t->queues[i].kind == TOPO_WAIT && t->queues[i].type == type &&
		    t->queues[i].ttl == ttl)
			return &t->queues[i];
	return NULL;
}

size_t topo_wait_tiers(const struct topology *t, enum msg_type type, const struct topo_queue **out,
		       size_t max)
{
	size_t n = 0;

	for (size_t i = 0; i < t->nqueues && n < max; i++)
		if (t->queues[i].kind == TOPO_WAIT && t->queues[i].type == type)
			out[n++] = &t->queues[i];
	return n;
}

static void arg_s(struct topo_arg *a, const char *key, const char *v)
{
	a->key = key;
	a->is_int = false;
	snprintf(a->s, sizeof(a->s), "%s", v);
}

static void arg_i(struct topo_arg *a, const char *key, int64_t v)
{
	a->key = key;
	a->is_int = true;
	a->i = v;
}

size_t topo_queue_args(const struct topo_queue *q, struct topo_arg *args, size_t max)
{
	struct topo_arg a[TOPO_MAX_ARGS];
	size_t n = 0;

	arg_s(&a[n++], "x-queue-type", "quorum");
	switch (q->kind) {
	case TOPO_WORK:
		arg_s(&a[n++], "x-dead-letter-exchange", TOPO_DEAD_EXCHANGE);
		arg_s(&a[n++], "x-dead-letter-strategy", "at-least-once");
		arg_s(&a[n++], "x-overflow", "reject-publish");
		arg_i(&a[n++], "x-delivery-limit", TOPO_DELIVERY_LIMIT);
		break;
	case TOPO_WAIT:
		arg_i(&a[n++], "x-message-ttl", (int64_t)q->ttl * 1000);
		arg_s(&a[n++], "x-dead-letter-exchange", TOPO_WORK_EXCHANGE);
		arg_s(&a[n++], "x-dead-letter-routing-key", msg_type_name(q->type));
		arg_s(&a[n++], "x-dead-letter-strategy", "at-least-once");
		arg_s(&a[n++], "x-overflow", "reject-publish");
		break;
	case TOPO_DEAD:
		break;
	}
	if (n > max)
		n = max;
	memcpy(args, a, n * sizeof(a[0]));
	return n;
}

bool topo_queue_binding(const struct topo_queue *q, const char **exchange, const char **routing_key)
{
	if (q->kind == TOPO_WAIT)
		return false;
	*exchange = q->kind == TOPO_WORK ? TOPO_WORK_EXCHANGE : TOPO_DEAD_EXCHANGE;
	*routing_key = msg_type_name(q->type);
	return true;
}

/*
 * The policies: work queues (live tuning of the crash-loop guard and the
 * length limit; see TOPO_DELIVERY_LIMIT) and dead queues (retention: the
 * oldest beyond max-length are dropped, overflow drop-head, and each after
 * message-ttl; quorum queues honour both since RabbitMQ 3.10).
 */
const struct topo_policy topo_policies[TOPO_NPOLICIES] = {
	{ .name = "bf-work-queues",
	  .pattern = "^bf\\.(line-up|result|tournament-stats|render)$",
	  .apply_to = "queues",
	  .priority = 0,
	  .ndef = 2,
	  .def = { { .key = "delivery-limit", .is_int = true, .i = TOPO_DELIVERY_LIMIT },
		   { .key = "max-length", .is_int = true, .i = TOPO_MAX_LENGTH } } },
	{ .name = "bf-dead-queues",
	  .pattern = "^bf\\.(line-up|result|tournament-stats|render)\\.dead$",
	  .apply_to = "queues",
	  .priority = 0,
	  .ndef = 3,
	  .def = { { .key = "max-length", .is_int = true, .i = TOPO_DEAD_MAX_LENGTH },
		   { .key = "overflow", .is_int = false, .s = "drop-head" },
		   { .key = "message-ttl",
		     .is_int = true,
		     .i = (int64_t)TOPO_DEAD_TTL_DAYS * 86400 * 1000 } } },
};

/* A policy as JSON: with vhost (definitions) its vhost and name first. */
static cJSON *policy_object(const struct topo_policy *p, const char *vhost)
{
	cJSON *pol = cJSON_CreateObject();
	cJSON *def;

	if (vhost != NULL) {
		cJSON_AddStringToObject(pol, "vhost", vhost);
		cJSON_AddStringToObject(pol, "name", p->name);
	}
	cJSON_AddStringToObject(pol, "pattern", p->pattern);
	cJSON_AddStringToObject(pol, "apply-to", p->apply_to);
	cJSON_AddNumberToObject(pol, "priority", p->priority);
	def = cJSON_AddObjectToObject(pol, "definition");
	for (size_t i = 0; i < p->ndef && i < TOPO_POLICY_MAX_DEF; i++) {
		if (p->def[i].is_int)
			cJSON_AddNumberToObject(def, p->def[i].key, (double)p->def[i].i);
		else
			cJSON_AddStringToObject(def, p->def[i].key, p->def[i].s);
	}
	return pol;
}

char *topo_policy_json(const struct topo_policy *p)
{
	cJSON *pol = policy_object(p, NULL);
	char *out = cJSON_PrintUnformatted(pol);

	cJSON_Delete(pol);
	return out;
}

char *topo_definitions_json(const struct topology *t)
{
	return topo_definitions_json_vhost(t, "/");
}

char *topo_definitions_json_vhost(const struct topology *t, const char *vhost)
{
	cJSON *root = cJSON_CreateObject();
	cJSON *xs = cJSON_AddArrayToObject(root, "exchanges");
	cJSON *qs = cJSON_AddArrayToObject(root, "queues");
	cJSON *bs = cJSON_AddArrayToObject(root, "bindings");
	cJSON *ps = cJSON_AddArrayToObject(root, "policies");
	cJSON *vh = cJSON_AddArrayToObject(root, "vhosts");
	cJSON *v;
	char *out;

	v = cJSON_CreateObject();
	cJSON_AddStringToObject(v, "name", vhost);
	cJSON_AddItemToArray(vh, v);
	for (size_t i = 0; i < TOPO_NEXCHANGES; i++) {
		cJSON *x = cJSON_CreateObject();
		cJSON_AddStringToObject(x, "name", topo_exchanges[i].name);
		cJSON_AddStringToObject(x, "vhost", vhost);
		cJSON_AddStringToObject(x, "type", topo_exchanges[i].type);
		cJSON_AddTrueToObject(x, "durable");
		cJSON_AddFalseToObject(x, "auto_delete");
		cJSON_AddFalseToObject(x, "internal");
		cJSON_AddObjectToObject(x, "arguments");
		cJSON_AddItemToArray(xs, x);
	}
	for (size_t i = 0; i < t->nqueues; i++) {
		const struct topo_queue *q = &t->queues[i];
		struct topo_arg args[TOPO_MAX_ARGS];
		size_t n = topo_queue_args(q, args, TOPO_MAX_ARGS);
		const char *exchange, *routing_key;
		cJSON *o = cJSON_CreateObject();
		cJSON *a;

		cJSON_AddStringToObject(o, "name", q->name);
		cJSON_AddStringToObject(o, "vhost", vhost);
		cJSON_AddTrueToObject(o, "durable");
		cJSON_AddFalseToObject(o, "auto_delete");
		a = cJSON_AddObjectToObject(o, "arguments");
		for (size_t j = 0; j < n; j++) {
			if (args[j].is_int)
				cJSON_AddNumberToObject(a, args[j].key, (double)args[j].i);
			else
				cJSON_AddStringToObject(a, args[j].key, args[j].s);
		}
		cJSON_AddItemToArray(qs, o);
		if (!topo_queue_binding(q, &exchange, &routing_key))
			continue;
		cJSON *b = cJSON_CreateObject();
		cJSON_AddStringToObject(b, "source", exchange);
		cJSON_AddStringToObject(b, "vhost", vhost);
		cJSON_AddStringToObject(b, "destination", q->name);
		cJSON_AddStringToObject(b, "destination_type", "queue");
		cJSON_AddStringToObject(b, "routing_key", routing_key);
		cJSON_AddObjectToObject(b, "arguments");
		cJSON_AddItemToArray(bs, b);
	}
	/* operators tune these live (a queue argument cannot be changed) */
	for (size_t i = 0; i < TOPO_NPOLICIES; i++)
		cJSON_AddItemToArray(ps, policy_object(&topo_policies[i], vhost));
	out = cJSON_Print(root);
	cJSON_Delete(root);
	return out;
}
