"""A crawl killed with SIGKILL halfway leaves every complete WARC record readable.

A slow loopback server serves posts with large bodies, so that a kill sent while the WARC file is
growing usually lands inside a record. Whatever the kill cut, at most the last record of the last
file may be incomplete, every line of posts.jsonl is whole and points at an intact record, and
``archiver verify`` reports a cut record as a "truncated final record" (exit 1) and nothing else.
"""

from __future__ import annotations

import base64
import json
import os
import random
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from warcio.archiveiterator import ArchiveIterator

from archiver.records import scan_gzip_members
from tests.conftest import ROOT, run_archiver

POSTS = [f"/2019/07/{day:02d}/slow-post-{day}/" for day in range(1, 17)]
# Incompressible filler (base64 of random bytes) makes each record take a while to write.
FILLER = base64.b64encode(random.Random(4).randbytes(2_400_000)).decode()
DELAY = 0.15


def post_page(path: str) -> bytes:
    return f"""<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{path}</title>
</head><body><article class="post"><h1 class="entry-title">Slow post {path}</h1>
<time class="entry-date published" datetime="2019-07-13T10:00:00+00:00">13 July</time>
<div class="entry-content"><p>A post served slowly, so that the crawl can be killed halfway.</p>
<p>It carries a large script, so that its WARC record takes a while to write.</p></div>
<script>var filler = "{FILLER}";</script></article></body></html>""".encode()


HOME = (
    "<!DOCTYPE html><html><body><main>"
    + "".join(f'<h2 class="entry-title"><a href="{p}" rel="bookmark">{p}</a></h2>' for p in POSTS)
    + "</main></body></html>"
).encode()


class QuietServer(ThreadingHTTPServer):
    def handle_error(self, request: object, client_address: object) -> None:
        """A killed crawler resets its connections: expected here, not worth a traceback."""


class SlowHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:
        if self.path in ("/", "/2019/07/"):
            status, body = 200, HOME
        elif self.path in POSTS:
            time.sleep(DELAY)
            status, body = 200, post_page(self.path)
        elif self.path == "/robots.txt":
            status, body = 200, b"User-agent: *\nAllow: /\n"
        else:
            status, body = 404, b"not here"
        self.send_response(status)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def slow_site() -> Iterator[str]:
    server = QuietServer(("127.0.0.1", 0), SlowHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


def lines_in(path: Path) -> int:
    try:
        return path.read_bytes().count(b"\n")
    except FileNotFoundError:
        return 0


def warc_sizes(site: Path) -> int:
    return sum(p.stat().st_size for p in (site / "warc").glob("*.warc.gz"))


def kill_halfway(url: str, out: Path) -> None:
    """Start a crawl, wait for a few posts, then SIGKILL it while its WARC file is growing."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "archiver.cli", "crawl", url, "--output", str(out),
         "-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=False",
         "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=2", "--no-sitemaps"],
        cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    site = out / "127.0.0.1"
    try:
        deadline = time.monotonic() + 60
        while lines_in(site / "posts.jsonl") < 4:
            assert proc.poll() is None, "the crawl ended before it could be killed"
            assert time.monotonic() < deadline, "the crawl made no progress"
            time.sleep(0.01)
        # Growth by more than a small record means a post's large record is being written.
        size = warc_sizes(site)
        deadline = time.monotonic() + 5
        while warc_sizes(site) < size + 100_000 and time.monotonic() < deadline:
            time.sleep(0.0005)
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.kill()
        proc.wait(timeout=10)
    assert proc.returncode == -signal.SIGKILL
    assert lines_in(site / "posts.jsonl") < len(POSTS), "killed halfway, not at the end"


def test_sigkill_leaves_every_complete_record_readable(slow_site: str, tmp_path: Path) -> None:
    kill_halfway(slow_site, tmp_path)
    site = tmp_path / "127.0.0.1"
    warcs = sorted((site / "warc").glob("*.warc.gz"))
    assert warcs

    cut = []
    intact: dict[str, tuple[str, int]] = {}
    for warc in warcs:
        with warc.open("rb") as fh:
            scan = scan_gzip_members(fh)
        if scan.bad_offset is not None:
            assert scan.cut_short, f"{warc.name}: corrupt, not just cut: {scan.error}"
            cut.append((warc.name, scan.bad_offset))
        with warc.open("rb") as fh:
            it = ArchiveIterator(fh, check_digests=True)
            for record in it:
                record.raw_stream.read()
                offset = it.get_record_offset()
                if scan.bad_offset is not None and offset >= scan.bad_offset:
                    break
                assert record.digest_checker.passed is not False, f"{warc.name} @{offset}"
                intact[record.rec_headers.get_header("WARC-Record-ID")] = (warc.name, offset)
    assert len(cut) <= 1, "at most one record is cut"
    if cut:
        assert cut[0][0] == warcs[-1].name, "only the file being written can be cut"

    posts = [json.loads(line) for line in (site / "posts.jsonl").read_text("utf-8").splitlines()]
    assert posts, "some posts were stored before the kill"
    for post in posts:
        prov = post["provenance"]
        assert intact[prov["warc_record_id"]] == (prov["warc_file"], prov["warc_offset"])

    proc = run_archiver("verify", str(tmp_path))
    if cut:
        assert proc.returncode == 1
        assert f"truncated final record in: {cut[0][0]}" in proc.stdout
        problems = [line for line in proc.stderr.splitlines() if line.startswith("problem:")]
        assert len(problems) == 1, proc.stderr
        assert "truncated final record" in problems[0]
    else:
        assert proc.returncode == 0, proc.stdout + proc.stderr

    # The archive of a killed crawl still packs: the cut record is left out of the index.
    proc = run_archiver("pack", str(tmp_path))
    assert proc.returncode == 0, proc.stderr
    assert (site / "127.0.0.1.wacz").exists()
    print(f"killed crawl: {len(posts)} posts stored, cut record: {cut or 'none'}")
