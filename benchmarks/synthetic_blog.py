"""Generate a synthetic WordPress-like blog of N posts as static files, for crawl benchmarks.

    python benchmarks/synthetic_blog.py OUT [--posts 2000] [--months 120] [--seed 1] [--port P]

Deterministic for a given (posts, months, seed, origin). The blog looks like a classic WordPress
theme to a crawler: dated permalinks ``/YYYY/MM/DD/slug/``, pages of 30-120 KB of which the post
is a small part, as on real blogs (about 9 KB of content HTML, median; the rest is inline CSS and
scripts, a sidebar with recent posts, an archive widget listing every month, a category list, a
tag cloud and a calendar, and comments), about 190 links per page, images referenced from the
posts, ten posts per listing page, and every listing a real WordPress has: home and monthly
archives with their pagination, but also day, tag, category and author archives (what an
indiscriminate crawler fetches too). About 1% of posts are split over 2-3 pages
(``<permalink>2/`` with WordPress's ``post-nav-links``). ``robots.txt``, ``wp-sitemap.xml``, a
404 page, one stylesheet, one script and one placeholder image complete it.

Not generated, on purpose: ``?replytocom=`` links and feeds (they would only multiply the fetches
of a crawler that follows everything), and real image files (every ``/wp-content/uploads/`` URL is
served from one placeholder by ``benchmarks/serve.py``).

``site.json`` in OUT records the origin the pages link to, the counts, and every post permalink
(``posts``) so that benchmarks can count the posts each crawler found.
"""

from __future__ import annotations

import argparse
import calendar
import html
import json
import math
import os
import random
import time
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path

PER_PAGE = 10
"""Posts per listing page: WordPress's default."""
FIRST_YEAR = 2014
SITE_NAME = "Field Notes Bench"
TZ = timezone(timedelta(hours=2))
MULTI_PAGE_SHARE = 0.01
"""Share of posts split with <!--nextpage--> (1%: long-form posts are rare)."""
PAGE_SIZE_KB = (30, 120, 55)
"""(min, max, mode) of the triangular distribution of post page sizes, in KB."""
CONTENT_KB = (9.0, 0.7, 2, 60)
"""Post content HTML, in KB: lognormal (median, sigma), clipped to (min, max). On real blogs the
post is a small part of its page (the dev set's pages: 120 KB median, their content 18 KB);
the rest of a page is inline CSS and scripts, menus, widgets and comments."""

WORD_TEXT = (
    "the of and to in is was for on that with as by at from it be this an are or which have "
    "garden river morning winter summer light water stone field orchard bridge market road house "
    "window letter engine harbour village station kitchen bread apple plum tree forest hill sky "
    "cloud rain wind snow frost season week year month evening night walk ride build repair paint "
    "measure notice record plant harvest bake brew read write listen watch learn carry open close "
    "quiet bright slow careful early late small large old new green blue grey warm cold long short "
    "first last every other many few most some neighbour friend visitor volunteer teacher student "
    "map book note list table chart photo camera lens telescope comet star planet moon tide boat "
    "sail rope knot net shell sand dune cliff path gate fence wall roof chimney stove kettle cup "
    "recipe flour yeast salt sugar butter honey jam plate knife spoon fork basket bucket ladder "
    "hammer nail saw plank shed barn cart wheel bicycle train ticket platform timetable journey "
    "because although while after before until since during across along between through under "
    "again still only just almost nearly quite rather very often seldom always never sometimes"
)
WORDS = tuple(WORD_TEXT.split())
AUTHORS = ("Ada Lindqvist", "Bram Okafor", "Chen Wei", "Dora Almeida", "Emil Novak", "Fay Morgan")
CATEGORIES = (
    "Garden",
    "Kitchen",
    "Astronomy",
    "Travel",
    "Workshop",
    "Books",
    "Weather",
    "Community",
    "Photography",
    "Miscellany",
)
N_TAGS = 25


@dataclass
class Post:
    """One generated post."""

    id: int
    slug: str
    title: str
    date: datetime
    author: int
    categories: list[int]
    tags: list[int]
    pages: int
    paragraphs: list[int]
    images: int
    comments: int
    size_kb: int
    content_kb: float
    related: list[int] = field(default_factory=list)

    @property
    def month(self) -> str:
        return f"{self.date:%Y/%m}"

    @property
    def day(self) -> str:
        return f"{self.date:%Y/%m/%d}"

    @property
    def path(self) -> str:
        return f"/{self.day}/{self.slug}/"


def slugify(text: str) -> str:
    """Lower-case words joined by hyphens, like WordPress's sanitize_title for ASCII titles."""
    return "-".join(w for w in text.lower().replace("'", "").split() if w.isalnum())


def esc(text: str) -> str:
    return html.escape(text, quote=True)


def tag_slug(i: int) -> str:
    return f"{WORDS[60 + i]}-{i}"


def cat_slug(i: int) -> str:
    return CATEGORIES[i].lower()


def author_slug(i: int) -> str:
    return AUTHORS[i].split()[0].lower()


def month_label(ym: str) -> str:
    year, mon = ym.split("/")
    return f"{calendar.month_name[int(mon)]} {year}"


class Blog:
    """The generated blog: posts, listings, shared chrome; ``write(out)`` renders every file."""

    def __init__(self, posts: int, months: int, seed: int, origin: str):
        if posts < 1 or months < 1:
            raise ValueError("need at least one post and one month")
        self.origin = origin.rstrip("/")
        self.rng = random.Random(seed)
        self.months = [f"{FIRST_YEAR + m // 12}/{m % 12 + 1:02d}" for m in range(months)]
        self.paragraph_pool = [self._paragraph() for _ in range(600)]
        self.posts = self._make_posts(posts)
        self.by_month: dict[str, list[Post]] = defaultdict(list)
        self.by_day: dict[str, list[Post]] = defaultdict(list)
        self.by_cat: dict[int, list[Post]] = defaultdict(list)
        self.by_tag: dict[int, list[Post]] = defaultdict(list)
        self.by_author: dict[int, list[Post]] = defaultdict(list)
        for p in self.posts:  # newest first, as WordPress lists them
            self.by_month[p.month].append(p)
            self.by_day[p.day].append(p)
            self.by_author[p.author].append(p)
            for c in p.categories:
                self.by_cat[c].append(p)
            for t in p.tags:
                self.by_tag[t].append(p)
        self.head_blob = self._head_blob()
        self._sidebar_common = self._sidebar_widgets()
        self._calendars: dict[str, str] = {}

    # -- content -------------------------------------------------------------------------------

    def _sentence(self) -> str:
        words = self.rng.choices(WORDS, k=self.rng.randint(8, 22))
        return " ".join(words).capitalize() + "."

    def _paragraph(self) -> str:
        return " ".join(self._sentence() for _ in range(self.rng.randint(3, 7)))

    def _make_posts(self, n: int) -> list[Post]:
        rng = self.rng
        # Every month gets at least one post; the rest are spread at random.
        month_of = list(range(len(self.months))) * (n // len(self.months) + 1)
        month_of = month_of[: len(self.months)] + rng.choices(
            range(len(self.months)), k=max(0, n - len(self.months))
        )
        month_of = month_of[:n]
        posts: list[Post] = []
        used: set[str] = set()
        tag_weights = [1 / (i + 1) for i in range(N_TAGS)]  # Zipf-like tag popularity
        for i, m in enumerate(month_of):
            year, mon = (int(x) for x in self.months[m].split("/"))
            day = rng.randint(1, calendar.monthrange(year, mon)[1])
            date = datetime(year, mon, day, rng.randint(6, 22), rng.randint(0, 59), tzinfo=TZ)
            title = " ".join(rng.choices(WORDS[40:], k=rng.randint(3, 7))).capitalize()
            slug = slugify(title)[:60].strip("-") or f"post-{i}"
            base, k = slug, 2
            while f"{date:%Y/%m/%d}/{slug}" in used:
                slug, k = f"{base}-{k}", k + 1
            used.add(f"{date:%Y/%m/%d}/{slug}")
            tags = sorted(set(rng.choices(range(N_TAGS), weights=tag_weights, k=rng.randint(2, 5))))
            posts.append(
                Post(
                    id=i + 1,
                    slug=slug,
                    title=title,
                    date=date,
                    author=rng.randrange(len(AUTHORS)),
                    categories=sorted(rng.sample(range(len(CATEGORIES)), rng.randint(1, 2))),
                    tags=tags,
                    pages=rng.randint(2, 3) if rng.random() < MULTI_PAGE_SHARE else 1,
                    paragraphs=[],
                    images=rng.randint(0, 4),
                    comments=min(12, int(rng.expovariate(1 / 3))),
                    size_kb=int(rng.triangular(*PAGE_SIZE_KB)),
                    content_kb=min(
                        CONTENT_KB[3],
                        max(
                            CONTENT_KB[2],
                            rng.lognormvariate(math.log(CONTENT_KB[0]), CONTENT_KB[1]),
                        ),
                    ),
                )
            )
        posts.sort(key=lambda p: (p.date, p.id), reverse=True)
        for p in posts:
            p.related = [rng.randrange(len(posts)) for _ in range(3)]
        return posts

    # -- shared chrome -------------------------------------------------------------------------

    def url(self, path: str) -> str:
        return self.origin + path

    def _head_blob(self) -> str:
        """Inline CSS and scripts as a block theme prints them (~10 KB, same on every page)."""
        rng = random.Random(7)
        rules = []
        for i in range(110):
            prop = rng.choice(("margin", "padding", "font-size", "line-height", "letter-spacing"))
            rules.append(
                f".wp-block-bench-{i}{{{prop}:{rng.randint(1, 40) / 10}em;"
                f"color:var(--wp--preset--color--c{i % 12})}}"
            )
        css = "\n".join(rules)
        script = (
            "window._wpemojiSettings = "
            + json.dumps({"baseUrl": "https://s.w.org/images/core/emoji/14.0.0/72x72/", "n": 1})
            + ";\n"
            + ";".join(f"var b{i}=function(e){{return e*{i}+{i % 7}}}" for i in range(60))
        )
        return (
            f"<style id='global-styles-inline-css'>\n{css}\n</style>\n"
            f"<script>{script}</script>\n"
            f"<link rel='stylesheet' id='bench-style-css' href='{self.url('/wp-content/themes/bench/style.css')}?ver=1.0' media='all'>\n"
            f"<script src='{self.url('/wp-content/themes/bench/navigation.js')}?ver=1.0' id='bench-nav-js'></script>\n"
        )

    def _head(self, title: str, canonical: str | None, extra: str = "") -> str:
        canon = f'<link rel="canonical" href="{canonical}">\n' if canonical else ""
        return (
            '<!DOCTYPE html>\n<html lang="en-US">\n<head>\n<meta charset="UTF-8">\n'
            '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            f"<title>{title} &#8211; {esc(SITE_NAME)}</title>\n"
            f"{self.head_blob}{canon}{extra}"
            '<meta name="generator" content="WordPress 6.4.3">\n</head>\n'
        )

    def _header(self) -> str:
        menu = "".join(
            f'<li class="menu-item"><a href="{self.url(f"/category/{cat_slug(i)}/")}">{esc(c)}</a></li>'
            for i, c in enumerate(CATEGORIES[:6])
        )
        return (
            '<div id="page" class="site">\n'
            '<a class="skip-link screen-reader-text" href="#content">Skip to content</a>\n'
            '<header id="masthead" class="site-header"><div class="site-branding">'
            f'<p class="site-title"><a href="{self.url("/")}" rel="home">{esc(SITE_NAME)}</a></p>'
            '<p class="site-description">A synthetic blog for crawl benchmarks</p></div>\n'
            '<nav id="site-navigation" class="main-navigation" aria-label="Primary menu">'
            f'<ul class="menu"><li class="menu-item"><a href="{self.url("/")}">Home</a></li>'
            f'<li class="menu-item"><a href="{self.url("/about/")}">About</a></li>{menu}</ul></nav>\n'
            '</header>\n<div id="content" class="site-content">\n'
            '<div id="primary" class="content-area"><main id="main" class="site-main">\n'
        )

    def _sidebar_widgets(self) -> tuple[str, str]:
        recent = "".join(
            f'<li><a href="{self.url(p.path)}">{esc(p.title)}</a></li>' for p in self.posts[:5]
        )
        recent_comments = "".join(
            f'<li class="recentcomments"><span class="comment-author-link">{esc(AUTHORS[(i + 2) % 6])}</span>'
            f' on <a href="{self.url(p.path)}#comment-{p.id * 100 + 1}">{esc(p.title)}</a></li>'
            for i, p in enumerate(self.posts[:5])
        )
        archive = "".join(
            f"<li><a href='{self.url(f'/{ym}/')}'>{month_label(ym)}</a>&nbsp;({len(self.by_month[ym])})</li>\n"
            for ym in reversed(self.months)
            if self.by_month[ym]
        )
        cats = "".join(
            f'<li class="cat-item cat-item-{i + 2}"><a href="{self.url(f"/category/{cat_slug(i)}/")}">'
            f"{esc(c)}</a> ({len(self.by_cat[i])})</li>"
            for i, c in enumerate(CATEGORIES)
        )
        counts = [len(self.by_tag[t]) for t in range(N_TAGS)]
        top = max(counts) or 1
        cloud = "\n".join(
            f'<a href="{self.url(f"/tag/{tag_slug(t)}/")}" class="tag-cloud-link tag-link-{t + 20}" '
            f'style="font-size: {8 + 14 * counts[t] / top:.1f}pt;" aria-label="{tag_slug(t)} '
            f'({counts[t]} items)">{tag_slug(t)}</a>'
            for t in range(N_TAGS)
            if counts[t]
        )
        before = (
            '<aside id="secondary" class="widget-area">\n'
            '<section class="widget widget_search"><form role="search" method="get" '
            f'class="search-form" action="{self.url("/")}"><input type="search" name="s">'
            "<button>Search</button></form></section>\n"
            '<section class="widget widget_recent_entries"><h2 class="widget-title">Recent Posts</h2>'
            f"<ul>{recent}</ul></section>\n"
            '<section class="widget widget_recent_comments"><h2 class="widget-title">Recent Comments</h2>'
            f'<ul id="recentcomments">{recent_comments}</ul></section>\n'
            '<section class="widget widget_archive"><h2 class="widget-title">Archives</h2>'
            f"<ul>\n{archive}</ul></section>\n"
            '<section class="widget widget_categories"><h2 class="widget-title">Categories</h2>'
            f"<ul>{cats}</ul></section>\n"
        )
        after = (
            '<section class="widget widget_tag_cloud"><h2 class="widget-title">Tags</h2>'
            f'<div class="tagcloud">{cloud}</div></section>\n'
            '<section class="widget widget_meta"><h2 class="widget-title">Meta</h2><ul>'
            f'<li><a href="{self.url("/wp-login.php")}">Log in</a></li>'
            '<li><a href="https://wordpress.org/">WordPress.org</a></li></ul></section>\n'
            "</aside>\n"
        )
        return before, after

    def _calendar(self, ym: str) -> str:
        """The calendar widget for a month: its days with posts, previous and next months."""
        if ym in self._calendars:
            return self._calendars[ym]
        year, mon = (int(x) for x in ym.split("/"))
        days = {p.date.day for p in self.by_month[ym]}
        cells = []
        for week in calendar.Calendar().monthdayscalendar(year, mon):
            row = "".join(
                '<td class="pad">&nbsp;</td>'
                if d == 0
                else (
                    f'<td><a href="{self.url(f"/{ym}/{d:02d}/")}" aria-label="Posts published on '
                    f'{calendar.month_name[mon]} {d}, {year}">{d}</a></td>'
                    if d in days
                    else f"<td>{d}</td>"
                )
                for d in week
            )
            cells.append(f"<tr>{row}</tr>")
        i = self.months.index(ym)
        prev = (
            f'<a href="{self.url(f"/{self.months[i - 1]}/")}">&laquo; '
            f"{calendar.month_abbr[int(self.months[i - 1][5:])]}</a>"
            if i > 0
            else "&nbsp;"
        )
        nxt = (
            f'<a href="{self.url(f"/{self.months[i + 1]}/")}">'
            f"{calendar.month_abbr[int(self.months[i + 1][5:])]} &raquo;</a>"
            if i + 1 < len(self.months)
            else "&nbsp;"
        )
        out = (
            '<section class="widget widget_calendar"><div id="calendar_wrap" class="calendar_wrap">'
            f'<table id="wp-calendar" class="wp-calendar-table"><caption>{month_label(ym)}</caption>'
            "<thead><tr>"
            + "".join(f"<th>{d}</th>" for d in "MTWTFSS")
            + f"</tr></thead><tbody>{''.join(cells)}</tbody></table>"
            '<nav aria-label="Previous and next months" class="wp-calendar-nav">'
            f'<span class="wp-calendar-nav-prev">{prev}</span><span class="pad">&nbsp;</span>'
            f'<span class="wp-calendar-nav-next">{nxt}</span></nav></div></section>\n'
        )
        self._calendars[ym] = out
        return out

    def _tail(self, ym: str) -> str:
        before, after = self._sidebar_common
        return (
            "</main></div>\n"
            + before
            + self._calendar(ym)
            + after
            + '</div>\n<footer id="colophon" class="site-footer"><div class="site-info">'
            f'<a href="{self.url("/")}">{esc(SITE_NAME)}</a> '
            f'<a href="{self.url("/privacy-policy/")}">Privacy Policy</a> '
            '<a href="https://wordpress.org/" class="imprint">Proudly powered by WordPress</a>'
            "</div></footer>\n</div>\n</body>\n</html>\n"
        )

    # -- pages ---------------------------------------------------------------------------------

    def _entry_meta(self, p: Post) -> str:
        iso = p.date.isoformat()
        cats = ", ".join(
            f'<a href="{self.url(f"/category/{cat_slug(c)}/")}" rel="category tag">{esc(CATEGORIES[c])}</a>'
            for c in p.categories
        )
        return (
            '<div class="entry-meta"><span class="posted-on">Posted on '
            f'<a href="{self.url(p.path)}" rel="bookmark"><time class="entry-date published" '
            f'datetime="{iso}">{p.date:%B} {p.date.day}, {p.date.year}</time></a></span> '
            f'<span class="byline">by <span class="author vcard"><a class="url fn n" '
            f'href="{self.url(f"/author/{author_slug(p.author)}/")}">{esc(AUTHORS[p.author])}</a>'
            f'</span></span> <span class="cat-links">in {cats}</span></div>'
        )

    def _image(self, p: Post, k: int) -> str:
        src = self.url(f"/wp-content/uploads/{p.month}/{p.slug[:30]}-{k}")
        alt = f"Photo {k} for {p.title}"
        img = (
            f'<img loading="lazy" decoding="async" width="1024" height="683" src="{src}-1024x683.jpg" '
            f'alt="{esc(alt)}" class="wp-image-{p.id * 10 + k}" srcset="{src}-1024x683.jpg 1024w, '
            f'{src}-300x200.jpg 300w, {src}-768x512.jpg 768w" sizes="(max-width: 1024px) 100vw, 1024px">'
        )
        if k % 2:
            return (
                f'<figure class="wp-block-image size-large">{img}<figcaption class="wp-element-caption">'
                f"{esc(p.title)}, view {k} (Source: {esc(AUTHORS[(p.author + k) % 6])})</figcaption></figure>\n"
            )
        return f'<figure class="wp-block-image size-large">{img}</figure>\n'

    def _body(self, p: Post, page: int, budget: int) -> str:
        """Paragraphs, images and (on the last page) a references section, about ``budget`` bytes."""
        rng = random.Random(p.id * 1000 + page)
        parts: list[str] = []
        size = 0
        n_img = p.images if page == 1 else 0
        img_at = sorted(rng.sample(range(1, 40), n_img)) if n_img else []
        k = 0
        while size < budget:
            para = self.paragraph_pool[rng.randrange(len(self.paragraph_pool))]
            if rng.random() < 0.12:
                para = f'<h2 class="wp-block-heading">{para[:40].rstrip()}</h2>\n<p>{para}</p>'
            elif rng.random() < 0.05:
                para = f"<blockquote class='wp-block-quote'><p>{para}</p></blockquote>"
            else:
                para = f"<p>{para}</p>"
            parts.append(para + "\n")
            size += len(para) + 1
            if k < len(img_at) and len(parts) >= img_at[k]:
                parts.append(self._image(p, k + 1))
                k += 1
        while k < len(img_at):
            parts.append(self._image(p, k + 1))
            k += 1
        if page == p.pages and p.id % 5 == 0:
            refs = "".join(
                f"<li>{esc(AUTHORS[(p.author + j) % 6])} ({2000 + j}). <em>On {WORDS[90 + j]}</em>. "
                f'<a href="https://example.org/ref/{p.id}/{j}">https://example.org/ref/{p.id}/{j}</a></li>'
                for j in range(1, 4)
            )
            parts.append(f'<h2 class="wp-block-heading">References</h2>\n<ol>{refs}</ol>\n')
        return "".join(parts)

    def _comments(self, p: Post) -> str:
        if not p.comments:
            return (
                '<div id="comments" class="comments-area">'
                '<div id="respond" class="comment-respond"><h3 id="reply-title" '
                'class="comment-reply-title">Leave a Reply</h3></div></div>\n'
            )
        rng = random.Random(p.id)
        items = []
        for j in range(p.comments):
            cid = p.id * 100 + j + 1
            when = p.date + timedelta(hours=rng.randint(1, 400))
            items.append(
                f'<li id="comment-{cid}" class="comment even thread-even depth-1">'
                f'<article id="div-comment-{cid}" class="comment-body"><footer class="comment-meta">'
                f'<div class="comment-author vcard"><b class="fn">{esc(AUTHORS[(j + p.id) % 6])}</b> '
                '<span class="says">says:</span></div><div class="comment-metadata">'
                f'<a href="{self.url(p.path)}#comment-{cid}"><time datetime="{when.isoformat()}">'
                f"{when:%B} {when.day}, {when.year} at {when:%H:%M}</time></a></div></footer>"
                f'<div class="comment-content"><p>{self.paragraph_pool[(cid * 7) % 600][:300]}</p>'
                "</div></article></li>\n"
            )
        return (
            f'<div id="comments" class="comments-area"><h2 class="comments-title">{p.comments} '
            f'thoughts on &ldquo;{esc(p.title)}&rdquo;</h2><ol class="comment-list">{"".join(items)}</ol>'
            '<div id="respond" class="comment-respond"><h3 id="reply-title" class="comment-reply-title">'
            f'Leave a Reply</h3><form action="{self.url("/wp-comments-post.php")}" method="post" '
            'id="commentform" class="comment-form"><textarea id="comment" name="comment"></textarea>'
            "<input name=submit type=submit value='Post Comment'></form></div></div>\n"
        )

    def post_pages(self, p: Post, index: int) -> Iterator[tuple[str, str]]:
        """(path, html) of each page of a post."""
        newer = self.posts[index - 1] if index > 0 else None
        older = self.posts[index + 1] if index + 1 < len(self.posts) else None
        nav = '<nav class="navigation post-navigation" aria-label="Posts"><div class="nav-links">'
        if older:
            nav += f'<div class="nav-previous"><a href="{self.url(older.path)}" rel="prev">{esc(older.title)}</a></div>'
        if newer:
            nav += f'<div class="nav-next"><a href="{self.url(newer.path)}" rel="next">{esc(newer.title)}</a></div>'
        nav += "</div></nav>\n"
        related = "".join(
            f'<li><a class="jp-relatedposts-post-a" href="{self.url(self.posts[r].path)}">'
            f"{esc(self.posts[r].title)}</a></li>"
            for r in p.related
        )
        tags = ", ".join(
            f'<a href="{self.url(f"/tag/{tag_slug(t)}/")}" rel="tag">{tag_slug(t)}</a>'
            for t in p.tags
        )
        comments = self._comments(p)
        og = (
            f'<meta property="og:type" content="article">\n<meta property="og:title" content="{esc(p.title)}">\n'
            f'<meta property="article:published_time" content="{p.date.isoformat()}">\n'
        )
        for page in range(1, p.pages + 1):
            path = p.path if page == 1 else f"{p.path}{page}/"
            head = self._head(esc(p.title), self.url(p.path), og)
            top = (
                f'<body class="post-template-default single single-post postid-{p.id}">\n'
                + self._header()
                + f'<article id="post-{p.id}" class="post-{p.id} post type-post status-publish hentry">\n'
                f'<header class="entry-header"><h1 class="entry-title">{esc(p.title)}</h1>'
                f"{self._entry_meta(p)}</header>\n"
                '<div class="entry-content">\n'
            )
            links = ""
            if p.pages > 1:
                nums = " ".join(
                    f'<span class="post-page-numbers current" aria-current="page">{n}</span>'
                    if n == page
                    else f'<a href="{self.url(p.path if n == 1 else f"{p.path}{n}/")}" class="post-page-numbers">{n}</a>'
                    for n in range(1, p.pages + 1)
                )
                links = f'<p class="post-nav-links">Pages: {nums}</p>\n'
            bottom = (
                f"{links}</div>\n"
                f'<footer class="entry-footer"><span class="tags-links">Tagged {tags}</span></footer>\n'
                "</article>\n"
                '<div id="jp-relatedposts" class="jp-relatedposts"><h3 class="jp-relatedposts-headline">'
                f"Related</h3><ul>{related}</ul></div>\n" + nav + comments
            )
            tail = self._tail(p.month)
            body = self._body(p, page, int(p.content_kb * 1024) // p.pages)
            # Block themes print per-page inline CSS: what brings the page to its drawn size.
            room = p.size_kb * 1024 // p.pages - len(head + top + body + bottom + tail)
            head = head.replace("</head>", self._inline_css(p.id * 10 + page, room) + "</head>")
            yield path, head + top + body + bottom + tail

    def _inline_css(self, seed: int, size: int) -> str:
        """About ``size`` bytes of block-support CSS (nothing when ``size`` is not positive)."""
        if size <= 0:
            return ""
        rng = random.Random(seed)
        rules, total = [], 0
        while total < size:
            rule = (
                f".wp-container-{rng.randrange(10**6)}.wp-container-{rng.randrange(10**6)}"
                f"{{gap:{rng.randint(1, 60) / 10}em;justify-content:{rng.choice(('flex-start', 'center', 'space-between'))}}}"
            )
            rules.append(rule)
            total += len(rule) + 1
        return "<style id='core-block-supports-inline-css'>\n" + "\n".join(rules) + "\n</style>\n"

    def listing_pages(
        self, base: str, posts: list[Post], title: str, body_class: str, ym: str
    ) -> Iterator[tuple[str, str]]:
        """(path, html) of a listing and its pagination: ``base``, ``base/page/N/``."""
        n_pages = max(1, -(-len(posts) // PER_PAGE))
        for n in range(1, n_pages + 1):
            path = base if n == 1 else f"{base}page/{n}/"
            chunk = posts[(n - 1) * PER_PAGE : n * PER_PAGE]
            articles = "".join(
                f'<article id="post-{p.id}" class="post-{p.id} post type-post status-publish hentry">'
                f'<header class="entry-header"><h2 class="entry-title"><a href="{self.url(p.path)}" '
                f'rel="bookmark">{esc(p.title)}</a></h2>{self._entry_meta(p)}</header>'
                f'<div class="entry-summary"><p>{self.paragraph_pool[p.id % 600][:700]} [&hellip;]</p>'
                f'<p><a href="{self.url(p.path)}#more-{p.id}" class="more-link">Continue reading '
                f'<span class="screen-reader-text">{esc(p.title)}</span></a></p></div></article>\n'
                for p in chunk
            )
            pages = [1, 2, 3, n - 1, n, n + 1, n_pages]
            nums = []
            last = 0
            for k in sorted({k for k in pages if 1 <= k <= n_pages}):
                if k > last + 1:
                    nums.append('<span class="page-numbers dots">&hellip;</span>')
                href = self.url(base if k == 1 else f"{base}page/{k}/")
                nums.append(
                    f'<span aria-current="page" class="page-numbers current">{k}</span>'
                    if k == n
                    else f'<a class="page-numbers" href="{href}">{k}</a>'
                )
                last = k
            if n < n_pages:
                nums.append(
                    f'<a class="next page-numbers" href="{self.url(f"{base}page/{n + 1}/")}">Next</a>'
                )
            pagination = (
                '<nav class="navigation pagination" aria-label="Posts"><div class="nav-links">'
                + "".join(nums)
                + "</div></nav>\n"
                if n_pages > 1
                else ""
            )
            header = (
                f'<header class="page-header"><h1 class="page-title">{title}</h1></header>\n'
                if title
                else ""
            )
            yield (
                path,
                self._head(title or esc(SITE_NAME), None)
                + f'<body class="{body_class}">\n'
                + self._header()
                + header
                + articles
                + pagination
                + self._tail(ym),
            )

    def files(self) -> Iterator[tuple[str, str | bytes]]:
        """Every file of the site as (URL path, content)."""
        latest = self.posts[0].month
        for i, p in enumerate(self.posts):
            yield from self.post_pages(p, i)
        yield from self.listing_pages("/", self.posts, "", "home blog", latest)
        for ym in self.months:
            if self.by_month[ym]:
                yield from self.listing_pages(
                    f"/{ym}/", self.by_month[ym], f"Month: {month_label(ym)}", "archive date", ym
                )
        for day, posts in self.by_day.items():
            yield from self.listing_pages(f"/{day}/", posts, f"Day: {day}", "archive date", day[:7])
        for c, posts in self.by_cat.items():
            yield from self.listing_pages(
                f"/category/{cat_slug(c)}/",
                posts,
                f"Category: {esc(CATEGORIES[c])}",
                "archive category",
                latest,
            )
        for t, posts in self.by_tag.items():
            yield from self.listing_pages(
                f"/tag/{tag_slug(t)}/", posts, f"Tag: {tag_slug(t)}", "archive tag", latest
            )
        for a, posts in self.by_author.items():
            yield from self.listing_pages(
                f"/author/{author_slug(a)}/",
                posts,
                f"Author: {esc(AUTHORS[a])}",
                "archive author",
                latest,
            )
        about = "<article class='page'><h1 class='entry-title'>About</h1><div class='entry-content'><p>A synthetic blog.</p></div></article>\n"
        yield (
            "/about/",
            self._head("About", self.url("/about/"))
            + "<body class='page'>\n"
            + self._header()
            + about
            + self._tail(latest),
        )
        yield (
            "/privacy-policy/",
            self._head("Privacy", None)
            + "<body class='page'>\n"
            + self._header()
            + "<p>No cookies.</p>\n"
            + self._tail(latest),
        )
        yield (
            "/404.html",
            self._head("Page not found", None)
            + "<body class='error404'>\n"
            + self._header()
            + "<h1>Not found</h1>\n"
            + self._tail(latest),
        )
        yield (
            "/robots.txt",
            (
                "User-agent: *\nDisallow: /wp-admin/\nAllow: /wp-admin/admin-ajax.php\n\n"
                f"Sitemap: {self.url('/wp-sitemap.xml')}\n"
            ),
        )
        yield from self._sitemaps()
        yield "/wp-content/themes/bench/style.css", "body{margin:0}\n" + self.head_blob[:4000]
        yield "/wp-content/themes/bench/navigation.js", "/* navigation */\n" + "var x=1;\n" * 200
        yield "/wp-content/uploads/placeholder.jpg", _placeholder_jpeg()

    def _sitemaps(self) -> Iterator[tuple[str, str]]:
        ns = 'xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"'
        chunks = [self.posts[i : i + 2000] for i in range(0, len(self.posts), 2000)]
        index = "".join(
            f"<sitemap><loc>{self.url(f'/wp-sitemap-posts-post-{k + 1}.xml')}</loc></sitemap>"
            for k in range(len(chunks))
        )
        yield (
            "/wp-sitemap.xml",
            f'<?xml version="1.0" encoding="UTF-8"?>\n<sitemapindex {ns}>{index}</sitemapindex>\n',
        )
        for k, chunk in enumerate(chunks):
            urls = "".join(
                f"<url><loc>{self.url(p.path)}</loc><lastmod>{p.date.isoformat()}</lastmod></url>\n"
                for p in chunk
            )
            yield (
                f"/wp-sitemap-posts-post-{k + 1}.xml",
                f'<?xml version="1.0" encoding="UTF-8"?>\n<urlset {ns}>\n{urls}</urlset>\n',
            )


def _placeholder_jpeg() -> bytes:
    """A 20 KB stand-in for every uploaded image (JPEG markers around deterministic bytes)."""
    rng = random.Random(3)
    return b"\xff\xd8\xff\xe0" + bytes(rng.getrandbits(8) for _ in range(20_000)) + b"\xff\xd9"


def file_path(out: Path, url_path: str) -> Path:
    """Where a URL path is stored: directories get ``index.html``."""
    rel = url_path.lstrip("/")
    return out / rel / "index.html" if url_path.endswith("/") else out / rel


def write_site(out: Path, files: Iterable[tuple[str, str | bytes]]) -> tuple[int, int, int]:
    """Write every file; return (files, HTML pages, bytes)."""
    n_files = n_html = n_bytes = 0
    made: set[Path] = set()
    for url_path, content in files:
        path = file_path(out, url_path)
        if path.parent not in made:
            path.parent.mkdir(parents=True, exist_ok=True)
            made.add(path.parent)
        data = content.encode("utf-8") if isinstance(content, str) else content
        path.write_bytes(data)
        n_files += 1
        n_html += path.suffix == ".html"
        n_bytes += len(data)
    return n_files, n_html, n_bytes


def generate(
    out: Path, posts: int = 2000, months: int = 96, seed: int = 1, port: int = 8080
) -> dict:
    """Generate the blog into ``out`` (which must be empty or absent) and return its ``site.json``."""
    out.mkdir(parents=True, exist_ok=True)
    if any(out.iterdir()):
        raise FileExistsError(f"{out} is not empty: generate into a new folder")
    started = time.perf_counter()
    origin = f"http://127.0.0.1:{port}"
    blog = Blog(posts, months, seed, origin)
    n_files, n_html, n_bytes = write_site(out, blog.files())
    post_pages = blog.posts
    info = {
        "origin": origin,
        "port": port,
        "seed": seed,
        "posts": len(blog.posts),
        "months": sum(1 for m in blog.months if blog.by_month[m]),
        "post_pages": sum(p.pages for p in post_pages),
        "multi_page_posts": sum(1 for p in post_pages if p.pages > 1),
        "files": n_files,
        "html_pages": n_html,
        "bytes": n_bytes,
        "seconds": round(time.perf_counter() - started, 2),
        "post_urls": [origin + p.path for p in blog.posts],
    }
    (out / "site.json").write_text(json.dumps(info, indent=1), "utf-8")
    # A static server that drops privileges (nginx's workers) must be able to read the files.
    for folder in (out, *out.parents[:2]):
        if folder.stat().st_uid == os.geteuid():
            folder.chmod(folder.stat().st_mode | 0o755)
    return info


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("out", type=Path, help="folder to write the site into (new or empty)")
    ap.add_argument("--posts", type=int, default=2000, help="number of posts (default 2000)")
    ap.add_argument("--months", type=int, default=96, help="months the posts span (default 96)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--port", type=int, default=8080, help="port the pages link to (served there)")
    args = ap.parse_args()
    info = generate(args.out, args.posts, args.months, args.seed, args.port)
    print(
        f"{info['posts']} posts over {info['months']} months: {info['files']} files, "
        f"{info['html_pages']} HTML pages, {info['bytes'] / 1e6:.0f} MB in {info['seconds']} s "
        f"-> {args.out} (serve on {info['origin']})"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
