"""HTTP/1.1 download handler that keeps the exchange's head as it went over the wire.

Twisted's HTTP client, which Scrapy's ``HTTP11DownloadHandler`` uses, hides what a WARC must
record: it lowercases and regroups header names, drops the connection-control headers
(``Transfer-Encoding``, ``Content-Length``, ``Connection``, ``Keep-Alive`` ...) from the headers it
hands on, and Scrapy never sees the reason phrase. ``ArchiverDownloadHandler`` is Scrapy's handler
with a parser that also records the raw status line and every header line in order, and the bytes
of the request head Twisted wrote. The result is left in ``request.meta[RAW_META_KEY]`` as a
``RawExchange`` for the WARC extension, which fires on ``response_downloaded`` right after.

This leans on private classes of Scrapy 2.19 (``scrapy.core.downloader.handlers.http11``); when
they are not there, the plain handler is used and the WARC extension falls back to Scrapy's view of
the headers (``RAW_CAPTURE_AVAILABLE`` says which).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from scrapy.core.downloader.handlers.http11 import HTTP11DownloadHandler

if TYPE_CHECKING:
    from scrapy import Request
    from scrapy.http import Response

logger = logging.getLogger(__name__)

RAW_META_KEY = "archiver_raw_http"
"""Request meta key of the ``RawExchange`` of the response just downloaded."""

RAW_ATTR = "_archiver_raw"
"""Attribute of Twisted's response object that carries the recording from parser to handler."""


@dataclass(frozen=True)
class RawExchange:
    """The heads of one HTTP exchange exactly as sent and received (bodies are not kept here)."""

    request_head: bytes | None
    """Request line and header lines as written, ending with the blank line; None if unknown."""
    status_line: bytes
    """The response's status line as received, e.g. ``b"HTTP/1.1 404 Not Found"``."""
    headers: tuple[tuple[bytes, bytes], ...]
    """Every response header line in order, name as sent, value stripped of surrounding space."""

    @property
    def status(self) -> int | None:
        """Status code of the status line, None when it does not parse."""
        parts = self.status_line.split(b" ", 2)
        return int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else None


def raw_exchange(request: Request, response: Response) -> RawExchange | None:
    """Take the recording of ``response`` out of the request's meta (None if there is none)."""
    raw = request.meta.pop(RAW_META_KEY, None)
    if isinstance(raw, RawExchange) and raw.status == response.status:
        return raw
    return None


class _HeadSink:
    """Collects what Twisted's ``Request._writeHeaders`` would write to the transport."""

    def __init__(self) -> None:
        self.parts: list[bytes] = []

    def write(self, data: bytes) -> None:
        self.parts.append(data)

    def writeSequence(self, seq: list[bytes]) -> None:
        self.parts.extend(seq)


def _request_head(txrequest: Any) -> bytes | None:
    """The bytes of the request head, rendered by Twisted's own code as it renders them to send."""
    producer = txrequest.bodyProducer
    if producer is None:
        te_or_cl = b"Content-Length: 0\r\n" if txrequest.method in (b"PUT", b"POST") else None
    elif producer.length is UNKNOWN_LENGTH:
        te_or_cl = b"Transfer-Encoding: chunked\r\n"
    else:
        te_or_cl = b"Content-Length: %d\r\n" % producer.length
    sink = _HeadSink()
    try:
        txrequest._writeHeaders(sink, te_or_cl)
    except Exception:  # a request Twisted refuses fails on the real write too; nothing to record
        logger.debug("Request head not rendered", exc_info=True)
        return None
    return b"".join(sink.parts)


try:
    from scrapy.core.downloader.handlers.http11 import (
        ResponseDataLossError,
        _LenientHTTP11ClientFactory,
        _LenientHTTP11ClientProtocol,
        _LenientHTTPClientParser,
        _ScrapyAgent,
    )
    from scrapy.utils._download_handlers import get_dataloss_msg, wrap_twisted_exceptions
    from scrapy.utils.defer import maybe_deferred_to_future
    from twisted.web.iweb import UNKNOWN_LENGTH

    RAW_CAPTURE_AVAILABLE = True
except ImportError:  # pragma: no cover - another Scrapy version
    RAW_CAPTURE_AVAILABLE = False

if RAW_CAPTURE_AVAILABLE:

    class _RecordingParser(_LenientHTTPClientParser):
        """Scrapy's lenient parser, also keeping the raw status line and header lines."""

        def statusReceived(self, status: bytes) -> None:
            super().statusReceived(status)
            self._archiver_headers: list[tuple[bytes, bytes]] = []
            setattr(
                self.response,
                RAW_ATTR,
                {"status_line": status, "headers": self._archiver_headers},
            )

        def headerReceived(self, name: bytes, value: bytes) -> None:
            recorded = getattr(self, "_archiver_headers", None)
            if recorded is not None:
                recorded.append((name, value))
            super().headerReceived(name, value)

    class _RecordingProtocol(_LenientHTTP11ClientProtocol):
        """Uses ``_RecordingParser`` and renders the request head for the record."""

        def request(self, request: Any) -> Any:
            head = _request_head(request)
            d = super().request(request)
            assert self._parser is not None
            self._parser.__class__ = _RecordingParser

            def attach(response: Any) -> Any:
                raw = getattr(response, RAW_ATTR, None)
                if isinstance(raw, dict):
                    raw["request_head"] = head
                return response

            d.addCallback(attach)
            return d

    class _RecordingFactory(_LenientHTTP11ClientFactory):
        def buildProtocol(self, addr: Any) -> Any:
            return _RecordingProtocol(self._quiescentCallback)

    class _RecordingAgent(_ScrapyAgent):
        """Moves the recording from Twisted's response to the Scrapy request's meta."""

        def _cb_bodyready(self, txresponse: Any, request: Request) -> Any:
            raw = getattr(txresponse, RAW_ATTR, None)
            if isinstance(raw, dict):
                request.meta[RAW_META_KEY] = RawExchange(
                    request_head=raw.get("request_head"),
                    status_line=raw["status_line"],
                    headers=tuple(raw["headers"]),
                )
            else:
                request.meta.pop(RAW_META_KEY, None)
            return super()._cb_bodyready(txresponse, request)


class ArchiverDownloadHandler(HTTP11DownloadHandler):
    """Scrapy's HTTP/1.1 handler, recording each exchange's raw heads into the request's meta."""

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        if RAW_CAPTURE_AVAILABLE:
            self._pool._factory = _RecordingFactory

    async def download_request(self, request: Request) -> Response:
        if not RAW_CAPTURE_AVAILABLE:  # pragma: no cover - another Scrapy version
            return await super().download_request(request)
        # Scrapy 2.19's HTTP11DownloadHandler.download_request, with the recording agent.
        agent = _RecordingAgent(
            contextFactory=self._contextFactory,
            bindAddress=self._bind_address,
            pool=self._pool,
            maxsize=self._default_maxsize,
            warnsize=self._default_warnsize,
            fail_on_dataloss=self._fail_on_dataloss,
            crawler=self._crawler,
            tls_verbose_logging=self._tls_verbose_logging,
        )
        try:
            with wrap_twisted_exceptions():
                return await maybe_deferred_to_future(agent.download_request(request))
        except ResponseDataLossError:
            if not self._fail_on_dataloss_warned:
                logger.warning(get_dataloss_msg(request.url))
                self._fail_on_dataloss_warned = True
            raise
