"""Decode page bytes and parse them once into an lxml tree."""

from __future__ import annotations

import codecs
import re

import lxml.html
from bs4 import UnicodeDammit
from lxml import etree

from .errors import ExtractionError

# Pages beyond this many characters are truncated before parsing: real posts are far smaller,
# and a runaway response must not stall the crawl (lxml is linear, but memory is not free).
MAX_PARSE_CHARS = 10_000_000
# How far into the bytes to look for <meta charset>: the HTML spec's prescan window.
META_PRESCAN_BYTES = 4096

_BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_META_CHARSET_RE = re.compile(
    rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE
)
_XML_DECL_RE = re.compile(r"^\s*<\?xml[^>]*\?>", re.IGNORECASE)
# Labels browsers treat as windows-1252 (WHATWG Encoding Standard).
_WINDOWS_1252_ALIASES = frozenset(
    {"iso-8859-1", "iso8859-1", "latin1", "latin-1", "ascii", "us-ascii"}
)
# Control characters XML (hence lxml's API) cannot hold; form feed included.
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_CONTROL_BYTES = bytes([*range(0x09), 0x0B, 0x0C, *range(0x0E, 0x20)])


def _codec(label: str | None) -> str | None:
    """A Python codec name for an encoding label, or None when the label is unknown."""
    if not label:
        return None
    label = label.strip().strip("\"'").lower()
    if label in _WINDOWS_1252_ALIASES:
        return "cp1252"
    try:
        return codecs.lookup(label).name
    except LookupError:
        return None


def _mostly_utf8(data: bytes) -> bool:
    """UTF-8 with a few broken bytes: it decodes to many more valid non-ASCII characters than
    broken ones. Text in a legacy single-byte charset has almost no valid UTF-8 sequence (an
    accented letter there is one byte followed by ASCII), so the two are easy to tell apart.

    >>> _mostly_utf8("Café – naïve".encode() + b"\\xff"), _mostly_utf8("Café – naïve".encode("cp1252"))
    (True, False)
    """
    text = data.decode("utf-8", "replace")
    bad = text.count("\ufffd")
    valid = len(text) - len(text.encode("ascii", "ignore").decode("ascii")) - bad
    return valid > 0 and valid >= UTF8_MIN_VALID_PER_BAD * bad


# A page counts as UTF-8 with a few broken bytes when it has at least this many valid non-ASCII
# characters per broken sequence (a cp1252 or cp1251 page decoded as UTF-8 has about none).
UTF8_MIN_VALID_PER_BAD = 2


def decode_html(data: bytes, encoding: str | None = None) -> str:
    """Bytes -> text. Order: BOM; valid UTF-8 (a server's "ISO-8859-1" default is often wrong);
    the transport hint and <meta charset>; UTF-8 with a few broken bytes; then sniffing."""
    for bom, name in _BOMS:
        if data.startswith(bom):
            return data[len(bom) :].decode(name, "replace")
    if not data.isascii():
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError:
            pass
    declared = [_codec(encoding)]
    match = _META_CHARSET_RE.search(data[:META_PRESCAN_BYTES])
    if match:
        declared.append(_codec(match.group(1).decode("ascii", "replace")))
    if "utf-8" in declared and _mostly_utf8(data):
        return data.decode("utf-8", "replace")
    for name in declared:
        if name is None or name == "utf-8" or name.startswith(("utf-16", "utf-32")):
            # A <meta> cannot truthfully declare UTF-16 in an ASCII-compatible byte stream.
            continue
        try:
            return data.decode(name)
        except UnicodeDecodeError:
            continue
    if _mostly_utf8(data):
        return data.decode("utf-8", "replace")
    dammit = UnicodeDammit(data, is_html=True)
    if dammit.unicode_markup is None:
        return data.decode("cp1252", "replace")
    return dammit.unicode_markup


def parse_html(html: str | bytes, encoding: str | None = None) -> lxml.html.HtmlElement:
    """Parse a page (text or bytes) into an lxml HTML document; raise ExtractionError if impossible."""
    text = decode_html(html, encoding) if isinstance(html, bytes) else html
    # Deleting bytes is ~5x faster than a regex scan of the text: skip the scan when clean.
    clean = isinstance(html, bytes) and len(html.translate(None, _CONTROL_BYTES)) == len(html)
    text = _XML_DECL_RE.sub("", text[:MAX_PARSE_CHARS], count=1)
    if not clean:
        text = _CONTROL_RE.sub("", text)
    if not text or text.isspace():
        raise ExtractionError("empty document")
    parser = lxml.html.HTMLParser(remove_comments=True, remove_pis=True, default_doctype=False)
    try:
        root = lxml.html.document_fromstring(text, parser=parser)
    except (etree.ParserError, ValueError) as exc:
        raise ExtractionError(f"cannot parse document: {exc}") from exc
    if root is None:
        raise ExtractionError("cannot parse document")
    return root
