"""Issue 11 item 3 through the real gateway: no linkable identifier of a commenter -- the file name of their
avatar picture (content-addressed, as a CDN names it) or their numeric account id -- in any byte a researcher,
a public user or an anonymous visitor gets, for every request of the bypass list (tests/test_redaction_bypass.py)
and the CDX, timemap and query pages asked for those very identifiers. The archivist gets them (so it can fail).
The ids are read from the original WARCs by plain byte search, independently of crawler/privacy/."""

from __future__ import annotations

import gzip
import re

import pytest
from test_redaction_bypass import ATTEMPTS, Context, attempt, ctx  # noqa: F401 - ctx: the served archive

EXTRA = [
    ("cdx-avatar-file", "GET", "/archive/cdx?url={host}/media/avatars/{avatar_file}&output=json", {}),
    ("cdx-avatar-files-prefix", "GET", "/archive/cdx?url={host}/media/avatars/*&output=json&limit=100000", {}),
    ("timemap-avatar-file", "GET", "/archive/timemap/json/http://{host}/media/avatars/{avatar_file}", {}),
    ("query-page-avatar-file", "GET", "/archive/*/http://{host}/media/avatars/{avatar_file}", {}),
    ("replay-avatar-file", "GET", "/archive/{ts}id_/http://{host}/media/avatars/{avatar_file}", {}),
    ("cdx-account-id", "GET", "/archive/cdx?url={host}/api/v1/accounts/{user_id}*&output=json", {}),
    ("query-page-account-id", "GET", "/archive/*/http://{host}/api/v1/accounts/{user_id}*", {}),
]


def identifiers(c: Context) -> tuple[set[bytes], set[bytes]]:
    """Commenters' avatar file names and account ids in the original WARCs (the own account's left out)."""
    warcs = sorted((c.gateway.archive / "warcs").glob("*.warc.gz"))
    original = b"".join(gzip.decompress(p.read_bytes()) for p in warcs)
    own = re.search(rb"/avatars/ministerie-demo\r\n(?:.*\r\n)*?Location: [^\r]*/media/avatars/([0-9a-f]{16})\.png",
                    original)
    files = set(re.findall(rb"/media/avatars/([0-9a-f]{16})\.png", original)) - ({own.group(1)} if own else set())
    ids = set()
    for account in re.finditer(rb'"account":\s*\{[^{}]*\}', original):
        ident = re.search(rb'"id":\s*"?(\d{6,})', account.group(0))
        username = re.search(rb'"username":\s*"([^"]+)"', account.group(0))
        if ident and username and username.group(1) != b"ministerie-demo":
            ids.add(ident.group(1))
    return files, ids


@pytest.fixture(scope="module")
def linkable(ctx: Context) -> tuple[set[bytes], set[bytes]]:  # noqa: F811 - the imported module fixture
    files, ids = identifiers(ctx)
    assert len(files) > 3 and len(ids) > 3, "the original must hold commenters' avatar files and account ids"
    return files, ids


def _target(template: str, c: Context, files: set[bytes], ids: set[bytes]) -> str:
    return (template.replace("{avatar_file}", sorted(files)[0].decode() + ".png")
            .replace("{user_id}", sorted(ids)[0].decode()))


def _clean(data: bytes, files: set[bytes], ids: set[bytes]) -> list[bytes]:
    return sorted(v for v in files | ids if v in data)


@pytest.mark.parametrize("user", ["res", "pub", None], ids=["researcher", "public-user", "anonymous"])
def test_no_avatar_file_name_or_account_id_in_any_response(ctx: Context, linkable, user: str | None) -> None:  # noqa: F811
    files, ids = linkable
    for attempt_id, method, template, headers in ATTEMPTS + EXTRA:
        if user is None and attempt_id == "basic-auth-with-archivists-session":
            continue  # an anonymous visitor holding the archivist's cookie is the archivist
        reply = attempt(ctx, user, method, _target(template, ctx, files, ids), headers)
        assert _clean(reply.all_bytes(), files, ids) == [], f"{attempt_id}: linkable identifier served"


def test_the_archivist_gets_them(ctx: Context, linkable) -> None:  # noqa: F811
    files, ids = linkable
    got = b"".join(attempt(ctx, "arch", method, _target(template, ctx, files, ids), headers).all_bytes()
                   for attempt_id, method, template, headers in EXTRA + ATTEMPTS
                   if attempt_id in ("cdx-avatar-files-prefix", "api-raw-id_"))
    assert files & set(re.findall(rb"[0-9a-f]{16}", got)) and any(i in got for i in ids)
