"""The organisation's own account in the access copy: known from the capture itself, so an access copy
derived again in another process, from the archive alone (crawler/privacy_pipeline.derive_again), leaves
the own avatar as captured (no box, no ledger entry, its picture kept) while every commenter's avatar is
covered, replaced and pseudonymised (issue 11, items 1 and 3)."""

from __future__ import annotations

import gzip
import os
import subprocess
import sys
from pathlib import Path

from conftest import ROOT, crawl
from warcio.archiveiterator import ArchiveIterator

from crawler.privacy.keys import load_keys
from crawler.privacy.ledger import LEDGER_NAME, EncryptedJsonLines
from crawler.privacy.screenshots import NEUTRAL_AVATAR
from crawler.privacy.structural import own_avatar, own_avatars
from crawler.privacy.unfinished import read_facts

ORGANISATION = "test-own-account"


def responses(folder: Path) -> dict[str, tuple[int, bytes]]:
    """URI -> (status, payload) of every response record in the folder's WARCs."""
    found: dict[str, tuple[int, bytes]] = {}
    for path in sorted(folder.glob("*.warc.gz")):
        with open(path, "rb") as fh:
            for record in ArchiveIterator(fh):
                if record.rec_type == "response" and record.http_headers is not None:
                    found[record.rec_headers.get_header("WARC-Target-URI")] = (
                        int(record.http_headers.get_statuscode()), record.content_stream().read())
    return found


def test_a_copy_derived_again_in_another_process_keeps_the_own_avatar_only(platform, tmp_path: Path) -> None:
    truth = platform.truth("mastodon")
    env = {"SMA_ORGANISATION": ORGANISATION}
    run = crawl(truth["profile_url"], tmp_path / "archive", "--max-posts", "1", env=env)
    assert run.returncode == 0, run.stderr[-2000:]
    archive = run.archive
    crawl_id = next((archive / "crawls").iterdir()).name
    own_picture = f"{platform.base}/avatars/{truth['account']['handle']}"

    # Derived again from the archive alone, in a process that never saw the capture.
    code = ("import sys; from crawler.privacy_pipeline import derive_again; "
            "derive_again(sys.argv[1], sys.argv[2], sys.argv[3])")
    done = subprocess.run([sys.executable, "-c", code, str(archive), crawl_id, ORGANISATION], cwd=ROOT,
                          capture_output=True, text=True, timeout=300, env={**os.environ, **env})
    assert done.returncode == 0, done.stderr[-2000:]

    keys = load_keys(ORGANISATION, create=False, archive_dir=archive)
    facts = read_facts(archive, crawl_id, keys.fernet())
    assert all(own_picture in f.own["avatars"] for f in facts.values()), "the capture records the own avatar"
    assert all(truth["account"]["name"] in f.own["identities"] for f in facts.values())
    ledger = list(EncryptedJsonLines(archive / "crawls" / crawl_id / LEDGER_NAME, keys.fernet()).read())
    listed = {row["value"] for row in ledger if row["type"] in ("avatar", "url")}
    assert not any(f"/avatars/{truth['account']['handle']}" in v for v in listed)
    commenters = {c["author"]["handle"] for p in truth["posts"] for c in p["comments"]}
    boxed = {row["value"].rsplit("/", 1)[-1] for row in ledger if row["type"] == "avatar" and "box" in row["location"]}
    assert boxed & commenters and boxed <= commenters, "every boxed avatar is a commenter's; some are boxed"

    original, access = responses(archive / "warcs"), responses(archive / "access" / "warcs")
    targets = {uri: body for uri, (status, body) in original.items() if "/media/avatars/" in uri and status == 200}
    own_file = _location(archive, own_picture)  # the redirect's target: the picture itself
    assert access[own_file][1] == targets[own_file] != NEUTRAL_AVATAR, "the own picture is kept as captured"
    third = [u for u in targets if u != own_file]
    assert third, "the post shows commenters' avatars"
    access_bytes = b"".join(gzip.decompress(p.read_bytes()) for p in (archive / "access" / "warcs").glob("*.warc.gz"))
    for uri in third:  # the picture's file name identifies the person on the live platform
        assert uri.rsplit("/", 1)[1].encode() not in access_bytes
    assert sum(body == NEUTRAL_AVATAR for _s, body in access.values()) >= len(third)


def _location(archive: Path, uri: str) -> str:
    from urllib.parse import urljoin

    for path in sorted((archive / "warcs").glob("*.warc.gz")):
        with open(path, "rb") as fh:
            for record in ArchiveIterator(fh):
                if record.rec_type == "response" and record.rec_headers.get_header("WARC-Target-URI") == uri:
                    return urljoin(uri, record.http_headers.get_header("Location") or "")
    raise AssertionError(f"{uri} was not captured")


def test_an_avatar_is_the_own_accounts_only_by_its_whole_file_name_or_as_recorded() -> None:
    own = ["Ministerie van Demo", "@ministerie-demo", "ministerie-demo"]
    assert own_avatar("http://x/avatars/ministerie-demo", own)
    assert own_avatar("http://x/pfp/Ministerie-Demo.png?s=48", own)
    assert own_avatar("http://x/media/avatars/9f2c.png", own, known={"http://x/media/avatars/9f2c.png"})
    for citizen in ("http://x/avatars/ministerie-demo-fan", "http://x/avatars/jan_ministerie-demo.png",
                    "http://x/media/avatars/9f2c.png", "http://x/avatars/ministerie"):
        assert not own_avatar(citizen, own), citizen
    assert not own_avatar("http://x/avatars/van", ["Ministerie van Demo"]), "a name is no file name"
    assert not own_avatar("http://x/avatars/els.png", ["avatars"]), "a folder named like the own handle is everyone's"
    # A CDN hop: the own picture's redirect target is the own account's too, a commenter's is not.
    redirects = {"http://x/avatars/ministerie-demo": "http://x/media/avatars/1.png",
                 "http://x/avatars/els": "http://x/media/avatars/2.png"}
    assert own_avatars(redirects, own, set(), redirects) == {"http://x/avatars/ministerie-demo",
                                                               "http://x/media/avatars/1.png"}
