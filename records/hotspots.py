"""Hotspots: events with social impact whose information is kept although the list says V.

A hotspot is one line, `name start..end term term ...`, e.g.
`corona 2020-02-27..2023-06-30 #corona #covid19 coronavirus`: a post published in the period whose
text has a term (a hashtag, or a whole word, case-insensitive) becomes B with the hotspot recorded.
A file of hotspots has one per line; `#` at the start of a line (before the name) is a comment.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

LINE = re.compile(r"(?P<name>[^\s#]\S*)\s+(?P<start>\d{4}-\d{2}-\d{2})\.\."
                  r"(?P<end>\d{4}-\d{2}-\d{2})?\s+(?P<terms>.+)")


class HotspotError(ValueError):
    pass


@dataclass(frozen=True)
class Hotspot:
    name: str
    start: date
    end: date | None  # None: still running
    terms: tuple[str, ...]

    @classmethod
    def parse(cls, line: str) -> Hotspot:
        match = LINE.fullmatch(line.strip())
        if not match:
            raise HotspotError(f"hotspot {line.strip()!r}: expected 'name YYYY-MM-DD..YYYY-MM-DD term ...'")
        start = date.fromisoformat(match["start"])
        end = date.fromisoformat(match["end"]) if match["end"] else None
        if end and end < start:
            raise HotspotError(f"hotspot {match['name']}: the period ends before it starts")
        return cls(match["name"], start, end, tuple(match["terms"].split()))

    def matches(self, published: date | None, text: str) -> bool:
        if published is None or published < self.start or (self.end and published > self.end):
            return False
        lowered = text.lower()
        for term in self.terms:
            term = term.lower()
            if term.startswith("#"):
                if re.search(re.escape(term) + r"(?![\w])", lowered):
                    return True
            elif re.search(r"(?<![\w#])" + re.escape(term) + r"(?![\w])", lowered):
                return True
        return False


def load_hotspots(path: Path | None) -> list[Hotspot]:
    if path is None:
        return []
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise HotspotError(f"{path}: cannot read hotspots: {exc}") from None
    hotspots = []
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip() or line.lstrip().startswith("#") and not LINE.fullmatch(line.strip()):
            continue
        try:
            hotspots.append(Hotspot.parse(line))
        except HotspotError as exc:
            raise HotspotError(f"{path}:{number}: {exc}") from None
    return hotspots
