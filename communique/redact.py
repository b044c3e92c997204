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
from urllib.parse import parse_qsl, unquote

MASK: Final = "***"
# Schemes whose URLs name pages, files and servers: only a password in them is secret, and the rest
# (user, host, path) is worth showing. Any other URL (apprise's json://, tgram://, mailtos://...) may
# carry a secret anywhere after the scheme and is masked whole.
SERVICE_SCHEMES: Final = frozenset(
    {"http", "https", "ftp", "file", "sqlite", "postgresql", "postgres", "redis", "rediss", "unix"}
)
_URL: Final = re.compile(r"\b([a-zA-Z][a-zA-Z0-9+.-]*)://([^\s'\"<>()]*)")
_PASSWORD_PARAMETER: Final = re.compile(r"([?&]password=)([^&#]*)")  # libpq takes it this way too
# Parts of a notification URL this long are taken for tokens (shorter ones are ports, flags, words).
MIN_TOKEN_CHARS: Final = 8


def redact(text: str, secrets: Iterable[str] = ()) -> str:
    """`text` with the given secrets, URL passwords and notification URLs masked."""
    for secret in secrets:
        text = text.replace(secret, MASK)
    return _URL.sub(lambda match: mask_url(match.group(0)), text)


def mask_url(url: str) -> str:
    """The URL safe to show: a server's or page's URL without its password, any other URL (a
    notification target) reduced to its scheme."""
    scheme, userinfo, hostport, tail = _url_parts(url)
    if not hostport and not userinfo and not tail:
        return url  # not a URL
    if scheme.lower() not in SERVICE_SCHEMES:
        return f"{scheme}://{MASK}"
    if ":" in userinfo:
        userinfo = userinfo.split(":", 1)[0] + ":" + MASK
    elif userinfo and scheme.lower() in ("http", "https", "ftp"):
        userinfo = MASK  # a token alone before the @
    tail = _PASSWORD_PARAMETER.sub(rf"\1{MASK}", tail)
    return f"{scheme}://{userinfo}{'@' if userinfo else ''}{hostport}{tail}"


def url_secrets(url: str) -> set[str]:
    """The parts of a URL that may be secret, as written and percent-decoded: its password, however
    short; for a notification URL also its user, host, path segments and query values as long as a
    token (bot tokens, API keys, webhook ids)."""
    scheme, userinfo, hostport, tail = _url_parts(url)
    user, _, password = userinfo.partition(":")
    passwords = {password, *(match.group(2) for match in _PASSWORD_PARAMETER.finditer(tail))}
    tokens: set[str] = set()
    if scheme.lower() not in SERVICE_SCHEMES:
        # Where a host would be, notification URLs often hold a token (tgram://BOT_ID:BOT_TOKEN/chat);
        # a name with dots is a host (127.0.0.1:8080, smtp.example.org) and is worth showing.
        path, _, query = tail.partition("?")
        hosted = {hostport, *hostport.split(":")} if "." not in hostport else set()
        tokens = {user, *hosted, *path.split("/")}
        tokens |= {value for _, value in parse_qsl(query.split("#")[0])}
        tokens = {token for token in tokens if len(token) >= MIN_TOKEN_CHARS}
    found = passwords | tokens
    return {secret for secret in found | {unquote(secret) for secret in found} if secret}


def _url_parts(url: str) -> tuple[str, str, str, str]:
    """Scheme, user info, host and port, the rest (from the first / ? or #). By hand, as urlsplit
    rejects some URLs that libraries (libpq) report on with the password in the message."""
    scheme, separator, rest = url.partition("://")
    if not separator:
        return url, "", "", ""
    end = min((i for i in (rest.find(c) for c in "/?#") if i >= 0), default=len(rest))
    userinfo, _, hostport = rest[:end].rpartition("@")
    return scheme, userinfo, hostport, rest[end:]


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
