"""A thread over several pages (docs/reader.md): page 2..N of a forum topic, a reply's own page on
a server-rendered timeline, replies behind "N replies" lookalikes on a redesigned TikTok. Crawled
with no selectors (and with the URL's profile where there is one) under a redesign (mutation seed
14: late scripts, buttons as links, delays, virtualised lists), each on the smallest post whose
thread does not fit one page: every truth comment is in the archive and counted under its post, from the WARC."""

from __future__ import annotations

import gzip
import io
import json
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from archive_checks import archived_text, norm
from conftest import Platform, crawl
from warcio.archiveiterator import ArchiveIterator
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from crawler.capture.reader import ReaderResult, post_links, thread_links
from crawler.capture.threads import ThreadTally, texts_in_warcs

SEED = 14  # tests 11-14, the benchmark 1-5


@pytest.fixture(scope="module")
def redesigned() -> Iterator[Platform]:
    from demo_platform.server import make_server

    server = make_server("127.0.0.1", 0, seed=1, mutation_seed=SEED)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield Platform("http://{}:{}".format(*server.server_address[:2]))
    server.shutdown()
    server.server_close()


# Top-level comments a skin shows on one page (or in one load): a thread longer than that is paged.
PAGE_SIZE = {"forum": 10, "timeline": 8, "tiktok": 10}


def paged_thread(truth: dict, skin: str) -> dict:
    """The smallest thread that does not fit one page (cheap, and paged all the same)."""
    paged = [p for p in truth["posts"] if len([c for c in p["comments"] if c["parent"] is None]) > PAGE_SIZE[skin]]
    return min(paged, key=lambda p: len(p["comments"]))


@pytest.mark.parametrize("skin,profile", [("forum", "generic"), ("timeline", "generic"),
                                          ("tiktok", "auto"), ("tiktok", "generic")])
def test_every_comment_of_a_thread_over_its_pages_is_archived_and_counted_under_its_post(
        redesigned: Platform, skin: str, profile: str, tmp_path: Path) -> None:
    truth = redesigned.truth(skin)
    post = paged_thread(truth, skin)
    run = crawl(truth["profile_url"], tmp_path / "a", "--profile", profile, "--post", post["url"],
                "--reason", "test: one thread")
    assert run.returncode in (0, 3), run.stderr[-2000:]
    report = json.loads(next((run.archive / "crawls").glob("*/completeness.json")).read_text())
    [seen] = report["observed"]["posts"]
    # In a response, or in a resource record: the WebSocket's frames, the rendered DOM.
    text = archived_text(run.archive) + in_resources(run.warcs())
    missing = [c["text"] for c in post["comments"] if norm(c["text"]) not in text]
    # Page 2..N of the thread is in the archive whole (on page 1 of the forum's topic, a nested
    # reply behind a detached, virtualised post may still be missed: docs/reader.md).
    later = [c["text"] for c in post["comments"] if c["parent"] is None][PAGE_SIZE[skin]:]
    assert later and not set(later) & set(missing)
    if skin != "forum":
        assert missing == []
    assert seen["counters"]["comments"] == post["comment_count"]
    if missing:
        # Never complete while the archive lacks a comment the page displays.
        assert run.returncode == 3 and [s for s in report["shortfalls"] if s.get("what") == "comments"]
    if skin == "tiktok":
        # Its comments are plain <div>s, and the redesign renamed what the profile's selector
        # knew: the reader takes none for an entry; they are counted from the DOM snapshot the
        # crawl recorded (crawler/capture/threads.py), as many as the archive holds, no more.
        assert seen["comments_in_snapshot"] == seen["comments_captured"]
    # Counted from the WARC, over every page of the thread: as many as the archive holds.
    assert seen["comments_captured"] == post["comment_count"] - len(missing)
    # summary.json, completeness.json, the HTML report and the exit code say the same.
    assert_reports_agree(run.archive, run.returncode)
    assert bool([s for s in report["shortfalls"] if s.get("what") == "comments"]) == bool(missing)
    if skin in ("forum", "timeline"):
        assert len(seen["thread_pages"]) > 1 and seen["thread_pages"][0] == post["url"]
    # No text of a third party in the report: entries stay in memory.
    assert not any(c["text"] in json.dumps(report, ensure_ascii=False) for c in post["comments"])


def assert_reports_agree(archive: Path, returncode: int) -> None:
    crawl_dir = next((archive / "crawls").iterdir())
    summary = json.loads((crawl_dir / "summary.json").read_text())
    report = json.loads((crawl_dir / "completeness.json").read_text())
    page = (crawl_dir / "report.html").read_text()
    assert summary["complete"] == report["complete"] == (returncode == 0)
    assert summary["comments"] == report["comments"]
    assert ("<p class='verdict ok'>COMPLETE</p>" in page) == report["complete"]
    assert f"<td>comments displayed / captured</td><td>{report['comments']['displayed']} / " \
           f"{report['comments']['captured']}" in page
    if any(s.get("what") == "unknown" for s in report["shortfalls"]):
        assert not report["complete"] and "UNKNOWN, never complete" in page


def in_resources(warcs: list[Path]) -> str:
    """The text of every resource record: JSON lines' strings (WebSocket frames, twice encoded)
    and the DOM's text."""
    chunks = []
    for path in warcs:
        with path.open("rb") as stream:
            for record in ArchiveIterator(stream):
                if record.rec_type != "resource":
                    continue
                body = record.content_stream().read().decode("utf-8", "replace")
                chunks.append(norm(body))
                for line in body.splitlines():
                    try:
                        frame = json.loads(json.loads(line).get("payloadData") or "null")
                    except (ValueError, AttributeError, TypeError):
                        continue
                    chunks.append(norm(json.dumps(frame, ensure_ascii=False)))
    return "\n".join(chunks)


def warc_with(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "x.warc.gz"
    with path.open("wb") as out:
        writer = WARCWriter(out, gzip=True)
        headers = StatusAndHeaders("200 OK", [("Content-Type", "application/json")], protocol="HTTP/1.1")
        writer.write_record(writer.create_warc_record("http://h/api", "response", payload=io.BytesIO(
            body.encode()), http_headers=headers))
    assert gzip.open(path).read()
    return path


def test_captured_means_in_the_warc_whatever_the_dom_showed(tmp_path: Path) -> None:
    warc = warc_with(tmp_path, json.dumps({"text": "Wat een \"mooie\" dag & zo"}) + "<p>Tweede   reactie\nhier</p>")
    assert texts_in_warcs([warc], {'Wat een "mooie" dag & zo', "Tweede reactie hier", "Nooit gearchiveerd"}) == {
        'Wat een "mooie" dag & zo', "Tweede reactie hier"}
    tally = ThreadTally(max_pages=3)
    post = "http://h/t/onderwerp/1"
    first = ReaderResult(entries={"p": ("De post zelf", False), "a": ('Wat een "mooie" dag & zo', False)},
                         first_entry="p", follow=[post + "?page=2", "http://other/t/1?page=2"],
                         deeper=["http://h/u/iemand", post + "?page=3", post + "?page=4"])
    assert tally.read(post, post, [first], precise=False) == [post + "?page=2", post + "?page=3"]
    # The same comment again on page 2 is one comment; one the archive does not hold is not captured.
    second = ReaderResult(entries={"a": ('Wat een "mooie" dag & zo', False), "b": ("Nooit gearchiveerd", False),
                                   "c": ("Tweede reactie hier", False)}, first_entry="a")
    assert tally.read(post, post + "?page=2", [second], precise=False) == []
    assert tally.seen(post) == 3
    assert tally.in_archive([warc]) == {post: 2}


def test_thread_links_stay_in_the_thread_and_slugged_post_links_are_found() -> None:
    post = "http://h/@org/1"
    assert thread_links(["http://h/@org/2", "http://h/@someone/3", "http://h/@org/1#x", "http://x/@org/4"],
                        post) == ["http://h/@org/2"]
    links = [f"http://h/forum/t/{slug}/{n}" for n, slug in enumerate(
        ["goed-nieuws-de-subsidie", "vanaf-26-juni-wordt", "het-minimumloon-stijgt"], start=100)]
    assert post_links([*links, "http://h/forum/u/iemand"], "http://h/forum/u/org") == links
    # A mixed-case code with no digit is an id too (Instagram's shortcodes).
    codes = [f"http://h/p/{c}/" for c in ("GVk-G-gCWo", "GVidNIAG-P", "GVekLoABLS")]
    assert post_links([*codes, "http://h/p/about/"], "http://h/org/") == codes
