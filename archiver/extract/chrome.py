"""Remove page chrome (navigation, sidebars, share blocks, comments, ...) before body selection."""

from __future__ import annotations

import re

from lxml import etree

from . import selectors as S
from .text import inline_text

# Chrome groups, in the order they are removed.
CHROME_XPATHS = (
    S.SKIP_LINKS,
    S.NAVIGATION,
    S.HEADER_FOOTER,
    S.SIDEBARS,
    S.SHARE_RELATED,
    S.ARCHIVE_HEADINGS,
    S.COMMENT_SECTIONS,
)
# An element is never removed as chrome if it holds this large a share of the page's text: a
# theme that wraps the whole post in <header> or class="share-..." must not lose the post.
PROTECT_TEXT_SHARE = 0.6
# ...unless its text is tiny anyway (a one-line skip link inside a short page).
PROTECT_MIN_CHARS = 200
_ARCHIVE_HEADING_RE = re.compile(S.ARCHIVE_HEADING_RE, re.IGNORECASE)
_HEADINGS = "//h1 | //h2 | //h3"


def drop(el: etree._Element) -> None:
    """Remove an element but keep its tail text in place."""
    parent = el.getparent()
    if parent is None:
        return
    if el.tail:
        prev = el.getprevious()
        if prev is not None:
            prev.tail = (prev.tail or "") + el.tail
        else:
            parent.text = (parent.text or "") + el.tail
    parent.remove(el)


def _text_len(el: etree._Element) -> int:
    return len(inline_text(el))


def drop_always(root: etree._Element) -> None:
    """Remove elements that never carry post text: scripts, styles, forms, hidden and ad elements."""
    for xpath in (S.ALWAYS_DROP, S.HIDDEN, S.AD_IFRAMES):
        for el in root.xpath(xpath):
            if el is not root:
                drop(el)


def drop_chrome(root: etree._Element, keep: etree._Element | None = None) -> None:
    """Remove chrome below ``root``; never ``keep``, its ancestors, or a dominant text holder."""
    drop_always(root)
    protected = set()
    if keep is not None:
        protected.add(keep)
        protected.update(keep.iterancestors())
    total = max(_text_len(root), 1)
    for xpath in CHROME_XPATHS:
        for el in root.xpath(xpath):
            if el is root or el in protected or el.getparent() is None:
                continue
            if keep is None and _text_len(el) >= max(PROTECT_MIN_CHARS, PROTECT_TEXT_SHARE * total):
                continue
            drop(el)
    for el in root.xpath(_HEADINGS):
        if _ARCHIVE_HEADING_RE.match(inline_text(el)):
            drop(el)


_UNLIKELY_RE = re.compile(S.UNLIKELY_RE, re.IGNORECASE)
_MAYBE_RE = re.compile(S.MAYBE_RE, re.IGNORECASE)
# Never dropped as "unlikely": they are content whatever their class says.
UNLIKELY_EXEMPT_TAGS = frozenset(
    {
        "body",
        "html",
        "article",
        "main",
        "table",
        "tbody",
        "tr",
        "td",
        "pre",
        "code",
        "a",
        "figure",
        "figcaption",
        "img",
        "picture",
    }
)
# ...nor an element holding this share of the root's text (a theme's odd wrapper class).
UNLIKELY_MAX_TEXT_SHARE = 0.3


def drop_unlikely(root: etree._Element) -> None:
    """Drop descendants of the content root whose class/id says chrome (Readability.js words)."""
    total = max(_text_len(root), 1)
    for el in list(root.iterdescendants()):
        if not isinstance(el.tag, str) or el.tag in UNLIKELY_EXEMPT_TAGS or el.getparent() is None:
            continue
        hint = f"{el.get('class') or ''} {el.get('id') or ''}"
        if not hint.strip() or not _UNLIKELY_RE.search(hint) or _MAYBE_RE.search(hint):
            continue
        if _text_len(el) <= UNLIKELY_MAX_TEXT_SHARE * total:
            drop(el)


def drop_title(root: etree._Element, title: str) -> None:
    """Drop the post title heading when a theme put it inside the content root."""
    if not title:
        return
    for el in root.iter("h1", "h2"):
        if inline_text(el) == title:
            drop(el)
            return
