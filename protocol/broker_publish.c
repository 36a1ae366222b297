/*
 * broker_publish.c: publish with confirms.  Every publish is copied into the
 * window and stays there until the broker confirms it; the window is sent
 * again after every reconnect (broker_republish); a nacked publish is sent
 * again on a new connection, up to NACK_RETRIES times.
 */
#include "broker_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>

#include <amqp_framing.h>

#include "../lib/clock.h"
#include "../lib/log.h"
#include "../lib/metrics.h"

/* a nacked publish is sent again this many times, each on a new connection */
#define NACK_RETRIES 2

static void pending_free(struct pending *p)
{
	free(p->exchange);
	free(p->routing_key);
	free(p->message_id);
	free(p->type);
	free(p->app_id);
	free(p->reason);
	free(p->error);
	free(p->body);
}

static char *dup_or_null(const char *s)
{
	return s != NULL ? strdup(s) : NULL;
}

static int send_pending(struct broker *b, struct pending *p)
{
	amqp_basic_properties_t props;
	amqp_table_entry_t h[5];
	int nh = 0, st;

	memset(&props, 0, sizeof(props));
	props._flags = AMQP_BASIC_CONTENT_TYPE_FLAG | AMQP_BASIC_DELIVERY_MODE_FLAG |
		       AMQP_BASIC_TIMESTAMP_FLAG | AMQP_BASIC_HEADERS_FLAG;
	props.content_type = amqp_cstring_bytes("application/json");
	props.delivery_mode = 2;
	props.timestamp = p->timestamp;
	if (p->message_id != NULL) {
		props._flags |= AMQP_BASIC_MESSAGE_ID_FLAG;
		props.message_id = amqp_cstring_bytes(p->message_id);
	}
	if (p->type != NULL) {
		props._flags |= AMQP_BASIC_TYPE_FLAG;
		props.type = amqp_cstring_bytes(p->type);
	}
	if (p->app_id != NULL) {
		props._flags |= AMQP_BASIC_APP_ID_FLAG;
		props.app_id = amqp_cstring_bytes(p->app_id);
	}
	h[nh].key = amqp_cstring_bytes(BROKER_H_ATTEMPT);
	h[nh].value.kind = AMQP_FIELD_KIND_I32;
	h[nh++].value.value.i32 = p->attempt;
	h[nh].key = amqp_cstring_bytes(BROKER_H_FIRST);
	h[nh].value.kind = AMQP_FIELD_KIND_TIMESTAMP;
	h[nh++].value.value.u64 = p->first_published;
	if (p->reason != NULL) {
		h[nh].key = amqp_cstring_bytes(BROKER_H_REASON);
		h[nh].value.kind = AMQP_FIELD_KIND_UTF8;
		h[nh++].value.value.bytes = amqp_cstring_bytes(p->reason);
	}
	if (p->error != NULL) {
		h[nh].key = amqp_cstring_bytes(BROKER_H_ERROR);
		h[nh].value.kind = AMQP_FIELD_KIND_UTF8;
		h[nh++].value.value.bytes = amqp_cstring_bytes(p->error);
	}
	if (p->replayed_at != 0) {
		h[nh].key = amqp_cstring_bytes(BROKER_H_REPLAYED);
		h[nh].value.kind = AMQP_FIELD_KIND_TIMESTAMP;
		h[nh++].value.value.u64 = p->replayed_at;
	}
	props.headers.num_entries = nh;
	props.headers.entries = h;

	amqp_bytes_t body = { p->len, p->body };
	broker_wd_arm(b);
	st = amqp_basic_publish(b->conn, BROKER_CHANNEL, amqp_cstring_bytes(p->exchange),
				amqp_cstring_bytes(p->routing_key), p->optional ? 0 : 1, 0, &props,
				body);
	broker_wd_disarm(b);
	if (st != AMQP_STATUS_OK) {
		log_warn("broker publish failed peer=%s error=%s", b->peer,
			 log_quote(amqp_error_string2(st)));
		b->connected = false;
		return -1;
	}
	p->seq = b->next_seq++;
	return 0;
}

int broker_republish(struct broker *b)
{
	for (size_t i = 0; i < b->npend; i++)
		b->pend[i].seq = 0;
	for (size_t i = 0; i < b->npend; i++) {
		if (b->pend[i].refused)
			continue;
		if (send_pending(b, &b->pend[i]) != 0)
			return -1;
	}
	return 0;
}

static void settle(struct broker *b, uint64_t tag, bool multiple, bool ok)
{
	size_t w = 0;

	for (size_t i = 0; i < b->npend; i++) {
		struct pending *p = &b->pend[i];
		bool hit = p->seq != 0 && (multiple ? p->seq <= tag : p->seq == tag);

		if (!hit) {
			b->pend[w++] = *p;
			continue;
		}
		if (p->refused) {
			b->returned++;
			metrics_add(M_BROKER_PUBLISH_NACKS, 1, METRICS_END);
		} else if (!ok) {
			/*
			 * The broker did not take the message.  Seen on a cluster
			 * after a node loss: every publish of one connection to a
			 * quorum queue nacked for minutes while fresh connections
			 * were fine.  Send it again on a new connection (to the
			 * next URL) before calling it refused.
			 */
			b->nacked++;
			metrics_add(M_BROKER_PUBLISH_NACKS, 1, METRICS_END);
			if (p->nacks < NACK_RETRIES) {
				p->nacks++;
				p->seq = 0;
				b->suspect = true;
				log_warn("broker nacked message message_id=%s routing_key=%s nacks=%d:"
					 " sending it again on a new connection",
					 p->message_id ? p->message_id : "-", p->routing_key,
					 p->nacks);
				b->pend[w++] = *p;
				continue;
			}
		}
		if (!ok || p->refused) {
			b->refused_since_flush++;
			log_warn("broker refused message message_id=%s routing_key=%s reason=%s",
				 p->message_id ? p->message_id : "-", p->routing_key,
				 p->refused ? "unroutable" : "nack");
		}
		pending_free(p);
	}
	b->npend = w;
}

int broker_pump(struct broker *b, int timeout_ms)
{
	amqp_frame_t f;
	struct timeval tv = { timeout_ms / 1000, (timeout_ms % 1000) * 1000 };
	int st;

	st = amqp_simple_wait_frame_noblock(b->conn, &f, &tv);
	if (st == AMQP_STATUS_TIMEOUT)
		return 0;
	if (st != AMQP_STATUS_OK) {
		log_warn("broker connection lost peer=%s error=%s", b->peer,
			 log_quote(amqp_error_string2(st)));
		b->connected = false;
		return -1;
	}
	if (f.frame_type != AMQP_FRAME_METHOD)
		return 0;
	switch (f.payload.method.id) {
	case AMQP_BASIC_ACK_METHOD: {
		const amqp_basic_ack_t *a = f.payload.method.decoded;
		settle(b, a->delivery_tag, a->multiple != 0, true);
		return 0;
	}
	case AMQP_BASIC_NACK_METHOD: {
		const amqp_basic_nack_t *a = f.payload.method.decoded;
		settle(b, a->delivery_tag, a->multiple != 0, false);
		if (b->suspect) {
			/* the caller reconnects (next URL) and sends the window again */
			b->suspect = false;
			log_warn("broker nacked a publish: leaving the connection peer=%s nacked=%u",
				 b->peer, b->nacked);
			b->cur = (b->cur + 1) % b->nurls;
			broker_conn_drop(b);
			return -1;
		}
		return 0;
	}
	case AMQP_BASIC_RETURN_METHOD: {
		amqp_message_t m;
		amqp_rpc_reply_t r = amqp_read_message(b->conn, f.channel, &m, 0);
		if (r.reply_type != AMQP_RESPONSE_NORMAL) {
			b->connected = false;
			return -1;
		}
		if (m.properties._flags & AMQP_BASIC_MESSAGE_ID_FLAG) {
			for (size_t i = 0; i < b->npend; i++) {
				struct pending *p = &b->pend[i];
				if (p->seq != 0 && !p->refused && p->message_id != NULL &&
				    strlen(p->message_id) == m.properties.message_id.len &&
				    memcmp(p->message_id, m.properties.message_id.bytes,
					   m.properties.message_id.len) == 0) {
					p->refused = true;
					break;
				}
			}
		}
		amqp_destroy_message(&m);
		return 0;
	}
	case AMQP_CHANNEL_CLOSE_METHOD: {
		const amqp_channel_close_t *m = f.payload.method.decoded;
		amqp_channel_close_ok_t ok;
		char text[256]; /* a short string: 255 bytes at most */
		snprintf(text, sizeof(text), "%.*s", (int)m->reply_text.len,
			 (const char *)m->reply_text.bytes);
		log_warn("broker channel closed peer=%s code=%u text=%s", b->peer, m->reply_code,
			 log_quote(text));
		amqp_send_method(b->conn, f.channel, AMQP_CHANNEL_CLOSE_OK_METHOD, &ok);
		b->connected = false;
		return -1;
	}
	case AMQP_CONNECTION_CLOSE_METHOD: {
		const amqp_connection_close_t *m = f.payload.method.decoded;
		amqp_connection_close_ok_t ok;
		char text[256]; /* a short string: 255 bytes at most */
		snprintf(text, sizeof(text), "%.*s", (int)m->reply_text.len,
			 (const char *)m->reply_text.bytes);
		log_warn("broker closed the connection peer=%s code=%u text=%s", b->peer,
			 m->reply_code, log_quote(text));
		amqp_send_method(b->conn, 0, AMQP_CONNECTION_CLOSE_OK_METHOD, &ok);
		b->connected = false;
		return -1;
	}
	default:
		return 0;
	}
}

static size_t inflight(const struct broker *b)
{
	size_t n = 0;

	for (size_t i = 0; i < b->npend; i++)
		if (b->pend[i].seq != 0)
			n++;
	return n;
}

int broker_publish(struct broker *b, const struct broker_msg *m)
{
	struct pending *p;
	int64_t deadline = broker_op_deadline(b);

	if (b->npend == b->cap) {
		size_t ncap = b->cap ? b->cap * 2 : 64;
		struct pending *np = realloc(b->pend, ncap * sizeof(*np));
		if (np == NULL)
			return -1;
		b->pend = np;
		b->cap = ncap;
	}
	p = &b->pend[b->npend];
	memset(p, 0, sizeof(*p));
	p->exchange = strdup(m->exchange != NULL ? m->exchange : "");
	p->routing_key = strdup(m->routing_key != NULL ? m->routing_key : "");
	p->message_id = dup_or_null(m->message_id);
	p->type = dup_or_null(m->type);
	p->app_id = dup_or_null(m->app_id != NULL ? m->app_id : log_prog());
	p->reason = dup_or_null(m->reason);
	p->error = dup_or_null(m->error);
	p->body = malloc(m->len + 1);
	if (p->exchange == NULL || p->routing_key == NULL || p->body == NULL) {
		pending_free(p);
		return -1;
	}
	memcpy(p->body, m->body, m->len);
	p->body[m->len] = '\0';
	p->len = m->len;
	p->timestamp = m->timestamp != 0 ? m->timestamp : (uint64_t)time(NULL);
	p->first_published = m->first_published != 0 ? m->first_published : p->timestamp;
	p->replayed_at = m->replayed_at;
	p->attempt = m->attempt;
	p->optional = m->optional;
	b->npend++;

	if (!b->connected) {
		/* broker_reconnect() republishes the whole window, this message included */
		if (broker_reconnect(b, deadline) != 0)
			return -1;
	} else if (send_pending(b, &b->pend[b->npend - 1]) != 0 &&
		   broker_reconnect(b, deadline) != 0) {
		return -1;
	}
	while (inflight(b) >= (size_t)b->o.confirm_window) {
		if (clock_mono_ms() >= deadline || broker_stopping(b))
			return -1;
		if (broker_pump(b, 200) != 0 && broker_reconnect(b, deadline) != 0)
			return -1;
	}
	return 0;
}

/* How often broker_idle() tries to rebuild a lost connection. */
#define IDLE_RECONNECT_MS 5000

int broker_idle(struct broker *b)
{
	if (!b->connected) {
		/* a connection lost while idle is rebuilt now and then, one
		 * try each time (not only at the next publish): the process
		 * says it is connected only when it is */
		int64_t now = clock_mono_ms();
		if (b->epoch > 0 && !broker_stopping(b) &&
		    now - b->idle_try_ms >= IDLE_RECONNECT_MS) {
			b->idle_try_ms = now;
			if (broker_reconnect(b, now + 1000) != 0)
				return 0; /* tried again in IDLE_RECONNECT_MS */
		}
		return 0;
	}
	/* rabbitmq-c sends a due heartbeat while it waits for a frame */
	return broker_pump(b, 0);
}

int broker_flush(struct broker *b, int timeout_ms)
{
	int64_t deadline = clock_mono_ms() + timeout_ms;
	int refused;

	while (b->npend > 0) {
		/* refused entries that were never (re)sent are dropped here */
		bool any_live = false;
		for (size_t i = 0; i < b->npend; i++)
			if (!b->pend[i].refused || b->pend[i].seq != 0)
				any_live = true;
		if (!any_live) {
			b->refused_since_flush += (int)b->npend;
			for (size_t i = 0; i < b->npend; i++)
				pending_free(&b->pend[i]);
			b->npend = 0;
			break;
		}
		int64_t left = deadline - clock_mono_ms();
		if (left <= 0)
			return -1;
		/* stopping: the confirms of what was sent are still awaited (a
		 * message republished and then requeued as unconfirmed would be
		 * there twice), but a lost connection is not rebuilt */
		if (!b->connected && (broker_stopping(b) || broker_reconnect(b, deadline) != 0))
			return -1;
		if (broker_pump(b, left > 200 ? 200 : (int)left) != 0 &&
		    broker_reconnect(b, deadline) != 0)
			return -1;
	}
	refused = b->refused_since_flush;
	b->refused_since_flush = 0;
	return refused;
}

size_t broker_unconfirmed(const struct broker *b)
{
	return b->npend;
}

void broker_discard_unconfirmed(struct broker *b)
{
	for (size_t i = 0; i < b->npend; i++)
		pending_free(&b->pend[i]);
	b->npend = 0;
	b->refused_since_flush = 0;
}

int broker_publish_confirmed(struct broker *b, const struct broker_msg *m, int timeout_ms)
{
	if (broker_publish(b, m) != 0 || broker_flush(b, timeout_ms) != 0) {
		broker_discard_unconfirmed(b);
		return -1;
	}
	return 0;
}
