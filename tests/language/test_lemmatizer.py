import pytest
import spacy

from bot.language.lemmatizer import CaseBlindLemmatizer


def test_the_component_saved_and_loaded_lemmatises_capitalised_words(tmp_path):
    nlp = spacy.blank("en")
    nlp.add_pipe("spine_lemmatizer")
    nlp.initialize()
    nlp.to_disk(tmp_path)
    loaded = spacy.load(tmp_path)
    assert isinstance(loaded.get_pipe("spine_lemmatizer"), CaseBlindLemmatizer)
    assert [t.lemma_ for t in loaded("Hurts HURTS hurts")] == ["hurt", "hurt", "hurt"]


def test_rule_mode_is_refused():
    with pytest.raises(ValueError, match="lookup mode only"):
        spacy.blank("en").add_pipe("spine_lemmatizer", config={"mode": "rule"})
