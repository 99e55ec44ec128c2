"""Post metadata: title, authors, dates, taxonomy, language, canonical URL and site, each with the
source it was read from ("json-ld", "opengraph", "meta", "microformats", "html", "url").

Sources are tried per field in a fixed order (``ORDER`` below: the visible page first for the
title and taxonomy, structured data first for dates and authors). A value that fails validation
(a date like 0000-00-00, an author name full of HTML) is skipped as if absent: the next source is
tried, and the field stays empty when none is good. Nothing here raises on bad input.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from lxml import etree

from archiver.items import Site

from . import jsonld
from . import selectors as S
from .cleaning import resolve
from .dates import date_from_url, normalise_date
from .dom import DocIndex, ancestor_matches
from .microformats import h_entry
from .text import collapse

TITLE_SEPARATORS = (" – ", " — ", " - ", " | ", " · ", " :: ", " » ")
# A byline longer than this is a sentence, not a name.
MAX_AUTHOR_CHARS = 80
# Longer than this is a paragraph, not a title.
MAX_TITLE_CHARS = 400
# Longer than this is not a category or tag name.
MAX_TERM_CHARS = 100
_BY_RE = re.compile(r"^\s*(?:posted\s+|written\s+)?by\s*:?\s+", re.IGNORECASE)
_MARKUP_RE = re.compile(r"<[a-zA-Z/!][^>]*>|&[a-zA-Z]+;|&#\d+;")


@dataclass
class Metadata:
    """What the page says about the post, outside its body, and where each field came from."""

    title: str = ""
    authors: list[str] = field(default_factory=list)
    published: str | None = None
    modified: str | None = None
    categories: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    language: str | None = None
    canonical_url: str | None = None
    site: Site = field(default_factory=Site)
    sources: dict[str, str] = field(default_factory=dict)
    rejected: dict[str, str] = field(default_factory=dict)
    """Field -> why a value the page gave for it was left out (the first such value)."""


class _Page:
    """The page's metadata sources, each read once."""

    def __init__(self, index: DocIndex, url: str, base: str) -> None:
        self.index = index
        self.url = url
        self.base = base
        self.meta: dict[str, str] = {}
        for el in index.by_tag.get("meta", ()):
            key = el.get("property") or el.get("name") or el.get("itemprop") or el.get("http-equiv")
            value = collapse(el.get("content") or "")
            if key and value:
                self.meta.setdefault(key.strip().lower(), value)
        self.meta_tags = [
            collapse(el.get("content") or "")
            for el in index.by_tag.get("meta", ())
            if (el.get("property") or "").lower() == "article:tag"
        ]
        self.ld_objects = jsonld.json_ld_objects(index)
        self.ld = jsonld.article(self.ld_objects) or {}
        self.mf = h_entry(index)

    def meta_value(self, *keys: str) -> str | None:
        return next((self.meta[k] for k in keys if self.meta.get(k)), None)

    def scoped(self, selector: str) -> list[etree._Element]:
        """Matches that are not inside comments or sidebars."""
        return [
            el
            for el in self.index.select(selector, live=False)
            if not ancestor_matches(el, S.COMMENT_OR_SIDEBAR)
        ]


def _first(
    sources: dict[str, str], name: str, candidates: Iterable[tuple[str, Callable[[], Any]]]
) -> Any:
    """The first candidate giving a value; its source is recorded under ``name``."""
    for source, get in candidates:
        value = get()
        if value:
            sources[name] = source
            return value
    return None


def _dedupe(values: Iterable[str], max_chars: int = MAX_TERM_CHARS) -> list[str]:
    seen: set[str] = set()
    out = []
    for value in values:
        value = unicodedata.normalize("NFC", collapse(value))
        if not value or len(value) > max_chars or _MARKUP_RE.search(value):
            continue
        if value.casefold() not in seen:
            seen.add(value.casefold())
            out.append(value)
    return out


def clean_name(value: str) -> str | None:
    """A person's display name, or None when the value is not one (markup, a URL, a sentence).

    >>> clean_name("  by Ann  Lee ")
    'Ann Lee'
    >>> [clean_name(v) for v in ("<a href='/x'>Ann</a>", "https://x.org/ann", "x" * 200)]
    [None, None, None]
    """
    text = _BY_RE.sub("", collapse(value))
    if not text or len(text) > MAX_AUTHOR_CHARS or _MARKUP_RE.search(text):
        return None
    if re.match(r"^(https?:)?//|^www\.", text, re.IGNORECASE) or "{" in text:
        return None
    return unicodedata.normalize("NFC", text)


def _names(values: Iterable[str]) -> list[str]:
    return _dedupe(n for n in (clean_name(v) for v in values) if n)


def _strip_site_suffix(title: str, site_name: str | None) -> str:
    for sep in TITLE_SEPARATORS:
        if sep not in title:
            continue
        head, _, tail = title.rpartition(sep)
        if site_name and collapse(tail).casefold() == site_name.casefold():
            return head.strip()
        if site_name and title.startswith(site_name + sep):
            return title[len(site_name + sep) :].strip()
    return title


def _clean_title(value: Any) -> str | None:
    if not isinstance(value, str):
        return None
    text = collapse(value)
    if not text or len(text) > MAX_TITLE_CHARS or _MARKUP_RE.search(text):
        return None
    return text


def page_title(index: DocIndex) -> str:
    """The in-page post title heading, else <title> (as is): used for "Protected:" detection."""
    for selector in S.TITLE_HEADINGS:
        for el in index.select(selector, live=False):
            text = collapse(el.text_content())
            if text:
                return text
    return collapse(" ".join(t.text_content() for t in index.by_tag.get("title", ())[:1]))


def _heading_title(page: _Page) -> str | None:
    for selector in S.TITLE_HEADINGS:
        for el in page.scoped(selector):
            text = collapse(el.text_content())
            if text:
                return text
    return None


def _only_h1(page: _Page) -> str | None:
    """The text of the page's one <h1> outside headers and navigation (a theme with no title
    class still marks its title so), or None when there are none or several."""
    headings = [
        h
        for h in page.index.by_tag.get("h1", ())
        if not ancestor_matches(h, "header, nav, footer, aside, .site-header, .site-title")
    ]
    return _clean_title(headings[0].text_content()) if len(headings) == 1 else None


def _title(page: _Page, site: Site, sources: dict[str, str]) -> str:
    title_tag = page.index.by_tag.get("title", ())
    tag_text = collapse(title_tag[0].text_content()) if title_tag else ""
    value = _first(
        sources,
        "title",
        (
            ("microformats", lambda: _clean_title((page.mf.get("p-name") or [None])[0])),
            ("html", lambda: _heading_title(page)),
            ("opengraph", lambda: _clean_title(page.meta_value("og:title"))),
            ("meta", lambda: _clean_title(page.meta_value("twitter:title"))),
            ("json-ld", lambda: _clean_title(page.ld.get("headline") or page.ld.get("name"))),
            ("html", lambda: _only_h1(page)),
            ("html", lambda: _clean_title(_strip_site_suffix(tag_text, site.name))),
        ),
    )
    return unicodedata.normalize("NFC", value or "")


def _html_authors(page: _Page) -> list[str]:
    for selector in S.AUTHOR_SELECTORS:
        matches = page.scoped(selector)
        if matches:
            # Bylines of other articles on the page (replies, teasers) are not this post's.
            home = next(matches[0].iterancestors("article"), None)
            matches = [el for el in matches if next(el.iterancestors("article"), None) is home]
        names = _names(el.text_content() for el in matches)
        if names:
            return names
    return []


def _authors(page: _Page, sources: dict[str, str], rejected: dict[str, str]) -> list[str]:
    raw = [
        ("json-ld", jsonld.names(page.ld.get("author"))),
        ("meta", [page.meta_value("author", "dc.creator") or ""]),
        ("opengraph", [page.meta_value("article:author") or ""]),
    ]
    for source, values in raw:
        values = [v for v in values if v and v.strip()]
        if values and not _names(values):
            rejected.setdefault("authors", f"{source}: {values[0][:80]!r} is not a person's name")
    return (
        _first(
            sources,
            "authors",
            (
                ("json-ld", lambda: _names(jsonld.names(page.ld.get("author")))),
                ("microformats", lambda: _names(page.mf.get("p-author", []))),
                ("html", lambda: _html_authors(page)),
                ("meta", lambda: _names([page.meta_value("author", "dc.creator") or ""])),
                ("opengraph", lambda: _names([page.meta_value("article:author") or ""])),
            ),
        )
        or []
    )


def _html_date(page: _Page, selectors: tuple[tuple[str, str], ...]) -> str | None:
    for selector, attr in selectors:
        for el in page.scoped(selector):
            value = normalise_date(el.get(attr))
            if value:
                return value
    return None


def _date(page: _Page, sources: dict[str, str], name: str, rejected: dict[str, str]) -> str | None:
    if name == "published":
        ld_key, og_keys, meta_keys, mf_key = (
            "datePublished",
            ("article:published_time", "og:published_time"),
            ("datepublished", "date", "dc.date", "dc.date.issued", "dcterms.created"),
            "dt-published",
        )
        selectors = S.PUBLISHED_SELECTORS
    else:
        ld_key, og_keys, meta_keys, mf_key = (
            "dateModified",
            ("article:modified_time", "og:updated_time"),
            ("datemodified", "last-modified", "dc.date.modified", "dcterms.modified"),
            "dt-updated",
        )
        selectors = S.MODIFIED_SELECTORS
    raw = [
        ("json-ld", jsonld.string(page.ld.get(ld_key))),
        ("opengraph", page.meta_value(*og_keys)),
        ("meta", page.meta_value(*meta_keys)),
        ("microformats", (page.mf.get(mf_key) or [None])[0]),
        ("html", next((el.get(attr) for sel, attr in selectors for el in page.scoped(sel)), None)),
    ]
    for source, value in raw:
        if isinstance(value, str) and value.strip() and normalise_date(value) is None:
            rejected.setdefault(name, f"{source}: {value.strip()[:40]!r} is not a valid date")
    candidates: list[tuple[str, Callable[[], Any]]] = [
        ("json-ld", lambda: normalise_date(jsonld.string(page.ld.get(ld_key)))),
        ("opengraph", lambda: normalise_date(page.meta_value(*og_keys))),
        ("meta", lambda: normalise_date(page.meta_value(*meta_keys))),
        ("microformats", lambda: normalise_date((page.mf.get(mf_key) or [None])[0])),
        ("html", lambda: _html_date(page, selectors)),
    ]
    if name == "published":
        candidates.append(("url", lambda: date_from_url(page.url)))
    return _first(sources, name, candidates)


def _html_taxonomy(page: _Page) -> tuple[list[str], list[str]]:
    """(categories, tags) from links. Block themes mark category links rel="tag" too: decide by
    container."""
    category_links = page.scoped(
        "a[rel~=category], " + ", ".join(f"{c} a" for c in _split(S.TAXONOMY_CATEGORY_CONTAINERS))
    )
    tag_links = [
        el
        for el in page.scoped(
            "a[rel~=tag], " + ", ".join(f"{c} a" for c in _split(S.TAXONOMY_TAG_CONTAINERS))
        )
        if "category" not in (el.get("rel") or "").split()
        and not any(_has_class(a, S.TAXONOMY_CATEGORY_CONTAINERS) for a in el.iterancestors())
    ]
    return (
        _dedupe(el.text_content() for el in category_links),
        _dedupe(el.text_content() for el in tag_links),
    )


def _split(selector_list: str) -> list[str]:
    return [s.strip() for s in selector_list.split(",")]


def _has_class(el: etree._Element, selector_list: str) -> bool:
    classes = (el.get("class") or "").split()
    return any(s.lstrip(".") in classes for s in _split(selector_list))


def _taxonomy(page: _Page, sources: dict[str, str]) -> tuple[list[str], list[str]]:
    html_categories, html_tags = _html_taxonomy(page)
    categories = _first(
        sources,
        "categories",
        (
            ("html", lambda: html_categories),
            ("opengraph", lambda: _dedupe([page.meta_value("article:section") or ""])),
            ("json-ld", lambda: _dedupe(jsonld.strings(page.ld.get("articleSection")))),
        ),
    )
    tags = _first(
        sources,
        "tags",
        (
            ("html", lambda: html_tags),
            ("microformats", lambda: _dedupe(page.mf.get("p-category", []))),
            ("opengraph", lambda: _dedupe(page.meta_tags)),
            ("json-ld", lambda: _dedupe(jsonld.strings(page.ld.get("keywords")))),
        ),
    )
    return categories or [], tags or []


def _language(page: _Page, sources: dict[str, str]) -> str | None:
    root = page.index.root
    html_lang = (
        root.get("lang") or root.get("{http://www.w3.org/XML/1998/namespace}lang") or ""
    ).strip()

    def locale() -> str | None:
        value = page.meta_value("og:locale")
        return value.replace("_", "-") if value else None

    return _first(
        sources,
        "language",
        (
            ("html", lambda: _language_tag(html_lang)),
            ("opengraph", lambda: _language_tag(locale())),
            ("meta", lambda: _language_tag(page.meta_value("content-language", "language"))),
            ("json-ld", lambda: _language_tag(jsonld.string(page.ld.get("inLanguage")))),
        ),
    )


def _language_tag(value: str | None) -> str | None:
    """A BCP 47-looking tag ("en", "en-US", "zh-Hant-TW"), or None."""
    if not value:
        return None
    value = value.strip().split(",")[0].strip().replace("_", "-")
    return value if re.fullmatch(r"[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*", value) else None


def _site(page: _Page, sources: dict[str, str]) -> Site:
    name = None
    site_url = None
    og_name = page.meta_value("og:site_name")
    if og_name:
        name, sources["site_name"] = og_name, "opengraph"
    elif page.meta_value("application-name"):
        name, sources["site_name"] = page.meta_value("application-name"), "meta"
    for selector in S.SITE_NAME_SELECTORS:
        for el in page.index.select(selector, live=False):
            text = collapse(el.text_content())
            href = el.get("href") if el.tag == "a" else None
            if text and name is None:
                name, sources["site_name"] = text, "html"
            if href and site_url is None:
                site_url = resolve(page.url, href)
            if name and site_url:
                break
        if name and site_url:
            break
    for obj in page.ld_objects:
        if "website" in jsonld.types(obj):
            if name is None and isinstance(obj.get("name"), str) and collapse(obj["name"]):
                name, sources["site_name"] = obj["name"], "json-ld"
            if site_url is None and isinstance(obj.get("url"), str):
                site_url = resolve(page.url, obj["url"])
    return Site(name=collapse(name) if name else None, url=site_url)


def _canonical(page: _Page, sources: dict[str, str]) -> str:
    def link() -> str | None:
        for el in page.index.by_tag.get("link", ()):
            if (
                "canonical" in (el.get("rel") or "").lower().split()
                and (el.get("href") or "").strip()
            ):
                return resolve(page.base, el.get("href"))
        return None

    def og_url() -> str | None:
        value = page.meta_value("og:url")
        return resolve(page.base, value) if value else None

    def ld_url() -> str | None:
        value = jsonld.string(page.ld.get("url")) or jsonld.string(page.ld.get("mainEntityOfPage"))
        return resolve(page.base, value) if value and value.startswith(("http", "/")) else None

    return _first(
        sources,
        "canonical_url",
        (("html", link), ("opengraph", og_url), ("json-ld", ld_url), ("url", lambda: page.url)),
    )


def extract_metadata(index: DocIndex, url: str, base: str) -> Metadata:
    """Everything but the body, read from the whole (unmodified) document."""
    page = _Page(index, url, base)
    sources: dict[str, str] = {}
    rejected: dict[str, str] = {}
    site = _site(page, sources)
    categories, tags = _taxonomy(page, sources)
    return Metadata(
        title=_title(page, site, sources),
        authors=_authors(page, sources, rejected),
        published=_date(page, sources, "published", rejected),
        modified=_date(page, sources, "modified", rejected),
        categories=categories,
        tags=tags,
        language=_language(page, sources),
        canonical_url=_canonical(page, sources),
        site=site,
        sources=sources,
        rejected=rejected,
    )
