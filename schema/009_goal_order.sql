-- Goals in the same minute of a match came out of the round's query in no set order, so a
-- round's video could list them either way (issue 22's batch test showed it). v_goals now
-- also names each goal's place in the provider's list and the running score after it: the
-- lower running score came first, then the list's order (columns added at the end: a view
-- keeps its existing columns).
CREATE OR REPLACE VIEW v_goals AS
SELECT i.event_id, e.unique_tournament_id, e.season_id, e.round, i.minute, i.added_time,
       i.player_id, i.player_name, i.class, i.side,
       CASE WHEN (i.side = 'home') <> (COALESCE(i.class, '') = 'ownGoal') THEN e.home_name ELSE e.away_name END
           AS player_team,
       i.seq, i.home_score + i.away_score AS score_after
FROM incidents i JOIN events e ON e.id = i.event_id
WHERE i.type = 'goal' AND i.player_name IS NOT NULL;
