"""Where in a page's markup its text sits: whether a paragraph is inside the element that holds the
article, or elsewhere on the page (a cookie notice, a newsletter box, a sidebar).

trafilatura's text says nothing of where each paragraph came from, so paragraphs are found again in
the page by their match keys: the page's visible text, key by key and without spaces (inline markup
splits words where paragraphs do not), is one string in which every element's text is one stretch.
The article's element is the smallest that holds the paragraphs kept from the previous text; a
paragraph found more than once (a headline that is also a "read also" link) is taken where the text
has it, between its neighbours: trafilatura keeps the page's order.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Collection, Sequence
from typing import Any, NamedTuple

from communique.text import match_key

# Text that is not shown: never where a paragraph comes from.
HIDDEN = frozenset({"head", "script", "style", "noscript", "template", "title"})
# Elements that hold one paragraph or part of one: the article is the element around them, so a
# paragraph added next to a single kept one (an article that is one <p> of lines) is inside it.
PARAGRAPH_LEVEL = frozenset(
    {"p", "span", "a", "b", "strong", "i", "em", "u", "font", "small", "big", "li", "pre", "code", "q"}
    | {"blockquote", "h1", "h2", "h3", "h4", "h5", "h6"}
)
_SPACE = re.compile(r"\s+")
_SEPARATOR = "\ue000"  # a private-use character: match keys keep it, pages have no use for it


class _Stretch(NamedTuple):
    """An element and where its text (its descendants' included) starts and ends in the page text."""

    element: Any
    start: int
    end: int


class PageText:
    """The visible text of a page as one string of match keys, and each element's stretch of it."""

    def __init__(self, root: Any) -> None:
        self._raw: list[str] = []
        self._spans: list[tuple[Any, int, int]] = []  # element, its first text piece, the one after
        body = root.find(".//body")
        self._top = body if body is not None else root
        self._walk(self._top)
        # One key for the whole page (a key per piece costs a call each: 30 ms for a news page),
        # cut back into pieces where the separator, which keys keep, was put.
        keyed = _key(_SEPARATOR.join(self._raw)).split(_SEPARATOR)
        offsets = [0, *itertools.accumulate(len(piece) for piece in keyed)]
        self.text = "".join(keyed)
        # Children before their parent: the first of equal stretches is the innermost element.
        self.stretches = [_Stretch(e, offsets[first], offsets[after]) for e, first, after in self._spans]

    def _add(self, text: str | None) -> None:
        if text and not text.isspace():
            self._raw.append(text.replace(_SEPARATOR, ""))

    def _walk(self, element: Any) -> None:
        first = len(self._raw)
        if isinstance(element.tag, str) and element.tag not in HIDDEN:  # not a comment or hidden
            self._add(element.text)
            for child in element:
                self._walk(child)
                self._add(child.tail)
        self._spans.append((element, first, len(self._raw)))

    def places(self, key: str) -> list[int]:
        """Where a text (its key without spaces) starts in the page text, every time it is there."""
        found: list[int] = []
        at = self.text.find(key) if key else -1
        while at >= 0:
            found.append(at)
            at = self.text.find(key, at + 1)
        return found

    def around(self, low: int, high: int) -> _Stretch:
        """The smallest element above paragraph level whose stretch holds low..high."""
        smallest = min(
            (s for s in self.stretches if s.start <= low and high <= s.end), key=lambda s: s.end - s.start
        )
        element = smallest.element
        while element.tag in PARAGRAPH_LEVEL and element is not self._top:
            element = element.getparent()
        return next(s for s in self.stretches if s.element is element)


def outside_article(
    root: Any, paragraphs: Sequence[str], kept: Collection[int], added: Collection[int]
) -> set[int]:
    """Of the `added` paragraphs of a text, those the page has outside the element that holds its
    `kept` ones (where the text has them: between the neighbours found once in the page).

    Nothing is judged (an empty set) when fewer than two kept paragraphs are found once in the page;
    an added paragraph not found in the page is not judged either.
    """
    page = PageText(root)
    keys = {i: _key(paragraphs[i]) for i in {*kept, *added}}
    places = {i: page.places(keys[i]) for i in keys}
    anchors = {i: places[i][0] for i in kept if len(places[i]) == 1}  # found once: no doubt where
    if len(anchors) < 2:
        return set()
    article = page.around(min(anchors.values()), max(at + len(keys[i]) for i, at in anchors.items()))
    outside = set()
    for i in added:
        after = max((at + len(keys[j]) for j, at in anchors.items() if j < i), default=0)
        before = min((at for j, at in anchors.items() if j > i), default=len(page.text))
        where = [at for at in places[i] if after <= at and at + len(keys[i]) <= before] or places[i]
        if where and not any(article.start <= at and at + len(keys[i]) <= article.end for at in where):
            outside.add(i)
    return outside


def _key(text: str) -> str:
    return _SPACE.sub("", match_key(text))
