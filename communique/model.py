"""Domain types shared by every stage: the work stages, match relations and alert events."""

from __future__ import annotations

from enum import StrEnum
from typing import Protocol


class Stage(StrEnum):
    """A step of the pipeline after the fetch; each is one RQ queue and one job function."""

    EXTRACT = "extract"
    MATCH = "match"
    NOTIFY = "notify"


class Relation(StrEnum):
    """How an extracted text relates to what we know (the previous version and the corpus)."""

    REPRINT = "reprint"
    EXCERPT = "excerpt"
    TRANSLATION = "translation"
    CHANGED = "changed"
    MENTION = "mention"
    NEW = "new"
    UNRELATED = "unrelated"


class FetchState(StrEnum):
    """Where a fetch stands; storage keeps it so unfinished work is found again after a crash."""

    FETCHED = "fetched"  # body stored, extraction pending
    NOT_MODIFIED = "not_modified"  # 304 or same body hash: nothing to do
    LISTED = "listed"  # a feed read for its links; nothing to extract
    EXTRACTED = "extracted"
    FAILED = "failed"  # source error or bad content, recorded


class ParagraphStatus(StrEnum):
    """The fate of one paragraph of a new version against what it is compared with."""

    SAME = "same"
    CHANGED = "changed"
    ADDED = "added"
    REMOVED = "removed"


class JobQueue(Protocol):
    """Where stages hand work on: RQ on Redis, or the embedded in-process queue."""

    def enqueue(self, stage: Stage, item_id: int) -> None:
        """Queue `stage` for one stored item (a fetch, version or alert id); idempotent."""
