"""`sma`: the one command-line entry point. Subcommands import their heavy parts lazily."""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from pathlib import Path

from sma.exitcodes import ExitCode
from sma.settings_option import add_settings_argument


def command_modules() -> list[str]:
    """Every module of `sma.commands` adds its own subcommands: each has `register(subparsers) -> None`
    and sets `func` on its parsers. Found by listing the package, so a new area adds a file, not a line here."""
    import pkgutil

    import sma.commands

    return sorted(f"sma.commands.{m.name}" for m in pkgutil.iter_modules(sma.commands.__path__) if not m.ispkg)


def _platform_serve(args: argparse.Namespace) -> int:
    from demo_platform.server import main, parse_mutations

    specs = [spec for spec in args.mutate or [] if spec != "random"]
    redesign = len(specs) < len(args.mutate or [])  # `--mutate random`: a whole redesign per seed
    try:
        mutations = parse_mutations(specs)
    except ValueError as exc:
        print(f"sma: error: {exc}", file=sys.stderr)
        return ExitCode.BAD_INPUT
    mutation_seed = (args.seed if args.mutation_seed is None else args.mutation_seed) if redesign else None
    return main(args.host, args.port, args.seed, mutations, login_required=args.login_required,
                mutation_seed=mutation_seed)


def _platform_advance(args: argparse.Namespace) -> int:
    from demo_platform.remote import AdvanceError, advance, parse_amount, summary_lines

    try:
        days, hours = parse_amount("days", args.days), parse_amount("hours", args.hours)
    except ValueError as exc:
        print(f"sma: error: {exc}", file=sys.stderr)
        return ExitCode.BAD_INPUT
    if days is None and hours is None:
        print("sma: error: give --days N or --hours N", file=sys.stderr)
        return ExitCode.BAD_INPUT
    try:
        answer = advance(args.url, days, hours)
    except AdvanceError as exc:
        print(f"sma: error: {exc}", file=sys.stderr)
        return ExitCode.FAILED
    print("\n".join(summary_lines(answer)))
    return ExitCode.OK


def _crawl(args: argparse.Namespace) -> int:
    from sma.capture import run_crawl
    from sma.settings_option import SettingError, parse_settings

    try:
        args.set_settings = parse_settings(args.settings)  # -s NAME=VALUE (sma/settings_option.py)
    except SettingError as exc:
        print(f"sma: error: {exc}", file=sys.stderr)
        return ExitCode.BAD_INPUT
    return run_crawl(args)


def _replay(args: argparse.Namespace) -> int:
    from sma.commands.replay_users import run_replay

    return run_replay(args)


def _demo(args: argparse.Namespace) -> int:
    from sma.demo import run_demo

    return run_demo(Path(args.archive), args.port, args.platform_port, args.max_posts)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="sma", description="SMA: social media archiving for government bodies")
    sub = parser.add_subparsers(dest="command", required=True)

    plat = sub.add_parser("platform", help="the bundled demo platform")
    plat = plat.add_subparsers(dest="platform_cmd", required=True)
    serve = plat.add_parser("serve", help="serve the demo platform")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8700)
    serve.add_argument("--seed", type=int, default=1)
    serve.add_argument("--mutate", action="append", metavar="OLD=NEW",
                       help="simulate a platform redesign: replace OLD by NEW in every page, script and API body; "
                       "`random` rewrites every skin's markup per seed (demo_platform/mutation.py)")
    serve.add_argument("--mutation-seed", type=int, default=None,
                       help="with --mutate random: the redesign's seed (default: --seed)")
    serve.add_argument("--login-required", action="store_true",
                       help="hide comments from visitors without a session (POST /_auth/login makes one)")
    serve.set_defaults(func=_platform_serve)
    adv = plat.add_parser("advance", help="move a running demo platform's clock on (new, edited, deleted content)")
    adv.add_argument("--days", metavar="N", help="days to advance (may be fractional)")
    adv.add_argument("--hours", metavar="N", help="hours to advance")
    adv.add_argument("--url", default="http://127.0.0.1:8700", help="the running platform")
    adv.set_defaults(func=_platform_advance)

    crawl = sub.add_parser("crawl", help="capture a social media account into WARC")
    crawl.add_argument("url", help="profile URL of the account")
    crawl.add_argument("--profile", default="auto", help="platform profile (default: pick by URL)")
    crawl.add_argument("--archive", required=True, help="archive directory")
    crawl.add_argument("--max-posts", type=int, default=None, help="visit at most N post pages")
    crawl.add_argument("--account", help="account id in the archive (default: derived from the URL)")
    crawl.add_argument("--no-comments", action="store_true",
                       help="one-way account (scenario A): do not expand or archive comment threads")
    crawl.add_argument("--revisit-days", type=float, default=7.0,
                       help="on recapture, revisit posts this young for late comments and edits (default 7)")
    crawl.add_argument("--full", action="store_true", help="on recapture, revisit every post, however old")
    crawl.add_argument("--session", help="login session imported with `sma session import`")
    crawl.add_argument("--post", action="append", dest="posts", metavar="URL",
                       help="capture only this post page (repeatable); needs --reason")
    crawl.add_argument("--reason", help="why these posts are captured (recorded in the archive)")
    crawl.add_argument("--organisation", help="the archive creator's id: selects its pseudonymisation key")
    crawl.add_argument("--public-account", action="append", dest="public_accounts", metavar="HANDLE_OR_URL",
                       help="an account of the organisation itself (handle, name or URL): never a third party "
                            "(repeatable; `sma run` passes the registry's accounts; also SMA_PUBLIC_ACCOUNTS)")
    add_settings_argument(crawl)
    crawl.set_defaults(func=_crawl)

    rep = sub.add_parser("replay", help="serve an archive with pywb")
    rep.add_argument("archive", help="archive directory")
    rep.add_argument("--port", type=int, default=8080)
    rep.set_defaults(func=_replay)

    demo = sub.add_parser("demo", help="serve the demo platform, capture its account, replay it")
    demo.add_argument("--archive", default="demo-archive")
    demo.add_argument("--port", type=int, default=8080)
    demo.add_argument("--platform-port", type=int, default=8700)
    demo.add_argument("--max-posts", type=int, default=None)
    demo.set_defaults(func=_demo)
    for name in command_modules():
        importlib.import_module(name).register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    # Archive files are owner-only (0600 files, 0700 folders): everything sma and the pywb
    # processes it starts create, whatever the shell's umask (issue 13; replay/at_rest.py).
    os.umask(0o077)
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args) or ExitCode.OK)
    except KeyboardInterrupt:
        print("sma: interrupted", file=sys.stderr)
        return ExitCode.INTERRUPTED


if __name__ == "__main__":
    sys.exit(main())
