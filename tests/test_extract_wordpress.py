"""extract_post against the recorded WordPress site's truth.json (every public post)."""

from __future__ import annotations

import difflib
import re

import pytest

from archiver.extract import NotAPost, extract_post, merge_pages
from tests.conftest_extract import wordpress_page, wordpress_truth

POSTS = wordpress_truth()["posts"]
# Body text similarity floor (difflib ratio over whitespace-collapsed text).
MIN_BODY_RATIO = 0.95


def _extract(truth_post: dict):
    parts = [extract_post(wordpress_page(u), u) for u in truth_post["page_urls"]]
    return merge_pages(parts) if len(parts) > 1 else parts[0]


@pytest.fixture(scope="module", params=POSTS, ids=[p["slug"][:40] for p in POSTS])
def case(request):
    truth_post = request.param
    return truth_post, _extract(truth_post)


def test_metadata(case):
    truth, post = case
    assert post.title == truth["title"]
    assert post.published == truth["published"]
    if post.modified is not None:  # the block theme does not print it; compare when present
        assert post.modified == truth["modified"]
    assert post.authors == [truth["author"]]
    assert post.categories == truth["categories"]
    assert post.tags == truth["tags"]
    assert post.language == "en-US"
    assert post.site.platform == "wordpress"
    assert post.site.name == "Kettle & Telescope"
    assert post.canonical_url == truth["url"]


def test_body_text(case):
    truth, post = case
    got = re.sub(r"\s+", " ", post.body.text).strip()
    ratio = difflib.SequenceMatcher(None, got, truth["body_text_normalized"]).ratio()
    assert ratio >= MIN_BODY_RATIO
    assert post.body.text == truth["body_text"]  # currently exact; the ratio is the contract
    assert post.word_count == len(truth["body_text"].split())
    assert post.content_digest == post.compute_digest()


def test_captions(case):
    truth, post = case
    assert [c.text for c in post.captions] == truth["captions"]


def test_references_and_footnotes(case):
    truth, post = case
    bibliography = [(r.text, r.url, r.urls) for r in post.references if r.kind == "bibliography"]
    footnotes = [(r.text, r.url, r.urls) for r in post.references if r.kind == "footnote"]
    assert bibliography == [(r["text"], r["url"], r["urls"]) for r in truth["references"]]
    assert footnotes == [(r["text"], r["url"], r["urls"]) for r in truth["footnotes"]]


def test_images(case):
    truth, post = case
    assert [i.url for i in post.images] == truth["image_urls"]
    assert [i.alt for i in post.images] == [i["alt"] for i in truth["images"]]


def test_comments(case):
    truth, post = case
    assert [(c.author, c.text) for c in post.comments] == [
        (c["author"], c["text"]) for c in truth["comments"]
    ]
    by_id = {f"comment-{c['id']}": c for c in truth["comments"]}
    for comment in post.comments:
        expected_parent = by_id[comment.id]["parent"]
        assert comment.parent == (f"comment-{expected_parent}" if expected_parent else None)
        assert comment.published.startswith(by_id[comment.id]["date"])


def test_no_chrome_in_body(case):
    _, post = case
    for chrome in ("Skip to content", "Leave a Reply", "Proudly powered by", "About us"):
        assert chrome not in post.body.text
    assert "<script" not in post.body.html
    assert "<form" not in post.body.html


def test_body_html_is_clean_and_absolute(case):
    truth, post = case
    for url in truth["image_urls"]:
        assert url in post.body.html
    assert "Sources</h" not in post.body.html
    assert "References</h" not in post.body.html


def test_protected_post_is_not_a_post():
    url = wordpress_truth()["protected_posts"][0]["url"]
    with pytest.raises(NotAPost):
        extract_post(wordpress_page(url), url)


def test_unpublished_texts_never_extracted():
    forbidden = [t["text"] for t in wordpress_truth()["must_not_appear"]["texts"]]
    for truth_post in POSTS:
        post = _extract(truth_post)
        blob = post.body.text + " ".join(c.text for c in post.comments)
        assert not [t for t in forbidden if t in blob]
