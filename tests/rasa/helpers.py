"""Builds Rasa messages the way the NLU pipeline hands them to the custom components."""

from typing import Dict, List, Optional

from rasa.nlu.constants import SPACY_DOCS
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from spacy.language import Language


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
