"""The facts each patient-facing text states (tests/patient_texts.py), frozen in
tests/data/stated_facts.yml so that no rewording loses one (tests/test_grounding.py).

A fact is written in one normal form, whatever the wording:
- a phone number ("phone 13105550100") and a spinal level ("level L4-L5");
- a percentage ("85%");
- a time window, a range or a number with its unit: "2-6 weeks" for "2–6 weeks", "2 to 6 weeks"
  and "weeks 2 to 6"; "24 hours"; number words as digits ("two weeks": "2 weeks"), "one" only
  before a unit;
- a window in words: "few days" ("a few days", "the first few days"), "several months",
  "within days", "as soon as possible", "right away";
- any other number ("911", "9:00");
- a warning sign's words: the words of a sign's label in data/warning_signs.yml that the text
  uses ("sign: fever"), when it uses at least half of them.

`python -m tests.stated_facts` writes the file from the texts as they are; it was written once,
before the texts were reworded for reading level, and is not to be written again to make a
rewording pass: a fact a text no longer needs is removed from the file by hand, with the reason in
the commit.
"""

from __future__ import annotations

import re
from typing import Dict, List, Set

import yaml

from bot import settings
from bot.sources import NUMBER_WORDS
from tests.patient_texts import patient_texts

FILE = settings.PROJECT_ROOT / "tests" / "data" / "stated_facts.yml"
HEADER = """\
# The facts (numbers, time windows, percentages, warning signs) every patient-facing text stated
# before the texts were reworded for reading level: tests/test_grounding.py checks that each text
# (tests/patient_texts.py, by its key) still states each of them. Written once by
# `python -m tests.stated_facts` (tests/stated_facts.py says how facts are normalised); never
# rewritten to make a rewording pass.
"""

_UNITS = r"(hours?|days?|weeks?|months?|years?)"
_PHONE = re.compile(r"\+?\(?\d[\d ()-]{5,}\d")
_LEVEL = re.compile(r"\b([lcts])(\d)\s*-\s*([lcts]?)(\d)\b")
_PERCENT = re.compile(r"\d+(?:\.\d+)?%")
_NUMBER = r"\d+(?::\d+)?"
_RANGE_BEFORE_UNIT = re.compile(rf"({_NUMBER})\s*(?:-|to)\s*({_NUMBER})\s+{_UNITS}\b")
_UNIT_BEFORE_RANGE = re.compile(rf"\b{_UNITS}\s+({_NUMBER})\s*(?:-|to)\s*({_NUMBER})")
_RANGE = re.compile(rf"({_NUMBER})\s*(?:-|to)\s*({_NUMBER})\b")
_WITH_UNIT = re.compile(rf"({_NUMBER})\s+{_UNITS}\b")
_BARE = re.compile(_NUMBER)
_VAGUE = re.compile(rf"\b(?:(?:a |the first |first )?(few)|(several)|(within)) {_UNITS}\b")
TIME_PHRASES = ("as soon as possible", "right away")
# Words of a sign's label that do not name the sign.
_NOT_SIGN_WORDS = {"a", "an", "the", "or", "and", "of", "at", "that", "is", "not", "by", "since", "keeps"}


def _unit(word: str) -> str:
    return word.rstrip("s") + "s"


def _digits(text: str) -> str:
    """Number words as digits ("two to four weeks": "2 to 4 weeks"); "one" only before a unit."""

    def digit(match: re.Match) -> str:
        word, rest = match.group(1), match.group(2) or ""
        if word == "one" and not re.match(rf"\s+{_UNITS}\b", rest):
            return match.group(0)
        return NUMBER_WORDS[word] + rest

    words = "|".join(sorted(NUMBER_WORDS, key=len, reverse=True))
    return re.sub(rf"\b({words})\b(\s+\w+)?", digit, text)


def sign_words() -> Dict[str, Set[str]]:
    """The words of each warning sign's label (data/warning_signs.yml) that name it."""
    signs = yaml.safe_load(settings.WARNING_SIGNS_FILE.read_text(encoding="utf-8"))["signs"]
    return {sign: set(re.findall(r"[a-z]+", entry["label"].lower())) - _NOT_SIGN_WORDS for sign, entry in signs.items()}


def stated_facts(text: str, signs: Dict[str, Set[str]]) -> List[str]:
    """The facts a text states, in their normal form (see the module's docstring)."""
    found: Set[str] = set()
    rest = text.lower().replace("–", "-").replace("—", "-")

    def take(pattern: re.Pattern, fact) -> None:
        nonlocal rest
        found.update(fact(m) for m in pattern.finditer(rest))
        rest = pattern.sub(" ", rest)

    take(_PHONE, lambda m: "phone " + re.sub(r"\D", "", m.group(0)))
    take(_LEVEL, lambda m: f"level {m.group(1).upper()}{m.group(2)}-{(m.group(3) or m.group(1)).upper()}{m.group(4)}")
    take(_PERCENT, lambda m: m.group(0))
    words = set(re.findall(r"[a-z]+", rest))
    for terms in signs.values():
        used = terms & words
        if len(used) * 2 >= len(terms):
            found.update(f"sign: {term}" for term in used)
    found.update(phrase for phrase in TIME_PHRASES if phrase in rest)
    take(_VAGUE, lambda m: f"{m.group(1) or m.group(2) or m.group(3)} {_unit(m.group(4))}")
    rest = _digits(rest)
    take(_RANGE_BEFORE_UNIT, lambda m: f"{m.group(1)}-{m.group(2)} {_unit(m.group(3))}")
    take(_UNIT_BEFORE_RANGE, lambda m: f"{m.group(2)}-{m.group(3)} {_unit(m.group(1))}")
    take(_RANGE, lambda m: f"{m.group(1)}-{m.group(2)}")
    take(_WITH_UNIT, lambda m: f"{m.group(1)} {_unit(m.group(2))}")
    take(_BARE, lambda m: m.group(0))
    return sorted(found)


def facts_of_texts() -> Dict[str, List[str]]:
    """The facts of every patient-facing text that states any, by the text's key."""
    signs = sign_words()
    stated = {text.key: stated_facts(text.text, signs) for text in patient_texts()}
    return {key: facts for key, facts in stated.items() if facts}


def frozen() -> Dict[str, List[str]]:
    return yaml.safe_load(FILE.read_text(encoding="utf-8"))


def main() -> None:
    body = yaml.safe_dump(facts_of_texts(), sort_keys=False, allow_unicode=True, width=120, default_flow_style=None)
    FILE.write_text(HEADER + body, encoding="utf-8")
    print(f"wrote {FILE.relative_to(settings.PROJECT_ROOT)}")


if __name__ == "__main__":
    main()
