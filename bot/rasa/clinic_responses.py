"""The responses, with the clinic profile's values in them (bot/clinic.py), prepared once.

When Rasa sets the responses (Agent.load_model), every `{clinic_<field>}` of domain.yml is filled
from the profile. A variation needing a value the profile leaves unset is dropped, and a variation
gives way to another for the same condition and channel that uses all its clinic values and more:
with a phone number set, "call the clinic at {clinic_phone}" is said; without one, the variation
without it. A response left with no variation stops the server at start-up. A variation giving
numbers lists them in its metadata (`call`: label and number) for the widget's tap-to-call links.
Rasa's own filling of `{slot}` and of the actions' values is unchanged.
"""

from __future__ import annotations

import copy
import json
import re
from typing import Any, Dict, FrozenSet, List, Text

from rasa.core.nlg import TemplatedNaturalLanguageGenerator

from bot.clinic import PLACEHOLDERS, ClinicProfile, ClinicProfileError, Fact, facts
from bot.names import Metadata

Responses = Dict[Text, List[Dict[Text, Any]]]
# A placeholder, and the full stop after it (dropped after a value ending in one: "5:00 p.m.").
_PLACEHOLDER = re.compile(r"\{(clinic_[a-z_]*)\}(\.?)")


def needs(variation: Dict[Text, Any]) -> FrozenSet[str]:
    """The clinic placeholders a variation's text uses."""
    return frozenset(match.group(1) for match in _PLACEHOLDER.finditer(str(variation.get("text") or "")))


def filled(variation: Dict[Text, Any], values: Dict[str, Fact]) -> Dict[Text, Any]:
    """The variation with the clinic's values in its text and the numbers it gives in its metadata."""

    def value(match: re.Match) -> str:
        text = values[match.group(1)].text
        return text if text.endswith(".") else text + match.group(2)

    result = copy.deepcopy(variation)
    result["text"] = _PLACEHOLDER.sub(value, str(variation["text"]))
    used = dict.fromkeys(match.group(1) for match in _PLACEHOLDER.finditer(str(variation["text"])))
    numbers = [{"label": values[p].section, "number": values[p].text} for p in used if values[p].is_number]
    if numbers:
        result["metadata"] = {**(variation.get("metadata") or {}), Metadata.CALL: numbers}
    return result


def _group(variation: Dict[Text, Any]) -> str:
    """Variations for the same condition and channel: Rasa chooses among them at random."""
    return json.dumps([variation.get("condition"), variation.get("channel")], sort_keys=True)


def prepare(responses: Responses, profile: ClinicProfile) -> Responses:
    """The responses with the profile's values filled in; raises ClinicProfileError naming the
    response and the fix when one uses an unknown placeholder or has no variation left."""
    values = {fact.placeholder: fact for fact in facts(profile)}
    prepared: Responses = {}
    for name, variations in responses.items():
        usable = []
        for variation in variations:
            unknown = sorted(needs(variation) - set(PLACEHOLDERS))
            if unknown:
                raise ClinicProfileError(
                    f"domain.yml: {name} uses {{{unknown[0]}}}, which is no value of the clinic profile: "
                    f"use one of {', '.join('{' + p + '}' for p in PLACEHOLDERS)}"
                )
            if needs(variation) <= values.keys():
                usable.append(variation)
        prepared[name] = [
            filled(v, values) for v in usable if not any(_group(w) == _group(v) and needs(v) < needs(w) for w in usable)
        ]
        if variations and not prepared[name]:
            unset = sorted(
                {p.removeprefix("clinic_") for v in variations for p in needs(v)} - {f.field for f in values.values()}
            )
            raise ClinicProfileError(
                f"domain.yml: {name} has no variation left with the clinic profile {profile.path}: every one "
                f"needs a value it leaves unset ({', '.join(unset)}). Set it there, or add a variation "
                f"without it to {name} in domain.yml."
            )
    return prepared


class ClinicResponses(TemplatedNaturalLanguageGenerator):
    """Rasa's templated responses, with the clinic profile's values filled in when they are set."""

    def __init__(self, profile: ClinicProfile) -> None:
        self.profile = profile
        super().__init__({})

    @property
    def responses(self) -> Responses:
        return self._responses

    @responses.setter
    def responses(self, responses: Responses) -> None:
        self._responses = prepare(responses, self.profile)
