"""The extraction cascade for one page, in numbered stages, on one parsed tree.

1. parse: bytes -> text (BOM, transport hint, <meta charset>, UTF-8, sniffing) -> lxml tree;
   one pass indexes elements by tag, class, id and role (``dom.DocIndex``).
2. not-a-post signals: a password form, a "Protected:" title.
3. metadata: JSON-LD, OpenGraph, meta tags, microformats, the page's headings, bylines and
   <time>, read from the whole page before anything is removed; comments too.
4. chrome: scripts, hidden and ad elements go; the content root is chosen (platform selectors,
   generic markers, else Readability-style scoring after chrome removal); navigation, headers,
   footers, sidebars, share/related blocks and comment sections around it go.
5. body: chrome nested in the root (Readability's unlikely-candidate words) and the title
   heading go.
6. captions: figcaption / .wp-caption-text / .tr-caption with their image and credit; each is
   replaced by a mark so that its position in the body text is known.
7. references: the bibliography section (leaves the body) and footnotes (stay in it).
8. body HTML (cleaned in place, links absolute) and body text (blocks), caption positions.

``extract_post(..., timings=dict)`` adds the seconds spent per stage to the dict (the benchmark
reports them): "parse", "metadata", "chrome", "body", "captions", "references".
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable
from time import perf_counter
from urllib.parse import unquote, urlsplit

from lxml import etree

from archiver.items import Body, Post

from . import selectors as S
from .body import find_root_by_selectors, score_content_root
from .captions import caption_elements, extract_captions, mark_captions
from .chrome import (
    drop_always,
    drop_bylines,
    drop_chrome,
    drop_taxonomy_lists,
    drop_title,
    drop_unlikely,
)
from .cleaning import base_url, body_html
from .comments import extract_comments
from .dom import DocIndex
from .errors import ExtractionError, NotAPost
from .footnotes import extract_footnotes
from .images import extract_images
from .metadata import extract_metadata, page_title
from .parse import parse_html
from .platforms import detect_platform, platform_chrome
from .references import extract_references
from .text import block_text_marked

STAGES = ("parse", "metadata", "chrome", "body", "captions", "references")


class _Clock:
    """Adds the time since the last lap to ``timings[stage]`` (a no-op without a dict)."""

    def __init__(
        self, timings: dict[str, float] | None, clock: Callable[[], float] = perf_counter
    ) -> None:
        self.timings = timings
        self.clock = clock
        self.last = clock()

    def lap(self, stage: str) -> None:
        if self.timings is None:
            return
        now = self.clock()
        self.timings[stage] = self.timings.get(stage, 0.0) + now - self.last
        self.last = now


def extract_post(
    html: str | bytes,
    url: str,
    encoding: str | None = None,
    *,
    timings: dict[str, float] | None = None,
    clock: Callable[[], float] = perf_counter,
    generic: bool = False,
) -> Post:
    """Extract the post of one page; raise NotAPost / ExtractionError when there is none.

    ``timings``: a dict to which the seconds spent per stage are added (``STAGES``), measured
    with ``clock`` (e.g. ``time.process_time`` for CPU time). ``generic``: ignore the platform's
    and the class-name content selectors, i.e. use only the Readability-style fallback that
    unknown markup gets (the benchmark measures it on its own)."""
    check_url(url)
    stopwatch = _Clock(timings, clock)
    doc = parse_html(html, encoding)
    stopwatch.lap("parse")
    return _extract(doc, url, stopwatch, generic=generic)


def extract_post_from_tree(
    doc: etree._Element,
    url: str,
    *,
    timings: dict[str, float] | None = None,
    owned: bool = False,
) -> Post:
    """Like ``extract_post`` for an already parsed document, which it leaves untouched unless
    ``owned`` (the caller gives the tree away: no copy is made, and the tree is changed)."""
    check_url(url)
    clock = _Clock(timings)
    if not owned:
        doc = copy.deepcopy(doc)
    clock.lap("parse")
    return _extract(doc, url, clock)


_ABSOLUTE_URL_RE = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:[^\x00-\x20\x7f][^\x00-\x1f\x7f]*$")


def check_url(url: str) -> None:
    """Raise ExtractionError unless ``url`` is absolute (links are resolved against it)."""
    if not isinstance(url, str) or not _ABSOLUTE_URL_RE.match(url):
        raise ExtractionError(
            f"the page URL must be absolute (like https://example.org/a/), not {url!r}"
        )


# A title made from the body's first words is cut at about this many characters.
FALLBACK_TITLE_CHARS = 80
_SLUG_RE = re.compile(r"^[\w%.-]*[^\W\d_][\w%.-]*$")


def fallback_title(url: str, text: str) -> tuple[str, str]:
    """(title, source) for a page that names none: its URL slug, else the body's first words.

    >>> fallback_title("https://x.org/2019/07/13/rain-gauge-results/", "Body.")
    ('Rain gauge results', 'url')
    >>> fallback_title("https://x.org/?p=12", "A note with no title at all.")
    ('A note with no title at all.', 'html')
    """
    path = urlsplit(url).path.rstrip("/")
    slug = unquote(path.rsplit("/", 1)[-1]).rsplit(".", 1)[0] if path else ""
    if slug and _SLUG_RE.match(slug) and not slug.isdigit():
        words = re.sub(r"[-_]+", " ", slug).strip()
        if words:
            return words[0].upper() + words[1:], "url"
    first = text.split("\n", 1)[0]
    if len(first) > FALLBACK_TITLE_CHARS:
        first = first[:FALLBACK_TITLE_CHARS].rsplit(" ", 1)[0] + "…"
    return first, "html"


def _extract(doc: etree._Element, url: str, clock: _Clock, generic: bool = False) -> Post:
    index = DocIndex(doc)
    clock.lap("parse")
    # 2. Not a post
    if index.select(S.PASSWORD_FORM, live=False):
        raise NotAPost("password_protected", "password-protected post")
    if page_title(index).startswith(S.PROTECTED_TITLE_PREFIXES):
        raise NotAPost("password_protected", "password-protected post")
    # 3. Metadata (whole page), comments
    base = base_url(doc, url)
    platform = detect_platform(index)
    meta = extract_metadata(index, url, base)
    meta.site.platform = platform
    comments = extract_comments(index)
    clock.lap("metadata")
    # 4. Chrome and content root
    drop_always(index)
    root = None if generic else find_root_by_selectors(index, platform)
    if root is not None:
        drop_chrome(index, keep=root, extra=platform_chrome(platform))
    else:
        drop_chrome(index, extra=None if generic else platform_chrome(platform))
        root = score_content_root(doc)
    if root is None:
        raise NotAPost("no_body", "no post body found")
    clock.lap("chrome")
    # 5. Chrome inside the root
    drop_unlikely(root)
    drop_taxonomy_lists(root)
    drop_title(root, meta.title)
    drop_bylines(root, meta.authors)
    clock.lap("body")
    # 6. Captions
    caption_els = caption_elements(index, root)
    numbered = extract_captions(caption_els, base)
    images = extract_images(root, base)
    clock.lap("captions")
    # 7. References and footnotes
    references = extract_references(root, base, index)
    references.extend(extract_footnotes(root, base, index))
    clock.lap("references")
    # 8. Body HTML and text
    html = body_html(root, base)
    mark_captions(caption_els)
    text, offsets = block_text_marked(root)
    if not text.strip():
        raise NotAPost("no_body", "no body text")
    if not meta.title:
        meta.title, meta.sources["title"] = fallback_title(url, text)
    captions = []
    for number, caption in numbered:
        caption.position = offsets.get(str(number))
        captions.append(caption)
    clock.lap("body")

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
        sources=meta.sources,
        rejected=meta.rejected,
    )
    post.word_count = len(text.split())
    post.content_digest = post.compute_digest()
    return post
