"""The exit codes of every `sma` command, in one place (README "Exit codes").

`crawler.run` keeps its own constants because the crawler does not import `sma`;
tests/test_config.py checks that they agree with this enum."""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    OK = 0
    FAILED = 1  # one line on stderr starting `sma: error:`
    BAD_INPUT = 2  # the command line or a file given on it is wrong; nothing was changed
    INCOMPLETE = 3  # captured, but less than the platform displayed (the report names every shortfall)
    PAUSED = 4  # the account's login session is logged out; nothing of the login wall was archived
    INTERRUPTED = 130  # Ctrl-C before the command could finish its work (128 + SIGINT, as shells report it)
