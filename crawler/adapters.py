"""Site adapters: one canonical URL per article, and the attached documents a site links to.

Only sites that need one have an adapter: the Kremlin (numeric ids shared by several paths; joint
statements attached as /supplement/{id}) and VietnamPlus (old, new and `betaen.` forms of one article).
Every other URL gets the generic canonical form (w3lib's, without default ports or utm_* parameters).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from scrapy.http import Response, TextResponse
from w3lib.url import canonicalize_url


@dataclass(frozen=True)
class SiteAdapter:
    """What one site needs: its hosts, its canonical URL rule, and the links to its attached documents."""

    hosts: re.Pattern[str]
    canonical: Callable[[str, str], str | None]  # (host, path) -> canonical URL, None: generic rule
    attachments: Callable[[TextResponse], list[str]]


# --- Kremlin ---------------------------------------------------------------------------------------

# An event has one numeric id whether it is filed as news, a transcript or under a country.
KREMLIN_EVENT = re.compile(
    r"^/(?:events/president/(?:news|transcripts)|catalog/countries/[A-Za-z]{2}/events)/(\d+)/?$"
)
KREMLIN_SUPPLEMENT = re.compile(r"^/supplement/(\d+)/?$")


def _kremlin_canonical(host: str, path: str) -> str | None:
    # The language sites are kept apart: the same id in Russian and in English is two texts, and one
    # document holding both would flip between them on every poll.
    site = "en.kremlin.ru" if host.startswith("en.") else "kremlin.ru"
    if match := KREMLIN_EVENT.match(path):
        return f"http://{site}/events/president/news/{match[1]}"
    if match := KREMLIN_SUPPLEMENT.match(path):
        return f"http://{site}/supplement/{match[1]}"
    return None


def _kremlin_supplements(response: TextResponse) -> list[str]:
    """The /supplement/{id} documents (joint statements) linked from a news item by `a.cut__item`."""
    links = (response.urljoin(href.strip()) for href in response.css("a.cut__item::attr(href)").getall())
    return [link for link in links if KREMLIN_SUPPLEMENT.match(urlsplit(link).path)]


# --- VietnamPlus -----------------------------------------------------------------------------------

VNP_CURRENT = re.compile(r"^/(?:[^/]+-)?post(\d+)\.vnp$")
VNP_LEGACY = re.compile(r"^/[^/]+/(\d+)\.vnp$")


def _vietnamplus_canonical(host: str, path: str) -> str | None:
    # One article, several URLs: the slug may change with the title, the id does not.
    match = VNP_CURRENT.match(path) or VNP_LEGACY.match(path)
    if match is None:
        return None
    edition = host.split(".", maxsplit=1)[0]
    edition = {"betaen": "en", "vietnamplus": "www"}.get(edition, edition)
    return f"https://{edition}.vietnamplus.vn/post{match[1]}.vnp"


def _none(response: TextResponse) -> list[str]:
    return []


ADAPTERS: dict[str, SiteAdapter] = {
    "kremlin": SiteAdapter(
        re.compile(r"^(?:www\.|en\.)?kremlin\.ru$"), _kremlin_canonical, _kremlin_supplements
    ),
    "vietnamplus": SiteAdapter(re.compile(r"^(?:[a-z]+\.)?vietnamplus\.vn$"), _vietnamplus_canonical, _none),
}


def adapter_for(url: str) -> SiteAdapter | None:
    """The adapter of the site serving `url`, if it has one."""
    host = (urlsplit(url).hostname or "").lower()
    return next((a for a in ADAPTERS.values() if a.hosts.match(host)), None)


def canonical_url(url: str) -> str:
    """The one URL that names the article at `url` (documents are stored under it)."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    adapter = adapter_for(url)
    if adapter is not None and (special := adapter.canonical(host, parts.path)) is not None:
        return special
    if ":" in host:
        host = f"[{host}]"  # an IPv6 address keeps its brackets
    port = parts.port
    if port is not None and (parts.scheme, port) not in (("http", 80), ("https", 443)):
        host = f"{host}:{port}"
    pairs = parse_qsl(parts.query, keep_blank_values=True)
    query = urlencode([(k, v) for k, v in pairs if not k.startswith("utm_")])
    return canonicalize_url(urlunsplit((parts.scheme.lower(), host, parts.path or "/", query, "")))


def attachments(response: Response) -> list[str]:
    """Documents the page links to that are articles in their own right (Kremlin supplements)."""
    adapter = adapter_for(response.url)
    if adapter is None or not isinstance(response, TextResponse):
        return []
    return adapter.attachments(response)
