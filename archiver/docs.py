"""The README's reference tables, generated so that they cannot drift from the code.

``python -m archiver.docs`` rewrites the marked sections of README.md (``--check`` only reports the
stale ones, exit status 1): the post's JSON fields from the descriptions in
``archiver/schema/post.schema.json``, the export's columns from ``archiver.export``, and the
options and settings from the ``archiver crawl`` parser, ``archiver.config.OPTION_SETTINGS`` and
``archiver/settings.py``. A section is marked by ``<!-- BEGIN GENERATED name -->`` and
``<!-- END GENERATED name -->`` lines.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

README = Path(__file__).resolve().parents[1] / "README.md"
MARK = re.compile(
    r"(<!-- BEGIN GENERATED (?P<name>[\w-]+)[^>]*-->\n)(?P<body>.*?)(<!-- END GENERATED (?P=name) -->)",
    re.S,
)
NOTE = "<!-- made by `python -m archiver.docs` from the code: edit the code, then run it -->\n"


def _cell(text: Any) -> str:
    """Table-cell text: pipes escaped, and ``<``/``>`` kept from reading as HTML tags."""
    text = str(text).replace("|", "\\|").replace("\n", " ")
    return text.replace("<", "&lt;").replace(">", "&gt;")


def _nullable(schema: dict[str, Any], prop: dict[str, Any]) -> bool:
    """True when a property allows null through an ``anyOf``/``oneOf`` branch (after ``$ref``)."""
    while "$ref" in prop and not any(k in prop for k in ("anyOf", "oneOf")):
        prop = schema.get("$defs", {}).get(prop["$ref"].rsplit("/", 1)[-1], {})
    branches = prop.get("anyOf") or prop.get("oneOf") or []
    return any(b.get("type") == "null" for b in branches)


def type_name(schema: dict[str, Any], prop: dict[str, Any]) -> str:
    """A short, human name of a property's JSON type ("string or null", "array of objects")."""
    from archiver.export import _resolve

    nullable = _nullable(schema, prop)
    prop = _resolve(schema, prop)
    if "const" in prop:
        return f"`{prop['const']}`"
    if "enum" in prop:
        return " \\| ".join(f"`{v}`" for v in prop["enum"])
    types = prop.get("type", "any")
    types = [types] if isinstance(types, str) else list(types)
    if "null" in types:
        nullable = True
        types.remove("null")
    name = " or ".join(types) or "any"
    if name == "array":
        items = _resolve(schema, prop.get("items", {}))
        inner = items.get("type", "any")
        name = f"array of {inner}s" if isinstance(inner, str) else "array"
    return name + (" or null" if nullable else "")


def field_rows(schema: dict[str, Any]) -> list[tuple[str, str, str]]:
    """(field path, type, description) for every field of a post, members of objects included."""
    from archiver.export import _resolve

    rows = []

    def walk(prefix: str, props: dict[str, Any]) -> None:
        for name, raw in props.items():
            prop = _resolve(schema, raw)
            path = f"{prefix}{name}"
            rows.append((path, type_name(schema, raw), raw.get("description", "")))
            if prop.get("type") == "object" and "properties" in prop:
                walk(path + ".", prop["properties"])
            items = _resolve(schema, prop.get("items", {})) if "items" in prop else {}
            if items.get("type") == "object" and "properties" in items:
                walk(path + "[].", items["properties"])

    walk("", schema["properties"])
    return rows


def post_fields() -> str:
    from archiver.pipelines import load_schema

    lines = ["| field | type | what |", "| --- | --- | --- |"]
    lines += [f"| `{p}` | {_cell(t)} | {_cell(d)} |" for p, t, d in field_rows(load_schema())]
    return "\n".join(lines) + "\n"


def export_columns() -> str:
    from archiver.export import export_columns as columns

    kinds = {
        "string": "string",
        "int": "integer",
        "bool": "boolean",
        "list": "list of strings (JSON array text in CSV)",
        "json": "JSON text",
    }
    lines = ["| column | type | from the post field |", "| --- | --- | --- |"]
    lines += [f"| `{c.name}` | {kinds[c.kind]} | `{'.'.join(c.path)}` |" for c in columns()]
    return "\n".join(lines) + "\n"


def _crawl_parser() -> argparse.ArgumentParser:
    from archiver.cli import build_parser

    parser = build_parser()
    action = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return action.choices["crawl"]


def options() -> str:
    from archiver.config import OPTION_SETTINGS

    lines = ["| option | setting | what |", "| --- | --- | --- |"]
    for action in _crawl_parser()._actions:
        if not action.option_strings or action.dest == "help":
            continue
        flags = ", ".join(f"`{o}`" for o in action.option_strings)
        if action.nargs != 0:
            value = action.metavar or "|".join(map(str, action.choices or ())) or "VALUE"
            flags = ", ".join(f"`{o} {value}`" for o in action.option_strings)
        settings = ", ".join(f"`{s}`" for s in OPTION_SETTINGS.get(action.dest, ())) or "–"
        lines.append(f"| {flags} | {settings} | {_cell(action.help or '')} |")
    return "\n".join(lines) + "\n"


def settings() -> str:
    import archiver.settings as project
    from archiver.config import NO_OPTION, OPTION_SETTINGS

    by_setting: dict[str, list[str]] = {}
    crawl = _crawl_parser()
    flags = {a.dest: max(a.option_strings, key=len) for a in crawl._actions if a.option_strings}
    for dest, names in OPTION_SETTINGS.items():
        for name in names:
            by_setting.setdefault(name, []).append(f"`{flags.get(dest, dest)}`")
    lines = ["| setting | default | option |", "| --- | --- | --- |"]
    for name in sorted(n for n in dir(project) if n.startswith(("ARCHIVER_", "WARC_"))):
        value = getattr(project, name)
        default = f"`{value!r}`" if value not in ("", None) else "empty"
        option = ", ".join(by_setting.get(name, [])) or _cell(NO_OPTION.get(name, "–"))
        lines.append(f"| `{name}` | {default} | {option} |")
    return "\n".join(lines) + "\n"


SECTIONS: dict[str, Callable[[], str]] = {
    "post-fields": post_fields,
    "export-columns": export_columns,
    "options": options,
    "settings": settings,
}


def render(text: str) -> str:
    """``text`` with every generated section made again."""

    def replace(match: re.Match[str]) -> str:
        make = SECTIONS.get(match.group("name"))
        if make is None:
            return match.group(0)
        return match.group(1) + NOTE + make() + match.group(4)

    return MARK.sub(replace, text)


def stale_sections(text: str) -> list[str]:
    """Names of the generated sections whose text differs from what the code makes."""
    fresh = {m.group("name"): m.group(0) for m in MARK.finditer(render(text))}
    return [m.group("name") for m in MARK.finditer(text) if fresh[m.group("name")] != m.group(0)]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m archiver.docs", description=__doc__)
    parser.add_argument("readme", nargs="?", type=Path, default=README)
    parser.add_argument("--check", action="store_true", help="only report stale sections")
    args = parser.parse_args(argv)
    text = args.readme.read_text("utf-8")
    stale = stale_sections(text)
    missing = sorted(set(SECTIONS) - {m.group("name") for m in MARK.finditer(text)})
    if args.check:
        for name in stale:
            print(f"{args.readme}: section {name} is stale: run python -m archiver.docs")
        for name in missing:
            print(f"{args.readme}: no generated section {name}")
        return 1 if stale or missing else 0
    if stale:
        args.readme.write_text(render(text), "utf-8")
    print(
        f"{args.readme}: {len(stale)} section(s) rewritten"
        + (f" ({', '.join(stale)})" if stale else "")
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
