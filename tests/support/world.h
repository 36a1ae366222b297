/*
 * world: what one integration case runs in.  A private vhost and a private
 * migrated database named <prefix>-<tag>-<pid> (tenv_world), optionally the
 * fake Sofascore and the fake Plainly, a configuration file for the
 * programs under test, the test's own broker handle (which declares the
 * topology), and the child processes the case started.  world_close undoes
 * all of it, also at exit when a case stopped half-way.
 *
 * Files: var/test/<name>/ holds bf.conf, plainly.record (what the fake
 * Plainly was asked) and sofascore.log (what the fake Sofascore was asked);
 * they stay for a look when the case failed.  Programs log to
 * var/log/<name>-<tag>.log.
 */
#ifndef BF_TEST_WORLD_H
#define BF_TEST_WORLD_H

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "lib/config.h"
#include "protocol/broker.h"
#include "protocol/message.h"
#include "protocol/topology.h"
#include "tests/support/query.h"
#include "tests/support/testenv.h"

#define WORLD_MAX_PROCS 8

struct world {
	char name[64];
	char amqp[512], db[512];
	char dir[512]; /* var/test/<name> */
	char conf[600]; /* the -c file of the programs (world_conf writes <dir>/bf.conf) */
	char record[600]; /* fake Plainly's request record */
	char sofa_log[600]; /* the data source fake's request log */
	long long shift; /* the data source fake's --shift-to (0 = none) */
	/* sofa: the data source fake, fake-sofascore, or fake-apifootball
	 * when af (world_opts.provider) */
	struct tenv_fake sofa, plainly;
	bool af;
	struct bf_config cfg;
	bool cfg_loaded;
	struct topology topo;
	struct broker *b; /* the test's own handle (world_broker) */
	pid_t procs[WORLD_MAX_PROCS]; /* children to kill at the end (-1: free) */
};

#define WORLD_AF_KEY "test-af-key-0001"

struct world_opts {
	const char *prefix; /* of the name: "t-lu" */
	/* the data source fake's scenario directory; NULL: vhost and database
	 * only (no fakes, no configuration file, no broker handle) */
	const char *scenario;
	/* "api-football": fake-apifootball (key WORLD_AF_KEY, af_args more
	 * of its flags) and source.provider = "api-football"; NULL: Sofascore */
	const char *provider;
	const char *const *af_args;
	bool shift; /* the fake moves the scenario's base_time to now */
	bool plainly; /* also start the fake Plainly */
	const char *plainly_key; /* its --api-key (NULL: none) */
	const char *plainly_script; /* its --script (NULL: none) */
	const char *const *plainly_args; /* more of its flags, NULL-terminated (NULL: none) */
	const char *extra_conf; /* for world_conf (with a scenario) */
	const char *broker; /* world_broker with this connection name (NULL: none) */
};

/* An empty world (nothing to clean up yet), the current one for the exit
 * cleanup. */
void world_init(struct world *w);

/*
 * world_init, then the vhost and the migrated database; with a scenario
 * then the fakes, the configuration file and (o->broker) the broker handle.
 * 0 or -1 (said on stdout); the caller calls world_close either way.
 */
int world_open(struct world *w, const char *tag, const struct world_opts *o);

/* Starts the fakes of o (o->scenario must be set).  0 or -1. */
int world_fakes(struct world *w, const struct world_opts *o);

/*
 * Writes <dir>/bf.conf (tenv_write_conf: the world's URLs and fakes) with
 * extra (may be NULL) appended, "{sofa}" in it replaced by the fake
 * Sofascore's URL, and makes it w->conf.  0 or -1.
 */
int world_conf(struct world *w, const char *extra);

/* Loads w->conf with the world's URLs, builds its topology and opens the
 * test's broker handle w->b (conn_name), which declares it.  0 or -1. */
int world_broker(struct world *w, const char *conn_name);

/*
 * Kills what is still running, closes the broker handle, stops the fakes,
 * deletes the vhost and drops the database; removes <dir> when the case
 * passed.  Safe on a world that world_init or world_open left half-made.
 */
void world_close(struct world *w);

/*
 * One whole test case: world_open, then prepare (may be NULL: extra rows
 * the case file needs), body, and world_close whatever happened; a failed
 * setup fails the case.
 */
void world_case(const char *tag, const struct world_opts *o, int (*prepare)(const struct world *),
		void (*body)(struct world *));

/* ---- child processes ------------------------------------------------------ */

void world_track(struct world *w, pid_t pid);
void world_untrack(struct world *w, pid_t pid);

/* var/log/<world>-<tag>.log */
void world_log(const struct world *w, const char *tag, char *buf, size_t n);

/*
 * Starts argv (argv[0] a path) with this process's environment less what
 * would override a test configuration or switch on a test hook
 * (BF_AMQP_URL, BF_DATABASE_URL, BF_SOFASCORE_URL, BF_PLAINLY_*, BF_TEST_*),
 * plus the world's BF_AMQP_URL / BF_DATABASE_URL when urls, plus set
 * ("NAME=value" strings, NULL-terminated, may be NULL), plus
 * BF_PLAINLY_DRY_RUN=true when set gives neither BF_PLAINLY_API_KEY nor
 * BF_PLAINLY_DRY_RUN.  stderr is appended
 * to log; stdout to out (truncated), or to log too when out is NULL.
 * The pid is tracked by w (may be NULL).
 */
pid_t world_spawn(struct world *w, char *const argv[], bool urls, const char *const *set,
		  const char *log, const char *out);

/* bin/<prog> -c <w->conf> args... (args may be NULL) through world_spawn,
 * logging to var/log/<world>-<tag>.log, emptied first. */
pid_t world_start(struct world *w, const char *prog, const char *tag, bool urls,
		  const char *const *set, const char *const *args);

/* Waits for a tracked child: its exit status (128 + signal when killed),
 * untracked; or -1 (still running after timeout_ms, still tracked). */
int world_wait(struct world *w, pid_t pid, int timeout_ms);

/* The same, but a child still running after timeout_ms is killed (said on
 * stdout with what, may be NULL) and -1 returned. */
int world_reap(struct world *w, pid_t pid, int timeout_ms, const char *what);

/* ---- RabbitMQ (through w->b) ------------------------------------------------ */

/* Publishes a work message as the producer does (exchange bf.work, routing
 * key and type its kind, message id its key). 0 or -1. */
int world_publish(struct world *w, const struct work_msg *m, const char *app_id);

/* Publishes body as it is to bf.work with routing_key (type: may be NULL). */
int world_publish_raw(struct world *w, const char *routing_key, const char *type, const char *body,
		      const char *app_id);

/* Depth of queue once it reaches want (quorum counts settle a moment after
 * an ack or a requeue), or its last value after timeout_ms. */
long world_depth(struct world *w, const char *queue, long want, int timeout_ms);

/* What the counting query q gives once it gives want, or its last value
 * after timeout_ms. */
long world_wait_count(const struct world *w, const char *q, long want, int timeout_ms);

/* Fails the case unless bf.<kind>, its wait tiers (1s, 2s) and
 * bf.<kind>.dead all settle empty. */
void world_check_queues_empty(struct world *w, const char *kind);

/* ---- PostgreSQL (w->db) ------------------------------------------------------ */

/* state of the jobs row (kind, subject) into buf ("" when none). */
void world_job_state(const struct world *w, const char *kind, const char *subject, char *buf,
		     size_t n);

/* ---- the fake Plainly: its record and its statistics ------------------------ */

/* Every request of the record (one JSON object a line), as an array. */
cJSON *rec_read(const struct world *w);
/* r is a request with method and path. */
bool rec_is(const cJSON *r, const char *method, const char *path);
/* Requests with method and path. */
int rec_count(const cJSON *rec, const char *method, const char *path);
/* The n-th (0-based) request with method and path, or NULL. */
const cJSON *rec_nth(const cJSON *rec, const char *method, const char *path, int n);
/* The bfSubject of a POST /renders ("" when none). */
const char *rec_subject(const cJSON *r);
/* POST /renders of subject; with subject NULL, those whose subject starts
 * with prefix (NULL or "": all). */
int rec_posts(const cJSON *rec, const char *subject, const char *prefix);
/* The first POST /renders of subject, or NULL. */
const cJSON *rec_post(const cJSON *rec, const char *subject);
/* Its parameters (the document), or NULL. */
const cJSON *rec_post_doc(const cJSON *rec, const char *subject);

/* GET /_fake/stats of the fake Plainly (JSON or NULL). */
cJSON *world_plainly_stats(const struct world *w);
/* One number of it (-1 when absent). */
int world_plainly_stat(const struct world *w, const char *key);

/* ---- the fake Sofascore's request log ---------------------------------------- */

/* In a forked child k of a test: its stderr to var/log/<world>-child<k>.log
 * (exits 100 when it cannot) and cfg the defaults with the world's database
 * and data source fake (its provider, URL and key).  cfg_free it. */
void world_child_config(const struct world *w, int k, struct bf_config *cfg);

/* POSTs body (JSON) to the data source fake's path (/_fake/...): the
 * HTTP status, 0 when none came. */
long world_fake_post(const struct world *w, const char *path, const char *body);
/* POSTs body (JSON) to url: the HTTP status, 0 when none came. */
long world_http_post(const char *url, const char *body);

struct sofa_req {
	long long ms;
	char path[240];
	int status;
};

/* Every request of the log ("<ms> <method> <path> <status>"), malloc'd into
 * *out (free it); how many. */
size_t world_sofa_requests(const struct world *w, struct sofa_req **out);
/* How many requests the log holds. */
size_t world_sofa_count(const struct world *w);
/* Requests from index from on with path (NULL: any) and status (-1: any). */
int world_sofa_matching(const struct world *w, size_t from, const char *path, int status);

#endif
