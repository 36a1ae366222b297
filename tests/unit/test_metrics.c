/*
 * test_metrics: lib/metrics.c (the registry and its Prometheus text, the
 * health rule, metrics.listen) and lib/notify.c (the sd_notify datagrams,
 * the watchdog's pace and its thread), with no server: a socket of the
 * test's own stands in for systemd.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <netinet/in.h>

#include "lib/clock.h"
#include "lib/metrics.h"
#include "lib/notify.h"
#include "tests/support/t.h"

/* The sample line of series in text, or NULL. */
static const char *line_of(const char *text, const char *series)
{
	size_t n = strlen(series);

	for (const char *p = text; p != NULL; p = strchr(p, '\n'), p = p ? p + 1 : p)
		if (strncmp(p, series, n) == 0 && p[n] == ' ')
			return p;
	return NULL;
}

static double value_of(const char *text, const char *series)
{
	const char *l = line_of(text, series);

	return l != NULL ? strtod(l + strlen(series) + 1, NULL) : -1;
}

static void counters_labels_escaped(void)
{
	char *text;

	metrics_add(M_MESSAGES, 1, "type", "line-up", "outcome", "done", METRICS_END);
	metrics_add(M_MESSAGES, 2, "type", "line-up", "outcome", "done", METRICS_END);
	metrics_add(M_MESSAGES, 1, "type", "result", "outcome", "dead", METRICS_END);
	metrics_add(M_DEAD_LETTERS, 1, "type", "result", "reason", "a \"quoted\"\\ back\nslash",
		    METRICS_END);
	text = metrics_render();
	REQUIRE(text != NULL);
	CHECK(strstr(text, "# HELP bf_messages_total ") != NULL);
	CHECK(strstr(text, "# TYPE bf_messages_total counter\n") != NULL);
	CHECK(value_of(text, "bf_messages_total{type=\"line-up\",outcome=\"done\"}") == 3);
	CHECK(value_of(text, "bf_messages_total{type=\"result\",outcome=\"dead\"}") == 1);
	CHECK(line_of(text, "bf_dead_letters_total{type=\"result\",reason=\"a \\\"quoted\\\"\\\\ "
			    "back\\nslash\"}") != NULL);
	CHECK(metrics_get(M_MESSAGES, "type", "line-up", "outcome", "done", METRICS_END) == 3);
	CHECK(metrics_get(M_MESSAGES, "type", "line-up", "outcome", "nothing", METRICS_END) == 0);
	/* a family with no series still says what it is */
	CHECK(strstr(text, "# TYPE bf_renders_total counter\n") != NULL);
	CHECK(text[strlen(text) - 1] == '\n');
	free(text);
}

static void histogram_cumulative(void)
{
	double obs[] = { 0.0005, 0.003, 0.003, 0.2, 7, 100 };
	char *text;

	for (size_t i = 0; i < sizeof(obs) / sizeof(obs[0]); i++)
		metrics_observe(M_BATCH_SECONDS, obs[i], "type", "line-up", METRICS_END);
	text = metrics_render();
	REQUIRE(text != NULL);
	CHECK(value_of(text, "bf_batch_duration_seconds_bucket{type=\"line-up\",le=\"0.001\"}") ==
	      1);
	CHECK(value_of(text, "bf_batch_duration_seconds_bucket{type=\"line-up\",le=\"0.005\"}") ==
	      3);
	CHECK(value_of(text, "bf_batch_duration_seconds_bucket{type=\"line-up\",le=\"0.25\"}") ==
	      4);
	CHECK(value_of(text, "bf_batch_duration_seconds_bucket{type=\"line-up\",le=\"10\"}") == 5);
	CHECK(value_of(text, "bf_batch_duration_seconds_bucket{type=\"line-up\",le=\"60\"}") == 5);
	CHECK(value_of(text, "bf_batch_duration_seconds_bucket{type=\"line-up\",le=\"+Inf\"}") ==
	      6);
	CHECK(value_of(text, "bf_batch_duration_seconds_count{type=\"line-up\"}") == 6);
	double sum = value_of(text, "bf_batch_duration_seconds_sum{type=\"line-up\"}");
	CHECK(sum > 107.2 && sum < 107.3);
	free(text);
}

static void gauges_set_and_cleared(void)
{
	char *text;

	metrics_set(M_QUEUE_MESSAGES, 5, "queue", "bf.line-up", METRICS_END);
	metrics_set(M_QUEUE_MESSAGES, 7, "queue", "bf.line-up", METRICS_END);
	text = metrics_render();
	CHECK(value_of(text, "bf_queue_messages{queue=\"bf.line-up\"}") == 7);
	free(text);
	metrics_clear(M_QUEUE_MESSAGES);
	text = metrics_render();
	CHECK(line_of(text, "bf_queue_messages{queue=\"bf.line-up\"}") == NULL);
	CHECK(value_of(text, "process_resident_memory_bytes") > 0);
	free(text);
}

struct adder {
	int n;
};

static void *add_many(void *arg)
{
	const struct adder *a = arg;

	for (int i = 0; i < a->n; i++) {
		metrics_add(M_SOURCE_REQUESTS, 1, "provider", "sofascore", "status", "200",
			    METRICS_END);
		metrics_observe(M_STEP_SECONDS, 0.01, "type", "result", "step", "jobs",
				METRICS_END);
	}
	return NULL;
}

/* Four threads at once (the webhook thread and the loop do that): no update lost. */
static void threads_lose_nothing(void)
{
	pthread_t th[4];
	struct adder a = { 20000 };
	char *text;

	for (int i = 0; i < 4; i++)
		REQUIRE(pthread_create(&th[i], NULL, add_many, &a) == 0);
	for (int i = 0; i < 4; i++)
		pthread_join(th[i], NULL);
	CHECK(metrics_get(M_SOURCE_REQUESTS, "provider", "sofascore", "status", "200",
			  METRICS_END) == 80000);
	CHECK(metrics_get(M_STEP_SECONDS, "type", "result", "step", "jobs", METRICS_END) == 80000);
	text = metrics_render();
	CHECK(value_of(text,
		       "bf_step_duration_seconds_bucket{type=\"result\",step=\"jobs\",le=\"0.01\"}") ==
	      80000);
	free(text);
}

static void health_rule(void)
{
	char why[200];

	metrics_set(M_BROKER_CONNECTED, 0, METRICS_END);
	metrics_set(M_DATABASE_CONNECTED, 0, METRICS_END);
	CHECK(!metrics_healthy(why, sizeof(why)));
	CHECK_STR(why, "not connected to the database; not connected to the broker");
	metrics_set(M_DATABASE_CONNECTED, 1, METRICS_END);
	CHECK(!metrics_healthy(why, sizeof(why)));
	CHECK_STR(why, "not connected to the broker");
	metrics_set(M_BROKER_CONNECTED, 1, METRICS_END);
	CHECK(metrics_healthy(why, sizeof(why)));
	CHECK_STR(why, "ok");

	/* the producer: active, its last cycle too old */
	metrics_health_cycle(60);
	metrics_set(M_PRODUCER_ACTIVE, 1, METRICS_END);
	CHECK(metrics_healthy(why, sizeof(why))); /* 60 s from now for the first */
	metrics_set(M_PRODUCER_LAST_CYCLE, (double)time(NULL) - 30, METRICS_END);
	CHECK(metrics_healthy(why, sizeof(why)));
	metrics_health_cycle(20);
	CHECK(metrics_healthy(why, sizeof(why))); /* counted from this call */
	metrics_set(M_PRODUCER_ACTIVE, 0, METRICS_END); /* a standby: no cycles expected */
	CHECK(metrics_healthy(why, sizeof(why)));
}

static void health_cycle_too_old(void)
{
	char why[200];

	metrics_set(M_BROKER_CONNECTED, 1, METRICS_END);
	metrics_set(M_DATABASE_CONNECTED, 1, METRICS_END);
	metrics_set(M_PRODUCER_ACTIVE, 1, METRICS_END);
	metrics_set(M_PRODUCER_LAST_CYCLE, (double)time(NULL) - 3600, METRICS_END);
	metrics_health_cycle(1);
	clock_sleep_ms(2100);
	CHECK(!metrics_healthy(why, sizeof(why)));
	CHECK(strstr(why, "active producer without a cycle for") != NULL);
	metrics_set(M_PRODUCER_LAST_CYCLE, (double)time(NULL), METRICS_END);
	CHECK(metrics_healthy(why, sizeof(why)));
	metrics_set(M_PRODUCER_ACTIVE, 0, METRICS_END);
}

static void listen_forms(void)
{
	struct sockaddr_storage sa;
	unsigned len;

	CHECK_INT(metrics_parse_listen("9100", &sa, &len), 0);
	CHECK_INT(sa.ss_family, AF_INET);
	CHECK_INT(ntohs(((struct sockaddr_in *)&sa)->sin_port), 9100);
	CHECK_INT((int)ntohl(((struct sockaddr_in *)&sa)->sin_addr.s_addr), 0x7f000001);
	CHECK_INT(metrics_parse_listen("0.0.0.0:9101", &sa, &len), 0);
	CHECK_INT((int)ntohl(((struct sockaddr_in *)&sa)->sin_addr.s_addr), 0);
	CHECK_INT(metrics_parse_listen("[::1]:9102", &sa, &len), 0);
	CHECK_INT(sa.ss_family, AF_INET6);
	/* an address literal, as the configuration requires (test_config) */
	CHECK_INT(metrics_parse_listen("localhost:9103", &sa, &len), -1);
	CHECK_INT(metrics_parse_listen(" 9100", &sa, &len), -1);
	CHECK_INT(metrics_parse_listen("+80", &sa, &len), -1);
	CHECK_INT(metrics_parse_listen("", &sa, &len), -1);
	CHECK_INT(metrics_parse_listen("0", &sa, &len), -1);
	CHECK_INT(metrics_parse_listen("65536", &sa, &len), -1);
	CHECK_INT(metrics_parse_listen("example.org:9100", &sa, &len), -1);
	CHECK_INT(metrics_parse_listen("[::1]9100", &sa, &len), -1);
	CHECK_INT(metrics_parse_listen("127.0.0.1:", &sa, &len), -1);
}

/* ---- notify ----------------------------------------------------------------- */

static int manager(const char *name)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct timeval tv = { 0, 300000 };
	int fd = socket(AF_UNIX, SOCK_DGRAM, 0);
	size_t n = strlen(name);

	memcpy(sa.sun_path + 1, name, n);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa,
			   (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + n)) != 0)
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	return fd;
}

/* The next datagram into buf ("" after 300 ms of nothing). */
static void next(int fd, char *buf, size_t n)
{
	ssize_t r = recv(fd, buf, n - 1, 0);

	buf[r > 0 ? r : 0] = '\0';
}

static void *ping_from_thread(void *arg)
{
	(void)arg;
	notify_watchdog();
	return NULL;
}

static void notify_datagrams(void)
{
	char name[64], env[80], pid[32], buf[600];
	pthread_t th;
	int fd;

	snprintf(name, sizeof(name), "bf-unit-notify-%d", (int)getpid());
	fd = manager(name);
	REQUIRE(fd >= 0);
	snprintf(env, sizeof(env), "@%s", name);
	setenv("NOTIFY_SOCKET", env, 1);
	setenv("WATCHDOG_USEC", "600000", 1); /* 0.6 s: a keep-alive every 0.1 s at most */
	unsetenv("WATCHDOG_PID");
	notify_init();
	CHECK(notify_watchdog_usec() == 600000);

	notify_ready("consuming %s\nfrom %s", "bf.line-up", "broker");
	next(fd, buf, sizeof(buf));
	CHECK_STR(buf, "READY=1\nSTATUS=consuming bf.line-up from broker");
	next(fd, buf, sizeof(buf));
	CHECK_STR(buf, "WATCHDOG=1");

	/* at most one keep-alive per sixth of the interval */
	notify_watchdog();
	next(fd, buf, sizeof(buf));
	CHECK_STR(buf, "");
	clock_sleep_ms(120);
	notify_watchdog();
	next(fd, buf, sizeof(buf));
	CHECK_STR(buf, "WATCHDOG=1");

	/* another thread's keep-alive does not count (a wedged loop stays wedged) */
	clock_sleep_ms(120);
	REQUIRE(pthread_create(&th, NULL, ping_from_thread, NULL) == 0);
	pthread_join(th, NULL);
	next(fd, buf, sizeof(buf));
	CHECK_STR(buf, "");

	notify_status("standby");
	next(fd, buf, sizeof(buf));
	CHECK_STR(buf, "STATUS=standby");
	notify_stopping();
	next(fd, buf, sizeof(buf));
	CHECK_STR(buf, "STOPPING=1");

	/* the watchdog is another process's (WATCHDOG_PID): none from us */
	snprintf(pid, sizeof(pid), "%d", (int)getpid() + 1);
	setenv("WATCHDOG_PID", pid, 1);
	notify_init();
	CHECK(notify_watchdog_usec() == 0);
	notify_watchdog();
	next(fd, buf, sizeof(buf));
	CHECK_STR(buf, "");

	/* not under systemd: nothing, no error */
	unsetenv("NOTIFY_SOCKET");
	notify_init();
	notify_ready("x");
	next(fd, buf, sizeof(buf));
	CHECK_STR(buf, "");
	close(fd);
}

int main(void)
{
	metrics_init("test_metrics", "0");
	T_RUN(counters_labels_escaped);
	T_RUN(histogram_cumulative);
	T_RUN(gauges_set_and_cleared);
	T_RUN(threads_lose_nothing);
	T_RUN(health_rule);
	T_RUN(health_cycle_too_old);
	T_RUN(listen_forms);
	T_RUN(notify_datagrams);
	return t_done();
}
