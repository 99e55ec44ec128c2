"""The end-of-crawl summary: counts, posts by month, errors by kind, where the output went.

Plain text (the same on a terminal, in a cron mail and in a CI log), made from the summary that
``archiver.cli.summarise`` builds from a finished crawler.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

BAR_WIDTH = 30
MAX_MONTH_ROWS = 36
"""Past three years of months, the table shows years (report.html has every month)."""


def bar(value: int, largest: int, width: int = BAR_WIDTH) -> str:
    """A text bar proportional to ``value``; any non-zero value gets at least one block.

    >>> bar(5, 10, 10), bar(1, 1000, 10), bar(0, 10, 10)
    ('█████', '█', '')
    """
    if value <= 0 or largest <= 0:
        return ""
    return "█" * max(1, round(width * value / largest))


def posts_table(posts_by_month: dict[str, int]) -> list[str]:
    """``  2019-07    12  ████`` rows, by month, or by year when there are many months."""
    rows = dict(sorted(posts_by_month.items()))
    title = "posts by month"
    if len(rows) > MAX_MONTH_ROWS:
        years: dict[str, int] = {}
        for month, n in rows.items():
            years[month[:4]] = years.get(month[:4], 0) + n
        rows, title = years, "posts by year"
    if not rows:
        return []
    largest = max(rows.values())
    width = max(len(k) for k in rows)
    lines = [f"  {title}"]
    lines += [f"    {k:<{width}} {n:>6}  {bar(n, largest)}" for k, n in rows.items()]
    return lines


def errors_table(errors_by_kind: dict[str, int]) -> list[str]:
    """``errors by kind`` rows, or one line saying there was none."""
    if not errors_by_kind:
        lines = ["  errors:          none"]
    else:
        width = max(len(k) for k in errors_by_kind)
        lines = ["  errors by kind"]
        lines += [f"    {k:<{width}} {n:>6}" for k, n in sorted(errors_by_kind.items())]
    return lines


def format_summary(summary: dict[str, Any], output: Path) -> str:
    """The summary of one crawl, as printed by ``archiver crawl`` and ``archiver demo``."""
    from archiver.output import site_dir

    folder = site_dir(output, summary["url"] or "")
    months = summary["months"]
    lines = [
        f"Archived {summary['url']}",
        f"  posts written:   {summary['posts']}",
        f"  months found:    {len(months)}" + (f" ({months[0]} .. {months[-1]})" if months else ""),
        f"  pages fetched:   {summary['responses']}",
    ]
    if summary["dropped"]:
        lines.append(
            "  not archived:    "
            + ", ".join(f"{k} {v}" for k, v in sorted(summary["dropped"].items()))
        )
    if summary["fetch_failures"]:
        lines.append(f"  fetch failures:  {summary['fetch_failures']}")
    lines += [
        f"  WARC files:      {len(summary['warc_files'])} in {folder / 'warc'}",
    ]
    if summary.get("wacz"):
        lines.append(f"  WACZ package:    {summary['wacz']}")
    lines.append(f"  posts:           {folder / 'posts.jsonl'} and {folder / 'posts'}/")
    if summary.get("manifest"):
        lines.append(f"  crawl manifest:  {summary['manifest']}")
    if summary.get("report"):
        lines.append(f"  report:          {summary['report']}")
    lines += posts_table(summary.get("posts_by_month") or {})
    lines += errors_table(summary.get("errors_by_kind") or {})
    return "\n".join(lines)
