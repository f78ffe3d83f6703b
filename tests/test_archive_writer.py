"""The WARC writer keeps every file valid: torn tails are repaired, a full disk loses no record."""

from __future__ import annotations

import subprocess
from datetime import UTC, datetime
from pathlib import Path

import pytest
from archive_checks import warcio_check

from crawler.archive.model import Exchange, PageCapture
from crawler.archive.read import iter_records, warc_files
from crawler.archive.recovery import writer_alive
from crawler.archive.warc import ArchiveWriter, recover_open_files


def exchange(url: str, body: bytes, status: int = 200, headers: list | None = None) -> Exchange:
    return Exchange(
        url=url,
        method="GET",
        request_headers=[("User-Agent", "test"), ("Accept-Encoding", "gzip")],
        request_body=None,
        status=status,
        reason="OK",
        http_version="HTTP/1.1",
        response_headers=headers or [("Content-Type", "text/html"), ("Content-Encoding", "gzip"),
                                     ("Content-Length", "12")],
        body=body,
        started=datetime(2026, 11, 24, 12, 0, tzinfo=UTC),
    )


def test_decoded_bodies_get_honest_headers_and_repeats_become_revisits(tmp_path: Path):
    writer = ArchiveWriter(tmp_path, "t1", {"software": "test"})
    writer.write_exchange(exchange("http://127.0.0.1/a.css", b"body{}" * 100))
    writer.write_exchange(exchange("http://127.0.0.1/a.css", b"body{}" * 100))
    writer.write_exchange(exchange("http://127.0.0.1/r", b"", 302, [("Location", "/a.css")]))
    writer.close()
    records = list(iter_records(tmp_path))
    assert [r.type for r in records] == ["warcinfo", "response", "request", "revisit", "request", "response", "request"]
    first = records[1]
    assert first.http_headers.get_header("Content-Encoding") is None
    assert first.http_headers.get_header("Content-Length") == str(len(first.payload)) == "600"
    revisit = records[3]
    assert revisit.warc_headers.get_header("WARC-Refers-To-Target-URI") == "http://127.0.0.1/a.css"
    assert revisit.warc_headers.get_header("WARC-Payload-Digest") == first.warc_headers.get_header(
        "WARC-Payload-Digest"
    )
    assert records[5].status == 302
    assert warcio_check(tmp_path) == []


def die(writer: ArchiveWriter) -> None:
    """What the kernel does to a killed writer's file: closed without a rename, its flock released."""
    assert writer._fh is not None
    writer._fh.close()


def test_a_torn_file_left_by_a_killed_crawl_is_repaired(tmp_path: Path):
    writer = ArchiveWriter(tmp_path, "t2", {"software": "test"})
    for i in range(5):
        writer.write_exchange(exchange(f"http://127.0.0.1/{i}", f"page {i}".encode() * 50))
    # simulate `kill -9` in the middle of a record: file stays .open with half a gzip member
    assert writer._fh is not None
    writer._fh.write(b"\x1f\x8b\x08\x00" + b"\x00" * 40)
    writer._fh.flush()
    open_files = list((tmp_path / "warcs").glob("*.open"))
    assert len(open_files) == 1
    die(writer)
    repaired = recover_open_files(tmp_path / "warcs")
    assert len(repaired) == 1 and not list((tmp_path / "warcs").glob("*.open"))
    assert warcio_check(tmp_path) == []
    assert sum(1 for r in iter_records(tmp_path) if r.type == "response") == 5


def test_a_live_writers_open_file_is_left_alone_and_repaired_once_its_writer_is_dead(tmp_path: Path):
    """`sma crawl` repairs `.open` files in `warcs/` before it writes: never one another live process
    (another crawl, a worker) is writing; a killed one's, whose lock the kernel released, at once."""
    live = ArchiveWriter(tmp_path, "live", {"software": "test"}, page_commits=True)
    live.write_page(page_of(0))
    live.commit()
    killed = ArchiveWriter(tmp_path, "dead", {"software": "test"}, page_commits=True)
    killed.write_page(page_of(1))
    killed.commit()
    killed.write_exchange(exchange("http://127.0.0.1/@a/2", b"half a page"))
    die(killed)
    live_file = next((tmp_path / "warcs").glob("*-live-*.open"))
    assert writer_alive(live_file) and not writer_alive(next((tmp_path / "warcs").glob("*-dead-*.open")))
    size = live_file.stat().st_size
    repaired = recover_open_files(tmp_path / "warcs")
    assert [p.name.split("-")[2] for p in repaired] == ["dead"]
    assert live_file.exists() and live_file.stat().st_size == size, "the live writer's file is untouched"
    live.write_page(page_of(3))  # and it goes on writing, then closes its file itself
    live.commit()
    live.close()
    assert not list((tmp_path / "warcs").glob("*.open*")) and warcio_check(tmp_path) == []
    urls = sorted(r.uri for r in iter_records(tmp_path) if r.type == "response" and "/@a/" in r.uri)
    assert urls == ["http://127.0.0.1/@a/0", "http://127.0.0.1/@a/1", "http://127.0.0.1/@a/3"]


@pytest.fixture()
def tiny_disk(tmp_path: Path):
    mount = tmp_path / "tiny"
    mount.mkdir()
    proc = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=600k", "tmpfs", str(mount)], capture_output=True)
    assert proc.returncode == 0, f"tests need root to mount a small tmpfs: {proc.stderr!r}"
    yield mount
    subprocess.run(["umount", "-l", str(mount)], check=False)


def test_a_full_disk_keeps_every_complete_record(tiny_disk: Path):
    import os

    writer = ArchiveWriter(tiny_disk, "t3", {"software": "test"})
    written = 0
    with pytest.raises(OSError):
        for i in range(1000):
            page = PageCapture(url=f"http://127.0.0.1/p{i}", kind="post", title="", started=datetime.now(UTC))
            page.exchanges = [exchange(page.url, os.urandom(20_000))]  # incompressible
            writer.write_page(page)
            written += 1
    writer.close()
    assert written > 5
    assert warcio_check(tiny_disk) == []
    assert sum(1 for r in iter_records(tiny_disk) if r.type == "response") >= written
    assert warc_files(tiny_disk)


def test_a_disk_that_is_full_when_the_warc_closes_keeps_the_warc_and_a_readable_manifest(tiny_disk: Path):
    import json
    import os

    from records.fixity import read_manifest, seal, verify

    # An earlier crawl's manifest that ends mid-page: the new line half fits, so the write is cut short.
    manifest = tiny_disk / ".sma" / "fixity.jsonl"
    manifest.parent.mkdir(mode=0o700)
    def line(i: int, by: str = "test") -> str:
        return json.dumps({"path": f"warcs/old-{i}.warc.gz", "removed": "2026-11-30T10:00:00.000000Z", "by": by}) + "\n"

    earlier = "".join(line(i) for i in range(40))
    earlier += line(40, "t" * (4096 - 40 - len(earlier) - len(line(40, ""))))  # 40 bytes short of a page
    assert len(earlier) == 4096 - 40
    manifest.write_text(earlier)
    before = manifest.read_bytes()
    writer = ArchiveWriter(tiny_disk, "t4", {"software": "test"})
    page = PageCapture(url="http://127.0.0.1/p", kind="post", title="", started=datetime.now(UTC))
    page.exchanges = [exchange(page.url, os.urandom(50_000))]
    writer.write_page(page)
    with pytest.raises(OSError), open(tiny_disk / "filler", "wb", buffering=0) as filler:
        while True:
            filler.write(os.urandom(65536))
    writer.close()  # the manifest line cannot be written: no exception, the WARC is kept
    assert writer.files and writer.unsealed == writer.files
    assert not list((tiny_disk / "warcs").glob("*.open"))
    assert warcio_check(tiny_disk) == []
    assert manifest.read_bytes() == before, "no half line in the manifest"
    assert not any("broken" in entry for entry in read_manifest(tiny_disk).values())
    (tiny_disk / "filler").unlink()
    assert verify(tiny_disk).unsealed == [str(writer.files[0].relative_to(tiny_disk))]
    seal(tiny_disk)  # what the warning tells the archivist to run once there is room
    report = verify(tiny_disk)
    assert report.ok and not report.unsealed, report.problems


def page_of(i: int, size: int = 2_000) -> PageCapture:
    page = PageCapture(url=f"http://127.0.0.1/@a/{i}", kind="post", title="", started=datetime.now(UTC))
    page.exchanges = [exchange(page.url, f"post {i} ".encode() * (size // 8)),
                      exchange(f"http://127.0.0.1/api/{i}.json", b"{}" * (size // 2))]
    page.text = f"post {i}"
    return page


def test_a_crawl_killed_inside_a_page_keeps_only_whole_pages(tmp_path: Path):
    """kill -9 between two records of a page: recovery drops the page's first half, so the next crawl
    captures it once, whole, not beside a torn copy."""
    writer = ArchiveWriter(tmp_path, "k1", {"software": "test"}, page_commits=True)
    for i in range(3):
        writer.write_page(page_of(i))
        writer.commit()
    writer.write_exchange(exchange("http://127.0.0.1/@a/3", b"half a page"))  # then the process dies
    assert writer._fh is not None
    writer._fh.write(b"\x1f\x8b\x08\x00" + b"\x00" * 40)  # and half a record
    die(writer)
    repaired = recover_open_files(tmp_path / "warcs")
    assert len(repaired) == 1 and not list((tmp_path / "warcs").glob("*.open*"))
    assert warcio_check(tmp_path) == []
    urls = [r.uri for r in iter_records(tmp_path) if r.type == "response"]
    assert urls == [u for i in range(3) for u in (f"http://127.0.0.1/@a/{i}", f"http://127.0.0.1/api/{i}.json")]


def test_a_crawl_killed_before_its_first_page_ends_leaves_no_file(tmp_path: Path):
    writer = ArchiveWriter(tmp_path, "k2", {"software": "test"}, page_commits=True)
    writer.write_exchange(exchange("http://127.0.0.1/@a", b"profile"))
    die(writer)
    assert recover_open_files(tmp_path / "warcs") == []
    assert not list((tmp_path / "warcs").iterdir())


def test_with_page_commits_a_full_disk_cuts_back_to_the_last_whole_page(tiny_disk: Path):
    import os

    writer = ArchiveWriter(tiny_disk, "k3", {"software": "test"}, page_commits=True, max_file_bytes=150_000)
    whole = 0
    with pytest.raises(OSError):
        for i in range(1000):
            page = page_of(i)
            page.exchanges.append(exchange(f"http://127.0.0.1/img/{i}.png", os.urandom(20_000)))
            writer.write_page(page)
            writer.commit()
            whole += 1
    writer.close()
    assert whole > 5 and len(warc_files(tiny_disk)) > 1, "files rotate between pages"
    assert warcio_check(tiny_disk) == []
    texts = [r.uri for r in iter_records(tiny_disk) if r.uri.startswith("urn:text:")]
    assert texts == [f"urn:text:http://127.0.0.1/@a/{i}" for i in range(whole)]
    documents = [r.uri for r in iter_records(tiny_disk) if r.type == "response" and "/@a/" in r.uri]
    assert documents == [f"http://127.0.0.1/@a/{i}" for i in range(whole)], "no half page at the end"


def test_payloads_reach_the_shared_digest_index_only_with_their_page(tmp_path: Path):
    """A revisit must never name a record a kill cut off: `seen` (the frontier's Redis index in a worker)
    learns a page's payloads when the page is committed."""
    seen: dict = {}
    writer = ArchiveWriter(tmp_path, "k4", {"software": "test"}, page_commits=True, seen=seen)
    writer.write_page(page_of(0))
    writer.write_exchange(exchange("http://127.0.0.1/api/0.json", b"{}" * 1000))  # the same payload again
    assert seen == {}, "nothing of an unfinished page is shared"
    assert writer.revisits == 1, "within the page a repeat is still a revisit"
    writer.commit()
    assert {url for url, _ in seen} == {"http://127.0.0.1/@a/0", "http://127.0.0.1/api/0.json", "urn:text:http://127.0.0.1/@a/0"}
    writer.write_page(page_of(1))  # then killed: recovery cuts page 1 off, and so does the index
    assert not any(url.endswith("/1") or url.endswith("1.json") for url, _ in seen)
