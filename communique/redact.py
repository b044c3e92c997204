"""Keeping secrets out of logs and printed reports: credentials in URLs, notification URLs, and the
secret values found in the settings and the apprise config.

apprise logs every target it loads at debug level; it masks passwords but not tokens passed in the
query string or in headers (`json://host/?+X-Token=...`). Rather than trust every library, each log
record is redacted when it is created, whichever logger and handler it goes to.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any, Final
from urllib.parse import parse_qsl, unquote, urlsplit

MASK: Final = "***"
# Schemes whose URLs name pages and files; any other URL (apprise's json://, tgram://, mailtos://,
# redis://...) may carry a secret anywhere after the scheme and is masked whole.
WEB_SCHEMES: Final = frozenset({"http", "https", "ftp", "file", "sqlite"})
_URL: Final = re.compile(r"\b([a-zA-Z][a-zA-Z0-9+.-]*)://([^\s'\"<>()\[\]]*)")
# Parts of a notification URL this long are taken for tokens (shorter ones are ports, flags, words).
MIN_TOKEN_CHARS: Final = 8


def redact(text: str, secrets: Iterable[str] = ()) -> str:
    """`text` with the given secrets, URL passwords and notification URLs masked."""
    for secret in secrets:
        text = text.replace(secret, MASK)
    return _URL.sub(_mask_url, text)


def _mask_url(match: re.Match[str]) -> str:
    scheme, rest = match.group(1), match.group(2)
    if scheme.lower() not in WEB_SCHEMES:
        return f"{scheme}://{MASK}"
    cut = min((i for i in (rest.find(c) for c in "/?#") if i >= 0), default=len(rest))
    authority, tail = rest[:cut], rest[cut:]
    if "@" in authority:
        userinfo, _, host = authority.rpartition("@")
        user = userinfo.split(":", 1)[0]
        authority = f"{user}:{MASK}@{host}" if ":" in userinfo else f"{MASK}@{host}"
    return f"{scheme}://{authority}{tail}"


def url_secrets(url: str) -> set[str]:
    """The parts of a URL that may be secret: its user and password; for a notification URL also
    long path segments and query values (bot tokens, API keys, webhook ids)."""
    try:
        parts = urlsplit(url)
        found = {parts.password or "", unquote(parts.password or "")}
    except ValueError:
        return set()
    if parts.scheme.lower() not in WEB_SCHEMES:
        found.add(parts.username or "")
        found.update(segment for segment in parts.path.split("/"))
        found.update(value for _, value in parse_qsl(parts.query))
    return {secret for secret in found if len(secret) >= MIN_TOKEN_CHARS}


def config_secrets(path: Path) -> set[str]:
    """The secret parts of every URL written in an apprise config file (YAML or text)."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return set()
    found: set[str] = set()
    for match in _URL.finditer(text):
        found |= url_secrets(match.group(0).rstrip(":"))
    return found


def install(secrets: Iterable[str]) -> None:
    """Redact every log record from now on, whatever logs it and wherever it goes."""
    known = sorted(set(secrets), key=len, reverse=True)
    create = logging.getLogRecordFactory()
    if getattr(create, "redacting", False):
        create = create.wrapped  # type: ignore[attr-defined]

    def redacting(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = create(*args, **kwargs)
        try:
            message = record.getMessage()
        except Exception:  # arguments that do not fit the format: logging reports that on emit
            return record
        record.msg, record.args = redact(message, known), None
        if record.exc_info:
            record.exc_text = redact(logging.Formatter().formatException(record.exc_info), known)
        return record

    redacting.redacting = True  # type: ignore[attr-defined]
    redacting.wrapped = create  # type: ignore[attr-defined]
    logging.setLogRecordFactory(redacting)
