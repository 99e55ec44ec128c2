"""Issue 5: one crawl of a misbehaving blog (tests/hostile_site.py); every fault has its test.

The crawl runs once per module in a subprocess, with short timeouts and back-off so that the
drip-feeding and silent servers cost seconds, not minutes.
"""

from __future__ import annotations

import itertools
import json
import subprocess
import sys
from pathlib import Path

import pytest
from warcio.archiveiterator import ArchiveIterator

from tests.conftest import ROOT, read_jsonl, run_archiver
from tests.hostile_site import (
    SLUG_CASES,
    TEXT_CASES,
    UTF8_TEXT,
    HostileHandler,
    OffsiteHandler,
    Server,
    gzip_bomb,
)

QUICK = [
    "-s",
    "DOWNLOAD_DELAY=0",
    "-s",
    "AUTOTHROTTLE_ENABLED=False",
    "-s",
    "CONCURRENT_REQUESTS_PER_DOMAIN=16",
    "-s",
    "DOWNLOAD_TIMEOUT=3",
    "-s",
    "RETRY_BACKOFF_BASE=0.2",
    "-s",
    "RETRY_MAX_DELAY=1.5",
]
RSS_WRAPPER = (
    "import resource, sys; from archiver.cli import main; rc = main(sys.argv[1:]); "
    "print('MAXRSS_KB', resource.getrusage(resource.RUSAGE_SELF).ru_maxrss); sys.exit(rc)"
)


@pytest.fixture(scope="module")
def crawl(tmp_path_factory: pytest.TempPathFactory) -> dict:
    out = tmp_path_factory.mktemp("hostile")
    gzip_bomb()  # built before the crawl, so that serving it is instant
    with Server(OffsiteHandler) as offsite, Server(HostileHandler, offsite="") as site:
        site.httpd.RequestHandlerClass.offsite = offsite.origin  # type: ignore[attr-defined]
        proc = subprocess.run(
            [
                sys.executable,
                "-c",
                RSS_WRAPPER,
                "crawl",
                site.origin + "/",
                "--output",
                str(out),
                *QUICK,
            ],
            capture_output=True,
            text=True,
            timeout=240,
            cwd=ROOT,
        )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-5000:]
    folder = out / "127.0.0.1"
    [manifest_path] = folder.glob("crawl-*.json")
    posts = read_jsonl(folder / "posts.jsonl")
    return {
        "out": out,
        "site": folder,
        "origin": site.origin,
        "hits": site.hits.paths,
        "offsite_hits": offsite.hits.paths,
        "posts": {p["url"].replace(site.origin, ""): p for p in posts},
        "lines": posts,
        "manifest": json.loads(manifest_path.read_text("utf-8")),
        "stdout": proc.stdout,
        "log": proc.stderr,
        "maxrss_kb": int(proc.stdout.rsplit("MAXRSS_KB", 1)[1].split()[0]),
    }


def events(crawl: dict, category: str, kind: str) -> list[dict]:
    return [e for e in crawl["manifest"][category] if e["kind"] == kind]


def warc_responses(crawl: dict) -> dict[str, list]:
    found: dict[str, list] = {}
    for warc in sorted((crawl["site"] / "warc").glob("*.warc.gz")):
        with warc.open("rb") as fh:
            for record in ArchiveIterator(fh):
                if record.rec_type == "response":
                    uri = record.rec_headers.get_header("WARC-Target-URI")
                    found.setdefault(uri.replace(crawl["origin"], ""), []).append(
                        (record.http_headers.get_statuscode(), record.raw_stream.read())
                    )
    return found


def test_crawl_finishes_and_everything_stays_readable(crawl: dict) -> None:
    assert crawl["manifest"]["finish_reason"] == "finished"
    proc = run_archiver("verify", str(crawl["out"]))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert len({p["url"] for p in crawl["lines"]}) == len(crawl["lines"]), "no post twice"


# 1. broken markup
def test_broken_markup_still_gives_title_and_body(crawl: dict) -> None:
    post = crawl["posts"]["/2020/01/01/broken-markup/"]
    assert post["title"] == "Broken markup"
    assert "Block inside a link survives." in post["body"]["text"]
    assert "do not stop the text." in post["body"]["text"]
    nobody = crawl["posts"]["/2020/01/02/no-body/"]
    assert nobody["title"] == "No body tag"
    assert "no body element at all" in nobody["body"]["text"]


# 2. encodings
@pytest.mark.parametrize("slug", list(TEXT_CASES))
def test_charset_only_in_meta(crawl: dict, slug: str) -> None:
    charset, title, text = TEXT_CASES[slug]
    [post] = [p for path, p in crawl["posts"].items() if slug in path]
    assert post["title"] == title
    assert text in post["body"]["text"]
    [(_status, raw)] = warc_responses(crawl)[post["url"].replace(crawl["origin"], "")]
    assert raw.decode(charset).find(text) > 0, "the WARC keeps the original bytes"


@pytest.mark.parametrize("path", ["/2020/01/06/header-disagrees/", "/2020/01/08/bom/"])
def test_utf8_recognised_whatever_the_header(crawl: dict, path: str) -> None:
    assert UTF8_TEXT in crawl["posts"][path]["body"]["text"]


def test_utf8_with_a_few_invalid_bytes_is_not_mojibake(crawl: dict) -> None:
    text = crawl["posts"]["/2020/01/07/utf8-invalid/"]["body"]["text"]
    assert UTF8_TEXT in text
    assert "Ã" not in text
    [(_status, raw)] = warc_responses(crawl)["/2020/01/07/utf8-invalid/"]
    assert b"Sec\xff\xfeond" in raw


# 3. not HTML
@pytest.mark.parametrize(
    ("path", "kind"),
    [
        ("/2020/01/09/pdf-as-html/", "not_html"),
        ("/2020/01/10/png-as-html/", "not_html"),
        ("/2020/01/11/empty/", "empty"),
        ("/2020/01/12/truncated/", "truncated"),
    ],
)
def test_not_html_gives_no_item_but_a_reason(crawl: dict, path: str, kind: str) -> None:
    assert path not in crawl["posts"]
    assert crawl["origin"] + path in [e["url"] for e in events(crawl, "skipped", kind)]
    assert path in crawl["log"], "the reason is logged"
    assert path in warc_responses(crawl), "what did arrive is archived"


# 4. size
def test_huge_page_and_gzip_bomb_are_bounded(crawl: dict) -> None:
    too_large = {
        e["url"].replace(crawl["origin"], "") for e in events(crawl, "errors", "too_large")
    }
    assert too_large == {"/2020/01/13/huge/", "/2020/01/14/gzip-bomb/"}
    [(_status, raw)] = warc_responses(crawl)["/2020/01/14/gzip-bomb/"]
    assert raw[:2] == b"\x1f\x8b", "the compressed bytes are archived as they came"
    assert len(raw) < 10_000_000
    assert crawl["maxrss_kb"] < 1024 * 1024, f"peak RSS {crawl['maxrss_kb']} KB"


# 5. time
@pytest.mark.parametrize("path", ["/2020/01/16/drip/", "/2020/01/17/never-answers/"])
def test_slow_servers_time_out_after_retries(crawl: dict, path: str) -> None:
    assert crawl["hits"][path] == 3, "first try + RETRY_TIMES=2 retries"
    assert [e["url"] for e in events(crawl, "errors", "timeout")].count(crawl["origin"] + path) == 1


# 6. redirects
def test_redirects_are_bounded_recorded_and_stay_on_the_blog(crawl: dict) -> None:
    limited = {
        e["url"].replace(crawl["origin"], "") for e in events(crawl, "traps", "redirect_limit")
    }
    assert limited == {"/2020/01/19/redirect-chain/"}
    loops = {e["url"].replace(crawl["origin"], "") for e in events(crawl, "traps", "redirect_loop")}
    assert loops == {"/2020/01/18/redirect-loop/"}
    assert crawl["hits"]["/loop-b/"] == 1
    responses = warc_responses(crawl)
    assert [s for s, _ in responses["/loop-b/"]] == ["302"]
    assert sum(len(v) for k, v in responses.items() if k.startswith("/hop/")) == 10, (
        "every hop recorded"
    )
    assert "/hop/11/" not in crawl["hits"]
    assert [s for s, _ in responses["/2020/01/20/redirect-offsite/"]] == ["301"]
    assert crawl["offsite_hits"] == {}, "nothing fetched from the other site"
    assert events(crawl, "traps", "offsite")


# 7. server errors
def test_retries_until_success(crawl: dict) -> None:
    assert crawl["posts"]["/2020/01/21/flaky-500/"]["title"] == "Third time lucky"
    assert crawl["hits"]["/2020/01/21/flaky-500/"] == 3
    assert crawl["posts"]["/2020/01/22/retry-after-503/"]["title"] == "Retry after"
    assert crawl["posts"]["/2020/01/24/reset-mid-body/"]["title"] == "Reset twice"
    assert crawl["hits"]["/2020/01/23/always-502/"] == 3
    assert [e["url"] for e in events(crawl, "errors", "http_502")] == [
        crawl["origin"] + "/2020/01/23/always-502/"
    ]


# 8. crawl traps
def test_traps_are_bounded_deduplicated_and_reported(crawl: dict) -> None:
    hits = crawl["hits"]
    assert not [p for p in hits if p.startswith("/1999/")], "calendar months never fetched"
    assert "/2019/11/" not in hits, "an empty archive month is a dead end"
    assert max(int(p.split("/")[4]) for p in hits if p.startswith("/2020/01/page/")) <= 3
    assert max(int(p.split("/")[4]) for p in hits if p.startswith("/2020/02/page/")) == 2
    assert not [p for p in hits if "replytocom" in p or "utm_" in p or "orderby" in p]
    assert hits["/2020/01/15/plain/"] == 1
    assert "/2020/01/15/plain/" in crawl["posts"]
    assert "/2020/01/25/canonical-dup/" not in crawl["posts"]
    assert events(crawl, "skipped", "duplicate")
    counts = crawl["manifest"]["counts"]["traps"]
    for kind in (
        "calendar",
        "comment_reply",
        "tracking_params",
        "query_variant",
        "empty_listing",
        "repeated_listing",
    ):
        assert counts.get(kind), kind


# 9. XML
def test_xml_entities_never_resolved_nor_expanded(crawl: dict) -> None:
    everything = (crawl["site"] / "posts.jsonl").read_text("utf-8") + json.dumps(crawl["manifest"])
    assert "root:" not in everything
    assert "lollol" not in everything
    assert not [p for p in crawl["hits"] if "root:" in p or "lol" in p]
    assert "/2020/01/29/" not in crawl["hits"], "the entity was not replaced by anything"
    assert "/2020/01/15/sitemap-only-post/" in crawl["posts"], (
        "the rest of the sitemap still counts"
    )


# 10. names
def test_hostile_slugs_stay_inside_the_output_folder(crawl: dict) -> None:
    folder = crawl["site"].resolve()
    files = list((crawl["site"] / "posts").rglob("*.json"))
    assert all(folder in f.resolve().parents for f in files)
    names = {f.name for f in files}
    assert "passwd.json" not in {n for n in names if n.startswith(".")}
    assert "🍎-apples.json" in names
    assert "שלום.json" in names
    assert "post-con.json" in names
    assert max(len(n.encode()) for n in names) < 120
    same = [
        json.loads(f.read_text("utf-8"))["url"] for f in files if f.name.startswith("slug-same")
    ]
    assert len(same) == 2, "two posts with one slug in one month: two files"
    assert len(files) == len(crawl["lines"])
    for slug in SLUG_CASES:
        assert any(slug in p for p in crawl["posts"]), slug


# 11. politeness and scope
def test_robots_respected_and_archived(crawl: dict) -> None:
    assert "/2020/01/30/disallowed/" not in crawl["hits"]
    assert events(crawl, "skipped", "robots_disallowed")
    assert "/robots.txt" in warc_responses(crawl)
    assert "/2020/03/" in crawl["hits"], "the page with a foreign <base href> was read"
    assert crawl["offsite_hits"] == {}


# 12. bad metadata
def test_bad_metadata_leaves_fields_empty_not_the_post(crawl: dict) -> None:
    post = crawl["posts"]["/2020/01/29/bad-metadata/"]
    assert post["title"] == "Bad metadata"
    assert post["published"] is None or post["published"][:4] not in ("0000", "2019")
    assert all("<" not in a and ">" not in a for a in post["authors"])
    assert "0000-00-00" in post["rejected"]["published"], post["rejected"]
    assert "Mallory" in post["rejected"]["authors"], post["rejected"]


def test_summary_names_the_problems(crawl: dict) -> None:
    assert "errors" in crawl["stdout"] or "not archived" in crawl["stdout"]


def test_crawl_delay_is_honoured(tmp_path: Path) -> None:
    with (
        Server(OffsiteHandler) as offsite,
        Server(HostileHandler, offsite="", crawl_delay=1) as site,
    ):
        site.httpd.RequestHandlerClass.offsite = offsite.origin  # type: ignore[attr-defined]
        proc = run_archiver(
            "crawl",
            site.origin + "/2020/02/",
            "--output",
            str(tmp_path),
            "-s",
            "DOWNLOAD_DELAY=0",
            "-s",
            "AUTOTHROTTLE_ENABLED=False",
            "-s",
            "CONCURRENT_REQUESTS_PER_DOMAIN=8",
        )
        times = [t for t, p in site.hits.times if p != "/robots.txt"]
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert len(times) >= 4
    gaps = [b - a for a, b in itertools.pairwise(times)]
    assert min(gaps) >= 0.9, gaps
