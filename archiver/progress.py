"""Crawl progress: a live display on a terminal, periodic log lines elsewhere (cron, CI).

``ProgressExtension`` follows a crawl through Scrapy signals and the spider's own bookkeeping
(``month_urls``, ``posts_seen``, ``failures``): months found and done, posts found and archived,
pages fetched, errors (the ``errors`` events of ``archiver.events``), rate and elapsed time. It
also counts archived posts per month into the stats (``archiver/posts_by_month``) for the
end-of-crawl summary and the crawl manifest.

Settings: ``ARCHIVER_PROGRESS`` is ``auto`` (a live display when stderr is a terminal, log lines
otherwise), ``live``, ``log`` or ``off``; ``ARCHIVER_PROGRESS_INTERVAL`` is the number of seconds
between two log lines.
"""

from __future__ import annotations

import logging
import os
import sys
import threading
import time
from collections import Counter, deque
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from scrapy import signals

from archiver.output import host_dirname

if TYPE_CHECKING:
    from scrapy import Request, Spider
    from scrapy.crawler import Crawler
    from scrapy.http import Response
    from scrapy.utils.asyncio import AsyncioLoopingCall
    from twisted.internet.task import LoopingCall

logger = logging.getLogger("archiver.progress")

MODES = ("auto", "live", "log", "off")
LIVE_TICK = 0.25
"""Seconds between two snapshots for the live display (it redraws 4 times a second)."""
RATE_WINDOW = 10.0
"""The rate shown is pages per second over this many of the last seconds."""


@dataclass(frozen=True)
class Snapshot:
    """Where one crawl stands, as shown to the user."""

    name: str
    months_found: int = 0
    months_done: int = 0
    posts_found: int = 0
    posts_done: int = 0
    posts_archived: int = 0
    pages: int = 0
    errors: int = 0
    rate: float = 0.0
    elapsed: float = 0.0
    finished: bool = False


def format_elapsed(seconds: float) -> str:
    """``H:MM:SS`` of a duration.

    >>> format_elapsed(3725.4)
    '1:02:05'
    """
    s = int(seconds)
    return f"{s // 3600}:{s % 3600 // 60:02d}:{s % 60:02d}"


def format_line(snap: Snapshot) -> str:
    """One plain progress line, for logs.

    >>> format_line(Snapshot("example.org", 12, 3, 120, 41, 37, 240, 2, 3.14, 62))
    'example.org: months 3/12 done, posts 37 archived (41/120 handled), pages 240 (3.1/s), errors 2, elapsed 0:01:02'
    """
    state = "finished" if snap.finished else "elapsed"
    return (
        f"{snap.name}: months {snap.months_done}/{snap.months_found} done, "
        f"posts {snap.posts_archived} archived ({snap.posts_done}/{snap.posts_found} handled), "
        f"pages {snap.pages} ({snap.rate:.1f}/s), errors {snap.errors}, "
        f"{state} {format_elapsed(snap.elapsed)}"
    )


def resolve_mode(mode: str, stream: Any = None) -> str:
    """``auto`` becomes ``live`` on a terminal and ``log`` otherwise; an unknown mode is an error."""
    mode = (mode or "auto").strip().lower()
    if mode not in MODES:
        raise ValueError(f"ARCHIVER_PROGRESS must be one of {', '.join(MODES)}, not {mode!r}")
    if mode != "auto":
        return mode
    stream = stream if stream is not None else sys.stderr
    is_tty = bool(getattr(stream, "isatty", lambda: False)())
    return "live" if is_tty and os.environ.get("TERM") != "dumb" else "log"


class ProgressExtension:
    """Counts what a crawl did and shows it while it runs."""

    def __init__(self, crawler: Crawler, mode: str, interval: float):
        self.crawler = crawler
        self.mode = mode
        self.interval = interval
        self.spider: Spider | None = None
        self.started = time.monotonic()
        self.inflight: dict[Request, str] = {}
        self.pending: Counter[str] = Counter()
        self.months_started: set[str] = set()
        self.posts_by_month: Counter[str] = Counter()
        self.history: deque[tuple[float, int]] = deque()
        self.finished = False
        self.lines_logged = 0
        self.task: AsyncioLoopingCall | LoopingCall | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ProgressExtension:
        settings = crawler.settings
        mode = resolve_mode(settings.get("ARCHIVER_PROGRESS", "auto"))
        interval = settings.getfloat("ARCHIVER_PROGRESS_INTERVAL", 15.0)
        if interval <= 0:
            raise ValueError("ARCHIVER_PROGRESS_INTERVAL must be a positive number of seconds")
        ext = cls(crawler, mode, interval)
        connect = crawler.signals.connect
        connect(ext.spider_opened, signal=signals.spider_opened)
        connect(ext.spider_closed, signal=signals.spider_closed)
        connect(ext.request_scheduled, signal=signals.request_scheduled)
        connect(ext.request_finished, signal=signals.request_left_downloader)
        connect(ext.request_finished, signal=signals.request_dropped)
        connect(ext.item_scraped, signal=signals.item_scraped)
        return ext

    # -- bookkeeping (signal handlers) --

    def request_scheduled(self, request: Request, spider: Spider) -> None:
        month = request.cb_kwargs.get("month") or request.cb_kwargs.get("archive_month")
        if month:
            self.inflight[request] = month
            self.pending[month] += 1
            self.months_started.add(month)

    def request_finished(self, request: Request, spider: Spider) -> None:
        month = self.inflight.pop(request, None)
        if month:
            self.pending[month] -= 1

    def item_scraped(self, item: Any, response: Response, spider: Spider) -> None:
        archive = getattr(item, "archive", None)
        self.posts_by_month[getattr(archive, "month", None) or "undated"] += 1

    def events(self, category: str) -> int:
        """Events of a category so far (``archiver/errors/<kind>`` ... stats, see archiver.events)."""
        prefix = f"archiver/{category}/"
        return sum(v for k, v in self.crawler.stats.get_stats().items() if k.startswith(prefix))

    def snapshot(self) -> Snapshot:
        """Where the crawl stands now (called on the reactor thread only)."""
        spider = self.spider
        stats = self.crawler.stats
        months = list(getattr(spider, "month_urls", {}))
        done = sum(1 for m in months if m in self.months_started and self.pending[m] <= 0)
        archived = stats.get_value("archiver/posts_written", 0) or 0
        errors = self.events("errors")
        found = len(getattr(spider, "posts_seen", ()))
        pages = stats.get_value("response_received_count", 0) or 0
        now = time.monotonic()
        self.history.append((now, pages))
        while len(self.history) > 2 and now - self.history[0][0] > RATE_WINDOW:
            self.history.popleft()
        t0, p0 = self.history[0]
        elapsed = now - self.started
        rate = (pages - p0) / (now - t0) if now - t0 > 0.5 else (pages / elapsed if elapsed else 0)
        return Snapshot(
            name=host_dirname(getattr(spider, "start_url", "") or ""),
            months_found=len(months),
            months_done=done,
            posts_found=found,
            posts_done=min(found, archived + self.events("skipped") + errors),
            posts_archived=archived,
            pages=pages,
            errors=errors,
            rate=rate,
            elapsed=elapsed,
            finished=self.finished,
        )

    # -- display --

    def spider_opened(self, spider: Spider) -> None:
        from scrapy.utils.asyncio import create_looping_call

        self.spider = spider
        self.started = time.monotonic()
        if self.mode == "off":
            return
        if self.mode == "live":
            LIVE.add(self)
            self.task = create_looping_call(self.tick)
            self.task.start(LIVE_TICK, now=True)
        else:
            self.task = create_looping_call(self.tick)
            self.task.start(self.interval, now=False)

    def tick(self) -> None:
        snap = self.snapshot()
        if self.mode == "live":
            LIVE.update(self, snap)
        else:
            logger.info(format_line(snap))
            self.lines_logged += 1

    def spider_closed(self, spider: Spider, reason: str) -> None:
        if self.task is not None and self.task.running:
            self.task.stop()
        self.finished = True
        stats = self.crawler.stats
        stats.set_value("archiver/posts_by_month", dict(sorted(self.posts_by_month.items())))
        if self.mode == "off":
            return
        snap = self.snapshot()
        if self.mode == "live":
            LIVE.update(self, snap)
            LIVE.remove(self)
        elif self.lines_logged:  # a crawl shorter than one interval gets its summary only
            logger.info(format_line(snap))


class LiveDisplay:
    """The one live display of a process, shared by its crawls (rich allows one at a time)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._rows: dict[int, Snapshot] = {}
        self._members: set[int] = set()
        self._live: Any = None
        self._streams: list[tuple[logging.StreamHandler[Any], Any]] = []

    def add(self, member: object) -> None:
        with self._lock:
            self._members.add(id(member))
            if self._live is None:
                self._start()

    def update(self, member: object, snap: Snapshot) -> None:
        with self._lock:
            rows = dict(self._rows)
            rows[id(member)] = snap
            self._rows = rows

    def remove(self, member: object) -> None:
        with self._lock:
            self._members.discard(id(member))
            if not self._members and self._live is not None:
                self._stop()

    def _start(self) -> None:
        from rich.console import Console
        from rich.live import Live

        console = Console(stderr=True)
        self._live = Live(
            get_renderable=self.render,
            console=console,
            refresh_per_second=1 / LIVE_TICK,
            transient=False,
            redirect_stdout=True,
            redirect_stderr=True,
        )
        self._live.start()
        # Log handlers write to the stderr they were given; send them through rich's proxy so
        # that log lines appear above the display instead of tearing it.
        real_stderr = getattr(sys.stderr, "rich_proxied_file", sys.__stderr__)
        for handler in logging.getLogger().handlers:
            if (
                isinstance(handler, logging.StreamHandler)
                and not isinstance(handler, logging.FileHandler)
                and handler.stream in (sys.__stderr__, real_stderr)
            ):
                old = handler.setStream(sys.stderr)
                self._streams.append((handler, old))

    def _stop(self) -> None:
        self._live.refresh()
        self._live.stop()
        for handler, old in self._streams:
            handler.setStream(old)
        self._streams = []
        self._live = None
        self._rows = {}

    def render(self) -> Any:
        """The display: one row per crawl (called from rich's refresh thread)."""
        from rich.progress_bar import ProgressBar
        from rich.table import Table

        table = Table(box=None, padding=(0, 1), show_edge=False)
        for header in ("", "blog", "months", "posts archived", "", "pages", "errors", "elapsed"):
            table.add_column(header, no_wrap=True)
        spinner = "|/-\\"[int(time.monotonic() * 4) % 4]
        for snap in list(self._rows.values()):
            total = max(snap.posts_found, 1)
            table.add_row(
                "✓" if snap.finished else spinner,
                snap.name,
                f"{snap.months_done}/{snap.months_found}",
                ProgressBar(
                    total=total,
                    completed=snap.posts_done,
                    width=24,
                    complete_style="cyan",
                    finished_style="green",
                ),
                f"{snap.posts_archived}/{snap.posts_found}",
                f"{snap.pages} ({snap.rate:.1f}/s)",
                f"[red]{snap.errors}[/red]" if snap.errors else "0",
                format_elapsed(snap.elapsed),
            )
        return table


LIVE = LiveDisplay()
