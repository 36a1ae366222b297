/*
 * fake.h: what the two fakes (fake_sofascore.c, fake_plainly.c) share: allocation that dies
 * on failure, clocks and a sleep cut short at shutdown, a seeded random source, files, the
 * string -> index hash table of their per-request lookups, counters by key, random fault
 * rates, and the HTTP server around their request handler (127.0.0.1 only, the request body
 * kept with a cap, port and pid files, SIGTERM/SIGINT).
 */
#ifndef FAKES_FAKE_H
#define FAKES_FAKE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>
#include <microhttpd.h>

/* Each fake defines its name, the prefix of die()'s messages ("fake-sofascore"). */
extern const char fake_name[];

/* Prints "NAME: message" to stderr and exits 2 (the fakes' status for a bad flag or file). */
void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

/* malloc, realloc, strdup and cJSON_PrintUnformatted that die when out of memory; the
 * caller frees. */
void *xmalloc(size_t n);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xprint(const cJSON *j);

/* v (elements of size sz) with room for element n: *cap doubles when full (16 at first). */
void *fake_grow(void *v, size_t n, size_t *cap, size_t sz);

/* Wall-clock milliseconds since the epoch; monotonic seconds. */
long long fake_now_ms(void);
double fake_mono_s(void);

/* Sleeps ms milliseconds, cut short once fake_serve_until_signal has seen SIGTERM/SIGINT, so
 * shutdown never waits for a fake timeout. */
void fake_sleep_ms(long ms);

/* splitmix64 on *state (the caller serialises): 64 random bits, or a double in [0, 1). */
uint64_t fake_rng_u64(uint64_t *state);
double fake_rng_unit(uint64_t *state);

/* s as a whole decimal number: 0, or -1 if it is not one. */
int fake_parse_ll(const char *s, long long *out);

/* The whole file, NUL-terminated, its size in *len; NULL if it cannot be read. Caller frees. */
char *fake_read_file(const char *path, size_t *len);

/* Writes text to path atomically (a temporary file renamed); dies on failure. */
void fake_write_file(const char *path, const char *text);

/* url without a leading prefix (only when followed by '/' or the end), "/" if that leaves
 * nothing. An empty prefix strips nothing. */
const char *fake_strip_prefix(const char *url, const char *prefix);

/* ---- string -> array index, open addressing with linear probing. The keys are borrowed
 * from the indexed array (they must outlive the map); the first index stored for a key is
 * kept. */
#define NO_INDEX ((size_t)-1)

struct hslot {
	const char *key; /* NULL = empty */
	size_t idx;
};

struct hmap {
	struct hslot *s;
	size_t cap; /* 0 or a power of two */
	size_t n;
};

/* The index stored for key, or NO_INDEX. */
size_t hmap_get(const struct hmap *m, const char *key);
/* Stores key -> idx unless key is already there; keeps the load factor <= 1/2. */
void hmap_put(struct hmap *m, const char *key, size_t idx);
void hmap_free(struct hmap *m);

/* ---- counts by key, in order of first appearance */
struct fake_counter {
	char *key;
	unsigned long n;
};

struct fake_counters {
	struct fake_counter *v;
	size_t n, cap;
	struct hmap ix;
};

void fake_counters_add(struct fake_counters *c, const char *key);
void fake_counters_clear(struct fake_counters *c);
/* {"key": n, ...}; the caller owns the object. */
cJSON *fake_counters_json(const struct fake_counters *c);

/* ---- random faults: --fault-rate NAME=P[,NAME=P...] */
#define FAKE_MAX_RATES 8

struct fake_rates {
	struct {
		int code;
		double p;
	} v[FAKE_MAX_RATES];
	size_t n;
};

/* Adds the rates of spec; code_of gives a name's code, or -1 for a name that cannot be a
 * random fault (then die() names it, followed by known). Dies on a bad spec or when the
 * probabilities add up to more than 1. */
void fake_parse_rates(struct fake_rates *r, const char *spec,
		      int (*code_of)(const char *name, size_t len), const char *known);

/* One draw: the code of the fault to inject, or none. No draw when there are no rates. */
int fake_roll(const struct fake_rates *r, uint64_t *rng, int none);

/* ---- the flags both fakes take */
struct fake_flags {
	long long port; /* --port N, -1 until given */
	long long seed; /* --seed N */
	long timeout_delay_ms; /* --timeout-delay-ms MS */
	unsigned threads; /* --threads N, 0: a thread per connection */
	const char *pidfile; /* --pidfile F */
	const char *port_file; /* --port-file F */
	struct fake_rates rates; /* --fault-rate NAME=P,... */
};

/* clang-format off */
#define FAKE_FLAGS_INIT { .port = -1, .seed = 1, .timeout_delay_ms = 3000 }

/* Their entries in a getopt_long table. */
#define FAKE_FLAG_OPTIONS \
	{ "port", required_argument, NULL, 'p' }, \
	{ "fault-rate", required_argument, NULL, 'f' }, \
	{ "timeout-delay-ms", required_argument, NULL, 'd' }, \
	{ "seed", required_argument, NULL, 'S' }, \
	{ "pidfile", required_argument, NULL, 'P' }, \
	{ "port-file", required_argument, NULL, 'o' }, \
	{ "threads", required_argument, NULL, 'T' }
/* clang-format on */

/* Takes getopt_long's opt (with its argument) when it is one of the flags above ('p', 'S',
 * 'd', 'T', 'P', 'o', 'f'), dying on a bad value; false for any other. code_of and known are
 * fake_parse_rates's. */
bool fake_flag(struct fake_flags *f, int opt, const char *arg,
	       int (*code_of)(const char *name, size_t len), const char *known);

/* ---- the HTTP server */

/* A response header. */
struct fake_hdr {
	const char *name;
	const char *value;
};

/* Queues status with body (len bytes, kept by MHD as mode says), Content-Type ctype and the
 * nh headers of h. */
enum MHD_Result fake_respond(struct MHD_Connection *c, unsigned status, const char *ctype,
			     const char *body, size_t len, enum MHD_ResponseMemoryMode mode,
			     const struct fake_hdr *h, size_t nh);

/* A request: its target (with the query string) and its body, kept up to a cap. */
struct fake_req {
	int seen;
	char *uri;
	char *body;
	size_t len;
	size_t cap;
	int too_big;
};

/* Called first by the access handler (con_cls is the request's struct fake_req): true while
 * the request is still arriving (the handler then returns MHD_YES); its body is kept up to max
 * bytes, too_big set beyond. */
bool fake_req_arriving(struct fake_req *r, const char *data, size_t *size, size_t max);

/* Keeps freed heap (response buffers of tens of KB come and go on every request) and
 * prepares fake_sleep_ms. First thing in main. */
void fake_init(void);

/* Blocks SIGINT and SIGTERM (every thread started from here on inherits it), ignores
 * SIGPIPE, serves handler (called with cls) on 127.0.0.1:port (0: any free port) from a
 * thread per connection (threads 0) or a pool of threads and returns the daemon and the port.
 * Dies if it cannot listen. */
struct MHD_Daemon *fake_listen(long long port, unsigned threads, MHD_AccessHandlerCallback handler,
			       void *cls, unsigned *bound);

/* Writes the port to port_file and the pid to pidfile (either may be NULL), then prints
 * "listening on 127.0.0.1:PORT" to stdout: a caller that waits for the line finds both files. */
void fake_announce(unsigned bound, const char *port_file, const char *pidfile);

/* Waits for SIGTERM or SIGINT, cuts every sleep short, stops the daemon and removes pidfile. */
void fake_serve_until_signal(struct MHD_Daemon *d, const char *pidfile);

#endif
