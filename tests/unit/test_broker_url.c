/*
 * test_broker_url: the "broker connect failed url=..." line of
 * protocol/broker_conn.c names the URL with its password masked by a URL
 * parser (libcurl's), also where a text scan would miss it; no server: a
 * closed port on the loopback, one try.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/log.h"
#include "protocol/broker.h"
#include "tests/support/t.h"

static const char *urls;

static void open_once(void)
{
	struct broker_opts o;
	struct broker *b = NULL;

	memset(&o, 0, sizeof(o));
	o.urls = urls;
	o.conn_name = "test_broker_url";
	o.op_timeout = 2;
	o.max_connect_tries = 1;
	log_init("test_broker_url");
	log_set_level(LOG_INFO);
	if (broker_open(&b, &o) == 0)
		broker_close(b);
}

/* The URL's line (its password masked), NULL when it failed. */
static char *failed_line(const char *list)
{
	urls = list;
	return t_capture_stderr(open_once);
}

static void password_masked_by_the_parser(void)
{
	/* a quote is allowed in a URL's password; a text scan stops at it */
	char *out = failed_line("amqp://bf:it's@127.0.0.1:1/");

	REQUIRE(out != NULL);
	CHECK(strstr(out, "it's") == NULL);
	CHECK(strstr(out, "broker connect failed url=amqp://bf:***@127.0.0.1:1/ ") != NULL);
	if (strstr(out, "it's") != NULL)
		printf("#   %s", out);
	free(out);

	out = failed_line("amqps://bf:p%40ss@127.0.0.1:1/%2F");
	REQUIRE(out != NULL);
	CHECK(strstr(out, "p%40ss") == NULL);
	CHECK(strstr(out, "url=amqps://bf:***@127.0.0.1:1/%2F ") != NULL);
	free(out);
}

static void url_without_password_as_written(void)
{
	char *out = failed_line("amqp://bf@127.0.0.1:1/bf");

	REQUIRE(out != NULL);
	CHECK(strstr(out, "broker connect failed url=amqp://bf@127.0.0.1:1/bf ") != NULL);
	free(out);
}

/* What rabbitmq-c cannot parse is not connected to; its line is redacted. */
static void unparsable_url_redacted(void)
{
	char *out = failed_line("amqp://bf:secret@127.0.0.1:notaport/");

	REQUIRE(out != NULL);
	CHECK(strstr(out, "secret") == NULL);
	CHECK(strstr(out, "cannot parse AMQP URL") != NULL);
	free(out);
}

int main(int argc, char **argv)
{
	static const struct t_case cases[] = {
		T_CASE(password_masked_by_the_parser),
		T_CASE(url_without_password_as_written),
		T_CASE(unparsable_url_redacted),
	};

	t_run_matching(cases, sizeof(cases) / sizeof(cases[0]), argc, argv);
	return t_done();
}
