"""`archiver export`: one row per post, in JSON Lines, CSV and Parquet, with a stable schema."""

from __future__ import annotations

import csv
import io
import json
import shutil
from pathlib import Path

import pandas as pd
import pytest

from archiver.export import export_columns
from archiver.pipelines import load_schema
from tests.conftest import read_jsonl, run_archiver


@pytest.fixture(scope="module")
def archive(demo_archive: dict, tmp_path_factory: pytest.TempPathFactory) -> dict:
    """The demo archive, with a second version of one post appended, and a second site."""
    out = tmp_path_factory.mktemp("export") / "out"
    shutil.copytree(demo_archive["out"], out)
    site = out / "127.0.0.1"
    posts = read_jsonl(site / "posts.jsonl")
    changed = dict(posts[0], title=posts[0]["title"] + " (updated)")
    with (site / "posts.jsonl").open("a", encoding="utf-8") as fh:
        fh.write(json.dumps(changed) + "\n")
    other = out / "127.0.0.2"
    other.mkdir()
    moved = dict(posts[1], url=posts[1]["url"].replace("127.0.0.1", "127.0.0.2"))
    (other / "posts.jsonl").write_text(json.dumps(moved) + "\n", "utf-8")
    return {"out": out, "site": site, "posts": posts, "changed": changed}


def test_columns_follow_the_post_schema() -> None:
    schema = load_schema()
    columns = export_columns()
    names = [c.name for c in columns]
    assert names[:3] == ["schema_version", "url", "canonical_url"]
    for required in ("title", "authors", "published", "body_text", "body_html", "captions",
                     "references", "word_count", "archive_month", "provenance_warc_file",
                     "provenance_warc_record_id", "provenance_warc_offset", "site_name"):  # fmt: skip
        assert required in names
    kinds = {c.name: c.kind for c in columns}
    assert kinds["authors"] == kinds["tags"] == "list"
    assert kinds["captions"] == kinds["references"] == kinds["provenance_pages"] == "json"
    assert kinds["word_count"] == kinds["provenance_warc_offset"] == "int"
    # Every field of the schema is exported, flattened one level for objects.
    for name, _prop in schema["properties"].items():
        assert name in names or any(n.startswith(name + "_") for n in names), name
    assert len(names) == len(set(names))


def test_parquet_loads_in_pandas(archive: dict, tmp_path: Path) -> None:
    target = tmp_path / "posts.parquet"
    proc = run_archiver("export", str(archive["out"]), "--output", str(target))
    assert proc.returncode == 0, proc.stderr
    assert "Exported 11 posts as parquet" in proc.stderr
    df = pd.read_parquet(target)
    assert list(df.columns) == [c.name for c in export_columns()]
    assert len(df) == 11, "10 demo posts (latest version) + 1 of the second site"
    assert df["url"].is_unique
    first = df[df["url"] == archive["changed"]["url"]].iloc[0]
    assert first["title"].endswith("(updated)"), "the latest version wins"
    assert str(df["word_count"].dtype) == "int64"
    assert list(first["authors"]) == archive["changed"]["authors"]
    captions = json.loads(df[df["captions"] != "[]"].iloc[0]["captions"])
    assert {"text", "credit", "image_url", "alt"} <= set(captions[0])
    assert df["provenance_warc_file"].str.endswith(".warc.gz").all()


def test_all_versions_and_fields_in_jsonl_to_stdout(archive: dict) -> None:
    proc = run_archiver(
        "export", str(archive["site"]), "--all-versions", "--fields", "url,title", "--fields",
        "provenance_warc_offset",
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    rows = [json.loads(line) for line in proc.stdout.splitlines()]
    assert len(rows) == 11, "10 posts + the appended version; only the one site's folder"
    assert all(list(r) == ["url", "title", "provenance_warc_offset"] for r in rows)
    assert [r["title"] for r in rows if r["url"] == archive["changed"]["url"]] == [
        archive["posts"][0]["title"],
        archive["changed"]["title"],
    ]


def test_csv(archive: dict, tmp_path: Path) -> None:
    target = tmp_path / "deep" / "posts.csv"
    proc = run_archiver("export", str(archive["site"]), "-o", str(target))
    assert proc.returncode == 0, proc.stderr
    rows = list(csv.DictReader(io.StringIO(target.read_text("utf-8"), newline="")))
    assert len(rows) == 10
    row = next(r for r in rows if r["url"] == archive["changed"]["url"])
    assert json.loads(row["authors"]) == archive["changed"]["authors"]
    assert row["body_text"] == archive["changed"]["body"]["text"], "newlines survive CSV"
    assert row["modified"] == "" or row["modified"].startswith("20")


def test_bad_input_and_bad_options(archive: dict, tmp_path: Path) -> None:
    site = tmp_path / "site"
    shutil.copytree(archive["site"], site)
    with (site / "posts.jsonl").open("a", encoding="utf-8") as fh:
        fh.write('{"url": "http://x/", "title": trunc\n')
    proc = run_archiver("export", str(site))
    assert proc.returncode == 0
    assert len(proc.stdout.splitlines()) == 10, "the good lines are all exported"
    assert "posts.jsonl:12: not a JSON line" in proc.stderr

    unknown = run_archiver("export", str(site), "--fields", "url,titel")
    assert unknown.returncode == 2
    assert unknown.stderr.startswith("error: unknown field(s) titel")
    assert len(unknown.stderr.splitlines()) == 1

    empty = run_archiver("export", str(tmp_path / "nothing-here"))
    assert empty.returncode == 1
    assert empty.stderr.startswith("error: ")
    (tmp_path / "empty").mkdir()
    none = run_archiver("export", str(tmp_path / "empty"), "--format", "csv")
    assert none.returncode == 1
    assert "holds no posts.jsonl" in none.stderr

    binary = run_archiver("export", str(site), "--format", "parquet")
    assert binary.returncode == 1
    assert "--output" in binary.stderr
