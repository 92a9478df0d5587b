"""spaCy component: finds warning signs (data/warning_signs.yml) in a message.

Writes ``doc.spans["warning_signs"]``: one span per match, labelled with the sign id, with the
sign's severity ("emergency" or "urgent") as ``span.kb_id_``; ``span._.own_negation`` marks a
match of a phrase that contains a negation itself ("the meds don't help"). Also
``doc.spans["symptom_mentions"]``: symptom words, and ``doc.spans["care_questions"]``: questions
whether or when to get care, or plans to wait for it ("can it wait till tomorrow?"); neither
escalates by itself. A sign's match that shares a word with a look-alike ("hay fever", "confused
about the forms") is dropped.
Which signs and mentions the patient denies or only asks about is decided next, by
bot/language/sign_context.py.
"""

import re
from pathlib import Path
from typing import AbstractSet, Any, Dict, Iterable, List, Optional, Sequence

from spacy.language import Language
from spacy.matcher import Matcher
from spacy.tokens import Doc, Span, Token

from bot.language.phrases import Lemmatize, compile_phrase
from bot.language.saved_settings import read_settings, save_settings
from bot.language.vocabulary import WarningSign
from bot.names import Severity

SPANS_KEY = "warning_signs"
MENTIONS_KEY = "symptom_mentions"
CARE_KEY = "care_questions"
LOOK_ALIKES_KEY = "look_alikes"
SIGNS_FILE = "signs.json"

DEFAULT_FEVER_CELSIUS = 38.0
TEMPERATURE_WORDS = {"temp", "temperature", "fever", "feverish", "thermometer", "degree", "°"}
FAHRENHEIT_ONLY_WORDS = {"run", "running"}
# A number followed by one of these is no temperature ("38 weeks", "100.5 kg"); preceded by one of
# these, an age ("I'm 39").
OTHER_UNITS = {
    "day",
    "days",
    "week",
    "weeks",
    "wk",
    "wks",
    "month",
    "months",
    "year",
    "years",
    "yr",
    "yrs",
    "yo",
    "old",
    "hour",
    "hours",
    "hr",
    "hrs",
    "minute",
    "minutes",
    "min",
    "mins",
    "kg",
    "kgs",
    "kilo",
    "kilos",
    "lb",
    "lbs",
    "pound",
    "pounds",
    "stone",
    "mg",
    "ml",
    "%",
    "percent",
    "cm",
    "mm",
    "inch",
    "inches",
    "metres",
    "meters",
    "miles",
    "km",
    "steps",
    "times",
    "bpm",
    "mmhg",
}
AGE_WORDS = {"'m", "’m", "im", "am", "aged", "age", "turned", "turning"}
# "ring 111", "call NHS 111", "try them on 101": a phone number, not a reading in °F
DIAL_WORDS = {"ring", "call", "dial", "phone", "try"}
DIAL_FILLERS = {"nhs", "the", "them", "on", "us", "a"}
# "he is 39", "she's 39": an age, unlike "it's 39"
AGE_SUBJECTS = {"he", "she", "i"}
# A message this short with a reading in it is a reading ("it's 39 now", "101.2").
SHORT_MESSAGE_WORDS = 5
CONTEXT_WINDOW = 4
OWN_NEGATION = "own_negation"
_NEGATED_PHRASE_KEY = "{id}/NEG"
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


def dialled(token: Token) -> bool:
    """Whether a number follows a word of dialling, perhaps after a filler ("call NHS 111")."""
    for previous in reversed(token.doc[max(0, token.i - 3) : token.i]):
        if {previous.lemma_, previous.lower_} & DIAL_WORDS:
            return True
        if previous.lower_ not in DIAL_FILLERS:
            return False
    return False


def is_reading(token: Token, short_message: bool, look_alike_words: AbstractSet[int]) -> bool:
    """Whether a number in the fever range is a temperature: with a unit or a temperature word
    near it (not one of a look-alike: "hay fever for 40 years"), or bare when it can be nothing
    else (a decimal, or the number of a short message), unless another unit follows it, it is an
    age, or a phone number ("ring 111")."""
    if dialled(token):
        return False
    explicit_unit = token.text[-1:].lower() in ("c", "f")
    near = token.doc[max(0, token.i - CONTEXT_WINDOW) : token.i + CONTEXT_WINDOW + 1]
    window = [t for t in near if t.i not in look_alike_words]
    lemmas = {t.lemma_ for t in window} | {t.lower_ for t in window}
    fahrenheit = float(re.sub(r"[^\d.]", "", token.text)) >= 95
    if explicit_unit or lemmas & TEMPERATURE_WORDS or (fahrenheit and lemmas & FAHRENHEIT_ONLY_WORDS):
        return True
    doc = token.doc
    following = doc[token.i + 1].lower_ if token.i + 1 < len(doc) else ""
    before = [t.lower_ for t in doc[max(0, token.i - 2) : token.i]]
    aged = bool(before) and (
        before[-1] in AGE_WORDS or (len(before) == 2 and before[1] in ("is", "'s", "’s") and before[0] in AGE_SUBJECTS)
    )
    if following in OTHER_UNITS or aged:
        return False
    return "." in token.text or short_message


SEVERITY_RANK = {Severity.EMERGENCY: 0, Severity.URGENT: 1}


def primary_sign(doc: Optional[Doc]) -> Optional[Span]:
    """The most severe warning sign in the doc (the first one among equals), or None."""
    if doc is None or SPANS_KEY not in doc.spans or not len(doc.spans[SPANS_KEY]):
        return None
    return min(doc.spans[SPANS_KEY], key=lambda s: (SEVERITY_RANK[s.kb_id_], s.start))


if not Span.has_extension(OWN_NEGATION):
    Span.set_extension(OWN_NEGATION, default=False)


class WarningSignMatcher:
    def __init__(self, nlp: Language, name: str) -> None:
        self.name = name
        self.vocab = nlp.vocab
        self.signs: List[Dict[str, Any]] = []
        self.mentions: List[List[Dict[str, Any]]] = []
        self.care: List[List[Dict[str, Any]]] = []
        self.look_alikes: List[List[Dict[str, Any]]] = []
        self.fever_celsius = DEFAULT_FEVER_CELSIUS
        self.matcher = Matcher(nlp.vocab)

    def add_signs(
        self,
        signs: Sequence[WarningSign],
        mentions: Sequence[str],
        lemmatize: Lemmatize,
        fever_celsius: float = DEFAULT_FEVER_CELSIUS,
        care: Sequence[str] = (),
        look_alikes: Sequence[str] = (),
    ) -> None:
        """Compiles the signs' phrases, the symptom words, the care questions and the look-alikes (at
        build time)."""
        self.fever_celsius = fever_celsius

        def patterns(phrases: Iterable[str]) -> List[List[Dict[str, Any]]]:
            return [p for phrase in phrases for p in compile_phrase(phrase, lemmatize)]

        self._load(
            [
                {
                    "id": sign.id,
                    "severity": sign.severity,
                    "temperature": sign.temperature,
                    "patterns": patterns(p for p in sign.phrases if "NEG" not in p.split()),
                    "negated_patterns": patterns(p for p in sign.phrases if "NEG" in p.split()),
                }
                for sign in signs
            ],
            patterns(mentions),
            patterns(care),
            patterns(look_alikes),
        )

    def _load(
        self,
        signs: List[Dict[str, Any]],
        mentions: List[List[Dict[str, Any]]],
        care: List[List[Dict[str, Any]]],
        look_alikes: List[List[Dict[str, Any]]],
    ) -> None:
        self.signs = signs
        self.mentions = mentions
        self.care = care
        self.look_alikes = look_alikes
        self.matcher = Matcher(self.vocab)
        self.matcher.add(MENTIONS_KEY, mentions)
        self.matcher.add(CARE_KEY, care)
        self.matcher.add(LOOK_ALIKES_KEY, look_alikes)
        for sign in signs:
            for key, patterns in (
                (str(sign["id"]), sign["patterns"]),
                (_NEGATED_PHRASE_KEY.format(id=sign["id"]), sign["negated_patterns"]),
            ):
                if patterns:
                    self.matcher.add(key, patterns)

    def _temperature_spans(self, doc: Doc, sign: Dict[str, Any], look_alike_words: AbstractSet[int]) -> List[Span]:
        spans = []
        words = [t for t in doc if not (t.is_punct or t.is_space)]
        for token in doc:
            celsius = temperature_reading(token.text)
            if celsius is None or celsius < self.fever_celsius - 1e-9:
                continue
            if is_reading(token, len(words) <= SHORT_MESSAGE_WORDS, look_alike_words):
                spans.append(Span(doc, token.i, token.i + 1, label=str(sign["id"]), kb_id=str(sign["severity"])))
        return spans

    def __call__(self, doc: Doc) -> Doc:
        by_id = {str(sign["id"]): sign for sign in self.signs}
        spans: List[Span] = []
        other: Dict[str, List[Span]] = {MENTIONS_KEY: [], CARE_KEY: [], LOOK_ALIKES_KEY: []}
        for match_id, start, end in self.matcher(doc):
            key = self.vocab.strings[match_id]
            if key in other:
                other[key].append(Span(doc, start, end, label=key))
                continue
            sign = by_id[key.split("/")[0]]
            span = Span(doc, start, end, label=str(sign["id"]), kb_id=str(sign["severity"]))
            # Spans of the same words share their extension values: a negation any phrase reads
            # as part of the sign ("the medicine no make nothing") stays its own.
            span._.set(OWN_NEGATION, key != sign["id"] or span._.get(OWN_NEGATION))
            spans.append(span)
        look_alike_words = {t for look_alike in other[LOOK_ALIKES_KEY] for t in range(look_alike.start, look_alike.end)}
        spans = [span for span in spans if look_alike_words.isdisjoint(range(span.start, span.end))]
        for sign in self.signs:
            if sign["temperature"]:
                spans.extend(self._temperature_spans(doc, sign, look_alike_words))
        doc.spans[SPANS_KEY] = sorted(spans, key=lambda s: (s.start, s.end))
        doc.spans[MENTIONS_KEY] = other[MENTIONS_KEY]
        doc.spans[CARE_KEY] = other[CARE_KEY]
        return doc

    def to_disk(self, path: Path, exclude: Iterable[str] = ()) -> None:
        save_settings(
            path,
            SIGNS_FILE,
            {
                "signs": self.signs,
                "mentions": self.mentions,
                "care": self.care,
                "look_alikes": self.look_alikes,
                "fever_celsius": self.fever_celsius,
            },
        )

    def from_disk(self, path: Path, exclude: Iterable[str] = ()) -> "WarningSignMatcher":
        content = read_settings(path, SIGNS_FILE)
        self.fever_celsius = float(content.get("fever_celsius", DEFAULT_FEVER_CELSIUS))
        self._load(content["signs"], content["mentions"], content["care"], content["look_alikes"])
        return self


@Language.factory("spine_warning_signs")
def make_warning_signs(nlp: Language, name: str) -> WarningSignMatcher:
    return WarningSignMatcher(nlp, name)
