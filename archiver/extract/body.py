"""Find the post's content root: platform selectors, generic markers, then Readability-style scoring."""

from __future__ import annotations

import re
from functools import lru_cache

import lxml.html
from lxml import etree

from . import selectors as S
from .chrome import text_len
from .dom import DocIndex, ancestor_matches
from .platforms import content_root_selectors
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
# Readability.js: of the 5 top candidates, 3 scoring at least 75% of the best make their common
# ancestor the body (a post split over sections).
TOP_CANDIDATES = 5
ALTERNATIVE_SHARE = 0.75
MIN_ALTERNATIVES = 3
# ...and candidates with the best's exact class string scoring this share of it are more sections.
TWIN_SHARE = 0.1
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


def _link_density(el: etree._Element) -> float:
    total = text_len(el)
    if not total:
        return 0.0
    links = sum(text_len(a) for a in el.iter("a"))
    return min(links / total, 1.0)


def _class_weight(el: etree._Element) -> int:
    return _hint_weight(el.get("class")) + _hint_weight(el.get("id"))


@lru_cache(maxsize=4096)
def _hint_weight(attr: str | None) -> int:
    """Readability's class/id weight of one attribute value (cached: pages repeat them)."""
    if not attr:
        return 0
    weight = 0
    if NEGATIVE_HINTS.search(attr):
        weight -= CLASS_WEIGHT
    if POSITIVE_HINTS.search(attr):
        weight += CLASS_WEIGHT
    return weight


def _weight(el: etree._Element) -> float:
    """Text length discounted by link text: how much reading matter an element holds."""
    return text_len(el) * (1 - _link_density(el))


def find_root_by_selectors(index: DocIndex, platform: str | None) -> etree._Element | None:
    """The post body marked by the platform's or generic selectors, or None (then score)."""
    picks: list[tuple[etree._Element, float]] = []
    for selector in (*content_root_selectors(platform), *S.GENERIC_ROOTS):
        candidates = []
        for el in index.select(selector):
            length = text_len(el)
            if length < MIN_ROOT_CHARS or ancestor_matches(el, S.COMMENT_OR_SIDEBAR):
                continue
            density = _link_density(el)
            if density <= MAX_ROOT_LINK_DENSITY:
                candidates.append((el, length, length * (1 - density)))
        if not candidates:
            continue
        best = max(candidates, key=lambda c: c[2])
        total = sum(c[1] for c in candidates)
        if len(candidates) >= REPEATED_MATCHES and best[1] < DOMINANT_SHARE * total:
            continue  # the class marks repeated boxes (widgets, teasers), not one post body
        picks.append((best[0], best[2]))
    if not picks:
        return None
    top = max(weight for _, weight in picks)
    # The most specific selector wins unless another marks far more reading matter.
    return next(el for el, weight in picks if weight >= SELECTOR_SHARE * top)


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
    adjusted = _Adjusted(scores)
    best = _common_ancestor(adjusted.best(), adjusted)
    # Climb while the parent is about as good: the post is often split over sibling wrappers.
    parent = best.getparent()
    while (
        parent is not None
        and parent.tag not in ("body", "html")
        and adjusted[parent] >= adjusted[best] * 0.9
    ):
        best, parent = parent, parent.getparent()
    if best.tag == "body":
        return best
    return _with_siblings(best, adjusted)


def _common_ancestor(best: etree._Element, adjusted: _Adjusted) -> etree._Element:
    """Readability.js's rule for posts split in sections: when at least MIN_ALTERNATIVES of the
    top candidates score nearly as well as the best, their nearest common ancestor with it (one
    holding MIN_ALTERNATIVES of them) is the body."""
    top = adjusted[best]
    if top <= 0:
        return best
    alternatives = [
        el
        for el in adjusted.top(TOP_CANDIDATES)
        if el is not best and adjusted[el] >= ALTERNATIVE_SHARE * top
    ]
    if len(alternatives) >= MIN_ALTERNATIVES:
        ancestry = [set(el.iterancestors()) for el in alternatives]
        for ancestor in best.iterancestors():
            if ancestor.tag in ("body", "html"):
                break
            if sum(ancestor in chain for chain in ancestry) >= MIN_ALTERNATIVES:
                return ancestor
    # A post split over sections wraps each in the same markup: candidates with the best's exact
    # class string, scoring a fair share of it, belong to the same body.
    classes = best.get("class")
    if not classes:
        return best
    twins = [
        el
        for el in adjusted.raw
        if el is not best
        and el.get("class") == classes
        and adjusted.raw[el] >= TWIN_SHARE * top
        and adjusted[el] >= TWIN_SHARE * top
    ]
    if not twins:
        return best
    ancestry = [set(el.iterancestors()) for el in twins]
    for ancestor in best.iterancestors():
        if ancestor.tag in ("body", "html"):
            break
        if all(ancestor in chain for chain in ancestry):
            return ancestor
    return best


class _Adjusted:
    """Candidate scores times (1 - link density), computed lazily (link density is the costly part)."""

    def __init__(self, raw: dict[etree._Element, float]) -> None:
        self.raw = raw
        self.done: dict[etree._Element, float] = {}

    def __getitem__(self, el: etree._Element) -> float:
        if el not in self.raw:
            return 0.0
        if el not in self.done:
            self.done[el] = self.raw[el] * (1 - _link_density(el))
        return self.done[el]

    def __contains__(self, el: etree._Element) -> bool:
        return el in self.raw

    def top(self, n: int) -> list[etree._Element]:
        """The ``n`` best candidates by adjusted score (link density only lowers a score: a
        candidate whose raw score is below the n-th adjusted score cannot be among them)."""
        ranked: list[tuple[float, etree._Element]] = []
        for el, raw in sorted(self.raw.items(), key=lambda kv: kv[1], reverse=True):
            if len(ranked) >= n and raw <= ranked[-1][0] and ranked[-1][0] >= 0:
                break
            ranked.append((self[el], el))
            ranked.sort(key=lambda pair: pair[0], reverse=True)
            del ranked[n:]
        return [el for _, el in ranked]

    def best(self) -> etree._Element:
        """The top candidate; link density only lowers a score, so stop once raw < best so far."""
        best, best_score = None, float("-inf")
        for el, raw in sorted(self.raw.items(), key=lambda kv: kv[1], reverse=True):
            if best is not None and raw <= best_score and best_score >= 0:
                break
            score = self[el]
            if score > best_score:
                best, best_score = el, score
        assert best is not None
        return best


def _with_siblings(best: etree._Element, scores: _Adjusted) -> etree._Element:
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
    # The siblings move into a new wrapper (the page is not used for the body after this).
    wrapper = lxml.html.Element("div")
    for sibling in chosen:
        sibling.tail = None
        wrapper.append(sibling)
    return wrapper
