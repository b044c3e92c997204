"""The JSON API: the same reads as the pages, with pydantic models that make its OpenAPI description."""

from __future__ import annotations

import time
from typing import Annotated, Any, Generic, TypeVar

from fastapi import APIRouter, HTTPException, Query, Request
from pydantic import BaseModel, ConfigDict

from interface.web import diffview
from interface.web.formatting import card_dict
from interface.web.pages import Offset, database, or_404, search_filters, versions_to_compare
from storage import browse
from storage.search import search

router = APIRouter(prefix="/api", tags=["api"])
Limit = Annotated[int, Query(ge=1, le=500)]


class Model(BaseModel):
    """Output models: built from storage rows, which may carry more columns than are published."""

    model_config = ConfigDict(extra="ignore", frozen=True)


class Card(Model):
    """What identifies a statement: date adopted, parties, place, titles by language, signatories."""

    statement_id: str
    kind: str
    adopted: str | None
    parties: list[str]
    place: str | None
    titles: dict[str, str]
    signatories: list[str]


class StatementSummary(Model):
    """A statement group as listed: how many documents and versions carry it, and when."""

    statement_id: str
    documents: int
    versions: int
    first_seen: float
    last_seen: float
    languages: list[str]
    card: Card | None


class Carrier(Model):
    """One version of a document that carries a statement."""

    version_id: int
    seq: int
    first_seen: float
    document_id: int
    source_id: str
    url: str
    title: str | None
    language: str | None
    relation: str
    coverage: float | None


class Statement(Model):
    """A statement group: its card, known texts and timeline (every carrying version, earliest first)."""

    statement_id: str
    card: Card | None
    known: list[dict[str, Any]]
    timeline: list[Carrier]


class DocumentFields(Model):
    """What is known of a document (one per canonical URL)."""

    id: int
    url: str
    source_id: str
    language: str | None
    title: str | None
    published: str | None
    first_seen: float
    last_seen: float


class DocumentSummary(DocumentFields):
    """A document as listed, with its number of versions."""

    versions: int


class VersionSummary(Model):
    """A version of a document, without its text."""

    id: int
    seq: int
    first_seen: float
    fetch_id: int | None
    characters: int
    relation: str | None
    statement_id: str | None
    coverage: float | None
    alerts: int


class Document(DocumentFields):
    """A document with all its versions."""

    versions: list[VersionSummary]


class Version(Model):
    """One version with its text."""

    id: int
    seq: int
    document_id: int
    url: str
    title: str | None
    source_id: str
    language: str | None
    first_seen: float
    relation: str | None
    statement_id: str | None
    text: str


class DiffParagraph(Model):
    """One paragraph of a diff: its numbers, fate, and segments ("=" same, "-" removed, "+" added)."""

    status: str
    old_number: int | None
    new_number: int | None
    segments: list[tuple[str, str]]
    moved_to: int | None
    moved_from: int | None


class Diff(Model):
    """Two versions of a document compared paragraph by paragraph."""

    document_id: int
    old: int
    new: int
    counts: dict[str, int]
    paragraphs: list[DiffParagraph]


class TargetState(Model):
    """Delivery to one notification target (a service name and a hash: never its URL)."""

    target: str
    delivered_at: float | None
    attempts: int
    last_error: str | None


class Alert(Model):
    """An alert: what fired, by which rule, to which tags, and its delivery per target."""

    id: int
    rule: str
    event: str
    tags: list[str]
    title: str
    body_text: str
    created_at: float
    delivered_at: float | None
    statement_group: str | None
    version_id: int
    document_id: int
    seq: int
    url: str
    source_id: str
    targets: list[TargetState]


class Source(Model):
    """Health of a source: last and next poll, last error, counts, fetches per day (oldest first)."""

    id: str
    kind: str
    url: str
    interval_seconds: int
    last_polled_at: float | None
    last_ok_at: float | None
    next_poll_at: float
    last_error: str | None
    error_count: int
    documents: int
    fetches_per_day: list[int]
    failed_per_day: list[int]


class SearchHit(Model):
    """A version whose text has every word searched for."""

    version_id: int
    seq: int
    document_id: int
    url: str
    title: str | None
    source_id: str
    language: str | None
    relation: str | None
    statement_id: str | None
    first_seen: float
    snippet: str


T = TypeVar("T")


class Page(Model, Generic[T]):
    """One page of a list; `more`: another page follows at offset + limit."""

    items: list[T]
    offset: int
    limit: int
    more: bool


def _with_card(row: dict[str, Any]) -> dict[str, Any]:
    return {**row, "card": card_dict(row.get("card"))}


@router.get("/statements")
def statements(request: Request, offset: Offset = 0, limit: Limit = 50) -> Page[StatementSummary]:
    """Statement groups carried by stored documents, most recently seen first."""
    page = browse.statements(database(request), offset, limit)
    return Page[StatementSummary](
        items=[StatementSummary.model_validate(_with_card(r)) for r in page.rows],
        offset=offset,
        limit=limit,
        more=page.more,
    )


@router.get("/statements/{statement_id}")
def statement(request: Request, statement_id: str) -> Statement:
    """One statement group with its timeline."""
    found = or_404(browse.statement(database(request), statement_id), f"statement {statement_id!r}")
    return Statement.model_validate(_with_card(found))


@router.get("/documents")
def documents(
    request: Request, source: str | None = None, offset: Offset = 0, limit: Limit = 50
) -> Page[DocumentSummary]:
    """Documents, most recently seen first, optionally of one source."""
    page = browse.documents(database(request), source or None, offset, limit)
    items = [DocumentSummary.model_validate(r) for r in page.rows]
    return Page[DocumentSummary](items=items, offset=offset, limit=limit, more=page.more)


@router.get("/documents/{document_id}")
def document(request: Request, document_id: int) -> Document:
    """A document and its versions."""
    found = or_404(browse.document(database(request), document_id), f"document {document_id}")
    return Document.model_validate(found)


@router.get("/documents/{document_id}/versions/{seq}")
def version(request: Request, document_id: int, seq: int) -> Version:
    """One version's text."""
    found = or_404(
        browse.version_text(database(request), document_id, seq), f"version {seq} of document {document_id}"
    )
    return Version.model_validate(found)


@router.get("/documents/{document_id}/diff")
def diff(
    request: Request, document_id: int, old: Annotated[int, Query(ge=1)], new: Annotated[int, Query(ge=1)]
) -> Diff:
    """Two versions compared per paragraph, with the word diff the alerts use."""
    db = database(request)
    before, after = versions_to_compare(db, document_id, old, new)
    rows = diffview.diff_rows(before["text"], after["text"])
    paragraphs = [
        DiffParagraph(
            status=row.status,
            old_number=row.old_number,
            new_number=row.new_number,
            segments=[(op, text) for op, text in row.inline],
            moved_to=row.moved_to,
            moved_from=row.moved_from,
        )
        for row in rows
    ]
    return Diff(
        document_id=document_id, old=old, new=new, counts=diffview.counts(rows), paragraphs=paragraphs
    )


@router.get("/alerts")
def alerts(
    request: Request,
    rule: str | None = None,
    statement: str | None = None,
    offset: Offset = 0,
    limit: Limit = 50,
) -> Page[Alert]:
    """Alerts, newest first, with their delivery per target."""
    page = browse.alerts(
        database(request), rule=rule or None, statement_group=statement or None, offset=offset, limit=limit
    )
    items = [Alert.model_validate(r) for r in page.rows]
    return Page[Alert](items=items, offset=offset, limit=limit, more=page.more)


@router.get("/alerts/{alert_id}")
def alert(request: Request, alert_id: int) -> Alert:
    """One alert."""
    found = or_404(browse.alert(database(request), alert_id), f"alert {alert_id}")
    return Alert.model_validate(found)


@router.get("/sources")
def sources(request: Request) -> list[Source]:
    """Health per source."""
    return [Source.model_validate(row) for row in browse.sources(database(request), time.time())]


@router.get("/search")
def search_versions(
    request: Request,
    *,
    q: str,
    source: str | None = None,
    language: str | None = None,
    relation: str | None = None,
    since: str | None = None,
    until: str | None = None,
    offset: Offset = 0,
    limit: Limit = 20,
) -> Page[SearchHit]:
    """Versions whose text has every word of `q`; dates as YYYY-MM-DD (UTC)."""
    if not q.strip():
        raise HTTPException(status_code=400, detail="q is empty")
    filters = search_filters(source, language, relation, since, until)
    page = search(database(request), q, filters, offset, limit)
    items = [SearchHit.model_validate(r) for r in page.rows]
    return Page[SearchHit](items=items, offset=offset, limit=limit, more=page.more)
