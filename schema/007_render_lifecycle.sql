-- The render lifecycle (issue 19): a render is not a video until Plainly says DONE.
-- bf-renders follows each submitted render (GET /renders/{id}) and writes its final state
-- here: the video's URL and when Plainly deletes it, or the error of a render that failed
-- after it was accepted.  A subject rendered again after a failure (bfctl replay) keeps the
-- history of its attempts in render_attempts.
ALTER TABLE renders DROP CONSTRAINT renders_state_check;
ALTER TABLE renders ADD CONSTRAINT renders_state_check
    CHECK (state IN ('pending', 'submitted', 'dry-run', 'failed', 'done'));
ALTER TABLE renders
    ADD COLUMN output_url     text,
    ADD COLUMN expires_at     timestamptz,
    ADD COLUMN finished_at    timestamptz,
    ADD COLUMN attempt        integer NOT NULL DEFAULT 1,
    -- renders.archive_dir: the downloaded video, its SHA-256 (hex) and size
    ADD COLUMN archive_path   text,
    ADD COLUMN archive_sha256 text,
    ADD COLUMN archive_bytes  bigint;

CREATE TABLE render_attempts (
    kind              text NOT NULL,
    subject           text NOT NULL,
    attempt           integer NOT NULL,
    plainly_render_id text,
    state             text NOT NULL,       -- Plainly's final state: DONE, FAILED, INVALID, CANCELLED
    error             text,
    output_url        text,
    expires_at        timestamptz,
    finished_at       timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (kind, subject, attempt)
);

-- a job whose render Plainly accepted and bf-renders follows
ALTER TABLE jobs DROP CONSTRAINT jobs_state_check;
ALTER TABLE jobs ADD CONSTRAINT jobs_state_check
    CHECK (state IN ('pending', 'enqueued', 'rendering', 'done', 'expired', 'dead'));
