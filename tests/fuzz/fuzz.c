/*
 * libFuzzer harnesses, one per parser of untrusted bytes.  Built once per
 * target with -DFUZZ_<NAME> (see tests/fuzz/run.sh); seeds come from
 * tests/data/fixtures.  The AF_ targets are the API-Football adapter's.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "protocol/apifootball.h"
#include "protocol/message.h"
#include "protocol/plainly.h"
#include "protocol/sofascore.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *body = (const char *)data;
	char err[256];

#if defined(FUZZ_MESSAGE)
	struct work_msg m;
	char buf[256], key[MSG_KEY_MAX];
	if (msg_decode(body, size, &m, err, sizeof(err)) == 0) {
		/* what decodes must encode and decode to the same */
		struct work_msg m2;
		int n = msg_encode(&m, buf, sizeof(buf));
		if (n < 0 || msg_key(&m, key, sizeof(key)) < 0 ||
		    msg_decode(buf, (size_t)n, &m2, err, sizeof(err)) != 0 || m2.type != m.type ||
		    m2.event_id != m.event_id || m2.round != m.round)
			abort();
	}
#elif defined(FUZZ_EVENTS)
	struct match_event *ev = NULL;
	size_t n = 0, skipped = 0;
	if (sofa_parse_events(body, size, &ev, &n, &skipped, err, sizeof(err)) == 0)
		free(ev);
#elif defined(FUZZ_EVENT)
	struct match_event ev;
	(void)sofa_parse_event(body, size, &ev, err, sizeof(err));
#elif defined(FUZZ_LINEUPS)
	struct match_lineups l;
	if (sofa_parse_lineups(body, size, &l, true, err, sizeof(err)) == 0)
		match_lineups_free(&l);
#elif defined(FUZZ_STATISTICS)
	struct match_stat *st = NULL;
	size_t n = 0;
	if (sofa_parse_statistics(body, size, &st, &n, err, sizeof(err)) == 0)
		free(st);
#elif defined(FUZZ_INCIDENTS)
	struct match_incident *inc = NULL;
	size_t n = 0;
	if (sofa_parse_incidents(body, size, &inc, &n, err, sizeof(err)) == 0)
		free(inc);
#elif defined(FUZZ_STANDINGS)
	struct match_standing *st = NULL;
	size_t n = 0;
	if (sofa_parse_standings(body, size, &st, &n, err, sizeof(err)) == 0)
		free(st);
#elif defined(FUZZ_AF_ERRORS)
	char msg[64];
	enum af_error e = af_classify_errors(body, size, msg, sizeof(msg));
	(void)err;
	if (e > AF_ERR_SERVER || (e == AF_ERR_NONE && msg[0] != '\0'))
		abort();
#elif defined(FUZZ_AF_EVENTS)
	struct match_event *ev = NULL;
	size_t n = 0, skipped = 0;
	if (af_parse_events(body, size, &ev, &n, &skipped, err, sizeof(err)) == 0)
		free(ev);
#elif defined(FUZZ_AF_EVENT)
	struct match_event ev;
	(void)af_parse_event(body, size, &ev, err, sizeof(err));
#elif defined(FUZZ_AF_LINEUPS)
	struct match_lineups l;
	if (af_parse_lineups(body, size, &l, true, err, sizeof(err)) == 0)
		match_lineups_free(&l);
#elif defined(FUZZ_AF_STATISTICS)
	struct match_stat *st = NULL;
	size_t n = 0;
	if (af_parse_statistics(body, size, &st, &n, err, sizeof(err)) == 0)
		free(st);
#elif defined(FUZZ_AF_INCIDENTS)
	struct match_incident *inc = NULL;
	size_t n = 0;
	if (af_parse_incidents(body, size, &inc, &n, err, sizeof(err)) == 0)
		free(inc);
#elif defined(FUZZ_AF_STANDINGS)
	struct match_standing *st = NULL;
	size_t n = 0;
	if (af_parse_standings(body, size, &st, &n, err, sizeof(err)) == 0)
		free(st);
#elif defined(FUZZ_PLAINLY)
	struct plainly_render r = { 0 };
	(void)err;
	(void)plainly_parse_render(body, size, &r);
	plainly_render_free(&r);
#else
#error "define one FUZZ_<TARGET>"
#endif
	return 0;
}
