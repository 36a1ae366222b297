/*
 * http: libcurl with bounded bodies and timeouts.  One client (one reused
 * easy handle, so connections are kept alive) per process/thread.
 */
#ifndef BF_HTTP_H
#define BF_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define HTTP_DEFAULT_MAX_BODY (8L * 1024 * 1024)
/* Most response headers one request may capture, and the longest value kept. */
#define HTTP_CAPTURE_MAX 4
#define HTTP_CAPTURE_LEN 128

struct http_client;

struct http_request {
	const char *method; /* NULL = GET */
	const char *url;
	const char *body; /* POST/PUT body or NULL */
	size_t body_len;
	const char *content_type; /* of body; NULL = application/json */
	const char *if_none_match; /* ETag to revalidate, or NULL */
	const char *userpwd; /* "user:password" for HTTP Basic, or NULL */
	const char *header; /* one more request header, "Name: value", or NULL */
	long timeout_ms; /* total; 0 = 10 s */
	long connect_timeout_ms; /* 0 = min(timeout, 5 s) */
	size_t max_body; /* 0 = HTTP_DEFAULT_MAX_BODY */
	/* more response headers to keep: names (any case), NULL-terminated, at
	 * most HTTP_CAPTURE_MAX; read back with http_header().  NULL = none */
	const char *const *capture;
};

struct http_response {
	long status; /* 0 when no response arrived */
	char *body; /* NUL-terminated, len bytes; never NULL after http_do */
	size_t len;
	char etag[256];
	char cache_control[256];
	char content_type[128];
	long retry_after; /* seconds from Retry-After, -1 when absent */
	/* the request's capture headers, in its order (http_header()) */
	const char *const *capture;
	bool captured[HTTP_CAPTURE_MAX];
	char captured_value[HTTP_CAPTURE_MAX][HTTP_CAPTURE_LEN];
	bool timed_out;
	bool too_large; /* the body passed max_body (error says so) */
	char error[256]; /* transport error text when status == 0 */
};

int http_client_new(struct http_client **out) __attribute__((warn_unused_result));
void http_client_free(struct http_client *h);

/*
 * Performs the request.  Returns 0 when an HTTP response arrived (any
 * status; inspect resp->status), -1 on a transport error (connect, timeout,
 * body larger than max_body, ...) described in resp->error.  Free resp with
 * http_response_free() in both cases.
 */
int http_do(struct http_client *h, const struct http_request *req, struct http_response *resp);
void http_response_free(struct http_response *resp);

/* Value of response header name, one of the request's capture (blanks
 * trimmed, at most HTTP_CAPTURE_LEN - 1 bytes); NULL when it did not come. */
const char *http_header(const struct http_response *resp, const char *name);

/* Most requests of one http_do_many(). */
#define HTTP_MANY_MAX 64

/*
 * Performs n requests side by side (libcurl multi, keep-alive connections
 * of its own), request i not before start_ms[i] (CLOCK_MONOTONIC
 * milliseconds, nondecreasing; NULL = all at once).  resp[i] and rc[i] are
 * what http_do() would give; free every resp[i].
 */
void http_do_many(struct http_client *h, const struct http_request *req, struct http_response *resp,
		  int *rc, size_t n, const int64_t *start_ms);

/*
 * http_do_many() in two halves, so that the requests are answered while
 * the caller does something else: http_many_start() sends the requests that
 * are due and returns; http_many_wait() finishes them all.  req (and the
 * strings and bodies it points to), resp, rc and start_ms must stay valid
 * until then, and nothing else of the many may be used in between (http_do
 * may).  A second start waits for the first; wait before
 * http_client_free().  Answers arriving before the wait sit in the
 * sockets' buffers.
 */
void http_many_start(struct http_client *h, const struct http_request *req,
		     struct http_response *resp, int *rc, size_t n, const int64_t *start_ms);
void http_many_wait(struct http_client *h);
/* While waiting for something else: moves the many on, and returns when fd
 * is readable or timeout_ms have passed (or earlier). */
void http_many_poll(struct http_client *h, int fd, int timeout_ms);

/*
 * GET url and hand its body to sink as it arrives (sink returns 0 to go
 * on, -1 to stop), never holding it in memory: for files far larger than
 * any answer (a finished video).  A body over max_bytes, a status other
 * than 200, a transport error or a stopping sink is -1 with the reason in
 * err; *status is the HTTP status (0 = none).  Redirects are followed (a
 * CDN), to http and https only.  Its own connection: h is not used.
 */
int http_download(const char *url, long long max_bytes, long timeout_ms,
		  int (*sink)(const char *buf, size_t n, void *arg), void *arg, long *status,
		  char *err, size_t errlen) __attribute__((warn_unused_result));

/* URL-escapes s; caller frees.  NULL on failure. */
char *http_escape(const char *s);

/* max-age of a Cache-Control value in seconds, -1 when absent. */
long http_max_age(const char *cache_control);

#endif
