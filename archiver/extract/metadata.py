"""Post metadata: title, authors, dates, taxonomy, language, canonical URL and site."""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urljoin

from lxml import etree

from archiver.items import Site

from . import selectors as S
from .text import collapse

JSON_LD = "//script[@type='application/ld+json']/text()"
ARTICLE_TYPES = frozenset(
    {
        "article",
        "blogposting",
        "newsarticle",
        "techarticle",
        "scholarlyarticle",
        "report",
        "socialmediaposting",
        "posting",
        "liveblogposting",
        "analysisnewsarticle",
    }
)
TITLE_SEPARATORS = (" – ", " — ", " - ", " | ", " · ", " :: ", " » ")
# A byline longer than this is a sentence, not a name.
MAX_AUTHOR_CHARS = 80
_BY_RE = re.compile(r"^\s*(?:posted\s+)?by\s*:?\s+", re.IGNORECASE)
_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}")


@dataclass
class Metadata:
    """What the page says about the post, outside its body."""

    title: str = ""
    authors: list[str] = field(default_factory=list)
    published: str | None = None
    modified: str | None = None
    categories: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    language: str | None = None
    canonical_url: str | None = None
    site: Site = field(default_factory=Site)


def _meta(doc: etree._Element, *names: str) -> str | None:
    """First non-empty <meta property|name|itemprop=...> content among ``names``."""
    for name in names:
        for attr in ("property", "name", "itemprop"):
            for value in doc.xpath(f"//meta[@{attr}=$n]/@content", n=name):
                value = collapse(value)
                if value:
                    return value
    return None


def _dedupe(values: list[str]) -> list[str]:
    seen: set[str] = set()
    out = []
    for value in values:
        value = unicodedata.normalize("NFC", collapse(value))
        if value and value.casefold() not in seen:
            seen.add(value.casefold())
            out.append(value)
    return out


def _json_ld_objects(doc: etree._Element) -> list[dict[str, Any]]:
    objects: list[dict[str, Any]] = []

    def walk(node: Any) -> None:
        if isinstance(node, list):
            for item in node:
                walk(item)
        elif isinstance(node, dict):
            objects.append(node)
            if "@graph" in node:
                walk(node["@graph"])

    for raw in doc.xpath(JSON_LD):
        try:
            walk(json.loads(raw))
        except (ValueError, RecursionError):
            continue
    return objects


def _types(obj: dict[str, Any]) -> set[str]:
    value = obj.get("@type")
    values = value if isinstance(value, list) else [value]
    return {str(v).lower() for v in values if v}


def _names(value: Any) -> list[str]:
    """Names out of a JSON-LD person/organisation value (string, object or list)."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        name = value.get("name")
        return [name] if isinstance(name, str) else []
    if isinstance(value, list):
        return [n for v in value for n in _names(v)]
    return []


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


def page_title(doc: etree._Element) -> str:
    """The in-page post title heading, else <title> (as is): used for "Protected:" detection."""
    for xpath in S.TITLE_HEADINGS:
        for el in doc.xpath(xpath):
            text = collapse(el.text_content())
            if text:
                return text
    return collapse(" ".join(doc.xpath("//title//text()")))


def _scoped(doc: etree._Element, xpath: str) -> list[etree._Element]:
    return [el for el in doc.xpath(xpath) if el.xpath(S.NOT_IN_COMMENTS_OR_SIDEBAR)]


def _authors(doc: etree._Element, ld: dict[str, Any] | None) -> list[str]:
    if ld and ld.get("author"):
        names = _dedupe(_names(ld["author"]))
        if names:
            return names
    for xpath in S.AUTHOR_XPATHS:
        names = []
        matches = _scoped(doc, xpath)
        if matches:
            # Bylines of other articles on the page (replies, teasers) are not this post's.
            home = next(matches[0].iterancestors("article"), None)
            matches = [el for el in matches if next(el.iterancestors("article"), None) is home]
        for el in matches:
            text = _BY_RE.sub("", collapse(el.text_content()))
            if text and len(text) <= MAX_AUTHOR_CHARS:
                names.append(text)
        if names:
            return _dedupe(names)
    meta = _meta(doc, "author", "article:author", "dc.creator", "DC.creator")
    if meta and not meta.startswith("http"):
        return [meta]
    return []


def _date(
    doc: etree._Element, ld_value: Any, metas: tuple[str, ...], xpaths: tuple[str, ...]
) -> str | None:
    candidates = []
    if isinstance(ld_value, str):
        candidates.append(ld_value)
    meta = _meta(doc, *metas)
    if meta:
        candidates.append(meta)
    for xpath in xpaths:
        candidates.extend(str(v) for v in doc.xpath(xpath))
    for value in candidates:
        value = value.strip()
        if _DATE_RE.match(value):
            return value
    return None


def _terms(doc: etree._Element, xpath: str) -> list[str]:
    return _dedupe([el.text_content() for el in _scoped(doc, xpath)])


def _taxonomy(doc: etree._Element, ld: dict[str, Any] | None) -> tuple[list[str], list[str]]:
    """(categories, tags). Block themes mark category links rel="tag" too: decide by container."""
    categories = _terms(doc, S.CATEGORY_LINKS)
    tag_links = [
        el
        for el in _scoped(doc, S.TAG_LINKS)
        if not el.xpath(S.CATEGORY_CONTAINER) and "category" not in (el.get("rel") or "").split()
    ]
    tags = _dedupe([el.text_content() for el in tag_links])
    if not categories:
        section = _meta(doc, "article:section")
        if section:
            categories = [section]
        elif ld and isinstance(ld.get("articleSection"), (str, list)):
            value = ld["articleSection"]
            categories = _dedupe([value] if isinstance(value, str) else [str(v) for v in value])
    if not tags:
        tags = _dedupe(doc.xpath("//meta[@property='article:tag']/@content"))
    return categories, tags


def _language(doc: etree._Element) -> str | None:
    for value in doc.xpath("/html/@lang | /html/@xml:lang"):
        if value.strip():
            return value.strip()
    value = _meta(doc, "og:locale", "content-language", "language")
    if value:
        return value.replace("_", "-")
    for value in doc.xpath(
        "//meta[translate(@http-equiv, 'CONTENT-LANGUAGE', 'content-language')='content-language']/@content"
    ):
        if value.strip():
            return value.strip()
    return None


def _site(doc: etree._Element, url: str, ld_objects: list[dict[str, Any]]) -> Site:
    name = _meta(doc, "og:site_name", "application-name")
    site_url = None
    for xpath in S.SITE_NAME_XPATHS:
        for el in doc.xpath(xpath):
            text = collapse(el.text_content())
            href = el.get("href") if el.tag == "a" else None
            if text and name is None:
                name = text
            if href and site_url is None:
                site_url = urljoin(url, href.strip())
            if name and site_url:
                break
        if name and site_url:
            break
    for obj in ld_objects:
        if "website" in _types(obj):
            if name is None and isinstance(obj.get("name"), str):
                name = obj["name"]
            if site_url is None and isinstance(obj.get("url"), str):
                site_url = urljoin(url, obj["url"])
    return Site(name=collapse(name) if name else None, url=site_url)


def extract_metadata(doc: etree._Element, url: str, base: str) -> Metadata:
    """Everything but the body, read from the whole (unmodified) document."""
    ld_objects = _json_ld_objects(doc)
    ld = next((o for o in ld_objects if _types(o) & ARTICLE_TYPES), None)
    site = _site(doc, url, ld_objects)
    title = None
    for xpath in S.TITLE_HEADINGS:
        for el in _scoped(doc, xpath):
            text = collapse(el.text_content())
            if text:
                title = text
                break
        if title:
            break
    if not title:
        title = _meta(doc, "og:title", "twitter:title")
    if not title and ld and isinstance(ld.get("headline"), str):
        title = collapse(ld["headline"])
    if not title:
        title = _strip_site_suffix(collapse(" ".join(doc.xpath("//title//text()"))), site.name)
    categories, tags = _taxonomy(doc, ld)
    canonical = None
    for href in doc.xpath("//link[@rel='canonical']/@href"):
        if href.strip():
            canonical = urljoin(base, href.strip())
            break
    if canonical is None:
        og_url = _meta(doc, "og:url")
        canonical = urljoin(base, og_url) if og_url else url
    return Metadata(
        title=unicodedata.normalize("NFC", title or ""),
        authors=_authors(doc, ld),
        published=_date(
            doc,
            ld.get("datePublished") if ld else None,
            ("article:published_time", "datePublished", "date", "dc.date", "DC.date.issued"),
            S.PUBLISHED_XPATHS,
        ),
        modified=_date(
            doc,
            ld.get("dateModified") if ld else None,
            ("article:modified_time", "dateModified", "og:updated_time"),
            S.MODIFIED_XPATHS,
        ),
        categories=categories,
        tags=tags,
        language=_language(doc),
        canonical_url=canonical,
        site=site,
    )
