-- Sentence vectors of the known texts (multilingual-e5-small, 384 float32), by a digest of the
-- sentence: computed once by whichever worker needs them first, then read by every other worker.
CREATE TABLE corpus_vectors (
    sentence_key TEXT PRIMARY KEY,
    vector BYTEA NOT NULL
);
