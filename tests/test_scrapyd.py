"""Deploy the project to a real scrapyd on 127.0.0.1, schedule `blog` against a local blog, and
check the archive it writes (issue 6, scheduled crawls)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time
import urllib.parse
import urllib.request
import uuid
from pathlib import Path

from tests.changing_site import Blog, Post, Server
from tests.conftest import ROOT, free_port, read_jsonl, wait_for

SCRAPYD_BIN = Path(sys.executable).parent / "scrapyd"


def build_egg(workdir: Path) -> Path:
    """The project as an egg, built from pyproject.toml (package data and the scrapy entry point)."""
    src = workdir / "src"
    src.mkdir()
    for name in ("archiver", "pyproject.toml", "README.md", "scrapy.cfg"):
        (shutil.copytree if (ROOT / name).is_dir() else shutil.copy)(ROOT / name, src / name)
    subprocess.run(
        [
            sys.executable,
            "-c",
            "from setuptools import setup; setup()",
            "-q",
            "bdist_egg",
            "-d",
            str(workdir),
        ],
        cwd=src,
        check=True,
        capture_output=True,
        timeout=120,
    )
    [egg] = workdir.glob("*.egg")
    return egg


def post_form(url: str, fields: dict[str, str], files: dict[str, bytes] | None = None) -> dict:
    boundary = uuid.uuid4().hex
    parts = []
    for name, value in fields.items():
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
        )
    for name, data in (files or {}).items():
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{name}.egg"\r\n'
            "Content-Type: application/octet-stream\r\n\r\n".encode()
            + data
            + b"\r\n"
        )
    body = b"".join(parts) + f"--{boundary}--\r\n".encode()
    request = urllib.request.Request(
        url, data=body, headers={"Content-Type": f"multipart/form-data; boundary={boundary}"}
    )
    with urllib.request.urlopen(request, timeout=60) as response:
        return json.loads(response.read())


def test_deploy_schedule_and_archive(tmp_path: Path) -> None:
    egg = build_egg(tmp_path)
    port = free_port()
    home = tmp_path / "scrapyd"
    home.mkdir()
    (home / "scrapyd.conf").write_text(
        f"[scrapyd]\nbind_address = 127.0.0.1\nhttp_port = {port}\neggs_dir = eggs\nlogs_dir = logs\n"
        "items_dir =\ndbs_dir = dbs\nmax_proc = 2\npoll_interval = 0.5\n"
    )
    daemon = subprocess.Popen(
        [str(SCRAPYD_BIN)], cwd=home, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    api = f"http://127.0.0.1:{port}"
    out = tmp_path / "archive"
    try:
        wait_for(api + "/daemonstatus.json", timeout=60)
        added = post_form(
            api + "/addversion.json",
            {"project": "archiver", "version": "1"},
            {"egg": egg.read_bytes()},
        )
        assert added["status"] == "ok", added
        assert added["spiders"] == 1
        blog = Blog(
            [
                Post("/2020/01/10/one/", "One", "First scheduled post."),
                Post("/2020/02/10/two/", "Two", "Second scheduled post."),
            ]
        )
        with Server(blog) as server:
            settings = [
                f"ARCHIVER_OUTPUT_DIR={out}",
                "DOWNLOAD_DELAY=0",
                "AUTOTHROTTLE_ENABLED=False",
            ]
            form = urllib.parse.urlencode(
                [("project", "archiver"), ("spider", "blog"), ("url", server.url)]
                + [("setting", s) for s in settings]
            ).encode()
            with urllib.request.urlopen(api + "/schedule.json", data=form, timeout=30) as response:
                job = json.loads(response.read())
            assert job["status"] == "ok", job
            deadline = time.monotonic() + 120
            while time.monotonic() < deadline:
                with urllib.request.urlopen(
                    api + "/listjobs.json?project=archiver", timeout=10
                ) as response:
                    jobs = json.loads(response.read())
                if any(j["id"] == job["jobid"] for j in jobs["finished"]):
                    break
                time.sleep(0.5)
            else:
                raise AssertionError(f"scrapyd job did not finish: {jobs}")
    finally:
        daemon.terminate()
        daemon.wait(timeout=20)
    posts = read_jsonl(out / "127.0.0.1" / "posts.jsonl")
    assert sorted(p["title"] for p in posts) == ["One", "Two"]
    assert list((out / "127.0.0.1" / "warc").glob("*.warc.gz"))
    assert (out / "127.0.0.1" / "state.sqlite").exists()
