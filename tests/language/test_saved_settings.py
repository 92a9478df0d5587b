"""The warning-sign components save their settings with the pipeline and load them back."""

import pytest
import srsly

from bot import settings
from bot.language.sign_context import RULES_FILE, SignContext
from bot.language.warning_signs import SIGNS_FILE, WarningSignMatcher


@pytest.mark.parametrize(
    "name, file_name, component_class",
    [("spine_sign_context", RULES_FILE, SignContext), ("spine_warning_signs", SIGNS_FILE, WarningSignMatcher)],
)
def test_settings_saved_as_built_and_loaded_back(nlp, tmp_path, name, file_name, component_class):
    nlp.get_pipe(name).to_disk(tmp_path / "saved")
    saved = srsly.read_json(tmp_path / "saved" / file_name)
    assert saved == srsly.read_json(settings.SPACY_MODEL_DIR / name / file_name)
    component_class(nlp, name).from_disk(tmp_path / "saved").to_disk(tmp_path / "again")
    assert srsly.read_json(tmp_path / "again" / file_name) == saved
