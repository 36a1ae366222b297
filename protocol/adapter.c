#include "adapter.h"

#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

struct pbuf {
	char *p;
	size_t len, cap;
	bool oom;
};

static void pput(struct pbuf *b, const char *s, size_t n)
{
	if (b->oom)
		return;
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap * 2 : 256;
		char *p;
		while (cap < b->len + n + 1)
			cap *= 2;
		if ((p = realloc(b->p, cap)) == NULL) {
			b->oom = true;
			return;
		}
		b->p = p;
		b->cap = cap;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

static void pnum(struct pbuf *b, const cJSON *item)
{
	double d = item->valuedouble;
	char buf[32];
	int n;

	if (isnan(d) || isinf(d)) {
		pput(b, "null", 4);
		return;
	}
	if (d == (double)item->valueint && !(d == 0 && signbit(d))) {
		/* cJSON's "%d", by hand: most numbers of an answer are whole */
		char *e = buf + sizeof(buf), *q = e;
		long long v = item->valueint;
		unsigned long long u = v < 0 ? 0ULL - (unsigned long long)v : (unsigned long long)v;
		do {
			*--q = (char)('0' + u % 10);
			u /= 10;
		} while (u != 0);
		if (v < 0)
			*--q = '-';
		pput(b, q, (size_t)(e - q));
		return;
	}
	/* cJSON's: 15 digits, 17 when 15 do not read back the same (within
	 * its tolerance of one DBL_EPSILON) */
	n = snprintf(buf, sizeof(buf), "%1.15g", d);
	double back = strtod(buf, NULL), max = fabs(back) > fabs(d) ? fabs(back) : fabs(d);
	if (!(fabs(back - d) <= max * DBL_EPSILON))
		n = snprintf(buf, sizeof(buf), "%1.17g", d);
	pput(b, buf, (size_t)n);
}

static void pstr(struct pbuf *b, const char *s)
{
	const unsigned char *u = (const unsigned char *)(s != NULL ? s : ""), *run;

	pput(b, "\"", 1);
	for (run = u; *u != '\0'; u++) {
		char esc[8];
		size_t n = 2;
		switch (*u) {
		case '"':
			memcpy(esc, "\\\"", 2);
			break;
		case '\\':
			memcpy(esc, "\\\\", 2);
			break;
		case '\b':
			memcpy(esc, "\\b", 2);
			break;
		case '\f':
			memcpy(esc, "\\f", 2);
			break;
		case '\n':
			memcpy(esc, "\\n", 2);
			break;
		case '\r':
			memcpy(esc, "\\r", 2);
			break;
		case '\t':
			memcpy(esc, "\\t", 2);
			break;
		default:
			if (*u >= 32)
				continue;
			n = (size_t)snprintf(esc, sizeof(esc), "\\u%04x", *u);
			break;
		}
		pput(b, (const char *)run, (size_t)(u - run));
		pput(b, esc, n);
		run = u + 1;
	}
	pput(b, (const char *)run, (size_t)(u - run));
	pput(b, "\"", 1);
}

static void pitem(struct pbuf *b, const cJSON *item, int depth)
{
	const cJSON *c;

	if (depth > 64) { /* cJSON's own parse limit is lower: never reached */
		b->oom = true;
		return;
	}
	switch (item->type & 0xFF) {
	case cJSON_NULL:
		pput(b, "null", 4);
		break;
	case cJSON_False:
		pput(b, "false", 5);
		break;
	case cJSON_True:
		pput(b, "true", 4);
		break;
	case cJSON_Number:
		pnum(b, item);
		break;
	case cJSON_String:
		pstr(b, item->valuestring);
		break;
	case cJSON_Raw:
		if (item->valuestring != NULL)
			pput(b, item->valuestring, strlen(item->valuestring));
		break;
	case cJSON_Array:
		pput(b, "[", 1);
		for (c = item->child; c != NULL; c = c->next) {
			pitem(b, c, depth + 1);
			if (c->next != NULL)
				pput(b, ",", 1);
		}
		pput(b, "]", 1);
		break;
	case cJSON_Object:
		pput(b, "{", 1);
		for (c = item->child; c != NULL; c = c->next) {
			pstr(b, c->string);
			pput(b, ":", 1);
			pitem(b, c, depth + 1);
			if (c->next != NULL)
				pput(b, ",", 1);
		}
		pput(b, "}", 1);
		break;
	default:
		b->oom = true;
		break;
	}
}

char *adapter_print(const cJSON *item)
{
	struct pbuf b = { NULL, 0, 0, false };

	if (item == NULL)
		return NULL;
	pitem(&b, item, 0);
	if (b.oom) {
		free(b.p);
		return NULL;
	}
	return b.p;
}
