"""Distributed crawls: several ``archiver worker`` processes, on any machines, share one crawl.

The frontier (request queue) and the duplicate filter live in Redis through scrapy-redis; what
scrapy-redis does not do is added here, each in its own module:

- ``coordination``: the rest of what workers share in Redis: the blogs of the crawl, leases on
  the requests being worked on (re-queued when their worker dies), worker heartbeats, the
  crawl-wide idle test;
- ``scheduler``: scrapy-redis's scheduler and priority queue, popping each request under a lease
  and serializing it against its own blog's spider;
- ``worker``: the worker spider, which serves every blog of the crawl through one ``BlogSpider``
  per blog;
- ``politeness``: per-host delay and concurrency enforced across all workers;
- ``outputs``: per-worker WARC files, JSON Lines and manifests in each blog's folder;
- ``settings`` and ``cli``: ``archiver worker`` and ``archiver crawl --redis``.

``archiver merge`` (``archiver.merge``) folds the per-worker outputs into one ``posts.jsonl`` and
one ``index.cdxj`` per blog. scrapy-redis needs redis-py 4.2 or later: ``pip install
'blog-archiver[redis]'``.
"""

from __future__ import annotations

from archiver.console import UserError

REDIS_EXTRA_HINT = "pip install 'blog-archiver[redis]'"


def require_redis() -> None:
    """Fail with one clear line when scrapy-redis or a recent enough redis-py is missing."""
    try:
        import redis
        import scrapy_redis  # noqa: F401
    except ImportError as exc:
        raise UserError(
            f"distributed crawls need scrapy-redis and redis-py ({exc.name} is missing): "
            f"{REDIS_EXTRA_HINT}"
        ) from None
    major = int(str(getattr(redis, "__version__", "0")).split(".")[0] or 0)
    if major < 4:
        raise UserError(
            f"distributed crawls need redis-py 4.2 or later (this Python has {redis.__version__}): "
            f"{REDIS_EXTRA_HINT}, in an environment without pywb (it pins redis-py 2.10)"
        )
