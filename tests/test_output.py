"""Output layout helpers: safe names, atomic files, whole JSON Lines."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from archiver.output import (
    JsonLinesAppender,
    atomic_write_json,
    host_dirname,
    json_line,
    json_pretty,
    safe_slug,
)


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


json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**53), 2**53) | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=20,
)


@settings(max_examples=300, deadline=None)
@given(json_values)
def test_orjson_lines_are_the_bytes_json_wrote(value: object) -> None:
    """Posts are encoded with orjson: same bytes as the json module gave before, any text.
    (Lone surrogates, which neither can write as UTF-8, are excluded by the text strategy.)"""
    assert json_line(value) == json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode(
        "utf-8"
    )
    assert json_pretty(value) == (json.dumps(value, ensure_ascii=False, indent=2) + "\n").encode(
        "utf-8"
    )


def test_jsonl_appender_syncs_on_interval_and_close(tmp_path: Path, monkeypatch) -> None:
    """Lines are fsynced together (at most once per interval) and always at close."""
    import archiver.output as output

    synced: list[int] = []
    real_fsync = output.os.fsync
    monkeypatch.setattr(output.os, "fsync", lambda fd: (synced.append(fd), real_fsync(fd)))
    appender = JsonLinesAppender(tmp_path / "posts.jsonl", sync_interval=3600)
    for n in range(50):
        appender.append({"n": n})
    assert synced == []
    appender.close()
    assert len(synced) == 1
    every = JsonLinesAppender(tmp_path / "every.jsonl", sync_interval=0)
    every.append(b'{"n":1}')
    every.append({"n": 2})
    every.close()
    assert len(synced) == 3  # one per line; nothing left to sync at close
    assert (tmp_path / "every.jsonl").read_bytes() == b'{"n":1}\n{"n":2}\n'
    lines = (tmp_path / "posts.jsonl").read_text().splitlines()
    assert [json.loads(line)["n"] for line in lines] == list(range(50))
