"""A generic-profile crawl of a redesigned (mutated) skin: no profile knows its markup, so the
commenters are found structurally (crawler/privacy/structural.py) and by the textual recognisers.
No ground-truth value -- commenter name or handle, or PII in a comment -- may be in any byte of the
access WARCs, in any spelling, while the original holds them (so the check can fail). Small crawl:
two posts."""

from __future__ import annotations

import gzip
import json
import threading
import urllib.request
from urllib.parse import quote, quote_plus

from conftest import crawl


def _get(url: str) -> dict:
    with urllib.request.urlopen(url, timeout=30) as resp:
        return json.loads(resp.read())


def spellings(value: str) -> set[bytes]:
    forms = {value, value.lower(), quote(value, safe=""), quote_plus(value), json.dumps(value)[1:-1],
             json.dumps(value.lower())[1:-1]}
    return {f.encode() for f in forms}


def test_generic_crawl_of_a_mutated_skin_leaves_no_truth_value_in_the_access_copy(tmp_path):
    from demo_platform.server import make_server

    server = make_server("127.0.0.1", 0, seed=1, mutation_seed=11)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        entry = next(s for s in _get(base + "/_truth/index.json")["skins"] if s["skin"] == "mastodon")
        account = entry["accounts"][0]
        truth = _get(base + account["truth"])
        run = crawl(account["url"], tmp_path / "archive", "--profile", "generic", "--max-posts", "2")
    finally:
        server.shutdown()
        server.server_close()
    access_files = sorted((run.archive / "access" / "warcs").glob("*.warc.gz"))
    assert access_files, f"no access copy: {run.stderr[-500:]}"
    original = b"".join(gzip.decompress(p.read_bytes()) for p in sorted((run.archive / "warcs").glob("*.warc.gz")))
    access = b"".join(gzip.decompress(p.read_bytes()) for p in access_files)
    values = {v for post in truth["posts"] for c in post["comments"]
              for v in (c["author"]["name"], c["author"]["handle"], *(p["value"] for p in c["pii"]))}
    shown = {v for v in values if v.encode() in original}
    assert len(shown) >= 10, "the crawl must have captured commenters and their data"
    leaked = sorted(v for v in shown if any(s in access for s in spellings(v)))
    assert leaked == []
    assert truth["account"]["handle"].encode() in access, "the organisation itself is no third party"
