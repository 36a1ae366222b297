/*
 * broker_consume.c: consume with basic.qos prefetch and manual acks; a
 * delivery (from basic.deliver or basic.get) copied out of rabbitmq-c's
 * buffers into a struct broker_delivery.
 */
#include "broker_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

#include <amqp_framing.h>

#include "../lib/log.h"

int broker_consume_setup(struct broker *b, char *err, size_t errlen)
{
	amqp_basic_qos(b->conn, BROKER_CHANNEL, 0, (uint16_t)b->prefetch, 0);
	if (broker_rpc_ok(b, "basic.qos", err, errlen) != 0)
		return -1;
	amqp_basic_consume(b->conn, BROKER_CHANNEL, amqp_cstring_bytes(b->consume_queue),
			   amqp_cstring_bytes(b->consume_tag), 0, 0, 0, amqp_empty_table);
	return broker_rpc_ok(b, "basic.consume", err, errlen);
}

int broker_consume(struct broker *b, const char *queue, int prefetch, const char *tag)
{
	char err[1024];

	snprintf(b->consume_queue, sizeof(b->consume_queue), "%s", queue);
	snprintf(b->consume_tag, sizeof(b->consume_tag), "%s", tag != NULL ? tag : "");
	b->prefetch = prefetch > 0 ? prefetch : 1;
	b->consuming = true;
	if (!b->connected)
		return broker_reconnect(b, 0);
	broker_wd_arm(b);
	int rc = broker_consume_setup(b, err, sizeof(err));
	broker_wd_disarm(b);
	if (rc != 0) {
		log_err("broker consume queue=%s error=%s", queue, log_quote(err));
		b->connected = false;
		b->consuming = false;
		return -1;
	}
	return 0;
}

void broker_copy_bytes(char *dst, size_t n, amqp_bytes_t src)
{
	size_t len = src.len < n - 1 ? src.len : n - 1;

	if (src.bytes != NULL)
		memcpy(dst, src.bytes, len);
	dst[len] = '\0';
}

static bool field_int(const amqp_field_value_t *v, int64_t *out)
{
	switch (v->kind) {
	case AMQP_FIELD_KIND_I8:
		*out = v->value.i8;
		return true;
	case AMQP_FIELD_KIND_U8:
		*out = v->value.u8;
		return true;
	case AMQP_FIELD_KIND_I16:
		*out = v->value.i16;
		return true;
	case AMQP_FIELD_KIND_U16:
		*out = v->value.u16;
		return true;
	case AMQP_FIELD_KIND_I32:
		*out = v->value.i32;
		return true;
	case AMQP_FIELD_KIND_U32:
		*out = v->value.u32;
		return true;
	case AMQP_FIELD_KIND_I64:
		*out = v->value.i64;
		return true;
	case AMQP_FIELD_KIND_U64:
	case AMQP_FIELD_KIND_TIMESTAMP:
		*out = (int64_t)v->value.u64;
		return true;
	default:
		return false;
	}
}

static bool key_is(amqp_bytes_t k, const char *name)
{
	return k.len == strlen(name) && memcmp(k.bytes, name, k.len) == 0;
}

int broker_fill_delivery(struct broker *b, struct broker_delivery *d,
			 const amqp_basic_properties_t *p, amqp_bytes_t body)
{
	d->epoch = b->epoch;
	d->body = malloc(body.len + 1);
	if (d->body == NULL)
		return -1;
	if (body.len > 0)
		memcpy(d->body, body.bytes, body.len);
	d->body[body.len] = '\0';
	d->len = body.len;
	if (p->_flags & AMQP_BASIC_MESSAGE_ID_FLAG)
		broker_copy_bytes(d->message_id, sizeof(d->message_id), p->message_id);
	if (p->_flags & AMQP_BASIC_TYPE_FLAG)
		broker_copy_bytes(d->type, sizeof(d->type), p->type);
	if (p->_flags & AMQP_BASIC_APP_ID_FLAG)
		broker_copy_bytes(d->app_id, sizeof(d->app_id), p->app_id);
	if (p->_flags & AMQP_BASIC_CONTENT_TYPE_FLAG)
		broker_copy_bytes(d->content_type, sizeof(d->content_type), p->content_type);
	if (p->_flags & AMQP_BASIC_TIMESTAMP_FLAG)
		d->timestamp = p->timestamp;
	if (!(p->_flags & AMQP_BASIC_HEADERS_FLAG))
		return 0;
	for (int i = 0; i < p->headers.num_entries; i++) {
		const amqp_table_entry_t *e = &p->headers.entries[i];
		int64_t v;

		if (key_is(e->key, BROKER_H_ATTEMPT) && field_int(&e->value, &v)) {
			d->has_attempt = true;
			d->attempt = v < 0 ? 0 : (v > 1000000 ? 1000000 : (int)v);
		} else if (key_is(e->key, BROKER_H_FIRST) && field_int(&e->value, &v)) {
			d->first_published = (uint64_t)v;
		} else if (key_is(e->key, BROKER_H_REPLAYED) && field_int(&e->value, &v)) {
			d->replayed_at = (uint64_t)v;
		} else if (key_is(e->key, "x-delivery-count") && field_int(&e->value, &v)) {
			d->delivery_count = v;
		} else if (key_is(e->key, "x-death") && e->value.kind == AMQP_FIELD_KIND_ARRAY &&
			   e->value.value.array.num_entries > 0 &&
			   e->value.value.array.entries[0].kind == AMQP_FIELD_KIND_TABLE) {
			const amqp_table_t *t = &e->value.value.array.entries[0].value.table;
			for (int j = 0; j < t->num_entries; j++)
				if (key_is(t->entries[j].key, "reason") &&
				    (t->entries[j].value.kind == AMQP_FIELD_KIND_UTF8 ||
				     t->entries[j].value.kind == AMQP_FIELD_KIND_BYTES))
					broker_copy_bytes(d->death_reason, sizeof(d->death_reason),
							  t->entries[j].value.value.bytes);
		} else if (key_is(e->key, BROKER_H_REASON) &&
			   (e->value.kind == AMQP_FIELD_KIND_UTF8 ||
			    e->value.kind == AMQP_FIELD_KIND_BYTES)) {
			broker_copy_bytes(d->reason, sizeof(d->reason), e->value.value.bytes);
		} else if (key_is(e->key, BROKER_H_ERROR) &&
			   (e->value.kind == AMQP_FIELD_KIND_UTF8 ||
			    e->value.kind == AMQP_FIELD_KIND_BYTES)) {
			broker_copy_bytes(d->error, sizeof(d->error), e->value.value.bytes);
		}
	}
	return 0;
}

int broker_next(struct broker *b, struct broker_delivery *d, int timeout_ms)
{
	amqp_envelope_t env;
	amqp_rpc_reply_t r;
	struct timeval tv = { timeout_ms / 1000, (timeout_ms % 1000) * 1000 };

	memset(d, 0, sizeof(*d));
	if (!b->connected)
		return broker_reconnect(b, 0) == 0 ? -1 : -2;
	amqp_maybe_release_buffers(b->conn);
	r = amqp_consume_message(b->conn, &env, &tv, 0);
	if (r.reply_type == AMQP_RESPONSE_NORMAL) {
		int rc;
		d->tag = env.delivery_tag;
		d->redelivered = env.redelivered != 0;
		broker_copy_bytes(d->exchange, sizeof(d->exchange), env.exchange);
		broker_copy_bytes(d->routing_key, sizeof(d->routing_key), env.routing_key);
		rc = broker_fill_delivery(b, d, &env.message.properties, env.message.body);
		amqp_destroy_envelope(&env);
		return rc == 0 ? 1 : -2;
	}
	if (r.reply_type == AMQP_RESPONSE_LIBRARY_EXCEPTION &&
	    r.library_error == AMQP_STATUS_TIMEOUT)
		return 0;
	if (r.reply_type == AMQP_RESPONSE_LIBRARY_EXCEPTION &&
	    r.library_error == AMQP_STATUS_UNEXPECTED_STATE) {
		/* a method frame other than basic.deliver: confirm, close, cancel */
		if (broker_pump(b, 0) == 0)
			return 0;
	} else {
		char why[256];
		broker_reply_text(r, why, sizeof(why));
		log_warn("broker connection lost peer=%s error=%s", b->peer, log_quote(why));
		b->connected = false;
	}
	return broker_reconnect(b, 0) == 0 ? -1 : -2;
}

void broker_delivery_free(struct broker_delivery *d)
{
	free(d->body);
	d->body = NULL;
}

int broker_ack(struct broker *b, const struct broker_delivery *d)
{
	int st;

	if (d->epoch != b->epoch || !b->connected)
		return 1;
	broker_wd_arm(b);
	st = amqp_basic_ack(b->conn, BROKER_CHANNEL, d->tag, 0);
	broker_wd_disarm(b);
	if (st != AMQP_STATUS_OK) {
		b->connected = false;
		return -1;
	}
	return 0;
}

int broker_nack(struct broker *b, const struct broker_delivery *d, bool requeue)
{
	int st;

	if (d->epoch != b->epoch || !b->connected)
		return 1;
	broker_wd_arm(b);
	st = amqp_basic_nack(b->conn, BROKER_CHANNEL, d->tag, 0, requeue ? 1 : 0);
	broker_wd_disarm(b);
	if (st != AMQP_STATUS_OK) {
		b->connected = false;
		return -1;
	}
	return 0;
}
