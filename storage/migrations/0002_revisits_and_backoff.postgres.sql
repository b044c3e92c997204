-- 0002_revisits_and_backoff.sql with PostgreSQL's types (timestamps: DOUBLE PRECISION).
ALTER TABLE sources ADD COLUMN backoff_until DOUBLE PRECISION;

CREATE TABLE revisits (
    url TEXT PRIMARY KEY,          -- canonical URL, as in documents.url and fetches.url
    fetch_url TEXT NOT NULL,       -- the URL last seen for it on the site (canonical URLs need not resolve)
    source_id TEXT NOT NULL,
    first_seen DOUBLE PRECISION NOT NULL,
    last_requested DOUBLE PRECISION,
    next_due DOUBLE PRECISION      -- NULL: no more revisits (old enough)
);
CREATE INDEX revisits_by_due ON revisits (next_due);
