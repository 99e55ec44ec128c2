"""Platform detection and content selectors: one small page per platform, written after the
platform's real markup (theme names in the docstrings), plus the generic fallback."""

from __future__ import annotations

import pytest

from archiver.extract import extract_post

LOREM = "Stars were out over the harbour, and the telescope was finally cool enough to use."
MORE = "The seeing improved after midnight, when the wind dropped and the dew held off."


def test_ghost_casper():
    """Ghost 5, Casper theme: gh-content section, byline and subscribe box around it."""
    html = f"""<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">
    <title>First light</title><meta name="generator" content="Ghost 5.75">
    <meta property="og:site_name" content="Night Notes">
    <script type="application/ld+json">{{"@context": "https://schema.org", "@type": "Article",
      "headline": "First light", "author": {{"@type": "Person", "name": "Ann Lee"}},
      "datePublished": "2023-01-05T21:00:00.000Z", "keywords": "telescopes, winter"}}</script>
    </head><body class="post-template"><div class="viewport">
    <header id="gh-head" class="gh-head"><nav class="gh-head-menu"><a href="/">Home</a></nav></header>
    <main id="site-main" class="site-main"><article class="article post tag-gear">
    <header class="article-header gh-canvas"><h1 class="article-title">First light</h1>
    <p class="article-excerpt">What the new scope showed.</p><div class="article-byline">
    <h4 class="author-name"><a href="/author/ann/">Ann Lee</a></h4>
    <time class="byline-meta-date" datetime="2023-01-05">5 Jan 2023</time></div></header>
    <section class="gh-content gh-canvas"><p>{LOREM}</p>
    <figure class="kg-card kg-image-card kg-card-hascaption"><img src="/content/images/m.jpg"
    class="kg-image" alt="Moon"><figcaption>The Moon through the new scope</figcaption></figure>
    <p>{MORE}</p></section></article>
    <section class="footer-cta outer"><h2 class="footer-cta-title">Sign up for more like this.</h2>
    </section></main><footer class="site-footer">Night Notes © 2023</footer></div></body></html>"""
    post = extract_post(html, "https://notes.example.org/first-light/")
    assert post.site.platform == "ghost"
    assert post.body.text == f"{LOREM}\n\n{MORE}"
    assert [(c.text, c.position) for c in post.captions] == [
        ("The Moon through the new scope", len(LOREM) + 2)
    ]
    assert post.authors == ["Ann Lee"]
    assert post.published == "2023-01-05T21:00:00.000Z"
    assert post.tags == ["telescopes", "winter"]
    assert post.sources["tags"] == "json-ld"


def test_medium_modern_markup():
    """medium.com (2023): body in <article><section>, byline marked speechify-ignore."""
    html = f"""<html lang="en"><head><title>Dew shields | by Ann Lee | Medium</title>
    <meta property="og:site_name" content="Medium">
    <meta property="al:android:package" content="com.medium.reader">
    <meta property="article:published_time" content="2023-02-01T08:00:00.000Z">
    <meta name="author" content="Ann Lee"></head><body><div id="root"><nav class="l">
    <a href="/">Medium</a><a href="/m/signin">Sign in</a></nav><article><div class="l"><section>
    <div class="fr fs"><h1 class="pw-post-title">Dew shields</h1>
    <div class="speechify-ignore ab co"><a href="/@ann">Ann Lee</a><span>Follow</span>
    <span>4 min read</span><span>Feb 1, 2023</span></div>
    <p class="pw-post-body-paragraph">{LOREM}</p><p class="pw-post-body-paragraph">{MORE}</p>
    </div></section></div></article><footer><p>Written by Ann Lee</p></footer></div></body></html>"""
    post = extract_post(html, "https://medium.com/@ann/dew-shields-1a2b3c")
    assert post.site.platform == "medium"
    assert post.body.text == f"{LOREM}\n\n{MORE}"
    assert post.title == "Dew shields"
    assert post.authors == ["Ann Lee"]
    assert post.published == "2023-02-01T08:00:00.000Z"
    assert post.sources["published"] == "opengraph"


def test_substack_post_with_subscribe_box_and_footnote():
    """Substack: available-content body, subscription widget inside it, div.footnote notes."""
    html = f"""<html><head><link rel="preconnect" href="https://substackcdn.com">
    <meta property="og:site_name" content="Sky Letter"><script type="application/ld+json">
    {{"@context": "https://schema.org", "@type": "NewsArticle", "headline": "Winter skies",
    "author": [{{"@type": "Person", "name": "Ann Lee", "url": "https://substack.com/@ann"}}],
    "datePublished": "2023-03-01T12:00:00+00:00"}}</script></head><body><div id="main">
    <article class="typography newsletter-post post"><div class="post-header">
    <h1 class="post-title">Winter skies</h1><h3 class="subtitle">Orion is back</h3></div>
    <div class="available-content"><div dir="auto" class="body markup">
    <p>{LOREM}<a class="footnote-anchor" id="footnote-anchor-1" href="#footnote-1">1</a></p>
    <div class="subscription-widget-wrap"><div class="subscription-widget"><p>Thanks for reading
    Sky Letter! Subscribe for free to receive new posts.</p></div></div><p>{MORE}</p>
    <div class="footnote"><a id="footnote-1" href="#footnote-anchor-1" class="footnote-number">1</a>
    <div class="footnote-content"><p>Orion rises earlier each night.</p></div></div>
    </div></div><div class="post-footer"><button>Like</button><a>Share</a></div></article>
    </div></body></html>"""
    post = extract_post(html, "https://skyletter.substack.com/p/winter-skies")
    assert post.site.platform == "substack"
    assert post.body.text == f"{LOREM}1\n\n{MORE}\n\n1\n\nOrion rises earlier each night."
    assert "Subscribe" not in post.body.text
    assert [(r.kind, r.id, r.text) for r in post.references] == [
        ("footnote", "footnote-1", "Orion rises earlier each night.")
    ]
    assert post.authors == ["Ann Lee"]


def test_tumblr_text_post():
    """A Tumblr theme: article.post with .body-text, notes list and controls iframe."""
    html = f"""<html><head><title>Meteor night</title>
    <link rel="alternate" type="application/rss+xml" href="https://skyward.tumblr.com/rss">
    </head><body><iframe src="https://www.tumblr.com/dashboard/iframe?tumblelogName=skyward"
    class="tmblr-iframe"></iframe><div id="posts"><article class="post text">
    <h2 class="title"><a href="/post/1/meteor-night">Meteor night</a></h2>
    <div class="body-text"><p>{LOREM}</p><p>{MORE}</p></div>
    <div class="post-footer"><a href="/post/1/meteor-night">12 notes</a>
    <a href="/tagged/meteors" class="tag">#meteors</a></div>
    <ol class="notes"><li class="note like">sam liked this</li></ol></article></div></body></html>"""
    post = extract_post(html, "https://skyward.tumblr.com/post/1/meteor-night")
    assert post.site.platform == "tumblr"
    assert post.body.text == f"{LOREM}\n\n{MORE}"


def test_hugo_papermod():
    """Hugo, PaperMod theme: post-content, goldmark footnotes, JSON-LD dates, post-tags."""
    html = f"""<!DOCTYPE html><html lang="en" dir="auto"><head><meta name="generator"
    content="Hugo 0.120.4"><title>Collimation | Sky log</title>
    <script type="application/ld+json">{{"@context": "https://schema.org", "@type":
    "BlogPosting", "headline": "Collimation", "datePublished": "2023-04-02T09:00:00+02:00",
    "dateModified": "2023-04-03T10:00:00+02:00", "author": [{{"@type": "Person", "name":
    "Ann Lee"}}], "keywords": ["optics", "howto"]}}</script></head><body><header class="header">
    <nav class="nav"><a href="/" accesskey="h">Sky log</a></nav></header><main class="main">
    <article class="post-single"><header class="post-header"><h1 class="post-title
    entry-hint-parent">Collimation</h1><div class="post-meta"><span title="2023-04-02">April 2,
    2023</span>&nbsp;·&nbsp;2 min&nbsp;·&nbsp;Ann Lee</div></header>
    <div class="toc"><details><summary>Table of Contents</summary><ul><li><a href="#a">A</a></li>
    </ul></details></div><div class="post-content"><p>{LOREM}<sup id="fnref:1"><a href="#fn:1"
    class="footnote-ref" role="doc-noteref">1</a></sup></p><p>{MORE}</p>
    <div class="footnotes" role="doc-endnotes"><hr><ol><li id="fn:1"><p>Use a Cheshire
    eyepiece.&#160;<a href="#fnref:1" class="footnote-backref" role="doc-backlink">&#x21a9;&#xfe0e;
    </a></p></li></ol></div></div><footer class="post-footer"><ul class="post-tags"><li><a
    href="/tags/optics/">optics</a></li></ul></footer></article></main></body></html>"""
    post = extract_post(html, "https://sky.example.org/posts/collimation/")
    assert post.site.platform == "hugo"
    assert post.body.text.startswith(f"{LOREM}1\n\n{MORE}\n\nUse a Cheshire eyepiece.")
    assert "Table of Contents" not in post.body.text
    assert [(r.kind, r.id, r.text) for r in post.references] == [
        ("footnote", "fn:1", "Use a Cheshire eyepiece.")
    ]
    assert post.published == "2023-04-02T09:00:00+02:00"
    assert post.modified == "2023-04-03T10:00:00+02:00"
    assert post.tags == ["optics"]
    assert post.title == "Collimation"


def test_jekyll_minima_with_microformats():
    """Jekyll, Minima theme: h-entry with p-name, dt-published, p-author; kramdown footnotes."""
    html = f"""<!DOCTYPE html><html lang="en"><head><meta name="generator" content="Jekyll v4.3.2">
    <title>Dark sites | Sky log</title></head><body><header class="site-header"><a
    class="site-title" rel="author" href="/">Sky log</a></header><main class="page-content">
    <article class="post h-entry" itemscope itemtype="http://schema.org/BlogPosting">
    <header class="post-header"><h1 class="post-title p-name" itemprop="name headline">Dark
    sites</h1><p class="post-meta"><time class="dt-published" datetime="2023-05-06T22:00:00+01:00"
    itemprop="datePublished">May 6, 2023</time> • <span itemprop="author" itemscope
    itemtype="http://schema.org/Person"><span class="p-author h-card" itemprop="name">Ann
    Lee</span></span></p></header><div class="post-content e-content" itemprop="articleBody">
    <p>{LOREM}<sup id="fnref:1" role="doc-noteref"><a href="#fn:1" class="footnote"
    rel="footnote">1</a></sup></p><p>{MORE}</p><div class="footnotes" role="doc-endnotes"><ol>
    <li id="fn:1" role="doc-endnote"><p>Bortle class 3 or better. <a href="#fnref:1"
    class="reversefootnote" role="doc-backlink">&#8617;</a></p></li></ol></div></div>
    <a class="u-url" href="/2023/05/06/dark-sites.html" hidden></a></article></main></body></html>"""
    post = extract_post(html, "https://sky.example.org/2023/05/06/dark-sites.html")
    assert post.site.platform == "jekyll"
    assert post.title == "Dark sites"
    assert post.published == "2023-05-06T22:00:00+01:00"
    assert post.authors == ["Ann Lee"]
    assert post.sources["title"] == "microformats"
    assert post.sources["authors"] == "microformats"
    assert [(r.id, r.text) for r in post.references] == [("fn:1", "Bortle class 3 or better.")]
    assert post.body.text.startswith(f"{LOREM}1\n\n{MORE}")


@pytest.mark.parametrize(
    ("head", "body", "platform"),
    [
        ('<meta name="generator" content="WordPress 6.4.2">', "", "wordpress"),
        ('<link rel="stylesheet" href="/wp-content/themes/x/style.css">', "", "wordpress"),
        ("<meta content='blogger' name='generator'/>", "", "blogger"),
        ('<meta name="generator" content="Hugo 0.111.3">', "", "hugo"),
        ('<meta name="generator" content="Jekyll v3.9.3">', "", "jekyll"),
        ('<meta name="generator" content="Ghost 4.48">', "", "ghost"),
        ("", '<div class="available-content"><p>x</p></div>', "substack"),
        ('<script src="https://substackcdn.com/bundle/main.js"></script>', "", "substack"),
        ('<meta property="og:site_name" content="Medium">', "", "medium"),
        ("", '<section class="gh-content"><p>x</p></section>', "ghost"),
        ("", "", None),
    ],
)
def test_detection(head, body, platform):
    html = f"<html><head>{head}</head><body><article><p>{LOREM}</p></article>{body}</body></html>"
    assert extract_post(html, "https://x.example.org/p/").site.platform == platform


def test_generic_fallback_scores_unknown_markup():
    """No known class anywhere: Readability-style scoring finds the post among the chrome."""
    links = "".join(f'<li><a href="/p{i}/">Older post number {i}</a></li>' for i in range(20))
    html = f"""<html><body><div id="top"><div class="x1"><a href="/">My site</a> |
    <a href="/about/">About me</a> | <a href="/contact/">Contact</a></div></div>
    <div class="wrap"><div class="col-a"><h1>A night at the lake</h1>
    <p>{LOREM} {MORE}</p><p>{MORE} {LOREM}</p><p>Short closing line, with a comma.</p></div>
    <div class="col-b"><h3>Elsewhere</h3><ul>{links}</ul></div></div>
    <div class="bottom">Copyright 2023, all rights reserved, by me.</div></body></html>"""
    post = extract_post(html, "https://x.example.org/lake/")
    assert post.site.platform is None
    assert post.body.text == (
        f"{LOREM} {MORE}\n\n{MORE} {LOREM}\n\nShort closing line, with a comma."
    )
    assert post.title == "A night at the lake"


def test_generic_fallback_joins_a_post_split_over_sections():
    """Medium-like markup without known classes: each section wraps its text the same way."""
    section = '<section><div class="s1"><div class="w9">{}</div></div></section>'
    parts = [
        "".join(f"<p>{LOREM} Part {n}, paragraph {i}.</p>" for i in range(k))
        for n, k in ((1, 6), (2, 2), (3, 1))
    ]
    html = f"""<html><body><div class="top"><a href="/">Home</a></div><main><article>
    {"".join(section.format(p) for p in parts)}</article></main>
    <div class="x"><a href="/a">Sign in</a></div></body></html>"""
    post = extract_post(html, "https://x.example.org/split/", generic=True)
    assert post.body.text.count(LOREM) == 9
    assert "Part 3, paragraph 0." in post.body.text
    assert "Sign in" not in post.body.text
