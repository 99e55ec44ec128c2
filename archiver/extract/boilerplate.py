"""Site-level boilerplate: blocks of body text that repeat verbatim across a site's posts.

Page-by-page heuristics miss chrome that a theme or plugin prints inside the post body under a
class nobody knows ("Enjoyed this? Buy me a coffee", an author box, a newsletter form's text).
Over a crawl the same template is seen dozens of times: a block (paragraph, heading, list item,
as in ``body.text``) that appears verbatim in most of a site's posts is not part of any one post.

Use: feed the posts of one site (``add_post`` or ``add``), then ``strip_post`` each of them.

>>> model = BoilerplateModel()
>>> for n in range(4):
...     model.add(f"Post {n} is about tea number {n}.\\n\\nShare this: Twitter Facebook")
>>> model.strip_text("A new post.\\n\\nShare this: Twitter Facebook")
'A new post.'

Rules (named constants below): a block is boilerplate once it was seen in at least
``MIN_PAGES`` pages and in at least ``MIN_SHARE`` of the pages fed. Blocks at the start or the
end of a body are stripped (where templates put chrome); a block inside the body only when it is
on nearly every page (``MIN_INNER_SHARE``) and either long (``MIN_INNER_WORDS``) or usually at a
page's edge (``MIN_EDGE_SHARE``), so that headings a blog repeats on purpose ("Ingredients",
"Method") stay. A body is never stripped to nothing.
"""

from __future__ import annotations

import copy
from collections import Counter

import lxml.html

from archiver.items import Post

from .chrome import drop
from .text import BLOCK_TAGS, collapse

# Fewer pages than this say nothing about a template.
MIN_PAGES = 3
# A block on at least this share of the pages is the template's.
MIN_SHARE = 0.5
# Inside the body, only long blocks on nearly every page are stripped.
MIN_INNER_WORDS = 8
MIN_INNER_SHARE = 0.8
# ...or short ones that, on most pages, are a page's first or last block (a multi-page post
# repeats a page's top and bottom chrome in the middle of the joined body).
MIN_EDGE_SHARE = 0.5


def _blocks(text: str) -> list[str]:
    return [b for b in text.split("\n\n") if b.strip()]


def _key(block: str) -> str:
    return collapse(block)


class BoilerplateModel:
    """Counts, per block text, the pages of one site it appears on; strips the repeated ones."""

    def __init__(
        self,
        min_pages: int = MIN_PAGES,
        min_share: float = MIN_SHARE,
        min_inner_words: int = MIN_INNER_WORDS,
        min_inner_share: float = MIN_INNER_SHARE,
    ) -> None:
        self.min_pages = min_pages
        self.min_share = min_share
        self.min_inner_words = min_inner_words
        self.min_inner_share = min_inner_share
        self.pages = 0
        self.seen: Counter[str] = Counter()
        # Pages where the block was the first or the last one: template chrome sits at the edges
        # (and is met mid-body only where pages were joined, as in multi-page posts).
        self.at_edge: Counter[str] = Counter()

    def add(self, text: str) -> None:
        """Learn from one page's body text (each distinct block counts once per page)."""
        self.pages += 1
        blocks = [_key(b) for b in _blocks(text)]
        self.seen.update(set(blocks))
        if blocks:
            self.at_edge.update({blocks[0], blocks[-1]})

    def add_post(self, post: Post) -> None:
        """Learn from one extracted post."""
        self.add(post.body.text)

    def _share(self, block: str) -> float:
        count = self.seen.get(_key(block), 0)
        if self.pages < self.min_pages or count < self.min_pages:
            return 0.0
        return count / self.pages

    def is_boilerplate(self, block: str, inner: bool = False) -> bool:
        """Whether ``block`` repeats across the site (stricter for a block inside the body)."""
        share = self._share(block)
        if not inner:
            return share >= self.min_share
        if share < self.min_inner_share:
            return False
        key = _key(block)
        edge_share = self.at_edge.get(key, 0) / self.seen[key]
        return len(block.split()) >= self.min_inner_words or edge_share >= MIN_EDGE_SHARE

    def boilerplate_blocks(self, text: str) -> list[int]:
        """Indexes of the blocks of ``text`` to strip (never all of them)."""
        blocks = _blocks(text)
        doomed: set[int] = set()
        for i in range(len(blocks)):
            if not self.is_boilerplate(blocks[i]):
                break
            doomed.add(i)
        for i in reversed(range(len(blocks))):
            if i in doomed or not self.is_boilerplate(blocks[i]):
                break
            doomed.add(i)
        doomed.update(i for i, block in enumerate(blocks) if self.is_boilerplate(block, inner=True))
        if len(doomed) >= len(blocks):
            return []
        return sorted(doomed)

    def strip_text(self, text: str) -> str:
        """``text`` without its boilerplate blocks."""
        blocks = _blocks(text)
        doomed = set(self.boilerplate_blocks(text))
        return "\n\n".join(b for i, b in enumerate(blocks) if i not in doomed)

    def strip_post(self, post: Post) -> Post:
        """A copy of ``post`` without boilerplate blocks in body text and HTML; caption
        positions, word count and digest follow."""
        blocks = _blocks(post.body.text)
        doomed = set(self.boilerplate_blocks(post.body.text))
        out = copy.deepcopy(post)
        if not doomed:
            return out
        kept: list[str] = []
        moved: list[tuple[int, int]] = []  # (old offset, new offset) of each kept block
        old = new = 0
        for i, block in enumerate(blocks):
            old = post.body.text.find(block, old)
            if i not in doomed:
                moved.append((old, new))
                kept.append(block)
                new += len(block) + 2
            old += len(block)
        out.body.text = "\n\n".join(kept)
        out.body.html = _strip_html(post.body.html, {_key(blocks[i]) for i in doomed})
        for caption in out.captions:
            if caption.position is not None:
                caption.position = _moved(caption.position, moved, len(out.body.text))
        out.word_count = len(out.body.text.split())
        out.content_digest = out.compute_digest()
        return out


def _moved(position: int, new_start_of: list[tuple[int, int]], length: int) -> int:
    """A caption's new offset: the start of the first kept block at or after its old offset."""
    for old, new in new_start_of:
        if old >= position:
            return new
    return length


def _strip_html(html: str, keys: set[str]) -> str:
    """Body HTML without the block elements whose whole text is one of ``keys``."""
    if not html.strip() or not keys:
        return html
    root = lxml.html.fragment_fromstring(html, create_parent="div")
    for el in list(root.iter()):
        if (
            isinstance(el.tag, str)
            and el.tag in BLOCK_TAGS
            and el.getparent() is not None
            and _key(el.text_content()) in keys
        ):
            drop(el)
    return (root.text or "") + "".join(
        lxml.html.tostring(child, encoding="unicode", method="html") for child in root
    )


def strip_site(posts: list[Post], model: BoilerplateModel | None = None) -> list[Post]:
    """Learn from ``posts`` (one site's) and return them stripped: the batch use of the model."""
    model = model or BoilerplateModel()
    for post in posts:
        model.add_post(post)
    return [model.strip_post(post) for post in posts]
