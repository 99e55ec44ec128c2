"""``archiver pack DIR``: the WordPress crawl as a WACZ that ``wacz validate`` accepts."""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from tests.conftest import run_archiver


@pytest.fixture(scope="module")
def packed(wordpress_crawl: dict, tmp_path_factory: pytest.TempPathFactory) -> dict:
    """A copy of the crawl's site folder, packed with `archiver pack` on the output folder."""
    out = tmp_path_factory.mktemp("pack")
    site = out / "127.0.0.1"
    shutil.copytree(wordpress_crawl["site"], site)
    proc = run_archiver("pack", str(out))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return {"site": site, "wacz": site / "127.0.0.1.wacz", "proc": proc}


def test_the_wacz_validates(packed: dict) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "wacz", "validate", "-f", str(packed["wacz"])],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert "Validation succeeded, the passed WACZ is valid" in proc.stdout, proc.stdout


def test_layout_hashes_and_compression(packed: dict) -> None:
    site = packed["site"]
    warcs = sorted(p.name for p in (site / "warc").glob("*.warc.gz"))
    with zipfile.ZipFile(packed["wacz"]) as zf:
        names = zf.namelist()
        assert sorted(n for n in names if n.startswith("archive/")) == [
            f"archive/{w}" for w in warcs
        ]
        assert {"indexes/index.cdx", "pages/pages.jsonl", "datapackage.json"} <= set(names)
        for name in names:
            if name.startswith("archive/"):
                assert zf.getinfo(name).compress_type == zipfile.ZIP_STORED, name
        package = json.loads(zf.read("datapackage.json"))
        assert package["wacz_version"] == "1.1.1"
        assert package["profile"] == "data-package"
        listed = {r["path"]: r for r in package["resources"]}
        assert set(listed) == set(names) - {"datapackage.json", "datapackage-digest.json"}
        for path, resource in listed.items():
            data = zf.read(path)
            assert resource["hash"] == "sha256:" + hashlib.sha256(data).hexdigest(), path
            assert resource["bytes"] == len(data)
        digest = json.loads(zf.read("datapackage-digest.json"))
        assert digest["hash"] == "sha256:" + hashlib.sha256(zf.read("datapackage.json")).hexdigest()
        index = zf.read("indexes/index.cdx").decode().splitlines()
    assert index == (site / "index.cdxj").read_text("utf-8").splitlines()


def test_pages_list_the_posts(packed: dict, wordpress_crawl: dict) -> None:
    with zipfile.ZipFile(packed["wacz"]) as zf:
        header, *pages = [json.loads(line) for line in zf.read("pages/pages.jsonl").splitlines()]
    assert header["format"] == "json-pages-1.0"
    expected = [
        (p["url"], p["provenance"]["fetched_at"], p["title"], p["published"])
        for p in wordpress_crawl["posts"]
    ]
    assert [(p["url"], p["ts"], p["title"], p["published"]) for p in pages] == expected


def test_pack_without_warc_files_is_a_clear_error(tmp_path: Path) -> None:
    proc = run_archiver("pack", str(tmp_path))
    assert proc.returncode == 1
    assert "no site folder with WARC files" in proc.stderr


def test_wacz_without_warc_is_a_command_line_error(tmp_path: Path) -> None:
    proc = run_archiver(
        "crawl", "http://127.0.0.1:9/", "--no-warc", "--wacz", "--output", str(tmp_path)
    )
    assert proc.returncode == 2
    assert "--wacz packages the WARC files" in proc.stderr
    assert not any(tmp_path.iterdir())
