"""Crawl benchmark: `archiver crawl` against wget and a bare Scrapy spider on one synthetic blog.

    python benchmarks/crawl.py [--posts 2000] [--json FILE] [--repeat N] [--site DIR]

Generates a WordPress-like blog of ``--posts`` posts (``benchmarks/synthetic_blog.py``), serves it
with nginx on 127.0.0.1 (``benchmarks/serve.py``; a Python server in its own process when nginx
is missing), shows how many requests per second that server sustains, then crawls it in the same
run with:

- ``archiver``: ``archiver crawl URL`` with WARC and JSON on, and the benchmark flags
  ``-s CONCURRENT_REQUESTS_PER_DOMAIN=16 -s DOWNLOAD_DELAY=0 -s AUTOTHROTTLE_ENABLED=False``
  (robots.txt obeyed, as by default);
- ``wget``: ``wget --recursive --level=inf --no-parent --warc-file=... --delete-after``;
- ``bare-scrapy``: a CrawlSpider following every link (``benchmarks/bare_spider.py``), same flags.

For each: wall time, pages fetched (HTTP responses) and pages/s, posts found (the generated
permalinks among the archived posts, for the peers among the pages fetched) and posts/s, CPU
seconds per page (user + system of the whole process tree, from ``os.wait4``), peak RSS, bytes
written, and the server's CPU over the run. Ratios compare with the peers measured in this run;
nothing is compared with a fixed number.
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import re
import shutil
import socket
import sys
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import measure
import serve
import synthetic_blog

ROOT = Path(__file__).resolve().parents[1]
BENCH_FLAGS = [
    "-s",
    "CONCURRENT_REQUESTS_PER_DOMAIN=16",
    "-s",
    "DOWNLOAD_DELAY=0",
    "-s",
    "AUTOTHROTTLE_ENABLED=False",
]
CRAWLERS = ("archiver", "wget", "bare-scrapy")


@dataclass
class Result:
    """One crawler's run over the site."""

    crawler: str
    returncode: int
    wall_s: float
    pages: int
    posts: int
    cpu_s: float
    peak_rss_mb: float
    bytes_written: int
    server_cpu_s: float
    main_cpu_s: float | None = None
    """CPU of the crawler's own process (the rest of ``cpu_s`` went to processes it started)."""
    note: str = ""

    @property
    def pages_per_s(self) -> float:
        return self.pages / self.wall_s if self.wall_s else 0.0

    @property
    def posts_per_s(self) -> float:
        return self.posts / self.wall_s if self.wall_s else 0.0

    @property
    def cpu_ms_per_page(self) -> float:
        return 1000 * self.cpu_s / self.pages if self.pages else 0.0

    def as_dict(self) -> dict:
        return {
            **asdict(self),
            "pages_per_s": round(self.pages_per_s, 1),
            "posts_per_s": round(self.posts_per_s, 1),
            "cpu_ms_per_page": round(self.cpu_ms_per_page, 2),
        }


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _stat(log: str, name: str) -> int:
    m = re.search(rf"'{re.escape(name)}': (\d+)", log)
    return int(m.group(1)) if m else 0


def run_archiver(
    url: str,
    work: Path,
    post_urls: set[str],
    server: serve.Server,
    root: Path = ROOT,
    label: str = "archiver",
    extra: list[str] | None = None,
) -> Result:
    """``archiver crawl`` from the checkout at ``root`` (``python -m`` imports it from there)."""
    out = work / "out"
    cmd = [sys.executable, "-m", "archiver.cli", "crawl", url, "--output", str(out), *BENCH_FLAGS]
    cmd += extra or []
    cpu0 = server.cpu_seconds()
    m = measure.run(cmd, cwd=root, stdout=work / "stdout.txt", stderr=work / "log.txt")
    server_cpu = server.cpu_seconds() - cpu0
    site = out / "127.0.0.1"
    archived = set()
    jsonl = site / "posts.jsonl"
    if jsonl.exists():
        for line in jsonl.read_text("utf-8").splitlines():
            archived.add(json.loads(line)["url"])
    pages = 0
    for manifest in site.glob("crawl-*.json"):
        pages += json.loads(manifest.read_text("utf-8"))["counts"]["responses"]
    return Result(
        label,
        m.returncode,
        m.wall_s,
        pages,
        len(archived & post_urls),
        m.cpu_s,
        m.peak_rss_mb,
        measure.folder_bytes(out),
        server_cpu,
        main_cpu_s=m.main_cpu_s,
        note=f"{len(archived)} posts written",
    )


def run_wget(url: str, work: Path, post_urls: set[str], server: serve.Server) -> Result:
    from warcio.archiveiterator import ArchiveIterator

    wget = shutil.which("wget")
    if wget is None:
        return Result("wget", -1, 0, 0, 0, 0, 0, 0, 0, note="wget not installed")
    cmd = [
        wget,
        "--recursive",
        "--level=inf",
        "--no-parent",
        f"--warc-file={work / 'wget'}",
        "--delete-after",
        "--quiet",
        "--directory-prefix",
        str(work / "files"),
        url,
    ]
    cpu0 = server.cpu_seconds()
    m = measure.run(cmd, cwd=work, stderr=work / "log.txt")
    server_cpu = server.cpu_seconds() - cpu0
    pages = 0
    found: set[str] = set()
    warc = work / "wget.warc.gz"
    if warc.exists():
        with warc.open("rb") as fh:
            for record in ArchiveIterator(fh):
                if record.rec_type != "response":
                    continue
                pages += 1
                if record.http_headers and record.http_headers.get_statuscode() == "200":
                    found.add(record.rec_headers.get_header("WARC-Target-URI"))
    return Result(
        "wget",
        m.returncode,
        m.wall_s,
        pages,
        len(found & post_urls),
        m.cpu_s,
        m.peak_rss_mb,
        measure.folder_bytes(work),
        server_cpu,
        note="posts = post pages fetched",
    )


def run_bare(url: str, work: Path, post_urls: set[str], server: serve.Server) -> Result:
    urls_out = work / "fetched.txt"
    cmd = [
        sys.executable,
        str(ROOT / "benchmarks" / "bare_spider.py"),
        url,
        "--urls-out",
        str(urls_out),
    ]
    cpu0 = server.cpu_seconds()
    m = measure.run(cmd, cwd=work, stderr=work / "log.txt")
    server_cpu = server.cpu_seconds() - cpu0
    log = (work / "log.txt").read_text("utf-8", "replace")
    fetched = set(urls_out.read_text("utf-8").split()) if urls_out.exists() else set()
    return Result(
        "bare-scrapy",
        m.returncode,
        m.wall_s,
        _stat(log, "response_received_count"),
        len(fetched & post_urls),
        m.cpu_s,
        m.peak_rss_mb,
        measure.folder_bytes(work) - (work / "log.txt").stat().st_size,
        server_cpu,
        note="posts = post pages fetched",
    )


RUNNERS = {"archiver": run_archiver, "wget": run_wget, "bare-scrapy": run_bare}


def table(results: list[Result]) -> str:
    head = (
        f"{'crawler':<12} {'wall s':>7} {'pages':>6} {'pages/s':>8} {'posts':>6} {'posts/s':>8} "
        f"{'CPU s':>7} {'CPU ms/page':>11} {'peak RSS MB':>11} {'written MB':>10} {'server CPU':>10}"
    )
    lines = [head, "-" * len(head)]
    for r in results:
        share = 100 * r.server_cpu_s / r.wall_s if r.wall_s else 0
        lines.append(
            f"{r.crawler:<12} {r.wall_s:>7.1f} {r.pages:>6} {r.pages_per_s:>8.1f} {r.posts:>6} "
            f"{r.posts_per_s:>8.1f} {r.cpu_s:>7.1f} {r.cpu_ms_per_page:>11.1f} "
            f"{r.peak_rss_mb:>11.0f} {r.bytes_written / 1e6:>10.1f} {share:>9.0f}%"
            + (f"  ({r.note})" if r.note else "")
            + (
                f"  [crawl process {r.main_cpu_s:.0f} CPU s, its workers the rest]"
                if r.main_cpu_s is not None and r.cpu_s - r.main_cpu_s > 1
                else ""
            )
            + (f"  EXIT {r.returncode}" if r.returncode else "")
        )
    return "\n".join(lines)


def ratios(results: list[Result]) -> list[str]:
    by = {r.crawler: r for r in results if r.wall_s}
    ours = by.get("archiver")
    if ours is None:
        return []
    lines = []
    for peer in [name for name in by if name != "archiver"]:
        p = by.get(peer)
        if p is None or not p.posts_per_s:
            continue
        lines.append(
            f"archiver / {peer}: posts/s x{ours.posts_per_s / p.posts_per_s:.2f}, "
            f"CPU per post x{(ours.cpu_s / max(ours.posts, 1)) / (p.cpu_s / max(p.posts, 1)):.2f}, "
            f"peak RSS x{ours.peak_rss_mb / max(p.peak_rss_mb, 1e-9):.2f}"
        )
    return lines


def median_run(runs: list[Result]) -> Result:
    ordered = sorted(runs, key=lambda r: r.wall_s)
    return ordered[len(ordered) // 2]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--posts", type=int, default=2000, help="posts in the generated blog")
    ap.add_argument("--months", type=int, default=96, help="months the posts span")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--site", type=Path, help="reuse a site made by synthetic_blog.py")
    ap.add_argument("--server", choices=["auto", "nginx", "python"], default="auto")
    ap.add_argument(
        "--no-gzip", action="store_true", help="nginx never compresses (default: HTML gzipped)"
    )
    ap.add_argument("--crawlers", default=",".join(CRAWLERS), help="comma-separated subset")
    ap.add_argument("--repeat", type=int, default=1, help="runs per crawler (median reported)")
    ap.add_argument(
        "--baseline",
        type=Path,
        action="append",
        default=[],
        metavar="CHECKOUT",
        help="also run `archiver crawl` from this checkout (e.g. an older commit), as a row",
    )
    ap.add_argument(
        "--archiver-arg",
        action="append",
        default=[],
        metavar="ARG",
        help="extra argument for `archiver crawl` (e.g. -s, ARCHIVER_EXTRACT_WORKERS=0)",
    )
    ap.add_argument("--keep", type=Path, help="keep the crawlers' outputs in this folder")
    ap.add_argument("--json", type=Path, help="write the figures to this JSON file")
    args = ap.parse_args()
    crawlers = [c.strip() for c in args.crawlers.split(",") if c.strip()]
    unknown = set(crawlers) - set(CRAWLERS)
    if unknown:
        ap.error(f"unknown crawlers: {', '.join(sorted(unknown))} (known: {', '.join(CRAWLERS)})")
    runners = {
        name: functools.partial(
            RUNNERS[name], **({"extra": args.archiver_arg} if name == "archiver" else {})
        )
        for name in crawlers
    }
    for checkout in args.baseline:
        if not (checkout / "archiver" / "cli.py").exists():
            ap.error(f"--baseline {checkout}: no archiver/cli.py there")
        label = f"base:{checkout.resolve().name}"
        runners[label] = functools.partial(run_archiver, root=checkout.resolve(), label=label)

    with tempfile.TemporaryDirectory(prefix="bench-crawl-") as tmp:
        work_root = args.keep or Path(tmp)
        if args.site:
            site = args.site
            info = json.loads((site / "site.json").read_text("utf-8"))
        else:
            site = Path(tmp) / "site"
            info = synthetic_blog.generate(
                site, args.posts, args.months, args.seed, port=free_port()
            )
        post_urls = set(info["post_urls"])
        print(
            f"site: {info['posts']} posts ({info['multi_page_posts']} multi-page) over "
            f"{info['months']} months, {info['html_pages']} HTML pages, "
            f"{info['bytes'] / 1e6:.0f} MB, generated in {info['seconds']} s"
        )
        with serve.serve(site, info["port"], args.server, gzip=not args.no_gzip) as server:
            paths = [u.removeprefix(info["origin"]) for u in info["post_urls"]]
            checks = {
                "gzip": serve.throughput(server, paths),
                "identity": serve.throughput(server, paths, accept_encoding=""),
            }
            for name, check in checks.items():
                print(
                    f"server: {server.kind} at {server.url}: {check['requests_per_s']} requests/s "
                    f"on post pages, {name} ({check['tool']}), "
                    f"{check['server_cpu_s_per_1000']} CPU s per 1000"
                )
            runs: dict[str, list[Result]] = {c: [] for c in runners}
            for k in range(args.repeat):
                for crawler, runner in runners.items():
                    work = work_root / f"{crawler.replace(':', '-')}-{k + 1}"
                    if work.exists():
                        shutil.rmtree(work)
                    work.mkdir(parents=True)
                    result = runner(info["origin"] + "/", work, post_urls, server)
                    runs[crawler].append(result)
                    print(
                        f"  {crawler} run {k + 1}: {result.wall_s:.1f} s, {result.pages} pages, "
                        f"{result.posts} posts",
                        flush=True,
                    )
                    if not args.keep:
                        shutil.rmtree(work, ignore_errors=True)
        results = [median_run(runs[c]) for c in runners]
        print()
        print(table(results))
        for line in ratios(results):
            print(line)
        for r in results:
            # wget asks for no compression; Scrapy (archiver and bare) for gzip.
            check = checks["identity" if r.crawler == "wget" else "gzip"]
            if r.pages_per_s:
                print(
                    f"server headroom for {r.crawler}: {check['requests_per_s'] / r.pages_per_s:.0f}x "
                    f"its pages/s (server busy {100 * r.server_cpu_s / r.wall_s:.0f}% of the run)"
                )
        if args.json:
            args.json.write_text(
                json.dumps(
                    {
                        "site": {k: v for k, v in info.items() if k != "post_urls"},
                        "server": {"kind": server.kind, **checks},
                        "results": [r.as_dict() for r in results],
                        "runs": {c: [r.as_dict() for r in rs] for c, rs in runs.items()},
                        "wall_s_spread": {
                            c: [round(r.wall_s, 2) for r in rs] for c, rs in runs.items()
                        },
                        "median_of": args.repeat,
                        "python": sys.version.split()[0],
                        "cpu_count": len(os.sched_getaffinity(0)),
                    },
                    indent=1,
                ),
                "utf-8",
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
