#include "log.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

static const char *log_progname = "bf";
static enum log_level log_min = LOG_INFO;

static const char *const level_names[] = { "debug", "info", "warn", "error" };

void log_init(const char *prog)
{
	const char *slash;

	if (prog == NULL)
		return;
	slash = strrchr(prog, '/');
	log_progname = slash != NULL ? slash + 1 : prog;
}

const char *log_prog(void)
{
	return log_progname;
}

void log_set_level(enum log_level lvl)
{
	log_min = lvl;
}

int log_level_parse(const char *name, enum log_level *out)
{
	for (size_t i = 0; i < sizeof(level_names) / sizeof(level_names[0]); i++) {
		if (strcmp(name, level_names[i]) == 0) {
			*out = (enum log_level)i;
			return 0;
		}
	}
	if (strcmp(name, "err") == 0 || strcmp(name, "warning") == 0) {
		*out = name[0] == 'e' ? LOG_ERR : LOG_WARN;
		return 0;
	}
	return -1;
}

/* Appends at most len bytes of s to out[*pos..n-1]. */
static void put(char *out, size_t n, size_t *pos, const char *s, size_t len)
{
	if (*pos + 1 >= n)
		return;
	if (len > n - 1 - *pos)
		len = n - 1 - *pos;
	memcpy(out + *pos, s, len);
	*pos += len;
	out[*pos] = '\0';
}

#define MAX_SECRETS 4
static char *secrets[MAX_SECRETS];
static size_t nsecrets;

void log_add_secret(const char *s)
{
	if (s == NULL || strlen(s) < 4 || nsecrets == MAX_SECRETS)
		return;
	for (size_t i = 0; i < nsecrets; i++)
		if (strcmp(secrets[i], s) == 0)
			return;
	secrets[nsecrets] = strdup(s);
	if (secrets[nsecrets] != NULL)
		nsecrets++;
}

/* The registered secret that in starts with, or NULL. */
static const char *secret_at(const char *in)
{
	for (size_t i = 0; i < nsecrets; i++)
		if (strncmp(in, secrets[i], strlen(secrets[i])) == 0)
			return secrets[i];
	return NULL;
}

/* The passwords of URLs and libpq strings: in to out. */
static void redact_urls(const char *in, char *out, size_t n)
{
	size_t pos = 0;
	const char *p = in;

	while (*p != '\0') {
		const char *scheme = strstr(p, "://");
		const char *kw = strstr(p, "password=");

		if (kw != NULL && (scheme == NULL || kw < scheme)) {
			/* libpq "password=secret" (also inside a URI query) */
			size_t skip = strlen("password=");
			const char *end = kw + skip;

			put(out, n, &pos, p, (size_t)(kw - p) + skip);
			if (*end == '\'') {
				end++;
				while (*end != '\0' && *end != '\'')
					end++;
				if (*end == '\'')
					end++;
			} else {
				while (*end != '\0' && *end != ' ' && *end != '&')
					end++;
			}
			put(out, n, &pos, "***", 3);
			p = end;
			continue;
		}
		if (scheme == NULL) {
			put(out, n, &pos, p, strlen(p));
			break;
		}
		/* authority runs to the next '/', space, or end */
		const char *auth = scheme + 3;
		size_t alen = strcspn(auth, "/ \t\n,\"'");
		const char *at = NULL;
		for (size_t i = 0; i < alen; i++)
			if (auth[i] == '@')
				at = auth + i;
		const char *colon = NULL;
		if (at != NULL)
			colon = memchr(auth, ':', (size_t)(at - auth));
		if (colon != NULL) {
			put(out, n, &pos, p, (size_t)(colon + 1 - p));
			put(out, n, &pos, "***", 3);
			p = at;
		} else {
			put(out, n, &pos, p, (size_t)(auth - p));
			p = auth;
		}
	}
}

char *log_redact(const char *in, char *out, size_t n)
{
	if (n == 0)
		return out;
	out[0] = '\0';
	bool has_secret = false;
	for (size_t i = 0; i < nsecrets && !has_secret; i++)
		has_secret = strstr(in, secrets[i]) != NULL;
	if (has_secret) {
		/* the keys first; the URL pass below reads the result */
		/* a secret has 4 bytes or more and becomes 3: never longer */
		char *masked = malloc(strlen(in) + 1);
		size_t m = 0;
		if (masked == NULL) {
			snprintf(out, n, "(log record not redacted: out of memory)");
			return out;
		}
		for (const char *q = in; *q != '\0';) {
			const char *sec = secret_at(q);
			if (sec != NULL) {
				memcpy(masked + m, "***", 3);
				m += 3;
				q += strlen(sec);
			} else {
				masked[m++] = *q++;
			}
		}
		masked[m] = '\0';
		redact_urls(masked, out, n);
		free(masked);
		return out;
	}
	redact_urls(in, out, n);
	return out;
}

static void log_vwrite(enum log_level lvl, const char *fmt, va_list ap)
{
	char msg[4096], clean[4200], line[4400];
	char *full = NULL;
	struct timeval tv;
	struct tm tm;
	char ts[32];
	int len;
	va_list ap2;

	gettimeofday(&tv, NULL);
	gmtime_r(&tv.tv_sec, &tm);
	strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%S", &tm);
	va_copy(ap2, ap);
	len = vsnprintf(msg, sizeof(msg), fmt, ap);
	/* redact before cutting: a cut inside a URL would hide its password */
	if (len >= (int)sizeof(msg) && (full = malloc((size_t)len + 1)) != NULL)
		vsnprintf(full, (size_t)len + 1, fmt, ap2);
	va_end(ap2);
	if (full != NULL) {
		char *cleanfull = malloc((size_t)len * 2 + 16);
		if (cleanfull != NULL) {
			log_redact(full, cleanfull, (size_t)len * 2 + 16);
			snprintf(clean, sizeof(clean), "%s", cleanfull);
			free(cleanfull);
		} else {
			snprintf(clean, sizeof(clean), "(log record too long to redact)");
		}
		free(full);
	} else if (len >= (int)sizeof(msg)) {
		snprintf(clean, sizeof(clean), "(log record too long to redact)");
	} else {
		log_redact(msg, clean, sizeof(clean));
	}
	len = snprintf(line, sizeof(line), "%s.%03ldZ %s %s[%ld] %s\n", ts,
		       (long)(tv.tv_usec / 1000), level_names[lvl], log_progname, (long)getpid(),
		       clean);
	if (len < 0)
		return;
	if ((size_t)len >= sizeof(line)) {
		len = (int)sizeof(line) - 1;
		line[len - 1] = '\n';
	}
	/* one write per record; a short write to stderr is not worth a retry */
	if (write(STDERR_FILENO, line, (size_t)len) < 0)
		return;
}

void log_msg(enum log_level lvl, const char *fmt, ...)
{
	va_list ap;

	if (lvl < log_min)
		return;
	va_start(ap, fmt);
	log_vwrite(lvl, fmt, ap);
	va_end(ap);
}

void fatal(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vwrite(LOG_ERR, fmt, ap);
	va_end(ap);
	exit(1);
}
