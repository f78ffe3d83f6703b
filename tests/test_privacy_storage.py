"""Privacy storage: the pseudonymised access copy (DIR/access), the encrypted PII ledger, keys and
the WACZ export, against the demo platform's ground truth. The session's full crawl of the mastodon
skin (`mastodon_crawl`, made with its own organisation key) and one short second crawl (same key,
third-party avatars blocked) serve every test of the file."""

from __future__ import annotations

import base64
import gzip
import io
import json
import os
import re
import subprocess
import sys
import time
import urllib.request
import zipfile
from pathlib import Path
from urllib.parse import quote, quote_plus, urljoin

import pytest
from archive_checks import warcio_check
from conftest import ROOT, CrawlRun, SkinArchives, crawl, free_port, run_sma
from PIL import Image

from crawler.archive.read import iter_records
from crawler.privacy.keys import load_keys
from crawler.privacy.ledger import LEDGER_NAME, read_entries
from crawler.privacy.screenshots import FILL, NEUTRAL_AVATAR, PADDING
from crawler.profiles import resolve

SKIN = "mastodon"
ORGANISATION = SkinArchives.ORGANISATION  # "test-ministerie": the key the session's crawls use


# -- fixtures ------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def keys_dir(skin_archives: SkinArchives) -> Path:
    return skin_archives.keys_dir


def privacy_env(keys_dir: Path, **extra: str) -> dict[str, str]:
    return {"SMA_KEYS_DIR": str(keys_dir), "SMA_ORGANISATION": ORGANISATION, "SMA_PSEUDONYM_KEY": "", **extra}


@pytest.fixture(scope="module")
def truth(platform) -> dict:
    return platform.truth(SKIN)


@pytest.fixture(scope="module")
def full_crawl(mastodon_crawl: CrawlRun, skin_archives: SkinArchives, keys_dir: Path) -> CrawlRun:
    """The session's full mastodon crawl (one crawl fewer per test run), made with this file's key."""
    assert skin_archives.env == privacy_env(keys_dir)
    run = mastodon_crawl
    assert run.returncode == 0, run.stdout[-2000:] + run.stderr[-2000:]
    return run


@pytest.fixture(scope="module")
def second_crawl(truth, keys_dir, full_crawl, tmp_path_factory) -> CrawlRun:
    """A later crawl with the same organisation key, third parties' avatars blocked."""
    run = crawl(truth["profile_url"], tmp_path_factory.mktemp("privacy-second"), "--max-posts", "6",
                env=privacy_env(keys_dir, SMA_BLOCK_THIRD_PARTY_AVATARS="1"))
    assert run.returncode == 0, run.stdout[-2000:] + run.stderr[-2000:]
    return run


@pytest.fixture(scope="module")
def export(full_crawl, keys_dir, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("export") / "access.wacz"
    proc = run_sma("export", str(full_crawl.archive), "--pseudonymised", "--out", str(out), env=privacy_env(keys_dir))
    assert proc.returncode == 0, proc.stderr
    assert "wacz validate: ok" in proc.stdout
    return out


def crawl_id(run: CrawlRun) -> str:
    return next((run.archive / "crawls").iterdir()).name


def ledger(run: CrawlRun, keys_dir: Path) -> list[dict]:
    os.environ["SMA_KEYS_DIR"] = str(keys_dir)
    try:
        keys = load_keys(ORGANISATION)
    finally:
        del os.environ["SMA_KEYS_DIR"]
    return read_entries(run.archive / "crawls" / crawl_id(run) / LEDGER_NAME, keys.fernet())


def warc_bytes(archive: Path) -> bytes:
    """Every byte of every record, decompressed: WARC headers, HTTP headers and payloads."""
    return b"".join(gzip.decompress(p.read_bytes()) for p in sorted((archive / "warcs").glob("*.warc.gz")))


def wacz_bytes(path: Path) -> bytes:
    chunks = []
    with zipfile.ZipFile(path) as wacz:
        for name in wacz.namelist():
            data = wacz.read(name)
            chunks.append(gzip.decompress(data) if data[:2] == b"\x1f\x8b" else data)
    return b"".join(chunks)


def third_party_values(truth: dict) -> set[str]:
    values = set()
    for post in truth["posts"]:
        for comment in post["comments"]:
            values |= {comment["author"]["name"], comment["author"]["handle"]}
            values |= {pii["value"] for pii in comment["pii"]}
    return values


def spellings(value: str) -> set[bytes]:
    """The value as it may be stored: as is, lower-case, URL-encoded, JSON-escaped."""
    forms = {value, value.lower(), quote(value), quote(value.lower()), quote_plus(value), quote_plus(value.lower()),
             json.dumps(value)[1:-1], json.dumps(value.lower())[1:-1]}
    return {f.encode("utf-8") for f in forms}


def occurring(values: set[str], data: bytes) -> dict[str, list[bytes]]:
    return {v: found for v in values if (found := [f for f in spellings(v) if f in data])}


def colours(image: Image.Image) -> set:
    return {colour for _, colour in image.getcolors(maxcolors=1 << 24)}


# -- the access copy -----------------------------------------------------------------------------
def test_no_third_party_value_in_any_byte_of_the_access_copy(full_crawl, truth):
    values = third_party_values(truth)
    original = warc_bytes(full_crawl.archive)
    access = warc_bytes(full_crawl.archive / "access")
    missing_in_original = values - set(occurring(values, original))
    assert not missing_in_original, f"the check could not fail for: {sorted(missing_in_original)[:10]}"
    leaks = occurring(values, access)
    assert not leaks, f"{len(leaks)} of {len(values)} values in the access copy, e.g. {list(leaks.items())[:5]}"
    # The copy is a whole archive, not an empty one: every post is there, the organisation (not a
    # third party) is named as itself, and citizens appear as pseudonyms.
    for post in truth["posts"]:
        assert post["url"].rsplit("/", 1)[1].encode() in access
    assert access.count(truth["account"]["name"].encode()) >= len(truth["posts"])
    assert truth["account"]["handle"].encode() in access
    assert access.count(b"Burger-") >= len(values) // 2


def test_access_copy_is_complete_valid_and_traces_back_to_the_original(full_crawl):
    assert warcio_check(full_crawl.archive / "access") == []
    originals = {r.warc_headers.get_header("WARC-Record-ID"): r for r in iter_records(full_crawl.archive)}
    derived = [r for r in iter_records(full_crawl.archive / "access") if r.type != "warcinfo"]
    counted = [r for r in originals.values() if r.type != "warcinfo"]
    assert len(derived) == len(counted), "every original record has its access counterpart"
    for record in derived:
        if record.type in ("response", "resource", "metadata"):
            original = originals[record.warc_headers.get_header("WARC-Refers-To")]
            assert original.warc_headers.get_header("WARC-Date") == record.warc_headers.get_header("WARC-Date")
        if record.type == "request":
            assert record.http_headers.get_header("Cookie") is None
    access_pages = [json.loads(line) for line in (full_crawl.archive / "access" / "pages.jsonl").open()][1:]
    assert len(access_pages) == len(list((full_crawl.archive / "pages.jsonl").open())) - 1


def test_avatars_are_one_neutral_image_in_the_access_copy(full_crawl):
    profile, _ = resolve("http://x/@a", SKIN)
    patterns = [re.compile(p) for p in profile.third_parties["avatar_url"]]
    original = [r for r in iter_records(full_crawl.archive) if r.type == "response"
                and any(p.search(r.uri) for p in patterns)]
    assert len({r.payload for r in original}) > 1, "the demo platform serves a different avatar per commenter"
    # The government's own avatar (/avatars/ministerie-demo and the file it redirects to) is no third
    # party's: it keeps its picture (crawler/privacy: the own account known from the capture).
    own = {r.uri for r in original if r.uri.rstrip("/").endswith("/avatars/ministerie-demo")}
    own |= {urljoin(r.uri, r.http_headers.get_header("Location")) for r in original
            if r.uri in own and r.http_headers.get_header("Location")}
    assert len(own) == 2, own
    commenters = {o.payload for o in original if o.uri not in own and o.payload}
    access = [r for r in iter_records(full_crawl.archive / "access") if r.type == "response"
              and r.http_headers.get_header("Content-Type") == "image/png" and r.payload == NEUTRAL_AVATAR]
    assert len(access) >= 1
    assert not [r.uri for r in iter_records(full_crawl.archive / "access") if r.type == "response"
                and r.payload and r.payload in commenters]


def test_screenshot_boxes_are_covered(full_crawl, keys_dir):
    entries = [e for e in ledger(full_crawl, keys_dir) if "box" in e["location"]]
    assert {"name", "mention"} <= {e["type"] for e in entries}
    originals = {r.uri: r.payload for r in iter_records(full_crawl.archive) if r.uri.startswith("urn:screenshot:")}
    records = {r.warc_headers.get_header("WARC-Refers-To"): r.payload
               for r in iter_records(full_crawl.archive / "access") if r.uri.startswith("urn:screenshot:")}
    images: dict[bytes, Image.Image] = {}

    def image(png: bytes) -> Image.Image:
        if png not in images:
            images[png] = Image.open(io.BytesIO(png)).convert("RGB")
        return images[png]

    checked = 0
    names = [e for e in entries if e["type"] == "name"]
    for entry in names[:: max(1, len(names) // 200)]:  # ~200 boxes spread over every page
        x, y, w, h = entry["location"]["box"]
        covered = image(records[entry["record_id"]])
        before = image(originals[entry["target_uri"]])
        inner = (x + 1, y + 1, x + w - 1, y + h - 1)
        assert colours(covered.crop(inner)) == {FILL}, entry
        assert len(colours(before.crop(inner))) > 2, "the box held drawn text before covering"
        assert covered.getpixel((x - PADDING - 2, y + h // 2)) == before.getpixel((x - PADDING - 2, y + h // 2))
        checked += 1
    assert checked >= 10


# -- pseudonyms ----------------------------------------------------------------------------------
def test_same_citizen_same_pseudonym_across_posts_and_crawls(full_crawl, second_crawl, truth, keys_dir):
    first, later = ledger(full_crawl, keys_dir), ledger(second_crawl, keys_dir)
    posts_by_author: dict[str, set[str]] = {}
    for post in truth["posts"]:
        for comment in post["comments"]:
            posts_by_author.setdefault(comment["author"]["name"], set()).add(post["url"])
    regular = [name for name, posts in posts_by_author.items() if len(posts) >= 2]
    assert regular, "the demo data has commenters on several posts"
    for name in regular:
        pseudonyms = {e["pseudonym"] for e in first if e["type"] == "name" and e["value"] == name}
        pages = {e["target_uri"] for e in first if e["type"] == "name" and e["value"] == name}
        assert len(pseudonyms) == 1 and len(pages) >= 2, (name, pseudonyms, pages)
    names_later = {e["value"]: e["pseudonym"] for e in later if e["type"] == "name"}
    shared = [n for n in names_later if n in posts_by_author]
    assert shared
    for name in shared:
        assert {e["pseudonym"] for e in first if e["type"] == "name" and e["value"] == name} == {names_later[name]}
    pseudonym = names_later[shared[0]]
    assert pseudonym.encode() in warc_bytes(full_crawl.archive / "access")
    assert pseudonym.encode() in warc_bytes(second_crawl.archive / "access")


def test_blocked_avatars_are_never_requested(second_crawl, full_crawl):
    profile, _ = resolve("http://x/@a", SKIN)
    patterns = [re.compile(p) for p in profile.third_parties["avatar_url"]]
    def avatars(archive: Path) -> list[str]:
        return [r.uri for r in iter_records(archive) if r.type in ("response", "revisit", "request")
                and any(p.search(r.uri) for p in patterns)]
    assert avatars(full_crawl.archive), "without the option the avatars are captured"
    assert avatars(second_crawl.archive) == []
    summary = json.loads(next((second_crawl.archive / "crawls").glob("*/privacy.json")).read_text())
    assert summary["avatars_blocked"] is True


# -- ledger and keys -----------------------------------------------------------------------------
def test_ledger_lists_every_finding_and_needs_the_key(full_crawl, truth, keys_dir):
    path = full_crawl.archive / "crawls" / crawl_id(full_crawl) / LEDGER_NAME
    data = path.read_bytes()
    assert not occurring({truth["posts"][0]["comments"][0]["author"]["name"]}, data)
    entries = ledger(full_crawl, keys_dir)
    found = " ".join(e["value"].lower() for e in entries)
    missing = [v for v in third_party_values(truth) if v.lower() not in found]
    assert not missing, missing[:10]
    assert all(e["pseudonym"] and len(e["value_sha256"]) == 64 and e["record_id"] for e in entries)
    wrong = base64.b64encode(os.urandom(32)).decode()
    proc = run_sma("ledger", "show", str(full_crawl.archive), "--crawl", crawl_id(full_crawl),
                   env={"SMA_PSEUDONYM_KEY": wrong})
    assert proc.returncode != 0 and proc.stderr.startswith("sma: error: ") and "Traceback" not in proc.stderr
    proc = run_sma("ledger", "show", str(full_crawl.archive), "--crawl", crawl_id(full_crawl), "--json",
                   env=privacy_env(keys_dir))
    assert proc.returncode == 0, proc.stderr
    assert len(proc.stdout.splitlines()) == len(entries)


def test_key_file_is_private_and_outside_the_archive(full_crawl, keys_dir, tmp_path):
    key = keys_dir / f"{ORGANISATION}.key"
    assert oct(key.stat().st_mode & 0o777) == "0o600" and oct(keys_dir.stat().st_mode & 0o777) == "0o700"
    secret = key.read_text().strip().encode()
    assert secret not in b"".join(p.read_bytes() for p in full_crawl.archive.rglob("*") if p.is_file())
    loose = tmp_path / "keys"
    assert run_sma("keys", "init", "--organisation", "other", env={"SMA_KEYS_DIR": str(loose)}).returncode == 0
    os.chmod(loose / "other.key", 0o644)
    proc = run_sma("keys", "show", "--organisation", "other", env={"SMA_KEYS_DIR": str(loose)})
    assert proc.returncode != 0 and "readable by others" in proc.stderr
    proc = run_sma("keys", "init", "--organisation", "../x", env={"SMA_KEYS_DIR": str(loose)})
    assert proc.returncode != 0 and proc.stderr.startswith("sma: error: ")


# -- export --------------------------------------------------------------------------------------
def test_pseudonymised_export_is_a_valid_wacz_without_third_party_data(export, full_crawl, truth, keys_dir, tmp_path):
    proc = subprocess.run([str(Path(sys.executable).with_name("wacz")), "validate", "-f", str(export)],
                          capture_output=True, text=True)
    assert proc.returncode == 0 and "succeeded" in proc.stdout, proc.stdout + proc.stderr
    values = third_party_values(truth)
    leaks = occurring(values, wacz_bytes(export))
    assert not leaks, list(leaks.items())[:5]
    authentic = tmp_path / "authentic.wacz"
    proc = run_sma("export", str(full_crawl.archive), "--out", str(authentic), env=privacy_env(keys_dir))
    assert proc.returncode == 0 and "AUTHENTIC" in proc.stdout
    assert occurring(values, wacz_bytes(authentic)), "the authentic export keeps the original"
    proc = run_sma("export", str(tmp_path / "nothing"), "--pseudonymised", "--out", str(tmp_path / "x.wacz"))
    assert proc.returncode != 0 and proc.stderr.startswith("sma: error: ") and "Traceback" not in proc.stderr


def test_pseudonymised_export_replays_in_pywb(export, truth, page, tmp_path):
    """pywb loads the WACZ (wb-manager --unpack-wacz); a post page shows its thread, pseudonymised."""
    bin_dir = ROOT / ".venv-pywb" / "bin"
    subprocess.run([str(bin_dir / "wb-manager"), "init", "access"], cwd=tmp_path, check=True, capture_output=True)
    subprocess.run([str(bin_dir / "wb-manager"), "add", "access", str(export), "--unpack-wacz"], cwd=tmp_path,
                   check=True, capture_output=True)
    (tmp_path / "config.yaml").write_text("framed_replay: false\n")
    port = free_port()
    server = subprocess.Popen([str(bin_dir / "wayback"), "-p", str(port), "-b", "127.0.0.1"], cwd=tmp_path,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        with zipfile.ZipFile(export) as wacz:
            rows = [json.loads(line) for line in wacz.read("pages/pages.jsonl").decode().splitlines()[1:]]
        post = max(truth["posts"], key=lambda p: len(p["comments"]))
        row = next(r for r in rows if r["url"].endswith(post["url"].rsplit("/", 1)[1]))
        ts = re.sub(r"\D", "", row["ts"])[:14]
        for _ in range(100):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2)
                break
            except OSError:
                time.sleep(0.2)
        page.goto(f"http://127.0.0.1:{port}/access/{ts}/{row['url']}")
        page.wait_for_selector(".detailed-status")
        for _ in range(50):
            if page.locator("button.load-more-replies:visible").count() == 0:
                break
            page.locator("button.load-more-replies:visible").first.click()
            page.wait_for_load_state("networkidle")
        assert page.locator("article.status.reply").count() == len(post["comments"])
        text = page.inner_text("body")
        assert "Burger-" in text
        assert not [c["author"]["name"] for c in post["comments"] if c["author"]["name"] in text]
    finally:
        server.terminate()
        server.wait(timeout=10)
