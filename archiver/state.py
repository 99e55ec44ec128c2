"""Incremental crawl state: ``DIR/<host>/state.sqlite`` (SQLite from the standard library).

Per URL it remembers what the next crawl needs to decide whether to fetch again and how: when it
was first and last seen, the last status, the HTTP validators (ETag, Last-Modified), the payload
digest and where the last full capture lies in the WARC files, and for posts the content digest
and a digest of the post's entry in its listing. Every write is its own transaction (a crash
loses at most the write under way), and a lock file keeps a second crawl of the same folder out.
"""

from __future__ import annotations

import fcntl
import os
import sqlite3
from dataclasses import dataclass, fields
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import IO, Any

SCHEMA = """
CREATE TABLE IF NOT EXISTS urls (
    url TEXT PRIMARY KEY,
    kind TEXT NOT NULL DEFAULT 'other',
    first_seen TEXT NOT NULL,
    last_seen TEXT NOT NULL,
    last_fetched TEXT,
    last_status INTEGER,
    etag TEXT,
    last_modified TEXT,
    payload_digest TEXT,
    content_digest TEXT,
    listing_digest TEXT,
    warc_file TEXT,
    warc_record_id TEXT,
    warc_offset INTEGER,
    warc_date TEXT,
    gone INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS crawls (
    crawl_id TEXT PRIMARY KEY,
    started_at TEXT NOT NULL,
    finished_at TEXT,
    finish_reason TEXT
);
"""


class StateLocked(RuntimeError):
    """Another crawl holds the output folder."""


def now_iso() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


@dataclass
class UrlState:
    """What the state knows of one URL (None where never learnt)."""

    url: str
    kind: str = "other"
    first_seen: str | None = None
    last_seen: str | None = None
    last_fetched: str | None = None
    last_status: int | None = None
    etag: str | None = None
    last_modified: str | None = None
    payload_digest: str | None = None
    content_digest: str | None = None
    listing_digest: str | None = None
    warc_file: str | None = None
    warc_record_id: str | None = None
    warc_offset: int | None = None
    warc_date: str | None = None
    gone: bool = False


COLUMNS = [f.name for f in fields(UrlState)]


class CrawlState:
    """The state of one site's output folder, opened (and locked) for one crawl."""

    def __init__(self, folder: Path):
        folder.mkdir(parents=True, exist_ok=True)
        self.path = folder / "state.sqlite"
        self.existed = self.path.exists()
        self._lock: IO[str] | None = open(folder / ".crawl.lock", "a+")  # noqa: SIM115 - held until close()
        try:
            fcntl.flock(self._lock.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            self._lock.close()
            self._lock = None
            raise StateLocked(
                f"another crawl is writing to {folder} (lock {folder / '.crawl.lock'}); "
                "wait for it to finish or use another --output folder"
            ) from None
        self._lock.seek(0)
        self._lock.truncate()
        self._lock.write(f"{os.getpid()}\n")
        self._lock.flush()
        self.db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=NORMAL")
        self.db.executescript(SCHEMA)

    def close(self) -> None:
        if self.db is not None:
            self.db.close()
        if self._lock is not None:
            fcntl.flock(self._lock.fileno(), fcntl.LOCK_UN)
            self._lock.close()
            self._lock = None

    def __enter__(self) -> CrawlState:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def get(self, url: str) -> UrlState | None:
        row = self.db.execute(
            f"SELECT {', '.join(COLUMNS)} FROM urls WHERE url = ?", (url,)
        ).fetchone()
        if row is None:
            return None
        state = UrlState(**dict(zip(COLUMNS, row, strict=True)))
        state.gone = bool(state.gone)
        return state

    def post_urls(self) -> list[str]:
        """URLs of the posts archived so far and not known to be gone."""
        rows = self.db.execute(
            "SELECT url FROM urls WHERE kind = 'post' AND content_digest IS NOT NULL AND gone = 0"
        )
        return [row[0] for row in rows]

    def known_posts(self) -> int:
        return self.db.execute(
            "SELECT count(*) FROM urls WHERE kind = 'post' AND content_digest IS NOT NULL"
        ).fetchone()[0]

    def update(self, url: str, **values: Any) -> None:
        """Insert or update one URL's row in a single transaction; ``last_seen`` is always set."""
        unknown = set(values) - set(COLUMNS)
        if unknown:
            raise ValueError(f"unknown state columns {sorted(unknown)}")
        stamp = now_iso()
        values = {k: (int(v) if isinstance(v, bool) else v) for k, v in values.items()}
        values["last_seen"] = stamp
        names = ", ".join(values)
        marks = ", ".join("?" for _ in values)
        updates = ", ".join(f"{k} = excluded.{k}" for k in values)
        with self.db:
            self.db.execute(
                f"INSERT INTO urls (url, first_seen, {names}) VALUES (?, ?, {marks}) "
                f"ON CONFLICT(url) DO UPDATE SET {updates}",
                (url, stamp, *values.values()),
            )

    def crawl_started(self, crawl_id: str) -> None:
        with self.db:
            self.db.execute(
                "INSERT OR REPLACE INTO crawls (crawl_id, started_at) VALUES (?, ?)",
                (crawl_id, now_iso()),
            )

    def crawl_finished(self, crawl_id: str, reason: str) -> None:
        with self.db:
            self.db.execute(
                "UPDATE crawls SET finished_at = ?, finish_reason = ? WHERE crawl_id = ?",
                (now_iso(), reason, crawl_id),
            )


def _utc(value: str) -> datetime | None:
    """A timestamp from a sitemap or the state, in UTC; None when unreadable."""
    try:
        parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)


def is_due(
    state: UrlState,
    refresh_after_days: float | None,
    listing_digest: str | None = None,
    lastmod: str | None = None,
) -> str | None:
    """Why a known post must be fetched again ("never_fetched", "listing_changed", "lastmod",
    "refresh_after"), or None when the copy we have is current."""
    if state.content_digest is None or state.last_fetched is None:
        return "never_fetched"
    if listing_digest and state.listing_digest and listing_digest != state.listing_digest:
        return "listing_changed"
    fetched = _utc(state.last_fetched)
    changed = _utc(lastmod) if lastmod else None
    if changed and fetched and changed > fetched:
        return "lastmod"
    age = datetime.now(timezone.utc) - fetched if fetched else None
    if (
        refresh_after_days is not None
        and age is not None
        and age > timedelta(days=refresh_after_days)
    ):
        return "refresh_after"
    return None


class StateExtension:
    """Opens the state for the crawl's site folder and records every response in it.

    The spider reads ``crawler.archiver_state`` to decide what is due; the store pipeline records
    content digests. A second crawl of the same folder is refused (finish reason
    ``output_locked``) rather than allowed to interleave its writes.
    """

    def __init__(self, crawler: Any):
        self.crawler = crawler
        self.output_dir = Path(crawler.settings.get("ARCHIVER_OUTPUT_DIR", "output"))
        crawler.archiver_state = None

    @classmethod
    def from_crawler(cls, crawler: Any) -> StateExtension:
        from scrapy import signals

        ext = cls(crawler)
        crawler.signals.connect(ext.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        crawler.signals.connect(ext.response_received, signal=signals.response_received)
        return ext

    def open(self, spider: Any) -> CrawlState | None:
        """Open (once) the state of the spider's site folder; None if it is locked."""
        from archiver.output import site_dir

        if self.crawler.archiver_state is None:
            folder = site_dir(self.output_dir, getattr(spider, "start_url", ""))
            try:
                self.crawler.archiver_state = CrawlState(folder)
            except StateLocked as exc:
                spider.logger.error("%s", exc)
                self.crawler.stats.set_value("archiver/state_locked", str(exc))
                return None
            self.crawler.archiver_state.crawl_started(getattr(spider, "crawl_id", ""))
        return self.crawler.archiver_state

    def spider_opened(self, spider: Any) -> None:
        if self.open(spider) is None:
            from scrapy.utils.defer import deferred_from_coro

            deferred_from_coro(self.crawler.engine.close_spider_async(reason="output_locked"))

    def spider_closed(self, spider: Any, reason: str) -> None:
        state = self.crawler.archiver_state
        if state is not None:
            state.crawl_finished(getattr(spider, "crawl_id", ""), reason)
            state.close()
            self.crawler.archiver_state = None

    def response_received(self, response: Any, request: Any, spider: Any) -> None:
        state = self.crawler.archiver_state
        kind = request.meta.get("archiver_kind")
        if state is None or kind is None:
            return
        from archiver.warc import META_KEY

        values: dict[str, Any] = {"kind": kind, "last_status": response.status}
        if kind == "post" and request.meta.get("archiver_entry_digest"):
            values["listing_digest"] = request.meta["archiver_entry_digest"]
        if response.status == 200:
            values["last_fetched"] = now_iso()
            values["etag"] = _header(response, b"ETag")
            values["last_modified"] = _header(response, b"Last-Modified")
            capture = request.meta.get(META_KEY)
            if capture is not None and capture.payload_digest and not capture.revisit:
                values.update(
                    payload_digest=capture.payload_digest,
                    warc_file=capture.warc_file,
                    warc_record_id=capture.warc_record_id,
                    warc_offset=capture.warc_offset,
                    warc_date=capture.warc_date,
                )
        elif response.status == 304:
            values["last_fetched"] = now_iso()
        elif response.status in (404, 410):
            values["gone"] = True
        state.update(response.url, **values)


def _header(response: Any, name: bytes) -> str | None:
    value = response.headers.get(name)
    return value.decode("latin-1") if value else None
