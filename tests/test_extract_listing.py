"""extract_listing_posts: a monthly archive printing full posts gives each post on its own."""

from __future__ import annotations

from archiver.extract.listing import extract_listing_posts
from tests.conftest_extract import wordpress_page, wordpress_truth

URL = "https://blog.example.org/2019/07/"
LOREM = "Stars were out over the harbour, and the telescope was finally cool enough to use."


def classic_archive(articles: str) -> str:
    """A classic-theme (Twenty Sixteen style) monthly archive page around ``articles``."""
    return f"""<!DOCTYPE html><html lang="en-GB"><head><meta charset="utf-8">
<title>July 2019 – Example Blog</title><meta name="generator" content="WordPress 5.2">
<link rel="canonical" href="{URL}"></head><body class="archive date">
<a class="skip-link screen-reader-text" href="#content">Skip to content</a>
<header id="masthead" class="site-header"><p class="site-title"><a href="/" rel="home">Example
Blog</a></p><nav class="main-navigation"><ul><li><a href="/about/">About</a></li></ul></nav></header>
<div id="content" class="site-content"><main id="main" class="site-main">
<header class="page-header"><h1 class="page-title">Monthly Archives: July 2019</h1></header>
{articles}
<nav class="navigation pagination"><a class="next page-numbers" href="page/2/">Older posts</a></nav>
</main><aside id="secondary" class="widget-area"><section class="widget"><h2>Recent Posts</h2>
<ul><li><a href="/old/">An old post</a></li></ul></section></aside></div>
<footer id="colophon"><p>Proudly powered by WordPress</p></footer></body></html>"""


def article(number: int, title: str, body: str, permalink: bool = True) -> str:
    link = (
        f'<a href="/2019/07/{number:02d}/post-{number}/" rel="bookmark">{title}</a>'
        if permalink
        else title
    )
    return f"""<article id="post-{number}" class="post-{number} post type-post hentry">
<header class="entry-header"><h2 class="entry-title">{link}</h2></header>
<div class="entry-content">{body}</div>
<footer class="entry-footer"><span class="posted-on"><time class="entry-date published"
datetime="2019-07-{number:02d}T10:00:00+02:00">July {number}</time></span><span class="byline">
<span class="author vcard"><a class="url fn n" href="/author/ann/">Ann</a></span></span>
<span class="cat-links"><a href="/category/sky/" rel="category tag">Sky</a></span></footer>
</article>"""


def test_each_full_post_comes_out_alone():
    page = classic_archive(
        article(21, "Third", f"<p>Third post. {LOREM}</p>")
        + article(
            13,
            "Second",
            f"""<p>Second post. {LOREM}</p><figure class="wp-caption"><img src="/m.jpg" alt="M">
            <figcaption class="wp-caption-text">The Moon (Source: NASA)</figcaption></figure>
            <p>After the figure.</p>""",
        )
        + article(2, "First", f"<p>First post. {LOREM}</p><p>Two paragraphs.</p>", permalink=False)
    )
    posts = extract_listing_posts(page, URL)
    assert [p.title for p in posts] == ["Third", "Second", "First"]
    assert [p.url for p in posts] == [
        "https://blog.example.org/2019/07/21/post-21/",
        "https://blog.example.org/2019/07/13/post-13/",
        "https://blog.example.org/2019/07/#post-2",
    ]
    assert posts[0].body.text == f"Third post. {LOREM}"
    assert posts[1].body.text == f"Second post. {LOREM}\n\nAfter the figure."
    assert posts[2].body.text == f"First post. {LOREM}\n\nTwo paragraphs."
    assert [p.published for p in posts] == [
        "2019-07-21T10:00:00+02:00",
        "2019-07-13T10:00:00+02:00",
        "2019-07-02T10:00:00+02:00",
    ]
    assert [c.text for c in posts[1].captions] == ["The Moon (Source: NASA)"]
    assert not posts[0].captions
    assert not posts[2].captions
    for post in posts:
        assert post.authors == ["Ann"]
        assert post.categories == ["Sky"]
        assert post.site.platform == "wordpress"
        assert post.site.name == "Example Blog"
        assert post.language == "en-GB"
        for chrome in ("Monthly Archives", "Skip to content", "Recent Posts", "Older posts"):
            assert chrome not in post.body.text
            assert chrome not in post.body.html
        assert post.canonical_url == post.url  # never the listing's own canonical URL
        assert post.content_digest == post.compute_digest()


def test_one_post_month_keeps_the_heading_out():
    page = classic_archive(article(13, "Only", f"<p>Only post. {LOREM}</p>"))
    (post,) = extract_listing_posts(page, URL)
    assert post.body.text == f"Only post. {LOREM}"
    assert post.title == "Only"


def test_posts_without_article_markup_are_split_by_their_content():
    page = classic_archive(
        f"""<div class="entry-content"><p>Alpha post. {LOREM}</p></div>
        <div class="entry-content"><p>Beta post. {LOREM}</p></div>"""
    )
    posts = extract_listing_posts(page, URL)
    assert [p.body.text for p in posts] == [f"Alpha post. {LOREM}", f"Beta post. {LOREM}"]
    assert [p.url for p in posts] == [URL + "#post-1", URL + "#post-2"]


def test_blogger_archive_with_two_posts():
    page = f"""<html><head><meta content='blogger' name='generator'/></head><body>
    <div class="blog-posts hfeed"><div class="date-outer"><h2 class="date-header">July 2019</h2>
    <div class="post-outer"><div class="post hentry"><h3 class="post-title entry-title">
    <a href="https://x.blogspot.com/2019/07/lathe.html">Lathe day</a></h3>
    <div class="post-body entry-content" id="post-body-1">Lathe text. {LOREM}</div></div></div>
    <div class="post-outer"><div class="post hentry"><h3 class="post-title entry-title">
    <a href="https://x.blogspot.com/2019/07/mill.html">Mill day</a></h3>
    <div class="post-body entry-content" id="post-body-2">Mill text. {LOREM}</div></div></div>
    </div></div></body></html>"""
    posts = extract_listing_posts(page, "https://x.blogspot.com/2019/07/")
    assert [(p.title, p.url, p.body.text) for p in posts] == [
        ("Lathe day", "https://x.blogspot.com/2019/07/lathe.html", f"Lathe text. {LOREM}"),
        ("Mill day", "https://x.blogspot.com/2019/07/mill.html", f"Mill text. {LOREM}"),
    ]
    assert {p.site.platform for p in posts} == {"blogger"}


def test_protected_post_is_left_out():
    protected = """<article id="post-5" class="post-5 post hentry"><h2 class="entry-title">
    <a href="/2019/07/05/secret/" rel="bookmark">Protected: Secret</a></h2><div class="entry-content">
    <form class="post-password-form" action="/wp-login.php?action=postpass"><p>This content is
    password protected.</p></form></div></article>"""
    page = classic_archive(article(21, "Open", f"<p>Open post. {LOREM}</p>") + protected)
    assert [p.title for p in extract_listing_posts(page, URL)] == ["Open"]


def test_excerpt_listings_give_no_posts():
    """The recorded block theme lists excerpts: the permalinks are the way to those posts."""
    truth = wordpress_truth()
    for archive in truth["monthly_archives"]:
        for url in archive["page_urls"]:
            assert extract_listing_posts(wordpress_page(url), url) == []
    excerpts = classic_archive(
        '<article class="post hentry"><h2 class="entry-title"><a href="/a/">A</a></h2>'
        f'<div class="entry-summary"><p>{LOREM} [&hellip;]</p></div></article>'
    )
    assert extract_listing_posts(excerpts, URL) == []
