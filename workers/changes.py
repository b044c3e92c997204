"""What changed between two texts of a page (or a page and a known text): its paragraph edits.

An edit is a paragraph rewritten, or a substantial paragraph added or (against the page's own previous
version) removed. Furniture is not: short lines, paragraphs that only moved, a known paragraph
repeated, paragraphs that come and go with the requests, and paragraphs added or removed outside
the element of the page that holds the article (workers.placement).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from typing import Any

from communique.model import ParagraphStatus
from communique.text import key_of_normalised
from communique.words import word_count
from workers.diff import Aligned, align, render_html, render_text, summary

ADDED_MIN_WORDS = 12  # an added or removed paragraph is an edit from this many words (communique.words)


class Keys:
    """match_key that looks up keys already computed (article, known text) and computes the rest once."""

    def __init__(self, paragraphs: Sequence[str], keys: Sequence[str]) -> None:
        self._known = dict(zip(paragraphs, keys, strict=True))

    def add(self, paragraphs: Sequence[str], keys: Sequence[str]) -> None:
        """Make more precomputed keys known."""
        self._known.update(zip(paragraphs, keys, strict=True))

    def __call__(self, paragraph: str) -> str:
        found = self._known.get(paragraph)
        if found is None:
            found = self._known[paragraph] = key_of_normalised(paragraph)
        return found


@dataclass(frozen=True)
class Edits:
    """The edits of a new text against an old one, and the fate of every paragraph of the new text."""

    old: list[str]
    new: list[str]
    aligned: list[Aligned]  # indexes in the whole texts
    edits: list[Aligned]

    def fates(self) -> list[tuple[str, int | None]]:
        """Each new paragraph's status (matched, changed or new) and the old paragraph it continues."""
        entries = {a.new_index: a for a in self.aligned if a.new_index is not None}
        return [_fate(entries.get(i)) for i in range(len(self.new))]

    def changes(self) -> list[dict[str, Any]]:
        """Each edit: the paragraph's number, its status and a one-line summary."""
        return [_change(entry, self.old, self.new) for entry in self.edits]

    def diff_text(self) -> str:
        """The edits as a plain-text word diff."""
        return render_text(self.old, self.new, self.edits)

    def diff_html(self) -> str:
        """The edits as an HTML word diff."""
        return render_html(self.old, self.new, self.edits)


def edits_of(
    old_span: list[str],
    new_span: list[str],
    offsets: tuple[int, int] = (0, 0),
    *,
    key: Keys,
    whole: tuple[list[str], list[str]] | None = None,
    copied: frozenset[int] = frozenset(),
    removals: bool = False,
) -> Edits:
    """The alignment of two spans and its entries that are edits.

    `whole` are the full texts the spans (at `offsets`) come from; `copied` new paragraphs are
    known text (a headline repeating a sentence, a moved paragraph) and never count as added.
    With `removals` (against the page's own previous version), a substantial paragraph that is gone
    is an edit too; against a known text it is not, since excerpts leave paragraphs out.
    """
    old, new = whole if whole is not None else (old_span, new_span)
    old_offset, new_offset = offsets
    aligned = [
        Aligned(
            None if a.old_index is None else a.old_index + old_offset,
            None if a.new_index is None else a.new_index + new_offset,
            a.status,
        )
        for a in align(old_span, new_span, key=key)
    ]
    known = {key(paragraph) for paragraph in old}
    present = {key(paragraph) for paragraph in new}
    edits = [
        a
        for a in aligned
        if (_is_edit(a, new, known, copied, key) and (removals or not _cut_short(a, old, new, key)))
        or (removals and _is_removal(a, old, present, key))
    ]
    return Edits(old, new, aligned, edits)


# Given a text, the paragraphs it shares with the other text and some others (indexes): which of the
# others sit outside the element of its page that holds the shared ones (workers.placement).
Outside = Callable[[Sequence[str], Collection[int], Collection[int]], Collection[int]]


def _nowhere(text: Sequence[str], shared: Collection[int], others: Collection[int]) -> Collection[int]:
    return ()


def edits_previous(
    previous: Sequence[str],
    paragraphs: Sequence[str],
    earlier: Callable[[], Sequence[Sequence[str]]] = tuple,
    *,
    outside_new: Outside = _nowhere,
    outside_previous: Outside = _nowhere,
) -> bool:
    """Whether a page's new text edits its previous one, as the engine judges it: a text that differs
    only by furniture (short lines, a header date, paragraphs that moved) does not.

    The rest is asked for only when there are edits (most new texts of a page differ by furniture
    alone): `earlier` gives the versions before the previous one, newest first; `outside_new` and
    `outside_previous` tell where paragraphs sit in the new page and in the previous version's page.

    A paragraph that comes and goes with the requests (a notice shown on some of them) is furniture
    once seen to: added back when an earlier version had it, or gone when an earlier version lacked
    it, it is no edit. A paragraph added or removed outside the element that holds the article (a
    cookie notice at the foot of the page) is furniture from its first showing or going.
    """
    key = Keys(paragraphs, [key_of_normalised(paragraph) for paragraph in paragraphs])
    old, new = list(previous), list(paragraphs)
    found = edits_of(old, new, key=key, removals=True)
    if not found.edits:
        return False
    seen = [{key(paragraph) for paragraph in version} for version in earlier()]
    edits = [edit for edit in found.edits if not _comes_and_goes(edit, old, new, seen, key)]
    added = {e.new_index for e in edits if e.status == ParagraphStatus.ADDED and e.new_index is not None}
    removed = {e.old_index for e in edits if e.status == ParagraphStatus.REMOVED and e.old_index is not None}
    if len(added) + len(removed) < len(edits):
        return True  # a paragraph rewritten: an edit wherever the added and removed ones are
    same = [a for a in found.aligned if a.status == ParagraphStatus.SAME]
    kept = {a.new_index for a in same if a.new_index is not None}
    if added and not added <= set(outside_new(new, kept, added)):
        return True
    shared = {a.old_index for a in same if a.old_index is not None}
    return bool(removed) and not removed <= set(outside_previous(old, shared, removed))


def _comes_and_goes(
    edit: Aligned, old: Sequence[str], new: Sequence[str], seen: list[set[str]], key: Keys
) -> bool:
    """An added paragraph an earlier version had, or a removed one an earlier version lacked."""
    if edit.status == ParagraphStatus.ADDED and edit.new_index is not None:
        return any(key(new[edit.new_index]) in version for version in seen)
    if edit.status == ParagraphStatus.REMOVED and edit.old_index is not None:
        return any(key(old[edit.old_index]) not in version for version in seen)
    return False


def _is_edit(entry: Aligned, new: Sequence[str], known: set[str], copied: frozenset[int], key: Keys) -> bool:
    """An edited paragraph, or a substantial added one that is not known text moved or repeated."""
    if entry.status == ParagraphStatus.CHANGED:
        return True
    if entry.status == ParagraphStatus.ADDED and entry.new_index is not None:
        added = new[entry.new_index]
        repeated = key(added) in known or entry.new_index in copied
        return word_count(added) >= ADDED_MIN_WORDS and not repeated
    return False


def _cut_short(entry: Aligned, old: Sequence[str], new: Sequence[str], key: Keys) -> bool:
    """The page's last paragraph is the start of a known one: a teaser or a page cut off there, which
    copies the known text as far as it goes (no edit of it)."""
    if entry.status != ParagraphStatus.CHANGED or entry.old_index is None or entry.new_index != len(new) - 1:
        return False
    return key(old[entry.old_index]).startswith(key(new[entry.new_index]))


def _is_removal(entry: Aligned, old: Sequence[str], present: set[str], key: Keys) -> bool:
    """A substantial paragraph that is gone (not merely moved elsewhere in the new text)."""
    if entry.status != ParagraphStatus.REMOVED or entry.old_index is None:
        return False
    removed = old[entry.old_index]
    return word_count(removed) >= ADDED_MIN_WORDS and key(removed) not in present


def _fate(entry: Aligned | None) -> tuple[str, int | None]:
    if entry is None:
        return "new", None
    if entry.status == ParagraphStatus.ADDED:
        return "new", entry.old_index
    return ("matched" if entry.status == ParagraphStatus.SAME else "changed"), entry.old_index


def _change(entry: Aligned, old: Sequence[str], new: Sequence[str]) -> dict[str, Any]:
    before = old[entry.old_index] if entry.old_index is not None else ""
    after = new[entry.new_index] if entry.new_index is not None else ""
    number = (entry.new_index if entry.new_index is not None else entry.old_index or 0) + 1
    return {"paragraph": number, "status": str(entry.status), "summary": summary(before, after)}
