"""The appraisal report: every information object as text, CSV or HTML (counts per category and year)."""

from __future__ import annotations

import csv
import html
import io
from collections import Counter

from .objects import InformationObject

COLUMNS = ("id", "kind", "account_id", "post_date", "category_code", "category_title", "waardering",
           "bewaartermijn", "hotspot", "term_start", "term_end", "comments", "held_by", "reason")


def _value(obj: InformationObject, column: str) -> str:
    value = getattr(obj, column)
    if isinstance(value, tuple):
        return " ".join(value)
    return "" if value is None else str(value)


def as_csv(objects: list[InformationObject]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    for obj in objects:
        writer.writerow([_value(obj, c) for c in COLUMNS])
    return out.getvalue()


def as_text(objects: list[InformationObject]) -> str:
    lines = []
    for obj in objects:
        term = "blijvend" if obj.waardering == "B" else (f"{obj.bewaartermijn} until {obj.term_end or 'unknown'}"
                                                         if obj.waardering == "V" else "nader te bepalen")
        extra = (f" hotspot {obj.hotspot}" if obj.hotspot else "") + (f" HELD {' '.join(obj.held_by)}"
                                                                      if obj.held_by else "")
        lines.append(f"{obj.waardering} {obj.category_code:<6} {str(obj.post_date or '-'):<10} {term:<24} "
                     f"{obj.url}{extra}")
    counts = Counter(o.waardering for o in objects if o.kind == "post")
    lines.append(f"{len(objects)} information objects; posts: B {counts['B']}, V {counts['V']}, N {counts['N']}")
    return "\n".join(lines) + "\n"


def as_html(objects: list[InformationObject], title: str = "Waardering") -> str:
    posts = [o for o in objects if o.kind == "post"]
    years = sorted({o.post_date.year for o in posts if o.post_date})
    categories = sorted({(o.category_code, o.category_title) for o in objects})
    per = Counter((o.category_code, o.post_date.year if o.post_date else None) for o in posts)
    e = html.escape
    head = "".join(f"<th>{y}</th>" for y in years)
    rows = []
    for code, name in categories:
        cells = "".join(f"<td>{per[(code, y)]}</td>" for y in years)
        total = sum(v for (c, _), v in per.items() if c == code)
        rows.append(f"<tr><th>{e(code)}</th><td>{e(name)}</td>{cells}<td>{total}</td></tr>")
    detail = "".join(
        "<tr>" + "".join(f"<td>{e(_value(o, c))}</td>" for c in COLUMNS) + "</tr>" for o in objects)
    return (f"<!doctype html><html lang=nl><meta charset=utf-8><title>{e(title)}</title>"
            "<style>table{border-collapse:collapse}td,th{border:1px solid #999;padding:2px 6px}</style>"
            f"<h1>{e(title)}</h1><h2>Posts per category and year</h2><table><tr><th>code</th><th>category</th>"
            f"{head}<th>total</th></tr>{''.join(rows)}</table><h2>Information objects ({len(objects)})</h2>"
            "<table><tr>" + "".join(f"<th>{c}</th>" for c in COLUMNS) + f"</tr>{detail}</table></html>\n")
