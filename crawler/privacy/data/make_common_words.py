"""Writes common_words.txt: the everyday Dutch (and English) words that are no name after a relation word.

    python -m venv /tmp/wf && /tmp/wf/bin/pip install wordfreq==3.1.1
    /tmp/wf/bin/python crawler/privacy/data/make_common_words.py > crawler/privacy/data/common_words.txt

Not run at capture time: SMA reads the written list (no dependency on wordfreq, no download at run time).
wordfreq's code is Apache-2.0; its frequency data, and so this list, is CC BY-SA 4.0 (docs/privacy.md).
"""

from __future__ import annotations

import re
from importlib.metadata import version

import wordfreq  # type: ignore[import-not-found]

NL_ZIPF, EN_ZIPF = 3.0, 4.0  # 1 per million Dutch words; 10 per million English words
EN_FORMS_ZIPF = 1.5  # Dutch words in '-en' (infinitives, plurals) down to 1 per 30 million: 'whatsappen', 'hockeyen'
EN_FORM = re.compile(r"[a-zà-öø-ÿ]{3,}en")
LETTERS = re.compile(r"[a-zà-öø-ÿ\u0100-\u024f]{2,}")


def main() -> None:
    print(f"# Dutch words with a Zipf frequency >= {NL_ZIPF} and English words >= {EN_ZIPF} in wordfreq "
          f"{version('wordfreq')} ('large' lists),")
    print("# letters only, lower case, one per line; written by make_common_words.py. Source: wordfreq by Robyn Speer")
    print("# et al. (Apache-2.0 code); its data, and so this derived list, is licensed CC BY-SA 4.0")
    print("# (https://creativecommons.org/licenses/by-sa/4.0/): attribution kept here, changes = the selection above.")
    print(f"# and Dutch words in '-en' (infinitives, plurals) >= {EN_FORMS_ZIPF}: 'hij hockeyt' is a verb's form.")
    seen: set[str] = set()
    for lang, floor in (("nl", EN_FORMS_ZIPF), ("en", EN_ZIPF)):
        for word in wordfreq.iter_wordlist(lang, "large"):
            zipf = wordfreq.zipf_frequency(word, lang, "large")
            if zipf < floor:
                break
            if lang == "nl" and zipf < NL_ZIPF and not EN_FORM.fullmatch(word):
                continue
            if LETTERS.fullmatch(word) and word not in seen:
                seen.add(word)
                print(word)


if __name__ == "__main__":
    main()
