"""Site-level boilerplate: a block every post of a blog repeats (a plugin's newsletter box inside
the content) survives page-by-page extraction, and `archiver reextract --strip-boilerplate`
removes it using the whole archived site."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import FAST_LOCAL, read_jsonl, run_archiver
from tests.static_site import serve_pages

PLUGIN = (
    "Enjoyed this post? Join 4,000 readers and get every new article in your inbox, once a week."
)
TOPICS = [
    "pruning plums",
    "grafting apples",
    "mulching pears",
    "netting cherries",
    "storing quinces",
]


def post(n: int, topic: str) -> str:
    return (
        f'<html><head><title>On {topic}</title></head><body><article class="post">'
        f'<h1 class="entry-title">On {topic}</h1>'
        f'<time class="entry-date published" datetime="2020-05-{n + 1:02d}T10:00:00+00:00">d</time>'
        f'<div class="entry-content"><p>Notes on {topic}, written after a long day in the orchard.</p>'
        f"<p>What worked for {topic} this year, and what we would change next spring.</p>"
        f'<div class="plugin-box"><p>{PLUGIN}</p></div></div></article></body></html>'
    )


PAGES = {f"/2020/05/{n + 1:02d}/post-{n}/": post(n, t) for n, t in enumerate(TOPICS)}
PAGES["/"] = (
    "<html><body><main>"
    + "".join(
        f'<article><h2 class="entry-title"><a rel="bookmark" href="{p}">x</a></h2></article>'
        for p in PAGES
    )
    + "</main></body></html>"
)


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("plugin-blog")
    with serve_pages(PAGES) as url:
        proc = run_archiver("crawl", url, "--output", str(out), "--no-sitemaps", *FAST_LOCAL)
    assert proc.returncode == 0, proc.stderr
    return out / "127.0.0.1"


def test_live_crawl_keeps_the_repeated_block(archive: Path) -> None:
    posts = read_jsonl(archive / "posts.jsonl")
    assert len(posts) == len(TOPICS)
    assert all(PLUGIN in p["body"]["text"] for p in posts), "page-by-page rules do not see it"


def test_reextract_strips_it_with_the_site_model(archive: Path, tmp_path: Path) -> None:
    warcs = [str(p) for p in (archive / "warc").glob("*.warc.gz")]
    plain = run_archiver("reextract", *warcs, "--output", str(tmp_path / "plain"))
    stripped = run_archiver(
        "reextract", *warcs, "--output", str(tmp_path / "stripped"), "--strip-boilerplate"
    )
    assert plain.returncode == 0, plain.stderr
    assert stripped.returncode == 0, stripped.stderr
    before = {p["url"]: p for p in read_jsonl(tmp_path / "plain" / "127.0.0.1" / "posts.jsonl")}
    after = {p["url"]: p for p in read_jsonl(tmp_path / "stripped" / "127.0.0.1" / "posts.jsonl")}
    assert set(before) == set(after)
    assert len(after) == len(TOPICS)
    for url, post in after.items():
        assert PLUGIN not in post["body"]["text"]
        assert PLUGIN not in post["body"]["html"]
        assert post["body"]["text"] in before[url]["body"]["text"]
        assert "What worked for" in post["body"]["text"], "the post's own text stays"
        assert post["content_digest"] != before[url]["content_digest"]
