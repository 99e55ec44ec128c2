"""The worker spider: one Scrapy spider serving every blog of a shared crawl.

Each blog keeps its own ``BlogSpider`` (its scope, months, posts seen, listing-trap counters), made
on demand from the blog's options in Redis. Requests are bound to their blog's spider: its
callbacks run with that blog's state, and ``SiteQueue`` serializes them against it. The blog's
state is per process: a worker knows the months and posts it discovered itself. That is enough for
correctness (the shared duplicate filter fetches each URL once, whoever found it); what it costs is
that a listing-trap bound (``ARCHIVER_MAX_LISTING_PAGES``) counts per worker.

The worker stops by itself once the whole crawl has had no work (nothing queued, nothing leased,
every blog started) for ``ARCHIVER_REDIS_IDLE_TIMEOUT`` seconds.
"""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import urlsplit

import scrapy
from redis.exceptions import RedisError
from scrapy import signals
from scrapy.exceptions import DontCloseSpider
from scrapy.utils.defer import deferred_from_coro
from twisted.internet import task

from archiver import discovery
from archiver.distributed.coordination import Coordinator, SharedMonths, coordinator_for
from archiver.distributed.scheduler import SITE_KEY
from archiver.output import host_dirname
from archiver.spiders.blog import BlogSpider

logger = logging.getLogger(__name__)


def drain(agen: AsyncIterator[Any]) -> list[Any]:
    """Everything an async generator yields, when it never awaits (``BlogSpider.start``)."""
    out: list[Any] = []
    while True:
        step = agen.__anext__()
        try:
            step.send(None)  # type: ignore[attr-defined]
        except StopIteration as done:
            out.append(done.value)
            continue
        except StopAsyncIteration:
            return out
        step.close()  # type: ignore[attr-defined]
        raise RuntimeError("the start requests of a blog must be made without awaiting")


class WorkerSpider(scrapy.Spider):
    """Serves the blogs of the shared crawl in Redis; see the module's docstring."""

    name = "blog-worker"
    coordinator: Coordinator

    def __init__(self, **kwargs: Any):
        super().__init__(**kwargs)
        self.blogs: dict[str, BlogSpider] = {}
        self.crawl_id = ""
        self.worker_id = ""
        self.start_url = ""
        """No start URL of its own: the manifest and progress name their blog by other means."""
        self.idle_timeout = 30.0
        self.poll_interval = 0.5
        self._idle_since: float | None = None
        self._loop: task.LoopingCall | None = None
        self._last_beat = 0.0
        self._last_idle_check = 0.0
        self._redis_down_since: float | None = None
        self._closing = False

    @classmethod
    def from_crawler(cls, crawler: Any, *args: Any, **kwargs: Any) -> WorkerSpider:
        spider = super().from_crawler(crawler, *args, **kwargs)
        settings = crawler.settings
        spider.coordinator = coordinator_for(crawler)
        spider.crawl_id = spider.coordinator.crawl_id()
        spider.worker_id = spider.coordinator.worker_id  # FEEDS URIs may use %(worker_id)s
        spider.idle_timeout = settings.getfloat("ARCHIVER_REDIS_IDLE_TIMEOUT", 30.0)
        spider.poll_interval = settings.getfloat("ARCHIVER_REDIS_POLL_INTERVAL", 0.5)
        for handler, signal in (
            (spider.spider_opened, signals.spider_opened),
            (spider.spider_closed, signals.spider_closed),
            (spider.spider_idle, signals.spider_idle),
            (spider.response_received, signals.response_received),
            (spider.request_dropped, signals.request_dropped),
        ):
            crawler.signals.connect(handler, signal=signal)
        return spider

    # -- blogs -------------------------------------------------------------------------------

    def site(self, start_url: str) -> BlogSpider:
        """The spider of one blog of the crawl (made on first use from its options in Redis)."""
        start_url = discovery.canonicalize(start_url)
        blog = self.blogs.get(start_url)
        if blog is None:
            options = self.coordinator.site_options(start_url) or {}
            blog = BlogSpider(
                url=start_url,
                since=options.get("since") or None,
                until=options.get("until") or None,
                crawl_id=self.crawl_id,
            )
            # Not opened by Scrapy: it shares the worker's crawler, settings and signals.
            blog.crawler = self.crawler
            blog.settings = self.crawler.settings
            keys = self.coordinator.keys
            blog.month_urls = SharedMonths(self.coordinator.server, keys.months(start_url))  # type: ignore[assignment]
            self.blogs[start_url] = blog
        return blog

    def site_for(self, url: str) -> BlogSpider | None:
        """The blog a URL belongs to: the deepest scope holding it, else one on its origin."""
        for attempt in range(2):
            inside = [b for b in self.blogs.values() if b.scope.relative(url) is not None]
            if inside:
                return max(inside, key=lambda b: len(b.scope.base_path))
            parts = urlsplit(url)
            origin = f"{parts.scheme}://{parts.netloc}".lower()
            same_origin = [b for b in self.blogs.values() if b.scope.origin == origin]
            if same_origin:
                return same_origin[0]
            if attempt == 0:
                for start_url in self.coordinator.sites():
                    self.site(start_url)
        return None

    def owner_of(self, request: scrapy.Request) -> BlogSpider | None:
        """The blog spider a request belongs to."""
        bound = getattr(request.callback, "__self__", None)
        if isinstance(bound, BlogSpider):
            return bound
        site = request.meta.get(SITE_KEY)
        return self.site(site) if site else self.site_for(request.url)

    # What progress display and summary read of a spider, over all blogs of this worker.
    @property
    def month_urls(self) -> dict[str, str]:
        """The months this worker knows of (its local view: no Redis round trip)."""
        return {
            f"{host_dirname(b.start_url)} {m}": u
            for b in self.blogs.values()
            for m, u in getattr(b.month_urls, "local", b.month_urls).items()
        }

    @property
    def posts_seen(self) -> set[str]:
        return {url for b in self.blogs.values() for url in b.posts_seen}

    @property
    def failures(self) -> list[dict[str, Any]]:
        return [f for b in self.blogs.values() for f in b.failures]

    # -- starting, polling, stopping ----------------------------------------------------------

    async def start(self) -> AsyncIterator[scrapy.Request]:
        for request in self._claim_blogs():
            yield request

    def _claim_blogs(self) -> list[scrapy.Request]:
        """Start requests of the blogs not started yet (each blog is claimed by one worker)."""
        requests = []
        for start_url in self.coordinator.claim_unstarted():
            logger.info("Starting blog %s", start_url)
            requests.extend(drain(self.site(start_url).start()))
        return requests

    def spider_opened(self, spider: scrapy.Spider) -> None:
        self._loop = task.LoopingCall(self.tick)  # tick() catches Redis errors: it never dies
        self._loop.start(self.poll_interval, now=False).addErrback(
            lambda f: logger.error("Worker poll loop failed: %s", f.getErrorMessage())
        )

    def spider_closed(self, spider: scrapy.Spider, reason: str) -> None:
        if self._loop is not None and self._loop.running:
            self._loop.stop()

    def tick(self) -> None:
        """Every poll interval: heartbeat, leases, and a nudge to the engine to look for work."""
        try:
            self._beat()
        except RedisError as exc:
            self.redis_unreachable(exc)
            return
        self._redis_down_since = None
        # Scrapy looks at its scheduler again only on its 5 s heartbeat when idle; other workers
        # fill the shared queue meanwhile, so ask for a look now (engine internals, guarded).
        slot = getattr(getattr(self.crawler, "engine", None), "_slot", None)
        nextcall = getattr(slot, "nextcall", None)
        if nextcall is not None and getattr(slot, "closing", None) is None:
            nextcall.schedule()

    def _beat(self) -> None:
        now = time.monotonic()
        if now - self._last_beat >= self.coordinator.lease_ms / 3000:
            self.coordinator.heartbeat()
            self.coordinator.requeue_dead()
            self._last_beat = now
        scheduler = getattr(self.crawler, "archiver_scheduler", None)
        if scheduler is not None:
            scheduler.release_finished()

    def redis_unreachable(self, exc: Exception) -> None:
        """Redis is gone: wait for it as long as a lease lives, then stop (reason
        ``redis_unreachable``); the requests this worker holds are redone by the others."""
        now = time.monotonic()
        if self._redis_down_since is None:
            self._redis_down_since = now
            logger.warning("Redis does not answer (%s): waiting for it", exc)
        if self._closing or now - self._redis_down_since < self.coordinator.lease_ms / 1000:
            return
        self._closing = True
        logger.error(
            "Redis has not answered for %.0f s: stopping this worker", now - self._redis_down_since
        )
        deferred_from_coro(self.crawler.engine.close_spider_async(reason="redis_unreachable"))
        # Scrapy looks at its scheduler again only on its 5 s heartbeat when idle; other workers
        # fill the shared queue meanwhile, so ask for a look now (engine internals, guarded).
        slot = getattr(getattr(self.crawler, "engine", None), "_slot", None)
        nextcall = getattr(slot, "nextcall", None)
        if nextcall is not None and getattr(slot, "closing", None) is None:
            nextcall.schedule()

    def spider_idle(self) -> None:
        """Close only when the whole crawl has had no work for the idle timeout."""
        now = time.monotonic()
        if now - self._last_idle_check < self.poll_interval or self._closing:
            raise DontCloseSpider  # the engine asks often: look at Redis once per poll interval
        self._last_idle_check = now
        self.tick()
        try:
            started = self._claim_blogs()
            for request in started:
                self.crawler.engine.crawl(request)
            busy = bool(started) or not self.coordinator.idle()
        except RedisError as exc:
            self.redis_unreachable(exc)
            raise DontCloseSpider from None  # not idle: cut off (tick stops the worker in time)
        if busy:
            self._idle_since = None
            raise DontCloseSpider
        now = time.monotonic()
        if self._idle_since is None:
            self._idle_since = now
        if now - self._idle_since < self.idle_timeout:
            raise DontCloseSpider
        logger.info("The shared crawl has had no work for %.0f s: stopping", self.idle_timeout)

    # -- per-blog signals --------------------------------------------------------------------

    def response_received(self, response: Any, request: scrapy.Request, spider: Any) -> None:
        if request.meta.get("archiver_start") and request.meta.get(SITE_KEY):
            try:
                self.coordinator.set_start_status(request.meta[SITE_KEY], response.status)
            except RedisError as exc:
                self.redis_unreachable(exc)

    def request_dropped(self, request: scrapy.Request, spider: Any) -> None:
        owner = self.owner_of(request)
        if owner is not None:
            owner.request_dropped(request, spider)
