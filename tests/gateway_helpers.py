"""Shared by tests/test_gateway.py and tests/test_redaction_bypass.py: a copy of the session's
mastodon crawl with users of every role, served by the real `sma replay` (gateway + three pywb)."""

from __future__ import annotations

import base64
import http.client
import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote, quote_plus

from conftest import ROOT, free_port

PASSWORDS = {
    "arch": ("archivist", "archivist-secret-1"),
    "res": ("researcher", "researcher-secret-1"),
    "woo": ("woo-officer", "woo-officer-secret-1"),
    "pub": ("public", "public-user-secret-1"),
}


def add_user(archive: Path, name: str, role: str, password: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "sma.cli", "users", "add", name, "--role", role,
                           "--archive", str(archive)], cwd=ROOT, input=password + "\n",
                          capture_output=True, text=True, timeout=60)


@dataclass
class Reply:
    status: int
    reason: str
    headers: list[tuple[str, str]]
    body: bytes

    def header(self, name: str) -> str | None:
        return next((v for k, v in self.headers if k.lower() == name.lower()), None)

    def all_bytes(self) -> bytes:
        head = f"{self.status} {self.reason}\n" + "".join(f"{k}: {v}\n" for k, v in self.headers)
        return head.encode("latin-1", "replace") + b"\n" + self.body


@dataclass
class Gateway:
    archive: Path
    port: int
    proc: subprocess.Popen
    stdout: list[str] = field(default_factory=list)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def request(self, method: str, target: str, user: str | None = None, headers: dict | None = None,
                body: bytes | None = None) -> Reply:
        """The raw target goes out exactly as given (no client-side normalisation)."""
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
        hdrs = dict(headers or {})
        if user:
            hdrs["Authorization"] = basic(user, PASSWORDS[user][1])
        conn.putrequest(method, target, skip_accept_encoding=True, skip_host="Host" in hdrs)
        for k, v in hdrs.items():
            conn.putheader(k, v)
        if body is not None:
            conn.putheader("Content-Length", str(len(body)))
        conn.endheaders(body)
        resp = conn.getresponse()
        data = resp.read()
        conn.close()
        return Reply(resp.status, resp.reason, resp.getheaders(), data)

    def internal_ports(self) -> dict[int, str]:
        """port -> bound address of every listening socket of this gateway's pywb processes."""
        return pywb_listeners(self.archive)


def basic(user: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


def start_gateway(archive: Path, *extra: str) -> Gateway:
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "sma.cli", "replay", str(archive), "--port", str(port), *extra],
                            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    gateway = Gateway(archive, port, proc)
    ready = threading.Event()

    def drain() -> None:  # all of its output, also after start-up (a full pipe would block it)
        for line in proc.stdout or []:
            gateway.stdout.append(line)
            if "Press Ctrl-C" in line:
                ready.set()

    threading.Thread(target=drain, daemon=True).start()
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline and not ready.is_set():
        if proc.poll() is not None:
            time.sleep(0.5)
            raise RuntimeError("sma replay exited: " + "".join(gateway.stdout))
        ready.wait(0.2)
    if not ready.is_set():
        stop_gateway(gateway)
        raise RuntimeError("sma replay did not start: " + "".join(gateway.stdout))
    return gateway


def stop_gateway(gateway: Gateway) -> int:
    """SIGTERM, as a service manager stops it; asserts a clean exit with its output as the message."""
    if gateway.proc.poll() is None:
        gateway.proc.send_signal(signal.SIGTERM)
    code = gateway.proc.wait(timeout=60)
    time.sleep(0.2)
    assert code == 0, "".join(gateway.stdout)[-3000:]
    return code


def copy_archive(source: Path, target: Path) -> Path:
    """The crawl is shared with other tests: the gateway gets its own copy (it writes .sma/, .pywb/)."""
    shutil.copytree(source, target, ignore=shutil.ignore_patterns(".pywb", ".sma"))
    return target


def make_served_archive(source: Path, target: Path) -> Gateway:
    """A copy of `source` with a user of every role (added in-process, as `sma users add` does:
    tests/test_gateway.py tests that command), served by `sma replay`."""
    from replay.auth import UserStore

    archive = copy_archive(source, target)
    users = UserStore(archive)
    for name, (role, password) in PASSWORDS.items():
        users.add(name, role, password)
    return start_gateway(archive)


def serve_for_archivist(archive: Path) -> Gateway:
    """`sma replay` (the gateway users get, with its three views) on `archive`, where the archivist
    `arch` may sign in; the user is added in-process (no `sma users add` process to wait for)."""
    from replay.auth import UserStore

    role, password = PASSWORDS["arch"]
    UserStore(archive).add("arch", role, password)
    return start_gateway(archive)


def sign_in(page, base: str, user: str = "arch") -> None:  # noqa: ANN001 - a Playwright Page
    """Through the sign-in form, as a person does: the browser context then holds the session cookie."""
    page.goto(base + "/_sma/login")
    page.fill("#user", user)
    page.fill("#password", PASSWORDS[user][1])
    page.click("#sign-in")
    page.wait_for_selector("#sma-landing")


# -- what must never be served --------------------------------------------------------------------
def truth_values(truth: dict) -> set[str]:
    """Every comment's PII values and every commenter's name and handle."""
    values: set[str] = set()
    for post in truth["posts"]:
        for comment in post.get("comments", []):
            author = comment.get("author") or {}
            for key in ("name", "handle"):
                if author.get(key):
                    values.add(author[key])
            for item in comment.get("pii", []):
                values.add(item["value"])
    return values


def value_forms(values: set[str]) -> dict[bytes, str]:
    """Raw, lower-case, URL-encoded (quote/quote_plus) and JSON-escaped spellings -> the value."""
    forms: dict[bytes, str] = {}
    for value in values:
        for form in (value, value.lower(), quote(value), quote(value, safe=""), quote_plus(value),
                     json.dumps(value)[1:-1], json.dumps(value, ensure_ascii=False)[1:-1]):
            forms[form.encode("utf-8")] = value
    return forms


def leaked(data: bytes, forms: dict[bytes, str]) -> set[str]:
    return {value for form, value in forms.items() if form in data}


# -- the internal pywb ports -----------------------------------------------------------------------
def pywb_listeners(archive: Path) -> dict[int, str]:
    """Reads /proc: the processes whose working dir is under DIR/.pywb/, their listening sockets."""
    pywb_root = str((archive / ".pywb").resolve())
    inodes: set[str] = set()
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            if not os.readlink(f"/proc/{pid}/cwd").startswith(pywb_root):
                continue
            for fd in os.listdir(f"/proc/{pid}/fd"):
                link = os.readlink(f"/proc/{pid}/fd/{fd}")
                if link.startswith("socket:["):
                    inodes.add(link[8:-1])
        except OSError:
            continue
    listeners: dict[int, str] = {}
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            cols = line.split()
            if cols[3] == "0A" and cols[9] in inodes:  # LISTEN
                addr_hex, port_hex = cols[1].split(":")
                addr = ".".join(str(int(addr_hex[i:i + 2], 16)) for i in (6, 4, 2, 0)) if len(addr_hex) == 8 \
                    else addr_hex
                listeners[int(port_hex, 16)] = addr
    return listeners
