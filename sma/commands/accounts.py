"""`sma accounts validate|list|add --registry FILE`: the organisation's account registry."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from sma.exitcodes import ExitCode
from sma.registry import Account, Organisation, Registry, RegistryError, add_account, load_registry


def register(subparsers: argparse._SubParsersAction) -> None:
    accounts = subparsers.add_parser("accounts", help="the account registry (which accounts, how, when)")
    sub = accounts.add_subparsers(dest="accounts_cmd", required=True)

    validate = sub.add_parser("validate", help="check a registry file; every problem with its line")
    validate.add_argument("--registry", required=True, help="registry YAML file")
    validate.set_defaults(func=_validate)

    listing = sub.add_parser("list", help="the accounts of a registry and their derived scenario")
    listing.add_argument("--registry", required=True, help="registry YAML file")
    listing.add_argument("--json", action="store_true", help="JSON instead of a table")
    listing.set_defaults(func=_list)

    add = sub.add_parser("add", help="add an account to a registry (keeps the file's comments)")
    add.add_argument("--registry", required=True, help="registry YAML file")
    add.add_argument("--id", required=True, help="account id, unique in the registry")
    add.add_argument("--platform", required=True, help="platform profile name (mastodon, x, ...)")
    add.add_argument("--url", required=True, help="profile URL of the account")
    add.add_argument("--type", required=True, help="corporate, hybrid or personal")
    add.add_argument("--comments", required=True, choices=("yes", "no"), help="archive comments (yes/no)")
    add.add_argument("--process", required=True, help="work process, e.g. publieksvoorlichting")
    add.add_argument("--schedule", required=True, help="e.g. daily, 'daily 06:00', 'every 6h', manual")
    add.add_argument("--session", help="login session name (see `sma session import`)")
    add.add_argument("--revisit-days", type=int, help="days young posts are revisited for late comments")
    add.add_argument("--organisation-id", help="creates the registry file when it does not exist")
    add.add_argument("--organisation-name", help="creates the registry file when it does not exist")
    add.set_defaults(func=_add)


def _problems(exc: RegistryError) -> int:
    for problem in exc.problems:
        print(problem, file=sys.stderr)
    count = len(exc.problems)
    where = exc.problems[0].path if exc.problems else "registry"
    print(f"sma: error: {where}: {count} problem{'s' if count != 1 else ''}", file=sys.stderr)
    return ExitCode.BAD_INPUT


def _load(path: str) -> Registry:
    return load_registry(Path(path))


def _validate(args: argparse.Namespace) -> int:
    try:
        registry = _load(args.registry)
    except RegistryError as exc:
        return _problems(exc)
    counts = registry.scenario_counts()
    print(f"{args.registry}: OK, {len(registry.accounts)} accounts "
          f"(A: {counts['A']}, B: {counts['B']}, C: {counts['C']})")
    return ExitCode.OK


def _schedule_shown(account: Account) -> str:
    return str(account.schedule) if account.automatic else "on request only"


def _as_json(account: Account) -> dict:
    return {
        "id": account.id,
        "platform": account.platform,
        "url": account.url,
        "type": account.type,
        "comments": account.comments,
        "scenario": account.scenario,
        "automatic": account.automatic,
        "schedule": str(account.schedule),
        "process": account.process,
        "session": account.session,
        "revisit_days": account.revisit_days,
        "line": account.line,
    }


def _list(args: argparse.Namespace) -> int:
    try:
        registry = _load(args.registry)
    except RegistryError as exc:
        return _problems(exc)
    if args.json:
        organisation = {"id": registry.organisation.id, "name": registry.organisation.name}
        print(json.dumps({"organisation": organisation, "accounts": [_as_json(a) for a in registry.accounts]},
                         indent=2, ensure_ascii=False))
        return ExitCode.OK
    header = ("id", "platform", "type", "comments", "scenario", "schedule", "process", "session", "url")
    rows = [header] + [
        (a.id, a.platform, a.type, "yes" if a.comments else "no", a.scenario, _schedule_shown(a), a.process,
         a.session or "-", a.url)
        for a in registry.accounts
    ]
    widths = [max(len(row[i]) for row in rows) for i in range(len(header) - 1)]
    print(f"{registry.organisation.name} ({registry.organisation.id})")
    for row in rows:
        print("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=False)) + "  " + row[-1])
    return ExitCode.OK


def _add(args: argparse.Namespace) -> int:
    path = Path(args.registry)
    organisation = None
    if not path.exists():
        if not (args.organisation_id and args.organisation_name):
            print(f"sma: error: {path} does not exist; give --organisation-id and --organisation-name to create it",
                  file=sys.stderr)
            return ExitCode.BAD_INPUT
        organisation = Organisation(args.organisation_id, args.organisation_name)
    entry = {
        "id": args.id,
        "platform": args.platform,
        "url": args.url,
        "type": args.type,
        "comments": args.comments == "yes",
        "process": args.process,
        "schedule": args.schedule,
        "session": args.session,
        "revisit_days": args.revisit_days,
    }
    try:
        account = add_account(path, entry, organisation=organisation)
    except RegistryError as exc:
        return _problems(exc)
    note = "" if account.automatic else ", on request only"
    print(f"{path}:{account.line}: added {account.id} (scenario {account.scenario}{note})")
    return ExitCode.OK
