"""``archiver export DIR``: the archived posts as one table (JSON Lines, CSV or Parquet).

One row per post: the latest version of each URL by default, every version with
``--all-versions``. The columns follow ``archiver/schema/post.schema.json`` by one rule, so the
export schema is as stable as the post schema (a new field adds a column, none changes):

- a field that is an object (``site``, ``archive``, ``body``, ``provenance``) gives one column
  per member, named ``<field>_<member>`` (``body_text``, ``provenance_warc_file``);
- a list of strings (``authors``, ``tags``) stays a list (a JSON array text in CSV);
- a list of objects (``captions``, ``references``, ``comments``) is one JSON array text;
- integers stay integers; everything else is a string or null (empty in CSV).

Parquet needs pyarrow (``pip install 'blog-archiver[parquet]'``).
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import sys
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from archiver.console import UserError
from archiver.postsfile import find_posts_files, iter_posts

FORMATS = ("jsonl", "csv", "parquet")
SUFFIXES = {
    ".jsonl": "jsonl",
    ".json": "jsonl",
    ".csv": "csv",
    ".parquet": "parquet",
    ".pq": "parquet",
}
PARQUET_BATCH = 1000
"""Rows per Parquet row group write: bounds memory on big archives."""


@dataclass(frozen=True)
class Column:
    """One column of the export: its name, where its value is in a post, and its kind."""

    name: str
    path: tuple[str, ...]
    kind: str
    """``string``, ``int``, ``bool``, ``list`` (of strings) or ``json`` (a JSON array text)."""
    description: str = ""


def _resolve(schema: dict[str, Any], prop: dict[str, Any]) -> dict[str, Any]:
    """A property with its ``$ref`` followed and a nullable ``anyOf`` reduced to the non-null branch."""
    while "$ref" in prop:
        ref = prop["$ref"].rsplit("/", 1)[-1]
        rest = {k: v for k, v in prop.items() if k != "$ref"}
        prop = {**schema.get("$defs", {}).get(ref, {}), **rest}
    for key in ("anyOf", "oneOf"):
        if key in prop:
            branches = [_resolve(schema, b) for b in prop[key]]
            real = [b for b in branches if b.get("type") != "null"]
            prop = {**(real[0] if real else {}), **{k: v for k, v in prop.items() if k != key}}
    return prop


def _kind(schema: dict[str, Any], prop: dict[str, Any]) -> str:
    prop = _resolve(schema, prop)
    types = prop.get("type", [])
    types = {types} if isinstance(types, str) else set(types)
    if "const" in prop and isinstance(prop["const"], int):
        return "int"
    if "array" in types:
        items = _resolve(schema, prop.get("items", {}))
        return "list" if items.get("type") == "string" else "json"
    if "object" in types:
        return "json"
    if "integer" in types:
        return "int"
    if "boolean" in types:
        return "bool"
    return "string"


def export_columns(schema: dict[str, Any] | None = None) -> list[Column]:
    """The export's columns, in the post schema's order."""
    if schema is None:
        from archiver.pipelines import load_schema

        schema = load_schema()
    columns = []
    for name, raw in schema["properties"].items():
        prop = _resolve(schema, raw)
        description = raw.get("description") or prop.get("description") or ""
        if prop.get("type") == "object" and "properties" in prop:
            for member, sub in prop["properties"].items():
                sub_desc = sub.get("description") or _resolve(schema, sub).get("description") or ""
                columns.append(
                    Column(f"{name}_{member}", (name, member), _kind(schema, sub), sub_desc)
                )
        else:
            columns.append(Column(name, (name,), _kind(schema, raw), description))
    return columns


def row_of(post: dict[str, Any], columns: list[Column]) -> dict[str, Any]:
    """A post as one flat row (see the module docstring for the rules)."""
    row = {}
    for col in columns:
        value: Any = post
        for key in col.path:
            value = value.get(key) if isinstance(value, dict) else None
        if col.kind == "json":
            value = None if value is None else json.dumps(value, ensure_ascii=False)
        elif col.kind == "list":
            value = None if value is None else [str(v) for v in value]
        elif col.kind == "int" and not isinstance(value, int):
            value = None
        row[col.name] = value
    return row


def select_columns(columns: list[Column], fields: list[str] | None) -> list[Column]:
    """The columns named in ``--fields`` (comma-separated, repeatable), in the order given."""
    if not fields:
        return columns
    by_name = {c.name: c for c in columns}
    names = [f.strip() for item in fields for f in item.split(",") if f.strip()]
    unknown = [n for n in names if n not in by_name]
    if unknown:
        raise UserError(
            f"unknown field(s) {', '.join(unknown)}: the columns are {', '.join(by_name)}", code=2
        )
    return [by_name[n] for n in dict.fromkeys(names)]


def iter_rows(
    files: Iterable[Path], columns: list[Column], all_versions: bool, problems: list[str]
) -> Iterator[dict[str, Any]]:
    for path in files:
        for post in iter_posts(path, all_versions=all_versions, problems=problems):
            yield row_of(post, columns)


def write_jsonl(rows: Iterable[dict[str, Any]], out: IO[bytes]) -> int:
    n = 0
    for row in rows:
        out.write(json.dumps(row, ensure_ascii=False).encode("utf-8") + b"\n")
        n += 1
    return n


def write_csv(rows: Iterable[dict[str, Any]], out: IO[bytes], columns: list[Column]) -> int:
    text = io.TextIOWrapper(out, encoding="utf-8", newline="")
    writer = csv.DictWriter(text, fieldnames=[c.name for c in columns])
    writer.writeheader()
    n = 0
    for row in rows:
        writer.writerow(
            {
                k: json.dumps(v, ensure_ascii=False) if isinstance(v, list) else v
                for k, v in row.items()
            }
        )
        n += 1
    text.flush()
    text.detach()
    return n


def arrow_schema(columns: list[Column]) -> Any:
    """The Parquet schema of the export."""
    import pyarrow as pa

    types = {
        "string": pa.string(),
        "json": pa.string(),
        "int": pa.int64(),
        "bool": pa.bool_(),
        "list": pa.list_(pa.string()),
    }
    return pa.schema([pa.field(c.name, types[c.kind]) for c in columns])


def write_parquet(rows: Iterable[dict[str, Any]], path: Path, columns: list[Column]) -> int:
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError:
        raise UserError(
            "Parquet export needs pyarrow: pip install 'blog-archiver[parquet]' "
            "(or export --format jsonl or csv)"
        ) from None
    schema = arrow_schema(columns)
    n = 0
    with pq.ParquetWriter(str(path), schema) as writer:
        batch: list[dict[str, Any]] = []
        for row in rows:
            batch.append(row)
            if len(batch) >= PARQUET_BATCH:
                writer.write_table(pa.Table.from_pylist(batch, schema=schema))
                n += len(batch)
                batch = []
        if batch or n == 0:
            writer.write_table(pa.Table.from_pylist(batch, schema=schema))
            n += len(batch)
    return n


@contextmanager
def atomic_path(target: Path) -> Iterator[Path]:
    """A temporary path beside ``target``, renamed onto it when the block ends without error."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    os.close(fd)
    try:
        yield Path(tmp)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def export(
    directory: Path,
    fmt: str,
    output: Path | None,
    fields: list[str] | None = None,
    all_versions: bool = False,
) -> tuple[int, list[str]]:
    """Export the posts under ``directory``; returns (rows written, problems with the input)."""
    if not directory.is_dir():
        raise UserError(f"{directory} is not a folder: give an output folder of archiver crawl")
    files = find_posts_files(directory)
    if not files:
        raise UserError(
            f"{directory} holds no posts.jsonl: give the --output folder of archiver crawl "
            "or one site's folder in it"
        )
    columns = select_columns(export_columns(), fields)
    problems: list[str] = []
    rows = iter_rows(files, columns, all_versions, problems)
    if fmt == "parquet":
        if output is None:
            raise UserError("Parquet is binary: give --output FILE.parquet")
        with atomic_path(output) as tmp:
            n = write_parquet(rows, tmp, columns)
        return n, problems
    if output is None:
        out = sys.stdout.buffer
        n = write_jsonl(rows, out) if fmt == "jsonl" else write_csv(rows, out, columns)
        out.flush()
        return n, problems
    with atomic_path(output) as tmp, tmp.open("wb") as fh:
        n = write_jsonl(rows, fh) if fmt == "jsonl" else write_csv(rows, fh, columns)
    return n, problems


def add_parser(sub: Any) -> argparse.ArgumentParser:
    """The ``export`` sub-command's options."""
    parser: argparse.ArgumentParser = sub.add_parser(
        "export",
        help="write the archived posts as one table: JSON Lines, CSV or Parquet",
        description="One row per post (the latest version of each URL unless --all-versions).",
    )
    parser.add_argument("directory", type=Path, metavar="DIR", help="output folder or a site's")
    parser.add_argument(
        "--format", "-f", choices=FORMATS, help="default: from --output's suffix, else jsonl"
    )
    parser.add_argument(
        "--output", "-o", type=Path, metavar="FILE", help="default: standard output (not Parquet)"
    )
    parser.add_argument(
        "--fields",
        action="append",
        metavar="A,B,...",
        help="only these columns, in this order (see the README for the list)",
    )
    parser.add_argument(
        "--all-versions", action="store_true", help="every version of each post, not the latest"
    )
    return parser


def cmd_export(args: argparse.Namespace) -> int:
    """``archiver export``: write the table, say what was written on stderr."""
    fmt = args.format or SUFFIXES.get(args.output.suffix.lower() if args.output else "", "jsonl")
    output = None if args.output is None or str(args.output) == "-" else args.output
    try:
        n, problems = export(args.directory, fmt, output, args.fields, args.all_versions)
    except BrokenPipeError:  # `archiver export DIR | head`: the reader had enough
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    for problem in problems:
        print(f"warning: {problem}", file=sys.stderr)
    where = output if output is not None else "standard output"
    print(f"Exported {n} posts as {fmt} to {where}", file=sys.stderr)
    return 0
