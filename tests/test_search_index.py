"""search/index.py add_items, batched (one WARC file's items per call, executemany, one FTS insert
per batch): the newest capture of an item wins within a batch and across batches, and the
full-text index holds exactly the rows' current text. Direct on a temporary index, no crawl."""

from __future__ import annotations

from pathlib import Path

from search.copies import index_path
from search.extract import Item
from search.index import add_items, open_index
from search.query import Searcher

PAGE = "https://social.example/@gemeente/111"


def _comment(cid: str, text: str, captured: str) -> Item:
    return Item(kind="comment", id=cid, parent_id=None, post_id="111", page_url=PAGE, account="gemeente",
                platform="mastodon", published="2026-10-01T09:00:00Z", captured=captured, author_name="Els",
                author_handle="@els", text=text, warc_file=f"warcs/{captured[:10]}.warc.gz")


def _found(archive: Path, word: str) -> list[str]:
    searcher = Searcher(archive, "archivist")
    try:
        return [h.text for h in searcher.search(word)[1]]
    finally:
        searcher.close()


def test_the_newest_capture_wins_and_the_text_index_follows(tmp_path: Path) -> None:
    conn = open_index(index_path(tmp_path, "original"), create=True)
    with conn:  # one file that captured the page twice: its later state stays
        assert add_items(conn, [_comment("c1", "eerste versie fietspad", "2026-10-02T10:00:00Z"),
                                _comment("c2", "ander bericht", "2026-10-02T10:00:00Z"),
                                _comment("c1", "tweede versie fietspad", "2026-10-02T11:00:00Z")]) == 3
    with conn:  # an older capture read later changes nothing
        add_items(conn, [_comment("c1", "oudste versie fietspad", "2026-10-01T08:00:00Z")])
    assert _found(tmp_path, "fietspad") == ["tweede versie fietspad"]
    assert _found(tmp_path, "oudste") == [] and _found(tmp_path, "eerste") == []
    with conn:  # a newer one replaces it, and its old words leave the full-text index
        add_items(conn, [_comment("c1", "derde versie rotonde", "2026-10-03T09:00:00Z")])
    assert _found(tmp_path, "fietspad") == [] and _found(tmp_path, "rotonde") == ["derde versie rotonde"]
    assert _found(tmp_path, "ander") == ["ander bericht"]
    with conn:  # the row with the highest rowid replaced: its new row gets that rowid again
        add_items(conn, [_comment("c2", "ander bericht, bewerkt", "2026-10-04T09:00:00Z")])
    assert _found(tmp_path, "bewerkt") == ["ander bericht, bewerkt"]
    items = conn.execute("SELECT count(*) FROM items").fetchone()[0]
    indexed = conn.execute("SELECT count(*) FROM fts WHERE fts MATCH 'versie OR bericht'").fetchone()[0]
    assert items == indexed == 2
    conn.close()


def test_an_index_from_before_the_batches_is_not_indexed_twice(tmp_path: Path) -> None:
    """Indexes written with the per-row insert trigger lose it when opened for writing."""
    path = index_path(tmp_path, "original")
    conn = open_index(path, create=True)
    conn.executescript("""CREATE TRIGGER items_ai AFTER INSERT ON items BEGIN
      INSERT INTO fts(rowid, text, author, hashtags) VALUES (new.rowid, new.text, new.author, new.hashtags);
    END;""")
    conn.close()
    conn = open_index(path, create=True)
    with conn:
        add_items(conn, [_comment("c9", "kademuur", "2026-10-02T10:00:00Z")])
    assert conn.execute("SELECT count(*) FROM fts WHERE fts MATCH 'kademuur'").fetchone()[0] == 1
    assert conn.execute("SELECT count(*) FROM sqlite_master WHERE name = 'items_ai'").fetchone()[0] == 0
    conn.close()


def test_a_hit_lists_its_pages_captures_by_date(tmp_path: Path) -> None:
    """Issue 15 item 4 (per page its captures over time): the page was captured in three runs; the
    hit shows the latest text and all three captures, oldest first, each with its replay link --
    in `sma search --json`'s rows and on the gateway's search page."""
    from security_support import USERS, basic, call, make_gateway

    archive = tmp_path / "archive"
    conn = open_index(index_path(archive, "original"), create=True)
    for when, text in (("2026-10-01T08:00:00Z", "fietspad eerst"), ("2026-10-08T08:00:00Z", "fietspad later"),
                       ("2026-10-15T08:00:00Z", "fietspad laatst")):
        with conn:  # one WARC file per run
            add_items(conn, [_comment("c1", text, when)])
    conn.close()
    searcher = Searcher(archive, "archivist")
    (hit,) = searcher.search("fietspad")[1]
    searcher.close()
    assert hit.text == "fietspad laatst"
    assert [c["captured"] for c in hit.captures] == ["2026-10-01T08:00:00Z", "2026-10-08T08:00:00Z",
                                                     "2026-10-15T08:00:00Z"]
    assert hit.captures[0]["replay"] == f"/archive/20261001080000/{PAGE}"
    assert hit.as_dict()["captures"] == hit.captures

    gateway = make_gateway(archive, users={"anna": USERS["anna"]})
    page = call(gateway, "GET", "/_sma/search?q=fietspad", headers=basic("anna", USERS["anna"][1])).body.decode()
    links = [line for line in page.split('<a class="sma-capture')[1:]]
    assert len(links) == 3 and "sma-this-capture" in links[2] and "sma-this-capture" not in links[0]
    assert f'href="/archive/20261008080000/{PAGE}"' in page and ">2026-10-08 08:00</a>" in page
