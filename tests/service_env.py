"""The files and environment of a communique service under test or benchmark: a rules folder with its
sources and watch rules, an apprise config, a data folder, and the COMMUNIQUE_* settings naming them
(any COMMUNIQUE_* of the calling shell left out)."""

from __future__ import annotations

import os
from pathlib import Path

from tests.conftest import ROOT


def page_source(url: str, source_id: str = "local-news", interval: int = 5) -> str:
    """sources.yaml with one page source on a local (private) address."""
    entry = f"{{id: {source_id}, kind: page, url: '{url}', interval: {interval}, allow_private: true}}"
    return f"sources:\n  - {entry}\n"


def write_apprise(path: Path, url: str, tags: str = "analysts") -> None:
    """An apprise config sending `tags` to `url`."""
    path.write_text(f"urls:\n  - {url}:\n      tag: {tags}\n", encoding="utf-8")


def service_env(
    folder: Path, *, sources: str, rules: str, apprise_url: str, tags: str = "analysts", **settings: str
) -> dict[str, str]:
    """Write rules/sources.yaml, rules/joint-statements.yaml and apprise.yml in `folder`; the
    environment that points the service at them, at folder/data and at the shipped corpus, plus
    `settings` (COMMUNIQUE_REDIS_URL=..., ...)."""
    rules_dir = folder / "rules"
    rules_dir.mkdir(parents=True, exist_ok=True)
    (rules_dir / "sources.yaml").write_text(sources, encoding="utf-8")
    (rules_dir / "joint-statements.yaml").write_text(rules, encoding="utf-8")
    apprise = folder / "apprise.yml"
    write_apprise(apprise, apprise_url, tags)
    return {
        **{name: value for name, value in os.environ.items() if not name.startswith("COMMUNIQUE_")},
        "COMMUNIQUE_RULES_DIR": str(rules_dir),
        "COMMUNIQUE_DATA_DIR": str(folder / "data"),
        "COMMUNIQUE_CORPUS_DIR": str(ROOT / "corpus"),
        "COMMUNIQUE_APPRISE_CONFIG": str(apprise),
        **settings,
    }
