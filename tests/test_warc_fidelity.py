"""The crawl's WARC records, checked one by one against the bytes a loopback server sent.

The server answers with gzip, deflate and chunked bodies, repeated and interleaved headers, odd
header case, a custom reason phrase, a query-string URL, a redirect chain, a 404 and a 500, and
logs every exchange exactly as it went over the wire. Each response record must hold that status
line and those header lines in order (``Transfer-Encoding`` renamed, a true ``Content-Length``
added), and the body as sent (still content-encoded, without chunk framing); each request record
the request the server received. The WACZ of the crawl then replays every post through pywb.
"""

from __future__ import annotations

import gzip
import json
import subprocess
import sys
import threading
import urllib.request
import zlib
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar

import pytest
from warcio.archiveiterator import ArchiveIterator

from archiver.cdxj import cdxj_lines
from tests.conftest import FAST_LOCAL, read_jsonl, run_archiver
from tests.pywb_server import pywb, wb_manager


def page(title: str, body: str, links: str = "") -> bytes:
    return f"""<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">
<title>{title} – Wire blog</title></head><body><main>{links}
<article class="post"><h1 class="entry-title">{title}</h1>
<time class="entry-date published" datetime="2019-07-13T10:00:00+02:00">13 July 2019</time>
<div class="entry-content"><p>{body}</p>
<p>A second paragraph, so that the post has a body worth archiving, café.</p></div>
</article></main></body></html>
""".encode()


POSTS = {
    "/2019/07/13/gzip-post/": ("gzip", "Sent gzip-compressed and chunked."),
    "/2019/07/14/deflate-post/": ("deflate", "Sent deflate-compressed with a Content-Length."),
    "/2019/07/15/chunked-post/": ("identity", "Sent chunked without compression."),
    "/2019/07/16/query-post/?lang=en&v=2": ("gzip", "Reached through a query-string URL."),
    "/2019/07/17/new-slug/": ("identity", "Reached through a chain of two redirects."),
}
# Listings link to dated permalinks without queries: the query-string URL is a redirect's target.
LISTED = [
    *(u for u in POSTS if "?" not in u),
    "/2019/07/16/query-post/",
    "/2019/07/17/old-slug/",
    "/2019/07/18/gone/",
    "/2019/07/19/broken/",
]
HOME = (
    "<!DOCTYPE html><html><head><title>Wire blog</title></head><body><main>"
    + "".join(
        f'<article><h2 class="entry-title"><a href="{u}" rel="bookmark">{u}</a></h2></article>'
        for u in LISTED
    )
    + "</main></body></html>"
).encode()


class WireHandler(BaseHTTPRequestHandler):
    """Serves the wire blog and logs each exchange as sent: status line, header lines, body."""

    protocol_version = "HTTP/1.1"
    server_version = "WireServer/1.0"
    log: ClassVar[list[dict]] = []
    lock = threading.Lock()

    def answer(
        self,
        status: int,
        reason: str,
        headers: list[tuple[str, str]],
        body: bytes,
        chunked: bool = False,
    ) -> None:
        self.send_response(status, reason)
        for name, value in headers:
            self.send_header(name, value)
        if chunked:
            self.send_header("Transfer-Encoding", "chunked")
        else:
            self.send_header("Content-Length", str(len(body)))
        head = b"".join(self._headers_buffer)  # type: ignore[attr-defined]
        self.end_headers()
        if chunked:
            for i in range(0, len(body), 700):
                chunk = body[i : i + 700]
                self.wfile.write(f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n")
            self.wfile.write(b"0\r\n\r\n")
        else:
            self.wfile.write(body)
        with self.lock:
            self.log.append(
                {
                    "target": self.path,
                    "request_line": self.requestline,
                    "request_headers": list(self.headers.items()),
                    "head": head,
                    "body": body,
                }
            )

    def do_GET(self) -> None:
        path = self.path
        html = [("Content-Type", "text/html; charset=utf-8")]
        cookies = [("Set-Cookie", "a=1; Path=/"), ("x-lower-case", "kept"), ("Set-Cookie", "b=2")]
        if path == "/robots.txt":
            self.answer(200, "OK", [("Content-Type", "text/plain")], b"User-agent: *\nAllow: /\n")
        elif path == "/":
            self.answer(
                200,
                "OK",
                [*html, ("Content-Encoding", "gzip"), *cookies],
                gzip.compress(HOME),
                chunked=True,
            )
        elif path == "/2019/07/":
            self.answer(200, "OK", html, HOME)
        elif path in POSTS:
            coding, text = POSTS[path]
            body = page(path.split("/")[4], text)
            if coding == "gzip":
                self.answer(
                    200,
                    "OK",
                    [*html, ("Content-Encoding", "gzip"), *cookies],
                    gzip.compress(body),
                    chunked=True,
                )
            elif coding == "deflate":
                self.answer(
                    200,
                    "OK",
                    [*html, ("Content-Encoding", "deflate"), *cookies],
                    zlib.compress(body),
                )
            else:
                self.answer(200, "OK", html + cookies, body, chunked=True)
        elif path == "/2019/07/16/query-post/":
            self.answer(302, "Found", [("Location", "/2019/07/16/query-post/?lang=en&v=2")], b"")
        elif path == "/2019/07/17/old-slug/":
            self.answer(301, "Moved Permanently", [("Location", "/go/?to=new-slug&n=1")], b"")
        elif path == "/go/?to=new-slug&n=1":
            self.answer(302, "Found", [("Location", "/2019/07/17/new-slug/")], b"moved")
        elif path == "/2019/07/19/broken/":
            self.answer(500, "Internal Server Error", html, b"<p>broken</p>")
        else:
            self.answer(404, "Nothing Here", html, b"<p>no such page</p>")

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def wire_crawl(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict]:
    """One `archiver crawl --wacz` of the wire blog, with the server's log of what it sent."""
    WireHandler.log = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), WireHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    origin = f"http://127.0.0.1:{server.server_address[1]}"
    out = tmp_path_factory.mktemp("wire")
    try:
        proc = run_archiver(
            "crawl",
            origin + "/",
            "--output",
            str(out),
            "--wacz",
            *FAST_LOCAL,
            "-s",
            "RETRY_TIMES=1",
            "-s",
            "RETRY_BACKOFF_BASE=0.05",
        )
        assert proc.returncode == 0, proc.stdout + proc.stderr
        site = out / "127.0.0.1"
        yield {
            "origin": origin,
            "out": out,
            "site": site,
            "log": list(WireHandler.log),
            "posts": read_jsonl(site / "posts.jsonl"),
            "proc": proc,
        }
    finally:
        server.shutdown()
        server.server_close()


def warc_records(site: Path) -> list:
    """(type, WARC headers, HTTP head, block payload as stored) of every record, in order."""
    found = []
    for warc in sorted((site / "warc").glob("*.warc.gz")):
        with warc.open("rb") as fh:
            for record in ArchiveIterator(fh):
                found.append(
                    (
                        record.rec_type,
                        record.rec_headers,
                        record.http_headers,
                        record.raw_stream.read(),
                    )
                )
    return found


def split_head(head: bytes) -> tuple[str, list[tuple[str, str]]]:
    lines = head.decode("latin-1").split("\r\n")
    headers = [tuple(line.split(": ", 1)) for line in lines[1:] if line]
    return lines[0], headers  # type: ignore[return-value]


def expected_headers(headers: list[tuple[str, str]], body: bytes) -> list[tuple[str, str]]:
    """What the record must say: Transfer-Encoding renamed, a true Content-Length."""
    out = []
    for name, value in headers:
        if name.lower() == "transfer-encoding":
            out.append(("X-Archive-Orig-Transfer-Encoding", value))
        else:
            out.append((name, value))
    if not any(n.lower() == "content-length" for n, _ in headers):
        out.append(("Content-Length", str(len(body))))
    return out


def test_every_exchange_is_recorded_as_sent(wire_crawl: dict) -> None:
    origin, log = wire_crawl["origin"], wire_crawl["log"]
    records = warc_records(wire_crawl["site"])
    responses = [r for r in records if r[0] == "response"]
    requests = {r[1].get_header("WARC-Concurrent-To"): r for r in records if r[0] == "request"}
    assert len(responses) == len(log), "one response record per exchange the server answered"

    unmatched = list(log)
    for _rtype, warc, http, body in responses:
        uri = warc.get_header("WARC-Target-URI")
        assert uri.startswith(origin)
        target = uri[len(origin) :]
        sent = next(e for e in unmatched if e["target"] == target)
        unmatched.remove(sent)
        status_line, headers = split_head(sent["head"])
        assert f"{http.protocol} {http.statusline}" == status_line, uri
        assert http.headers == expected_headers(headers, sent["body"]), uri
        assert body == sent["body"], f"{uri}: payload differs from what was sent"
        assert warc.get_header("WARC-IP-Address") == "127.0.0.1"
        assert warc.get_header("WARC-Payload-Digest").startswith("sha1:")
        assert warc.get_header("WARC-Block-Digest").startswith("sha1:")

        _, req_warc, req_http, _ = requests[warc.get_header("WARC-Record-ID")]
        assert req_warc.get_header("WARC-Target-URI") == uri
        assert f"{req_http.protocol} {req_http.statusline}" == sent["request_line"]
        assert req_http.headers == sent["request_headers"], f"{uri}: request as received"
        assert req_http.get_header("Accept-Encoding") == "gzip, deflate"
    assert not unmatched


def test_the_cases_are_all_there(wire_crawl: dict) -> None:
    """The server's log holds every case the records were compared on."""
    by_target: dict[str, list[str]] = {}
    for entry in wire_crawl["log"]:
        by_target.setdefault(entry["target"], []).append(split_head(entry["head"])[0])
    assert by_target["/2019/07/18/gone/"] == ["HTTP/1.1 404 Nothing Here"]
    assert by_target["/2019/07/19/broken/"] == ["HTTP/1.1 500 Internal Server Error"] * 2
    assert by_target["/2019/07/17/old-slug/"] == ["HTTP/1.1 301 Moved Permanently"]
    assert by_target["/go/?to=new-slug&n=1"] == ["HTTP/1.1 302 Found"]
    assert "/2019/07/16/query-post/?lang=en&v=2" in by_target
    assert "/robots.txt" in by_target
    assert "/wp-sitemap.xml" in by_target
    heads = b"".join(e["head"] for e in wire_crawl["log"])
    for needle in (
        b"Content-Encoding: gzip",
        b"Content-Encoding: deflate",
        b"Transfer-Encoding: chunked",
        b"Set-Cookie: b=2",
    ):
        assert needle in heads
    urls = {p["url"] for p in wire_crawl["posts"]}
    assert urls == {wire_crawl["origin"] + u for u in POSTS}


def test_accept_encoding_is_gzip_deflate_only(wire_crawl: dict) -> None:
    values = {dict(e["request_headers"]).get("Accept-Encoding") for e in wire_crawl["log"]}
    assert values == {"gzip, deflate"}


def test_post_metadata_records_point_at_their_responses(wire_crawl: dict) -> None:
    records = warc_records(wire_crawl["site"])
    response_ids = {r[1].get_header("WARC-Record-ID"): r for r in records if r[0] == "response"}
    metadata = [r for r in records if r[0] == "metadata"]
    assert len(metadata) == len(wire_crawl["posts"])
    stored = {p["url"]: p for p in wire_crawl["posts"]}
    for _rtype, warc, _http, payload in metadata:
        post = json.loads(payload)
        assert warc.get_header("Content-Type") == "application/json"
        # Not the bare URL, or replay tools would serve the JSON in place of the page.
        assert warc.get_header("WARC-Target-URI") == "urn:post:" + post["url"]
        assert warc.get_header("WARC-Refers-To-Target-URI") == post["url"]
        refers = warc.get_header("WARC-Refers-To")
        assert refers == post["provenance"]["warc_record_id"]
        assert response_ids[refers][1].get_header("WARC-Target-URI") == post["url"]
        assert post == stored[post["url"]], "the WARC holds the JSON that was written"


def test_warcinfo_says_what_made_the_crawl(wire_crawl: dict) -> None:
    records = warc_records(wire_crawl["site"])
    assert records[0][0] == "warcinfo"
    fields = dict(
        line.split(": ", 1) for line in records[0][3].decode().splitlines() if ": " in line
    )
    assert fields["software"].startswith("blog-archiver/")
    assert "Scrapy" in fields["software"]
    assert "warcio" in fields["software"]
    assert fields["robots"] == "obey"
    assert fields["start-url"] == wire_crawl["origin"] + "/"
    assert fields["http-header-accept-encoding"] == "gzip, deflate"
    settings = json.loads(fields["crawl-settings"])
    assert settings["ROBOTSTXT_OBEY"] is True
    assert settings["RETRY_TIMES"] == 1


def test_cdxj_index_and_wacz(wire_crawl: dict) -> None:
    site = wire_crawl["site"]
    lines = (site / "index.cdxj").read_text("utf-8").splitlines()
    entries = [json.loads(line.split(" ", 2)[2]) for line in lines]
    records = warc_records(site)
    indexed = [r for r in records if r[0] in ("response", "metadata")]
    assert len(entries) == len(indexed), "one line per response and metadata record"
    assert {e["url"] for e in entries} == {r[1].get_header("WARC-Target-URI") for r in indexed}
    assert lines == sorted(lines)
    assert {e.get("status") for e in entries} >= {"200", "301", "302", "404", "500"}
    # Made record by record during the crawl; equal to the reference indexer reading the files.
    assert lines == cdxj_lines(sorted((site / "warc").glob("*.warc.gz")))[0]
    wacz = site / "127.0.0.1.wacz"
    assert wacz.exists()
    proc = subprocess.run(
        [sys.executable, "-m", "wacz", "validate", "-f", str(wacz)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert "Validation succeeded, the passed WACZ is valid" in proc.stdout, proc.stdout
    proc = run_archiver("verify", str(wire_crawl["out"]))
    assert proc.returncode == 0, proc.stdout + proc.stderr


@pytest.fixture(scope="module")
def pywb_wacz(wire_crawl: dict, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """pywb serving the crawl's WACZ (its WARCs and its own CDXJ index) in collection "wire"."""
    root = tmp_path_factory.mktemp("pywb-wire")
    wb_manager(root, "init", "wire")
    wb_manager(root, "add", "--unpack-wacz", "wire", str(wire_crawl["site"] / "127.0.0.1.wacz"))
    with pywb(root) as url:
        yield url


def decoded(data: bytes, coding: str | None) -> bytes:
    if coding == "gzip":
        return gzip.decompress(data)
    if coding == "deflate":
        return zlib.decompress(data)
    return data


def test_every_post_replays_from_the_wacz(pywb_wacz: str, wire_crawl: dict) -> None:
    replayed = 0
    for post in wire_crawl["posts"]:
        path = post["url"][len(wire_crawl["origin"]) :]
        sent = page(path.split("/")[4], POSTS[path][1])
        stamp = "".join(c for c in post["provenance"]["fetched_at"] if c.isdigit())[:14]
        url = f"{pywb_wacz}/wire/{stamp}id_/{post['url']}"
        with urllib.request.urlopen(url, timeout=30) as replay:
            assert replay.status == 200
            body = decoded(replay.read(), replay.headers.get("Content-Encoding"))
        assert body == sent, post["url"]
        replayed += 1
    assert replayed == len(POSTS)
