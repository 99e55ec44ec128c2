"""Politeness across workers: one host's delay and concurrency hold for the crawl as a whole.

Scrapy enforces ``DOWNLOAD_DELAY`` and ``CONCURRENT_REQUESTS_PER_DOMAIN`` per process: four
workers would hit a blog four times as hard. ``PoliteDownloadHandler`` takes a token in Redis
right before each request goes out, in one Lua script:

- the delay: ``SET <prefix>:polite:<host> NX PX <delay ms>``; while the key lives, no worker may
  start a request to that host (the script answers how long to wait);
- the concurrency: a sorted set ``<prefix>:inflight:<host>`` of the requests in flight, each
  with an expiry (``DOWNLOAD_TIMEOUT`` + a minute, so a killed worker cannot hold a place for
  ever); a request starts only while fewer than ``CONCURRENT_REQUESTS_PER_DOMAIN`` are in it.

The delay is the larger of ``DOWNLOAD_DELAY`` and the worker's own current delay for the host
(AutoThrottle's, or robots.txt's ``Crawl-delay``). It is taken in the download handler, after
Scrapy's own per-worker slot has let the request go, so the gap is measured where the request
leaves, as close to the wire as Scrapy allows. Host means Scrapy's download slot (the host name).
"""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from typing import Any

from scrapy import Request
from scrapy.http import Response

from archiver.capture import ArchiverDownloadHandler
from archiver.distributed.coordination import Coordinator, coordinator_for

logger = logging.getLogger(__name__)

ACQUIRE_SCRIPT = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local limit = tonumber(ARGV[3])
if limit > 0 then
  redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now)
  if redis.call('ZCARD', KEYS[2]) >= limit then return -1 end
end
if tonumber(ARGV[2]) > 0 then
  if not redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then
    local ttl = redis.call('PTTL', KEYS[1])
    if ttl < 1 then ttl = 1 end
    return ttl
  end
end
if limit > 0 then
  redis.call('ZADD', KEYS[2], now + tonumber(ARGV[4]), ARGV[1])
  redis.call('PEXPIRE', KEYS[2], ARGV[4])
end
return 0
"""
FULL_POLL = 0.02
"""Seconds between two tries while the host has its full number of requests in flight."""
INFLIGHT_MARGIN = 60.0
"""Seconds an in-flight place outlives DOWNLOAD_TIMEOUT, for a worker that died holding it."""


class PolitenessGate:
    """Takes and gives back a host's token in Redis (see the module's docstring)."""

    def __init__(
        self, coordinator: Coordinator, delay: float, concurrency: int, timeout: float
    ) -> None:
        self.coordinator = coordinator
        self.delay = max(0.0, delay)
        self.concurrency = max(0, concurrency)
        self.expire_ms = int((timeout + INFLIGHT_MARGIN) * 1000)
        self._acquire = coordinator.server.register_script(ACQUIRE_SCRIPT)

    async def acquire(self, slot: str, delay: float) -> tuple[str, float]:
        """Wait until ``slot`` may take one more request; (token, seconds waited)."""
        token = f"{self.coordinator.worker_id}:{uuid.uuid4().hex}"
        keys = [self.coordinator.keys.polite(slot), self.coordinator.keys.inflight(slot)]
        delay_ms = int(max(self.delay, delay) * 1000)
        started = time.monotonic()
        while True:
            wait = int(
                self._acquire(keys=keys, args=[token, delay_ms, self.concurrency, self.expire_ms])
            )
            if wait == 0:
                return token, time.monotonic() - started
            await asyncio.sleep(FULL_POLL if wait < 0 else wait / 1000)

    def release(self, slot: str, token: str) -> None:
        if self.concurrency:
            self.coordinator.server.zrem(self.coordinator.keys.inflight(slot), token)


class PoliteDownloadHandler(ArchiverDownloadHandler):
    """The archiver's HTTP handler, each request waiting for its host's token in Redis."""

    def __init__(self, crawler: Any, *args: Any, **kwargs: Any):
        super().__init__(crawler, *args, **kwargs)
        settings = crawler.settings
        self.crawler = crawler
        self.gate = PolitenessGate(
            coordinator_for(crawler),
            delay=settings.getfloat("DOWNLOAD_DELAY"),
            concurrency=settings.getint("CONCURRENT_REQUESTS_PER_DOMAIN"),
            timeout=settings.getfloat("DOWNLOAD_TIMEOUT", 180.0),
        )

    def _slot(self, request: Request) -> tuple[str, float]:
        """Scrapy's download slot of the request and the worker's own delay for it."""
        downloader = getattr(getattr(self.crawler, "engine", None), "downloader", None)
        if downloader is None:
            return request.meta.get("download_slot") or "", 0.0
        key = downloader.get_slot_key(request)
        slot = downloader.slots.get(key)
        return key, float(getattr(slot, "delay", 0.0) or 0.0)

    async def download_request(self, request: Request) -> Response:
        slot, delay = self._slot(request)
        token, waited = await self.gate.acquire(slot, delay)
        stats = self.crawler.stats
        stats.inc_value("archiver/politeness/requests")
        if waited > 0.001:
            stats.inc_value("archiver/politeness/waits")
            stats.inc_value("archiver/politeness/wait_seconds", round(waited, 3))
        try:
            return await super().download_request(request)
        finally:
            self.gate.release(slot, token)
