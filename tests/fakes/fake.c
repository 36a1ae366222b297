/*
 * fake.c: what the two fakes share (see fake.h).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <malloc.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "fake.h"

#define PATH_MAX_LEN 1024
#define MAX_THREADS 256

static pthread_mutex_t sleep_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t sleep_cv;
static int stopping;
static sigset_t stop_sigs;

/* ---------------------------------------------------------------- small helpers */

void die(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fprintf(stderr, "%s: ", fake_name);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	exit(2);
}

void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (!p)
		die("out of memory");
	return p;
}

void *xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);
	if (!q)
		die("out of memory");
	return q;
}

char *xstrdup(const char *s)
{
	size_t n = strlen(s);
	char *p = xmalloc(n + 1);
	memcpy(p, s, n + 1);
	return p;
}

char *xprint(const cJSON *j)
{
	char *s = cJSON_PrintUnformatted(j);
	if (!s)
		die("out of memory (JSON print)");
	return s;
}

void *fake_grow(void *v, size_t n, size_t *cap, size_t sz)
{
	if (n < *cap)
		return v;
	*cap = *cap ? *cap * 2 : 16;
	return xrealloc(v, sz * *cap);
}

long long fake_now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

double fake_mono_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void fake_sleep_ms(long ms)
{
	struct timespec ts;
	if (ms <= 0)
		return;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	ts.tv_sec += ms / 1000;
	ts.tv_nsec += (ms % 1000) * 1000000L;
	if (ts.tv_nsec >= 1000000000L) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&sleep_mu);
	while (!stopping) {
		if (pthread_cond_timedwait(&sleep_cv, &sleep_mu, &ts) == ETIMEDOUT)
			break;
	}
	pthread_mutex_unlock(&sleep_mu);
}

uint64_t fake_rng_u64(uint64_t *state)
{
	uint64_t z = (*state += 0x9E3779B97F4A7C15ull);
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
	return z ^ (z >> 31);
}

double fake_rng_unit(uint64_t *state)
{
	return (double)(fake_rng_u64(state) >> 11) / 9007199254740992.0;
}

int fake_parse_ll(const char *s, long long *out)
{
	char *end;
	long long v;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno || end == s || *end)
		return -1;
	*out = v;
	return 0;
}

char *fake_read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t n = 0, cap = 0;
	if (!f)
		return NULL;
	for (;;) {
		size_t got;
		if (cap - n < 65536) {
			cap = cap ? cap * 2 : 65536;
			buf = xrealloc(buf, cap + 1);
		}
		got = fread(buf + n, 1, cap - n, f);
		n += got;
		if (got == 0)
			break;
	}
	if (ferror(f)) {
		fclose(f);
		free(buf);
		return NULL;
	}
	fclose(f);
	buf[n] = '\0';
	*len = n;
	return buf;
}

void fake_write_file(const char *path, const char *text)
{
	char tmp[PATH_MAX_LEN];
	FILE *f;
	if (snprintf(tmp, sizeof tmp, "%s.tmp%ld", path, (long)getpid()) >= (int)sizeof tmp)
		die("path too long: %s", path);
	f = fopen(tmp, "w");
	if (!f || fputs(text, f) < 0 || fclose(f) != 0)
		die("cannot write %s", tmp);
	if (rename(tmp, path) != 0)
		die("cannot rename %s to %s", tmp, path);
}

const char *fake_strip_prefix(const char *url, const char *prefix)
{
	size_t n = strlen(prefix);
	if (n && strncmp(url, prefix, n) == 0 && (url[n] == '/' || url[n] == '\0'))
		url += n;
	return *url ? url : "/";
}

/* ---------------------------------------------------------------- the hash table */

static size_t fnv1a(const char *s)
{
	uint64_t h = 0xcbf29ce484222325ull;
	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= 0x100000001b3ull;
	}
	return (size_t)h;
}

size_t hmap_get(const struct hmap *m, const char *key)
{
	if (!m->cap)
		return NO_INDEX;
	for (size_t i = fnv1a(key) & (m->cap - 1);; i = (i + 1) & (m->cap - 1)) {
		if (!m->s[i].key)
			return NO_INDEX;
		if (strcmp(m->s[i].key, key) == 0)
			return m->s[i].idx;
	}
}

void hmap_put(struct hmap *m, const char *key, size_t idx)
{
	size_t i;
	if ((m->n + 1) * 2 > m->cap) {
		struct hmap big = { NULL, m->cap ? m->cap * 2 : 16, 0 };
		big.s = calloc(big.cap, sizeof *big.s);
		if (!big.s) {
			fputs("out of memory (hash table)\n", stderr);
			exit(1);
		}
		for (size_t k = 0; k < m->cap; k++)
			if (m->s[k].key)
				hmap_put(&big, m->s[k].key, m->s[k].idx);
		free(m->s);
		*m = big;
	}
	for (i = fnv1a(key) & (m->cap - 1); m->s[i].key; i = (i + 1) & (m->cap - 1))
		if (strcmp(m->s[i].key, key) == 0)
			return;
	m->s[i].key = key;
	m->s[i].idx = idx;
	m->n++;
}

void hmap_free(struct hmap *m)
{
	free(m->s);
	m->s = NULL;
	m->cap = m->n = 0;
}

/* ---------------------------------------------------------------- counters */

void fake_counters_add(struct fake_counters *c, const char *key)
{
	size_t i = hmap_get(&c->ix, key);
	if (i != NO_INDEX) {
		c->v[i].n++;
		return;
	}
	c->v = fake_grow(c->v, c->n, &c->cap, sizeof *c->v);
	c->v[c->n].key = xstrdup(key);
	c->v[c->n].n = 1;
	hmap_put(&c->ix, c->v[c->n].key, c->n);
	c->n++;
}

void fake_counters_clear(struct fake_counters *c)
{
	for (size_t i = 0; i < c->n; i++)
		free(c->v[i].key);
	free(c->v);
	c->v = NULL;
	c->n = c->cap = 0;
	hmap_free(&c->ix);
}

cJSON *fake_counters_json(const struct fake_counters *c)
{
	cJSON *o = cJSON_CreateObject();
	for (size_t i = 0; i < c->n; i++)
		cJSON_AddNumberToObject(o, c->v[i].key, (double)c->v[i].n);
	return o;
}

/* ---------------------------------------------------------------- random faults */

void fake_parse_rates(struct fake_rates *r, const char *spec,
		      int (*code_of)(const char *name, size_t len), const char *known)
{
	const char *p = spec;
	double sum = 0;
	for (size_t i = 0; i < r->n; i++)
		sum += r->v[i].p;
	while (*p) {
		const char *end = strchr(p, ','), *eq;
		size_t n = end ? (size_t)(end - p) : strlen(p);
		char num[64];
		char *numend;
		double v;
		int code;
		eq = memchr(p, '=', n);
		if (!eq || (size_t)(p + n - eq - 1) >= sizeof num)
			die("--fault-rate: expected NAME=PROBABILITY[,...], got \"%s\"", spec);
		code = code_of(p, (size_t)(eq - p));
		if (code < 0)
			die("--fault-rate: unknown fault \"%.*s\"%s", (int)(eq - p), p, known);
		memcpy(num, eq + 1, (size_t)(p + n - eq - 1));
		num[p + n - eq - 1] = '\0';
		errno = 0;
		v = strtod(num, &numend);
		if (errno || numend == num || *numend || v < 0 || v > 1)
			die("--fault-rate: bad probability \"%s\"", num);
		if (r->n == FAKE_MAX_RATES)
			die("--fault-rate: too many entries");
		r->v[r->n].code = code;
		r->v[r->n].p = v;
		r->n++;
		sum += v;
		p += n;
		if (*p == ',')
			p++;
	}
	if (sum > 1.0)
		die("--fault-rate: probabilities add up to more than 1");
}

int fake_roll(const struct fake_rates *r, uint64_t *rng, int none)
{
	double u, acc = 0;
	if (r->n == 0)
		return none;
	u = fake_rng_unit(rng);
	for (size_t i = 0; i < r->n; i++) {
		acc += r->v[i].p;
		if (u < acc)
			return r->v[i].code;
	}
	return none;
}

/* ---------------------------------------------------------------- flags */

bool fake_flag(struct fake_flags *f, int opt, const char *arg,
	       int (*code_of)(const char *name, size_t len), const char *known)
{
	long long v;

	switch (opt) {
	case 'p':
		if (fake_parse_ll(arg, &f->port) != 0 || f->port < 0 || f->port > 65535)
			die("--port: expected 0..65535");
		return true;
	case 'f':
		fake_parse_rates(&f->rates, arg, code_of, known);
		return true;
	case 'd':
		if (fake_parse_ll(arg, &v) != 0 || v < 0 || v > 3600000)
			die("--timeout-delay-ms: expected 0..3600000");
		f->timeout_delay_ms = (long)v;
		return true;
	case 'S':
		if (fake_parse_ll(arg, &f->seed) != 0)
			die("--seed: expected an integer");
		return true;
	case 'P':
		f->pidfile = arg;
		return true;
	case 'o':
		f->port_file = arg;
		return true;
	case 'T':
		if (fake_parse_ll(arg, &v) != 0 || v < 0 || v > MAX_THREADS)
			die("--threads: expected 0..%d", MAX_THREADS);
		f->threads = (unsigned)v;
		return true;
	default:
		return false;
	}
}

/* ---------------------------------------------------------------- the HTTP server */

enum MHD_Result fake_respond(struct MHD_Connection *c, unsigned status, const char *ctype,
			     const char *body, size_t len, enum MHD_ResponseMemoryMode mode,
			     const struct fake_hdr *h, size_t nh)
{
	struct MHD_Response *resp;
	enum MHD_Result ret;
	resp = MHD_create_response_from_buffer(len, (void *)(uintptr_t)(body ? body : ""), mode);
	if (!resp)
		return MHD_NO;
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, ctype);
	for (size_t i = 0; i < nh; i++)
		MHD_add_response_header(resp, h[i].name, h[i].value);
	ret = MHD_queue_response(c, status, resp);
	MHD_destroy_response(resp);
	return ret;
}

static void *req_new(void *cls, const char *uri, struct MHD_Connection *c)
{
	struct fake_req *r = xmalloc(sizeof *r);
	(void)cls;
	(void)c;
	memset(r, 0, sizeof *r);
	r->uri = xstrdup(uri ? uri : "");
	return r;
}

static void req_free(void *cls, struct MHD_Connection *c, void **con_cls,
		     enum MHD_RequestTerminationCode toe)
{
	struct fake_req *r = *con_cls;
	(void)cls;
	(void)c;
	(void)toe;
	if (r) {
		free(r->uri);
		free(r->body);
		free(r);
		*con_cls = NULL;
	}
}

bool fake_req_arriving(struct fake_req *r, const char *data, size_t *size, size_t max)
{
	if (!r->seen) {
		r->seen = 1;
		return true;
	}
	if (*size) {
		size_t n = *size;
		if (!r->too_big) {
			if (r->len + n > max) {
				r->too_big = 1;
			} else {
				if (r->len + n + 1 > r->cap) {
					r->cap = (r->len + n + 1) * 2;
					r->body = xrealloc(r->body, r->cap);
				}
				memcpy(r->body + r->len, data, n);
				r->len += n;
				r->body[r->len] = '\0';
			}
		}
		*size = 0;
		return true;
	}
	return false;
}

void fake_init(void)
{
	pthread_condattr_t ca;

	/* response buffers of tens of KB come and go on every request: keep the heap rather than
	 * give it back to the kernel and fault in zeroed pages again for the next one */
	mallopt(M_TRIM_THRESHOLD, 64 << 20);
	mallopt(M_MMAP_THRESHOLD, 4 << 20);

	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&sleep_cv, &ca);
	pthread_condattr_destroy(&ca);
}

struct MHD_Daemon *fake_listen(long long port, unsigned threads, MHD_AccessHandlerCallback handler,
			       void *cls, unsigned *bound)
{
	struct sockaddr_in sa;
	struct MHD_Daemon *d;
	const union MHD_DaemonInfo *info;

	/* Threads started from here on inherit the blocked set; main takes the signals. */
	sigemptyset(&stop_sigs);
	sigaddset(&stop_sigs, SIGINT);
	sigaddset(&stop_sigs, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &stop_sigs, NULL);
	signal(SIGPIPE, SIG_IGN);

	memset(&sa, 0, sizeof sa);
	sa.sin_family = AF_INET;
	sa.sin_port = htons((uint16_t)port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	/* --threads 0: a thread per connection; N: N polling threads (epoll on Linux), each
	 * serving many connections. A pool size of 0 or 1 means no pool to MHD. */
	d = MHD_start_daemon(MHD_USE_AUTO_INTERNAL_THREAD | MHD_USE_ITC |
				     (threads ? 0 : MHD_USE_THREAD_PER_CONNECTION),
			     (uint16_t)port, NULL, NULL, handler, cls, MHD_OPTION_SOCK_ADDR,
			     (struct sockaddr *)&sa, MHD_OPTION_URI_LOG_CALLBACK, req_new, NULL,
			     MHD_OPTION_NOTIFY_COMPLETED, req_free, NULL,
			     MHD_OPTION_CONNECTION_TIMEOUT, 120u, MHD_OPTION_THREAD_POOL_SIZE,
			     threads, MHD_OPTION_END);
	if (!d)
		die("cannot listen on 127.0.0.1:%lld", port);
	info = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
	*bound = info ? info->port : (unsigned)port;
	return d;
}

void fake_announce(unsigned bound, const char *port_file, const char *pidfile)
{
	if (port_file) {
		char buf[16];
		snprintf(buf, sizeof buf, "%u\n", bound);
		fake_write_file(port_file, buf);
	}
	if (pidfile) {
		char buf[32];
		snprintf(buf, sizeof buf, "%ld\n", (long)getpid());
		fake_write_file(pidfile, buf);
	}
	/* last: whoever waits for this line finds both files */
	printf("listening on 127.0.0.1:%u\n", bound);
	fflush(stdout);
}

void fake_serve_until_signal(struct MHD_Daemon *d, const char *pidfile)
{
	int sig;

	for (;;) {
		if (sigwait(&stop_sigs, &sig) == 0 && (sig == SIGINT || sig == SIGTERM))
			break;
	}
	pthread_mutex_lock(&sleep_mu);
	stopping = 1;
	pthread_cond_broadcast(&sleep_cv);
	pthread_mutex_unlock(&sleep_mu);
	MHD_stop_daemon(d);
	if (pidfile)
		unlink(pidfile);
	pthread_cond_destroy(&sleep_cv);
}
