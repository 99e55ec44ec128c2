"""The dataclasses and the published JSON Schema describe the same item."""

from __future__ import annotations

import dataclasses
import typing

import jsonschema

import archiver.items as items
from archiver.items import Body, Caption, Post, Reference
from archiver.pipelines import load_schema


def _fields(cls: type) -> set[str]:
    return {f.name for f in dataclasses.fields(cls)}


def test_every_field_of_post_is_in_the_schema_and_back() -> None:
    schema = load_schema()
    assert set(schema["properties"]) == _fields(Post)
    hints = typing.get_type_hints(Post, vars(items))
    for name, prop in schema["properties"].items():
        cls = hints[name]
        if dataclasses.is_dataclass(cls):
            assert set(prop["properties"]) == _fields(cls), name
        inner = typing.get_args(cls)
        if inner and dataclasses.is_dataclass(inner[0]):
            assert set(prop["items"]["properties"]) == _fields(inner[0]), name


def test_a_full_post_validates_and_a_broken_one_does_not() -> None:
    validator = jsonschema.Draft202012Validator(load_schema())
    post = Post(
        url="http://x.org/2019/07/13/a/",
        title="A",
        published="2019-07-13T10:00:00+02:00",
        body=Body(text="Hello.", html="<p>Hello.</p>"),
        captions=[Caption(text="A cat (Source: me)", credit="Source: me")],
        references=[Reference(text="Ref", url="https://e.org/a–b", urls=["https://e.org/a–b"])],
    )
    post.content_digest = post.compute_digest()
    assert not list(validator.iter_errors(post.to_dict()))
    assert next(iter(post.to_dict())) == "schema_version"

    broken = post.to_dict() | {"published": "13 July 2019"}
    assert list(validator.iter_errors(broken))
    assert list(validator.iter_errors(post.to_dict() | {"surprise": 1}))


def test_digest_ignores_provenance_but_not_content() -> None:
    a = Post(url="http://x.org/a/", title="A", body=Body(text="one"))
    b = Post(url="http://x.org/a/", title="A", body=Body(text="one"))
    b.provenance.warc_offset = 1234
    assert a.compute_digest() == b.compute_digest()
    b.body.text = "two"
    assert a.compute_digest() != b.compute_digest()


def test_to_dict_equals_asdict_on_real_posts() -> None:
    """``Post.to_dict`` goes through orjson: the same dict as ``dataclasses.asdict``, keys in the
    same order, on every post of the WordPress recording (captions, references, footnotes)."""
    import json

    from archiver.extract import extract_post
    from archiver.extract.errors import NotAPost
    from tests.conftest import WORDPRESS

    index = json.loads((WORDPRESS / "index.json").read_text("utf-8"))
    checked = 0
    for path, entry in index["entries"].items():
        if entry["status"] != 200 or "html" not in entry["content_type"]:
            continue
        try:
            post = extract_post((WORDPRESS / entry["file"]).read_bytes(), index["origin"] + path)
        except NotAPost:
            continue
        expected = dataclasses.asdict(post)
        expected = {"schema_version": expected.pop("schema_version"), **expected}
        data = post.to_dict()
        assert data == expected
        assert list(data) == list(expected)
        checked += bool(post.captions or post.references)
    assert checked >= 5
