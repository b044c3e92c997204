-- What the web pages read (communique web): documents newest first and by source, statement groups
-- by their carriers, fetches by time (the sources' sparklines), and full-text search of versions.
CREATE INDEX documents_by_last_seen ON documents (last_seen);
CREATE INDEX documents_by_source ON documents (source_id, last_seen);
CREATE INDEX matches_by_statement_carrier ON matches (statement_id, relation, version_id);
CREATE INDEX fetches_by_time ON fetches (fetched_at);
CREATE INDEX alerts_by_created ON alerts (created_at);
CREATE INDEX alerts_by_version ON alerts (version_id);
-- The statement list reads document and first sighting of every carrying version: in the table row
-- they sit after the text (overflow pages); this index holds them apart (97 ms -> 26 ms at 50,000
-- versions). PostgreSQL keeps long texts out of line, so it needs none.
CREATE INDEX versions_by_id_seen ON versions (id, document_id, first_seen);
-- SQLite FTS5 over the versions' texts (external content: the text is stored once, in versions).
-- storage.documents adds each new version; the rebuild indexes the versions stored before.
CREATE VIRTUAL TABLE versions_search USING fts5 (text, content='versions', content_rowid='id');
INSERT INTO versions_search (versions_search) VALUES ('rebuild');
