"""The ``archiver`` command: crawl, demo, extract, verify.

``archiver crawl URL --output DIR`` runs the same crawl as ``scrapy crawl blog -a url=URL`` and
sets its own exit code from the outcome (Scrapy exits 0 even when the start URL is unreachable).
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import re
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from archiver import __version__, config, export
from archiver.console import OneLineArgumentParser, UserError, error_line
from archiver.distributed import cli as distributed_cli

logger = logging.getLogger("archiver")

MONTH_ARG = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


def _month(value: str) -> str:
    if not MONTH_ARG.match(value):
        raise argparse.ArgumentTypeError(f"expected YYYY-MM, got {value!r}")
    return value


def build_parser() -> argparse.ArgumentParser:
    parser = OneLineArgumentParser(
        prog="archiver", description="Archive blogs as clean post JSON and WARC files."
    )
    parser.add_argument("--version", action="version", version=f"blog-archiver {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)

    crawl = sub.add_parser(
        "crawl", help="archive one or more blogs (home page or /YYYY/MM/ archive)"
    )
    crawl.add_argument("urls", nargs="*", metavar="URL")
    _crawl_options(crawl, default_output=None)
    config.add_source_options(crawl)
    distributed_cli.add_redis_options(crawl)

    demo = sub.add_parser("demo", help="serve the bundled demo blog on 127.0.0.1 and archive it")
    _crawl_options(demo, default_output="output/demo")
    demo.add_argument("--port", type=int, default=0, help="port of the demo server (default: any)")

    extract = sub.add_parser("extract", help="print the post JSON of a saved page")
    extract.add_argument("page", type=Path, nargs="?", help="the saved page (not with --batch)")
    extract.add_argument("--url", help="the URL the page was fetched from (required with PAGE)")
    extract.add_argument("--encoding", default=None, help="charset hint for the page's bytes")
    extract.add_argument(
        "--batch",
        action="store_true",
        help='read {"path", "url", "id", "encoding"} JSON Lines on stdin, write one post per line',
    )

    verify = sub.add_parser("verify", help="check the WARC files and post JSON of an output folder")
    verify.add_argument("directory", type=Path)

    report = sub.add_parser("report", help="(re)write report.html of each site in an output folder")
    report.add_argument("directory", type=Path, metavar="DIR")
    report.add_argument("--replay-url", metavar="URL", help="link posts to their replay there")
    export.add_parser(sub)

    distributed_cli.add_parsers(sub)  # `archiver worker`, `archiver merge`

    pack = sub.add_parser("pack", help="package each site's WARC files as DIR/<host>/<host>.wacz")
    pack.add_argument("directory", type=Path, metavar="DIR")

    reextract = sub.add_parser(
        "reextract", help="rebuild the posts from WARC/WACZ files alone (no network)"
    )
    reextract.add_argument("archives", nargs="+", type=Path, metavar="WARC_OR_WACZ")
    reextract.add_argument("--output", "-o", type=Path, required=True, metavar="DIR")
    reextract.add_argument(
        "--strip-boilerplate",
        action="store_true",
        help="learn the blocks that repeat across each site's posts and strip them",
    )
    reextract.add_argument(
        "--log-level", default="WARNING", choices=["DEBUG", "INFO", "WARNING", "ERROR"]
    )
    return parser


def _crawl_options(parser: argparse.ArgumentParser, default_output: str | None) -> None:
    parser.add_argument(
        "--output",
        "-o",
        type=Path,
        default=Path(default_output) if default_output else None,
        metavar="DIR",
        help=f"output folder (default: {default_output or 'output'}/); posts go to DIR/<host>/",
    )
    parser.add_argument("--since", type=_month, metavar="YYYY-MM", help="first month to archive")
    parser.add_argument("--until", type=_month, metavar="YYYY-MM", help="last month to archive")
    parser.add_argument("--max-posts", type=int, metavar="N", help="stop after N posts")
    parser.add_argument("--no-sitemaps", action="store_true", help="do not read sitemaps")
    parser.add_argument("--no-warc", action="store_true", help="write JSON only, no WARC files")
    parser.add_argument(
        "--wacz", action="store_true", help="also package DIR/<host>/<host>.wacz at the end"
    )
    incremental = parser.add_argument_group(
        "re-runs (incremental by default once DIR/<host>/state.sqlite exists)"
    )
    incremental.add_argument(
        "--full", action="store_true", default=None, help="fetch everything again, as a first crawl"
    )
    incremental.add_argument(
        "--refresh-after",
        type=float,
        metavar="DAYS",
        help="also fetch again (conditionally) known posts last fetched more than DAYS ago",
    )
    incremental.add_argument(
        "--recent-months",
        type=int,
        metavar="N",
        help="on a re-run, walk only the archives of the last N months (and the home page)",
    )
    config.add_setting_option(parser)
    parser.add_argument(
        "--log-level",
        choices=["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"],
        help="level of the log: the --log-file's, else the terminal's (default: INFO in the "
        "file, WARNING on the terminal)",
    )
    config.add_output_options(parser)


def crawl_settings(args: argparse.Namespace) -> Any:
    """Scrapy settings for a crawl: the project's, then the command-line options, then ``-s``."""
    from scrapy.settings import Settings

    settings = Settings()
    settings.setmodule("archiver.settings", priority="project")
    settings.setdict(dict(getattr(args, "config_settings", [])), priority="project")
    options = {
        "ARCHIVER_OUTPUT_DIR": str(args.output) if args.output else None,
        "ARCHIVER_SINCE": args.since,
        "ARCHIVER_UNTIL": args.until,
        "ARCHIVER_MAX_POSTS": args.max_posts,
        "ARCHIVER_USE_SITEMAPS": False if args.no_sitemaps else None,
        "WARC_ENABLED": False if args.no_warc else None,
        "WARC_WACZ": args.wacz or None,
        "LOG_LEVEL": args.log_level,
        **config.option_settings(args),
    }
    settings.setdict({k: v for k, v in options.items() if v is not None}, priority="cmdline")
    settings.setdict(dict(args.settings), priority="cmdline")
    return settings


def run_crawls(urls: Sequence[str], settings: Any) -> list[dict[str, Any]]:
    """Crawl each blog (concurrently, one crawler each) and summarise every crawl."""
    from scrapy.crawler import CrawlerProcess

    from archiver.console import setup_logging
    from archiver.spiders.blog import BlogSpider

    settings.set("LOG_INSTALL_ROOT_HANDLER", False, priority="cmdline")
    process = CrawlerProcess(settings)
    setup_logging(settings, progress=settings.get("ARCHIVER_PROGRESS") != "off")
    crawlers, failures = [], {}
    for url in urls:
        crawler = process.create_crawler(BlogSpider)
        crawlers.append(crawler)
        done = process.crawl(crawler, url=url)
        done.addErrback(crawl_failed, url, failures)
    process.start()
    summaries = []
    for crawler, url in zip(crawlers, urls, strict=True):
        summary = summarise(crawler, failures.get(url))
        summary["url"] = summary["url"] or url
        summaries.append(summary)
    return summaries


def crawl_failed(failure: Any, url: str, failures: dict[str, BaseException]) -> None:
    """A crawl that could not run (bad setting, broken component): kept for its error line."""
    from scrapy.utils.log import failure_to_exc_info

    logger.info("The crawl of %s could not run", url, exc_info=failure_to_exc_info(failure))
    failures[url] = failure.value


def summarise(crawler: Any, failure: BaseException | None = None) -> dict[str, Any]:
    stats = crawler.stats.get_stats()
    spider = crawler.spider
    dropped = {
        k.rsplit("/", 1)[-1]: v for k, v in stats.items() if k.startswith("archiver/dropped/")
    }
    return {
        "url": getattr(spider, "start_url", None),
        "start_status": getattr(spider, "start_status", None),
        "finish_reason": stats.get("finish_reason"),
        "posts": stats.get("archiver/posts_written", 0),
        "months": sorted(getattr(spider, "month_urls", {})),
        "dropped": dropped,
        "fetch_failures": len(getattr(spider, "failures", [])),
        "responses": stats.get("response_received_count", 0),
        "warc_files": stats.get("warc/file_names", []),
        "wacz": stats.get("warc/wacz"),
        "manifest": stats.get("archiver/manifest"),
        "report": stats.get("archiver/report"),
        "posts_by_month": stats.get("archiver/posts_by_month", {}),
        "errors_by_kind": {
            k.split("/", 2)[2]: v for k, v in stats.items() if k.startswith("archiver/errors/")
        },
        "posts_seen": len(getattr(spider, "posts_seen", ())),
        "failure": failure,
    }


def print_summary(summary: dict[str, Any], output: Path) -> None:
    from archiver.summary import format_summary

    try:
        print(format_summary(summary, output), flush=True)
    except BrokenPipeError:  # `archiver crawl ... | head`: the exit status still tells
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())


def crawl_exit_code(summaries: list[dict[str, Any]]) -> int:
    """0 when every start URL answered and its crawl finished; 1 otherwise, with the reason logged."""
    code = 0
    for s in summaries:
        if s.get("failure") is not None:
            error_line(
                f"the crawl of {s['url']} could not run: {s['failure']} "
                "(run again with --verbose for the details)"
            )
            code = 1
        elif s["start_status"] is None:
            print(
                f"error: could not fetch {s['url']}: check the URL and your connection "
                "(the crawl manifest lists the failure)",
                file=sys.stderr,
            )
            code = 1
        elif s["start_status"] >= 400:
            print(
                f"error: {s['url']} answered HTTP {s['start_status']}: is this the blog's address?",
                file=sys.stderr,
            )
            code = 1
        elif s["finish_reason"] not in ("finished", "closespider_itemcount"):
            print(f"error: crawl of {s['url']} ended with {s['finish_reason']}", file=sys.stderr)
            code = 1
        elif not s["posts"] and not s.get("posts_seen") and not s["months"]:
            error_line(
                f"found no blog posts at {s['url']}: it has no monthly archives or post links "
                "we know (in the months asked for); give the blog's home page or a monthly "
                "archive such as https://example.org/2019/07/"
            )
            code = 1
    return code


def cmd_crawl(args: argparse.Namespace) -> int:
    from archiver.preflight import check_output_dir, check_reachable

    urls = config.blog_urls(args)
    if args.wacz and args.no_warc:
        print("error: --wacz packages the WARC files: drop --no-warc", file=sys.stderr)
        return 2
    settings = crawl_settings(args)
    for warning in config.check_settings(settings, args.settings):
        print(f"warning: {warning}", file=sys.stderr)
    output = Path(settings["ARCHIVER_OUTPUT_DIR"])
    check_output_dir(output)
    reachable, code = [], 0
    for url in urls:
        try:
            check_reachable(url, min(15.0, settings.getfloat("DOWNLOAD_TIMEOUT", 30)))
        except UserError as exc:
            error_line(str(exc))
            code = 1
        else:
            reachable.append(url)
    if not reachable:
        return code
    if settings.get("ARCHIVER_REDIS_URL"):  # a shared crawl: archiver.distributed
        return distributed_cli.crawl_shared(reachable, settings, output) or code
    summaries = run_crawls(reachable, settings)
    if settings.getbool("ARCHIVER_SUMMARY", True):
        for summary in summaries:
            print_summary(summary, output)
    return crawl_exit_code(summaries) or code


def cmd_demo(args: argparse.Namespace) -> int:
    from archiver.demo import EXPECTED_PATH
    from archiver.demo.server import serve_site
    from archiver.preflight import check_output_dir

    settings = crawl_settings(args)
    for warning in config.check_settings(settings, args.settings):
        print(f"warning: {warning}", file=sys.stderr)
    # The demo server is ours and local: no need to wait between requests.
    settings.setdict({"DOWNLOAD_DELAY": 0, "AUTOTHROTTLE_ENABLED": False}, priority="cmdline")
    output = Path(settings["ARCHIVER_OUTPUT_DIR"])
    check_output_dir(output)
    loud = settings.getbool("ARCHIVER_SUMMARY", True)
    with serve_site(port=args.port) as server:
        if loud:
            print(f"Demo blog served at {server.url}", flush=True)
        summaries = run_crawls([server.url], settings)
    expected = json.loads(EXPECTED_PATH.read_text("utf-8"))
    n_expected = len(expected["posts"])
    if loud:
        for summary in summaries:
            print_summary(summary, output)
        print(f"Demo: {summaries[0]['posts']} of {n_expected} public posts archived.")
        print("Look at posts.jsonl for the dataset view, posts/YYYY/MM/*.json for one post each,")
        print(f"report.html to browse it, and check the archive with: archiver verify {output}")
    return crawl_exit_code(summaries) or (0 if summaries[0]["posts"] == n_expected else 1)


def cmd_extract(args: argparse.Namespace) -> int:
    from archiver.extract import ExtractionError, extract_post

    if args.batch:
        if args.page is not None or args.url is not None:
            print("error: --batch reads pages from stdin: give no PAGE or --url", file=sys.stderr)
            return 2
        from archiver.extract_batch import main as batch_main

        return batch_main()
    if args.page is None or args.url is None:
        print("error: give PAGE and --url URL (or --batch)", file=sys.stderr)
        return 2
    try:
        post = extract_post(args.page.read_bytes(), args.url, encoding=args.encoding)
    except OSError as exc:
        print(f"error: cannot read {args.page}: {exc.strerror}", file=sys.stderr)
        return 1
    except ExtractionError as exc:
        print(f"error: {args.page} is not an extractable post: {exc}", file=sys.stderr)
        return 1
    post.content_digest = post.content_digest or post.compute_digest()
    json.dump(post.to_dict(), sys.stdout, ensure_ascii=False, indent=2)
    print()
    return 0


def cmd_verify(args: argparse.Namespace) -> int:
    from archiver.verify import verify_output

    problems, report = verify_output(args.directory)
    for line in report:
        print(line)
    for problem in problems:
        print(f"problem: {problem}", file=sys.stderr)
    return 1 if problems else 0


def cmd_pack(args: argparse.Namespace) -> int:
    from archiver.pack import pack_site, site_folders

    sites = site_folders(args.directory)
    if not sites:
        print(f"error: no site folder with WARC files (warc/) in {args.directory}", file=sys.stderr)
        return 1
    code = 0
    for site in sites:
        try:
            result = pack_site(site)
        except (OSError, ValueError) as exc:
            print(f"error: {site}: {exc}", file=sys.stderr)
            code = 1
            continue
        print(f"{result.path}: {result.warcs} WARC file(s), {result.pages} pages")
        for problem in result.problems:
            print(f"warning: {problem}", file=sys.stderr)
    return code


def cmd_reextract(args: argparse.Namespace) -> int:
    from scrapy.settings import Settings

    from archiver.reextract import reextract_paths

    settings = Settings()
    settings.setmodule("archiver.settings", priority="project")
    settings.setdict(
        {
            "ARCHIVER_OUTPUT_DIR": str(args.output),
            "LOG_LEVEL": args.log_level,
            "ARCHIVER_SITE_BOILERPLATE": args.strip_boilerplate,
        },
        priority="cmdline",
    )
    summaries, problems = reextract_paths(args.archives, settings)
    for problem in problems:
        print(f"warning: {problem}", file=sys.stderr)
    for s in summaries:
        print(f"Re-extracted {s['url']} ({s['mode']})")
        print(f"  posts written:   {s['posts']} of {s['candidates']}")
        if s["dropped"]:
            dropped = ", ".join(f"{k} {v}" for k, v in sorted(s["dropped"].items()))
            print(f"  not archived:    {dropped}")
        if s["manifest"]:
            print(f"  crawl manifest:  {s['manifest']}")
    if not summaries or not any(s["posts"] for s in summaries):
        print("error: no post could be rebuilt from the archive", file=sys.stderr)
        return 1
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    from archiver.report import write_reports

    if not args.directory.is_dir():
        raise UserError(f"{args.directory} is not a folder: give an archiver output folder")
    paths = write_reports(args.directory, args.replay_url or "")
    if not paths:
        raise UserError(f"{args.directory} holds no posts.jsonl: give an archiver output folder")
    for path in paths:
        print(path)
    return 0


COMMANDS = {
    "crawl": cmd_crawl,
    "demo": cmd_demo,
    "extract": cmd_extract,
    "verify": cmd_verify,
    "pack": cmd_pack,
    "reextract": cmd_reextract,
    "report": cmd_report,
    "export": export.cmd_export,
    "worker": distributed_cli.cmd_worker,
    "merge": distributed_cli.cmd_merge,
}


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        if args.command == "crawl":
            args = config.apply_config(parser, argv, args)
        return COMMANDS[args.command](args)
    except UserError as exc:
        error_line(str(exc))
        return exc.code
    except Exception as exc:
        # crawl and demo promise one line per error; --verbose shows the traceback.
        if not hasattr(args, "verbose") or args.verbose:
            raise
        error_line(f"{type(exc).__name__}: {exc} (run again with --verbose for the traceback)")
        return 1


if __name__ == "__main__":
    sys.exit(main())
