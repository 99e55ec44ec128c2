"""``archiver reextract``: the posts rebuilt from the WordPress crawl's archive alone equal the live
crawl's (apart from the crawl id), from its WARC files and from its WACZ, without a request."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from warcio.archiveiterator import ArchiveIterator
from warcio.warcwriter import WARCWriter

from tests.conftest import read_jsonl, run_archiver


def without_crawl_id(post: dict) -> dict:
    post = json.loads(json.dumps(post))
    post["provenance"].pop("crawl_id")
    return post


def post_files(site: Path) -> dict[str, dict]:
    return {
        str(p.relative_to(site)): without_crawl_id(json.loads(p.read_text("utf-8")))
        for p in sorted((site / "posts").rglob("*.json"))
    }


def assert_same_posts(live: Path, rebuilt: Path) -> None:
    # Lines are in the order extraction finished, which parallel extraction does not fix.
    live_posts = {p["url"]: without_crawl_id(p) for p in read_jsonl(live / "posts.jsonl")}
    rebuilt_lines = read_jsonl(rebuilt / "posts.jsonl")
    rebuilt_posts = {p["url"]: without_crawl_id(p) for p in rebuilt_lines}
    assert len(rebuilt_lines) == len(live_posts)
    assert set(rebuilt_posts) == set(live_posts)
    for url, post in live_posts.items():
        assert rebuilt_posts[url] == post, url
    assert post_files(rebuilt) == post_files(live)
    [manifest] = rebuilt.glob("crawl-*.json")
    counts = json.loads(manifest.read_text("utf-8"))["counts"]
    assert counts["responses"] == 0, "re-extraction made no request"
    assert counts["posts_written"] == len(live_posts)


def test_reextract_from_the_warc_files(wordpress_crawl: dict, tmp_path: Path) -> None:
    warcs = sorted((wordpress_crawl["site"] / "warc").glob("*.warc.gz"))
    proc = run_archiver("reextract", *map(str, warcs), "--output", str(tmp_path))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "(metadata records)" in proc.stdout
    assert_same_posts(wordpress_crawl["site"], tmp_path / "127.0.0.1")


def test_reextract_from_the_wacz(wordpress_crawl: dict, tmp_path: Path) -> None:
    copy = tmp_path / "copy" / "127.0.0.1"
    shutil.copytree(wordpress_crawl["site"] / "warc", copy / "warc")
    shutil.copy(wordpress_crawl["site"] / "posts.jsonl", copy)
    proc = run_archiver("pack", str(tmp_path / "copy"))
    assert proc.returncode == 0, proc.stderr
    wacz = copy / "127.0.0.1.wacz"
    proc = run_archiver("reextract", str(wacz), "--output", str(tmp_path / "out"))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert_same_posts(wordpress_crawl["site"], tmp_path / "out" / "127.0.0.1")


def test_without_metadata_records_every_html_page_is_tried(
    wordpress_crawl: dict, tmp_path: Path
) -> None:
    """WARC files from another tool: no post metadata, so every HTML 200 page is a candidate."""
    stripped = tmp_path / "other-tool.warc.gz"
    with stripped.open("wb") as out:
        writer = WARCWriter(out, gzip=True)
        for warc in sorted((wordpress_crawl["site"] / "warc").glob("*.warc.gz")):
            with warc.open("rb") as fh:
                for record in ArchiveIterator(fh):
                    if record.rec_type != "metadata":
                        writer.write_record(record)
    proc = run_archiver("reextract", str(stripped), "--output", str(tmp_path / "out"))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "(every HTML page)" in proc.stdout
    rebuilt = {p["url"]: p for p in read_jsonl(tmp_path / "out" / "127.0.0.1" / "posts.jsonl")}
    single_page = [p for p in wordpress_crawl["posts"] if len(p["provenance"]["pages"]) == 1]
    assert single_page
    for post in single_page:
        assert rebuilt[post["url"]]["body"] == post["body"], post["url"]
        assert rebuilt[post["url"]]["title"] == post["title"]


def test_bad_input_is_a_clear_error(tmp_path: Path) -> None:
    junk = tmp_path / "notes.txt"
    junk.write_text("not an archive")
    proc = run_archiver(
        "reextract", str(junk), str(tmp_path / "missing.warc.gz"), "--output", str(tmp_path / "o")
    )
    assert proc.returncode == 1
    assert "notes.txt: not a WARC (.warc, .warc.gz) or WACZ (.wacz) file" in proc.stderr
    assert "missing.warc.gz: no such file" in proc.stderr
    assert "no post could be rebuilt" in proc.stderr
    assert not (tmp_path / "o").exists()
