"""``archiver verify`` on small WARC files written for one fault each, and the helpers it uses."""

from __future__ import annotations

import gzip
import zlib
from io import BytesIO
from pathlib import Path

import pytest
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from archiver.records import (
    TooLarge,
    UnsupportedEncoding,
    dechunk,
    decode_content,
    decoded_size,
    scan_gzip_members,
)
from archiver.verify import check_warc, verify_output
from archiver.warc import true_length_headers
from tests.conftest import run_archiver

HTML = b"<html><body><p>caf\xc3\xa9</p></body></html>"


def response(
    writer: WARCWriter, body: bytes, headers: list[tuple[str, str]], url: str = "http://b.org/p/"
):
    http = StatusAndHeaders("200 OK", headers, protocol="HTTP/1.1")
    return writer.create_warc_record(
        url, "response", payload=BytesIO(body), length=len(body), http_headers=http
    )


def write_warc(path: Path, *bodies: tuple[bytes, list[tuple[str, str]]]) -> list[str]:
    """A gzip-per-record WARC with a warcinfo and one response per body; returns record ids."""
    ids = []
    with path.open("wb") as fh:
        writer = WARCWriter(fh, gzip=True)
        writer.write_record(writer.create_warcinfo_record(path.name, {"software": "test"}))
        for body, headers in bodies:
            record = response(writer, body, headers)
            ids.append(record.rec_headers.get_header("WARC-Record-ID"))
            writer.write_record(record)
    return ids


def length(body: bytes) -> tuple[str, str]:
    return ("Content-Length", str(len(body)))


def test_a_faithful_file_has_no_problem(tmp_path: Path) -> None:
    gz, dfl = gzip.compress(HTML), zlib.compress(HTML)
    warc = tmp_path / "ok.warc.gz"
    write_warc(
        warc,
        (HTML, [("Content-Type", "text/html"), length(HTML)]),
        (gz, [("Content-Encoding", "gzip"), length(gz)]),
        (dfl, [("Content-Encoding", "deflate"), length(dfl)]),
        (b"3\r\nabc\r\n0\r\n\r\n", [("Transfer-Encoding", "chunked")]),  # framed, as it says
    )
    check = check_warc(warc)
    assert check.problems == []
    assert check.counts == {"warcinfo": 1, "response": 4}


@pytest.mark.parametrize(
    ("body", "headers", "expected"),
    [
        (HTML, [("Transfer-Encoding", "chunked")], "Transfer-Encoding: chunked over a body"),
        (HTML, [("Content-Encoding", "gzip"), length(HTML)], "Content-Encoding gzip does not"),
        (gzip.compress(HTML)[:-12], [("Content-Encoding", "gzip")], "does not decode"),
        (HTML, [("Content-Length", "3")], f"Content-Length 3 != stored body {len(HTML)}"),
    ],
)
def test_head_and_body_that_disagree_are_problems(
    tmp_path: Path, body: bytes, headers: list[tuple[str, str]], expected: str
) -> None:
    warc = tmp_path / "bad.warc.gz"
    write_warc(warc, (body, headers))
    [problem] = check_warc(warc).problems
    assert expected in problem
    assert "bad.warc.gz @" in problem


def test_an_encoding_we_cannot_decode_is_a_note_not_a_problem(tmp_path: Path) -> None:
    warc = tmp_path / "br.warc.gz"
    write_warc(warc, (b"\x0b\x02\x80", [("Content-Encoding", "br"), ("Content-Length", "3")]))
    check = check_warc(warc)
    assert check.problems == []
    assert "br" in check.notes[0]


def test_a_decompression_bomb_is_a_note_not_a_problem(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A faithful archive of a bomb is not broken: verify decodes it only so far, and says so."""
    monkeypatch.setattr("archiver.verify.DECODE_LIMIT", 100_000)
    bomb = gzip.compress(b"\0" * 1_000_000)
    warc = tmp_path / "bomb.warc.gz"
    write_warc(warc, (bomb, [("Content-Encoding", "gzip"), length(bomb)]))
    check = check_warc(warc)
    assert check.problems == []
    assert "decodes to more than 100000 bytes: checked that far" in check.notes[0]


def test_a_cut_final_record_is_reported_as_such(tmp_path: Path) -> None:
    warc = tmp_path / "cut.warc.gz"
    write_warc(warc, *[(HTML * 50, [length(HTML * 50)]) for _ in range(3)])
    data = warc.read_bytes()
    warc.write_bytes(data[: len(data) - 40])
    check = check_warc(warc)
    assert check.truncated
    [problem] = check.problems
    assert "truncated final record" in problem
    assert "the 3 records before it are intact" in problem
    assert check.counts == {"warcinfo": 1, "response": 2}

    proc = run_archiver("verify", str(tmp_path))
    assert proc.returncode == 1
    assert "truncated final record in: cut.warc.gz" in proc.stdout
    assert "problem: cut.warc.gz @" in proc.stderr


def test_a_corrupt_record_in_the_middle_is_not_called_a_cut(tmp_path: Path) -> None:
    warc = tmp_path / "corrupt.warc.gz"
    write_warc(warc, *[(HTML * 50, [length(HTML * 50)]) for _ in range(3)])
    data = bytearray(warc.read_bytes())
    with warc.open("rb") as fh:
        assert scan_gzip_members(fh).complete == 4
    middle = len(data) // 2
    data[middle : middle + 8] = b"\x00" * 8
    warc.write_bytes(bytes(data))
    check = check_warc(warc)
    assert not check.truncated
    assert any("corrupt record" in p for p in check.problems)


def test_metadata_must_refer_to_an_existing_response(tmp_path: Path) -> None:
    warc = tmp_path / "site" / "warc" / "m.warc.gz"
    warc.parent.mkdir(parents=True)
    with warc.open("wb") as fh:
        writer = WARCWriter(fh, gzip=True)
        writer.write_record(
            writer.create_warc_record(
                "urn:post:http://b.org/p/",
                "metadata",
                payload=BytesIO(b"{}"),
                length=2,
                warc_content_type="application/json",
                warc_headers_dict={"WARC-Refers-To": "<urn:uuid:nowhere>"},
            )
        )
    problems, _report = verify_output(tmp_path)
    assert any("WARC-Refers-To <urn:uuid:nowhere> names no response record" in p for p in problems)


def test_decode_content() -> None:
    assert decode_content(gzip.compress(HTML), "gzip") == HTML
    assert decode_content(gzip.compress(HTML) + gzip.compress(b"!"), "x-gzip") == HTML + b"!"
    assert decode_content(zlib.compress(HTML), "deflate") == HTML
    raw = zlib.compressobj(wbits=-15)
    assert decode_content(raw.compress(HTML) + raw.flush(), "deflate") == HTML
    assert decode_content(gzip.compress(zlib.compress(HTML)), "deflate, gzip") == HTML
    with pytest.raises(UnsupportedEncoding):
        decode_content(b"x", "br")
    with pytest.raises(ValueError, match="more than"):
        decode_content(gzip.compress(b"0" * 10_000), "gzip", limit=1000)


def test_decoded_size_streams() -> None:
    assert decoded_size(gzip.compress(HTML) * 2, "gzip", 10_000) == 2 * len(HTML)
    assert decoded_size(zlib.compress(HTML), "deflate", 10_000) == len(HTML)
    assert decoded_size(HTML, "identity", 10) == len(HTML)
    with pytest.raises(TooLarge):
        decoded_size(gzip.compress(b"0" * 10_000), "gzip", 1000)
    with pytest.raises(ValueError, match="cut short"):
        decoded_size(gzip.compress(HTML * 100)[:-30], "gzip", 10**6)


def test_dechunk() -> None:
    assert dechunk(b"3\r\nabc\r\n2;ext=1\r\nde\r\n0\r\nTrailer: x\r\n\r\n") == b"abcde"
    assert dechunk(b"3\r\nabcd\r\n0\r\n\r\n") is None
    assert dechunk(HTML) is None


def test_true_length_headers() -> None:
    assert true_length_headers([("Content-Length", "5"), ("X", "1")], 5, 200) == [
        ("Content-Length", "5"),
        ("X", "1"),
    ]
    assert true_length_headers([("Transfer-Encoding", "chunked")], 4, 200) == [
        ("X-Archive-Orig-Transfer-Encoding", "chunked"),
        ("Content-Length", "4"),
    ]
    assert true_length_headers([("Content-Length", "90"), ("X", "1")], 4, 200) == [
        ("X-Archive-Orig-Content-Length", "90"),
        ("Content-Length", "4"),
        ("X", "1"),
    ]
    assert true_length_headers([("ETag", "x")], 0, 304) == [("ETag", "x")]
