"""Two versions' texts as rows for the diff pages: paragraphs aligned and word-diffed as the alerts do
it (workers.diff), with a paragraph that moved shown as moved rather than as removed and added."""

from __future__ import annotations

from dataclasses import dataclass, field

from communique.model import ParagraphStatus
from workers.diff import Aligned, Op, align, entry_diff

Segment = tuple[Op, str]


@dataclass(frozen=True)
class DiffRow:
    """One paragraph of a diff: its number in each version, its fate, and its text in segments."""

    status: str  # same, changed, added, removed, moved-from (old place), moved-to (new place)
    old_number: int | None
    new_number: int | None
    old: list[Segment] = field(default_factory=list)  # "=" and "-" segments: the left column
    new: list[Segment] = field(default_factory=list)  # "=" and "+" segments: the right column
    inline: list[Segment] = field(default_factory=list)  # all segments in reading order
    moved_to: int | None = None  # for moved-from: the paragraph number it now has
    moved_from: int | None = None  # for moved-to: the number it had


def paragraphs_of(text: str) -> list[str]:
    """The paragraphs of a stored version (one per line, as the alerts split them)."""
    return [line for line in text.split("\n") if line.strip()]


def diff_rows(old_text: str, new_text: str) -> list[DiffRow]:
    """Every paragraph of both versions in the new version's order, removed ones where they were."""
    old, new = paragraphs_of(old_text), paragraphs_of(new_text)
    aligned = align(old, new)
    # A paragraph removed in one place and added, unchanged, in another has moved.
    added = {new[a.new_index]: a.new_index for a in aligned if a.status is ADDED and a.new_index is not None}
    removed = {
        old[a.old_index]: a.old_index for a in aligned if a.status is REMOVED and a.old_index is not None
    }
    return [_row(entry, old, new, added, removed) for entry in aligned]


ADDED, REMOVED, SAME = ParagraphStatus.ADDED, ParagraphStatus.REMOVED, ParagraphStatus.SAME


def _row(
    entry: Aligned, old: list[str], new: list[str], added: dict[str, int], removed: dict[str, int]
) -> DiffRow:
    """The row of one aligned entry: its word diff, or its whole text for a same or moved paragraph."""
    before = None if entry.old_index is None else old[entry.old_index]
    after = None if entry.new_index is None else new[entry.new_index]
    status, moved_to, moved_from = str(entry.status), None, None
    if entry.status is REMOVED and before in added:
        status, moved_to = "moved-from", added[before or ""] + 1
    elif entry.status is ADDED and after in removed:
        status, moved_from = "moved-to", removed[after or ""] + 1
    if entry.status is SAME or status.startswith("moved"):
        ops: list[Segment] = [("=", after if after is not None else before or "")]
    else:
        ops = entry_diff(old, new, entry)
    return DiffRow(
        status=status,
        old_number=None if entry.old_index is None else entry.old_index + 1,
        new_number=None if entry.new_index is None else entry.new_index + 1,
        old=[(op, text) for op, text in ops if op != "+"] if before is not None else [],
        new=[(op, text) for op, text in ops if op != "-"] if after is not None else [],
        inline=ops,
        moved_to=moved_to,
        moved_from=moved_from,
    )


def counts(rows: list[DiffRow]) -> dict[str, int]:
    """How many paragraphs of each status a diff has."""
    out: dict[str, int] = {}
    for row in rows:
        out[row.status] = out.get(row.status, 0) + 1
    return out
