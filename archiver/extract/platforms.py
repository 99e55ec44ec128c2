"""Detect the blog platform and give its content-root selectors."""

from __future__ import annotations

from lxml import etree

from .selectors import any_cls, cls

GENERATOR = "//meta[translate(@name, 'GENERATOR', 'generator')='generator']/@content"
# Markup conventions, per platform, checked when the generator meta says nothing useful.
MARKUP_SIGNS: dict[str, tuple[str, ...]] = {
    "wordpress": (
        "//link[contains(@href, '/wp-content/') or contains(@href, '/wp-includes/')]",
        "//script[contains(@src, '/wp-content/') or contains(@src, '/wp-includes/')]",
        "//link[@rel='https://api.w.org/']",
        "//*[" + any_cls("wp-block-post-content", "wp-site-blocks") + "]",
    ),
    "blogger": (
        "//*[" + cls("post-body") + " and contains(@id, 'post-body-')]",
        "//link[contains(@href, 'blogger.com')]",
        "//meta[@content='blogger']",
        "//script[contains(@src, 'blogger.com')]",
    ),
    "ghost": ("//*[" + cls("gh-content") + "]", "//script[contains(@src, '/ghost/')]"),
    "medium": (
        "//meta[@property='al:android:package' and @content='com.medium.reader']",
        "//meta[@property='og:site_name' and @content='Medium']",
        "//link[contains(@href, 'cdn-static-1.medium.com') or contains(@href, 'medium.com/_/')]",
    ),
    "substack": (
        "//link[contains(@href, 'substackcdn.com')]",
        "//script[contains(@src, 'substackcdn.com')]",
        "//*[" + cls("available-content") + "]",
    ),
    "tumblr": (
        "//link[contains(@href, 'tumblr.com')]",
        "//script[contains(@src, 'tumblr.com')]",
        "//meta[contains(@property, 'tumblr')]",
        "//iframe[contains(@src, 'tumblr.com')]",
    ),
    "hugo": (),
    "jekyll": (),
}
# Content roots per platform, most specific first.
CONTENT_ROOTS: dict[str, tuple[str, ...]] = {
    "wordpress": (
        "//*[" + cls("wp-block-post-content") + "]",
        "//*[" + cls("entry-content") + "]",
        "//*[" + cls("post-content") + "]",
        "//*[" + cls("post-entry") + "]",
        "//*[" + cls("entry") + "]",
    ),
    "blogger": (
        "//*[" + cls("post-body") + "]",
        "//*[" + cls("entry-content") + "]",
    ),
    "ghost": ("//*[" + cls("gh-content") + "]", "//*[" + cls("post-content") + "]"),
    "medium": ("//article//*[" + cls("postArticle-content") + "]", "//article"),
    "substack": (
        "//*[" + cls("available-content") + "]//*[" + cls("body") + "]",
        "//*[" + cls("available-content") + "]",
    ),
    "tumblr": (
        "//*[" + any_cls("post-content", "body-text") + "]",
        "//article",
        "//*[" + cls("post") + "]",
    ),
    "hugo": ("//*[" + any_cls("post-content", "content") + "]", "//article"),
    "jekyll": ("//*[" + any_cls("post-content", "e-content") + "]", "//article"),
}


def detect_platform(root: etree._Element) -> str | None:
    """The platform name from the generator meta or markup conventions, or None if unknown."""
    for generator in root.xpath(GENERATOR):
        low = generator.lower()
        for name in CONTENT_ROOTS:
            if name in low:
                return name
    for name, signs in MARKUP_SIGNS.items():
        if any(root.xpath(sign) for sign in signs):
            return name
    return None


def content_root_xpaths(platform: str | None) -> tuple[str, ...]:
    """The platform's content-root XPaths, most specific first (empty when unknown)."""
    return CONTENT_ROOTS.get(platform or "", ())
