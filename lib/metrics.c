#include "metrics.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "log.h"

enum kind {
	COUNTER,
	GAUGE,
	HISTOGRAM
};

static const struct family {
	const char *name;
	enum kind kind;
	const char *help;
} families[M_COUNT] = {
	[M_MESSAGES] = { "bf_messages_total", COUNTER,
			 "Work messages handled, by type and outcome." },
	[M_DEAD_LETTERS] = { "bf_dead_letters_total", COUNTER,
			     "Messages dead-lettered, by type and reason." },
	[M_SOURCE_REQUESTS] = { "bf_source_requests_total", COUNTER,
				"Data-source HTTP requests, by provider and status." },
	[M_PLAINLY_REQUESTS] = { "bf_plainly_requests_total", COUNTER,
				 "Plainly API requests, by HTTP status." },
	[M_RENDERS] = { "bf_renders_total", COUNTER, "Renders seen final, by state." },
	[M_BROKER_RECONNECTS] = { "bf_broker_reconnects_total", COUNTER,
				  "Broker connections rebuilt." },
	[M_BROKER_PUBLISH_NACKS] = { "bf_broker_publish_nacks_total", COUNTER,
				     "Publishes the broker refused (nacked or returned)." },
	[M_BROKER_REQUEUES] = { "bf_broker_requeues_total", COUNTER,
				"Deliveries nacked back to their queue." },
	[M_DATABASE_ERRORS] = { "bf_database_errors_total", COUNTER,
				"Database statements or connections that failed." },
	[M_PRODUCER_CYCLES] = { "bf_producer_cycles_total", COUNTER,
				"Cycles the producer completed." },
	[M_SOURCE_BUDGET] = { "bf_source_budget_remaining", GAUGE,
			      "Requests left in the provider's budget, by window." },
	[M_SOURCE_BREAKER] = { "bf_source_breaker_open", GAUGE,
			       "1 while calls to the provider are paused after a refusal." },
	[M_BROKER_CONNECTED] = { "bf_broker_connected", GAUGE, "1 when connected to the broker." },
	[M_DATABASE_CONNECTED] = { "bf_database_connected", GAUGE,
				   "1 when connected to the database." },
	[M_PRODUCER_ACTIVE] = { "bf_producer_active", GAUGE,
				"1 for the active producer, 0 for a standby." },
	[M_PRODUCER_LAST_CYCLE] = { "bf_producer_last_cycle_timestamp_seconds", GAUGE,
				    "Unix time of the producer's last completed cycle." },
	[M_JOBS] = { "bf_jobs", GAUGE, "Unfinished jobs, by kind and state (active producer)." },
	[M_JOBS_OLDEST] = { "bf_jobs_oldest_age_seconds", GAUGE,
			    "Age of the oldest unfinished job, by kind and state." },
	[M_QUEUE_MESSAGES] = { "bf_queue_messages", GAUGE,
			       "Messages ready in a work or dead queue (active producer)." },
	[M_RSS] = { "process_resident_memory_bytes", GAUGE, "Resident memory size in bytes." },
	[M_START_TIME] = { "process_start_time_seconds", GAUGE,
			   "Start time of the process since unix epoch in seconds." },
	[M_BUILD_INFO] = { "bf_build_info", GAUGE, "The program and its version (always 1)." },
	[M_BATCH_SECONDS] = { "bf_batch_duration_seconds", HISTOGRAM,
			      "Time to handle one batch of deliveries." },
	[M_STEP_SECONDS] = { "bf_step_duration_seconds", HISTOGRAM,
			     "Time of each step of a batch." },
};

static const double bounds[] = { 0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25,
				 0.5,	1,     2.5,  5,	    10,	  30,  60 };
#define NBOUNDS (sizeof(bounds) / sizeof(bounds[0]))

#define LABELS_MAX 200
#define SLOTS 2048 /* series at most; a power of two */

struct series {
	enum metric m;
	char labels[LABELS_MAX]; /* 'name="value",...' */
	_Atomic double v; /* counter, gauge; histogram: sum */
	_Atomic uint64_t count; /* histogram */
	_Atomic uint64_t bucket[NBOUNDS]; /* histogram, not cumulative */
	_Atomic bool live; /* metrics_clear() hides a gauge's series */
	struct series *_Atomic next; /* the family's list */
};

static struct series *_Atomic slots[SLOTS];
static struct series *_Atomic heads[M_COUNT];
static pthread_mutex_t add_lock = PTHREAD_MUTEX_INITIALIZER;
static atomic_bool full_said;
static _Atomic int cycle_max_age;
static _Atomic long long cycle_since; /* metrics_health_cycle() called */

const char *metrics_name(enum metric m)
{
	return m < M_COUNT ? families[m].name : "?";
}

/* name="value" pairs from ap into out (escaped as the format wants). */
static void labels_of(va_list ap, char *out, size_t n)
{
	size_t pos = 0;
	const char *k;

	out[0] = '\0';
	while ((k = va_arg(ap, const char *)) != NULL) {
		const char *v = va_arg(ap, const char *);
		int w = snprintf(out + pos, n - pos, "%s%s=\"", pos > 0 ? "," : "", k);
		if (w < 0 || (size_t)w >= n - pos)
			break;
		pos += (size_t)w;
		for (; v != NULL && *v != '\0' && pos + 3 < n; v++) {
			if (*v == '\\' || *v == '"' || *v == '\n') {
				out[pos++] = '\\';
				out[pos++] = *v == '\n' ? 'n' : *v;
			} else {
				out[pos++] = *v;
			}
		}
		if (pos + 2 > n)
			break;
		out[pos++] = '"';
		out[pos] = '\0';
	}
}

static uint32_t hash(enum metric m, const char *labels)
{
	uint32_t h = 2166136261u ^ (uint32_t)m;

	for (const unsigned char *p = (const unsigned char *)labels; *p != '\0'; p++)
		h = (h ^ *p) * 16777619u;
	return h;
}

/* The series of m with labels; created when create.  NULL when the table
 * is full (said once) or it does not exist. */
static struct series *find(enum metric m, const char *labels, bool create)
{
	uint32_t h = hash(m, labels);
	struct series *s;

	for (uint32_t i = 0; i < SLOTS; i++) {
		s = atomic_load_explicit(&slots[(h + i) & (SLOTS - 1)], memory_order_acquire);
		if (s == NULL)
			break;
		if (s->m == m && strcmp(s->labels, labels) == 0)
			return s;
	}
	if (!create)
		return NULL;
	pthread_mutex_lock(&add_lock);
	for (uint32_t i = 0; i < SLOTS; i++) {
		uint32_t at = (h + i) & (SLOTS - 1);
		s = atomic_load_explicit(&slots[at], memory_order_acquire);
		if (s != NULL && s->m == m && strcmp(s->labels, labels) == 0)
			break;
		if (s == NULL) {
			s = calloc(1, sizeof(*s));
			if (s == NULL)
				break;
			s->m = m;
			snprintf(s->labels, sizeof(s->labels), "%s", labels);
			atomic_store(&s->live, true);
			atomic_store(&s->next, atomic_load(&heads[m]));
			atomic_store_explicit(&heads[m], s, memory_order_release);
			atomic_store_explicit(&slots[at], s, memory_order_release);
			break;
		}
		s = NULL;
	}
	pthread_mutex_unlock(&add_lock);
	if (s == NULL && !atomic_exchange(&full_said, true))
		log_warn("metrics: no room for more series (family=%s)", families[m].name);
	return s;
}

static void add_double(_Atomic double *a, double v)
{
	double old = atomic_load_explicit(a, memory_order_relaxed);

	while (!atomic_compare_exchange_weak_explicit(a, &old, old + v, memory_order_relaxed,
						      memory_order_relaxed))
		;
}

void metrics_add(enum metric m, double v, ...)
{
	char labels[LABELS_MAX];
	struct series *s;
	va_list ap;

	va_start(ap, v);
	labels_of(ap, labels, sizeof(labels));
	va_end(ap);
	if ((s = find(m, labels, true)) != NULL)
		add_double(&s->v, v);
}

void metrics_set(enum metric m, double v, ...)
{
	char labels[LABELS_MAX];
	struct series *s;
	va_list ap;

	va_start(ap, v);
	labels_of(ap, labels, sizeof(labels));
	va_end(ap);
	if ((s = find(m, labels, true)) != NULL) {
		atomic_store_explicit(&s->v, v, memory_order_relaxed);
		atomic_store(&s->live, true);
	}
}

void metrics_observe(enum metric m, double v, ...)
{
	char labels[LABELS_MAX];
	struct series *s;
	va_list ap;
	size_t i;

	va_start(ap, v);
	labels_of(ap, labels, sizeof(labels));
	va_end(ap);
	if ((s = find(m, labels, true)) == NULL)
		return;
	for (i = 0; i < NBOUNDS && v > bounds[i]; i++)
		;
	if (i < NBOUNDS)
		atomic_fetch_add_explicit(&s->bucket[i], 1, memory_order_relaxed);
	add_double(&s->v, v);
	atomic_fetch_add_explicit(&s->count, 1, memory_order_relaxed);
}

double metrics_get(enum metric m, ...)
{
	char labels[LABELS_MAX];
	struct series *s;
	va_list ap;

	va_start(ap, m);
	labels_of(ap, labels, sizeof(labels));
	va_end(ap);
	if ((s = find(m, labels, false)) == NULL || !atomic_load(&s->live))
		return 0;
	if (families[m].kind == HISTOGRAM)
		return (double)atomic_load(&s->count);
	return atomic_load(&s->v);
}

void metrics_clear(enum metric m)
{
	for (struct series *s = atomic_load(&heads[m]); s != NULL; s = atomic_load(&s->next))
		atomic_store(&s->live, false);
}

void metrics_init(const char *program, const char *version)
{
	struct timespec now;

	/* called first thing at start-up */
	clock_gettime(CLOCK_REALTIME, &now);
	metrics_set(M_START_TIME, (double)now.tv_sec, METRICS_END);
	metrics_set(M_BUILD_INFO, 1, "program", program, "version", version, METRICS_END);
	/* the counters without labels exist from the start (rate() of a
	 * series that appears late misses its first increase) */
	metrics_add(M_BROKER_RECONNECTS, 0, METRICS_END);
	metrics_add(M_BROKER_PUBLISH_NACKS, 0, METRICS_END);
	metrics_add(M_BROKER_REQUEUES, 0, METRICS_END);
	metrics_add(M_DATABASE_ERRORS, 0, METRICS_END);
	if (strcmp(program, "bf-producer") == 0)
		metrics_add(M_PRODUCER_CYCLES, 0, METRICS_END);
}

void metrics_health_cycle(int max_age)
{
	atomic_store(&cycle_since, (long long)time(NULL));
	atomic_store(&cycle_max_age, max_age);
}

/* A gauge without labels that must be 1; false when unset or 0. */
static bool up(enum metric m)
{
	struct series *s = find(m, "", false);
	return s != NULL && atomic_load(&s->v) == 1;
}

bool metrics_healthy(char *why, size_t n)
{
	int max_age = atomic_load(&cycle_max_age);
	size_t pos = 0;

	why[0] = '\0';
	/* everything that is missing, in one line */
	if (!up(M_DATABASE_CONNECTED))
		pos += (size_t)snprintf(why + pos, n - pos, "not connected to the database");
	if (!up(M_BROKER_CONNECTED) && pos < n)
		pos += (size_t)snprintf(why + pos, n - pos, "%snot connected to the broker",
					pos > 0 ? "; " : "");
	if (max_age > 0 && up(M_PRODUCER_ACTIVE) && pos < n) {
		struct series *s = find(M_PRODUCER_LAST_CYCLE, "", false);
		double last = s != NULL ? atomic_load(&s->v) : 0;
		double since = (double)atomic_load(&cycle_since);
		double age = (double)time(NULL) - (last > since ? last : since);
		if (age > max_age)
			pos += (size_t)
				snprintf(why + pos, n - pos,
					 "%sactive producer without a cycle for %.0fs (limit %ds)",
					 pos > 0 ? "; " : "", age, max_age);
	}
	if (pos > 0)
		return false;
	snprintf(why, n, "ok");
	return true;
}

/* ---- the text format -------------------------------------------------- */

struct buf {
	char *p;
	size_t len, cap;
	bool failed;
};

static void put(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void put(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	int w;

	if (b->failed)
		return;
	for (;;) {
		va_start(ap, fmt);
		w = vsnprintf(b->p + b->len, b->cap - b->len, fmt, ap);
		va_end(ap);
		if (w < 0) {
			b->failed = true;
			return;
		}
		if ((size_t)w < b->cap - b->len) {
			b->len += (size_t)w;
			return;
		}
		size_t cap = b->cap * 2 + (size_t)w;
		char *q = realloc(b->p, cap);
		if (q == NULL) {
			b->failed = true;
			return;
		}
		b->p = q;
		b->cap = cap;
	}
}

/* The resident set size from /proc/self/statm; 0 when unknown. */
static double rss_bytes(void)
{
	unsigned long size, resident;
	FILE *f = fopen("/proc/self/statm", "r");
	int got;

	if (f == NULL)
		return 0;
	got = fscanf(f, "%lu %lu", &size, &resident);
	fclose(f);
	return got == 2 ? (double)resident * (double)sysconf(_SC_PAGESIZE) : 0;
}

static void put_series(struct buf *b, const char *name, const char *suffix, const char *labels,
		       const char *extra, double v)
{
	bool any = labels[0] != '\0' || extra[0] != '\0';

	put(b, "%s%s%s%s%s%s%s %.15g\n", name, suffix, any ? "{" : "", labels,
	    labels[0] != '\0' && extra[0] != '\0' ? "," : "", extra, any ? "}" : "", v);
}

char *metrics_render(void)
{
	struct buf b = { .p = malloc(8192), .cap = 8192 };

	if (b.p == NULL)
		return NULL;
	b.p[0] = '\0';
	metrics_set(M_RSS, rss_bytes(), METRICS_END);
	for (int m = 0; m < M_COUNT; m++) {
		const struct family *f = &families[m];
		const char *type = f->kind == COUNTER ? "counter"
				   : f->kind == GAUGE ? "gauge"
						      : "histogram";
		/* text format 0.0.4: a counter's family is named with its _total */
		put(&b, "# HELP %s %s\n# TYPE %s %s\n", f->name, f->help, f->name, type);
		for (struct series *s = atomic_load(&heads[m]); s != NULL;
		     s = atomic_load(&s->next)) {
			if (!atomic_load(&s->live))
				continue;
			if (f->kind != HISTOGRAM) {
				put_series(&b, f->name, "", s->labels, "", atomic_load(&s->v));
				continue;
			}
			/* read the count first: the buckets may only have grown since */
			uint64_t cum = 0;
			for (size_t i = 0; i < NBOUNDS; i++) {
				char le[40];
				cum += atomic_load(&s->bucket[i]);
				snprintf(le, sizeof(le), "le=\"%g\"", bounds[i]);
				put_series(&b, f->name, "_bucket", s->labels, le, (double)cum);
			}
			uint64_t count = atomic_load(&s->count);
			/* an observation counted in a bucket but not yet in count:
			 * +Inf is the count, never below the last bucket */
			if (count < cum)
				count = cum;
			put_series(&b, f->name, "_bucket", s->labels, "le=\"+Inf\"", (double)count);
			put_series(&b, f->name, "_sum", s->labels, "", atomic_load(&s->v));
			put_series(&b, f->name, "_count", s->labels, "", (double)count);
		}
	}
	if (b.failed) {
		free(b.p);
		return NULL;
	}
	return b.p;
}

/* Here, not in metrics_http.c: the configuration checks metrics.listen with
 * it, and what links the configuration needs no HTTP server. */
int metrics_parse_listen(const char *listen, struct sockaddr_storage *sa, unsigned *salen)
{
	const char *colon = strrchr(listen, ':'), *port = listen;
	bool v6 = listen[0] == '[';
	char host[64] = "127.0.0.1"; /* a bare port: loopback only */
	size_t n;
	long p;

	memset(sa, 0, sizeof(*sa));
	if (colon != NULL) {
		/* HOST:PORT: an address literal, an IPv6 one in brackets */
		n = (size_t)(colon - listen);
		if (v6 && (n < 3 || listen[n - 1] != ']'))
			return -1;
		if (v6)
			n -= 2;
		if (n == 0 || n >= sizeof(host))
			return -1;
		memcpy(host, listen + (v6 ? 1 : 0), n);
		host[n] = '\0';
		port = colon + 1;
	} else if (v6) {
		return -1;
	}
	n = strlen(port);
	if (n == 0 || n > 5 || strspn(port, "0123456789") != n)
		return -1;
	p = strtol(port, NULL, 10);
	if (p < 1 || p > 65535)
		return -1;
	if (v6) {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)sa;
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons((uint16_t)p);
		if (inet_pton(AF_INET6, host, &s6->sin6_addr) != 1)
			return -1;
		*salen = sizeof(*s6);
	} else {
		struct sockaddr_in *s4 = (struct sockaddr_in *)sa;
		s4->sin_family = AF_INET;
		s4->sin_port = htons((uint16_t)p);
		if (inet_pton(AF_INET, host, &s4->sin_addr) != 1)
			return -1;
		*salen = sizeof(*s4);
	}
	return 0;
}
