-- What identifies each statement group (its card): the date it was adopted, the parties, the place,
-- its titles by language and its signatories (JSON lists and objects). `origin` says whether the engine
-- derived it from the texts or a person set it (`communique corpus add --date ...`, corpus/cards.yaml);
-- a card that was set is never overwritten by a derived one.
CREATE TABLE statement_cards (
    statement_id TEXT PRIMARY KEY,
    kind TEXT NOT NULL DEFAULT 'statement',
    adopted TEXT,
    parties TEXT NOT NULL DEFAULT '[]',
    place TEXT,
    titles TEXT NOT NULL DEFAULT '{}',
    signatories TEXT NOT NULL DEFAULT '[]',
    origin TEXT NOT NULL DEFAULT 'derived',
    updated_at DOUBLE PRECISION NOT NULL
);
