#include "config.h"
#include "metrics.h"

#include <sys/socket.h>
#include <ctype.h>
#include <errno.h>
#include <float.h>
#include <curl/curl.h>
#include <libconfig.h>
#include <libpq-fe.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define F(field) offsetof(struct bf_config, field)
#define NOCOUNT 0

/* The bounds of a key (struct cfg_key): the last initialiser of every row. */
#define NO_MAX DBL_MAX
#define ANY .max = 0
#define RANGE(lo, hi) .min = (lo), .max = (hi)
#define ABOVE(lo, hi) .min = (lo), .max = (hi), .min_open = true
#define AT_LEAST(lo) .min = (lo), .max = NO_MAX
#define NOT_EMPTY AT_LEAST(1)
#define ONE_OF(words) .accept = (words)
#define PREFIX(words) .accept = (words), .accept_prefix = true

/*
 * The one table of configuration keys: name, type, default, environment
 * variable, secret, field, meaning and bounds (validate() checks every
 * row's).  ops/bf.conf.example documents every one of them
 * (tests/unit/test_config.c checks it).
 */
const struct cfg_key cfg_keys[] = {
	{ "amqp.url", CFG_T_STRING, "amqp://127.0.0.1:5672/%2f", "BF_AMQP_URL", true, F(amqp_url),
	  NOCOUNT,
	  "amqp:// or amqps://user:pass@host:port/vhost; several comma-separated for a cluster",
	  PREFIX("amqp://|amqps://") },
	{ "amqp.heartbeat", CFG_T_DURATION, "30s", NULL, false, F(amqp_heartbeat), NOCOUNT,
	  "AMQP heartbeat interval", ANY },
	{ "amqp.ca_cert", CFG_T_STRING, "", NULL, false, F(amqp_ca_cert), NOCOUNT,
	  "amqps: CA bundle used to verify the broker", ANY },
	{ "amqp.client_cert", CFG_T_STRING, "", NULL, false, F(amqp_client_cert), NOCOUNT,
	  "amqps: client certificate (PEM), optional", ANY },
	{ "amqp.client_key", CFG_T_STRING, "", NULL, false, F(amqp_client_key), NOCOUNT,
	  "amqps: client private key (PEM), optional", ANY },
	{ "amqp.verify_hostname", CFG_T_BOOL, "true", NULL, false, F(amqp_verify_hostname), NOCOUNT,
	  "amqps: check the broker certificate's host name", ANY },
	{ "amqp.confirm_window", CFG_T_INT, "100", NULL, false, F(amqp_confirm_window), NOCOUNT,
	  "publishes in flight before waiting for publisher confirms", RANGE(1, 10000) },
	{ "amqp.op_timeout", CFG_T_DURATION, "20s", NULL, false, F(amqp_op_timeout), NOCOUNT,
	  "a broker call blocked this long abandons the connection (watchdog)", AT_LEAST(1) },
	{ "amqp.management_url", CFG_T_STRING, "", "BF_AMQP_MANAGEMENT_URL", true,
	  F(amqp_management_url), NOCOUNT,
	  "http[s]://[user:password@]host:15672 of the RabbitMQ management API: bfctl topology declare sets the policies there (user and password else amqp.url's); \"\" = not set",
	  ANY },
	{ "database.url", CFG_T_STRING, "postgresql:///bf", "BF_DATABASE_URL", true,
	  F(database_url), NOCOUNT, "libpq connection string or URI", NOT_EMPTY },
	{ "source.provider", CFG_T_STRING, "sofascore", NULL, false, F(source_provider), NOCOUNT,
	  "where match data comes from: sofascore | api-football (a database holds one provider's ids)",
	  ONE_OF("sofascore|api-football") },
	{ "sofascore.base_url", CFG_T_STRING, "https://www.sofascore.com/api/v1",
	  "BF_SOFASCORE_URL", false, F(sofa_base_url), NOCOUNT,
	  "Sofascore API base URL (an access you are entitled to)", PREFIX("http://|https://") },
	{ "sofascore.timeout", CFG_T_DURATION, "10s", NULL, false, F(sofa_timeout), NOCOUNT,
	  "total time allowed for one Sofascore request", AT_LEAST(1) },
	/* the upper bound only catches a typo: a local mirror the operator is
	 * entitled to may well take thousands of requests per second */
	{ "sofascore.max_requests_per_second", CFG_T_FLOAT, "1.0", NULL, false, F(sofa_max_rps),
	  NOCOUNT, "request budget shared by every process of the system", ABOVE(0, 100000) },
	{ "sofascore.challenge_pause", CFG_T_DURATION, "15m", NULL, false, F(sofa_challenge_pause),
	  NOCOUNT, "no Sofascore calls for this long after a 403 challenge", ANY },
	{ "sofascore.max_body", CFG_T_LONG, "8388608", NULL, false, F(sofa_max_body), NOCOUNT,
	  "largest response body accepted, bytes", AT_LEAST(1024) },
	{ "sofascore.requests_per_day", CFG_T_INT, "0", NULL, false, F(sofa_per_day), NOCOUNT,
	  "requests a UTC day your access allows, shared by every process; 0 = no limit",
	  RANGE(0, 100000000) },
	{ "sofascore.requests_per_minute", CFG_T_INT, "0", NULL, false, F(sofa_per_minute), NOCOUNT,
	  "requests a minute your access allows; 0 = no limit", RANGE(0, 1000000) },
	{ "apifootball.base_url", CFG_T_STRING, "https://v3.football.api-sports.io",
	  "BF_APIFOOTBALL_URL", false, F(af_base_url), NOCOUNT, "API-Football v3 base URL",
	  PREFIX("http://|https://") },
	{ "apifootball.api_key", CFG_T_STRING, "", "BF_APIFOOTBALL_KEY", true, F(af_api_key),
	  NOCOUNT, "API-Football key, sent only as header x-apisports-key to apifootball.base_url",
	  ANY },
	{ "apifootball.timeout", CFG_T_DURATION, "10s", NULL, false, F(af_timeout), NOCOUNT,
	  "total time allowed for one API-Football request", AT_LEAST(1) },
	/* the free plan allows 10 a minute */
	{ "apifootball.max_requests_per_second", CFG_T_FLOAT, "0.15", NULL, false, F(af_max_rps),
	  NOCOUNT, "request budget shared by every process of the system", ABOVE(0, 100000) },
	{ "apifootball.refusal_pause", CFG_T_DURATION, "15m", NULL, false, F(af_refusal_pause),
	  NOCOUNT, "no API-Football calls for this long after the key was refused", ANY },
	{ "apifootball.max_body", CFG_T_LONG, "33554432", NULL, false, F(af_max_body), NOCOUNT,
	  "largest response body accepted, bytes (a day of every league is several MB)",
	  AT_LEAST(1024) },
	{ "apifootball.requests_per_day", CFG_T_INT, "100", NULL, false, F(af_per_day), NOCOUNT,
	  "your plan's requests a day (free 100, Pro 7500), shared by every process; 0 = as the API's headers say",
	  RANGE(0, 100000000) },
	{ "apifootball.requests_per_minute", CFG_T_INT, "10", NULL, false, F(af_per_minute),
	  NOCOUNT, "your plan's requests a minute (free 10, Pro 300); 0 = as the API's headers say",
	  RANGE(0, 1000000) },
	{ "apifootball.seasons", CFG_T_INT_LIST, "", NULL, false, F(af_seasons), F(naf_seasons),
	  "league, season pairs, e.g. [39, 2024]: only that season of the league (else each fixture's own, the current one)",
	  AT_LEAST(1) },
	{ "plainly.base_url", CFG_T_STRING, "https://api.plainlyvideos.com/api/v2",
	  "BF_PLAINLY_URL", false, F(plainly_base_url), NOCOUNT, "Plainly API base URL",
	  PREFIX("http://|https://") },
	{ "plainly.api_key", CFG_T_STRING, "", "BF_PLAINLY_API_KEY", true, F(plainly_api_key),
	  NOCOUNT, "Plainly API key (required unless plainly.dry_run)", ANY },
	{ "plainly.dry_run", CFG_T_BOOL, "false", "BF_PLAINLY_DRY_RUN", false, F(plainly_dry_run),
	  NOCOUNT,
	  "true: no video is made, each render request is written to plainly.dry_run_dir (with no api_key only)",
	  ANY },
	{ "plainly.timeout", CFG_T_DURATION, "20s", NULL, false, F(plainly_timeout), NOCOUNT,
	  "total time allowed for one Plainly request", AT_LEAST(1) },
	{ "plainly.dry_run_dir", CFG_T_STRING, "var/renders", NULL, false, F(plainly_dry_run_dir),
	  NOCOUNT, "where dry-run render requests are written (plainly.dry_run)", ANY },
	{ "plainly.webhook_url", CFG_T_STRING, "", NULL, false, F(plainly_webhook_url), NOCOUNT,
	  "optional webhook Plainly calls when a render is final", ANY },
	{ "plainly.templates.line-up", CFG_T_TEMPLATE, NULL, NULL, false, F(tpl_lineup), NOCOUNT,
	  "template of line-up videos: project_id, template_id, parameters { name = \"path\" }",
	  ANY },
	{ "plainly.templates.result", CFG_T_TEMPLATE, NULL, NULL, false, F(tpl_result), NOCOUNT,
	  "template of result videos", ANY },
	{ "plainly.templates.tournament-stats", CFG_T_TEMPLATE, NULL, NULL, false, F(tpl_tstats),
	  NOCOUNT, "template of tournament-stats videos", ANY },
	{ "producer.competitions", CFG_T_INT_LIST, "", NULL, false, F(tournaments), F(ntournaments),
	  "competitions to follow, in the provider's ids (Sofascore unique tournaments, API-Football leagues); older name: producer.unique_tournaments",
	  AT_LEAST(1), .alias = "producer.unique_tournaments" },
	{ "producer.schedule_interval", CFG_T_DURATION, "3h", NULL, false, F(schedule_interval),
	  NOCOUNT,
	  "how often today's schedule is fetched (yesterday's and tomorrow's every 3rd time)",
	  RANGE(1, 86400) },
	{ "producer.live_interval", CFG_T_DURATION, "5m", NULL, false, F(live_interval), NOCOUNT,
	  "how often the matches past finish_watch_after are asked for their status",
	  RANGE(1, 86400) },
	{ "producer.lineup_lead", CFG_T_DURATION, "60m", NULL, false, F(lineup_lead), NOCOUNT,
	  "publish the line-up job this long before kick-off", RANGE(1, 7 * 86400) },
	{ "producer.finish_watch_after", CFG_T_DURATION, "110m", NULL, false, F(finish_watch_after),
	  NOCOUNT,
	  "from kick-off + this, a match without a final status is watched every live_interval",
	  RANGE(0, 86400) },
	{ "producer.finish_check_after", CFG_T_DURATION, "150m", NULL, false, F(finish_check_after),
	  NOCOUNT,
	  "fetch an event on its own once kick-off is this far past and its list says not final",
	  ANY },
	{ "producer.requeue_after", CFG_T_DURATION, "20m", NULL, false, F(requeue_after), NOCOUNT,
	  "a job enqueued with no news for the longest wait tier + this is published again (0 = never)",
	  RANGE(0, 7 * 86400) },
	{ "lineups.wait_tiers", CFG_T_DURATION_LIST, "5m,15m", NULL, false, F(lineups_tiers),
	  F(lineups_ntiers), "delay tiers of line-up re-checks (one wait queue each)",
	  AT_LEAST(1) },
	{ "lineups.near_kickoff", CFG_T_DURATION, "60m", NULL, false, F(lineups_near_kickoff),
	  NOCOUNT, "closer than this to kick-off, re-check on the shortest tier", ANY },
	{ "lineups.give_up_after", CFG_T_DURATION, "10m", NULL, false, F(lineups_give_up_after),
	  NOCOUNT, "after kick-off + this, an unconfirmed line-up job expires", ANY },
	{ "lineups.max_attempts", CFG_T_INT, "60", NULL, false, F(lineups_max_attempts), NOCOUNT,
	  "transient failures before a line-up message is dead-lettered", RANGE(1, 100000) },
	{ "lineups.prefetch", CFG_T_INT, "64", NULL, false, F(lineups_prefetch), NOCOUNT,
	  "unacknowledged deliveries per bf-lineups process", RANGE(1, 65535) },
	{ "results.wait_tiers", CFG_T_DURATION_LIST, "1m,10m", NULL, false, F(results_tiers),
	  F(results_ntiers), "delay tiers of result retries", AT_LEAST(1) },
	{ "results.max_attempts", CFG_T_INT, "30", NULL, false, F(results_max_attempts), NOCOUNT,
	  "transient failures before a result message is dead-lettered", RANGE(1, 100000) },
	{ "results.prefetch", CFG_T_INT, "32", NULL, false, F(results_prefetch), NOCOUNT,
	  "unacknowledged deliveries per bf-results process", RANGE(1, 65535) },
	{ "renders.wait_tiers", CFG_T_DURATION_LIST, "30s,2m,10m", NULL, false, F(renders_tiers),
	  F(renders_ntiers),
	  "delay tiers of render checks: the shortest for a render's first minutes, longer ones as it runs",
	  AT_LEAST(1) },
	{ "renders.max_attempts", CFG_T_INT, "100", NULL, false, F(renders_max_attempts), NOCOUNT,
	  "checks of a render still running (or of Plainly failing) before it is dead-lettered",
	  RANGE(1, 100000) },
	{ "renders.prefetch", CFG_T_INT, "32", NULL, false, F(renders_prefetch), NOCOUNT,
	  "unacknowledged deliveries per bf-renders process", RANGE(1, 65535) },
	{ "renders.webhook_listen", CFG_T_STRING, "", NULL, false, F(renders_webhook_listen),
	  NOCOUNT,
	  "HOST:PORT where bf-renders takes Plainly's webhooks (\"\" = none: polling only); plainly.webhook_url must reach it with ?secret=",
	  ANY },
	{ "renders.webhook_secret", CFG_T_STRING, "", "BF_RENDERS_WEBHOOK_SECRET", true,
	  F(renders_webhook_secret), NOCOUNT,
	  "the secret a webhook call must carry (?secret= in plainly.webhook_url); required with webhook_listen",
	  ANY },
	{ "renders.archive_dir", CFG_T_STRING, "", NULL, false, F(renders_archive_dir), NOCOUNT,
	  "download each finished video here before Plainly deletes it (\"\" = no archive)", ANY },
	{ "renders.archive_max_mb", CFG_T_INT, "2048", NULL, false, F(renders_archive_max_mb),
	  NOCOUNT, "largest video archived, MB (a larger one is an error)", RANGE(1, 1048576) },
	{ "renders.archive_timeout", CFG_T_DURATION, "10m", NULL, false, F(renders_archive_timeout),
	  NOCOUNT, "time allowed for one video's download", RANGE(1, 86400) },
	{ "tournament_stats.max_attempts", CFG_T_INT, "10", NULL, false, F(tstats_max_attempts),
	  NOCOUNT, "transient failures before a tournament-stats message is dead-lettered",
	  RANGE(1, 100000) },
	{ "tournament_stats.prefetch", CFG_T_INT, "64", NULL, false, F(tstats_prefetch), NOCOUNT,
	  "unacknowledged deliveries per bf-tournament-stats process", RANGE(1, 65535) },
	{ "log.level", CFG_T_STRING, "info", "BF_LOG_LEVEL", false, F(log_level), NOCOUNT,
	  "debug, info, warn or error", ONE_OF("debug|info|warn|error") },
	{ "log.format", CFG_T_STRING, "text", "BF_LOG_FORMAT", false, F(log_format), NOCOUNT,
	  "text, logfmt or json: the form of each log line", ONE_OF("text|logfmt|json") },
	{ "metrics.listen", CFG_T_STRING, "", "BF_METRICS_LISTEN", false, F(metrics_listen),
	  NOCOUNT,
	  "\"PORT\" or \"HOST:PORT\": serve GET /metrics (Prometheus) and GET /healthz there; a bare port listens on 127.0.0.1 only; \"\" = off",
	  ANY },
};
const size_t cfg_nkeys = sizeof(cfg_keys) / sizeof(cfg_keys[0]);

static void set_err(char *err, size_t n, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void set_err(char *err, size_t n, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, n, fmt, ap);
	va_end(ap);
}

int cfg_parse_duration(const char *s, int *secs)
{
	char *end;
	long v, mul = 1;

	while (isspace((unsigned char)*s))
		s++;
	if (!isdigit((unsigned char)*s))
		return -1;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0)
		return -1;
	if (strcmp(end, "") == 0 || strcmp(end, "s") == 0)
		mul = 1;
	else if (strcmp(end, "m") == 0 || strcmp(end, "min") == 0)
		mul = 60;
	else if (strcmp(end, "h") == 0)
		mul = 3600;
	else if (strcmp(end, "d") == 0)
		mul = 86400;
	else
		return -1;
	if (v > INT_MAX / mul)
		return -1;
	*secs = (int)(v * mul);
	return 0;
}

void cfg_duration_label(int secs, char *buf, size_t n)
{
	if (secs > 0 && secs % 86400 == 0)
		snprintf(buf, n, "%dd", secs / 86400);
	else if (secs > 0 && secs % 3600 == 0)
		snprintf(buf, n, "%dh", secs / 3600);
	else if (secs > 0 && secs % 60 == 0)
		snprintf(buf, n, "%dm", secs / 60);
	else
		snprintf(buf, n, "%ds", secs);
}

static char *xstrdup(const char *s)
{
	char *d = strdup(s);

	if (d == NULL) {
		fputs("out of memory\n", stderr);
		abort();
	}
	return d;
}

/* Where a value came from, for error messages. */
struct origin {
	const char *file;
	int line; /* 0 = unknown */
	const char *env;
};

static void origin_text(const struct origin *o, char *buf, size_t n)
{
	if (o->env != NULL)
		snprintf(buf, n, " (from environment variable %s)", o->env);
	else if (o->file != NULL && o->line > 0)
		snprintf(buf, n, " (%s line %d)", o->file, o->line);
	else if (o->file != NULL)
		snprintf(buf, n, " (%s)", o->file);
	else
		snprintf(buf, n, " (built-in default)");
}

/*
 * A value before it is parsed: text (a default or an environment variable:
 * any type may be written as text) or a setting of the file (typed by
 * libconfig: a string is not a number there).
 */
struct raw {
	enum {
		RAW_TEXT,
		RAW_STRING,
		RAW_INT,
		RAW_FLOAT,
		RAW_BOOL,
		RAW_LIST,
		RAW_OTHER
	} kind;
	const char *s; /* RAW_TEXT, RAW_STRING */
	long long i; /* RAW_INT */
	double d; /* RAW_FLOAT */
	bool b; /* RAW_BOOL */
	const config_setting_t *list; /* RAW_LIST: its elements */
};

static struct raw raw_text(const char *s)
{
	struct raw v = { .kind = RAW_TEXT, .s = s };

	return v;
}

static struct raw raw_setting(const config_setting_t *s)
{
	struct raw v = { .kind = RAW_OTHER };

	switch (config_setting_type(s)) {
	case CONFIG_TYPE_STRING:
		v.kind = RAW_STRING;
		v.s = config_setting_get_string(s);
		break;
	case CONFIG_TYPE_INT:
	case CONFIG_TYPE_INT64:
		v.kind = RAW_INT;
		v.i = config_setting_get_int64(s);
		break;
	case CONFIG_TYPE_FLOAT:
		v.kind = RAW_FLOAT;
		v.d = config_setting_get_float(s);
		break;
	case CONFIG_TYPE_BOOL:
		v.kind = RAW_BOOL;
		v.b = config_setting_get_bool(s) != 0;
		break;
	case CONFIG_TYPE_ARRAY:
	case CONFIG_TYPE_LIST:
		v.kind = RAW_LIST;
		v.list = s;
		break;
	default:
		break;
	}
	return v;
}

/* An integer: a file's integer, or text that is one. */
static int raw_integer(const struct raw *v, long long lo, long long hi, long long *out)
{
	char *end;

	if (v->kind == RAW_INT) {
		*out = v->i;
	} else if (v->kind == RAW_TEXT) {
		errno = 0;
		*out = strtoll(v->s, &end, 10);
		if (errno != 0 || end == v->s || *end != '\0')
			return -1;
	} else {
		return -1;
	}
	return *out >= lo && *out <= hi ? 0 : -1;
}

/* A duration: "90s"-style text or string, or a file's plain seconds. */
static int raw_duration(const struct raw *v, int *out)
{
	if (v->kind == RAW_TEXT || v->kind == RAW_STRING)
		return cfg_parse_duration(v->s, out);
	if (v->kind == RAW_INT && v->i >= 0 && v->i <= INT_MAX) {
		*out = (int)v->i;
		return 0;
	}
	return -1;
}

static void *field_at(struct bf_config *c, size_t off)
{
	return (char *)c + off;
}

static int parse_element(enum cfg_type list, const struct raw *v, void *dst, size_t i)
{
	long long x;

	if (list == CFG_T_DURATION_LIST)
		return raw_duration(v, &((int *)dst)[i]);
	if (raw_integer(v, INT64_MIN, INT64_MAX, &x) != 0)
		return -1;
	((int64_t *)dst)[i] = x;
	return 0;
}

/* A list: "1m,5m" as text, or a file's array or list. */
static int parse_list(struct bf_config *c, const struct cfg_key *k, const struct raw *v)
{
	size_t max = k->type == CFG_T_DURATION_LIST ? CFG_MAX_TIERS : CFG_MAX_TOURNAMENTS;
	size_t *count = (size_t *)field_at(c, k->off_count);
	void *dst = field_at(c, k->off);

	*count = 0;
	if (v->kind == RAW_TEXT) {
		char buf[512];
		char *p, *save = NULL;

		snprintf(buf, sizeof(buf), "%s", v->s);
		for (p = strtok_r(buf, ", ", &save); p != NULL; p = strtok_r(NULL, ", ", &save)) {
			struct raw e = raw_text(p);
			if (*count >= max || parse_element(k->type, &e, dst, *count) != 0)
				return -1;
			(*count)++;
		}
		return 0;
	}
	if (v->kind != RAW_LIST || (size_t)config_setting_length(v->list) > max)
		return -1;
	for (int i = 0; i < config_setting_length(v->list); i++) {
		struct raw e = raw_setting(config_setting_get_elem(v->list, (unsigned)i));
		if (parse_element(k->type, &e, dst, *count) != 0)
			return -1;
		(*count)++;
	}
	return 0;
}

/* The one value parser: v (text or a file's setting) into the field of k. */
static int parse_value(struct bf_config *c, const struct cfg_key *k, const struct raw *v)
{
	void *f = field_at(c, k->off);
	long long x;

	switch (k->type) {
	case CFG_T_STRING:
		if (v->kind != RAW_TEXT && v->kind != RAW_STRING)
			return -1;
		free(*(char **)f);
		*(char **)f = xstrdup(v->s);
		return 0;
	case CFG_T_INT:
		if (raw_integer(v, INT_MIN, INT_MAX, &x) != 0)
			return -1;
		*(int *)f = (int)x;
		return 0;
	case CFG_T_LONG:
		if (raw_integer(v, LONG_MIN, LONG_MAX, &x) != 0)
			return -1;
		*(long *)f = (long)x;
		return 0;
	case CFG_T_FLOAT:
		if (v->kind == RAW_FLOAT) {
			*(double *)f = v->d;
		} else if (v->kind == RAW_INT) {
			*(double *)f = (double)v->i;
		} else if (v->kind == RAW_TEXT) {
			char *end;
			errno = 0;
			*(double *)f = strtod(v->s, &end);
			if (errno != 0 || end == v->s || *end != '\0')
				return -1;
		} else {
			return -1;
		}
		return 0;
	case CFG_T_BOOL:
		if (v->kind == RAW_BOOL) {
			*(bool *)f = v->b;
		} else if (v->kind != RAW_TEXT) {
			return -1;
		} else if (strcmp(v->s, "true") == 0 || strcmp(v->s, "1") == 0 ||
			   strcmp(v->s, "yes") == 0) {
			*(bool *)f = true;
		} else if (strcmp(v->s, "false") == 0 || strcmp(v->s, "0") == 0 ||
			   strcmp(v->s, "no") == 0) {
			*(bool *)f = false;
		} else {
			return -1;
		}
		return 0;
	case CFG_T_DURATION:
		return raw_duration(v, (int *)f);
	case CFG_T_DURATION_LIST:
	case CFG_T_INT_LIST:
		return parse_list(c, k, v);
	case CFG_T_TEMPLATE:
		return -1; /* a group: apply_template() */
	}
	return -1;
}

/* The types: their names in bfctl config keys and in error messages. */
static const struct {
	const char *name, *phrase;
} types[] = {
	[CFG_T_STRING] = { "string", "a string" },
	[CFG_T_INT] = { "integer", "an integer" },
	[CFG_T_LONG] = { "integer", "an integer" },
	[CFG_T_FLOAT] = { "number", "a number" },
	[CFG_T_BOOL] = { "bool", "true or false" },
	[CFG_T_DURATION] = { "duration", "a duration (\"90s\", \"5m\", \"1h\" or seconds)" },
	[CFG_T_DURATION_LIST] = { "durations", "a list of durations, e.g. [\"1m\", \"5m\"]" },
	[CFG_T_INT_LIST] = { "integers", "a list of integers, e.g. [17, 8]" },
	[CFG_T_TEMPLATE] = { "group", "a group { project_id, template_id, parameters }" },
};

const char *cfg_type_name(enum cfg_type t)
{
	return (size_t)t < sizeof(types) / sizeof(types[0]) && types[t].name ? types[t].name : "?";
}

static const char *type_phrase(enum cfg_type t)
{
	return (size_t)t < sizeof(types) / sizeof(types[0]) && types[t].phrase ? types[t].phrase
									       : "?";
}

/* parse_value(), or an error naming the key, the type and where v came from. */
static int apply(struct bf_config *c, const struct cfg_key *k, struct raw v, const struct origin *o,
		 char *err, size_t errlen)
{
	char where[300];

	if (parse_value(c, k, &v) == 0)
		return 0;
	origin_text(o, where, sizeof(where));
	set_err(err, errlen, "%s: must be %s%s", k->name, type_phrase(k->type), where);
	return -1;
}

static int apply_template(struct cfg_template *t, const config_setting_t *s, const char *file,
			  char *err, size_t errlen)
{
	const config_setting_t *params;
	const char *str;

	if (!config_setting_is_group(s)) {
		set_err(err, errlen, "plainly.templates.%s: must be a group (%s line %d)",
			config_setting_name(s), file, config_setting_source_line(s));
		return -1;
	}
	for (int i = 0; i < config_setting_length(s); i++) {
		const config_setting_t *m = config_setting_get_elem(s, (unsigned)i);
		const char *name = config_setting_name(m);
		if (strcmp(name, "project_id") != 0 && strcmp(name, "template_id") != 0 &&
		    strcmp(name, "parameters") != 0) {
			set_err(err, errlen,
				"unknown key plainly.templates.%s.%s (%s line %d): expected project_id, template_id or parameters",
				config_setting_name(s), name, file, config_setting_source_line(m));
			return -1;
		}
	}
	static const char *const ids[] = { "project_id", "template_id" };
	for (size_t i = 0; i < 2; i++) {
		const config_setting_t *m = config_setting_get_member(s, ids[i]);
		if (m == NULL)
			continue;
		str = config_setting_get_string(m);
		if (str == NULL) {
			set_err(err, errlen,
				"plainly.templates.%s.%s: must be a string (%s line %d)",
				config_setting_name(s), ids[i], file,
				config_setting_source_line(m));
			return -1;
		}
		if (i == 0)
			t->project_id = xstrdup(str);
		else
			t->template_id = xstrdup(str);
	}
	params = config_setting_get_member(s, "parameters");
	if (params == NULL)
		return 0;
	if (!config_setting_is_group(params)) {
		set_err(err, errlen,
			"plainly.templates.%s.parameters: must be a group of name = \"path\" (%s line %d)",
			config_setting_name(s), file, config_setting_source_line(params));
		return -1;
	}
	for (int i = 0; i < config_setting_length(params); i++) {
		const config_setting_t *m = config_setting_get_elem(params, (unsigned)i);
		const char *path = config_setting_get_string(m);
		if (path == NULL) {
			set_err(err, errlen,
				"plainly.templates.%s.parameters.%s: must be a string path like \"home.name\" (%s line %d)",
				config_setting_name(s), config_setting_name(m), file,
				config_setting_source_line(m));
			return -1;
		}
		if (t->nparams >= CFG_MAX_PARAMS) {
			set_err(err, errlen,
				"plainly.templates.%s.parameters: more than %d entries",
				config_setting_name(s), CFG_MAX_PARAMS);
			return -1;
		}
		t->param_names[t->nparams] = xstrdup(config_setting_name(m));
		t->param_paths[t->nparams] = xstrdup(path);
		t->nparams++;
	}
	return 0;
}

static const struct cfg_key *key_find(const char *path)
{
	for (size_t i = 0; i < cfg_nkeys; i++)
		if (strcmp(cfg_keys[i].name, path) == 0 ||
		    (cfg_keys[i].alias != NULL && strcmp(cfg_keys[i].alias, path) == 0))
			return &cfg_keys[i];
	return NULL;
}

/* Rejects keys the table does not know: a typo must not be silently ignored. */
static int check_unknown(const config_setting_t *s, const char *prefix, const char *file, char *err,
			 size_t errlen)
{
	for (int i = 0; i < config_setting_length(s); i++) {
		const config_setting_t *m = config_setting_get_elem(s, (unsigned)i);
		char path[256];
		const struct cfg_key *k;

		snprintf(path, sizeof(path), "%s%s%s", prefix, *prefix ? "." : "",
			 config_setting_name(m));
		k = key_find(path);
		if (k != NULL)
			continue;
		if (config_setting_is_group(m) &&
		    (strcmp(path, "plainly.templates") == 0 || key_find(path) == NULL)) {
			/* a group is fine when some key lives below it */
			size_t plen = strlen(path);
			bool known = false;
			for (size_t j = 0; j < cfg_nkeys; j++)
				if (strncmp(cfg_keys[j].name, path, plen) == 0 &&
				    cfg_keys[j].name[plen] == '.')
					known = true;
			if (known) {
				if (check_unknown(m, path, file, err, errlen) != 0)
					return -1;
				continue;
			}
		}
		set_err(err, errlen, "unknown key %s (%s line %d)", path, file,
			config_setting_source_line(m));
		return -1;
	}
	return 0;
}

/* A bound of k as written: "1m" for durations, "1024" for numbers. */
static void bound_text(const struct cfg_key *k, double b, char *buf, size_t n)
{
	if (k->type == CFG_T_DURATION || k->type == CFG_T_DURATION_LIST)
		cfg_duration_label((int)b, buf, n);
	else
		snprintf(buf, n, "%g", b);
}

/* "KEY: must be 1..10000" (each: of a list's elements). */
static void range_err(const struct cfg_key *k, const char *each, char *err, size_t errlen)
{
	char lo[32], hi[32];

	bound_text(k, k->min, lo, sizeof(lo));
	bound_text(k, k->max, hi, sizeof(hi));
	if (k->min_open)
		set_err(err, errlen, "%s: %smust be > %s and <= %s", k->name, each, lo, hi);
	else if (k->max == NO_MAX)
		set_err(err, errlen, "%s: %smust be at least %s", k->name, each, lo);
	else
		set_err(err, errlen, "%s: %smust be %s..%s", k->name, each, lo, hi);
}

static bool in_range(const struct cfg_key *k, double v)
{
	return (k->min_open ? v > k->min : v >= k->min) && v <= k->max;
}

/* s is one of the '|'-separated words of k->accept (or starts with one). */
static bool accepted(const struct cfg_key *k, const char *s)
{
	for (const char *w = k->accept; *w != '\0';) {
		size_t len = strcspn(w, "|");
		if (k->accept_prefix ? strncmp(s, w, len) == 0
				     : strlen(s) == len && strncmp(s, w, len) == 0)
			return true;
		w += len + (w[len] == '|');
	}
	return false;
}

/* "must be debug, info, warn or error", "must start with amqp:// or amqps://" */
static void accept_err(const struct cfg_key *k, char *err, size_t errlen)
{
	char words[256] = "";
	size_t used = 0;

	for (const char *w = k->accept; *w != '\0' && used < sizeof(words);) {
		size_t len = strcspn(w, "|");
		bool last = w[len] == '\0';
		used += (size_t)snprintf(words + used, sizeof(words) - used, "%s%.*s",
					 used == 0 ? ""
					 : last	   ? " or "
						   : ", ",
					 (int)len, w);
		w += len + !last;
	}
	set_err(err, errlen, "%s: must %s %s", k->name, k->accept_prefix ? "start with" : "be",
		words);
}

/* The bounds of the table's row k on the loaded value. */
static int check_bounds(struct bf_config *c, const struct cfg_key *k, char *err, size_t errlen)
{
	const void *f = field_at(c, k->off);
	bool bounded = k->max != 0;

	switch (k->type) {
	case CFG_T_STRING: {
		const char *s = *(char *const *)f;
		if (bounded && strlen(s) < (size_t)k->min) {
			set_err(err, errlen, "%s: must not be empty", k->name);
			return -1;
		}
		if (k->accept != NULL && !accepted(k, s)) {
			accept_err(k, err, errlen);
			return -1;
		}
		return 0;
	}
	case CFG_T_INT:
	case CFG_T_DURATION:
		if (bounded && !in_range(k, *(const int *)f))
			goto range;
		return 0;
	case CFG_T_LONG:
		if (bounded && !in_range(k, (double)*(const long *)f))
			goto range;
		return 0;
	case CFG_T_FLOAT:
		if (bounded && !in_range(k, *(const double *)f))
			goto range;
		return 0;
	case CFG_T_DURATION_LIST: {
		const int *v = f;
		size_t n = *(const size_t *)field_at(c, k->off_count);
		if (n == 0) {
			set_err(err, errlen, "%s: needs at least one tier", k->name);
			return -1;
		}
		for (size_t i = 0; i < n; i++) {
			if (bounded && !in_range(k, v[i])) {
				range_err(k, "each ", err, errlen);
				return -1;
			}
			if (i > 0 && v[i] <= v[i - 1]) {
				set_err(err, errlen, "%s: tiers must be ascending", k->name);
				return -1;
			}
		}
		return 0;
	}
	case CFG_T_INT_LIST: {
		const int64_t *v = f;
		size_t n = *(const size_t *)field_at(c, k->off_count);
		for (size_t i = 0; i < n; i++) {
			if (bounded && !in_range(k, (double)v[i])) {
				range_err(k, "each ", err, errlen);
				return -1;
			}
		}
		return 0;
	}
	case CFG_T_BOOL:
	case CFG_T_TEMPLATE:
		return 0;
	}
	return 0;
range:
	range_err(k, "", err, errlen);
	return -1;
}

/* A listening address: "PORT" (1..65535), "HOST:PORT" with HOST an IPv4
 * literal, or "[IPv6]:PORT"; "" (off) too. */
static bool listen_ok(const char *s)
{
	struct sockaddr_storage sa;
	unsigned len;

	return s[0] == '\0' || metrics_parse_listen(s, &sa, &len) == 0;
}

/* Every key within its bounds, then what holds between keys. */
static int validate(struct bf_config *c, char *err, size_t errlen)
{
	for (size_t i = 0; i < cfg_nkeys; i++)
		if (check_bounds(c, &cfg_keys[i], err, errlen) != 0)
			return -1;
	if (!listen_ok(c->metrics_listen)) {
		set_err(err, errlen,
			"metrics.listen: must be \"PORT\" (1..65535), \"HOST:PORT\" with HOST an IPv4 address or \"[IPv6]:PORT\", or \"\" (off), not \"%.100s\"",
			c->metrics_listen);
		return -1;
	}
	if (c->amqp_management_url[0] != '\0' &&
	    strncmp(c->amqp_management_url, "http://", 7) != 0 &&
	    strncmp(c->amqp_management_url, "https://", 8) != 0) {
		set_err(err, errlen,
			"amqp.management_url: must start with http:// or https:// (or be \"\": not set)");
		return -1;
	}
	/* the timeout of the provider in use only: the other one is never asked */
	bool af = strcmp(c->source_provider, "api-football") == 0;
	if (c->amqp_heartbeat != 0 &&
	    ((af ? c->af_timeout : c->sofa_timeout) >= c->amqp_heartbeat ||
	     c->plainly_timeout >= c->amqp_heartbeat)) {
		set_err(err, errlen,
			"%s.timeout and plainly.timeout must be shorter than amqp.heartbeat (a process busy in HTTP would miss heartbeats)",
			af ? "apifootball" : "sofascore");
		return -1;
	}
	if (c->naf_seasons % 2 != 0) {
		set_err(err, errlen,
			"apifootball.seasons: pairs of league and season, e.g. [39, 2024, 140, 2024]");
		return -1;
	}
	if (strcmp(c->source_provider, "api-football") == 0 && c->af_api_key[0] == '\0') {
		set_err(err, errlen,
			"source.provider is api-football but apifootball.api_key is empty: set BF_APIFOOTBALL_KEY (your key from dashboard.api-football.com)");
		return -1;
	}
	return 0;
}

bool cfg_is_api_key(const struct cfg_key *k)
{
	size_t n = strlen(k->name), key = strlen(".api_key"), secret = strlen("_secret");

	return k->secret && ((n > key && strcmp(k->name + n - key, ".api_key") == 0) ||
			     (n > secret && strcmp(k->name + n - secret, "_secret") == 0));
}

const char *cfg_string(const struct bf_config *c, const struct cfg_key *k)
{
	return k->type == CFG_T_STRING ? *(char *const *)((const char *)c + k->off) : NULL;
}

/* A libpq connection string (keyword/value or URI) with a password, as
 * libpq reads it (spaces around '=', quotes, ?password= in a URI). */
static bool conninfo_has_password(const char *u)
{
	PQconninfoOption *o = PQconninfoParse(u, NULL);
	bool found = false;

	for (PQconninfoOption *it = o; it != NULL && it->keyword != NULL; it++)
		if ((strcmp(it->keyword, "password") == 0 ||
		     strcmp(it->keyword, "sslpassword") == 0) &&
		    it->val != NULL && it->val[0] != '\0')
			found = true;
	PQconninfoFree(o);
	return found;
}

/* A URL with a password, as libcurl's URL parser reads it (any scheme). */
static bool url_part_password(const char *u)
{
	CURLU *h = curl_url();
	char *pw = NULL;
	bool found = false;

	if (h != NULL && curl_url_set(h, CURLUPART_URL, u, CURLU_NON_SUPPORT_SCHEME) == CURLUE_OK &&
	    curl_url_get(h, CURLUPART_PASSWORD, &pw, 0) == CURLUE_OK)
		found = pw != NULL && pw[0] != '\0';
	curl_free(pw);
	curl_url_cleanup(h);
	return found;
}

/*
 * A secret in a URL value: a password that libpq (database.url) or the URL
 * parser (each URL of a comma-separated list) finds, or, when neither can
 * read it, anything that looks like one (user:...@, password): a value
 * that cannot be read is treated as a secret rather than let through.
 */
static bool url_has_password(const char *u)
{
	char *list, *save = NULL;
	bool found = false, unread = false;

	if (conninfo_has_password(u))
		return true;
	if (strstr(u, "://") == NULL) {
		/* not a URL: libpq's keyword/value form, read above; one it
		 * cannot read is a secret if it says password anywhere */
		PQconninfoOption *o = PQconninfoParse(u, NULL);
		bool unreadable = o == NULL;
		PQconninfoFree(o);
		return unreadable && strstr(u, "password") != NULL;
	}
	list = strdup(u);
	if (list == NULL)
		return true;
	for (char *t = strtok_r(list, ", ", &save); t != NULL && !found;
	     t = strtok_r(NULL, ", ", &save)) {
		CURLU *h = curl_url();
		unread = unread || h == NULL ||
			 curl_url_set(h, CURLUPART_URL, t, CURLU_NON_SUPPORT_SCHEME) != CURLUE_OK;
		curl_url_cleanup(h);
		found = url_part_password(t);
	}
	free(list);
	if (!found && unread) {
		const char *at = strchr(u, '@'), *colon = strstr(u, "://");
		found = strstr(u, "password") != NULL ||
			(at != NULL && colon != NULL && strchr(colon + 3, ':') != NULL &&
			 strchr(colon + 3, ':') < at);
	}
	return found;
}

/*
 * Secrets written in the file itself (rather than in the environment) are
 * only accepted when nobody else can read the file.
 */
static int check_secret_file(const config_t *lc, const char *path, char *err, size_t errlen)
{
	struct stat st;
	char found[200] = "";

	for (size_t i = 0; i < cfg_nkeys; i++) {
		const char *v = NULL;
		if (!cfg_keys[i].secret ||
		    config_lookup_string(lc, cfg_keys[i].name, &v) != CONFIG_TRUE || v[0] == '\0')
			continue;
		/* a key is a secret as it is; a URL only with a password in it */
		if (!cfg_is_api_key(&cfg_keys[i]) && !url_has_password(v))
			continue;
		snprintf(found + strlen(found), sizeof(found) - strlen(found), "%s%s",
			 found[0] ? ", " : "", cfg_keys[i].name);
	}
	if (found[0] == '\0')
		return 0;
	if (stat(path, &st) != 0) {
		set_err(err, errlen, "%s: cannot stat: %s", path, strerror(errno));
		return -1;
	}
	if (st.st_mode & (S_IRWXG | S_IRWXO)) {
		set_err(err, errlen,
			"%s holds secrets (%s) but is readable by group or others (mode %03o): "
			"chmod 600 it, or move the secrets to the environment (BF_AMQP_URL, "
			"BF_AMQP_MANAGEMENT_URL, BF_DATABASE_URL, BF_PLAINLY_API_KEY, BF_APIFOOTBALL_KEY, BF_RENDERS_WEBHOOK_SECRET)",
			path, found, (unsigned)(st.st_mode & 0777));
		return -1;
	}
	return 0;
}

/* An error about a key that the file gave under its older name names
 * that name, the one the operator will look for. */
static void name_alias(const config_t *lc, bool have_file, char *err, size_t errlen)
{
	for (size_t i = 0; have_file && i < cfg_nkeys; i++) {
		const struct cfg_key *k = &cfg_keys[i];
		size_t n = strlen(k->name);
		char rest[512];

		if (k->alias == NULL || config_lookup(lc, k->alias) == NULL ||
		    strncmp(err, k->name, n) != 0 || err[n] != ':')
			continue;
		snprintf(rest, sizeof(rest), "%s", err + n);
		snprintf(err, errlen, "%s (now called %s)%s", k->alias, k->name, rest);
		return;
	}
}

int cfg_load(struct bf_config *c, const char *path, char *err, size_t errlen)
{
	config_t lc;
	bool have_file = false;
	int rc = -1;

	memset(c, 0, sizeof(*c));
	config_init(&lc);
	if (path == NULL) {
		if (access("bf.conf", F_OK) == 0)
			path = "bf.conf";
		else if (access("/etc/bf/bf.conf", F_OK) == 0)
			path = "/etc/bf/bf.conf";
	}
	if (path != NULL) {
		if (config_read_file(&lc, path) != CONFIG_TRUE) {
			if (config_error_type(&lc) == CONFIG_ERR_FILE_IO)
				set_err(err, errlen, "%s: cannot read: %s", path, strerror(errno));
			else
				set_err(err, errlen, "%s line %d: %s", path, config_error_line(&lc),
					config_error_text(&lc));
			goto out;
		}
		have_file = true;
		c->path = xstrdup(path);
		if (check_unknown(config_root_setting(&lc), "", path, err, errlen) != 0)
			goto out;
	}
	for (size_t i = 0; i < cfg_nkeys; i++) {
		const struct cfg_key *k = &cfg_keys[i];
		const config_setting_t *s = have_file ? config_lookup(&lc, k->name) : NULL;
		const config_setting_t *old =
			have_file && k->alias != NULL ? config_lookup(&lc, k->alias) : NULL;
		const char *env = k->env != NULL ? getenv(k->env) : NULL;
		const struct origin builtin = { NULL, 0, NULL }, from_env = { NULL, 0, k->env };
		struct origin from_file = { path, s != NULL ? config_setting_source_line(s) : 0,
					    NULL };

		if (s != NULL && old != NULL) {
			set_err(err, errlen,
				"%s line %d: %s and its older name %s are both set: keep %s only",
				path, config_setting_source_line(old), k->name, k->alias, k->name);
			goto out;
		}
		if (s == NULL && old != NULL) {
			s = old;
			from_file.line = config_setting_source_line(s);
		}
		if (k->def != NULL && apply(c, k, raw_text(k->def), &builtin, err, errlen) != 0)
			goto out;
		if (s != NULL && k->type == CFG_T_TEMPLATE) {
			if (apply_template(field_at(c, k->off), s, path, err, errlen) != 0)
				goto out;
		} else if (s != NULL && apply(c, k, raw_setting(s), &from_file, err, errlen) != 0) {
			goto out;
		}
		if (env != NULL && apply(c, k, raw_text(env), &from_env, err, errlen) != 0)
			goto out;
	}
	if (validate(c, err, errlen) != 0) {
		name_alias(&lc, have_file, err, errlen);
		goto out;
	}
	if (have_file && check_secret_file(&lc, path, err, errlen) != 0)
		goto out;
	rc = 0;
out:
	config_destroy(&lc);
	return rc;
}

static void template_free(struct cfg_template *t)
{
	free(t->project_id);
	free(t->template_id);
	for (size_t i = 0; i < t->nparams; i++) {
		free(t->param_names[i]);
		free(t->param_paths[i]);
	}
}

void cfg_free(struct bf_config *c)
{
	for (size_t i = 0; i < cfg_nkeys; i++)
		if (cfg_keys[i].type == CFG_T_STRING)
			free(*(char **)((char *)c + cfg_keys[i].off));
	template_free(&c->tpl_lineup);
	template_free(&c->tpl_result);
	template_free(&c->tpl_tstats);
	free(c->path);
	memset(c, 0, sizeof(*c));
}
