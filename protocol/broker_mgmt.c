/*
 * broker_mgmt.c: the management HTTP API through lib/http (bounded bodies,
 * timeouts).  The URLs are taken apart with libcurl's URL parser (the
 * management URL) and rabbitmq-c's (amqp.url), the same that connects.
 */
#include "broker_mgmt.h"

#include <amqp.h>
#include <curl/curl.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../lib/http.h"

struct mgmt {
	struct http_client *http;
	char base[512]; /* scheme://host:port[/prefix], no userinfo, no trailing "/" */
	char userpwd[512]; /* "user:password" */
	char vhost[256];
	char vhost_path[768];
	long timeout_ms;
	char error[512];
};

static void set_error(struct mgmt *m, const char *what, long status, const char *body)
{
	char text[200];
	size_t n = 0;

	/* the answer's first line, printable bytes only (it goes to a log) */
	for (const char *p = body; p != NULL && *p != '\0' && n < sizeof(text) - 1; p++) {
		if (*p == '\n' || *p == '\r')
			break;
		text[n++] = isprint((unsigned char)*p) ? *p : '?';
	}
	text[n] = '\0';
	if (status == 0)
		snprintf(m->error, sizeof(m->error), "%s: %s", what, text);
	else
		snprintf(m->error, sizeof(m->error), "%s: HTTP %ld%s%s", what, status,
			 n > 0 ? ": " : "", text);
}

char *mgmt_escape(const char *s)
{
	return http_escape(s);
}

/* The management URL apart: base without userinfo, and its user and
 * password (decoded) when it has them.  0 or -1 (err). */
static int parse_mgmt_url(struct mgmt *m, const char *url, bool *has_user, char *err, size_t errlen)
{
	CURLU *u = curl_url();
	char *scheme = NULL, *user = NULL, *pass = NULL, *full = NULL;
	int rc = -1;

	*has_user = false;
	if (u == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	if (curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
	    (strcmp(scheme, "http") != 0 && strcmp(scheme, "https") != 0)) {
		snprintf(err, errlen,
			 "amqp.management_url: not an http:// or https:// URL (http://host:15672)");
		goto out;
	}
	if (curl_url_get(u, CURLUPART_USER, &user, CURLU_URLDECODE) == CURLUE_OK &&
	    user[0] != '\0') {
		if (curl_url_get(u, CURLUPART_PASSWORD, &pass, CURLU_URLDECODE) != CURLUE_OK)
			pass = NULL;
		snprintf(m->userpwd, sizeof(m->userpwd), "%s:%s", user, pass ? pass : "");
		*has_user = true;
	}
	curl_url_set(u, CURLUPART_USER, NULL, 0);
	curl_url_set(u, CURLUPART_PASSWORD, NULL, 0);
	curl_url_set(u, CURLUPART_QUERY, NULL, 0);
	curl_url_set(u, CURLUPART_FRAGMENT, NULL, 0);
	if (curl_url_get(u, CURLUPART_URL, &full, 0) != CURLUE_OK) {
		snprintf(err, errlen, "amqp.management_url: cannot be read");
		goto out;
	}
	snprintf(m->base, sizeof(m->base), "%s", full);
	for (size_t n = strlen(m->base); n > 0 && m->base[n - 1] == '/'; n--)
		m->base[n - 1] = '\0';
	rc = 0;
out:
	curl_free(scheme);
	curl_free(user);
	curl_free(pass);
	curl_free(full);
	curl_url_cleanup(u);
	return rc;
}

/* The first URL of amqp.url: its vhost, and its user and password unless
 * the management URL had its own.  0 or -1 (err). */
static int parse_amqp_url(struct mgmt *m, const char *urls, bool want_user, char *err,
			  size_t errlen)
{
	struct amqp_connection_info ci;
	/* the first URL of the list, split as broker_open splits it (", ") */
	size_t n = strcspn(urls += strspn(urls, ", "), ", ");
	char *copy = malloc(n + 1);
	char *esc;

	if (copy == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	memcpy(copy, urls, n);
	copy[n] = '\0';
	/* amqp_parse_url cuts its argument up */
	if (amqp_parse_url(copy, &ci) != AMQP_STATUS_OK) {
		free(copy);
		snprintf(err, errlen,
			 "amqp.url: not an AMQP URL (amqp[s]://user:password@host:port/vhost)");
		return -1;
	}
	snprintf(m->vhost, sizeof(m->vhost), "%s",
		 ci.vhost != NULL && ci.vhost[0] != '\0' ? ci.vhost : "/");
	if (want_user)
		snprintf(m->userpwd, sizeof(m->userpwd), "%s:%s", ci.user ? ci.user : "guest",
			 ci.password ? ci.password : "");
	free(copy);
	esc = http_escape(m->vhost);
	if (esc == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	snprintf(m->vhost_path, sizeof(m->vhost_path), "%s", esc);
	free(esc);
	return 0;
}

int mgmt_open(struct mgmt **out, const struct bf_config *c, char *err, size_t errlen)
{
	struct mgmt *m;
	bool has_user;

	*out = NULL;
	if (c->amqp_management_url == NULL || c->amqp_management_url[0] == '\0')
		return 1;
	m = calloc(1, sizeof(*m));
	if (m == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	m->timeout_ms = (long)(c->amqp_op_timeout > 0 ? c->amqp_op_timeout : 20) * 1000;
	if (parse_mgmt_url(m, c->amqp_management_url, &has_user, err, errlen) != 0 ||
	    parse_amqp_url(m, c->amqp_url, !has_user, err, errlen) != 0) {
		mgmt_close(m);
		return -1;
	}
	if (http_client_new(&m->http) != 0) {
		snprintf(err, errlen, "cannot set up an HTTP client");
		mgmt_close(m);
		return -1;
	}
	*out = m;
	return 0;
}

void mgmt_close(struct mgmt *m)
{
	if (m == NULL)
		return;
	http_client_free(m->http);
	/* the password does not linger in freed memory */
	memset(m->userpwd, 0, sizeof(m->userpwd));
	free(m);
}

const char *mgmt_base(const struct mgmt *m)
{
	return m->base;
}

const char *mgmt_vhost(const struct mgmt *m)
{
	return m->vhost;
}

const char *mgmt_vhost_path(const struct mgmt *m)
{
	return m->vhost_path;
}

const char *mgmt_error(const struct mgmt *m)
{
	return m->error;
}

long mgmt_request(struct mgmt *m, const char *method, const char *path, const char *body,
		  char **out)
{
	struct http_request req;
	struct http_response resp;
	char url[2048], what[300];
	long status;

	if (out != NULL)
		*out = NULL;
	snprintf(what, sizeof(what), "%s %.250s", method, path);
	if ((size_t)snprintf(url, sizeof(url), "%s%s", m->base, path) >= sizeof(url)) {
		set_error(m, what, 0, "URL too long");
		return 0;
	}
	memset(&req, 0, sizeof(req));
	req.method = method;
	req.url = url;
	req.body = body;
	req.body_len = body != NULL ? strlen(body) : 0;
	req.userpwd = m->userpwd;
	req.timeout_ms = m->timeout_ms;
	req.max_body = (size_t)MGMT_MAX_BODY;
	if (http_do(m->http, &req, &resp) != 0) {
		set_error(m, what, 0, resp.error);
		http_response_free(&resp);
		if (out != NULL)
			*out = calloc(1, 1);
		return 0;
	}
	status = resp.status;
	if (status / 100 != 2)
		set_error(m, what, status, resp.body);
	if (out != NULL) {
		*out = resp.body;
		resp.body = NULL;
	}
	http_response_free(&resp);
	return status;
}

cJSON *mgmt_get_json(struct mgmt *m, const char *path, long *status)
{
	char *body = NULL;
	long st = mgmt_request(m, "GET", path, NULL, &body);
	cJSON *j = NULL;

	if (st == 200) {
		j = cJSON_Parse(body != NULL ? body : "");
		if (j == NULL)
			set_error(m, path, st, "answer is not JSON");
	}
	free(body);
	if (status != NULL)
		*status = st;
	return j;
}

static long json_long(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

	return cJSON_IsNumber(v) ? (long)v->valuedouble : 0;
}

static void json_text(const cJSON *o, const char *key, char *buf, size_t n)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

	snprintf(buf, n, "%s", cJSON_IsString(v) ? v->valuestring : "");
}

int mgmt_queue_stats(struct mgmt *m, const char *queue, struct mgmt_queue *q)
{
	char path[1024];
	char *esc = mgmt_escape(queue);
	long st;
	cJSON *j;

	memset(q, 0, sizeof(*q));
	if (esc == NULL) {
		set_error(m, queue, 0, "out of memory");
		return -1;
	}
	snprintf(path, sizeof(path), "/api/queues/%s/%s", m->vhost_path, esc);
	free(esc);
	j = mgmt_get_json(m, path, &st);
	if (st == 404)
		return 1;
	if (j == NULL)
		return -1;
	q->messages = json_long(j, "messages");
	q->ready = json_long(j, "messages_ready");
	q->unacked = json_long(j, "messages_unacknowledged");
	q->consumers = json_long(j, "consumers");
	json_text(j, "policy", q->policy, sizeof(q->policy));
	json_text(j, "state", q->state, sizeof(q->state));
	cJSON_Delete(j);
	return 0;
}

/* /api/policies/{vhost}/{name} into path; false when out of memory */
static bool policy_path(struct mgmt *m, const char *name, char *path, size_t n)
{
	char *esc = mgmt_escape(name);

	if (esc == NULL) {
		set_error(m, name, 0, "out of memory");
		return false;
	}
	snprintf(path, n, "/api/policies/%s/%s", m->vhost_path, esc);
	free(esc);
	return true;
}

int mgmt_policy_exists(struct mgmt *m, const char *name)
{
	char path[1024];
	long st;

	if (!policy_path(m, name, path, sizeof(path)))
		return -1;
	st = mgmt_request(m, "GET", path, NULL, NULL);
	if (st == 200)
		return 1;
	return st == 404 ? 0 : -1;
}

int mgmt_policy_set(struct mgmt *m, const struct topo_policy *p)
{
	char path[1024];
	char *body = topo_policy_json(p);
	long st = 0;

	if (body == NULL)
		set_error(m, p->name, 0, "out of memory");
	else if (policy_path(m, p->name, path, sizeof(path)))
		st = mgmt_request(m, "PUT", path, body, NULL);
	free(body);
	return st / 100 == 2 ? 0 : -1;
}
