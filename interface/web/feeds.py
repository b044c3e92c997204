"""Atom feeds of alerts (all, per rule, per statement), built with ElementTree: well-formed by
construction, every text escaped."""

from __future__ import annotations

import re
import time
import xml.etree.ElementTree as ET
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Request, Response

from interface.web.formatting import iso
from interface.web.pages import database
from storage import browse

router = APIRouter(prefix="/feeds", include_in_schema=False)
ATOM = "http://www.w3.org/2005/Atom"
FEED_ENTRIES = 50
ATOM_TYPE = "application/atom+xml; charset=utf-8"

# Characters XML 1.0 does not allow at all, even escaped: a page's text could hold them.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")

ET.register_namespace("", ATOM)


def _add(parent: ET.Element, tag: str, text: str | None = None, **attributes: str) -> ET.Element:
    element = ET.SubElement(parent, f"{{{ATOM}}}{tag}", attributes)
    if text is not None:
        element.text = _NOT_XML.sub("", text)
    return element


def atom(request: Request, title: str, path: str, alerts: list[dict[str, Any]]) -> bytes:
    """An Atom feed of alerts, newest first; ids and links are absolute URLs of this server."""
    base = str(request.base_url).rstrip("/")
    feed = ET.Element(f"{{{ATOM}}}feed")
    _add(feed, "id", base + path)
    _add(feed, "title", title)
    newest = max((float(a["created_at"]) for a in alerts), default=time.time())
    _add(feed, "updated", iso(newest))
    _add(feed, "link", rel="self", href=base + path, type="application/atom+xml")
    _add(feed, "link", rel="alternate", href=base + "/alerts", type="text/html")
    _add(_add(feed, "author"), "name", "communique")
    _add(feed, "generator", "communique")
    for alert in alerts:
        entry = _add(feed, "entry")
        _add(entry, "id", f"{base}/alerts/{alert['id']}")
        _add(entry, "title", alert["title"])
        _add(entry, "updated", iso(alert["created_at"]))
        _add(entry, "published", iso(alert["created_at"]))
        _add(entry, "link", rel="alternate", href=f"{base}/versions/{alert['version_id']}", type="text/html")
        _add(entry, "link", rel="related", href=str(alert["url"]))
        _add(entry, "category", term=str(alert["rule"]))
        _add(entry, "summary", f"{alert['event']} at {alert['source_id']}: {alert['url']}")
        _add(entry, "content", str(alert["body_text"]), type="text")
    body: bytes = ET.tostring(feed, encoding="utf-8", xml_declaration=False)
    return b'<?xml version="1.0" encoding="utf-8"?>\n' + body


@router.get("/alerts.atom")
def all_alerts(request: Request) -> Response:
    """Every alert."""
    page = browse.alerts(database(request), limit=FEED_ENTRIES)
    return Response(
        atom(request, "communique: alerts", "/feeds/alerts.atom", page.rows), media_type=ATOM_TYPE
    )


@router.get("/rules/{rule}.atom")
def rule_alerts(request: Request, rule: str) -> Response:
    """The alerts of one rule (an empty feed for a rule that has not fired yet)."""
    page = browse.alerts(database(request), rule=rule, limit=FEED_ENTRIES)
    path = f"/feeds/rules/{quote(rule, safe='')}.atom"
    return Response(
        atom(request, f"communique: alerts of rule {rule}", path, page.rows), media_type=ATOM_TYPE
    )


@router.get("/statements/{statement_id}.atom")
def statement_alerts(request: Request, statement_id: str) -> Response:
    """The alerts about one statement group."""
    page = browse.alerts(database(request), statement_group=statement_id, limit=FEED_ENTRIES)
    path = f"/feeds/statements/{quote(statement_id, safe='')}.atom"
    title = f"communique: alerts about statement {statement_id}"
    return Response(atom(request, title, path, page.rows), media_type=ATOM_TYPE)
