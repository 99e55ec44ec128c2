"""A real pywb ("wayback") on a free loopback port, for the replay tests."""

from __future__ import annotations

import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.conftest import free_port

PYWB_BIN = Path(sys.executable).parent
ATTEMPTS = 3


def wb_manager(root: Path, *args: str) -> None:
    """Run ``wb-manager`` in ``root`` (``init COLL``, ``add COLL FILES``...)."""
    subprocess.run(
        [str(PYWB_BIN / "wb-manager"), *args],
        cwd=root,
        check=True,
        capture_output=True,
        timeout=120,
    )


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2):
            return True
    except urllib.error.HTTPError:
        return True
    except OSError:
        return False


@contextmanager
def pywb(root: Path, timeout: float = 60) -> Iterator[str]:
    """Serve the collections under ``root``; yields the base URL. A pywb that exits at start (a
    port taken between choosing and binding it) is started again on another port; one that never
    answers fails the test with its log."""
    log = root / "pywb.log"
    for _attempt in range(ATTEMPTS):
        port = free_port()
        with log.open("ab") as out:
            proc = subprocess.Popen(
                [str(PYWB_BIN / "wayback"), "--port", str(port), "--bind", "127.0.0.1"],
                cwd=root,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + timeout
        try:
            while proc.poll() is None and time.monotonic() < deadline:
                if _answers(url + "/"):
                    yield url
                    return
                time.sleep(0.2)
        finally:
            proc.terminate()
            proc.wait(timeout=20)
        if time.monotonic() >= deadline:
            break
    raise AssertionError(f"pywb did not start: {log.read_text('utf-8', 'replace')[-3000:]}")
