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
    from scrapy.exceptions import IgnoreRequest
    from scrapy.spidermiddlewares.httperror import HttpError
    from twisted.internet import error as tx_error
    from twisted.web._newclient import ResponseFailed

    message = str(error)
    if isinstance(error, HttpError):
        return "errors", f"http_{error.response.status}"
    if isinstance(error, IgnoreRequest):
        if "robots.txt" in message:
            return "skipped", "robots_disallowed"
        if "max redirections" in message:
            return "traps", "redirect_limit"
        if "outside the blog" in message:
            return "traps", "offsite"
        if "DOWNLOAD_MAXSIZE" in message or "max size" in message:
            return "errors", "too_large"
        return "skipped", "ignored"
    if "max size" in message:
        return "errors", "too_large"
    if (
        isinstance(error, (tx_error.TimeoutError, tx_error.TCPTimedOutError))
        or "took longer" in message
    ):
        return "errors", "timeout"
    if isinstance(error, tx_error.ConnectionRefusedError):
        return "errors", "connection_refused"
    if isinstance(error, tx_error.DNSLookupError):
        return "errors", "dns_failure"
    if isinstance(error, (ResponseFailed, tx_error.ConnectionLost, tx_error.ConnectionDone)):
        return "errors", "connection_lost"
    return "errors", type(error).__name__
