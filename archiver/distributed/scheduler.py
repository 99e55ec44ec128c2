"""scrapy-redis's scheduler, with leases: a popped request stays in Redis until it is handled.

scrapy-redis pops requests destructively: a worker killed with requests in flight would lose
them. ``LeasingScheduler`` pops through ``Coordinator.pop`` (pop and lease in one atomic step)
and drops a lease only once Scrapy's engine is done with the request: downloaded, its callback
run, the requests it yielded queued and its items through the pipelines (the engine keeps a
request in its slot's ``inprogress`` set until then). Retries and redirects are queued before
the request leaves that set, so they are never lost either. Leases still held when the worker
stops early (Ctrl-C, SIGTERM) are put back into the queue.

``SiteQueue`` serializes each request against its own blog's ``BlogSpider`` (callbacks by name,
with pickle, as scrapy-redis does) and records the blog in the request's meta, so that any
worker can rebuild it with that blog's scope and state.
"""

from __future__ import annotations

import logging
from typing import Any

from redis.exceptions import RedisError
from scrapy import Request
from scrapy.utils.misc import load_object
from scrapy.utils.request import request_from_dict
from scrapy_redis.queue import PriorityQueue
from scrapy_redis.scheduler import Scheduler

from archiver.distributed.coordination import Coordinator, coordinator_for

logger = logging.getLogger(__name__)

SITE_KEY = "archiver_site"
"""Request meta key: the start URL of the blog a request belongs to."""


class SiteQueue(PriorityQueue):
    """scrapy-redis's priority queue; each request serialized against its blog's spider."""

    def _encode_request(self, request: Request) -> bytes:
        owner = self.spider.owner_of(request)
        if owner is not None:
            request.meta[SITE_KEY] = owner.start_url
        return self.serializer.dumps(request.to_dict(spider=owner or self.spider))

    def _decode_request(self, encoded_request: bytes) -> Request:
        obj = self.serializer.loads(encoded_request)
        site = (obj.get("meta") or {}).get(SITE_KEY)
        owner = self.spider.site(site) if site else self.spider
        return request_from_dict(obj, spider=owner)


class LeasingScheduler(Scheduler):
    """scrapy-redis's Scheduler popping under leases (see the module's docstring)."""

    crawler: Any
    coordinator: Coordinator

    @classmethod
    def from_crawler(cls, crawler: Any) -> LeasingScheduler:
        instance = super().from_crawler(crawler)
        instance.crawler = crawler
        instance.coordinator = coordinator_for(crawler)
        instance.leased = {}
        crawler.archiver_scheduler = instance  # the worker spider's poll loop releases leases
        return instance

    def open(self, spider: Any) -> None:
        """scrapy-redis's ``open`` (without its deprecated ``spider.log``), then join the crawl."""
        self.spider = spider
        self.queue = load_object(self.queue_cls)(
            server=self.server, spider=spider, key=self.queue_key, serializer=self.serializer
        )
        if not self.df:
            self.df = load_object(self.dupefilter_cls).from_spider(spider)
        if self.flush_on_start:
            self.flush()
        queued = len(self.queue)
        if queued:
            logger.info("Joining a shared crawl with %d requests queued", queued)
        self.coordinator.register()

    def close(self, reason: str) -> None:
        try:
            if reason == "finished":
                self.coordinator.release(self.leased.values())
            else:
                again = self.coordinator.requeue(self.leased.values())
                if again:
                    logger.info("Put %d unfinished requests back into the shared queue", again)
            self.coordinator.unregister()
        except RedisError as exc:
            logger.error(
                "Could not hand back %d leased requests (%s): other workers redo them once Redis "
                "is back and this worker's lease has timed out",
                len(self.leased),
                exc,
            )
        self.leased.clear()

    def enqueue_request(self, request: Request) -> bool:
        """scrapy-redis's, without its deprecated ``spider=`` stats argument."""
        if not request.dont_filter and self.df.request_seen(request):
            self.df.log(request, self.spider)
            return False
        self.stats.inc_value("scheduler/enqueued/redis")
        self.queue.push(request)
        return True

    def _inprogress(self) -> set[Request] | None:
        """Requests the engine is still handling; None while it is closing (keep every lease)."""
        slot = getattr(getattr(self.crawler, "engine", None), "_slot", None)
        if slot is None or getattr(slot, "closing", None) is not None:
            return None
        return slot.inprogress

    def release_finished(self) -> int:
        """Drop the leases of requests the engine has finished with; how many."""
        inprogress = self._inprogress()
        if inprogress is None or not self.leased:
            return 0
        done = [request for request in self.leased if request not in inprogress]
        self.coordinator.release(self.leased.pop(request) for request in done)
        return len(done)

    def has_pending_requests(self) -> bool:
        try:
            return len(self) > 0
        except RedisError:
            return False  # the worker's poll loop waits for Redis, then stops the worker

    def next_request(self) -> Request | None:
        try:
            self.release_finished()
            popped = self.coordinator.pop()
        except RedisError as exc:
            self.stats.inc_value("archiver/redis/errors")
            logger.debug("Redis error while popping a request: %s", exc)
            return None
        if popped is None:
            return None
        lease, data = popped
        try:
            request = self.queue._decode_request(data)
        except Exception:
            logger.exception("A queued request could not be read back: dropped")
            self.stats.inc_value("archiver/redis/undecodable_requests")
            self.coordinator.release([lease])
            return None
        self.leased[request] = lease
        self.stats.inc_value("scheduler/dequeued/redis")
        return request
