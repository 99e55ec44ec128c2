"""The WARC files of a crawl, read back record by record and replayed through a real pywb."""

from __future__ import annotations

import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest
from warcio.archiveiterator import ArchiveIterator

from tests.pywb_server import pywb as pywb_server
from tests.pywb_server import wb_manager


def records(warc: Path) -> list:
    out = []
    with warc.open("rb") as fh:
        for record in ArchiveIterator(fh):
            out.append(
                (
                    record.rec_type,
                    dict(record.rec_headers.headers),
                    record.http_headers,
                    record.content_stream().read(),
                )
            )
    return out


def test_every_exchange_has_request_and_response(wordpress_crawl: dict) -> None:
    warcs = sorted((wordpress_crawl["site"] / "warc").glob("*.warc.gz"))
    assert warcs
    all_records = [r for w in warcs for r in records(w)]
    assert all_records[0][0] == "warcinfo"
    responses = {h["WARC-Record-ID"]: h for t, h, _, _ in all_records if t == "response"}
    requests = [h for t, h, _, _ in all_records if t == "request"]
    assert len(requests) == len(responses) > 20
    assert {h["WARC-Concurrent-To"] for h in requests} == set(responses)
    targets = {h["WARC-Target-URI"] for h in responses.values()}
    assert any(u.endswith("/robots.txt") for u in targets), "robots.txt is part of the record"
    for rtype, headers, http, _body in all_records:
        if rtype == "response":
            assert http.get_header("Transfer-Encoding") is None
            assert headers["WARC-Payload-Digest"].startswith("sha1:")
            assert http.protocol.startswith("HTTP/")
        if rtype == "request":
            # warcio splits a request line into the verb ("protocol") and the rest.
            assert http.protocol in ("GET", "HEAD")
            assert http.statusline.endswith(" HTTP/1.1")
            assert http.get_header("Accept-Encoding") == "gzip, deflate"


def test_every_warc_file_passes_warcio_check(wordpress_crawl: dict) -> None:
    warcs = sorted((wordpress_crawl["site"] / "warc").glob("*.warc.gz"))
    proc = subprocess.run(
        [sys.executable, "-m", "warcio.cli", "check", *map(str, warcs)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


@pytest.fixture(scope="module")
def pywb(wordpress_crawl: dict, tmp_path_factory: pytest.TempPathFactory):
    """A pywb instance with the crawl's WARC files in collection "blog"."""
    root = tmp_path_factory.mktemp("pywb")
    warcs = [str(p) for p in (wordpress_crawl["site"] / "warc").glob("*.warc.gz")]
    wb_manager(root, "init", "blog")
    wb_manager(root, "add", "blog", *warcs)
    with pywb_server(root) as url:
        yield url


def test_posts_replay_byte_for_byte(pywb: str, wordpress_crawl: dict) -> None:
    for post in wordpress_crawl["posts"]:
        with urllib.request.urlopen(post["url"], timeout=10) as live:
            live_body = live.read()
        stamp = "".join(c for c in post["provenance"]["fetched_at"] if c.isdigit())[:14]
        with urllib.request.urlopen(f"{pywb}/blog/{stamp}id_/{post['url']}", timeout=30) as replay:
            assert replay.status == 200
            replayed = replay.read()
        assert replayed == live_body, post["url"]
