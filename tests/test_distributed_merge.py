"""``archiver merge``: per-worker outputs of a shared crawl, made one posts.jsonl and index per blog.

Small folders written here (posts lines and real WARC files written with warcio); the end-to-end
merge of a real shared crawl is in test_distributed.py.
"""

from __future__ import annotations

import fcntl
import json
from io import BytesIO
from pathlib import Path

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from archiver.merge import merge_outputs, select_new
from tests.conftest import read_jsonl, run_archiver

ORIGIN = "http://blog.example"


def post(
    path: str, digest: str, fetched: str, canonical: str | None = None, warc: str = ""
) -> dict:
    return {
        "url": ORIGIN + path,
        "canonical_url": ORIGIN + (canonical or path),
        "content_digest": digest,
        "provenance": {"warc_file": warc or None, "fetched_at": fetched},
    }


def write_warc(path: Path, urls: list[str]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as fh:
        writer = WARCWriter(fh, gzip=True)
        for url in urls:
            body = f"<html><body>{url}</body></html>".encode()
            headers = StatusAndHeaders(
                "200 OK",
                [("Content-Type", "text/html"), ("Content-Length", str(len(body)))],
                protocol="HTTP/1.1",
            )
            record = writer.create_warc_record(
                url, "response", payload=BytesIO(body), length=len(body), http_headers=headers
            )
            writer.write_record(record)


def write_lines(path: Path, posts: list[dict], torn: str = "") -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(p) + "\n" for p in posts) + torn, "utf-8")


def test_select_new_keeps_each_post_version_once() -> None:
    existing = [post("/a/", "d1", "2024-01-01T00:00:01Z")]
    candidates = [
        post("/a/", "d1", "2024-01-01T00:00:05Z"),  # redone after a worker died: same content
        post("/c/", "d3", "2024-01-01T00:00:04Z"),
        post("/a/", "d2", "2024-01-01T00:00:03Z"),  # a new version of /a/
        post("/b/?p=2", "d4", "2024-01-01T00:00:01Z", canonical="/b/"),  # a variant of /b/
        post("/b/", "d4", "2024-01-01T00:00:02Z"),
        post("/c/", "d3", "2024-01-01T00:00:06Z"),
    ]
    new, left_out = select_new(existing, candidates)
    assert [(p["url"], p["content_digest"]) for p in new] == [
        (ORIGIN + "/b/", "d4"),
        (ORIGIN + "/a/", "d2"),
        (ORIGIN + "/c/", "d3"),
    ], "in fetch order, the variant and the repeats left out"
    assert left_out == 3


def test_merge_folders_of_two_machines(tmp_path: Path) -> None:
    one, two = tmp_path / "one" / "blog.example", tmp_path / "two" / "blog.example"
    name0 = "archiver-w0-20240101T000000000000Z-00001-blog.example.warc.gz"
    name1 = "archiver-w1-20240101T000000000000Z-00001-blog.example.warc.gz"
    write_warc(one / "warc" / name0, [ORIGIN + "/a/", ORIGIN + "/b/"])
    write_warc(two / "warc" / name1, [ORIGIN + "/b/", ORIGIN + "/c/"])
    write_lines(
        one / "posts-w0.jsonl",
        [post("/a/", "d1", "2024-01-01T00:00:01Z", warc=name0),
         post("/b/", "d2", "2024-01-01T00:00:03Z", warc=name0)],
    )  # fmt: skip
    write_lines(
        two / "posts-w1.jsonl",
        [post("/b/", "d2", "2024-01-01T00:00:04Z", warc=name1),
         post("/c/", "d3", "2024-01-01T00:00:02Z", warc=name1)],
        torn='{"url": "http://blog.example/d/", "conte',  # cut by a SIGKILL
    )  # fmt: skip
    (two / "posts" / "2024" / "01").mkdir(parents=True)
    (two / "posts" / "2024" / "01" / "c.json").write_text(json.dumps(post("/c/", "d3", "t")))

    [result] = merge_outputs([tmp_path / "one", tmp_path / "two"], tmp_path / "one", report=False)
    assert result.site == one
    merged = read_jsonl(one / "posts.jsonl")
    assert [(p["url"], p["provenance"]["warc_file"]) for p in merged] == [
        (ORIGIN + "/a/", name0),
        (ORIGIN + "/c/", name1),
        (ORIGIN + "/b/", name0),
    ]
    assert (one / "warc" / name1).read_bytes() == (two / "warc" / name1).read_bytes()
    assert (one / "posts" / "2024" / "01" / "c.json").exists()
    index = (one / "index.cdxj").read_text("utf-8").splitlines()
    assert len(index) == 4
    assert {json.loads(line.split(" ", 2)[2])["filename"] for line in index} == {name0, name1}
    assert any("not a JSON line" in p for p in result.problems), "the cut line is named"

    before = (one / "posts.jsonl").read_bytes()
    [again] = merge_outputs([tmp_path / "one", tmp_path / "two"], tmp_path / "one", report=False)
    assert again.added == 0
    assert (one / "posts.jsonl").read_bytes() == before


def test_merge_command_errors(tmp_path: Path) -> None:
    proc = run_archiver("merge", str(tmp_path))
    assert proc.returncode == 1
    assert proc.stderr.startswith("error: no blog folder")
    site = tmp_path / "blog.example"
    write_lines(site / "posts-w0.jsonl", [post("/a/", "d1", "t")])
    with open(site / ".crawl.lock", "a+") as lock:
        fcntl.flock(lock.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        proc = run_archiver("merge", str(tmp_path))
    assert proc.returncode == 1
    assert f"another crawl is writing to {site}" in proc.stderr
    proc = run_archiver("merge", str(tmp_path), "--no-report")
    assert proc.returncode == 0, proc.stderr
    assert "1 new post lines" in proc.stdout
