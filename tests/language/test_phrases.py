import re

import pytest

from bot.language.phrases import (
    FUSED_NEGATIONS,
    GAP,
    NEGATIONS,
    PhraseError,
    compile_phrase,
    expand_word_lists,
    phrase_words,
)


def lemma(word: str) -> str:
    return {"stairs": "stair", "peed": "pee"}.get(word, word)


def test_alternatives_are_lemmatised():
    assert compile_phrase("climb stairs|steps", lemma) == [
        [{"LEMMA": {"IN": ["climb"]}}, {"LEMMA": {"IN": ["stair", "steps"]}}]
    ]


def test_gap_optional_number_and_negation():
    [pattern] = compile_phrase("NEG * walk? NUM", lemma)
    assert pattern[0] == {"NORM": {"IN": NEGATIONS + FUSED_NEGATIONS}} and "cant" in FUSED_NEGATIONS
    assert pattern[1 : 1 + GAP] == [{"OP": "?"}] * GAP
    assert pattern[1 + GAP] == {"LEMMA": {"IN": ["walk"]}, "OP": "?"}
    assert pattern[-1] == {"LIKE_NUM": True}


def test_exact_words_and_lemmas_in_one_slot_become_two_patterns():
    patterns = compile_phrase("=chills|shivering", lemma)
    assert {"NORM": {"IN": ["chills"]}} in [p[0] for p in patterns]
    assert {"LEMMA": {"IN": ["shivering"]}} in [p[0] for p in patterns]


@pytest.mark.parametrize("phrase", ["", "* *", "fever||chills"])
def test_malformed_phrases_are_rejected(phrase):
    with pytest.raises(PhraseError):
        compile_phrase(phrase, lemma)


def test_phrase_words_are_the_literal_words():
    assert phrase_words(["NEG * walk|=stand?", "pins and needles"]) == {"walk", "stand", "pins", "and", "needles"}


LISTS = {"meds": ["pills", "tablets"], "pain_meds": ["$meds", "=oxy"]}


@pytest.mark.parametrize(
    "phrase, expanded",
    [
        ("$meds NEG help", "pills|tablets NEG help"),
        ("the|$pain_meds|drugs? * work", "the|pills|tablets|=oxy|drugs? * work"),
        ("no lists here", "no lists here"),
    ],
)
def test_word_lists_expand_in_place_nested_and_optional(phrase, expanded):
    assert expand_word_lists(phrase, LISTS) == expanded


@pytest.mark.parametrize(
    "phrase, lists, message",
    [
        ("$meds NEG help", {}, "phrase '$meds NEG help' uses unknown word list $meds: add it to `word_lists`"),
        ("$meds NEG help", {"meds": ["$pills"]}, "word list $meds uses unknown word list $pills"),
        ("$a NEG help", {"a": ["$b"], "b": ["$a"]}, "in a circle: $a -> $b -> $a"),
        ("=$meds NEG help", {"meds": ["pills"]}, "a word list has no exact form"),
    ],
)
def test_unknown_circular_and_exact_word_lists_are_rejected(phrase, lists, message):
    with pytest.raises(PhraseError, match=re.escape(message)):
        expand_word_lists(phrase, lists)


def test_a_word_list_left_unexpanded_is_rejected():
    with pytest.raises(PhraseError, match=re.escape("word list $meds in phrase '$meds help' is not expanded")):
        compile_phrase("$meds help", lemma)
