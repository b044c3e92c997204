-- Alerts per format and per target, grouped messages (digests, follow-ups). Plain SQL for SQLite and
-- PostgreSQL alike: natural keys instead of identity columns, DOUBLE PRECISION timestamps.

-- The statement group an alert is about (statement id, or "doc{id}" for a document of its own), so
-- later copies of the same statement are folded into one follow-up instead of N alerts.
ALTER TABLE alerts ADD COLUMN statement_group TEXT;
-- The Markdown body for chat targets; NULL for alerts stored before this migration (text is sent).
ALTER TABLE alerts ADD COLUMN body_markdown TEXT;
CREATE INDEX alerts_by_group ON alerts (rule, statement_group, created_at);

-- One row per (alert, apprise target). target is the service name and a hash of the URL with its
-- secrets masked, never the URL. A worker claims a target (claimed_until) before sending to it,
-- so two workers never send to the same target at once, and a retry skips delivered targets.
CREATE TABLE alert_targets (
    alert_id INTEGER NOT NULL REFERENCES alerts (id),
    target TEXT NOT NULL,
    claimed_until DOUBLE PRECISION,
    delivered_at DOUBLE PRECISION,
    PRIMARY KEY (alert_id, target)
);

-- Every attempt names its target (NULL: attempts made before per-target delivery).
ALTER TABLE deliveries ADD COLUMN target TEXT;

-- Alerts held for a grouped message: a rule's digest window, or the follow-up of a statement's first
-- alert. key is unique per (rule, version, event), so a match job run twice holds an alert once.
-- When the bundle is due, one alert is made of its items and alert_id set: each item is sent once.
CREATE TABLE held_alerts (
    key TEXT PRIMARY KEY,
    bundle TEXT NOT NULL,
    kind TEXT NOT NULL,
    rule TEXT NOT NULL,
    version_id INTEGER NOT NULL REFERENCES versions (id),
    event TEXT NOT NULL,
    statement_id TEXT,
    coverage DOUBLE PRECISION,
    tags TEXT NOT NULL,
    due_at DOUBLE PRECISION NOT NULL,
    created_at DOUBLE PRECISION NOT NULL,
    alert_id INTEGER REFERENCES alerts (id)
);
CREATE INDEX held_alerts_by_due ON held_alerts (alert_id, due_at);
CREATE INDEX held_alerts_by_bundle ON held_alerts (bundle);
