#include "broker.h"

#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include <amqp_framing.h>
#include <amqp_ssl_socket.h>
#include <amqp_tcp_socket.h>
#include <openssl/err.h>

#include "../lib/clock.h"
#include "../lib/log.h"

#define CHANNEL 1
#define CONNECT_TIMEOUT_S 5
#define BACKOFF_MIN_MS 250
#define BACKOFF_MAX_MS 15000
/* a nacked publish is sent again this many times, each on a new connection */
#define NACK_RETRIES 2

struct pending {
	uint64_t seq; /* delivery tag on the current channel, 0 = not sent */
	bool refused; /* returned as unroutable: settle as failed */
	int nacks; /* nacks so far (each sent it again on a new connection) */
	char *exchange, *routing_key, *message_id, *type, *app_id, *reason, *error;
	char *body;
	size_t len;
	uint64_t timestamp, first_published, replayed_at;
	int attempt;
};

struct broker {
	struct broker_opts o;
	char *urlbuf; /* copy of o.urls, split in place */
	char *urls[16];
	size_t nurls, cur;
	char peer[160];

	amqp_connection_state_t conn;
	bool connected;
	uint64_t epoch;
	unsigned reconnects;

	uint64_t next_seq;
	struct pending *pend;
	size_t npend, cap;
	int refused_since_flush;
	bool suspect; /* a publish was nacked: leave this connection */
	unsigned nacked, returned; /* publishes refused by nack / returned unroutable */

	bool consuming;
	char consume_queue[TOPO_NAME_MAX * 2];
	char consume_tag[128];
	int prefetch;

	pthread_t watchdog;
	bool watchdog_started;
	atomic_llong deadline_ms; /* 0 = no call in progress */
	atomic_int fd;
	atomic_bool quit;
};

static bool stopping(const struct broker *b)
{
	return b->o.stop != NULL && *b->o.stop;
}

/* ---- watchdog ------------------------------------------------------------ */

static void *watchdog_main(void *arg)
{
	struct broker *b = arg;

	while (!atomic_load(&b->quit)) {
		long long dl = atomic_load(&b->deadline_ms);
		int fd = atomic_load(&b->fd);

		if (dl != 0 && clock_mono_ms() > dl && fd >= 0) {
			/* makes the blocked read or write return an error at once */
			shutdown(fd, SHUT_RDWR);
			atomic_store(&b->deadline_ms, 0);
		}
		clock_sleep_ms(100);
	}
	return NULL;
}

static void wd_arm(struct broker *b)
{
	atomic_store(&b->deadline_ms, clock_mono_ms() + (int64_t)b->o.op_timeout * 1000);
}

static void wd_disarm(struct broker *b)
{
	atomic_store(&b->deadline_ms, 0);
}

/* ---- errors ------------------------------------------------------------- */

void broker_reply_text(amqp_rpc_reply_t r, char *buf, size_t n)
{
	switch (r.reply_type) {
	case AMQP_RESPONSE_NORMAL:
		snprintf(buf, n, "ok");
		return;
	case AMQP_RESPONSE_NONE:
		snprintf(buf, n, "missing RPC reply");
		return;
	case AMQP_RESPONSE_LIBRARY_EXCEPTION:
		snprintf(buf, n, "%s", amqp_error_string2(r.library_error));
		return;
	case AMQP_RESPONSE_SERVER_EXCEPTION:
		if (r.reply.id == AMQP_CONNECTION_CLOSE_METHOD) {
			const amqp_connection_close_t *m = r.reply.decoded;
			snprintf(buf, n, "connection closed by broker: %u %.*s", m->reply_code,
				 (int)m->reply_text.len, (const char *)m->reply_text.bytes);
		} else if (r.reply.id == AMQP_CHANNEL_CLOSE_METHOD) {
			const amqp_channel_close_t *m = r.reply.decoded;
			snprintf(buf, n, "channel closed by broker: %u %.*s", m->reply_code,
				 (int)m->reply_text.len, (const char *)m->reply_text.bytes);
		} else {
			snprintf(buf, n, "unexpected server method 0x%08X", r.reply.id);
		}
		return;
	}
	snprintf(buf, n, "unknown reply type %d", (int)r.reply_type);
}

static int rpc_ok(struct broker *b, const char *what, char *err, size_t errlen)
{
	amqp_rpc_reply_t r = amqp_get_rpc_reply(b->conn);
	char why[256];

	if (r.reply_type == AMQP_RESPONSE_NORMAL)
		return 0;
	broker_reply_text(r, why, sizeof(why));
	snprintf(err, errlen, "%s: %s", what, why);
	return -1;
}

/* ---- connect ------------------------------------------------------------ */

static void conn_drop(struct broker *b)
{
	if (b->conn != NULL) {
		if (b->connected) {
			wd_arm(b);
			if (b->consuming) {
				/* Cancel the consumer and close the channel before the
				 * connection: a quorum queue drops acks still in flight
				 * when the connection just goes (the last messages acked
				 * would be redelivered). */
				amqp_basic_cancel(b->conn, CHANNEL, amqp_cstring_bytes(b->consume_tag));
				amqp_channel_close(b->conn, CHANNEL, AMQP_REPLY_SUCCESS);
			}
			amqp_connection_close(b->conn, AMQP_REPLY_SUCCESS);
			wd_disarm(b);
		}
		/* only now: the watchdog may have to cut the close handshake */
		atomic_store(&b->fd, -1);
		amqp_destroy_connection(b->conn);
	}
	b->conn = NULL;
	b->connected = false;
}

static void set_keepalive(int fd)
{
	int on = 1, idle = 10, intvl = 5, cnt = 3;

	setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &on, sizeof(on));
	setsockopt(fd, IPPROTO_TCP, TCP_KEEPIDLE, &idle, sizeof(idle));
	setsockopt(fd, IPPROTO_TCP, TCP_KEEPINTVL, &intvl, sizeof(intvl));
	setsockopt(fd, IPPROTO_TCP, TCP_KEEPCNT, &cnt, sizeof(cnt));
}

static int setup_consume(struct broker *b, char *err, size_t errlen)
{
	amqp_basic_qos(b->conn, CHANNEL, 0, (uint16_t)b->prefetch, 0);
	if (rpc_ok(b, "basic.qos", err, errlen) != 0)
		return -1;
	amqp_basic_consume(b->conn, CHANNEL, amqp_cstring_bytes(b->consume_queue),
			   amqp_cstring_bytes(b->consume_tag), 0, 0, 0, amqp_empty_table);
	return rpc_ok(b, "basic.consume", err, errlen);
}

static int connect_one(struct broker *b, const char *url, char *err, size_t errlen)
{
	struct amqp_connection_info ci;
	char buf[1024];
	amqp_socket_t *sock;
	struct timeval tv = { CONNECT_TIMEOUT_S, 0 };
	struct timeval rpc = { b->o.op_timeout, 0 };
	amqp_table_entry_t props[2];
	amqp_table_t ptable;
	int st;

	snprintf(buf, sizeof(buf), "%s", url);
	amqp_default_connection_info(&ci);
	if (amqp_parse_url(buf, &ci) != AMQP_STATUS_OK) {
		snprintf(err, errlen, "cannot parse AMQP URL");
		return -1;
	}
	if (ci.vhost == NULL || ci.vhost[0] == '\0')
		ci.vhost = (char *)"/";
	snprintf(b->peer, sizeof(b->peer), "%s:%d", ci.host, ci.port);
	b->conn = amqp_new_connection();
	if (b->conn == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	if (ci.ssl) {
		sock = amqp_ssl_socket_new(b->conn);
		if (sock == NULL) {
			snprintf(err, errlen, "cannot create TLS socket");
			goto fail;
		}
		amqp_ssl_socket_set_verify_peer(sock, 1);
		amqp_ssl_socket_set_verify_hostname(sock, b->o.verify_hostname ? 1 : 0);
		amqp_ssl_socket_set_ssl_versions(sock, AMQP_TLSv1_2, AMQP_TLSvLATEST);
		if (b->o.ca_cert != NULL && b->o.ca_cert[0] != '\0' &&
		    (st = amqp_ssl_socket_set_cacert(sock, b->o.ca_cert)) != AMQP_STATUS_OK) {
			snprintf(err, errlen, "TLS CA file %s: %s", b->o.ca_cert,
				 amqp_error_string2(st));
			goto fail;
		}
		if (b->o.client_cert != NULL && b->o.client_cert[0] != '\0' &&
		    (st = amqp_ssl_socket_set_key(sock, b->o.client_cert, b->o.client_key)) !=
			    AMQP_STATUS_OK) {
			snprintf(err, errlen, "TLS client certificate %s: %s", b->o.client_cert,
				 amqp_error_string2(st));
			goto fail;
		}
	} else {
		sock = amqp_tcp_socket_new(b->conn);
		if (sock == NULL) {
			snprintf(err, errlen, "cannot create socket");
			goto fail;
		}
	}
	ERR_clear_error();
	st = amqp_socket_open_noblock(sock, ci.host, ci.port, &tv);
	if (st != AMQP_STATUS_OK) {
		snprintf(err, errlen, "connect %s: %s%s", b->peer, amqp_error_string2(st),
			 !ci.ssl ? ""
			 : st == AMQP_STATUS_SSL_HOSTNAME_VERIFY_FAILED
				 ? " (TLS: the URL's host must be a DNS name of the broker certificate;"
				   " rabbitmq-c 0.11 does not match IP addresses: use the name, or"
				   " amqp.verify_hostname = false)"
				 : " (TLS: check amqp.ca_cert and the broker certificate)");
		goto fail;
	}
	set_keepalive(amqp_get_sockfd(b->conn));
	atomic_store(&b->fd, amqp_get_sockfd(b->conn));
	amqp_set_rpc_timeout(b->conn, &rpc);

	props[0].key = amqp_cstring_bytes("connection_name");
	props[0].value.kind = AMQP_FIELD_KIND_UTF8;
	props[0].value.value.bytes = amqp_cstring_bytes(b->o.conn_name ? b->o.conn_name : "bf");
	props[1].key = amqp_cstring_bytes("product");
	props[1].value.kind = AMQP_FIELD_KIND_UTF8;
	props[1].value.value.bytes = amqp_cstring_bytes("bf-datavideos");
	ptable.num_entries = 2;
	ptable.entries = props;
	wd_arm(b);
	amqp_rpc_reply_t r = amqp_login_with_properties(b->conn, ci.vhost, 0, 131072,
							b->o.heartbeat, &ptable,
							AMQP_SASL_METHOD_PLAIN, ci.user, ci.password);
	wd_disarm(b);
	if (r.reply_type != AMQP_RESPONSE_NORMAL) {
		char why[256], tls[256] = "";
		broker_reply_text(r, why, sizeof(why));
		if (ci.ssl && r.reply_type == AMQP_RESPONSE_LIBRARY_EXCEPTION) {
			/* the broker's TLS alert ("certificate required") is only in OpenSSL's queue */
			unsigned long e = ERR_peek_last_error();
			const char *reason = e != 0 ? ERR_reason_error_string(e) : NULL;
			bool have_cert = b->o.client_cert != NULL && b->o.client_cert[0] != '\0';
			snprintf(tls, sizeof(tls), " (TLS%s%s: %s)", reason ? ": " : "", reason ? reason : "",
				 have_cert ? "the broker refused the handshake; check amqp.client_cert"
					   : "the broker may require a client certificate: set amqp.client_cert and amqp.client_key");
		}
		snprintf(err, errlen, "login to %s vhost %.64s: %.160s%.250s", b->peer, ci.vhost, why, tls);
		goto fail;
	}
	b->connected = true;
	wd_arm(b);
	amqp_channel_open(b->conn, CHANNEL);
	if (rpc_ok(b, "channel.open", err, errlen) != 0)
		goto fail_armed;
	amqp_confirm_select(b->conn, CHANNEL);
	if (rpc_ok(b, "confirm.select", err, errlen) != 0)
		goto fail_armed;
	if (b->o.topo != NULL && topo_declare(b->conn, CHANNEL, b->o.topo, err, errlen) != 0)
		goto fail_armed;
	if (b->consuming && setup_consume(b, err, errlen) != 0)
		goto fail_armed;
	wd_disarm(b);
	b->next_seq = 1;
	return 0;
fail_armed:
	wd_disarm(b);
fail:
	conn_drop(b);
	return -1;
}

static int send_pending(struct broker *b, struct pending *p);

/*
 * (Re)connects, moving along the URL list with backoff and jitter, until
 * connected, deadline (ms, 0 = none) passes, tries run out or stop is set.
 * Then republishes the whole window.
 */
static int reconnect(struct broker *b, int64_t deadline)
{
	int backoff = BACKOFF_MIN_MS;
	int tries = 0;
	char err[1024];

	for (;;) {
		conn_drop(b);
		if (connect_one(b, b->urls[b->cur], err, sizeof(err)) == 0)
			break;
		tries++;
		log_warn("broker connect failed url=%s error=\"%s\" try=%d", b->urls[b->cur], err,
			 tries);
		b->cur = (b->cur + 1) % b->nurls;
		/* max_connect_tries bounds the first connect only; later the
		 * caller's deadline and the stop flag decide */
		if (b->epoch == 0 && b->o.max_connect_tries > 0 && tries >= b->o.max_connect_tries)
			return -1;
		/* full jitter around the backoff: 50..150% */
		int wait = backoff / 2 + (int)(random() % (backoff + 1));
		for (int slept = 0; slept < wait; slept += 100) {
			if (stopping(b) || (deadline != 0 && clock_mono_ms() >= deadline))
				return -1;
			clock_sleep_ms(100);
		}
		backoff = backoff * 2 > BACKOFF_MAX_MS ? BACKOFF_MAX_MS : backoff * 2;
	}
	if (b->epoch > 0) {
		b->reconnects++;
		log_info("broker reconnected peer=%s reconnects=%u republishing=%zu", b->peer,
			 b->reconnects, b->npend);
	}
	b->epoch++;
	for (size_t i = 0; i < b->npend; i++)
		b->pend[i].seq = 0;
	for (size_t i = 0; i < b->npend; i++) {
		if (b->pend[i].refused)
			continue;
		if (send_pending(b, &b->pend[i]) != 0)
			return reconnect(b, deadline);
	}
	return 0;
}

static int ensure_connected(struct broker *b, int64_t deadline)
{
	if (b->connected)
		return 0;
	return reconnect(b, deadline);
}

int broker_open(struct broker **out, const struct broker_opts *o)
{
	struct broker *b = calloc(1, sizeof(*b));
	char *save = NULL;

	*out = NULL;
	if (b == NULL)
		return -1;
	b->o = *o;
	if (b->o.op_timeout <= 0)
		b->o.op_timeout = 20;
	if (b->o.confirm_window <= 0)
		b->o.confirm_window = 100;
	atomic_store(&b->fd, -1);
	b->urlbuf = strdup(o->urls != NULL ? o->urls : "");
	if (b->urlbuf == NULL)
		goto fail;
	for (char *u = strtok_r(b->urlbuf, ", ", &save); u != NULL && b->nurls < 16;
	     u = strtok_r(NULL, ", ", &save))
		b->urls[b->nurls++] = u;
	if (b->nurls == 0) {
		log_err("broker: no AMQP URL configured");
		goto fail;
	}
	srandom((unsigned)(clock_mono_ms() ^ (int64_t)getpid()));
	if (pthread_create(&b->watchdog, NULL, watchdog_main, b) != 0)
		goto fail;
	b->watchdog_started = true;
	if (reconnect(b, 0) != 0)
		goto fail;
	*out = b;
	return 0;
fail:
	broker_close(b);
	return -1;
}

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

void broker_close(struct broker *b)
{
	if (b == NULL)
		return;
	conn_drop(b);
	if (b->watchdog_started) {
		atomic_store(&b->quit, true);
		pthread_join(b->watchdog, NULL);
	}
	for (size_t i = 0; i < b->npend; i++)
		pending_free(&b->pend[i]);
	free(b->pend);
	free(b->urlbuf);
	free(b);
}

const char *broker_peer(const struct broker *b)
{
	return b->peer;
}

uint64_t broker_epoch(const struct broker *b)
{
	return b->epoch;
}

unsigned broker_reconnects(const struct broker *b)
{
	return b->reconnects;
}

void broker_refusals(const struct broker *b, unsigned *nacked, unsigned *returned)
{
	*nacked = b->nacked;
	*returned = b->returned;
}

/* ---- publish ------------------------------------------------------------ */

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
	wd_arm(b);
	st = amqp_basic_publish(b->conn, CHANNEL, amqp_cstring_bytes(p->exchange),
				amqp_cstring_bytes(p->routing_key), 1, 0, &props, body);
	wd_disarm(b);
	if (st != AMQP_STATUS_OK) {
		log_warn("broker publish failed peer=%s error=\"%s\"", b->peer,
			 amqp_error_string2(st));
		b->connected = false;
		return -1;
	}
	p->seq = b->next_seq++;
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
		} else if (!ok) {
			/*
			 * The broker did not take the message.  Seen on a cluster
			 * after a node loss: every publish of one connection to a
			 * quorum queue nacked for minutes while fresh connections
			 * were fine.  Send it again on a new connection (to the
			 * next URL) before calling it refused.
			 */
			b->nacked++;
			if (p->nacks < NACK_RETRIES) {
				p->nacks++;
				p->seq = 0;
				b->suspect = true;
				log_warn("broker nacked message message_id=%s routing_key=%s nacks=%d:"
					 " sending it again on a new connection",
					 p->message_id ? p->message_id : "-", p->routing_key, p->nacks);
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

/* Reads frames for up to timeout_ms; handles confirms.  -1 = connection lost. */
static int pump(struct broker *b, int timeout_ms)
{
	amqp_frame_t f;
	struct timeval tv = { timeout_ms / 1000, (timeout_ms % 1000) * 1000 };
	int st;

	st = amqp_simple_wait_frame_noblock(b->conn, &f, &tv);
	if (st == AMQP_STATUS_TIMEOUT)
		return 0;
	if (st != AMQP_STATUS_OK) {
		log_warn("broker connection lost peer=%s error=\"%s\"", b->peer,
			 amqp_error_string2(st));
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
			conn_drop(b);
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
		log_warn("broker channel closed peer=%s code=%u text=\"%.*s\"", b->peer,
			 m->reply_code, (int)m->reply_text.len, (const char *)m->reply_text.bytes);
		amqp_send_method(b->conn, f.channel, AMQP_CHANNEL_CLOSE_OK_METHOD, &ok);
		b->connected = false;
		return -1;
	}
	case AMQP_CONNECTION_CLOSE_METHOD: {
		const amqp_connection_close_t *m = f.payload.method.decoded;
		amqp_connection_close_ok_t ok;
		log_warn("broker closed the connection peer=%s code=%u text=\"%.*s\"", b->peer,
			 m->reply_code, (int)m->reply_text.len, (const char *)m->reply_text.bytes);
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
	int64_t deadline = clock_mono_ms() + (int64_t)b->o.op_timeout * 1000;

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
	b->npend++;

	if (!b->connected) {
		/* reconnect() republishes the whole window, this message included */
		if (reconnect(b, deadline) != 0)
			return -1;
	} else if (send_pending(b, &b->pend[b->npend - 1]) != 0 && reconnect(b, deadline) != 0) {
		return -1;
	}
	while (inflight(b) >= (size_t)b->o.confirm_window) {
		if (clock_mono_ms() >= deadline || stopping(b))
			return -1;
		if (pump(b, 200) != 0 && reconnect(b, deadline) != 0)
			return -1;
	}
	return 0;
}

int broker_idle(struct broker *b)
{
	if (!b->connected)
		return 0;
	/* rabbitmq-c sends a due heartbeat while it waits for a frame */
	return pump(b, 0);
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
		if (!b->connected && (stopping(b) || reconnect(b, deadline) != 0))
			return -1;
		if (pump(b, left > 200 ? 200 : (int)left) != 0 && reconnect(b, deadline) != 0)
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

/* ---- consume ------------------------------------------------------------ */

int broker_consume(struct broker *b, const char *queue, int prefetch, const char *tag)
{
	char err[1024];

	snprintf(b->consume_queue, sizeof(b->consume_queue), "%s", queue);
	snprintf(b->consume_tag, sizeof(b->consume_tag), "%s", tag != NULL ? tag : "");
	b->prefetch = prefetch > 0 ? prefetch : 1;
	b->consuming = true;
	if (!b->connected)
		return reconnect(b, 0);
	wd_arm(b);
	int rc = setup_consume(b, err, sizeof(err));
	wd_disarm(b);
	if (rc != 0) {
		log_err("broker consume queue=%s error=\"%s\"", queue, err);
		b->connected = false;
		b->consuming = false;
		return -1;
	}
	return 0;
}

static void copy_bytes(char *dst, size_t n, amqp_bytes_t src)
{
	size_t len = src.len < n - 1 ? src.len : n - 1;

	if (src.bytes != NULL)
		memcpy(dst, src.bytes, len);
	dst[len] = '\0';
}

static bool field_int(const amqp_field_value_t *v, int64_t *out)
{
	switch (v->kind) {
	case AMQP_FIELD_KIND_I8: *out = v->value.i8; return true;
	case AMQP_FIELD_KIND_U8: *out = v->value.u8; return true;
	case AMQP_FIELD_KIND_I16: *out = v->value.i16; return true;
	case AMQP_FIELD_KIND_U16: *out = v->value.u16; return true;
	case AMQP_FIELD_KIND_I32: *out = v->value.i32; return true;
	case AMQP_FIELD_KIND_U32: *out = v->value.u32; return true;
	case AMQP_FIELD_KIND_I64: *out = v->value.i64; return true;
	case AMQP_FIELD_KIND_U64:
	case AMQP_FIELD_KIND_TIMESTAMP: *out = (int64_t)v->value.u64; return true;
	default: return false;
	}
}

static bool key_is(amqp_bytes_t k, const char *name)
{
	return k.len == strlen(name) && memcmp(k.bytes, name, k.len) == 0;
}

static int fill_delivery(struct broker *b, struct broker_delivery *d,
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
		copy_bytes(d->message_id, sizeof(d->message_id), p->message_id);
	if (p->_flags & AMQP_BASIC_TYPE_FLAG)
		copy_bytes(d->type, sizeof(d->type), p->type);
	if (p->_flags & AMQP_BASIC_APP_ID_FLAG)
		copy_bytes(d->app_id, sizeof(d->app_id), p->app_id);
	if (p->_flags & AMQP_BASIC_CONTENT_TYPE_FLAG)
		copy_bytes(d->content_type, sizeof(d->content_type), p->content_type);
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
					copy_bytes(d->death_reason, sizeof(d->death_reason),
						   t->entries[j].value.value.bytes);
		} else if (key_is(e->key, BROKER_H_REASON) &&
			   (e->value.kind == AMQP_FIELD_KIND_UTF8 ||
			    e->value.kind == AMQP_FIELD_KIND_BYTES)) {
			copy_bytes(d->reason, sizeof(d->reason), e->value.value.bytes);
		} else if (key_is(e->key, BROKER_H_ERROR) &&
			   (e->value.kind == AMQP_FIELD_KIND_UTF8 ||
			    e->value.kind == AMQP_FIELD_KIND_BYTES)) {
			copy_bytes(d->error, sizeof(d->error), e->value.value.bytes);
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
		return reconnect(b, 0) == 0 ? -1 : -2;
	amqp_maybe_release_buffers(b->conn);
	r = amqp_consume_message(b->conn, &env, &tv, 0);
	if (r.reply_type == AMQP_RESPONSE_NORMAL) {
		int rc;
		d->tag = env.delivery_tag;
		d->redelivered = env.redelivered != 0;
		copy_bytes(d->exchange, sizeof(d->exchange), env.exchange);
		copy_bytes(d->routing_key, sizeof(d->routing_key), env.routing_key);
		rc = fill_delivery(b, d, &env.message.properties, env.message.body);
		amqp_destroy_envelope(&env);
		return rc == 0 ? 1 : -2;
	}
	if (r.reply_type == AMQP_RESPONSE_LIBRARY_EXCEPTION &&
	    r.library_error == AMQP_STATUS_TIMEOUT)
		return 0;
	if (r.reply_type == AMQP_RESPONSE_LIBRARY_EXCEPTION &&
	    r.library_error == AMQP_STATUS_UNEXPECTED_STATE) {
		/* a method frame other than basic.deliver: confirm, close, cancel */
		if (pump(b, 0) == 0)
			return 0;
	} else {
		char why[256];
		broker_reply_text(r, why, sizeof(why));
		log_warn("broker connection lost peer=%s error=\"%s\"", b->peer, why);
		b->connected = false;
	}
	return reconnect(b, 0) == 0 ? -1 : -2;
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
	wd_arm(b);
	st = amqp_basic_ack(b->conn, CHANNEL, d->tag, 0);
	wd_disarm(b);
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
	wd_arm(b);
	st = amqp_basic_nack(b->conn, CHANNEL, d->tag, 0, requeue ? 1 : 0);
	wd_disarm(b);
	if (st != AMQP_STATUS_OK) {
		b->connected = false;
		return -1;
	}
	return 0;
}

int broker_declare(struct broker *b, char *err, size_t errlen)
{
	int rc;

	if (b->o.topo == NULL)
		return 0;
	if (ensure_connected(b, clock_mono_ms() + (int64_t)b->o.op_timeout * 1000) != 0) {
		snprintf(err, errlen, "not connected");
		return -1;
	}
	wd_arm(b);
	rc = topo_declare(b->conn, CHANNEL, b->o.topo, err, errlen);
	wd_disarm(b);
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

	if (ensure_connected(b, clock_mono_ms() + (int64_t)b->o.op_timeout * 1000) != 0)
		return -1;
	wd_arm(b);
	*ok = amqp_queue_declare(b->conn, CHANNEL, amqp_cstring_bytes(queue), 1, 0, 0, 0,
				 amqp_empty_table);
	wd_disarm(b);
	if (*ok != NULL)
		return 0;
	r = amqp_get_rpc_reply(b->conn);
	if (r.reply_type != AMQP_RESPONSE_SERVER_EXCEPTION || r.reply.id != AMQP_CHANNEL_CLOSE_METHOD ||
	    ((const amqp_channel_close_t *)r.reply.decoded)->reply_code != AMQP_NOT_FOUND) {
		b->connected = false;
		return -1;
	}
	amqp_channel_close_ok_t close_ok = { 0 };
	if (b->consuming || b->npend > 0) {
		b->connected = false;
		return 1;
	}
	wd_arm(b);
	if (amqp_send_method(b->conn, CHANNEL, AMQP_CHANNEL_CLOSE_OK_METHOD, &close_ok) != AMQP_STATUS_OK) {
		wd_disarm(b);
		b->connected = false;
		return 1;
	}
	amqp_channel_open(b->conn, CHANNEL);
	if (rpc_ok(b, "channel.open", err, sizeof(err)) == 0) {
		amqp_confirm_select(b->conn, CHANNEL);
		if (rpc_ok(b, "confirm.select", err, sizeof(err)) != 0)
			b->connected = false;
	} else {
		b->connected = false;
	}
	wd_disarm(b);
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

	if (ensure_connected(b, clock_mono_ms() + (int64_t)b->o.op_timeout * 1000) != 0)
		return -1;
	wd_arm(b);
	ok = amqp_queue_purge(b->conn, CHANNEL, amqp_cstring_bytes(queue));
	wd_disarm(b);
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
	if (ensure_connected(b, clock_mono_ms() + (int64_t)b->o.op_timeout * 1000) != 0)
		return -1;
	wd_arm(b);
	r = amqp_basic_get(b->conn, CHANNEL, amqp_cstring_bytes(queue), 0);
	if (r.reply_type != AMQP_RESPONSE_NORMAL) {
		wd_disarm(b);
		b->connected = false;
		return -1;
	}
	if (r.reply.id == AMQP_BASIC_GET_EMPTY_METHOD) {
		wd_disarm(b);
		return 0;
	}
	const amqp_basic_get_ok_t *ok = r.reply.decoded;
	d->tag = ok->delivery_tag;
	d->redelivered = ok->redelivered != 0;
	copy_bytes(d->exchange, sizeof(d->exchange), ok->exchange);
	copy_bytes(d->routing_key, sizeof(d->routing_key), ok->routing_key);
	r = amqp_read_message(b->conn, CHANNEL, &m, 0);
	wd_disarm(b);
	if (r.reply_type != AMQP_RESPONSE_NORMAL) {
		b->connected = false;
		return -1;
	}
	rc = fill_delivery(b, d, &m.properties, m.body);
	amqp_destroy_message(&m);
	return rc == 0 ? 1 : -1;
}
