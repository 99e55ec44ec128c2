"""Extraction quality and speed, ours side by side with trafilatura and readability-lxml.

    python3 benchmarks/extraction.py [--fixtures ../shared/fixtures] [--repeat 5] [--json FILE]

Datasets: ``readability-blogs`` (25 blog pages; reference = Readability.js's expected.html as
text) and ``wordpress`` (the recorded WordPress site; reference = truth.json's body_text,
captions, references and footnotes; a multi-page post is scored once, its pages' texts joined).

Metrics, per extractor and dataset:
- body P/R/F1: 4-gram shingles of lower-cased ``\\w+`` tokens (the Zyte article-extraction
  benchmark's metric), per page or post, then the mean over pages (``archiver.extract.scoring``);
- caption P/R: exact whitespace-collapsed caption texts, micro-averaged; n/a for the peers,
  which output no caption field;
- ref URL recall: the reference and footnote URLs of truth.json found, as exact strings, among
  the extractor's URLs: our ``references[].urls``; for the peers, every link of their output
  in a second, untimed run with links on (trafilatura XML ``<ref target>``, readability-lxml
  ``<a href>``): they have no reference field;
- time: CPU time of this process (``time.process_time``: one core, unaffected by what else the
  machine runs); each page is extracted ``--repeat`` times, single-threaded, and its time is the
  fastest run (timeit's convention); reported as mean, median, p95 and max ms per page, and
  pages/s = 1000 / mean (pages one core extracts per second).

Peers: trafilatura ``bare_extraction(html, url=..., with_metadata=True)`` with its defaults, and
with ``fast=True``; readability-lxml ``Document(html, url=...).summary(html_partial=True)`` plus
``title()``. Every extractor is given the page's raw bytes.
"ours, generic only" is ours without any platform or class-name content selector: the
Readability-style scoring that markup we do not know gets (``extract_post(..., generic=True)``).
Ours also gets "ours+captions" on readability-blogs: body text with the captions put back at
their positions, since Readability's reference keeps figure captions and ours keeps them apart.

Site-level boilerplate: on the WordPress fixture, each extractor's texts feed a
``BoilerplateModel`` (``archiver.extract.boilerplate``), which then strips them; body F1 before
and after. Also on a synthetic variant where a plugin with unknown classes prints the same two
blocks into every post (``inject_plugin``): what page-by-page heuristics miss.
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from archiver.extract import STAGES, ExtractionError, extract_post, merge_pages  # noqa: E402
from archiver.extract.boilerplate import BoilerplateModel  # noqa: E402
from archiver.extract.scoring import (  # noqa: E402
    caption_texts,
    html_to_text,
    matches,
    ngram_prf,
    with_captions,
)
from archiver.extract.text import collapse  # noqa: E402

READABILITY_URL = "http://fakehost/test/page.html"
ADJUDICATED_CAPTIONS = Path(__file__).with_name("readability_captions.json")
# CPU time of this process: what a page costs on one core, whatever else the machine runs.
CLOCK = time.process_time


@dataclass
class Case:
    """One scored unit: a page (or a multi-page post) with its expected outputs."""

    name: str
    pages: list[tuple[str, bytes]]
    text: str
    captions: list[str] | None
    ref_urls: list[str] | None
    strict_captions: list[str] | None = None
    """Readability-blogs only: expected.html's figcaptions alone (``captions`` adds the
    hand-checked ones of ``readability_captions.json``)."""


@dataclass
class Output:
    """What an extractor gave for one case."""

    text: str = ""
    captions: list[str] | None = None
    caption_positions: list[int | None] = field(default_factory=list)
    urls: list[str] | None = None
    seconds: list[float] = field(default_factory=list)
    stages: dict[str, float] = field(default_factory=dict)


def readability_cases(folder: Path) -> list[Case]:
    extra = json.loads(ADJUDICATED_CAPTIONS.read_text(encoding="utf-8"))["extra_captions"]
    cases = []
    for page in sorted(p for p in folder.iterdir() if (p / "source.html").is_file()):
        expected = (page / "expected.html").read_text(encoding="utf-8")
        strict = caption_texts(expected)
        cases.append(
            Case(
                name=page.name,
                pages=[(READABILITY_URL, (page / "source.html").read_bytes())],
                text=html_to_text(expected),
                captions=strict + extra.get(page.name, []),
                ref_urls=None,
                strict_captions=strict,
            )
        )
    return cases


def wordpress_cases(folder: Path) -> list[Case]:
    truth = json.loads((folder / "truth.json").read_text(encoding="utf-8"))
    index = json.loads((folder / "index.json").read_text(encoding="utf-8"))["entries"]
    cases = []
    for post in truth["posts"]:
        pages = []
        for url in post["page_urls"]:
            parts = urlsplit(url)
            key = parts.path + (f"?{parts.query}" if parts.query else "")
            pages.append((url, (folder / index[key]["file"]).read_bytes()))
        urls = [u for r in post["references"] + post["footnotes"] for u in r["urls"]]
        cases.append(
            Case(
                name=post["slug"][:40],
                pages=pages,
                text=post["body_text"],
                captions=post["captions"],
                ref_urls=urls,
            )
        )
    return cases


# --- Extractors -----------------------------------------------------------------------------------


def _timed(fn: Callable[[], Any], repeat: int) -> tuple[Any, float]:
    best, result = float("inf"), None
    for _ in range(repeat):
        started = CLOCK()
        result = fn()
        best = min(best, CLOCK() - started)
    return result, best


def run_ours(case: Case, repeat: int, generic: bool = False) -> Output:
    out = Output(captions=[], urls=[])
    parts = []
    for url, data in case.pages:
        best_stages: dict[str, float] = {}
        best_total = float("inf")
        post = None
        for _ in range(repeat):
            stages: dict[str, float] = {}
            started = CLOCK()
            try:
                post = extract_post(data, url, timings=stages, clock=CLOCK, generic=generic)
            except ExtractionError:
                post = None
            total = CLOCK() - started
            if total < best_total:
                best_total, best_stages = total, stages
        out.seconds.append(best_total)
        for stage, seconds in best_stages.items():
            out.stages[stage] = out.stages.get(stage, 0.0) + seconds
        if post is not None:
            parts.append(post)
    if parts:
        post = merge_pages(parts) if len(parts) > 1 else parts[0]
        out.text = post.body.text
        out.captions = [c.text for c in post.captions]
        out.caption_positions = [c.position for c in post.captions]
        out.urls = [u for r in post.references for u in r.urls]
    return out


def _trafilatura(fast: bool) -> Callable[[Case, int], Output]:
    import trafilatura

    def run(case: Case, repeat: int) -> Output:
        out = Output(urls=[])
        texts = []
        for url, data in case.pages:
            doc, seconds = _timed(
                lambda data=data, url=url: trafilatura.bare_extraction(
                    data, url=url, with_metadata=True, fast=fast
                ),
                repeat,
            )
            out.seconds.append(seconds)
            texts.append((doc.text if doc is not None else "") or "")
            xml = trafilatura.extract(
                data, url=url, output_format="xml", include_links=True, fast=fast
            )
            if xml:
                from lxml import etree

                tree = etree.fromstring(xml.encode("utf-8"))
                out.urls.extend(ref.get("target") for ref in tree.iter("ref") if ref.get("target"))
        out.text = "\n\n".join(t for t in texts if t)
        return out

    return run


def run_readability(case: Case, repeat: int) -> Output:
    import lxml.html
    from readability import Document

    out = Output(urls=[])
    texts = []
    for url, data in case.pages:

        def extract(data: bytes = data, url: str = url) -> tuple[str, str]:
            doc = Document(data, url=url)
            return doc.summary(html_partial=True), doc.title()

        (summary, _title), seconds = _timed(extract, repeat)
        out.seconds.append(seconds)
        texts.append(html_to_text(summary))
        if summary.strip():
            out.urls.extend(a.get("href") for a in lxml.html.fromstring(summary).iter("a"))
    out.text = "\n\n".join(t for t in texts if t)
    return out


# --- Site-level boilerplate ------------------------------------------------------------------------

PLUGIN_TOP = '<p class="xq-ribbon">Reading time: a few minutes.</p>'
PLUGIN_INNER = (
    '<div class="xq-box"><p>Enjoyed this post? Buy me a coffee and get the newsletter every'
    " Sunday morning.</p></div>"
)
_CONTENT_OPEN_RE = re.compile(rb'<div class="[^"]*wp-block-post-content[^"]*">')


def inject_plugin(case: Case) -> Case:
    """The case with a plugin's blocks (unknown classes) printed into every page's content:
    a reading-time line first, a "buy me a coffee" box after the first paragraph."""
    pages = []
    for url, data in case.pages:
        start = _CONTENT_OPEN_RE.search(data)
        if start is None:
            pages.append((url, data))
            continue
        first_p = data.index(b"</p>", start.end()) + 4
        data = (
            data[: start.end()]
            + PLUGIN_TOP.encode()
            + data[start.end() : first_p]
            + PLUGIN_INNER.encode()
            + data[first_p:]
        )
        pages.append((url, data))
    return Case(case.name, pages, case.text, case.captions, case.ref_urls)


def _blocks(text: str, name: str) -> str:
    """Peers separate paragraphs by one newline; the model reads blank-line-separated blocks."""
    if name.startswith("ours"):
        return text
    return "\n\n".join(line for line in text.splitlines() if line.strip())


def boilerplate_gain(cases: list[Case], outputs: list[Output], name: str) -> dict:
    """Mean body F1 before and after a BoilerplateModel fed with all of the site's outputs."""
    texts = [_blocks(o.text, name) for o in outputs]
    model = BoilerplateModel()
    for text in texts:
        model.add(text)
    after = [model.strip_text(t) for t in texts]
    return {
        "F1_before": statistics.mean(
            ngram_prf(t, c.text)[2] for t, c in zip(texts, cases, strict=True)
        ),
        "F1_after": statistics.mean(
            ngram_prf(t, c.text)[2] for t, c in zip(after, cases, strict=True)
        ),
        "blocks_stripped": sum(len(model.boilerplate_blocks(t)) for t in texts),
    }


# --- Scoring and report ---------------------------------------------------------------------------


def score(cases: list[Case], outputs: list[Output], captions_in_text: bool = False) -> dict:
    prf = []
    cap = [0, 0, 0]
    strict = [0, 0, 0]
    urls = [0, 0]
    seconds = [s for o in outputs for s in o.seconds]
    for case, out in zip(cases, outputs, strict=True):
        text = out.text
        if captions_in_text and out.captions:
            text = with_captions(text, zip(out.caption_positions, out.captions, strict=True))
        prf.append(ngram_prf(text, case.text))
        if out.captions is not None and case.captions is not None:
            got = [collapse(c) for c in out.captions]
            for i, n in enumerate(matches(got, [collapse(c) for c in case.captions])):
                cap[i] += n
            reference = case.strict_captions if case.strict_captions is not None else case.captions
            for i, n in enumerate(matches(got, [collapse(c) for c in reference])):
                strict[i] += n
        if out.urls is not None and case.ref_urls:
            wanted = set(out.urls)
            urls[0] += sum(1 for u in case.ref_urls if u in wanted)
            urls[1] += len(case.ref_urls)
    ms = sorted(s * 1000 for s in seconds)
    return {
        "pages": len(seconds),
        "P": statistics.mean(p for p, _, _ in prf),
        "R": statistics.mean(r for _, r, _ in prf),
        "F1": statistics.mean(f for _, _, f in prf),
        "caption_P": cap[0] / cap[1] if cap[1] else None,
        "caption_R": cap[0] / cap[2] if cap[2] else None,
        "captions_expected": cap[2],
        "caption_P_strict": strict[0] / strict[1] if strict[1] else None,
        "caption_R_strict": strict[0] / strict[2] if strict[2] else None,
        "ref_url_recall": urls[0] / urls[1] if urls[1] else None,
        "ref_urls_expected": urls[1],
        "ms_mean": statistics.mean(ms),
        "ms_median": statistics.median(ms),
        "ms_p95": ms[min(len(ms) - 1, round(0.95 * (len(ms) - 1)))],
        "ms_max": ms[-1],
        "pages_per_s": 1000 / statistics.mean(ms),
        "per_case_F1": {c.name: round(f, 4) for c, (_, _, f) in zip(cases, prf, strict=True)},
    }


def _fmt(value: float | None, pattern: str = "{:.3f}") -> str:
    return "n/a" if value is None else pattern.format(value)


def print_table(
    results: dict[str, dict[str, dict]],
    stages: dict[str, dict[str, float]],
    boilerplate: dict[str, dict],
) -> None:
    header = (
        f"{'dataset':18s} {'extractor':20s} {'pages':>5s} {'P':>6s} {'R':>6s} {'F1':>6s} "
        f"{'capP':>6s} {'capR':>6s} {'refURL':>6s} {'ms mean':>8s} {'median':>7s} {'p95':>7s} "
        f"{'max':>7s} {'pages/s':>8s}"
    )
    print(header)
    print("-" * len(header))
    for dataset, by_extractor in results.items():
        for name, r in by_extractor.items():
            print(
                f"{dataset:18s} {name:20s} {r['pages']:5d} {r['P']:6.3f} {r['R']:6.3f} "
                f"{r['F1']:6.3f} {_fmt(r['caption_P']):>6s} {_fmt(r['caption_R']):>6s} "
                f"{_fmt(r['ref_url_recall']):>6s} {r['ms_mean']:8.2f} {r['ms_median']:7.2f} "
                f"{r['ms_p95']:7.2f} {r['ms_max']:7.2f} {r['pages_per_s']:8.1f}"
            )
    ours = results.get("readability-blogs", {}).get("ours")
    if ours and ours["caption_P_strict"] is not None:
        print(
            "capP/capR on readability-blogs: expected.html's figcaptions plus the captions checked"
            " by hand in benchmarks/readability_captions.json; against the figcaptions alone, ours:"
            f" P={ours['caption_P_strict']:.3f} R={ours['caption_R_strict']:.3f}"
        )
    print()
    for dataset, per_stage in stages.items():
        total = sum(per_stage.values())
        parts = ", ".join(f"{s} {per_stage.get(s, 0.0):.2f}" for s in STAGES)
        print(f"ours, ms per page by stage ({dataset}): {parts} (sum {total:.2f})")
    print()
    for dataset, by_extractor in results.items():
        ours = by_extractor.get("ours")
        if not ours:
            continue
        for name, r in by_extractor.items():
            if name.startswith("ours"):
                continue
            print(
                f"{dataset}: ours vs {name}: {ours['pages_per_s'] / r['pages_per_s']:.2f}x pages/s, "
                f"F1 {ours['F1'] - r['F1']:+.3f}"
            )
    if boilerplate:
        print()
        print(
            "site-level boilerplate (BoilerplateModel fed with all posts of the WordPress fixture):"
        )
        for name, row in boilerplate.items():
            print(
                f"  {name:34s} body F1 {row['F1_before']:.3f} -> {row['F1_after']:.3f}"
                f" ({row['blocks_stripped']} blocks stripped)"
            )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--fixtures", type=Path, default=ROOT.parent / "shared" / "fixtures")
    parser.add_argument("--repeat", type=int, default=5, help="runs per page (fastest counts)")
    parser.add_argument("--json", type=Path, help="also write the results to this file")
    parser.add_argument("--ours-only", action="store_true", help="skip the peers")
    args = parser.parse_args(argv)

    datasets = {
        "readability-blogs": readability_cases(args.fixtures / "readability-blogs"),
        "wordpress": wordpress_cases(args.fixtures / "wordpress"),
    }
    extractors: dict[str, Callable[[Case, int], Output]] = {
        "ours": run_ours,
        "ours, generic only": lambda case, repeat: run_ours(case, repeat, generic=True),
    }
    if not args.ours_only:
        extractors["trafilatura"] = _trafilatura(fast=False)
        extractors["trafilatura fast"] = _trafilatura(fast=True)
        extractors["readability-lxml"] = run_readability
    results: dict[str, dict[str, dict]] = {}
    stages: dict[str, dict[str, float]] = {}
    boilerplate: dict[str, dict] = {}
    for dataset, cases in datasets.items():
        results[dataset] = {}
        for name, run in extractors.items():
            outputs = [run(case, args.repeat) for case in cases]
            results[dataset][name] = score(cases, outputs)
            if dataset == "wordpress" and name != "ours, generic only":
                boilerplate[name] = boilerplate_gain(cases, outputs, name)
                injected = [inject_plugin(case) for case in cases]
                boilerplate[f"{name} + plugin blocks (synthetic)"] = boilerplate_gain(
                    injected, [run(case, 1) for case in injected], name
                )
            if name == "ours":
                pages = sum(len(o.seconds) for o in outputs)
                stages[dataset] = {
                    s: 1000 * sum(o.stages.get(s, 0.0) for o in outputs) / pages for s in STAGES
                }
                if dataset == "readability-blogs":
                    with_caps = score(cases, outputs, captions_in_text=True)
                    results[dataset]["ours+captions"] = with_caps
    print_table(results, stages, boilerplate)
    if args.json:
        payload = {"results": results, "stages_ms": stages, "boilerplate": boilerplate}
        args.json.write_text(json.dumps(payload, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
