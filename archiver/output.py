"""The output layout (``DIR/<host>/...``) and safe, atomic file writing.

Everything written under the output folder goes through these helpers, so that a name taken from
a page (a slug, a host) can never escape the folder and a reader never sees a half-written file.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import tempfile
import unicodedata
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

MAX_SLUG_LENGTH = 80
"""Keeps ``posts/YYYY/MM/<slug>.json`` well under the 255-byte name limit of common file systems."""

WINDOWS_RESERVED = re.compile(r"^(?:con|prn|aux|nul|com\d|lpt\d)$", re.I)


def host_dirname(url: str) -> str:
    """The folder name of a blog: its host name, lowercased, without port.

    >>> host_dirname("http://127.0.0.1:8091/blog/"), host_dirname("https://Example.org/")
    ('127.0.0.1', 'example.org')
    """
    host = (urlsplit(url).hostname or "unknown-host").lower().rstrip(".")
    safe = re.sub(
        r"[^a-z0-9.\-]", "_", host.encode("idna").decode("ascii") if host.isascii() else host
    )
    return safe.strip(".") or "unknown-host"


def site_dir(output_dir: Path, url: str) -> Path:
    """``DIR/<host>`` for the blog at ``url``."""
    return Path(output_dir) / host_dirname(url)


def safe_slug(url: str) -> str:
    """A readable, file-system-safe name for a post, from the last segment of its URL path.

    >>> safe_slug("http://x.org/2019/07/13/hello-w%C3%B6rld/"), safe_slug("http://x.org/../../etc/passwd")
    ('hello-wörld', 'passwd')
    """
    segments = [s for s in urlsplit(url).path.split("/") if s not in ("", ".", "..")]
    raw = unquote(segments[-1]) if segments else "index"
    raw = re.sub(r"\.html?$", "", raw)
    text = unicodedata.normalize("NFC", raw)
    text = re.sub(r"[\x00-\x1f\x7f/\\:*?\"<>|]+", "-", text)
    text = re.sub(r"\s+", "-", text).strip(" .-")
    if len(text.encode("utf-8")) > MAX_SLUG_LENGTH:
        digest = hashlib.sha1(url.encode("utf-8")).hexdigest()[:8]
        text = (
            text.encode("utf-8")[:MAX_SLUG_LENGTH].decode("utf-8", "ignore").rstrip(" .-")
            + "-"
            + digest
        )
    if not text or WINDOWS_RESERVED.match(text):
        text = f"post-{text}" if text else "post"
    return text


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file and a rename: all or nothing."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        if hasattr(os, "fchmod"):  # mkstemp makes it 0600: these are files to share
            os.fchmod(fd, 0o644)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def atomic_write_json(path: Path, data: Any) -> None:
    """Pretty-printed UTF-8 JSON, written atomically."""
    text = json.dumps(data, ensure_ascii=False, indent=2, sort_keys=False) + "\n"
    atomic_write_bytes(path, text.encode("utf-8"))


class JsonLinesAppender:
    """Appends whole lines to a JSON Lines file: each line goes out in one ``write`` on an
    ``O_APPEND`` descriptor and is fsynced, so a crash never leaves half a line behind a whole one."""

    def __init__(self, path: Path):
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        self._repair_tail()

    def _repair_tail(self) -> None:
        """Drop a partial last line left by an earlier crash, so the next line starts clean."""
        size = os.fstat(self._fd).st_size
        if not size:
            return
        with open(self.path, "rb") as fh:
            fh.seek(max(0, size - 1))
            if fh.read(1) == b"\n":
                return
            fh.seek(0)
            data = fh.read()
        keep = data.rfind(b"\n") + 1
        os.ftruncate(self._fd, keep)

    def append(self, record: dict[str, Any]) -> None:
        line = json.dumps(record, ensure_ascii=False, separators=(",", ":")) + "\n"
        data = line.encode("utf-8")
        while data:
            data = data[os.write(self._fd, data) :]
        os.fsync(self._fd)

    def close(self) -> None:
        os.close(self._fd)
