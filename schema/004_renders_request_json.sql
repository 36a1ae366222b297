-- The render request is kept as it was sent (json: checked, stored as text) rather than as
-- jsonb: converting a batch of 32 requests of about 5 KB each to jsonb took about 6 ms of the
-- server's time in the statement that must commit before any POST, and nothing searches in
-- them (request->'parameters' works on json too).
ALTER TABLE renders ALTER COLUMN request TYPE json USING request::json;
ALTER TABLE renders ALTER COLUMN request SET COMPRESSION lz4;
