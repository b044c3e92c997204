"""`communique web`: what communique has seen, in a browser, as Atom feeds and as JSON."""
