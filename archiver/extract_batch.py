"""``archiver extract --batch``: many saved pages in one process, JSON Lines in and out.

Input, one request per line: ``{"path": "page.html", "url": "https://...", "id": ..., "encoding":
"windows-1251"}`` (``id`` and ``encoding`` optional; ``encoding`` a charset hint or null; ``path``
relative to the working directory). Blank lines are skipped.

Output, one line per request, in the same order, flushed as it is written:
``{"path": ..., "id": ..., <post JSON, schema v1>, "seconds": <time spent extracting it>}``, or
``{"path": ..., "id": ..., "error": "..."}`` for a request that gives no post (unreadable file,
not a post, bad request line). One bad page never stops the batch.
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, Any

from archiver.extract import ExtractionError, NotAPost, extract_post


def _error(path: Any, ident: Any, message: str) -> dict[str, Any]:
    return {"path": path, "id": ident, "error": message}


def extract_request(line: str, number: int) -> dict[str, Any]:
    """The output record for one input line (a post with path/id/seconds, or an error)."""
    try:
        request = json.loads(line)
    except ValueError as exc:
        return _error(None, None, f"line {number}: not JSON ({exc})")
    if not isinstance(request, dict):
        return _error(None, None, f"line {number}: expected a JSON object")
    path, ident = request.get("path"), request.get("id")
    url, encoding = request.get("url"), request.get("encoding")
    if not isinstance(path, str) or not path:
        return _error(path, ident, f'line {number}: missing "path"')
    if not isinstance(url, str) or not url:
        return _error(path, ident, f'line {number}: missing "url"')
    if encoding is not None and not isinstance(encoding, str):
        return _error(path, ident, f'line {number}: "encoding" must be a string or null')
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        return _error(path, ident, f"cannot read {path}: {exc.strerror or exc}")
    started = time.perf_counter()
    try:
        post = extract_post(data, url, encoding=encoding)
    except NotAPost as exc:
        return _error(path, ident, f"not a post ({exc.reason}): {exc}")
    except ExtractionError as exc:
        return _error(path, ident, f"cannot extract: {exc}")
    seconds = time.perf_counter() - started
    return {"path": path, "id": ident, **post.to_dict(), "seconds": round(seconds, 6)}


def run_batch(lines: Iterable[str]) -> Iterator[dict[str, Any]]:
    """Output records for the request lines, in order (blank lines give none)."""
    for number, line in enumerate(lines, start=1):
        if line.strip():
            yield extract_request(line, number)


def main(stdin: IO[str] | None = None, stdout: IO[str] | None = None) -> int:
    """Read requests from ``stdin``, write records to ``stdout``, a summary to stderr; exit 0."""
    stdin = stdin or sys.stdin
    stdout = stdout or sys.stdout
    done = failed = 0
    for record in run_batch(stdin):
        stdout.write(json.dumps(record, ensure_ascii=False) + "\n")
        stdout.flush()
        done += 1
        failed += "error" in record
    print(f"extract --batch: {done - failed} of {done} pages extracted", file=sys.stderr)
    return 0
