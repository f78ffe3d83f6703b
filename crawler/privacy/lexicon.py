"""Word lists the textual recognisers use, kept as data files in `crawler/privacy/data/`.

Lists, not a trained model: no model can be downloaded here, and a list says exactly why a word
was taken for a name (the ledger's reader, a privacy officer, can check it). Each file is lower
case, one entry per line or whitespace-separated single words; `#` starts a comment. Loaded once.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data"
# Handles such as @gemeenteutrecht, @Provincie_Utrecht, @politie_zwolle are public bodies as well.
PUBLIC_PREFIXES = ("gemeente", "provincie", "ministerie", "politie", "waterschap", "ggd", "veiligheidsregio",
                   "brandweer", "rijks", "omgevingsdienst", "hoogheemraadschap", "rtv", "omroep")


def _lines(name: str) -> list[str]:
    text = (DATA / name).read_text(encoding="utf-8")
    return [line.split("#", 1)[0].strip().lower() for line in text.splitlines() if line.split("#", 1)[0].strip()]


@cache
def words(name: str) -> frozenset[str]:
    """A file of whitespace-separated single words."""
    return frozenset(w for line in _lines(name) for w in line.split())


@cache
def entries(name: str) -> frozenset[str]:
    """A file of one (possibly multi-word) entry per line."""
    return frozenset(re.sub(r"\s+", " ", line) for line in _lines(name))


def first_names() -> frozenset[str]:
    return words("first_names.txt")


def ambiguous_names() -> frozenset[str]:
    return words("ambiguous_names.txt")


def surnames() -> frozenset[str]:
    return words("surnames.txt")


def places() -> frozenset[str]:
    return words("places.txt")


def officials() -> frozenset[str]:
    return entries("officials.txt")


def public_bodies() -> frozenset[str]:
    return entries("public_bodies.txt")


def is_public_body(value: str) -> bool:
    """Whether a handle or name is a Dutch government body's (`@Belastingdienst`, `@gemeenteUtrecht`)."""
    key = re.sub(r"\s+", " ", value.strip().lstrip("@").split("@")[0].lower())
    if key in public_bodies() or key.replace("_", "") in public_bodies():
        return True
    return key.startswith(PUBLIC_PREFIXES)
