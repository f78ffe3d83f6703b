"""The words of a text as the name rules read them (recognizers_names.py, recognizers_people.py): tokens with
their offsets, the gaps between them, and the words that are never names."""

from __future__ import annotations

import re
from functools import cache

from crawler.privacy import lexicon
from crawler.privacy.recognizers_words import COMMON, HONORIFICS, MONTHS_DAYS

# Letters: Latin-1 and Latin Extended-A/B (Turkish ı ş ğ, Polish ł, Czech č: 'Mehmet Yıldız').
_L = "A-Za-zÀ-ÖØ-öø-ÿ\u0100-\u024f"
_WORD = re.compile(rf"'t|'s|[{_L}](?:[{_L}'’]*[{_L}])?(?:-[{_L}]+)*\.?")
_SPACE_ONLY = re.compile(r"[ \t\xa0]{1,3}")
@cache
def _not_names() -> frozenset[str]:
    return COMMON | MONTHS_DAYS | lexicon.places() | frozenset(w for e in lexicon.public_bodies() for w in e.split())


def _word(token: str) -> str:
    return token.rstrip(".").lower()


class _Text:
    """The words of a text with their offsets, and the gaps between them."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens = [(m.start(), m.end(), m.group(0)) for m in _WORD.finditer(text)]
        self.lower = [_word(t[2]) for t in self.tokens]

    def gap(self, i: int) -> str:
        """The characters between token i-1 and token i."""
        start = self.tokens[i - 1][1] if i > 0 else 0
        return self.text[start:self.tokens[i][0]]

    def joined(self, i: int) -> bool:
        """Token i follows token i-1 on the same line, separated by spaces only (a token ending in
        a dot is an abbreviation or initial: 'dhr. Jansen', 'J. de Vries')."""
        if i == 0 or _SPACE_ONLY.fullmatch(self.gap(i)) is None:
            return False
        prev = self.tokens[i - 1][2]
        return not prev.endswith(".") or len(prev) <= 2 or _word(prev) in HONORIFICS or _word(prev) == "v.d"

    def capitalised(self, i: int) -> bool:
        return self.tokens[i][2][:1].isupper()

    def sentence_start(self, i: int) -> bool:
        before = self.text[:self.tokens[i][0]].rstrip()
        return not before or before[-1] in ".!?\n:;\"'(" or "\n" in self.gap(i)
