"""Post extraction: pure functions of (html, url) -> Post. No Scrapy, no I/O.

Public API:
- ``extract_post(html, url, encoding=None) -> Post``; raises ``NotAPost`` for pages that are not
  an archivable post (password-protected, empty), ``ExtractionError`` for pages that cannot be parsed.
- ``next_page_urls(html, url) -> list[str]``: links to the further pages of a multi-page post.
- ``merge_pages(parts) -> Post``: one post from the extractions of its pages, in order.
"""
