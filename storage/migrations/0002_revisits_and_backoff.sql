-- Politeness and revisits: a source told to slow down (429/503) is not polled before backoff_until;
-- every article found on a listing has a revisit schedule that decays with its age.
ALTER TABLE sources ADD COLUMN backoff_until REAL;

CREATE TABLE revisits (
    url TEXT PRIMARY KEY,          -- canonical URL, as in documents.url and fetches.url
    fetch_url TEXT NOT NULL,       -- the URL last seen for it on the site (canonical URLs need not resolve)
    source_id TEXT NOT NULL,
    first_seen REAL NOT NULL,
    last_requested REAL,
    next_due REAL                  -- NULL: no more revisits (old enough)
);
CREATE INDEX revisits_by_due ON revisits (next_due);
