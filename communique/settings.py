"""Settings from the environment (prefix COMMUNIQUE_), validated once by pydantic."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Everything a process needs to know about where things are and how to reach them."""

    model_config = SettingsConfigDict(env_prefix="COMMUNIQUE_", extra="forbid", frozen=True)

    data_dir: Path = Field(default=Path("data"), description="SQLite database and snapshots live here")
    rules_dir: Path = Field(default=Path("rules"), description="sources.yaml and the watch rules")
    corpus_dir: Path = Field(default=Path("corpus"), description="known statements imported on first run")
    database_url: str | None = Field(
        default=None,
        description="sqlite:///PATH or postgresql://USER:PASSWORD@HOST:PORT/DB; default: sqlite in data_dir",
        repr=False,  # it may hold a password
    )
    redis_url: str | None = Field(default=None, description="unset: embedded queue in one process")
    apprise_config: Path | None = Field(
        default=None, description="apprise config file with the secret URLs; default data_dir/apprise.yml"
    )
    user_agent: str = "communique/0.1 (+https://github.com/communique-monitor/communique; statement monitor)"
    download_timeout: float = 20.0
    max_page_bytes: int = 10 * 1024 * 1024
    tick_seconds: float = Field(default=5.0, description="how often the service looks for due sources")
    proxy_url: str | None = Field(default=None, description="http(s) proxy for every crawler request")
    ca_bundle: Path | None = Field(
        default=None, description="PEM file of trusted CAs; setting it turns certificate checks on"
    )
    verify_tls: bool = Field(default=False, description="check server certificates (Scrapy does not)")

    @property
    def database_path(self) -> Path:
        """The SQLite file used when no database_url is given."""
        return self.data_dir / "communique.sqlite3"

    @property
    def apprise_config_path(self) -> Path:
        """The apprise configuration file that maps tags to secret URLs."""
        return self.apprise_config or self.data_dir / "apprise.yml"
