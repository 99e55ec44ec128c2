"""Metadata from JSON-LD, OpenGraph, meta tags, microformats and the page, with sources; bad
metadata leaves a field empty and never raises."""

from __future__ import annotations

import pytest

from archiver.extract import extract_post
from archiver.extract.dates import normalise_date

URL = "https://blog.example.org/2019/07/13/rain-gauge/"
LOREM = "Stars were out over the harbour, and the telescope was finally cool enough to use."


def page(head: str = "", body: str = "", lang: str = 'lang="en"') -> str:
    return (
        f"<!DOCTYPE html><html {lang}><head><meta charset='utf-8'>{head}</head><body>"
        f"{body}<div class='entry-content'><p>{LOREM}</p></div></body></html>"
    )


def test_json_ld_first_for_dates_and_authors_with_sources():
    head = """<title>Rain gauge – Example</title>
    <meta property="og:title" content="Rain gauge (OG)">
    <meta property="article:published_time" content="2019-07-13T08:00:00+00:00">
    <meta property="og:site_name" content="Example">
    <meta property="og:locale" content="en_GB">
    <link rel="canonical" href="/2019/07/13/rain-gauge/">
    <script type="application/ld+json">{"@context": "https://schema.org", "@graph": [
      {"@type": "WebSite", "name": "Example (LD)", "url": "https://blog.example.org/"},
      {"@type": ["BlogPosting"], "headline": "Rain gauge (LD)",
       "author": {"@type": "Person", "name": "Ann Lee"},
       "datePublished": "2019-07-13T10:00:00+02:00", "dateModified": "2019-07-14T09:00:00+02:00",
       "articleSection": ["Weather", "Garden"], "keywords": "rain, gauges, DIY"}]}</script>"""
    post = extract_post(page(head, lang=""), URL)
    assert post.title == "Rain gauge (OG)"
    assert post.authors == ["Ann Lee"]
    assert post.published == "2019-07-13T10:00:00+02:00"
    assert post.modified == "2019-07-14T09:00:00+02:00"
    assert post.categories == ["Weather", "Garden"]
    assert post.tags == ["rain", "gauges", "DIY"]
    assert post.language == "en-GB"
    assert post.canonical_url == URL
    assert post.site.name == "Example"
    assert post.sources == {
        "site_name": "opengraph",
        "categories": "json-ld",
        "tags": "json-ld",
        "title": "opengraph",
        "authors": "json-ld",
        "published": "json-ld",
        "modified": "json-ld",
        "language": "opengraph",
        "canonical_url": "html",
    }


def test_page_links_and_bylines_when_no_structured_data():
    body = """<article class="post"><h1 class="entry-title">Rain gauge</h1>
    <div class="entry-meta"><span class="byline">by <a rel="author" href="/a/ann/">Ann Lee</a>
    </span><time class="entry-date published" datetime="2019-07-13T10:00:00+02:00">13 July</time>
    </div><footer class="entry-footer"><a href="/c/weather/" rel="category tag">Weather</a>
    <a href="/t/rain/" rel="tag">rain</a> <a href="/t/diy/" rel="tag">DIY</a></footer></article>"""
    post = extract_post(page(body=body), URL)
    assert (post.title, post.authors, post.published) == (
        "Rain gauge",
        ["Ann Lee"],
        "2019-07-13T10:00:00+02:00",
    )
    assert (post.categories, post.tags) == (["Weather"], ["rain", "DIY"])
    assert post.language == "en"
    assert {k: post.sources[k] for k in ("title", "authors", "published", "tags", "language")} == {
        "title": "html",
        "authors": "html",
        "published": "html",
        "tags": "html",
        "language": "html",
    }
    assert post.sources["canonical_url"] == "url"
    assert "modified" not in post.sources


def test_microformats_h_entry():
    body = """<div class="h-entry"><h2 class="p-name">Rain gauge</h2>
    <a class="u-url" href="/2019/07/13/rain-gauge/">link</a>
    <time class="dt-published" datetime="2019-07-13 10:00:00+02:00">13 July</time>
    <time class="dt-updated" datetime="2019-07-14T10:00:00+02:00">14 July</time>
    <a class="p-author h-card" href="/"><img src="/me.jpg" alt=""> <span class="p-name">Ann
    Lee</span></a><a class="p-category" href="/t/rain">rain</a><a class="p-category"
    href="/t/diy">DIY</a><div class="h-cite"><span class="p-name">Not this</span>
    <span class="p-author">Someone else</span></div></div>"""
    post = extract_post(page(body=body), "https://blog.example.org/?p=12")
    assert post.title == "Rain gauge"
    assert post.published == "2019-07-13T10:00:00+02:00"
    assert post.modified == "2019-07-14T10:00:00+02:00"
    assert post.authors == ["Ann Lee"]
    assert post.tags == ["rain", "DIY"]
    for field in ("title", "published", "modified", "authors", "tags"):
        assert post.sources[field] == "microformats", field


def test_date_from_the_permalink_as_a_last_resort():
    post = extract_post(page(), URL)
    assert post.published == "2019-07-13"
    assert post.sources["published"] == "url"


@pytest.mark.parametrize(
    "head",
    [
        '<script type="application/ld+json">{"@type": "BlogPosting", "headline": </script>',
        '<script type="application/ld+json">[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]</script>',
        '<script type="application/ld+json">{"@type": "BlogPosting", "author": 5,'
        ' "datePublished": ["x"], "keywords": {"a": 1}, "headline": 12}</script>',
        '<meta property="article:published_time" content="0000-00-00 00:00:00">',
        '<meta property="article:published_time" content="20190-07-13T10:00:00Z">',
        '<meta property="article:published_time" content="2019-13-45T25:61:00+99:00">',
        '<meta name="author" content="<a href=&quot;/ann&quot;>Ann</a>">',
        '<script type="application/ld+json">{"@type": "Article", "author": {"name":'
        ' "<span class=\\"x\\">Ann</span>"}, "datePublished": "yesterday"}</script>',
        '<meta name="author" content="https://facebook.com/ann">',
    ],
)
def test_bad_metadata_leaves_fields_empty(head):
    post = extract_post(page(head), "https://blog.example.org/?p=12")
    assert post.published is None
    assert post.authors == []
    assert post.tags == []
    assert "published" not in post.sources
    assert "authors" not in post.sources
    assert post.title  # a title is always given (here: the body's first words)


def test_lenient_json_ld_wrappers_and_trailing_commas():
    head = """<script type="application/ld+json"><!--
    {"@type": "BlogPosting", "datePublished": "2019-07-13T10:00:00Z",
     "author": [{"name": "Ann"}, {"name": "Bo"},],}
    --></script>"""
    post = extract_post(page(head), URL)
    assert post.published == "2019-07-13T10:00:00Z"
    assert post.authors == ["Ann", "Bo"]


def test_bad_dates_fall_through_to_the_next_source():
    head = """<meta property="article:published_time" content="0000-00-00T00:00:00+00:00">
    <meta name="date" content="Sat, 13 Jul 2019 10:00:00 +0200">"""
    post = extract_post(page(head), "https://blog.example.org/?p=1")
    assert post.published == "2019-07-13T10:00:00+02:00"
    assert post.sources["published"] == "meta"


def test_comment_and_sidebar_bylines_are_not_the_authors():
    body = """<aside class="widget"><span class="byline">Widget Author</span></aside>
    <div id="comments"><a rel="author" href="/x/">Commenter</a></div>"""
    post = extract_post(page(body=body), URL)
    assert post.authors == []


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2019-07-13T10:00:00+0200", "2019-07-13T10:00:00+0200"),
        ("2019-07-13T10:00:00.123Z", "2019-07-13T10:00:00.123Z"),
        ("2019-02-29", None),
        ("2020-02-29", "2020-02-29"),
        ("  ", None),
    ],
)
def test_date_normalisation(value, expected):
    assert normalise_date(value) == expected
