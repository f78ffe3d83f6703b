"""Shared fixtures: the demo platform on a free port, crawls run through the real `sma` CLI,
pywb replay from its own venv, and Playwright launched on Debian's Chromium.

Parallel runs (`make test`: pytest-xdist, `-n 2 --dist loadgroup`): every session fixture is made
once per worker process (each worker has its own platform, temp folder, keys and Chromium). So that
an expensive one is made only once, `pytest_collection_modifyitems` below puts every test into an
xdist group: the tests of one skin's full crawl together, the users of another shared session
fixture together, and otherwise the tests of a module that share a module fixture (made once)."""

from __future__ import annotations

import json
import os
import resource
import socket
import subprocess
import sys
import threading
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from sma import config

if TYPE_CHECKING:
    from gateway_helpers import Gateway

ROOT = Path(__file__).resolve().parent.parent
SMA = [sys.executable, "-m", "sma.cli"]
CHROMIUM = config.CHROMIUM.get()
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


# Session fixtures that cost a crawl: the tests using one share an xdist worker (and so the crawl).
SHARED_FIXTURE_GROUPS = {"mastodon_crawl": "skin-mastodon", "replay_server": "skin-mastodon",
                         "woo_archive": "woo-archive"}


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--cpu-durations", type=int, default=0, metavar="N",
                     help="list the N tests using the most CPU time (this process and its finished child "
                          "processes, e.g. crawls): a measure that a loaded machine does not distort")


def work_group(item: pytest.Item) -> str:
    """The xdist group of a test: `skin-<skin>` when it reads that skin's session crawl, the group of
    a shared session fixture it uses, else `module-<module>`."""
    names = set(getattr(item, "fixturenames", ()))
    module = getattr(item, "module", None)  # None for an item that is not a Python test function
    if "skin_archives" in names:
        callspec = getattr(item, "callspec", None)
        skin = (callspec.params.get("skin") if callspec else None) or getattr(module, "SKIN", None)
        if isinstance(skin, str):
            return f"skin-{skin}"
    for fixture, group in SHARED_FIXTURE_GROUPS.items():
        if fixture in names:
            return group
    return f"module-{module.__name__ if module else item.nodeid.split('::')[0]}"


def _module_fixtures(item: pytest.Item) -> set[str]:
    """The module-, class- or package-scoped fixtures the test uses (made once per worker that runs it)."""
    info = getattr(item, "_fixtureinfo", None)
    if info is None:
        return set()
    return {name for name, defs in info.name2fixturedefs.items()
            if defs and defs[-1].scope in ("module", "class", "package")}


@pytest.hookimpl(tryfirst=True)  # before xdist's own hook turns the marks into `nodeid@group`
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Tests of a module that share a module fixture stay together: such a cluster joins the shared
    crawl's group when exactly one of its tests needs one, else it is `module-<module>[-n]`. So a module
    fixture is made once, and a module's tests that share nothing may run on the other worker.
    An explicit `xdist_group` mark wins."""
    by_module: dict[str, list[pytest.Item]] = {}
    for item in items:
        by_module.setdefault(item.nodeid.split("::")[0], []).append(item)
    for module_items in by_module.values():
        for n, cluster in enumerate(_clusters(module_items)):
            groups = {item: work_group(item) for item in cluster}
            shared = {g for g in groups.values() if not g.startswith("module-")}
            for item, group in groups.items():
                if item.get_closest_marker("xdist_group") is not None:
                    continue
                if len(shared) == 1:
                    group = next(iter(shared))
                elif group.startswith("module-") and n:
                    group = f"{group}-{n}"
                item.add_marker(pytest.mark.xdist_group(group))


@pytest.hookimpl(specname="pytest_collection_modifyitems", trylast=True)  # after pytest's reordering
def pytest_collection_modifyitems_keep_groups_together(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Make the groups hold on an xdist worker, as `--dist loadgroup` means them.

    - xdist (3.8) names a test's group in its node id (`<id>@<group>`: the controller schedules by
      it) by setting `item._nodeid`, which pytest 9 no longer reads (the id lives in `item._id`):
      without this every test was scheduled alone and each worker made every crawl it met again.
    - pytest moves the tests of a session-parametrised fixture (Playwright's `browser_name`) in
      front of all others; a worker then runs a module's `[chromium]` tests apart from its other
      tests and makes the module's fixtures twice. The original file order comes back here (one
      browser: nothing to gain from the move); xdist sends a group's tests in this order."""
    if not getattr(config.option, "loadgroup", False):  # set on xdist workers under --dist loadgroup
        return
    for item in items:
        marks = [m.args[0] if m.args else m.kwargs.get("name", "default") for m in item.iter_markers("xdist_group")]
        if marks and "@" not in item.nodeid.rpartition("]")[2]:
            _name_group_in_id(item, "_".join(sorted(map(str, marks))))
    first_of_module: dict[str, int] = {}
    for n, item in enumerate(items):
        first_of_module.setdefault(item.nodeid.split("::")[0], n)
    order = {item: (first_of_module[item.nodeid.split("::")[0]], _file_position(item), n)
             for n, item in enumerate(items)}
    items.sort(key=order.__getitem__)


def _file_position(item: pytest.Item) -> int:
    location = getattr(item, "location", None)
    return (location[1] or 0) if location else 0


def _name_group_in_id(item: pytest.Item, group: str) -> None:
    nodeid = f"{item.nodeid}@{group}"
    if hasattr(item, "_id"):  # pytest >= 9
        from _pytest.nodeid import NodeId

        item._id = NodeId.parse(nodeid)
    else:
        item._nodeid = nodeid


def _clusters(items: list[pytest.Item]) -> list[list[pytest.Item]]:
    """The items in clusters: two tests are in one cluster when they use a common module fixture."""
    clusters: list[tuple[set[str], list[pytest.Item]]] = []
    for item in items:
        fixtures = _module_fixtures(item)
        joined = [c for c in clusters if c[0] & fixtures]
        merged: tuple[set[str], list[pytest.Item]] = (set(fixtures), [item])
        for cluster in joined:
            clusters.remove(cluster)
            merged[0].update(cluster[0])
            merged[1][:0] = cluster[1]
        clusters.append(merged)
    return [sorted(c[1], key=items.index) for c in clusters]


def _cpu_seconds() -> float:
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


@pytest.hookimpl(wrapper=True)
def pytest_runtest_protocol(item: pytest.Item, nextitem: pytest.Item | None):  # noqa: ANN201
    item.stash[_CPU_START] = _cpu_seconds()
    return (yield)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):  # noqa: ANN201
    """The test's CPU time rides on its teardown report: an xdist worker sends that to the
    controller, which prints `--cpu-durations` (a worker's own summary is never shown)."""
    report = yield
    if report.when == "teardown" and _CPU_START in item.stash and item.config.getoption("--cpu-durations"):
        report.user_properties.append((_CPU_PROPERTY, _cpu_seconds() - item.stash[_CPU_START]))
    return report


class CpuDurations:
    """`--cpu-durations=N`: collects the tests' CPU times from their reports (in the controller
    under xdist) and lists the N largest at the end."""

    def __init__(self, n: int) -> None:
        self.n = n
        self.spent: list[tuple[float, str]] = []

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        seconds = dict(report.user_properties).get(_CPU_PROPERTY) if report.when == "teardown" else None
        if seconds is not None:
            self.spent.append((seconds, report.nodeid))

    def pytest_terminal_summary(self, terminalreporter) -> None:  # noqa: ANN001
        if not self.spent:
            return
        spent = sorted(self.spent, reverse=True)
        terminalreporter.write_sep("=", f"most CPU time (s, the test's process + its finished children), top {self.n}")
        for seconds, nodeid in spent[:self.n]:
            terminalreporter.write_line(f"{seconds:8.1f}  {nodeid}")
        terminalreporter.write_line(f"{sum(s for s, _ in spent):8.1f}  total of {len(spent)} tests")


def pytest_configure(config: pytest.Config) -> None:
    n = config.getoption("--cpu-durations")
    if n and not hasattr(config, "workerinput"):  # an xdist worker's summary is never shown
        config.pluginmanager.register(CpuDurations(n), "sma-cpu-durations")


_CPU_START = pytest.StashKey[float]()
_CPU_PROPERTY = "cpu_seconds"


@pytest.fixture(scope="session", autouse=True)
def isolated_home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Keys and login sessions of this test process in its own temp folder, never the user's
    ~/.config/sma: crawls on two xdist workers would otherwise both create the default key file."""
    home = tmp_path_factory.mktemp("sma-config")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv(config.KEYS_DIR.name, str(home / "keys"))
        mp.setenv(config.SESSIONS_DIR.name, str(home / "sessions"))
        yield


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def browser_type_launch_args() -> dict:
    """pytest-playwright: Debian's Chromium (`--browser-channel` never selects it)."""
    return {"executable_path": CHROMIUM, "args": CHROMIUM_ARGS, "headless": True}


@dataclass
class Platform:
    base: str

    def get_text(self, path: str) -> str:
        with urllib.request.urlopen(self.base + path, timeout=10) as resp:
            return resp.read().decode()

    def get_json(self, path: str) -> dict:
        return json.loads(self.get_text(path))

    def truth(self, skin: str) -> dict:
        index = self.get_json("/_truth/index.json")
        entry = next(s for s in index["skins"] if s["skin"] == skin)
        account = entry["accounts"][0]
        truth = self.get_json(account["truth"])
        truth["profile_url"] = account["url"]
        return truth


@pytest.fixture(scope="session")
def platform() -> Iterator[Platform]:
    from demo_platform.server import make_server

    server = make_server("127.0.0.1", 0, seed=1)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    host, port = server.server_address[:2]
    yield Platform(f"http://{host}:{port}")
    server.shutdown()
    server.server_close()


@dataclass
class CrawlRun:
    archive: Path
    returncode: int
    stdout: str
    stderr: str

    def warcs(self) -> list[Path]:
        return sorted((self.archive / "warcs").glob("*.warc.gz"))


def run_sma(*args: str, timeout: float = 1200, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [*SMA, *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, **(env or {})},
    )


def crawl(url: str, archive: Path, *extra: str, env: dict | None = None) -> CrawlRun:
    proc = run_sma("crawl", url, "--archive", str(archive), *extra, env=env)
    return CrawlRun(archive, proc.returncode, proc.stdout, proc.stderr)


class SkinArchives:
    """One full crawl per demo skin and one pywb per archive, made on first use, kept for the session
    (per xdist worker; the skin's tests share a worker, see `work_group`).

    The crawls pseudonymise with the key of organisation `ORGANISATION` in `keys_dir` (a folder of
    their own): a test of the privacy storage reads their ledgers and makes later crawls with the same
    key by passing `env`."""

    ORGANISATION = "test-ministerie"

    def __init__(self, platform: Platform, factory: pytest.TempPathFactory) -> None:
        self.platform = platform
        self.factory = factory
        self.keys_dir = factory.mktemp("skin-keys") / "sma-keys"
        self.env = {"SMA_KEYS_DIR": str(self.keys_dir), "SMA_ORGANISATION": self.ORGANISATION,
                    "SMA_PSEUDONYM_KEY": ""}
        self.crawls: dict[str, CrawlRun] = {}
        self.servers: dict[str, Gateway] = {}

    def crawl(self, skin: str) -> CrawlRun:
        if skin not in self.crawls:
            truth = self.platform.truth(skin)
            self.crawls[skin] = crawl(truth["profile_url"], self.factory.mktemp(f"{skin}-archive"), env=self.env)
        return self.crawls[skin]

    def replay(self, skin: str) -> str:
        """Base URL of `sma replay` (the gateway users get) on a copy of the skin's archive (the
        gateway writes .sma/ and .pywb/); the archivist `arch` signs in (archive_checks.Reader)."""
        from gateway_helpers import copy_archive, serve_for_archivist

        if skin not in self.servers:
            copy = copy_archive(self.crawl(skin).archive, self.factory.mktemp(f"{skin}-replay") / "archive")
            self.servers[skin] = serve_for_archivist(copy)
        return self.servers[skin].base

    def close(self) -> None:
        from gateway_helpers import stop_gateway

        for gateway in self.servers.values():
            stop_gateway(gateway)


@pytest.fixture(scope="session")
def skin_archives(platform: Platform, tmp_path_factory: pytest.TempPathFactory) -> Iterator[SkinArchives]:
    archives = SkinArchives(platform, tmp_path_factory)
    yield archives
    archives.close()


@pytest.fixture(scope="session")
def mastodon_crawl(skin_archives: SkinArchives) -> CrawlRun:
    return skin_archives.crawl("mastodon")


@pytest.fixture(scope="session")
def replay_server(skin_archives: SkinArchives) -> str:
    return skin_archives.replay("mastodon")


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator:
    """A real redis-server (Debian's) on a free loopback port, with a password (tests/redis_server.py)."""
    from redis_server import start_redis

    server = start_redis(tmp_path_factory.mktemp("redis"))
    yield server
    server.stop()
