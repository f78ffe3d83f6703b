"""Structural detection without a profile, and no linkable identifiers in the access copy (issue 11
items 2 and 3): commenters from what marks an author in JSON and HTML; their API ids, avatar file
names and profile URLs pseudonymised in every byte of the access WARCs (the original keeps them, so
the check can fail). The byte-wise check reuses the session's Mastodon crawl."""

from __future__ import annotations

import gzip
import json
import re

from crawler.privacy import PiiDetector, Pseudonymiser, pseudonymise_body, pseudonymise_url
from crawler.privacy.structural import scan_body

KEY = b"s" * 32
API = json.dumps([{"id": "1100220033004400", "content": "<p>eens!</p>",
                   "account": {"id": "1099887766554433", "username": "truus_1948", "acct": "truus_1948",
                               "display_name": "Truus Oosterhuis", "url": "https://social.test/@truus_1948",
                               "avatar": "https://cdn.test/media/avatars/9f8e7d6c5b4a3921.png"}},
                  {"id": "1100220033004401", "account": {"id": "1000000000000001", "username": "gemeente_demo",
                                                         "display_name": "Gemeente Demo"}}])
HTML = """<html><body><article>
<img class="comment-avatar" src="/static/u/avatar-88123.jpg" alt="Profielfoto van Henk de Boer">
<a rel="author" href="/profile/88123">Henk de Boer</a><p>Bij ons ook!</p></article>
<article><a href="/users/login">Inloggen</a><span itemprop="author">Marieke Jansen-de Wit</span></article>
</body></html>"""


def test_json_api_fields_name_commenters_and_their_ids() -> None:
    people, ids = scan_body(API, "application/json")
    assert ("Truus Oosterhuis", "truus_1948") in {(p.name, p.handle) for p in people}
    assert "1099887766554433" in ids and ids["1099887766554433"].handle == "truus_1948"
    assert any(p.avatar_url and "9f8e7d6c5b4a3921" in p.avatar_url for p in people)


def test_html_author_markup_names_commenters_but_not_site_links() -> None:
    people, _ = scan_body(HTML, "text/html; charset=utf-8")
    names = {p.name for p in people if p.name}
    assert {"Henk de Boer", "Marieke Jansen-de Wit"} <= names
    assert "Inloggen" not in names and not any(p.profile_url == "/users/login" for p in people)


# A redesigned page: no class says "author"; what is left is the avatar, the link beside it and the
# @handle after the name (timeline-like markup with renamed classes).
RENAMED = """<li><header class="k3f"><img class="q9" src="/t/avatars/eva_prins" alt="" width="48">
<a class="zz1" href="/t/eva_prins">Eva Prins</a> <span class="y7">@eva_prins</span>
<a href="/t/ministerie-demo/status/1234567">3 u</a></header><p>Eens met Jan.</p>
<img class="q9" src="/t/avatars/ministerie-demo" alt=""> <a href="/t/ministerie-demo/volgen">Volgen</a></li>"""
GRAPHQL = json.dumps({"data": {"entries": [{"__typename": "Tweet", "rest_id": "1767890123456789012", "core": {
    "user_results": {"result": {"__typename": "User", "rest_id": "887766554433", "legacy": {
        "name": "Loes de Haan", "screen_name": "loes_dehaan"}}}}, "legacy": {"full_text": "@smit1970 klopt"}}],
    "mentions": [{"id": "556677889900", "username": "smit1970", "url": "/@smit1970"}],
    "comments": [{"author": {"displayName": "@bram_653", "channelName": "Bram Bos", "avatar": "/ggpht/a1b2.png"}}],
    "tags": [{"name": "klimaat", "url": "/tags/klimaat"}]}})


def test_renamed_markup_still_names_the_commenter_beside_the_avatar_but_no_post_link() -> None:
    people, _ = scan_body(RENAMED, "text/html")
    assert ("Eva Prins", "@eva_prins", "/t/eva_prins") in {(p.name, p.handle, p.profile_url) for p in people}
    assert not any(p.profile_url and "status" in p.profile_url for p in people)
    assert not any(p.name == "Volgen" or p.profile_url == "/t/ministerie-demo/volgen" for p in people)


def test_a_reordered_header_names_the_commenter_too() -> None:
    # Another redesign: permalink, @handle, name, avatar last; and a site link no avatar follows.
    html = ('<header class="h1"><a href="/t/x/status/114160597663806255">14-03-2025</a> <span class="s">@jokes58</span>'
            ' <a class="n" href="/t/jokes58">Joke Smits</a> <img class="i" src="/t/avatars/jokes58" alt=""></header>'
            '<p>Dit had eerder gemoeten.</p><nav><a href="/t/over">Over Ons</a></nav>')
    people, _ = scan_body(html, "text/html")
    assert ("Joke Smits", "@jokes58", "/t/jokes58") in {(p.name, p.handle, p.profile_url) for p in people}
    assert not any(p.name == "Over Ons" or (p.profile_url or "").endswith("/over") for p in people)


def test_accounts_in_json_wherever_they_sit_but_not_tags_or_posts() -> None:
    people, ids = scan_body(GRAPHQL, "application/json")
    seen = {(p.name, p.handle) for p in people}
    assert {("Loes de Haan", "loes_dehaan"), ("Bram Bos", "@bram_653")} <= seen
    assert any(p.handle == "smit1970" for p in people)
    assert not any(p.name == "klimaat" for p in people)
    assert {"887766554433", "556677889900"} <= set(ids) and "1767890123456789012" not in ids


def test_learned_structure_leaves_no_id_avatar_or_name_and_keeps_the_organisation() -> None:
    detector = PiiDetector(own_identities=["gemeente_demo", "Gemeente Demo"])
    people, ids = scan_body(API, "application/json")
    detector.learn(people)
    detector.learn_ids(i for i, p in ids.items() if not (p and detector.is_own(p.handle or "")))
    pseudonymiser = Pseudonymiser(KEY)
    body, findings = pseudonymise_body(API.encode(), "application/json", "https://social.test/api", detector,
                                       pseudonymiser)
    for value in (b"1099887766554433", b"9f8e7d6c5b4a3921", b"truus_1948", b"Truus", b"Oosterhuis"):
        assert value not in body
    assert b"Gemeente Demo" in body and b"1000000000000001" in body  # the organisation is no third party
    json.loads(body)  # still valid JSON
    new_id = pseudonymiser.same_shape("1099887766554433")
    assert re.fullmatch(r"[1-9]\d{15}", new_id) and new_id.encode() in body
    # The id in a URL gets the same stand-in, so a link and its record still agree.
    url = pseudonymise_url("https://social.test/api/v1/accounts/1099887766554433/statuses", detector, pseudonymiser)
    assert url == f"https://social.test/api/v1/accounts/{new_id}/statuses"


def _bytes(paths) -> bytes:  # noqa: ANN001
    return b"".join(gzip.decompress(p.read_bytes()) for p in paths)


def _commenter_ids(original: bytes, own_handle: str) -> set[str]:
    """Account ids of every account but the organisation's in the original's API JSON (read here
    with plain string search on the raw bytes, independently of crawler/privacy/structural.py)."""
    ids = set()
    for account in re.finditer(rb'"account":\s*\{[^{}]*\}', original):
        ident = re.search(rb'"id":\s*"?(\d{6,})', account.group(0))
        username = re.search(rb'"username":\s*"([^"]+)"', account.group(0))
        if ident and username and username.group(1).decode() != own_handle:
            ids.add(ident.group(1).decode())
    return ids


def test_no_avatar_file_name_or_user_id_of_the_original_in_the_access_warcs(mastodon_crawl, platform):
    archive = mastodon_crawl.archive
    original = _bytes(sorted((archive / "warcs").glob("*.warc.gz")))
    access = _bytes(sorted((archive / "access" / "warcs").glob("*.warc.gz")))
    own = platform.truth("mastodon")["account"]["handle"]
    avatars = set(re.findall(rb"/media/avatars/([0-9a-f]{16})\.png", original))
    # The organisation's own picture (/avatars/<own handle> redirects to it) is no third party's: kept.
    own_file = re.search(rb"/avatars/" + re.escape(own.encode()) + rb"\r\n(?:.*\r\n)*?Location: [^\r]*/media/avatars/"
                         rb"([0-9a-f]{16})\.png", original)
    assert own_file, "the crawl captured the own account's avatar and its redirect"
    avatars.discard(own_file.group(1))
    ids = _commenter_ids(original, own)
    assert len(avatars) > 3 and len(ids) > 3, "the original must hold avatar file names and user ids"
    assert sorted(a for a in avatars if a in access) == []
    assert sorted(i for i in ids if i.encode() in access) == []
    assert own.encode() in access and own_file.group(1) in access
