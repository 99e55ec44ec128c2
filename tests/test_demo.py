"""`archiver demo`: the bundled blog archived end to end and compared with its expected.json."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from warcio.archiveiterator import ArchiveIterator

from archiver.demo import EXPECTED_PATH
from tests.conftest import read_jsonl, run_archiver


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> dict:
    out = tmp_path_factory.mktemp("demo")
    proc = run_archiver("demo", "--output", str(out))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    site = out / "127.0.0.1"
    return {"out": out, "site": site, "proc": proc, "posts": read_jsonl(site / "posts.jsonl")}


@pytest.fixture(scope="module")
def expected() -> dict:
    return json.loads(EXPECTED_PATH.read_text("utf-8"))


def test_demo_prints_what_it_did(demo: dict, expected: dict) -> None:
    out = demo["proc"].stdout
    assert f"{len(expected['posts'])} of {len(expected['posts'])} public posts archived" in out
    assert "months found:    4" in out
    assert "posts.jsonl" in out


def test_demo_archive_matches_expected(demo: dict, expected: dict) -> None:
    by_path = {"/" + p["url"].split("/", 3)[3]: p for p in demo["posts"]}
    assert set(by_path) == {e["url"] for e in expected["posts"]}
    for e in expected["posts"]:
        post = by_path[e["url"]]
        assert post["title"] == e["title"]
        assert post["published"] == e["published"]
        assert post["modified"] == e["modified"]
        assert post["authors"] == [e["author"]]
        assert post["categories"] == e["categories"]
        assert post["tags"] == e["tags"]
        assert post["archive"]["month"] == e["archive"]
        assert len(post["captions"]) == e["captions"]
        assert [c["credit"] for c in post["captions"]] == [
            c["credit"] for c in e["caption_details"]
        ]
        assert [(r["kind"], r["text"]) for r in post["references"]] == [
            (r["kind"], r["text"]) for r in e["reference_details"]
        ]
        assert len(post["provenance"]["pages"]) == e["pages"]
        assert sorted(c["id"] for c in post["comments"]) == sorted(e["comment_ids"])
        for sample in e["body_samples"]:
            assert sample in post["body"]["text"]
        for chrome in ("Skip to content", "Monthly Archives", "Leave a Reply", "Share this"):
            assert chrome not in post["body"]["text"]


def test_demo_never_fetches_traps(demo: dict, expected: dict) -> None:
    fetched = []
    for warc in (demo["site"] / "warc").glob("*.warc.gz"):
        with warc.open("rb") as fh:
            fetched += [
                r.rec_headers.get_header("WARC-Target-URI")
                for r in ArchiveIterator(fh)
                if r.rec_type == "request"
            ]
    paths = ["/" + u.split("/", 3)[3] for u in fetched]
    assert expected["traps"]["calendar_prev_month"] not in paths
    assert not [
        p for p in paths if "replytocom" in p or "share=" in p or "/feed/" in p or "wp-login" in p
    ]
    assert not [p for p in paths if p.startswith(("/tag/", "/category/", "/author/"))]


def test_demo_output_verifies(demo: dict) -> None:
    proc = run_archiver("verify", str(demo["out"]))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "OK" in proc.stdout


def test_demo_files_per_post(demo: dict) -> None:
    files = sorted((demo["site"] / "posts").rglob("*.json"))
    assert len(files) == len(demo["posts"])
    for f in files:
        post = json.loads(f.read_text("utf-8"))
        year, month = post["archive"]["month"].split("-")
        assert f.parent == demo["site"] / "posts" / year / month
        assert Path(f).stem in post["url"]
