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
        "DOWNLOAD_VERIFY_CERTIFICATES": settings.verify_tls or settings.ca_bundle is not None,
        "RETRY_TIMES": 1,
        # 429 and 503 are not retried at once: BackoffMiddleware honours Retry-After instead.
        "RETRY_HTTP_CODES": [500, 502, 504, 522, 524, 408],
        # Every status reaches the callbacks, so a 403 or 503 is recorded as a source error.
        "HTTPERROR_ALLOW_ALL": True,
        "COOKIES_ENABLED": False,
        # No debugging consoles or control ports on a service that runs unattended.
        "TELNETCONSOLE_ENABLED": False,
        "REMOTE_CONTROL_ENABLED": False,
        "LOG_LEVEL": "INFO",
        "LOG_INSTALL_ROOT_HANDLER": False,  # the command line configures logging once
        "DOWNLOADER_MIDDLEWARES": {
            # Before RobotsTxtMiddleware (100): a refused host is not even asked for its robots.txt.
            "crawler.middlewares.PrivateAddressMiddleware": 50,
            "crawler.middlewares.BackoffMiddleware": 540,
            "crawler.middlewares.ConditionalGetMiddleware": 560,
            "crawler.middlewares.ProxyMiddleware": 740,  # before Scrapy's HttpProxyMiddleware (750)
        },
        "ITEM_PIPELINES": {"crawler.pipelines.SnapshotPipeline": 100},
        "COMMUNIQUE_SETTINGS": settings,
    }


def probe_settings(settings: Settings) -> dict[str, Any]:
    """Settings for `sources check`: the same politeness, no storage, no conditional GET, no backoff."""
    return {
        **scrapy_settings(settings),
        "DOWNLOADER_MIDDLEWARES": {
            "crawler.middlewares.PrivateAddressMiddleware": 50,
            "crawler.middlewares.ProxyMiddleware": 740,
        },
        "ITEM_PIPELINES": {},
        "AUTOTHROTTLE_START_DELAY": 0.0,
        "RETRY_TIMES": 0,
    }
