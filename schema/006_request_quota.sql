-- The data provider's request quota, shared by every process like the per-second budget
-- (protocol/source_pg.c): what was asked this UTC day and this minute, and the limits the
-- provider's own headers last reported (API-Football: x-ratelimit-requests-limit per day,
-- X-RateLimit-Limit per minute). The day is the provider's: API-Football starts it at 00:00 UTC.
ALTER TABLE sofascore_budget
    ADD COLUMN day date NOT NULL DEFAULT (now() AT TIME ZONE 'UTC')::date,
    ADD COLUMN used_day integer NOT NULL DEFAULT 0,
    ADD COLUMN minute timestamptz NOT NULL DEFAULT date_trunc('minute', now()),
    ADD COLUMN used_minute integer NOT NULL DEFAULT 0,
    ADD COLUMN day_limit_seen integer,
    ADD COLUMN minute_limit_seen integer;
