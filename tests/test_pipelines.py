"""Item pipelines, driven through a real Scrapy crawler object (no network)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from scrapy.exceptions import DropItem
from scrapy.utils.test import get_crawler

from archiver.items import FetchedPage, FetchedPost, PageCapture
from archiver.pipelines import DedupePipeline, ExtractPipeline, StorePipeline, ValidatePipeline
from archiver.spiders.blog import BlogSpider

POST_HTML = """<!DOCTYPE html><html lang="en"><head><title>A post – Blog</title>
<meta name="generator" content="WordPress 6.4"></head><body>
<a class="skip-link screen-reader-text" href="#content">Skip to content</a>
<article class="post"><h1 class="entry-title">A post</h1>
<time class="entry-date published" datetime="2019-07-13T10:00:00+02:00">13 July</time>
<div class="entry-content"><p>First paragraph of a real post with enough words to count.</p>
<p>Second paragraph, also with words.</p></div></article></body></html>"""


def fetched(url: str, html: str = POST_HTML) -> FetchedPost:
    page = FetchedPage(
        url=url, body=html.encode(), encoding="utf-8", status=200, capture=PageCapture(url=url)
    )
    return FetchedPost(pages=[page])


@pytest.fixture
def crawler(tmp_path: Path):
    crawler = get_crawler(BlogSpider, {"ARCHIVER_OUTPUT_DIR": str(tmp_path)})
    crawler.spider = BlogSpider.from_crawler(crawler, url="http://127.0.0.1:8091/")
    crawler.stats.open_spider()
    return crawler


def run(crawler, item):
    for cls in (ExtractPipeline, ValidatePipeline, DedupePipeline):
        item = cls.from_crawler(crawler).process_item(item)
    return item


def test_extract_fills_archive_and_provenance(crawler) -> None:
    post = run(crawler, fetched("http://127.0.0.1:8091/2019/07/13/a-post/"))
    assert post.title == "A post"
    assert post.archive.month == "2019-07"
    assert post.provenance.crawl_id == crawler.spider.crawl_id
    assert post.provenance.pages[0].url == post.url


def test_password_protected_post_is_dropped_and_counted(crawler) -> None:
    html = POST_HTML.replace("<p>First", '<form class="post-password-form"></form><p>First')
    with pytest.raises(DropItem, match="password_protected"):
        run(crawler, fetched("http://127.0.0.1:8091/2019/07/13/p/", html))
    assert crawler.stats.get_value("archiver/dropped/password_protected") == 1


def test_out_of_range_month_is_dropped(crawler) -> None:
    crawler.spider.since = "2020-01"
    with pytest.raises(DropItem, match="out_of_range"):
        run(crawler, fetched("http://127.0.0.1:8091/2019/07/13/a-post/"))


def test_invalid_item_is_dropped_with_the_field_named(crawler) -> None:
    post = ExtractPipeline.from_crawler(crawler).process_item(
        fetched("http://127.0.0.1:8091/2019/07/13/a/")
    )
    post.published = "last Tuesday"
    with pytest.raises(DropItem, match=r"invalid: .*published"):
        ValidatePipeline.from_crawler(crawler).process_item(post)
    assert crawler.stats.get_value("archiver/dropped/invalid") == 1


def test_store_writes_jsonl_and_files_without_overwriting(crawler, tmp_path: Path) -> None:
    store = StorePipeline.from_crawler(crawler)
    store.open_spider()
    for url in ("http://127.0.0.1:8091/2019/07/13/same/", "http://127.0.0.1:8091/2019/07/14/same/"):
        post = run(crawler, fetched(url))
        store.process_item(post)
    store.close_spider()
    site = tmp_path / "127.0.0.1"
    lines = [json.loads(line) for line in (site / "posts.jsonl").read_text("utf-8").splitlines()]
    assert [line["url"] for line in lines] == [
        "http://127.0.0.1:8091/2019/07/13/same/",
        "http://127.0.0.1:8091/2019/07/14/same/",
    ]
    files = sorted((site / "posts" / "2019" / "07").glob("*.json"))
    assert len(files) == 2
    assert {json.loads(f.read_text("utf-8"))["url"] for f in files} == {
        line["url"] for line in lines
    }


def test_duplicates_are_dropped(crawler) -> None:
    dedupe = DedupePipeline.from_crawler(crawler)
    post = ExtractPipeline.from_crawler(crawler).process_item(
        fetched("http://127.0.0.1:8091/2019/07/13/a/")
    )
    dedupe.process_item(post)
    with pytest.raises(DropItem, match="duplicate"):
        dedupe.process_item(post)
