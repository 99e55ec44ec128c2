"""The crawl's fast paths agree with the slow ones they stand in for, on real recorded pages."""

from __future__ import annotations

import copy
import json
import random
import re
from urllib.parse import urljoin

import jsonschema
import lxml.html
import pytest

from archiver.discovery import absolute_link, canonicalize, may_link_further_pages
from archiver.extract import next_page_urls
from archiver.pipelines import load_schema
from archiver.schema_check import fast_check
from tests.conftest import FIXTURES, ROOT, WORDPRESS

DEMO_SITE = ROOT / "archiver" / "demo" / "site"
DEMO_ORIGIN = "http://demo.blog-archiver.invalid"
DATED_POST = re.compile(r"/\d{4}/\d\d/\d\d/[^/]+/$")


def recorded_pages() -> list[tuple[str, bytes]]:
    """(URL, body) of every HTML page of the WordPress recording, the demo blog and the dev set."""
    pages = []
    index = json.loads((WORDPRESS / "index.json").read_text("utf-8"))
    for path, entry in index["entries"].items():
        if entry["status"] == 200 and "html" in entry["content_type"]:
            pages.append((index["origin"] + path, (WORDPRESS / entry["file"]).read_bytes()))
    for file in sorted(DEMO_SITE.rglob("index.html")):
        path = file.parent.relative_to(DEMO_SITE).as_posix()
        pages.append((f"{DEMO_ORIGIN}/{path}/".replace("/./", "/"), file.read_bytes()))
    for source in sorted((FIXTURES / "readability-blogs").glob("*/source.html")):
        pages.append(
            (f"http://fixture.example/2019/07/13/{source.parent.name}/", source.read_bytes())
        )
    return pages


# Page links a byte scan could miss if it only looked for WordPress's markup or one spelling.
CRAFTED = [
    ("http://x.org/2019/07/13/slug/", b'<p>Pages: <a href="http://x.org/2019/07/13/slug/2/">2</a>'),
    ("http://x.org/2019/07/13/slug/", b"<p>Pages: <a href='2/'>2</a> <a href=./3/>3</a></p>"),
    ("http://x.org/2019/07/13/slug/", b'<a href="/2019/07/13/SLUG/2/">2</a>'),
    (
        "http://x.org/2019/07/13/caf%C3%A9/",
        '<a href="http://x.org/2019/07/13/café/2/">2</a>'.encode(),
    ),
    ("http://x.org/2019/07/13/caf%c3%a9/", b'<a href="/2019/07/13/caf%C3%A9/2/">2</a>'),
    (
        "http://x.org/2019/07/13/slug/3/",
        b'<a href="/2019/07/13/slug/">1</a> <a href="/2019/07/13/slug/2/">2</a>',
    ),
    ("http://x.org/?p=12", b'<a href="http://x.org/?p=12&page=2">2</a>'),
]


def test_page_link_scan_never_misses_a_page_link() -> None:
    pages = recorded_pages() + [(url, body) for url, body in CRAFTED]
    assert len(pages) > 100
    missed = [
        url
        for url, body in pages
        if next_page_urls(body, url) and not may_link_further_pages(body, url)
    ]
    assert missed == []


@pytest.mark.parametrize(("url", "body"), CRAFTED)
def test_crafted_page_links_are_never_spared(url: str, body: bytes) -> None:
    """Links to a further page in any spelling (relative, other case, encoded or not)."""
    assert may_link_further_pages(body, url)


def test_page_link_scan_spares_most_single_page_posts() -> None:
    posts = [
        (url, body)
        for url, body in recorded_pages()
        if DATED_POST.search(url) and not next_page_urls(body, url)
    ]
    assert len(posts) >= 20
    spared = [url for url, body in posts if not may_link_further_pages(body, url)]
    assert len(spared) >= 0.8 * len(posts), "the scan must skip the parse on most posts"


def test_absolute_links_skip_the_join_without_changing_a_link() -> None:
    """``absolute_link`` equals canonicalize(urljoin(base, href)) for every link of every page."""
    hrefs = {
        " HTTP://X.ORG/a/./b/;p?utm_source=1&q=2#f ",
        "https://x.org",
        "http:///weird",
        "//x.org/a",
    }
    for _, body in recorded_pages():
        hrefs.update(str(h).strip() for h in lxml.html.fromstring(body).xpath("//a/@href"))
    assert len(hrefs) > 1000
    bases = ["http://127.0.0.1:8090/2021/11/", "https://127.0.0.1:8090/", "http://x.org/blog/a/b"]
    for base in bases:
        for href in hrefs:
            assert absolute_link(base, href) == canonicalize(urljoin(base, href)), (base, href)


def mutations(post: dict, rng: random.Random, count: int) -> list[dict]:
    """``count`` copies of ``post``, each with one value anywhere replaced by an odd one."""
    paths: list[list] = []

    def walk(value: object, path: list) -> None:
        items = value.items() if isinstance(value, dict) else enumerate(value)
        for key, sub in items:
            paths.append([*path, key])
            if isinstance(sub, (dict, list)):
                walk(sub, [*path, key])

    walk(post, [])
    odd = [None, 1, -1, 2.5, True, "", "x", "not a date", [], {}, ["x"], {"x": 1}]
    out = []
    for _ in range(count):
        mutated = copy.deepcopy(post)
        *parents, last = rng.choice(paths)
        target = mutated
        for key in parents:
            target = target[key]
        target[last] = rng.choice(odd)
        out.append(mutated)
    return out


def test_fast_schema_check_agrees_with_jsonschema(wordpress_crawl: dict) -> None:
    schema = load_schema()
    check = fast_check(schema)
    assert check is not None, "fastjsonschema is installed and the schema compiles"
    validator = jsonschema.Draft202012Validator(schema)
    rng = random.Random(7)
    cases = list(wordpress_crawl["posts"])
    for post in wordpress_crawl["posts"][:8]:
        cases += mutations(post, rng, 60)
    verdicts = [(check(c), validator.is_valid(c)) for c in cases]
    assert [v for v in verdicts if v[0] != v[1]] == []
    assert sum(not ok for _, ok in verdicts) > 100, "many of the mutations are invalid"


def test_fast_schema_check_stands_down_for_newer_keywords() -> None:
    schema = {**load_schema(), "unevaluatedProperties": False}
    assert fast_check(schema) is None


def test_spider_callbacks_return_nothing_from_generators():
    """WARN_ON_GENERATOR_RETURN_VALUE is off (Scrapy would parse each callback's source on every
    response): this checks once what that warning checks, for every callback of the spider."""
    from scrapy.utils.misc import is_generator_with_return_value

    from archiver import settings
    from archiver.spiders.blog import BlogSpider

    assert settings.WARN_ON_GENERATOR_RETURN_VALUE is False
    callbacks = [
        getattr(BlogSpider, name)
        for name in dir(BlogSpider)
        if name.startswith(("parse", "listing_failed", "post_failed"))
    ]
    assert len(callbacks) >= 4
    for callback in callbacks:
        assert not is_generator_with_return_value(callback), callback.__name__

    def bad() -> object:
        yield 1
        return 2

    assert is_generator_with_return_value(bad)  # the check itself can fail
