"""A misbehaving blog on 127.0.0.1: every fault of issue 5 behind a URL of its own.

The home page lists one post per case, so a single crawl meets them all; ``Hits`` records what
was requested, so tests can tell what the crawler did (and did not) ask for.
"""

from __future__ import annotations

import socket
import struct
import threading
import time
import zlib
from collections import Counter
from collections.abc import Callable
from functools import cache
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

POST_TEMPLATE = """<!DOCTYPE html><html lang="en"><head><meta charset="{charset}">
<title>{title} – Hostile blog</title>{head}</head><body>
<article class="post"><h1 class="entry-title">{title}</h1>
<time class="entry-date published" datetime="{date}T10:00:00+00:00">{date}</time>
<div class="entry-content"><p>{body}</p><p>Second paragraph of the {title} post, for a body.</p>
</div></article></body></html>"""


def post_page(
    title: str, body: str, date: str = "2020-01-15", charset: str = "utf-8", head: str = ""
) -> str:
    return POST_TEMPLATE.format(title=title, body=body, date=date, charset=charset, head=head)


# Cases served as ordinary posts: path slug -> (date, title, body text)
TEXT_CASES = {
    "cp1251-meta": (
        "windows-1251",
        "Кириллица в windows-1251",
        "Съешь же ещё этих мягких французских булок.",
    ),
    "latin1-meta": (
        "iso-8859-1",
        "Crème brûlée",
        "Voilà: une crème brûlée très légère, à la française.",
    ),
    "sjis-meta": ("shift_jis", "日本語のページ", "これはシフトJISで書かれた日本語の文章です。"),
}
UTF8_TEXT = "Café au lait – naïve “quotes” and ünïcödé."
SLUG_CASES = [
    "%2e%2e%2f%2e%2e%2fetc%2fpasswd",
    "a" * 300,
    "%F0%9F%8D%8E-apples",  # 🍎
    "%D7%A9%D7%9C%D7%95%D7%9D",  # שלום
    "con",
]


class Hits:
    """Thread-safe record of the paths requested."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.paths: Counter[str] = Counter()
        self.times: list[tuple[float, str]] = []

    def add(self, path: str) -> int:
        with self.lock:
            self.paths[path] += 1
            self.times.append((time.monotonic(), path))
            return self.paths[path]


@cache
def gzip_bomb(gigabytes: int = 2) -> bytes:
    """A gzip stream a few MB long that inflates to ``gigabytes`` GB of zeros."""
    comp = zlib.compressobj(9, zlib.DEFLATED, 31)
    chunk = bytes(64 * 1024 * 1024)
    parts = [comp.compress(chunk) for _ in range(gigabytes * 16)]
    parts.append(comp.flush())
    return b"".join(parts)


def billion_laughs() -> bytes:
    """The classic entity expansion bomb: 10**9 "lol"s if a parser expands it."""
    entities = ['<!ENTITY lol0 "lol">']
    for i in range(1, 10):
        entities.append(f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">')
    return (
        f'<?xml version="1.0"?><!DOCTYPE urlset [{"".join(entities)}]>'
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        "<url><loc>{origin}/2020/01/28/&lol9;/</loc></url></urlset>"
    ).encode()


XXE_SITEMAP = (
    b'<?xml version="1.0"?><!DOCTYPE urlset [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
    b'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
    b"<url><loc>{origin}/2020/01/29/&xxe;/</loc></url>"
    b"<url><loc>{origin}/2020/01/15/sitemap-only-post/</loc></url></urlset>"
)


class HostileHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    hits: Hits
    origin: str
    offsite: str
    crawl_delay: int | None = None

    def log_message(self, *args: object) -> None:
        pass

    # -- plumbing ---------------------------------------------------------------------------
    def send(
        self, status: int, body: bytes, ctype: str = "text/html; charset=utf-8", **headers: str
    ) -> None:
        self.send_response(status)
        if ctype:
            self.send_header("Content-Type", ctype)
        for name, value in headers.items():
            self.send_header(name.replace("_", "-"), value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def html(self, text: str, status: int = 200, ctype: str = "text/html; charset=utf-8") -> None:
        self.send(status, text.replace("{origin}", self.origin).encode("utf-8"), ctype)

    def do_GET(self) -> None:
        path = self.path
        count = self.hits.add(path)
        route = self.routes().get(urlsplit(path).path)
        if route is not None:
            route(count)
        elif path.startswith("/hop/"):
            n = int(path.split("/")[2])
            self.send(302, b"", Location=f"{self.origin}/hop/{n + 1}/")
        elif path.startswith("/2020/01/page/"):
            self.endless_page(int(path.split("/")[4]))
        elif path.startswith("/2020/02/page/"):
            self.html(
                self.listing(
                    "2020-02",
                    ["/2020/02/01/repeat-a/", "/2020/02/02/repeat-b/"],
                    "/2020/02/page/9/",
                )
            )
        elif urlsplit(path).path.startswith("/2020/01/2") and "slug-" in path:
            self.html(post_page(f"Slug case {path}", "A post with a hostile slug in its URL."))
        elif any(urlsplit(path).path == f"/2020/01/26/{s}/" for s in SLUG_CASES):
            self.html(post_page("Hostile slug", "A post whose slug is made to escape the folder."))
        else:
            self.html("<html><body><p>Not found</p></body></html>", 404)

    # -- listings ---------------------------------------------------------------------------
    def listing(self, month: str, posts: list[str], older: str | None = None) -> str:
        links = "".join(
            f'<article class="post"><h2 class="entry-title"><a rel="bookmark" href="{p}">{p}</a></h2></article>'
            for p in posts
        )
        nav = f'<a class="next page-numbers" href="{older}">Older</a>' if older else ""
        return f"<html><head><title>{month}</title></head><body><main>{links}{nav}</main></body></html>"

    def home(self, count: int) -> None:
        posts = [p for p in self.routes() if p.startswith("/2020/01/") and p.count("/") == 5]
        posts += [f"/2020/01/26/{s}/" for s in SLUG_CASES]
        posts += ["/2020/01/27/slug-same/", "/2020/01/28/slug-same/"]
        extra = (
            '<a href="/2020/01/15/plain/?replytocom=7">Reply</a>'
            '<a href="/2020/01/15/plain/?utm_source=feed&amp;utm_medium=rss" rel="bookmark">Plain (tracked)</a>'
            '<a href="/2020/01/15/plain/?orderby=date">Faceted</a>'
            '<table id="wp-calendar"><tr><td><a href="/1999/12/">Dec</a></td></tr></table>'
            '<nav class="wp-calendar-nav"><a href="/1999/11/">Nov</a></nav>'
            '<a href="/2020/01/">January 2020</a><a href="/2020/02/">February 2020</a>'
            '<a href="/2020/03/">March 2020</a>'
            f'<a href="{self.offsite}/2020/01/01/elsewhere/" rel="bookmark">Elsewhere</a>'
        )
        self.html(self.listing("home", posts).replace("</main>", extra + "</main>"))

    def endless_page(self, n: int) -> None:
        posts = ["/2020/01/15/plain/"] if n < 2 else []
        self.html(self.listing("2020-01", posts, f"/2020/01/page/{n + 1}/"))

    # -- the cases ---------------------------------------------------------------------------
    def routes(self) -> dict[str, Callable[[int], None]]:
        r: dict[str, Callable[[int], None]] = {
            "/": self.home,
            "/robots.txt": lambda c: self.send(
                200,
                (
                    "User-agent: *\nDisallow: /2020/01/30/disallowed/\n"
                    + (f"Crawl-delay: {self.crawl_delay}\n" if self.crawl_delay else "")
                    + f"Sitemap: {self.origin}/wp-sitemap.xml\n"
                ).encode(),
                "text/plain",
            ),
            "/sitemap.xml": lambda c: self.send(
                200, XXE_SITEMAP.replace(b"{origin}", self.origin.encode()), "application/xml"
            ),
            "/wp-sitemap.xml": lambda c: self.send(
                200, billion_laughs().replace(b"{origin}", self.origin.encode()), "application/xml"
            ),
            "/2020/01/": lambda c: self.html(
                self.listing("2020-01", ["/2020/01/15/plain/"], "/2020/01/page/2/").replace(
                    "</main>", '<a href="/2019/12/">« December</a></main>'
                )
            ),
            "/2019/12/": lambda c: self.html(
                self.listing("2019-12", []).replace(
                    "</main>", '<a href="/2019/11/">« November</a></main>'
                )
            ),
            "/2020/02/": lambda c: self.html(
                self.listing(
                    "2020-02",
                    ["/2020/02/01/repeat-a/", "/2020/02/02/repeat-b/"],
                    "/2020/02/page/2/",
                )
            ),
            "/2020/02/01/repeat-a/": lambda c: self.html(
                post_page("Repeat A", "First repeating post.", "2020-02-01")
            ),
            "/2020/02/02/repeat-b/": lambda c: self.html(
                post_page("Repeat B", "Second repeating post.", "2020-02-02")
            ),
            "/2020/03/": lambda c: self.html(
                '<html><head><base href="' + self.offsite + '/"></head><body><main>'
                '<article><h2 class="entry-title"><a rel="bookmark" href="2020/03/01/based/">B</a></h2></article>'
                "</main></body></html>"
            ),
            "/2020/01/15/plain/": lambda c: self.html(
                post_page("Plain", "An ordinary post, linked with tracking parameters.")
            ),
            "/2020/01/15/sitemap-only-post/": lambda c: self.html(
                post_page("Sitemap only", "Found only through the sitemap.")
            ),
            "/2020/01/01/broken-markup/": lambda c: self.html(
                "<html><head><title>Broken markup – Hostile blog</title></head><body><article class='post'>"
                "<h1 class='entry-title'>Broken markup</h1><div class='entry-content'><p>Unclosed <b>bold <i>and"
                " italic</p></span><a href='/x'><div>Block inside a link survives.</div></a>"
                "<p>Stray end tags </td></tr></li> do not stop the text.<p>Another paragraph without a close"
                "</article>"
            ),
            "/2020/01/02/no-body/": lambda c: self.html(
                "<html><head><title>No body tag – Hostile blog</title></head>"
                "<h1>No body tag</h1><p>This page has no body element at all, yet it has text.</p>"
                "<p>A second paragraph of the body-less page.</p></html>"
            ),
            "/2020/01/06/header-disagrees/": lambda c: self.send(
                200,
                post_page("Header disagrees", UTF8_TEXT).encode("utf-8"),
                "text/html; charset=ISO-8859-1",
            ),
            "/2020/01/07/utf8-invalid/": lambda c: self.send(
                200,
                post_page("Invalid bytes", UTF8_TEXT)
                .encode("utf-8")
                .replace(b"Second", b"Sec\xff\xfeond"),
                "text/html; charset=utf-8",
            ),
            "/2020/01/08/bom/": lambda c: self.send(
                200,
                b"\xef\xbb\xbf"
                + post_page("BOM page", UTF8_TEXT).replace('<meta charset="utf-8">', "").encode(),
                "text/html",
            ),
            "/2020/01/09/pdf-as-html/": lambda c: self.send(
                200, b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n" * 50
            ),
            "/2020/01/10/png-as-html/": lambda c: self.send(
                200, b"\x89PNG\r\n\x1a\n" + struct.pack(">I", 13) + b"IHDR" + bytes(500)
            ),
            "/2020/01/11/empty/": lambda c: self.send(200, b""),
            "/2020/01/12/truncated/": self.truncated,
            "/2020/01/13/huge/": self.huge,
            "/2020/01/14/gzip-bomb/": lambda c: self.send(
                200, gzip_bomb(), Content_Encoding="gzip"
            ),
            "/2020/01/16/drip/": self.drip,
            "/2020/01/17/never-answers/": self.never,
            "/2020/01/18/redirect-loop/": lambda c: self.send(
                302, b"", Location=f"{self.origin}/loop-b/"
            ),
            "/loop-b/": lambda c: self.send(
                302, b"", Location=f"{self.origin}/2020/01/18/redirect-loop/"
            ),
            "/2020/01/19/redirect-chain/": lambda c: self.send(
                302, b"", Location=f"{self.origin}/hop/1/"
            ),
            "/2020/01/20/redirect-offsite/": lambda c: self.send(
                301, b"", Location=f"{self.offsite}/2020/01/20/x/"
            ),
            "/2020/01/21/flaky-500/": lambda c: (
                self.html(post_page("Third time lucky", "Succeeds on the third try."))
                if c >= 3
                else self.send(500, b"<p>oops</p>")
            ),
            "/2020/01/22/retry-after-503/": lambda c: (
                self.html(post_page("Retry after", "Succeeds after a Retry-After."))
                if c >= 2
                else self.send(503, b"<p>busy</p>", Retry_After="1")
            ),
            "/2020/01/23/always-502/": lambda c: self.send(502, b"<p>bad gateway</p>"),
            "/2020/01/24/reset-mid-body/": self.reset_then_ok,
            "/2020/01/25/canonical-dup/": lambda c: self.html(
                post_page(
                    "Canonical duplicate",
                    "Same post as plain.",
                    head='<link rel="canonical" href="{origin}/2020/01/15/plain/">',
                )
            ),
            "/2020/01/29/bad-metadata/": lambda c: self.html(
                post_page(
                    "Bad metadata",
                    "The metadata of this post is broken in every way.",
                    date="0000-00-00",
                    head='<script type="application/ld+json">{"@type": "BlogPosting", "datePublished": "20190-01-01",'
                    ' "author": {"name": "<b>Evil</b><script>x</script>"</script>'
                    '<meta name="author" content="<a href=x>Mallory</a>">',
                )
            ),
            "/2020/01/30/disallowed/": lambda c: self.html(
                post_page("Disallowed", "robots.txt forbids this.")
            ),
        }
        for charset_slug, (charset, title, text) in TEXT_CASES.items():
            path = f"/2020/01/0{3 + list(TEXT_CASES).index(charset_slug)}/{charset_slug}/"
            r[path] = lambda c, cs=charset, t=title, x=text: self.send(
                200, post_page(t, x, charset=cs).encode(cs, "xmlcharrefreplace"), "text/html"
            )
        return r

    def truncated(self, count: int) -> None:
        body = post_page("Truncated", "This body is cut short by the server.").encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body) + 5000))
        self.end_headers()
        self.wfile.write(body)
        self.wfile.flush()
        self.close_connection = True

    def huge(self, count: int) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header(
            "Transfer-Encoding", "chunked"
        )  # no Content-Length: the limit must bite mid-stream
        self.end_headers()
        chunk = b"<p>" + b"x" * (1024 * 1024 - 7) + b"</p>\n"
        try:
            self.wfile.write(b"c\r\n<html><body>\r\n")
            for _ in range(40):
                self.wfile.write(f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n")
            self.wfile.write(b"0\r\n\r\n")
        except OSError:
            pass  # the crawler hung up at its size limit, as it should

    def drip(self, count: int) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", "100000")
        self.end_headers()
        try:
            for _ in range(60):
                self.wfile.write(b"x")
                self.wfile.flush()
                time.sleep(1)
        except OSError:
            pass

    def never(self, count: int) -> None:
        time.sleep(30)
        self.close_connection = True

    def reset_then_ok(self, count: int) -> None:
        if count >= 3:
            self.html(post_page("Reset twice", "Survived two connection resets."))
            return
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", "20000")
        self.end_headers()
        self.wfile.write(b"<html><body><p>partial")
        self.wfile.flush()
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.connection.close()
        self.close_connection = True


class OffsiteHandler(BaseHTTPRequestHandler):
    """Another site: the crawler must never ask it for anything."""

    hits: Hits

    def do_GET(self) -> None:
        self.hits.add(self.path)
        self.send_response(200)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, *args: object) -> None:
        pass


class QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: object, client_address: object) -> None:
        pass  # clients hanging up on a misbehaving server is the point of these tests


class Server:
    def __init__(
        self, handler: type[BaseHTTPRequestHandler], host: str = "127.0.0.1", **attrs: object
    ):
        self.hits = Hits()
        cls = type("Bound", (handler,), {"hits": self.hits, **attrs})
        self.httpd = QuietServer((host, 0), cls)
        self.httpd.daemon_threads = True
        self.origin = f"http://{host}:{self.httpd.server_address[1]}"
        cls.origin = self.origin  # type: ignore[attr-defined]
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self) -> Server:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
