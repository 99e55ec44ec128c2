"""What an incremental re-run fetches again, decided from the crawl state (``archiver.state``).

Listing pages are always fetched; a listing whose posts have not changed is not walked further;
a known post is fetched again only when due, and then conditionally (If-None-Match /
If-Modified-Since). ``--full`` (``ARCHIVER_FULL``) turns all of this off but still records state.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from archiver.state import CrawlState, UrlState, is_due

PREVIOUS_KEY = "archiver_prev"
"""Request meta key: the state's previous capture of the URL (for revisit records)."""


@dataclass
class PostPlan:
    """Whether to fetch a post, and how."""

    fetch: bool
    reason: str
    headers: dict[str, str] = field(default_factory=dict)
    meta: dict[str, Any] = field(default_factory=dict)


def listing_digest(entries: dict[str, str]) -> str:
    """One digest for a listing page: its posts and the text of their entries, in order."""
    blob = "\n".join(f"{url} {digest}" for url, digest in entries.items())
    return hashlib.sha1(blob.encode("utf-8")).hexdigest()


def month_cutoff(recent_months: int, today: datetime | None = None) -> str:
    """ "YYYY-MM" of the oldest month within the last ``recent_months`` (this month counts).

    >>> month_cutoff(3, datetime(2026, 2, 10))
    '2025-12'
    """
    today = today or datetime.now(timezone.utc)
    index = today.year * 12 + today.month - 1 - (recent_months - 1)
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def previous_capture(known: UrlState) -> dict[str, Any] | None:
    """What a revisit record needs of the last full capture, when the state has all of it."""
    if not (known.payload_digest and known.warc_record_id and known.warc_date):
        return None
    return {
        "payload_digest": known.payload_digest,
        "warc_record_id": known.warc_record_id,
        "warc_date": known.warc_date,
        "url": known.url,
    }


class Planner:
    """Decisions of one crawl; without a state (or with ``full``) everything is fetched."""

    def __init__(
        self,
        state: CrawlState | None,
        full: bool = False,
        refresh_after_days: float | None = None,
        recent_months: int = 0,
    ):
        self.state = state
        self.incremental = bool(state is not None and state.existed and not full)
        self.refresh_after_days = refresh_after_days
        self.cutoff = month_cutoff(recent_months) if recent_months else None

    def month_wanted(self, month: str) -> bool:
        """In an incremental run bounded by ``--recent-months``, older months are not re-walked."""
        return not (self.incremental and self.cutoff and month < self.cutoff)

    def plan_post(
        self,
        url: str,
        entry_digest: str | None = None,
        lastmod: str | None = None,
        force: str | None = None,
    ) -> PostPlan:
        """How to treat a post link; ``force`` names a reason to fetch a known post regardless."""
        meta: dict[str, Any] = {"archiver_kind": "post", "archiver_entry_digest": entry_digest}
        known = self.state.get(url) if self.state is not None else None
        if known is None:
            return PostPlan(True, "new", meta=meta)
        meta["archiver_known"] = True
        if not self.incremental:
            return PostPlan(True, "full", meta=meta)
        reason = force or is_due(known, self.refresh_after_days, entry_digest, lastmod)
        if reason is None and known.gone:
            reason = "was_gone"
        if reason is None:
            return PostPlan(False, "not_due")
        headers = {}
        # Validators only for a post we hold: a 304 gives no body to extract (a crawl killed
        # between fetching and storing a post must fetch it in full again).
        if known.content_digest is not None:
            if known.etag:
                headers["If-None-Match"] = known.etag
            if known.last_modified:
                headers["If-Modified-Since"] = known.last_modified
        previous = previous_capture(known)
        if previous:
            meta[PREVIOUS_KEY] = previous
        if headers:
            meta["handle_httpstatus_list"] = [304]
        return PostPlan(True, reason, headers=headers, meta=meta)

    def listing_meta(self, url: str) -> dict[str, Any]:
        """Request meta of a listing page: always fetched in full (its links are needed), but an
        identical payload is stored as a revisit record."""
        meta: dict[str, Any] = {"archiver_kind": "listing"}
        known = self.state.get(url) if self.state is not None and self.incremental else None
        previous = previous_capture(known) if known else None
        if previous:
            meta[PREVIOUS_KEY] = previous
        return meta

    def listing_unchanged(self, url: str, digest: str) -> bool:
        """True when this listing page lists the same posts, unchanged, as last time; records it."""
        if self.state is None:
            return False
        known = self.state.get(url)
        self.state.update(url, kind="listing", listing_digest=digest)
        return bool(self.incremental and known and known.listing_digest == digest)
