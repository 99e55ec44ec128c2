"""``archiver pack DIR`` (and ``archiver crawl --wacz``): a site's WARC files as one WACZ package.

``DIR/<host>/<host>.wacz`` follows WACZ 1.1.1: ``archive/`` holds the site's WARC files as they are
(ZIP "stored", so replay tools can read records by offset), ``indexes/index.cdx`` their CDXJ index
(``archiver.cdxj``), ``pages/pages.jsonl`` one entry per archived post (URL, capture time, title,
publication date), ``datapackage.json`` the SHA-256 and size of every file, and
``datapackage-digest.json`` the hash of ``datapackage.json``. The package is written to a temporary
file and renamed, so a reader never sees half of one.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import zipfile
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from archiver import __version__
from archiver.cdxj import cdxj_lines

logger = logging.getLogger(__name__)

WACZ_VERSION = "1.1.1"
INDEX_PATH = "indexes/index.cdx"
PAGES_PATH = "pages/pages.jsonl"
PAGES_HEADER = {"format": "json-pages-1.0", "id": "pages", "title": "Posts"}
COPY_BUFFER = 1024 * 1024


@dataclass
class PackResult:
    """What ``pack_site`` wrote."""

    path: Path
    pages: int
    warcs: int
    problems: list[str] = field(default_factory=list)
    """Cut WARC files met while indexing (their complete records are packed and indexed)."""


def site_folders(directory: Path) -> list[Path]:
    """The site folders (those holding ``warc/``) of an output folder, or the folder itself."""
    if (directory / "warc").is_dir():
        return [directory]
    if not directory.is_dir():
        return []
    return sorted(p for p in directory.iterdir() if (p / "warc").is_dir())


def read_posts(site: Path) -> list[dict[str, Any]]:
    """The posts of ``site/posts.jsonl`` in file order; lines that are not JSON are skipped."""
    path = site / "posts.jsonl"
    if not path.exists():
        return []
    posts = []
    for lineno, line in enumerate(path.read_text("utf-8").splitlines(), 1):
        try:
            post = json.loads(line)
        except ValueError:
            logger.warning("%s:%d is not JSON: left out of the page list", path, lineno)
            continue
        if isinstance(post, dict):
            posts.append(post)
    return posts


def page_entries(posts: list[dict[str, Any]], warc_names: set[str]) -> list[dict[str, Any]]:
    """``pages.jsonl`` entries for the posts whose response record is in one of ``warc_names``.

    >>> post = {"url": "http://b.org/p/", "title": "P", "published": "2019-07-13T10:00:00+00:00",
    ...         "provenance": {"warc_file": "a.warc.gz", "warc_record_id": "<urn:uuid:1f>",
    ...                        "fetched_at": "2026-01-02T03:04:05Z"}}
    >>> page_entries([post, post], {"a.warc.gz"})
    [{'id': '1f', 'url': 'http://b.org/p/', 'ts': '2026-01-02T03:04:05Z', 'title': 'P', 'published': '2019-07-13T10:00:00+00:00'}]
    """
    entries = []
    seen = set()
    for post in posts:
        prov = post.get("provenance") or {}
        url, ts = post.get("url"), prov.get("fetched_at")
        if prov.get("warc_file") not in warc_names or not url or not ts or (url, ts) in seen:
            continue
        seen.add((url, ts))
        record_id = str(prov.get("warc_record_id") or "")
        entry = {"id": record_id.removeprefix("<urn:uuid:").removesuffix(">") or None}
        entry.update(url=url, ts=ts, title=post.get("title"), published=post.get("published"))
        entries.append({k: v for k, v in entry.items() if v is not None})
    return entries


def _sha256(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


class _PackageWriter:
    """Adds files to the ZIP and keeps the ``datapackage.json`` resource of each."""

    def __init__(self, zf: zipfile.ZipFile, date_time: tuple[int, ...]):
        self.zf = zf
        self.date_time = date_time
        self.resources: list[dict[str, Any]] = []

    def zip_info(self, path: str, compress: int) -> zipfile.ZipInfo:
        info = zipfile.ZipInfo(path, self.date_time[:6])  # type: ignore[arg-type]
        info.compress_type = compress
        info.external_attr = 0o644 << 16
        return info

    def add_bytes(self, path: str, data: bytes) -> None:
        self.zf.writestr(self.zip_info(path, zipfile.ZIP_DEFLATED), data)
        self._resource(path, _sha256(data), len(data))

    def add_file(self, path: str, source: Path) -> None:
        digest = hashlib.sha256()
        size = 0
        info = self.zip_info(path, zipfile.ZIP_STORED)
        info.file_size = source.stat().st_size
        # ZIP64 only when needed: readers that locate entries from the central directory alone
        # (ReplayWeb.page) miss the extra field zipfile then writes in the local header only.
        zip64 = info.file_size > zipfile.ZIP64_LIMIT
        with source.open("rb") as fh, self.zf.open(info, "w", force_zip64=zip64) as out:
            while chunk := fh.read(COPY_BUFFER):
                digest.update(chunk)
                size += len(chunk)
                out.write(chunk)
        self._resource(path, "sha256:" + digest.hexdigest(), size)

    def _resource(self, path: str, digest: str, size: int) -> None:
        name = Path(path).name.lower()
        self.resources.append({"name": name, "path": path, "hash": digest, "bytes": size})


def pack_site(site: Path, output: Path | None = None) -> PackResult:
    """Write ``site/<host>.wacz`` (or ``output``) from the site's WARC files and posts."""
    warcs = sorted((site / "warc").glob("*.warc.gz"))
    if not warcs:
        raise FileNotFoundError(f"{site / 'warc'} holds no WARC files to pack")
    output = output or site / f"{site.name}.wacz"
    lines, problems = cdxj_lines(warcs)
    posts = read_posts(site)
    pages = page_entries(posts, {w.name for w in warcs})
    now = datetime.now(timezone.utc)
    created = now.strftime("%Y-%m-%dT%H:%M:%SZ")
    pages_text = "".join(json.dumps(e, ensure_ascii=False) + "\n" for e in [PAGES_HEADER, *pages])
    site_name = next((p["site"]["name"] for p in posts if (p.get("site") or {}).get("name")), None)

    tmp = output.with_name(f".{output.name}.tmp")
    try:
        with zipfile.ZipFile(tmp, "w", allowZip64=True) as zf:
            package = _PackageWriter(zf, now.timetuple()[:6])
            for warc in warcs:
                package.add_file(f"archive/{warc.name}", warc)
            package.add_bytes(INDEX_PATH, "".join(f"{line}\n" for line in lines).encode("utf-8"))
            package.add_bytes(PAGES_PATH, pages_text.encode("utf-8"))
            datapackage: dict[str, Any] = {
                "profile": "data-package",
                "wacz_version": WACZ_VERSION,
                "title": f"{site_name} ({site.name})" if site_name else site.name,
                "description": f"{len(pages)} blog posts archived by blog-archiver from "
                f"{site.name}, in {len(warcs)} WARC file(s).",
                "created": created,
                "software": f"blog-archiver {__version__}",
                "resources": package.resources,
            }
            if pages:
                datapackage["mainPageUrl"] = pages[0]["url"]
                datapackage["mainPageDate"] = pages[0]["ts"]
            data = json.dumps(datapackage, ensure_ascii=False, indent=2).encode("utf-8")
            zf.writestr(package.zip_info("datapackage.json", zipfile.ZIP_DEFLATED), data)
            digest = {"path": "datapackage.json", "hash": _sha256(data)}
            zf.writestr(
                package.zip_info("datapackage-digest.json", zipfile.ZIP_DEFLATED),
                json.dumps(digest, indent=2).encode("utf-8"),
            )
        with tmp.open("rb") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, output)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return PackResult(path=output, pages=len(pages), warcs=len(warcs), problems=problems)
