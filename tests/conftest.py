"""Shared test fixtures: real HTTP servers on 127.0.0.1 and the recorded WordPress site."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT.parent / "shared" / "fixtures"
WORDPRESS = FIXTURES / "wordpress"
RECORDED_ORIGIN = "http://127.0.0.1:8090"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(url: str, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except urllib.error.HTTPError:
            return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


@pytest.fixture(scope="session")
def wordpress_site() -> Iterator[str]:
    """The recorded WordPress 6.1 blog, replayed by its own server on a free loopback port."""
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, str(WORDPRESS / "serve.py"), "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    origin = f"http://127.0.0.1:{port}"
    try:
        wait_for(origin + "/robots.txt")
        yield origin
    finally:
        proc.terminate()
        proc.wait(timeout=10)


@pytest.fixture(scope="session")
def truth() -> dict:
    return json.loads((WORDPRESS / "truth.json").read_text("utf-8"))


# Settings for crawling our own loopback servers: no politeness delay is needed there.
FAST_LOCAL = [
    "-s",
    "DOWNLOAD_DELAY=0",
    "-s",
    "AUTOTHROTTLE_ENABLED=False",
    "-s",
    "CONCURRENT_REQUESTS_PER_DOMAIN=8",
]


def run_archiver(*args: str, timeout: float = 180) -> subprocess.CompletedProcess[str]:
    """Run the ``archiver`` command line in a subprocess, as a user would."""
    return subprocess.run(
        [sys.executable, "-m", "archiver.cli", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=ROOT,
    )


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text("utf-8").splitlines()]


@pytest.fixture(scope="session")
def wordpress_crawl(wordpress_site: str, tmp_path_factory: pytest.TempPathFactory) -> dict:
    """One `archiver crawl` of the recorded blog from its home page, shared by the tests."""
    out = tmp_path_factory.mktemp("wp-home")
    proc = run_archiver("crawl", wordpress_site + "/", "--output", str(out), *FAST_LOCAL)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    site = out / "127.0.0.1"
    return {"out": out, "site": site, "posts": read_jsonl(site / "posts.jsonl"), "proc": proc}


@pytest.fixture(scope="session")
def demo_archive(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """One `archiver demo` run (the bundled blog), shared by the report and export tests."""
    out = tmp_path_factory.mktemp("demo-archive")
    proc = run_archiver("demo", "--output", str(out))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    site = out / "127.0.0.1"
    return {"out": out, "site": site, "posts": read_jsonl(site / "posts.jsonl"), "proc": proc}
