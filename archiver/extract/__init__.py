"""Post extraction: pure functions of (html, url) -> Post. No Scrapy, no I/O.

Public API:
- ``extract_post(html, url, encoding=None) -> Post``; raises ``NotAPost`` for pages that are not
  an archivable post (password-protected, empty), ``ExtractionError`` for pages that cannot be parsed.
- ``next_page_urls(html, url) -> list[str]``: links to the further pages of a multi-page post.
- ``merge_pages(parts) -> Post``: one post from the extractions of its pages, in order.

Body HTML keeps figures with their captions (the caption text only leaves ``body.text``); the
references section leaves both ``body.text`` and ``body.html``.
"""

from __future__ import annotations

import copy

from lxml import etree

from archiver.items import Body, Post

from . import selectors as S
from .body import base_url, body_html, find_content_root
from .captions import extract_captions, remove_captions
from .chrome import drop, drop_always, drop_chrome, drop_title, drop_unlikely
from .comments import extract_comments
from .errors import ExtractionError, NotAPost
from .images import extract_images
from .metadata import extract_metadata, page_title
from .pages import merge_pages, next_page_urls_from_tree
from .parse import parse_html
from .platforms import detect_platform
from .references import extract_footnotes, extract_references
from .text import block_text

__all__ = [
    "ExtractionError",
    "NotAPost",
    "extract_post",
    "extract_post_from_tree",
    "merge_pages",
    "next_page_urls",
    "next_page_urls_from_tree",
    "parse_html",
]

# Leftover image shells that carry no text once their <img> is gone.
_IMAGE_SHELLS = "//img | //picture | //figure[not(normalize-space(.))]"


def extract_post(html: str | bytes, url: str, encoding: str | None = None) -> Post:
    """Extract the post of one page; raise NotAPost / ExtractionError when there is none."""
    return extract_post_from_tree(parse_html(html, encoding), url)


def extract_post_from_tree(doc: etree._Element, url: str) -> Post:
    """Like ``extract_post`` for an already parsed document (which it leaves untouched)."""
    doc = copy.deepcopy(doc)
    if doc.xpath(S.PASSWORD_FORM):
        raise NotAPost("password_protected", "password-protected post")
    if page_title(doc).startswith(S.PROTECTED_TITLE_PREFIXES):
        raise NotAPost("password_protected", "password-protected post")
    base = base_url(doc, url)
    platform = detect_platform(doc)
    meta = extract_metadata(doc, url, base)
    meta.site.platform = platform
    comments = extract_comments(doc)

    drop_always(doc)
    root = find_content_root(doc, platform)
    drop_chrome(doc, keep=root)
    if root is None or (root.getparent() is None and root is not doc):
        root = find_content_root(doc, platform)
    if root is None:
        raise NotAPost("no_body", "no post body found")

    drop_unlikely(root)
    drop_title(root, meta.title)
    captions = extract_captions(root, base)
    images = extract_images(root, base)
    references = extract_references(root, base)
    references.extend(extract_footnotes(root, base))
    html = body_html(root, base)
    remove_captions(root)
    for shell in root.xpath("." + _IMAGE_SHELLS.replace(" | //", " | .//")):
        drop(shell)
    text = block_text(root)
    if not text.strip():
        raise NotAPost("no_body", "no body text")

    post = Post(
        url=url,
        canonical_url=meta.canonical_url,
        site=meta.site,
        title=meta.title,
        authors=meta.authors,
        published=meta.published,
        modified=meta.modified,
        categories=meta.categories,
        tags=meta.tags,
        language=meta.language,
        body=Body(text=text, html=html),
        captions=captions,
        references=references,
        images=images,
        comments=comments,
    )
    post.word_count = len(text.split())
    post.content_digest = post.compute_digest()
    return post


def next_page_urls(html: str | bytes | etree._Element, url: str) -> list[str]:
    """Absolute URLs of the further pages of a multi-page post (not the page itself), in order."""
    doc = html if isinstance(html, etree._Element) else parse_html(html)
    return next_page_urls_from_tree(doc, url, base_url(doc, url))
