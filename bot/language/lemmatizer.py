"""spaCy component: the lookup lemmatizer, also for capitalised words.

spaCy's lookup lemmatizer looks a word up as it is typed, and the English table of
spacy-lookups-data holds lower-case forms: "Hurts" and "HURTS" kept themselves as lemmas where
"hurts" has "hurt", so every phrase matched on lemmas missed the first word of a sentence and
messages written in capitals. This one looks up the lower-case form when the typed one is not in
the table.
"""

from typing import Callable, List, Optional

from spacy.language import Language
from spacy.pipeline import Lemmatizer
from spacy.tokens import Token
from thinc.api import Model

LOOKUP_TABLE = "lemma_lookup"
# spaCy's own lemmatizer's defaults, in lookup mode
DEFAULT_CONFIG = {
    "model": None,
    "mode": "lookup",
    "overwrite": False,
    "scorer": {"@scorers": "spacy.lemmatizer_scorer.v1"},
}


class CaseBlindLemmatizer(Lemmatizer):
    """In lookup mode, looks a word up as typed, then in lower case."""

    def lookup_lemmatize(self, token: Token) -> List[str]:
        table = self.lookups.get_table(LOOKUP_TABLE, {})
        return [table.get(token.text) or table.get(token.lower_, token.text)]


@Language.factory(
    "spine_lemmatizer",
    assigns=["token.lemma"],
    default_config=DEFAULT_CONFIG,
)
def make_lemmatizer(
    nlp: Language, model: Optional[Model], name: str, mode: str, overwrite: bool, scorer: Optional[Callable]
) -> CaseBlindLemmatizer:
    if mode != "lookup":
        raise ValueError(
            f"spine_lemmatizer works in lookup mode only, not {mode!r}: this pipeline has no part-of-speech tags"
        )
    return CaseBlindLemmatizer(nlp.vocab, model, name, mode=mode, overwrite=overwrite, scorer=scorer)
