"""Which links of a blog matter: monthly archives, their pagination, post permalinks, sitemaps.

Pure functions of (html or xml, url): no Scrapy, no I/O. The spider asks these what to request;
everything else on a page (tag clouds, calendars, comment-reply links, feeds, search) is ignored,
which is both politeness and most of the crawl's speed.
"""

from __future__ import annotations

import functools
import hashlib
import re
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, unquote, urlencode, urljoin, urlsplit, urlunsplit

import lxml.etree
import lxml.html

# A monthly archive, relative to the blog's base path: "2019/07/" (optionally "/page/N/").
MONTH_PATH = re.compile(
    r"^(?P<year>(?:19|20)\d\d)/(?P<month>0[1-9]|1[0-2])/?(?:page/(?P<page>\d+)/?)?$"
)
# Permalinks that carry their date: /2019/07/13/slug/, /2019/07/slug/, Blogger's /2019/07/slug.html.
DATED_POST_PATH = re.compile(
    r"^(?P<year>(?:19|20)\d\d)/(?P<month>0[1-9]|1[0-2])/(?:(?P<day>[0-3]\d)/)?(?P<slug>[^/]+?)(?:/|\.html?)?$"
)
# Day and year archives: listings, not posts.
DATE_LISTING_PATH = re.compile(r"^(?:19|20)\d\d/(?:\d\d/(?:\d\d/)?)?(?:page/\d+/?)?$")
# Home/listing pagination: "page/2/" after the listing's own path, or Blogger/other "?paged=2".
PAGE_SUFFIX = re.compile(r"^(?P<base>.*?/)page/(?P<page>\d+)/?$")

# Links never followed: comment replies, admin, search, feeds, embeds, taxonomy and author
# listings (they only repeat posts reachable from the monthly archives), attachment pages.
TRAP_PATH = re.compile(
    r"(?:^|/)(?:wp-admin|wp-login\.php|wp-json|xmlrpc\.php|wp-comments-post\.php|feed|comments/feed"
    r"|embed|trackback|search|tag|category|author|attachment|wp-content|wp-includes)(?:/|$)",
)
TRAP_QUERY_KEYS = frozenset(
    {
        "replytocom",
        "s",
        "share",
        "like_comment",
        "preview",
        "p",
        "page_id",
        "attachment_id",
        "amp",
        "unapproved",
        "moderation-hash",
        "action",
        "redirect_to",
        "doing_wp_cron",
        "ical",
        "output",
    }
)
# Query parameters that only track or identify a session: dropped, never part of a URL's identity.
TRACKING_KEYS = re.compile(
    r"^(?:utm_\w+|fbclid|gclid|mc_[ce]id|_ga|ref|PHPSESSID|sid|sessionid|jsessionid)$", re.I
)

# Calendar widgets link to months (and days) the archive does not list: never a source of months.
# (The cheap contains(@class, ...) predicates first: they spare normalize-space on most elements.)
CALENDAR_XPATH = (
    "//*[@id='wp-calendar'] | //*[contains(@class, 'calendar')]"
    "[contains(concat(' ', normalize-space(@class), ' '), ' wp-calendar-nav ')"
    " or contains(@class, 'wp-block-calendar') or contains(@class, 'widget_calendar')]"
)
LISTING_CHROME_XPATH = (
    "//aside | //nav | //footer[not(ancestor::article)] | //header[not(ancestor::article)]"
    " | //*[@id='secondary' or @id='sidebar']"
    " | //*[contains(@class, 'widget') or contains(@class, 'sidebar')]"
    "[contains(concat(' ', normalize-space(@class), ' '), ' widget ')"
    " or contains(concat(' ', normalize-space(@class), ' '), ' sidebar ')]"
)
# Full post bodies (not excerpts) on a listing page: as archiver.extract.listing counts them.
FULL_CONTENT_XPATH = (
    "//*[(contains(concat(' ', normalize-space(@class), ' '), ' entry-content ')"
    " or contains(concat(' ', normalize-space(@class), ' '), ' post-content ')"
    " or contains(concat(' ', normalize-space(@class), ' '), ' post-body ')"
    " or contains(concat(' ', normalize-space(@class), ' '), ' e-content ')"
    " or @itemprop='articleBody')"
    " and not(ancestor::*[contains(concat(' ', normalize-space(@class), ' '), ' entry-content ')"
    " or contains(concat(' ', normalize-space(@class), ' '), ' post-content ')])]"
)
ARCHIVE_OPTION_XPATH = "//select//option/@value"
NEXT_LINK_XPATH = (
    "//link[@rel='next']/@href | //a[@rel='next']/@href"
    " | //a[contains(concat(' ', normalize-space(@class), ' '), ' next ')]/@href"
    " | //a[contains(@class, 'query-pagination-next')]/@href"
    " | //a[contains(@class, 'blog-pager-older-link')]/@href"
)
# Title links of listed posts, in every convention we know; rel=bookmark is WordPress's own.
POST_LINK_XPATH = (
    "//a[contains(concat(' ', normalize-space(@rel), ' '), ' bookmark ')]/@href"
    " | //*[contains(@class, 'wp-block-post-title')]//a/@href"
    " | //*[contains(concat(' ', normalize-space(@class), ' '), ' entry-title ')]//a/@href"
    " | //*[contains(concat(' ', normalize-space(@class), ' '), ' post-title ')]//a/@href"
    " | //article//*[self::h1 or self::h2 or self::h3]/a/@href"
)


@dataclass(frozen=True)
class Scope:
    """The blog: an origin (scheme, host, port) and a base path; nothing outside it is fetched."""

    origin: str
    base_path: str

    @classmethod
    def from_start_url(cls, url: str) -> tuple[Scope, str | None]:
        """The scope of a start URL and, when it is a monthly archive, that month ("YYYY-MM").

        >>> Scope.from_start_url("http://127.0.0.1:8091/blog/2019/07/")
        (Scope(origin='http://127.0.0.1:8091', base_path='/blog/'), '2019-07')
        """
        parts = urlsplit(url)
        origin = f"{parts.scheme}://{parts.netloc}".lower()
        path = parts.path or "/"
        m = re.search(r"(?:^|/)((?:19|20)\d\d)/(0[1-9]|1[0-2])/?(?:page/\d+/?)?$", path)
        if m:
            return cls(origin, path[: m.start(1)] or "/"), f"{m.group(1)}-{m.group(2)}"
        if not path.endswith("/"):
            path = path.rsplit("/", 1)[0] + "/"
        return cls(origin, path), None

    @property
    def home(self) -> str:
        return self.origin + self.base_path

    def relative(self, url: str) -> str | None:
        """The URL's path below the base path, or None when the URL is outside the blog."""
        return _relative(self.origin, self.base_path, url)

    def month_url(self, month: str) -> str:
        """URL of a monthly archive, "YYYY-MM" -> ".../YYYY/MM/"."""
        year, mon = month.split("-")
        return f"{self.home}{year}/{mon}/"


# A listing page repeats the same links (menus, widgets) and so does every page after it: the
# pure per-URL helpers below are memoised (bounded), which makes listing pages several times
# cheaper to parse. The bound keeps memory flat on blogs of any size.
URL_CACHE_SIZE = 8192


@functools.lru_cache(maxsize=URL_CACHE_SIZE)
def _relative(origin: str, base_path: str, url: str) -> str | None:
    """``Scope(origin, base_path).relative(url)``."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        return None
    if f"{parts.scheme}://{parts.netloc}".lower() != origin:
        return None
    path = parts.path or "/"
    if not path.startswith(base_path):
        return None
    return path[len(base_path) :]


@functools.lru_cache(maxsize=URL_CACHE_SIZE)
def canonicalize(url: str) -> str:
    """Drop the fragment and tracking/session parameters, so one page has one URL.

    >>> canonicalize("http://x.org/a/?utm_source=t&b=1#comments")
    'http://x.org/a/?b=1'
    """
    parts = urlsplit(url)
    query = [
        (k, v)
        for k, v in parse_qsl(parts.query, keep_blank_values=True)
        if not TRACKING_KEYS.match(k)
    ]
    return urlunsplit((parts.scheme, parts.netloc, parts.path or "/", urlencode(query), ""))


@functools.lru_cache(maxsize=URL_CACHE_SIZE)
def is_trap(url: str) -> bool:
    """True for links an archive must not follow (replies, admin, search, feeds, taxonomies...).

    >>> is_trap("http://x.org/2019/07/13/a/?replytocom=5"), is_trap("http://x.org/2019/07/")
    (True, False)
    """
    parts = urlsplit(url)
    if TRAP_PATH.search(parts.path):
        return True
    return any(
        k.lower() in TRAP_QUERY_KEYS for k, _ in parse_qsl(parts.query, keep_blank_values=True)
    )


@functools.lru_cache(maxsize=URL_CACHE_SIZE)
def month_of_archive(scope: Scope, url: str) -> str | None:
    """ "YYYY-MM" when the URL is a monthly archive page (first or later page) of the blog."""
    rel = scope.relative(url)
    if rel is None or urlsplit(url).query:
        return None
    m = MONTH_PATH.match(rel)
    return f"{m.group('year')}-{m.group('month')}" if m else None


@functools.lru_cache(maxsize=URL_CACHE_SIZE)
def month_of_post_url(scope: Scope, url: str) -> str | None:
    """ "YYYY-MM" from a dated permalink (/2019/07/13/slug/), else None."""
    rel = scope.relative(url)
    if rel is None or DATE_LISTING_PATH.match(rel):
        return None
    m = DATED_POST_PATH.match(rel)
    return f"{m.group('year')}-{m.group('month')}" if m else None


@dataclass
class Listing:
    """What a listing page (home, monthly archive and their pagination) points to."""

    months: dict[str, str] = field(default_factory=dict)
    """"YYYY-MM" -> archive URL, from archive widgets, dropdowns and dated permalinks."""
    posts: list[str] = field(default_factory=list)
    """Post permalinks, canonical, in page order, each once."""
    next_pages: list[str] = field(default_factory=list)
    """Further pages of this same listing."""
    traps: dict[str, set[str]] = field(default_factory=dict)
    """Links not followed, by kind: "calendar", "comment_reply", "query_variant", "tracking_params"."""
    full_posts_without_link: int = 0
    """Posts printed in full on the page whose permalink is nowhere (classic themes can do that):
    extracted from the listing page itself."""
    entries: dict[str, str] = field(default_factory=dict)
    """Post URL -> digest of its entry's text in the listing (title, date, excerpt, comment
    count): when it changes between two crawls, the post has probably changed."""
    archive_months: set[str] = field(default_factory=set)
    """Months the page links as monthly archives (widgets, dropdowns), not guessed from posts."""


MAX_PARSE_BYTES = 8 * 1024 * 1024
"""Only this much of a listing page is parsed for links: a tree of a 30 MB page takes gigabytes."""


def parse_tree(html: str | bytes) -> lxml.html.HtmlElement | None:
    """Parse a page leniently (its first ``MAX_PARSE_BYTES``); None when there is nothing to parse."""
    if not html or not html.strip():
        return None
    html = html[:MAX_PARSE_BYTES]
    try:
        return lxml.html.document_fromstring(html)
    except (lxml.etree.ParserError, ValueError):
        return None


# An absolute link with a host: joined to any base URL, it canonicalizes to the same URL.
_ABSOLUTE = re.compile(r"^https?://[^/?#\\]", re.I)


def absolute_link(base: str, href: str) -> str:
    """``canonicalize(urljoin(base, href))``, without the join for absolute links.

    >>> absolute_link("http://x.org/blog/", "2019/07/?utm_source=t")
    'http://x.org/blog/2019/07/'
    """
    if _ABSOLUTE.match(href):
        return canonicalize(href)
    return canonicalize(urljoin(base, href))


def _links(tree: lxml.html.HtmlElement, xpath: str, base: str) -> list[str]:
    out: list[str] = []
    for href in tree.xpath(xpath):
        href = str(href).strip()
        if href and not href.startswith(("#", "javascript:", "mailto:")):
            out.append(absolute_link(base, href))
    return out


def _base_url(tree: lxml.html.HtmlElement, url: str) -> str:
    base = tree.xpath("//base/@href")
    return urljoin(url, str(base[0]).strip()) if base else url


def parse_listing(html: str | bytes, url: str, scope: Scope) -> Listing:
    """Months, post permalinks and next pages linked from a listing page."""
    listing = Listing()
    tree = parse_tree(html)
    if tree is None:
        return listing
    base = _base_url(tree, url)
    for cal in tree.xpath(CALENDAR_XPATH):
        for link in _links(cal, ".//a/@href", base):
            if scope.relative(link) is not None:
                listing.traps.setdefault("calendar", set()).add(link)
        cal.drop_tree()
    _collect_query_traps(tree, base, scope, listing.traps)

    all_links = _links(tree, "//a/@href", base) + _links(tree, ARCHIVE_OPTION_XPATH, base)
    listing.next_pages = _next_pages(tree, base, url, scope)
    # Posts are taken from the listing itself, not from widgets that list other months' posts.
    for chrome in tree.xpath(LISTING_CHROME_XPATH):
        chrome.drop_tree()
    seen_posts: set[str] = set()

    def add_post(link: str) -> None:
        if link in seen_posts or scope.relative(link) is None or is_trap(link):
            return
        if month_of_archive(scope, link) or link == scope.home or urlsplit(link).query:
            return
        rel = scope.relative(link) or ""
        if not rel or PAGE_SUFFIX.match(rel) or DATE_LISTING_PATH.match(rel):
            return
        seen_posts.add(link)
        listing.posts.append(link)

    for href in tree.xpath(POST_LINK_XPATH):
        link = absolute_link(base, str(href).strip())
        add_post(link)
        if link in seen_posts and link not in listing.entries:
            listing.entries[link] = _entry_digest(href.getparent())
    for link in _links(tree, "//a/@href", base):
        rel = scope.relative(link)
        if rel is not None and DATED_POST_PATH.match(rel) and not DATE_LISTING_PATH.match(rel):
            add_post(link)
    if not listing.posts:
        listing.full_posts_without_link = len(tree.xpath(FULL_CONTENT_XPATH))

    for link in all_links:
        month = month_of_archive(scope, link)
        if month:
            listing.archive_months.add(month)
    for link in [*all_links, *listing.posts]:
        month = month_of_archive(scope, link) or month_of_post_url(scope, link)
        if month and month not in listing.months:
            listing.months[month] = scope.month_url(month)

    return listing


ENTRY_CLASSES = frozenset(
    {"post", "hentry", "type-post", "wp-block-post", "entry", "blog-post", "post-outer"}
)
"""Class names of the element that holds one post's entry in a listing (besides <article>)."""


def _entry_digest(link: lxml.html.HtmlElement) -> str:
    """Digest of the text of the listing entry around a post link (its article or post block)."""
    entry = link
    for ancestor in link.iterancestors():
        if ancestor.tag == "article" or ENTRY_CLASSES.intersection(
            (ancestor.get("class") or "").split()
        ):
            entry = ancestor
            break
    text = " ".join(entry.text_content().split())
    return hashlib.sha1(text.encode("utf-8")).hexdigest()


def _collect_query_traps(
    tree: lxml.html.HtmlElement, base: str, scope: Scope, traps: dict[str, set[str]]
) -> None:
    """Note in-blog links that carry comment-reply, tracking or other query parameters."""
    for href in tree.xpath("//a/@href[contains(., '?')]"):
        link = urljoin(base, str(href).strip()).split("#", 1)[0]
        if scope.relative(link) is None:
            continue
        keys = {k.lower() for k, _ in parse_qsl(urlsplit(link).query, keep_blank_values=True)}
        if "replytocom" in keys:
            kind = "comment_reply"
        elif any(TRACKING_KEYS.match(k) for k in keys):
            kind = "tracking_params"
        else:
            kind = "query_variant"
        traps.setdefault(kind, set()).add(link)


def page_number(url: str) -> int | None:
    """The N of a ``.../page/N/`` listing URL; 1 for a listing's first page; None otherwise
    (a rel=next link such as Blogger's ``?updated-max=`` says nothing of where it leads).

    >>> page_number("http://x.org/page/7/"), page_number("http://x.org/"), page_number("http://x.org/?updated-max=1")
    (7, 1, None)
    """
    parts = urlsplit(url)
    if parts.query:
        return None
    m = PAGE_SUFFIX.match(parts.path)
    return int(m.group("page")) if m else 1


def _next_pages(tree: lxml.html.HtmlElement, base: str, url: str, scope: Scope) -> list[str]:
    """Later pages of the same listing: rel=next/next links, and any ".../page/N/" of its path."""
    own = urlsplit(url).path
    m = PAGE_SUFFIX.match(own)
    listing_path = m.group("base") if m else (own if own.endswith("/") else own + "/")
    found: list[str] = []
    for link in _links(tree, NEXT_LINK_XPATH, base) + _links(tree, "//a/@href", base):
        if "/page/" not in link:  # what PAGE_SUFFIX needs: most links leave here, cheaply
            continue
        if scope.relative(link) is None or is_trap(link) or link in found:
            continue
        path = urlsplit(link).path
        pm = PAGE_SUFFIX.match(path)
        if pm and pm.group("base") == listing_path and int(pm.group("page")) >= 2 and path != own:
            found.append(link)
    return found


# Sitemaps that list posts; page, taxonomy and user sitemaps are skipped.
NON_POST_SITEMAP = re.compile(
    r"(?:page|tag|categor|taxonom|user|author|attachment|image|video)", re.I
)
SITEMAP_NS = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


@dataclass
class Sitemap:
    sitemaps: list[str] = field(default_factory=list)
    """Child sitemaps (of a sitemap index) that may list posts."""
    posts: list[tuple[str, str | None]] = field(default_factory=list)
    """(post URL, lastmod or None) of an urlset."""


def parse_sitemap(xml: bytes, url: str, scope: Scope) -> Sitemap:
    """Post URLs and child sitemaps of a sitemap; entities and DTDs are never resolved."""
    result = Sitemap()
    parser = lxml.etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False, recover=True
    )
    try:
        root = lxml.etree.fromstring(xml, parser=parser)
    except lxml.etree.XMLSyntaxError:
        return result
    if root is None:
        return result
    tag = lxml.etree.QName(root).localname
    name = urlsplit(url).path.rsplit("/", 1)[-1]
    # Undated URLs are trusted as posts only from a sitemap that says it lists posts.
    post_sitemap = "post" in name.lower() and not NON_POST_SITEMAP.search(name.replace("post", ""))
    for entry in root:
        if not isinstance(entry.tag, str):
            continue
        loc = entry.findtext(f"{SITEMAP_NS}loc") or entry.findtext("loc")
        if not loc:
            continue
        link = canonicalize(urljoin(url, loc.strip()))
        if scope.relative(link) is None or is_trap(link):
            continue
        if tag == "sitemapindex":
            if not NON_POST_SITEMAP.search(urlsplit(link).path.rsplit("/", 1)[-1]):
                result.sitemaps.append(link)
        elif tag == "urlset":
            rel = scope.relative(link) or ""
            dated = bool(DATED_POST_PATH.match(rel)) and not DATE_LISTING_PATH.match(rel)
            if (post_sitemap and rel and not DATE_LISTING_PATH.match(rel)) or dated:
                lastmod = entry.findtext(f"{SITEMAP_NS}lastmod") or entry.findtext("lastmod")
                result.posts.append((link, lastmod.strip() if lastmod else None))
    return result


def month_in_range(month: str, since: str | None, until: str | None) -> bool:
    """Whether "YYYY-MM" lies within the inclusive [since, until] bounds (either may be empty)."""
    return (not since or month >= since) and (not until or month <= until)


# WordPress block themes (6.1 and others) render a post split with <!--nextpage--> without any
# link to its further pages, so the only way to find page 2 is to ask for <permalink>2/.
BLOCK_THEME_CONTENT = b"wp-block-post-content"
PAGE_LINK_MARKERS = (b"post-page-numbers", b"page-links", b"post-nav-links")


def needs_page_probe(body: bytes) -> bool:
    """Whether a post page may hide further pages: block-theme content and no page links."""
    if BLOCK_THEME_CONTENT not in body or b"post-password-form" in body:
        return False
    return not any(m in body for m in PAGE_LINK_MARKERS)


# A relative link to a numbered page ("2/", "./3/"): resolved against a permalink, it is one.
# Searched in lower-cased bytes; the literal "href" start keeps the scan fast (no re.I).
_RELATIVE_PAGE_HREF = re.compile(rb"""href\s*=\s*["']?(?:\./)?\d""")


def may_link_further_pages(body: bytes, url: str) -> bool:
    """False only when a post page cannot link to ``<permalink>N/``: a cheap byte scan that
    spares the full parse of ``archiver.extract.next_page_urls`` on nearly every post.

    Such a link names the permalink's last path segment (the page's, less a trailing page
    number) followed by ``/`` and a digit, or is a relative ``N/``, or sits in WordPress's
    page-link markup (any of them: True).

    >>> may_link_further_pages(b'<a href="/2019/07/13/slug/2/">2</a>', "http://x.org/2019/07/13/slug/")
    True
    >>> may_link_further_pages(b'<a href="/2019/07/13/slug/#respond">Reply</a>', "http://x.org/2019/07/13/slug/")
    False
    """
    low = body.lower()
    if b"page-link" in low or any(m in low for m in PAGE_LINK_MARKERS):
        return True
    if _RELATIVE_PAGE_HREF.search(low):
        return True
    # The permalink is the path, or the path less a trailing page number ("/slug/3/").
    segments = [s for s in urlsplit(url).path.split("/") if s]
    if len(segments) > 1 and segments[-1].isdigit():
        segments.pop()
    if not segments:
        return True
    segment = segments[-1]
    needles = {
        segment.encode("utf-8", "replace").lower(),
        unquote(segment).encode("utf-8", "replace").lower(),
    }
    for needle in needles:
        needle = b"/" + needle + b"/"
        start = low.find(needle)
        while start != -1:
            if low[start + len(needle) : start + len(needle) + 1].isdigit():
                return True
            start = low.find(needle, start + 1)
    return False


def nth_page_url(permalink: str, n: int) -> str:
    """URL of page ``n`` of a multi-page post, WordPress style (``<permalink>n/``).

    >>> nth_page_url("http://x.org/2019/07/13/slug/", 2)
    'http://x.org/2019/07/13/slug/2/'
    """
    parts = urlsplit(permalink)
    return urlunsplit((parts.scheme, parts.netloc, parts.path.rstrip("/") + f"/{n}/", "", ""))
