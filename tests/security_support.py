"""The gateway's WSGI app on a temporary archive with users, without pywb: for the sign-in,
session and audit tests of issue 13 (tests/test_security_*.py)."""

from __future__ import annotations

import base64
import io
import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from replay.auth import UserStore
from replay.gateway import Gateway
from replay.signin_flood import Tarpit

USERS = {"anna": ("archivist", "anna-password-1"), "rob": ("researcher", "rob-password-12"),
         "wim": ("woo-officer", "wim-password-12"), "wil": ("woo-officer", "wil-password-12")}
HOST = "127.0.0.1:8080"


class NoViews:
    """The views a landing page asks about; no pywb behind them."""

    def pages(self, name: str) -> list[dict[str, str]]:
        return []

    def has_warcs(self, name: str) -> bool:
        return False

    def refresh(self, name: str) -> None:
        pass

    def dead(self) -> list[str]:
        return []


@dataclass
class Answer:
    status: int
    headers: list[tuple[str, str]]
    body: bytes

    def header(self, name: str) -> str | None:
        return next((v for k, v in self.headers if k.lower() == name.lower()), None)

    def cookies(self) -> dict[str, str]:
        return dict(v.split(";")[0].split("=", 1) for k, v in self.headers if k.lower() == "set-cookie")


def make_gateway(archive: Path, users: dict[str, tuple[str, str]] = USERS) -> Gateway:
    (archive / "warcs").mkdir(parents=True, exist_ok=True)
    store = UserStore(archive)
    for name, (role, password) in users.items():
        store.add(name, role, password)
    gateway = Gateway(archive, NoViews(), allowed_hosts={HOST})  # type: ignore[arg-type]
    gateway.tarpit = Tarpit(hold=0.0)  # answers at once: its own test is test_security_signin.py's tarpit test
    return gateway


def call(gateway: Gateway, method: str, target: str, headers: dict[str, str] | None = None, body: bytes = b"",
         client: str = "127.0.0.1") -> Answer:
    path, _, query = target.partition("?")
    environ = {"REQUEST_METHOD": method, "PATH_INFO": path, "QUERY_STRING": query, "REQUEST_URI": target,
               "HTTP_HOST": HOST, "REMOTE_ADDR": client, "wsgi.input": io.BytesIO(body), "wsgi.url_scheme": "http",
               "CONTENT_LENGTH": str(len(body))}
    for name, value in (headers or {}).items():
        key = name.upper().replace("-", "_")
        environ[key if key in ("CONTENT_TYPE",) else "HTTP_" + key] = value
    got: dict = {}

    def start_response(status: str, hdrs: list[tuple[str, str]], exc_info: object = None) -> None:
        got["status"], got["headers"] = int(status.split()[0]), hdrs

    data = b"".join(gateway(environ, start_response))
    return Answer(got["status"], got["headers"], data)


def basic(name: str, password: str) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"{name}:{password}".encode()).decode()}


def form_sign_in(gateway: Gateway, name: str, password: str, client: str = "127.0.0.1",
                 extra: str = "") -> Answer:
    form = call(gateway, "GET", "/_sma/login", client=client)
    token = re.search(rb'name="csrf_token" value="([^"]+)"', form.body).group(1).decode()
    body = f"csrf_token={token}&user={quote(name)}&password={quote(password)}{extra}".encode()
    return call(gateway, "POST", "/_sma/login", client=client, body=body, headers={
        "Content-Type": "application/x-www-form-urlencoded", "Cookie": f"sma_login={form.cookies()['sma_login']}"})


def session_of(answer: Answer) -> dict[str, str]:
    assert answer.status == 303, answer.status
    return {"Cookie": f"sma_session={answer.cookies()['sma_session']}"}
