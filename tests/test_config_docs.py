"""The README's reference tables are generated from the code: they must be fresh and complete."""

from __future__ import annotations

import subprocess
import sys

from archiver import docs
from archiver.pipelines import load_schema
from tests.conftest import ROOT


def test_readme_reference_sections_are_fresh() -> None:
    text = docs.README.read_text("utf-8")
    present = {m.group("name") for m in docs.MARK.finditer(text)}
    assert present == set(docs.SECTIONS), "every generated section is in the README"
    assert docs.stale_sections(text) == [], "run: python -m archiver.docs"
    check = subprocess.run(
        [sys.executable, "-m", "archiver.docs", "--check"], capture_output=True, text=True, cwd=ROOT
    )
    assert check.returncode == 0, check.stdout


def test_a_stale_section_is_found_and_rewritten() -> None:
    text = docs.README.read_text("utf-8")
    row = "| `word_count` | integer |"
    assert row in text
    edited = text.replace(row, "| `word_count` | string |", 1)
    assert docs.stale_sections(edited) == ["post-fields"]
    assert docs.render(edited) == text


def test_every_field_is_described() -> None:
    rows = docs.field_rows(load_schema())
    assert len(rows) > 40
    assert [path for path, _, what in rows if not what] == []
    paths = {path for path, _, _ in rows}
    assert {
        "body.text",
        "captions[].credit",
        "references[].kind",
        "provenance.warc_offset",
    } <= paths
