import pytest
import yaml
from rasa.nlu.utils.spacy_utils import SpacyModel
from rasa.shared.exceptions import InvalidConfigException
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot import settings
from bot.rasa.spacy_nlp import TRAINING_PIPES, SpacyNLP


def test_config_names_only_pipes_the_pipeline_has(nlp):
    config = yaml.safe_load((settings.PROJECT_ROOT / "config.yml").read_text(encoding="utf-8"))
    [spacy_nlp_config] = [c for c in config["pipeline"] if c["name"].endswith("SpacyNLP")]
    assert set(spacy_nlp_config[TRAINING_PIPES]) <= set(nlp.pipe_names)


def test_a_training_pipe_the_pipeline_lacks_is_named(nlp):
    model = SpacyModel(model=nlp, model_name="spine")
    component = SpacyNLP(model, {**SpacyNLP.get_default_config(), TRAINING_PIPES: ["sentencizer", "lemmatizer"]})
    with pytest.raises(InvalidConfigException, match=r"training_pipes lists \['lemmatizer'\].*make spacy"):
        component.process_training_data(TrainingData([Message(data={"text": "hello"})]), model)
