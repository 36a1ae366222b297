-- bf-datavideos: initial schema (DESIGN section 7).
-- Applied by `bfctl migrate` inside a transaction; never edit a released
-- migration, add NNN_next.sql instead.

CREATE TABLE tournaments (
    unique_tournament_id bigint PRIMARY KEY,
    name        text NOT NULL,
    slug        text,
    category    text,
    updated_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE teams (
    id          bigint PRIMARY KEY,
    name        text NOT NULL,
    short_name  text,
    slug        text,
    name_code   text,
    updated_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE events (
    id                   bigint PRIMARY KEY,
    unique_tournament_id bigint NOT NULL,
    tournament_name      text,
    season_id            bigint,
    season_name          text,
    round                integer,
    round_name           text,
    home_team_id         bigint NOT NULL,
    away_team_id         bigint NOT NULL,
    home_name            text NOT NULL,
    away_name            text NOT NULL,
    start_time           timestamptz NOT NULL,
    status_code          integer NOT NULL,
    status_type          text NOT NULL,
    status_description   text,
    home_score           integer,   -- "display": without a penalty shoot-out
    away_score           integer,
    home_penalties       integer,
    away_penalties       integer,
    winner_code          integer,
    venue                text,
    changed_at           timestamptz,          -- Sofascore changedTimestamp
    result_stored_at     timestamptz,          -- set by bf-results
    created_at           timestamptz NOT NULL DEFAULT now(),
    updated_at           timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX events_round ON events (unique_tournament_id, season_id, round);
CREATE INDEX events_start ON events (start_time);

-- Work the producer decided is due.  state: pending (recorded, not yet
-- confirmed by the broker) | enqueued | done | expired | dead.
CREATE TABLE jobs (
    id           bigserial PRIMARY KEY,
    kind         text NOT NULL CHECK (kind IN ('line-up', 'result', 'tournament-stats')),
    subject      text NOT NULL,
    event_id     bigint,
    kickoff      timestamptz,
    state        text NOT NULL DEFAULT 'pending'
                 CHECK (state IN ('pending', 'enqueued', 'done', 'expired', 'dead')),
    attempts     integer NOT NULL DEFAULT 0,
    last_error   text,
    created_at   timestamptz NOT NULL DEFAULT now(),
    enqueued_at  timestamptz,
    updated_at   timestamptz NOT NULL DEFAULT now(),
    finished_at  timestamptz,
    UNIQUE (kind, subject)
);
CREATE INDEX jobs_state ON jobs (state);
CREATE INDEX jobs_event ON jobs (event_id);

-- One row per video subject, written before the POST to Plainly.
CREATE TABLE renders (
    id                bigserial PRIMARY KEY,
    kind              text NOT NULL,
    subject           text NOT NULL,
    state             text NOT NULL CHECK (state IN ('pending', 'submitted', 'dry-run', 'failed')),
    plainly_render_id text,
    plainly_state     text,
    request           jsonb,
    response          jsonb,
    error             text,
    created_at        timestamptz NOT NULL DEFAULT now(),
    updated_at        timestamptz NOT NULL DEFAULT now(),
    UNIQUE (kind, subject)
);

CREATE TABLE lineup_sides (
    event_id   bigint NOT NULL,
    side       text NOT NULL CHECK (side IN ('home', 'away')),
    team_id    bigint,
    formation  text,
    confirmed  boolean NOT NULL DEFAULT false,
    PRIMARY KEY (event_id, side)
);

CREATE TABLE lineups (
    event_id    bigint NOT NULL,
    side        text NOT NULL CHECK (side IN ('home', 'away')),
    player_id   bigint NOT NULL,
    player_name text NOT NULL,
    short_name  text,
    position    text,
    shirt       integer,
    substitute  boolean NOT NULL DEFAULT false,
    captain     boolean NOT NULL DEFAULT false,
    minutes     integer,
    rating      numeric(4, 2),
    stats       jsonb,
    PRIMARY KEY (event_id, side, player_id)
);

CREATE TABLE team_statistics (
    event_id   bigint NOT NULL,
    period     text NOT NULL,          -- ALL | 1ST | 2ND
    key        text NOT NULL,          -- ballPossession, expectedGoals, ...
    name       text,
    group_name text,
    home       text,                   -- as displayed ("58%")
    away       text,
    home_value double precision,
    away_value double precision,
    PRIMARY KEY (event_id, period, key)
);

CREATE TABLE incidents (
    event_id     bigint NOT NULL,
    seq          integer NOT NULL,     -- position in Sofascore's list
    incident_id  bigint,
    type         text NOT NULL,        -- goal, card, substitution, ...
    class        text,                 -- regular, penalty, ownGoal, yellow, red, ...
    minute       integer,
    added_time   integer,
    player_id    bigint,
    player_name  text,
    assist_name  text,
    side         text CHECK (side IN ('home', 'away')),
    home_score   integer,
    away_score   integer,
    PRIMARY KEY (event_id, seq)
);

CREATE TABLE standings_snapshots (
    id                   bigserial PRIMARY KEY,
    unique_tournament_id bigint NOT NULL,
    season_id            bigint NOT NULL,
    round                integer NOT NULL,
    source               text NOT NULL CHECK (source IN ('sofascore', 'computed')),
    data                 jsonb NOT NULL,
    taken_at             timestamptz NOT NULL DEFAULT now(),
    UNIQUE (unique_tournament_id, season_id, round)
);

-- Sofascore pacing, shared by every process: a token bucket, a circuit
-- breaker, and the ETags of the last responses.
CREATE TABLE sofascore_budget (
    id          integer PRIMARY KEY CHECK (id = 1),
    tokens      double precision NOT NULL,
    updated_at  timestamptz NOT NULL DEFAULT clock_timestamp()
);
INSERT INTO sofascore_budget (id, tokens) VALUES (1, 1);

CREATE TABLE sofascore_breaker (
    id          integer PRIMARY KEY CHECK (id = 1),
    open_until  timestamptz,
    reason      text,
    opened_at   timestamptz,
    opened_by   text
);
INSERT INTO sofascore_breaker (id) VALUES (1);

CREATE TABLE http_cache (
    url         text PRIMARY KEY,
    etag        text NOT NULL,
    body        bytea,
    fetched_at  timestamptz NOT NULL DEFAULT now()
);
