/*
 * broker: one AMQP connection with one channel, over rabbitmq-c 0.11.
 *
 * A handle is used either to publish (publisher confirms, a window of
 * unconfirmed publishes kept in memory and republished after a reconnect)
 * or to consume (prefetch, manual ack).  RabbitMQ advises separate
 * connections for the two, and it keeps the confirm loop simple: a
 * consumer that republishes opens two handles.
 *
 * Lost connections are rebuilt with backoff and jitter, moving along the
 * comma-separated URL list; the topology is declared again and consuming
 * resumes.  A watchdog thread shuts the socket down when any broker call
 * blocks longer than op_timeout (rabbitmq-c 0.11's amqp_basic_publish can
 * block forever on a silent broker).
 *
 * Not thread-safe: one handle per thread.
 *
 * The module is broker_conn.c (the handle and its connection), broker_publish.c,
 * broker_consume.c and broker_admin.c, sharing the private broker_int.h.
 */
#ifndef BF_BROKER_H
#define BF_BROKER_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../lib/config.h"
#include "topology.h"

/* x-bf-* headers (DESIGN section 3) */
#define BROKER_H_ATTEMPT "x-bf-attempt"
#define BROKER_H_FIRST "x-bf-first-published"
#define BROKER_H_REASON "x-bf-reason"
#define BROKER_H_ERROR "x-bf-error"
#define BROKER_H_REPLAYED "x-bf-replayed-at"

struct broker;

struct broker_opts {
	const char *urls; /* amqp[s]://user:pass@host:port/vhost[,...] */
	const char *conn_name; /* shown by the management UI */
	int heartbeat; /* seconds, 0 = none */
	int op_timeout; /* seconds: watchdog on every blocking call */
	const char *ca_cert; /* amqps */
	const char *client_cert;
	const char *client_key;
	bool verify_hostname;
	int confirm_window; /* unconfirmed publishes before publish waits */
	const struct topology *topo; /* declared after every connect, or NULL */
	volatile sig_atomic_t *stop; /* reconnect loops give up when *stop */
	int max_connect_tries; /* 0 = keep trying until *stop */
};

/*
 * The options of a handle from the configuration (amqp.*): URLs, heartbeat,
 * op_timeout, TLS files, confirm window.  The options point into c,
 * conn_name, topo and stop: all must outlive the handle.  Keeps trying to
 * connect until *stop (max_connect_tries = 0).
 */
struct broker_opts broker_opts_from_config(const struct bf_config *c, const char *conn_name,
					   const struct topology *topo,
					   volatile sig_atomic_t *stop);

/* What goes on the wire: body plus properties and x-bf-* headers. */
struct broker_msg {
	const char *exchange; /* "" = default exchange (routing_key = queue) */
	const char *routing_key;
	const char *body;
	size_t len;
	const char *message_id;
	const char *type;
	const char *app_id;
	uint64_t timestamp; /* seconds; 0 = now */
	int attempt;
	uint64_t first_published; /* seconds; 0 = timestamp */
	const char *reason; /* NULL = no header */
	const char *error;
	uint64_t replayed_at; /* 0 = no header */
	/* published without mandatory: a message no queue is bound for is
	 * dropped by the broker, not refused (an event for whoever listens,
	 * such as the video events on bf.videos) */
	bool optional;
};

/* A delivery copied out of rabbitmq-c's envelope. */
struct broker_delivery {
	uint64_t tag;
	uint64_t epoch; /* connection it arrived on */
	bool redelivered;
	char *body; /* malloc'd, len bytes, NUL-terminated for convenience */
	size_t len;
	char exchange[128];
	char routing_key[128];
	char message_id[128];
	char type[64];
	char app_id[64];
	char content_type[64];
	uint64_t timestamp;
	bool has_attempt;
	int attempt;
	uint64_t first_published;
	char reason[64];
	char error[512];
	uint64_t replayed_at;
	int64_t delivery_count; /* x-delivery-count of quorum queues, 0 if none */
	char death_reason[32]; /* x-death[0].reason (rejected, expired, delivery_limit...) */
};

/* Each URL of a comma-separated list read by rabbitmq-c's own parser
 * (amqp_parse_url), as a connect would: 0, or -1 with the first bad one
 * (password masked) in err. */
int broker_urls_check(const char *urls, char *err, size_t n) __attribute__((warn_unused_result));

/*
 * Connects (retrying per opts) and returns a handle in *out.  Returns 0,
 * or -1 when no URL could be reached before max_connect_tries or *stop.
 */
int broker_open(struct broker **out, const struct broker_opts *o)
	__attribute__((warn_unused_result));
void broker_close(struct broker *b);

/* "host:port" of the current connection (for logs). */
const char *broker_peer(const struct broker *b);
/* Connection epoch: incremented by every reconnect. */
uint64_t broker_epoch(const struct broker *b);
/* Number of reconnects so far. */
unsigned broker_reconnects(const struct broker *b);
/* Publishes the broker refused so far: nacks (each nacked publish counts,
 * also when it was then sent again and confirmed) and returns (unroutable). */
void broker_refusals(const struct broker *b, unsigned *nacked, unsigned *returned);

/*
 * Publishes persistently with mandatory=1 (unless m->optional) and
 * publisher confirms.  The
 * message is copied; it stays in the window until confirmed.  Blocks (for
 * confirms) when the window is full.  Returns 0, or -1 when the broker
 * could not be reached (the message is still kept for broker_flush()).
 */
int broker_publish(struct broker *b, const struct broker_msg *m)
	__attribute__((warn_unused_result));

/*
 * Waits until every publish so far is confirmed, reconnecting and
 * republishing as needed, for at most timeout_ms.  A nacked publish is sent
 * again on a new connection (moving to the next URL), up to twice.  Returns
 * 0 when all were acked; the number of messages that the broker refused
 * (nacked three times, or returned as unroutable) when some were, and those
 * are dropped from the window; -1 on timeout or stop, with the unconfirmed
 * ones still in the window.
 */
int broker_flush(struct broker *b, int timeout_ms) __attribute__((warn_unused_result));
/* broker_publish() then broker_flush(): 0 when m (and everything before
 * it) is confirmed; otherwise the window is dropped and -1 returned (the
 * caller keeps what m replaces and tries again later). */
int broker_publish_confirmed(struct broker *b, const struct broker_msg *m, int timeout_ms)
	__attribute__((warn_unused_result));
/* Messages in the window (published, not yet confirmed). */
size_t broker_unconfirmed(const struct broker *b);
/* Drops the window (a caller that gives up on what it published). */
void broker_discard_unconfirmed(struct broker *b);

/*
 * Keeps an otherwise idle connection alive: sends a heartbeat when one is
 * due and reads what arrived (confirms, closes).  Call it now and then on a
 * publishing handle that waits a long time between publishes.  0, or -1
 * when the connection was found lost (the next publish reconnects).
 */
int broker_idle(struct broker *b);

/* Starts consuming queue with basic.qos prefetch (global=0 for quorum
 * queues); resumed after every reconnect. */
int broker_consume(struct broker *b, const char *queue, int prefetch, const char *tag)
	__attribute__((warn_unused_result));

/*
 * Waits up to timeout_ms for the next delivery.  Returns 1 with *d filled
 * (free with broker_delivery_free), 0 on timeout, -1 when the connection
 * was lost and rebuilt (deliveries in hand will be redelivered; acking them
 * is a no-op), -2 when it could not be rebuilt (stop requested).
 */
int broker_next(struct broker *b, struct broker_delivery *d, int timeout_ms);
void broker_delivery_free(struct broker_delivery *d);

/* Ack / reject a delivery.  Returns 0; 1 when the delivery belongs to a
 * previous connection (the broker will redeliver it); -1 on error. */
int broker_ack(struct broker *b, const struct broker_delivery *d);
int broker_nack(struct broker *b, const struct broker_delivery *d, bool requeue);

/* Declares the topology of opts again (bfctl, tests). */
int broker_declare(struct broker *b, char *err, size_t errlen) __attribute__((warn_unused_result));

/* Message count of a queue (passive declare); -1 on error or when the
 * queue does not exist. */
long broker_queue_depth(struct broker *b, const char *queue);

/* Messages ready and consumers of a queue (passive declare): 0; 1 when the
 * queue does not exist (a handle with nothing in flight just reopens its
 * channel, without a reconnect); -1 when the broker cannot be reached. */
int broker_queue_info(struct broker *b, const char *queue, long *messages, long *consumers);

/* Purges a queue (tests, bfctl); returns messages purged or -1. */
long broker_purge(struct broker *b, const char *queue);

/*
 * basic.get one message from queue (no auto-ack).  Returns 1 with *d, 0
 * when the queue is empty, -1 on error.
 */
int broker_get(struct broker *b, const char *queue, struct broker_delivery *d);

#endif
