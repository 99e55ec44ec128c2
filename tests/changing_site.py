"""A small blog on 127.0.0.1 that tests can change between crawls (issue 6).

Some posts send an ETag, one only Last-Modified, one no validator at all; conditional requests
get a real 304. ``Blog`` is the content; tests edit it, add and delete posts while it is served.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections import Counter
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Post:
    path: str
    title: str
    body: str
    validators: str = "etag"  # "etag", "last-modified" or "none"
    version: int = 1

    @property
    def month(self) -> str:
        return self.path[1:8].replace("/", "-")

    def html(self) -> bytes:
        year, month, day = self.path.split("/")[1:4]
        return (
            f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{self.title} – Changing'
            f'</title></head><body><article class="post"><h1 class="entry-title">{self.title}</h1>'
            f'<time class="entry-date published" datetime="{year}-{month}-{day}T10:00:00+00:00">d</time>'
            f'<div class="entry-content"><p>{self.body}</p><p>Second paragraph of {self.title}.</p>'
            "</div></article></body></html>"
        ).encode()


class Blog:
    def __init__(self, posts: list[Post], delay: float = 0.0):
        self.posts = {p.path: p for p in posts}
        self.delay = delay
        self.hits: Counter[str] = Counter()
        self.statuses: Counter[tuple[str, int]] = Counter()
        self.lock = threading.Lock()

    def listing(self, posts: list[Post]) -> bytes:
        entries = "".join(
            f'<article class="post"><h2 class="entry-title"><a rel="bookmark" href="{p.path}">{p.title}</a>'
            f"</h2><p>{p.body[:40]}</p></article>"
            for p in sorted(posts, key=lambda p: p.path, reverse=True)
        )
        months = sorted({p.month for p in self.posts.values()}, reverse=True)
        widget = "".join(f'<li><a href="/{m.replace("-", "/")}/">{m}</a></li>' for m in months)
        return (
            f"<html><head><title>Changing blog</title></head><body><main>{entries}</main>"
            f'<aside class="widget widget_archive"><ul>{widget}</ul></aside></body></html>'
        ).encode()


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    blog: Blog

    def log_message(self, *args: object) -> None:
        pass

    def answer(self, status: int, body: bytes = b"", **headers: str) -> None:
        with self.blog.lock:
            self.blog.statuses[(self.path, status)] += 1
        self.send_response(status)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        for name, value in headers.items():
            self.send_header(name.replace("_", "-"), value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        blog = self.blog
        with blog.lock:
            blog.hits[self.path] += 1
        path = self.path.split("?")[0]
        if path == "/robots.txt":
            self.answer(200, b"User-agent: *\nDisallow:\n")
            return
        if path == "/":
            self.answer(200, blog.listing(list(blog.posts.values())))
            return
        month_posts = [
            p for p in blog.posts.values() if p.path.startswith(path) and path.count("/") == 3
        ]
        if month_posts:
            self.answer(200, blog.listing(month_posts))
            return
        post = blog.posts.get(path)
        if post is None:
            self.answer(404, b"<html><body>Not found</body></html>")
            return
        if blog.delay:
            time.sleep(blog.delay)
        body = post.html()
        etag = '"' + hashlib.sha1(body).hexdigest()[:16] + '"'
        modified = f"Mon, {post.version:02d} Jan 2024 10:00:00 GMT"
        headers: dict[str, str] = {}
        if post.validators == "etag":
            headers["ETag"] = etag
            if self.headers.get("If-None-Match") == etag:
                self.answer(304, **headers)
                return
        elif post.validators == "last-modified":
            headers["Last_Modified"] = modified
            if self.headers.get("If-Modified-Since") == modified:
                self.answer(304, **headers)
                return
        self.answer(200, body, **headers)


class Server:
    def __init__(self, blog: Blog):
        handler = type("BoundHandler", (Handler,), {"blog": blog})
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self) -> Server:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
