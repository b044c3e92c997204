"""The words of a statement's title that tell it apart from the other known statements, and whether a
page's sentences naming a statement carry them ("la Déclaration conjointe sur les grandes orientations
..." names the May 2025 statement without its date).

A title is cut into runs: RUN_WORDS neighbouring words (each cut to its first letters, so that cases
and plurals meet) in scripts written with spaces, RUN_CHARACTERS neighbouring characters in scripts
without. A run of a card's title is its own when no other card's title, in any language, has it and
it holds no word of the statement wording nor of a country's name: titles say "joint statement on",
"comprehensive strategic partnership" and the parties alike, so what is left is what they differ in
(main directions, new period; deepening, 30 years of the Treaty; vision, until 2030).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Final

from communique.anchors import plain_name
from communique.countries import has_no_word_spaces, mentions, name_spans
from communique.statements import wording_spans
from communique.text import match_key

# Letters of a word kept: "orientations" and "orientation", "Ausrichtungen" and "Ausrichtung" meet.
STEM_LETTERS: Final = 6
# Runs, not pairs: on the dev half (tests/realset) a pair of words or characters own to one title is
# as often a translation's wording ("동반자 관계" where another title says "파트너십", "的联合", "in the");
# runs of 3 words and 4 characters are what the titles differ in.
RUN_WORDS: Final = 3
RUN_CHARACTERS: Final = 4
# Own runs the sentences naming a statement must carry: one alone is as often a translation's wording
# of the partnership ("partenariat stratégique intégral", where another title says "global"). With 2,
# on the dev half (277 pages) title words counted for the card a page was tied to on 32 pages, always
# the right statement, and alone tied 4 reports that came out `new` without them.
MIN_RUNS: Final = 2
# Runs of characters overlap more: 2 are 5 characters in a row, and "越俄全面" (Vietnam–Russia
# comprehensive, where another title says "两国全面") made a Chinese report of June 2024 one of
# November 2021; with 3, dev 254 -> 255 of 277 and no page lost.
MIN_CHARACTER_RUNS: Final = 3

Run = tuple[str, ...]  # stems of neighbouring words, or one string of neighbouring characters


def runs(text: str) -> frozenset[Run]:
    """The runs of a text (a title, or a page's sentences naming a statement), diacritics left out;
    no run holds a word of a country's name nor of the statement wording ("tuyên bố chung")."""
    found: set[Run] = set()
    for line in text.splitlines():  # a run never spans two titles or two sentences
        key = match_key(line)
        tokens = key.split()
        skipped = _country_words(tokens) | _wording_words(key)
        words: list[str | None] = []
        for i, token in enumerate([*tokens, ""]):
            if token and not has_no_word_spaces(token):  # words; else runs of characters
                words.append(None if i in skipped else plain_name(token)[:STEM_LETTERS])
                continue
            found.update(_windows(words, RUN_WORDS))
            words = []
            # Digits are the title numbers' business ("2030年" is in the titles of other statements' years).
            characters: list[str | None] = [None if c.isdigit() else c for c in token]
            for start, end in [*name_spans(token), *wording_spans(token)]:
                characters[start:end] = [None] * (end - start)
            found.update(("".join(run),) for run in _windows(characters, RUN_CHARACTERS))
    return frozenset(found)


def _wording_words(key: str) -> set[int]:
    """Which tokens of a match key say "joint statement" (in a language of STATEMENT_WORDING)."""
    starts = [match.start() for match in re.finditer(r"\S+", key)]
    return {i for start, end in wording_spans(key) for i, at in enumerate(starts) if start <= at < end}


def _windows(items: list[str | None], size: int) -> Iterable[Run]:
    for at in range(len(items) - size + 1):
        window = items[at : at + size]
        if all(window):
            yield tuple(item for item in window if item)


def _country_words(tokens: list[str]) -> set[int]:
    """Which tokens are a country's name: the shortest windows of up to three words that name one
    ("vietnam", "liên bang nga"), not the words around them."""
    marked: set[int] = set()
    for size in (1, 2, 3):
        for at in range(len(tokens) - size + 1):
            window = tokens[at : at + size]
            if not mentions([" ".join(window)]):
                continue
            if size == 1 or not (mentions([" ".join(window[1:])]) or mentions([" ".join(window[:-1])])):
                marked.update(range(at, at + size))
    return marked


def own_runs(titles: Mapping[str, Mapping[str, str]]) -> dict[str, frozenset[Run]]:
    """Each statement's own title runs (statement id → runs), from the titles of every known
    statement in every language."""
    found = {statement: runs("\n".join(by_language.values())) for statement, by_language in titles.items()}
    return {
        statement: mine - frozenset().union(*(other for s, other in found.items() if s != statement))
        for statement, mine in found.items()
    }


def carries(naming: frozenset[Run], own: frozenset[Run]) -> bool:
    """Whether the runs of the sentences naming a statement (`runs` of them, one per line) hold
    enough of a statement's own title runs."""
    found = own & naming
    characters = sum(1 for run in found if len(run) == 1)
    return len(found) - characters >= MIN_RUNS or characters >= MIN_CHARACTER_RUNS
