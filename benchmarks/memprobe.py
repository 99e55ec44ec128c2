"""`archiver crawl` with one extra extension that reports the size of what grows during a crawl.

    python benchmarks/memprobe.py OUT.jsonl crawl URL [archiver crawl options ...]

The crawl is exactly ``archiver crawl`` (same parser, settings and runner from ``archiver.cli``)
plus ``MemProbe``, which every ``MEMPROBE_INTERVAL`` seconds appends one JSON line to OUT.jsonl:
the process RSS, glibc's heap (in use, and freed but kept), Python's allocated blocks, the length and approximate size (``sys.getsizeof`` of the container and its
entries) of every per-URL structure: Scrapy's duplicate filter, the scheduler's queue, the
spider's sets and dicts, and the item pipelines' sets and dicts.
"""

from __future__ import annotations

import ctypes
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

from scrapy import signals
from twisted.internet import task

PAGE_BYTES = os.sysconf("SC_PAGE_SIZE")


def deep_size(obj: Any) -> int:
    """Bytes of a container and of its direct entries (keys and values), via ``sys.getsizeof``."""
    size = sys.getsizeof(obj)
    if isinstance(obj, dict):
        size += sum(sys.getsizeof(k) + sys.getsizeof(v) for k, v in obj.items())
    elif isinstance(obj, (set, frozenset, list, tuple)):
        size += sum(sys.getsizeof(x) for x in obj)
    return size


class _MallInfo2(ctypes.Structure):
    _fields_ = [
        (name, ctypes.c_size_t)
        for name in (
            "arena", "ordblks", "smblks", "hblks", "hblkhd", "usmblks", "fsmblks",
            "uordblks", "fordblks", "keepcost",
        )
    ]  # fmt: skip


def malloc_mb() -> dict[str, float] | None:
    """glibc's heap: bytes in use by the program, and bytes freed but kept (fragmentation), MB."""
    try:
        libc = ctypes.CDLL("libc.so.6")
        libc.mallinfo2.restype = _MallInfo2
    except (OSError, AttributeError):
        return None
    info = libc.mallinfo2()
    return {
        "in_use": round((info.uordblks + info.hblkhd) / 1e6, 1),
        "free_kept": round(info.fordblks / 1e6, 1),
    }


def rss_mb() -> float:
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * PAGE_BYTES / 1e6


class MemProbe:
    """Appends a line of sizes to ``MEMPROBE_FILE`` every ``MEMPROBE_INTERVAL`` seconds."""

    def __init__(self, crawler: Any):
        self.crawler = crawler
        self.path = Path(crawler.settings.get("MEMPROBE_FILE"))
        self.interval = crawler.settings.getfloat("MEMPROBE_INTERVAL", 2.0)
        self.started = time.perf_counter()
        self.loop = task.LoopingCall(self.sample)

    @classmethod
    def from_crawler(cls, crawler: Any) -> MemProbe:
        probe = cls(crawler)
        crawler.signals.connect(probe.opened, signal=signals.spider_opened)
        crawler.signals.connect(probe.closed, signal=signals.spider_closed)
        return probe

    def opened(self, spider: Any) -> None:
        self.loop.start(self.interval, now=True)

    def closed(self, spider: Any) -> None:
        self.sample()
        if self.loop.running:
            self.loop.stop()

    def structures(self) -> dict[str, Any]:
        """The containers that grow with the number of URLs or posts seen."""
        found: dict[str, Any] = {}
        engine = self.crawler.engine
        slot = getattr(engine, "_slot", None) or getattr(engine, "slot", None)
        scheduler = getattr(slot, "scheduler", None)
        df = getattr(scheduler, "df", None)
        if df is not None and hasattr(df, "fingerprints"):
            found["scrapy dupefilter fingerprints"] = df.fingerprints
        spider = self.crawler.spider
        for name, value in vars(spider).items():
            if isinstance(value, (set, dict, list)) and not name.startswith("_"):
                found[f"spider.{name}"] = value
        itemproc = getattr(getattr(engine, "scraper", None), "itemproc", None)
        for mw in getattr(itemproc, "middlewares", []):
            for name, value in vars(mw).items():
                if isinstance(value, (set, dict, list)):
                    found[f"{type(mw).__name__}.{name}"] = value
        return found

    def sample(self) -> None:
        engine = self.crawler.engine
        slot = getattr(engine, "_slot", None) or getattr(engine, "slot", None)
        scheduler = getattr(slot, "scheduler", None)
        stats = self.crawler.stats
        line = {
            "t": round(time.perf_counter() - self.started, 2),
            "rss_mb": round(rss_mb(), 1),
            "malloc_mb": malloc_mb(),
            "python_blocks": sys.getallocatedblocks(),
            "responses": stats.get_value("response_received_count", 0),
            "posts": stats.get_value("archiver/posts_written", 0),
            "scheduled": len(scheduler) if scheduler is not None else None,
            "in_progress": len(getattr(slot, "inprogress", ())),
            "sizes": {
                name: {"len": len(value), "bytes": deep_size(value)}
                for name, value in self.structures().items()
            },
        }
        with self.path.open("a", encoding="utf-8") as fh:
            fh.write(json.dumps(line) + "\n")


def main() -> int:
    from archiver.cli import build_parser, crawl_settings, run_crawls

    out, *argv = sys.argv[1:]
    args = build_parser().parse_args(argv)
    settings = crawl_settings(args)
    extensions = dict(settings.getdict("EXTENSIONS"))
    extensions["memprobe.MemProbe"] = 900
    settings.set("EXTENSIONS", extensions, priority="cmdline")
    settings.set("MEMPROBE_FILE", out, priority="cmdline")
    summaries = run_crawls(args.urls, settings)
    print(json.dumps(summaries[0], default=str))
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    raise SystemExit(main())
