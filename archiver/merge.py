"""``archiver merge DIR... [--output OUT]``: the workers' outputs of a shared crawl, made one.

Workers of a shared crawl (``archiver.distributed``) each write their own ``posts-<worker>.jsonl``
and WARC files in every blog's folder. Merging, per blog folder (``<host>``):

1. the WARC files, manifests and per-post files of the other DIRs are copied into OUT's folder
   (WARC names carry the worker id, so provenance, a name relative to ``warc/``, stays true);
2. every post line of ``posts-*.jsonl`` (and of the other DIRs' ``posts.jsonl``) that
   ``posts.jsonl`` lacks is appended to it, each post version once: a line whose URL and content
   digest are already there is left out (a request redone after a worker died), and of posts
   sharing one canonical URL only the one fetched under that URL is kept, as a single crawl's
   dedupe does. New lines go in the order they were fetched; lines are copied as written;
3. ``index.cdxj`` is rewritten over all the folder's WARC files, and ``report.html`` too.

It can run again at any time: what is merged already is not added twice. The per-worker files are
kept. The folder's lock (``.crawl.lock``) is held meanwhile, so a single crawl cannot interleave.
"""

from __future__ import annotations

import argparse
import fcntl
import json
import logging
import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from archiver.console import UserError
from archiver.discovery import canonicalize
from archiver.output import JsonLinesAppender
from archiver.postsfile import iter_posts

logger = logging.getLogger(__name__)

POSTS = "posts.jsonl"
WORKER_POSTS = "posts-*.jsonl"


@dataclass
class MergeResult:
    """What merging one blog folder did."""

    site: Path
    added: int = 0
    total: int = 0
    left_out: int = 0
    copied: int = 0
    index_lines: int = 0
    problems: list[str] = field(default_factory=list)


def is_site_folder(path: Path) -> bool:
    return path.is_dir() and (
        (path / "warc").is_dir() or (path / POSTS).exists() or any(path.glob(WORKER_POSTS))
    )


def site_folders(directory: Path) -> list[Path]:
    """The blog folders of an output folder, or the folder itself when it is one."""
    if is_site_folder(directory):
        return [directory]
    if not directory.is_dir():
        return []
    return sorted(p for p in directory.iterdir() if is_site_folder(p))


@contextmanager
def folder_lock(site: Path) -> Iterator[None]:
    """The blog folder's crawl lock, or UserError when a single crawl holds it."""
    site.mkdir(parents=True, exist_ok=True)
    with open(site / ".crawl.lock", "a+") as lock:
        try:
            fcntl.flock(lock.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise UserError(f"another crawl is writing to {site}: merge when it is done") from None
        try:
            yield
        finally:
            fcntl.flock(lock.fileno(), fcntl.LOCK_UN)


def read_lines(path: Path, problems: list[str]) -> list[dict[str, Any]]:
    """Every post line of a JSON Lines file (``postsfile.iter_posts``, all versions); a line that
    is not a post, such as one cut by a killed worker, is named in ``problems``."""
    if not path.exists():
        return []
    return list(iter_posts(path, all_versions=True, problems=problems))


def canonical_key(post: dict[str, Any]) -> str:
    return canonicalize(post.get("canonical_url") or post["url"])


def _fetched_at(post: dict[str, Any]) -> str:
    return str((post.get("provenance") or {}).get("fetched_at") or "")


def select_new(
    existing: list[dict[str, Any]], candidates: list[dict[str, Any]]
) -> tuple[list[dict[str, Any]], int]:
    """The candidate lines to append (in fetch order), and how many were left out."""
    seen = {(p["url"], p.get("content_digest")) for p in existing}
    holder: dict[str, str] = {}
    for post in existing:
        holder.setdefault(canonical_key(post), post["url"])
    # The post fetched under its canonical URL first, then in fetch order.
    ordered = sorted(
        candidates, key=lambda p: (p["url"] != canonical_key(p), _fetched_at(p), p["url"])
    )
    chosen, left_out = [], 0
    for post in ordered:
        ident = (post["url"], post.get("content_digest"))
        if holder.setdefault(canonical_key(post), post["url"]) != post["url"] or ident in seen:
            left_out += 1
            continue
        seen.add(ident)
        chosen.append(post)
    chosen.sort(key=lambda p: (_fetched_at(p), p["url"]))
    return chosen, left_out


def _copy(source: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.link(source, target)  # same file system: no second copy of a large WARC
    except OSError:
        shutil.copy2(source, target)


def copy_files(extra: Path, target: Path, result: MergeResult) -> None:
    """WARC files, manifests and per-post files of another folder of the same blog."""
    for warc in sorted((extra / "warc").glob("*.warc.gz")):
        dest = target / "warc" / warc.name
        if not dest.exists():
            _copy(warc, dest)
            result.copied += 1
        elif dest.stat().st_size != warc.stat().st_size:
            result.problems.append(f"{warc}: a different file of that name is in {dest.parent}")
    for manifest in sorted(extra.glob("crawl-*.json")):
        if not (target / manifest.name).exists():
            _copy(manifest, target / manifest.name)
    for post_file in sorted((extra / "posts").rglob("*.json")):
        dest = target / post_file.relative_to(extra)
        if not dest.exists() or _newer(post_file, dest):
            if dest.exists():
                dest.unlink()
            _copy(post_file, dest)


def _newer(a: Path, b: Path) -> bool:
    """True when post file ``a`` holds a later capture than ``b``."""
    try:
        first, second = (json.loads(p.read_text("utf-8")) for p in (a, b))
    except (OSError, ValueError):
        return False
    return _fetched_at(first) > _fetched_at(second)


def merge_site(target: Path, extras: list[Path]) -> MergeResult:
    """Merge one blog folder (and the same blog's folders in other DIRs) into ``target``."""
    from archiver.cdxj import write_site_index

    result = MergeResult(site=target)
    with folder_lock(target):
        for extra in extras:
            copy_files(extra, target, result)
        existing = read_lines(target / POSTS, result.problems)
        candidates = []
        for folder in [target, *extras]:
            sources = sorted(folder.glob(WORKER_POSTS))
            if folder is not target:
                sources.insert(0, folder / POSTS)
            for path in sources:
                candidates.extend(read_lines(path, result.problems))
        new, result.left_out = select_new(existing, candidates)
        if new or not (target / POSTS).exists():
            appender = JsonLinesAppender(target / POSTS)
            try:
                for post in new:
                    appender.append(post)
            finally:
                appender.close()
        result.added = len(new)
        result.total = len(existing) + len(new)
        if any((target / "warc").glob("*.warc.gz")):
            _path, result.index_lines, problems = write_site_index(target)
            result.problems.extend(problems)
    return result


def merge_outputs(directories: list[Path], output: Path, report: bool = True) -> list[MergeResult]:
    """Merge every blog folder found in ``directories`` into ``output/<host>``."""
    by_host: dict[str, list[Path]] = {}
    for directory in directories:
        for site in site_folders(directory):
            by_host.setdefault(site.name, []).append(site)
    results = []
    for host, sites in sorted(by_host.items()):
        target = output if is_site_folder(output) and output.name == host else output / host
        extras = [s for s in sites if s.resolve() != target.resolve()]
        results.append(merge_site(target, extras))
    if report and results:
        from archiver.report import write_reports

        try:
            write_reports(output, "")
        except Exception:  # the report is a convenience: the merge itself is done
            logger.warning("report.html could not be written in %s", output, exc_info=True)
    return results


def print_merge_summary(results: list[MergeResult]) -> None:
    for r in results:
        print(
            f"Merged {r.site}: {r.added} new post lines ({r.total} in posts.jsonl; "
            f"{r.left_out} already there or duplicates), {r.copied} files copied, "
            f"index.cdxj {r.index_lines} lines",
            flush=True,
        )
        for problem in r.problems:
            print(f"warning: {problem}")


def cmd_merge(args: argparse.Namespace) -> int:
    for directory in args.directories:
        if not directory.is_dir():
            raise UserError(f"{directory} is not a folder: give archiver output folders")
    output = args.output or args.directories[0]
    results = merge_outputs(list(args.directories), output, report=not args.no_report)
    if not results:
        raise UserError(
            "no blog folder (with warc/ or posts*.jsonl) in "
            + ", ".join(str(d) for d in args.directories)
        )
    print_merge_summary(results)
    return 0
