/*
 * test_config: lib/config.c against DESIGN section 8 and ops/bf.conf.example.
 * No servers.  Run from the project root.
 */
#include <libconfig.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/config.h"
#include "tests/support/t.h"
#include "tests/support/testenv.h"

#define EXAMPLE "ops/bf.conf.example"

/* ---- helpers ---------------------------------------------------------- */

/* Every BF_* variable of the key table is cleared so the caller's
 * environment cannot change what a case sees. */
static void clear_env(void)
{
	for (size_t i = 0; i < cfg_nkeys; i++)
		if (cfg_keys[i].env != NULL)
			unsetenv(cfg_keys[i].env);
}

/* Writes text to a fresh temporary file; path receives its name. */
static int write_tmp(const char *text, char *path, size_t n)
{
	const char *dir = getenv("TMPDIR");
	int fd;
	size_t len = strlen(text);

	snprintf(path, n, "%s/test_config.XXXXXX", dir != NULL && *dir ? dir : "/tmp");
	fd = mkstemp(path);
	if (fd < 0)
		return -1;
	if (write(fd, text, len) != (ssize_t)len) {
		close(fd);
		unlink(path);
		return -1;
	}
	close(fd);
	return 0;
}

/* Loads a configuration from text through a temporary file. */
static int load_text(const char *text, struct bf_config *c, char *err, size_t errlen)
{
	char path[512];
	int rc;

	memset(c, 0, sizeof(*c));
	err[0] = '\0';
	if (write_tmp(text, path, sizeof(path)) != 0) {
		snprintf(err, errlen, "cannot write a temporary file");
		return -2;
	}
	rc = cfg_load(c, path, err, errlen);
	unlink(path);
	return rc;
}

/* ---- a small scoped matcher for libconfig text ------------------------ */

/* Replaces comments (#..., //..., / * ... * /) outside strings by spaces. */
static void strip_comments(char *s)
{
	bool in_str = false;

	for (char *p = s; *p != '\0'; p++) {
		if (in_str) {
			if (*p == '\\' && p[1] != '\0')
				p++;
			else if (*p == '"')
				in_str = false;
			continue;
		}
		if (*p == '"') {
			in_str = true;
		} else if (*p == '#' || (p[0] == '/' && p[1] == '/')) {
			while (*p != '\0' && *p != '\n')
				*p++ = ' ';
			if (*p == '\0')
				break;
		} else if (p[0] == '/' && p[1] == '*') {
			while (*p != '\0' && !(p[0] == '*' && p[1] == '/'))
				*p++ = ' ';
			if (*p == '\0')
				break;
			p[0] = p[1] = ' ';
			p++;
		}
	}
}

static bool name_char(char ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
	       ch == '_' || ch == '-' || ch == '*';
}

/*
 * Finds "name =" (or "name :") at nesting depth 0 of s[lo, hi).  Returns
 * the offset just after the '=' or -1.
 */
static long find_member(const char *s, long lo, long hi, const char *name)
{
	size_t nl = strlen(name);
	int depth = 0;
	bool in_str = false;

	for (long i = lo; i < hi; i++) {
		char ch = s[i];
		if (in_str) {
			if (ch == '\\')
				i++;
			else if (ch == '"')
				in_str = false;
			continue;
		}
		if (ch == '"') {
			in_str = true;
			continue;
		}
		if (ch == '{' || ch == '[' || ch == '(') {
			depth++;
			continue;
		}
		if (ch == '}' || ch == ']' || ch == ')') {
			depth--;
			continue;
		}
		if (depth != 0 || (i > lo && name_char(s[i - 1])) || (long)(i + nl) > hi ||
		    strncmp(s + i, name, nl) != 0 || name_char(s[i + (long)nl]))
			continue;
		long j = i + (long)nl;
		while (j < hi && (s[j] == ' ' || s[j] == '\t' || s[j] == '\n' || s[j] == '\r'))
			j++;
		if (j < hi && (s[j] == '=' || s[j] == ':'))
			return j + 1;
	}
	return -1;
}

/* After "name =" at pos expects "{ ... }"; sets [*lo, *hi) to its inside. */
static int group_range(const char *s, long pos, long end, long *lo, long *hi)
{
	int depth = 0;
	bool in_str = false;

	while (pos < end && (s[pos] == ' ' || s[pos] == '\t' || s[pos] == '\n' || s[pos] == '\r'))
		pos++;
	if (pos >= end || s[pos] != '{')
		return -1;
	*lo = pos + 1;
	for (long i = pos; i < end; i++) {
		if (in_str) {
			if (s[i] == '\\')
				i++;
			else if (s[i] == '"')
				in_str = false;
			continue;
		}
		if (s[i] == '"')
			in_str = true;
		else if (s[i] == '{')
			depth++;
		else if (s[i] == '}' && --depth == 0) {
			*hi = i;
			return 0;
		}
	}
	return -1;
}

/*
 * True when the dotted key "a.b.c" is written in text (comments stripped):
 * "a = {" at the top, "b = {" inside it, "c =" inside that.
 */
static bool text_has_key(const char *text, const char *dotted)
{
	char comp[128];
	long lo = 0, hi = (long)strlen(text);
	const char *p = dotted;

	for (;;) {
		const char *dot = strchr(p, '.');
		size_t n = dot != NULL ? (size_t)(dot - p) : strlen(p);
		if (n == 0 || n >= sizeof(comp))
			return false;
		memcpy(comp, p, n);
		comp[n] = '\0';
		long at = find_member(text, lo, hi, comp);
		if (at < 0)
			return false;
		if (dot == NULL)
			return true;
		if (group_range(text, at, hi, &lo, &hi) != 0)
			return false;
		p = dot + 1;
	}
}

/* ---- cases ------------------------------------------------------------ */

static void defaults_from_file_with_only_a_comment(void)
{
	struct bf_config c;
	char err[512];
	char path[512];

	clear_env();
	REQUIRE(write_tmp("# nothing here but a comment\n", path, sizeof(path)) == 0);
	int rc = cfg_load(&c, path, err, sizeof(err));
	if (rc != 0)
		t_fail(__FILE__, __LINE__, "cfg_load: %s", err);
	REQUIRE(rc == 0);
	CHECK_STR(c.path, path);
	CHECK_STR(c.amqp_url, "amqp://127.0.0.1:5672/%2f");
	CHECK_INT(c.amqp_heartbeat, 30);
	CHECK_INT(c.amqp_op_timeout, 20);
	CHECK_INT(c.amqp_confirm_window, 100);
	CHECK(c.amqp_verify_hostname);
	CHECK_STR(c.amqp_ca_cert, "");
	CHECK_STR(c.database_url, "postgresql:///bf");
	CHECK_STR(c.sofa_base_url, "https://www.sofascore.com/api/v1");
	CHECK_INT(c.sofa_timeout, 10);
	CHECK(c.sofa_max_rps == 1.0);
	CHECK_INT(c.sofa_challenge_pause, 15 * 60);
	CHECK_INT(c.sofa_max_body, 8388608);
	CHECK_STR(c.plainly_base_url, "https://api.plainlyvideos.com/api/v2");
	CHECK_STR(c.plainly_api_key, "");
	CHECK_INT(c.plainly_timeout, 20);
	CHECK_STR(c.plainly_dry_run_dir, "var/renders");
	CHECK_STR(c.plainly_webhook_url, "");
	CHECK(c.tpl_lineup.project_id == NULL);
	CHECK_INT(c.tpl_lineup.nparams, 0);
	CHECK_INT(c.ntournaments, 0);
	CHECK_INT(c.schedule_interval, 3 * 3600);
	CHECK_INT(c.live_interval, 300);
	CHECK_INT(c.lineup_lead, 60 * 60);
	CHECK_INT(c.finish_watch_after, 110 * 60);
	CHECK_INT(c.finish_check_after, 150 * 60);
	CHECK_INT(c.lineups_ntiers, 2);
	CHECK_INT(c.lineups_tiers[0], 300);
	CHECK_INT(c.lineups_tiers[1], 900);
	CHECK_INT(c.lineups_near_kickoff, 3600);
	CHECK_INT(c.lineups_give_up_after, 600);
	CHECK_INT(c.lineups_max_attempts, 60);
	CHECK_INT(c.lineups_prefetch, 64);
	CHECK_INT(c.results_ntiers, 2);
	CHECK_INT(c.results_tiers[0], 60);
	CHECK_INT(c.results_tiers[1], 600);
	CHECK_INT(c.results_max_attempts, 30);
	CHECK_INT(c.results_prefetch, 32);
	CHECK_INT(c.tstats_max_attempts, 10);
	CHECK_INT(c.tstats_prefetch, 64);
	CHECK_STR(c.log_level, "info");
	CHECK_STR(c.log_format, "text");
	CHECK_STR(c.metrics_listen, "");
	cfg_free(&c);
	unlink(path);
}

static void example_loads(void)
{
	struct bf_config c;
	char err[512] = "";

	clear_env();
	int rc = cfg_load(&c, EXAMPLE, err, sizeof(err));
	if (rc != 0)
		t_fail(__FILE__, __LINE__, "cfg_load(%s): %s", EXAMPLE, err);
	CHECK_INT(rc, 0);
	CHECK_STR(c.path, EXAMPLE);
	cfg_free(&c);
	CHECK(c.path == NULL); /* cfg_free leaves a zeroed struct */
}

static bool tpl_str_eq(const char *a, const char *b)
{
	return strcmp(a != NULL ? a : "", b != NULL ? b : "") == 0;
}

/* The example "shows every key's default": loading it gives the same
 * values as loading nothing, key by key from the table. */
static void example_values_are_the_defaults(void)
{
	struct bf_config d, e;
	char err[512];

	clear_env();
	REQUIRE(load_text("# empty\n", &d, err, sizeof(err)) == 0);
	if (cfg_load(&e, EXAMPLE, err, sizeof(err)) != 0) {
		t_fail(__FILE__, __LINE__, "cfg_load(%s): %s", EXAMPLE, err);
		cfg_free(&d);
		cfg_free(&e);
		return;
	}
	for (size_t i = 0; i < cfg_nkeys; i++) {
		const struct cfg_key *k = &cfg_keys[i];
		const char *a = (const char *)&d + k->off, *b = (const char *)&e + k->off;
		bool same = true;

		switch (k->type) {
		case CFG_T_STRING:
			same = strcmp(*(char *const *)(const void *)a,
				      *(char *const *)(const void *)b) == 0;
			break;
		case CFG_T_INT:
			same = *(const int *)(const void *)a == *(const int *)(const void *)b;
			break;
		case CFG_T_LONG:
			same = *(const long *)(const void *)a == *(const long *)(const void *)b;
			break;
		case CFG_T_DURATION:
			same = *(const int *)(const void *)a == *(const int *)(const void *)b;
			break;
		case CFG_T_FLOAT:
			same = *(const double *)(const void *)a == *(const double *)(const void *)b;
			break;
		case CFG_T_BOOL:
			same = *(const bool *)(const void *)a == *(const bool *)(const void *)b;
			break;
		case CFG_T_DURATION_LIST:
		case CFG_T_INT_LIST: {
			size_t na =
				*(const size_t *)(const void *)((const char *)&d + k->off_count);
			size_t nb =
				*(const size_t *)(const void *)((const char *)&e + k->off_count);
			size_t w = k->type == CFG_T_INT_LIST ? sizeof(int64_t) : sizeof(int);
			same = na == nb && memcmp(a, b, na * w) == 0;
			break;
		}
		case CFG_T_TEMPLATE: {
			const struct cfg_template *ta = (const void *)a, *tb = (const void *)b;
			same = tpl_str_eq(ta->project_id, tb->project_id) &&
			       tpl_str_eq(ta->template_id, tb->template_id) &&
			       ta->nparams == tb->nparams;
			break;
		}
		}
		if (!same)
			t_fail(__FILE__, __LINE__,
			       "%s: %s shows a value other than the built-in default %s", k->name,
			       EXAMPLE, k->def != NULL ? k->def : "(none)");
	}
	cfg_free(&d);
	cfg_free(&e);
}

/* Every key of cfg_keys[] is written (not commented out) in the example,
 * inside the right groups. */
static void example_documents_every_key(void)
{
	char *text = tenv_slurp(EXAMPLE, NULL);
	config_t lc;

	REQUIRE(text != NULL);
	strip_comments(text);
	CHECK(cfg_nkeys >= 30);
	for (size_t i = 0; i < cfg_nkeys; i++)
		if (!text_has_key(text, cfg_keys[i].name))
			t_fail(__FILE__, __LINE__, "key %s is not documented in %s",
			       cfg_keys[i].name, EXAMPLE);
	free(text);

	/* and libconfig itself finds every one of them */
	config_init(&lc);
	if (config_read_file(&lc, EXAMPLE) != CONFIG_TRUE) {
		t_fail(__FILE__, __LINE__, "%s line %d: %s", EXAMPLE, config_error_line(&lc),
		       config_error_text(&lc));
	} else {
		for (size_t i = 0; i < cfg_nkeys; i++)
			if (config_lookup(&lc, cfg_keys[i].name) == NULL)
				t_fail(__FILE__, __LINE__, "libconfig: no %s in %s",
				       cfg_keys[i].name, EXAMPLE);
	}
	config_destroy(&lc);
}

/* The matcher above is real: it misses a removed, commented-out or
 * misplaced key.  (Its own sample, so edits of the example cannot break it.) */
static void key_matcher_catches_removed_keys(void)
{
	char text[] = "# top comment: amqp = { prefetch = 1; };\n"
		      "amqp = {\n"
		      "  url = \"amqp://u:p@h/\";  # url = \"x\"\n"
		      "  # heartbeat = \"30s\";\n"
		      "  /* confirm_window = 100; */\n"
		      "  op_timeout = \"20s\"; // verify_hostname = true;\n"
		      "};\n"
		      "sofascore = { base_url = \"https://h/#not-a-comment\"; max_body = 1; };\n"
		      "plainly = {\n"
		      "  templates = {\n"
		      "    line-up = { project_id = \"\"; parameters = { a = \"b\"; }; };\n"
		      "    results = { project_id = \"\"; };\n"
		      "  };\n"
		      "};\n"
		      "tournament_stats = { max_attempts = 10; };\n";

	strip_comments(text);
	CHECK(text_has_key(text, "amqp.url"));
	CHECK(text_has_key(text, "amqp.op_timeout"));
	CHECK(!text_has_key(text, "amqp.heartbeat")); /* commented out with # */
	CHECK(!text_has_key(text, "amqp.confirm_window")); /* inside a block comment */
	CHECK(!text_has_key(text, "amqp.verify_hostname")); /* after // */
	CHECK(!text_has_key(text, "amqp.prefetch")); /* only in a comment */
	CHECK(text_has_key(text, "sofascore.max_body")); /* '#' inside a string is kept */
	CHECK(!text_has_key(text, "sofascore.url")); /* base_url is not url */
	CHECK(!text_has_key(text, "sofascore.base"));
	CHECK(!text_has_key(text, "database.url")); /* url of another group */
	CHECK(text_has_key(text, "plainly.templates.line-up"));
	CHECK(!text_has_key(text, "plainly.templates.result"));
	CHECK(!text_has_key(text, "plainly.project_id")); /* not at the group's own level */
	CHECK(!text_has_key(text, "plainly.templates.a"));
	CHECK(!text_has_key(text, "tournament_stats.prefetch"));
	CHECK(text_has_key(text, "tournament_stats.max_attempts"));
	CHECK(!text_has_key(text, "tournament_stats.max_attempts.x")); /* not a group */
}

struct env_case {
	const char *env;
	const char *value;
	size_t off; /* char * field, or a bool one when is_bool ("true" wanted) */
	bool is_bool;
};

/* The field of c a case sets holds the case's value. */
static bool env_case_holds(const struct bf_config *c, const struct env_case *e)
{
	const char *f = (const char *)c + e->off;

	if (e->is_bool)
		return *(const bool *)(const void *)f == (strcmp(e->value, "true") == 0);
	return strcmp(*(char *const *)(const void *)f, e->value) == 0;
}

static void env_overrides_file(void)
{
	static const struct env_case cases[] = {
		{ "BF_AMQP_URL", "amqps://bf:pw@rabbit-1:5671/bf,amqps://bf:pw@rabbit-2:5671/bf",
		  offsetof(struct bf_config, amqp_url), false },
		{ "BF_DATABASE_URL", "host=db user=bf password=x dbname=bf",
		  offsetof(struct bf_config, database_url), false },
		{ "BF_SOFASCORE_URL", "http://127.0.0.1:18080/api/v1",
		  offsetof(struct bf_config, sofa_base_url), false },
		{ "BF_PLAINLY_URL", "http://127.0.0.1:18081/api/v2",
		  offsetof(struct bf_config, plainly_base_url), false },
		{ "BF_PLAINLY_API_KEY", "k-123", offsetof(struct bf_config, plainly_api_key),
		  false },
		{ "BF_APIFOOTBALL_URL", "http://127.0.0.1:18082",
		  offsetof(struct bf_config, af_base_url), false },
		{ "BF_APIFOOTBALL_KEY", "af-123", offsetof(struct bf_config, af_api_key), false },
		{ "BF_LOG_LEVEL", "debug", offsetof(struct bf_config, log_level), false },
		{ "BF_LOG_FORMAT", "json", offsetof(struct bf_config, log_format), false },
		{ "BF_METRICS_LISTEN", "127.0.0.1:9101", offsetof(struct bf_config, metrics_listen),
		  false },
		{ "BF_RENDERS_WEBHOOK_SECRET", "wh-123",
		  offsetof(struct bf_config, renders_webhook_secret), false },
		{ "BF_PLAINLY_DRY_RUN", "true", offsetof(struct bf_config, plainly_dry_run), true },
		{ "BF_AMQP_MANAGEMENT_URL", "http://bf:pw@rabbit-1:15672",
		  offsetof(struct bf_config, amqp_management_url), false },
	};
	const size_t ncases = sizeof(cases) / sizeof(cases[0]);
	size_t nenv = 0;

	/* the table has no environment variable this case does not cover */
	for (size_t i = 0; i < cfg_nkeys; i++) {
		bool covered = false;
		if (cfg_keys[i].env == NULL)
			continue;
		nenv++;
		for (size_t j = 0; j < ncases; j++)
			if (strcmp(cfg_keys[i].env, cases[j].env) == 0 &&
			    cfg_keys[i].off == cases[j].off)
				covered = true;
		if (!covered)
			t_fail(__FILE__, __LINE__, "%s (%s) is not covered by this test",
			       cfg_keys[i].env, cfg_keys[i].name);
	}
	CHECK_INT(nenv, ncases);

	for (size_t j = 0; j < ncases; j++) {
		struct bf_config c;
		char err[512];

		clear_env();
		REQUIRE(setenv(cases[j].env, cases[j].value, 1) == 0);
		int rc = cfg_load(&c, EXAMPLE, err, sizeof(err));
		if (rc != 0)
			t_fail(__FILE__, __LINE__, "%s=%s: %s", cases[j].env, cases[j].value, err);
		else if (!env_case_holds(&c, &cases[j]))
			t_fail(__FILE__, __LINE__, "%s=%s not taken", cases[j].env, cases[j].value);
		cfg_free(&c);

		/* also over a value written in the file */
		rc = load_text("amqp = { url = \"amqp://file@h/\"; };\n"
			       "database = { url = \"postgresql://file/bf\"; };\n"
			       "sofascore = { base_url = \"https://file/\"; };\n"
			       "plainly = { base_url = \"https://file/\"; api_key = \"file\";"
			       " dry_run = false; };\n"
			       "log = { level = \"error\"; format = \"logfmt\"; };\n"
			       "metrics = { listen = \"9100\"; };\n",
			       &c, err, sizeof(err));
		if (rc != 0)
			t_fail(__FILE__, __LINE__, "%s=%s: %s", cases[j].env, cases[j].value, err);
		else if (!env_case_holds(&c, &cases[j]))
			t_fail(__FILE__, __LINE__, "%s=%s not taken over the file", cases[j].env,
			       cases[j].value);
		cfg_free(&c);
	}

	/* without the variables the file wins again */
	{
		struct bf_config c;
		char err[512];

		clear_env();
		REQUIRE(load_text("plainly = { api_key = \"file\"; };\n", &c, err, sizeof(err)) ==
			0);
		CHECK_STR(c.plainly_api_key, "file");
		cfg_free(&c);
	}
	clear_env();
}

static void env_bad_value_names_key_and_variable(void)
{
	struct bf_config c;
	char err[512] = "";

	clear_env();
	REQUIRE(setenv("BF_LOG_LEVEL", "loud", 1) == 0);
	CHECK_INT(cfg_load(&c, EXAMPLE, err, sizeof(err)), -1);
	CHECK(strstr(err, "log.level") != NULL);
	cfg_free(&c);

	clear_env();
	err[0] = '\0';
	REQUIRE(setenv("BF_LOG_FORMAT", "yaml", 1) == 0);
	CHECK_INT(cfg_load(&c, EXAMPLE, err, sizeof(err)), -1);
	CHECK_STR(err, "log.format: must be text, logfmt or json");
	cfg_free(&c);

	clear_env();
	err[0] = '\0';
	REQUIRE(setenv("BF_METRICS_LISTEN", "localhost:9100", 1) == 0);
	CHECK_INT(cfg_load(&c, EXAMPLE, err, sizeof(err)), -1);
	CHECK(strncmp(err, "metrics.listen: ", 16) == 0);
	CHECK(strstr(err, "\"localhost:9100\"") != NULL);
	cfg_free(&c);

	clear_env();
	err[0] = '\0';
	REQUIRE(setenv("BF_AMQP_URL", "http://x", 1) == 0);
	CHECK_INT(cfg_load(&c, EXAMPLE, err, sizeof(err)), -1);
	CHECK(strstr(err, "amqp.url") != NULL);
	cfg_free(&c);
	clear_env();
}

static void wrong_type_names_key_and_line(void)
{
	struct bf_config c;
	char err[512];

	clear_env();
	CHECK_INT(load_text("# a comment\n\namqp = { heartbeat = true; };\n", &c, err, sizeof(err)),
		  -1);
	CHECK(strstr(err, "amqp.heartbeat") != NULL);
	CHECK(strstr(err, "line 3") != NULL);
	if (strstr(err, "line 3") == NULL)
		t_fail(__FILE__, __LINE__, "message: %s", err);
	cfg_free(&c);

	/* a string where a number is expected, in a later group */
	CHECK_INT(load_text("log = { level = \"info\"; };\n"
			    "lineups = {\n"
			    "  prefetch = \"20\";\n"
			    "};\n",
			    &c, err, sizeof(err)),
		  -1);
	CHECK(strstr(err, "lineups.prefetch") != NULL);
	CHECK(strstr(err, "line 3") != NULL);
	cfg_free(&c);

	/* a bad duration string in the file */
	CHECK_INT(load_text("amqp = { heartbeat = \"5x\"; };\n", &c, err, sizeof(err)), -1);
	CHECK(strstr(err, "amqp.heartbeat") != NULL);
	CHECK(strstr(err, "line 1") != NULL);
	cfg_free(&c);

	/* a list element of the wrong type */
	CHECK_INT(load_text("lineups = { wait_tiers = [ \"1m\", \"soon\" ]; };\n", &c, err,
			    sizeof(err)),
		  -1);
	CHECK(strstr(err, "lineups.wait_tiers") != NULL);
	cfg_free(&c);
}

static void syntax_error_names_line(void)
{
	struct bf_config c;
	char err[512];

	clear_env();
	CHECK_INT(load_text("log = {\n  level = \"info\";\n};\nthis is not libconfig\n", &c, err,
			    sizeof(err)),
		  -1);
	CHECK(strstr(err, "line 4") != NULL);
	if (strstr(err, "line 4") == NULL)
		t_fail(__FILE__, __LINE__, "message: %s", err);
	cfg_free(&c);

	/* a value missing inside a group */
	CHECK_INT(load_text("amqp = {\n  url = \"amqp://h/\";\n  heartbeat = ;\n};\n", &c, err,
			    sizeof(err)),
		  -1);
	CHECK(strstr(err, "line 3") != NULL);
	if (strstr(err, "line 3") == NULL)
		t_fail(__FILE__, __LINE__, "message: %s", err);
	cfg_free(&c);
}

static void unknown_key_is_an_error(void)
{
	static const struct {
		const char *text, *name;
	} cases[] = {
		{ "amqp = { urll = \"x\"; };\n", "amqp.urll" },
		{ "amqpp = { url = \"amqp://h/\"; };\n", "amqpp" },
		{ "heartbeat = \"30s\";\n", "heartbeat" },
		{ "lineups = { wait = [ \"1m\" ]; };\n", "lineups.wait" },
		{ "plainly = { templates = { lineup = { project_id = \"p\"; }; }; };\n",
		  "plainly.templates.lineup" },
		{ "plainly = { templates = { result = { projectid = \"p\"; }; }; };\n",
		  "plainly.templates.result.projectid" },
	};

	clear_env();
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct bf_config c;
		char err[512];

		int rc = load_text(cases[i].text, &c, err, sizeof(err));
		if (rc != -1 || strstr(err, cases[i].name) == NULL)
			t_fail(__FILE__, __LINE__, "%s: rc %d, message \"%s\" should name %s",
			       cases[i].text, rc, err, cases[i].name);
		cfg_free(&c);
	}

	/* the line of the unknown key */
	{
		struct bf_config c;
		char err[512];
		CHECK_INT(load_text("amqp = {\n  url = \"amqp://h/\";\n  urll = \"x\";\n};\n", &c,
				    err, sizeof(err)),
			  -1);
		CHECK(strstr(err, "amqp.urll") != NULL);
		CHECK(strstr(err, "line 3") != NULL);
		cfg_free(&c);
	}
}

static void durations_parse(void)
{
	static const struct {
		const char *s;
		int secs;
	} good[] = {
		{ "90s", 90 }, { "5m", 300 },  { "1h", 3600 },	 { "2d", 172800 }, { "45", 45 },
		{ "0", 0 },    { "10m", 600 }, { "150m", 9000 }, { "1d", 86400 },
	};
	static const char *const bad[] = {
		"5x",	"-1", "",    "s",    "m5",	   "5 m",    "5mm",
		"1.5h", "+5", "5m ", "0x10", "2147483648", "24856d", "99999999999999999999999",
	};

	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		int secs = -12345;
		int rc = cfg_parse_duration(good[i].s, &secs);
		if (rc != 0 || secs != good[i].secs)
			t_fail(__FILE__, __LINE__,
			       "cfg_parse_duration(\"%s\"): rc %d secs %d, want %d", good[i].s, rc,
			       secs, good[i].secs);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int secs = -12345;
		if (cfg_parse_duration(bad[i], &secs) != -1)
			t_fail(__FILE__, __LINE__, "cfg_parse_duration(\"%s\") accepted (%d)",
			       bad[i], secs);
	}
}

static void duration_labels(void)
{
	static const struct {
		int secs;
		const char *label;
	} cases[] = {
		{ 60, "1m" },	{ 90, "90s" },	 { 3600, "1h" },  { 1, "1s" },	  { 300, "5m" },
		{ 600, "10m" }, { 5400, "90m" }, { 86400, "1d" }, { 7200, "2h" },
	};
	char buf[32];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		cfg_duration_label(cases[i].secs, buf, sizeof(buf));
		CHECK_STR(buf, cases[i].label);
	}
	/* the label parses back to the same duration */
	for (int secs = 1; secs < 200000; secs += 37) {
		int back = -1;
		cfg_duration_label(secs, buf, sizeof(buf));
		if (cfg_parse_duration(buf, &back) != 0 || back != secs) {
			t_fail(__FILE__, __LINE__, "%d -> \"%s\" -> %d", secs, buf, back);
			break;
		}
	}
	/* a small buffer stays terminated */
	memset(buf, 'Z', sizeof(buf));
	cfg_duration_label(90, buf, 2);
	CHECK_STR(buf, "9");
}

static void template_parameters_are_read_in_order(void)
{
	struct bf_config c;
	char err[512];

	clear_env();
	int rc = load_text("plainly = {\n"
			   "  templates = {\n"
			   "    line-up = {\n"
			   "      project_id = \"proj-1\";\n"
			   "      template_id = \"tpl-1\";\n"
			   "      parameters = {\n"
			   "        homeName = \"home.name\";\n"
			   "        awayName = \"away.name\";\n"
			   "        homePlayer1 = \"home.starters.0.name\";\n"
			   "      };\n"
			   "    };\n"
			   "    tournament-stats = { project_id = \"proj-3\"; };\n"
			   "  };\n"
			   "};\n",
			   &c, err, sizeof(err));
	if (rc != 0)
		t_fail(__FILE__, __LINE__, "cfg_load: %s", err);
	REQUIRE(rc == 0);
	CHECK_STR(c.tpl_lineup.project_id, "proj-1");
	CHECK_STR(c.tpl_lineup.template_id, "tpl-1");
	REQUIRE(c.tpl_lineup.nparams == 3);
	CHECK_STR(c.tpl_lineup.param_names[0], "homeName");
	CHECK_STR(c.tpl_lineup.param_paths[0], "home.name");
	CHECK_STR(c.tpl_lineup.param_names[1], "awayName");
	CHECK_STR(c.tpl_lineup.param_paths[1], "away.name");
	CHECK_STR(c.tpl_lineup.param_names[2], "homePlayer1");
	CHECK_STR(c.tpl_lineup.param_paths[2], "home.starters.0.name");
	CHECK(c.tpl_result.project_id == NULL);
	CHECK_INT(c.tpl_result.nparams, 0);
	CHECK_STR(c.tpl_tstats.project_id, "proj-3");
	CHECK(c.tpl_tstats.template_id == NULL);
	cfg_free(&c);

	/* a parameter that is not a string path */
	rc = load_text("plainly = { templates = { line-up = { parameters = {\n"
		       "  homeName = \"home.name\";\n"
		       "  awayName = 5;\n"
		       "}; }; }; };\n",
		       &c, err, sizeof(err));
	CHECK_INT(rc, -1);
	CHECK(strstr(err, "plainly.templates.line-up.parameters.awayName") != NULL);
	CHECK(strstr(err, "line 3") != NULL);
	cfg_free(&c); /* one parameter was already copied: ASan checks it is freed */

	/* parameters must be a group */
	rc = load_text("plainly = { templates = { result = { parameters = [ \"a\" ]; }; }; };\n",
		       &c, err, sizeof(err));
	CHECK_INT(rc, -1);
	CHECK(strstr(err, "plainly.templates.result.parameters") != NULL);
	cfg_free(&c);
}

/* DESIGN 8 / config.h: "a bad file is one error naming the key". */
static void template_wrong_types_name_the_key(void)
{
	struct bf_config c;
	char err[512];

	clear_env();
	/* the template itself is not a group */
	int rc = load_text("plainly = { templates = { result = 5; }; };\n", &c, err, sizeof(err));
	CHECK_INT(rc, -1);
	if (strstr(err, "plainly.templates.result") == NULL)
		t_fail(__FILE__, __LINE__, "message \"%s\" should name plainly.templates.result",
		       err);
	cfg_free(&c);

	/* a project id written as a number must not be silently dropped */
	err[0] = '\0';
	rc = load_text("plainly = { templates = { result = { project_id = 12345; }; }; };\n", &c,
		       err, sizeof(err));
	if (rc != -1 || strstr(err, "plainly.templates.result.project_id") == NULL)
		t_fail(__FILE__, __LINE__,
		       "project_id = 12345: rc %d (project_id %s), message \"%s\" should name plainly.templates.result.project_id",
		       rc, c.tpl_result.project_id ? c.tpl_result.project_id : "NULL", err);
	cfg_free(&c);
}

static void validation_failures_name_the_key(void)
{
	static const struct {
		const char *text, *name;
	} cases[] = {
		{ "lineups = { wait_tiers = [ \"5m\", \"1m\" ]; };\n", "lineups.wait_tiers" },
		{ "lineups = { wait_tiers = [ \"1m\", \"1m\" ]; };\n", "lineups.wait_tiers" },
		{ "results = { wait_tiers = [ ]; };\n", "results.wait_tiers" },
		{ "results = { wait_tiers = [ 0 ]; };\n", "results.wait_tiers" },
		{ "lineups = { prefetch = 0; };\n", "lineups.prefetch" },
		{ "results = { prefetch = 0; };\n", "results.prefetch" },
		{ "tournament_stats = { prefetch = 0; };\n", "tournament_stats.prefetch" },
		{ "tournament_stats = { max_attempts = 0; };\n", "tournament_stats.max_attempts" },
		{ "amqp = { url = \"http://x\"; };\n", "amqp.url" },
		{ "amqp = { url = \"\"; };\n", "amqp.url" },
		{ "amqp = { confirm_window = 0; };\n", "amqp.confirm_window" },
		{ "database = { url = \"\"; };\n", "database.url" },
		{ "sofascore = { base_url = \"ftp://x\"; };\n", "sofascore.base_url" },
		{ "plainly = { base_url = \"x\"; };\n", "plainly.base_url" },
		{ "sofascore = { timeout = \"30s\"; };\n", "sofascore.timeout" },
		{ "sofascore = { timeout = \"1m\"; };\n", "sofascore.timeout" },
		{ "plainly = { timeout = \"45s\"; };\n", "plainly.timeout" },
		{ "amqp = { heartbeat = \"10s\"; };\n", "amqp.heartbeat" },
		{ "sofascore = { max_requests_per_second = 0.0; };\n",
		  "sofascore.max_requests_per_second" },
		{ "sofascore = { max_requests_per_second = 100001.0; };\n",
		  "sofascore.max_requests_per_second" },
		{ "sofascore = { max_body = 100; };\n", "sofascore.max_body" },
		{ "producer = { unique_tournaments = [ 17, -8 ]; };\n",
		  "producer.unique_tournaments (now called producer.competitions)" },
		{ "producer = { competitions = [ 17, -8 ]; };\n", "producer.competitions" },
		{ "producer = { competitions = [ 17 ]; unique_tournaments = [ 8 ]; };\n",
		  "producer.competitions and its older name producer.unique_tournaments" },
		{ "source = { provider = \"opta\"; };\n", "source.provider" },
		{ "source = { provider = \"api-football\"; };\n", "apifootball.api_key" },
		{ "source = { provider = \"api-football\"; };\n"
		  "apifootball = { api_key = \"k-123\"; timeout = \"1m\"; };\n",
		  "apifootball.timeout" },
		{ "apifootball = { max_requests_per_second = 0.0; };\n",
		  "apifootball.max_requests_per_second" },
		{ "apifootball = { seasons = [ 39 ]; };\n", "apifootball.seasons: pairs" },
		{ "producer = { schedule_interval = 0; };\n", "producer.schedule_interval" },
		{ "log = { level = \"loud\"; };\n", "log.level" },
		{ "log = { format = \"xml\"; };\n", "log.format: must be text, logfmt or json" },
		{ "log = { format = \"JSON\"; };\n", "log.format" },
		{ "log = { format = \"\"; };\n", "log.format" },
		{ "log = { format = 1; };\n", "log.format: must be a string" },
	};

	clear_env();
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct bf_config c;
		char err[512];

		int rc = load_text(cases[i].text, &c, err, sizeof(err));
		if (rc != -1 || strstr(err, cases[i].name) == NULL)
			t_fail(__FILE__, __LINE__, "%s: rc %d, message \"%s\" should name %s",
			       cases[i].text, rc, err, cases[i].name);
		cfg_free(&c);
		cfg_free(&c); /* twice is harmless: cfg_free zeroes */
	}
}

/* A file setting key (dotted "a.b") to value. */
static int load_one(const char *key, const char *value, struct bf_config *c, char *err,
		    size_t errlen)
{
	char text[256];
	const char *dot = strchr(key, '.');

	snprintf(text, sizeof(text), "%.*s = { %s = %s; };\n", (int)(dot - key), key, dot + 1,
		 value);
	return load_text(text, c, err, errlen);
}

/* Every bound of the key table holds: its numbers are accepted at the
 * bounds and refused just outside them, with a message naming the key. */
static void bounds_of_the_table_hold(void)
{
	size_t checked = 0;

	clear_env();
	for (size_t i = 0; i < cfg_nkeys; i++) {
		const struct cfg_key *k = &cfg_keys[i];
		bool list = k->type == CFG_T_DURATION_LIST || k->type == CFG_T_INT_LIST;
		int decimals = k->type == CFG_T_FLOAT ? 1 : 0;
		struct {
			double v;
			bool ok;
		} cases[3];
		size_t n = 0;

		if (k->max == 0 || k->type == CFG_T_STRING)
			continue;
		cases[n].v = k->min_open ? k->min : k->min - 1;
		cases[n++].ok = false;
		if (!k->min_open) {
			cases[n].v = k->min;
			cases[n++].ok = true;
		}
		if (k->max < 1e12) {
			cases[n].v = k->max + 1;
			cases[n++].ok = false;
		}
		for (size_t j = 0; j < n; j++) {
			struct bf_config c;
			char num[64], value[160], err[512] = "";
			snprintf(num, sizeof(num), "%.*f", decimals, cases[j].v);
			/* integers: two, for a list of pairs (apifootball.seasons) */
			if (k->type == CFG_T_INT_LIST)
				snprintf(value, sizeof(value), "[ %s, %s ]", num, num);
			else if (list)
				snprintf(value, sizeof(value), "[ %s ]", num);
			else
				snprintf(value, sizeof(value), "%s", num);
			int rc = load_one(k->name, value, &c, err, sizeof(err));
			if (cases[j].ok ? rc != 0 : rc != -1 || strstr(err, k->name) == NULL)
				t_fail(__FILE__, __LINE__, "%s = %s: rc %d, message \"%s\"",
				       k->name, value, rc, err);
			cfg_free(&c);
			checked++;
		}
	}
	CHECK(checked >= 40);
}

static void type_names_for_bfctl(void)
{
	CHECK_STR(cfg_type_name(CFG_T_STRING), "string");
	CHECK_STR(cfg_type_name(CFG_T_INT), "integer");
	CHECK_STR(cfg_type_name(CFG_T_LONG), "integer");
	CHECK_STR(cfg_type_name(CFG_T_FLOAT), "number");
	CHECK_STR(cfg_type_name(CFG_T_BOOL), "bool");
	CHECK_STR(cfg_type_name(CFG_T_DURATION), "duration");
	CHECK_STR(cfg_type_name(CFG_T_DURATION_LIST), "durations");
	CHECK_STR(cfg_type_name(CFG_T_INT_LIST), "integers");
	CHECK_STR(cfg_type_name(CFG_T_TEMPLATE), "group");
}

static void valid_variants_are_accepted(void)
{
	struct bf_config c;
	char err[512];

	clear_env();
	int rc = load_text("lineups = { wait_tiers = ( 60, 300, \"1h\" ); };\n" /* a list may mix */
			   "results = { wait_tiers = [ \"1s\" ]; };\n"
			   "amqp = { heartbeat = 0; };\n" /* heartbeats off */
			   "producer = { unique_tournaments = [ 17, 8 ]; lineup_lead = 3600; };\n"
			   "sofascore = { max_requests_per_second = 2; };\n",
			   &c, err, sizeof(err));
	if (rc != 0)
		t_fail(__FILE__, __LINE__, "cfg_load: %s", err);
	REQUIRE(rc == 0);
	CHECK_INT(c.lineups_ntiers, 3);
	CHECK_INT(c.lineups_tiers[0], 60);
	CHECK_INT(c.lineups_tiers[1], 300);
	CHECK_INT(c.lineups_tiers[2], 3600);
	CHECK_INT(c.results_ntiers, 1);
	CHECK_INT(c.results_tiers[0], 1);
	CHECK_INT(c.amqp_heartbeat, 0);
	CHECK_INT(c.ntournaments, 2);
	CHECK_INT(c.tournaments[0], 17);
	CHECK_INT(c.tournaments[1], 8);
	CHECK_INT(c.lineup_lead, 3600);
	CHECK(c.sofa_max_rps == 2.0);
	cfg_free(&c);

	/* more tiers than fit is an error, not an overflow */
	rc = load_text("lineups = { wait_tiers = [ 1, 2, 3, 4, 5, 6, 7, 8, 9 ]; };\n", &c, err,
		       sizeof(err));
	CHECK_INT(rc, -1);
	CHECK(strstr(err, "lineups.wait_tiers") != NULL);
	cfg_free(&c);
}

static void free_after_failure_is_safe(void)
{
	struct bf_config c;
	char err[512] = "";

	clear_env();
	/* no such file */
	CHECK_INT(cfg_load(&c, "tests/unit/no-such-file.conf", err, sizeof(err)), -1);
	CHECK(strstr(err, "no-such-file.conf") != NULL);
	cfg_free(&c);

	/* failure after strings and a template were copied */
	CHECK_INT(load_text("amqp = { url = \"amqp://h/\"; };\n"
			    "plainly = { api_key = \"k\"; templates = { line-up = {\n"
			    "  project_id = \"p\"; template_id = \"t\";\n"
			    "  parameters = { a = \"x\"; b = \"y\"; };\n"
			    "}; }; };\n"
			    "log = { level = \"nope\"; };\n",
			    &c, err, sizeof(err)),
		  -1);
	CHECK(strstr(err, "log.level") != NULL);
	cfg_free(&c);

	/* failure in the middle of the key table (after some strings) */
	CHECK_INT(load_text("lineups = { prefetch = \"x\"; };\n", &c, err, sizeof(err)), -1);
	cfg_free(&c);

	/* a zeroed struct frees fine too */
	memset(&c, 0, sizeof(c));
	cfg_free(&c);
}

/* metrics.listen: "", PORT, IPv4:PORT or [IPv6]:PORT; anything else is
 * refused at load, naming the key. */
static void metrics_listen_is_checked(void)
{
	static const char *const good[] = {
		"",	     "9100",	   "1",		 "65535",	 "127.0.0.1:9100",
		"0.0.0.0:1", "[::1]:9100", "[::]:65535", "[fe80::1]:80", "10.1.2.3:09100",
	};
	static const char *const bad[] = {
		"0",
		"65536",
		"99999",
		"100000",
		"-1",
		"+80",
		"9100 ",
		" 9100",
		"abc",
		":9100",
		"127.0.0.1:",
		"127.0.0.1",
		"127.0.0.1:0",
		"127.0.0.1:65536",
		"localhost:9100",
		"1.2.3:9100",
		"1.2.3.4.5:9100",
		"::1:9100",
		"[::1]",
		"[::1]9100",
		"[]:9100",
		"[1.2.3.4]:9100",
		"[::1:9100",
		"::1]:9100",
		"http://127.0.0.1:9100",
		"127.0.0.1:9100/metrics",
	};

	clear_env();
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		struct bf_config c;
		char text[128], err[512] = "";

		snprintf(text, sizeof(text), "metrics = { listen = \"%s\"; };\n", good[i]);
		int rc = load_text(text, &c, err, sizeof(err));
		if (rc != 0)
			t_fail(__FILE__, __LINE__, "listen = \"%s\": refused: %s", good[i], err);
		else
			CHECK_STR(c.metrics_listen, good[i]);
		cfg_free(&c);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct bf_config c;
		char text[128], want[128], err[512] = "";

		snprintf(text, sizeof(text), "metrics = { listen = \"%s\"; };\n", bad[i]);
		snprintf(want, sizeof(want), "not \"%s\"", bad[i]);
		int rc = load_text(text, &c, err, sizeof(err));
		if (rc != -1 || strncmp(err, "metrics.listen: must be ", 24) != 0 ||
		    strstr(err, want) == NULL)
			t_fail(__FILE__, __LINE__, "listen = \"%s\": rc %d, message \"%s\"", bad[i],
			       rc, err);
		cfg_free(&c);
	}
	/* not a string */
	{
		struct bf_config c;
		char err[512] = "";
		CHECK_INT(load_text("metrics = { listen = 9100; };\n", &c, err, sizeof(err)), -1);
		CHECK(strncmp(err, "metrics.listen: must be a string", 32) == 0);
		cfg_free(&c);
	}
}

/* A short heartbeat needs short timeouts of the provider in use only
 * (broker-hang's configuration was refused for apifootball.timeout). */
static void heartbeat_checks_the_provider_in_use(void)
{
	struct bf_config c;
	char err[512];

	clear_env();
	CHECK_INT(load_text("amqp = { heartbeat = \"6s\"; };\nsofascore = { timeout = \"3s\"; };\n"
			    "plainly = { timeout = \"3s\"; };\n",
			    &c, err, sizeof(err)),
		  0);
	cfg_free(&c);
	CHECK_INT(load_text("amqp = { heartbeat = \"6s\"; };\nsofascore = { timeout = \"3s\"; };\n"
			    "plainly = { timeout = \"3s\"; };\nsource = { provider = \"api-football\"; };\n"
			    "apifootball = { api_key = \"k-123\"; };\n",
			    &c, err, sizeof(err)),
		  -1);
	CHECK(strstr(err, "apifootball.timeout") != NULL);
	cfg_free(&c);
}

/* The older name of producer.competitions is read as it. */
static void competitions_older_name(void)
{
	struct bf_config c;
	char err[512];

	clear_env();
	REQUIRE(load_text("producer = { unique_tournaments = [ 17, 8 ]; };\n", &c, err,
			  sizeof(err)) == 0);
	CHECK_INT(c.ntournaments, 2);
	CHECK_INT(c.tournaments[1], 8);
	CHECK_STR(c.source_provider, "sofascore");
	cfg_free(&c);
	REQUIRE(load_text("source = { provider = \"api-football\"; };\n"
			  "apifootball = { api_key = \"k-123\"; };\n"
			  "producer = { competitions = [ 39 ]; };\n",
			  &c, err, sizeof(err)) == 0);
	CHECK_INT(c.ntournaments, 1);
	CHECK_INT(c.tournaments[0], 39);
	CHECK_STR(c.source_provider, "api-football");
	CHECK_STR(c.af_base_url, "https://v3.football.api-sports.io");
	cfg_free(&c);
}

/* Secrets in the file are refused when group or others can read it. */
static void secrets_need_a_private_file(void)
{
	static const char *const secret[] = {
		"amqp = { url = \"amqp://bf:hunter2@mq:5672/%2f\"; };",
		"database = { url = \"postgresql://bf:hunter2@db/bf\"; };",
		"database = { url = \"host=db password=hunter2 dbname=bf\"; };",
		/* libpq's own reading: spaces around '=', quoted, a URI's query */
		"database = { url = \"host=db password = hunter2 dbname=bf\"; };",
		"database = { url = \"host=db password='hunter2 x' dbname=bf\"; };",
		"database = { url = \"postgresql://bf@db/bf?password=hunter2\"; };",
		/* the second URL of a cluster's list; a management URL */
		"amqp = { url = \"amqp://mq1/%2f, amqp://bf:hunter2@mq2/%2f\"; };",
		"amqp = { management_url = \"http://bf:hunter2@mq:15672\"; };",
		"plainly = { api_key = \"k-123\"; };",
		"apifootball = { api_key = \"k-123\"; };",
		"source = { provider = \"api-football\"; }; apifootball = { api_key = \"k-123\"; };",
		"renders = { webhook_secret = \"k-123\"; };",
	};
	struct bf_config c;
	char path[256], err[512];

	clear_env();
	for (size_t i = 0; i < sizeof(secret) / sizeof(secret[0]); i++) {
		REQUIRE(write_tmp(secret[i], path, sizeof(path)) == 0);
		CHECK(chmod(path, 0644) == 0);
		CHECK(cfg_load(&c, path, err, sizeof(err)) != 0);
		CHECK(strstr(err, "readable by group or others") != NULL);
		CHECK(strstr(err, "chmod 600") != NULL);
		CHECK(strstr(err, "hunter2") == NULL && strstr(err, "k-123") == NULL);
		cfg_free(&c);
		CHECK(chmod(path, 0600) == 0);
		if (cfg_load(&c, path, err, sizeof(err)) != 0)
			t_fail(__FILE__, __LINE__, "mode 600 refused: %s", err);
		cfg_free(&c);
		unlink(path);
	}
	/* no password in the URL: nothing secret, any mode is fine */
	REQUIRE(write_tmp("amqp = { url = \"amqp://mq:5672/%2f\"; };", path, sizeof(path)) == 0);
	CHECK(chmod(path, 0644) == 0);
	CHECK(cfg_load(&c, path, err, sizeof(err)) == 0);
	cfg_free(&c);
	unlink(path);
}

int main(void)
{
	T_RUN(defaults_from_file_with_only_a_comment);
	T_RUN(example_loads);
	T_RUN(example_values_are_the_defaults);
	T_RUN(example_documents_every_key);
	T_RUN(key_matcher_catches_removed_keys);
	T_RUN(env_overrides_file);
	T_RUN(env_bad_value_names_key_and_variable);
	T_RUN(wrong_type_names_key_and_line);
	T_RUN(syntax_error_names_line);
	T_RUN(unknown_key_is_an_error);
	T_RUN(durations_parse);
	T_RUN(duration_labels);
	T_RUN(template_parameters_are_read_in_order);
	T_RUN(template_wrong_types_name_the_key);
	T_RUN(validation_failures_name_the_key);
	T_RUN(bounds_of_the_table_hold);
	T_RUN(type_names_for_bfctl);
	T_RUN(valid_variants_are_accepted);
	T_RUN(free_after_failure_is_safe);
	T_RUN(secrets_need_a_private_file);
	T_RUN(competitions_older_name);
	T_RUN(heartbeat_checks_the_provider_in_use);
	T_RUN(metrics_listen_is_checked);
	return t_done();
}
