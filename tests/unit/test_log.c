/*
 * test_log: lib/log.c, the redaction of secrets and the record format.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "lib/log.h"
#include "tests/support/t.h"

/* Redacts in with a generous buffer; returns a static copy. */
static const char *redact(const char *in)
{
	static char out[4096];

	memset(out, 'Z', sizeof(out));
	return log_redact(in, out, sizeof(out));
}

static void redact_amqp_url(void)
{
	const char *r = redact("amqp://bf:secret@host:5672/v");

	CHECK_STR(r, "amqp://bf:***@host:5672/v");
	CHECK(strstr(r, "secret") == NULL);
	CHECK(strstr(r, "bf:") != NULL);
	CHECK(strstr(r, "@host:5672/v") != NULL);

	/* inside a sentence, the rest is kept */
	CHECK_STR(redact("connect url=amqp://bf:secret@host:5672/v failed: refused"),
		  "connect url=amqp://bf:***@host:5672/v failed: refused");
	/* no path at all */
	CHECK_STR(redact("amqp://bf:secret@host"), "amqp://bf:***@host");
	/* the returned pointer is out */
	char buf[64];
	CHECK(log_redact("x", buf, sizeof(buf)) == buf);
}

static void redact_amqps_with_escaped_password(void)
{
	const char *r = redact("amqps://u:p%40ss@h/");

	CHECK_STR(r, "amqps://u:***@h/");
	CHECK(strstr(r, "p%40ss") == NULL);
	CHECK(strstr(r, "40ss") == NULL);
	/* an unescaped '@' in the password: the last '@' ends the user info */
	r = redact("amqp://u:p@ss@h/");
	CHECK_STR(r, "amqp://u:***@h/");
}

/* API keys registered with log_add_secret (last test: they stay). */
static void redact_api_keys(void)
{
	CHECK_STR(redact("x-apisports-key: 0123abcd failed"), "x-apisports-key: 0123abcd failed");
	log_add_secret("0123abcd");
	log_add_secret("abc"); /* too short to be a key: would mask words */
	log_add_secret(NULL);
	CHECK_STR(redact("x-apisports-key: 0123abcd failed"), "x-apisports-key: *** failed");
	CHECK_STR(redact("0123abcd0123abcd"), "******");
	CHECK_STR(redact("abc 0123abc"), "abc 0123abc");
	/* and the URL pass after it */
	CHECK_STR(redact("k=0123abcd amqp://u:pw@h/"), "k=*** amqp://u:***@h/");
}

static void redact_two_urls(void)
{
	const char *r = redact("amqp://a:one@h1:5672/bf,amqps://b:two@h2:5671/bf");

	CHECK_STR(r, "amqp://a:***@h1:5672/bf,amqps://b:***@h2:5671/bf");
	CHECK(strstr(r, "one") == NULL);
	CHECK(strstr(r, "two") == NULL);
	/* without paths, and the first without a password */
	CHECK_STR(redact("amqp://h0,amqp://a:one@h1,amqp://b:two@h2"),
		  "amqp://h0,amqp://a:***@h1,amqp://b:***@h2");
	/* separated by spaces */
	CHECK_STR(redact("urls amqp://a:one@h1/ amqp://b:two@h2/"),
		  "urls amqp://a:***@h1/ amqp://b:***@h2/");
}

static void redact_postgres(void)
{
	const char *r = redact("postgresql://postgres:pw@127.0.0.1:5432/bf");

	CHECK_STR(r, "postgresql://postgres:***@127.0.0.1:5432/bf");
	CHECK(strstr(r, ":pw@") == NULL);

	CHECK_STR(redact("host=x password=hunter2 dbname=bf"), "host=x password=*** dbname=bf");
	CHECK(strstr(redact("host=x password=hunter2 dbname=bf"), "hunter2") == NULL);

	r = redact("host=x password='a b' dbname=bf");
	CHECK_STR(r, "host=x password=*** dbname=bf");
	CHECK(strstr(r, "a b") == NULL);
	CHECK(strstr(r, "'") == NULL);

	CHECK_STR(redact("password='a b'"), "password=***");
	CHECK_STR(redact("password=hunter2"), "password=***");
	/* a password in the query of a URI */
	r = redact("postgresql://db/bf?user=bf&password=hunter2&sslmode=require");
	CHECK_STR(r, "postgresql://db/bf?user=bf&password=***&sslmode=require");
}

static void redact_leaves_urls_without_password(void)
{
	static const char *const same[] = {
		"amqp://127.0.0.1:5672/",
		"amqp://guest@h/",
		"https://www.sofascore.com/api/v1/event/10230541/lineups",
		"http://127.0.0.1:18080/api/v1",
		"postgresql:///bf",
		"host=/tmp dbname=bf user=bf",
		"nothing to see here: a:b@c is not a URL",
		"",
		"://",
		"x://",
		"time 12:30 at home",
	};

	for (size_t i = 0; i < sizeof(same) / sizeof(same[0]); i++)
		CHECK_STR(redact(same[i]), same[i]);
}

/* Every truncation is a prefix of the full redacted text, NUL-terminated
 * inside the buffer, and never writes past n. */
static void redact_truncates_safely(void)
{
	static const char *const ins[] = {
		"amqp://bf:secret@host:5672/v",
		"x amqp://a:one@h1/,amqp://b:two@h2/ y",
		"host=x password='a b' dbname=bf",
	};
	char full[512], buf[512];

	for (size_t k = 0; k < sizeof(ins) / sizeof(ins[0]); k++) {
		log_redact(ins[k], full, sizeof(full));
		size_t flen = strlen(full);
		for (size_t n = 1; n <= flen + 3; n++) {
			memset(buf, 'Z', sizeof(buf));
			log_redact(ins[k], buf, n);
			size_t len = strnlen(buf, n);
			if (len >= n) {
				t_fail(__FILE__, __LINE__, "n=%zu: not NUL-terminated", n);
				break;
			}
			if (len != (n - 1 < flen ? n - 1 : flen) || strncmp(buf, full, len) != 0) {
				t_fail(__FILE__, __LINE__,
				       "n=%zu: \"%s\" is not the prefix of \"%s\"", n, buf, full);
				break;
			}
			for (size_t i = n; i < sizeof(buf); i++)
				if (buf[i] != 'Z') {
					t_fail(__FILE__, __LINE__, "n=%zu: wrote byte %zu", n, i);
					break;
				}
			if (strstr(buf, "secret") != NULL || strstr(buf, "one") != NULL ||
			    strstr(buf, "two") != NULL || strstr(buf, "a b") != NULL)
				t_fail(__FILE__, __LINE__, "n=%zu: leaked: %s", n, buf);
		}
	}
	/* n == 0 touches nothing */
	buf[0] = 'Z';
	CHECK(log_redact("amqp://a:b@c/", buf, 0) == buf);
	CHECK(buf[0] == 'Z');
	/* the tiny buffer of the brief */
	char tiny[5];
	log_redact("amqp://bf:secret@host:5672/v", tiny, sizeof(tiny));
	CHECK_STR(tiny, "amqp");
}

static void level_names_parse(void)
{
	enum log_level l = LOG_INFO;

	CHECK_INT(log_level_parse("debug", &l), 0);
	CHECK_INT(l, LOG_DEBUG);
	CHECK_INT(log_level_parse("info", &l), 0);
	CHECK_INT(l, LOG_INFO);
	CHECK_INT(log_level_parse("warn", &l), 0);
	CHECK_INT(l, LOG_WARN);
	CHECK_INT(log_level_parse("error", &l), 0);
	CHECK_INT(l, LOG_ERR);
	CHECK_INT(log_level_parse("loud", &l), -1);
	CHECK_INT(log_level_parse("", &l), -1);
}

static void emit_secret(void)
{
	log_init("/usr/local/bin/test_log");
	log_set_level(LOG_INFO);
	log_info("connect url=%s", "amqp://u:topsecret@h/");
}

static bool digits(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return true;
}

static void log_line_is_redacted_and_formatted(void)
{
	time_t before = time(NULL), after;
	char *out = t_capture_stderr(emit_secret);
	char want[256];
	struct tm tm;
	int ms = -1;

	after = time(NULL);
	REQUIRE(out != NULL);
	CHECK(strstr(out, "topsecret") == NULL);
	/* one line, ending in a newline */
	CHECK(strchr(out, '\n') == out + strlen(out) - 1);
	/* YYYY-MM-DDTHH:MM:SS.mmmZ */
	REQUIRE(strlen(out) > 25);
	CHECK(digits(out, 4) && out[4] == '-' && digits(out + 5, 2) && out[7] == '-' &&
	      digits(out + 8, 2) && out[10] == 'T' && digits(out + 11, 2) && out[13] == ':' &&
	      digits(out + 14, 2) && out[16] == ':' && digits(out + 17, 2) && out[19] == '.' &&
	      digits(out + 20, 3) && out[23] == 'Z' && out[24] == ' ');
	memset(&tm, 0, sizeof(tm));
	CHECK_INT(sscanf(out, "%4d-%2d-%2dT%2d:%2d:%2d.%3d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
			 &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &ms),
		  7);
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	time_t ts = timegm(&tm); /* UTC: the 'Z' is true */
	CHECK(ts >= before - 1 && ts <= after + 1); /* time() may lag gettimeofday() */
	CHECK(ms >= 0 && ms <= 999);
	/* the rest: level, program (basename), pid, redacted message */
	snprintf(want, sizeof(want), "info test_log[%ld] connect url=amqp://u:***@h/\n",
		 (long)getpid());
	CHECK_STR(out + 25, want);
	CHECK_STR(log_prog(), "test_log");
	free(out);
}

static void emit_levels(void)
{
	log_init("lv");
	log_set_level(LOG_WARN);
	log_debug("d-hidden");
	log_info("i-hidden");
	log_warn("w-shown");
	log_err("e-shown password=%s", "hunter2");
	log_set_level(LOG_INFO);
}

static void log_level_filters(void)
{
	char *out = t_capture_stderr(emit_levels);

	REQUIRE(out != NULL);
	CHECK(strstr(out, "hidden") == NULL);
	CHECK(strstr(out, "Z warn lv[") != NULL);
	CHECK(strstr(out, "] w-shown\n") != NULL);
	CHECK(strstr(out, "Z error lv[") != NULL);
	CHECK(strstr(out, "] e-shown password=***\n") != NULL);
	CHECK(strstr(out, "hunter2") == NULL);
	/* exactly two lines */
	int lines = 0;
	for (const char *p = out; *p; p++)
		lines += *p == '\n';
	CHECK_INT(lines, 2);
	free(out);
}

static void emit_long(void)
{
	static char big[10000];

	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	log_init("long");
	log_info("%s", big);
}

/* A record longer than the buffers is cut, still one line with '\n'. */
static void long_record_is_one_line(void)
{
	char *out = t_capture_stderr(emit_long);

	REQUIRE(out != NULL);
	size_t len = strlen(out);
	CHECK(len > 4000 && len < 10000);
	CHECK(strchr(out, '\n') == out + len - 1);
	free(out);
}

static char long_url_pad[5000];

static void emit_cut_url(void)
{
	log_init("cut");
	log_info("%s amqp://u:topsecret@h/", long_url_pad);
}

/*
 * The message is cut to its buffer before it is redacted: when the cut
 * falls inside a URL's password, the password's first bytes reach the log.
 * Try every cut position around the end of the buffer.
 */
static void cut_record_does_not_leak_password_prefix(void)
{
	for (size_t pad = 4070; pad < 4100; pad++) {
		memset(long_url_pad, 'x', pad);
		long_url_pad[pad] = '\0';
		char *out = t_capture_stderr(emit_cut_url);
		REQUIRE(out != NULL);
		if (strstr(out, "u:t") != NULL || strstr(out, "topsec") != NULL) {
			const char *at = strstr(out, "amqp://");
			t_fail(__FILE__, __LINE__, "pad %zu: the log ends in \"%s\"", pad,
			       at != NULL ? at : "?");
			free(out);
			break;
		}
		free(out);
	}
}

/* ---- log_quote ---------------------------------------------------------- */

static void quote_escapes(void)
{
	CHECK_STR(log_quote("plain"), "\"plain\"");
	CHECK_STR(log_quote(""), "\"\"");
	CHECK_STR(log_quote(NULL), "\"\"");
	CHECK_STR(log_quote("a b"), "\"a b\"");
	CHECK_STR(log_quote("back\\slash"), "\"back\\\\slash\"");
	CHECK_STR(log_quote("say \"hi\""), "\"say \\\"hi\\\"\"");
	CHECK_STR(log_quote("l1\nl2\rl3\tend"), "\"l1\\nl2\\rl3\\tend\"");
	CHECK_STR(log_quote("\x01-\x1b-\x1f-\x7f"), "\"\\u0001-\\u001b-\\u001f-\\u007f\"");
	/* UTF-8 as it is, and a byte that is not UTF-8 too */
	CHECK_STR(log_quote("Müller 10 €"), "\"Müller 10 €\"");
	CHECK_STR(log_quote("a\xff b"), "\"a\xff b\"");
	/* the value is redacted before it is quoted */
	CHECK_STR(log_quote("connect amqp://u:topsecret@h/ \"x\""),
		  "\"connect amqp://u:***@h/ \\\"x\\\"\"");
}

static void quote_ring_of_eight(void)
{
	const char *q[8];
	char in[8][16];

	for (int i = 0; i < 8; i++) {
		snprintf(in[i], sizeof(in[i]), "v%d", i);
		q[i] = log_quote(in[i]);
	}
	/* eight in one record: all still there */
	for (int i = 0; i < 8; i++) {
		char want[16];
		snprintf(want, sizeof(want), "\"v%d\"", i);
		CHECK_STR(q[i], want);
	}
	/* the ninth takes the first buffer again */
	CHECK(log_quote("ninth") == q[0]);
	CHECK_STR(q[0], "\"ninth\"");
}

static const char *thread_quote;

static void *quote_in_thread(void *arg)
{
	(void)arg;
	for (int i = 0; i < 20; i++)
		thread_quote = log_quote("other thread");
	return NULL;
}

/* The ring is per thread: the webhook thread of bf-renders logs too. */
static void quote_ring_per_thread(void)
{
	const char *mine = log_quote("main thread");
	pthread_t t;

	REQUIRE(pthread_create(&t, NULL, quote_in_thread, NULL) == 0);
	pthread_join(t, NULL);
	CHECK_STR(mine, "\"main thread\"");
	CHECK(thread_quote != NULL && thread_quote != mine);
}

/* "x" + n times c + suffix, quoted; checks the result. */
static void check_cut(const char *in, const char *want_inside)
{
	const char *q = log_quote(in);
	size_t n = strlen(want_inside);

	if (strlen(q) != n + 2 || q[0] != '"' || strncmp(q + 1, want_inside, n) != 0 ||
	    q[n + 1] != '"')
		t_fail(__FILE__, __LINE__, "log_quote of %zu bytes: %zu bytes \"%.40s...%s\"",
		       strlen(in), strlen(q), q, strlen(q) > 20 ? q + strlen(q) - 20 : q);
}

static void quote_caps_long_values(void)
{
	static char in[3000], want[3000];

	/* 1024 bytes fit */
	memset(in, 'a', 1024);
	in[1024] = '\0';
	check_cut(in, in);
	/* 1025 do not: 1024 and "..." */
	memset(in, 'a', 1025);
	in[1025] = '\0';
	memset(want, 'a', 1024);
	memcpy(want + 1024, "...", 4);
	check_cut(in, want);
	CHECK_INT(strlen(log_quote(in)), 1 + 1024 + 3 + 1);
	/* far longer: the same */
	memset(in, 'a', 2999);
	in[2999] = '\0';
	check_cut(in, want);
	/* an escape is never cut: 1023 bytes, then \" would end at 1025 */
	memset(in, 'a', 1023);
	memcpy(in + 1023, "\"bc", 4);
	memset(want, 'a', 1023);
	memcpy(want + 1023, "...", 4);
	check_cut(in, want);
	/* nor a \u00XX */
	memset(in, 'a', 1020);
	memcpy(in + 1020, "\x01", 2);
	memset(want, 'a', 1020);
	memcpy(want + 1020, "...", 4);
	check_cut(in, want);
	/* nor a UTF-8 character: é is 2 bytes, € 3 */
	memset(in, 'a', 1023);
	memcpy(in + 1023, "\xc3\xa9z", 4);
	memset(want, 'a', 1023);
	memcpy(want + 1023, "...", 4);
	check_cut(in, want);
	memset(in, 'a', 1022);
	memcpy(in + 1022, "\xe2\x82\xac", 4);
	memset(want, 'a', 1022);
	memcpy(want + 1022, "...", 4);
	check_cut(in, want);
	/* but a character that ends at 1024 stays */
	memset(in, 'a', 1021);
	memcpy(in + 1021, "\xe2\x82\xac", 4);
	check_cut(in, in);
	/* escapes count: 512 \" fill 1024 bytes */
	memset(in, '"', 600);
	in[600] = '\0';
	for (int i = 0; i < 512; i++)
		memcpy(want + 2 * i, "\\\"", 2);
	memcpy(want + 1024, "...", 4);
	check_cut(in, want);
}

/* A cut in a URL's password must not leave its first bytes: the value is
 * redacted before it is cut. */
static void quote_cut_does_not_leak_password_prefix(void)
{
	static char in[2000];

	for (size_t pad = 990; pad < 1030; pad++) {
		memset(in, 'x', pad);
		snprintf(in + pad, sizeof(in) - pad, " amqp://u:topsecret@h/");
		const char *q = log_quote(in);
		if (strstr(q, "u:t") != NULL || strstr(q, "topsec") != NULL) {
			t_fail(__FILE__, __LINE__, "pad %zu: the value ends in \"%s\"", pad,
			       q + strlen(q) - 20);
			break;
		}
	}
}

/* ---- log.format, journald ---------------------------------------------- */

static void format_names_parse(void)
{
	enum log_format f = LOG_FMT_JSON;

	CHECK_INT(log_format_parse("text", &f), 0);
	CHECK_INT(f, LOG_FMT_TEXT);
	CHECK_INT(log_format_parse("logfmt", &f), 0);
	CHECK_INT(f, LOG_FMT_LOGFMT);
	CHECK_INT(log_format_parse("json", &f), 0);
	CHECK_INT(f, LOG_FMT_JSON);
	f = LOG_FMT_LOGFMT;
	CHECK_INT(log_format_parse("JSON", &f), -1);
	CHECK_INT(log_format_parse("", &f), -1);
	CHECK_INT(log_format_parse("logfmt ", &f), -1);
	CHECK_INT(f, LOG_FMT_LOGFMT);
}

/* The one record of a format, as emit_record writes it. */
static enum log_format rec_format;
static const char *rec_error; /* a value for error= (quoted) */

static void emit_record(void)
{
	log_init("fmt");
	log_set_level(LOG_INFO);
	log_set_format(rec_format);
	log_info("message sent event_id=%d type=line-up error=%s outcome=done", 1,
		 log_quote(rec_error));
	log_set_format(LOG_FMT_TEXT);
}

static char *record(enum log_format f, const char *error)
{
	rec_format = f;
	rec_error = error;
	return t_capture_stderr(emit_record);
}

/* The timestamp "2026-12-07T01:02:03.456Z" at s. */
static bool is_ts(const char *s)
{
	return digits(s, 4) && s[4] == '-' && digits(s + 5, 2) && s[7] == '-' && digits(s + 8, 2) &&
	       s[10] == 'T' && digits(s + 11, 2) && s[13] == ':' && digits(s + 14, 2) &&
	       s[16] == ':' && digits(s + 17, 2) && s[19] == '.' && digits(s + 20, 3) &&
	       s[23] == 'Z';
}

static void text_format_unchanged(void)
{
	char *out = record(LOG_FMT_TEXT, "a \"b\" c");
	char want[256];

	REQUIRE(out != NULL);
	REQUIRE(strlen(out) > 25);
	CHECK(is_ts(out) && out[24] == ' ');
	snprintf(want, sizeof(want),
		 "info fmt[%ld] message sent event_id=1 type=line-up error=\"a \\\"b\\\" c\" outcome=done\n",
		 (long)getpid());
	CHECK_STR(out + 25, want);
	free(out);
}

static void logfmt_line(void)
{
	char *out = record(LOG_FMT_LOGFMT, "a \"b\" c");
	char want[256];

	REQUIRE(out != NULL);
	REQUIRE(strlen(out) > 28);
	CHECK(strncmp(out, "ts=", 3) == 0 && is_ts(out + 3) && out[27] == ' ');
	snprintf(want, sizeof(want),
		 "level=info prog=fmt pid=%ld msg=\"message sent\" event_id=1 type=line-up"
		 " error=\"a \\\"b\\\" c\" outcome=done\n",
		 (long)getpid());
	CHECK_STR(out + 28, want);
	free(out);
}

/* The message of the next record: fmt with its one "%s" replaced by arg
 * (no printf: the format is not a literal). */
static char rec_text[10000];

static void set_text(const char *fmt, const char *arg)
{
	const char *at = strstr(fmt, "%s");
	size_t a = strlen(arg), pre = at != NULL ? (size_t)(at - fmt) : strlen(fmt);

	rec_text[0] = '\0';
	if (pre + a + strlen(fmt) >= sizeof(rec_text))
		return;
	memcpy(rec_text, fmt, pre);
	if (at != NULL) {
		memcpy(rec_text + pre, arg, a);
		memcpy(rec_text + pre + a, at + 2, strlen(at + 2) + 1);
	} else {
		rec_text[pre] = '\0';
	}
}

static void emit_logfmt(void)
{
	log_init("lf");
	log_set_format(LOG_FMT_LOGFMT);
	log_info("%s", rec_text);
	log_set_format(LOG_FMT_TEXT);
}

static void check_logfmt(int line, const char *fmt, const char *arg, const char *want)
{
	char *out, *body;

	set_text(fmt, arg);
	out = t_capture_stderr(emit_logfmt);
	if (out == NULL) {
		t_fail(__FILE__, line, "no output");
		return;
	}
	body = strstr(out, " msg=");
	if (body == NULL || strcmp(body + 1, want) != 0)
		t_fail(__FILE__, line, "%s: got \"%s\", want \"%s\"", fmt, body ? body + 1 : out,
		       want);
	free(out);
}

static void logfmt_parsing_rule(void)
{
	/* no free text */
	check_logfmt(__LINE__, "a=1 b=%s", "2", "msg=\"\" a=1 b=2\n");
	/* no fields */
	check_logfmt(__LINE__, "just %s", "words  here", "msg=\"just words  here\"\n");
	/* words after a field belong to its value */
	check_logfmt(__LINE__, "start a=1 %s c=2", "b d", "msg=\"start\" a=\"1 b d\" c=2\n");
	/* and after a quoted one, unquoted and quoted again */
	check_logfmt(__LINE__, "start a=%s more", "\"x \\\"y\\\"\"",
		     "msg=\"start\" a=\"x \\\"y\\\" more\"\n");
	/* free text with quotes and escapes is quoted as msg */
	check_logfmt(__LINE__, "say %s k=v", "\"hi\" back\\slash",
		     "msg=\"say \\\"hi\\\" back\\\\slash\" k=v\n");
	/* a quoted phrase in the free text is one word: x=1 inside is no field */
	check_logfmt(__LINE__, "about %s k=v", "\"x=1 y\"", "msg=\"about \\\"x=1 y\\\"\" k=v\n");
	/* a bare value that needs quotes gets them */
	check_logfmt(__LINE__, "get url=%s", "http://h/p?a=1&b=2",
		     "msg=\"get\" url=\"http://h/p?a=1&b=2\"\n");
	check_logfmt(__LINE__, "x k=%s", "a\tb\x01", "msg=\"x\" k=\"a\\tb\\u0001\"\n");
	check_logfmt(__LINE__, "x k=%s", "a\"b", "msg=\"x\" k=\"a\\\"b\"\n");
	/* an unclosed quote is an ordinary character */
	check_logfmt(__LINE__, "x k=%s j=2", "\"a b", "msg=\"x\" k=\"\\\"a b\" j=2\n");
	/* keys: a letter or _ first, then letters, digits, _ . - */
	check_logfmt(__LINE__, "x %s", "_a.b-c9=1 9z=2 -q=3",
		     "msg=\"x\" _a.b-c9=\"1 9z=2 -q=3\"\n");
	/* an empty value */
	check_logfmt(__LINE__, "x k=%s j=", "", "msg=\"x\" k= j=\n");
	/* a password is redacted first */
	check_logfmt(__LINE__, "connect url=%s", "amqp://u:topsecret@h/",
		     "msg=\"connect\" url=amqp://u:***@h/\n");
}

/* The record of emit_record in json, parsed. */
static void json_line(void)
{
	char *out = record(LOG_FMT_JSON, "x \"y\"\tz amqp://u:topsecret@h/");
	cJSON *j, *it;

	REQUIRE(out != NULL);
	CHECK(strstr(out, "topsecret") == NULL);
	CHECK(strncmp(out, "{\"ts\":\"", 7) == 0);
	CHECK(strchr(out, '\n') == out + strlen(out) - 1);
	CHECK(strlen(out) > 2 && strcmp(out + strlen(out) - 2, "}\n") == 0);
	j = cJSON_Parse(out);
	if (j == NULL) {
		t_fail(__FILE__, __LINE__, "not JSON: %s", out);
		free(out);
		return;
	}
	it = cJSON_GetObjectItemCaseSensitive(j, "ts");
	CHECK(cJSON_IsString(it) && strlen(it->valuestring) == 24 && is_ts(it->valuestring));
	CHECK(j->child != NULL && strcmp(j->child->string, "ts") == 0);
	CHECK_STR(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(j, "level")), "info");
	CHECK_STR(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(j, "prog")), "fmt");
	it = cJSON_GetObjectItemCaseSensitive(j, "pid");
	CHECK(cJSON_IsNumber(it) && (long)it->valuedouble == (long)getpid());
	CHECK_STR(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(j, "msg")), "message sent");
	CHECK_STR(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(j, "event_id")), "1");
	CHECK_STR(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(j, "type")), "line-up");
	CHECK_STR(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(j, "error")),
		  "x \"y\"\tz amqp://u:***@h/");
	CHECK_STR(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(j, "outcome")), "done");
	CHECK_INT(cJSON_GetArraySize(j), 9);
	cJSON_Delete(j);
	free(out);
}

static void emit_json(void)
{
	log_init("js");
	log_set_format(LOG_FMT_JSON);
	log_info("%s", rec_text);
	log_set_format(LOG_FMT_TEXT);
}

/* The json record of fmt with arg, parsed (NULL: failed, said why). */
static cJSON *json_of(int line, const char *fmt, const char *arg, char **raw)
{
	char *out;
	cJSON *j;

	set_text(fmt, arg);
	out = t_capture_stderr(emit_json);
	if (out == NULL) {
		t_fail(__FILE__, line, "no output");
		return NULL;
	}
	if (strchr(out, '\n') != out + strlen(out) - 1)
		t_fail(__FILE__, line, "not one line: %s", out);
	if (strlen(out) > 4400)
		t_fail(__FILE__, line, "%zu bytes", strlen(out));
	j = cJSON_Parse(out);
	if (j == NULL)
		t_fail(__FILE__, line, "not JSON: %s", out);
	if (raw != NULL)
		*raw = out;
	else
		free(out);
	return j;
}

static const char *jstr(const cJSON *j, const char *key)
{
	return cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(j, key));
}

static void json_values(void)
{
	char *raw = NULL;
	cJSON *j;

	/* words after a field, a key given twice (both written: readers keep
	 * the last), control characters and bytes that are not UTF-8 */
	j = json_of(__LINE__, "go a=1 %s", "two words a=2 c=\x01\x7f d=\xff\xc3 e=é", &raw);
	if (j != NULL) {
		CHECK_STR(jstr(j, "msg"), "go");
		CHECK_STR(jstr(j, "a"), "1 two words");
		CHECK(raw != NULL && strstr(raw, "\"a\":\"1 two words\",\"a\":\"2\",") != NULL);
		CHECK_STR(jstr(j, "c"), "\x01\x7f");
		CHECK(raw != NULL && strstr(raw, "\"c\":\"\\u0001\\u007f\"") != NULL);
		CHECK(raw != NULL && strstr(raw, "\"d\":\"\\u00ff\\u00c3\"") != NULL);
		CHECK_STR(jstr(j, "e"), "é");
		cJSON_Delete(j);
	}
	free(raw);
	/* a quoted value with every escape of log_quote */
	j = json_of(__LINE__, "q v=%s", log_quote("a\\b \"c\"\nd\re\tf\x02 g"), NULL);
	if (j != NULL) {
		CHECK_STR(jstr(j, "v"), "a\\b \"c\"\nd\re\tf\x02 g");
		cJSON_Delete(j);
	}
	/* an API key registered with log_add_secret is masked (before the
	 * text is parsed) */
	log_add_secret("json-key-1234");
	j = json_of(__LINE__, "call key=%s", "json-key-1234", &raw);
	if (j != NULL) {
		CHECK_STR(jstr(j, "key"), "***");
		cJSON_Delete(j);
	}
	CHECK(raw != NULL && strstr(raw, "json-key") == NULL);
	free(raw);
}

/* A record too long for the line is cut in its values, and stays JSON. */
static void json_cut_stays_json(void)
{
	static char big[9000];
	cJSON *j;

	/* a long msg of characters that need escapes */
	memset(big, '"', 4000);
	big[4000] = '\0';
	j = json_of(__LINE__, "%s k=v", big, NULL);
	if (j != NULL) {
		const char *msg = jstr(j, "msg");
		CHECK(msg != NULL && strlen(msg) > 1000 && strlen(msg) < 4000);
		CHECK(msg != NULL && strcmp(msg + strlen(msg) - 3, "...") == 0);
		cJSON_Delete(j);
	}
	/* many fields, the cut at every offset: the fields before the last are
	 * whole and in order; the last one ends in "...": whole (the next field
	 * did not fit) or cut in its value (a key never goes without a value) */
	size_t pos;
	for (int pad = 0; pad < 16; pad++) {
		pos = (size_t)snprintf(big, sizeof(big), "many%.*s", pad, "xxxxxxxxxxxxxxxx");
		for (int i = 0; pos < 4000; i++)
			pos += (size_t)snprintf(big + pos, sizeof(big) - pos, " key%d=value%d", i,
						i);
		j = json_of(__LINE__, "%s", big, NULL);
		if (j == NULL)
			break;
		int n = cJSON_GetArraySize(j), i = 0;
		CHECK(n > 100);
		for (const cJSON *it = cJSON_GetArrayItem(j, 5); it != NULL; it = it->next, i++) {
			char k[32], v[32];
			snprintf(k, sizeof(k), "key%d", i);
			snprintf(v, sizeof(v), "value%d", i);
			size_t vl = strlen(it->valuestring);
			bool ok = it->next != NULL
					  ? strcmp(it->valuestring, v) == 0
					  : vl >= 3 &&
						    strcmp(it->valuestring + vl - 3, "...") == 0 &&
						    vl - 3 <= strlen(v) &&
						    strncmp(it->valuestring, v, vl - 3) == 0;
			if (strcmp(it->string, k) != 0 || !ok) {
				t_fail(__FILE__, __LINE__, "pad %d: field %d is %s:%s", pad, i,
				       it->string, it->valuestring);
				break;
			}
		}
		CHECK_INT(i, n - 5);
		cJSON_Delete(j);
	}
	/* the same in logfmt (values with '=' are quoted there: longer than
	 * the text): the line ends in a field whose value ends in ... */
	pos = 0;
	for (int i = 0; pos < 4000; i++)
		pos += (size_t)snprintf(big + pos, sizeof(big) - pos, " key%d=v=%d", i, i);
	set_text("many%s", big);
	char *lf = t_capture_stderr(emit_logfmt);
	REQUIRE(lf != NULL);
	size_t lfn = strlen(lf);
	CHECK(lfn > 4300 && lfn <= 4400 && strchr(lf, '\n') == lf + lfn - 1);
	const char *tail = strrchr(lf, ' ');
	CHECK(tail != NULL && strncmp(tail, " key", 4) == 0 && strchr(tail, '"') != NULL &&
	      strcmp(lf + lfn - 5, "...\"\n") == 0);
	free(lf);
	/* one value too long once escaped (a tab is \t), and a field after it */
	memset(big, '\t', 4000);
	big[4000] = '\0';
	j = json_of(__LINE__, "long v=%s after=1", big, NULL);
	if (j != NULL) {
		const char *v = jstr(j, "v");
		size_t n = v != NULL ? strlen(v) : 0;
		CHECK(n > 1500 && n < 2200 && strcmp(v + n - 3, "...") == 0);
		CHECK(n > 3 && strspn(v, "\t") == n - 3);
		CHECK(jstr(j, "after") == NULL);
		cJSON_Delete(j);
	}
}

static void emit_all_levels(void)
{
	log_init("jr");
	log_set_journal(rec_format == LOG_FMT_JSON || rec_error != NULL);
	log_set_format(rec_format);
	log_set_level(LOG_DEBUG);
	log_err("e");
	log_warn("w");
	log_info("i");
	log_debug("d");
	log_set_level(LOG_INFO);
	log_set_format(LOG_FMT_TEXT);
	log_set_journal(false);
}

/* The priority prefix of each line of out: "<N>" or "" (none). */
static void check_prefixes(int line, const char *out, const char *const want[4])
{
	const char *p = out;

	for (int i = 0; i < 4; i++) {
		size_t n = strlen(want[i]);
		const char *nl = p != NULL ? strchr(p, '\n') : NULL;
		if (nl == NULL || strncmp(p, want[i], n) != 0 ||
		    (rec_format == LOG_FMT_JSON ? p[n] != '{' : !is_ts(p + n))) {
			t_fail(__FILE__, line, "line %d: want prefix \"%s\": %.40s", i + 1, want[i],
			       p != NULL ? p : "(none)");
			return;
		}
		p = nl + 1;
	}
	if (*p != '\0')
		t_fail(__FILE__, line, "more than 4 lines");
}

static void journal_prefixes(void)
{
	static const char *const prio[4] = { "<3>", "<4>", "<6>", "<7>" };
	static const char *const none[4] = { "", "", "", "" };
	char *out;

	rec_format = LOG_FMT_TEXT;
	rec_error = "on";
	out = t_capture_stderr(emit_all_levels);
	REQUIRE(out != NULL);
	check_prefixes(__LINE__, out, prio);
	/* the rest of the line as without: "<3>" then the text record */
	const char *ts = out + 3;
	char want[64];
	snprintf(want, sizeof(want), " error jr[%ld] e\n", (long)getpid());
	CHECK(strncmp(ts + 24, want, strlen(want)) == 0);
	free(out);

	rec_error = NULL;
	out = t_capture_stderr(emit_all_levels);
	REQUIRE(out != NULL);
	check_prefixes(__LINE__, out, none);
	free(out);

	rec_format = LOG_FMT_JSON; /* and journal on */
	out = t_capture_stderr(emit_all_levels);
	REQUIRE(out != NULL);
	check_prefixes(__LINE__, out, prio);
	free(out);
	rec_format = LOG_FMT_TEXT;
}

/* JOURNAL_STREAM: "DEV:INODE" of stderr as it is now, or with delta added to the inode. */
static long journal_delta;
static const char *journal_value; /* instead, when not NULL */

static void emit_under_journal(void)
{
	struct stat st;
	char v[64];

	if (fstat(STDERR_FILENO, &st) != 0)
		return;
	snprintf(v, sizeof(v), "%llu:%llu", (unsigned long long)st.st_dev,
		 (unsigned long long)st.st_ino + (unsigned long long)journal_delta);
	setenv("JOURNAL_STREAM", journal_value != NULL ? journal_value : v, 1);
	log_init("js");
	log_info("hello");
	unsetenv("JOURNAL_STREAM");
	log_init("js");
	log_info("after");
}

static void journal_stream_detected(void)
{
	static const char *const bad[] = { "", "1", "1:", ":1", "x:1", "1:2:3", "1:2 " };
	char *out, want[64];

	snprintf(want, sizeof(want), " info js[%ld] hello\n", (long)getpid());
	journal_delta = 0;
	journal_value = NULL;
	out = t_capture_stderr(emit_under_journal);
	REQUIRE(out != NULL);
	CHECK(strncmp(out, "<6>", 3) == 0 && is_ts(out + 3));
	CHECK(strncmp(out + 27, want, strlen(want)) == 0);
	/* unset again: no prefix */
	const char *second = strchr(out, '\n');
	CHECK(second != NULL && is_ts(second + 1));
	free(out);

	/* another inode (stderr redirected by a child's caller): none */
	journal_delta = 1;
	out = t_capture_stderr(emit_under_journal);
	REQUIRE(out != NULL);
	CHECK(is_ts(out));
	CHECK(strncmp(out + 24, want, strlen(want)) == 0);
	free(out);

	journal_delta = 0;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		journal_value = bad[i];
		out = t_capture_stderr(emit_under_journal);
		REQUIRE(out != NULL);
		if (!is_ts(out))
			t_fail(__FILE__, __LINE__, "JOURNAL_STREAM=\"%s\": %.30s", bad[i], out);
		free(out);
	}
	journal_value = NULL;
}

int main(void)
{
	T_RUN(redact_amqp_url);
	T_RUN(redact_amqps_with_escaped_password);
	T_RUN(redact_two_urls);
	T_RUN(redact_postgres);
	T_RUN(redact_leaves_urls_without_password);
	T_RUN(redact_truncates_safely);
	T_RUN(level_names_parse);
	T_RUN(log_line_is_redacted_and_formatted);
	T_RUN(log_level_filters);
	T_RUN(long_record_is_one_line);
	T_RUN(cut_record_does_not_leak_password_prefix);
	T_RUN(quote_escapes);
	T_RUN(quote_ring_of_eight);
	T_RUN(quote_ring_per_thread);
	T_RUN(quote_caps_long_values);
	T_RUN(quote_cut_does_not_leak_password_prefix);
	T_RUN(format_names_parse);
	T_RUN(text_format_unchanged);
	T_RUN(logfmt_line);
	T_RUN(logfmt_parsing_rule);
	T_RUN(json_line);
	T_RUN(json_cut_stays_json);
	T_RUN(journal_prefixes);
	T_RUN(journal_stream_detected);
	T_RUN(redact_api_keys);
	T_RUN(json_values);
	return t_done();
}
