/*
 * log: single-line records "ts level prog[pid] msg key=value ..." to stderr.
 *
 * Every record is written with one write(2), so lines of concurrent
 * processes sharing a file do not interleave.  Anything that looks like a
 * URL with a password ("scheme://user:secret@host") is redacted before it is
 * written, whatever the caller passed in.
 *
 * log.format (log_set_format) chooses the form of a record:
 *   text    2026-12-07T01:02:03.456Z info bf-lineups[123] message event_id=1 outcome=done
 *   logfmt  ts=2026-12-07T01:02:03.456Z level=info prog=bf-lineups pid=123 msg="message"
 *           event_id=1 outcome=done
 *   json    {"ts":"2026-12-07T01:02:03.456Z","level":"info","prog":"bf-lineups","pid":123,
 *           "msg":"message","event_id":"1","outcome":"done"}
 * The caller always writes "free text key=value key=\"quoted value\" ...": the
 * free text before the first key=value becomes msg, each value a string.
 *
 * Under systemd (stderr is the stream $JOURNAL_STREAM names, systemd.exec(5))
 * every record starts with its syslog priority, "<3>" error, "<4>" warn,
 * "<6>" info, "<7>" debug (sd-daemon(3)): journald keeps the severity.
 */
#ifndef BF_LOG_H
#define BF_LOG_H

#include <stdbool.h>
#include <stddef.h>

enum log_level {
	LOG_DEBUG = 0,
	LOG_INFO,
	LOG_WARN,
	LOG_ERR
};

enum log_format {
	LOG_FMT_TEXT = 0,
	LOG_FMT_LOGFMT,
	LOG_FMT_JSON
};

/* prog is kept by pointer: pass a string literal or argv[0]'s basename.
 * Also decides (again at every call) whether stderr is the journal. */
void log_init(const char *prog);
const char *log_prog(void);
void log_set_level(enum log_level lvl);
/* "debug" | "info" | "warn" | "error"; returns -1 on an unknown name. */
int log_level_parse(const char *name, enum log_level *out) __attribute__((warn_unused_result));
void log_set_format(enum log_format f);
/* "text" | "logfmt" | "json"; returns -1 on an unknown name. */
int log_format_parse(const char *name, enum log_format *out) __attribute__((warn_unused_result));
/* Tests: the "<N>" priority prefix on (as under systemd) or off, until
 * the next log_init(). */
void log_set_journal(bool on);

void log_msg(enum log_level lvl, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
#define log_debug(...) log_msg(LOG_DEBUG, __VA_ARGS__)
#define log_info(...) log_msg(LOG_INFO, __VA_ARGS__)
#define log_warn(...) log_msg(LOG_WARN, __VA_ARGS__)
#define log_err(...) log_msg(LOG_ERR, __VA_ARGS__)

/* Logs at error level and exits 1. */
void fatal(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

/*
 * s as a logfmt quoted value, for "key=%s": in double quotes, with '\' as
 * \\, '"' as \", newline, CR and tab as \n \r \t, the other bytes below
 * 0x20 and 0x7f as \u00XX (lower-case hex); UTF-8 (bytes from 0x80) as it
 * is.  NULL is "".
 * s is redacted (log_redact) first; values are cut at 1024 bytes: a longer
 * one is cut at a character boundary and ends in ...".  The result lives in
 * a ring of 8 buffers of the calling thread: up to 8 calls in one record.
 */
const char *log_quote(const char *s);

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
