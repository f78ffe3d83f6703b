"""A signed-in user's page time while 32 parallel bad sign-ins run (issue 13 finding 3; target < 2x idle).

The real gateway (replay.gateway.Gateway) under waitress with its 8 threads, on a temporary archive
with argon2id users and no pywb (the landing page is the gateway's own). Scenarios:
  idle                      nobody else
  32 bad, unknown names     Basic requests with random user names (no argon2 run: VerificationPool)
  32 bad, known name        wrong passwords for a real user (counted before checking: LoginThrottle)
  32 bad, throttle off      the same with the throttle disabled: every guess verified, one at a time
Usage: .venv/bin/python bench/signin_load.py [--seconds 8]
"""

from __future__ import annotations

import argparse
import base64
import http.client
import re
import secrets
import socket
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import quote

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from replay.auth import UserStore  # noqa: E402
from replay.gateway import Gateway  # noqa: E402

PARALLEL = 32


class _NoViews:
    def pages(self, name: str) -> list:
        return []

    def has_warcs(self, name: str) -> bool:
        return False


def _get(port: int, path: str, headers: dict[str, str], method: str = "GET", body: bytes | None = None):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    conn.request(method, path, body=body, headers={"Host": f"127.0.0.1:{port}", **headers})
    resp = conn.getresponse()
    data = resp.read()
    conn.close()
    return resp, data


def _sign_in(port: int, name: str, password: str) -> str:
    resp, form = _get(port, "/_sma/login", {})
    token = re.search(rb'name="csrf_token" value="([^"]+)"', form).group(1).decode()
    login = resp.getheader("Set-Cookie").split(";")[0]
    body = f"csrf_token={token}&user={name}&password={quote(password)}".encode()
    resp, _ = _get(port, "/_sma/login", {"Cookie": login, "Content-Type": "application/x-www-form-urlencoded"},
                   "POST", body)
    return next(v for k, v in resp.getheaders() if k.lower() == "set-cookie" and "sma_session" in v).split(";")[0]


def _page_times(port: int, cookie: str, seconds: float) -> list[float]:
    times: list[float] = []
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        started = time.monotonic()
        resp, body = _get(port, "/", {"Cookie": cookie})
        assert resp.status == 200 and b'data-role="researcher"' in body, resp.status
        times.append(time.monotonic() - started)
        time.sleep(0.05)
    return times


def _attack(port: int, stop: threading.Event, header) -> None:  # noqa: ANN001 - a callable making a header
    while not stop.is_set():
        try:
            _get(port, "/", {"Authorization": header()})
        except OSError:
            pass


def run(seconds: float) -> list[tuple[str, list[float], int]]:
    from waitress.server import create_server

    archive = Path(tempfile.mkdtemp(prefix="sma-signin-bench-"))
    (archive / "warcs").mkdir()
    UserStore(archive).add("rob", "researcher", "rob-password-12")
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    gateway = Gateway(archive, _NoViews(), allowed_hosts={f"127.0.0.1:{port}"})  # type: ignore[arg-type]
    server = create_server(gateway, host="127.0.0.1", port=port, threads=8, ident="SMA")
    threading.Thread(target=server.run, daemon=True).start()
    cookie = _sign_in(port, "rob", "rob-password-12")

    def unknown() -> str:
        return "Basic " + base64.b64encode(f"nobody-{secrets.token_hex(4)}:wrong-password".encode()).decode()

    def known() -> str:
        return "Basic " + base64.b64encode(f"rob:wrong-{secrets.token_hex(4)}".encode()).decode()

    rows = [("idle", _page_times(port, cookie, seconds), 0)]
    for label, header, throttled in (("32 bad, unknown names", unknown, True), ("32 bad, known name", known, True),
                                     ("32 bad, known name, throttle off", known, False)):
        gateway.throttle = type(gateway.throttle)()
        if not throttled:
            gateway.throttle.begin = lambda name, client="": 0.0  # type: ignore[method-assign]
        before = gateway.verifier.verifications
        stop = threading.Event()
        attackers = [threading.Thread(target=_attack, args=(port, stop, header), daemon=True) for _ in range(PARALLEL)]
        for t in attackers:
            t.start()
        time.sleep(0.5)
        times = _page_times(port, cookie, seconds)
        stop.set()
        for t in attackers:
            t.join(timeout=120)
        rows.append((label, times, gateway.verifier.verifications - before))
    server.close()
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=8.0)
    args = parser.parse_args()
    rows = run(args.seconds)
    idle = statistics.median(rows[0][1])
    print(f"{'scenario':36} {'pages':>5} {'median ms':>10} {'p95 ms':>8} {'x idle':>7} {'argon2 runs':>11}")
    for label, times, verifications in rows:
        med = statistics.median(times)
        p95 = sorted(times)[int(0.95 * (len(times) - 1))]
        print(f"{label:36} {len(times):5d} {med * 1000:10.1f} {p95 * 1000:8.1f} {med / idle:7.2f} {verifications:11d}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
