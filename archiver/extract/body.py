"""Find the post's content root and turn it into body text and cleaned body HTML."""

from __future__ import annotations

import copy
import re
from urllib.parse import urljoin

import lxml.html
from lxml import etree
from lxml_html_clean import Cleaner

from . import selectors as S
from .chrome import drop
from .platforms import content_root_xpaths
from .text import collapse

# A selector match with less text than this is a stub (an empty wrapper, a teaser), not the body.
MIN_ROOT_CHARS = 1
# A "content" element that is mostly link text is a link list (a category widget), not a post.
MAX_ROOT_LINK_DENSITY = 0.5
# A selector matching this many elements, none holding DOMINANT_SHARE of their text, marks
# repeated boxes on this page (sidebar widgets, teasers), not the post body.
REPEATED_MATCHES = 3
DOMINANT_SHARE = 0.5
# A more specific selector's match is kept over a later one's unless it holds less than this
# share of the other's reading matter (then it is probably a comment box or teaser).
SELECTOR_SHARE = 0.5
# Readability-style scoring (Arc90/Readability.js): paragraphs shorter than this are not scored.
MIN_PARAGRAPH_CHARS = 25
# Each 100 characters of a paragraph add a point, capped at this many (Readability.js's rule).
MAX_LENGTH_POINTS = 3
# A paragraph's score reaches this many ancestor levels (Readability.js: 5).
MAX_SCORED_LEVELS = 5
# Class/id hints move a candidate by this much (Readability.js's weight).
CLASS_WEIGHT = 25
# Siblings of the best candidate join the body if they score at least this share of it...
SIBLING_SCORE_SHARE = 0.2
# ...and at least this much in absolute terms (Readability.js: 10).
SIBLING_MIN_SCORE = 10.0
# A sibling paragraph joins when it is this long with little link text (Readability.js: 80 / 0.25).
SIBLING_PARAGRAPH_CHARS = 80
SIBLING_MAX_LINK_DENSITY = 0.25

POSITIVE_HINTS = re.compile(
    r"article|body|content|entry|hentry|h-entry|main|page|pagination|post|text|blog|story",
    re.IGNORECASE,
)
NEGATIVE_HINTS = re.compile(
    r"-ad-|hidden|^hid$| hid$| hid |^hid |banner|combx|comment|com-|contact|foot|footer|footnote|"
    r"gdpr|masthead|media|meta|outbrain|promo|related|scroll|share|shoutbox|sidebar|skyscraper|"
    r"sponsor|shopping|tags|tool|widget|byline|author|dateline|subscribe|newsletter",
    re.IGNORECASE,
)
SCORED_TAGS = ("p", "td", "pre", "blockquote", "li", "div", "section", "dd", "h2", "h3")
TAG_BONUS = {
    "div": 5,
    "article": 5,
    "section": 3,
    "main": 5,
    "pre": 3,
    "td": 3,
    "blockquote": 3,
    "address": -3,
    "ol": -3,
    "ul": -3,
    "dl": -3,
    "dd": -3,
    "dt": -3,
    "li": -3,
    "form": -3,
    "h1": -5,
    "h2": -5,
    "h3": -5,
    "h4": -5,
    "h5": -5,
    "h6": -5,
    "th": -5,
}
_BLOCK_CHILDREN = {
    "p",
    "div",
    "table",
    "ul",
    "ol",
    "pre",
    "blockquote",
    "section",
    "article",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "dl",
    "figure",
    "header",
    "footer",
}

# Tracking pixels: images this small (either side, in px) are never content.
TRACKING_PIXEL_MAX_PX = 1
LAZY_SRC_ATTRS = ("data-src", "data-lazy-src", "data-original", "data-orig-file", "data-url")


def _text_len(el: etree._Element) -> int:
    return len(collapse(el.text_content()))


def _link_density(el: etree._Element) -> float:
    total = _text_len(el)
    if not total:
        return 0.0
    links = sum(len(collapse(a.text_content())) for a in el.iter("a"))
    return min(links / total, 1.0)


def _class_weight(el: etree._Element) -> int:
    weight = 0
    for attr in (el.get("class"), el.get("id")):
        if not attr:
            continue
        if NEGATIVE_HINTS.search(attr):
            weight -= CLASS_WEIGHT
        if POSITIVE_HINTS.search(attr):
            weight += CLASS_WEIGHT
    return weight


def _weight(el: etree._Element) -> float:
    """Text length discounted by link text: how much reading matter an element holds."""
    return _text_len(el) * (1 - _link_density(el))


def find_content_root(doc: etree._Element, platform: str | None) -> etree._Element | None:
    """The element holding the post body: platform selectors, generic markers, then scoring."""
    picks: list[etree._Element] = []
    for xpath in (*content_root_xpaths(platform), *S.GENERIC_ROOTS):
        candidates = [
            el
            for el in doc.xpath(xpath)
            if _text_len(el) >= MIN_ROOT_CHARS
            and el.xpath(S.NOT_IN_COMMENTS_OR_SIDEBAR)
            and _link_density(el) <= MAX_ROOT_LINK_DENSITY
        ]
        if not candidates:
            continue
        best = max(candidates, key=_weight)
        total = sum(_text_len(el) for el in candidates)
        if len(candidates) >= REPEATED_MATCHES and _text_len(best) < DOMINANT_SHARE * total:
            continue  # the class marks repeated boxes (widgets, teasers), not one post body
        picks.append(best)
    if not picks:
        return score_content_root(doc)
    top = max(_weight(el) for el in picks)
    # The most specific selector wins unless another marks far more reading matter.
    return next(el for el in picks if _weight(el) >= SELECTOR_SHARE * top)


def score_content_root(doc: etree._Element) -> etree._Element | None:
    """Readability-style choice: score paragraphs into their ancestors, pick the best container."""
    scores: dict[etree._Element, float] = {}
    for el in doc.iter(*SCORED_TAGS):
        tag = el.tag
        if tag in ("div", "section") and any(c.tag in _BLOCK_CHILDREN for c in el):
            continue  # only divs used as paragraphs are scored as paragraphs
        text = collapse(el.text_content())
        if len(text) < MIN_PARAGRAPH_CHARS:
            continue
        points = 1 + text.count(",") + text.count("，") + min(len(text) // 100, MAX_LENGTH_POINTS)
        for level, ancestor in enumerate(el.iterancestors()):
            if level >= MAX_SCORED_LEVELS or ancestor.tag == "html":
                break
            if ancestor not in scores:
                scores[ancestor] = TAG_BONUS.get(ancestor.tag, 0) + _class_weight(ancestor)
            divider = 1 if level == 0 else 2 if level == 1 else level * 3
            scores[ancestor] += points / divider
    if not scores:
        body = doc.find("body")
        return body if body is not None else doc
    for el in scores:
        scores[el] *= 1 - _link_density(el)
    best = max(scores, key=scores.__getitem__)
    # Climb while the parent is about as good: the post is often split over sibling wrappers.
    parent = best.getparent()
    while (
        parent is not None
        and parent.tag not in ("body", "html")
        and scores.get(parent, 0) >= scores[best] * 0.9
    ):
        best, parent = parent, parent.getparent()
    if best.tag == "body":
        return best
    return _with_siblings(best, scores)


def _with_siblings(best: etree._Element, scores: dict[etree._Element, float]) -> etree._Element:
    """Best candidate plus the siblings that look like more of the post (Readability.js rule)."""
    parent = best.getparent()
    if parent is None:
        return best
    threshold = max(SIBLING_MIN_SCORE, scores[best] * SIBLING_SCORE_SHARE)
    best_class = best.get("class")
    chosen = []
    for sibling in parent:
        if not isinstance(sibling.tag, str):
            continue
        if sibling is best:
            chosen.append(sibling)
            continue
        bonus = (
            scores[best] * SIBLING_SCORE_SHARE
            if best_class and sibling.get("class") == best_class
            else 0
        )
        if sibling in scores and scores[sibling] + bonus >= threshold:
            chosen.append(sibling)
        elif sibling.tag == "p":
            text = collapse(sibling.text_content())
            density = _link_density(sibling)
            if (len(text) > SIBLING_PARAGRAPH_CHARS and density < SIBLING_MAX_LINK_DENSITY) or (
                0 < len(text) <= SIBLING_PARAGRAPH_CHARS
                and density == 0
                and re.search(r"\.( |$)", text)
            ):
                chosen.append(sibling)
    if len(chosen) == 1:
        return best
    wrapper = lxml.html.Element("div")
    for sibling in chosen:
        clone = copy.deepcopy(sibling)
        clone.tail = None
        wrapper.append(clone)
    return wrapper


# --- Body HTML ------------------------------------------------------------------------------------
_CLEANER = Cleaner(
    scripts=True,
    javascript=True,
    comments=True,
    style=True,
    inline_style=True,
    links=True,
    meta=True,
    page_structure=False,
    processing_instructions=True,
    embedded=False,
    frames=False,
    forms=True,
    annoying_tags=True,
    remove_unknown_tags=False,
    safe_attrs_only=False,
)


def base_url(doc: etree._Element, url: str) -> str:
    """What relative links resolve against: <base href> (itself resolved), else the page URL."""
    for href in doc.xpath("//base/@href"):
        href = href.strip()
        if href:
            return urljoin(url, href)
    return url


def best_image_src(img: etree._Element) -> str | None:
    """An image's real URL: src unless it is a placeholder, then lazy attributes, then srcset."""
    src = (img.get("src") or "").strip()
    if src and not src.startswith("data:"):
        return src
    for attr in LAZY_SRC_ATTRS:
        value = (img.get(attr) or "").strip()
        if value and not value.startswith("data:"):
            return value
    srcset = img.get("srcset") or img.get("data-srcset") or img.get("data-lazy-srcset")
    if srcset:
        return _largest_in_srcset(srcset)
    return None


def _largest_in_srcset(srcset: str) -> str | None:
    best, best_size = None, -1.0
    for candidate in srcset.split(","):
        parts = candidate.strip().split()
        if not parts:
            continue
        size = 1.0
        if len(parts) > 1:
            try:
                size = float(parts[1].rstrip("wx"))
            except ValueError:
                size = 1.0
        if size > best_size:
            best, best_size = parts[0], size
    return best


def is_tracking_pixel(img: etree._Element) -> bool:
    """A 1x1 (or 0x0) image: a web beacon, not content."""
    for attr in ("width", "height"):
        value = (img.get(attr) or "").strip().rstrip("px")
        if value.isdigit() and int(value) <= TRACKING_PIXEL_MAX_PX:
            return True
    return False


def body_html(root: etree._Element, base: str) -> str:
    """Cleaned HTML of the content root: no scripts/styles/handlers/forms/pixels; absolute links."""
    clone = copy.deepcopy(root)
    clone.tail = None
    for img in list(clone.iter("img")):
        if is_tracking_pixel(img):
            drop(img)
            continue
        src = best_image_src(img)
        if src and src != img.get("src"):
            img.set("src", src)
    if not isinstance(clone, lxml.html.HtmlElement):
        clone = lxml.html.fromstring(etree.tostring(clone, encoding="unicode"))
    cleaned = _CLEANER.clean_html(clone)
    cleaned.make_links_absolute(base, resolve_base_href=False, handle_failures="ignore")
    return lxml.html.tostring(cleaned, encoding="unicode", method="html").strip()
