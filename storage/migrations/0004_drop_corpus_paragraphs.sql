-- Paragraph fingerprints of the corpus are computed in memory by the worker's corpus index from
-- corpus.text; the table kept them a second time and nothing read it any more.
DROP INDEX corpus_paragraphs_by_fingerprint;
DROP TABLE corpus_paragraphs;
