"""Signals of blog-archiver, sent through the crawler's ``SignalManager`` like Scrapy's own.

Handlers connect with ``crawler.signals.connect(handler, signal=archiver.signals.post_stored)``.
"""

from __future__ import annotations

post_stored = object()
"""Sent by ``StorePipeline`` after a post was written, with ``post`` (the dict written, provenance
included) and ``line`` (its JSON as written to posts.jsonl, bytes). The WARC extension answers it with the post's ``metadata`` record."""
