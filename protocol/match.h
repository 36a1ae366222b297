/*
 * match: the provider-neutral match model every program speaks (events,
 * line-ups with player statistics and ratings, team statistics, incidents,
 * standings), and what a program may ask a data source for (struct
 * match_query).  Named for football, not for a provider: an adapter
 * (protocol/sofascore.[ch]) parses its provider's answers into these.
 */
#ifndef BF_MATCH_H
#define BF_MATCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MATCH_MAX_PLAYERS 60 /* per side */
#define MATCH_MAX_STR 160 /* strings are cut to this many bytes */

enum match_status {
	MATCH_ST_UNKNOWN = 0,
	MATCH_ST_NOTSTARTED,
	MATCH_ST_INPROGRESS,
	MATCH_ST_FINISHED,
	MATCH_ST_POSTPONED,
	MATCH_ST_CANCELED,
	MATCH_ST_INTERRUPTED,
	MATCH_ST_SUSPENDED,
};

struct match_team {
	int64_t id;
	char name[MATCH_MAX_STR];
	char short_name[MATCH_MAX_STR];
	char name_code[16];
	char slug[MATCH_MAX_STR];
	char crest_url[MATCH_MAX_STR]; /* as the provider sent it, "" = none */
};

struct match_event {
	int64_t id;
	int64_t unique_tournament_id; /* the competition (API-Football: league) */
	char tournament_name[MATCH_MAX_STR]; /* the unique tournament's name */
	char tournament_slug[MATCH_MAX_STR];
	char category[MATCH_MAX_STR];
	int64_t season_id; /* 0 = none */
	char season_name[MATCH_MAX_STR];
	int round; /* 0 = none (friendlies have no roundInfo) */
	char round_name[MATCH_MAX_STR];
	struct match_team home, away;
	int64_t start_ts;
	int status_code; /* the provider's own code */
	char status_type[32]; /* as the provider sent it */
	char status_desc[64];
	enum match_status status; /* the provider's code and type, mapped */
	bool has_score; /* false for {} (not started, postponed, canceled) */
	int home_score, away_score; /* "display": never includes a shoot-out */
	bool has_penalties; /* a shoot-out */
	int home_penalties, away_penalties;
	int winner_code; /* 0 = none, 1 home, 2 away, 3 draw */
	char venue[MATCH_MAX_STR];
	int64_t changed_ts; /* changes.changeTimestamp, 0 = none */
};

struct match_player {
	int64_t id;
	char name[MATCH_MAX_STR];
	char short_name[MATCH_MAX_STR];
	char position[8]; /* G D M F, "" when unknown */
	int shirt; /* shirtNumber of this match; 0 = unknown */
	bool substitute;
	bool captain;
	bool has_rating;
	double rating; /* a number whatever the provider sends (API-Football: a string) */
	int minutes; /* statistics.minutesPlayed, -1 = unknown */
	char *stats_json; /* the statistics object, compact JSON, or NULL */
};

struct match_missing {
	int64_t id;
	char name[MATCH_MAX_STR];
	char reason[MATCH_MAX_STR];
};

struct match_side {
	char formation[16];
	/* the provider does not say who captains (API-Football before its
	 * player statistics exist, i.e. before kick-off) */
	bool captain_unknown;
	size_t nplayers;
	struct match_player *players;
	size_t nmissing;
	struct match_missing *missing;
};

struct match_lineups {
	bool confirmed; /* final, not predicted (a provider without the flag: once published) */
	struct match_side home, away;
};

struct match_stat {
	char period[8]; /* ALL 1ST 2ND ... */
	char key[64];
	char name[96];
	char group[96];
	char home[32]; /* as displayed */
	char away[32];
	bool has_values;
	double home_value, away_value;
};

struct match_incident {
	int64_t id;
	char type[32]; /* goal card substitution period varDecision ... */
	char klass[32]; /* regular penalty ownGoal yellow red yellowRed ... */
	int minute;
	int added_time; /* 0 = none */
	int64_t player_id;
	char player[MATCH_MAX_STR];
	char assist[MATCH_MAX_STR];
	char side[8]; /* "home" | "away" | "" ; for goals: the side that scored */
	bool has_score;
	int home_score, away_score; /* after a goal */
};

struct match_standing {
	char group[MATCH_MAX_STR]; /* the table's name ("Group A"); one table: "" */
	int position;
	int64_t team_id;
	char team[MATCH_MAX_STR];
	int played, won, drawn, lost, goals_for, goals_against, points;
};

/* What a program asks a data source for: the provider builds its request
 * from this (no caller writes a provider's path). */
enum match_request {
	MATCH_REQ_SCHEDULE = 0, /* competition's events on date */
	MATCH_REQ_LIVE, /* every event in progress */
	MATCH_REQ_ROUND, /* competition, season, round: the round's events */
	MATCH_REQ_EVENT, /* event */
	MATCH_REQ_LINEUPS, /* event: line-ups with player statistics */
	MATCH_REQ_STATISTICS, /* event: team statistics */
	MATCH_REQ_INCIDENTS, /* event: goals, cards, substitutions */
	MATCH_REQ_STANDINGS, /* competition, season: the tables */
};

struct match_query {
	enum match_request what;
	int64_t competition; /* unique tournament (Sofascore), league (API-Football) */
	int64_t season;
	int round;
	int64_t event;
	char date[16]; /* YYYY-MM-DD (UTC) */
};

/* Two queries ask for the same thing. */
bool match_query_same(const struct match_query *a, const struct match_query *b);

void match_lineups_free(struct match_lineups *l);
/* "unknown", "notstarted", "inprogress", "finished", ... */
const char *match_status_name(enum match_status s);
/* The status of one of those names ("cancelled" too); MATCH_ST_UNKNOWN else. */
enum match_status match_status_parse(const char *name);

#endif
