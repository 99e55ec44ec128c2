"""Body HTML: image sources made real, links made absolute, scripts and handlers gone.

One pass over the content root, in place (no copy: the changes never touch the text), then one
serialisation. Relative links resolve against ``<base href>`` when the page has one, else
against the page URL, never against the host root.
"""

from __future__ import annotations

import re
from urllib.parse import urljoin

import lxml.html
from lxml import etree

from .chrome import drop

# Tracking pixels: images this small (either side, in px) are never content.
TRACKING_PIXEL_MAX_PX = 1
LAZY_SRC_ATTRS = ("data-src", "data-lazy-src", "data-original", "data-orig-file", "data-url")
LAZY_SRCSET_ATTRS = ("srcset", "data-srcset", "data-lazy-srcset")
# Removed with their content: executable, styling, form and embedding elements.
KILL_TAGS = frozenset(
    {
        "script",
        "style",
        "link",
        "meta",
        "form",
        "button",
        "input",
        "select",
        "textarea",
        "object",
        "embed",
        "applet",
        "noscript",
        "template",
        "base",
        "title",
        "head",
    }
)
# Removed but their content kept.
UNWRAP_TAGS = frozenset({"blink", "marquee", "font"})
# Attributes holding one URL (resolved) and one list of URLs (srcset).
URL_ATTRS = ("href", "src", "poster", "cite", "longdesc", "background", "action", "formaction")
_UNSAFE_URL_RE = re.compile(r"^\s*(?:javascript|vbscript|data\s*:\s*text/html)", re.IGNORECASE)


def base_url(doc: etree._Element, url: str) -> str:
    """What relative links resolve against: <base href> (itself resolved), else the page URL."""
    for base in doc.iter("base"):
        href = (base.get("href") or "").strip()
        if href:
            return urljoin(url, href)
    return url


def best_image_src(img: etree._Element) -> str | None:
    """An image's real URL: src unless it is a placeholder, then lazy attributes, then srcset."""
    src = (img.get("src") or "").strip()
    if src and not src.startswith("data:"):
        return src
    for attr in LAZY_SRC_ATTRS:
        value = (img.get(attr) or "").strip()
        if value and not value.startswith("data:"):
            return value
    for attr in LAZY_SRCSET_ATTRS:
        srcset = img.get(attr)
        if srcset:
            return largest_in_srcset(srcset)
    return None


def largest_in_srcset(srcset: str) -> str | None:
    """The candidate of a srcset with the largest width/density descriptor.

    >>> largest_in_srcset("a.jpg 300w, b.jpg 1024w, c.jpg 768w")
    'b.jpg'
    """
    best, best_size = None, -1.0
    for candidate in srcset.split(","):
        parts = candidate.strip().split()
        if not parts:
            continue
        size = 1.0
        if len(parts) > 1:
            try:
                size = float(parts[1].rstrip("wx"))
            except ValueError:
                size = 1.0
        if size > best_size:
            best, best_size = parts[0], size
    return best


def is_tracking_pixel(img: etree._Element) -> bool:
    """A 1x1 (or 0x0) image: a web beacon, not content."""
    for attr in ("width", "height"):
        value = (img.get(attr) or "").strip().rstrip("px")
        if value.isdigit() and int(value) <= TRACKING_PIXEL_MAX_PX:
            return True
    return False


def resolve(base: str, href: str) -> str:
    """``href`` made absolute against ``base``; left as written when it cannot be parsed.

    Absolute http(s) URLs are returned as written (stripped): ``urljoin`` would only re-assemble
    them, at a cost of ~10 us each on pages with hundreds of links.

    >>> resolve("https://x.org/a/b/", "../c?d#e")
    'https://x.org/a/c?d#e'
    """
    href = href.strip()
    if href.startswith(("https://", "http://")):
        return href
    try:
        return urljoin(base, href)
    except ValueError:
        return href


def _resolve_srcset(base: str, srcset: str) -> str:
    out = []
    for candidate in srcset.split(","):
        parts = candidate.strip().split()
        if parts:
            out.append(" ".join([resolve(base, parts[0]), *parts[1:]]))
    return ", ".join(out)


def prepare_images(root: etree._Element) -> None:
    """Drop tracking pixels and give lazy-loaded images their real ``src``."""
    for img in list(root.iter("img")):
        if is_tracking_pixel(img):
            drop(img)
            continue
        src = best_image_src(img)
        if src and src != img.get("src"):
            img.set("src", src)


def clean_in_place(root: etree._Element, base: str) -> None:
    """Remove scripts, styles, forms, handlers and inline styles; make every link absolute."""
    doomed = []
    unwrap = []
    for el in root.iter():
        tag = el.tag
        if not isinstance(tag, str):
            doomed.append(el)  # comments, processing instructions
            continue
        if tag in KILL_TAGS:
            doomed.append(el)
            continue
        if tag in UNWRAP_TAGS:
            unwrap.append(el)
        attrib = el.attrib
        if not attrib:
            continue
        for name in list(attrib):
            if name.startswith("on") or name == "style":
                del attrib[name]
        for name in URL_ATTRS:
            value = attrib.get(name)
            if value is None:
                continue
            if _UNSAFE_URL_RE.match(value):
                del attrib[name]
            else:
                _set(attrib, name, resolve(base, value))
        srcset = attrib.get("srcset")
        if srcset:
            _set(attrib, "srcset", _resolve_srcset(base, srcset))
    for el in doomed:
        if el is not root:
            drop(el)
    for el in unwrap:
        if el is not root and el.getparent() is not None:
            el.drop_tag() if isinstance(el, lxml.html.HtmlElement) else drop(el)


def _set(attrib: etree._Attrib, name: str, value: str) -> None:
    """Set an attribute; drop it when the value cannot be stored (control characters)."""
    try:
        attrib[name] = value
    except ValueError:
        del attrib[name]


def body_html(root: etree._Element, base: str) -> str:
    """Cleaned HTML of the content root (cleaned in place): see the module docstring."""
    prepare_images(root)
    clean_in_place(root, base)
    return lxml.html.tostring(root, encoding="unicode", method="html", with_tail=False).strip()
