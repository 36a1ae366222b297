/*
 * post_once: is a POST sent once when the server stores it and then closes the
 * connection without an answer?  (tests/system/chaos/post-once.sh runs it against the fake
 * Plainly; the chaos run met this as duplicate renders.)
 *
 *   post_once BASE_URL SUBJECT lib     lib/http.c's http_do, as the consumers call it
 *   post_once BASE_URL SUBJECT fresh   plain libcurl with CURLOPT_FRESH_CONNECT on the POST
 *
 * Both first GET BASE_URL/me on the same handle, so the POST can go over a kept-alive
 * connection (as in a consumer, where one easy handle serves every request), then POST
 * BASE_URL/renders once.  Prints "rc=.. status=.. error=.." of that one call; the caller
 * asks the fake how many renders it stored for SUBJECT.
 *
 * libcurl (7.88, Debian 12) re-sends a request, POST included, on a fresh connection
 * when it went over a reused connection and not a byte came back (Curl_retry_request:
 * "Connection died, retrying a fresh connect").  When the server did process the first
 * one, that is a second render at Plainly, which has no idempotency key.
 */
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/http.h"

static size_t sink(char *d, size_t s, size_t n, void *u)
{
	(void)d;
	(void)u;
	return s * n;
}

int main(int argc, char **argv)
{
	char url[512], body[512];

	if (argc != 4 || (strcmp(argv[3], "lib") != 0 && strcmp(argv[3], "fresh") != 0)) {
		fprintf(stderr, "usage: post_once BASE_URL SUBJECT lib|fresh\n");
		return 2;
	}
	snprintf(body, sizeof(body),
		 "{\"projectId\":\"post-once\",\"templateId\":\"t\",\"parameters\":{},"
		 "\"attributes\":{\"bfSubject\":\"%s\"}}",
		 argv[2]);
	if (strcmp(argv[3], "lib") == 0) {
		struct http_client *h;
		struct http_request rq;
		struct http_response rs;
		int rc;

		if (http_client_new(&h) != 0)
			return 1;
		memset(&rq, 0, sizeof(rq));
		snprintf(url, sizeof(url), "%s/me", argv[1]);
		rq.url = url;
		rq.userpwd = "post-once-key:";
		rq.timeout_ms = 5000;
		rc = http_do(h, &rq, &rs);
		printf("GET /me rc=%d status=%ld\n", rc, rs.status);
		http_response_free(&rs);

		memset(&rq, 0, sizeof(rq));
		snprintf(url, sizeof(url), "%s/renders", argv[1]);
		rq.method = "POST";
		rq.url = url;
		rq.body = body;
		rq.body_len = strlen(body);
		rq.userpwd = "post-once-key:";
		rq.timeout_ms = 5000;
		rc = http_do(h, &rq, &rs);
		printf("POST /renders rc=%d status=%ld error=\"%s\"\n", rc, rs.status, rs.error);
		http_response_free(&rs);
		http_client_free(h);
		return 0;
	}

	/* the fix, shown with plain libcurl: a POST never goes over a reused connection */
	CURL *c;
	CURLcode cc;
	long status = 0;

	curl_global_init(CURL_GLOBAL_DEFAULT);
	c = curl_easy_init();
	snprintf(url, sizeof(url), "%s/me", argv[1]);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_USERPWD, "post-once-key:");
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, sink);
	cc = curl_easy_perform(c);
	printf("GET /me cc=%d\n", (int)cc);

	curl_easy_reset(c);
	snprintf(url, sizeof(url), "%s/renders", argv[1]);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_USERPWD, "post-once-key:");
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, sink);
	curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
	curl_easy_setopt(c, CURLOPT_FRESH_CONNECT, 1L);
	cc = curl_easy_perform(c);
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
	printf("POST /renders rc=%d status=%ld error=\"%s\"\n", cc == CURLE_OK ? 0 : -1, status,
	       cc == CURLE_OK ? "" : curl_easy_strerror(cc));
	curl_easy_cleanup(c);
	curl_global_cleanup();
	return 0;
}
