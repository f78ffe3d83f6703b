"""`sma index --archive DIR` (incremental) and `sma search QUERY --archive DIR --as ROLE`."""

from __future__ import annotations

import argparse

from sma.cli_common import CommandError, add_archive, archive_dir, command, reported
from sma.exitcodes import ExitCode

ROLES = ("archivist", "researcher", "woo-officer", "public")


def register(subparsers: argparse._SubParsersAction) -> None:
    index = subparsers.add_parser(
        "index", help="bring the search indexes up to date (one per copy: original, access, public)",
        description="Reads the WARC files not yet indexed of each copy the archive has and adds their posts and "
        "comments to that copy's index (DIR/.sma/search/<copy>.sqlite). `sma crawl` runs this at its end.")
    add_archive(index)
    index.set_defaults(func=_index)

    search = subparsers.add_parser(
        "search", help="full-text search in the copy a role may see",
        description="Words must all occur (diacritics and case do not matter); word* is a prefix; "
        "\"two words\" a phrase. Archivist: the original; researcher, woo-officer: the pseudonymised access copy; "
        "public: approved pages as published.")
    search.add_argument("query", nargs="?", default="", help="search words (empty: everything, newest first)")
    add_archive(search)
    search.add_argument("--as", dest="role", required=True, choices=ROLES, help="whose copy to search")
    search.add_argument("--account", help="only this account (its id in the archive)")
    search.add_argument("--platform", help="only this platform (profile name, e.g. mastodon)")
    search.add_argument("--from", dest="since", metavar="YYYY-MM-DD", help="published on or after")
    search.add_argument("--until", metavar="YYYY-MM-DD", help="published on or before")
    search.add_argument("--has-comments", action="store_true", help="only posts with comments, and comments")
    search.add_argument("--kind", choices=("post", "comment"), help="only posts or only comments")
    search.add_argument("--limit", type=int, default=20, help="at most N results (default 20)")
    search.add_argument("--json", action="store_true", help="JSON on standard output")
    search.set_defaults(func=_search)


@command
def _index(args: argparse.Namespace) -> int:
    from search.copies import SearchError
    from search.index import build_all

    archive = archive_dir(args.archive)
    with reported(SearchError, OSError):
        results = build_all(archive)
    for copy, result in results.items():
        print(f"sma: index {copy}: {result.files_read} new WARC file(s), {result.items} posts and comments, "
              f"{result.files_dropped} file(s) gone, {result.seconds:.1f} s")
    return ExitCode.OK


@command
def _search(args: argparse.Namespace) -> int:
    from search.copies import COPY_LABELS, SearchError
    from search.query import MARK_END, MARK_START, Filters, Searcher, hits_json

    archive = archive_dir(args.archive)
    searcher = Searcher(archive, args.role)
    filters = Filters(account=args.account, platform=args.platform, since=args.since, until=args.until,
                      has_comments=args.has_comments, kind=args.kind)
    try:
        total, hits = searcher.search(args.query, filters, limit=max(1, args.limit))
    except SearchError as exc:
        raise CommandError(str(exc), ExitCode.BAD_INPUT) from None
    finally:
        searcher.close()
    if args.json:
        print(hits_json(total, hits, searcher.copy))
        return ExitCode.OK
    print(f"{total} result(s) in the {COPY_LABELS[searcher.copy]} copy")
    for hit in hits:
        when = hit.published or hit.captured
        who = f" {hit.author}" if hit.author else ""
        snippet = " ".join(hit.snippet.replace(MARK_START, "[").replace(MARK_END, "]").split())
        print(f"- {hit.kind} {when[:10]} {hit.platform}/{hit.account}{who}\n  {snippet}\n  {hit.replay}")
        if len(hit.captures) > 1:
            print("  captures: " + ", ".join(c["captured"][:16].replace("T", " ") for c in hit.captures))
    return ExitCode.OK
