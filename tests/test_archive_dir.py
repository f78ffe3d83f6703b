"""archive/: the archive directory's layout, its tolerant JSON Lines and pages files, the one list of
binary content types and the one record rule of WARC-to-WARC transforms. All on tmp_path, no crawl."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest

from archive.content_types import is_binary
from archive.jsonl import read_jsonl
from archive.layout import ArchiveDir, closed_warcs, crawl_id_of, crawl_warcs, make_dir, write_private
from archive.pages import HEADER, append_page, read_pages, replace_page
from archive.transform import Handling, handling, metadata_fields


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_torn_last_line_and_lines_that_are_no_object_are_passed_over(tmp_path):
    path = tmp_path / "runs.jsonl"
    path.write_bytes(b'{"a": 1}\n\n[1, 2]\n"text"\n{"b": "\xc3\xa9"}\n{"c": 3, "d"')
    assert read_jsonl(path) == [{"a": 1}, {"b": "é"}]
    assert read_jsonl(tmp_path / "missing.jsonl") == []
    assert read_jsonl(tmp_path) == []  # a folder where a file was expected reads as empty


def test_pages_are_read_without_the_header_and_replaced_by_id(tmp_path):
    append_page(tmp_path, {"id": "c1-1", "url": "https://x.example/@a", "ts": "2026-01-01T00:00:00Z"})
    append_page(tmp_path, {"id": "c1-2", "url": "https://x.example/@a/1", "title": "één"})
    with open(tmp_path / "pages.jsonl", "a", encoding="utf-8") as fh:
        fh.write('{"id": "c1-3", "url": "https://x.exa')  # killed while appending
    assert [r["id"] for r in read_pages(tmp_path)] == ["c1-1", "c1-2"]
    replace_page(tmp_path, {"id": "c1-1", "url": "https://x.example/@a", "title": "again"})
    lines = [json.loads(line) for line in (tmp_path / "pages.jsonl").read_text(encoding="utf-8").splitlines()]
    assert lines[0] == HEADER
    assert [(r["id"], r.get("title")) for r in lines[1:]] == [("c1-2", "één"), ("c1-1", "again")]
    assert mode(tmp_path / "pages.jsonl") == 0o600
    assert list(read_pages(tmp_path / "nothing-here")) == []


def test_the_layout_names_every_copy_and_state_file(tmp_path):
    archive = ArchiveDir(tmp_path)
    assert archive.warc_dir() == tmp_path / "warcs"
    assert archive.pages("access") == tmp_path / "access" / "pages.jsonl"
    assert archive.warc_dir("public") == tmp_path / "public" / "warcs"
    assert archive.crawl("c1") == tmp_path / "crawls" / "c1"
    assert archive.account("ministerie") == tmp_path / "accounts" / "ministerie"
    assert archive.manifest == tmp_path / ".sma" / "fixity.jsonl"
    assert archive.users == tmp_path / ".sma" / "users.json"
    assert archive.audit_log == tmp_path / ".sma" / "audit.jsonl"
    assert archive.search_index("access") == tmp_path / ".sma" / "search" / "access.sqlite"
    assert archive.pywb("public") == tmp_path / ".pywb" / "public"
    with pytest.raises(KeyError, match="no copy 'backup'"):
        archive.warc_dir("backup")


def test_account_states_are_every_accounts_state_file_in_name_order(tmp_path):
    archive = ArchiveDir(tmp_path)
    assert archive.account_states() == []  # no accounts/ yet
    for account in ("zeeland", "amsterdam"):
        make_dir(archive.account(account))
        write_private(archive.account(account) / "state.json", "{}")
    make_dir(archive.account("half"))  # an account folder whose first crawl never committed a state
    assert archive.account_states() == [archive.account(a) / "state.json" for a in ("amsterdam", "zeeland")]


def test_closed_warcs_leave_out_open_and_empty_files_and_crawl_warcs_keep_write_order(tmp_path):
    warcs = make_dir(tmp_path / "warcs")
    for name in ("sma-20260101000000-c1-00001.warc.gz.open", "sma-20260101000000-c1-00000.warc.gz",
                 "sma-20260102000000-c2-00000.warc.gz", "notes.txt"):
        (warcs / name).write_bytes(b"x")
    (warcs / "sma-20260103000000-c3-00000.warc.gz").write_bytes(b"")  # created, nothing written yet
    assert [p.name for p in closed_warcs(warcs)] == ["sma-20260101000000-c1-00000.warc.gz",
                                                     "sma-20260102000000-c2-00000.warc.gz"]
    assert [p.name for p in crawl_warcs(warcs, "c1")] == ["sma-20260101000000-c1-00000.warc.gz",
                                                          "sma-20260101000000-c1-00001.warc.gz.open"]
    assert ArchiveDir(tmp_path).closed_warcs("access") == []  # no access copy yet
    assert ArchiveDir(tmp_path).has_copy() and not ArchiveDir(tmp_path).has_copy("access")
    assert not ArchiveDir(tmp_path / "elsewhere").has_copy()  # never crawled into: not an archive


@pytest.mark.parametrize(("name", "crawl_id"), [
    ("sma-20261124112233-20261124112233-3fa9c1-00000.warc.gz", "20261124112233-3fa9c1"),
    ("sma-access-20261124112233-20261124112233-3fa9c1-00002.warc.gz", "20261124112233-3fa9c1"),
    ("sma-w-7-20261124112233-20261124112233-3fa9c1-00001.warc.gz.open", "20261124112233-3fa9c1"),  # a worker's prefix
    ("notes.warc.gz", ""), ("sma-public-x-p1-00000.warc.gz", ""),
])
def test_the_crawl_id_is_read_from_the_end_of_a_warcs_name(name, crawl_id):
    assert crawl_id_of(Path(name)) == crawl_id


def test_folders_are_0700_and_private_files_0600_whatever_the_umask(tmp_path):
    old = os.umask(0o022)
    try:
        folder = make_dir(tmp_path / "a" / "b")
        path = write_private(folder / "users.json", "{}")
        write_private(path, b"[]")  # replaced in place, still owner-only
    finally:
        os.umask(old)
    assert (mode(tmp_path / "a"), mode(folder), mode(path)) == (0o700, 0o700, 0o600)
    assert path.read_text() == "[]" and [p.name for p in folder.iterdir()] == ["users.json"]


@pytest.mark.parametrize(("content_type", "binary"), [
    ("image/png", True), ("Font/woff2", True), (" application/x-protobuf", True), ("application/gzip", True),
    ("application/x-font-ttf", True), ("application/pdf", True), ("text/html; charset=utf-8", False),
    ("application/json", False), ("application/javascript", False), ("", False), (None, False),
])
def test_one_list_says_which_bodies_are_never_text(content_type, binary):
    assert is_binary(content_type) is binary


@pytest.mark.parametrize(("rec_type", "uri", "expected"), [
    ("response", "https://x.example/", Handling.EXCHANGE),
    ("revisit", "https://x.example/a.png", Handling.EXCHANGE),
    ("revisit", "urn:screenshot:https://x.example/", Handling.RESOURCE),
    ("resource", "urn:dom:https://x.example/", Handling.RESOURCE),
    ("request", "https://x.example/", Handling.REQUEST),
    ("metadata", "metadata:https://x.example/", Handling.METADATA),
    ("warcinfo", "", Handling.OTHER),
])
def test_every_transform_handles_a_record_by_the_same_rule(rec_type, uri, expected):
    assert handling(rec_type, uri) is expected


def test_metadata_fields_go_through_the_transform_one_value_at_a_time():
    payload = "outlink: https://x.example/@jan\r\nno separator\r\nvia: Anaïs de Vries\r\n".encode()
    assert metadata_fields(payload, str.upper) == {"outlink": "HTTPS://X.EXAMPLE/@JAN", "via": "ANAÏS DE VRIES"}
