"""What a worker writes: per-worker files in each blog's folder, never a file another worker writes.

In ``DIR/<host>/`` a worker with id ``W`` writes

- ``posts-W.jsonl``: its posts, one whole line each (``posts.jsonl`` is left to ``archiver
  merge``); the per-post files ``posts/YYYY/MM/<slug>.json`` as a single crawl does (atomic);
- ``warc/<WARC_PREFIX>-W-<timestamp>-<serial>-<host>.warc.gz``: its WARC files, so provenance
  (a file name relative to ``warc/``) stays true after the folders of several machines are merged;
- ``crawl-<timestamp>-W.json``: its manifest for that blog (the events of that blog; the counts
  of the worker).

The CDXJ index and ``report.html`` cover the whole crawl, so ``archiver merge`` writes them.
Each component here routes by URL to one instance of the single-crawl component per blog folder.
"""

from __future__ import annotations

import logging
from collections import Counter
from pathlib import Path
from typing import Any

from archiver import events
from archiver.distributed.scheduler import SITE_KEY
from archiver.manifest import ManifestExtension
from archiver.middlewares import ScopeMiddleware
from archiver.output import JsonLinesAppender, site_dir
from archiver.pipelines import StorePipeline, latest_digests
from archiver.warc import WarcExtension

logger = logging.getLogger(__name__)


def worker_id(crawler: Any) -> str:
    from archiver.distributed.coordination import coordinator_for

    return coordinator_for(crawler).worker_id


def blog_of(crawler: Any, url: str) -> Any:
    """The worker's spider for the blog of ``url`` (None when no blog of the crawl holds it)."""
    site_for = getattr(crawler.spider, "site_for", None)
    return site_for(url) if site_for is not None else None


def known_digests(site: Path) -> dict[str, str]:
    """URL -> content digest over ``posts.jsonl`` and every worker's ``posts-*.jsonl``."""
    latest = latest_digests(site / "posts.jsonl")
    for path in sorted(site.glob("posts-*.jsonl")):
        latest.update(latest_digests(path))
    return latest


class DistributedScopeMiddleware(ScopeMiddleware):
    """The scope of the request's own blog, not of the crawl's (a worker serves many blogs)."""

    def scope_for(self, request: Any) -> Any:
        site = request.meta.get(SITE_KEY)
        spider = self.crawler.spider
        blog = spider.site(site) if site and hasattr(spider, "site") else None
        blog = blog or getattr(getattr(request, "callback", None), "__self__", None)
        return getattr(blog, "scope", None)


class DistributedStorePipeline:
    """``StorePipeline`` per blog folder, writing ``posts-<worker>.jsonl``."""

    def __init__(self, crawler: Any):
        self.crawler = crawler
        self.output_dir = Path(crawler.settings.get("ARCHIVER_OUTPUT_DIR", "output"))
        self.stores: dict[Path, StorePipeline] = {}

    @classmethod
    def from_crawler(cls, crawler: Any) -> DistributedStorePipeline:
        return cls(crawler)

    def store_for(self, url: str) -> StorePipeline:
        site = site_dir(self.output_dir, url)
        store = self.stores.get(site)
        if store is None:
            store = StorePipeline(self.crawler)
            store.site = site
            # Posts any worker (or an earlier crawl) archived as they are get no second line.
            store.latest = known_digests(site)
            store.jsonl = JsonLinesAppender(site / f"posts-{worker_id(self.crawler)}.jsonl")
            self.stores[site] = store
        return store

    def process_item(self, item: Any) -> Any:
        url = getattr(item, "url", None)
        if url is None or not hasattr(item, "to_dict"):
            return item
        return self.store_for(url).process_item(item)

    def close_spider(self) -> None:
        for store in self.stores.values():
            store.close_spider()


class _BlogView:
    """What ``WarcExtension.spider_opened`` and the manifest read of a spider, for one folder."""

    def __init__(self, start_url: str, crawl_id: str, blog: Any = None) -> None:
        self.start_url = start_url
        self.crawl_id = crawl_id
        self.month_urls = dict(getattr(blog, "month_urls", {}))


class DistributedWarcExtension(WarcExtension):
    """``WarcExtension`` per blog folder; file names carry the worker id; no index at the end."""

    def __init__(self, crawler: Any):
        super().__init__(crawler)
        self.prefix = f"{self.prefix}-{worker_id(crawler)}"
        self.sites: dict[Path, WarcExtension] = {}
        self.files: list[str] = []

    def spider_opened(self, spider: Any) -> None:
        """Nothing to open yet: a blog's writer opens with its first record."""

    def site_extension(self, url: str) -> WarcExtension:
        site = site_dir(self.output_dir, url)
        ext = self.sites.get(site)
        if ext is None:
            blog = blog_of(self.crawler, url)
            start_url = blog.start_url if blog is not None else url
            crawl_id = getattr(self.crawler.spider, "crawl_id", "")
            ext = WarcExtension(self.crawler)
            ext.prefix = self.prefix
            ext.index_at_close = False
            ext.spider_opened(_BlogView(start_url, crawl_id))  # type: ignore[arg-type]
            assert ext.writer is not None
            ext.writer.on_new_file = self._new_file
            self.sites[site] = ext
        return ext

    def _new_file(self, files: list[Path]) -> None:
        self.files.append(files[-1].name)
        self.crawler.stats.set_value("warc/file_names", list(self.files))

    def response_downloaded(self, response: Any, request: Any, spider: Any) -> None:
        site = request.meta.get(SITE_KEY) or response.url
        self.site_extension(site).response_downloaded(response, request, spider)

    def post_stored(self, post: dict[str, Any], line: bytes | None = None) -> None:
        """The metadata record goes to the folder (and writer) of the post's response record."""
        warc_file = (post.get("provenance") or {}).get("warc_file")
        for ext in self.sites.values():
            if ext.writer is not None and any(f.name == warc_file for f in ext.writer.files):
                ext.post_stored(post, line)
                return
        self.site_extension(post.get("url") or "").post_stored(post, line)

    def spider_closed(self, spider: Any) -> None:
        for ext in self.sites.values():
            if ext.writer is not None:
                ext.writer.close()
        self.crawler.stats.set_value("warc/files", len(self.files))


class DistributedManifestExtension(ManifestExtension):
    """One manifest per blog folder the worker touched: that blog's events, the worker's counts."""

    def __init__(self, crawler: Any):
        super().__init__(crawler)
        self.worker = ""

    @classmethod
    def from_crawler(cls, crawler: Any) -> DistributedManifestExtension:
        ext = super().from_crawler(crawler)
        ext.worker = worker_id(crawler)
        return ext  # type: ignore[return-value]

    def spider_closed(self, spider: Any, reason: str) -> None:
        if self.path is None:
            return
        stamp = self.path.stem.removeprefix("crawl-")
        all_events, all_counts = self.events, self.counts
        folders: dict[Path, Any] = {}
        for blog in getattr(spider, "blogs", {}).values():
            folders.setdefault(site_dir(self.output_dir, blog.start_url), blog)
        for category in events.CATEGORIES:
            for event in all_events[category]:
                if event.get("url"):
                    folder = site_dir(self.output_dir, event["url"])
                    folders.setdefault(folder, blog_of(self.crawler, event["url"]))
        try:
            for folder, blog in sorted(folders.items()):
                self.events = {
                    c: [e for e in all_events[c] if _in_folder(self.output_dir, e, folder)]
                    for c in events.CATEGORIES
                }
                self.counts = {
                    c: Counter(e["kind"] for e in self.events[c]) for c in events.CATEGORIES
                }
                self.path = folder / f"crawl-{stamp}-{self.worker}.json"
                start_url = blog.start_url if blog is not None else ""
                view = _BlogView(start_url, getattr(spider, "crawl_id", ""), blog)
                super().spider_closed(view, reason)  # type: ignore[arg-type]
        finally:
            self.events, self.counts = all_events, all_counts


def _in_folder(output_dir: Path, event: dict[str, Any], folder: Path) -> bool:
    return bool(event.get("url")) and site_dir(output_dir, event["url"]) == folder
