#include "proc.h"

#include <amqp.h>
#include <cjson/cJSON.h>
#include <curl/curl.h>
#include <libconfig.h>
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "log.h"

volatile sig_atomic_t proc_stop;

static void on_stop(int sig)
{
	(void)sig;
	if (proc_stop)
		_exit(1); /* second signal: no more waiting */
	proc_stop = 1;
}

void proc_signals_install(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_stop;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);
}

void proc_config_load(struct bf_config *c, const char *path, int check_only)
{
	char err[512];
	enum log_level lvl;

	if (cfg_load(c, path, err, sizeof(err)) != 0) {
		fprintf(stderr, "%s: configuration error: %s\n", log_prog(), err);
		cfg_free(c);
		exit(1);
	}
	if (log_level_parse(c->log_level, &lvl) == 0)
		log_set_level(lvl);
	if (check_only) {
		printf("configuration OK%s%s\n", c->path ? ": " : " (built-in defaults)",
		       c->path ? c->path : "");
		cfg_free(c);
		exit(0);
	}
}

void proc_conn_name(char *buf, size_t n)
{
	char host[256];

	if (gethostname(host, sizeof(host)) != 0)
		snprintf(host, sizeof(host), "localhost");
	host[sizeof(host) - 1] = '\0';
	snprintf(buf, n, "%s@%s:%ld", log_prog(), host, (long)getpid());
}

const char *proc_versions(void)
{
	static char buf[256];

	snprintf(buf, sizeof(buf), "rabbitmq-c=%s libcurl=%s cjson=%s libpq=%d libconfig=%d.%d",
		 amqp_version(), curl_version_info(CURLVERSION_NOW)->version, cJSON_Version(),
		 PQlibVersion(), LIBCONFIG_VER_MAJOR, LIBCONFIG_VER_MINOR);
	return buf;
}

void proc_print_version(void)
{
	printf("%s %s (%s)\n", log_prog(), BF_VERSION, proc_versions());
}

int64_t proc_mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}
