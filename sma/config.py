"""Every `SMA_*` environment variable SMA reads: its name, default and meaning, in one table.

Values are read when asked for (`get()`, `flag()`...), never at import time, so a test or a
parent process that sets a variable after `import sma.config` is still heard. The table is the
reference the README's "Environment" paragraph is written from.

No SMA module reads a variable itself (docs/architecture.md, "Configuration and exit codes");
tests/test_config.py checks that, and that no entry here is stale."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
_TRUE = ("1", "true", "yes", "on")
_FALSE = ("0", "false", "no", "off")


@dataclass(frozen=True)
class Variable:
    name: str
    default: str  # "" means: unset
    meaning: str

    def get(self) -> str:
        """The value, or the default when the variable is unset or empty."""
        return os.environ.get(self.name) or self.default

    def is_set(self) -> bool:
        return bool(os.environ.get(self.name))

    def flag(self) -> bool:
        """On/off: 1/true/yes/on or 0/false/no/off (any case); anything else falls back to the default."""
        value = self.get().strip().lower()
        if value in _TRUE:
            return True
        if value in _FALSE:
            return False
        return self.default.strip().lower() in _TRUE

    def integer(self) -> int:
        """A whole number; a value that is not one is bad input (`ValueError` naming the variable)."""
        value = self.get().strip()
        try:
            return int(value)
        except ValueError:
            raise ValueError(f"{self.name} must be a whole number, not {value!r}") from None

    def path(self) -> Path:
        return Path(self.get()).expanduser()

    def items(self, separator: str = "|") -> list[str]:
        """A list written as one string (`a|b|c`); empty parts dropped."""
        return [part for part in self.get().split(separator) if part.strip()]


_HOME_CONFIG = "~/.config/sma"

CHROMIUM = Variable("SMA_CHROMIUM", "/usr/bin/chromium", "the Chromium the crawler, the Woo export and tests launch")
PYWB_VENV = Variable("SMA_PYWB_VENV", str(REPO_ROOT / ".venv-pywb"), "the virtualenv pywb 2.10 runs from")
LOG_LEVEL = Variable("SMA_LOG_LEVEL", "ERROR", "Scrapy's log level during a crawl")
PROFILES = Variable("SMA_PROFILES", str(REPO_ROOT / "profiles"), "the folder of platform profiles (YAML)")
SESSIONS_DIR = Variable("SMA_SESSIONS_DIR", f"{_HOME_CONFIG}/sessions",
                        "login sessions (Playwright storage states, 0600), outside any archive")
KEYS_DIR = Variable("SMA_KEYS_DIR", f"{_HOME_CONFIG}/keys", "the organisations' pseudonymisation keys")
PSEUDONYM_KEY = Variable("SMA_PSEUDONYM_KEY", "",
                         "a pseudonymisation master key given directly (base64); overrides the key file")
ORGANISATION = Variable("SMA_ORGANISATION", "default",
                        "the archive creator whose pseudonymisation key a crawl uses (`--organisation` wins)")
PRIVACY = Variable("SMA_PRIVACY", "1", "off (0) skips PII detection and the access copy: tests and benchmarks only")
STAFF_SIGNATURES = Variable("SMA_STAFF_SIGNATURES", "",
                            "the organisation's staff signatures (`|`-separated), not third parties' names")
BLOCK_THIRD_PARTY_AVATARS = Variable("SMA_BLOCK_THIRD_PARTY_AVATARS", "0",
                                     "on: third parties' avatar images are not fetched at all")
MIN_FREE_BYTES = Variable("SMA_MIN_FREE_BYTES", str(200 * 1024 * 1024),
                          "a crawl refuses to start with less free space in the archive's file system")
CONTEXT_RECYCLE_PAGES = Variable("SMA_CONTEXT_RECYCLE_PAGES", "0",
                                 "a fresh browser context every N pages (long crawls' memory, crawler/contexts.py); "
                                 "0: never")
PUBLIC_ACCOUNTS = Variable("SMA_PUBLIC_ACCOUNTS", "",
                           "the organisation's other accounts (from the registry): not third parties")
# Read by demo_platform itself (it imports nothing of SMA), listed here so the table is whole.
DEMO_MUTATION_SEED = Variable("SMA_DEMO_MUTATION_SEED", "",
                              "the demo platform serves this seed's redesign of every skin (demo_platform/mutation.py)")
DESTROY_KILL_AFTER_STEP = Variable("SMA_DESTROY_KILL_AFTER_STEP", "",
                                   "tests only: `sma destroy run` SIGKILLs itself after this many journal steps")
TSA_URL = Variable("SMA_TSA_URL", "",
                   "the RFC 3161 timestamp authority `sma export` asks by default (docs/fixity.md)")
REDIS_URL = Variable("SMA_REDIS_URL", "",
                     "the Redis of the shared frontier, redis://:PASSWORD@host:port/db (docs/scale-out.md)")
LEASE_S = Variable("SMA_LEASE_S", "60",
                   "seconds a worker's claimed page stays claimed without its heartbeat (docs/scale-out.md)")
REDIS_FINISHED_TTL_S = Variable("SMA_REDIS_FINISHED_TTL_S", "",
                                "seconds a finished shared crawl's outcome stays in Redis (default: the frontier's)")
HOST_CONCURRENCY = Variable("SMA_HOST_CONCURRENCY", "4",
                            "a worker's pages of one platform host at a time, over all workers (docs/scale-out.md)")
HOST_DELAY_S = Variable("SMA_HOST_DELAY_S", "0.5",
                        "seconds between two page starts on one platform host, over all workers")
SCREENSHOT_MAX_HEIGHT = Variable("SMA_SCREENSHOT_MAX_HEIGHT", "32768",
                                 "px of a page its full-page screenshot shows at most (0: no bound; docs/faults.md)")
SCREENSHOT_TILE_HEIGHT = Variable("SMA_SCREENSHOT_TILE_HEIGHT", "4096",
                                  "px of each tile a very tall page's screenshot is shot in")

VARIABLES: tuple[Variable, ...] = (
    CHROMIUM, PYWB_VENV, LOG_LEVEL, PROFILES, SESSIONS_DIR, KEYS_DIR, PSEUDONYM_KEY, ORGANISATION, PRIVACY,
    STAFF_SIGNATURES, BLOCK_THIRD_PARTY_AVATARS, MIN_FREE_BYTES, DEMO_MUTATION_SEED,
    DESTROY_KILL_AFTER_STEP, CONTEXT_RECYCLE_PAGES, PUBLIC_ACCOUNTS, TSA_URL, REDIS_URL, LEASE_S, REDIS_FINISHED_TTL_S,
    HOST_CONCURRENCY, HOST_DELAY_S, SCREENSHOT_MAX_HEIGHT, SCREENSHOT_TILE_HEIGHT,
)


def variable(name: str) -> Variable:
    """The variable called `name` (KeyError for a name SMA does not read)."""
    for var in VARIABLES:
        if var.name == name:
            return var
    raise KeyError(name)

