"""report.html: written at the end of a crawl and by `archiver report`, self-contained, escaped."""

from __future__ import annotations

import json
import re
import shutil
from html import escape
from html.parser import HTMLParser
from pathlib import Path

from archiver.report import chart_svg, event_rows, month_range, post_json_path, replay_link
from tests.conftest import run_archiver


class Page(HTMLParser):
    """Collects what the page would load or link to, and the post rows."""

    def __init__(self) -> None:
        super().__init__()
        self.loads: list[str] = []
        self.links: list[str] = []
        self.rows = 0
        self.bars: list[tuple[str, int]] = []
        self.csp = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag in ("script", "img", "iframe", "embed", "object", "audio", "video") and a.get("src"):
            self.loads.append(a["src"] or "")
        if tag == "link":
            self.loads.append(a.get("href") or "")
        if tag == "a":
            self.links.append(a.get("href") or "")
        if tag == "tr" and "data-month" in a:
            self.rows += 1
        if tag == "rect" and "data-month" in a:
            self.bars.append((a["data-month"] or "", int(a["data-count"] or 0)))
        if tag == "meta" and a.get("http-equiv") == "Content-Security-Policy":
            self.csp = a.get("content") or ""


def parse(path: Path) -> Page:
    page = Page()
    page.feed(path.read_text("utf-8"))
    return page


def test_crawl_writes_a_self_contained_report(demo_archive: dict) -> None:
    site = demo_archive["site"]
    report = site / "report.html"
    assert f"report:          {report}" in demo_archive["proc"].stdout
    page = parse(report)
    assert page.loads == [], "nothing is loaded from anywhere"
    assert "default-src 'none'" in page.csp
    assert page.rows == len(demo_archive["posts"]) == 10
    by_month: dict[str, int] = {}
    for post in demo_archive["posts"]:
        by_month[post["archive"]["month"]] = by_month.get(post["archive"]["month"], 0) + 1
    assert dict(page.bars) == by_month
    text = report.read_text("utf-8")
    for post in demo_archive["posts"]:
        assert escape(post["title"]) in text
    json_links = [h for h in page.links if h.endswith(".json")]
    assert len(json_links) == 10
    for href in json_links:
        target = site / href
        assert target.is_file(), href
        assert json.loads(target.read_text("utf-8"))["url"] in [
            p["url"] for p in demo_archive["posts"]
        ]
    assert "password_protected" in text, "what was not archived is listed"
    assert "No errors in the latest crawl." in text


def test_report_command_and_replay_links(demo_archive: dict, tmp_path: Path) -> None:
    out = tmp_path / "out"
    shutil.copytree(demo_archive["out"], out)
    (out / "127.0.0.1" / "report.html").unlink()
    proc = run_archiver("report", str(out), "--replay-url", "http://localhost:8080/demo/")
    assert proc.returncode == 0, proc.stderr
    report = out / "127.0.0.1" / "report.html"
    assert proc.stdout.strip() == str(report)
    replays = [h for h in parse(report).links if h.startswith("http://localhost:8080/demo/")]
    assert len(replays) == 10
    assert all(
        re.match(r"http://localhost:8080/demo/\d{14}/http://127\.0\.0\.1:\d+/", h) for h in replays
    )

    missing = run_archiver("report", str(tmp_path / "nowhere"))
    assert missing.returncode == 1
    assert missing.stderr.startswith("error: ")
    assert len(missing.stderr.splitlines()) == 1


def test_hostile_text_is_escaped(tmp_path: Path) -> None:
    site = tmp_path / "evil.example"
    post = {
        "url": "https://evil.example/2020/01/01/x/",
        "title": '<script>alert(1)</script><img src=x onerror="alert(2)">',
        "authors": ["</td><b>me</b>"],
        "archive": {"month": "2020-01"},
        "site": {"name": "<i>Evil</i>", "url": "javascript:alert(3)"},
        "provenance": {"warc_file": "a.warc.gz", "warc_offset": 0},
    }
    site.mkdir()
    (site / "posts.jsonl").write_text(json.dumps(post) + "\n{broken\n", "utf-8")
    (site / "crawl-20200101T000000Z.json").write_text(
        json.dumps(
            {"errors": [{"kind": "http_500", "url": "javascript:alert(4)", "detail": "<b>"}]}
        ),
        "utf-8",
    )
    proc = run_archiver("report", str(site))
    assert proc.returncode == 0, proc.stderr
    text = (site / "report.html").read_text("utf-8")
    assert "<script>alert" not in text
    assert "<img" not in text
    assert "<b>" not in text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text
    assert 'href="javascript' not in text, "no javascript: link"
    assert "not a JSON line" in text, "a broken line is reported, not fatal"


def test_helpers() -> None:
    assert month_range("2019-12", "2020-01") == ["2019-12", "2020-01"]
    assert month_range("2019-05", "2019-05") == ["2019-05"]
    svg = chart_svg({"2019-01": 2, "2019-04": 1})
    assert svg.count("<rect") == 4, "gaps are months with no posts"
    assert chart_svg({}).startswith("<p")
    url, fetched = "https://a.org/x/", "2024-05-01T10:20:30Z"
    assert (
        replay_link("http://r/{timestamp}/{url}", url, fetched) == f"http://r/20240501102030/{url}"
    )
    assert replay_link("", url, fetched) is None
    assert replay_link("http://r/c", url) == "http://r/c/https://a.org/x/"
    old = {
        "http_errors": [{"url": "u", "status": 404}],
        "dropped": [{"url": "v", "reason": "empty"}],
    }
    assert event_rows(old, "errors") == [("http_404", "u", "")]
    assert event_rows(old, "skipped") == [("empty", "v", "")]
    assert post_json_path(Path("/nonexistent"), "https://a.org/x/") is None
