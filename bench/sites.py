"""Local sites for the benchmarks: the e2e news site with a longer article, unlimited text edits, and
the times at which pages were served and alerts arrived."""

from __future__ import annotations

import threading
import time
from typing import Any, ClassVar

from tests.e2e.site import CORPUS_FILE, NewsSite


def statement_paragraphs(limit_bytes: int) -> list[str]:
    """The first paragraphs of seed 001 (the June 2024 statement) up to `limit_bytes` of UTF-8."""
    blocks = (block.strip() for block in CORPUS_FILE.read_text(encoding="utf-8").split("\n\n"))
    kept: list[str] = []
    size = 0
    for block in blocks:
        if not block or block == "***":
            continue
        size += len(block.encode("utf-8")) + 1
        if size > limit_bytes:
            break
        kept.append(block)
    return kept


class LongNewsSite(NewsSite):
    """The e2e news site serving a 30 KB article (its text, furniture aside) instead of 12 paragraphs."""

    PARAGRAPHS: ClassVar[list[str]] = statement_paragraphs(30_000)
    EDITED_FROM: ClassVar[str] = PARAGRAPHS[NewsSite.EDITED_INDEX]
    EDITED_TO: ClassVar[str] = EDITED_FROM.replace("năm 2024", "năm 2025", 1)


class TimedSite(NewsSite):
    """The news site whose article text can be edited any number of times (edit n puts the year
    2024 + n in one paragraph), remembering when each page was served and each alert arrived."""

    def __init__(self) -> None:
        self.edit = 0
        self.served: list[tuple[float, int]] = []  # (perf_counter, edit) per article page served
        self.arrived: list[float] = []  # perf_counter per alert received
        self._edit_lock = threading.Lock()
        super().__init__()

    def set_edit(self, n: int) -> float:
        """Serve edit n from now on; returns the time (perf_counter) the change became visible."""
        with self._edit_lock:
            self.edit = n
            return time.perf_counter()

    def paragraphs(self, version: int | None = None) -> list[str]:
        """The body paragraphs of the current edit (edit 0: the original)."""
        body = list(self.PARAGRAPHS)
        if self.edit:
            body[self.EDITED_INDEX] = self.EDITED_FROM.replace("năm 2024", f"năm {2024 + self.edit}", 1)
        return body

    def render_article(self) -> str:
        """The page, noting when it was served and with which edit."""
        with self._edit_lock:
            edit = self.edit
            page = super().render_article()
            self.served.append((time.perf_counter(), edit))
        return page

    def record_alert(self, alert: dict[str, Any]) -> None:
        """Note the arrival time, then store the alert."""
        self.arrived.append(time.perf_counter())
        super().record_alert(alert)

    def first_served(self, edit: int, after: float) -> float | None:
        """When the first page showing `edit` was served after `after`, if it was."""
        return next((at for at, served in list(self.served) if served == edit and at >= after), None)
