"""Plain text of an element by the body-text rules: one block per block element, "\\n\\n" between."""

from __future__ import annotations

import re
import unicodedata

from lxml import etree

# Elements that start a new block of text (everything else is inline and adds no whitespace).
BLOCK_TAGS = frozenset(
    {
        "address",
        "article",
        "aside",
        "blockquote",
        "body",
        "caption",
        "center",
        "cite",
        "dd",
        "details",
        "dialog",
        "dir",
        "div",
        "dl",
        "dt",
        "fieldset",
        "figcaption",
        "figure",
        "footer",
        "form",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "header",
        "hgroup",
        "hr",
        "html",
        "li",
        "main",
        "menu",
        "nav",
        "ol",
        "p",
        "pre",
        "section",
        "summary",
        "table",
        "tbody",
        "tfoot",
        "thead",
        "tr",
        "ul",
        "legend",
        "listing",
        "xmp",
        "plaintext",
        "option",
        "video",
        "audio",
        "picture",
        "iframe",
        "canvas",
        "noscript",
        "td",
        "th",
    }
)
# Elements whose content is never text.
SKIP_TAGS = frozenset({"script", "style", "template", "head", "title", "svg", "math", "img"})
CELL_TAGS = frozenset({"td", "th"})
# An empty element left where a caption was taken out: ``block_text_marked`` reports its offset.
MARK_TAG = "archiver-mark"
MARK_ATTR = "data-mark"

_WS_RE = re.compile(r"\s+")
_BR = "\ue000"  # private-use marker for <br> while whitespace is collapsed
_BR_RE = re.compile(rf"\s*{_BR}\s*")


def collapse(text: str) -> str:
    """Whitespace runs (NBSP included) -> one space, stripped.

    ``str.split()`` splits on exactly the characters ``\\s`` matches, and is 4x faster than a regex.

    >>> collapse("  a\\u00a0 b\\n c ")
    'a b c'
    """
    return " ".join(text.split())


def _finish_block(raw: str) -> str:
    """Collapse a block's whitespace but keep <br> line breaks."""
    if _BR not in raw:
        return " ".join(raw.split())
    return "\n".join(" ".join(part.split()) for part in raw.split(_BR)).strip()


def _tag(el: etree._Element) -> str:
    """Lower-case local tag name ('' for comments and processing instructions)."""
    tag = el.tag
    if not isinstance(tag, str):
        return ""
    return tag.rsplit("}", 1)[-1].lower()


class _Blocks:
    """Accumulates inline text and emits finished blocks."""

    def __init__(self) -> None:
        self.blocks: list[str] = []
        self.buf: list[str] = []
        # mark id -> index of the first block emitted after the mark
        self.marks: dict[str, int] = {}
        self.pending: list[str] = []

    def emit(self, block: str) -> None:
        for mark in self.pending:
            self.marks[mark] = len(self.blocks)
        self.pending = []
        self.blocks.append(block)

    def flush(self) -> None:
        if self.buf:
            block = _finish_block("".join(self.buf))
            if block:
                self.emit(block)
            self.buf = []

    def add_verbatim(self, block: str) -> None:
        self.flush()
        if block.strip():
            self.emit(block)


def inline_text(el: etree._Element) -> str:
    """Text of an element as one block: whitespace collapsed, <br> ignored (space)."""
    parts: list[str] = []
    _inline(el, parts)
    return collapse("".join(parts))


def _inline(el: etree._Element, parts: list[str]) -> None:
    tag = _tag(el)
    if tag and tag not in SKIP_TAGS:
        if tag == "br":
            parts.append(" ")
        elif el.text:
            parts.append(el.text)
        for child in el:
            _inline(child, parts)
            if child.tail:
                parts.append(child.tail)
        if tag in BLOCK_TAGS:
            parts.append(" ")


def _walk(el: etree._Element, out: _Blocks) -> None:
    tag = _tag(el)
    if not tag or tag in SKIP_TAGS:
        return
    if tag == "br":
        out.buf.append(_BR)
        return
    if tag == MARK_TAG:
        out.flush()
        out.pending.append(el.get(MARK_ATTR) or "")
        return
    if tag == "pre":
        out.add_verbatim("".join(el.itertext()).strip("\r\n"))
        return
    if tag == "tr":
        out.flush()
        out.pending.extend(m.get(MARK_ATTR) or "" for m in el.iter(MARK_TAG))
        cells = [inline_text(c) for c in el if _tag(c) in CELL_TAGS]
        row = "\t".join(cells).strip()
        if row:
            out.emit(row)
        return
    block = tag in BLOCK_TAGS
    if block:
        out.flush()
    if el.text:
        out.buf.append(el.text)
    for child in el:
        _walk(child, out)
        if child.tail:
            out.buf.append(child.tail)
    if block:
        out.flush()


def block_texts(el: etree._Element) -> list[str]:
    """The blocks of an element's text, in order, by the body-text rules."""
    out = _Blocks()
    _walk(el, out)
    out.flush()
    return [unicodedata.normalize("NFC", b) for b in out.blocks]


def block_text(el: etree._Element) -> str:
    """An element's text by the body-text rules: blocks joined with a blank line, NFC."""
    return "\n\n".join(block_texts(el))


def block_text_marked(el: etree._Element) -> tuple[str, dict[str, int]]:
    """``block_text`` plus, for every mark element inside, the character offset in that text of
    the first block after the mark (the text's length when nothing follows)."""
    out = _Blocks()
    _walk(el, out)
    out.flush()
    blocks = [unicodedata.normalize("NFC", b) for b in out.blocks]
    starts = []
    offset = 0
    for block in blocks:
        starts.append(offset)
        offset += len(block) + 2
    text = "\n\n".join(blocks)
    offsets = {mark: starts[i] for mark, i in out.marks.items()}
    offsets.update((mark, len(text)) for mark in out.pending)
    return text, offsets
