/*
 * broker_admin.c: what bfctl and the tests ask of the broker beside
 * publishing and consuming: declare the topology (also done after every
 * connect), queue depth and consumers (passive declare), purge, get.
 */
#include "broker_int.h"

#include <stdio.h>
#include <string.h>

#include <amqp_framing.h>

#include "../lib/log.h"

/* One queue's arguments (plain data from the topology) as an AMQP table
 * whose entries point into args and entries. */
static amqp_table_t queue_args_table(const struct topo_arg *args, size_t n,
				     amqp_table_entry_t *entries)
{
	amqp_table_t table;

	for (size_t j = 0; j < n; j++) {
		entries[j].key = amqp_cstring_bytes(args[j].key);
		if (args[j].is_int) {
			entries[j].value.kind = AMQP_FIELD_KIND_I64;
			entries[j].value.value.i64 = args[j].i;
		} else {
			entries[j].value.kind = AMQP_FIELD_KIND_UTF8;
			entries[j].value.value.bytes = amqp_cstring_bytes(args[j].s);
		}
	}
	table.num_entries = (int)n;
	table.entries = entries;
	return table;
}

int broker_declare_topology(struct broker *b, char *err, size_t errlen)
{
	const struct topology *t = b->o.topo;
	char what[TOPO_NAME_MAX + 32];

	if (t == NULL)
		return 0;
	for (size_t i = 0; i < TOPO_NEXCHANGES; i++) {
		const struct topo_exchange *x = &topo_exchanges[i];

		amqp_exchange_declare(b->conn, BROKER_CHANNEL, amqp_cstring_bytes(x->name),
				      amqp_cstring_bytes(x->type), 0, 1, 0, 0, amqp_empty_table);
		snprintf(what, sizeof(what), "declare exchange %s", x->name);
		if (broker_rpc_ok(b, what, err, errlen) != 0)
			return -1;
	}
	for (size_t i = 0; i < t->nqueues; i++) {
		const struct topo_queue *q = &t->queues[i];
		struct topo_arg args[TOPO_MAX_ARGS];
		amqp_table_entry_t entries[TOPO_MAX_ARGS];
		size_t n = topo_queue_args(q, args, TOPO_MAX_ARGS);
		const char *exchange, *routing_key;

		amqp_queue_declare(b->conn, BROKER_CHANNEL, amqp_cstring_bytes(q->name), 0, 1, 0, 0,
				   queue_args_table(args, n, entries));
		snprintf(what, sizeof(what), "declare queue %s", q->name);
		if (broker_rpc_ok(b, what, err, errlen) != 0)
			return -1;
		if (!topo_queue_binding(q, &exchange, &routing_key))
			continue; /* reached through the default exchange */
		amqp_queue_bind(b->conn, BROKER_CHANNEL, amqp_cstring_bytes(q->name),
				amqp_cstring_bytes(exchange), amqp_cstring_bytes(routing_key),
				amqp_empty_table);
		snprintf(what, sizeof(what), "bind queue %s", q->name);
		if (broker_rpc_ok(b, what, err, errlen) != 0)
			return -1;
	}
	return 0;
}

int broker_declare(struct broker *b, char *err, size_t errlen)
{
	int rc;

	if (b->o.topo == NULL)
		return 0;
	if (broker_ensure_connected(b, broker_op_deadline(b)) != 0) {
		snprintf(err, errlen, "not connected");
		return -1;
	}
	broker_wd_arm(b);
	rc = broker_declare_topology(b, err, errlen);
	broker_wd_disarm(b);
	if (rc != 0)
		b->connected = false;
	return rc;
}

/*
 * queue.declare passive: 0 with *ok, 1 when the queue does not exist, -1 when
 * the connection failed.  For a missing queue the broker closes the channel
 * (404): a handle with nothing in flight (no consumer, no unconfirmed
 * publish) opens it again at once instead of reconnecting; any other handle
 * reconnects at its next call.
 */
static int passive_declare(struct broker *b, const char *queue, amqp_queue_declare_ok_t **ok)
{
	amqp_rpc_reply_t r;
	char err[512] = "";

	if (broker_ensure_connected(b, broker_op_deadline(b)) != 0)
		return -1;
	broker_wd_arm(b);
	*ok = amqp_queue_declare(b->conn, BROKER_CHANNEL, amqp_cstring_bytes(queue), 1, 0, 0, 0,
				 amqp_empty_table);
	broker_wd_disarm(b);
	if (*ok != NULL)
		return 0;
	r = amqp_get_rpc_reply(b->conn);
	if (r.reply_type != AMQP_RESPONSE_SERVER_EXCEPTION ||
	    r.reply.id != AMQP_CHANNEL_CLOSE_METHOD ||
	    ((const amqp_channel_close_t *)r.reply.decoded)->reply_code != AMQP_NOT_FOUND) {
		broker_reply_text(r, err, sizeof(err));
		log_warn("broker connection lost peer=%s error=%s", b->peer, log_quote(err));
		b->connected = false;
		return -1;
	}
	amqp_channel_close_ok_t close_ok = { 0 };
	if (b->consuming || b->npend > 0) {
		b->connected = false;
		return 1;
	}
	broker_wd_arm(b);
	if (amqp_send_method(b->conn, BROKER_CHANNEL, AMQP_CHANNEL_CLOSE_OK_METHOD, &close_ok) !=
	    AMQP_STATUS_OK) {
		broker_wd_disarm(b);
		b->connected = false;
		return 1;
	}
	if (broker_channel_open(b, err, sizeof(err)) != 0)
		b->connected = false;
	broker_wd_disarm(b);
	if (!b->connected)
		log_warn("broker: reopening the channel after a missing queue: %s", err);
	b->next_seq = 1;
	return 1;
}

int broker_queue_info(struct broker *b, const char *queue, long *messages, long *consumers)
{
	amqp_queue_declare_ok_t *ok;
	int rc = passive_declare(b, queue, &ok);

	if (rc != 0)
		return rc;
	*messages = (long)ok->message_count;
	*consumers = (long)ok->consumer_count;
	return 0;
}

long broker_queue_depth(struct broker *b, const char *queue)
{
	amqp_queue_declare_ok_t *ok;

	if (passive_declare(b, queue, &ok) != 0)
		return -1;
	return (long)ok->message_count;
}

long broker_purge(struct broker *b, const char *queue)
{
	amqp_queue_purge_ok_t *ok;

	if (broker_ensure_connected(b, broker_op_deadline(b)) != 0)
		return -1;
	broker_wd_arm(b);
	ok = amqp_queue_purge(b->conn, BROKER_CHANNEL, amqp_cstring_bytes(queue));
	broker_wd_disarm(b);
	if (ok == NULL) {
		b->connected = false;
		return -1;
	}
	return (long)ok->message_count;
}

int broker_get(struct broker *b, const char *queue, struct broker_delivery *d)
{
	amqp_rpc_reply_t r;
	amqp_message_t m;
	int rc;

	memset(d, 0, sizeof(*d));
	if (broker_ensure_connected(b, broker_op_deadline(b)) != 0)
		return -1;
	broker_wd_arm(b);
	r = amqp_basic_get(b->conn, BROKER_CHANNEL, amqp_cstring_bytes(queue), 0);
	if (r.reply_type != AMQP_RESPONSE_NORMAL) {
		broker_wd_disarm(b);
		b->connected = false;
		return -1;
	}
	if (r.reply.id == AMQP_BASIC_GET_EMPTY_METHOD) {
		broker_wd_disarm(b);
		return 0;
	}
	const amqp_basic_get_ok_t *ok = r.reply.decoded;
	d->tag = ok->delivery_tag;
	d->redelivered = ok->redelivered != 0;
	broker_copy_bytes(d->exchange, sizeof(d->exchange), ok->exchange);
	broker_copy_bytes(d->routing_key, sizeof(d->routing_key), ok->routing_key);
	r = amqp_read_message(b->conn, BROKER_CHANNEL, &m, 0);
	broker_wd_disarm(b);
	if (r.reply_type != AMQP_RESPONSE_NORMAL) {
		b->connected = false;
		return -1;
	}
	rc = broker_fill_delivery(b, d, &m.properties, m.body);
	amqp_destroy_message(&m);
	return rc == 0 ? 1 : -1;
}
