"""Rasa component: Rasa's SpacyNLP, with training texts processed once and only as far as needed.

Rasa runs every training example's text and its response text (for FAQ answers: the answer, the
same few texts over and over) through the whole spaCy pipeline, once per example. This subclass
sends each distinct text through once and shares the doc, and in training runs only the pipes
listed in `training_pipes`: what the trainable components read (sentences, lemmas, the
contextual vectors). Matchers that only messages need (warning signs, entities, typo fixes)
still run on every message the server parses. Its class name is Rasa's, so the components that
take their model from "SpacyNLP" take it from here.
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Text, Tuple

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.utils.spacy_utils import SpacyModel
from rasa.nlu.utils.spacy_utils import SpacyNLP as RasaSpacyNLP
from rasa.shared.exceptions import InvalidConfigException
from rasa.shared.nlu.training_data.training_data import TrainingData
from spacy.language import Language
from spacy.tokens import Doc

BATCH_SIZE = 256
TRAINING_PIPES = "training_pipes"


@DefaultV1Recipe.register(
    [DefaultV1Recipe.ComponentType.MODEL_LOADER, DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER],
    is_trainable=False,
    model_from="SpacyNLP",
)
class SpacyNLP(RasaSpacyNLP):
    """Rasa's SpacyNLP; in training, each distinct text once, through the pipes training needs."""

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {**RasaSpacyNLP.get_default_config(), TRAINING_PIPES: None}

    def process_training_data(self, training_data: TrainingData, model: SpacyModel) -> TrainingData:
        needed: Optional[List[str]] = self._config.get(TRAINING_PIPES)
        if not needed:
            return super().process_training_data(training_data, model)
        missing = [name for name in needed if name not in model.model.pipe_names]
        if missing:
            raise InvalidConfigException(
                f"SpacyNLP's training_pipes lists {missing}, which the spaCy pipeline does not have: "
                f"list only its pipes ({', '.join(model.model.pipe_names)}), or rebuild it with `make spacy`"
            )
        unneeded = [name for name in model.model.pipe_names if name not in needed]
        with model.model.select_pipes(disable=unneeded):
            return super().process_training_data(training_data, model)

    @staticmethod
    def _process_content_bearing_samples(
        model: Language, samples_to_pipe: List[Tuple[int, Text]]
    ) -> List[Tuple[int, Doc]]:
        distinct = list(dict.fromkeys(text for _, text in samples_to_pipe))
        # the whole pipe is consumed: the sentence vectors store what they encoded at its end
        docs: Dict[Text, Doc] = dict(zip(distinct, list(model.pipe(distinct, batch_size=BATCH_SIZE))))
        return [(index, docs[text]) for index, text in samples_to_pipe]
