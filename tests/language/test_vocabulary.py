import re

import pytest

from bot.language.vocabulary import VocabularyError, load_spelling, load_warning_signs


def test_project_spelling_lists_load():
    spelling = load_spelling()
    assert "incision" in spelling.domain_words and "chilis" in spelling.not_typos


def test_project_warning_signs_cover_the_source_list():
    signs = {s.id: s for s in load_warning_signs()}
    assert {"increasing_pain", "wound", "fever", "numbness_weakness", "walking_standing", "bladder_bowel"} <= set(signs)
    assert signs["bladder_bowel"].severity == signs["sudden_weakness"].severity == "emergency"


def test_warning_sign_severity_is_checked(tmp_path):
    path = tmp_path / "signs.yml"
    path.write_text("signs: {fever: {label: fever, severity: mild, phrases: [fever]}}")
    with pytest.raises(VocabularyError, match="signs.fever.severity must be one of emergency, urgent"):
        load_warning_signs(path)


SIGN_WITH_A_LIST = "signs: {pain: {label: pain, severity: urgent, phrases: [$meds NEG help]}}"


def test_warning_sign_phrases_expand_word_lists(tmp_path):
    path = tmp_path / "signs.yml"
    path.write_text("word_lists: {meds: [pills, tablets]}\n" + SIGN_WITH_A_LIST)
    [sign] = load_warning_signs(path)
    assert sign.phrases == ("pills|tablets NEG help",)


@pytest.mark.parametrize(
    "lists, message",
    [
        ("{meds: pills}", "word_lists.meds must be a list of single words"),
        ("{meds: [sore pills]}", "word_lists.meds must be a list of single words"),
        ("{meds: ['pills?']}", "word_lists.meds must be a list of single words"),
        ("{meds: [NUM]}", "word_lists.meds must be a list of single words"),
        ("{meds: [pills], no: [tablets]}", "word list name False must be a word"),
        ("{}", "signs.pain: phrase '$meds NEG help' uses unknown word list $meds"),
    ],
)
def test_malformed_word_lists_name_the_fix(tmp_path, lists, message):
    path = tmp_path / "signs.yml"
    path.write_text(f"word_lists: {lists}\n{SIGN_WITH_A_LIST}")
    with pytest.raises(VocabularyError, match=re.escape(message)):
        load_warning_signs(path)
