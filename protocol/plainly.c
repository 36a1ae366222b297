#include "plainly.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "../lib/jarena.h"
#include "../lib/log.h"
#include "../lib/metrics.h"

#define LIST_PAGE_SIZE 100

/* Plainly's own response headers: a retry hint in milliseconds (429) and
 * an error code. */
static const char *const answer_headers[] = { "X-Retry-In", "X-PlainlyErrorCode", NULL };

const cJSON *plainly_path(const cJSON *doc, const char *path)
{
	char seg[128];
	const char *p = path;
	const cJSON *cur = doc;

	while (cur != NULL && *p != '\0') {
		size_t len = strcspn(p, ".");
		char *end;
		long idx;

		if (len == 0 || len >= sizeof(seg))
			return NULL;
		memcpy(seg, p, len);
		seg[len] = '\0';
		p += len;
		if (*p == '.')
			p++;
		if (cJSON_IsArray(cur)) {
			idx = strtol(seg, &end, 10);
			if (*end != '\0' || idx < 0)
				return NULL;
			cur = cJSON_GetArrayItem(cur, (int)idx);
		} else if (cJSON_IsObject(cur)) {
			cur = cJSON_GetObjectItemCaseSensitive(cur, seg);
		} else {
			return NULL;
		}
	}
	return cur;
}

char *plainly_request_json(const struct cfg_template *tpl, const char *kind, const char *subject,
			   const cJSON *doc, const char *webhook_url)
{
	cJSON *root = cJSON_CreateObject();
	cJSON *params, *attrs;
	char *out;

	cJSON_AddStringToObject(root, "projectId", tpl->project_id ? tpl->project_id : "");
	if (tpl->template_id != NULL && tpl->template_id[0] != '\0')
		cJSON_AddStringToObject(root, "templateId", tpl->template_id);
	if (tpl->nparams == 0) {
		params = cJSON_Duplicate(doc, 1);
		cJSON_AddItemToObject(root, "parameters", params);
	} else {
		params = cJSON_AddObjectToObject(root, "parameters");
		for (size_t i = 0; i < tpl->nparams; i++) {
			const cJSON *v = plainly_path(doc, tpl->param_paths[i]);
			/* a missing value is left out: Plainly names it if mandatory */
			if (v != NULL)
				cJSON_AddItemToObject(params, tpl->param_names[i],
						      cJSON_Duplicate(v, 1));
		}
	}
	attrs = cJSON_AddObjectToObject(root, "attributes");
	cJSON_AddStringToObject(attrs, "bfSubject", subject);
	cJSON_AddStringToObject(attrs, "bfKind", kind);
	if (webhook_url != NULL && webhook_url[0] != '\0') {
		cJSON *wh = cJSON_AddObjectToObject(root, "webhook");
		cJSON_AddStringToObject(wh, "url", webhook_url);
		cJSON_AddStringToObject(wh, "passthrough", subject);
		cJSON_AddTrueToObject(wh, "onFailure");
		cJSON_AddTrueToObject(wh, "onInvalid");
	}
	out = cJSON_PrintUnformatted(root);
	cJSON_Delete(root);
	return jarena_own(out); /* the caller may be in an arena scope */
}

static void one_line(char *s)
{
	for (; *s != '\0'; s++)
		if (*s == '\n' || *s == '\r' || *s == '\t')
			*s = ' ';
}

static void render_from_obj(const cJSON *o, struct plainly_render *out)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, "id");
	const cJSON *err;

	if (cJSON_IsString(v))
		snprintf(out->id, sizeof(out->id), "%s", v->valuestring);
	v = cJSON_GetObjectItemCaseSensitive(o, "state");
	if (cJSON_IsString(v))
		snprintf(out->state, sizeof(out->state), "%s", v->valuestring);
	v = cJSON_GetObjectItemCaseSensitive(o, "output");
	if (cJSON_IsString(v) && strlen(v->valuestring) < sizeof(out->output))
		snprintf(out->output, sizeof(out->output), "%s", v->valuestring);
	v = cJSON_GetObjectItemCaseSensitive(o, "expirationDate");
	out->expires_at = cJSON_IsString(v) ? plainly_parse_date(v->valuestring) : -1;
	err = cJSON_GetObjectItemCaseSensitive(o, "error");
	if (cJSON_IsObject(err)) {
		const cJSON *code = cJSON_GetObjectItemCaseSensitive(err, "code");
		const cJSON *msg = cJSON_GetObjectItemCaseSensitive(err, "message");
		if (cJSON_IsString(code))
			snprintf(out->error_code, sizeof(out->error_code), "%s", code->valuestring);
		if (cJSON_IsString(msg))
			snprintf(out->error, sizeof(out->error), "%s", msg->valuestring);
	} else if (cJSON_IsString(err)) {
		snprintf(out->error, sizeof(out->error), "%s", err->valuestring);
	}
	one_line(out->error);
}

/* The answer as kept in renders.response: a JSON object or array without
 * the parameters Plainly echoes (they are the request's), printed; NULL
 * when it is not JSON. */
static char *kept_form(cJSON *root)
{
	if (!cJSON_IsObject(root) && !cJSON_IsArray(root))
		return NULL;
	cJSON_DeleteItemFromObjectCaseSensitive(root, "parameters");
	return jarena_own(cJSON_PrintUnformatted(root));
}

/* One parse of a render answer: its state, id and error, and (kept) the
 * form to store.  0, or -1 when it holds no render. */
static int parse_render(const char *body, size_t len, struct plainly_render *out, char **kept)
{
	cJSON *root;
	int rc = -1;

	jarena_begin(); /* Plainly echoes the parameters: a big tree, copied from */
	root = cJSON_ParseWithLength(body, len);
	if (cJSON_IsObject(root)) {
		render_from_obj(root, out);
		rc = out->state[0] != '\0' ? 0 : -1;
	}
	if (kept != NULL)
		*kept = kept_form(root);
	cJSON_Delete(root);
	jarena_end();
	return rc;
}

int plainly_parse_render(const char *body, size_t len, struct plainly_render *out)
{
	return parse_render(body, len, out, NULL);
}

void plainly_render_free(struct plainly_render *r)
{
	free(r->response);
	r->response = NULL;
}

/* {timestamp, status, error, message, path}: keep the message. */
static void error_from_body(const char *body, size_t len, struct plainly_render *out, char **kept)
{
	cJSON *root;
	const cJSON *msg, *err;

	jarena_begin();
	root = cJSON_ParseWithLength(body, len);
	msg = cJSON_GetObjectItemCaseSensitive(root, "message");
	err = cJSON_GetObjectItemCaseSensitive(root, "error");
	if (cJSON_IsString(msg) && msg->valuestring[0] != '\0')
		snprintf(out->error, sizeof(out->error), "%s", msg->valuestring);
	else if (cJSON_IsString(err))
		snprintf(out->error, sizeof(out->error), "%s", err->valuestring);
	else if (root == NULL && len > 0)
		snprintf(out->error, sizeof(out->error), "%.200s", body); /* 429 is plain text */
	*kept = kept_form(root);
	cJSON_Delete(root);
	jarena_end();
	one_line(out->error);
}

static void userpwd(const struct bf_config *cfg, char *buf, size_t n)
{
	snprintf(buf, n, "%s:", cfg->plainly_api_key);
}

/* The POST /renders request of body (url and up are its buffers). */
static void create_request(const struct bf_config *cfg, const char *body, struct http_request *req,
			   char *url, size_t urln, char *up, size_t upn)
{
	snprintf(url, urln, "%s/renders", cfg->plainly_base_url);
	userpwd(cfg, up, upn);
	memset(req, 0, sizeof(*req));
	req->method = "POST";
	req->url = url;
	req->body = body;
	req->body_len = strlen(body);
	req->userpwd = up;
	req->timeout_ms = (long)cfg->plainly_timeout * 1000;
	req->max_body = 1024 * 1024;
	req->capture = answer_headers;
}

/* Seconds from Retry-After, else from Plainly's X-Retry-In (ms); -1 = none. */
static long retry_after(const struct http_response *resp)
{
	const char *in = http_header(resp, "X-Retry-In");
	char *end;
	long ms;

	if (resp->retry_after >= 0)
		return resp->retry_after;
	if (in == NULL)
		return -1;
	ms = strtol(in, &end, 10);
	return end != in && ms >= 0 ? (ms + 999) / 1000 : -1;
}

/* A request in the metrics: by its HTTP status, "error" without one. */
static void count_request(int rc, const struct http_response *resp)
{
	char code[24];

	if (rc == 0 && resp->status > 0)
		snprintf(code, sizeof(code), "%ld", resp->status);
	else
		snprintf(code, sizeof(code), "error");
	metrics_add(M_PLAINLY_REQUESTS, 1, "status", code, METRICS_END);
}

/* What the answer to a POST /renders says (frees resp). */
static enum plainly_result create_result(int rc, struct http_response *resp,
					 struct plainly_render *out)
{
	enum plainly_result res;
	const char *code;

	memset(out, 0, sizeof(*out));
	out->retry_after = out->expires_at = -1;
	count_request(rc, resp);
	if (rc != 0) {
		snprintf(out->error, sizeof(out->error), "%s", resp->error);
		http_response_free(resp);
		return PLAINLY_TRANSIENT;
	}
	out->status = resp->status;
	out->retry_after = retry_after(resp);
	code = http_header(resp, "X-PlainlyErrorCode");
	snprintf(out->error_code, sizeof(out->error_code), "%s", code != NULL ? code : "");
	if (resp->status == 200 || resp->status == 201) {
		if (parse_render(resp->body, resp->len, out, &out->response) != 0) {
			snprintf(out->error, sizeof(out->error),
				 "unreadable render in a %ld answer", resp->status);
			res = PLAINLY_TRANSIENT; /* it may exist: reconcile before reposting */
		} else if (strcmp(out->state, "INVALID") == 0 ||
			   strcmp(out->state, "FAILED") == 0 ||
			   strcmp(out->state, "CANCELLED") == 0) {
			if (out->error[0] == '\0')
				snprintf(out->error, sizeof(out->error), "render state %s",
					 out->state);
			res = PLAINLY_REJECTED;
		} else {
			res = PLAINLY_OK;
		}
	} else {
		error_from_body(resp->body, resp->len, out, &out->response);
		if (out->error[0] == '\0')
			snprintf(out->error, sizeof(out->error), "HTTP %ld", resp->status);
		if (resp->status == 429 || resp->status >= 500 || resp->status == 408)
			res = PLAINLY_TRANSIENT;
		else
			res = PLAINLY_REJECTED;
	}
	http_response_free(resp);
	return res;
}

enum plainly_result plainly_render_create(struct http_client *h, const struct bf_config *cfg,
					  const char *body, struct plainly_render *out)
{
	struct http_request req;
	struct http_response resp;
	char url[1024], up[512];
	int rc;

	create_request(cfg, body, &req, url, sizeof(url), up, sizeof(up));
	rc = http_do(h, &req, &resp);
	memset(up, 0, sizeof(up));
	return create_result(rc, &resp, out);
}

void plainly_render_create_many(struct http_client *h, const struct bf_config *cfg,
				const char *const *bodies, size_t n, struct plainly_render *out,
				enum plainly_result *res)
{
	struct http_request req[HTTP_MANY_MAX];
	struct http_response resp[HTTP_MANY_MAX];
	int rc[HTTP_MANY_MAX];
	char url[1024], up[512];

	if (n == 0)
		return;
	if (n > HTTP_MANY_MAX) {
		for (size_t i = 0; i < n; i++)
			res[i] = plainly_render_create(h, cfg, bodies[i], &out[i]);
		return;
	}
	for (size_t i = 0; i < n; i++)
		create_request(cfg, bodies[i], &req[i], url, sizeof(url), up, sizeof(up));
	http_do_many(h, req, resp, rc, n, NULL);
	memset(up, 0, sizeof(up));
	for (size_t i = 0; i < n; i++)
		res[i] = create_result(rc[i], &resp[i], &out[i]);
}

bool plainly_state_final(const char *state)
{
	return strcmp(state, "DONE") == 0 || strcmp(state, "FAILED") == 0 ||
	       strcmp(state, "INVALID") == 0 || strcmp(state, "CANCELLED") == 0;
}

enum plainly_result plainly_render_get(struct http_client *h, const struct bf_config *cfg,
				       const char *render_id, struct plainly_render *out)
{
	struct http_request req;
	struct http_response resp;
	enum plainly_result res;
	char url[1024], up[512], *id;
	const char *code;
	int rc;

	memset(out, 0, sizeof(*out));
	out->retry_after = out->expires_at = -1;
	id = http_escape(render_id);
	if (id == NULL || render_id[0] == '\0') {
		free(id);
		snprintf(out->error, sizeof(out->error), "no render id");
		return PLAINLY_REJECTED;
	}
	snprintf(url, sizeof(url), "%s/renders/%s", cfg->plainly_base_url, id);
	free(id);
	userpwd(cfg, up, sizeof(up));
	memset(&req, 0, sizeof(req));
	req.url = url;
	req.userpwd = up;
	req.timeout_ms = (long)cfg->plainly_timeout * 1000;
	req.max_body = 1024 * 1024;
	req.capture = answer_headers;
	rc = http_do(h, &req, &resp);
	count_request(rc, &resp);
	if (rc != 0) {
		memset(up, 0, sizeof(up));
		snprintf(out->error, sizeof(out->error), "%s", resp.error);
		http_response_free(&resp);
		return PLAINLY_TRANSIENT;
	}
	memset(up, 0, sizeof(up));
	out->status = resp.status;
	out->retry_after = retry_after(&resp);
	code = http_header(&resp, "X-PlainlyErrorCode");
	snprintf(out->error_code, sizeof(out->error_code), "%s", code != NULL ? code : "");
	if (resp.status == 200) {
		if (parse_render(resp.body, resp.len, out, &out->response) == 0 &&
		    strcmp(out->id, render_id) == 0) {
			res = PLAINLY_OK;
		} else {
			snprintf(out->error, sizeof(out->error),
				 "unreadable render %s in a 200 answer", render_id);
			res = PLAINLY_TRANSIENT;
		}
	} else {
		error_from_body(resp.body, resp.len, out, &out->response);
		if (out->error[0] == '\0')
			snprintf(out->error, sizeof(out->error), "HTTP %ld", resp.status);
		if (resp.status == 404)
			res = PLAINLY_NOT_FOUND;
		else if (resp.status == 429 || resp.status >= 500 || resp.status == 408)
			res = PLAINLY_TRANSIENT;
		else
			res = PLAINLY_REJECTED;
	}
	http_response_free(&resp);
	return res;
}

/* n decimal digits at *p as *v, *p moved past them; false when there are fewer. */
static bool date_digits(const char **p, int n, int *v)
{
	int x = 0;

	for (int i = 0; i < n; i++) {
		if (!isdigit((unsigned char)(*p)[i]))
			return false;
		x = x * 10 + ((*p)[i] - '0');
	}
	*p += n;
	*v = x;
	return true;
}

/* *p is c: moves past it. */
static bool date_char(const char **p, char c)
{
	if (**p != c)
		return false;
	(*p)++;
	return true;
}

/*
 * Plainly's timestamps, ISO-8601 with a zone: "2026-12-26T11:55:41Z",
 * "2026-12-26T11:55:41.123+00:00", "...+0200", "...-05:30", "...+02".  The
 * date, 'T', the time, an optional fraction (ignored), then 'Z' or the
 * offset from UTC, and nothing after; anything else (no zone, a day that
 * does not exist) is -1.  The wall time is read as if it were UTC
 * (timegm) and the offset then subtracted: 12:00+02:00 is 10:00Z.
 */
long long plainly_parse_date(const char *s)
{
	const char *p = s;
	int year, mon, day, hour, min, sec, oh = 0, om = 0, sign = 0;
	struct tm tm;
	time_t t;

	if (p == NULL || !date_digits(&p, 4, &year) || !date_char(&p, '-') ||
	    !date_digits(&p, 2, &mon) || !date_char(&p, '-') || !date_digits(&p, 2, &day) ||
	    !(date_char(&p, 'T') || date_char(&p, 't')) || !date_digits(&p, 2, &hour) ||
	    !date_char(&p, ':') || !date_digits(&p, 2, &min) || !date_char(&p, ':') ||
	    !date_digits(&p, 2, &sec))
		return -1;
	if (date_char(&p, '.') || date_char(&p, ',')) {
		if (!isdigit((unsigned char)*p))
			return -1;
		while (isdigit((unsigned char)*p))
			p++;
	}
	if (*p == '+' || *p == '-') {
		sign = *p++ == '+' ? 1 : -1;
		if (!date_digits(&p, 2, &oh))
			return -1;
		if (*p != '\0') {
			(void)date_char(&p, ':'); /* +hh:mm or +hhmm */
			if (!date_digits(&p, 2, &om))
				return -1;
		}
		if (oh > 23 || om > 59)
			return -1;
	} else if (!date_char(&p, 'Z') && !date_char(&p, 'z')) {
		return -1; /* no zone: whose wall time would it be? */
	}
	if (*p != '\0' || mon < 1 || mon > 12 || day < 1 || hour > 23 || min > 59 || sec > 59)
		return -1;
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = year - 1900;
	tm.tm_mon = mon - 1;
	tm.tm_mday = day;
	tm.tm_hour = hour;
	tm.tm_min = min;
	tm.tm_sec = sec;
	t = timegm(&tm);
	/* timegm moves a day past the month's end on (02-30 is 03-02): not a date */
	if (t == (time_t)-1 || tm.tm_mday != day || tm.tm_mon != mon - 1)
		return -1;
	return (long long)t - sign * (oh * 3600LL + om * 60LL);
}

enum plainly_result plainly_render_find(struct http_client *h, const struct bf_config *cfg,
					const char *project_id, const char *subject,
					long long since, struct plainly_render *out)
{
	char up[512], url[1024], *proj;
	enum plainly_result res = PLAINLY_NOT_FOUND;
	bool older_seen = false, complete = false;
	long read = 0;

	memset(out, 0, sizeof(*out));
	out->retry_after = out->expires_at = -1;
	userpwd(cfg, up, sizeof(up));
	proj = http_escape(project_id);
	if (proj == NULL)
		return PLAINLY_TRANSIENT;
	for (int page = 0; res == PLAINLY_NOT_FOUND && !older_seen && !complete; page++) {
		struct http_request req;
		struct http_response resp;
		cJSON *root, *it;
		int n = 0;

		if (read >= PLAINLY_LIST_MAX) {
			snprintf(out->error, sizeof(out->error),
				 "listing renders: %ld read without reaching the request's time",
				 read);
			res = PLAINLY_TRANSIENT;
			break;
		}
		snprintf(url, sizeof(url), "%s/renders?projectId=%s&page=%d&size=%d",
			 cfg->plainly_base_url, proj, page, LIST_PAGE_SIZE);
		memset(&req, 0, sizeof(req));
		req.url = url;
		req.userpwd = up;
		req.timeout_ms = (long)cfg->plainly_timeout * 1000;
		req.max_body = 16 * 1024 * 1024;
		int rc = http_do(h, &req, &resp);
		count_request(rc, &resp);
		if (rc != 0 || resp.status != 200) {
			snprintf(out->error, sizeof(out->error), "listing renders: %s",
				 resp.status ? "unexpected HTTP status" : resp.error);
			out->status = resp.status;
			http_response_free(&resp);
			res = PLAINLY_TRANSIENT;
			break;
		}
		root = cJSON_ParseWithLength(resp.body, resp.len);
		/* an array; tolerate a paged object {content: [...]} as well */
		const cJSON *list = cJSON_IsArray(root)
					    ? root
					    : cJSON_GetObjectItemCaseSensitive(root, "content");
		cJSON_ArrayForEach (it, list) {
			const cJSON *a = cJSON_GetObjectItemCaseSensitive(it, "attributes");
			const cJSON *s = cJSON_GetObjectItemCaseSensitive(a, "bfSubject");
			const cJSON *c = cJSON_GetObjectItemCaseSensitive(it, "createdDate");
			n++;
			if (cJSON_IsString(s) && strcmp(s->valuestring, subject) == 0) {
				render_from_obj(it, out);
				out->response = kept_form(it); /* as a POST's answer is kept */
				res = PLAINLY_OK;
				break;
			}
			/* newest first: past our request's time, it cannot come later */
			if (since > 0 && cJSON_IsString(c)) {
				long long t = plainly_parse_date(c->valuestring);
				if (t >= 0 && t < since - 600)
					older_seen = true;
			}
		}
		cJSON_Delete(root);
		http_response_free(&resp);
		read += n;
		if (n < LIST_PAGE_SIZE)
			complete = true;
	}
	memset(up, 0, sizeof(up));
	free(proj);
	return res;
}

int plainly_dry_run_write(const char *dir, const char *subject, const char *body, char *path,
			  size_t n)
{
	char name[256], tmp[1100];
	size_t i;
	int fd;
	size_t len = strlen(body);

	snprintf(name, sizeof(name), "%s", subject);
	for (i = 0; name[i] != '\0'; i++)
		if (name[i] == ':' || name[i] == '/')
			name[i] = '-';
	if (mkdir(dir, 0755) != 0 && errno != EEXIST) {
		/* create parents once: var/renders */
		char parent[1024];
		snprintf(parent, sizeof(parent), "%s", dir);
		char *slash = strrchr(parent, '/');
		if (slash != NULL) {
			*slash = '\0';
			if (mkdir(parent, 0755) != 0 && errno != EEXIST)
				return -1;
		}
		if (mkdir(dir, 0755) != 0 && errno != EEXIST)
			return -1;
	}
	snprintf(path, n, "%s/%s.json", dir, name);
	snprintf(tmp, sizeof(tmp), "%s.tmp.%ld", path, (long)getpid());
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0)
		return -1;
	if (write(fd, body, len) != (ssize_t)len || write(fd, "\n", 1) != 1 || close(fd) != 0) {
		unlink(tmp);
		return -1;
	}
	if (rename(tmp, path) != 0) {
		unlink(tmp);
		return -1;
	}
	return 0;
}
