"""Small hand-written pages: one extraction rule each."""

from __future__ import annotations

import pytest

from archiver.extract import ExtractionError, NotAPost, extract_post, merge_pages, next_page_urls

URL = "https://blog.example.org/2019/07/13/a-post/"
LOREM = "Stars were out over the harbour, and the telescope was finally cool enough to use."


def page(body: str, head: str = "", lang: str = "en") -> str:
    """A minimal HTML page around ``body``."""
    return (
        f'<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8">'
        f"<title>A post – Example Blog</title>{head}</head><body>{body}</body></html>"
    )


CHROME_PAGE = page(
    """
<a class="skip-link screen-reader-text" href="#content">Skip to content</a>
<header id="masthead"><p class="site-title"><a href="/" rel="home">Example Blog</a></p>
  <nav class="main-navigation"><ul class="menu"><li><a href="/about/">About</a></li></ul></nav>
</header>
<div id="primary">
  <h1 class="page-title">Monthly Archives: July 2019</h1>
  <article class="post">
    <h1 class="entry-title">A post</h1>
    <div class="entry-content">
      <p>First paragraph. LOREM</p>
      <p>Second paragraph with <em>emphasis</em> and a <a href="/x/">link</a>.</p>
      <div class="sharedaddy sd-sharing-enabled"><h3 class="sd-title">Share this:</h3>
        <ul><li><a href="https://twitter.com/share">Twitter</a></li></ul></div>
      <div id="jp-relatedposts" class="jp-relatedposts"><h3>Related</h3><p>Other post</p></div>
    </div>
  </article>
  <div id="comments" class="comments-area">
    <div id="respond" class="comment-respond"><h3 id="reply-title">Leave a Reply</h3>
      <form id="commentform"><p>Your email address will not be published.</p></form></div>
  </div>
</div>
<aside id="secondary" class="widget-area"><section class="widget"><h2>Recent Posts</h2>
  <ul><li><a href="/old/">An old post</a></li></ul></section></aside>
<footer id="colophon"><p>Proudly powered by WordPress</p></footer>
""".replace("LOREM", LOREM),
    head='<meta name="generator" content="WordPress 6.4">',
)


def test_chrome_never_reaches_body():
    post = extract_post(CHROME_PAGE, URL)
    assert post.body.text == (
        f"First paragraph. {LOREM}\n\nSecond paragraph with emphasis and a link."
    )
    for chrome in (
        "Skip to content",
        "About",
        "Monthly Archives",
        "Recent Posts",
        "Share this",
        "Twitter",
        "Related",
        "Leave a Reply",
        "email address",
        "Proudly powered",
    ):
        assert chrome not in post.body.text
        assert chrome not in post.body.html
    assert post.title == "A post"
    assert post.site.platform == "wordpress"
    assert post.site.name == "Example Blog"
    assert post.site.url == "https://blog.example.org/"


def test_archive_heading_by_text_only():
    html = page(f"<main><h1>Category: Astronomy</h1><article><p>{LOREM}</p></article></main>")
    assert "Category" not in extract_post(html, URL).body.text


def test_classic_caption_with_source_credit():
    html = page(
        f"""<div class="entry-content"><p>{LOREM}</p>
        <figure id="attachment_7" class="wp-caption aligncenter"><img src="/wp-content/uploads/m.jpg"
          alt="The Moon" width="1000" height="667"><figcaption class="wp-caption-text">The Moon
          at first quarter (Source: NASA)</figcaption></figure><p>After.</p></div>"""
    )
    post = extract_post(html, URL)
    (caption,) = post.captions
    assert caption.text == "The Moon at first quarter (Source: NASA)"
    assert caption.credit == "Source: NASA"
    assert caption.image_url == "https://blog.example.org/wp-content/uploads/m.jpg"
    assert caption.alt == "The Moon"
    assert "first quarter" not in post.body.text
    assert post.body.text == f"{LOREM}\n\nAfter."
    assert post.images[0].url == caption.image_url


def test_block_image_caption_with_link_credit():
    html = page(
        f"""<div class="entry-content wp-block-post-content"><p>{LOREM}</p>
        <figure class="wp-block-image"><img src="b.jpg" alt=""><figcaption
        class="wp-element-caption">Balcony at dusk, by <a href="https://example.org/p">Priya
        Raman</a></figcaption></figure></div>"""
    )
    (caption,) = extract_post(html, URL).captions
    assert caption.text == "Balcony at dusk, by Priya Raman"
    assert caption.credit == "Priya Raman"
    assert caption.image_url == URL + "b.jpg"


def test_caption_without_credit_and_other_credit_forms():
    html = page(
        f"""<article><p>{LOREM}</p>
        <figure><img src="a.jpg"><figcaption>Just a tray of buns.</figcaption></figure>
        <figure><img src="b.jpg"><figcaption>Harbour at night. Photo: J. Doe</figcaption></figure>
        <figure><img src="c.jpg"><figcaption>Old map © British Library</figcaption></figure>
        </article>"""
    )
    credits = [c.credit for c in extract_post(html, URL).captions]
    assert credits == [None, "Photo: J. Doe", "© British Library"]


def test_references_keep_en_dash_url_verbatim():
    dash_url = "https://example.org/wiki/Baker–Campbell"
    html = page(
        f"""<div class="entry-content"><p>{LOREM}</p>
        <h2>References</h2>
        <ol><li><a href="{dash_url}">Baker–Campbell</a>, Wikipedia.</li>
        <li>Forkish, Ken. <em>Flour Water Salt Yeast</em>. 2012.</li>
        <li><a href="https://ru.wikipedia.org/wiki/%D0%9F">П</a> and <a href="/local/">local</a></li>
        </ol><h2>Afterword</h2><p>Still body.</p></div>"""
    )
    post = extract_post(html, URL)
    refs = [(r.text, r.url, r.urls, r.kind) for r in post.references]
    assert refs == [
        ("Baker–Campbell, Wikipedia.", dash_url, [dash_url], "bibliography"),
        ("Forkish, Ken. Flour Water Salt Yeast. 2012.", None, [], "bibliography"),
        (
            "П and local",
            "https://ru.wikipedia.org/wiki/%D0%9F",
            ["https://ru.wikipedia.org/wiki/%D0%9F", "https://blog.example.org/local/"],
            "bibliography",
        ),
    ]
    assert post.body.text == f"{LOREM}\n\nAfterword\n\nStill body."
    assert "Forkish" not in post.body.html


def test_sources_paragraph_heading_with_br_lines():
    html = page(
        f"""<div class="entry-content"><p>{LOREM}</p>
        <p><strong>Sources:</strong></p>
        <p><a href="https://en.wikipedia.org/wiki/Aurora">Aurora</a>, Wikipedia.<br>
        Space weather forecasts.</p></div>"""
    )
    post = extract_post(html, URL)
    assert [(r.text, r.url) for r in post.references] == [
        ("Aurora, Wikipedia.", "https://en.wikipedia.org/wiki/Aurora"),
        ("Space weather forecasts.", None),
    ]
    assert post.body.text == LOREM


def test_relative_links_resolve_against_base_href_then_page_url():
    body = f"""<div class="entry-content"><p>{LOREM} <a href="notes/">notes</a></p>
        <img src="img/x.png" alt="x"></div>"""
    with_base = extract_post(page(body, head='<base href="https://cdn.example.org/b/">'), URL)
    assert 'href="https://cdn.example.org/b/notes/"' in with_base.body.html
    assert with_base.images[0].url == "https://cdn.example.org/b/img/x.png"
    without = extract_post(page(body), URL)
    assert 'href="https://blog.example.org/2019/07/13/a-post/notes/"' in without.body.html
    assert without.images[0].url == "https://blog.example.org/2019/07/13/a-post/img/x.png"


def test_footnotes_listed_and_kept_in_body():
    html = page(
        f"""<div class="entry-content"><p>It is not cloud.<sup id="fnref-1"><a
        href="#fn-1">[1]</a></sup> {LOREM}</p><h3>Notes</h3>
        <ol class="footnotes"><li id="fn-1">Thin cloud lets bright stars through. <a
        href="#fnref-1" class="footnote-backref">↩</a></li></ol></div>"""
    )
    post = extract_post(html, URL)
    assert [(r.kind, r.id, r.text, r.urls) for r in post.references] == [
        ("footnote", "fn-1", "Thin cloud lets bright stars through.", [])
    ]
    assert post.body.text.startswith("It is not cloud.[1] ")
    assert "Notes\n\nThin cloud lets bright stars through." in post.body.text


def test_wordpress_core_footnotes_lose_their_return_arrow():
    html = page(
        f"""<div class="entry-content"><p>{LOREM}<sup data-fn="a1" class="fn"><a href="#a1"
        id="a1-link">1</a></sup></p><ol class="wp-block-footnotes"><li id="a1">Russets worked.
        <a href="#a1-link" aria-label="Jump to footnote reference 1">↩︎</a></li></ol></div>"""
    )
    post = extract_post(html, URL)
    assert [(r.kind, r.id, r.text) for r in post.references] == [
        ("footnote", "a1", "Russets worked.")
    ]


def test_table_cells_tab_joined_and_pre_verbatim():
    html = page(
        f"""<div class="entry-content"><p>{LOREM}</p>
        <table><thead><tr><th>Hour</th><th>Meteors</th></tr></thead>
        <tbody><tr><td>22–23</td><td> 4 </td></tr><tr><td>23–00</td><td></td></tr></tbody></table>
        <pre class="wp-block-code"><code>
time=23:10  seeing=3/5
  west: Io</code></pre><p>Line one<br>line two</p></div>"""
    )
    assert extract_post(html, URL).body.text == (
        f"{LOREM}\n\nHour\tMeteors\n\n22–23\t4\n\n23–00\n\n"
        "time=23:10  seeing=3/5\n  west: Io\n\nLine one\nline two"
    )


def test_blogger_markup():
    html = page(
        f"""<div class="post hentry"><h3 class="post-title entry-title">Lathe day</h3>
        <div class="post-header"><span class="post-author vcard">Posted by
        <span class="fn">Ada</span></span></div>
        <div class="post-body entry-content" id="post-body-123">{LOREM}<br><br>
        <table class="tr-caption-container"><tr><td><img src="https://bp.blogspot.com/l.jpg"></td></tr>
        <tr><td class="tr-caption">The lathe (Photo: Ada)</td></tr></table>
        More text here.</div>
        <div class="post-footer"><span class="post-labels">Labels: <a href="/search/label/tools"
        rel="tag">tools</a></span></div></div>""",
        head="<meta content='blogger' name='generator'/>",
    )
    post = extract_post(html, URL)
    assert post.site.platform == "blogger"
    assert post.title == "Lathe day"
    assert post.authors == ["Ada"]
    assert post.tags == ["tools"]
    assert [(c.text, c.credit, c.image_url) for c in post.captions] == [
        ("The lathe (Photo: Ada)", "Photo: Ada", "https://bp.blogspot.com/l.jpg")
    ]
    assert post.body.text == f"{LOREM}\n\nMore text here."


def test_page_without_body_is_not_a_post():
    html = page('<header><nav><a href="/">Home</a></nav></header><div class="entry-content"></div>')
    with pytest.raises(NotAPost):
        extract_post(html, URL)


def test_password_protected_is_not_a_post():
    html = page(
        '<h1 class="entry-title">Protected: Recipe</h1><div class="entry-content">'
        '<form class="post-password-form"><p>This content is password protected.</p></form></div>'
    )
    with pytest.raises(NotAPost):
        extract_post(html, URL)


def test_unparseable_document():
    with pytest.raises(ExtractionError):
        extract_post(b"", URL)


def test_windows_1251_with_meta_charset_only():
    text = "Пулковская обсерватория стоит на холме к югу от Петербурга."
    html = (
        '<html><head><meta http-equiv="Content-Type" content="text/html; charset=windows-1251">'
        f"<title>Пулково</title></head><body><article><p>{text}</p></article></body></html>"
    )
    post = extract_post(html.encode("cp1251"), URL)
    assert post.body.text == text
    assert extract_post(html.encode("cp1251"), URL, encoding="windows-1251").body.text == text


def test_metadata_from_json_ld_and_meta():
    head = """<meta property="og:site_name" content="Example Blog">
    <meta property="article:published_time" content="2019-07-13T10:00:00+02:00">
    <link rel="canonical" href="/2019/07/13/a-post/">
    <script type="application/ld+json">{"@context": "https://schema.org", "@graph": [
      {"@type": "BlogPosting", "headline": "A post", "author": [{"name": "Ann"}, {"name": "Bo"}],
       "datePublished": "2019-07-13T10:00:00+02:00", "dateModified": "2019-07-14T09:00:00+02:00"}]}
    </script>"""
    post = extract_post(page(f"<article><p>{LOREM}</p></article>", head=head, lang="sv-SE"), URL)
    assert post.authors == ["Ann", "Bo"]
    assert post.published == "2019-07-13T10:00:00+02:00"
    assert post.modified == "2019-07-14T09:00:00+02:00"
    assert post.language == "sv-SE"
    assert post.canonical_url == URL
    assert post.site.name == "Example Blog"
    assert post.title == "A post"


def test_classic_theme_categories_and_tags():
    html = page(
        f"""<article><h1 class="entry-title">A post</h1>
        <div class="entry-meta"><time class="entry-date published" datetime="2019-07-13T10:00:00+02:00">
        13 July</time><time class="updated" datetime="2019-07-20T08:00:00+02:00">20 July</time>
        <span class="byline"><span class="author vcard"><a class="url fn n" href="/author/ann/">Ann</a>
        </span></span></div>
        <div class="entry-content"><p>{LOREM}</p></div>
        <footer class="entry-footer"><span class="cat-links"><a href="/c/sky/" rel="category tag">Sky</a>
        </span><span class="tags-links"><a href="/t/moon/" rel="tag">Moon</a>, <a href="/t/city/"
        rel="tag">city</a></span></footer></article>"""
    )
    post = extract_post(html, URL)
    assert post.categories == ["Sky"]
    assert post.tags == ["Moon", "city"]
    assert post.authors == ["Ann"]
    assert post.published == "2019-07-13T10:00:00+02:00"
    assert post.modified == "2019-07-20T08:00:00+02:00"
    assert post.body.text == LOREM


def test_next_page_urls_and_merge():
    first = page(
        f"""<div class="entry-content"><p>{LOREM}</p>
        <div class="page-links">Pages: <span>1</span> <a href="{URL}2/">2</a>
        <a href="{URL}3/">3</a></div></div><a href="{URL}comment-page-2/">older comments</a>"""
    )
    assert next_page_urls(first, URL) == [URL + "2/", URL + "3/"]
    second = page(
        f"""<div class="entry-content"><p>Second page text.</p><div class="post-nav-links">
        <a href="{URL}">1</a> <span>2</span> <a href="../3/">3</a></div></div>"""
    )
    assert next_page_urls(second, URL + "2/") == [URL + "3/"]
    merged = merge_pages([extract_post(first, URL), extract_post(second, URL + "2/")])
    assert merged.body.text == f"{LOREM}\n\nSecond page text."
    assert merged.url == URL
    assert merged.word_count == len(merged.body.text.split())
    assert merged.content_digest == merged.compute_digest()


def test_scripts_handlers_and_pixels_leave_body_html():
    html = page(
        f"""<div class="entry-content"><p onclick="evil()">{LOREM}</p>
        <script>var tracking = 1;</script><style>p {{color: red}}</style>
        <img src="https://pixel.example.com/p.gif" width="1" height="1">
        <img data-src="/real.jpg" src="data:image/gif;base64,R0lGOD" alt="Real"></div>"""
    )
    post = extract_post(html, URL)
    assert "onclick" not in post.body.html
    assert "tracking" not in post.body.html
    assert "color: red" not in post.body.html
    assert "pixel.example.com" not in post.body.html
    assert [(i.url, i.alt) for i in post.images] == [("https://blog.example.org/real.jpg", "Real")]
    assert post.body.text == LOREM


def test_tag_lists_prev_next_links_and_bylines_leave_the_body():
    html = page(
        f"""<article><div class="content-wrap">
        <div class="meta-line"><a href="/@ann">Ann Lee</a></div>
        <div class="meta-line"><span><a href="/p/">Oct 18, 2019</a> · 8 min read</span></div>
        <p>{LOREM}</p><p>Posted on a clear night, 5 min read after dinner.</p>
        <div class="kw">Tags: <a href="/t/moon" rel="tag">moon</a>, <a href="/t/sky"
        rel="tag">sky</a></div>
        <a class="previous" href="/older/">← Previous: An older post</a></div></article>""",
        head='<meta name="author" content="Ann Lee">',
    )
    post = extract_post(html, URL)
    assert post.body.text == f"{LOREM}\n\nPosted on a clear night, 5 min read after dinner."
    assert post.tags == ["moon", "sky"]
    assert post.authors == ["Ann Lee"]
