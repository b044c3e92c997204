"""A local SMTP server for real mailto:// deliveries in tests."""

from __future__ import annotations

import email
from email import policy
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller

from tests.conftest import free_port


class SmtpSink:
    """A local SMTP server (aiosmtpd) keeping every message it receives."""

    def __init__(self) -> None:
        self.messages: list[bytes] = []
        self.port = free_port()
        self._controller = Controller(self, hostname="127.0.0.1", port=self.port)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802 (aiosmtpd's name)
        self.messages.append(bytes(envelope.content))
        return "250 Message accepted for delivery"

    def url(self, to: str = "analysts@example.org") -> str:
        return f"mailto://127.0.0.1:{self.port}?from=communique@example.org&to={to}&mode=insecure"

    def __enter__(self) -> SmtpSink:
        self._controller.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._controller.stop()


def parse_email(raw: bytes) -> tuple[str, str, str]:
    """Subject, HTML part and plain-text part of a received email."""
    parsed = email.message_from_bytes(raw, policy=policy.default)
    assert isinstance(parsed, EmailMessage)
    html, text = parsed.get_body(("html",)), parsed.get_body(("plain",))
    assert html is not None and text is not None
    return str(parsed["Subject"]), html.get_content(), text.get_content()
