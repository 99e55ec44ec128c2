"""The peer "bare Scrapy" crawler: a CrawlSpider that only follows every link of a site.

    python benchmarks/bare_spider.py URL --urls-out FILE [-s NAME=VALUE ...]

One rule, ``LinkExtractor`` over every link of every page, scoped by origin (Scrapy's
``allowed_domains`` compares host *with* port, so a regex on the origin does it), robots.txt
obeyed, nothing extracted or stored. It writes the URLs of the pages it fetched (one a line) so the
benchmark can count the posts among them. Same concurrency flags as the archiver's benchmark run.
"""

from __future__ import annotations

import argparse
import re
from pathlib import Path
from typing import Any

from scrapy.crawler import CrawlerProcess
from scrapy.linkextractors import LinkExtractor
from scrapy.spiders import CrawlSpider, Rule

SETTINGS = {
    "ROBOTSTXT_OBEY": True,
    "CONCURRENT_REQUESTS": 16,
    "CONCURRENT_REQUESTS_PER_DOMAIN": 16,
    "DOWNLOAD_DELAY": 0,
    "AUTOTHROTTLE_ENABLED": False,
    "TELNETCONSOLE_ENABLED": False,
    "LOG_LEVEL": "INFO",
}


class BareSpider(CrawlSpider):
    """Follows every link below the start URL's origin and records what it fetched."""

    name = "bare"

    def __init__(self, url: str, urls_out: str, **kwargs: Any):
        origin = re.match(r"^https?://[^/]+", url).group(0)  # type: ignore[union-attr]
        self.start_urls = [url]
        self.rules = (
            Rule(LinkExtractor(allow=[rf"^{re.escape(origin)}/"]), callback="fetched", follow=True),
        )
        super().__init__(**kwargs)
        self.urls_out = Path(urls_out)
        self.fetched_urls: list[str] = []

    def parse_start_url(self, response: Any, **kwargs: Any) -> list[Any]:
        self.fetched_urls.append(response.url)
        return []

    def fetched(self, response: Any) -> None:
        self.fetched_urls.append(response.url)

    def closed(self, reason: str) -> None:
        self.urls_out.write_text("".join(u + "\n" for u in self.fetched_urls), "utf-8")


def main() -> int:
    ap = argparse.ArgumentParser(description="Crawl every link of a site with a bare CrawlSpider.")
    ap.add_argument("url")
    ap.add_argument("--urls-out", required=True, help="file to write the fetched URLs to")
    ap.add_argument("-s", dest="settings", action="append", default=[], metavar="NAME=VALUE")
    args = ap.parse_args()
    settings = dict(SETTINGS)
    settings.update(dict(s.split("=", 1) for s in args.settings))
    process = CrawlerProcess(settings)
    process.crawl(BareSpider, url=args.url, urls_out=args.urls_out)
    process.start()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
