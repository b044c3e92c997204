"""What the spider hands to the pipeline (one fetch of one URL) and what a listing page yields."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class FetchItem:
    """A response (or failure) to store; `extract` is False for feeds read only for their links."""

    source_id: str
    url: str
    status: int | None
    body: bytes = b""
    encoding: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    elapsed_ms: float | None = None
    error: str | None = None
    extract: bool = True


@dataclass(frozen=True)
class Entry:
    """One article link found on a listing, with the change time the listing gives for it, if any."""

    url: str
    changed_at: float | None = None


@dataclass
class Found:
    """What a feed, sitemap or listing page lists: articles, and more pages of the same kind to read."""

    entries: list[Entry] = field(default_factory=list)
    more: list[str] = field(default_factory=list)


class SiteChangedError(ValueError):
    """A response that is not what its source's kind expects (a site changed, or a block page)."""
