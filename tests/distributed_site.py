"""Helpers of the distributed-crawl tests: a real redis-server, the Python that runs the workers,
and the recorded WordPress blog served with a request log (and, if asked, latency).

The workers run in a Python that has scrapy-redis and redis-py >= 4.2. The test environment's own
Python cannot: pywb (the replay tests) pins redis-py 2.10. So ``.ci/run`` makes ``.venv-redis``
(``--system-site-packages``: everything else comes from the test environment) with the
``[redis]`` extra, and the tests run ``archiver`` from it; ``ARCHIVER_REDIS_PYTHON`` names
another such Python.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import os
import shutil
import socket
import struct
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http import HTTPStatus
from pathlib import Path

import pytest

from tests.conftest import ROOT, WORDPRESS, free_port

RECORDED_ORIGIN = "http://127.0.0.1:8090"
DROP_HEADERS = {"date", "server", "connection", "transfer-encoding", "content-length", "keep-alive"}
TEXT_TYPES = ("text/", "application/xml", "application/json", "application/rss+xml")
SETUP_HINT = (
    "python3 -m venv --system-site-packages .venv-redis && "
    ".venv-redis/bin/python -m pip install -e '.[redis]'   (what .ci/run does)"
)


def _has_scrapy_redis(python: str) -> bool:
    probe = "import redis, scrapy_redis; assert int(redis.__version__.split('.')[0]) >= 4"
    try:
        return (
            subprocess.run([python, "-c", probe], capture_output=True, timeout=60).returncode == 0
        )
    except OSError:
        return False


def redis_python() -> str:
    """A Python with scrapy-redis and redis-py >= 4.2; the test fails, saying how, without one."""
    candidates = [
        os.environ.get("ARCHIVER_REDIS_PYTHON", ""),
        str(ROOT / ".venv-redis" / "bin" / "python"),
        sys.executable,
    ]
    for python in candidates:
        if python and _has_scrapy_redis(python):
            return python
    pytest.fail(f"no Python with scrapy-redis and redis-py >= 4.2: {SETUP_HINT}")


def redis_server_binary() -> str:
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.fail("redis-server is missing: apt-get install redis-server (.ci/run does)")
    return binary


@contextmanager
def redis_server(directory: Path) -> Iterator[str]:
    """A redis-server of our own on a free loopback port, no persistence; its URL."""
    port = free_port()
    proc = subprocess.Popen(
        [
            redis_server_binary(),
            "--port", str(port),
            "--bind", "127.0.0.1",
            "--save", "",
            "--appendonly", "no",
            "--dir", str(directory),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1) as s:
                    s.sendall(b"PING\r\n")
                    if s.recv(16).startswith(b"+PONG"):
                        break
            except OSError:
                pass
            if time.monotonic() > deadline or proc.poll() is not None:
                raise RuntimeError("redis-server did not start")
            time.sleep(0.05)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def redis_cli(url: str, *args: str) -> str:
    """One Redis command through redis-cli (the test's Python has too old a redis-py)."""
    port = url.rsplit(":", 1)[1].split("/")[0]
    out = subprocess.run(
        ["redis-cli", "-p", port, *args], capture_output=True, text=True, timeout=10, check=True
    )
    return out.stdout.strip()


@dataclass
class RequestLog:
    """What the server saw: (arrival time, path) of every request, and the peak in flight."""

    arrivals: list[tuple[float, str]] = field(default_factory=list)
    in_flight: int = 0
    peak_in_flight: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def gaps(self) -> list[float]:
        times = sorted(t for t, _ in self.arrivals)
        return [b - a for a, b in itertools.pairwise(times)]

    def clear(self) -> None:
        with self.lock:
            self.arrivals.clear()
            self.in_flight = self.peak_in_flight = 0


Answer = tuple[int, list[tuple[str, str]], bytes]
TIMESPEC = struct.Struct("qq")
SO_TIMESTAMPNS = getattr(socket, "SO_TIMESTAMPNS", 35)
"""Linux's socket option (Python does not name it): receive times as a struct timespec."""


class TimedServer:
    """A small HTTP/1.1 server (GET, keep-alive, a thread per connection) that logs each request
    with the kernel's receive time of its first bytes (``SO_TIMESTAMPNS``): however late a busy
    machine schedules the server's threads, the gaps between requests are measured as they came.
    Each answer is ``respond(path)``, sent ``latency`` seconds after the request arrived."""

    def __init__(
        self, respond: Callable[[str], Answer], latency: float = 0.0, host: str = "127.0.0.1"
    ) -> None:
        self.respond = respond
        self.latency = latency
        self.log = RequestLog()
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind((host, 0))
        self.sock.listen(128)
        self.port = self.sock.getsockname()[1]
        self.origin = f"http://{host}:{self.port}"
        self._closed = False
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while not self._closed:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn: socket.socket) -> None:
        conn.setsockopt(socket.SOL_SOCKET, SO_TIMESTAMPNS, 1)
        buffer, stamp = b"", 0.0
        with conn:
            while not self._closed:
                try:
                    data, ancillary, _flags, _addr = conn.recvmsg(65536, socket.CMSG_SPACE(16))
                except OSError:
                    return
                if not data:
                    return
                received = time.time()
                for level, kind, cdata in ancillary:
                    if level == socket.SOL_SOCKET and kind == SO_TIMESTAMPNS:
                        sec, nsec = TIMESPEC.unpack(cdata[: TIMESPEC.size])
                        received = sec + nsec / 1e9
                if not buffer:
                    stamp = received
                buffer += data
                while b"\r\n\r\n" in buffer:
                    head, buffer = buffer.split(b"\r\n\r\n", 1)
                    path = head.split(b"\r\n", 1)[0].split(b" ")[1].decode("latin-1")
                    try:
                        self._answer(conn, path, stamp)
                    except OSError:
                        return
                    stamp = received  # a next request already in this segment came with it

    def _answer(self, conn: socket.socket, path: str, stamp: float) -> None:
        log = self.log
        with log.lock:
            log.arrivals.append((stamp, path))
            log.in_flight += 1
            log.peak_in_flight = max(log.peak_in_flight, log.in_flight)
        try:
            if self.latency:
                time.sleep(self.latency)
            status, headers, body = self.respond(path)
            reason = HTTPStatus(status).phrase
            lines = [f"HTTP/1.1 {status} {reason}", *(f"{k}: {v}" for k, v in headers)]
            lines.append(f"Content-Length: {len(body)}")
            conn.sendall(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body)
        finally:
            with log.lock:
                log.in_flight -= 1

    def close(self) -> None:
        self._closed = True
        with contextlib.suppress(OSError):
            self.sock.shutdown(socket.SHUT_RDWR)  # wakes the accepting thread
        self.sock.close()


def wordpress_answers(origin: str) -> Callable[[str], Answer]:
    """The recorded WordPress blog's answers (as tests/conftest's fixture serves it) at ``origin``."""
    index = json.loads((WORDPRESS / "index.json").read_text("utf-8"))
    entries = index["entries"]
    pairs = [
        (RECORDED_ORIGIN, origin),
        (RECORDED_ORIGIN.replace("/", "\\/"), origin.replace("/", "\\/")),
    ]

    def rewrite(text: str) -> str:
        for old, new in pairs:
            text = text.replace(old, new)
        return text

    def respond(path: str) -> Answer:
        path = path.split("#")[0]
        entry = entries.get(path) or entries.get(path.split("?")[0])
        if entry is None:
            entry = dict(entries.get("/this-page-does-not-exist/", {"headers": {}}))
            entry["status"] = 404
        body = (WORDPRESS / entry["file"]).read_bytes() if entry.get("file") else b""
        headers = entry.get("headers", {})
        if body and headers.get("Content-Type", "").startswith(TEXT_TYPES):
            body = rewrite(body.decode("utf-8", "surrogateescape")).encode(
                "utf-8", "surrogateescape"
            )
        kept = [
            (name, rewrite(value) if name.lower() in ("location", "link") else value)
            for name, value in headers.items()
            if name.lower() not in DROP_HEADERS
        ]
        return entry["status"], kept, body

    return respond


@contextmanager
def wordpress_server(
    latency: float = 0.0, host: str = "127.0.0.1"
) -> Iterator[tuple[str, RequestLog]]:
    """The recorded WordPress blog on a free port of a loopback address, with a log of request
    arrivals and ``latency`` seconds before each answer: (origin, log)."""
    server = TimedServer(lambda path: (500, [], b""), latency, host)
    server.respond = wordpress_answers(server.origin)
    try:
        yield server.origin, server.log
    finally:
        server.close()


def archiver_cmd(python: str, *args: str) -> list[str]:
    return [python, "-m", "archiver.cli", *args]


def start_archiver(python: str, *args: str, log: Path) -> subprocess.Popen[bytes]:
    """``archiver ARGS`` in the background, its output in ``log``."""
    with log.open("wb") as fh:  # the child keeps its own descriptor
        return subprocess.Popen(
            archiver_cmd(python, *args), stdout=fh, stderr=subprocess.STDOUT, cwd=ROOT
        )


def wait_until(predicate: object, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():  # type: ignore[operator]
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)
