"""Extraction in worker processes: same posts as in the crawl's process, dead workers survived."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from archiver.extract_pool import ExtractionPool, workers_setting
from archiver.extraction import Outcome, extract_fetched
from archiver.items import FetchedPage, FetchedPost, PageCapture
from tests.conftest import FAST_LOCAL, ROOT, WORDPRESS, read_jsonl, run_archiver


def fetched(url: str, body: bytes) -> FetchedPost:
    page = FetchedPage(url=url, body=body, encoding=None, status=200, capture=PageCapture(url=url))
    return FetchedPost(pages=[page])


def recorded_posts() -> list[FetchedPost]:
    """The recording's post pages (one password-protected among them) and two broken pages."""
    index = json.loads((WORDPRESS / "index.json").read_text("utf-8"))
    items = [
        fetched(index["origin"] + path, (WORDPRESS / entry["file"]).read_bytes())
        for path, entry in index["entries"].items()
        if entry["status"] == 200 and path.count("/") == 5 and path[1:5].isdigit()
    ]
    items.append(fetched("http://x.org/2019/07/13/empty/", b"   "))
    items.append(fetched("http://x.org/2019/07/13/nothing/", b"<html><body></body></html>"))
    return items


def crash_on_marker(item: FetchedPost) -> Outcome:
    """A job whose worker dies on any URL containing "crash" (as on a page that kills lxml)."""
    if "crash" in item.pages[0].url:
        os._exit(3)
    return extract_fetched(item)


def extract_all(pool: ExtractionPool, items: list[FetchedPost]) -> list[Outcome]:
    async def run() -> list[Outcome]:
        return await asyncio.gather(*(pool.extract(item) for item in items))

    try:
        return asyncio.run(run())
    finally:
        pool.close()


def summary(outcome: Outcome) -> tuple:
    post = outcome.post.to_dict() if outcome.post else None
    return (post, outcome.reason, outcome.not_a_post, outcome.log)


def test_workers_extract_exactly_what_the_crawl_process_does() -> None:
    items = recorded_posts()
    assert len(items) > 15
    here = [extract_fetched(item) for item in items]
    pool = ExtractionPool(2, wait=asyncio.wrap_future)
    there = extract_all(pool, items)
    assert [summary(o) for o in there] == [summary(o) for o in here]
    reasons = {o.reason for o in there if o.post is None}
    assert "password_protected" in reasons, "a NotAPost reason survives the trip back"
    assert sum(o.post is not None for o in there) >= 15


def test_a_dead_worker_costs_only_the_post_that_killed_it() -> None:
    """Every post in flight when the worker died is extracted again; only the culprit is lost."""
    items = recorded_posts()[:10]
    items.insert(3, fetched("http://x.org/2019/07/13/crash/", b"<p>x</p>"))
    pool = ExtractionPool(2, job=crash_on_marker, wait=asyncio.wrap_future)
    outcomes = extract_all(pool, items)
    crashed = [
        item.pages[0].url
        for item, o in zip(items, outcomes, strict=True)
        if o.reason == "extraction_crashed"
    ]
    assert crashed == ["http://x.org/2019/07/13/crash/"]
    survivors = [
        o for item, o in zip(items, outcomes, strict=True) if "crash" not in item.pages[0].url
    ]
    assert [summary(o) for o in survivors] == [
        summary(extract_fetched(item)) for item in items if "crash" not in item.pages[0].url
    ]


def test_closing_the_pool_ends_its_workers() -> None:
    pool = ExtractionPool(2, wait=asyncio.wrap_future)

    async def run() -> list[int]:
        await pool.extract(recorded_posts()[0])
        return pool.pids()

    pids = asyncio.run(run())
    assert pids
    pool.close()
    for pid in pids:
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)


KILLED_PARENT = """
import asyncio, os, signal
from archiver.extract_pool import ExtractionPool
from tests.test_extract_pool import recorded_posts

pool = ExtractionPool(2, wait=asyncio.wrap_future)


async def run():
    await asyncio.gather(*(pool.extract(item) for item in recorded_posts()[:4]))
    return pool.pids()


print(*asyncio.run(run()), flush=True)
os.kill(os.getpid(), signal.SIGKILL)
"""


def gone(pid: int) -> bool:
    """True when the process has exited (a zombie waiting for its reaper counts as gone)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return True
    return "\nState:\tZ" in status


def test_workers_of_a_killed_crawl_exit_by_themselves() -> None:
    proc = subprocess.run(
        [sys.executable, "-c", KILLED_PARENT], capture_output=True, text=True, cwd=ROOT, timeout=60
    )
    assert proc.returncode == -signal.SIGKILL, proc.stderr
    pids = [int(p) for p in proc.stdout.split()]
    assert len(pids) == 2
    deadline = time.monotonic() + 10
    while not all(gone(pid) for pid in pids) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert [pid for pid in pids if not gone(pid)] == []


UNGUARDED_SCRIPT = """
import asyncio, sys
with open(sys.argv[1], "a") as marker:
    marker.write("ran\\n")  # what a script's crawl would do again in every worker
from archiver.extract_pool import ExtractionPool
from tests.test_extract_pool import recorded_posts

pool = ExtractionPool(2, wait=asyncio.wrap_future)
assert pool.start()


async def run():
    return await asyncio.gather(*(pool.extract(item) for item in recorded_posts()[:4]))


pooled = [o.post.to_dict() if o.post else o.reason for o in asyncio.run(run())]
pool.close()
from archiver.extraction import extract_fetched

here = [o.post.to_dict() if o.post else o.reason for o in map(extract_fetched, recorded_posts()[:4])]
print(pooled == here, sum(isinstance(o, dict) for o in pooled))
"""


def test_a_script_without_main_guard_runs_once(tmp_path: Path) -> None:
    """Spawned workers must not import the script that started them (it would crawl again)."""
    script, marker = tmp_path / "crawl_script.py", tmp_path / "marker.txt"
    script.write_text(UNGUARDED_SCRIPT, "utf-8")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.run(
        [sys.executable, str(script), str(marker)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split() == ["True", "3"], "the same posts as in the script's process"
    assert marker.read_text("utf-8").splitlines() == ["ran"]


@pytest.mark.parametrize(
    ("value", "workers"), [("0", 0), (3, 3), ("auto", None), ("", None), (None, None)]
)
def test_workers_setting(value: object, workers: int | None) -> None:
    cpus = len(os.sched_getaffinity(0))
    expected = workers if workers is not None else (cpus if cpus > 1 else 0)
    assert workers_setting(value) == expected


@pytest.mark.parametrize("value", ["-1", "many", "1.5"])
def test_bad_workers_setting_is_a_clear_error(value: str) -> None:
    with pytest.raises(ValueError, match="ARCHIVER_EXTRACT_WORKERS"):
        workers_setting(value)


def test_crawl_with_and_without_workers_archives_the_same_posts(
    wordpress_site: str, wordpress_crawl: dict, tmp_path: Path
) -> None:
    proc = run_archiver(
        "crawl",
        wordpress_site + "/",
        "--output",
        str(tmp_path),
        *FAST_LOCAL,
        "-s",
        "ARCHIVER_EXTRACT_WORKERS=0",
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    in_process = read_jsonl(tmp_path / "127.0.0.1" / "posts.jsonl")
    pooled = wordpress_crawl["posts"]
    assert len(pooled) >= 15
    assert sorted((p["url"], p["content_digest"]) for p in in_process) == sorted(
        (p["url"], p["content_digest"]) for p in pooled
    )
