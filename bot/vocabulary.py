"""Loads the domain vocabulary (data/vocabulary.yml) and the warning signs (data/warning_signs.yml)."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, List, Tuple

import yaml

from bot import settings

SEVERITIES = ("emergency", "urgent")


class VocabularyError(ValueError):
    """A vocabulary or warning-sign file is malformed; the message names the entry to fix."""


@dataclass(frozen=True)
class Term:
    """A procedure, activity or recovery phase: id, how the assistant names it, the phrases that mean it."""

    id: str
    label: str
    phrases: Tuple[str, ...]
    covered: bool = True


@dataclass(frozen=True)
class WarningSign:
    """A red-flag symptom from the source's "When to Call Your Doctor" list (or an emergency)."""

    id: str
    label: str
    severity: str
    phrases: Tuple[str, ...]
    temperature: bool = False
    skip_if_future: bool = False


@dataclass(frozen=True)
class Vocabulary:
    procedures: Tuple[Term, ...]
    activities: Tuple[Term, ...]
    phases: Tuple[Term, ...]
    domain_words: Tuple[str, ...]
    not_typos: Tuple[str, ...] = ()

    def procedure(self, procedure_id: str) -> Term:
        return _by_id(self.procedures, procedure_id, "procedure")

    def activity(self, activity_id: str) -> Term:
        return _by_id(self.activities, activity_id, "activity")


def _by_id(terms: Tuple[Term, ...], term_id: str, kind: str) -> Term:
    for term in terms:
        if term.id == term_id:
            return term
    known = ", ".join(t.id for t in terms)
    raise KeyError(f"unknown {kind} {term_id!r}; known: {known}")


def _read(path: Path) -> Dict[str, Any]:
    with path.open(encoding="utf-8") as handle:
        content = yaml.safe_load(handle)
    if not isinstance(content, dict):
        raise VocabularyError(f"{path}: expected a mapping at the top level")
    return content


def _phrases(path: Path, where: str, entry: Dict[str, Any]) -> Tuple[str, ...]:
    phrases = entry.get("phrases")
    if not phrases or not all(isinstance(p, str) and p.strip() for p in phrases):
        raise VocabularyError(f"{path}: {where} needs a non-empty list of `phrases`")
    return tuple(phrases)


def _terms(path: Path, section: str, entries: Dict[str, Any], with_coverage: bool) -> Tuple[Term, ...]:
    if not isinstance(entries, dict) or not entries:
        raise VocabularyError(f"{path}: `{section}` must map ids to entries")
    terms = []
    for term_id, entry in entries.items():
        where = f"{section}.{term_id}"
        if not isinstance(entry, dict) or not entry.get("label"):
            raise VocabularyError(f"{path}: {where} needs a `label`")
        covered = entry.get("covered", True)
        if with_coverage and not isinstance(covered, bool):
            raise VocabularyError(f"{path}: {where}.covered must be true or false")
        terms.append(Term(term_id, entry["label"], _phrases(path, where, entry), covered))
    return tuple(terms)


def load_vocabulary(path: Path = settings.VOCABULARY_FILE) -> Vocabulary:
    content = _read(path)
    return Vocabulary(
        procedures=_terms(path, "procedures", content.get("procedures"), with_coverage=False),
        activities=_terms(path, "activities", content.get("activities"), with_coverage=True),
        phases=_terms(path, "phases", content.get("phases"), with_coverage=False),
        domain_words=tuple(content.get("domain_words", ())),
        not_typos=tuple(w.lower() for w in content.get("not_typos", ())),
    )


def load_warning_signs(path: Path = settings.WARNING_SIGNS_FILE) -> List[WarningSign]:
    signs = _read(path).get("signs")
    if not isinstance(signs, dict) or not signs:
        raise VocabularyError(f"{path}: `signs` must map sign ids to entries")
    result = []
    for sign_id, entry in signs.items():
        where = f"signs.{sign_id}"
        if not isinstance(entry, dict) or not entry.get("label"):
            raise VocabularyError(f"{path}: {where} needs a `label`")
        if entry.get("severity") not in SEVERITIES:
            raise VocabularyError(f"{path}: {where}.severity must be one of {', '.join(SEVERITIES)}")
        result.append(
            WarningSign(
                id=sign_id,
                label=entry["label"],
                severity=entry["severity"],
                phrases=_phrases(path, where, entry),
                temperature=bool(entry.get("temperature", False)),
                skip_if_future=bool(entry.get("skip_if_future", False)),
            )
        )
    return result
