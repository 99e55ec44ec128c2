"""``archiver verify DIR``: is an output folder whole and self-consistent?

Checks every WARC file record by record: digests (as ``warcio check`` does), and that each response's
HTTP head agrees with the stored body, which ``warcio check`` does not look at: ``Content-Length``
equal to the stored body, ``Content-Encoding`` that decodes, no ``Transfer-Encoding: chunked`` over
a body that is not chunked framing. Every ``metadata`` record must refer to a response record that
exists, every ``index.cdxj`` line must lead to its record, every line of every ``posts.jsonl`` must
match the JSON Schema, and each post's provenance must lead to the response record it names.

A WARC file whose last record was cut short (a crawl killed while writing it) is reported as a
"truncated final record": the records before it are checked and intact, but the folder is not
whole, so verify exits non-zero. Anything else unreadable is reported as corrupt.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import jsonschema
from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed

from archiver.pipelines import load_schema
from archiver.records import (
    TooLarge,
    UnsupportedEncoding,
    dechunk,
    decoded_size,
    scan_gzip_members,
)

DECODE_LIMIT = 256 * 1024 * 1024
"""How far the Content-Encoding check decodes (8 times the crawl's DOWNLOAD_MAXSIZE): a bigger
payload, a decompression bomb for instance, is noted and checked only that far."""


@dataclass
class WarcCheck:
    """What reading one WARC file found."""

    counts: Counter[str] = field(default_factory=Counter)
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    responses: dict[str, str] = field(default_factory=dict)
    """Response (and revisit) record id -> target URI."""
    refers_to: list[tuple[str, str]] = field(default_factory=list)
    """(where, WARC-Refers-To) of every metadata record."""
    truncated: bool = False


def _check_response(record: object, body: bytes, where: str, check: WarcCheck) -> None:
    http = record.http_headers  # type: ignore[attr-defined]
    if http is None:
        check.problems.append(f"{where}: response record without an HTTP head")
        return
    declared = http.get_header("Content-Length")
    if declared is not None and declared.strip().isdigit() and int(declared) != len(body):
        check.problems.append(f"{where}: Content-Length {declared} != stored body {len(body)}")
    payload = body
    transfer = (http.get_header("Transfer-Encoding") or "").lower()
    if "chunked" in transfer:
        unframed = dechunk(body)
        if unframed is None:
            check.problems.append(
                f"{where}: Transfer-Encoding: chunked over a body that is not chunked framing"
            )
            return
        payload = unframed
    encoding = http.get_header("Content-Encoding")
    if encoding:
        try:
            decoded_size(payload, encoding, DECODE_LIMIT)
        except UnsupportedEncoding as exc:
            check.notes.append(f"{where}: {exc} (not checked)")
        except TooLarge as exc:
            check.notes.append(f"{where}: Content-Encoding {encoding} {exc}: checked that far")
        except Exception as exc:
            check.problems.append(f"{where}: Content-Encoding {encoding} does not decode: {exc}")


def check_warc(path: Path) -> WarcCheck:
    """Read one WARC file record by record and report what is wrong with it."""
    check = WarcCheck()
    stop_at: int | None = None
    if path.name.endswith(".gz"):
        with path.open("rb") as fh:
            scan = scan_gzip_members(fh)
        if scan.bad_offset is not None:
            stop_at = scan.bad_offset
            if scan.cut_short:
                check.truncated = True
                check.problems.append(
                    f"{path.name} @{scan.bad_offset}: truncated final record (the file ends "
                    f"inside it: a crawl was interrupted while writing); the {scan.complete} "
                    "records before it are intact"
                )
            else:
                check.problems.append(
                    f"{path.name} @{scan.bad_offset}: corrupt record ({scan.error}); "
                    "records after it were not read"
                )
    try:
        with path.open("rb") as fh:
            it = ArchiveIterator(fh, check_digests=True)
            for record in it:
                body = record.raw_stream.read()  # as stored: still content-encoded
                offset = it.get_record_offset()  # (reads the record to its end first)
                if stop_at is not None and offset >= stop_at:
                    break
                rtype = record.rec_type
                check.counts[rtype] += 1
                where = f"{path.name} @{offset} ({rtype})"
                if record.digest_checker.passed is False:
                    check.problems.append(
                        f"{where}: digest mismatch {record.digest_checker.problems}"
                    )
                record_id = record.rec_headers.get_header("WARC-Record-ID")
                if rtype == "response":
                    check.responses[record_id] = record.rec_headers.get_header("WARC-Target-URI")
                    _check_response(record, body, where, check)
                elif rtype == "revisit":
                    check.responses[record_id] = record.rec_headers.get_header("WARC-Target-URI")
                elif rtype == "metadata":
                    refers_to = record.rec_headers.get_header("WARC-Refers-To")
                    if refers_to:
                        check.refers_to.append((where, refers_to))
    except (ArchiveLoadFailed, ValueError, OSError, EOFError) as exc:
        if stop_at is None:
            check.problems.append(f"{path.name}: unreadable: {exc}")
    return check


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
        try:
            rec_id, rtype, target = find_record(warc, prov["warc_offset"])
        except (ArchiveLoadFailed, ValueError, OSError, EOFError) as exc:
            problems.append(f"{where}: provenance offset unreadable in {warc.name}: {exc}")
            continue
        if rec_id != prov.get("warc_record_id") or rtype not in ("response", "revisit"):
            problems.append(
                f"{where}: no response record {prov.get('warc_record_id')} at offset "
                f"{prov['warc_offset']} of {warc.name}"
            )
        elif target != post["url"]:
            problems.append(f"{where}: record at offset is for {target}, not {post['url']}")
    return count, problems


def check_index(index: Path) -> tuple[int, list[str]]:
    """Lines of an ``index.cdxj`` and the problems found: each line must lead to its record."""
    problems: list[str] = []
    lines = index.read_text("utf-8").splitlines()
    warc_dir = index.parent / "warc"
    for lineno, line in enumerate(lines, 1):
        where = f"{index}:{lineno}"
        try:
            _key, _ts, fields = line.split(" ", 2)
            entry = json.loads(fields)
            warc = warc_dir / entry["filename"]
            _id, rtype, target = find_record(warc, int(entry["offset"]))
        except (ValueError, KeyError, OSError, ArchiveLoadFailed, EOFError) as exc:
            problems.append(f"{where}: cannot follow the line: {exc}")
            continue
        if target != entry.get("url") or rtype in ("request", "warcinfo"):
            problems.append(f"{where}: offset {entry['offset']} holds {rtype} {target}")
    return len(lines), problems


def verify_output(directory: Path) -> tuple[list[str], list[str]]:
    """(problems, report lines) for an output folder or one site's folder in it."""
    if not directory.is_dir():
        return [f"{directory} is not a folder"], []
    problems: list[str] = []
    report: list[str] = []
    validator = jsonschema.Draft202012Validator(load_schema())
    warcs = sorted(directory.rglob("*.warc.gz"))
    total: Counter[str] = Counter()
    responses: dict[str, str] = {}
    refers_to: list[tuple[str, str]] = []
    truncated = []
    for warc in warcs:
        check = check_warc(warc)
        total.update(check.counts)
        problems.extend(check.problems)
        report.extend(f"note: {n}" for n in check.notes)
        responses.update(check.responses)
        refers_to.extend(check.refers_to)
        if check.truncated:
            truncated.append(warc.name)
    report.append(
        f"WARC files: {len(warcs)}, records: "
        + ", ".join(f"{k} {v}" for k, v in sorted(total.items()))
    )
    if truncated:
        report.append(f"truncated final record in: {', '.join(truncated)}")
    # Every request has its response, or a revisit record (incremental re-runs) in its place.
    answered = total["response"] + total["revisit"]
    if total["request"] != answered and not truncated:
        problems.append(
            f"{total['request']} request records but {total['response']} responses "
            f"and {total['revisit']} revisits"
        )
    dangling = [(where, ref) for where, ref in refers_to if ref not in responses]
    problems.extend(
        f"{where}: WARC-Refers-To {ref} names no response record" for where, ref in dangling
    )
    if refers_to:
        report.append(f"post metadata records: {len(refers_to)}, {len(dangling)} dangling")
    for index in sorted(directory.rglob("index.cdxj")):
        count, found = check_index(index)
        problems.extend(found)
        report.append(f"{index}: {count} lines, {len(found)} not leading to their record")
    for jsonl in sorted(directory.rglob("posts.jsonl")):
        count, found = check_posts(jsonl, validator)
        problems.extend(found)
        report.append(f"{jsonl}: {count} posts")
    if not warcs and not list(directory.rglob("posts.jsonl")):
        problems.append(f"{directory} holds no WARC files and no posts.jsonl")
    report.append("OK" if not problems else f"{len(problems)} problem(s)")
    return problems, report
