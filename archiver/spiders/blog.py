"""The ``blog`` spider: discovers a blog's monthly archives and posts and yields fetched posts.

``scrapy crawl blog -a url=URL`` (or ``archiver crawl URL``). Starting from the home page it
walks every monthly archive (archive widgets and dropdowns, months of dated permalinks, sitemaps)
and their pagination; the home page's pagination only where the archives may miss posts (see
``BlogSpider._home_pages``); starting from ``/YYYY/MM/`` it walks that month only. Which links
matter is decided in ``archiver.discovery``; extraction happens in the item pipelines. The
spider itself parses nothing but links.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Iterator
from typing import Any

import scrapy
from scrapy import signals
from scrapy.exceptions import DontCloseSpider
from scrapy.http import Response, TextResponse
from twisted.python.failure import Failure

from archiver import discovery, events, sniff
from archiver.discovery import Scope
from archiver.extract import next_page_urls
from archiver.incremental import Planner, listing_digest
from archiver.items import FetchedPage, FetchedPost, PageCapture
from archiver.middlewares import TOO_LARGE_KEY
from archiver.warc import META_KEY

MAX_TRAPS_REPORTED = 10_000
"""Distinct trap links listed in the manifest; a hostile site could otherwise make it unbounded."""


class BlogSpider(scrapy.Spider):
    name = "blog"

    def __init__(
        self,
        url: str | None = None,
        since: str | None = None,
        until: str | None = None,
        max_posts: int | str | None = None,
        crawl_id: str | None = None,
        **kwargs: Any,
    ):
        super().__init__(**kwargs)
        if not url:
            raise ValueError("the blog spider needs a start URL: scrapy crawl blog -a url=URL")
        self.start_url = discovery.canonicalize(url)
        self.scope, self.only_month = Scope.from_start_url(self.start_url)
        self.since = self.only_month or since or None
        self.until = self.only_month or until or None
        self.max_posts = int(max_posts) if max_posts else 0
        self.crawl_id = crawl_id or uuid.uuid4().hex
        self.max_post_pages = 50
        self.month_urls: dict[str, str] = {}
        """Monthly archives discovered, "YYYY-MM" -> URL (for the items' ``archive`` field)."""
        self.posts_seen: set[str] = set()
        self.failures: list[dict[str, Any]] = []
        """Requests that got no response at all (timeouts, refused connections, ...)."""
        self.start_status: int | None = None
        """HTTP status of the start URL, None while (or when) it got no answer."""
        self.listing_pages = 0
        self.listings_seen: set[tuple[str | None, frozenset[str]]] = set()
        self.traps_reported: set[str] = set()
        self._planner: Planner | None = None
        self.months_changed: set[str] = set()
        """Months whose archive changed since the last crawl (incremental runs)."""
        self._unlisted_checked = False
        self.archive_months: set[str] = set()
        """Months the blog links as monthly archives (widgets, dropdowns)."""
        self.home_mode = "new"
        """How the home page's pagination is followed: "new", "jump", "walk" or "skip"."""
        self.home_jump: str | None = None
        """The home page's furthest page asked for, while its answer is awaited."""
        self.home_pending: list[str] = []
        """Pages of the home pagination seen while jumping: walked if the archives fall short."""
        self.home_jumped: set[str] = set()

    @classmethod
    def from_crawler(cls, crawler: Any, *args: Any, **kwargs: Any) -> BlogSpider:
        settings = crawler.settings
        kwargs.setdefault("since", settings.get("ARCHIVER_SINCE") or None)
        kwargs.setdefault("until", settings.get("ARCHIVER_UNTIL") or None)
        kwargs.setdefault("max_posts", settings.getint("ARCHIVER_MAX_POSTS") or None)
        spider = super().from_crawler(crawler, *args, **kwargs)
        crawler.signals.connect(spider.request_dropped, signal=signals.request_dropped)
        crawler.signals.connect(spider.spider_idle, signal=signals.spider_idle)
        if spider.max_posts:
            crawler.settings.set("CLOSESPIDER_ITEMCOUNT", spider.max_posts, priority="spider")
        return spider

    async def start(self) -> AsyncIterator[scrapy.Request]:
        if self.only_month:
            self.month_urls[self.only_month] = self.start_url
        yield scrapy.Request(
            self.start_url,
            callback=self.parse_listing,
            cb_kwargs={"month": self.only_month},
            errback=self.listing_failed,
            meta={"archiver_start": True, **self.planner.listing_meta(self.start_url)},
        )
        if not self.only_month and self.settings.getbool("ARCHIVER_USE_SITEMAPS", True):
            for name in ("wp-sitemap.xml", "sitemap.xml"):
                yield scrapy.Request(
                    self.scope.home + name, callback=self.parse_sitemap, errback=self.ignore_failure
                )

    @property
    def planner(self) -> Planner:
        """Incremental decisions, from the state the StateExtension opened at spider_opened."""
        state = getattr(self.crawler, "archiver_state", None)
        if self._planner is None or (self._planner.state is None and state is not None):
            settings = self.settings
            refresh = settings.get("ARCHIVER_REFRESH_AFTER_DAYS")
            refresh = None if refresh in (None, "") else float(refresh)
            self._planner = Planner(
                state,
                full=settings.getbool("ARCHIVER_FULL"),
                refresh_after_days=refresh,
                recent_months=settings.getint("ARCHIVER_RECENT_MONTHS", 0),
            )
        return self._planner

    def _in_range(self, month: str | None) -> bool:
        return month is None or discovery.month_in_range(month, self.since, self.until)

    def _post_request(
        self, url: str, month: str | None, entry: str | None = None, lastmod: str | None = None
    ) -> Iterator[scrapy.Request]:
        if url in self.posts_seen:
            return
        url_month = discovery.month_of_post_url(self.scope, url)
        if not self._in_range(url_month or month):
            return
        self.posts_seen.add(url)
        yield from self._month_request(url_month)
        plan = self.planner.plan_post(url, entry, lastmod)
        self.crawler.stats.inc_value(f"archiver/incremental/{plan.reason}")
        if not plan.fetch:
            return
        yield scrapy.Request(
            url,
            callback=self.parse_post,
            cb_kwargs={"archive_month": month or url_month, "pages": [], "remaining": None},
            errback=self.post_failed,
            priority=1,
            headers=plan.headers,
            meta=plan.meta,
        )

    def _month_request(self, month: str | None, url: str | None = None) -> Iterator[scrapy.Request]:
        """Request a monthly archive the first time it is seen (home mode only)."""
        if self.only_month or not month or month in self.month_urls or not self._in_range(month):
            return
        if not self.planner.month_wanted(month):
            self.crawler.stats.inc_value("archiver/incremental/month_not_recent")
            return
        url = url or self.scope.month_url(month)
        self.month_urls[month] = url
        yield scrapy.Request(
            url,
            self.parse_listing,
            cb_kwargs={"month": month},
            errback=self.listing_failed,
            meta=self.planner.listing_meta(url),
        )

    def parse_listing(self, response: Response, month: str | None = None) -> Iterator[Any]:
        """Home page, monthly archive, or a later page of either."""
        yield from self._parse_listing(response, month)
        if self.home_jump is not None and response.meta.get("archiver_home_jump") == self.home_jump:
            yield from self._listing_requests(self._walk_home([]), None)  # a jump that led nowhere

    def _parse_listing(self, response: Response, month: str | None) -> Iterator[Any]:
        if response.meta.get("archiver_start"):
            self.start_status = response.status
        if response.status >= 400 and month and self.month_urls.get(month) == response.url:
            del self.month_urls[month]  # the blog has no archive page for that month
        if response.status >= 400 or not isinstance(response, TextResponse):
            return
        listing = discovery.parse_listing(response.body, response.url, self.scope)
        self.archive_months |= listing.archive_months
        self._report_traps(listing.traps)
        if listing.full_posts_without_link:
            page = self._fetched_page(response)
            for index in range(listing.full_posts_without_link):
                yield FetchedPost(pages=[page], archive_month=month, listing_index=index)
        found = listing.posts or [f"#{i}" for i in range(listing.full_posts_without_link)]
        if self._listing_exhausted(response.url, month, found):
            return
        for found, url in listing.months.items():
            yield from self._month_request(found, url)
        home = month is None and not self.only_month
        jumped = home and response.meta.get("archiver_home_jump") == self.home_jump
        if self.planner.listing_unchanged(response.url, listing_digest(listing.entries)):
            # Same posts, same entries as last time: the rest of this listing has not changed.
            self.crawler.stats.inc_value("archiver/incremental/listing_unchanged")
            if jumped:  # the oldest posts: the archives' coverage is checked all the same
                yield from self._listing_requests(self._home_pages(response.url, listing), month)
        else:
            if month and response.url == self.month_urls.get(month):
                self.months_changed.add(month)
            next_pages = self._home_pages(response.url, listing) if home else listing.next_pages
            yield from self._listing_requests(next_pages, month)
        for url in listing.posts:
            url_month = discovery.month_of_post_url(self.scope, url)
            if self.only_month and url_month and url_month != self.only_month:
                continue
            yield from self._post_request(
                url, month if month and not url_month else url_month, listing.entries.get(url)
            )

    def _listing_requests(self, urls: list[str], month: str | None) -> Iterator[scrapy.Request]:
        for url in urls:
            meta = self.planner.listing_meta(url)
            if url == self.home_jump:
                meta = {**meta, "archiver_home_jump": url}
            yield scrapy.Request(
                url,
                self.parse_listing,
                cb_kwargs={"month": month},
                errback=self.listing_failed,
                meta=meta,
            )

    def _home_pages(self, url: str, listing: discovery.Listing) -> list[str]:
        """Further pages of the home page to fetch.

        They list every post once more, newest first. Where the blog links monthly archives and
        numbers its pages, the spider jumps to the furthest page linked until it reaches the last
        one, which holds the oldest posts: when their months are all among the archives linked,
        the archives reach back to the first post and the pages in between are left out. Else
        (an archive widget that lists recent months only, posts without dated permalinks, no
        page numbers) every page is walked, as without archives.
        """
        if self.home_mode == "walk":
            return listing.next_pages
        if self.home_mode == "skip":
            return []
        numbers = [discovery.page_number(u) for u in listing.next_pages]
        current = discovery.page_number(url)
        if not self.archive_months or current is None or None in numbers:
            return self._walk_home(listing.next_pages)
        self.home_pending.extend(listing.next_pages)
        higher = [(n, u) for n, u in zip(numbers, listing.next_pages, strict=True) if n > current]
        if higher and max(higher)[1] not in self.home_jumped:
            self.home_mode = "jump"
            self.home_jump = max(higher)[1]
            self.home_jumped.add(self.home_jump)
            return [self.home_jump]
        if higher:  # back at a page already jumped to (a redirect): no last page in sight
            return self._walk_home([])
        self.home_jump = None
        months = {discovery.month_of_post_url(self.scope, u) for u in listing.posts}
        if listing.posts and None not in months and months <= self.archive_months:
            self.home_mode = "skip"
            skipped = max(0, current - 1 - len(self.home_jumped))  # pages 2 .. N-1 not asked for
            self.crawler.stats.set_value("archiver/home_pages_skipped", skipped)
            return []
        return self._walk_home([])

    def _walk_home(self, urls: list[str]) -> list[str]:
        """Walk the whole home pagination from now on, the pages seen while jumping included."""
        self.home_mode = "walk"
        self.home_jump = None
        pending, self.home_pending = self.home_pending, []
        return list(dict.fromkeys([*pending, *urls]))

    def _listing_exhausted(self, url: str, month: str | None, posts: list[str]) -> bool:
        """True when a listing page must not be followed further: an archive page with no posts
        (endless pagination, a calendar's made-up month), the same posts as an earlier page of the
        same listing, or past ``ARCHIVER_MAX_LISTING_PAGES``."""
        self.listing_pages += 1
        if self.listing_pages > self.settings.getint("ARCHIVER_MAX_LISTING_PAGES", 5000):
            events.report(self.crawler, "traps", "listing_limit", url, "ARCHIVER_MAX_LISTING_PAGES")
            return True
        if not posts and url != self.start_url:
            events.report(
                self.crawler, "traps", "empty_listing", url, "no posts: not followed further"
            )
            return True
        key = (month, frozenset(posts))
        if key in self.listings_seen:
            events.report(
                self.crawler, "traps", "repeated_listing", url, "same posts as an earlier page"
            )
            return True
        self.listings_seen.add(key)
        return False

    def _report_traps(self, traps: dict[str, set[str]]) -> None:
        """Each trap link once per crawl (bounded), so the manifest says what was not followed."""
        for kind, urls in traps.items():
            for url in urls:
                if url not in self.traps_reported and len(self.traps_reported) < MAX_TRAPS_REPORTED:
                    self.traps_reported.add(url)
                    events.report(self.crawler, "traps", kind, url, "link not followed")

    def parse_sitemap(self, response: Response) -> Iterator[scrapy.Request]:
        if response.status >= 400:
            return
        sitemap = discovery.parse_sitemap(response.body, response.url, self.scope)
        for url in sitemap.sitemaps:
            yield scrapy.Request(url, callback=self.parse_sitemap, errback=self.ignore_failure)
        for url, lastmod in sitemap.posts:
            yield from self._post_request(url, None, lastmod=lastmod)

    def parse_post(
        self,
        response: Response,
        archive_month: str | None,
        pages: list[FetchedPage],
        remaining: list[str] | None,
    ) -> Iterator[Any]:
        """One page of a post; multi-page posts are fetched page after page, then yielded whole."""
        if response.status == 304 and not pages:
            self.crawler.stats.inc_value("archiver/incremental/not_modified")
            return
        if response.status >= 300:
            # A probe for page N+1 that redirects or 404s just ends a multi-page post.
            if not pages and response.meta.get("archiver_known") and response.status in (404, 410):
                events.report(
                    self.crawler, "skipped", "gone", response.url, "archived versions kept"
                )
            elif not pages:
                self.logger.info("Post %s answered %s: not archived", response.url, response.status)
                events.report(
                    self.crawler, "errors", f"http_{response.status}", response.url, "post"
                )
            if pages:
                yield FetchedPost(pages=pages, archive_month=archive_month)
            return
        problem = (
            "too_large"
            if response.meta.get(TOO_LARGE_KEY)
            else sniff.body_problem(
                response.body,
                response.headers.get(b"Content-Type", b"").decode("latin-1"),
                response.flags,
            )
        )
        if problem:
            self.logger.warning("Post page %s not archived as a post: %s", response.url, problem)
            events.report(
                self.crawler, "skipped", problem, response.url, f"{len(response.body)} bytes"
            )
            if pages:
                yield FetchedPost(pages=pages, archive_month=archive_month)
            return
        pages = [*pages, self._fetched_page(response)]
        if remaining is None:
            remaining = self._further_pages(response) if isinstance(response, TextResponse) else []
        if remaining:
            yield self._page_request(remaining[0], archive_month, pages, remaining[1:])
            return
        if self._should_probe(pages):
            yield self._page_request(
                discovery.nth_page_url(pages[0].url, len(pages) + 1),
                archive_month,
                pages,
                [],
                probe=True,
            )
            return
        yield FetchedPost(pages=pages, archive_month=archive_month)

    def _fetched_page(self, response: Response) -> FetchedPage:
        """The page as the extraction pipeline needs it, with where the WARC holds it."""
        capture = response.meta.get(META_KEY)
        return FetchedPage(
            url=response.url,
            body=response.body,
            encoding=response.encoding if isinstance(response, TextResponse) else None,
            status=response.status,
            capture=PageCapture(
                url=response.url,
                warc_file=capture.warc_file if capture else None,
                warc_record_id=capture.warc_record_id if capture else None,
                warc_offset=capture.warc_offset if capture else None,
            ),
            fetched_at=capture.warc_date if capture else None,
        )

    def _further_pages(self, response: TextResponse) -> list[str]:
        if not discovery.may_link_further_pages(response.body, response.url):
            return []  # nearly every post: no need to parse the page for its links
        urls = next_page_urls(response.body, response.url)
        return [u for u in urls if self.scope.relative(u) is not None][: self.max_post_pages]

    def _should_probe(self, pages: list[FetchedPage]) -> bool:
        """Probe <permalink>N/ only for block-theme posts that print no page links (see discovery)."""
        if len(pages) >= self.max_post_pages or not self.settings.getbool(
            "ARCHIVER_PROBE_POST_PAGES", True
        ):
            return False
        if len(pages) > 1 and pages[-1].body == pages[-2].body:
            return False
        return discovery.needs_page_probe(pages[-1].body)

    def _page_request(
        self,
        url: str,
        archive_month: str | None,
        pages: list[FetchedPage],
        remaining: list[str],
        probe: bool = False,
    ) -> scrapy.Request:
        meta: dict[str, Any] = {}
        if probe:
            # A missing page answers 404 or redirects back to the post: either ends the post.
            meta = {
                "archiver_probe": True,
                "dont_redirect": True,
                "handle_httpstatus_list": [301, 302, 303, 307, 308, 404, 410],
            }
        return scrapy.Request(
            url,
            callback=self.parse_post,
            cb_kwargs={"archive_month": archive_month, "pages": pages, "remaining": remaining},
            errback=self.post_failed,
            priority=2,
            meta=meta,
        )

    def _record_failure(self, failure: Failure, kind: str) -> scrapy.Request:
        request = failure.request  # type: ignore[attr-defined]
        message = failure.getErrorMessage()
        if request.meta.get("archiver_probe"):
            self.logger.info("No further page at %s (%s)", request.url, message)
            return request
        category, event = events.classify_failure(failure.value)
        url = request.meta.get("redirect_urls", [request.url])[0]  # the URL we asked for
        self.logger.warning(
            "%s %s not fetched (%s): %s", kind.capitalize(), request.url, event, message
        )
        self.crawler.stats.inc_value(f"archiver/fetch_failed/{kind}")
        self.failures.append({"url": request.url, "kind": kind, "error": message})
        events.report(self.crawler, category, event, url, f"{kind}: {message}")
        return request

    def listing_failed(self, failure: Failure) -> Iterator[scrapy.Request]:
        request = self._record_failure(failure, "listing")
        if self.home_jump is not None and request.meta.get("archiver_home_jump") == self.home_jump:
            yield from self._listing_requests(self._walk_home([]), None)

    def post_failed(self, failure: Failure) -> Iterator[Any]:
        """A post page could not be fetched: keep the pages already fetched, log the rest."""
        request = self._record_failure(failure, "post")
        pages = request.cb_kwargs.get("pages") or []
        if pages:
            yield FetchedPost(pages=pages, archive_month=request.cb_kwargs.get("archive_month"))

    def spider_idle(self) -> None:
        """Once, at the end of an incremental run: known posts that a changed monthly archive no
        longer lists are asked for again, so that a deleted post is recorded as gone."""
        state = getattr(self.crawler, "archiver_state", None)
        if self._unlisted_checked or state is None or not self.planner.incremental:
            return
        self._unlisted_checked = True
        scheduled = 0
        for url in state.post_urls():
            month = discovery.month_of_post_url(self.scope, url)
            if url in self.posts_seen or month not in self.months_changed:
                continue
            self.posts_seen.add(url)
            plan = self.planner.plan_post(url, force="unlisted")
            request = scrapy.Request(
                url,
                callback=self.parse_post,
                cb_kwargs={"archive_month": month, "pages": [], "remaining": None},
                errback=self.post_failed,
                headers=plan.headers,
                meta={**plan.meta, "handle_httpstatus_list": [304, 404, 410]},
            )
            self.crawler.engine.crawl(request)  # type: ignore[union-attr]
            scheduled += 1
        if scheduled:
            self.crawler.stats.inc_value("archiver/incremental/unlisted", scheduled)
            raise DontCloseSpider

    def request_dropped(self, request: scrapy.Request, spider: scrapy.Spider) -> None:
        """A redirect back to a URL already fetched is a loop: the scheduler drops it; say so."""
        if request.meta.get("redirect_urls"):
            first = request.meta["redirect_urls"][0]
            events.report(self.crawler, "traps", "redirect_loop", first, f"back to {request.url}")
        if self.home_jump is not None and request.meta.get("archiver_home_jump") == self.home_jump:
            # The furthest home page redirected to a page already fetched: walk them all.
            for walk in self._listing_requests(self._walk_home([]), None):
                self.crawler.engine.crawl(walk)  # type: ignore[union-attr]

    def ignore_failure(self, failure: Failure) -> None:
        self.logger.info("Optional request failed: %s", failure.getErrorMessage())
