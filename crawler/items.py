"""What the spider hands to the pipeline: one fetch of one URL for one source."""

from __future__ import annotations

from dataclasses import dataclass


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
