"""Checks before a crawl starts, so that the commonest mistakes cost one clear line, not a crawl.

The output folder must be writable, and the blog's host must accept a TCP connection (no HTTP
request is sent: the crawl's first request stays the one archived, after robots.txt). The
connection check is skipped when a proxy is configured, since the proxy is then what connects.
"""

from __future__ import annotations

import os
import socket
import tempfile
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

from archiver.console import UserError

CONNECT_TIMEOUT = 15.0
"""Seconds to wait for the blog's host to accept a connection."""


def check_output_dir(path: Path) -> None:
    """Create ``path`` if needed and prove that a file can be written in it, or raise UserError."""
    try:
        path.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".archiver-write-test-", dir=path)
        os.close(fd)
        os.unlink(tmp)
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise UserError(
            f"cannot write to the output folder {path}: {reason}: "
            "choose another --output folder or fix its permissions"
        ) from None


def check_reachable(url: str, timeout: float = CONNECT_TIMEOUT) -> None:
    """Raise UserError when the host of ``url`` cannot be connected to (unknown, refused, silent)."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if urllib.request.getproxies().get(scheme) or urllib.request.getproxies().get("all"):
        return
    host = parts.hostname or ""
    try:
        port = parts.port or (443 if scheme == "https" else 80)
    except ValueError:
        raise UserError(f"{url}: the port is not a number between 0 and 65535") from None
    where = f"{host}:{port}" if parts.port else host
    try:
        with socket.create_connection((host, port), timeout=timeout):
            pass
    except socket.gaierror:
        raise UserError(
            f"cannot reach {url}: no such host {host!r}: check the spelling and your connection"
        ) from None
    except ConnectionRefusedError:
        raise UserError(
            f"cannot reach {url}: {where} refused the connection: is the address right "
            "and the site up?"
        ) from None
    except TimeoutError:
        raise UserError(
            f"cannot reach {url}: {where} did not answer within {timeout:g} s: "
            "check the URL and your connection"
        ) from None
    except OSError as exc:
        raise UserError(
            f"cannot reach {url}: {exc.strerror or exc}: check the URL and your connection"
        ) from None
