"""Is a fetched body an HTML page worth extracting? A cheap look at the bytes, before any parse."""

from __future__ import annotations

# Leading bytes of formats that servers mislabel as text/html.
MAGIC = (
    (b"%PDF-", "pdf"),
    (b"\x89PNG\r\n\x1a\n", "png"),
    (b"\xff\xd8\xff", "jpeg"),
    (b"GIF87a", "gif"),
    (b"GIF89a", "gif"),
    (b"RIFF", "riff"),
    (b"PK\x03\x04", "zip"),
    (b"\x1f\x8b", "gzip"),
    (b"\x00\x00\x01\x00", "ico"),
    (b"OggS", "ogg"),
    (b"ID3", "mp3"),
    (b"\x00\x00\x00", "binary"),
)
SNIFF_BYTES = 1024
HTML_TYPES = ("text/html", "application/xhtml+xml")


def body_problem(
    body: bytes, content_type: str = "", flags: list[str] | tuple[str, ...] = ()
) -> str | None:
    """Why a body cannot be a post page ("truncated", "empty", "not_html"), or None when it can.

    >>> body_problem(b"%PDF-1.7 ...", "text/html"), body_problem(b"  ", "text/html")
    ('not_html', 'empty')
    >>> body_problem(b"<!doctype html><p>hi", "text/html") is None
    True
    """
    if "dataloss" in flags:
        return "truncated"
    head = body[:SNIFF_BYTES].lstrip(b"\xef\xbb\xbf \t\r\n")
    if not head:
        return "empty"
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return None  # UTF-16 with a BOM: NUL bytes are expected
    if any(head.startswith(magic) for magic, _ in MAGIC) or b"\x00" in head:
        return "not_html"
    ctype = content_type.split(";", 1)[0].strip().lower()
    if ctype and ctype not in HTML_TYPES and not head.startswith(b"<"):
        return "not_html"
    return None
