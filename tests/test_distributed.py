"""Distributed crawls end to end: real redis-server, real workers, the recorded WordPress blog.

- two workers share one crawl: every post archived exactly once overall, valid WARC files named
  after their worker, and the merged output equal (URLs and content digests) to a single crawl's;
- a worker killed with SIGKILL mid-crawl and restarted: its leased requests are redone, still
  every post exactly once;
- politeness across three workers, measured at the server: the minimum gap between two requests
  and the peak of requests in flight, against DOWNLOAD_DELAY and CONCURRENT_REQUESTS_PER_DOMAIN.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import FAST_LOCAL, ROOT, read_jsonl, run_archiver
from tests.distributed_site import (
    redis_cli,
    redis_python,
    redis_server,
    start_archiver,
    wait_until,
    wordpress_server,
)
from tests.test_crawl_wordpress import assert_archive_valid

QUIET = ["--progress", "off", "--log-level", "INFO", "--extract-workers", "0"]
SHORT = ["-s", "ARCHIVER_REDIS_LEASE_TIMEOUT=2", "-s", "ARCHIVER_REDIS_POLL_INTERVAL=0.2"]


def post_lines(path: Path) -> list[dict]:
    """Whole JSON lines of a posts file (a SIGKILL may leave a cut last line)."""
    if not path.exists():
        return []
    lines = []
    for line in path.read_text("utf-8").splitlines():
        try:
            lines.append(json.loads(line))
        except ValueError:
            continue
    return lines


def run_shared_crawl(
    python: str, url: str, origin: str, out: Path, logs: Path, workers: int, *extra: str,
    blogs: tuple[str, ...] = (),
) -> list[subprocess.Popen[bytes]]:  # fmt: skip
    """``archiver crawl --redis`` (worker "w0", which seeds) and ``workers - 1`` more workers."""
    seeder = start_archiver(
        python, "crawl", origin + "/", *blogs, "--redis", url, "--output", str(out),
        "--worker-id", "w0", *extra, log=logs / "w0.log",
    )  # fmt: skip
    try:
        wait_until(
            lambda: b"shared crawl" in (logs / "w0.log").read_bytes() or seeder.poll() is not None,
            60,
            "the seeding",
        )
    except BaseException:
        stop([seeder])
        raise
    procs = [seeder]
    for n in range(1, workers):
        args = ["worker", "--redis", url, "--output", str(out), "--worker-id", f"w{n}", *extra]
        procs.append(start_archiver(python, *args, log=logs / f"w{n}.log"))
    return procs


def finish(procs: list[subprocess.Popen[bytes]], logs: Path, timeout: float = 120) -> None:
    try:
        for proc in procs:
            proc.wait(timeout=timeout)
    finally:
        stop(procs)
    texts = "\n".join(p.read_text("utf-8", "replace") for p in sorted(logs.glob("*.log")))
    for proc in procs:
        assert proc.returncode == 0, texts[-6000:]


def stop(procs: list[subprocess.Popen[bytes]]) -> None:
    """Kill what is still running (a test that failed half-way leaves no worker behind)."""
    for proc in procs:
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=10)


@pytest.fixture(scope="module")
def python() -> str:
    return redis_python()


@pytest.fixture(scope="module")
def two_workers(python: str, tmp_path_factory: pytest.TempPathFactory) -> dict:
    """The same blog archived by one `archiver crawl` and by two workers sharing a crawl."""
    tmp = tmp_path_factory.mktemp("distributed")
    logs = tmp / "logs"
    logs.mkdir()
    with (
        redis_server(tmp) as url,
        wordpress_server(latency=0.03) as (origin, log),
        wordpress_server(latency=0.03, host="127.0.0.2") as (other, _other_log),
    ):
        single = tmp / "single"
        proc = run_archiver("crawl", origin + "/", "--output", str(single), *FAST_LOCAL, *QUIET)
        assert proc.returncode == 0, proc.stdout + proc.stderr
        single_requests = len(log.arrivals)
        log.arrivals.clear()
        out = tmp / "shared"
        # Scrapy's feed exports see each worker's posts too (the README's S3 recipe, on disk).
        feeds = {(tmp / "feeds").as_uri() + "/posts-%(worker_id)s.jsonl": {"format": "jsonlines"}}
        procs = run_shared_crawl(
            python, url, origin, out, logs, 2, *FAST_LOCAL, *QUIET, *SHORT,
            "--idle-timeout", "3", "-s", f"FEEDS={json.dumps(feeds)}", blogs=(other + "/",),
        )  # fmt: skip
        finish(procs, logs)
        left = {
            key: redis_cli(url, cmd, f"archiver:{key}")
            for key, cmd in (("requests", "ZCARD"), ("leases", "HLEN"), ("workers", "SCARD"))
        }
        return {
            "origin": origin,
            "other": other,
            "single": read_jsonl(single / "127.0.0.1" / "posts.jsonl"),
            "single_requests": single_requests,
            "shared_requests": len(log.arrivals),
            "out": out,
            "feeds": tmp / "feeds",
            "site": out / "127.0.0.1",
            "logs": logs,
            "redis_left": left,
        }


def test_two_workers_archive_every_post_exactly_once(two_workers: dict, truth: dict) -> None:
    site = two_workers["site"]
    merged = read_jsonl(site / "posts.jsonl")
    urls = [p["url"] for p in merged]
    assert len(urls) == len(set(urls)), "a post is twice in the merged posts.jsonl"
    expected = {
        p["url"].replace("http://127.0.0.1:8090", two_workers["origin"]) for p in truth["posts"]
    }
    assert set(urls) == expected
    assert {p.name for p in site.glob("posts-*.jsonl")} <= {"posts-w0.jsonl", "posts-w1.jsonl"}
    both = [two_workers["out"] / "127.0.0.1", two_workers["out"] / "127.0.0.2"]
    for worker in ("w0", "w1"):
        assert any(post_lines(f / f"posts-{worker}.jsonl") for f in both), f"{worker} worked"
    written = [p["url"] for path in site.glob("posts-*.jsonl") for p in post_lines(path)]
    assert sorted(written) == sorted(urls), "each post was written by one worker, once"
    # The shared duplicate filter: the workers together asked for what one crawl asks for.
    assert two_workers["shared_requests"] <= two_workers["single_requests"] + 4  # + 2 robots.txt
    assert two_workers["redis_left"] == {"requests": "0", "leases": "0", "workers": "0"}


def test_a_second_blog_in_the_same_shared_crawl_gets_its_own_folder(
    two_workers: dict, truth: dict
) -> None:
    other = two_workers["other"]
    site = two_workers["out"] / "127.0.0.2"
    urls = [p["url"] for p in read_jsonl(site / "posts.jsonl")]
    assert len(urls) == len(set(urls))
    assert set(urls) == {p["url"].replace("http://127.0.0.1:8090", other) for p in truth["posts"]}
    for folder, origin in ((site, other), (two_workers["site"], two_workers["origin"])):
        lines = [p for path in folder.glob("posts-*.jsonl") for p in post_lines(path)]
        assert lines
        assert all(p["url"].startswith(origin + "/") for p in lines), "no post in another's folder"
        index = (folder / "index.cdxj").read_text("utf-8").splitlines()
        targets = {json.loads(line.split(" ", 2)[2])["url"] for line in index}
        assert all(t.startswith((origin + "/", "urn:post:" + origin + "/")) for t in targets)


def test_each_worker_feeds_its_posts_to_scrapy_feed_exports(two_workers: dict) -> None:
    out = two_workers["out"]
    for worker in ("w0", "w1"):
        stored = [p for f in out.glob(f"*/posts-{worker}.jsonl") for p in post_lines(f)]
        fed = read_jsonl(two_workers["feeds"] / f"posts-{worker}.jsonl")
        assert stored, f"{worker} archived posts"
        assert sorted(p["url"] for p in fed) == sorted(p["url"] for p in stored)
        assert {p["content_digest"] for p in fed} == {p["content_digest"] for p in stored}


def test_merged_output_equals_a_single_crawl(two_workers: dict) -> None:
    merged = read_jsonl(two_workers["site"] / "posts.jsonl")
    single = two_workers["single"]
    assert {(p["url"], p["content_digest"]) for p in merged} == {
        (p["url"], p["content_digest"]) for p in single
    }
    assert {p["url"]: p["archive"] for p in merged} == {p["url"]: p["archive"] for p in single}


def test_shared_crawl_warcs_are_valid_and_provenance_holds(two_workers: dict) -> None:
    site = two_workers["site"]
    assert_archive_valid(two_workers["out"])  # archiver verify (provenance too) and warcio check
    names = {p.name for p in (site / "warc").glob("*.warc.gz")}
    assert any(n.startswith("archiver-w0-") for n in names)
    assert any(n.startswith("archiver-w1-") for n in names)
    for post in read_jsonl(site / "posts.jsonl"):
        assert post["provenance"]["warc_file"] in names
    index = (site / "index.cdxj").read_text("utf-8")
    assert all(n in index for n in names), "one index over every worker's WARC files"
    manifests = sorted(p.name for p in site.glob("crawl-*.json"))
    assert any(m.endswith("-w0.json") for m in manifests)
    assert any(m.endswith("-w1.json") for m in manifests)


def test_merge_again_adds_nothing(two_workers: dict, tmp_path: Path) -> None:
    site = two_workers["site"]
    before = (site / "posts.jsonl").read_bytes()
    proc = run_archiver("merge", str(two_workers["out"]), "--no-report")
    assert proc.returncode == 0, proc.stderr
    assert "0 new post lines" in proc.stdout
    assert (site / "posts.jsonl").read_bytes() == before


@pytest.fixture
def cleanup() -> Iterator[list[subprocess.Popen[bytes]]]:
    """Processes a test started, killed at its end whatever happened."""
    procs: list[subprocess.Popen[bytes]] = []
    yield procs
    stop(procs)


def test_killed_worker_restarted_loses_nothing(
    python: str, truth: dict, tmp_path: Path, cleanup: list[subprocess.Popen[bytes]]
) -> None:
    logs = tmp_path / "logs"
    logs.mkdir()
    out = tmp_path / "out"
    site = out / "127.0.0.1"
    # Two requests in flight at a time (shared by both workers) and slow answers, so that the
    # work is spread over both and w1 is still busy when it is killed.
    extra = [
        *FAST_LOCAL,
        "-s",
        "CONCURRENT_REQUESTS_PER_DOMAIN=2",
        *QUIET,
        *SHORT,
        "--idle-timeout",
        "4",
    ]
    with redis_server(tmp_path) as url, wordpress_server(latency=0.25) as (origin, _log):
        procs = run_shared_crawl(python, url, origin, out, logs, 2, *extra)
        victim = procs[1]
        cleanup.extend(procs)
        wait_until(
            lambda: len(post_lines(site / "posts-w1.jsonl")) >= 2 or victim.poll() is not None,
            60,
            "worker w1 to archive two posts",
        )
        assert victim.poll() is None, "w1 ended before it could be killed"
        leased = int(redis_cli(url, "HLEN", "archiver:leases"))
        os.kill(victim.pid, signal.SIGKILL)
        victim.wait(timeout=10)
        written_before = len(post_lines(site / "posts-w1.jsonl"))
        again = start_archiver(
            python, "worker", "--redis", url, "--output", str(out), "--worker-id", "w1", *extra,
            log=logs / "w1-again.log",
        )  # fmt: skip
        cleanup.append(again)
        finish([procs[0], again], logs)
    assert leased > 0, "the kill met requests in flight"
    text = "\n".join(p.read_text("utf-8", "replace") for p in logs.glob("*.log"))
    assert "re-queued" in text.lower(), "the dead worker's leased requests were put back"
    merged = read_jsonl(site / "posts.jsonl")
    urls = [p["url"] for p in merged]
    assert len(urls) == len(set(urls)), "a post is twice in the merged posts.jsonl"
    expected = {p["url"].replace("http://127.0.0.1:8090", origin) for p in truth["posts"]}
    assert set(urls) == expected
    # The killed worker's WARC file may end in a cut record; every other record is sound.
    proc = run_archiver("verify", str(out))
    problems = [line for line in proc.stderr.splitlines() if line.startswith("problem:")]
    assert all("truncated final record" in p for p in problems), proc.stderr
    assert proc.returncode == (1 if problems else 0), proc.stdout + proc.stderr
    print(f"killed w1 after {written_before} posts with {leased} leases out; merged {len(urls)}")


def test_politeness_holds_across_three_workers(python: str, tmp_path: Path) -> None:
    delay, concurrency = 0.1, 2
    logs = tmp_path / "logs"
    logs.mkdir()
    out = tmp_path / "out"
    polite = [
        "-s", f"DOWNLOAD_DELAY={delay}", "-s", "AUTOTHROTTLE_ENABLED=False",
        "-s", f"CONCURRENT_REQUESTS_PER_DOMAIN={concurrency}",
    ]  # fmt: skip
    # Answers take longer than the delay, so that both limits are put to the test.
    with redis_server(tmp_path) as url, wordpress_server(latency=0.15) as (origin, log):
        procs = run_shared_crawl(
            python, url, origin, out, logs, 3, *polite, *QUIET, *SHORT, "--idle-timeout", "3"
        )
        finish(procs, logs)
    gaps = log.gaps()
    assert len(gaps) > 50
    workers_with_posts = [p for p in (out / "127.0.0.1").glob("posts-*.jsonl") if post_lines(p)]
    assert len(workers_with_posts) >= 2, "the workers shared the crawl"
    # Measured at the server: the token is taken just before the request leaves its worker, so
    # an arrival gap may fall short of the delay by the time from one to the other (a few ms;
    # more on a loaded machine), as with Scrapy's own DOWNLOAD_DELAY in a single process.
    slack = 0.025
    print(
        f"3 workers, DOWNLOAD_DELAY={delay}: {len(gaps) + 1} requests, minimum gap "
        f"{min(gaps) * 1000:.1f} ms, peak in flight {log.peak_in_flight}"
    )
    assert min(gaps) >= delay - slack
    assert log.peak_in_flight <= concurrency
    assert log.peak_in_flight == concurrency, "the requests did overlap, up to the limit"


def test_a_worker_stops_when_redis_is_gone(
    python: str, tmp_path: Path, cleanup: list[subprocess.Popen[bytes]]
) -> None:
    log = tmp_path / "worker.log"
    with redis_server(tmp_path) as url:
        worker = start_archiver(
            python, "worker", "--redis", url, "--output", str(tmp_path / "out"),
            "--worker-id", "lonely", "--idle-timeout", "60", *SHORT, log=log,
        )  # fmt: skip
        cleanup.append(worker)
        wait_until(lambda: redis_cli(url, "SISMEMBER", "archiver:workers", "lonely") == "1", 60,
                   "the worker to join")  # fmt: skip
    worker.wait(timeout=60)  # not the idle timeout: Redis went away with the context above
    text = log.read_text("utf-8", "replace")
    assert worker.returncode == 1, text
    assert "Redis has not answered" in text
    assert "error: the worker stopped early: redis_unreachable" in text


def test_shared_crawl_command_line_errors(python: str, tmp_path: Path) -> None:
    def archiver(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [python, "-m", "archiver.cli", *args], capture_output=True, text=True, cwd=ROOT,
            timeout=60,
        )  # fmt: skip

    proc = archiver("worker", "--redis", "http://127.0.0.1:1/", "--output", str(tmp_path))
    assert proc.returncode == 2
    assert "give a Redis URL such as redis://HOST:6379/0" in proc.stderr
    proc = archiver("worker", "--redis", "redis://127.0.0.1:1/0", "--output", str(tmp_path))
    assert proc.returncode == 1
    assert proc.stderr.startswith("error: cannot reach Redis at redis://127.0.0.1:1/0")
    assert "Traceback" not in proc.stderr
