"""Which SMA package may import which (docs/architecture.md, "Packages and their imports"), checked by
reading every module's import statements with `ast`: nothing is imported or executed, so this runs in
well under a second. Imports inside functions count as much as those at the top: a lazy import is
still a dependency.

A rule broken today is listed in KNOWN_EXCEPTIONS with the reason it is still there; anything else
that breaks a rule fails the test with the module, the import and the rule."""

from __future__ import annotations

import ast
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
    ("records.transfer.package", "crawler.privacy.export"):
        "packs the access copy as a WACZ with the privacy exporter; WACZ writing belongs in the archive model",
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


def sma_modules() -> set[str]:
    return {module_name(p) for pkg in PACKAGES if (ROOT / pkg).is_dir() for p in (ROOT / pkg).rglob("*.py")}


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


def violations() -> list[tuple[str, str, int, str]]:
    known = sma_modules()
    found = []
    for pkg in PACKAGES:
        for path in sorted((ROOT / pkg).rglob("*.py")) if (ROOT / pkg).is_dir() else []:
            module = module_name(path)
            for target, line in imports(path):
                resolved = resolve(target, known)
                rule = rule_broken(module, resolved) if resolved else heavy_rule_broken(module, target.split(".")[0])
                if rule:
                    found.append((module, resolved or target, line, rule))
    return found


def test_every_package_imports_only_what_its_rules_allow():
    broken = sorted({f"{m}:{line} imports {t}: {rule}" for m, t, line, rule in violations()
                     if (m, t) not in KNOWN_EXCEPTIONS})
    assert broken == [], "\n".join(broken)


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
