"""Extraction of a fetched post as one pure job: pages in, an ``Outcome`` out.

``extract_fetched`` runs in the crawl's process (``ExtractPipeline``) or in a worker process
(``archiver.extract_pool``); it imports no Scrapy, returns expected failures instead of raising
them (exceptions with extra fields do not survive pickling), and collects what it has to log,
since a worker's logging is not configured.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from archiver.extract import (
    ExtractionError,
    NotAPost,
    extract_listing_posts,
    extract_post,
    merge_pages,
)
from archiver.items import FetchedPost, Post

logger = logging.getLogger(__name__)


@dataclass
class Outcome:
    """What extracting a fetched post gave: the post, or the reason there is none."""

    post: Post | None = None
    reason: str | None = None
    """Why there is no post: a ``NotAPost`` reason ("password_protected", ...) or
    "extraction_failed" for an ``ExtractionError``."""
    message: str = ""
    not_a_post: bool = False
    """True when the page parsed but is not an archivable post (``NotAPost``)."""
    log: list[tuple[int, str]] = field(default_factory=list)
    """(logging level, message) to log in the crawl's process."""


def post_from_pages(item: FetchedPost, log: list[tuple[int, str]] | None = None) -> Post:
    """Extract every page of a fetched post and merge them; raises NotAPost/ExtractionError.

    Messages about left-out pages go to ``log`` when given, else to this module's logger.
    """

    def note(level: int, message: str) -> None:
        if log is None:
            logger.log(level, message)
        else:
            log.append((level, message))

    first, *rest = item.pages
    if item.listing_index is not None:
        return listing_post(item)
    parts = [extract_post(first.body, first.url, encoding=first.encoding)]
    for page in rest:
        try:
            part = extract_post(page.body, page.url, encoding=page.encoding)
        except ExtractionError as exc:
            note(logging.WARNING, f"Page {page.url} of post {first.url} not extracted: {exc}")
            continue
        if any(part.body.text == p.body.text for p in parts):
            note(logging.INFO, f"Page {page.url} repeats an earlier page of {first.url}: left out")
            continue
        parts.append(part)
    return merge_pages(parts) if len(parts) > 1 else parts[0]


def listing_post(item: FetchedPost) -> Post:
    """The ``listing_index``-th post printed in full, without a permalink, on a listing page."""
    page = item.pages[0]
    unlinked = [
        post
        for post in extract_listing_posts(page.body, page.url, encoding=page.encoding)
        if post.url.startswith(page.url.split("#")[0] + "#")
    ]
    if item.listing_index is None or item.listing_index >= len(unlinked):
        raise NotAPost("no_body", f"no post number {item.listing_index} printed on {page.url}")
    return unlinked[item.listing_index]


def extract_fetched(item: FetchedPost) -> Outcome:
    """The outcome of extracting a fetched post; expected failures are returned, not raised."""
    log: list[tuple[int, str]] = []
    try:
        return Outcome(post=post_from_pages(item, log), log=log)
    except NotAPost as exc:
        return Outcome(reason=exc.reason, message=str(exc), not_a_post=True, log=log)
    except ExtractionError as exc:
        return Outcome(reason="extraction_failed", message=str(exc), log=log)
