/*
 * metrics: what a program counts, served as Prometheus text (version
 * 0.0.4) on GET /metrics, with GET /healthz beside it, at metrics.listen.
 *
 * A family is one of enum metric (its name, HELP and TYPE live in
 * metrics.c's table: no caller spells a metric name); a series is a family
 * with its labels, given to each call as name, value pairs ending with
 * METRICS_END:
 *
 *	metrics_add(M_MESSAGES, 1, "type", "line-up", "outcome", "done", METRICS_END);
 *
 * Updates are lock-free once a series exists (the first update of a label
 * set takes a mutex).  The registry is process-wide, like the log: every
 * module counts what it does and the HTTP thread reads it all.  That is
 * the one global besides the configuration and the signal flags.
 */
#ifndef BF_METRICS_H
#define BF_METRICS_H

#include <stdbool.h>
#include <stddef.h>

enum metric {
	/* counters */
	M_MESSAGES, /* type, outcome */
	M_DEAD_LETTERS, /* type, reason */
	M_SOURCE_REQUESTS, /* provider, status */
	M_PLAINLY_REQUESTS, /* status */
	M_RENDERS, /* state */
	M_BROKER_RECONNECTS,
	M_BROKER_PUBLISH_NACKS,
	M_BROKER_REQUEUES,
	M_DATABASE_ERRORS,
	M_PRODUCER_CYCLES,
	/* gauges */
	M_SOURCE_BUDGET, /* provider, window */
	M_SOURCE_BREAKER, /* provider */
	M_BROKER_CONNECTED,
	M_DATABASE_CONNECTED,
	M_PRODUCER_ACTIVE,
	M_PRODUCER_LAST_CYCLE,
	M_JOBS, /* kind, state */
	M_JOBS_OLDEST, /* kind, state */
	M_QUEUE_MESSAGES, /* queue */
	M_RSS, /* computed when served */
	M_START_TIME,
	M_BUILD_INFO, /* program, version */
	/* histograms (seconds) */
	M_BATCH_SECONDS, /* type */
	M_STEP_SECONDS, /* type, step */
	M_COUNT
};

/* Ends the label pairs of every call (a null pointer of the pairs' type:
 * a bare NULL may be an int in a variadic call). */
#define METRICS_END ((const char *)NULL)

/* The family's name ("bf_messages_total"). */
const char *metrics_name(enum metric m);

/* Sets the program's build info and start time. */
void metrics_init(const char *program, const char *version);

/* A counter's series += v. */
void metrics_add(enum metric m, double v, ...) __attribute__((sentinel));
/* A gauge's series = v. */
void metrics_set(enum metric m, double v, ...) __attribute__((sentinel));
/* One observation (seconds) of a histogram's series. */
void metrics_observe(enum metric m, double v, ...) __attribute__((sentinel));
/* A series' value (a histogram's count); 0 when it does not exist. */
double metrics_get(enum metric m, ...) __attribute__((sentinel));
/* Drops every series of a gauge family (before setting the ones that
 * exist now: a queue or job state that went away). */
void metrics_clear(enum metric m);

/* The text of GET /metrics; caller frees.  NULL when out of memory. */
char *metrics_render(void);

/*
 * What GET /healthz answers: true when the program is connected to the
 * broker and the database, and (the producer, once metrics_health_cycle()
 * was called) an active producer's last cycle is recent; else false with
 * the reason in why.
 */
bool metrics_healthy(char *why, size_t n);
/* The producer: an active producer without a cycle for max_age seconds
 * (counted from this call at the earliest: call it again on becoming
 * active) is unhealthy. */
void metrics_health_cycle(int max_age);

/*
 * Serves GET /metrics and GET /healthz at listen ("PORT" = 127.0.0.1:PORT,
 * "HOST:PORT", "[IPv6]:PORT"; "" = nothing) on a thread of its own.
 * 0, or -1 (logged) when it cannot listen.
 */
int metrics_serve(const char *listen) __attribute__((warn_unused_result));
void metrics_serve_stop(void);

/* Parses listen ("PORT", "IPv4:PORT", "[IPv6]:PORT": address literals, a
 * port of digits 1..65535) into a socket address; 0 or -1.  The one rule:
 * the configuration checks metrics.listen with it. */
struct sockaddr_storage;
int metrics_parse_listen(const char *listen, struct sockaddr_storage *sa, unsigned *salen)
	__attribute__((warn_unused_result));

#endif
