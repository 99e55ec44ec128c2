"""The bundled demo blog: its server, its links, its markup, and expected.json's agreement."""

from __future__ import annotations

import json
import re
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urldefrag, urljoin, urlsplit

import lxml.etree
import lxml.html
import pytest

from archiver.demo import EXPECTED_PATH, ORIGIN_PLACEHOLDER, SITE_DIR
from archiver.demo.server import DemoServer, serve_site

EXPECTED = json.loads(EXPECTED_PATH.read_text(encoding="utf-8"))

# Internal links that are allowed not to answer 200: the crawler traps of a WordPress blog.
TRAPS: dict[str, re.Pattern[str]] = {
    # Calendar widget's "previous month": a month with no posts, answers 404.
    "calendar": re.compile(r"^/2010/01/$"),
    # Comment reply links: the same post page again (200 here, duplicate content).
    "replytocom": re.compile(r"[?&]replytocom=\d+"),
    "wp-login": re.compile(r"^/wp-login\.php"),
    "wp-admin": re.compile(r"^/wp-admin/"),
    # Comment feeds: site-wide and per post; not part of the demo (404).
    "comments-feed": re.compile(r"^/comments/feed/$"),
    "post-comments-feed": re.compile(r"^/\d{4}/\d{2}/\d{2}/[^/]+/feed/$"),
}
# Trap kinds that must actually appear on the site.
REQUIRED_TRAPS = {"calendar", "replytocom", "wp-login", "comments-feed", "post-comments-feed"}
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
        "track", "wbr"}  # fmt: skip


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


OPENER = urllib.request.build_opener(_NoRedirect)


@dataclass
class Response:
    url: str
    status: int
    headers: dict[str, str]
    body: bytes

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "")

    @property
    def text(self) -> str:
        return self.body.decode("utf-8")


def fetch(url: str, method: str = "GET", headers: dict[str, str] | None = None) -> Response:
    """One request, redirects not followed, every response closed."""
    request = urllib.request.Request(url, method=method, headers=headers or {})
    try:
        with OPENER.open(request, timeout=10) as r:
            return Response(url, r.status, {k.lower(): v for k, v in r.headers.items()}, r.read())
    except urllib.error.HTTPError as e:
        with e:
            return Response(url, e.code, {k.lower(): v for k, v in e.headers.items()}, e.read())


def links_of(page_url: str, html_text: str) -> list[str]:
    """Absolute URLs (fragment removed) of a[href], link[href], img[src], script[src]."""
    doc = lxml.html.fromstring(html_text)
    raw = doc.xpath("//a/@href | //link/@href | //img/@src | //script/@src")
    return [urldefrag(urljoin(page_url, str(u)))[0] for u in raw]


def trap_kind(path_and_query: str) -> str | None:
    for kind, pattern in TRAPS.items():
        if pattern.search(path_and_query):
            return kind
    return None


@dataclass
class Crawl:
    server: DemoServer
    responses: dict[str, Response] = field(default_factory=dict)
    """Every internal URL seen (crawled pages and checked links)."""
    links: dict[str, set[str]] = field(default_factory=dict)
    """Internal link -> the pages linking to it."""

    def rel(self, url: str) -> str:
        parts = urlsplit(url)
        return parts.path + (f"?{parts.query}" if parts.query else "")


@pytest.fixture(scope="module")
def server() -> Iterator[DemoServer]:
    with serve_site(SITE_DIR) as s:
        yield s


@pytest.fixture(scope="module")
def crawl(server: DemoServer) -> Crawl:
    """Follow every internal link from the home page, the sitemap and expected.json's URLs."""
    c = Crawl(server)
    seeds = [server.url, server.url + "robots.txt", server.url + "wp-sitemap.xml"]
    seeds += [server.origin + p["url"] for p in EXPECTED["posts"]]
    queue = list(seeds)
    while queue:
        url = queue.pop(0)
        if url in c.responses:
            continue
        r = c.responses[url] = fetch(url)
        if trap_kind(c.rel(url)) or urlsplit(url).query or r.status != 200:
            continue  # checked, not followed
        found: list[str] = []
        if r.content_type.startswith("text/html"):
            found = links_of(url, r.text)
        elif "xml" in r.content_type:
            found = [
                str(u)
                for u in lxml.etree.fromstring(r.body).xpath("//*[local-name()='loc']/text()")
            ]
        for link in found:
            if link.startswith(server.origin + "/"):
                c.links.setdefault(link, set()).add(url)
                queue.append(link)
    return c


# -- the server ---------------------------------------------------------------------------------


def test_home_page_rewrites_origin(server: DemoServer) -> None:
    r = fetch(server.url)
    assert r.status == 200
    assert r.content_type == "text/html; charset=UTF-8"
    assert int(r.headers["content-length"]) == len(r.body)
    assert "etag" in r.headers
    assert "last-modified" in r.headers
    assert f'href="{server.origin}/2019/08/24/end-of-summer-jobs/"' in r.text
    assert f'"ajaxurl":"{server.origin.replace("/", chr(92) + "/")}' in r.text
    assert ORIGIN_PLACEHOLDER not in r.text
    assert "demo.blog-archiver.invalid" not in r.text


def test_server_url_and_port(server: DemoServer) -> None:
    assert server.url == f"http://127.0.0.1:{server.port}/"
    assert server.port > 0


def test_post_page(server: DemoServer) -> None:
    r = fetch(server.origin + "/2019/07/13/rain-gauge-results/")
    assert r.status == 200
    doc = lxml.html.fromstring(r.body)
    assert doc.xpath("string(//h1[@class='entry-title'])") == "Rain gauge results, January–June"
    assert doc.xpath("string(//link[@rel='canonical']/@href)") == r.url


def test_month_archive_second_page(server: DemoServer) -> None:
    r = fetch(server.origin + "/2019/07/page/2/")
    assert r.status == 200
    assert "Monthly Archives: <span>July 2019</span>" in r.text
    first = fetch(server.origin + "/2019/07/")
    assert f'class="next page-numbers" href="{server.origin}/2019/07/page/2/"' in first.text


def test_unknown_path_gets_404_page(server: DemoServer) -> None:
    for path in ("/no/such/page/", "/2019/13/", "/missing.jpg", "/_redirects", "/404.html/"):
        r = fetch(server.origin + path)
        assert r.status == 404, path
        assert r.content_type.startswith("text/html")
        assert "Nothing here" in r.text
        assert ORIGIN_PLACEHOLDER not in r.text


@pytest.mark.parametrize(
    ("path", "ctype"),
    [
        ("/wp-content/uploads/2019/07/rain-gauge.jpg", "image/jpeg"),
        ("/wp-content/uploads/2019/07/rail-line.png", "image/png"),
    ],
)
def test_image(server: DemoServer, path: str, ctype: str) -> None:
    r = fetch(server.origin + path)
    assert r.status == 200
    assert r.content_type == ctype
    assert r.body == (SITE_DIR / path.lstrip("/")).read_bytes()
    assert int(r.headers["content-length"]) == len(r.body)


def test_robots_txt(server: DemoServer) -> None:
    r = fetch(server.origin + "/robots.txt")
    assert r.status == 200
    assert r.content_type.startswith("text/plain")
    assert r.text == (
        f"User-agent: *\nDisallow: /wp-admin/\nSitemap: {server.origin}/wp-sitemap.xml\n"
    )


def test_feed_and_sitemaps(server: DemoServer) -> None:
    feed = fetch(server.origin + "/feed/")
    assert feed.content_type.startswith("application/rss+xml")
    items = lxml.etree.fromstring(feed.body).findall("channel/item")
    assert len(items) == 10
    assert items[0].findtext("link") == server.origin + "/2019/08/24/end-of-summer-jobs/"
    posts = fetch(server.origin + "/wp-sitemap-posts-post-1.xml")
    assert posts.content_type.startswith("application/xml")
    locs = lxml.etree.fromstring(posts.body).xpath("//*[local-name()='loc']/text()")
    assert sorted(locs) == sorted(server.origin + p["url"] for p in EXPECTED["posts"])


def test_redirects_rewrite_location(server: DemoServer) -> None:
    cases = {
        "/about": "/about/",
        "/2019/07/13/rain-gauge-results": "/2019/07/13/rain-gauge-results/",
        **EXPECTED["redirects"],
    }
    for source, target in cases.items():
        r = fetch(server.origin + source)
        assert r.status == 301, source
        assert r.headers["location"] == server.origin + target


def test_head_and_conditional_get(server: DemoServer) -> None:
    url = server.origin + "/2019/07/"
    get = fetch(url)
    head = fetch(url, method="HEAD")
    assert head.status == 200
    assert head.body == b""
    assert head.headers["content-length"] == str(len(get.body))
    assert head.headers["etag"] == get.headers["etag"]
    again = fetch(url, headers={"If-None-Match": get.headers["etag"]})
    assert again.status == 304
    assert fetch(server.origin + "/nope/", method="HEAD").status == 404


def test_query_strings_are_ignored(server: DemoServer) -> None:
    post = server.origin + "/2019/07/13/rain-gauge-results/"
    assert fetch(post + "?replytocom=12").body == fetch(post).body
    assert fetch(server.origin + "/?s=plums").status == 200


def test_close_releases_port() -> None:
    s = serve_site(SITE_DIR)
    url = s.url
    assert fetch(url).status == 200
    s.close()
    with pytest.raises(urllib.error.URLError):
        urllib.request.urlopen(url, timeout=2)


# -- links ----------------------------------------------------------------------------------------


def test_every_expected_url_answers_200(server: DemoServer) -> None:
    paths = [u for p in EXPECTED["posts"] for u in p["page_urls"]]
    paths += [p for pages in EXPECTED["listing_pages"].values() for p in pages]
    paths += [u for p in EXPECTED["posts"] for u in p["image_urls"]]
    paths += [m["url"] for m in EXPECTED["months"].values()]
    paths += [p["archive_url"] for p in EXPECTED["posts"]]
    paths += EXPECTED["other_urls"]
    for path in sorted(set(paths)):
        assert fetch(server.origin + path).status == 200, path


def test_internal_links_resolve_except_traps(crawl: Crawl) -> None:
    broken = {}
    seen_traps: dict[str, set[str]] = {}
    for link, sources in crawl.links.items():
        rel = crawl.rel(link)
        kind = trap_kind(rel)
        status = crawl.responses[link].status
        if kind:
            seen_traps.setdefault(kind, set()).add(rel)
        elif status != 200:
            broken[rel] = (status, sorted(crawl.rel(s) for s in sources)[:3])
    assert broken == {}
    assert set(seen_traps) >= REQUIRED_TRAPS, seen_traps
    assert crawl.responses[crawl.server.origin + "/2010/01/"].status == 404
    assert crawl.responses[crawl.server.origin + "/wp-login.php"].status == 404


def test_no_placeholder_in_any_served_text(crawl: Crawl) -> None:
    for url, r in crawl.responses.items():
        if not r.content_type.startswith("image/"):
            assert b"demo.blog-archiver.invalid" not in r.body, url


def test_every_site_page_is_reachable(crawl: Crawl) -> None:
    """Apart from the 404 page, no HTML page of the site is an orphan."""
    crawled = {crawl.rel(u) for u, r in crawl.responses.items() if r.status == 200}
    for file in SITE_DIR.rglob("index.html"):
        path = "/" + file.parent.relative_to(SITE_DIR).as_posix() + "/"
        path = "/" if path == "/./" else path
        assert path in crawled, path


# -- markup ---------------------------------------------------------------------------------------


class _Balance(HTMLParser):
    """Fails on misnested or unclosed elements (the generator writes every end tag)."""

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[str] = []
        self.errors: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"</{tag}> with open {self.stack[-3:]} at {self.getpos()}")
        else:
            self.stack.pop()


def test_html_parses_and_is_balanced(crawl: Crawl) -> None:
    pages = [(u, r) for u, r in crawl.responses.items() if r.content_type.startswith("text/html")]
    assert len(pages) > 40
    for url, r in pages:
        doc = lxml.html.fromstring(r.body)
        assert doc.tag == "html"
        assert doc.get("lang") == "en-US"
        assert doc.xpath("//meta[@name='generator']/@content") == ["WordPress 6.4"]
        assert doc.xpath("//main[@id='main']"), url
        checker = _Balance()
        checker.feed(r.text)
        checker.close()
        assert checker.errors == [], url
        assert checker.stack == [], url


def test_xml_files_are_well_formed(crawl: Crawl) -> None:
    for r in crawl.responses.values():
        if "xml" in r.content_type and r.status == 200:
            lxml.etree.fromstring(r.body)


def text_of(nodes: list[lxml.html.HtmlElement]) -> list[str]:
    return [" ".join(n.text_content().split()) for n in nodes]


@pytest.mark.parametrize("post", EXPECTED["posts"], ids=lambda p: p["url"])
def test_post_markup_matches_expected(server: DemoServer, post: dict) -> None:
    """expected.json and the served page say the same thing."""
    docs = [lxml.html.fromstring(fetch(server.origin + u).body) for u in post["page_urls"]]
    doc = docs[0]
    article = doc.xpath("//article[contains(@class, 'type-post')]")[0]
    assert "hentry" in article.get("class").split()
    assert text_of(article.xpath(".//h1[@class='entry-title']")) == [post["title"]]
    assert article.xpath(".//time[contains(@class, 'published')]/@datetime") == [post["published"]]
    modified = article.xpath(".//time[@class='updated']/@datetime")
    assert modified == ([post["modified"]] if post["modified"] else [])
    assert text_of(article.xpath(".//span[@class='author vcard']/a")) == [post["author"]]
    assert text_of(article.xpath(".//span[@class='cat-links']/a")) == post["categories"]
    assert text_of(article.xpath(".//span[@class='tags-links']/a")) == post["tags"]
    contents = [d.xpath("//div[@class='entry-content']")[0] for d in docs]
    captions = sum(len(c.xpath(".//figure/figcaption")) for c in contents)
    assert captions == post["captions"]
    assert sum(len(c.xpath(".//img")) for c in contents) == post["images"]
    assert (
        len(doc.xpath("//ol[@class='comment-list']//li[contains(@class, 'comment')]"))
        == (post["comments"])
    )
    for sample, content in zip(post["body_samples"], contents, strict=False):
        assert sample in " ".join(content.text_content().split())
    if post["pages"] > 1:
        for n, d in enumerate(docs, 1):
            current = d.xpath("//div[@class='page-links']/span[contains(@class, 'current')]")
            assert text_of(current) == [str(n)]
    canonical = [d.xpath("string(//link[@rel='canonical']/@href)") for d in docs]
    assert canonical == [server.origin + u for u in post["page_urls"]]


def test_protected_post_is_listed_but_not_expected(server: DemoServer) -> None:
    (excluded,) = EXPECTED["excluded"]
    assert excluded["reason"] == "password-protected"
    assert excluded["url"] not in {p["url"] for p in EXPECTED["posts"]}
    page = fetch(server.origin + excluded["url"])
    assert page.status == 200
    assert 'class="post-password-form"' in page.text
    assert "Protected: " in fetch(server.origin + "/2019/06/").text


# -- expected.json and the bundle -----------------------------------------------------------------


def test_expected_summary() -> None:
    posts = EXPECTED["posts"]
    assert 9 <= len(posts) + len(EXPECTED["excluded"]) <= 11
    assert list(EXPECTED["months"]) == ["2019-05", "2019-06", "2019-07", "2019-08"]
    assert len(EXPECTED["months"]["2019-07"]["pages"]) == 2
    assert any(p["pages"] == 2 for p in posts)
    kinds = {r["kind"] for p in posts for r in p["reference_details"]}
    assert kinds == {"bibliography", "footnote"}
    urls = [r["url"] for p in posts for r in p["reference_details"]]
    assert "https://example.org/bee-count–method" in urls
    credits = {c["credit"] for p in posts for c in p["caption_details"]}
    assert {"Source: Harbour Lane Orchard volunteers", "Photo: Inès Durand"} <= credits
    assert any(not p["tags"] for p in posts)
    assert any(len(p["categories"]) > 1 for p in posts)


def test_committed_site_matches_generator(tmp_path: Path) -> None:
    """site/ and expected.json are exactly what build_site.py writes."""
    from archiver.demo.build_site import build

    root = tmp_path / "site"
    build(root, tmp_path / "expected.json")
    assert (tmp_path / "expected.json").read_text(encoding="utf-8") == EXPECTED_PATH.read_text(
        encoding="utf-8"
    )
    committed = {
        p.relative_to(SITE_DIR).as_posix(): p
        for p in SITE_DIR.rglob("*")
        if p.is_file() and "wp-content/uploads" not in p.as_posix()
    }
    built = {p.relative_to(root).as_posix(): p for p in root.rglob("*") if p.is_file()}
    assert sorted(committed) == sorted(built)
    for rel, path in built.items():
        assert path.read_bytes() == committed[rel].read_bytes(), rel


def test_site_stays_small() -> None:
    files = [p for p in SITE_DIR.rglob("*") if p.is_file()]
    assert all(p.stat().st_size < 3000 for p in files if p.suffix in {".jpg", ".png"})
    assert sum(p.stat().st_size for p in files) < 360_000
