"""Helpers of the distributed-crawl tests: a real redis-server, the Python that runs the workers,
and the recorded WordPress blog served with a request log (and, if asked, latency).

The workers run in a Python that has scrapy-redis and redis-py >= 4.2. The test environment's own
Python cannot: pywb (the replay tests) pins redis-py 2.10. So ``.ci/run`` makes ``.venv-redis``
(``--system-site-packages``: everything else comes from the test environment) with the
``[redis]`` extra, and the tests run ``archiver`` from it; ``ARCHIVER_REDIS_PYTHON`` names
another such Python.
"""

from __future__ import annotations

import itertools
import json
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
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


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: object, client_address: object) -> None:
        """A worker killed with SIGKILL resets its connections: expected in these tests."""


@contextmanager
def wordpress_server(latency: float = 0.0) -> Iterator[tuple[str, RequestLog]]:
    """The recorded WordPress blog (as tests/conftest's fixture serves it), in this process, with
    a log of request arrivals and ``latency`` seconds before each answer."""
    index = json.loads((WORDPRESS / "index.json").read_text("utf-8"))
    entries = index["entries"]
    port = free_port()
    origin = f"http://127.0.0.1:{port}"
    pairs = [
        (RECORDED_ORIGIN, origin),
        (RECORDED_ORIGIN.replace("/", "\\/"), origin.replace("/", "\\/")),
    ]
    log = RequestLog()

    def rewrite(text: str) -> str:
        for old, new in pairs:
            text = text.replace(old, new)
        return text

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:
            with log.lock:
                log.arrivals.append((time.monotonic(), self.path))
                log.in_flight += 1
                log.peak_in_flight = max(log.peak_in_flight, log.in_flight)
            try:
                if latency:
                    time.sleep(latency)
                self._answer()
            finally:
                with log.lock:
                    log.in_flight -= 1

        def _answer(self) -> None:
            path = self.path.split("#")[0]
            entry = entries.get(path) or entries.get(path.split("?")[0])
            if entry is None:
                entry = dict(entries.get("/this-page-does-not-exist/", {"headers": {}}))
                entry["status"] = 404
            body = b""
            if entry.get("file"):
                body = (WORDPRESS / entry["file"]).read_bytes()
            headers = entry.get("headers", {})
            if body and headers.get("Content-Type", "").startswith(TEXT_TYPES):
                body = rewrite(body.decode("utf-8", "surrogateescape")).encode(
                    "utf-8", "surrogateescape"
                )
            self.send_response(entry["status"])
            for name, value in headers.items():
                if name.lower() not in DROP_HEADERS:
                    self.send_header(
                        name, rewrite(value) if name.lower() in ("location", "link") else value
                    )
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = _Server(("127.0.0.1", port), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield origin, log
    finally:
        server.shutdown()
        server.server_close()


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
