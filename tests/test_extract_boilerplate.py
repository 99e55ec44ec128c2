"""BoilerplateModel: blocks repeated verbatim across one site's posts leave the bodies."""

from __future__ import annotations

import re

from archiver.extract import extract_post, merge_pages
from archiver.extract.boilerplate import BoilerplateModel, strip_site
from tests.conftest_extract import wordpress_page, wordpress_truth

POSTS = wordpress_truth()["posts"]
PLUGIN_TOP = '<p class="xq-ribbon">Reading time: a few minutes.</p>'
INNER_TEXT = "Enjoyed this post? Buy me a coffee and get the newsletter every Sunday morning."
PLUGIN_INNER = f'<div class="xq-box"><p>{INNER_TEXT}</p></div>'


def _inject(html: str) -> str:
    """A plugin's blocks at the start of the post content and after its first paragraph."""
    start = re.search(r'<div class="[^"]*wp-block-post-content[^"]*">', html)
    assert start is not None
    first_p = html.index("</p>", start.end()) + len("</p>")
    return (
        html[: start.end()]
        + PLUGIN_TOP
        + html[start.end() : first_p]
        + PLUGIN_INNER
        + html[first_p:]
    )


def _posts(inject: bool):
    out = []
    for truth_post in POSTS:
        parts = []
        for url in truth_post["page_urls"]:
            html = wordpress_page(url).decode("utf-8")
            parts.append(extract_post(_inject(html) if inject else html, url))
        out.append(merge_pages(parts) if len(parts) > 1 else parts[0])
    return out


def test_clean_site_loses_nothing():
    stripped = strip_site(_posts(inject=False))
    assert [p.body.text for p in stripped] == [t["body_text"] for t in POSTS]


def test_repeated_plugin_blocks_are_stripped_and_positions_follow():
    posts = _posts(inject=True)
    assert all(INNER_TEXT in p.body.text and "Reading time" in p.body.text for p in posts)
    stripped = strip_site(posts)
    assert [p.body.text for p in stripped] == [t["body_text"] for t in POSTS]
    for before, after in zip(posts, stripped, strict=True):
        assert "Buy me a coffee" not in after.body.html
        assert "Reading time" not in after.body.html
        assert after.word_count == len(after.body.text.split())
        assert after.content_digest == after.compute_digest()
        # A caption keeps its place: the text after it is the same, minus the plugin's block.
        for old, new in zip(before.captions, after.captions, strict=True):
            tail = before.body.text[old.position :].replace(INNER_TEXT + "\n\n", "")
            assert after.body.text[new.position :] == tail


def test_headings_repeated_on_purpose_stay():
    model = BoilerplateModel()
    texts = [
        f"Recipe {n} intro.\n\nIngredients\n\nFlour {n} g.\n\nMethod\n\nBake {n} min."
        for n in range(6)
    ]
    for text in texts:
        model.add(text)
    assert model.strip_text(texts[0]) == texts[0]


def test_too_few_pages_strip_nothing_and_a_body_never_empties():
    model = BoilerplateModel()
    model.add("A.\n\nShare this")
    model.add("B.\n\nShare this")
    assert model.strip_text("C.\n\nShare this") == "C.\n\nShare this"
    model.add("Share this")
    model.add("Share this")
    assert model.strip_text("Share this") == "Share this"
    assert model.strip_text("D.\n\nShare this") == "D."
