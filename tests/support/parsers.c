#include "tests/support/parsers.h"

#include <stdlib.h>

#include "tests/support/t.h"

/* A list parser's outputs after rc: on -1 empty with a reason, on 0 a list. */
static void check_list(int rc, const void *out, size_t n, const char *err)
{
	CHECK(rc == 0 || rc == -1);
	if (rc != 0) {
		CHECK(out == NULL);
		CHECK_INT(n, 0);
		CHECK(err[0] != '\0');
	} else {
		CHECK(out != NULL);
	}
}

void parsers_run_all(const struct parsers *p, const char *buf, size_t len, bool ok[PARSER_N])
{
	char err[256];
	int rc;
	size_t n, skipped;

	{
		struct match_event *evs = (struct match_event *)1;
		n = skipped = 99;
		err[0] = '\0';
		rc = p->events(buf, len, &evs, &n, &skipped, err, sizeof(err));
		check_list(rc, evs, n, err);
		free(evs);
		ok[PARSER_EVENTS] = rc == 0;
	}
	{
		struct match_event ev;
		err[0] = '\0';
		rc = p->event(buf, len, &ev, err, sizeof(err));
		CHECK(rc == 0 || rc == -1);
		if (rc != 0)
			CHECK(err[0] != '\0');
		ok[PARSER_EVENT] = rc == 0;
	}
	{
		struct match_lineups l;
		err[0] = '\0';
		rc = p->lineups(buf, len, &l, true, err, sizeof(err));
		CHECK(rc == 0 || rc == -1);
		if (rc != 0) {
			CHECK(l.home.players == NULL && l.away.players == NULL);
			CHECK(l.home.missing == NULL && l.away.missing == NULL);
			CHECK(err[0] != '\0');
		}
		match_lineups_free(&l);
		ok[PARSER_LINEUPS] = rc == 0;
	}
	{
		struct match_stat *st = (struct match_stat *)1;
		n = 99;
		err[0] = '\0';
		rc = p->statistics(buf, len, &st, &n, err, sizeof(err));
		check_list(rc, st, n, err);
		free(st);
		ok[PARSER_STATS] = rc == 0;
	}
	{
		struct match_incident *inc = (struct match_incident *)1;
		n = 99;
		err[0] = '\0';
		rc = p->incidents(buf, len, &inc, &n, err, sizeof(err));
		check_list(rc, inc, n, err);
		free(inc);
		ok[PARSER_INCIDENTS] = rc == 0;
	}
	{
		struct match_standing *st = (struct match_standing *)1;
		n = 99;
		err[0] = '\0';
		rc = p->standings(buf, len, &st, &n, err, sizeof(err));
		check_list(rc, st, n, err);
		free(st);
		ok[PARSER_STANDINGS] = rc == 0;
	}
}

void parsers_all_refuse(const struct parsers *p, const char *buf, size_t len, const char *what)
{
	bool ok[PARSER_N];

	parsers_run_all(p, buf, len, ok);
	for (int i = 0; i < PARSER_N; i++)
		if (ok[i])
			t_fail(__FILE__, __LINE__, "parser %d accepted %s", i, what);
}
