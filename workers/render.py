"""Alert messages in three formats: plain text, Markdown (chat) and HTML (email, inline styles only).

An alert states what happened (event, source, URL), what it is (the statement and its coverage),
where the statement was first seen and who else carries it, then what changed: a one-line summary
per paragraph and, in the "full" format, the word diff. Grouped messages (a digest window, the
follow-up of a statement's first alert) list their items with the same facts.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from html import escape

from communique.errors import PermanentError

EXCERPT_PARAGRAPHS = 3  # a new text's alert quotes its first paragraphs, each cut to EXCERPT_WIDTH
EXCERPT_WIDTH = 300
CARRIERS_SHOWN = 10  # other sources named in one alert; the rest are counted

_FONT = "font-family:Arial,Helvetica,sans-serif;font-size:14px;line-height:1.45;color:#222"
_CELL = "padding:3px 10px 3px 0;vertical-align:top;text-align:left"
_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>#|~])")


class EmptyAlertError(PermanentError):
    """An alert with nothing to say beyond its headline: it is never sent."""


@dataclass(frozen=True)
class Carrier:
    """A document carrying a statement: where and when it was first seen."""

    source_id: str
    url: str
    title: str | None
    relation: str
    coverage: float | None
    first_seen: float
    statement_id: str | None = None  # named in grouped messages; an alert's carriers share its own


@dataclass(frozen=True)
class Provenance:
    """Where a statement was first seen, and the other documents carrying it."""

    first: Carrier | None = None
    others: tuple[Carrier, ...] = ()
    others_total: int = 0


@dataclass(frozen=True)
class AlertFacts:
    """Everything one alert says about one version of one document."""

    name: str  # the document's title, or its URL when it has none
    url: str
    source_id: str
    event: str
    version: int
    seen_at: float
    kind: str  # genre, parties and language, in words
    statement_id: str | None = None
    coverage: float | None = None
    provenance: Provenance = field(default_factory=Provenance)
    summaries: tuple[str, ...] = ()  # one line per changed, added or removed paragraph
    excerpt: tuple[str, ...] = ()  # the first paragraphs of a text with no diff
    diff_text: str = ""
    diff_html: str = ""
    link: str | None = None  # this version's page in `communique web`, when COMMUNIQUE_WEB_URL is set


@dataclass(frozen=True)
class Message:
    """One message, ready for any target: the title and the body in each format."""

    title: str
    text: str
    markdown: str
    html: str


def when(timestamp: float) -> str:
    """A stored timestamp as UTC, to the minute."""
    return datetime.fromtimestamp(timestamp, UTC).strftime("%Y-%m-%d %H:%M UTC")


def coverage_words(coverage: float | None) -> str:
    """ "coverage 92%", or "" when unknown."""
    return "" if coverage is None else f"coverage {coverage:.0%}"


def render_alert(facts: AlertFacts, full: bool = True) -> Message:
    """The alert for one event; `full` adds the word diff (or the new text's first paragraphs).

    Raises EmptyAlertError when there is no body: no statement, no paragraph summary, no diff, no text.
    """
    diff = full and bool(facts.diff_text)
    excerpt = facts.excerpt if full and not facts.diff_text else ()
    if not facts.url or not (facts.statement_id or facts.summaries or diff or excerpt):
        raise EmptyAlertError(f"nothing to report on {facts.url or facts.name!r} ({facts.event})")
    title = f"[communique] {facts.event}: {facts.name}"
    rows = _fact_rows(facts)
    return Message(
        title=title,
        text=_alert_text(facts, rows, diff, excerpt),
        markdown=_alert_markdown(facts, rows, diff, excerpt),
        html=_alert_html(facts, rows, diff, excerpt),
    )


def _fact_rows(facts: AlertFacts) -> list[tuple[str, str, str | None]]:
    """(label, value, link) rows of the facts table; link is a URL the value stands for."""
    rows: list[tuple[str, str, str | None]] = [
        ("Event", facts.event, None),
        ("Source", facts.source_id, None),
        ("URL", facts.url, facts.url),
        ("Seen", f"{when(facts.seen_at)} (version {facts.version})", None),
        ("Kind", facts.kind, None),
    ]
    if facts.statement_id:
        cover = coverage_words(facts.coverage)
        rows.append(("Statement", facts.statement_id + (f" ({cover})" if cover else ""), None))
    first = facts.provenance.first
    if first is not None and facts.statement_id:
        rows.append(("First seen", f"{when(first.first_seen)} at {first.source_id}: {first.url}", first.url))
    if facts.link:
        rows.append(("Versions", facts.link, facts.link))
    return rows


def _detail(carrier: Carrier) -> str:
    """Relation, statement, coverage and first sighting of a carrier, in words."""
    statement = f"of {carrier.statement_id}" if carrier.statement_id else ""
    since = f"since {when(carrier.first_seen)}"
    parts = (carrier.relation, statement, coverage_words(carrier.coverage), since)
    return ", ".join(part for part in parts if part)


def _carrier_line(carrier: Carrier) -> str:
    """One other source carrying the statement, in words."""
    detail = _detail(carrier)
    return f"{carrier.source_id}: {carrier.title or carrier.url} ({detail})"


def _more(provenance: Provenance) -> int:
    return provenance.others_total - len(provenance.others)


def _alert_text(
    facts: AlertFacts, rows: Sequence[tuple[str, str, str | None]], diff: bool, excerpt: Sequence[str]
) -> str:
    """Plain text: facts, other sources, paragraph summaries, then the diff as [-old-]{+new+}."""
    parts = [facts.name, "\n".join(f"{label}: {value}" for label, value, _ in rows)]
    provenance = facts.provenance
    if provenance.others:
        lines = [f"- {_carrier_line(c)} {c.url}" for c in provenance.others]
        if _more(provenance):
            lines.append(f"- and {_more(provenance)} more")
        parts.append(f"Also carried by {provenance.others_total}:\n" + "\n".join(lines))
    if facts.summaries:
        parts.append("Changes:\n" + "\n".join(facts.summaries))
    if diff:
        parts.append(facts.diff_text)
    if excerpt:
        parts.append("Text:\n" + "\n\n".join(excerpt))
    return "\n\n".join(parts)


def md(text: str) -> str:
    """Text made literal in Markdown (emphasis, links, code, tables and HTML characters escaped)."""
    return _MD_SPECIAL.sub(r"\\\1", " ".join(text.split()))


def _md_link(label: str, url: str) -> str:
    # Parentheses and spaces would end the link target early.
    target = url.replace("(", "%28").replace(")", "%29").replace(" ", "%20")
    return f"[{md(label)}]({target})"


def _fence(text: str) -> str:
    """A fenced code block longer than any backtick run inside, so the text cannot close it."""
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}\n{text}\n{fence}"


def _alert_markdown(
    facts: AlertFacts, rows: Sequence[tuple[str, str, str | None]], diff: bool, excerpt: Sequence[str]
) -> str:
    """Chat Markdown: a linked headline, facts as a list, the diff in a code block."""
    parts = [f"**{_md_link(facts.name, facts.url)}**"]
    parts.append(
        "\n".join(
            f"- **{label}:** " + (_md_link(value, link) if link and value == link else md(value))
            for label, value, link in rows
            if label != "URL"
        )
    )
    provenance = facts.provenance
    if provenance.others:
        lines = [f"- {_md_link(_carrier_line(c), c.url)}" for c in provenance.others]
        if _more(provenance):
            lines.append(f"- and {_more(provenance)} more")
        parts.append(f"**Also carried by {provenance.others_total}:**\n" + "\n".join(lines))
    if facts.summaries:
        parts.append("**Changes:**\n" + "\n".join(f"- {md(line)}" for line in facts.summaries))
    if diff:
        parts.append(_fence(facts.diff_text))
    if excerpt:
        parts.append("\n\n".join(f"> {md(paragraph)}" for paragraph in excerpt))
    return "\n\n".join(parts)


def _html_value(value: str, link: str | None) -> str:
    if link is None:
        return escape(value)
    # A "First seen" row links its URL; a URL row is the link itself.
    head, _, _ = value.partition(link)
    return f'{escape(head)}<a href="{escape(link)}">{escape(link)}</a>'


def _alert_html(
    facts: AlertFacts, rows: Sequence[tuple[str, str, str | None]], diff: bool, excerpt: Sequence[str]
) -> str:
    """Email HTML: headline, facts table, other sources, summaries, coloured diff; all escaped."""
    table = "".join(
        f'<tr><th style="{_CELL};color:#555">{escape(label)}</th>'
        f'<td style="{_CELL}">{_html_value(value, link)}</td></tr>'
        for label, value, link in rows
    )
    parts = [
        f'<h2 style="font-size:18px;margin:0 0 10px"><a href="{escape(facts.url)}" '
        f'style="color:#1a4f8b">{escape(facts.name)}</a></h2>',
        f'<table style="border-collapse:collapse;margin:0 0 12px">{table}</table>',
    ]
    provenance = facts.provenance
    if provenance.others:
        items = "".join(f"<li>{_carrier_html(c)}</li>" for c in provenance.others)
        if _more(provenance):
            items += f"<li>and {_more(provenance)} more</li>"
        parts.append(f"<p><strong>Also carried by {provenance.others_total}:</strong></p><ul>{items}</ul>")
    if facts.summaries:
        items = "".join(f"<li>{escape(line)}</li>" for line in facts.summaries)
        parts.append(f"<p><strong>Changes:</strong></p><ul>{items}</ul>")
    if diff:
        # diff_html is the engine's rendering: escaped text, <ins>/<del> with inline colours.
        parts.append(f'<div style="border-left:3px solid #ccc;padding-left:10px">{facts.diff_html}</div>')
    if excerpt:
        quoted = "".join(f'<p style="margin:0 0 8px">{escape(p)}</p>' for p in excerpt)
        parts.append(f'<blockquote style="margin:0;padding-left:10px;color:#444">{quoted}</blockquote>')
    return f'<div style="{_FONT}">{"".join(parts)}</div>'


def _carrier_html(carrier: Carrier) -> str:
    detail = _detail(carrier)
    return (
        f'{escape(carrier.source_id)}: <a href="{escape(carrier.url)}">'
        f"{escape(carrier.title or carrier.url)}</a> ({escape(detail)})"
    )


def render_bundle(title: str, intro: str, items: Sequence[Carrier]) -> Message:
    """A grouped message (digest or follow-up): an introduction, then one line per item."""
    if not items:
        raise EmptyAlertError(f"no items for {title!r}")
    text_lines = [f"- {_carrier_line(item)}\n  {item.url}" for item in items]
    md_lines = [f"- {_md_link(_carrier_line(item), item.url)}" for item in items]
    html_items = "".join(f'<li style="margin:0 0 6px">{_carrier_html(item)}</li>' for item in items)
    return Message(
        title=title,
        text=f"{intro}\n\n" + "\n".join(text_lines),
        markdown=f"**{md(intro)}**\n\n" + "\n".join(md_lines),
        html=f'<div style="{_FONT}"><p><strong>{escape(intro)}</strong></p><ul>{html_items}</ul></div>',
    )
