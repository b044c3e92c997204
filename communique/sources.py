"""What to poll: the schema of rules/sources.yaml."""

from __future__ import annotations

import ipaddress
import socket
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from communique.errors import ConfigError
from communique.yaml_files import FieldError, load_model

SourceKind = Literal["page", "feed"]


class Source(BaseModel):
    """One source: a fixed page, or a feed whose entries are articles."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9._-]*$", description="stable name used in rules and status")
    kind: SourceKind
    url: str
    interval: int = Field(default=600, ge=5, description="seconds between polls")
    max_items: int = Field(default=30, ge=1, le=500, description="feed entries followed per poll")
    allow_private: bool = Field(
        default=False, description="allow loopback/private addresses (refused by default against SSRF)"
    )

    @field_validator("url")
    @classmethod
    def _http_url(cls, url: str) -> str:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError("must be an http(s) URL with a host")
        return url

    @model_validator(mode="after")
    def _no_private_host(self) -> Source:
        host = urlsplit(self.url).hostname or ""
        if not self.allow_private and _is_private(host):
            raise FieldError(
                ("url",), f"host {host} is loopback or private; set allow_private: true to poll it"
            )
        return self


class SourcesFile(BaseModel):
    """The whole sources.yaml file."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    sources: list[Source] = Field(default_factory=list)

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
    return load_model(path, SourcesFile).sources


def _is_private(host: str) -> bool:
    """True for localhost and for literal loopback, private, link-local or reserved addresses."""
    if host in ("localhost", "localhost.localdomain") or host.endswith(".localhost"):
        return True
    try:
        address: ipaddress.IPv4Address | ipaddress.IPv6Address = ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        # The resolver also reads shorthand IPv4 ("127.1", "2130706433", "0x7f000001") as an address.
        try:
            address = ipaddress.IPv4Address(socket.inet_aton(host))
        except (OSError, ValueError):
            return False
    return address.is_private or address.is_loopback or address.is_link_local or address.is_reserved
