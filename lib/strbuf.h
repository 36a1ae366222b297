/*
 * strbuf: text built in a growing buffer (COPY rows, JSON written without a
 * cJSON tree).  Out of memory is remembered, not reported per call: check
 * oom once at the end.  p is NUL-terminated (NULL before the first byte);
 * free with strbuf_free().
 */
#ifndef BF_STRBUF_H
#define BF_STRBUF_H

#include <stdbool.h>
#include <stddef.h>

struct strbuf {
	char *p;
	size_t len, cap;
	bool oom;
};

void strbuf_put(struct strbuf *b, const char *s, size_t n);
void strbuf_puts(struct strbuf *b, const char *s);
/* v in decimal (printf's %lld, without printf). */
void strbuf_int(struct strbuf *b, long long v);
/* v as cJSON prints a number that is not whole: 15 significant digits,
 * 17 when 15 do not read back within one DBL_EPSILON ("nan", "inf" as
 * printf gives them: callers that need JSON check first). */
void strbuf_double(struct strbuf *b, double v);
/* s as a JSON string, quoted and escaped as cJSON escapes it: ", \ and the
 * control characters (\b \f \n \r \t, the others \u00xx); other bytes,
 * UTF-8 included, as they are.  NULL: "". */
void strbuf_json_str(struct strbuf *b, const char *s);
void strbuf_free(struct strbuf *b);

#endif
