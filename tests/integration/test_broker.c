/*
 * The broker layer against the real RabbitMQ of ops/dev/services: topology,
 * publisher confirms, consume/ack, wait tiers, unroutable returns, and a
 * broker restart in the middle of publishing.  Each case uses its own vhost.
 */
#include <cjson/cJSON.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/log.h"
#include "lib/signals.h"
#include "protocol/broker.h"
#include "protocol/message.h"
#include "protocol/topology.h"
#include "tests/support/t.h"
#include "tests/support/testenv.h"

static struct bf_config cfg;
static struct topology topo;
static char vhost[64];
static char url[512];

static int setup(const char *name)
{
	snprintf(vhost, sizeof(vhost), "t-%s-%ld", name, (long)getpid());
	if (tenv_vhost_create(vhost, url, sizeof(url)) != 0)
		return -1;
	cfg_free(&cfg);
	tenv_config(&cfg, url, NULL);
	return topo_build(&topo, &cfg);
}

static struct broker *open_broker(int op_timeout)
{
	struct broker *b = NULL;
	struct broker_opts o = {
		.urls = url,
		.conn_name = "test_broker",
		.heartbeat = 10,
		.op_timeout = op_timeout,
		.confirm_window = 100,
		.topo = &topo,
		.stop = &signals_stop,
		.max_connect_tries = 3,
	};

	if (broker_open(&b, &o) != 0)
		return NULL;
	return b;
}

static int publish_lineup(struct broker *b, int64_t id, int attempt)
{
	struct work_msg m = { .type = MSG_LINEUP, .event_id = id };
	char body[128], key[MSG_KEY_MAX];
	int len = msg_encode(&m, body, sizeof(body));
	struct broker_msg bm = {
		.exchange = TOPO_WORK_EXCHANGE,
		.routing_key = "line-up",
		.body = body,
		.message_id = key,
		.type = "line-up",
		.app_id = "test_broker",
	};

	if (len < 0 || msg_key(&m, key, sizeof(key)) < 0)
		return -1;
	bm.len = (size_t)len;
	bm.attempt = attempt;
	return broker_publish(b, &bm);
}

/* Queue object of the management API, or NULL. */
static cJSON *mgmt_queue(cJSON *list, const char *name)
{
	cJSON *q;

	cJSON_ArrayForEach (q, list) {
		const cJSON *n = cJSON_GetObjectItem(q, "name");
		if (cJSON_IsString(n) && strcmp(n->valuestring, name) == 0)
			return q;
	}
	return NULL;
}

static void topology_declared_twice_matches_design(void)
{
	struct broker *b;
	char err[256], path[256];
	char *body = NULL;
	cJSON *list;

	REQUIRE(setup("topo") == 0);
	b = open_broker(20);
	REQUIRE(b != NULL);
	CHECK(broker_declare(b, err, sizeof(err)) == 0); /* second declare: idempotent */
	broker_close(b);
	b = open_broker(20); /* a third, from a new connection */
	CHECK(b != NULL);
	broker_close(b);

	snprintf(path, sizeof(path), "/api/queues/%s", vhost);
	CHECK_INT(tenv_mgmt("GET", path, NULL, &body), 200);
	list = cJSON_Parse(body);
	free(body);
	REQUIRE(cJSON_IsArray(list));
	CHECK_INT(cJSON_GetArraySize(list), 15);
	static const char *const work[] = { "bf.line-up", "bf.result", "bf.tournament-stats",
					    "bf.render" };
	for (size_t i = 0; i < 4; i++) {
		cJSON *q = mgmt_queue(list, work[i]);
		cJSON *a = q ? cJSON_GetObjectItem(q, "arguments") : NULL;
		CHECK(a != NULL);
		if (a == NULL)
			continue;
		CHECK_STR(cJSON_GetObjectItem(a, "x-queue-type")->valuestring, "quorum");
		CHECK_STR(cJSON_GetObjectItem(a, "x-dead-letter-exchange")->valuestring, "bf.dead");
		CHECK_STR(cJSON_GetObjectItem(a, "x-dead-letter-strategy")->valuestring,
			  "at-least-once");
		CHECK_STR(cJSON_GetObjectItem(a, "x-overflow")->valuestring, "reject-publish");
		CHECK_INT(cJSON_GetObjectItem(a, "x-delivery-limit")->valueint,
			  TOPO_DELIVERY_LIMIT);
	}
	static const struct {
		const char *name, *rk;
		int ttl_ms;
	} waits[] = {
		{ "bf.line-up.wait.1s", "line-up", 1000 },
		{ "bf.line-up.wait.2s", "line-up", 2000 },
		{ "bf.result.wait.1s", "result", 1000 },
		{ "bf.result.wait.2s", "result", 2000 },
		{ "bf.render.wait.1s", "render", 1000 },
		{ "bf.render.wait.2s", "render", 2000 },
		{ "bf.render.wait.3s", "render", 3000 },
	};
	for (size_t i = 0; i < sizeof(waits) / sizeof(waits[0]); i++) {
		cJSON *q = mgmt_queue(list, waits[i].name);
		cJSON *a = q ? cJSON_GetObjectItem(q, "arguments") : NULL;
		CHECK(a != NULL);
		if (a == NULL)
			continue;
		CHECK_INT(cJSON_GetObjectItem(a, "x-message-ttl")->valueint, waits[i].ttl_ms);
		CHECK_STR(cJSON_GetObjectItem(a, "x-dead-letter-exchange")->valuestring, "bf.work");
		CHECK_STR(cJSON_GetObjectItem(a, "x-dead-letter-routing-key")->valuestring,
			  waits[i].rk);
		CHECK_STR(cJSON_GetObjectItem(a, "x-dead-letter-strategy")->valuestring,
			  "at-least-once");
		CHECK_STR(cJSON_GetObjectItem(a, "x-queue-type")->valuestring, "quorum");
	}
	static const char *const dead[] = { "bf.line-up.dead", "bf.result.dead",
					    "bf.tournament-stats.dead", "bf.render.dead" };
	for (size_t i = 0; i < 4; i++)
		CHECK(mgmt_queue(list, dead[i]) != NULL);
	cJSON_Delete(list);

	/* bindings: work queues on bf.work, dead queues on bf.dead, by type */
	snprintf(path, sizeof(path), "/api/bindings/%s", vhost);
	CHECK_INT(tenv_mgmt("GET", path, NULL, &body), 200);
	list = cJSON_Parse(body);
	free(body);
	int found = 0;
	cJSON *bnd;
	cJSON_ArrayForEach (bnd, list) {
		const char *src = cJSON_GetObjectItem(bnd, "source")->valuestring;
		const char *dst = cJSON_GetObjectItem(bnd, "destination")->valuestring;
		const char *rk = cJSON_GetObjectItem(bnd, "routing_key")->valuestring;
		char want[128];
		if (strcmp(src, "bf.work") == 0) {
			snprintf(want, sizeof(want), "bf.%s", rk);
			CHECK_STR(dst, want);
			found++;
		} else if (strcmp(src, "bf.dead") == 0) {
			snprintf(want, sizeof(want), "bf.%s.dead", rk);
			CHECK_STR(dst, want);
			found++;
		}
	}
	CHECK_INT(found, 8);
	cJSON_Delete(list);
	tenv_vhost_delete(vhost);
}

static void ten_thousand_confirmed_all_consumed(void)
{
	enum {
		N = 10000
	};
	struct broker *pub, *con;
	static unsigned char seen[N + 1];
	int got = 0, dups = 0;
	long long t0, t1, t2;

	REQUIRE(setup("10k") == 0);
	pub = open_broker(20);
	con = open_broker(20);
	REQUIRE(pub != NULL && con != NULL);
	memset(seen, 0, sizeof(seen));
	t0 = tenv_now_ms();
	for (int i = 1; i <= N; i++)
		CHECK(publish_lineup(pub, i, 0) == 0);
	CHECK_INT(broker_flush(pub, 30000), 0);
	CHECK_INT(broker_unconfirmed(pub), 0);
	t1 = tenv_now_ms();
	CHECK_INT(broker_queue_depth(pub, "bf.line-up"), N);

	REQUIRE(broker_consume(con, "bf.line-up", 100, "test_broker") == 0);
	while (got < N && tenv_now_ms() - t1 < 60000) {
		struct broker_delivery d;
		struct work_msg m;
		char err[128], key[MSG_KEY_MAX];
		int rc = broker_next(con, &d, 1000);

		if (rc != 1)
			continue;
		CHECK(msg_decode(d.body, d.len, &m, err, sizeof(err)) == 0);
		CHECK(msg_key(&m, key, sizeof(key)) > 0 && strcmp(key, d.message_id) == 0);
		CHECK_STR(d.type, "line-up");
		CHECK_STR(d.content_type, "application/json");
		CHECK(d.has_attempt && d.attempt == 0);
		if (m.event_id >= 1 && m.event_id <= N) {
			if (seen[m.event_id]++)
				dups++;
			else
				got++;
		}
		CHECK(broker_ack(con, &d) == 0);
		broker_delivery_free(&d);
	}
	t2 = tenv_now_ms();
	CHECK_INT(got, N);
	printf("#   10000 messages: publish+confirm %.0f msg/s, consume+ack %.0f msg/s, %d duplicates\n",
	       N * 1000.0 / (double)(t1 - t0 + 1), N * 1000.0 / (double)(t2 - t1 + 1), dups);
	broker_close(con);
	/* a quorum queue's count settles a moment after the last ack */
	long depth = -1;
	for (int i = 0; i < 50 && depth != 0; i++) {
		depth = broker_queue_depth(pub, "bf.line-up");
		if (depth != 0)
			tenv_sleep_ms(100);
	}
	CHECK_INT(depth, 0);
	if (depth > 0) {
		/* say what is left: duplicates of consumed ones, or never seen */
		struct broker_delivery d;
		int shown = 0;
		while (shown < 20 && broker_get(pub, "bf.line-up", &d) == 1) {
			printf("#   left in queue: message_id=%s redelivered=%d delivery_count=%lld\n",
			       d.message_id, d.redelivered, (long long)d.delivery_count);
			broker_delivery_free(&d);
			shown++;
		}
	}
	broker_close(pub);
	tenv_vhost_delete(vhost);
}

static void wait_tier_returns_with_attempt_incremented(void)
{
	struct broker *pub, *con;
	struct broker_delivery d;
	long long t0;
	int rc;

	REQUIRE(setup("wait") == 0);
	pub = open_broker(20);
	con = open_broker(20);
	REQUIRE(pub != NULL && con != NULL);
	CHECK(publish_lineup(pub, 4242, 0) == 0);
	CHECK_INT(broker_flush(pub, 10000), 0);
	REQUIRE(broker_consume(con, "bf.line-up", 10, "test_broker") == 0);
	do
		rc = broker_next(con, &d, 5000);
	while (rc == 0);
	REQUIRE(rc == 1);
	CHECK_INT(d.attempt, 0);

	/* what a consumer does: republish to the wait tier with confirm, then ack */
	const struct topo_queue *w = topo_wait_queue(&topo, MSG_LINEUP, 1);
	REQUIRE(w != NULL);
	struct broker_msg bm = {
		.exchange = "",
		.routing_key = w->name,
		.body = d.body,
		.len = d.len,
		.message_id = d.message_id,
		.type = d.type,
		.app_id = "test_broker",
		.attempt = d.attempt + 1,
		.first_published = d.first_published,
	};
	CHECK(broker_publish(pub, &bm) == 0);
	CHECK_INT(broker_flush(pub, 10000), 0);
	CHECK(broker_ack(con, &d) == 0);
	uint64_t first = d.first_published;
	broker_delivery_free(&d);
	t0 = tenv_now_ms();

	rc = 0;
	while (rc == 0 && tenv_now_ms() - t0 < 15000)
		rc = broker_next(con, &d, 500);
	REQUIRE(rc == 1);
	long long waited = tenv_now_ms() - t0;
	CHECK(waited >= 800); /* the TTL, not an immediate redelivery */
	CHECK_INT(d.attempt, 1);
	CHECK_STR(d.message_id, "line-up:4242");
	CHECK_STR(d.routing_key, "line-up");
	CHECK(d.first_published == first);
	CHECK(broker_ack(con, &d) == 0);
	broker_delivery_free(&d);
	printf("#   came back from %s after %lld ms\n", w->name, waited);
	broker_close(con);
	broker_close(pub);
	tenv_vhost_delete(vhost);
}

static void unroutable_publish_is_refused(void)
{
	struct broker *pub;
	struct broker_msg bm = {
		.exchange = "",
		.routing_key = "bf.no-such-queue",
		.body = "{}",
		.len = 2,
		.message_id = "x:1",
		.type = "line-up",
	};

	REQUIRE(setup("unroutable") == 0);
	pub = open_broker(20);
	REQUIRE(pub != NULL);
	CHECK(broker_publish(pub, &bm) == 0);
	CHECK(publish_lineup(pub, 7, 0) == 0);
	CHECK_INT(broker_flush(pub, 10000), 1); /* one refused, one confirmed */
	CHECK_INT(broker_queue_depth(pub, "bf.line-up"), 1);
	broker_close(pub);
	tenv_vhost_delete(vhost);
}

/*
 * A nacked publish is sent again on a new connection to the next URL (twice),
 * then refused.  The nack comes from a full queue (x-max-length 1,
 * reject-publish).  The three URLs name the same broker, the last one as
 * localhost: after two moves along the list the connection is there.
 */
static void nacked_publish_sent_again_on_the_next_node(void)
{
	char urls[1200], path[200], *at;
	struct broker *pub = NULL;
	struct broker_opts o = {
		.urls = urls,
		.conn_name = "test_broker",
		.heartbeat = 10,
		.op_timeout = 20,
		.confirm_window = 100,
		.topo = &topo,
		.stop = &signals_stop,
		.max_connect_tries = 3,
	};
	struct broker_msg bm = {
		.exchange = "",
		.routing_key = "t.full",
		.body = "{}",
		.len = 2,
		.message_id = "full:1",
		.type = "line-up",
	};
	unsigned nacked = 0, returned = 0;
	char peer0[160];

	REQUIRE(setup("nack") == 0);
	at = strstr(url, "@127.0.0.1:");
	REQUIRE(at != NULL);
	snprintf(urls, sizeof(urls), "%s,%s,%.*s@localhost:%s", url, url, (int)(at - url), url,
		 at + strlen("@127.0.0.1:"));
	snprintf(path, sizeof(path), "/api/queues/%s/t.full", vhost);
	REQUIRE(tenv_mgmt("PUT", path,
			  "{\"durable\": true, \"arguments\": {\"x-max-length\": 1,"
			  " \"x-overflow\": \"reject-publish\"}}",
			  NULL) /
			100 ==
		2);
	REQUIRE(broker_open(&pub, &o) == 0);
	snprintf(peer0, sizeof(peer0), "%s", broker_peer(pub));
	CHECK(strncmp(peer0, "127.0.0.1:", 10) == 0);
	CHECK(broker_publish(pub, &bm) == 0);
	CHECK_INT(broker_flush(pub, 10000), 0);
	CHECK_INT(broker_reconnects(pub), 0);

	/* the queue is full: nacked, sent again on a connection to the second
	 * URL, nacked, sent on one to the third, nacked: refused */
	bm.message_id = "full:2";
	CHECK(broker_publish(pub, &bm) == 0);
	CHECK_INT(broker_flush(pub, 20000), 1);
	broker_refusals(pub, &nacked, &returned);
	printf("#   nacked %u, returned %u, reconnects %u, peer %s -> %s\n", nacked, returned,
	       broker_reconnects(pub), peer0, broker_peer(pub));
	CHECK_INT(nacked, 3);
	CHECK_INT(returned, 0);
	CHECK_INT(broker_reconnects(pub), 2);
	CHECK_INT(broker_unconfirmed(pub), 0);
	CHECK_INT(broker_queue_depth(pub, "t.full"), 1);

	CHECK(strncmp(broker_peer(pub), "localhost:", 10) == 0);
	/* an unroutable publish is a return, not a nack: no move */
	bm.routing_key = "bf.no-such-queue";
	bm.message_id = "x:1";
	CHECK(broker_publish(pub, &bm) == 0);
	CHECK(publish_lineup(pub, 7, 0) == 0);
	CHECK_INT(broker_flush(pub, 10000), 1);
	broker_refusals(pub, &nacked, &returned);
	CHECK_INT(nacked, 3);
	CHECK_INT(returned, 1);
	CHECK_INT(broker_reconnects(pub), 2);
	CHECK_INT(broker_queue_depth(pub, "bf.line-up"), 1);
	broker_close(pub);
	tenv_vhost_delete(vhost);
}

static void broker_restart_while_publishing_loses_nothing(void)
{
	enum {
		N = 3000
	};
	struct broker *pub, *con;
	static unsigned char seen[N + 1];
	int got = 0, dups = 0;
	pid_t restarter = -1;
	char cmd[512];

	REQUIRE(setup("restart") == 0);
	pub = open_broker(90);
	REQUIRE(pub != NULL);
	memset(seen, 0, sizeof(seen));
	snprintf(cmd, sizeof(cmd), "%s/ops/dev/services", tenv_root());
	for (int i = 1; i <= N; i++) {
		if (i == 300) {
			char *argv[] = { cmd, "restart-rabbitmq", NULL };
			restarter = tenv_spawn(argv, "var/log/test-restart-rabbitmq.log");
		}
		CHECK(publish_lineup(pub, i, 0) == 0);
		if (i % 100 == 0)
			tenv_sleep_ms(150); /* spread the publishing over the restart */
	}
	CHECK_INT(broker_flush(pub, 120000), 0);
	CHECK(tenv_wait(restarter, 120000) == 0);
	printf("#   publisher reconnects: %u\n", broker_reconnects(pub));
	CHECK(broker_reconnects(pub) >= 1);

	con = open_broker(30);
	REQUIRE(con != NULL);
	REQUIRE(broker_consume(con, "bf.line-up", 200, "test_broker") == 0);
	long long t0 = tenv_now_ms();
	int idle = 0;
	while (idle < 3 && tenv_now_ms() - t0 < 60000) {
		struct broker_delivery d;
		struct work_msg m;
		char err[128];
		int rc = broker_next(con, &d, 1000);
		if (rc == 0 && got >= N)
			idle++;
		if (rc != 1)
			continue;
		if (msg_decode(d.body, d.len, &m, err, sizeof(err)) == 0 && m.event_id >= 1 &&
		    m.event_id <= N) {
			if (seen[m.event_id]++)
				dups++;
			else
				got++;
		}
		CHECK(broker_ack(con, &d) == 0);
		broker_delivery_free(&d);
	}
	printf("#   restart: %d of %d delivered, %d duplicates (allowed)\n", got, N, dups);
	CHECK_INT(got, N);
	broker_close(con);
	broker_close(pub);
	tenv_vhost_delete(vhost);
}

int main(int argc, char **argv)
{
	log_init("test_broker");
	tenv_require();
	signals_install();
	/* valgrind runs only the quick cases: test_broker quick */
	bool quick = argc > 1 && strcmp(argv[1], "quick") == 0;
	T_RUN(topology_declared_twice_matches_design);
	T_RUN(wait_tier_returns_with_attempt_incremented);
	T_RUN(unroutable_publish_is_refused);
	T_RUN(nacked_publish_sent_again_on_the_next_node);
	if (!quick) {
		T_RUN(ten_thousand_confirmed_all_consumed);
		T_RUN(broker_restart_while_publishing_loses_nothing);
	}
	cfg_free(&cfg);
	return t_done();
}
