"""WARC capture: every HTTP exchange of the crawl as a request and a response record.

``WarcExtension`` listens to Scrapy's ``response_downloaded`` signal, which fires before any
downloader middleware's ``process_response``: the body is still content-encoded (gzip as it came
over the wire) and redirects, errors and robots.txt are seen too. ``WarcFileWriter`` owns the files:
opened once, one gzip member per record, flushed after each record (a killed crawl leaves every
complete record readable), rolled over at ``WARC_MAX_SIZE``.
"""

from __future__ import annotations

import logging
import os
import platform
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone
from http import HTTPStatus
from io import BytesIO
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO
from urllib.parse import urlsplit

import scrapy
import warcio
from scrapy import signals
from scrapy.exceptions import NotConfigured
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from archiver import __version__
from archiver.output import site_dir

if TYPE_CHECKING:
    from scrapy import Request, Spider
    from scrapy.crawler import Crawler
    from scrapy.http import Response

logger = logging.getLogger(__name__)

META_KEY = "warc_capture"
"""Request meta key under which the response record's location is left for the callbacks."""

# Hop-by-hop header whose value no longer describes the stored (already de-chunked) body.
RENAMED_HEADERS = {"transfer-encoding": "X-Archive-Orig-Transfer-Encoding"}


@dataclass(frozen=True)
class RecordLocation:
    """Where a record was written: enough to read it back with one seek."""

    warc_file: str
    warc_record_id: str
    warc_offset: int
    warc_date: str


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
    ):
        self.on_new_file = on_new_file
        self.directory = directory
        self.host = host
        self.prefix = prefix
        self.max_size = max_size
        self.info = info
        self.serial = 0
        self.files: list[Path] = []
        self._fh: BinaryIO | None = None
        self._writer: WARCWriter | None = None

    def _open_next(self) -> None:
        self.close()
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

    def _write(self, record: warcio.recordloader.ArcWarcRecord) -> RecordLocation:
        assert self._fh is not None
        assert self._writer is not None
        offset = self._fh.tell()
        self._writer.write_record(record)
        self._fh.flush()
        return RecordLocation(
            warc_file=self.files[-1].name,
            warc_record_id=record.rec_headers.get_header("WARC-Record-ID"),
            warc_offset=offset,
            warc_date=record.rec_headers.get_header("WARC-Date"),
        )

    def write(self, *records: warcio.recordloader.ArcWarcRecord) -> list[RecordLocation]:
        """Write records together in one file (a request and its response never straddle files)."""
        if self._fh is None or self._fh.tell() >= self.max_size:
            self._open_next()
        return [self._write(r) for r in records]

    @property
    def builder(self) -> WARCWriter:
        if self._writer is None:
            self._open_next()
        assert self._writer is not None
        return self._writer

    def close(self) -> None:
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


def response_http_headers(response: Response) -> StatusAndHeaders:
    """Status line and headers that agree with the stored body (de-chunked, true length)."""
    pairs = []
    for key, value in header_pairs(response.headers):
        lower = key.lower()
        if lower == "content-length":
            continue
        pairs.append((RENAMED_HEADERS.get(lower, key), value))
    pairs.append(("Content-Length", str(len(response.body))))
    try:
        reason = HTTPStatus(response.status).phrase
    except ValueError:
        reason = ""
    protocol = response.protocol or "HTTP/1.1"
    return StatusAndHeaders(f"{response.status} {reason}".strip(), pairs, protocol=protocol)


def request_http_headers(request: Request) -> StatusAndHeaders:
    pairs = header_pairs(request.headers)
    if not any(k.lower() == "host" for k, _ in pairs):
        pairs.insert(0, ("Host", urlsplit(request.url).netloc))
    line = f"{request.method} {request_line_target(request.url)} HTTP/1.1"
    return StatusAndHeaders(line, pairs, is_http_request=True)


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

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> WarcExtension:
        ext = cls(crawler)
        crawler.signals.connect(ext.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        crawler.signals.connect(ext.response_downloaded, signal=signals.response_downloaded)
        return ext

    def spider_opened(self, spider: Spider) -> None:
        start_url = getattr(spider, "start_url", None) or ""
        directory = site_dir(self.output_dir, start_url) / "warc"
        host = directory.parent.name
        settings = self.crawler.settings
        info = {
            "software": f"blog-archiver/{__version__} (Scrapy {scrapy.__version__}, warcio "
            f"{warcio.__version__ if hasattr(warcio, '__version__') else ''})",
            "format": "WARC File Format 1.0",
            "conformsTo": "http://bibnum.bnf.fr/WARC/WARC_ISO_28500_version1_latestdraft.pdf",
            "isPartOf": getattr(spider, "crawl_id", ""),
            "description": f"blog-archiver crawl of {start_url}",
            "robots": "obey" if settings.getbool("ROBOTSTXT_OBEY") else "ignore",
            "http-header-user-agent": settings.get("USER_AGENT"),
            "operator-host": platform.system(),
        }
        self.writer = WarcFileWriter(
            directory,
            host,
            self.prefix,
            self.max_size,
            info,
            on_new_file=lambda files: self.crawler.stats.set_value(
                "warc/file_names", [f.name for f in files]
            ),
        )

    def spider_closed(self, spider: Spider) -> None:
        if self.writer is not None:
            self.writer.close()
            self.crawler.stats.set_value("warc/files", len(self.writer.files))

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
        warc_headers = {}
        if response.ip_address is not None:
            warc_headers["WARC-IP-Address"] = str(response.ip_address)
        resp_record = builder.create_warc_record(
            response.url,
            "response",
            payload=BytesIO(response.body),
            length=len(response.body),
            http_headers=response_http_headers(response),
            warc_headers_dict=warc_headers,
        )
        resp_id = resp_record.rec_headers.get_header("WARC-Record-ID")
        body = request.body or b""
        req_record = builder.create_warc_record(
            request.url,
            "request",
            payload=BytesIO(body),
            length=len(body),
            http_headers=request_http_headers(request),
            warc_headers_dict={
                "WARC-Concurrent-To": resp_id,
                "WARC-Date": resp_record.rec_headers.get_header("WARC-Date"),
            },
        )
        resp_loc, _ = self.writer.write(resp_record, req_record)  # type: ignore[union-attr]
        request.meta[META_KEY] = resp_loc
        stats = self.crawler.stats
        stats.inc_value("warc/records", 2)
        stats.inc_value("warc/bytes", len(response.body))
