"""Loads the spelling lists (data/vocabulary.yml), the warning signs and their ConText rules
(data/warning_signs.yml)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, List, Tuple

import yaml

from bot import settings
from bot.language.phrases import PhraseError, WordLists, expand_word_lists
from bot.names import Severity, declared

SEVERITIES = tuple(sorted(declared(Severity)))
CONTEXT_DIRECTIONS = ("FORWARD", "BACKWARD", "BIDIRECTIONAL", "TERMINATE", "PSEUDO")
FUTURE = "FUTURE"
# a word of a word list: another list ($name), or a phrase word (=word for the exact form)
_LIST_WORD = re.compile(r"\$\w+|=?[^\s|?*$=]+")
_LIST_NAME = re.compile(r"\w+")


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
    """Words the typo corrector corrects towards, words that look like typos of them and must be
    left alone, and the people a message can be about (one line of synonyms each)."""

    domain_words: Tuple[str, ...]
    not_typos: Tuple[str, ...]
    people: Tuple[str, ...] = ()


def _read(path: Path) -> Dict[str, Any]:
    with path.open(encoding="utf-8") as handle:
        content = yaml.safe_load(handle)
    if not isinstance(content, dict):
        raise VocabularyError(f"{path}: expected a mapping at the top level")
    return content


def _word_lists(path: Path, content: Dict[str, Any]) -> WordLists:
    """`word_lists`: named lists of single words, used in phrases as `$name`."""
    lists = content.get("word_lists") or {}
    if not isinstance(lists, dict):
        raise VocabularyError(f"{path}: `word_lists` must map list names to lists of words")
    for name, words in lists.items():
        if not isinstance(name, str) or not _LIST_NAME.fullmatch(name):
            raise VocabularyError(
                f"{path}: word list name {name!r} must be a word of letters, digits or _ (quote yes, no...)"
            )
        single = isinstance(words, list) and all(
            isinstance(w, str) and _LIST_WORD.fullmatch(w) and w not in ("NUM", "NEG") for w in words
        )
        if not words or not single:
            raise VocabularyError(
                f"{path}: word_lists.{name} must be a list of single words (no spaces, `|`, `?`, `*`, NUM or NEG)"
            )
    return lists


def _phrases(path: Path, where: str, entry: Dict[str, Any], lists: WordLists) -> Tuple[str, ...]:
    """The entry's `phrases`, with their `$name` word lists expanded."""
    phrases = entry.get("phrases")
    if not phrases or not all(isinstance(p, str) and p.strip() for p in phrases):
        raise VocabularyError(f"{path}: {where} needs a non-empty list of `phrases`")
    try:
        return tuple(expand_word_lists(p, lists) for p in phrases)
    except PhraseError as error:
        raise VocabularyError(f"{path}: {where}: {error}") from error


def _top_level_phrases(path: Path, key: str) -> Tuple[str, ...]:
    """The phrases listed under a top-level key, with their word lists expanded."""
    content = _read(path)
    return _phrases(path, key, {"phrases": content.get(key)}, _word_lists(path, content))


def load_spelling(path: Path = settings.VOCABULARY_FILE) -> Spelling:
    content = _read(path)
    return Spelling(
        domain_words=tuple(w.lower() for w in content.get("domain_words", ())),
        not_typos=tuple(w.lower() for w in content.get("not_typos", ())),
        people=tuple(str(line) for line in content.get("people", ())),
    )


def load_warning_signs(path: Path = settings.WARNING_SIGNS_FILE) -> List[WarningSign]:
    content = _read(path)
    lists = _word_lists(path, content)
    signs = content.get("signs")
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
                phrases=_phrases(path, where, entry, lists),
                temperature=bool(entry.get("temperature", False)),
                skip_if_future=bool(entry.get("skip_if_future", False)),
            )
        )
    return result


def load_context_rules(path: Path = settings.WARNING_SIGNS_FILE) -> List[Dict[str, Any]]:
    """The `context` rules, as keyword arguments of medspaCy's ConTextRule; FUTURE rules apply
    only to the signs marked skip_if_future."""
    content = _read(path)
    future_signs = [sign.id for sign in load_warning_signs(path) if sign.skip_if_future]
    rules = []
    for index, rule in enumerate(content.get("context") or []):
        where = f"{path}: context[{index}]"
        if not isinstance(rule, dict) or not rule.get("literal") or not rule.get("category"):
            raise VocabularyError(f"{where} needs a `literal` and a `category`")
        if rule.get("direction") not in CONTEXT_DIRECTIONS:
            raise VocabularyError(f"{where}.direction must be one of {', '.join(CONTEXT_DIRECTIONS)}")
        rule = dict(rule, literal=str(rule["literal"]))
        if rule["category"] == FUTURE:
            rule["allowed_types"] = future_signs
        rules.append(rule)
    return rules


def _token_patterns(path: Path, content: Dict[str, Any], key: str) -> List[List[Dict[str, Any]]]:
    patterns = content.get(key) or []
    if not all(isinstance(p, list) and p and all(isinstance(t, dict) for t in p) for p in patterns):
        raise VocabularyError(f"{path}: every entry of `{key}` must be a spaCy token pattern (a list of dicts)")
    return patterns


def load_resolutions(path: Path = settings.WARNING_SIGNS_FILE) -> Tuple[int, List[List[Dict[str, Any]]]]:
    """`resolution_reach` and the `resolutions` patterns: phrases saying an earlier sign is over."""
    content = _read(path)
    return int(content.get("resolution_reach", 20)), _token_patterns(path, content, "resolutions")


def load_token_patterns(key: str, path: Path = settings.WARNING_SIGNS_FILE) -> List[List[Dict[str, Any]]]:
    """The spaCy token patterns listed under `key`: `confirmations` (a sign the patient was told to
    expect is there now), `earlier_states` (the resolution right after them is in the past) or
    `unfinished` (the resolution right before them is not over)."""
    return _token_patterns(path, _read(path), key)


def load_fever_threshold(path: Path = settings.WARNING_SIGNS_FILE) -> float:
    """`fever_threshold_celsius`: from what reading a temperature is a fever (the clinic's setting)."""
    value = _read(path).get("fever_threshold_celsius")
    if not isinstance(value, (int, float)) or not 37.0 <= float(value) <= 40.0:
        raise VocabularyError(f"{path}: fever_threshold_celsius must be a number of degrees Celsius, e.g. 38.0")
    return float(value)


def load_symptom_words(path: Path = settings.WARNING_SIGNS_FILE) -> Tuple[str, ...]:
    """Phrases (phrase syntax) for symptoms mentioned, denied or not; none escalates by itself."""
    return _top_level_phrases(path, "symptom_words")


def load_care_questions(path: Path = settings.WARNING_SIGNS_FILE) -> Tuple[str, ...]:
    """Phrases (phrase syntax) asking whether or when to get care, or planning to wait for it; none
    escalates by itself."""
    return _top_level_phrases(path, "care_questions")


def load_look_alikes(path: Path = settings.WARNING_SIGNS_FILE) -> Tuple[str, ...]:
    """Phrases (phrase syntax) that look like a sign and are none ("hay fever", "confused about the
    forms"): a sign's match that shares a word with one is dropped."""
    return _top_level_phrases(path, "look_alikes")
