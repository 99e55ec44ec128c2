"""The WACZ of `archiver pack` replayed by ReplayWeb.page in a real headless browser, offline.

ReplayWeb.page's static files (`ui.js`, `sw.js`, from the npm package `replaywebpage`) are
installed by .ci/run into tests/replayweb/node_modules/ (git-ignored); the test never downloads
anything. A loopback server (with HTTP Range: the player reads the WACZ by ranges) serves an
embedding page, the service worker under the player's `replayBase` (/replay/sw.js) and the WACZ.
Debian's chromium, driven by Playwright, must show the archived post's title inside the player's
nested replay frame, and no request may go anywhere but that loopback server.
"""

from __future__ import annotations

import html
import json
import re
import shutil
import struct
import threading
import time
import zipfile
from collections.abc import Iterator
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar
from urllib.parse import urlsplit

import pytest

from tests.browser import CHROMIUM, CHROMIUM_ARGS
from tests.conftest import run_archiver

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "tests" / "replayweb" / "node_modules" / "replaywebpage"
INSTALL_HINT = (
    "ReplayWeb.page's files are missing from tests/replayweb/node_modules/replaywebpage/: run "
    "the ReplayWeb.page install step of .ci/run (npm pack replaywebpage@... into that folder)"
)
PLAYER_TIMEOUT = 60.0  # seconds for the player to register its worker, load the WACZ and render


class ReplayHandler(SimpleHTTPRequestHandler):
    """Static files with single-range `Range` support, and JavaScript served as JavaScript."""

    extensions_map: ClassVar[dict[str, str]] = {
        **SimpleHTTPRequestHandler.extensions_map,
        ".js": "application/javascript",
        ".wacz": "application/wacz",
    }

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def end_headers(self) -> None:
        self.send_header("Accept-Ranges", "bytes")
        self.send_header("Cache-Control", "no-store")
        super().end_headers()

    def send_head(self):  # type: ignore[no-untyped-def]
        path = Path(self.translate_path(self.path))
        header = self.headers.get("Range")
        if not header or not path.is_file():
            return super().send_head()
        size = path.stat().st_size
        match = re.fullmatch(r"bytes=(\d*)-(\d*)", header.strip())
        if not match or match.groups() == ("", ""):
            return super().send_head()  # several ranges or nonsense: the whole file
        first, last = match.groups()
        if first:
            start, end = int(first), min(int(last) if last else size - 1, size - 1)
        else:
            start, end = max(size - int(last), 0), size - 1
        if start >= size or start > end:
            self.send_response(416)
            self.send_header("Content-Range", f"bytes */{size}")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return None
        f = path.open("rb")
        f.seek(start)
        self.send_response(206)
        self.send_header("Content-Type", self.guess_type(str(path)))
        self.send_header("Content-Range", f"bytes {start}-{end}/{size}")
        self.send_header("Content-Length", str(end - start + 1))
        self.end_headers()
        return _Slice(f, end - start + 1)


class _Slice:
    """A file object read from its current position for at most `left` bytes (for copyfile)."""

    def __init__(self, f: Any, left: int) -> None:
        self.f, self.left = f, left

    def read(self, n: int = -1) -> bytes:
        n = self.left if n < 0 else min(n, self.left)
        data = self.f.read(n)
        self.left -= len(data)
        return data

    def close(self) -> None:
        self.f.close()


@pytest.fixture(scope="module")
def player_site(demo_archive: dict, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict]:
    """The demo crawl packed with `archiver pack`, and a loopback site embedding the player."""
    for name in ("ui.js", "sw.js"):
        assert (PACKAGE / name).is_file(), INSTALL_HINT
    out = tmp_path_factory.mktemp("replayweb-pack")
    site = out / "127.0.0.1"
    shutil.copytree(demo_archive["site"], site)
    proc = run_archiver("pack", str(out))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    wacz = site / "127.0.0.1.wacz"
    assert wacz.is_file(), proc.stdout + proc.stderr

    post = demo_archive["posts"][0]
    root = tmp_path_factory.mktemp("replayweb-site")
    shutil.copyfile(PACKAGE / "ui.js", root / "ui.js")
    (root / "replay").mkdir()
    shutil.copyfile(PACKAGE / "sw.js", root / "replay" / "sw.js")
    shutil.copyfile(wacz, root / "archive.wacz")
    (root / "index.html").write_text(
        "<!doctype html>\n<html><head><meta charset='utf-8'><title>player</title>"
        '<script src="ui.js"></script></head>\n<body style="margin:0">\n'
        f'<replay-web-page source="/archive.wacz" url="{html.escape(post["url"])}" '
        'replayBase="/replay/" embed="replayonly" style="display:block;height:800px">'
        "</replay-web-page>\n</body></html>\n",
        "utf-8",
    )
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(ReplayHandler, directory=str(root)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield {"origin": f"http://127.0.0.1:{server.server_address[1]}", "post": post, "wacz": wacz}
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


def _replay_frame(page: Any, post_url: str, log: list[str], requests: list[str]) -> Any:
    """The player's innermost frame, replaying the post (or saying it is not in the archive).

    A player whose first load races its new service worker never asks for the WACZ; as a
    person would, the page is reloaded once when nothing was asked for after a third of the
    time (logged, so a failure shows it)."""
    start = time.monotonic()
    deadline = start + PLAYER_TIMEOUT
    reloaded = False
    while time.monotonic() < deadline:
        for frame in page.frames:
            if "/w/" in frame.url and post_url in frame.url:
                return frame
        asked = any(urlsplit(u).path == "/archive.wacz" for u in requests)
        if not asked and not reloaded and time.monotonic() - start > PLAYER_TIMEOUT / 3:
            log.append("reload: the player had not asked for the WACZ")
            page.reload()
            reloaded = True
        page.wait_for_timeout(250)
    seen = [f.url for f in page.frames]
    raise AssertionError(
        f"no replay frame for {post_url} within {PLAYER_TIMEOUT:.0f}s; frames: {seen}\n"
        + "\n".join(log[-40:])
    )


def test_wacz_members_start_where_the_central_directory_says(player_site: dict) -> None:
    """wabac.js (ReplayWeb.page's reader) finds a member's data from the central directory alone:
    a local header whose extra field differs (a ZIP64 extra forced on the WARC members) shifts
    every WARC range it reads, and no record loads."""
    wacz = player_site["wacz"]
    data = wacz.read_bytes()
    with zipfile.ZipFile(wacz) as zf:
        for info in zf.infolist():
            local = data[info.header_offset : info.header_offset + 30]
            name_len, extra_len = struct.unpack("<HH", local[26:30])
            assert (name_len, extra_len) == (len(info.orig_filename.encode()), len(info.extra)), (
                f"{info.filename}: local header extra field of {extra_len} bytes, central "
                f"directory {len(info.extra)}: ReplayWeb.page reads its data at the wrong offset"
            )


def test_replaywebpage_replays_the_packed_wacz(player_site: dict) -> None:
    assert Path(CHROMIUM).exists(), (
        "install Debian's chromium (apt-get install chromium): .ci/run does"
    )
    from playwright.sync_api import sync_playwright

    origin, post = player_site["origin"], player_site["post"]
    requests: list[str] = []
    errors: list[str] = []
    log: list[str] = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(viewport={"width": 1200, "height": 900})
            # The context sees every request: the page's, its frames' and the service worker's.
            context.on("request", lambda r: requests.append(r.url))
            page = context.new_page()
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.on("console", lambda m: log.append(f"{m.type}: {m.text}"))
            context.on("requestfailed", lambda r: log.append(f"failed: {r.url} {r.failure}"))
            context.on("response", lambda r: log.append(f"{r.status} {r.url}"))
            context.on("serviceworker", lambda w: log.append(f"service worker: {w.url}"))
            page.set_default_timeout(PLAYER_TIMEOUT * 1000)
            page.goto(origin + "/index.html")
            # The player's shadow DOM holds the iframe that the service worker serves.
            page.locator("replay-web-page iframe").first.wait_for(state="attached")
            frame = _replay_frame(page, post["url"], log, requests)
            frame.wait_for_load_state("load")
            frame.wait_for_function(
                "t => document.body && (document.body.innerText.includes(t)"
                " || document.title === 'Archived Page Not Found')",
                arg=post["title"],
            )
            shown = frame.locator("body").inner_text()
            assert post["title"] in shown, f"the player shows: {shown[:500]!r}\n" + "\n".join(
                log[-40:]
            )
            title = frame.get_by_text(post["title"], exact=True).first
            title.wait_for(state="visible")
        finally:
            browser.close()

    assert errors == [], errors
    assert any(urlsplit(u).path == "/archive.wacz" for u in requests), requests
    ours = urlsplit(origin).netloc
    elsewhere = [
        u for u in requests if urlsplit(u).scheme in ("http", "https", "ws", "wss")
        and urlsplit(u).netloc != ours
    ]  # fmt: skip
    assert elsewhere == [], f"requests beyond {origin}: {json.dumps(elsewhere, indent=1)}"
