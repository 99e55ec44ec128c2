"""The settings that turn a crawl into a worker of a shared crawl in Redis.

Set at the ``spider`` priority: above the project's settings and ``archiver.toml``, below the
command line's ``-s``, so an expert can still swap a component.
"""

from __future__ import annotations

from typing import Any

from archiver.distributed.coordination import DEFAULT_PREFIX, check_prefix

PRIORITY = "spider"

REPLACED = {
    "EXTENSIONS": {
        # Incremental state is a per-folder SQLite file with an exclusive lock: not shared.
        "archiver.state.StateExtension": None,
        "archiver.warc.WarcExtension": None,
        "archiver.distributed.outputs.DistributedWarcExtension": 100,
        "archiver.manifest.ManifestExtension": None,
        "archiver.distributed.outputs.DistributedManifestExtension": 200,
        # The report covers the whole crawl: `archiver merge` writes it.
        "archiver.report.ReportExtension": None,
    },
    "ITEM_PIPELINES": {
        "archiver.pipelines.StorePipeline": None,
        "archiver.distributed.outputs.DistributedStorePipeline": 400,
    },
    "DOWNLOADER_MIDDLEWARES": {
        "archiver.middlewares.ScopeMiddleware": None,
        "archiver.distributed.outputs.DistributedScopeMiddleware": 60,
    },
}


def apply_worker_settings(settings: Any, redis_url: str, worker_id: str) -> None:
    """Make ``settings`` those of a worker of the shared crawl at ``redis_url``."""
    prefix = check_prefix(settings.get("ARCHIVER_REDIS_KEY") or DEFAULT_PREFIX)
    values: dict[str, Any] = {
        "REDIS_URL": redis_url,
        "ARCHIVER_REDIS_URL": redis_url,
        "ARCHIVER_WORKER_ID": worker_id,
        "SCHEDULER": "archiver.distributed.scheduler.LeasingScheduler",
        "SCHEDULER_QUEUE_CLASS": "archiver.distributed.scheduler.SiteQueue",
        "SCHEDULER_QUEUE_KEY": f"{prefix}:requests",
        "SCHEDULER_DUPEFILTER_KEY": f"{prefix}:dupefilter",
        "DUPEFILTER_CLASS": "scrapy_redis.dupefilter.RFPDupeFilter",
        "SCHEDULER_PERSIST": True,  # the queue outlives any one worker
        "DOWNLOAD_HANDLERS": {
            "http": "archiver.distributed.politeness.PoliteDownloadHandler",
            "https": "archiver.distributed.politeness.PoliteDownloadHandler",
        },
    }
    for name, changes in REPLACED.items():
        merged = dict(settings.getdict(name))
        merged.update(changes)
        values[name] = merged
    settings.setdict(values, priority=PRIORITY)
