"""Information objects: what appraisal, destruction and transfer speak about.

An account is one information object (an MDTO series), each post with its comments another (an MDTO
record); the WARC records a post lives in are listed so destruction and transfer know its bytes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date


@dataclass(frozen=True)
class WarcLocation:
    """One WARC record of an information object: which file, where, and its block digest."""

    file: str  # path relative to the archive directory, e.g. "warcs/sma-...warc.gz"
    offset: int
    length: int
    digest: str  # WARC-Payload-Digest (or WARC-Block-Digest when there is no payload digest)


@dataclass(frozen=True)
class InformationObject:
    id: str  # "account:<account id>" or "post:<post url>"
    kind: str  # "account" | "post"
    account_id: str
    platform: str
    url: str
    title: str
    post_date: date | None  # the post's publication date; None for an account
    category_code: str
    category_title: str
    waardering: str  # "B" | "V" | "N"
    bewaartermijn: str | None  # ISO 8601 duration (P5Y); None for B and N
    hotspot: str | None  # name of the hotspot that made it B, if any
    term_start: date | None  # start of the term (post date, or end of the account's use for dialoog)
    term_end: date | None  # None for B (kept permanently) and N, or while the start is unknown
    locations: tuple[WarcLocation, ...] = ()
    children: tuple[str, ...] = ()  # ids of the objects it contains (an account's posts)
    category_list: str = ""  # the selection list's name (MDTO begripBegrippenlijst)
    reason: str = ""  # why this waardering: scenario, category, hotspot
    comments: int = 0  # comments captured with the post
    held_by: tuple[str, ...] = field(default=())  # ids of the legal holds on it


def information_objects(archive_dir, registry, selection_list, hotspots) -> list[InformationObject]:  # noqa: ANN001
    """Every account and post in the archive, appraised (records/appraisal.py); accounts first.

    `registry` is a sma.registry.Registry (or None: accounts are then unknown to it and get the
    scenario-B default), `selection_list` a records.selection.SelectionList, `hotspots` a list of
    records.hotspots.Hotspot. Holds are not applied here: records.holds does that.
    """
    from .appraisal import appraise_archive

    return appraise_archive(archive_dir, registry, selection_list, hotspots)
