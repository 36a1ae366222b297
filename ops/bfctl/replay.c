/*
 * bfctl replay: moves dead letters back to bf.work after the cause is fixed.
 *
 * The dead queue is read with basic.get, holding every message unacked
 * (struct dead_reader, shared with bfctl dead and bfctl wait).  A
 * matching message is published to bf.work (x-bf-attempt reset to 0,
 * x-bf-replayed-at added) and, once the broker confirmed it, its dead copy
 * is acked.  Non-matching ones return, in order, when the reading
 * connection closes at the end (unacked messages go back to the head of a
 * quorum queue; a nack would send each to the tail).  A lost
 * connection returns everything unacked to the dead queue: a message may
 * then be in both places (consumers are idempotent), never in neither.
 */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lib/log.h"
#include "lib/proc.h"
#include "ops/bfctl/common.h"
#include "ops/bfctl/dead.h"
#include "ops/bfctl/replay.h"
#include "protocol/message.h"

#define REPLAY_MAX 100000

static void usage(FILE *f)
{
	fprintf(f,
		"usage: bfctl replay --type line-up|result|tournament-stats|render [--event ID]\n"
		"                    [--reason CODE] [--limit N] [--dry-run]\n"
		"Moves matching messages from bf.<type>.dead back to bf.work.\n");
}

int cmd_replay(const struct bf_config *c, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "type", required_argument, NULL, 't' },
		{ "event", required_argument, NULL, 'e' },
		{ "reason", required_argument, NULL, 'r' },
		{ "limit", required_argument, NULL, 'l' },
		{ "dry-run", no_argument, NULL, 'd' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	enum msg_type type = MSG_NONE;
	int64_t event = 0;
	const char *reason = NULL;
	long limit = REPLAY_MAX;
	bool dry = false;
	struct topology topo;
	struct broker *get = NULL, *pub = NULL;
	struct dead_reader rd;
	struct broker_delivery *d;
	long moved = 0, matched = 0, failed = 0;
	char dq[TOPO_NAME_MAX];
	int ch, g, rc = 1;

	optind = 1;
	while ((ch = getopt_long(argc, argv, "t:e:r:l:dh", longopts, NULL)) != -1) {
		char *end;
		switch (ch) {
		case 't':
			type = msg_type_parse(optarg, strlen(optarg));
			break;
		case 'e':
			event = strtoll(optarg, &end, 10);
			if (*end != '\0' || event <= 0) {
				fprintf(stderr, "bfctl replay: --event takes an event id\n");
				return 2;
			}
			break;
		case 'r':
			reason = optarg;
			break;
		case 'l':
			limit = strtol(optarg, &end, 10);
			if (*end != '\0' || limit < 1) {
				fprintf(stderr, "bfctl replay: --limit takes a positive number\n");
				return 2;
			}
			break;
		case 'd':
			dry = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (type == MSG_NONE) {
		usage(stderr);
		return 2;
	}
	memset(&rd, 0, sizeof(rd));
	if (topo_build(&topo, c) != 0 || bfctl_broker(c, &topo, &get) != 0 ||
	    bfctl_broker(c, NULL, &pub) != 0)
		goto out;
	topo_dead_queue(type, dq, sizeof(dq));
	switch (dead_reader_open(&rd, get, dq, REPLAY_MAX)) {
	case 0:
		break;
	case 1:
		log_err("replay: queue %s does not exist (bfctl topology declare creates it)", dq);
		goto out;
	default:
		log_err("replay: cannot read queue %s", dq);
		goto out;
	}
	if (dry)
		printf("%-14s %-20s %-6s %s\n", "event", "reason", "age", "error");
	/* only the messages that were there when we started */
	while ((g = dead_reader_next(&rd, &d)) == 1) {
		struct work_msg m;
		char err[128], age[32], ev[32];
		bool valid = msg_decode(d->body, d->len, &m, err, sizeof(err)) == 0;
		if (event != 0 && !(valid && m.type != MSG_TSTATS && m.event_id == event))
			continue;
		if (reason != NULL && strcmp(bfctl_reason(d), reason) != 0)
			continue;
		if (matched >= limit)
			continue;
		matched++;
		if (valid && m.type == MSG_TSTATS)
			snprintf(ev, sizeof(ev), "round %d", m.round);
		else if (valid)
			snprintf(ev, sizeof(ev), "%" PRId64, m.event_id);
		else
			snprintf(ev, sizeof(ev), "(poison)");
		if (dry) {
			dead_age_text(dead_since(d), age, sizeof(age));
			printf("%-14s %-20s %-6s %.*s\n", ev, bfctl_reason(d), age, 160,
			       d->error[0] ? d->error : "-");
			continue;
		}
		/* as it was, but a new start: attempt 0, published by bfctl now, marked */
		struct broker_msg bm;
		dead_to_work(d, type, &bm);
		bm.type = msg_type_name(type);
		bm.app_id = "bfctl";
		bm.timestamp = 0;
		bm.attempt = 0;
		bm.reason = bm.error = NULL;
		bm.replayed_at = (uint64_t)time(NULL);
		/* publish with confirm first, then ack the dead copy */
		if (broker_publish(pub, &bm) != 0 ||
		    broker_flush(pub, c->amqp_op_timeout * 1000) != 0) {
			broker_discard_unconfirmed(pub);
			failed++;
			log_warn("replay: not confirmed, left in %s message_id=%s", dq,
				 d->message_id);
			continue;
		}
		if (dead_reader_ack(&rd, d) != 0) {
			log_err("replay: ack failed; the message may now be in both queues");
			goto out;
		}
		moved++;
		log_info("replayed message_id=%s event=%s reason=%s", d->message_id, ev,
			 bfctl_reason(d));
	}
	if (g < 0) {
		log_err("replay: connection lost after %ld moved; the rest stays in %s: run the replay again",
			moved, dq);
		goto out;
	}
	/* The rest goes back when the connection closes: unacked messages return
	 * to the head of a quorum queue in their order (a nack would send each
	 * to the tail). */
	if (dry)
		printf("%ld of %ld messages in %s would move (dry run: nothing moved)\n", matched,
		       rd.want, dq);
	else
		printf("%ld of %ld messages moved from %s to %s%s\n", moved, rd.want, dq,
		       TOPO_WORK_EXCHANGE, failed ? " (some not confirmed: see the log)" : "");
	rc = failed ? 1 : 0;
out:
	dead_reader_close(&rd);
	broker_close(get);
	broker_close(pub);
	return rc;
}
