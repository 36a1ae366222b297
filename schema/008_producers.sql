-- The producers that ran lately: their role (the active one polls and publishes, a standby
-- waits for the advisory lock) and the active one's last completed cycle, for bfctl status.
-- One row per process (bf-producer@host:pid), written at most once a cycle.
CREATE TABLE producers (
    name          text PRIMARY KEY,
    role          text NOT NULL CHECK (role IN ('active', 'standby')),
    started_at    timestamptz NOT NULL DEFAULT now(),
    seen_at       timestamptz NOT NULL DEFAULT now(),
    last_cycle_at timestamptz
);
