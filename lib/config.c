#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <libconfig.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define F(field) offsetof(struct bf_config, field)
#define NOCOUNT 0

/*
 * The one table of configuration keys.  ops/bf.conf.example documents every
 * one of them (tests/unit/test_config.c checks it).
 */
const struct cfg_key cfg_keys[] = {
	{ "amqp.url", CFG_T_STRING, "amqp://127.0.0.1:5672/%2f", "BF_AMQP_URL", true,
	  F(amqp_url), NOCOUNT,
	  "amqp:// or amqps://user:pass@host:port/vhost; several comma-separated for a cluster" },
	{ "amqp.heartbeat", CFG_T_DURATION, "30s", NULL, false, F(amqp_heartbeat), NOCOUNT,
	  "AMQP heartbeat interval" },
	{ "amqp.ca_cert", CFG_T_STRING, "", NULL, false, F(amqp_ca_cert), NOCOUNT,
	  "amqps: CA bundle used to verify the broker" },
	{ "amqp.client_cert", CFG_T_STRING, "", NULL, false, F(amqp_client_cert), NOCOUNT,
	  "amqps: client certificate (PEM), optional" },
	{ "amqp.client_key", CFG_T_STRING, "", NULL, false, F(amqp_client_key), NOCOUNT,
	  "amqps: client private key (PEM), optional" },
	{ "amqp.verify_hostname", CFG_T_BOOL, "true", NULL, false, F(amqp_verify_hostname), NOCOUNT,
	  "amqps: check the broker certificate's host name" },
	{ "amqp.confirm_window", CFG_T_INT, "100", NULL, false, F(amqp_confirm_window), NOCOUNT,
	  "publishes in flight before waiting for publisher confirms" },
	{ "amqp.op_timeout", CFG_T_DURATION, "20s", NULL, false, F(amqp_op_timeout), NOCOUNT,
	  "a broker call blocked this long abandons the connection (watchdog)" },
	{ "database.url", CFG_T_STRING, "postgresql:///bf", "BF_DATABASE_URL", true,
	  F(database_url), NOCOUNT, "libpq connection string or URI" },
	{ "sofascore.base_url", CFG_T_STRING, "https://www.sofascore.com/api/v1", "BF_SOFASCORE_URL",
	  false, F(sofa_base_url), NOCOUNT, "Sofascore API base URL (an access you are entitled to)" },
	{ "sofascore.timeout", CFG_T_DURATION, "10s", NULL, false, F(sofa_timeout), NOCOUNT,
	  "total time allowed for one Sofascore request" },
	{ "sofascore.max_requests_per_second", CFG_T_FLOAT, "1.0", NULL, false, F(sofa_max_rps),
	  NOCOUNT, "request budget shared by every process of the system" },
	{ "sofascore.challenge_pause", CFG_T_DURATION, "15m", NULL, false, F(sofa_challenge_pause),
	  NOCOUNT, "no Sofascore calls for this long after a 403 challenge" },
	{ "sofascore.max_body", CFG_T_INT, "8388608", NULL, false, F(sofa_max_body), NOCOUNT,
	  "largest response body accepted, bytes" },
	{ "plainly.base_url", CFG_T_STRING, "https://api.plainlyvideos.com/api/v2", "BF_PLAINLY_URL",
	  false, F(plainly_base_url), NOCOUNT, "Plainly API base URL" },
	{ "plainly.api_key", CFG_T_STRING, "", "BF_PLAINLY_API_KEY", true, F(plainly_api_key),
	  NOCOUNT, "Plainly API key; empty = dry-run (requests written to plainly.dry_run_dir)" },
	{ "plainly.timeout", CFG_T_DURATION, "20s", NULL, false, F(plainly_timeout), NOCOUNT,
	  "total time allowed for one Plainly request" },
	{ "plainly.dry_run_dir", CFG_T_STRING, "var/renders", NULL, false, F(plainly_dry_run_dir),
	  NOCOUNT, "where dry-run render requests are written" },
	{ "plainly.webhook_url", CFG_T_STRING, "", NULL, false, F(plainly_webhook_url), NOCOUNT,
	  "optional webhook Plainly calls when a render is final" },
	{ "plainly.templates.line-up", CFG_T_TEMPLATE, NULL, NULL, false, F(tpl_lineup), NOCOUNT,
	  "template of line-up videos: project_id, template_id, parameters { name = \"path\" }" },
	{ "plainly.templates.result", CFG_T_TEMPLATE, NULL, NULL, false, F(tpl_result), NOCOUNT,
	  "template of result videos" },
	{ "plainly.templates.tournament-stats", CFG_T_TEMPLATE, NULL, NULL, false, F(tpl_tstats),
	  NOCOUNT, "template of tournament-stats videos" },
	{ "producer.unique_tournaments", CFG_T_INT_LIST, "", NULL, false, F(tournaments),
	  F(ntournaments), "Sofascore unique tournament ids to follow" },
	{ "producer.schedule_interval", CFG_T_DURATION, "10m", NULL, false, F(schedule_interval),
	  NOCOUNT, "how often the scheduled events of each tournament are fetched" },
	{ "producer.live_interval", CFG_T_DURATION, "60s", NULL, false, F(live_interval), NOCOUNT,
	  "how often the live events are fetched" },
	{ "producer.lineup_lead", CFG_T_DURATION, "75m", NULL, false, F(lineup_lead), NOCOUNT,
	  "publish the line-up job this long before kick-off" },
	{ "producer.finish_check_after", CFG_T_DURATION, "150m", NULL, false,
	  F(finish_check_after), NOCOUNT,
	  "fetch an event on its own once kick-off is this far past without a final status" },
	{ "producer.requeue_after", CFG_T_DURATION, "20m", NULL, false, F(requeue_after), NOCOUNT,
	  "a job enqueued with no news for the longest wait tier + this is published again (0 = never)" },
	{ "lineups.wait_tiers", CFG_T_DURATION_LIST, "1m,5m", NULL, false, F(lineups_tiers),
	  F(lineups_ntiers), "delay tiers of line-up re-checks (one wait queue each)" },
	{ "lineups.near_kickoff", CFG_T_DURATION, "15m", NULL, false, F(lineups_near_kickoff),
	  NOCOUNT, "closer than this to kick-off, re-check on the shortest tier" },
	{ "lineups.give_up_after", CFG_T_DURATION, "10m", NULL, false, F(lineups_give_up_after),
	  NOCOUNT, "after kick-off + this, an unconfirmed line-up job expires" },
	{ "lineups.max_attempts", CFG_T_INT, "60", NULL, false, F(lineups_max_attempts), NOCOUNT,
	  "transient failures before a line-up message is dead-lettered" },
	{ "lineups.prefetch", CFG_T_INT, "64", NULL, false, F(lineups_prefetch), NOCOUNT,
	  "unacknowledged deliveries per bf-lineups process" },
	{ "results.wait_tiers", CFG_T_DURATION_LIST, "1m,10m", NULL, false, F(results_tiers),
	  F(results_ntiers), "delay tiers of result retries" },
	{ "results.max_attempts", CFG_T_INT, "30", NULL, false, F(results_max_attempts), NOCOUNT,
	  "transient failures before a result message is dead-lettered" },
	{ "results.prefetch", CFG_T_INT, "10", NULL, false, F(results_prefetch), NOCOUNT,
	  "unacknowledged deliveries per bf-results process" },
	{ "tournament_stats.max_attempts", CFG_T_INT, "10", NULL, false, F(tstats_max_attempts),
	  NOCOUNT, "transient failures before a tournament-stats message is dead-lettered" },
	{ "tournament_stats.prefetch", CFG_T_INT, "1", NULL, false, F(tstats_prefetch), NOCOUNT,
	  "unacknowledged deliveries per bf-tournament-stats process" },
	{ "log.level", CFG_T_STRING, "info", "BF_LOG_LEVEL", false, F(log_level), NOCOUNT,
	  "debug | info | warn | error" },
};
const size_t cfg_nkeys = sizeof(cfg_keys) / sizeof(cfg_keys[0]);

static void set_err(char *err, size_t n, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
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

static int parse_int_text(const char *s, long *out)
{
	char *end;

	errno = 0;
	*out = strtol(s, &end, 10);
	return (errno != 0 || end == s || *end != '\0') ? -1 : 0;
}

static int parse_bool_text(const char *s, bool *out)
{
	if (strcmp(s, "true") == 0 || strcmp(s, "1") == 0 || strcmp(s, "yes") == 0)
		*out = true;
	else if (strcmp(s, "false") == 0 || strcmp(s, "0") == 0 || strcmp(s, "no") == 0)
		*out = false;
	else
		return -1;
	return 0;
}

/* Splits "1m,5m" into durations. */
static int parse_list_text(const struct cfg_key *k, const char *s, void *dst, size_t *count,
			   size_t max)
{
	char buf[512];
	char *p, *save = NULL;

	snprintf(buf, sizeof(buf), "%s", s);
	*count = 0;
	for (p = strtok_r(buf, ", ", &save); p != NULL; p = strtok_r(NULL, ", ", &save)) {
		if (*count >= max)
			return -1;
		if (k->type == CFG_T_DURATION_LIST) {
			if (cfg_parse_duration(p, &((int *)dst)[*count]) != 0)
				return -1;
		} else {
			long v;
			if (parse_int_text(p, &v) != 0)
				return -1;
			((int64_t *)dst)[*count] = v;
		}
		(*count)++;
	}
	return 0;
}

static void *field_at(struct bf_config *c, size_t off)
{
	return (char *)c + off;
}

/* Applies a textual value (default or environment) to the field of k. */
static int apply_text(struct bf_config *c, const struct cfg_key *k, const char *text)
{
	long v;

	switch (k->type) {
	case CFG_T_STRING: {
		char **f = (char **)field_at(c, k->off);
		free(*f);
		*f = xstrdup(text);
		return 0;
	}
	case CFG_T_INT:
		if (parse_int_text(text, &v) != 0 || v < INT_MIN || v > INT_MAX)
			return -1;
		if (k->off == F(sofa_max_body))
			c->sofa_max_body = v;
		else
			*(int *)field_at(c, k->off) = (int)v;
		return 0;
	case CFG_T_FLOAT: {
		char *end;
		double d;
		errno = 0;
		d = strtod(text, &end);
		if (errno != 0 || end == text || *end != '\0')
			return -1;
		*(double *)field_at(c, k->off) = d;
		return 0;
	}
	case CFG_T_BOOL:
		return parse_bool_text(text, (bool *)field_at(c, k->off));
	case CFG_T_DURATION:
		return cfg_parse_duration(text, (int *)field_at(c, k->off));
	case CFG_T_DURATION_LIST:
		return parse_list_text(k, text, field_at(c, k->off), (size_t *)field_at(c, k->off_count),
				       CFG_MAX_TIERS);
	case CFG_T_INT_LIST:
		return parse_list_text(k, text, field_at(c, k->off), (size_t *)field_at(c, k->off_count),
				       CFG_MAX_TOURNAMENTS);
	case CFG_T_TEMPLATE:
		return -1;
	}
	return -1;
}

static const char *type_name(enum cfg_type t)
{
	switch (t) {
	case CFG_T_STRING: return "a string";
	case CFG_T_INT: return "an integer";
	case CFG_T_FLOAT: return "a number";
	case CFG_T_BOOL: return "true or false";
	case CFG_T_DURATION: return "a duration (\"90s\", \"5m\", \"1h\" or seconds)";
	case CFG_T_DURATION_LIST: return "a list of durations, e.g. [\"1m\", \"5m\"]";
	case CFG_T_INT_LIST: return "a list of integers, e.g. [17, 8]";
	case CFG_T_TEMPLATE: return "a group { project_id, template_id, parameters }";
	}
	return "?";
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
			set_err(err, errlen, "plainly.templates.%s.%s: must be a string (%s line %d)",
				config_setting_name(s), ids[i], file, config_setting_source_line(m));
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
		set_err(err, errlen, "plainly.templates.%s.parameters: must be a group of name = \"path\" (%s line %d)",
			config_setting_name(s), file, config_setting_source_line(params));
		return -1;
	}
	for (int i = 0; i < config_setting_length(params); i++) {
		const config_setting_t *m = config_setting_get_elem(params, (unsigned)i);
		const char *path = config_setting_get_string(m);
		if (path == NULL) {
			set_err(err, errlen, "plainly.templates.%s.parameters.%s: must be a string path like \"home.name\" (%s line %d)",
				config_setting_name(s), config_setting_name(m), file,
				config_setting_source_line(m));
			return -1;
		}
		if (t->nparams >= CFG_MAX_PARAMS) {
			set_err(err, errlen, "plainly.templates.%s.parameters: more than %d entries",
				config_setting_name(s), CFG_MAX_PARAMS);
			return -1;
		}
		t->param_names[t->nparams] = xstrdup(config_setting_name(m));
		t->param_paths[t->nparams] = xstrdup(path);
		t->nparams++;
	}
	return 0;
}

/* Applies a setting read from the file to the field of k. */
static int apply_setting(struct bf_config *c, const struct cfg_key *k, const config_setting_t *s,
			 const char *file, char *err, size_t errlen)
{
	int type = config_setting_type(s);
	struct origin o = { file, config_setting_source_line(s), NULL };
	char where[300];
	int rc = -1;

	origin_text(&o, where, sizeof(where));
	switch (k->type) {
	case CFG_T_STRING:
		if (type == CONFIG_TYPE_STRING)
			rc = apply_text(c, k, config_setting_get_string(s));
		break;
	case CFG_T_INT:
		if (type == CONFIG_TYPE_INT || type == CONFIG_TYPE_INT64) {
			long long v = config_setting_get_int64(s);
			if (k->off == F(sofa_max_body)) {
				c->sofa_max_body = (long)v;
				rc = 0;
			} else if (v >= INT_MIN && v <= INT_MAX) {
				*(int *)field_at(c, k->off) = (int)v;
				rc = 0;
			}
		}
		break;
	case CFG_T_FLOAT:
		if (type == CONFIG_TYPE_FLOAT || type == CONFIG_TYPE_INT || type == CONFIG_TYPE_INT64) {
			*(double *)field_at(c, k->off) = type == CONFIG_TYPE_FLOAT
				? config_setting_get_float(s) : (double)config_setting_get_int64(s);
			rc = 0;
		}
		break;
	case CFG_T_BOOL:
		if (type == CONFIG_TYPE_BOOL) {
			*(bool *)field_at(c, k->off) = config_setting_get_bool(s) != 0;
			rc = 0;
		}
		break;
	case CFG_T_DURATION:
		if (type == CONFIG_TYPE_STRING)
			rc = cfg_parse_duration(config_setting_get_string(s), (int *)field_at(c, k->off));
		else if (type == CONFIG_TYPE_INT && config_setting_get_int(s) >= 0) {
			*(int *)field_at(c, k->off) = config_setting_get_int(s);
			rc = 0;
		}
		break;
	case CFG_T_DURATION_LIST:
	case CFG_T_INT_LIST: {
		size_t max = k->type == CFG_T_DURATION_LIST ? CFG_MAX_TIERS : CFG_MAX_TOURNAMENTS;
		size_t *count = (size_t *)field_at(c, k->off_count);
		if (type != CONFIG_TYPE_ARRAY && type != CONFIG_TYPE_LIST)
			break;
		if ((size_t)config_setting_length(s) > max)
			break;
		*count = 0;
		rc = 0;
		for (int i = 0; i < config_setting_length(s) && rc == 0; i++) {
			const config_setting_t *e = config_setting_get_elem(s, (unsigned)i);
			int et = config_setting_type(e);
			if (k->type == CFG_T_INT_LIST) {
				if (et == CONFIG_TYPE_INT || et == CONFIG_TYPE_INT64)
					((int64_t *)field_at(c, k->off))[*count] = config_setting_get_int64(e);
				else
					rc = -1;
			} else if (et == CONFIG_TYPE_STRING) {
				rc = cfg_parse_duration(config_setting_get_string(e),
							&((int *)field_at(c, k->off))[*count]);
			} else if (et == CONFIG_TYPE_INT) {
				((int *)field_at(c, k->off))[*count] = config_setting_get_int(e);
			} else {
				rc = -1;
			}
			(*count)++;
		}
		break;
	}
	case CFG_T_TEMPLATE:
		return apply_template((struct cfg_template *)field_at(c, k->off), s, file, err, errlen);
	}
	if (rc != 0) {
		set_err(err, errlen, "%s: must be %s%s", k->name, type_name(k->type), where);
		return -1;
	}
	return 0;
}

static const struct cfg_key *key_find(const char *path)
{
	for (size_t i = 0; i < cfg_nkeys; i++)
		if (strcmp(cfg_keys[i].name, path) == 0)
			return &cfg_keys[i];
	return NULL;
}

/* Rejects keys the table does not know: a typo must not be silently ignored. */
static int check_unknown(const config_setting_t *s, const char *prefix, const char *file,
			 char *err, size_t errlen)
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

static int validate(const struct bf_config *c, char *err, size_t errlen)
{
	const char *u = c->amqp_url;

	if (strncmp(u, "amqp://", 7) != 0 && strncmp(u, "amqps://", 8) != 0) {
		set_err(err, errlen, "amqp.url: must start with amqp:// or amqps://");
		return -1;
	}
	if (c->database_url[0] == '\0') {
		set_err(err, errlen, "database.url: must not be empty");
		return -1;
	}
	if (strncmp(c->sofa_base_url, "http://", 7) != 0 &&
	    strncmp(c->sofa_base_url, "https://", 8) != 0) {
		set_err(err, errlen, "sofascore.base_url: must be an http:// or https:// URL");
		return -1;
	}
	if (strncmp(c->plainly_base_url, "http://", 7) != 0 &&
	    strncmp(c->plainly_base_url, "https://", 8) != 0) {
		set_err(err, errlen, "plainly.base_url: must be an http:// or https:// URL");
		return -1;
	}
	/* the upper bound only catches a typo: a local mirror the operator is
	 * entitled to may well take thousands of requests per second */
	if (!(c->sofa_max_rps > 0.0 && c->sofa_max_rps <= 100000.0)) {
		set_err(err, errlen, "sofascore.max_requests_per_second: must be > 0 and <= 100000");
		return -1;
	}
	if (c->sofa_timeout < 1 || c->plainly_timeout < 1 || c->amqp_op_timeout < 1) {
		set_err(err, errlen, "sofascore.timeout, plainly.timeout and amqp.op_timeout must be at least 1s");
		return -1;
	}
	if (c->amqp_heartbeat != 0 &&
	    (c->sofa_timeout >= c->amqp_heartbeat || c->plainly_timeout >= c->amqp_heartbeat)) {
		set_err(err, errlen,
			"sofascore.timeout and plainly.timeout must be shorter than amqp.heartbeat (a process busy in HTTP would miss heartbeats)");
		return -1;
	}
	if (c->sofa_max_body < 1024) {
		set_err(err, errlen, "sofascore.max_body: must be at least 1024 bytes");
		return -1;
	}
	if (c->amqp_confirm_window < 1 || c->amqp_confirm_window > 10000) {
		set_err(err, errlen, "amqp.confirm_window: must be 1..10000");
		return -1;
	}
	const struct {
		const char *name;
		size_t n;
		const int *tiers;
	} lists[] = {
		{ "lineups.wait_tiers", c->lineups_ntiers, c->lineups_tiers },
		{ "results.wait_tiers", c->results_ntiers, c->results_tiers },
	};
	for (size_t i = 0; i < 2; i++) {
		if (lists[i].n == 0) {
			set_err(err, errlen, "%s: needs at least one tier", lists[i].name);
			return -1;
		}
		for (size_t j = 0; j < lists[i].n; j++) {
			if (lists[i].tiers[j] < 1 ||
			    (j > 0 && lists[i].tiers[j] <= lists[i].tiers[j - 1])) {
				set_err(err, errlen, "%s: tiers must be positive and ascending",
					lists[i].name);
				return -1;
			}
		}
	}
	const struct {
		const char *name;
		int v, lo, hi;
	} ints[] = {
		{ "lineups.max_attempts", c->lineups_max_attempts, 1, 100000 },
		{ "results.max_attempts", c->results_max_attempts, 1, 100000 },
		{ "tournament_stats.max_attempts", c->tstats_max_attempts, 1, 100000 },
		{ "lineups.prefetch", c->lineups_prefetch, 1, 65535 },
		{ "results.prefetch", c->results_prefetch, 1, 65535 },
		{ "tournament_stats.prefetch", c->tstats_prefetch, 1, 65535 },
		{ "producer.schedule_interval", c->schedule_interval, 1, 86400 },
		{ "producer.live_interval", c->live_interval, 1, 86400 },
		{ "producer.lineup_lead", c->lineup_lead, 1, 7 * 86400 },
		{ "producer.requeue_after", c->requeue_after, 0, 7 * 86400 },
	};
	for (size_t i = 0; i < sizeof(ints) / sizeof(ints[0]); i++) {
		if (ints[i].v < ints[i].lo || ints[i].v > ints[i].hi) {
			set_err(err, errlen, "%s: must be %d..%d", ints[i].name, ints[i].lo,
				ints[i].hi);
			return -1;
		}
	}
	for (size_t i = 0; i < c->ntournaments; i++) {
		if (c->tournaments[i] <= 0) {
			set_err(err, errlen, "producer.unique_tournaments: ids must be positive");
			return -1;
		}
	}
	if (strcmp(c->log_level, "debug") != 0 && strcmp(c->log_level, "info") != 0 &&
	    strcmp(c->log_level, "warn") != 0 && strcmp(c->log_level, "error") != 0) {
		set_err(err, errlen, "log.level: must be debug, info, warn or error");
		return -1;
	}
	return 0;
}

/* A URL with a password: scheme://user:password@ */
static bool url_has_password(const char *u)
{
	const char *p = strstr(u, "://"), *at, *colon;

	if (p == NULL)
		return strstr(u, "password=") != NULL; /* libpq keyword form */
	p += 3;
	at = strchr(p, '@');
	colon = strchr(p, ':');
	return at != NULL && colon != NULL && colon < at;
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
		if (strcmp(cfg_keys[i].name, "plainly.api_key") != 0 && !url_has_password(v))
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
			"BF_DATABASE_URL, BF_PLAINLY_API_KEY)",
			path, found, (unsigned)(st.st_mode & 0777));
		return -1;
	}
	return 0;
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
		const char *env = k->env != NULL ? getenv(k->env) : NULL;

		if (k->def != NULL && apply_text(c, k, k->def) != 0) {
			set_err(err, errlen, "%s: bad built-in default", k->name);
			goto out;
		}
		if (s != NULL && apply_setting(c, k, s, path, err, errlen) != 0)
			goto out;
		if (env != NULL && apply_text(c, k, env) != 0) {
			set_err(err, errlen, "%s: must be %s (from environment variable %s)", k->name,
				type_name(k->type), k->env);
			goto out;
		}
	}
	if (validate(c, err, errlen) != 0)
		goto out;
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
