"""Log lines that name the page, not the whole item: a dropped post is one readable line."""

from __future__ import annotations

import logging
from typing import Any

from scrapy import logformatter


class ArchiverLogFormatter(logformatter.LogFormatter):
    def dropped(self, item: Any, exception: BaseException, response: Any, spider: Any) -> Any:
        result = super().dropped(item, exception, response, spider)
        result["msg"] = "Not archived: %(exception)s"
        result["args"] = {"exception": exception}
        return result

    def item_error(self, item: Any, exception: BaseException, response: Any, spider: Any) -> Any:
        url = getattr(item, "url", None) or getattr(getattr(item, "pages", [None])[0], "url", None)
        return {
            "level": logging.ERROR,
            "msg": "Error processing the post at %(url)s",
            "args": {"url": url},
        }

    def scraped(self, item: Any, response: Any, spider: Any) -> Any:
        result = super().scraped(item, response, spider)
        result["msg"] = "Archived post %(url)s"
        result["args"] = {"url": getattr(item, "url", None)}
        return result
