"""Reading archived exchanges back: WARC and WACZ inputs, gzip members, HTTP payload decoding.

Shared by ``archiver verify`` (is every record whole and does its body decode?) and
``archiver reextract`` (the page bytes a crawl saw, from the archive alone). Pure I/O helpers:
no Scrapy imports.
"""

from __future__ import annotations

import zipfile
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

READ_CHUNK = 1024 * 1024
DEFAULT_DECODED_LIMIT = 32 * 1024 * 1024
"""Largest decoded body accepted (Scrapy's DOWNLOAD_MAXSIZE of the crawl): defuses gzip bombs."""


class UnsupportedEncoding(ValueError):
    """A Content-Encoding this reader (and most replay tools) cannot decode, e.g. br or zstd."""


class TooLarge(ValueError):
    """The payload decodes to more than the limit given (a decompression bomb, or just huge)."""


def _inflate(data: bytes, wbits: int, limit: int) -> bytes:
    d = zlib.decompressobj(wbits)
    out = d.decompress(data, limit + 1)
    if len(out) > limit:
        raise TooLarge(f"decodes to more than {limit} bytes")
    if not d.eof:
        raise ValueError("compressed stream is cut short")
    return out


def _gunzip(data: bytes, limit: int) -> bytes:
    """Every gzip member of ``data``, concatenated (as browsers and Scrapy decode gzip)."""
    parts = []
    size = 0
    while data:
        d = zlib.decompressobj(31)
        out = d.decompress(data, limit + 1 - size)
        size += len(out)
        if size > limit:
            raise TooLarge(f"decodes to more than {limit} bytes")
        if not d.eof:
            raise ValueError("gzip stream is cut short")
        parts.append(out)
        data = d.unused_data
    return b"".join(parts)


def decode_content(
    body: bytes, content_encoding: str | None, limit: int = DEFAULT_DECODED_LIMIT
) -> bytes:
    """The payload with its Content-Encoding(s) undone, as a browser would see it.

    Raises ``UnsupportedEncoding`` for codings other than gzip, deflate and identity, and
    ``ValueError`` for a body that does not decode or decodes past ``limit``.

    >>> import gzip
    >>> decode_content(gzip.compress(b"caf\\xc3\\xa9"), "gzip")
    b'caf\\xc3\\xa9'
    >>> decode_content(zlib.compress(b"x"), "deflate"), decode_content(b"x", None)
    (b'x', b'x')
    """
    codings = [c.strip().lower() for c in (content_encoding or "").split(",") if c.strip()]
    for coding in reversed(codings):
        if coding in ("identity", "none"):
            continue
        if coding in ("gzip", "x-gzip"):
            body = _gunzip(body, limit)
        elif coding == "deflate":
            # RFC 9110 says zlib-wrapped; some servers send raw deflate. Browsers accept both.
            try:
                body = _inflate(body, 15, limit)
            except (zlib.error, ValueError):
                body = _inflate(body, -15, limit)
        else:
            raise UnsupportedEncoding(f"Content-Encoding {coding} is not decodable here")
    return body


def _streamed_size(data: bytes, wbits: int, limit: int, members: bool) -> int:
    """Decoded size of a zlib/gzip stream, decoded piece by piece and thrown away."""
    size = 0
    while True:
        d = zlib.decompressobj(wbits)
        buf = data
        while not d.eof:
            out = d.decompress(buf, READ_CHUNK)
            size += len(out)
            if size > limit:
                raise TooLarge(f"decodes to more than {limit} bytes")
            buf = d.unconsumed_tail
            if not out and not buf:
                raise ValueError("compressed stream is cut short")
        if not (members and d.unused_data):
            return size
        data = d.unused_data


def decoded_size(body: bytes, content_encoding: str | None, limit: int) -> int:
    """Size of the payload once its Content-Encoding is undone, without holding it in memory.

    Raises like ``decode_content``: ``UnsupportedEncoding``, ``TooLarge`` past ``limit``, and
    ``ValueError`` (or ``zlib.error``) for a body that does not decode.

    >>> import gzip
    >>> decoded_size(gzip.compress(b"x" * 5000), "gzip", 10_000)
    5000
    """
    codings = [c.strip().lower() for c in (content_encoding or "").split(",") if c.strip()]
    codings = [c for c in codings if c not in ("identity", "none")]
    if not codings:
        return len(body)
    if len(codings) > 1:
        return len(decode_content(body, content_encoding, limit))
    if codings[0] in ("gzip", "x-gzip"):
        return _streamed_size(body, 31, limit, members=True)
    if codings[0] == "deflate":
        try:
            return _streamed_size(body, 15, limit, members=False)
        except zlib.error:
            return _streamed_size(body, -15, limit, members=False)
    raise UnsupportedEncoding(f"Content-Encoding {codings[0]} is not decodable here")


def dechunk(body: bytes) -> bytes | None:
    """The payload of a chunked-framed body, or None when ``body`` is not chunked framing.

    >>> dechunk(b"3\\r\\nabc\\r\\n0\\r\\n\\r\\n"), dechunk(b"<html>")
    (b'abc', None)
    """
    out = []
    pos = 0
    while True:
        end = body.find(b"\r\n", pos)
        if end < 0:
            return None
        size_text = body[pos:end].split(b";", 1)[0].strip()
        try:
            size = int(size_text, 16)
        except ValueError:
            return None
        pos = end + 2
        if size == 0:
            return b"".join(out) if body[pos:].endswith(b"\r\n") else None
        if body[pos + size : pos + size + 2] != b"\r\n":
            return None
        out.append(body[pos : pos + size])
        pos += size + 2


@dataclass(frozen=True)
class GzipScan:
    """How a gzip-per-record file splits into members."""

    complete: int
    """Number of complete gzip members."""
    bad_offset: int | None
    """Offset of the first member that is cut short or does not decompress; None if all are whole."""
    cut_short: bool
    """True when that member simply ends with the file (a write interrupted), not corrupt."""
    error: str | None = None


def scan_gzip_members(fh: BinaryIO) -> GzipScan:
    """Walk the gzip members of a ``.warc.gz`` without keeping their data."""
    complete = 0
    start = 0
    member_len = 0
    d = zlib.decompressobj(31)
    pending = b""
    while True:
        if not pending:
            pending = fh.read(READ_CHUNK)
            if not pending:
                break
        try:
            d.decompress(pending, READ_CHUNK)
        except zlib.error as exc:
            return GzipScan(complete, start, cut_short=False, error=str(exc))
        if d.eof:
            member_len += len(pending) - len(d.unused_data)
            pending = d.unused_data
            complete += 1
            start += member_len
            member_len = 0
            d = zlib.decompressobj(31)
        else:
            member_len += len(pending) - len(d.unconsumed_tail)
            pending = d.unconsumed_tail
    if member_len:
        return GzipScan(complete, start, cut_short=True, error="file ends inside this record")
    return GzipScan(complete, None, cut_short=False)


@dataclass(frozen=True)
class ArchiveSource:
    """One WARC file to read: on disk, or a member of a WACZ's ``archive/`` folder."""

    name: str
    """The WARC file's name, as provenance and CDXJ ``filename`` give it."""
    origin: Path
    """The file given on the command line (the WARC itself or the WACZ holding it)."""
    member: str | None = None
    """Path inside the WACZ, None for a WARC on disk."""

    @contextmanager
    def open(self) -> Iterator[BinaryIO]:
        """A seekable binary stream of the WARC file."""
        if self.member is None:
            with self.origin.open("rb") as fh:
                yield fh
        else:
            with zipfile.ZipFile(self.origin) as zf, zf.open(self.member) as fh:
                yield fh  # type: ignore[misc]


def archive_sources(paths: list[Path], on_problem: Callable[[str], None]) -> list[ArchiveSource]:
    """The WARC files named by ``paths`` (WARC files, WACZ files, or folders holding them)."""
    sources: list[ArchiveSource] = []
    for path in paths:
        if path.is_dir():
            found = sorted(path.rglob("*.warc.gz")) + sorted(path.rglob("*.warc"))
            found += sorted(path.rglob("*.wacz"))
            if not found:
                on_problem(f"{path}: no WARC or WACZ files in this folder")
            sources.extend(archive_sources(found, on_problem) if found else [])
        elif not path.exists():
            on_problem(f"{path}: no such file")
        elif path.name.endswith(".wacz"):
            try:
                with zipfile.ZipFile(path) as zf:
                    members = [
                        n
                        for n in zf.namelist()
                        if n.startswith("archive/") and n.endswith((".warc.gz", ".warc"))
                    ]
            except zipfile.BadZipFile as exc:
                on_problem(f"{path}: not a WACZ (ZIP) file: {exc}")
                continue
            if not members:
                on_problem(f"{path}: the WACZ holds no WARC files under archive/")
            sources.extend(ArchiveSource(Path(m).name, path, m) for m in sorted(members))
        elif path.name.endswith((".warc.gz", ".warc")):
            sources.append(ArchiveSource(path.name, path))
        else:
            on_problem(f"{path}: not a WARC (.warc, .warc.gz) or WACZ (.wacz) file")
    return sources
