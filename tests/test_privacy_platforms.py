"""The pseudonymised access copy of every platform's full crawl holds no third party's personal data:
no ground-truth PII value, commenter name or handle — raw, lower-case, URL-encoded or JSON-escaped —
in any byte of its records, while the authentic original holds them (so the check can fail).
Uses the session's full crawl of each skin (tests/conftest.py SkinArchives)."""

from __future__ import annotations

import gzip
import json
from urllib.parse import quote, quote_plus

import pytest

from demo_platform.skins import SKINS

pytestmark = pytest.mark.parametrize("skin", sorted(SKINS))


def spellings(value: str) -> set[str]:
    return {value, value.lower(), quote(value, safe=""), quote_plus(value), json.dumps(value)[1:-1]}


def decompressed(paths) -> bytes:  # noqa: ANN001
    return b"".join(gzip.decompress(p.read_bytes()) for p in paths)  # every record is its own member


def test_access_copy_holds_no_third_party_value(skin, skin_archives, platform):
    archive = skin_archives.crawl(skin).archive
    truth = platform.truth(skin)
    values = {v for post in truth["posts"] for c in post["comments"]
              for v in (c["author"]["name"], c["author"]["handle"], *(p["value"] for p in c["pii"]))}
    original = decompressed(sorted((archive / "warcs").glob("*.warc.gz")))
    access_files = sorted((archive / "access" / "warcs").glob("*.warc.gz"))
    assert access_files, "no access copy was written"
    access = decompressed(access_files)
    shown = [v for v in values if v.encode() in original]
    assert len(shown) > 0.5 * len(values), "the original should hold most truth values"
    leaked = sorted(v for v in shown if any(s.encode() in access for s in spellings(v)))
    assert leaked == []
    assert truth["account"]["name"].encode() in access, "the organisation itself is no third party"
