"""Every selector used by the extractor, named, so that a theme change is a one-line fix here.

Selectors are the CSS subset of ``dom.py`` (tags, classes, ids, attributes, descendant and child
combinators), evaluated on a one-pass index of the page. Platform conventions are named as such;
no rule names one site's class.
"""

from __future__ import annotations


def classes(*names: str, tag: str = "") -> str:
    """Selector list: elements (of ``tag``, if given) with any of the class tokens ``names``."""
    return ", ".join(f"{tag}.{n}" for n in names)


def ids(*names: str) -> str:
    """Selector list: elements whose id is one of ``names``."""
    return ", ".join(f"#{n}" for n in names)


# --- Not-a-post signals -------------------------------------------------------------------------
PASSWORD_FORM = "form.post-password-form, form[action*=postpass]"
PROTECTED_TITLE_PREFIXES = ("Protected:", "Private:")

# --- Removed everywhere, first -----------------------------------------------------------------
# Elements that never carry post text.
ALWAYS_DROP_TAGS = (
    "script",
    "style",
    "noscript",
    "template",
    "link",
    "meta",
    "form",
    "button",
    "input",
    "select",
    "textarea",
    "object",
    "embed",
    "dialog",
)
HIDDEN = "[role=dialog], " + classes(
    "hidden", "d-none", "hide", "modal", "sr-only", "visually-hidden"
)
# Also hidden: [hidden], [aria-modal=true], and inline styles containing these (compared with
# spaces removed, lower-cased).
HIDDEN_STYLES = ("display:none", "visibility:hidden")
AD_IFRAME_SRC = ("doubleclick", "googlesyndication", "amazon-adsystem", "adservice")
ADS = "ins.adsbygoogle, [id^=div-gpt-ad], iframe[id*=google_ads], " + classes(
    "adsbygoogle", "advertisement", "ad-container", "ad-slot", "ads"
)

# --- Chrome: removed around the content root ----------------------------------------------------
SKIP_LINKS = (
    classes("skip-link", "screen-reader-text", "skip-to-content", "assistive-text", tag="a")
    + ", .skip-link"
)
NAVIGATION = "nav, [role=navigation], [role=menubar], [role=menu], " + classes(
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
HEADER_FOOTER = (
    "header, footer, [role=banner], [role=contentinfo], "
    + ids("masthead", "colophon", "header", "footer", "site-header", "site-footer")
    + ", "
    + classes(
        "site-header", "site-footer", "entry-meta", "entry-footer", "post-meta", "post-footer"
    )
)
SIDEBARS = (
    "aside, [role=complementary], "
    + ids("secondary", "sidebar", "tertiary")
    + ", "
    + classes("widget", "widget-area", "sidebar", "wp-block-tag-cloud", "tagcloud")
)
SHARE_RELATED = "[id^=jp-relatedposts], [id^=sharing], " + classes(
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
    # Substack and Ghost subscription boxes and post footers (platform conventions).
    "subscription-widget-wrap",
    "post-ufi",
    "gh-post-upgrade-cta",
)
ARCHIVE_HEADINGS = (
    classes("page-title", "archive-title", "archive-header", "page-header")
    + ", h1.wp-block-query-title, h2.wp-block-query-title, h3.wp-block-query-title"
)
# Heading text of an archive page ("Monthly Archives: July 2019", "Month: November 2021").
ARCHIVE_HEADING_RE = (
    r"^\s*((daily|monthly|yearly|category|tag|author)\s+)?archives?\s*:|"
    r"^\s*(day|month|year|category|tag|author|posts tagged|posted in)\s*:"
)
COMMENT_SECTIONS = (
    ids("comments", "respond", "disqus_thread", "comment-section", "commentform")
    + ", "
    + classes(
        "comments",
        "comments-area",
        "comment-respond",
        "comment-list",
        "commentlist",
        "wp-block-comments",
        "wp-block-comments-query-loop",
        "wp-block-post-comments-form",
    )
)
# Links to the previous and next post (rel=prev/next is the HTML convention).
PREV_NEXT = (
    "a[rel~=prev], a[rel~=next], a.previous, a.prev, a.next, .nav-previous, .nav-next, "
    ".post-nav, .prev-next, .previous-post, .next-post"
)
# Chrome groups, in the order they are removed.
CHROME = (
    SKIP_LINKS,
    NAVIGATION,
    HEADER_FOOTER,
    SIDEBARS,
    SHARE_RELATED,
    ARCHIVE_HEADINGS,
    PREV_NEXT,
)
# A block inside the body made of rel=tag/category links and at most this many other characters
# ("Tags:", commas) is the post's tag list, not its text.
TAXONOMY_LINKS = "a[rel~=tag], a[rel~=category]"
TAXONOMY_LABEL_MAX_CHARS = 20

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
    "[itemprop=articleBody]",
    ".entry-content",
    ".post-content",
    ".post-body",
    ".article-content",
    ".article-body",
    ".e-content",
)
# A root candidate inside these is a comment, a widget or a teaser, not the post.
COMMENT_OR_SIDEBAR = (
    "aside, "
    + ids("comments", "secondary", "sidebar")
    + ", "
    + classes("comment", "comments", "comment-list", "commentlist", "wp-block-comments", "widget")
)

# --- Captions -------------------------------------------------------------------------------------
CAPTIONS = "figcaption, " + classes("wp-caption-text", "wp-caption-dd", "tr-caption")
CAPTION_CONTAINER = "figure, " + classes(
    "wp-caption", "tr-caption-container", "image-caption-container"
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
        "citations",
        "literature cited",
        "references and notes",
        "references and further reading",
        "sources and further reading",
    }
)
FOOTNOTE_HEADINGS = frozenset({"notes", "footnotes", "endnotes", "notes and references"})
# Bibliography blocks recognised by markup: Pandoc/citeproc entries, reference lists.
REFERENCE_BLOCKS = (
    "#refs, div.references, ol.references, ul.references, ol.bibliography, ul.bibliography, "
    "[role=doc-bibliography]"
)
REFERENCE_ENTRY = ".csl-entry"
# Footnote lists: Pandoc/kramdown/Hugo (section.footnotes, div.footnotes, role=doc-endnotes),
# WordPress core footnote blocks, and plugins (Easy Footnotes, Footnotes Made Easy, WP-Footnotes,
# modern-footnotes lists, Jetpack), then generic id conventions (fn:1, fn1, fn-1, footnote-1).
FOOTNOTE_CONTAINERS = (
    "section.footnotes, div.footnotes, aside.footnotes, [role=doc-endnotes], "
    "ol.footnotes, ol.wp-block-footnotes, ol.easy-footnotes-wrapper, div.footnotes_reference_container, "
    "ol.modern-footnotes-list, ul.footnotes, div.footnote-list"
)
FOOTNOTE_ITEM_ID_RE = r"^(?:fn|footnote|easy-footnote-bottom|ftn|note|endnote)[-_:]?[\w.-]*\d"
# A back-link to the marker inside a note: removed from the note's text.
FOOTNOTE_BACKLINK_CLASSES = frozenset(
    {
        "footnote-backref",
        "footnote-back-link",
        "reversefootnote",
        "footnote-return",
        "easy-footnote-to-top",
    }
)
FOOTNOTE_BACKLINK_HREF_RE = r"^#(?:fnref|fnr|ref|footnote-ref|easy-footnote-\d)"
# Characters a link made only of them is a return arrow (WordPress core footnotes, many plugins).
BACKLINK_CHARS = "\u21a9\ufe0e\ufe0f\u2191\u2934^ "
# Footnote markers in the text: links to a note (collected to map marker -> note id).
FOOTNOTE_MARKERS = "a[href^='#fn'], a[href^='#footnote'], a[role=doc-noteref], sup a[href^='#']"

# --- Metadata -------------------------------------------------------------------------------------
TITLE_HEADINGS = (
    classes("entry-title", "post-title", "wp-block-post-title", "p-name", tag="h1"),
    "h1.wp-block-post-title, h1.entry-title, h2.wp-block-post-title, h2.entry-title",
    "h2.post-title, h2.entry-title, h3.post-title, h3.entry-title",
    "article h1",
    "[itemprop=headline]",
)
AUTHOR_SELECTORS = (
    ".wp-block-post-author__name",
    ".author .fn",
    "a[rel~=author]",
    "[itemprop=author] [itemprop=name]",
    "[itemprop=author]",
    classes("post-author", "author-name", "entry-author"),
    ".byline",
)
PUBLISHED_SELECTORS = (
    ("[itemprop=datePublished]", "content"),
    ("time[itemprop=datePublished]", "datetime"),
    (".wp-block-post-date time", "datetime"),
    ("time.published", "datetime"),
    ("time.entry-date", "datetime"),
    ("abbr.published", "title"),
    ("time[pubdate]", "datetime"),
    ("article time", "datetime"),
)
MODIFIED_SELECTORS = (
    ("[itemprop=dateModified]", "content"),
    ("time[itemprop=dateModified]", "datetime"),
    ("time.updated", "datetime"),
    ("abbr.updated", "title"),
)
TAXONOMY_CATEGORY_CONTAINERS = classes(
    "taxonomy-category", "cat-links", "post-categories", "entry-categories", "categories"
)
TAXONOMY_TAG_CONTAINERS = classes(
    "taxonomy-post_tag", "tags-links", "tag-links", "post-tags", "entry-tags", "tags", "post-labels"
)
SITE_NAME_SELECTORS = (
    ".wp-block-site-title a",
    ".site-title a",
    ".site-title",
    "#site-title",
    "a[rel~=home]",
)

# --- Comments -------------------------------------------------------------------------------------
COMMENT_LISTS = classes("comment-list", "commentlist", "wp-block-comment-template")
COMMENT_AUTHOR = ".comment-author .fn, .wp-block-comment-author-name, .comment-author"
COMMENT_CONTENT = classes("comment-content", "wp-block-comment-content", "comment-text")
