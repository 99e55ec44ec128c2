"""Per-field accuracy of an end-to-end crawl of the recorded WordPress fixture.

    python benchmarks/wordpress_accuracy.py [--fixture ../shared/fixtures/wordpress] [--json FILE]

Serves the fixture with its own replay server on a free loopback port, runs `archiver crawl`
from the home page, and compares every post with truth.json. Body similarity is difflib's
SequenceMatcher ratio over whitespace-collapsed text (truth's body_text_normalized).
"""

from __future__ import annotations

import argparse
import difflib
import json
import re
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RECORDED = "http://127.0.0.1:8090"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument(
        "--fixture", type=Path, default=ROOT.parent / "shared" / "fixtures" / "wordpress"
    )
    ap.add_argument("--json", type=Path)
    args = ap.parse_args()
    truth = json.loads((args.fixture / "truth.json").read_text("utf-8"))
    port = free_port()
    origin = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [sys.executable, str(args.fixture / "serve.py"), "--port", str(port)],
        stdout=subprocess.DEVNULL,
    )
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(origin + "/robots.txt", timeout=1).close()
                break
            except OSError:
                time.sleep(0.1)
        with tempfile.TemporaryDirectory() as out:
            started = time.perf_counter()
            subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "archiver.cli",
                    "crawl",
                    origin + "/",
                    "--output",
                    out,
                    "--log-level",
                    "WARNING",
                    "-s",
                    "DOWNLOAD_DELAY=0",
                    "-s",
                    "AUTOTHROTTLE_ENABLED=False",
                ],
                check=True,
                cwd=ROOT,
            )
            seconds = time.perf_counter() - started
            lines = (Path(out) / "127.0.0.1" / "posts.jsonl").read_text("utf-8").splitlines()
            posts = [json.loads(line) for line in lines]
    finally:
        server.terminate()

    def local(u: str | None) -> str | None:
        return u.replace(RECORDED, origin) if u else u

    by_url = {p["url"]: p for p in posts}
    fields = dict.fromkeys(
        (
            "found",
            "title",
            "published",
            "modified",
            "authors",
            "categories",
            "tags",
            "captions",
            "references",
            "footnotes",
            "body>=0.95",
            "body==1.0",
        ),
        0,
    )
    ratios = []
    for t in truth["posts"]:
        p = by_url.get(local(t["url"]))
        if p is None:
            continue
        fields["found"] += 1
        fields["title"] += p["title"] == t["title"]
        fields["published"] += p["published"] == t["published"]
        fields["modified"] += p["modified"] == t["modified"]
        fields["authors"] += p["authors"] == [t["author"]]
        fields["categories"] += p["categories"] == t["categories"]
        fields["tags"] += p["tags"] == t["tags"]
        fields["captions"] += [c["text"] for c in p["captions"]] == t["captions"]
        refs = [
            (r["text"], r["url"], r["urls"]) for r in p["references"] if r["kind"] == "bibliography"
        ]
        fields["references"] += refs == [
            (r["text"], local(r["url"]), [local(u) for u in r["urls"]]) for r in t["references"]
        ]
        notes = [r["text"] for r in p["references"] if r["kind"] == "footnote"]
        fields["footnotes"] += notes == [f["text"] for f in t["footnotes"]]
        text = re.sub(r"\s+", " ", p["body"]["text"]).strip()
        ratio = difflib.SequenceMatcher(
            None, text, t["body_text_normalized"], autojunk=False
        ).ratio()
        ratios.append(ratio)
        fields["body>=0.95"] += ratio >= 0.95
        fields["body==1.0"] += ratio == 1.0
    n = len(truth["posts"])
    extra = len(posts) - fields["found"]
    print(
        f"posts archived: {len(posts)} (expected {n}, found {fields['found']}, unexpected {extra})"
    )
    print(f"crawl time: {seconds:.1f} s")
    print(f"{'field':<12} {'correct':>8}")
    for name, count in fields.items():
        print(f"{name:<12} {count:>5}/{n}")
    print(f"body similarity: min {min(ratios):.4f}, mean {sum(ratios) / len(ratios):.4f}")
    if args.json:
        args.json.write_text(json.dumps({"fields": fields, "n": n, "ratios": ratios}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
