"""Archive-file benchmark: what faithful capture, the index, WACZ, verify and reextract cost.

    python benchmarks/archive_files.py [--posts 400] [--repeat 3] [--json FILE]

On one synthetic blog (``benchmarks/synthetic_blog.py``) served on 127.0.0.1, in one run:

- ``archiver crawl`` three ways: as shipped (``archiver.capture.ArchiverDownloadHandler`` records
  the raw status line and headers), with Scrapy's stock ``HTTP11DownloadHandler`` (WARC headers
  rebuilt from Scrapy's view, the way before), and with ``--no-warc``. Wall time and CPU seconds
  per page, as ratios to the stock handler.
- Then on the crawl's output, each next to a peer run on the same WARC files:
  ``archiver verify`` (digests, header/body agreement, decoding, schema, provenance, index)
  against ``warcio check`` (digests only); ``archiver pack`` against py-wacz's
  ``wacz create``; ``archiver reextract`` (every post extracted again from the WARCs) against
  the crawl itself.

Figures are printed (median of ``--repeat`` runs); nothing is compared with a fixed number.
"""

from __future__ import annotations

import argparse
import json
import shutil
import socket
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import measure
import serve
import synthetic_blog

ROOT = Path(__file__).resolve().parents[1]
FLAGS = ["-s", "CONCURRENT_REQUESTS_PER_DOMAIN=16", "-s", "DOWNLOAD_DELAY=0"]
FLAGS += ["-s", "AUTOTHROTTLE_ENABLED=False", "--quiet"]
STOCK = "scrapy.core.downloader.handlers.http11.HTTP11DownloadHandler"
CRAWLS = {
    "archiver (raw heads)": [],
    "stock handler": ["-s", "DOWNLOAD_HANDLERS=" + json.dumps({"http": STOCK, "https": STOCK})],
    "--no-warc": ["--no-warc"],
}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def archiver(*args: str) -> list[str]:
    return [sys.executable, "-m", "archiver.cli", *args]


def timed(cmd: list[str], work: Path, name: str) -> measure.Measured:
    m = measure.run(cmd, cwd=ROOT, stdout=work / f"{name}.out", stderr=work / f"{name}.err")
    if m.returncode != 0:
        err = (work / f"{name}.err").read_text("utf-8", "replace")[-2000:]
        raise SystemExit(f"{name} failed ({m.returncode}): {' '.join(cmd)}\n{err}")
    return m


def median(runs: list[measure.Measured], attr: str) -> float:
    return statistics.median(getattr(m, attr) for m in runs)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--posts", type=int, default=400)
    ap.add_argument("--months", type=int, default=24)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--server", choices=["auto", "nginx", "python"], default="auto")
    ap.add_argument("--json", type=Path)
    args = ap.parse_args()
    figures: dict[str, dict[str, float]] = {}
    with tempfile.TemporaryDirectory(prefix="bench-archive-") as tmp:
        tmp_path = Path(tmp)
        info = synthetic_blog.generate(tmp_path / "site", args.posts, args.months, 1, free_port())
        print(f"site: {info['posts']} posts, {info['html_pages']} HTML pages")
        crawl_runs: dict[str, list[measure.Measured]] = {name: [] for name in CRAWLS}
        pages = 0
        with serve.serve(tmp_path / "site", info["port"], args.server) as server:
            print(f"server: {server.kind} at {server.url}")
            for k in range(args.repeat):
                for name, extra in CRAWLS.items():
                    work = tmp_path / f"crawl-{k}-{len(crawl_runs[name])}-{name[:5]}"
                    work.mkdir()
                    out = work / "out"
                    cmd = archiver("crawl", info["origin"] + "/", "--output", str(out), *FLAGS)
                    crawl_runs[name].append(timed([*cmd, *extra], work, "crawl"))
                    [manifest] = (out / "127.0.0.1").glob("crawl-*.json")
                    pages = json.loads(manifest.read_text("utf-8"))["counts"]["responses"]
                    if k == 0 and name == "archiver (raw heads)":
                        shutil.copytree(out, tmp_path / "kept")
        print(f"\ncrawls ({pages} pages each, median of {args.repeat}):")
        stock_cpu = median(crawl_runs["stock handler"], "cpu_s")
        stock_wall = median(crawl_runs["stock handler"], "wall_s")
        for name, runs in crawl_runs.items():
            wall, cpu = median(runs, "wall_s"), median(runs, "cpu_s")
            figures[f"crawl {name}"] = {"wall_s": wall, "cpu_ms_per_page": 1000 * cpu / pages}
            print(
                f"  {name:22} {wall:6.2f} s  {1000 * cpu / pages:6.2f} CPU ms/page  "
                f"wall x{wall / stock_wall:.3f}  CPU x{cpu / stock_cpu:.3f} of stock"
            )

        site = tmp_path / "kept" / "127.0.0.1"
        warcs = sorted(str(p) for p in (site / "warc").glob("*.warc.gz"))
        warc_mb = sum(Path(w).stat().st_size for w in warcs) / 1e6
        posts = len((site / "posts.jsonl").read_text("utf-8").splitlines())
        steps = {
            "archiver verify": archiver("verify", str(site)),
            "warcio check (peer)": [sys.executable, "-m", "warcio.cli", "check", *warcs],
            "archiver pack": archiver("pack", str(site)),
            "wacz create (peer)": [
                sys.executable,
                "-m",
                "wacz",
                "create",
                "-o",
                str(tmp_path / "peer.wacz"),
                *warcs,
            ],
            "archiver reextract": archiver(
                "reextract", *warcs, "--output", str(tmp_path / "re"), "--log-level", "ERROR"
            ),
        }
        runs: dict[str, list[measure.Measured]] = {name: [] for name in steps}
        for k in range(args.repeat):
            for name, cmd in steps.items():
                shutil.rmtree(tmp_path / "re", ignore_errors=True)
                work = tmp_path / f"step-{k}-{name.split()[1]}"
                work.mkdir(exist_ok=True)
                runs[name].append(timed(cmd, work, "step"))
        print(
            f"\non the archive ({warc_mb:.1f} MB of WARC, {posts} posts, median of {args.repeat}):"
        )
        for name, step_runs in runs.items():
            wall, cpu = median(step_runs, "wall_s"), median(step_runs, "cpu_s")
            figures[name] = {"wall_s": wall, "cpu_s": cpu, "warc_mb_per_s": warc_mb / wall}
            print(f"  {name:22} {wall:6.2f} s  {cpu:6.2f} CPU s  {warc_mb / wall:7.1f} MB/s")
        ratio = lambda a, b: figures[a]["wall_s"] / figures[b]["wall_s"]  # noqa: E731
        print(
            f"  verify / warcio check x{ratio('archiver verify', 'warcio check (peer)'):.2f}, "
            f"pack / wacz create x{ratio('archiver pack', 'wacz create (peer)'):.2f}, "
            f"reextract / crawl x"
            f"{figures['archiver reextract']['wall_s'] / figures['crawl archiver (raw heads)']['wall_s']:.2f}"
        )
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2), "utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
