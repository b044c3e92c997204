"""The matching engine: how an article relates to its previous version and to the known statements.

Cheapest first: exact paragraph fingerprints, then lexical near-duplicates (same language), then — only
for statement-related texts in another language than a known text — cross-lingual sentence alignment.
The result names the relation, the statement group, its coverage, and every paragraph's fate.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from communique.identity import Card, Clues, Fit, clues, identify
from communique.language import paragraph_languages
from communique.model import Relation
from communique.statements import Genre, genre_of, names_statement, parties_of
from communique.text import key_fingerprint, key_of_normalised, match_key
from communique.words import word_count
from workers.changes import Keys, edits_of
from workers.corpus_index import CorpusIndex, KnownText, paragraph_sentences
from workers.translation import find_translation

LEXICAL_MIN_SCORE = 0.6  # a paragraph this close to a known one is the same paragraph, maybe edited
STRONG_SCORE = 0.85  # this close is evidence of copying; statements reuse formulas up to ~0.75 across years
MIN_STRONG_FOR_EDITS = 3  # strong hits before edits inside a known text are reported as "changed"
MIN_HIT_WORDS = 8  # shorter paragraphs ("Hai bên nhất trí:") are too generic to tie an article to a text
REPRINT_COVERAGE = 0.8  # share of a known text present for a reprint
EXCERPT_SHARE = 0.5  # share of the article that is statement text for an excerpt


@dataclass(frozen=True)
class ParagraphResult:
    """One article paragraph: matched (as known), changed (a known paragraph, edited) or new."""

    index: int
    status: str
    language: str | None
    corpus_id: str | None = None
    position: int | None = None
    summary: str = ""


@dataclass(frozen=True)
class MatchResult:
    """Everything the engine decided about one article."""

    relation: Relation
    genre: Genre
    parties: list[str]
    language: str | None
    statement_id: str | None = None
    corpus_id: str | None = None
    coverage: float | None = None
    base: str | None = None  # what the diff is against: "previous" version or "corpus" text
    paragraphs: list[ParagraphResult] = field(default_factory=list)
    changes: list[dict[str, Any]] = field(default_factory=list)
    diff_text: str = ""
    diff_html: str = ""
    evidence: list[str] = field(default_factory=list)  # what decided the relation and the statement

    def to_json(self) -> dict[str, Any]:
        """The result as stored and printed by `communique match --json` (`dataclasses.asdict`, without
        its deep copies: a tenth of a match's time for a page that turns out unrelated)."""
        return {
            **vars(self),
            "parties": list(self.parties),
            "paragraphs": [vars(paragraph).copy() for paragraph in self.paragraphs],
            "changes": [dict(change) for change in self.changes],
            "evidence": list(self.evidence),
        }


@dataclass(frozen=True)
class _Hits:
    """The best known text for an article, and which article paragraph holds which of its paragraphs."""

    text: KnownText
    positions: dict[int, int]  # article paragraph → position in the known text
    strong: int  # how many of them are strong hits (copies, maybe edited)
    copied: frozenset[int]  # article paragraphs copied (strong hit) from any known text

    @property
    def coverage(self) -> float:
        """Share of the known text's distinct paragraphs present (texts repeat lines: captions, links)."""
        distinct = set(self.text.fingerprints)
        present = {self.text.fingerprints[p] for p in self.positions.values()}
        return len(present) / max(1, len(distinct))


def relate(
    index: CorpusIndex,
    paragraphs: Sequence[str],
    *,
    title: str | None = None,
    previous: Sequence[str] | None = None,
    exclude: frozenset[str] = frozenset(),
    published: dt.date | None = None,
) -> MatchResult:
    """Relate an article (normalised paragraphs) to its previous version and to the known texts.

    `published` is the day the page came out (or was first seen): with the dates the text gives, it
    tells which known statement a report is about.
    """
    languages = paragraph_languages(paragraphs)
    keys = [key_of_normalised(paragraph) for paragraph in paragraphs]  # once: every stage compares keys
    title_key = match_key(title or "")
    language = _main_language(languages)
    base = MatchResult(Relation.UNRELATED, genre_of(keys, title_key, language), parties_of(keys), language)
    key = Keys(paragraphs, keys)
    hits = _lexical_hits(index, keys, exclude)
    if hits is not None:
        base = replace(
            base,
            statement_id=hits.text.statement_id,
            corpus_id=hits.text.id,
            coverage=round(hits.coverage, 4),
        )
    if previous is not None:
        changed = _against(list(previous), list(paragraphs), (0, 0), base, languages, key=key, removals=True)
        if changed is not None:
            return replace(changed, base="previous")
    if hits is not None:
        return _lexical_result(hits, paragraphs, languages, base, key)

    translated = _translation(
        index,
        paragraphs,
        languages,
        base,
        exclude=exclude,
        named=base.genre is not Genre.OTHER,  # genre_of has read whether the page names a statement
        published=published,
    )
    plain = replace(base, paragraphs=_plain(paragraphs, languages, {}))
    if translated is not None:
        return translated
    if base.genre is Genre.OTHER:
        return replace(plain, relation=Relation.UNRELATED)
    # What identifies the page is read only for pages that name a statement (dates in 200 locales
    # cost tens of milliseconds; most pages name none).
    sentences = paragraph_sentences([title or "", *paragraphs])[0]
    naming = [s for s in sentences if names_statement([match_key(s)], language)]
    text = "\n".join([title or "", *paragraphs])
    page = clues([title_key, *keys], text, base.language, published, naming)
    return _identified(index, plain, page, exclude)


def _known_cards(index: CorpusIndex, exclude: frozenset[str]) -> list[Card]:
    excluded = {index.texts[t].statement_id for t in exclude if t in index.texts}
    return [card for sid, card in index.cards.items() if sid not in excluded and sid in index.statements]


def _identified(index: CorpusIndex, base: MatchResult, page: Clues, exclude: frozenset[str]) -> MatchResult:
    """A text that names a statement and copies none: a mention of the known statement whose card fits
    it, else a new statement."""
    found, fits = identify(_known_cards(index, exclude), page, report=base.genre is Genre.NEWS)
    if found is None:
        why = (
            "; ".join(f"{f.card.statement_id}: {f.veto or _scored(f)}" for f in fits) or "no known statement"
        )
        return replace(base, relation=Relation.NEW, evidence=[f"names a statement; none known fits ({why})"])
    return replace(
        base,
        relation=Relation.MENTION,
        statement_id=found.card.statement_id,
        evidence=[f"names a statement; the card of {found.card.statement_id} fits: {_scored(found)}"],
    )


def _scored(found: Fit) -> str:
    return f"score {found.score} ({', '.join(found.evidence) or 'no evidence'})"


def _main_language(languages: Sequence[str | None]) -> str | None:
    counted = Counter(language for language in languages if language)
    return counted.most_common(1)[0][0] if counted else None


def _lexical_hits(index: CorpusIndex, keys: Sequence[str], exclude: frozenset[str]) -> _Hits | None:
    """Exact fingerprints first, lexical candidates for the rest; the known text copied most, if any."""
    found: dict[str, dict[int, tuple[int, float]]] = {}
    pending: list[int] = []
    for i, key in enumerate(keys):
        exact = [(t, p) for t, p in index.by_fingerprint.get(key_fingerprint(key), []) if t not in exclude]
        for text_id, position in exact:
            found.setdefault(text_id, {}).setdefault(i, (position, 1.0))
        if not exact and word_count(key) >= MIN_HIT_WORDS:
            pending.append(i)
    batches = index.lexical.candidates_keyed([keys[i] for i in pending], limit=8, min_score=LEXICAL_MIN_SCORE)
    for i, candidates in zip(pending, batches, strict=True):
        for candidate in candidates:
            text_id, position = index.keys[candidate.key]
            if text_id not in exclude:
                found.setdefault(text_id, {}).setdefault(i, (position, candidate.score))
    strong = {t: sum(score >= STRONG_SCORE for _, score in hits.values()) for t, hits in found.items()}
    if not strong or max(strong.values()) == 0:
        return None
    best = max(found, key=lambda t: (strong[t], len(found[t]), t))
    copied = frozenset(
        i for hits in found.values() for i, (_, score) in hits.items() if score >= STRONG_SCORE
    )
    positions = {i: position for i, (position, _) in found[best].items()}
    return _Hits(index.texts[best], positions, strong[best], copied)


def _lexical_result(
    hits: _Hits,
    paragraphs: Sequence[str],
    languages: Sequence[str | None],
    base: MatchResult,
    key: Keys,
) -> MatchResult:
    """Changed (a known paragraph edited, or text added inside it), reprint, excerpt or mention."""
    first, last = min(hits.positions), max(hits.positions)
    low, high = min(hits.positions.values()), max(hits.positions.values())
    old, new = list(hits.text.paragraphs), list(paragraphs)
    if hits.strong >= MIN_STRONG_FOR_EDITS:
        key.add(hits.text.paragraphs, hits.text.keys)
        changed = _against(
            old[low : high + 1],
            new[first : last + 1],
            (low, first),
            base,
            languages,
            key=key,
            whole=(old, new),
            copied=hits.copied,
        )
        if changed is not None:
            return replace(changed, base="corpus")
    share = len(hits.positions) / max(1, len(paragraphs))
    if hits.coverage >= REPRINT_COVERAGE:
        relation = Relation.REPRINT
    elif share >= EXCERPT_SHARE:
        relation = Relation.EXCERPT
    elif base.genre is Genre.JOINT_STATEMENT:
        # A statement's own text reusing a few known paragraphs is a new statement, not a mention.
        return replace(
            base,
            relation=Relation.NEW,
            paragraphs=_plain(paragraphs, languages, hits.positions, hits.text.id),
        )
    else:
        relation = Relation.MENTION
    return replace(
        base, relation=relation, paragraphs=_plain(paragraphs, languages, hits.positions, hits.text.id)
    )


def _against(
    old_span: list[str],
    new_span: list[str],
    offsets: tuple[int, int],
    base: MatchResult,
    languages: Sequence[str | None],
    *,
    key: Keys,
    whole: tuple[list[str], list[str]] | None = None,
    copied: frozenset[int] = frozenset(),
    removals: bool = False,
) -> MatchResult | None:
    """A CHANGED result when the new span edits or adds to the old one; None when it only repeats it
    (what is an edit: workers.changes.edits_of)."""
    found = edits_of(old_span, new_span, offsets, key=key, whole=whole, copied=copied, removals=removals)
    if not found.edits:
        return None
    results = [
        ParagraphResult(i, status, languages[i], base.corpus_id, position)
        for i, (status, position) in enumerate(found.fates())
    ]
    return replace(
        base,
        relation=Relation.CHANGED,
        paragraphs=results,
        changes=found.changes(),
        diff_text=found.diff_text(),
        diff_html=found.diff_html(),
    )


def _plain(
    paragraphs: Sequence[str],
    languages: Sequence[str | None],
    positions: dict[int, int],
    text_id: str | None = None,
) -> list[ParagraphResult]:
    """Per-paragraph results when nothing was edited: matched where a known paragraph was found."""
    return [
        ParagraphResult(i, "matched", languages[i], text_id, positions[i])
        if i in positions
        else ParagraphResult(i, "new", languages[i])
        for i in range(len(paragraphs))
    ]


def _translation(
    index: CorpusIndex,
    paragraphs: Sequence[str],
    languages: Sequence[str | None],
    base: MatchResult,
    *,
    exclude: frozenset[str],
    named: bool,
    published: dt.date | None,
) -> MatchResult | None:
    """The page as a translation of a known text in another language, when it is one."""
    found = find_translation(
        index, paragraphs, base.language, exclude=exclude, named=named, published=published
    )
    if found is None:
        return None
    text, alignment, shape = found.text, found.alignment, found.shape
    aligned_paragraphs = Counter(found.owner[pair.source] for pair in alignment.pairs)
    results = [
        ParagraphResult(
            i,
            "matched" if aligned_paragraphs[i] else "new",
            languages[i],
            text.id if aligned_paragraphs[i] else None,
        )
        for i in range(len(paragraphs))
    ]
    return replace(
        base,
        relation=Relation.TRANSLATION,
        statement_id=text.statement_id,
        corpus_id=text.id,
        coverage=round(alignment.target_coverage, 4),
        paragraphs=results,
        evidence=[
            f"{len(alignment.pairs)} sentences aligned with {text.id} ({text.language}): "
            f"{shape.share:.0%} of "
            f"the page's statement-like sentences, {alignment.target_coverage:.0%} of the known text, "
            f"{shape.order:.0%} in order, {shape.run} in a row"
        ],
    )
