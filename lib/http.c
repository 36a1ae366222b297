#include "http.h"

#include <ctype.h>
#include <limits.h>
#include <poll.h>
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "clock.h"
#include "notify.h"
#include "version.h"

struct http_client {
	CURL *curl;
	CURLM *multi; /* http_do_many: its own connection cache */
	CURL *easy[HTTP_MANY_MAX];
	struct many *many; /* http_many_start() in flight, or idle */
};

struct sink {
	CURL *c;
	struct http_response *r;
	size_t cap; /* allocated */
	size_t max; /* hard limit */
	bool overflow;
};

static bool curl_ready;

int http_client_new(struct http_client **out)
{
	struct http_client *h;

	*out = NULL;
	if (!curl_ready) {
		if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
			return -1;
		curl_ready = true;
	}
	h = calloc(1, sizeof(*h));
	if (h == NULL)
		return -1;
	h->curl = curl_easy_init();
	if (h->curl == NULL) {
		free(h);
		return -1;
	}
	*out = h;
	return 0;
}

void http_client_free(struct http_client *h)
{
	if (h == NULL)
		return;
	for (size_t i = 0; i < HTTP_MANY_MAX; i++)
		if (h->easy[i] != NULL)
			curl_easy_cleanup(h->easy[i]);
	if (h->multi != NULL)
		curl_multi_cleanup(h->multi);
	free(h->many);
	curl_easy_cleanup(h->curl);
	free(h);
}

/* libcurl's progress callback (about once a second, also while a
 * transfer stalls): a request bounded by its timeout is the loop at work,
 * however long (a video's download), so the systemd watchdog is fed. */
static int on_progress(void *arg, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal,
		       curl_off_t ulnow)
{
	(void)arg;
	(void)dltotal;
	(void)dlnow;
	(void)ultotal;
	(void)ulnow;
	notify_watchdog();
	return 0;
}

static size_t on_body(char *data, size_t size, size_t nmemb, void *arg)
{
	struct sink *s = arg;
	size_t n = size * nmemb;
	struct http_response *r = s->r;

	if (r->len + n > s->max) {
		s->overflow = true;
		return 0; /* aborts the transfer */
	}
	if (r->len + n + 1 > s->cap) {
		size_t ncap = s->cap ? s->cap : 4096;
		curl_off_t cl = -1;
		char *nb;

		/* the first chunk: room for all of a body of known length at once, rather
		 * than five reallocations and copies on the way to a 56 KB line-ups answer
		 * (a compressed body is longer than its length: it grows from there) */
		if (r->len == 0 &&
		    curl_easy_getinfo(s->c, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &cl) == CURLE_OK &&
		    cl > 0 && (size_t)cl <= s->max)
			ncap = (size_t)cl + 1;
		while (ncap < r->len + n + 1)
			ncap *= 2;
		if (ncap > s->max + 1)
			ncap = s->max + 1;
		nb = realloc(r->body, ncap);
		if (nb == NULL)
			return 0;
		r->body = nb;
		s->cap = ncap;
	}
	memcpy(r->body + r->len, data, n);
	r->len += n;
	r->body[r->len] = '\0';
	return n;
}

/*
 * Response headers come from libcurl's own parse, read from the easy handle
 * once its transfer has finished (finish()) and before the handle is reset
 * or reused: curl_easy_header() keeps them until the handle's next transfer
 * starts.  Request -1 is the last request of the transfer (these handles
 * follow no redirect), origin CURLH_HEADER its final answer: the headers of
 * a 1xx interim answer, of a proxy's CONNECT and trailers are not taken.
 */

/* Value of header name (blanks trimmed by libcurl, cut to n - 1 bytes)
 * into out; the last one when it came more than once, as a later line
 * replaced an earlier one.  false ("" in out) when it did not come. */
static bool header_get(CURL *c, const char *name, char *out, size_t n)
{
	struct curl_header *hv;

	out[0] = '\0';
	if (curl_easy_header(c, name, 0, CURLH_HEADER, -1, &hv) != CURLHE_OK)
		return false;
	if (hv->amount > 1 &&
	    curl_easy_header(c, name, hv->amount - 1, CURLH_HEADER, -1, &hv) != CURLHE_OK)
		return false;
	snprintf(out, n, "%s", hv->value);
	return true;
}

/* Seconds from Retry-After: libcurl's reading (CURLINFO_RETRY_AFTER: both
 * delta-seconds and an HTTP-date), 0 for a date not in the future (libcurl
 * 7.88 gives it negative); -1 when the header did not come, 60 ("a while")
 * when libcurl could not read it. */
static long retry_after_get(CURL *c)
{
	char v[128];
	curl_off_t secs = 0;

	if (!header_get(c, "Retry-After", v, sizeof(v)))
		return -1;
	if (curl_easy_getinfo(c, CURLINFO_RETRY_AFTER, &secs) != CURLE_OK)
		secs = 0;
	if (secs > 0)
		return secs > LONG_MAX ? LONG_MAX : (long)secs;
	/* libcurl's 0 is also "could not read": a zero delay or a date is not */
	if ((v[0] != '\0' && v[strspn(v, "0")] == '\0') || curl_getdate(v, NULL) != -1)
		return 0;
	return 60;
}

/* The headers callers read, after a transfer that finished. */
static void response_headers(CURL *c, struct http_response *r)
{
	char *ct = NULL;

	header_get(c, "ETag", r->etag, sizeof(r->etag));
	header_get(c, "Cache-Control", r->cache_control, sizeof(r->cache_control));
	if (curl_easy_getinfo(c, CURLINFO_CONTENT_TYPE, &ct) == CURLE_OK && ct != NULL)
		snprintf(r->content_type, sizeof(r->content_type), "%s", ct);
	r->retry_after = retry_after_get(c);
	for (size_t i = 0; r->capture != NULL && i < HTTP_CAPTURE_MAX && r->capture[i] != NULL; i++)
		r->captured[i] = header_get(c, r->capture[i], r->captured_value[i],
					    sizeof(r->captured_value[i]));
}

/* Sets c up for req (after a reset); the headers list is the caller's to
 * free after the transfer.  -1 when out of memory. */
static int setup(CURL *c, const struct http_request *req, struct http_response *r, struct sink *s,
		 struct curl_slist **hdrs_out)
{
	struct curl_slist *hdrs = NULL;
	char line[512];
	long timeout = req->timeout_ms > 0 ? req->timeout_ms : 10000;
	long cto = req->connect_timeout_ms > 0 ? req->connect_timeout_ms
					       : (timeout < 5000 ? timeout : 5000);

	memset(r, 0, sizeof(*r));
	r->retry_after = -1;
	r->capture = req->capture;
	*hdrs_out = NULL;
	r->body = calloc(1, 1);
	if (r->body == NULL) {
		snprintf(r->error, sizeof(r->error), "out of memory");
		return -1;
	}
	memset(s, 0, sizeof(*s));
	s->c = c;
	s->r = r;
	s->cap = 1;
	s->max = req->max_body > 0 ? req->max_body : (size_t)HTTP_DEFAULT_MAX_BODY;
	curl_easy_reset(c);
	curl_easy_setopt(c, CURLOPT_URL, req->url);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, on_progress);
	curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, timeout);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, cto);
	curl_easy_setopt(c, CURLOPT_ACCEPT_ENCODING, "");
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_USERAGENT, "bf-datavideos/" BF_VERSION);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, s);
	hdrs = curl_slist_append(hdrs, "Accept: application/json");
	if (req->if_none_match != NULL && req->if_none_match[0] != '\0') {
		snprintf(line, sizeof(line), "If-None-Match: %s", req->if_none_match);
		hdrs = curl_slist_append(hdrs, line);
	}
	if (req->header != NULL)
		hdrs = curl_slist_append(hdrs, req->header);
	if (req->body != NULL) {
		snprintf(line, sizeof(line), "Content-Type: %s",
			 req->content_type ? req->content_type : "application/json");
		hdrs = curl_slist_append(hdrs, line);
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, req->body);
		curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)req->body_len);
	}
	if (req->method != NULL && strcmp(req->method, "GET") != 0 &&
	    strcmp(req->method, "POST") != 0)
		curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, req->method);
	else if (req->method != NULL && strcmp(req->method, "POST") == 0 && req->body == NULL)
		curl_easy_setopt(c, CURLOPT_POST, 1L);
	/* libcurl silently re-sends a request whose kept-alive connection died
	 * before any answer: for a POST that may be a second video */
	if (req->body != NULL || (req->method != NULL && strcmp(req->method, "GET") != 0)) {
		curl_easy_setopt(c, CURLOPT_FRESH_CONNECT, 1L);
		/* and that connection is not kept: it would only idle */
		curl_easy_setopt(c, CURLOPT_FORBID_REUSE, 1L);
	}
	if (req->userpwd != NULL) {
		curl_easy_setopt(c, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
		curl_easy_setopt(c, CURLOPT_USERPWD, req->userpwd);
	}
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdrs);
	*hdrs_out = hdrs;
	if (hdrs == NULL) {
		snprintf(r->error, sizeof(r->error), "out of memory");
		return -1;
	}
	return 0;
}

/* After the transfer: the status, or the transport error.  0 or -1. */
static int finish(CURL *c, CURLcode cc, struct http_response *r, const struct sink *s,
		  struct curl_slist *hdrs)
{
	int rc = -1;

	if (cc == CURLE_OK) {
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r->status);
		/* only now: a transfer that failed may not have started, and then
		 * libcurl still holds the headers of the handle's previous one */
		response_headers(c, r);
		rc = 0;
	} else if (s->overflow) {
		r->too_large = true;
		snprintf(r->error, sizeof(r->error), "response body larger than %zu bytes", s->max);
	} else {
		r->timed_out = cc == CURLE_OPERATION_TIMEDOUT;
		snprintf(r->error, sizeof(r->error), "%s", curl_easy_strerror(cc));
	}
	if (rc != 0)
		r->status = 0;
	/* never keep secrets in the handle between requests */
	curl_easy_setopt(c, CURLOPT_USERPWD, NULL);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, NULL);
	curl_slist_free_all(hdrs);
	return rc;
}

int http_do(struct http_client *h, const struct http_request *req, struct http_response *r)
{
	struct curl_slist *hdrs;
	struct sink s;

	if (setup(h->curl, req, r, &s, &hdrs) != 0) {
		curl_slist_free_all(hdrs);
		return -1;
	}
	return finish(h->curl, curl_easy_perform(h->curl), r, &s, hdrs);
}

/* One http_many_start() to its http_many_wait(). */
struct many {
	const struct http_request *req;
	struct http_response *resp;
	int *rc;
	const int64_t *start_ms;
	size_t n, started, done;
	bool active;
	struct sink sinks[HTTP_MANY_MAX];
	struct curl_slist *hdrs[HTTP_MANY_MAX];
};

/* Starts what is due, moves every transfer on, collects the finished ones;
 * then waits for activity up to wait_ms (0: not at all). */
static void many_step(struct http_client *h, int wait_ms)
{
	struct many *m = h->many;
	int64_t now = clock_mono_ms();
	int still, left;
	CURLMsg *msg;

	while (m->started < m->n && (m->start_ms == NULL || m->start_ms[m->started] <= now)) {
		size_t i = m->started++;
		if (setup(h->easy[i], &m->req[i], &m->resp[i], &m->sinks[i], &m->hdrs[i]) != 0) {
			curl_slist_free_all(m->hdrs[i]);
			m->hdrs[i] = NULL;
			m->done++;
			continue;
		}
		if (curl_multi_add_handle(h->multi, h->easy[i]) != CURLM_OK) {
			snprintf(m->resp[i].error, sizeof(m->resp[i].error),
				 "cannot start the request");
			finish(h->easy[i], CURLE_FAILED_INIT, &m->resp[i], &m->sinks[i],
			       m->hdrs[i]);
			m->hdrs[i] = NULL;
			m->rc[i] = -1;
			m->done++;
		}
	}
	curl_multi_perform(h->multi, &still);
	while ((msg = curl_multi_info_read(h->multi, &left)) != NULL) {
		size_t i;
		if (msg->msg != CURLMSG_DONE)
			continue;
		for (i = 0; i < m->n && h->easy[i] != msg->easy_handle; i++)
			;
		if (i == m->n)
			continue;
		/* its headers are read here, before the handle is removed and reused */
		m->rc[i] =
			finish(h->easy[i], msg->data.result, &m->resp[i], &m->sinks[i], m->hdrs[i]);
		m->hdrs[i] = NULL;
		curl_multi_remove_handle(h->multi, h->easy[i]);
		m->done++;
	}
	if (m->done >= m->n || wait_ms <= 0)
		return;
	if (m->started < m->n && m->start_ms != NULL) {
		int64_t until = m->start_ms[m->started] - clock_mono_ms();
		if (until < wait_ms)
			wait_ms = until <= 0 ? 0 : (int)until;
	}
	curl_multi_poll(h->multi, NULL, 0, wait_ms, NULL);
}

/* No multi handle: one after the other, now. */
static void many_serial(struct http_client *h, const struct http_request *req,
			struct http_response *resp, int *rc, size_t n, const int64_t *start_ms)
{
	for (size_t i = 0; i < n; i++) {
		if (start_ms != NULL)
			clock_sleep_ms(start_ms[i] - clock_mono_ms());
		rc[i] = http_do(h, &req[i], &resp[i]);
	}
}

void http_many_start(struct http_client *h, const struct http_request *req,
		     struct http_response *resp, int *rc, size_t n, const int64_t *start_ms)
{
	struct many *m;

	http_many_wait(h); /* one at a time */
	for (size_t i = 0; i < n; i++)
		rc[i] = -1;
	if (n > HTTP_MANY_MAX) {
		for (size_t i = 0; i < n; i++) {
			memset(&resp[i], 0, sizeof(resp[i]));
			resp[i].retry_after = -1;
			snprintf(resp[i].error, sizeof(resp[i].error),
				 "more than %d requests at once", HTTP_MANY_MAX);
		}
		return;
	}
	if (h->many == NULL && (h->many = calloc(1, sizeof(*h->many))) == NULL)
		goto serial;
	if (h->multi == NULL && (h->multi = curl_multi_init()) == NULL)
		goto serial;
	for (size_t i = 0; i < n; i++)
		if (h->easy[i] == NULL && (h->easy[i] = curl_easy_init()) == NULL)
			goto serial;
	m = h->many;
	m->req = req;
	m->resp = resp;
	m->rc = rc;
	m->start_ms = start_ms;
	m->n = n;
	m->started = m->done = 0;
	m->active = n > 0;
	if (m->active)
		many_step(h, 0); /* the requests go out; their answers wait in the sockets */
	return;
serial:
	many_serial(h, req, resp, rc, n, start_ms);
}

void http_many_poll(struct http_client *h, int fd, int timeout_ms)
{
	struct curl_waitfd wfd = { .fd = fd, .events = CURL_WAIT_POLLIN };

	if (h->many == NULL || !h->many->active || h->many->done >= h->many->n) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		poll(&p, 1, timeout_ms);
		return;
	}
	many_step(h, 0);
	curl_multi_poll(h->multi, &wfd, 1, timeout_ms, NULL);
}

void http_many_wait(struct http_client *h)
{
	struct many *m = h->many;

	if (m == NULL || !m->active)
		return;
	while (m->done < m->n)
		many_step(h, 1000);
	m->active = false;
}

void http_do_many(struct http_client *h, const struct http_request *req, struct http_response *resp,
		  int *rc, size_t n, const int64_t *start_ms)
{
	http_many_start(h, req, resp, rc, n, start_ms);
	http_many_wait(h);
}

void http_response_free(struct http_response *r)
{
	free(r->body);
	r->body = NULL;
	r->len = 0;
}

const char *http_header(const struct http_response *r, const char *name)
{
	for (size_t i = 0; r->capture != NULL && i < HTTP_CAPTURE_MAX && r->capture[i] != NULL; i++)
		if (r->captured[i] && strcasecmp(r->capture[i], name) == 0)
			return r->captured_value[i];
	return NULL;
}

long http_max_age(const char *cc)
{
	const char *p = cc;

	if (p == NULL)
		return -1;
	while ((p = strstr(p, "max-age")) != NULL) {
		/* skip s-maxage, which contains "maxage" not "max-age" anyway */
		p += strlen("max-age");
		while (*p == ' ')
			p++;
		if (*p != '=')
			continue;
		p++;
		if (!isdigit((unsigned char)*p))
			return -1;
		return strtol(p, NULL, 10);
	}
	return -1;
}

char *http_escape(const char *s)
{
	char *e = curl_easy_escape(NULL, s, 0);
	char *out;

	if (e == NULL)
		return NULL;
	out = strdup(e);
	curl_free(e);
	return out;
}

/* ---- downloads ------------------------------------------------------------- */

struct download {
	long long got, max;
	int (*sink)(const char *buf, size_t n, void *arg);
	void *arg;
	bool too_big, stopped;
	long status; /* of the final answer, known once its body starts */
	CURL *c;
};

static size_t on_download(char *p, size_t size, size_t n, void *arg)
{
	struct download *d = arg;
	size_t len = size * n;

	curl_easy_getinfo(d->c, CURLINFO_RESPONSE_CODE, &d->status);
	if (d->status != 200)
		return len; /* an error page: read, not kept */
	if (d->got + (long long)len > d->max) {
		d->too_big = true;
		return 0;
	}
	if (d->sink(p, len, d->arg) != 0) {
		d->stopped = true;
		return 0;
	}
	d->got += (long long)len;
	return len;
}

int http_download(const char *url, long long max_bytes, long timeout_ms,
		  int (*sink)(const char *buf, size_t n, void *arg), void *arg, long *status,
		  char *err, size_t errlen)
{
	struct download d = { .max = max_bytes, .sink = sink, .arg = arg };
	CURLcode rc;

	*status = 0;
	d.c = curl_easy_init();
	if (d.c == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	curl_easy_setopt(d.c, CURLOPT_URL, url);
	curl_easy_setopt(d.c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(d.c, CURLOPT_XFERINFOFUNCTION, on_progress);
	curl_easy_setopt(d.c, CURLOPT_NOPROGRESS, 0L);
	curl_easy_setopt(d.c, CURLOPT_TIMEOUT_MS, timeout_ms);
	curl_easy_setopt(d.c, CURLOPT_CONNECTTIMEOUT_MS, timeout_ms < 10000 ? timeout_ms : 10000L);
	curl_easy_setopt(d.c, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(d.c, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(d.c, CURLOPT_FOLLOWLOCATION, 1L);
	curl_easy_setopt(d.c, CURLOPT_MAXREDIRS, 5L);
	curl_easy_setopt(d.c, CURLOPT_USERAGENT, "bf-datavideos/" BF_VERSION);
	curl_easy_setopt(d.c, CURLOPT_WRITEFUNCTION, on_download);
	curl_easy_setopt(d.c, CURLOPT_WRITEDATA, &d);
	rc = curl_easy_perform(d.c);
	curl_easy_getinfo(d.c, CURLINFO_RESPONSE_CODE, status);
	curl_easy_cleanup(d.c);
	if (d.too_big) {
		snprintf(err, errlen, "larger than %lld bytes", max_bytes);
		return -1;
	}
	if (d.stopped) {
		snprintf(err, errlen, "writing the file failed after %lld bytes", d.got);
		return -1;
	}
	if (rc != CURLE_OK) {
		snprintf(err, errlen, "%s after %lld bytes", curl_easy_strerror(rc), d.got);
		return -1;
	}
	if (*status != 200) {
		snprintf(err, errlen, "HTTP %ld", *status);
		return -1;
	}
	return 0;
}
