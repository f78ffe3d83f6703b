"""`-s NAME=VALUE` of `sma crawl` and `sma worker`: any Scrapy or SMA setting for one crawl, as
`scrapy crawl -s` does (values are strings; Scrapy's `getint`/`getbool`/`getlist`/`getdict` read them).

A Scrapy name is passed on as it is (Scrapy has hundreds, and add-ons more). An `SMA_` name must be one
SMA reads, so a typo (`SMA_MAX_PAGE=5`) is refused with one line instead of being silently ignored: the
names are those of `crawler/settings.py` and those the crawler's components read from their settings
(`settings.getint("SMA_...")` and the like), found in the code itself, so the list never goes stale."""

from __future__ import annotations

import argparse
import re
from functools import cache
from pathlib import Path

NAME = re.compile(r"[A-Z][A-Z0-9_]*")
# `settings.get("SMA_X")`, `.getfloat(\n "SMA_X"`, `settings["SMA_X"]`; not `os.environ.get("SMA_X")`.
_READ = re.compile(r"""(?<!environ)\.get\w*\(\s*["'](SMA_[A-Z0-9_]+)["']|\[\s*["'](SMA_[A-Z0-9_]+)["']\s*\]""")


class SettingError(ValueError):
    pass


def add_settings_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("-s", "--set", action="append", dest="settings", default=[], metavar="NAME=VALUE",
                        help="set a Scrapy or SMA setting for this crawl (repeatable), e.g. -s SMA_MAX_PAGES=50 "
                             "-s CONCURRENT_REQUESTS=2 (docs/limits.md lists the SMA limits)")


@cache
def known_sma_settings() -> frozenset[str]:
    import crawler
    from crawler import settings as defaults

    names = {name for name in vars(defaults) if name.startswith("SMA_")}
    for path in Path(crawler.__file__).parent.rglob("*.py"):
        for match in _READ.finditer(path.read_text(encoding="utf-8")):
            names.add(match.group(1) or match.group(2))
    return frozenset(names)


# Set by the command from its own options (or wiring that must stay whole): not from -s.
RESERVED = {"SMA_ARCHIVE_DIR": "--archive", "SMA_CRAWL_ID": "the crawl itself", "SMA_CRAWL_SPEC": "the crawl itself",
            "SMA_ORGANISATION": "--organisation", "SMA_PUBLIC_ACCOUNTS": "--public-account",
            "SMA_SESSION_SECRETS": "--session", "SMA_SESSION_COOKIES": "--session"}
WORKER_RESERVED = {**RESERVED, "SMA_DISTRIBUTED": "sma worker", "SMA_REDIS_URL": "--redis", "REDIS_URL": "--redis",
                   "SMA_REDIS_NAMESPACE": "--namespace", "SMA_WORKER_NAME": "--name", "SMA_LEASE_S": "--lease",
                   "SCHEDULER": "sma worker", "SCHEDULER_QUEUE_CLASS": "sma worker",
                   "SCHEDULER_QUEUE_KEY": "sma worker", "SCHEDULER_DUPEFILTER_KEY": "sma worker",
                   "DUPEFILTER_CLASS": "sma worker", "SCHEDULER_PERSIST": "sma worker"}


def parse_settings(pairs: list[str] | None, reserved: dict[str, str] | None = None) -> dict[str, str]:
    """NAME=VALUE pairs as a settings dict; a malformed pair, an unknown SMA_ name or one the command
    sets itself (`reserved`: name -> the option to use) raises SettingError."""
    reserved = RESERVED if reserved is None else reserved
    settings: dict[str, str] = {}
    for pair in pairs or []:
        name, sep, value = pair.partition("=")
        name = name.strip()
        if not sep or not NAME.fullmatch(name):
            raise SettingError(f"-s {pair!r}: expected NAME=VALUE with an upper-case setting name, "
                               "e.g. -s SMA_MAX_PAGES=50")
        if name in reserved:
            raise SettingError(f"-s {name}: set by {reserved[name]}, not by -s")
        if name.startswith("SMA_") and name not in known_sma_settings():
            close = sorted(n for n in known_sma_settings() if n.startswith(name[:8]))[:3]
            hint = f" (did you mean {', '.join(close)}?)" if close else ""
            raise SettingError(f"-s {name}: not a setting SMA reads{hint}; see docs/limits.md")
        settings[name] = value
    return settings
