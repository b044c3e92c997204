"""The labelled set of real public pages for the matching engine (see README "How pages are matched").

`pages.jsonl`: one page per line, as stored public copies give a page's opening (what a crawler
often meets): `url`, `language`, `published`, `kind` (what the page is), `label` (the relation the
engine must give), `statement` (the known statement group it must name, for copies and mentions),
`parties`, a one-line `note` on why, the `text`, and `split`: `dev` (looked at and tuned on) or
`test` (only run). The split was made once, by page, stratified by label and language
(`tests/realset/split.py`).
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path

PAGES = Path(__file__).resolve().parent / "pages.jsonl"

# Labels of pages that carry or report a known statement: they must name it, never come out `new`.
KNOWN = frozenset({"reprint", "excerpt", "translation", "changed", "mention"})


@dataclass(frozen=True)
class Page:
    """One labelled real page."""

    url: str
    language: str
    published: dt.date | None
    kind: str
    label: str
    statement: str | None
    parties: tuple[str, ...]
    note: str
    text: str
    split: str


def pages(split: str | None = None) -> list[Page]:
    """The labelled pages, all or those of one split ("dev" or "test")."""
    found = []
    for line in PAGES.read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        published = dt.date.fromisoformat(row["published"]) if row["published"] else None
        page = Page(
            row["url"], row["language"], published, row["kind"], row["label"], row["statement"],
            tuple(row["parties"]), row["note"], row["text"], row["split"],
        )  # fmt: skip
        if split is None or page.split == split:
            found.append(page)
    return found
