"""``archiver worker --redis URL`` and ``archiver crawl URL... --redis URL``: shared crawls.

``archiver crawl --redis`` adds its blogs to the shared crawl in Redis (starting a new one when the
last one is over), then works on it as a worker until the crawl has had no work for the idle
timeout, then merges the workers' outputs in its ``--output`` folder (``archiver merge``).
``--seed-only`` only adds the blogs. ``archiver worker`` joins from any machine.
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path
from typing import Any

from archiver import config
from archiver.console import UserError, error_line
from archiver.distributed import require_redis
from archiver.distributed.coordination import (
    DEFAULT_PREFIX,
    Coordinator,
    Keys,
    check_prefix,
    check_worker_id,
    connect,
    default_worker_id,
)

logger = logging.getLogger("archiver")

REDIS_SCHEMES = ("redis://", "rediss://", "unix://")


def _seconds(value: str) -> float:
    try:
        number = float(value)
    except ValueError:
        number = -1.0
    if number < 0:
        raise argparse.ArgumentTypeError(f"expected a number of seconds, got {value!r}")
    return number


def add_redis_options(parser: argparse.ArgumentParser, worker: bool = False) -> None:
    """The options of a shared crawl (``crawl``) or of a worker (``worker``)."""
    group = parser.add_argument_group("distributed crawls (Redis)")
    group.add_argument(
        "--redis",
        metavar="URL",
        required=worker,
        help="share the crawl through Redis at URL (redis://HOST:PORT/DB): "
        + ("the crawl to join" if worker else "queue the blogs there for `archiver worker`s"),
    )
    group.add_argument(
        "--worker-id", metavar="ID", help="this worker's id, in its file names (default: HOST-PID)"
    )
    group.add_argument(
        "--idle-timeout",
        type=_seconds,
        metavar="SECONDS",
        help="with --redis: stop once the shared crawl has had no work for SECONDS (default 30)",
    )
    if not worker:
        group.add_argument(
            "--seed-only",
            action="store_true",
            default=None,
            help="with --redis: queue the blogs for the workers, do not crawl here",
        )


def add_parsers(sub: Any) -> None:
    """``archiver worker`` and ``archiver merge``."""
    worker = sub.add_parser("worker", help="join a shared crawl in Redis (archiver crawl --redis)")
    worker.add_argument(
        "--output",
        "-o",
        type=Path,
        metavar="DIR",
        help="output folder (default: output/); posts go to DIR/<host>/",
    )
    worker.add_argument("--no-warc", action="store_true", help="write JSON only, no WARC files")
    config.add_setting_option(worker)
    worker.add_argument(
        "--log-level", choices=["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"], help="log level"
    )
    add_redis_options(worker, worker=True)
    config.add_output_options(worker)
    worker.set_defaults(
        since=None, until=None, max_posts=None, no_sitemaps=False, wacz=False, config_settings=[]
    )

    merge = sub.add_parser(
        "merge", help="merge the workers' outputs: one posts.jsonl and index.cdxj per blog"
    )
    merge.add_argument("directories", nargs="+", type=Path, metavar="DIR")
    merge.add_argument(
        "--output",
        "-o",
        type=Path,
        metavar="OUT",
        help="merge into OUT (default: the first DIR); WARC files of the others are copied",
    )
    merge.add_argument("--no-report", action="store_true", help="do not write report.html")


def check_redis_url(url: str) -> str:
    if not url.startswith(REDIS_SCHEMES):
        raise config.ConfigError(f"--redis {url!r}: give a Redis URL such as redis://HOST:6379/0")
    return url


def open_coordinator(settings: Any, worker_id: str = "") -> Coordinator:
    """The shared crawl's Redis, checked: one clear error line when it cannot be reached."""
    require_redis()
    import redis

    url = check_redis_url(settings.get("ARCHIVER_REDIS_URL"))
    try:
        prefix = check_prefix(settings.get("ARCHIVER_REDIS_KEY") or DEFAULT_PREFIX)
        server = connect(url)
    except ValueError as exc:
        raise config.ConfigError(str(exc)) from None
    except redis.RedisError as exc:
        raise UserError(
            f"cannot reach Redis at {url}: {exc}: is redis-server running there?"
        ) from None
    return Coordinator(
        server, Keys(prefix), worker_id, settings.getfloat("ARCHIVER_REDIS_LEASE_TIMEOUT", 30.0)
    )


def run_worker(settings: Any) -> dict[str, Any]:
    """Work on the shared crawl until it has no work left; the worker's summary."""
    from scrapy.crawler import CrawlerProcess

    from archiver.console import setup_logging
    from archiver.distributed.settings import apply_worker_settings
    from archiver.distributed.worker import WorkerSpider

    try:
        worker_id = check_worker_id(settings.get("ARCHIVER_WORKER_ID") or default_worker_id())
    except ValueError as exc:
        raise config.ConfigError(str(exc)) from None
    open_coordinator(settings, worker_id)  # fails early, with one line, when Redis is not there
    apply_worker_settings(settings, settings.get("ARCHIVER_REDIS_URL"), worker_id)
    settings.set("LOG_INSTALL_ROOT_HANDLER", False, priority="cmdline")
    process = CrawlerProcess(settings)
    setup_logging(settings, progress=settings.get("ARCHIVER_PROGRESS") != "off")
    crawler = process.create_crawler(WorkerSpider)
    failures: list[BaseException] = []
    process.crawl(crawler).addErrback(lambda failure: failures.append(failure.value))
    process.start()
    stats = crawler.stats.get_stats()
    spider = crawler.spider
    return {
        "worker_id": worker_id,
        "crawl_id": getattr(spider, "crawl_id", None),
        "finish_reason": stats.get("finish_reason"),
        "failure": failures[0] if failures else None,
        "blogs": sorted(getattr(spider, "blogs", {})),
        "responses": stats.get("response_received_count", 0),
        "posts": stats.get("archiver/posts_written", 0),
        "warc_files": stats.get("warc/file_names", []),
        "politeness_waits": stats.get("archiver/politeness/waits", 0),
        "politeness_wait_seconds": stats.get("archiver/politeness/wait_seconds", 0),
    }


def print_worker_summary(summary: dict[str, Any], output: Path) -> None:
    print(f"Worker {summary['worker_id']} of shared crawl {summary['crawl_id']}", flush=True)
    print(f"  finished:        {summary['finish_reason']}")
    print(f"  blogs worked on: {len(summary['blogs'])}")
    print(f"  pages fetched:   {summary['responses']}")
    print(f"  posts archived:  {summary['posts']}")
    print(
        f"  politeness:      waited {summary['politeness_waits']} times, "
        f"{summary['politeness_wait_seconds']:.1f} s in all"
    )
    print(f"  WARC files:      {len(summary['warc_files'])}, in {output}/<host>/warc/")


def worker_exit_code(summary: dict[str, Any]) -> int:
    if summary["failure"] is not None:
        error_line(
            f"the worker could not run: {summary['failure']} (run again with --verbose for the details)"
        )
        return 1
    if summary["finish_reason"] != "finished":
        error_line(f"the worker stopped early: {summary['finish_reason']}")
        return 1
    return 0


def cmd_worker(args: argparse.Namespace) -> int:
    from archiver.cli import crawl_settings
    from archiver.preflight import check_output_dir

    require_redis()
    settings = crawl_settings(args)
    for warning in config.check_settings(settings, args.settings):
        print(f"warning: {warning}", file=sys.stderr)
    output = Path(settings["ARCHIVER_OUTPUT_DIR"])
    check_output_dir(output)
    summary = run_worker(settings)
    if settings.getbool("ARCHIVER_SUMMARY", True):
        print_worker_summary(summary, output)
    return worker_exit_code(summary)


def crawl_shared(urls: list[str], settings: Any, output: Path) -> int:
    """``archiver crawl --redis``: seed the blogs, work on the crawl, merge the outputs."""
    from archiver.merge import merge_outputs, print_merge_summary

    if settings.getint("ARCHIVER_MAX_POSTS"):
        raise config.ConfigError(
            "--max-posts is not supported in a shared crawl (--redis): use --since/--until"
        )
    from archiver.discovery import canonicalize

    urls = list(dict.fromkeys(canonicalize(url) for url in urls))
    coordinator = open_coordinator(settings)
    options = {
        "since": settings.get("ARCHIVER_SINCE") or None,
        "until": settings.get("ARCHIVER_UNTIL") or None,
    }
    crawl_id, fresh = coordinator.seed(urls, options)
    loud = settings.getbool("ARCHIVER_SUMMARY", True)
    if loud:
        verb = "Started" if fresh else "Joined"
        print(
            f"{verb} shared crawl {crawl_id} at {settings.get('ARCHIVER_REDIS_URL')}: "
            f"{len(urls)} blog(s) queued",
            flush=True,
        )
    if settings.getbool("ARCHIVER_REDIS_SEED_ONLY"):
        return 0
    summary = run_worker(settings)
    code = worker_exit_code(summary)
    results = merge_outputs([output], output, report=settings.getbool("ARCHIVER_REPORT", True))
    if loud:
        print_worker_summary(summary, output)
        print_merge_summary(results)
    if settings.getbool("WARC_WACZ"):
        from archiver.pack import pack_site

        for result in results:
            if (result.site / "warc").is_dir():
                packed = pack_site(result.site)
                if loud:
                    print(f"WACZ written: {packed.path} ({packed.pages} pages)")
    statuses = coordinator.start_statuses()
    for url in urls:
        status = statuses.get(url)
        if status is None:
            error_line(
                f"could not fetch {url}: check the URL (the crawl manifests list the failure)"
            )
            code = 1
        elif status >= 400:
            error_line(f"{url} answered HTTP {status}: is this the blog's address?")
            code = 1
    return code


def cmd_merge(args: argparse.Namespace) -> int:
    """``archiver merge``: see ``archiver.merge``."""
    from archiver.merge import cmd_merge as merge

    return merge(args)
