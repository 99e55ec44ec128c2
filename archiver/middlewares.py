"""Downloader middlewares that keep an unattended crawl inside the blog, polite and finite.

- ``ScopeMiddleware``: nothing outside the blog is fetched, whatever redirects or ``<base href>``
  say (Scrapy's offsite filter compares hosts with their port, and follows redirects anywhere).
- ``CrawlDelayMiddleware``: honours robots.txt ``Crawl-delay``, which Scrapy ignores.
- ``BackoffRetryMiddleware``: Scrapy's retries, spaced out exponentially and by ``Retry-After``.
"""

from __future__ import annotations

import asyncio
import email.utils
import logging
import time
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from protego import Protego
from scrapy import signals
from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.exceptions import IgnoreRequest

from archiver import events

if TYPE_CHECKING:
    from scrapy import Request
    from scrapy.crawler import Crawler
    from scrapy.http import Response

logger = logging.getLogger(__name__)


class ScopeMiddleware:
    """Drops requests outside the spider's scope (a redirect off the blog, for instance)."""

    def __init__(self, crawler: Crawler):
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ScopeMiddleware:
        return cls(crawler)

    def scope_for(self, request: Request) -> Any:
        """The blog the request must stay in (a distributed worker serves several)."""
        return getattr(self.crawler.spider, "scope", None)

    def process_request(self, request: Request) -> None:
        scope = self.scope_for(request)
        if scope is None or request.meta.get("archiver_any_scope"):
            return
        parts = urlsplit(request.url)
        if (
            parts.path == "/robots.txt"
            and f"{parts.scheme}://{parts.netloc}".lower() == scope.origin
        ):
            return
        if scope.relative(request.url) is None:
            events.report(
                self.crawler, "traps", "offsite", request.url, "outside the blog: not fetched"
            )
            raise IgnoreRequest(f"outside the blog: {request.url}")


class CrawlDelayMiddleware:
    """Applies a robots.txt ``Crawl-delay`` to the site's download slot, as a floor on its delay."""

    def __init__(self, crawler: Crawler):
        self.crawler = crawler
        self.delays: dict[str, float] = {}
        self.max_delay = crawler.settings.getfloat("ARCHIVER_MAX_CRAWL_DELAY", 60.0)
        crawler.signals.connect(self.response_received, signal=signals.response_received)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> CrawlDelayMiddleware:
        return cls(crawler)

    def response_received(self, response: Response, request: Request, spider: Any) -> None:
        parts = urlsplit(response.url)
        if parts.path != "/robots.txt" or response.status != 200:
            return
        try:
            robots = Protego.parse(response.body.decode("utf-8", "replace"))
            agent = self.crawler.settings.get("ROBOTSTXT_USER_AGENT") or self.crawler.settings.get(
                "USER_AGENT"
            )
            delay = robots.crawl_delay(agent)
        except Exception:  # a robots.txt we cannot read gives no delay; the parser is third-party
            logger.warning("Could not read Crawl-delay from %s", response.url, exc_info=True)
            return
        if delay:
            self.delays[parts.netloc.lower()] = min(float(delay), self.max_delay)
            logger.info("robots.txt asks for Crawl-delay %s s on %s", delay, parts.netloc)

    def process_request(self, request: Request) -> None:
        delay = self.delays.get(urlsplit(request.url).netloc.lower())
        if not delay:
            return
        downloader = self.crawler.engine.downloader  # type: ignore[union-attr]
        key = downloader.get_slot_key(request)
        slot = downloader.slots.get(key)
        if slot is not None and slot.delay < delay:
            slot.delay = delay
            slot.jitter = 0.0


TOO_LARGE_KEY = "archiver_too_large"
"""Request meta flag: the body outgrew DOWNLOAD_MAXSIZE and was cut off by Scrapy."""


class BackoffRetryMiddleware(RetryMiddleware):
    """Retries like Scrapy, but waits before each retry: ``Retry-After`` when the server gives one
    (capped by ``RETRY_MAX_DELAY``), otherwise ``RETRY_BACKOFF_BASE * 2**(attempt-1)``. A body
    cut short (Scrapy's "dataloss" flag, kept by DOWNLOAD_FAIL_ON_DATALOSS=False) is retried too,
    unless it was cut at the size limit."""

    def __init__(self, settings: Any):
        super().__init__(settings)
        self.backoff_base = settings.getfloat("RETRY_BACKOFF_BASE", 1.0)
        self.max_delay = settings.getfloat("RETRY_MAX_DELAY", 60.0)
        self.maxsize = settings.getint("DOWNLOAD_MAXSIZE")
        self.received: dict[int, int] = {}

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> BackoffRetryMiddleware:
        mw = super().from_crawler(crawler)
        crawler.signals.connect(mw.bytes_received, signal=signals.bytes_received)
        return mw

    def bytes_received(self, data: bytes, request: Request, spider: Any) -> None:
        """Scrapy empties the body it cuts at DOWNLOAD_MAXSIZE; count, to tell why it is empty."""
        if not self.maxsize:
            return
        total = self.received.get(id(request), 0) + len(data)
        self.received[id(request)] = total
        if total > self.maxsize:
            request.meta[TOO_LARGE_KEY] = True

    def _delay(self, request: Request, response: Response | None) -> float:
        attempt = request.meta.get("retry_times", 0) + 1
        delay = self.backoff_base * 2 ** (attempt - 1)
        if response is not None:
            header = response.headers.get(b"Retry-After")
            if header:
                delay = parse_retry_after(header.decode("latin-1"), default=delay)
        return max(0.0, min(delay, self.max_delay))

    async def process_response(self, request: Request, response: Response) -> Any:
        self.received.pop(id(request), None)
        if request.meta.get(TOO_LARGE_KEY):
            return response
        if "dataloss" in response.flags and not request.meta.get("dont_retry"):
            retry = self._retry(request, "truncated body")
            if retry is not None:
                await asyncio.sleep(self._delay(request, None))
                return retry
            return response
        result = super().process_response(request, response)
        if result is not response:
            await asyncio.sleep(self._delay(request, response))
        return result

    async def process_exception(self, request: Request, exception: Exception) -> Any:
        self.received.pop(id(request), None)
        result = super().process_exception(request, exception)
        if result is not None:
            await asyncio.sleep(self._delay(request, None))
        return result


def parse_retry_after(value: str, default: float) -> float:
    """Seconds to wait from a ``Retry-After`` value (delta-seconds or an HTTP date).

    >>> parse_retry_after("3", 1.0), parse_retry_after("soon", 1.0)
    (3.0, 1.0)
    """
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return default
    return max(0.0, when.timestamp() - time.time())
