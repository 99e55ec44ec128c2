"""``archiver verify DIR``: is an output folder whole and self-consistent?

Checks every WARC file record by record (digests, as ``warcio check`` does, and that each HTTP
``Content-Length`` agrees with the stored body, which ``warcio check`` does not), every line of
every ``posts.jsonl`` against the JSON Schema, and that each post's provenance leads to the
response record it names.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import jsonschema
from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed

from archiver.pipelines import load_schema


def check_warc(path: Path) -> tuple[Counter[str], list[str]]:
    """Record counts by type and the problems found in one WARC file."""
    counts: Counter[str] = Counter()
    problems: list[str] = []
    try:
        with path.open("rb") as fh:
            it = ArchiveIterator(fh, check_digests=True)
            for record in it:
                rtype = record.rec_type
                counts[rtype] += 1
                body = record.raw_stream.read()  # as stored: still content-encoded
                where = f"{path.name} @{it.get_record_offset()} ({rtype})"
                if record.digest_checker.passed is False:
                    problems.append(f"{where}: digest mismatch {record.digest_checker.problems}")
                if rtype == "response" and record.http_headers is not None:
                    declared = record.http_headers.get_header("Content-Length")
                    if (
                        declared is not None
                        and declared.strip().isdigit()
                        and int(declared) != len(body)
                    ):
                        problems.append(f"{where}: Content-Length {declared} != body {len(body)}")
    except ArchiveLoadFailed as exc:
        problems.append(f"{path.name}: unreadable: {exc}")
    return counts, problems


def find_record(warc: Path, offset: int) -> tuple[str | None, str | None, str | None]:
    """(record id, type, target URI) of the record starting at ``offset``."""
    with warc.open("rb") as fh:
        fh.seek(offset)
        for record in ArchiveIterator(fh):
            return (
                record.rec_headers.get_header("WARC-Record-ID"),
                record.rec_type,
                record.rec_headers.get_header("WARC-Target-URI"),
            )
    return None, None, None


def check_posts(jsonl: Path, validator: jsonschema.Draft202012Validator) -> tuple[int, list[str]]:
    """Number of posts and problems in one ``posts.jsonl``."""
    problems: list[str] = []
    count = 0
    site = jsonl.parent
    for lineno, line in enumerate(jsonl.read_text("utf-8").splitlines(), 1):
        where = f"{jsonl}:{lineno}"
        try:
            post = json.loads(line)
        except ValueError as exc:
            problems.append(f"{where}: not JSON: {exc}")
            continue
        count += 1
        for error in validator.iter_errors(post):
            problems.append(f"{where}: schema: {error.message}")
        prov = post.get("provenance") or {}
        if not prov.get("warc_file"):
            continue
        warc = site / "warc" / prov["warc_file"]
        if not warc.exists():
            problems.append(f"{where}: provenance names missing file {prov['warc_file']}")
            continue
        rec_id, rtype, target = find_record(warc, prov["warc_offset"])
        if rec_id != prov.get("warc_record_id") or rtype != "response":
            problems.append(
                f"{where}: no response record {prov.get('warc_record_id')} at offset "
                f"{prov['warc_offset']} of {warc.name}"
            )
        elif target != post["url"]:
            problems.append(f"{where}: record at offset is for {target}, not {post['url']}")
    return count, problems


def verify_output(directory: Path) -> tuple[list[str], list[str]]:
    """(problems, report lines) for an output folder or one site's folder in it."""
    if not directory.is_dir():
        return [f"{directory} is not a folder"], []
    problems: list[str] = []
    report: list[str] = []
    validator = jsonschema.Draft202012Validator(load_schema())
    warcs = sorted(directory.rglob("*.warc.gz"))
    total: Counter[str] = Counter()
    for warc in warcs:
        counts, found = check_warc(warc)
        total.update(counts)
        problems.extend(found)
    report.append(
        f"WARC files: {len(warcs)}, records: "
        + ", ".join(f"{k} {v}" for k, v in sorted(total.items()))
    )
    if total["request"] != total["response"]:
        problems.append(f"{total['request']} request records but {total['response']} responses")
    for jsonl in sorted(directory.rglob("posts.jsonl")):
        count, found = check_posts(jsonl, validator)
        problems.extend(found)
        report.append(f"{jsonl}: {count} posts")
    if not warcs and not list(directory.rglob("posts.jsonl")):
        problems.append(f"{directory} holds no WARC files and no posts.jsonl")
    report.append("OK" if not problems else f"{len(problems)} problem(s)")
    return problems, report
