/*
 * ceiling: what RabbitMQ itself can do on this machine, measured with a
 * minimal rabbitmq-c 0.11 client (no project code), for `make bench`.
 *
 *   ceiling AMQP_URL QUEUE N [SIZE [WINDOW [PREFETCH]]]
 *
 * Declares QUEUE as a quorum queue (durable) and purges it, then
 *   1. publishes N persistent messages of SIZE bytes (default 61) to it
 *      through the default exchange, with publisher confirms and at most
 *      WINDOW (default 100) unconfirmed: basic.ack / basic.nack frames are
 *      read with amqp_simple_wait_frame_noblock, `multiple` honoured;
 *   2. consumes them with basic.qos PREFETCH (default 100), acking each.
 * Prints one line:
 *   publish_msgs_per_s=F consume_msgs_per_s=F publish_s=F consume_s=F nacked=N
 * and deletes the queue.  Exit 1 on any broker error.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>

#include <amqp.h>
#include <amqp_framing.h>
#include <amqp_tcp_socket.h>

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void die_reply(amqp_rpc_reply_t r, const char *what)
{
	if (r.reply_type == AMQP_RESPONSE_NORMAL)
		return;
	if (r.reply_type == AMQP_RESPONSE_LIBRARY_EXCEPTION)
		fprintf(stderr, "ceiling: %s: %s\n", what, amqp_error_string2(r.library_error));
	else if (r.reply.id == AMQP_CHANNEL_CLOSE_METHOD) {
		amqp_channel_close_t *m = r.reply.decoded;
		fprintf(stderr, "ceiling: %s: channel closed %u %.*s\n", what, m->reply_code,
			(int)m->reply_text.len, (const char *)m->reply_text.bytes);
	} else if (r.reply.id == AMQP_CONNECTION_CLOSE_METHOD) {
		amqp_connection_close_t *m = r.reply.decoded;
		fprintf(stderr, "ceiling: %s: connection closed %u %.*s\n", what, m->reply_code,
			(int)m->reply_text.len, (const char *)m->reply_text.bytes);
	} else {
		fprintf(stderr, "ceiling: %s: server error\n", what);
	}
	exit(1);
}

static amqp_connection_state_t connect_url(const char *url_in)
{
	struct amqp_connection_info ci;
	char *url = strdup(url_in);
	amqp_connection_state_t c = amqp_new_connection();
	amqp_socket_t *s = amqp_tcp_socket_new(c);

	if (url == NULL || amqp_parse_url(url, &ci) != AMQP_STATUS_OK) {
		fprintf(stderr, "ceiling: bad URL\n");
		exit(2);
	}
	if (s == NULL || amqp_socket_open(s, ci.host, ci.port) != AMQP_STATUS_OK) {
		fprintf(stderr, "ceiling: cannot connect to %s:%d\n", ci.host, ci.port);
		exit(1);
	}
	die_reply(amqp_login(c, ci.vhost, 0, 131072, 0, AMQP_SASL_METHOD_PLAIN, ci.user,
			     ci.password),
		  "login");
	amqp_channel_open(c, 1);
	die_reply(amqp_get_rpc_reply(c), "channel.open");
	free(url);
	return c;
}

/* Reads one confirm frame (waiting up to 5 s); updates the counters. */
static void read_confirm(amqp_connection_state_t c, unsigned char *acked, uint64_t sent,
			 uint64_t *confirmed, uint64_t *nacked)
{
	struct timeval tv = { 5, 0 };
	amqp_frame_t f;
	int rc = amqp_simple_wait_frame_noblock(c, &f, &tv);
	uint64_t tag;
	bool multiple, nack;

	if (rc == AMQP_STATUS_TIMEOUT) {
		fprintf(stderr, "ceiling: no confirm for 5 s (%llu of %llu confirmed)\n",
			(unsigned long long)*confirmed, (unsigned long long)sent);
		exit(1);
	}
	if (rc != AMQP_STATUS_OK) {
		fprintf(stderr, "ceiling: waiting for confirms: %s\n", amqp_error_string2(rc));
		exit(1);
	}
	if (f.frame_type != AMQP_FRAME_METHOD)
		return;
	switch (f.payload.method.id) {
	case AMQP_BASIC_ACK_METHOD: {
		amqp_basic_ack_t *a = f.payload.method.decoded;
		tag = a->delivery_tag;
		multiple = a->multiple;
		nack = false;
		break;
	}
	case AMQP_BASIC_NACK_METHOD: {
		amqp_basic_nack_t *a = f.payload.method.decoded;
		tag = a->delivery_tag;
		multiple = a->multiple;
		nack = true;
		break;
	}
	case AMQP_CHANNEL_CLOSE_METHOD:
	case AMQP_CONNECTION_CLOSE_METHOD:
		fprintf(stderr, "ceiling: the broker closed the channel during publishing\n");
		exit(1);
	default:
		return;
	}
	if (tag == 0 || tag > sent)
		return;
	for (uint64_t t = multiple ? 1 : tag; t <= tag; t++) {
		if (acked[t])
			continue;
		acked[t] = 1;
		(*confirmed)++;
		if (nack)
			(*nacked)++;
	}
}

int main(int argc, char **argv)
{
	const char *url, *queue;
	long n, size = 61, window = 100, prefetch = 100;
	amqp_connection_state_t c;
	amqp_table_entry_t qarg;
	amqp_table_t qargs;
	amqp_basic_properties_t props;
	unsigned char *acked;
	char *body;
	uint64_t sent = 0, confirmed = 0, nacked = 0, got = 0;
	double t0, t_pub, t_cons;

	if (argc < 4) {
		fprintf(stderr, "usage: ceiling AMQP_URL QUEUE N [SIZE [WINDOW [PREFETCH]]]\n");
		return 2;
	}
	url = argv[1];
	queue = argv[2];
	n = strtol(argv[3], NULL, 10);
	if (argc > 4)
		size = strtol(argv[4], NULL, 10);
	if (argc > 5)
		window = strtol(argv[5], NULL, 10);
	if (argc > 6)
		prefetch = strtol(argv[6], NULL, 10);
	if (n < 1 || size < 2 || window < 1 || prefetch < 1 || prefetch > 65535) {
		fprintf(stderr, "ceiling: bad numbers\n");
		return 2;
	}
	acked = calloc((size_t)n + 1, 1);
	body = malloc((size_t)size);
	if (acked == NULL || body == NULL)
		return 1;
	/* a JSON-ish body like a work message, padded to size */
	memset(body, ' ', (size_t)size);
	{
		char head[64];
		int k = snprintf(head, sizeof(head),
				 "{\"event_id\":10230541,\"processing_type\":\"line-up\"");
		if (k > size - 1)
			k = (int)size - 1;
		memcpy(body, head, (size_t)k);
		body[size - 1] = '}';
	}

	c = connect_url(url);
	qarg.key = amqp_cstring_bytes("x-queue-type");
	qarg.value.kind = AMQP_FIELD_KIND_UTF8;
	qarg.value.value.bytes = amqp_cstring_bytes("quorum");
	qargs.num_entries = 1;
	qargs.entries = &qarg;
	amqp_queue_declare(c, 1, amqp_cstring_bytes(queue), 0, 1, 0, 0, qargs);
	die_reply(amqp_get_rpc_reply(c), "queue.declare");
	amqp_queue_purge(c, 1, amqp_cstring_bytes(queue));
	die_reply(amqp_get_rpc_reply(c), "queue.purge");

	/* 1. publish with confirms, a window of `window` */
	amqp_confirm_select(c, 1);
	die_reply(amqp_get_rpc_reply(c), "confirm.select");
	memset(&props, 0, sizeof(props));
	props._flags = AMQP_BASIC_DELIVERY_MODE_FLAG | AMQP_BASIC_CONTENT_TYPE_FLAG;
	props.delivery_mode = 2;
	props.content_type = amqp_cstring_bytes("application/json");
	t0 = now_s();
	while (sent < (uint64_t)n) {
		amqp_bytes_t b = { (size_t)size, body };
		int rc = amqp_basic_publish(c, 1, amqp_empty_bytes, amqp_cstring_bytes(queue), 0, 0,
					    &props, b);
		if (rc != AMQP_STATUS_OK) {
			fprintf(stderr, "ceiling: publish: %s\n", amqp_error_string2(rc));
			return 1;
		}
		sent++;
		/* take whatever confirms are already buffered, without blocking */
		while (amqp_frames_enqueued(c) || amqp_data_in_buffer(c))
			read_confirm(c, acked, sent, &confirmed, &nacked);
		while (sent - confirmed >= (uint64_t)window)
			read_confirm(c, acked, sent, &confirmed, &nacked);
	}
	while (confirmed < sent)
		read_confirm(c, acked, sent, &confirmed, &nacked);
	t_pub = now_s() - t0;
	amqp_channel_close(c, 1, AMQP_REPLY_SUCCESS);
	amqp_channel_open(c, 2);
	die_reply(amqp_get_rpc_reply(c), "channel.open");

	/* 2. consume with prefetch, ack each */
	amqp_basic_qos(c, 2, 0, (uint16_t)prefetch, 0);
	die_reply(amqp_get_rpc_reply(c), "basic.qos");
	t0 = now_s();
	amqp_basic_consume(c, 2, amqp_cstring_bytes(queue), amqp_empty_bytes, 0, 0, 0,
			   amqp_empty_table);
	die_reply(amqp_get_rpc_reply(c), "basic.consume");
	while (got < sent - nacked) {
		amqp_envelope_t env;
		struct timeval tv = { 10, 0 };
		amqp_rpc_reply_t r;

		amqp_maybe_release_buffers(c);
		r = amqp_consume_message(c, &env, &tv, 0);
		if (r.reply_type != AMQP_RESPONSE_NORMAL) {
			if (r.reply_type == AMQP_RESPONSE_LIBRARY_EXCEPTION &&
			    r.library_error == AMQP_STATUS_TIMEOUT) {
				fprintf(stderr, "ceiling: no delivery for 10 s (%llu of %llu)\n",
					(unsigned long long)got, (unsigned long long)sent);
				return 1;
			}
			die_reply(r, "consume");
			continue;
		}
		if (amqp_basic_ack(c, 2, env.delivery_tag, 0) != 0) {
			fprintf(stderr, "ceiling: ack failed\n");
			return 1;
		}
		amqp_destroy_envelope(&env);
		got++;
	}
	t_cons = now_s() - t0;

	amqp_queue_delete(c, 2, amqp_cstring_bytes(queue), 0, 0);
	die_reply(amqp_get_rpc_reply(c), "queue.delete");
	amqp_channel_close(c, 2, AMQP_REPLY_SUCCESS);
	amqp_connection_close(c, AMQP_REPLY_SUCCESS);
	amqp_destroy_connection(c);
	printf("publish_msgs_per_s=%.1f consume_msgs_per_s=%.1f publish_s=%.3f consume_s=%.3f "
	       "messages=%llu nacked=%llu\n",
	       (double)sent / t_pub, (double)got / t_cons, t_pub, t_cons, (unsigned long long)sent,
	       (unsigned long long)nacked);
	free(acked);
	free(body);
	return 0;
}
