"""The CDXJ index of a site's WARC files: ``DIR/<host>/index.cdxj``, as pywb and wabac.js read it.

Lines come from ``cdxj-indexer`` (Webrecorder's reference indexer: SURT key, 14-digit timestamp,
then ``url``, ``mime``, ``status``, ``digest``, ``length``, ``offset``, ``filename``), sorted, with
``filename`` the WARC file's name (relative to ``warc/``, or to ``archive/`` in a WACZ).

Indexed are the records a replay tool can serve: ``response``, ``revisit``, ``resource`` and
``metadata`` (a post's JSON, under ``urn:post:<post URL>``, so it never stands in for the page).
``request`` records are left out, as pywb's and py-wacz's indexers leave them: a replay tool would
take them for captures; each is reached from its response (``WARC-Concurrent-To``).

A crawl does not read its WARC files back for the index: ``LiveIndex`` makes each record's line
as the record is written, with the same indexer's code (``cdxj-indexer``'s fields of a record
object instead of one read from the file; tested equal), and at the end merges them with the
lines the index already had for earlier crawls' files. Files no index line names (a crawl that
was killed before writing its index) are read and indexed then, as ``write_site_index`` does.
"""

from __future__ import annotations

import io
import json
import logging
import os
import zlib
from collections.abc import Iterable
from pathlib import Path
from typing import IO, Any

from cdxj_indexer.main import CDXJIndexer, SortingWriter
from warcio.exceptions import ArchiveLoadFailed
from warcio.recordloader import ArcWarcRecord

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


class _Position:
    """What ``CDXJIndexer.get_field`` asks its record iterator: the record's offset and length."""

    def __init__(self, offset: int, length: int):
        self.offset, self.length = offset, length

    def get_record_offset(self) -> int:
        return self.offset

    def get_record_length(self) -> int:
        return self.length


class LiveIndex:
    """CDXJ lines of the records a crawl writes, made as they are written.

    Lines go to ``spill`` (unsorted, buffered: after a kill the spill is ignored and the files
    read instead) rather than stay in memory; ``finish`` sorts them with the index's older lines
    into ``index.cdxj``.
    """

    def __init__(self, site: Path):
        self.site = site
        self.spill = site / f".{INDEX_NAME}.{os.getpid()}.part"
        self._out: IO[str] | None = None
        self._indexer = CDXJIndexer(output=None, inputs=[], records=INDEXED_RECORDS)
        self.files: set[str] = set()
        """Names of the WARC files whose records went through ``add``."""

    def add(self, record: ArcWarcRecord, filename: str, offset: int, length: int) -> None:
        """Index one record just written to ``filename`` at ``offset`` (``length`` bytes)."""
        self.files.add(filename)
        if not self._indexer.filter_record(record):
            return
        if self._out is None:
            self.site.mkdir(parents=True, exist_ok=True)
            self._out = open(self.spill, "w", encoding="utf-8")  # noqa: SIM115 - closed in finish
        self._indexer.curr_filename = filename
        self._indexer.process_index_entry(_Position(offset, length), record, filename, self._out)

    def finish(self) -> tuple[Path, int, list[str]]:
        """Write ``index.cdxj``: this crawl's lines, the older lines of files still in ``warc/``,
        and the lines of files no index named yet. Returns the path, line count and problems."""
        if self._out is not None:
            self._out.close()
            self._out = None
        present = {p.name for p in (self.site / "warc").glob("*.warc.gz")}
        index = self.site / INDEX_NAME
        kept, named = _older_lines(index, present - self.files)
        unindexed = sorted(self.site / "warc" / name for name in present - self.files - named)
        new_lines, problems = cdxj_lines(unindexed) if unindexed else ([], [])
        tmp = index.with_name(f".{INDEX_NAME}.{os.getpid()}.tmp")
        try:
            with open(tmp, "w", encoding="utf-8") as fh:
                writer = SortingWriter(fh)  # cdxj-indexer's: sorts in 32 MB runs, then merges
                for line in _chain_lines(kept, new_lines, self.spill):
                    writer.write(line)
                writer.flush()
                fh.flush()
                os.fsync(fh.fileno())
            with open(tmp, "rb") as fh:
                count = sum(1 for _ in fh)
            os.replace(tmp, index)
        finally:
            tmp.unlink(missing_ok=True)
        for stale in self.site.glob(f".{INDEX_NAME}.*.part"):  # this one, and a killed crawl's
            stale.unlink(missing_ok=True)
        return index, count, problems


def _older_lines(index: Path, files: set[str]) -> tuple[list[str], set[str]]:
    """Lines of ``index`` whose file is in ``files``, and the names of the files they name."""
    kept: list[str] = []
    named: set[str] = set()
    if not index.is_file():
        return kept, named
    with open(index, encoding="utf-8") as fh:
        for line in fh:
            _, _, fields = line.partition("{")
            try:
                name = json.loads("{" + fields)["filename"]
            except (ValueError, KeyError, TypeError):
                continue  # a damaged line is dropped (its file is read again if no line names it)
            if name in files:
                kept.append(line if line.endswith("\n") else line + "\n")
                named.add(name)
    return kept, named


def _chain_lines(kept: list[str], new: list[str], spill: Path) -> Iterable[str]:
    yield from kept
    for line in new:
        yield line + "\n"
    if spill.is_file():
        with open(spill, encoding="utf-8") as fh:
            yield from fh
