#include "message.h"

#include <cjson/cJSON.h>
#include <inttypes.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#define MAX_SAFE_ID 9007199254740991.0 /* 2^53 - 1: exact in a JSON double */
#define MAX_ROUND 100000

static const char *const type_names[] = { NULL, "line-up", "result", "tournament-stats", "render" };

const char *msg_type_name(enum msg_type t)
{
	if (t <= MSG_NONE || t > MSG_RENDER)
		return NULL;
	return type_names[t];
}

enum msg_type msg_type_parse(const char *s, size_t len)
{
	for (int t = MSG_LINEUP; t <= MSG_RENDER; t++)
		if (strlen(type_names[t]) == len && memcmp(type_names[t], s, len) == 0)
			return (enum msg_type)t;
	return MSG_NONE;
}

/*
 * Nesting depth of a JSON text, counted outside strings, so a body of a
 * million '[' is refused before cJSON recurses into it.
 */
static int json_depth(const char *p, size_t len)
{
	int depth = 0, max = 0;
	bool in_str = false;

	for (size_t i = 0; i < len; i++) {
		char ch = p[i];
		if (in_str) {
			if (ch == '\\')
				i++;
			else if (ch == '"')
				in_str = false;
			continue;
		}
		if (ch == '"') {
			in_str = true;
		} else if (ch == '{' || ch == '[') {
			if (++depth > max)
				max = depth;
			if (max > MSG_MAX_DEPTH)
				return max;
		} else if (ch == '}' || ch == ']') {
			depth--;
		}
	}
	return max;
}

static int get_id(const cJSON *root, const char *name, double max, int64_t *out, char *err,
		  size_t errlen)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(root, name);

	if (v == NULL) {
		snprintf(err, errlen, "%s: missing", name);
		return -1;
	}
	if (!cJSON_IsNumber(v)) {
		snprintf(err, errlen, "%s: must be a number", name);
		return -1;
	}
	if (!isfinite(v->valuedouble) || v->valuedouble != floor(v->valuedouble) ||
	    v->valuedouble < 1.0 || v->valuedouble > max) {
		snprintf(err, errlen, "%s: must be an integer from 1 to %.0f", name, max);
		return -1;
	}
	*out = (int64_t)v->valuedouble;
	return 0;
}

/* The work message a render message follows, checked. */
static int followed(const struct work_msg *m, struct work_msg *w, char *err, size_t errlen)
{
	if (m->kind != MSG_LINEUP && m->kind != MSG_RESULT && m->kind != MSG_TSTATS) {
		snprintf(err, errlen, "kind: must be line-up, result or tournament-stats");
		return -1;
	}
	memset(w, 0, sizeof(*w));
	w->type = m->kind;
	w->event_id = m->event_id;
	w->unique_tournament_id = m->unique_tournament_id;
	w->season_id = m->season_id;
	w->round = m->round;
	return msg_validate(w, err, errlen);
}

int msg_validate(const struct work_msg *m, char *err, size_t errlen)
{
	struct work_msg w;

	switch (m->type) {
	case MSG_RENDER:
		return followed(m, &w, err, errlen);
	case MSG_LINEUP:
	case MSG_RESULT:
		if (m->event_id < 1 || (double)m->event_id > MAX_SAFE_ID) {
			snprintf(err, errlen, "event_id: must be a positive integer");
			return -1;
		}
		return 0;
	case MSG_TSTATS:
		if (m->unique_tournament_id < 1 || (double)m->unique_tournament_id > MAX_SAFE_ID ||
		    m->season_id < 1 || (double)m->season_id > MAX_SAFE_ID) {
			snprintf(err, errlen,
				 "unique_tournament_id and season_id: must be positive integers");
			return -1;
		}
		if (m->round < 1 || m->round > MAX_ROUND) {
			snprintf(err, errlen, "round: must be an integer from 1 to %d", MAX_ROUND);
			return -1;
		}
		return 0;
	case MSG_NONE:
		break;
	}
	snprintf(err, errlen, "processing_type: unknown");
	return -1;
}

/* A positive id of digits only at *p (at most MAX_SAFE_ID), up to end or
 * ':'; *p moves past it.  0 or -1. */
static int subject_id(const char **p, const char *end, int64_t *out)
{
	int64_t v = 0;
	const char *s = *p;

	if (s >= end || *s < '0' || *s > '9' || *s == '0')
		return -1;
	for (; s < end && *s != ':'; s++) {
		if (*s < '0' || *s > '9' || v > ((int64_t)MAX_SAFE_ID - (*s - '0')) / 10)
			return -1;
		v = v * 10 + (*s - '0');
	}
	*out = v;
	*p = s;
	return 0;
}

int msg_parse_subject(const char *subject, struct work_msg *work, char *err, size_t errlen)
{
	const char *colon = strchr(subject, ':'), *p, *end = subject + strlen(subject);
	int64_t round = 0;

	memset(work, 0, sizeof(*work));
	work->type = colon != NULL ? msg_type_parse(subject, (size_t)(colon - subject)) : MSG_NONE;
	if (work->type == MSG_NONE || work->type == MSG_RENDER) {
		snprintf(err, errlen,
			 "subject: must be line-up:<event id>, result:<event id> or"
			 " tournament-stats:<unique tournament>:<season>:<round>");
		return -1;
	}
	p = colon + 1;
	if (work->type == MSG_TSTATS) {
		if (subject_id(&p, end, &work->unique_tournament_id) != 0 || *p++ != ':' ||
		    subject_id(&p, end, &work->season_id) != 0 || *p++ != ':' ||
		    subject_id(&p, end, &round) != 0 || p != end || round > MAX_ROUND) {
			snprintf(
				err, errlen,
				"subject: must be tournament-stats:<unique tournament>:<season>:<round>");
			return -1;
		}
		work->round = (int)round;
	} else if (subject_id(&p, end, &work->event_id) != 0 || p != end) {
		snprintf(err, errlen, "subject: must be %s:<event id>", msg_type_name(work->type));
		return -1;
	}
	return 0;
}

/* kind and subject of a render message: the subject a work message's key
 * of that kind. */
static int get_subject(const cJSON *root, struct work_msg *m, char *err, size_t errlen)
{
	const cJSON *k = cJSON_GetObjectItemCaseSensitive(root, "kind");
	const cJSON *s = cJSON_GetObjectItemCaseSensitive(root, "subject");
	struct work_msg w;

	if (!cJSON_IsString(k) || !cJSON_IsString(s)) {
		snprintf(err, errlen, "kind and subject: must be strings");
		return -1;
	}
	m->kind = msg_type_parse(k->valuestring, strlen(k->valuestring));
	if (m->kind == MSG_NONE || m->kind == MSG_RENDER) {
		snprintf(err, errlen, "kind: must be line-up, result or tournament-stats");
		return -1;
	}
	if (msg_parse_subject(s->valuestring, &w, err, errlen) != 0)
		return -1;
	if (w.type != m->kind) {
		snprintf(err, errlen, "subject: must be \"%s:...\"", k->valuestring);
		return -1;
	}
	m->event_id = w.event_id;
	m->unique_tournament_id = w.unique_tournament_id;
	m->season_id = w.season_id;
	m->round = w.round;
	return 0;
}

int msg_decode(const char *body, size_t len, struct work_msg *m, char *err, size_t errlen)
{
	cJSON *root = NULL;
	const cJSON *pt;
	const char *end = NULL;
	int64_t round = 0;
	int rc = -1;

	memset(m, 0, sizeof(*m));
	if (len == 0) {
		snprintf(err, errlen, "empty body");
		return -1;
	}
	if (len > MSG_MAX_BODY) {
		snprintf(err, errlen, "body of %zu bytes exceeds the limit of %d", len,
			 MSG_MAX_BODY);
		return -1;
	}
	if (memchr(body, '\0', len) != NULL) {
		snprintf(err, errlen, "body contains a NUL byte");
		return -1;
	}
	/* cJSON turns \u0000 into a real NUL and strings would end there */
	for (size_t i = 0; i + 6 <= len; i++) {
		if (body[i] == '\\' && memcmp(body + i, "\\u0000", 6) == 0) {
			snprintf(err, errlen, "body contains an escaped NUL (\\u0000)");
			return -1;
		}
	}
	if (json_depth(body, len) > MSG_MAX_DEPTH) {
		snprintf(err, errlen, "JSON nested deeper than %d levels", MSG_MAX_DEPTH);
		return -1;
	}
	root = cJSON_ParseWithLengthOpts(body, len, &end, false);
	if (root == NULL) {
		const char *at = cJSON_GetErrorPtr();
		long off = (at != NULL && at >= body && at <= body + len) ? (long)(at - body) : -1;
		snprintf(err, errlen, "invalid JSON near byte %ld", off);
		goto out;
	}
	/* trailing garbage after the object */
	while (end != NULL && end < body + len &&
	       (*end == ' ' || *end == '\n' || *end == '\r' || *end == '\t'))
		end++;
	if (end != NULL && end < body + len) {
		snprintf(err, errlen, "invalid JSON: trailing data at byte %ld",
			 (long)(end - body));
		goto out;
	}
	if (!cJSON_IsObject(root)) {
		snprintf(err, errlen, "body must be a JSON object");
		goto out;
	}
	pt = cJSON_GetObjectItemCaseSensitive(root, "processing_type");
	if (pt == NULL) {
		snprintf(err, errlen, "processing_type: missing");
		goto out;
	}
	if (!cJSON_IsString(pt)) {
		snprintf(err, errlen, "processing_type: must be a string");
		goto out;
	}
	m->type = msg_type_parse(pt->valuestring, strlen(pt->valuestring));
	switch (m->type) {
	case MSG_LINEUP:
	case MSG_RESULT:
		if (get_id(root, "event_id", MAX_SAFE_ID, &m->event_id, err, errlen) != 0)
			goto out;
		break;
	case MSG_TSTATS:
		if (get_id(root, "unique_tournament_id", MAX_SAFE_ID, &m->unique_tournament_id, err,
			   errlen) != 0 ||
		    get_id(root, "season_id", MAX_SAFE_ID, &m->season_id, err, errlen) != 0 ||
		    get_id(root, "round", MAX_ROUND, &round, err, errlen) != 0)
			goto out;
		m->round = (int)round;
		break;
	case MSG_RENDER:
		if (get_subject(root, m, err, errlen) != 0)
			goto out;
		break;
	case MSG_NONE:
		snprintf(err, errlen, "processing_type: unknown type \"%.40s\"", pt->valuestring);
		goto out;
	}
	rc = 0;
out:
	cJSON_Delete(root);
	return rc;
}

int msg_encode(const struct work_msg *m, char *buf, size_t n)
{
	char err[128];
	int len;

	if (msg_validate(m, err, sizeof(err)) != 0)
		return -1;
	if (m->type == MSG_RENDER) {
		char subject[MSG_KEY_MAX];
		if (msg_subject(m, subject, sizeof(subject)) < 0)
			return -1;
		len = snprintf(buf, n,
			       "{\"processing_type\":\"render\",\"kind\":\"%s\",\"subject\":\"%s\"}",
			       msg_type_name(m->kind), subject);
	} else if (m->type == MSG_TSTATS) {
		len = snprintf(
			buf, n,
			"{\"processing_type\":\"tournament-stats\",\"unique_tournament_id\":%" PRId64
			",\"season_id\":%" PRId64 ",\"round\":%d}",
			m->unique_tournament_id, m->season_id, m->round);
	} else {
		len = snprintf(buf, n, "{\"event_id\":%" PRId64 ",\"processing_type\":\"%s\"}",
			       m->event_id, msg_type_name(m->type));
	}
	if (len < 0 || (size_t)len >= n)
		return -1;
	return len;
}

int msg_key(const struct work_msg *m, char *buf, size_t n)
{
	char err[128];
	int len;

	if (msg_validate(m, err, sizeof(err)) != 0)
		return -1;
	if (m->type == MSG_RENDER) {
		char subject[MSG_KEY_MAX];
		if (msg_subject(m, subject, sizeof(subject)) < 0)
			return -1;
		len = snprintf(buf, n, "render:%s", subject);
	} else if (m->type == MSG_TSTATS) {
		len = snprintf(buf, n, "tournament-stats:%" PRId64 ":%" PRId64 ":%d",
			       m->unique_tournament_id, m->season_id, m->round);
	} else {
		len = snprintf(buf, n, "%s:%" PRId64, msg_type_name(m->type), m->event_id);
	}
	if (len < 0 || (size_t)len >= n)
		return -1;
	return len;
}

int msg_subject(const struct work_msg *m, char *buf, size_t n)
{
	struct work_msg w;

	if (m->type != MSG_RENDER)
		return msg_key(m, buf, n);
	if (msg_followed(m, &w) != 0)
		return -1;
	return msg_key(&w, buf, n);
}

int msg_follow(const struct work_msg *work, struct work_msg *render)
{
	char err[128];

	if (work->type == MSG_RENDER || msg_validate(work, err, sizeof(err)) != 0)
		return -1;
	*render = *work;
	render->type = MSG_RENDER;
	render->kind = work->type;
	return 0;
}

int msg_followed(const struct work_msg *render, struct work_msg *work)
{
	char err[128];

	if (render->type != MSG_RENDER)
		return -1;
	return followed(render, work, err, sizeof(err));
}
