"""sma/config.py names every SMA_* environment variable the code reads, and reads it when asked;
sma/exitcodes.py's ExitCode agrees with the codes the crawler and the subcommands still define."""

from __future__ import annotations

import ast
import functools
import re
from pathlib import Path

import pytest
from conftest import ROOT

from sma import config
from sma.exitcodes import ExitCode

CODE = ("crawler", "replay", "sma", "records", "search", "demo_platform", "bench")


def environment_names_in_code() -> dict[str, Path]:
    """Every "SMA_..." string the code passes to os.environ / os.getenv or keeps in an ENV_* constant."""
    found: dict[str, Path] = {}
    for pkg in CODE:
        for path in (ROOT / pkg).rglob("*.py") if (ROOT / pkg).is_dir() else []:
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                name = None
                if isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant):
                    func = ast.unparse(node.func)
                    if func in ("os.environ.get", "os.getenv", "environ.get"):
                        name = node.args[0].value
                elif isinstance(node, ast.Subscript) and ast.unparse(node.value) == "os.environ" \
                        and isinstance(node.slice, ast.Constant):
                    name = node.slice.value
                elif isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant) and any(
                        isinstance(t, ast.Name) and t.id.startswith("ENV_") for t in node.targets):
                    name = node.value.value
                if isinstance(name, str) and name.startswith("SMA_"):
                    found[name] = path.relative_to(ROOT)
    return found


# replay/pywb_process.py too, but its pywb script reads the WSGI environ, which this text check would take for os's
CONVERTED = ("sma/demo.py", "sma/capture.py", "sma/cli.py", "sma/exitcodes.py", "replay/pywb_index.py",
             "replay/pywb_runner.py")


def test_converted_modules_read_no_environment_variable_themselves():
    for path in CONVERTED:
        text = (ROOT / path).read_text(encoding="utf-8")
        assert "environ.get(" not in text and "getenv(" not in text, f"{path}: use sma.config"


def test_no_entry_of_the_table_is_stale():
    """Every variable of the table is read somewhere: by its name, or through its sma.config constant.
    The reverse (every variable read is in the table) holds once the remaining modules are converted
    (docs/architecture.md lists them)."""
    names = environment_names_in_code()
    assert "SMA_DEMO_MUTATION_SEED" in names, names  # the scan itself works (the demo platform reads its own)
    users = [p.read_text(encoding="utf-8") for pkg in CODE if (ROOT / pkg).is_dir() for p in (ROOT / pkg).rglob("*.py")
             if p != ROOT / "sma" / "config.py"]
    users = [text for text in users if "sma.config" in text or "from sma import config" in text]
    constants = {v: k for k, v in vars(config).items() if isinstance(v, config.Variable)}
    stale = [v.name for v in config.VARIABLES
             if v.name not in names and not any(re.search(rf"\b{constants[v]}\b", text) for text in users)]
    assert stale == []


def test_every_variable_has_a_meaning_and_a_unique_name():
    names = [v.name for v in config.VARIABLES]
    assert len(names) == len(set(names))
    assert all(re.fullmatch(r"SMA_[A-Z_]+", n) for n in names)
    assert all(len(v.meaning) > 10 for v in config.VARIABLES)


def test_values_are_read_when_asked_not_at_import(monkeypatch):
    monkeypatch.delenv("SMA_CHROMIUM", raising=False)
    assert config.CHROMIUM.get() == "/usr/bin/chromium"
    monkeypatch.setenv("SMA_CHROMIUM", "/opt/chromium/chrome")
    assert config.CHROMIUM.get() == "/opt/chromium/chrome"
    monkeypatch.setenv("SMA_CHROMIUM", "")
    assert config.CHROMIUM.get() == "/usr/bin/chromium", "empty means unset"


@pytest.mark.parametrize(("value", "expected"), [("1", True), ("Yes", True), ("on", True), ("0", False),
                                                 ("FALSE", False), ("off", False), ("", True), ("maybe", True)])
def test_flags(monkeypatch, value, expected):
    monkeypatch.setenv("SMA_PRIVACY", value)
    assert config.PRIVACY.flag() is expected  # default on: only a clear "off" turns privacy off


def test_a_number_that_is_none_is_named_in_one_line(monkeypatch):
    monkeypatch.setenv("SMA_MIN_FREE_BYTES", "lots")
    with pytest.raises(ValueError, match="SMA_MIN_FREE_BYTES must be a whole number, not 'lots'"):
        config.MIN_FREE_BYTES.integer()
    monkeypatch.setenv("SMA_MIN_FREE_BYTES", "0")
    assert config.MIN_FREE_BYTES.integer() == 0


def test_paths_and_lists(monkeypatch):
    monkeypatch.delenv("SMA_KEYS_DIR", raising=False)
    assert config.KEYS_DIR.path() == Path.home() / ".config" / "sma" / "keys"
    monkeypatch.setenv("SMA_STAFF_SIGNATURES", "Team Webcare| |^JdV")
    assert config.STAFF_SIGNATURES.items() == ["Team Webcare", "^JdV"]
    assert config.variable("SMA_KEYS_DIR") is config.KEYS_DIR
    with pytest.raises(KeyError):
        config.variable("SMA_NOT_A_THING")


def test_exit_codes_the_crawler_still_defines_agree_with_exitcode():
    """Constants not yet replaced by ExitCode must mean the same; one that is gone is converted (the
    commands, replay, records and search have none: test_no_exit_code_constants_but_exitcode)."""
    import importlib

    names = {"EXIT_OK": ExitCode.OK, "EXIT_FAILED": ExitCode.FAILED, "EXIT_BAD_INPUT": ExitCode.BAD_INPUT,
             "EXIT_INCOMPLETE": ExitCode.INCOMPLETE, "EXIT_PAUSED": ExitCode.PAUSED}
    for name in ("crawler.run", "crawler.recapture"):
        module = importlib.import_module(name)
        for constant, code in names.items():
            if hasattr(module, constant):
                assert getattr(module, constant) == code, f"{name}.{constant}"


# Modules that touch os.environ without reading an SMA_* variable from it, or not converted yet.
ENVIRONMENT_USERS = {
    "replay/pywb_process.py": "hands its environment on to pywb's process (less PYTHONPATH)",
    "sma/commands/run.py": "hands its environment on to each `sma crawl` it starts",
}


@functools.cache  # both tests below read the same files
def parsed(path: Path) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"))


def environment_readers(packages: tuple[str, ...]) -> dict[str, int]:
    """path -> line of the first use of os.environ / os.getenv (or `from os import environ`)."""
    found: dict[str, int] = {}
    for pkg in packages:
        for path in sorted((ROOT / pkg).rglob("*.py")):
            for node in ast.walk(parsed(path)):
                hit = (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "os"
                       and node.attr in ("environ", "getenv", "environb", "putenv")) or (
                    isinstance(node, ast.ImportFrom) and node.module == "os"
                    and any(a.name in ("environ", "getenv") for a in node.names))
                if hit:
                    found.setdefault(str(path.relative_to(ROOT)), node.lineno)
    return found


def test_replay_records_search_and_sma_read_the_environment_only_through_the_table():
    readers = environment_readers(("replay", "records", "search", "sma", "crawler", "archive"))
    assert "sma/config.py" in readers, "the scan itself works"
    unexpected = {path: line for path, line in readers.items() if path != "sma/config.py" and path not in
                  ENVIRONMENT_USERS}
    assert unexpected == {}, "read these through sma.config"


def test_no_exit_code_constants_but_exitcode():
    """Every command, replay, records and search return ExitCode members: no EXIT_* of their own."""
    found = []
    for pkg in ("replay", "records", "search", "sma"):
        for path in sorted((ROOT / pkg).rglob("*.py")):
            for node in parsed(path).body:
                if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id.startswith("EXIT_")
                                                        for t in node.targets):
                    found.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert found == []
