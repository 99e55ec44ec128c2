"""Item pipelines: fetched post pages -> extracted Post -> validated -> deduplicated -> stored.

Each pipeline does one job and drops what it cannot accept with ``DropItem(reason)``; the reason
is counted in the stats (``archiver/dropped/<reason>``) and listed in the crawl manifest.
"""

from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import replace
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

import jsonschema
import orjson
from scrapy.exceptions import DropItem

from archiver import __version__, discovery
from archiver import signals as archiver_signals
from archiver.extraction import Outcome, extract_fetched
from archiver.items import Archive, FetchedPost, Post, Provenance
from archiver.output import (
    JsonLinesAppender,
    atomic_write_bytes,
    json_line,
    json_pretty,
    safe_slug,
    site_dir,
)
from archiver.schema_check import fast_check

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)


def drop(crawler: Crawler, reason: str, message: str) -> DropItem:
    """Count a drop under ``archiver/dropped/<reason>`` and build the exception to raise."""
    crawler.stats.inc_value(f"archiver/dropped/{reason}")
    return DropItem(f"{reason}: {message}")


def spider_for(crawler: Crawler, url: str) -> Any:
    """The spider of the blog ``url`` belongs to: the crawl's own, or in a distributed worker
    (which serves several blogs, ``archiver.distributed``) that blog's."""
    spider = crawler.spider
    site_for = getattr(spider, "site_for", None)
    return (site_for(url) or spider) if site_for is not None else spider


class ExtractPipeline:
    """FetchedPost -> Post, with the archive month and the WARC provenance filled in."""

    def __init__(self, crawler: Crawler):
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ExtractPipeline:
        return cls(crawler)

    def process_item(self, item: Any) -> Any:
        if not isinstance(item, FetchedPost):
            return item
        return self.finish(item, extract_fetched(item))

    def finish(self, item: FetchedPost, outcome: Outcome) -> Post:
        """The extracted post with its archive month and provenance, or DropItem when none."""
        url = item.pages[0].url
        spider = spider_for(self.crawler, url)
        for level, message in outcome.log:
            logger.log(level, message)
        if outcome.post is None:
            reason = outcome.reason or "extraction_failed"
            if outcome.not_a_post:
                raise drop(
                    self.crawler, reason, f"{url} is not an archivable post ({outcome.message})"
                )
            raise drop(self.crawler, reason, f"{url}: {outcome.message}")
        post = outcome.post

        scope = getattr(spider, "scope", None)
        month = (
            (post.published or "")[:7]
            or item.archive_month
            or (discovery.month_of_post_url(scope, url) if scope else None)
        )
        if month and not discovery.month_in_range(
            month, getattr(spider, "since", None), getattr(spider, "until", None)
        ):
            raise drop(self.crawler, "out_of_range", f"{url} is from {month}")
        month_urls: dict[str, str] = getattr(spider, "month_urls", {})
        post.archive = Archive(month=month or None, url=month_urls.get(month) if month else None)
        first = item.pages[0]
        post.provenance = Provenance(
            warc_file=first.capture.warc_file,
            warc_record_id=first.capture.warc_record_id,
            warc_offset=first.capture.warc_offset,
            fetched_at=first.fetched_at,
            status=first.status,
            crawl_id=getattr(spider, "crawl_id", None),
            archiver_version=__version__,
            pages=[replace(p.capture) for p in item.pages],
        )
        self.crawler.stats.inc_value("archiver/extracted")
        return post


class BoilerplatePipeline:
    """Strips blocks that repeat across the site's posts, when the spider carries a site-level
    model (``spider.boilerplate``, an ``archiver.extract.boilerplate.BoilerplateModel``).

    ``archiver reextract --strip-boilerplate`` learns that model from the whole archive first; a
    live crawl has none (it cannot know the template before it has seen the site, and changing a
    post's text once more pages have been seen would make every re-run look like an edit).
    """

    def __init__(self, crawler: Crawler):
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> BoilerplatePipeline:
        return cls(crawler)

    def process_item(self, item: Any) -> Any:
        model = getattr(self.crawler.spider, "boilerplate", None)
        if model is None or not isinstance(item, Post):
            return item
        stripped = len(model.boilerplate_blocks(item.body.text))
        if not stripped:
            return item
        self.crawler.stats.inc_value("archiver/boilerplate/blocks_stripped", stripped)
        return model.strip_post(item)


def load_schema() -> dict[str, Any]:
    """The published JSON Schema of a post (shipped in the package)."""
    text = resources.files("archiver").joinpath("schema/post.schema.json").read_text("utf-8")
    return json.loads(text)


class ValidatePipeline:
    """Drops posts that do not match the published JSON Schema."""

    def __init__(self, crawler: Crawler):
        self.crawler = crawler
        schema = load_schema()
        self.validator = jsonschema.Draft202012Validator(schema)
        self.fast_check = fast_check(schema)
        """Compiled yes/no check (archiver.schema_check); jsonschema explains every "no"."""

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ValidatePipeline:
        return cls(crawler)

    def process_item(self, item: Any) -> Any:
        if not isinstance(item, Post):
            return item
        data = item.to_dict()
        valid = self.fast_check is not None and self.fast_check(data)
        error = (
            None if valid else jsonschema.exceptions.best_match(self.validator.iter_errors(data))
        )
        if error is not None:
            where = "/".join(str(p) for p in error.absolute_path) or "(root)"
            raise drop(self.crawler, "invalid", f"{item.url}: {where}: {error.message}")
        if not item.title or not item.body.text:
            raise drop(self.crawler, "empty", f"{item.url} has no title or no body text")
        return item


class DedupePipeline:
    """One post per canonical URL per crawl (the sticky post is listed twice, for instance)."""

    def __init__(self, crawler: Crawler):
        self.crawler = crawler
        self.seen: set[str] = set()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> DedupePipeline:
        return cls(crawler)

    def process_item(self, item: Any) -> Any:
        if not isinstance(item, Post):
            return item
        if "#" in item.url:
            key = item.url  # a post printed on a listing page: the fragment is its identity
        else:
            key = discovery.canonicalize(item.canonical_url or item.url)
        requested = getattr(spider_for(self.crawler, item.url), "posts_seen", set())
        if key != discovery.canonicalize(item.url) and key in requested:
            # A variant of a post the crawl also fetches under its own URL: keep that one.
            raise drop(self.crawler, "duplicate", f"{item.url} is a copy of {key}, archived there")
        if key in self.seen:
            raise drop(self.crawler, "duplicate", f"{item.url} already archived as {key}")
        self.seen.add(key)
        return item


class StorePipeline:
    """Writes ``posts.jsonl`` (append-only, whole lines) and ``posts/YYYY/MM/<slug>.json`` (atomic).

    Each post is encoded once for posts.jsonl and the WARC metadata record (``post_stored``
    carries the line) and once indented for its own file.
    """

    def __init__(self, crawler: Crawler):
        self.crawler = crawler
        self.output_dir = Path(crawler.settings.get("ARCHIVER_OUTPUT_DIR", "output"))
        self.max_posts = 0
        self.written = 0
        self.jsonl: JsonLinesAppender | None = None
        self.site: Path | None = None
        self.latest: dict[str, str] = {}

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> StorePipeline:
        return cls(crawler)

    def open_spider(self) -> None:
        spider = self.crawler.spider
        self.site = site_dir(self.output_dir, getattr(spider, "start_url", ""))
        self.latest = latest_digests(self.site / "posts.jsonl")
        self.jsonl = JsonLinesAppender(self.site / "posts.jsonl")
        self.max_posts = getattr(spider, "max_posts", 0) or 0

    def close_spider(self) -> None:
        if self.jsonl is not None:
            self.jsonl.close()

    def post_path(self, post: Post) -> Path:
        """``posts/YYYY/MM/<slug>.json``; a second post with the same slug gets a URL-derived suffix."""
        assert self.site is not None
        month = post.archive.month or "undated"
        folder = self.site / "posts" / Path(*month.split("-"))
        slug = safe_slug(post.canonical_url or post.url)
        path = folder / f"{slug}.json"
        owner = _stored_url(path)  # read from the file itself: no per-post map in memory
        if owner is not None and owner != post.url:
            path = folder / f"{slug}-{_short_hash(post.url)}.json"
        return path

    def process_item(self, item: Any) -> Any:
        if not isinstance(item, Post):
            return item
        if self.max_posts and self.written >= self.max_posts:
            raise drop(
                self.crawler, "max_posts", f"{item.url}: --max-posts {self.max_posts} reached"
            )
        item.content_digest = item.content_digest or item.compute_digest()
        state = getattr(self.crawler, "archiver_state", None)
        previous = self.latest.get(item.url)
        if previous == item.content_digest:
            # Already archived as it is (an earlier run, or a resumed one): no second line.
            if state is not None:
                state.update(item.url, kind="post", content_digest=item.content_digest)
            raise drop(
                self.crawler, "unchanged", f"{item.url}: content unchanged since last archived"
            )
        item.previous_digest = previous
        data = item.to_dict()
        line = json_line(data)
        atomic_write_bytes(self.post_path(item), json_pretty(data), durable=False)
        assert self.jsonl is not None
        self.jsonl.append(line)
        self.written += 1
        self.latest[item.url] = item.content_digest
        if state is not None:
            state.update(item.url, kind="post", content_digest=item.content_digest)
        self.crawler.stats.inc_value("archiver/posts_written")
        # The WARC extension answers with the post's metadata record (archiver.signals).
        self.crawler.signals.send_catch_log(
            signal=archiver_signals.post_stored, post=data, line=line
        )
        return item


def latest_digests(jsonl: Path) -> dict[str, str]:
    """URL -> content digest of its latest line in a posts.jsonl (empty when there is none)."""
    latest: dict[str, str] = {}
    if not jsonl.exists():
        return latest
    with jsonl.open("rb") as fh:
        for line in fh:
            try:
                record = json.loads(line)
            except ValueError:
                continue  # a torn last line from a killed crawl; the appender drops it
            if record.get("url") and record.get("content_digest"):
                latest[record["url"]] = record["content_digest"]
    return latest


def _stored_url(path: Path) -> str | None:
    if not path.exists():
        return None
    try:
        return orjson.loads(path.read_bytes()).get("url")
    except (OSError, ValueError):
        return None


def _short_hash(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:8]
