"""The post item (schema version 1) and its parts, as typed dataclasses.

Field docstrings state the output contract; ``archiver/schema/post.schema.json`` is the published
JSON Schema of the same shape (a test checks that the two agree).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from typing import Any

import orjson

SCHEMA_VERSION = 1


@dataclass
class Site:
    name: str | None = None
    """The blog's name as it presents itself (og:site_name, or the site title), trimmed."""
    url: str | None = None
    """Absolute URL of the blog's home page."""
    platform: str | None = None
    """Detected platform: "wordpress", "blogger", ... or None when unknown."""


@dataclass
class Archive:
    month: str | None = None
    """The post's monthly archive as "YYYY-MM"."""
    url: str | None = None
    """Absolute URL of that monthly archive page, when the blog has one."""


@dataclass
class Body:
    text: str = ""
    """Plain text of the post body: one block per paragraph/heading/list item, blocks joined by a
    blank line; whitespace inside a block collapsed; no captions, no references section."""
    html: str = ""
    """Cleaned body HTML: no scripts, styles, event handlers or chrome; absolute links."""


@dataclass
class Caption:
    text: str
    """Whole caption text, whitespace collapsed, credit included."""
    credit: str | None = None
    """The credit part of the caption ("Source: NASA", "Photo: J. Doe"), or None."""
    image_url: str | None = None
    """Absolute URL of the captioned image (its src), or None."""
    alt: str | None = None
    """The image's alt text, or None."""
    position: int | None = None
    """Where the figure sits in the body: the character offset in ``body.text`` of the first block
    after it (0 before the first block, ``len(body.text)`` after the last), so that
    ``body.text[:position]`` is the text before the figure. Offsets, not block numbers, because a
    <pre> block may itself hold blank lines. None when unknown."""


@dataclass
class Reference:
    text: str
    """The entry's text, whitespace collapsed."""
    url: str | None = None
    """The entry's first link, resolved against the page URL, otherwise exactly as written
    (non-ASCII characters and percent-escapes kept); None when the entry has no link."""
    urls: list[str] = field(default_factory=list)
    """Every link of the entry, in order, same form as ``url``."""
    kind: str = "bibliography"
    """"bibliography" (a References/Sources/... section), "footnote" (a note list whose text also
    stays in the body) or "link"."""
    id: str | None = None
    """The element id that in-text markers link to: a footnote's ("fn-1", "fn:1") or a cited
    bibliography entry's ("ref-knuth"); None when the entry has none."""
    doi: str | None = None
    """The entry's DOI, normalised: lower-case "10.<registrant>/<suffix>" without a "doi:" or
    resolver prefix, percent-escapes decoded (e.g. "10.1000/xyz123"); None when it has none."""


@dataclass
class Image:
    url: str
    """Absolute URL of the image (src, or the best lazy-loading attribute)."""
    alt: str | None = None
    """Alt text, or None."""


@dataclass
class Comment:
    text: str
    """The comment's text, paragraphs joined by a blank line."""
    author: str | None = None
    """Display name of the commenter."""
    published: str | None = None
    """ISO 8601 with offset, when the page gives it."""
    id: str | None = None
    """The comment's id on the page (e.g. "comment-12"), or None."""
    parent: str | None = None
    """Id of the comment this one replies to, or None for a top-level comment."""


@dataclass
class PageCapture:
    """Where one fetched page of the post is stored in the WARC files."""

    url: str
    warc_file: str | None = None
    warc_record_id: str | None = None
    warc_offset: int | None = None


@dataclass
class Provenance:
    warc_file: str | None = None
    """File name (no folder) of the WARC holding the response the post was extracted from."""
    warc_record_id: str | None = None
    """WARC-Record-ID of that response record, "<urn:uuid:...>"."""
    warc_offset: int | None = None
    """Byte offset of that (gzip-member) record in the file."""
    fetched_at: str | None = None
    """When the response was received, ISO 8601 UTC."""
    status: int | None = None
    """HTTP status of that response."""
    crawl_id: str | None = None
    """Id of the crawl that captured it."""
    archiver_version: str | None = None
    """Version of blog-archiver that wrote this item."""
    pages: list[PageCapture] = field(default_factory=list)
    """Every page the post was assembled from (more than one for multi-page posts), in order."""


@dataclass
class Post:
    url: str
    """Absolute URL of the post's (first) page as fetched."""
    canonical_url: str | None = None
    """rel=canonical (or og:url) of the post, absolute; falls back to ``url``."""
    site: Site = field(default_factory=Site)
    title: str = ""
    """Post title, entities decoded, whitespace collapsed, without the " – Site name" suffix."""
    authors: list[str] = field(default_factory=list)
    """Display names, in page order, without duplicates."""
    published: str | None = None
    """Publication date, ISO 8601 with UTC offset (e.g. "2019-07-13T10:00:00+02:00")."""
    modified: str | None = None
    """Last modification date, ISO 8601 with offset, when the page gives it."""
    categories: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    language: str | None = None
    """BCP 47 language tag from <html lang> or metadata ("en-US"), or None."""
    archive: Archive = field(default_factory=Archive)
    body: Body = field(default_factory=Body)
    captions: list[Caption] = field(default_factory=list)
    references: list[Reference] = field(default_factory=list)
    images: list[Image] = field(default_factory=list)
    comments: list[Comment] = field(default_factory=list)
    word_count: int = 0
    """Number of whitespace-separated words of ``body.text``."""
    content_digest: str | None = None
    """"sha256:<hex>" over the extracted content (title, dates, body, captions, references): equal
    digests mean an unchanged post."""
    previous_digest: str | None = None
    """On a re-crawl that found the post changed: the ``content_digest`` of the version archived
    before (its line is earlier in posts.jsonl); None for a post seen for the first time."""
    provenance: Provenance = field(default_factory=Provenance)
    sources: dict[str, str] = field(default_factory=dict)
    """Where each metadata field was read: field name ("title", "authors", "published",
    "modified", "categories", "tags", "language", "canonical_url", "site_name") -> "json-ld",
    "opengraph", "meta", "microformats", "html" or "url"; fields left empty are absent."""
    rejected: dict[str, str] = field(default_factory=dict)
    """Metadata the page gave but that was left out as invalid: field name -> reason, e.g.
    {"published": "json-ld: '20190-01-01' is not a valid date"}; the field itself then comes from
    the next source, or stays empty."""
    schema_version: int = SCHEMA_VERSION

    def to_dict(self) -> dict[str, Any]:
        """The JSON-ready form, keys in the documented order, ``schema_version`` first.

        Made by orjson, which reads dataclasses natively: twice as fast as ``asdict``.
        """
        data = orjson.loads(orjson.dumps(self))
        return {"schema_version": data.pop("schema_version"), **data}

    def compute_digest(self) -> str:
        """Digest of the content fields only, so that re-fetching an unchanged post gives the same."""
        content = {
            "title": self.title,
            "authors": self.authors,
            "published": self.published,
            "modified": self.modified,
            "categories": self.categories,
            "tags": self.tags,
            "body": self.body.text,
            "captions": [asdict(c) for c in self.captions],
            "references": [asdict(r) for r in self.references],
        }
        blob = json.dumps(content, sort_keys=True, ensure_ascii=False).encode("utf-8")
        return "sha256:" + hashlib.sha256(blob).hexdigest()


@dataclass
class FetchedPage:
    """One fetched page of a post, as the spider hands it to the extraction pipeline."""

    url: str
    body: bytes
    encoding: str | None
    status: int
    capture: PageCapture
    fetched_at: str | None = None


@dataclass
class FetchedPost:
    """A post's pages, in order (several for multi-page posts), not yet extracted."""

    pages: list[FetchedPage]
    archive_month: str | None = None
    """"YYYY-MM" of the monthly archive it was listed in, when found through one."""
    listing_index: int | None = None
    """For a post printed in full on a listing page without a permalink: which of the page's
    unlinked posts it is (0-based); its only page is then the listing page."""
