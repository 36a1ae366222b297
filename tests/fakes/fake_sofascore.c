/*
 * fake-sofascore: a scripted stand-in for the Sofascore JSON API, for tests and the demo.
 *
 * Serves the responses listed in DIR/scenario.json (see tests/fakes/README.md), shifts
 * timestamps so a recorded match day happens "now", injects faults (challenge, 429, 5xx,
 * timeouts, resets, broken bodies) and logs every request. Binds 127.0.0.1 only.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>
#include <microhttpd.h>

#include "fake.h"
#include "scenario.h"

const char fake_name[] = "fake-sofascore";

static const char BODY_NOT_FOUND[] = "{\"error\":{\"code\":404,\"message\":\"Not Found\"}}";
static const char BODY_CHALLENGE[] = "{\"error\":{\"code\":403,\"reason\":\"challenge\"}}";
static const char BODY_MALFORMED[] = "{\"event\": [1,2,";
static const char BODY_500[] = "{\"error\":{\"code\":500,\"message\":\"Internal Server Error\"}}";
static const char BODY_429[] = "{\"error\":{\"code\":429,\"message\":\"Too Many Requests\"}}";
static const char BODY_405[] = "{\"error\":{\"code\":405,\"message\":\"Method Not Allowed\"}}";
static const char BODY_TRUNC_DEFAULT[] =
	"{\"event\":{\"id\":0,\"status\":{\"type\":\"notstarted\"}}}";

/* Keys whose positive numeric values are moved by the time shift. */
static const char *const SHIFT_KEYS[] = {
	"startTimestamp",	  "endTimestamp",	  "timestamp",
	"changedTimestamp",	  "changeTimestamp",	  "currentPeriodStartTimestamp",
	"lastPeriodEndTimestamp", "lastUpdatedTimestamp", "updatedAtTimestamp",
};

/* Sofascore's own faults, after the engine's (reset, timeout, truncate, malformed). */
enum {
	F_CHALLENGE = SCEN_F_OWN,
	F_500,
	F_429
};

static const struct scen_fault_name FAULT_NAMES[] = {
	{ "none", SCEN_F_NONE },
	{ "challenge", F_CHALLENGE },
	{ "truncate", SCEN_F_TRUNCATE },
	{ "malformed", SCEN_F_MALFORMED },
	{ "timeout", SCEN_F_TIMEOUT },
	{ "reset", SCEN_F_RESET },
	{ "500", F_500 },
	{ "429", F_429 },
};

/* The engine, with the scenario and its state (the only global). */
static struct scen sofa;

/* ---------------------------------------------------------------- the hooks of the engine */

static int is_shift_key(const char *k)
{
	for (size_t i = 0; i < sizeof SHIFT_KEYS / sizeof SHIFT_KEYS[0]; i++)
		if (strcmp(k, SHIFT_KEYS[i]) == 0)
			return 1;
	return 0;
}

static void shift_tree(cJSON *node, long long off)
{
	for (cJSON *c = node->child; c; c = c->next) {
		if (c->string && cJSON_IsNumber(c) && c->valuedouble > 0 && is_shift_key(c->string))
			cJSON_SetNumberValue(c, c->valuedouble + (double)off);
		if (cJSON_IsObject(c) || cJSON_IsArray(c))
			shift_tree(c, off);
	}
}

static enum MHD_Result answer_fault(struct scen *s, const struct scen_req *q, int fault)
{
	struct scen_req r;
	switch (fault) {
	case F_CHALLENGE:
		return scen_reply_str(s, q, 403, BODY_CHALLENGE);
	case F_429:
		r = *q;
		r.xh[r.nxh++] = (struct fake_hdr){ "Retry-After", "2" };
		return scen_reply_str(s, &r, 429, BODY_429);
	default:
		return scen_reply_str(s, q, 500, BODY_500);
	}
}

static enum MHD_Result answer_not_found(struct scen *s, const struct scen_req *q)
{
	return scen_reply_str(s, q, 404, BODY_NOT_FOUND);
}

static enum MHD_Result answer_not_allowed(struct scen *s, const struct scen_req *q)
{
	return scen_reply_str(s, q, 405, BODY_405);
}

/* An entry without a body: {"error":{"code":S,"message":"<reason>"}} from 400 on, else
 * nothing. */
static char *bodyless(const struct scen_req *q, unsigned status)
{
	cJSON *j, *er;
	const char *phrase;
	char *b;
	(void)q;
	if (status < 400)
		return NULL;
	j = cJSON_CreateObject();
	er = cJSON_AddObjectToObject(j, "error");
	phrase = MHD_get_reason_phrase_for(status);
	cJSON_AddNumberToObject(er, "code", status);
	cJSON_AddStringToObject(er, "message", phrase && *phrase ? phrase : "Error");
	b = xprint(j);
	cJSON_Delete(j);
	return b;
}

static const struct scen_hooks HOOKS = {
	.faults = FAULT_NAMES,
	.nfaults = sizeof FAULT_NAMES / sizeof FAULT_NAMES[0],
	.shift = shift_tree,
	.fault = answer_fault,
	.not_found = answer_not_found,
	.not_allowed = answer_not_allowed,
	.bodyless = bodyless,
	.timeout_fault = F_500,
	.malformed = BODY_MALFORMED,
	.truncated = BODY_TRUNC_DEFAULT,
	.control_not_found = BODY_NOT_FOUND,
};

/* ---------------------------------------------------------------- main */

static void usage(FILE *f)
{
	fputs("usage: fake-sofascore --port N --scenario DIR [--log FILE] [--shift-to EPOCH]\n"
	      "         [--fault-rate 500=0.05,timeout=0.02,429=0.01,challenge=0.01]\n"
	      "         [--timeout-delay-ms MS] [--seed N] [--pidfile F] [--port-file F]\n"
	      "         [--prefix /api/v1] [--threads N]\n"
	      "--threads N: serve with a pool of N threads (default 0: one thread per connection);\n"
	      "  in a pool a delay_ms or timeout fault holds up the other connections of its thread.\n"
	      "Prints \"listening on 127.0.0.1:PORT\" first; see tests/fakes/README.md.\n",
	      f);
}

static bool own_flag(int opt, const char *arg)
{
	if (opt != 'x')
		return false;
	sofa.prefix = arg;
	return true;
}

int main(int argc, char **argv)
{
	static const struct option own[] = {
		{ "prefix", required_argument, NULL, 'x' },
		{ NULL, 0, NULL, 0 },
	};

	fake_init();
	sofa = (struct scen)SCEN_INIT(&HOOKS);
	sofa.prefix = "/api/v1";
	return scen_main(&sofa, argc, argv, own, own_flag, usage);
}
