"""Builds Rasa messages the way the NLU pipeline hands them to the custom components."""

from typing import Any, Dict, List, Optional

import yaml
from rasa.nlu.constants import SPACY_DOCS
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from spacy.language import Language

from bot import settings


def message(nlp: Language, text: str, ranking: Optional[List[Dict]] = None) -> Message:
    """A message with the spaCy doc SpacyNLP would attach (lower-cased) and an intent ranking."""
    msg = Message(data={TEXT: text})
    msg.set(SPACY_DOCS[TEXT], nlp(text.lower()))
    if ranking:
        msg.set(INTENT, ranking[0])
        msg.set(INTENT_RANKING_KEY, ranking)
    return msg


def ranked(*intents: str) -> List[Dict]:
    """An intent ranking with decreasing confidences."""
    confidences = [0.6, 0.3, 0.1, 0.05]
    return [{"name": name, "confidence": confidences[i]} for i, name in enumerate(intents)]


def configured(component: Any, **overrides: Any) -> Dict[str, Any]:
    """config.yml's entry for this component class (pipeline or policies) over its code defaults,
    as Rasa merges them."""
    config = yaml.safe_load((settings.PROJECT_ROOT / "config.yml").read_text(encoding="utf-8"))
    entry = next(
        e for e in [*config["pipeline"], *config["policies"]] if e["name"].rsplit(".", 1)[-1] == component.__name__
    )
    given = {key: value for key, value in entry.items() if key != "name"}
    return {**component.get_default_config(), **given, **overrides}
