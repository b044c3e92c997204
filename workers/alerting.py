"""Which rules fire on a match result, and the alert each one stores (title and bodies)."""

from __future__ import annotations

from datetime import UTC, datetime
from html import escape

from communique.rules import Event, Rule
from storage.alerts import NewAlert
from storage.database import Row
from workers.engine import MatchResult


def alerts_for(result: MatchResult, version: Row, rules: list[Rule]) -> list[NewAlert]:
    """One alert per rule that fires; the key makes each unique for (rule, document, version, event)."""
    event = event_of(result, version)
    fired = [rule for rule in rules if rule.fires(event)]
    if not fired:
        return []
    title, text, html = render(result, version)
    return [
        NewAlert(
            key=f"{rule.name}:{version['document_id']}:{version['seq']}:{result.relation}",
            rule=rule.name,
            version_id=int(version["id"]),
            event=str(result.relation),
            tags=list(rule.notify),
            title=title,
            body_text=text,
            body_html=html,
        )
        for rule in fired
    ]


def event_of(result: MatchResult, version: Row) -> Event:
    """The facts about one matched version that rules filter on."""
    statuses = [paragraph.status for paragraph in result.paragraphs]
    return Event(
        relation=result.relation,
        source_id=version["source_id"],
        text=version["text"],
        genre=result.genre,
        parties=tuple(result.parties),
        language=result.language,
        coverage=result.coverage,
        new_paragraphs=statuses.count("new"),
        changed_paragraphs=statuses.count("changed"),
    )


def render(result: MatchResult, version: Row) -> tuple[str, str, str]:
    """Title, plain-text body and HTML body of the alert for one result."""
    name = version["title"] or version["url"]
    title = f"[communique] {result.relation}: {name}"
    seen = datetime.fromtimestamp(float(version["first_seen"]), UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
    facts = [
        ("Event", str(result.relation)),
        ("URL", version["url"]),
        ("Source", version["source_id"]),
        ("Version", f"{version['seq']} (first seen {seen})"),
    ]
    facts.append(("Kind", f"{result.genre}, parties {', '.join(result.parties) or 'unknown'}"))
    if result.statement_id:
        coverage = f" (coverage {result.coverage:.0%})" if result.coverage is not None else ""
        facts.append(("Statement", f"{result.statement_id}{coverage}"))
    summaries = [f"¶{c['paragraph']} {c['status']}: {c['summary']}" for c in result.changes]
    text = "\n".join(f"{key}: {value}" for key, value in facts)
    if summaries:
        text += "\n\n" + "\n".join(summaries)
    if result.diff_text:
        text += "\n\n" + result.diff_text
    html = "".join(f"<p><b>{key}:</b> {escape(value)}</p>" for key, value in facts) + result.diff_html
    return title, text, html
