/*
 * scenario.h: the scenario engine of the fakes that replay a scripted API (fake_sofascore.c,
 * fake_apifootball.c): the routes of DIR/scenario.json with their count- and time-based
 * sequences, the {today}/{yesterday}/{tomorrow} placeholders, the time shift of the bodies,
 * injected and random faults, the request log, the answer to a request from its route, the
 * control endpoints /_fake/stats, /_fake/reset, /_fake/fault and /_fake/advance, the HTTP
 * handler and the fake's main (scen_main).
 *
 * What differs between the APIs comes in through struct scen_hooks: which keys the time shift
 * moves, the fault names and their answers, the answer when no entry applies, and what a
 * request's route key is (hooks.api computes it and hands it on as scen_req.key).
 */
#ifndef FAKES_SCENARIO_H
#define FAKES_SCENARIO_H

#include <getopt.h>
#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <cjson/cJSON.h>
#include <microhttpd.h>

#include "fake.h"

/* Faults the engine answers itself. A fake numbers its own from SCEN_F_OWN up. */
enum {
	SCEN_F_NONE = 0,
	SCEN_F_RESET, /* close the connection without an answer */
	SCEN_F_TIMEOUT, /* wait --timeout-delay-ms, then the fake's timeout_fault */
	SCEN_F_TRUNCATE, /* the body cut to half its length */
	SCEN_F_MALFORMED, /* hooks.malformed instead of the body */
	SCEN_F_OWN
};

struct scen_fault_name {
	const char *name;
	int code;
};

#define SCEN_MAX_HEADERS 16
#define SCEN_MAX_XHDRS 8

/* One step of a route. */
struct scen_entry {
	unsigned status;
	int fault;
	long long after; /* time-based sequences: seconds since start; -1 otherwise */
	long repeat; /* count-based sequences */
	long delay_ms;
	char *etag_q; /* quoted ETag value, or NULL */
	char *body; /* response body (already shifted), or NULL */
	size_t body_len;
	struct fake_hdr hdrs[SCEN_MAX_HEADERS]; /* owned strings */
	size_t nhdrs;
};

struct scen_route {
	char *key;
	int has_placeholder;
	int timed;
	struct scen_entry *e;
	size_t n;
	unsigned long step; /* guarded by scen.mu */
};

struct scen_injected {
	char *path;
	int fault;
	long remaining; /* -1 = until cleared */
};

struct scen;

/* A request being answered, as the fake hands it to scen_serve and the hooks see it. */
struct scen_req {
	struct MHD_Connection *c;
	const char *method;
	const char *key; /* its route key: matched, counted and logged */
	const char *log_extra; /* appended to its log line after a space, or NULL */
	struct fake_hdr xh[SCEN_MAX_XHDRS]; /* sent with every answer to it (borrowed) */
	size_t nxh;
	const struct scen_entry *e; /* the entry picked (set by scen_serve), or NULL */
	void *ctx; /* the fake's own */
};

struct scen_hooks {
	/* Every fault name the fake takes, "none" (SCEN_F_NONE) first, in the order its messages
	 * list them; the engine's own codes under the names reset, timeout, truncate,
	 * malformed. */
	const struct scen_fault_name *faults;
	size_t nfaults;
	/* Moves the times in a body by offset seconds (offset != 0). */
	void (*shift)(cJSON *body, long long offset);
	/* Optional: why a scenario route key is not valid (a message), or NULL if it is. */
	const char *(*bad_key)(const char *key);
	/* Answers a fault numbered from SCEN_F_OWN, through scen_reply_* (q->e may be NULL). */
	enum MHD_Result (*fault)(struct scen *s, const struct scen_req *q, int fault);
	/* Answers a request no entry applies to (no route, or a time-based one not started). */
	enum MHD_Result (*not_found)(struct scen *s, const struct scen_req *q);
	/* Answers a method other than GET or HEAD (when no fault is due). */
	enum MHD_Result (*not_allowed)(struct scen *s, const struct scen_req *q);
	/* The body of an entry without body or inline (NULL: empty). Caller frees. */
	char *(*bodyless)(const struct scen_req *q, unsigned status);
	int timeout_fault; /* the fault a timeout answers with after its wait */
	const char *malformed; /* the body of a malformed fault */
	const char *truncated; /* what truncate cuts when the request has no body of its own */
	/* Optional: answers an API request (q has the connection, the method and, as key, the
	 * path without --prefix and query; r the raw target and body), ending in scen_serve
	 * once it has set q's route key, headers and context. Without it: scen_serve(s, q). */
	enum MHD_Result (*api)(struct scen *s, struct scen_req *q, const struct fake_req *r);
	/* Optional: answers a control endpoint of the fake's own into *ret; false if path is
	 * none of them. */
	bool (*control)(struct MHD_Connection *c, const char *method, const char *path,
			const struct fake_req *r, enum MHD_Result *ret);
	const char *control_not_found; /* the body of a 404 under /_fake/ */
	/* Optional: adds the fake's own members to /_fake/stats; called without scen.mu. */
	void (*stats)(cJSON *out);
	/* Optional: puts the fake's own state to start, at start and on /_fake/reset. */
	void (*reset)(void);
};

struct scen {
	pthread_mutex_t mu; /* guards the runtime state */
	const struct scen_hooks *hooks;
	struct fake_flags flags; /* the flags every fake takes */
	const char *dir; /* --scenario DIR */
	const char *log_path; /* --log FILE */
	long long shift_to; /* --shift-to EPOCH; -1: the start time; 0: no shift */
	const char *prefix; /* stripped from request paths (fake_strip_prefix); "" none */
	long long offset; /* the time shift, seconds */
	/* the scenario */
	struct scen_route *routes;
	size_t nroutes;
	struct hmap route_ix; /* routes without placeholders, by key */
	size_t *ph; /* indices of the routes with placeholders, ascending */
	size_t nph;
	/* runtime state (mu) */
	double start_mono;
	double advanced;
	unsigned long requests;
	struct fake_counters by_path;
	struct scen_injected *inj;
	size_t ninj;
	uint64_t rng;
	FILE *log;
	pthread_mutex_t log_mu;
};

/* clang-format off */
#define SCEN_INIT(h) { .mu = PTHREAD_MUTEX_INITIALIZER, .log_mu = PTHREAD_MUTEX_INITIALIZER, \
		       .hooks = (h), .flags = FAKE_FLAGS_INIT, .shift_to = -1, .prefix = "" }
/* clang-format on */

/*
 * The whole main of a scenario fake after fake_init and SCEN_INIT: parses argv (the flags
 * of fake.h, --scenario DIR, --log FILE, --shift-to EPOCH, --help, and the fake's own options, NULL-terminated, each taken by
 * own_flag, which dies on a bad value), needs --port and --scenario, seeds the random faults
 * with --seed, loads DIR/scenario.json (dies naming the file on a bad scenario), opens the log,
 * calls hooks.reset, serves until SIGTERM or SIGINT (the control endpoints, then every other
 * request through hooks.api), then frees everything. Returns main's status: 0, or 2 after
 * usage on a bad command line.
 */
int scen_main(struct scen *s, int argc, char **argv, const struct option *own,
	      bool (*own_flag)(int opt, const char *arg), void (*usage)(FILE *f));

/* Counts a request that is answered before routing (not matched, no fault drawn). */
void scen_count(struct scen *s, const char *key);
/* A copy of the body route key would answer now with 200 (free()), its sequence not
 * advanced; NULL when it has none (no route, not started, a fault or another status). */
char *scen_due_body(struct scen *s, const char *key);

/*
 * Answers q: counts it, finds its route, then (first that applies) an injected fault, a
 * random one from --fault-rate, the entry's delay and own fault, else the entry. A fault
 * before the entry does not advance the route's sequence. Sets q->e.
 */
enum MHD_Result scen_serve(struct scen *s, struct scen_req *q);

/* Writes q's log line with status and sends body (copied) as JSON, with q's headers. */
enum MHD_Result scen_reply_str(struct scen *s, const struct scen_req *q, unsigned status,
			       const char *body);
/* The same with j (consumed). */
enum MHD_Result scen_reply_json(struct scen *s, const struct scen_req *q, unsigned status,
				cJSON *j);

/* The request body of a control POST: a JSON object (the caller deletes it), or NULL after
 * answering 400 into *ret. */
cJSON *scen_control_body(struct MHD_Connection *c, const struct fake_req *r, enum MHD_Result *ret);

/* A control answer: s (copied) or j (consumed) as JSON. */
enum MHD_Result scen_control_str(struct MHD_Connection *c, unsigned status, const char *s);
enum MHD_Result scen_control_json(struct MHD_Connection *c, unsigned status, cJSON *j);

#endif
