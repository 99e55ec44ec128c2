"""``WarcFileWriter``: records written now and records queued for later (a post's metadata,
compressed on a thread) end up in the file in order, whole, and indexed where they landed."""

from __future__ import annotations

import random
from io import BytesIO
from pathlib import Path

from warcio.archiveiterator import ArchiveIterator

from archiver.warc import WarcFileWriter


def record(writer: WarcFileWriter, n: int, kind: str = "resource"):
    payload = f"record {n} ".encode() + random.Random(n).randbytes(3000).hex().encode()
    return writer.builder.create_warc_record(
        f"urn:test:{n}", kind, payload=BytesIO(payload), length=len(payload)
    )


def read_back(directory: Path) -> list[tuple[str, str, int, bytes]]:
    out = []
    for warc in sorted(directory.glob("*.warc.gz")):
        with warc.open("rb") as fh:
            it = ArchiveIterator(fh)
            for rec in it:
                body = rec.content_stream().read()
                out.append((warc.name, rec.rec_type, it.get_record_offset(), body))
    return out


def test_queued_records_are_appended_in_order_and_indexed_where_they_landed(
    tmp_path: Path,
) -> None:
    indexed: list[tuple[str, str, int, int]] = []
    writer = WarcFileWriter(
        tmp_path,
        "example.org",
        "test",
        max_size=40_000,  # small: the queued records roll over to new files too
        info={"software": "test"},
        on_record=lambda rec, name, offset, length: indexed.append(
            (rec.rec_headers.get_header("WARC-Target-URI"), name, offset, length)
        ),
    )
    order = []
    for n in range(30):
        if n % 3:
            writer.write_later(record(writer, n, "metadata"))
        else:
            writer.write(record(writer, n))
        order.append(n)
    writer.close()
    records = [r for r in read_back(tmp_path) if r[1] != "warcinfo"]
    assert len(records) == 30, "nothing queued is lost at close"
    numbers = [int(body.split()[1]) for _, _, _, body in records]
    queued = [n for n in numbers if n % 3]
    assert queued == sorted(queued), "queued records keep their order"
    assert sorted(numbers) == order
    assert len(writer.files) > 1
    where = {uri: (name, offset) for uri, name, offset, _ in indexed}
    for name, _, offset, body in records:
        assert where[f"urn:test:{int(body.split()[1])}"] == (name, offset)


def test_a_queued_record_is_appended_as_soon_as_it_is_compressed(tmp_path: Path) -> None:
    """With ``call_soon`` (the reactor's callFromThread in a crawl) a queued record does not
    wait for the next write: a crawl killed meanwhile would lose it."""
    import queue

    calls: queue.Queue = queue.Queue()
    writer = WarcFileWriter(
        tmp_path, "example.org", "test", max_size=10**9, info={}, call_soon=calls.put
    )
    writer.write(record(writer, 1))
    writer.write_later(record(writer, 2, "metadata"))
    calls.get(timeout=10)()  # what the reactor would run, on its own thread
    assert [r[1] for r in read_back(tmp_path)] == ["warcinfo", "resource", "metadata"]
    writer.close()
