"""Settings from the environment (prefix COMMUNIQUE_), validated once by pydantic."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, NonNegativeInt, SecretStr
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
    # Operations: retries, liveness, metrics, logs, retention.
    retry_intervals: list[NonNegativeInt] = Field(
        default=[2, 10, 60, 300, 900],
        min_length=1,
        description="pauses (s) between RQ retries of a job that hit a transient error; JSON list",
    )
    delivery_timeout: float = Field(
        default=30.0,
        gt=0,
        description="seconds an alert target has to answer (apprise's own default, 4 s, made slow "
        "webhooks get an alert twice: the post had arrived; a target URL's ?rto= still wins)",
    )
    sweep_seconds: float = Field(
        default=30.0, gt=0, description="how often the service queues unfinished work from storage again"
    )
    db_busy_timeout: float = Field(
        default=30.0, gt=0, description="seconds a write waits for another writer before it is retried"
    )
    lock_ttl: float = Field(
        default=30.0, gt=0, description="crawler lock expiry (s) in Redis; renewed every third of it"
    )
    worker_ttl: float = Field(
        default=30.0,
        gt=0,
        description="worker liveness key expiry (s); a dead worker's job is queued again after it",
    )
    metrics_port: int | None = Field(default=None, description="serve Prometheus metrics on this port")
    metrics_host: str = Field(default="127.0.0.1", description="address the metrics endpoint binds to")
    log_format: Literal["text", "json"] = Field(default="text", description="json: one object per line")
    web_host: str = Field(default="127.0.0.1", description="address `communique web` binds to")
    web_port: int = Field(default=8650, ge=0, le=65535, description="port `communique web` serves on")
    web_token: SecretStr | None = Field(
        default=None,
        description="token the web pages and API require (Authorization: Bearer, or ?token= once); "
        "required when web_host is not a loopback address",
    )
    web_url: str | None = Field(
        default=None,
        description="public base URL of `communique web` (https://host/); alerts then link to the version",
    )
    retain_snapshots_days: float | None = Field(
        default=None, gt=0, description="drop page bodies older than this (never a document's latest)"
    )
    retain_fetches_days: float | None = Field(
        default=None, gt=0, description="drop fetch rows older than this (never one a version cites)"
    )
    retain_deliveries_days: float | None = Field(
        default=None, gt=0, description="drop delivery attempts of delivered alerts older than this"
    )

    @property
    def database_path(self) -> Path:
        """The SQLite file used when no database_url is given."""
        return self.data_dir / "communique.sqlite3"

    @property
    def apprise_config_path(self) -> Path:
        """The apprise configuration file that maps tags to secret URLs."""
        return self.apprise_config or self.data_dir / "apprise.yml"
