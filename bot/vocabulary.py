"""Loads the spelling lists (data/vocabulary.yml) and the warning signs (data/warning_signs.yml)."""
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
class WarningSign:
    """A red-flag symptom from the source's "When to Call Your Doctor" list (or an emergency)."""

    id: str
    label: str
    severity: str
    phrases: Tuple[str, ...]
    temperature: bool = False
    skip_if_future: bool = False


@dataclass(frozen=True)
class Spelling:
    """Words the typo corrector corrects towards, and look-alikes it must leave alone."""

    domain_words: Tuple[str, ...]
    not_typos: Tuple[str, ...]


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


def load_spelling(path: Path = settings.VOCABULARY_FILE) -> Spelling:
    content = _read(path)
    return Spelling(
        domain_words=tuple(w.lower() for w in content.get("domain_words", ())),
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
