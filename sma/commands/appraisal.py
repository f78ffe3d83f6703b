"""`sma appraisal report|check-list`: every capture appraised under a selection list (docs/records.md)."""

from __future__ import annotations

import argparse
import dataclasses
import sys
from datetime import date
from pathlib import Path

from archive.layout import ArchiveDir
from sma.exitcodes import ExitCode


def register(subparsers: argparse._SubParsersAction) -> None:
    appraisal = subparsers.add_parser("appraisal", help="appraise every capture under a selection list")
    sub = appraisal.add_subparsers(dest="appraisal_cmd", required=True)
    report = sub.add_parser("report", help="every information object with category, waardering and term")
    add_context_arguments(report)
    report.add_argument("--format", choices=("text", "csv", "html"), default="text")
    report.add_argument("--out", help="write to this file instead of stdout")
    report.set_defaults(func=_report)
    check = sub.add_parser("check-list", help="load a selection list (YAML, JSON, or the VNG fixture)")
    check.add_argument("file")
    check.set_defaults(func=_check_list)


def add_context_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--archive", required=True, help="archive directory")
    parser.add_argument("--registry", required=True, help="registry YAML (accounts, categories, hotspots)")
    parser.add_argument("--selection-list", help="selection list YAML/JSON (default: the Rijks example)")
    parser.add_argument("--hotspots", help="file of hotspots, one 'name YYYY-MM-DD..YYYY-MM-DD terms' a line")


def error(message: str, code: int = ExitCode.BAD_INPUT) -> int:
    print(f"sma: error: {message}", file=sys.stderr)
    return code


def appraise(args: argparse.Namespace) -> tuple[Path, object, list]:
    """(archive, registry, objects with holds applied); raises ValueError with one line."""
    from records.appraisal import post_texts
    from records.holds import Holds
    from records.hotspots import Hotspot, HotspotError, load_hotspots
    from records.objects import information_objects
    from records.selection import RIJK_EXAMPLE, SelectionListError, load_selection_list
    from sma.registry import RegistryError, load_registry

    archive = Path(args.archive)
    if not ArchiveDir(archive).has_copy():
        raise ValueError(f"{archive} is not an SMA archive (no warcs/ folder)")
    try:
        registry = load_registry(Path(args.registry))
        selection = load_selection_list(Path(args.selection_list) if args.selection_list else RIJK_EXAMPLE)
        hotspots = [Hotspot.parse(line) for line in registry.hotspots] + load_hotspots(args.hotspots)
        objects = information_objects(archive, registry, selection, hotspots)
    except RegistryError as exc:
        raise ValueError(str(exc).splitlines()[0]) from None
    except (SelectionListError, HotspotError) as exc:
        raise ValueError(str(exc)) from None
    holds = Holds(archive)
    texts = post_texts(archive) if any(h.kind == "query" for h in holds.active()) else {}
    objects = [dataclasses.replace(o, held_by=tuple(h.id for h in holds.holding(o, texts.get(o.url, ""))))
               for o in objects]
    return archive, registry, objects


def _report(args: argparse.Namespace) -> int:
    from records.report import as_csv, as_html, as_text

    try:
        _, registry, objects = appraise(args)
    except ValueError as exc:
        return error(str(exc))
    render = {"text": as_text, "csv": as_csv, "html": lambda o: as_html(
        o, f"Waardering {registry.organisation.name} ({date.today()})")}[args.format]
    output = render(objects)
    if args.out:
        Path(args.out).write_text(output, encoding="utf-8")
    else:
        sys.stdout.write(output)
    return ExitCode.OK


def _check_list(args: argparse.Namespace) -> int:
    from collections import Counter

    from records.selection import SelectionListError, load_selection_list

    try:
        selection = load_selection_list(Path(args.file))
    except SelectionListError as exc:
        return error(str(exc))
    counts = Counter(c.waardering for c in selection.categories.values())
    print(f"{args.file}: OK, {selection.name}: {len(selection.categories)} categories "
          f"(B {counts['B']}, V {counts['V']}, N {counts['N']})")
    return ExitCode.OK
