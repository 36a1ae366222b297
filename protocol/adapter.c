#include "adapter.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../lib/strbuf.h"

const cJSON *adapter_get(const cJSON *o, const char *key)
{
	return cJSON_IsObject(o) ? cJSON_GetObjectItemCaseSensitive(o, key) : NULL;
}

void adapter_copy(const char *s, char *buf, size_t n)
{
	size_t len = strlen(s);

	if (len >= n) {
		len = n - 1;
		while (len > 0 && ((unsigned char)s[len] & 0xC0) == 0x80)
			len--;
	}
	memcpy(buf, s, len);
	buf[len] = '\0';
}

bool adapter_str(const cJSON *o, const char *key, char *buf, size_t n)
{
	const cJSON *v = adapter_get(o, key);

	if (!cJSON_IsString(v) || v->valuestring == NULL)
		return false;
	adapter_copy(v->valuestring, buf, n);
	return true;
}

bool adapter_num_int(const cJSON *v, int64_t lo, int64_t hi, int64_t *out)
{
	if (!cJSON_IsNumber(v) || !isfinite(v->valuedouble) ||
	    v->valuedouble != floor(v->valuedouble) || v->valuedouble < (double)lo ||
	    v->valuedouble > (double)hi)
		return false;
	*out = (int64_t)v->valuedouble;
	return true;
}

bool adapter_int(const cJSON *o, const char *key, int64_t lo, int64_t hi, int64_t *out)
{
	return adapter_num_int(adapter_get(o, key), lo, hi, out);
}

bool adapter_int32(const cJSON *o, const char *key, int *out)
{
	int64_t v;

	if (!adapter_int(o, key, -1000000, 1000000, &v))
		return false;
	*out = (int)v;
	return true;
}

cJSON *adapter_parse_root(const char *body, size_t len, char *err, size_t errlen)
{
	cJSON *root;

	if (body == NULL || len == 0) {
		snprintf(err, errlen, "empty body");
		return NULL;
	}
	root = cJSON_ParseWithLength(body, len);
	if (root == NULL) {
		const char *at = cJSON_GetErrorPtr();
		long off = (at != NULL && at >= body && at <= body + len) ? (long)(at - body) : -1;
		snprintf(err, errlen, "invalid JSON near byte %ld of %zu", off, len);
		return NULL;
	}
	if (!cJSON_IsObject(root)) {
		snprintf(err, errlen, "expected a JSON object");
		cJSON_Delete(root);
		return NULL;
	}
	return root;
}

int adapter_parse_event_list(const cJSON *list, size_t max,
			     int (*one)(const cJSON *e, struct match_event *ev, char *err,
					size_t errlen),
			     struct match_event **out, size_t *n, size_t *skipped, char *err,
			     size_t errlen)
{
	const cJSON *e;
	struct match_event *evs;
	size_t cnt = 0, cap = (size_t)cJSON_GetArraySize(list);
	char why[256];

	*out = NULL;
	*n = 0;
	*skipped = 0;
	if (cap > max)
		cap = max;
	evs = calloc(cap ? cap : 1, sizeof(*evs));
	if (evs == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	err[0] = '\0';
	cJSON_ArrayForEach (e, list) {
		if (cnt >= cap) {
			(*skipped)++;
			continue;
		}
		if (one(e, &evs[cnt], why, sizeof(why)) != 0) {
			if ((*skipped)++ == 0)
				snprintf(err, errlen, "%s", why);
			continue;
		}
		cnt++;
	}
	*out = evs;
	*n = cnt;
	return 0;
}

/* ---- printing ---------------------------------------------------------------- */

static void pnum(struct strbuf *b, const cJSON *item)
{
	double d = item->valuedouble;

	if (isnan(d) || isinf(d))
		strbuf_put(b, "null", 4);
	else if (d == (double)item->valueint && !(d == 0 && signbit(d)))
		strbuf_int(b, item->valueint); /* cJSON's "%d": most numbers are whole */
	else
		strbuf_double(b, d);
}

static void pitem(struct strbuf *b, const cJSON *item, int depth)
{
	const cJSON *c;

	if (depth > 64) { /* cJSON's own parse limit is lower: never reached */
		b->oom = true;
		return;
	}
	switch (item->type & 0xFF) {
	case cJSON_NULL:
		strbuf_put(b, "null", 4);
		break;
	case cJSON_False:
		strbuf_put(b, "false", 5);
		break;
	case cJSON_True:
		strbuf_put(b, "true", 4);
		break;
	case cJSON_Number:
		pnum(b, item);
		break;
	case cJSON_String:
		strbuf_json_str(b, item->valuestring);
		break;
	case cJSON_Raw:
		if (item->valuestring != NULL)
			strbuf_put(b, item->valuestring, strlen(item->valuestring));
		break;
	case cJSON_Array:
		strbuf_put(b, "[", 1);
		for (c = item->child; c != NULL; c = c->next) {
			pitem(b, c, depth + 1);
			if (c->next != NULL)
				strbuf_put(b, ",", 1);
		}
		strbuf_put(b, "]", 1);
		break;
	case cJSON_Object:
		strbuf_put(b, "{", 1);
		for (c = item->child; c != NULL; c = c->next) {
			strbuf_json_str(b, c->string);
			strbuf_put(b, ":", 1);
			pitem(b, c, depth + 1);
			if (c->next != NULL)
				strbuf_put(b, ",", 1);
		}
		strbuf_put(b, "}", 1);
		break;
	default:
		b->oom = true;
		break;
	}
}

char *adapter_print(const cJSON *item)
{
	struct strbuf b = { NULL, 0, 0, false };

	if (item == NULL)
		return NULL;
	pitem(&b, item, 0);
	if (b.oom) {
		free(b.p);
		return NULL;
	}
	return b.p;
}
