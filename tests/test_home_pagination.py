"""The home page's pagination repeats every post: it is left out where the monthly archives are
shown to reach back to the oldest post, and walked wherever they may not (tests on one generated
blog served on loopback, sitemaps off so that only listings can find the posts)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import FAST_LOCAL, read_jsonl, run_archiver
from tests.static_site import serve_pages

MONTHS = ["2020-06", "2020-05", "2020-04", "2020-03", "2020-02", "2020-01"]
PER_PAGE = 5


def post_path(month: str, n: int, dated: bool) -> str:
    year, mm = month.split("-")
    return f"/{year}/{mm}/{10 + n:02d}/post-{month}-{n}/" if dated else f"/post-{month}-{n}/"


def blog(
    widget_months: list[str], dated: bool = True, drop: str = "", next_only: bool = False
) -> dict[str, str]:
    """Six months of five posts, newest first; home pages of five posts with WordPress-style
    numbered links (1 2 3 ... last), or only a link to the next page; an archive widget linking
    ``widget_months``."""
    posts = [(m, post_path(m, n, dated)) for m in MONTHS for n in range(4, -1, -1)]
    widget = "".join(f'<li><a href="/{m[:4]}/{m[5:]}/">{m}</a></li>' for m in widget_months)
    aside = f'<aside class="widget widget_archive"><ul>{widget}</ul></aside>'

    def listing(entries: list[tuple[str, str]], nav: str) -> str:
        items = "".join(
            f'<article class="post"><h2 class="entry-title"><a href="{p}">Post {p}</a></h2></article>'
            for _, p in entries
        )
        return f"<html><body><main>{items}<nav>{nav}</nav></main>{aside}</body></html>"

    pages: dict[str, str] = {}
    last = len(posts) // PER_PAGE
    for k in range(1, last + 1):
        near = (k + 1,) if next_only else (1, k - 1, k + 1, k + 2, last)
        links = sorted({n for n in near if 1 <= n <= last and n != k})
        nav = "".join(
            f'<a class="page-numbers" href="{"/" if n == 1 else f"/page/{n}/"}">{n}</a>'
            for n in links
        )
        pages["/" if k == 1 else f"/page/{k}/"] = listing(
            posts[(k - 1) * PER_PAGE : k * PER_PAGE], nav
        )
    for month in MONTHS:
        pages[f"/{month[:4]}/{month[5:]}/"] = listing([p for p in posts if p[0] == month], "")
    for month, path in posts:
        pages[path] = (
            '<html><head><meta property="og:type" content="article"></head><body><main>'
            f'<article class="post hentry"><h1 class="entry-title">Post {path}</h1>'
            f'<time class="entry-date published" datetime="{month}-15T10:00:00+00:00">d</time>'
            f'<div class="entry-content"><p>The text of the post at {path}, long enough.</p>'
            f"<p>A second paragraph of {path}.</p></div></article></main>{aside}</body></html>"
        )
    pages.pop(drop, None)
    return pages


def crawl(
    pages: dict[str, str], out: Path, redirects: dict[str, str] | None = None
) -> tuple[set[str], list[dict], dict]:
    """Paths fetched (from the CDXJ index: one line per response), posts, and the crawl stats."""
    with serve_pages(pages, redirects) as url:
        proc = run_archiver("crawl", url, "--output", str(out), "--no-sitemaps", *FAST_LOCAL)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    site = out / "127.0.0.1"
    fetched = set()
    for line in (site / "index.cdxj").read_text("utf-8").splitlines():
        target = json.loads(line.split(" ", 2)[2])["url"]
        if not target.startswith("urn:"):
            fetched.add("/" + target.split("/", 3)[3])
    manifest = json.loads(next(site.glob("crawl-*.json")).read_text("utf-8"))
    return fetched, read_jsonl(site / "posts.jsonl"), manifest["stats"]


HOME_PAGES = {f"/page/{k}/" for k in range(2, 7)}


def test_archives_reaching_the_oldest_post_spare_the_home_pagination(tmp_path: Path) -> None:
    fetched, posts, stats = crawl(blog(MONTHS), tmp_path)
    assert len(posts) == 30, "every post, found through the monthly archives"
    assert fetched & HOME_PAGES == {"/page/6/"}, "only the last page, to check the archives"
    assert stats["archiver/home_pages_skipped"] == 4


@pytest.mark.parametrize(
    ("case", "pages"),
    [
        ("widget of recent months only", blog(MONTHS[:2])),
        ("no dated permalinks", blog(MONTHS, dated=False)),
        ("the last page is missing", blog(MONTHS, drop="/page/6/")),
    ],
)
def test_home_pagination_is_walked_where_archives_may_miss_posts(
    case: str, pages: dict[str, str], tmp_path: Path
) -> None:
    fetched, posts, stats = crawl(pages, tmp_path)
    assert len(posts) == 30, case
    assert fetched >= HOME_PAGES, case
    assert "archiver/home_pages_skipped" not in stats, case


def test_unnumbered_last_page_means_every_page_is_fetched(tmp_path: Path) -> None:
    """Links to the next page only: the jumps reach the last page one page at a time, so every
    page is fetched and none is counted as left out."""
    fetched, posts, stats = crawl(blog(MONTHS, next_only=True), tmp_path)
    assert len(posts) == 30
    assert fetched >= HOME_PAGES
    assert stats["archiver/home_pages_skipped"] == 0


def test_a_last_page_that_redirects_home_means_a_walk(tmp_path: Path) -> None:
    """The furthest page sends the crawler back to the home page: no last page in sight, so the
    pages in between are walked (the jump is not retried, nor the crawl left hanging)."""
    pages = blog(MONTHS[:2], drop="/page/6/")
    fetched, posts, stats = crawl(pages, tmp_path, redirects={"/page/6/": "/"})
    assert len(posts) == 25, "all but the five posts only page 6 listed"
    assert fetched >= HOME_PAGES - {"/page/6/"}
    assert "archiver/home_pages_skipped" not in stats
