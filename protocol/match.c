#include "match.h"

#include <stdlib.h>
#include <string.h>

static const char *const status_names[] = {
	"unknown",   "notstarted", "inprogress",  "finished",
	"postponed", "canceled",   "interrupted", "suspended",
};

const char *match_status_name(enum match_status s)
{
	return (unsigned)s < sizeof(status_names) / sizeof(status_names[0]) ? status_names[s]
									    : "unknown";
}

enum match_status match_status_parse(const char *name)
{
	if (name == NULL)
		return MATCH_ST_UNKNOWN;
	/* "cancelled" is seen in some feeds */
	if (strcmp(name, "cancelled") == 0)
		return MATCH_ST_CANCELED;
	for (size_t i = 1; i < sizeof(status_names) / sizeof(status_names[0]); i++)
		if (strcmp(name, status_names[i]) == 0)
			return (enum match_status)i;
	return MATCH_ST_UNKNOWN;
}

bool match_query_same(const struct match_query *a, const struct match_query *b)
{
	return a->what == b->what && a->competition == b->competition && a->season == b->season &&
	       a->round == b->round && a->event == b->event && strcmp(a->date, b->date) == 0;
}

static void side_free(struct match_side *s)
{
	for (size_t i = 0; i < s->nplayers; i++)
		free(s->players[i].stats_json);
	free(s->players);
	free(s->missing);
	memset(s, 0, sizeof(*s));
}

void match_lineups_free(struct match_lineups *l)
{
	side_free(&l->home);
	side_free(&l->away);
}
