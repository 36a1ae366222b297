/*
 * bfctl wait flush TYPE: the messages waiting in bf.<type>.wait.<tier> go
 * back to the work queue now instead of when their tier's TTL runs out
 * (after a fix on Sofascore's side, an outage of Plainly that is over, a
 * test).
 *
 * Each wait queue is read with struct dead_reader (basic.get, everything
 * held unacked).  Every message is published to bf.work with its routing
 * key, properties and x-bf-* headers as they are (x-bf-attempt unchanged:
 * a wait is not an attempt), and only once the broker confirmed a batch is
 * the batch acked in the wait queue.  A batch not confirmed stays (its
 * messages return to the wait queue when the connection closes), so a
 * dropped connection may leave a message in both queues (the consumers
 * are idempotent), never in neither.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/log.h"
#include "ops/bfctl/common.h"
#include "ops/bfctl/dead.h"
#include "ops/bfctl/wait.h"
#include "protocol/message.h"

#define WAIT_MAX 100000
/* messages published before their confirms are waited for (and then acked) */
#define BATCH 100

static void usage(FILE *f)
{
	fprintf(f, "usage: bfctl wait flush line-up|result|render\n"
		   "The messages waiting in the type's wait queues go back to bf.work now,\n"
		   "x-bf-attempt unchanged.\n");
}

/* Publishes a held message again, to bf.work, as it is. */
static int publish_back(struct broker *pub, enum msg_type type, const struct broker_delivery *d)
{
	struct broker_msg bm;

	dead_to_work(d, type, &bm);
	return broker_publish(pub, &bm);
}

/*
 * The batch batch[0..n) is published: waits for the confirms, then acks
 * it.  Returns how many moved; *lost when the reading connection was lost
 * (nothing more can be acked on it).
 */
static long settle_batch(const struct bf_config *c, struct dead_reader *r, struct broker *pub,
			 struct broker_delivery **batch, size_t n, bool *lost)
{
	long moved = 0;

	if (n == 0)
		return 0;
	if (broker_flush(pub, c->amqp_op_timeout * 1000) != 0) {
		broker_discard_unconfirmed(pub);
		log_warn("wait flush: %zu publishes to %s not confirmed: left in %s", n,
			 TOPO_WORK_EXCHANGE, r->queue);
		return 0;
	}
	for (size_t i = 0; i < n; i++) {
		if (dead_reader_ack(r, batch[i]) != 0) {
			log_err("wait flush: connection lost: %zu confirmed messages may now be in"
				" both %s and %s",
				n - i, r->queue, TOPO_WORK_EXCHANGE);
			*lost = true;
			return moved;
		}
		moved++;
	}
	return moved;
}

int cmd_wait(const struct bf_config *c, int argc, char **argv)
{
	struct topology topo;
	const struct topo_queue *tiers[CFG_MAX_TIERS];
	struct dead_reader r[CFG_MAX_TIERS];
	int state[CFG_MAX_TIERS] = { 0 };
	struct broker_delivery *batch[BATCH];
	struct broker *get = NULL, *pub = NULL;
	enum msg_type type;
	size_t ntiers = 0;
	long total = 0;
	bool lost = false, failed = false;
	int rc = 1;

	if ((argc == 2 || argc == 3) &&
	    (strcmp(argv[argc - 1], "-h") == 0 || strcmp(argv[argc - 1], "--help") == 0)) {
		usage(stdout);
		return 0;
	}
	if (argc != 3 || strcmp(argv[1], "flush") != 0) {
		usage(stderr);
		return 2;
	}
	type = msg_type_parse(argv[2], strlen(argv[2]));
	if (type == MSG_NONE) {
		fprintf(stderr, "bfctl wait flush: unknown type \"%s\"\n", argv[2]);
		usage(stderr);
		return 2;
	}
	if (topo_build(&topo, c) != 0) {
		log_err("wait flush: too many queues");
		return 1;
	}
	ntiers = topo_wait_tiers(&topo, type, tiers, CFG_MAX_TIERS);
	if (ntiers == 0) {
		fprintf(stderr, "bfctl wait flush: %s has no wait queues\n", msg_type_name(type));
		return 2;
	}
	memset(r, 0, sizeof(r));
	/* no topology declared: a tier the broker lacks is reported, not created */
	if (bfctl_broker(c, NULL, &get) != 0 || bfctl_broker(c, NULL, &pub) != 0) {
		log_err("wait flush: cannot connect to the broker");
		goto out;
	}
	/* every queue opened before any is read (a missing one closes the channel) */
	for (size_t i = 0; i < ntiers; i++) {
		state[i] = dead_reader_open(&r[i], get, tiers[i]->name, WAIT_MAX);
		if (state[i] < 0) {
			log_err("wait flush: cannot read queue %s", tiers[i]->name);
			goto out;
		}
	}
	for (size_t i = 0; i < ntiers && !lost; i++) {
		struct broker_delivery *d;
		size_t n = 0;
		long moved = 0;
		int g = 0;

		if (state[i] == 1) {
			printf("%s: missing (the wait tiers of the configuration are not the"
			       " broker's? bfctl topology declare creates it)\n",
			       tiers[i]->name);
			failed = true;
			continue;
		}
		while (!lost && (g = dead_reader_next(&r[i], &d)) == 1) {
			if (publish_back(pub, type, d) != 0) {
				/* kept in pub's window: the flush below sends it again */
				log_warn("wait flush: publish to %s failed; trying again",
					 TOPO_WORK_EXCHANGE);
			}
			batch[n++] = d;
			if (n == BATCH) {
				long m = settle_batch(c, &r[i], pub, batch, n, &lost);
				failed |= m < (long)n;
				moved += m;
				n = 0;
			}
		}
		if (g < 0) {
			log_err("wait flush: connection lost while reading %s; what was not moved"
				" stays there",
				tiers[i]->name);
			/* published but never to be acked: they may be in both queues */
			broker_discard_unconfirmed(pub);
			lost = true;
			n = 0;
		}
		long m = settle_batch(c, &r[i], pub, batch, n, &lost);
		failed |= m < (long)n;
		moved += m;
		total += moved;
		printf("%s: %ld of %ld moved to %s\n", tiers[i]->name, moved, r[i].want,
		       TOPO_WORK_EXCHANGE);
		if (moved > 0)
			log_info("wait flush queue=%s moved=%ld", tiers[i]->name, moved);
	}
	printf("%ld messages moved from the wait queues of %s to %s%s\n", total,
	       msg_type_name(type), TOPO_WORK_EXCHANGE,
	       lost || failed ? " (not all: see the log)" : "");
	rc = lost || failed ? 1 : 0;
out:
	for (size_t i = 0; i < ntiers; i++)
		dead_reader_close(&r[i]);
	/* what was not acked goes back to its wait queue, in order */
	broker_close(get);
	broker_close(pub);
	return rc;
}
