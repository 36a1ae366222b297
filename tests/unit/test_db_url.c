/*
 * test_db_url: db_url_safe (lib/db.c), a conninfo fit for a log, read by
 * libpq's own parser: keyword/value strings and URIs with and without a
 * password, quoting, what libpq cannot parse; and db_connect's "database
 * connect failed" line, which names the URL so (no server: a closed port);
 * and the array literals of db_array_int / db_array_bool.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/db.h"
#include "lib/log.h"
#include "tests/support/t.h"

static const char *safe(const char *in)
{
	static char out[1024];

	memset(out, 'Z', sizeof(out));
	db_url_safe(in, out, sizeof(out));
	return out;
}

static void keyword_value(void)
{
	CHECK_STR(safe("host=x password='a b' dbname=bf"), "password=*** dbname=bf host=x");
	/* blanks around '=' are libpq's syntax too (log_redact misses these) */
	CHECK_STR(safe("host=x password = hunter2 dbname=bf"), "password=*** dbname=bf host=x");
	CHECK_STR(safe("host=x password='it\\'s' dbname=bf"), "password=*** dbname=bf host=x");
	CHECK_STR(safe("host=x sslpassword=k3y sslmode=require"),
		  "host=x sslmode=require sslpassword=***");
	/* the other values as libpq reads them back */
	CHECK_STR(safe("user=bf password=pw application_name='my app' options='-c a=\\'b\\''"),
		  "user=bf password=*** options='-c a=\\'b\\'' application_name='my app'");
	CHECK_STR(safe("host=x dbname=bf"), "host=x dbname=bf"); /* nothing to hide: as is */
	CHECK_STR(safe(""), "");
}

static void uris(void)
{
	CHECK_STR(safe("postgresql://bf:s3cret@127.0.0.1:5432/bf?sslmode=require"),
		  "user=bf password=*** dbname=bf host=127.0.0.1 port=5432 sslmode=require");
	CHECK_STR(safe("postgres://bf:it's@db/bf"), "user=bf password=*** dbname=bf host=db");
	CHECK_STR(safe("postgresql://db/bf?user=bf&password=hunter2"),
		  "user=bf password=*** dbname=bf host=db");
	/* without a password: unchanged */
	CHECK_STR(safe("postgresql://bf@127.0.0.1:5432/bf?sslmode=require"),
		  "postgresql://bf@127.0.0.1:5432/bf?sslmode=require");
	CHECK_STR(safe("postgresql:///bf"), "postgresql:///bf");
}

/* What libpq cannot parse goes through log_redact. */
static void garbage(void)
{
	CHECK_STR(safe("not a conninfo"), "not a conninfo");
	CHECK_STR(safe("host=x password='unterminated"), "host=x password=***");
	CHECK_STR(safe("host=x nosuchkey=1 password=pw"), "host=x nosuchkey=1 password=***");
	CHECK_STR(safe("postgresql://bf:pw@h/bf?nosuchkey=1"),
		  "postgresql://bf:***@h/bf?nosuchkey=1");
	char tiny[12];
	db_url_safe("host=x password=hunter2 dbname=bf", tiny, sizeof(tiny));
	CHECK(strlen(tiny) < sizeof(tiny));
	CHECK(strstr(tiny, "hunt") == NULL);
	db_url_safe("host=x", tiny, 0); /* writes nothing */
}

static void connect_closed_port(void)
{
	/* nothing listens on port 1: refused at once, one try */
	static const char url[] = "host=127.0.0.1 port=1 user=bf password = hunter2 dbname=bf";
	PGconn *c = NULL;

	log_init("test_db_url");
	log_set_level(LOG_INFO);
	if (db_connect(&c, url, 1, NULL) == 0)
		PQfinish(c);
}

static void connect_failed_line_masks_the_password(void)
{
	char *out = t_capture_stderr(connect_closed_port);

	REQUIRE(out != NULL);
	CHECK(strstr(out, "database connect failed") != NULL);
	CHECK(strstr(out, "hunter2") == NULL);
	CHECK(strstr(out, " url=\"user=bf password=*** dbname=bf host=127.0.0.1 port=1\"") != NULL);
	if (strstr(out, "hunter2") != NULL || strstr(out, "password=***") == NULL)
		printf("#   %s", out);
	free(out);
}

/* The parameters of "= ANY($1::bigint[])" and the batch keys: PostgreSQL's
 * array literal, a buffer used again starts empty. */
static void array_literals(void)
{
	const int64_t v[3] = { 41000001, -7, 9223372036854775807LL };
	const bool f[3] = { true, false, true };
	struct strbuf b = { 0 };

	db_array_int(&b, v, 3);
	CHECK_STR(b.p, "{41000001,-7,9223372036854775807}");
	db_array_int(&b, v, 1);
	CHECK_STR(b.p, "{41000001}");
	db_array_int(&b, v, 0);
	CHECK_STR(b.p, "{}");
	db_array_bool(&b, f, 3);
	CHECK_STR(b.p, "{t,f,t}");
	CHECK(!b.oom);
	strbuf_free(&b);
}

int main(int argc, char **argv)
{
	static const struct t_case cases[] = {
		T_CASE(keyword_value),	T_CASE(uris),
		T_CASE(garbage),	T_CASE(connect_failed_line_masks_the_password),
		T_CASE(array_literals),
	};

	t_run_matching(cases, sizeof(cases) / sizeof(cases[0]), argc, argv);
	return t_done();
}
