"""The source passages and the grounding checks on answers.

The sources are the articles and the clinic's safety policy (data/sources/passages.yml) and the
clinic's own profile (bot/clinic.py: a source of its own, "Clinic profile", whose passages are
the values that are set).
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, List, Optional, Set, Tuple

import yaml

from bot import clinic, settings

NUMBER_WORDS = {
    "one": "1",
    "two": "2",
    "three": "3",
    "four": "4",
    "five": "5",
    "six": "6",
    "seven": "7",
    "eight": "8",
    "nine": "9",
    "ten": "10",
    "eleven": "11",
    "twelve": "12",
    "twenty": "20",
    "twenty-four": "24",
    "hundred": "100",
}
_NUMBER = re.compile(r"\d+(?:[.,:]\d+)*")
_WORD = re.compile(r"[a-z]+(?:-[a-z]+)?")
# Phrases by which a source sends the patient to their own clinicians.
_DEFERRAL = re.compile(
    r"your (doctor|surgeon|care team|therapist)|your surgeon’s|treating surgeon|qualified physician|"
    r"physicians (consider|typically)|if cleared by your doctor|surgeon's (assessment|clinical judgment)",
    re.IGNORECASE,
)
_REFERRAL = re.compile(r"surgeon|doctor|care team|physician|therapist", re.IGNORECASE)


@dataclass(frozen=True)
class Passage:
    id: str
    source_id: str
    section: str
    text: str

    @property
    def full_text(self) -> str:
        """Section heading and body: a number in the heading ("Weeks 4 to 8") is part of the source."""
        return f"{self.section}\n{self.text}"


@dataclass(frozen=True)
class Source:
    id: str
    title: str
    publisher: str
    origin: str
    sha256: str
    passages: Tuple[Passage, ...]


def load_sources(path: Path = settings.PASSAGES_FILE, profile: Optional[clinic.ClinicProfile] = None) -> List[Source]:
    """The sources of the passages file, then the clinic profile's (CLINIC_PROFILE_FILE unless given)."""
    with path.open(encoding="utf-8") as handle:
        content = yaml.safe_load(handle)
    sources = []
    for source in content["sources"]:
        passages = tuple(Passage(p["id"], source["id"], p["section"], p["text"].strip()) for p in source["passages"])
        sources.append(
            Source(
                source["id"], source["title"], source["publisher"], source["origin"], source.get("sha256", ""), passages
            )
        )
    return [*sources, clinic_source(profile or clinic.load_profile())]


def clinic_source(profile: clinic.ClinicProfile) -> Source:
    """The clinic profile as a source: a passage per value that is set."""
    passages = tuple(Passage(f.passage_id, clinic.SOURCE_ID, f.section, f.text) for f in clinic.facts(profile))
    return Source(clinic.SOURCE_ID, clinic.SOURCE_TITLE, profile.name, str(profile.path), "", passages)


def passages_by_id(
    path: Path = settings.PASSAGES_FILE, profile: Optional[clinic.ClinicProfile] = None
) -> Dict[str, Passage]:
    return {p.id: p for source in load_sources(path, profile) for p in source.passages}


def numbers_in(text: str) -> Set[str]:
    """The numbers a text states, digits or words ("two" -> "2"; "2–6" -> {"2", "6"})."""
    lowered = text.lower().replace("–", "-")
    numbers = {n.rstrip(".,:") for n in _NUMBER.findall(lowered)}
    numbers |= {NUMBER_WORDS[w] for w in _WORD.findall(lowered) if w in NUMBER_WORDS}
    return numbers


def unsupported_numbers(answer: str, cited: List[Passage]) -> Set[str]:
    """Numbers in an answer that none of its cited passages contains."""
    supported: Set[str] = set()
    for passage in cited:
        supported |= numbers_in(passage.full_text)
    return numbers_in(answer) - supported


def defers_to_clinician(passages: List[Passage]) -> bool:
    """Whether the cited passages tell the patient to follow or ask their own clinicians."""
    return any(_DEFERRAL.search(p.text) for p in passages)


def refers_to_clinician(answer: str) -> bool:
    return bool(_REFERRAL.search(answer))


@functools.lru_cache(maxsize=1)
def _passages_and_titles() -> Tuple[Dict[str, Passage], Dict[str, str]]:
    sources = load_sources()
    return {p.id: p for s in sources for p in s.passages}, {s.id: s.title for s in sources}


def source_line(cites: List[str]) -> str:
    """ "Source: <article title> (<section>)" for the passages an answer cites, for patients to see."""
    passages, titles = _passages_and_titles()
    cited = [passages[c] for c in cites if c in passages]
    parts = []
    for source_id in dict.fromkeys(p.source_id for p in cited):
        sections = list(dict.fromkeys(p.section for p in cited if p.source_id == source_id))
        parts.append(f"{titles[source_id]} ({'; '.join(sections)})")
    return f"Source: {' / '.join(parts)}" if parts else ""
