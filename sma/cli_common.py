"""What the `sma` subcommands share: the `--archive` argument and its check, and one way to fail.

A command function decorated with `@command` raises `CommandError` (or an error named in a
`reported(...)` block) for anything the user must fix; the decorator prints the one line
`sma: error: <message>` on standard error and returns the exit code (sma/exitcodes.py).

    @command
    def _list(args):
        archive = archive_dir(args.archive)          # exit 2 with one line when it is no archive
        with reported(WooError, code=ExitCode.BAD_INPUT):
            ...
"""

from __future__ import annotations

import argparse
import functools
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from archive.layout import ArchiveDir
from sma.exitcodes import ExitCode


class CommandError(Exception):
    """A failure the user is told about in one line; `code` is the command's exit code."""

    def __init__(self, message: str, code: int = ExitCode.FAILED) -> None:
        super().__init__(message)
        self.code = int(code)


def error(message: str, code: int = ExitCode.FAILED) -> int:
    print(f"sma: error: {message}", file=sys.stderr)
    return int(code)


def command(func: Callable[[argparse.Namespace], int]) -> Callable[[argparse.Namespace], int]:
    """Turns a `CommandError` raised by the command into its line on stderr and its exit code."""

    @functools.wraps(func)
    def run(args: argparse.Namespace) -> int:
        try:
            return func(args)
        except CommandError as exc:
            return error(str(exc), exc.code)

    return run


@contextmanager
def reported(*errors: type[BaseException], code: int = ExitCode.FAILED) -> Iterator[None]:
    """Inside the block, any of `errors` becomes a `CommandError` with its message and `code`."""
    try:
        yield
    except errors as exc:
        raise CommandError(str(exc), code) from None


def add_archive(parser: argparse.ArgumentParser, help: str = "archive directory") -> None:
    parser.add_argument("--archive", required=True, help=help)


def archive_dir(value: str, warcs: bool = True) -> Path:
    """The archive directory given on the command line; with `warcs` it must hold a warcs/ folder
    (it has been crawled into), else it only has to exist. Bad input (exit 2) otherwise."""
    path = Path(value)
    if warcs and not ArchiveDir(path).has_copy():
        raise CommandError(f"not an archive (no warcs/ folder): {value}", ExitCode.BAD_INPUT)
    if not path.is_dir():
        raise CommandError(f"archive directory {value} does not exist", ExitCode.BAD_INPUT)
    return path
