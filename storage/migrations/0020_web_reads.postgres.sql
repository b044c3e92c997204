-- What the web pages read (communique web): documents newest first and by source, statement groups
-- by their carriers, fetches by time (the sources' sparklines), and full-text search of versions.
CREATE INDEX documents_by_last_seen ON documents (last_seen);
CREATE INDEX documents_by_source ON documents (source_id, last_seen);
CREATE INDEX matches_by_statement_carrier ON matches (statement_id, relation, version_id);
CREATE INDEX fetches_by_time ON fetches (fetched_at);
CREATE INDEX alerts_by_created ON alerts (created_at);
CREATE INDEX alerts_by_version ON alerts (version_id);
-- PostgreSQL full-text search of the versions' texts ('simple': no stemming, any language).
CREATE INDEX versions_search ON versions USING GIN (to_tsvector('simple', text));
