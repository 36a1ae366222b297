/*
 * protocol/plainly: the render request body (parameter mapping from the
 * video data document), render parsing, dates.
 */
#include <cjson/cJSON.h>
#include <stdio.h>
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
}

static void dates(void)
{
	CHECK_INT(plainly_parse_date("2026-11-26T09:00:00.000Z"), 1795683600LL);
	CHECK_INT(plainly_parse_date("1970-01-01T00:00:10Z"), 10);
	CHECK_INT(plainly_parse_date("yesterday"), -1);
}

int main(void)
{
	T_RUN(paths_walk_objects_and_arrays);
	T_RUN(request_with_mapping);
	T_RUN(request_without_mapping_sends_the_document);
	T_RUN(renders_parse);
	T_RUN(dates);
	return t_done();
}
