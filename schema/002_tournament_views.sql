-- Named queries of the tournament-stats branch (DESIGN section 5, issue 6),
-- as views over what bf-results stores.  The consumer filters them by
-- (unique_tournament_id, season_id[, round]).

-- Finished matches with their final score ("display": no shoot-out).
CREATE VIEW v_results AS
SELECT e.id AS event_id, e.unique_tournament_id, e.season_id, e.round,
       e.home_team_id, e.home_name, e.away_team_id, e.away_name,
       e.home_score, e.away_score, e.start_time
FROM events e
WHERE e.status_type = 'finished' AND e.home_score IS NOT NULL AND e.away_score IS NOT NULL;

-- Goals with the scorer's team.  side is the side that scored: an own goal
-- counts for the other team, and its scorer plays for the conceding one.
CREATE VIEW v_goals AS
SELECT i.event_id, e.unique_tournament_id, e.season_id, e.round, i.minute, i.added_time,
       i.player_id, i.player_name, i.class, i.side,
       CASE WHEN (i.side = 'home') <> (COALESCE(i.class, '') = 'ownGoal') THEN e.home_name ELSE e.away_name END
           AS player_team
FROM incidents i JOIN events e ON e.id = i.event_id
WHERE i.type = 'goal' AND i.player_name IS NOT NULL;

-- Rated appearances with the team name.
CREATE VIEW v_ratings AS
SELECT l.event_id, e.unique_tournament_id, e.season_id, e.round, l.player_id, l.player_name,
       CASE l.side WHEN 'home' THEN e.home_name ELSE e.away_name END AS team,
       l.position, l.rating, COALESCE(l.minutes, 0) AS minutes
FROM lineups l JOIN events e ON e.id = l.event_id
WHERE l.rating IS NOT NULL;

-- Standings computed from the stored results up to a round: 3/1/0 points,
-- then goal difference, then goals for, then the name.
CREATE FUNCTION standings_computed(p_ut bigint, p_season bigint, p_round int)
RETURNS TABLE (pos bigint, team_id bigint, team text, played bigint, won bigint,
               drawn bigint, lost bigint, goals_for bigint, goals_against bigint, points bigint)
LANGUAGE sql STABLE AS $$
    WITH r AS (
        SELECT * FROM v_results
        WHERE unique_tournament_id = p_ut AND season_id = p_season
          AND (round IS NULL OR round <= p_round)
    ), sides AS (
        SELECT home_team_id AS team_id, home_name AS team, home_score AS gf, away_score AS ga FROM r
        UNION ALL
        SELECT away_team_id, away_name, away_score, home_score FROM r
    ), t AS (
        SELECT team_id, max(team) AS team, count(*) AS played,
               count(*) FILTER (WHERE gf > ga) AS won,
               count(*) FILTER (WHERE gf = ga) AS drawn,
               count(*) FILTER (WHERE gf < ga) AS lost,
               sum(gf)::bigint AS goals_for, sum(ga)::bigint AS goals_against,
               3 * count(*) FILTER (WHERE gf > ga) + count(*) FILTER (WHERE gf = ga) AS points
        FROM sides GROUP BY team_id
    )
    SELECT row_number() OVER (ORDER BY points DESC, goals_for - goals_against DESC,
                                       goals_for DESC, team),
           team_id, team, played, won, drawn, lost, goals_for, goals_against, points
    FROM t
    ORDER BY 1;
$$;
