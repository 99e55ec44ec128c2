"""Scrapy settings of blog-archiver: polite defaults for unattended archiving.

Every ``ARCHIVER_*`` / ``WARC_*`` setting can be overridden with ``-s NAME=VALUE`` on ``scrapy crawl``
or ``archiver crawl``.
"""

from __future__ import annotations

from archiver import __version__

BOT_NAME = "archiver"
SPIDER_MODULES = ["archiver.spiders"]
NEWSPIDER_MODULE = "archiver.spiders"

USER_AGENT = f"blog-archiver/{__version__} (+https://github.com/blog-archiver/blog-archiver)"

# Politeness: obey robots.txt, one request at a time per site, adaptive delay.
ROBOTSTXT_OBEY = True
CONCURRENT_REQUESTS = 16
CONCURRENT_REQUESTS_PER_DOMAIN = 2
DOWNLOAD_DELAY = 0.25
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 0.5
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0

# Bounded work per page: the decoded-size limit is also what defuses decompression bombs.
DOWNLOAD_MAXSIZE = 32 * 1024 * 1024
DOWNLOAD_WARNSIZE = 8 * 1024 * 1024
DOWNLOAD_TIMEOUT = 30
RETRY_TIMES = 2
# Retries wait: Retry-After when given, else RETRY_BACKOFF_BASE * 2**(attempt-1) seconds; capped.
RETRY_BACKOFF_BASE = 1.0
RETRY_MAX_DELAY = 60.0
ARCHIVER_MAX_CRAWL_DELAY = 60.0
# A truncated body is kept (and archived) and reported, not thrown away.
DOWNLOAD_FAIL_ON_DATALOSS = False
REDIRECT_MAX_TIMES = 10

# warcio and replay tools decode gzip and deflate only; br/zstd would be archived undecodable.
DEFAULT_REQUEST_HEADERS = {
    "Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
    "Accept-Language": "en",
    "Accept-Encoding": "gzip, deflate",
}

# 404/410 pages are archived (they are part of the record) but never extracted as posts.
HTTPERROR_ALLOWED_CODES = [404, 410]

# No remote Python console in an unattended archiver.
REMOTE_CONTROL_ENABLED = False
TELNETCONSOLE_ENABLED = False

DOWNLOADER_MIDDLEWARES = {
    "archiver.middlewares.ScopeMiddleware": 60,
    "archiver.middlewares.CrawlDelayMiddleware": 110,
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
    "archiver.middlewares.BackoffRetryMiddleware": 550,
}

EXTENSIONS = {
    "archiver.warc.WarcExtension": 100,
    "archiver.manifest.ManifestExtension": 200,
}

ITEM_PIPELINES = {
    "archiver.pipelines.ExtractPipeline": 100,
    "archiver.pipelines.ValidatePipeline": 200,
    "archiver.pipelines.DedupePipeline": 300,
    "archiver.pipelines.StorePipeline": 400,
}

# Output: DIR/<host>/{posts.jsonl, posts/, warc/, crawl-*.json}
ARCHIVER_OUTPUT_DIR = "output"
ARCHIVER_MAX_POSTS = 0
ARCHIVER_SINCE = ""
ARCHIVER_UNTIL = ""
ARCHIVER_USE_SITEMAPS = True
ARCHIVER_PROBE_POST_PAGES = True
# Listing pages (home, months and their pagination) fetched at most: a bound on endless pagination.
ARCHIVER_MAX_LISTING_PAGES = 5000

WARC_ENABLED = True
WARC_PREFIX = ""
WARC_MAX_SIZE = 1024 * 1024 * 1024

LOG_LEVEL = "INFO"
LOG_FORMATTER = "archiver.logformatter.ArchiverLogFormatter"
DEFAULT_DROPITEM_LOG_LEVEL = "INFO"
FEED_EXPORT_ENCODING = "utf-8"
