#include "log.h"

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

static const char *log_progname = "bf";
static enum log_level log_min = LOG_INFO;
static enum log_format log_fmt = LOG_FMT_TEXT;
static bool log_journal; /* "<N>" before every record */

static const char *const level_names[] = { "debug", "info", "warn", "error" };
static const char *const format_names[] = { "text", "logfmt", "json" };
/* sd-daemon(3): SD_DEBUG, SD_INFO, SD_WARNING, SD_ERR, by enum log_level */
static const char *const journal_prefix[] = { "<7>", "<6>", "<4>", "<3>" };

/* stderr is the stream systemd connected to the journal: $JOURNAL_STREAM
 * is its "DEV:INODE" (systemd.exec(5)); a child whose stderr was
 * redirected inherits the variable but not the stream. */
static bool stderr_is_journal(void)
{
	const char *js = getenv("JOURNAL_STREAM"), *p;
	unsigned long long dev, ino;
	char *end;
	struct stat st;

	if (js == NULL || *js < '0' || *js > '9')
		return false;
	errno = 0;
	dev = strtoull(js, &end, 10);
	if (*end != ':')
		return false;
	p = end + 1;
	if (*p < '0' || *p > '9')
		return false;
	ino = strtoull(p, &end, 10);
	if (*end != '\0' || errno != 0 || fstat(STDERR_FILENO, &st) != 0)
		return false;
	return (unsigned long long)st.st_dev == dev && (unsigned long long)st.st_ino == ino;
}

void log_init(const char *prog)
{
	const char *slash;

	log_journal = stderr_is_journal();
	if (prog == NULL)
		return;
	slash = strrchr(prog, '/');
	log_progname = slash != NULL ? slash + 1 : prog;
}

const char *log_prog(void)
{
	return log_progname;
}

void log_set_level(enum log_level lvl)
{
	log_min = lvl;
}

int log_level_parse(const char *name, enum log_level *out)
{
	for (size_t i = 0; i < sizeof(level_names) / sizeof(level_names[0]); i++) {
		if (strcmp(name, level_names[i]) == 0) {
			*out = (enum log_level)i;
			return 0;
		}
	}
	if (strcmp(name, "err") == 0 || strcmp(name, "warning") == 0) {
		*out = name[0] == 'e' ? LOG_ERR : LOG_WARN;
		return 0;
	}
	return -1;
}

void log_set_format(enum log_format f)
{
	log_fmt = f;
}

int log_format_parse(const char *name, enum log_format *out)
{
	for (size_t i = 0; i < sizeof(format_names) / sizeof(format_names[0]); i++) {
		if (strcmp(name, format_names[i]) == 0) {
			*out = (enum log_format)i;
			return 0;
		}
	}
	return -1;
}

void log_set_journal(bool on)
{
	log_journal = on;
}

/* Appends at most len bytes of s to out[*pos..n-1]. */
static void put(char *out, size_t n, size_t *pos, const char *s, size_t len)
{
	if (*pos + 1 >= n)
		return;
	if (len > n - 1 - *pos)
		len = n - 1 - *pos;
	memcpy(out + *pos, s, len);
	*pos += len;
	out[*pos] = '\0';
}

#define MAX_SECRETS 4
static char *secrets[MAX_SECRETS];
static size_t nsecrets;

void log_add_secret(const char *s)
{
	if (s == NULL || strlen(s) < 4 || nsecrets == MAX_SECRETS)
		return;
	for (size_t i = 0; i < nsecrets; i++)
		if (strcmp(secrets[i], s) == 0)
			return;
	secrets[nsecrets] = strdup(s);
	if (secrets[nsecrets] != NULL)
		nsecrets++;
}

/* The registered secret that in starts with, or NULL. */
static const char *secret_at(const char *in)
{
	for (size_t i = 0; i < nsecrets; i++)
		if (strncmp(in, secrets[i], strlen(secrets[i])) == 0)
			return secrets[i];
	return NULL;
}

/* The passwords of URLs and libpq strings: in to out. */
static void redact_urls(const char *in, char *out, size_t n)
{
	size_t pos = 0;
	const char *p = in;

	while (*p != '\0') {
		const char *scheme = strstr(p, "://");
		const char *kw = strstr(p, "password=");

		if (kw != NULL && (scheme == NULL || kw < scheme)) {
			/* libpq "password=secret" (also inside a URI query) */
			size_t skip = strlen("password=");
			const char *end = kw + skip;

			put(out, n, &pos, p, (size_t)(kw - p) + skip);
			if (*end == '\'') {
				end++;
				while (*end != '\0' && *end != '\'')
					end++;
				if (*end == '\'')
					end++;
			} else {
				while (*end != '\0' && *end != ' ' && *end != '&')
					end++;
			}
			put(out, n, &pos, "***", 3);
			p = end;
			continue;
		}
		if (scheme == NULL) {
			put(out, n, &pos, p, strlen(p));
			break;
		}
		/* authority runs to the next '/', space, or end */
		const char *auth = scheme + 3;
		size_t alen = strcspn(auth, "/ \t\n,\"'");
		const char *at = NULL;
		for (size_t i = 0; i < alen; i++)
			if (auth[i] == '@')
				at = auth + i;
		const char *colon = NULL;
		if (at != NULL)
			colon = memchr(auth, ':', (size_t)(at - auth));
		if (colon != NULL) {
			put(out, n, &pos, p, (size_t)(colon + 1 - p));
			put(out, n, &pos, "***", 3);
			p = at;
		} else {
			put(out, n, &pos, p, (size_t)(auth - p));
			p = auth;
		}
	}
}

char *log_redact(const char *in, char *out, size_t n)
{
	if (n == 0)
		return out;
	out[0] = '\0';
	bool has_secret = false;
	for (size_t i = 0; i < nsecrets && !has_secret; i++)
		has_secret = strstr(in, secrets[i]) != NULL;
	if (has_secret) {
		/* the keys first; the URL pass below reads the result */
		/* a secret has 4 bytes or more and becomes 3: never longer */
		char *masked = malloc(strlen(in) + 1);
		size_t m = 0;
		if (masked == NULL) {
			snprintf(out, n, "(log record not redacted: out of memory)");
			return out;
		}
		for (const char *q = in; *q != '\0';) {
			const char *sec = secret_at(q);
			if (sec != NULL) {
				memcpy(masked + m, "***", 3);
				m += 3;
				q += strlen(sec);
			} else {
				masked[m++] = *q++;
			}
		}
		masked[m] = '\0';
		redact_urls(masked, out, n);
		free(masked);
		return out;
	}
	redact_urls(in, out, n);
	return out;
}

/* Length of the UTF-8 character at s[0..n) (s[0] >= 0x80), or 0 when there
 * is none (RFC 3629: no overlong form, surrogate or code point past U+10FFFF). */
static size_t utf8_len(const unsigned char *s, size_t n)
{
	unsigned char lo = 0x80, hi = 0xbf;
	size_t len;

	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		len = 2;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		len = 3;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		len = 4;
	else
		return 0;
	if (s[0] == 0xe0)
		lo = 0xa0;
	else if (s[0] == 0xed)
		hi = 0x9f;
	else if (s[0] == 0xf0)
		lo = 0x90;
	else if (s[0] == 0xf4)
		hi = 0x8f;
	if (n < len || s[1] < lo || s[1] > hi)
		return 0;
	for (size_t i = 2; i < len; i++)
		if (s[i] < 0x80 || s[i] > 0xbf)
			return 0;
	return len;
}

/*
 * s[0..n) escaped into out[*pos..limit): the inside of a logfmt quoted value
 * (log_quote), or with json of a JSON string, where a byte that is not part
 * of a UTF-8 character becomes \u00XX (its Latin-1 reading) so that the line
 * stays valid JSON.  An escape or a character goes in whole or not at all.
 * Returns the bytes of s consumed: n when all of it fit.
 */
static size_t escape(char *out, size_t limit, size_t *pos, const char *s, size_t n, bool json)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0;

	while (i < n) {
		unsigned char c = u[i];
		char esc[6] = { '\\', (char)c };
		const char *unit = esc;
		size_t ulen = 2, take = 1;

		switch (c) {
		case '\n':
			esc[1] = 'n';
			break;
		case '\r':
			esc[1] = 'r';
			break;
		case '\t':
			esc[1] = 't';
			break;
		case '\\':
		case '"':
			break;
		default:
			if (c >= 0x80)
				take = utf8_len(u + i, n - i);
			if ((c >= 0x20 && c < 0x7f) || (c >= 0x80 && take > 0)) {
				unit = s + i; /* as it is: ASCII, or a UTF-8 character */
				ulen = take;
			} else if (c >= 0x80 && !json) {
				unit = s + i; /* logfmt: a stray byte as it is */
				ulen = take = 1;
			} else {
				memcpy(esc + 1, "u00", 3);
				esc[4] = hex[c >> 4];
				esc[5] = hex[c & 15];
				ulen = 6;
				take = 1;
			}
		}
		if (*pos > limit || ulen > limit - *pos)
			break;
		memcpy(out + *pos, unit, ulen);
		*pos += ulen;
		i += take;
	}
	return i;
}

#define QUOTE_MAX 1024 /* escaped bytes between the quotes, before "..." */
#define QUOTE_RING 8

const char *log_quote(const char *s)
{
	static _Thread_local char ring[QUOTE_RING][QUOTE_MAX + 76];
	static _Thread_local unsigned next;
	char *b = ring[next++ % QUOTE_RING];
	/* a few bytes past the cap: the character the cut falls in is whole */
	char clean[QUOTE_MAX + 8];
	size_t pos = 0, len;

	/* redact before cutting: a cut inside a URL would hide its password */
	log_redact(s != NULL ? s : "", clean, sizeof(clean));
	len = strlen(clean);
	b[pos++] = '"';
	if (escape(b, 1 + QUOTE_MAX, &pos, clean, len, false) < len) {
		memcpy(b + pos, "...", 3);
		pos += 3;
	}
	b[pos++] = '"';
	b[pos] = '\0';
	return b;
}

/* A logfmt or json record being built in b: at most lim bytes, then
 * REC_MARK bytes for rec_drop's "...", then the tail ("\n", "}\n"). */
struct rec {
	char *b;
	size_t lim, pos;
	bool full; /* something was cut or left out: nothing more goes in */
};
#define REC_MARK 3

static bool rec_fits(const struct rec *r, size_t n)
{
	return !r->full && r->pos <= r->lim && n <= r->lim - r->pos;
}

static void rec_put(struct rec *r, const char *s, size_t n)
{
	if (!rec_fits(r, n)) {
		r->full = true;
		return;
	}
	memcpy(r->b + r->pos, s, n);
	r->pos += n;
}

/* s[0..n) in double quotes, escaped; when it does not fit it is cut at a
 * character and ends in ...", and the record is full. */
static void rec_quoted(struct rec *r, const char *s, size_t n, bool json)
{
	size_t start = r->pos;

	if (!rec_fits(r, 5)) { /* "..." */
		r->full = true;
		return;
	}
	r->b[r->pos++] = '"';
	if (escape(r->b, r->lim - 1, &r->pos, s, n, json) < n) {
		r->pos = start + 1;
		(void)escape(r->b, r->lim - 4, &r->pos, s, n, json);
		memcpy(r->b + r->pos, "...", 3);
		r->pos += 3;
		r->full = true;
	}
	r->b[r->pos++] = '"';
}

/* A field does not fit at all: the value before it (the last thing
 * written) ends in "..." like a cut one, so that a reader sees the cut. */
static void rec_drop(struct rec *r)
{
	bool quoted = r->pos > 0 && r->b[r->pos - 1] == '"';

	if (r->full)
		return;
	r->full = true;
	if (quoted)
		r->pos--;
	memcpy(r->b + r->pos, quoted ? "...\"" : "...", quoted ? 4 : 3);
	r->pos += quoted ? 4 : 3;
}

/* A value logfmt can take without quotes. */
static bool bare_value(const char *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)v[i];
		if (c <= ' ' || c == 0x7f || c == '"' || c == '=')
			return false;
	}
	return true;
}

/* One field: " key=value" (logfmt: raw, the token as written, when it is
 * not NULL and fits) or ",\"key\":\"value\"" (json). */
static void rec_field(struct rec *r, bool json, const char *k, size_t kn, const char *v, size_t vn,
		      const char *raw, size_t rawn)
{
	if (r->full)
		return;
	if (!json && raw != NULL && rec_fits(r, 1 + rawn)) {
		rec_put(r, " ", 1);
		rec_put(r, raw, rawn);
		return;
	}
	if (!rec_fits(r, kn + 4 + 5)) { /* a field without its value is no field */
		rec_drop(r);
		return;
	}
	rec_put(r, json ? ",\"" : " ", json ? 2 : 1);
	rec_put(r, k, kn);
	rec_put(r, json ? "\":" : "=", json ? 2 : 1);
	rec_quoted(r, v, vn, json);
}

static int hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* The inside of a quoted value, s[0..n), with its escapes undone (those of
 * log_quote; another backslash stays as it is) into out: n bytes at most. */
static size_t unquote(const char *s, size_t n, char *out)
{
	size_t o = 0;

	for (size_t i = 0; i < n; i++) {
		char c = i + 1 < n && s[i] == '\\' ? s[i + 1] : '\0';
		unsigned cp = 0;

		if (c == 'n' || c == 'r' || c == 't' || c == '\\' || c == '"') {
			out[o++] = c == 'n' ? '\n' : c == 'r' ? '\r' : c == 't' ? '\t' : c;
			i++;
			continue;
		}
		if (c == 'u' && i + 5 < n) {
			int d = 0;
			for (size_t j = 2; j < 6 && d >= 0; j++)
				cp = cp << 4 | (unsigned)(d = hex_digit(s[i + j]));
			if (d >= 0 && (cp < 0xd800 || cp > 0xdfff)) {
				if (cp < 0x80) {
					out[o++] = (char)cp;
				} else if (cp < 0x800) {
					out[o++] = (char)(0xc0 | cp >> 6);
					out[o++] = (char)(0x80 | (cp & 0x3f));
				} else {
					out[o++] = (char)(0xe0 | cp >> 12);
					out[o++] = (char)(0x80 | (cp >> 6 & 0x3f));
					out[o++] = (char)(0x80 | (cp & 0x3f));
				}
				i += 5;
				continue;
			}
		}
		out[o++] = s[i];
	}
	return o;
}

struct tok {
	const char *s; /* the token as written */
	size_t n;
	size_t klen; /* key=value: the length of key; 0: a word */
	bool quoted; /* key="...": the value is in quotes */
};

static bool key_char(char c, bool first)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
	       (!first && ((c >= '0' && c <= '9') || c == '.' || c == '-'));
}

/*
 * The parsing rule of log.format logfmt and json: the next token of a
 * record's (already redacted) text at *p.  The text is split at spaces,
 * except inside a double-quoted value (key="a b") or word ("a b"), with
 * backslash escapes, whose closing quote is followed by a space or the end
 * (otherwise the quote is an ordinary character).  A token that matches
 * ^[A-Za-z_][A-Za-z0-9_.-]*= is a field.  The caller takes the words before
 * the first field as msg, and appends each later word to the value of the
 * field before it (after one space), so that nothing is lost.  Returns false
 * at the end.
 */
static bool next_token(const char **p, struct tok *t)
{
	const char *s = *p, *v, *e;

	while (*s == ' ')
		s++;
	if (*s == '\0')
		return false;
	t->s = s;
	t->klen = 0;
	t->quoted = false;
	if (key_char(*s, true)) {
		const char *k = s + 1;
		while (key_char(*k, false))
			k++;
		if (*k == '=')
			t->klen = (size_t)(k - s);
	}
	v = t->klen > 0 ? s + t->klen + 1 : s;
	if (*v == '"') {
		for (e = v + 1; *e != '\0' && *e != '"'; e++)
			if (*e == '\\' && e[1] != '\0')
				e++;
		if (*e == '"' && (e[1] == ' ' || e[1] == '\0')) {
			t->quoted = t->klen > 0;
			t->n = (size_t)(e + 1 - s);
			*p = e + 1;
			return true;
		}
	}
	t->n = strcspn(s, " ");
	*p = s + t->n;
	return true;
}

#define CLEAN_MAX 4200 /* a record's redacted text */

/*
 * The redacted text of a record after the header in r: msg and the fields.
 * json: every value a string; a key given twice is written twice (readers
 * keep the last one).  logfmt: a field is copied as it was written unless
 * words were appended to it or its bare value needs quotes (a '"', '=' or
 * control character): then it is written key="value".
 */
static void rec_body(struct rec *r, const char *clean, bool json)
{
	char val[CLEAN_MAX]; /* a value: never longer than the text it came from */
	const char *p = clean, *m0 = NULL, *m1 = NULL;
	struct tok t;
	bool more;

	while ((more = next_token(&p, &t)) && t.klen == 0) {
		if (m0 == NULL)
			m0 = t.s;
		m1 = t.s + t.n;
	}
	rec_quoted(r, m0 != NULL ? m0 : "", m0 != NULL ? (size_t)(m1 - m0) : 0, json);
	while (more && !r->full) {
		const char *key = t.s, *v = t.s + t.klen + 1;
		size_t klen = t.klen, rawn = t.n, vn = t.n - t.klen - 1;
		bool raw = t.quoted || bare_value(v, vn);

		if (t.quoted)
			vn = unquote(v + 1, vn - 2, val);
		else
			memcpy(val, v, vn);
		while ((more = next_token(&p, &t)) && t.klen == 0) {
			val[vn++] = ' ';
			memcpy(val + vn, t.s, t.n);
			vn += t.n;
			raw = false;
		}
		rec_field(r, json, key, klen, val, vn, raw ? key : NULL, rawn);
	}
}

/* The record of lvl: its header, then clean (the redacted message) in
 * log.format; one line, at most n bytes (no NUL).  Returns its length. */
static size_t format_record(char *line, size_t n, enum log_level lvl, const char *ts,
			    const char *clean)
{
	const char *prefix = log_journal ? journal_prefix[lvl] : "";
	bool json = log_fmt == LOG_FMT_JSON;
	struct rec r = { line, n - REC_MARK - 2, 0, false }; /* "...", "}\n" */
	char pid[48];
	int len;

	if (log_fmt == LOG_FMT_TEXT) {
		len = snprintf(line, n, "%s%s %s %s[%ld] %s\n", prefix, ts, level_names[lvl],
			       log_progname, (long)getpid(), clean);
		if (len < 0)
			return 0;
		if ((size_t)len >= n) {
			len = (int)n - 1;
			line[len - 1] = '\n';
		}
		return (size_t)len;
	}
	if (json) {
		len = snprintf(line, n, "%s{\"ts\":\"%s\",\"level\":\"%s\",\"prog\":", prefix, ts,
			       level_names[lvl]);
		r.pos = len > 0 ? (size_t)len : 0;
		rec_quoted(&r, log_progname, strlen(log_progname), true);
		len = snprintf(pid, sizeof(pid), ",\"pid\":%ld,\"msg\":", (long)getpid());
	} else {
		len = snprintf(line, n, "%sts=%s level=%s prog=%s pid=", prefix, ts,
			       level_names[lvl], log_progname);
		r.pos = len > 0 ? (size_t)len : 0;
		len = snprintf(pid, sizeof(pid), "%ld msg=", (long)getpid());
	}
	rec_put(&r, pid, len > 0 ? (size_t)len : 0);
	rec_body(&r, clean, json);
	if (json)
		line[r.pos++] = '}';
	line[r.pos++] = '\n';
	return r.pos;
}

static void log_vwrite(enum log_level lvl, const char *fmt, va_list ap)
{
	char msg[4096], clean[CLEAN_MAX], line[4400];
	char *full = NULL;
	struct timeval tv;
	struct tm tm;
	char ts[48];
	size_t tl;
	int len;
	va_list ap2;

	gettimeofday(&tv, NULL);
	gmtime_r(&tv.tv_sec, &tm);
	tl = strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(ts + tl, sizeof(ts) - tl, ".%03ldZ", (long)(tv.tv_usec / 1000));
	va_copy(ap2, ap);
	len = vsnprintf(msg, sizeof(msg), fmt, ap);
	/* redact before cutting: a cut inside a URL would hide its password */
	if (len >= (int)sizeof(msg) && (full = malloc((size_t)len + 1)) != NULL)
		vsnprintf(full, (size_t)len + 1, fmt, ap2);
	va_end(ap2);
	if (full != NULL) {
		char *cleanfull = malloc((size_t)len * 2 + 16);
		if (cleanfull != NULL) {
			log_redact(full, cleanfull, (size_t)len * 2 + 16);
			snprintf(clean, sizeof(clean), "%s", cleanfull);
			free(cleanfull);
		} else {
			snprintf(clean, sizeof(clean), "(log record too long to redact)");
		}
		free(full);
	} else if (len >= (int)sizeof(msg)) {
		snprintf(clean, sizeof(clean), "(log record too long to redact)");
	} else {
		log_redact(msg, clean, sizeof(clean));
	}
	/* one write per record; a short write to stderr is not worth a retry */
	if (write(STDERR_FILENO, line, format_record(line, sizeof(line), lvl, ts, clean)) < 0)
		return;
}

void log_msg(enum log_level lvl, const char *fmt, ...)
{
	va_list ap;

	if (lvl < log_min)
		return;
	va_start(ap, fmt);
	log_vwrite(lvl, fmt, ap);
	va_end(ap);
}

void fatal(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vwrite(LOG_ERR, fmt, ap);
	va_end(ap);
	exit(1);
}
