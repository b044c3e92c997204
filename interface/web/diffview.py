"""Two versions' texts as rows for the diff pages: paragraphs aligned and word-diffed as the alerts do
it (workers.diff), with a paragraph that moved shown as moved rather than as removed and added."""

from __future__ import annotations

from dataclasses import dataclass, field

from communique.model import ParagraphStatus
from workers.diff import Op, align, entry_diff

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
    added = {
        new[a.new_index]: a.new_index
        for a in aligned
        if a.status is ParagraphStatus.ADDED and a.new_index is not None
    }
    removed = {
        old[a.old_index]: a.old_index
        for a in aligned
        if a.status is ParagraphStatus.REMOVED and a.old_index is not None
    }
    rows = []
    for entry in aligned:
        ops = entry_diff(old, new, entry) if entry.status is not ParagraphStatus.SAME else []
        if entry.status is ParagraphStatus.SAME and entry.new_index is not None:
            ops = [("=", new[entry.new_index])]
        old_number = None if entry.old_index is None else entry.old_index + 1
        new_number = None if entry.new_index is None else entry.new_index + 1
        status = str(entry.status)
        moved_to = moved_from = None
        if (
            entry.status is ParagraphStatus.REMOVED
            and entry.old_index is not None
            and old[entry.old_index] in added
        ):
            status, moved_to = "moved-from", added[old[entry.old_index]] + 1
        elif (
            entry.status is ParagraphStatus.ADDED
            and entry.new_index is not None
            and new[entry.new_index] in removed
        ):
            status, moved_from = "moved-to", removed[new[entry.new_index]] + 1
        if status.startswith("moved"):
            text = old[entry.old_index] if entry.old_index is not None else new[entry.new_index or 0]
            ops = [("=", text)]
        rows.append(
            DiffRow(
                status=status,
                old_number=old_number,
                new_number=new_number,
                old=[(op, text) for op, text in ops if op != "+"] if entry.old_index is not None else [],
                new=[(op, text) for op, text in ops if op != "-"] if entry.new_index is not None else [],
                inline=ops,
                moved_to=moved_to,
                moved_from=moved_from,
            )
        )
    return rows


def counts(rows: list[DiffRow]) -> dict[str, int]:
    """How many paragraphs of each status a diff has."""
    out: dict[str, int] = {}
    for row in rows:
        out[row.status] = out.get(row.status, 0) + 1
    return out
