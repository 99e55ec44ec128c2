"""Link discovery on small pages written for one case each."""

from __future__ import annotations

import pytest

from archiver.discovery import (
    Scope,
    canonicalize,
    is_trap,
    month_of_archive,
    needs_page_probe,
    nth_page_url,
    parse_listing,
    parse_sitemap,
)

BLOG = "http://127.0.0.1:8091/"
SCOPE, _ = Scope.from_start_url(BLOG)


def page(body: str) -> bytes:
    return f"<!DOCTYPE html><html><head><title>t</title></head><body>{body}</body></html>".encode()


def test_scope_keeps_port_and_path() -> None:
    scope, month = Scope.from_start_url("http://127.0.0.1:8091/blog/2019/07/")
    assert month == "2019-07"
    assert scope.home == "http://127.0.0.1:8091/blog/"
    assert scope.relative("http://127.0.0.1:8091/blog/2019/07/13/x/") == "2019/07/13/x/"
    assert scope.relative("http://127.0.0.1:8092/blog/x/") is None, "other port, other site"
    assert scope.relative("http://127.0.0.1:8091/other/x/") is None, "outside the blog's path"
    assert scope.relative("https://127.0.0.1:8091/blog/x/") is None


def test_archive_widget_and_dropdown_give_months() -> None:
    html = page(
        '<aside class="widget widget_archive"><ul>'
        '<li><a href="/2019/07/">July 2019</a></li><li><a href="/2019/05/">May 2019</a></li></ul></aside>'
        '<select name="archive-dropdown"><option value="">Select</option>'
        '<option value="http://127.0.0.1:8091/2018/12/">December 2018</option></select>'
    )
    listing = parse_listing(html, BLOG, SCOPE)
    assert listing.months == {
        "2019-07": "http://127.0.0.1:8091/2019/07/",
        "2019-05": "http://127.0.0.1:8091/2019/05/",
        "2018-12": "http://127.0.0.1:8091/2018/12/",
    }


def test_calendar_navigation_is_not_a_source_of_months() -> None:
    html = page(
        '<table id="wp-calendar"><caption>July 2019</caption><tr><td>'
        '<a href="/2019/07/13/">13</a></td></tr></table>'
        '<nav class="wp-calendar-nav"><a href="/2010/01/">&laquo; Jan</a></nav>'
        '<ul class="wp-block-archives"><li><a href="/2019/07/">July 2019</a></li></ul>'
    )
    listing = parse_listing(html, BLOG, SCOPE)
    assert list(listing.months) == ["2019-07"]
    assert listing.posts == []


def test_post_links_come_from_the_listing_not_from_widgets_or_traps() -> None:
    html = page(
        '<main><article class="post"><h2 class="entry-title">'
        '<a href="/2019/07/13/first-post/" rel="bookmark">First</a></h2>'
        '<a href="/2019/07/13/first-post/#comments">3 comments</a>'
        '<a href="/2019/07/13/first-post/?replytocom=4">Reply</a></article>'
        '<article class="post"><h2 class="entry-title"><a href="/hello-world/">Undated</a></h2></article>'
        '<a href="/tag/bees/">bees</a><a href="/author/ann/">Ann</a><a href="/feed/">RSS</a>'
        '<a href="/wp-login.php">Log in</a><a href="/?s=x">Search</a>'
        '<a href="/2019/07/13/">July 13</a><a href="/2019/">2019</a></main>'
        '<aside id="secondary"><a href="/2018/01/02/old-post/">Recent: old post</a></aside>'
    )
    listing = parse_listing(html, BLOG, SCOPE)
    assert listing.posts == [
        "http://127.0.0.1:8091/2019/07/13/first-post/",
        "http://127.0.0.1:8091/hello-world/",
    ]


def test_pagination_of_the_listing_only() -> None:
    html = page(
        '<a class="next page-numbers" href="/2019/07/page/2/">Next</a>'
        '<a href="/2019/07/page/3/">3</a><a href="/2019/06/page/2/">other month</a>'
        '<a href="/category/x/page/2/">category page</a>'
    )
    listing = parse_listing(html, "http://127.0.0.1:8091/2019/07/", SCOPE)
    assert listing.next_pages == [
        "http://127.0.0.1:8091/2019/07/page/2/",
        "http://127.0.0.1:8091/2019/07/page/3/",
    ]


def test_relative_links_resolve_against_base_href() -> None:
    html = page(
        '<base href="http://127.0.0.1:8091/2019/"><a href="07/13/a-post/" rel="bookmark">A</a>'
    )
    listing = parse_listing(html, BLOG, SCOPE)
    assert listing.posts == ["http://127.0.0.1:8091/2019/07/13/a-post/"]


@pytest.mark.parametrize(
    ("url", "trap"),
    [
        ("http://x.org/2019/07/13/a/?replytocom=5", True),
        ("http://x.org/wp-admin/", True),
        ("http://x.org/comments/feed/", True),
        ("http://x.org/2019/07/13/a/feed/", True),
        ("http://x.org/?s=bees", True),
        ("http://x.org/tag/bees/", True),
        ("http://x.org/2019/07/13/a/", False),
        ("http://x.org/2019/07/page/2/", False),
    ],
)
def test_traps(url: str, trap: bool) -> None:
    assert is_trap(url) is trap


def test_canonicalize_drops_fragments_and_tracking() -> None:
    assert canonicalize("http://x.org/a/?utm_source=x&fbclid=1&id=3#c") == "http://x.org/a/?id=3"
    assert canonicalize("http://x.org") == "http://x.org/"


def test_month_archive_recognition() -> None:
    assert month_of_archive(SCOPE, "http://127.0.0.1:8091/2019/07/page/2/") == "2019-07"
    assert month_of_archive(SCOPE, "http://127.0.0.1:8091/2019/13/") is None
    assert month_of_archive(SCOPE, "http://127.0.0.1:8091/2019/07/13/post/") is None


def test_sitemap_index_and_posts() -> None:
    index = (
        b'<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        b"<sitemap><loc>http://127.0.0.1:8091/wp-sitemap-posts-post-1.xml</loc></sitemap>"
        b"<sitemap><loc>http://127.0.0.1:8091/wp-sitemap-posts-page-1.xml</loc></sitemap>"
        b"<sitemap><loc>http://127.0.0.1:8091/wp-sitemap-taxonomies-category-1.xml</loc></sitemap>"
        b"<sitemap><loc>http://elsewhere.example/sitemap.xml</loc></sitemap></sitemapindex>"
    )
    result = parse_sitemap(index, "http://127.0.0.1:8091/wp-sitemap.xml", SCOPE)
    assert result.sitemaps == ["http://127.0.0.1:8091/wp-sitemap-posts-post-1.xml"]
    urlset = (
        b'<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        b"<url><loc>http://127.0.0.1:8091/hello/</loc><lastmod>2019-07-13</lastmod></url>"
        b"<url><loc>http://127.0.0.1:8091/2019/07/13/dated/</loc></url></urlset>"
    )
    posts = parse_sitemap(urlset, "http://127.0.0.1:8091/wp-sitemap-posts-post-1.xml", SCOPE).posts
    assert posts == [
        ("http://127.0.0.1:8091/hello/", "2019-07-13"),
        ("http://127.0.0.1:8091/2019/07/13/dated/", None),
    ]
    generic = parse_sitemap(urlset, "http://127.0.0.1:8091/sitemap.xml", SCOPE).posts
    assert generic == [("http://127.0.0.1:8091/2019/07/13/dated/", None)], (
        "undated URL of a generic sitemap"
    )


def test_sitemap_entities_are_never_resolved() -> None:
    xxe = (
        b'<?xml version="1.0"?><!DOCTYPE u [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        b'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        b"<url><loc>http://127.0.0.1:8091/2019/07/13/&x;/</loc></url></urlset>"
    )
    posts = parse_sitemap(xxe, "http://127.0.0.1:8091/sitemap.xml", SCOPE).posts
    assert all("root:" not in url for url, _ in posts)


def test_page_probe_only_for_block_themes_without_page_links() -> None:
    assert needs_page_probe(b'<div class="entry-content wp-block-post-content"><p>x</p></div>')
    assert not needs_page_probe(
        b'<div class="wp-block-post-content"><p class="post-nav-links"></p></div>'
    )
    assert not needs_page_probe(b'<div class="entry-content"><p>x</p></div>')
    assert nth_page_url("http://x.org/2019/07/13/slug/", 3) == "http://x.org/2019/07/13/slug/3/"
