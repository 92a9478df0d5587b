"""spaCy component: finds warning signs (data/warning_signs.yml) in a message.

Writes ``doc.spans["warning_signs"]``: one span per match, labelled with the sign id, with the
sign's severity ("emergency" or "urgent") as ``span.kb_id_``.
"""

import re
from pathlib import Path
from typing import Dict, Iterable, List, Optional, Sequence

import srsly
from spacy.language import Language
from spacy.matcher import Matcher
from spacy.tokens import Doc, Span

from bot.nlp.phrases import Lemmatize, compile_phrase
from bot.vocabulary import WarningSign

SPANS_KEY = "warning_signs"

FEVER_CELSIUS = 38.0
FEVER_FAHRENHEIT = 100.4
TEMPERATURE_WORDS = {"temp", "temperature", "fever", "feverish", "thermometer", "degree", "°"}
FAHRENHEIT_ONLY_WORDS = {"run", "running"}
CONTEXT_WINDOW = 4
FUTURE_MARKERS = {"will", "'ll", "would", "gonna"}
_READING = re.compile(r"^(\d{2,3}(?:\.\d+)?)\s*°?\s*([cf])?$")


def temperature_reading(text: str) -> Optional[float]:
    """A temperature reading in °C from a token such as "39", "38.5c" or "101f", else None."""
    match = _READING.match(text.lower())
    if not match:
        return None
    value, unit = float(match.group(1)), match.group(2)
    if unit == "f" or (unit is None and 95 <= value <= 115):
        return (value - 32) * 5 / 9 if 95 <= value <= 115 else None
    return value if 34 <= value <= 45 else None


class WarningSignMatcher:
    def __init__(self, nlp: Language, name: str) -> None:
        self.name = name
        self.vocab = nlp.vocab
        self.signs: List[Dict[str, object]] = []
        self.matcher = Matcher(nlp.vocab)

    def add_signs(self, signs: Sequence[WarningSign], lemmatize: Lemmatize) -> None:
        """Compiles the signs' phrases (at build time)."""
        self._load(
            [
                {
                    "id": sign.id,
                    "severity": sign.severity,
                    "temperature": sign.temperature,
                    "skip_if_future": sign.skip_if_future,
                    "patterns": [p for phrase in sign.phrases for p in compile_phrase(phrase, lemmatize)],
                }
                for sign in signs
            ]
        )

    def _load(self, signs: List[Dict[str, object]]) -> None:
        self.signs = signs
        self.matcher = Matcher(self.vocab)
        for sign in signs:
            self.matcher.add(str(sign["id"]), sign["patterns"])

    def _temperature_spans(self, doc: Doc, sign: Dict[str, object]) -> List[Span]:
        spans = []
        for token in doc:
            celsius = temperature_reading(token.text)
            if celsius is None or celsius < FEVER_CELSIUS:
                continue
            explicit_unit = token.text[-1:].lower() in ("c", "f")
            window = doc[max(0, token.i - CONTEXT_WINDOW) : token.i + CONTEXT_WINDOW + 1]
            lemmas = {t.lemma_ for t in window}
            fahrenheit = float(re.sub(r"[^\d.]", "", token.text)) >= 95
            if explicit_unit or lemmas & TEMPERATURE_WORDS or (fahrenheit and lemmas & FAHRENHEIT_ONLY_WORDS):
                spans.append(Span(doc, token.i, token.i + 1, label=str(sign["id"]), kb_id=str(sign["severity"])))
        return spans

    @staticmethod
    def _about_the_future(doc: Doc, start: int) -> bool:
        """Whether "will", "would"... precedes token `start` in its sentence."""
        sentence_start = doc[start].sent.start if doc.has_annotation("SENT_START") else 0
        return any(t.lower_ in FUTURE_MARKERS for t in doc[sentence_start:start])

    def __call__(self, doc: Doc) -> Doc:
        by_id = {str(sign["id"]): sign for sign in self.signs}
        spans = []
        for match_id, start, end in self.matcher(doc):
            sign = by_id[self.vocab.strings[match_id]]
            if sign.get("skip_if_future") and self._about_the_future(doc, start):
                continue
            spans.append(Span(doc, start, end, label=match_id, kb_id=str(sign["severity"])))
        for sign in self.signs:
            if sign["temperature"]:
                spans.extend(self._temperature_spans(doc, sign))
        doc.spans[SPANS_KEY] = sorted(spans, key=lambda s: (s.start, s.end))
        return doc

    def to_disk(self, path: Path, exclude: Iterable[str] = ()) -> None:
        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        srsly.write_json(path / "signs.json", self.signs)

    def from_disk(self, path: Path, exclude: Iterable[str] = ()) -> "WarningSignMatcher":
        self._load(srsly.read_json(Path(path) / "signs.json"))
        return self


@Language.factory("spine_warning_signs")
def make_warning_signs(nlp: Language, name: str) -> WarningSignMatcher:
    return WarningSignMatcher(nlp, name)
