import pytest

from bot.language.spellfix import SpellFix, edit_distance


@pytest.mark.parametrize(
    "a, b, distance",
    [
        ("fever", "fever", 0),
        ("fevr", "fever", 1),
        ("incison", "incision", 1),
        ("numbenss", "numbness", 1),
        ("abc", "xyz", 3),
    ],
)
def test_edit_distance_counts_adjacent_swaps_once(a, b, distance):
    assert edit_distance(a, b, limit=5) == distance


def test_edit_distance_stops_past_the_limit():
    assert edit_distance("microdiscectomy", "decompression", limit=2) == 3


@pytest.fixture
def fixer() -> SpellFix:
    fixer = SpellFix("spellfix")
    fixer.set_words({"fever": "fever", "incision": "incision", "stairs": "stair"}, known_words={"fewer", "fervent"})
    return fixer


@pytest.mark.parametrize("typo, fix", [("fevr", "fever"), ("incison", "incision"), ("stiars", "stairs")])
def test_typos_of_domain_words_are_corrected(fixer, typo, fix):
    assert fixer.correct(typo) == fix


@pytest.mark.parametrize("word", ["fewer", "fever", "xyzzy", "fe", "f3ver"])
def test_known_words_short_words_and_non_words_are_left_alone(fixer, word):
    assert fixer.correct(word) is None


def test_pipeline_corrects_lemmas(nlp):
    doc = nlp("my incison is red and i have a fevr")
    assert [t.lemma_ for t in doc if t.text in ("incison", "fevr")] == ["incision", "fever"]
    assert [t.lemma_ for t in nlp("FEWER Fever")] == ["few", "fever"]


def test_does_is_a_form_of_do_not_the_plural_of_doe(nlp):
    assert [t.lemma_ for t in nlp("she does")] == ["she", "do"]


def test_capitalised_words_get_the_lemma_of_their_lower_case_form(nlp):
    # the lookup table has "wind" for "wound"; the phrases are compiled with the same table
    lower, capitalised, upper = (nlp(t) for t in ("hurts wound", "Hurts Wound", "HURTS WOUND"))
    assert [t.lemma_ for t in capitalised] == [t.lemma_ for t in upper] == [t.lemma_ for t in lower] == ["hurt", "wind"]


@pytest.mark.parametrize("word", ["else", "during", "unless"])
def test_stop_words_are_never_typos(nlp, word):
    assert [t.norm_ for t in nlp(f"who {word}")] == ["who", word]
