"""Body-text quality on the readability-blogs development set (token 4-gram F1)."""

from __future__ import annotations

from archiver.extract import NotAPost, extract_post
from tests.conftest_extract import READABILITY_URL, html_to_text, ngram_prf, readability_pages

# Measured mean F1 of body.text against Readability.js's expected.html: 0.990 (captions are
# excluded from our body text by contract but kept by Readability, which costs ~0.01). Pinned a
# little below so that small generic changes don't trip it, while a regression does.
MEAN_F1_FLOOR = 0.98
# No single page may collapse (wrong content root): the worst page measured 0.90.
PAGE_F1_FLOOR = 0.85


def test_readability_blogs_mean_f1(capsys):
    scores = {}
    for folder in readability_pages():
        expected = html_to_text((folder / "expected.html").read_text(encoding="utf-8"))
        try:
            got = extract_post((folder / "source.html").read_bytes(), READABILITY_URL).body.text
        except NotAPost:
            got = ""
        scores[folder.name] = ngram_prf(got, expected)
    with capsys.disabled():
        print()
        for name, (p, r, f) in scores.items():
            print(f"  {name:30s} P={p:.3f} R={r:.3f} F1={f:.3f}")
        mean = sum(f for _, _, f in scores.values()) / len(scores)
        print(f"  mean F1 = {mean:.4f} over {len(scores)} pages")
    assert len(scores) == 25
    assert mean >= MEAN_F1_FLOOR
    assert min(f for _, _, f in scores.values()) >= PAGE_F1_FLOOR
