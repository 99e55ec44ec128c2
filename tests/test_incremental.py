"""Issue 6: incremental re-runs against a blog that changes between crawls, and resuming a crawl
killed with SIGKILL."""

from __future__ import annotations

import json
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from warcio.archiveiterator import ArchiveIterator

from archiver.cdxj import cdxj_lines
from tests.changing_site import Blog, Post, Server
from tests.conftest import FAST_LOCAL, ROOT, read_jsonl, run_archiver

POSTS = [
    Post("/2020/01/10/etag-post/", "ETag post", "Served with an ETag validator."),
    Post("/2020/01/20/plain-post/", "Plain post", "Served with no validator at all.", "none"),
    Post(
        "/2020/02/05/dated-post/", "Dated post", "Served with Last-Modified only.", "last-modified"
    ),
    Post("/2020/02/15/doomed-post/", "Doomed post", "This post will be deleted."),
]


def crawl(url: str, out: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    proc = run_archiver("crawl", url, "--output", str(out), "--no-sitemaps", *FAST_LOCAL, *extra)
    assert proc.returncode == 0, proc.stdout + proc.stderr[-4000:]
    return proc


def records(site: Path) -> list:
    found = []
    for warc in sorted((site / "warc").glob("*.warc.gz")):
        with warc.open("rb") as fh:
            for record in ArchiveIterator(fh):
                found.append((record.rec_type, record.rec_headers, record.content_stream().read()))
    return found


def latest_manifest(site: Path) -> dict:
    return json.loads(sorted(site.glob("crawl-*.json"))[-1].read_text("utf-8"))


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict:
    out = tmp_path_factory.mktemp("incremental")
    site = out / "127.0.0.1"
    blog = Blog([Post(p.path, p.title, p.body, p.validators) for p in POSTS])
    result: dict = {"site": site}
    with Server(blog) as server:
        post_paths = set(blog.posts)

        def post_hits() -> dict[str, int]:
            return {p: n for p, n in blog.hits.items() if p in post_paths}

        crawl(server.url, out)
        result["first_lines"] = read_jsonl(site / "posts.jsonl")
        result["first_post_hits"] = post_hits()
        result["first_records"] = len(records(site))

        blog.hits.clear()
        crawl(server.url, out)
        result["nochange_post_hits"] = post_hits()
        result["nochange_lines"] = read_jsonl(site / "posts.jsonl")
        result["nochange_manifest"] = latest_manifest(site)
        result["nochange_records"] = records(site)[result["first_records"] :]

        blog.hits.clear()
        blog.statuses.clear()
        crawl(server.url, out, "--refresh-after", "0")
        result["refresh_statuses"] = dict(blog.statuses)
        result["refresh_lines"] = read_jsonl(site / "posts.jsonl")
        before = len(result["first_records"] and records(site))
        result["refresh_records"] = records(site)[
            result["first_records"] + len(result["nochange_records"]) :
        ]

        plain = blog.posts["/2020/01/20/plain-post/"]
        plain.body, plain.version = "Served with no validator, and now edited.", 2
        blog.posts["/2020/03/01/new-post/"] = Post(
            "/2020/03/01/new-post/", "New post", "A new month."
        )
        del blog.posts["/2020/02/15/doomed-post/"]
        blog.hits.clear()
        crawl(server.url, out)
        result["changed_hits"] = dict(blog.hits)
        result["changed_lines"] = read_jsonl(site / "posts.jsonl")
        result["changed_manifest"] = latest_manifest(site)
        result["records_total"] = before
    result["state"] = sqlite3.connect(site / "state.sqlite")
    return result


def test_first_crawl_archives_everything(runs: dict) -> None:
    assert {line["url"].split("/", 3)[3] for line in runs["first_lines"]} == {
        p.path[1:] for p in POSTS
    }
    assert all(line["previous_digest"] is None for line in runs["first_lines"])
    rows = runs["state"].execute(
        "SELECT count(*) FROM urls WHERE kind='post' AND content_digest IS NOT NULL"
    )
    assert rows.fetchone()[0] >= len(POSTS)


def test_no_change_rerun_fetches_no_post_and_writes_no_line(runs: dict) -> None:
    assert runs["nochange_post_hits"] == {}
    assert runs["nochange_lines"] == runs["first_lines"]
    types = [t for t, _, _ in runs["nochange_records"]]
    assert "revisit" in types, "unchanged listing pages are stored as revisits"
    assert all(
        h.get_header("WARC-Profile").endswith("identical-payload-digest")
        for t, h, _ in runs["nochange_records"]
        if t == "revisit"
    )
    assert runs["nochange_manifest"]["counts"]["posts_written"] == 0


def test_refresh_uses_conditional_requests_and_revisits(runs: dict) -> None:
    statuses = runs["refresh_statuses"]
    assert statuses.get(("/2020/01/10/etag-post/", 304)) == 1
    assert statuses.get(("/2020/02/05/dated-post/", 304)) == 1
    assert statuses.get(("/2020/01/20/plain-post/", 200)) == 1
    assert runs["refresh_lines"] == runs["first_lines"], "nothing changed: no new line"
    revisits = {
        h.get_header("WARC-Target-URI").split("/", 3)[3]: h
        for t, h, _ in runs["refresh_records"]
        if t == "revisit"
    }
    assert (
        revisits["2020/01/10/etag-post/"].get_header("WARC-Profile").endswith("server-not-modified")
    )
    plain = revisits["2020/01/20/plain-post/"]
    assert plain.get_header("WARC-Profile").endswith("identical-payload-digest")
    assert plain.get_header("WARC-Refers-To-Target-URI").endswith("/2020/01/20/plain-post/")
    assert plain.get_header("WARC-Refers-To-Date")
    assert plain.get_header("WARC-Refers-To")


def test_changes_are_picked_up(runs: dict) -> None:
    hits = runs["changed_hits"]
    assert hits.get("/2020/01/10/etag-post/", 0) == 0, "an unchanged post is not fetched"
    new = runs["changed_lines"][len(runs["first_lines"]) :]
    by_path = {line["url"].split("/", 3)[3]: line for line in new}
    assert set(by_path) == {"2020/01/20/plain-post/", "2020/03/01/new-post/"}
    old = {line["url"]: line for line in runs["first_lines"]}
    edited = by_path["2020/01/20/plain-post/"]
    assert edited["previous_digest"] == old[edited["url"]]["content_digest"]
    assert edited["content_digest"] != edited["previous_digest"]
    assert by_path["2020/03/01/new-post/"]["previous_digest"] is None


def test_deleted_post_is_recorded_and_its_versions_kept(runs: dict) -> None:
    manifest = runs["changed_manifest"]
    gone = [e["url"] for e in manifest["skipped"] if e["kind"] == "gone"]
    assert [u.split("/", 3)[3] for u in gone] == ["2020/02/15/doomed-post/"]
    row = (
        runs["state"]
        .execute("SELECT gone, last_status FROM urls WHERE url LIKE '%/2020/02/15/doomed-post/'")
        .fetchone()
    )
    assert row == (1, 404)
    assert any("doomed-post" in line["url"] for line in runs["changed_lines"])
    assert list((runs["site"] / "posts" / "2020" / "02").glob("doomed-post*.json"))


def test_the_re_crawled_archive_verifies(runs: dict) -> None:
    proc = run_archiver("verify", str(runs["site"]))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "revisit" in proc.stdout


def test_index_built_along_four_crawls_equals_a_full_reindex(runs: dict) -> None:
    """Each crawl indexes its own records as it writes them and keeps the earlier crawls' lines:
    the result is what cdxj-indexer makes reading every file (revisits and 404s included)."""
    site = runs["site"]
    warcs = sorted((site / "warc").glob("*.warc.gz"))
    assert len(warcs) == 4
    lines = (site / "index.cdxj").read_text("utf-8").splitlines()
    assert lines == cdxj_lines(warcs)[0]
    assert {json.loads(line.split(" ", 2)[2])["filename"] for line in lines} == {
        w.name for w in warcs
    }
    assert any('"mime": "warc/revisit"' in line for line in lines)
    assert not list(site.glob(".index.cdxj.*"))


def test_reextract_after_re_runs_gives_the_latest_versions(runs: dict, tmp_path: Path) -> None:
    warcs = [str(p) for p in sorted((runs["site"] / "warc").glob("*.warc.gz"))]
    proc = run_archiver("reextract", *warcs, "--output", str(tmp_path))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    rebuilt = {
        p["url"]: p["content_digest"] for p in read_jsonl(tmp_path / "127.0.0.1" / "posts.jsonl")
    }
    latest = {line["url"]: line["content_digest"] for line in runs["changed_lines"]}
    assert rebuilt == latest


def test_a_second_crawl_of_the_same_folder_is_refused(tmp_path: Path) -> None:
    from archiver.state import CrawlState, StateLocked

    with CrawlState(tmp_path), pytest.raises(StateLocked, match="another crawl"):
        CrawlState(tmp_path)
    with CrawlState(tmp_path) as state:  # released when the first is closed
        state.update("http://x.org/a/", kind="post")
        assert state.get("http://x.org/a/").kind == "post"


def test_locked_folder_gives_a_clear_error(tmp_path: Path) -> None:
    from archiver.state import CrawlState

    with Server(Blog(POSTS[:1])) as server, CrawlState(tmp_path / "127.0.0.1"):
        proc = run_archiver("crawl", server.url, "--output", str(tmp_path), *FAST_LOCAL)
    assert proc.returncode != 0
    assert "another crawl" in proc.stdout + proc.stderr


def test_sigkill_then_rerun_equals_an_uninterrupted_crawl(tmp_path: Path) -> None:
    posts = [
        Post(f"/2021/0{1 + i % 3}/{10 + i}/post-{i}/", f"Post {i}", f"Body of post {i}.")
        for i in range(18)
    ]
    blog = Blog(posts, delay=0.25)
    out = tmp_path / "killed"
    with Server(blog) as server:
        args = [
            "crawl",
            server.url,
            "--output",
            str(out),
            "--no-sitemaps",
            *FAST_LOCAL,
            "-s",
            "CONCURRENT_REQUESTS_PER_DOMAIN=2",
        ]
        proc = subprocess.Popen(
            [sys.executable, "-m", "archiver.cli", *args],
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        jsonl = out / "127.0.0.1" / "posts.jsonl"
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if jsonl.exists() and len(jsonl.read_bytes().splitlines()) >= 5:
                break
            time.sleep(0.05)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)
        killed_lines = len(jsonl.read_bytes().splitlines())
        assert 5 <= killed_lines < len(posts), "killed halfway"
        blog.hits.clear()
        crawl(server.url, out)
        refetched = sum(n for p, n in blog.hits.items() if "/post-" in p)
    lines = read_jsonl(out / "127.0.0.1" / "posts.jsonl")
    urls = [line["url"] for line in lines]
    assert len(urls) == len(set(urls)), "no post twice"
    assert {u.split("/", 3)[3] for u in urls} == {p.path[1:] for p in posts}
    assert refetched <= len(posts) - killed_lines + 2, "what was archived is not fetched again"
    for warc in (out / "127.0.0.1" / "warc").glob("*.warc.gz"):
        assert unread_tail(warc) < 1_000_000, (
            f"only the killed crawl's last record may be cut: {warc}"
        )
    # The killed crawl wrote no index: the re-run indexed its file, and removed its spill file.
    site = out / "127.0.0.1"
    warcs = sorted((site / "warc").glob("*.warc.gz"))
    assert len(warcs) == 2
    assert (site / "index.cdxj").read_text("utf-8").splitlines() == cdxj_lines(warcs)[0]
    assert not list(site.glob(".index.cdxj.*"))


def unread_tail(warc: Path) -> int:
    """Bytes after the last record warcio could read whole (0 for an intact file)."""
    with warc.open("rb") as fh:
        it = ArchiveIterator(fh)
        good = 0
        try:
            for record in it:
                record.content_stream().read()
                good = fh.tell()
        except Exception:  # a record cut by SIGKILL: warcio raises on the torn gzip member
            return warc.stat().st_size - good
    return 0


def test_planner_rules(tmp_path: Path) -> None:
    from archiver.incremental import PREVIOUS_KEY, Planner
    from archiver.state import CrawlState

    with CrawlState(tmp_path) as state:
        state.update(
            "http://x.org/fetched-not-stored/",
            kind="post",
            etag='"a"',
            last_fetched="2024-01-01T00:00:00+00:00",
        )
        state.update(
            "http://x.org/held/",
            kind="post",
            etag='"b"',
            content_digest="sha256:" + "0" * 64,
            last_fetched="2024-01-01T00:00:00+00:00",
            payload_digest="sha1:X",
            warc_record_id="<urn:uuid:1>",
            warc_date="2024-01-01T00:00:00Z",
            listing_digest="d1",
        )
    with CrawlState(tmp_path) as state:
        planner = Planner(state, refresh_after_days=None)
        assert planner.incremental
        torn = planner.plan_post("http://x.org/fetched-not-stored/")
        assert (torn.fetch, torn.headers) == (True, {}), "no 304 for a post we do not hold"
        assert planner.plan_post("http://x.org/held/", entry_digest="d1").fetch is False
        changed = planner.plan_post("http://x.org/held/", entry_digest="d2")
        assert (changed.fetch, changed.reason, changed.headers) == (
            True,
            "listing_changed",
            {"If-None-Match": '"b"'},
        )
        assert changed.meta[PREVIOUS_KEY]["warc_record_id"] == "<urn:uuid:1>"
        assert planner.plan_post("http://x.org/held/", lastmod="2025-05-01").reason == "lastmod"
        assert Planner(state, full=True).plan_post("http://x.org/held/").fetch is True
        assert (
            Planner(state, refresh_after_days=30).plan_post("http://x.org/held/").reason
            == "refresh_after"
        )
    assert Planner(None).plan_post("http://x.org/any/").reason == "new"
