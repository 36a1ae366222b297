/*
 * test_start: what a program refuses at start, and that -n refuses the
 * same with the same words (one function runs the checks for both), before
 * anything connects: the URLs point at nothing that answers, so a program
 * that got past its checks would hang connecting instead of exiting 1.
 * The programs run as built (BF_TEST_BIN: another build).
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/log.h"
#include "tests/support/t.h"
#include "tests/support/testenv.h"

static char dir[300], conf[400];

/* Runs bin/prog [-n] -c conf with the environment as set; its exit status
 * (-1: still running after 10 s, killed) and its output into out. */
static int run(const char *prog, bool check, char *out, size_t n)
{
	const char *bindir = getenv("BF_TEST_BIN");
	char bin[400], log[500];
	char *argv[6];
	int k = 0, rc;
	pid_t pid;

	snprintf(bin, sizeof(bin), "%s/%s/%s", tenv_root(), bindir != NULL ? bindir : "bin", prog);
	snprintf(log, sizeof(log), "%s/%s.out", dir, prog);
	unlink(log);
	argv[k++] = bin;
	if (check)
		argv[k++] = "-n";
	argv[k++] = "-c";
	argv[k++] = conf;
	argv[k] = NULL;
	pid = tenv_spawn(argv, log);
	rc = tenv_wait(pid, 10000);
	if (rc < 0) {
		kill(pid, SIGKILL);
		tenv_wait(pid, 5000);
	}
	char *text = tenv_slurp(log, NULL);
	snprintf(out, n, "%s", text != NULL ? text : "");
	free(text);
	return rc;
}

/* prog refuses: -n and a start both exit 1 saying want; the output never
 * holds secret. */
static void refused(const char *prog, const char *want, const char *secret)
{
	char out[2000];

	for (int check = 1; check >= 0; check--) {
		int rc = run(prog, check, out, sizeof(out));
		if (rc != 1 || strstr(out, want) == NULL)
			t_fail(__FILE__, __LINE__,
			       "%s%s: exit %d, wanted 1 saying \"%s\"; said: %s", prog,
			       check ? " -n" : "", rc, want, out);
		if (secret != NULL && strstr(out, secret) != NULL)
			t_fail(__FILE__, __LINE__, "%s printed the secret: %s", prog, out);
	}
}

static void accepted(const char *prog)
{
	char out[2000];
	int rc = run(prog, true, out, sizeof(out));

	if (rc != 0 || strstr(out, "configuration OK") == NULL)
		t_fail(__FILE__, __LINE__, "%s -n: exit %d: %s", prog, rc, out);
}

/* The environment of a case: nothing of the test run's own servers, the
 * URLs of nothing (port 9: discard, closed here). */
static void env_clean(void)
{
	static const char *const drop[] = { "BF_AMQP_URL",	  "BF_DATABASE_URL",
					    "BF_PLAINLY_API_KEY", "BF_PLAINLY_DRY_RUN",
					    "BF_APIFOOTBALL_KEY", "BF_RENDERS_WEBHOOK_SECRET",
					    "BF_METRICS_LISTEN",  NULL };

	for (int i = 0; drop[i] != NULL; i++)
		unsetenv(drop[i]);
	setenv("BF_AMQP_URL", "amqp://bf:secret-amqp@127.0.0.1:9/%2f", 1);
	setenv("BF_DATABASE_URL", "postgresql://bf@127.0.0.1:9/bf", 1);
}

static int write_conf(const char *extra)
{
	snprintf(dir, sizeof(dir), "%s/var/test/start-%d", tenv_root(), (int)getpid());
	snprintf(conf, sizeof(conf), "%s/bf.conf", dir);
	if (tenv_mkdirs(dir) != 0)
		return -1;
	return tenv_write_conf(conf, "amqp://127.0.0.1:9/%2f", "postgresql://127.0.0.1:9/bf", NULL,
			       NULL, extra);
}

/* A production start without its key file: no silent dry run. */
static void no_key_no_dry_run_refused(void)
{
	REQUIRE(write_conf(NULL) == 0);
	env_clean();
	refused("bf-lineups", "plainly.api_key is empty", NULL);
	refused("bf-results", "plainly.dry_run = true", NULL);
	refused("bf-renders", "plainly.api_key is empty", NULL);
	setenv("BF_PLAINLY_DRY_RUN", "true", 1);
	accepted("bf-lineups");
	accepted("bf-tournament-stats");
	/* and both at once is a mistake too */
	setenv("BF_PLAINLY_API_KEY", "plainly-secret-key", 1);
	refused("bf-lineups", "plainly.dry_run is true and plainly.api_key is set",
		"plainly-secret-key");
}

/* The key without the line-up template: -n said OK, a start refused. */
static void key_without_template_refused(void)
{
	REQUIRE(write_conf("plainly = { templates = { result = { project_id = \"p\"; }; }; };") ==
		0);
	env_clean();
	setenv("BF_PLAINLY_API_KEY", "plainly-secret-key", 1);
	refused("bf-lineups", "plainly.templates.line-up.project_id must be set",
		"plainly-secret-key");
	accepted("bf-results");
}

/* URLs as the libraries read them. */
static void urls_read_by_the_libraries(void)
{
	REQUIRE(write_conf(NULL) == 0);
	env_clean();
	setenv("BF_PLAINLY_DRY_RUN", "true", 1);
	setenv("BF_AMQP_URL", "amqp://bf:secret-amqp@127.0.0.1:notaport/v", 1);
	refused("bf-lineups", "is not an AMQP URL", "secret-amqp");
	refused("bf-producer", "is not an AMQP URL", "secret-amqp");
	/* bfctl: -n (a command needs its arguments first) */
	char out[2000];
	int rc = run("bfctl", true, out, sizeof(out));
	CHECK_INT(rc, 1);
	CHECK(strstr(out, "is not an AMQP URL") != NULL && strstr(out, "secret-amqp") == NULL);
	/* the second of a cluster's list */
	setenv("BF_AMQP_URL", "amqp://127.0.0.1:5672/%2f,http://127.0.0.1:5672/", 1);
	refused("bf-renders", "http://127.0.0.1:5672/ is not an AMQP URL", NULL);
	env_clean();
	setenv("BF_PLAINLY_DRY_RUN", "true", 1);
	setenv("BF_DATABASE_URL", "host=127.0.0.1 port", 1);
	refused("bf-lineups", "database.url:", NULL);
	refused("bf-producer", "database.url:", NULL);
	setenv("BF_DATABASE_URL", "postgresql://bf@127.0.0.1:9/bf?sslmode=nonsense&bogus=1", 1);
	refused("bf-tournament-stats", "database.url:", NULL);
}

static void provider_and_webhook_refused(void)
{
	REQUIRE(write_conf("source = { provider = \"api-football\"; };"
			   "\nrenders = { webhook_listen = \"127.0.0.1:18099\"; };") == 0);
	env_clean();
	setenv("BF_PLAINLY_DRY_RUN", "true", 1);
	refused("bf-producer", "apifootball.api_key is empty", NULL);
	refused("bf-results", "apifootball.api_key is empty", NULL);
	setenv("BF_APIFOOTBALL_KEY", "af-secret-key-1", 1);
	refused("bf-renders", "renders.webhook_secret is empty", NULL);
	setenv("BF_RENDERS_WEBHOOK_SECRET", "hook-secret", 1);
	accepted("bf-producer");
	accepted("bf-renders");
}

int main(int argc, char **argv)
{
	log_init("test_start");
	static const struct t_case cases[] = {
		T_CASE(no_key_no_dry_run_refused),
		T_CASE(key_without_template_refused),
		T_CASE(urls_read_by_the_libraries),
		T_CASE(provider_and_webhook_refused),
	};
	t_run_matching(cases, sizeof(cases) / sizeof(cases[0]), argc, argv);
	return t_done();
}
