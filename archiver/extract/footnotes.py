"""Footnotes of a post body, each with the id its in-text marker links to. Their text stays in
the body; each note becomes a Reference of kind "footnote".

Three signals, merged in document order:
1. containers by convention: Pandoc and markdown-it ``section.footnotes``, kramdown/Hugo/
   Python-Markdown ``div.footnotes``/``div.footnote``, ``role=doc-endnotes``, WordPress core
   ``ol.wp-block-footnotes``, plugins (Easy Footnotes, Footnotes Made Easy/WP-Footnotes,
   Simple Footnotes, Modern Footnotes), Substack ``div.footnote``;
2. a "Notes"/"Footnotes"/"Endnotes" heading and the lists or paragraphs under it;
3. in-page links that look like note markers ("1", "[2]", "*", role=doc-noteref, inside <sup>)
   whose target comes later in the body: the target's list item (or block) is a note.
"""

from __future__ import annotations

import copy
import re

from lxml import etree

from archiver.items import Reference

from . import selectors as S
from .chrome import drop
from .dom import DocIndex
from .references import heading_key, heading_level, reference_item, section_after
from .text import collapse

_ITEM_ID_RE = re.compile(S.FOOTNOTE_ITEM_ID_RE, re.IGNORECASE)
_BACKLINK_HREF_RE = re.compile(S.FOOTNOTE_BACKLINK_HREF_RE, re.IGNORECASE)
_MARKER_TEXT_RE = re.compile(r"^[\[(]?(?:\d{1,3}|[ivx]{1,5}|[*†‡§¶]{1,3})[\])]?$", re.IGNORECASE)
# Containers whose children (not list items) are the notes: Substack's div.footnote per note.
_NOTE_PER_ELEMENT = frozenset({"footnote"})
_EMPTY_BRACKETS_RE = re.compile(r"\[\s*\]|\(\s*\)")
_BLOCK_ITEM_TAGS = frozenset({"li", "p", "div", "dd", "aside", "section"})


def _in_page_target(href: str | None) -> str | None:
    """The id an in-page link points to ("#fn:1" -> "fn:1"), or None."""
    if not href:
        return None
    href = href.strip()
    if href.startswith("#") and len(href) > 1:
        return href[1:]
    return None


def _markers(root: etree._Element) -> dict[str, etree._Element]:
    """Target id -> marker link, for links in the body that look like footnote markers."""
    found: dict[str, etree._Element] = {}
    for a in root.iter("a"):
        target = _in_page_target(a.get("href"))
        if target is None or target in found:
            continue
        classes = a.get("class") or ""
        text = collapse(a.text_content())
        in_sup = (a.getparent() is not None and a.getparent().tag == "sup") or a.find(
            "sup"
        ) is not None
        if (
            a.get("role") == "doc-noteref"
            or "footnote" in classes
            or a.get("rel") == "footnote"
            or (_MARKER_TEXT_RE.match(text) and (in_sup or text.startswith("[")))
        ):
            found[target] = a
    return found


def _marker_ids(markers: dict[str, etree._Element]) -> set[str]:
    """Ids of the markers themselves and of their wrappers (what back-links point to)."""
    ids = set()
    for a in markers.values():
        for el in (a, a.getparent()):
            if el is not None and el.get("id"):
                ids.add(el.get("id"))
    return ids


def _is_backlink(a: etree._Element, marker_ids: set[str]) -> bool:
    target = _in_page_target(a.get("href"))
    if target is None:
        return False
    if target in marker_ids or _BACKLINK_HREF_RE.match(a.get("href").strip()):
        return True
    if a.get("role") == "doc-backlink" or a.get("rev") == "footnote":
        return True
    if set((a.get("class") or "").split()) & S.FOOTNOTE_BACKLINK_CLASSES:
        return True
    text = collapse(a.text_content())
    return not text.strip(S.BACKLINK_CHARS)


def _note_items(container: etree._Element) -> list[etree._Element]:
    """The notes of a footnote container: its list items, else its note elements, else itself."""
    tag = container.tag
    if tag in ("ol", "ul"):
        return list(container.iterchildren("li"))
    lists = [el for el in container.iter("ol", "ul") if el is not container]
    if lists:
        top = [el for el in lists if not any(a in lists for a in el.iterancestors())]
        return [li for el in top for li in el.iterchildren("li")]
    if set((container.get("class") or "").split()) & _NOTE_PER_ELEMENT:
        return [container]
    paragraphs = [el for el in container if isinstance(el.tag, str) and el.tag in ("p", "div")]
    return paragraphs or [container]


def _heading_notes(root: etree._Element) -> list[etree._Element]:
    notes: list[etree._Element] = []
    for heading in root.iter("h1", "h2", "h3", "h4", "h5", "h6", "p"):
        level = heading_level(heading)
        if level is None or heading_key(heading) not in S.FOOTNOTE_HEADINGS:
            continue
        for el in section_after(heading, level, stop_at_pseudo=True):
            if el.tag in ("ol", "ul"):
                notes.extend(el.iterchildren("li"))
            elif el.tag == "p" or el.tag == "div":
                notes.extend(_note_items(el) if el.tag == "div" else [el])
    return notes


def _target_notes(
    root: etree._Element, markers: dict[str, etree._Element], by_id: dict[str, etree._Element]
) -> list[etree._Element]:
    order = {el: i for i, el in enumerate(root.iter())}
    notes = []
    for target_id, marker in markers.items():
        target = by_id.get(target_id)
        if target is None or order.get(target, -1) <= order.get(marker, -1):
            continue
        if target.tag in ("h1", "h2", "h3", "h4", "h5", "h6", "section", "article"):
            continue  # a table of contents, not a note
        item = target
        while item is not None and item.tag not in _BLOCK_ITEM_TAGS:
            item = item.getparent()
        if item is None or item is root:
            continue
        li = next((a for a in item.iterancestors("li") if root in a.iterancestors()), None)
        notes.append(li if item.tag != "li" and li is not None else item)
    return notes


def _note_id(note: etree._Element, markers: dict[str, etree._Element]) -> str | None:
    """The id a marker links to inside (or on) the note, else the note's own id."""
    own = note.get("id")
    if own and own in markers:
        return own
    for el in note.iter():
        ident = el.get("id") if isinstance(el.tag, str) else None
        if ident and ident in markers:
            return ident
    if own:
        return own
    for el in note.iter("a", "span"):
        if el.get("id") and _ITEM_ID_RE.match(el.get("id")):
            return el.get("id")
    return note.get("data-mfn")


def extract_footnotes(root: etree._Element, base: str, index: DocIndex) -> list[Reference]:
    """Footnotes under ``root``, in document order, each with its id; the body keeps them."""
    markers = _markers(root)
    notes: list[etree._Element] = []
    for container in index.select(S.FOOTNOTE_CONTAINERS, within=root):
        notes.extend(_note_items(container))
    notes.extend(index.select(".modern-footnotes-footnote__note", within=root))
    for li in root.iter("li"):
        if _ITEM_ID_RE.match(li.get("id") or "") and li.getparent() is not None:
            notes.extend(li.getparent().iterchildren("li"))
    notes.extend(_heading_notes(root))
    if markers:
        by_id = {el.get("id"): el for el in root.iter(etree.Element) if el.get("id")}
        notes.extend(_target_notes(root, markers, by_id))
    chosen = list(dict.fromkeys(notes))
    chosen_set = set(chosen)
    # A note inside another note (a paragraph of a list item) is part of it.
    chosen = [n for n in chosen if not any(a in chosen_set for a in n.iterancestors())]
    order = {el: i for i, el in enumerate(root.iter())}
    chosen.sort(key=lambda el: order.get(el, 0))
    marker_ids = _marker_ids(markers)
    refs = []
    for note in chosen:
        ident = _note_id(note, markers)
        clean = copy.deepcopy(note)
        clean.tail = None
        for a in list(clean.iter("a")):
            if _is_backlink(a, marker_ids):
                drop(a)
        item = reference_item([clean], base, "footnote", ident)
        if item is not None:
            # "[↩]" loses its arrow with the back-link: drop the empty brackets left behind.
            item.text = collapse(_EMPTY_BRACKETS_RE.sub("", item.text))
            refs.append(item)
    return refs
