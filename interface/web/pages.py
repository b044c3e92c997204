"""The HTML pages: statements, documents, versions and diffs, alerts, sources, search."""

from __future__ import annotations

import time
from datetime import UTC, date, datetime
from typing import Annotated, Any, TypeVar

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from communique.errors import PermanentError
from interface.web import diffview
from storage import browse
from storage.database import Database
from storage.fetches import snapshot
from storage.search import Filters, search

T = TypeVar("T")
router = APIRouter(include_in_schema=False)
PAGE_SIZE = 50
Offset = Annotated[int, Query(ge=0, le=10_000_000)]


def database(request: Request) -> Database:
    """This server thread's connection."""
    db: Database = request.app.state.connections.get()
    return db


def render(request: Request, name: str, **context: Any) -> HTMLResponse:
    """A page from its template; every value is escaped by the environment."""
    body = request.app.state.templates.get_template(name).render(request=request, **context)
    return HTMLResponse(body)


def page_link(request: Request, offset: int) -> str:
    """The address of the same list at another offset."""
    return str(request.url.include_query_params(offset=max(offset, 0)))


def not_found(what: str) -> HTTPException:
    """A 404 naming what was not found."""
    return HTTPException(status_code=404, detail=f"{what} not found")


def or_404(row: T | None, what: str) -> T:
    """The row storage found, or a 404 naming what was not found."""
    if row is None:
        raise not_found(what)
    return row


def versions_to_compare(
    db: Database, document_id: int, old: int, new: int
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Two versions of a document by number, or a 404 naming the one that does not exist."""
    before = or_404(browse.version_text(db, document_id, old), f"version {old} of document {document_id}")
    after = or_404(browse.version_text(db, document_id, new), f"version {new} of document {document_id}")
    return before, after


@router.get("/")
def home() -> RedirectResponse:
    """The statements page is the start page."""
    return RedirectResponse("/statements", status_code=307)


@router.get("/statements")
def statements_page(request: Request, offset: Offset = 0) -> HTMLResponse:
    """Statement groups, most recently seen first."""
    page = browse.statements(database(request), offset, PAGE_SIZE)
    return render(request, "statements.html", page=page, page_link=page_link)


@router.get("/statements/{statement_id}")
def statement_page(request: Request, statement_id: str) -> HTMLResponse:
    """One statement: its card, the documents carrying it, its timeline and its alerts."""
    db = database(request)
    found = or_404(browse.statement(db, statement_id), f"statement {statement_id!r}")
    alerts = browse.alerts(db, statement_group=statement_id, limit=PAGE_SIZE)
    return render(request, "statement.html", statement=found, alerts=alerts)


@router.get("/documents")
def documents_page(request: Request, source: str | None = None, offset: Offset = 0) -> HTMLResponse:
    """Documents, most recently seen first, optionally of one source."""
    page = browse.documents(database(request), source or None, offset, PAGE_SIZE)
    return render(request, "documents.html", page=page, source=source, page_link=page_link)


@router.get("/documents/{document_id}")
def document_page(request: Request, document_id: int) -> HTMLResponse:
    """A document and every version of it, with a form to compare any two."""
    found = or_404(browse.document(database(request), document_id), f"document {document_id}")
    return render(request, "document.html", document=found)


@router.get("/documents/{document_id}/versions/{seq}")
def version_page(request: Request, document_id: int, seq: int) -> HTMLResponse:
    """The text of one version."""
    found = or_404(
        browse.version_text(database(request), document_id, seq), f"version {seq} of document {document_id}"
    )
    return render(request, "version.html", version=found, paragraphs=diffview.paragraphs_of(found["text"]))


@router.get("/documents/{document_id}/diff")
def diff_page(
    request: Request,
    document_id: int,
    *,
    old: Annotated[int, Query(ge=1)],
    new: Annotated[int, Query(ge=1)],
    view: Annotated[str, Query(pattern="^(side|inline)$")] = "side",
    changes: Annotated[str, Query(pattern="^(all|only)$")] = "all",
) -> HTMLResponse:
    """Two versions side by side or inline, per paragraph, with the word diff the alerts use."""
    db = database(request)
    before, after = versions_to_compare(db, document_id, old, new)
    rows = diffview.diff_rows(before["text"], after["text"])
    shown = [row for row in rows if changes == "all" or row.status != "same"]
    return render(
        request,
        "diff.html",
        old=before,
        new=after,
        rows=shown,
        counts=diffview.counts(rows),
        view=view,
        changes=changes,
        document=browse.document(db, document_id),
    )


@router.get("/versions/{version_id}")
def version_redirect(request: Request, version_id: int) -> RedirectResponse:
    """A version by id (as alerts link it): its diff against the version before, or its text."""
    place = or_404(browse.version_place(database(request), version_id), f"version {version_id}")
    document_id, seq = place
    if seq == 1:
        return RedirectResponse(f"/documents/{document_id}/versions/1", status_code=307)
    return RedirectResponse(f"/documents/{document_id}/diff?old={seq - 1}&new={seq}", status_code=307)


@router.get("/snapshots/{fetch_id}")
def snapshot_page(request: Request, fetch_id: int) -> Response:
    """The stored response body of a fetch, as plain text in a sandbox: it is someone else's page."""
    db = database(request)
    found = or_404(browse.snapshot_of(db, fetch_id), f"snapshot of fetch {fetch_id}")
    try:
        body, encoding = snapshot(db, found["content_hash"])
    except PermanentError as exc:
        raise not_found(f"snapshot of fetch {fetch_id}") from exc
    return Response(
        body,
        media_type=f"text/plain; charset={encoding or 'utf-8'}",
        headers={"Content-Security-Policy": "sandbox; default-src 'none'", "Content-Disposition": "inline"},
    )


@router.get("/alerts")
def alerts_page(
    request: Request,
    rule: str | None = None,
    statement: str | None = None,
    version: int | None = None,
    offset: Offset = 0,
) -> HTMLResponse:
    """Alerts, newest first, with delivery per target; then the alerts held for digests and follow-ups."""
    db = database(request)
    page = browse.alerts(
        db,
        rule=rule or None,
        statement_group=statement or None,
        version_id=version,
        offset=offset,
        limit=PAGE_SIZE,
    )
    return render(
        request,
        "alerts.html",
        page=page,
        held=browse.held(db),
        rule=rule,
        statement=statement,
        page_link=page_link,
    )


@router.get("/alerts/{alert_id}")
def alert_page(request: Request, alert_id: int) -> HTMLResponse:
    """One alert: what fired, by which rule, to which tags, every delivery attempt, what it carried."""
    found = or_404(browse.alert(database(request), alert_id), f"alert {alert_id}")
    return render(request, "alert.html", alert=found)


@router.get("/sources")
def sources_page(request: Request) -> HTMLResponse:
    """Health per source: polls, errors, counts, and fetches per day for two weeks."""
    return render(request, "sources.html", sources=browse.sources(database(request), time.time()))


@router.get("/search")
def search_page(
    request: Request,
    *,
    q: str = "",
    source: str | None = None,
    language: str | None = None,
    relation: str | None = None,
    since: str | None = None,
    until: str | None = None,
    offset: Offset = 0,
) -> HTMLResponse:
    """Full-text search over every stored version, with filters."""
    filters = search_filters(source, language, relation, since, until)
    page = search(database(request), q, filters, offset, PAGE_SIZE) if q.strip() else None
    return render(
        request,
        "search.html",
        q=q,
        page=page,
        form={"source": source, "language": language, "relation": relation, "since": since, "until": until},
        page_link=page_link,
    )


def search_filters(
    source: str | None, language: str | None, relation: str | None, since: str | None, until: str | None
) -> Filters:
    """Filters from form values (dates as YYYY-MM-DD): empty ones are unset; `until` includes its day."""
    start, end = midnight(since), midnight(until)
    return Filters(
        source_id=source or None,
        language=language or None,
        relation=relation or None,
        since=start,
        until=None if end is None else end + 86400,
    )


def midnight(day: str | None) -> float | None:
    """The start of a day given as YYYY-MM-DD (UTC); None for none; 400 for a bad date."""
    if not day:
        return None
    try:
        parsed = date.fromisoformat(day)
    except ValueError as exc:
        raise HTTPException(status_code=400, detail=f"not a date (YYYY-MM-DD): {day!r}") from exc
    return datetime(parsed.year, parsed.month, parsed.day, tzinfo=UTC).timestamp()
