/*
 * prefill: fills a work queue before a consumer is started, for `make bench`.
 * Raw rabbitmq-c 0.11 (no project code).
 *
 *   prefill AMQP_URL EXCHANGE ROUTING_KEY FILE
 *
 * Publishes each line of FILE (a work message body) persistently, with
 * mandatory=1 and publisher confirms (a window of 100), with the properties
 * the producer sets (content_type, type = ROUTING_KEY, message_id =
 * ROUTING_KEY:<event_id or line number>, app_id).  Exits 0 once every
 * message is confirmed; 1 when one was nacked or returned, or on an error.
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

#define WINDOW 100

static void check(amqp_rpc_reply_t r, const char *what)
{
	if (r.reply_type == AMQP_RESPONSE_NORMAL)
		return;
	if (r.reply_type == AMQP_RESPONSE_LIBRARY_EXCEPTION)
		fprintf(stderr, "prefill: %s: %s\n", what, amqp_error_string2(r.library_error));
	else
		fprintf(stderr, "prefill: %s: refused by the broker\n", what);
	exit(1);
}

struct state {
	unsigned char *acked;
	uint64_t sent, confirmed, failed;
};

static void read_frame(amqp_connection_state_t c, struct state *s)
{
	struct timeval tv = { 10, 0 };
	amqp_frame_t f;
	int rc = amqp_simple_wait_frame_noblock(c, &f, &tv);
	uint64_t tag;
	bool multiple, bad;

	if (rc != AMQP_STATUS_OK) {
		fprintf(stderr, "prefill: waiting for confirms: %s\n", amqp_error_string2(rc));
		exit(1);
	}
	if (f.frame_type != AMQP_FRAME_METHOD)
		return;
	switch (f.payload.method.id) {
	case AMQP_BASIC_ACK_METHOD: {
		amqp_basic_ack_t *a = f.payload.method.decoded;
		tag = a->delivery_tag;
		multiple = a->multiple;
		bad = false;
		break;
	}
	case AMQP_BASIC_NACK_METHOD: {
		amqp_basic_nack_t *a = f.payload.method.decoded;
		tag = a->delivery_tag;
		multiple = a->multiple;
		bad = true;
		break;
	}
	case AMQP_BASIC_RETURN_METHOD: {
		amqp_message_t m;
		fprintf(stderr, "prefill: a message was unroutable (is the topology declared?)\n");
		if (amqp_read_message(c, f.channel, &m, 0).reply_type == AMQP_RESPONSE_NORMAL)
			amqp_destroy_message(&m);
		s->failed++;
		return;
	}
	case AMQP_CHANNEL_CLOSE_METHOD:
	case AMQP_CONNECTION_CLOSE_METHOD:
		fprintf(stderr, "prefill: the broker closed the channel\n");
		exit(1);
	default:
		return;
	}
	if (tag == 0 || tag > s->sent)
		return;
	for (uint64_t t = multiple ? 1 : tag; t <= tag; t++) {
		if (s->acked[t])
			continue;
		s->acked[t] = 1;
		s->confirmed++;
		if (bad)
			s->failed++;
	}
}

int main(int argc, char **argv)
{
	struct amqp_connection_info ci;
	amqp_connection_state_t c;
	amqp_socket_t *sock;
	amqp_basic_properties_t props;
	struct state s;
	FILE *in;
	char *url, *line = NULL;
	size_t cap = 0, nlines = 0;
	ssize_t len;

	if (argc != 5) {
		fprintf(stderr, "usage: prefill AMQP_URL EXCHANGE ROUTING_KEY FILE\n");
		return 2;
	}
	in = fopen(argv[4], "r");
	if (in == NULL) {
		perror(argv[4]);
		return 2;
	}
	while ((len = getline(&line, &cap, in)) > 0)
		nlines++;
	rewind(in);
	memset(&s, 0, sizeof(s));
	s.acked = calloc(nlines + 1, 1);
	url = strdup(argv[1]);
	if (s.acked == NULL || url == NULL || amqp_parse_url(url, &ci) != AMQP_STATUS_OK) {
		fprintf(stderr, "prefill: bad URL\n");
		return 2;
	}
	c = amqp_new_connection();
	sock = amqp_tcp_socket_new(c);
	if (sock == NULL || amqp_socket_open(sock, ci.host, ci.port) != AMQP_STATUS_OK) {
		fprintf(stderr, "prefill: cannot connect\n");
		return 1;
	}
	check(amqp_login(c, ci.vhost, 0, 131072, 0, AMQP_SASL_METHOD_PLAIN, ci.user, ci.password),
	      "login");
	amqp_channel_open(c, 1);
	check(amqp_get_rpc_reply(c), "channel.open");
	amqp_confirm_select(c, 1);
	check(amqp_get_rpc_reply(c), "confirm.select");

	while ((len = getline(&line, &cap, in)) > 0) {
		char mid[128];
		const char *ev;
		long long id = (long long)s.sent + 1;

		while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
			line[--len] = '\0';
		if (len == 0)
			continue;
		if ((ev = strstr(line, "\"event_id\":")) != NULL)
			id = strtoll(ev + 11, NULL, 10);
		snprintf(mid, sizeof(mid), "%s:%lld", argv[3], id);
		memset(&props, 0, sizeof(props));
		props._flags = AMQP_BASIC_DELIVERY_MODE_FLAG | AMQP_BASIC_CONTENT_TYPE_FLAG |
			       AMQP_BASIC_TYPE_FLAG | AMQP_BASIC_MESSAGE_ID_FLAG |
			       AMQP_BASIC_APP_ID_FLAG | AMQP_BASIC_TIMESTAMP_FLAG;
		props.delivery_mode = 2;
		props.content_type = amqp_cstring_bytes("application/json");
		props.type = amqp_cstring_bytes(argv[3]);
		props.message_id = amqp_cstring_bytes(mid);
		props.app_id = amqp_cstring_bytes("bench-prefill");
		props.timestamp = (uint64_t)time(NULL);
		amqp_bytes_t b = { (size_t)len, line };
		if (amqp_basic_publish(c, 1, amqp_cstring_bytes(argv[2]), amqp_cstring_bytes(argv[3]), 1,
				       0, &props, b) != AMQP_STATUS_OK) {
			fprintf(stderr, "prefill: publish failed\n");
			return 1;
		}
		s.sent++;
		while (s.sent - s.confirmed >= WINDOW)
			read_frame(c, &s);
	}
	while (s.confirmed < s.sent)
		read_frame(c, &s);
	amqp_channel_close(c, 1, AMQP_REPLY_SUCCESS);
	amqp_connection_close(c, AMQP_REPLY_SUCCESS);
	amqp_destroy_connection(c);
	fclose(in);
	free(line);
	free(url);
	free(s.acked);
	if (s.failed > 0) {
		fprintf(stderr, "prefill: %llu of %llu messages refused\n",
			(unsigned long long)s.failed, (unsigned long long)s.sent);
		return 1;
	}
	printf("prefill: %llu messages confirmed\n", (unsigned long long)s.sent);
	return 0;
}
