-- Where a known text came from (a shipped file, a CLI import, or a document the engine learned),
-- and lookups by statement group for "other sources carrying the same statement".
ALTER TABLE corpus ADD COLUMN origin TEXT NOT NULL DEFAULT 'file';
CREATE INDEX corpus_by_statement ON corpus (statement_id);
CREATE INDEX matches_by_statement ON matches (statement_id);
