"""`sma demo` as a new user meets it: it captures, prints the replay URL of every page, and stops
cleanly, children included, on Ctrl-C (SIGINT to the terminal's process group) and on SIGTERM (to
the `sma` process alone, as `kill` sends it). One small demo run per signal; the second reuses the
first one's archive (a recapture of the profile page only)."""

from __future__ import annotations

import base64
import json
import os
import re
import signal
import subprocess
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from conftest import ROOT, SMA, free_port

READY = "Press Ctrl-C to stop."
START_TIMEOUT = 900  # a capture on a loaded 2-core machine
STOP_TIMEOUT = 60


@dataclass
class Demo:
    proc: subprocess.Popen
    port: int
    lines: list[str] = field(default_factory=list)

    def output(self) -> str:
        return "\n".join(self.lines)


def start_demo(archive: Path, max_posts: int) -> Demo:
    """`sma demo` in a session of its own (its pid is the session id every child inherits)."""
    port = free_port()
    proc = subprocess.Popen(
        [*SMA, "demo", "--archive", str(archive), "--port", str(port), "--platform-port", str(free_port()),
         "--max-posts", str(max_posts)],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True,
    )
    demo = Demo(proc, port)
    ready = threading.Event()

    def read() -> None:  # all of its output, also while serving (a full pipe would block it)
        assert proc.stdout is not None
        for line in proc.stdout:
            demo.lines.append(line.rstrip("\n"))
            if line.strip() == READY:
                ready.set()
        ready.set()

    threading.Thread(target=read, daemon=True).start()
    if not ready.wait(START_TIMEOUT) or proc.poll() is not None:
        kill_session(proc.pid)
        raise AssertionError(f"sma demo did not reach replay:\n{demo.output()}")
    return demo


def session_members(sid: int) -> set[int]:
    """Live processes of the session (zombies are dead: their parent has only to reap them)."""
    members = set()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2:].split()  # after "pid (comm) "
        state, session = fields[0], int(fields[3])
        if session == sid and state not in ("Z", "X"):
            members.add(int(entry.name))
    return members


def kill_session(sid: int) -> None:
    for pid in session_members(sid):
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


def stop(demo: Demo, send) -> tuple[int, set[int]]:  # noqa: ANN001 - a callable taking the pid
    """Sends the signal; returns the exit code and the processes of the demo still alive after it."""
    children = session_members(demo.proc.pid) - {demo.proc.pid}
    assert children, "replay runs in child processes (pywb): there must be some to stop"
    send(demo.proc.pid)
    try:
        code = demo.proc.wait(timeout=STOP_TIMEOUT)
    except subprocess.TimeoutExpired:
        code = None
    deadline = time.monotonic() + 10  # a child may take a moment to exit after its parent did
    while session_members(demo.proc.pid) and time.monotonic() < deadline:
        time.sleep(0.2)
    survivors = session_members(demo.proc.pid)
    kill_session(demo.proc.pid)
    if code is None:
        demo.proc.kill()
        demo.proc.wait()
    return code, survivors


def printed_pages(demo: Demo) -> list[str]:
    return re.findall(rf"^\s+(http://127\.0\.0\.1:{demo.port}/\S+)$", demo.output(), re.M)


def archivist(demo: Demo) -> str:
    found = re.search(r"user (demo-archivist), password (\S+) ", demo.output())
    assert found, demo.output()
    return "Basic " + base64.b64encode(f"{found[1]}:{found[2]}".encode()).decode()


def get(url: str, auth: str) -> tuple[int, bytes]:
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    request = urllib.request.Request(url, headers={"Authorization": auth})
    try:
        with opener.open(request, timeout=60) as resp:
            return resp.status, resp.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


def page_rows(archive: Path) -> list[dict]:
    rows = [json.loads(line) for line in (archive / "pages.jsonl").read_text().splitlines() if line.strip()]
    return [r for r in rows if r.get("url") and "format" not in r]


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("demo") / "demo-archive"


def test_demo_prints_every_page_and_stops_on_ctrl_c(archive: Path):
    demo = start_demo(archive, max_posts=2)
    try:
        urls = printed_pages(demo)
        rows = page_rows(archive)
        assert len(rows) == 3 and len(urls) == len(rows), demo.output()  # the profile and two posts
        for row in rows:
            assert any(row["url"] in url for url in urls), (row["url"], urls)
        auth = archivist(demo)
        for url in urls:
            status, body = get(url, auth)
            assert status == 200 and b"<html" in body.lower(), (url, status, body[:300])
    finally:
        code, survivors = stop(demo, lambda pid: os.killpg(pid, signal.SIGINT))  # what Ctrl-C does
    assert code == 0, demo.output()
    assert survivors == set(), f"still running after Ctrl-C: {survivors}"


def test_demo_stops_on_sigterm_with_its_children(archive: Path):
    demo = start_demo(archive, max_posts=0)
    code, survivors = stop(demo, lambda pid: os.kill(pid, signal.SIGTERM))  # the sma process alone
    assert code == 0, demo.output()
    assert survivors == set(), f"still running after SIGTERM: {survivors}"
    assert printed_pages(demo), demo.output()
