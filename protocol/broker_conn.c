/*
 * broker_conn.c: the handle and its connection.  Connect (TCP or TLS, login with
 * the connection name, channel in confirm mode, topology, consumer), the
 * watchdog thread that cuts a blocked call after op_timeout, and the
 * reconnect loop that moves along the URL list with backoff and jitter.
 */
#include "broker_int.h"

#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
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
#include <curl/curl.h>
#include <openssl/err.h>

#include "../lib/log.h"
#include "../lib/clock.h"
#include "../lib/metrics.h"
#include "../lib/notify.h"

#define CONNECT_TIMEOUT_S 5
#define BACKOFF_MIN_MS 250
#define BACKOFF_MAX_MS 15000

bool broker_stopping(const struct broker *b)
{
	return b->o.stop != NULL && *b->o.stop;
}

int64_t broker_op_deadline(const struct broker *b)
{
	return clock_mono_ms() + (int64_t)b->o.op_timeout * 1000;
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

void broker_wd_arm(struct broker *b)
{
	atomic_store(&b->deadline_ms, broker_op_deadline(b));
}

void broker_wd_disarm(struct broker *b)
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

int broker_rpc_ok(struct broker *b, const char *what, char *err, size_t errlen)
{
	amqp_rpc_reply_t r = amqp_get_rpc_reply(b->conn);
	char why[256];

	if (r.reply_type == AMQP_RESPONSE_NORMAL)
		return 0;
	broker_reply_text(r, why, sizeof(why));
	snprintf(err, errlen, "%s: %s", what, why);
	return -1;
}

int broker_channel_open(struct broker *b, char *err, size_t errlen)
{
	amqp_channel_open(b->conn, BROKER_CHANNEL);
	if (broker_rpc_ok(b, "channel.open", err, errlen) != 0)
		return -1;
	amqp_confirm_select(b->conn, BROKER_CHANNEL);
	return broker_rpc_ok(b, "confirm.select", err, errlen);
}

/* ---- connect ------------------------------------------------------------ */

/* Open handles of this process that are not connected: bf_broker_connected
 * is 1 when there is none. */
static atomic_int handles_down;

/* Counts the handle as up or down (once per change). */
static void mark(struct broker *b, bool up)
{
	int n;

	if (b->down == !up)
		return;
	b->down = !up;
	n = up ? atomic_fetch_sub(&handles_down, 1) - 1 : atomic_fetch_add(&handles_down, 1) + 1;
	metrics_set(M_BROKER_CONNECTED, n == 0 ? 1 : 0, METRICS_END);
}

void broker_conn_drop(struct broker *b)
{
	if (b->connected)
		mark(b, false);
	if (b->conn != NULL) {
		if (b->connected) {
			broker_wd_arm(b);
			if (b->consuming) {
				/* Cancel the consumer and close the channel before the
				 * connection: a quorum queue drops acks still in flight
				 * when the connection just goes (the last messages acked
				 * would be redelivered). */
				amqp_basic_cancel(b->conn, BROKER_CHANNEL,
						  amqp_cstring_bytes(b->consume_tag));
				amqp_channel_close(b->conn, BROKER_CHANNEL, AMQP_REPLY_SUCCESS);
			}
			amqp_connection_close(b->conn, AMQP_REPLY_SUCCESS);
			broker_wd_disarm(b);
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
	broker_wd_arm(b);
	amqp_rpc_reply_t r =
		amqp_login_with_properties(b->conn, ci.vhost, 0, 131072, b->o.heartbeat, &ptable,
					   AMQP_SASL_METHOD_PLAIN, ci.user, ci.password);
	broker_wd_disarm(b);
	if (r.reply_type != AMQP_RESPONSE_NORMAL) {
		char why[256], tls[256] = "";
		broker_reply_text(r, why, sizeof(why));
		if (ci.ssl && r.reply_type == AMQP_RESPONSE_LIBRARY_EXCEPTION) {
			/* the broker's TLS alert ("certificate required") is only in OpenSSL's queue */
			unsigned long e = ERR_peek_last_error();
			const char *reason = e != 0 ? ERR_reason_error_string(e) : NULL;
			bool have_cert = b->o.client_cert != NULL && b->o.client_cert[0] != '\0';
			snprintf(
				tls, sizeof(tls), " (TLS%s%s: %s)", reason ? ": " : "",
				reason ? reason : "",
				have_cert
					? "the broker refused the handshake; check amqp.client_cert"
					: "the broker may require a client certificate: set amqp.client_cert and amqp.client_key");
		}
		snprintf(err, errlen, "login to %s vhost %.64s: %.160s%.250s", b->peer, ci.vhost,
			 why, tls);
		goto fail;
	}
	b->connected = true;
	broker_wd_arm(b);
	if (broker_channel_open(b, err, errlen) != 0)
		goto fail_armed;
	if (broker_declare_topology(b, err, errlen) != 0)
		goto fail_armed;
	if (b->consuming && broker_consume_setup(b, err, errlen) != 0)
		goto fail_armed;
	broker_wd_disarm(b);
	b->next_seq = 1;
	mark(b, true);
	return 0;
fail_armed:
	broker_wd_disarm(b);
fail:
	broker_conn_drop(b);
	return -1;
}

/*
 * url fit for a log into out (size n): its password "***", found by
 * libcurl's URL parser (any scheme://user:password@host/path URL, amqp
 * too), the rest as written; as it is without a password; through
 * log_redact() when libcurl cannot parse it.
 */
static void url_for_log(const char *url, char *out, size_t n)
{
	CURLU *u = curl_url();
	char *pw = NULL, *shown = NULL;
	CURLUcode rc = CURLUE_OUT_OF_MEMORY;

	if (u != NULL && curl_url_set(u, CURLUPART_URL, url, CURLU_NON_SUPPORT_SCHEME) == CURLUE_OK)
		rc = curl_url_get(u, CURLUPART_PASSWORD, &pw, 0);
	if (rc == CURLUE_NO_PASSWORD)
		snprintf(out, n, "%s", url);
	else if (rc == CURLUE_OK && curl_url_set(u, CURLUPART_PASSWORD, "***", 0) == CURLUE_OK &&
		 curl_url_get(u, CURLUPART_URL, &shown, 0) == CURLUE_OK)
		snprintf(out, n, "%s", shown);
	else
		log_redact(url, out, n);
	curl_free(shown);
	curl_free(pw);
	curl_url_cleanup(u);
}

/*
 * Connects to the current URL, then to the next ones, with backoff and
 * jitter, until connected, deadline (ms, 0 = none) passes, tries run out or
 * stop is set.  0 or -1.
 */
static int connect_any(struct broker *b, int64_t deadline)
{
	int backoff = BACKOFF_MIN_MS;
	int tries = 0;
	char err[1024], shown[1100];

	mark(b, false); /* reconnecting: down until connected */
	for (;;) {
		broker_conn_drop(b);
		if (connect_one(b, b->urls[b->cur], err, sizeof(err)) == 0)
			return 0;
		tries++;
		url_for_log(b->urls[b->cur], shown, sizeof(shown));
		log_warn("broker connect failed url=%s error=%s try=%d", shown, log_quote(err),
			 tries);
		b->cur = (b->cur + 1) % b->nurls;
		/* max_connect_tries bounds the first connect only; later the
		 * caller's deadline and the stop flag decide */
		if (b->epoch == 0 && b->o.max_connect_tries > 0 && tries >= b->o.max_connect_tries)
			return -1;
		/* full jitter around the backoff: 50..150% */
		int wait = backoff / 2 + (int)(random() % (backoff + 1));
		for (int slept = 0; slept < wait; slept += 100) {
			if (broker_stopping(b) || (deadline != 0 && clock_mono_ms() >= deadline))
				return -1;
			/* a loop that waits for the broker is alive */
			notify_watchdog();
			clock_sleep_ms(100);
		}
		backoff = backoff * 2 > BACKOFF_MAX_MS ? BACKOFF_MAX_MS : backoff * 2;
	}
}

int broker_reconnect(struct broker *b, int64_t deadline)
{
	/* a republish that fails loses the new connection: start again */
	do {
		if (connect_any(b, deadline) != 0)
			return -1;
		if (b->epoch > 0) {
			b->reconnects++;
			metrics_add(M_BROKER_RECONNECTS, 1, METRICS_END);
			log_info("broker reconnected peer=%s reconnects=%u republishing=%zu",
				 b->peer, b->reconnects, b->npend);
		}
		b->epoch++;
	} while (broker_republish(b) != 0);
	return 0;
}

int broker_ensure_connected(struct broker *b, int64_t deadline)
{
	if (b->connected)
		return 0;
	return broker_reconnect(b, deadline);
}

struct broker_opts broker_opts_from_config(const struct bf_config *c, const char *conn_name,
					   const struct topology *topo, volatile sig_atomic_t *stop)
{
	struct broker_opts o = {
		.urls = c->amqp_url,
		.conn_name = conn_name,
		.heartbeat = c->amqp_heartbeat,
		.op_timeout = c->amqp_op_timeout,
		.ca_cert = c->amqp_ca_cert,
		.client_cert = c->amqp_client_cert,
		.client_key = c->amqp_client_key,
		.verify_hostname = c->amqp_verify_hostname,
		.confirm_window = c->amqp_confirm_window,
		.topo = topo,
		.stop = stop,
	};

	return o;
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
	if (broker_reconnect(b, 0) != 0)
		goto fail;
	*out = b;
	return 0;
fail:
	broker_close(b);
	return -1;
}

void broker_close(struct broker *b)
{
	if (b == NULL)
		return;
	broker_conn_drop(b);
	mark(b, true); /* closed: no longer counted */
	if (b->watchdog_started) {
		atomic_store(&b->quit, true);
		pthread_join(b->watchdog, NULL);
	}
	broker_discard_unconfirmed(b);
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

int broker_urls_check(const char *urls, char *err, size_t n)
{
	char *list = strdup(urls != NULL ? urls : ""), *save = NULL;
	int count = 0, rc = 0;

	if (list == NULL) {
		snprintf(err, n, "out of memory");
		return -1;
	}
	for (char *u = strtok_r(list, ", ", &save); u != NULL && rc == 0;
	     u = strtok_r(NULL, ", ", &save)) {
		struct amqp_connection_info ci;
		char *copy = strdup(u), shown[600];
		count++;
		/* amqp_parse_url cuts its argument up: a copy, the original for the message */
		if (copy == NULL || amqp_parse_url(copy, &ci) != AMQP_STATUS_OK) {
			url_for_log(u, shown, sizeof(shown));
			snprintf(err, n,
				 "amqp.url: %s is not an AMQP URL (amqp[s]://user:password@host:port/vhost)",
				 shown);
			rc = -1;
		}
		free(copy);
	}
	free(list);
	if (rc == 0 && count == 0) {
		snprintf(err, n, "amqp.url is empty");
		rc = -1;
	}
	return rc;
}
