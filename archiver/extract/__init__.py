"""Post extraction: pure functions of (html, url) -> Post. No Scrapy, no I/O.

Public API:
- ``extract_post(html, url, encoding=None) -> Post``; raises ``NotAPost`` for pages that are not
  an archivable post (password-protected, empty), ``ExtractionError`` for pages that cannot be
  parsed or a URL that is not absolute. The stages are described in ``post.py``.
- ``extract_post_from_tree(doc, url) -> Post``: the same for an already parsed page.
- ``next_page_urls(html, url) -> list[str]``: links to the further pages of a multi-page post.
- ``merge_pages(parts) -> Post``: one post from the extractions of its pages, in order.
- ``extract_listing_posts(html, url) -> list[Post]``: each post printed in full on a listing
  page (a classic theme's monthly archive), separately (``listing.py``).
- ``BoilerplateModel`` / ``strip_site(posts)``: blocks repeated verbatim across a site's posts
  leave their bodies (``boilerplate.py``).

Body HTML keeps figures with their captions (the caption text only leaves ``body.text``; each
caption's ``position`` says where it was); the references section leaves both ``body.text`` and
``body.html``; footnotes stay in both and are also listed in ``references``.
"""

from __future__ import annotations

from lxml import etree

from .boilerplate import BoilerplateModel, strip_site
from .cleaning import base_url
from .errors import ExtractionError, NotAPost
from .listing import extract_listing_posts
from .pages import merge_pages, next_page_urls_from_tree
from .parse import parse_html
from .post import STAGES, extract_post, extract_post_from_tree

__all__ = [
    "STAGES",
    "BoilerplateModel",
    "ExtractionError",
    "NotAPost",
    "extract_listing_posts",
    "extract_post",
    "extract_post_from_tree",
    "merge_pages",
    "next_page_urls",
    "next_page_urls_from_tree",
    "parse_html",
    "strip_site",
]


def next_page_urls(html: str | bytes | etree._Element, url: str) -> list[str]:
    """Absolute URLs of the further pages of a multi-page post (not the page itself), in order."""
    doc = html if isinstance(html, etree._Element) else parse_html(html)
    return next_page_urls_from_tree(doc, url, base_url(doc, url))
