"""The replay gateway (`sma replay DIR`) end to end: sign-in in Chromium, cookies, CSRF, Basic auth,
failed sign-ins audited and slowed, landing per role, `sma users`, `sma audit verify`."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
from conftest import ROOT
from gateway_helpers import (
    PASSWORDS,
    Gateway,
    add_user,
    basic,
    leaked,
    make_served_archive,
    stop_gateway,
    truth_values,
    value_forms,
)
from playwright.sync_api import Page, expect

from replay.audit import AuditLog


@pytest.fixture(scope="module")
def gw(mastodon_crawl, tmp_path_factory) -> Iterator[Gateway]:
    assert mastodon_crawl.returncode == 0, mastodon_crawl.stderr
    gateway = make_served_archive(mastodon_crawl.archive, tmp_path_factory.mktemp("gateway") / "archive")
    # Each role signs in once first (then Basic answers come from the verified cache): the tests that fail
    # sign-ins on purpose from this one address must not decide, by their order, whether a role gets in.
    for user in ("arch", "res", "woo", "pub"):
        assert gateway.request("GET", "/", user=user).status == 200, user
    yield gateway
    assert stop_gateway(gateway) == 0
    assert not gateway.internal_ports()  # every pywb stopped with it


@pytest.fixture(scope="module")
def forms(platform) -> dict[bytes, str]:
    return value_forms(truth_values(platform.truth("mastodon")))


def sign_in(gw: Gateway, user: str, password: str | None = None) -> tuple[str, str]:
    """(session cookie, CSRF token of the session) after the sign-in form."""
    form = gw.request("GET", "/_sma/login")
    token = re.search(rb'name="csrf_token" value="([^"]+)"', form.body).group(1).decode()
    body = f"csrf_token={token}&user={user}&password={quote(password or PASSWORDS[user][1])}".encode()
    done = gw.request("POST", "/_sma/login", body=body, headers={
        "Content-Type": "application/x-www-form-urlencoded", "Cookie": form.header("Set-Cookie").split(";")[0]})
    assert done.status == 303, done.status
    cookie = next(v for k, v in done.headers if k.lower() == "set-cookie" and v.startswith("sma_session="))
    landing = gw.request("GET", "/", headers={"Cookie": cookie.split(";")[0]})
    csrf = re.search(rb'name="csrf_token" value="([^"]+)"', landing.body).group(1).decode()
    return cookie.split(";")[0], csrf


def audit_entries(gw: Gateway) -> list[dict]:
    log = gw.archive / ".sma" / "audit.jsonl"
    # a module's tests may run in either xdist worker: before its first audited request there is no log yet
    return [json.loads(line) for line in log.read_text().splitlines()] if log.exists() else []


def post_page(gw: Gateway) -> dict:
    rows = [json.loads(line) for line in (gw.archive / "pages.jsonl").read_text().splitlines()]
    return next(r for r in rows if re.search(r"/@[^/]+/\d+$", r.get("url", "")))


def post_page_with_comments(gw: Gateway, truth: dict) -> dict:
    """A captured post page that the platform's truth gives comments (the newest post may have none yet)."""
    commented = {str(post["id"]) for post in truth["posts"] if post["comments"]}
    rows = [json.loads(line) for line in (gw.archive / "pages.jsonl").read_text().splitlines()]
    posts = [r for r in rows if re.search(r"/@[^/]+/\d+$", r.get("url", ""))]
    return next(r for r in posts if r["url"].rsplit("/", 1)[1] in commented)


def test_sign_in_by_clicking(gw: Gateway, page: Page, forms: dict[bytes, str], platform) -> None:
    page.goto(gw.base + "/")
    expect(page.locator("#sma-landing")).to_have_attribute("data-role", "public")  # anonymous visitor
    page.click("#sma-sign-in")
    page.fill("#user", "arch")
    page.fill("#password", PASSWORDS["arch"][1])
    page.click("#sign-in")
    expect(page.locator("#sma-landing")).to_have_attribute("data-role", "archivist")
    cookie = next(c for c in page.context.cookies() if c["name"] == "sma_session")
    assert cookie["httpOnly"] is True
    assert cookie["sameSite"] == "Strict"
    assert cookie["path"] == "/"
    assert len(cookie["value"]) >= 43  # 256 random bits, base64url
    post_id = post_page_with_comments(gw, platform.truth("mastodon"))["url"].rsplit("/", 1)[1]
    page.click(f'a.sma-page[href$="/{post_id}"]')
    page.wait_for_load_state("networkidle")
    assert leaked(page.inner_text("body").encode(), forms)  # the archivist sees the commenters
    page.go_back()
    page.click("#sma-logout")
    expect(page.locator("#sma-login")).to_be_visible()
    assert not [c for c in page.context.cookies() if c["name"] == "sma_session"]


def test_wrong_password_in_the_form_is_audited(gw: Gateway, page: Page) -> None:
    page.goto(gw.base + "/_sma/login")
    page.fill("#user", "res")
    page.fill("#password", "not-the-password")
    page.click("#sign-in")
    expect(page.locator("#sma-login-error")).to_be_visible()
    failed = [e for e in audit_entries(gw) if e["action"] == "login-failed" and e["user"] == "res"]
    assert failed and "not-the-password" not in json.dumps(failed)


def test_post_without_csrf_token_is_refused(gw: Gateway) -> None:
    cookie, csrf = sign_in(gw, "arch")
    for headers in ({"Cookie": cookie}, {"Cookie": cookie, "X-CSRF-Token": "forged"}):
        refused = gw.request("POST", "/_sma/logout", headers=headers, body=b"")
        assert refused.status == 403
    assert b'data-role="archivist"' in gw.request("GET", "/", headers={"Cookie": cookie}).body  # still signed in
    # from another origin, even with the token
    cross = gw.request("POST", "/_sma/logout", headers={"Cookie": cookie, "X-CSRF-Token": csrf,
                                                        "Origin": "http://evil.example"}, body=b"")
    assert cross.status == 403
    # the sign-in form itself needs its token
    login = gw.request("POST", "/_sma/login", body=f"user=arch&password={PASSWORDS['arch'][1]}".encode(),
                       headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert login.status == 403 and not login.header("Set-Cookie")
    done = gw.request("POST", "/_sma/logout", headers={"Cookie": cookie, "Content-Type":
                      "application/x-www-form-urlencoded"}, body=f"csrf_token={csrf}".encode())
    assert done.status == 303
    assert b'data-role="public"' in gw.request("GET", "/", headers={"Cookie": cookie}).body  # session gone


def test_basic_auth_for_scripted_clients(gw: Gateway) -> None:
    reply = gw.request("GET", "/", user="res")
    assert reply.status == 200 and b'data-role="researcher"' in reply.body
    assert not reply.header("Set-Cookie")  # no session for Basic auth
    wrong = gw.request("GET", "/", headers={"Authorization": basic("res", "wrong-password")})
    assert wrong.status == 401 and b"data-role" not in wrong.body
    assert any(e["action"] == "login-failed" and e["user"] == "res" for e in audit_entries(gw))
    # a POST with Basic auth needs the custom header a cross-site form cannot send
    assert gw.request("POST", "/_sma/logout", user="res", body=b"").status == 403


def test_failed_sign_ins_are_slowed_per_user(gw: Gateway) -> None:
    assert add_user(gw.archive, "slow", "researcher", "slow-user-secret-1").returncode == 0
    for _ in range(4):  # three free failures, then a wait
        assert gw.request("GET", "/", headers={"Authorization": basic("slow", "wrong")}).status == 401
    right = gw.request("GET", "/", headers={"Authorization": basic("slow", "slow-user-secret-1")})
    assert right.status == 401  # refused during the backoff, even with the right password
    assert any(e["action"] == "login-refused" and e["user"] == "slow" for e in audit_entries(gw))
    assert gw.request("GET", "/", user="res").status == 200  # other users unaffected


def test_each_role_lands_on_its_pages(gw: Gateway, forms: dict[bytes, str]) -> None:
    original = len((gw.archive / "pages.jsonl").read_text().splitlines()) - 1  # minus the header line
    arch = gw.request("GET", "/", user="arch")
    assert b'data-role="archivist"' in arch.body
    assert arch.body.count(b'class="sma-page"') == original
    res = gw.request("GET", "/", user="res")
    assert b'data-role="researcher"' in res.body
    assert res.body.count(b'class="sma-page"') == original  # the access copy has every page
    assert not leaked(res.all_bytes(), forms)
    woo = gw.request("GET", "/", user="woo")
    assert b'data-role="woo-officer"' in woo.body and b'href="/_sma/woo/"' in woo.body
    for user in ("pub", None):
        public = gw.request("GET", "/", user=user)
        assert b'data-role="public"' in public.body and b'class="sma-page"' not in public.body
        assert b"nog niets goedgekeurd" in public.body
    assert gw.request("GET", "/_sma/woo/", user="res").status == 403
    assert gw.request("GET", "/_sma/woo/", user="arch").status == 403


def test_page_views_are_audited(gw: Gateway) -> None:
    page = post_page(gw)
    ts = re.sub(r"\D", "", page["ts"])[:14]
    before = len(audit_entries(gw))
    reply = gw.request("GET", f"/archive/{ts}/{page['url']}", user="res", headers={"Sec-Fetch-Dest": "document"})
    assert reply.status == 200
    image = gw.request("GET", f"/archive/{ts}im_/{page['url']}", user="res", headers={"Sec-Fetch-Dest": "image"})
    assert image.status in (200, 404)
    new = audit_entries(gw)[before:]
    views = [e for e in new if e["action"] == "view"]
    assert len(views) == 1
    assert views[0]["user"] == "res" and views[0]["role"] == "researcher" and views[0]["target"] == page["url"]
    assert views[0]["detail"]["view"] == "access"


def test_users_add_reads_the_password_from_stdin(gw: Gateway) -> None:
    short = add_user(gw.archive, "kim", "researcher", "short")
    assert short.returncode == 2 and short.stderr.startswith("sma: error: ") and "Traceback" not in short.stderr
    assert len(short.stderr.strip().splitlines()) == 1
    assert add_user(gw.archive, "kim", "archivist", "kim-long-password-1").returncode == 0
    assert add_user(gw.archive, "kim", "archivist", "kim-long-password-2").returncode == 2  # exists
    bad_role = add_user(gw.archive, "lou", "admin", "lou-long-password-1")
    assert bad_role.returncode == 2 and "Traceback" not in bad_role.stderr
    listing = subprocess.run([sys.executable, "-m", "sma.cli", "users", "list", "--archive", str(gw.archive)],
                             cwd=ROOT, capture_output=True, text=True)
    assert "kim\tarchivist" in listing.stdout and "argon2" not in listing.stdout
    stored = json.loads((gw.archive / ".sma" / "users.json").read_text())["users"]["kim"]
    assert stored["hash"].startswith("$argon2id$") and "kim-long-password-1" not in json.dumps(stored)
    assert oct((gw.archive / ".sma" / "users.json").stat().st_mode & 0o777) == "0o600"
    # the running gateway knows the new user at once, and forgets a removed one at once
    assert gw.request("GET", "/", headers={"Authorization": basic("kim", "kim-long-password-1")}).status == 200
    removed = subprocess.run([sys.executable, "-m", "sma.cli", "users", "remove", "kim", "--archive",
                              str(gw.archive)], cwd=ROOT, capture_output=True, text=True)
    assert removed.returncode == 0
    assert gw.request("GET", "/", headers={"Authorization": basic("kim", "kim-long-password-1")}).status == 401


def _verify(archive: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "sma.cli", "audit", "verify", "--archive", str(archive)],
                          cwd=ROOT, capture_output=True, text=True)


def _tampered(gw: Gateway, tmp_path: Path, change) -> Path:  # noqa: ANN001 - list[str] -> list[str]
    archive = tmp_path / "copy"
    (archive / ".sma").mkdir(parents=True)
    lines = (gw.archive / ".sma" / "audit.jsonl").read_text().splitlines()
    (archive / ".sma" / "audit.jsonl").write_text("\n".join(change(lines)) + "\n")
    shutil.copy(gw.archive / ".sma" / "audit-id", archive / ".sma" / "audit-id")  # names its HMAC key
    return archive


def test_audit_verify_passes_then_detects_tampering(gw: Gateway, tmp_path: Path) -> None:
    entries = audit_entries(gw)
    assert len(entries) >= 5
    ok = _verify(gw.archive)
    assert ok.returncode == 0 and f"{len(entries)} entries" in ok.stdout

    def edit(lines: list[str]) -> list[str]:
        entry = json.loads(lines[2])
        entry["user"] = "someone-else"
        return [*lines[:2], json.dumps(entry), *lines[3:]]

    edited = _verify(_tampered(gw, tmp_path / "edit", edit))
    assert edited.returncode == 1 and "seq 3" in edited.stderr and edited.stderr.startswith("sma: error: ")
    removed = _verify(_tampered(gw, tmp_path / "remove", lambda lines: [*lines[:1], *lines[2:]]))
    assert removed.returncode == 1 and "seq 2" in removed.stderr
    swapped = _verify(_tampered(gw, tmp_path / "swap", lambda lines: [lines[0], lines[2], lines[1], *lines[3:]]))
    assert swapped.returncode == 1 and "seq 2" in swapped.stderr


def test_concurrent_appends_keep_the_chain(tmp_path: Path) -> None:
    code = ("import sys; from replay.audit import AuditLog; log = AuditLog(sys.argv[1])\n"
            "for i in range(40): log.append('p' + sys.argv[2], 'archivist', 'view', str(i), {'i': i})")
    procs = [subprocess.Popen([sys.executable, "-c", code, str(tmp_path), str(n)], cwd=ROOT) for n in range(3)]
    log = AuditLog(tmp_path)
    for i in range(40):
        log.append("main", "archivist", "view", str(i), None)
    assert all(p.wait(timeout=120) == 0 for p in procs)
    ok = _verify(tmp_path)
    assert ok.returncode == 0 and "160 entries" in ok.stdout, ok.stderr


def test_public_view_serves_what_is_written_into_public_warcs(gw: Gateway, forms: dict[bytes, str]) -> None:
    """As an approval does (WOO's code writes DIR/public/warcs): served from the next request on."""
    page = post_page(gw)
    ts = re.sub(r"\D", "", page["ts"])[:14]
    assert gw.request("GET", f"/archive/{ts}/{page['url']}").status == 404
    public = gw.archive / "public"
    (public / "warcs").mkdir(parents=True, exist_ok=True)
    for warc in (gw.archive / "access" / "warcs").glob("*.warc.gz"):  # a stand-in: clean, pseudonymised
        shutil.copy(warc, public / "warcs" / warc.name)
    shutil.copy(gw.archive / "access" / "pages.jsonl", public / "pages.jsonl")
    reply = gw.request("GET", f"/archive/{ts}/{page['url']}")  # anonymous
    assert reply.status == 200 and reply.header("Memento-Datetime")
    assert not leaked(reply.all_bytes(), forms)
    landing = gw.request("GET", "/")
    assert landing.body.count(b'class="sma-page"') >= 1
