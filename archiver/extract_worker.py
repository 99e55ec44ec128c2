"""The start of an extraction worker process (``archiver.extract_pool``): no Ctrl-C, no orphans.

Kept apart from ``archiver.extract_pool`` because a spawned worker imports the module of its
initializer: this one imports no Scrapy, so a worker holds the extractor and little else
(about 35 MB instead of 70).
"""

from __future__ import annotations

import os
import signal
import threading
import time

PARENT_CHECK_SECONDS = 0.5
"""How often a worker checks that the crawl that started it is still alive."""


def watch_parent(parent: int) -> None:
    """Exit when the crawl process is gone (killed with SIGKILL, it cannot stop its workers)."""
    while os.getppid() == parent:
        time.sleep(PARENT_CHECK_SECONDS)
    os._exit(0)


def init_worker(parent: int) -> None:
    """Leave Ctrl-C to the crawl (which finishes the posts in flight before stopping), and never
    outlive it."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    threading.Thread(target=watch_parent, args=(parent,), daemon=True).start()
