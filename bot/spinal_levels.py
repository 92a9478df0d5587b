"""Spinal levels ("L4-L5", "l4/5", "L5 S1"): tokenizer special cases, entity patterns, canonical form."""

from __future__ import annotations

import re
from typing import Any, Dict, Iterator, List, Optional, Tuple

from bot.names import Entity

REGIONS = (("C", 7), ("T", 12), ("L", 5), ("S", 1))
SEPARATORS = ("-", "–", "/")
LABEL = Entity.SPINAL_LEVEL

_LEVEL = re.compile(r"^\s*([ctls])\s*(\d{1,2})\s*(?:(?:-|–|/|to|and|&)?\s*([ctls])?\s*(\d{1,2}))?\s*$", re.IGNORECASE)


def vertebrae() -> List[str]:
    return [f"{letter}{n}" for letter, count in REGIONS for n in range(1, count + 1)]


def adjacent_pairs() -> Iterator[Tuple[str, str]]:
    levels = vertebrae()
    return zip(levels, levels[1:])


def canonical_level(text: str) -> Optional[str]:
    """ "l4/5" -> "L4-L5", "L5 s1" -> "L5-S1", "l5" -> "L5"; None if not a spinal level."""
    match = _LEVEL.match(text)
    if not match:
        return None
    letter, number, second_letter, second_number = match.groups()
    first = f"{letter.upper()}{int(number)}"
    if first not in vertebrae():
        return None
    if second_number is None:
        return first
    second = f"{(second_letter or letter).upper()}{int(second_number)}"
    return f"{first}-{second}" if second in vertebrae() else None


def special_cases() -> Dict[str, List[Dict[str, str]]]:
    """Tokenizer exceptions keeping "L4-L5", "l4/5" and friends as one token, normalised."""
    cases = {}
    for first, second in adjacent_pairs():
        canonical = f"{first}-{second}"
        short = second[1:] if second[0] == first[0] else second
        for separator in SEPARATORS:
            for form in {f"{first}{separator}{second}", f"{first}{separator}{short}"}:
                for text in (form, form.lower()):
                    cases[text] = [{"ORTH": text, "NORM": canonical}]
    return cases


def ruler_patterns() -> List[Dict[str, Any]]:
    """Entity-ruler patterns for levels written as one token or split over several."""
    single = r"^[ctlsCTLS]\d{1,2}$"
    return [
        {"label": LABEL, "pattern": [{"NORM": {"REGEX": r"^[CTLS]\d{1,2}-[CTLS]\d{1,2}$"}}]},
        {"label": LABEL, "pattern": [{"TEXT": {"REGEX": r"^[ctlsCTLS]\d{1,2}[ctlsCTLS]\d{1,2}$"}}]},
        {
            "label": LABEL,
            "pattern": [
                {"TEXT": {"REGEX": single}},
                {"LOWER": {"IN": list(SEPARATORS) + ["to", "and", "&"]}, "OP": "?"},
                {"TEXT": {"REGEX": single}},
            ],
        },
        {
            "label": LABEL,
            "pattern": [{"TEXT": {"REGEX": single}}, {"LOWER": {"IN": list(SEPARATORS)}}, {"TEXT": {"REGEX": r"^\d$"}}],
        },
        {"label": LABEL, "pattern": [{"TEXT": {"REGEX": single}}]},
    ]
