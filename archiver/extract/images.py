"""Images of the post body."""

from __future__ import annotations

from lxml import etree

from archiver.items import Image

from .cleaning import best_image_src, is_tracking_pixel, resolve
from .text import collapse


def extract_images(root: etree._Element, base: str) -> list[Image]:
    """Every content image under ``root`` (absolute URL, alt), in order, without duplicates."""
    images = []
    seen: set[str] = set()
    for img in root.iter("img"):
        if is_tracking_pixel(img):
            continue
        src = best_image_src(img)
        if not src:
            continue
        absolute = resolve(base, src)
        if absolute in seen:
            continue
        seen.add(absolute)
        alt = img.get("alt")
        images.append(Image(url=absolute, alt=collapse(alt) if alt and alt.strip() else None))
    return images
