"""What to poll: the schema of rules/sources.yaml, one frozen parameter model per source kind."""

from __future__ import annotations

import ipaddress
import re
import socket
from pathlib import Path
from typing import Annotated, Any, Final, Literal
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator, model_validator

from communique.errors import ConfigError
from communique.yaml_files import FieldError, load_model

SourceKind = Literal["page", "feed", "sitemap", "listing"]
DATE_PLACEHOLDER = "{date}"


class Source(BaseModel):
    """What every source has; the kind models below add their own parameters."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9._-]*$", description="stable name used in rules and status")
    kind: SourceKind
    # Before `url`, whose check reads it: a check after the model would run only once every field is
    # valid, so a file's errors would come one at a time.
    allow_private: bool = Field(
        default=False, description="allow loopback/private addresses (refused by default against SSRF)"
    )
    url: str
    interval: int = Field(default=600, ge=5, description="seconds between polls")
    max_items: int = Field(default=30, ge=1, le=500, description="articles followed per poll")
    http_fallback: bool = Field(
        default=False, description="when https:// cannot be reached, try the same URL over plain http://"
    )

    @field_validator("url")
    @classmethod
    def _http_url(cls, url: str, info: ValidationInfo) -> str:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError("must be an http(s) URL with a host")
        if not info.data.get("allow_private", False) and is_private_host(parts.hostname):
            raise ValueError(
                f"host {parts.hostname} is loopback or private; set allow_private: true to poll it"
            )
        if DATE_PLACEHOLDER in url and info.data.get("kind") != "sitemap":
            raise ValueError(f"{DATE_PLACEHOLDER} is only understood in sitemap URLs")
        return url


class PageSource(Source):
    """One fixed URL, stored for extraction (and the documents a site adapter finds attached to it)."""

    kind: Literal["page"] = "page"


class FeedSource(Source):
    """RSS, Atom or JSON Feed: its newest entries are fetched as articles."""

    kind: Literal["feed"] = "feed"
    max_pages: int = Field(default=1, ge=1, le=20, description="feed pages read per poll (Atom rel=next)")


class SitemapSource(Source):
    """A sitemap or sitemap index (gzip or not); `{date}` in the URL polls one sitemap per day."""

    kind: Literal["sitemap"] = "sitemap"
    shards: str | None = Field(
        default=None, description="regex: only sub-sitemaps whose URL matches it are read (news shards)"
    )
    urls: str | None = Field(default=None, description="regex: only article URLs that match it are fetched")
    max_shards: int = Field(default=2, ge=1, le=50, description="newest sub-sitemaps read per poll")
    max_age_days: float | None = Field(
        default=2, gt=0, description="skip sub-sitemaps and URLs whose lastmod is older; null: no filter"
    )
    days: int = Field(default=2, ge=1, le=14, description="with {date} in the URL: today and days before")
    timezone: str = Field(default="UTC", description="the site's time zone, for {date}")

    @field_validator("shards", "urls")
    @classmethod
    def _regex(cls, pattern: str | None) -> str | None:
        return _valid_regex(pattern)

    @field_validator("timezone")
    @classmethod
    def _zone(cls, name: str) -> str:
        try:
            ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {name!r}") from exc
        return name


class ListingSource(Source):
    """An HTML page listing articles: links picked by a CSS or XPath selector, optionally paginated."""

    kind: Literal["listing"] = "listing"
    links: str | None = Field(default=None, description="CSS selector of the article links (a elements)")
    links_xpath: str | None = Field(default=None, description="XPath of the article links, instead of CSS")
    link_pattern: str | None = Field(default=None, description="regex: keep only links whose URL matches")
    next_page: str | None = Field(default=None, description="CSS selector of the next-page link")
    max_pages: int = Field(default=1, ge=1, le=20, description="listing pages read per poll")

    @field_validator("link_pattern")
    @classmethod
    def _regex(cls, pattern: str | None) -> str | None:
        return _valid_regex(pattern)

    @model_validator(mode="after")
    def _one_selector(self) -> ListingSource:
        if (self.links is None) == (self.links_xpath is None):
            raise FieldError(("links",), "give exactly one of links (CSS) and links_xpath")
        return self


# The parameter model of each kind: sources.yaml is validated against the one its `kind` names.
KINDS: dict[str, type[Source]] = {
    "page": PageSource,
    "feed": FeedSource,
    "sitemap": SitemapSource,
    "listing": ListingSource,
}

AnySource = Annotated[PageSource | FeedSource | SitemapSource | ListingSource, Field(discriminator="kind")]


class SourcesFile(BaseModel):
    """The whole sources.yaml file."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    sources: list[AnySource] = Field(default_factory=list)

    @model_validator(mode="after")
    def _unique_ids(self) -> SourcesFile:
        seen: set[str] = set()
        for index, source in enumerate(self.sources):
            if source.id in seen:
                raise FieldError(("sources", index, "id"), f"duplicate source id {source.id!r}")
            seen.add(source.id)
        return self


def load_sources(rules_dir: Path) -> list[Source]:
    """Read and validate rules_dir/sources.yaml."""
    path = rules_dir / "sources.yaml"
    if not path.exists():
        raise ConfigError(f"{path}: no sources file (see README: adding a source)")
    return list(load_model(path, SourcesFile).sources)


def specialise(source: Source) -> Source:
    """The source as its kind's model (a plain `Source` gets its kind's defaults)."""
    model = KINDS[source.kind]
    if isinstance(source, model):
        return source
    fields: dict[str, Any] = source.model_dump()
    return model.model_validate(fields)


def _valid_regex(pattern: str | None) -> str | None:
    if pattern is not None:
        try:
            re.compile(pattern)
        except re.error as exc:
            raise ValueError(f"not a regular expression: {exc}") from exc
    return pattern


# Names every Linux resolver maps to loopback (RFC 6761's localhost, and Debian's /etc/hosts entries),
# checked even when a proxy resolves names and no address is seen here.
LOCAL_NAMES: Final = frozenset({"localhost", "localhost.localdomain", "ip6-localhost", "ip6-loopback"})


def is_private_host(host: str) -> bool:
    """True for the names of this machine and for literal loopback, private, link-local or reserved
    addresses. A name is checked as the resolver reads it: without case, and a final dot (the root of
    DNS) names the same host."""
    host = host.lower().rstrip(".")
    if host in LOCAL_NAMES or host.endswith(".localhost"):
        return True
    try:
        address: ipaddress.IPv4Address | ipaddress.IPv6Address = ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        # The resolver also reads shorthand IPv4 ("127.1", "2130706433", "0x7f000001") as an address.
        try:
            address = ipaddress.IPv4Address(socket.inet_aton(host))
        except (OSError, ValueError):
            return False
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped  # ::ffff:127.0.0.1 is 127.0.0.1 (Python < 3.13 says otherwise)
    return (
        address.is_private
        or address.is_loopback
        or address.is_link_local
        or address.is_reserved
        or address.is_unspecified
        or address.is_multicast
    )
