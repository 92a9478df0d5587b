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
