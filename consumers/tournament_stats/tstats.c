#include "consumers/tournament_stats/tstats.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "consumers/render.h"
#include "lib/db.h"
#include "lib/log.h"
#include "protocol/source.h"

#define TOP_SCORERS 10

static const char *const SQL_ROUND_INFO =
	"SELECT max(tournament_name), max(season_name), count(*),"
	" count(*) FILTER (WHERE status_type = 'finished')"
	" FROM events WHERE unique_tournament_id = $1::bigint AND season_id = $2::bigint"
	" AND round = $3::int";

static const char *const SQL_ROUND_RESULTS =
	"SELECT home_name, away_name, home_score, away_score FROM v_results"
	" WHERE unique_tournament_id = $1::bigint AND season_id = $2::bigint AND round = $3::int"
	" ORDER BY start_time, event_id";

static const char *const SQL_ROUND_GOALS =
	"SELECT player_name, player_team, minute, COALESCE(added_time, 0), COALESCE(class, 'regular')"
	" FROM v_goals"
	" WHERE unique_tournament_id = $1::bigint AND season_id = $2::bigint AND round = $3::int"
	" ORDER BY event_id, minute, added_time NULLS FIRST";

/* Season top scorers up to this round: own goals excluded, penalties counted. */
static const char *const SQL_TOP_SCORERS =
	"SELECT player_name, (array_agg(player_team ORDER BY round DESC NULLS LAST))[1], count(*)"
	" FROM v_goals"
	" WHERE unique_tournament_id = $1::bigint AND season_id = $2::bigint"
	"  AND (round IS NULL OR round <= $3::int) AND class IS DISTINCT FROM 'ownGoal'"
	" GROUP BY player_id, player_name"
	" ORDER BY count(*) DESC, player_name LIMIT 10";

/* The best-rated player per slot of a 4-3-3; ties: minutes played, then id. */
static const char *const SQL_TEAM_OF_ROUND =
	"WITH slots(position, n, ord) AS (VALUES ('G', 1, 1), ('D', 4, 2), ('M', 3, 3), ('F', 3, 4)),"
	" ranked AS ("
	"  SELECT r.*, row_number() OVER (PARTITION BY r.position"
	"   ORDER BY r.rating DESC, r.minutes DESC, r.player_id) AS rn"
	"  FROM v_ratings r"
	"  WHERE r.unique_tournament_id = $1::bigint AND r.season_id = $2::bigint AND r.round = $3::int)"
	" SELECT ranked.player_name, ranked.team, ranked.position, ranked.rating"
	" FROM ranked JOIN slots ON slots.position = ranked.position"
	" WHERE ranked.rn <= slots.n ORDER BY slots.ord, ranked.rn";

static const char *const SQL_PLAYER_OF_ROUND =
	"SELECT player_name, team, rating FROM v_ratings"
	" WHERE unique_tournament_id = $1::bigint AND season_id = $2::bigint AND round = $3::int"
	" ORDER BY rating DESC, minutes DESC, player_id LIMIT 1";

static const char *const SQL_STANDINGS =
	"SELECT pos, team, played, won, drawn, lost, goals_for, goals_against, points"
	" FROM standings_computed($1::bigint, $2::bigint, $3::int)";

static PGresult *q(PGconn *db, const char *what, const char *sql, const struct work_msg *m)
{
	char ut[32], season[32], round[16];
	const char *p[3] = { ut, season, round };

	snprintf(ut, sizeof(ut), "%" PRId64, m->unique_tournament_id);
	snprintf(season, sizeof(season), "%" PRId64, m->season_id);
	snprintf(round, sizeof(round), "%d", m->round);
	return db_exec(db, what, sql, 3, p);
}

static double num(const PGresult *r, int row, int col)
{
	return strtod(PQgetvalue(r, row, col), NULL);
}

static cJSON *standing_json(int pos, const char *team, double played, double won, double drawn,
			    double lost, double gf, double ga, double pts)
{
	cJSON *o = cJSON_CreateObject();

	cJSON_AddNumberToObject(o, "position", pos);
	cJSON_AddStringToObject(o, "team", team);
	cJSON_AddNumberToObject(o, "played", played);
	cJSON_AddNumberToObject(o, "won", won);
	cJSON_AddNumberToObject(o, "drawn", drawn);
	cJSON_AddNumberToObject(o, "lost", lost);
	cJSON_AddNumberToObject(o, "goals_for", gf);
	cJSON_AddNumberToObject(o, "goals_against", ga);
	cJSON_AddNumberToObject(o, "points", pts);
	return o;
}

cJSON *tstats_document(PGconn *db, const struct work_msg *m, const struct match_standing *st,
		       size_t nst, const char *source, bool *unknown_round, char *err,
		       size_t errlen)
{
	cJSON *doc = NULL, *t, *arr;
	PGresult *r;

	if (unknown_round != NULL)
		*unknown_round = false;

	r = q(db, "round info", SQL_ROUND_INFO, m);
	if (r == NULL) {
		snprintf(err, errlen, "round query failed");
		return NULL;
	}
	if (strtol(PQgetvalue(r, 0, 2), NULL, 10) == 0) {
		snprintf(err, errlen, "no stored events for this round");
		if (unknown_round != NULL)
			*unknown_round = true;
		PQclear(r);
		return NULL;
	}
	doc = cJSON_CreateObject();
	cJSON_AddStringToObject(doc, "kind", "tournament-stats");
	t = cJSON_AddObjectToObject(doc, "tournament");
	cJSON_AddNumberToObject(t, "id", (double)m->unique_tournament_id);
	cJSON_AddStringToObject(t, "name", PQgetvalue(r, 0, 0));
	cJSON_AddNumberToObject(t, "season_id", (double)m->season_id);
	cJSON_AddStringToObject(t, "season", PQgetvalue(r, 0, 1));
	cJSON_AddNumberToObject(t, "round", m->round);
	PQclear(r);

	arr = cJSON_CreateArray();
	if (st != NULL) {
		/* the provider's table now (API-Football has no per-round table:
		 * the one taken when the round completed) */
		cJSON_AddStringToObject(doc, "standings_source", source);
		for (size_t i = 0; i < nst; i++) {
			cJSON *row = standing_json(st[i].position, st[i].team, st[i].played,
						   st[i].won, st[i].drawn, st[i].lost,
						   st[i].goals_for, st[i].goals_against,
						   st[i].points);
			/* competitions with groups: one table per group */
			if (st[i].group[0] != '\0')
				cJSON_AddStringToObject(row, "group", st[i].group);
			cJSON_AddItemToArray(arr, row);
		}
	} else {
		cJSON_AddStringToObject(doc, "standings_source", "computed");
		if ((r = q(db, "computed standings", SQL_STANDINGS, m)) == NULL)
			goto fail;
		for (int i = 0; i < PQntuples(r); i++)
			cJSON_AddItemToArray(arr,
					     standing_json((int)num(r, i, 0), PQgetvalue(r, i, 1),
							   num(r, i, 2), num(r, i, 3), num(r, i, 4),
							   num(r, i, 5), num(r, i, 6), num(r, i, 7),
							   num(r, i, 8)));
		PQclear(r);
	}
	cJSON_AddItemToObject(doc, "standings", arr);

	if ((r = q(db, "round results", SQL_ROUND_RESULTS, m)) == NULL)
		goto fail;
	arr = cJSON_AddArrayToObject(doc, "round_results");
	for (int i = 0; i < PQntuples(r); i++) {
		cJSON *o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "home", PQgetvalue(r, i, 0));
		cJSON_AddStringToObject(o, "away", PQgetvalue(r, i, 1));
		cJSON_AddNumberToObject(o, "home_score", num(r, i, 2));
		cJSON_AddNumberToObject(o, "away_score", num(r, i, 3));
		cJSON_AddItemToArray(arr, o);
	}
	PQclear(r);

	if ((r = q(db, "round goals", SQL_ROUND_GOALS, m)) == NULL)
		goto fail;
	arr = cJSON_AddArrayToObject(doc, "round_goals");
	for (int i = 0; i < PQntuples(r); i++) {
		cJSON *o = cJSON_CreateObject();
		const char *klass = PQgetvalue(r, i, 4);
		char minute[16];
		int added = (int)num(r, i, 3);
		cJSON_AddStringToObject(o, "name", PQgetvalue(r, i, 0));
		cJSON_AddStringToObject(o, "team", PQgetvalue(r, i, 1));
		if (added > 0)
			snprintf(minute, sizeof(minute), "%d+%d", (int)num(r, i, 2), added);
		else
			snprintf(minute, sizeof(minute), "%d", (int)num(r, i, 2));
		cJSON_AddStringToObject(o, "minute", minute);
		cJSON_AddStringToObject(o, "type",
					strcmp(klass, "ownGoal") == 0	? "own-goal"
					: strcmp(klass, "penalty") == 0 ? "penalty"
									: "regular");
		cJSON_AddItemToArray(arr, o);
	}
	PQclear(r);

	if ((r = q(db, "top scorers", SQL_TOP_SCORERS, m)) == NULL)
		goto fail;
	arr = cJSON_AddArrayToObject(doc, "top_scorers");
	for (int i = 0; i < PQntuples(r) && i < TOP_SCORERS; i++) {
		cJSON *o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "name", PQgetvalue(r, i, 0));
		cJSON_AddStringToObject(o, "team", PQgetvalue(r, i, 1));
		cJSON_AddNumberToObject(o, "goals", num(r, i, 2));
		cJSON_AddItemToArray(arr, o);
	}
	PQclear(r);

	if ((r = q(db, "team of the round", SQL_TEAM_OF_ROUND, m)) == NULL)
		goto fail;
	arr = cJSON_AddArrayToObject(doc, "team_of_the_round");
	for (int i = 0; i < PQntuples(r); i++) {
		cJSON *o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "name", PQgetvalue(r, i, 0));
		cJSON_AddStringToObject(o, "team", PQgetvalue(r, i, 1));
		cJSON_AddStringToObject(o, "position", PQgetvalue(r, i, 2));
		cJSON_AddNumberToObject(o, "rating", num(r, i, 3));
		cJSON_AddItemToArray(arr, o);
	}
	PQclear(r);

	if ((r = q(db, "player of the round", SQL_PLAYER_OF_ROUND, m)) == NULL)
		goto fail;
	if (PQntuples(r) == 1) {
		cJSON *o = cJSON_AddObjectToObject(doc, "player_of_the_round");
		cJSON_AddStringToObject(o, "name", PQgetvalue(r, 0, 0));
		cJSON_AddStringToObject(o, "team", PQgetvalue(r, 0, 1));
		cJSON_AddNumberToObject(o, "rating", num(r, 0, 2));
	}
	PQclear(r);
	return doc;
fail:
	snprintf(err, errlen, "aggregate query failed");
	cJSON_Delete(doc);
	return NULL;
}

static int store_snapshot(PGconn *db, const struct work_msg *m, const cJSON *doc)
{
	char ut[32], season[32], round[16];
	const cJSON *src = cJSON_GetObjectItemCaseSensitive(doc, "standings_source");
	char *data = cJSON_PrintUnformatted(cJSON_GetObjectItemCaseSensitive(doc, "standings"));
	const char *p[5] = { ut, season, round, cJSON_IsString(src) ? src->valuestring : "computed",
			     data };
	int rc;

	if (data == NULL)
		return -1;
	snprintf(ut, sizeof(ut), "%" PRId64, m->unique_tournament_id);
	snprintf(season, sizeof(season), "%" PRId64, m->season_id);
	snprintf(round, sizeof(round), "%d", m->round);
	rc = db_cmd(
		db, "standings snapshot",
		"INSERT INTO standings_snapshots (unique_tournament_id, season_id, round, source, data)"
		" VALUES ($1::bigint, $2::bigint, $3::int, $4, $5::jsonb)"
		" ON CONFLICT (unique_tournament_id, season_id, round) DO UPDATE SET"
		" source = EXCLUDED.source, data = EXCLUDED.data, taken_at = now()",
		5, p);
	free(data);
	return rc;
}

void tstats_branch(struct consumer_ctx *ctx, const struct work_msg *m, struct outcome *out)
{
	struct source_resp r;
	struct match_standing *st = NULL;
	size_t nst = 0;
	bool from_provider = false;
	char err[256], subject[MSG_KEY_MAX];
	bool unknown_round = false;
	cJSON *doc;

	memset(out, 0, sizeof(*out));
	if (db_broken(ctx->db) && db_reconnect(ctx->db) != 0) {
		outcome_retry(out, 0, "database", "database unavailable");
		return;
	}
	enum source_result res = source_get_standings(ctx->src, m->unique_tournament_id,
						      m->season_id, &st, &nst, &r);
	if (res == SOURCE_OK || res == SOURCE_NOT_MODIFIED ||
	    (res == SOURCE_BAD && r.reason == SOURCE_R_UNREADABLE)) {
		if (res != SOURCE_BAD && nst > 0)
			from_provider = true;
		else
			log_warn("standings unreadable, computing them unique_tournament_id=%" PRId64
				 " error=%s",
				 m->unique_tournament_id, log_quote(r.error));
	} else {
		/* 404 (no table), challenge, failure: the stored results will do */
		log_info("standings from %s unavailable (%s): computing them unique_tournament_id=%" PRId64,
			 source_provider(ctx->src),
			 r.reason == SOURCE_R_EMPTY ? "no body" : r.error, m->unique_tournament_id);
	}
	doc = tstats_document(ctx->db, m, from_provider ? st : NULL, nst, source_provider(ctx->src),
			      &unknown_round, err, sizeof(err));
	free(st);
	if (doc == NULL) {
		if (unknown_round)
			outcome_dead(out, "unknown-round", "%s", err);
		else
			outcome_retry(out, 0, "database", "%s", err);
		return;
	}
	if (store_snapshot(ctx->db, m, doc) != 0) {
		cJSON_Delete(doc);
		outcome_retry(out, 0, "database", "storing the standings snapshot failed");
		return;
	}
	if (msg_key(m, subject, sizeof(subject)) < 0) {
		cJSON_Delete(doc);
		outcome_dead(out, "poison", "invalid round");
		return;
	}
	render_request(ctx->render, &ctx->cfg->tpl_tstats, "tournament-stats", subject, doc, out);
	cJSON_Delete(doc);
}
