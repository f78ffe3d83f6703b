"""`sma users add|list|remove`, `sma audit verify`, and `sma replay DIR` (the role-based gateway)."""

from __future__ import annotations

import argparse
import getpass
import sys
from pathlib import Path

from sma.cli_common import CommandError, add_archive, archive_dir, command, error, reported
from sma.exitcodes import ExitCode

ROLES = ("archivist", "researcher", "woo-officer", "public")


def register(subparsers: argparse._SubParsersAction) -> None:
    users = subparsers.add_parser("users", help="who may sign in to `sma replay`, and with which role")
    users_sub = users.add_subparsers(dest="users_cmd", required=True)
    add = users_sub.add_parser(
        "add", help="add a user (password from standard input when it is not a terminal)",
        description="Roles: archivist (the authentic capture), researcher (the pseudonymised access copy), "
        "woo-officer (Woo review), public (approved pages only).")
    add.add_argument("name")
    add.add_argument("--role", required=True, choices=ROLES)
    add_archive(add)
    add.set_defaults(func=_users_add)
    lst = users_sub.add_parser("list", help="list users and roles")
    add_archive(lst)
    lst.set_defaults(func=_users_list)
    rm = users_sub.add_parser("remove", help="remove a user (their sessions end at their next request)")
    rm.add_argument("name")
    add_archive(rm)
    rm.set_defaults(func=_users_remove)

    audit = subparsers.add_parser("audit", help="the archive's hash-chained audit log")
    audit_sub = audit.add_subparsers(dest="audit_cmd", required=True)
    verify = audit_sub.add_parser("verify", help="check every entry's hash and the chain; exit 1 if broken")
    add_archive(verify)
    verify.add_argument("--checkpoint", action="append", default=[], type=Path, metavar="FILE",
                        help="a checkpoint file kept outside the archive to check the log against (repeatable)")
    verify.set_defaults(func=_audit_verify)
    checkpoint = audit_sub.add_parser("checkpoint", help="sign the log's last entry (Ed25519); keep the output "
                                                         "outside the archive to detect a cut-off tail")
    add_archive(checkpoint)
    checkpoint.add_argument("--out", type=Path, help="also append the checkpoint to this file")
    checkpoint.set_defaults(func=_audit_checkpoint)

    replay = subparsers.choices.get("replay")
    if replay is not None:  # the parser itself is made in sma/cli.py
        replay.add_argument("--host", default="127.0.0.1", help="address to serve on (default 127.0.0.1)")
        replay.add_argument("--no-anonymous", action="store_true",
                            help="visitors must sign in even for the public view (default: anonymous = public)")
        replay.add_argument("--public-host", action="append", default=[], metavar="NAME[:PORT]",
                            help="a Host name the gateway answers to besides 127.0.0.1/localhost (repeatable)")


def read_password(stream=None) -> str:  # noqa: ANN001 - a text stream, for tests
    stream = stream or sys.stdin
    if stream.isatty():
        first = getpass.getpass("Password: ")
        if getpass.getpass("Password (again): ") != first:
            raise ValueError("the passwords differ")
        return first
    line = stream.readline()
    return line.rstrip("\r\n")


@command
def _users_add(args: argparse.Namespace) -> int:
    from replay.auth import UserError, UserStore

    archive = archive_dir(args.archive, warcs=False)
    try:
        with reported(UserError, ValueError, code=ExitCode.BAD_INPUT):
            UserStore(archive).add(args.name, args.role, read_password())
    except (EOFError, KeyboardInterrupt):
        raise CommandError("no password given", ExitCode.BAD_INPUT) from None
    print(f"user {args.name} added with role {args.role}")
    return ExitCode.OK


@command
def _users_list(args: argparse.Namespace) -> int:
    from replay.auth import UserError, UserStore

    archive = archive_dir(args.archive, warcs=False)
    with reported(UserError):
        rows = UserStore(archive).list()
    for name, role, created in rows:
        print(f"{name}\t{role}\t{created}")
    return ExitCode.OK


@command
def _users_remove(args: argparse.Namespace) -> int:
    from replay.auth import UserError, UserStore

    archive = archive_dir(args.archive, warcs=False)
    with reported(UserError, code=ExitCode.BAD_INPUT):
        UserStore(archive).remove(args.name)
    print(f"user {args.name} removed")
    return ExitCode.OK


@command
def _audit_verify(args: argparse.Namespace) -> int:
    from replay.audit import audit_path, verify

    archive = archive_dir(args.archive, warcs=False)
    verdict = verify(archive, tuple(args.checkpoint))
    if not verdict.ok:
        raise CommandError(f"audit log {audit_path(archive)} is broken at seq {verdict.broken_seq}: "
                           f"{verdict.reason} ({verdict.count} entries before it are intact)")
    print(f"audit log intact: {verdict.count} entries; last hash {verdict.last_hash or '-'}")
    return ExitCode.OK


@command
def _audit_checkpoint(args: argparse.Namespace) -> int:
    import json

    from replay.audit import AuditError
    from replay.audit_checkpoints import write_checkpoint
    from replay.audit_keys import AuditKeyError

    archive = archive_dir(args.archive, warcs=False)
    with reported(AuditError, AuditKeyError):
        record = write_checkpoint(archive)
    line = json.dumps(record, separators=(",", ":"))
    if args.out is not None:
        try:
            with open(args.out, "a", encoding="utf-8") as fh:
                fh.write(line + "\n")
        except OSError as exc:
            raise CommandError(f"cannot write {args.out}: {exc.strerror or exc}", ExitCode.BAD_INPUT) from None
    print(line)
    return ExitCode.OK


def run_replay(args: argparse.Namespace) -> int:
    """`sma replay DIR`: the gateway in front of the original, access and public views."""
    from replay.pywb_runner import ReplayError
    from replay.server import serve_archive

    try:
        return serve_archive(Path(args.archive), args.port, host=getattr(args, "host", "127.0.0.1"),
                             anonymous_public=not getattr(args, "no_anonymous", False),
                             public_hosts=getattr(args, "public_host", []))
    except ReplayError as exc:
        return error(str(exc))
