"""The references section (bibliography) of a post body: entries with URLs, DOI and id.

A section is introduced by a heading-like element whose whole text is References, Sources,
Bibliography, Works Cited, Further reading, ... (``selectors.REFERENCE_HEADINGS``), or marked up
as one (Pandoc/citeproc ``div.csl-entry``, ``#refs``, ``ol.references``, ``role=doc-bibliography``).
The section leaves the body (text and HTML).
"""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import unquote, urlsplit

from lxml import etree

from archiver.items import Reference

from . import selectors as S
from .chrome import drop
from .cleaning import resolve
from .dom import DocIndex
from .text import collapse

_HEADING_TAGS = ("h1", "h2", "h3", "h4", "h5", "h6")
# Level given to a heading-like <p><strong>...</strong></p>: any real <hN> ends its section.
PARAGRAPH_HEADING_LEVEL = 7
# A DOI: "10." registrant "/" suffix (Crossref's recommended pattern, suffix up to whitespace).
_DOI_RE = re.compile(r"\b(10\.\d{4,9}(?:\.\d+)*/[^\s\"<>]+)", re.IGNORECASE)
_DOI_URL_RE = re.compile(r"^https?://(?:dx\.)?doi\.org/|^doi:\s*|^info:doi/", re.IGNORECASE)
_TRAILING_PUNCT = ".,;:'\"]>"


def _tag(el: etree._Element) -> str:
    return el.tag.lower() if isinstance(el.tag, str) else ""


def heading_level(el: etree._Element) -> int | None:
    """1-6 for <hN>, 7 for a paragraph that is only one <strong>/<b>, else None."""
    tag = _tag(el)
    if tag in _HEADING_TAGS:
        return int(tag[1])
    if tag == "p" and not (el.text or "").strip() and len(el) == 1:
        child = el[0]
        if _tag(child) in ("strong", "b") and not (child.tail or "").strip():
            return PARAGRAPH_HEADING_LEVEL
    return None


def heading_key(el: etree._Element) -> str:
    """A heading's whole text, stripped, trailing ':' removed, case-folded."""
    return collapse(el.text_content()).rstrip(":").strip().casefold()


def section_after(
    heading: etree._Element, level: int, stop_at_pseudo: bool
) -> list[etree._Element]:
    """Following siblings of ``heading`` up to the next heading of the same or higher rank."""
    section = []
    for sibling in heading.itersiblings():
        if not isinstance(sibling.tag, str):
            continue
        sib_level = heading_level(sibling)
        if sib_level is not None:
            if sib_level <= min(level, 6):
                break
            if stop_at_pseudo and sib_level == PARAGRAPH_HEADING_LEVEL:
                break
        section.append(sibling)
    return section


def normalise_doi(value: str) -> str | None:
    """A DOI out of a DOI URL, "doi:" string or text: lower-case, unescaped, no resolver prefix.

    >>> normalise_doi("https://doi.org/10.1000/XYZ123.")
    '10.1000/xyz123'
    >>> normalise_doi("doi:10.1002/%28SICI%291097-4636")
    '10.1002/(sici)1097-4636'
    >>> normalise_doi("https://example.org/") is None
    True
    """
    value = unquote(_DOI_URL_RE.sub("", value.strip()))
    match = _DOI_RE.search(value)
    if not match:
        return None
    doi = match.group(1).rstrip(_TRAILING_PUNCT)
    # A closing parenthesis belongs to the DOI only when it closes one of the DOI's own.
    while doi.endswith(")") and doi.count(")") > doi.count("("):
        doi = doi[:-1].rstrip(_TRAILING_PUNCT)
    return doi.lower()


def entry_doi(urls: list[str], text: str) -> str | None:
    """The DOI of a reference entry: from a doi.org link first, then from its text."""
    for url in urls:
        host = urlsplit(url).hostname or ""
        if host.endswith("doi.org") or url.lower().startswith("doi:"):
            doi = normalise_doi(url)
            if doi:
                return doi
    return normalise_doi(text) if "10." in text else None


def reference_item(
    parts: list[etree._Element | str], base: str, kind: str, ident: str | None
) -> Reference | None:
    """One entry from its parts (elements and text): text, every link resolved, DOI."""
    texts: list[str] = []
    urls: list[str] = []
    for part in parts:
        if isinstance(part, str):
            texts.append(part)
            continue
        if _tag(part) == "a" and part.get("href"):
            urls.append(resolve_href(part.get("href"), base))
        urls.extend(
            resolve_href(a.get("href"), base) for a in part.iterdescendants("a") if a.get("href")
        )
        texts.append(part.text_content())
    text = unicodedata.normalize("NFC", collapse("".join(texts)))
    if not text:
        return None
    return Reference(
        text=text,
        url=urls[0] if urls else None,
        urls=urls,
        kind=kind,
        id=ident,
        doi=entry_doi(urls, text),
    )


def resolve_href(href: str, base: str) -> str:
    """An href exactly as written (entity-decoded), resolved only when it is relative."""
    href = href.strip()
    if urlsplit(href).scheme:
        return href
    return resolve(base, href)


def _paragraph_items(p: etree._Element, base: str, kind: str) -> list[Reference]:
    """One item per <br>-separated line of a paragraph."""
    lines: list[list[etree._Element | str]] = [[]]
    if p.text:
        lines[-1].append(p.text)
    for child in p:
        if _tag(child) == "br":
            lines.append([])
        elif isinstance(child.tag, str):
            lines[-1].append(child)
        if child.tail:
            lines[-1].append(child.tail)
    items = [reference_item(line, base, kind, None) for line in lines]
    return [i for i in items if i is not None]


def element_items(el: etree._Element, base: str) -> list[Reference]:
    """The entries of one section element: list items, paragraph lines, or the whole element."""
    tag = _tag(el)
    kind = "bibliography"
    if tag in ("ul", "ol"):
        out = []
        for li in el.iterchildren("li"):
            item = reference_item([li], base, kind, li.get("id"))
            if item:
                out.append(item)
        return out
    if tag == "p":
        return _paragraph_items(el, base, kind)
    if tag == "li":
        item = reference_item([el], base, kind, el.get("id"))
        return [item] if item else []
    entries = [e for e in el.iter() if isinstance(e.tag, str) and "csl-entry" in _classes(e)]
    if entries:
        items = [reference_item([e], base, kind, e.get("id")) for e in entries]
        return [i for i in items if i]
    nested = el.xpath(".//ul | .//ol | .//p | .//li")
    if nested:
        top = [n for n in nested if not any(a in nested for a in n.iterancestors())]
        return [i for n in top for i in element_items(n, base)]
    item = reference_item([el], base, kind, el.get("id"))
    return [item] if item else []


def _classes(el: etree._Element) -> list[str]:
    return (el.get("class") or "").split()


def extract_references(root: etree._Element, base: str, index: DocIndex) -> list[Reference]:
    """Bibliography entries under a References/Sources/... heading or in a marked-up bibliography;
    the section leaves ``root``."""
    refs: list[Reference] = []
    for heading in list(root.iter(*_HEADING_TAGS, "p")):
        if heading.getparent() is None:
            continue  # already removed with an earlier section
        level = heading_level(heading)
        if level is None or heading_key(heading) not in S.REFERENCE_HEADINGS:
            continue
        section = section_after(heading, level, stop_at_pseudo=False)
        for el in section:
            refs.extend(element_items(el, base))
        for el in (heading, *section):
            drop(el)
    blocks = index.select(S.REFERENCE_BLOCKS, within=root)
    entries = index.select(S.REFERENCE_ENTRY, within=root)
    blocks += [e.getparent() for e in entries if e.getparent() is not None]
    for block in _outermost(blocks):
        if block is root or not _is_attached_below(block, root):
            continue
        refs.extend(element_items(block, base))
        drop(block)
    return refs


def _outermost(elements: list[etree._Element]) -> list[etree._Element]:
    unique = list(dict.fromkeys(elements))
    chosen = set(unique)
    return [el for el in unique if not any(a in chosen for a in el.iterancestors())]


def _is_attached_below(el: etree._Element, root: etree._Element) -> bool:
    return any(a is root for a in el.iterancestors())
