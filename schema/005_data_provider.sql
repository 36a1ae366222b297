-- One database holds one data provider's ids (source.provider): Sofascore's event 9101 and
-- API-Football's fixture 9101 are different matches.  The first program that opens the
-- data source records its provider here; a program configured for another one refuses to
-- start (protocol/source_pg.c).  A database that already holds events was filled by
-- Sofascore, the only provider before this table.
CREATE TABLE data_provider (
    id int PRIMARY KEY DEFAULT 1 CHECK (id = 1),
    provider text NOT NULL,
    since timestamptz NOT NULL DEFAULT now()
);
INSERT INTO data_provider (provider) SELECT 'sofascore' WHERE EXISTS (SELECT 1 FROM events);

-- A round's table may come from API-Football too (the one it had when the round completed).
ALTER TABLE standings_snapshots DROP CONSTRAINT standings_snapshots_source_check;
ALTER TABLE standings_snapshots ADD CONSTRAINT standings_snapshots_source_check
    CHECK (source IN ('sofascore', 'api-football', 'computed'));
