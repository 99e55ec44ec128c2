"""WARC capture against a loopback server that gzips, chunks and repeats headers."""

from __future__ import annotations

import gzip
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from warcio.archiveiterator import ArchiveIterator

from tests.conftest import FAST_LOCAL, read_jsonl, run_archiver

HOME = b"""<!DOCTYPE html><html><head><title>Tiny blog</title></head><body>
<main><article><h2 class="entry-title"><a href="/2019/07/13/gzipped-post/" rel="bookmark">Post</a></h2>
</article></main></body></html>"""
POST = """<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Gzipped post – Tiny</title>
</head><body><article class="post"><h1 class="entry-title">Gzipped post</h1>
<time class="entry-date published" datetime="2019-07-13T10:00:00+02:00">13 July</time>
<div class="entry-content"><p>This body travelled gzip-compressed and chunked, café.</p>
<p>A second paragraph so that the post has a body worth archiving.</p></div></article></body></html>
""".encode()


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:
        if self.path == "/robots.txt":
            body, ctype = b"User-agent: *\nDisallow: /wp-admin/\n", "text/plain"
        elif self.path == "/":
            body, ctype = HOME, "text/html; charset=utf-8"
        elif self.path == "/2019/07/13/gzipped-post/":
            body, ctype = POST, "text/html; charset=utf-8"
        else:
            self.send_response(404)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        payload = gzip.compress(body) if "gzip" in self.headers.get("Accept-Encoding", "") else body
        self.send_response(200)
        self.send_header("Content-Type", ctype)
        if payload is not body:
            self.send_header("Content-Encoding", "gzip")
        self.send_header("Set-Cookie", "a=1; Path=/")
        self.send_header("Set-Cookie", "b=2; Path=/")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        for i in range(0, len(payload), 100):
            chunk = payload[i : i + 100]
            self.wfile.write(f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n")
        self.wfile.write(b"0\r\n\r\n")

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def gzip_site() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


def responses(site: Path) -> dict:
    found = {}
    for warc in sorted((site / "warc").glob("*.warc.gz")):
        with warc.open("rb") as fh:
            for record in ArchiveIterator(fh):
                if record.rec_type == "response":
                    raw = record.raw_stream.read()
                    found[record.rec_headers.get_header("WARC-Target-URI")] = (record, raw)
    return found


def test_body_is_stored_as_it_arrived(gzip_site: str, tmp_path: Path) -> None:
    proc = run_archiver("crawl", gzip_site, "--output", str(tmp_path), "--no-sitemaps", *FAST_LOCAL)
    assert proc.returncode == 0, proc.stderr
    site = tmp_path / "127.0.0.1"
    [post] = read_jsonl(site / "posts.jsonl")
    assert "café" in post["body"]["text"], "extraction saw the decoded body"

    record, raw = responses(site)[gzip_site + "2019/07/13/gzipped-post/"]
    http = record.http_headers
    assert raw[:2] == b"\x1f\x8b", "payload still gzip-encoded"
    assert gzip.decompress(raw) == POST
    assert http.get_header("Content-Encoding") == "gzip"
    assert int(http.get_header("Content-Length")) == len(raw)
    # The body is stored de-chunked: the header that said otherwise is kept under another name.
    assert http.get_header("Transfer-Encoding") is None
    assert http.get_header("X-Archive-Orig-Transfer-Encoding") == "chunked"
    cookies = [v for k, v in http.headers if k.lower() == "set-cookie"]
    assert cookies == ["a=1; Path=/", "b=2; Path=/"]
    assert http.get_statuscode() == "200"
    assert http.protocol == "HTTP/1.1"
    assert record.rec_headers.get_header("WARC-IP-Address") == "127.0.0.1"

    proc = run_archiver("verify", str(tmp_path))
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_rollover_keeps_provenance_right(wordpress_site: str, tmp_path: Path) -> None:
    proc = run_archiver(
        "crawl",
        wordpress_site + "/",
        "--output",
        str(tmp_path),
        "-s",
        "WARC_MAX_SIZE=100000",
        *FAST_LOCAL,
    )
    assert proc.returncode == 0, proc.stderr
    site = tmp_path / "127.0.0.1"
    warcs = sorted((site / "warc").glob("*.warc.gz"))
    assert len(warcs) > 3
    assert [w.name.split("-")[2] for w in warcs] == [f"{i:05d}" for i in range(1, len(warcs) + 1)]
    for warc in warcs:
        with warc.open("rb") as fh:
            assert next(iter(ArchiveIterator(fh))).rec_type == "warcinfo"
    assert len({p["provenance"]["warc_file"] for p in read_jsonl(site / "posts.jsonl")}) > 1
    proc = run_archiver("verify", str(tmp_path))
    assert proc.returncode == 0, proc.stdout + proc.stderr
