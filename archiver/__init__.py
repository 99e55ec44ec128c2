"""blog-archiver: crawl blogs into clean post JSON and replayable WARC files."""

__version__ = "0.1.0"
