"""Bad input made from real pages: truncated, binary, huge, mis-declared or re-encoded, decomposed,
spiked with invisible characters, nested 10,000 deep, empty. Used by the bad-input tests and bench.

Every mutant carries the Content-Type header it is served with, so the tests can build the Scrapy
response the crawler would build, and whether its declared charset tells the truth (then no flood
of U+FFFD is acceptable in the extracted text).
"""

from __future__ import annotations

import gzip
import json
import random
import re
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

HUGE_BYTES = 50 * 1024 * 1024
NESTING = 10_000
HTML = "text/html"


@dataclass(frozen=True)
class Page:
    """A real page from ../shared/fixtures/real-html and what its labels say about it."""

    name: str
    body: bytes
    url: str
    language: str | None


@dataclass(frozen=True)
class Mutant:
    """One mutation of one page, as served: body, Content-Type, and whether its charset is honest."""

    page: str
    kind: str
    body: bytes
    content_type: str = HTML
    honest_charset: bool = False

    @property
    def label(self) -> str:
        """`kind:page`, for test ids and reports."""
        return f"{self.kind}:{self.page}"


def real_pages(folder: Path) -> list[Page]:
    """Every HTML page under real-html/, with its URL and language from the labels."""
    pages = []
    for group in ("htmldate", "trafilatura"):
        labels = json.loads((folder / group / "labels.json").read_text(encoding="utf-8"))
        for path in sorted((folder / group).glob("*.html")):
            label = labels.get(path.name, {})
            url = label.get("url") or f"https://example.org/{path.name}"
            pages.append(Page(path.name, path.read_bytes(), url, label.get("language")))
    return pages


_META_CHARSET = re.compile(rb"<meta[^>]*charset[^>]*>", re.IGNORECASE)
_HEAD = re.compile(rb"<head[^>]*>", re.IGNORECASE)
_BODY_OPEN = re.compile(rb"<body[^>]*>", re.IGNORECASE)
_BODY_CLOSE = re.compile(rb"</body\s*>", re.IGNORECASE)
_TEXT_RUN = re.compile(r">([^<]+)<")
_WORD_PART = re.compile(r"(\w{3})(?=\w)")
_INVISIBLE = "\u200b\u200c\u200d\u2060\ufeff\u00ad"
CYRILLIC_LANGUAGES = {"ru", "uk", "bg"}


def declare(body: bytes, charset: str | None) -> bytes:
    """The body with every <meta> charset declaration removed, and `charset` declared if given."""
    body = _META_CHARSET.sub(b"", body)
    if charset is None:
        return body
    meta = f'<meta charset="{charset}">'.encode("ascii")
    head = _HEAD.search(body)
    if head is None:
        return meta + body
    return body[: head.end()] + meta + body[head.end() :]


def _text(page: Page) -> str:
    return page.body.decode("utf-8", errors="replace")


def _wrap_body(body: bytes, before: bytes, after: bytes) -> bytes:
    # The last <body>: earlier ones may sit in conditional comments (<!--[if IE]><body ...>).
    opened = next(reversed(list(_BODY_OPEN.finditer(body))), None)
    closed = _BODY_CLOSE.search(body)
    start = opened.end() if opened else 0
    end = closed.start() if closed and closed.start() >= start else len(body)
    return body[:start] + before + body[start:end] + after + body[end:]


def _visible_sample(page: Page, size: int = 1000) -> str:
    runs = " ".join(run.strip() for run in _TEXT_RUN.findall(_text(page)) if run.strip())
    return (runs or "lorem ipsum dolor sit amet")[:size]


def _sprinkle(text: str) -> str:
    counter = iter(range(1 << 62))

    def spike(match: re.Match[str]) -> str:
        return match.group(1) + _INVISIBLE[next(counter) % len(_INVISIBLE)]

    return _TEXT_RUN.sub(lambda run: ">" + _WORD_PART.sub(spike, run.group(1)) + "<", text)


def _mid_char_cut(body: bytes) -> bytes:
    """Cut just after the lead byte of a multi-byte UTF-8 character in the second half."""
    start = len(body) // 2
    for index in range(start, len(body)):
        if body[index] >= 0xC2:
            return body[: index + 1]
    return body[:start]


def _cp1251(page: Page, declared: str | None) -> bytes:
    text = _text(page)
    encoded = text.encode("cp1251", errors="xmlcharrefreplace")
    return declare(encoded, declared)


def _huge_paragraphs(page: Page) -> bytes:
    paragraph = f"<p>{_visible_sample(page)}</p>\n".encode()
    return _wrap_body(page.body, b"", paragraph * (HUGE_BYTES // len(paragraph) + 1))


def _huge_text_node(page: Page) -> bytes:
    words = (_visible_sample(page, 200) + " ").encode()
    return _wrap_body(page.body, b"<p>" + words * (HUGE_BYTES // len(words) + 1) + b"</p>", b"")


def _is_utf8(body: bytes) -> bool:
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _utf8_mutants(page: Page) -> Iterator[Mutant]:
    body, name = page.body, page.name
    # Mutations of the text re-encode it as UTF-8: from a page that is not, that brings U+FFFD.
    utf8 = _is_utf8(body)
    yield Mutant(name, "original", body, honest_charset=True)
    yield Mutant(name, "truncated-third", body[: len(body) // 3], honest_charset=True)
    yield Mutant(name, "truncated-two-thirds", body[: 2 * len(body) // 3], honest_charset=True)
    yield Mutant(name, "truncated-mid-char", _mid_char_cut(body), honest_charset=True)
    seed = random.Random(name)
    yield Mutant(name, "binary", seed.randbytes(min(len(body), 256 * 1024)), f"{HTML}; charset=utf-8")
    yield Mutant(name, "gzip-unannounced", gzip.compress(body, mtime=0), HTML)
    yield Mutant(name, "declared-cp1251", declare(body, "windows-1251"))
    yield Mutant(name, "declared-cp1251-header", body, f"{HTML}; charset=windows-1251")
    yield Mutant(name, "charset-missing", declare(body, None), honest_charset=True)
    yield Mutant(name, "nfd", unicodedata.normalize("NFD", _text(page)).encode(), honest_charset=utf8)
    yield Mutant(name, "zero-width", _sprinkle(_text(page)).encode(), honest_charset=utf8)
    deep, undeep = b"<div>" * NESTING, b"</div>" * NESTING
    yield Mutant(name, "nested", _wrap_body(body, deep, undeep), honest_charset=True)
    yield Mutant(name, "nested-unclosed", _wrap_body(body, deep, b""), honest_charset=True)
    head = _BODY_OPEN.search(body)
    yield Mutant(name, "empty-body", (body[: head.start()] if head else b"") + b"<body></body></html>")
    yield Mutant(name, "empty", b"")
    yield Mutant(name, "whitespace", b" \r\n\t" * 256)


def _cyrillic_mutants(page: Page) -> Iterator[Mutant]:
    yield Mutant(page.name, "cp1251", _cp1251(page, "windows-1251"), honest_charset=True)
    yield Mutant(page.name, "cp1251-undeclared", _cp1251(page, None))
    yield Mutant(page.name, "cp1251-declared-utf8", _cp1251(page, "utf-8"))


EXPENSIVE: dict[str, Callable[[Page], bytes]] = {
    "huge-paragraphs": _huge_paragraphs,
    "huge-text-node": _huge_text_node,
}


def mutants(page: Page, expensive: bool = True) -> Iterator[Mutant]:
    """Every mutation of a page; `expensive` adds the two 50 MB ones (built one at a time)."""
    yield from _utf8_mutants(page)
    if page.language in CYRILLIC_LANGUAGES:
        yield from _cyrillic_mutants(page)
    if expensive:
        for kind, build in EXPENSIVE.items():
            yield Mutant(page.name, kind, build(page), honest_charset=True)
