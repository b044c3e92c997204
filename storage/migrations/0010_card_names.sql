-- Other forms of a card's place and signatories' names, as the press of other languages writes them
-- ({"Hanoi": ["Hà Nội", "Ханой", "河内"]}): a report names the place in its own script.
ALTER TABLE statement_cards ADD COLUMN names TEXT NOT NULL DEFAULT '{}';
