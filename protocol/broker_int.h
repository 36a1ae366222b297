/*
 * broker_int.h: what the files of the broker module share.  Private:
 * included only by protocol/broker*.c, never outside protocol/.
 *
 *   broker_conn.c          the handle and its connection: connect (TLS, login,
 *                     channel), the watchdog, the reconnect loop
 *   broker_publish.c  publish with confirms: the window, flush, idle
 *   broker_consume.c  consume, next, ack/nack, decoding a delivery
 *   broker_admin.c    declare the topology, passive declare (queue info and
 *                     depth), purge, get
 */
#ifndef BF_BROKER_INT_H
#define BF_BROKER_INT_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <amqp.h>

#include "broker.h"
#include "../lib/clock.h"

#define BROKER_CHANNEL 1

/* A publish in the window: copied, kept until confirmed. */
struct pending {
	uint64_t seq; /* delivery tag on the current channel, 0 = not sent */
	bool refused; /* returned as unroutable: settle as failed */
	bool optional; /* not mandatory: nobody bound is fine (broker_msg.optional) */
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
	bool down; /* counted in the process's handles down (bf_broker_connected) */
	uint64_t epoch;
	unsigned reconnects;
	int64_t idle_try_ms; /* broker_idle's last reconnect attempt */

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

/* ---- broker_conn.c: the connection ------------------------------------------- */

/* True once the caller's stop flag is set. */
bool broker_stopping(const struct broker *b);
/* now + op_timeout, in clock_mono_ms() milliseconds */
int64_t broker_op_deadline(const struct broker *b);
/* The watchdog shuts the socket down when a call armed for outlasts
 * op_timeout; disarm once it returned. */
void broker_wd_arm(struct broker *b);
void broker_wd_disarm(struct broker *b);

/* One-line text of an rpc reply (library status or server close). */
void broker_reply_text(amqp_rpc_reply_t r, char *buf, size_t n);
/* 0 when the last rpc succeeded, else -1 with "what: reason" in err. */
int broker_rpc_ok(struct broker *b, const char *what, char *err, size_t errlen)
	__attribute__((warn_unused_result));
/* channel.open and confirm.select on BROKER_CHANNEL (the caller arms the
 * watchdog): 0, or -1 with the reason in err. */
int broker_channel_open(struct broker *b, char *err, size_t errlen)
	__attribute__((warn_unused_result));

/* Closes (cancelling the consumer first) and frees the connection. */
void broker_conn_drop(struct broker *b);
/*
 * (Re)connects, moving along the URL list with backoff and jitter, until
 * connected, deadline (ms, 0 = none) passes, tries run out or stop is set;
 * then republishes the whole window.  0 or -1.
 */
int broker_reconnect(struct broker *b, int64_t deadline) __attribute__((warn_unused_result));
/* broker_reconnect unless connected. */
int broker_ensure_connected(struct broker *b, int64_t deadline) __attribute__((warn_unused_result));

/* ---- broker_publish.c ---------------------------------------------------- */

/* Sends the whole window again on a new channel (after a connect): 0, or
 * -1 when a send failed (the connection is lost). */
int broker_republish(struct broker *b) __attribute__((warn_unused_result));
/* Reads frames for up to timeout_ms; handles confirms, returns and closes.
 * 0, or -1 when the connection is lost. */
int broker_pump(struct broker *b, int timeout_ms);

/* ---- broker_consume.c ---------------------------------------------------- */

/* basic.qos and basic.consume of the handle's consumer (the caller arms
 * the watchdog): 0, or -1 with the reason in err. */
int broker_consume_setup(struct broker *b, char *err, size_t errlen)
	__attribute__((warn_unused_result));
/* Copies src as a NUL-terminated string, cut to n - 1 bytes. */
void broker_copy_bytes(char *dst, size_t n, amqp_bytes_t src);
/* Fills d's body, properties and x-bf-* headers (d->body: malloc'd, freed
 * by broker_delivery_free).  0, or -1 when out of memory. */
int broker_fill_delivery(struct broker *b, struct broker_delivery *d,
			 const amqp_basic_properties_t *p, amqp_bytes_t body)
	__attribute__((warn_unused_result));

/* ---- broker_admin.c ------------------------------------------------------ */

/* Declares the exchanges, queues and bindings of o.topo (if any) on the
 * open channel (the caller arms the watchdog).  0, or -1 with the broker's
 * reason in err (the broker then closes the channel). */
int broker_declare_topology(struct broker *b, char *err, size_t errlen)
	__attribute__((warn_unused_result));

#endif
