"""Reading what a crawl wrote: the ``posts.jsonl`` files of an output folder, latest versions first.

``posts.jsonl`` is append-only: a post archived again (changed, or by a later crawl) gets a new
line. Readers that want one row per post keep the last line of each URL.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

POSTS_FILE = "posts.jsonl"


def find_posts_files(directory: Path) -> list[Path]:
    """``posts.jsonl`` of a site's folder, or of every site folder in an output folder."""
    if (directory / POSTS_FILE).is_file():
        return [directory / POSTS_FILE]
    return sorted(p for p in directory.rglob(POSTS_FILE) if p.is_file())


def _lines(path: Path, problems: list[str]) -> Iterator[tuple[int, dict[str, Any]]]:
    with path.open("rb") as fh:
        for lineno, raw in enumerate(fh, 1):
            if not raw.strip():
                continue
            try:
                post = json.loads(raw)
            except ValueError as exc:
                problems.append(f"{path}:{lineno}: not a JSON line ({exc.msg}), skipped")
                continue
            if not isinstance(post, dict) or not isinstance(post.get("url"), str):
                problems.append(f"{path}:{lineno}: not a post (no url), skipped")
                continue
            yield lineno, post


def iter_posts(
    path: Path, all_versions: bool = False, problems: list[str] | None = None
) -> Iterator[dict[str, Any]]:
    """The posts of one ``posts.jsonl``: the last version of each URL (in the order those were
    written), or every line with ``all_versions``. Lines that are not posts are skipped and
    described in ``problems``."""
    problems = problems if problems is not None else []
    if all_versions:
        for _, post in _lines(path, problems):
            yield post
        return
    last: dict[str, int] = {}
    for lineno, post in _lines(path, []):  # first pass: where is each URL's last version?
        last[post["url"]] = lineno
    keep = set(last.values())
    for lineno, post in _lines(path, problems):
        if lineno in keep:
            yield post
