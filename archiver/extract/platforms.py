"""Detect the blog platform (generator meta, markup conventions) and give its content roots."""

from __future__ import annotations

from .dom import DocIndex

# Generator meta values, lower-cased substring -> platform ("WordPress 6.4", "Hugo 0.120.0",
# "Jekyll v4.3.2", "Ghost 5.75", "Blogger", "Substack").
GENERATORS: dict[str, str] = {
    "wordpress": "wordpress",
    "blogger": "blogger",
    "ghost": "ghost",
    "hugo": "hugo",
    "jekyll": "jekyll",
    "medium": "medium",
    "substack": "substack",
    "tumblr": "tumblr",
}
# Markup conventions per platform: CSS selectors, and substrings of <link href>/<script src>.
MARKUP_SIGNS: dict[str, tuple[str, ...]] = {
    "wordpress": (
        "link[rel='https://api.w.org/']",
        ".wp-block-post-content, .wp-site-blocks",
    ),
    "blogger": ("div.post-body[id^=post-body-]", "meta[content=blogger]"),
    "ghost": (".gh-content, .gh-article, .kg-card",),
    "medium": (
        "meta[property='al:android:package'][content='com.medium.reader']",
        "meta[property='og:site_name'][content=Medium]",
        ".postArticle-content, .section-content .section-inner",
    ),
    "substack": (".available-content, .post.newsletter-post",),
    "tumblr": ("meta[property*=tumblr], meta[name*=tumblr]",),
    "hugo": (),
    "jekyll": (),
}
RESOURCE_SIGNS: dict[str, tuple[str, ...]] = {
    "wordpress": ("/wp-content/", "/wp-includes/"),
    "blogger": ("blogger.com", "blogblog.com"),
    "ghost": ("/ghost/", "ghost.io", "/public/cards.min"),
    "medium": ("cdn-static-1.medium.com", "medium.com/_/", "miro.medium.com"),
    "substack": ("substackcdn.com", "substack.com/"),
    "tumblr": ("tumblr.com", "assets.tumblr.com"),
    "hugo": (),
    "jekyll": (),
}
# Content roots per platform, most specific first.
CONTENT_ROOTS: dict[str, tuple[str, ...]] = {
    "wordpress": (
        ".wp-block-post-content",
        ".entry-content",
        ".post-content",
        ".post-entry",
        ".entry",
    ),
    "blogger": (".post-body", ".entry-content"),
    "ghost": (".gh-content", ".post-content", ".post-full-content", "section.content"),
    "medium": (
        "article .postArticle-content",
        "article",
    ),
    "substack": (".available-content .body", ".available-content", ".body.markup"),
    "tumblr": (
        ".post-content, .body-text",
        "article",
        ".post",
    ),
    # Hugo and Jekyll themes: the usual theme classes (PaperMod .post-content, Ananke
    # .e-content, Minima .post-content, Chirpy .content), then the article element.
    "hugo": (".post-content", ".e-content", ".content", "article"),
    "jekyll": (".post-content", ".e-content", ".entry-content", "article"),
}


# Chrome a platform prints inside its post markup, removed only on that platform's pages.
PLATFORM_CHROME: dict[str, str] = {
    "medium": ".speechify-ignore, .pw-multi-vote-count, .pw-responses-count",
    "substack": (
        ".subscription-widget-wrap, .subscribe-widget, .post-footer, .like-button-container, "
        ".post-ufi, .captioned-button-wrap, .button-wrapper"
    ),
    "ghost": ".gh-post-upgrade-cta, .kg-signup-card, .footer-cta, .article-byline",
    "tumblr": ".post-notes, ol.notes, .notes-container, .reblog-list, .post-controls",
    "blogger": ".post-share-buttons, .post-footer, .blog-pager",
    "hugo": ".post-meta, .post-tags, .paginav, .share-buttons, .toc",
    "jekyll": ".post-meta",
}


def detect_platform(index: DocIndex) -> str | None:
    """The platform name from the generator meta or markup conventions, or None if unknown."""
    for meta in index.by_tag.get("meta", ()):
        if (meta.get("name") or "").lower() != "generator":
            continue
        low = (meta.get("content") or "").lower()
        for key, name in GENERATORS.items():
            if key in low:
                return name
    resources = [el.get("href") or "" for el in index.by_tag.get("link", ())]
    resources += [el.get("src") or "" for el in index.by_tag.get("script", ())]
    resources += [el.get("src") or "" for el in index.by_tag.get("iframe", ())]
    for name, signs in MARKUP_SIGNS.items():
        if any(index.select(sign, live=False) for sign in signs):
            return name
        needles = RESOURCE_SIGNS[name]
        if needles and any(n in r for r in resources for n in needles):
            return name
    return None


def content_root_selectors(platform: str | None) -> tuple[str, ...]:
    """The platform's content-root selectors, most specific first (empty when unknown)."""
    return CONTENT_ROOTS.get(platform or "", ())


def platform_chrome(platform: str | None) -> str | None:
    """Selectors of chrome inside the post markup of ``platform`` (None when it has none)."""
    return PLATFORM_CHROME.get(platform or "")
