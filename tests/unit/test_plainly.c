/*
 * protocol/plainly: the render request body (parameter mapping from the
 * video data document), render parsing, dates, and a render's state read
 * back with GET /renders/{id} from fake-plainly moving it through its
 * lifecycle.
 */
#include <cjson/cJSON.h>
#include <stdio.h>
#include <time.h>
#include <stdlib.h>
#include <string.h>

#include "protocol/plainly.h"
#include "tests/support/t.h"
#include "tests/support/testenv.h"

static const char DOC[] =
	"{\"kind\":\"line-up\",\"event\":{\"id\":9201,\"start_time\":\"2026-11-26T10:30:00Z\"},"
	"\"home\":{\"name\":\"Tottenham\",\"starters\":[{\"name\":\"Vicario\",\"shirt_number\":1},"
	"{\"name\":\"Porro\",\"shirt_number\":23}]},\"away\":{\"name\":\"Newcastle\"}}";

static void paths_walk_objects_and_arrays(void)
{
	cJSON *doc = cJSON_Parse(DOC);
	const cJSON *v;

	REQUIRE(doc != NULL);
	v = plainly_path(doc, "home.starters.1.name");
	CHECK(cJSON_IsString(v) && strcmp(v->valuestring, "Porro") == 0);
	v = plainly_path(doc, "event.id");
	CHECK(cJSON_IsNumber(v) && v->valuedouble == 9201);
	CHECK(plainly_path(doc, "home.starters.7.name") == NULL);
	CHECK(plainly_path(doc, "home.starters.x") == NULL);
	CHECK(plainly_path(doc, "home..name") == NULL);
	CHECK(plainly_path(doc, "nothing") == NULL);
	CHECK(plainly_path(doc, "home.name.deeper") == NULL);
	cJSON_Delete(doc);
}

static void request_with_mapping(void)
{
	cJSON *doc = cJSON_Parse(DOC), *req;
	struct cfg_template tpl;
	char *body;

	memset(&tpl, 0, sizeof(tpl));
	tpl.project_id = (char *)"proj";
	tpl.template_id = (char *)"tpl";
	tpl.nparams = 3;
	tpl.param_names[0] = (char *)"homeName";
	tpl.param_paths[0] = (char *)"home.name";
	tpl.param_names[1] = (char *)"homePlayer2";
	tpl.param_paths[1] = (char *)"home.starters.1.name";
	tpl.param_names[2] = (char *)"missing";
	tpl.param_paths[2] = (char *)"home.starters.9.name";
	body = plainly_request_json(&tpl, "line-up", "line-up:9201", doc,
				    "https://hooks.example/bf");
	REQUIRE(body != NULL);
	req = cJSON_Parse(body);
	REQUIRE(req != NULL);
	CHECK_STR(cJSON_GetObjectItem(req, "projectId")->valuestring, "proj");
	CHECK_STR(cJSON_GetObjectItem(req, "templateId")->valuestring, "tpl");
	const cJSON *p = cJSON_GetObjectItem(req, "parameters");
	CHECK_INT(cJSON_GetArraySize(p), 2); /* a missing value is left out */
	CHECK_STR(cJSON_GetObjectItem(p, "homeName")->valuestring, "Tottenham");
	CHECK_STR(cJSON_GetObjectItem(p, "homePlayer2")->valuestring, "Porro");
	const cJSON *a = cJSON_GetObjectItem(req, "attributes");
	CHECK_STR(cJSON_GetObjectItem(a, "bfSubject")->valuestring, "line-up:9201");
	CHECK_STR(cJSON_GetObjectItem(a, "bfKind")->valuestring, "line-up");
	const cJSON *w = cJSON_GetObjectItem(req, "webhook");
	CHECK_STR(cJSON_GetObjectItem(w, "url")->valuestring, "https://hooks.example/bf");
	CHECK_STR(cJSON_GetObjectItem(w, "passthrough")->valuestring, "line-up:9201");
	cJSON_Delete(req);
	free(body);
	cJSON_Delete(doc);
}

static void request_without_mapping_sends_the_document(void)
{
	cJSON *doc = cJSON_Parse(DOC), *req;
	struct cfg_template tpl;
	char *body;

	memset(&tpl, 0, sizeof(tpl));
	tpl.project_id = (char *)"proj";
	body = plainly_request_json(&tpl, "line-up", "line-up:9201", doc, "");
	REQUIRE(body != NULL);
	req = cJSON_Parse(body);
	REQUIRE(req != NULL);
	CHECK(cJSON_GetObjectItem(req, "templateId") == NULL);
	CHECK(cJSON_GetObjectItem(req, "webhook") == NULL);
	CHECK(cJSON_Compare(cJSON_GetObjectItem(req, "parameters"), doc, 1));
	cJSON_Delete(req);
	free(body);
	cJSON_Delete(doc);
}

static void renders_parse(void)
{
	struct plainly_render r;
	size_t len = 0;
	char *body = tenv_slurp("tests/data/fixtures/plainly/render_pending.json", &len);

	REQUIRE(body != NULL);
	memset(&r, 0, sizeof(r));
	CHECK(plainly_parse_render(body, len, &r) == 0);
	CHECK_STR(r.state, "PENDING");
	CHECK_STR(r.id, "1c8f9d5e-3b7a-4c2e-9f1d-6a5b4c3d2e1f");
	free(body);
	body = tenv_slurp("tests/data/fixtures/plainly/render_invalid.json", &len);
	REQUIRE(body != NULL);
	memset(&r, 0, sizeof(r));
	CHECK(plainly_parse_render(body, len, &r) == 0);
	CHECK_STR(r.state, "INVALID");
	CHECK_STR(r.error_code, "RENDER_PARAMETERS_INVALID");
	CHECK(strstr(r.error, "homeName") != NULL);
	free(body);
	/* an error body is not a render */
	body = tenv_slurp("tests/data/fixtures/plainly/error_400.json", &len);
	REQUIRE(body != NULL);
	memset(&r, 0, sizeof(r));
	CHECK(plainly_parse_render(body, len, &r) != 0);
	free(body);
	CHECK(plainly_parse_render("Too Many Requests", 17, &r) != 0);
	/* DONE: the video's URL and when Plainly deletes it */
	body = tenv_slurp("tests/data/fixtures/plainly/render_done.json", &len);
	REQUIRE(body != NULL);
	memset(&r, 0, sizeof(r));
	CHECK(plainly_parse_render(body, len, &r) == 0);
	CHECK_STR(r.state, "DONE");
	CHECK_STR(r.output, "https://cdn.plainlyvideos.com/renders/"
			    "7d2e4c1a-9b3f-4e6d-8a1c-5f0b2d3e4c5a/output.mp4");
	CHECK_INT(r.expires_at, plainly_parse_date("2026-12-26T11:55:41Z"));
	free(body);
	/* a running render has neither */
	static const char running[] = "{\"id\":\"a\",\"state\":\"QUEUED\",\"output\":null}";
	memset(&r, 0, sizeof(r));
	CHECK(plainly_parse_render(running, strlen(running), &r) == 0);
	CHECK_STR(r.output, "");
	CHECK_INT(r.expires_at, -1);
	CHECK(!plainly_state_final("PENDING") && !plainly_state_final("THROTTLED") &&
	      !plainly_state_final("QUEUED") && !plainly_state_final("IN_PROGRESS") &&
	      !plainly_state_final(""));
	CHECK(plainly_state_final("DONE") && plainly_state_final("FAILED") &&
	      plainly_state_final("INVALID") && plainly_state_final("CANCELLED"));
}

#define FAKE_KEY "unit-key"

/* GET /renders/{id} until the state is final (10 s); the last result. */
static enum plainly_result get_final(struct http_client *h, const struct bf_config *c,
				     const char *id, struct plainly_render *r)
{
	enum plainly_result res = PLAINLY_TRANSIENT;

	for (int i = 0; i < 200; i++) {
		res = plainly_render_get(h, c, id, r);
		if (res != PLAINLY_OK || plainly_state_final(r->state))
			return res;
		plainly_render_free(r);
		tenv_sleep_ms(50);
	}
	return res;
}

/* fake-plainly moves two renders through QUEUED and IN_PROGRESS to DONE and
 * FAILED; GET /renders/{id} reads each one's state, output, expiry, error. */
static void render_state_read_back(void)
{
	static const char *const args[] = { "--api-key",   FAKE_KEY,	     "--lifecycle",
					    "100,200,300", "--final-script", "done,failed",
					    "--retention", "3600",	     NULL };
	struct tenv_fake f;
	struct http_client *h = NULL;
	struct bf_config c;
	struct plainly_render r[2], g;
	char url[200];
	bool seen_running = false;

	REQUIRE(tenv_fake_start(&f, "plainly", "unit-plainly-lifecycle", args) == 0);
	REQUIRE(http_client_new(&h) == 0);
	memset(&c, 0, sizeof(c));
	snprintf(url, sizeof(url), "%s/api/v2", f.url);
	c.plainly_base_url = url;
	c.plainly_api_key = (char *)FAKE_KEY;
	c.plainly_timeout = 5;
	for (int i = 0; i < 2; i++)
		CHECK_INT(plainly_render_create(h, &c, "{\"projectId\":\"p\",\"templateId\":\"t\"}",
						&r[i]),
			  PLAINLY_OK);
	/* still running right after the POST: not final, no output */
	CHECK_INT(plainly_render_get(h, &c, r[0].id, &g), PLAINLY_OK);
	seen_running = !plainly_state_final(g.state) && g.output[0] == '\0';
	CHECK(seen_running);
	plainly_render_free(&g);

	CHECK_INT(get_final(h, &c, r[0].id, &g), PLAINLY_OK);
	CHECK_STR(g.state, "DONE");
	CHECK_STR(g.id, r[0].id);
	CHECK(strstr(g.output, r[0].id) != NULL && strncmp(g.output, "http", 4) == 0);
	CHECK(g.expires_at > (long long)time(NULL) + 3000 &&
	      g.expires_at <= (long long)time(NULL) + 3600);
	plainly_render_free(&g);

	CHECK_INT(get_final(h, &c, r[1].id, &g), PLAINLY_OK);
	CHECK_STR(g.state, "FAILED");
	CHECK_STR(g.output, "");
	CHECK(g.error[0] != '\0');
	plainly_render_free(&g);

	/* an unknown render: not found; a refused key: rejected */
	CHECK_INT(plainly_render_get(h, &c, "00000000-0000-0000-0000-000000000000", &g),
		  PLAINLY_NOT_FOUND);
	plainly_render_free(&g);
	c.plainly_api_key = (char *)"wrong";
	CHECK_INT(plainly_render_get(h, &c, r[0].id, &g), PLAINLY_REJECTED);
	CHECK(g.status == 401 || g.status == 403);
	plainly_render_free(&g);
	/* Plainly down: transient */
	tenv_fake_stop(&f);
	c.plainly_api_key = (char *)FAKE_KEY;
	CHECK_INT(plainly_render_get(h, &c, r[0].id, &g), PLAINLY_TRANSIENT);
	plainly_render_free(&g);

	for (int i = 0; i < 2; i++)
		plainly_render_free(&r[i]);
	http_client_free(h);
}

static void dates(void)
{
	CHECK_INT(plainly_parse_date("2026-11-26T09:00:00.000Z"), 1795683600LL);
	CHECK_INT(plainly_parse_date("1970-01-01T00:00:10Z"), 10);
	CHECK_INT(plainly_parse_date("yesterday"), -1);
}

/* The zone counts: the same instant, 2026-11-26T09:00:00Z, written in
 * several zones, with and without a fraction; the rest is not a date. */
static void dates_with_offsets(void)
{
	static const char *const same[] = {
		"2026-11-26T09:00:00Z",		 "2026-11-26T09:00:00.000Z",
		"2026-11-26T09:00:00.123456z",	 "2026-11-26T09:00:00+00:00",
		"2026-11-26T09:00:00.123+00:00", "2026-11-26T09:00:00-0000",
		"2026-11-26T11:00:00+02:00",	 "2026-11-26T11:00:00.5+0200",
		"2026-11-26T11:00:00+02",	 "2026-11-26T03:30:00-05:30",
		"2026-11-26T03:30:00.999-0530",	 "2026-11-27T00:00:00+15:00",
	};
	static const char *const bad[] = {
		"",
		"yesterday",
		"2026-11-26",
		"2026-11-26T09:00:00", /* no zone */
		"2026-11-26 09:00:00Z",
		"2026-11-26T09:00Z",
		"2026-11-26T09:00:00.Z",
		"2026-11-26T09:00:00+2",
		"2026-11-26T09:00:00+02:0",
		"2026-11-26T09:00:00+24:00",
		"2026-11-26T09:00:00+02:60",
		"2026-11-26T09:00:00Zjunk",
		"2026-11-26T09:00:00+02:00 ",
		"2026-02-30T09:00:00Z",
		"2026-13-01T09:00:00Z",
		"2026-11-26T24:00:00Z",
		"2026-11-26T09:60:00Z",
		"+026-11-26T09:00:00Z",
	};

	for (size_t i = 0; i < sizeof(same) / sizeof(same[0]); i++) {
		if (plainly_parse_date(same[i]) != 1795683600LL)
			printf("#   %s\n", same[i]);
		CHECK_INT(plainly_parse_date(same[i]), 1795683600LL);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (plainly_parse_date(bad[i]) != -1)
			printf("#   \"%s\"\n", bad[i]);
		CHECK_INT(plainly_parse_date(bad[i]), -1);
	}
	CHECK_INT(plainly_parse_date("2028-02-29T00:00:00Z"), 1835395200LL);
	/* a render's expiry in another zone; one that is no date is unknown */
	static const char done[] =
		"{\"id\":\"a\",\"state\":\"DONE\",\"output\":\"https://x/o.mp4\","
		"\"expirationDate\":\"2026-12-26T12:55:41.000+01:00\"}";
	static const char odd[] = "{\"id\":\"a\",\"state\":\"DONE\",\"output\":\"https://x/o.mp4\","
				  "\"expirationDate\":\"26/12/2026 11:55\"}";
	struct plainly_render r;

	memset(&r, 0, sizeof(r));
	CHECK(plainly_parse_render(done, strlen(done), &r) == 0);
	CHECK_INT(r.expires_at, plainly_parse_date("2026-12-26T11:55:41Z"));
	memset(&r, 0, sizeof(r));
	CHECK(plainly_parse_render(odd, strlen(odd), &r) == 0);
	CHECK_INT(r.expires_at, -1);
}

int main(void)
{
	T_RUN(paths_walk_objects_and_arrays);
	T_RUN(request_with_mapping);
	T_RUN(request_without_mapping_sends_the_document);
	T_RUN(renders_parse);
	T_RUN(dates);
	T_RUN(dates_with_offsets);
	T_RUN(render_state_read_back);
	return t_done();
}
