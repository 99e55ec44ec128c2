"""JSON-LD blocks of a page: parsed leniently, the article object found, values read safely.

Invalid blocks are skipped (never raise): pages wrap JSON-LD in HTML comments or CDATA, leave
raw newlines in strings, or write several objects with trailing commas.
"""

from __future__ import annotations

import json
import re
from typing import Any

from .dom import DocIndex

ARTICLE_TYPES = frozenset(
    {
        "article",
        "blogposting",
        "newsarticle",
        "techarticle",
        "scholarlyarticle",
        "report",
        "socialmediaposting",
        "posting",
        "liveblogposting",
        "analysisnewsarticle",
        "opinionnewsarticle",
        "reportagenewsarticle",
    }
)
# Nesting deeper than this is not metadata (and must not exhaust the stack).
MAX_DEPTH = 20
_WRAPPER_RE = re.compile(r"^\s*(?:<!--|//\s*<!\[CDATA\[|<!\[CDATA\[)|(?:-->|//\s*\]\]>|\]\]>)\s*$")
_TRAILING_COMMA_RE = re.compile(r",\s*([}\]])")


def _loads(raw: str) -> Any:
    text = _WRAPPER_RE.sub("", raw.strip())
    for candidate in (text, _TRAILING_COMMA_RE.sub(r"\1", text)):
        try:
            return json.loads(candidate, strict=False)
        except (ValueError, RecursionError):
            continue
    return None


def json_ld_objects(index: DocIndex) -> list[dict[str, Any]]:
    """Every JSON object of the page's JSON-LD blocks (top level, lists, @graph), in order."""
    objects: list[dict[str, Any]] = []

    def walk(node: Any, depth: int) -> None:
        if depth > MAX_DEPTH:
            return
        if isinstance(node, list):
            for item in node:
                walk(item, depth + 1)
        elif isinstance(node, dict):
            objects.append(node)
            if "@graph" in node:
                walk(node["@graph"], depth + 1)
            main = node.get("mainEntity")
            if isinstance(main, (dict, list)):
                walk(main, depth + 1)

    for script in index.by_tag.get("script", ()):
        if (script.get("type") or "").strip().lower() != "application/ld+json":
            continue
        walk(_loads(script.text or ""), 0)
    return objects


def types(obj: dict[str, Any]) -> set[str]:
    """Lower-cased @type names of an object (without a schema.org prefix)."""
    value = obj.get("@type")
    values = value if isinstance(value, list) else [value]
    return {str(v).rsplit("/", 1)[-1].lower() for v in values if isinstance(v, str) and v}


def article(objects: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The page's article object (BlogPosting, Article, ...), or None."""
    return next((o for o in objects if types(o) & ARTICLE_TYPES), None)


def names(value: Any, depth: int = 0) -> list[str]:
    """Names out of a person/organisation value (string, object or list of them)."""
    if depth > MAX_DEPTH:
        return []
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        name = value.get("name")
        if isinstance(name, str):
            return [name]
        if isinstance(name, list):
            return [n for n in name if isinstance(n, str)][:1]
        return []
    if isinstance(value, list):
        return [n for v in value for n in names(v, depth + 1)]
    return []


def strings(value: Any) -> list[str]:
    """A string or list of strings as a list; keywords "a, b" split on commas."""
    if isinstance(value, str):
        return [part for part in value.split(",") if part.strip()]
    if isinstance(value, list):
        return [v for v in value if isinstance(v, str) and v.strip()]
    return []


def string(value: Any) -> str | None:
    """A string value, or the first string of a list; None otherwise."""
    if isinstance(value, str):
        return value
    if isinstance(value, list):
        return next((v for v in value if isinstance(v, str)), None)
    if isinstance(value, dict):
        ident = value.get("@id") or value.get("url")
        return ident if isinstance(ident, str) else None
    return None
