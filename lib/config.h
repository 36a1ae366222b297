/*
 * config: one libconfig file for every program, plus environment overrides.
 *
 * The keys live in one table (cfg_keys[] in config.c): name, type, default,
 * environment variable, meaning, bounds.  cfg_load() reads the file into struct bf_config, applies the
 * BF_* environment overrides, and validates everything; a bad file is one
 * error naming the key (and the line when libconfig knows it).
 */
#ifndef BF_CONFIG_H
#define BF_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CFG_MAX_TIERS 8
#define CFG_MAX_TOURNAMENTS 64
#define CFG_MAX_PARAMS 64

/* Plainly template of one processing type. */
struct cfg_template {
	char *project_id;
	char *template_id;
	/* template parameter name -> path in the video data document */
	size_t nparams;
	char *param_names[CFG_MAX_PARAMS];
	char *param_paths[CFG_MAX_PARAMS];
};

struct bf_config {
	char *path; /* file that was loaded, or NULL when none */

	/* [amqp] */
	char *amqp_url; /* one or more, comma-separated */
	int amqp_heartbeat; /* seconds */
	char *amqp_ca_cert;
	char *amqp_client_cert;
	char *amqp_client_key;
	bool amqp_verify_hostname;
	int amqp_confirm_window;
	int amqp_op_timeout; /* seconds: watchdog for any blocking broker call */
	char *amqp_management_url; /* "" = none: bfctl sets no policies */

	/* [database] */
	char *database_url;

	/* [source] */
	char *source_provider; /* "sofascore" | "api-football" */

	/* [sofascore] */
	char *sofa_base_url;
	int sofa_timeout; /* seconds */
	double sofa_max_rps; /* shared by all processes */
	int sofa_challenge_pause; /* seconds */
	long sofa_max_body; /* bytes */
	int sofa_per_day, sofa_per_minute; /* requests, 0 = no limit */

	/* [apifootball] */
	char *af_base_url;
	char *af_api_key; /* sent only as x-apisports-key to af_base_url */
	int af_timeout; /* seconds */
	double af_max_rps; /* shared by all processes */
	int af_refusal_pause; /* seconds */
	long af_max_body; /* bytes */
	int af_per_day, af_per_minute; /* requests, 0 = what the API's headers say */
	/* league, season pairs: only that season of the league is followed
	 * (else every fixture's own season: the current one) */
	size_t naf_seasons;
	int64_t af_seasons[CFG_MAX_TOURNAMENTS];

	/* [plainly] */
	char *plainly_base_url;
	char *plainly_api_key; /* required unless plainly_dry_run */
	bool plainly_dry_run; /* no videos: requests written to plainly_dry_run_dir */
	int plainly_timeout;
	char *plainly_dry_run_dir;
	char *plainly_webhook_url;
	struct cfg_template tpl_lineup, tpl_result, tpl_tstats;

	/* [producer] */
	size_t ntournaments;
	int64_t tournaments[CFG_MAX_TOURNAMENTS];
	int schedule_interval;
	int live_interval;
	int lineup_lead;
	int finish_watch_after;
	int finish_check_after;
	int requeue_after; /* seconds beyond the longest wait tier, 0 = off */

	/* [lineups] */
	size_t lineups_ntiers;
	int lineups_tiers[CFG_MAX_TIERS]; /* seconds, ascending */
	int lineups_near_kickoff;
	int lineups_give_up_after;
	int lineups_max_attempts;
	int lineups_prefetch;

	/* [results] */
	size_t results_ntiers;
	int results_tiers[CFG_MAX_TIERS];
	int results_max_attempts;
	int results_prefetch;
	size_t renders_ntiers;
	int renders_tiers[CFG_MAX_TIERS];
	int renders_max_attempts;
	int renders_prefetch;
	char *renders_webhook_listen; /* "" = no listener; "HOST:PORT" */
	char *renders_webhook_secret;
	char *renders_archive_dir; /* "" = no archive */
	int renders_archive_max_mb;
	int renders_archive_timeout;

	/* [tournament_stats] */
	int tstats_max_attempts;
	int tstats_prefetch;

	/* [log] */
	char *log_level;
	char *log_format; /* "text" | "logfmt" | "json" */

	/* [metrics] */
	char *metrics_listen; /* "" = off; "PORT" (127.0.0.1) or "HOST:PORT" */
};

enum cfg_type {
	CFG_T_STRING,
	CFG_T_INT,
	CFG_T_LONG,
	CFG_T_FLOAT,
	CFG_T_BOOL,
	CFG_T_DURATION, /* int seconds */
	CFG_T_DURATION_LIST, /* ascending, at least one */
	CFG_T_INT_LIST, /* int64_t */
	CFG_T_TEMPLATE, /* group {project_id, template_id, parameters {}} */
};

struct cfg_key {
	const char *name; /* libconfig path, e.g. "amqp.url" */
	enum cfg_type type;
	const char *def; /* default as written in a file, NULL = none */
	const char *env; /* overriding environment variable, or NULL */
	bool secret;
	size_t off; /* offset of the field in struct bf_config */
	size_t off_count; /* lists: offset of the size_t count */
	const char *meaning;
	/*
	 * Bounds, checked once everything is loaded.  Numbers (each element of
	 * a list): min <= v <= max, or min < v with min_open; max == 0: none.
	 * Strings: at least min characters (when max != 0), and with accept
	 * ("a|b") one of its words, or starting with one with accept_prefix.
	 */
	double min, max;
	bool min_open;
	const char *accept;
	bool accept_prefix;
	/* an older name still read (not together with name), or NULL */
	const char *alias;
};

extern const struct cfg_key cfg_keys[];
extern const size_t cfg_nkeys;

/* k is an API key or a shared secret (a secret as it is, unlike a URL
 * with a password): its name ends in .api_key or _secret. */
bool cfg_is_api_key(const struct cfg_key *k);
/* The string value of row k in c. */
const char *cfg_string(const struct bf_config *c, const struct cfg_key *k);

/*
 * Loads path (NULL: ./bf.conf, then /etc/bf/bf.conf, then built-in
 * defaults only) into c.  On error returns -1 with a one-line message in
 * err.  Free with cfg_free() in every case.
 */
int cfg_load(struct bf_config *c, const char *path, char *err, size_t errlen)
	__attribute__((warn_unused_result));
void cfg_free(struct bf_config *c);

/* Short name of a type ("integer", "duration", ...), as bfctl config keys prints it. */
const char *cfg_type_name(enum cfg_type t);

/* "90s", "5m", "1h", "2d" or plain seconds.  Returns -1 when invalid. */
int cfg_parse_duration(const char *s, int *secs) __attribute__((warn_unused_result));
/* Canonical label of a duration: 60 -> "1m", 90 -> "90s", 3600 -> "1h". */
void cfg_duration_label(int secs, char *buf, size_t n);

#endif
