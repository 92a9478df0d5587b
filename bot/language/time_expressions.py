"""spaCy component: finds when the patient's surgery was.

Writes ``doc.spans["time_expressions"]`` with two labels, the value in ``span.kb_id_``:

* ``time_since_surgery``: an ISO-8601 duration ("5 weeks ago" -> "P5W", "10 days out" -> "P10D",
  "yesterday" -> "P1D"). A bare duration counts only with a marker that it is time already
  passed ("ago", "out", "post-op", "after", "since", "at", "been", "I'm") or a correction ("I
  meant 6 weeks"), so "back to work in 2 to 3 weeks" is not mistaken for it.
* ``surgery_date``: an ISO-8601 date, "--10-03" when the year is not given ("on October 3",
  "3rd oct", "10/3"); the date is resolved against today's date later, by the actions.
"""

import re
from typing import List, Optional, Tuple

from spacy.language import Language
from spacy.tokens import Doc, Span

from bot.durations import to_iso
from bot.names import Entity

SPANS_KEY = "time_expressions"
TIME_SINCE_SURGERY = Entity.TIME_SINCE_SURGERY
SURGERY_DATE = Entity.SURGERY_DATE

NUMBER_WORDS = {
    "a": 1,
    "an": 1,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "thirteen": 13,
    "fourteen": 14,
    "fifteen": 15,
    "sixteen": 16,
    "twenty": 20,
    "couple": 2,
}
UNITS = {
    "day": "D",
    "days": "D",
    "d": "D",
    "week": "W",
    "weeks": "W",
    "wk": "W",
    "wks": "W",
    "w": "W",
    "month": "M",
    "months": "M",
    "mo": "M",
    "mos": "M",
    "mth": "M",
    "mths": "M",
    "mnth": "M",
    "mnths": "M",
    "year": "Y",
    "years": "Y",
    "yr": "Y",
    "yrs": "Y",
}
MONTHS = {
    "jan": 1,
    "january": 1,
    "feb": 2,
    "february": 2,
    "mar": 3,
    "march": 3,
    "apr": 4,
    "april": 4,
    "may": 5,
    "jun": 6,
    "june": 6,
    "jul": 7,
    "july": 7,
    "aug": 8,
    "august": 8,
    "sep": 9,
    "sept": 9,
    "september": 9,
    "oct": 10,
    "october": 10,
    "nov": 11,
    "november": 11,
    "dec": 12,
    "december": 12,
}
AFTER_MARKERS = {"ago", "out", "post", "postop", "post-op", "postoperative", "after", "since", "in", "not"}
# "meant", "actually"...: a correction of the time said before ("sorry, I meant 6 weeks")
BEFORE_MARKERS = {
    "at",
    "been",
    "'m",
    "am",
    "im",
    "i'm",
    "about",
    "nearly",
    "almost",
    "over",
    "only",
    "just",
    "meant",
    "actually",
}
AND_A_HALF = ("and", "a", "half")
# "today" is left out: "one week post-op today" means now, not the day of surgery.
RELATIVE_DAYS = {"yesterday": 1}

_DECIMAL = re.compile(r"^\d{1,6}(?:\.\d{1,3})?$")
_NUMBER_UNIT = re.compile(r"^(\d{1,6}(?:\.\d{1,3})?)([a-z]+)$")
_ORDINAL = re.compile(r"^(\d{1,2})(?:st|nd|rd|th)?$")
_NUMERIC_DATE = re.compile(r"^(\d{1,2})/(\d{1,2})(?:/(\d{2}|\d{4}))?$")


def _number(text: str) -> Optional[float]:
    """The amount a token says ("5", "2.5", "five"); None for anything else, "inf", "nan" and
    "1e999" included (only plain decimals count)."""
    if text in NUMBER_WORDS:
        return float(NUMBER_WORDS[text])
    return float(text) if _DECIMAL.match(text) else None


def _duration_at(doc: Doc, i: int) -> Optional[Tuple[int, int, str]]:
    """(start, end, value) of a duration starting at token i: "5 weeks", "5wks", "two weeks"."""
    token = doc[i].lower_
    fused = _NUMBER_UNIT.match(token)
    if fused and fused.group(2) in UNITS:
        return i, i + 1, to_iso(float(fused.group(1)), UNITS[fused.group(2)])
    amount = _number(token)
    if amount is None or i + 1 >= len(doc):
        return None
    end = i + 1
    if doc[end].lower_ == "of" and token == "couple" and end + 1 < len(doc):
        end += 1
    if _half_at(doc, end):  # "eight and a half weeks"
        amount, end = amount + 0.5, end + len(AND_A_HALF)
    unit = UNITS.get(doc[end].lower_) if end < len(doc) else None
    if unit is None or (unit == "D" and doc[end].lower_ == "d" and amount > 60):
        return None
    if _half_at(doc, end + 1):  # "a week and a half"
        return i, end + 1 + len(AND_A_HALF), to_iso(amount + 0.5, unit)
    return i, end + 1, to_iso(amount, unit)


def _half_at(doc: Doc, i: int) -> bool:
    return [t.lower_ for t in doc[i : i + len(AND_A_HALF)]] == list(AND_A_HALF)


def _has_marker(doc: Doc, start: int, end: int, words: int) -> bool:
    """Whether the duration is time already passed, or the whole message ("3 weeks"); `words`
    counts the message's tokens other than punctuation."""
    after = doc[end].lower_ if end < len(doc) else ""
    before = doc[start - 1].lower_ if start > 0 else ""
    alone = words == sum(not t.is_punct for t in doc[start:end])
    return after in AFTER_MARKERS or before in BEFORE_MARKERS or alone


def _durations(doc: Doc) -> List[Span]:
    spans = []
    words = sum(not t.is_punct for t in doc)
    for i, token in enumerate(doc):
        if token.lower_ in RELATIVE_DAYS:
            spans.append(Span(doc, i, i + 1, label=TIME_SINCE_SURGERY, kb_id=f"P{RELATIVE_DAYS[token.lower_]}D"))
            continue
        if token.lower_ == "day" and i + 1 < len(doc) and doc[i + 1].like_num:
            amount = _number(doc[i + 1].lower_)
            if amount is not None:
                unit = UNITS[token.lower_]
                spans.append(Span(doc, i, i + 2, label=TIME_SINCE_SURGERY, kb_id=to_iso(amount, unit)))
                continue
        found = _duration_at(doc, i)
        if found and _has_marker(doc, found[0], found[1], words):
            start, end, value = found
            spans.append(Span(doc, start, end, label=TIME_SINCE_SURGERY, kb_id=value))
    return spans


def _day_of_month(text: str) -> Optional[int]:
    match = _ORDINAL.match(text)
    if match and 1 <= int(match.group(1)) <= 31:
        return int(match.group(1))
    return None


def _iso_date(month: int, day: int, year: Optional[int]) -> str:
    if year is None:
        return f"--{month:02d}-{day:02d}"
    if year < 100:
        year += 2000
    return f"{year:04d}-{month:02d}-{day:02d}"


def _year_at(doc: Doc, i: int) -> Optional[int]:
    if i < len(doc) and re.fullmatch(r"(19|20)\d\d", doc[i].text):
        return int(doc[i].text)
    return None


def _dates(doc: Doc) -> List[Span]:
    spans = []
    i = 0
    while i < len(doc):
        text = doc[i].lower_.rstrip(".")
        numeric = _NUMERIC_DATE.match(text)
        if numeric and 1 <= int(numeric.group(1)) <= 12 and 1 <= int(numeric.group(2)) <= 31:
            year = int(numeric.group(3)) if numeric.group(3) else None
            value = _iso_date(int(numeric.group(1)), int(numeric.group(2)), year)
            spans.append(Span(doc, i, i + 1, label=SURGERY_DATE, kb_id=value))
        elif text in MONTHS and i + 1 < len(doc) and (day := _day_of_month(doc[i + 1].lower_)):
            end = i + 2
            end += 1 if end < len(doc) and doc[end].text == "," else 0
            year = _year_at(doc, end)
            value = _iso_date(MONTHS[text], day, year)
            end = end + 1 if year else i + 2
            spans.append(Span(doc, i, end, label=SURGERY_DATE, kb_id=value))
            i = end
            continue
        elif (day := _day_of_month(text)) and i + 1 < len(doc):
            of = 1 if doc[i + 1].lower_ == "of" else 0
            month_token = doc[i + 1 + of].lower_.rstrip(".") if i + 1 + of < len(doc) else ""
            if month_token in MONTHS:
                end = i + 2 + of
                year = _year_at(doc, end)
                value = _iso_date(MONTHS[month_token], day, year)
                end = end + 1 if year else end
                spans.append(Span(doc, i, end, label=SURGERY_DATE, kb_id=value))
                i = end
                continue
        i += 1
    return spans


class TimeExpressions:
    def __init__(self, name: str) -> None:
        self.name = name

    def __call__(self, doc: Doc) -> Doc:
        doc.spans[SPANS_KEY] = sorted(_durations(doc) + _dates(doc), key=lambda s: s.start)
        return doc


@Language.factory("spine_time_expressions")
def make_time_expressions(nlp: Language, name: str) -> TimeExpressions:
    return TimeExpressions(name)
