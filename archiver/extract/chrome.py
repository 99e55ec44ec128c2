"""Remove page chrome (navigation, sidebars, share blocks, comments, ...) around the post body."""

from __future__ import annotations

import copy
import re
from functools import lru_cache

from lxml import etree

from . import selectors as S
from .dom import DocIndex, matches
from .text import BLOCK_TAGS, collapse, inline_text

# An element is never removed as chrome if it holds this large a share of the page's text: a
# theme that wraps the whole post in <header> or class="share-..." must not lose the post.
PROTECT_TEXT_SHARE = 0.6
# ...unless its text is tiny anyway (a one-line skip link inside a short page).
PROTECT_MIN_CHARS = 200
_ARCHIVE_HEADING_RE = re.compile(S.ARCHIVE_HEADING_RE, re.IGNORECASE)
_BY_PREFIX_RE = re.compile(r"^\s*(?:posted\s+|written\s+)?by\s*:?\s+", re.IGNORECASE)
_SKIP_TO_RE = re.compile(r"^\s*skip to\b", re.IGNORECASE)


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


def text_len(el: etree._Element) -> int:
    """Length of an element's text, whitespace collapsed (a cheap measure of reading matter)."""
    return len(collapse(el.text_content()))


def _is_hidden_style(style: str) -> bool:
    compact = style.replace(" ", "").lower()
    return any(s in compact for s in S.HIDDEN_STYLES)


def drop_always(index: DocIndex) -> None:
    """Remove elements that never carry post text: scripts, styles, forms, hidden and ad elements."""
    root = index.root
    doomed: list[etree._Element] = []
    for tag in S.ALWAYS_DROP_TAGS:
        doomed.extend(index.by_tag.get(tag, ()))
    doomed.extend(index.select(S.HIDDEN, live=False))
    doomed.extend(index.having.get("hidden", ()))
    doomed.extend(el for el in index.having.get("aria-modal", ()) if el.get("aria-modal") == "true")
    doomed.extend(el for el in index.having.get("style", ()) if _is_hidden_style(el.get("style")))
    doomed.extend(index.select(S.ADS, live=False))
    for iframe in index.by_tag.get("iframe", ()):
        src = iframe.get("src") or ""
        if not src or any(word in src for word in S.AD_IFRAME_SRC):
            doomed.append(iframe)
    for el in doomed:
        if el is not root:
            drop(el)


def drop_chrome(
    index: DocIndex, keep: etree._Element | None = None, extra: str | None = None
) -> None:
    """Remove chrome from the page; never ``keep``, its ancestors, or (without ``keep``) an element
    holding most of the page's text. ``extra``: the platform's own chrome selectors."""
    root = index.root
    protected: set[etree._Element] = set()
    if keep is not None:
        protected.add(keep)
        protected.update(keep.iterancestors())
    total = 0 if keep is not None else max(text_len(root), 1)
    for selector in (*S.CHROME, S.COMMENT_SECTIONS, *([extra] if extra else [])):
        for el in index.select(selector, live=False):
            if el is root or el in protected or el.getparent() is None:
                continue
            if keep is None and text_len(el) >= max(PROTECT_MIN_CHARS, PROTECT_TEXT_SHARE * total):
                continue
            drop(el)
    for el in index.by_tag.get("a", ()):
        in_page = (el.get("href") or "").startswith("#")
        if in_page and el not in protected and _SKIP_TO_RE.match(el.text_content() or ""):
            drop(el)
    for tag in ("h1", "h2", "h3"):
        for el in index.by_tag.get(tag, ()):
            if el not in protected and _ARCHIVE_HEADING_RE.match(el.text_content()):
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


@lru_cache(maxsize=4096)
def unlikely_hint(hint: str) -> bool:
    """Whether a "class id" string names chrome (cached: pages repeat the same class strings)."""
    return bool(_UNLIKELY_RE.search(hint)) and not _MAYBE_RE.search(hint)


def drop_unlikely(root: etree._Element) -> None:
    """Drop descendants of the content root whose class/id says chrome (Readability.js words)."""
    total = -1
    for el in list(root.iterdescendants(etree.Element)):
        if el.tag in UNLIKELY_EXEMPT_TAGS:
            continue
        classes, ident = el.get("class"), el.get("id")
        if not classes and not ident:
            continue
        if not unlikely_hint(f"{classes or ''} {ident or ''}"):
            continue
        if el.getparent() is None:
            continue
        if total < 0:
            total = max(text_len(root), 1)
        if text_len(el) <= UNLIKELY_MAX_TEXT_SHARE * total:
            drop(el)


def drop_title(root: etree._Element, title: str) -> None:
    """Drop the post title heading when a theme put it inside the content root."""
    if not title:
        return
    for el in root.iter("h1", "h2"):
        if inline_text(el) == title:
            drop(el)
            return


_TAXONOMY_BLOCKS = ("div", "p", "ul", "section", "span", "footer")
_SEPARATORS = ",;|·•/:#"


def drop_taxonomy_lists(root: etree._Element) -> None:
    """Drop blocks of the body that are only the post's tag/category links (and a label)."""
    tag_links = [a for a in root.iter("a") if matches(a, S.TAXONOMY_LINKS)]
    if not tag_links:
        return
    # Only the blocks around tag links can be tag lists.
    candidates: dict[etree._Element, None] = {}
    for a in tag_links:
        for ancestor in a.iterancestors(*_TAXONOMY_BLOCKS):
            if ancestor is root:
                break
            candidates[ancestor] = None
    for el in candidates:
        if el.getparent() is None:
            continue
        links = list(el.iter("a"))
        if not all(matches(a, S.TAXONOMY_LINKS) for a in links):
            continue
        bare = copy.deepcopy(el)
        for a in list(bare.iter("a")):
            drop(a)
        label = "".join(ch for ch in bare.text_content() if ch not in _SEPARATORS)
        if len(collapse(label)) <= S.TAXONOMY_LABEL_MAX_CHARS:
            drop(el)


# Byline lines at the top of a body: "By Ann Lee", "Oct 18, 2019 · 8 min read", "5 min read".
_MONTH = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?"
_DATE = rf"(?:{_MONTH}\s+\d{{1,2}},?\s+\d{{4}}|\d{{1,2}}\.?\s+{_MONTH}\s+\d{{4}}|\d{{4}}-\d{{2}}-\d{{2}})"
_READ_TIME = r"\d+\s*(?:min|minutes?)\s+read"
_BYLINE_RE = re.compile(
    rf"^(?:(?:posted\s+)?(?:on\s+)?{_DATE}|{_READ_TIME})(?:\s*[·•|-]\s*(?:{_DATE}|{_READ_TIME}))*$",
    re.IGNORECASE,
)
# The top of a body ends at the first paragraph this long.
BYLINE_ZONE_END_CHARS = 80
# Longer lines are never bylines.
BYLINE_MAX_CHARS = 100


def drop_bylines(root: etree._Element, authors: list[str]) -> None:
    """Drop byline lines (author name, date, reading time) above the body's first paragraph."""
    names = {a.casefold() for a in authors}
    doomed = []
    for el in root.iter(*BLOCK_TAGS, "span"):
        if el is root:
            continue
        text = _short_text(el, max(BYLINE_MAX_CHARS, BYLINE_ZONE_END_CHARS))
        if el.tag in ("p", "blockquote", "pre", "li") and (
            text is None or len(text) >= BYLINE_ZONE_END_CHARS
        ):
            break
        if not text or len(text) > BYLINE_MAX_CHARS:
            continue
        key = _BY_PREFIX_RE.sub("", text).casefold()
        if key in names or _BYLINE_RE.match(text):
            doomed.append(el)
    for el in doomed:
        if el.getparent() is not None:
            drop(el)


def _short_text(el: etree._Element, limit: int) -> str | None:
    """An element's text, whitespace collapsed, or None when it is longer than ``limit``
    (stops reading early: the top of a body is often one element holding all of it)."""
    parts = []
    size = 0
    for piece in el.itertext():
        parts.append(piece)
        size += len(piece)
        if size > 4 * limit:
            return None
    text = collapse("".join(parts))
    return text if len(text) <= limit else None
