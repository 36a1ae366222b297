/*
 * test_message: the work message contract (DESIGN section 3).
 * Bad bodies live in tests/data/fixtures/messages/bad_*.json (one check per
 * file), good ones in good_*.json; big bodies are generated here.
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "protocol/message.h"
#include "tests/support/t.h"
#include "tests/support/testenv.h"

#define FIXTURES "tests/data/fixtures/messages"

/* Decodes len bytes from a private heap copy (exactly len bytes, no NUL
 * after it, so ASan sees any read past the end). */
static int decode(const char *body, size_t len, struct work_msg *m, char *err, size_t errlen)
{
	char *copy = malloc(len > 0 ? len : 1);
	int rc;

	if (copy == NULL)
		return -2;
	memcpy(copy, body, len);
	err[0] = '\0';
	rc = msg_decode(copy, len, m, err, errlen);
	free(copy);
	return rc;
}

static int decode_str(const char *body, struct work_msg *m, char *err, size_t errlen)
{
	return decode(body, strlen(body), m, err, errlen);
}

/* Expects body (len bytes) to be rejected with a reason. */
static void expect_bad(const char *what, const char *body, size_t len)
{
	struct work_msg m;
	char err[256];

	memset(err, 0, sizeof(err));
	int rc = decode(body, len, &m, err, sizeof(err));
	if (rc != -1)
		t_fail(__FILE__, __LINE__, "%s: accepted (rc %d, type %d)", what, rc, (int)m.type);
	else if (err[0] == '\0')
		t_fail(__FILE__, __LINE__, "%s: rejected without a reason", what);
}

static void round_trip(void)
{
	const struct work_msg in[] = {
		{ .type = MSG_LINEUP, .event_id = 10230541 },
		{ .type = MSG_RESULT, .event_id = 1 },
		{ .type = MSG_TSTATS, .unique_tournament_id = 17, .season_id = 76986, .round = 12 },
		{ .type = MSG_RESULT, .event_id = INT64_C(9007199254740991) }, /* 2^53 - 1 */
	};
	const char *const want[] = {
		"{\"event_id\":10230541,\"processing_type\":\"line-up\"}",
		"{\"event_id\":1,\"processing_type\":\"result\"}",
		"{\"processing_type\":\"tournament-stats\",\"unique_tournament_id\":17,\"season_id\":76986,\"round\":12}",
		"{\"event_id\":9007199254740991,\"processing_type\":\"result\"}",
	};

	for (size_t i = 0; i < sizeof(in) / sizeof(in[0]); i++) {
		char buf[256], err[256];
		struct work_msg out;
		int len = msg_encode(&in[i], buf, sizeof(buf));

		REQUIRE(len > 0);
		CHECK_INT(len, strlen(buf));
		CHECK_STR(buf, want[i]);
		int rc = decode(buf, (size_t)len, &out, err, sizeof(err));
		if (rc != 0)
			t_fail(__FILE__, __LINE__, "decode %s: %s", buf, err);
		CHECK_INT(out.type, in[i].type);
		CHECK_INT(out.event_id, in[i].event_id);
		CHECK_INT(out.unique_tournament_id, in[i].unique_tournament_id);
		CHECK_INT(out.season_id, in[i].season_id);
		CHECK_INT(out.round, in[i].round);
		CHECK_INT(msg_validate(&out, err, sizeof(err)), 0);
	}
}

static void decode_documented_bodies(void)
{
	struct work_msg m;
	char err[256];

	CHECK_INT(decode_str("{\"event_id\": 10230541, \"processing_type\": \"line-up\"}", &m, err,
			     sizeof(err)),
		  0);
	CHECK_INT(m.type, MSG_LINEUP);
	CHECK_INT(m.event_id, 10230541);
	CHECK_INT(decode_str(
			  "{\"processing_type\": \"tournament-stats\", \"unique_tournament_id\": 17, "
			  "\"season_id\": 76986, \"round\": 12}",
			  &m, err, sizeof(err)),
		  0);
	CHECK_INT(m.type, MSG_TSTATS);
	CHECK_INT(m.unique_tournament_id, 17);
	CHECK_INT(m.season_id, 76986);
	CHECK_INT(m.round, 12);
	/* surrounding whitespace is fine */
	CHECK_INT(decode_str(" \n{\"event_id\":5,\"processing_type\":\"result\"}\r\n\t", &m, err,
			     sizeof(err)),
		  0);
	CHECK_INT(m.event_id, 5);
}

static void unknown_fields_are_ignored(void)
{
	struct work_msg m;
	char err[256];

	int rc =
		decode_str("{\"v\": 2, \"event_id\": 7, \"extra\": {\"a\": [1, \"b\", null]}, "
			   "\"processing_type\": \"line-up\", \"round\": \"x\", \"season_id\": -1}",
			   &m, err, sizeof(err));
	if (rc != 0)
		t_fail(__FILE__, __LINE__, "rejected: %s", err);
	CHECK_INT(m.type, MSG_LINEUP);
	CHECK_INT(m.event_id, 7);
	CHECK_INT(m.round, 0);
	CHECK_INT(m.season_id, 0);
}

static void keys(void)
{
	const struct work_msg l = { .type = MSG_LINEUP, .event_id = 10230541 };
	const struct work_msg r = { .type = MSG_RESULT, .event_id = 1 };
	const struct work_msg s = {
		.type = MSG_TSTATS, .unique_tournament_id = 17, .season_id = 76986, .round = 12
	};
	const struct work_msg bad = { .type = MSG_LINEUP, .event_id = 0 };
	const struct work_msg none = { .type = MSG_NONE, .event_id = 1 };
	char buf[MSG_KEY_MAX];

	CHECK_INT(msg_key(&l, buf, sizeof(buf)), strlen("line-up:10230541"));
	CHECK_STR(buf, "line-up:10230541");
	CHECK_INT(msg_key(&r, buf, sizeof(buf)), strlen("result:1"));
	CHECK_STR(buf, "result:1");
	CHECK_INT(msg_key(&s, buf, sizeof(buf)), strlen("tournament-stats:17:76986:12"));
	CHECK_STR(buf, "tournament-stats:17:76986:12");
	CHECK_INT(msg_key(&bad, buf, sizeof(buf)), -1);
	CHECK_INT(msg_key(&none, buf, sizeof(buf)), -1);
	/* too small a buffer: -1, still terminated */
	char small[8];
	CHECK_INT(msg_key(&l, small, sizeof(small)), -1);
	CHECK(memchr(small, '\0', sizeof(small)) != NULL);
	/* the largest key fits MSG_KEY_MAX */
	const struct work_msg big = { .type = MSG_TSTATS,
				      .unique_tournament_id = INT64_C(9007199254740991),
				      .season_id = INT64_C(9007199254740991),
				      .round = 100000 };
	CHECK(msg_key(&big, buf, sizeof(buf)) > 0);
}

/* A render message follows a work message's video: its body, key and
 * subject, and back to the work message. */
static void render_messages(void)
{
	const struct work_msg work[] = {
		{ .type = MSG_LINEUP, .event_id = 10230541 },
		{ .type = MSG_RESULT, .event_id = INT64_C(9007199254740991) },
		{ .type = MSG_TSTATS, .unique_tournament_id = 17, .season_id = 76986, .round = 12 },
	};
	const char *const body[] = {
		"{\"processing_type\":\"render\",\"kind\":\"line-up\",\"subject\":\"line-up:10230541\"}",
		"{\"processing_type\":\"render\",\"kind\":\"result\",\"subject\":"
		"\"result:9007199254740991\"}",
		"{\"processing_type\":\"render\",\"kind\":\"tournament-stats\",\"subject\":"
		"\"tournament-stats:17:76986:12\"}",
	};
	const char *const key[] = { "render:line-up:10230541", "render:result:9007199254740991",
				    "render:tournament-stats:17:76986:12" };
	const char *const subject[] = { "line-up:10230541", "result:9007199254740991",
					"tournament-stats:17:76986:12" };

	for (size_t i = 0; i < 3; i++) {
		struct work_msg r, back, dec;
		char buf[256], err[256];
		int len;

		REQUIRE(msg_follow(&work[i], &r) == 0);
		CHECK_INT(r.type, MSG_RENDER);
		CHECK_INT(r.kind, work[i].type);
		len = msg_encode(&r, buf, sizeof(buf));
		REQUIRE(len > 0);
		CHECK_STR(buf, body[i]);
		CHECK(msg_key(&r, buf, sizeof(buf)) > 0);
		CHECK_STR(buf, key[i]);
		CHECK(msg_subject(&r, buf, sizeof(buf)) > 0);
		CHECK_STR(buf, subject[i]);
		CHECK(msg_subject(&work[i], buf, sizeof(buf)) > 0);
		CHECK_STR(buf, subject[i]);
		if (decode_str(body[i], &dec, err, sizeof(err)) != 0)
			t_fail(__FILE__, __LINE__, "decode %s: %s", body[i], err);
		CHECK_INT(dec.type, MSG_RENDER);
		CHECK_INT(dec.kind, work[i].type);
		REQUIRE(msg_followed(&dec, &back) == 0);
		CHECK_INT(back.type, work[i].type);
		CHECK_INT(back.event_id, work[i].event_id);
		CHECK_INT(back.unique_tournament_id, work[i].unique_tournament_id);
		CHECK_INT(back.season_id, work[i].season_id);
		CHECK_INT(back.round, work[i].round);
	}
	/* a render message follows work, not another render message */
	struct work_msg r, again, w;
	REQUIRE(msg_follow(&work[1], &r) == 0);
	CHECK_INT(msg_follow(&r, &again), -1);
	CHECK_INT(msg_followed(&work[1], &w), -1);
	/* the documented body; the kind of the subject must be the kind */
	char err[256];
	CHECK_INT(decode_str("{\"processing_type\": \"render\", \"kind\": \"result\","
			     " \"subject\": \"result:10230541\"}",
			     &r, err, sizeof(err)),
		  0);
	CHECK_INT(r.event_id, 10230541);
	CHECK_INT(decode_str("{\"processing_type\":\"render\",\"kind\":\"result\","
			     "\"subject\":\"line-up:1\"}",
			     &r, err, sizeof(err)),
		  -1);
	CHECK(strstr(err, "subject") != NULL);
}

static void encode_rejects_invalid(void)
{
	char buf[256];
	const struct work_msg bad[] = {
		{ .type = MSG_NONE, .event_id = 1 },
		{ .type = MSG_LINEUP, .event_id = 0 },
		{ .type = MSG_RESULT, .event_id = -1 },
		{ .type = MSG_RESULT, .event_id = INT64_C(9007199254740993) },
		{ .type = MSG_TSTATS, .unique_tournament_id = 17, .season_id = 76986, .round = 0 },
		{ .type = MSG_TSTATS, .unique_tournament_id = 0, .season_id = 76986, .round = 1 },
		{ .type = MSG_TSTATS, .unique_tournament_id = 17, .season_id = 0, .round = 1 },
		{ .type = (enum msg_type)42, .event_id = 1 },
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char err[256] = "";
		if (msg_encode(&bad[i], buf, sizeof(buf)) != -1)
			t_fail(__FILE__, __LINE__, "case %zu encoded: %s", i, buf);
		CHECK_INT(msg_validate(&bad[i], err, sizeof(err)), -1);
		CHECK(err[0] != '\0');
	}
	const struct work_msg ok = { .type = MSG_LINEUP, .event_id = 10230541 };
	CHECK_INT(msg_encode(&ok, buf, 10), -1); /* does not fit */
}

static void type_names(void)
{
	CHECK_STR(msg_type_name(MSG_LINEUP), "line-up");
	CHECK_STR(msg_type_name(MSG_RESULT), "result");
	CHECK_STR(msg_type_name(MSG_TSTATS), "tournament-stats");
	CHECK(msg_type_name(MSG_NONE) == NULL);
	CHECK(msg_type_name((enum msg_type)99) == NULL);
	CHECK_INT(msg_type_parse("line-up", 7), MSG_LINEUP);
	CHECK_INT(msg_type_parse("result", 6), MSG_RESULT);
	CHECK_INT(msg_type_parse("tournament-stats", 16), MSG_TSTATS);
	CHECK_INT(msg_type_parse("line-upX", 7), MSG_LINEUP); /* len bytes only */
	CHECK_INT(msg_type_parse("line-up", 6), MSG_NONE);
	CHECK_INT(msg_type_parse("", 0), MSG_NONE);
	CHECK_INT(msg_type_parse("Result", 6), MSG_NONE);
}

static void bad_corpus(void)
{
	static const char *const bodies[] = {
		"{\"event_id\": 1, \"processing_type\": line-up}",
		"{\"event_id\": 10230541, \"processing_type\": \"line-",
		"{\"event_id\": 10230541, \"processing_type\": \"line-up\"",
		"{",
		"}",
		"[]",
		"[{\"event_id\": 1, \"processing_type\": \"line-up\"}]",
		"\"line-up\"",
		"null",
		"true",
		"42",
		"{}",
		"{\"event_id\": 10230541}",
		"{\"event_id\": 10230541, \"processing_type\": 1}",
		"{\"event_id\": 10230541, \"processing_type\": [\"line-up\"]}",
		"{\"event_id\": 10230541, \"processing_type\": \"lineup\"}",
		"{\"event_id\": 10230541, \"processing_type\": \"line-up \"}",
		"{\"processing_type\": \"line-up\"}",
		"{\"event_id\": \"1\", \"processing_type\": \"line-up\"}",
		"{\"event_id\": 0, \"processing_type\": \"line-up\"}",
		"{\"event_id\": -5, \"processing_type\": \"line-up\"}",
		"{\"event_id\": 1.5, \"processing_type\": \"line-up\"}",
		"{\"event_id\": 1e300, \"processing_type\": \"line-up\"}",
		"{\"event_id\": -1e300, \"processing_type\": \"line-up\"}",
		"{\"event_id\": 1e999, \"processing_type\": \"line-up\"}",
		"{\"event_id\": 9007199254740993, \"processing_type\": \"line-up\"}",
		"{\"event_id\": 9007199254740992, \"processing_type\": \"result\"}",
		"{\"event_id\": 18446744073709551617, \"processing_type\": \"result\"}",
		"{\"event_id\": NaN, \"processing_type\": \"result\"}",
		"{\"event_id\": {}, \"processing_type\": \"result\"}",
		"{\"processing_type\": \"tournament-stats\", \"unique_tournament_id\": 17, \"season_id\": 76986}",
		"{\"processing_type\": \"tournament-stats\", \"unique_tournament_id\": 17, \"season_id\": 76986, \"round\": 0}",
		"{\"processing_type\": \"tournament-stats\", \"unique_tournament_id\": 17, \"season_id\": 76986, \"round\": 100001}",
		"{\"processing_type\": \"tournament-stats\", \"unique_tournament_id\": 17, \"season_id\": 76986, \"round\": 1e10}",
		"{\"processing_type\": \"tournament-stats\", \"unique_tournament_id\": 17, \"season_id\": 1.25, \"round\": 3}",
		"{\"processing_type\": \"tournament-stats\", \"unique_tournament_id\": \"17\", \"season_id\": 76986, \"round\": 3}",
		"{\"processing_type\": \"tournament-stats\", \"event_id\": 10230541}",
		"{\"event_id\": 10230541, \"processing_type\": \"line-up\"} x",
		"{\"event_id\": 10230541, \"processing_type\": \"line-up\"}}",
		"{\"event_id\": 1, \"processing_type\": \"line-up\"}{\"event_id\": 2, \"processing_type\": \"line-up\"}",
		"{'event_id': 1, 'processing_type': 'line-up'}",
		"{\"event_id\": 1, \"processing_type\": \"line-up\",}",
		"\xff\xfe\xfd",
	};

	for (size_t i = 0; i < sizeof(bodies) / sizeof(bodies[0]); i++)
		expect_bad(bodies[i], bodies[i], strlen(bodies[i]));
	expect_bad("empty body", "", 0);
	expect_bad("spaces only", "   \n", 4);
}

/* The reason names what is wrong (it travels in x-bf-error). */
static void reasons_name_the_problem(void)
{
	static const struct {
		const char *body, *word;
	} cases[] = {
		{ "{\"event_id\": 1, \"processing_type\": line-up}", "JSON" },
		{ "[1, 2]", "object" },
		{ "\"line-up\"", "object" },
		{ "null", "object" },
		{ "{\"event_id\": 1}", "processing_type" },
		{ "{\"event_id\": 1, \"processing_type\": 7}", "processing_type" },
		{ "{\"event_id\": 1, \"processing_type\": \"lineup\"}", "lineup" },
		{ "{\"processing_type\": \"result\"}", "event_id" },
		{ "{\"event_id\": 0, \"processing_type\": \"result\"}", "event_id" },
		{ "{\"event_id\": \"1\", \"processing_type\": \"result\"}", "event_id" },
		{ "{\"processing_type\": \"tournament-stats\", \"unique_tournament_id\": 17, "
		  "\"season_id\": 76986, \"round\": 0}",
		  "round" },
		{ "{\"processing_type\": \"tournament-stats\", \"unique_tournament_id\": 17, "
		  "\"round\": 2}",
		  "season_id" },
		{ "{\"event_id\": 1, \"processing_type\": \"result\"} x", "trailing" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct work_msg m;
		char err[256];
		int rc = decode_str(cases[i].body, &m, err, sizeof(err));
		if (rc != -1 || strstr(err, cases[i].word) == NULL)
			t_fail(__FILE__, __LINE__, "%s: rc %d, reason \"%s\" should mention %s",
			       cases[i].body, rc, err, cases[i].word);
	}
}

static void nul_byte_is_rejected(void)
{
	static const char body[] = "{\"event_id\": 1, \"processing_type\": \"line-up\"\0}";
	static const char tail[] = "{\"event_id\": 1, \"processing_type\": \"line-up\"}\0";

	expect_bad("NUL inside", body, sizeof(body) - 1);
	expect_bad("NUL after the object", tail, sizeof(tail) - 1);
}

/* "line-up\u0000x" is not one of the three types (DESIGN 3: an unknown
 * type is poison), even though its C string stops at the NUL. */
static void escaped_nul_in_type_is_unknown(void)
{
	static const char body[] = "{\"event_id\": 1, \"processing_type\": \"line-up\\u0000evil\"}";

	expect_bad("processing_type with \\u0000", body, sizeof(body) - 1);
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void ten_megabytes_rejected_quickly(void)
{
	const size_t len = 10u * 1024 * 1024;
	const char head[] = "{\"event_id\": 1, \"processing_type\": \"line-up\"";
	char *body = malloc(len);
	struct work_msg m;
	char err[256];

	REQUIRE(body != NULL);
	memset(body, ' ', len);
	memcpy(body, head, sizeof(head) - 1);
	body[len - 1] = '}';
	double t0 = now();
	int rc = msg_decode(body, len, &m, err, sizeof(err));
	double dt = now() - t0;
	CHECK_INT(rc, -1);
	CHECK(err[0] != '\0');
	if (dt > 0.05)
		t_fail(__FILE__, __LINE__, "took %.3fs: the size must be checked before parsing",
		       dt);
	/* the limit itself: MSG_MAX_BODY bytes are parsed, one more is not */
	memset(body, ' ', MSG_MAX_BODY + 1);
	memcpy(body, head, sizeof(head) - 1);
	body[MSG_MAX_BODY - 1] = '}';
	CHECK_INT(msg_decode(body, MSG_MAX_BODY, &m, err, sizeof(err)), 0);
	CHECK_INT(msg_decode(body, MSG_MAX_BODY + 1, &m, err, sizeof(err)), -1);
	free(body);
}

static void deep_nesting_rejected_without_recursion(void)
{
	const size_t depth = 100000;
	char *body = malloc(2 * depth + 64);
	struct work_msg m;
	char err[256];
	size_t n = 0;

	REQUIRE(body != NULL);
	/* "[[[[...", unterminated: 100000 levels are over the size limit too */
	memset(body, '[', depth);
	expect_bad("100000 x [", body, depth);
	/* under the size limit, the depth check is what refuses it */
	CHECK_INT(msg_decode(body, 60000, &m, err, sizeof(err)), -1);
	if (strstr(err, "nested") == NULL)
		t_fail(__FILE__, __LINE__, "60000 x [: rejected for \"%s\", not for depth", err);
	/* one level over the limit is enough */
	CHECK_INT(msg_decode(body, MSG_MAX_DEPTH + 1, &m, err, sizeof(err)), -1);
	CHECK(strstr(err, "nested") != NULL);

	/* balanced, inside a valid object */
	n = (size_t)snprintf(body, 2 * depth + 64,
			     "{\"event_id\":1,\"processing_type\":\"line-up\",\"x\":");
	memset(body + n, '[', 30000);
	n += 30000;
	memset(body + n, ']', 30000);
	n += 30000;
	body[n++] = '}';
	expect_bad("30000 nested arrays in a field", body, n);

	/* objects too */
	n = 0;
	for (int i = 0; i < 20000 && n + 8 < 2 * depth; i++) {
		memcpy(body + n, "{\"a\":", 5);
		n += 5;
	}
	expect_bad("20000 nested objects", body, n);

	/* a few levels are fine: brackets inside strings do not count */
	const char ok[] = "{\"event_id\":1,\"processing_type\":\"line-up\",\"x\":{\"y\":[[1]]},"
			  "\"s\":\"[[[[[[[[[[[[[[[[[[[[{{{{{{{{{{{{{\\\"[[[[[[[[[[[[\"}";
	CHECK_INT(decode(ok, sizeof(ok) - 1, &m, err, sizeof(err)), 0);
	if (err[0] != '\0')
		t_fail(__FILE__, __LINE__, "%s", err);
	free(body);
}

static void duplicate_keys_do_not_crash(void)
{
	static const char *const bodies[] = {
		"{\"event_id\": 1, \"event_id\": 2, \"processing_type\": \"line-up\"}",
		"{\"processing_type\": \"line-up\", \"event_id\": 1, \"processing_type\": \"result\"}",
		"{\"processing_type\": \"bogus\", \"processing_type\": \"line-up\", \"event_id\": 3}",
		"{\"event_id\": \"x\", \"event_id\": 4, \"processing_type\": \"result\"}",
	};

	for (size_t i = 0; i < sizeof(bodies) / sizeof(bodies[0]); i++) {
		struct work_msg m;
		char err[256];
		int rc = decode_str(bodies[i], &m, err, sizeof(err));
		CHECK(rc == 0 || rc == -1);
		if (rc == 0)
			CHECK(m.type != MSG_NONE && msg_validate(&m, err, sizeof(err)) == 0);
		else
			CHECK(err[0] != '\0');
	}
}

static void small_error_buffer(void)
{
	struct work_msg m;
	char err[4];

	memset(err, 'Z', sizeof(err));
	CHECK_INT(decode_str("{\"processing_type\": \"nope\", \"event_id\": 1}", &m, err,
			     sizeof(err)),
		  -1);
	CHECK(memchr(err, '\0', sizeof(err)) != NULL);
	/* the failed decode leaves no half-filled message */
	CHECK_INT(decode_str(
			  "{\"processing_type\": \"tournament-stats\", \"unique_tournament_id\": 17, "
			  "\"season_id\": 76986}",
			  &m, err, sizeof(err)),
		  -1);
}

static bool has_prefix_suffix(const char *name, const char *prefix, const char *suffix)
{
	size_t n = strlen(name), p = strlen(prefix), s = strlen(suffix);

	return n > p + s && strncmp(name, prefix, p) == 0 && strcmp(name + n - s, suffix) == 0;
}

/* Every tests/data/fixtures/messages/bad_*.json is rejected, every good_*.json
 * accepted: adding a file adds a check. */
static void fixture_files(void)
{
	DIR *d = opendir(FIXTURES);
	struct dirent *e;
	int nbad = 0, ngood = 0;

	REQUIRE(d != NULL);
	while ((e = readdir(d)) != NULL) {
		bool bad = has_prefix_suffix(e->d_name, "bad_", ".json");
		bool good = has_prefix_suffix(e->d_name, "good_", ".json");
		char path[512], err[256];
		struct work_msg m;
		size_t len = 0;
		char *body;

		if (!bad && !good)
			continue;
		snprintf(path, sizeof(path), "%s/%s", FIXTURES, e->d_name);
		body = tenv_slurp(path, &len);
		if (body == NULL) {
			t_fail(__FILE__, __LINE__, "cannot read %s", path);
			continue;
		}
		int rc = decode(body, len, &m, err, sizeof(err));
		if (bad) {
			nbad++;
			if (rc != -1)
				t_fail(__FILE__, __LINE__, "%s: accepted", path);
			else if (err[0] == '\0')
				t_fail(__FILE__, __LINE__, "%s: rejected without a reason", path);
		} else {
			ngood++;
			if (rc != 0)
				t_fail(__FILE__, __LINE__, "%s: rejected: %s", path, err);
		}
		free(body);
	}
	closedir(d);
	CHECK(nbad >= 30);
	CHECK(ngood >= 3);
}

int main(void)
{
	T_RUN(round_trip);
	T_RUN(decode_documented_bodies);
	T_RUN(unknown_fields_are_ignored);
	T_RUN(keys);
	T_RUN(render_messages);
	T_RUN(encode_rejects_invalid);
	T_RUN(type_names);
	T_RUN(bad_corpus);
	T_RUN(reasons_name_the_problem);
	T_RUN(nul_byte_is_rejected);
	T_RUN(escaped_nul_in_type_is_unknown);
	T_RUN(ten_megabytes_rejected_quickly);
	T_RUN(deep_nesting_rejected_without_recursion);
	T_RUN(duplicate_keys_do_not_crash);
	T_RUN(small_error_buffer);
	T_RUN(fixture_files);
	return t_done();
}
