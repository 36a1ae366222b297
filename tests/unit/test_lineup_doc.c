/*
 * test_lineup_doc: the line-up video data document (DESIGN section 6) built
 * by lineup_document() from line-ups shaped like Sofascore's, and the
 * re-check tier chosen by lineup_recheck_tier().  No servers.
 *
 * The fixture tests/data/fixtures/lineups/lineups_confirmed.json follows the real
 * /event/{id}/lineups (see ../shared/sofascore-samples/): players listed by
 * position, "captain" present only on the captain, player.jerseyNumber
 * differing from the match entry's shirtNumber for several players, a bench
 * player with no shirtNumber at all, statistics without "rating", bench
 * players without statistics, missingPlayers with and without a
 * description.  Run from the project root.
 */
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "consumers/consumer.h"
#include "consumers/lineups/lineup.h"
#include "lib/config.h"
#include "lib/log.h"
#include "protocol/sofascore.h"
#include "protocol/topology.h"
#include "tests/support/t.h"
#include "tests/support/testenv.h"

#define FIX "tests/data/fixtures/lineups/"

static int parse_fixture(const char *name, struct match_lineups *l)
{
	char path[256], err[256] = "";
	size_t len = 0;
	char *body;
	int rc;

	snprintf(path, sizeof(path), FIX "%s", name);
	body = tenv_slurp(path, &len);
	if (body == NULL) {
		t_fail(__FILE__, __LINE__, "cannot read %s (run from the project root)", path);
		return -1;
	}
	rc = sofa_parse_lineups(body, len, l, false, err, sizeof(err));
	free(body);
	if (rc != 0)
		t_fail(__FILE__, __LINE__, "sofa_parse_lineups(%s): %s", path, err);
	return rc;
}

/* The events row the consumer would have loaded. */
static void event_of(struct lineup_event *ev)
{
	memset(ev, 0, sizeof(*ev));
	ev->id = 7001;
	ev->start_ts = 1790003600; /* 2026-09-21T15:13:20Z */
	snprintf(ev->status_type, sizeof(ev->status_type), "notstarted");
	snprintf(ev->tournament, sizeof(ev->tournament), "Premier League");
	snprintf(ev->season, sizeof(ev->season), "Premier League 26/27");
	ev->round = 12;
	snprintf(ev->venue, sizeof(ev->venue), "Northbridge Park");
	ev->home.id = 4701;
	snprintf(ev->home.name, sizeof(ev->home.name), "Northbridge United");
	snprintf(ev->home.short_name, sizeof(ev->home.short_name), "Northbridge");
	ev->away.id = 4702;
	snprintf(ev->away.name, sizeof(ev->away.name), "Southport Rovers");
	snprintf(ev->away.short_name, sizeof(ev->away.short_name), "Southport");
	/* the branch fills the crests from the provider (source_crest_url) */
	sofa_crest_url(ev->home.id, ev->home.crest_url, sizeof(ev->home.crest_url));
	sofa_crest_url(ev->away.id, ev->away.crest_url, sizeof(ev->away.crest_url));
}

static const char *str_of(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

static double num_of(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

	return cJSON_IsNumber(v) ? v->valuedouble : -12345.0;
}

/* One expected player of the document, in document order. */
struct want_player {
	long long id;
	const char *name, *short_name;
	int shirt; /* 0 = null */
	const char *position;
	bool captain;
};

static void check_players(const char *where, const cJSON *arr, const struct want_player *w,
			  size_t n)
{
	const cJSON *p;
	size_t i = 0;

	if (!cJSON_IsArray(arr)) {
		t_fail(__FILE__, __LINE__, "%s: not an array", where);
		return;
	}
	if ((size_t)cJSON_GetArraySize(arr) != n)
		t_fail(__FILE__, __LINE__, "%s: %d players, want %zu", where,
		       cJSON_GetArraySize(arr), n);
	cJSON_ArrayForEach (p, arr) {
		const cJSON *shirt = cJSON_GetObjectItemCaseSensitive(p, "shirt_number");
		const cJSON *cap = cJSON_GetObjectItemCaseSensitive(p, "captain");
		const char *name = str_of(p, "name"), *sn = str_of(p, "short_name");
		const char *pos = str_of(p, "position");

		if (i >= n)
			break;
		if ((long long)num_of(p, "id") != w[i].id)
			t_fail(__FILE__, __LINE__, "%s[%zu]: id %.0f, want %lld (%s)", where, i,
			       num_of(p, "id"), w[i].id, w[i].name);
		if (name == NULL || strcmp(name, w[i].name) != 0)
			t_fail(__FILE__, __LINE__, "%s[%zu]: name \"%s\", want \"%s\"", where, i,
			       name ? name : "(none)", w[i].name);
		if (sn == NULL || strcmp(sn, w[i].short_name) != 0)
			t_fail(__FILE__, __LINE__, "%s[%zu]: short_name \"%s\", want \"%s\"", where,
			       i, sn ? sn : "(none)", w[i].short_name);
		if (w[i].shirt == 0) {
			if (!cJSON_IsNull(shirt))
				t_fail(__FILE__, __LINE__,
				       "%s[%zu] %s: shirt_number must be null "
				       "(no shirtNumber in the match entry; never player.jerseyNumber)",
				       where, i, w[i].name);
		} else if (!cJSON_IsNumber(shirt) || shirt->valueint != w[i].shirt) {
			t_fail(__FILE__, __LINE__, "%s[%zu] %s: shirt_number %d, want %d", where, i,
			       w[i].name, cJSON_IsNumber(shirt) ? shirt->valueint : -1, w[i].shirt);
		}
		if (pos == NULL || strcmp(pos, w[i].position) != 0)
			t_fail(__FILE__, __LINE__, "%s[%zu] %s: position \"%s\", want \"%s\"",
			       where, i, w[i].name, pos ? pos : "(none)", w[i].position);
		if (!cJSON_IsBool(cap))
			t_fail(__FILE__, __LINE__, "%s[%zu] %s: captain must be a boolean", where,
			       i, w[i].name);
		else if (cJSON_IsTrue(cap) != w[i].captain)
			t_fail(__FILE__, __LINE__, "%s[%zu] %s: captain %s, want %s", where, i,
			       w[i].name, cJSON_IsTrue(cap) ? "true" : "false",
			       w[i].captain ? "true" : "false");
		/* exactly the contract's fields: nothing renamed */
		static const char *const keys[] = { "id",	    "name",	"short_name",
						    "shirt_number", "position", "captain" };
		for (size_t k = 0; k < sizeof(keys) / sizeof(keys[0]); k++)
			if (cJSON_GetObjectItemCaseSensitive(p, keys[k]) == NULL)
				t_fail(__FILE__, __LINE__, "%s[%zu]: no key %s", where, i, keys[k]);
		i++;
	}
}

static const struct want_player home_starters[] = {
	{ 810002, "Kwame Mensah", "K. Mensah", 2, "D", false },
	{ 810005, "Jordan Pike", "J. Pike", 3, "D", false },
	{ 810004, "Rúben Carvalho", "R. Carvalho", 4, "D", true },
	{ 810003, "Lars Eriksen", "L. Eriksen", 5, "D", false }, /* player.jerseyNumber 15 */
	{ 810007, "Ibrahim Diallo", "I. Diallo", 6, "M", false },
	{ 810008, "Oliver Grant", "O. Grant", 7, "M", false },
	{ 810006, "Mateo Kovač", "M. Kovač", 8, "M", false }, /* 18; no rating */
	{ 810011, "Diego Ferraz", "D. Ferraz", 9, "F", false }, /* 99 */
	{ 810009, "Søren Holm", "S. Holm", 10, "M", false },
	{ 810010, "Kenji Watanabe", "K. Watanabe", 11, "M", false },
	{ 810001, "Tomás Alvarado", "T. Alvarado", 13, "G", false }, /* 1 */
};
static const struct want_player home_subs[] = {
	{ 810012, "Ben Hollis", "B. Hollis", 1, "G", false }, /* 31; no statistics */
	{ 810013, "Marco Bellini", "M. Bellini", 14, "D", false },
	{ 810015, "Liam O'Brien", "L. O'Brien", 17, "F", false },
	{ 810014, "Yusuf Kaya", "Y. Kaya", 20, "M", false },
};
static const struct want_player away_starters[] = {
	{ 820001, "Anton Weiss", "A. Weiss", 1, "G", false },
	{ 820003, "Emeka Obi", "E. Obi", 4, "D", false },
	{ 820004, "Paolo Rossi", "P. Rossi", 6, "D", false },
	{ 820006, "Jan Novák", "J. Novák", 8, "M", true }, /* 21 */
	{ 820010, "Karim Benali", "K. Benali", 9, "F", false },
	{ 820008, "Aleksander Nowak", "A. Nowak", 10, "M", false },
	{ 820009, "Finn Larsen", "F. Larsen", 12, "M", false },
	{ 820005, "Tariq Haddad", "T. Haddad", 14, "M", false }, /* 8 */
	{ 820007, "Luis Romero", "L. Romero", 16, "M", false },
	{ 820011, "Jae-won Park", "J. Park", 19, "F", false },
	{ 820002, "Hugo Lambert", "H. Lambert", 23, "D", false }, /* 5 */
};
static const struct want_player away_subs[] = {
	{ 820013, "Chris Adeyemi", "C. Adeyemi", 2, "D", false },
	{ 820015, "Rafael Duarte", "R. Duarte", 11, "F", false },
	{ 820012, "Milan Petrović", "M. Petrović", 30, "G", false },
	{ 820014, "Nuno Teixeira", "N. Teixeira", 0, "M", false }, /* no shirtNumber: last */
};

static void check_side(const char *which, const cJSON *side, long long id, const char *name,
		       const char *short_name, const char *formation, const struct want_player *st,
		       size_t nst, const struct want_player *sub, size_t nsub,
		       const char *const (*missing)[2], size_t nmissing)
{
	char crest[160], where[64];
	const cJSON *m;
	size_t i = 0;

	if (!cJSON_IsObject(side)) {
		t_fail(__FILE__, __LINE__, "%s: no object", which);
		return;
	}
	CHECK_INT((long long)num_of(side, "id"), id);
	CHECK_STR(str_of(side, "name"), name);
	CHECK_STR(str_of(side, "short_name"), short_name);
	snprintf(crest, sizeof(crest), "https://img.sofascore.com/api/v1/team/%lld/image", id);
	CHECK_STR(str_of(side, "crest_url"), crest);
	CHECK_STR(str_of(side, "formation"), formation);
	snprintf(where, sizeof(where), "%s.starters", which);
	check_players(where, cJSON_GetObjectItemCaseSensitive(side, "starters"), st, nst);
	snprintf(where, sizeof(where), "%s.substitutes", which);
	check_players(where, cJSON_GetObjectItemCaseSensitive(side, "substitutes"), sub, nsub);
	m = cJSON_GetObjectItemCaseSensitive(side, "missing");
	CHECK(cJSON_IsArray(m));
	CHECK_INT(cJSON_GetArraySize(m), nmissing);
	const cJSON *it;
	cJSON_ArrayForEach (it, m) {
		if (i >= nmissing)
			break;
		CHECK_STR(str_of(it, "name"), missing[i][0]);
		CHECK_STR(str_of(it, "reason"), missing[i][1]);
		i++;
	}
}

static void document_of_confirmed_lineups(void)
{
	struct match_lineups l;
	struct lineup_event ev;
	cJSON *doc, *e;
	static const char *const home_missing[][2] = { { "Pedro Santos", "Hamstring Injury" },
						       { "Nils Berg", "suspended" } };
	static const char *const away_missing[][2] = { { "Victor Lindqvist", "Knee Injury" } };

	REQUIRE(parse_fixture("lineups_confirmed.json", &l) == 0);
	CHECK(l.confirmed);
	event_of(&ev);
	doc = lineup_document(&ev, &l);
	match_lineups_free(&l);
	REQUIRE(doc != NULL);

	CHECK_STR(str_of(doc, "kind"), "line-up");
	e = cJSON_GetObjectItemCaseSensitive(doc, "event");
	REQUIRE(cJSON_IsObject(e));
	CHECK_INT((long long)num_of(e, "id"), 7001);
	CHECK_STR(str_of(e, "start_time"), "2026-09-21T15:13:20Z");
	CHECK_STR(str_of(e, "tournament"), "Premier League");
	CHECK_STR(str_of(e, "season"), "Premier League 26/27");
	CHECK_INT((long long)num_of(e, "round"), 12);
	CHECK_STR(str_of(e, "venue"), "Northbridge Park");

	check_side("home", cJSON_GetObjectItemCaseSensitive(doc, "home"), 4701,
		   "Northbridge United", "Northbridge", "4-2-3-1", home_starters, 11, home_subs, 4,
		   home_missing, 2);
	check_side("away", cJSON_GetObjectItemCaseSensitive(doc, "away"), 4702, "Southport Rovers",
		   "Southport", "3-5-2", away_starters, 11, away_subs, 4, away_missing, 1);

	/* the document's top-level and event keys are the contract's (DESIGN section 6) */
	static const char *const top[] = { "kind", "event", "home", "away" };
	for (size_t i = 0; i < 4; i++)
		CHECK(cJSON_GetObjectItemCaseSensitive(doc, top[i]) != NULL);
	static const char *const side_keys[] = { "id",		"name",	     "short_name",
						 "crest_url",	"formation", "starters",
						 "substitutes", "missing" };
	for (size_t i = 0; i < sizeof(side_keys) / sizeof(side_keys[0]); i++) {
		CHECK(cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItem(doc, "home"),
						       side_keys[i]) != NULL);
		CHECK(cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItem(doc, "away"),
						       side_keys[i]) != NULL);
	}
	/* the document has no dotted keys (Plainly refuses them in parameters) */
	char *text = cJSON_PrintUnformatted(doc);
	REQUIRE(text != NULL);
	CHECK(strstr(text, "jerseyNumber") == NULL);
	free(text);
	cJSON_Delete(doc);
}

/* A provider that does not say who captains (API-Football before kick-off):
 * captain is null for every player, not false. */
static void document_captain_unknown(void)
{
	struct match_lineups l;
	struct lineup_event ev;
	cJSON *doc;
	int nulls = 0, bools = 0;

	REQUIRE(parse_fixture("lineups_confirmed.json", &l) == 0);
	event_of(&ev);
	l.away.captain_unknown = true;
	doc = lineup_document(&ev, &l);
	match_lineups_free(&l);
	REQUIRE(doc != NULL);
	for (int s = 0; s < 2; s++) {
		const cJSON *side = cJSON_GetObjectItem(doc, s ? "away" : "home"), *p;
		cJSON_ArrayForEach (p, cJSON_GetObjectItem(side, "starters")) {
			const cJSON *c = cJSON_GetObjectItem(p, "captain");
			if (s == 1 && cJSON_IsNull(c))
				nulls++;
			if (s == 0 && cJSON_IsBool(c))
				bools++;
		}
	}
	CHECK_INT(nulls, 11);
	CHECK_INT(bools, 11);
	cJSON_Delete(doc);
}

/* No venue, no round (friendlies have no roundInfo), no short names stored. */
static void document_optional_fields(void)
{
	struct match_lineups l;
	struct lineup_event ev;
	cJSON *doc, *e;

	REQUIRE(parse_fixture("lineups_confirmed.json", &l) == 0);
	event_of(&ev);
	ev.round = 0;
	ev.venue[0] = '\0';
	ev.home.short_name[0] = '\0';
	ev.away.short_name[0] = '\0';
	ev.start_ts = 1790000000 + 59; /* seconds are kept, always Z */
	doc = lineup_document(&ev, &l);
	match_lineups_free(&l);
	REQUIRE(doc != NULL);
	e = cJSON_GetObjectItemCaseSensitive(doc, "event");
	REQUIRE(e != NULL);
	CHECK(cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(e, "round")));
	CHECK(cJSON_GetObjectItemCaseSensitive(e, "venue") == NULL);
	CHECK_STR(str_of(e, "start_time"), "2026-09-21T14:14:19Z");
	CHECK_STR(str_of(cJSON_GetObjectItem(doc, "home"), "short_name"), "Northbridge United");
	CHECK_STR(str_of(cJSON_GetObjectItem(doc, "away"), "short_name"), "Southport Rovers");
	cJSON_Delete(doc);
}

/* Predicted line-ups parse (confirmed false) and carry no missing players. */
static void predicted_lineups_are_not_confirmed(void)
{
	struct match_lineups l;

	REQUIRE(parse_fixture("lineups_predicted.json", &l) == 0);
	CHECK(!l.confirmed);
	CHECK_INT(l.home.nplayers, 15);
	CHECK_INT(l.away.nplayers, 15);
	match_lineups_free(&l);
}

static int load_text(const char *text, struct bf_config *c)
{
	char path[] = "/tmp/test_lineup_doc.XXXXXX";
	char err[512];
	int fd = mkstemp(path);
	int rc;

	for (size_t i = 0; i < cfg_nkeys; i++)
		if (cfg_keys[i].env != NULL)
			unsetenv(cfg_keys[i].env);
	memset(c, 0, sizeof(*c));
	if (fd < 0)
		return -1;
	if (write(fd, text, strlen(text)) != (ssize_t)strlen(text)) {
		close(fd);
		unlink(path);
		return -1;
	}
	close(fd);
	rc = cfg_load(c, path, err, sizeof(err));
	unlink(path);
	if (rc != 0)
		t_fail(__FILE__, __LINE__, "cfg_load: %s", err);
	return rc;
}

static void recheck_tier_long_far_short_near(void)
{
	struct bf_config cfg;
	struct consumer_ctx ctx;
	const int64_t now = 1790000000;

	REQUIRE(load_text("lineups = { wait_tiers = [\"60s\", \"5m\"]; near_kickoff = \"15m\";"
			  " give_up_after = \"10m\"; };\n",
			  &cfg) == 0);
	memset(&ctx, 0, sizeof(ctx));
	ctx.cfg = &cfg;
	ctx.type = MSG_LINEUP;
	if (topo_build(&ctx.topo, &cfg) != 0) {
		t_fail(__FILE__, __LINE__, "topo_build");
		cfg_free(&cfg);
		return;
	}
	CHECK_INT(cfg.lineups_near_kickoff, 900);
	CHECK_INT(lineup_recheck_tier(&ctx, now + 6 * 3600, now), 300); /* far */
	CHECK_INT(lineup_recheck_tier(&ctx, now + 3600, now), 300);
	CHECK_INT(lineup_recheck_tier(&ctx, now + 901, now), 300);
	CHECK_INT(lineup_recheck_tier(&ctx, now + 900, now), 60); /* "more than" 15 min: no */
	CHECK_INT(lineup_recheck_tier(&ctx, now + 600, now), 60); /* near */
	CHECK_INT(lineup_recheck_tier(&ctx, now + 1, now), 60);
	CHECK_INT(lineup_recheck_tier(&ctx, now, now), 60);
	CHECK_INT(lineup_recheck_tier(&ctx, now - 300, now), 60); /* kicked off, not given up */
	/* whatever it picks is a declared wait queue */
	CHECK(topo_wait_queue(&ctx.topo, MSG_LINEUP, lineup_recheck_tier(&ctx, now + 3600, now)) !=
	      NULL);
	CHECK(topo_wait_queue(&ctx.topo, MSG_LINEUP, lineup_recheck_tier(&ctx, now + 60, now)) !=
	      NULL);
	cfg_free(&cfg);

	/* three tiers: the longest far, the shortest near, never the middle one */
	REQUIRE(load_text(
			"lineups = { wait_tiers = [\"30s\", \"2m\", \"5m\"]; near_kickoff = \"20m\"; };\n",
			&cfg) == 0);
	memset(&ctx, 0, sizeof(ctx));
	ctx.cfg = &cfg;
	ctx.type = MSG_LINEUP;
	if (topo_build(&ctx.topo, &cfg) == 0) {
		CHECK_INT(lineup_recheck_tier(&ctx, now + 7200, now), 300);
		CHECK_INT(lineup_recheck_tier(&ctx, now + 1199, now), 30);
	} else {
		t_fail(__FILE__, __LINE__, "topo_build (3 tiers)");
	}
	cfg_free(&cfg);
}

int main(void)
{
	log_init("test_lineup_doc");
	T_RUN(document_of_confirmed_lineups);
	T_RUN(document_optional_fields);
	T_RUN(document_captain_unknown);
	T_RUN(predicted_lineups_are_not_confirmed);
	T_RUN(recheck_tier_long_far_short_near);
	return t_done();
}
