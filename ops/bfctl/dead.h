/*
 * bfctl dead: the dead letters of bf.<type>.dead looked at and removed one
 * by one (list, show, discard); and the queue reader that every command
 * going through a queue nobody consumes shares (bfctl replay, bfctl wait).
 */
#ifndef BF_BFCTL_DEAD_H
#define BF_BFCTL_DEAD_H

#include <stddef.h>
#include <stdint.h>

#include "lib/config.h"
#include "protocol/broker.h"
#include "protocol/topology.h"

/*
 * Reads a queue without consuming it: every message is taken with
 * basic.get and held unacked.  An acked one leaves the queue; the others go
 * back to the head of the quorum queue, in their order, when the handle's
 * connection closes (a nack would send each to the tail).  A lost
 * connection returns everything not yet acked.
 *
 * Read a queue to the end (what was there at the start): RabbitMQ 3.10's
 * quorum queues serve messages given back before the others, in the
 * order they came back, so a partial read, given back behind what an
 * earlier read gave back, would change the order.  And open every queue
 * of a handle before reading any: a queue found missing closes the
 * channel, and with it gives back what the handle held.
 */
struct dead_reader {
	struct broker *b;
	char queue[TOPO_NAME_MAX];
	long depth; /* ready messages when opened */
	long want; /* read at most this many: min(depth, max) */
	uint64_t epoch; /* the connection the messages are held on */
	struct broker_delivery *held;
	size_t nheld;
};

/* Opens queue on b for at most max of the messages it holds now.  0; 1
 * when the queue does not exist; -1 when the broker could not be asked (or
 * out of memory).  dead_reader_close() it in every case. */
int dead_reader_open(struct dead_reader *r, struct broker *b, const char *queue, long max)
	__attribute__((warn_unused_result));
/* The next message, held (owned by r): 1 with *d; 0 once want were read or
 * the queue is empty; -1 when the connection was lost (nothing held any
 * more: it went back to the queue). */
int dead_reader_next(struct dead_reader *r, struct broker_delivery **d);
/* Acks d (one of r's): it leaves the queue.  0, or -1 when the connection
 * was lost (d went back to the queue). */
int dead_reader_ack(struct dead_reader *r, struct broker_delivery *d)
	__attribute__((warn_unused_result));
/* Frees what r read; the messages not acked go back when r's handle closes. */
void dead_reader_close(struct dead_reader *r);

/* d as it is (body, properties, x-bf-* headers; first published: as
 * dead_since) addressed to bf.work with type's routing key.  bm points
 * into d. */
void dead_to_work(const struct broker_delivery *d, enum msg_type type, struct broker_msg *bm);

/* When a dead letter's age counts from: x-bf-first-published, else its
 * timestamp (0 when it has neither). */
uint64_t dead_since(const struct broker_delivery *d);
/* "45s", "12m", "5h", "3d" since ts (seconds), "?" for 0. */
void dead_age_text(uint64_t ts, char *buf, size_t n);

/* argv[0] is the command's name ("dead"), then list, show or discard and
 * their arguments. */
int cmd_dead(const struct bf_config *c, int argc, char **argv);

#endif
