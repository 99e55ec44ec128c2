"""Reader comments (WordPress classic and block markup), with reply nesting."""

from __future__ import annotations

import re
import unicodedata

from lxml import etree

from archiver.items import Comment

from . import selectors as S
from .dates import normalise_date
from .dom import DocIndex
from .text import block_text, collapse

_COMMENT_ID_RE = re.compile(r"^(?:li-)?(comment-\d+)$")


def _own(index: DocIndex, li: etree._Element, selector: str) -> list[etree._Element]:
    """Matches of ``selector`` inside ``li`` that do not belong to a nested reply."""
    out = []
    for el in index.select(selector, within=li):
        owner = next((a for a in el.iterancestors("li") if _is_comment(a)), None)
        if owner is li:
            out.append(el)
    return out


def _is_comment(li: etree._Element) -> bool:
    ident = li.get("id") or ""
    classes = (li.get("class") or "").split()
    return bool(_COMMENT_ID_RE.match(ident)) or "comment" in classes


def _comment_id(li: etree._Element) -> str | None:
    match = _COMMENT_ID_RE.match(li.get("id") or "")
    if match:
        return match.group(1)
    inner = li.xpath(".//*[starts-with(@id, 'comment-')]/@id")
    return inner[0] if inner else None


def extract_comments(index: DocIndex) -> list[Comment]:
    """Every displayed comment, in page order; ``parent`` from reply nesting."""
    comments = []
    seen = set()
    items = [
        li for container in index.select(S.COMMENT_LISTS, live=False) for li in container.iter("li")
    ]
    for li in items:
        if li in seen or not _is_comment(li):
            continue
        seen.add(li)
        authors = _own(index, li, S.COMMENT_AUTHOR)
        author = None
        if authors:
            author = collapse(authors[0].text_content())
            author = re.sub(r"\s+says:?$", "", author) or None
        contents = _own(index, li, S.COMMENT_CONTENT)
        if not contents:
            continue
        text = unicodedata.normalize("NFC", block_text(contents[0]))
        times = [t for t in _own(index, li, "time") if t.get("datetime")]
        parent_li = next((a for a in li.iterancestors("li") if _is_comment(a)), None)
        comments.append(
            Comment(
                text=text,
                author=author,
                published=normalise_date(times[0].get("datetime")) if times else None,
                id=_comment_id(li),
                parent=_comment_id(parent_li) if parent_li is not None else None,
            )
        )
    return comments
