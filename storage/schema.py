"""The migration scripts in storage/migrations, per dialect.

`NNNN_name.sql` serves every dialect; `NNNN_name.postgres.sql`, when present, replaces it on
PostgreSQL (and the plain file then serves SQLite only).
"""

from __future__ import annotations

from importlib import resources
from typing import Literal

Dialect = Literal["sqlite", "postgres"]
DIALECT_SUFFIXES = {"postgres": ".postgres.sql"}


def migrations(dialect: Dialect) -> list[tuple[int, str]]:
    """The numbered SQL scripts for a dialect, in order: (number, script)."""
    plain: dict[int, str] = {}
    own: dict[int, str] = {}
    for entry in (resources.files("storage") / "migrations").iterdir():
        suffix = next((s for s in DIALECT_SUFFIXES.values() if entry.name.endswith(s)), None)
        if suffix is None and not entry.name.endswith(".sql"):
            continue
        number = int(entry.name.split("_", 1)[0])
        target = plain if suffix is None else own if suffix == DIALECT_SUFFIXES.get(dialect) else None
        if target is None:
            continue  # another dialect's variant
        if number in target:
            raise RuntimeError(f"two migrations numbered {number:04d} for {dialect}")
        target[number] = entry.read_text(encoding="utf-8")
    return sorted({**plain, **own}.items())


def statements(script: str) -> list[str]:
    """Split a migration script into statements (our scripts hold no ';' inside literals or comments)."""
    lines = [line for line in script.splitlines() if not line.lstrip().startswith("--")]
    return [part.strip() for part in "\n".join(lines).split(";") if part.strip()]
