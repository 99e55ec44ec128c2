"""A classic theme that prints whole posts in its monthly archive and links no permalink: each
post is archived from the listing page, on its own, and the pagination is still walked."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import FAST_LOCAL, read_jsonl, run_archiver
from tests.static_site import serve_pages


def article(n: int, day: int) -> str:
    return (
        f'<article id="post-{n}" class="post hentry"><h2 class="entry-title">Full post {n}</h2>'
        f'<time class="entry-date published" datetime="2019-07-{day:02d}T10:00:00+00:00">d</time>'
        f'<div class="entry-content"><p>The whole text of post number {n}, printed in the archive.</p>'
        f"<p>Its second paragraph, which only post {n} has.</p></div></article>"
    )


PAGES = {
    "/": '<html><body><main><a href="/2019/07/">July 2019</a></main></body></html>',
    "/2019/07/": (
        '<html><head><meta name="generator" content="WordPress 4.9"></head><body><main>'
        '<h1 class="page-title">Monthly Archives: <span>July 2019</span></h1>'
        + article(1, 20)
        + article(2, 10)
        + '<a class="next page-numbers" href="/2019/07/page/2/">Older</a></main></body></html>'
    ),
    "/2019/07/page/2/": (
        '<html><body><main><h1 class="page-title">Monthly Archives: July 2019</h1>'
        + article(3, 2)
        + "</main></body></html>"
    ),
}


@pytest.fixture(scope="module")
def site() -> Iterator[str]:
    with serve_pages(PAGES) as url:
        yield url


def test_full_posts_on_an_archive_page_become_one_post_each(site: str, tmp_path: Path) -> None:
    proc = run_archiver("crawl", site, "--output", str(tmp_path), "--no-sitemaps", *FAST_LOCAL)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    posts = {p["title"]: p for p in read_jsonl(tmp_path / "127.0.0.1" / "posts.jsonl")}
    assert sorted(posts) == ["Full post 1", "Full post 2", "Full post 3"]
    for n, post in enumerate(sorted(posts.values(), key=lambda p: p["title"]), start=1):
        text = post["body"]["text"]
        assert f"post number {n}" in text
        assert "Monthly Archives" not in text
        assert all(f"post number {m}" not in text for m in (1, 2, 3) if m != n), (
            "never two posts in one"
        )
        assert (
            post["provenance"]["pages"][0]["url"]
            .split("#")[0]
            .endswith(("/2019/07/", "/2019/07/page/2/"))
        )
    assert len(list((tmp_path / "127.0.0.1" / "posts").rglob("*.json"))) == 3
