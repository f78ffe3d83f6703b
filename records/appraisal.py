"""Appraisal: every captured post (with its comments) and every account as an information object.

The category of an account comes from the registry (its `category`, else its work process through
`processes` or the list's category with that process) or, failing that, from how the account is
used (whitepaper §4.2): one-way (scenario A, or C without comments) is "publieksvoorlichting", two-way
(B, or C with comments) is "dialoog tussen overheid en burgers". A post published in a hotspot's period
whose text has one of its terms is kept permanently (B) with the hotspot recorded. The term starts at
the post's date, or, for a dialogue, when the account's use ended (unknown while it is in use).
"""

from __future__ import annotations

import json
from collections import defaultdict
from datetime import date
from pathlib import Path
from typing import Any

from archive.layout import ArchiveDir

from .hotspots import Hotspot
from .objects import InformationObject, WarcLocation
from .selection import Category, SelectionList, SelectionListError, add_duration
from .warcmap import records_by_post, scan


def account_category(account: Any, registry: Any, selection: SelectionList) -> tuple[Category, str]:
    """The category and why: the registry's word first, the whitepaper's default last."""
    if account is not None and account.category:
        return selection.category(account.category), "registry: account category"
    process = account.process if account is not None else ""
    if registry is not None and process in getattr(registry, "processes", {}):
        return selection.category(registry.processes[process]), f"registry: process {process!r}"
    if process and selection.by_process(process) is not None:
        return selection.by_process(process), f"selection list: process {process!r}"
    two_way = account.comments if account is not None else True
    key = "two_way" if two_way else "one_way"
    if key not in selection.defaults:
        raise SelectionListError(f"{selection.name}: no category for {process or 'an unknown account'!r} "
                                 f"and no defaults.{key}")
    scenario = account.scenario if account is not None else "?"
    return selection.category(selection.defaults[key]), (
        f"scenario {scenario}, {'two-way (dialoog)' if two_way else 'one-way (publieksvoorlichting)'}")


def _published(value: str | None) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        return None


def _accounts(archive_dir: Path) -> list[dict[str, Any]]:
    rows = []
    for path in ArchiveDir(archive_dir).account_states():
        try:
            rows.append(json.loads(path.read_text(encoding="utf-8")))
        except (OSError, ValueError):
            continue
    return rows


def _registry_account(registry: Any, state: dict[str, Any]) -> Any:
    if registry is None:
        return None
    for account in registry.accounts:
        if account.id == state.get("account") or account.url.rstrip("/") == (state.get("url") or "").rstrip("/"):
            return account
    return None


def appraise_archive(archive_dir: Path, registry: Any, selection: SelectionList,
                     hotspots: list[Hotspot]) -> list[InformationObject]:
    archive_dir = Path(archive_dir)
    infos = [i for path in ArchiveDir(archive_dir).closed_warcs() for i in scan(path)]  # the original's
    titles = {}
    from archive.pages import read_pages

    for row in read_pages(archive_dir):
        titles[row.get("url")] = row.get("title") or ""
    texts: dict[str, str] = {}
    by_owner: dict[str, list] = defaultdict(list)
    for info in infos:
        if info.owner:
            by_owner[info.owner].append(info)
    objects: list[InformationObject] = []
    states = _accounts(archive_dir)
    owned = records_by_post(infos, {url for state in states for url in state.get("posts", {})})
    for state in states:
        account = _registry_account(registry, state)
        account_id = account.id if account is not None else state.get("account", "")
        category, why = account_category(account, registry, selection)
        ended = account.ended if account is not None else None
        platform = account.platform if account is not None else ""
        children = []
        for url, post in sorted(state.get("posts", {}).items()):
            published = _published(post.get("published")) or _published(post.get("first_seen"))
            text = texts.get(url)
            if text is None:
                text = _page_text(by_owner.get(url, []), url)
            hotspot = next((h.name for h in hotspots if h.matches(published, text + " " + titles.get(url, ""))),
                           None)
            waardering = "B" if hotspot else category.waardering
            start = ended if category.starts_at_end_of_use else published
            if start and category.starts_after_year:
                start = date(start.year + 1, 1, 1)
            end = add_duration(start, category.bewaartermijn) if waardering == "V" and start and \
                category.bewaartermijn else None
            own = owned.get(url, [])
            objects.append(InformationObject(
                id=f"post:{url}", kind="post", account_id=account_id, platform=platform, url=url,
                title=titles.get(url, ""), post_date=published, category_code=category.code,
                category_title=category.title, waardering=waardering,
                bewaartermijn=category.bewaartermijn if waardering == "V" else None, hotspot=hotspot,
                term_start=start, term_end=end, category_list=selection.name,
                locations=tuple(WarcLocation(str(i.file.relative_to(archive_dir)), i.offset, i.length, i.digest)
                                for i in own),
                reason=why + (f"; hotspot {hotspot}" if hotspot else ""),
                comments=len(post.get("comments") or {}),
            ))
            children.append(f"post:{url}")
        profile = state.get("url") or (account.url if account is not None else "")
        objects.insert(len([o for o in objects if o.kind == "account"]), InformationObject(
            id=f"account:{account_id}", kind="account", account_id=account_id, platform=platform, url=profile,
            title=titles.get(profile, account_id), post_date=None, category_code=category.code,
            category_title=category.title, waardering=category.waardering,
            bewaartermijn=category.bewaartermijn if category.waardering == "V" else None, hotspot=None,
            term_start=ended if category.starts_at_end_of_use else None, term_end=None,
            category_list=selection.name, children=tuple(children), reason=why,
        ))
    return objects


def _page_text(infos: list, url: str) -> str:
    """The newest `urn:text:` resource of the post page: the post and its comments as read."""
    from warcio.archiveiterator import ArchiveIterator

    candidates = sorted((i for i in infos if i.uri == f"urn:text:{url}" and i.type == "resource"),
                        key=lambda i: i.date)
    if not candidates:
        return ""
    newest = candidates[-1]
    with open(newest.file, "rb") as fh:
        fh.seek(newest.offset)
        record = next(iter(ArchiveIterator(fh)))
        return record.content_stream().read().decode("utf-8", "replace")


def due(objects: list[InformationObject], today: date) -> list[InformationObject]:
    """Posts whose term has ended on or before `today` (V with a known end)."""
    return [o for o in objects if o.kind == "post" and o.waardering == "V" and o.term_end and o.term_end <= today]


def post_texts(archive_dir: Path) -> dict[str, str]:
    """Each post page's newest captured text (for query holds)."""
    archive_dir = Path(archive_dir)
    infos = [i for path in ArchiveDir(archive_dir).closed_warcs() for i in scan(path)  # the original's
             if i.uri.startswith("urn:text:")]
    by_owner: dict[str, list] = defaultdict(list)
    for info in infos:
        by_owner[info.owner or ""].append(info)
    return {url: _page_text(found, url) for url, found in by_owner.items()}
