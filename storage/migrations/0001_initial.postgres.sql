-- The first schema on PostgreSQL: 0001_initial.sql with PostgreSQL's types. Timestamps are float
-- seconds since the epoch (DOUBLE PRECISION: REAL is only 4 bytes here), bodies are BYTEA and ids are
-- identity columns.
CREATE TABLE sources (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    url TEXT NOT NULL,
    interval_seconds INTEGER NOT NULL,
    last_polled_at DOUBLE PRECISION,
    last_ok_at DOUBLE PRECISION,
    last_error TEXT,
    error_count INTEGER NOT NULL DEFAULT 0
);

-- Raw response bodies, compressed, shared by identical fetches.
CREATE TABLE snapshots (
    content_hash TEXT PRIMARY KEY,
    body BYTEA NOT NULL,
    encoding TEXT,
    size INTEGER NOT NULL
);

CREATE TABLE fetches (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    source_id TEXT NOT NULL,
    url TEXT NOT NULL,
    status INTEGER,
    etag TEXT,
    last_modified TEXT,
    content_hash TEXT REFERENCES snapshots (content_hash),
    bytes INTEGER NOT NULL DEFAULT 0,
    elapsed_ms DOUBLE PRECISION,
    fetched_at DOUBLE PRECISION NOT NULL,
    state TEXT NOT NULL,
    error TEXT
);
CREATE INDEX fetches_by_url ON fetches (url, id);
CREATE INDEX fetches_by_state ON fetches (state);

CREATE TABLE documents (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    url TEXT NOT NULL UNIQUE,
    source_id TEXT NOT NULL,
    language TEXT,
    title TEXT,
    published TEXT,
    updated TEXT,
    first_seen DOUBLE PRECISION NOT NULL,
    last_seen DOUBLE PRECISION NOT NULL
);

-- One row per distinct normalised extracted text of a document, in order.
CREATE TABLE versions (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    document_id BIGINT NOT NULL REFERENCES documents (id),
    seq INTEGER NOT NULL,
    text_hash TEXT NOT NULL,
    text TEXT NOT NULL,
    fetch_id BIGINT REFERENCES fetches (id),
    first_seen DOUBLE PRECISION NOT NULL,
    UNIQUE (document_id, seq)
);

CREATE TABLE corpus (
    id TEXT PRIMARY KEY,
    statement_id TEXT NOT NULL,
    language TEXT,
    title TEXT,
    text TEXT NOT NULL,
    text_hash TEXT NOT NULL UNIQUE,
    added_at DOUBLE PRECISION NOT NULL
);

-- Dropped again by 0004; kept so that both dialects go through the same history.
CREATE TABLE corpus_paragraphs (
    corpus_id TEXT NOT NULL REFERENCES corpus (id),
    position INTEGER NOT NULL,
    fingerprint TEXT NOT NULL,
    PRIMARY KEY (corpus_id, position)
);
CREATE INDEX corpus_paragraphs_by_fingerprint ON corpus_paragraphs (fingerprint);

CREATE TABLE matches (
    version_id BIGINT PRIMARY KEY REFERENCES versions (id),
    relation TEXT NOT NULL,
    statement_id TEXT,
    coverage DOUBLE PRECISION,
    result TEXT NOT NULL,
    created_at DOUBLE PRECISION NOT NULL
);

-- key is unique: the same event for the same rule and version is alerted once, whatever retries.
CREATE TABLE alerts (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    key TEXT NOT NULL UNIQUE,
    rule TEXT NOT NULL,
    version_id BIGINT NOT NULL REFERENCES versions (id),
    event TEXT NOT NULL,
    tags TEXT NOT NULL,
    title TEXT NOT NULL,
    body_text TEXT NOT NULL,
    body_html TEXT NOT NULL,
    created_at DOUBLE PRECISION NOT NULL,
    delivered_at DOUBLE PRECISION
);

CREATE TABLE deliveries (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    alert_id BIGINT NOT NULL REFERENCES alerts (id),
    attempted_at DOUBLE PRECISION NOT NULL,
    ok INTEGER NOT NULL,
    error TEXT
);
