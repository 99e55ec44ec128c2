"""WARC capture: every HTTP exchange of the crawl as a request and a response record.

``WarcExtension`` listens to Scrapy's ``response_downloaded`` signal, which fires before any
downloader middleware's ``process_response``: the body is still content-encoded (gzip as it came
over the wire) and redirects, errors and robots.txt are seen too. The status line and header lines
are the ones that went over the wire, recorded by ``archiver.capture.ArchiverDownloadHandler``
(Scrapy alone loses the reason phrase, header case and order, and the connection headers).
It also writes one ``metadata`` record per stored post (its JSON, ``WARC-Refers-To`` the response
record), on the ``archiver.signals.post_stored`` signal, and the site's ``index.cdxj`` at the end
(``archiver.cdxj.LiveIndex``: each line made as its record is written).
``WarcFileWriter`` owns the files: opened once, one gzip member per record, flushed after each
record (a killed crawl leaves every complete record readable), rolled over at ``WARC_MAX_SIZE``.
Metadata records, whose location nobody waits for, are compressed on a thread and appended by
the next write.
"""

from __future__ import annotations

import dataclasses
import importlib.metadata
import json
import logging
import os
import platform
import zlib
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timezone
from http import HTTPStatus
from io import BytesIO
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO
from urllib.parse import urlsplit

import scrapy
import warcio
from scrapy import signals
from scrapy.exceptions import NotConfigured
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from archiver import __version__
from archiver import signals as archiver_signals
from archiver.capture import RawExchange, raw_exchange
from archiver.cdxj import LiveIndex, write_site_index
from archiver.output import json_line, site_dir

if TYPE_CHECKING:
    from scrapy import Request, Spider
    from scrapy.crawler import Crawler
    from scrapy.http import Response

logger = logging.getLogger(__name__)

META_KEY = "warc_capture"
"""Request meta key under which the response record's location is left for the callbacks."""

# Hop-by-hop header whose value no longer describes the stored (already de-chunked) body.
RENAMED_HEADERS = {"transfer-encoding": "X-Archive-Orig-Transfer-Encoding"}
ORIG_CONTENT_LENGTH = "X-Archive-Orig-Content-Length"
"""Where a received Content-Length goes when it disagrees with the stored body (a cut download)."""
NO_BODY_STATUSES = frozenset({204, 304})

WARCINFO_SETTINGS = {
    "ROBOTSTXT_OBEY": "getbool",
    "CONCURRENT_REQUESTS_PER_DOMAIN": "getint",
    "DOWNLOAD_DELAY": "getfloat",
    "AUTOTHROTTLE_ENABLED": "getbool",
    "DOWNLOAD_MAXSIZE": "getint",
    "DOWNLOAD_TIMEOUT": "getfloat",
    "RETRY_TIMES": "getint",
    "REDIRECT_MAX_TIMES": "getint",
    "ARCHIVER_SINCE": "get",
    "ARCHIVER_UNTIL": "get",
    "ARCHIVER_MAX_POSTS": "getint",
    "ARCHIVER_USE_SITEMAPS": "getbool",
    "WARC_MAX_SIZE": "getint",
}
"""Settings recorded in every ``warcinfo`` record (with their getter): what shaped the crawl."""

POST_METADATA_CONTENT_TYPE = "application/json"
"""Content-Type of the ``metadata`` record holding a post's JSON."""
POST_METADATA_URI_PREFIX = "urn:post:"
"""``WARC-Target-URI`` of a post's metadata record is this prefix + the post's URL: with the bare
URL, pywb (tested) serves the JSON in place of the archived page. The page's URL is also in
``WARC-Refers-To-Target-URI``, as for revisit records."""


@dataclass(frozen=True)
class RecordLocation:
    """Where a record was written: enough to read it back with one seek."""

    warc_file: str
    warc_record_id: str
    warc_offset: int
    warc_date: str
    payload_digest: str | None = None
    revisit: bool = False
    """True for a revisit record: the full capture is the one the state points at."""


REVISIT_PROFILES = {
    "identical": "http://netpreserve.org/warc/1.0/revisit/identical-payload-digest",
    "not_modified": "http://netpreserve.org/warc/1.0/revisit/server-not-modified",
}


def revisit_record(
    builder: WARCWriter,
    request: Request,
    response: Response,
    payload_digest: str | None,
    full: warcio.recordloader.ArcWarcRecord,
) -> warcio.recordloader.ArcWarcRecord | None:
    """A revisit record instead of ``full`` when a re-crawl met a 304, or the same payload as the
    capture the crawl state remembers (``archiver.incremental.PREVIOUS_KEY`` in request meta)."""
    from archiver.incremental import PREVIOUS_KEY

    previous = request.meta.get(PREVIOUS_KEY)
    if not previous:
        return None
    if response.status == 304:
        profile = REVISIT_PROFILES["not_modified"]
    elif response.status == 200 and payload_digest == previous["payload_digest"]:
        profile = REVISIT_PROFILES["identical"]
    else:
        return None
    record = builder.create_revisit_record(
        response.url,
        digest=previous["payload_digest"],
        refers_to_uri=previous["url"],
        refers_to_date=previous["warc_date"],
        http_headers=full.http_headers,
        warc_headers_dict={"WARC-Refers-To": previous["warc_record_id"]},
    )
    record.rec_headers.replace_header("WARC-Profile", profile)
    for name in ("WARC-IP-Address", "WARC-Truncated"):
        value = full.rec_headers.get_header(name)
        if value:
            record.rec_headers.replace_header(name, value)
    return record


GZIP_LEVEL = 6
"""zlib's default level: on HTML pages as small as warcio's level 9 (18.9% of the size against
18.8%, measured on the recorded fixtures) for two thirds of the CPU, which the reactor spends."""


def serialize_record(record: warcio.recordloader.ArcWarcRecord) -> bytes:
    """One record as bytes, uncompressed, by warcio's own writer."""
    buffer = BytesIO()
    WARCWriter(buffer, gzip=False).write_record(record)
    return buffer.getvalue()


def gzip_member(data: bytes) -> bytes:
    """``data`` as one gzip member at ``GZIP_LEVEL`` (zlib lets go of the GIL meanwhile)."""
    compressor = zlib.compressobj(GZIP_LEVEL, zlib.DEFLATED, zlib.MAX_WBITS + 16)
    return compressor.compress(data) + compressor.flush()


def gzip_record(record: warcio.recordloader.ArcWarcRecord) -> bytes:
    """One record as one gzip member (warcio's own writer, uncompressed, then ``GZIP_LEVEL``)."""
    return gzip_member(serialize_record(record))


def utc_timestamp(now: datetime | None = None) -> str:
    """Compact UTC timestamp used in file names, e.g. "20261129T204500Z"."""
    return (now or datetime.now(timezone.utc)).strftime("%Y%m%dT%H%M%S%fZ")


class WarcFileWriter:
    """Appends gzip-per-record WARC records to ``<prefix>-<UTC timestamp>-<serial>-<host>.warc.gz``."""

    def __init__(
        self,
        directory: Path,
        host: str,
        prefix: str,
        max_size: int,
        info: dict[str, str],
        on_new_file: Callable[[list[Path]], None] | None = None,
        on_record: Callable[[warcio.recordloader.ArcWarcRecord, str, int, int], None] | None = None,
        call_soon: Callable[[Callable[[], None]], None] | None = None,
    ):
        self.on_new_file = on_new_file
        self.on_record = on_record
        """Called with (record, file name, offset, length) after each record is written."""
        self.call_soon = call_soon
        """Runs a function on the writer's own thread (``reactor.callFromThread``): a record
        compressed on the thread is then appended at once, not at the next ``write``."""
        self.directory = directory
        self.host = host
        self.prefix = prefix
        self.max_size = max_size
        self.info = info
        self.serial = 0
        self.files: list[Path] = []
        self._fh: BinaryIO | None = None
        self._writer: WARCWriter | None = None
        self._later: deque[tuple[warcio.recordloader.ArcWarcRecord, Future[bytes]]] = deque()
        self._compressor: ThreadPoolExecutor | None = None

    def _open_next(self) -> None:
        self._close_file()
        self.directory.mkdir(parents=True, exist_ok=True)
        self.serial += 1
        name = f"{self.prefix}-{utc_timestamp()}-{self.serial:05d}-{self.host}.warc.gz"
        path = self.directory / name
        self._fh = open(path, "xb")  # noqa: SIM115 - kept open for the whole crawl, closed in close()
        self._writer = WARCWriter(self._fh, gzip=True)
        self.files.append(path)
        if self.on_new_file is not None:
            self.on_new_file(self.files)
        self._write(self._writer.create_warcinfo_record(name, self.info))

    def _write(
        self, *records: warcio.recordloader.ArcWarcRecord, members: list[bytes] | None = None
    ) -> list[RecordLocation]:
        """Compress the records (unless ``members`` holds them compressed), then write them in
        one go: a killed crawl leaves a response with its request record, or neither (a kill
        can still cut the write itself)."""
        assert self._fh is not None
        assert self._writer is not None
        offset = self._fh.tell()
        compressed, members, locations = members or [], [], []
        for n, record in enumerate(records):
            member = compressed[n] if compressed else gzip_record(record)
            locations.append(
                RecordLocation(
                    warc_file=self.files[-1].name,
                    warc_record_id=record.rec_headers.get_header("WARC-Record-ID"),
                    warc_offset=offset,
                    warc_date=record.rec_headers.get_header("WARC-Date"),
                )
            )
            members.append(member)
            offset += len(member)
        self._fh.write(b"".join(members))
        self._fh.flush()
        if self.on_record is not None:
            for record, member, location in zip(records, members, locations, strict=True):
                self.on_record(record, location.warc_file, location.warc_offset, len(member))
        return locations

    def write(self, *records: warcio.recordloader.ArcWarcRecord) -> list[RecordLocation]:
        """Write records together in one file (a request and its response never straddle files)."""
        self._append_later()
        if self._fh is None or self._fh.tell() >= self.max_size:
            self._open_next()
        return self._write(*records)

    def write_later(self, record: warcio.recordloader.ArcWarcRecord) -> None:
        """Queue a record whose location nobody waits for (a post's metadata): it is compressed
        on a thread, where zlib runs beside the reactor, and appended by a later ``write`` (or
        ``close``), in the order queued."""
        if self._compressor is None:
            self._compressor = ThreadPoolExecutor(1, thread_name_prefix="warc-gzip")
        data = serialize_record(record)
        future = self._compressor.submit(gzip_member, data)
        self._later.append((record, future))
        if self.call_soon is not None:
            call_soon = self.call_soon
            future.add_done_callback(lambda _: call_soon(self._append_later))

    def _append_later(self, wait: bool = False) -> None:
        """Append the queued records already compressed (all of them with ``wait``)."""
        while self._later and (wait or self._later[0][1].done()):
            record, future = self._later.popleft()
            try:
                member = future.result()
            except Exception:
                target = record.rec_headers.get_header("WARC-Target-URI")
                logger.exception("Compressing the WARC record of %s failed", target)
                continue
            if self._fh is None or self._fh.tell() >= self.max_size:
                self._open_next()
            self._write(record, members=[member])

    @property
    def builder(self) -> WARCWriter:
        if self._writer is None:
            self._open_next()
        assert self._writer is not None
        return self._writer

    def close(self) -> None:
        """Append what is queued, then flush, fsync and close the file."""
        self._append_later(wait=True)
        if self._compressor is not None:
            self._compressor.shutdown()
            self._compressor = None
        self._close_file()

    def _close_file(self) -> None:
        if self._fh is not None:
            self._fh.flush()
            os.fsync(self._fh.fileno())
            self._fh.close()
        self._fh = None
        self._writer = None


def request_line_target(url: str) -> str:
    """Path and query of a URL as sent in the request line ("/a/b?x=1")."""
    parts = urlsplit(url)
    return (parts.path or "/") + (f"?{parts.query}" if parts.query else "")


def header_pairs(headers: scrapy.http.headers.Headers) -> list[tuple[str, str]]:
    """Every value of every header, repeated headers kept, as text pairs."""
    pairs: list[tuple[str, str]] = []
    for name, values in headers.items():
        key = name.decode("latin-1")
        for value in values:
            pairs.append((key, value.decode("latin-1")))
    return pairs


def header_text(value: bytes) -> str:
    """Header bytes as text: UTF-8 when they are, else Latin-1 (warcio %-encodes non-ASCII)."""
    try:
        return value.decode("utf-8")
    except UnicodeDecodeError:
        return value.decode("latin-1")


def true_length_headers(
    pairs: list[tuple[str, str]], body_length: int, status: int
) -> list[tuple[str, str]]:
    """Headers with Transfer-Encoding renamed and a Content-Length equal to the stored body.

    A received Content-Length that agrees stays where it was; one that does not is kept as
    ``X-Archive-Orig-Content-Length`` with the true one after it; a missing one is added at the end
    (except on a bodiless 204/304).

    >>> true_length_headers([("Transfer-Encoding", "chunked"), ("X", "1")], 5, 200)
    [('X-Archive-Orig-Transfer-Encoding', 'chunked'), ('X', '1'), ('Content-Length', '5')]
    >>> true_length_headers([("content-length", "9")], 5, 200)
    [('X-Archive-Orig-Content-Length', '9'), ('Content-Length', '5')]
    """
    declared = [v.strip() for k, v in pairs if k.lower() == "content-length"]
    agrees = len(declared) == 1 and declared[0] == str(body_length)
    out: list[tuple[str, str]] = []
    for key, value in pairs:
        lower = key.lower()
        if lower == "content-length" and not agrees:
            out.append((ORIG_CONTENT_LENGTH, value))
        else:
            out.append((RENAMED_HEADERS.get(lower, key), value))
    if not agrees and (body_length or status not in NO_BODY_STATUSES):
        renamed = [i for i, (k, _) in enumerate(out) if k == ORIG_CONTENT_LENGTH]
        position = renamed[-1] + 1 if renamed else len(out)
        out.insert(position, ("Content-Length", str(body_length)))
    return out


def response_http_headers(response: Response, raw: RawExchange | None = None) -> StatusAndHeaders:
    """Status line and headers that agree with the stored body (de-chunked, true length).

    With ``raw`` (what went over the wire) the protocol, reason phrase, header names, order and
    every header line are kept as received; without it, Scrapy's view is used and the reason
    phrase is the standard one for the status code.
    """
    if raw is not None:
        protocol, _, statusline = header_text(raw.status_line).partition(" ")
        pairs = [(header_text(k), header_text(v)) for k, v in raw.headers]
    else:
        try:
            reason = HTTPStatus(response.status).phrase
        except ValueError:
            reason = ""
        protocol = response.protocol or "HTTP/1.1"
        statusline = f"{response.status} {reason}".strip()
        pairs = header_pairs(response.headers)
    pairs = true_length_headers(pairs, len(response.body), response.status)
    return StatusAndHeaders(statusline, pairs, protocol=protocol)


def parse_request_head(head: bytes) -> StatusAndHeaders | None:
    """The request line and headers of a raw request head (None when it is not one)."""
    lines = head.split(b"\r\n")
    if len(lines) < 2 or lines[0].count(b" ") < 2:
        return None
    pairs = []
    for line in lines[1:]:
        if not line:
            break
        name, sep, value = line.partition(b":")
        if sep:
            pairs.append((header_text(name), header_text(value.strip())))
    return StatusAndHeaders(header_text(lines[0]), pairs, is_http_request=True)


def request_http_headers(request: Request, raw: RawExchange | None = None) -> StatusAndHeaders:
    """The request as sent: the raw head when recorded, else rebuilt from Scrapy's request."""
    if raw is not None and raw.request_head:
        parsed = parse_request_head(raw.request_head)
        if parsed is not None:
            return parsed
    pairs = header_pairs(request.headers)
    if not any(k.lower() == "host" for k, _ in pairs):
        pairs.insert(0, ("Host", urlsplit(request.url).netloc))
    line = f"{request.method} {request_line_target(request.url)} HTTP/1.1"
    return StatusAndHeaders(line, pairs, is_http_request=True)


def warcinfo_fields(settings: Any, start_url: str, crawl_id: str) -> dict[str, str]:
    """The ``warcinfo`` record's fields: software, crawl, robots policy and the crawl's settings."""
    recorded = {name: getattr(settings, get)(name) for name, get in WARCINFO_SETTINGS.items()}
    return {
        "software": f"blog-archiver/{__version__} (Scrapy {scrapy.__version__}, "
        f"warcio {_version('warcio')}, Twisted {_version('twisted')})",
        "format": "WARC File Format 1.0",
        "conformsTo": "http://bibnum.bnf.fr/WARC/WARC_ISO_28500_version1_latestdraft.pdf",
        "isPartOf": crawl_id,
        "description": f"blog-archiver crawl of {start_url}",
        "start-url": start_url,
        "robots": "obey" if settings.getbool("ROBOTSTXT_OBEY") else "ignore",
        "http-header-user-agent": settings.get("USER_AGENT") or "",
        "http-header-accept-encoding": str(
            (settings.getdict("DEFAULT_REQUEST_HEADERS") or {}).get("Accept-Encoding", "")
        ),
        "crawl-settings": json.dumps(recorded, sort_keys=True, default=str),
        "operator-host": platform.system(),
    }


def _version(distribution: str) -> str:
    try:
        return importlib.metadata.version(distribution)
    except importlib.metadata.PackageNotFoundError:
        return "unknown"


def _reactor_call_soon() -> Callable[[Callable[[], None]], None] | None:
    """``reactor.callFromThread`` of the running Twisted reactor (None outside one)."""
    from twisted.internet import reactor

    return getattr(reactor, "callFromThread", None)


class WarcExtension:
    """Writes a request and a response record for every downloaded response."""

    def __init__(self, crawler: Crawler):
        settings = crawler.settings
        if not settings.getbool("WARC_ENABLED", True):
            raise NotConfigured("WARC_ENABLED is off")
        self.crawler = crawler
        self.output_dir = Path(settings.get("ARCHIVER_OUTPUT_DIR", "output"))
        self.prefix = settings.get("WARC_PREFIX") or "archiver"
        self.max_size = settings.getint("WARC_MAX_SIZE", 1024**3)
        self.writer: WarcFileWriter | None = None
        self.site: Path | None = None
        self.index_at_close = True
        """Write the site's ``index.cdxj`` at the end (``archiver merge`` does it for workers)."""
        self.index: LiveIndex | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> WarcExtension:
        ext = cls(crawler)
        crawler.signals.connect(ext.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        crawler.signals.connect(ext.response_downloaded, signal=signals.response_downloaded)
        crawler.signals.connect(ext.post_stored, signal=archiver_signals.post_stored)
        return ext

    def spider_opened(self, spider: Spider) -> None:
        start_url = getattr(spider, "start_url", None) or ""
        directory = site_dir(self.output_dir, start_url) / "warc"
        host = directory.parent.name
        self.site = directory.parent
        info = warcinfo_fields(self.crawler.settings, start_url, getattr(spider, "crawl_id", ""))
        self.index = LiveIndex(self.site) if self.index_at_close else None
        self.writer = WarcFileWriter(
            directory,
            host,
            self.prefix,
            self.max_size,
            info,
            on_new_file=lambda files: self.crawler.stats.set_value(
                "warc/file_names", [f.name for f in files]
            ),
            on_record=self._index_record if self.index is not None else None,
            call_soon=_reactor_call_soon(),
        )

    def _index_record(
        self, record: warcio.recordloader.ArcWarcRecord, name: str, offset: int, length: int
    ) -> None:
        """The record's index line; on failure the index is rebuilt from the files at the end."""
        if self.index is None:
            return
        try:
            self.index.add(record, name, offset, length)
        except Exception:
            logger.exception("Indexing %s failed: the index is rebuilt at the end", name)
            self.index = None

    def spider_closed(self, spider: Spider) -> None:
        if self.writer is None:
            return
        self.writer.close()
        stats = self.crawler.stats
        stats.set_value("warc/files", len(self.writer.files))
        if not self.writer.files or self.site is None or not self.index_at_close:
            return
        from archiver.pack import pack_site

        try:
            if self.index is not None:
                _index, lines, problems = self.index.finish()
            else:
                _index, lines, problems = write_site_index(self.site)
            stats.set_value("warc/index_lines", lines)
            for problem in problems:
                logger.warning("CDXJ index of %s: %s", self.site, problem)
            if self.crawler.settings.getbool("WARC_WACZ"):
                wacz = pack_site(self.site)
                stats.set_value("warc/wacz", str(wacz.path))
                logger.info("WACZ written: %s (%d pages)", wacz.path, wacz.pages)
        except Exception:
            logger.exception("Writing the CDXJ index or WACZ of %s failed", self.site)
            stats.inc_value("warc/errors")

    def post_stored(self, post: dict[str, Any], line: bytes | None = None) -> None:
        """Signal handler: archive the stored post's JSON next to its response record."""
        if self.writer is None:
            return
        try:
            if self.write_post_metadata(post, line):
                self.crawler.stats.inc_value("warc/metadata_records")
        except Exception:
            logger.exception("WARC metadata record failed for %s", post.get("url"))
            self.crawler.stats.inc_value("warc/errors")

    def write_post_metadata(self, post: dict[str, Any], line: bytes | None = None) -> bool:
        """Write one ``metadata`` record holding ``post`` as JSON (``line`` when already encoded),
        referring to its response, soon (``WarcFileWriter.write_later``).

        False (nothing written) when the post names no response record, e.g. one extracted
        while WARC capture was off.
        """
        refers_to = (post.get("provenance") or {}).get("warc_record_id")
        if self.writer is None or not refers_to or not post.get("url"):
            return False
        payload = line if line is not None else json_line(post)
        warc_headers = {"WARC-Refers-To": refers_to, "WARC-Refers-To-Target-URI": post["url"]}
        fetched_at = (post.get("provenance") or {}).get("fetched_at")
        if fetched_at:
            warc_headers["WARC-Refers-To-Date"] = fetched_at
        record = self.writer.builder.create_warc_record(
            POST_METADATA_URI_PREFIX + post["url"],
            "metadata",
            payload=BytesIO(payload),
            length=len(payload),
            warc_content_type=POST_METADATA_CONTENT_TYPE,
            warc_headers_dict=warc_headers,
        )
        self.writer.write_later(record)
        return True

    def response_downloaded(self, response: Response, request: Request, spider: Spider) -> None:
        if self.writer is None:
            return
        try:
            self._capture(response, request)
        except Exception:
            logger.exception("WARC capture failed for %s", request.url)
            self.crawler.stats.inc_value("warc/errors")

    def _capture(self, response: Response, request: Request) -> None:
        builder = self.writer.builder  # type: ignore[union-attr]
        raw = raw_exchange(request, response)
        if raw is None:
            self.crawler.stats.inc_value("warc/headers_from_scrapy")
        warc_headers = {}
        if response.ip_address is not None:
            warc_headers["WARC-IP-Address"] = str(response.ip_address)
        if "dataloss" in response.flags:
            warc_headers["WARC-Truncated"] = "disconnect"
        resp_record = builder.create_warc_record(
            response.url,
            "response",
            payload=BytesIO(response.body),
            length=len(response.body),
            http_headers=response_http_headers(response, raw),
            warc_headers_dict=warc_headers,
        )
        payload_digest = resp_record.rec_headers.get_header("WARC-Payload-Digest")
        revisit = revisit_record(builder, request, response, payload_digest, resp_record)
        if revisit is not None:
            resp_record = revisit
        resp_id = resp_record.rec_headers.get_header("WARC-Record-ID")
        body = request.body or b""
        req_record = builder.create_warc_record(
            request.url,
            "request",
            payload=BytesIO(body),
            length=len(body),
            http_headers=request_http_headers(request, raw),
            warc_headers_dict={
                "WARC-Concurrent-To": resp_id,
                "WARC-Date": resp_record.rec_headers.get_header("WARC-Date"),
            },
        )
        resp_loc, _ = self.writer.write(resp_record, req_record)  # type: ignore[union-attr]
        resp_loc = dataclasses.replace(
            resp_loc, payload_digest=payload_digest, revisit=revisit is not None
        )
        if revisit is not None:
            self.crawler.stats.inc_value("warc/revisits")
        request.meta[META_KEY] = resp_loc
        stats = self.crawler.stats
        stats.inc_value("warc/records", 2)
        stats.inc_value("warc/bytes", len(response.body))
