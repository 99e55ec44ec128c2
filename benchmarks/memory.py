"""Memory growth along a long crawl: RSS of `archiver crawl` sampled over a 20,000-post blog.

    python benchmarks/memory.py [--posts 20000] [--json FILE] [--site DIR] [--no-probe]

Generates (or reuses) a synthetic blog (``benchmarks/synthetic_blog.py``), serves it with nginx
on 127.0.0.1 and runs ``archiver crawl`` on it with the benchmark flags (WARC and JSON on),
sampling the resident set of the crawler's process tree from /proc. Prints RSS at every tenth of
the posts written and the growth per 1,000 posts in the first and the second half of the crawl:
a crawl that levels off grows far less in its second half.

Then (unless ``--no-probe``) the same crawl runs again with ``benchmarks/memprobe.py``, which
reports the length and size of every per-URL structure (Scrapy's duplicate filter, the
scheduler's queue, the spider's and the pipelines' sets and dicts) along the crawl: what grows.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import measure
import serve
import synthetic_blog
from crawl import BENCH_FLAGS, ROOT, free_port


class PostCounter:
    """Counts the lines of a growing posts.jsonl incrementally (no re-reading)."""

    def __init__(self, path: Path):
        self.path = path
        self.offset = 0
        self.count = 0

    def __call__(self) -> int:
        try:
            with self.path.open("rb") as fh:
                fh.seek(self.offset)
                data = fh.read()
        except OSError:
            return self.count
        cut = data.rfind(b"\n") + 1
        self.count += data[:cut].count(b"\n")
        self.offset += cut
        return self.count


def growth(samples: list[tuple[float, float, int]], total: int) -> dict:
    """RSS at each tenth of the posts, and MB per 1,000 posts in each half of the crawl."""
    marks = {}
    for tenth in range(1, 11):
        target = total * tenth / 10
        hit = next((s for s in samples if s[2] >= target), samples[-1] if samples else None)
        if hit:
            marks[f"{tenth * 10}%"] = {
                "posts": hit[2],
                "t": round(hit[0], 1),
                "rss_mb": round(hit[1]),
            }

    def slope(a: str, b: str) -> float | None:
        if a not in marks or b not in marks or marks[b]["posts"] == marks[a]["posts"]:
            return None
        d_rss = marks[b]["rss_mb"] - marks[a]["rss_mb"]
        return round(1000 * d_rss / (marks[b]["posts"] - marks[a]["posts"]), 2)

    last = next((s[0] for s in samples if s[2] >= total), None)
    crawling = [s[1] for s in samples if last is None or s[0] <= last]
    closing = [s[1] for s in samples if last is not None and s[0] > last]
    return {
        "peak_while_crawling_mb": round(max(crawling, default=0)),
        "peak_after_last_post_mb": round(max(closing, default=0)),
        "seconds_after_last_post": round(samples[-1][0] - last, 1) if last is not None else None,
        "marks": marks,
        "mb_per_1000_posts_first_half": slope("10%", "50%"),
        "mb_per_1000_posts_second_half": slope("50%", "100%"),
    }


def probe_summary(lines: list[dict]) -> list[str]:
    """What grew between the first sample with posts and the last, largest first."""
    if len(lines) < 2:
        return ["(too few probe samples)"]
    first = next((x for x in lines if x["posts"]), lines[0])
    last = lines[-1]
    rows = []
    for name, now in last["sizes"].items():
        then = first["sizes"].get(name, {"len": 0, "bytes": 0})
        rows.append((now["bytes"] - then["bytes"], name, then, now))
    rows.sort(reverse=True)
    out = [
        f"probe: posts {first['posts']} -> {last['posts']}, RSS {first['rss_mb']} -> "
        f"{last['rss_mb']} MB (in-process), scheduler queue max "
        f"{max(x['scheduled'] or 0 for x in lines)}",
        f"  {'structure':<44} {'entries':>16} {'approx MB':>16}",
    ]
    for delta, name, then, now in rows:
        out.append(
            f"  {name:<44} {then['len']:>7} -> {now['len']:<7} {then['bytes'] / 1e6:>6.2f} -> "
            f"{now['bytes'] / 1e6:<6.2f}" + ("" if delta else "  (flat)")
        )
    if first.get("malloc_mb") and last.get("malloc_mb"):
        a, b = first["malloc_mb"], last["malloc_mb"]
        out.append(
            f"  malloc heap: in use {a['in_use']} -> {b['in_use']} MB, freed but kept "
            f"{a['free_kept']} -> {b['free_kept']} MB; Python blocks "
            f"{first['python_blocks']:,} -> {last['python_blocks']:,}"
        )
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--posts", type=int, default=20000)
    ap.add_argument("--months", type=int, default=96)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--site", type=Path, help="reuse a site made by synthetic_blog.py")
    ap.add_argument("--server", choices=["auto", "nginx", "python"], default="auto")
    ap.add_argument("--interval", type=float, default=0.5, help="seconds between RSS samples")
    ap.add_argument("--no-probe", action="store_true", help="skip the second, probed crawl")
    ap.add_argument("--json", type=Path)
    args = ap.parse_args()

    with tempfile.TemporaryDirectory(prefix="bench-memory-") as tmp:
        if args.site:
            site = args.site
            info = json.loads((site / "site.json").read_text("utf-8"))
        else:
            site = Path(tmp) / "site"
            info = synthetic_blog.generate(
                site, args.posts, args.months, args.seed, port=free_port()
            )
        print(
            f"site: {info['posts']} posts over {info['months']} months, {info['html_pages']} "
            f"HTML pages, {info['bytes'] / 1e6:.0f} MB (generated in {info['seconds']} s)"
        )
        url = info["origin"] + "/"
        with serve.serve(site, info["port"], args.server):
            out = Path(tmp) / "out"
            counter = PostCounter(out / "127.0.0.1" / "posts.jsonl")
            samples: list[tuple[float, float, int]] = []
            m = measure.run(
                [
                    sys.executable,
                    "-m",
                    "archiver.cli",
                    "crawl",
                    url,
                    "--output",
                    str(out),
                    *BENCH_FLAGS,
                ],
                cwd=ROOT,
                stderr=Path(tmp) / "log.txt",
                interval=args.interval,
                on_sample=lambda t, rss: samples.append((t, rss, counter())),
            )
            posts = counter()
            result = growth(samples, posts)
            print(
                f"archiver crawl: {posts} posts in {m.wall_s:.0f} s, exit {m.returncode}, "
                f"peak RSS {m.peak_rss_mb:.0f} MB, CPU {m.cpu_s:.0f} s"
            )
            print(f"  {'posts':>7} {'t s':>7} {'RSS MB':>7}")
            for mark, row in result["marks"].items():
                print(
                    f"  {row['posts']:>7} {row['t']:>7} {row['rss_mb']:>7}   ({mark} of the posts)"
                )
            print(
                "  growth per 1,000 posts: first half "
                f"{result['mb_per_1000_posts_first_half']} MB, second half "
                f"{result['mb_per_1000_posts_second_half']} MB"
            )
            print(
                f"  peak RSS while crawling {result['peak_while_crawling_mb']} MB; after the last "
                f"post ({result['seconds_after_last_post']} s: listings left, index, report, manifest) "
                f"{result['peak_after_last_post_mb']} MB"
            )
            probe_lines: list[dict] = []
            if not args.no_probe:
                probe_out = Path(tmp) / "out-probe"
                probe_file = Path(tmp) / "probe.jsonl"
                measure.run(
                    [
                        sys.executable,
                        str(ROOT / "benchmarks" / "memprobe.py"),
                        str(probe_file),
                        "crawl",
                        url,
                        "--output",
                        str(probe_out),
                        *BENCH_FLAGS,
                        "-s",
                        "MEMPROBE_INTERVAL=2",
                    ],
                    cwd=ROOT,
                    stderr=Path(tmp) / "probe-log.txt",
                )
                if probe_file.exists():
                    probe_lines = [json.loads(x) for x in probe_file.read_text().splitlines()]
                for line in probe_summary(probe_lines):
                    print(line)
        if args.json:
            args.json.write_text(
                json.dumps(
                    {
                        "site": {k: v for k, v in info.items() if k != "post_urls"},
                        "posts_written": posts,
                        "wall_s": round(m.wall_s, 1),
                        "cpu_s": round(m.cpu_s, 1),
                        "peak_rss_mb": round(m.peak_rss_mb, 1),
                        "returncode": m.returncode,
                        **result,
                        "samples": [(round(t, 1), round(r, 1), p) for t, r, p in samples],
                        "probe": probe_lines,
                    },
                    indent=1,
                ),
                "utf-8",
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
