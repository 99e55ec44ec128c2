"""Generate the static demo blog under ``site/`` and ``expected.json`` from ``content.py``.

Pure standard library and deterministic: running it twice gives identical files. The output is
committed; nothing is generated at run time. Run: ``python -m archiver.demo.build_site``.
Images under ``site/wp-content/uploads/`` are not generated here (see ``make_images.py``).
"""

from __future__ import annotations

import calendar
import html
import json
import re
import shutil
from collections.abc import Iterable
from datetime import date, datetime, timezone
from email.utils import format_datetime
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from archiver.demo import EXPECTED_PATH, ORIGIN_PLACEHOLDER, SITE_DIR
from archiver.demo.content import ABOUT_HTML, AUTHORS, CATEGORIES, POSTS, SITE, TAGS

BASE = ORIGIN_PLACEHOLDER
PER_PAGE = 3
KEEP_DIRS = ("wp-content/uploads",)
"""Folders of ``site/`` that the generator leaves alone (committed by hand)."""
CALENDAR_MONTH = (2019, 8)
CALENDAR_PREV_TRAP = "/2010/01/"
"""The calendar's "previous month" link: a month with no posts, which answers 404."""
COMMENTS_FEED = "/comments/feed/"
LOGIN = "/wp-login.php"
REDIRECTS = {
    "/about-us/": "/about/",
    "/2019/07/13/rain-gauge/": "/2019/07/13/rain-gauge-results/",
}
STYLE_CSS = """/* Harbour Lane demo theme (made for blog-archiver's demo site). */
body{margin:0;font:17px/1.6 Georgia,serif;color:#222;background:#f6f4ee}
.site{max-width:60rem;margin:0 auto;padding:1rem}
.screen-reader-text{position:absolute;clip:rect(1px,1px,1px,1px);height:1px;width:1px;
overflow:hidden}
.site-content{display:flex;gap:2rem}.content-area{flex:3}.widget-area{flex:1;font-size:.9em}
.wp-caption,.wp-block-image{margin:1rem 0}.wp-caption-text,.wp-element-caption{font-size:.85em}
table{border-collapse:collapse}td,th{border:1px solid #bbb;padding:.2rem .5rem}
"""


# -- small helpers -------------------------------------------------------------------------------


def esc(text: str) -> str:
    """HTML-escape ``text`` for element content and attribute values."""
    return html.escape(text, quote=True)


def texturize(text: str) -> str:
    """Escape ``text`` and write typographic characters as numeric entities, like WordPress."""
    out = esc(text)
    for char in "’‘“”–—…":
        out = out.replace(char, f"&#{ord(char)};")
    return out


def fill(fragment: str) -> str:
    """Put the (placeholder) origin into an HTML fragment from ``content.py``."""
    return fragment.replace("{O}", BASE).strip()


def parse_date(value: str) -> datetime:
    """Parse an ISO 8601 date with offset."""
    return datetime.fromisoformat(value)


def long_date(value: str) -> str:
    """ "July 13, 2019"."""
    d = parse_date(value)
    return f"{d:%B} {d.day}, {d.year}"


def comment_date(value: str) -> str:
    """ "July 14, 2019 at 8:12 am"."""
    d = parse_date(value)
    hour = d.hour % 12 or 12
    return f"{long_date(value)} at {hour}:{d:%M} {'am' if d.hour < 12 else 'pm'}"


def plain(fragment: str) -> str:
    """Text of an inline HTML fragment: tags dropped, entities decoded, whitespace collapsed."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", "", fragment)).split())


def hrefs(fragment: str) -> list[str]:
    """Every ``href`` of an HTML fragment, in order."""
    return [html.unescape(h) for h in re.findall(r'href="([^"]*)"', fragment)]


def chunks(items: list[Any], size: int) -> list[list[Any]]:
    """Split ``items`` into pages of ``size`` (at least one page)."""
    return [items[i : i + size] for i in range(0, len(items), size)] or [[]]


# -- the post model ------------------------------------------------------------------------------


def enrich(raw: dict[str, Any]) -> dict[str, Any]:
    """Add the derived fields (paths, display title, rendered pages) to a post from content.py."""
    post = dict(raw)
    d = parse_date(post["published"])
    post["date"] = d
    post["month"] = f"{d:%Y-%m}"
    post["path"] = f"/{d:%Y/%m/%d}/{post['slug']}/"
    post["url"] = BASE + post["path"]
    post["protected"] = bool(post.get("protected"))
    post["display_title"] = ("Protected: " if post["protected"] else "") + post["title"]
    pages = [fill(post["body"])] + [fill(p) for p in post.get("pages", [])]
    post["page_paths"] = [post["path"]] + [f"{post['path']}{n}/" for n in range(2, len(pages) + 1)]
    extra = render_references(post)
    pages[-1] = pages[-1] + extra if extra else pages[-1]
    post["rendered_pages"] = pages
    post["comments"] = post.get("comments", [])
    return post


def render_references(post: dict[str, Any]) -> str:
    """The references section, "Sources:" paragraph or footnote list that ends the post."""
    parts = []
    if post.get("footnotes"):
        items = "".join(
            f'<li id="{f["id"]}">{f["html"]} <a href="#{f["id"]}-link" '
            f'aria-label="Jump to footnote reference {i}">↩︎</a></li>\n'
            for i, f in enumerate(post["footnotes"], 1)
        )
        parts.append(f'<ol class="wp-block-footnotes">\n{items}</ol>')
    if post.get("references"):
        items = "".join(f"<li>{r}</li>\n" for r in post["references"])
        parts.append(f"<h2>References</h2>\n<ol>\n{items}</ol>")
    if post.get("sources"):
        lines = "<br>\n".join(post["sources"])
        parts.append(f"<p><strong>Sources:</strong></p>\n<p>{lines}</p>")
    return "\n" + "\n".join(parts) if parts else ""


def excerpt(post: dict[str, Any], words: int = 25) -> str:
    """A WordPress-like automatic excerpt of the first paragraph."""
    if post["protected"]:
        return "There is no excerpt because this is a protected post."
    first = re.search(r"<p>(.*?)</p>", post["rendered_pages"][0], re.S)
    text = plain(first.group(1) if first else "").split()
    return " ".join(text[:words]) + (" […]" if len(text) > words else "")


ALL = sorted((enrich(p) for p in POSTS), key=lambda p: p["date"])
"""Every post, oldest first."""
NEWEST = list(reversed(ALL))
PUBLIC = [p for p in ALL if not p["protected"]]
MONTHS = sorted({p["month"] for p in ALL}, reverse=True)


# -- page chrome ---------------------------------------------------------------------------------


def month_label(month: str) -> str:
    """ "2019-07" -> "July 2019"."""
    year, mon = month.split("-")
    return f"{calendar.month_name[int(mon)]} {year}"


def sidebar() -> str:
    """The widget area shared by every page."""
    recent = "".join(
        f'<li><a href="{p["url"]}">{texturize(p["display_title"])}</a></li>' for p in NEWEST[:3]
    )
    archives = "".join(
        f'<li><a href="{BASE}/{m.replace("-", "/")}/">{month_label(m)}</a></li>' for m in MONTHS
    )
    counts = {slug: sum(slug in p["tags"] for p in ALL) for slug in TAGS}
    cloud = "\n".join(
        f'<a href="{BASE}/tag/{slug}/" class="tag-cloud-link" '
        f'style="font-size: {8 + 2 * counts[slug]}pt;">{esc(name)}</a>'
        for slug, name in sorted(TAGS.items())
    )
    meta = (
        f'<li><a href="{BASE}{LOGIN}">Log in</a></li>'
        f'<li><a href="{BASE}/feed/">Entries feed</a></li>'
        f'<li><a href="{BASE}{COMMENTS_FEED}">Comments feed</a></li>'
        '<li><a href="https://wordpress.org/">WordPress.org</a></li>'
    )
    return (
        '<aside class="widget-area">\n'
        '<section class="widget widget_recent_entries"><h2 class="widget-title">Recent Posts'
        f"</h2><ul>{recent}</ul></section>\n"
        '<section class="widget widget_archive"><h2 class="widget-title">Archives</h2>'
        f"<ul>{archives}</ul></section>\n"
        '<section class="widget widget_tag_cloud"><h2 class="widget-title">Tags</h2>'
        f'<div class="tagcloud">{cloud}</div></section>\n'
        f'<section class="widget widget_calendar">{calendar_widget()}</section>\n'
        '<section class="widget widget_meta"><h2 class="widget-title">Meta</h2>'
        f"<ul>{meta}</ul></section>\n"
        "</aside>"
    )


def calendar_widget() -> str:
    """The calendar of the newest month; its "previous" link is the 404 trap month."""
    year, mon = CALENDAR_MONTH
    days = {p["date"].day for p in ALL if (p["date"].year, p["date"].month) == CALENDAR_MONTH}
    head = "".join(f"<th>{calendar.day_name[i][0]}</th>" for i in range(7))
    rows = []
    for week in calendar.Calendar(firstweekday=0).monthdayscalendar(year, mon):
        cells = []
        for day in week:
            if not day:
                cells.append('<td class="pad">&nbsp;</td>')
            elif day in days:
                href = f"{BASE}/{year}/{mon:02d}/{day:02d}/"
                cells.append(f'<td><a href="{href}">{day}</a></td>')
            else:
                cells.append(f"<td>{day}</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    return (
        '<div id="calendar_wrap" class="calendar_wrap"><table id="wp-calendar" '
        f'class="wp-calendar-table"><caption>{calendar.month_name[mon]} {year}</caption>'
        f"<thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"
        '<nav aria-label="Previous and next months" class="wp-calendar-nav">'
        f'<span class="wp-calendar-nav-prev"><a href="{BASE}{CALENDAR_PREV_TRAP}">« Jan</a>'
        '</span><span class="pad">&nbsp;</span><span class="wp-calendar-nav-next">&nbsp;</span>'
        "</nav></div>"
    )


SIDEBAR = sidebar()
SITE_TITLE = texturize(SITE["name"])
ESCAPED_BASE = BASE.replace("/", "\\/")
"""The origin as WordPress writes it inside inline JSON."""
MENU = "".join(
    f'<li class="menu-item"><a href="{BASE}{path}">{label}</a></li>'
    for path, label in (
        ("/", "Home"),
        ("/about/", "About"),
        ("/category/garden/", "Garden"),
        ("/category/kitchen/", "Kitchen"),
    )
)
SEARCH_FORM = (
    f'<form role="search" method="get" class="search-form" action="{BASE}/">'
    '<label for="s">Search…</label><input type="search" id="s" name="s">'
    '<input type="submit" value="Search"></form>'
)


def page(
    *,
    title: str,
    body_class: str,
    main: str,
    canonical: str | None = None,
    head_extra: str = "",
) -> str:
    """A whole HTML document with the theme chrome around ``main``."""
    canonical_link = f'<link rel="canonical" href="{canonical}">\n' if canonical else ""
    rss = 'rel="alternate" type="application/rss+xml"'
    settings = f'{{"ajaxurl":"{ESCAPED_BASE}\\/wp-admin\\/admin-ajax.php"}}'
    return f"""<!doctype html>
<html lang="{SITE["language"]}" class="no-js">
<head>
<meta charset="UTF-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<link {rss} title="{SITE_TITLE} &raquo; Feed" href="{BASE}/feed/">
<link {rss} title="{SITE_TITLE} &raquo; Comments Feed" href="{BASE}{COMMENTS_FEED}">
<link rel="stylesheet" href="{BASE}/wp-content/themes/orchard/style.css?ver=1.2" media="all">
<script id="orchard-js-extra">var orchardSettings = {settings};</script>
<style id="orchard-inline-css">.site-title a{{color:#3b5d2a}}</style>
<meta name="generator" content="{SITE["generator"]}">
{canonical_link}<meta property="og:site_name" content="{SITE_TITLE}">
{head_extra}</head>
<body class="{body_class}">
<div id="page" class="site">
<a class="skip-link screen-reader-text" href="#content">Skip to content</a>
<header id="masthead" class="site-header">
<div class="site-branding"><p class="site-title"><a href="{BASE}/" rel="home">{SITE_TITLE}</a>
</p><p class="site-description">{esc(SITE["description"])}</p></div>
<nav id="site-navigation" class="primary-navigation" aria-label="Primary menu">
<ul class="menu-wrapper">{MENU}</ul></nav>
</header>
<div id="content" class="site-content">
<div id="primary" class="content-area">
<main id="main" class="site-main">
{main}
</main>
</div>
{SIDEBAR}
</div>
<footer id="colophon" class="site-footer">
<div class="site-info"><div class="site-name"><a href="{BASE}/">{SITE_TITLE}</a></div>
<div class="powered-by">Proudly powered by <a href="https://wordpress.org/">WordPress</a>.</div>
</div></footer>
</div>
</body>
</html>
"""


def full_title(*parts: str) -> str:
    """Document title parts joined by " – " (already escaped)."""
    return " &#8211; ".join(parts)


# -- entries -------------------------------------------------------------------------------------


def post_classes(post: dict[str, Any]) -> str:
    """The ``post_class()`` list of a post."""
    classes = [f"post-{post['id']}", "post", "type-post", "status-publish", "format-standard"]
    if post["protected"]:
        classes.append("post-password-required")
    classes.append("hentry")
    classes += [f"category-{c}" for c in post["categories"]] + [f"tag-{t}" for t in post["tags"]]
    return " ".join([*classes, "entry"])


def byline(post: dict[str, Any]) -> str:
    """Author link in a vcard."""
    name = esc(AUTHORS[post["author"]])
    return (
        f'<span class="byline">By <span class="author vcard"><a class="url fn n" '
        f'href="{BASE}/author/{post["author"]}/">{name}</a></span></span>'
    )


def entry_footer(post: dict[str, Any], listed: bool = False) -> str:
    """Dates and author; on the post's own page also categories and tags."""
    published = (
        f'<time class="entry-date published" datetime="{post["published"]}">'
        f"{long_date(post['published'])}</time>"
    )
    if post.get("modified"):
        published += (
            f'<time class="updated" datetime="{post["modified"]}">'
            f"{long_date(post['modified'])}</time>"
        )
    posted = f'<div class="posted-by"><span class="posted-on">Published {published}</span> '
    if listed:
        link = f'<a href="{post["url"]}" rel="bookmark">{published}</a>'
        posted = posted.replace(published, link)
        return f'<footer class="entry-footer">{posted}{byline(post)}</div></footer>'
    cats = ", ".join(
        f'<a href="{BASE}/category/{c}/" rel="category tag">{esc(CATEGORIES[c])}</a>'
        for c in post["categories"]
    )
    tags = ", ".join(
        f'<a href="{BASE}/tag/{t}/" rel="tag">{esc(TAGS[t])}</a>' for t in post["tags"]
    )
    tags = f'<span class="tags-links">Tagged {tags}</span>' if tags else ""
    return (
        f'<footer class="entry-footer">{posted}{byline(post)}</div><div class="post-taxonomies">'
        f'<span class="cat-links">Categorized as {cats} </span>{tags}</div></footer>'
    )


def listing_entry(post: dict[str, Any]) -> str:
    """A post as listed on the home page and on archive pages."""
    link = f'<a href="{post["url"]}" rel="bookmark">{texturize(post["display_title"])}</a>'
    return (
        f'<article id="post-{post["id"]}" class="{post_classes(post)}">\n'
        f'<header class="entry-header"><h2 class="entry-title">{link}</h2></header>\n'
        f'<div class="entry-summary"><p>{esc(excerpt(post))}</p></div>\n'
        f"{entry_footer(post, listed=True)}\n</article>"
    )


def pagination(base: str, current: int, total: int) -> str:
    """The numbered ``.nav-links`` of a paginated listing whose first page is ``base``."""
    if total < 2:
        return ""

    def url(n: int) -> str:
        return base if n == 1 else f"{base}page/{n}/"

    links = []
    if current > 1:
        links.append(f'<a class="prev page-numbers" href="{url(current - 1)}">Newer posts</a>')
    for n in range(1, total + 1):
        if n == current:
            links.append(f'<span aria-current="page" class="page-numbers current">{n}</span>')
        else:
            links.append(f'<a class="page-numbers" href="{url(n)}">{n}</a>')
    if current < total:
        links.append(f'<a class="next page-numbers" href="{url(current + 1)}">Older posts</a>')
    return (
        '<nav class="navigation pagination" aria-label="Posts">'
        '<h2 class="screen-reader-text">Posts navigation</h2>'
        f'<div class="nav-links">{"".join(links)}</div></nav>'
    )


def page_links(post: dict[str, Any], current: int) -> str:
    """ "Pages: 1 2" links of a multi-page post."""
    if len(post["page_paths"]) < 2:
        return ""
    items = []
    for n, path in enumerate(post["page_paths"], 1):
        if n == current:
            items.append(f'<span class="post-page-numbers current" aria-current="page">{n}</span>')
        else:
            items.append(f'<a href="{BASE}{path}" class="post-page-numbers">{n}</a>')
    return f'\n<div class="page-links">Pages: {" ".join(items)}</div>'


def sharing(url: str) -> str:
    """The Jetpack share buttons block."""
    buttons = "".join(
        f'<li class="share-{s}"><a rel="nofollow" class="share-{s} sd-button" '
        f'href="{url}?share={s}" target="_blank"><span>{name}</span></a></li>'
        for s, name in (("twitter", "Twitter"), ("facebook", "Facebook"))
    )
    return (
        '<div class="sharedaddy sd-sharing-enabled"><div class="robots-nocontent sd-block '
        'sd-sharing"><h3 class="sd-title">Share this:</h3>'
        f'<div class="sd-content"><ul>{buttons}</ul></div></div></div>'
    )


def related(post: dict[str, Any]) -> str:
    """The Jetpack related posts block: up to three other public posts."""
    others = [p for p in reversed(PUBLIC) if p is not post]
    others.sort(key=lambda p: not set(p["categories"]) & set(post["categories"]))
    items = "".join(
        f'<div class="jp-relatedposts-post"><h4 class="jp-relatedposts-post-title">'
        f'<a class="jp-relatedposts-post-a" href="{p["url"]}">{texturize(p["title"])}</a></h4>'
        f'<p class="jp-relatedposts-post-date">{long_date(p["published"])}</p>'
        "</div>"
        for p in others[:3]
    )
    return (
        '<div id="jp-relatedposts" class="jp-relatedposts"><h3 class="jp-relatedposts-headline">'
        f'<em>Related</em></h3><div class="jp-relatedposts-items">{items}</div></div>'
    )


def post_navigation(post: dict[str, Any]) -> str:
    """Previous/next post links."""
    i = ALL.index(post)
    parts = []
    if i > 0:
        p = ALL[i - 1]
        parts.append(
            f'<div class="nav-previous"><a href="{p["url"]}" rel="prev"><p class="meta-nav">'
            f'Previous post</p><p class="post-title">{texturize(p["display_title"])}</p></a></div>'
        )
    if i + 1 < len(ALL):
        p = ALL[i + 1]
        parts.append(
            f'<div class="nav-next"><a href="{p["url"]}" rel="next"><p class="meta-nav">'
            f'Next post</p><p class="post-title">{texturize(p["display_title"])}</p></a></div>'
        )
    return (
        '<nav class="navigation post-navigation" aria-label="Posts">'
        '<h2 class="screen-reader-text">Post navigation</h2>'
        f'<div class="nav-links">{"".join(parts)}</div></nav>'
    )


def comment_html(post: dict[str, Any], c: dict[str, Any], children: str, depth: int) -> str:
    """One comment ``<li>`` with its replies."""
    text = "".join(f"<p>{esc(t)}</p>" for t in c["text"])
    author_slug = next((k for k, v in AUTHORS.items() if v == c["author"]), None)
    extra = f" byuser comment-author-{author_slug} bypostauthor" if author_slug else ""
    parent = " parent" if children else ""
    return (
        f'<li id="comment-{c["id"]}" class="comment{extra} depth-{depth}{parent}">'
        f'<article id="div-comment-{c["id"]}" class="comment-body"><footer class="comment-meta">'
        f'<div class="comment-author vcard"><b class="fn">{esc(c["author"])}</b> '
        '<span class="says">says:</span></div><div class="comment-metadata">'
        f'<a href="{post["url"]}#comment-{c["id"]}"><time datetime="{c["published"]}">'
        f"{comment_date(c['published'])}</time></a></div></footer>"
        f'<div class="comment-content">{text}</div><div class="reply"><a rel="nofollow" '
        f'class="comment-reply-link" href="{post["url"]}?replytocom={c["id"]}#respond" '
        f'data-commentid="{c["id"]}" data-postid="{post["id"]}" '
        f'aria-label="Reply to {esc(c["author"])}">Reply</a></div></article>{children}</li>'
    )


def comments_area(post: dict[str, Any]) -> str:
    """Comment list (threaded) and the comment form."""
    comments = post["comments"]

    def thread(parent: int | None, depth: int) -> str:
        items = []
        for c in comments:
            if c.get("parent") == parent:
                kids = thread(c["id"], depth + 1)
                kids = f'<ol class="children">{kids}</ol>' if kids else ""
                items.append(comment_html(post, c, kids, depth))
        return "".join(items)

    listing = ""
    if comments:
        n = len(comments)
        listing = (
            f'<h2 class="comments-title">{n} comment{"s" if n > 1 else ""} on '
            f"“{texturize(post['title'])}”</h2>\n"
            f'<ol class="comment-list">{thread(None, 1)}</ol>\n'
        )
    fields = "".join(
        f'<p class="comment-form-{name}"><label for="{name}">{label}</label>{control}</p>'
        for name, label, control in (
            ("comment", "Comment", '<textarea id="comment" name="comment" required></textarea>'),
            ("author", "Name", '<input id="author" name="author" type="text">'),
            ("email", "Email", '<input id="email" name="email" type="email">'),
        )
    )
    form = (
        f'<form action="{BASE}/wp-comments-post.php" method="post" id="commentform" '
        'class="comment-form" novalidate>'
        '<p class="comment-notes">Your email address will not be published.</p>'
        f'{fields}<p class="form-submit"><input name="submit" type="submit" id="submit" '
        'value="Post Comment"><input type="hidden" name="comment_post_ID" '
        f'value="{post["id"]}"><input type="hidden" name="comment_parent" value="0"></p></form>'
    )
    avatars = " show-avatars" if comments else ""
    return (
        f'<div id="comments" class="comments-area{avatars}">\n{listing}'
        '<div id="respond" class="comment-respond"><h2 id="reply-title" '
        'class="comment-reply-title">Leave a comment <small><a rel="nofollow" '
        f'id="cancel-comment-reply-link" href="{post["url"]}#respond" style="display:none;">'
        f"Cancel reply</a></small></h2>{form}</div>\n</div>"
    )


def single(post: dict[str, Any], number: int) -> str:
    """Page ``number`` (1-based) of a single post."""
    url = BASE + post["page_paths"][number - 1]
    title = texturize(post["display_title"])
    feed = (
        f'<link rel="alternate" type="application/rss+xml" title="{SITE_TITLE} &raquo; '
        f'{texturize(post["title"])} Comments Feed" href="{post["url"]}feed/">\n'
    )
    meta = (
        f'<meta property="og:type" content="article">\n<meta property="og:title" '
        f'content="{title}">\n<meta property="og:url" content="{url}">\n'
        f'<meta property="article:published_time" content="{post["published"]}">\n'
    )
    if post.get("modified"):
        meta += f'<meta property="article:modified_time" content="{post["modified"]}">\n'
    if post["protected"]:
        content = (
            f'<form action="{BASE}{LOGIN}?action=postpass" class="post-password-form" '
            'method="post">'
            "<p>This content is password protected. To view it please enter your password below:"
            f'</p><p><label for="pwbox-{post["id"]}">Password: <input name="post_password" '
            f'id="pwbox-{post["id"]}" type="password" spellcheck="false" size="20"></label> '
            '<input type="submit" name="Submit" value="Enter"></p></form>'
        )
        after = ""
    else:
        content = post["rendered_pages"][number - 1] + page_links(post, number)
        content += "\n" + sharing(post["url"]) + "\n" + related(post)
        after = "\n" + comments_area(post)
    main = f"""<article id="post-{post["id"]}" class="{post_classes(post)}">
<header class="entry-header alignwide"><h1 class="entry-title">{title}</h1></header>
<div class="entry-content">
{content}
</div>
{entry_footer(post)}
</article>
{post_navigation(post)}{after}"""
    return page(
        title=full_title(title, SITE_TITLE),
        body_class=f"post-template-default single single-post postid-{post['id']} "
        "single-format-standard",
        main=main,
        canonical=url,
        head_extra=feed + meta,
    )


# -- writing -------------------------------------------------------------------------------------


class Writer:
    """Collects the site's files and writes them under ``root``."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.files: dict[str, str] = {}

    def add(self, path: str, text: str) -> None:
        """Add a file; ``path`` ending in "/" means its ``index.html``."""
        rel = path.strip("/")
        if path.endswith("/"):
            rel = f"{rel}/index.html" if rel else "index.html"
        if rel in self.files:
            raise ValueError(f"duplicate file {rel}")
        self.files[rel] = text

    def write(self) -> None:
        """Remove the previously generated files and write the new ones."""
        if self.root.exists():
            for child in sorted(self.root.iterdir()):
                if child.name == "wp-content":
                    for sub in sorted(child.iterdir()):
                        if f"wp-content/{sub.name}" not in KEEP_DIRS:
                            remove(sub)
                else:
                    remove(child)
        for rel, text in sorted(self.files.items()):
            target = self.root / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8", newline="\n")


def remove(path: Path) -> None:
    """Delete a file or a folder tree."""
    if path.is_dir():
        shutil.rmtree(path)
    else:
        path.unlink()


def listing(
    w: Writer,
    base_path: str,
    posts: list[dict[str, Any]],
    *,
    heading: str | None,
    label: str,
    body_class: str,
) -> list[str]:
    """Write a paginated listing; returns the paths of its pages."""
    pages = chunks(posts, PER_PAGE)
    paths = []
    for n, chunk in enumerate(pages, 1):
        path = base_path if n == 1 else f"{base_path}page/{n}/"
        paths.append(path)
        header = (
            f'<header class="page-header"><h1 class="page-title">{heading}</h1></header>\n'
            if heading
            else ""
        )
        main = header + "\n".join(listing_entry(p) for p in chunk)
        main += "\n" + pagination(BASE + base_path, n, len(pages))
        parts = [label] if label else []
        if n > 1:
            parts.append(f"Page {n}")
        parts.append(SITE_TITLE)
        if not label:
            parts.append(esc(SITE["description"]))
        paged = f" paged paged-{n}" if n > 1 else ""
        w.add(path, page(title=full_title(*parts), body_class=body_class + paged, main=main))
    return paths


def rss(posts: Iterable[dict[str, Any]]) -> str:
    """RSS 2.0 feed of ``posts``."""
    items = []
    for p in posts:
        cats = "".join(f"<category><![CDATA[{CATEGORIES[c]}]]></category>" for c in p["categories"])
        items.append(
            f"<item><title>{texturize(p['display_title'])}</title><link>{p['url']}</link>"
            f"<dc:creator><![CDATA[{AUTHORS[p['author']]}]]></dc:creator>"
            f"<pubDate>{rfc822(p['published'])}</pubDate>{cats}"
            f'<guid isPermaLink="false">{BASE}/?p={p["id"]}</guid>'
            f"<description><![CDATA[{excerpt(p)}]]></description></item>"
        )
    newest = max(p.get("modified") or p["published"] for p in ALL)
    return f"""<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"
xmlns:content="http://purl.org/rss/1.0/modules/content/"
xmlns:dc="http://purl.org/dc/elements/1.1/"
xmlns:atom="http://www.w3.org/2005/Atom">
<channel>
<title>{SITE_TITLE}</title>
<atom:link href="{BASE}/feed/" rel="self" type="application/rss+xml"/>
<link>{BASE}</link>
<description>{esc(SITE["description"])}</description>
<lastBuildDate>{rfc822(newest)}</lastBuildDate>
<language>{SITE["language"]}</language>
<generator>https://wordpress.org/?v=6.4</generator>
{chr(10).join(items)}
</channel>
</rss>
"""


def rfc822(value: str) -> str:
    """ISO date -> RSS date in UTC."""
    return format_datetime(parse_date(value).astimezone(timezone.utc)).replace("-0000", "+0000")


def sitemap(urls: list[tuple[str, str | None]]) -> str:
    """A ``urlset`` sitemap."""
    entries = "".join(
        f"<url><loc>{loc}</loc>" + (f"<lastmod>{mod}</lastmod>" if mod else "") + "</url>\n"
        for loc, mod in urls
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n{entries}</urlset>\n'
    )


# -- expected.json -------------------------------------------------------------------------------


class FigureParser(HTMLParser):
    """Collects images and figure captions of a post body."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.images: list[dict[str, str | None]] = []
        self.captions: list[dict[str, str | None]] = []
        self._figure_img: dict[str, str | None] | None = None
        self._caption: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "figure":
            self._figure_img = None
        elif tag == "img":
            img = {"url": a.get("src"), "alt": a.get("alt")}
            self.images.append(img)
            self._figure_img = img
        elif tag == "figcaption":
            self._caption = []

    def handle_endtag(self, tag: str) -> None:
        if tag == "figcaption" and self._caption is not None:
            text = " ".join("".join(self._caption).split())
            m = re.search(r"\(?((?:Source|Photo): [^()]+?)\)?$", text)
            img = self._figure_img or {}
            self.captions.append(
                {
                    "text": text,
                    "credit": m.group(1) if m else None,
                    "image_url": img.get("url"),
                    "alt": img.get("alt"),
                }
            )
            self._caption = None

    def handle_data(self, data: str) -> None:
        if self._caption is not None:
            self._caption.append(data)


def relative(url: str | None) -> str | None:
    """Internal absolute URL -> path (so expected.json does not depend on the origin)."""
    return url[len(BASE) :] if url and url.startswith(BASE) else url


def expected_references(post: dict[str, Any]) -> list[dict[str, Any]]:
    """The references of a post, as the archive should report them."""
    refs: list[dict[str, Any]] = []
    for f in post.get("footnotes", []):
        urls = hrefs(f["html"])
        refs.append({"kind": "footnote", "id": f["id"], "text": plain(f["html"]), "urls": urls})
    for entry in post.get("references", []) + post.get("sources", []):
        refs.append(
            {"kind": "bibliography", "id": None, "text": plain(entry), "urls": hrefs(entry)}
        )
    for r in refs:
        r["url"] = r["urls"][0] if r["urls"] else None
    return refs


def expected_post(post: dict[str, Any]) -> dict[str, Any]:
    """What the archive should contain for one public post."""
    parser = FigureParser()
    for body in post["rendered_pages"]:
        parser.feed(body)
    parser.close()
    for item in parser.images + parser.captions:
        for key in ("url", "image_url"):
            if key in item:
                item[key] = relative(item[key])
    refs = expected_references(post)
    samples = [post["sample"]] + ([post["sample_page2"]] if "sample_page2" in post else [])
    return {
        "url": post["path"],
        "title": post["title"],
        "published": post["published"],
        "modified": post.get("modified"),
        "author": AUTHORS[post["author"]],
        "categories": [CATEGORIES[c] for c in post["categories"]],
        "tags": [TAGS[t] for t in post["tags"]],
        "archive": post["month"],
        "archive_url": f"/{post['month'].replace('-', '/')}/",
        "pages": len(post["page_paths"]),
        "page_urls": post["page_paths"],
        "captions": len(parser.captions),
        "caption_details": parser.captions,
        "references": len(refs),
        "reference_details": refs,
        "images": len(parser.images),
        "image_urls": [i["url"] for i in parser.images],
        "comments": len(post["comments"]),
        "comment_ids": [f"comment-{c['id']}" for c in post["comments"]],
        "body_samples": samples,
    }


# -- main ----------------------------------------------------------------------------------------


def build(root: Path = SITE_DIR, expected_path: Path = EXPECTED_PATH) -> dict[str, Any]:
    """Write the whole site and expected.json; returns the expected data."""
    w = Writer(root)
    listings: dict[str, list[str]] = {}

    listings["home"] = listing(w, "/", NEWEST, heading=None, label="", body_class="home blog")
    for month in MONTHS:
        posts = [p for p in NEWEST if p["month"] == month]
        listings[f"month:{month}"] = listing(
            w,
            f"/{month.replace('-', '/')}/",
            posts,
            heading=f"Monthly Archives: <span>{month_label(month)}</span>",
            label=month_label(month),
            body_class="archive date",
        )
    year, mon = CALENDAR_MONTH
    for day in sorted({p["date"].day for p in ALL if p["month"] == f"{year}-{mon:02d}"}):
        posts = [p for p in NEWEST if p["date"].date() == date(year, mon, day)]
        label = f"{calendar.month_name[mon]} {day}, {year}"
        listings[f"day:{year}-{mon:02d}-{day:02d}"] = listing(
            w,
            f"/{year}/{mon:02d}/{day:02d}/",
            posts,
            heading=f"Daily Archives: <span>{label}</span>",
            label=label,
            body_class="archive date",
        )
    for slug, name in CATEGORIES.items():
        listings[f"category:{slug}"] = listing(
            w,
            f"/category/{slug}/",
            [p for p in NEWEST if slug in p["categories"]],
            heading=f"Category: <span>{esc(name)}</span>",
            label=esc(name),
            body_class=f"archive category category-{slug}",
        )
    for slug, name in TAGS.items():
        listings[f"tag:{slug}"] = listing(
            w,
            f"/tag/{slug}/",
            [p for p in NEWEST if slug in p["tags"]],
            heading=f"Tag: <span>{esc(name)}</span>",
            label=esc(name),
            body_class=f"archive tag tag-{slug}",
        )
    for slug, name in AUTHORS.items():
        listings[f"author:{slug}"] = listing(
            w,
            f"/author/{slug}/",
            [p for p in NEWEST if p["author"] == slug],
            heading=f'Author: <span class="vcard">{esc(name)}</span>',
            label=esc(name),
            body_class=f"archive author author-{slug}",
        )

    for post in ALL:
        for n, path in enumerate(post["page_paths"], 1):
            w.add(path, single(post, n))

    about = f"""<article id="post-2" class="post-2 page type-page status-publish hentry entry">
<header class="entry-header alignwide"><h1 class="entry-title">About</h1></header>
<div class="entry-content">
{fill(ABOUT_HTML)}
</div>
</article>"""
    w.add(
        "/about/",
        page(
            title=full_title("About", SITE_TITLE),
            body_class="page-template-default page page-id-2",
            main=about,
            canonical=f"{BASE}/about/",
        ),
    )
    not_found = (
        '<header class="page-header"><h1 class="page-title">Nothing here</h1></header>\n'
        '<div class="error-404 not-found"><div class="page-content"><p>It looks like nothing '
        f"was found at this location. Maybe try a search?</p>{SEARCH_FORM}</div></div>"
    )
    w.add(
        "404.html",
        page(
            title=full_title("Page not found", SITE_TITLE),
            body_class="error404",
            main=not_found,
        ),
    )

    w.add("robots.txt", f"User-agent: *\nDisallow: /wp-admin/\nSitemap: {BASE}/wp-sitemap.xml\n")
    w.add(
        "wp-sitemap.xml",
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
        f"<sitemap><loc>{BASE}/wp-sitemap-posts-post-1.xml</loc></sitemap>\n"
        f"<sitemap><loc>{BASE}/wp-sitemap-posts-page-1.xml</loc></sitemap>\n"
        "</sitemapindex>\n",
    )
    w.add(
        "wp-sitemap-posts-post-1.xml",
        sitemap([(p["url"], p.get("modified") or p["published"]) for p in PUBLIC]),
    )
    w.add("wp-sitemap-posts-page-1.xml", sitemap([(f"{BASE}/about/", None)]))
    w.add("feed/index.rss", rss(NEWEST[:10]))
    w.add("wp-content/themes/orchard/style.css", STYLE_CSS)
    w.add("_redirects", "".join(f"{src} {BASE}{dst}\n" for src, dst in REDIRECTS.items()))
    w.write()

    protected = [p for p in ALL if p["protected"]]
    expected = {
        "site": {
            "name": SITE["name"],
            "description": SITE["description"],
            "language": SITE["language"],
            "platform": "wordpress",
            "origin_placeholder": BASE,
            "posts_per_page": PER_PAGE,
        },
        "months": {
            m: {
                "url": f"/{m.replace('-', '/')}/",
                "listed": sum(p["month"] == m for p in ALL),
                "public": sum(p["month"] == m for p in PUBLIC),
                "pages": listings[f"month:{m}"],
            }
            for m in sorted(MONTHS)
        },
        "posts": [expected_post(p) for p in PUBLIC],
        "excluded": [
            {"url": p["path"], "title": p["display_title"], "reason": "password-protected"}
            for p in protected
        ],
        "listing_pages": dict(sorted(listings.items())),
        "traps": {
            "calendar_prev_month": CALENDAR_PREV_TRAP,
            "comments_feed": COMMENTS_FEED,
            "post_comment_feeds": "<post url>feed/",
            "login": LOGIN,
            "reply_links": "<post url>?replytocom=<comment id>",
            "share_links": "<post url>?share=<service>",
            "password_form": [p["path"] for p in protected],
        },
        "redirects": REDIRECTS,
        "other_urls": [
            "/about/",
            "/feed/",
            "/robots.txt",
            "/wp-sitemap.xml",
            "/wp-sitemap-posts-post-1.xml",
            "/wp-sitemap-posts-page-1.xml",
            "/wp-content/themes/orchard/style.css",
        ],
    }
    expected_path.write_text(
        json.dumps(expected, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    return expected


def main() -> None:
    """Build the site and print a short summary."""
    expected = build()
    files = [p for p in SITE_DIR.rglob("*") if p.is_file()]
    size = sum(p.stat().st_size for p in files)
    print(f"{len(files)} files, {size / 1024:.1f} KiB; {len(expected['posts'])} public posts")


if __name__ == "__main__":
    main()
