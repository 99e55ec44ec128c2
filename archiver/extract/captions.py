"""Image captions (figcaption, WordPress .wp-caption-text, Blogger .tr-caption) and credits."""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import urljoin

from lxml import etree

from archiver.items import Caption

from . import selectors as S
from .body import best_image_src
from .chrome import drop
from .text import collapse

_LABEL = r"(?:photo(?:graph)?s?|sources?|credits?|images?|pictures?|courtesy|illustration)"
# "(Source: NASA)" / "[Photo: J. Doe]" at the very end.
_PAREN_CREDIT_RE = re.compile(
    rf"[(\[]\s*({_LABEL}\b(?:\s+by)?\s*[:\-–—]?\s*[^()\[\]]+?)\s*[)\]]\s*\.?$", re.I
)
# "... . Photo: J. Doe" / "Credit: AP" as the last sentence (or the whole caption).
_LABEL_CREDIT_RE = re.compile(rf"(?:^|[.;|–—]\s+|\s)({_LABEL}(?:\s+by)?\s*:\s*[^:]+?)\s*\.?$", re.I)
_VIA_RE = re.compile(r"(?:^|\s)(via\s+[^.;:]+?|©\s*.+?|\(c\)\s+.+?)\s*\.?$", re.I)


def caption_credit(text: str, element: etree._Element | None = None) -> str | None:
    """The credit part of a caption text, or None: labelled, "via ...", "©...", or a trailing link."""
    for regex in (_PAREN_CREDIT_RE, _LABEL_CREDIT_RE, _VIA_RE):
        match = regex.search(text)
        if match:
            return match.group(1).strip()
    if element is not None:
        links = element.xpath(".//a[normalize-space(.)]")
        if links:
            last = links[-1]
            link_text = collapse(last.text_content())
            if text.rstrip(" .)]").endswith(link_text) and link_text != text:
                return link_text
    return None


def _caption_image(caption: etree._Element) -> etree._Element | None:
    containers = caption.xpath(S.CAPTION_CONTAINER)
    if not containers:
        return None
    container = containers[0]
    for img in container.iter("img"):
        # The image must belong to this container, not to a nested figure (gallery items).
        owner = img.xpath(S.CAPTION_CONTAINER)
        if owner and owner[0] is container:
            return img
    return None


def extract_captions(root: etree._Element, base: str) -> list[Caption]:
    """Every caption under ``root``, in document order."""
    captions = []
    seen: list[etree._Element] = []
    for el in root.xpath("." + S.CAPTIONS.replace(" | //", " | .//")):
        if any(a in seen for a in el.iterancestors()):
            continue
        seen.append(el)
        text = unicodedata.normalize("NFC", collapse(el.text_content()))
        if not text:
            continue
        img = _caption_image(el)
        src = best_image_src(img) if img is not None else None
        alt = img.get("alt") if img is not None else None
        captions.append(
            Caption(
                text=text,
                credit=caption_credit(text, el),
                image_url=urljoin(base, src) if src else None,
                alt=collapse(alt) if alt else None,
            )
        )
    return captions


def remove_captions(root: etree._Element) -> None:
    """Take caption elements out of ``root`` (their text must not reach the body text)."""
    for el in root.xpath("." + S.CAPTIONS.replace(" | //", " | .//")):
        if el.getparent() is not None:
            drop(el)
