"""Which SMA package may import which (docs/architecture.md, "Packages and their imports"), checked by
reading every module's import statements with `ast`: nothing is imported or executed, so this runs in
well under a second. Imports inside functions count as much as those at the top: a lazy import is
still a dependency.

A rule broken today is listed in KNOWN_EXCEPTIONS with the reason it is still there; anything else
that breaks a rule fails the test with the module, the import and the rule."""

from __future__ import annotations

import ast
import functools
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import ROOT

PACKAGES = ("crawler", "replay", "sma", "demo_platform", "records", "search", "archive")
HEAVY = ("scrapy", "scrapy_playwright", "playwright", "twisted", "pywb")
# Leaf modules of `sma` that any package may use: they import nothing of SMA themselves.
SMA_LEAVES = ("sma.config", "sma.exitcodes")

# (importing module, imported module) -> why it is still there. Each one breaks a rule below.
KNOWN_EXCEPTIONS: dict[tuple[str, str], str] = {
    ("records.sidefiles", "crawler.privacy.ledger"):
        "reads the PII ledger's location; the ledger's layout belongs in the archive model (issue 12, item 1)",
    ("records.wacz_sign", "crawler.privacy.keys"):
        "signs with the organisation key; the key store is in crawler.privacy, not the archive model",
    ("records.holds", "replay.audit"):
        "a legal hold is written to replay's audit log; the audit log belongs in the archive model",
    ("records.sidefiles", "search.index"):
        "names the search index's side files; the index's location belongs in the archive model",
    ("search.extract", "crawler.profiles"):
        "reads the profiles' content selectors; profile loading is in crawler, outside crawler.archive",
    ("records.redact", "crawler.profiles"):
        "finds a destroyed post's traces with the profiles' selectors; profile loading is in crawler, not archive",
    ("records.redact_plan", "crawler.profiles"):
        "as records.redact: the profiles' selectors; profile loading is in crawler, not archive",
}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports(path: Path) -> Iterator[tuple[str, int]]:
    """(absolute module name, line) of every import in the file, `importlib.import_module("x")` too."""
    name = module_name(path)
    package = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, node.lineno
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - (node.level - 1)]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            yield target, node.lineno
            for alias in node.names:  # `from crawler import archive` imports crawler.archive
                yield f"{target}.{alias.name}", node.lineno
        elif (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
              and node.func.attr == "import_module" and node.args and isinstance(node.args[0], ast.Constant)
              and isinstance(node.args[0].value, str)):
            yield node.args[0].value, node.lineno


@functools.cache
def sma_modules() -> frozenset[str]:
    return frozenset(module_name(p) for pkg in PACKAGES if (ROOT / pkg).is_dir() for p in (ROOT / pkg).rglob("*.py"))


def within(module: str, package: str) -> bool:
    return module == package or module.startswith(package + ".")


def resolve(target: str, known: set[str]) -> str | None:
    """The SMA module (or package) an import names; None for anything outside SMA. `from x import name`
    yields `x.name` as well, which is a module only when such a file exists."""
    if target.split(".")[0] not in PACKAGES:
        return None
    while target and target not in known:
        target = target.rpartition(".")[0]
    return target or None


def rule_broken(module: str, target: str) -> str | None:
    """The rule `module` importing the SMA module `target` breaks, or None."""
    if within(module, "sma.config") or within(module, "sma.exitcodes"):
        return "sma.config and sma.exitcodes import nothing of SMA (every package may use them)"
    if within(target, module.split(".")[0]) and not within(module, "crawler"):
        return None  # inside one top-level package (crawler's parts have rules of their own)
    if within(module, "archive"):
        return "archive imports nothing of SMA but itself"
    if within(module, "crawler.archive"):
        if within(target, "crawler.archive") or within(target, "archive"):
            return None
        return "crawler.archive imports nothing of SMA but itself and archive"
    if within(module, "demo_platform"):
        return "demo_platform imports nothing of SMA"
    if within(module, "crawler"):
        if within(target, "replay"):
            return "crawler never imports replay (they meet through the archive on disk)"
        if within(target, "sma") and target not in SMA_LEAVES:
            return "crawler never imports sma (the CLI is on top), except sma.config and sma.exitcodes"
        return None
    if within(module, "records") or within(module, "search"):
        if (within(target, "archive") or within(target, "crawler.archive") or target in SMA_LEAVES
                or within(target, module.split(".")[0])):
            return None
        return "records and search import of SMA only archive and crawler.archive (the archive model)"
    if within(module, "replay"):
        if within(target, "crawler") and not (within(target, "crawler.archive") or within(target, "crawler.privacy")):
            return "replay imports of crawler only crawler.archive and crawler.privacy (no Scrapy behind them)"
    return None


def heavy_rule_broken(module: str, top: str) -> str | None:
    """The rule `module` importing the third-party package `top` breaks, or None."""
    if top not in HEAVY:
        return None
    if top == "pywb":
        return "pywb is never imported: it runs in its own virtualenv (.venv-pywb), started as a process"
    for package in ("archive", "crawler.archive", "crawler.privacy", "records", "search", "demo_platform", "sma"):
        if within(module, package):
            return f"{package} imports no Scrapy, Playwright or Twisted"
    if within(module, "replay") and not (top == "playwright" and module == "replay.woo.export"):
        return "replay imports no Scrapy or Twisted; Playwright only in replay.woo.export (PDFs in Chromium)"
    return None


def judged(found: list[tuple[str, int]], known: set[str]) -> list[tuple[str, str | None, int]]:
    """(import, SMA module it names or None, line) to judge. `from sma import config` names the package
    `sma` and the module `sma.config`: only the module is judged (the package's own `__init__` is
    imported too, but what the statement depends on is the module)."""
    resolved = [(target, resolve(target, known), line) for target, line in found]
    deeper = {(line, r) for _, r, line in resolved if r}
    return [(target, r, line) for target, r, line in resolved
            if not (r and any(line == other_line and within(other, r) and other != r for other_line, other in deeper))]


@functools.cache  # read once per test session: every test here asks the same tree
def violations() -> list[tuple[str, str, int, str]]:
    known = sma_modules()
    found = []
    for pkg in PACKAGES:
        for path in sorted((ROOT / pkg).rglob("*.py")) if (ROOT / pkg).is_dir() else []:
            module = module_name(path)
            for target, resolved, line in judged(list(imports(path)), known):
                rule = rule_broken(module, resolved) if resolved else heavy_rule_broken(module, target.split(".")[0])
                if rule:
                    found.append((module, resolved or target, line, rule))
    return found


def test_from_a_package_import_a_module_is_judged_by_the_module():
    known = {"sma", "sma.config", "sma.cli", "crawler", "crawler.archive"}
    assert judged([("sma", 3), ("sma.config", 3)], known) == [("sma.config", "sma.config", 3)]
    assert {r for _, r, _ in judged([("sma.cli", 4), ("sma.cli.main", 4)], known)} == {"sma.cli"}  # a name in it
    assert rule_broken("crawler.settings", "sma.config") is None
    assert rule_broken("crawler.settings", "sma") is not None  # `import sma` itself still breaks the rule


def test_every_package_imports_only_what_its_rules_allow():
    broken = sorted({f"{m}:{line} imports {t}: {rule}" for m, t, line, rule in violations()
                     if (m, t) not in KNOWN_EXCEPTIONS})
    assert broken == [], "\n".join(broken)


def test_every_known_exception_is_still_there():
    """An exception whose import is gone is struck off the list (and from docs/architecture.md)."""
    found = {(m, t) for m, t, _, _ in violations()}
    assert sorted(set(KNOWN_EXCEPTIONS) - found) == []


@pytest.mark.parametrize(("module", "target", "expected"), [
    ("crawler.archive.warc", "crawler.archive.model", None),
    ("crawler.archive.warc", "crawler.profiles", "crawler.archive imports nothing of SMA but itself and archive"),
    ("crawler.archive.warc", "archive.layout", None),
    ("archive.pages", "archive.jsonl", None),
    ("archive.layout", "crawler.archive.warc", "archive imports nothing of SMA but itself"),
    ("archive.pages", "sma.config", "archive imports nothing of SMA but itself"),
    ("crawler.privacy.derivative", "archive.transform", None),
    ("replay.views", "archive.jsonl", None),
    ("records.destroy", "archive.pages", None),
    ("crawler.pipelines", "replay.pages", "crawler never imports replay (they meet through the archive on disk)"),
    ("crawler.run", "sma.config", None),
    ("replay.views", "crawler.archive.read", None),
    ("replay.views", "crawler.run", "replay imports of crawler only crawler.archive and crawler.privacy "
                                    "(no Scrapy behind them)"),
    ("demo_platform.server", "crawler.archive.model", "demo_platform imports nothing of SMA"),
    ("search.index", "crawler.archive.read", None),
    ("records.report", "replay.audit",
     "records and search import of SMA only archive and crawler.archive (the archive model)"),
    ("sma.cli", "replay.server", None),
    ("sma.config", "sma.registry", "sma.config and sma.exitcodes import nothing of SMA (every package may use them)"),
])
def test_the_rules_say_what_the_architecture_document_says(module, target, expected):
    assert rule_broken(module, target) == expected


def test_heavy_packages_stay_where_they_belong():
    assert heavy_rule_broken("crawler.pipelines", "scrapy") is None
    assert heavy_rule_broken("crawler.archive.warc", "scrapy") == (
        "crawler.archive imports no Scrapy, Playwright or Twisted")
    assert heavy_rule_broken("search.index", "playwright") == "search imports no Scrapy, Playwright or Twisted"
    assert heavy_rule_broken("archive.layout", "scrapy") == "archive imports no Scrapy, Playwright or Twisted"
    assert heavy_rule_broken("archive.transform", "pywb").startswith("pywb is never imported")
    assert heavy_rule_broken("replay.gateway", "pywb").startswith("pywb is never imported")
    assert heavy_rule_broken("replay.woo.export", "playwright") is None


def test_imports_are_read_from_the_source_lazy_ones_and_relative_ones_too():
    found = {target for target, _ in imports(ROOT / "crawler" / "run.py")}  # `from .archive.model import`
    assert "crawler.archive.model" in found and "scrapy.crawler" in found


def test_the_proxy_gets_plain_dependencies_and_imports_nothing_of_the_gateway():
    """replay.gateway calls replay.proxy.forward with the views, the audit log and its error page:
    the proxy never imports the gateway back (not even for type hints), so neither needs the other
    half-initialised."""
    found = {target for target, _ in imports(ROOT / "replay" / "proxy.py")}
    assert not {t for t in found if within(t, "replay.gateway")}, sorted(found)
    assert "replay.proxy.forward" in {target for target, _ in imports(ROOT / "replay" / "gateway.py")}


def import_graph(package: str) -> dict[str, set[str]]:
    """module -> the other modules of `package` it imports (lazy and TYPE_CHECKING imports included)."""
    known = sma_modules()
    graph: dict[str, set[str]] = {}
    for path in sorted((ROOT / package).rglob("*.py")):
        module = module_name(path)
        targets = {resolve(target, known) for target, _ in imports(path)}
        graph[module] = {t for t in targets if t and within(t, package) and t not in (module, package)}
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The import cycles of `graph`: each strongly connected set of more than one module (Tarjan)."""
    order: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(node: str) -> None:
        order[node] = low[node] = len(order)
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if nxt not in order:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in stack:
                low[node] = min(low[node], order[nxt])
        if low[node] == order[node]:
            component = []
            while True:
                member = stack.pop()
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in order:
            visit(node)
    return sorted(found)


def test_no_import_cycle_among_replay_modules():
    """No two replay modules import each other, directly or round a ring, not even lazily or for type
    hints: a mounted page (search, records, Woo) gets what it needs of the gateway as an argument."""
    assert cycles(import_graph("replay")) == []


def test_the_cycle_finder_finds_rings_and_passes_trees():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": {"a"}, "c": {"d"}, "d": {"c"}}) == [["a", "b"], ["c", "d"]]
    assert cycles({"a": {"b", "c"}, "b": {"c"}, "c": set()}) == []


def test_the_import_graph_holds_lazy_imports():
    """replay.gateway imports its search page only on the first search (inside a method)."""
    assert "replay.search_views" in import_graph("replay")["replay.gateway"]
