"""Multi-page posts: links to the further pages, and merging the pages' extractions."""

from __future__ import annotations

import copy
import re
from urllib.parse import urljoin, urlsplit, urlunsplit

from lxml import etree

from archiver.items import Post

_PAGE_SUFFIX_RE = re.compile(r"/(\d+)/?$")
# WordPress numbers post pages from 2; "/1/" is the post itself.
FIRST_FURTHER_PAGE = 2


def _permalink_path(path: str) -> str:
    """The post's own path (with a trailing slash) for a page path like /slug/3/."""
    match = _PAGE_SUFFIX_RE.search(path)
    if match and path[: match.start()].strip("/"):
        path = path[: match.start()]
    return path.rstrip("/") + "/"


def next_page_urls_from_tree(doc: etree._Element, url: str, base: str | None = None) -> list[str]:
    """Absolute URLs of the post's further pages (<permalink>N/, N >= 2), in order, minus ``url``."""
    page = urlsplit(url)
    permalink = _permalink_path(page.path)
    found: dict[int, str] = {}
    for a in doc.iter("a"):
        href = a.get("href")
        if not href:
            continue
        target = urlsplit(urljoin(base or url, href.strip()))
        if (target.scheme, target.netloc) != (page.scheme, page.netloc):
            continue
        if not target.path.startswith(permalink):
            continue
        rest = target.path[len(permalink) :]
        match = re.fullmatch(r"(\d+)/?", rest)
        if not match or int(match.group(1)) < FIRST_FURTHER_PAGE:
            continue
        number = int(match.group(1))
        absolute = urlunsplit((target.scheme, target.netloc, target.path, target.query, ""))
        if absolute.rstrip("/") == url.split("#")[0].rstrip("/"):
            continue
        found.setdefault(number, absolute)
    return [found[n] for n in sorted(found)]


def merge_pages(parts: list[Post]) -> Post:
    """One post from its pages' extractions: first page's metadata, bodies and lists concatenated."""
    if not parts:
        raise ValueError("merge_pages needs at least one part")
    merged = copy.deepcopy(parts[0])
    for part in parts[1:]:
        # Caption positions are offsets into body.text: shift this page's past the text before it.
        shift = (
            len(merged.body.text) + 2
            if merged.body.text and part.body.text
            else len(merged.body.text)
        )
        texts = [t for t in (merged.body.text, part.body.text) if t]
        merged.body.text = "\n\n".join(texts)
        merged.body.html = merged.body.html + part.body.html
        for caption in part.captions:
            moved = copy.deepcopy(caption)
            if moved.position is not None:
                moved.position += shift
            merged.captions.append(moved)
        merged.references.extend(copy.deepcopy(part.references))
        seen_images = {image.url for image in merged.images}
        merged.images.extend(copy.deepcopy(i) for i in part.images if i.url not in seen_images)
        # WordPress repeats the comment list on every page of the post: keep each comment once.
        seen_comments = {(c.id, c.author, c.text) for c in merged.comments}
        merged.comments.extend(
            copy.deepcopy(c) for c in part.comments if (c.id, c.author, c.text) not in seen_comments
        )
    merged.word_count = len(merged.body.text.split())
    merged.content_digest = merged.compute_digest()
    return merged
