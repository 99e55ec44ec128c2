"""Image captions (figcaption, WordPress .wp-caption-text, Blogger .tr-caption) and credits."""

from __future__ import annotations

import re
import unicodedata

import lxml.html
from lxml import etree

from archiver.items import Caption

from . import selectors as S
from .cleaning import best_image_src, resolve
from .dom import DocIndex, closest, matches
from .text import MARK_ATTR, MARK_TAG, collapse

_LABEL = r"(?:photo(?:graph)?s?|sources?|credits?|images?|pictures?|courtesy|illustration)"
# "(Source: NASA)" / "[Photo: J. Doe]" at the very end.
_PAREN_CREDIT_RE = re.compile(
    rf"[(\[]\s*({_LABEL}\b(?:\s+by)?\s*[:\-–—]?\s*[^()\[\]]+?)\s*[)\]]\s*\.?$", re.I
)
# "... . Photo: J. Doe" / "Credit: AP" as the last sentence (or the whole caption).
_LABEL_CREDIT_RE = re.compile(rf"(?:^|[.;|–—]\s+|\s)({_LABEL}(?:\s+by)?\s*:\s*[^:]+?)\s*\.?$", re.I)
_VIA_RE = re.compile(r"(?:^|\s)(via\s+[^.;:]+?|©\s*.+?|\(c\)\s+.+?)\s*\.?$", re.I)
# Credit markup: an element of its own inside the caption (WordPress plugins, Ghost, news themes).
CREDIT_ELEMENTS = (
    ".credit, .image-credit, .photo-credit, .caption-credit, .wp-caption-credit, .attribution"
)


def caption_credit(text: str, element: etree._Element | None = None) -> str | None:
    """The credit part of a caption text, or None: labelled, "via ...", "©...", a credit element,
    or a trailing link.

    >>> caption_credit("The Moon at first quarter (Source: NASA)")
    'Source: NASA'
    >>> caption_credit("Just a tray of buns.") is None
    True
    """
    for regex in (_PAREN_CREDIT_RE, _LABEL_CREDIT_RE, _VIA_RE):
        match = regex.search(text)
        if match:
            return match.group(1).strip()
    if element is None:
        return None
    for el in element.iter():
        if el is not element and isinstance(el.tag, str) and _is_credit_element(el):
            credit = collapse(el.text_content())
            if credit and credit != text:
                return credit
    links = [a for a in element.iter("a") if collapse(a.text_content())]
    if links:
        link_text = collapse(links[-1].text_content())
        if text.rstrip(" .)]").endswith(link_text) and link_text != text:
            return link_text
    return None


def _is_credit_element(el: etree._Element) -> bool:
    return matches(el, CREDIT_ELEMENTS)


def _caption_image(caption: etree._Element) -> etree._Element | None:
    parent = caption.getparent()
    container = closest(parent, S.CAPTION_CONTAINER) if parent is not None else None
    if container is None:
        return None
    for img in container.iter("img"):
        # The image must belong to this container, not to a nested figure (gallery items).
        if closest(img, S.CAPTION_CONTAINER) is container:
            return img
    return None


def caption_elements(index: DocIndex, root: etree._Element) -> list[etree._Element]:
    """Caption elements under ``root``, outermost only, in document order."""
    found = index.select(S.CAPTIONS, within=root)
    chosen = set(found)
    return [el for el in found if not any(a in chosen for a in el.iterancestors())]


def extract_captions(elements: list[etree._Element], base: str) -> list[tuple[int, Caption]]:
    """(element number, Caption) for every caption element with text; ``position`` is left to
    the caller, who knows the body text."""
    captions = []
    for number, el in enumerate(elements):
        text = unicodedata.normalize("NFC", collapse(el.text_content()))
        if not text:
            continue
        img = _caption_image(el)
        src = best_image_src(img) if img is not None else None
        alt = img.get("alt") if img is not None else None
        captions.append(
            (
                number,
                Caption(
                    text=text,
                    credit=caption_credit(text, el),
                    image_url=resolve(base, src) if src else None,
                    alt=collapse(alt) if alt else None,
                ),
            )
        )
    return captions


def mark_captions(elements: list[etree._Element]) -> None:
    """Replace caption element number i by an empty mark "i" (text offsets are read at marks)."""
    for number, el in enumerate(elements):
        parent = el.getparent()
        if parent is None:
            continue
        mark = lxml.html.Element(MARK_TAG)
        mark.set(MARK_ATTR, str(number))
        mark.tail = el.tail
        parent.replace(el, mark)
