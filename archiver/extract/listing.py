"""Posts printed in full on a listing page (classic themes' monthly archives), one Post each.

A post's container is the nearest ``article``/``.hentry``/``.h-entry``/``.post``/BlogPosting
element around one full-content element (``.entry-content``, ``.post-content``, ``.post-body``,
``.e-content``, ``[itemprop=articleBody]``) that holds no other post's content; each container
is extracted on its own, as a page of its own, so two posts are never merged and nothing outside
the containers (the "Monthly Archives: July 2019" heading, sidebars) reaches a post. Excerpts
(``.entry-summary``, ``.wp-block-post-excerpt``) are not full posts: a listing of excerpts gives
no posts (their permalinks are the way to them).
"""

from __future__ import annotations

import copy

import lxml.html
from lxml import etree

from archiver.items import Post

from .cleaning import base_url, resolve
from .dom import DocIndex, closest
from .errors import NotAPost
from .metadata import extract_metadata
from .parse import parse_html
from .platforms import detect_platform
from .post import extract_post_from_tree

# Full post content inside a listing (never an excerpt).
FULL_CONTENT = (
    ".entry-content, .post-content, .post-body, .e-content, [itemprop=articleBody], "
    ".wp-block-post-content"
)
POST_CONTAINERS = (
    "article, .hentry, .h-entry, .post, .type-post, [itemtype*=BlogPosting], .post-outer"
)
PERMALINKS = (
    "a[rel~=bookmark]",
    ".entry-title a, .post-title a, .p-name a, h1 a, h2 a, h3 a",
    "a.u-url, .u-url a",
)
# Elements copied into each post's stand-alone page: they tell the platform and the site.
PAGE_HEAD_COPY = ("meta[name=generator]", "meta[property='og:site_name']")


def _outermost(elements: list[etree._Element]) -> list[etree._Element]:
    chosen = set(elements)
    return [el for el in elements if not any(a in chosen for a in el.iterancestors())]


def _contains(container: etree._Element, el: etree._Element) -> bool:
    return any(a is container for a in el.iterancestors())


def post_containers(index: DocIndex) -> list[etree._Element]:
    """The container of each full post on the page, in page order."""
    contents = _outermost(index.select(FULL_CONTENT, live=False))
    containers: list[etree._Element] = []
    for content in contents:
        others = [c for c in contents if c is not content]
        parent = content.getparent()
        node = closest(parent, POST_CONTAINERS) if parent is not None else None
        if node is not None and any(_contains(node, other) for other in others):
            node = None  # a wrapper around several posts, not this post's container
        if node is None:
            # The largest subtree around this content holding no other post (below <main>).
            node = content
            while (
                node.getparent() is not None
                and node.getparent().tag not in ("body", "html", "main")
                and not any(_contains(node.getparent(), other) for other in others)
            ):
                node = node.getparent()
        if node not in containers:
            containers.append(node)
    return containers


def _permalink(container: etree._Element, index: DocIndex, base: str) -> str | None:
    for selector in PERMALINKS:
        for a in index.select(selector, within=container):
            href = (a.get("href") or "").strip()
            if href and not href.startswith(("#", "javascript:", "mailto:")):
                return resolve(base, href)
    return None


def _standalone(container: etree._Element, index: DocIndex) -> etree._Element:
    """A page of its own holding a copy of ``container`` (and the page's platform hints)."""
    root = index.root
    page = lxml.html.Element("html")
    if root.get("lang"):
        page.set("lang", root.get("lang"))
    head = etree.SubElement(page, "head")
    for selector in PAGE_HEAD_COPY:
        for el in index.select(selector, live=False):
            head.append(copy.deepcopy(el))
    body = etree.SubElement(page, "body")
    clone = copy.deepcopy(container)
    clone.tail = None
    body.append(clone)
    return page


def extract_listing_posts(html: str | bytes, url: str, encoding: str | None = None) -> list[Post]:
    """Every post printed in full on a listing page (e.g. a monthly archive), in page order.

    ``url`` of each Post: its permalink when the post links to one (rel=bookmark, title link),
    else the listing URL with a fragment (``#post-12``, the container's id, or ``#post-N``).
    Posts that are not archivable (password-protected, empty) are left out.
    """
    doc = parse_html(html, encoding)
    index = DocIndex(doc)
    base = base_url(doc, url)
    containers = post_containers(index)
    if not containers:
        return []
    page_meta = extract_metadata(index, url, base)
    platform = detect_platform(index)
    posts = []
    for number, container in enumerate(containers, start=1):
        fragment = container.get("id") or f"post-{number}"
        post_url = _permalink(container, index, base) or f"{url.split('#')[0]}#{fragment}"
        try:
            post = extract_post_from_tree(_standalone(container, index), post_url, owned=True)
        except NotAPost:
            continue
        post.site = copy.deepcopy(page_meta.site)
        post.site.platform = platform
        post.language = post.language or page_meta.language
        if post.sources.get("canonical_url") == "url":
            post.canonical_url = post_url
        post.content_digest = post.compute_digest()
        posts.append(post)
    return posts
