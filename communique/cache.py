"""The user's cache folder, where communique keeps data it derives from its libraries (country names
from CLDR, py3langid's model unpacked) so that each process need not derive them again."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO


def cache_path(name: str) -> Path:
    """Where a cached file of this name is kept ($XDG_CACHE_HOME, else ~/.cache, then communique/)."""
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return base / "communique" / name


@contextmanager
def replacing(path: Path) -> Iterator[BinaryIO]:
    """A file to write that takes `path`'s place only once written whole: another process may be
    reading `path` meanwhile, and a write cut short leaves no half file behind."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(f".{os.getpid()}.tmp")
    try:
        with partial.open("wb") as handle:
            yield handle
        partial.replace(path)
    finally:
        partial.unlink(missing_ok=True)
