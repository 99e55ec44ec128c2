"""Microformats2 h-entry properties of a post page: name, published, updated, author, category.

A small reading of the mf2 parsing rules, enough for blog posts: the page's first outermost
``h-entry``; properties are its descendants with ``p-``/``dt-``/``u-`` classes that are not
inside a nested microformat (except the property element itself, e.g. ``p-author h-card``).
"""

from __future__ import annotations

from lxml import etree

from .dom import DocIndex
from .text import collapse

PROPERTIES = ("p-name", "dt-published", "dt-updated", "p-author", "p-category", "u-url")


def _is_root(el: etree._Element) -> bool:
    return any(c.startswith("h-") for c in (el.get("class") or "").split())


def _owned(el: etree._Element, entry: etree._Element) -> bool:
    """Whether ``el`` belongs to ``entry`` and not to a microformat nested inside it."""
    for ancestor in el.iterancestors():
        if ancestor is entry:
            return True
        if _is_root(ancestor):
            return False
    return False


def _value_class(el: etree._Element, attrs: tuple[str, ...]) -> str | None:
    parts = []
    for value in el.iter():
        if not isinstance(value.tag, str) or "value" not in (value.get("class") or "").split():
            continue
        for attr in attrs:
            if value.get(attr):
                parts.append(value.get(attr))
                break
        else:
            parts.append(collapse(value.text_content()))
    return "".join(parts) if parts else None


def _text_value(el: etree._Element) -> str:
    if el.tag == "abbr" and el.get("title"):
        return collapse(el.get("title"))
    if el.tag == "data" and el.get("value"):
        return collapse(el.get("value"))
    if el.tag in ("img", "area") and el.get("alt"):
        return collapse(el.get("alt"))
    return _value_class(el, ("title", "value")) or collapse(el.text_content())


def _date_value(el: etree._Element) -> str:
    for attr in ("datetime", "title", "value", "content"):
        if el.get(attr) and el.tag in ("time", "ins", "del", "abbr", "data", "input", "meta"):
            return el.get(attr).strip()
    return _value_class(el, ("datetime", "title", "value")) or collapse(el.text_content())


def _author_value(el: etree._Element) -> str:
    if "h-card" in (el.get("class") or "").split():
        for child in el.iter():
            if child is not el and "p-name" in (child.get("class") or "").split():
                return _text_value(child)
    return _text_value(el)


def h_entry(index: DocIndex) -> dict[str, list[str]]:
    """Property name -> values of the page's h-entry (empty when the page has none)."""
    entries = index.select(".h-entry", live=False)
    entry = next((e for e in entries if not any(_is_root(a) for a in e.iterancestors())), None)
    if entry is None:
        return {}
    props: dict[str, list[str]] = {}
    for el in entry.iter():
        if el is entry or not isinstance(el.tag, str) or not el.get("class"):
            continue
        classes = el.get("class").split()
        wanted = [c for c in classes if c in PROPERTIES]
        if not wanted or not _owned(el, entry):
            continue
        for prop in wanted:
            if prop.startswith("dt-"):
                value = _date_value(el)
            elif prop == "p-author":
                value = _author_value(el)
            elif prop == "u-url":
                value = (el.get("href") or el.get("src") or "").strip()
            else:
                value = _text_value(el)
            if value:
                props.setdefault(prop, []).append(value)
    return props
