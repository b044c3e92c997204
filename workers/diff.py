"""Paragraph alignment and word-level diffs of two versions of a statement, rendered for alerts.

diff-match-patch is slow on whole documents, so paragraphs are aligned first (exact anchors, then
similar leftovers between anchors) and only paired paragraphs are word-diffed. Both steps use the
library on strings of private-use characters, one per distinct paragraph or word token.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal

import fast_diff_match_patch as _dmp

from communique.model import ParagraphStatus
from communique.words import words

Op = Literal["=", "-", "+"]

# Combining marks ride with the character before them, so NFD Vietnamese ("e" + U+0302 + U+0301)
# stays one word instead of being split at every diacritic the way a bare \w would split it.
_MARKS = "\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f"
# Words, single punctuation marks and whitespace runs are separate tokens. Whitespace is not glued
# to the word before it: otherwise appending "c" to "a b." would turn the token "b" into "b " and
# the diff would report "b" as rewritten. Every character matches one branch, so the tokens
# always concatenate back to the input.
_TOKEN = re.compile(rf"(?:\w[{_MARKS}]*)+|[^\w\s][{_MARKS}]*|\s+")

# Tokens are encoded as private-use code points: they carry no meaning, so the library's
# word-boundary heuristics (which look at spaces and letters) never favour one token over another.
# The BMP area comes first; planes 15 and 16 extend it (the library counts a non-BMP character as
# one on Linux, where wchar_t is 32 bits), and beyond them word_diff and align raise ValueError.
_PRIVATE_RANGES = ((0xE000, 0xF8FF), (0xF0000, 0xFFFFD), (0x100000, 0x10FFFD))
MAX_TOKENS = sum(hi - lo + 1 for lo, hi in _PRIVATE_RANGES)

# A bound on one diff, so a pathological input cannot stall a worker; the library then returns a
# coarser but still valid diff. Aligned paragraphs finish far below it, so their output is stable.
_TIMELIMIT_SECONDS = 2.0

SIMILARITY_THRESHOLD = 0.5


def _code_point(index: int) -> str:
    """The private-use character standing for the token (or paragraph key) with this index."""
    for lo, hi in _PRIVATE_RANGES:
        if index <= hi - lo:
            return chr(lo + index)
        index -= hi - lo + 1
    raise ValueError(f"more than {MAX_TOKENS} distinct words or paragraphs: too many to diff")


def tokenize(text: str) -> list[str]:
    """Split text into word, punctuation and whitespace tokens that concatenate back to it."""
    return _TOKEN.findall(text)


def _encode(tokens: Sequence[str], table: dict[str, str]) -> str:
    """Encode tokens (or paragraph keys) as one character each, extending the shared table."""
    chars = []
    for token in tokens:
        char = table.get(token)
        if char is None:
            char = table[token] = _code_point(len(table))
        chars.append(char)
    return "".join(chars)


def _merge(ops: Sequence[tuple[Op, str]]) -> list[tuple[Op, str]]:
    """Join neighbouring ops and put each run of changes as one "-" then one "+"."""
    merged: list[tuple[Op, str]] = []
    deleted: list[str] = []
    inserted: list[str] = []

    def flush() -> None:
        if deleted:
            merged.append(("-", "".join(deleted)))
        if inserted:
            merged.append(("+", "".join(inserted)))
        deleted.clear()
        inserted.clear()

    for op, text in ops:
        if not text:
            continue
        if op == "-":
            deleted.append(text)
        elif op == "+":
            inserted.append(text)
        else:
            flush()
            before = merged.pop()[1] if merged and merged[-1][0] == "=" else ""
            merged.append(("=", before + text))
    flush()
    return merged


def word_diff(old: str, new: str, *, timelimit: float = _TIMELIMIT_SECONDS) -> list[tuple[Op, str]]:
    """Word-level diff: "=" and "-" parts rebuild old, "=" and "+" parts rebuild new exactly."""
    old_tokens, new_tokens = tokenize(old), tokenize(new)
    table: dict[str, str] = {}
    old_chars, new_chars = _encode(old_tokens, table), _encode(new_tokens, table)
    # checklines would pre-diff by "\n", which the encoded strings never contain; Semantic cleanup
    # folds chaff like one shared space between two edits into a single readable change. (The
    # library silently treats an unknown cleanup name as "No", so a typo here would go unnoticed.)
    counts: list[tuple[str, int]] = _dmp.diff(
        old_chars, new_chars, timelimit=timelimit, checklines=False, cleanup="Semantic", counts_only=True
    )
    ops: list[tuple[Op, str]] = []
    i = j = 0
    for op, length in counts:
        if op == "=":
            ops.append(("=", "".join(old_tokens[i : i + length])))
            i, j = i + length, j + length
        elif op == "-":
            ops.append(("-", "".join(old_tokens[i : i + length])))
            i += length
        else:
            ops.append(("+", "".join(new_tokens[j : j + length])))
            j += length
    return _merge(ops)


@dataclass(frozen=True)
class Aligned:
    """One entry of an alignment: a paragraph index in each version (None when absent) and its fate."""

    old_index: int | None
    new_index: int | None
    status: ParagraphStatus


def _identity(text: str) -> str:
    """Return the text unchanged (the default alignment key)."""
    return text


def _words(text: str) -> frozenset[str]:
    """The case-folded distinct words of a text (in scripts without spaces too: communique.words)."""
    return frozenset(w.casefold() for w in words(text))


def _jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    """Jaccard index of two word sets, 0.0 when both are empty (punctuation-only paragraphs)."""
    union = len(a | b)
    return len(a & b) / union if union else 0.0


def similarity(a: str, b: str) -> float:
    """Jaccard similarity of the case-folded word sets of two paragraphs (0.0 when both have none)."""
    return _jaccard(_words(a), _words(b))


def _pair_gap(old_keys: Sequence[str], new_keys: Sequence[str]) -> list[tuple[int, int]]:
    """Pair similar paragraphs of one gap, best first, never crossing; indexes are gap-relative."""
    old_words, new_words = [_words(k) for k in old_keys], [_words(k) for k in new_keys]
    candidates = sorted(
        (-score, i, j)
        for i, a in enumerate(old_words)
        for j, b in enumerate(new_words)
        if (score := _jaccard(a, b)) >= SIMILARITY_THRESHOLD
    )
    pairs: list[tuple[int, int]] = []
    used_old: set[int] = set()
    used_new: set[int] = set()
    for _, i, j in candidates:
        if i in used_old or j in used_new:
            continue
        # Keeping the order of both versions is what lets the output follow the new document.
        if all((a < i) == (b < j) for a, b in pairs):
            pairs.append((i, j))
            used_old.add(i)
            used_new.add(j)
    return sorted(pairs)


def _align_gap(
    old_keys: Sequence[str], new_keys: Sequence[str], old_start: int, new_start: int
) -> list[Aligned]:
    """Align the paragraphs between two anchors: changed pairs, removed and added leftovers."""
    out: list[Aligned] = []
    i = j = 0
    for pi, pj in [*_pair_gap(old_keys, new_keys), (len(old_keys), len(new_keys))]:
        # Removed paragraphs go before added ones, as in a unified diff.
        out.extend(Aligned(old_start + k, None, ParagraphStatus.REMOVED) for k in range(i, pi))
        out.extend(Aligned(None, new_start + k, ParagraphStatus.ADDED) for k in range(j, pj))
        if pi < len(old_keys):
            out.append(Aligned(old_start + pi, new_start + pj, ParagraphStatus.CHANGED))
        i, j = pi + 1, pj + 1
    return out


def _anchors(old_keys: Sequence[str], new_keys: Sequence[str]) -> list[tuple[int, int, int]]:
    """Runs (old_start, new_start, size) of equal keys along a longest common subsequence."""
    # Keys are encoded one character each and diffed with Myers' algorithm (diff-match-patch
    # without cleanup, which is exact within the time limit). difflib.SequenceMatcher is not an
    # LCS: with 20 equal paragraphs and the 8th edited, it anchors old[0:12] to new[8:20] and
    # reports 8 added and 8 removed instead of 1 changed.
    table: dict[str, str] = {}
    old_chars, new_chars = _encode(old_keys, table), _encode(new_keys, table)
    counts: list[tuple[str, int]] = _dmp.diff(
        old_chars, new_chars, timelimit=_TIMELIMIT_SECONDS, checklines=False, cleanup="No"
    )
    blocks = []
    i = j = 0
    for op, length in counts:
        if op == "=":
            blocks.append((i, j, length))
            i, j = i + length, j + length
        elif op == "-":
            i += length
        else:
            j += length
    blocks.append((len(old_keys), len(new_keys), 0))  # closes the last gap
    return blocks


def align(old: Sequence[str], new: Sequence[str], key: Callable[[str], str] = _identity) -> list[Aligned]:
    """Pair the paragraphs of two versions, in new-document order with removed ones where they were.

    Paragraphs with equal keys are anchored along a longest common subsequence. A moved paragraph
    is "same" only if it stays in that subsequence; otherwise it is reported as removed where it
    was and added where it is now. Between anchors, leftovers whose word similarity is at least 0.5
    are paired as "changed", the most similar first. Raises ValueError past MAX_TOKENS distinct keys.
    """
    old_keys, new_keys = [key(p) for p in old], [key(p) for p in new]
    out: list[Aligned] = []
    i = j = 0
    for a, b, size in _anchors(old_keys, new_keys):
        out.extend(_align_gap(old_keys[i:a], new_keys[j:b], i, j))
        out.extend(Aligned(a + k, b + k, ParagraphStatus.SAME) for k in range(size))
        i, j = a + size, b + size
    return out


def _label(entry: Aligned) -> str:
    """The block heading, numbered in the new version (in the old one for removed paragraphs)."""
    index = entry.old_index if entry.new_index is None else entry.new_index
    if index is None:
        raise ValueError(f"aligned entry without an index: {entry!r}")
    return f"¶{index + 1} ({entry.status}):"


def entry_diff(old: Sequence[str], new: Sequence[str], entry: Aligned) -> list[tuple[Op, str]]:
    """The word diff of one aligned entry; added and removed paragraphs are one insert or delete."""
    before = "" if entry.old_index is None else old[entry.old_index]
    after = "" if entry.new_index is None else new[entry.new_index]
    if entry.status is ParagraphStatus.CHANGED:
        return word_diff(before, after)
    return _merge([("-", before), ("+", after)])


_TEXT_MARKS: dict[Op, tuple[str, str]] = {"=": ("", ""), "-": ("[-", "-]"), "+": ("{+", "+}")}
# The text markers go into the HTML too, hidden: an email's plain-text part is made from its HTML
# (apprise converts it), and without them "2024" → "2025" would read "20242025" there.
_HIDDEN = '<span style="display:none;mso-hide:all">{}</span>'
_HTML_MARKS: dict[Op, tuple[str, str]] = {
    "=": ("", ""),
    "-": (
        _HIDDEN.format("[-") + '<del style="background:#fdd;text-decoration:line-through">',
        "</del>" + _HIDDEN.format("-]"),
    ),
    "+": (
        _HIDDEN.format("{+") + '<ins style="background:#dfd;text-decoration:none">',
        "</ins>" + _HIDDEN.format("+}"),
    ),
}


def render_text(old: Sequence[str], new: Sequence[str], aligned: Sequence[Aligned]) -> str:
    """Plain-text alert body: one block per paragraph that is not "same", edits as [-x-]{+y+}."""
    blocks = []
    for entry in aligned:
        if entry.status is ParagraphStatus.SAME:
            continue
        body = "".join(
            f"{_TEXT_MARKS[op][0]}{text}{_TEXT_MARKS[op][1]}" for op, text in entry_diff(old, new, entry)
        )
        blocks.append(f"{_label(entry)}\n{body}")
    return "\n\n".join(blocks)


def render_html(old: Sequence[str], new: Sequence[str], aligned: Sequence[Aligned]) -> str:
    """HTML alert body with inline styles (mail clients drop stylesheets), all text escaped."""
    blocks = []
    for entry in aligned:
        if entry.status is ParagraphStatus.SAME:
            continue
        body = "".join(
            f"{_HTML_MARKS[op][0]}{html.escape(text)}{_HTML_MARKS[op][1]}"
            for op, text in entry_diff(old, new, entry)
        )
        blocks.append(f"<p><strong>{html.escape(_label(entry))}</strong><br>\n{body}</p>")
    return "\n".join(blocks)


def _clip(text: str, width: int) -> str:
    """Collapse whitespace to single spaces and cut to width characters, ending with "…" if cut."""
    text = " ".join(text.split())
    if len(text) <= width:
        return text
    return text[: max(width - 1, 0)].rstrip() + "…"


def summary(old: str, new: str, width: int = 60) -> str:
    """One line naming the edits of a changed paragraph, like "2030 → 2035"; "" when nothing changed."""
    parts = []
    ops = word_diff(old, new)
    for k, (op, text) in enumerate(ops):
        if op == "-":
            following = ops[k + 1] if k + 1 < len(ops) else None
            if following is not None and following[0] == "+":
                half = max((width - 3) // 2, 1)
                parts.append(f"{_clip(text, half)} → {_clip(following[1], half)}")
            else:
                parts.append(f"- '{_clip(text, width - 4)}'")
        elif op == "+" and (k == 0 or ops[k - 1][0] != "-"):
            parts.append(f"+ '{_clip(text, width - 4)}'")
    return _clip("; ".join(parts), width)
