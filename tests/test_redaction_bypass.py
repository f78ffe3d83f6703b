"""A researcher and a public user try ways around the redaction through the real gateway
(`sma replay`: gateway + one pywb per view) over a real crawl of the mastodon demo skin.

For every response: no ground-truth PII value of the skin (every comment's PII values, every
commenter's name and handle), raw, lower-case, URL-encoded or JSON-escaped, in any byte of the
status line, headers or body; no internal pywb port. The archivist asking the same things DOES get
those values (so these checks can fail). The public role, before anything is approved: nothing.
"""

from __future__ import annotations

import gzip
import http.client
import json
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, urlsplit

import pytest
from gateway_helpers import (
    PASSWORDS,
    Gateway,
    Reply,
    basic,
    leaked,
    make_served_archive,
    stop_gateway,
    truth_values,
    value_forms,
)


@dataclass
class Context:
    gateway: Gateway
    forms: dict[bytes, str]
    ts: str
    post: str  # an own post page (its comments are third parties')
    api: str  # the post's comment thread API (JSON full of names, handles, PII)
    avatar: str  # a commenter's avatar URL: the handle is in the original URL
    host: str
    handle: str
    name: str
    email: str
    warc: str
    ports: dict[int, str]
    archivist_cookie: str


def sign_in(gateway: Gateway, user: str) -> str:
    """The session cookie after the sign-in form (GET for the token, POST with it)."""
    form = gateway.request("GET", "/_sma/login")
    token = re.search(rb'name="csrf_token" value="([^"]+)"', form.body).group(1).decode()
    login_cookie = form.header("Set-Cookie").split(";")[0]
    body = f"csrf_token={token}&user={user}&password={quote(PASSWORDS[user][1])}".encode()
    done = gateway.request("POST", "/_sma/login", body=body, headers={
        "Content-Type": "application/x-www-form-urlencoded", "Cookie": login_cookie})
    assert done.status == 303, done.status
    cookie = next(v for k, v in done.headers if k.lower() == "set-cookie" and v.startswith("sma_session="))
    return cookie.split(";")[0]


@pytest.fixture(scope="module")
def ctx(mastodon_crawl, platform, tmp_path_factory) -> Iterator[Context]:
    assert mastodon_crawl.returncode == 0, mastodon_crawl.stderr
    truth = platform.truth("mastodon")
    gateway = make_served_archive(mastodon_crawl.archive, tmp_path_factory.mktemp("bypass") / "archive")
    try:
        pages = [json.loads(line) for line in (gateway.archive / "pages.jsonl").read_text().splitlines()]
        posts = [p for p in pages if "url" in p and re.search(r"/@[^/]+/\d+$", p["url"])]
        post_ids = {p["url"].rsplit("/", 1)[1]: p for p in posts}
        # a captured post with commenters who have PII and e-mail addresses
        chosen = next(t for t in truth["posts"] if str(t.get("id")) in post_ids and any(
            i["type"] == "email" for c in t["comments"] for i in c.get("pii", [])))
        page = post_ids[str(chosen["id"])]
        host = urlsplit(page["url"]).netloc
        commenter = next(c for c in chosen["comments"] if any(i["type"] == "email" for i in c.get("pii", [])))
        yield Context(
            gateway=gateway,
            forms=value_forms(truth_values(truth)),
            ts=re.sub(r"\D", "", page["ts"])[:14],
            post=page["url"],
            api=f"http://{host}/api/v1/statuses/{chosen['id']}/context",
            avatar=f"http://{host}/avatars/{commenter['author']['handle']}",
            host=host,
            handle=commenter["author"]["handle"],
            name=commenter["author"]["name"],
            email=next(i["value"] for i in commenter["pii"] if i["type"] == "email"),
            warc=sorted((gateway.archive / "warcs").glob("*.warc.gz"))[0].name,
            ports=gateway.internal_ports(),
            archivist_cookie=sign_in(gateway, "arch"),
        )
    finally:
        assert stop_gateway(gateway) == 0


# (id, method, target template, extra headers). Templates see the Context's fields.
ATTEMPTS: list[tuple[str, str, str, dict[str, str]]] = [
    ("page-replay", "GET", "/archive/{ts}/{post}", {}),
    ("page-mp_", "GET", "/archive/{ts}mp_/{post}", {}),
    ("page-raw-id_", "GET", "/archive/{ts}id_/{post}", {}),
    ("api-raw-id_", "GET", "/archive/{ts}id_/{api}", {}),
    ("api-mp_", "GET", "/archive/{ts}mp_/{api}", {}),
    ("api-js_", "GET", "/archive/{ts}js_/{api}", {}),
    ("api-cs_", "GET", "/archive/{ts}cs_/{api}", {}),
    ("api-im_", "GET", "/archive/{ts}im_/{api}", {}),
    ("api-oe_", "GET", "/archive/{ts}oe_/{api}", {}),
    ("api-if_", "GET", "/archive/{ts}if_/{api}", {}),
    ("api-fr_-archivist-only-modifier", "GET", "/archive/{ts}fr_/{api}", {}),
    ("api-latest-redirect", "GET", "/archive/{api}", {}),
    ("avatar-original-url-id_", "GET", "/archive/{ts}id_/{avatar}", {}),
    ("avatar-original-url-redirect", "GET", "/archive/{avatar}", {}),
    ("cdx-prefix-all", "GET", "/archive/cdx?url={host}/*&limit=100000", {}),
    ("cdx-domain-json-filenames", "GET", "/archive/cdx?url={host}&matchType=domain&output=json"
     "&fl=url,filename,offset,length", {}),
    ("cdx-original-avatar-url", "GET", "/archive/cdx?url={avatar}&output=json", {}),
    ("timemap-link-post", "GET", "/archive/timemap/link/{post}", {}),
    ("timemap-json-avatar", "GET", "/archive/timemap/json/{avatar}", {}),
    ("query-page-prefix-star", "GET", "/archive/*/{host}/*", {}),
    ("query-page-avatar", "GET", "/archive/*/{avatar}", {}),
    ("search-page-with-handle", "GET", "/archive/?search={handle}", {}),
    ("collection-original", "GET", "/original/{ts}id_/{api}", {}),
    ("collection-access", "GET", "/access/{ts}id_/{api}", {}),
    ("collection-public", "GET", "/public/{ts}id_/{api}", {}),
    ("urn-screenshot", "GET", "/archive/{ts}id_/urn:screenshot:{post}", {}),
    ("urn-dom", "GET", "/archive/{ts}id_/urn:dom:{post}", {}),
    ("urn-text", "GET", "/archive/{ts}id_/urn:text:{post}", {}),
    ("warc-file-root", "GET", "/warcs/{warc}", {}),
    ("warc-file-in-collection", "GET", "/archive/warcs/{warc}", {}),
    ("warc-file-bare", "GET", "/{warc}", {}),
    ("static-traversal", "GET", "/static/../warcs/{warc}", {}),
    ("static-traversal-encoded", "GET", "/static/%2e%2e/%2e%2e/warcs/{warc}", {}),
    ("static-traversal-double-encoded", "GET", "/static/%252e%252e/warcs/{warc}", {}),
    ("static-collection-files", "GET", "/static/_/archive/{warc}", {}),
    ("range-request", "GET", "/archive/{ts}id_/{api}", {"Range": "bytes=0-4000"}),
    ("range-multipart", "GET", "/archive/{ts}id_/{api}", {"Range": "bytes=0-100,200-4000"}),
    ("head-request", "HEAD", "/archive/{ts}id_/{api}", {}),
    ("error-page-pii-in-url", "GET", "/archive/{ts}/http://{host}/@{handle}?mail={email}", {}),
    ("error-page-pii-unknown-path", "GET", "/nowhere/{handle}/{email}", {}),
    ("double-encoded-url", "GET", "/archive/{ts}id_/{api_2enc}", {}),
    ("encoded-timestamp", "GET", "/archive/%32%30%32%36id_/{api}", {}),
    ("dot-segments-to-other-view", "GET", "/archive/{ts}/../../original/{ts}id_/{api}", {}),
    ("absolute-form-target-internal-port", "GET", "http://127.0.0.1:{port}/archive/{ts}id_/{api}", {}),
    ("host-header-internal-port", "GET", "/archive/{ts}/{post}", {"Host": "127.0.0.1:{port}"}),
    ("forwarded-headers", "GET", "/archive/{ts}id_/{api}", {"X-Forwarded-For": "127.0.0.1",
                                                         "X-Forwarded-Host": "127.0.0.1:{port}"}),
    ("post-to-replay-path", "POST", "/archive/{ts}id_/{api}", {"Content-Type": "application/json"}),
    ("pywb-collinfo", "GET", "/collinfo.json", {}),
    ("pywb-internal-path", "GET", "/_/archive/{ts}id_/{api}", {}),
    ("pywb-proxy-fetch", "GET", "/proxy-fetch/{api}", {}),
    ("pywb-record-route", "GET", "/archive/record/{api}", {}),
    ("woo-review-route", "GET", "/_sma/woo/", {}),
    ("basic-auth-with-archivists-session", "GET", "/archive/{ts}id_/{api}", {"Cookie": "{archivist_cookie}"}),
]


def _fill(template: str, c: Context) -> str:
    port = next(iter(c.ports))
    return template.format(ts=c.ts, post=c.post, api=c.api, avatar=c.avatar, host=c.host, handle=c.handle,
                           email=quote(c.email), warc=c.warc, port=port, archivist_cookie=c.archivist_cookie,
                           api_2enc=quote(quote(c.api, safe=""), safe=""))


def attempt(c: Context, user: str | None, method: str, target: str, headers: dict[str, str]) -> Reply:
    filled = {k: _fill(v, c) for k, v in headers.items()}
    return c.gateway.request(method, _fill(target, c), user=user, headers=filled,
                             body=b'{"q": 1}' if method == "POST" else None)


def assert_clean(c: Context, reply: Reply) -> None:
    data = reply.all_bytes()
    assert not leaked(data, c.forms), f"PII in the response: {sorted(leaked(data, c.forms))[:5]}"
    for port in c.ports:
        assert f":{port}".encode() not in data, f"internal pywb port {port} revealed"


def test_views_listen_on_loopback_only(ctx: Context) -> None:
    # original, access, public: each pywb's front end plus the warcserver pywb runs inside it
    assert len(ctx.ports) == 6, ctx.ports
    assert set(ctx.ports.values()) == {"127.0.0.1"}
    assert ctx.gateway.port not in ctx.ports
    assert not any(str(port) in line for port in ctx.ports for line in ctx.gateway.stdout)


@pytest.mark.parametrize("attempt_id,method,target,headers", ATTEMPTS, ids=[a[0] for a in ATTEMPTS])
def test_researcher_gets_no_pii(ctx: Context, attempt_id: str, method: str, target: str, headers: dict) -> None:
    reply = attempt(ctx, "res", method, target, headers)
    assert_clean(ctx, reply)
    if attempt_id in ("api-raw-id_", "page-replay", "cdx-prefix-all", "basic-auth-with-archivists-session"):
        assert reply.status == 200  # served, from the access view: pseudonyms instead of people
        assert b"sma-error" not in reply.body
    if attempt_id.startswith(("collection-", "warc-file", "static-", "pywb-", "dot-segments", "absolute-form")):
        assert reply.status in (400, 404), reply.status
    if attempt_id == "post-to-replay-path":
        assert reply.status in (403, 405)
    if attempt_id == "woo-review-route":
        assert reply.status == 403


# An anonymous visitor holding the archivist's cookie IS the archivist: that attempt needs a user.
PUBLIC_ATTEMPTS = [(user, *a) for user in ("pub", None) for a in ATTEMPTS
                   if user or a[0] != "basic-auth-with-archivists-session"]


@pytest.mark.parametrize("user,attempt_id,method,target,headers", PUBLIC_ATTEMPTS,
                         ids=[f"{'public-user' if a[0] else 'anonymous'}-{a[1]}" for a in PUBLIC_ATTEMPTS])
def test_public_gets_nothing_before_approval(ctx: Context, user: str | None, attempt_id: str, method: str,
                                             target: str, headers: dict) -> None:
    reply = attempt(ctx, user, method, target, headers)
    assert_clean(ctx, reply)
    # Nothing approved yet: no archived byte at all, only the gateway's own refusals.
    assert reply.status in (400, 401, 403, 404, 405), (attempt_id, reply.status)
    assert reply.header("Memento-Datetime") is None


def test_archivist_sees_the_pii(ctx: Context) -> None:
    """The same attempts as the archivist: the authentic capture, PII included (the checks can fail)."""
    found: dict[str, set[str]] = {}
    for attempt_id, method, target, headers in ATTEMPTS:
        if attempt_id == "basic-auth-with-archivists-session":
            continue
        reply = attempt(ctx, "arch", method, target, headers)
        found[attempt_id] = leaked(reply.all_bytes(), ctx.forms)
    for attempt_id in ("api-raw-id_", "api-mp_", "range-request", "cdx-prefix-all", "timemap-json-avatar"):
        assert found[attempt_id], f"the archivist's {attempt_id} shows no PII"
    assert {ctx.handle, ctx.name, ctx.email} <= found["api-raw-id_"]
    assert len(set().union(*found.values())) >= 20
    # with the archivist's own session cookie (no Basic): the original too
    reply = ctx.gateway.request("GET", _fill("/archive/{ts}id_/{api}", ctx), headers={"Cookie": ctx.archivist_cookie})
    assert ctx.email in {*leaked(reply.body, ctx.forms)}


def test_wrong_basic_with_a_valid_session_is_refused(ctx: Context) -> None:
    reply = ctx.gateway.request("GET", _fill("/archive/{ts}id_/{api}", ctx), headers={
        "Cookie": ctx.archivist_cookie, "Authorization": "Basic " + "cmVzOndyb25n"})  # res:wrong
    assert reply.status == 401
    assert_clean(ctx, reply)


def test_researcher_rendered_page_in_chromium(ctx: Context, page) -> None:
    """The replayed post page as the researcher's browser renders it (scripts fetch the thread)."""
    page.context.set_extra_http_headers({"Authorization": "Basic " + __import__("base64").b64encode(
        f"res:{PASSWORDS['res'][1]}".encode()).decode()})
    bodies: list[bytes] = []
    page.on("response", lambda r: bodies.append(r.body()) if r.status == 200 else None)
    page.goto(f"{ctx.gateway.base}/archive/{ctx.ts}/{ctx.post}", wait_until="networkidle")
    text = page.inner_text("body")
    assert "Burger-" in text  # the commenters, pseudonymised
    assert not leaked(text.encode(), ctx.forms)
    assert not leaked(page.content().encode(), ctx.forms)
    for body in bodies:
        assert not leaked(body, ctx.forms)
    assert len(bodies) > 5


def test_archive_paths_stay_out_of_reach(ctx: Context) -> None:
    """DIR/.sma (users, audit log) is in no view and has no route."""
    for target in ("/.sma/users.json", "/archive/.sma/users.json", "/static/../.sma/audit.jsonl",
                   "/archive/2026id_/file:///" + str(Path(ctx.gateway.archive) / ".sma/users.json")):
        reply = ctx.gateway.request("GET", target, user="res")
        assert reply.status in (400, 404), target
        assert b"argon2" not in reply.body


# -- issue 13.1: no listener answers without the gateway's key -------------------------------------
def _process_tree(root: int) -> set[int]:
    parents: dict[int, int] = {}
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            stat = Path(f"/proc/{pid}/stat").read_text()
        except OSError:
            continue
        parents[int(pid)] = int(stat.rsplit(")", 1)[1].split()[1])
    tree, grew = {root}, True
    while grew:
        grew = False
        for pid, ppid in parents.items():
            if ppid in tree and pid not in tree:
                tree.add(pid)
                grew = True
    return tree


def _listening_ports(pids: set[int]) -> set[int]:
    """Every listening TCP port (v4 and v6) whose socket is an open fd of one of `pids`."""
    inodes: set[str] = set()
    for pid in pids:
        try:
            for fd in os.listdir(f"/proc/{pid}/fd"):
                link = os.readlink(f"/proc/{pid}/fd/{fd}")
                if link.startswith("socket:["):
                    inodes.add(link[8:-1])
        except OSError:
            continue
    ports: set[int] = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            cols = line.split()
            if cols[3] == "0A" and cols[9] in inodes:
                ports.add(int(cols[1].rsplit(":", 1)[1], 16))
    return ports


def test_no_listener_but_the_gateway_answers_without_credentials(ctx: Context) -> None:
    """Issue 13 finding 1: `GET http://127.0.0.1:<pywb port>/archive/<ts>id_/<API url>` returned a
    thread full of personal data, and the warcserver's `/archive/resource?url=` raw records."""
    ports = _listening_ports(_process_tree(ctx.gateway.proc.pid))
    assert ctx.gateway.port in ports and len(ports) == 7, ports  # the gateway, 3 pywb, 3 warcservers
    quoted = quote(ctx.api, safe="")
    targets = [f"/archive/{ctx.ts}id_/{ctx.api}", f"/archive/{ctx.ts}/{ctx.post}", f"/archive/cdx?url={ctx.host}/*",
               f"/archive/resource?url={quoted}", f"/archive/resource/postreq?url={quoted}&closest={ctx.ts}",
               f"/archive/index?url={quoted}", "/archive/", "/static/wombat.js"]
    for port in sorted(ports - {ctx.gateway.port}):
        for target in targets:
            for host in (f"127.0.0.1:{port}", f"localhost:{port}", "localhost", f"127.0.0.1:{ctx.gateway.port}"):
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                conn.request("GET", target, headers={"Host": host})
                resp = conn.getresponse()
                body = resp.read()
                conn.close()
                assert resp.status == 403 and body == b"", (port, target, host, resp.status, body[:200])
    # the gateway itself, anonymous: the public role, which has nothing approved yet
    for target in targets[:3]:
        reply = ctx.gateway.request("GET", target)
        assert reply.status in (401, 404), (target, reply.status)
        assert not leaked(reply.all_bytes(), ctx.forms)


# -- issue 10.6: the latest-capture form replays every resource --------------------------------------
def test_latest_capture_form_replays_every_resource(ctx: Context, page) -> None:
    """`/archive/<url>` without a timestamp: pywb asks for `/archive/js_/…`, `/archive/im_/…`,
    `/archive/cs_/…`; the gateway must pass those, so the page misses nothing that the same page
    replayed with its timestamp has (a resource the copy never captured misses in both)."""
    page.context.set_extra_http_headers({"Authorization": basic("res", PASSWORDS["res"][1])})

    def replay(target: str) -> tuple[set[str], list[tuple[int, str]]]:
        seen: list[tuple[int, str]] = []

        def keep(response) -> None:  # noqa: ANN001 - playwright Response
            seen.append((response.status, response.url))

        page.on("response", keep)
        page.goto(f"{ctx.gateway.base}{target}", wait_until="networkidle")
        page.remove_listener("response", keep)
        assert "Burger-" in page.inner_text("body")  # the pseudonymised thread, loaded by the page's script
        mine = [(status, url) for status, url in seen if url.startswith(ctx.gateway.base)]
        missed = {re.sub(r"^/archive/\d*", "/archive/", urlsplit(url).path) for status, url in mine if status >= 400}
        return missed, mine

    stamped_missed, _ = replay(f"/archive/{ctx.ts}/{ctx.post}")
    latest_missed, mine = replay(f"/archive/{ctx.post}")
    assert latest_missed <= stamped_missed, sorted(latest_missed - stamped_missed)[:5]
    unstamped = [(s, u) for s, u in mine if re.match(r"/archive/[a-z]{2}_/", urlsplit(u).path)]
    assert unstamped and all(s < 400 for s, _ in unstamped), unstamped[:5]  # all refused with 404 before


# -- issue 13.4: closed at rest ---------------------------------------------------------------------
def test_archive_files_are_owner_only(ctx: Context, mastodon_crawl) -> None:
    """Finding 5 of issue 13: original WARCs 0644 in 0755 folders, `.pywb/original/indexes/index.cdxj`
    and `wayback.log` 0644, `crawls/*/thumbs/*.jpg` world-readable, the ledger 0644."""
    from replay.at_rest import loose_paths

    served = ctx.gateway.archive
    kinds = {"warcs", "access", ".pywb", ".sma", "crawls"}
    assert kinds <= {p.name for p in served.iterdir()}, sorted(p.name for p in served.iterdir())
    assert list(served.glob("crawls/*/thumbs/*.jpg")) and list(served.glob(".pywb/*/indexes/index.cdxj"))
    assert list(served.glob(".pywb/*/wayback.log")) and (served / ".sma" / "users.json").is_file()
    assert loose_paths(served) == []  # the served copy, after `sma replay` started (.pywb, .sma included)
    # The crawl as `sma crawl` left it (its .pywb/, if any, is the test harness's own pywb).
    assert [p for p in loose_paths(mastodon_crawl.archive) if not p[0].startswith(".pywb")] == []


def test_query_pages_echo_no_uncaptured_query_string(ctx: Context) -> None:
    """Issue 13 finding 6: `/archive/*/<captured url>?<anything>` printed the query string."""
    marker = "sma-reflected-7f3a"
    for target in (f"/archive/*/{ctx.post}?q={marker}", f"/archive/timemap/link/{ctx.post}?q={marker}"):
        reply = ctx.gateway.request("GET", target, user="res")
        assert reply.status == 404, (target, reply.status)
        assert marker.encode() not in reply.all_bytes()
    assert ctx.gateway.request("GET", f"/archive/*/{ctx.post}", user="res").status == 200  # still served


# -- issue 11 item 3: no linkable identifier of a commenter -- the file name of their avatar picture
# (content-addressed, as a CDN names it) or their numeric account id -- in any byte a researcher, a
# public user or an anonymous visitor gets, for every request above and the CDX, timemap and query
# pages asked for those very identifiers; the archivist gets them (so it can fail). The ids are read
# from the original WARCs by plain byte search, independently of crawler/privacy/.
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
def linkable(ctx: Context) -> tuple[set[bytes], set[bytes]]:
    files, ids = identifiers(ctx)
    assert len(files) > 3 and len(ids) > 3, "the original must hold commenters' avatar files and account ids"
    return files, ids


def _target(template: str, c: Context, files: set[bytes], ids: set[bytes]) -> str:
    return (template.replace("{avatar_file}", sorted(files)[0].decode() + ".png")
            .replace("{user_id}", sorted(ids)[0].decode()))


def _clean(data: bytes, files: set[bytes], ids: set[bytes]) -> list[bytes]:
    return sorted(v for v in files | ids if v in data)


@pytest.mark.parametrize("user", ["res", "pub", None], ids=["researcher", "public-user", "anonymous"])
def test_no_avatar_file_name_or_account_id_in_any_response(ctx: Context, linkable, user: str | None) -> None:
    files, ids = linkable
    for attempt_id, method, template, headers in ATTEMPTS + EXTRA:
        if user is None and attempt_id == "basic-auth-with-archivists-session":
            continue  # an anonymous visitor holding the archivist's cookie is the archivist
        reply = attempt(ctx, user, method, _target(template, ctx, files, ids), headers)
        assert _clean(reply.all_bytes(), files, ids) == [], f"{attempt_id}: linkable identifier served"


def test_the_archivist_gets_them(ctx: Context, linkable) -> None:
    files, ids = linkable
    got = b"".join(attempt(ctx, "arch", method, _target(template, ctx, files, ids), headers).all_bytes()
                   for attempt_id, method, template, headers in EXTRA + ATTEMPTS
                   if attempt_id in ("cdx-avatar-files-prefix", "api-raw-id_"))
    assert files & set(re.findall(rb"[0-9a-f]{16}", got)) and any(i in got for i in ids)
