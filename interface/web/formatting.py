"""How stored values read on the pages: times, coverage, statement cards, sparklines (template filters)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any

from communique.identity import Card

SPARK_WIDTH = 4  # pixels per bar
SPARK_HEIGHT = 20


def when(timestamp: float | None) -> str:
    """A stored timestamp as UTC to the minute; an em dash for none."""
    if timestamp is None:
        return "—"
    return datetime.fromtimestamp(float(timestamp), UTC).strftime("%Y-%m-%d %H:%M UTC")


def iso(timestamp: float | None) -> str:
    """A stored timestamp in RFC 3339 (HTML <time>, Atom), UTC."""
    moment = datetime.fromtimestamp(float(timestamp or 0), UTC)
    return moment.isoformat(timespec="seconds").replace("+00:00", "Z")


def coverage(value: float | None) -> str:
    """How much of a statement a text carries, in percent."""
    return "—" if value is None else f"{float(value):.0%}"


def card_title(card: Card | None, statement_id: str = "") -> str:
    """A statement's title: English, else Vietnamese or Russian, else any, else its id."""
    if card is None or not card.titles:
        return statement_id
    for language in ("en", "vi", "ru"):
        if card.titles.get(language):
            return card.titles[language]
    return next(iter(card.titles.values()))


def card_dict(card: Card | None) -> dict[str, Any] | None:
    """A card as plain JSON values."""
    if card is None:
        return None
    return {
        "statement_id": card.statement_id,
        "kind": card.kind,
        "adopted": card.adopted.isoformat() if card.adopted else None,
        "parties": list(card.parties),
        "place": card.place,
        "titles": dict(card.titles),
        "signatories": list(card.signatories),
    }


def sparkline(counts: Sequence[int], failed: Sequence[int] = ()) -> list[dict[str, int | bool]]:
    """Bars of an inline SVG sparkline: x, y, height per day, and whether any fetch failed that day."""
    top = max(counts, default=0) or 1
    bars = []
    for day, count in enumerate(counts):
        height = round(SPARK_HEIGHT * count / top) if count else 0
        bars.append(
            {
                "x": day * SPARK_WIDTH,
                "y": SPARK_HEIGHT - height,
                "height": height,
                "failed": bool(failed and failed[day]),
            }
        )
    return bars


FILTERS: dict[str, Callable[..., Any]] = {
    "when": when,
    "iso": iso,
    "coverage": coverage,
    "card_title": card_title,
    "sparkline": sparkline,
}
