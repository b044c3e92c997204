"""How a version relates to the previous one and to the known corpus (exact paragraph fingerprints)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from communique.model import ParagraphStatus, Relation
from communique.text import fingerprint, match_key
from storage import corpus
from storage.database import Database
from workers.diff import Aligned, align, render_html, render_text, summary

REPRINT_COVERAGE = 0.8  # share of a known text's paragraphs present for a reprint
EXCERPT_SHARE = 0.5  # share of the article's paragraphs that are known for an excerpt


@dataclass(frozen=True)
class MatchResult:
    """The relation of a text, the statement it belongs to, and what changed paragraph by paragraph."""

    relation: Relation
    statement_id: str | None = None
    corpus_id: str | None = None
    coverage: float | None = None
    changes: list[dict[str, Any]] = field(default_factory=list)
    diff_text: str = ""
    diff_html: str = ""

    def to_json(self) -> dict[str, Any]:
        """The result as stored and shown."""
        return asdict(self)


def match_text(db: Database, text: str, previous: str | None) -> MatchResult:
    """Relate `text` (normalised paragraphs, one a line) to its previous version and to the corpus."""
    new = text.split("\n")
    statement_id, corpus_id, coverage, share = _best_corpus_match(db, new)
    if previous is not None:
        old = previous.split("\n")
        aligned = align(old, new, key=match_key)
        if any(a.status != ParagraphStatus.SAME for a in aligned):
            return MatchResult(
                Relation.CHANGED,
                statement_id,
                corpus_id,
                coverage,
                _changes(old, new, aligned),
                render_text(old, new, aligned),
                render_html(old, new, aligned),
            )
    if corpus_id is None:
        return MatchResult(Relation.NEW)
    if coverage is not None and coverage >= REPRINT_COVERAGE:
        relation = Relation.REPRINT
    elif share >= EXCERPT_SHARE:
        relation = Relation.EXCERPT
    else:
        relation = Relation.MENTION
    return MatchResult(relation, statement_id, corpus_id, coverage)


def _best_corpus_match(
    db: Database, paragraphs: list[str]
) -> tuple[str | None, str | None, float | None, float]:
    """The known text sharing most paragraphs: its statement, id, coverage, and the article's share."""
    fingerprints = [fingerprint(p) for p in paragraphs]
    hits = corpus.corpus_hits(db, fingerprints)
    if not hits:
        return None, None, None, 0.0
    corpus_id, shared = hits.most_common(1)[0]
    known = corpus.corpus_document(db, corpus_id)
    if known is None:
        return None, None, None, 0.0
    coverage = shared / max(1, int(known["paragraphs"]))
    return str(known["statement_id"]), corpus_id, round(coverage, 4), shared / max(1, len(set(fingerprints)))


def _changes(old: list[str], new: list[str], aligned: list[Aligned]) -> list[dict[str, Any]]:
    """One entry per paragraph that is not the same: its number, status and a one-line summary."""
    changes = []
    for entry in aligned:
        if entry.status == ParagraphStatus.SAME:
            continue
        before = old[entry.old_index] if entry.old_index is not None else ""
        after = new[entry.new_index] if entry.new_index is not None else ""
        number = (entry.new_index if entry.new_index is not None else entry.old_index or 0) + 1
        changes.append({"paragraph": number, "status": str(entry.status), "summary": summary(before, after)})
    return changes
