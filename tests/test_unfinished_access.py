"""A crawl killed before its access copy: the next crawl of the account finds it and clears what the killed
derivation left, so the access copy is written once, whole (crawler/privacy/unfinished.py)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from cryptography.fernet import Fernet

from crawler.archive.pages import append_page, read_pages
from crawler.archive.warc import ArchiveWriter
from crawler.privacy.ledger import CAPTURE_FACTS_NAME, LEDGER_NAME, EncryptedJsonLines
from crawler.privacy.unfinished import clear_partial_access, read_facts, unfinished_crawls


def crawl_of(archive: Path, crawl_id: str, account: str, finished: bool, key: bytes) -> None:
    writer = ArchiveWriter(archive, crawl_id, {"software": "test", "account": account})
    writer.write_metadata(f"metadata:http://127.0.0.1/@{account}/1", {"a": "b"}, datetime.now(UTC), None)
    writer.close()
    append_page(archive, {"id": f"{crawl_id}-3", "url": f"http://127.0.0.1/@{account}/1", "ts": "2026-12-01T10:00:00Z",
                          "title": "", "kind": "post"})
    folder = archive / "crawls" / crawl_id
    EncryptedJsonLines(folder / CAPTURE_FACTS_NAME, Fernet(key)).append(
        [{"url": f"http://127.0.0.1/@{account}/1", "third_parties": [{"name": "Jan Jansen"}], "boxes": []}])
    if finished:
        (folder / "privacy.json").write_text("{}")


def test_only_killed_crawls_of_the_same_account_are_unfinished(tmp_path: Path):
    key = Fernet.generate_key()
    crawl_of(tmp_path, "20261201100000-aaaaaa", "ministerie", finished=True, key=key)
    crawl_of(tmp_path, "20261201110000-bbbbbb", "ministerie", finished=False, key=key)
    crawl_of(tmp_path, "20261201120000-cccccc", "andere-dienst", finished=False, key=key)
    crawl_of(tmp_path, "20261201130000-dddddd", "ministerie", finished=False, key=key)
    assert unfinished_crawls(tmp_path, "20261201130000-dddddd", "ministerie") == ["20261201110000-bbbbbb"]
    facts = read_facts(tmp_path, "20261201110000-bbbbbb", Fernet(key))
    assert facts["http://127.0.0.1/@ministerie/1"].third_parties == [{"name": "Jan Jansen"}]


def test_what_a_killed_derivation_wrote_is_cleared_and_its_sealed_files_withdrawn(tmp_path: Path):
    killed, other = "20261201110000-bbbbbb", "20261201100000-aaaaaa"
    access = tmp_path / "access"
    (access / "warcs").mkdir(parents=True)
    closed = access / "warcs" / f"sma-access-20261201110500-{killed}-00000.warc.gz"
    closed.write_bytes(b"x")
    torn = access / "warcs" / f"sma-access-20261201110600-{killed}-00001.warc.gz.open"
    torn.write_bytes(b"y")
    kept = access / "warcs" / f"sma-access-20261201100500-{other}-00000.warc.gz"
    kept.write_bytes(b"z")
    append_page(access, {"id": f"{other}-3", "url": "http://127.0.0.1/@a/1", "ts": "2026-12-01T10:00:00Z"})
    append_page(access, {"id": f"{killed}-3", "url": "http://127.0.0.1/@a/2", "ts": "2026-12-01T11:00:00Z"})
    with open(access / "pages.jsonl", "a") as fh:
        fh.write('{"id": "' + killed + '-9", "url": "http://127.0.0.1/@a/')  # the kill, mid-line
    (tmp_path / "crawls" / killed).mkdir(parents=True)
    (tmp_path / "crawls" / killed / LEDGER_NAME).write_bytes(b"gAAAA-torn")

    clear_partial_access(tmp_path, killed)

    assert sorted(p.name for p in (access / "warcs").iterdir()) == [kept.name]
    assert [row["id"] for row in read_pages(access)] == [f"{other}-3"]
    assert (access / "pages.jsonl").read_text().endswith("\n"), "the next row appended stays whole"
    assert not (tmp_path / "crawls" / killed / LEDGER_NAME).exists()
    manifest = [json.loads(line) for line in (access / ".sma" / "fixity.jsonl").read_text().splitlines()]
    assert [(m["path"], m["by"]) for m in manifest] == [(f"warcs/{closed.name}", "access-copy-redone")]


def test_a_dead_writers_open_warc_is_repaired_and_its_crawl_derived_a_live_ones_is_left(tmp_path: Path):
    """A crawl killed while a later crawl runs left its WARC `.open`: no process holds the writer's
    lock, so the file is cut back to whole records and the crawl is found unfinished. A crawl whose
    writer still holds the lock (another live `sma crawl`) is left alone, its file untouched."""
    import fcntl

    key = Fernet.generate_key()
    for crawl_id in ("20261201110000-bbbbbb", "20261201120000-cccccc"):
        crawl_of(tmp_path, crawl_id, "ministerie", finished=False, key=key)
        closed = next(p for p in (tmp_path / "warcs").glob(f"*-{crawl_id}-*.warc.gz"))
        closed.rename(closed.with_name(closed.name + ".open"))
    live = next((tmp_path / "warcs").glob("*-20261201120000-cccccc-*.open"))
    before = live.read_bytes()
    with open(live, "rb") as held:
        fcntl.flock(held.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        found = unfinished_crawls(tmp_path, "20261201130000-dddddd", "ministerie")
    assert found == ["20261201110000-bbbbbb"]
    assert not list((tmp_path / "warcs").glob("*-20261201110000-bbbbbb-*.open"))
    assert list((tmp_path / "warcs").glob("*-20261201110000-bbbbbb-*.warc.gz"))
    assert live.exists() and live.read_bytes() == before


def test_a_crawl_killed_before_its_first_page_facts_is_unfinished_and_its_empty_ledger_reads(tmp_path: Path):
    """The capture facts file exists from the crawl's start (empty until a page's facts come), so a kill
    between a page's WARC row and its facts still leaves the crawl to be derived; a ledger with no entry
    is written too, and reads as empty rather than lost."""
    from crawler.privacy.ledger import write_entries

    key = Fernet.generate_key()
    crawl_of(tmp_path, "20261201110000-bbbbbb", "ministerie", finished=False, key=key)
    facts = tmp_path / "crawls" / "20261201110000-bbbbbb" / CAPTURE_FACTS_NAME
    facts.unlink()
    EncryptedJsonLines(facts, Fernet(key)).create()
    assert facts.stat().st_size == 0 and facts.stat().st_mode & 0o777 == 0o600
    assert unfinished_crawls(tmp_path, "20261201130000-dddddd", "ministerie") == ["20261201110000-bbbbbb"]
    assert read_facts(tmp_path, "20261201110000-bbbbbb", Fernet(key)) == {}
    ledger = tmp_path / "crawls" / "20261201110000-bbbbbb" / LEDGER_NAME
    assert write_entries(ledger, Fernet(key), []) == 0
    assert ledger.exists() and list(EncryptedJsonLines(ledger, Fernet(key)).read()) == []
