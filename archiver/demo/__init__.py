"""A small bundled WordPress-like demo blog and a local server for it.

``site/`` is committed output of ``build_site.py`` (texts in ``content.py``); ``expected.json``
lists what an archive of the site should contain; ``server.serve_site`` serves it locally.
"""

from __future__ import annotations

from pathlib import Path

DEMO_DIR = Path(__file__).resolve().parent
SITE_DIR = DEMO_DIR / "site"
EXPECTED_PATH = DEMO_DIR / "expected.json"
ORIGIN_PLACEHOLDER = "http://demo.blog-archiver.invalid"

__all__ = ["DEMO_DIR", "EXPECTED_PATH", "ORIGIN_PLACEHOLDER", "SITE_DIR"]
