-- Render requests and responses are a few KB of JSON each, written in batches of up to
-- the prefetch: lz4 compresses them several times faster than the default pglz.
ALTER TABLE renders ALTER COLUMN request SET COMPRESSION lz4;
ALTER TABLE renders ALTER COLUMN response SET COMPRESSION lz4;
