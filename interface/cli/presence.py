"""Who is running, in Redis: the crawler's singleton lock and a renewing heartbeat thread."""

from __future__ import annotations

import logging
import os
import socket
import threading
import uuid
from collections.abc import Callable

from redis import Redis
from redis.exceptions import AuthenticationError, LockError, LockNotOwnedError, RedisError
from redis.lock import Lock

from communique.errors import ConfigError, TransientError

log = logging.getLogger(__name__)

CRAWLER_LOCK = "communique:crawler-lock"


def holder_name() -> str:
    """This process as a lock holder: host, pid and a random suffix (pids are reused)."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def lock_holder(redis: Redis) -> dict[str, object] | None:
    """Who holds the crawler lock and for how many more seconds, or None when nobody does."""
    holder = redis.get(CRAWLER_LOCK)
    if holder is None:
        return None
    ttl_ms = redis.pttl(CRAWLER_LOCK)
    return {"holder": holder.decode() if isinstance(holder, bytes) else str(holder), "ttl": ttl_ms / 1000}


class Heartbeat:
    """Calls `beat` every `period` seconds on a daemon thread; Redis errors are logged and retried."""

    def __init__(self, beat: Callable[[], None], period: float, name: str) -> None:
        self._beat = beat
        self._period = period
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)

    def start(self) -> None:
        """Beat once now (so failures show at start), then keep beating."""
        self._beat()
        self._thread.start()

    def stop(self) -> None:
        """Stop beating."""
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=self._period + 5)

    def _run(self) -> None:
        while not self._stop.wait(self._period):
            try:
                self._beat()
            except RedisError as exc:
                log.warning("%s: Redis unreachable, retrying: %s", self._thread.name, exc)


class CrawlerLock:
    """The lock that makes one crawler (and its sweeper) the only one polling.

    It expires `ttl` seconds after its holder last renewed it, so a crawler killed without cleaning up
    is replaced by a waiting one within `ttl`. The holder renews it every third of `ttl`; when it finds
    the lock held by someone else (it was partitioned from Redis for longer than `ttl`), it calls
    `on_lost` so that the process stops polling.
    """

    def __init__(self, redis: Redis, ttl: float) -> None:
        self.name = holder_name()
        self.ttl = ttl
        self.lost = False
        self._lock = Lock(redis, CRAWLER_LOCK, timeout=ttl, thread_local=False)
        self._redis = redis
        self._heartbeat: Heartbeat | None = None

    def try_acquire(self) -> bool:
        """Take the lock if it is free; False when another crawler holds it."""
        return bool(self._lock.acquire(blocking=False, token=self.name))

    def wait(self, stop: threading.Event, once: bool) -> bool:
        """Block until the lock is ours (True); False at once with `once`, or when `stop` is set.

        Redis unreachable is waited out, except with `once` (TransientError); credentials it refuses
        are a ConfigError."""
        period = max(0.2, self.ttl / 6)
        told = False
        while not stop.is_set():
            try:
                if self.try_acquire():
                    log.info("holding the crawler lock as %s", self.name)
                    return True
                holder = lock_holder(self._redis)
            except AuthenticationError as exc:  # retrying cannot help
                raise ConfigError(f"COMMUNIQUE_REDIS_URL: Redis refused the credentials: {exc}") from None
            except RedisError as exc:
                if once:
                    raise TransientError(f"COMMUNIQUE_REDIS_URL: Redis unreachable: {exc}") from None
                log.warning("crawler lock: Redis unreachable, retrying: %s", exc)
                stop.wait(period)
                continue
            if once:
                return False
            if not told:
                log.info("another crawler holds the lock (%s); waiting to take over", holder)
                told = True
            stop.wait(period)
        return False

    def keep(self, on_lost: Callable[[], None]) -> None:
        """Renew the lock every third of its ttl until `release`; `on_lost` once it is someone else's."""

        def renew() -> None:
            if self.lost:
                return
            try:
                self._lock.reacquire()
            except LockNotOwnedError:
                # Expired (Redis down for longer than ttl, or restarted without its data): take it back
                # unless another crawler has taken it meanwhile.
                if not self.try_acquire():
                    self.lost = True
                    log.error("lost the crawler lock to %s; stopping", lock_holder(self._redis))
                    on_lost()
                else:
                    log.warning("crawler lock had expired; taken again")

        self._heartbeat = Heartbeat(renew, self.ttl / 3, "communique-crawler-lock")
        self._heartbeat.start()

    def release(self) -> None:
        """Stop renewing and free the lock so that a waiting crawler starts at once."""
        if self._heartbeat is not None:
            self._heartbeat.stop()
        if self.lost:
            return
        try:
            self._lock.release()
        except (LockError, RedisError) as exc:
            log.warning("could not release the crawler lock: %s", exc)
