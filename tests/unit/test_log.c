/*
 * test_log: lib/log.c, the redaction of secrets and the record format.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

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

/* Runs fn with stderr redirected to a temporary file; returns what was
 * written (malloc'd), or NULL. */
static char *capture_stderr(void (*fn)(void))
{
	char path[] = "/tmp/test_log.XXXXXX";
	int fd = mkstemp(path), saved;
	char *buf;
	long size;
	FILE *f;

	if (fd < 0)
		return NULL;
	fflush(stderr);
	saved = dup(STDERR_FILENO);
	if (saved < 0 || dup2(fd, STDERR_FILENO) < 0) {
		close(fd);
		unlink(path);
		return NULL;
	}
	fn();
	fflush(stderr);
	dup2(saved, STDERR_FILENO);
	close(saved);
	close(fd);
	f = fopen(path, "rb");
	unlink(path);
	if (f == NULL)
		return NULL;
	fseek(f, 0, SEEK_END);
	size = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc((size_t)size + 1);
	if (buf != NULL) {
		size_t n = fread(buf, 1, (size_t)size, f);
		buf[n] = '\0';
	}
	fclose(f);
	return buf;
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
	char *out = capture_stderr(emit_secret);
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
	char *out = capture_stderr(emit_levels);

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
	char *out = capture_stderr(emit_long);

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
		char *out = capture_stderr(emit_cut_url);
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
	T_RUN(redact_api_keys);
	return t_done();
}
