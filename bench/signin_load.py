"""A signed-in user's page time while 32 parallel bad sign-ins run (issue 13 finding 3; target < 2x idle).

The real gateway (replay.gateway.Gateway) under waitress with the threads `sma replay` gives it
(replay/server.py: 8 + the tarpit's slots), on a temporary archive with argon2id users and no pywb
(the landing page is the gateway's own). The guessers run in a process of their own (as an attacker
would: in this process their threads would compete for the gateway's GIL), each sending its next
guess as soon as the previous one is answered. Scenarios:
  idle                          nobody else
  32 bad, unknown names         Basic requests with random user names (no argon2 run: VerificationPool)
  32 bad, known name            wrong passwords for a real user (counted before checking: LoginThrottle)
  32 bad, throttle off          the same with the throttle disabled: every guess goes to the verification pool
  ... tarpit off                the same without the held answers (replay/signin_flood.py): the cause
  96 bad, unknown names         more guessers than the tarpit has slots
Usage: .venv/bin/python bench/signin_load.py [--seconds 8]
"""

from __future__ import annotations

import argparse
import base64
import http.client
import multiprocessing
import os
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
from replay.server import THREADS  # noqa: E402
from replay.signin_flood import Tarpit  # noqa: E402


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


def unknown_name() -> str:
    return "Basic " + base64.b64encode(f"nobody-{secrets.token_hex(4)}:wrong-password".encode()).decode()


def known_name() -> str:
    return "Basic " + base64.b64encode(f"rob:wrong-{secrets.token_hex(4)}".encode()).decode()


def _attack(port: int, stop, header) -> None:  # noqa: ANN001 - an Event, a callable making a header
    while not stop.is_set():
        try:
            _get(port, "/", {"Authorization": header()})
        except OSError:
            pass


def _guessers(port: int, stop, header_name: str, parallel: int) -> None:  # noqa: ANN001 - an Event
    """The attacking process: `parallel` threads guessing in a loop until `stop`."""
    header = globals()[header_name]
    threads = [threading.Thread(target=_attack, args=(port, stop, header), daemon=True) for _ in range(parallel)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()


SCENARIOS = (  # label, guess, parallel, throttle on, tarpit on
    ("32 bad, unknown names", "unknown_name", 32, True, True),
    ("32 bad, known name", "known_name", 32, True, True),
    ("32 bad, known name, throttle off", "known_name", 32, False, True),
    ("32 bad, unknown names, tarpit off", "unknown_name", 32, True, False),
    ("32 bad, known, throttle+tarpit off", "known_name", 32, False, False),
    ("96 bad, unknown names", "unknown_name", 96, True, True),
)


def run(seconds: float) -> list[tuple[str, list[float], int, float]]:
    from waitress.server import create_server

    archive = Path(tempfile.mkdtemp(prefix="sma-signin-bench-"))
    (archive / "warcs").mkdir()
    UserStore(archive).add("rob", "researcher", "rob-password-12")
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    gateway = Gateway(archive, _NoViews(), allowed_hosts={f"127.0.0.1:{port}"})  # type: ignore[arg-type]
    server = create_server(gateway, host="127.0.0.1", port=port, threads=THREADS + Tarpit.SLOTS, ident="SMA")
    threading.Thread(target=server.run, daemon=True).start()
    cookie = _sign_in(port, "rob", "rob-password-12")
    spawn = multiprocessing.get_context("spawn")
    rows = [("idle", _page_times(port, cookie, seconds), 0, 0.0)]
    for label, header, parallel, throttled, tarpitted in SCENARIOS:
        gateway.throttle = type(gateway.throttle)()
        if not throttled:
            gateway.throttle.begin = lambda name, client="": 0.0  # type: ignore[method-assign]
        gateway.tarpit = Tarpit() if tarpitted else Tarpit(hold=0.0)
        stop = spawn.Event()
        attacker = spawn.Process(target=_guessers, args=(port, stop, header, parallel), daemon=True)
        attacker.start()
        deadline = time.monotonic() + 60  # the process started and every guesser has been answered once
        while gateway.tarpit.answers < parallel and time.monotonic() < deadline:
            time.sleep(0.1)
        before, answered, started = gateway.verifier.verifications, gateway.tarpit.answers, time.monotonic()
        times = _page_times(port, cookie, seconds)
        rate = (gateway.tarpit.answers - answered) / (time.monotonic() - started)
        rows.append((label, times, gateway.verifier.verifications - before, rate))
        stop.set()
        attacker.join(timeout=120)
        gateway.tarpit.release()  # the held answers go before the next scenario
    server.close()
    return rows



def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=8.0)
    args = parser.parse_args()
    load = os.getloadavg()[0]
    rows = run(args.seconds)
    idle = statistics.median(rows[0][1])
    print(f"{os.cpu_count()} cores, load average {load:.1f} before / {os.getloadavg()[0]:.1f} after "
          f"(shared machine: compare with idle of the same run); {args.seconds:.0f} s per scenario")
    print(f"{'scenario':36} {'pages':>5} {'median ms':>10} {'p95 ms':>8} {'x idle':>7} {'argon2 runs':>11} "
          f"{'guesses/s':>9}")
    for label, times, verifications, rate in rows:
        med = statistics.median(times)
        p95 = sorted(times)[int(0.95 * (len(times) - 1))]
        print(f"{label:36} {len(times):5d} {med * 1000:10.1f} {p95 * 1000:8.1f} {med / idle:7.2f} "
              f"{verifications:11d} {rate:9.0f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
