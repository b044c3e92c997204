"""The Scrapy settings communique crawls with: polite, bounded, and wired to storage and the queue."""

from __future__ import annotations

from typing import Any

from communique.settings import Settings


def scrapy_settings(settings: Settings) -> dict[str, Any]:
    """Scrapy settings for one crawler process."""
    return {
        "BOT_NAME": "communique",
        "USER_AGENT": settings.user_agent,
        "ROBOTSTXT_OBEY": True,
        "CONCURRENT_REQUESTS": 16,
        "CONCURRENT_REQUESTS_PER_DOMAIN": 1,
        "AUTOTHROTTLE_ENABLED": True,
        "AUTOTHROTTLE_START_DELAY": 0.25,
        "AUTOTHROTTLE_MAX_DELAY": 60.0,
        "DOWNLOAD_TIMEOUT": settings.download_timeout,
        "DOWNLOAD_MAXSIZE": settings.max_page_bytes,
        "DOWNLOAD_WARNSIZE": settings.max_page_bytes // 2,
        "RETRY_TIMES": 1,
        # Every status reaches the callbacks, so a 403 or 503 is recorded as a source error.
        "HTTPERROR_ALLOW_ALL": True,
        "COOKIES_ENABLED": False,
        # No debugging consoles or control ports on a service that runs unattended.
        "TELNETCONSOLE_ENABLED": False,
        "REMOTE_CONTROL_ENABLED": False,
        "LOG_LEVEL": "INFO",
        "LOG_INSTALL_ROOT_HANDLER": False,  # the command line configures logging once
        "DOWNLOADER_MIDDLEWARES": {"crawler.middlewares.ConditionalGetMiddleware": 560},
        "ITEM_PIPELINES": {"crawler.pipelines.SnapshotPipeline": 100},
        "COMMUNIQUE_SETTINGS": settings,
    }
