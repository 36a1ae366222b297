/*
 * log: single-line records "ts level prog[pid] msg key=value ..." to stderr.
 *
 * Every record is written with one write(2), so lines of concurrent
 * processes sharing a file do not interleave.  Anything that looks like a
 * URL with a password ("scheme://user:secret@host") is redacted before it is
 * written, whatever the caller passed in.
 */
#ifndef BF_LOG_H
#define BF_LOG_H

#include <stddef.h>

enum log_level {
	LOG_DEBUG = 0,
	LOG_INFO,
	LOG_WARN,
	LOG_ERR
};

/* prog is kept by pointer: pass a string literal or argv[0]'s basename. */
void log_init(const char *prog);
const char *log_prog(void);
void log_set_level(enum log_level lvl);
/* "debug" | "info" | "warn" | "error"; returns -1 on an unknown name. */
int log_level_parse(const char *name, enum log_level *out) __attribute__((warn_unused_result));

void log_msg(enum log_level lvl, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
#define log_debug(...) log_msg(LOG_DEBUG, __VA_ARGS__)
#define log_info(...) log_msg(LOG_INFO, __VA_ARGS__)
#define log_warn(...) log_msg(LOG_WARN, __VA_ARGS__)
#define log_err(...) log_msg(LOG_ERR, __VA_ARGS__)

/* Logs at error level and exits 1. */
void fatal(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

/*
 * Copies in to out (size n, always NUL-terminated), replacing the password
 * of every "scheme://user:password@" with "***".  Also masks the value of
 * "password=..." in libpq keyword/value strings.  Returns out.
 */
char *log_redact(const char *in, char *out, size_t n);
/* Every later record (and log_redact) writes s as "***": an API key.  At
 * most 4; a value shorter than 4 characters is not kept (it would mask
 * ordinary words). */
void log_add_secret(const char *s);

#endif
