"""The ``archiver`` command: crawl, demo, extract, verify.

``archiver crawl URL --output DIR`` runs the same crawl as ``scrapy crawl blog -a url=URL`` and
sets its own exit code from the outcome (Scrapy exits 0 even when the start URL is unreachable).
"""

from __future__ import annotations

import argparse
import json
import logging
import re
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from archiver import __version__

logger = logging.getLogger("archiver")

MONTH_ARG = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


def _month(value: str) -> str:
    if not MONTH_ARG.match(value):
        raise argparse.ArgumentTypeError(f"expected YYYY-MM, got {value!r}")
    return value


def _setting(value: str) -> tuple[str, str]:
    name, sep, val = value.partition("=")
    if not sep or not name:
        raise argparse.ArgumentTypeError(f"expected NAME=VALUE, got {value!r}")
    return name, val


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="archiver", description="Archive blogs as clean post JSON and WARC files."
    )
    parser.add_argument("--version", action="version", version=f"blog-archiver {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)

    crawl = sub.add_parser(
        "crawl", help="archive one or more blogs (home page or /YYYY/MM/ archive)"
    )
    crawl.add_argument("urls", nargs="+", metavar="URL")
    _crawl_options(crawl, default_output="output")

    demo = sub.add_parser("demo", help="serve the bundled demo blog on 127.0.0.1 and archive it")
    _crawl_options(demo, default_output="output/demo", default_log_level="WARNING")
    demo.add_argument("--port", type=int, default=0, help="port of the demo server (default: any)")

    extract = sub.add_parser("extract", help="print the post JSON of a saved page")
    extract.add_argument("page", type=Path)
    extract.add_argument("--url", required=True, help="the URL the page was fetched from")
    extract.add_argument("--encoding", default=None, help="charset hint for the page's bytes")

    verify = sub.add_parser("verify", help="check the WARC files and post JSON of an output folder")
    verify.add_argument("directory", type=Path)
    return parser


def _crawl_options(
    parser: argparse.ArgumentParser, default_output: str, default_log_level: str = "INFO"
) -> None:
    parser.add_argument(
        "--output",
        "-o",
        type=Path,
        default=Path(default_output),
        metavar="DIR",
        help=f"output folder (default: {default_output}/); posts go to DIR/<host>/",
    )
    parser.add_argument("--since", type=_month, metavar="YYYY-MM", help="first month to archive")
    parser.add_argument("--until", type=_month, metavar="YYYY-MM", help="last month to archive")
    parser.add_argument("--max-posts", type=int, default=0, metavar="N", help="stop after N posts")
    parser.add_argument("--no-sitemaps", action="store_true", help="do not read sitemaps")
    parser.add_argument("--no-warc", action="store_true", help="write JSON only, no WARC files")
    parser.add_argument(
        "-s",
        "--set",
        dest="settings",
        action="append",
        type=_setting,
        default=[],
        metavar="NAME=VALUE",
        help="any Scrapy or archiver setting",
    )
    parser.add_argument(
        "--log-level",
        default=default_log_level,
        choices=["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"],
    )


def crawl_settings(args: argparse.Namespace) -> Any:
    """Scrapy settings for a crawl: the project's, then the command-line options, then ``-s``."""
    from scrapy.settings import Settings

    settings = Settings()
    settings.setmodule("archiver.settings", priority="project")
    options = {
        "ARCHIVER_OUTPUT_DIR": str(args.output),
        "ARCHIVER_SINCE": args.since or "",
        "ARCHIVER_UNTIL": args.until or "",
        "ARCHIVER_MAX_POSTS": args.max_posts,
        "ARCHIVER_USE_SITEMAPS": not args.no_sitemaps,
        "WARC_ENABLED": not args.no_warc,
        "LOG_LEVEL": args.log_level,
    }
    settings.setdict(options, priority="cmdline")
    settings.setdict(dict(args.settings), priority="cmdline")
    return settings


def run_crawls(urls: Sequence[str], settings: Any) -> list[dict[str, Any]]:
    """Crawl each blog (concurrently, one crawler each) and summarise every crawl."""
    from scrapy.crawler import CrawlerProcess

    from archiver.spiders.blog import BlogSpider

    process = CrawlerProcess(settings)
    crawlers = []
    for url in urls:
        crawler = process.create_crawler(BlogSpider)
        crawlers.append(crawler)
        process.crawl(crawler, url=url)
    process.start()
    return [summarise(crawler) for crawler in crawlers]


def summarise(crawler: Any) -> dict[str, Any]:
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
        "manifest": stats.get("archiver/manifest"),
    }


def print_summary(summary: dict[str, Any], output: Path) -> None:
    from archiver.output import site_dir

    folder = site_dir(output, summary["url"] or "")
    months = summary["months"]
    print(f"Archived {summary['url']}")
    print(f"  posts written:   {summary['posts']}")
    print(
        f"  months found:    {len(months)}" + (f" ({months[0]} .. {months[-1]})" if months else "")
    )
    print(f"  pages fetched:   {summary['responses']}")
    if summary["dropped"]:
        print(
            "  not archived:    "
            + ", ".join(f"{k} {v}" for k, v in sorted(summary["dropped"].items()))
        )
    if summary["fetch_failures"]:
        print(f"  fetch failures:  {summary['fetch_failures']}")
    print(f"  WARC files:      {len(summary['warc_files'])} in {folder / 'warc'}")
    print(f"  posts:           {folder / 'posts.jsonl'} and {folder / 'posts'}/")
    if summary["manifest"]:
        print(f"  crawl manifest:  {summary['manifest']}")


def crawl_exit_code(summaries: list[dict[str, Any]]) -> int:
    """0 when every start URL answered and its crawl finished; 1 otherwise, with the reason logged."""
    code = 0
    for s in summaries:
        if s["start_status"] is None:
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
    return code


def cmd_crawl(args: argparse.Namespace) -> int:
    for url in args.urls:
        if not re.match(r"^https?://[^/]+", url):
            print(
                f"error: {url!r} is not an http(s) URL (example: https://example.org/)",
                file=sys.stderr,
            )
            return 2
    summaries = run_crawls(args.urls, crawl_settings(args))
    for summary in summaries:
        print_summary(summary, args.output)
    return crawl_exit_code(summaries)


def cmd_demo(args: argparse.Namespace) -> int:
    from archiver.demo import EXPECTED_PATH
    from archiver.demo.server import serve_site

    settings = crawl_settings(args)
    # The demo server is ours and local: no need to wait between requests.
    settings.setdict({"DOWNLOAD_DELAY": 0, "AUTOTHROTTLE_ENABLED": False}, priority="cmdline")
    with serve_site(port=args.port) as server:
        print(f"Demo blog served at {server.url}")
        summaries = run_crawls([server.url], settings)
    for summary in summaries:
        print_summary(summary, args.output)
    expected = json.loads(EXPECTED_PATH.read_text("utf-8"))
    n_expected = len(expected["posts"])
    print(f"Demo: {summaries[0]['posts']} of {n_expected} public posts archived.")
    print("Look at posts.jsonl for the dataset view, posts/YYYY/MM/*.json for one post each,")
    print("and verify the archive with: archiver verify " + str(args.output))
    return crawl_exit_code(summaries) or (0 if summaries[0]["posts"] == n_expected else 1)


def cmd_extract(args: argparse.Namespace) -> int:
    from archiver.extract import ExtractionError, extract_post

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


COMMANDS = {"crawl": cmd_crawl, "demo": cmd_demo, "extract": cmd_extract, "verify": cmd_verify}


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return COMMANDS[args.command](args)


if __name__ == "__main__":
    sys.exit(main())
