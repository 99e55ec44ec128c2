"""Progress while crawling: log lines off a terminal, a live display on one, --quiet/--verbose/--log-file,
and the end-of-crawl summary."""

from __future__ import annotations

import os
import re
import select
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from scrapy import Request
from scrapy.utils.test import get_crawler

from archiver.demo.server import serve_site
from archiver.progress import ProgressExtension, Snapshot, format_line, resolve_mode
from archiver.spiders.blog import BlogSpider
from archiver.summary import format_summary, posts_table
from tests.conftest import ROOT, run_archiver

LINE = re.compile(
    r"(?P<name>\S+): months (?P<done>\d+)/(?P<found>\d+) done, posts (?P<archived>\d+) archived "
    r"\((?P<handled>\d+)/(?P<seen>\d+) handled\), pages (?P<pages>\d+) \([\d.]+/s\), "
    r"errors (?P<errors>\d+), (?P<state>elapsed|finished) \d+:\d\d:\d\d"
)


@pytest.fixture(scope="module")
def demo_url() -> Iterator[str]:
    with serve_site() as server:
        yield server.url


def crawl(url: str, out: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return run_archiver(
        "crawl", url, "--output", str(out), "-s", "DOWNLOAD_DELAY=0", "-s",
        "AUTOTHROTTLE_ENABLED=False", *args,
    )  # fmt: skip


def test_log_lines_off_a_terminal_show_the_crawl_advancing(demo_url: str, tmp_path: Path) -> None:
    # A small delay between requests makes the crawl last long enough for several lines.
    proc = crawl(demo_url, tmp_path, "--progress-interval", "0.1", "-s", "DOWNLOAD_DELAY=0.05")
    assert proc.returncode == 0, proc.stderr
    lines = [m.groupdict() for m in map(LINE.search, proc.stderr.splitlines()) if m]
    assert len(lines) >= 3, proc.stderr
    pages = [int(line["pages"]) for line in lines]
    assert pages == sorted(pages)
    assert pages[0] < pages[-1]
    final = lines[-1]
    assert final["state"] == "finished"
    assert (final["done"], final["found"]) == ("4", "4")
    assert final["archived"] == "10"
    assert final["seen"] == "11"
    assert final["handled"] == "11"
    assert final["errors"] == "0"
    # Nothing else on the terminal: no Scrapy INFO log by default.
    others = [x for x in proc.stderr.splitlines() if x.strip() and not LINE.search(x)]
    assert others == []


def test_quiet_prints_nothing_and_still_archives(demo_url: str, tmp_path: Path) -> None:
    proc = crawl(demo_url, tmp_path, "--quiet", "--progress-interval", "0.05")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == ""
    assert proc.stderr == ""
    assert len((tmp_path / "127.0.0.1" / "posts.jsonl").read_text("utf-8").splitlines()) == 10


def test_verbose_shows_scrapys_log_and_log_file_gets_it_all(demo_url: str, tmp_path: Path) -> None:
    verbose = crawl(demo_url, tmp_path / "v", "--verbose")
    assert verbose.returncode == 0
    assert "[scrapy.core.engine] INFO: Spider opened" in verbose.stderr

    log = tmp_path / "logs" / "crawl.log"
    log.parent.mkdir()
    logged = crawl(
        demo_url, tmp_path / "f", "--log-file", str(log), "--progress-interval", "0.1", "-s",
        "DOWNLOAD_DELAY=0.05",
    )  # fmt: skip
    assert logged.returncode == 0
    assert "Spider opened" not in logged.stderr, "the terminal stays quiet"
    text = log.read_text("utf-8")
    assert "Scrapy" in text
    assert "started" in text
    assert "[scrapy.core.engine] INFO: Spider opened" in text
    assert "password_protected" in text, "the INFO log: what was not archived"
    assert LINE.search(text), "the progress lines are in the file too"


def test_live_display_on_a_terminal(demo_url: str, tmp_path: Path) -> None:
    """Run under a pseudo-terminal, as a person would: the display is drawn and redrawn."""
    master, slave = os.openpty()
    env = {**os.environ, "TERM": "xterm-256color", "COLUMNS": "160", "LINES": "40"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "archiver.cli", "crawl", demo_url, "--output", str(tmp_path),
         "-s", "DOWNLOAD_DELAY=0.05", "-s", "AUTOTHROTTLE_ENABLED=False"],
        stdin=slave, stdout=slave, stderr=slave, cwd=ROOT, env=env, close_fds=True,
    )  # fmt: skip
    os.close(slave)
    chunks = []
    while True:
        ready, _, _ = select.select([master], [], [], 60)
        if not ready:
            proc.kill()
            pytest.fail("the crawl under a terminal hung")
        try:
            data = os.read(master, 65536)
        except OSError:  # EIO: the child closed the terminal
            break
        if not data:
            break
        chunks.append(data)
    os.close(master)
    assert proc.wait(timeout=30) == 0
    screen = b"".join(chunks).decode("utf-8", "replace")
    assert "\x1b[" in screen, "terminal control sequences: a live display"
    plain = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", screen)
    header = [line for line in plain.splitlines() if "months" in line and "posts archived" in line]
    assert len(header) >= 2, "the display was redrawn"
    # 23 pages: the demo home page's pages 2 and 3 are left out (its archives cover every month)
    assert re.search(r"✓\s+127\.0\.0\.1\s+4/4\s+\S+\s+10/11\s+23 ", plain), plain[-2000:]
    assert "posts written:   10" in plain, "the summary follows the display"


def test_months_are_done_when_their_requests_are(tmp_path: Path) -> None:
    crawler = get_crawler(BlogSpider, {"ARCHIVER_PROGRESS": "off"})
    spider = BlogSpider.from_crawler(crawler, url="http://127.0.0.1:1/")
    crawler.spider = spider
    ext = ProgressExtension.from_crawler(crawler)
    ext.spider = spider
    spider.month_urls = {"2019-07": "http://127.0.0.1:1/2019/07/", "2019-08": "x"}
    listing = Request("http://127.0.0.1:1/2019/07/", cb_kwargs={"month": "2019-07"})
    post = Request("http://127.0.0.1:1/2019/07/13/a/", cb_kwargs={"archive_month": "2019-07"})
    ext.request_scheduled(listing, spider)
    assert ext.snapshot().months_done == 0
    ext.request_scheduled(post, spider)
    ext.request_finished(listing, spider)
    assert ext.snapshot().months_done == 0, "a post of the month is still in flight"
    ext.request_finished(post, spider)
    snap = ext.snapshot()
    assert (snap.months_done, snap.months_found) == (1, 2), "2019-08 was never requested"


def test_modes_and_line_format() -> None:
    class Tty:
        def isatty(self) -> bool:
            return True

    assert resolve_mode("auto", Tty()) in ("live", "log")  # log when TERM=dumb
    with open(os.devnull) as devnull:
        assert resolve_mode("auto", devnull) == "log"
    assert resolve_mode("off") == "off"
    with pytest.raises(ValueError, match="ARCHIVER_PROGRESS"):
        resolve_mode("fancy")
    line = format_line(Snapshot("a.org", 2, 1, 5, 3, 2, 9, 1, 0.5, 3661, finished=True))
    assert line.endswith("errors 1, finished 1:01:01")


def test_summary_lists_months_errors_and_paths() -> None:
    summary = {
        "url": "https://a.org/", "posts": 3, "months": ["2019-07", "2019-08"], "responses": 9,
        "dropped": {"password_protected": 1}, "fetch_failures": 0, "warc_files": ["w.warc.gz"],
        "manifest": "out/a.org/crawl-1.json", "report": "out/a.org/report.html",
        "posts_by_month": {"2019-08": 1, "2019-07": 2}, "errors_by_kind": {"http_404": 2},
    }  # fmt: skip
    text = format_summary(summary, Path("out"))
    assert "  posts written:   3" in text
    assert "  months found:    2 (2019-07 .. 2019-08)" in text
    assert "report:          out/a.org/report.html" in text
    rows = [line.split() for line in text.splitlines() if line.startswith("    2019-")]
    assert [r[:2] for r in rows] == [["2019-07", "2"], ["2019-08", "1"]]
    assert len(rows[0][2]) == 2 * len(rows[1][2]), "bars proportional to the counts"
    assert re.search(r"errors by kind\n\s+http_404\s+2", text)
    many = {f"{y}-{m:02d}": 1 for y in range(2000, 2005) for m in range(1, 13)}
    assert posts_table(many)[0].strip() == "posts by year"
    assert len(posts_table(many)) == 6
