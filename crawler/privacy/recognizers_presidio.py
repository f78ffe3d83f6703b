"""The textual recognisers as a Presidio AnalyzerEngine on a blank Dutch spaCy pipeline.

No model download: a `SpacyNlpEngine` whose pipeline is `spacy.blank("nl")` (a tokenizer, no NER),
with one `EntityRecognizer` per PII type built from the pattern specs in `recognizers.py` (which
carry validation and context) and one for names and @mentions. A `TextAnalyzer` builds its engine
lazily, on the first text it analyses: importing Presidio and spaCy costs about a second, and replay
imports crawler.privacy without always detecting anything. The crawl's privacy pipeline owns one and
hands it to its detectors; nothing here is module state.
"""

from __future__ import annotations

import threading
from typing import Any

from crawler.privacy import recognizers, recognizers_free, recognizers_mentions, recognizers_names
from crawler.privacy.recognizers import Match

LANGUAGE = "nl"
SCORE_THRESHOLD = 0.5
# spaCy refuses longer texts by default; captured bodies (inline JS state) can be larger. The blank
# pipeline only tokenises, so memory stays linear.
MAX_LENGTH = 20_000_000
# Comment and page texts go through the AnalyzerEngine; whole HTML/JS bodies beyond this size go
# to the recognisers directly (Presidio's tokenising and context pass cost ~50 ms per KB there).
PRESIDIO_MAX_CHARS = 4_000
ENTITY = {t: f"NL_{t.upper()}" for t in ("email", "iban", "bsn", "phone", "postcode", "plate", "birthdate",
                                          "name", "mention", "address")}
TYPE_OF = {v: k for k, v in ENTITY.items()}

# The recognisers that are functions of the text rather than one PatternSpec each.
FUNCTIONS = (("DutchNameRecognizer", ["name"], recognizers_names.names),
             ("DutchMentionRecognizer", ["mention"], recognizers_mentions.mentions),
             ("DutchPlateRecognizer", ["plate"], recognizers_free.plates),
             ("DutchBirthdateRecognizer", ["birthdate"], recognizers_free.birthdates),
             ("ObfuscatedEmailRecognizer", ["email"], recognizers_free.emails),
             ("DutchAddressRecognizer", ["address"], recognizers_free.addresses))


def _build() -> Any:
    import spacy
    from presidio_analyzer import AnalyzerEngine, EntityRecognizer, RecognizerRegistry, RecognizerResult
    from presidio_analyzer.nlp_engine import NerModelConfiguration, SpacyNlpEngine

    class BlankDutchNlpEngine(SpacyNlpEngine):
        """Tokenisation only; never downloads a model."""

        def __init__(self) -> None:
            super().__init__(models=[{"lang_code": LANGUAGE, "model_name": "blank"}],
                             ner_model_configuration=NerModelConfiguration(model_to_presidio_entity_mapping={}))

        def load(self) -> None:
            nlp = spacy.blank(LANGUAGE)
            nlp.max_length = MAX_LENGTH
            self.nlp = {LANGUAGE: nlp}

        def get_supported_entities(self) -> list[str]:
            return []

    class SpecRecognizer(EntityRecognizer):
        """A recognizers.PatternSpec (regex, checksum validation, context words) in Presidio."""

        def __init__(self, spec: recognizers.PatternSpec) -> None:
            self.spec = spec
            super().__init__(supported_entities=[ENTITY[spec.type]], name=f"Dutch{spec.type.title()}Recognizer",
                             supported_language=LANGUAGE)

        def load(self) -> None:
            pass

        def analyze(self, text: str, entities: list[str], nlp_artifacts: Any = None) -> list[Any]:
            return [RecognizerResult(ENTITY[m.type], m.start, m.end, m.score)
                    for m in recognizers.scan(text, [self.spec])]

    class FunctionRecognizer(EntityRecognizer):
        """One of the word-list/structure recognisers (names, mentions, addresses, plates, ...)."""

        def __init__(self, name: str, types: list[str], function: Any) -> None:
            self.function = function
            super().__init__(supported_entities=[ENTITY[t] for t in types], name=name, supported_language=LANGUAGE)

        def load(self) -> None:
            pass

        def analyze(self, text: str, entities: list[str], nlp_artifacts: Any = None) -> list[Any]:
            return [RecognizerResult(ENTITY[m.type], m.start, m.end, m.score) for m in self.function(text)]

    nlp_engine = BlankDutchNlpEngine()
    nlp_engine.load()
    registry = RecognizerRegistry(supported_languages=[LANGUAGE])
    for spec in recognizers.SPECS:
        registry.add_recognizer(SpecRecognizer(spec))
    for name, types, function in FUNCTIONS:
        registry.add_recognizer(FunctionRecognizer(name, types, function))
    return AnalyzerEngine(nlp_engine=nlp_engine, registry=registry, supported_languages=[LANGUAGE],
                          default_score_threshold=SCORE_THRESHOLD)


def recognise(text: str) -> list[Match]:
    """The same recognisers without Presidio's engine around them: identical matches (they use no
    NLP artifacts), for large bodies where tokenising every script and style costs seconds."""
    return recognizers.scan(text) + [m for _name, _types, function in FUNCTIONS for m in function(text)]


class TextAnalyzer:
    """Every textual finding of the recognisers: through Presidio's AnalyzerEngine (built on first use,
    once per analyser) for texts up to PRESIDIO_MAX_CHARS, the recognisers directly beyond."""

    def __init__(self) -> None:
        self._engine: Any = None
        self._lock = threading.Lock()

    def engine(self) -> Any:
        with self._lock:
            if self._engine is None:
                self._engine = _build()
            return self._engine

    def analyze(self, text: str, presidio: bool = True) -> list[Match]:
        """Overlaps allowed (the detector resolves them). `presidio=False`: the same recognisers
        without the engine (the access derivative scans tens of thousands of small JSON strings and
        headers, where Presidio's tokenising and context pass are most of the cost and change no match)."""
        if not text or not text.strip():
            return []
        if len(text) > PRESIDIO_MAX_CHARS or not presidio:
            return [m for m in recognise(text) if m.score >= SCORE_THRESHOLD]
        results = self.engine().analyze(text=text, language=LANGUAGE, entities=list(ENTITY.values()))
        return [Match(TYPE_OF[r.entity_type], r.start, r.end, r.score) for r in results if r.entity_type in TYPE_OF]
