"""Entity-ruler patterns for the people a message is about ("my husband", "for my mum", "me").

The words come from data/vocabulary.yml (`people`); the entity's value is the first word of its
line ("hubby" is "husband"), or "self" for "for me" / "about me" / "what about me".
"""

from __future__ import annotations

from typing import Any, Dict, List, Sequence

from bot.names import Entity

SELF = "self"
POSSESSIVES = ["my", "our", "his", "her", "their", "me", "mi"]
ABOUT_ME = [["for", "me"], ["about", "me"], ["for", "myself"], ["about", "myself"]]


def ruler_patterns(lines: Sequence[str]) -> List[Dict[str, Any]]:
    """One pattern per line: a possessive and any of the line's words."""
    patterns: List[Dict[str, Any]] = []
    for line in lines:
        words = [w.strip().lower() for w in line.split("|") if w.strip()]
        patterns.append(
            {
                "label": Entity.PERSON,
                "id": words[0],
                "pattern": [{"LOWER": {"IN": POSSESSIVES}}, {"LOWER": {"IN": words}}],
            }
        )
    patterns += [
        {"label": Entity.PERSON, "id": SELF, "pattern": [{"LOWER": first}, {"LOWER": second}]}
        for first, second in ABOUT_ME
    ]
    return patterns
