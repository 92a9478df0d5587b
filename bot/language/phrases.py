"""Compiles the phrase syntax of data/vocabulary.yml and data/warning_signs.yml into spaCy token patterns.

A phrase is a space-separated list of slots:

* ``word`` or ``a|b|c``: a token whose lemma is one of the words' lemmas;
* ``=word``: a token that is exactly this word, after typo correction (for words whose lemma
  is too broad: "chills" -> "chill", "number" -> "numb");
* ``word?``: the slot is optional;
* ``*``: up to ``GAP`` arbitrary tokens;
* ``NUM``: a number; ``NEG``: a negation (not, n't, no, never, and "cant", "dont"... typed
  without the apostrophe);
* ``$name`` as one of a slot's words: every word of the named word list (``word_lists`` in
  data/warning_signs.yml), expanded by ``expand_word_lists`` before compiling.
"""

from __future__ import annotations

import itertools
from typing import Callable, Dict, Iterable, List, Mapping, Sequence, Set

GAP = 3
NEGATIONS = ["not", "no", "never"]
# negated verbs typed as one word ("CANT FEEL MY FOOT"): the tokenizer leaves them whole
FUSED_NEGATIONS = ["cant", "cannot", "dont", "doesnt", "didnt", "wont", "couldnt", "isnt", "aint"]
# The token norms a NEG slot matches (typos corrected: "coudnt" has the norm "couldnt").
NEG_NORMS = NEGATIONS + FUSED_NEGATIONS

LIST_MARK = "$"

TokenPattern = Dict[str, object]
Lemmatize = Callable[[str], str]
WordLists = Mapping[str, Sequence[str]]


class PhraseError(ValueError):
    """A phrase cannot be compiled; the message quotes it."""


def _list_words(name: str, lists: WordLists, named_in: str, open_lists: Sequence[str] = ()) -> List[str]:
    """The words of one word list, its own ``$name`` entries expanded (`named_in`: what names it)."""
    if name not in lists:
        known = ", ".join(sorted(lists)) or "none"
        raise PhraseError(f"{named_in} uses unknown word list ${name}: add it to `word_lists` (known: {known})")
    if name in open_lists:
        circle = " -> ".join(f"${n}" for n in [*open_lists, name])
        raise PhraseError(f"word lists name each other in a circle: {circle}")
    words: List[str] = []
    for word in lists[name]:
        if word.startswith(LIST_MARK):
            words += _list_words(word[1:], lists, f"word list ${name}", [*open_lists, name])
        else:
            words.append(word)
    return words


def expand_word_lists(phrase: str, lists: WordLists) -> str:
    """The phrase with every ``$name`` word of a slot replaced by the words of that list."""
    slots = []
    for slot in phrase.split():
        optional = slot.endswith("?") and len(slot) > 1
        words = (slot[:-1] if optional else slot).split("|")
        if any(word.startswith("=" + LIST_MARK) for word in words):
            raise PhraseError(
                f"phrase {phrase!r}: a word list has no exact form (`={LIST_MARK}name`); put `=` words in the list"
            )
        if any(word.startswith(LIST_MARK) for word in words):
            expanded: List[str] = []
            for word in words:
                named_in = f"phrase {phrase!r}"
                expanded += _list_words(word[1:], lists, named_in) if word.startswith(LIST_MARK) else [word]
            slot = "|".join(expanded) + ("?" if optional else "")
        slots.append(slot)
    return " ".join(slots)


def _slot_alternatives(slot: str, phrase: str, lemmatize: Lemmatize) -> List[TokenPattern]:
    """The token patterns one slot may match (one per attribute used)."""
    if slot == "NUM":
        return [{"LIKE_NUM": True}]
    if slot == "NEG":
        return [{"NORM": {"IN": NEG_NORMS}}]
    unexpanded = [w for w in slot.split("|") if w.lstrip("=").startswith(LIST_MARK)]
    if unexpanded:
        raise PhraseError(
            f"word list {unexpanded[0]} in phrase {phrase!r} is not expanded: only data/warning_signs.yml has lists"
        )
    exact = sorted({w[1:].lower() for w in slot.split("|") if w.startswith("=")})
    lemmas = sorted({lemmatize(w.lower()) for w in slot.split("|") if w and not w.startswith("=")})
    if "" in exact or any(not w for w in slot.split("|")):
        raise PhraseError(f"empty word in {slot!r} of phrase {phrase!r}")
    alternatives: List[TokenPattern] = []
    if lemmas:
        alternatives.append({"LEMMA": {"IN": lemmas}})
    if exact:
        alternatives.append({"NORM": {"IN": exact}})
    return alternatives


def compile_phrase(phrase: str, lemmatize: Lemmatize) -> List[List[TokenPattern]]:
    """Returns the spaCy Matcher patterns for one phrase."""
    slots = phrase.split()
    if not slots or all(slot == "*" for slot in slots):
        raise PhraseError(f"phrase {phrase!r} has no words")
    choices: List[List[List[TokenPattern]]] = []
    for slot in slots:
        if slot == "*":
            choices.append([[{"OP": "?"} for _ in range(GAP)]])
            continue
        optional = slot.endswith("?") and len(slot) > 1
        word = slot[:-1] if optional else slot
        alternatives = _slot_alternatives(word, phrase, lemmatize)
        if optional:
            alternatives = [dict(alt, OP="?") for alt in alternatives]
        choices.append([[alt] for alt in alternatives])
    return [sum(combination, []) for combination in itertools.product(*choices)]


def phrase_words(phrases: Iterable[str]) -> Set[str]:
    """The literal words used in phrases (the typo corrector's targets)."""
    words: Set[str] = set()
    for phrase in phrases:
        for slot in phrase.split():
            if slot in ("*", "NUM", "NEG"):
                continue
            for word in slot.rstrip("?").split("|"):
                word = word.lstrip("=").lower()
                if word.isalpha():
                    words.add(word)
    return words
