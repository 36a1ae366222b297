/*
 * test_observe: what systemd and a health checker see of a program, against
 * a real RabbitMQ and PostgreSQL.  The systemd side is simulated: the test
 * binds the datagram socket of $NOTIFY_SOCKET (abstract), sets
 * $WATCHDOG_USEC, and applies the watchdog's rule itself (no WATCHDOG=1
 * within the interval: systemd kills and restarts the unit).  The program
 * is bf-renders (broker and database only, no data source).
 * The broker side of /healthz (503 while the broker is frozen, 200 once it
 * is back) is shown by tests/system/broker-hang.sh; the metrics after real
 * work by test_lineups' metrics case.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include <curl/curl.h>

#include "lib/log.h"
#include "lib/signals.h"
#include "tests/support/scrape.h"
#include "tests/support/t.h"
#include "tests/support/testenv.h"
#include "tests/support/world.h"

#define WATCHDOG_MS 1000

/* The simulated service manager's end of $NOTIFY_SOCKET. */
struct manager {
	int fd;
	char env[160]; /* NOTIFY_SOCKET=@... */
	long long last_ping; /* ms of the last WATCHDOG=1, 0 = none */
	long long max_gap; /* longest time between two WATCHDOG=1 */
	int pings;
	bool ready, stopping;
	char status[300];
};

static int manager_open(struct manager *m, const char *tag)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int n;

	memset(m, 0, sizeof(*m));
	n = snprintf(sa.sun_path + 1, sizeof(sa.sun_path) - 1, "bf-test-notify-%s-%d", tag,
		     (int)getpid());
	snprintf(m->env, sizeof(m->env), "NOTIFY_SOCKET=@%s", sa.sun_path + 1);
	m->fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (m->fd < 0 ||
	    bind(m->fd, (struct sockaddr *)&sa,
		 (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + (size_t)n)) != 0)
		return -1;
	return 0;
}

/* Takes what the program sent within ms: READY, STATUS, WATCHDOG, STOPPING. */
static void manager_read(struct manager *m, int ms)
{
	long long end = tenv_now_ms() + ms;

	for (;;) {
		long long left = end - tenv_now_ms();
		struct timeval tv;
		char buf[1024];
		ssize_t r;

		if (left <= 0)
			return;
		tv.tv_sec = left / 1000;
		tv.tv_usec = (left % 1000) * 1000;
		setsockopt(m->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
		r = recv(m->fd, buf, sizeof(buf) - 1, 0);
		if (r < 0)
			continue; /* timeout or EINTR: the loop ends at end */
		buf[r] = '\0';
		char *save = NULL;
		for (char *line = strtok_r(buf, "\n", &save); line != NULL;
		     line = strtok_r(NULL, "\n", &save)) {
			if (strcmp(line, "READY=1") == 0)
				m->ready = true;
			else if (strcmp(line, "STOPPING=1") == 0)
				m->stopping = true;
			else if (strncmp(line, "STATUS=", 7) == 0)
				snprintf(m->status, sizeof(m->status), "%s", line + 7);
			else if (strcmp(line, "WATCHDOG=1") == 0) {
				long long now = tenv_now_ms();
				if (m->last_ping != 0 && now - m->last_ping > m->max_gap)
					m->max_gap = now - m->last_ping;
				m->last_ping = now;
				m->pings++;
			}
		}
	}
}

/* systemd's rule: the watchdog fires when no WATCHDOG=1 came within the
 * interval. */
static bool watchdog_fired(const struct manager *m)
{
	return m->last_ping == 0 || tenv_now_ms() - m->last_ping > WATCHDOG_MS;
}

static int world_up(struct world *w, const char *tag)
{
	const struct world_opts o = { .prefix = "t-obs",
				      .scenario = "tests/data/scenarios/fake-selftest",
				      .plainly = true,
				      .plainly_key = "testkey",
				      .broker = "test_observe" };

	return world_open(w, tag, &o);
}

/*
 * READY once connected, keep-alives at a third of the interval while the
 * loop turns, none while it is frozen (SIGSTOP: the watchdog fires, as it
 * would for a wedged loop), again after SIGCONT, STOPPING on SIGTERM.
 */
static void watchdog_sees_a_frozen_loop(void)
{
	struct world w;
	struct manager m;
	char usec[64];
	pid_t pid;

	world_init(&w);
	REQUIRE(world_up(&w, "wd") == 0 && manager_open(&m, "wd") == 0);
	snprintf(usec, sizeof(usec), "WATCHDOG_USEC=%d", WATCHDOG_MS * 1000);
	const char *set[] = { m.env, usec, "BF_PLAINLY_API_KEY=testkey", NULL };
	pid = world_start(&w, "bf-renders", "renders", true, set, NULL);
	REQUIRE(pid > 0);

	for (long long end = tenv_now_ms() + 30000; !m.ready && tenv_now_ms() < end;)
		manager_read(&m, 200);
	CHECK(m.ready);
	printf("#   READY, STATUS=%s\n", m.status);
	CHECK(strstr(m.status, "bf.render") != NULL);

	/* a turning loop: never a gap near the interval */
	m.max_gap = 0;
	m.pings = 0;
	manager_read(&m, 3000);
	printf("#   %d keep-alives in 3 s, longest gap %lld ms\n", m.pings, m.max_gap);
	CHECK(m.pings >= 4);
	CHECK(m.max_gap < WATCHDOG_MS);
	CHECK(!watchdog_fired(&m));

	/* frozen: nothing comes, the watchdog fires */
	CHECK_INT(kill(pid, SIGSTOP), 0);
	manager_read(&m, 2 * WATCHDOG_MS + 500);
	CHECK(watchdog_fired(&m));
	printf("#   frozen: last keep-alive %lld ms ago\n", tenv_now_ms() - m.last_ping);

	/* thawed: the loop says it is alive again */
	CHECK_INT(kill(pid, SIGCONT), 0);
	m.pings = 0;
	manager_read(&m, WATCHDOG_MS);
	CHECK(m.pings >= 1);
	CHECK(!watchdog_fired(&m));

	CHECK_INT(kill(pid, SIGTERM), 0);
	CHECK_INT(world_wait(&w, pid, 15000), 0);
	manager_read(&m, 200);
	CHECK(m.stopping);
	close(m.fd);
	world_close(&w);
}

/*
 * No database: the program keeps trying (its keep-alives go on, READY
 * does not come) and /healthz says why it is not healthy; once it is
 * given one, 200.  Metrics are off unless metrics.listen is set.
 */
static void healthz_says_what_is_missing(void)
{
	struct world w;
	struct manager m;
	char listen[64], url[128], why[200], amqp[600], db[600];
	int port = tenv_free_port();
	pid_t pid;

	world_init(&w);
	REQUIRE(port > 0 && world_up(&w, "hz") == 0 && manager_open(&m, "hz") == 0);
	snprintf(listen, sizeof(listen), "BF_METRICS_LISTEN=%d", port);
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/healthz", port);
	snprintf(amqp, sizeof(amqp), "BF_AMQP_URL=%s", w.amqp);
	/* a port nobody listens on: the database is down */
	snprintf(db, sizeof(db), "BF_DATABASE_URL=postgresql://postgres@127.0.0.1:%d/bf",
		 tenv_free_port());
	const char *set[] = { m.env, "WATCHDOG_USEC=1000000", listen, amqp, db, NULL };
	pid = world_start(&w, "bf-renders", "renders", false, set, NULL);
	REQUIRE(pid > 0);
	CHECK_INT((int)scrape_wait_status(url, 503, 10000), 503);
	CHECK_INT((int)scrape_status(url, why, sizeof(why)), 503);
	printf("#   /healthz 503: %s\n", why);
	CHECK(strstr(why, "database") != NULL);
	manager_read(&m, 2000);
	CHECK(!m.ready);
	CHECK(m.pings >= 2); /* waiting for the database is not a wedged loop */
	kill(pid, SIGTERM);
	CHECK_INT(world_wait(&w, pid, 15000), 0);

	/* with its database: 200 */
	const char *set2[] = { listen, NULL };
	pid = world_start(&w, "bf-renders", "renders2", true, set2, NULL);
	REQUIRE(pid > 0);
	CHECK_INT((int)scrape_wait_status(url, 200, 30000), 200);
	kill(pid, SIGTERM);
	CHECK_INT(world_wait(&w, pid, 15000), 0);
	close(m.fd);
	world_close(&w);
}

int main(int argc, char **argv)
{
	log_init("test_observe");
	tenv_require();
	signals_install();
	curl_global_init(CURL_GLOBAL_DEFAULT);
	/* test_observe NAME... runs only the cases whose name contains NAME */
	static const struct t_case cases[] = {
		T_CASE(watchdog_sees_a_frozen_loop),
		T_CASE(healthz_says_what_is_missing),
	};
	t_run_matching(cases, sizeof(cases) / sizeof(cases[0]), argc, argv);
	curl_global_cleanup();
	return t_done();
}
