"""Helpers shared by the extractor tests: fixture locations and the dev-set text score."""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from urllib.parse import urlsplit

from archiver.extract.scoring import html_to_text, ngram_prf  # noqa: F401 (re-exported)

# The shared fixtures live next to the checkout (../shared/fixtures), as for tests/conftest.py.
FIXTURES = Path(__file__).resolve().parents[2] / "shared" / "fixtures"
WORDPRESS = FIXTURES / "wordpress"
READABILITY = FIXTURES / "readability-blogs"
# Readability's tests parse every page as if it came from this URL.
READABILITY_URL = "http://fakehost/test/page.html"


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


def readability_pages() -> list[Path]:
    """The dev-set page folders."""
    return sorted(p for p in READABILITY.iterdir() if (p / "source.html").is_file())
