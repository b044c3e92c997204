"""Which rules fire on a match result, the alert each one makes, and whether it is sent now or held.

An immediate alert is keyed on (rule, statement group, text or edit, event): the same text at two
URLs, or the same edit reprinted, is one alert. Later copies of a statement alerted within
FOLLOW_UP_SECONDS are held for one follow-up message; rules with a digest hold theirs for the
digest of their window. A real edit of a document always alerts.
"""

from __future__ import annotations

import hashlib
import logging
import re
import time
from collections.abc import Mapping
from dataclasses import dataclass, replace

from communique.model import Relation
from communique.rules import Event, Rule
from storage import alerts
from storage.alerts import HeldAlert, NewAlert
from storage.database import Database, Row
from workers.engine import MatchResult
from workers.render import (
    CARRIERS_SHOWN,
    EXCERPT_PARAGRAPHS,
    EXCERPT_WIDTH,
    AlertFacts,
    Carrier,
    EmptyAlertError,
    Message,
    Provenance,
    render_alert,
)

log = logging.getLogger(__name__)

FOLLOW_UP_SECONDS = 6 * 3600.0
DIGEST_SECONDS = {"hourly": 3600.0, "daily": 86400.0}
# workers.corpus.learn files a new statement under "doc{document id}" when it matched none.
_OWN_GROUP = re.compile(r"^doc(\d+)$")
# The paragraph headings of a diff ("¶6 (changed):") depend on where an outlet put the paragraph.
_DIFF_LABEL = re.compile(r"^¶\d+ \(\w+\):$", re.MULTILINE)


def alerts_for(
    result: MatchResult,
    version: Row,
    rules: list[Rule],
    provenance: Provenance | None = None,
    web_url: str | None = None,
) -> list[NewAlert]:
    """One alert per rule that fires (none when it would be empty), rendered in the rule's format;
    with `web_url` (COMMUNIQUE_WEB_URL) each links to the version's page there."""
    event = event_of(result, version)
    fired = [rule for rule in rules if rule.fires(event)]
    if not fired:
        return []
    facts = facts_of(result, version, provenance or Provenance())
    if web_url:
        facts = replace(facts, link=version_link(web_url, int(version["id"])))
    group = statement_group(result, version)
    fingerprint = _fingerprint(result, version)
    rendered: dict[str, Message] = {}
    made = []
    for rule in fired:
        try:
            message = rendered.get(rule.format) or render_alert(facts, full=rule.format == "full")
        except EmptyAlertError as exc:
            log.warning("rule %s sends no alert: %s", rule.name, exc, extra={"version_id": version["id"]})
            continue
        rendered[rule.format] = message
        made.append(
            NewAlert(
                key=f"{rule.name}:{group}:{fingerprint}:{result.relation}",
                rule=rule.name,
                version_id=int(version["id"]),
                event=str(result.relation),
                tags=list(rule.notify),
                title=message.title,
                body_text=message.text,
                body_html=message.html,
                body_markdown=message.markdown,
                statement_group=group,
            )
        )
    return made


def version_link(web_url: str, version_id: int) -> str:
    """The page of a version in `communique web` (it shows the diff against the version before)."""
    return f"{web_url.rstrip('/')}/versions/{version_id}"


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


def statement_group(result: MatchResult, version: Row) -> str:
    """The statement a version belongs to: the matched one, or its own document's (as learned)."""
    return result.statement_id or f"doc{version['document_id']}"


def _fingerprint(result: MatchResult, version: Row) -> str:
    """What makes two events the same: the edit for a change, the text otherwise."""
    if result.relation is Relation.CHANGED and result.diff_text:
        basis = _DIFF_LABEL.sub("", result.diff_text)
    else:
        basis = version["text"]
    return hashlib.sha256(basis.encode("utf-8")).hexdigest()[:16]


def facts_of(result: MatchResult, version: Row, provenance: Provenance) -> AlertFacts:
    """What an alert says about one matched version."""
    parties = ", ".join(result.parties) or "unknown"
    kind = f"{result.genre}, parties {parties}" + (f", language {result.language}" if result.language else "")
    paragraphs = [p for p in str(version["text"]).split("\n") if p.strip()][:EXCERPT_PARAGRAPHS]
    return AlertFacts(
        name=version["title"] or version["url"],
        url=version["url"],
        source_id=version["source_id"],
        event=str(result.relation),
        version=int(version["seq"]),
        seen_at=float(version["first_seen"]),
        kind=kind,
        statement_id=result.statement_id,
        coverage=result.coverage,
        provenance=provenance,
        summaries=tuple(f"¶{c['paragraph']} {c['status']}: {c['summary']}" for c in result.changes),
        excerpt=tuple(_clip(p, EXCERPT_WIDTH) for p in paragraphs),
        diff_text=result.diff_text,
        diff_html=result.diff_html,
    )


def _clip(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1].rstrip() + "…"


def provenance_of(db: Database, result: MatchResult, version: Row) -> Provenance:
    """Where the version's statement was first seen and which other documents carry it."""
    group = statement_group(result, version)
    own = _OWN_GROUP.match(group)
    rows = alerts.carriers(db, group, int(own.group(1)) if own else None)
    this = Carrier(
        version["source_id"],
        version["url"],
        version["title"],
        str(result.relation),
        result.coverage,
        float(version["first_seen"]),
    )
    seen: dict[int, Carrier] = {}
    for row in rows:  # earliest first: a document's first sighting is kept
        columns = ("source_id", "url", "title", "relation", "coverage", "first_seen")
        seen.setdefault(int(row["document_id"]), Carrier(*(row[name] for name in columns)))
    others = [c for document_id, c in seen.items() if document_id != version["document_id"]]
    first = min([*seen.values(), this], key=lambda carrier: carrier.first_seen)
    return Provenance(first=first, others=tuple(others[:CARRIERS_SHOWN]), others_total=len(others))


@dataclass(frozen=True)
class Plan:
    """What becomes of an alert: sent now, held for a digest or a follow-up, or nothing (sent before)."""

    action: str  # "send", "digest", "follow-up" or "repeat"
    bundle: str | None = None
    due_at: float | None = None
    key: str | None = None  # the key to store it under (send)

    def describe(self) -> str:
        """For people: what will happen to the alert."""
        due = (
            ""
            if self.due_at is None
            else time.strftime(" (sent %Y-%m-%d %H:%M UTC)", time.gmtime(self.due_at))
        )
        return {
            "send": "sent now",
            "digest": f"held for the digest {self.bundle}{due}",
            "follow-up": f"held for a grouped follow-up {self.bundle}{due}",
            "repeat": "not sent: the same alert was made before",
        }[self.action]


def plan(db: Database, alert: NewAlert, rule: Rule, version: Row, at: float) -> Plan:
    """Decide what becomes of one alert, without storing anything."""
    if rule.digest is not None:
        bundle, due = _digest_window(rule, at)
        return Plan("digest", bundle, due)
    first = _first_alert(db, alert, version, at)
    if first is not None and first["version_id"] == alert.version_id:
        return Plan("repeat")  # this match ran before
    if first is not None and first["document_id"] != version["document_id"]:
        bundle, due = _follow_up_window(first, at)
        return Plan("follow-up", bundle, due)
    if first is not None and first["key"] == alert.key:
        # The document went back to a text it had (an edit undone, then made again): still an edit.
        return Plan("send", key=f"{alert.key}:v{alert.version_id}")
    return Plan("send", key=alert.key)


def file_alerts(
    db: Database,
    made: list[NewAlert],
    rules: Mapping[str, Rule],
    result: MatchResult,
    version: Row,
    *,
    at: float,
) -> list[int]:
    """Store each alert to send now, or hold it for a digest or a follow-up; returns the ids to send.

    Run inside the match transaction, so concurrent matches of copies of one statement take turns.
    """
    send_now = []
    for alert in made:
        decided = plan(db, alert, rules[alert.rule], version, at)
        if decided.action in ("digest", "follow-up"):
            _hold(db, alert, result, decided)
        elif decided.action == "send":
            alert_id = alerts.create_alert(db, replace(alert, key=decided.key or alert.key), at)
            if alert_id is not None:
                send_now.append(alert_id)
    return send_now


def _first_alert(db: Database, alert: NewAlert, version: Row, at: float) -> Row | None:
    """The alert this one repeats: the same key, or (except for edits) the statement's recent first."""
    same = alerts.alert_by_key(db, alert.key)
    if same is not None or alert.event == Relation.CHANGED or alert.statement_group is None:
        return same
    first = alerts.first_group_alert(
        db, alert.rule, alert.statement_group, alert.event, since=at - FOLLOW_UP_SECONDS
    )
    return first if first is not None and first["document_id"] != version["document_id"] else None


def _digest_window(rule: Rule, at: float) -> tuple[str, float]:
    """The digest bundle of a rule for the window (UTC hour or day) holding `at`, and its end."""
    period = DIGEST_SECONDS[rule.digest or "daily"]
    start = at // period * period
    return f"digest:{rule.name}:{rule.digest}:{int(start)}", start + period


def _follow_up_window(first: Row, at: float) -> tuple[str, float]:
    """The follow-up bundle of a first alert for the window (from its creation) holding `at`."""
    index = int((at - float(first["created_at"])) // FOLLOW_UP_SECONDS)
    return f"follow-up:{first['id']}:{index}", float(first["created_at"]) + (index + 1) * FOLLOW_UP_SECONDS


def _hold(db: Database, alert: NewAlert, result: MatchResult, decided: Plan) -> None:
    """Keep an alert for the bundle (digest or follow-up) it was planned for."""
    bundle, due = str(decided.bundle), float(decided.due_at or 0.0)
    held = HeldAlert(
        key=f"{alert.rule}:v{alert.version_id}:{alert.event}",
        bundle=bundle,
        kind=decided.action,
        rule=alert.rule,
        version_id=alert.version_id,
        event=alert.event,
        statement_id=result.statement_id,
        coverage=result.coverage,
        tags=alert.tags,
        due_at=due,
    )
    if alerts.hold(db, held):
        log.info("%s held for %s", alert.key, bundle, extra={"version_id": alert.version_id})
