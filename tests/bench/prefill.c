/*
 * prefill: fills a work queue before a consumer is started, for `make bench`.
 * Publishes through protocol/broker*.c, as the producer does (the raw
 * rabbitmq-c figure is tests/bench/ceiling.c's).
 *
 *   prefill AMQP_URL EXCHANGE ROUTING_KEY FILE
 *
 * Publishes each line of FILE (a work message body) persistently, with
 * mandatory=1 and publisher confirms (a window of 100), with the properties
 * the producer sets (type = ROUTING_KEY, message_id = ROUTING_KEY:<event_id
 * or line number>, app_id).  Exits 0 once every message is confirmed; 1
 * when one was refused (nacked or returned), or on an error.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/log.h"
#include "protocol/broker.h"

#define WINDOW 100

int main(int argc, char **argv)
{
	static volatile sig_atomic_t never;
	struct broker *b;
	FILE *in;
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	unsigned long long sent = 0;
	int rc;

	if (argc != 5) {
		fprintf(stderr, "usage: prefill AMQP_URL EXCHANGE ROUTING_KEY FILE\n");
		return 2;
	}
	log_init("prefill");
	in = fopen(argv[4], "r");
	if (in == NULL) {
		perror(argv[4]);
		return 2;
	}
	const struct broker_opts o = {
		.urls = argv[1],
		.conn_name = "bench prefill",
		.op_timeout = 10,
		.confirm_window = WINDOW,
		.stop = &never,
		.max_connect_tries = 3,
	};
	if (broker_open(&b, &o) != 0) {
		fprintf(stderr, "prefill: cannot connect\n");
		return 1;
	}
	while ((len = getline(&line, &cap, in)) > 0) {
		char mid[128];
		const char *ev;
		long long id = (long long)sent + 1;

		while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
			line[--len] = '\0';
		if (len == 0)
			continue;
		if ((ev = strstr(line, "\"event_id\":")) != NULL)
			id = strtoll(ev + 11, NULL, 10);
		snprintf(mid, sizeof(mid), "%s:%lld", argv[3], id);
		const struct broker_msg m = {
			.exchange = argv[2],
			.routing_key = argv[3],
			.body = line,
			.len = (size_t)len,
			.message_id = mid,
			.type = argv[3],
			.app_id = "bench-prefill",
		};
		if (broker_publish(b, &m) != 0) {
			fprintf(stderr, "prefill: publish failed\n");
			return 1;
		}
		sent++;
	}
	rc = broker_flush(b, 60000);
	broker_close(b);
	fclose(in);
	free(line);
	if (rc != 0) {
		fprintf(stderr, "prefill: %s of %llu messages\n",
			rc > 0 ? "the broker refused some" : "no confirm for all", sent);
		return 1;
	}
	printf("prefill: %llu messages confirmed\n", sent);
	return 0;
}
