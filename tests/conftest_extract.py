"""Helpers shared by the extractor tests: fixture locations and the dev-set text score."""

from __future__ import annotations

import json
import re
from collections import Counter
from functools import lru_cache
from pathlib import Path
from urllib.parse import urlsplit

import lxml.html

from archiver.extract.text import block_text

FIXTURES = Path("/work/shared/fixtures")
WORDPRESS = FIXTURES / "wordpress"
READABILITY = FIXTURES / "readability-blogs"
# Readability's tests parse every page as if it came from this URL.
READABILITY_URL = "http://fakehost/test/page.html"
NGRAM = 4
_TOKEN_RE = re.compile(r"\w+")


@lru_cache(maxsize=1)
def wordpress_truth() -> dict:
    """The WordPress fixture's truth.json."""
    return json.loads((WORDPRESS / "truth.json").read_text(encoding="utf-8"))


@lru_cache(maxsize=1)
def wordpress_index() -> dict:
    """The WordPress fixture's URL path -> entry map."""
    return json.loads((WORDPRESS / "index.json").read_text(encoding="utf-8"))["entries"]


def wordpress_page(url: str) -> bytes:
    """Recorded bytes of a fixture URL."""
    parts = urlsplit(url)
    key = parts.path + (f"?{parts.query}" if parts.query else "")
    return (WORDPRESS / wordpress_index()[key]["file"]).read_bytes()


def html_to_text(html: str) -> str:
    """Plain text of an HTML fragment, a line break at every block element."""
    return block_text(lxml.html.fromstring(html))


def _ngrams(text: str) -> Counter:
    tokens = _TOKEN_RE.findall(text.lower())
    return Counter(tuple(tokens[i : i + NGRAM]) for i in range(max(len(tokens) - NGRAM + 1, 0)))


def ngram_prf(predicted: str, expected: str) -> tuple[float, float, float]:
    """Precision, recall, F1 over multisets of token 4-grams (Zyte benchmark style)."""
    pred, gold = _ngrams(predicted), _ngrams(expected)
    if not pred and not gold:
        return 1.0, 1.0, 1.0
    overlap = sum((pred & gold).values())
    precision = overlap / sum(pred.values()) if pred else 0.0
    recall = overlap / sum(gold.values()) if gold else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def readability_pages() -> list[Path]:
    """The dev-set page folders."""
    return sorted(p for p in READABILITY.iterdir() if (p / "source.html").is_file())
