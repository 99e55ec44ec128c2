"""Serve the bundled demo blog (or any static tree laid out the same way) over local HTTP.

URL ``/a/b/`` maps to ``a/b/index.html`` (or ``index.rss``); unknown paths get ``404.html`` with
status 404; ``/a/b`` redirects to ``/a/b/`` when that folder exists; ``_redirects`` lists further
301s ("<path> <target>" per line). The placeholder origin written in the files is replaced by the
server's own origin in text bodies and ``Location`` headers, like a WordPress that prints
absolute URLs. Query strings are ignored, as a static WordPress cache would. Files and folders
whose name starts with "_" or "." are never served.

Run by hand: ``python -m archiver.demo.server --port 8000``.
"""

from __future__ import annotations

import argparse
import hashlib
import posixpath
import sys
import threading
from email.utils import formatdate, parsedate_to_datetime
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from urllib.parse import unquote, urlsplit

from archiver.demo import ORIGIN_PLACEHOLDER, SITE_DIR

CONTENT_TYPES = {
    ".html": "text/html; charset=UTF-8",
    ".rss": "application/rss+xml; charset=UTF-8",
    ".xml": "application/xml; charset=UTF-8",
    ".txt": "text/plain; charset=UTF-8",
    ".css": "text/css; charset=UTF-8",
    ".js": "application/javascript; charset=UTF-8",
    ".json": "application/json; charset=UTF-8",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".png": "image/png",
    ".gif": "image/gif",
    ".webp": "image/webp",
    ".svg": "image/svg+xml",
    ".ico": "image/x-icon",
}
INDEX_FILES = ("index.html", "index.rss")
TEXT_SUFFIXES = {".html", ".rss", ".xml", ".txt", ".css", ".js", ".json", ".svg"}


class DemoServer:
    """A running demo server; ``close()`` (or leaving the ``with`` block) stops it."""

    def __init__(self, httpd: ThreadingHTTPServer, thread: threading.Thread) -> None:
        self._httpd = httpd
        self._thread = thread
        host, port = httpd.server_address[:2]
        self.host: str = str(host)
        self.port: int = int(port)
        self.origin: str = httpd.origin
        """"http://127.0.0.1:54321" (no trailing slash)."""
        self.url: str = self.origin + "/"
        """The home page URL, "http://127.0.0.1:54321/"."""

    def close(self) -> None:
        """Stop serving and release the port."""
        if self._thread.is_alive():
            self._httpd.shutdown()
            self._thread.join(timeout=10)
        self._httpd.server_close()

    def __enter__(self) -> DemoServer:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"DemoServer({self.url!r})"


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    root: Path
    placeholder: str
    origin: str
    redirects: dict[str, str]

    def handle_error(self, request: object, client_address: object) -> None:
        """Ignore clients that hang up early; report anything else."""
        if not isinstance(sys.exc_info()[1], ConnectionError | TimeoutError):
            super().handle_error(request, client_address)  # type: ignore[arg-type]


class _Handler(BaseHTTPRequestHandler):
    """Serves one request from the static tree."""

    server: _Server
    protocol_version = "HTTP/1.1"
    timeout = 30

    def do_GET(self) -> None:
        self._respond(head=False)

    def do_HEAD(self) -> None:
        self._respond(head=True)

    def log_message(self, format: str, *args: object) -> None:
        """Stay quiet."""

    def version_string(self) -> str:
        return "blog-archiver-demo/1"

    # -- internals ----------------------------------------------------------------------------

    def _respond(self, head: bool) -> None:
        path = unquote(urlsplit(self.path).path) or "/"
        target = self.server.redirects.get(path)
        if target is not None:
            self._redirect(target, head)
            return
        file = self._resolve(path)
        if file is None and not path.endswith("/") and self._resolve(path + "/") is not None:
            self._redirect(self.server.placeholder + path + "/", head)
            return
        status = HTTPStatus.OK
        if file is None:
            status = HTTPStatus.NOT_FOUND
            file = self.server.root / "404.html"
        body = self._body(file)
        etag = '"' + hashlib.sha1(body).hexdigest()[:20] + '"'
        mtime = file.stat().st_mtime
        if status == HTTPStatus.OK and self._not_modified(etag, mtime):
            self.send_response(HTTPStatus.NOT_MODIFIED)
            self.send_header("ETag", etag)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        self.send_response(status)
        self.send_header("Content-Type", CONTENT_TYPES.get(file.suffix, "application/octet-stream"))
        self.send_header("Content-Length", str(len(body)))
        if status == HTTPStatus.OK:
            self.send_header("Last-Modified", formatdate(mtime, usegmt=True))
            self.send_header("ETag", etag)
        self.end_headers()
        if not head:
            self.wfile.write(body)

    def _resolve(self, path: str) -> Path | None:
        """The file for a URL path, or None."""
        clean = posixpath.normpath(path)
        parts = [p for p in clean.split("/") if p]
        if any(p.startswith((".", "_")) or p == ".." for p in parts):
            return None
        candidate = self.server.root.joinpath(*parts)
        if path.endswith("/"):
            for name in INDEX_FILES:
                if (candidate / name).is_file():
                    return candidate / name
            return None
        if candidate.is_file() and candidate.name not in INDEX_FILES:
            return candidate
        return None

    def _body(self, file: Path) -> bytes:
        data = file.read_bytes()
        if file.suffix in TEXT_SUFFIXES:
            data = self._rewrite(data)
        return data

    def _rewrite(self, data: bytes) -> bytes:
        """Replace the placeholder origin, plain and JSON-escaped ("http:\\/\\/...")."""
        old, new = self.server.placeholder, self.server.origin
        data = data.replace(old.encode(), new.encode())
        return data.replace(old.replace("/", "\\/").encode(), new.replace("/", "\\/").encode())

    def _redirect(self, target: str, head: bool) -> None:
        location = target.replace(self.server.placeholder, self.server.origin)
        if location.startswith("/"):
            location = self.server.origin + location
        self.send_response(HTTPStatus.MOVED_PERMANENTLY)
        self.send_header("Location", location)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def _not_modified(self, etag: str, mtime: float) -> bool:
        if_none_match = self.headers.get("If-None-Match")
        if if_none_match is not None:
            return etag in [t.strip() for t in if_none_match.split(",")] or if_none_match == "*"
        since = self.headers.get("If-Modified-Since")
        if since:
            try:
                return int(mtime) <= parsedate_to_datetime(since).timestamp()
            except (TypeError, ValueError):
                return False
        return False


def read_redirects(root: Path) -> dict[str, str]:
    """The ``_redirects`` file of a site: {path: target}."""
    file = root / "_redirects"
    if not file.is_file():
        return {}
    redirects = {}
    for line in file.read_text(encoding="utf-8").splitlines():
        fields = line.split()
        if len(fields) == 2 and not line.startswith("#"):
            redirects[fields[0]] = fields[1]
    return redirects


def serve_site(
    root: Path = SITE_DIR,
    host: str = "127.0.0.1",
    port: int = 0,
    origin_placeholder: str = ORIGIN_PLACEHOLDER,
) -> DemoServer:
    """Start serving ``root`` in a daemon thread; port 0 picks a free port."""
    root = Path(root)
    if not (root / "404.html").is_file():
        raise FileNotFoundError(f"{root} has no 404.html; is it a demo site folder?")
    httpd = _Server((host, port), _Handler)
    httpd.root = root
    httpd.placeholder = origin_placeholder.rstrip("/")
    bound_host, bound_port = httpd.server_address[:2]
    shown = f"[{bound_host}]" if ":" in str(bound_host) else str(bound_host)
    httpd.origin = f"http://{shown}:{bound_port}"
    httpd.redirects = read_redirects(root)
    thread = threading.Thread(
        target=httpd.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True, name="demo-site"
    )
    thread.start()
    return DemoServer(httpd, thread)


def main(argv: list[str] | None = None) -> None:
    """Serve the demo site until interrupted."""
    parser = argparse.ArgumentParser(description="Serve the bundled demo blog.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--root", type=Path, default=SITE_DIR, help="site folder to serve")
    args = parser.parse_args(argv)
    server = serve_site(args.root, host=args.host, port=args.port)
    print(f"Serving {args.root} at {server.url} (Ctrl+C to stop)", flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        server.close()


if __name__ == "__main__":
    main()
