/*
 * testenv: what integration tests need around the real servers that
 * ops/dev/services started (tests/run.sh exports their URLs): a private
 * vhost and a private database per test, the management API, child
 * processes.
 */
#ifndef BF_TESTENV_H
#define BF_TESTENV_H

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "lib/config.h"

/* Fails the whole binary (exit 1) when the servers are not set up. */
void tenv_require(void);

/* Creates vhost name (deleted first if present) with full permissions for
 * the management user; writes the AMQP URL for it.  0 or -1. */
int tenv_vhost_create(const char *name, char *url, size_t n);
void tenv_vhost_delete(const char *name);

/* Creates database name (dropped first); writes its URL.  0 or -1. */
int tenv_db_create(const char *name, char *url, size_t n);
void tenv_db_drop(const char *name);

/* GET/PUT/POST/DELETE on the management API.  Returns the HTTP status (0
 * on transport error); *body (may be NULL) is malloc'd. */
long tenv_mgmt(const char *method, const char *path, const char *body, char **out);

/* Configuration with built-in defaults, the given URLs, test wait tiers
 * of 1s and 2s (renders: 1s, 2s, 3s).  Free with cfg_free. */
void tenv_config(struct bf_config *c, const char *amqp_url, const char *db_url);

/* Runs a command (argv) with stdout+stderr appended to logfile; pid. */
pid_t tenv_spawn(char *const argv[], const char *logfile);
/* Waits up to timeout_ms; returns the exit status, or -1 (still running). */
int tenv_wait(pid_t pid, int timeout_ms);
/* Runs a shell command and returns its exit status. */
int tenv_sh(const char *cmd);

/* Milliseconds on the monotonic clock. */
long long tenv_now_ms(void);
void tenv_sleep_ms(int ms);

/* Project root (cwd when run by tests/run.sh). */
const char *tenv_root(void);

/* ---- the programs under test, with fakes ------------------------------ */

struct tenv_fake {
	pid_t pid;
	int port;
	char url[128]; /* http://127.0.0.1:PORT */
	char portfile[512]; /* removed by tenv_fake_stop */
};

/*
 * Starts build/fakes/fake-<kind> ("sofascore" or "plainly") with the extra
 * arguments (NULL-terminated list, may be NULL) and waits for its port.
 * Output goes to var/log/<logname>.log.  0 or -1.
 */
int tenv_fake_start(struct tenv_fake *f, const char *kind, const char *logname,
		    const char *const *args);
/* SIGTERM and wait (SIGKILL after 5 s); removes its port file. */
void tenv_fake_stop(struct tenv_fake *f);

/*
 * Writes a test configuration file: the URLs given, wait tiers of 1s and 2s
 * for both branches, short timeouts, the Plainly templates proj-lineup /
 * tpl-lineup (and result, tstats), then extra: libconfig text such as
 * "producer = { unique_tournaments = [17]; };".  A top-level group that
 * extra defines (a line starting with "lineups =", "plainly =", ...)
 * replaces this file's own.  Secrets (the Plainly API key) go through the
 * environment (BF_PLAINLY_API_KEY), as in production.  0 or -1.
 */
int tenv_write_conf(const char *path, const char *amqp_url, const char *db_url,
		    const char *sofa_url, const char *plainly_url, const char *extra);

/* Creates a vhost and a database named name (dropped first), declares
 * nothing, migrates the database with bin/bfctl.  0 or -1. */
int tenv_world(const char *name, char *amqp_url, size_t an, char *db_url, size_t dn);

/* ---- files -------------------------------------------------------------- */

/* mkdir -p; 0 or -1. */
int tenv_mkdirs(const char *path);

/* The whole file, NUL-terminated and malloc'd (NULL when unreadable);
 * *len (may be NULL) is its length. */
char *tenv_slurp(const char *path, size_t *len);

/* Number of lines of a file containing needle (0 when absent). */
int tenv_count_lines(const char *path, const char *needle);

/* Waits until path holds at least count lines containing needle; false
 * after timeout_ms. */
bool tenv_wait_lines(const char *path, const char *needle, int count, int timeout_ms);

/* ---- HTTP --------------------------------------------------------------- */

/* GET url (with basic authentication when userpwd is "user:password" or
 * NULL): the body, NUL-terminated and malloc'd (NULL when none came).
 * *status (may be NULL): the HTTP status, 0 on a transport error. */
char *tenv_http_get(const char *url, const char *userpwd, long *status);

/* A TCP socket listening on 127.0.0.1 at a port the kernel chose (*port):
 * the fd, or -1. */
int tenv_listen_loopback(int *port);

/* A TCP port of 127.0.0.1 free a moment ago (bound and closed); 0 when
 * none could be had. */
int tenv_free_port(void);

/* GET url (with basic authentication when userpwd is "user:password") and
 * parse the body: JSON or NULL.  *status (may be NULL): the HTTP status, 0
 * on a transport error. */
cJSON *tenv_http_get_json(const char *url, const char *userpwd, long *status);

#endif
