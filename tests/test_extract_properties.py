"""Property tests: any bytes and any URL give a schema-valid post or a clean, typed refusal."""

from __future__ import annotations

import jsonschema
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from archiver.extract import ExtractionError, extract_post
from archiver.pipelines import load_schema

VALIDATOR = jsonschema.Draft202012Validator(load_schema())

TAGS = [
    "p",
    "div",
    "article",
    "h1",
    "h2",
    "a",
    "figure",
    "figcaption",
    "ol",
    "li",
    "table",
    "td",
    "script",
    "style",
    "time",
    "main",
    "aside",
    "nav",
    "br",
    "img",
    "meta",
    "base",
    "sup",
]
ATTRS = [
    'class="entry-content"',
    'href="../x"',
    'datetime="20190-01-01"',
    'rel="tag"',
    'class="wp-caption-text"',
    'id="fn-1"',
    'href="#fn-1"',
    'charset="shift_jis"',
    'src="data:,x"',
    'href="javascript:alert(1)"',
    'class="post-password-form"',
    'lang="\u202e"',
]


@st.composite
def html_soup(draw: st.DrawFn) -> str:
    """Tag soup: random nesting, unclosed and stray tags, odd attributes, any text."""
    parts = []
    for _ in range(draw(st.integers(0, 40))):
        kind = draw(st.integers(0, 3))
        tag = draw(st.sampled_from(TAGS))
        if kind == 0:
            parts.append(f"<{tag} {draw(st.sampled_from(ATTRS))}>")
        elif kind == 1:
            parts.append(f"</{tag}>")
        else:
            parts.append(draw(st.text(max_size=40)))
    return "".join(parts)


URLS = st.one_of(
    st.just("http://127.0.0.1:8091/2019/07/13/post/"),
    st.builds(lambda s: f"http://x.org/{s}/", st.text(max_size=30)),
    st.text(max_size=30),
)


def check(data: bytes | str, url: str) -> None:
    try:
        post = extract_post(data, url)
    except ExtractionError:
        return
    post.content_digest = post.content_digest or post.compute_digest()
    errors = [e.message for e in VALIDATOR.iter_errors(post.to_dict())]
    assert not errors, errors


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=3000), URLS)
def test_any_bytes(data: bytes, url: str) -> None:
    check(data, url)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(html_soup(), URLS)
def test_any_tag_soup(html: str, url: str) -> None:
    check("<html><body>" + html, url)
    check(html.encode("utf-8", "surrogatepass"), url)
