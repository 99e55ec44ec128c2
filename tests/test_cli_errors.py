"""Errors people understand: one `error:` line saying what is wrong and what to do, a non-zero
exit status, no traceback unless --verbose. Each case runs the command line in a subprocess."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar

import pytest

from tests.conftest import FAST_LOCAL, free_port, run_archiver


class NotABlog(BaseHTTPRequestHandler):
    """A web site that answers, but is no blog: one page with no posts, 404 elsewhere."""

    hits: ClassVar[list[str]] = []

    def do_GET(self) -> None:
        self.hits.append(self.path)
        if self.path == "/":
            body = b"<html><head><title>Shop</title></head><body><p>We sell hats.</p></body></html>"
            self.send_response(200)
        else:
            body = b"<html><body>Not found</body></html>"
            self.send_response(404)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def shop() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), NotABlog)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


def one_error_line(stderr: str) -> str:
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert len(lines) == 1, stderr
    assert lines[0].startswith("error: "), stderr
    assert "Traceback" not in stderr
    return lines[0]


def test_unreachable_start_url(tmp_path: Path) -> None:
    url = f"http://127.0.0.1:{free_port()}/"
    proc = run_archiver("crawl", url, "--output", str(tmp_path), *FAST_LOCAL)
    assert proc.returncode == 1
    line = one_error_line(proc.stderr)
    assert f"cannot reach {url}" in line
    assert "refused the connection" in line
    assert "is the address right" in line
    assert proc.stdout == ""


def test_a_site_that_is_not_a_blog(shop: str, tmp_path: Path) -> None:
    proc = run_archiver("crawl", shop, "--output", str(tmp_path), *FAST_LOCAL)
    assert proc.returncode == 1
    line = one_error_line(proc.stderr)
    assert f"found no blog posts at {shop}" in line
    assert "give the blog's home page or a monthly archive" in line
    assert "posts written:   0" in proc.stdout, "the summary still says what was done"


def test_a_start_url_that_answers_404(shop: str, tmp_path: Path) -> None:
    proc = run_archiver("crawl", shop + "blog/", "--output", str(tmp_path), *FAST_LOCAL)
    assert proc.returncode == 1
    assert "answered HTTP 404: is this the blog's address?" in one_error_line(proc.stderr)


def test_an_output_folder_that_is_not_writable(shop: str, tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder", "utf-8")
    NotABlog.hits.clear()
    proc = run_archiver("crawl", shop, "--output", str(blocker / "out"))
    assert proc.returncode == 1
    line = one_error_line(proc.stderr)
    assert f"cannot write to the output folder {blocker / 'out'}" in line
    assert "choose another --output folder" in line
    assert NotABlog.hits == [], "nothing was fetched"


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["crawl", "http://127.0.0.1:9/", "--since", "2019"], "argument --since: expected YYYY-MM"),
        (["crawl", "http://127.0.0.1:9/", "--max-posts", "many"], "argument --max-posts"),
        (["crawl", "http://127.0.0.1:9/", "-s", "DOWNLOAD_DELAY=soon"], "-s DOWNLOAD_DELAY=soon: expected a number"),
        (["crawl", "http://127.0.0.1:9/", "-s", "ROBOTSTXT_OBEY=maybe"], "expected true or false"),
        (["crawl", "http://127.0.0.1:9/", "--log-level", "LOUD"], "argument --log-level"),
        (["crawl", "example.org"], "'example.org' is not an http(s) URL"),
        (["crawl"], "no blog to crawl: give a URL"),
        (["crawl", "http://127.0.0.1:9/", "--frobnicate"], "unrecognized arguments: --frobnicate"),
        (["export", "."], "--format"),
        (["frob"], "invalid choice: 'frob'"),
    ],
)  # fmt: skip
def test_bad_command_lines(args: list[str], expected: str, tmp_path: Path) -> None:
    if args == ["export", "."]:
        args = ["export", str(tmp_path), "--format", "xml"]
        expected = "argument --format/-f: invalid choice: 'xml'"
    proc = run_archiver(*args)
    assert proc.returncode == 2, proc.stderr
    line = one_error_line(proc.stderr)
    assert expected in line
    assert "--help" in line or "e.g." in line or "give" in line, "it says what to do"


def test_a_crawl_that_cannot_run_shows_the_traceback_only_with_verbose(
    shop: str, tmp_path: Path
) -> None:
    args = ["crawl", shop, "--output", str(tmp_path), "-s", "ARCHIVER_PROGRESS_INTERVAL=0"]
    proc = run_archiver(*args)
    assert proc.returncode == 1
    line = one_error_line(proc.stderr)
    assert "could not run: ARCHIVER_PROGRESS_INTERVAL must be a positive number" in line
    assert "--verbose" in line
    verbose = run_archiver(*args, "--verbose")
    assert verbose.returncode == 1
    assert "Traceback" in verbose.stderr
    assert "ValueError" in verbose.stderr
