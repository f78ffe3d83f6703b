"""The replay gateway: a WSGI app that signs users in and proxies each request to its role's view.

    /_sma/login   GET form, POST sign-in (CSRF token, throttled, audited)
    /_sma/logout  POST
    /             the role's landing page (its pages)
    /_sma/woo/... replay.woo.app.handle(GatewayRequest) for woo-officers (404 until that module exists)
    /archive/...  replay, proxied to the role's view (allowlist: replay/routes.py)
    /static/...   pywb's static files, proxied
    anything else 404, the gateway's own page

Authentication: `Authorization: Basic` (scripted clients; no session; when present the cookie is
ignored, and wrong credentials are a 401 even with a valid cookie), else the session cookie, else
anonymous, which is the public role when `anonymous_public` is on. Every POST is CSRF-checked here,
before any handler runs. Responses get no-store caching: one URL serves different bytes per role.
"""

from __future__ import annotations

import base64
import binascii
import sys
from collections.abc import Callable, Iterable
from http.cookies import CookieError, SimpleCookie
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, unquote

from replay import overview, pages
from replay.audit import AuditLog, repair_torn_tail
from replay.auth import (
    OneTimeTokens,
    Principal,
    SessionStore,
    UserStore,
    VerificationPool,
    VerifiedCache,
    tokens_equal,
)
from replay.gateway_types import CSRF_FIELD, SECURITY_HEADERS, GatewayRequest, GatewayResponse
from replay.proxy import forward
from replay.routes import ROLE_VIEW, classify
from replay.signin_flood import LoginThrottle, RefusalAudit, Tarpit
from replay.views import ViewSet

SESSION_COOKIE = "sma_session"
LOGIN_COOKIE = "sma_login"  # double-submit token of the sign-in form (there is no session yet)
MAX_FORM_BYTES = 1 << 20
StartResponse = Callable[..., Any]
def _woo_review(request: GatewayRequest) -> GatewayResponse:
    from replay.woo.app import handle  # on first use: its imports (PIL, nh3) cost only the officers' requests

    return handle(request)


# The mounted modules (their interface: replay/gateway_types.py): path prefix -> the one role that may
# use it, and its handler. A fixed table, read here, not modules found by name at run time.
MOUNTS: dict[str, tuple[str, Callable[[GatewayRequest], GatewayResponse]]] = {
    "/_sma/woo": ("woo-officer", _woo_review),
}


def _mount_of(path: str) -> str | None:
    return next((prefix for prefix in MOUNTS if path == prefix or path.startswith(prefix + "/")), None)


class Gateway:
    def __init__(self, archive_dir: Path, views: ViewSet, anonymous_public: bool = True,
                 allowed_hosts: set[str] | None = None) -> None:
        self.archive_dir = Path(archive_dir).resolve()
        self.views = views
        self.users = UserStore(self.archive_dir)
        self.sessions = SessionStore()
        self.components: dict[str, object] = {}  # the mounted modules' state (GatewayRequest.components)
        self.login_tokens = OneTimeTokens()
        self.throttle = LoginThrottle()
        self.verifier = VerificationPool()
        self.refusals = RefusalAudit()
        self.tarpit = Tarpit()  # failed and refused sign-ins answer late (replay/signin_flood.py)
        self.basic_cache = VerifiedCache()
        self.audit_log = AuditLog(self.archive_dir)
        self.audit_repair = repair_torn_tail(self.archive_dir)  # never fail serving on a crash's torn line
        self.audit_log.check_key()  # a sealed log without its key: refuse to start (AuditError)
        if self.audit_repair:
            print(f"sma: warning: {self.audit_repair}", file=sys.stderr)
        self.anonymous_public = anonymous_public
        # The Host values this gateway answers to (None: any well-formed one). pywb writes the Host
        # into every replayed link, and a fixed list also defeats DNS rebinding onto a loopback port.
        self.allowed_hosts = {h.lower() for h in allowed_hosts} if allowed_hosts else None

    # -- WSGI ------------------------------------------------------------------------------------
    def __call__(self, environ: dict, start_response: StartResponse) -> Iterable[bytes]:
        try:
            return self._handle(environ, start_response)
        except Exception:  # never a traceback or a framework page to the client
            import traceback

            traceback.print_exc()
            return self._error(start_response, 500 if "HTTP_HOST" in environ else 400)

    def _handle(self, environ: dict, start_response: StartResponse) -> Iterable[bytes]:
        method = environ.get("REQUEST_METHOD", "GET").upper()
        raw = environ.get("REQUEST_URI") or (environ.get("PATH_INFO", "/") + (
            "?" + environ["QUERY_STRING"] if environ.get("QUERY_STRING") else ""))
        host = environ.get("HTTP_HOST", "")
        if not raw.startswith("/") or not _valid_host(host) or (
                self.allowed_hosts is not None and host.lower() not in self.allowed_hosts):
            return self._error(start_response, 400)
        raw_path, _, raw_query = raw.partition("?")
        path = unquote(raw_path)

        principal = self._authenticate(environ)
        if principal == "bad-basic":  # (held already: _check_password, _malformed)
            return self._error(start_response, 401, [("WWW-Authenticate", 'Basic realm="SMA", charset="UTF-8"')])
        if method not in ("GET", "HEAD", "POST"):
            return self._error(start_response, 405)
        form: dict[str, str] = {}
        body = b""
        if method == "POST":
            body = _read_body(environ)
            form = _parse_form(environ, body)
            if not self._csrf_ok(environ, principal, path, form):
                return self._error(start_response, 403, note="The form was stale: reload the page and try again.")

        if path == "/_sma/login":
            return self._login(environ, start_response, method, form)
        if path == "/_sma/logout":
            if method != "POST":
                return self._error(start_response, 405)
            return self._logout(start_response, principal)
        if path == "/_sma/sessions/end-others":
            return self._end_other_sessions(start_response, principal, method)
        if principal is None:
            # Not signed in, and anonymous visitors get nothing: browsers go to the sign-in form.
            if method == "GET" and "text/html" in environ.get("HTTP_ACCEPT", ""):
                return self._respond(start_response, 303, b"", [("Location", "/_sma/login")])
            return self._error(start_response, 401)
        if path == "/" and method in ("GET", "HEAD"):
            return self._landing(start_response, principal)
        mount = _mount_of(path)
        if mount is not None:
            return self._mounted(mount, environ, start_response, principal, method, path, raw_query, form, body)
        if path in ("/_sma/search", "/_sma/dataset"):  # search page, dataset download (replay/search_views.py)
            from replay import search_views

            return search_views.serve(self, environ, start_response, principal, method, path, raw_query)
        if path.startswith("/_sma/records/destroy"):  # approving destruction lists (replay/records_views.py)
            from replay import records_views

            return records_views.serve(self, start_response, principal, method, path, form)
        if method not in ("GET", "HEAD"):
            return self._error(start_response, 405)
        route = classify(raw_path, principal.role)
        if route is None:
            return self._error(start_response, 404)
        return forward(environ, start_response, principal, route, raw, views=self.views, audit_log=self.audit_log,
                       error=self.error_response)

    # -- authentication --------------------------------------------------------------------------
    def _authenticate(self, environ: dict) -> Principal | str | None:
        header = environ.get("HTTP_AUTHORIZATION", "")
        if header:
            scheme, _, value = header.partition(" ")
            if scheme.lower() != "basic":
                return self._malformed()
            try:
                name, sep, password = base64.b64decode(value.strip(), validate=True).decode("utf-8").partition(":")
            except (binascii.Error, UnicodeDecodeError):
                return self._malformed()
            if not sep:
                return self._malformed()
            stored = self.users.stored_hash(name)
            role = self.basic_cache.get(name, password, stored)
            if role is not None and self.users.role_of(name) == role:
                self.throttle.succeeded(name, environ.get("REMOTE_ADDR", ""))  # a success, cached or not
            else:
                role, _ = self._check_password(environ, name, password)
                if role is not None:
                    self.basic_cache.put(name, password, stored, role)
            return Principal(name, role, basic=True) if role else "bad-basic"
        sid = _cookies(environ).get(SESSION_COOKIE)
        session = self.sessions.get(sid) if sid else None
        if session is not None:
            if self.users.role_of(session.user) != session.role:  # removed or changed since sign-in
                self.sessions.drop_user(session.user)
                return None
            return Principal(session.user, session.role, session)
        if self.anonymous_public:
            return Principal("anonymous", "public")
        return None

    def _malformed(self) -> str:
        self.tarpit.hold()  # as slow as a wrong password: a flood of broken headers gains nothing
        return "bad-basic"

    def _check_password(self, environ: dict, name: str, password: str) -> tuple[str | None, float]:
        """(role or None, seconds the client must wait: refused unchecked). Counted by the throttle
        before the password is checked; audited either way. A failure or refusal is answered late
        (the tarpit), and the throttle's wait runs from the end of that, not from the check."""
        client = environ.get("REMOTE_ADDR", "")
        wait = self.throttle.begin(name, client)
        role = self.verifier.authenticate(self.users, name, password) if wait <= 0 else None
        if wait > 0 or role == self.verifier.BUSY:
            wait = max(wait, 1.0)
            # A flood is audited in bounded entries with the count of the rest: an fsync'd entry
            # per refused guess would let the guesser slow everyone down.
            unaudited = self.refusals.should_audit(client, name)
            if unaudited is not None:
                self.audit_log.append(name, "", "login-refused", "", {
                    "client": client, "wait_s": round(wait, 1), "busy": role == self.verifier.BUSY,
                    "refused_since_last_entry": unaudited})
            self.tarpit.hold()
            return None, wait
        if role is None:
            self.tarpit.hold()
            self.throttle.failed(name, client)
            backoff = self.throttle.wait_left(name, client)
            self.audit_log.append(name, "", "login-failed", "", {"client": client, "backoff_s": round(backoff, 1)})
            return None, 0.0
        self.throttle.succeeded(name, client)
        return role, 0.0

    def _csrf_ok(self, environ: dict, principal: Principal | str | None, path: str, form: dict[str, str]) -> bool:
        origin = environ.get("HTTP_ORIGIN")
        if origin and origin not in (f"http://{environ.get('HTTP_HOST')}", f"https://{environ.get('HTTP_HOST')}"):
            return False
        sent = form.get(CSRF_FIELD) or environ.get("HTTP_X_CSRF_TOKEN", "")
        if path == "/_sma/login":
            expected = _cookies(environ).get(LOGIN_COOKIE, "")
            # single use: a token that was posted once (or never issued here) is refused
            return bool(sent and expected) and tokens_equal(sent, expected) and self.login_tokens.consume(sent)
        if isinstance(principal, Principal) and principal.session is not None:
            return bool(sent) and tokens_equal(sent, principal.session.csrf)
        if isinstance(principal, Principal) and principal.basic:
            # No session, no token to compare: the custom header a cross-site form cannot set.
            return bool(environ.get("HTTP_X_CSRF_TOKEN"))
        return False

    # -- handlers --------------------------------------------------------------------------------
    def _login(self, environ: dict, start_response: StartResponse, method: str,
               form: dict[str, str]) -> Iterable[bytes]:
        if method == "POST":
            name = form.get("user", "").strip()
            role, wait = self._check_password(environ, name, form.get("password", "")) if name else (None, 0.0)
            if role is not None:
                # A new session id on every sign-in; the browser's previous one ends (no fixation),
                # and on request (`end_other_sessions`) every other session of the user too.
                old = _cookies(environ).get(SESSION_COOKIE)
                if old:
                    self.sessions.drop(old)
                ended = self.sessions.drop_user(name) if form.get("end_other_sessions") else 0
                session = self.sessions.create(name, role)
                self.audit_log.append(name, role, "login", "", {"client": environ.get("REMOTE_ADDR", ""),
                                                                 "other_sessions_ended": ended})
                cookie = (f"{SESSION_COOKIE}={session.sid}; HttpOnly; SameSite=Strict; Path=/"
                          f"{'; Secure' if environ.get('wsgi.url_scheme') == 'https' else ''}")
                return self._respond(start_response, 303, b"", [
                    ("Location", "/"), ("Set-Cookie", cookie), ("Set-Cookie", _expire_cookie(LOGIN_COOKIE))])
            if not name:
                self.tarpit.hold()  # (a named attempt was held by _check_password)
            token = self.login_tokens.issue()
            status = 429 if wait > 0 else 401
            return self._respond(start_response, status, pages.login_page(token, failed=True, wait=wait),
                                 [("Content-Type", "text/html; charset=utf-8"), ("Set-Cookie", _login_cookie(token))])
        token = self.login_tokens.issue()
        return self._respond(start_response, 200, pages.login_page(token),
                             [("Content-Type", "text/html; charset=utf-8"), ("Set-Cookie", _login_cookie(token))])

    def _end_other_sessions(self, start_response: StartResponse, principal: Principal | str | None,
                            method: str) -> Iterable[bytes]:
        """POST: every session of this user but the one asking ends (a lost laptop, a shared PC)."""
        if method != "POST":
            return self._error(start_response, 405)
        if not isinstance(principal, Principal) or principal.session is None:
            return self._error(start_response, 401)
        ended = self.sessions.drop_user(principal.user, keep=principal.session.sid)
        self.audit_log.append(principal.user, principal.role, "sessions-ended", "", {"ended": ended})
        return self._respond(start_response, 303, b"", [("Location", "/")])

    def _logout(self, start_response: StartResponse, principal: Principal | str | None) -> Iterable[bytes]:
        if isinstance(principal, Principal) and principal.session is not None:
            self.sessions.drop(principal.session.sid)
            self.audit_log.append(principal.user, principal.role, "logout", "", None)
        return self._respond(start_response, 303, b"", [
            ("Location", "/_sma/login"), ("Set-Cookie", _expire_cookie(SESSION_COOKIE)),
            # a shared computer: what this user replayed must not stay in the browser's cache
            ("Clear-Site-Data", '"cache"')])

    def _landing(self, start_response: StartResponse, principal: Principal) -> Iterable[bytes]:
        view = ROLE_VIEW[principal.role]
        note = ""
        if principal.role == "woo-officer":
            rows: list[dict[str, str]] = []
        else:
            rows = self.views.pages(view)
            if view == "public" and not self.views.has_warcs("public"):
                note = "Er is nog niets goedgekeurd voor publicatie."
        csrf = principal.session.csrf if principal.session else ""
        body = pages.landing_page(principal.role, principal.user, csrf, rows, note,
                                  woo_link=principal.role == "woo-officer",
                                  signed_in=principal.session is not None or principal.basic,
                                  extra=overview.section(self.archive_dir, principal.role, len(rows)))
        return self._respond(start_response, 200, body, [("Content-Type", "text/html; charset=utf-8")])

    def _mounted(self, mount: str, environ: dict, start_response: StartResponse, principal: Principal, method: str,
                 path: str, raw_query: str, form: dict[str, str], body: bytes) -> Iterable[bytes]:
        role, handle = MOUNTS[mount]
        if principal.role != role:
            return self._error(start_response, 403)

        def audit(action: str, target: str, detail: object = None) -> None:
            self.audit_log.append(principal.user, principal.role, action, target, detail)

        request = GatewayRequest(
            method=method, path=path, query=dict(parse_qsl(raw_query, keep_blank_values=True)), form=form,
            user=principal.user, role=principal.role, csrf_token=principal.session.csrf if principal.session else "",
            archive_dir=self.archive_dir, audit=audit, views=self.views, body=body, components=self.components,
            headers={k[5:].replace("_", "-").lower(): v for k, v in environ.items() if k.startswith("HTTP_")
                     and k not in ("HTTP_COOKIE", "HTTP_AUTHORIZATION")},
        )
        response = handle(request)
        headers = [(k, v) for k, v in response.headers if k.lower() not in ("set-cookie",)]
        return self._respond(start_response, response.status, response.body, headers)

    # -- responses -------------------------------------------------------------------------------
    def _respond(self, start_response: StartResponse, status: int, body: bytes,
                 headers: list[tuple[str, str]]) -> Iterable[bytes]:
        names = {k.lower() for k, _ in headers}
        out = [*headers, *((k, v) for k, v in SECURITY_HEADERS if k.lower() not in names)]
        out.append(("Content-Length", str(len(body))))
        start_response(_status_line(status), out)
        return [body]

    def _error(self, start_response: StartResponse, status: int, headers: list[tuple[str, str]] | None = None,
               note: str = "") -> Iterable[bytes]:
        return self._respond(start_response, status, pages.error_page(status, note),
                             [("Content-Type", "text/html; charset=utf-8"), *(headers or [])])

    def error_response(self, start_response: StartResponse, status: int, note: str = "") -> Iterable[bytes]:
        return self._error(start_response, status, note=note)


def _status_line(status: int) -> str:
    from http import HTTPStatus

    try:
        return f"{status} {HTTPStatus(status).phrase}"
    except ValueError:
        return f"{status} Unknown"


def _valid_host(host: str) -> bool:
    # pywb writes the Host into every replayed link: only a plain host[:port] may pass.
    return bool(host) and len(host) < 256 and all(c.isalnum() or c in ".-:[]" for c in host)


def _cookies(environ: dict) -> dict[str, str]:
    jar = SimpleCookie()
    try:
        jar.load(environ.get("HTTP_COOKIE", ""))
    except CookieError:
        return {}
    return {k: m.value for k, m in jar.items()}


def _login_cookie(token: str) -> str:
    return f"{LOGIN_COOKIE}={token}; HttpOnly; SameSite=Strict; Path=/_sma/login; Max-Age=3600"


def _expire_cookie(name: str) -> str:
    path = "/_sma/login" if name == LOGIN_COOKIE else "/"
    return f"{name}=; HttpOnly; SameSite=Strict; Path={path}; Max-Age=0"


def _read_body(environ: dict) -> bytes:
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if length <= 0:
        return b""
    return environ["wsgi.input"].read(min(length, MAX_FORM_BYTES))


def _parse_form(environ: dict, body: bytes) -> dict[str, str]:
    ctype = environ.get("CONTENT_TYPE", "").split(";")[0].strip().lower()
    if ctype == "application/x-www-form-urlencoded":
        return dict(parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True))
    if ctype == "multipart/form-data":
        return _parse_multipart(environ, body)
    return {}


def _parse_multipart(environ: dict, body: bytes) -> dict[str, str]:
    """Text fields of a multipart form (files are not taken)."""
    from email.parser import BytesParser
    from email.policy import HTTP

    head = f"Content-Type: {environ.get('CONTENT_TYPE', '')}\r\n\r\n".encode("latin-1", "replace")
    message = BytesParser(policy=HTTP).parsebytes(head + body)
    fields: dict[str, str] = {}
    for part in message.iter_parts() if message.is_multipart() else []:
        name = part.get_param("name", header="content-disposition")
        if name and not part.get_filename():
            fields[str(name)] = part.get_content() if part.get_content_maintype() == "text" else ""
    return fields
