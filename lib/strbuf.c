#include "strbuf.h"

#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void strbuf_put(struct strbuf *b, const char *s, size_t n)
{
	if (b->oom)
		return;
	if (b->cap - b->len < n + 1) {
		size_t cap = b->cap ? b->cap : 256;
		char *p;
		while (cap - b->len < n + 1) {
			if (cap > SIZE_MAX / 2) {
				b->oom = true;
				return;
			}
			cap *= 2;
		}
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

void strbuf_puts(struct strbuf *b, const char *s)
{
	strbuf_put(b, s, strlen(s));
}

void strbuf_int(struct strbuf *b, long long v)
{
	char buf[24], *e = buf + sizeof(buf), *q = e;
	unsigned long long u = v < 0 ? 0ULL - (unsigned long long)v : (unsigned long long)v;

	do {
		*--q = (char)('0' + u % 10);
		u /= 10;
	} while (u != 0);
	if (v < 0)
		*--q = '-';
	strbuf_put(b, q, (size_t)(e - q));
}

void strbuf_double(struct strbuf *b, double v)
{
	char buf[40];
	int n = snprintf(buf, sizeof(buf), "%1.15g", v);
	double back = strtod(buf, NULL), max = fabs(back) > fabs(v) ? fabs(back) : fabs(v);

	if (!(fabs(back - v) <= max * DBL_EPSILON))
		n = snprintf(buf, sizeof(buf), "%1.17g", v);
	strbuf_put(b, buf, (size_t)n);
}

void strbuf_json_str(struct strbuf *b, const char *s)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *u = (const unsigned char *)(s != NULL ? s : ""), *run;

	strbuf_put(b, "\"", 1);
	for (run = u; *u != '\0'; u++) {
		char esc[6] = { '\\', 0, 0, 0, 0, 0 };
		size_t n = 2;

		switch (*u) {
		case '"':
		case '\\':
			esc[1] = (char)*u;
			break;
		case '\b':
			esc[1] = 'b';
			break;
		case '\f':
			esc[1] = 'f';
			break;
		case '\n':
			esc[1] = 'n';
			break;
		case '\r':
			esc[1] = 'r';
			break;
		case '\t':
			esc[1] = 't';
			break;
		default:
			if (*u >= 32)
				continue;
			memcpy(esc + 1, "u00", 3);
			esc[4] = hex[*u >> 4];
			esc[5] = hex[*u & 15];
			n = 6;
			break;
		}
		strbuf_put(b, (const char *)run, (size_t)(u - run));
		strbuf_put(b, esc, n);
		run = u + 1;
	}
	strbuf_put(b, (const char *)run, (size_t)(u - run));
	strbuf_put(b, "\"", 1);
}

void strbuf_free(struct strbuf *b)
{
	free(b->p);
	memset(b, 0, sizeof(*b));
}
