"""sma/cli_common.py: the subcommands' shared `--archive` check and one way to fail — one line on
stderr, `sma: error: ...`, and the exit code of sma/exitcodes.py. In-process (`sma.cli.main`), no crawl."""

from __future__ import annotations

import io
import sys

import pytest

from sma.cli import main
from sma.cli_common import CommandError, archive_dir, command, reported
from sma.exitcodes import ExitCode


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_a_folder_without_warcs_is_no_archive_for_every_command_that_reads_one(tmp_path, capsys):
    for argv in (("search", "x", "--archive", str(tmp_path), "--as", "researcher"),
                 ("index", "--archive", str(tmp_path)),
                 ("woo", "request", "list", "--archive", str(tmp_path)),
                 ("woo", "export", "woo-20260101-abcdef", "--archive", str(tmp_path), "--out", str(tmp_path / "o"))):
        expected = f"sma: error: not an archive (no warcs/ folder): {tmp_path}\n"
        assert run(capsys, *argv) == (ExitCode.BAD_INPUT, "", expected)
    assert list(tmp_path.iterdir()) == []  # nothing was written into it


def test_user_and_audit_commands_need_only_an_existing_folder(tmp_path, capsys):
    missing = tmp_path / "nowhere"
    for argv in (("users", "list", "--archive", str(missing)), ("audit", "verify", "--archive", str(missing)),
                 ("users", "remove", "jan", "--archive", str(missing))):
        expected = f"sma: error: archive directory {missing} does not exist\n"
        assert run(capsys, *argv) == (ExitCode.BAD_INPUT, "", expected)
    assert not missing.exists()


def test_errors_of_the_command_become_one_line_and_their_exit_code(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))  # no password on standard input
    code, _, err = run(capsys, "users", "add", "jan", "--role", "public", "--archive", str(tmp_path))
    assert code == ExitCode.BAD_INPUT and err.startswith("sma: error: ") and err.count("\n") == 1
    code, _, err = run(capsys, "users", "remove", "nobody", "--archive", str(tmp_path))
    assert code == ExitCode.BAD_INPUT and "nobody" in err and err.count("\n") == 1
    (tmp_path / "warcs").mkdir()
    code, _, err = run(capsys, "woo", "request", "create", "--archive", str(tmp_path), "--subject", "subsidie",
                       "--from", "2026-02-30", "--to", "2026-03-01")
    assert code == ExitCode.BAD_INPUT and err.startswith("sma: error: ") and err.count("\n") == 1


def test_command_and_reported_turn_exceptions_into_exit_codes(tmp_path, capsys):
    @command
    def fails(args) -> int:  # noqa: ANN001
        with reported(KeyError, code=ExitCode.BAD_INPUT):
            raise KeyError("no such request")

    @command
    def crashes(args) -> int:  # noqa: ANN001 - what is not reported is a bug, not bad input: it propagates
        with reported(KeyError):
            raise RuntimeError("bug")

    assert fails(None) == ExitCode.BAD_INPUT
    assert capsys.readouterr().err == "sma: error: 'no such request'\n"
    with pytest.raises(RuntimeError):
        crashes(None)
    with pytest.raises(CommandError) as raised:
        archive_dir(str(tmp_path))
    assert raised.value.code == ExitCode.BAD_INPUT
    assert archive_dir(str(tmp_path), warcs=False) == tmp_path
