"""report.html of a big archive: rows of each URL's latest version, without holding the posts' text."""

from __future__ import annotations

import hashlib
import json
import re
import tracemalloc
from pathlib import Path

from archiver.output import safe_slug
from archiver.report import render_report, report_post, write_report

REPLAY = "http://localhost:8080/blog/"
PROV_A = {"warc_file": "a.warc.gz", "warc_offset": 10, "fetched_at": "2024-05-01T10:20:30+00:00"}
POSTS = [
    {
        "url": "https://small.example/2020/01/a/",
        "title": "First version",
        "published": "2020-01-03T10:00:00Z",
        "archive": {"month": "2020-01"},
        "word_count": 10,
        "captions": [{"text": "c"}],
        "references": [],
        "site": {},
        "provenance": PROV_A,
        "body": {"text": "x" * 1000, "html": "<p>x</p>"},
    },
    {
        "url": "https://small.example/2020/02/b/",
        "title": "B <b>bold</b> & co",
        "authors": ["Ann", "<Bob>"],
        "published": "2020-02-05T10:00:00+01:00",
        "canonical_url": "https://small.example/b-canon/",
        "archive": {"month": "2020-02"},
        "word_count": "42",
        "captions": [{}, {}],
        "references": [{}, {}, {}],
        "site": {"name": "Small <Blog>", "url": "https://small.example/", "platform": "wordpress"},
        "provenance": {
            "warc_file": "b.warc.gz",
            "warc_offset": 99,
            "fetched_at": "2024-06-01T01:02:03Z",
        },
    },
    {"url": "https://small.example/undated/", "title": None, "archive": {}, "provenance": {}},
    {
        "url": "javascript:alert(1)",
        "title": "JS url",
        "published": "2021-03-01",
        "archive": {"month": "2021-03"},
        "word_count": 3.7,
        "site": {"name": "Other"},
        "provenance": {"warc_file": "c.warc.gz"},
    },
    {
        "url": "https://small.example/2020/01/a/",
        "title": "Second version of A",
        "published": "2020-01-03T10:00:00Z",
        "archive": {"month": "2020-01"},
        "word_count": 12,
        "captions": [],
        "references": [{}],
        "provenance": {
            "warc_file": "a2.warc.gz",
            "warc_offset": 20,
            "fetched_at": "2024-07-01T10:20:30+00:00",
        },
    },
    {
        "url": "https://small.example/2019/11/c/",
        "title": "Same date",
        "published": "2020-01-03T10:00:00Z",
        "archive": {"month": "2019-11"},
        "site": None,
        "provenance": None,
    },
]
EXPECTED_ROWS = [  # rendered from the same site before posts were cut to ReportPost
    '<tr data-month="2021-03" data-search="js url  2021-03 javascript:alert(1)"><td>JS url<div class="sub">javascript:alert(1)</div></td><td class="date">2021-03-01</td><td class="num">3</td><td class="num">0</td><td class="num">0</td><td title="c.warc.gz @ None"><a class="replay" href="http://localhost:8080/blog/javascript:alert(1)" rel="noreferrer">replay</a></td></tr>',
    '<tr data-month="2020-02" data-search="b &lt;b&gt;bold&lt;/b&gt; &amp; co ann, &lt;bob&gt; 2020-02 https://small.example/2020/02/b/"><td><a class="json" href="posts/2020/02/b-canon.json">B &lt;b&gt;bold&lt;/b&gt; &amp; co</a><div class="sub"><a class="orig" href="https://small.example/2020/02/b/" rel="noreferrer">https://small.example/2020/02/b/</a> · Ann, &lt;Bob&gt;</div></td><td class="date">2020-02-05</td><td class="num">42</td><td class="num">2</td><td class="num">3</td><td title="b.warc.gz @ 99"><a class="replay" href="http://localhost:8080/blog/20240601010203/https://small.example/2020/02/b/" rel="noreferrer">replay</a></td></tr>',
    '<tr data-month="2020-01" data-search="second version of a  2020-01 https://small.example/2020/01/a/"><td><a class="json" href="posts/2020/01/a-dabe94bc.json">Second version of A</a><div class="sub"><a class="orig" href="https://small.example/2020/01/a/" rel="noreferrer">https://small.example/2020/01/a/</a></div></td><td class="date">2020-01-03</td><td class="num">12</td><td class="num">0</td><td class="num">1</td><td title="a2.warc.gz @ 20"><a class="replay" href="http://localhost:8080/blog/20240701102030/https://small.example/2020/01/a/" rel="noreferrer">replay</a></td></tr>',
    '<tr data-month="2019-11" data-search="same date  2019-11 https://small.example/2019/11/c/"><td>Same date<div class="sub"><a class="orig" href="https://small.example/2019/11/c/" rel="noreferrer">https://small.example/2019/11/c/</a></div></td><td class="date">2020-01-03</td><td class="num">0</td><td class="num">0</td><td class="num">0</td><td title="no WARC record"><span class="warc">WARC</span></td></tr>',
    '<tr data-month="" data-search="https://small.example/undated/   https://small.example/undated/"><td><a class="json" href="posts/undated/undated.json">https://small.example/undated/</a><div class="sub"><a class="orig" href="https://small.example/undated/" rel="noreferrer">https://small.example/undated/</a></div></td><td class="date"></td><td class="num">0</td><td class="num">0</td><td class="num">0</td><td title="no WARC record"><span class="warc">WARC</span></td></tr>',
]
EXPECTED_FACTS = (
    '<dl class="facts"><div><dt>posts</dt><dd>5</dd></div><div><dt>months</dt><dd>4</dd></div>'
    "<div><dt>pages fetched (latest crawl)</dt><dd>17</dd></div><div><dt>errors (latest crawl)"
    "</dt><dd>1</dd></div><div><dt>latest crawl finished</dt><dd>2024-01-01T00:00:00Z</dd></div></dl>"
)


def small_site(root: Path) -> Path:
    """Posts with missing and odd fields, a URL archived twice, lines that are not posts, JSON
    files named with and without the URL hash, and a crawl manifest."""
    site = root / "small.example"
    site.mkdir()
    lines = [json.dumps(p) for p in POSTS]
    lines[3:3] = ["{broken"]
    lines[2:2] = ["[1, 2]"]
    lines[1:1] = [""]
    (site / "posts.jsonl").write_text("\n".join(lines) + "\n", "utf-8")
    url_a = POSTS[0]["url"]
    suffix = hashlib.sha1(url_a.encode()).hexdigest()[:8]
    for month, name in (
        ("2020/01", f"{safe_slug(url_a)}-{suffix}"),
        ("2020/02", safe_slug("https://small.example/b-canon/")),
        ("undated", safe_slug("https://small.example/undated/")),
    ):
        (site / "posts" / month).mkdir(parents=True)
        (site / "posts" / month / f"{name}.json").write_text("{}", "utf-8")
    manifest = {
        "start_url": "https://small.example/",
        "finished_at": "2024-01-01T00:00:00Z",
        "counts": {"responses": 17, "traps": {"calendar": 3}},
        "errors": [{"kind": "http_500", "url": "https://small.example/e", "detail": "<b>"}],
    }
    (site / "crawl-20240101T000000Z.json").write_text(json.dumps(manifest), "utf-8")
    return site


def test_rows_are_the_latest_versions_as_before(tmp_path: Path) -> None:
    site = small_site(tmp_path)
    html = render_report(site, REPLAY)
    body = re.search(r"<tbody>(.*?)</tbody>", html, re.S)
    assert body is not None
    assert body.group(1) == "".join(EXPECTED_ROWS)
    assert "First version" not in html, "a URL archived twice: its last line only"
    assert EXPECTED_FACTS in html
    assert "<h1>Other</h1>" in html, "site of the newest post that names one"
    assert "posts.jsonl:4: not a post (no url), skipped" in html
    assert "posts.jsonl:6: not a JSON line" in html
    assert "1 undated post(s) are not in the chart." in html
    stamp = re.compile(rb"at \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00\.")
    written = write_report(site, REPLAY).read_bytes()
    assert stamp.sub(b"", written) == stamp.sub(b"", render_report(site, REPLAY).encode("utf-8"))


def test_report_post_keeps_no_text() -> None:
    post = {**POSTS[1], "body": {"text": "t" * 10_000, "html": "<p>" + "t" * 10_000 + "</p>"}}
    kept = report_post(post)
    assert all(len(str(v)) < 100 for v in kept), "body, captions and references are not kept"
    assert (kept.word_count, kept.captions, kept.references) == (42, 2, 3)
    shared: dict = {}
    first, second = report_post(post, shared), report_post(dict(post), shared)
    assert first.site is second.site, "one copy of what every post repeats"


def test_big_archive_is_not_held_in_memory(tmp_path: Path) -> None:
    site = tmp_path / "big.example"
    site.mkdir()
    text = "plum orchard " * 1200
    with (site / "posts.jsonl").open("w", encoding="utf-8") as fh:
        for i in range(300):
            post = {
                "url": f"https://big.example/{2000 + i % 20}/{1 + i % 12:02d}/p{i}/",
                "title": f"Post {i} \N{PEACH}",
                "published": f"{2000 + i % 20}-{1 + i % 12:02d}-01",
                "archive": {"month": f"{2000 + i % 20}-{1 + i % 12:02d}"},
                "site": {"name": "Big", "url": "https://big.example/"},
                "body": {"text": text, "html": f"<p>{text}</p>"},
                "captions": [{"text": text[:200]}],
                "references": [{"text": text[:300]}] * 2,
                "provenance": {"warc_file": "x.warc.gz", "warc_offset": i, "fetched_at": "2024"},
            }
            fh.write(json.dumps(post) + "\n")
    size = (site / "posts.jsonl").stat().st_size
    tracemalloc.start()
    try:
        write_report(site)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert size > 9_000_000
    assert peak < size / 4, f"peak {peak} bytes for a {size}-byte posts.jsonl"
    assert (site / "report.html").read_text("utf-8").count("<tr data-month=") == 300
