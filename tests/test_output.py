"""Output layout helpers: safe names, atomic files, whole JSON Lines."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from archiver.output import JsonLinesAppender, atomic_write_json, host_dirname, safe_slug


@pytest.mark.parametrize(
    ("url", "slug"),
    [
        ("http://x.org/2019/07/13/hello-world/", "hello-world"),
        ("http://x.org/2019/07/13/%D0%BF%D1%80%D0%B8%D0%B2%D0%B5%D1%82/", "привет"),
        ("http://x.org/../../etc/passwd", "passwd"),
        ("http://x.org/2019/07/%2e%2e%2f%2e%2e%2fetc/", "etc"),
        ("http://x.org/2019/07/con/", "post-con"),
        ("http://x.org/2019/07/a%3Ab%2Fc/", "a-b-c"),
        ("http://x.org/", "index"),
        ("http://x.org/2019/07/13/post.html", "post"),
    ],
)
def test_safe_slug(url: str, slug: str) -> None:
    assert safe_slug(url) == slug


def test_long_slugs_are_cut_and_stay_distinct() -> None:
    a = safe_slug("http://x.org/" + "a" * 300 + "/")
    b = safe_slug("http://x.org/" + "a" * 299 + "b/")
    assert a != b
    assert len(a.encode()) <= 90
    assert "/" not in a


def test_host_dirname() -> None:
    assert host_dirname("http://127.0.0.1:8091/") == "127.0.0.1"
    assert host_dirname("https://Blog.Example.ORG./x/") == "blog.example.org"


def test_atomic_write_leaves_no_temp_files(tmp_path: Path) -> None:
    target = tmp_path / "a" / "b.json"
    atomic_write_json(target, {"x": "é"})
    atomic_write_json(target, {"x": 2})
    assert json.loads(target.read_text("utf-8")) == {"x": 2}
    assert [p.name for p in target.parent.iterdir()] == ["b.json"]


def test_jsonl_appender_drops_a_torn_last_line(tmp_path: Path) -> None:
    path = tmp_path / "posts.jsonl"
    path.write_bytes(b'{"a": 1}\n{"a": 2, "cut')
    appender = JsonLinesAppender(path)
    appender.append({"a": 3})
    appender.close()
    assert [json.loads(line) for line in path.read_text().splitlines()] == [{"a": 1}, {"a": 3}]
