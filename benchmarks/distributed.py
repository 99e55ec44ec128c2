"""Distributed-crawl benchmark: 1, 2 and 4 workers sharing one crawl in Redis.

    python benchmarks/distributed.py [--posts 500] [--latency 0.1] [--workers 1,2,4] [--json FILE]

Generates a WordPress-like blog (``benchmarks/synthetic_blog.py``), serves it on 127.0.0.1 from a
threaded server that waits ``--latency`` seconds (default 100 ms) before every answer and logs
every request's arrival, starts a redis-server of its own, then for each worker count runs
``archiver crawl URL --redis`` (worker ``w0``, which seeds the crawl) plus ``N - 1`` ``archiver
worker``s on the same output folder, all on this machine, and prints a table:

- ``single``: the peer, one ``archiver crawl`` without Redis, with the settings of ``open``;
- ``open``: no delay, ``CONCURRENT_REQUESTS_PER_DOMAIN=16`` (a limit for the crawl as a whole);
- ``narrow``: as ``open``, but each worker has at most 2 requests in flight
  (``CONCURRENT_REQUESTS=2``: a small machine, a slow link), so a worker is latency-bound;
- ``polite``: ``DOWNLOAD_DELAY=0.05`` (a limit for the crawl as a whole), and its peer
  ``polite-single``: Scrapy's own delay in one ``archiver crawl`` without Redis (not randomized).

For each: pages per second from the server's log (requests over the span from the first to the
last), that rate against one worker's and against ``single``'s, the wall time of the whole run
(start-up, crawl, idle timeout, merge), CPU seconds of all workers per page, posts archived, and
the minimum gap between two requests (``short``: how many gaps fell short of the delay) and the
peak of requests in flight, as the server saw them: arrival times are the kernel's receive
times (``SO_TIMESTAMPNS``, ``tests/distributed_site.TimedServer``), so the server's own thread
scheduling does not blur them.

Each run checks that the merged ``posts.jsonl`` holds every post of the blog exactly once. The
figures compare worker counts measured in the same run; nothing is compared with a fixed number.
The workers need a Python with scrapy-redis (``--python``; default ``.venv-redis/bin/python``
when it exists, as ``.ci/run`` makes it, else this Python).
"""

from __future__ import annotations

import argparse
import itertools
import json
import mimetypes
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from urllib.parse import unquote

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import synthetic_blog

from tests.distributed_site import Answer, RequestLog, TimedServer, redis_server

ROOT = Path(__file__).resolve().parents[1]
DELAYS = {"polite": 0.05, "polite-single": 0.05}
OPEN = ["-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=False"]
CONFIGS = {
    # The peer: one `archiver crawl` without Redis, same settings as "open".
    "single": [*OPEN, "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=16"],
    "open": [*OPEN, "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=16"],
    # Each worker may have only 2 requests in flight (a small machine, a slow link).
    "narrow": [*OPEN, "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=16", "-s", "CONCURRENT_REQUESTS=2"],
    "polite": [
        "-s", f"DOWNLOAD_DELAY={DELAYS['polite']}", "-s", "AUTOTHROTTLE_ENABLED=False",
        "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=16",
    ],
    # The peer of "polite": Scrapy's own delay, in one `archiver crawl` without Redis.
    "polite-single": [
        "-s", f"DOWNLOAD_DELAY={DELAYS['polite']}", "-s", "AUTOTHROTTLE_ENABLED=False",
        "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=16", "-s", "RANDOMIZE_DOWNLOAD_DELAY=False",
    ],
}  # fmt: skip


@dataclass
class Run:
    """One crawl of the blog by ``workers`` workers."""

    config: str
    workers: int
    pages: int
    crawl_s: float
    wall_s: float
    cpu_s: float
    posts: int
    posts_expected: int
    min_gap_ms: float
    short_gaps: int
    """Gaps between two requests shorter than the config's DOWNLOAD_DELAY."""
    peak_in_flight: int

    @property
    def pages_per_s(self) -> float:
        return self.pages / self.crawl_s if self.crawl_s else 0.0


def static_answers(site: Path) -> Callable[[str], Answer]:
    """The generated blog's files as answers (as benchmarks/serve.py serves them)."""
    placeholder = site / "wp-content" / "uploads" / "placeholder.jpg"
    not_found = (site / "404.html").read_bytes()

    def respond(path: str) -> Answer:
        url_path = unquote(path.split("#")[0].split("?")[0])
        file = synthetic_blog.file_path(site, url_path)
        if url_path.startswith("/wp-content/uploads/") and not file.exists():
            file = placeholder
        if ".." in url_path.split("/") or not file.is_file():
            return 404, [("Content-Type", "text/html; charset=utf-8")], not_found
        kind = mimetypes.guess_type(file.name)[0] or "application/octet-stream"
        if kind.startswith("text/") or kind.endswith("xml"):
            kind += "; charset=utf-8"
        return 200, [("Content-Type", kind)], file.read_bytes()

    return respond


def wait_cpu(proc: subprocess.Popen[bytes]) -> float:
    """Wait for a worker; its CPU seconds (user + system, with its extraction processes)."""
    _pid, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    return usage.ru_utime + usage.ru_stime


def crawl(
    python: str, url: str, workers: int, config: str, log: RequestLog, work: Path, expected: int,
    extra: list[str],
) -> Run:  # fmt: skip
    """One shared crawl of the blog by ``workers`` workers; what it took."""
    out = work / "out"
    logs = work / "logs"
    logs.mkdir(parents=True)
    common = [
        "--output", str(out), "--idle-timeout", "2", "--progress", "off",
        "-s", "ARCHIVER_REDIS_POLL_INTERVAL=0.2", *CONFIGS[config], *extra,
    ]  # fmt: skip
    log.clear()
    started = time.monotonic()
    procs: list[subprocess.Popen[bytes]] = []
    with redis_server(work) as redis_url:
        seed_cmd = ["crawl", url + "/", "--redis", redis_url, "--worker-id", "w0", *common]
        if config.endswith("single"):
            seed_cmd = ["crawl", url + "/", *common[:2], *common[4:]]
        with (logs / "w0.log").open("wb") as fh:
            procs.append(
                subprocess.Popen(
                    [python, "-m", "archiver.cli", *seed_cmd], stdout=fh, stderr=fh, cwd=ROOT
                )
            )
        while (
            not config.endswith("single") and b"shared crawl" not in (logs / "w0.log").read_bytes()
        ):
            if procs[0].poll() is not None:
                raise RuntimeError((logs / "w0.log").read_text("utf-8", "replace")[-3000:])
            time.sleep(0.05)
        for n in range(1, workers):
            args = ["worker", "--redis", redis_url, "--worker-id", f"w{n}", *common]
            with (logs / f"w{n}.log").open("wb") as fh:
                procs.append(
                    subprocess.Popen(
                        [python, "-m", "archiver.cli", *args], stdout=fh, stderr=fh, cwd=ROOT
                    )
                )
        try:
            cpu = sum(wait_cpu(p) for p in procs)
        finally:
            for proc in procs:
                if proc.returncode is None:
                    proc.kill()
                    proc.wait()
    wall = time.monotonic() - started
    failed = [n for n, p in enumerate(procs) if p.returncode != 0]
    if failed:
        raise RuntimeError(f"workers {failed} failed: see {logs}")
    times = sorted(t for t, _ in log.arrivals)
    gaps = [b - a for a, b in itertools.pairwise(times)]
    lines = (out / "127.0.0.1" / "posts.jsonl").read_text("utf-8").splitlines()
    urls = [json.loads(line)["url"] for line in lines]
    if len(urls) != len(set(urls)):
        raise RuntimeError("a post was archived twice")
    return Run(
        config=config,
        workers=workers,
        pages=len(times),
        crawl_s=times[-1] - times[0] if len(times) > 1 else 0.0,
        wall_s=wall,
        cpu_s=cpu,
        posts=len(set(urls)),
        posts_expected=expected,
        min_gap_ms=1000 * min(gaps) if gaps else 0.0,
        short_gaps=sum(1 for g in gaps if g < DELAYS.get(config, 0.0)),
        peak_in_flight=log.peak_in_flight,
    )


def default_python() -> str:
    venv = ROOT / ".venv-redis" / "bin" / "python"
    return str(venv) if venv.exists() else sys.executable


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--posts", type=int, default=300, help="posts of the blog (default 300)")
    ap.add_argument("--months", type=int, default=24)
    ap.add_argument("--latency", type=float, default=0.1, help="seconds per answer (0.1)")
    ap.add_argument("--workers", default="1,2,4", help="worker counts (default 1,2,4)")
    ap.add_argument(
        "--configs",
        default="single,open,narrow,polite-single,polite",
        help="of single, open, narrow, polite-single, polite",
    )
    ap.add_argument("--python", default=default_python(), help="Python with scrapy-redis")
    ap.add_argument("--json", type=Path, help="also write the figures as JSON")
    ap.add_argument("--keep", action="store_true", help="keep the work folder")
    ap.add_argument("extra", nargs="*", help="more archiver options, after --")
    args = ap.parse_args()
    if not shutil.which("redis-server"):
        print("redis-server is missing: apt-get install redis-server", file=sys.stderr)
        return 1
    counts = [int(n) for n in args.workers.split(",")]
    work = Path(tempfile.mkdtemp(prefix="bench-distributed-"))
    try:
        server = TimedServer(lambda path: (503, [], b""), args.latency)
        info = synthetic_blog.generate(work / "site", args.posts, args.months, 1, server.port)
        server.respond = static_answers(work / "site")
        print(
            f"blog: {info['posts']} posts, {info['html_pages']} HTML pages; "
            f"{args.latency * 1000:.0f} ms per answer; {os.cpu_count()} CPUs; python {args.python}",
            flush=True,
        )
        runs: list[Run] = []
        log, url = server.log, server.origin
        try:
            for config in args.configs.split(","):
                for n in [1] if config.endswith("single") else counts:
                    run = crawl(
                        args.python, url, n, config, log, work / f"{config}-{n}", info["posts"],
                        args.extra,
                    )  # fmt: skip
                    runs.append(run)
                    print(f"  {config} x{n}: {run.pages_per_s:.1f} pages/s", flush=True)
        finally:
            server.close()
        print()
        print(
            f"{'config':<13} {'workers':>7} {'pages':>6} {'crawl s':>8} {'pages/s':>8} "
            f"{'vs 1 worker':>11} {'vs single':>9} {'wall s':>7} {'CPU ms/page':>11} "
            f"{'posts':>9} {'min gap ms':>10} {'short':>5} {'peak':>5}"
        )
        single = next((r for r in runs if r.config == "single"), None)
        for run in runs:
            one = next(r for r in runs if r.config == run.config and r.workers == min(counts))
            vs_one = run.pages_per_s / one.pages_per_s if one.pages_per_s else 0.0
            vs_single = run.pages_per_s / single.pages_per_s if single else 0.0
            print(
                f"{run.config:<13} {run.workers:>7} {run.pages:>6} {run.crawl_s:>8.1f} "
                f"{run.pages_per_s:>8.1f} {vs_one:>11.2f} {vs_single:>9.2f} {run.wall_s:>7.1f} "
                f"{1000 * run.cpu_s / max(run.pages, 1):>11.1f} "
                f"{run.posts:>4}/{run.posts_expected:<4} {run.min_gap_ms:>10.1f} "
                f"{run.short_gaps:>5} {run.peak_in_flight:>5}"
            )
        if args.json:
            args.json.write_text(
                json.dumps(
                    [{**asdict(r), "pages_per_s": round(r.pages_per_s, 2)} for r in runs],
                    indent=1,
                ),
                "utf-8",
            )
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
