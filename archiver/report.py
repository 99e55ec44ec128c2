"""``output/<host>/report.html``: one self-contained page to look at what an archive holds.

Posts per month as an SVG bar chart, every post (title, date, words, captions, references) with
links to its JSON file and, when a replay URL is configured (``ARCHIVER_REPLAY_URL``), to its
replay in pywb or another Wayback-style player, and the errors of the latest crawl (from its
``crawl-*.json`` manifest). No network: CSS, script and chart are inline, and a
Content-Security-Policy forbids anything else. Text from the blog is escaped everywhere.

Written at the end of every crawl by ``ReportExtension`` (``ARCHIVER_REPORT``), and by
``archiver report DIR``.
"""

from __future__ import annotations

import hashlib
import json
import logging
from datetime import datetime, timezone
from html import escape
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple
from urllib.parse import quote, urlsplit

from archiver import __version__
from archiver.output import atomic_write_bytes, safe_slug, site_dir
from archiver.postsfile import POSTS_FILE, find_posts_files, iter_posts

if TYPE_CHECKING:
    from scrapy import Spider
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)

REPORT_NAME = "report.html"
MAX_ERROR_ROWS = 2000
"""Errors listed per report; the crawl manifest keeps them all."""
SECTIONS = {
    "errors": (("errors", "kind"), ("http_errors", "status"), ("fetch_failures", "kind")),
    "skipped": (("skipped", "kind"), ("dropped", "reason")),
}
"""Manifest lists of each report section, with the field naming the kind (``errors`` and
``skipped`` are archiver.events categories; the others are from manifests written before them)."""
CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; "
    "img-src data:; base-uri 'none'; form-action 'none'"
)


def month_range(first: str, last: str) -> list[str]:
    """Every ``YYYY-MM`` from ``first`` to ``last``, inclusive.

    >>> month_range("2019-11", "2020-02")
    ['2019-11', '2019-12', '2020-01', '2020-02']
    """
    y, m = int(first[:4]), int(first[5:7])
    months = []
    while f"{y:04d}-{m:02d}" <= last:
        months.append(f"{y:04d}-{m:02d}")
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return months


def post_json_path(
    site: Path, url: str, canonical_url: str | None = None, month: str | None = None
) -> Path | None:
    """The ``posts/YYYY/MM/<slug>.json`` file of a post (named as ``StorePipeline.post_path`` does)."""
    folder = site / "posts" / Path(*(month or "undated").split("-"))
    slug = safe_slug(canonical_url or url)
    suffix = hashlib.sha1(url.encode("utf-8")).hexdigest()[:8]
    for path in (folder / f"{slug}-{suffix}.json", folder / f"{slug}.json"):
        if path.is_file():
            return path
    return None


def replay_link(template: str, url: str, fetched_at: str | None = None) -> str | None:
    """The replay URL of a post: ``{timestamp}``/``{url}`` filled in, or pywb's ``COLL/TS/URL``.

    >>> replay_link("http://localhost:8080/blog/", "http://x.org/a/", "2024-05-01T10:20:30+00:00")
    'http://localhost:8080/blog/20240501102030/http://x.org/a/'
    """
    if not template:
        return None
    digits = "".join(c for c in (fetched_at or "")[:19] if c.isdigit())
    timestamp = digits if len(digits) == 14 else ""
    if "{url}" in template:
        return template.replace("{timestamp}", timestamp).replace("{url}", url)
    base = template.rstrip("/")
    return f"{base}/{timestamp}/{url}" if timestamp else f"{base}/{url}"


def latest_manifest(site: Path) -> dict[str, Any] | None:
    """The newest ``crawl-*.json`` of a site folder (names sort by time), or None."""
    for path in sorted(site.glob("crawl-*.json"), reverse=True):
        try:
            data = json.loads(path.read_text("utf-8"))
        except (OSError, ValueError) as exc:
            logger.warning("Crawl manifest %s not readable: %s", path, exc)
            continue
        if isinstance(data, dict):
            return data
    return None


def event_rows(manifest: dict[str, Any] | None, section: str) -> list[tuple[str, str, str]]:
    """(kind, URL, detail) of every event of a section (``errors`` or ``skipped``) of a manifest."""
    rows: list[tuple[str, str, str]] = []
    for key, kind_field in SECTIONS[section]:
        entries = (manifest or {}).get(key)
        if not isinstance(entries, list):
            continue
        for entry in entries:
            if not isinstance(entry, dict):
                continue
            kind = str(entry.get(kind_field) or key.replace("_", " "))
            if key == "http_errors":
                kind = f"http_{kind}"
            detail = entry.get("detail") or entry.get("message") or entry.get("error") or ""
            rows.append((kind, str(entry.get("url") or ""), str(detail)))
    return rows


def _href(url: str) -> str | None:
    """``url`` if it is http(s) (no ``javascript:`` from a hostile page), else None."""
    return url if urlsplit(url).scheme.lower() in ("http", "https") else None


def _link(url: str, text: str | None = None, cls: str = "") -> str:
    href = _href(url)
    label = escape(text if text is not None else url)
    if href is None:
        return label
    attr = f' class="{cls}"' if cls else ""
    return f'<a{attr} href="{escape(href)}" rel="noreferrer">{label}</a>'


def chart_svg(counts: dict[str, int]) -> str:
    """Posts per month as an inline SVG bar chart, one bar per month from the first to the last."""
    if not counts:
        return '<p class="empty">No dated posts.</p>'
    months = month_range(min(counts), max(counts))
    n = len(months)
    top = max(counts.values())
    width, height, left, bottom, pad = max(640, 14 * n), 220, 40, 34, 18
    step = (width - left - pad) / n
    bar_w = max(1.0, step * 0.8)
    scale = (height - bottom - pad) / top
    parts = [
        f'<svg id="chart" role="img" viewBox="0 0 {width} {height}" '
        f'preserveAspectRatio="xMinYMin meet" aria-label="Posts per month, {months[0]} to '
        f'{months[-1]}">',
        f'<line class="axis" x1="{left}" y1="{height - bottom}" x2="{width - pad}" '
        f'y2="{height - bottom}"/>',
        f'<text class="tick" x="{left - 6}" y="{pad + 4}" text-anchor="end">{top}</text>',
        f'<text class="tick" x="{left - 6}" y="{height - bottom}" text-anchor="end">0</text>',
        f'<line class="grid" x1="{left}" y1="{pad}" x2="{width - pad}" y2="{pad}"/>',
    ]
    for i, month in enumerate(months):
        value = counts.get(month, 0)
        x = left + i * step + (step - bar_w) / 2
        h = value * scale
        y = height - bottom - h
        label = f"{month}: {value} post{'' if value == 1 else 's'}"
        parts.append(
            f'<rect class="bar" data-month="{month}" data-count="{value}" x="{x:.1f}" '
            f'y="{y:.1f}" width="{bar_w:.1f}" height="{h:.1f}"><title>{label}</title></rect>'
        )
        if value and n <= 36:
            parts.append(
                f'<text class="count" x="{x + bar_w / 2:.1f}" y="{y - 4:.1f}" '
                f'text-anchor="middle">{value}</text>'
            )
        if n <= 24 or month.endswith("-01") or i == 0:
            text = month if n <= 12 else (month[:4] if month.endswith("-01") or i == 0 else "")
            if n <= 24 and not text:
                text = month[5:]
            parts.append(
                f'<text class="tick" x="{x + bar_w / 2:.1f}" y="{height - bottom + 14}" '
                f'text-anchor="middle">{text}</text>'
            )
    parts.append("</svg>")
    return "".join(parts)


class ReportPost(NamedTuple):
    """What the report shows of a post (``report_post``): no text, so that a big archive's posts
    are not all held in memory while its report is written."""

    url: str
    canonical_url: Any
    title: Any
    authors: str
    published: Any
    month: Any
    word_count: int
    captions: int
    references: int
    warc_file: Any
    warc_offset: Any
    fetched_at: Any
    site: Any


def _one_copy(shared: dict[Any, Any], value: Any) -> Any:
    """``value``, or the equal string already in ``shared``: one copy of what many posts repeat."""
    return shared.setdefault(value, value) if type(value) is str else value


def _site(shared: dict[Any, Any], site: Any) -> Any:
    """A post's ``site`` cut to the name and URL of the report's header, one copy per blog."""
    if not site or not isinstance(site, dict):
        return site
    small = {"name": _one_copy(shared, site.get("name")), "url": _one_copy(shared, site.get("url"))}
    if any(v is not None and type(v) is not str for v in small.values()):
        return small
    return shared.setdefault(("site", small["name"], small["url"]), small)


def report_post(post: dict[str, Any], shared: dict[Any, Any] | None = None) -> ReportPost:
    """The fields of a post that its row, the chart and the header show, values repeated across
    posts (month, WARC file, authors, site) taken from ``shared`` when given."""
    shared = {} if shared is None else shared
    url = post["url"]
    canonical = post.get("canonical_url")
    prov = post.get("provenance") or {}
    return ReportPost(
        url=url,
        canonical_url=url if canonical == url else canonical,
        title=post.get("title"),
        authors=_one_copy(shared, ", ".join(post.get("authors") or [])),
        published=post.get("published"),
        month=_one_copy(shared, (post.get("archive") or {}).get("month") or ""),
        word_count=int(post.get("word_count") or 0),
        captions=len(post.get("captions") or []),
        references=len(post.get("references") or []),
        warc_file=_one_copy(shared, prov.get("warc_file")),
        warc_offset=prov.get("warc_offset"),
        fetched_at=prov.get("fetched_at"),
        site=_site(shared, post.get("site")),
    )


def post_rows(site: Path, posts: list[ReportPost], replay: str) -> list[str]:
    """One ``<tr>`` per post."""
    rows = []
    for post in posts:
        title = post.title or post.url
        json_path = post_json_path(site, post.url, post.canonical_url, post.month)
        if json_path is not None:
            rel = json_path.relative_to(site).as_posix()
            title_html = f'<a class="json" href="{escape(quote(rel))}">{escape(title)}</a>'
        else:
            title_html = escape(title)
        warc = post.warc_file
        where = f"{warc} @ {post.warc_offset}" if warc else "no WARC record"
        replay_url = replay_link(replay, post.url, post.fetched_at) if warc else None
        archive_html = (
            _link(replay_url, "replay", "replay")
            if replay_url
            else '<span class="warc">WARC</span>'
        )
        authors = post.authors
        search = " ".join([title, authors, post.month, post.url]).lower()
        published = (post.published or "")[:10]
        rows.append(
            f'<tr data-month="{escape(post.month)}" data-search="{escape(search)}">'
            f"<td>{title_html}"
            f'<div class="sub">{_link(post.url, cls="orig")}'
            f"{' · ' + escape(authors) if authors else ''}</div></td>"
            f'<td class="date">{escape(published)}</td>'
            f'<td class="num">{post.word_count}</td>'
            f'<td class="num">{post.captions}</td>'
            f'<td class="num">{post.references}</td>'
            f'<td title="{escape(where)}">{archive_html}</td></tr>'
        )
    return rows


def report_parts(site: Path, replay: str = "") -> list[str]:
    """The report page of one site folder in pieces, a post row each, to be written out without
    ever being one string (four bytes a character with one emoji in one title)."""
    problems: list[str] = []
    shared: dict[Any, Any] = {}
    posts = (
        [report_post(p, shared) for p in iter_posts(site / POSTS_FILE, problems=problems)]
        if (site / POSTS_FILE).exists()
        else []
    )
    manifest = latest_manifest(site)
    counts: dict[str, int] = {}
    for post in posts:
        if post.month:
            counts[post.month] = counts.get(post.month, 0) + 1
    undated = sum(1 for p in posts if not p.month)
    posts.sort(key=lambda p: (p.published or "", p.url), reverse=True)
    errors = event_rows(manifest, "errors")
    skipped = event_rows(manifest, "skipped")
    traps = sum(((manifest or {}).get("counts") or {}).get("traps", {}).values() or [0])
    site_info = next((p.site for p in posts if p.site), None) or {}
    start_url = (manifest or {}).get("start_url") or site_info.get("url") or ""
    name = site_info.get("name") or site.name
    finished = (manifest or {}).get("finished_at") or "no crawl manifest"
    mcounts = (manifest or {}).get("counts") or {}
    generated = datetime.now(timezone.utc).isoformat(timespec="seconds")

    notes = [f"{undated} undated post(s) are not in the chart."] if undated else []
    notes += problems[:20]
    fields = {
        "csp": CSP,
        "title": escape(f"Archive of {name}"),
        "name": escape(name),
        "start": _link(start_url) if start_url else "",
        "facts": "".join(
            f"<div><dt>{escape(k)}</dt><dd>{escape(v)}</dd></div>"
            for k, v in (
                ("posts", str(len(posts))),
                ("months", str(len(counts))),
                ("pages fetched (latest crawl)", str(mcounts.get("responses", "–"))),
                ("errors (latest crawl)", str(len(errors))),
                ("latest crawl finished", finished),
            )
        ),
        "chart": chart_svg(counts),
        "notes": "".join(f'<p class="note">{escape(n)}</p>' for n in notes),
        "n_posts": len(posts),
        "n_errors": len(errors),
        "errors": events_table("error-table", errors, "No errors in the latest crawl."),
        "n_skipped": len(skipped),
        "skipped": events_table("skipped-table", skipped, "Nothing left out in the latest crawl."),
        "traps": (
            f'<p class="note">{traps} link(s) not followed on purpose (calendar pages, reply '
            "links, endless pagination...): listed under traps in the crawl manifest.</p>"
            if traps
            else ""
        ),
        "version": escape(__version__),
        "generated": escape(generated),
        "style": STYLE,
        "script": SCRIPT,
    }
    head, tail = TEMPLATE.split("{rows}")
    return [head.format(**fields), *post_rows(site, posts, replay), tail.format(**fields)]


def render_report(site: Path, replay: str = "") -> str:
    """The whole report page of one site folder."""
    return "".join(report_parts(site, replay))


def events_table(table_id: str, rows: list[tuple[str, str, str]], empty: str) -> str:
    """A table of (kind, URL, detail) rows, at most MAX_ERROR_ROWS of them."""
    if not rows:
        return f'<p class="empty">{escape(empty)}</p>'
    body = "".join(
        f"<tr><td>{escape(k)}</td><td>{_link(u)}</td><td>{escape(d)}</td></tr>"
        for k, u, d in rows[:MAX_ERROR_ROWS]
    )
    more = len(rows) - MAX_ERROR_ROWS
    return (
        f'<table id="{table_id}"><thead><tr><th>Kind</th><th>URL</th><th>Detail</th></tr></thead>'
        f"<tbody>{body}</tbody></table>"
        + (f'<p class="note">{more} more in the crawl manifest.</p>' if more > 0 else "")
    )


def write_report(site: Path, replay: str = "") -> Path:
    """Write ``site/report.html`` atomically and return its path."""
    path = site / REPORT_NAME
    atomic_write_bytes(path, b"".join([p.encode("utf-8") for p in report_parts(site, replay)]))
    return path


def write_reports(directory: Path, replay: str = "") -> list[Path]:
    """A report for each site folder in ``directory`` (or for ``directory`` itself)."""
    return [write_report(p.parent, replay) for p in find_posts_files(directory)]


class ReportExtension:
    """Writes ``report.html`` when a crawl ends (after the crawl manifest)."""

    def __init__(self, crawler: Crawler):
        self.crawler = crawler
        self.output_dir = Path(crawler.settings.get("ARCHIVER_OUTPUT_DIR", "output"))
        self.replay = crawler.settings.get("ARCHIVER_REPLAY_URL") or ""

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ReportExtension:
        from scrapy import signals
        from scrapy.exceptions import NotConfigured

        if not crawler.settings.getbool("ARCHIVER_REPORT", True):
            raise NotConfigured
        ext = cls(crawler)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        return ext

    def spider_closed(self, spider: Spider, reason: str) -> None:
        site = site_dir(self.output_dir, getattr(spider, "start_url", "") or "")
        if not site.is_dir():
            return
        try:
            path = write_report(site, self.replay)
        except Exception:
            logger.warning("report.html not written for %s", site, exc_info=True)
            self.crawler.stats.inc_value("archiver/report_failed")
            return
        self.crawler.stats.set_value("archiver/report", str(path))


STYLE = """
:root { color-scheme: light dark; --fg: #1d2330; --muted: #5b6473; --bg: #fff; --line: #dde2ea;
  --bar: #3b6fd8; --bar-hi: #e07a1f; --card: #f5f7fb; }
@media (prefers-color-scheme: dark) { :root { --fg: #e6e9ef; --muted: #9aa3b2; --bg: #14171d;
  --line: #2c323d; --bar: #6d9bf5; --bar-hi: #f5a25d; --card: #1c2029; } }
* { box-sizing: border-box; }
body { font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--fg);
  background: var(--bg); margin: 0 auto; max-width: 1100px; padding: 24px; }
h1 { margin: 0 0 4px; font-size: 26px; } h2 { font-size: 19px; margin: 28px 0 10px; }
a { color: var(--bar); } .sub, .sub a, .note, footer { color: var(--muted); font-size: 13px; }
dl.facts { display: flex; flex-wrap: wrap; gap: 10px; margin: 16px 0 0; }
dl.facts div { background: var(--card); border-radius: 8px; padding: 8px 14px; }
dt { font-size: 12px; color: var(--muted); } dd { margin: 0; font-size: 18px; font-weight: 600; }
#chart { width: 100%; height: auto; max-height: 280px; }
#chart .bar { fill: var(--bar); cursor: pointer; } #chart .bar:hover, #chart .bar.on { fill: var(--bar-hi); }
#chart .axis, #chart .grid { stroke: var(--line); } #chart .tick { fill: var(--muted); font-size: 11px; }
#chart .count { fill: var(--fg); font-size: 11px; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: 6px 8px; border-bottom: 1px solid var(--line); vertical-align: top; }
th { font-size: 13px; color: var(--muted); cursor: pointer; user-select: none; white-space: nowrap; }
th[aria-sort=ascending]::after { content: " ▲"; } th[aria-sort=descending]::after { content: " ▼"; }
td.num, th.num { text-align: right; } td.date { white-space: nowrap; }
.toolbar { display: flex; gap: 12px; align-items: center; margin-bottom: 8px; }
input[type=search] { flex: 1; max-width: 420px; padding: 6px 10px; font: inherit;
  border: 1px solid var(--line); border-radius: 6px; background: var(--bg); color: var(--fg); }
.warc { color: var(--muted); font-size: 13px; } .empty { color: var(--muted); }
#error-table td:nth-child(2), #skipped-table td:nth-child(2) { word-break: break-all; }
"""

SCRIPT = """
(function () {
  "use strict";
  var table = document.getElementById("post-table");
  var rows = Array.prototype.slice.call(table.tBodies[0].rows);
  var input = document.getElementById("filter");
  var shown = document.getElementById("shown");
  var month = "";
  function apply() {
    var q = input.value.trim().toLowerCase(), n = 0;
    rows.forEach(function (r) {
      var ok = (!q || r.dataset.search.indexOf(q) >= 0) && (!month || r.dataset.month === month);
      r.hidden = !ok; if (ok) n++;
    });
    shown.textContent = n + " of " + rows.length + " posts" + (month ? " in " + month : "");
  }
  input.addEventListener("input", apply);
  document.querySelectorAll("#chart .bar").forEach(function (bar) {
    bar.addEventListener("click", function () {
      month = month === bar.dataset.month ? "" : bar.dataset.month;
      document.querySelectorAll("#chart .bar").forEach(function (b) {
        b.classList.toggle("on", b.dataset.month === month);
      });
      apply();
    });
  });
  Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th, i) {
    th.addEventListener("click", function () {
      var asc = th.getAttribute("aria-sort") !== "ascending", num = th.classList.contains("num");
      Array.prototype.forEach.call(table.tHead.rows[0].cells, function (c) { c.removeAttribute("aria-sort"); });
      th.setAttribute("aria-sort", asc ? "ascending" : "descending");
      rows.sort(function (a, b) {
        var x = a.cells[i].textContent, y = b.cells[i].textContent;
        var d = num ? Number(x) - Number(y) : x.localeCompare(y);
        return asc ? d : -d;
      });
      rows.forEach(function (r) { table.tBodies[0].appendChild(r); });
    });
  });
  apply();
})();
"""

TEMPLATE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="{csp}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>{style}</style>
</head>
<body>
<header>
<h1>{name}</h1>
<div class="sub">{start}</div>
<dl class="facts">{facts}</dl>
</header>
<section>
<h2>Posts per month</h2>
{chart}
{notes}
</section>
<section>
<h2>Posts ({n_posts})</h2>
<div class="toolbar"><input type="search" id="filter" placeholder="Filter by title, author, month or URL"
 aria-label="Filter posts"><span id="shown" class="sub"></span></div>
<table id="post-table">
<thead><tr><th>Title</th><th>Published</th><th class="num">Words</th><th class="num">Captions</th>
<th class="num">References</th><th>Archive</th></tr></thead>
<tbody>{rows}</tbody>
</table>
</section>
<section>
<h2>Errors ({n_errors})</h2>
{errors}
</section>
<section>
<h2>Not archived ({n_skipped})</h2>
{skipped}
{traps}
</section>
<footer><p>Written by blog-archiver {version} at {generated}. Titles link to each post's JSON;
the Archive column to its replay when a replay URL is set (--replay-url), else it names the WARC
record.</p></footer>
<script>{script}</script>
</body>
</html>
"""
