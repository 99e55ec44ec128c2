"""``archiver reextract WARC_OR_WACZ... --output DIR``: rebuild the posts from an archive alone.

The posts' ``metadata`` records say which responses were posts, which pages each post was
assembled from (``provenance.pages``), in which order they were stored and in which monthly archive
they were listed. The page bytes come from the ``response`` records (content-encoding undone, as
Scrapy did during the crawl), and the extraction runs again, today's extractor over yesterday's
captures, through the crawl's own item pipelines (extract, validate, dedupe, store): a Scrapy crawl
whose spider makes no request at all and yields the archived pages as items. On the archive of a
crawl, its output equals that crawl's, apart from the crawl id and manifest.

An archive without post metadata records (WARC files written by another tool) falls back to
trying every HTML ``200`` response as a post: the extraction pipeline drops what is not one.
Multi-page posts are not stitched in that mode, since nothing records which pages belong together.
"""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import scrapy
from scrapy.http import Headers, TextResponse
from scrapy.responsetypes import responsetypes
from warcio.archiveiterator import ArchiveIterator

from archiver.discovery import Scope
from archiver.extract.boilerplate import BoilerplateModel
from archiver.extraction import extract_fetched
from archiver.items import FetchedPage, FetchedPost, PageCapture
from archiver.output import host_dirname
from archiver.records import ArchiveSource, dechunk, decode_content
from archiver.warc import POST_METADATA_CONTENT_TYPE

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class StoredResponse:
    """Where a response record is, and what its head says."""

    source: ArchiveSource
    offset: int
    url: str
    date: str
    status: int | None
    mime: str
    refers_to: str | None = None
    """For a revisit record: the record id of the response holding the payload."""


@dataclass
class ArchiveContents:
    """The index of an archive that re-extraction needs (no bodies kept in memory)."""

    responses: dict[str, StoredResponse] = field(default_factory=dict)
    """Response record id -> where it is."""
    posts: list[dict[str, Any]] = field(default_factory=list)
    """Post JSON from the metadata records, in archive order, the newest capture of each URL."""
    start_urls: list[str] = field(default_factory=list)
    """Start URLs the warcinfo records name."""
    problems: list[str] = field(default_factory=list)


def _is_post_metadata(record: Any) -> bool:
    ctype = (record.rec_headers.get_header("Content-Type") or "").split(";")[0].strip()
    return ctype == POST_METADATA_CONTENT_TYPE and bool(
        record.rec_headers.get_header("WARC-Refers-To")
    )


def _warcinfo_fields(data: bytes) -> dict[str, str]:
    fields = {}
    for line in data.decode("utf-8", "replace").splitlines():
        name, sep, value = line.partition(":")
        if sep:
            fields[name.strip()] = value.strip()
    return fields


def scan_archive(sources: list[ArchiveSource]) -> ArchiveContents:
    """One pass over every record: where the responses are, and the posts' metadata records."""
    contents = ArchiveContents()
    posts: dict[str, dict[str, Any]] = {}
    for source in sources:
        try:
            with source.open() as fh:
                it = ArchiveIterator(fh)
                for record in it:
                    rtype = record.rec_type
                    data = (
                        record.content_stream().read() if rtype in ("metadata", "warcinfo") else b""
                    )
                    offset = it.get_record_offset()
                    headers = record.rec_headers
                    if rtype in ("response", "revisit") and record.http_headers is not None:
                        http = record.http_headers
                        code = http.get_statuscode()
                        contents.responses[headers.get_header("WARC-Record-ID")] = StoredResponse(
                            source=source,
                            offset=offset,
                            url=headers.get_header("WARC-Target-URI"),
                            date=headers.get_header("WARC-Date"),
                            status=int(code) if code and code.isdigit() else None,
                            mime=(http.get_header("Content-Type") or "").split(";")[0].strip(),
                            refers_to=headers.get_header("WARC-Refers-To")
                            if rtype == "revisit"
                            else None,
                        )
                    elif rtype == "metadata" and _is_post_metadata(record):
                        try:
                            post = json.loads(data)
                        except ValueError as exc:
                            contents.problems.append(f"{source.name} @{offset}: bad JSON: {exc}")
                            continue
                        if isinstance(post, dict) and post.get("url"):
                            posts.pop(post["url"], None)  # keep the newest, in its place
                            posts[post["url"]] = post
                    elif rtype == "warcinfo":
                        start = _warcinfo_fields(data).get("start-url")
                        if start and start not in contents.start_urls:
                            contents.start_urls.append(start)
        except Exception as exc:  # a cut or corrupt file: keep what was read before it
            contents.problems.append(f"{source.name}: read up to an unreadable record ({exc})")
    contents.posts = list(posts.values())
    return contents


def _read_record(stored: StoredResponse) -> tuple[str, Any, bytes]:
    """(record id, HTTP head, block payload as stored) of the record at ``stored``."""
    with stored.source.open() as fh:
        fh.seek(stored.offset)
        record = next(iter(ArchiveIterator(fh)))
        return (
            record.rec_headers.get_header("WARC-Record-ID"),
            record.http_headers,
            record.raw_stream.read(),
        )


def load_page(stored: StoredResponse, responses: dict[str, StoredResponse]) -> FetchedPage:
    """The page as the crawl's callback saw it: decoded body, Scrapy's encoding detection.

    A revisit record (an unchanged page on a re-crawl) takes its payload from the response it
    refers to, as a replay tool would; its own record stays the page's capture.
    """
    record_id, http, body = _read_record(stored)
    if stored.refers_to is not None:
        original = responses.get(stored.refers_to)
        if original is None or original.refers_to is not None:
            raise ValueError(f"revisit of {stored.url} refers to a missing response record")
        _id, _http, body = _read_record(original)
    if "chunked" in (http.get_header("Transfer-Encoding") or "").lower():
        body = dechunk(body) or body
    body = decode_content(body, http.get_header("Content-Encoding"))
    headers = Headers()
    for name, value in http.headers:
        if name.lower() not in ("content-encoding", "transfer-encoding", "content-length"):
            headers.appendlist(name, value)
    cls = responsetypes.from_args(headers=headers, url=stored.url, body=body)
    response = cls(url=stored.url, status=stored.status or 200, headers=headers, body=body)
    return FetchedPage(
        url=stored.url,
        body=body,
        encoding=response.encoding if isinstance(response, TextResponse) else None,
        status=stored.status or 200,
        capture=PageCapture(
            url=stored.url,
            warc_file=stored.source.name,
            warc_record_id=record_id,
            warc_offset=stored.offset,
        ),
        fetched_at=stored.date,
    )


def fetched_posts(
    contents: ArchiveContents, posts: list[dict[str, Any]], on_problem: Callable[[str], None]
) -> list[FetchedPost]:
    """The archived pages of each post named by a metadata record, ready for the pipelines."""
    items = []
    for post in posts:
        prov = post.get("provenance") or {}
        page_ids = [p.get("warc_record_id") for p in prov.get("pages") or []]
        page_ids = page_ids or [prov.get("warc_record_id")]
        missing = [pid for pid in page_ids if pid not in contents.responses]
        if missing:
            on_problem(f"{post['url']}: response record(s) {', '.join(map(str, missing))} missing")
            continue
        try:
            pages = [load_page(contents.responses[pid], contents.responses) for pid in page_ids]
        except Exception as exc:
            on_problem(f"{post['url']}: archived page unreadable: {exc}")
            continue
        archive = post.get("archive") or {}
        items.append(FetchedPost(pages=pages, archive_month=archive.get("month")))
    return items


def fallback_posts(
    contents: ArchiveContents, host: str, on_problem: Callable[[str], None]
) -> list[FetchedPost]:
    """Without metadata records: every HTML 200 response of ``host``, one page each."""
    items = []
    for stored in contents.responses.values():
        if stored.status != 200 or stored.mime not in ("text/html", "application/xhtml+xml"):
            continue
        if host_dirname(stored.url) != host:
            continue
        try:
            items.append(FetchedPost(pages=[load_page(stored, contents.responses)]))
        except Exception as exc:
            on_problem(f"{stored.url}: archived page unreadable: {exc}")
    return items


def site_groups(contents: ArchiveContents) -> dict[str, str]:
    """host folder name -> start URL, for every site the archive holds posts (or pages) of."""
    groups: dict[str, str] = {}
    for url in contents.start_urls:
        groups.setdefault(host_dirname(url), url)
    urls = [p["url"] for p in contents.posts] or [r.url for r in contents.responses.values()]
    for url in urls:
        parts = urlsplit(url)
        groups.setdefault(host_dirname(url), f"{parts.scheme}://{parts.netloc}/")
    wanted = {host_dirname(u) for u in urls}
    return {host: start for host, start in groups.items() if host in wanted}


class ReextractSpider(scrapy.Spider):
    """Yields archived posts as items; requests nothing (the crawl's pipelines do the rest)."""

    name = "reextract"

    def __init__(
        self,
        start_url: str,
        items: list[FetchedPost],
        month_urls: dict[str, str] | None = None,
        boilerplate: BoilerplateModel | None = None,
        **kwargs: Any,
    ):
        super().__init__(**kwargs)
        self.start_url = start_url
        self.scope, _ = Scope.from_start_url(start_url)
        self.items = items
        self.month_urls = dict(month_urls or {})
        self.boilerplate = boilerplate
        self.crawl_id = uuid.uuid4().hex
        self.since = self.until = None
        self.max_posts = 0
        self.failures: list[dict[str, Any]] = []
        self.start_status = None

    async def start(self) -> AsyncIterator[Any]:
        for item in self.items:
            yield item


@dataclass
class ReextractPlan:
    """One crawl per site: its start URL and the items it will yield."""

    start_url: str
    items: list[FetchedPost]
    month_urls: dict[str, str]
    from_metadata: bool


def plan(contents: ArchiveContents, on_problem: Callable[[str], None]) -> list[ReextractPlan]:
    """What to re-extract for each site in the archive."""
    plans = []
    for host, start_url in sorted(site_groups(contents).items()):
        posts = [p for p in contents.posts if host_dirname(p["url"]) == host]
        if posts:
            items = fetched_posts(contents, posts, on_problem)
        else:
            items = fallback_posts(contents, host, on_problem)
        month_urls = {}
        for post in posts:
            archive = post.get("archive") or {}
            if archive.get("month") and archive.get("url"):
                month_urls[archive["month"]] = archive["url"]
        plans.append(ReextractPlan(start_url, items, month_urls, from_metadata=bool(posts)))
    return plans


def learn_boilerplate(items: list[FetchedPost]) -> BoilerplateModel:
    """A site-level boilerplate model learnt from every archived post of one site."""
    model = BoilerplateModel()
    for item in items:
        outcome = extract_fetched(item)
        if outcome.post is not None:
            model.add_post(outcome.post)
    return model


def run_reextract(plans: list[ReextractPlan], settings: Any) -> list[Any]:
    """Run one pipeline-only crawl per site; returns the crawlers (for their stats)."""
    from scrapy.crawler import CrawlerProcess

    extensions = dict(settings.getdict("EXTENSIONS"))
    extensions["archiver.warc.WarcExtension"] = None  # reads an archive, writes none
    settings.setdict({"EXTENSIONS": extensions, "ROBOTSTXT_OBEY": False}, priority="cmdline")
    process = CrawlerProcess(settings)
    crawlers = []
    for p in plans:
        crawler = process.create_crawler(ReextractSpider)
        crawlers.append(crawler)
        model = (
            learn_boilerplate(p.items) if settings.getbool("ARCHIVER_SITE_BOILERPLATE") else None
        )
        process.crawl(
            crawler,
            start_url=p.start_url,
            items=p.items,
            month_urls=p.month_urls,
            boilerplate=model,
        )
    process.start()
    return crawlers


def reextract_paths(paths: list[Path], settings: Any) -> tuple[list[dict[str, Any]], list[str]]:
    """Read the archives, re-extract every site in them; (summaries, problems)."""
    from archiver.records import archive_sources

    problems: list[str] = []
    sources = archive_sources(paths, problems.append)
    contents = scan_archive(sources)
    problems.extend(contents.problems)
    plans = plan(contents, problems.append)
    if not plans:
        return [], [*problems, "no archived responses found in the input"]
    crawlers = run_reextract(plans, settings)
    summaries = []
    for p, crawler in zip(plans, crawlers, strict=True):
        stats = crawler.stats.get_stats()
        dropped = {
            k.rsplit("/", 1)[-1]: v for k, v in stats.items() if k.startswith("archiver/dropped/")
        }
        summaries.append(
            {
                "url": p.start_url,
                "mode": "metadata records" if p.from_metadata else "every HTML page",
                "candidates": len(p.items),
                "posts": stats.get("archiver/posts_written", 0),
                "dropped": dropped,
                "responses": stats.get("response_received_count", 0),
                "manifest": stats.get("archiver/manifest"),
            }
        )
    return summaries, problems
