import pytest

from bot.vocabulary import VocabularyError, load_vocabulary, load_warning_signs


def test_project_vocabulary_loads():
    vocabulary = load_vocabulary()
    assert {p.id for p in vocabulary.procedures} == {"microdiscectomy", "decompression", "fusion"}
    assert vocabulary.activity("swimming").covered and not vocabulary.activity("driving").covered
    with pytest.raises(KeyError, match="unknown procedure 'laminectomy'"):
        vocabulary.procedure("laminectomy")


def test_project_warning_signs_cover_the_source_list():
    signs = {s.id: s for s in load_warning_signs()}
    assert {"increasing_pain", "wound", "fever", "numbness_weakness", "walking_standing", "bladder_bowel"} <= set(signs)
    assert signs["bladder_bowel"].severity == signs["sudden_weakness"].severity == "emergency"


@pytest.mark.parametrize(
    "content, message",
    [
        ("procedures: {}\nactivities: {}", "`procedures` must map ids to entries"),
        ("procedures: {fusion: {phrases: [fusion]}}\nactivities: {walking: {label: walking, phrases: [walk]}}", "procedures.fusion needs a `label`"),
        ("procedures: {fusion: {label: fusion}}\nactivities: {walking: {label: walking, phrases: [walk]}}", "procedures.fusion needs a non-empty list of `phrases`"),
        ("procedures: {fusion: {label: fusion, phrases: [fusion]}}\nactivities: {walking: {label: w, covered: maybe, phrases: [walk]}}", "activities.walking.covered must be true or false"),
    ],
)
def test_vocabulary_errors_name_the_entry(tmp_path, content, message):
    path = tmp_path / "vocabulary.yml"
    path.write_text(content)
    with pytest.raises(VocabularyError, match=message.replace("`", ".")):
        load_vocabulary(path)


def test_warning_sign_severity_is_checked(tmp_path):
    path = tmp_path / "signs.yml"
    path.write_text("signs: {fever: {label: fever, severity: mild, phrases: [fever]}}")
    with pytest.raises(VocabularyError, match="signs.fever.severity must be one of emergency, urgent"):
        load_warning_signs(path)
