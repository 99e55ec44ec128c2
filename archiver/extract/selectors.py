"""Every XPath used by the extractor, named, so that a theme change is a one-line fix here."""

from __future__ import annotations


def cls(name: str) -> str:
    """XPath predicate body: the element's class attribute contains the token ``name``."""
    return f"contains(concat(' ', normalize-space(@class), ' '), ' {name} ')"


def any_cls(*names: str) -> str:
    """XPath predicate body: the element has any of the class tokens ``names``."""
    return " or ".join(cls(n) for n in names)


def any_id(*names: str) -> str:
    """XPath predicate body: the element's id is one of ``names``."""
    return " or ".join(f"@id='{n}'" for n in names)


# --- Not-a-post signals -------------------------------------------------------------------------
PASSWORD_FORM = f"//form[{cls('post-password-form')}] | //form[contains(@action, 'postpass')]"
PROTECTED_TITLE_PREFIXES = ("Protected:", "Private:")

# --- Chrome: removed everywhere before the content root is chosen ------------------------------
# Elements that never carry post text.
ALWAYS_DROP = (
    "//script | //style | //noscript | //template | //link | //meta | //form | //button"
    " | //input | //select | //textarea | //object | //embed | //dialog"
)
HIDDEN = (
    "//*[@hidden or @aria-modal='true' or @role='dialog'"
    " or " + any_cls("hidden", "d-none", "hide", "modal", "sr-only", "visually-hidden") + "]"
    " | //*[@hidden] | //*[contains(translate(@style, ' ', ''), 'display:none')]"
    " | //*[contains(translate(@style, ' ', ''), 'visibility:hidden')]"
)
AD_IFRAMES = (
    "//iframe[contains(@src, 'doubleclick') or contains(@src, 'googlesyndication')"
    " or contains(@src, 'amazon-adsystem') or contains(@src, 'adservice')"
    " or contains(@id, 'google_ads') or not(@src)]"
    " | //ins[" + cls("adsbygoogle") + "] | //*[starts-with(@id, 'div-gpt-ad')]"
    " | //*[" + any_cls("adsbygoogle", "advertisement", "ad-container", "ad-slot", "ads") + "]"
)
SKIP_LINKS = (
    "//a[" + any_cls("skip-link", "screen-reader-text", "skip-to-content", "assistive-text") + "]"
    " | //*[" + cls("skip-link") + "]"
    " | //a[starts-with(@href, '#') and starts-with(normalize-space(.), 'Skip to')]"
)
NAVIGATION = (
    "//nav | //*[@role='navigation'] | //*[@role='menubar'] | //*[@role='menu']"
    " | //*["
    + any_cls(
        "menu",
        "nav",
        "navigation",
        "navbar",
        "nav-menu",
        "main-navigation",
        "post-navigation",
        "posts-navigation",
        "nav-links",
        "navigation-links",
        "breadcrumb",
        "breadcrumbs",
        "pagination",
        "page-links",
        "post-nav-links",
        "wp-block-navigation",
        "wp-block-post-navigation-link",
        "wp-block-query-pagination",
    )
    + "]"
)
HEADER_FOOTER = (
    "//header | //footer | //*[@role='banner'] | //*[@role='contentinfo']"
    " | //*["
    + any_id("masthead", "colophon", "header", "footer", "site-header", "site-footer")
    + "]"
    " | //*["
    + any_cls(
        "site-header", "site-footer", "entry-meta", "entry-footer", "post-meta", "post-footer"
    )
    + "]"
)
SIDEBARS = (
    "//aside | //*[@role='complementary']"
    " | //*[" + any_id("secondary", "sidebar", "tertiary") + "]"
    " | //*[" + any_cls("widget", "widget-area", "sidebar", "wp-block-tag-cloud", "tagcloud") + "]"
)
SHARE_RELATED = (
    "//*[starts-with(@id, 'jp-relatedposts') or starts-with(@id, 'sharing')]"
    " | //*["
    + any_cls(
        "sharedaddy",
        "jp-relatedposts",
        "sharing",
        "share",
        "shares",
        "share-buttons",
        "social-share",
        "social-sharing",
        "sharing-buttons",
        "addtoany_share_save_container",
        "related",
        "related-posts",
        "yarpp-related",
        "wp-block-jetpack-related-posts",
        "jp-post-flair",
        "likes",
        "wpl-likebox",
        "author-bio",
        "newsletter",
        "subscribe",
    )
    + "]"
)
ARCHIVE_HEADINGS = (
    "//*[" + any_cls("page-title", "archive-title", "archive-header", "page-header") + "]"
    " | //*[self::h1 or self::h2 or self::h3][" + cls("wp-block-query-title") + "]"
)
# Heading text of an archive page ("Monthly Archives: July 2019", "Month: November 2021").
ARCHIVE_HEADING_RE = (
    r"^\s*((daily|monthly|yearly|category|tag|author)\s+)?archives?\s*:|"
    r"^\s*(day|month|year|category|tag|author|posts tagged|posted in)\s*:"
)
COMMENT_SECTIONS = (
    "//*[" + any_id("comments", "respond", "disqus_thread", "comment-section", "commentform") + "]"
    " | //*["
    + any_cls(
        "comments",
        "comments-area",
        "comment-respond",
        "comment-list",
        "commentlist",
        "wp-block-comments",
        "wp-block-comments-query-loop",
        "wp-block-post-comments-form",
    )
    + "]"
)

# Readability.js's "unlikely candidate" class/id words: inside the content root an element
# matching UNLIKELY (and not MAYBE) is chrome that a theme nested into the post.
UNLIKELY_RE = (
    r"-ad-|ai2html|banner|breadcrumbs|combx|comment|community|cover-wrap|disqus|extra|footer|gdpr|"
    r"header|legends|menu|related|remark|replies|rss|shoutbox|sidebar|skyscraper|social|sponsor|"
    r"supplemental|ad-break|agegate|pagination|pager|popup|yom-remote|byline|share|sharing"
)
MAYBE_RE = r"and|article|body|column|content|main|mathjax|shadow"

# --- Content roots --------------------------------------------------------------------------------
# Platform-independent markers of the post body, tried after the platform's own selectors.
GENERIC_ROOTS = (
    "//*[@itemprop='articleBody']",
    "//*[" + cls("entry-content") + "]",
    "//*[" + cls("post-content") + "]",
    "//*[" + cls("post-body") + "]",
    "//*[" + cls("article-content") + "]",
    "//*[" + cls("article-body") + "]",
    "//*[" + cls("e-content") + "]",
)

# --- Captions -------------------------------------------------------------------------------------
CAPTIONS = "//figcaption | //*[" + any_cls("wp-caption-text", "wp-caption-dd", "tr-caption") + "]"
CAPTION_CONTAINER = (
    "ancestor::*[self::figure or "
    + any_cls("wp-caption", "tr-caption-container", "image-caption-container")
    + "][1]"
)

# --- References / footnotes ----------------------------------------------------------------------
REFERENCE_HEADINGS = frozenset(
    {
        "bibliography",
        "further reading",
        "literature",
        "reference",
        "references",
        "source",
        "sources",
        "works cited",
    }
)
FOOTNOTE_HEADINGS = frozenset({"notes", "footnotes", "endnotes"})
REFERENCE_BLOCKS = (
    "//*[" + cls("csl-entry") + "]/parent::*[not(ancestor::*[" + cls("csl-entry") + "])]"
    " | //ol[" + cls("references") + "]"
)
FOOTNOTE_LISTS = (
    "//ol[" + cls("footnotes") + " or " + cls("wp-block-footnotes") + "]"
    " | //*[" + cls("footnotes") + "]//ol"
    " | //li[starts-with(@id, 'footnote')]/parent::ol"
    " | //*[@role='doc-endnotes']//li/parent::* | //li[starts-with(@id, 'fn')]/parent::*"
)
FOOTNOTE_BACKLINK = (
    "a[starts-with(@href, '#fnref') or @role='doc-backlink' or @rev='footnote'"
    " or "
    + any_cls("footnote-backref", "footnote-back-link", "reversefootnote")
    # WordPress core footnotes and many plugins: an in-page link made only of a return arrow.
    + " or (starts-with(@href, '#') and normalize-space(@href) != '#'"
    " and translate(normalize-space(.), '\u21a9\ufe0e\ufe0f\u2191\u2934^ ', '') = '')]"
)

# --- Metadata -------------------------------------------------------------------------------------
NOT_IN_COMMENTS_OR_SIDEBAR = (
    "not(ancestor::*["
    + any_cls("comment", "comments", "comment-list", "commentlist", "wp-block-comments", "widget")
    + " or self::aside or "
    + any_id("comments", "secondary", "sidebar")
    + "])"
)
TITLE_HEADINGS = (
    "//h1[" + any_cls("entry-title", "post-title", "wp-block-post-title", "p-name") + "]",
    "//*[self::h1 or self::h2][" + any_cls("wp-block-post-title", "entry-title") + "]",
    "//*[self::h2 or self::h3][" + any_cls("post-title", "entry-title") + "]",
    "//article//h1",
    "//*[@itemprop='headline']",
)
AUTHOR_XPATHS = (
    "//*[" + cls("wp-block-post-author__name") + "]",
    "//*[" + cls("author") + "]//*[" + cls("fn") + "]",
    "//a[@rel='author']",
    "//*[@itemprop='author']//*[@itemprop='name']",
    "//*[@itemprop='author']",
    "//*[" + any_cls("post-author", "author-name", "entry-author") + "]",
    "//*[" + cls("byline") + "]",
)
PUBLISHED_XPATHS = (
    "//*[@itemprop='datePublished']/@content",
    "//time[@itemprop='datePublished']/@datetime",
    "//*[" + cls("wp-block-post-date") + "]//time/@datetime",
    "//time[" + cls("published") + "]/@datetime",
    "//time[" + cls("entry-date") + "]/@datetime",
    "//abbr[" + cls("published") + "]/@title",
    "//time[@pubdate]/@datetime",
    "//article//time/@datetime",
)
MODIFIED_XPATHS = (
    "//*[@itemprop='dateModified']/@content",
    "//time[@itemprop='dateModified']/@datetime",
    "//time[" + cls("updated") + "]/@datetime",
    "//abbr[" + cls("updated") + "]/@title",
)
CATEGORY_LINKS = (
    "//a[contains(concat(' ', normalize-space(@rel), ' '), ' category ')]"
    " | //*["
    + any_cls("taxonomy-category", "cat-links", "post-categories", "entry-categories", "categories")
    + "]//a"
)
CATEGORY_CONTAINER = (
    "ancestor::*["
    + any_cls("taxonomy-category", "cat-links", "post-categories", "entry-categories", "categories")
    + "]"
)
TAG_LINKS = (
    "//*["
    + any_cls(
        "taxonomy-post_tag",
        "tags-links",
        "tag-links",
        "post-tags",
        "entry-tags",
        "tags",
        "post-labels",
    )
    + "]//a | //a[contains(concat(' ', normalize-space(@rel), ' '), ' tag ')]"
)
SITE_NAME_XPATHS = (
    "//*[" + cls("wp-block-site-title") + "]//a",
    "//*[" + cls("site-title") + "]//a",
    "//*[" + cls("site-title") + "]",
    "//*[@id='site-title']",
    "//a[@rel='home']",
)

# --- Comments -------------------------------------------------------------------------------------
COMMENT_ITEMS = (
    "//*["
    + any_cls("comment-list", "commentlist", "wp-block-comment-template")
    + "]//li[starts-with(@id, 'comment-') or "
    + any_cls("comment")
    + "]"
)
COMMENT_AUTHOR = (
    ".//*[" + cls("comment-author") + "]//*[" + cls("fn") + "]"
    " | .//*[" + cls("wp-block-comment-author-name") + "]"
    " | .//*[" + cls("comment-author") + "]"
)
COMMENT_CONTENT = (
    ".//*[" + any_cls("comment-content", "wp-block-comment-content", "comment-text") + "]"
)
COMMENT_TIME = ".//time[@datetime]"

# --- Multi-page posts -----------------------------------------------------------------------------
PAGE_LINKS = "//a[@href]"
