"""`archiver extract --batch` and `archiver extract PAGE --url URL`, run as a user runs them."""

from __future__ import annotations

import json
import subprocess
import sys

import jsonschema

from archiver.pipelines import load_schema
from tests.conftest import ROOT
from tests.conftest_extract import READABILITY, WORDPRESS, wordpress_index, wordpress_truth

VALIDATOR = jsonschema.Draft202012Validator(load_schema())


def run_extract(*args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "archiver.cli", "extract", *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
    )


def test_batch_in_order_with_errors_in_place(tmp_path):
    truth = wordpress_truth()["posts"][0]
    url = truth["url"]
    path = WORDPRESS / wordpress_index()[url.split("8090", 1)[1]]["file"]
    cyrillic = "Пулковская обсерватория стоит на холме к югу от Петербурга."
    legacy = tmp_path / "cp1251.html"
    legacy.write_bytes(
        f"<html><body><article><p>{cyrillic}</p></article></body></html>".encode("cp1251")
    )
    requests = [
        {"path": str(path), "url": url, "id": 7},
        {"path": str(READABILITY / "tumblr" / "source.html"), "url": "http://fakehost/t.html"},
        {"path": str(tmp_path / "missing.html"), "url": "http://x.org/", "id": "m"},
        "not json at all",
        {"path": str(legacy), "url": "http://x.org/p/", "id": [1, 2], "encoding": "windows-1251"},
        {"path": str(path), "id": "no-url"},
        {"path": str(path), "url": "relative/page.html", "id": "rel"},
    ]
    lines = [r if isinstance(r, str) else json.dumps(r) for r in requests]
    proc = run_extract("--batch", stdin="\n".join(lines[:3]) + "\n\n" + "\n".join(lines[3:]) + "\n")
    assert proc.returncode == 0, proc.stderr
    out = [json.loads(line) for line in proc.stdout.splitlines()]
    assert len(out) == len(requests)  # the blank line gives no record

    first, tumblr, missing, bad, legacy_post, no_url, relative = out
    assert (first["path"], first["id"], first["url"], first["title"]) == (
        str(path),
        7,
        url,
        truth["title"],
    )
    assert first["body"]["text"] == truth["body_text"]
    assert 0 < first["seconds"] < 5
    post = {k: v for k, v in first.items() if k not in ("path", "id", "seconds")}
    assert not list(VALIDATOR.iter_errors(post))
    assert tumblr["id"] is None
    assert tumblr["site"]["platform"] == "tumblr"
    assert missing.keys() == {"path", "id", "error"}
    assert missing["id"] == "m"
    assert "cannot read" in missing["error"]
    assert bad == {"path": None, "id": None, "error": bad["error"]}
    assert "line 5" in bad["error"]  # line numbers count the blank line too
    assert legacy_post["id"] == [1, 2]
    assert legacy_post["body"]["text"] == cyrillic
    assert no_url.keys() == {"path", "id", "error"}
    assert "url" in no_url["error"]
    assert relative.keys() == {"path", "id", "error"}
    assert "absolute" in relative["error"]
    assert "3 of 7 pages extracted" in proc.stderr


def test_batch_reports_pages_that_are_not_posts():
    url = wordpress_truth()["protected_posts"][0]["url"]
    path = WORDPRESS / wordpress_index()[url.split("8090", 1)[1]]["file"]
    proc = run_extract("--batch", stdin=json.dumps({"path": str(path), "url": url, "id": 1}))
    (record,) = [json.loads(line) for line in proc.stdout.splitlines()]
    assert record["id"] == 1
    assert "password" in record["error"]


def test_single_page_and_command_line_errors(tmp_path):
    page = READABILITY / "001" / "source.html"
    proc = run_extract(str(page), "--url", "http://fakehost/test/page.html")
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["title"]
    assert run_extract(str(page)).returncode == 2  # --url missing
    assert run_extract("--batch", str(page)).returncode == 2
    missing = run_extract(str(tmp_path / "nope.html"), "--url", "http://x.org/")
    assert missing.returncode == 1
    assert "cannot read" in missing.stderr
