"""The references section (bibliography) and footnote lists of a post body."""

from __future__ import annotations

import copy
import unicodedata
from urllib.parse import urljoin, urlsplit

from lxml import etree

from archiver.items import Reference

from . import selectors as S
from .chrome import drop
from .text import collapse

_HEADING_TAGS = ("h1", "h2", "h3", "h4", "h5", "h6")
# Level given to a heading-like <p><strong>...</strong></p>: any real <hN> ends its section.
PARAGRAPH_HEADING_LEVEL = 7
_LIST_TAGS = ("ul", "ol", "dl")


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


def _section(heading: etree._Element, level: int, stop_at_pseudo: bool) -> list[etree._Element]:
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


def _resolve(href: str, base: str) -> str:
    """An href exactly as written (entity-decoded), resolved only when it is relative."""
    href = href.strip()
    if urlsplit(href).scheme:
        return href
    return urljoin(base, href)


def _item(
    parts: list[etree._Element | str], base: str, kind: str, ident: str | None
) -> Reference | None:
    texts: list[str] = []
    urls: list[str] = []
    for part in parts:
        if isinstance(part, str):
            texts.append(part)
            continue
        if _tag(part) == "a" and part.get("href"):
            urls.append(_resolve(part.get("href"), base))
        urls.extend(
            _resolve(a.get("href"), base) for a in part.iterdescendants("a") if a.get("href")
        )
        texts.append(part.text_content())
    text = unicodedata.normalize("NFC", collapse("".join(texts)))
    if not text:
        return None
    return Reference(text=text, url=urls[0] if urls else None, urls=urls, kind=kind, id=ident)


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
    items = [_item(line, base, kind, None) for line in lines]
    return [i for i in items if i is not None]


def _strip_backlinks(el: etree._Element) -> etree._Element:
    for link in el.xpath(".//" + S.FOOTNOTE_BACKLINK):
        drop(link)
    return el


def _element_items(el: etree._Element, base: str, kind: str) -> list[Reference]:
    """The entries of one section element: list items, paragraph lines, or the whole element."""
    tag = _tag(el)
    if kind == "footnote":
        el = _strip_backlinks(copy.deepcopy(el))
    if tag in ("ul", "ol"):
        out = []
        for li in el.iterchildren("li"):
            item = _item([li], base, kind, li.get("id") if kind == "footnote" else None)
            if item:
                out.append(item)
        return out
    if tag == "p":
        return _paragraph_items(el, base, kind)
    if tag == "li":
        item = _item([el], base, kind, el.get("id") if kind == "footnote" else None)
        return [item] if item else []
    nested = el.xpath(".//ul | .//ol | .//p | .//li")
    if nested:
        top = [n for n in nested if not any(a in nested for a in n.iterancestors())]
        return [i for n in top for i in _element_items(n, base, kind)]
    item = _item([el], base, kind, None)
    return [item] if item else []


def extract_references(root: etree._Element, base: str) -> list[Reference]:
    """Bibliography entries under a References/Sources/... heading; the section leaves ``root``."""
    refs: list[Reference] = []
    for heading in list(root.iter("h1", "h2", "h3", "h4", "h5", "h6", "p")):
        if heading.getparent() is None:
            continue  # already removed with an earlier section
        level = heading_level(heading)
        if level is None or heading_key(heading) not in S.REFERENCE_HEADINGS:
            continue
        section = _section(heading, level, stop_at_pseudo=False)
        for el in section:
            refs.extend(_element_items(el, base, "bibliography"))
        for el in (heading, *section):
            drop(el)
    for block in root.xpath("." + S.REFERENCE_BLOCKS.replace(" | //", " | .//")):
        if block.getparent() is None or block is root:
            continue
        refs.extend(_element_items(block, base, "bibliography"))
        drop(block)
    return refs


def extract_footnotes(root: etree._Element, base: str) -> list[Reference]:
    """Footnotes (a Notes section or footnote list); their text stays in the body."""
    blocks: list[etree._Element] = []
    for heading in root.iter("h1", "h2", "h3", "h4", "h5", "h6", "p"):
        level = heading_level(heading)
        if level is not None and heading_key(heading) in S.FOOTNOTE_HEADINGS:
            blocks.extend(_section(heading, level, stop_at_pseudo=True))
    for el in root.xpath("." + S.FOOTNOTE_LISTS.replace(" | //", " | .//")):
        if el is not root:
            blocks.append(el)
    unique: list[etree._Element] = []
    for el in blocks:
        if el in unique or any(a in blocks for a in el.iterancestors()):
            continue
        unique.append(el)
    order = {el: i for i, el in enumerate(root.iter())}
    unique.sort(key=lambda el: order.get(el, 0))
    return [ref for el in unique for ref in _element_items(el, base, "footnote")]
