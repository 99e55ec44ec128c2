"""The CDXJ index of a site's WARC files: ``DIR/<host>/index.cdxj``, as pywb and wabac.js read it.

Lines come from ``cdxj-indexer`` (Webrecorder's reference indexer: SURT key, 14-digit timestamp,
then ``url``, ``mime``, ``status``, ``digest``, ``length``, ``offset``, ``filename``), sorted, with
``filename`` the WARC file's name (relative to ``warc/``, or to ``archive/`` in a WACZ).

Indexed are the records a replay tool can serve: ``response``, ``revisit``, ``resource`` and
``metadata`` (a post's JSON, under ``urn:post:<post URL>``, so it never stands in for the page).
``request`` records are left out, as pywb's and py-wacz's indexers leave them: a replay tool would
take them for captures; each is reached from its response (``WARC-Concurrent-To``).
"""

from __future__ import annotations

import io
import logging
import zlib
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from cdxj_indexer.main import CDXJIndexer
from warcio.exceptions import ArchiveLoadFailed

from archiver.output import atomic_write_bytes

logger = logging.getLogger(__name__)

INDEXED_RECORDS = "response,revisit,resource,metadata"
INDEX_NAME = "index.cdxj"

# What reading a cut gzip member or a half-written record raises.
TRUNCATION_ERRORS = (ArchiveLoadFailed, EOFError, zlib.error, ValueError, OSError)


class _TolerantIndexer(CDXJIndexer):
    """``CDXJIndexer`` that indexes the complete records of a file whose tail was cut."""

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.problems: list[str] = []

    def process_one(self, input_: Any, output: Any, filename: str) -> None:
        try:
            super().process_one(input_, output, filename)
        except TRUNCATION_ERRORS as exc:
            name = Path(str(filename)).name
            self.problems.append(f"{name}: indexed up to an unreadable record ({exc})")


def cdxj_lines(warcs: Iterable[Path]) -> tuple[list[str], list[str]]:
    """Sorted CDXJ lines for ``warcs`` (file names as ``filename``), and any problems met."""
    out = io.StringIO()
    indexer = _TolerantIndexer(
        output=out,
        inputs=[str(p) for p in warcs],
        sort=True,
        records=INDEXED_RECORDS,
    )
    indexer.process_all()
    return out.getvalue().splitlines(), indexer.problems


def write_site_index(site: Path) -> tuple[Path, int, list[str]]:
    """(Re)write ``site/index.cdxj`` over every WARC file in ``site/warc/``, atomically.

    Returns the index's path, its number of lines and the problems met (cut files).
    """
    warcs = sorted((site / "warc").glob("*.warc.gz"))
    lines, problems = cdxj_lines(warcs)
    path = site / INDEX_NAME
    atomic_write_bytes(path, "".join(f"{line}\n" for line in lines).encode("utf-8"))
    return path, len(lines), problems
