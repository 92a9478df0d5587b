"""spaCy component: lower-cases lemmas and corrects likely typos of domain words.

A token is treated as a typo only if it is not an English word known to spacy-lookups-data and
is within a small edit distance of a domain word ("incison" -> "incision", "fevr" -> "fever").
The corrected lemma is what the entity ruler, the warning-sign matcher and Rasa's featurizers see.
"""

from pathlib import Path
from typing import Dict, Iterable, Optional

import srsly
from spacy.language import Language
from spacy.tokens import Doc

MIN_LENGTH = 4


def edit_distance(a: str, b: str, limit: int) -> int:
    """Optimal-string-alignment distance (adjacent swaps count once), or limit + 1 if larger."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous2: list = []
    previous = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        current = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                current[j] = min(current[j], previous2[j - 2] + 1)
        if min(current) > limit:
            return limit + 1
        previous2, previous = previous, current
    return previous[-1]


def allowed_distance(word: str) -> int:
    return 1 if len(word) <= 6 else 2


class SpellFix:
    """Sets every token's lemma to lower case; a typo of a domain word gets its lemma and norm."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.target_lemmas: Dict[str, str] = {}
        self.known_words: frozenset = frozenset()

    def set_words(self, target_lemmas: Dict[str, str], known_words: Iterable[str]) -> None:
        """Domain words (with their lemmas) to correct towards; English words never corrected."""
        self.target_lemmas = dict(target_lemmas)
        self.known_words = frozenset(known_words) | frozenset(target_lemmas)

    def correct(self, word: str) -> Optional[str]:
        """The domain word a typo most likely meant, or None."""
        if len(word) < MIN_LENGTH or not word.isalpha() or word in self.known_words:
            return None
        limit = allowed_distance(word)
        best = None
        for target in self.target_lemmas:
            if target[0] != word[0] or len(target) < MIN_LENGTH:
                continue
            distance = edit_distance(word, target, limit)
            if distance <= limit and (best is None or (distance, target) < best):
                best = (distance, target)
        return best[1] if best else None

    def __call__(self, doc: Doc) -> Doc:
        for token in doc:
            lower = token.lower_
            fix = self.correct(lower)
            if fix is not None:
                token.norm_ = fix
                token.lemma_ = self.target_lemmas[fix]
            else:
                token.lemma_ = (token.lemma_ or lower).lower()
        return doc

    def to_disk(self, path: Path, exclude: Iterable[str] = ()) -> None:
        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        srsly.write_json(path / "targets.json", self.target_lemmas)
        srsly.write_gzip_json(path / "known_words.json.gz", sorted(self.known_words))

    def from_disk(self, path: Path, exclude: Iterable[str] = ()) -> "SpellFix":
        path = Path(path)
        self.set_words(srsly.read_json(path / "targets.json"), srsly.read_gzip_json(path / "known_words.json.gz"))
        return self


@Language.factory("spine_spellfix")
def make_spellfix(nlp: Language, name: str) -> SpellFix:
    return SpellFix(name)
