"""End to end: `archiver crawl` against the recorded WordPress 6.1 blog, compared with truth.json.

Body text is compared with difflib's SequenceMatcher ratio over whitespace-normalised text
(truth's ``body_text_normalized``), which must be at least 0.95 for every post.
"""

from __future__ import annotations

import difflib
import json
import re
import subprocess
import sys
from pathlib import Path

from warcio.archiveiterator import ArchiveIterator

from tests.conftest import FAST_LOCAL, RECORDED_ORIGIN, read_jsonl, run_archiver

BODY_SIMILARITY_FLOOR = 0.95


def assert_archive_valid(directory: Path) -> None:
    """`archiver verify` (digests, lengths, schema, provenance) and `warcio check` both pass."""
    proc = run_archiver("verify", str(directory))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    warcs = [str(p) for p in directory.rglob("*.warc.gz")]
    assert warcs
    check = subprocess.run(
        [sys.executable, "-m", "warcio.cli", "check", *warcs],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert check.returncode == 0, check.stdout


def normalise(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def local(url: str | None, origin: str) -> str | None:
    return url.replace(RECORDED_ORIGIN, origin) if url else url


def test_every_published_post_exactly_once(
    wordpress_crawl: dict, truth: dict, wordpress_site: str
) -> None:
    urls = [p["url"] for p in wordpress_crawl["posts"]]
    expected = {local(p["url"], wordpress_site) for p in truth["posts"]}
    assert len(urls) == len(set(urls)), "a post was archived twice"
    assert set(urls) == expected


def test_nothing_from_non_public_posts(
    wordpress_crawl: dict, truth: dict, wordpress_site: str
) -> None:
    archived = {p["url"] for p in wordpress_crawl["posts"]}
    for post in truth["must_not_appear"]["as_posts"]:
        for url in post["urls"]:
            assert local(url, wordpress_site) not in archived
    everything = (wordpress_crawl["site"] / "posts.jsonl").read_text("utf-8")
    everything += "".join(
        p.read_text("utf-8") for p in (wordpress_crawl["site"] / "posts").rglob("*.json")
    )
    for entry in truth["must_not_appear"]["texts"]:
        assert entry["text"] not in everything, entry["reason"]


def test_fields_match_truth(wordpress_crawl: dict, truth: dict, wordpress_site: str) -> None:
    by_url = {p["url"]: p for p in wordpress_crawl["posts"]}
    ratios = {}
    for t in truth["posts"]:
        post = by_url[local(t["url"], wordpress_site)]
        assert post["title"] == t["title"]
        assert post["published"] == t["published"]
        assert post["authors"] == [t["author"]]
        assert post["categories"] == t["categories"]
        assert post["tags"] == t["tags"]
        assert [c["text"] for c in post["captions"]] == t["captions"]
        refs = [r for r in post["references"] if r["kind"] == "bibliography"]
        assert [(r["text"], r["url"], r["urls"]) for r in refs] == [
            (
                r["text"],
                local(r["url"], wordpress_site),
                [local(u, wordpress_site) for u in r["urls"]],
            )
            for r in t["references"]
        ]
        notes = [r["text"] for r in post["references"] if r["kind"] == "footnote"]
        assert notes == [f["text"] for f in t["footnotes"]]
        ratio = difflib.SequenceMatcher(
            None, normalise(post["body"]["text"]), t["body_text_normalized"], autojunk=False
        ).ratio()
        ratios[t["url"]] = ratio
    assert min(ratios.values()) >= BODY_SIMILARITY_FLOOR, ratios


def test_multi_page_post_is_stitched(
    wordpress_crawl: dict, truth: dict, wordpress_site: str
) -> None:
    multi = [t for t in truth["posts"] if t["page_count"] > 1]
    assert multi
    by_url = {p["url"]: p for p in wordpress_crawl["posts"]}
    for t in multi:
        post = by_url[local(t["url"], wordpress_site)]
        assert [p["url"] for p in post["provenance"]["pages"]] == [
            local(u, wordpress_site) for u in t["page_urls"]
        ]
        last_sentence = t["body_text_normalized"].rsplit(". ", 1)[-1]
        assert last_sentence in normalise(post["body"]["text"])


def test_archive_months_and_per_post_files(
    wordpress_crawl: dict, truth: dict, wordpress_site: str
) -> None:
    month_of = {
        local(u, wordpress_site): f"{m['year']}-{m['month']:02d}"
        for m in truth["monthly_archives"]
        for u in m["post_urls_newest_first"]
    }
    for post in wordpress_crawl["posts"]:
        assert post["archive"]["month"] == month_of[post["url"]]
        assert (
            post["archive"]["url"]
            == f"{wordpress_site}/{post['archive']['month'].replace('-', '/')}/"
        )
        year, month = post["archive"]["month"].split("-")
        files = list((wordpress_crawl["site"] / "posts" / year / month).glob("*.json"))
        assert post["url"] in {json.loads(f.read_text("utf-8"))["url"] for f in files}


def test_manifest_counts(wordpress_crawl: dict, truth: dict) -> None:
    manifests = list(wordpress_crawl["site"].glob("crawl-*.json"))
    assert len(manifests) == 1
    manifest = json.loads(manifests[0].read_text("utf-8"))
    assert manifest["counts"]["posts_written"] == len(truth["posts"])
    assert manifest["counts"]["skipped"].get("password_protected") == 1
    assert manifest["counts"]["errors"] == {}, manifest["errors"]
    assert sorted(manifest["months"]) == sorted(
        f"{m['year']}-{m['month']:02d}" for m in truth["monthly_archives"]
    )


def test_crawl_stays_on_the_blog_and_off_traps(
    wordpress_crawl: dict, truth: dict, wordpress_site: str
) -> None:
    fetched = []
    for warc in (wordpress_crawl["site"] / "warc").glob("*.warc.gz"):
        with warc.open("rb") as fh:
            fetched += [
                r.rec_headers.get_header("WARC-Target-URI")
                for r in ArchiveIterator(fh)
                if r.rec_type == "response"
            ]
    assert fetched
    assert all(u.startswith(wordpress_site + "/") for u in fetched)
    for url in fetched:
        assert "replytocom" not in url
        assert "/wp-admin" not in url
        assert "/feed/" not in url
        assert "/tag/" not in url
        assert "/author/" not in url
        assert "wp-login" not in url
    for url in truth["must_not_appear"]["urls"]:
        assert local(url, wordpress_site) not in fetched


def test_provenance_points_at_the_response_record(wordpress_crawl: dict) -> None:
    for post in wordpress_crawl["posts"]:
        prov = post["provenance"]
        with (wordpress_crawl["site"] / "warc" / prov["warc_file"]).open("rb") as fh:
            fh.seek(prov["warc_offset"])
            record = next(iter(ArchiveIterator(fh)))
            assert record.rec_type == "response"
            assert record.rec_headers.get_header("WARC-Record-ID") == prov["warc_record_id"]
            assert record.rec_headers.get_header("WARC-Target-URI") == post["url"]
            assert b"<html" in record.content_stream().read().lower()


def test_verify_and_warcio_check_pass(wordpress_crawl: dict) -> None:
    proc = run_archiver("verify", str(wordpress_crawl["out"]))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    warcs = sorted((wordpress_crawl["site"] / "warc").glob("*.warc.gz"))
    assert warcs
    check = subprocess.run(
        [sys.executable, "-m", "warcio.cli", "check", "-v", *map(str, warcs)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert check.returncode == 0, check.stdout + check.stderr
    assert "digest pass" in check.stdout


def test_single_month_start(wordpress_site: str, truth: dict, tmp_path: Path) -> None:
    month = max(truth["monthly_archives"], key=lambda m: m["pages"])
    assert month["pages"] > 1, "the fixture should have a paginated month"
    start = local(month["url"], wordpress_site)
    proc = run_archiver("crawl", start, "--output", str(tmp_path), *FAST_LOCAL)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    posts = read_jsonl(tmp_path / "127.0.0.1" / "posts.jsonl")
    public = {local(t["url"], wordpress_site) for t in truth["posts"]}
    expected = {local(u, wordpress_site) for u in month["post_urls_newest_first"]} & public
    assert {p["url"] for p in posts} == expected
    assert len(posts) == month["public_post_count"]
    assert {p["archive"]["month"] for p in posts} == {f"{month['year']}-{month['month']:02d}"}
    assert_archive_valid(tmp_path)


def test_since_until_and_max_posts(wordpress_site: str, truth: dict, tmp_path: Path) -> None:
    proc = run_archiver(
        "crawl",
        wordpress_site + "/",
        "--output",
        str(tmp_path / "range"),
        "--since",
        "2022-01",
        "--until",
        "2022-08",
        *FAST_LOCAL,
    )
    assert proc.returncode == 0, proc.stderr
    posts = read_jsonl(tmp_path / "range" / "127.0.0.1" / "posts.jsonl")
    expected = {
        local(t["url"], wordpress_site)
        for t in truth["posts"]
        if "2022-01" <= t["published"][:7] <= "2022-08"
    }
    assert {p["url"] for p in posts} == expected

    proc = run_archiver(
        "crawl",
        wordpress_site + "/",
        "--output",
        str(tmp_path / "max"),
        "--max-posts",
        "3",
        *FAST_LOCAL,
    )
    assert proc.returncode == 0, proc.stderr
    assert len(read_jsonl(tmp_path / "max" / "127.0.0.1" / "posts.jsonl")) == 3
    assert_archive_valid(tmp_path)


def test_scrapy_crawl_blog_does_the_same(wordpress_site: str, truth: dict, tmp_path: Path) -> None:
    root = Path(__file__).resolve().parents[1]
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "scrapy",
            "crawl",
            "blog",
            "-a",
            f"url={wordpress_site}/",
            "-s",
            f"ARCHIVER_OUTPUT_DIR={tmp_path}",
            *FAST_LOCAL,
            "-s",
            "LOG_LEVEL=WARNING",
        ],
        capture_output=True,
        text=True,
        timeout=180,
        cwd=root,
    )
    assert proc.returncode == 0, proc.stderr
    posts = read_jsonl(tmp_path / "127.0.0.1" / "posts.jsonl")
    assert len(posts) == len(truth["posts"])
    assert_archive_valid(tmp_path)
