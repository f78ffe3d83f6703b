"""Selection lists (selectielijsten) as data: categories with a waardering and a retention term.

Two file forms are read, YAML or JSON:

- SMA's own form (docs/records.md): `name`, `source`, `defaults: {one_way, two_way}` and
  `categories: [{code, title, waardering: B|V|N, bewaartermijn: P5Y, trigger, process}]`;
- the VNG "Selectielijst gemeenten 2020" fixture (a list of Django rows `selectielijst.procestype`
  and `selectielijst.resultaat`), read as it is published: code "<proces>.<resultaat>[.<sub>]",
  waardering blijvend_bewaren -> B, vernietigen -> V, empty -> N.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import yaml

WAARDERINGEN = ("B", "V", "N")
DURATION = re.compile(r"P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?")
DATA_DIR = Path(__file__).resolve().parent / "data"
RIJK_EXAMPLE = DATA_DIR / "rijk-sociale-media.yaml"
VNG_2020 = DATA_DIR / "vng-selectielijst-2020.json"
VNG_WAARDERING = {"blijvend_bewaren": "B", "vernietigen": "V", "": "N"}


class SelectionListError(Exception):
    """The selection list cannot be used: one line for the user."""


@dataclass(frozen=True)
class Category:
    code: str
    title: str
    waardering: str  # B | V | N
    bewaartermijn: str | None  # ISO 8601 duration; required for V
    trigger: str = ""  # what starts the term: "publicatie", "einde gebruik account", ...
    process: str = ""  # the work process it belongs to

    @property
    def starts_at_end_of_use(self) -> bool:
        """A dialogue is one file per account: its term starts when the account's use ends."""
        trigger = YEAR_END.sub("", self.trigger.lower())
        return "einde" in trigger or "dialoog" in self.process.lower()

    @property
    def starts_after_year(self) -> bool:
        """"na afsluiting van het (kalender)jaar", "einde jaar", "1 januari": the term starts on 1 January
        after the year of its start event, as many lists prescribe (one destruction round a year)."""
        return bool(YEAR_END.search(self.trigger))


YEAR_END = re.compile(r"\b(?:afsluiting|einde|afloop|eind)\s+(?:van\s+)?(?:het\s+)?(?:kalender)?jaar\b"
                      r"|\b1\s+januari\b|\bend of (?:the )?(?:calendar )?year\b", re.IGNORECASE)


@dataclass(frozen=True)
class SelectionList:
    name: str
    source: str
    categories: dict[str, Category]
    defaults: dict[str, str] = field(default_factory=dict)  # one_way / two_way -> category code

    def category(self, code: str) -> Category:
        try:
            return self.categories[code]
        except KeyError:
            raise SelectionListError(f"{self.name}: no category {code!r}") from None

    def by_process(self, process: str) -> Category | None:
        wanted = _norm(process)
        for category in self.categories.values():
            if category.process and _norm(category.process) == wanted:
                return category
        return None


def _norm(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", " ", text.lower()).strip()


def add_duration(start: date, duration: str) -> date:
    """start + an ISO 8601 date duration (years, months, weeks, days); 29 Feb + P1Y -> 28 Feb."""
    match = DURATION.fullmatch(duration or "")
    if not match or duration == "P":
        raise SelectionListError(f"bewaartermijn {duration!r} is no ISO 8601 duration like P5Y")
    years, months, weeks, days = (int(x or 0) for x in match.groups())
    month_index = start.month - 1 + months
    year, month = start.year + years + month_index // 12, month_index % 12 + 1
    day = start.day
    while True:
        try:
            moved = date(year, month, day)
            break
        except ValueError:
            day -= 1
    from datetime import timedelta

    return moved + timedelta(days=7 * weeks + days)


def load_selection_list(path: Path) -> SelectionList:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise SelectionListError(f"{path}: cannot read the selection list: {exc}") from None
    try:
        data = json.loads(text) if path.suffix.lower() == ".json" else yaml.safe_load(text)
    except (ValueError, yaml.YAMLError) as exc:
        raise SelectionListError(f"{path}: not valid {'JSON' if path.suffix == '.json' else 'YAML'}: "
                                 f"{str(exc).splitlines()[0]}") from None
    if isinstance(data, list) and data and isinstance(data[0], dict) and "model" in data[0]:
        return _vng(path, data)
    if not isinstance(data, dict) or not isinstance(data.get("categories"), list):
        raise SelectionListError(f"{path}: a selection list needs 'categories' (a list)")
    return _own(path, data)


def _own(path: Path, data: dict[str, Any]) -> SelectionList:
    categories: dict[str, Category] = {}
    problems: list[str] = []
    for index, raw in enumerate(data["categories"], 1):
        if not isinstance(raw, dict):
            problems.append(f"category #{index} is no mapping")
            continue
        code, title = str(raw.get("code") or "").strip(), str(raw.get("title") or "").strip()
        waardering = str(raw.get("waardering") or "").strip().upper()
        term = raw.get("bewaartermijn")
        label = f"category {code or '#' + str(index)}"
        if not code or not title:
            problems.append(f"{label}: 'code' and 'title' are required")
        if waardering not in WAARDERINGEN:
            problems.append(f"{label}: waardering {raw.get('waardering')!r} must be B, V or N")
        if waardering == "V" and not term:
            problems.append(f"{label}: waardering V needs a bewaartermijn (ISO 8601, e.g. P5Y)")
        if term is not None:
            try:
                add_duration(date(2000, 1, 1), str(term))
            except SelectionListError as exc:
                problems.append(f"{label}: {exc}")
        if code in categories:
            problems.append(f"{label}: code given twice")
        categories[code] = Category(code, title, waardering, str(term) if term else None,
                                    str(raw.get("trigger") or ""), str(raw.get("process") or ""))
    defaults = data.get("defaults") or {}
    for key, code in defaults.items():
        if key not in ("one_way", "two_way"):
            problems.append(f"defaults: unknown key {key!r} (one_way, two_way)")
        elif code not in categories:
            problems.append(f"defaults: {key} names no category {code!r}")
    if problems:
        raise SelectionListError(f"{path}: " + "; ".join(problems))
    return SelectionList(str(data.get("name") or path.stem), str(data.get("source") or ""), categories,
                         {k: str(v) for k, v in defaults.items()})


def _vng(path: Path, rows: list[dict[str, Any]]) -> SelectionList:
    processes = {r["pk"]: r["fields"] for r in rows if r.get("model") == "selectielijst.procestype"}
    results = {r["pk"]: r["fields"] for r in rows if r.get("model") == "selectielijst.resultaat"}
    if not results:
        raise SelectionListError(f"{path}: no selectielijst.resultaat rows")

    def code(fields: dict[str, Any]) -> str:
        parent = fields.get("generiek_resultaat")
        if parent in results:
            return f"{code(results[parent])}.{fields['nummer']}"
        return f"{processes[fields['proces_type']]['nummer']}.{fields['nummer']}"

    categories: dict[str, Category] = {}
    for fields in results.values():
        process = processes.get(fields["proces_type"], {})
        waardering = VNG_WAARDERING.get(fields.get("waardering") or "", "N")
        categories[code(fields)] = Category(
            code(fields), _vng_title(fields), waardering, fields.get("bewaartermijn") or None,
            str(fields.get("procestermijn") or ""), str(process.get("naam") or ""))
    year = next(iter(processes.values()), {}).get("jaar", "")
    return SelectionList(f"Selectielijst gemeenten en intergemeentelijke organen {year}".strip(),
                         "VNG Realisatie, github.com/open-zaak/vng-selectielijst", categories)


def _vng_title(fields: dict[str, Any]) -> str:
    """The result's name, with its description when it has one ("Uitgevoerd: onlinecontent ...")."""
    name, description = str(fields.get("naam") or ""), str(fields.get("omschrijving") or "").strip()
    return f"{name}: {description}" if description else name
