"""The RQ job functions: extract → match → notify. JSON arguments (stored ids), idempotent.

An extract job that records a new version matches it at once, in the same job: a match job of its
own would cost a round trip through the queue, a fifth of a page's work on RQ (bench/throughput.py).
The match job is what retries it: queued when that first match fails, and by the sweep for versions
left unmatched (a worker killed mid-job).
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import logging
import time
from collections.abc import Callable, Collection, Sequence
from typing import Any

from communique import metrics
from communique.errors import PermanentError
from communique.model import FetchState, Stage
from communique.settings import Settings
from storage import alerts, documents, fetches
from storage.database import Row, now
from storage.documents import DocumentMeta
from workers import delivery
from workers.alerting import alerts_for, file_alerts, provenance_of
from workers.changes import edits_previous
from workers.context import bind_once, current
from workers.corpus import learn
from workers.engine import relate
from workers.extraction import extract_article, page_tree
from workers.placement import outside_article
from workers.queue import EmbeddedQueue
from workers.render import Message

log = logging.getLogger(__name__)
# Versions a new text is compared with: the newest, and before it those that tell furniture coming and
# going with the requests from edits (workers.changes.edits_previous).
RECENT = 5


def extract(fetch_id: int) -> None:
    """Extract the text of a stored fetch; record a new version if the text edits the newest one.

    A text that differs from the newest version by furniture only (a header date, a short line, a
    paragraph that moved, one that comes and goes or sits outside the article: workers.changes) is
    no new version: matching would find nothing in it (on the churn bench, bench/churn.py, 29 of
    250 stored versions were such).
    """
    ctx = current()
    fetch = fetches.fetch_row(ctx.db, fetch_id)
    if fetch is None or fetch["state"] != FetchState.FETCHED:
        return
    newest = documents.latest_versions_of_url(ctx.db, fetch["url"], 1)
    latest = newest[0]["text"].split("\n") if newest else None
    try:
        body, encoding = fetches.snapshot(ctx.db, fetch["content_hash"])
        article = extract_article(body, encoding, fetch["url"], ctx.settings.max_page_bytes, latest or ())
    except PermanentError as exc:
        fetches.set_fetch_state(ctx.db, fetch_id, FetchState.FAILED, str(exc))
        # The source's error too: status would show a source whose every page fails as ok.
        fetches.record_source_result(
            ctx.db, fetch["source_id"], f"no text extracted from {fetch['url']}: {exc}"
        )
        log.warning("no text extracted from %s: %s", fetch["url"], exc, extra={"fetch_id": fetch_id})
        return
    meta = DocumentMeta(fetch["url"], fetch["source_id"], article.title, article.published)
    document_id = documents.upsert_document(ctx.db, meta)
    version_id = None
    new = article.text.split("\n")
    page = functools.partial(page_tree, body, encoding, ctx.settings.max_page_bytes)  # parsed when asked
    if latest is None or (new != latest and _edits(newest[0], new, fetch["url"], page)):
        version_id = documents.add_version_if_changed(
            ctx.db, document_id, article.text, article.text_hash, fetch_id
        )
    fetches.set_fetch_state(ctx.db, fetch_id, FetchState.EXTRACTED)
    if version_id is not None:
        log.info("new version of %s", fetch["url"], extra={"version_id": version_id})
        match_now(version_id)


def _edits(newest: Row, new: list[str], url: str, page: Callable[[], Any]) -> bool:
    """Whether a page's new text edits its newest version (workers.changes.edits_previous), telling
    furniture by the earlier versions and by where paragraphs sit in the new `page` and in the page
    the newest version came from (each parsed only when asked: most new texts differ by furniture
    the texts alone tell)."""

    def outside_new(text: Sequence[str], shared: Collection[int], others: Collection[int]) -> set[int]:
        return outside_article(page(), text, shared, others)

    def outside_previous(text: Sequence[str], shared: Collection[int], others: Collection[int]) -> set[int]:
        tree = _page_of(newest)
        return set() if tree is None else outside_article(tree, text, shared, others)

    return edits_previous(
        newest["text"].split("\n"),
        new,
        lambda: _earlier(url),
        outside_new=outside_new,
        outside_previous=outside_previous,
    )


def _page_of(version: Row) -> Any:
    """The parsed page a version was extracted from; None when its body is no longer stored."""
    db = current().db
    fetch = fetches.fetch_row(db, version["fetch_id"]) if version["fetch_id"] is not None else None
    if fetch is None or not fetch["content_hash"]:
        return None
    try:
        return page_tree(*fetches.snapshot(db, fetch["content_hash"]), current().settings.max_page_bytes)
    except PermanentError:
        return None


def _earlier(url: str) -> list[list[str]]:
    """The texts of the versions before the newest one (RECENT - 1 of them), newest first."""
    rows = documents.latest_versions_of_url(current().db, url, RECENT)
    return [row["text"].split("\n") for row in rows[1:]]


def match_now(version_id: int) -> None:
    """Match a new version in this job; when that fails, queue its match job, which retries it."""
    started, outcome = time.monotonic(), "ok"
    try:
        match(version_id)
    except Exception as exc:  # the match job's boundary: it is recorded there, with its retries
        outcome = "retry"
        log.warning("matching version %s failed, queued to retry: %r", version_id, exc)
        current().queue.enqueue(Stage.MATCH, version_id)
    metrics.observe_job(Stage.MATCH.value, time.monotonic() - started, outcome)


def published_day(version: Row) -> dt.date | None:
    """The day a version's page came out: its own date when extraction found one, else the day the
    crawler first saw this version (news is found within minutes to hours of publication)."""
    try:
        if version["published"]:
            return dt.date.fromisoformat(str(version["published"])[:10])
    except ValueError:
        pass
    return dt.datetime.fromtimestamp(float(version["first_seen"]), dt.UTC).date()


def match(version_id: int) -> None:
    """Relate a version to its predecessor and the corpus; store the result and the alerts it fires."""
    ctx = current()
    version = documents.version(ctx.db, version_id)
    if version is None:
        return
    previous = documents.previous_version(ctx.db, version["document_id"], version["seq"])
    result = relate(
        ctx.corpus.get(ctx.db),
        version["text"].split("\n"),
        title=version["title"],
        previous=previous["text"].split("\n") if previous else None,
        published=published_day(version),
    )
    rules = ctx.rules
    new_alerts = alerts_for(
        result, version, rules, provenance_of(ctx.db, result, version), ctx.settings.web_url
    )
    with ctx.db.transaction():
        alerts.save_match(
            ctx.db,
            version_id,
            relation=result.relation,
            statement_id=result.statement_id,
            coverage=result.coverage,
            result=result.to_json(),
        )
        documents.set_language(ctx.db, version["document_id"], result.language)
        by_name = {rule.name: rule for rule in rules}
        alert_ids = file_alerts(ctx.db, new_alerts, by_name, result, version, at=now())
    learn(ctx.db, version, result)
    log.info("%s is %s", version["url"], result.relation, extra={"version_id": version_id})
    for alert_id in alert_ids:
        ctx.queue.enqueue(Stage.NOTIFY, alert_id)


def notify(alert_id: int) -> None:
    """Deliver a stored alert to each of its targets not reached yet; each attempt is recorded."""
    ctx = current()
    row = alerts.alert(ctx.db, alert_id)
    if row is None or row["delivered_at"] is not None:
        return
    markdown = row["body_markdown"] or row["body_text"]  # alerts stored before Markdown bodies
    message = Message(row["title"], row["body_text"], markdown, row["body_html"])
    tags = json.loads(row["tags"])
    settings = ctx.settings
    delivery.deliver(
        ctx.db, alert_id, settings.apprise_config_path, tags, message, timeout=settings.delivery_timeout
    )


JOBS = {Stage.EXTRACT: extract, Stage.MATCH: match, Stage.NOTIFY: notify}


def embedded_queue(settings: Settings) -> EmbeddedQueue:
    """The embedded queue, running these jobs in this process (no Redis)."""

    def run_here(stage: Stage, item_id: int) -> None:
        bind_once(settings, queue)
        JOBS[stage](item_id)

    queue = EmbeddedQueue(run_here)
    return queue
