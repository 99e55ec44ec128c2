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
# Items processed at once per response. Scrapy starts this many asyncio tasks for every
# response's output, however little it yields (one post, a few links): with 100, the default,
# that was 7% of the crawl process's time (py-spy) and 8 took the 2,000-post benchmark from 23.0
# to 19.8 s; posts of different responses are processed concurrently anyway.
CONCURRENT_ITEMS = 8
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

# Scrapy's HTTP/1.1 handler, also recording the status line and header lines as they went over the
# wire (reason phrase, Transfer-Encoding, repeated headers) for the WARC records: archiver.capture.
DOWNLOAD_HANDLERS = {
    "http": "archiver.capture.ArchiverDownloadHandler",
    "https": "archiver.capture.ArchiverDownloadHandler",
}

# 404/410 pages are archived (they are part of the record) but never extracted as posts.
HTTPERROR_ALLOWED_CODES = [404, 410]

# No remote Python console in an unattended archiver.
REMOTE_CONTROL_ENABLED = False
# Scrapy parses the source of every callback it calls (ast) to warn about `return value` in a
# generator: a per-response cost. tests/test_spider_callbacks.py checks ours once instead.
WARN_ON_GENERATOR_RETURN_VALUE = False
TELNETCONSOLE_ENABLED = False

DOWNLOADER_MIDDLEWARES = {
    "archiver.middlewares.ScopeMiddleware": 60,
    "archiver.middlewares.CrawlDelayMiddleware": 110,
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
    "archiver.middlewares.BackoffRetryMiddleware": 550,
}

EXTENSIONS = {
    "archiver.state.StateExtension": 50,
    "archiver.warc.WarcExtension": 100,
    "archiver.progress.ProgressExtension": 150,  # before the manifest: it adds posts by month
    "archiver.manifest.ManifestExtension": 200,
    "archiver.report.ReportExtension": 300,  # after the manifest: it lists its errors
}

ITEM_PIPELINES = {
    "archiver.extract_pool.PooledExtractPipeline": 100,  # ExtractPipeline in worker processes
    "archiver.pipelines.BoilerplatePipeline": 150,  # only with a site-level model (reextract)
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
# Processes extracting posts off the reactor (archiver.extract_pool): "auto" = one per CPU; 0 = none.
ARCHIVER_EXTRACT_WORKERS = "auto"
# Incremental re-runs (archiver.incremental): on by default once state.sqlite exists.
ARCHIVER_FULL = False
ARCHIVER_REFRESH_AFTER_DAYS = (
    None  # None: a known post is fetched again only when its listing says so
)
ARCHIVER_RECENT_MONTHS = 0  # 0: every month is re-walked
# Listing pages (home, months and their pagination) fetched at most: a bound on endless pagination.
ARCHIVER_MAX_LISTING_PAGES = 5000

WARC_ENABLED = True
WARC_PREFIX = ""
WARC_MAX_SIZE = 1024 * 1024 * 1024
WARC_WACZ = False  # also package DIR/<host>/<host>.wacz at the end of the crawl (--wacz)

# What a crawl shows and writes besides posts and WARCs (archiver.progress, archiver.report).
ARCHIVER_PROGRESS = "auto"  # auto (live on a terminal, else log lines), live, log or off
ARCHIVER_PROGRESS_INTERVAL = 15.0  # seconds between two progress log lines
ARCHIVER_CONSOLE_LEVEL = ""  # the archiver command's terminal log level; "" = WARNING or LOG_LEVEL
ARCHIVER_SUMMARY = True  # the archiver command prints the end-of-crawl summary
ARCHIVER_REPORT = True  # write DIR/<host>/report.html at the end of the crawl
ARCHIVER_REPLAY_URL = ""  # link report.html's posts to a replay (pywb collection URL or template)

# Distributed crawls (archiver.distributed): `archiver crawl --redis URL`, `archiver worker`.
ARCHIVER_REDIS_URL = ""  # redis://HOST:PORT/DB of a shared crawl; empty: a crawl of its own
ARCHIVER_REDIS_KEY = "archiver"  # prefix of the shared crawl's Redis keys (one crawl per prefix)
ARCHIVER_REDIS_SEED_ONLY = False  # `archiver crawl --redis`: queue the blogs, do not work on them
ARCHIVER_WORKER_ID = ""  # a worker's id, in its file names; empty: <host>-<pid>
ARCHIVER_REDIS_IDLE_TIMEOUT = 30.0  # a worker stops once the shared crawl had no work this long
ARCHIVER_REDIS_LEASE_TIMEOUT = 30.0  # a silent worker's requests go back to the queue after this
ARCHIVER_REDIS_POLL_INTERVAL = 0.5  # seconds between two looks at the shared queue when idle

LOG_LEVEL = "INFO"
LOG_FORMATTER = "archiver.logformatter.ArchiverLogFormatter"
DEFAULT_DROPITEM_LOG_LEVEL = "INFO"
FEED_EXPORT_ENCODING = "utf-8"
