"""Quality gate: extraction scores on the shared fixtures may not drop below pinned floors.

The same metrics as ``benchmarks/extraction.py`` (which prints them beside trafilatura's and
readability-lxml's): body text 4-gram P/R/F1 per page (mean over pages), captions by exact
text (micro-averaged), reference and footnote URLs by exact string. Floors sit a little under
the measured values (in comments) so that a change which hurts extraction cannot land, while an
unrelated change does not trip them.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from archiver.extract import NotAPost, extract_post, merge_pages
from archiver.extract.scoring import caption_texts, matches
from archiver.extract.text import collapse
from tests.conftest_extract import (
    READABILITY_URL,
    html_to_text,
    ngram_prf,
    readability_pages,
    wordpress_page,
    wordpress_truth,
)

ADJUDICATED = Path(__file__).resolve().parents[1] / "benchmarks" / "readability_captions.json"

# readability-blogs (25 pages). Measured: mean F1 0.990 (captions are kept apart from our body
# text by contract while Readability keeps them, which costs ~0.003); worst page 0.902.
MEAN_F1_FLOOR = 0.985
PAGE_F1_FLOOR = 0.85
# Measured 1.000 / 1.000 (44 captions: 35 figcaptions of expected.html + 9 checked by hand).
CAPTION_PRECISION_FLOOR = 0.95
CAPTION_RECALL_FLOOR = 0.95
# WordPress fixture (16 posts). Measured: F1 1.000, captions 1.000/1.000 (10), URLs 1.000 (7).
WORDPRESS_F1_FLOOR = 0.995
URL_RECALL_FLOOR = 0.98


@pytest.fixture(scope="module")
def readability_results() -> dict:
    extra = json.loads(ADJUDICATED.read_text(encoding="utf-8"))["extra_captions"]
    results = {}
    for folder in readability_pages():
        expected_html = (folder / "expected.html").read_text(encoding="utf-8")
        try:
            post = extract_post((folder / "source.html").read_bytes(), READABILITY_URL)
            text, captions = post.body.text, [c.text for c in post.captions]
        except NotAPost:
            text, captions = "", []
        results[folder.name] = {
            "prf": ngram_prf(text, html_to_text(expected_html)),
            "captions": captions,
            "expected_captions": caption_texts(expected_html) + extra.get(folder.name, []),
        }
    return results


def test_readability_blogs_body_f1(readability_results, capsys):
    scores = {name: r["prf"] for name, r in readability_results.items()}
    mean = sum(f for _, _, f in scores.values()) / len(scores)
    with capsys.disabled():
        print()
        for name, (p, r, f) in scores.items():
            print(f"  {name:30s} P={p:.3f} R={r:.3f} F1={f:.3f}")
        print(f"  mean F1 = {mean:.4f} over {len(scores)} pages")
    assert len(scores) == 25
    assert mean >= MEAN_F1_FLOOR
    assert min(f for _, _, f in scores.values()) >= PAGE_F1_FLOOR


def test_readability_blogs_captions(readability_results):
    matched = predicted = expected = 0
    for r in readability_results.values():
        m, p, e = matches(
            [collapse(c) for c in r["captions"]], [collapse(c) for c in r["expected_captions"]]
        )
        matched, predicted, expected = matched + m, predicted + p, expected + e
    assert expected == 44
    assert matched / predicted >= CAPTION_PRECISION_FLOOR
    assert matched / expected >= CAPTION_RECALL_FLOOR


def test_wordpress_fixture_scores():
    f1s = []
    captions = [0, 0, 0]
    urls_found = urls_expected = 0
    for truth in wordpress_truth()["posts"]:
        parts = [extract_post(wordpress_page(u), u) for u in truth["page_urls"]]
        post = merge_pages(parts) if len(parts) > 1 else parts[0]
        f1s.append(ngram_prf(post.body.text, truth["body_text"])[2])
        for i, n in enumerate(matches([c.text for c in post.captions], truth["captions"])):
            captions[i] += n
        ours = {u for r in post.references for u in r.urls}
        wanted = [u for r in truth["references"] + truth["footnotes"] for u in r["urls"]]
        urls_found += sum(1 for u in wanted if u in ours)
        urls_expected += len(wanted)
    assert sum(f1s) / len(f1s) >= WORDPRESS_F1_FLOOR
    assert captions[0] / captions[1] >= CAPTION_PRECISION_FLOOR
    assert captions[0] / captions[2] >= CAPTION_RECALL_FLOOR
    assert urls_expected == 7
    assert urls_found / urls_expected >= URL_RECALL_FLOOR
