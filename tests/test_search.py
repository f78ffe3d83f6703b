"""Search per role: each role's query runs on the index of the copy that role may see.

Reads the session's full Mastodon crawl (copied: the fixture stays read-only) and the demo
platform's truth: what a commenter wrote, their name, handle and personal data.
"""

from __future__ import annotations

import re
import shutil
import stat
from dataclasses import dataclass
from pathlib import Path

import pytest
from conftest import CrawlRun, Platform, run_sma
from woo_support import pii_hits, pii_values

from search.copies import index_path
from search.index import build_all
from search.query import Filters, Searcher


@dataclass
class Indexed:
    archive: Path
    truth: dict
    approved_post: dict  # the one post page approved for the public
    other_post: dict  # a post page not approved


def _approve(archive: Path, post_url: str, env: dict[str, str]) -> None:
    """Publishes one page the way the Woo officer's approval does (replay.woo.redact), with the
    crawl's pseudonymisation key (`env`: the session crawls' key settings)."""
    from replay.woo.access import open_access
    from replay.woo.model import PageReview
    from replay.woo.redact import write_public_page

    with pytest.MonkeyPatch.context() as mp:
        for name, value in env.items():
            if value:
                mp.setenv(name, value)
            else:
                mp.delenv(name, raising=False)
        access = open_access(archive)
        page = next(p for p in access.pages() if p.url == post_url)
        write_public_page(archive, access, page, access.items(page), PageReview(page.id), [])


def crawl_env(skin_archives: object) -> dict[str, str]:
    return dict(getattr(skin_archives, "env", None) or {})


def _words(comment: dict, count: int = 3) -> list[str]:
    """Distinctive plain words of a comment that are no part of any personal value in it."""
    banned = " ".join([p["value"] for p in comment["pii"]] + [comment["author"]["name"]]).lower()
    words = [w for w in re.findall(r"[^\W\d_]{5,}", comment["text"]) if w.lower() not in banned]
    return sorted(set(words), key=lambda w: (-len(w), w))[:count]


@pytest.fixture(scope="module")
def indexed(mastodon_crawl: CrawlRun, skin_archives: object, platform: Platform,
            tmp_path_factory: pytest.TempPathFactory) -> Indexed:
    archive = tmp_path_factory.mktemp("search-archive") / "archive"
    shutil.copytree(mastodon_crawl.archive, archive)
    truth = platform.truth("mastodon")
    with_comments = [p for p in truth["posts"] if p["comments"]]
    approved, other = with_comments[0], with_comments[1]
    _approve(archive, approved["url"], crawl_env(skin_archives))
    build_all(archive)
    return Indexed(archive, truth, approved, other)


def _commenter(truth: dict) -> dict:
    """A comment with personal data in its text, by a commenter with a handle."""
    return next(c for p in truth["posts"] for c in p["comments"]
                if any(x["type"] == "email" for x in c["pii"]) and len(_words(c)) >= 2)


def _ids(archive: Path, role: str, query: str, **filters: object) -> tuple[int, list]:
    searcher = Searcher(archive, role)
    try:
        total, hits = searcher.search(query, Filters(**filters), limit=500)  # type: ignore[arg-type]
    finally:
        searcher.close()
    return total, hits


def test_archivist_finds_a_commenters_words_and_name(indexed: Indexed) -> None:
    comment = _commenter(indexed.truth)
    _, by_words = _ids(indexed.archive, "archivist", " ".join(_words(comment)))
    assert comment["id"] in {h.id for h in by_words}
    _, by_name = _ids(indexed.archive, "archivist", f'"{comment["author"]["name"]}"', kind="comment")
    assert comment["id"] in {h.id for h in by_name}
    hit = next(h for h in by_name if h.id == comment["id"])
    assert comment["author"]["name"] in (hit.author or "")
    email = next(x["value"] for x in comment["pii"] if x["type"] == "email")
    assert comment["id"] in {h.id for h in _ids(indexed.archive, "archivist", email)[1]}


def test_researcher_finds_the_same_words_but_never_a_name_email_or_handle(indexed: Indexed) -> None:
    comment = _commenter(indexed.truth)
    _, by_words = _ids(indexed.archive, "researcher", " ".join(_words(comment)))
    assert comment["id"] in {h.id for h in by_words}, "the pseudonymised copy still holds the citizen's words"
    hit = next(h for h in by_words if h.id == comment["id"])
    assert (hit.author or "").startswith("Burger-")
    values = sorted(pii_values(indexed.truth))
    assert values
    for value in values:
        bare = value.lstrip("@")
        stem = re.sub(r"\W", "", bare)[:4]
        queries = [f'"{value}"', value, f"{bare[:max(3, len(bare) - 2)]}*", f"{stem}*{bare[-2:]}", f"{stem}?"]
        for query in queries:
            _, hits = _ids(indexed.archive, "researcher", query)
            for h in hits:
                shown = f"{h.text} {h.author or ''} {h.snippet}".lower()
                assert bare.lower() not in shown, f"{query!r} found a personal value in the access copy"
        if "@" in value or "_" in bare:  # e-mail addresses and handles: nothing at all may match
            assert _ids(indexed.archive, "researcher", f'"{value}"')[0] == 0, value


def test_no_personal_value_in_any_byte_of_the_researchers_or_publics_index(indexed: Indexed) -> None:
    values = pii_values(indexed.truth)
    original = index_path(indexed.archive, "original").read_bytes()
    assert len(pii_hits(original, values)) > 10, "the original index holds the commenters (else this proves nothing)"
    for copy in ("access", "public"):
        data = index_path(indexed.archive, copy).read_bytes()
        assert pii_hits(data, values) == [], copy


def test_public_finds_only_approved_pages(indexed: Indexed) -> None:
    approved_words = " ".join(re.findall(r"[^\W\d_]{6,}", indexed.approved_post["text"])[:3])
    total, hits = _ids(indexed.archive, "public", approved_words)
    assert total >= 1 and {h.page_url for h in hits} <= {indexed.approved_post["url"]}
    other_words = " ".join(re.findall(r"[^\W\d_]{6,}", indexed.other_post["text"])[:3])
    assert _ids(indexed.archive, "researcher", other_words)[0] >= 1
    _, hits = _ids(indexed.archive, "public", other_words)
    assert {h.page_url for h in hits} <= {indexed.approved_post["url"]}
    _, everything = _ids(indexed.archive, "public", "")
    assert everything and {h.page_url for h in everything} == {indexed.approved_post["url"]}
    # the approved page's comments are there, as published: no commenter's name or handle
    assert sum(h.kind == "comment" for h in everything) == len(indexed.approved_post["comments"])
    names = {c["author"]["name"] for c in indexed.approved_post["comments"]}
    names |= {c["author"]["handle"].lstrip("@") for c in indexed.approved_post["comments"]}
    assert not [h.author for h in everything if any(n in (h.author or "") for n in names)]


def test_filters_thread_links_and_diacritics(indexed: Indexed) -> None:
    post = indexed.approved_post
    day = post["comments"][0]["created_at"][:10] if "created_at" in post["comments"][0] else None
    total_all, _ = _ids(indexed.archive, "researcher", "")
    total_comments, hits = _ids(indexed.archive, "researcher", "", has_comments=True, kind="comment")
    assert 0 < total_comments < total_all
    assert total_comments == sum(len(p["comments"]) for p in indexed.truth["posts"])
    assert _ids(indexed.archive, "researcher", "", platform="nope")[0] == 0
    assert _ids(indexed.archive, "researcher", "", since="2999-01-01")[0] == 0
    if day:
        assert _ids(indexed.archive, "researcher", "", since=day, until=day)[0] >= 1
    hit = hits[0]
    assert hit.replay.startswith("/archive/") and hit.replay.endswith(hit.page_url)
    assert re.fullmatch(r"/archive/\d{14}/.+", hit.replay)
    # diacritics folded: "financiele" finds "financiële", and the other way round
    word = next((w for p in indexed.truth["posts"] for w in re.findall(r"\w*[ëéèïö]\w*", p["text"])), None)
    if word:
        folded = word.translate(str.maketrans("ëéèïö", "eeeio"))
        assert _ids(indexed.archive, "archivist", folded)[0] == _ids(indexed.archive, "archivist", word)[0] > 0


def test_index_files_are_private_and_incremental(indexed: Indexed, tmp_path: Path) -> None:
    for copy in ("original", "access", "public"):
        path = index_path(indexed.archive, copy)
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    again = build_all(indexed.archive)
    assert all(r.files_read == 0 and r.items == 0 for r in again.values())
    # a WARC that is gone (destroyed) takes its rows out of the index
    archive = tmp_path / "archive"
    shutil.copytree(indexed.archive, archive)
    for warc in (archive / "public" / "warcs").glob("*.warc.gz"):
        warc.unlink()
    result = build_all(archive)
    assert result["public"].files_dropped >= 1
    assert _ids(archive, "public", "")[0] == 0


def test_cli_search_text_json_and_bad_input(indexed: Indexed, tmp_path: Path) -> None:
    comment = _commenter(indexed.truth)
    words = " ".join(_words(comment))
    proc = run_sma("search", words, "--archive", str(indexed.archive), "--as", "researcher", "--json", timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert comment["id"] in proc.stdout and comment["author"]["name"] not in proc.stdout
    proc = run_sma("search", words, "--archive", str(indexed.archive), "--as", "archivist", timeout=120)
    assert proc.returncode == 0 and comment["author"]["name"] in proc.stdout and "/archive/" in proc.stdout
    bad = run_sma("search", "x", "--archive", str(indexed.archive), "--as", "archivist", "--from", "gisteren")
    assert bad.returncode == 2 and bad.stderr.strip().count("\n") == 0 and "--from" in bad.stderr
    missing = run_sma("index", "--archive", str(tmp_path / "nothing"))
    assert missing.returncode == 2 and "not an archive" in missing.stderr
