"""HTTP plumbing shared by all skins: routing by prefix, static files, ground truth, and the
wire format (gzip, ETag/304, Range) via `web.finalize`.

The server object owns the `World`; handlers reach it as `self.server.world` and hold its lock
while building a response, so a later clock can mutate the world between requests safely.
"""

from __future__ import annotations

import os
import re
import signal
import sys
import threading
import time
import traceback
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import FrameType
from urllib.parse import unquote, urlsplit

from demo_platform import control, media, websocket
from demo_platform.content import new_world
from demo_platform.model import World
from demo_platform.mutation import Mutation, serve_delay
from demo_platform.mutation_pages import thread_page
from demo_platform.sessions import Sessions, refresh_header
from demo_platform.skins import ALL_SKINS, Skin
from demo_platform.traps import Streamed, Traps
from demo_platform.web import (
    CSS,
    HTML,
    JS,
    PNG,
    TEXT,
    WEBM,
    Request,
    Response,
    binary,
    finalize,
    json_response,
    page,
    parse_query,
)

STATIC_TYPES = {".js": JS, ".css": CSS, ".png": PNG, ".webm": WEBM}
ROBOTS = b"User-agent: *\nAllow: /\n"
LARGE_ACCOUNT = "ministerie-archief"  # the handle `make_server(large_account=N)` adds on the Mastodon skin


class PlatformServer(ThreadingHTTPServer):
    daemon_threads = True
    world: World
    access_log: bool = False
    # A "redesign" of the platform: (old, new) string replacements applied to every HTML, JS,
    # CSS and JSON body, as when a platform renames its test ids, classes or button texts.
    # Capture tests use it to show that SMA notices the change instead of reporting success.
    mutations: tuple[tuple[str, str], ...] = ()
    # A whole redesign per seed (`--mutate random`, mutation.py); None = the skins as written.
    mutation: Mutation | None = None
    sessions: Sessions
    # Real platforms hide comments from logged-out visitors; on when served with --login-required.
    login_required: bool = False
    # Hostile pages at /traps/<run>/ (traps.py) and their per-run request counters.
    traps: Traps

    def handle_error(self, request: object, client_address: object) -> None:
        # A browser that navigates away drops its connections mid-response: routine, not an error.
        if isinstance(sys.exc_info()[1], ConnectionError):
            return
        super().handle_error(request, client_address)


class Handler(BaseHTTPRequestHandler):
    server: PlatformServer
    server_version = "SMA-demo/1.0"
    # HTTP/1.1 keep-alive like real platforms; every response carries a Content-Length.
    protocol_version = "HTTP/1.1"
    timeout = 30  # drop idle keep-alive connections instead of pinning threads forever

    def version_string(self) -> str:
        return self.server_version  # no Python version in the Server header

    def date_time_string(self, timestamp: float | None = None) -> str:
        # The platform's clock is the world's (`sma platform advance` moves it): a Date header on
        # the wall clock would put every post of the fixed demo world years in the past.
        return formatdate(self.server.world.now.timestamp(), usegmt=True)

    def do_GET(self) -> None:
        headers = {k.lower(): v for k, v in self.headers.items()}
        if websocket.is_upgrade(headers):
            self._socket(headers)
            return
        self._serve()

    def _socket(self, headers: dict[str, str]) -> None:
        """A WebSocket at a skin's socket path (the forum's stream of replies); 404 elsewhere."""
        path, world = unquote(urlsplit(self.path).path), self.server.world
        skin = owner(path)
        if skin is None or skin.socket(world, path, "{}") is None:
            self._send(page("<!DOCTYPE html><title>404</title><h1>Niet gevonden</h1>\n", 404))
            return
        self.close_connection = True
        self.log_message('"GET %s" 101 websocket', self.path)

        def answer(text: str) -> list[str]:
            return skin.socket(world, path, text) or []

        try:
            websocket.serve(self.rfile, self.wfile, headers["sec-websocket-key"], answer)
        except (ConnectionError, TimeoutError, OSError):
            return  # the page went away

    def do_HEAD(self) -> None:
        self._serve()

    def do_POST(self) -> None:
        # Bodies are not used; read any so the keep-alive connection stays in step.
        length = int(self.headers.get("Content-Length") or 0)
        if 0 < length <= 1 << 20:
            self.rfile.read(length)
        self._serve()

    def _not_allowed(self) -> None:
        self._send(not_allowed())

    do_PUT = do_DELETE = do_PATCH = _not_allowed

    def _serve(self) -> None:
        try:
            resp = self._dispatch()
        except Exception:  # a bug must give a 500 page, not a dropped connection
            traceback.print_exc(file=sys.stderr)
            resp = Response(500, b"Internal server error\n", TEXT, "error")
        self._send(resp)

    def _request(self) -> Request:
        parts = urlsplit(self.path)
        bound = "{}:{}".format(*self.server.server_address[:2])
        host = self.headers.get("Host") or bound
        if not re.fullmatch(r"[A-Za-z0-9.\-\[\]:]+", host):
            host = bound  # never echo junk into absolute URLs
        return Request(
            method=self.command, path=unquote(parts.path) or "/", query=parse_query(parts.query),
            headers={k.lower(): v for k, v in self.headers.items()},
            base_url=f"http://{host}", world=self.server.world,
            session=self.server.sessions.find({k.lower(): v for k, v in self.headers.items()}),
            login_required=self.server.login_required)

    def _dispatch(self) -> Response:
        request = self._request()
        if request.method == "POST":
            return control.handle_post(request, self.server.sessions) or not_allowed()
        if request.path.startswith("/traps/"):
            return self.server.traps.handle(request)  # outside the world's lock: traps stream and count
        with request.world.lock:
            # A seed that pages threads: this request is one page of a thread, or made from one.
            paged = thread_page(self.server.mutation, request, owner(request.path))
            if paged is None:
                resp = route(request)
            else:
                with paged.restricted():
                    resp = paged.finish(route(request))
        if request.session is not None and not request.path.startswith("/_"):
            # Logged-in responses refresh the session cookie, as real platforms do.
            resp.headers.append(refresh_header(request.session))
        return resp

    def _send(self, resp: Response) -> None:
        if isinstance(resp, Streamed):
            resp.send(self)
            return
        if self.server.mutations and resp.content_type.split("/")[0] in ("text", "application"):
            resp = mutate(resp, self.server.mutations)
        if self.server.mutation is not None:
            resp = redesign(self.server.mutation, urlsplit(self.path).path, resp)
            time.sleep(serve_delay(self.server.mutation, self.path, resp.content_type))
        headers = {k.lower(): v for k, v in self.headers.items()}
        status, out_headers, body = finalize(headers, self.command, resp)
        self.send_response(status)
        for name, value in out_headers:
            self.send_header(name, value)
        self.end_headers()
        if body:
            self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        if self.server.access_log:
            super().log_message(format, *args)

    def log_error(self, format: str, *args: object) -> None:
        # Idle keep-alive connections timing out are routine, not errors worth a log line.
        if "timed out" not in format % args:
            self.log_message(format, *args)


def mutate(resp: Response, mutations: tuple[tuple[str, str], ...]) -> Response:
    if resp.content_type == WEBM or not resp.body:
        return resp
    body = resp.body
    for old, new in mutations:
        body = body.replace(old.encode("utf-8"), new.encode("utf-8"))
    return Response(resp.status, body, resp.content_type, resp.cache, resp.headers)


KINDS = {HTML: "html", CSS: "css", JS: "js"}


def redesign(mutation: Mutation, path: str, resp: Response) -> Response:
    """The seed's redesign of a page, style sheet or script (never JSON, media or /_truth)."""
    kind = KINDS.get(resp.content_type)
    if kind is None or not resp.body or path.startswith("/_"):
        return resp
    skin = owner(unquote(path))
    body = mutation.apply(kind, resp.body, skin.name if skin else None)
    return Response(resp.status, body, resp.content_type, resp.cache, resp.headers)


def owner(path: str) -> Skin | None:
    # Longest prefix first, so /x/... reaches the X skin before the root (Mastodon) skin.
    for skin in sorted(ALL_SKINS.values(), key=lambda s: len(s.prefix), reverse=True):
        if skin.owns(path):
            return skin
    return None


def parse_mutations(specs: list[str] | None) -> tuple[tuple[str, str], ...]:
    """`OLD=NEW` strings (as given on the command line) -> replacement pairs."""
    pairs = []
    for spec in specs or []:
        old, sep, new = spec.partition("=")
        if not sep or not old:
            raise ValueError(f"mutation must be OLD=NEW, got {spec!r}")
        pairs.append((old, new))
    return tuple(pairs)


def not_allowed() -> Response:
    return Response(405, b"Method not allowed\n", TEXT, "error", [("Allow", "GET, HEAD")])


def route(request: Request) -> Response:
    path = request.path
    if path.startswith("/_truth/"):
        return truth(request)
    if path.startswith(("/_clock/", "/_auth/")):
        return not_allowed()  # state changes only by POST
    if path.startswith("/static/"):
        return static(path[len("/static/"):])
    if path == "/favicon.ico":
        return binary(media.favicon_png(), PNG, "static")
    if path == "/robots.txt":
        return Response(200, ROBOTS, TEXT, "static")
    skin = owner(path)
    if skin is not None:
        return skin_response(skin, request)
    return page("<!DOCTYPE html><title>404</title><h1>Niet gevonden</h1>\n", 404)


def skin_response(skin: Skin, request: Request) -> Response:
    gate = skin.guard(request)
    if gate is not None:
        return gate
    return skin.decorate(request, skin.handle(request) or skin.missing(request))


def static(name: str) -> Response:
    """Files in demo_platform/static; the name pattern rules out path traversal."""
    suffix = name[name.rfind("."):] if "." in name else ""
    data = media.static_file(name) if re.fullmatch(r"[a-z0-9_-]+\.[a-z0-9]+", name) else None
    if data is None or suffix not in STATIC_TYPES:
        return page("<!DOCTYPE html><title>404</title><h1>Niet gevonden</h1>\n", 404)
    return binary(data, STATIC_TYPES[suffix], "static" if suffix in (".js", ".css") else "media")


def truth(request: Request) -> Response:
    """Ground truth for evaluation; no page links here."""
    world, base = request.world, request.base_url
    if request.path == "/_truth/index.json":
        return json_response({"skins": [{
            "skin": skin.name,
            "accounts": [{"account": a.handle, "url": skin.profile_url(base, a),
                          "truth": f"/_truth/{skin.name}/{a.handle}.json"}
                         for a in skin.accounts(world)],
        } for skin in ALL_SKINS.values()]}, cache="truth")
    match = re.fullmatch(r"/_truth/([a-z0-9_-]+)/([A-Za-z0-9_.-]+?)(\.json|/changes\.json)",
                         request.path)
    skin = ALL_SKINS.get(match[1]) if match else None
    data: object = None
    if skin and match:
        found = skin.truth if match[3] == ".json" else skin.changes
        data = found(world, match[2], base)
    if data is None:
        return json_response({"error": "unknown skin or account"}, 404, cache="error")
    return json_response(data, cache="truth")


def make_server(
    host: str = "127.0.0.1", port: int = 8700, seed: int = 1, mutations: tuple[tuple[str, str], ...] = (),
    login_required: bool = False, mutation_seed: int | None = None, large_account: int = 0,
) -> ThreadingHTTPServer:
    """A ready-to-serve server (port 0 = pick a free port); call serve_forever() on it.

    `mutation_seed` serves that seed's redesign of every skin (mutation.py); without it the
    environment variable SMA_DEMO_MUTATION_SEED, if set, does the same. `large_account` > 0 adds
    a Mastodon account `@ministerie-archief` with that many posts (long-crawl benchmarks such as
    bench/memory.py); the seven skins' own accounts stay as they are."""
    server = PlatformServer((host, port), Handler)
    server.world = new_world(seed)
    if large_account > 0:
        server.world.add_account(server.world.generator.official_account(
            server.world, "mastodon", LARGE_ACCOUNT, "Archief van Demo", large_account))
    server.mutations = mutations
    if mutation_seed is None and os.environ.get("SMA_DEMO_MUTATION_SEED", "").strip():
        mutation_seed = int(os.environ["SMA_DEMO_MUTATION_SEED"])
    server.mutation = Mutation.for_seed(mutation_seed) if mutation_seed is not None else None
    server.sessions = Sessions()
    server.login_required = login_required
    server.traps = Traps()
    return server


def main(host: str, port: int, seed: int, mutations: tuple[tuple[str, str], ...] = (),
         login_required: bool = False, mutation_seed: int | None = None) -> int:
    server = make_server(host, port, seed, mutations, login_required, mutation_seed)
    assert isinstance(server, PlatformServer)
    server.access_log = True
    bound_host, bound_port = server.server_address[:2]
    login = ", login required" if login_required else ""
    if server.mutation is not None:
        ops = ", ".join(sorted(server.mutation.ops))
        login += f", redesign {server.mutation.seed}: {ops}"
    print(f"SMA demo platform on http://{bound_host}:{bound_port} (seed {seed}{login})", flush=True)

    def stop(signum: int, frame: FrameType | None) -> None:
        # shutdown() blocks until serve_forever returns, so it must run off the main thread.
        threading.Thread(target=server.shutdown, daemon=True).start()

    previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        server.serve_forever(poll_interval=0.2)
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        server.server_close()
    return 0
