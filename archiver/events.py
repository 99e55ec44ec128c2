"""Named crawl events: what went wrong or was left out, counted and listed in the crawl manifest.

Three categories, so that a user can read a night's run without reading logs:

- ``errors``: a page we wanted could not be fetched (timeout, refused, too large, redirect loop,
  HTTP 4xx/5xx after retries, truncated body, a failure inside the archiver);
- ``skipped``: a page was fetched but deliberately not archived as a post (password-protected,
  not HTML, empty, duplicate, out of the requested months, ...);
- ``traps``: links or pages the crawl refused to follow further (comment-reply links, calendar
  months, endless or repeating pagination, off-site redirects, query variants, ...).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

CATEGORIES = ("errors", "skipped", "traps")

crawl_event = object()
"""Scrapy signal sent for every event: ``category``, ``kind``, ``url``, ``detail`` keyword args."""


def report(crawler: Crawler, category: str, kind: str, url: str | None, detail: str = "") -> None:
    """Count an event under ``archiver/<category>/<kind>`` and hand it to the manifest."""
    if category not in CATEGORIES:
        raise ValueError(f"unknown event category {category!r}")
    crawler.stats.inc_value(f"archiver/{category}/{kind}")
    crawler.signals.send_catch_log(
        crawl_event, category=category, kind=kind, url=url, detail=detail
    )


def classify_failure(error: BaseException) -> tuple[str, str]:
    """(category, kind) of a failed request, from the exception Scrapy hands to an errback."""
    from scrapy import exceptions as sx
    from scrapy.spidermiddlewares.httperror import HttpError
    from twisted.internet import error as tx_error
    from twisted.web._newclient import ResponseFailed

    message = str(error)
    if isinstance(error, HttpError):
        return "errors", f"http_{error.response.status}"
    if (
        isinstance(error, sx.DownloadCancelledError)
        or "max size" in message
        or "DOWNLOAD_MAXSIZE" in message
    ):
        return "errors", "too_large"  # Scrapy cancels downloads only at the size limit
    if isinstance(error, sx.IgnoreRequest):
        if "robots.txt" in message:
            return "skipped", "robots_disallowed"
        if "max redirections" in message:
            return "traps", "redirect_limit"
        if "outside the blog" in message:
            return "traps", "offsite"
        return "skipped", "ignored"
    kinds: tuple[tuple[tuple[type[BaseException], ...], str], ...] = (
        ((sx.DownloadTimeoutError, tx_error.TimeoutError, tx_error.TCPTimedOutError), "timeout"),
        (
            (sx.DownloadConnectionRefusedError, tx_error.ConnectionRefusedError),
            "connection_refused",
        ),
        ((sx.CannotResolveHostError, tx_error.DNSLookupError), "dns_failure"),
        (
            (
                sx.DownloadFailedError,
                sx.ResponseDataLossError,
                ResponseFailed,
                tx_error.ConnectionLost,
                tx_error.ConnectionDone,
            ),
            "connection_lost",
        ),
    )
    for types, kind in kinds:
        if isinstance(error, types):
            return "errors", kind
    if "took longer than" in message:
        return "errors", "timeout"
    return "errors", type(error).__name__
