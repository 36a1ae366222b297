#include "tests/support/parsers.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/support/t.h"

/* A list parser's outputs after rc: on -1 (unreadable) or 1 (not there)
 * empty with a reason, on 0 a list. */
static void check_list(int rc, const void *out, size_t n, const char *err)
{
	CHECK(rc == 0 || rc == 1 || rc == -1);
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
		CHECK(rc == 0 || rc == 1 || rc == -1);
		if (rc != 0)
			CHECK(err[0] != '\0');
		ok[PARSER_EVENT] = rc == 0;
	}
	{
		struct match_lineups l;
		err[0] = '\0';
		rc = p->lineups(buf, len, &l, true, err, sizeof(err));
		CHECK(rc == 0 || rc == 1 || rc == -1);
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

char *parsers_slurp(const char *dir, const char *name, size_t *len)
{
	char path[512];
	FILE *f;
	char *buf;
	long sz;

	snprintf(path, sizeof(path), "%s%s", dir, name);
	f = fopen(path, "rb");
	if (f == NULL)
		return NULL;
	if (fseek(f, 0, SEEK_END) != 0 || (sz = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0) {
		fclose(f);
		return NULL;
	}
	buf = malloc(sz > 0 ? (size_t)sz : 1);
	if (buf == NULL || fread(buf, 1, (size_t)sz, f) != (size_t)sz) {
		free(buf);
		fclose(f);
		return NULL;
	}
	fclose(f);
	*len = (size_t)sz;
	return buf;
}

char *parsers_dup(const char *s, size_t n)
{
	char *b = malloc(n ? n : 1);

	if (b != NULL && n > 0)
		memcpy(b, s, n);
	return b;
}

bool parsers_near(double a, double b)
{
	return fabs(a - b) < 1e-9;
}

const struct match_event *parsers_find_event(const struct match_event *evs, size_t n, int64_t id)
{
	for (size_t i = 0; i < n; i++)
		if (evs[i].id == id)
			return &evs[i];
	return NULL;
}

const struct match_player *parsers_find_player(const struct match_side *s, int64_t id)
{
	for (size_t i = 0; i < s->nplayers; i++)
		if (s->players[i].id == id)
			return &s->players[i];
	return NULL;
}

const struct match_stat *parsers_find_stat(const struct match_stat *st, size_t n, const char *key)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(st[i].key, key) == 0)
			return &st[i];
	return NULL;
}
