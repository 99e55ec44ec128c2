"""The crawl manifest: ``DIR/<host>/crawl-<UTC timestamp>.json``, what a crawl did and what went wrong.

Written at the end of every crawl (also an interrupted one): settings that shaped it, counts,
the months found, the WARC files written, and every event (``errors``, ``skipped``, ``traps``; see
``archiver.events``) counted by kind and listed.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

from scrapy import signals

from archiver import __version__, events
from archiver.output import atomic_write_json, site_dir

if TYPE_CHECKING:
    from scrapy import Spider
    from scrapy.crawler import Crawler
    from scrapy.http import Response

# Settings copied into the manifest: the ones that decide what a crawl fetches and how politely.
RECORDED_SETTINGS = (
    "USER_AGENT",
    "ROBOTSTXT_OBEY",
    "CONCURRENT_REQUESTS_PER_DOMAIN",
    "DOWNLOAD_DELAY",
    "AUTOTHROTTLE_ENABLED",
    "DOWNLOAD_MAXSIZE",
    "DOWNLOAD_TIMEOUT",
    "RETRY_TIMES",
    "ARCHIVER_SINCE",
    "ARCHIVER_UNTIL",
    "ARCHIVER_MAX_POSTS",
    "WARC_MAX_SIZE",
)
MAX_LISTED = 10_000
"""Cap on each list in the manifest, so a crawl of a broken site cannot make it unbounded."""


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


class ManifestExtension:
    """Collects the crawl's events and writes the manifest when the spider closes."""

    def __init__(self, crawler: Crawler):
        self.crawler = crawler
        self.output_dir = Path(crawler.settings.get("ARCHIVER_OUTPUT_DIR", "output"))
        self.started_at = _now()
        self.events: dict[str, list[dict[str, Any]]] = {c: [] for c in events.CATEGORIES}
        self.counts: dict[str, Counter[str]] = {c: Counter() for c in events.CATEGORIES}
        self.path: Path | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ManifestExtension:
        ext = cls(crawler)
        crawler.signals.connect(ext.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        crawler.signals.connect(ext.crawl_event, signal=events.crawl_event)
        crawler.signals.connect(ext.item_dropped, signal=signals.item_dropped)
        crawler.signals.connect(ext.item_error, signal=signals.item_error)
        crawler.signals.connect(ext.spider_error, signal=signals.spider_error)
        return ext

    def crawl_event(self, category: str, kind: str, url: str | None, detail: str = "") -> None:
        self.counts[category][kind] += 1
        if len(self.events[category]) < MAX_LISTED:
            self.events[category].append({"kind": kind, "url": url, "detail": detail})

    def spider_opened(self, spider: Spider) -> None:
        self.started_at = _now()
        stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
        self.path = (
            site_dir(self.output_dir, getattr(spider, "start_url", "")) / f"crawl-{stamp}.json"
        )

    def item_dropped(
        self, item: Any, response: Response, exception: Exception, spider: Spider
    ) -> None:
        reason, _, message = str(exception).partition(": ")
        url = getattr(item, "url", None) or (item.pages[0].url if hasattr(item, "pages") else None)
        events.report(self.crawler, "skipped", reason, url, message)

    def item_error(self, item: Any, response: Response, spider: Spider, failure: Any) -> None:
        url = getattr(item, "url", None) or (response.url if response else None)
        events.report(self.crawler, "errors", "pipeline_error", url, repr(failure.value))

    def spider_error(self, failure: Any, response: Response, spider: Spider) -> None:
        events.report(self.crawler, "errors", "spider_error", response.url, repr(failure.value))

    def spider_closed(self, spider: Spider, reason: str) -> None:
        if self.path is None:
            return
        stats = self.crawler.stats.get_stats()
        settings = self.crawler.settings
        manifest = {
            "crawl_id": getattr(spider, "crawl_id", None),
            "start_url": getattr(spider, "start_url", None),
            "archiver_version": __version__,
            "started_at": self.started_at,
            "finished_at": _now(),
            "finish_reason": reason,
            "settings": {name: settings.get(name) for name in RECORDED_SETTINGS},
            "counts": {
                "posts_written": stats.get("archiver/posts_written", 0),
                "months": len(getattr(spider, "month_urls", {})),
                "responses": stats.get("response_received_count", 0),
                **{c: dict(sorted(self.counts[c].items())) for c in events.CATEGORIES},
            },
            "months": dict(sorted(getattr(spider, "month_urls", {}).items())),
            "warc_files": stats.get("warc/file_names", []),
            **self.events,
            "stats": {
                k: (v.isoformat() if isinstance(v, datetime) else v) for k, v in stats.items()
            },
        }
        atomic_write_json(self.path, manifest)
        self.crawler.stats.set_value("archiver/manifest", str(self.path))
