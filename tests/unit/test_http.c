/*
 * test_http: lib/http.c's response headers, read from libcurl's own parse
 * (curl_easy_header, CURLINFO_CONTENT_TYPE, CURLINFO_RETRY_AFTER) against a
 * scripted HTTP server on a loopback port (a thread of this test): ETag,
 * Cache-Control, Content-Type, Retry-After as seconds or as an HTTP-date,
 * the request's capture headers (http_header), the headers of an interim
 * 100 answer left out, and each answer's own headers with one reused
 * handle (http_do) and with the multi interface (http_do_many).
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "lib/http.h"
#include "tests/support/t.h"
#include "tests/support/testenv.h"

/* ---- a scripted HTTP server ------------------------------------------------ */

#define NPATHS 8

static struct {
	int fd;
	int port;
	pthread_t th;
	pthread_mutex_t mu;
	/* the answer to GET /i: its status line and headers, each ending in CRLF;
	 * the server adds Content-Length, Connection: close and the body "ok" */
	char head[NPATHS][1024];
} srv = { .mu = PTHREAD_MUTEX_INITIALIZER };

static void *serve(void *arg)
{
	(void)arg;
	for (;;) {
		char req[4096], out[1200];
		size_t got = 0;
		int c = accept(srv.fd, NULL, NULL), i = -1, n;

		if (c < 0)
			return NULL;
		while (got < sizeof(req) - 1) {
			ssize_t k = read(c, req + got, sizeof(req) - 1 - got);
			if (k <= 0)
				break;
			got += (size_t)k;
			req[got] = '\0';
			if (strstr(req, "\r\n\r\n") != NULL)
				break;
		}
		req[got] = '\0';
		if (sscanf(req, "GET /%d ", &i) != 1 || i < 0 || i >= NPATHS)
			i = -1;
		pthread_mutex_lock(&srv.mu);
		n = snprintf(out, sizeof(out), "%sContent-Length: 2\r\nConnection: close\r\n\r\nok",
			     i >= 0 ? srv.head[i] : "HTTP/1.1 404 Not Found\r\n");
		pthread_mutex_unlock(&srv.mu);
		if (n > 0 && write(c, out, strlen(out)) < 0)
			fprintf(stderr, "# server: write failed\n");
		close(c);
	}
}

static int srv_start(void)
{
	srv.fd = tenv_listen_loopback(&srv.port);
	if (srv.fd < 0)
		return -1;
	return pthread_create(&srv.th, NULL, serve, NULL) == 0 ? 0 : -1;
}

static void answer(int i, const char *head)
{
	pthread_mutex_lock(&srv.mu);
	snprintf(srv.head[i], sizeof(srv.head[i]), "%s", head);
	pthread_mutex_unlock(&srv.mu);
}

static char urls[NPATHS][64];

static const char *url(int i)
{
	snprintf(urls[i], sizeof(urls[i]), "http://127.0.0.1:%d/%d", srv.port, i);
	return urls[i];
}

static const char *const capture[] = { "X-RateLimit-Remaining", "X-Retry-In", NULL };

static struct http_request get(int i)
{
	struct http_request req;

	memset(&req, 0, sizeof(req));
	req.url = url(i);
	req.timeout_ms = 5000;
	req.capture = capture;
	return req;
}

/* An HTTP-date secs from now (RFC 9110 IMF-fixdate). */
static void http_date(long secs, char *out, size_t n)
{
	time_t t = time(NULL) + secs;
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(out, n, "%a, %d %b %Y %H:%M:%S GMT", &tm);
}

/* ---- cases -------------------------------------------------------------------- */

static void named_and_captured_headers(void)
{
	struct http_client *h;
	struct http_response r;
	struct http_request req = get(0);

	answer(0, "HTTP/1.1 200 OK\r\nETag:   \"v1\"  \r\nCache-Control: public, max-age=30\r\n"
		  "Content-Type: application/json; charset=utf-8\r\n"
		  "X-RateLimit-Remaining: 9\r\nx-ratelimit-remaining: 8\r\n");
	REQUIRE(http_client_new(&h) == 0);
	CHECK_INT(http_do(h, &req, &r), 0);
	CHECK_INT(r.status, 200);
	CHECK_STR(r.body, "ok");
	CHECK_STR(r.etag, "\"v1\"");
	CHECK_STR(r.cache_control, "public, max-age=30");
	CHECK_INT(http_max_age(r.cache_control), 30);
	CHECK_STR(r.content_type, "application/json; charset=utf-8");
	CHECK_INT(r.retry_after, -1);
	/* any case; the last line of a repeated header */
	CHECK_STR(http_header(&r, "x-RATELIMIT-remaining"), "8");
	CHECK(http_header(&r, "X-Retry-In") == NULL);
	CHECK(http_header(&r, "ETag") == NULL); /* not one of the request's */
	http_response_free(&r);
	http_client_free(h);
}

/* Retry-After as libcurl reads it: seconds or an HTTP-date (until then),
 * 0 for a date past, 60 for what it cannot read, -1 when absent. */
static void retry_after_seconds_or_date(void)
{
	static const struct {
		const char *value; /* NULL: the date 300 s ahead; "" no header */
		long lo, hi;
	} cases[] = {
		{ "120", 120, 120 }, { NULL, 295, 301 }, { "Thu, 01 Jan 2015 00:00:00 GMT", 0, 0 },
		{ "0", 0, 0 },	     { "soon", 60, 60 }, { "", -1, -1 },
	};
	struct http_client *h;

	REQUIRE(http_client_new(&h) == 0);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct http_request req = get(1);
		struct http_response r;
		char head[256], date[64];

		http_date(300, date, sizeof(date));
		if (cases[i].value != NULL && cases[i].value[0] == '\0')
			snprintf(head, sizeof(head), "HTTP/1.1 503 Busy\r\n");
		else
			snprintf(head, sizeof(head), "HTTP/1.1 503 Busy\r\nRetry-After: %s\r\n",
				 cases[i].value != NULL ? cases[i].value : date);
		answer(1, head);
		CHECK_INT(http_do(h, &req, &r), 0);
		CHECK_INT(r.status, 503);
		if (r.retry_after < cases[i].lo || r.retry_after > cases[i].hi)
			printf("#   Retry-After: %s -> %ld\n",
			       cases[i].value != NULL ? cases[i].value : date, r.retry_after);
		CHECK(r.retry_after >= cases[i].lo && r.retry_after <= cases[i].hi);
		http_response_free(&r);
	}
	http_client_free(h);
}

/* The headers of a 100 Continue before the answer are not the answer's. */
static void interim_answer_left_out(void)
{
	struct http_client *h;
	struct http_response r;
	struct http_request req = get(2);

	answer(2, "HTTP/1.1 100 Continue\r\nETag: \"interim\"\r\nX-Retry-In: 5000\r\n\r\n"
		  "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n");
	REQUIRE(http_client_new(&h) == 0);
	CHECK_INT(http_do(h, &req, &r), 0);
	CHECK_INT(r.status, 200);
	CHECK_STR(r.etag, "");
	CHECK_STR(r.content_type, "text/plain");
	CHECK(http_header(&r, "X-Retry-In") == NULL);
	http_response_free(&r);
	http_client_free(h);
}

/* One handle, one request after the other: an answer without a header
 * does not show the previous answer's; a transport error shows none. */
static void reused_handle_forgets(void)
{
	struct http_client *h;
	struct http_response r;
	struct http_request req = get(3);

	answer(3, "HTTP/1.1 429 Slow\r\nETag: \"e3\"\r\nRetry-After: 7\r\nX-Retry-In: 1500\r\n"
		  "Content-Type: application/json\r\n");
	answer(4, "HTTP/1.1 200 OK\r\n");
	REQUIRE(http_client_new(&h) == 0);
	CHECK_INT(http_do(h, &req, &r), 0);
	CHECK_STR(r.etag, "\"e3\"");
	CHECK_INT(r.retry_after, 7);
	CHECK_STR(http_header(&r, "X-Retry-In"), "1500");
	http_response_free(&r);

	req = get(4);
	CHECK_INT(http_do(h, &req, &r), 0);
	CHECK_INT(r.status, 200);
	CHECK_STR(r.etag, "");
	CHECK_STR(r.content_type, "");
	CHECK_INT(r.retry_after, -1);
	CHECK(http_header(&r, "X-Retry-In") == NULL);
	http_response_free(&r);

	req = get(3);
	CHECK_INT(http_do(h, &req, &r), 0);
	http_response_free(&r);
	req.url = "http://127.0.0.1:1/"; /* nothing listens */
	CHECK_INT(http_do(h, &req, &r), -1);
	CHECK_INT(r.status, 0);
	CHECK_STR(r.etag, "");
	CHECK_INT(r.retry_after, -1);
	CHECK(http_header(&r, "X-Retry-In") == NULL);
	http_response_free(&r);
	http_client_free(h);
}

/* Side by side (libcurl multi): each answer its own headers, twice over
 * the same easy handles, and http_do between. */
static void many_each_its_own(void)
{
	struct http_client *h;
	struct http_request req[3];
	struct http_response r[3];
	int rc[3];
	char date[64], head[256];

	http_date(600, date, sizeof(date));
	answer(5, "HTTP/1.1 200 OK\r\nETag: \"five\"\r\nX-RateLimit-Remaining: 5\r\n");
	answer(6, "HTTP/1.1 429 Slow\r\nX-Retry-In: 2500\r\nRetry-After: 3\r\n");
	snprintf(head, sizeof(head), "HTTP/1.1 503 Busy\r\nRetry-After: %s\r\n", date);
	answer(7, head);
	REQUIRE(http_client_new(&h) == 0);
	for (int round = 0; round < 2; round++) {
		for (int i = 0; i < 3; i++)
			req[i] = get(round == 0 ? 5 + i : 7 - i);
		http_do_many(h, req, r, rc, 3, NULL);
		for (int i = 0; i < 3; i++) {
			int path = round == 0 ? 5 + i : 7 - i;
			CHECK_INT(rc[i], 0);
			CHECK_STR(r[i].etag, path == 5 ? "\"five\"" : "");
			if (path == 5)
				CHECK_STR(http_header(&r[i], "X-RateLimit-Remaining"), "5");
			else
				CHECK(http_header(&r[i], "X-RateLimit-Remaining") == NULL);
			if (path == 6)
				CHECK_STR(http_header(&r[i], "X-Retry-In"), "2500");
			else
				CHECK(http_header(&r[i], "X-Retry-In") == NULL);
			if (path == 5)
				CHECK_INT(r[i].retry_after, -1);
			else if (path == 6)
				CHECK_INT(r[i].retry_after, 3);
			else
				CHECK(r[i].retry_after >= 595 && r[i].retry_after <= 601);
			http_response_free(&r[i]);
		}
		req[0] = get(4);
		CHECK_INT(http_do(h, &req[0], &r[0]), 0);
		CHECK_STR(r[0].etag, "");
		CHECK_INT(r[0].retry_after, -1);
		http_response_free(&r[0]);
	}
	http_client_free(h);
}

int main(int argc, char **argv)
{
	static const struct t_case cases[] = {
		T_CASE(named_and_captured_headers), T_CASE(retry_after_seconds_or_date),
		T_CASE(interim_answer_left_out),    T_CASE(reused_handle_forgets),
		T_CASE(many_each_its_own),
	};

	if (srv_start() != 0) {
		fprintf(stderr, "cannot start the server\n");
		return 1;
	}
	t_run_matching(cases, sizeof(cases) / sizeof(cases[0]), argc, argv);
	return t_done();
}
